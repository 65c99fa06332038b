"""Agreement within groups: ICC(1) and ICC(2) of a one-way random-effects model (teams).

Whether the members of a group (a team of professionals) answer more alike than members of
different groups is the one-way random-effects intraclass correlation (Bliese 2000; Shrout &
Fleiss 1979, case 1). From the one-way ANOVA of the values on the groups, with ``J`` groups,
``N`` persons, mean squares between groups ``MSB`` (df ``J − 1``) and within ``MSW`` (df
``N − J``):

* ``ICC(1) = (MSB − MSW) / (MSB + (k − 1)·MSW)`` — the share of the variance of one person's
  value that lies between groups; negative when members agree less than chance;
* ``ICC(2) = (MSB − MSW) / MSB`` — the reliability of a group's mean;
* ``F = MSB / MSW`` with its p value (are there group differences at all).

With unequal group sizes ``k`` is the mean group size ``N / J``, as R
``multilevel::ICC1``/``ICC2`` (Bliese's package) compute it from ``aov``; with equal sizes
``ICC(1)`` is :func:`analysis.stats.reliability.icc`'s ``ICC1`` (psych::ICC) of the groups ×
members table. Own code rather than :func:`~analysis.stats.reliability.icc`: that one needs a
persons × raters table with the same raters for everyone, which teams of different sizes are not.

Checked in ``tests/test_process.py`` against ``tests/fixtures/r/process.json`` (``aov`` mean
squares, ``multilevel::ICC1``/``ICC2``, ``psych::ICC``).

References
----------
Bliese, P. D. (2000). Within-group agreement, non-independence, and reliability. In K. J.
Klein & S. W. J. Kozlowski (Eds.), *Multilevel theory, research, and methods in
organizations* (pp. 349–381). Jossey-Bass.
Shrout, P. E., & Fleiss, J. L. (1979). Intraclass correlations: uses in assessing rater
reliability. *Psychological Bulletin*, 86, 420–428.

Examples
--------
>>> import pandas as pd
>>> d = pd.DataFrame({"team": list("aaabbbccc"), "score": [1, 2, 1, 4, 5, 4, 3, 3, 2]})
>>> r = group_icc(d, group="team", value="score")
>>> round(r.icc1, 3), round(r.icc2, 3), r.n_groups, r.n
(0.866, 0.951, 3, 9)
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from analysis.stats.checks import require_columns
from analysis.stats.results import Result


@dataclass(frozen=True)
class GroupICC(Result):
    """One-way random-effects ICCs of groups (:func:`group_icc`): ``icc1``, ``icc2``, the ANOVA
    (``msb``, ``msw``, ``df_between``, ``df_within``, ``f``, ``p``), ``k`` (mean group size),
    ``n`` persons with a value and ``n_groups``."""

    icc1: float
    icc2: float
    msb: float
    msw: float
    df_between: int
    df_within: int
    f: float
    p: float
    k: float
    n: int
    n_groups: int


def group_icc(data: pd.DataFrame, *, group: str, value: str) -> GroupICC:
    """ICC(1) and ICC(2) of ``value`` by ``group`` (formulas in the module docstring).

    Parameters
    ----------
    data : DataFrame
        One row per person: the group and the value; rows without either are left out.
    group, value : str
        Column names.

    Returns
    -------
    GroupICC

    Examples
    --------
    >>> d = pd.DataFrame({"g": ["x", "x", "y", "y", "y"], "v": [1.0, 2.0, 2.0, 3.0, 4.0]})
    >>> round(group_icc(d, group="g", value="v").icc1, 4)
    0.4726
    """
    require_columns(data, [group, value], "group_icc")
    numbers = pd.to_numeric(data[value], errors="coerce")
    keep = numbers.notna() & data[group].notna()
    g, v = data.loc[keep, group].astype(str).to_numpy(), numbers[keep].to_numpy(float)
    codes, labels = pd.factorize(g)
    n, j = len(v), len(labels)
    if j < 2 or n - j < 1:
        raise ValueError(f"group_icc: need at least 2 groups and more persons than groups; got {j} group(s) "
                         f"and {n} person(s) with a value")
    sizes = np.bincount(codes)
    means = np.bincount(codes, weights=v) / sizes
    ssb = float(np.sum(sizes * (means - v.mean()) ** 2))
    ssw = float(np.sum((v - means[codes]) ** 2))
    msb, msw = ssb / (j - 1), ssw / (n - j)
    k = n / j
    f = msb / msw if msw > 0 else float("inf")
    p = float(stats.f.sf(f, j - 1, n - j)) if np.isfinite(f) else 0.0
    icc1 = (msb - msw) / (msb + (k - 1) * msw)
    icc2 = (msb - msw) / msb if msb > 0 else float("nan")
    return GroupICC(icc1=float(icc1), icc2=float(icc2), msb=msb, msw=msw, df_between=j - 1, df_within=n - j,
                    f=float(f), p=p, k=float(k), n=n, n_groups=j)
