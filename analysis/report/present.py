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
score      a scale value (raw score, Min, Max): a whole     ``10`` or ``7.50``
              number without decimals, else 2 decimals
num        2 decimals (means, SDs, effect sizes, t, χ²)     ``6.83`` / ``6,83``
num3       3 decimals (loadings, indices that can pass 1)   ``0.912``
prop       3 decimals, no leading zero in English           ``.953`` / ``0,953``
              (p-like: α, ω, ICC, r, CFI, RMSEA, SRMR, AUC)
p          ``.012``, ``< .001``                               ``< ,001`` in Finnish
pct        1 decimal                                        ``51.5``
share      a proportion (0–1) shown as a percentage,        ``26.3``
              1 decimal (Excel: ``0.0%``)
bool       yes / no                                         ``yes`` / ``kyllä``
text       as it is (long text wraps)
label      a key or code replaced by its label
keys       a comma-separated list of keys, each replaced by its label
=========  =============================================  ===================

Numbers of 1,000 or more are grouped like counts (``33,735.69``; Finnish ``33 735,69`` with a
no-break space). Confidence limits ``ci_low``/``ci_high`` (also ``<x>_ci_low``/``<x>_ci_high``,
``ci_lower``/``ci_upper`` and lavaan's ``<x>.ci.lower``/``<x>.ci.upper``) are merged into one
column ``[0.78, 0.82]`` (APA 7 brackets; Finnish ``[0,78; 0,82]``, see :func:`interval`) with the
decimals of the estimate they belong to. Negative numbers get a true minus sign
(``[−0.12, 0.30]``). A share of persons is a percentage (kind ``pct``) in every table and
sentence (:func:`percent`). A column with no value in any row, and a column of words that repeats
a column before it (a label beside its key), is not shown. A suppressed cell
(``<5``) stays as it is. The machine table is kept for the workbook, with an Excel number
format per column (per cell in a table of measures) matching the shown decimals.

Examples
--------
>>> import pandas as pd
>>> t = pd.DataFrame({"score": ["domain_mean"], "n": [1234], "mean": [6.8312], "p": [0.0004],
...                   "ci_low": [6.1], "ci_high": [7.2]})
>>> shown = present(t, "en", Labels("en", keys={"domain_mean": "Mean of domains 1–9"}))
>>> shown.frame.iloc[0].tolist()
['Mean of domains 1–9', '1,234', '6.83', '< .001', '[6.10, 7.20]']
>>> list(shown.frame.columns)
['Score', 'n', 'M', 'p', '95% CI']
"""
from __future__ import annotations

import math
import numbers as numbers_
import re
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
DASH = "–"
#: Thousands separator of each language (Finnish: no-break space, as in counts).
GROUP = {"en": ",", "fi": "\u00a0"}
#: Decimals shown for each numeric kind.
DECIMALS = {"num": 2, "num3": 3, "prop": 3, "pct": 1, "share": 1, "score": 2, "count": 0, "int": 0}
#: Excel number formats matching the shown decimals, by column kind (``p`` depends on the
#: language: see :func:`excel_format`).
EXCEL_FORMATS = {"count": "#,##0", "int": "0", "num": "#,##0.00", "num3": "#,##0.000",
                 "prop": "0.000", "p": "0.000", "pct": "0.0", "share": "0.0%", "score": "#,##0.00"}
_NUMERIC_KINDS = frozenset(EXCEL_FORMATS)
#: Kinds of columns shown as words (left-aligned; never formatted as numbers).
_WORDS = ("label", "text", "keys")


def excel_format(kind: str, lang: str) -> str | None:
    """The Excel number format of a column kind; p below .001 shows as ``<.001``.

    Examples
    --------
    >>> excel_format("p", "en"), excel_format("count", "fi")
    ('[<0.001]"<.001";0.000', '#,##0')
    """
    if kind == "p":
        return '[<0.001]"<.001";0.000' if lang == "en" else '[<0.001]"<0,001";0.000'
    return EXCEL_FORMATS.get(kind)


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

    Confidence limits take the kind of their estimate (``alpha_ci_low`` → ``prop``).

    Examples
    --------
    >>> kind_of("mean"), kind_of("p_holm"), kind_of("n_items"), kind_of("comment")
    ('num', 'p', 'int', 'text')
    """
    kinds = column_kinds()
    if column in kinds:
        return kinds[column]
    stem = _ci_stem(column)
    if stem is not None:
        return _estimate_kind(stem) or "num"
    for prefix in ("n_", "mean_", "sd_", "p_"):
        if column.startswith(prefix):
            return {"n_": "count", "mean_": "num", "sd_": "num", "p_": "p"}[prefix]
    return "text"


#: Estimates whose confidence limits carry a short stem (``g_ci_low`` → ``hedges_g``).
_CI_ESTIMATE = {"g": "hedges_g", "rr": "rate_ratio"}
_CI_SUFFIXES = (("_ci_low", "_ci_high"), ("ci_low", "ci_high"), ("ci_lower", "ci_upper"),
                (".ci.lower", ".ci.upper"))


def _ci_stem(column: str) -> str | None:
    """``"alpha"`` for ``alpha_ci_low``/``alpha_ci_high``, ``""`` for ``ci_low``, else None."""
    for low, high in _CI_SUFFIXES:
        for suffix in (low, high):
            if column.endswith(suffix):
                stem = column[: -len(suffix)]
                if suffix.startswith(("_", ".")) and not stem:
                    continue
                if not suffix.startswith(("_", ".")) and stem:
                    continue
                return stem
    return None


def _estimate_kind(stem: str) -> str | None:
    kinds = column_kinds()
    return kinds.get(_CI_ESTIMATE.get(stem, stem))


# ----------------------------------------------------------------------------- numbers
def _missing(x: object) -> bool:
    return x is None or x is pd.NA or (isinstance(x, float) and math.isnan(x))


def _group(text: str, lang: str) -> str:
    """Insert the thousands separator into the integer part of ``text`` (``-33735.69``)."""
    sign = "-" if text.startswith("-") else ""
    whole, _, frac = text.lstrip("-").partition(".")
    if len(whole) > 3:
        whole = f"{int(whole):,}".replace(",", GROUP.get(lang, ","))
    return sign + whole + ("." + frac if frac else "")


def number(x: float, decimals: int, lang: str, *, leading_zero: bool = True, group: bool = True) -> str:
    """A number with ``decimals`` decimals, the language's decimal mark, thousands grouped
    (as in counts) and a true minus.

    Examples
    --------
    >>> number(-0.125, 2, "fi"), number(0.953, 3, "en", leading_zero=False)
    ('−0,12', '.953')
    >>> number(33735.6896, 2, "en"), number(-33735.6896, 2, "fi")
    ('33,735.69', '−33\xa0735,69')
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
    if group:
        text = _group(text, lang)
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
    return number(round(float(x)), 0, lang)


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
    """A confidence interval in APA 7 notation: ``[0.78, 0.82]`` in brackets (a dash would be
    ambiguous next to a negative limit). In Finnish the decimal mark is a comma, so the limits
    are separated by a semicolon, the usual Finnish convention: ``[−0,12; 0,30]``.

    The one formatter of intervals: sentences (``95% CI {ci}``) and tables use it.

    Examples
    --------
    >>> interval(0.7818, 0.8206, 3, "en", leading_zero=False), interval(-0.12, 0.3, 2, "fi")
    ('[.782, .821]', '[−0,12; 0,30]')
    >>> interval(-2.18, -0.078, 2, "en")
    '[−2.18, −0.08]'
    """
    if isinstance(low, str) or isinstance(high, str):
        return low if isinstance(low, str) else high
    if _missing(low) or _missing(high):
        return ""
    sep = "; " if lang == "fi" else ", "
    return (f"[{number(low, decimals, lang, leading_zero=leading_zero)}{sep}"
            f"{number(high, decimals, lang, leading_zero=leading_zero)}]")


def interval_of(low: float, high: float, kind: str, lang: str) -> str:
    """A confidence interval of an estimate of column kind ``kind`` (:func:`interval` with that
    kind's decimals; no leading zero in English for a ``prop``, which cannot exceed 1; a
    ``share`` as a percentage; a ``score`` with whole limits without decimals).

    Examples
    --------
    >>> interval_of(-0.326, 0.406, "prop", "en"), interval_of(-0.326, 0.406, "prop", "fi")
    ('[−.326, .406]', '[−0,326; 0,406]')
    >>> interval_of(3.0, 13.0, "score", "en"), interval_of(0.2632, 0.5, "share", "en")
    ('[3, 13]', '[26.3, 50.0]')
    """
    numbers = not isinstance(low, str) and not isinstance(high, str) and not _missing(low) and not _missing(high)
    if kind == "share" and numbers:
        low, high = 100 * low, 100 * high
    decimals = DECIMALS.get(kind, 2)
    if kind == "score" and numbers and float(low).is_integer() and float(high).is_integer():
        decimals = 0                              # a scale value (days, raw score): whole limits as such
    return interval(low, high, decimals, lang, leading_zero=not (kind == "prop" and lang == "en"))


def percent(x: float, decimals: int, lang: str) -> str:
    """A percentage for a sentence: ``48%`` (APA 7), Finnish ``48 %`` (with a no-break space,
    the Finnish convention). Tables show the number alone under a heading that says %.

    Examples
    --------
    >>> percent(47.96, 0, "en"), percent(47.96, 1, "fi")
    ('48%', '48,0\xa0%')
    """
    if _missing(x):
        return ""
    if isinstance(x, str):
        return x
    return number(x, decimals, lang) + ("%" if lang == "en" else "\u00a0%")


def words(items: Sequence[str], lang: str) -> str:
    """A list in words: ``A, B and C`` (Finnish ``A, B ja C``), never a Python literal.

    Examples
    --------
    >>> words(["Health", "Housing", "Family"], "en"), words(["Terveys", "Asuminen"], "fi"), words(["x"], "en")
    ('Health, Housing and Family', 'Terveys ja Asuminen', 'x')
    """
    items = [str(i) for i in items]
    if len(items) < 2:
        return "".join(items)
    return f"{', '.join(items[:-1])} {t('common.and', lang)} {items[-1]}"


def format_value(x: object, kind: str, lang: str) -> str:
    """One cell formatted by its column kind.

    Examples
    --------
    >>> format_value(0.0004, "p", "en"), format_value(51.46, "pct", "fi"), format_value(True, "bool", "fi")
    ('< .001', '51,5', 'kyllä')
    >>> format_value(0.2632, "share", "en")
    '26.3'
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
        return number(round(float(x)), 0, lang, group=False)
    if kind == "num":
        return number(x, 2, lang)
    if kind == "score":
        return number(x, 0 if float(x).is_integer() else 2, lang)
    if kind == "num3":
        return number(x, 3, lang)
    if kind == "prop":
        return number(x, 3, lang, leading_zero=lang != "en")
    if kind == "p":
        return p_value(float(x), lang)
    if kind == "pct":
        return number(x, 1, lang)
    if kind == "share":
        return number(100 * float(x), 1, lang)
    if kind == "bool":
        return t("common.yes" if bool(x) else "common.no", lang)
    return str(x)


def _whole(values: pd.Series) -> bool:
    """Whether every number of a column is a whole number (text such as ``<5`` is ignored)."""
    nums = [float(v) for v in values if isinstance(v, (int, float, np.number)) and not isinstance(v, bool)
            and not _missing(v)]
    return bool(nums) and all(math.isfinite(v) and v.is_integer() for v in nums)


# ----------------------------------------------------------------------------- labels
def heading(column: str, lang: str, labels: "Labels | None" = None) -> str:
    """Column heading in words (``columns.<name>`` in the catalogue); confidence limits as
    "<estimate>: 95% CI, lower limit"; a column named by a score, item or category (a pivot
    table) by its label; else the name itself.

    Examples
    --------
    >>> heading("mean", "en"), heading("mean", "fi"), heading("xyz", "en")
    ('M', 'ka.', 'xyz')
    """
    key = f"columns.{column}"
    if has(key, lang):
        return t(key, lang)
    stem = _ci_stem(column)
    if stem is not None and stem:
        which = "low" if column.endswith(("low", "lower")) else "high"
        return t(f"columns.ci_{which}_of", lang, what=heading(_CI_ESTIMATE.get(stem, stem), lang))
    if labels is not None:
        return labels.any(column)
    return column


def _entry(part: str, column: str, lang: str, method: str | None) -> str | None:
    """``<part>.<column>_<method>`` when the table declares the method it ran, else
    ``<part>.<column>``; None when the catalogue has neither."""
    for key in ((f"{part}.{column}_{method}",) if method else ()) + (f"{part}.{column}",):
        if has(key, lang):
            return t(key, lang)
    return None


def glossary_entry(column: str, lang: str, method: str | None = None) -> str | None:
    """What an abbreviated column means (``glossary.<name>``), if the catalogue explains it.
    These are printed below each table that uses the column.

    ``method`` is the method the statistics code ran for the column, as the table declares it
    in ``attrs["methods"]`` (``{"r": "spearman"}``): the entry ``glossary.<name>_<method>``
    then names it; without a declared method the entry names none.

    Examples
    --------
    >>> glossary_entry("r", "en", "spearman"), glossary_entry("r", "en")
    ('Spearman rank correlation', 'correlation coefficient')
    >>> glossary_entry("xyz", "en") is None
    True
    """
    return _entry("glossary", column, lang, method)


def meaning(column: str, lang: str, labels: "Labels | None" = None, method: str | None = None) -> str:
    """What a column means, for the workbook's glossary sheet: the abbreviation's explanation
    (:func:`glossary_entry`), else ``meanings.<name>`` (each with the ``method`` the table
    declares); confidence limits and pivot columns by rule.

    Examples
    --------
    >>> meaning("r", "fi", method="spearman")
    'Spearmanin järjestyskorrelaatio'
    """
    entry = _entry("glossary", column, lang, method) or _entry("meanings", column, lang, method)
    if entry is not None:
        return entry
    stem = _ci_stem(column)
    if stem is not None:
        which = "low" if column.endswith(("low", "lower")) else "high"
        level = "90" if column.endswith((".ci.lower", ".ci.upper")) else "95"
        what = heading(_CI_ESTIMATE.get(stem, stem), lang) if stem else t("meanings.the_estimate", lang)
        return t(f"meanings.ci_{which}_of", lang, what=what, level=level)
    shown = heading(column, lang, labels)
    return t("meanings.pivot", lang, what=shown)


@dataclass(frozen=True)
class Labels:
    """Value labels of one report: score/item keys and category codes → words.

    ``keys`` maps score and item keys (``sat_health``) to labels; ``values`` maps a column
    name to ``{code: label}`` (``gender: {female: Women}``); ``common`` maps codes shared by
    every column (``all``); ``fields`` maps a declared column's name to its data-dictionary
    label, the last resort for a name the catalogues do not know. Unknown values are shown
    as they are.
    """

    lang: str
    keys: Mapping[str, str] = field(default_factory=dict)
    values: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    fields: Mapping[str, str] = field(default_factory=dict)

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
        return self.fields.get(text, text)

    def any(self, text: str) -> str:
        """The label of a key or code of any column (a pivot table's column name such as
        ``health`` or ``16-19 female``, each space-separated part labelled).

        Examples
        --------
        >>> Labels("en", values={"age_group": {"16-19": "16–19 years"}}).any("16-19 female")
        '16–19 years female'
        """
        def one(part: str) -> str:
            if part in self.keys or has(f"values.{part}", self.lang):
                return self.value("", part)
            for column_labels in self.values.values():
                if part in column_labels:
                    return column_labels[part]
            return part
        whole = one(text)
        if whole != text or " " not in text:
            return whole
        return " ".join(one(p) for p in text.split(" "))


def _numbers_and_marks(column: pd.Series) -> bool:
    """A column of numbers in which disclosure control hid some cells (``<5``, ``..``)."""
    def number(v) -> bool:
        return isinstance(v, numbers_.Real) and not isinstance(v, (bool, np.bool_))

    def mark(v) -> bool:
        return isinstance(v, str) and (v.startswith("<") or v == "..")

    values = [v for v in column if not _missing(v)]
    return any(map(number, values)) and all(number(v) or mark(v) for v in values)


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


def _column_heading(column: str, pairs: Mapping[str, tuple[str, str]], lang: str, labels: Labels,
                    columns_of: Sequence[str]) -> str:
    """A heading from the catalogue or by rule (:func:`_merged_heading`); with ``columns_of``, a
    column named by a group of codes (``16-19 female``) with each code labelled."""
    codes = column.split(" ")
    if (not columns_of or column in pairs or has(f"columns.{column}", lang) or column in labels.keys
            or len(codes) != len(columns_of)):
        return _merged_heading(column, pairs, lang, labels)
    return " ".join(labels.value(of, code) for of, code in zip(columns_of, codes))


def _number_of(v: object) -> object:
    """A plain decimal number written as text (``"2"``, ``"-0.5"``) as a number; anything else as it is."""
    if isinstance(v, str) and re.fullmatch(r"-?\d+(\.\d+)?", v):
        return int(v) if "." not in v else float(v)
    return v


# ----------------------------------------------------------------------------- tables
@dataclass(frozen=True)
class ShownTable:
    """A table as published: ``frame`` (text, headings in words) and ``machine`` (numbers for
    the workbook) with ``excel_formats`` per machine column (``cell_formats``: per row of a
    table of measures, ``{column: [format of each row]}``), the ``abbreviations`` used,
    the ``numeric`` (right-aligned) headings and the ``headings`` of the machine columns.

    ``mask`` says which cells of ``machine`` disclosure control hid (``True``; the cell holds
    its mark, ``<5`` or ``..``): ask :meth:`hidden` rather than looking at a cell's value.
    ``methods`` names the method the statistics code ran for a column (the machine table's
    ``attrs["methods"]``, e.g. ``{"r": "spearman"}``); the glossary says it.

    Examples
    --------
    >>> t = pd.DataFrame({"group": ["a", "b"], "n": [12, "<5"]})
    >>> shown = present(t, "en", hidden=pd.DataFrame({"group": [False, False], "n": [False, True]}))
    >>> shown.hidden({"group": "b"}, "n"), shown.hidden(0, "n")
    (True, False)
    """

    frame: pd.DataFrame
    machine: pd.DataFrame
    excel_formats: Mapping[str, str]
    abbreviations: tuple[tuple[str, str], ...] = ()
    numeric: tuple[str, ...] = ()
    cell_formats: Mapping[str, Sequence[str | None]] = field(default_factory=dict)
    headings: Mapping[str, str] = field(default_factory=dict)
    lang: str = "en"
    mask: pd.DataFrame | None = None
    methods: Mapping[str, str] = field(default_factory=dict)

    def row(self, where: int | Mapping[str, object]) -> int:
        """The position of a row of ``machine``: a position as it is, or ``{column: value}``
        matching exactly one row (``{"score": "domain_mean"}``)."""
        if not isinstance(where, Mapping):
            return int(where)
        match = np.ones(len(self.machine), dtype=bool)
        for column, value in where.items():
            match &= (self.machine[column] == value).to_numpy(bool)
        found = np.flatnonzero(match)
        if len(found) != 1:
            raise KeyError(f"{len(found)} rows of the table have {dict(where)} (expected one)")
        return int(found[0])

    def hidden(self, where: int | Mapping[str, object], column: str) -> bool:
        """Whether disclosure control hid the cell of ``column`` in row ``where`` (a position or
        ``{column: value}``, see :meth:`row`)."""
        if self.mask is None:
            return False
        return bool(self.mask.iat[self.row(where), self.mask.columns.get_loc(column)])

    def value(self, where: int | Mapping[str, object], column: str) -> object:
        """The machine value of a cell (its mark when it is hidden)."""
        return self.machine.iat[self.row(where), self.machine.columns.get_loc(column)]

    def workbook(self) -> pd.DataFrame:
        """The machine table for the workbook: numbers as numbers; text columns (score keys,
        category codes) as the report shows them, in words; yes/no values (``True``/``False``)
        as words of the report language; a cell disclosure control hid (:attr:`mask`) empty,
        so that a column of numbers stays numeric (the workbook says why the cell is empty).

        Examples
        --------
        >>> t = pd.DataFrame({"group": ["a", "b"], "n": [12, "<5"]})
        >>> present(t, "en", hidden=pd.DataFrame({"group": [False, False], "n": [False, True]})).workbook()["n"].tolist()
        [12.0, nan]
        """
        def is_bool(v: object) -> bool:
            return isinstance(v, (bool, np.bool_)) or (isinstance(v, str) and v in ("True", "False"))

        out = self.machine.copy()
        for c in out.columns:
            col = out[c]
            shown = self.headings.get(str(c))
            if str(c) in self.excel_formats and not pd.api.types.is_numeric_dtype(col):   # digits as text
                out[c] = [_number_of(v) for v in col]
                continue
            if (shown in self.frame.columns and not pd.api.types.is_numeric_dtype(col)
                    and all(isinstance(v, str) for v in col.dropna()) and not any(map(is_bool, col))):
                out[c] = [v if pd.isna(v) else w for v, w in zip(col, self.frame[shown])]
                continue
            if pd.api.types.is_bool_dtype(col) or (not pd.api.types.is_numeric_dtype(col)
                                                   and any(map(is_bool, col))):
                out[c] = [t("common.yes" if v is True or v == "True" or v is np.True_ else "common.no", self.lang)
                          if is_bool(v) else v for v in col]
        if self.mask is not None:
            for c in self.mask.columns[self.mask.any().to_numpy()]:
                out[c] = [None if h else v for v, h in zip(out[c], self.mask[c])]
        return out

    def formats(self) -> dict[str, str | list[str | None]]:
        """Excel number format of each machine column, a list (one per row) where it varies."""
        out: dict[str, str | list[str | None]] = dict(self.excel_formats)
        out.update({c: list(f) for c, f in self.cell_formats.items()})
        return out


def _ci_pairs(columns: Sequence[str]) -> dict[str, tuple[str, str]]:
    """``{merged_name: (low, high)}`` for every pair of confidence limits (``ci_low``/
    ``ci_high``, ``<x>_ci_low``/``<x>_ci_high``, ``ci_lower``/``ci_upper``,
    ``<x>.ci.lower``/``<x>.ci.upper``)."""
    pairs = {}
    for c in columns:
        for low, high in _CI_SUFFIXES:
            if c.endswith(low) and _ci_stem(c) is not None:
                partner = c[: -len(low)] + high
                if partner in columns:
                    stem = _ci_stem(c)
                    merged = {"_ci_low": f"{stem}_ci", ".ci.lower": f"{stem}.ci"}.get(low, "ci")
                    pairs[merged] = (c, partner)
                break
    return pairs


def present(table: pd.DataFrame, lang: str, labels: Labels | None = None, *,
            kinds: Mapping[str, str] | None = None, hide: Sequence[str] = (),
            row_kinds: str | None = None, label_as: Mapping[str, str] | None = None,
            columns_of: Sequence[str] = (), hidden: pd.DataFrame | None = None) -> ShownTable:
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
        measures), in the workbook too.
    label_as : mapping, optional
        Columns whose codes are those of another column (``{"group": "activity"}``).
    columns_of : list of str
        The table's column names are groups: codes of these columns joined by spaces
        (``16-19 female`` for age group × gender, as :func:`analysis.stats.descriptives.group_labels`
        writes them), and so are values such as ``16-19 × female``; each code is labelled.
    hidden : DataFrame of bool, optional
        Which cells disclosure control hid (like ``table``); kept as :attr:`ShownTable.mask`
        (default: none).

    Examples
    --------
    >>> t = pd.DataFrame({"measure": ["n", "kmo", "p"], "value": [900.0, 0.9034, 0.0]})
    >>> s = present(t, "en", row_kinds="measure")
    >>> s.frame.iloc[:, 1].tolist(), s.cell_formats["value"]
    (['900', '.903', '< .001'], ['#,##0', '0.000', '[<0.001]"<.001";0.000'])
    """
    labels = labels or Labels(lang)
    given = kinds or {}
    kinds = {c: given.get(c) or kind_of(str(c)) for c in table.columns}
    for c, k in kinds.items():      # unknown numeric columns: never shown at full precision
        if k == "text" and c not in given and pd.api.types.is_numeric_dtype(table[c]) \
                and not pd.api.types.is_bool_dtype(table[c]):
            kinds[c] = "int" if pd.api.types.is_integer_dtype(table[c]) else "num"
        elif k == "text" and c not in given and _numbers_and_marks(table[c]):
            kinds[c] = "num"
        elif k == "text" and c not in given and pd.api.types.is_bool_dtype(table[c]):
            kinds[c] = "bool"
    for c, k in kinds.items():      # a scale value column of whole numbers: no decimals
        if k == "score" and _whole(table[c]):
            kinds[c] = "int"
    columns = [str(c) for c in table.columns]
    pairs = _ci_pairs(columns)
    paired = {c for pair in pairs.values() for c in pair}

    def hides(column: str) -> np.ndarray:
        """Which cells of ``column`` disclosure control hid."""
        if hidden is None or column not in hidden:
            return np.zeros(len(table), dtype=bool)
        return pd.DataFrame(hidden)[column].to_numpy(bool)
    out: dict[str, list[str]] = {}
    used: list[str] = []
    cell_formats: dict[str, list[str | None]] = {}
    for j, col in enumerate(table.columns):
        name = str(col)
        if name in hide:
            continue
        if name in paired:
            merged = next((m for m, pair in pairs.items() if name == pair[0]), None)
            if merged is None:          # the upper limit: shown with the lower one
                continue
            low, high = pairs[merged]
            stem = _ci_stem(low)
            kind = (kinds.get(stem) if stem in kinds else None) or _estimate_kind(stem or "") \
                or (kinds[low] if low in given else None) or _preceding_kind(kinds, columns[:j])
            if kind == "int":
                kind = "num"
            kinds[low] = kinds[high] = kind if kind in _NUMERIC_KINDS else "num"
            out[merged] = [interval_of(a, b, kind, lang) for a, b in zip(table[low], table[high])]
            if _empty(out[merged], hides(low) | hides(high)):
                del out[merged]
                continue
            used.append(merged)
            continue
        kind = kinds[col]
        if row_kinds is not None and col != row_kinds and kind not in (*_WORDS, "bool"):
            row_kind = [_row_kind(m) for m in table[row_kinds]]
            out[name] = [format_value(x, k, lang) for x, k in zip(table[col], row_kind)]
            cell_formats[name] = [excel_format(k, lang) for k in row_kind]
        elif kind == "keys":             # a comma-separated list of keys, each labelled
            out[name] = ["" if _missing(x) else ", ".join(labels.value(name, k) for k in str(x).split(", "))
                         for x in table[col]]
        elif name == "category" and "variable" in table:     # a category of the row's variable
            out[name] = [labels.value(str(v), x) for v, x in zip(table["variable"], table[col])]
        elif kind in ("label", "text"):
            source = (label_as or {}).get(name, name)
            out[name] = [group_value(str(x), labels, columns_of) if columns_of and " × " in str(x) else
                         labels.value(source, x) if kind == "label" or str(x) in labels.keys or str(x) == ALL
                         or (str(x).startswith("(") and str(x).endswith(")")) else   # a code such as (all files)
                         ("" if _missing(x) else str(x)) for x in table[col]]
        else:
            out[name] = [labels.value(name, x) if isinstance(x, str) and x == ALL else format_value(x, kind, lang)
                         for x in table[col]]
            if kind == "score":          # whole numbers (raw scores) without decimals, each cell
                cell_formats[name] = [None if _missing(x) or isinstance(x, str) else
                                      "0" if float(x).is_integer() else EXCEL_FORMATS["num"] for x in table[col]]
        if _empty(out[name], hides(name)) or (kind in _WORDS and any(out[u] == out[name] for u in used if kinds.get(u) in _WORDS)):
            del out[name]                # no value in any row, or the same words as a column before it
            continue
        used.append(name)
    frame = pd.DataFrame(out, index=range(len(table)))
    heads = {c: _column_heading(c, pairs, lang, labels, columns_of) for c in frame.columns}
    frame.columns = [heads[c] for c in frame.columns]
    methods = dict(table.attrs.get("methods", {}))
    abbreviations = tuple((heads[c], g) for c in used if (g := glossary_entry(c, lang, methods.get(c))))
    formats = {str(c): f for c, k in kinds.items() if (f := excel_format(k, lang))}
    numeric = tuple(heads[c] for c in used
                    if (pairs[c][0] if c in pairs else c) in formats or kinds.get(c) == "bool"
                    or (row_kinds is not None and c != row_kinds and kinds.get(c) not in _WORDS))
    machine_heads = {c: heading(c, lang, labels) for c in columns}
    machine = table.reset_index(drop=True)
    mask = pd.DataFrame(False, index=machine.index, columns=machine.columns)
    if hidden is not None:
        mask |= pd.DataFrame(hidden).reindex(columns=machine.columns, fill_value=False).to_numpy(bool)
    return ShownTable(frame=frame, machine=machine, excel_formats=formats,
                      abbreviations=abbreviations, numeric=numeric, cell_formats=cell_formats,
                      headings=machine_heads, lang=lang, mask=mask, methods=methods)


def _empty(shown: Sequence[str], hidden: Sequence[bool]) -> bool:
    """Whether a shown column has no value in any row: each cell is empty or hidden by
    disclosure control, and some cell is empty (a column of marks alone says "each is small")."""
    return "" in shown and all(v == "" or h for v, h in zip(shown, hidden))


def _preceding_kind(kinds: Mapping[str, str], before: Sequence[str]) -> str:
    """The kind of the estimate a bare ``ci_low`` follows: the nearest numeric column before it
    that is not a count or a p value."""
    for c in reversed(before):
        k = kinds.get(c)
        if k in ("num", "num3", "prop", "pct", "share", "score"):
            return k
    return "num"


def _merged_heading(column: str, pairs: Mapping[str, tuple[str, str]], lang: str, labels: Labels) -> str:
    if column in pairs and not has(f"columns.{column}", lang):
        stem = _ci_stem(pairs[column][0])
        level = "90" if column.endswith(".ci") else "95"
        if stem:
            return t("columns.ci_of", lang, what=heading(_CI_ESTIMATE.get(stem, stem), lang), level=level)
        return t("columns.ci", lang)
    return heading(column, lang, labels)


def glossary(tables: Sequence[ShownTable], lang: str, labels: Labels | None = None) -> pd.DataFrame:
    """The workbook's glossary: every machine column of ``tables`` once, with its heading in
    the report and what it means (columns ``column``, ``heading``, ``meaning``, headed in the
    report language)."""
    seen: dict[str, tuple[str, str]] = {}
    for shown in tables:
        for col in shown.machine.columns:
            name = str(col)
            if name not in seen:
                head = shown.headings.get(name) or heading(name, lang, labels)
                seen[name] = (head, meaning(name, lang, labels, shown.methods.get(name)))
    return pd.DataFrame([(k, *v) for k, v in seen.items()],
                        columns=[t("common.column", lang), t("common.heading", lang), t("common.meaning", lang)])
