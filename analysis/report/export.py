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
from pathlib import Path
from typing import Mapping, Sequence

import pandas as pd
import xlsxwriter

from analysis.intake.safecsv import FORMULA_START, safe_text, write_csv
from analysis.intake.safecsv import is_missing as _is_missing

__all__ = ["FORMULA_START", "FIXED_CREATED", "safe_text", "write_csv", "write_xlsx"]

#: Creation time written into every workbook, so that the bytes do not depend on the clock.
FIXED_CREATED = _dt.datetime(2000, 1, 1)

_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
_MIN_WIDTH, _MAX_WIDTH = 6, 60


def _cell_text(value: object) -> str:
    return "" if _is_missing(value) else str(value)


def write_xlsx(sheets: Mapping[str, pd.DataFrame], path: str | Path, *,
               number_formats: Mapping[str, str] | None = None,
               sheet_formats: Mapping[str, Mapping[str, str | Sequence[str | None]]] | None = None,
               created: _dt.datetime = FIXED_CREATED) -> Path:
    """Write one sheet per table; text as string cells (never formulas), numbers as numbers.

    Cells: ``str`` → string cell (``write_string``; ``=~`` stays ``=~``); ``bool`` → boolean;
    other real numbers → number cells (stored to 16 significant digits by xlsxwriter; ±inf as the text ``inf``/``-inf``); missing values
    (None, NaN, NA, NaT) → empty; anything else (dates, categories…) → its ``str`` as a string
    cell. The header row is bold and frozen; column widths follow the longest text in the
    column (between 6 and 60 characters). The index is not written (tables are flat).

    Parameters
    ----------
    sheets : mapping of sheet name → DataFrame
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
        sheet_formats = {k: dict(v) for k, v in (sheet_formats or {}).items()}
        used = set(number_formats.values())
        for per_sheet in sheet_formats.values():
            for fmt in per_sheet.values():
                used.update([fmt] if isinstance(fmt, str) else [f for f in fmt if f])
        formats = {fmt: book.add_format({"num_format": fmt}) for fmt in sorted(used)}
        for name, table in sheets.items():
            sheet = book.add_worksheet(titles[name])
            own = sheet_formats.get(name, {})
            for j, col in enumerate(table.columns):
                sheet.write_string(0, j, str(col), header)
                spec = own.get(str(col), number_formats.get(str(col)))
                values = table.iloc[:, j].tolist()
                for i, value in enumerate(values, start=1):
                    fmt = spec if spec is None or isinstance(spec, str) else spec[i - 1]
                    _write_cell(sheet, i, j, value, formats.get(fmt))
                width = max([len(str(col)), *(len(_cell_text(v)) for v in values)]) + 2
                sheet.set_column(j, j, min(max(width, _MIN_WIDTH), _MAX_WIDTH))
            sheet.freeze_panes(1, 0)
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


def _write_cell(sheet, row: int, col: int, value: object, fmt) -> None:
    if _is_missing(value):
        return
    if isinstance(value, str):
        sheet.write_string(row, col, value)
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
