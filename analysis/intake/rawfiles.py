"""Read researchers' files as text: CSV, Excel ``.xlsx`` and SPSS ``.sav``, nothing coerced.

:func:`read_raw` gives a :class:`RawTable`: every column as a :class:`TextColumn` (each distinct
cell text once, plus which one each row holds), the file row of every record (header = row 1; xlsx:
the sheet row; sav: case number + 1) and, for CSV, the physical line where it starts. The checks
against instruments and data dictionaries live in :mod:`analysis.intake.readers`.

Nothing is guessed silently: the CSV delimiter is the one under which the header and the data
lines split alike (an ambiguous file is an error naming the candidates), UTF-16/32 is read when its
byte-order mark says so, Windows-1252 only when the file holds no UTF-8 at all (a mixed file is
refused with the offset and line of the first bad byte), lines with more or fewer fields than the
header are listed as problems (never padded or merged), an unterminated quote is an error, and a
workbook formula whose value was never saved is an error naming its cells.

How: pyarrow's CSV parser reads every column as text on both cores (a one-thread re-parse numbers
skipped records when there are any): dictionary-encoded, or plain when its texts in the file's head
mostly differ, as ids do. python-calamine reads workbooks and pyreadstat SPSS files. Own code
around them because neither numbers rows as the file does nor refuses what it cannot read
faithfully: pandas and pyarrow pad short lines, skip blank ones and renumber rows; pyarrow runs an
unterminated quote silently to the end of the file.

Examples
--------
>>> from analysis import datasets
>>> raw = read_raw(datasets.path("3x10d_fi_semicolon_bom.csv"))
>>> raw.delimiter, raw.encoding, raw.line_ends, raw.rows[:3].tolist()
(';', 'utf-8-sig', 'CRLF', [2, 3, 4])
"""
from __future__ import annotations

import codecs
import csv
import dataclasses
import datetime as _dt
import io as _io
import re
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Iterator, Mapping
from xml.etree import ElementTree

import numpy as np
import pandas as pd

from analysis.intake.privacy import mask_identifiers

SUPPORTED = (".csv", ".txt", ".xlsx", ".sav")
#: Delimiters considered when a CSV file does not name its own (``delimiter=`` overrides).
DELIMITERS = (";", ",", "\t", "|")
NUMBER = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)"
NUMBER_RE = re.compile(NUMBER)
_SAMPLE_BYTES = 1 << 18         # head of a CSV file used to find encoding, delimiter and header
_VOTE_CHARS = 1 << 16           # of which the delimiter vote reads the whole lines in the first 64 Ki characters
_BLOCK_BYTES = 1 << 20          # pyarrow block: chunks of a streamed file
_WHOLE_BLOCK_BYTES = 1 << 22    # whole-file reads: blocks parsed in parallel (measured best on 2 cores)
_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")
_MAX_CELLS_LISTED = 20


@dataclass(frozen=True)
class Problem:
    """One problem in an input file. ``row`` is ``None`` for problems of the whole file.

    ``row`` is the row as Excel shows it (header = row 1); ``line`` is the physical line of a CSV
    file where that row starts, when it differs (a quoted cell spanning lines before it).
    ``code`` and ``fields`` say the reason as data (``invalid_value`` with what was expected,
    ``broken_line``, ``missing_key``, ``duplicate_key``), so that a report can say it in its own
    language; ``reason`` is the English sentence. ``scope`` is ``row`` when the problem rejects
    the row and ``answer`` when it only makes that answer missing.
    """

    file: str
    row: int | None
    respondent_id: str | None
    column: str | None
    value: str | None
    reason: str
    line: int | None = None
    code: str | None = None
    fields: Mapping | None = field(default=None, compare=False)
    scope: str = "row"

    def __str__(self) -> str:
        where = [f"row {self.row}" if self.row is not None else
                 f"line {self.line}" if self.line is not None else "whole file"]
        if self.row is not None and self.line is not None and self.line != self.row:
            where[0] += f" (file line {self.line})"
        if self.respondent_id:
            where.append(f"respondent_id {self.respondent_id!r}")
        if self.column is not None:
            where.append(f"column {self.column!r}")
        if self.value is not None:
            where.append(f"value {_show(self.value)}")
        # headers and reasons may quote the file (a headerless file's first row): never a code
        return mask_identifiers(f"{self.file}: {', '.join(where)}: {self.reason}")


def _show(value: str) -> str:
    text = mask_identifiers(str(value))
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


def _fail(file: str, reason: str, row: int | None = None, column: str | None = None, line: int | None = None):
    raise InputError(file, [Problem(file, row, None, column, None, reason, line)])


