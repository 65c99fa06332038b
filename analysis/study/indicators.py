"""Half-yearly indicator report: one reporting period against the half-year before it.

A municipality reports its own indicators every half year: a long file with one row per
``period`` × ``indicator`` and its ``value`` (dataset ``indicators``; optional ``unit`` and
``target``). An optional *catalogue* (dataset ``indicator-catalogue``) says what each
indicator is: its label in Finnish/Swedish/English, unit, the desired direction of change
(``up`` or ``down``) and a target. Nothing about the indicators is written in this module.

:func:`indicator_report` builds the table of one period: value, the preceding half-year's
value, the change (percentage points for ``percent``), whether it moved the desired way and
whether the target was met. Periods are half-years written ``2016H1``, ``2016 H1``,
``2016/H1`` or ``H1/2016`` (all read as ``2016H1``). The small-cell rule of count indicators is
:func:`analysis.report.disclosure.mask_small_counts`.

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

import numpy as np
import pandas as pd

from analysis.stats.results import Result

_PERIOD = re.compile(r"^\s*(\d{4})\s*[/-]?\s*[Hh]\s*([12])\s*$|^\s*[Hh]\s*([12])\s*[/-]?\s*(\d{4})\s*$")
DIRECTIONS = ("up", "down")


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
    return pd.DataFrame({"period": period, "previous_period": before, "indicator": order,
                         "label": cat["label"].fillna(pd.Series(order, index=order)).to_numpy(),
                         "unit": unit.to_numpy(), "value": value.to_numpy(), "previous": previous.to_numpy(),
                         "change": change.to_numpy(), "direction": direction.to_numpy(), "desired": desired,
                         "target": target.to_numpy(), "target_met": target_met})


@dataclass(frozen=True)
class DesiredShare(Result):
    """Indicators that moved the desired way (``n_desired``) of those with a direction and a
    change (``n``), and their ``share``."""

    n_desired: int
    n: int
    share: float


def desired_share(report: pd.DataFrame) -> DesiredShare:
    """How many indicators with a direction and a change moved the desired way, of how many
    (cells hidden by disclosure control do not count).

    Examples
    --------
    >>> t = pd.DataFrame({"desired": pd.array([True, False, None], dtype="boolean")})
    >>> desired_share(t)
    DesiredShare(n_desired=1, n=2, share=0.5)
    """
    known = report["desired"].dropna()
    known = known[[isinstance(v, (bool, np.bool_)) for v in known]]   # hidden cells ("..") are not known
    k = int(known.astype(bool).sum())
    return DesiredShare(k, int(len(known)), k / len(known) if len(known) else float("nan"))
