"""Load and check researchers' files: CSV, Excel ``.xlsx`` and SPSS ``.sav``.

Every number the package reports starts here, so reading is strict and transparent:

* :func:`read_raw` (:mod:`analysis.intake.rawfiles`) reads every cell as text, nothing coerced,
  and reports how the file was read (delimiter, decimal comma, encoding, line ends, sheet, SPSS
  labels, header rows).
* :func:`load_responses` checks questionnaire responses against the instrument definition and its
  data-dictionary schema (:func:`analysis.intake.dictionary.responses_schema`); :func:`load_table`
  checks any other dataset against ``data_dictionary/<dataset>.json``. With ``chunksize`` the
  response file is checked in chunks of bounded memory (:func:`analysis.intake.scoring.stream_score`
  scores such a stream).
* All problems are found in one pass. Each names the file, the row as numbered in the file
  (header = row 1; xlsx: the sheet row; sav: case number + 1; CSV: the record, as Excel shows it,
  plus the physical line when a quoted cell spans lines), the column, the value and what was
  expected. ``on_invalid="error"`` raises :class:`InputError` listing them all;
  ``on_invalid="reject-rows"`` keeps the valid rows and returns the others in ``rejected``
  (accepted + rejected = rows read, always; broken lines count as read and rejected). In a
  questionnaire file an invalid answer only makes that answer missing (the row is kept, the answer
  listed in ``rejected`` with ``scope`` ``answer``): the row is rejected only for what the scoring
  needs of every row — its respondent id and occasion (missing, or a duplicate pair) — and for a
  broken line.
* Nothing is guessed silently: the delimiter is chosen from the data lines (ambiguity is an error
  naming the candidates), UTF-16 is read when its byte-order mark says so, a file mixing UTF-8 and
  another encoding is refused with the offset of the first bad byte, lines with more or fewer
  fields than the header are rejected (never padded or merged), uncached Excel formulas and
  non-finite numbers are errors, and unrecognised headers are listed with the closest known one.
* Files holding Finnish personal identity codes are refused outright (:class:`PersonalDataError`),
  and a file coded 1–11 is caught after the declared missing codes are set aside (the error that
  once shifted the published national norms by one): refused when no 0–10 item has a 0 and most
  answered ones have an 11; a stray 11 is an invalid answer whose reason names the possibility.

How: :mod:`~analysis.intake.rawfiles` gives every column as its distinct texts plus codes (pyarrow
for CSV, python-calamine for workbooks, pyreadstat for SPSS). Each column is then checked once,
on its distinct texts only — identity-code scan, labels → codes (the schema's ``categories``),
missing codes, type and range — and the verdicts are spread back to the rows by the dictionary
codes, so checking a million rows costs little more than parsing them; the search for duplicate
keys (hashing in pyarrow) runs in a second thread beside the other checks. Own checking code rather
than ``pandas.read_csv`` type inference or the ``frictionless`` validator: both coerce silently
(``"7,0"`` → text, ``"1e1"`` → 10, blank lines dropped, short lines padded, rows renumbered), lose
the file's own row numbers and stop at the first error.

Examples
--------
>>> from analysis import datasets
>>> res = load_responses(datasets.path("3x10d_fi_semicolon_bom.csv"), "3x10d")
>>> res.n_read == res.n_accepted + res.n_rejected == 24
True
"""
from __future__ import annotations

import csv
import dataclasses
import datetime as _dt
import difflib
import json
import re
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterator, Mapping

import numpy as np
import pandas as pd

from analysis.intake.dictionary import DATE_FIELD, ID_FIELDS, load_schema, responses_schema
from analysis.intake.instruments import Instrument, header_text, load_instrument, normalise_header
from analysis.intake.privacy import find_identity_codes, mask_identifiers
from analysis.intake.rawfiles import (  # noqa: F401  (Problem, PersonalDataError, TextColumn: public here too)
    NUMBER,
    NUMBER_RE,
    CsvReader,
    InputError,
    PersonalDataError,
    Problem,
    RawTable,
    Restart,
    TextColumn,
    cell_text,
    read_raw,
    resolve_source,
)

ON_INVALID = ("error", "reject-rows")
RECODES = ("1-11",)
REJECTION_COLUMNS = ["file", "row", "respondent_id", "column", "value", "reason", "line", "scope", "code", "fields"]
_DECIMAL_COMMA = r"^([+-]?\d*),(\d+)$"
_IDENTITY_CANDIDATE = r"\p{Nd}{6}[-+A-Fa-fU-Yu-y]\p{Nd}{3}[\p{Nd}A-Ya-y]"   # RE2; \p{Nd} = Python's \d


@dataclass(frozen=True)
class LoadResult:
    """Checked data. ``data`` is indexed by file row number (index name ``row``).

    ``rejected`` has one line per problem (:data:`REJECTION_COLUMNS`): ``scope`` ``row`` for a
    problem that rejected its row, ``answer`` for an invalid answer of a questionnaire that was read
    as missing while the row was kept (:attr:`n_invalid` of them); ``code`` and ``fields`` (JSON) say
    the reason as data. ``n_read == n_accepted + n_rejected`` counts rows.
    ``unrecognised`` lists the headers that matched no known column, each with the closest known
    header (or ``None``); they are passed through as text, never dropped silently.
    ``unknown_values`` lists the cells of a dataset declaring ``unknownCategories: missing`` whose
    value is not among a category field's accepted ones: (column as headed in the file, value,
    rows, what was expected). Such a cell is read as missing and its row kept (also said in
    ``notes``).
    """

    data: pd.DataFrame
    rejected: pd.DataFrame
    n_read: int
    n_accepted: int
    n_rejected: int
    source: Path
    header_map: Mapping[str, str]
    notes: tuple[str, ...] = ()
    unrecognised: tuple[tuple[str, str | None], ...] = ()
    unknown_values: tuple[tuple[str, str, int, str], ...] = ()

    @property
    def n_invalid(self) -> int:
        """Invalid answers read as missing (their rows kept and counted as accepted)."""
        return int((self.rejected["scope"] == "answer").sum()) if "scope" in self.rejected else 0

    def reject(self, bad: pd.Series, column: str, reason, code: str, facts,
               header: str | None = None) -> LoadResult:
        """This result with the accepted rows flagged in ``bad`` moved to the rejected rows, with
        ``reason`` (one English text, or a Series by row, of all rows or the flagged ones) and its
        ``code`` and ``facts`` (one mapping, or a Series of mappings by row: what a report in
        another language says it from); ``header`` is the column as the file names it (default: from ``header_map``).
        A date is shown as the file's day (ISO) when it has no time."""
        if not bad.any():
            return self
        rows = self.data[bad]
        by_row = lambda v: v.reindex(rows.index).to_numpy() if isinstance(v, pd.Series) else v  # noqa: E731
        facts = facts.map(_json) if isinstance(facts, pd.Series) else _json(facts)
        header = header or {v: k for k, v in self.header_map.items()}.get(column, column)
        values = rows[column].map(lambda v: v.date().isoformat() if isinstance(v, pd.Timestamp)
                                  and v == v.normalize() else v)
        extra = pd.DataFrame({"file": str(self.source), "row": rows.index.astype("Int64"),
                              "respondent_id": rows.get("respondent_id",
                                                        pd.Series(index=rows.index, dtype=object)).astype(object),
                              "column": header, "value": values.astype(object), "reason": by_row(reason),
                              "scope": "row", "code": code, "fields": by_row(facts)},
                             columns=REJECTION_COLUMNS)
        rejected = pd.concat([self.rejected, extra], ignore_index=True) if len(self.rejected) else extra
        return dataclasses.replace(self, data=self.data[~bad], rejected=rejected,
                                   n_accepted=self.n_accepted - int(bad.sum()),
                                   n_rejected=self.n_rejected + int(bad.sum()))


