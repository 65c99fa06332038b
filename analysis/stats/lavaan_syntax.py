"""A parser for the measurement-model subset of lavaan's model syntax.

Researchers write CFA models for :func:`analysis.stats.sem.cfa` exactly as they would for R
lavaan, so models can be copied between the two. This module turns the text into a list
of :class:`Statement` objects; :mod:`analysis.stats.sem` builds the parameter table from them.

Supported (lavaan semantics):

- ``f =~ x1 + x2 + x3`` — factor loadings (measurement);
- ``x1 ~~ x2`` — (residual) variances and covariances, also between factors;
- ``x1 ~ 1`` — intercepts or latent means;
- modifiers before a variable: a number fixes the parameter (``1*x1``, ``0*f2``), ``NA``
  frees it (``NA*x1``), an identifier labels it (``a*x2``; equal labels mean equal
  parameters, across groups too);
- several modifiers for one term (``NA*x1 + a*x1``) combine as in lavaan;
- comments with ``#`` or ``!``, statements on separate lines or separated by ``;``, and a
  statement continued on the next line when a line ends with ``+`` (or the next begins
  with ``+``).

Regressions (``~`` with a predictor), defined parameters (``:=``), constraints and
per-group modifier vectors ``c(...)`` are not supported and raise :class:`ModelSyntaxError`
naming the line. Own code because no Python package parses lavaan syntax with lavaan's
defaults (semopy's dialect differs: no ``NA*`` freeing, different defaults).

Examples
--------
>>> from analysis.stats.lavaan_syntax import parse_model
>>> [(s.lhs, s.op, s.rhs, s.fixed) for s in parse_model("f =~ 1*x1 + x2  # two items")]
[('f', '=~', 'x1', 1.0), ('f', '=~', 'x2', None)]
"""
from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["ModelSyntaxError", "Statement", "parse_model"]

_OPERATORS = ("=~", "~~", ":=", "==", "<", ">", "~")
_NAME = re.compile(r"^[A-Za-z_.][A-Za-z0-9_.]*$")
_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")


class ModelSyntaxError(ValueError):
    """Bad lavaan model syntax; the message names the line and what was expected."""


@dataclass(frozen=True)
class Statement:
    """One parameter specified by the user.

    ``fixed`` is the fixed value (``None`` when free or unspecified), ``free`` is True when
    the user freed it explicitly with ``NA*``, ``label`` the equality label (or ``""``),
    ``line`` the 1-based line number in the model text.
    """

    lhs: str
    op: str
    rhs: str
    fixed: float | None = None
    free: bool = False
    label: str = ""
    line: int = 0


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
    for op in _OPERATORS:
        if op in text:
            lhs, rhs = text.split(op, 1)
            return lhs.strip(), op, rhs.strip()
    raise ModelSyntaxError(
        f"model line {line}: {text!r} has no operator; expected one of '=~', '~~' or '~ 1'")


def _parse_term(term: str, lhs: str, op: str, line: int) -> Statement:
    parts = [p.strip() for p in term.split("*")]
    name = parts[-1]
    if not _NAME.match(name):
        raise ModelSyntaxError(
            f"model line {line}: {name!r} is not a valid variable name in term {term!r}")
    fixed, free, label = None, False, ""
    for mod in parts[:-1]:
        if _NUMBER.match(mod):
            fixed, free = float(mod), False
        elif mod == "NA":
            fixed, free = None, True
        elif mod.startswith("c(") or "(" in mod:
            raise ModelSyntaxError(
                f"model line {line}: modifier {mod!r} in {term!r} is not supported; expected "
                "a number (fixed value), NA (free) or a label")
        elif _NAME.match(mod):
            label = mod
        else:
            raise ModelSyntaxError(
                f"model line {line}: cannot read modifier {mod!r} in {term!r}; expected a "
                "number, NA or a label")
    return Statement(lhs, op, name, fixed, free, label, line)


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
    >>> s = parse_model("visual =~ x1 + a*x2\\nx1 ~~ 0*x2")
    >>> [(x.op, x.rhs, x.label, x.fixed) for x in s]
    [('=~', 'x1', '', None), ('=~', 'x2', 'a', None), ('~~', 'x2', '', 0.0)]
    """
    if not isinstance(model, str) or not model.strip():
        raise ModelSyntaxError("model syntax is empty; expected e.g. 'f =~ x1 + x2 + x3'")
    out: list[Statement] = []
    for line, text in _logical_lines(model):
        lhs, op, rhs = _split_operator(text, line)
        if op in (":=", "==", "<", ">"):
            raise ModelSyntaxError(
                f"model line {line}: operator {op!r} (constraints/defined parameters) is not "
                "supported; expected '=~', '~~' or '~ 1'")
        if not _NAME.match(lhs):
            raise ModelSyntaxError(
                f"model line {line}: left-hand side {lhs!r} is not a valid variable name")
        if not rhs or rhs.endswith("+"):
            raise ModelSyntaxError(f"model line {line}: {text!r} has nothing after {op!r}")
        terms = [t.strip() for t in rhs.split("+")]
        if any(not t for t in terms):
            raise ModelSyntaxError(f"model line {line}: empty term in {text!r}")
        if op == "~":
            mods = [t.split("*") for t in terms]
            if len(terms) != 1 or mods[0][-1].strip() != "1":
                raise ModelSyntaxError(
                    f"model line {line}: regressions ({text!r}) are not supported; only "
                    "intercepts 'x ~ 1' may use '~'")
            stmt = _parse_term("*".join(mods[0][:-1] + ["__one__"]), lhs, "~1", line)
            out.append(Statement(lhs, "~1", "", stmt.fixed, stmt.free, stmt.label, line))
            continue
        merged: dict[str, Statement] = {}
        for term in terms:
            st = _parse_term(term, lhs, op, line)
            prev = merged.get(st.rhs)
            if prev is not None:  # NA*x1 + a*x1: combine the modifiers, as lavaan does
                st = Statement(lhs, op, st.rhs,
                               st.fixed if st.fixed is not None else prev.fixed,
                               st.free or prev.free, st.label or prev.label, line)
            merged[st.rhs] = st
        out.extend(merged.values())
    keys = [(s.lhs, s.op, s.rhs) for s in out]
    for i, key in enumerate(keys):
        sym = (key[2], key[1], key[0])
        if key in keys[:i] or (key[1] == "~~" and key[0] != key[2] and sym in keys[:i]):
            raise ModelSyntaxError(
                f"model line {out[i].line}: parameter '{key[0]} {key[1]} {key[2]}' is "
                "specified twice")
    return out
