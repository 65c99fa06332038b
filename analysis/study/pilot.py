"""Pilot clients' follow-up: the report-level pieces around :mod:`analysis.stats.change`.

:mod:`analysis.stats.change` holds the statistics (paired change, reliable change, goal attainment,
attrition). This module prepares what the pilot evaluation report shows with them:

* :func:`follow_up` — the pilot's design as the study declares it (instrument, occasions, the
  first reading and the follow-ups, the scores);
* :func:`latest_reading` — each client's baseline and **latest available** follow-up reading
  (12 months if answered, else 6 months), so clients who left after six months still count;
* :func:`rci_parameters` — the reliability ``r`` and ``SD`` for the reliable change index
  taken from the comparison cohort: ``r`` = test–retest ICC(A,1) of the cohort's retest
  subsample (:func:`analysis.stats.validity.measurement_error`), ``SD`` = the SD of the whole
  cohort at the first occasion (the population spread, as Jacobson & Truax 1991 use a norm
  group's SD); SEM = SD √(1 − r), SDC = 1.96 √2 SEM; :func:`rci_parameters_for` decides where
  a study's parameters come from (the cohort's retest, else the manifest, else none);
* :func:`rci_summary` — clients improved / unchanged / deteriorated per score (long format,
  so the small-cell rule masks only the small classes);
* :func:`goal_summary` — goals reached per domain with an all-domains row;
* :func:`profile_means` — domain means at the first and latest reading for the figure;
* :func:`example_profiles` — up to three readings of a few clients chosen at random with a
  fixed seed (reproducible), labelled A, B, C instead of their ids.

Own code: report plumbing around tested statistics; checked by hand in
``tests/test_pilot.py``.

Examples
--------
>>> import pandas as pd
>>> long = pd.DataFrame({"respondent_id": ["a", "a", "a", "b", "b"],
...                      "occasion": ["baseline", "6m", "12m", "baseline", "6m"],
...                      "sat_health": [3, 5, 6, 4, 7]})
>>> lp = latest_reading(long, ["sat_health"], "baseline", ["6m", "12m"])
>>> lp.post["sat_health"].tolist(), lp.occasion.tolist()
([6.0, 7.0], ['12m', '6m'])
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
import pandas as pd

from analysis.intake.manifest import Study
from analysis.stats.change import classify_rci, reliable_change
from analysis.stats.descriptives import ALL, composition
from analysis.stats.results import Result
from analysis.stats.validity import measurement_error
from analysis.study.domains import LifeDomains, life_domain_instrument, life_domains

CLASSES = ("improved", "unchanged", "deteriorated")
#: Row label of the tables for clients without a follow-up reading (the total row is ALL).
NONE = "none"
#: Background columns that describe the pilot clients, when the background file has them.
BACKGROUND = ("gender", "age_group", "activity")


@dataclass(frozen=True)
class FollowUp:
    """The pilot's follow-up as a study declares it: the life-domain ``instrument`` its
    clients answered, that instrument's ``domains`` (:class:`~analysis.study.domains.LifeDomains`),
    the clients' ``scores`` (one row per client × occasion) and the ``occasions`` in order."""

    instrument: str
    domains: LifeDomains
    scores: pd.DataFrame
    occasions: tuple[str, ...]

    @property
    def first(self) -> str | None:
        """The first reading's occasion (``None`` when the manifest declares none)."""
        return self.occasions[0] if self.occasions else None

    @property
    def followups(self) -> tuple[str, ...]:
        """The follow-up occasions, in order (none: a single reading)."""
        return self.occasions[1:]

    @property
    def baseline(self) -> pd.DataFrame:
        """The rows of the first reading (every row when the manifest declares no occasions)."""
        return self.scores[self.scores["occasion"] == self.first] if self.first else self.scores

    @property
    def latest(self) -> pd.DataFrame:
        """Each client's latest follow-up row with a score (:func:`latest_rows`); without
        follow-ups, the first reading's rows."""
        if not self.followups:
            return self.baseline
        return latest_rows(self.scores, self.domains.scores, self.first, self.followups)

    @property
    def goals_set(self) -> bool:
        """Whether the clients could set goals: the instrument has goal items and the scores hold them."""
        return bool(self.domains.goal) and set(self.domains.goal) <= set(self.scores.columns)


def follow_up(study: Study, population: str = "pilot") -> FollowUp:
    """The follow-up design of ``population`` in ``study`` (:class:`FollowUp`).

    Examples
    --------
    >>> from analysis import datasets
    >>> from analysis.intake.manifest import load_study
    >>> fu = follow_up(load_study(datasets.path("demo")))
    >>> fu.instrument, fu.first, fu.followups, len(fu.scores) > 0
    ('3x10d', 'baseline', ('6m', '12m'), True)
    """
    instrument = life_domain_instrument(study, population)
    if instrument is None:
        raise ValueError(f"the study's {population} population answered no life-domain instrument")
    return FollowUp(instrument=instrument, domains=life_domains(instrument),
                    scores=study.scores(population, instrument), occasions=tuple(study.occasions(population)))


