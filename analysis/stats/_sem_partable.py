"""lavaan's parameter table: which parameters a model has, in lavaan's order and with its
defaults, plus equality constraints and defined parameters.

This reproduces ``lavaan::lavaanify`` (0.6.14) for the ``cfa()``/``sem()`` defaults
(``auto.fix.first``, ``auto.fix.single``, ``auto.var``, ``auto.cov.lv.x``, ``auto.cov.y``,
``int.ov.free``, ``fixed.x``) so that our parameter rows, their order, the free-parameter
count and the degrees of freedom are lavaan's. Rules, in lavaan's words where they exist:

- variables: ``lv`` are the left-hand sides of ``=~``; observed ``ov`` are indicators,
  then dependent observed variables of ``~``, then exogenous covariates ``ov.x`` (observed
  predictors that are nothing else), then any other observed variable in ``~~``/``~1``;
- defaults added after the user's rows: variances of every ``ov`` that is not ``ov.x`` and
  of every ``lv``; covariances among exogenous latent variables; covariances among the
  purely dependent variables (``auto.cov.y``); the ``ov.x`` block (fixed at the sample
  moments with ``fixed.x``); intercepts of every ``ov`` and ``lv`` with a meanstructure
  (latent means fixed to 0, free in groups 2+ when intercepts are constrained equal);
- the first loading of every factor is fixed to 1 (or, with ``std.lv``, factor variances
  to 1); the residual variance of a single-indicator factor's indicator is fixed to 0;
- user covariances are reordered to lavaan's (lhs before rhs in the order lv, ov);
- equality: ``group.equal`` / equal labels make parameters equal across groups
  (``group.partial`` exempts ``"lhs op rhs"`` names), as ``lav_partable_labels`` does;
  the shared label is ``.pN.`` (N = the row of the first group's parameter).

The free parameters of the table form the vector ``x``; equality and linear ``==``
constraints reduce it to ``theta`` by ``x = x0 + K theta`` (:func:`reparametrize`).

Examples
--------
>>> from analysis.stats.lavaan_syntax import parse_model
>>> pt = build_partable(parse_model("f =~ x1 + x2 + x3"), 1)
>>> [(a, o, b, int(fr)) for a, o, b, fr in zip(pt.lhs, pt.op, pt.rhs, pt.free)]
[('f', '=~', 'x1', 0), ('f', '=~', 'x2', 1), ('f', '=~', 'x3', 2), ('x1', '~~', 'x1', 3), ('x2', '~~', 'x2', 4), ('x3', '~~', 'x3', 5), ('f', '~~', 'f', 6)]
"""
from __future__ import annotations

import ast
import math
from dataclasses import dataclass, field, replace
from itertools import combinations
from typing import Any, Callable, Mapping, Sequence

import numpy as np
from scipy import linalg

from analysis.stats.lavaan_syntax import PARAMETER_OPS, ModelSyntaxError, Statement, parse_expression

__all__ = ["ParTable", "build_partable", "observed_variables", "reparametrize", "bounds",
           "label_function", "GROUP_EQUAL", "MAT_A", "MAT_S", "MAT_M", "MAT_T", "MAT_D"]

GROUP_EQUAL = ("loadings", "intercepts", "means", "thresholds", "regressions", "residuals",
               "residual.covariances", "lv.variances", "lv.covariances")
#: RAM matrices: A (directed paths), S (variances/covariances), m (means/intercepts); for
#: ordered items also T (thresholds: row = item, col = threshold number - 1) and D (scaling
#: factors: parameters in the delta parameterization, derived in the theta one).
MAT_A, MAT_S, MAT_M, MAT_T, MAT_D = range(5)


