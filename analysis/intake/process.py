"""The client process and the identification criteria a study declares, and the checks of the
process-event file against them (issue 20).

Two optional blocks of ``manifest.yaml`` (read by :func:`analysis.intake.manifest.read_manifest`,
which reports their mistakes with every other manifest mistake in one message)::

    process:
      phases: [ohjautuminen, arviointi, suunnitelma, vastuutyöntekijä, tarkistus, jatkosuunnitelma]
      plan: suunnitelma            # optional roles of declared phases: the plan (time to plan,
      worker: vastuutyöntekijä     #   start of the review interval), a named responsible worker,
      review: tarkistus            #   a review of the plan (may repeat)
      review_months: 6             # a plan is reviewed on time within this many months
      until: 2016-12-31            # last day the events cover (default: the manifest's date,
                                   #   else the last event)
    identification:
      window_months: 12            # visits in the last 12 months up to `end`
      min_visits: 10               # at least this many visits …
      min_sectors: 2               # … in at least this many sectors
      services: [nurse, doctor, social_work]            # optional: only these services count
      sectors: {nurse: health, doctor: health, social_work: social}   # optional: service → sector
      end: 2016-12-31              # optional (default: the manifest's date, else the last visit)

``phases`` are the study's own labels in process order; the first is the **referral**, from which
every time is counted. A service without a sector in ``sectors`` is a sector of its own.

Checks of a process-event file (dataset ``process-events``) when the study is loaded; each
rejects the row with its reason (file, row, column, value), so that rows read = accepted +
rejected still holds:

* a phase that is not declared (cells are matched to the declared labels ignoring case and
  spacing and written as declared);
* a client who is not in the study's visit register (``service-visits`` of the same
  population), when the study has one;
* a client without a referral row, and a date before the client's referral.

Examples
--------
>>> problems = []
>>> spec = read_process({"phases": ["ohjaus", "suunnitelma", "tarkistus"], "plan": "suunnitelma",
...                      "review": "tarkistus", "review_months": 6}, problems)
>>> spec.referral, spec.plan, problems
('ohjaus', 'suunnitelma', [])
>>> read_identification({"window_months": 0, "min_visits": 10}, problems) is None, problems
(True, ['identification.window_months: expected a whole number ≥ 1, got 0'])
"""
from __future__ import annotations

import dataclasses
import datetime as _dt
from dataclasses import dataclass, field
from typing import Mapping, Sequence

import pandas as pd

from analysis.intake.readers import LoadResult

#: The dataset of process events and of the visit register they are checked against.
EVENTS, REGISTER = "process-events", "service-visits"
#: The roles a declared phase can have.
ROLES = ("plan", "worker", "review")
_PROCESS_KEYS = {"phases", *ROLES, "review_months", "until"}
_IDENTIFICATION_KEYS = {"window_months", "min_visits", "min_sectors", "services", "sectors", "end"}


def fold(label: object) -> str:
    """A label as compared: case folded, runs of white space one space, trimmed.

    Examples
    --------
    >>> fold("  Vastuu  Työntekijä ")
    'vastuu työntekijä'
    """
    return " ".join(str(label).split()).casefold()


@dataclass(frozen=True)
class ProcessSpec:
    """The declared client process: ``phases`` in order (the first is the referral), the
    phases with a role (``plan``, ``worker``, ``review``; ``None`` when not declared), the review
    interval in months and the last day the events cover (``until``)."""

    phases: tuple[str, ...]
    plan: str | None = None
    worker: str | None = None
    review: str | None = None
    review_months: int | None = None
    until: _dt.date | None = None

    @property
    def referral(self) -> str:
        return self.phases[0]


@dataclass(frozen=True)
class IdentificationSpec:
    """Declared criteria of a client who uses many services: at least ``min_visits`` visits in
    at least ``min_sectors`` sectors within ``window_months`` months up to ``end``; only the
    ``services`` listed count (``None``: all); ``sectors`` maps a service to its sector."""

    window_months: int
    min_visits: int
    min_sectors: int = 1
    services: tuple[str, ...] | None = None
    sectors: Mapping[str, str] = field(default_factory=dict)
    end: _dt.date | None = None


def _whole(value: object, where: str, problems: list[str], minimum: int = 1) -> int | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or int(value) != value or value < minimum:
        problems.append(f"{where}: expected a whole number ≥ {minimum}, got {value!r}")
        return None
    return int(value)