def background_table(study: Study, population: str = "pilot") -> pd.DataFrame | None:
    """Clients per category of each :data:`BACKGROUND` column the background file has, with
    totals (:func:`analysis.stats.descriptives.composition`); ``None`` without a background file.

    Examples
    --------
    >>> from analysis import datasets
    >>> from analysis.intake.manifest import load_study
    >>> background_table(load_study(datasets.path("demo")))["variable"].unique().tolist()
    ['gender', 'age_group', 'activity']
    """
    if not study.has(population, dataset="background"):
        return None
    background = study.table(population, "background")
    return composition(background, [c for c in BACKGROUND if c in background], total=True)


def rated_importance(data: pd.DataFrame) -> bool:
    """Whether ``data`` holds the priority domains derived from importance ratings
    (``priority_<domain>`` columns of the scores).

    Examples
    --------
    >>> rated_importance(pd.DataFrame(columns=["sat_health", "priority_health"])), rated_importance(pd.DataFrame())
    (True, False)
    """
    return any(str(c).startswith("priority_") for c in data.columns)


def dropouts(counts: pd.DataFrame) -> tuple[int, int]:
    """``(left, stayed)``: clients seen at the first occasion but not the last, and those seen
    at the last, from the ``counts`` of :func:`analysis.stats.change.attrition` (first row −
    last row, as a reader of that table would compute them).

    Examples
    --------
    >>> dropouts(pd.DataFrame({"occasion": ["baseline", "6m", "12m"], "n": [30, 27, 24]}))
    (6, 24)
    """
    first, last = int(counts["n"].iloc[0]), int(counts["n"].iloc[-1])
    return first - last, last


@dataclass(frozen=True)
class RciParameters(Result):
    """The reliable change index's parameters for a study and where they come from:
    ``table`` (one row per score, as :func:`rci_parameters`), ``origin`` (``"cohort"``: the
    comparison cohort's retest between occasions ``first`` and ``retest``; ``"manifest"``:
    stated in the manifest, ``reference`` says by whom)."""

    table: pd.DataFrame
    origin: str
    first: str | None = None
    retest: str | None = None
    reference: str | None = None

    def to_frame(self) -> pd.DataFrame:
        """The parameters (``table``)."""
        return self.table


def rci_parameters_for(study: Study, cols: Sequence[str]) -> RciParameters | None:
    """Where the reliable change index of ``cols`` gets its reliability and SD: from the
    comparison cohort's retest when the cohort answered a life-domain instrument at two
    occasions or more (:func:`rci_parameters`, first two occasions), else from the manifest's
    ``reliable_change`` when it gives parameters for any of ``cols``
    (:func:`rci_parameters_given`); ``None`` when neither does.

    Examples
    --------
    >>> from analysis import datasets
    >>> from analysis.intake.manifest import load_study
    >>> params = rci_parameters_for(load_study(datasets.path("demo")), ["sat_health"])
    >>> params.origin, params.first, params.retest, params.table["score"].tolist()
    ('cohort', 't1', 'retest', ['sat_health'])
    """
    instrument = life_domain_instrument(study, "cohort")
    occasions = study.occasions("cohort")
    if instrument and len(occasions) >= 2:
        table = rci_parameters(study.scores("cohort", instrument), cols, occasions[:2])
        return RciParameters(table, "cohort", first=occasions[0], retest=occasions[1])
    stated = study.manifest.reliable_change
    if stated is not None:
        given = stated.parameters(list(cols))
        if len(given):
            return RciParameters(rci_parameters_given(given), "manifest", reference=stated.source)
    return None


@dataclass(frozen=True)
class LatestPair(Result):
    """``pre`` (baseline) and ``post`` (latest follow-up) aligned by respondent, the
    ``occasion`` each post row comes from (missing: no follow-up) and ``used``: clients per
    follow-up occasion (``occasion, n``; ``none`` = baseline only)."""

    pre: pd.DataFrame
    post: pd.DataFrame
    occasion: pd.Series
    used: pd.DataFrame

    def to_frame(self) -> pd.DataFrame:
        """Clients per follow-up occasion (``used``)."""
        return self.used