@dataclass
class ParTable:
    """One row per model parameter (all groups), as lavaan's ``parTable()``.

    ``free`` numbers the free parameters 1..n_x (0 = fixed), ``value`` holds fixed values
    (NaN where the value comes from the data: fixed.x moments; or from the model: the
    residual variances of ``ordered`` items in the delta parameterization, their scaling
    factors in the theta one), ``start`` user starting values; ``group`` is 1-based.
    ``mat, row, col`` place each parameter in the RAM matrices over the variables
    ``ov + lv``. ``parameterization`` is lavaan's for ordered items.
    """

    lhs: list[str]
    op: list[str]
    rhs: list[str]
    group: np.ndarray
    user: np.ndarray
    free: np.ndarray
    value: np.ndarray
    start: np.ndarray
    exo: np.ndarray
    label: list[str]
    ov: list[str]
    lv: list[str]
    ov_x: list[str]
    ngroups: int
    meanstructure: bool
    mat: np.ndarray
    row: np.ndarray
    col: np.ndarray
    definitions: list[Statement] = field(default_factory=list)
    constraints: list[Statement] = field(default_factory=list)
    equal_sets: list[np.ndarray] = field(default_factory=list)
    ordered: list[str] = field(default_factory=list)
    parameterization: str = "delta"

    @property
    def n_x(self) -> int:
        return int(self.free.max(initial=0))

    @property
    def plabel(self) -> list[str]:
        return [f".p{i + 1}." for i in range(len(self.lhs))]

    def __len__(self) -> int:
        return len(self.lhs)


# ------------------------------------------------------------------------- variables
@dataclass
class _Names:
    lv: list[str]
    ov: list[str]
    ov_x: list[str]
    ov_nox: list[str]
    lv_x: list[str]
    y_pure: list[str]      # lavaan's c(lv.y, ov.y): dependent and nothing else


def _unique(seq) -> list[str]:
    return list(dict.fromkeys(seq))


def _names(params: Sequence[Statement]) -> _Names:
    """lavaan's ``lav_partable_vnames`` for one block."""
    lv = _unique(s.lhs for s in params if s.op == "=~")
    v_ind = _unique(s.rhs for s in params if s.op == "=~")
    ov_ind = [v for v in v_ind if v not in lv]
    eqs_y = _unique(s.lhs for s in params if s.op == "~")
    eqs_x = _unique(s.rhs for s in params if s.op == "~")
    ov_y = [v for v in eqs_y if v not in lv and v not in ov_ind]
    ov_x = [v for v in eqs_x if v not in lv and v not in ov_ind and v not in ov_y]
    extra = _unique([s.lhs for s in params if s.op == "~~" and s.lhs not in lv]
                    + [s.rhs for s in params if s.op == "~~" and s.rhs not in lv]
                    + [s.lhs for s in params if s.op in ("~1", "|", "~*~") and s.lhs not in lv])
    ov = _unique(ov_ind + ov_y + ov_x + extra)
    # an exogenous covariate with a user (co)variance or intercept becomes random
    touched = {s.lhs for s in params if s.op in ("~~", "~1")} | \
              {s.rhs for s in params if s.op == "~~"}
    ov_x = [v for v in ov_x if v not in touched]
    lv_x = [f for f in lv if f not in v_ind and f not in eqs_y]
    y_pure = ([f for f in lv if f in eqs_y and f not in v_ind and f not in eqs_x]
              + [v for v in ov if v in eqs_y and v not in v_ind and v not in eqs_x
                 and v not in lv])
    return _Names(lv=lv, ov=ov, ov_x=ov_x, ov_nox=[v for v in ov if v not in ov_x],
                  lv_x=lv_x, y_pure=y_pure)


def observed_variables(stmts: Sequence[Statement], fixed_x: bool = True
                       ) -> tuple[list[str], list[str]]:
    """(observed variables, exogenous covariates held fixed) of a model, lavaan's order."""
    names = _names([s for s in stmts if s.op in PARAMETER_OPS])
    return names.ov, (names.ov_x if fixed_x else [])


# ------------------------------------------------------------------------- the table
@dataclass
class _Row:
    """One row of the table while it is built (the columns of lavaan's ``parTable()``)."""

    lhs: str
    op: str
    rhs: str
    user: int
    stmt: Statement | None
    free: bool = True
    value: float = math.nan
    exo: int = 0
    group: int = 0
    label: str = ""
    start: float = math.nan

    def fix(self, value: float, exo: int | None = None) -> None:
        """Make the row a fixed parameter with ``value`` (NaN: set from data or model)."""
        self.free, self.value = False, value
        if exo is not None:
            self.exo = exo

    def release(self) -> None:
        """Make the row a free parameter."""
        self.free, self.value = True, math.nan