def _json(facts: Mapping) -> str:
    return json.dumps(facts, ensure_ascii=False, sort_keys=True, default=str)


# ============================================================================= checking cells
_DEFAULT_TRUE = ("true", "1")          # Table Schema defaults (true/True/TRUE), compared case-folded
_DEFAULT_FALSE = ("false", "0")
_FI_DATE = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})(?:\s+(?:klo\s+)?(\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?)?")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?")


_DECIMAL_COMMA_RE = re.compile(_DECIMAL_COMMA)


def _number(text: str, decimal: str) -> float:
    """Value of a plain, finite decimal number (decimal comma when ``decimal`` is ``","``); NaN for
    anything else — an exponent, ``inf`` or ``nan`` in a numeric field is rejected, not read."""
    if decimal == ",":
        text = _DECIMAL_COMMA_RE.sub(r"\1.\2", text)
    if not NUMBER_RE.fullmatch(text):
        return np.nan
    value = float(text)
    return value if np.isfinite(value) else np.nan


def _date(text: str) -> np.datetime64:
    """``YYYY-MM-DD``, ISO date-time (``T`` or space), ``D.M.YYYY`` optionally with ``H:MM[:SS]``
    (or ``klo H.MM``); anything else or an impossible date → NaT."""
    try:
        if _ISO_DATE.fullmatch(text):
            return np.datetime64(_dt.datetime.fromisoformat(text), "ns")
        m = _FI_DATE.fullmatch(text)
        if m:
            d, mo, y, h, mi, sec = (int(g) if g else 0 for g in m.groups())
            return np.datetime64(_dt.datetime(y, mo, d, h, mi, sec), "ns")
    except ValueError:
        pass
    return np.datetime64("NaT", "ns")


@dataclass(frozen=True)
class _Field:
    """A Table Schema field ready for checking distinct cell texts."""

    name: str
    kind: str
    constraints: Mapping
    labels: Mapping[str, str]              # folded label or alias → canonical value text
    missing_text: frozenset[str]
    missing_folded: frozenset[str]
    missing_numbers: tuple[float, ...]
    true_values: frozenset[str]
    false_values: frozenset[str]
    label_hint: tuple[str, ...] = ()
    fold_case: bool = False                # foldCase: spellings differing in case/spacing are one value
    label_hints: Mapping[str, tuple[str, ...]] = field(default_factory=dict)   # the value labels per language

    @classmethod
    def of(cls, fld: Mapping, missing_values: list[str]) -> _Field:
        missing = fld.get("missingValues", missing_values)
        numbers = tuple(float(m) for m in missing if re.fullmatch(NUMBER, m.strip()))
        labels: dict[str, str] = {}
        for cat in fld.get("categories", ()):
            cat = cat if isinstance(cat, Mapping) else {"value": cat}
            value = str(cat["value"])
            for text in (value, cat.get("label"), *cat.get("labels", {}).values(), *cat.get("aliases", ())):
                if text is not None:
                    labels.setdefault(normalise_header(str(text)), value)
        fold = lambda values: frozenset(normalise_header(v) for v in values)  # noqa: E731
        hint = tuple(str(c["label"]) for c in fld.get("categories", ()) if isinstance(c, Mapping) and c.get("label"))
        by_lang: dict[str, tuple[str, ...]] = {}
        for cat in fld.get("categories", ()):
            for lang, text in (cat.get("labels", {}) if isinstance(cat, Mapping) else {}).items():
                by_lang[lang] = (*by_lang.get(lang, ()), str(text))
        return cls(fld["name"], fld.get("type", "string"), fld.get("constraints", {}), labels,
                   frozenset(m.strip() for m in missing),
                   fold(m for m in missing if m.strip()) if "missingValues" in fld else frozenset(),
                   numbers, fold(fld.get("trueValues", _DEFAULT_TRUE)), fold(fld.get("falseValues", _DEFAULT_FALSE)),
                   hint, bool(fld.get("foldCase", False)), by_lang)

    @property
    def numeric(self) -> bool:
        return self.kind in ("integer", "number", "year")

    def convert(self, col: TextColumn, decimal: str) -> tuple[object, np.ndarray]:
        """Typed value and state (0 valid, 1 missing, 2 invalid) of each distinct cell text.

        Plain text fields are checked in pyarrow (values: a pyarrow array of the stripped texts);
        every other field on Python strings (values: a numpy array)."""
        c = self.constraints
        if self.kind in ("string", "any") and not self.labels and not self.missing_folded and "pattern" not in c:
            return self._convert_text(col)
        text = [u.strip() for u in col.uniques]          # distinct texts: few, so plain Python is fastest
        needs_fold = bool(self.labels) or self.kind == "boolean" or bool(self.missing_folded)
        folded = [normalise_header(t) for t in text] if needs_fold else text
        missing = np.array([t in self.missing_text or f in self.missing_folded for t, f in zip(text, folded)],
                           dtype=bool)
        if self.labels:
            text = [self.labels.get(f, t) for t, f in zip(text, folded)]
        if self.numeric:
            out = np.array([_number(t, decimal) for t in text], dtype=float)
            if self.missing_numbers:
                missing |= np.isin(out, self.missing_numbers)
            with np.errstate(invalid="ignore"):
                ok = ~np.isnan(out)
                if self.kind != "number":
                    ok &= np.floor(out) == out
                if "minimum" in c:
                    ok &= out >= c["minimum"]
                if "maximum" in c:
                    ok &= out <= c["maximum"]
            if "enum" in c:
                ok &= np.isin(out, [float(v) for v in c["enum"]])
        elif self.kind == "boolean":
            out = np.array([True if f in self.true_values else False if f in self.false_values else None
                            for f in folded], dtype=object)
            ok = np.array([v is not None for v in out], dtype=bool)
        elif self.kind in ("date", "datetime"):
            out = np.array([_date(t) for t in text], dtype="datetime64[ns]")
            ok = ~np.isnat(out)
        elif self.kind in ("string", "any"):
            out = np.array(text, dtype=object)
            ok = np.ones(len(text), dtype=bool)
            if "pattern" in c:
                pattern = re.compile(c["pattern"])
                ok &= np.array([bool(pattern.fullmatch(t)) for t in text], dtype=bool)
            if "enum" in c:
                ok &= np.isin(out, [str(v) for v in c["enum"]])
        else:
            raise ValueError(f"data dictionary field {self.name!r} has type {self.kind!r}, which the loader "
                             "does not support")
        return out, np.where(missing, 1, np.where(ok, 0, 2)).astype(np.int8)

    def _convert_text(self, col: TextColumn) -> tuple[object, np.ndarray]:
        import pyarrow as pa
        import pyarrow.compute as pc

        text = pc.utf8_trim_whitespace(col.arrow_uniques())
        missing = pc.is_in(text, value_set=pa.array(sorted(self.missing_text), pa.string()))
        ok = pc.is_in(text, value_set=pa.array([str(v) for v in self.constraints["enum"]], pa.string())) \
            if "enum" in self.constraints else pa.array(np.ones(len(text), dtype=bool))
        missing, ok = missing.to_numpy(zero_copy_only=False), ok.to_numpy(zero_copy_only=False)
        return text, np.where(missing, 1, np.where(ok, 0, 2)).astype(np.int8)

    def expected_fields(self) -> dict:
        """What :meth:`expected` says, as data: the field's type and its declared limits."""
        c = self.constraints
        out: dict = {"type": self.kind}
        out.update({k: c[k] for k in ("minimum", "maximum", "pattern") if k in c})
        if "enum" in c:
            out["values"] = [str(v) for v in c["enum"]]
        if self.kind == "boolean":
            out["values"] = sorted(self.true_values | self.false_values)
        if self._hint() and self.label_hints:
            out["labels"] = {lang: list(texts[:3]) for lang, texts in self.label_hints.items()}
        return out

    def _hint(self) -> list[str]:
        """Value labels that are not the value itself (a cell may hold them instead of the code)."""
        return [h for h in self.label_hint if normalise_header(h) in self.labels and
                normalise_header(self.labels[normalise_header(h)]) != normalise_header(h)]

    def expected(self) -> str:
        c = self.constraints
        hint = self._hint()
        also = f" (or a value label such as {', '.join(repr(h) for h in hint[:3])})" if hint else ""
        if "enum" in c:
            return "expected one of " + ", ".join(str(v) for v in c["enum"]) + also
        if self.kind in ("integer", "year"):
            return "expected an integer" + _range_text(c) + also
        if self.kind == "number":
            return "expected a finite number" + _range_text(c) + also
        if self.kind == "boolean":
            return "expected one of " + ", ".join(sorted(self.true_values | self.false_values))
        if self.kind in ("date", "datetime"):
            return "expected a date YYYY-MM-DD or D.M.YYYY (a time such as 14:05 may follow)"
        if "pattern" in c:
            return f"expected text matching {c['pattern']}"
        return "expected text"


