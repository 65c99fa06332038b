"""Statistical disclosure control of a report's tables: one small-group policy, primary and
complementary suppression across all tables of one report (Hundepool et al. 2012,
*Statistical Disclosure Control*, Wiley, ch. 4), a model over counts *and* sums, and an
attacker that tries every published number together.

How a report uses it: one :class:`Disclosure` per report, made with the study's
:class:`Policy`; every table passes :meth:`Disclosure.protect` with a :class:`TableSpec`
saying what its numbers are (counts, sums, means, SDs, shares of a category, rank statistics
of which group), and the table shown is the one returned (or, after all tables are in,
:attr:`Disclosure.tables`). A table a study function made may carry its own declaration in
``attrs["disclosure"]`` (:meth:`TableSpec.declared`). Sentences take a group's count from the
shown table, print counts that are in no table with :func:`shown_count`, and are checked
with :meth:`Disclosure.check_text`. :func:`audit` attacks published tables the way a reader
could; :func:`audit_folder` attacks every table of every report of one output folder
together (each report writes its declarations next to its machine tables,
:func:`write_declarations`).

The policy
----------
Stated once, as data (:data:`PRESETS`, :class:`Policy`), and chosen by the study manifest's
optional ``disclosure:`` block (``preset``, ``min_count``, ``min_statistic_n``):

* a **count** of persons below ``min_count`` (default 5, zero included) is not shown;
* a **statistic other than a count** (mean, SD, percentage of answers, median, test
  statistic, p, effect size, interval, sum) of a group of fewer than ``min_statistic_n``
  persons (default 10, ACRO's default minimum of contributors) is not shown;
* a **share of an answer category** resting on 1 … ``min_count − 1`` persons (or leaving
  that few outside it) is not shown, nor a sign-test p that pins the persons who changed the
  other way to 1 … ``min_count − 1``;
* a **distribution a reader could solve for** on a bounded answer scale (n + mean + SD + %
  in a category, :func:`distribution_solutions`) is coarsened — the SD dropped, then the
  mean, then the shares — until it has more than one solution.

The model
---------
A row of a table describes a **group** of persons: the values of its dimension columns
(``dims``, e.g. gender, age group), with the total label (``"all"``) meaning "every
category". A count cell is a variable identified by (population, context, group): the same
group of the same population is the same variable in every table of the report, so a value
hidden in one table is hidden in all. Groups add up: for every dimension, the count of a
group is the sum of the counts of its categories (``all = female + male + other``; in an
age × gender table also ``female = Σ_age (age, female)``, even when that margin is printed in
another table). The same holds for the person-level **sums** a published number is a
function of: ``n·mean`` (``means``), a total (``sums``), the persons in an answer category
``n·%/100`` (``shares``) and the sum of squares ``(n − 1)·sd² + n·mean²`` (``sds``); the
same value of the same group is one variable in every table (``values`` names it). A
percentage next to a count reveals the total it is a share of. A group declared ``within``
another (completers within everyone with a change) makes their **difference** a group too:
its sums are the difference of the two published sums. Long tables (one measure per row, such
as an accounting of visits or a list of indicators) declare each row as a count or a sum and
the relations between rows (``measure``, ``rows``, ``relations``, ``row_percents``).

Rules
-----
1. **Primary suppression.** A count below ``min_count`` is hidden and shown as ``mask``
   (``<5``); so is every statistic of that group.
2. **Complementary suppression of counts.** A reader knows every shown value, that a cell
   marked ``mask`` (``<5``) lies in ``0…min_count − 1`` and that a cell marked
   ``complement_mask`` (``..``, hidden only to protect another) is at least ``min_count``.
   For each hidden small count, two linear programmes (its minimum and maximum subject to all
   additive relations of the report and those bounds; the audit of Hundepool et al. §4.3)
   give the interval the reader can narrow it to. While it is pinned to one value (or
   narrowed within ``0…4``), a further count is hidden: among the shown members of the
   relations holding it, categories before totals, those of at least ``2·min_count − 1``
   first, then the smallest, taking the first after which the reader learns nothing beyond
   the ``<5`` mark, else the first that unpins it (a cheap first pass gives every hidden count
   that is alone in a relation a partner). When no single cell can widen a narrowed (not
   pinned) interval, the narrowing is accepted. Complements that the reader can compute
   exactly anyway are shown again.
3. **Statistics of small groups.** The statistics of a group under ``min_statistic_n`` are
   hidden (``..``). The sums behind them, and those of every group whose count or share is
   hidden and of every difference group under ``min_statistic_n``, must not be pinned by the
   linear relations of the shown sums (the all-mean minus the groups' shares, the change
   table's baseline minus the completers'): while one is, the statistics of a further group
   of its relations are hidden (categories before totals, the smallest first).
4. **Shares, rank statistics and distributions** (the policy above), row by row.

Hiding is monotone within a report: a cell hidden once stays hidden as further tables are
registered (a complementary count that the reader can compute exactly anyway is shown
again), so tables already shown never give away what later ones hide.

Limits: intervals come from the linear-programming relaxation (integrality ignored); the sums
check is linear (pinned or not), with the bounded scale used only by the distribution solver
(groups up to :data:`MAX_SOLVER_N` persons); a count of a difference group (everyone minus
the completers) may be derived — its statistics are protected, not its size; tables must
declare their relations truthfully (``exhaustive=False`` when persons with a missing category
count in the total only, which adds an unknown rest to each sum; ``persons_add=False`` when
a person may be in several categories, so that only the sums add up). Instead of
suppression a caller may collapse small categories before tabulating
(:func:`collapse_small`).

Own code: sdcTable (R) and tau-Argus implement cell suppression for single hierarchical
tables, but neither is a Python library and neither links tables of one report that share
groups across counts, means and percentages; the linear programmes use
:func:`scipy.optimize.linprog` (HiGHS) and the sums check :func:`scipy.linalg.null_space`.

Examples
--------
>>> import pandas as pd
>>> d = Disclosure(min_n=5)
>>> t = pd.DataFrame({"gender": ["female", "male", "other", "all"], "n": [504, 393, 3, 900]})
>>> d.protect("gender", t, TableSpec(population="respondents", dims=["gender"]))["n"].tolist()
[504, '..', '<5', 900]
"""
from __future__ import annotations

import dataclasses
import json
import math
import re
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import combinations
from pathlib import Path
from typing import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats as _stats
from scipy.linalg import null_space
from scipy.optimize import linprog

#: Smallest number of persons a published cell may rest on (the project's small-cell rule).
MIN_CELL = 5
#: Smallest group whose statistics other than counts are published (ACRO's default minimum
#: number of contributors).
MIN_STATISTIC_N = 10
#: Largest group whose answer distribution :class:`Disclosure` and :func:`audit` try to solve for,
#: and most answers on its scale.
MAX_SOLVER_N, MAX_SOLVER_ANSWERS = 60, 31
PRIMARY, COMPLEMENT, STATISTIC = "primary", "complement", "statistic"
_TOL = 1e-6

#: The small-group rules a study may choose (``disclosure: {preset: …}`` in its manifest), each
#: with its source as the project's reference notes (``../shared/REFERENCES.md``, "Statistical
#: disclosure control") state it. Those notes name Statistics Finland's output checking for
#: FIONA without a threshold and do not name THL, so neither has a preset of its own: a study
#: following such a rule sets ``min_count`` and ``min_statistic_n`` itself.
PRESETS: dict[str, dict] = {
    "project": {"min_count": 5, "min_statistic_n": 10,
                "source": "counts under 5 hidden (the project's rule; common practice for Finnish register-based "
                          "outputs; Hundepool et al. 2012, ch. 4), other statistics for at least 10 persons "
                          "(the ACRO/SACRO output checker's default minimum of contributors)"},
    "finnish-register": {"min_count": 5, "min_statistic_n": 5,
                         "source": "counts under 5 hidden and statistics of such groups not published (common "
                                   "practice for Finnish register-based outputs; Hundepool et al. 2012, ch. 4)"},
    "acro": {"min_count": 10, "min_statistic_n": 10,
             "source": "the ACRO/SACRO output checker's default threshold of 10"},
}
_POLICY_KEYS = ("preset", "min_count", "min_statistic_n")


@dataclass(frozen=True)
class Policy:
    """The small-group rule of a report (see the module docstring).

    ``preset`` names an entry of :data:`PRESETS`; ``min_count`` and ``min_statistic_n``
    default to its numbers; ``overridden`` lists those the study set itself.

    Examples
    --------
    >>> Policy.from_manifest(None)
    Policy(min_count=5, min_statistic_n=10, preset='project', overridden=())
    >>> Policy.from_manifest({"preset": "acro"}).min_count
    10
    >>> Policy.from_manifest({"min_statistic_n": 20})
    Policy(min_count=5, min_statistic_n=20, preset='project', overridden=('min_statistic_n',))
    >>> Policy.from_manifest({"preset": "thl"})
    Traceback (most recent call last):
    ...
    ValueError: disclosure: preset 'thl' is not one of project, finnish-register, acro (a rule without a preset: set min_count and min_statistic_n)
    """

    min_count: int = MIN_CELL
    min_statistic_n: int = MIN_STATISTIC_N
    preset: str = "project"
    overridden: tuple = ()

    def __post_init__(self):
        problems = policy_problems({"preset": self.preset, "min_count": self.min_count,
                                    "min_statistic_n": self.min_statistic_n})
        if problems:
            raise ValueError("disclosure: " + "; ".join(problems))
        object.__setattr__(self, "overridden", tuple(self.overridden))

    @classmethod
    def from_manifest(cls, block: Mapping | None) -> Policy:
        """The policy of a manifest's ``disclosure:`` block (``None``: the project's)."""
        block = dict(block or {})
        problems = policy_problems(block)
        if problems:
            raise ValueError("disclosure: " + "; ".join(problems))
        preset = block.get("preset", "project")
        numbers = {k: int(block.get(k, PRESETS[preset][k])) for k in ("min_count", "min_statistic_n")}
        return cls(**numbers, preset=preset, overridden=tuple(k for k in ("min_count", "min_statistic_n") if k in block))

    @property
    def source(self) -> str:
        """Where the preset's numbers come from (English; reports print the catalogue's text)."""
        return PRESETS[self.preset]["source"]

    def to_dict(self) -> dict:
        return dataclasses.asdict(self) | {"overridden": list(self.overridden)}


def policy_problems(block: Mapping) -> list[str]:
    """What is wrong with a ``disclosure:`` block (empty list: nothing).

    Examples
    --------
    >>> policy_problems({"min_count": 0, "minimum": 3})
    ["unknown key 'minimum' (keys: preset, min_count, min_statistic_n)", 'min_count: 0 is not a whole number of at least 1']
    """
    if not isinstance(block, Mapping):
        return [f"expected a mapping of {', '.join(_POLICY_KEYS)}, got {block!r}"]
    problems = [f"unknown key {k!r} (keys: {', '.join(_POLICY_KEYS)})" for k in block if k not in _POLICY_KEYS]
    preset = block.get("preset", "project")
    if preset not in PRESETS:
        problems.append(f"preset {preset!r} is not one of {', '.join(PRESETS)} (a rule without a preset: set "
                        "min_count and min_statistic_n)")
        preset = "project"
    numbers = {}
    for key in ("min_count", "min_statistic_n"):
        value = block.get(key, PRESETS[preset][key])
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
            problems.append(f"{key}: {value!r} is not a whole number of at least 1")
        else:
            numbers[key] = int(value)
    if len(numbers) == 2 and numbers["min_statistic_n"] < numbers["min_count"]:
        problems.append(f"min_statistic_n ({numbers['min_statistic_n']}) is below min_count ({numbers['min_count']}); "
                        "a group too small to count cannot have statistics")
    return problems