def _per_group(value: object, ngroups: int, st: Statement, what: str) -> list[Any]:
    if isinstance(value, tuple):
        if len(value) != ngroups:
            raise ModelSyntaxError(
                f"model line {st.line}: c(...) in '{st.lhs} {st.op} {st.rhs}' has "
                f"{len(value)} {what} but there are {ngroups} group(s)")
        return list(value)
    return [value] * ngroups


def build_partable(stmts: Sequence[Statement], ngroups: int, *, std_lv: bool = False,
                   orthogonal: bool = False, meanstructure: bool = False,
                   group_equal: Sequence[str] = (), group_partial: Sequence[str] = (),
                   fixed_x: bool = True, n_thresholds: Mapping[str, int] | None = None,
                   parameterization: str = "delta") -> ParTable:
    """lavaan's parameter table for ``cfa()``/``sem()`` with ``ngroups`` groups.

    Parameters
    ----------
    stmts : list of Statement
        From :func:`analysis.stats.lavaan_syntax.parse_model`.
    ngroups : int
    std_lv, orthogonal, meanstructure, fixed_x
        lavaan's options of the same names (``meanstructure`` is also switched on by any
        ``~ 1`` statement).
    group_equal : sequence of str
        lavaan ``group.equal`` names (:data:`GROUP_EQUAL`).
    group_partial : sequence of str
        lavaan ``group.partial``: parameters (``"f=~x2"``, ``"x3~1"``) exempt from
        ``group_equal``; spaces are ignored.
    n_thresholds : mapping, optional
        Ordered items and their number of thresholds (categories - 1). As lavaan's
        ``ordered=``: a meanstructure, free thresholds ``item | t1``…, intercepts fixed to
        0, and per ``parameterization``:
    parameterization : {"delta", "theta"}
        ``"delta"``: scaling factors ``item ~*~ item`` fixed to 1 (free in groups 2+ with
        equal thresholds) and residual variances that are not parameters (1/delta^2 minus
        the common variance; ``value`` NaN). ``"theta"``: residual variances ``item ~~
        item`` fixed to 1 (free in groups 2+ with equal thresholds) and scaling factors
        that are not parameters (1/sqrt of the implied variance; ``value`` NaN).
    """
    params = [s for s in stmts if s.op in PARAMETER_OPS]
    names = _names(params)
    lv, ov = names.lv, names.ov
    if not ov:
        raise ModelSyntaxError("model has no observed variables")
    n_thresholds = dict(n_thresholds or {})
    ordered = [v for v in ov if v in n_thresholds]
    theta = parameterization == "theta"
    _check_ordinal(params, ordered, n_thresholds, theta)
    meanstructure = meanstructure or bool(ordered) or any(s.op == "~1" for s in params)
    # lavaan swaps user covariances so that lhs comes first in the order lv, ov
    order = {v: i for i, v in enumerate(lv + ov)}
    user = []
    for s in params:
        if s.op == "~~" and s.lhs != s.rhs and order[s.lhs] > order[s.rhs]:
            s = Statement(s.rhs, s.op, s.lhs, s.fixed, s.free, s.label, s.line, s.start)
        user.append(s)
    keys = {(s.lhs, s.op, s.rhs) for s in user}
    default: list[tuple[str, str, str]] = [(v, "|", f"t{k + 1}") for v in ordered
                                           for k in range(n_thresholds[v])]
    default += [(v, "~~", v) for v in names.ov_nox + lv]
    default += [(a, "~~", b) for a, b in combinations(names.lv_x, 2)]
    default += [(a, "~~", b) for a, b in combinations(names.y_pure, 2)]
    nx = len(names.ov_x)
    default += [(names.ov_x[j], "~~", names.ov_x[i]) for j in range(nx) for i in range(j, nx)]
    default += [(v, "~*~", v) for v in ordered]
    if meanstructure:
        default += [(v, "~1", "") for v in ov + lv]
    default = [k for k in default if k not in keys]

    rows = [_Row(s.lhs, s.op, s.rhs, user=1, stmt=s) for s in user]
    rows += [_Row(a, o, b, user=0, stmt=None) for a, o, b in default]

    def is_lv_var(r: _Row) -> bool:
        return r.op == "~~" and r.lhs == r.rhs and r.lhs in lv

    if std_lv:
        for r in rows:
            if is_lv_var(r):
                r.fix(1.0)
    else:
        seen: set[str] = set()
        for r in rows:
            if r.op == "=~" and r.lhs not in seen:
                seen.add(r.lhs)
                r.fix(1.0)
    loads = [r for r in rows if r.op == "=~"]
    rhs_count = {v: sum(r.rhs == v for r in loads) for v in {r.rhs for r in loads}}
    for f in lv:
        mine = [r for r in loads if r.lhs == f]
        if len(mine) == 1 and rhs_count[mine[0].rhs] == 1:
            for r in rows:
                if (r.op == "~~" and r.lhs == r.rhs == mine[0].rhs
                        and not r.user):
                    r.fix(0.0)
    for r in rows:
        if r.user:
            continue
        if orthogonal and r.op == "~~" and r.lhs != r.rhs and r.lhs in lv \
                and r.rhs in lv:
            r.fix(0.0)
        if r.op == "~1" and (r.lhs in lv or r.lhs in ordered):
            r.fix(0.0)
        if r.op == "~*~":
            r.fix(np.nan if theta else 1.0)
        if r.op == "~~" and r.lhs == r.rhs and r.lhs in ordered:
            r.fix(1.0 if theta else np.nan)
        if fixed_x and ((r.op == "~~" and r.lhs in names.ov_x and r.rhs in names.ov_x)
                        or (r.op == "~1" and r.lhs in names.ov_x)):
            r.fix(np.nan, exo=1)

    # replicate per group, group-specific defaults, then the user's modifiers
    table: list[_Row] = []
    for g in range(1, ngroups + 1):
        for r in rows:
            r2 = replace(r, group=g, label="", start=math.nan)
            if g > 1 and not r.user:
                if (r.op == "~1" and r.lhs in lv and "means" not in group_equal
                        and ("intercepts" in group_equal or "thresholds" in group_equal)):
                    r2.release()
                if "thresholds" in group_equal and (
                        (r.op == "~*~" and not theta)
                        or (theta and r.op == "~~" and r.lhs == r.rhs and r.lhs in ordered)):
                    r2.release()
                if (std_lv and is_lv_var(r) and "loadings" in group_equal
                        and "lv.variances" not in group_equal):
                    r2.release()
            table.append(r2)
    for r in table:
        st = r.stmt
        if st is None:
            continue
        g = r.group - 1
        if st.fixed is not None or st.free is True or isinstance(st.free, tuple):
            fixed = _per_group(st.fixed, ngroups, st, "values")[g]
            r.free, r.value = fixed is None, np.nan if fixed is None else float(fixed)
        if st.start is not None:
            start = _per_group(st.start, ngroups, st, "start values")[g]
            r.start = np.nan if start is None else float(start)
        if st.label:
            r.label = _per_group(st.label, ngroups, st, "labels")[g]
    equal_sets = _equalities(table, names, ngroups, group_equal, group_partial)

    k = 0
    free = np.zeros(len(table), dtype=int)
    for i, r in enumerate(table):
        if r.free:
            k += 1
            free[i] = k
    vidx = {v: i for i, v in enumerate(ov + lv)}
    mat, row, col = [], [], []
    for r in table:
        a, o, b = r.lhs, r.op, r.rhs
        if o == "=~":
            mat.append(MAT_A); row.append(vidx[b]); col.append(vidx[a])
        elif o == "~":
            mat.append(MAT_A); row.append(vidx[a]); col.append(vidx[b])
        elif o == "~~":
            mat.append(MAT_S); row.append(vidx[a]); col.append(vidx[b])
        elif o == "|":
            mat.append(MAT_T); row.append(vidx[a]); col.append(int(b[1:]) - 1)
        elif o == "~*~":
            mat.append(MAT_D); row.append(vidx[a]); col.append(vidx[a])
        else:
            mat.append(MAT_M); row.append(vidx[a]); col.append(0)
    pt = ParTable(
        lhs=[r.lhs for r in table], op=[r.op for r in table],
        rhs=[r.rhs for r in table], group=np.array([r.group for r in table]),
        user=np.array([r.user for r in table]), free=free,
        value=np.array([r.value for r in table], dtype=float),
        start=np.array([r.start for r in table], dtype=float),
        exo=np.array([r.exo for r in table]), label=[r.label for r in table],
        ov=ov, lv=lv, ov_x=names.ov_x if fixed_x else [], ngroups=ngroups,
        meanstructure=meanstructure, mat=np.array(mat), row=np.array(row),
        col=np.array(col),
        definitions=[s for s in stmts if s.op == ":="],
        constraints=[s for s in stmts if s.op in ("==", "<", ">")], ordered=ordered,
        parameterization=parameterization)
    pt.equal_sets = [free[s] for s in equal_sets]
    _check_names(pt)
    return pt


