"""Injection-safe, deterministic CSV and Excel files.

Spreadsheet programs read a cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return as a formula (OWASP, "CSV Injection"). Free-text answers and labels reach our
tables from respondents, so every text cell is written so that it stays text:

* **CSV** has no cell types, so :func:`safe_text` puts a single quote ``'`` in front of such
  text (OWASP's advice), also of text that looks like a number (an id ``-1`` stays text).
  Numbers (values of a numeric type) are written as numbers, never touched: a negative number
  stays a number. The writer is :mod:`analysis.intake.safecsv` (the package's one CSV writer,
  in the leftmost layer so that the ``score`` command uses it too), re-exported here.
* **xlsx** has string cells: :func:`write_xlsx` writes every text with xlsxwriter's
  ``write_string`` (never ``write()``, which turns ``=…`` into a formula), so ``=~`` shows as
  ``=~`` without a quote.

Both writers are deterministic: two runs on the same tables give identical bytes (CSV: UTF-8,
``\\n`` line ends, shortest round-trip float text; xlsx: fixed document creation and
modification times, and xlsxwriter's fixed zip member timestamps), so reports can be compared
by checksum.

Own code (a small CSV writer, cell typing on top of xlsxwriter): neither pandas, the standard
library's :mod:`csv` nor xlsxwriter neutralises formula text by itself. The CSV rule's
examples are in :mod:`analysis.intake.safecsv`, its one home.
"""
from __future__ import annotations

import datetime as _dt
import math
import numbers
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Sequence

import pandas as pd
import xlsxwriter

from analysis.intake.safecsv import FORMULA_START, safe_text, write_csv
from analysis.intake.safecsv import is_missing as _is_missing

__all__ = ["FORMULA_START", "FIXED_CREATED", "Sheet", "safe_text", "sheet_name", "write_csv", "write_xlsx"]

#: Creation time written into every workbook, so that the bytes do not depend on the clock.
FIXED_CREATED = _dt.datetime(2000, 1, 1)

_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
_MIN_WIDTH, _MAX_WIDTH = 6, 60
#: A header wraps at spaces: its column need not be wider than this (or than its longest word).
_HEADER_WIDTH = 24
#: The width (in characters) of the columns that a portrait A4 page holds at full size.
_PORTRAIT_WIDTH = 100
#: The height of a line of text in points (Excel's and LibreOffice's default font, 11 pt).
_LINE_HEIGHT = 15
#: The shade of a hidden cell (light grey, printable in black and white).
_HIDDEN_FILL = "#D9D9D9"


def _lines(length: int, width: float) -> int:
    """The lines a wrapped text of ``length`` characters takes in a column ``width`` wide (in
    widths of a digit: a line of text holds about a third more letters, less some room at
    word ends)."""
    return max(1, math.ceil(0.8 * length / max(width - 2, 1)))


def _shown_width(value: object, fmt: str | None) -> int:
    """How many characters a cell shows: a number with its format's decimals and grouping."""
    if _is_missing(value):
        return 0
    if isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value):
        if fmt is None:
            return min(len(str(value)), 11)         # Excel's General shows at most 11 characters
        decimals = len(fmt.rsplit(";", 1)[-1].partition(".")[2].rstrip('"'))
        return len(f"{float(value):{',' if ',' in fmt else ''}.{decimals}f}")
    return len(str(value))


@dataclass(frozen=True)
class Sheet:
    """One sheet of a workbook: a title row, the table under its header row, notes under it.

    Attributes
    ----------
    table : DataFrame
        The values; its column names are the keys of the number formats.
    headers : list of str, optional
        The header text of each column (default: the column names).
    title : (label, caption), optional
        The title row above the header: the label in bold (``Table 3``), the caption in italics
        (APA). Empty: the header is the first row.
    notes : list of str
        Lines under the table, each across the table's width (wrapped).
    hidden : DataFrame, optional
        Shaped like ``table``: for each cell disclosure control hid, the reason (text), else
        None. Such a cell is written blank, so that a column of numbers stays numeric, shaded
        so that a hidden cell is told apart from a missing value, with the reason as the
        cell's comment. Chosen over a marker column beside each column (which would double
        the columns and part a heading from its values) and over a mark such as ``<5`` in the
        cell (text in a column of numbers: Excel then neither sums nor sorts it as numbers).
    """

    table: pd.DataFrame
    headers: Sequence[str] | None = None
    title: tuple[str, str] | tuple[()] = ()
    notes: Sequence[str] = ()
    hidden: pd.DataFrame | None = None


