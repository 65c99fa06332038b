"""A parser for lavaan's model syntax (the single-level subset).

Researchers write models for :func:`analysis.stats.sem.cfa` / :func:`analysis.stats.sem.sem`
exactly as they would for R lavaan, so models can be copied between the two. This module
turns the text into a list of :class:`Statement` objects; :mod:`analysis.stats._sem_partable`
builds lavaan's parameter table from them.

Supported (lavaan semantics):

- ``f =~ x1 + x2 + x3`` — factor loadings (also a factor measured by factors);
- ``y ~ x1 + f`` — regressions among observed and latent variables; ``y ~ 1`` an
  intercept (or a latent mean); several left-hand sides ``y1 + y2 ~ x``;
- ``x1 ~~ x2`` — (residual) variances and covariances;
- ``u1 | t1 + t2`` — thresholds of an ordered item (``t1``, ``t2``, … as lavaan names
  them); ``u1 ~*~ u1`` — its scaling factor (delta parameterization); both take the same
  modifiers (``u1 | c(a, a)*t1``, ``u1 ~*~ c(1, NA)*u1``), as ``semTools::measEq.syntax``
  writes them;
- modifiers before a variable: a number fixes the parameter (``1*x1``), ``NA`` frees it
  (``NA*x1``), an identifier labels it (``a*x2``; equal labels mean equal parameters,
  across groups too), ``start(0.5)*x`` gives a starting value, ``label("a")*x`` a label;
  ``c(...)`` gives one modifier per group (``c(a, b)*x``, ``c(1, NA)*x``,
  ``c(a, a)*x``); several modifiers for one term (``NA*x1 + a*x1``, ``c(a,b)*NA*x``)
  combine as in lavaan;
- ``ab := a*b`` — defined parameters (functions of labels: ``+ - * / ^``, parentheses,
  numbers, ``sqrt exp log abs``), reported with delta-method standard errors;
- ``a == b`` , ``a == 2*b`` — linear equality constraints; ``a > 0``, ``a < 1`` — simple
  bounds on one labelled parameter;
- comments with ``#`` or ``!``, statements on separate lines or separated by ``;``, and a
  statement continued on the next line when a line ends with ``+`` (or the next begins
  with ``+``).

Anything else (formative ``<~``, blocks ``group:``,
interaction terms ``x:z``, ``efa()``) raises :class:`ModelSyntaxError` naming the line, the
construct and the nearest supported alternative. Own code because no Python package parses
lavaan syntax with lavaan's defaults (semopy's dialect differs: no ``NA*`` freeing, no
per-group modifiers).

Examples
--------
>>> from analysis.stats.lavaan_syntax import parse_model
>>> [(s.lhs, s.op, s.rhs, s.fixed) for s in parse_model("f =~ 1*x1 + x2  # two items")]
[('f', '=~', 'x1', 1.0), ('f', '=~', 'x2', None)]
>>> [(s.lhs, s.op, s.rhs) for s in parse_model("y ~ a*x\\nind := a*b")]
[('y', '~', 'x'), ('ind', ':=', 'a*b')]
"""
from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from typing import Union

__all__ = ["ModelSyntaxError", "Statement", "parse_model", "parse_expression", "PARAMETER_OPS"]

#: Operators that define a model parameter (the others define constraints or functions).
PARAMETER_OPS = ("=~", "~", "~~", "~1", "|", "~*~")
_NAME = re.compile(r"^[A-Za-z_.][A-Za-z0-9_.]*$")
_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
_UNSUPPORTED = {
    "<~": "formative indicators ('<~') are not supported; model the composite as an "
          "observed sum score or use '=~'",
    "%": "the '%' operator is not supported",
}
#: A modifier value: one per model, or a tuple with one entry per group (``c(...)``).
Fixed = Union[float, None, tuple]
Label = Union[str, tuple]


class ModelSyntaxError(ValueError):
    """Bad or unsupported lavaan model syntax; the message names the line and what was
    expected."""


@dataclass(frozen=True)
class Statement:
    """One statement of the model.

    For parameters (``op`` in ``=~ ~ ~~ ~1``): ``fixed`` is the fixed value (``None`` when
    free or unspecified), ``free`` is True when freed explicitly with ``NA*``, ``label`` the
    equality label (or ``""``), ``start`` a user starting value. Each may instead be a
    tuple with one entry per group (from ``c(...)``; ``None`` in ``fixed`` is ``NA``).
    For ``:=`` the ``lhs`` is the new name and ``rhs`` the expression; for ``==``, ``<``,
    ``>`` both sides are expressions. ``line`` is the 1-based line number.
    """

    lhs: str
    op: str
    rhs: str
    fixed: Fixed = None
    free: bool | tuple = False
    label: Label = ""
    line: int = 0
    start: Fixed = None


def _logical_lines(model: str) -> list[tuple[int, str]]:
    """Split into statements with their starting line numbers; join continuation lines."""
    pieces: list[tuple[int, str]] = []
    for number, raw in enumerate(model.splitlines(), start=1):
        text = re.split(r"[#!]", raw, maxsplit=1)[0]
        for part in text.split(";"):
            part = part.strip()
            if not part:
                continue
            if pieces and (pieces[-1][1].endswith("+") or part.startswith("+")):
                pieces[-1] = (pieces[-1][0], pieces[-1][1] + " " + part)
            else:
                pieces.append((number, part))
    return pieces