def latest_reading(data: pd.DataFrame, cols: Sequence[str], first: str,
                   followups: Sequence[str], id_col: str = "respondent_id",
                   occasion_col: str = "occasion") -> LatestPair:
    """Baseline and latest available follow-up per client.

    A follow-up row counts when at least one of ``cols`` is answered; the latest such
    occasion in the order of ``followups`` is used. Every client seen at ``first`` keeps a
    row (``post`` all missing without follow-up). Rows with other occasion labels are an
    error, so nothing is dropped silently.

    Examples
    --------
    >>> import pandas as pd
    >>> long = pd.DataFrame({"respondent_id": ["a", "a", "b"], "occasion": ["baseline", "6m", "baseline"],
    ...                      "s": [3, 5, 4]})
    >>> latest_reading(long, ["s"], "baseline", ["6m", "12m"]).used.values.tolist()
    [['6m', 1], ['12m', 0], ['none', 1], ['all', 2]]
    """
    cols = list(cols)
    missing = [c for c in (id_col, occasion_col, *cols) if c not in data.columns]
    if missing:
        raise KeyError(f"latest_reading: column(s) {missing} not in data")
    known = [first, *followups]
    bad = data.loc[~data[occasion_col].isin(known), occasion_col]
    if len(bad):
        raise ValueError(f"latest_reading: column {occasion_col!r} has values "
                         f"{sorted(map(str, bad.unique()))} in row(s) {list(bad.index[:10])}; "
                         f"expected {known}")
    dup = data.duplicated([id_col, occasion_col])
    if dup.any():
        raise ValueError(f"latest_reading: {id_col!r} × {occasion_col!r} repeated in row(s) "
                         f"{list(data.index[dup][:10])}")
    pre = data[data[occasion_col] == first].set_index(id_col)[cols].astype(float)
    answered = data[data[occasion_col].isin(followups) & data[cols].notna().any(axis=1)]
    rank = answered[occasion_col].map({o: i for i, o in enumerate(followups)})
    latest = answered.assign(_rank=rank).sort_values("_rank").drop_duplicates(id_col, keep="last")
    latest = latest.set_index(id_col).reindex(pre.index)
    occasion = latest[occasion_col].rename("occasion")
    used = occasion.fillna(NONE).value_counts().reindex([*followups, NONE], fill_value=0)
    used_table = pd.DataFrame({"occasion": [*used.index, ALL], "n": [*used.to_numpy(), len(pre)]})
    return LatestPair(pre=pre, post=latest[cols].astype(float), occasion=occasion, used=used_table)


def rci_parameters(cohort: pd.DataFrame, cols: Sequence[str], occasions: Sequence[str],
                   id_col: str = "respondent_id", occasion_col: str = "occasion") -> pd.DataFrame:
    """Reliability and SD for the reliable change index, from the comparison cohort.

    Returns
    -------
    DataFrame, one row per ``score``: ``n_retest`` (complete test–retest pairs), ``icc``
    (ICC(A,1)), ``n_cohort`` and ``sd`` (whole cohort at ``occasions[0]``, n − 1),
    ``sem`` = sd √(1 − icc) and ``sdc`` = 1.96 √2 sem (Jacobson & Truax 1991).

    Examples
    --------
    >>> import pandas as pd
    >>> cohort = pd.DataFrame({"respondent_id": list("abcdeabcde"), "occasion": ["t1"] * 5 + ["retest"] * 5,
    ...                        "s": [2, 4, 5, 7, 9, 3, 4, 6, 7, 8]})
    >>> params = rci_parameters(cohort, ["s"], ["t1", "retest"])
    >>> params[["score", "n_retest", "icc", "sd", "sdc"]].round(2).values.tolist()
    [['s', 5, 0.95, 2.7, 1.71]]
    """
    me = measurement_error(cohort, list(cols), tuple(occasions), id_col, occasion_col).set_index("score")
    t1 = cohort.loc[cohort[occasion_col] == occasions[0], list(cols)].astype(float)
    sd = t1.std(ddof=1)
    sem = sd * np.sqrt(1 - me["icc"].clip(upper=1))
    out = pd.DataFrame({"n_retest": me["n"], "icc": me["icc"], "n_cohort": t1.notna().sum(),
                        "sd": sd, "sem": sem, "sdc": 1.96 * np.sqrt(2) * sem})
    return out.rename_axis("score").reset_index()


