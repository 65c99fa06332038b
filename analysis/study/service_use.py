"""Service use six months before vs six months after the welfare plan, by service type.

The design follows the Oulu pilot's evaluation: for every client the number of visits per
service type in the six months before and the six months after the plan; the report compares
the totals and the mean visits per client, service by service and over all services.

Method, chosen for paired count data
------------------------------------
* **Test.** Wilcoxon signed-rank test of after − before per client, zero differences
  dropped. As in R's ``wilcox.test``, the exact distribution is used only when there are
  fewer than 50 pairs and no zero or tied differences; otherwise the normal approximation
  with the tie correction and without continuity correction (as SPSS; in R
  ``wilcox.test(after, before, paired = TRUE, exact = FALSE, correct = FALSE)``). Visit
  counts are small integers with many zero and tied differences, so the exact **sign test**
  (two-sided binomial test of the number of increases among the non-zero differences) is also
  given: it uses only the direction of change and stays valid for any discrete data. A
  Poisson or negative-binomial GLM with a client random or fixed effect would model the same
  contrast but is more machinery than a before/after comparison of ~30 clients needs.
* **Effect sizes.** The rate ratio RR = Σ after / Σ before (the ratio of mean visits per
  client), with a cluster-bootstrap percentile interval: clients are resampled with
  replacement (all their services and both periods together, so the pairing and the
  correlation between services are kept) and the ratio of the resampled totals is taken
  (a resample with no visits before has an infinite ratio and is kept; one with no visits
  in either period has no ratio and is left out of the percentiles).
  The matched-pairs rank-biserial correlation (Kerby 2014) r = (T⁺ − T⁻)/(T⁺ + T⁻), with
  T± the rank sums of the positive/negative differences (zeros dropped, as in the test),
  runs from −1 (everyone fewer visits) to +1 (everyone more visits).

Own code: scipy gives the tests, but no library gives per-service tables with totals, rate
ratios with a client-level bootstrap and rank-biserial correlations. Checked in
``tests/test_service_use.py`` against scipy, pingouin, a hand-computed tie-corrected normal
approximation and the delta-method interval of a ratio of paired means.

Examples
--------
>>> import pandas as pd
>>> long = pd.DataFrame({"respondent_id": ["a", "a", "b", "b"], "period": ["before", "after"] * 2,
...                      "service_type": "nurse", "visits": [4, 2, 2, 1]})
>>> t = service_use_change(long, n_boot=200, seed=1)
>>> t.loc[0, "service_type"], int(t.loc[0, "total_before"]), int(t.loc[0, "total_after"])
('nurse', 6, 3)
>>> float(t.loc[0, "rate_ratio"])
0.5
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from analysis.stats.effsize import rank_biserial

PERIODS = ("before", "after")
TOTAL = "all_services"
COLUMNS = ["service_type", "n", "total_before", "total_after", "mean_before", "sd_before",
           "mean_after", "sd_after", "rate_ratio", "rr_ci_low", "rr_ci_high", "p_wilcoxon",
           "p_sign", "rank_biserial"]


def _check(data: pd.DataFrame) -> pd.DataFrame:
    """Problems of a service-use table, all in one error; returns visits as a wide frame."""
    needed = ["respondent_id", "period", "service_type", "visits"]
    missing = [c for c in needed if c not in data.columns]
    if missing:
        raise KeyError(f"service-use data lack column(s) {missing}; expected {needed}")
    problems = []
    bad_period = ~data["period"].isin(PERIODS)
    problems += [f"row {r}, column 'period': value {v!r}, expected 'before' or 'after'"
                 for r, v in data.loc[bad_period, "period"].items()]
    visits = pd.to_numeric(data["visits"], errors="coerce").astype(float)
    bad_visits = visits.isna() | (visits < 0) | (visits % 1 != 0)
    problems += [f"row {r}, column 'visits': value {v!r}, expected a whole number ≥ 0"
                 for r, v in data.loc[bad_visits, "visits"].items()]
    key = ["respondent_id", "service_type", "period"]
    dup = data.duplicated(key, keep=False)
    problems += [f"row {r}: respondent {i!r}, service {s!r}, period {p!r} occurs more than once"
                 for r, (i, s, p) in data.loc[dup, key].iterrows()]
    if problems:
        raise ValueError("service-use data: " + "; ".join(problems))
    wide = (data.assign(visits=visits)
            .pivot(index=["respondent_id", "service_type"], columns="period", values="visits")
            .reindex(columns=list(PERIODS)))
    unpaired = wide[wide.isna().any(axis=1)]
    if len(unpaired):
        listed = [f"respondent {i!r}, service {s!r} has no {'/'.join(p for p in PERIODS if pd.isna(row[p]))!r} row"
                  for (i, s), row in unpaired.iterrows()]
        raise ValueError("service-use data: every client needs a before and an after row per service "
                         "(0 visits is a row with visits 0): " + "; ".join(listed))
    return wide




def _paired_tests(before: np.ndarray, after: np.ndarray) -> tuple[float, float, float]:
    d = after - before
    up, down = int((d > 0).sum()), int((d < 0).sum())
    if up + down == 0:
        return float("nan"), float("nan"), float("nan")
    nonzero = np.abs(d[d != 0])
    exact = len(nonzero) < 50 and up + down == len(d) and len(np.unique(nonzero)) == len(nonzero)
    p_w = float(stats.wilcoxon(after, before, method="exact" if exact else "asymptotic").pvalue)
    p_s = float(stats.binomtest(up, up + down, 0.5).pvalue)
    return p_w, p_s, rank_biserial(before, after)


def service_use_change(data: pd.DataFrame, *, ci: float = 0.95, n_boot: int = 2000,
                       seed: int = 2026) -> pd.DataFrame:
    """Visits before vs after the plan per service type and over all services.

    Parameters
    ----------
    data : DataFrame
        Long service-use data (``service_use.csv``): ``respondent_id``, ``period``
        (``before``/``after``), ``service_type``, ``visits`` — one row per client × period ×
        service. A missing combination is an error (a client with no visits has a 0 row).
    ci : float
        Level of the rate-ratio interval.
    n_boot : int
        Cluster-bootstrap resamples of clients.
    seed : int
        Seed of the bootstrap.

    Returns
    -------
    DataFrame
        One row per service type (in order of first appearance) and a last row
        ``all_services`` (each client's visits summed over services): ``n`` clients,
        ``total_before``, ``total_after``, ``mean_before``, ``sd_before``, ``mean_after``,
        ``sd_after`` (visits per client, SD with n − 1), ``rate_ratio`` = total_after /
        total_before with the percentile bootstrap interval ``rr_ci_low``, ``rr_ci_high``,
        ``p_wilcoxon`` (signed-rank), ``p_sign`` (exact sign test) and ``rank_biserial``.
        Tests and effect sizes are missing when every difference is zero.
    """
    wide = _check(data)
    services = list(pd.unique(data["service_type"]))
    before = wide["before"].unstack("service_type").reindex(columns=services)
    after = wide["after"].unstack("service_type").reindex(columns=services)
    before[TOTAL], after[TOTAL] = before.sum(axis=1), after.sum(axis=1)
    b, a = before.to_numpy(), after.to_numpy()
    n = len(b)
    rng = np.random.default_rng(seed)
    weights = rng.multinomial(n, np.full(n, 1 / n), size=n_boot)
    lo, hi = np.full(b.shape[1], np.nan), np.full(b.shape[1], np.nan)
    ok = b.sum(axis=0) > 0
    if ok.any():
        with np.errstate(divide="ignore", invalid="ignore"):
            boot = (weights @ a[:, ok]) / (weights @ b[:, ok])
        lo[ok], hi[ok] = np.nanquantile(boot, [(1 - ci) / 2, (1 + ci) / 2], axis=0)
    rows = []
    for j, service in enumerate(before.columns):
        tb, ta = int(b[:, j].sum()), int(a[:, j].sum())
        p_w, p_s, rbc = _paired_tests(b[:, j], a[:, j])
        rows.append({"service_type": service, "n": n, "total_before": tb, "total_after": ta,
                     "mean_before": b[:, j].mean(), "sd_before": b[:, j].std(ddof=1),
                     "mean_after": a[:, j].mean(), "sd_after": a[:, j].std(ddof=1),
                     "rate_ratio": ta / tb if tb else float("nan"),
                     "rr_ci_low": lo[j], "rr_ci_high": hi[j],
                     "p_wilcoxon": p_w, "p_sign": p_s, "rank_biserial": rbc})
    return pd.DataFrame(rows, columns=COLUMNS)


def chart_means(table: pd.DataFrame) -> pd.DataFrame:
    """Mean visits per client by service (``all_services`` left out) for
    :func:`analysis.report.figures.service_use_chart`: index service type, columns ``before``, ``after``.

    Examples
    --------
    >>> t = pd.DataFrame({"service_type": ["nurse", "all_services"], "mean_before": [2.0, 2.0],
    ...                   "mean_after": [1.0, 1.0]})
    >>> chart_means(t).loc["nurse"].tolist()
    [2.0, 1.0]
    """
    rows = table[table["service_type"] != TOTAL]
    return pd.DataFrame({"before": rows["mean_before"].to_numpy(float),
                         "after": rows["mean_after"].to_numpy(float)},
                        index=pd.Index(rows["service_type"], name="service_type"))