class TextColumn:
    """One column as read: each distinct cell text once (``""`` when empty) and ``codes`` saying
    which one each row holds, so every check runs once per distinct text. The distinct texts are
    a pyarrow array when pyarrow read them (``arrow``) and become Python strings (:attr:`uniques`)
    only when asked for — a column of a million ids is checked in pyarrow alone. ``distinct`` is
    ``False`` for a column read as plain text (mostly different texts, such as ids): its texts are
    then those of the rows, in order, and a text may occur more than once."""

    def __init__(self, codes: np.ndarray, uniques: np.ndarray | None = None, arrow=None, distinct: bool = True):
        self.codes = codes
        self._uniques = uniques
        self.arrow = arrow
        self.distinct = distinct

    @classmethod
    def of(cls, texts) -> TextColumn:
        codes, uniques = pd.factorize(np.asarray(texts, dtype=object), use_na_sentinel=False)
        return cls(codes, uniques.astype(object))

    @property
    def uniques(self) -> np.ndarray:
        if self._uniques is None:
            self._uniques = self.arrow.to_numpy(zero_copy_only=False).astype(object)
        return self._uniques

    def __len__(self) -> int:
        """Number of texts (distinct unless ``distinct`` is ``False``)."""
        return len(self._uniques) if self._uniques is not None else len(self.arrow)

    def text(self, i: int) -> str:
        """Text number ``i``."""
        return self._uniques[i] if self._uniques is not None else self.arrow[i].as_py()

    def take(self, per_unique) -> np.ndarray:
        """Spread a per-distinct-text array back to the rows."""
        return np.asarray(per_unique)[self.codes]

    def subset(self, mask) -> TextColumn:
        return TextColumn(self.codes[mask], self._uniques, self.arrow, self.distinct)

    def arrow_uniques(self):
        import pyarrow as pa

        return self.arrow if self.arrow is not None else pa.array(self.uniques, pa.string())

    def blank(self) -> np.ndarray:
        """Per distinct text: empty or white space only (pyarrow's trim agrees with :meth:`str.strip`
        on every code point)."""
        import pyarrow.compute as pc

        if self._uniques is not None and len(self._uniques) < 1000:
            return np.fromiter((not u.strip() for u in self._uniques), dtype=bool, count=len(self._uniques))
        return pc.equal(pc.utf8_length(pc.utf8_trim_whitespace(self.arrow_uniques())), 0).to_numpy(
            zero_copy_only=False)

    def line_breaks(self) -> np.ndarray:
        """Per distinct text: line breaks inside it (CRLF counts once)."""
        import pyarrow.compute as pc

        out = np.zeros(len(self), dtype=np.int64)
        if len(out):
            arr = self.arrow_uniques()
            hit = pc.or_(pc.match_substring(arr, "\n"), pc.match_substring(arr, "\r"))
            for i in np.flatnonzero(hit.to_numpy(zero_copy_only=False)):
                out[i] = _line_breaks(self.text(i))
        return out


@dataclass(frozen=True)
class RawTable:
    """A file (or a chunk of one) read as text.

    ``columns`` maps each header to its :class:`TextColumn`; ``rows`` holds the file row of every
    record (header = row 1) and ``lines`` the physical line where it starts (CSV; equal to ``rows``
    unless a quoted cell spans lines). :attr:`data` shows the same as a DataFrame of ``str`` cells
    indexed by file row. Format facts: ``format`` (csv/xlsx/sav), ``encoding``, ``delimiter``,
    ``decimal``, ``line_ends``, ``sheet``, ``header_rows`` (2 for a question + sub-question header),
    ``blank_rows`` (entirely empty rows, skipped: they hold no data), SPSS ``column_labels`` and
    ``value_labels``, ``notes`` (facts a user should hear) and ``problems`` (broken lines: rows with
    more or fewer fields than the header, which are read but never padded or merged).
    """

    columns: Mapping[str, TextColumn]
    rows: np.ndarray
    source: Path
    format: str
    lines: np.ndarray | None = None
    encoding: str | None = None
    delimiter: str | None = None
    decimal: str = "."
    line_ends: str | None = None
    sheet: str | None = None
    header_rows: int = 1
    blank_rows: tuple[int, ...] = ()
    column_labels: Mapping[str, str] = field(default_factory=dict)
    value_labels: Mapping[str, Mapping[float, str]] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    problems: tuple[Problem, ...] = ()

    @cached_property
    def data(self) -> pd.DataFrame:
        """Cells as text, indexed by file row (index name ``row``)."""
        return pd.DataFrame({h: c.uniques[c.codes] for h, c in self.columns.items()},
                            index=pd.Index(self.rows, name="row"), columns=list(self.columns), dtype=object)

    @property
    def n_read(self) -> int:
        """Rows read: records with data plus broken lines."""
        return len(self.rows) + len({p.row for p in self.problems})


# ============================================================================= reading CSV
def cell_text(value: object) -> str:
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


def _text_column(values: np.ndarray) -> TextColumn:
    """Cells of any Python type → :class:`TextColumn`, converting each distinct value once."""
    col = TextColumn.of(values)
    if all(type(u) is str for u in col.uniques):
        return col
    if any(isinstance(u, bool) for u in col.uniques) and len(col.uniques) > 1:
        col = TextColumn.of([cell_text(v) for v in values])   # True == 1: keep them apart
    again = TextColumn.of([cell_text(u) for u in col.uniques])   # 7 and "7" both read "7"
    return TextColumn(again.codes[col.codes] if len(col.codes) else col.codes, again.uniques)


class _NotUtf8(Exception):
    """Raised inside the parser when the byte stream stops being valid UTF-8."""


class Restart(Exception):
    """The encoding changed after chunks were handed out: read the file again from the start."""


