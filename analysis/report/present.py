"""Presentation: report tables with labels in the report language and APA-style numbers.

A machine table (numbers, score keys, category codes) becomes a :class:`ShownTable`: column
headings in words (``analysis/report/messages``), score and item keys replaced by their
instrument labels, category codes by their data-dictionary labels, numbers formatted by the
kind of the column (``analysis/report/columns.yaml``):

=========  =============================================  ===================
kind       rule (APA 7)                                    example (en / fi)
=========  =============================================  ===================
count      integer                                          ``1,234`` / ``1 234``
int        integer (not a number of persons)                ``24``
num        2 decimals (means, SDs, effect sizes, t, χ²)     ``6.83`` / ``6,83``
num3       3 decimals (loadings, indices that can pass 1)   ``0.912``
prop       3 decimals, no leading zero in English           ``.953`` / ``0,953``
              (p-like: α, ω, ICC, r, CFI, RMSEA, SRMR, AUC)
p          ``.012``, ``< .001``                               ``< ,001`` in Finnish
pct        1 decimal                                        ``51.5``
bool       yes / no                                         ``yes`` / ``kyllä``
text       as it is (long text wraps)
label      a key or code replaced by its label
keys       a comma-separated list of keys, each replaced by its label
=========  =============================================  ===================

Confidence limits ``ci_low``/``ci_high`` (or ``<x>_ci_low``/``<x>_ci_high``) are merged into
one column ``[0.78, 0.82]`` (Finnish ``[0,78; 0,82]``). Negative numbers get a true minus
sign. A suppressed cell (``<5``) stays as it is. The machine table is kept for the workbook,
with an Excel number format per column matching the shown decimals.

Examples
--------
>>> import pandas as pd
>>> t = pd.DataFrame({"score": ["domain_mean"], "n": [1234], "mean": [6.8312], "p": [0.0004],
...                   "ci_low": [6.1], "ci_high": [7.2]})
>>> shown = present(t, "en", Labels("en", keys={"domain_mean": "Mean of domains 1–9"}))
>>> shown.frame.iloc[0].tolist()
['Mean of domains 1–9', '1,234', '6.83', '< .001', '[6.10, 7.20]']
>>> list(shown.frame.columns)
['Score', 'n', 'M', 'p', '95 % CI']
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Mapping, Sequence

import numpy as np
import pandas as pd
import yaml

from analysis import resource
from analysis.report.i18n import has, t
from analysis.stats.descriptives import ALL

MINUS = "−"
#: Excel number formats matching the shown decimals, by column kind.
EXCEL_FORMATS = {"count": "0", "int": "0", "num": "0.00", "num3": "0.000", "prop": "0.000",
                 "p": "0.000", "pct": "0.0"}


@lru_cache(maxsize=1)
def column_kinds() -> dict[str, str]:
    """Kind of every known column name (``columns.yaml``).

    Examples
    --------
    >>> kinds = column_kinds()
    >>> kinds["n"], kinds["alpha"], kinds["cfi"]
    ('count', 'prop', 'prop')
    """
    return yaml.safe_load(resource("report", "columns.yaml").read_text(encoding="utf-8"))


def kind_of(column: str) -> str:
    """The formatting kind of a column; unknown names are text.

    Examples
    --------
    >>> kind_of("mean"), kind_of("p_holm"), kind_of("n_items"), kind_of("comment")
    ('num', 'p', 'int', 'text')
    """
    kinds = column_kinds()
    if column in kinds:
        return kinds[column]
    for prefix in ("n_", "mean_", "sd_", "p_"):
        if column.startswith(prefix):
            return {"n_": "count", "mean_": "num", "sd_": "num", "p_": "p"}[prefix]
    return "text"


# ----------------------------------------------------------------------------- numbers
def _missing(x: object) -> bool:
    return x is None or x is pd.NA or (isinstance(x, float) and math.isnan(x))


def number(x: float, decimals: int, lang: str, *, leading_zero: bool = True) -> str:
    """A number with ``decimals`` decimals, the language's decimal mark and a true minus.

    Examples
    --------
    >>> number(-0.125, 2, "fi"), number(0.953, 3, "en", leading_zero=False)
    ('−0,12', '.953')
    """
    if _missing(x):
        return ""
    if isinstance(x, str):
        return x
    text = f"{float(x):.{decimals}f}"
    if text.lstrip("-").strip("0.") == "":
        text = text.lstrip("-")                       # no "−0.00"
    if not leading_zero and text.lstrip("-").startswith("0."):
        text = text.replace("0.", ".", 1)
    if lang == "fi":
        text = text.replace(".", ",")
    return text.replace("-", MINUS)


def count(x: float, lang: str) -> str:
    """A whole number with thousands separators (``1,234``; Finnish ``1 234``).

    Examples
    --------
    >>> count(1234567.4, "en"), count(-5, "en"), count(1234567, "fi").split()
    ('1,234,567', '−5', ['1', '234', '567'])
    """
    if _missing(x):
        return ""
    if isinstance(x, str):
        return x
    text = f"{int(round(float(x))):,}"
    return (text.replace(",", "\u00a0") if lang == "fi" else text).replace("-", MINUS)


def p_value(p: float, lang: str) -> str:
    """APA p: three decimals without leading zero, ``< .001`` below that (Finnish: ``< 0,001``).

    Examples
    --------
    >>> p_value(0.0123, "en"), p_value(0.00001, "en"), p_value(0.5, "fi")
    ('.012', '< .001', '0,500')
    """
    if _missing(p):
        return ""
    if isinstance(p, str):
        return p
    if p < 0.001:
        return "< .001" if lang == "en" else "< 0,001"
    return number(p, 3, lang, leading_zero=lang != "en")


def interval(low: float, high: float, decimals: int, lang: str, *, leading_zero: bool = True) -> str:
    """A confidence interval ``[0.78, 0.82]`` (Finnish ``[0,78; 0,82]``).

    Examples
    --------
    >>> interval(0.781, 0.823, 2, "fi"), interval(0.781, 0.823, 3, "en", leading_zero=False)
    ('[0,78; 0,82]', '[.781, .823]')
    """
    if isinstance(low, str) or isinstance(high, str):
        return low if isinstance(low, str) else high
    if _missing(low) or _missing(high):
        return ""
    sep = "; " if lang == "fi" else ", "
    return (f"[{number(low, decimals, lang, leading_zero=leading_zero)}{sep}"
            f"{number(high, decimals, lang, leading_zero=leading_zero)}]")


def format_value(x: object, kind: str, lang: str) -> str:
    """One cell formatted by its column kind.

    Examples
    --------
    >>> format_value(0.0004, "p", "en"), format_value(51.46, "pct", "fi"), format_value(True, "bool", "fi")
    ('< .001', '51,5', 'kyllä')
    >>> format_value("<5", "count", "en")
    '<5'
    """
    if _missing(x):
        return ""
    if isinstance(x, str) and kind not in ("text", "label"):
        return x                                   # a suppression mark such as "<5"
    if kind == "count":
        return count(x, lang)
    if kind == "int":
        return count(x, lang).replace("\u00a0", "").replace(",", "")
    if kind == "num":
        return number(x, 2, lang)
    if kind == "num3":
        return number(x, 3, lang)
    if kind == "prop":
        return number(x, 3, lang, leading_zero=lang != "en")
    if kind == "p":
        return p_value(float(x), lang)
    if kind == "pct":
        return number(x, 1, lang)
    if kind == "bool":
        return t("common.yes" if bool(x) else "common.no", lang)
    return str(x)


# ----------------------------------------------------------------------------- labels
def heading(column: str, lang: str) -> str:
    """Column heading in words (``columns.<name>`` in the catalogue), else the name itself.

    Examples
    --------
    >>> heading("mean", "en"), heading("mean", "fi"), heading("xyz", "en")
    ('M', 'ka.', 'xyz')
    """
    key = f"columns.{column}"
    return t(key, lang) if has(key, lang) else column


def glossary_entry(column: str, lang: str) -> str | None:
    """What an abbreviated column means (``glossary.<name>``), if the catalogue explains it.

    Examples
    --------
    >>> glossary_entry("srm", "en")
    'standardised response mean, mean change / SD of change'
    >>> glossary_entry("xyz", "en") is None
    True
    """
    key = f"glossary.{column}"
    return t(key, lang) if has(key, lang) else None


@dataclass(frozen=True)
class Labels:
    """Value labels of one report: score/item keys and category codes → words.

    ``keys`` maps score and item keys (``sat_health``) to labels; ``values`` maps a column
    name to ``{code: label}`` (``gender: {female: Women}``); ``common`` maps codes shared by
    every column (``all``). Unknown values are shown as they are.
    """

    lang: str
    keys: Mapping[str, str] = field(default_factory=dict)
    values: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    def value(self, column: str, x: object) -> str:
        if _missing(x):
            return ""
        text = str(x)
        if isinstance(x, (bool, np.bool_)) or text in ("True", "False"):
            return t("common.yes" if text == "True" else "common.no", self.lang)
        column_labels = self.values.get(column, {})
        if text in column_labels:
            return column_labels[text]
        if text in self.keys:
            return self.keys[text]
        for key in (f"values.{text}", f"columns.{text}"):
            if has(key, self.lang):
                return t(key, self.lang)
        return text


def _row_kind(measure: object) -> str:
    """The kind of a row's values named by its measure or unit; numbers when it names none."""
    kind = kind_of(str(measure))
    return "num" if kind in ("text", "label") else kind


