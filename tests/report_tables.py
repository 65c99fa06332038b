"""The tables a report wrote, as the tests read them: the machine CSVs (score keys, category
codes, numbers; hidden cells as their marks) under ``<out>/tables/<report>/``, plus the
workbook's About and Glossary sheets; and a workbook's sheets found by their table's machine
name (the Glossary pairs each sheet with its CSV)."""
from __future__ import annotations

import re
from pathlib import Path

import openpyxl
import pandas as pd

_NUMBER = re.compile(r"-?\d+(\.\d+)?([eE][-+]?\d+)?|-?inf|nan")


def _cell(text: object) -> object:
    if not isinstance(text, str):
        return text
    if text in ("True", "False"):
        return text == "True"
    if _NUMBER.fullmatch(text):
        value = float(text)
        return int(value) if value.is_integer() and "." not in text and "e" not in text.lower() else value
    return text


def read_sheet(ws) -> pd.DataFrame:
    """A workbook sheet's table: the header under the title row, the rows down to the first
    empty one (the notes follow it); a hidden cell (blank, with a comment) is None."""
    rows = ws.iter_rows(min_row=2)
    header = [c.value for c in next(rows)]
    body = []
    for row in rows:
        if all(c.value is None and c.comment is None for c in row):
            break
        body.append([c.value for c in row])
    return pd.DataFrame(body, columns=header)


def sheet_names(workbook) -> dict[str, str]:
    """Each table's sheet title by the table's machine name (its CSV's stem), from the Glossary
    (the second sheet: sheet, heading, CSV column, CSV file, meaning)."""
    glossary = read_sheet(workbook.worksheets[1])
    return {Path(csv).stem: sheet for sheet, csv in zip(glossary.iloc[:, 0], glossary.iloc[:, 3])}


def sheets(path: Path) -> dict[str, object]:
    """The worksheets of a report workbook by their table's machine name, plus ``about`` and
    ``glossary`` (the first two sheets)."""
    workbook = openpyxl.load_workbook(path)
    found = {"about": workbook.worksheets[0], "glossary": workbook.worksheets[1]}
    return {**found, **{table: workbook[title] for table, title in sheet_names(workbook).items()}}


def book(out: Path, name: str) -> dict[str, pd.DataFrame]:
    workbook = openpyxl.load_workbook(out / f"{name}.xlsx")
    sheets = {"about": read_sheet(workbook.worksheets[0]), "glossary": read_sheet(workbook.worksheets[1])}
    for path in sorted((out / "tables" / name).glob("*.csv")):
        table = pd.read_csv(path, dtype=str, keep_default_na=False)
        table = table.replace("", float("nan"))
        for c in table.columns:
            values = [_cell(v) for v in table[c]]
            numeric = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values)
            table[c] = pd.Series(values, dtype=float if numeric and any(isinstance(v, float) for v in values)
                                 else None if numeric else object)
        sheets[path.stem] = table
    return sheets