def _check_ordinal(params: Sequence[Statement], ordered: Sequence[str],
                   n_thresholds: Mapping[str, int], theta: bool) -> None:
    """What the delta (``theta=False``) or theta parameterization of ordered items allows
    (errors name the line)."""
    for st in params:
        where = f"model line {st.line}: "
        if st.op in ("|", "~*~") and st.lhs not in ordered:
            raise ModelSyntaxError(f"{where}'{st.lhs} {st.op} {st.rhs}' needs {st.lhs!r} among "
                                   "the ordered variables (ordered=...)")
        if st.op == "|" and int(st.rhs[1:]) > n_thresholds[st.lhs]:
            raise ModelSyntaxError(f"{where}{st.lhs!r} has {n_thresholds[st.lhs]} thresholds "
                                   f"(categories - 1), not {st.rhs!r}")
        if st.op == "~*~" and theta:
            raise ModelSyntaxError(
                f"{where}the scaling factor of {st.lhs!r} is not a parameter in the theta "
                "parameterization (it is 1/sqrt of the implied variance); remove this "
                "statement or fix the residual variance instead")
        if st.op == "~~" and st.lhs == st.rhs and st.lhs in ordered and not theta:
            raise ModelSyntaxError(
                f"{where}the residual variance of the ordered item {st.lhs!r} is not a "
                "parameter in the delta parameterization (it is 1 minus the explained "
                "variance); remove this statement or fit parameterization='theta'")
        if st.op == "~" and (st.lhs in ordered or st.rhs in ordered):
            raise ModelSyntaxError(
                f"{where}ordered items can only be indicators ('=~'); "
                f"'{st.lhs} ~ {st.rhs}' regresses on or predicts one")


