"""Report 01, data intake: rows read, accepted and rejected per file (with the reason for every
rejected cell), what the reader could not place, and the pattern of missing answers.

Sections (methods of :class:`IntakeReport`, in the notebook's order). The counts are of file
rows, for the project's data quality, and are not suppressed; sections about problems appear
only when there are some.

Examples
--------
>>> import tempfile, warnings
>>> from analysis import datasets
>>> from analysis.report.document import open_report
>>> with warnings.catch_warnings():
...     r = open_report("01_data_intake", datasets.path("demo"), tempfile.mkdtemp())
>>> IntakeReport(r).files()
>>> r["intake"]["file"].iloc[-1]
'(all files)'
"""
from __future__ import annotations

import pandas as pd

from analysis.report.document import Report
from analysis.study import intake


class IntakeReport:
    """The intake report of ``report``'s study (see the module docstring)."""

    def __init__(self, report: Report):
        self.r = report
        self.study = report.study

    def _if_any(self, name: str, table: pd.DataFrame, section: str) -> None:
        """A section of its own (heading, introduction, table) when ``table`` has rows."""
        if len(table):
            self.r.heading(f"01_data_intake.{section}.heading")
            self.r.text(f"01_data_intake.{section}.intro")
            self.r.table(name, table, counts=None)

    def files(self) -> None:
        """Rows read, accepted and rejected per file, and in all."""
        r = self.r
        r.heading("01_data_intake.files.heading")
        r.text("01_data_intake.files.intro")
        files = r.table("intake", intake.intake_table(self.study.intake()), counts=None)
        r.text("01_data_intake.files.summary", n_files=len(self.study.manifest.files),
               n_read=r.count(files.value(-1, "n_read")), n_accepted=r.count(files.value(-1, "n_accepted")),
               n_rejected=r.count(files.value(-1, "n_rejected")))

    def rejected(self) -> None:
        """Every rejected row with the reason of each of its cells."""
        r = self.r
        r.heading("01_data_intake.rejected.heading")
        r.text("01_data_intake.rejected.intro")
        if self.study.rejected.empty:
            r.text("01_data_intake.rejected.none")
        else:
            r.table("rejected", intake.rejected_table(self.study), counts=None)

    def unplaced(self) -> None:
        """What the reader could not place, each when there is some: headers it did not
        recognise, category values it read as missing, respondent ids that do not meet the
        population's other files."""
        self._if_any("unrecognised_headers", intake.unrecognised_headers(self.study), "headers")
        self._if_any("unknown_values", self.study.unknown_values(), "unknown")
        self._if_any("id_mismatches", self.study.id_mismatches(), "ids")

    def free_text(self) -> None:
        """What the free-text screening redacted, when it screened any text."""
        self._if_any("free_text", intake.redactions(self.study), "free_text")

    def missing(self) -> None:
        """Missing answers per column."""
        r = self.r
        r.heading("01_data_intake.missing.heading")
        r.text("01_data_intake.missing.intro")
        r.table("missing_by_column", intake.missing_by_column(self.study), counts=None)

    def patterns(self) -> None:
        """The most common patterns of missing answers: counts of file rows, like the missing
        answers above (data quality, for the project), so not suppressed."""
        r = self.r
        r.heading("01_data_intake.patterns.heading")
        r.text("01_data_intake.patterns.intro")
        r.table("missing_patterns", intake.missing_patterns(self.study), counts=None)
