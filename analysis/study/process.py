"""Who needs many services, and how the model ran: identification, client process and teams
(report ``08_process``; issue 20).

Everything the study declares comes from its manifest (:mod:`analysis.intake.process`): the
phases and their roles, the review interval, the identification criteria. Nothing here names a
phase, a service or a team.

Identification (:func:`identify`)
---------------------------------
From a visit register (dataset ``service-visits``: one row per visit) a person meets the
criteria when, in the ``window_months`` months up to and including the end date, they have at
least ``min_visits`` visits to the services that count (``services``; default all) in at least
``min_sectors`` sectors (``sectors`` maps a service to its sector; a service not mapped is a
sector of its own). The window is ``(end − window_months months, end]`` in calendar months
(``pandas.DateOffset``, as :mod:`analysis.study.service_use`). Service names are matched ignoring
case and spacing. The end date is the declared one (``identification.end``, else the manifest's
``date``), else the last visit in the register. The counting is partition-local: the visits of
each block of rows are summarised per person × service × (in window or not) and the summaries
added up (:mod:`analysis.stats.partitions`), so a ``dask.dataframe`` gives the same persons and
counts as pandas. Persons and services are counted as integer codes (``pd.factorize`` per
block; the blocks' codes merged through their values, persons and services sorted), cells
with ``np.bincount``, and the window is a vectorised mask of the dates. Every visit read is counted once: in the window and counted, of a service the
criteria leave out, or outside the window.

Client process
--------------
From the process events (dataset ``process-events``; rows already checked at intake: declared
phase, a referral, no date before it, the client in the register):

* :func:`funnel` — clients who reached each declared phase, in process order, and their share
  of the clients referred;
* :func:`phase_times` — days from the referral to each later phase, Kaplan–Meier with clients
  who have not reached the phase censored at the end of follow-up (``process.until``, else the
  manifest's date, else the last event): :func:`analysis.stats.survival.kaplan_meier` (R
  ``survfit`` with its log limits and quantile rule). :func:`curve_steps` gives the published
  form of a curve, in steps of at least ``min_events`` clients reaching the phase, so that the
  figure shows no single client's date;
* :func:`process_quality` — plans reviewed on time (the first review within ``review_months``
  calendar months of the plan, among the plans whose interval had passed by the end of
  follow-up or that were reviewed) and plans with a named responsible worker (a row of the
  worker phase at any time).

A phase met several times counts from its first date; every date of the review phase is a
review (only reviews on or after the plan date count).

Teams (:func:`team_table`, :func:`staff_by_team`)
------------------------------------------------
Professionals and sectors per team (dataset ``team-members``), the staff survey's scores by
team, and the teams' ICC(1)/ICC(2) (:func:`analysis.stats.multilevel.group_icc`, one-way random
effects, as R ``multilevel::ICC1``) computed on the teams as declared. Merging small teams before
publication is the report's (``analysis.report.disclosure.collapse_small``).

Examples
--------
>>> import pandas as pd
>>> from analysis.intake.process import IdentificationSpec
>>> v = pd.DataFrame({"respondent_id": ["a"] * 3 + ["b"], "service_type": ["nurse", "social", "social", "nurse"],
...                   "visit_date": pd.to_datetime(["2016-03-01", "2016-05-01", "2016-06-01", "2016-06-01"])})
>>> res = identify(v, IdentificationSpec(window_months=12, min_visits=3, min_sectors=2))
>>> res.persons[["respondent_id", "visits", "sectors", "identified"]].values.tolist()
[['a', 3, 2, True], ['b', 1, 1, False]]
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
import pandas as pd

from analysis.intake.process import IdentificationSpec, ProcessSpec, fold
from analysis.stats.concentration import gini, lorenz, top_share
from analysis.stats.multilevel import group_icc
from analysis.stats.partitions import summaries
from analysis.stats.results import Result
from analysis.stats.survival import KaplanMeier, kaplan_meier

#: Where a visit of the register falls (code 0, 1 of a block summary's ``place``).
PLACES = ("window", "outside")
TOP = (0.05, 0.10, 0.20)


# ----------------------------------------------------------------------------- identification
def _last_day(visits: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({"last": [pd.to_datetime(visits["visit_date"]).max()]})


def _codes(values: pd.Series) -> tuple[np.ndarray, pd.Index]:
    """Integer codes of a column's values as text (-1: missing) and the text of each code (distinct)."""
    codes, uniques = pd.factorize(values)
    codes = np.asarray(codes, np.int64)
    text = pd.Index(uniques).astype(str)
    if not text.is_unique:                       # e.g. 1 and "1": one person once written as text
        again, text = pd.factorize(text)
        codes = np.where(codes < 0, -1, np.asarray(again, np.int64)[codes])
    return codes, pd.Index(text)