def _equalities(table: list[_Row], names: _Names, ngroups: int, group_equal: Sequence[str],
                group_partial: Sequence[str]) -> list[np.ndarray]:
    """lavaan's ``lav_partable_labels`` and the equality sets it implies.

    Sets the shared ``.pN.`` label on constrained rows, fixes all members of a set that
    contains a fixed parameter, and returns the sets of row indices that must be equal.
    """
    label = [r.lhs + r.op + r.rhs + (f".g{r.group}" if r.group > 1 else "")
             for r in table]
    lv, nox = names.lv, names.ov_nox
    kinds = {
        "loadings": lambda r: r.op == "=~",
        "thresholds": lambda r: r.op == "|",
        "intercepts": lambda r: r.op == "~1" and r.lhs in nox,
        "means": lambda r: r.op == "~1" and r.lhs in lv,
        "regressions": lambda r: r.op == "~",
        "residuals": lambda r: r.op == "~~" and r.lhs in nox and r.lhs == r.rhs,
        "residual.covariances": lambda r: (r.op == "~~" and r.lhs in nox
                                           and r.lhs != r.rhs),
        "lv.variances": lambda r: r.op == "~~" and r.lhs in lv and r.lhs == r.rhs,
        "lv.covariances": lambda r: r.op == "~~" and r.lhs in lv and r.lhs != r.rhs,
    }
    partial = {p.replace(" ", "") for p in group_partial}
    names_g1 = {r.lhs + r.op + r.rhs for r in table if r.group == 1}
    unknown = sorted(partial - names_g1)
    if unknown:
        raise ValueError(f"group_partial {unknown} match no parameter of the model; expected "
                         "lavaan names such as 'f=~x2' (loading) or 'x3~1' (intercept)")
    if ngroups > 1 and group_equal:
        for i, r in enumerate(table):
            if r.group != 1 or not any(kinds[k](r) for k in group_equal):
                continue
            if label[i] in partial:
                continue
            for j, r2 in enumerate(table):
                if r2.group > 1 and (r2.lhs, r2.op, r2.rhs) == \
                        (r.lhs, r.op, r.rhs):
                    label[j] = label[i]
    for i, r in enumerate(table):
        if r.label:
            label[i] = r.label
    sets = []
    seen: dict[str, list[int]] = {}
    for i, lab in enumerate(label):
        seen.setdefault(lab, []).append(i)
    for members in seen.values():
        if len(members) < 2:
            continue
        fixed = [i for i in members if not table[i].free]
        if fixed:
            for i in members:
                table[i].fix(table[fixed[0]].value)
            continue
        for i in members:
            if not table[i].label:
                table[i].label = f".p{members[0] + 1}."
        sets.append(np.array(members))
    return sets


