"""The tables a report wrote, as the tests read them: the machine CSVs (score keys, category
codes, numbers; hidden cells as their marks) under ``<out>/tables/<report>/``, plus the
workbook's ``about`` and ``glossary`` sheets."""
from __future__ import annotations

import re
from pathlib import Path

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


def book(out: Path, name: str) -> dict[str, pd.DataFrame]:
    sheets = pd.read_excel(out / f"{name}.xlsx", sheet_name=["about", "glossary"], engine="openpyxl")
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
