"""Concentration of use: Lorenz curve, Gini coefficient and the share of the top users.

Clients who use many services are few but account for much of the use; these three summaries
say how concentrated a non-negative amount (visits, costs) is over persons.

* **Lorenz curve** ``L(p)``: the share of the total held by the ``p`` share of persons with the
  least, persons sorted by their amount; ``(0, 0)`` to ``(1, 1)``, linear between persons
  (``L(i/n) = Σ_{j≤i} x_(j) / Σ x``). The diagonal means equal use.
* **Gini coefficient** ``G = Σ_i Σ_j |x_i − x_j| / (2 n² x̄)``, equivalently
  ``G = 2 Σ_i i·x_(i) / (n Σ x) − (n + 1)/n`` with ``x_(i)`` sorted ascending: twice the area
  between the diagonal and the Lorenz curve; 0 = everyone the same, → 1 = one person has all.
  This is R ``ineq::Gini(x)`` with its default ``corr = FALSE``: **without** the small-sample
  correction ``n/(n − 1)`` (``gini(..., corrected=True)`` applies it, as ``corr = TRUE``).
* **Top share** ``top_share(x, p)``: the share of the total held by the ``k = ⌈p·n⌉`` persons
  with the most (whole persons; which of tied persons are taken does not change the sum).

Own code: a few lines of numpy; no library computes these for a pandas column and a dask
DataFrame alike, and the formulas are stated here so that the report can print them. Checked
in ``tests/test_process.py`` against ``tests/fixtures/r/process.json`` (ineq's formula and
sorted cumulative sums in R) and a pairwise-difference hand computation.

Examples
--------
>>> import pandas as pd
>>> x = pd.Series([1, 1, 2, 3, 5, 8, 13, 40])
>>> round(gini(x), 4), round(top_share(x, 0.2).share, 4), top_share(x, 0.2).k
(0.6045, 0.726, 2)
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.stats.results import Result


def _values(x, what: str) -> np.ndarray:
    values = pd.to_numeric(pd.Series(np.asarray(x).ravel()), errors="coerce").to_numpy(float)
    bad = np.isnan(values) | (values < 0)
    if bad.any():
        raise ValueError(f"{what}: amounts must be numbers ≥ 0; position(s) {np.flatnonzero(bad)[:20].tolist()} "
                         "are not")
    if not len(values):
        raise ValueError(f"{what}: no persons")
    if values.sum() <= 0:
        raise ValueError(f"{what}: the total is 0; concentration is not defined")
    return np.sort(values)


def lorenz(x, points=None) -> pd.DataFrame:
    """Lorenz curve of the amounts ``x``.

    Parameters
    ----------
    x : array-like of numbers ≥ 0
        One amount per person (e.g. visits in the window).
    points : array-like of float in [0, 1], optional
        Person shares at which to give the curve (linear between persons); default every person:
        ``0, 1/n, …, 1``.

    Returns
    -------
    DataFrame
        ``persons`` (share of persons, ascending by amount) and ``amount`` (their share of the
        total).

    Examples
    --------
    >>> lorenz([1, 3]).values.tolist()
    [[0.0, 0.0], [0.5, 0.25], [1.0, 1.0]]
    >>> lorenz([1, 3], points=[0.25]).values.tolist()
    [[0.25, 0.125]]
    """
    s = _values(x, "lorenz")
    n = len(s)
    grid_p = np.arange(n + 1) / n
    grid_l = np.concatenate(([0.0], np.cumsum(s) / s.sum()))
    if points is None:
        return pd.DataFrame({"persons": grid_p, "amount": grid_l})
    p = np.asarray(points, float)
    if ((p < 0) | (p > 1)).any():
        raise ValueError("lorenz: points must lie in [0, 1]")
    return pd.DataFrame({"persons": p, "amount": np.interp(p, grid_p, grid_l)})


def gini(x, *, corrected: bool = False) -> float:
    """Gini coefficient of the amounts ``x`` (formula in the module docstring).

    ``corrected=False`` (default) is R ``ineq::Gini(x)``; ``True`` multiplies by ``n/(n − 1)``
    (``ineq::Gini(x, corr = TRUE)``).

    Examples
    --------
    >>> gini([4, 4, 4]), gini([0, 0, 0, 12]), round(gini([0, 0, 0, 12], corrected=True), 6)
    (0.0, 0.75, 1.0)
    """
    s = _values(x, "gini")
    n = len(s)
    g = 2 * float(np.sum(np.arange(1, n + 1) * s)) / (n * s.sum()) - (n + 1) / n
    g = 0.0 if abs(g) < 1e-15 else g
    return float(g * n / (n - 1) if corrected and n > 1 else g)


@dataclass(frozen=True)
class TopShare(Result):
    """The share of the total held by the top ``p`` of persons: ``k = ⌈p·n⌉`` persons of ``n``
    hold ``amount`` of ``total`` (``share = amount / total``)."""

    p: float
    k: int
    n: int
    amount: float
    total: float
    share: float


def top_share(x, p: float) -> TopShare:
    """Share of the total of the ``⌈p·n⌉`` persons with the largest amounts.

    Examples
    --------
    >>> t = top_share([5, 1, 1, 1, 2], 0.2)
    >>> t.k, t.share
    (1, 0.5)
    """
    if not 0 < p <= 1:
        raise ValueError(f"top_share: p must be in (0, 1], got {p!r}")
    s = _values(x, "top_share")
    n = len(s)
    k = int(np.ceil(round(p * n, 9)))
    amount = float(s[n - k:].sum())
    return TopShare(p=float(p), k=k, n=n, amount=amount, total=float(s.sum()), share=amount / float(s.sum()))