def _check_names(pt: ParTable) -> None:
    labels = set(pt.label) | set(pt.plabel)
    for s in pt.definitions:
        if s.lhs in labels:
            raise ModelSyntaxError(
                f"model line {s.line}: defined parameter {s.lhs!r} has the name of a label")
        labels.add(s.lhs)


# ---------------------------------------------------------------- functions of labels
def _evaluate(tree: ast.AST, env: Mapping[str, float]) -> float:
    """Value of an expression checked by :func:`parse_expression` (numbers, names, + - * / **,
    unary minus/plus, sqrt/exp/log/abs)."""
    if isinstance(tree, ast.Expression):
        return _evaluate(tree.body, env)
    if isinstance(tree, ast.Constant) and isinstance(tree.value, (int, float)):
        return tree.value
    if isinstance(tree, ast.Name):
        return env[tree.id]
    if isinstance(tree, ast.UnaryOp):
        v = _evaluate(tree.operand, env)
        return -v if isinstance(tree.op, ast.USub) else v
    if isinstance(tree, ast.Call) and isinstance(tree.func, ast.Name):
        return getattr(np, tree.func.id)(_evaluate(tree.args[0], env))
    if isinstance(tree, ast.BinOp):
        a, b = _evaluate(tree.left, env), _evaluate(tree.right, env)
        op = type(tree.op)
        return {ast.Add: lambda: a + b, ast.Sub: lambda: a - b, ast.Mult: lambda: a * b,
                ast.Div: lambda: a / b, ast.Pow: lambda: a ** b}[op]()
    raise ModelSyntaxError(f"cannot evaluate {ast.unparse(tree)!r}")


def label_function(pt: ParTable, exprs: Sequence[tuple[str, ast.AST]], line: int = 0
                   ) -> Callable[[np.ndarray], np.ndarray]:
    """``f(values) -> array``: expressions of parameter labels (and of the definitions
    given earlier in ``exprs``) evaluated at the vector of all parameter values."""
    first: dict[str, int] = {}
    for i, lab in enumerate(pt.label):
        if lab:
            first.setdefault(lab, i)
    for i, lab in enumerate(pt.plabel):
        first.setdefault(lab, i)
    known = set(first)
    for name, tree in exprs:
        for node in ast.walk(tree):
            if isinstance(node, ast.Name) and node.id not in known and not (
                    isinstance(node, ast.Name) and node.id in ("sqrt", "exp", "log", "abs")):
                raise ModelSyntaxError(
                    f"model line {line}: {node.id!r} is not a parameter label; label the "
                    f"parameter in the model (e.g. 'y ~ {node.id}*x') before using it")
        if name:
            known.add(name)

    def f(values: np.ndarray) -> np.ndarray:
        env = {lab: values[i] for lab, i in first.items()}
        out = []
        for name, tree in exprs:
            v = _evaluate(tree, env)
            if name:
                env[name] = v
            out.append(v)
        return np.array(out, dtype=values.dtype)
    return f