def write_xlsx(sheets: Mapping[str, pd.DataFrame | Sheet], path: str | Path, *,
               number_formats: Mapping[str, str] | None = None,
               sheet_formats: Mapping[str, Mapping[str, str | Sequence[str | None]]] | None = None,
               created: _dt.datetime = FIXED_CREATED) -> Path:
    """Write one sheet per table; text as string cells (never formulas), numbers as numbers.

    Cells: ``str`` → string cell (``write_string``; ``=~`` stays ``=~``); ``bool`` → boolean;
    other real numbers → number cells (stored to 16 significant digits by xlsxwriter; ±inf as
    the text ``inf``/``-inf``); missing values (None, NaN, NA, NaT) → empty; anything else
    (dates, categories…) → its ``str`` as a string cell. A :class:`Sheet` adds a title row,
    notes under the table and hidden cells (blank, shaded, the reason as a comment). The header
    row is bold and frozen with everything above it; column widths follow the longest value as
    shown (numbers with their format's decimals) and the header's longest word (between 6 and
    60 characters; a longer text wraps). Printed, a sheet is one page wide (landscape when
    wide), its title and header repeated on every page. The index is not written (tables are flat).

    Parameters
    ----------
    sheets : mapping of sheet name → DataFrame or :class:`Sheet`
        In the order the sheets should appear. Names: at least one character, none of
        ``[]:*?/\\``; a name longer than Excel's 31 characters is shortened (:func:`sheet_names`).
    path : str or Path
        The ``.xlsx`` file to write (parent folders are created).
    number_formats : mapping of column name → Excel number format, optional
        E.g. ``{"mean": "0.00", "p": "0.000", "n": "#,##0"}``; applied to the number cells of
        that column in every sheet.
    sheet_formats : mapping of sheet name (as in ``sheets``) → {column name → format}, optional
        Formats of one sheet's columns (they take precedence over ``number_formats``); a
        list instead of a format gives each row its own (a table of measures, where ``N`` is
        a whole number and ``CFI`` has three decimals).
    created : datetime
        Document creation time stored in the file; fixed by default so that two runs give
        identical bytes.

    Examples
    --------
    >>> import tempfile, os, openpyxl
    >>> p = write_xlsx({"t": pd.DataFrame({"model": ["f =~ x1 + x2"], "cfi": [0.97]})},
    ...                os.path.join(tempfile.mkdtemp(), "t.xlsx"), number_formats={"cfi": "0.000"})
    >>> ws = openpyxl.load_workbook(p)["t"]
    >>> ws["A2"].value, ws["A2"].data_type, ws["B2"].value, ws["B2"].number_format
    ('f =~ x1 + x2', 's', 0.97, '0.000')
    >>> p = write_xlsx({"fit": pd.DataFrame({"measure": ["n", "cfi"], "value": [900.0, 0.97]})},
    ...                os.path.join(tempfile.mkdtemp(), "t.xlsx"),
    ...                sheet_formats={"fit": {"value": ["#,##0", "0.000"]}})
    >>> ws = openpyxl.load_workbook(p)["fit"]
    >>> ws["B2"].number_format, ws["B3"].number_format
    ('#,##0', '0.000')
    >>> groups = Sheet(pd.DataFrame({"group": ["a", "b"], "n": [12, None]}), headers=["Group", "n"],
    ...                title=("Table 1", "Groups"), notes=["A shaded cell is hidden."],
    ...                hidden=pd.DataFrame({"group": [None, None], "n": [None, "fewer than 5"]}))
    >>> ws = openpyxl.load_workbook(write_xlsx({"Table 1 Groups": groups},
    ...                                        os.path.join(tempfile.mkdtemp(), "t.xlsx")))["Table 1 Groups"]
    >>> [c.value for c in ws["A"]], ws["B3"].value, ws["B4"].value, ws["B4"].comment.text, ws.freeze_panes
    (['Table 1 Groups', 'Group', 'a', 'b', None, 'A shaded cell is hidden.'], 12, None, 'fewer than 5', 'A3')
    """
    path = Path(path)
    for name in sheets:
        if not name or _BAD_SHEET_CHARS.search(name):
            raise ValueError(f"write_xlsx: sheet name {name!r} must have a character and none of []:*?/\\")
    titles = sheet_names(list(sheets))
    number_formats = dict(number_formats or {})
    path.parent.mkdir(parents=True, exist_ok=True)
    options = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
    with xlsxwriter.Workbook(str(path), options) as book:
        book.set_properties({"created": created})
        header = book.add_format({"bold": True, "bottom": 1, "text_wrap": True, "valign": "bottom"})
        numbers_header = book.add_format({"bold": True, "bottom": 1, "text_wrap": True, "valign": "bottom",
                                          "align": "right"})
        bold, italic = book.add_format({"bold": True}), book.add_format({"italic": True})
        shaded = book.add_format({"pattern": 1, "bg_color": _HIDDEN_FILL})
        note = wrap = book.add_format({"text_wrap": True, "valign": "top"})
        sheet_formats = {k: dict(v) for k, v in (sheet_formats or {}).items()}
        used = set(number_formats.values())
        for per_sheet in sheet_formats.values():
            for fmt in per_sheet.values():
                used.update([fmt] if isinstance(fmt, str) else [f for f in fmt if f])
        formats = {fmt: book.add_format({"num_format": fmt}) for fmt in sorted(used)}
        for name, given in sheets.items():
            spec = given if isinstance(given, Sheet) else Sheet(given)
            table = spec.table
            heads = [str(h) for h in (spec.headers if spec.headers is not None else table.columns)]
            if len(heads) != table.shape[1]:
                raise ValueError(f"write_xlsx: sheet {name!r} has {table.shape[1]} columns and {len(heads)} headers")
            sheet = book.add_worksheet(titles[name])
            top = 0
            if spec.title:
                label, caption = spec.title
                sheet.write_rich_string(0, 0, bold, label, " ", italic, caption)
                top = 1
            own = sheet_formats.get(name, {})
            widths, wrapped = [], {top: [(j, len(h)) for j, h in enumerate(heads)]}   # row → (column, text length)
            for j, (col, head) in enumerate(zip(table.columns, heads)):
                fmts = own.get(str(col), number_formats.get(str(col)))
                values = table.iloc[:, j].tolist()
                numeric = any(not _is_missing(v) for v in values) and all(
                    _is_missing(v) or (isinstance(v, numbers.Real) and not isinstance(v, bool)) for v in values)
                sheet.write_string(top, j, head, numbers_header if numeric else header)   # aligned as its values
                why = [None] * len(values) if spec.hidden is None else spec.hidden.iloc[:, j].tolist()
                shown = []
                for i, (value, reason) in enumerate(zip(values, why)):
                    fmt = fmts if fmts is None or isinstance(fmts, str) else fmts[i]
                    if isinstance(reason, str) and reason:
                        sheet.write_blank(top + 1 + i, j, None, shaded)
                        sheet.write_comment(top + 1 + i, j, reason)
                        continue
                    long_text = isinstance(value, str) and len(value) > _MAX_WIDTH
                    if long_text:
                        wrapped.setdefault(top + 1 + i, []).append((j, len(value)))
                    _write_cell(sheet, top + 1 + i, j, value, wrap if long_text else formats.get(fmt))
                    shown.append(_shown_width(value, fmt))
                longest_word = max((len(w) for w in head.split()), default=0)
                width = max([longest_word, min(len(head), _HEADER_WIDTH), *shown]) + 2
                widths.append(min(max(width, _MIN_WIDTH), _MAX_WIDTH))
                sheet.set_column(j, j, widths[-1])
            for row, cells in wrapped.items():      # spreadsheet programs do not all fit rows to wrapped text
                lines = max(_lines(length, widths[j]) for j, length in cells)
                if lines > 1:
                    sheet.set_row(row, _LINE_HEIGHT * lines, None if row == top else wrap)
            sheet.freeze_panes(top + 1, 0)
            sheet.repeat_rows(0, top)                 # printed: title and header on every page,
            sheet.fit_to_pages(1, 0)                  # the columns on one page's width,
            if sum(widths) > _PORTRAIT_WIDTH:         # a wide table across the page
                sheet.set_landscape()
            row = top + 1 + len(table) + 1            # a blank row, then the notes
            for text in spec.notes:
                if len(widths) > 1:
                    sheet.merge_range(row, 0, row, len(widths) - 1, "", note)
                sheet.write_string(row, 0, text, note)
                sheet.set_row(row, _LINE_HEIGHT * _lines(len(text), sum(widths)))
                row += 1
    return path