class _Utf8Stream(_io.RawIOBase):
    """A file's bytes as UTF-8 for the parser: checked block by block (UTF-8) or transcoded
    (Windows-1252, UTF-16). Counts quote characters so an unterminated quote can be caught."""

    def __init__(self, path: Path, encoding: str):
        self._file = open(path, "rb")
        self._decoder = codecs.getincrementaldecoder(encoding)()
        self._passthrough = encoding in ("utf-8", "utf-8-sig")
        self._pending = memoryview(b"")
        self.quotes = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        """Fill ``buffer`` as far as the file goes (pyarrow's blocks then have the size asked for)."""
        filled = 0
        while filled < len(buffer):
            if not len(self._pending) and not self._refill():
                break
            n = min(len(buffer) - filled, len(self._pending))
            buffer[filled:filled + n] = self._pending[:n]
            self._pending = self._pending[n:]
            filled += n
        return filled

    def _refill(self) -> bool:
        raw = self._file.read(_BLOCK_BYTES)
        try:
            text = self._decoder.decode(raw, final=not raw)
        except UnicodeDecodeError:
            raise _NotUtf8() from None
        out = raw if self._passthrough else text.encode("utf-8")
        self.quotes += out.count(b'"')
        self._pending = memoryview(out)
        return bool(raw or out)

    def close(self) -> None:
        self._file.close()
        super().close()


def _bom_encoding(head: bytes) -> str | None:
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return "utf-32"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    return None


def _first_bad_byte(path: Path, file: str, line_break: bytes) -> str:
    """Diagnose a file that is not valid UTF-8: ``"cp1252"`` when it is plain Windows-1252 text,
    else an :class:`InputError` naming the first bad byte, its offset and its line."""
    raw = path.read_bytes()
    skip = 3 if raw.startswith(codecs.BOM_UTF8) else 0
    try:
        raw[skip:].decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as exc:
        offset = skip + exc.start
    where = (f"byte 0x{raw[offset]:02x} at byte offset {offset} (line {raw[:offset].count(line_break) + 1}) "
             "is not valid UTF-8")
    if skip or _UTF8_MULTIBYTE.search(raw):
        _fail(file, f"mixed encodings: {where}, but other parts of the file are UTF-8 (e.g. 'ä' as UTF-8 "
                    "bytes); the file was probably assembled from differently saved parts. Save the whole "
                    "file again as 'CSV UTF-8'.")
    try:
        raw.decode("cp1252")
    except UnicodeDecodeError:
        _fail(file, f"not readable as text: {where} and the file is not Windows-1252 either; "
                    "save the file as 'CSV UTF-8'")
    return "cp1252"


@dataclass(frozen=True)
class _CsvFormat:
    """What the head of a CSV file says about the whole of it."""

    encoding: str
    delimiter: str
    line_ends: str
    header: tuple[str, ...]
    header_rows: int
    header_lines: int
    width: int
    named: int
    notes: tuple[str, ...]
    plain: tuple[int, ...] = ()       # columns read as plain text, not dictionary-encoded


def _records(text: str, delimiter: str) -> list[tuple[int, list[str]]]:
    """(physical line after the record, fields) of each record of ``text``; blank lines left out."""
    reader = csv.reader(_io.StringIO(text, newline=""), delimiter=delimiter)
    out = []
    try:
        for rec in reader:
            if rec:
                out.append((reader.line_num, rec))
    except csv.Error:
        pass
    return out


def _choose_delimiter(sample: str, complete: bool, file: str) -> str:
    """The one delimiter under which the header and the data lines of the sample agree."""
    stats = {}
    for d in DELIMITERS:
        recs = [r for _, r in _records(sample, d)]
        if not complete:
            recs = recs[:-1]
        if not recs or len(recs[0]) < 2:
            continue
        width, body = len(recs[0]), recs[1:]
        agree = sum(len(r) == width or (len(r) == width + 1 and r[-1] == "") for r in body)
        stats[d] = (width, agree, len(body))
    if not stats:
        return ","                                          # one column: no delimiter in use
    consistent = [d for d, (_, agree, n) in stats.items() if agree == n]
    if len(consistent) == 1 or len(stats) == 1:
        return consistent[0] if consistent else next(iter(stats))   # broken lines are then reported
    named = ", ".join(f"{d!r} ({w} columns, {a} of {n} data lines agree)" for d, (w, a, n) in stats.items())
    if not consistent:
        best = max(stats, key=lambda d: stats[d][1])
        w, a, n = stats[best]
        if a > n / 2 and sum(s[1] == a for s in stats.values()) == 1:
            return best                                     # broken lines are then reported one by one
        _fail(file, f"cannot tell the delimiter: no candidate splits the header and the data lines alike: "
                    f"{named}; pass delimiter=… (command line: --delimiter)")
    _fail(file, f"ambiguous delimiter: {named} all split the file consistently; pass delimiter=… "
                "(command line: --delimiter) to say which one the file uses")