def declared_date(value: object, where: str, problems: list[str]) -> _dt.date | None:
    """A date the manifest declares (YAML date or ``YYYY-MM-DD`` text); ``None`` when not
    given or not a date (then a problem naming ``where`` is added)."""
    if value is None or (isinstance(value, _dt.date) and not isinstance(value, _dt.datetime)):
        return value
    try:
        return _dt.date.fromisoformat(str(value))
    except ValueError:
        problems.append(f"{where}: {value!r} is not a date written YYYY-MM-DD (e.g. 2025-06-30)")
        return None


def read_process(value: object, problems: list[str]) -> ProcessSpec | None:
    """The manifest's ``process`` block checked; mistakes appended to ``problems``."""
    if value is None:
        return None
    example = ("process: expected {phases: [referral, ..., plan, ...] in process order, plan: <phase>, "
               "worker: <phase>, review: <phase>, review_months: 6}")
    if not isinstance(value, Mapping):
        problems.append(example)
        return None
    n_before = len(problems)
    unknown = sorted(set(map(str, value)) - _PROCESS_KEYS)
    if unknown:
        problems.append(f"process: unknown key(s) {unknown}; known: {', '.join(sorted(_PROCESS_KEYS))}")
    phases = value.get("phases")
    if not isinstance(phases, list) or len(phases) < 2 or not all(isinstance(p, (str, int)) for p in phases):
        problems.append("process.phases: expected a list of at least two phase labels in process order "
                        "(the first is the referral)")
        return None
    phases = tuple(str(p) for p in phases)
    folded = [fold(p) for p in phases]
    if len(set(folded)) != len(folded):
        problems.append(f"process.phases: labels repeat or differ only in case or spacing: {list(phases)}")
    roles = {}
    for role in ROLES:
        given = value.get(role)
        if given is None:
            roles[role] = None
            continue
        match = [p for p in phases if fold(p) == fold(given)]
        if not match:
            problems.append(f"process.{role}: {given!r} is not one of the declared phases ({', '.join(phases)})")
            roles[role] = None
        elif match[0] == phases[0]:
            problems.append(f"process.{role}: {given!r} is the referral (the first phase); name a later phase")
            roles[role] = None
        else:
            roles[role] = match[0]
    months = value.get("review_months")
    if months is not None:
        months = _whole(months, "process.review_months", problems)
    if months is not None and roles["review"] is None:
        problems.append("process.review_months: given, but no review phase (process.review: <phase>)")
    until = declared_date(value.get("until"), "process.until", problems)
    if len(problems) > n_before:
        return None
    return ProcessSpec(phases=phases, review_months=months, until=until, **roles)


def read_identification(value: object, problems: list[str]) -> IdentificationSpec | None:
    """The manifest's ``identification`` block checked; mistakes appended to ``problems``."""
    if value is None:
        return None
    if not isinstance(value, Mapping):
        problems.append("identification: expected {window_months: 12, min_visits: 10, min_sectors: 2, "
                        "services: [...] (optional), sectors: {service: sector} (optional)}")
        return None
    n_before = len(problems)
    unknown = sorted(set(map(str, value)) - _IDENTIFICATION_KEYS)
    if unknown:
        problems.append(f"identification: unknown key(s) {unknown}; known: {', '.join(sorted(_IDENTIFICATION_KEYS))}")
    for key in ("window_months", "min_visits"):
        if key not in value:
            problems.append(f"identification.{key}: required (e.g. window_months: 12, min_visits: 10)")
    window = _whole(value.get("window_months"), "identification.window_months", problems) \
        if "window_months" in value else None
    visits = _whole(value.get("min_visits"), "identification.min_visits", problems) if "min_visits" in value else None
    sectors_min = _whole(value.get("min_sectors", 1), "identification.min_sectors", problems)
    services = value.get("services")
    if services is not None:
        if not isinstance(services, list) or not services or not all(isinstance(s, (str, int)) for s in services):
            problems.append("identification.services: expected a non-empty list of the register's service types")
            services = None
        else:
            services = tuple(str(s) for s in services)
    sectors = value.get("sectors") or {}
    if not isinstance(sectors, Mapping) or not all(isinstance(v, (str, int)) for v in sectors.values()):
        problems.append("identification.sectors: expected a mapping service type → sector, e.g. "
                        "{nurse: health, social_work: social}")
        sectors = {}
    sectors = {str(k): str(v) for k, v in sectors.items()}
    if services is not None and sectors:
        stray = sorted(set(map(fold, sectors)) - set(map(fold, services)))
        if stray:
            problems.append(f"identification.sectors: service(s) {stray} are not in identification.services")
    end = declared_date(value.get("end"), "identification.end", problems)
    if len(problems) > n_before:
        return None
    return IdentificationSpec(window_months=window, min_visits=visits, min_sectors=sectors_min, services=services,
                              sectors=sectors, end=end)


