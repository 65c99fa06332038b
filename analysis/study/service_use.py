"""Service use six months before vs six months after the welfare plan, by service type.

The design follows the Oulu pilot's evaluation: for every client the number of visits per
service type in the six months before and the six months after the plan; the report compares
the totals and the mean visits per client who used the service, service by service and over all services.

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

From visits to counts
---------------------
A register extract has one row per visit (dataset ``service-visits``) and each client's plan
date (dataset ``plan-dates``). :func:`visit_windows` counts the visits per client × service ×
window and gives the counted table that :func:`service_use_change` takes (dataset
``service-use``), so both paths give the same results on the same visits. The rules:

* **Windows** are half-open: before = [P − L, P), after = [P, P + L) for plan date P; the plan
  day belongs to *after*. With ``unit="days"`` L is ``length`` days. With ``unit="months"``
  (default, 6) P ± L is the same day of the month ``length`` calendar months earlier/later,
  or that month's last day when the day does not exist (``pandas.DateOffset(months=…)``, as
  R's ``%m+%`` in lubridate, ``dateutil.relativedelta``, SQL ``ADD_MONTHS`` for non-month-end
  days): plan 31 Aug 2023 → before from 28 Feb 2023, after until 29 Feb 2024 (exclusive).
  Visit and plan dates are compared as calendar days (any time of day is dropped).
* **Extract date**: the last day the extract covers, given by the user or else taken as the
  date of the last visit in the file (``extract_date_source`` says which). A client's after
  window is complete when its last day, P + L − 1 day, is on or before the extract date.
  Clients with an incomplete after window are excluded from the counts by default
  (``incomplete="exclude"``), listed in ``clients`` and counted in ``n_incomplete``.
* **Accounting**: every visit read is exactly one of counted (in a window of an included
  client), in a window of an excluded client, outside both windows, or of a client without
  a plan date; the four numbers add up to ``visits_read``.
* **Service types** are the categories found in the file (sorted), or ``services`` in the
  order given. No fixed list. Files read by :func:`analysis.intake.readers.load_table` already
  have one spelling per service (``foldCase`` in the schema: ``Lääkäri`` and ``lääkäri`` are one
  service, written as most rows spell it; the intake notes list each merge).

The counting is a partition-local summary (visits and last visit date per client × service ×
window) plus a merge that adds the summaries, so a ``dask.dataframe`` of visits is counted
partition by partition (:mod:`analysis.stats.partitions`) with the same result.

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

import warnings
from dataclasses import dataclass
from typing import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from analysis.stats.checks import require_columns
from analysis.stats.effsize import rank_biserial
from analysis.stats.partitions import summaries
from analysis.stats.results import Result

PERIODS = ("before", "after")
#: Where a visit falls: the two windows, outside both, or a client without a plan date.
PLACES = (*PERIODS, "outside", "no_plan_date")
WINDOW_UNITS = ("months", "days")
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
    if len(unpaired):      # e.g. a row rejected at intake: the pair is left out, and said so by name
        listed = [f"respondent {i!r}, service {s!r} has no {'/'.join(p for p in PERIODS if pd.isna(row[p]))!r} row"
                  for (i, s), row in unpaired.iterrows()]
        warnings.warn(f"service-use data: {len(listed)} client–service pair(s) without a before and an after row "
                      "(0 visits is a row with visits 0) are left out: " + "; ".join(listed[:20])
                      + (" …" if len(listed) > 20 else ""), stacklevel=3)
    return wide.dropna()


def _days(values: pd.Series, what: str, column: str) -> np.ndarray:
    """Calendar days (datetime64[ns] at midnight); one error naming every row without a date."""
    if not pd.api.types.is_datetime64_any_dtype(values):
        values = pd.to_datetime(values, format="ISO8601", errors="coerce")
    bad = values.isna().to_numpy()
    if bad.any():
        rows = values.index[bad][:20].tolist()
        raise ValueError(f"{what}: column {column!r} needs a date (datetime or YYYY-MM-DD; load files with "
                         f"analysis.intake.readers.load_table) in every row; row(s) {rows} have none")
    return values.dt.normalize().to_numpy("datetime64[ns]")


def _require_values(data: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    require_columns(data, columns, what)
    empty = [f"column {c!r}, row(s) {data.index[data[c].isna().to_numpy()][:20].tolist()}"
             for c in columns if data[c].isna().any()]
    if empty:
        raise ValueError(f"{what}: missing values in " + "; ".join(empty))


def plan_windows(plans: pd.DataFrame, *, length: int = 6, unit: str = "months") -> pd.DataFrame:
    """Before and after windows around each client's plan date (rules in the module docstring).

    Parameters
    ----------
    plans : DataFrame
        ``respondent_id``, ``plan_date`` (dataset ``plan-dates``), one row per client.
    length, unit : int, ``"months"`` or ``"days"``
        Window length on each side of the plan date.

    Returns
    -------
    DataFrame
        ``respondent_id, plan_date, before_start, after_end``: before = [before_start,
        plan_date), after = [plan_date, after_end).

    Examples
    --------
    >>> p = pd.DataFrame({"respondent_id": ["a", "b"], "plan_date": pd.to_datetime(["2023-08-31", "2024-03-15"])})
    >>> w = plan_windows(p)
    >>> [d.date().isoformat() for d in (*w.loc[0, ["before_start", "after_end"]], *w.loc[1, ["before_start", "after_end"]])]
    ['2023-02-28', '2024-02-29', '2023-09-15', '2024-09-15']
    """
    if unit not in WINDOW_UNITS or int(length) != length or length < 1:
        raise ValueError(f"plan_windows: window of {length!r} {unit!r}; expected a whole number ≥ 1 of {WINDOW_UNITS}")
    _require_values(plans, ["respondent_id", "plan_date"], "plan dates")
    dup = plans["respondent_id"].duplicated(keep=False).to_numpy()
    if dup.any():
        raise ValueError(f"plan dates: one row per client; row(s) {plans.index[dup][:20].tolist()} repeat "
                         f"client(s) {sorted(set(plans['respondent_id'][dup]))[:20]}")
    plan = pd.Series(_days(plans["plan_date"], "plan dates", "plan_date"))
    step = pd.DateOffset(months=int(length)) if unit == "months" else pd.Timedelta(days=int(length))
    return pd.DataFrame({"respondent_id": plans["respondent_id"].to_numpy(), "plan_date": plan,
                         "before_start": plan - step, "after_end": plan + step})


def _visit_summary(visits: pd.DataFrame, windows: pd.DataFrame) -> pd.DataFrame:
    """Visits and last visit date per client × service × place (:data:`PLACES`) of one block of
    rows; visits outside the windows per service only (client missing), which keeps the summary small."""
    _require_values(visits, ["respondent_id", "visit_date", "service_type"], "service visits")
    day = _days(visits["visit_date"], "service visits", "visit_date")
    client, ids = pd.factorize(visits["respondent_id"])
    service, services = pd.factorize(visits["service_type"])
    bounds = windows.set_index("respondent_id").reindex(ids)
    start, plan, end = (bounds[c].to_numpy("datetime64[ns]")[client] for c in ("before_start", "plan_date", "after_end"))
    place = np.select([np.isnat(plan), (start <= day) & (day < plan), (plan <= day) & (day < end)], [3, 0, 1], 2)
    client = np.where(place == 2, -1, client)
    cell = ((client + 1) * len(services) + service) * len(PLACES) + place
    agg = pd.DataFrame({"cell": cell, "day": day}).groupby("cell", sort=True)["day"].agg(["size", "max"])
    rest, p = np.divmod(agg.index.to_numpy(), len(PLACES))
    c, s = np.divmod(rest, max(len(services), 1))
    return pd.DataFrame({"respondent_id": pd.array(ids).take(c - 1, allow_fill=True),
                         "service_type": pd.array(services).take(s), "place": np.asarray(PLACES, object)[p],
                         "visits": agg["size"].to_numpy(np.int64), "last_visit": agg["max"].to_numpy("datetime64[ns]")})


def _merge_summaries(parts: list[pd.DataFrame]) -> pd.DataFrame:
    table = pd.concat(parts, ignore_index=True)
    return (table.groupby(["respondent_id", "service_type", "place"], sort=False, dropna=False)
            .agg(visits=("visits", "sum"), last_visit=("last_visit", "max")).reset_index())


@dataclass(frozen=True)
class VisitWindows(Result):
    """Visits counted in the windows around the plan (:func:`visit_windows`).

    ``counts``: the service-use table of the included clients (``respondent_id, period,
    service_type, visits``, every client × period × service, zeros included) for
    :func:`service_use_change`. ``clients``: one row per client with a plan date
    (``respondent_id, plan_date, before_start, after_end, complete, included, visits_before,
    visits_after``; visits over all services). The numbers: the extract date and where it came
    from, window length and unit, clients with a plan date (complete, incomplete, included),
    clients found in the visits without a plan date, and every visit read accounted for once.
    """

    counts: pd.DataFrame
    clients: pd.DataFrame
    extract_date: pd.Timestamp
    extract_date_source: str
    length: int
    unit: str
    n_clients: int
    n_complete: int
    n_incomplete: int
    n_included: int
    n_no_plan_date: int
    visits_read: int
    visits_counted: int
    visits_excluded_clients: int
    visits_outside_windows: int
    visits_no_plan_date: int

    @property
    def extract_date_given(self) -> bool:
        """Whether the extract date was given rather than taken from the last visit in the file."""
        return self.extract_date_source != "last visit"

    def accounting(self) -> pd.DataFrame:
        """The run's accounting as a long table: ``measure, value``. Its ``attrs["disclosure"]``
        declares each row as a count of clients or a sum of visits over a group of clients, and
        how they add up (clients with a plan date = complete + incomplete windows; visits read =
        counted + of clients left out + outside the windows + of clients without a plan date),
        for the report's disclosure control (:class:`analysis.report.disclosure.TableSpec`).

        Examples
        --------
        >>> v = pd.DataFrame({"respondent_id": ["a", "a", "b"], "visit_date": pd.to_datetime(
        ...     ["2024-01-10", "2024-09-01", "2024-03-01"]), "service_type": "doctor"})
        >>> p = pd.DataFrame({"respondent_id": ["a"], "plan_date": pd.to_datetime(["2024-05-01"])})
        >>> acc = visit_windows(v, p, extract_date="2025-01-01").accounting()
        >>> acc.set_index("measure").loc[["n_clients", "visits_no_plan_date"], "value"].tolist()
        [1, 1]
        >>> acc.attrs["disclosure"]["rows"]["visits_no_plan_date"]
        'n_no_plan_date'
        """
        rows = [("extract_date", self.extract_date.date().isoformat()), ("length", self.length),
                ("n_clients", self.n_clients), ("n_complete", self.n_complete), ("n_incomplete", self.n_incomplete),
                ("n_included", self.n_included), ("n_no_plan_date", self.n_no_plan_date),
                ("visits_read", self.visits_read), ("visits_counted", self.visits_counted),
                ("visits_excluded_clients", self.visits_excluded_clients),
                ("visits_outside_windows", self.visits_outside_windows), ("visits_no_plan_date", self.visits_no_plan_date)]
        out = pd.DataFrame(rows, columns=["measure", "value"])
        counts = ["n_clients", "n_complete", "n_incomplete", "n_included", "n_no_plan_date"]
        # every client in the extract: the clients with a plan date and those without
        out.attrs["disclosure"] = {
            "measure": "measure", "counts": ["value"],
            "rows": {**{c: c for c in counts}, "n_extract": "n_extract", "visits_read": "n_extract",
                     "visits_counted": "n_included", "visits_excluded_clients": "n_incomplete",
                     "visits_outside_windows": "n_clients", "visits_no_plan_date": "n_no_plan_date"},
            "relations": [["n_clients", ["n_complete", "n_incomplete"]],
                          ["n_extract", ["n_clients", "n_no_plan_date"]],
                          ["n_included", ["n_complete", "n_incomplete"] if self.n_included > self.n_complete
                           and self.n_incomplete else ["n_complete"]],
                          ["visits_read", ["visits_counted", "visits_excluded_clients", "visits_outside_windows",
                                           "visits_no_plan_date"]]]}
        return out


def study_visits(study, population: str = "pilot") -> tuple[VisitWindows | None, pd.DataFrame]:
    """The service-use table of ``population`` for :func:`service_use_change`: counted from the
    visit extract in the windows around each client's plan when the study has an extract and
    plan dates (the :class:`VisitWindows` are returned too), else the study's pre-counted file
    (and ``None``).

    Examples
    --------
    >>> from analysis import datasets
    >>> from analysis.intake.manifest import load_study
    >>> windows, visits = study_visits(load_study(datasets.path("demo")))
    >>> windows is None, sorted(visits["period"].unique())
    (True, ['after', 'before'])
    """
    if study.has(population, dataset="service-visits") and study.has(population, dataset="plan-dates"):
        windows = visit_windows(study.table(population, "service-visits"), study.table(population, "plan-dates"))
        return windows, windows.counts
    return None, study.table(population, "service-use")


def visit_windows(visits, plans: pd.DataFrame, *, length: int = 6, unit: str = "months",
                  extract_date=None, incomplete: str = "exclude",
                  services: Sequence[str] | None = None) -> VisitWindows:
    """Visits per client × service in the windows before and after the plan date.

    Parameters
    ----------
    visits : DataFrame or dask DataFrame
        One row per visit (dataset ``service-visits``): ``respondent_id``, ``visit_date``,
        ``service_type``; other columns are ignored (filter rows first to count, e.g., one
        contact type). A dask DataFrame is summarised partition by partition.
    plans : DataFrame
        ``respondent_id``, ``plan_date`` (dataset ``plan-dates``), one row per client.
    length, unit : int, ``"months"`` or ``"days"``
        Window on each side of the plan date (default six calendar months; module docstring).
    extract_date : date-like, optional
        Last day covered by the extract; default the last visit date in the file. No visit
        may be later.
    incomplete : ``"exclude"`` or ``"include"``
        Clients whose after window ends after the extract date: left out of ``counts``
        (default) or kept (their after counts are then too low).
    services : list of str, optional
        Service types and their order; default every type in the file, sorted. A type in the
        file but not in the list is an error.

    Returns
    -------
    VisitWindows
        ``.counts`` goes to :func:`service_use_change`; ``.to_frame()`` is the accounting row.

    Examples
    --------
    >>> v = pd.DataFrame({"respondent_id": ["a", "a", "a", "b"], "service_type": "nurse",
    ...                   "visit_date": pd.to_datetime(["2024-01-10", "2024-03-01", "2024-08-31", "2024-05-01"])})
    >>> p = pd.DataFrame({"respondent_id": ["a", "b"], "plan_date": pd.to_datetime(["2024-03-01", "2024-04-01"])})
    >>> res = visit_windows(v, p)
    >>> res.counts.values.tolist()
    [['a', 'before', 'nurse', 1], ['a', 'after', 'nurse', 2]]
    >>> res.extract_date_source, res.n_incomplete, res.visits_excluded_clients
    ('last visit', 1, 1)
    """
    if incomplete not in ("exclude", "include"):
        raise ValueError(f"visit_windows: incomplete={incomplete!r}; expected 'exclude' or 'include'")
    windows = plan_windows(plans, length=length, unit=unit)
    summary = _merge_summaries(summaries(visits, _visit_summary, windows))
    last = summary["last_visit"].max()
    if extract_date is None:
        if pd.isna(last):
            raise ValueError("visit_windows: no visits read; give extract_date")
        extract, source = last, "last visit"
    else:
        extract, source = pd.Timestamp(extract_date).normalize(), "given"
        if last > extract:
            raise ValueError(f"visit_windows: visits up to {last.date()} but extract_date is {extract.date()}; "
                             "the extract date is the last day the extract covers")
    found = sorted(summary["service_type"].unique())
    if services is None:
        services = found
    else:
        services = list(services)
        unknown = [s for s in found if s not in services]
        if unknown:
            raise ValueError(f"visit_windows: service type(s) {unknown} in the visits but not in services={services}")

    in_window = summary[summary["place"].isin(PERIODS)]
    per_client = (in_window.groupby(["respondent_id", "place"])["visits"].sum().unstack("place")
                  .reindex(index=windows["respondent_id"], columns=list(PERIODS)).fillna(0).astype(np.int64))
    complete = (windows["after_end"] - pd.Timedelta(days=1) <= extract).to_numpy()
    included = complete | (incomplete == "include")
    clients = windows.assign(complete=complete, included=included,
                             visits_before=per_client["before"].to_numpy(), visits_after=per_client["after"].to_numpy())

    ids = clients.loc[included, "respondent_id"]
    grid = pd.MultiIndex.from_product([ids, PERIODS, services], names=["respondent_id", "period", "service_type"])
    counts = (in_window.rename(columns={"place": "period"})
              .set_index(["respondent_id", "period", "service_type"])["visits"]
              .reindex(grid, fill_value=0).astype(np.int64).reset_index())

    by_place = summary.groupby("place")["visits"].sum().reindex(list(PLACES), fill_value=0)
    counted = int(counts["visits"].sum())
    no_plan = summary[summary["place"] == "no_plan_date"]
    return VisitWindows(
        counts=counts, clients=clients, extract_date=extract, extract_date_source=source,
        length=int(length), unit=unit, n_clients=len(clients), n_complete=int(complete.sum()),
        n_incomplete=int((~complete).sum()), n_included=int(included.sum()),
        n_no_plan_date=int(no_plan["respondent_id"].nunique()), visits_read=int(summary["visits"].sum()),
        visits_counted=counted, visits_excluded_clients=int(by_place[list(PERIODS)].sum()) - counted,
        visits_outside_windows=int(by_place["outside"]), visits_no_plan_date=int(by_place["no_plan_date"]))


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
        ``all_services`` (each client's visits summed over services): ``n`` clients who used
        the service (a visit before or after: the persons the row rests on), ``total_before``,
        ``total_after``, ``mean_before``, ``sd_before``, ``mean_after``, ``sd_after`` (visits
        per such client, SD with n − 1), ``rate_ratio`` = total_after / total_before with the
        percentile bootstrap interval ``rr_ci_low``, ``rr_ci_high`` (clients resampled from
        all compared), ``p_wilcoxon`` (signed-rank), ``p_sign`` (exact sign test) and
        ``rank_biserial`` (clients without a visit have no change and drop out of these).
        Tests and effect sizes are missing when every difference is zero. ``attrs["disclosure"]``
        declares the numbers for the report's disclosure control: totals and means are sums
        of visits over the row's clients (the services' add up to all services; a client may
        use several, so their counts do not), ``p_sign`` a sign test.

    References
    ----------
    Kerby, D. S. (2014). The simple difference formula: an approach to teaching nonparametric
    correlation. *Comprehensive Psychology*, 3, 11.IT.3.1 (rank-biserial correlation).
    Efron, B., & Tibshirani, R. J. (1993). *An introduction to the bootstrap*, ch. 13
    (percentile interval). Wilcoxon, F. (1945). Individual comparisons by ranking methods.
    *Biometrics Bulletin*, 1, 80–83.

    Examples
    --------
    >>> import pandas as pd
    >>> visits = pd.DataFrame({"respondent_id": list("aabbcc"), "period": ["before", "after"] * 3,
    ...                        "service_type": "health", "visits": [2, 4, 1, 3, 3, 2]})
    >>> service_use_change(visits)[["service_type", "total_before", "total_after", "rate_ratio"]].values.tolist()
    [['health', 6, 9, 1.5], ['all_services', 6, 9, 1.5]]
    """
    wide = _check(data)
    if not len(wide):
        raise ValueError("service-use data have no clients to compare")
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
        with np.errstate(divide="ignore", invalid="ignore"):     # a resample without visits before: ∞
            boot = (weights @ a[:, ok]) / (weights @ b[:, ok])
            lo[ok], hi[ok] = np.nanquantile(boot, [(1 - ci) / 2, (1 + ci) / 2], axis=0)
    rows = []
    for j, service in enumerate(before.columns):
        tb, ta = int(b[:, j].sum()), int(a[:, j].sum())
        p_w, p_s, rbc = _paired_tests(b[:, j], a[:, j])
        used = (b[:, j] + a[:, j]) > 0
        xb, xa = b[used, j], a[used, j]
        rows.append({"service_type": service, "n": int(used.sum()), "total_before": tb, "total_after": ta,
                     "mean_before": xb.mean() if len(xb) else np.nan, "sd_before": xb.std(ddof=1) if len(xb) > 1 else np.nan,
                     "mean_after": xa.mean() if len(xa) else np.nan, "sd_after": xa.std(ddof=1) if len(xa) > 1 else np.nan,
                     "rate_ratio": ta / tb if tb else float("nan"),
                     "rr_ci_low": lo[j], "rr_ci_high": hi[j],
                     "p_wilcoxon": p_w, "p_sign": p_s, "rank_biserial": rbc})
    out = pd.DataFrame(rows, columns=COLUMNS)
    out.attrs["disclosure"] = {
        "dims": ["service_type"], "total": TOTAL, "persons_add": False,
        "sums": ["total_before", "total_after"], "means": ["mean_before", "mean_after"],
        "sds": {"sd_before": "mean_before", "sd_after": "mean_after"},
        "values": {"total_before": "before", "mean_before": "before", "total_after": "after", "mean_after": "after"},
        "scales": {"mean_before": [0, "total_before"], "mean_after": [0, "total_after"]},
        "ranks": {"p_sign": "rank_biserial"}}
    return out


def chart_means(table: pd.DataFrame) -> pd.DataFrame:
    """Mean visits per client by service (``all_services`` left out) for
    :func:`analysis.report.figures.service_use_chart`: index service type, columns ``before``,
    ``after``. A mean hidden by disclosure control (``<5``, ``..``) is NaN.

    Examples
    --------
    >>> t = pd.DataFrame({"service_type": ["nurse", "dentist", "all_services"], "mean_before": [2.0, "<5", 2.0],
    ...                   "mean_after": [1.0, "<5", 1.0]})
    >>> chart_means(t).loc["nurse"].tolist()
    [2.0, 1.0]
    >>> bool(chart_means(t).loc["dentist"].isna().all())
    True
    """
    rows = table[table["service_type"] != TOTAL]
    return pd.DataFrame({"before": pd.to_numeric(rows["mean_before"], errors="coerce").to_numpy(float),
                         "after": pd.to_numeric(rows["mean_after"], errors="coerce").to_numpy(float)},
                        index=pd.Index(rows["service_type"], name="service_type"))