def sheet_names(names: Sequence[str], limit: int = 31) -> dict[str, str]:
    """The sheet title of each name: the name itself when it has at most ``limit`` (Excel's 31)
    characters, else cut to fit; titles are unique regardless of case, as Excel requires
    (a cut or clashing name ends with ``~2``, ``~3``, …). The one place sheet names are shortened.

    Examples
    --------
    >>> names = ["about", "known_groups_of_living_arrangement", "known_groups_of_living_arrangement_2"]
    >>> list(sheet_names(names).values())
    ['about', 'known_groups_of_living_arrangem', 'known_groups_of_living_arrang~2']
    """
    titles: dict[str, str] = {}
    taken: set[str] = set()
    for name in names:                   # names that fit keep them, first come first served
        if len(name) <= limit and name.lower() not in taken:
            titles[name] = name
            taken.add(name.lower())
    for name in names:
        if name in titles:
            continue
        title, k = name[:limit], 1
        while title.lower() in taken:
            k += 1
            title = name[:limit - len(f"~{k}")] + f"~{k}"
        titles[name] = title
        taken.add(title.lower())
    return {name: titles[name] for name in names}


def sheet_name(text: str, limit: int = 31) -> str:
    """A sheet name made from a title (``Table 3 Change by domain``): the characters Excel
    refuses in a name (``[]:*?/\\``) become spaces, and a title longer than ``limit`` is cut
    after its last whole word that fits, or inside a word with ``…`` when whole words would
    leave more than a quarter of the room unused.

    Examples
    --------
    >>> sheet_name("Taulukko 3 Muutos osa-alueittain: ensimmäinen ja viimeisin mittaus")
    'Taulukko 3 Muutos osa-alueitta…'
    >>> sheet_name("Taulukko 24 Mittausinvarianssi ryhmien välillä"), sheet_name("Table 12 Reliability [α/ω]")
    ('Taulukko 24 Mittausinvarianssi', 'Table 12 Reliability α ω')
    """
    text = " ".join(_BAD_SHEET_CHARS.sub(" ", text).split()).strip("'")
    if len(text) <= limit:
        return text
    words = text[:limit + 1].rsplit(" ", 1)[0].rstrip(" ,;:.–-")
    if len(words) >= limit * 3 // 4:
        return words
    return text[:limit - 1].rstrip(" ,;:.–-'") + "…"


def _write_cell(sheet, row: int, col: int, value: object, fmt) -> None:
    if _is_missing(value):
        return
    if isinstance(value, str):
        sheet.write_string(row, col, value, fmt)
    elif isinstance(value, bool):
        sheet.write_boolean(row, col, value)
    elif isinstance(value, numbers.Real):
        value = float(value)
        if math.isinf(value):
            sheet.write_string(row, col, "inf" if value > 0 else "-inf")
        else:
            sheet.write_number(row, col, value, fmt)
    else:
        sheet.write_string(row, col, str(value))
