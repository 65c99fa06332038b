"""Starting values of the SEM engine, as lavaan's ``lav_start.R``: fabin3 loadings (Hägglund
1982) for factors with three or more indicators, half the observed variances, and the further
deterministic starts tried when the first path is rough or improper. Private: used by
:mod:`analysis.stats._sem_cfa`.
"""
from __future__ import annotations

import math
from typing import Sequence

import numpy as np

from analysis.stats._sem_engine import Sample
from analysis.stats._sem_partable import (
    ParTable,
)


def three_indicators(S: np.ndarray, std_lv: bool) -> np.ndarray:
    """lavaan's ``lav_cfa_1fac_3ind`` loadings (1–3 indicators)."""
    nvar = len(S)
    if nvar == 1:
        S = np.ones((3, 3))
    elif nvar == 2:
        extra = np.array([np.mean(np.diag(S)), S[1, 0]])
        S = np.block([[S, extra[:, None]], [extra[None, :], np.array([[np.max(np.diag(S))]])]])
    s11, s22, s33, s21, s31, s32 = S[0, 0], S[1, 1], S[2, 2], S[1, 0], S[2, 0], S[2, 1]
    with np.errstate(divide="ignore", invalid="ignore"):
        psi = s21 * s31 / s32
        l2, l3 = s32 / s31, s32 / s21
    lower = 0.1 * s11
    psi = min(max(psi, lower), s11)
    l2 = min(max(-math.sqrt(s22 / lower), l2), math.sqrt(s22 / lower))
    l3 = min(max(-math.sqrt(s33 / lower), l3), math.sqrt(s33 / lower))
    lam = np.array([1.0, l2, l3])
    if s21 * s31 * s32 < 0:
        lam = np.full(3, 0.7 if std_lv else 1.0)
    elif std_lv:
        lam = lam * math.copysign(math.sqrt(abs(psi)), psi)
    return lam[:nvar]


def fabin3(S: np.ndarray, std_lv: bool) -> np.ndarray:
    """lavaan's ``lav_cfa_1fac_fabin`` (fabin3) loadings of one factor."""
    nvar = len(S)
    if nvar < 4:
        return three_indicators(S, std_lv)
    lam = np.ones(nvar)
    for i in range(1, nvar):
        idx3 = [j for j in range(nvar) if j not in (0, i)]
        s23, s31 = S[i, idx3], S[idx3, 0]
        try:
            tmp = np.linalg.solve(S[np.ix_(idx3, idx3)], s31)
            lam[i] = np.sum(s23 * tmp) / np.sum(s31 * tmp)
        except np.linalg.LinAlgError:
            lam[i] = np.sum(s23 * s31) / np.sum(s31 ** 2)
    lower = 0.1 * S[0, 0]
    bound = np.sqrt(np.diag(S)[1:] / lower)
    lam[1:] = np.clip(lam[1:], -bound, bound)
    if std_lv:
        D = np.outer(lam, lam) / np.sum(lam ** 2)
        theta = np.linalg.solve(np.eye(nvar) - D * D, np.diag(S - D @ S @ D))
        S1 = S - np.diag(theta)
        psi = lam @ S1 @ lam / np.sum(lam ** 2) ** 2
        lam = lam * math.copysign(math.sqrt(abs(psi)), psi)
    return lam