def rci_classes(pair: LatestPair, params: pd.DataFrame) -> pd.DataFrame:
    """``improved`` / ``unchanged`` / ``deteriorated`` per client and score (missing without
    follow-up), from :func:`analysis.stats.change.reliable_change` with the ``sd`` and ``icc``
    of each ``score`` in ``params`` (:func:`rci_parameters`).

    Examples
    --------
    >>> import pandas as pd
    >>> long = pd.DataFrame({"respondent_id": ["a", "a", "b", "b"], "occasion": ["baseline", "6m"] * 2,
    ...                      "s": [3, 7, 4, 5]})
    >>> pair = latest_reading(long, ["s"], "baseline", ["6m"])
    >>> rci_classes(pair, pd.DataFrame({"score": ["s"], "icc": [0.8], "sd": [2.0]}))["s"].tolist()
    ['improved', 'unchanged']
    """
    params = params.set_index("score")
    cols = [c for c in pair.pre.columns if c in params.index]
    rci = reliable_change(pair.pre[cols], pair.post[cols], sd=params["sd"].to_dict(),
                          reliability=params["icc"].to_dict())
    return classify_rci(rci)


def rci_summary(classes: pd.DataFrame) -> pd.DataFrame:
    """Clients per reliable-change class and score: ``score, change, n, percent`` (percent of
    the clients classified on that score), each score closed by an ``all`` row.

    Examples
    --------
    >>> c = pd.DataFrame({"s": ["improved", "improved", "unchanged", None]})
    >>> rci_summary(c)["n"].tolist()
    [2, 1, 0, 3]
    """
    rows = []
    for col in classes.columns:
        counts = classes[col].value_counts().reindex(list(CLASSES), fill_value=0)
        total = int(counts.sum())
        rows += [{"score": col, "change": k, "n": int(v), "percent": 100 * v / total if total else np.nan}
                 for k, v in counts.items()]
        rows.append({"score": col, "change": ALL, "n": total, "percent": 100.0 if total else np.nan})
    return pd.DataFrame(rows)


def goal_summary(goals: GoalAttainment) -> pd.DataFrame:
    """Goals reached per domain plus a total row (``all``): ``domain, n_goals, n_reached,
    share_reached`` (share of all goals set in any domain).

    Examples
    --------
    >>> import pandas as pd
    >>> b, f = pd.DataFrame({"goal_housing": [8, 7]}), pd.DataFrame({"sat_housing": [8, 5]})
    >>> goals = goal_attainment(b, f, ["housing"])
    >>> goal_summary(goals)[["domain", "n_goals", "share_reached"]].values.tolist()
    [['housing', 2, 0.5], ['all', 2, 0.5]]
    """
    per = goals.per_domain
    total = pd.DataFrame([{"domain": ALL, "n_goals": int(per["n_goals"].sum()),
                           "n_reached": int(per["n_reached"].sum())}])
    total["share_reached"] = total["n_reached"] / total["n_goals"].replace(0, np.nan)
    return pd.concat([per, total], ignore_index=True)


def profile_means(change: pd.DataFrame, prefix: str = "sat_") -> pd.DataFrame:
    """Domain means at the first and latest reading from a :func:`analysis.stats.change.paired_change`
    table (or the table as a report publishes it): index domain key
    (``prefix`` removed), columns ``first``, ``latest``; rows of other scores (e.g.
    ``domain_mean``) are left out. A mean hidden by disclosure control (``<5``, ``..``) is NaN.

    Examples
    --------
    >>> t = pd.DataFrame({"score": ["sat_health", "sat_family", "domain_mean"], "mean_pre": [5.0, "<5", 6.0],
    ...                   "mean_post": [6.0, "<5", 7.0]})
    >>> profile_means(t).to_dict("index")
    {'health': {'first': 5.0, 'latest': 6.0}, 'family': {'first': nan, 'latest': nan}}
    """
    change = change.set_index("score")
    rows = change[change.index.astype(str).str.startswith(prefix)]
    return pd.DataFrame({"first": pd.to_numeric(rows["mean_pre"], errors="coerce").to_numpy(float),
                         "latest": pd.to_numeric(rows["mean_post"], errors="coerce").to_numpy(float)},
                        index=pd.Index(rows.index.astype(str).str.removeprefix(prefix), name="domain"))


def example_profiles(data: pd.DataFrame, domains: Sequence[str], occasions: Sequence[str], k: int = 3,
                     seed: int = 2026, id_col: str = "respondent_id",
                     occasion_col: str = "occasion", prefix: str = "sat_") -> dict[str, pd.DataFrame]:
    """Readings of ``k`` clients for individual profile charts, chosen reproducibly.

    Clients with the most readings among ``occasions`` are eligible; ``k`` of them (sorted
    ids) are drawn with ``numpy.random.default_rng(seed)``. Returns ``{"A": readings, ...}``
    with one row per occasion (index, in ``occasions`` order) and one column per domain key —
    labels instead of ids, so charts do not name clients.

    Examples
    --------
    >>> import pandas as pd
    >>> long = pd.DataFrame({"respondent_id": ["a", "a", "b"], "occasion": ["baseline", "6m", "baseline"],
    ...                      "sat_health": [3, 5, 4]})
    >>> example_profiles(long, ["health"], ["baseline", "6m"])["A"]["health"].tolist()
    [3.0, 5.0]
    """
    rows = data[data[occasion_col].isin(occasions)]
    n_readings = rows.groupby(id_col)[occasion_col].nunique()
    eligible = np.sort(n_readings.index[n_readings == n_readings.max()].to_numpy(dtype=str))
    chosen = np.random.default_rng(seed).choice(eligible, size=min(k, len(eligible)), replace=False)
    cols = [f"{prefix}{d}" for d in domains]
    out = {}
    for label, rid in zip("ABCDEFGHIJ", chosen):
        person = rows[rows[id_col] == rid].set_index(occasion_col)[cols].astype(float)
        person = person.reindex([o for o in occasions if o in person.index])
        out[label] = person.set_axis(list(domains), axis=1)
    return out