def _two_row_header(first: list[str], second: list[str] | None) -> list[str] | None:
    """Question + sub-question header (Webropol): combined names, or ``None`` for a one-row header.

    The second row counts as a sub-header when its first cell is empty (no respondent) and it
    names columns whose first-row cell is empty (the question spans them)."""
    if not second or second[0].strip() or len(second) > len(first) \
            or any(NUMBER_RE.fullmatch(c.strip().replace(",", ".")) for c in second):   # data, not labels
        return None
    second = second + [""] * (len(first) - len(second))
    if not any(not q.strip() and s.strip() for q, s in zip(first, second)):
        return None
    names, question = [], ""
    for q, s in zip(first, second):
        question = q.strip() or question
        names.append(f"{question} – {s.strip()}" if s.strip() and question else (q.strip() or s.strip()))
    return names


def _sniff(path: Path, file: str, delimiter: str | None) -> _CsvFormat:
    with open(path, "rb") as fh:
        head = fh.read(_SAMPLE_BYTES + 1)
    complete = len(head) <= _SAMPLE_BYTES
    head = head[:_SAMPLE_BYTES]
    notes = []
    encoding = _bom_encoding(head) or "utf-8"
    if encoding in ("utf-16", "utf-32"):
        name = encoding.upper()
        notes.append(f"{name} text with a byte-order mark (Excel's 'Unicode text'); read as {name}")
    elif b"\x00" in head:
        _fail(file, "not a text file: it holds NUL bytes (a binary file, or UTF-16 without a byte-order mark); "
                    "save it as 'CSV UTF-8'")
    line_break = b"\r" if b"\r" in head and b"\n" not in head else b"\n"
    try:
        sample = codecs.getincrementaldecoder(encoding)().decode(head, final=complete)
    except UnicodeDecodeError:
        encoding = _first_bad_byte(path, file, line_break)
        sample = head.decode(encoding)
    if encoding == "cp1252":
        notes.append(_cp1252_note(path, line_break))
    sample = sample.lstrip("\ufeff")
    if not complete:                                       # whole lines only
        cut = max(sample.rfind("\n"), sample.rfind("\r"))
        sample = sample[:cut + 1] if cut > 0 else sample
    line_ends = "CRLF" if "\r\n" in sample else ("CR" if "\r" in sample else "LF")
    if delimiter is None:           # a vote of the first lines (64 KiB: hundreds of lines) is enough
        cut = max(sample.rfind("\n", 0, _VOTE_CHARS), sample.rfind("\r", 0, _VOTE_CHARS))
        short = len(sample) > _VOTE_CHARS and cut > 0
        delimiter = _choose_delimiter(sample[:cut + 1] if short else sample, complete and not short, file)
    elif len(delimiter) != 1 or delimiter in "\"\r\n":
        raise ValueError(f"delimiter must be one character other than a quote or line break, got {delimiter!r}")
    recs = _records(sample, delimiter)
    if not recs or not any(c.strip() for c in recs[0][1]):
        _fail(file, "no header row: the first row is empty", row=1)
    first_line = sample.split("\n", 1)[0].split("\r", 1)[0]
    if not first_line.strip():
        _fail(file, "no header row: the first row is empty", row=1)
    header = [c.strip() for c in recs[0][1]]
    combined = _two_row_header(header, recs[1][1] if len(recs) > 1 else None)
    header_rows = 1
    if combined:
        header, header_rows = combined, 2
        notes.append("two-row header (question + sub-question) read as 'question – sub-question'")
    header_lines = recs[header_rows - 1][0]
    body = [r for _, r in recs[header_rows:(None if complete else -1)]]
    width = len(header)
    if header[-1] and body and all(len(r) == width + 1 and r[-1] == "" for r in body):
        width += 1
        notes.append("every line ends with an extra delimiter (an empty last field); ignored")
    return _CsvFormat(encoding, delimiter, line_ends, tuple(header) + ("",) * (width - len(header)),
                      header_rows, header_lines, width, len(header), tuple(notes), _mostly_different(body, width))


def _mostly_different(body: list[list[str]], width: int) -> tuple[int, ...]:
    """Columns whose texts in the sampled lines mostly differ (ids, free text). The parser reads
    them as plain text: a dictionary as long as the column, built per block and then merged, is
    only cost. Speed alone depends on this guess; what is read is the same either way."""
    return tuple(j for j in range(width) if len({r[j] for r in body if j < len(r)}) > len(body) / 2)


def _cp1252_note(path: Path, line_break: bytes) -> str:
    raw = path.read_bytes()
    first = re.search(rb"[\x80-\xff]", raw).start()
    return (f"not UTF-8 (byte 0x{raw[first]:02x} on line {raw[:first].count(line_break) + 1}) and no UTF-8 "
            "anywhere in the file; read as Windows-1252 (cp1252), the encoding of Excel's plain 'CSV' on "
            "Finnish Windows")


