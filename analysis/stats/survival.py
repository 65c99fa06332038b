"""Kaplan–Meier summaries of times to an event with right censoring (R ``survival::survfit``).

A time to an event (days from a client's referral to the plan) is *censored* when the event
has not happened by the end of follow-up (the client was still waiting on the extract date):
the time is then only known to be longer. The Kaplan–Meier estimate uses such times as far as
they go; a median of the observed times alone would be too short.

What is computed, and where it comes from
-----------------------------------------
* The Kaplan–Meier survivor function ``S(t)`` and its Greenwood standard error come from
  :class:`statsmodels.duration.survfunc.SurvfuncRight` (a runtime dependency).
* Confidence limits of ``S(t)`` are R's default ``conf.type = "log"``:
  ``S·exp(±z·se(log S))`` with ``se(log S) = se(S)/S`` (upper limit capped at 1; missing
  where ``S = 0``), as ``survfit``.
* Quantiles (25 %, 50 %, 75 % of the clients reaching the event) and their limits follow
  ``quantile.survfit`` (survival 3.x): the quantile ``p`` is the first time the curve
  ``1 − S`` reaches ``p``; where ``1 − S`` equals ``p`` (within ``√eps``) over a stretch, the
  midpoint of the stretch is taken, and when that happens at the last event, the midpoint
  between it and the last follow-up time. The limits are the same rule applied to the lower
  and upper confidence curves. A quantile the curve never reaches is missing (NaN), as R's
  ``NA``.

Own code for the quantiles: statsmodels' ``SurvfuncRight.quantile`` uses a strict inequality
(``S < 1 − p``: no midpoint rule) and ``quantile_ci`` inverts a pointwise test (Brookmeyer and
Crowley, as SAS), so neither equals R's ``quantile.survfit`` that evaluators compare with.
Checked in ``tests/test_process.py`` against ``tests/fixtures/r/process.json`` (made by
``tests/r/process.R``): ties, day-0 events, a flat stretch at exactly 0.5, heavy censoring,
a curve falling to 0 and the last-point rule.

References
----------
Kaplan, E. L., & Meier, P. (1958). Nonparametric estimation from incomplete observations.
*JASA*, 53, 457–481. Therneau, T. M. (2023). *survival: A Package for Survival Analysis in
R*, version 3.5 (``survfit``, ``quantile.survfit``).

Examples
--------
>>> import pandas as pd
>>> d = pd.DataFrame({"days": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], "reached": True})
>>> km = kaplan_meier(d, time="days", event="reached")
>>> km.n, km.n_events, float(km.median)
(10, 10, 5.5)
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
import pandas as pd
from scipy.stats import norm

from analysis.stats.checks import require_columns
from analysis.stats.results import Result

#: Tolerance of the quantile rule (R: ``sqrt(.Machine$double.eps)``).
_TOL = float(np.sqrt(np.finfo(float).eps))
PROBS = (0.25, 0.5, 0.75)


def _findq(x: np.ndarray, y: np.ndarray, p: float, xmax: float) -> float:
    """``survival:::findq`` for one probability: the first ``x`` where the non-decreasing ``y``
    (``1 − S``, starting at 0; NaN where a confidence curve is undefined) reaches ``p``, with
    R's midpoint and last-point rules."""
    if np.isnan(y).all() or np.nanmax(y) < p:
        return float("nan")
    first = ~pd.Series(y).duplicated().to_numpy()     # R's duplicated(y): NaN equals NaN
    x, y = x[first], y[first]
    known = ~np.isnan(y)

    def index(shifted: np.ndarray) -> int | None:
        # approx(shifted, 1:n, p, method = "constant", f = 1): NA pairs left out; the first knot
        # at or above p; missing outside the knots' range
        knots, positions = shifted[known], np.flatnonzero(known)
        if p < knots[0] or p > knots[-1]:
            return None
        return int(positions[np.searchsorted(knots, p, side="left")])

    if p == 0:
        return float(x[0])
    i1, i2 = index(y + _TOL), index(y - _TOL)
    if i1 is None:
        return float("nan")
    if not np.isnan(y[-1]) and abs(p - y[-1]) < _TOL:
        return float((x[i1] + xmax) / 2)
    if i2 is None:
        return float("nan")
    return float((x[i1] + x[i2]) / 2)