@dataclass(frozen=True)
class GoalAttainment(Result):
    """Goals reached at follow-up: ``per_person`` (indexed by respondent, like the input
    frames) and ``per_domain`` (``domain`` first) tables of ``n_goals, n_reached,
    share_reached``."""

    per_person: pd.DataFrame
    per_domain: pd.DataFrame

    def to_frame(self) -> pd.DataFrame:
        """The ``per_domain`` table."""
        return self.per_domain


def goal_attainment(baseline: pd.DataFrame, followup: pd.DataFrame, domains: Sequence[str]) -> GoalAttainment:
    """Share of domains in which the follow-up satisfaction reached the baseline goal.

    A domain counts for a person when a goal was set at baseline (``goal_<d>``) and the
    follow-up satisfaction (``sat_<d>``) is observed; it is reached when
    ``sat_<d>(follow-up) ≥ goal_<d>(baseline)``. Persons without follow-up have ``n_goals`` 0
    and a missing share.

    Examples
    --------
    >>> import pandas as pd
    >>> b = pd.DataFrame({"goal_housing": [8, 7], "goal_family": [9, None]}, index=["a", "b"])
    >>> f = pd.DataFrame({"sat_housing": [8, 5], "sat_family": [6, 7]}, index=["a", "b"])
    >>> goal_attainment(b, f, ["housing", "family"]).per_person["share_reached"].tolist()
    [0.5, 0.0]
    """
    goals = baseline[[f"goal_{d}" for d in domains]].astype(float).set_axis(list(domains), axis=1)
    sat = followup.reindex(baseline.index)[[f"sat_{d}" for d in domains]].astype(float).set_axis(list(domains), axis=1)
    valid = goals.notna() & sat.notna()
    reached = (sat >= goals) & valid

    def table(axis: int, name: str) -> pd.DataFrame:
        n = valid.sum(axis=axis)
        k = reached.sum(axis=axis)
        out = pd.DataFrame({"n_goals": n, "n_reached": k, "share_reached": (k / n.replace(0, np.nan))})
        out.index.name = name
        return out

    return GoalAttainment(per_person=table(1, baseline.index.name or "respondent_id"),
                          per_domain=table(0, "domain").reset_index())


# ----------------------------------------------------------------------------- the 3X perspectives
def rci_parameters_given(reliability: pd.DataFrame) -> pd.DataFrame:
    """RCI parameters stated in the study manifest (``score, reliability, sd``) in the layout
    of :func:`rci_parameters` (``icc`` holds the stated reliability; no retest counts).

    Examples
    --------
    >>> import pandas as pd
    >>> given = pd.DataFrame({"score": ["s"], "reliability": [0.84], "sd": [2.5]})
    >>> rci_parameters_given(given)[["score", "icc", "sem", "sdc"]].round(2).values.tolist()
    [['s', 0.84, 1.0, 2.77]]
    """
    sd = reliability.set_index("score")["sd"].astype(float)
    r = reliability.set_index("score")["reliability"].astype(float)
    sem = sd * np.sqrt(1 - r)
    out = pd.DataFrame({"n_retest": np.nan, "icc": r, "n_cohort": np.nan, "sd": sd, "sem": sem,
                        "sdc": 1.96 * np.sqrt(2) * sem})
    return out.rename_axis("score").reset_index()


def band_distribution(first: pd.DataFrame, latest: pd.DataFrame, bands: Sequence[str]) -> pd.DataFrame:
    """Clients per traffic-light band and domain at the first and the latest reading.

    ``first`` and ``latest`` hold the ``band_<domain>`` columns of the scores (one row per
    client). Returns ``domain, band, n_first, n_latest``; every band is listed, then ``all``
    (the clients with a rating at that reading).

    Examples
    --------
    >>> f = pd.DataFrame({"band_housing": ["low", "high", "high"]})
    >>> band_distribution(f, f, ["low", "moderate", "high"])["n_first"].tolist()
    [1, 0, 2, 3]
    """
    rows = []
    for col in [c for c in first.columns if c.startswith("band_")]:
        a = first[col].astype("string").value_counts()
        b = latest[col].astype("string").value_counts() if col in latest else pd.Series(dtype=int)
        for band in [*bands, ALL]:
            rows.append({"domain": col.removeprefix("band_"), "band": band,
                         "n_first": int(a.sum() if band == ALL else a.get(band, 0)),
                         "n_latest": int(b.sum() if band == ALL else b.get(band, 0))})
    return pd.DataFrame(rows)