def _range_text(c: Mapping) -> str:
    if "minimum" in c and "maximum" in c:
        return f" {c['minimum']}–{c['maximum']}"
    if "minimum" in c:
        return f" ≥ {c['minimum']}"
    if "maximum" in c:
        return f" ≤ {c['maximum']}"
    return ""


# ============================================================================= the plan of a file
ID_ADVICE = ("Replace identifiers with keyed pseudonyms before analysis, e.g. "
             "analysis.intake.privacy.pseudonymise(ids, key), and remove the code column.")
FREE_TEXT_ADVICE = ("The code is inside an open answer: delete it from the answer text in the source file "
                    "(other personal details in comments are screened before anything is published, but "
                    "a file holding identity codes is not read at all).")


@dataclass
class _Plan:
    """Which file header holds which schema field, and how each is checked."""

    file: str
    fields: dict[str, _Field]              # output order
    header_of: dict[str, str]              # field name → file header
    required: set[str]
    key: list[str]
    unique: list[str] = field(default_factory=list)
    passthrough: list[str] = field(default_factory=list)
    subtract: dict[str, float] = field(default_factory=dict)
    coding: list[str] = field(default_factory=list)   # 0–10 items checked for 1–11 coding
    recode_advice: str = ""                            # how the caller's user declares a 1–11 coding
    hints: dict[str, str] = field(default_factory=dict)   # field → said after its invalid cells' reason
    hint_fields: dict[str, dict] = field(default_factory=dict)   # the same as data (Problem.fields)
    absent: dict[str, _Field] = field(default_factory=dict)   # optional fields not in the file (left empty)
    order: list[str] = field(default_factory=list)           # declared fields in schema order (tables)
    mapping: dict[str, str] = field(default_factory=dict)
    unrecognised: tuple[tuple[str, str | None], ...] = ()
    notes: list[str] = field(default_factory=list)
    kind: str = "responses"
    unknown_missing: bool = False            # unknownCategories: missing — an unknown category is a missing cell
    unknown: list[tuple[str, str, int, str]] = field(default_factory=list)


def _closest(header: str, known: Mapping[str, str]) -> str | None:
    """The known header (as written) closest to ``header`` after folding, or ``None``."""
    match = difflib.get_close_matches(normalise_header(header), list(known), n=1, cutoff=0.75)
    return known[match[0]] if match else None


def _closest_of(names: list[str], headers: list[str]) -> str | None:
    """The header of ``headers`` closest to any of ``names`` (folded loosely), when one is close."""
    near = {header_text(h, loose=True): h for h in headers}
    for name in names:
        match = difflib.get_close_matches(header_text(name, loose=True), list(near), n=1, cutoff=0.75)
        if match:
            return near[match[0]]
    return None


def _names(fld: Mapping) -> list[str]:
    return [fld["name"], *fld.get("labels", {}).values(), *fld.get("aliases", ())]


def _lookup(fields: list[Mapping]) -> dict[str, str]:
    out: dict[str, str] = {}
    for fld in fields:
        for name in _names(fld):
            out.setdefault(normalise_header(name), fld["name"])
    return out


def _unrecognised(headers: list[str], mapping: Mapping[str, str], known: list[str], file: str
                  ) -> tuple[tuple[tuple[str, str | None], ...], list[str]]:
    shown = {normalise_header(k): k for k in known}
    out = tuple((h, _closest(h, shown)) for h in headers if mapping[h] == h and h not in known)
    notes = [f"column {h!r} is not a known column" + (f" (closest known header: {c!r})" if c else "")
             + "; passed through as text" for h, c in out]
    return out, notes


