"""Load and check researchers' files: CSV, Excel ``.xlsx`` and SPSS ``.sav``.

Every number the package reports starts here, so reading is strict and transparent:

* :func:`read_raw` reads every cell as text (nothing coerced) and reports how the file was read
  (delimiter, decimal comma, encoding, line ends, sheet, SPSS labels).
* :func:`load_responses` checks questionnaire responses against the instrument definition and its
  data-dictionary schema (:func:`analysis.intake.dictionary.responses_schema`); :func:`load_table` checks
  any other dataset against ``data_dictionary/<dataset>.json``.
* All problems are found in one pass. Each names the file, the row as numbered in the file
  (header = row 1; xlsx: the sheet row; sav: case number + 1), the column, the value and what was
  expected. ``on_invalid="error"`` raises :class:`InputError` listing them all;
  ``on_invalid="reject-rows"`` keeps the valid rows and returns the others in ``rejected``
  (accepted + rejected = rows read, always).
* Files holding Finnish personal identity codes are refused outright
  (:class:`PersonalDataError`), and a 0–10 item coded 1–11 is caught (the error that once shifted
  the published national norms by one).

Own code rather than ``pandas.read_csv`` type inference or the ``frictionless`` validator: both
coerce silently (``"7,0"`` → text, ``"1e1"`` → 10, blank lines dropped, rows renumbered), lose the
file's own row numbers and stop at the first error, while researchers need every problem located
by the row number they see in Excel. The ``csv`` module, openpyxl and pyreadstat do the parsing.

Examples
--------
>>> res = load_responses("tests/fixtures/io/3x10d_fi_semicolon_bom.csv", "3x10d")  # doctest: +SKIP
>>> res.n_read == res.n_accepted + res.n_rejected                                   # doctest: +SKIP
True
"""
from __future__ import annotations

import csv
import datetime as _dt
import io as _io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

import numpy as np
import pandas as pd

from analysis.intake.dictionary import (
    DATE_FIELD,
    ID_FIELDS,
    load_schema,
    responses_schema,
)
from analysis.intake.instruments import Instrument, load_instrument, normalise_header
from analysis.intake.privacy import find_identity_codes, mask_identity_codes

ON_INVALID = ("error", "reject-rows")
RECODES = ("1-11",)
REJECTION_COLUMNS = ["file", "row", "respondent_id", "column", "value", "reason"]
SUPPORTED = (".csv", ".txt", ".xlsx", ".sav")
_NUMBER = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)"
_DECIMAL_COMMA = r"^([+-]?\d*),(\d+)$"
#: Text columns come out with pandas' default string dtype (``str`` from pandas 3, ``object`` before).
TEXT_DTYPE = "str" if int(pd.__version__.split(".")[0]) >= 3 else object


@dataclass(frozen=True)
class Problem:
    """One problem in an input file. ``row`` is ``None`` for problems of the whole file."""

    file: str
    row: int | None
    respondent_id: str | None
    column: str | None
    value: str | None
    reason: str

    def __str__(self) -> str:
        where = [f"row {self.row}" if self.row is not None else "whole file"]
        if self.respondent_id:
            where.append(f"respondent_id {self.respondent_id!r}")
        if self.column is not None:
            where.append(f"column {self.column!r}")
        if self.value is not None:
            where.append(f"value {_show(self.value)}")
        return f"{self.file}: {', '.join(where)}: {self.reason}"


def _rid(ids: pd.Series, row: int) -> str | None:
    """Respondent id of a file row for messages (``None`` when missing or unreadable)."""
    value = ids.get(row)
    return None if value is None or pd.isna(value) else str(value)


def _show(value: str) -> str:
    text = mask_identity_codes(str(value))
    return repr(text if len(text) <= 60 else text[:57] + "...")


class InputError(ValueError):
    """Invalid input file. ``problems`` lists every :class:`Problem` found; the message shows all."""

    def __init__(self, file: str, problems: list[Problem]):
        self.file = file
        self.problems = list(problems)
        head = f"{file}: {len(self.problems)} problem{'s' if len(self.problems) != 1 else ''} found; nothing was loaded"
        super().__init__("\n".join([head, *(f"  {p}" for p in self.problems)]))


class PersonalDataError(InputError):
    """The file holds Finnish personal identity codes and is refused as a whole."""