def priorities(baseline: pd.DataFrame, domains: Sequence[str]) -> pd.DataFrame:
    """Importance-based priority domains at baseline and the goal gap per domain.

    From the scores' ``priority_<d>`` (important and unsatisfactory, thresholds of the
    instrument YAML) and ``gap_<d>`` (goal − satisfaction): ``domain, n`` (clients with both
    importance and satisfaction), ``n_priority``, ``pct_priority``, ``n_gap`` (clients with a
    goal), ``mean_gap``, ``sd_gap``. Domains without importance or goal columns get NaN.

    Examples
    --------
    >>> b = pd.DataFrame({"priority_housing": pd.array([True, False, None], dtype="boolean"),
    ...                   "gap_housing": [3.0, 0.0, None]})
    >>> row = priorities(b, ["housing"]).iloc[0]
    >>> int(row["n"]), int(row["n_priority"]), float(row["mean_gap"])
    (2, 1, 1.5)
    """
    rows = []
    for d in domains:
        pr = baseline.get(f"priority_{d}")
        gap = baseline.get(f"gap_{d}")
        answered = pr.dropna() if pr is not None else pd.Series(dtype=bool)
        g = gap.astype(float).dropna() if gap is not None else pd.Series(dtype=float)
        rows.append({"domain": d, "n": len(answered), "n_priority": int(answered.astype(bool).sum()),
                     "pct_priority": 100 * answered.astype(bool).mean() if len(answered) else np.nan,
                     "n_gap": len(g), "mean_gap": g.mean() if len(g) else np.nan,
                     "sd_gap": g.std(ddof=1) if len(g) > 1 else np.nan})
    return pd.DataFrame(rows)


def priorities_per_client(baseline: pd.DataFrame) -> pd.DataFrame:
    """How many priority domains each client had at baseline: ``priority_domains, n`` (clients
    with that many: every number from 0 to the number of domains, then ``all`` clients who
    rated importance at all).

    Examples
    --------
    >>> b = pd.DataFrame({"priority_a": pd.array([True, False, True], dtype="boolean"),
    ...                   "priority_b": pd.array([True, False, None], dtype="boolean")})
    >>> priorities_per_client(b).values.tolist()
    [['0', 1], ['1', 1], ['2', 1], ['all', 3]]
    """
    flags = baseline[[c for c in baseline.columns if c.startswith("priority_")]]
    rated = flags.notna().any(axis=1)
    k = flags[rated].fillna(False).astype(bool).sum(axis=1)
    counts = k.value_counts().reindex(range(flags.shape[1] + 1), fill_value=0)
    return pd.DataFrame({"priority_domains": [*map(str, counts.index), ALL], "n": [*counts.to_numpy(int), int(rated.sum())]})


def anchor_for(anchor: pd.DataFrame, occasions: Sequence[str], id_col: str = "respondent_id") -> pd.Series:
    """Each client's global change rating: the one at the latest declared occasion when the
    anchor file has several (indexed by ``id_col``).

    Examples
    --------
    >>> import pandas as pd
    >>> anchor = pd.DataFrame({"respondent_id": ["a", "a", "b"], "occasion": ["6m", "12m", "6m"], "anchor": [1, 2, 0]})
    >>> anchor_for(anchor, ["6m", "12m"]).sort_index().to_dict()
    {'a': 2.0, 'b': 0.0}
    """
    data = anchor
    if "occasion" in data and data["occasion"].notna().any():
        rank = data["occasion"].map({o: i for i, o in enumerate(occasions)})
        data = data.assign(_rank=rank).sort_values("_rank", kind="stable").drop_duplicates(id_col, keep="last")
    return data.set_index(id_col)["anchor"].astype(float)


def band_names(instrument: str) -> list[str]:
    """The traffic-light bands of a life-domain instrument, lowest first (from its YAML).

    Examples
    --------
    >>> band_names("3x10d")
    ['low', 'moderate', 'high']
    """
    from analysis.intake.instruments import load_instrument

    return [b["name"] for b in sorted(load_instrument(instrument).scoring["bands"], key=lambda b: b["min"])]


