"""Export of report tables: one Excel workbook per report, one sheet per table.

Every exported table passes through :func:`analysis.intake.privacy.suppress_small_cells` (cells
resting on fewer than five persons are masked), unless the caller declares that a table has
no person counts (``counts=None`` in :class:`ReportTables.add`), e.g. a fit-measure table.
A first sheet ``about`` records the source folder, the suppression rule and, for synthetic
data, a warning that the numbers describe no real person.

Examples
--------
>>> import pandas as pd
>>> tables = ReportTables("validation")
>>> shown = tables.add("descriptives", pd.DataFrame({"domain": ["health"], "n": [3], "mean": [6.1]}))
>>> tables["descriptives"]["mean"].tolist()
['<5']
"""
from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from analysis.intake.privacy import MIN_CELL, suppress_small_cells

_AUTO = object()


class ReportTables:
    """An ordered collection of suppressed tables for one report, written as one workbook."""

    def __init__(self, report: str, *, source: str | Path = "", synthetic: bool = False):
        self.report = report
        self.source = str(source)
        self.synthetic = synthetic
        self._tables: dict[str, pd.DataFrame] = {}

    def add(self, name: str, table: pd.DataFrame, counts: list[str] | None | object = _AUTO,
            *, index: bool = False) -> pd.DataFrame:
        """Suppress small cells and keep the table under ``name``; returns the shown table.

        Parameters
        ----------
        counts : list of str, None or default
            Count columns for the suppression rule; by default columns named ``n`` or
            ``n_…``. ``None`` declares a table without person counts (nothing suppressed).
        index : bool
            Keep the index as the first column(s).
        """
        if not re.fullmatch(r"[A-Za-z0-9_ -]{1,31}", name):
            raise ValueError(f"sheet name {name!r}: use 1–31 letters, digits, spaces, '-' or '_'")
        if name in self._tables:
            raise ValueError(f"table {name!r} added twice to report {self.report!r}")
        shown = table.reset_index() if index else table.reset_index(drop=True)
        if counts is not None:
            shown = suppress_small_cells(shown, None if counts is _AUTO else list(counts), min_n=MIN_CELL)
        self._tables[name] = shown
        return shown

    def __getitem__(self, name: str) -> pd.DataFrame:
        return self._tables[name]

    def __iter__(self):
        return iter(self._tables)

    def about(self) -> pd.DataFrame:
        rows = [("report", self.report), ("source data", self.source),
                ("small cells", f"cells resting on fewer than {MIN_CELL} persons are shown as <{MIN_CELL}")]
        if self.synthetic:
            rows.append(("WARNING", "synthetic demonstration data: these numbers describe no real person"))
        rows.append(("sheets", ", ".join(self._tables)))
        return pd.DataFrame(rows, columns=["item", "value"])

    def write(self, path: str | Path) -> Path:
        """Write the workbook (``about`` sheet first); returns the path."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        with pd.ExcelWriter(path, engine="xlsxwriter") as writer:
            self.about().to_excel(writer, sheet_name="about", index=False)
            for name, table in self._tables.items():
                table.to_excel(writer, sheet_name=name, index=False)
                writer.sheets[name].set_column(0, max(len(table.columns) - 1, 0), 14)
        return path