def start_values(pt: ParTable, samples: Sequence[Sample]) -> np.ndarray:
    """lavaan's default starting values (``lav_start``), on the full parameter table."""
    start = np.zeros(len(pt))
    op = np.array(pt.op)
    lhs, rhs = np.array(pt.lhs), np.array(pt.rhs)
    lv, ov = pt.lv, pt.ov
    start[op == "=~"] = 1.0
    start[(op == "~~") & (lhs == rhs) & np.isin(lhs, lv)] = 0.05
    oi = {v: i for i, v in enumerate(ov)}
    for g, s in enumerate(samples):
        ing = pt.group == g + 1
        var = ing & (op == "~~") & (lhs == rhs) & np.isin(lhs, ov)
        start[var] = 0.5 * np.diag(s.cov)[[oi[v] for v in lhs[var]]]
        for f in lv:
            lam = np.flatnonzero(ing & (op == "=~") & (lhs == f))
            if np.isin(rhs[lam], lv).any() or not lam.size:
                continue
            fv = np.flatnonzero(ing & (op == "~~") & (lhs == f) & (rhs == f))
            std_lv = bool(fv.size and (pt.free[fv] == 0).all() and (pt.value[fv] == 1).all())
            items = [oi[v] for v in rhs[lam]]
            vals = fabin3(s.cov[np.ix_(items, items)], std_lv)
            vals[~np.isfinite(vals)] = 1.0
            start[lam] = vals
        ints = ing & (op == "~1") & np.isin(lhs, ov)
        start[ints] = s.mean[[oi[v] for v in lhs[ints]]]
        if not lv:       # path model: regressions by least squares
            for y in dict.fromkeys(lhs[ing & (op == "~")]):
                reg = np.flatnonzero(ing & (op == "~") & (lhs == y))
                xs = [oi[v] for v in rhs[reg]]
                sxy = s.cov[xs, oi[y]]
                beta = np.linalg.lstsq(s.cov[np.ix_(xs, xs)], sxy, rcond=None)[0]
                start[reg] = beta
                res = s.cov[oi[y], oi[y]] - beta @ sxy
                rv = np.flatnonzero(ing & (op == "~~") & (lhs == y) & (rhs == y))
                if 0.01 * s.cov[oi[y], oi[y]] < res < 0.99 * s.cov[oi[y], oi[y]]:
                    start[rv] = res
    user = np.isfinite(pt.start)
    start[user] = pt.start[user]
    return start


def x_from_rows(pt: ParTable, rows: np.ndarray) -> np.ndarray:
    free = pt.free > 0
    x = np.zeros(pt.n_x)
    x[pt.free[free] - 1] = rows[free]
    return x


def alternative_starts(pt: ParTable, samples: Sequence[Sample], first: np.ndarray,
                        n_random: int = 6) -> list[np.ndarray]:
    """Further deterministic starting values: lavaan's "simple" values, principal-axis
    loadings, and seeded perturbations of the default values."""
    op = np.array(pt.op)
    lhs, rhs = np.array(pt.lhs), np.array(pt.rhs)
    oi = {v: i for i, v in enumerate(pt.ov)}
    simple = np.where(op == "=~", 1.0, 0.0)
    simple[(op == "~~") & (lhs == rhs)] = 1.0
    simple[(op == "~1")] = first[op == "~1"]
    axis = first.copy()
    for g, s in enumerate(samples):
        ing = pt.group == g + 1
        for f in pt.lv:
            lam = np.flatnonzero(ing & (op == "=~") & (lhs == f) & np.isin(rhs, pt.ov))
            if not lam.size:
                continue
            items = [oi[v] for v in rhs[lam]]
            e, v = np.linalg.eigh(s.cov[np.ix_(items, items)])
            ell = v[:, -1] * math.sqrt(max(e[-1], 1e-8))
            ell = ell if ell.sum() >= 0 else -ell
            fixed = pt.free[lam] == 0
            scale = ell[np.flatnonzero(fixed)[0]] / pt.value[lam][fixed][0] if fixed.any() \
                and pt.value[lam][fixed][0] != 0 else 1.0
            axis[lam] = ell / scale
            fv = np.flatnonzero(ing & (op == "~~") & (lhs == f) & (rhs == f))
            axis[fv] = scale ** 2 if fixed.any() else 1.0
    out = [simple, axis]
    rng = np.random.default_rng(20261122)
    load = op == "=~"
    var = (op == "~~") & (lhs == rhs)
    for _ in range(n_random):
        x = first.copy()
        x[load] *= np.exp(rng.normal(0.0, 0.4, load.sum()))
        x[var] *= rng.uniform(0.4, 1.6, var.sum())
        out.append(x)
    user = np.isfinite(pt.start)
    for x in out:
        x[user] = pt.start[user]
    return out