def latest_rows(data: pd.DataFrame, cols: Sequence[str], first: str, followups: Sequence[str],
                id_col: str = "respondent_id", occasion_col: str = "occasion") -> pd.DataFrame:
    """Every column of each client's latest follow-up row with an answer in ``cols`` (indexed
    by ``id_col``, clients seen at ``first`` without follow-up left out) — for tables of
    non-numeric scores such as bands, alongside :func:`latest_reading`.

    Examples
    --------
    >>> import pandas as pd
    >>> long = pd.DataFrame({"respondent_id": ["a", "a", "a", "b"], "occasion": ["baseline", "6m", "12m", "baseline"],
    ...                      "band_health": ["low", "moderate", None, "high"]})
    >>> latest_rows(long, ["band_health"], "baseline", ["6m", "12m"])[["occasion", "band_health"]].values.tolist()
    [['6m', 'moderate']]
    """
    answered = data[data[occasion_col].isin(followups) & data[list(cols)].notna().any(axis=1)]
    rank = answered[occasion_col].map({o: i for i, o in enumerate(followups)})
    latest = answered.assign(_rank=rank).sort_values("_rank", kind="stable").drop_duplicates(id_col, keep="last")
    seen = set(data.loc[data[occasion_col] == first, id_col])
    return latest[latest[id_col].isin(seen)].drop(columns="_rank").set_index(id_col)


# ----------------------------------------------------------------------------- minimal important change
#: Decimals of change scores before the MIC (far below any scale's step, far above float noise).
CHANGE_DECIMALS = 10


def anchor_improved(study: Study, population: str = "pilot", dataset: str = "anchor",
                    column: str = "anchor") -> list:
    """The anchor answers that mean *improved*, as the anchor's Table Schema declares them: the
    ``categories`` of ``column`` marked ``improved: true`` (empty when none is marked).

    Examples
    --------
    >>> from analysis import datasets
    >>> from analysis.intake.manifest import load_study
    >>> anchor_improved(load_study(datasets.path("demo")))
    [1, 2]
    """
    from analysis.intake.dictionary import load_schema

    values: list = []
    for entry in study.manifest.entries(population, dataset):
        if entry.schema is None:
            continue
        for fld in load_schema(entry.schema)["fields"]:
            if fld["name"] == column:
                values += [c["value"] for c in fld.get("categories", ()) if c.get("improved") and c["value"] not in values]
    return values


def mic_table(pair: LatestPair, anchor: pd.Series, scores: Sequence[str], improved: Sequence, *,
              min_group: int, n_boot: int = 1000, seed: int = 2026) -> pd.DataFrame:
    """Anchor-based minimal important change of each of ``scores`` (change = latest − first
    reading of ``pair``) by :func:`analysis.stats.change.mic`, one row per score: ``score, n,
    n_improved, n_not_improved``, ``auc`` (DeLong interval), ``mic_roc``, ``mic_pred``,
    ``mic_adj`` (bootstrap percentile intervals ``<mic>_ci_low/_ci_high``) and ``pct_roc``,
    ``pct_pred``, ``pct_adj`` (per cent of the clients whose change is at least that MIC).

    Change is rounded to :data:`CHANGE_DECIMALS` decimals first: a mean of items differs
    from an equal one in the last bits when summed in another order, and such a false
    difference can make the logistic regression of a bootstrap resample singular.

    ``anchor`` is each client's anchor answer (:func:`anchor_for`); a client is improved when
    it is in ``improved``, not improved otherwise. A score whose improved or not-improved group
    has fewer than ``min_group`` clients gets its counts only (``too_small`` True; statistics
    missing): its MICs would describe too few persons.

    Examples
    --------
    >>> from analysis import datasets
    >>> from analysis.intake.manifest import load_study
    >>> study = load_study(datasets.path("demo"))
    >>> fu = follow_up(study)
    >>> pair = latest_reading(fu.scores, ["domain_mean"], fu.first, fu.followups)
    >>> anchor = anchor_for(study.table("pilot", "anchor"), fu.occasions)
    >>> t = mic_table(pair, anchor, ["domain_mean"], [1, 2], min_group=10, n_boot=50)
    >>> t[["score", "too_small"]].values.tolist()
    [['domain_mean', False]]
    """
    from analysis.stats.change import MIC_MIN_GROUP, mic

    rows = []
    for score in scores:
        change = (pair.post[score] - pair.pre[score]).round(CHANGE_DECIMALS)
        data = pd.DataFrame({"change": change}).join(anchor.rename("anchor"), how="inner").dropna()
        n1 = int(data["anchor"].isin(list(improved)).sum())
        row = {"score": score, "n": len(data), "n_improved": n1, "n_not_improved": len(data) - n1,
               "too_small": min(n1, len(data) - n1) < max(min_group, MIC_MIN_GROUP)}
        if not row["too_small"]:
            res = mic(data, "change", "anchor", improved=list(improved), n_boot=n_boot, seed=seed)
            est = res.estimates.set_index("method")
            row |= {"auc": res.auc, "auc_ci_low": res.auc_ci_low, "auc_ci_high": res.auc_ci_high}
            for method, key in (("roc", "mic_roc"), ("predictive", "mic_pred"), ("adjusted", "mic_adj")):
                row |= {key: est.loc[method, "mic"], f"{key}_ci_low": est.loc[method, "ci_low"],
                        f"{key}_ci_high": est.loc[method, "ci_high"],
                        f"pct_{key.removeprefix('mic_')}": 100 * est.loc[method, "share_at_least"]}
        rows.append(row)
    return pd.DataFrame(rows)