def _split_operator(text: str, line: int) -> tuple[str, str, str]:
    for op in ("=~", "<~", "~*~", "~~", "~", "==", ":=", "<", ">", "|", "%", ":"):
        if op in text:
            lhs, rhs = text.split(op, 1)
            if op in _UNSUPPORTED:
                raise ModelSyntaxError(f"model line {line}: {_UNSUPPORTED[op]}")
            if op == ":":
                raise ModelSyntaxError(
                    f"model line {line}: block labels ({text!r}) are not supported; give "
                    "per-group values with c(...) modifiers, e.g. 'f =~ c(1, NA)*x1'")
            return lhs.strip(), op, rhs.strip()
    raise ModelSyntaxError(
        f"model line {line}: {text!r} has no operator; expected one of '=~', '~', '~~', "
        "'|', '~*~', ':=', '==', '<', '>'")


def _split_top(text: str, sep: str) -> list[str]:
    """Split at ``sep`` outside parentheses."""
    out, depth, cur = [], 0, ""
    for ch in text:
        depth += (ch == "(") - (ch == ")")
        if ch == sep and depth == 0:
            out.append(cur)
            cur = ""
        else:
            cur += ch
    out.append(cur)
    return [p.strip() for p in out]


def _scalar(tok: str, line: int, term: str) -> tuple[str, object]:
    """One modifier value: ('fixed', float), ('free', None) or ('label', str)."""
    tok = tok.strip()
    if _NUMBER.match(tok):
        return "fixed", float(tok)
    if tok == "NA":
        return "free", None
    if len(tok) >= 2 and tok[0] == tok[-1] and tok[0] in "\"'":
        tok = tok[1:-1]
    if _NAME.match(tok):
        return "label", tok
    raise ModelSyntaxError(
        f"model line {line}: cannot read modifier {tok!r} in {term!r}; expected a number, NA "
        "or a label")


def _apply(acc: dict, kind: str, value) -> None:
    if kind == "fixed":
        acc["fixed"], acc["free"] = value, False
    elif kind == "free":
        acc["fixed"], acc["free"] = None, True
    else:
        acc[kind] = value


def _parse_term(term: str, line: int) -> tuple[str, dict]:
    """``mods*name`` → (name, modifiers); vector modifiers become per-group tuples."""
    parts = _split_top(term, "*")
    name = parts[-1]
    acc: dict = {"fixed": None, "free": False, "label": "", "start": None}
    for mod in parts[:-1]:
        m = re.match(r"^([A-Za-z_.][A-Za-z0-9_.]*)\((.*)\)$", mod)
        func, inside = (m.group(1), m.group(2)) if m else ("", "")
        if func in ("c", "start", "label"):
            values = [_scalar(v, line, term) for v in _split_top(inside, ",")]
            if func == "start":
                if any(k == "label" for k, _ in values):
                    raise ModelSyntaxError(f"model line {line}: start() in {term!r} needs numbers")
                vals = tuple(v if k == "fixed" else None for k, v in values)
                acc["start"] = vals[0] if len(vals) == 1 else vals
                continue
            if func == "label":
                values = [("label", v if k == "label" else str(v)) for k, v in values]
            kinds = {k for k, _ in values}
            if len(values) == 1:
                _apply(acc, *values[0])
            elif kinds <= {"label"}:
                acc["label"] = tuple(v for _, v in values)
            elif kinds <= {"fixed", "free"}:
                acc["fixed"] = tuple(v for _, v in values)
                acc["free"] = tuple(k == "free" for k, _ in values)
            else:
                raise ModelSyntaxError(
                    f"model line {line}: modifier {mod!r} in {term!r} mixes labels and values; "
                    "write labels and values as separate modifiers, e.g. c(a,b)*c(1,NA)*x")
        elif m:
            raise ModelSyntaxError(
                f"model line {line}: modifier {mod!r} in {term!r} is not supported; expected a "
                "number, NA, a label, c(...), start(...) or label(...)")
        else:
            _apply(acc, *_scalar(mod, line, term))
    return name, acc


def _merge(prev: Statement, acc: dict) -> dict:
    """NA*x1 + a*x1: later modifiers add to earlier ones, as in lavaan."""
    return {"fixed": acc["fixed"] if acc["fixed"] is not None or acc["free"] else prev.fixed,
            "free": acc["free"] or prev.free, "label": acc["label"] or prev.label,
            "start": acc["start"] if acc["start"] is not None else prev.start}


