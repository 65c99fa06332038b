"""Robust CFI/TLI/RMSEA of WLSMV fits by the catML approach (lavaan 0.6.14).

Why its own module: lavaan computes these indices in a pass of their own
(``lav_fit_catml_dwls`` with ``lav_object_catml``, called from ``lav_fit_cfi_lavobject``
and ``lav_fit_rmsea_lavobject``) that treats the DWLS fit as a normal-theory ML fit to the
polychoric correlations; it shares no step with the DWLS estimation in
:mod:`analysis.stats._sem_ordinal`, which calls :func:`robust_measures` from its
``fit_measures``.

The catML pass (Savalei 2021), per group g with polychoric matrix ``R_g``, DWLS-implied
correlation matrix ``P_g`` (unit diagonal; thresholds, intercepts and means dropped) and
``n_g`` complete rows:

- ``XX3 = sum_g n_g [log|P_g| + tr(R_g P_g^-1) - log|R_g| - p]``, the ML χ² of the model
  *at the DWLS estimates* (lavaan's catML object is not re-optimised when every observed
  variable is ordered: ``optim.method = "none"``); its df ``df3 = G p(p-1)/2`` minus the
  free parameters other than thresholds, intercepts and means (under the equality
  constraints);
- ``c3 = tr(U' V U Gamma) / df3`` with ``U = I - Delta E^-1 Delta' W``: ``Delta`` the
  correlation rows of the DWLS Jacobian (all groups stacked), ``E^-1`` the inverse DWLS
  information (thresholds included), ``W = diag(f_g W_g)`` the DWLS weights of the
  correlations, ``V = diag(f_g V_g)`` the normal-theory ML weights of the correlations at
  ``P_g`` (``V_(ij),(kl) = P^ik P^jl + P^il P^jk``, ``P^`` the inverse) and
  ``Gamma = diag(Gamma_g / f_g)`` the correlations' block of Gamma, ``f_g = n_g / N``;
- baseline: ``XX3_null = -sum_g n_g log|R_g|`` on ``df3_null = G p(p-1)/2`` with
  ``c3_null = tr(Gamma) / df3_null``.

The indices (``lav_fit_cfi``, ``lav_fit_tli``, ``lav_fit_rni``, ``lav_fit_rmsea*``):
``cfi.robust = 1 - max(XX3 - c3 df, 0) / max(XX3 - c3 df, XX3_null - c3_null df_null, 0)``
with the DWLS model's df and baseline df (uncorrected differences when df = 0),
``tli.robust`` (= ``nnfi.robust``) and ``rni.robust`` alike; ``rmsea.robust =
sqrt(max(XX3/(N df3) - c3/N, 0) G)``, its 90 % interval from the noncentral χ² of
``XX3/c3`` on df3 scaled by ``c3``, and the p-values of H0: RMSEA <= 0.05 (close fit:
upper tail) and H0: RMSEA >= 0.08 (not close: lower tail) from the χ² of ``XX3/c3`` with
noncentrality ``N df3 h0^2 / (c3 G)``, where N = (complete rows) - G as lavaan's
``lav_utils_get_ntotal`` gives for DWLS.

lavaan returns NA for all of them when a group's polychoric matrix is not positive
definite (an eigenvalue below sqrt(machine epsilon); ``cat.check.pd = TRUE``) and when
the catML object cannot be built: its parameter table lacks the threshold and mean rows,
so any equality constraint (``group.equal = "thresholds"``, shared labels, ``==``) or
definition (``:=``) that involves them is an error in lavaan 0.6.14, caught as NA; so
are these indices here.

References: Savalei, V. (2021). Improving fit indices in structural equation modeling
with categorical data. *Multivariate Behavioral Research*, 56(3), 390-407; Brosseau-Liard
& Savalei (2014) *Multivariate Behav Res* 49; Rosseel (2012) *J Stat Softw* 48(2).

Examples
--------
>>> from analysis import datasets
>>> from analysis.stats.sem import cfa
>>> d = datasets.load("ordinal_skewed")
>>> r = cfa(d, "f =~ q1 + q2 + q3 + q4 + q5", ordered=True)
>>> round(r.fit["cfi.robust"], 3), round(r.fit["rmsea.robust"], 3)
(0.997, 0.027)
"""
from __future__ import annotations

import ast
import math
from typing import TYPE_CHECKING

import numpy as np
from scipy import linalg

from analysis.stats import _sem_fit
from analysis.stats.lavaan_syntax import parse_expression

if TYPE_CHECKING:
    from analysis.stats._sem_ordinal import OrdinalModel

__all__ = ["ROBUST_NAMES", "robust_measures"]

ROBUST_NAMES = ("cfi.robust", "tli.robust", "nnfi.robust", "rni.robust", "rmsea.robust",
                "rmsea.ci.lower.robust", "rmsea.ci.upper.robust", "rmsea.pvalue.robust",
                "rmsea.notclose.pvalue.robust")
#: the rows lav_object_catml drops from the parameter table
DROPPED = ("|", "~1")