def _targets(mapping: Mapping[str, str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for h, k in mapping.items():
        out.setdefault(k, []).append(h)
    return out


def _id_fields(header: str) -> str | None:
    """The id, occasion or date field a header names (by name, label or alias), else ``None``."""
    for loose in (False, True):
        found = _id_lookup(loose).get(header_text(header, loose=loose))
        if found:
            return found
    return None


@lru_cache(maxsize=2)
def _id_lookup(loose: bool) -> dict[str, str]:
    return {header_text(n, loose=loose): f["name"] for f in (*ID_FIELDS, DATE_FIELD) for n in _names(f)}


def _response_plan(raw: RawTable, ins: Instrument, recode: str | None, recode_advice: str | None = None) -> _Plan:
    """File header → item key / id field (:meth:`Instrument.match_headers`; SPSS variables may also
    match by variable label). Refused, all in one error: a header two items match, a header meant
    twice, no id column, no item at all, and a header that matched nothing but is near an item the
    scoring needs (:attr:`Instrument.scoring_items`) that has no column: each with the expected header
    (in the language of the file's headers) and the file's nearest header."""
    file = str(raw.source)
    headers = list(raw.columns)
    found, ambiguous = ins.match_headers(headers)
    labels = {h: raw.column_labels[h] for h in headers if h not in found and raw.column_labels.get(h)}
    by_label, _ = ins.match_headers(list(labels.values()))
    keys = set(ins.item_keys)
    mapping = {}
    for h in headers:
        mapping[h] = found.get(h) or _id_fields(h) or (by_label.get(labels[h]) or _id_fields(labels[h])
                                                       if h in labels else None) or h
    lang = ins.header_language(headers)
    problems = [Problem(file, 1, None, h, None, "the header matches the items "
                        + ", ".join(repr(ins.label(k, lang)) for k in ks)
                        + ": which one is meant cannot be told; write the header as one of them")
                for h, ks in ambiguous.items() if mapping[h] == h]
    for k, hs in _targets(mapping).items():
        if len(hs) > 1 and (k in keys or k in ("respondent_id", "occasion", "date")):
            meant = repr(ins.label(k, lang)) if k in keys else repr(k)
            problems.append(Problem(file, 1, None, ", ".join(hs), None, f"{len(hs)} columns all mean {meant}; keep one"))
    known = [*ins.known_headers(), *(n for f in (*ID_FIELDS, DATE_FIELD) for n in _names(f))]
    unrecognised, notes = _unrecognised(headers, mapping, known, file)
    notes = [n for n, (h, _) in zip(notes, unrecognised) if h not in ambiguous]
    unrecognised = tuple((h, c) for h, c in unrecognised if h not in ambiguous)
    if "respondent_id" not in mapping.values():
        near = _closest_of(_names(ID_FIELDS[0]), [h for h, _ in unrecognised])
        problems.append(Problem(file, 1, None, None, None,
                                f"no respondent id column; expected a header such as {ID_FIELDS[0]['labels'][lang]!r} "
                                "(or " + ", ".join(ID_FIELDS[0]["aliases"]) + ")"
                                + (f"; the nearest header of the file: {near!r}" if near else "")))
    if not keys & set(mapping.values()):
        near = [f"{h!r} (closest known header: {c!r})" for h, c in unrecognised if c]
        problems.append(Problem(file, 1, None, None, None,
                                f"no item of instrument {ins.id!r} ({ins.title.get(lang, ins.id)}) found among the "
                                f"headers {headers}; expected headers such as "
                                + ", ".join(repr(ins.label(k, lang)) for k in ins.scoring_items[:3])
                                + (f"; unrecognised headers: {', '.join(near)}" if near else "")))
    else:
        absent = set(ins.scoring_items) - set(mapping.values())
        for h, _ in unrecognised if absent else ():
            k = ins.nearest_item(h)
            if k in absent:
                problems.append(Problem(file, 1, None, h, None,
                                        f"not a header of the instrument: the item nearest to it, "
                                        f"{ins.label(k, lang)!r} (the expected header), has no column, and the "
                                        "scoring needs it; write the header as expected"))
    if problems:
        raise InputError(file, problems)
    schema = responses_schema(ins)
    generic = schema["missingValues"]
    fields = {}
    recoded = [it.key for it in ins.rating_items if (it.scale.min, it.scale.max) == (0, 10)]
    by_key = {k: h for h, k in mapping.items()}
    for fld in schema["fields"]:
        if fld["name"] not in by_key:
            continue
        fld = dict(fld)
        if recode == "1-11" and fld["name"] in recoded:
            fld["constraints"] = {"minimum": 1, "maximum": 11}
            fld.pop("categories", None)   # the labels name 0–10 codes
        fields[fld["name"]] = _Field.of(fld, generic)
    key = [k for k in ("respondent_id", "occasion") if k in by_key]
    return _Plan(file, fields, {k: by_key[k] for k in fields}, required=set(key), key=key,
                 passthrough=[h for h in headers if mapping[h] not in fields],
                 subtract={k: 1.0 for k in recoded if recode == "1-11" and k in fields},
                 coding=[k for k in recoded if recode is None and k in fields], recode_advice=recode_advice or "",
                 mapping=mapping, unrecognised=unrecognised, notes=notes)


def _table_plan(raw: RawTable, schema: Mapping, dataset) -> _Plan:
    file = str(raw.source)
    headers = list(raw.columns)
    declared = schema["fields"]
    lookup = _lookup(declared)
    mapping = {h: lookup.get(normalise_header(h), h) for h in headers}
    pk = schema.get("primaryKey", [])
    pk = [pk] if isinstance(pk, str) else list(pk)
    names = [f["name"] for f in declared]
    problems = []
    targets = _targets(mapping)
    for k, hs in targets.items():
        if len(hs) > 1 and k in names:
            problems.append(Problem(file, 1, None, ", ".join(hs), None, f"{len(hs)} columns all mean {k!r}; keep one"))
    known = [n for f in declared for n in _names(f)]
    unrecognised, notes = _unrecognised(headers, mapping, known, file)
    required = {f["name"] for f in declared if f["name"] in pk or f.get("constraints", {}).get("required")}
    for f in names:
        if f in required and f not in targets:
            near = [h for h, c in unrecognised if c is not None and lookup.get(normalise_header(c)) == f]
            problems.append(Problem(file, 1, None, f, None, "required column is missing"
                                    + (f" (is {near[0]!r} meant to be it?)" if near else "")))
    if problems:
        raise InputError(file, problems)
    missing_values = schema.get("missingValues", [""])
    fields = {f["name"]: _Field.of(f, missing_values) for f in declared}
    by_key = {k: h for h, k in mapping.items()}
    absent = [f for f in names if f not in by_key]
    if absent:
        notes.append(f"optional column(s) not in the file, left empty: {', '.join(absent)}")
    unique = [f["name"] for f in declared if f.get("constraints", {}).get("unique") and f["name"] not in pk
              and f["name"] in by_key]
    return _Plan(file, {k: v for k, v in fields.items() if k in by_key}, {k: by_key[k] for k in names if k in by_key},
                 required=required, key=pk, unique=unique, passthrough=[h for h, _ in unrecognised],
                 absent={k: fields[k] for k in absent}, order=names, mapping=mapping, unrecognised=unrecognised,
                 notes=notes, kind="table", unknown_missing=schema.get("unknownCategories") == "missing")


# ============================================================================= whole-file checks
def _identity_hits(col: TextColumn) -> np.ndarray:
    """Which distinct texts hold a valid Finnish personal identity code. RE2 (pyarrow) finds the
    few candidates; :func:`~analysis.intake.privacy.find_identity_codes` checks date and check character."""
    import pyarrow.compute as pc

    hits = np.zeros(len(col), dtype=bool)
    if not len(col):
        return hits
    candidate = pc.match_substring_regex(col.arrow_uniques(), _IDENTITY_CANDIDATE)
    candidate = candidate.to_numpy(zero_copy_only=False).astype(bool)
    if candidate.any():
        texts = [col.text(i) for i in np.flatnonzero(candidate)]
        hits[candidate] = find_identity_codes(pd.Series(texts, dtype=object)).to_numpy()
    return hits


#: How a 1–11 coded file is declared, said in the messages when the caller does not say otherwise.
RECODE_ADVICE = "load with recode='1-11' (command line: --recode 1-11)"


class _WholeFile:
    """Facts only the whole file can tell, gathered chunk by chunk: identity codes in any column and
    0–10 items whose answers all lie in 1–11 with at least one 11 (after declared missing codes).

    The file is judged coded 1–11 only on file-wide evidence: no 0–10 item has a 0 and most of the
    answered ones have an 11. An 11 in a few columns is an invalid answer (its row is rejected or
    reported like any other), whose reason says the file might be coded 1–11."""

    def __init__(self, plan: _Plan):
        self.plan = plan
        self.identity: dict[str, list[int]] = {}           # header → [rows with a code, first row]
        self.coding = {k: [True, False, np.inf] for k in plan.coding}   # all in 1..11, any 11, lowest

    def _free_text(self, header: str) -> bool:
        """Whether ``header`` is an open-answer column (text without categories)."""
        name = next((k for k, h in self.plan.header_of.items() if h == header), None)
        f = self.plan.fields.get(name) if name else None
        return f is not None and f.kind == "string" and not f.labels and name not in self.plan.key

    def update(self, raw: RawTable, conv: Mapping[str, tuple[np.ndarray, np.ndarray]]) -> None:
        for header, col in raw.columns.items():
            hits = _identity_hits(col)
            rows = raw.rows[col.take(hits)] if hits.any() else ()
            if len(rows):                  # a chunk's dictionary may hold texts of other chunks
                seen = self.identity.setdefault(header, [0, int(rows[0])])
                seen[0] += len(rows)
        for key in self.plan.coding:
            col = raw.columns[self.plan.header_of[key]]
            values, state = conv[key]
            used = np.bincount(col.codes, minlength=len(col)) > 0
            v = values[used & (state != 1)]
            v = v[~np.isnan(v)]
            v = v[np.floor(v) == v]
            if len(v):
                acc = self.coding[key]
                acc[0] &= bool(((v >= 1) & (v <= 11)).all())
                acc[1] |= bool((v == 11).any())
                acc[2] = min(acc[2], float(v.min()))

    def check(self) -> None:
        file = self.plan.file
        if self.identity:
            raise PersonalDataError(file, [Problem(
                file, first, None, header, "xxxxxx-xxxx",
                f"column holds Finnish personal identity codes in {n} row(s) (first: row {first}); the file is "
                "refused as a whole. " + (FREE_TEXT_ADVICE if self._free_text(header) else ID_ADVICE))
                for header, (n, first) in self.identity.items()])
        advice = self.plan.recode_advice or RECODE_ADVICE
        suspects = [key for key, (inside, eleven, _) in self.coding.items() if inside and eleven]
        answered = [key for key, (_, _, low) in self.coding.items() if np.isfinite(low)]
        zero = any(low <= 0 for _, _, low in self.coding.values())
        if suspects and not zero and len(suspects) > len(answered) / 2:
            raise InputError(file, [Problem(
                file, None, None, self.plan.header_of[key], "11",
                f"values of this 0–10 item run from {int(self.coding[key][2])} to 11 (declared missing codes set "
                f"aside), and so do those of {len(suspects)} of the {len(answered)} answered 0–10 items, none "
                f"with a 0: the file is probably coded 1–11. If so, {advice}, which subtracts 1 from every 0–10 "
                "item; otherwise correct the values.") for key in suspects])
        for key in suspects:
            self.plan.hint_fields[key] = {"coded_1_11": {"lowest": int(self.coding[key][2]), "n_columns": len(suspects),
                                                         "n_answered": len(answered)}}
            self.plan.hints[key] = (f"; this column's answers run from {int(self.coding[key][2])} to 11, so an 11 may "
                                    f"mean the file is coded 1–11 (only {len(suspects)} of the {len(answered)} "
                                    f"answered 0–10 items have an 11, so the file is not judged so): if it is, "
                                    f"{advice}; otherwise correct the value")


def _convert(plan: _Plan, raw: RawTable, names) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    return {k: plan.fields[k].convert(raw.columns[plan.header_of[k]], raw.decimal) for k in names}


def _arrow_strings(values, valid: np.ndarray):
    """Per-distinct-text strings (a pyarrow array or a sequence) with nulls where not ``valid``."""
    import pyarrow as pa
    import pyarrow.compute as pc

    arr = values if isinstance(values, pa.Array) else pa.array(list(values), pa.string())
    return arr if valid.all() else pc.if_else(pa.array(valid), arr, pa.scalar(None, pa.string()))


class _Keys:
    """Every row's key, gathered chunk by chunk, to find duplicates within and across chunks.

    Kept per chunk: the distinct canonical key texts of each key column, each row's index into
    them and the file rows. Duplicates are found by a 64-bit hash of each row's key, sorted (no hash
    table: about 16 bytes a row at the peak), and confirmed on the key texts themselves, so a hash
    collision can never reject a row."""

    def __init__(self, plan: _Plan, names: list[str]):
        self.plan, self.names = plan, names
        self.parts: list[tuple[np.ndarray, list[tuple[np.ndarray, object]]]] = []

    def add(self, raw: RawTable, conv) -> None:
        import pyarrow as pa
        import pyarrow.compute as pc

        columns = []
        for k in self.names:
            values, state = conv[k]
            col = raw.columns[self.plan.header_of[k]]
            values = _arrow_strings(values if isinstance(values, pa.Array) else
                                    [v if isinstance(v, str) else cell_text(v) for v in values], state != 1)
            if col.distinct and (state != 1).all() and pc.all(pc.equal(values, col.arrow_uniques())).as_py() \
                    is not False:
                canonical, distinct = np.arange(len(values)), values     # nothing stripped: already distinct
            else:                                        # " A" and "A" are one key; missing → -1
                encoded = pc.dictionary_encode(values)
                canonical = encoded.indices.to_numpy(zero_copy_only=False)
                canonical = np.nan_to_num(canonical, nan=-1).astype(np.int64) if canonical.dtype.kind == "f" \
                    else canonical.astype(np.int64)
                distinct = encoded.dictionary
            columns.append((canonical[col.codes].astype(np.int32), distinct))
        self.parts.append((np.asarray(raw.rows, dtype=np.int64), columns))

    def duplicates(self) -> dict[int, tuple[tuple, list[int]]]:
        """Rows whose complete key repeats: row → (key, the other rows with that key)."""
        if not self.names or not self.parts:
            return {}
        hashes, complete = [], []
        for rows, columns in self.parts:
            h = np.zeros(len(rows), dtype=np.uint64)
            ok = np.ones(len(rows), dtype=bool)
            for per_row, distinct in columns:
                if len(self.parts) == 1:                 # one chunk: the indices are the distinct keys
                    per_text = np.arange(max(len(distinct), 1), dtype=np.uint64)
                else:                                    # across chunks: a hash of the key text
                    texts = distinct.to_numpy(zero_copy_only=False).astype(object)
                    per_text = pd.util.hash_array(texts) if len(texts) else np.zeros(1, dtype=np.uint64)
                ok &= per_row >= 0
                h = h * np.uint64(max(len(distinct), 1_000_003)) + per_text[np.maximum(per_row, 0)]
            hashes.append(h)
            complete.append(ok)
        h, ok = np.concatenate(hashes), np.concatenate(complete)
        del hashes, complete
        index = np.flatnonzero(ok)
        order = index[np.argsort(h[index], kind="stable")]
        same = h[order[1:]] == h[order[:-1]]
        candidates = np.sort(order[np.flatnonzero(np.r_[same, False] | np.r_[False, same])])
        if not len(candidates):
            return {}
        starts = np.cumsum([0] + [len(rows) for rows, _ in self.parts])
        groups: dict[tuple, list[int]] = {}
        for g in candidates:                            # few: the duplicates (and any hash collision)
            part = int(np.searchsorted(starts, g, side="right") - 1)
            rows, columns = self.parts[part]
            i = g - starts[part]
            key = tuple(distinct[int(per_row[i])].as_py() for per_row, distinct in columns)
            groups.setdefault(key, []).append(int(rows[i]))
        out = {}
        for key, rows in groups.items():
            for r in rows if len(rows) > 1 else ():
                out[r] = (key, [o for o in rows if o != r])
        return out


# ============================================================================= checking rows
@dataclass(frozen=True)
class _Gather:
    """A float column still as (value per distinct text, codes): gathered straight into the frame's block."""

    per_unique: np.ndarray
    codes: np.ndarray


def _strings(values, valid: np.ndarray, codes: np.ndarray):
    """Text column (pandas' string dtype) from per-distinct-text strings, missing where not ``valid``."""
    import pyarrow as pa

    dictionary = _arrow_strings(values, valid)
    return pa.DictionaryArray.from_arrays(pa.array(codes), dictionary).dictionary_decode().to_pandas().array


def _typed(fld: _Field, values: np.ndarray, valid: np.ndarray, codes: np.ndarray, shift: float = 0.0,
           table: bool = False):
    """The column of valid cells in its type, missing elsewhere; ``values``/``valid`` per distinct text."""
    if fld.numeric:
        per_unique = np.where(valid, values, np.nan) - shift
        if table and fld.kind != "number":
            return pd.array(per_unique[codes], dtype="Int64")
        return _Gather(per_unique, codes)
    if fld.kind == "boolean":
        return pd.array(np.where(valid, values, None)[codes], dtype="boolean")
    if fld.kind in ("date", "datetime"):
        return np.where(valid, values, np.datetime64("NaT"))[codes]
    return _strings(values, valid, codes)


def _row_ids(plan: _Plan, raw: RawTable, conv) -> Callable[[int], str | None]:
    """Respondent id (first key field) of the chunk's row at position ``i``, for problems."""
    first = plan.key[0] if plan.key else None
    if first not in conv:
        return lambda i: None
    id_col = raw.columns[plan.header_of[first]]
    id_text, id_state = conv[first]
    return lambda i: None if id_state[id_col.codes[i]] == 1 else _item(id_text, id_col.codes[i])


def _check_rows(plan: _Plan, raw: RawTable, conv) -> tuple[pd.DataFrame, list[Problem]]:
    """Typed columns of one chunk and a problem for every invalid cell, missing required cell and
    broken line."""
    file = plan.file
    rows = raw.rows
    lines = raw.lines if raw.lines is not None else rows
    rid = _row_ids(plan, raw, conv)
    problems = [_broken_with_id(p, raw, plan) for p in raw.problems]
    out: dict[str, object] = {}
    for name, fld in plan.fields.items():
        header = plan.header_of[name]
        col = raw.columns[header]
        values, state = conv[name]
        required = name in plan.required
        if plan.unknown_missing and not required and "enum" in fld.constraints and (state == 2).any():
            state = _unknown_as_missing(plan, fld, header, col, state)
        if (state == 2).any() or (required and (state == 1).any()):
            per_row = col.take(state)
            expected = fld.expected() + plan.hints.get(name, "")
            facts = {**fld.expected_fields(), **plan.hint_fields.get(name, {})}
            scope = "answer" if plan.kind == "responses" and name not in plan.key else "row"
            for i in np.flatnonzero(per_row == 2):
                problems.append(Problem(file, int(rows[i]), rid(i), header, col.text(col.codes[i]),
                                        expected, int(lines[i]), code="invalid_value", fields=facts, scope=scope))
            for i in np.flatnonzero(per_row == 1) if required else ():
                problems.append(Problem(file, int(rows[i]), rid(i), header, col.text(col.codes[i]),
                                        f"missing {name}: every row needs one", int(lines[i]), code="missing_key",
                                        fields={"field": name}))
        if fld.fold_case:
            values = _one_spelling(values, state, col, header, plan.notes)
        out[name] = _typed(fld, values, state == 0, col.codes, plan.subtract.get(name, 0.0), plan.kind == "table")
    empty = np.zeros(len(rows), dtype=np.intp)
    for name, fld in plan.absent.items():
        out[name] = _typed(fld, np.array([np.nan if fld.numeric else None]), np.zeros(1, dtype=bool), empty,
                           table=True)
    for header in plan.passthrough:
        col = raw.columns[header]
        out[header] = _strings(col.arrow_uniques(), ~col.blank(), col.codes)
    if plan.order:
        out = {k: out[k] for k in [*plan.order, *(k for k in out if k not in plan.order)]}
    return _frame(out, pd.Index(rows, name="row")), problems


def _unknown_as_missing(plan: _Plan, fld: _Field, header: str, col: TextColumn, state: np.ndarray) -> np.ndarray:
    """An optional category field's values outside its categories become missing cells (the row
    is kept: a client's other answers are not lost for one unforeseen category); each value is
    listed with its rows in ``plan.unknown`` and ``plan.notes``."""
    rows = np.bincount(col.codes, minlength=len(state)) if len(col.codes) else np.zeros(len(state), np.int64)
    counts: dict[str, int] = {}
    for i in np.flatnonzero(state == 2):
        if rows[i]:
            text = col.text(i).strip()
            counts[text] = counts.get(text, 0) + int(rows[i])
    expected = fld.expected()
    for text, n in counts.items():
        plan.unknown.append((header, text, n, expected))
        plan.notes.append(f"column {header!r}: value {text!r} in {n} row{'s' if n != 1 else ''} is not an accepted "
                          f"category ({expected}); read as missing, the row{'s' if n != 1 else ''} kept")
    return np.where(state == 2, 1, state).astype(state.dtype)


def _one_spelling(values, state: np.ndarray, col: TextColumn, header: str, notes: list[str]):
    """Texts of a ``foldCase`` field that differ only in case or spacing (``Lääkäri``,
    ``lääkäri ``) made one value, written as the spelling most rows use (a tie: the one met first
    in the file); each merge is said in ``notes``."""
    texts = [_item(values, i) for i in range(len(values))]
    rows = np.bincount(col.codes, minlength=len(texts)) if len(col.codes) else np.zeros(len(texts), np.int64)
    first = np.full(len(texts), np.iinfo(np.int64).max)
    if len(col.codes):
        where, at = np.unique(col.codes, return_index=True)
        first[where] = at
    groups: dict[str, dict[str, list]] = {}
    for i, text in enumerate(texts):
        if state[i] == 0:
            spelling = groups.setdefault(" ".join(text.split()).casefold(), {}).setdefault(text, [0, first[i]])
            spelling[0] += int(rows[i])
            spelling[1] = min(spelling[1], first[i])
    chosen = {}
    for key, spellings in groups.items():
        if len(spellings) > 1:
            label = min(spellings, key=lambda t: (-spellings[t][0], spellings[t][1]))
            chosen[key] = label
            notes.append(f"column {header!r}: " + ", ".join(f"{t!r} ({n} row{'s' if n != 1 else ''})"
                                                            for t, (n, _) in spellings.items())
                         + f" differ only in case or spacing and are read as one value, {label!r} (the spelling "
                           "most rows use)")
    if not chosen:
        return values
    return [chosen.get(" ".join(t.split()).casefold(), t) if state[i] == 0 else t for i, t in enumerate(texts)]


def _duplicates(plan: _Plan, raw: RawTable, conv) -> dict[int, tuple[tuple, list[int]]]:
    """Rows of a whole file whose key (or a unique field) repeats: see :meth:`_Keys.duplicates`."""
    duplicates = {}
    for names in ([plan.key] if plan.key else []) + [[name] for name in plan.unique]:
        keys = _Keys(plan, names)
        keys.add(raw, conv)
        duplicates |= keys.duplicates()
    return duplicates


def _duplicate_problems(plan: _Plan, raw: RawTable, conv, duplicates: Mapping[int, tuple[tuple, list[int]]]
                        ) -> list[Problem]:
    """A problem for every row of the chunk in ``duplicates``, naming the other rows."""
    if not duplicates:
        return []
    rid = _row_ids(plan, raw, conv)
    lines = raw.lines if raw.lines is not None else raw.rows
    where = {int(r): i for i, r in enumerate(raw.rows)}
    problems = []
    for row in sorted(set(where) & set(duplicates)):
        key, others = duplicates[row]
        names = plan.key if len(key) == len(plan.key) else plan.unique
        shown = ", ".join(f"{c}={v!r}" for c, v in zip(names, key))
        i = where[row]
        problems.append(Problem(plan.file, row, rid(i), plan.header_of[names[0]], str(key[0]),
                                f"duplicate {' and '.join(names)} ({shown}): also in row "
                                + ", ".join(map(str, others)), int(lines[i]), code="duplicate_key",
                                fields={"fields": list(names), "values": [cell_text(v) if not isinstance(v, str) else v
                                                                          for v in key],
                                        "rows": [int(o) for o in others]}))
    return problems


def _item(values, i: int) -> str:
    """Element ``i`` of per-distinct-text values (pyarrow or numpy) as text."""
    value = values[i].as_py() if hasattr(values[i], "as_py") else values[i]
    return value if isinstance(value, str) else cell_text(value)


def _frame(columns: Mapping[str, object], index: pd.Index) -> pd.DataFrame:
    """DataFrame of ``columns`` in order; the float columns are gathered straight into one block
    (pandas would otherwise copy them into one)."""
    floats = [k for k, v in columns.items() if isinstance(v, _Gather)]
    block = np.empty((len(index), len(floats)), order="F")

    def gather(j: int) -> None:        # codes are in range: "clip" writes in place ("raise" via a copy)
        np.take(columns[floats[j]].per_unique, columns[floats[j]].codes, out=block[:, j], mode="clip")

    with ThreadPoolExecutor(2) as pool:          # two cores fill the block (first touch of its memory)
        list(pool.map(gather, range(len(floats))))
    data = pd.DataFrame(block, index=index, columns=floats, copy=False)
    for pos, (k, v) in enumerate(columns.items()):
        if k not in data.columns:
            data.insert(pos, k, v)
    return data


def _broken_with_id(p: Problem, raw: RawTable, plan: _Plan) -> Problem:
    """A broken line's problem, with its respondent id when the id column is among its fields."""
    if not plan.key or raw.delimiter is None:
        return p
    pos = list(raw.columns).index(plan.header_of[plan.key[0]]) if plan.header_of.get(plan.key[0]) else None
    fields = next(csv.reader([p.value or ""], delimiter=raw.delimiter), [])
    rid = fields[pos].strip() if pos is not None and pos < len(fields) and fields[pos].strip() else None
    return dataclasses.replace(p, respondent_id=rid)


def _result(plan: _Plan, raw: RawTable, data: pd.DataFrame, problems: list[Problem], on_invalid: str,
            notes: list[str]) -> LoadResult:
    problems = sorted(problems, key=lambda p: (-1 if p.row is None else p.row))
    if problems and on_invalid == "error":
        raise InputError(plan.file, problems)
    bad_rows = {p.row for p in problems if p.scope == "row"}
    accepted = data[~np.isin(raw.rows, list(bad_rows))] if bad_rows else data
    rejected = pd.DataFrame([[p.file, p.row, p.respondent_id, None if p.column is None else mask_identifiers(p.column),
                              None if p.value is None else mask_identifiers(p.value), mask_identifiers(p.reason),
                              p.line, p.scope, p.code,
                              None if p.fields is None else mask_identifiers(json.dumps(p.fields, ensure_ascii=False,
                                                                                        sort_keys=True))]
                             for p in problems], columns=REJECTION_COLUMNS)
    rejected["row"] = rejected["row"].astype("Int64")
    rejected["line"] = rejected["line"].astype("Int64")
    notes = list(notes)
    if raw.blank_rows:
        notes.append(f"{len(raw.blank_rows)} empty row(s) skipped: rows {', '.join(map(str, raw.blank_rows))}")
    n_read = raw.n_read
    return LoadResult(data=accepted, rejected=rejected, n_read=n_read, n_accepted=len(accepted),
                      n_rejected=n_read - len(accepted), source=raw.source, header_map=dict(plan.mapping),
                      notes=tuple(dict.fromkeys(mask_identifiers(n) for n in notes)), unrecognised=plan.unrecognised,
                      unknown_values=tuple(plan.unknown))


def _check_mode(on_invalid: str) -> None:
    if on_invalid not in ON_INVALID:
        raise ValueError(f"on_invalid must be one of {ON_INVALID}, got {on_invalid!r}")


def _load(plan: _Plan, raw: RawTable, on_invalid: str) -> LoadResult:
    conv = _convert(plan, raw, plan.fields)
    with ThreadPoolExecutor(1) as pool:     # the key search (hashing in pyarrow) runs beside the other checks
        duplicates = pool.submit(_duplicates, plan, raw, conv)
        whole = _WholeFile(plan)
        whole.update(raw, conv)
        whole.check()
        data, problems = _check_rows(plan, raw, conv)
        problems += _duplicate_problems(plan, raw, conv, duplicates.result())
    return _result(plan, raw, data, problems, on_invalid, [*raw.notes, *plan.notes])


def _instrument(instrument: str | Instrument, labels_override) -> Instrument:
    if isinstance(instrument, Instrument):
        return _cached_instrument(instrument.source, labels_override) if labels_override else instrument
    return _cached_instrument(instrument, labels_override)


def _cached_instrument(name, labels_override) -> Instrument:
    """:func:`load_instrument`, parsed once per file version (YAML + schema check cost more than a
    small file's checks)."""
    files = [Path(f) for f in (name, labels_override) if f is not None and Path(f).suffix]
    stamp = tuple(f.stat().st_mtime_ns for f in files if f.exists())
    return _load_instrument(str(name), None if labels_override is None else str(labels_override), stamp)


@lru_cache(maxsize=32)
def _load_instrument(name: str, labels_override: str | None, stamp: tuple) -> Instrument:
    return load_instrument(name, labels_override)


def load_responses(path: str | Path, instrument: str | Instrument, *, on_invalid: str = "error",
                   recode: str | None = None, labels_override: str | Path | None = None,
                   delimiter: str | None = None, chunksize: int | None = None, recode_advice: str | None = None):
    """Load wide questionnaire responses and check them against the instrument.

    Headers are matched with :meth:`Instrument.header_map` (keys, fi/sv/en labels, aliases; SPSS
    variable labels too); ``respondent_id``/``occasion``/``date`` by name or alias (see the data
    dictionary). Headers matching nothing are passed through as text and listed in
    ``unrecognised`` with the closest known header. Checks, all in one pass: rating cells must be
    integers on the item's scale — a scale label such as ``erittäin tyytyväinen`` reads as its
    code, and the instrument's declared missing codes (``EOS``, ``en osaa sanoa``, ``-``, empty,
    numeric codes such as ``-9`` only when declared) read as missing answers; ``respondent_id``
    (and ``occasion`` when that column exists) present; no duplicate (``respondent_id``,
    ``occasion``); no broken lines; dates with or without a time. The whole file is refused when
    it holds personal identity codes, or when it looks coded 1–11 (unless ``recode="1-11"``): no
    0–10 item has a 0 and most answered ones have an 11 (an 11 in fewer columns is an invalid
    answer whose reason mentions the possibility).

    Parameters
    ----------
    path : str or Path
        ``.csv``, ``.xlsx`` or ``.sav`` file (see :func:`read_raw`).
    instrument : str or Instrument
        Instrument id (``"3x10d"``) or a loaded :class:`~analysis.intake.instruments.Instrument`.
    on_invalid : {"error", "reject-rows"}
        ``"error"``: any problem raises :class:`InputError` listing all. ``"reject-rows"``: every
        problem is a line of ``rejected``; a row with a missing or duplicated id or occasion, or a
        broken line, is rejected, while an invalid answer (off the scale, not a number, an impossible
        date) is read as missing and its row kept (``LoadResult.n_invalid``).
    recode : {"1-11"}, optional
        ``"1-11"``: the 0–10 items were coded 1–11; values 1–11 are accepted and 1 is subtracted.
    labels_override : str or Path, optional
        Label-override YAML (official wording) used for header matching.
    delimiter : str, optional
        CSV delimiter, when the file's own cannot be told (see :func:`read_raw`).
    chunksize : int, optional
        Check a CSV file in chunks of this many rows and return an iterator of :class:`LoadResult`
        (memory bounded by the chunk). A first pass over the file finds what only the whole file
        can tell (identity codes, 1–11 coding, duplicate keys across chunks) before any chunk is
        handed out; rows keep their file row numbers. With ``on_invalid="error"`` the chunks come
        as in reject-rows mode and :class:`InputError` listing every problem is raised after the
        last one (discard what was received: :func:`analysis.intake.scoring.stream_score` does).
        Workbooks and SPSS files come whole, as one chunk.
    recode_advice : str, optional
        How the user declares a 1–11 coding, said in the messages (default: the ``recode=`` argument
        and the ``--recode`` option; a study says its manifest's ``recode: 1-11``).

    Returns
    -------
    LoadResult or iterator of LoadResult
        ``data``: ``respondent_id`` (str), ``occasion`` (str, if in the file), ``date`` (if in the file),
        item columns in instrument order (rating: float, NaN = missing; text: str), then other columns
        as text. ``n_accepted + n_rejected == n_read``.

    Examples
    --------
    >>> from analysis import datasets
    >>> res = load_responses(datasets.path("3x10d_fi.xlsx"), "3x10d", on_invalid="reject-rows")
    >>> res.n_read, res.n_accepted, res.n_rejected
    (24, 24, 0)
    """
    _check_mode(on_invalid)
    if recode not in (None, *RECODES):
        raise ValueError(f"recode must be one of {RECODES} or None, got {recode!r}")
    if chunksize is not None and (not isinstance(chunksize, (int, np.integer)) or chunksize < 1):
        raise ValueError(f"chunksize must be a positive integer, got {chunksize!r}")
    ins = _instrument(instrument, labels_override)
    if chunksize is not None:
        return _stream_responses(path, ins, on_invalid, recode, delimiter, int(chunksize), recode_advice)
    raw = read_raw(path, delimiter=delimiter)
    return _load(_response_plan(raw, ins, recode, recode_advice), raw, on_invalid)


def _stream_responses(path, ins: Instrument, on_invalid: str, recode, delimiter, chunksize: int,
                      recode_advice: str | None = None) -> Iterator[LoadResult]:
    path, file, suffix = resolve_source(path)
    if suffix not in (".csv", ".txt"):
        raw = read_raw(path)
        yield _load(_response_plan(raw, ins, recode, recode_advice), raw, "reject-rows")
        return
    reader = CsvReader(path, file, delimiter)
    while True:                          # first pass: whole-file facts and every key
        plan = whole = keys = None
        try:
            for raw in reader.chunks(chunksize):
                if plan is None:
                    plan = _response_plan(raw, ins, recode, recode_advice)
                    whole, keys = _WholeFile(plan), _Keys(plan, plan.key)
                conv = _convert(plan, raw, [*plan.key, *plan.coding])
                whole.update(raw, conv)
                keys.add(raw, conv)
        except Restart:                 # not UTF-8 after all: read again as Windows-1252
            continue
        break
    whole.check()
    duplicates = keys.duplicates()
    del keys
    problems: list[Problem] = []
    first = True
    for raw in reader.chunks(chunksize):
        conv = _convert(plan, raw, plan.fields)
        data, found = _check_rows(plan, raw, conv)
        found += _duplicate_problems(plan, raw, conv, duplicates)
        problems += found
        notes = [*raw.notes, *plan.notes] if first else []
        first = False
        yield _result(plan, raw, data, found, "reject-rows", notes)
    if problems and on_invalid == "error":
        raise InputError(file, sorted(problems, key=lambda p: (-1 if p.row is None else p.row)))


def load_table(path: str | Path, dataset: str | Path, *, on_invalid: str = "error",
               delimiter: str | None = None) -> LoadResult:
    """Load a non-instrument dataset and check it against ``data_dictionary/<dataset>.json``.

    Columns are found by field name, ``labels`` or ``aliases``; the primary-key fields and fields
    with ``constraints.required`` must be present, other declared columns are optional (left empty
    when absent, said in ``notes``) and undeclared columns are passed through as text, listed in
    ``unrecognised`` with the closest declared header. Cells are checked for type (string,
    integer, number, boolean, date with optional time, year), ``required``, ``enum``,
    ``minimum``/``maximum`` and ``pattern``; value labels and their aliases declared as the
    field's ``categories`` (``nainen`` → ``female``) and ``trueValues``/``falseValues`` (``kyllä``,
    ``ja``) read as the canonical value; the primary key must be complete and unique. A schema
    declaring ``"unknownCategories": "missing"`` (background data) reads a value outside an
    optional category field's ``enum`` as a missing cell and keeps the row, listing each such
    value with its column and row count in ``unknown_values`` and ``notes``. Missing-value
    codes come from the field's or the schema's ``missingValues``. Output columns follow the
    schema's field order with pandas types (integer → ``Int64``, number → float, boolean →
    ``boolean``, date → datetime64, string → str), then the passed-through columns.

    Examples
    --------
    >>> from analysis import datasets
    >>> res = load_table(datasets.path("demo") / "service_use.csv", "service-use")
    >>> res.n_read == res.n_accepted
    True
    """
    _check_mode(on_invalid)
    schema = load_schema(dataset)
    raw = read_raw(path, delimiter=delimiter)
    return _load(_table_plan(raw, schema, dataset), raw, on_invalid)