def _count_cells(cell: np.ndarray, size: int, weights: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The cells of ``0..size-1`` that occur, in order, and their rows (or summed integer
    ``weights``): ``np.bincount`` when the cells are few beside the rows, else a sort."""
    if size <= max(4 * len(cell), 1 << 22):
        n = np.bincount(cell, weights=weights, minlength=size)      # float sums of integers < 2**53: exact
        where = np.flatnonzero(n)
        return where, np.rint(n[where]).astype(np.int64)
    if weights is None:
        where, counts = np.unique(cell, return_counts=True)
        return where.astype(np.int64), counts.astype(np.int64)
    sums = pd.Series(weights).groupby(cell, sort=True).sum()
    return sums.index.to_numpy(np.int64), sums.to_numpy(np.int64)


def _visit_summary(visits: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp) -> pd.DataFrame:
    """Visits per person × service × place (0 in the window, 1 outside) of one block of rows;
    persons and services as categoricals of this block's values (as text), counted on
    integer codes."""
    missing = [c for c in ("respondent_id", "visit_date", "service_type") if c not in visits.columns]
    if missing:
        raise KeyError(f"visit register: column(s) {missing} missing; expected respondent_id, visit_date, service_type")
    day = pd.to_datetime(visits["visit_date"])
    person, ids = _codes(visits["respondent_id"])
    service, services = _codes(visits["service_type"])
    lacking = (person < 0) | (service < 0) | day.isna().to_numpy()
    if lacking.any():
        raise ValueError(f"visit register: row(s) {visits.index[lacking][:20].tolist()} lack a person, a date or a service")
    # the window by whole days: start <= day (normalised) <= end, i.e. start <= day < end + 1 day
    outside = ~((day >= start) & (day < end + pd.Timedelta(days=1))).to_numpy()
    width = 2 * max(len(services), 1)
    cell, n = _count_cells(person * width + service * 2 + outside, len(ids) * width)
    p, rest = np.divmod(cell, width)
    s, place = np.divmod(rest, 2)
    return pd.DataFrame({"respondent_id": pd.Categorical.from_codes(p, categories=ids),
                         "service_type": pd.Categorical.from_codes(s, categories=services),
                         "place": place.astype(np.int8), "visits": n})


def _merge_codes(columns: list[pd.Categorical]) -> tuple[np.ndarray, pd.Index]:
    """Codes of categoricals of different blocks on their values together, and those values."""
    if len(columns) == 1:
        return np.asarray(columns[0].codes, np.int64), pd.Index(columns[0].categories)
    cats = [c.categories for c in columns]
    together, values = pd.factorize(cats[0].append(cats[1:]))
    offsets = np.cumsum([0] + [len(c) for c in cats])
    codes = [together[offsets[i]:offsets[i + 1]][np.asarray(c.codes, np.int64)] for i, c in enumerate(columns)]
    return np.concatenate(codes).astype(np.int64), pd.Index(values)


def _merge_summaries(parts: list[pd.DataFrame]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray,
                                                          pd.Index, pd.Index]:
    """Block summaries added up per person × service × place: codes of each (persons and
    services sorted), visits, and the persons and services."""
    person, ids = _merge_codes([p["respondent_id"].array for p in parts])
    service, services = _merge_codes([p["service_type"].array for p in parts])
    place = np.concatenate([p["place"].to_numpy(np.int64) for p in parts])
    visits = np.concatenate([p["visits"].to_numpy(np.int64) for p in parts])
    order = ids.argsort()
    rank = np.empty(len(ids), np.int64)
    rank[order] = np.arange(len(ids))
    s_order = services.argsort()
    s_rank = np.empty(len(services), np.int64)
    s_rank[s_order] = np.arange(len(services))
    width = 2 * max(len(services), 1)
    cell, n = rank[person] * width + s_rank[service] * 2 + place, visits
    if len(parts) > 1:                           # one block's cells are already distinct
        cell, n = _count_cells(cell, len(ids) * width, visits)
    p, rest = np.divmod(cell, width)
    s, place = np.divmod(rest, 2)
    return p, s, place, n, ids[order], services[s_order]


@dataclass(frozen=True)
class Identification(Result):
    """Persons of a visit register and the declared criteria (:func:`identify`).

    ``persons``: one row per person in the register — ``respondent_id``, ``visits`` (counted
    visits in the window), ``sectors`` (sectors with such a visit), ``identified``.
    ``services``: one row per service type in the register — ``service_type``, ``sector``
    (``None`` when the criteria leave the service out), ``counted``, ``visits_window``,
    ``visits_outside``. The numbers: the window, where its end came from, persons, persons
    with a counted visit in the window, persons identified, and the visits accounted for.
    """

    persons: pd.DataFrame
    services: pd.DataFrame
    spec: IdentificationSpec
    window_start: pd.Timestamp
    window_end: pd.Timestamp
    end_source: str
    n_persons: int
    n_in_window: int
    n_identified: int
    visits_read: int
    visits_counted: int
    visits_excluded_services: int
    visits_outside_window: int

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame([{"n_persons": self.n_persons, "n_in_window": self.n_in_window,
                              "n_identified": self.n_identified, "visits_read": self.visits_read,
                              "visits_counted": self.visits_counted,
                              "visits_excluded_services": self.visits_excluded_services,
                              "visits_outside_window": self.visits_outside_window}])


def identify(visits, spec: IdentificationSpec, *, end=None) -> Identification:
    """Persons of a visit register who meet the declared identification criteria.

    Parameters
    ----------
    visits : DataFrame or dask DataFrame
        One row per visit: ``respondent_id``, ``visit_date``, ``service_type`` (dataset
        ``service-visits``); other columns are ignored. A dask DataFrame is summarised
        partition by partition, with the same result.
    spec : IdentificationSpec
        The manifest's ``identification`` block.
    end : date-like, optional
        Last day of the window; default ``spec.end``, else the last visit in the register.

    Returns
    -------
    Identification

    Examples
    --------
    >>> v = pd.DataFrame({"respondent_id": ["a", "a", "b"], "service_type": ["x", "y", "x"],
    ...                   "visit_date": pd.to_datetime(["2015-01-01", "2016-01-01", "2016-06-30"])})
    >>> r = identify(v, IdentificationSpec(window_months=12, min_visits=1))
    >>> r.window_start.date().isoformat(), r.end_source, r.visits_outside_window
    ('2015-07-01', 'last visit', 1)
    """
    if end is None and spec.end is not None:
        end, source = spec.end, "declared"
    elif end is not None:
        source = "given"
    else:
        end = pd.concat(summaries(visits, _last_day))["last"].max()
        source = "last visit"
        if pd.isna(end):
            raise ValueError("identify: the register has no visits; declare identification.end")
    end = pd.Timestamp(end).normalize()
    start = end - pd.DateOffset(months=int(spec.window_months)) + pd.Timedelta(days=1)
    person, service, place, n, ids, found_index = _merge_summaries(summaries(visits, _visit_summary, start, end))

    found = found_index.tolist()
    counted_fold = None if spec.services is None else {fold(s) for s in spec.services}
    sector_of = {fold(k): v for k, v in spec.sectors.items()}
    services = pd.DataFrame({"service_type": found})
    services["counted"] = [counted_fold is None or fold(s) in counted_fold for s in found]
    services["sector"] = pd.Series([sector_of.get(fold(s), s) if c else None for s, c in zip(found, services["counted"])],
                                   dtype=object)
    by_place = _count_cells(service * 2 + place, 2 * len(found), n)
    window_outside = np.zeros(2 * len(found), np.int64)
    window_outside[by_place[0]] = by_place[1]
    services["visits_window"] = window_outside[0::2]
    services["visits_outside"] = window_outside[1::2]

    # counted visits in the window per person, and the distinct sectors of them (integer codes)
    counts = services["counted"].to_numpy(bool)
    sector_code, sector_names = pd.factorize(services["sector"].where(counts))
    take = (place == 0) & counts[service]
    who, what, many = person[take], np.asarray(sector_code, np.int64)[service[take]], n[take]
    n_visits = np.zeros(len(ids), np.int64)
    cell, total = _count_cells(who, len(ids), many)
    n_visits[cell] = total
    width = max(len(sector_names), 1)
    pairs, _ = _count_cells(who * width + what, len(ids) * width)
    n_sectors = np.bincount(pairs // width, minlength=len(ids)).astype(np.int64)
    persons = pd.DataFrame({"respondent_id": ids.to_numpy(), "visits": n_visits, "sectors": n_sectors})
    persons["identified"] = (persons["visits"] >= spec.min_visits) & (persons["sectors"] >= spec.min_sectors)
    in_window = int(services.loc[services["counted"], "visits_window"].sum())
    return Identification(
        persons=persons, services=services[["service_type", "sector", "counted", "visits_window", "visits_outside"]],
        spec=spec, window_start=start, window_end=end, end_source=source, n_persons=len(persons),
        n_in_window=int((persons["visits"] > 0).sum()), n_identified=int(persons["identified"].sum()),
        visits_read=int(n.sum()), visits_counted=in_window,
        visits_excluded_services=int(services.loc[~services["counted"], "visits_window"].sum()),
        visits_outside_window=int(services["visits_outside"].sum()))


def concentration(persons: pd.DataFrame, *, column: str = "visits", top: Sequence[float] = TOP) -> pd.DataFrame:
    """Share of the visits of the top 5/10/20 % of the persons with a visit, and the Gini
    coefficient (``analysis.stats.concentration``): ``group, n, share_pct`` with ``group``
    ``top_5``, ``top_10``, ``top_20`` (``n`` = ⌈p·N⌉ persons) and a last row ``all`` (``n`` = N,
    ``share_pct`` 100, ``gini``).

    Examples
    --------
    >>> p = pd.DataFrame({"visits": [0, 1, 1, 2, 3, 5, 8, 13, 40, 1, 1]})
    >>> concentration(p, top=[0.1])[["group", "n", "share_pct"]].round(1).values.tolist()
    [['top_10', 1, 53.3], ['all', 10, 100.0]]
    """
    x = persons.loc[persons[column] > 0, column].to_numpy(float)
    rows = [{"group": f"top_{round(100 * p)}", "n": (t := top_share(x, p)).k, "share_pct": 100 * t.share,
             "gini": np.nan} for p in top]
    rows.append({"group": "all", "n": len(x), "share_pct": 100.0, "gini": gini(x)})
    return pd.DataFrame(rows, columns=["group", "n", "share_pct", "gini"])


def lorenz_steps(persons: pd.DataFrame, *, column: str = "visits", min_n: int = 5, max_points: int = 20) -> pd.DataFrame:
    """The Lorenz curve of the persons with a visit at ``k = min(max_points, N // min_n)``
    equal steps of persons, so that every step rests on at least ``min_n`` persons:
    ``persons_pct, visits_pct`` from (0, 0) to (100, 100).

    Examples
    --------
    >>> lorenz_steps(pd.DataFrame({"visits": [1] * 10}), min_n=5).values.tolist()
    [[0.0, 0.0], [50.0, 50.0], [100.0, 100.0]]
    """
    x = persons.loc[persons[column] > 0, column].to_numpy(float)
    k = min(max_points, len(x) // min_n)
    if k < 1:
        raise ValueError(f"fewer than {min_n} persons with a visit: no curve")
    curve = lorenz(x, points=np.arange(k + 1) / k)
    return pd.DataFrame({"persons_pct": 100 * curve["persons"], "visits_pct": 100 * curve["amount"]})


def identified_vs_enrolled(persons: pd.DataFrame, enrolled: Sequence[str]) -> pd.DataFrame:
    """Persons of the register by meeting the criteria × being a client of the model:
    ``identified`` (``identified``/``not_identified``/``all``), ``enrolled``
    (``enrolled``/``not_enrolled``/``all``), ``n``, ``mean_visits``, ``mean_sectors``.

    Examples
    --------
    >>> p = pd.DataFrame({"respondent_id": list("abcd"), "visits": [12, 3, 0, 15], "sectors": [3, 1, 0, 2],
    ...                   "identified": [True, False, False, True]})
    >>> t = identified_vs_enrolled(p, ["a", "b"]).set_index(["identified", "enrolled"])
    >>> int(t.loc[("identified", "enrolled"), "n"]), int(t.loc[("all", "all"), "n"])
    (1, 4)
    """
    p = persons.assign(identified=np.where(persons["identified"], "identified", "not_identified"),
                       enrolled=np.where(persons["respondent_id"].isin(set(map(str, enrolled))), "enrolled",
                                         "not_enrolled"))
    rows = []
    for i in ("identified", "not_identified", "all"):
        for e in ("enrolled", "not_enrolled", "all"):
            g = p[((p["identified"] == i) | (i == "all")) & ((p["enrolled"] == e) | (e == "all"))]
            rows.append({"identified": i, "enrolled": e, "n": len(g),
                         "mean_visits": g["visits"].mean() if len(g) else np.nan,
                         "mean_sectors": g["sectors"].mean() if len(g) else np.nan})
    return pd.DataFrame(rows)


# ----------------------------------------------------------------------------- client process
def follow_up_end(events: pd.DataFrame, spec: ProcessSpec, date=None) -> tuple[pd.Timestamp, str]:
    """The last day the events cover and where it came from: ``process.until``, else ``date``
    (the manifest's), else the last event. An event after a declared end is an error."""
    last = pd.to_datetime(events["date"]).max().normalize()
    if spec.until is not None or date is not None:
        end, source = pd.Timestamp(spec.until or date).normalize(), "declared"
        if last > end:
            raise ValueError(f"process events up to {last.date()} but the follow-up ends on {end.date()} "
                             "(process.until or the manifest's date); correct one of them")
        return end, source
    return last, "last event"


def first_dates(events: pd.DataFrame, spec: ProcessSpec) -> pd.DataFrame:
    """Each client's first date of each declared phase: one row per client (who has a referral),
    one column per phase (``NaT``: not reached), in process order.

    Examples
    --------
    >>> s = ProcessSpec(phases=("ref", "plan"))
    >>> e = pd.DataFrame({"respondent_id": ["a", "a", "b"], "phase": ["ref", "plan", "ref"],
    ...                   "date": pd.to_datetime(["2016-01-01", "2016-02-01", "2016-03-01"])})
    >>> first_dates(e, s)["plan"].isna().tolist()
    [False, True]
    """
    day = pd.to_datetime(events["date"]).dt.normalize()
    table = (events.assign(date=day).groupby(["respondent_id", "phase"])["date"].min().unstack("phase")
             .reindex(columns=list(spec.phases)).astype("datetime64[ns]"))
    table = table[table[spec.referral].notna()]
    table.columns.name = None
    return table


def funnel(events: pd.DataFrame, spec: ProcessSpec) -> pd.DataFrame:
    """Clients who reached each phase: ``phase, n, pct`` (of the clients referred), in order.

    Examples
    --------
    >>> s = ProcessSpec(phases=("ref", "plan"))
    >>> e = pd.DataFrame({"respondent_id": ["a", "a", "b"], "phase": ["ref", "plan", "ref"],
    ...                   "date": pd.to_datetime(["2016-01-01", "2016-02-01", "2016-03-01"])})
    >>> funnel(e, s).values.tolist()
    [['ref', 2, 100.0], ['plan', 1, 50.0]]
    """
    dates = first_dates(events, spec)
    reached = dates.notna().sum()
    total = len(dates)
    return pd.DataFrame({"phase": list(spec.phases), "n": [int(reached[p]) for p in spec.phases],
                         "pct": [100 * reached[p] / total if total else np.nan for p in spec.phases]})


def time_to(events: pd.DataFrame, spec: ProcessSpec, phase: str, end: pd.Timestamp) -> pd.DataFrame:
    """Days from the referral to the first date of ``phase`` per client: ``respondent_id, days,
    reached`` (not reached: days to ``end``, censored)."""
    dates = first_dates(events, spec)
    ref, hit = dates[spec.referral], dates[phase]
    days = np.where(hit.notna(), (hit - ref).dt.days, (end - ref).dt.days)
    return pd.DataFrame({"respondent_id": dates.index.to_numpy(), "days": days.astype(float),
                         "reached": hit.notna().to_numpy()})


def phase_times(events: pd.DataFrame, spec: ProcessSpec, end: pd.Timestamp) -> tuple[pd.DataFrame, dict]:
    """Kaplan–Meier times from the referral to each later phase.

    Returns
    -------
    (DataFrame, dict)
        The table ``phase, n, n_reached_phase, q1_days, median_days, median_days_ci_low,
        median_days_ci_high, q3_days`` (days; a quantile the curve does not reach is missing) and the
        :class:`~analysis.stats.survival.KaplanMeier` of each phase by name.

    Examples
    --------
    >>> s = ProcessSpec(phases=("ref", "plan"))
    >>> e = pd.DataFrame({"respondent_id": list("aabbc"), "phase": ["ref", "plan", "ref", "plan", "ref"],
    ...                   "date": pd.to_datetime(["2016-01-01", "2016-01-11", "2016-01-01", "2016-01-21", "2016-01-01"])})
    >>> table, _ = phase_times(e, s, pd.Timestamp("2016-03-01"))
    >>> table[["phase", "n", "n_reached_phase", "median_days"]].values.tolist()
    [['plan', 3, 2, 20.0]]
    """
    rows, fits = [], {}
    for phase in spec.phases[1:]:
        data = time_to(events, spec, phase, end)
        km = kaplan_meier(data, time="days", event="reached")
        fits[phase] = km
        q = km.quantiles.set_index("prob")
        rows.append({"phase": phase, "n": km.n, "n_reached_phase": km.n_events, "q1_days": q.loc[0.25, "time"],
                     "median_days": q.loc[0.5, "time"], "median_days_ci_low": q.loc[0.5, "ci_low"],
                     "median_days_ci_high": q.loc[0.5, "ci_high"], "q3_days": q.loc[0.75, "time"]})
    return pd.DataFrame(rows), fits


def curve_steps(km: KaplanMeier, *, min_events: int = 5) -> pd.DataFrame:
    """A Kaplan–Meier curve as it may be published: the share reached (``1 − S``) shown only at
    the times when each further ``min_events`` (or more) persons have reached the event, so that
    no step rests on fewer persons: ``day, n_step`` (persons reaching it in the step),
    ``reached_pct`` and its 95 % limits. The curve ends at the last full step: fewer than
    ``min_events`` further events are not drawn (a step of their own would show them).

    Examples
    --------
    >>> d = pd.DataFrame({"t": range(1, 13), "e": True})
    >>> steps = curve_steps(kaplan_meier(d, time="t", event="e"), min_events=5)
    >>> steps["day"].tolist(), steps["n_step"].tolist()
    ([5.0, 10.0], [5, 5])
    """
    c = km.curve
    cum = c["n_events"].cumsum().to_numpy()
    rows, taken = [], 0
    for i in range(len(c)):
        if cum[i] - taken >= min_events:
            rows.append(i)
            taken = cum[i]
    steps = c.iloc[rows]               # the last events (fewer than min_events) are not drawn
    n_reached = np.diff(np.concatenate(([0], cum[rows])))
    return pd.DataFrame({"day": steps["time"].to_numpy(float), "n_step": n_reached.astype(np.int64),
                         "reached_pct": 100 * (1 - steps["surv"].to_numpy()),
                         "reached_pct_ci_low": 100 * (1 - steps["surv_high"].to_numpy()),
                         "reached_pct_ci_high": 100 * (1 - steps["surv_low"].to_numpy())})


def process_quality(events: pd.DataFrame, spec: ProcessSpec, end: pd.Timestamp) -> pd.DataFrame:
    """Plans reviewed on time and plans with a named responsible worker: ``measure, n, n_yes,
    pct`` (``n``: plans the measure applies to). Rows only for the roles the manifest declares.

    Examples
    --------
    >>> s = ProcessSpec(phases=("ref", "plan", "worker", "review"), plan="plan", worker="worker",
    ...                 review="review", review_months=6)
    >>> e = pd.DataFrame({"respondent_id": list("aaabb"), "phase": ["ref", "plan", "review", "ref", "plan"],
    ...                   "date": pd.to_datetime(["2016-01-01", "2016-01-10", "2016-07-01", "2016-01-01", "2016-02-01"])})
    >>> process_quality(e, s, pd.Timestamp("2016-12-31"))[["measure", "n", "n_yes"]].values.tolist()
    [['reviewed_on_time', 2, 1], ['named_worker', 2, 0]]
    """
    if spec.plan is None:
        raise ValueError("the manifest declares no plan phase (process.plan)")
    dates = first_dates(events, spec)
    plan = dates[spec.plan].dropna()
    rows = []
    if spec.review is not None and spec.review_months is not None:
        day = pd.to_datetime(events["date"]).dt.normalize()
        reviews = events.assign(date=day)[events["phase"] == spec.review]
        reviews = reviews[reviews["respondent_id"].isin(plan.index)]
        after = reviews[reviews["date"] >= reviews["respondent_id"].map(plan)]
        first_review = after.groupby("respondent_id")["date"].min().reindex(plan.index)
        due_by = plan + pd.DateOffset(months=int(spec.review_months))
        due = (due_by <= end) | first_review.notna()
        on_time = first_review.notna() & (first_review <= due_by)
        rows.append({"measure": "reviewed_on_time", "n": int(due.sum()), "n_yes": int((on_time & due).sum())})
    if spec.worker is not None:
        rows.append({"measure": "named_worker", "n": len(plan), "n_yes": int(dates.loc[plan.index, spec.worker].notna().sum())})
    out = pd.DataFrame(rows, columns=["measure", "n", "n_yes"])
    out["pct"] = np.where(out["n"] > 0, 100 * out["n_yes"] / out["n"].where(out["n"] > 0, 1), np.nan)
    return out


# ----------------------------------------------------------------------------- teams
def team_table(members: pd.DataFrame, respondents: Sequence[str] = ()) -> pd.DataFrame:
    """Professionals and sectors per team (``team, n, sectors, n_respondents``: professionals,
    distinct sectors, professionals who answered the staff survey) and a last row ``all``.

    Examples
    --------
    >>> m = pd.DataFrame({"respondent_id": list("abcd"), "team": ["x", "x", "y", "y"],
    ...                   "sector": ["health", "social", "health", "health"]})
    >>> team_table(m, ["a"]).values.tolist()
    [['x', 2, 2, 1], ['y', 2, 1, 0], ['all', 4, 2, 1]]
    """
    answered = members["respondent_id"].astype(str).isin(set(map(str, respondents)))
    m = members.assign(_answered=answered)
    rows = [{"team": team, "n": len(g), "sectors": g["sector"].nunique(), "n_respondents": int(g["_answered"].sum())}
            for team, g in m.groupby("team", sort=True)]
    rows.append({"team": "all", "n": len(m), "sectors": m["sector"].nunique(), "n_respondents": int(m["_answered"].sum())})
    return pd.DataFrame(rows, columns=["team", "n", "sectors", "n_respondents"])


def staff_by_team(scores: pd.DataFrame, members: pd.DataFrame, score_keys: Sequence[str]) -> pd.DataFrame:
    """Staff-survey scores by team: ``team, score, n, mean, sd`` (teams sorted, then ``all``:
    every respondent in a team). Respondents in no team are left out (say so with
    :func:`team_coverage`).

    Examples
    --------
    >>> m = pd.DataFrame({"respondent_id": list("abc"), "team": ["x", "x", "y"]})
    >>> s = pd.DataFrame({"respondent_id": list("abc"), "ss": [1.0, 3.0, 4.0]})
    >>> staff_by_team(s, m, ["ss"])[["team", "n", "mean"]].values.tolist()
    [['x', 2, 2.0], ['y', 1, 4.0], ['all', 3, 2.6666666666666665]]
    """
    data = scores.merge(members[["respondent_id", "team"]], on="respondent_id", how="inner")
    rows = []
    for key in score_keys:
        for team, g in [*data.groupby("team", sort=True), ("all", data)]:
            v = pd.to_numeric(g[key], errors="coerce").dropna()
            rows.append({"team": team, "score": key, "n": len(v), "mean": v.mean() if len(v) else np.nan,
                         "sd": v.std(ddof=1) if len(v) > 1 else np.nan})
    return pd.DataFrame(rows, columns=["team", "score", "n", "mean", "sd"])


def team_icc(scores: pd.DataFrame, members: pd.DataFrame, score_keys: Sequence[str]) -> pd.DataFrame:
    """ICC(1) and ICC(2) of the teams per score (one-way random effects, teams as declared):
    ``score, n, teams, icc1, icc2, f, p``.

    Examples
    --------
    >>> m = pd.DataFrame({"respondent_id": list("abcdef"), "team": list("xxxyyy")})
    >>> s = pd.DataFrame({"respondent_id": list("abcdef"), "ss": [1, 2, 1, 4, 5, 4]})
    >>> t = team_icc(s, m, ["ss"])
    >>> t[["score", "n", "teams"]].values.tolist(), round(float(t.loc[0, "icc1"]), 3)
    ([['ss', 6, 2]], 0.929)
    """
    data = scores.merge(members[["respondent_id", "team"]], on="respondent_id", how="inner")
    rows = []
    for key in score_keys:
        r = group_icc(data, group="team", value=key)
        rows.append({"score": key, "n": r.n, "teams": r.n_groups, "icc1": r.icc1, "icc2": r.icc2, "f": r.f, "p": r.p})
    return pd.DataFrame(rows, columns=["score", "n", "teams", "icc1", "icc2", "f", "p"])


def team_coverage(scores: pd.DataFrame, members: pd.DataFrame) -> tuple[int, int]:
    """(respondents of the staff survey, of them in the team file)."""
    ids = set(scores["respondent_id"].astype(str))
    return len(ids), len(ids & set(members["respondent_id"].astype(str)))


# ----------------------------------------------------------------------------- the study's inputs
def enrolled_clients(study, population: str = "pilot") -> list[str]:
    """The clients of the model (the persons of ``population``'s process events), whom
    :func:`identified_vs_enrolled` compares with the register; none when the study has no
    process events.

    Examples
    --------
    >>> from analysis import datasets
    >>> from analysis.intake.manifest import load_study
    >>> len(enrolled_clients(load_study(datasets.path("demo")))) > 0
    True
    """
    if not study.has(population, dataset="process-events"):
        return []
    return study.table(population, "process-events")["respondent_id"].tolist()


def staff_scores(study, population: str = "staff", instrument: str = "staff-survey") -> pd.DataFrame | None:
    """The staff survey's scores, which the team sections break down by team; ``None`` when the
    study has no staff survey (the report says so)."""
    return study.scores(population, instrument) if study.has(population, instrument) else None


# ----------------------------------------------------------------------------- the report's words
# The sentences of report 08 are in analysis/report/messages/; these helpers give their fields.
# ``fmt`` is the report (anything with ``n``, ``shown_n``, ``count``, ``num``, ``prop``, ``label``
# and ``t``), so that numbers arrive formatted in the report language and persons under the
# small-cell limit are never printed.
def score_keys(instrument: str) -> list[str]:
    """The declared scores of an instrument (``questionnaires/<id>.yaml``), in order.

    Examples
    --------
    >>> score_keys("staff-survey")[:2]
    ['ss_multiprof', 'ss_pulling_together']
    """
    from analysis.intake.instruments import load_instrument

    return [rule.key for rule in load_instrument(instrument).scores]


def identification_text(ident: Identification, fmt) -> dict[str, str]:
    """Fields of ``08_process.identification.method``."""
    s = ident.spec
    services = ident.services
    counted = services.loc[services["counted"], "service_type"]
    left_out = services.loc[~services["counted"], "service_type"]
    sectors = services.loc[services["counted"]].groupby("sector", sort=True)["service_type"].apply(list)
    return {"window": fmt.count(s.window_months), "min_visits": fmt.count(s.min_visits),
            "min_sectors": fmt.count(s.min_sectors), "start": ident.window_start.date().isoformat(),
            "end": ident.window_end.date().isoformat(),
            "end_source": fmt.t(f"08_process.identification.end_{ident.end_source.replace(' ', '_')}"),
            "sectors": "; ".join(f"{fmt.label(sector, 'sector')}: {', '.join(fmt.label(v, 'service_type') for v in vs)}"
                                 for sector, vs in sectors.items()),
            "n_services": fmt.count(len(counted)),
            "left_out": ", ".join(fmt.label(v, "service_type") for v in left_out) or fmt.t("08_process.none"),
            "read": fmt.count(ident.visits_read), "counted": fmt.count(ident.visits_counted),
            "excluded": fmt.count(ident.visits_excluded_services), "outside": fmt.count(ident.visits_outside_window),
            "persons": fmt.n(ident.n_persons), "in_window": fmt.n(ident.n_in_window),
            "identified": fmt.n(ident.n_identified)}


def concentration_text(shown, fmt) -> dict[str, str]:
    """Fields of ``08_process.identification.concentration`` from the :func:`concentration`
    table as published (``shown``: the report's published table, which knows its hidden cells,
    :class:`analysis.report.present.ShownTable`): a hidden cell stays hidden (its mark), the
    persons through ``fmt.shown_n``."""
    def cell(group: str, column: str, words) -> str:
        where = {"group": group}
        return shown.value(where, column) if shown.hidden(where, column) else words(shown.value(where, column))

    pct = {g: cell(g, "share_pct", lambda v: fmt.num(v, 0) + " %") for g in shown.machine["group"]}
    return {"n": fmt.shown_n(shown, {"group": "all"}), "gini": cell("all", "gini", fmt.prop),
            "top_5": pct.get("top_5", ""), "top_10": pct.get("top_10", ""), "top_20": pct.get("top_20", "")}


def process_text(spec: ProcessSpec, end: pd.Timestamp, source: str, fmt) -> dict[str, str]:
    """Fields of ``08_process.process.method``."""
    return {"phases": " → ".join(fmt.label(p, "phase") for p in spec.phases), "referral": fmt.label(spec.referral, "phase"),
            "end": end.date().isoformat(), "source": fmt.t(f"08_process.process.end_{source.replace(' ', '_')}"),
            "plan": fmt.label(spec.plan, "phase") if spec.plan else fmt.t("08_process.none"),
            "months": fmt.count(spec.review_months) if spec.review_months else fmt.t("08_process.none")}


def figure_words(figure: str, fmt) -> dict[str, str]:
    """Columns and axis words of a figure of report 08 (``lorenz`` or ``time_to_plan``)."""
    if figure == "lorenz":
        return {"x": "persons_pct", "y": "visits_pct", "xlabel": fmt.t("08_process.figures.persons"),
                "ylabel": fmt.t("08_process.figures.visits"), "equality": fmt.t("08_process.figures.equality")}
    return {"x": "day", "y": "reached_pct", "xlabel": fmt.t("08_process.figures.days"),
            "ylabel": fmt.t("08_process.figures.reached")}