# ----------------------------------------------------------------------------- three or more occasions
def occasions_with_data(fu: FollowUp, score: str) -> tuple[str, ...]:
    """The declared occasions at which some client has ``score``, in the declared order.

    Examples
    --------
    >>> long = pd.DataFrame({"respondent_id": ["a", "a"], "occasion": ["t0", "t1"], "s": [1.0, None]})
    >>> from analysis.study.domains import life_domains
    >>> occasions_with_data(FollowUp("3x10d", life_domains("3x10d"), long, ("t0", "t1", "t2")), "s")
    ('t0',)
    """
    seen = set(fu.scores.loc[fu.scores[score].notna(), "occasion"])
    return tuple(o for o in fu.occasions if o in seen)


@dataclass(frozen=True)
class RepeatedChange(Result):
    """Change over all occasions per score: ``anova`` (one row per score: the rm-ANOVA's
    ``n_complete, f_rm, df1, df2, eps_gg, p_gg, np2`` and the mixed model's ``n_persons``),
    ``effects`` (one row per score × later occasion: the mixed model's difference from the
    first occasion, ``n_obs, est, se, ci_low, ci_high, p``) and ``pairwise`` (Holm-adjusted
    paired t tests of the complete cases: ``score, occasion_a, occasion_b, n, t, df, p,
    p_holm, hedges_g``)."""

    anova: pd.DataFrame
    effects: pd.DataFrame
    pairwise: pd.DataFrame

    def to_frame(self) -> pd.DataFrame:
        """The ``anova`` table."""
        return self.anova


def repeated_change(fu: FollowUp, scores: Sequence[str]) -> RepeatedChange:
    """rm-ANOVA (:func:`analysis.stats.change.rm_anova`) and the mixed model
    (:func:`analysis.stats.change.mixed_change`) of each of ``scores`` over the declared
    occasions that have data (:func:`occasions_with_data`), first occasion the reference.

    Examples
    --------
    >>> from analysis import datasets
    >>> from analysis.intake.manifest import load_study
    >>> res = repeated_change(follow_up(load_study(datasets.path("demo"))), ["domain_mean"])
    >>> res.anova[["score", "n_complete", "n_persons"]].values.tolist()
    [['domain_mean', 29, 33]]
    >>> res.effects[["score", "occasion"]].values.tolist()
    [['domain_mean', '6m'], ['domain_mean', '12m']]
    """
    from analysis.stats.change import mixed_change, rm_anova

    anova, effects, pairwise = [], [], []
    for score in scores:
        occasions = list(occasions_with_data(fu, score))
        data = fu.scores[fu.scores["occasion"].isin(occasions)]
        aov = rm_anova(data, score, "occasion", "respondent_id", occasions=occasions)
        mixed = mixed_change(data, score, "occasion", "respondent_id", occasions=occasions)
        anova.append({"score": score, "n_complete": aov.n, "f_rm": aov.F, "df1": aov.df1, "df2": aov.df2,
                      "eps_gg": aov.eps_gg, "p_gg": aov.p_gg, "np2": aov.np2, "n_persons": mixed.n_persons})
        diff = mixed.effects[mixed.effects["term"] == "difference"]
        effects.append(pd.DataFrame({
            "score": score, "occasion": diff["occasion"].to_numpy(), "n_obs": diff["n"].to_numpy(),
            "est": diff["estimate"].to_numpy(), "se": diff["se"].to_numpy(), "ci_low": diff["ci_low"].to_numpy(),
            "ci_high": diff["ci_high"].to_numpy(), "p": diff["p"].to_numpy()}))
        pairwise.append(aov.pairwise.assign(score=score))
    pw = pd.concat(pairwise, ignore_index=True)
    return RepeatedChange(anova=pd.DataFrame(anova), effects=pd.concat(effects, ignore_index=True),
                          pairwise=pw[["score", *[c for c in pw.columns if c != "score"]]])
