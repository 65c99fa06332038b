"""Half-yearly indicator report: one reporting period against the half-year before it.

A municipality reports its own indicators every half year: a long file with one row per
``period`` × ``indicator`` and its ``value`` (dataset ``indicators``; optional ``unit`` and
``target``). An optional *catalogue* (dataset ``indicator-catalogue``) says what each
indicator is: its label in Finnish/Swedish/English, unit, the desired direction of change
(``up`` or ``down``) and a target. Nothing about the indicators is written in this module.

:func:`indicator_report` builds the table of one period: value, the preceding half-year's
value, the change (percentage points for ``percent``), whether it moved the desired way and
whether the target was met. Periods are half-years written ``2016H1``, ``2016 H1``,
``2016/H1`` or ``H1/2016`` (all read as ``2016H1``).

Indicators may be related: a count the sum of other counts (the clients of a region = those
of its municipalities) or a percentage the share of one count in another. The catalogue
declares it (``sum_of``: ``a + b``; ``share_of``: ``part / total``); the report's table
carries the relations in ``attrs["disclosure"]`` (count indicators as counts, each period
apart), so that disclosure control (:class:`analysis.report.disclosure.TableSpec`) hides a
small count in every indicator it can be recomputed from. :func:`undeclared_relations` finds
such relations that hold exactly in every period of the data but are not declared; they are
protected too, and a report says so.

Examples
--------
>>> import pandas as pd
>>> d = pd.DataFrame({"period": ["2016H1", "2016H2"], "indicator": "notices", "value": [25.0, 20.0]})
>>> cat = pd.DataFrame({"indicator": ["notices"], "direction": ["down"], "label_en": ["Notices"]})
>>> row = indicator_report(d, catalogue=cat).iloc[0]
>>> row["label"], float(row["change"]), bool(row["desired"])
('Notices', -5.0, True)
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import combinations

import numpy as np
import pandas as pd

from analysis.stats.results import Result

_PERIOD = re.compile(r"^\s*(\d{4})\s*[/-]?\s*[Hh]\s*([12])\s*$|^\s*[Hh]\s*([12])\s*[/-]?\s*(\d{4})\s*$")
DIRECTIONS = ("up", "down")
#: Populations whose indicator file a report uses: the first of them that has one.
POPULATIONS = ("pilot", "staff", "cohort")


def normalise_period(period: object) -> str:
    """A half-year as ``YYYYH1``/``YYYYH2``.

    Examples
    --------
    >>> normalise_period("2016 H2"), normalise_period("h1/2017")
    ('2016H2', '2017H1')
    """
    m = _PERIOD.match(str(period))
    if not m:
        raise ValueError(f"period {period!r}: expected a half-year such as 2016H1, 2016 H2 or H1/2016")
    year, half = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(3))
    return f"{year}H{half}"


def previous_period(period: str) -> str:
    """The half-year before ``period``.

    Examples
    --------
    >>> previous_period("2016H1"), previous_period("2016H2")
    ('2015H2', '2016H1')
    """
    norm = normalise_period(period)
    year, half = int(norm[:4]), int(norm[-1])
    return f"{year}H1" if half == 2 else f"{year - 1}H2"


def _check(data: pd.DataFrame) -> pd.DataFrame:
    needed = ["period", "indicator", "value"]
    missing = [c for c in needed if c not in data.columns]
    if missing:
        raise KeyError(f"indicator data lack column(s) {missing}; expected {needed} (optional: unit, target)")
    problems = []
    periods = []
    for r, v in data["period"].items():
        try:
            periods.append(normalise_period(v))
        except ValueError:
            periods.append(None)
            problems.append(f"row {r}, column 'period': value {v!r}, expected a half-year such as 2016H1")
    out = data.assign(period=periods)
    dup = out.duplicated(["period", "indicator"], keep=False) & out["period"].notna()
    problems += [f"row {r}: period {p!r}, indicator {i!r} occurs more than once"
                 for r, (p, i) in out.loc[dup, ["period", "indicator"]].iterrows()]
    if problems:
        raise ValueError("indicator data: " + "; ".join(problems))
    return out


def _check_units(data: pd.DataFrame, catalogue: pd.DataFrame | None) -> None:
    """A unit given both in the data and in the catalogue must be the same: which one is right
    is not guessed (the small-cell rule depends on it). Rows are named by the data's index (the
    file row when the data come from :func:`analysis.intake.readers.load_table`)."""
    if catalogue is None or "unit" not in catalogue or "indicator" not in catalogue:
        return
    given = catalogue[["indicator", "unit"]].dropna().drop_duplicates("indicator")
    expected = data["indicator"].map(dict(zip(given["indicator"], given["unit"])))
    bad = data["unit"].notna() & expected.notna() & (data["unit"].astype(object) != expected.astype(object))
    if bad.any():
        raise ValueError("indicator data: " + "; ".join(
            f"row {r}, column 'unit': value {u!r}, but the catalogue gives unit {e!r} for indicator {i!r}"
            for r, u, e, i in zip(data.index[bad], data.loc[bad, "unit"], expected[bad], data.loc[bad, "indicator"]))
            + " — correct one of them")


def _catalogue(catalogue: pd.DataFrame | None, lang: str) -> pd.DataFrame:
    """Catalogue indexed by indicator: ``label`` (in ``lang``, else English, else the key),
    ``unit``, ``direction``, ``target``."""
    if catalogue is None or catalogue.empty:
        return pd.DataFrame(columns=["label", "unit", "direction", "target"])
    cat = catalogue.set_index("indicator")
    label = pd.Series(np.nan, index=cat.index, dtype=object)
    for col in (f"label_{lang}", "label_en", "label"):
        if col in cat:
            label = label.fillna(cat[col])
    bad = set(cat.get("direction", pd.Series(dtype=object)).dropna()) - set(DIRECTIONS)
    if bad:
        raise ValueError(f"indicator catalogue: direction must be one of {DIRECTIONS}, found {sorted(bad)}")
    return pd.DataFrame({"label": label, "unit": cat.get("unit"), "direction": cat.get("direction"),
                         "target": pd.to_numeric(cat.get("target"), errors="coerce") if "target" in cat else np.nan},
                        index=cat.index)


def declared_relations(catalogue: pd.DataFrame | None) -> dict[str, list]:
    """The catalogue's relations between indicators: ``{"sum_of": [(total, [parts])],
    "share_of": [(percentage, part, total)]}``.

    Examples
    --------
    >>> cat = pd.DataFrame({"indicator": ["all", "share_a"], "sum_of": ["a + b", None], "share_of": [None, "a / all"]})
    >>> declared_relations(cat)
    {'sum_of': [('all', ['a', 'b'])], 'share_of': [('share_a', 'a', 'all')]}
    """
    out: dict[str, list] = {"sum_of": [], "share_of": []}
    if catalogue is None or "indicator" not in catalogue:
        return out
    problems = []
    for _, row in catalogue.iterrows():
        key = str(row["indicator"])
        if "sum_of" in catalogue and pd.notna(row["sum_of"]) and str(row["sum_of"]).strip():
            parts = [p.strip() for p in re.split(r"[+,]", str(row["sum_of"])) if p.strip()]
            if len(parts) < 2 or key in parts:
                problems.append(f"indicator {key!r}, sum_of {row['sum_of']!r}: expected two or more other indicators "
                                "joined by +")
            out["sum_of"].append((key, parts))
        if "share_of" in catalogue and pd.notna(row["share_of"]) and str(row["share_of"]).strip():
            pair = [p.strip() for p in str(row["share_of"]).split("/")]
            if len(pair) != 2 or not all(pair):
                problems.append(f"indicator {key!r}, share_of {row['share_of']!r}: expected part / total")
                continue
            out["share_of"].append((key, pair[0], pair[1]))
    if problems:
        raise ValueError("indicator catalogue: " + "; ".join(problems))
    return out


def undeclared_relations(data: pd.DataFrame, catalogue: pd.DataFrame | None = None, *,
                         max_parts: int = 4) -> dict[str, list]:
    """Relations between indicators that hold exactly in every period of ``data`` (at least two
    periods with all their values) but that the catalogue does not declare: a count equal to the
    sum of 2 … ``max_parts`` other counts, a percentage equal to ``100 · part / total`` of two
    counts (at its printed decimals). Same form as :func:`declared_relations`.

    Examples
    --------
    >>> d = pd.DataFrame({"period": ["2025H1"] * 4 + ["2025H2"] * 4, "unit": (["count"] * 3 + ["percent"]) * 2,
    ...                   "indicator": ["all", "a", "b", "share_a"] * 2, "value": [13, 7, 6, 53.8, 15, 12, 3, 80.0]})
    >>> undeclared_relations(d)
    {'sum_of': [('all', ['a', 'b'])], 'share_of': [('share_a', 'a', 'all')]}
    """
    data = _check(data)
    units = _catalogue(catalogue, "en")["unit"]
    unit = data.groupby("indicator")["unit"].first() if "unit" in data else pd.Series(dtype=object)
    unit = unit.reindex(sorted(set(data["indicator"]) | set(units.index)))
    unit = unit.where(unit.notna(), units.reindex(unit.index))
    wide = data.pivot(index="period", columns="indicator", values="value").apply(pd.to_numeric, errors="coerce")
    declared = declared_relations(catalogue)
    known_sums = {(t, tuple(sorted(p))) for t, p in declared["sum_of"]}
    known_shares = {s for s, _, _ in declared["share_of"]}
    counts = [c for c in wide.columns if unit.get(c) == "count"]
    values = wide[counts].to_numpy(float)                      # periods × count indicators
    out: dict[str, list] = {"sum_of": [], "share_of": []}
    for k in range(2, min(max_parts, len(counts) - 1) + 1):
        combos = np.array(list(combinations(range(len(counts)), k)), dtype=int).reshape(-1, k)
        sums = values[:, combos].sum(axis=2)                   # periods × combinations (NaN where one is missing)
        for t, total in enumerate(counts):
            both = ~np.isnan(sums) & ~np.isnan(values[:, [t]])
            equal = (np.abs(sums - values[:, [t]]) < 1e-9) | ~both
            hits = np.flatnonzero(equal.all(axis=0) & (both.sum(axis=0) >= 2) & ~(combos == t).any(axis=1))
            for h in hits:
                parts = [counts[i] for i in combos[h]]
                if (total, tuple(sorted(parts))) not in known_sums:
                    out["sum_of"].append((total, parts))
    for share in (c for c in wide.columns if unit.get(c) == "percent" and c not in known_shares):
        for part, total in ((a, b) for a in counts for b in counts if a != b):
            rows = wide[[share, part, total]].dropna()
            rows = rows[rows[total] > 0]
            if len(rows) < 2:
                continue
            decimals = max(len(repr(float(v)).split(".")[1]) if "e" not in repr(float(v)) else 12 for v in rows[share])
            if np.allclose(rows[share], np.round(100 * rows[part] / rows[total], decimals), rtol=0, atol=1e-9):
                out["share_of"].append((share, part, total))
    return out


def indicator_report(data: pd.DataFrame, period: str | None = None, lang: str = "en", *,
                     catalogue: pd.DataFrame | None = None) -> pd.DataFrame:
    """Indicators of one half-year with the preceding half-year's values.

    Parameters
    ----------
    data : DataFrame
        ``period, indicator, value`` and optionally ``unit`` and ``target``.
    period : str, optional
        The reporting period; ``None`` takes the latest period in the data.
    lang : {"en", "fi"}
        Language of ``label`` (from the catalogue's ``label_<lang>``).
    catalogue : DataFrame, optional
        ``indicator`` and any of ``label_fi``/``label_sv``/``label_en``, ``unit``,
        ``direction`` (``up``/``down``), ``target``. A unit given by only one of data and
        catalogue is used; given by both, the two must agree (else ``ValueError`` naming the
        rows). The data's own target wins over the catalogue's.

    Returns
    -------
    DataFrame
        One row per indicator reported in ``period`` or the half-year before (an indicator
        missing in either keeps its row with a missing value): ``period, previous_period,
        indicator, label, unit, value, previous, change`` (value − previous), ``direction``,
        ``desired`` (moved the desired way: up and change > 0, or down and change < 0; no
        change counts as not; missing without a direction or a change), ``target`` and
        ``target_met`` (up: value ≥ target; down: value ≤ target). ``previous`` is missing
        when the data have no row for the preceding half-year — never an older period.
        ``attrs["disclosure"]`` declares the count indicators (``value`` and ``previous``
        apart), the relations of the catalogue and those :func:`undeclared_relations` finds,
        and that ``change``, ``desired`` and ``target_met`` follow from the values.

    Examples
    --------
    >>> import pandas as pd
    >>> data = pd.DataFrame({"period": ["2025H2", "2026H1", "2026H1"],
    ...                      "indicator": ["visits", "visits", "waiting"], "value": [40, 46, 12]})
    >>> catalogue = pd.DataFrame({"indicator": ["visits"], "direction": ["up"], "target": [45]})
    >>> report = indicator_report(data, catalogue=catalogue)
    >>> report[["indicator", "previous", "change", "desired", "target_met"]].values.tolist()
    [['visits', 40.0, 6.0, True, True], ['waiting', nan, nan, <NA>, <NA>]]
    """
    data = _check(data)
    available = sorted(data["period"].unique())
    if not available:
        raise ValueError("indicator data have no rows")
    period = available[-1] if period is None else normalise_period(period)
    if period not in available:
        raise ValueError(f"period {period!r} not in the indicator data (periods: {', '.join(available)})")
    before = previous_period(period)
    cur = data[data["period"] == period].set_index("indicator")
    prev = data[data["period"] == before].set_index("indicator")
    order = list(cur.index) + [i for i in prev.index if i not in cur.index]
    cat = _catalogue(catalogue, lang).reindex(order)
    unit = pd.Series(np.nan, index=order, dtype=object)
    if "unit" in data:
        _check_units(data, catalogue)
        unit = cur["unit"].astype(object).combine_first(prev["unit"].astype(object)).reindex(order)
    unit = unit.where(unit.notna(), cat["unit"])
    value = pd.to_numeric(cur["value"]).reindex(order).astype(float)
    previous = pd.to_numeric(prev["value"]).reindex(order).astype(float)
    # rounded to 10 decimals so that 79.8 − 71.3 shows as 8.5, not 8.499999999999996
    change = pd.Series(np.round((value - previous).to_numpy(), 10), index=order)
    target = (pd.to_numeric(cur["target"]).reindex(order).astype(float) if "target" in data
              else pd.Series(np.nan, index=order)).fillna(cat["target"].astype(float))
    direction = cat["direction"]
    sign = direction.map({"up": 1.0, "down": -1.0}).astype(float)
    desired = pd.array(np.where(sign.isna() | change.isna(), pd.NA, (sign * change) > 0), dtype="boolean")
    met = np.where(sign.eq(-1), value <= target, value >= target)
    target_met = pd.array(np.where(target.isna() | value.isna(), pd.NA, met), dtype="boolean")
    out = pd.DataFrame({"period": period, "previous_period": before, "indicator": order,
                        "label": cat["label"].fillna(pd.Series(order, index=order)).to_numpy(),
                        "unit": unit.to_numpy(), "value": value.to_numpy(), "previous": previous.to_numpy(),
                        "change": change.to_numpy(), "direction": direction.to_numpy(), "desired": desired,
                        "target": target.to_numpy(), "target_met": target_met})
    out.attrs["disclosure"] = _declaration(out, declared_relations(catalogue), undeclared_relations(data, catalogue))
    return out


def _declaration(report: pd.DataFrame, declared: dict, found: dict) -> dict:
    """The table's disclosure declaration: count indicators, their sums and shares."""
    counts = set(report.loc[report["unit"].eq("count"), "indicator"])
    sums = [[t, list(p)] for t, p in declared["sum_of"] + found["sum_of"] if {t, *p} <= counts]
    shares = {s: [p, t] for s, p, t in declared["share_of"] + found["share_of"]
              if {p, t} <= counts and s in set(report["indicator"]) and s not in counts}
    return {"measure": "indicator", "counts": ["value", "previous"], "rows": {c: c for c in sorted(counts)},
            "relations": sums, "row_percents": shares, "stats": ["change", "desired", "target_met"]}


@dataclass(frozen=True)
class DesiredShare(Result):
    """Indicators that moved the desired way (``n_desired``) of those with a direction and a
    change (``n``), and their ``share``."""

    n_desired: int
    n: int
    share: float


def desired_share(report: pd.DataFrame, hidden: pd.Series | np.ndarray | None = None) -> DesiredShare:
    """How many indicators with a direction and a change moved the desired way, of how many.

    ``report`` is the :func:`indicator_report` as computed; ``hidden`` says in which rows
    disclosure control hid ``desired`` (a published table's mask of that column, row by row):
    those do not count.

    Examples
    --------
    >>> t = pd.DataFrame({"desired": pd.array([True, False, None, True], dtype="boolean")})
    >>> desired_share(t), desired_share(t, hidden=[False, False, False, True])
    (DesiredShare(n_desired=2, n=3, share=0.667), DesiredShare(n_desired=1, n=2, share=0.5))
    """
    known = report["desired"]
    if hidden is not None:
        known = known[~np.asarray(hidden, dtype=bool)]
    known = known.dropna()
    k = int(known.astype(bool).sum())
    return DesiredShare(k, int(len(known)), k / len(known) if len(known) else float("nan"))


def study_indicators(study) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """The indicator file of the study (that of the first of :data:`POPULATIONS` that has one)
    and its indicator catalogue, if the study has one (else ``None``).

    Examples
    --------
    >>> from analysis import datasets
    >>> from analysis.intake.manifest import load_study
    >>> data, catalogue = study_indicators(load_study(datasets.path("demo")))
    >>> {"period", "indicator", "value"} <= set(data.columns), catalogue is None
    (True, False)
    """
    population = next((p for p in POPULATIONS if study.has(p, dataset="indicators")), None)
    if population is None:
        raise ValueError(f"the study has no indicator file (of populations {', '.join(POPULATIONS)})")
    catalogue = (study.table(population, "indicator-catalogue")
                 if study.has(population, dataset="indicator-catalogue") else None)
    return study.table(population, "indicators"), catalogue
