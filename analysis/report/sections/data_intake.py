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

import json

import pandas as pd

from analysis.intake.dictionary import DATE_FIELD, ID_FIELDS
from analysis.report import i18n
from analysis.report.document import Report
from analysis.study import intake


def field_label(name: str, lang: str) -> str:
    """The label in ``lang`` of a questionnaire file's id, occasion or date field as the data
    dictionary declares it (``date`` → ``Vastauspäivä``), else of a report column, else ``name``.

    Examples
    --------
    >>> field_label("date", "fi"), field_label("Terveys - tyytyväisyys nyt", "fi")
    ('Vastauspäivä', 'Terveys - tyytyväisyys nyt')
    """
    declared = {f["name"]: f["labels"] for f in (*ID_FIELDS, DATE_FIELD)}
    if name in declared:
        return declared[name].get(lang, name)
    return i18n.t(f"columns.{name}", lang) if i18n.has(f"columns.{name}", lang) else name


def reason_text(code: object, fields: object, reason: str, lang: str) -> str:
    """A rejected row's or invalid answer's reason in ``lang``, from the intake's ``code`` and
    ``fields`` (JSON); the intake's English sentence ``reason`` for English and for a reason
    without a code.

    Examples
    --------
    >>> reason_text("invalid_value", '{"type": "integer", "minimum": 0, "maximum": 10}',
    ...             "expected an integer 0–10", "fi")
    'odotettiin kokonaislukua 0–10'
    >>> reason_text("duplicate_key", '{"fields": ["respondent_id", "occasion"], "values": ["A", "alku"], "rows": [5]}',
    ...             "duplicate ...", "fi")
    "Vastaajatunnus, Mittauskerta ('A', 'alku') toistuu: myös rivillä 5"
    """
    if lang == "en" or not isinstance(code, str) or not isinstance(fields, str):
        return reason
    facts = json.loads(fields)
    if code == "invalid_value":
        kind = facts["type"]
        key = "values" if "values" in facts and kind != "boolean" else \
            "pattern" if "pattern" in facts and kind in ("string", "any") else kind
        lo, hi = facts.get("minimum"), facts.get("maximum")
        span = "" if lo is None and hi is None else i18n.t(
            "rejection.range_both" if lo is not None and hi is not None else
            "rejection.range_min" if lo is not None else "rejection.range_max", lang, minimum=lo, maximum=hi)
        text = i18n.t(f"rejection.expected.{key}", lang, range=span, values=", ".join(facts.get("values", ())),
                      pattern=facts.get("pattern", ""))
        labels = facts.get("labels", {}).get(lang)
        if labels:
            text += i18n.t("rejection.labels", lang, labels=", ".join(map(repr, labels)))
        if "coded_1_11" in facts:
            text += i18n.t("rejection.coded_1_11", lang, **facts["coded_1_11"])
        return text
    if code == "missing_key":
        return i18n.t("rejection.missing_key", lang, field=field_label(facts["field"], lang))
    if code == "duplicate_key":
        values = facts["values"]
        return i18n.t("rejection.duplicate_key", lang, fields=", ".join(field_label(f, lang) for f in facts["fields"]),
                      values=f"({', '.join(map(repr, values))})" if len(values) > 1 else repr(values[0]),
                      rows=", ".join(map(str, facts["rows"])))
    if code == "broken_line":
        return i18n.t("rejection.broken_line", lang, **facts)
    if code == "occasion_ambiguous":
        return i18n.t("rejection.occasion_ambiguous", lang, value=facts["value"], declared=", ".join(facts["declared"]))
    if code == "occasion_differs":
        return i18n.t("rejection.occasion_differs", lang, expected=facts["expected"])
    if code == "occasion_undeclared":
        return i18n.t("rejection.occasion_undeclared", lang, population=i18n.t(f"values.{facts['population']}", lang),
                      declared=", ".join(facts["declared"]))
    if code == "phase_undeclared":
        return i18n.t("rejection.phase_undeclared", lang, declared=", ".join(facts["declared"]))
    if code in ("not_in_register", "no_referral", "before_referral"):
        return i18n.t(f"rejection.{code}", lang, **facts)
    if code == "disagrees":
        return i18n.t("rejection.disagrees", lang, **{**facts, "field": field_label(facts["field"], lang),
                                                      "other": field_label(facts["other"], lang),
                                                      "by": field_label(facts["by"], lang)})
    return reason


def problem_table(problems: pd.DataFrame, lang: str) -> pd.DataFrame:
    """Rejected rows or invalid answers (:func:`analysis.study.intake.rejected_table`) as the
    report shows them: file, row, respondent, column (a declared field by its heading), value and
    the reason in ``lang``.

    Examples
    --------
    >>> p = pd.DataFrame({"file": ["a.csv"], "row": pd.array([6], dtype="Int64"), "respondent_id": ["A"],
    ...                   "column": ["date"], "value": ["31.2."], "code": ["invalid_value"],
    ...                   "fields": ['{"type": "date"}'], "reason": ["expected a date"]})
    >>> problem_table(p, "fi")[["row", "column"]].values.tolist()
    [[6, 'Vastauspäivä']]
    """
    out = problems[["file", "row", "respondent_id", "column", "value"]].copy()
    out["column"] = out["column"].map(lambda c: field_label(c, lang) if isinstance(c, str) else c)
    out["reason"] = [reason_text(c, f, r, lang) for c, f, r in
                     zip(problems["code"], problems["fields"], problems["reason"])]
    return out


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
        files = r.table("intake", intake.intake_table(intake.intake_counts(self.study)), counts=None)
        r.text("01_data_intake.files.summary", n_files=len(self.study.manifest.files),
               n_read=r.count(files.value(-1, "n_read")), n_accepted=r.count(files.value(-1, "n_accepted")),
               n_rejected=r.count(files.value(-1, "n_rejected")))

    def rejected(self) -> None:
        """Every rejected row with the reason of each of its cells, then (when there are some) the
        invalid answers read as missing, reasons in the report's language."""
        r = self.r
        r.heading("01_data_intake.rejected.heading")
        r.text("01_data_intake.rejected.intro")
        rejected = intake.rejected_table(self.study)
        if rejected.empty:
            r.text("01_data_intake.rejected.none")
        else:
            r.table("rejected", problem_table(rejected, r.lang), counts=None, kinds={"column": "text"})
        invalid = intake.invalid_answers(self.study)
        if len(invalid):
            r.heading("01_data_intake.invalid.heading")
            r.text("01_data_intake.invalid.intro")
            r.table("invalid_answers", problem_table(invalid, r.lang), counts=None, kinds={"column": "text"})

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
