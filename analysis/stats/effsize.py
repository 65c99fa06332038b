"""Effect sizes, their intervals, and multiplicity correction: one home for all of them.

* :func:`hedges_g` — two independent groups, pooled SD, Hedges & Olkin (1985) interval;
* :func:`g_av` — paired change relative to the average SD of the two readings
  (Cumming 2012 d_av with Hedges' correction; Lakens 2013);
* :func:`rank_biserial` — matched-pairs rank-biserial correlation (Kerby 2014);
* :func:`auc` — area under the ROC curve with the DeLong et al. (1988) interval (the default
  of R's ``pROC::ci.auc``);
* :func:`correlation_ci` — Fisher-z interval of a Pearson or Spearman correlation
  (Bonett & Wright 2000 for Spearman);
* :func:`holm` — Holm (1979) step-down adjusted p-values.

Own code: each is a few vectorised lines, and no single library gives all of them with the
interval each field expects (scipy has none of the intervals; pingouin's ``compute_effsize``
has no Hedges–Olkin interval for g nor DeLong for AUC). Each is checked against pingouin,
statsmodels or a hand computation in ``tests/test_effsize.py``.

Examples
--------
>>> g = hedges_g([3, 4, 5, 6], [1, 2, 3, 4])
>>> round(g.estimate, 3), round(g.ci_low, 3), round(g.ci_high, 3)
(1.347, -0.188, 2.882)
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
from scipy import stats

from analysis.stats.results import Result

#: Correlation coefficients :func:`correlation_ci` gives intervals for.
CorrelationMethod = Literal["spearman", "pearson"]
CORRELATION_METHODS: tuple[CorrelationMethod, ...] = ("spearman", "pearson")


@dataclass(frozen=True)
class EffectSize(Result):
    """An effect size with its confidence interval (``ci`` is the level, e.g. 0.95)."""

    name: str
    estimate: float
    ci_low: float
    ci_high: float
    ci: float
    n: int


def _z(ci: float) -> float:
    if not 0 < ci < 1:
        raise ValueError(f"ci must be a level between 0 and 1, e.g. 0.95; got {ci!r}")
    return float(stats.norm.ppf(0.5 + ci / 2))


def _values(x: npt.ArrayLike) -> npt.NDArray[np.float64]:
    a = np.asarray(x, float)
    return a[~np.isnan(a)]


def hedges_g(x: npt.ArrayLike, y: npt.ArrayLike, ci: float = 0.95) -> EffectSize:
    """Hedges' g of ``x − y`` with pooled SD and its Hedges & Olkin (1985) interval.

    ``d = (x̄ − ȳ)/s_p`` with ``s_p² = ((n₁−1)s₁² + (n₂−1)s₂²)/(n₁+n₂−2)``;
    ``g = J d`` with ``J = 1 − 3/(4(n₁+n₂) − 9)``; ``SE = √((n₁+n₂)/(n₁n₂) + g²/(2(n₁+n₂)))``;
    interval ``g ± z SE``. Missing values are ignored; fewer than two values in a group give NaN.

    Examples
    --------
    >>> round(hedges_g([3, 4, 5, 6], [1, 2, 3, 4]).estimate, 3)
    1.347
    """
    a, b = _values(x), _values(y)
    n1, n2 = len(a), len(b)
    q = _z(ci)
    if n1 < 2 or n2 < 2:
        return EffectSize("hedges_g", np.nan, np.nan, np.nan, ci, n1 + n2)
    sp = np.sqrt(((n1 - 1) * a.var(ddof=1) + (n2 - 1) * b.var(ddof=1)) / (n1 + n2 - 2))
    g = (1 - 3 / (4 * (n1 + n2) - 9)) * (a.mean() - b.mean()) / sp if sp > 0 else np.nan
    se = np.sqrt((n1 + n2) / (n1 * n2) + g ** 2 / (2 * (n1 + n2)))
    return EffectSize("hedges_g", float(g), float(g - q * se), float(g + q * se), ci, n1 + n2)


def g_av(pre: npt.ArrayLike, post: npt.ArrayLike) -> float:
    """Paired change ``post − pre`` in units of the average SD: ``J · Δ̄ / ((SD_pre + SD_post)/2)``.

    Complete pairs only; ``J = 1 − 3/(4 df − 1)``, ``df = n − 1`` (Cumming 2012; Lakens 2013).

    Examples
    --------
    >>> round(g_av([4, 5, 6, 3], [6, 6, 7, 5]), 3)
    1.035
    """
    x, y = np.asarray(pre, float), np.asarray(post, float)
    ok = ~np.isnan(x) & ~np.isnan(y)
    x, y = x[ok], y[ok]
    n = len(x)
    if n < 2:
        return float("nan")
    sd_av = (x.std(ddof=1) + y.std(ddof=1)) / 2
    return float((1 - 3 / (4 * (n - 1) - 1)) * (y - x).mean() / sd_av) if sd_av > 0 else float("nan")


def rank_biserial(before: npt.ArrayLike, after: npt.ArrayLike) -> float:
    """Matched-pairs rank-biserial correlation of ``after − before`` (Kerby 2014), zeros dropped.

    ``r = (T⁺ − T⁻) / (T⁺ + T⁻)`` with average ranks of ``|d|`` over the non-zero differences;
    NaN when every difference is zero.

    Examples
    --------
    >>> rank_biserial([3, 3, 3], [1, 4, 3])
    -0.3333333333333333
    """
    d = np.asarray(after, float) - np.asarray(before, float)
    d = d[(d != 0) & ~np.isnan(d)]
    if not len(d):
        return float("nan")
    ranks = stats.rankdata(np.abs(d))
    return float((ranks[d > 0].sum() - ranks[d < 0].sum()) / ranks.sum())


def auc(positive: npt.ArrayLike, negative: npt.ArrayLike, ci: float = 0.95) -> EffectSize:
    """Area under the ROC curve, ``P(X_pos > X_neg) + ½ P(tie)``, with DeLong's interval.

    DeLong, DeLong & Clarke-Pearson (1988): placement values ``V₁₀(xᵢ)`` (share of negatives
    below ``xᵢ``, ties ½) and ``V₀₁(yⱼ)``; ``Var = s²₁₀/m + s²₀₁/n``; interval ``AUC ± z √Var``
    clipped to [0, 1] (as ``pROC::ci.auc(method = "delong")``). Missing values are ignored.

    Examples
    --------
    >>> round(auc([3, 4, 5], [1, 2, 3]).estimate, 4)
    0.9444
    """
    pos, neg = _values(positive), _values(negative)
    m, n = len(pos), len(neg)
    q = _z(ci)
    if not m or not n:
        return EffectSize("auc", np.nan, np.nan, np.nan, ci, m + n)
    psi = (pos[:, None] > neg[None, :]) + 0.5 * (pos[:, None] == neg[None, :])
    est = float(psi.mean())
    if m < 2 or n < 2:
        return EffectSize("auc", est, np.nan, np.nan, ci, m + n)
    var = psi.mean(axis=1).var(ddof=1) / m + psi.mean(axis=0).var(ddof=1) / n
    half = q * np.sqrt(var)
    return EffectSize("auc", est, float(max(0.0, est - half)), float(min(1.0, est + half)), ci, m + n)


def correlation_ci(r: float, n: int, method: CorrelationMethod = "spearman",
                   ci: float = 0.95) -> EffectSize:
    """Fisher-z confidence interval of a correlation ``r`` from ``n`` pairs.

    SE on the z scale: ``1/√(n−3)`` for Pearson; for Spearman the Bonett & Wright (2000)
    ``√((1 + r²/2)/(n−3))``, which keeps the nominal coverage that the Pearson SE loses for
    rank correlations. NaN interval for ``n ≤ 3`` or a missing ``r``.

    Examples
    --------
    >>> res = correlation_ci(0.5, 103, "pearson")
    >>> round(res.ci_low, 3), round(res.ci_high, 3)
    (0.339, 0.632)
    """
    if method not in CORRELATION_METHODS:
        raise ValueError(f"method must be 'spearman' or 'pearson', got {method!r}")
    q = _z(ci)
    if n <= 3 or not np.isfinite(r):
        return EffectSize(method, float(r), np.nan, np.nan, ci, int(n))
    se = np.sqrt((1 + r ** 2 / 2) / (n - 3)) if method == "spearman" else 1 / np.sqrt(n - 3)
    z = np.arctanh(np.clip(r, -0.999999999, 0.999999999))
    return EffectSize(method, float(r), float(np.tanh(z - q * se)), float(np.tanh(z + q * se)), ci, int(n))


def holm(p: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """Holm (1979) step-down adjusted p-values (missing p stay missing).

    Examples
    --------
    >>> holm([0.01, 0.04, 0.03]).round(2).tolist()
    [0.03, 0.06, 0.06]
    """
    values = np.asarray(p, float)
    out = np.full_like(values, np.nan)
    ok = ~np.isnan(values)
    q = values[ok]
    m = len(q)
    order = np.argsort(q, kind="stable")
    adj = np.minimum(1, np.maximum.accumulate((m - np.arange(m)) * q[order]))
    res = np.empty(m)
    res[order] = adj
    out[ok] = res
    return out