def _not_buildable(model: OrdinalModel) -> bool:
    """Whether lavaan's catML parameter table would refer to a dropped row (a threshold,
    intercept or mean) in an equality constraint, a ``==``/``<``/``>`` constraint or a
    ``:=`` definition."""
    pt = model.pt
    dropped = np.isin(pt.op, DROPPED)
    free_dropped = set(pt.free[dropped & (pt.free > 0)].tolist())
    if any(free_dropped.intersection(s.tolist()) for s in pt.equal_sets):
        return True
    kept_labels = {lab for lab, d in zip(pt.label, dropped) if lab and not d}
    gone = {lab for lab, d in zip(pt.label, dropped) if lab and d} - kept_labels
    exprs = [s.rhs for s in pt.definitions] + [e for s in pt.constraints for e in (s.lhs, s.rhs)]
    names = {node.id for e in exprs for node in ast.walk(parse_expression(e))
             if isinstance(node, ast.Name)}
    return bool(names & gone)


def catml(model: OrdinalModel, theta: np.ndarray) -> tuple[float, ...] | None:
    """lavaan's ``lav_fit_catml_dwls``: (XX3, df3, c3, XX3_null, df3_null, c3_null), or
    None where lavaan gives NA (a polychoric matrix not positive definite, a catML table
    that cannot be built) and where an implied correlation matrix is not positive definite
    (lavaan's ML discrepancy is infinite there)."""
    G, p = len(model.samples), model.p
    ii, jj = model.pairs
    if any(np.linalg.eigvalsh(s.cov)[0] < math.sqrt(np.finfo(float).eps)
           for s in model.samples) or _not_buildable(model):
        return None
    v = model.values(theta)
    fg = model.w
    XX3 = XX3_null = 0.0
    deltas, V, W, gamma = [], [], [], []
    for g, s in enumerate(model.samples):
        k = len(s.tau)
        P = np.eye(p)
        P[ii, jj] = P[jj, ii] = model.moments(theta, g, v)[k:]
        sign, logdet_p = np.linalg.slogdet(P)
        if sign <= 0:
            return None
        Pi = np.linalg.inv(P)
        logdet_r = np.linalg.slogdet(s.cov)[1]
        XX3 += s.n * (logdet_p + float(np.sum(s.cov * Pi)) - logdet_r - p)
        XX3_null -= s.n * logdet_r
        deltas.append(model.jacobian(theta, g)[k:])
        V.append(fg[g] * (Pi[np.ix_(ii, ii)] * Pi[np.ix_(jj, jj)]
                          + Pi[np.ix_(ii, jj)] * Pi[np.ix_(jj, ii)]))
        W.append(fg[g] * s.w[k:])
        gamma.append(s.gamma[k:, k:] / fg[g])
    D, w = np.vstack(deltas), np.concatenate(W)
    U = np.eye(len(w)) - D @ np.linalg.solve(model.information(theta), D.T * w)
    Gam = linalg.block_diag(*gamma)
    ks = float(np.sum((U.T @ linalg.block_diag(*V) @ U) * Gam.T))
    pt = model.pt
    kept = (pt.free > 0) & ~np.isin(pt.op, DROPPED)
    npar = np.linalg.matrix_rank(model.K[pt.free[kept] - 1]) if kept.any() else 0
    df3 = G * p * (p - 1) / 2 - npar
    df3_null = G * p * (p - 1) / 2
    c3 = ks / df3 if df3 > 0 else np.inf
    return XX3, df3, c3, XX3_null, df3_null, float(np.trace(Gam)) / df3_null


def robust_measures(model: OrdinalModel, theta: np.ndarray, df: float, df_null: float
                    ) -> dict[str, float]:
    """The catML robust indices of :data:`ROBUST_NAMES` (NaN where lavaan gives NA);
    ``df``, ``df_null``: the DWLS model's and baseline's degrees of freedom."""
    out = catml(model, theta)
    if out is None:
        return dict.fromkeys(ROBUST_NAMES, np.nan)
    XX3, df3, c3, XXn, df3n, c3n = out
    N, G = model.N - len(model.samples), len(model.samples)
    c, cn = (c3, c3n) if df > 0 and c3 != 1 and c3n != 1 else (1.0, 1.0)
    tli = _sem_fit.tli(XX3, df, XXn, df_null, c, cn)
    lo, hi = _sem_fit.rmsea_ci(XX3 / c3, df3, N, G, c_hat=c3)
    cdf = lambda h0: (_sem_fit._pchisq_ncp(XX3 / c3, df3, N * df3 / c3 * h0 ** 2 / G)  # noqa: E731
                      if df3 > 0 else np.nan)
    return {"cfi.robust": _sem_fit.cfi(XX3, df, XXn, df_null, c, cn), "tli.robust": tli,
            "nnfi.robust": tli, "rni.robust": 1 - (XX3 - c * df) / (XXn - cn * df_null),
            "rmsea.robust": _sem_fit.rmsea(XX3, df3, N, G, c3) if df3 > 0 else 0.0,
            "rmsea.ci.lower.robust": lo, "rmsea.ci.upper.robust": hi,
            "rmsea.pvalue.robust": 1 - cdf(0.05), "rmsea.notclose.pvalue.robust": cdf(0.08)}
