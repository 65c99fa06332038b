"""Statistical disclosure control of a report's tables: primary and complementary suppression
across all tables of one report (Hundepool et al. 2012, *Statistical Disclosure Control*,
Wiley, ch. 4).

How a report uses it: one :class:`Disclosure` per report; every table passes
:meth:`Disclosure.protect` with a :class:`TableSpec` saying what its rows are about, and the
table shown is the one returned (or, after all tables are in, :attr:`Disclosure.tables`).
Sentences take a group's count from the shown table (``d.shown(name).at[row, "n"]``: a
number, ``<5`` or ``..``), print counts that are in no table with :func:`shown_count`, and are
checked with :meth:`Disclosure.check_text`. :func:`audit` attacks published tables the way a
reader could.

The model
---------
A row of a table describes a **group** of persons: the values of its dimension columns
(``dims``, e.g. gender, age group), with the total label (``"all"``) meaning "every
category". A count cell is a variable identified by (population, context, group): the same
group of the same population is the same variable in every table of the report, so a value
hidden in one table is hidden in all. Groups add up: for every dimension, the count of a
group is the sum of the counts of its categories (``all = female + male + other``; in an
age × gender table also ``female = Σ_age (age, female)``, even when that margin is printed in
another table). The same holds for the sum of scores ``n·mean`` (means, proportions and
percentile ranks declared in ``means``) and for the sum of squares ``(n − 1)·sd² + n·mean²``
(``sds``). A percentage next to a count reveals the total it is a share of.

Rules
-----
1. **Primary suppression.** A count below ``min_n`` (zero included) is hidden and shown as
   ``mask`` (``<5``); so is every statistic of that group (means, SDs, percentages,
   percentiles, effect sizes).
2. **Complementary suppression.** A reader knows every shown value, that a cell marked
   ``mask`` (``<5``) lies in ``0…min_n − 1`` and that a cell marked ``complement_mask``
   (``..``, hidden only to protect another) is at least ``min_n``. For each hidden small
   count, two linear programmes (its minimum and maximum subject to all additive relations of
   the report and those bounds; the audit of Hundepool et al. §4.3) give the interval the
   reader can narrow it to. While it is pinned to one value (or narrowed within ``0…4``), a
   further count is hidden: among the shown members of the relations holding it, categories
   before totals, those of at least ``2·min_n − 1`` first, then the smallest, taking the
   first after which the reader learns nothing beyond the ``<5`` mark, else the first that
   unpins it (a cheap first pass gives every hidden count that is alone in a relation a
   partner). When no single cell can widen a narrowed (not pinned) interval, the narrowing is
   accepted. Complements that the reader can compute exactly anyway are shown again. A
   hidden count hides every statistic of its group (and its percentage) too, in every table.
3. **Statistics need no search of their own.** A shown mean must have its count shown in the
   same row. Then the sums ``n·mean`` (and sums of squares) obey the same linear relations as
   the counts, with no more of them known, so a small group whose count cannot be pinned
   cannot have its sum pinned either (the all-mean minus the groups' shares needs the
   count's relations closed). :func:`audit` checks this on every report in the tests.

Hiding is monotone within a report: a cell hidden once stays hidden as further tables are
registered (unless the reader can compute it exactly from what is shown), so tables already
shown never give away what later ones hide.

Limits: intervals come from the linear-programming relaxation (integrality ignored) and the
statistic check is linear (a reader combining means and SDs non-linearly, or knowing the
scale's range, is not modelled); tables must declare their relations truthfully
(``exhaustive=False`` when persons with a missing category count in the total only, which
adds an unknown rest to each sum). Instead of suppression a caller may collapse small
categories before tabulating (:func:`collapse_small`).

Own code: sdcTable (R) and tau-Argus implement cell suppression for single hierarchical
tables, but neither is a Python library and neither links tables of one report that share
groups across counts, means and percentages; the linear programmes use
:func:`scipy.optimize.linprog` (HiGHS) and the statistic check :func:`scipy.linalg.null_space`.

Examples
--------
>>> import pandas as pd
>>> d = Disclosure(min_n=5)
>>> t = pd.DataFrame({"gender": ["female", "male", "other", "all"], "n": [504, 393, 3, 900]})
>>> d.protect("gender", t, TableSpec(population="respondents", dims=["gender"]))["n"].tolist()
[504, '..', '<5', 900]
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from itertools import combinations
from typing import Iterable, Mapping, Sequence

import numpy as np
import pandas as pd
from scipy.linalg import null_space
from scipy.optimize import linprog

#: Smallest number of persons a published cell may rest on (the project's small-cell rule).
MIN_CELL = 5
PRIMARY, COMPLEMENT = "primary", "complement"
_TOL = 1e-6


@dataclass(frozen=True)
class TableSpec:
    """What the rows and columns of one report table are.

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
        first, and every statistic of a row is hidden when any of its counts is.
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

    def __post_init__(self):
        for name in ("dims", "counts", "context", "labels", "means", "percents"):
            object.__setattr__(self, name, tuple(_as_list(getattr(self, name))))
        if self.stats is not None:
            object.__setattr__(self, "stats", tuple(_as_list(self.stats)))
        object.__setattr__(self, "sds", dict(self.sds))
        if not self.counts:
            raise ValueError("TableSpec: a table needs at least one count column")
        unknown_means = [c for c in self.sds.values() if c not in self.means]
        if unknown_means:
            raise ValueError(f"TableSpec: sds refer to {unknown_means}, which are not in means {list(self.means)}")
        if self.percents and not self.dims:
            raise ValueError("TableSpec: percents need a dim (they are shares of the first dim's total)")

    def stat_columns(self, table: pd.DataFrame) -> list[str]:
        if self.stats is not None:
            return [c for c in self.stats if c not in self.percents]
        fixed = {*self.counts, *self.labels, *self.dims, *self.context, *self.percents}
        return [c for c in table.columns if c not in fixed and pd.api.types.is_numeric_dtype(table[c])
                and not pd.api.types.is_bool_dtype(table[c])]


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
    kind: str                      # "count", "percent", "mean", "sd", "stat"
    units: tuple                   # count variables; the cell is hidden when one of them is
    var: tuple | None              # its own variable (count, sum or sum of squares), if additive
    value: float | None            # true value as given (None: missing or masked)
    marker: str | None = None      # in a published table: PRIMARY or COMPLEMENT when masked
    parent: tuple | None = None    # percentages: the total they reveal; SDs: the sum of their mean


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