def parse_expression(text: str, line: int = 0) -> ast.Expression:
    """Parse the arithmetic of ``:=``, ``==``, ``<``, ``>`` (R's ``^`` is power).

    Allowed: numbers, names (parameter labels or defined parameters), ``+ - * / ^``,
    parentheses and the functions ``sqrt exp log abs``.

    Examples
    --------
    >>> import ast
    >>> ast.unparse(parse_expression("a*b + c^2"))
    'a * b + c ** 2'
    """
    try:
        tree = ast.parse(text.replace("^", "**"), mode="eval")
    except SyntaxError:
        raise ModelSyntaxError(f"model line {line}: cannot read the expression {text!r}") from None
    for node in ast.walk(tree):
        ok = isinstance(node, (ast.Expression, ast.BinOp, ast.UnaryOp, ast.Name, ast.Load,
                               ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow, ast.USub,
                               ast.UAdd, ast.Call)) or (
            isinstance(node, ast.Constant) and isinstance(node.value, (int, float)))
        if isinstance(node, ast.Call):
            ok = (isinstance(node.func, ast.Name) and node.func.id in ("sqrt", "exp", "log", "abs")
                  and len(node.args) == 1 and not node.keywords)
        if not ok:
            raise ModelSyntaxError(
                f"model line {line}: {text!r} uses something other than numbers, labels, "
                "+ - * / ^, parentheses and sqrt/exp/log/abs")
    return tree


def parse_model(model: str) -> list[Statement]:
    """Parse lavaan model syntax into statements, in the order written.

    Parameters
    ----------
    model : str
        lavaan model syntax (see the module docstring for the supported subset).

    Returns
    -------
    list of Statement

    Raises
    ------
    ModelSyntaxError
        With the line number, the offending text and what was expected.

    Examples
    --------
    >>> s = parse_model("visual =~ x1 + a*x2\\nx1 ~~ 0*x2\\ny ~ c(b1, b2)*x1")
    >>> [(x.op, x.rhs, x.label, x.fixed) for x in s]
    [('=~', 'x1', '', None), ('=~', 'x2', 'a', None), ('~~', 'x2', '', 0.0), ('~', 'x1', ('b1', 'b2'), None)]
    """
    if not isinstance(model, str) or not model.strip():
        raise ModelSyntaxError("model syntax is empty; expected e.g. 'f =~ x1 + x2 + x3'")
    out: list[Statement] = []
    for line, text in _logical_lines(model):
        lhs, op, rhs = _split_operator(text, line)
        if not rhs or rhs.endswith("+"):
            raise ModelSyntaxError(f"model line {line}: {text!r} has nothing after {op!r}")
        if op in (":=", "==", "<", ">"):
            if op == ":=" and not _NAME.match(lhs):
                raise ModelSyntaxError(
                    f"model line {line}: the defined parameter {lhs!r} is not a valid name")
            for side in ([rhs] if op == ":=" else [lhs, rhs]):
                parse_expression(side, line)
            out.append(Statement(lhs, op, rhs, line=line))
            continue
        lhs_names = [n.strip() for n in lhs.split("+")]
        for name in lhs_names:
            if not _NAME.match(name):
                raise ModelSyntaxError(
                    f"model line {line}: left-hand side {name!r} is not a valid variable name")
        terms = _split_top(rhs, "+")
        if any(not t for t in terms):
            raise ModelSyntaxError(f"model line {line}: empty term in {text!r}")
        merged: dict[tuple[str, str], Statement] = {}
        for term in terms:
            name, acc = _parse_term(term, line)
            this_op = op
            if name == "1" and op == "~":
                this_op, name = "~1", ""
            elif op == "|" and not re.fullmatch(r"t[1-9][0-9]*", name):
                raise ModelSyntaxError(
                    f"model line {line}: threshold {name!r} of {lhs!r} must be named t1, t2, "
                    "... (lavaan's names)")
            elif op == "~*~" and name != lhs:
                raise ModelSyntaxError(
                    f"model line {line}: a scaling factor is written '{lhs} ~*~ {lhs}', not "
                    f"'{lhs} ~*~ {name}'")
            elif ":" in name:
                raise ModelSyntaxError(
                    f"model line {line}: interaction term {name!r} is not supported; compute "
                    "the product as a column of the data and use that variable")
            elif not _NAME.match(name):
                raise ModelSyntaxError(
                    f"model line {line}: {name!r} is not a valid variable name in term {term!r}")
            for lhs_name in lhs_names:
                key = (lhs_name, this_op + name)
                if key in merged:
                    acc = _merge(merged[key], acc)
                merged[key] = Statement(lhs_name, this_op, name, acc["fixed"], acc["free"],
                                        acc["label"], line, acc["start"])
        for st in merged.values():
            if st.op == "=~" and st.lhs == st.rhs:
                raise ModelSyntaxError(
                    f"model line {line}: latent variable {st.lhs!r} cannot be measured by itself")
        out.extend(merged.values())
    keys = [(s.lhs, s.op, s.rhs) for s in out if s.op in PARAMETER_OPS]
    lines = [s.line for s in out if s.op in PARAMETER_OPS]
    for i, (lhs, op, rhs) in enumerate(keys):
        if (lhs, op, rhs) in keys[:i] or (op == "~~" and lhs != rhs and (rhs, op, lhs) in keys[:i]):
            raise ModelSyntaxError(
                f"model line {lines[i]}: parameter '{lhs} {op} {rhs}' is specified twice")
    return out