def reparametrize(pt: ParTable, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``x = x0 + K @ theta``: the free parameters under all equality constraints.

    Equal labels give 0/1 columns (theta keeps one parameter per set); linear ``==``
    constraints are then solved by a null-space basis. ``values`` (all parameter values,
    fixed ones filled in) is needed to evaluate constraints that involve fixed parameters.
    Non-linear ``==`` constraints raise :class:`ModelSyntaxError`.
    """
    n_x = pt.n_x
    col = np.arange(n_x)
    for s in pt.equal_sets:
        col[s - 1] = col[s[0] - 1]
    uniq, col = np.unique(col, return_inverse=True)
    K = np.zeros((n_x, len(uniq)))
    K[np.arange(n_x), col] = 1.0
    x0 = np.zeros(n_x)
    eqs = [s for s in pt.constraints if s.op == "=="]
    if not eqs:
        return x0, K
    trees = [("", parse_expression(f"({s.lhs}) - ({s.rhs})", s.line)) for s in eqs]
    h = label_function(pt, trees, eqs[0].line)
    free = pt.free > 0

    def hx(x):
        v = values.copy()
        v[free] = x[pt.free[free] - 1]
        return h(v)
    rng = np.random.default_rng(0)
    pts = [rng.normal(size=n_x) for _ in range(2)]
    jac = [np.column_stack([(hx(p + e) - hx(p - e)) / 2e-4 for e in 1e-4 * np.eye(n_x)])
           for p in pts]
    if not np.allclose(jac[0], jac[1], atol=1e-6) or not np.allclose(
            hx(pts[0]) - hx(pts[1]), jac[0] @ (pts[0] - pts[1]), atol=1e-6):
        raise ModelSyntaxError(
            f"model line {eqs[0].line}: only linear equality constraints are supported; "
            "rewrite the constraint linearly or report the quantity as a defined parameter (:=)")
    C = jac[0] @ K                              # C t = -h(0) on the label-reduced scale
    c = -hx(np.zeros(n_x))
    t0 = np.linalg.lstsq(C, c, rcond=None)[0]
    if not np.allclose(C @ t0, c, atol=1e-8):
        raise ModelSyntaxError("the equality constraints contradict each other")
    N = linalg.null_space(C)
    return K @ t0, K @ N


def bounds(pt: ParTable) -> list[tuple[int, str, float]]:
    """Simple inequality constraints ``label > value`` / ``label < value`` as
    (row, op, value); anything more complex raises :class:`ModelSyntaxError`."""
    out = []
    first = {lab: i for i, lab in reversed(list(enumerate(pt.label))) if lab}
    for s in pt.constraints:
        if s.op == "==":
            continue
        lhs, rhs, op = s.lhs.strip(), s.rhs.strip(), s.op
        try:
            value = float(rhs)
        except ValueError:
            try:
                value, lhs, rhs = float(lhs), rhs, lhs
                op = "<" if op == ">" else ">"
            except ValueError:
                value = math.nan
        if lhs not in first or not math.isfinite(value):
            raise ModelSyntaxError(
                f"model line {s.line}: only simple bounds 'label > number' or 'label < "
                f"number' are supported, not {s.lhs} {s.op} {s.rhs}")
        if pt.free[first[lhs]] == 0:
            raise ModelSyntaxError(f"model line {s.line}: {lhs!r} is a fixed parameter")
        out.append((first[lhs], op, value))
    return out