@dataclass(frozen=True)
class TableSpec:
    """What the rows and columns of one report table are: the numbers as functions of
    person-level values (counts, sums, sums of squares, shares of a category, rank
    statistics) over the group each row describes.

    Parameters
    ----------
    population : str
        Name of the set of persons the counts describe (e.g. ``"respondents"``,
        ``"pilot, both occasions"``). Tables that count the same persons must use the same
        name, so that their shared groups are linked; different persons, different names.
    dims : list of str
        Dimension columns: the row's group is the combination of their values (``total``
        meaning all categories). A table without dims describes the whole population.
    counts : list of str
        Count columns (persons). With several (e.g. ``n_baseline``, ``n_6m``) each counts its
        own population ``"<population>/<column>"``; means, SDs and percentages rest on the
        first (or the one ``of`` names), and every statistic of a row is hidden when any of
        its counts is (unless ``of`` names the counts it rests on).
    context : list of str
        Columns that select what a row measures (``score``, ``item``, ``occasion``): rows with
        different context values are different populations (persons answering that score).
    labels : list of str
        Numeric columns that label a row rather than describe persons (a norm table's raw
        score). Never hidden.
    means : list of str
        Statistics whose value × n adds up over categories: means, proportions, unweighted
        percentile ranks (per label value).
    sds : mapping of str to str
        Standard deviation column → its mean column (sums of squares add up).
    percents : list of str
        Percentages of the row's count in the total of the first dim (hidden with the count;
        a shown one reveals its total).
    stats : list of str, optional
        Every column describing the row's persons (hidden with the group). Default: all
        numeric columns that are not counts, labels, dims or context.
    total : str
        Label of "all categories" in the dims (default ``"all"``).
    exhaustive : bool
        Whether the categories listed add up to the total (False when persons with a missing
        category are in the total only).
    sums : list of str
        Columns holding a sum over the row's persons (total visits): additive like means.
    values : mapping of str to str
        Mean or sum column → the person-level value it is the mean or sum of (default: the
        column's name). Tables showing the same value of the same group link through it
        (``{"mean_pre": "baseline"}`` here, ``{"mean_completers": "baseline"}`` there).
    of : mapping of str to str
        Statistic column → the count column of the group it describes (default: the first
        count for means, SDs, sums and shares; every count of the row for other statistics).
    shares : mapping of str to (str, float, float)
        Percentage column → (mean or value column, low, high): the percentage of the row's
        persons whose value lies in ``low…high`` (e.g. ``{"pct_agree": ("mean", 4, 5)}``).
        Hidden when it rests on 1 … ``min_count − 1`` persons (or leaves that few outside).
    scales : mapping of str to (int, int)
        Mean column → the bounded integer answer scale of its value (``(1, 5)``): the row's
        n, mean, SD and shares of that value are checked with :func:`distribution_solutions`.
        The highest answer may be a column of the row (``(0, "total_before")``: no client
        can have more visits than all of them), then rows of more than
        :data:`MAX_SOLVER_ANSWERS` answers are not checked.
    ranks : mapping of str to str
        Sign-test p column → the signed effect size next to it: checked with
        :func:`sign_test_solutions`.
    within : mapping of str to str
        Count column → a population whose same group (context and dims) contains this one:
        their difference is a group whose sums must not be pinned.
    persons_add : bool
        False when a person may be in several categories (services used): counts do not add
        up over the dims, sums (``means``, ``sums``) do.
    measure : str, optional
        A long table: the column naming each row's measure. Each row listed in ``rows`` is
        then a variable in every count column; ``dims`` are not used.
    rows : mapping of str to str
        Measure → ``itself`` for a count of persons, or the measure counting the persons it is
        a sum over (``{"n_included": "n_included", "visits_counted": "n_included"}``).
        Rows not listed describe no persons and are never hidden.
    relations : list of (str, list of str)
        Measure = the sum of measures (counts with counts, sums with sums).
    row_percents : mapping of str to (str, str)
        Measure that is the percentage of one count measure in another (part, total).

    Examples
    --------
    A norm table of :func:`analysis.stats.norms.norm_table` (one row per score × group × raw
    value; percentile ranks add up over groups, T-scores do not):

    >>> spec = TableSpec(population="norm sample", dims=["age_group", "gender"], context=["score"],
    ...                  labels=["raw"], means=["percentile"])
    >>> spec.stat_columns(pd.DataFrame(columns=["score", "age_group", "gender", "n", "raw", "percentile",
    ...                                         "t_linear"], dtype=float))
    ['percentile', 't_linear']
    """

    population: str
    dims: Sequence[str] = ()
    counts: Sequence[str] = ("n",)
    context: Sequence[str] = ()
    labels: Sequence[str] = ()
    means: Sequence[str] = ()
    sds: Mapping[str, str] = field(default_factory=dict)
    percents: Sequence[str] = ()
    stats: Sequence[str] | None = None
    total: str = "all"
    exhaustive: bool = True
    sums: Sequence[str] = ()
    values: Mapping[str, str] = field(default_factory=dict)
    of: Mapping[str, str] = field(default_factory=dict)
    shares: Mapping[str, Sequence] = field(default_factory=dict)
    scales: Mapping[str, Sequence[int]] = field(default_factory=dict)
    ranks: Mapping[str, str] = field(default_factory=dict)
    within: Mapping[str, str] = field(default_factory=dict)
    persons_add: bool = True
    measure: str | None = None
    rows: Mapping[str, str] = field(default_factory=dict)
    relations: Sequence[Sequence] = ()
    row_percents: Mapping[str, Sequence[str]] = field(default_factory=dict)

    def __post_init__(self):
        for name in ("dims", "counts", "context", "labels", "means", "percents", "sums"):
            object.__setattr__(self, name, tuple(_as_list(getattr(self, name))))
        if self.stats is not None:
            object.__setattr__(self, "stats", tuple(_as_list(self.stats)))
        for name in ("sds", "values", "of", "ranks", "within", "rows"):
            object.__setattr__(self, name, dict(getattr(self, name)))
        object.__setattr__(self, "shares", {k: tuple(v) for k, v in self.shares.items()})
        object.__setattr__(self, "scales", {k: tuple(x if isinstance(x, str) else int(x) for x in v)
                                            for k, v in self.scales.items()})
        object.__setattr__(self, "row_percents", {k: tuple(v) for k, v in self.row_percents.items()})
        object.__setattr__(self, "relations", tuple((p, tuple(_as_list(c))) for p, c in self.relations))
        problems = []
        if not self.counts:
            problems.append("a table needs at least one count column")
        unknown_means = [c for c in self.sds.values() if c not in self.means]
        if unknown_means:
            problems.append(f"sds refer to {unknown_means}, which are not in means {list(self.means)}")
        if self.percents and not self.dims:
            problems.append("percents need a dim (they are shares of the first dim's total)")
        problems += [f"of: {c!r} → {n!r}, which is not a count column" for c, n in self.of.items() if n not in self.counts]
        problems += [f"within: {c!r} is not a count column" for c in self.within if c not in self.counts]
        problems += [f"scales: {c!r} is not in means" for c in self.scales if c not in self.means]
        problems += [f"scales: {c!r} → {s}, expected (lowest, highest)" for c, s in self.scales.items()
                     if len(s) != 2 or isinstance(s[0], str) or (not isinstance(s[1], str) and s[0] >= s[1])]
        problems += [f"shares: {c!r} → {s!r}, expected (value column, low, high)" for c, s in self.shares.items()
                     if len(s) != 3]
        if self.measure is None and (self.rows or self.relations or self.row_percents):
            problems.append("rows, relations and row_percents describe a long table: name its measure column")
        if self.measure is not None:
            if self.dims:
                problems.append("a long table (measure) has no dims")
            listed = set(self.rows)
            for parent, children in self.relations:
                problems += [f"relations: {m!r} is not in rows" for m in (parent, *children) if m not in listed]
            for row, of_row in self.rows.items():
                if of_row != row and self.rows.get(of_row) != of_row:
                    problems.append(f"rows: {row!r} is a sum over {of_row!r}, which is not a count row")
            for row, pair in self.row_percents.items():
                if len(pair) != 2 or any(self.rows.get(m) != m for m in pair):
                    problems.append(f"row_percents: {row!r} → {pair!r}, expected (part, total) count rows")
        if problems:
            raise ValueError("TableSpec: " + "; ".join(problems))

    def stat_columns(self, table: pd.DataFrame, masks: Iterable[str] = ()) -> list[str]:
        """The statistic columns: ``stats``, else every column of numbers (and of ``masks``, as
        a published table has them) that is not a count, label, dim or context."""
        if self.stats is not None:
            return [c for c in self.stats if c not in self.percents]
        fixed = {*self.counts, *self.labels, *self.dims, *self.context, *self.percents, self.measure}
        return [c for c in table.columns if c not in fixed and _numbers(table[c], masks)]

    def to_dict(self) -> dict:
        """The declaration as plain data (JSON), defaults left out."""
        out = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            default = f.default_factory() if f.default_factory is not dataclasses.MISSING else f.default
            if f.name == "population" or _plain(value) != _plain(default):
                out[f.name] = _plain(value)
        return out

    @classmethod
    def from_dict(cls, data: Mapping) -> TableSpec:
        """The spec of :meth:`to_dict`.

        Examples
        --------
        >>> spec = TableSpec(population="p", dims=["g"], shares={"pct": ("mean", 4, 5)})
        >>> TableSpec.from_dict(json.loads(json.dumps(spec.to_dict()))) == spec
        True
        """
        return cls(**dict(data))

    @classmethod
    def declared(cls, table: pd.DataFrame, population: str) -> TableSpec | None:
        """The declaration a study function put in ``table.attrs["disclosure"]`` (a mapping of
        these fields; ``population`` defaults to the one given), or ``None``.

        Examples
        --------
        >>> t = pd.DataFrame({"item": ["a"], "n": [12], "mean": [3.5]})
        >>> t.attrs["disclosure"] = {"context": ["item"], "means": ["mean"], "scales": {"mean": (1, 5)}}
        >>> TableSpec.declared(t, "report/items").scales
        {'mean': (1, 5)}
        """
        declared = table.attrs.get("disclosure")
        if declared is None:
            return None
        return cls.from_dict({"population": population, **declared})


def _numbers(column: pd.Series, masks: Iterable[str]) -> bool:
    """Whether a column holds numbers (a published one: numbers and marks), not yes/no values."""
    if pd.api.types.is_bool_dtype(column):
        return False
    if pd.api.types.is_numeric_dtype(column):
        return True
    masks = set(masks)
    values = [v for v in column if not (v is None or (isinstance(v, float) and math.isnan(v)))]
    return bool(masks) and bool(values) and all(
        (isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, (bool, np.bool_))) or v in masks
        for v in values)