class _Numbering:
    """File row and physical line of every record, from the parser's skipped records.

    pyarrow numbers a skipped record by physical header lines + records; valid records come out in
    order without a number. A valid record's row is its position counted with every skipped record
    before it; its line adds the line breaks inside quoted cells of the records before it."""

    def __init__(self, fmt: _CsvFormat):
        self.first = fmt.header_rows + 1
        self.offset = fmt.header_lines - fmt.header_rows   # pyarrow numbers = row + offset
        self.header_extra = fmt.header_lines - fmt.header_rows
        self.skipped: list[tuple[int, int, str]] = []       # (row, line breaks inside, text)
        self.skipped_breaks = [0]                           # line breaks inside the skipped records before each
        self.n_valid = 0
        self.valid_breaks = 0
        self.reported = 0                                  # skipped records already turned into problems
        self.unnumbered = False

    def skip(self, number: int | None, text: str) -> None:
        if number is None:                                  # a multi-threaded parse does not number them
            self.unnumbered = True
            return
        breaks = _line_breaks(text)
        self.skipped.append((number - self.offset, breaks, text))
        self.skipped_breaks.append(self.skipped_breaks[-1] + breaks)

    def place(self, breaks: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Rows and lines of the next ``len(breaks)`` valid records (``breaks``: line breaks inside each)."""
        skipped = np.fromiter((s[0] for s in self.skipped), dtype=np.int64, count=len(self.skipped))
        skipped_breaks = np.array(self.skipped_breaks, dtype=np.int64)
        base = self.first + self.n_valid + np.arange(len(breaks), dtype=np.int64)
        self.n_valid += len(breaks)
        if not len(skipped) and not self.valid_breaks and not breaks.any() and not self.header_extra:
            return base, base                                # the usual file: rows are lines
        rows = base + np.searchsorted(skipped - np.arange(len(skipped)), base, side="right")
        before = self.valid_breaks + np.cumsum(breaks) - breaks
        lines = rows + self.header_extra + before + skipped_breaks[np.searchsorted(skipped, rows)]
        self.valid_breaks += int(np.sum(breaks))
        return rows, lines

    def line_of_skipped(self, i: int, valid_breaks_before: int) -> int:
        return self.skipped[i][0] + self.header_extra + valid_breaks_before + self.skipped_breaks[i]


def _line_breaks(text: str) -> int:
    return text.count("\n") + text.count("\r") - text.count("\r\n")


class CsvReader:
    """Parse a CSV file with pyarrow into :class:`RawTable` chunks (whole file, or ``chunksize`` rows)."""

    def __init__(self, path: Path, file: str, delimiter: str | None = None):
        self.path, self.file = path, file
        self.fmt = _sniff(path, file, delimiter)
        _check_header(file, self.fmt.header)

    def chunks(self, chunksize: int | None = None) -> Iterator[RawTable]:
        """The file as one :class:`RawTable` or in chunks of ``chunksize`` records.

        A byte that is not UTF-8 switches to Windows-1252 when the file is plain cp1252 (else an
        error); if chunks were already handed out, :class:`Restart` tells the caller to start over."""
        yielded = False
        try:
            for chunk in self._chunks(self.fmt, chunksize):
                yielded = True
                yield chunk
        except _NotUtf8:
            line_break = b"\r" if self.fmt.line_ends == "CR" else b"\n"
            encoding = _first_bad_byte(self.path, self.file, line_break)
            self.fmt = dataclasses.replace(self.fmt, encoding=encoding,
                                           notes=self.fmt.notes + (_cp1252_note(self.path, line_break),))
            if yielded:
                raise Restart() from None
            yield from self._chunks(self.fmt, chunksize)

    def _chunks(self, fmt: _CsvFormat, chunksize: int | None) -> Iterator[RawTable]:
        import pyarrow as pa

        if chunksize is None:
            # Both cores parse; records the parser skips are numbered only by a one-thread parse,
            # so a file with broken or white-space lines is parsed again that way (rare, then exact).
            for threads in (True, False):
                numbering = _Numbering(fmt)
                stream = _Utf8Stream(self.path, fmt.encoding)
                try:
                    table = self._open(fmt, stream, numbering, whole=True, threads=threads)
                finally:
                    stream.close()
                if not numbering.unnumbered:
                    break
            self._check_quotes(fmt, stream)
            yield self._raw(fmt, table, numbering, first=True, last=True)
            return
        numbering = _Numbering(fmt)
        stream = _Utf8Stream(self.path, fmt.encoding)
        try:
            pending, first = None, True
            for batch in self._batches(self._open(fmt, stream, numbering, whole=False, threads=False), chunksize):
                if pending is not None:
                    yield self._raw(fmt, pending, numbering, first, last=False)
                    first = False
                pending = batch
            if pending is None:
                text = pa.dictionary(pa.int32(), pa.string())
                pending = pa.table({str(i): pa.array([], text) for i in range(fmt.width)})
            self._check_quotes(fmt, stream)
            yield self._raw(fmt, pending, numbering, first, last=True)
        finally:
            stream.close()

    def _open(self, fmt: _CsvFormat, stream: _Utf8Stream, numbering: _Numbering, whole: bool, threads: bool):
        """pyarrow's reader over ``stream``: the whole table (``whole``) or a batch reader; every
        column as text (dictionary-encoded, or plain for ``fmt.plain``), records with the wrong field
        count handed to ``numbering`` (numbered only when ``threads`` is off)."""
        import pyarrow as pa
        import pyarrow.csv as pacsv

        names = [str(i) for i in range(fmt.width)]
        types = {name: pa.string() if i in fmt.plain else pa.dictionary(pa.int32(), pa.string())
                 for i, name in enumerate(names)}
        read = pacsv.ReadOptions(use_threads=threads, column_names=names, skip_rows=fmt.header_lines,
                                 block_size=_WHOLE_BLOCK_BYTES if whole else _BLOCK_BYTES)
        parse = pacsv.ParseOptions(delimiter=fmt.delimiter, newlines_in_values=True, ignore_empty_lines=False,
                                   invalid_row_handler=lambda row: numbering.skip(row.number, row.text) or "skip")
        convert = pacsv.ConvertOptions(column_types=types, strings_can_be_null=False,   # the stream has checked
                                       quoted_strings_can_be_null=False, check_utf8=False)   # the UTF-8
        try:
            if whole:
                return pacsv.read_csv(stream, read_options=read, parse_options=parse, convert_options=convert)
            return pacsv.open_csv(stream, read_options=read, parse_options=parse, convert_options=convert)
        except pa.ArrowInvalid as exc:
            if isinstance(exc.__context__, _NotUtf8):
                raise _NotUtf8() from None
            _fail(self.file, f"not a readable CSV file: {exc}")

    @staticmethod
    def _batches(reader, chunksize: int):
        import pyarrow as pa

        parts, n = [], 0
        for batch in reader:
            while batch.num_rows:
                take = min(chunksize - n, batch.num_rows)
                parts.append(batch.slice(0, take))
                batch, n = batch.slice(take), n + take
                if n == chunksize:
                    yield pa.Table.from_batches(parts)
                    parts, n = [], 0
        if parts:
            yield pa.Table.from_batches(parts)

    def _check_quotes(self, fmt: _CsvFormat, stream: _Utf8Stream) -> None:
        """An odd number of quote characters may be an unterminated quote, which the parser would
        silently run to the end of the file; the csv module confirms it and finds its line."""
        if stream.quotes % 2 == 0:
            return
        with open(self.path, encoding=fmt.encoding, newline="") as text:
            reader = csv.reader(text, delimiter=fmt.delimiter, strict=True)
            start = 1
            try:
                for _ in reader:
                    start = reader.line_num + 1
            except csv.Error as exc:
                if "unexpected end of data" in str(exc):
                    _fail(self.file, "a quoted cell starting on this line never ends (unbalanced '\"'): the rest "
                                     "of the file would be read as one cell", line=start)

    def _raw(self, fmt: _CsvFormat, table, numbering: _Numbering, first: bool, last: bool) -> RawTable:
        columns = [_arrow_text(table.column(i)) for i in range(fmt.width)]
        breaks = np.zeros(table.num_rows, dtype=np.int64)
        for col in columns:
            per = col.line_breaks()
            if per.any():
                breaks += col.take(per)
        breaks_before = numbering.valid_breaks
        rows, lines = numbering.place(breaks)
        end = rows[-1] if len(rows) and not last else np.iinfo(np.int64).max
        cum = breaks_before + np.concatenate([[0], np.cumsum(breaks)]) \
            if numbering.reported < len(numbering.skipped) else None      # only to place skipped records
        problems, blank = [], []
        while numbering.reported < len(numbering.skipped) and numbering.skipped[numbering.reported][0] < end:
            i = numbering.reported
            numbering.reported += 1
            row, _, text = numbering.skipped[i]
            if not text.strip():
                blank.append(row)
                continue
            fields = next(csv.reader([text], delimiter=fmt.delimiter), [])
            line = numbering.line_of_skipped(i, int(cum[np.searchsorted(rows, row)]))
            problems.append(Problem(self.file, row, None, None, text,
                                    f"broken line: {len(fields)} fields but the header has {fmt.named}; an "
                                    "unquoted delimiter or line break inside a cell? The line is rejected, "
                                    "not padded or merged", line, code="broken_line",
                                    fields={"n_fields": len(fields), "n_header": int(fmt.named)}))
        empty = _blank_rows(columns, len(rows))
        blank += rows[empty].tolist()
        keep = ~empty if empty.any() else slice(None)
        kept, notes, structural = {}, list(fmt.notes), []
        for pos, (name, col) in enumerate(zip(fmt.header, columns)):
            if name:
                kept[name] = col.subset(keep)
            elif not col.take(col.blank())[keep].all():
                structural.append(Problem(self.file, 1, None, f"(column {pos + 1})", None,
                                          "column has no header but holds data"))
            elif first and pos < fmt.named:
                notes.append(f"empty column {pos + 1} without a header ignored")
        if structural:
            raise InputError(self.file, structural)
        return RawTable(columns=kept, rows=rows[keep], lines=lines[keep], source=self.path, format="csv",
                        encoding=fmt.encoding, delimiter=fmt.delimiter, decimal="," if fmt.delimiter == ";" else ".",
                        line_ends=fmt.line_ends, header_rows=fmt.header_rows, blank_rows=tuple(sorted(blank)),
                        notes=tuple(notes), problems=tuple(problems))


def _check_header(file: str, header) -> None:
    """A header named twice is an error (which column would count?)."""
    seen: dict[str, int] = {}
    problems = []
    for pos, name in enumerate(header):
        if name and name in seen:
            problems.append(Problem(file, 1, None, name, None,
                                    f"header appears twice (columns {seen[name] + 1} and {pos + 1})"))
        seen.setdefault(name, pos)
    if problems:
        raise InputError(file, problems)


def _blank_rows(columns: list[TextColumn], n: int) -> np.ndarray:
    """Rows whose every cell is empty or white space; columns with few distinct texts first, so
    that a column of a million ids is looked at only when some row might still be blank."""
    empty = np.ones(n, dtype=bool)
    for col in sorted(columns, key=len):
        if not empty.any():
            break
        empty &= col.take(col.blank())
    return empty if columns else np.zeros(n, dtype=bool)


def _arrow_text(arr) -> TextColumn:
    """A pyarrow column (one or more chunks) → :class:`TextColumn`. Dictionary-encoded: its codes in
    the narrowest type that holds them (an answer column of a dozen texts takes a byte a row, not
    four); plain text: each row its own text."""
    import pyarrow as pa

    if arr.num_chunks == 0:
        return TextColumn(np.zeros(0, dtype=np.int32), np.zeros(0, dtype=object))
    if not pa.types.is_dictionary(arr.type):
        texts = arr.combine_chunks()
        return TextColumn(np.arange(len(texts), dtype=np.int32), arrow=texts, distinct=False)
    chunks = arr.unify_dictionaries().chunks if arr.num_chunks > 1 else arr.chunks
    dictionary = chunks[0].dictionary
    narrow = next(t for t in (np.int8, np.int16, np.int32) if len(dictionary) <= np.iinfo(t).max + 1)
    codes = np.concatenate([c.indices.to_numpy(zero_copy_only=False) for c in chunks],   # 0 ≤ code < len:
                           dtype=narrow, casting="unsafe")                                # the cast is exact
    return TextColumn(codes, arrow=dictionary)


# ============================================================================= reading xlsx and sav
def _assemble(file: str, path: Path, header: list[str], columns: list[TextColumn], rows: np.ndarray,
              **facts) -> RawTable:
    """Header + text columns of a workbook or SPSS file → :class:`RawTable` (blank rows and empty
    headers handled as for CSV)."""
    _check_header(file, header)
    structural = []
    empty = _blank_rows(columns, len(rows))
    keep = ~empty
    kept, notes = {}, list(facts.pop("notes", ()))
    for pos, name in enumerate(header):
        if name:
            kept[name] = columns[pos].subset(keep)
        elif not columns[pos].take(columns[pos].blank())[keep].all():
            structural.append(Problem(file, 1, None, f"(column {pos + 1})", None,
                                      "column has no header but holds data"))
        else:
            notes.append(f"empty column {pos + 1} without a header ignored")
    if structural:
        raise InputError(file, structural)
    return RawTable(columns=kept, rows=rows[keep], lines=None, source=path, blank_rows=tuple(rows[empty].tolist()),
                    notes=tuple(notes), **facts)


def _header_and_body(records: list[list], file: str) -> tuple[list[str], int, np.ndarray]:
    """Header (one or two rows) and the cells below it, as wide as the widest row: cells beyond
    the header keep an empty header, so they are reported, never dropped."""
    if not records or not any(cell_text(c).strip() for c in records[0]):
        _fail(file, "no header row: the first row is empty", row=1)
    width = max(len(r) for r in records)
    header = [cell_text(c).strip() for c in records[0]] + [""] * (width - len(records[0]))
    combined = _two_row_header(header, [cell_text(c) for c in records[1]] if len(records) > 1 else None)
    header_rows = 2 if combined else 1
    rows = records[header_rows:]
    if all(len(r) == width for r in rows):                       # calamine pads rows to the sheet width
        body = np.array(rows, dtype=object).reshape(len(rows), width)
    else:
        body = np.full((len(rows), width), "", dtype=object)
        for i, rec in enumerate(rows):
            body[i, :len(rec)] = rec
    return combined or header, header_rows, body


def _first_sheet_xml(z: zipfile.ZipFile) -> str:
    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
          "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
          "p": "http://schemas.openxmlformats.org/package/2006/relationships"}
    sheet = ElementTree.fromstring(z.read("xl/workbook.xml")).find("m:sheets/m:sheet", ns)
    rid = sheet.get(f"{{{ns['r']}}}id")
    for rel in ElementTree.fromstring(z.read("xl/_rels/workbook.xml.rels")).findall("p:Relationship", ns):
        if rel.get("Id") == rid:
            target = rel.get("Target")
            return target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    raise KeyError(rid)


def _uncached_formulas(path: Path) -> list[str]:
    """Cells of the first sheet holding a formula whose value was never saved (e.g. written by a
    script, not by Excel): a reader sees them as empty. Only parsed when the sheet has formulas."""
    try:
        with zipfile.ZipFile(path) as z:
            xml = z.read(_first_sheet_xml(z))
    except (KeyError, AttributeError, zipfile.BadZipFile, ElementTree.ParseError):
        return []
    prefix = re.search(rb"<(\w+:)?worksheet[\s>]", xml[:4096])
    if prefix is None or b"<" + (prefix.group(1) or b"") + b"f" not in xml:   # one scan: no formula at all
        return []
    cells = []
    for _, elem in ElementTree.iterparse(_io.BytesIO(xml)):
        if elem.tag.endswith("}c"):
            f = v = None
            for child in elem:
                f = child if child.tag.endswith("}f") else f
                v = child if child.tag.endswith("}v") else v
            if f is not None and (v is None or (not v.text and elem.get("t") not in ("str", "inlineStr"))):
                cells.append(elem.get("r"))
            elem.clear()
    return cells


def _read_xlsx(path: Path, file: str) -> RawTable:
    from python_calamine import CalamineWorkbook

    with ThreadPoolExecutor(1) as pool:              # the formula scan runs while calamine parses
        formulas = pool.submit(_uncached_formulas, path)
        try:
            wb = CalamineWorkbook.from_path(str(path))
            sheet = wb.sheet_names[0]
            records = wb.get_sheet_by_index(0).to_python(skip_empty_area=False)
        except Exception as exc:  # calamine raises several types for damaged files
            _fail(file, f"not a readable .xlsx workbook: {exc}")
        uncached = formulas.result()
    notes = [f"read the first sheet {sheet!r} of {len(wb.sheet_names)}"] if len(wb.sheet_names) > 1 else []
    if uncached:
        listed = ", ".join(uncached[:_MAX_CELLS_LISTED]) + (" …" if len(uncached) > _MAX_CELLS_LISTED else "")
        _fail(file, f"{len(uncached)} formula cell(s) without a saved value ({listed}) would read as empty: "
                    "open the workbook in Excel or LibreOffice and save it (values are then stored), or paste "
                    "the values over the formulas")
    header, header_rows, body = _header_and_body(records, file)
    if header_rows == 2:
        notes.append("two-row header (question + sub-question) read as 'question – sub-question'")
    columns = [_text_column(body[:, j]) for j in range(body.shape[1])]
    rows = np.arange(header_rows + 1, header_rows + 1 + len(body))
    return _assemble(file, path, header, columns, rows, format="xlsx", sheet=sheet, header_rows=header_rows,
                     notes=notes)


def _read_sav(path: Path, file: str) -> RawTable:
    import pyreadstat

    try:
        df, meta = pyreadstat.read_sav(str(path), apply_value_formats=False)
    except Exception as exc:  # pyreadstat.ReadstatError and OSError variants
        _fail(file, f"not a readable SPSS .sav file: {exc}")
    columns = [_text_column(df[name].to_numpy(dtype=object)) for name in df.columns]
    labels = {n: lab for n, lab in zip(meta.column_names, meta.column_labels) if lab}
    return _assemble(file, path, [str(c).strip() for c in df.columns], columns, np.arange(2, 2 + len(df)),
                     format="sav", encoding=meta.file_encoding, column_labels=labels,
                     value_labels=dict(meta.variable_value_labels))


def resolve_source(path: str | Path) -> tuple[Path, str, str]:
    path = Path(path)
    file = str(path)
    if not path.is_file():
        _fail(file, "file not found")
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED:
        hint = " (save old .xls workbooks as .xlsx)" if suffix == ".xls" else ""
        _fail(file, f"unsupported file type {suffix or '(none)'!r}; expected one of {', '.join(SUPPORTED)}{hint}")
    return path, file, suffix


def read_raw(path: str | Path, *, delimiter: str | None = None) -> RawTable:
    """Read a ``.csv``/``.txt``, ``.xlsx`` or ``.sav`` file with every cell as text.

    CSV: the delimiter (``;``, ``,``, tab or ``|``) is the one under which the header and the data
    lines split alike — a comma inside a question text does not outvote semicolons — and an
    ambiguous file is an error naming the candidates (pass ``delimiter=``). Decimal comma assumed
    with ``;`` (Finnish Excel). UTF-8 (BOM or not), UTF-16/32 with a byte-order mark, or
    Windows-1252 when the file holds no UTF-8 at all (said in ``notes``); a file mixing UTF-8 with
    other bytes is refused, naming the offset and line of the first bad byte. LF, CRLF or CR line
    ends; quoted cells may span lines. Lines with more or fewer fields than the header are kept
    out of ``data`` and listed in ``problems``; a line ending in an unterminated quote is an error.
    A question + sub-question header (two rows, as Webropol exports) is read as
    ``question – sub-question``. xlsx: first sheet, saved formula values (a formula without a
    saved value is an error naming the cells), numbers without a trailing ``.0``, dates as ISO
    text, text cells such as ``=HYPERLINK(...)`` as they are. sav: numeric codes kept as numbers,
    value and variable labels kept as metadata. Row numbers are those of the file.

    Raises
    ------
    InputError
        Missing file, unsupported extension, unreadable content, empty or duplicate headers.

    Examples
    --------
    >>> from analysis import datasets
    >>> raw = read_raw(datasets.path("3x10d_fi_semicolon_bom.csv"))
    >>> raw.delimiter, raw.encoding, raw.line_ends
    (';', 'utf-8-sig', 'CRLF')
    """
    path, file, suffix = resolve_source(path)
    if suffix in (".csv", ".txt"):
        chunks = CsvReader(path, file, delimiter).chunks()
        raw = next(chunks)
        chunks.close()                      # let go of the parser's table
        return raw
    if suffix == ".xlsx":
        return _read_xlsx(path, file)
    return _read_sav(path, file)
