"""Standardised solutions of the SEM engine, as lavaan's ``lav_standardize.R``: ``std.lv``,
``std.all`` and ``std.nox`` values of every parameter, defined parameters (``:=``) and the
numerical Jacobian behind their delta-method standard errors. Private: used by
:mod:`analysis.stats._sem_cfa` (the estimates table and ``standardized_solution``).
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from analysis.stats._sem_engine import RamModel
from analysis.stats._sem_partable import (
    MAT_A,
    MAT_D,
    MAT_M,
    MAT_T,
    ParTable,
    label_function,
)
from analysis.stats.lavaan_syntax import parse_expression


def standardize(model: RamModel[Any], values: np.ndarray, kind: str = "std.all",
                 rows: np.ndarray | None = None) -> np.ndarray:
    """lavaan's ``lav_standardize_all`` / ``_lv`` / ``_all_nox`` of every table row.

    Loadings λ·sd(f)/sd(x), regressions β·sd(x)/sd(y), variances by the total variance,
    covariances by the residual standard deviations (``cov.std``), intercepts and
    thresholds by the total SD, scaling factors ``~*~`` 1. std.lv scales by latent SDs
    only (scaling factors and thresholds keep their values); std.nox leaves exogenous
    covariates unscaled. For ordered items the total variance is that of the latent
    response y*: 1/delta^2 in either parameterization. Total variances come from
    ``values``; the numbers standardized are ``rows`` (default ``values``; modification
    indices standardize EPCs).
    """
    pt = model.pt
    rows = values if rows is None else rows
    out = rows.copy()
    for g in range(pt.ngroups):
        A, S, _ = model.ram(values, g)
        E = np.linalg.inv(np.eye(model.t) - A)
        tot = np.diag(E @ S @ E.T)
        with np.errstate(invalid="ignore"):
            sd = np.sqrt(np.where(tot > 0, tot, np.nan))
        var = np.where(np.abs(tot) < np.finfo(float).eps, np.nan, tot)
        scale = np.arange(model.t) >= model.p if kind == "std.lv" else np.ones(model.t, bool)
        if kind == "std.nox":
            scale[[pt.ov.index(v) for v in pt.ov_x]] = False
        sd = np.where(scale, sd, 1.0)
        ix = model.idx[g]
        resid = np.full(model.t, np.nan)
        for i in ix:
            if pt.op[i] == "~~" and pt.lhs[i] == pt.rhs[i]:
                resid[pt.row[i]] = math.sqrt(abs(rows[i]))
        resid = np.where(scale, resid, 1.0)
        r, c, m = pt.row[ix], pt.col[ix], pt.mat[ix]
        with np.errstate(divide="ignore", invalid="ignore"):
            out[ix] = np.select(
                [m == MAT_A, (m == MAT_M) | (m == MAT_T), m == MAT_D, r == c],
                [rows[ix] * sd[c] / sd[r], rows[ix] / sd[r],
                 rows[ix] if kind == "std.lv" else 1.0,
                 np.where(scale[r], rows[ix] / var[r], rows[ix])],
                rows[ix] / (resid[r] * resid[c]))
    return out


def definitions(pt: ParTable):
    if not pt.definitions:
        return None
    trees = [(s.lhs, parse_expression(s.rhs, s.line)) for s in pt.definitions]
    return label_function(pt, trees, pt.definitions[0].line)


def jacobian(func, theta: np.ndarray, h: float = 1e-6) -> np.ndarray:
    cols = []
    for j in range(len(theta)):
        e = np.zeros(len(theta)); e[j] = h * max(1.0, abs(theta[j]))
        cols.append((func(theta + e) - func(theta - e)) / (2 * e[j]))
    return np.column_stack(cols) if cols else np.zeros((len(func(theta)), 0))