@dataclass(frozen=True)
class RawTable:
    """A file read as text: ``data`` holds ``str`` cells (``""`` when empty), indexed by file row number.

    Format facts: ``format`` (csv/xlsx/sav), ``encoding``, ``delimiter``, ``decimal``, ``line_ends``,
    ``sheet``, ``blank_rows`` (entirely empty rows, skipped: they hold no data), SPSS ``column_labels``
    and ``value_labels`` (codes are kept as numbers in ``data``), ``notes`` (facts a user should
    hear, e.g. an encoding fallback) and ``problems`` (rows with more cells than the header).
    """

    data: pd.DataFrame
    source: Path
    format: str
    encoding: str | None = None
    delimiter: str | None = None
    decimal: str = "."
    line_ends: str | None = None
    sheet: str | None = None
    blank_rows: tuple[int, ...] = ()
    column_labels: Mapping[str, str] = field(default_factory=dict)
    value_labels: Mapping[str, Mapping[float, str]] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    problems: tuple[Problem, ...] = ()


@dataclass(frozen=True)
class LoadResult:
    """Checked data. ``data`` is indexed by file row number (index name ``row``)."""

    data: pd.DataFrame
    rejected: pd.DataFrame
    n_read: int
    n_accepted: int
    n_rejected: int
    source: Path
    header_map: Mapping[str, str]
    notes: tuple[str, ...] = ()


# ----------------------------------------------------------------------------- reading
def _cell_text(value: object) -> str:
    """Text of one xlsx/sav cell: integral floats without ``.0``, dates in ISO form."""
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NaT:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        value = float(value)
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, _dt.datetime):
        return value.date().isoformat() if value.time() == _dt.time() else value.isoformat()
    if isinstance(value, (_dt.date, _dt.time)):
        return value.isoformat()
    return str(value)


def _decode(raw: bytes, file: str) -> tuple[str, str, list[str]]:
    body, encoding = (raw[3:], "utf-8-sig") if raw.startswith(b"\xef\xbb\xbf") else (raw, "utf-8")
    try:
        return body.decode("utf-8"), encoding, []
    except UnicodeDecodeError as exc:
        bad = body[exc.start]
        line = body[:exc.start].count(b"\n") + 1
        try:
            text = body.decode("cp1252")
        except UnicodeDecodeError:
            raise InputError(file, [Problem(file, None, None, None, None,
                                            f"not readable as text: invalid UTF-8 (byte 0x{bad:02x} on line {line}) "
                                            "and not Windows-1252 either; save the file as 'CSV UTF-8'")]) from None
        note = (f"not valid UTF-8 (byte 0x{bad:02x} on line {line}); read as Windows-1252 (cp1252), "
                "the encoding of Excel's plain 'CSV' on Finnish Windows")
        return text, "cp1252", [note]


def _header_delimiter(text: str) -> str:
    first = text.split("\n", 1)[0]
    counts = {d: first.count(d) for d in (";", ",", "\t")}
    best = max(counts, key=counts.get)
    return best if counts[best] > 0 else ","


def _table(records: list[list[str]], first_row: int, file: str, notes: list[str]
           ) -> tuple[pd.DataFrame, tuple[int, ...], list[Problem]]:
    """Header + records → DataFrame of text indexed by file row; blank rows skipped, ragged rows reported."""
    if not records or not any(str(c).strip() for c in records[0]):
        raise InputError(file, [Problem(file, first_row, None, None, None, "no header row: the first row is empty")])
    header = [str(c).strip() for c in records[0]]
    width = len(header)
    rows, index, blank, problems = [], [], [], []
    for number, rec in enumerate(records[1:], start=first_row + 1):
        if not any(str(c).strip() for c in rec):
            blank.append(number)
            continue
        extra = [c for c in rec[width:] if str(c).strip()]
        if extra:
            problems.append(Problem(file, number, None, None, _show_list(extra),
                                    f"row has {len(rec)} cells but the header has {width} columns"))
        rows.append(list(rec[:width]) + [""] * (width - len(rec)))
        index.append(number)
    data = pd.DataFrame(rows, columns=range(width), index=pd.Index(index, name="row"), dtype=object)
    keep, structural = [], []
    seen: dict[str, int] = {}
    for pos, name in enumerate(header):
        if name == "":
            if data[pos].str.strip().ne("").any():
                structural.append(Problem(file, first_row, None, f"(column {pos + 1})", None,
                                          "column has no header but holds data"))
            else:
                notes.append(f"empty column {pos + 1} without a header ignored")
            continue
        if name in seen:
            structural.append(Problem(file, first_row, None, name, None,
                                      f"header appears twice (columns {seen[name] + 1} and {pos + 1})"))
            continue
        seen[name] = pos
        keep.append(pos)
    if structural:
        raise InputError(file, structural)
    data = data[keep]
    data.columns = [header[p] for p in keep]
    return data, tuple(blank), problems


