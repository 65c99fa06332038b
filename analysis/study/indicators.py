"""Half-yearly indicator report: one reporting period against the half-year before it.

The pilot reported indicators agreed with the Ministry of Finance every half year
(``indicators.csv``: one row per ``period`` × ``indicator`` with ``value`` and ``unit``;
periods are written ``2016H1``/``2016H2``). :func:`indicator_report` builds the table for one
period: the value, the value of the preceding half-year, the change (percentage points for
``percent`` indicators) and, when the data carry a ``target`` column, the target and whether
it was met. :func:`mask_small_counts` applies the project's small-cell rule to the count
indicators (numbers of clients, plans or professionals below five are shown as ``<5``).

Own code: a few lines of pandas, but the rules (which period is "previous", what happens when
it is missing, how small counts are masked) must be the same in every report, so they live
here with tests (``tests/test_indicators.py``).

Examples
--------
>>> import pandas as pd
>>> d = pd.DataFrame({"period": ["2016H1", "2016H2"], "indicator": "clients_with_plan",
...                   "value": [25.0, 33.0], "unit": "count"})
>>> row = indicator_report(d).iloc[0]
>>> row["period"], row["previous_period"], float(row["value"]), float(row["previous"]), float(row["change"])
('2016H2', '2016H1', 33.0, 25.0, 8.0)
"""
from __future__ import annotations

import re

import numpy as np
import pandas as pd

from analysis.intake.privacy import MIN_CELL

PERIOD = re.compile(r"^(\d{4})H([12])$")

#: Names of the pilot's indicators (``indicators.json``); unknown indicators keep their key.
LABELS = {
    "clients_with_plan": {"en": "Clients with a welfare plan (cumulative)",
                          "fi": "Asiakkaita, joilla hyvinvointisuunnitelma (kertymä)"},
    "plans_reviewed_on_time": {"en": "Plans reviewed by the agreed date (%)",
                               "fi": "Sovitussa ajassa arvioidut suunnitelmat (%)"},
    "professionals_involved": {"en": "Professionals taking part (cumulative)",
                               "fi": "Mukana olevia ammattilaisia (kertymä)"},
    "professionals_per_plan": {"en": "Professionals per plan (mean)",
                               "fi": "Ammattilaisia suunnitelmaa kohden (ka.)"},
    "plans_closed": {"en": "Plans closed (cumulative)", "fi": "Päätettyjä suunnitelmia (kertymä)"},
}


def previous_period(period: str) -> str:
    """The half-year before ``period``.

    Examples
    --------
    >>> previous_period("2016H1"), previous_period("2016H2")
    ('2015H2', '2016H1')
    """
    m = PERIOD.match(str(period))
    if not m:
        raise ValueError(f"period {period!r}: expected a half-year such as 2016H1 or 2016H2")
    year, half = int(m.group(1)), int(m.group(2))
    return f"{year}H1" if half == 2 else f"{year - 1}H2"


def _check(data: pd.DataFrame) -> None:
    needed = ["period", "indicator", "value", "unit"]
    missing = [c for c in needed if c not in data.columns]
    if missing:
        raise KeyError(f"indicator data lack column(s) {missing}; expected {needed} (optional: target)")
    problems = [f"row {r}, column 'period': value {v!r}, expected a half-year such as 2016H1"
                for r, v in data["period"].items() if not PERIOD.match(str(v))]
    dup = data.duplicated(["period", "indicator"], keep=False)
    problems += [f"row {r}: period {p!r}, indicator {i!r} occurs more than once"
                 for r, (p, i) in data.loc[dup, ["period", "indicator"]].iterrows()]
    if problems:
        raise ValueError("indicator data: " + "; ".join(problems))


def indicator_report(data: pd.DataFrame, period: str | None = None, lang: str = "en") -> pd.DataFrame:
    """Indicators of one half-year with the preceding half-year's values.

    Parameters
    ----------
    data : DataFrame
        ``period, indicator, value, unit`` and optionally ``target``.
    period : str, optional
        The reporting period; ``None`` takes the latest period in the data.
    lang : {"en", "fi"}
        Language of ``label``.

    Returns
    -------
    DataFrame
        One row per indicator reported in ``period`` or in the half-year before it (an
        indicator missing in either keeps its row with a missing value): ``period,
        previous_period, indicator, label, unit, value, previous, change`` (value − previous;
        percentage points for ``percent``) and, with a ``target`` column, ``target`` and
        ``target_met`` (value ≥ target). ``previous`` is missing when the data have no row
        for the preceding half-year — never the latest earlier period, which could be a year
        or more back.
    """
    _check(data)
    available = sorted(data["period"].astype(str).unique())
    if not available:
        raise ValueError("indicator data have no rows")
    period = available[-1] if period is None else str(period)
    if period not in available:
        raise ValueError(f"period {period!r} not in the indicator data (periods: {', '.join(available)})")
    before = previous_period(period)
    cur = data[data["period"] == period].set_index("indicator")
    prev = data[data["period"] == before].set_index("indicator")
    order = list(cur.index) + [i for i in prev.index if i not in cur.index]
    units = cur["unit"].combine_first(prev["unit"]).reindex(order)
    value = pd.to_numeric(cur["value"]).reindex(order).astype(float)
    previous = pd.to_numeric(prev["value"]).reindex(order).astype(float)
    out = pd.DataFrame({"period": period, "previous_period": before, "indicator": order,
                        "label": [LABELS.get(i, {}).get(lang, i) for i in order],
                        "unit": units.to_numpy(), "value": value.to_numpy(),
                        "previous": previous.to_numpy(),
                        # rounded to 10 decimals so that 79.8 − 71.3 shows as 8.5, not 8.499999999999996
                        "change": np.round((value - previous).to_numpy(), 10)})
    if "target" in data.columns:
        target = pd.to_numeric(cur["target"]).reindex(order).astype(float).to_numpy()
        out["target"] = target
        out["target_met"] = pd.array(np.where(np.isnan(target) | np.isnan(out["value"]), pd.NA,
                                              out["value"].to_numpy() >= target), dtype="boolean")
    return out


def mask_small_counts(report: pd.DataFrame, min_n: int = MIN_CELL, mask: str = f"<{MIN_CELL}") -> pd.DataFrame:
    """Mask count indicators below ``min_n`` (zero included) in an :func:`indicator_report`.

    In a row with ``unit == "count"`` where ``value`` or ``previous`` is below ``min_n``,
    ``value``, ``previous`` and ``change`` are replaced by ``mask`` (the change would reveal a
    masked value). Percentages and means are left as they are.

    Examples
    --------
    >>> r = pd.DataFrame({"unit": ["count", "percent"], "value": [4.0, 3.0], "previous": [9.0, 2.0],
    ...                   "change": [-5.0, 1.0]})
    >>> mask_small_counts(r)["value"].tolist()
    ['<5', 3.0]
    """
    small = (report["unit"] == "count") & (report[["value", "previous"]] < min_n).any(axis=1)
    out = report.copy()
    for col in ("value", "previous", "change"):
        out[col] = out[col].astype(object).where(~small, mask)
    return out