def _plain(value):
    """Tuples as lists, mappings as dicts: a spec's fields as JSON holds them."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    return value


def _as_list(x) -> list:
    return [x] if isinstance(x, str) else list(x)


def suppress_small_cells(table: pd.DataFrame, n_cols: list[str] | None = None, min_n: int = MIN_CELL,
                         mask: str = f"<{MIN_CELL}", labels: Sequence[str] = (), parts: Sequence[str] = (),
                         complement_mask: str = "..") -> pd.DataFrame:
    """Mask cells of a published table that rest on fewer than ``min_n`` persons.

    Rule (applied row by row; a row is one group or category of the table):

    1. every count cell (a column in ``n_cols``) with a value below ``min_n`` is replaced by
       ``mask`` — zero counts included, since "nobody" is as revealing as "one person";
    2. in a row where any count is below ``min_n``, every other *numeric* cell (means, SDs,
       percentages, scores — the statistics computed from those persons) is masked too;
    3. label columns (non-numeric, or numeric ones named in ``labels`` such as a raw score
       that identifies the row) are kept, and missing counts are left alone;
    4. ``parts``: count columns that add up to a shown count of the row (improved + not
       improved = n): when one is hidden, the others are hidden too (``complement_mask``), or
       the shown count minus them would give it away.

    No secondary suppression is done: if a masked cell can be recovered from a published
    total by subtraction, the caller must also mask a complementary cell or omit the total.
    Report tables use :class:`Disclosure`, which does both
    suppressions across all tables of a report.

    Parameters
    ----------
    table : DataFrame
        The table about to be exported.
    n_cols : list of str, optional
        Count columns. Default: columns named ``n`` or starting with ``n_``.
    min_n : int
        Smallest count that may be shown (5 by the project's rule).
    mask : str
        Text written instead of a suppressed value.
    labels : list of str
        Numeric columns that identify a row rather than describe persons (never masked).
    parts : list of str
        Count columns (among ``n_cols``) that partition another count of the row.

    Returns
    -------
    DataFrame
        A copy; masked columns become ``object`` dtype. ``attrs["hidden"]`` holds which cells
        were hidden (booleans like the table), for :meth:`analysis.report.document.Report.table`.

    Examples
    --------
    >>> t = pd.DataFrame({"group": ["a", "b"], "n": [12, 3], "mean": [6.5, 4.0]})
    >>> suppress_small_cells(t)["mean"].tolist()
    [6.5, '<5']
    >>> r = pd.DataFrame({"n": [8], "n_improved": [6], "n_not_improved": [2], "auc": [0.8]})
    >>> suppress_small_cells(r, ["n", "n_improved", "n_not_improved"], parts=["n_improved", "n_not_improved"]).values.tolist()
    [[8, '..', '<5', '<5']]
    """
    if n_cols is None:
        n_cols = [c for c in table.columns if c == "n" or str(c).startswith("n_")]
    missing = [c for c in n_cols if c not in table.columns]
    if missing:
        raise ValueError(f"suppress_small_cells: count columns {missing} not in table columns {list(table.columns)}")
    if not n_cols:
        raise ValueError("suppress_small_cells: no count column (name it 'n' or 'n_…', or pass n_cols)")
    counts = table[n_cols].apply(pd.to_numeric, errors="raise")
    small = counts.lt(min_n) & counts.notna()
    row_small = small.any(axis=1)
    stats = [c for c in table.columns
             if c not in n_cols and c not in labels and pd.api.types.is_numeric_dtype(table[c])
             and not pd.api.types.is_bool_dtype(table[c])]
    out = table.copy()
    hidden = _no_cells_hidden(table)
    for col in n_cols:
        if small[col].any():
            out[col] = out[col].astype(object).where(~small[col], mask)
            hidden[col] |= small[col]
    part_small = small[list(parts)].any(axis=1) if parts else pd.Series(False, index=table.index)
    for col in parts:
        out[col] = out[col].astype(object).where(~(part_small & ~small[col]), complement_mask)
        hidden[col] |= part_small & ~small[col]
    for col in stats:
        if row_small.any():
            out[col] = out[col].astype(object).where(~row_small, mask)
            hidden[col] |= row_small
    out.attrs["hidden"] = hidden
    return out


def _no_cells_hidden(table: pd.DataFrame) -> pd.DataFrame:
    """A mask of ``table`` (booleans like it) with the cells a masking function hid before,
    when ``table`` carries one in ``attrs["hidden"]``, else none."""
    mask = pd.DataFrame(False, index=table.index, columns=table.columns)
    before = table.attrs.get("hidden")
    if isinstance(before, pd.DataFrame) and before.shape == table.shape:
        mask |= before.to_numpy(bool)
    return mask


def mask_small_counts(report: pd.DataFrame, min_n: int = MIN_CELL, mask: str = f"<{MIN_CELL}",
                      complement_mask: str = "..") -> pd.DataFrame:
    """Mask count indicators below ``min_n`` (zero included) in an :func:`analysis.study.indicators.indicator_report`.

    In a row with ``unit == "count"`` where ``value`` or ``previous`` is below ``min_n``,
    the small one is replaced by ``mask`` and ``value``, ``previous``, ``change``, ``desired``
    and ``target_met`` otherwise by ``complement_mask`` (each would reveal the small value). Percentages and means are left as they are. A row without a unit whose
    values are whole numbers is taken for a count (it may be one; nothing says it is not).
    Which cells were hidden is in ``attrs["hidden"]`` (as :func:`suppress_small_cells`).

    Examples
    --------
    >>> r = pd.DataFrame({"unit": ["count", "percent"], "value": [4.0, 3.0], "previous": [9.0, 2.0],
    ...                   "change": [-5.0, 1.0]})
    >>> mask_small_counts(r)["value"].tolist()
    ['<5', 3.0]
    >>> mask_small_counts(r.assign(unit=[None, None], value=[4.0, 3.5]))["value"].tolist()
    ['<5', 3.5]
    """
    values = report[["value", "previous"]].apply(pd.to_numeric, errors="coerce")
    whole = values.apply(lambda c: c.isna() | (c == c.round())).all(axis=1)
    count = report["unit"].eq("count") | (report["unit"].isna() & whole)
    small = count & (values < min_n).any(axis=1)
    out = report.copy()
    hidden = _no_cells_hidden(report)
    for col in ("value", "previous", "change", "desired", "target_met"):
        if col not in out:
            continue
        own = values[col] < min_n if col in values else pd.Series(False, index=out.index)
        # a small value is "<5"; the other cells of its row are hidden with it as "..", since
        # the change, the direction and the target would give the small value away
        out[col] = out[col].astype(object).where(~small, np.where(own, mask, complement_mask))
        hidden[col] |= small
    out.attrs["hidden"] = hidden
    return out


def mask_small_groups(table: pd.DataFrame, persons: str = "persons", columns: Sequence[str] = ("value",),
                      min_n: int = MIN_CELL, mask: str = f"<{MIN_CELL}") -> pd.DataFrame:
    """Mask ``columns`` in the rows that rest on fewer than ``min_n`` persons (column
    ``persons``; a missing number means the row describes no group of persons), e.g. an
    accounting table of counts and of the visits of each group. Which cells were hidden is in
    ``attrs["hidden"]`` (as :func:`suppress_small_cells`).

    Examples
    --------
    >>> t = pd.DataFrame({"measure": ["n_a", "visits_a", "n_b"], "value": [3, 12, 40], "persons": [3, 3, 40]})
    >>> mask_small_groups(t)["value"].tolist()
    ['<5', '<5', 40]
    """
    small = pd.to_numeric(table[persons], errors="coerce").lt(min_n).fillna(False).to_numpy(bool)
    out = table.copy()
    hidden = _no_cells_hidden(table)
    for col in columns:
        out[col] = out[col].astype(object).where(~small, mask)
        hidden[col] |= small
    out.attrs["hidden"] = hidden
    return out


def shown_count(n: float, min_n: int = MIN_CELL, mask: str | None = None) -> str:
    """A count as a sentence may print it: the number, or ``<min_n`` when it is below ``min_n``.

    Examples
    --------
    >>> shown_count(12), shown_count(3), shown_count(0)
    ('12', '<5', '<5')
    """
    return (mask or f"<{min_n}") if n < min_n else str(int(n))


def collapse_small(values: pd.Series, min_n: int = MIN_CELL, other: str = "other") -> pd.Series:
    """Merge categories with fewer than ``min_n`` persons into ``other`` before tabulating.

    If the merged category is still below ``min_n`` (and other categories exist), the next
    smallest category joins it, until every category has at least ``min_n`` persons or only
    one is left. Missing values stay missing.

    Examples
    --------
    >>> g = pd.Series(["female"] * 6 + ["male"] * 7 + ["other"] * 3 + ["unknown"] * 2)
    >>> collapse_small(g, other="other/unknown").value_counts().sort_index().to_dict()
    {'female': 6, 'male': 7, 'other/unknown': 5}
    >>> collapse_small(g[:-1]).value_counts().sort_index().to_dict()    # other + unknown = 4: female joins
    {'male': 7, 'other': 10}
    """
    counts = values.value_counts()
    small = counts[counts < min_n].index.tolist()
    merged = counts[small].sum()
    rest = counts.drop(small).sort_values(kind="stable")
    while small and merged < min_n and len(rest) > 0:
        small.append(rest.index[0])
        merged += rest.iloc[0]
        rest = rest.iloc[1:]
    return values.where(~values.isin(small), other) if small else values.copy()


# ----------------------------------------------------------------------------- the model
@dataclass
class _Cell:
    """One published cell: where it is, what it shows and which count variables it rests on."""
    table: str
    row: int
    column: str
    kind: str                      # "count", "percent", "mean", "sum", "share", "sd", "stat", "derived"
    units: tuple                   # count variables; the cell is hidden when one of them is
    var: tuple | None              # its own variable (count, sum or sum of squares), if additive
    value: float | None            # true value as given (None: missing or masked)
    marker: str | None = None      # in a published table: PRIMARY or COMPLEMENT when masked
    parent: tuple | None = None    # percentages: the total they reveal; SDs: the sum of their mean
    raw: float | None = None       # the number as published (a mean, not n·mean)
    deps: tuple = ()               # derived cells: the cells (table, row, column) they follow from


@dataclass(frozen=True)
class _Relation:
    parent: tuple
    children: tuple
    slack: bool                    # an unknown non-negative rest (non-exhaustive categories)

    def coefficients(self) -> dict:
        coef = {self.parent: 1.0}
        for c in self.children:
            coef[c] = coef.get(c, 0.0) - 1.0
        if self.slack:
            coef[("rest", self.parent, self.children)] = -1.0
        return coef


@dataclass(frozen=True)
class _Distribution:
    """A row's answers on a bounded scale: its count, mean, SD and shares (cell addresses)."""
    table: str
    row: int
    unit: tuple
    mean: str
    sd: str | None
    shares: tuple                  # (column, low, high)
    scale: tuple


@dataclass(frozen=True)
class _Rank:
    table: str
    row: int
    unit: tuple
    column: str


def _number(value, masks: Mapping[str, str]) -> tuple[float | None, str | None]:
    if isinstance(value, str):
        return None, masks.get(value)
    if value is None or pd.isna(value):
        return None, None
    if isinstance(value, (bool, np.bool_)):
        return float(value), None
    return float(value), None


def _subsets(group: frozenset):
    items = sorted(group)
    for k in range(len(items) + 1):
        for sub in combinations(items, k):
            yield frozenset(sub)


def _relations(groups: Iterable[frozenset], dims: Sequence[str], var, slack: bool) -> set[_Relation]:
    """Additive relations among the groups of one table: each group = Σ its categories along a dim."""
    closure = {sub for g in groups for sub in _subsets(g)}
    out = set()
    for k in closure:
        assigned = {d for d, _ in k}
        for d in dims:
            if d in assigned:
                continue
            children = sorted((c for c in closure if k < c and len(c) == len(k) + 1 and d in {x for x, _ in c - k}),
                              key=sorted)
            if children:
                out.add(_Relation(var(k), tuple(var(c) for c in children), slack))
    return out


def _share_key(spec: TableSpec, column: str) -> str:
    source, low, high = spec.shares[column]
    return f"{spec.values.get(source, source)} in [{low:g}, {high:g}]"


def _check_columns(name: str, table: pd.DataFrame, needed: Iterable[str]) -> None:
    missing = [c for c in dict.fromkeys(needed) if c is not None and c not in table.columns]
    if missing:
        raise KeyError(f"disclosure: table {name!r} has no column(s) {missing} (columns: {list(table.columns)})")


def _parse(name: str, table: pd.DataFrame, spec: TableSpec, masks: Mapping[str, str]):
    """Cells, relations and row checks (distributions, rank statistics, nested groups) of one table."""
    if spec.measure is not None:
        return _parse_measures(name, table, spec, masks)
    stat_cols = spec.stat_columns(table, masks)
    _check_columns(name, table, [*spec.dims, *spec.counts, *spec.context, *spec.labels, *spec.means, *spec.sds,
                                 *spec.percents, *spec.sums, *spec.shares, *spec.ranks, *spec.ranks.values(),
                                 *stat_cols])
    pops = {c: spec.population if len(spec.counts) == 1 else f"{spec.population}/{c}" for c in spec.counts}
    first = spec.counts[0]
    key = lambda c: spec.values.get(c, c)                                   # noqa: E731
    sd_of = {mean: sd for sd, mean in spec.sds.items()}
    additive = {*spec.means, *spec.sds, *spec.sums, *spec.shares}
    cells, groups, stat_groups = [], {}, {}
    dists, ranks, nested = [], [], []
    for i, row in enumerate(table.itertuples(index=False)):
        row = dict(zip(table.columns, row))
        ctx = tuple(str(row[c]) for c in spec.context)
        group = frozenset((d, str(row[d])) for d in spec.dims if str(row[d]) != spec.total)
        labels = tuple(str(row[c]) for c in spec.labels)
        units = {c: ("n", pops[c], ctx, group) for c in spec.counts}
        row_units = tuple(units.values())
        ns = {c: _number(row[c], masks) for c in spec.counts}
        base = lambda c: spec.of.get(c, first)                              # noqa: E731
        rests = lambda c: (units[spec.of[c]],) if c in spec.of else row_units  # noqa: E731
        for c in spec.counts:
            value, marker = ns[c]
            if isinstance(row[c], str) and marker is None:
                raise ValueError(f"disclosure: table {name!r}, row {i}, count column {c!r} holds the text "
                                 f"{row[c]!r}; give the unsuppressed counts (numbers)")
            cells.append(_Cell(name, i, c, "count", (units[c],), units[c], value, marker))
            groups.setdefault((pops[c], ctx), set()).add(group)
        for c in [*spec.means, *spec.sds, *spec.shares]:
            b = base(spec.sds.get(c, c))
            if ns[b][0] is None and ns[b][1] is None and _number(row[c], masks)[0] is not None:
                raise ValueError(f"disclosure: table {name!r}, row {i}: {c!r} is shown without its count {b!r}; "
                                 "show the count too (a mean without n is not additive), or drop the statistic")
        for c in [*spec.means, *spec.sums, *spec.shares]:
            b = base(c)
            n = ns[b][0]
            x, marker = _number(row[c], masks)
            if c in spec.means:
                kind, k, value = "mean", key(c), None if x is None or n is None else x * n
            elif c in spec.sums:
                kind, k, value = "sum", key(c), x
            else:
                kind, k, value = "share", _share_key(spec, c), None if x is None or n is None else x * n / 100
            cells.append(_Cell(name, i, c, kind, rests(c), ("S", units[b], k, labels), value, marker, raw=x))
            stat_groups.setdefault((pops[b], ctx, "S", k, labels), set()).add(group)
        for c, mean_col in spec.sds.items():
            b = spec.of.get(c, base(mean_col))
            n = ns[b][0]
            s, marker = _number(row[c], masks)
            m, _ = _number(row[mean_col], masks)
            value = None if None in (s, m, n) else (n - 1) * s * s + n * m * m
            unit = units[b]
            cells.append(_Cell(name, i, c, "sd", rests(c) if c in spec.of else rests(mean_col),
                               ("SS", unit, key(mean_col), labels), value, marker, ("S", unit, key(mean_col), labels),
                               raw=s))
            stat_groups.setdefault((pops[b], ctx, "SS", key(mean_col), labels), set()).add(group)
        d = spec.dims[0] if spec.dims else None
        for c in spec.percents:
            p, marker = _number(row[c], masks)
            parent = None
            if d in dict(group):
                parent = ("n", pops[first], ctx, group - {(d, dict(group)[d])})
            cells.append(_Cell(name, i, c, "percent", (units[first],), None, p, marker, parent, raw=p))
        for c in stat_cols:
            if c in additive:
                continue
            value, marker = _number(row[c], masks)
            cells.append(_Cell(name, i, c, "stat", rests(c), None, value, marker, raw=value))
        for c, (low, high) in spec.scales.items():
            shares = tuple((s, lo, hi) for s, (src, lo, hi) in spec.shares.items() if src == c)
            if isinstance(high, str):           # bounded by a number of the row (a total)
                high = _number(row[high], masks)[0]
                if high is None or not 0 < high - low < MAX_SOLVER_ANSWERS:
                    continue
            dists.append(_Distribution(name, i, units[base(c)], c, sd_of.get(c), shares, (low, int(high))))
        ranks += [_Rank(name, i, units[base(c)], c) for c in spec.ranks]
        nested += [(units[c], ("n", parent, ctx, group)) for c, parent in spec.within.items()]
    relations = set()
    if spec.persons_add:
        for (pop, ctx), gs in groups.items():
            relations |= _relations(gs, spec.dims, lambda g, p=pop, x=ctx: ("n", p, x, g), not spec.exhaustive)
    for (pop, ctx, kind, k, labels), gs in stat_groups.items():
        if not spec.persons_add and (kind == "SS" or k not in {key(c) for c in (*spec.means, *spec.sums)}):
            continue           # persons in several categories: only sums of the value add up
        relations |= _relations(gs, spec.dims,
                                lambda g, p=pop, x=ctx, c=k, l=labels, kd=kind: (kd, ("n", p, x, g), c, l),
                                not spec.exhaustive)
    return cells, relations, (dists, ranks, nested)


def _parse_measures(name: str, table: pd.DataFrame, spec: TableSpec, masks: Mapping[str, str]):
    """A long table: each row listed in ``spec.rows`` is a count or a sum in every count column."""
    stat_cols = [c for c in spec.stat_columns(table, masks) if c not in spec.counts]
    _check_columns(name, table, [spec.measure, *spec.counts, *spec.context, *stat_cols])
    pops = {c: spec.population if len(spec.counts) == 1 else f"{spec.population}/{c}" for c in spec.counts}
    count = lambda c, m: ("n", pops[c], (m,), frozenset())                  # noqa: E731
    var = lambda c, m: count(c, m) if spec.rows[m] == m else ("S", count(c, spec.rows[m]), m, ())  # noqa: E731
    cells = []
    for i, row in enumerate(table.itertuples(index=False)):
        row = dict(zip(table.columns, row))
        m = str(row[spec.measure])
        own = []
        if m in spec.rows:
            for c in spec.counts:
                value, marker = _number(row[c], masks)
                if isinstance(row[c], str) and marker is None:
                    raise ValueError(f"disclosure: table {name!r}, row {i} ({m}), column {c!r} holds the text "
                                     f"{row[c]!r}; give the unsuppressed numbers")
                v = var(c, m)
                cells.append(_Cell(name, i, c, "count" if v[0] == "n" else "sum", (count(c, spec.rows[m]),), v,
                                   value, marker, raw=value))
                own.append((name, i, c))
        elif m in spec.row_percents:
            part, total = spec.row_percents[m]
            for c in spec.counts:
                p, marker = _number(row[c], masks)
                cells.append(_Cell(name, i, c, "percent", (count(c, part),), None, p, marker, count(c, total), raw=p))
                own.append((name, i, c))
        else:
            continue
        for c in stat_cols:
            value, marker = _number(row[c], masks)
            cells.append(_Cell(name, i, c, "derived", (), None, value, marker, raw=value, deps=tuple(own)))
    relations = set()
    for parent, children in spec.relations:
        kinds = {spec.rows[m] == m for m in (parent, *children)}
        if len(kinds) > 1:
            raise ValueError(f"disclosure: table {name!r}: relation {parent!r} = {' + '.join(children)} mixes counts "
                             "and sums")
        for c in spec.counts:
            relations.add(_Relation(var(c, parent), tuple(var(c, ch) for ch in children), False))
    return cells, relations, ([], [], [])


def _order(x) -> str:
    """A sort key independent of hash order (groups are frozensets)."""
    if isinstance(x, frozenset):
        return repr(sorted(map(_order, x)))
    if isinstance(x, tuple):
        return repr(tuple(map(_order, x)))
    return repr(x)


def _group_text(var: tuple) -> str:
    unit = var if var[0] == "n" else var[1]
    _, pop, ctx, group = unit
    parts = [pop, *ctx, *(f"{d}={v}" for d, v in sorted(group))]
    return ", ".join(parts) if group else ", ".join([*parts, "all"])


class _Model:
    """All cells and relations of the tables registered so far."""

    def __init__(self, entries, masks):
        self.cells: list[_Cell] = []
        relations: set[_Relation] = set()
        self.dists: list[_Distribution] = []
        self.ranks: list[_Rank] = []
        nested: list[tuple] = []
        #: where each variable first appears (table, row, column numbers): the tie-break when
        #: choosing between equal counts, so that the choice never depends on label text (a
        #: report in two languages must hide the same cells)
        self.position: dict[tuple, tuple[int, int, int]] = {}
        self.raw: dict[tuple[str, int, str], object] = {}
        for t, (name, table, spec) in enumerate(entries):
            cells, found, (dists, ranks, inside) = _parse(name, table, spec, masks)
            self.cells += cells
            relations |= found
            self.dists += dists
            self.ranks += ranks
            nested += inside
            for cell in cells:
                for v in (cell.var, *cell.units):
                    if v is not None:
                        self.position.setdefault(v, (t, cell.row, table.columns.get_loc(cell.column)))
        self.cell_at = {(c.table, c.row, c.column): c for c in self.cells}
        # groups by difference: parent = child + (parent − child), for every sum both describe
        sums = {v for c in self.cells for v in (c.var, c.parent) if v is not None and v[0] in ("S", "SS")}
        by_unit: dict[tuple, list] = {}
        for v in sums:
            by_unit.setdefault(v[1], []).append(v)
        self.residuals: dict[tuple, tuple] = {}
        for child, parent in nested:
            rest = ("n", f"{parent[1]} − {child[1]}", parent[2], parent[3])
            self.residuals[rest] = (parent, child)
            for v in by_unit.get(child, []):
                if (v[0], parent, *v[2:]) in sums:
                    relations.add(_Relation((v[0], parent, *v[2:]), (v, (v[0], rest, *v[2:])), False))
        self.relations = sorted(relations, key=lambda r: (min(self.position.get(v, ()) for v in r.coefficients()),
                                                          _order(r)))
        self.values: dict[tuple, float] = {}
        for cell in self.cells:
            if cell.var is None or cell.value is None:
                continue
            old = self.values.setdefault(cell.var, cell.value)
            if not math.isclose(old, cell.value, rel_tol=1e-9, abs_tol=1e-9):
                raise ValueError(f"disclosure: {_group_text(cell.var)} has {cell.kind} {old:g} in one place and "
                                 f"{cell.value:g} in table {cell.table!r} (row {cell.row}, column {cell.column!r}); "
                                 "tables sharing a population must agree")
        self.residual_n = {rest: self.values[p] - self.values[c] for rest, (p, c) in self.residuals.items()
                           if p in self.values and c in self.values}
        self.percents = [c for c in self.cells if c.kind == "percent" and c.parent is not None and c.value]
        self._components: dict[tuple, tuple] = {}
        self.by_var: dict[tuple, list[_Relation]] = {}
        for r in self.relations:
            for v in r.coefficients():
                self.by_var.setdefault(v, []).append(r)
        self._check_sums()

    def n_of(self, unit: tuple) -> float | None:
        """The size of a group (a difference group's too), when known."""
        return self.residual_n.get(unit, self.values.get(unit))

    def _check_sums(self):
        for r in self.relations:
            coef = r.coefficients()
            if r.slack or any(v not in self.values for v in coef):
                continue
            residual = sum(c * self.values[v] for v, c in coef.items())
            if abs(residual) > 1e-6 * max(1.0, abs(self.values[r.parent])):
                raise ValueError(
                    f"disclosure: {_group_text(r.parent)} is {self.values[r.parent]:g} but its categories "
                    f"({'; '.join(_group_text(c) for c in r.children)}) add up to "
                    f"{self.values[r.parent] - residual:g}; declare exhaustive=False if some persons have no "
                    "category, persons_add=False if a person may be in several, or do not declare a weighted "
                    "statistic in means/sds")

    def component(self, var: tuple) -> tuple[tuple, tuple]:
        """Variables and relations connected to ``var`` (counts with counts, sums with sums)."""
        if var not in self._components:
            variables, relations = self._connected(var)
            for v in variables:
                self._components[v] = variables, relations
        return self._components[var]

    def _connected(self, var: tuple) -> tuple[tuple, tuple]:
        seen, todo, rels = {var}, [var], set()
        while todo:
            v = todo.pop()
            for r in self.by_var.get(v, []):
                if r in rels:
                    continue
                rels.add(r)
                for w in r.coefficients():
                    if w not in seen:
                        seen.add(w)
                        todo.append(w)
        return tuple(sorted(seen, key=_order)), tuple(sorted(rels, key=_order))


# ----------------------------------------------------------------------------- attacks
def _ceil(x: float) -> float:
    return x if math.isinf(x) else math.ceil(x - _TOL)


def _floor(x: float) -> float:
    return x if math.isinf(x) else math.floor(x + _TOL)


def _count_interval(target, variables, relations, known: Mapping, bounds: Mapping) -> tuple[float, float]:
    """Smallest and largest value of ``target`` given the relations, known values and bounds (LP)."""
    unknown = [v for v in variables if v not in known]
    index = {v: i for i, v in enumerate(unknown)}
    rows, rhs = [], []
    for r in relations:
        row, b = np.zeros(len(unknown)), 0.0
        for v, c in r.coefficients().items():
            if v in index:
                row[index[v]] += c
            else:
                b -= c * known[v]
        if row.any():                   # a relation of known values only tells nothing new
            rows.append(row)
            rhs.append(b)
    bnds = [bounds.get(v, (0, None)) for v in unknown]
    out = []
    for sign in (1.0, -1.0):
        c = np.zeros(len(unknown))
        c[index[target]] = sign
        res = linprog(c, A_eq=np.array(rows) if rows else None, b_eq=np.array(rhs) if rows else None,
                      bounds=bnds, method="highs")
        if res.status == 3:
            out.append(math.inf)
        elif res.status != 0:
            raise ValueError(f"disclosure: the relations of {_group_text(target)} have no solution ({res.message}); "
                             "check the table specs (exhaustive, populations)")
        else:
            out.append(sign * res.fun)
    return out[0], out[1]


def _propagate(relations, interval: dict) -> dict:
    """Tighten whole-number intervals {variable: (lo, hi)} through the relations until nothing
    changes (interval constraint propagation: each member lies within what the others leave)."""
    interval = dict(interval)
    coefs = [r.coefficients() for r in relations]
    for _ in range(100):
        tightened = False
        for coef in coefs:
            # k·v = −Σ kw·w over the others: sums of the terms' extremes, infinite ones counted apart
            terms = {w: sorted((kw * interval[w][0], kw * interval[w][1])) for w, kw in coef.items()}
            low = [sum(t[0] for t in terms.values() if not math.isinf(t[0])), sum(math.isinf(t[0]) for t in terms.values())]
            high = [sum(t[1] for t in terms.values() if not math.isinf(t[1])), sum(math.isinf(t[1]) for t in terms.values())]
            for v, k in coef.items():
                t_lo, t_hi = terms[v]
                others_lo = -math.inf if low[1] - math.isinf(t_lo) else low[0] - (0 if math.isinf(t_lo) else t_lo)
                others_hi = math.inf if high[1] - math.isinf(t_hi) else high[0] - (0 if math.isinf(t_hi) else t_hi)
                lo, hi = sorted((-others_hi / k, -others_lo / k))
                new = (max(interval[v][0], _ceil(lo)), min(interval[v][1], _floor(hi)))
                if new != interval[v]:
                    interval[v], tightened = new, True
        if not tightened:
            break
    return interval


def _solve(variables, relations, known: Mapping) -> dict:
    """The unknown variables that the linear relations fix to one value, with their values: those
    whose row of the null space of the relations' matrix is zero (Gaussian elimination)."""
    unknown = [v for v in variables if v not in known]
    index = {v: i for i, v in enumerate(unknown)}
    a, b = np.zeros((len(relations), len(unknown))), np.zeros(len(relations))
    for i, r in enumerate(relations):
        for v, c in r.coefficients().items():
            if v in index:
                a[i, index[v]] += c
            else:
                b[i] -= c * known[v]
    if not unknown or not relations:
        return {}
    basis = null_space(a)
    solution = np.linalg.lstsq(a, b, rcond=None)[0]
    return {v: float(solution[i]) for v, i in index.items() if np.abs(basis[i]).max(initial=0.0) < 1e-9}



# ----------------------------------------------------------------------------- reading answers back
def _decimals(x: float) -> int:
    """Decimals of a number as written in the shortest round-trip form (``2.35`` → 2)."""
    text = repr(float(x))
    if "e" in text:
        mantissa, exponent = text.split("e")
        return max(0, (len(mantissa.split(".")[1]) if "." in mantissa else 0) - int(exponent))
    return len(text.split(".")[1]) if "." in text else 0


def _tolerance(x: float, decimals: int | None) -> float:
    """Half a unit of the last printed decimal (``decimals=None``: the number is exact)."""
    half = 0.5 * 10.0 ** -decimals if decimals is not None else 0.0
    return half + 1e-9 * max(1.0, abs(x))


def distribution_solutions(n: int, mean: float | None, sd: float | None, scale: Sequence[int],
                           shares: Iterable[Sequence] = (), decimals: int | None | str = "auto",
                           limit: int = 1000) -> np.ndarray:
    """Every answer distribution of ``n`` persons on a bounded integer scale consistent with a
    published mean, SD (n − 1) and percentages of persons in answer ranges — what a reader
    can solve for.

    Parameters
    ----------
    n : int
        Persons answering.
    mean, sd : float or None
        As published (``None``: not published).
    scale : (int, int)
        Lowest and highest answer (``(1, 5)``, ``(0, 10)``).
    shares : iterable of (low, high, percent)
        Percent of the ``n`` persons whose answer lies in ``low…high`` (``(4, 5, 85.7)``).
    decimals : int, None, ``"printed"`` or ``"auto"``
        How the numbers were rounded: ``int``, to that many decimals; ``None``, exact;
        ``"printed"``, each to the decimals it is written with (``2.35``: ±0.005); ``"auto"``
        (default), exact and, when that has no solution, as printed.
    limit : int
        Stop after this many solutions.

    Returns
    -------
    ndarray
        One row per solution: the number of persons at each answer (lowest first).

    Method
    ------
    Dynamic programming over the answers in order, the state being (persons so far, their
    sum, their sum of squares, persons in each share's range); a state is kept only when the
    remaining persons can still reach the published sum and sum of squares (for a fixed sum
    over answers in ``[u, w]`` the sum of squares lies between ``s²/r`` and
    ``s·(u + w) − r·u·w``). Solutions are read back from the last state through the earlier
    ones, so only real solutions are enumerated. Feasible for n up to about 60 on 5–11 answers.

    Examples
    --------
    Seven persons, mean 3.571, SD 1.134 and 85.7 % agreeing (4–5): six answered 4, one 1.

    >>> distribution_solutions(7, 3.571, 1.134, (1, 5), [(4, 5, 85.7)]).tolist()
    [[1, 0, 0, 6, 0]]
    >>> len(distribution_solutions(7, 3.571, None, (1, 5), [(4, 5, 85.7)]))      # SD dropped: still one
    1
    >>> len(distribution_solutions(7, None, None, (1, 5), [(4, 5, 85.7)]))       # mean dropped too
    21
    """
    if decimals == "auto":
        shares = [tuple(s) for s in shares]
        found = distribution_solutions(n, mean, sd, scale, shares, None, limit)
        return found if len(found) else distribution_solutions(n, mean, sd, scale, shares, "printed", limit)
    tol = lambda x: _tolerance(x, _decimals(x) if decimals == "printed" else decimals)    # noqa: E731
    lo, hi = int(scale[0]), int(scale[1])
    k_cats = hi - lo + 1
    none = np.zeros((0, k_cats), np.int64)
    n = int(n)
    if n < 1:
        return none
    # the published numbers as ranges of whole-number totals (answers shifted to 0 … k − 1)
    s0, s1 = 0, n * (k_cats - 1)
    if mean is not None:
        t = tol(mean)
        s0 = max(s0, math.ceil(n * (mean - t - lo) - 1e-9))
        s1 = min(s1, math.floor(n * (mean + t - lo) + 1e-9))
    q0, q1 = 0, n * (k_cats - 1) ** 2
    if sd is not None:
        if n < 2:
            return none
        t = tol(sd)
        a, b = max(sd - t, 0.0), sd + t
        q0 = max(q0, math.ceil((n - 1) * a * a + min(s * s for s in (s0, s1)) / n - 1e-9) if s0 <= s1 else 0)
        q1 = min(q1, math.floor((n - 1) * b * b + s1 * s1 / n + 1e-9))
    ranges = []
    for low, high, pct in shares:
        t = tol(pct)
        ranges.append((int(low) - lo, int(high) - lo, max(0, math.ceil(n * (pct - t) / 100 - 1e-9)),
                       min(n, math.floor(n * (pct + t) / 100 + 1e-9))))
    if s0 > s1 or q0 > q1 or any(k0 > k1 for *_, k0, k1 in ranges):
        return none
    track_s, track_q = mean is not None or sd is not None, sd is not None
    radix = [n + 1, s1 + 1, q1 + 1] + [k1 + 1 for *_, k1 in ranges]

    def encode(states):
        key = np.zeros(len(states), np.int64)
        for col, r in enumerate(radix):
            key = key * r + states[:, col]
        return key

    def step(j):
        return np.array([1, j * track_s, j * j * track_q] + [int(a <= j <= b) for a, b, _, _ in ranges], np.int64)

    states = np.zeros((1, 3 + len(ranges)), np.int64)
    layers = [states]
    for j in range(k_cats):
        u, w = j + 1, k_cats - 1
        grown = []
        for c in range(n + 1):
            alive = states[:, 0] + c <= n if j < k_cats - 1 else states[:, 0] + c == n
            if not alive.any():
                if j < k_cats - 1:
                    break
                continue
            e = states[alive] + c * step(j)
            r = n - e[:, 0]
            ok = np.ones(len(e), bool)
            if track_s:
                d_lo, d_hi = np.maximum(s0 - e[:, 1], r * u), np.minimum(s1 - e[:, 1], r * w)
                ok &= d_lo <= d_hi
                if track_q:
                    need = np.where(r > 0, np.maximum(d_lo, 0) ** 2 / np.maximum(r, 1), 0.0)
                    can = np.where(r > 0, d_hi * (u + w) - r * u * w, 0)
                    ok &= (q1 - e[:, 2] >= need - 1e-9) & (q0 - e[:, 2] <= can)
            for i, (a, b, k0, k1) in enumerate(ranges):
                room = r if b >= max(a, u) else 0
                ok &= (e[:, 3 + i] <= k1) & (e[:, 3 + i] + room >= k0)
            if ok.any():
                grown.append(e[ok])
        if not grown:
            return none
        grown = np.concatenate(grown)
        states = grown[np.unique(encode(grown), return_index=True)[1]]
        layers.append(states)
    if track_q:        # the SD as published for the state's own sum
        t = tol(sd)
        s = states[:, 1].astype(float)
        var = (states[:, 2] - s * s / n) / (n - 1)
        states = states[np.abs(np.sqrt(np.maximum(var, 0.0)) - sd) <= t]
    # read the solutions back: a state before answer j is any earlier state the step can come from
    known = [set(encode(layer).tolist()) for layer in layers]
    found: list[list[int]] = []

    def back(state, j, tail):
        if len(found) >= limit:
            return
        if j < 0:
            found.append(tail[::-1])
            return
        for c in range(int(state[0]) + 1):
            prev = state - c * step(j)
            if (prev >= 0).all() and int(encode(prev[None, :])[0]) in known[j]:
                back(prev, j - 1, tail + [c])

    for state in states:
        back(state, k_cats - 1, [])
    return np.array(found, np.int64).reshape(-1, k_cats)


@lru_cache(maxsize=64)
def _sign_test_table(n: int) -> np.ndarray:
    """Two-sided exact sign-test p of ``up`` increases among ``m`` changes, for m, up ≤ n."""
    m = np.arange(n + 1)[:, None]
    up = np.arange(n + 1)[None, :]
    p = np.minimum(1.0, 2 * _stats.binom.cdf(np.minimum(up, m - up), m, 0.5))
    return np.where(up <= m, p, np.nan)


def sign_test_solutions(n: int, p: float, decimals: int | None = None) -> list[tuple[int, int]]:
    """Every (up, down) — persons whose value rose and fell, among ``n`` — whose exact
    two-sided sign test gives the published ``p`` (either way round: a signed effect size next
    to it tells a reader which).

    Examples
    --------
    >>> sign_test_solutions(12, 0.0386)[:2], sign_test_solutions(12, 0.0386, decimals=4)[:2]
    ([], [(2, 10), (10, 2)])
    """
    table = _sign_test_table(int(n))
    t = _tolerance(p, decimals) if decimals is not None else 1e-7 * max(abs(p), 1e-12)
    m, up = np.nonzero(np.abs(table - p) <= t)
    keep = m > 0
    return sorted({(int(u), int(mm - u)) for mm, u in zip(m[keep], up[keep])})


# ----------------------------------------------------------------------------- protection
class Disclosure:
    """Disclosure control of one report: register each table, show what it returns.

    Parameters
    ----------
    min_n : int
        Smallest count that may be shown (5 by the project's rule).
    mask : str, optional
        Shown for a hidden small count and its statistics; default ``"<{min_n}"``.
    complement_mask : str
        Shown for a count (or statistic) hidden only to protect a small one, and for a
        statistic hidden by the rest of the policy (a group under ``min_statistic_n``, a share of
        a few persons, a distribution a reader could solve for).
    policy : Policy, optional
        The small-group rule; overrides ``min_n`` and ``min_statistic_n``.
    min_statistic_n : int, optional
        Smallest group whose other statistics are shown (default :data:`MIN_STATISTIC_N`, or
        ``min_n`` when that is larger).

    Examples
    --------
    >>> import pandas as pd
    >>> d = Disclosure()
    >>> rci = pd.DataFrame({"rci_class": ["improved", "unchanged", "deteriorated", "all"],
    ...                     "n": [5, 25, 1, 31], "pct": [16.1, 80.6, 3.2, 100.0]})
    >>> shown = d.protect("rci", rci, TableSpec(population="pilot", dims=["rci_class"], percents=["pct"]))
    >>> shown[["n", "pct"]].values.tolist()
    [[5, 16.1], ['..', '..'], ['<5', '<5'], [31, 100.0]]
    >>> d.hidden[["column", "group", "reason"]].values.tolist()[:2]
    [['n', 'pilot, rci_class=unchanged', 'complement'], ['pct', 'pilot, rci_class=unchanged', 'complement']]
    """

    def __init__(self, min_n: int = MIN_CELL, mask: str | None = None, complement_mask: str = "..", *,
                 policy: Policy | None = None, min_statistic_n: int | None = None):
        if policy is not None:
            min_n, min_statistic_n = policy.min_count, policy.min_statistic_n
        if min_n < 1:
            raise ValueError(f"Disclosure: min_n must be at least 1, got {min_n}")
        self.min_n = min_n
        self.min_statistic_n = max(min_n, MIN_STATISTIC_N if min_statistic_n is None else min_statistic_n)
        self.policy = policy or Policy(min_n, self.min_statistic_n, overridden=("min_count", "min_statistic_n"))
        self.mask = mask or f"<{min_n}"
        self.complement_mask = complement_mask
        if self.mask == complement_mask:
            raise ValueError("Disclosure: mask and complement_mask must differ (they mean different things)")
        self._tables: dict[str, tuple[pd.DataFrame, TableSpec]] = {}
        self._hidden: dict[tuple, str] = {}            # hidden count variable → PRIMARY / COMPLEMENT
        self._done: dict[tuple, tuple] = {}            # component → its state when last protected
        self._stat_hidden: dict[tuple, str] = {}       # group whose statistics are hidden → reason
        self._cell_hidden: dict[tuple, str] = {}       # (table, row, column) hidden by a row check → reason
        self._checked: dict[tuple, tuple] = {}         # row check → what it was checked with
        self._model = _Model([], {})

    def protect(self, name: str, table: pd.DataFrame, spec: TableSpec) -> pd.DataFrame:
        """Register ``table`` under ``name`` and return it as it may be shown.

        Hidden cells are replaced by the masks (their columns become ``object``). Cells of
        earlier tables may become hidden too (see :attr:`tables`); a hidden cell becomes
        visible again only when a reader can compute it exactly from what is shown.
        """
        if name in self._tables:
            raise ValueError(f"Disclosure: table {name!r} registered twice")
        tables = {**self._tables, name: (table.reset_index(drop=True), spec)}
        self._model = _Model([(n, t, s) for n, (t, s) in tables.items()], {})
        self._tables = tables
        self._suppress()
        return self.shown(name)

    def shown(self, name: str) -> pd.DataFrame:
        """Table ``name`` as it may be shown now."""
        if name not in self._tables:
            raise KeyError(f"Disclosure: no table {name!r} (tables: {list(self._tables)})")
        out = self._tables[name][0].copy()
        for cell in self._model.cells:
            reason = self._reason(cell) if cell.table == name else None
            if reason:
                if out[cell.column].dtype != object:
                    out[cell.column] = out[cell.column].astype(object)
                out.iat[cell.row, out.columns.get_loc(cell.column)] = \
                    self.mask if reason == PRIMARY else self.complement_mask
        return out

    def hidden_mask(self, name: str) -> pd.DataFrame:
        """Which cells :meth:`shown` hides in table ``name``: booleans shaped like the table.

        Examples
        --------
        >>> d = Disclosure()
        >>> _ = d.protect("g", pd.DataFrame({"g": ["a", "b", "all"], "n": [3, 9, 12]}), TableSpec(population="p", dims=["g"]))
        >>> d.hidden_mask("g")["n"].tolist()
        [True, True, False]
        """
        if name not in self._tables:
            raise KeyError(f"Disclosure: no table {name!r} (tables: {list(self._tables)})")
        table = self._tables[name][0]
        mask = pd.DataFrame(False, index=table.index, columns=table.columns)
        for cell in self._model.cells:
            if cell.table == name and self._reason(cell):
                mask.iat[cell.row, mask.columns.get_loc(cell.column)] = True
        return mask

    @property
    def tables(self) -> dict[str, pd.DataFrame]:
        """Every registered table as it may be shown, in registration order."""
        return {name: self.shown(name) for name in self._tables}

    @property
    def specs(self) -> dict[str, TableSpec]:
        """The spec of every registered table (for :func:`audit`)."""
        return {name: spec for name, (_, spec) in self._tables.items()}

    @property
    def hidden(self) -> pd.DataFrame:
        """One row per hidden cell: ``table, row, column, group, reason, value``.

        For the analyst only: ``value`` is the hidden number. ``reason`` is ``primary`` (the
        group has fewer than ``min_n`` persons) or ``complement`` (hidden to protect one);
        ``group`` is empty for a cell derived from others (a long table's change between two
        periods: hidden with the count it follows from).
        """
        rows = [(c.table, c.row, c.column, _group_text(c.units[0] if c.units else c.var) if c.units or c.var else "",
                 reason,
                 self._tables[c.table][0].at[c.row, c.column])
                for c in self._model.cells if (reason := self._reason(c))]
        return pd.DataFrame(rows, columns=["table", "row", "column", "group", "reason", "value"])

    def check_text(self, text: str) -> pd.DataFrame:
        """Numbers in ``text`` equal to a hidden value: whole numbers against hidden counts,
        decimals against hidden statistics at the printed precision (``3,5`` and ``3.5`` both
        read). One row per finding; an empty table means the text prints no hidden value.

        Examples
        --------
        >>> d = Disclosure()
        >>> _ = d.protect("g", pd.DataFrame({"gender": ["f", "m", "x", "all"], "n": [504, 393, 3, 900]}),
        ...               TableSpec(population="p", dims=["gender"]))
        >>> d.check_text("Of 900 respondents 504 were women and 393 men.")[["number", "reason"]].values.tolist()
        [['393', 'complement']]
        """
        hidden = self.hidden
        hidden = hidden[hidden["value"].map(lambda v: isinstance(v, (int, float, np.number)) and not pd.isna(v))]
        is_count = [c in self._tables[t][1].counts for t, c in zip(hidden["table"], hidden["column"])]
        found = []
        for m in re.finditer(r"(?<![\d.,])\d+(?:[.,](\d+))?(?!\d)", text):
            number, decimals = float(m[0].replace(",", ".")), len(m[1] or "")
            for cell, count in zip(hidden.itertuples(index=False), is_count):
                # whole numbers are compared with counts, decimals with statistics at the printed precision
                if count == (decimals == 0) and round(float(cell.value), decimals) == number:
                    found.append((m[0], m.start(), cell.table, cell.column, cell.group, cell.reason))
        return pd.DataFrame(found, columns=["number", "position", "table", "column", "group", "reason"])

    # -- internals
    def _reason(self, cell: _Cell) -> str | None:
        """Why ``cell`` is hidden, or None when it is shown: a count when its group is hidden, any
        other cell when one of the groups it rests on is (PRIMARY / COMPLEMENT); a statistic also
        when its group is under ``min_statistic_n`` (STATISTIC), its group's statistics are hidden
        to protect another's, or a row check hid it (``share``, ``rank``, ``distribution``); a
        derived cell when one it follows from is hidden."""
        reasons = {self._hidden.get(u) for u in cell.units} - {None}
        if reasons:
            return PRIMARY if PRIMARY in reasons else COMPLEMENT
        if cell.kind in ("count", "percent"):
            return None
        if cell.kind == "derived":
            return COMPLEMENT if any(self._reason(self._model.cell_at[d]) for d in cell.deps) else None
        own = self._cell_hidden.get((cell.table, cell.row, cell.column))
        if own:
            return own
        if any(u in self._stat_hidden for u in cell.units):
            return COMPLEMENT
        if any((n := self._model.n_of(u)) is not None and n < self.min_statistic_n for u in cell.units):
            return STATISTIC
        return None

    def _suppress(self):
        for var, value in self._model.values.items():
            if var[0] == "n" and value < self.min_n:
                self._hidden[var] = PRIMARY
        components: dict[tuple, list] = {}
        for var in sorted((v for v, r in self._hidden.items() if r == PRIMARY),
                          key=lambda v: (self._model.position.get(v, ()), _order(v))):
            components.setdefault(tuple(self._model.component(var)[0]), []).append(var)
        for variables, primaries in components.items():
            # what the component's protection depends on: its relations, values, hidden cells, percentages
            state = lambda: (frozenset((v, self._hidden.get(v), self._model.values.get(v)) for v in variables),
                             frozenset(self._known(variables)))
            key = self._model.component(primaries[0])
            if self._done.get(key) != state():       # changed since the last table
                self._protect_component(primaries)
                self._show_computable(primaries)
                self._done[key] = state()
        self._check_shares_and_ranks()
        self._protect_sums()
        if self._coarsen():
            self._protect_sums()

    # statistics
    def _published(self, cell: _Cell) -> float | None:
        """The number ``cell`` shows (None when hidden or missing)."""
        return None if cell.raw is None or self._reason(cell) else cell.raw

    def _check_shares_and_ranks(self):
        """Hide a share resting on 1 … min_n − 1 persons (or leaving that few outside), and a
        sign-test p that pins the persons who changed either way to 1 … min_n − 1."""
        small = lambda k: 1 <= k <= self.min_n - 1                  # noqa: E731
        for cell in self._model.cells:
            if cell.kind != "share" or cell.value is None or self._reason(cell):
                continue
            n, k = self._model.n_of(cell.units[0]), round(cell.value)
            if n is not None and (small(k) or small(n - k)):
                self._cell_hidden[(cell.table, cell.row, cell.column)] = "share"
        for rank in self._model.ranks:
            cell = self._model.cell_at.get((rank.table, rank.row, rank.column))
            n, p = self._model.n_of(rank.unit), self._published(cell) if cell else None
            if n is None or p is None:
                continue
            found = sign_test_solutions(int(n), p)
            if found and all(small(min(up, down)) for up, down in found):
                self._cell_hidden[(rank.table, rank.row, rank.column)] = "rank"

    def _coarsen(self) -> bool:
        """Drop the SD, then the mean, then the shares of a row whose answer distribution a reader
        could solve for (:func:`distribution_solutions` has one solution). True if any was hidden."""
        changed = False
        for d in self._model.dists:
            n = self._model.n_of(d.unit)
            if n is None or not 1 <= n <= MAX_SOLVER_N:
                continue
            order = [c for c in (d.sd, d.mean, *(s for s, _, _ in d.shares)) if c is not None]
            while True:
                shown = {c: self._published(self._model.cell_at[(d.table, d.row, c)]) for c in order}
                if all(v is None for v in shown.values()):
                    break
                state = tuple(shown.items())
                if self._checked.get(d) == state:
                    break
                found = distribution_solutions(int(n), shown[d.mean], shown[d.sd] if d.sd else None, d.scale,
                                               [(lo, hi, shown[s]) for s, lo, hi in d.shares if shown[s] is not None],
                                               limit=2)
                if len(found) != 1:
                    self._checked[d] = state
                    break
                drop = next(c for c in order if shown[c] is not None)
                self._cell_hidden[(d.table, d.row, drop)] = "distribution"
                changed = True
        return changed

    def _sums_known(self) -> dict[tuple, float]:
        """Sums and sums of squares a reader reads from the shown means, totals, shares and SDs."""
        return {c.var: self._model.values[c.var] for c in self._model.cells
                if c.kind in ("mean", "sum", "share", "sd") and c.var in self._model.values and self._reason(c) is None}

    def _sensitive(self) -> set[tuple]:
        """Sums that must not be pinned: of a group under ``min_statistic_n`` (a difference group
        too) or whose count is hidden as small, and those a row check hid."""
        model, out = self._model, set()
        for var in model.by_var:
            if var[0] in ("S", "SS"):
                n = model.n_of(var[1])
                if self._hidden.get(var[1]) == PRIMARY or (n is not None and 0 < n < self.min_statistic_n):
                    out.add(var)
        out |= {c.var for c in model.cells if c.var is not None
                and self._cell_hidden.get((c.table, c.row, c.column)) in ("share", "distribution")}
        return out

    def _pinned_sums(self, known: Mapping, within: tuple | None = None) -> list[tuple]:
        """Sensitive sums that the relations of the shown sums fix to one value (in the
        component of ``within`` only, when given)."""
        sensitive, pinned, done = self._sensitive(), [], set()
        for var in sorted(sensitive, key=_order) if within is None else [within]:
            if var in known or var in done or var not in self._model.by_var:
                continue
            variables, relations = self._model.component(var)
            done |= set(variables)
            solved = _solve(variables, relations, known)
            pinned += [v for v in variables if v in solved and v in sensitive]
        return sorted(pinned, key=lambda v: (self._model.position.get(v, ()), _order(v)))

    def _protect_sums(self):
        """Hide the statistics of further groups until no sensitive sum is pinned: among the shown
        sums of its relations, categories before totals, the smallest group first, the first that
        unpins it (else the first, and again)."""
        model = self._model
        while pinned := self._pinned_sums(known := self._sums_known()):
            var = pinned[0]
            rank = {}
            for r in model.by_var.get(var, []):
                for v, is_total in [*((c, 0) for c in r.children), (r.parent, 1)]:
                    rank[v] = min(rank.get(v, is_total), is_total)
            size = lambda v: (model.n_of(v[1]) or 0, model.position.get(v, ()), _order(v))      # noqa: E731
            own = sorted((v for v in rank if v in known), key=lambda v: (rank[v], *size(v)))
            rest = sorted((v for v in model.component(var)[0] if v in known and v not in rank), key=size)
            candidates = own + rest
            if not candidates:
                raise ValueError(f"disclosure: cannot protect the statistics of {_group_text(var)}: every related "
                                 "statistic is hidden; collapse small categories instead")
            step = candidates[0]
            for c in candidates:
                self._stat_hidden[c[1]] = COMPLEMENT
                unpins = var not in self._pinned_sums(self._sums_known(), within=var)
                del self._stat_hidden[c[1]]
                if unpins:
                    step = c
                    break
            self._stat_hidden[step[1]] = COMPLEMENT

    def _pair_up(self, var):
        """The classic first pass: in every relation, a hidden count that is its only unknown member
        gets a partner (the relation's best shown member), until no relation has one alone."""
        relations = self._model.component(var)[1]
        changed = True
        while changed:
            changed = False
            for r in relations:
                known = self._known(r.coefficients())
                unknown = [v for v in r.coefficients() if v not in known]
                if len(unknown) == 1 and unknown[0] in self._hidden:
                    partners = [v for v in self._candidates(unknown[0])[0] if v in r.coefficients()]
                    if partners:
                        self._hidden[partners[0]] = COMPLEMENT
                        changed = True

    def _known(self, variables) -> dict[tuple, float]:
        """Which of ``variables`` a reader knows: shown counts and totals revealed by shown percentages."""
        values, revealed = self._model.values, self._revealed()
        return {v: values[v] if v in values else revealed[v] for v in variables
                if (v in values and v[0] == "n" and v not in self._hidden) or v in revealed}

    def _show_computable(self, primaries: list[tuple]):
        """Show again the complements a reader can compute anyway (their hiding protects nothing):
        fixing a value the relations already pin leaves every other interval as it was."""
        for var in [v for v in self._model.component(primaries[0])[0] if self._hidden.get(v) == COMPLEMENT]:
            lo, hi = self._interval(var)
            if hi - lo < _TOL:                  # pinned even without rounding to whole persons
                del self._hidden[var]

    def _protect_component(self, primaries: list[tuple]):
        """Hide counts until no small count of one connected set of relations is pinned, and each is
        left its full range where one more hidden count can give it."""
        self._pair_up(primaries[0])
        # Hiding one more count only widens the reader's intervals: a safe count stays safe, and a
        # narrowed one that no single count can widen is accepted as it is.
        pending = list(primaries)
        while exposed := [(v, e) for v in pending if (e := self._count_exposure(v)) != "safe"]:
            step, settled = None, set()
            for v, e in exposed:
                if (step := self._helpful(v, e)) is not None:
                    break
                if e == "partial":
                    settled.add(v)
            if step is None:                    # no single count helps: widen a pinned one step by step
                exact = [v for v, e in exposed if e == "exact"]
                if not exact:
                    return
                candidates = [c for tier in self._candidates(exact[0]) for c in tier]
                if not candidates:
                    raise ValueError(f"disclosure: cannot protect {_group_text(exact[0])}: every related count is "
                                     "hidden or fixed by a shown percentage; collapse small categories instead")
                step = candidates[0]
            self._hidden[step] = COMPLEMENT
            pending = [v for v, _ in exposed if v not in settled]

    # counts
    def _revealed(self) -> dict[tuple, float]:
        """Totals a reader computes from a shown count and its shown percentage."""
        values, out = self._model.values, {}
        for c in self._model.percents:
            child = c.units[0]
            if child not in self._hidden and child in values:
                out.setdefault(c.parent, values.get(c.parent, values[child] * 100 / c.value))
        return out

    def _bounds(self) -> dict[tuple, tuple[float, float]]:
        """What the marks tell a reader: ``<5`` cells lie in 0…min_n − 1, ``..`` cells are at least min_n."""
        return {v: (0, self.min_n - 1) if r == PRIMARY else (self.min_n, math.inf) for v, r in self._hidden.items()}

    def _interval(self, var, quick: bool = False) -> tuple[float, float]:
        """The smallest and largest value a reader can give hidden count ``var``: by interval
        propagation if ``quick`` (cheap, possibly wider), else by linear programming."""
        variables, relations = self._model.component(var)
        known, bounds = self._known(variables), self._bounds()
        if var in known:
            return known[var], known[var]
        if quick or not relations:
            start = {v: (known[v], known[v]) if v in known else bounds.get(v, (0, math.inf)) for v in variables}
            return _propagate(relations, start)[var]
        return _count_interval(var, variables, relations, known,
                               {v: (lo, None if math.isinf(hi) else hi) for v, (lo, hi) in bounds.items()})

    def _count_exposure(self, var) -> str:
        """``"exact"``, ``"partial"`` or ``"safe"``: how far a reader can narrow hidden count ``var``
        in whole persons (``"safe"``: to no less than ``0…min_n − 1``). Propagation first: when it
        already pins ``var`` no linear programme is needed."""
        for quick in (True, False):
            lo, hi = self._interval(var, quick)
            lo, hi = _ceil(lo), _floor(hi)
            if lo >= hi:
                return "exact"
        return "safe" if (lo <= 0 and hi >= self.min_n - 1) else "partial"

    def _candidates(self, var) -> list[list[tuple]]:
        """Shown counts that could protect ``var``, in two tiers: the members of its own relations
        (categories before totals), then the other counts connected to it. Within a tier, counts
        of at least ``2·min_n − 1`` come first (one of them always leaves ``0…min_n − 1`` open in
        its relation), then by size. Totals fixed by a shown percentage are left out."""
        model, revealed = self._model, self._revealed()
        usable = lambda v: v != var and v in model.values and v not in self._hidden and v not in revealed
        size = lambda v: (model.values[v] < 2 * self.min_n - 1, model.values[v], model.position.get(v, ()), _order(v))
        rank = {}
        for r in model.by_var.get(var, []):
            for v, is_total in [*((c, 0) for c in r.children), (r.parent, 1)]:
                rank[v] = min(rank.get(v, is_total), is_total)
        own = sorted(filter(usable, rank), key=lambda v: (rank[v], *size(v)))
        rest = sorted((v for v in model.component(var)[0] if v not in rank and usable(v)), key=size)
        return [own, rest]

    def _helpful(self, var, exposure: str) -> tuple | None:
        """The first candidate after whose hiding ``var`` is safe, else (``var`` pinned) the first that
        unpins it, looking further afield only when its own relations offer neither; None if no single
        count helps. Propagation's interval contains the exact one, so a candidate it already shows
        narrowing ``var`` needs a linear programme only while an unpinning one is still sought."""
        for tier in self._candidates(var):
            unpinning = None
            for c in tier:
                self._hidden[c] = COMPLEMENT
                lo, hi = self._interval(var, quick=True)
                may_be_safe = _ceil(lo) <= 0 and _floor(hi) >= self.min_n - 1
                may_unpin = exposure == "exact" and unpinning is None and _ceil(lo) < _floor(hi)
                result = self._count_exposure(var) if may_be_safe or may_unpin else None
                del self._hidden[c]
                if result == "safe":
                    return c
                if result == "partial" and may_unpin:
                    unpinning = c
            if unpinning is not None:
                return unpinning
        return None



# ----------------------------------------------------------------------------- the attacker
def audit(tables: Mapping[str, pd.DataFrame], specs: Mapping[str, TableSpec], *, min_n: int = MIN_CELL,
          mask: str | None = None, complement_mask: str = "..", policy: Policy | None = None,
          min_statistic_n: int | None = None) -> pd.DataFrame:
    """Attack published tables as a reader could; one row per hidden value recovered or
    published against the policy.

    The tables are read as published: a cell equal to ``mask`` is a hidden count in
    ``0…min_n − 1`` (or a hidden statistic), one equal to ``complement_mask`` a hidden count of
    at least ``min_n`` (or a hidden statistic). Attacks, repeated until nothing new is found:

    * **subtraction**: a total minus its shown categories, within a table or across tables
      (``all`` of one table minus the groups of another; named ``subtraction across tables``);
    * **percentage**: ``n = pct × total / 100`` for a hidden count with a shown percentage
      (the interval its printed decimals allow holding one whole number), and
      ``total = 100 · n / pct``;
    * **mean**: the total's ``n·mean`` minus the groups' ``n·mean`` gives a hidden group's
      sum, divided by its (known or recovered) ``n`` its mean; likewise sums of squares give
      a hidden SD; the same for declared sums, shares and long tables' relations;
    * **linear system**: values fixed by several relations together (Gaussian elimination);
    * **bounds**: the marks as limits (``<5`` cells are 0…4, ``..`` cells at least 5), e.g.
      a total 5 over ``<5`` and ``..`` fixes both.

    Then, on what is shown or recovered:

    * **groups by difference**: the sum of a difference group (declared ``within``) of
      1 … ``min_statistic_n − 1`` persons;
    * **statistic of a small group**: a statistic shown for fewer than ``min_statistic_n``;
      **small count shown**: a count under ``min_n``;
    * **percentage × n**: a share of 1 … ``min_n − 1`` persons (or leaving that few outside);
    * **distribution**: n, mean, SD and shares on a declared scale with one solution
      (:func:`distribution_solutions`);
    * **sign test**: a sign-test p pinning the persons who changed either way to
      1 … ``min_n − 1`` (:func:`sign_test_solutions`);
    * **derived from a hidden value**: a long table's derived cell (a change) shown next to a
      hidden number it follows from.

    Parameters
    ----------
    tables : mapping of name → DataFrame
        The tables as published (masks in place).
    specs : mapping of name → TableSpec
        What the tables' rows and columns are (as given to :meth:`Disclosure.protect`).
    policy : Policy, optional
        The small-group rule (overrides ``min_n`` and ``min_statistic_n``).

    Returns
    -------
    DataFrame
        ``table, row, column, group, value, attack``; empty when nothing can be recovered.

    Examples
    --------
    >>> t = pd.DataFrame({"gender": ["female", "male", "other", "all"], "n": [504, 393, "<5", 900]})
    >>> audit({"g": t}, {"g": TableSpec(population="p", dims=["gender"])})[["group", "value", "attack"]].values.tolist()
    [['p, gender=other', 3.0, 'subtraction']]
    """
    if policy is not None:
        min_n, min_statistic_n = policy.min_count, policy.min_statistic_n
    min_statistic_n = max(min_n, MIN_STATISTIC_N if min_statistic_n is None else min_statistic_n)
    mask = mask or f"<{min_n}"
    model = _Model([(name, table.reset_index(drop=True), specs[name]) for name, table in tables.items()],
                   {mask: PRIMARY, complement_mask: COMPLEMENT})
    known = dict(model.values)
    how: dict[tuple, str] = {}
    shown_in = {}
    for c in model.cells:
        if c.var is not None and c.value is not None:
            shown_in.setdefault(c.var, set()).add(c.table)
    bounds = {c.var: (0, min_n - 1) if c.marker == PRIMARY else (min_n, math.inf)
              for c in model.cells if c.kind == "count" and c.marker}

    def learn(var, value, attack):
        if var not in known:
            known[var] = value
            how[var] = attack
            return True
        return False

    def eliminate() -> bool:
        changed = False
        for c in model.cells:
            if c.kind == "percent" and c.parent is not None and c.value is not None:
                child = c.units[0]
                if child in known and c.value:
                    changed |= learn(c.parent, known[child] * 100 / c.value, "percentage")
                if c.parent in known and child not in known:
                    t = _tolerance(c.value, _decimals(c.value)) * known[c.parent] / 100
                    x = c.value * known[c.parent] / 100
                    if math.floor(x + t + _TOL) == math.ceil(x - t - _TOL):
                        changed |= learn(child, float(math.ceil(x - t - _TOL)), "percentage")
        for r in model.relations:
            coef = r.coefficients()
            unknown = [v for v in coef if v not in known]
            if len(unknown) == 1:
                v = unknown[0]
                value = -sum(k * known[w] for w, k in coef.items() if w != v) / coef[v]
                tables_used = set().union(*(shown_in.get(w, set()) for w in coef if w != v))
                attack = "subtraction" if r.parent[0] == "n" else "mean"
                changed |= learn(v, value, f"{attack} across tables" if len(tables_used) > 1 else attack)
        return changed

    def solve_linear() -> bool:
        changed, done = False, set()
        for var in [v for r in model.relations for v in r.coefficients() if v not in known]:
            if var in done:
                continue
            variables, relations = model.component(var)
            done |= set(variables)
            for v, value in _solve(variables, relations, known).items():
                changed |= learn(v, value, "linear system")
        return changed

    def propagate_bounds() -> bool:
        counts = [r for r in model.relations if r.parent[0] == "n"]
        interval = {v: (known[v], known[v]) if v in known else bounds.get(v, (0, math.inf))
                    for r in counts for v in r.coefficients()}
        return any(learn(v, float(lo), "bounds") for v, (lo, hi) in _propagate(counts, interval).items()
                   if lo == hi and v not in known and v[0] == "n")

    while eliminate() or solve_linear() or propagate_bounds():
        pass

    rows = []
    for c in model.cells:
        if c.marker is None:
            continue
        value, attack = _recovered(c, known, how)
        if value is not None:
            rows.append((c.table, c.row, c.column, _group_text(c.units[0]), value, attack))
    rows += _policy_breaches(model, known, min_n, min_statistic_n)
    return pd.DataFrame(rows, columns=["table", "row", "column", "group", "value", "attack"])


def _recovered(cell: _Cell, known: Mapping, how: Mapping) -> tuple[float | None, str | None]:
    """The value of a masked cell from what the attacker knows, and the attack that gave it."""
    if not cell.units:
        return None, None
    unit = cell.units[0]
    n = known.get(unit)
    source = lambda var: how.get(var, "shown in another table")     # noqa: E731
    if cell.kind == "count":
        return (known[cell.var], source(cell.var)) if cell.var in known else (None, None)
    if cell.kind == "percent":
        if n is not None and known.get(cell.parent):
            return 100 * n / known[cell.parent], how.get(unit, how.get(cell.parent, "shown in another table"))
        return None, None
    if cell.kind == "sum" and cell.var in known:
        return known[cell.var], source(cell.var)
    n = known.get(cell.var[1]) if cell.var is not None else None
    if cell.kind == "mean" and cell.var in known and n:
        return known[cell.var] / n, source(cell.var)
    if cell.kind == "share" and cell.var in known and n:
        return 100 * known[cell.var] / n, source(cell.var)
    if cell.kind == "sd" and cell.var in known and cell.parent in known and n and n > 1:
        m = known[cell.parent] / n
        return math.sqrt(max(known[cell.var] - n * m * m, 0.0) / (n - 1)), source(cell.var)
    return None, None


def _policy_breaches(model: _Model, known: Mapping, min_n: int, min_statistic_n: int) -> list[tuple]:
    """What is shown (or recovered) against the policy, beyond hidden cells recovered."""
    rows = []
    small = lambda k: 1 <= k <= min_n - 1                            # noqa: E731
    n_of = lambda unit: known.get(unit, model.n_of(unit))           # noqa: E731
    for rest, (parent, child) in model.residuals.items():
        n = known[parent] - known[child] if parent in known and child in known else None
        if n is None or not 0 < n < min_statistic_n:
            continue
        for var in sorted((v for v in model.by_var if v[0] in ("S", "SS") and v[1] == rest and v in known), key=_order):
            rows.append(("", -1, var[2], _group_text(var), known[var] / (n if var[0] == "S" else 1),
                         "groups by difference" + (" (mean)" if var[0] == "S" else " (sum of squares)")))
    for c in model.cells:
        if c.marker is not None or c.value is None:
            continue
        if c.kind == "count" and c.value < min_n:
            rows.append((c.table, c.row, c.column, _group_text(c.var), c.value, "small count shown"))
        elif c.kind in ("mean", "sum", "share", "sd", "stat"):
            ns = [n for u in c.units if (n := n_of(u)) is not None]
            if ns and min(ns) < min_statistic_n:
                rows.append((c.table, c.row, c.column, _group_text(c.units[0]), c.raw, "statistic of a small group"))
            elif c.kind == "share":
                n, k = n_of(c.var[1]), round(c.value)
                if n is not None and (small(k) or small(n - k)):
                    rows.append((c.table, c.row, c.column, _group_text(c.var), float(k), "percentage × n"))
        elif c.kind == "derived" and any(model.cell_at[d].marker for d in c.deps):
            rows.append((c.table, c.row, c.column, "", c.raw, "derived from a hidden value"))
    published = lambda t, r, col: (lambda c: None if c is None or c.marker else c.raw)(model.cell_at.get((t, r, col)))  # noqa: E731
    for d in model.dists:
        n = n_of(d.unit)
        if n is None or not 1 <= n <= MAX_SOLVER_N:
            continue
        mean, sd = published(d.table, d.row, d.mean), published(d.table, d.row, d.sd) if d.sd else None
        shares = [(lo, hi, p) for s, lo, hi in d.shares if (p := published(d.table, d.row, s)) is not None]
        if mean is None and sd is None and not shares:
            continue
        found = distribution_solutions(int(n), mean, sd, d.scale, shares, limit=2)
        if len(found) == 1:
            rows.append((d.table, d.row, d.mean, _group_text(d.unit), mean,
                         f"distribution: answers {d.scale[0]}…{d.scale[1]} × {found[0].tolist()}"))
    for rank in model.ranks:
        n, p = n_of(rank.unit), published(rank.table, rank.row, rank.column)
        if n is None or p is None:
            continue
        found = sign_test_solutions(int(n), p)
        if found and all(small(min(up, down)) for up, down in found):
            rows.append((rank.table, rank.row, rank.column, _group_text(rank.unit), p,
                         f"sign test: up/down {found[0]}"))
    return rows


# ----------------------------------------------------------------------------- a whole output folder
#: The file next to a report's machine tables that declares them (``tables/<report>/…``).
DECLARATIONS = "disclosure.json"


def write_declarations(policy: Policy, specs: Mapping[str, TableSpec], folder: str | Path) -> Path:
    """Write what a report's machine tables are (their :class:`TableSpec`) and its policy to
    ``folder/disclosure.json`` — declarations only, no number — for :func:`audit_folder`."""
    path = Path(folder) / DECLARATIONS
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {"policy": policy.to_dict(), "tables": {name: spec.to_dict() for name, spec in specs.items()}}
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return path


def read_table(path: str | Path) -> pd.DataFrame:
    """A machine table as a reader gets it: numbers as numbers, marks and text as text
    (a leading ``'`` that keeps text from being read as a formula removed)."""
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    def cell(text: str):
        if text == "":
            return np.nan
        try:
            return float(text)
        except ValueError:
            return text[1:] if text.startswith("'") else text
    return pd.DataFrame({c: pd.Series([cell(v) for v in table[c]], dtype=object) for c in table.columns})


def audit_folder(out_dir: str | Path, *, policy: Policy | None = None) -> pd.DataFrame:
    """:func:`audit` over every declared machine table of every report in one output folder
    (``<out_dir>/tables/<report>/*.csv`` with their ``disclosure.json``), together: a
    population named alike in two reports is one population. ``table`` is ``<report>/<table>``.
    The policy is the strictest of the reports' unless given.

    Examples
    --------
    >>> import tempfile
    >>> out = Path(tempfile.mkdtemp())
    >>> for report, shown in (("a", [504, "..", "<5", 900]), ("b", [504, 393, "<5", ".."])):
    ...     folder = out / "tables" / report
    ...     folder.mkdir(parents=True)
    ...     pd.DataFrame({"gender": ["female", "male", "other", "all"], "n": shown}).to_csv(folder / "g.csv", index=False)
    ...     _ = write_declarations(Policy(), {"g": TableSpec(population="clients", dims=["gender"])}, folder)
    >>> audit_folder(out)[["table", "group", "value", "attack"]].values.tolist()
    [['a/g', 'clients, gender=male', 393.0, 'shown in another table'], ['a/g', 'clients, gender=other', 3.0, 'subtraction across tables'], ['b/g', 'clients, gender=other', 3.0, 'subtraction across tables'], ['b/g', 'clients, all', 900.0, 'shown in another table']]
    """
    tables, specs, policies = {}, {}, []
    for declared in sorted(Path(out_dir, "tables").glob(f"*/{DECLARATIONS}")):
        data = json.loads(declared.read_text(encoding="utf-8"))
        policies.append(Policy(**{k: v for k, v in data["policy"].items() if k != "overridden"}))
        for name, spec in data["tables"].items():
            table, spec = read_table(declared.parent / f"{name}.csv"), TableSpec.from_dict(spec)
            if "_row" in spec.context and "_row" not in table:     # rows told apart by position only
                table["_row"] = range(len(table))
            tables[f"{declared.parent.name}/{name}"], specs[f"{declared.parent.name}/{name}"] = table, spec
    if policy is None:
        policy = max(policies, key=lambda p: (p.min_count, p.min_statistic_n), default=Policy())
    return audit(tables, specs, policy=policy)