def _show_list(values: list[str]) -> str:
    return "; ".join(str(v) for v in values)


def _read_csv(path: Path, file: str) -> RawTable:
    text, encoding, notes = _decode(path.read_bytes(), file)
    line_ends = "CRLF" if "\r\n" in text else ("CR" if "\r" in text else "LF")
    delimiter = _header_delimiter(text.replace("\r", "\n"))
    try:
        records = list(csv.reader(_io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise InputError(file, [Problem(file, None, None, None, None, f"not a readable CSV file: {exc}")]) from None
    data, blank, problems = _table(records, 1, file, notes)
    return RawTable(data=data, source=path, format="csv", encoding=encoding, delimiter=delimiter,
                    decimal="," if delimiter == ";" else ".", line_ends=line_ends, blank_rows=blank,
                    notes=tuple(notes), problems=tuple(problems))


def _read_xlsx(path: Path, file: str) -> RawTable:
    import openpyxl

    try:
        wb = openpyxl.load_workbook(path, data_only=True, read_only=True)
    except Exception as exc:  # openpyxl raises many types for damaged files
        raise InputError(file, [Problem(file, None, None, None, None, f"not a readable .xlsx workbook: {exc}")]) from None
    ws = wb.worksheets[0]
    notes = []
    if len(wb.worksheets) > 1:
        notes.append(f"read the first sheet {ws.title!r} of {len(wb.worksheets)}")
    ws.reset_dimensions()  # do not trust the size stored by the writing program
    records = [[_cell_text(v) for v in row] for row in ws.iter_rows(min_row=1, values_only=True)]
    wb.close()
    data, blank, problems = _table(records, 1, file, notes)
    return RawTable(data=data, source=path, format="xlsx", sheet=ws.title, blank_rows=blank,
                    notes=tuple(notes), problems=tuple(problems))


def _read_sav(path: Path, file: str) -> RawTable:
    import pyreadstat

    try:
        df, meta = pyreadstat.read_sav(str(path), apply_value_formats=False)
    except Exception as exc:  # pyreadstat.ReadstatError and OSError variants
        raise InputError(file, [Problem(file, None, None, None, None, f"not a readable SPSS .sav file: {exc}")]) from None
    columns = []
    for name in df.columns:   # text of the distinct values only, spread back to the cases
        codes, uniques = pd.factorize(df[name].to_numpy(dtype=object), use_na_sentinel=False)
        columns.append(np.array([_cell_text(v) for v in uniques], dtype=object)[codes])
    records = [list(df.columns), *map(list, zip(*columns))]
    notes: list[str] = []
    data, blank, problems = _table(records, 1, file, notes)
    labels = {n: lab for n, lab in zip(meta.column_names, meta.column_labels) if lab}
    return RawTable(data=data, source=path, format="sav", encoding=meta.file_encoding, blank_rows=blank,
                    column_labels=labels, value_labels=dict(meta.variable_value_labels),
                    notes=tuple(notes), problems=tuple(problems))


def read_raw(path: str | Path) -> RawTable:
    """Read a ``.csv``/``.txt``, ``.xlsx`` or ``.sav`` file with every cell as text.

    CSV: delimiter ``;``, ``,`` or tab chosen by its count in the header line; decimal comma assumed
    with ``;`` (Finnish Excel); UTF-8, UTF-8 with BOM, or Windows-1252 when the bytes are not valid
    UTF-8 (said in ``notes``); LF, CRLF or CR line ends. xlsx: first sheet, cached formula values,
    numbers without a trailing ``.0``, dates as ISO text. sav: numeric codes kept as numbers, value
    and variable labels kept as metadata. Row numbers (the index) are those of the file.

    Raises
    ------
    InputError
        Missing file, unsupported extension, unreadable content, empty or duplicate headers.

    Examples
    --------
    >>> raw = read_raw("tests/fixtures/io/3x10d_fi_semicolon_bom.csv")  # doctest: +SKIP
    >>> raw.delimiter, raw.encoding, raw.line_ends                    # doctest: +SKIP
    (';', 'utf-8-sig', 'CRLF')
    """
    path = Path(path)
    file = str(path)
    if not path.is_file():
        raise InputError(file, [Problem(file, None, None, None, None, "file not found")])
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED:
        hint = " (save old .xls workbooks as .xlsx)" if suffix == ".xls" else ""
        raise InputError(file, [Problem(file, None, None, None, None, f"unsupported file type {suffix or '(none)'!r}; "
                                        f"expected one of {', '.join(SUPPORTED)}{hint}")])
    if suffix in (".csv", ".txt"):
        return _read_csv(path, file)
    if suffix == ".xlsx":
        return _read_xlsx(path, file)
    return _read_sav(path, file)


# ----------------------------------------------------------------------------- checking
def refuse_identity_codes(raw: RawTable) -> None:
    """Raise :class:`PersonalDataError` when any column holds a valid Finnish personal identity code."""
    file = str(raw.source)
    problems = []
    for col in raw.data.columns:
        found = find_identity_codes(raw.data[col])
        if found.any():
            rows = raw.data.index[found.to_numpy()]
            problems.append(Problem(
                file, int(rows[0]), None, col, "xxxxxx-xxxx",
                f"column holds Finnish personal identity codes in {int(found.sum())} row(s) (first: row {rows[0]}); "
                "the file is refused as a whole. Replace identifiers with keyed pseudonyms before analysis, "
                "e.g. analysis.intake.privacy.pseudonymise(ids, key), and remove the code column."))
    if problems:
        raise PersonalDataError(file, problems)


def _parse_numbers(text: pd.Series, decimal: str) -> pd.Series:
    """Float values of numeric cell texts; NaN where the text is not a plain decimal number."""
    s = text.str.strip()
    if decimal == ",":
        s = s.str.replace(_DECIMAL_COMMA, r"\1.\2", regex=True)
    ok = s.str.fullmatch(_NUMBER).fillna(False).astype(bool)
    return pd.to_numeric(s.where(ok), errors="coerce").astype(float)


def _range_text(c: Mapping) -> str:
    if "minimum" in c and "maximum" in c:
        return f" {c['minimum']}–{c['maximum']}"
    if "minimum" in c:
        return f" ≥ {c['minimum']}"
    if "maximum" in c:
        return f" ≤ {c['maximum']}"
    return ""


def _expected(fld: Mapping) -> str:
    c = fld.get("constraints", {})
    kind = fld.get("type", "string")
    if "enum" in c:
        return "expected one of " + ", ".join(str(v) for v in c["enum"])
    if kind == "integer":
        return "expected an integer" + _range_text(c)
    if kind == "number":
        return "expected a number" + _range_text(c)
    if kind == "boolean":
        return "expected one of " + ", ".join([*fld.get("trueValues", _TRUE), *fld.get("falseValues", _FALSE)])
    if kind == "date":
        return "expected a date YYYY-MM-DD or D.M.YYYY"
    if "pattern" in c:
        return f"expected text matching {c['pattern']}"
    return "expected text"


_TRUE = ["true", "True", "TRUE", "1"]
_FALSE = ["false", "False", "FALSE", "0"]


def _convert(text: pd.Series, fld: Mapping, decimal: str) -> tuple[pd.Series, pd.Series]:
    """Typed values and a mask of cells whose text is a valid value of the field (missing excluded)."""
    kind = fld.get("type", "string")
    c = fld.get("constraints", {})
    if kind in ("integer", "number", "year"):
        values = _parse_numbers(text, decimal)
        ok = values.notna()
        if kind != "number":
            ok &= np.floor(values).eq(values)
        if "minimum" in c:
            ok &= values.ge(c["minimum"])
        if "maximum" in c:
            ok &= values.le(c["maximum"])
    elif kind == "boolean":
        t = text.str.strip()
        trues, falses = fld.get("trueValues", _TRUE), fld.get("falseValues", _FALSE)
        values = pd.Series(pd.NA, index=text.index, dtype="boolean")
        values[t.isin(trues)] = True
        values[t.isin(falses)] = False
        ok = values.notna().astype(bool)
    elif kind == "date":
        t = text.str.strip()
        iso = pd.to_datetime(t.where(t.str.fullmatch(r"\d{4}-\d{2}-\d{2}")), format="%Y-%m-%d", errors="coerce")
        fin = pd.to_datetime(t.where(t.str.fullmatch(r"\d{1,2}\.\d{1,2}\.\d{4}")), format="%d.%m.%Y", errors="coerce")
        values = iso.fillna(fin)
        ok = values.notna()
    elif kind in ("string", "any"):
        values = text.str.strip()
        ok = pd.Series(True, index=text.index)
        if "pattern" in c:
            ok &= values.str.fullmatch(c["pattern"]).fillna(False).astype(bool)
    else:
        raise ValueError(f"data dictionary field {fld['name']!r} has type {kind!r}, which the loader does not support")
    if "enum" in c and kind != "boolean":
        ok &= values.isin(c["enum"])
    return values, ok.astype(bool)


def _missing_mask(text: pd.Series, missing_values: list[str], decimal: str) -> pd.Series:
    stripped = text.str.strip()
    mask = stripped.isin(missing_values)
    numeric_codes = [float(m) for m in missing_values if re.fullmatch(_NUMBER, m)]
    if numeric_codes:
        mask |= _parse_numbers(text, decimal).isin(numeric_codes)
    return mask


def _by_unique(text: pd.Series, fn) -> tuple[pd.Series, ...]:
    """Apply ``fn`` (Series → tuple of Series) to the distinct cell texts only, then spread the results
    back to every row. Questionnaire columns hold a handful of distinct texts, so this makes
    checking 100 000 rows cost little more than checking a dozen."""
    codes, uniques = pd.factorize(text.to_numpy(dtype=object), use_na_sentinel=False)
    results = fn(pd.Series(uniques, dtype=object))
    return tuple(r.iloc[codes].set_axis(text.index) for r in results)


def _check_column(raw: RawTable, header: str, fld: Mapping, missing_values: list[str], ids: pd.Series,
                  problems: list[Problem], required: bool | None = None) -> pd.Series:
    """Typed column (missing → NA); appends a problem for every invalid or missing-but-required cell."""
    file = str(raw.source)
    text = raw.data[header]
    missing, values, ok = _by_unique(
        text, lambda u: (_missing_mask(u, missing_values, raw.decimal), *_convert(u, fld, raw.decimal)))
    if required is None:
        required = bool(fld.get("constraints", {}).get("required"))
    bad = ~missing & ~ok
    reason = _expected(fld)
    for row in raw.data.index[bad.to_numpy()]:
        problems.append(Problem(file, int(row), _rid(ids, row), header, text[row], reason))
    if required:
        for row in raw.data.index[missing.to_numpy()]:
            problems.append(Problem(file, int(row), _rid(ids, row), header, text[row],
                                    f"missing {fld['name']}: every row needs one"))
    return values.where(~missing & ok)


def _duplicate_problems(raw: RawTable, keys: pd.DataFrame, headers: list[str], ids: pd.Series) -> list[Problem]:
    """A problem for every row whose key repeats, naming the other rows with the same key."""
    file = str(raw.source)
    complete = keys.notna().all(axis=1)
    k = keys[complete]
    dup = k.duplicated(keep=False)
    problems = []
    if not dup.any():
        return problems
    tuples = pd.Series(list(zip(*(k.loc[dup, c] for c in k.columns))), index=k.index[dup])
    groups = tuples.groupby(tuples, sort=False).groups
    names = " and ".join(keys.columns)
    for key, rows in groups.items():
        shown = ", ".join(f"{c}={v!r}" for c, v in zip(keys.columns, key))
        for row in rows:
            others = ", ".join(str(r) for r in rows if r != row)
            problems.append(Problem(file, int(row), _rid(ids, row), headers[0], str(key[0]),
                                    f"duplicate {names} ({shown}): also in row {others}"))
    return problems


def _result(raw: RawTable, data: pd.DataFrame, problems: list[Problem], on_invalid: str,
            header_map: Mapping[str, str]) -> LoadResult:
    file = str(raw.source)
    problems = sorted(problems, key=lambda p: (p.row if p.row is not None else -1))
    if problems and on_invalid == "error":
        raise InputError(file, problems)
    bad_rows = {p.row for p in problems}
    keep = ~raw.data.index.isin(list(bad_rows))
    rejected = pd.DataFrame([[p.file, p.row, p.respondent_id, p.column,
                              None if p.value is None else mask_identity_codes(p.value), p.reason] for p in problems],
                            columns=REJECTION_COLUMNS)
    rejected["row"] = rejected["row"].astype("Int64")
    notes = list(raw.notes)
    if raw.blank_rows:
        notes.append(f"{len(raw.blank_rows)} empty row(s) skipped: rows {', '.join(map(str, raw.blank_rows))}")
    n_read = len(raw.data)
    accepted = data[keep]
    return LoadResult(data=accepted, rejected=rejected, n_read=n_read, n_accepted=len(accepted),
                      n_rejected=n_read - len(accepted), source=raw.source, header_map=dict(header_map),
                      notes=tuple(notes))


def _check_mode(on_invalid: str) -> None:
    if on_invalid not in ON_INVALID:
        raise ValueError(f"on_invalid must be one of {ON_INVALID}, got {on_invalid!r}")


def _lookup(fields: list[Mapping]) -> dict[str, str]:
    out: dict[str, str] = {}
    for fld in fields:
        for name in (fld["name"], *fld.get("aliases", ())):
            out.setdefault(normalise_header(name), fld["name"])
    return out


def _map_response_headers(raw: RawTable, ins: Instrument) -> tuple[dict[str, str], list[Problem]]:
    """File header → item key / id field; SPSS variables may also match by variable label."""
    headers = list(raw.data.columns)
    mapping = ins.header_map(headers)
    ids = _lookup([*ID_FIELDS, DATE_FIELD])
    keys = set(ins.item_keys)
    for h in headers:
        if mapping[h] in keys:
            continue
        mapping[h] = ids.get(normalise_header(h), h)
        label = raw.column_labels.get(h)
        if mapping[h] == h and label:
            by_label = ins.header_map([label])[label]
            mapping[h] = by_label if by_label in keys else ids.get(normalise_header(label), h)
    file = str(raw.source)
    problems = []
    targets: dict[str, list[str]] = {}
    for h, k in mapping.items():
        targets.setdefault(k, []).append(h)
    for k, hs in targets.items():
        if len(hs) > 1 and (k in keys or k in ("respondent_id", "occasion", "date")):
            problems.append(Problem(file, 1, None, ", ".join(hs), None,
                                    f"{len(hs)} columns all mean {k!r}; keep one"))
    if "respondent_id" not in mapping.values():
        problems.append(Problem(file, 1, None, None, None,
                                "no respondent_id column; expected a header 'respondent_id' (or "
                                + ", ".join(ID_FIELDS[0]["aliases"]) + ")"))
    if not keys & set(mapping.values()):
        problems.append(Problem(file, 1, None, None, None,
                                f"no item of instrument {ins.id!r} found among the headers "
                                f"{headers}; expected item keys such as {ins.item_keys[:3]} or their labels"))
    return mapping, problems


def _one_to_eleven(raw: RawTable, values: dict[str, pd.Series], columns: list[tuple[str, str]]) -> list[Problem]:
    """0–10 items whose answers all lie in 1–11 with at least one 11: the likely 1–11 coding."""
    problems = []
    for header, key in columns:
        v = values[key].dropna()
        v = v[np.floor(v).eq(v)]
        if len(v) and v.between(1, 11).all() and v.eq(11).any():
            problems.append(Problem(
                str(raw.source), None, None, header, "11",
                f"values of this 0–10 item run from {int(v.min())} to 11: the file is probably coded 1–11. "
                "If so, load with recode='1-11' (command line: --recode 1-11), which subtracts 1 from every "
                "0–10 item; otherwise correct the values."))
    return problems


def load_responses(path: str | Path, instrument: str | Instrument, *, on_invalid: str = "error",
                   recode: str | None = None, labels_override: str | Path | None = None) -> LoadResult:
    """Load wide questionnaire responses and check them against the instrument.

    Headers are matched with :meth:`Instrument.header_map` (keys, fi/sv/en labels, aliases; SPSS
    variable labels too); ``respondent_id``/``occasion``/``date`` by name or alias (see the data
    dictionary). Checks, all in one pass: rating cells must be integers on the item's scale (missing
    codes of the dictionary such as empty, ``NA``, ``-9`` → NaN); ``respondent_id`` (and ``occasion``
    when that column exists) present; no duplicate (``respondent_id``, ``occasion``); rows no longer
    than the header. The whole file is refused when it holds personal identity codes, or when a 0–10
    item looks coded 1–11 (unless ``recode="1-11"``).

    Parameters
    ----------
    path : str or Path
        ``.csv``, ``.xlsx`` or ``.sav`` file (see :func:`read_raw`).
    instrument : str or Instrument
        Instrument id (``"3x10d"``) or a loaded :class:`~analysis.intake.instruments.Instrument`.
    on_invalid : {"error", "reject-rows"}
        ``"error"``: any problem raises :class:`InputError` listing all. ``"reject-rows"``: rows with
        problems go to ``rejected`` (one line per problem), the others are kept.
    recode : {"1-11"}, optional
        ``"1-11"``: the 0–10 items were coded 1–11; values 1–11 are accepted and 1 is subtracted.
    labels_override : str or Path, optional
        Label-override YAML (official wording) used for header matching.

    Returns
    -------
    LoadResult
        ``data``: ``respondent_id`` (str), ``occasion`` (str, if in the file), ``date`` (if in the file),
        item columns in instrument order (rating: float, NaN = missing; text: str), then other columns
        as text. ``n_accepted + n_rejected == n_read``.

    Examples
    --------
    >>> res = load_responses("responses.csv", "3x10d", on_invalid="reject-rows")  # doctest: +SKIP
    >>> res.n_read, res.n_accepted, res.n_rejected                                # doctest: +SKIP
    (120, 118, 2)
    """
    _check_mode(on_invalid)
    if recode not in (None, *RECODES):
        raise ValueError(f"recode must be one of {RECODES} or None, got {recode!r}")
    if isinstance(instrument, Instrument):
        ins = load_instrument(instrument.source, labels_override) if labels_override else instrument
    else:
        ins = load_instrument(instrument, labels_override)
    raw = read_raw(path)
    file = str(raw.source)
    refuse_identity_codes(raw)
    mapping, structural = _map_response_headers(raw, ins)
    if structural:
        raise InputError(file, structural)

    schema = responses_schema(ins)
    fields = {f["name"]: dict(f) for f in schema["fields"]}
    missing_values = schema["missingValues"]
    recoded = [it.key for it in ins.rating_items if (it.scale.min, it.scale.max) == (0, 10)]
    if recode == "1-11":
        for key in recoded:
            fields[key]["constraints"] = {"minimum": 1, "maximum": 11}

    by_key = {k: h for h, k in mapping.items()}
    id_header = by_key["respondent_id"]
    ids = raw.data[id_header].str.strip()
    ids = ids.where(~_missing_mask(raw.data[id_header], missing_values, raw.decimal))
    problems: list[Problem] = [Problem(p.file, p.row, _rid(ids, p.row), p.column, p.value, p.reason) for p in raw.problems]

    if recode is None:
        numbers = {k: _by_unique(raw.data[by_key[k]], lambda u: (_parse_numbers(u, raw.decimal).where(
            ~_missing_mask(u, missing_values, raw.decimal)),))[0] for k in recoded if k in by_key}
        coding = _one_to_eleven(raw, numbers, [(by_key[k], k) for k in recoded if k in by_key])
        if coding:
            raise InputError(file, coding)

    out: dict[str, pd.Series] = {}
    out["respondent_id"] = _check_column(raw, id_header, fields["respondent_id"], missing_values, ids, problems)
    id_cols = ["respondent_id"]
    for name in ("occasion", "date"):
        if name in by_key:
            out[name] = _check_column(raw, by_key[name], fields[name], missing_values, ids, problems,
                                      required=name == "occasion")
            id_cols.append(name)
    for key in ins.item_keys:
        if key in by_key:
            values = _check_column(raw, by_key[key], fields[key], missing_values, ids, problems)
            if fields[key]["type"] == "integer":
                values = values.astype(float) - (1.0 if recode == "1-11" and key in recoded else 0.0)
            out[key] = values
    for h in raw.data.columns:
        if mapping[h] not in out:
            out[h] = raw.data[h].where(raw.data[h].str.strip().ne(""))
    data = pd.DataFrame(out, index=raw.data.index)
    for col in data.columns:
        if col not in ("date",) and data[col].dtype == object:
            data[col] = data[col].astype(TEXT_DTYPE)

    pk = [c for c in ("respondent_id", "occasion") if c in data]
    problems += _duplicate_problems(raw, data[pk], [by_key[c] for c in pk], ids)
    return _result(raw, data, problems, on_invalid, mapping)


def load_table(path: str | Path, dataset: str | Path, *, on_invalid: str = "error") -> LoadResult:
    """Load a non-instrument dataset and check it against ``data_dictionary/<dataset>.json``.

    Every column must be declared in the schema (by name or alias); the primary-key fields and
    fields with ``constraints.required`` must be present. Cells are checked for type (string,
    integer, number, boolean, date, year), ``required``, ``enum``, ``minimum``/``maximum`` and
    ``pattern``; the primary key must be complete and unique. Missing-value codes come from the
    schema's ``missingValues``. Output columns follow the schema's field order with pandas types
    (integer → ``Int64``, number → float, boolean → ``boolean``, date → datetime64, string → str).

    Examples
    --------
    >>> res = load_table("background.csv", "background")  # doctest: +SKIP
    """
    _check_mode(on_invalid)
    schema = load_schema(dataset)
    raw = read_raw(path)
    file = str(raw.source)
    refuse_identity_codes(raw)
    fields = {f["name"]: f for f in schema["fields"]}
    lookup = _lookup(schema["fields"])
    mapping = {h: lookup.get(normalise_header(h), h) for h in raw.data.columns}
    pk = schema.get("primaryKey", [])
    pk = [pk] if isinstance(pk, str) else list(pk)
    structural = []
    name = schema.get("title", str(dataset))
    for h, k in mapping.items():
        if k not in fields:
            structural.append(Problem(file, 1, None, h, None,
                                      f"column is not declared in the data dictionary for {name!r}; declared: "
                                      + ", ".join(fields)))
    targets: dict[str, list[str]] = {}
    for h, k in mapping.items():
        targets.setdefault(k, []).append(h)
    for k, hs in targets.items():
        if len(hs) > 1 and k in fields:
            structural.append(Problem(file, 1, None, ", ".join(hs), None, f"{len(hs)} columns all mean {k!r}; keep one"))
    needed = [f for f in fields if f in pk or fields[f].get("constraints", {}).get("required")]
    for f in needed:
        if f not in targets:
            structural.append(Problem(file, 1, None, f, None, "required column is missing"))
    if structural:
        raise InputError(file, structural)

    missing_values = schema.get("missingValues", [""])
    by_key = {k: h for h, k in mapping.items()}
    first = by_key[pk[0]] if pk else None
    ids = raw.data[first].str.strip() if first else pd.Series(dtype=object)
    problems = list(raw.problems)
    out: dict[str, pd.Series] = {}
    for fname, fld in fields.items():
        if fname not in by_key:
            continue
        values = _check_column(raw, by_key[fname], fld, missing_values, ids, problems,
                               required=fname in pk or None)
        kind = fld.get("type", "string")
        if kind in ("integer", "year"):
            values = values.astype("Int64")
        elif kind == "number":
            values = values.astype(float)
        elif kind in ("string", "any"):
            values = values.astype(TEXT_DTYPE)
        out[fname] = values
    data = pd.DataFrame(out, index=raw.data.index)
    if pk:
        problems += _duplicate_problems(raw, data[pk], [by_key[c] for c in pk], ids)
    for fname, fld in fields.items():
        if fld.get("constraints", {}).get("unique") and fname in data and fname not in pk:
            problems += _duplicate_problems(raw, data[[fname]], [by_key[fname]], ids)
    return _result(raw, data, problems, on_invalid, mapping)