def _number(value, masks: Mapping[str, str]) -> tuple[float | None, str | None]:
    if isinstance(value, str):
        return None, masks.get(value)
    if value is None or pd.isna(value):
        return None, None
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


def _parse(name: str, table: pd.DataFrame, spec: TableSpec, masks: Mapping[str, str]):
    """Cells and relations of one table."""
    stat_cols = spec.stat_columns(table)
    needed = [*spec.dims, *spec.counts, *spec.context, *spec.labels, *spec.means, *spec.sds,
              *spec.percents, *stat_cols]
    missing = [c for c in dict.fromkeys(needed) if c not in table.columns]
    if missing:
        raise KeyError(f"disclosure: table {name!r} has no column(s) {missing} (columns: {list(table.columns)})")
    pops = {c: spec.population if len(spec.counts) == 1 else f"{spec.population}/{c}" for c in spec.counts}
    first = spec.counts[0]
    cells, groups, stat_groups = [], {}, {}
    for i, row in enumerate(table.itertuples(index=False)):
        row = dict(zip(table.columns, row))
        ctx = tuple(str(row[c]) for c in spec.context)
        group = frozenset((d, str(row[d])) for d in spec.dims if str(row[d]) != spec.total)
        labels = tuple(str(row[c]) for c in spec.labels)
        units = {c: ("n", pops[c], ctx, group) for c in spec.counts}
        unit = units[first]
        n, n_marker = _number(row[first], masks)
        for c in spec.counts:
            value, marker = _number(row[c], masks)
            if isinstance(row[c], str) and marker is None:
                raise ValueError(f"disclosure: table {name!r}, row {i}, count column {c!r} holds the text "
                                 f"{row[c]!r}; give the unsuppressed counts (numbers)")
            cells.append(_Cell(name, i, c, "count", (units[c],), units[c], value, marker))
            groups.setdefault((pops[c], ctx), set()).add(group)
        row_units = tuple(units.values())
        for c in [*spec.means, *spec.sds]:
            if n is None and n_marker is None and _number(row[c], masks)[0] is not None:
                raise ValueError(f"disclosure: table {name!r}, row {i}: {c!r} is shown without its count {first!r}; "
                                 "show the count too (a mean without n is not additive), or drop the statistic")
        for c in spec.means:
            m, marker = _number(row[c], masks)
            var = ("S", unit, c, labels)
            cells.append(_Cell(name, i, c, "mean", row_units, var, None if m is None or n is None else m * n, marker))
            stat_groups.setdefault((pops[first], ctx, c, labels), set()).add(group)
        for c, mean_col in spec.sds.items():
            s, marker = _number(row[c], masks)
            m, _ = _number(row[mean_col], masks)
            value = None if None in (s, m, n) else (n - 1) * s * s + n * m * m
            cells.append(_Cell(name, i, c, "sd", row_units, ("SS", unit, c, labels), value, marker,
                               ("S", unit, mean_col, labels)))
            stat_groups.setdefault((pops[first], ctx, c, labels), set()).add(group)
        d = spec.dims[0] if spec.dims else None
        for c in spec.percents:
            p, marker = _number(row[c], masks)
            parent = None
            if d in dict(group):
                parent = ("n", pops[first], ctx, group - {(d, dict(group)[d])})
            cells.append(_Cell(name, i, c, "percent", (unit,), None, p, marker, parent))
        for c in stat_cols:
            if c in spec.means or c in spec.sds:
                continue
            value, marker = _number(row[c], masks)
            cells.append(_Cell(name, i, c, "stat", row_units, None, value, marker))
    relations = set()
    for (pop, ctx), gs in groups.items():
        relations |= _relations(gs, spec.dims, lambda g, p=pop, x=ctx: ("n", p, x, g), not spec.exhaustive)
    for (pop, ctx, col, labels), gs in stat_groups.items():
        kind = "SS" if col in spec.sds else "S"
        relations |= _relations(gs, spec.dims,
                                lambda g, p=pop, x=ctx, c=col, l=labels: (kind, ("n", p, x, g), c, l),
                                not spec.exhaustive)
    return cells, relations


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
        #: where each variable first appears (table, row, column numbers): the tie-break when
        #: choosing between equal counts, so that the choice never depends on label text (a
        #: report in two languages must hide the same cells)
        self.position: dict[tuple, tuple[int, int, int]] = {}
        for t, (name, table, spec) in enumerate(entries):
            cells, found = _parse(name, table, spec, masks)
            self.cells += cells
            relations |= found
            for cell in cells:
                for v in (cell.var, *cell.units):
                    if v is not None:
                        self.position.setdefault(v, (t, cell.row, table.columns.get_loc(cell.column)))
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
        self.percents = [c for c in self.cells if c.kind == "percent" and c.parent is not None and c.value]
        self._components: dict[tuple, tuple] = {}
        self.by_var: dict[tuple, list[_Relation]] = {}
        for r in self.relations:
            for v in r.coefficients():
                self.by_var.setdefault(v, []).append(r)
        self._check_sums()

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
                    "category, or do not declare a weighted statistic in means/sds")

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
        Shown for a count (or statistic) hidden only to protect a small one.

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

    def __init__(self, min_n: int = MIN_CELL, mask: str | None = None, complement_mask: str = ".."):
        if min_n < 1:
            raise ValueError(f"Disclosure: min_n must be at least 1, got {min_n}")
        self.min_n = min_n
        self.mask = mask or f"<{min_n}"
        self.complement_mask = complement_mask
        if self.mask == complement_mask:
            raise ValueError("Disclosure: mask and complement_mask must differ (they mean different things)")
        self._tables: dict[str, tuple[pd.DataFrame, TableSpec]] = {}
        self._hidden: dict[tuple, str] = {}            # hidden count variable → PRIMARY / COMPLEMENT
        self._done: dict[tuple, tuple] = {}            # component → its state when last protected
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
        group has fewer than ``min_n`` persons) or ``complement`` (hidden to protect one).
        """
        rows = [(c.table, c.row, c.column, _group_text(c.units[0]), reason,
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
        """Why ``cell`` is hidden (PRIMARY / COMPLEMENT), or None when it is shown: a count when its
        group is hidden, any other cell when one of the groups it rests on is."""
        reasons = {self._hidden.get(u) for u in cell.units} - {None}
        return (PRIMARY if PRIMARY in reasons else COMPLEMENT) if reasons else None

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
          mask: str | None = None, complement_mask: str = "..") -> pd.DataFrame:
    """Attack published tables as a reader could; one row per hidden value recovered.

    The tables are read as published: a cell equal to ``mask`` is a hidden count in
    ``0…min_n − 1`` (or a hidden statistic), one equal to ``complement_mask`` a hidden count of
    at least ``min_n``. Attacks, repeated until nothing new is found:

    * **subtraction**: a total minus its shown categories, within a table or across tables
      (``all`` of one table minus the groups of another; named ``subtraction across tables``);
    * **percentage**: ``n = pct × total / 100`` for a hidden count with a shown percentage,
      and ``total = 100 · n / pct``;
    * **mean**: the total's ``n·mean`` minus the groups' ``n·mean`` gives a hidden group's
      sum, divided by its (known or recovered) ``n`` its mean; likewise sums of squares give
      a hidden SD;
    * **linear system**: values fixed by several relations together (Gaussian elimination);
    * **bounds**: the marks as limits (``<5`` cells are 0…4, ``..`` cells at least 5), e.g.
      a total 5 over ``<5`` and ``..`` fixes both.

    Parameters
    ----------
    tables : mapping of name → DataFrame
        The tables as published (masks in place).
    specs : mapping of name → TableSpec
        What the tables' rows and columns are (as given to :meth:`Disclosure.protect`).

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
                    x = c.value * known[c.parent] / 100
                    if abs(x - round(x)) < _TOL:
                        changed |= learn(child, float(round(x)), "percentage")
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
    return pd.DataFrame(rows, columns=["table", "row", "column", "group", "value", "attack"])


def _recovered(cell: _Cell, known: Mapping, how: Mapping) -> tuple[float | None, str | None]:
    """The value of a masked cell from what the attacker knows, and the attack that gave it."""
    unit = cell.units[0]
    n = known.get(unit)
    if cell.kind == "count":
        return (known[cell.var], how.get(cell.var, "shown in another table")) if cell.var in known else (None, None)
    if cell.kind == "percent":
        if n is not None and known.get(cell.parent):
            return 100 * n / known[cell.parent], how.get(unit, how.get(cell.parent, "shown in another table"))
        return None, None
    if cell.kind == "mean" and cell.var in known and n:
        return known[cell.var] / n, how.get(cell.var, "shown in another table")
    if cell.kind == "sd" and cell.var in known and cell.parent in known and n and n > 1:
        m = known[cell.parent] / n
        return math.sqrt(max(known[cell.var] - n * m * m, 0.0) / (n - 1)), how.get(cell.var, "shown in another table")
    return None, None