def check_declared(entries: Sequence, process: ProcessSpec | None, problems: list[str],
                   numbers: Mapping[str, int]) -> None:
    """A process-event file needs a declared process (``entries``: the manifest's accepted
    file entries; ``numbers``: each entry's key → its number among all ``files``)."""
    if process is not None:
        return
    for entry in entries:
        if getattr(entry, "dataset", None) == EVENTS:
            problems.append(f"files[{numbers[entry.key]}] ({entry.path}): dataset {EVENTS!r} needs the process declared "
                            "in the manifest: process: {phases: [<referral>, ..., <plan>, ...]} in process order")


def check_events(manifest, loaded: dict[str, LoadResult]) -> None:
    """Reject the rows of every process-event file that break the declarations (module
    docstring); ``loaded`` (file key → :class:`LoadResult`) is updated in place."""
    process = getattr(manifest, "process", None)
    if process is None:
        return
    declared = {fold(p): p for p in process.phases}
    for entry in manifest.files:
        if entry.dataset != EVENTS or entry.key not in loaded:
            continue
        result = loaded[entry.key]
        data = result.data
        if not len(data) or not {"respondent_id", "phase", "date"} <= set(data.columns):
            continue
        # 1. phases as declared
        matched = data["phase"].map(lambda v: declared.get(fold(v)) if not pd.isna(v) else None)
        bad = matched.isna()
        reasons = data["phase"].map(lambda v: f"phase {v!r} is not declared in the manifest "
                                              f"(process.phases: {', '.join(process.phases)})")
        result = result.reject(bad, "phase", reasons, "phase_undeclared", {"declared": list(process.phases)})
        result = dataclasses.replace(result, data=result.data.assign(phase=matched[~bad].astype(object)))
        # 2. clients in the visit register
        registers = [e for e in manifest.entries(entry.population, REGISTER) if e.key in loaded]
        if registers:
            known = set().union(*(set(loaded[e.key].data["respondent_id"].dropna().astype(str)) for e in registers
                                  if "respondent_id" in loaded[e.key].data))
            ids = result.data["respondent_id"].astype(str)
            bad = ~ids.isin(known)
            files = ", ".join(e.path for e in registers)
            reasons = ids.map(lambda i: f"client {i!r} is not in the visit register ({files}): every client of the "
                                        "process must be found there")
            result = result.reject(bad, "respondent_id", reasons, "not_in_register", {"files": files})
        # 3. a referral, and no date before it
        data = result.data
        day = pd.to_datetime(data["date"]).dt.normalize()
        first = (data.assign(_day=day)[data["phase"].eq(process.referral)]
                 .sort_values("_day", kind="stable").drop_duplicates("respondent_id"))
        referral = dict(zip(first["respondent_id"], first["_day"]))
        ref_row = dict(zip(first["respondent_id"], first.index))
        start = data["respondent_id"].map(referral)
        no_ref = start.isna()
        reasons = data["respondent_id"].map(
            lambda i: f"client {i!r} has no row of the referral phase {process.referral!r} (the first declared "
                      "phase, from which times are counted)")
        result = result.reject(no_ref, "respondent_id", reasons, "no_referral", {"referral": process.referral})
        data, day, start = result.data, day[~no_ref], start[~no_ref]
        early = day < start
        reasons = pd.Series([f"date {d.date().isoformat()} is before the client's referral on "
                             f"{s.date().isoformat()} (row {ref_row[i]})" if e else ""
                             for d, s, i, e in zip(day, start, data["respondent_id"], early)], index=data.index,
                            dtype=object)
        facts = pd.Series([{"referral_date": s.date().isoformat(), "referral_row": int(ref_row[i])} if e else {}
                           for s, i, e in zip(start, data["respondent_id"], early)], index=data.index, dtype=object)
        loaded[entry.key] = result.reject(early, "date", reasons, "before_referral", facts)
