"""Formula-safe, deterministic CSV: the one CSV writer of the package.

Spreadsheet programs read a cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return as a formula (OWASP, "CSV Injection"). Respondent ids, free-text answers and
labels reach our files from outside, and CSV has no cell types, so the rule is by value:

* **text** (a ``str``) that begins with one of :data:`FORMULA_START` gets a single quote ``'``
  in front (OWASP's advice) — always, also when it looks like a number: an id ``-1`` or
  ``+1`` is text and must not become the number −1 or 1 in a spreadsheet, and ``-1+2`` or
  ``-2e3`` must not be evaluated;
* **numbers** (values of a numeric type: int, float, numpy numbers, also in a column that mixes
  numbers with the disclosure marks ``<5``/``..``) are written as numbers, unquoted: a
  negative score stays the number ``-1.5``.

The file is the same on every run: UTF-8, ``\\n`` line ends, floats in their shortest
round-trip form (``repr``), missing values as empty cells, a field holding ``,``, ``"``, CR or
LF quoted.

This module is in :mod:`analysis.intake`, the leftmost layer, so that the ``score`` command
(:func:`analysis.intake.scoring.stream_score` included) and the report writers
(:mod:`analysis.report.export`, which re-exports :func:`write_csv` and :func:`safe_text`) use
the same code. Own code: neither pandas nor the standard library's :mod:`csv` neutralises
formula text, and Python's :mod:`csv` writer (3.11) does not quote a field holding a lone CR
when the line end is ``\\n`` (such a field splits the row for most readers).

Examples
--------
>>> safe_text("=HYPERLINK(\\"http://x\\")")
'\\'=HYPERLINK("http://x")'
>>> safe_text(-1.5), safe_text("-1.5"), safe_text("a-1")
(-1.5, "'-1.5", 'a-1')
"""
from __future__ import annotations

import datetime as _dt
import numbers
from pathlib import Path
from typing import IO

import numpy as np
import pandas as pd

#: First characters that make a spreadsheet read a cell as a formula (OWASP).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_text(value: object) -> object:
    """``value`` made safe for a CSV cell: text beginning with one of :data:`FORMULA_START` gets
    a leading ``'``; anything that is not a ``str`` (numbers, missing values, booleans) is
    returned unchanged.

    Examples
    --------
    >>> [safe_text(v) for v in ["@SUM(A1)", "\\tx", "a=b", "-", "+1", "", 7, -7]]
    ["'@SUM(A1)", "'\\tx", 'a=b', "'-", "'+1", '', 7, -7]
    """
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def is_missing(value: object) -> bool:
    """None, NaN, ``pd.NA`` or ``NaT`` (an empty cell)."""
    return pd.api.types.is_scalar(value) and not isinstance(value, str) and bool(pd.isna(value))


def csv_field(value: object) -> str:
    """One cell as CSV text: numbers as numbers, text through :func:`safe_text`, quoted when needed.

    Examples
    --------
    >>> [csv_field(v) for v in [-3, -0.25, "-3", "a,b", None, True, np.int64(4), pd.Timestamp("2025-02-03")]]
    ['-3', '-0.25', "'-3", '"a,b"', '', 'True', '4', '2025-02-03']
    """
    if is_missing(value):
        return ""
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        return repr(float(value))
    if isinstance(value, (pd.Timestamp, _dt.datetime)):     # as pandas writes them: 2025-02-03[ 14:05:00]
        stamp = pd.Timestamp(value)
        return stamp.date().isoformat() if stamp == stamp.normalize() else stamp.isoformat(sep=" ")
    text = safe_text(str(value))
    return '"' + text.replace('"', '""') + '"' if any(c in text for c in ',"\r\n') else text


def csv_text(df: pd.DataFrame, *, header: bool = True) -> str:
    """``df`` as CSV text (see :func:`write_csv`).

    Examples
    --------
    >>> print(csv_text(pd.DataFrame({"id": ["=1+1", "-1"], "score": [-0.5, None]})), end="")
    id,score
    '=1+1,-0.5
    '-1,
    """
    lines = np.full(len(df), "", dtype=object)
    for j in range(df.shape[1]):          # each distinct value of a column is formatted once
        codes, uniques = pd.factorize(df.iloc[:, j], use_na_sentinel=True)
        texts = np.array([*(csv_field(u) for u in uniques), ""], dtype=object)
        lines = texts[codes] if j == 0 else lines + "," + texts[codes]
    head = ",".join(map(csv_field, df.columns.tolist())) + "\n" if header else ""
    return head + "".join(line + "\n" for line in lines)


def write_csv(df: pd.DataFrame, target: str | Path | IO[str], *, header: bool = True) -> Path | None:
    """Write ``df`` as UTF-8 CSV with ``\\n`` line ends, every text cell through :func:`safe_text`.

    Header names are made safe too; the index is not written (tables are flat). ``target`` is
    a path (parent folders are created; returns the path) or an open text file such as
    ``sys.stdout`` or a file being appended to chunk by chunk (``header=False`` after the
    first chunk; returns ``None``).

    Examples
    --------
    >>> import tempfile, os
    >>> p = write_csv(pd.DataFrame({"answer": ["=1+1", "ok"], "d": [-0.5, None]}),
    ...               os.path.join(tempfile.mkdtemp(), "t.csv"))
    >>> print(p.read_text(encoding="utf-8"), end="")
    answer,d
    '=1+1,-0.5
    ok,
    >>> import io
    >>> buffer = io.StringIO()
    >>> write_csv(pd.DataFrame({"n": [-1]}), buffer, header=False); buffer.getvalue()
    '-1\\n'
    """
    text = csv_text(df, header=header)
    if hasattr(target, "write"):
        target.write(text)
        return None
    path = Path(target)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(text)
    return path