@dataclass(frozen=True)
class KaplanMeier(Result):
    """A Kaplan–Meier estimate (:func:`kaplan_meier`).

    ``curve``: one row per distinct event time — ``time, n_risk, n_events, surv, se, surv_low,
    surv_high`` (``se`` the Greenwood standard error of ``surv``; limits with R's log
    transform). ``quantiles``: ``prob, time, ci_low, ci_high`` (the time by which ``prob`` of
    the persons have had the event). ``n`` persons, ``n_events``, ``n_censored``,
    ``last_time`` (the longest follow-up), ``median`` and ``ci`` (the level).
    """

    curve: pd.DataFrame
    quantiles: pd.DataFrame
    n: int
    n_events: int
    n_censored: int
    last_time: float
    median: float
    ci: float

    def to_frame(self) -> pd.DataFrame:
        return self.quantiles.copy()

    def at(self, times: Sequence[float]) -> pd.DataFrame:
        """The estimate at ``times`` (a step function, right-continuous): ``time, surv,
        surv_low, surv_high``; missing after the last follow-up time.

        Examples
        --------
        >>> d = pd.DataFrame({"t": [2, 4, 6], "e": [1, 1, 0]})
        >>> kaplan_meier(d, time="t", event="e").at([0, 2, 5])["surv"].round(3).tolist()
        [1.0, 0.667, 0.333]
        """
        when = np.asarray(times, float)
        idx = np.searchsorted(self.curve["time"].to_numpy(float), when, side="right") - 1
        out = {"time": when}
        for col in ("surv", "surv_low", "surv_high"):
            values = self.curve[col].to_numpy(float)
            step = np.where(idx >= 0, values[np.clip(idx, 0, None)] if len(values) else np.nan, 1.0)
            out[col] = np.where(when > self.last_time, np.nan, step)
        return pd.DataFrame(out)


def kaplan_meier(data: pd.DataFrame, *, time: str = "time", event: str = "event", ci: float = 0.95,
                 probs: Sequence[float] = PROBS) -> KaplanMeier:
    """Kaplan–Meier estimate with R's log-transformed limits and ``quantile.survfit`` quantiles.

    Parameters
    ----------
    data : DataFrame
        One row per person: ``time`` ≥ 0 (follow-up until the event or censoring) and
        ``event`` (true/1: the event happened at ``time``; false/0: censored then).
    time, event : str
        Column names.
    ci : float
        Confidence level of the limits (R's ``conf.int``, default 0.95).
    probs : sequence of float
        Probabilities of the quantiles (default the quartiles and the median).

    Returns
    -------
    KaplanMeier

    Examples
    --------
    >>> d = pd.DataFrame({"t": [1, 5], "e": [1, 0]})
    >>> km = kaplan_meier(d, time="t", event="e")
    >>> km.quantiles["time"].tolist()           # the last-point rule: (1 + 5) / 2
    [1.0, 3.0, nan]
    """
    from statsmodels.duration.survfunc import SurvfuncRight

    require_columns(data, [time, event], "kaplan_meier")
    if not 0 < ci < 1:
        raise ValueError(f"kaplan_meier: ci must be between 0 and 1, got {ci!r}")
    t = pd.to_numeric(data[time], errors="coerce").to_numpy(float)
    e = data[event].map(lambda v: bool(v) if not pd.isna(v) else np.nan).to_numpy(float)
    bad = np.isnan(t) | np.isnan(e) | (t < 0)
    if bad.any():
        raise ValueError(f"kaplan_meier: row(s) {data.index[bad][:20].tolist()} need a time ≥ 0 and an event "
                         "indicator (true/false)")
    if not len(t):
        raise ValueError("kaplan_meier: no persons")
    n_events = int(e.sum())
    last = float(t.max())
    if n_events:
        sf = SurvfuncRight(t, e)
        surv = np.asarray(sf.surv_prob, float)
        se = np.asarray(sf.surv_prob_se, float)
        times = np.asarray(sf.surv_times, float)
        n_risk, d = np.asarray(sf.n_risk, float), np.asarray(sf.n_events, float)
    else:
        surv = se = times = n_risk = d = np.array([], float)
    z = norm.ppf(1 - (1 - ci) / 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        se_log = np.where(surv > 0, se / surv, np.nan)
        low = np.where(surv > 0, surv * np.exp(-z * se_log), np.nan)
        high = np.where(surv > 0, np.minimum(1.0, surv * np.exp(z * se_log)), np.nan)
    curve = pd.DataFrame({"time": times, "n_risk": n_risk.astype(np.int64), "n_events": d.astype(np.int64),
                          "surv": surv, "se": se, "surv_low": low, "surv_high": high})
    x = np.concatenate(([0.0], times))
    rows = []
    for p in probs:
        q = [_findq(x, np.concatenate(([0.0], 1 - s)), float(p), last) for s in (surv, low, high)]
        rows.append({"prob": float(p), "time": q[0], "ci_low": q[1], "ci_high": q[2]})
    quantiles = pd.DataFrame(rows, columns=["prob", "time", "ci_low", "ci_high"])
    median = float(quantiles.loc[quantiles["prob"] == 0.5, "time"].iloc[0]) if 0.5 in list(probs) else float("nan")
    return KaplanMeier(curve=curve, quantiles=quantiles, n=len(t), n_events=n_events, n_censored=len(t) - n_events,
                       last_time=last, median=median, ci=ci)