def group_value(text: str, labels: Labels, columns_of: Sequence[str]) -> str:
    """``16-19 × female`` (codes of ``columns_of`` joined by ``×``) with each code labelled."""
    codes = text.split(" × ")
    if len(codes) != len(columns_of):
        return text
    return " × ".join(labels.value(of, code) for of, code in zip(columns_of, codes))


def _column_heading(column: str, lang: str, labels: Labels, columns_of: Sequence[str]) -> str:
    """A heading from the catalogue; a score or domain key's label; a group of codes labelled."""
    if has(f"columns.{column}", lang) or (column not in labels.keys and not columns_of):
        return heading(column, lang)
    if column in labels.keys:
        return labels.keys[column]
    codes = column.split(" ")
    if column == ALL or len(codes) != len(columns_of):
        return labels.value("", column)
    return " ".join(labels.value(of, code) for of, code in zip(columns_of, codes))


# ----------------------------------------------------------------------------- tables
@dataclass(frozen=True)
class ShownTable:
    """A table as published: ``frame`` (text, headings in words) and ``machine`` (numbers for
    the workbook) with ``excel_formats`` per machine column, the ``abbreviations`` used and
    ``notes`` to print below it."""

    frame: pd.DataFrame
    machine: pd.DataFrame
    excel_formats: Mapping[str, str]
    abbreviations: tuple[tuple[str, str], ...] = ()
    numeric: tuple[str, ...] = ()


def _ci_pairs(columns: Sequence[str]) -> dict[str, tuple[str, str]]:
    """``{merged_name: (low, high)}`` for every ``…ci_low``/``…ci_high`` pair."""
    pairs = {}
    for c in columns:
        if c.endswith("ci_low") and c[: -len("low")] + "high" in columns:
            stem = c[: -len("_ci_low")] if c != "ci_low" else ""
            pairs[f"{stem}_ci" if stem else "ci"] = (c, c[: -len("low")] + "high")
    return pairs


def present(table: pd.DataFrame, lang: str, labels: Labels | None = None, *,
            kinds: Mapping[str, str] | None = None, hide: Sequence[str] = (),
            row_kinds: str | None = None, label_as: Mapping[str, str] | None = None,
            columns_of: Sequence[str] = ()) -> ShownTable:
    """Format a machine table for publication (see the module docstring).

    Parameters
    ----------
    table : DataFrame
        Flat table; what a row is about is a column.
    lang : {"en", "fi"}
    labels : Labels, optional
        Value labels; columns of kind ``label`` (and ``text`` columns whose values are known
        keys) are translated with them.
    kinds : mapping, optional
        Kinds for columns this table uses differently from ``columns.yaml``.
    hide : list of str
        Machine columns not shown (kept in the workbook).
    row_kinds : str, optional
        A column naming, in each row, a statistic (``measure``: chisq, df, cfi …): the other
        value columns of that row are formatted by that statistic's kind (long tables of fit
        measures).
    label_as : mapping, optional
        Columns whose codes are those of another column (``{"group": "activity"}``).
    columns_of : list of str
        The table's column names are groups: codes of these columns joined by spaces
        (``16-19 female`` for age group × gender, as :func:`analysis.stats.descriptives.group_labels`
        writes them), and so are values such as ``16-19 × female``; each code is labelled.

    Examples
    --------
    >>> import pandas as pd
    >>> table = pd.DataFrame({"score": ["sat_health"], "n": [12], "alpha": [0.8712], "note": ["x"]})
    >>> shown = present(table, "fi", Labels("fi", keys={"sat_health": "Terveys"}), hide=["note"])
    >>> shown.frame.values.tolist(), shown.excel_formats
    ([['Terveys', '12', '0,871']], {'n': '0', 'alpha': '0.000'})
    """
    labels = labels or Labels(lang)
    given = kinds or {}
    kinds = {c: given.get(c) or kind_of(str(c)) for c in table.columns}
    for c, k in kinds.items():      # unknown numeric columns: never shown at full precision
        if k == "text" and c not in given and pd.api.types.is_numeric_dtype(table[c]) \
                and not pd.api.types.is_bool_dtype(table[c]):
            kinds[c] = "int" if pd.api.types.is_integer_dtype(table[c]) else "num"
    pairs = _ci_pairs([str(c) for c in table.columns])
    paired = {c for pair in pairs.values() for c in pair}
    out: dict[str, list[str]] = {}
    used: list[str] = []
    for col in table.columns:
        name = str(col)
        if name in hide:
            continue
        if name in paired:
            merged = next((m for m, pair in pairs.items() if name == pair[0]), None)
            if merged is None:          # the upper limit: shown with the lower one
                continue
            low, high = pairs[merged]
            kind = kinds[low]
            decimals = {"num": 2, "num3": 3, "prop": 3, "pct": 1}.get(kind, 2)
            lz = not (kind == "prop" and lang == "en")
            out[merged] = [interval(a, b, decimals, lang, leading_zero=lz)
                           for a, b in zip(table[low], table[high])]
            used.append(merged)
            continue
        kind = kinds[col]
        if row_kinds is not None and col != row_kinds and kind not in ("label", "bool"):
            out[name] = [format_value(x, _row_kind(m), lang) for x, m in zip(table[col], table[row_kinds])]
            used.append(name)
            continue
        if kind == "keys":               # a comma-separated list of keys, each labelled
            out[name] = ["" if _missing(x) else ", ".join(labels.value(name, k) for k in str(x).split(", "))
                         for x in table[col]]
        elif name == "category" and "variable" in table:     # a category of the row's variable
            out[name] = [labels.value(str(v), x) for v, x in zip(table["variable"], table[col])]
        elif kind in ("label", "text"):
            source = (label_as or {}).get(name, name)
            out[name] = [group_value(str(x), labels, columns_of) if columns_of and " × " in str(x) else
                         labels.value(source, x) if kind == "label" or str(x) in labels.keys or str(x) == ALL else
                         ("" if _missing(x) else str(x)) for x in table[col]]
        else:
            out[name] = [labels.value(name, x) if isinstance(x, str) and x == ALL else format_value(x, kind, lang)
                         for x in table[col]]
        used.append(name)
    frame = pd.DataFrame(out, index=range(len(table)))
    frame.columns = [_column_heading(c, lang, labels, columns_of) for c in frame.columns]
    abbreviations = tuple((heading(c, lang), g) for c in used if (g := glossary_entry(c, lang)))
    formats = {str(c): EXCEL_FORMATS[k] for c, k in kinds.items() if k in EXCEL_FORMATS}
    numeric = tuple(heading(c, lang) for c in used
                    if (pairs[c][0] if c in pairs else c) in formats or kinds.get(c) == "bool"
                    or (row_kinds is not None and c != row_kinds))
    return ShownTable(frame=frame, machine=table.reset_index(drop=True), excel_formats=formats,
                      abbreviations=abbreviations, numeric=numeric)
