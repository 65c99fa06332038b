"""Structural equation models (CFA and full SEM) that reproduce R lavaan 0.6.14.

Why own code: the Python SEM libraries disagree with lavaan. semopy 2.3 reports wrong
AIC/BIC/log-likelihood, has no SRMR and no RMSEA confidence interval, divides RMSEA by
N − 1 instead of N, cannot constrain parameters across groups (so no measurement
invariance) and has no FIML with lavaan's EM-based χ². Researchers put our numbers next
to lavaan's, so this package implements the estimator and lavaan's exact formulas with
numpy/scipy and tests them against committed lavaan output (``tests/r/*.R`` →
``tests/fixtures/r/*.json``). The work is split over four modules: the model syntax
(:mod:`analysis.stats.lavaan_syntax`), lavaan's parameter table
(:mod:`analysis.stats._sem_partable`), the likelihood and its derivatives
(:mod:`analysis.stats._sem_engine`) and the fit measures (:mod:`analysis.stats._sem_fit`);
this module is the public face.

Models and defaults (lavaan's ``cfa()``/``sem()``)
--------------------------------------------------
Factor loadings (``=~``), regressions among observed and latent variables (``~``),
(residual) covariances (``~~``), intercepts (``~ 1``), labels and equality constraints,
per-group modifiers ``c(...)``, defined parameters (``:=``, delta-method SEs), linear
``==`` constraints and simple bounds ``a > 0``. The first loading of each factor is fixed
to 1 (``std_lv=True``: factor variances fixed to 1); exogenous latent variables covary;
exogenous observed covariates are fixed at their sample moments (``fixed.x``). Multi-group
models and ``missing="ml"`` have a meanstructure; a single-group complete-data model has
none.

Estimation
----------
Maximum likelihood: Fisher scoring with an analytic gradient, step halving and a BFGS
fallback, started from lavaan's starting values (fabin3 loadings, half the observed
variances). When that path is rough (the step had to be shortened more than once), a
quasi-Newton path from the same values (the path of lavaan's nlminb) is compared with it;
when the two disagree, or the solution is improper or not converged, further deterministic
starting values are tried (lavaan's "simple" values, principal-axis loadings, seeded
perturbations). The lowest minimum is kept, a proper one when it is as low as an improper
one, and a warning names the minima when several were found. Improper solutions (negative
variances, non-positive-definite latent or residual covariance matrices) and
non-convergence set ``admissible=False`` and are named in ``warnings``. A fit has
converged when the largest element of the gradient of the discrepancy per row (χ²/N) over
the free parameters is within ``GRAD_TOL`` = 1e-6 of :mod:`analysis.stats._sem_engine` (a
stated tolerance, not an iteration count; fits normally end below 1e-9, whatever the BLAS
kernel); WLSMV fits follow the same rule, with Gauss–Newton steps and the same further
starting values.

Missing data: ``missing="listwise"`` (lavaan's default) removes incomplete rows;
``missing="ml"`` is full-information ML (casewise likelihood, rows with no model variable
removed; rows lacking an exogenous covariate removed too unless ``missing="ml.x"``). The
χ² then compares with the unrestricted model estimated by lavaan's EM algorithm.

Ordered items (``ordered=``): lavaan's WLSMV — DWLS on the thresholds and polychoric
correlations, delta parameterization, robust SEs and the scaled-shifted test
(:mod:`analysis.stats._sem_ordinal`); :func:`invariance` then follows semTools'
``measEq.syntax`` (Wu & Estabrook 2016) and lavaan's Satorra (2000) difference test.

Standard errors: ML with complete data uses the expected information; with FIML the
observed information (the Hessian, lavaan's default for ``missing="ml"``). MLR uses the
Huber–White sandwich with the observed information and the Yuan–Bentler (Mplus) scaled
χ² (:mod:`analysis.stats._sem_fit`).

References: Bollen (1989) *Structural equations with latent variables*; Enders (2010)
*Applied Missing Data Analysis*; Yuan & Bentler (2000); Sörbom (1989) and Saris, Satorra
& Sörbom (1987) for modification indices; Rosseel (2012) lavaan, *J Stat Softw* 48(2);
Chen (2007) *Structural Equation Modeling* 14(3) for the invariance criteria.

Examples
--------
>>> import pandas as pd
>>> from analysis.stats.sem import cfa
>>> from analysis import datasets
>>> hs = datasets.load("holzinger_swineford_1939")
>>> res = cfa(hs, "visual =~ x1 + x2 + x3; textual =~ x4 + x5 + x6; speed =~ x7 + x8 + x9")
>>> round(res.fit["chisq"], 3), int(res.fit["df"]), round(res.fit["cfi"], 3)
(85.306, 24, 0.931)
"""
from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats
from threadpoolctl import threadpool_limits

from analysis.stats import _sem_fit, _sem_ordinal
from analysis.stats.criteria import limits
from analysis.stats.lavaan_syntax import ModelSyntaxError, parse_expression, parse_model
from analysis.stats.results import Result
from analysis.stats._sem_engine import Model, Sample, make_sample, near_singular
from analysis.stats._sem_ordinal import OrdinalModel, make_ordinal_sample
from analysis.stats._sem_partable import (GROUP_EQUAL, MAT_A, MAT_D, MAT_M, MAT_S, MAT_T, ParTable,
                                         bounds, build_partable, label_function,
                                         observed_variables, reparametrize)

__all__ = ["CFAResult", "ScoreTestResult", "cfa", "sem", "invariance", "measurement_syntax",
           "latent_mean_differences", "modification_indices", "standardized_solution",
           "equality_score_tests", "ModelSyntaxError", "GROUP_EQUAL", "CHEN_2007", "MISSING"]

#: Chen (2007) cut-offs per invariance step, from the criteria table (analysis.stats.criteria).
CHEN_2007 = limits("cross-cultural validity / measurement invariance")
MISSING = ("listwise", "ml", "ml.x")
_EPS34 = np.finfo(float).eps ** 0.75


def _one_blas_thread(func):
    """The matrices here are small: threaded BLAS only adds contention (hundreds of times
    slower on a busy two-core machine), so public functions run single-threaded."""
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with threadpool_limits(limits=1, user_api="blas"):
            return func(*args, **kwargs)
    return wrapper


# --------------------------------------------------------------------------- results
@dataclass(frozen=True)
class CFAResult(Result):
    """Result of :func:`cfa` / :func:`sem`.

    Attributes
    ----------
    estimates : DataFrame
        Like lavaan's ``parameterEstimates(standardized=TRUE)``: ``lhs, op, rhs, group``
        (1-based; 0 for defined parameters), ``label, est, se, z, pvalue, ci_lower,
        ci_upper, std_all``. Fixed parameters have se 0. Also returned by ``to_frame()``.
    fit : dict
        lavaan ``fitMeasures`` names (see :func:`cfa`); NaN when the model was not fitted.
    converged : bool
    admissible : bool
        False for a non-converged or improper solution (negative variance, latent or
        residual covariance matrix not positive definite); the reasons are in
        ``warnings``.
    warnings : tuple of str
        Improper solutions, non-positive-definite matrices, rows removed, non-convergence.
    n : int
        Rows analysed (all groups).
    n_total : int
        Rows in the data.
    n_patterns : int
        Missing-data patterns among the analysed rows (summed over groups; 1 per group
        for complete data).
    missing : str
        ``"listwise"``, ``"ml"`` or ``"ml.x"``.
    model, estimator : str
    group_labels : tuple of str
        Group values in lavaan's order (first appearance); ``()`` for one group.
    implied : dict
        Model-implied covariance matrix (DataFrame) per group label (``"all"`` for one
        group).
    """

    estimates: pd.DataFrame
    fit: Mapping[str, float]
    converged: bool
    warnings: tuple[str, ...]
    n: int
    model: str
    estimator: str
    group_labels: tuple[str, ...] = ()
    implied: Mapping[str, pd.DataFrame] = field(default_factory=dict)
    admissible: bool = True
    missing: str = "listwise"
    n_total: int = 0
    n_patterns: int = 1
    _state: Any = field(default=None, repr=False, compare=False)

    def to_frame(self) -> pd.DataFrame:
        """The parameter table (``estimates``)."""
        return self.estimates.copy()


@dataclass(frozen=True)
class ScoreTestResult(Result):
    """Score (Lagrange multiplier) tests of equality constraints, as ``lavTestScore``.

    ``X2, df, pvalue`` test releasing all constraints at once; ``univariate`` (also
    ``to_frame()``) releases one constraint at a time.
    """

    X2: float
    df: int
    pvalue: float
    univariate: pd.DataFrame

    def to_frame(self) -> pd.DataFrame:
        return self.univariate.copy()


@dataclass
class _State:
    """What later analyses (standardized solution, modification indices) need."""

    pt: ParTable
    model: Model
    theta: np.ndarray
    vcov: np.ndarray | None
    on_bound: np.ndarray | None = None     # table rows held at an active bound (no SE)


# ----------------------------------------------------------------------------- data
def _prepare(data: pd.DataFrame, ov: Sequence[str], ov_x: Sequence[str], group: str | None,
             missing: str) -> tuple[list[np.ndarray], tuple[str, ...], list[str]]:
    """Numeric matrices per group (rows with missing values kept for FIML)."""
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"data must be a pandas DataFrame, got {type(data).__name__}")
    need = list(ov) + ([group] if group else [])
    absent = [v for v in need if v not in data.columns]
    if absent:
        raise ValueError(f"data has no column(s) {absent} used in the model/group; "
                         f"available columns: {list(data.columns)}")
    problems = []
    X = pd.DataFrame(index=data.index)
    for v in ov:
        col = pd.to_numeric(data[v], errors="coerce")
        bad = col.isna() & data[v].notna()
        for idx in data.index[bad][:5]:
            problems.append(f"row {idx!r}, column {v!r}: value {data.at[idx, v]!r} is not numeric")
        if bad.sum() > 5:
            problems.append(f"column {v!r}: {int(bad.sum()) - 5} more non-numeric values")
        X[v] = col.astype(float)
    if problems:
        raise ValueError("SEM data problems (expected numeric item scores):\n  "
                         + "\n  ".join(problems))
    warnings: list[str] = []
    keep = pd.Series(True, index=data.index)

    def drop(mask: pd.Series, method: str, reason: str) -> pd.Series:
        gone = list(data.index[~mask & keep])
        if gone:
            shown = ", ".join(map(str, gone[:10])) + (" …" if len(gone) > 10 else "")
            warnings.append(f"{method}: {len(gone)} of {len(data)} rows {reason} and were not "
                            f"analysed (rows {shown})")
        return keep & mask

    if group:
        keep = drop(data[group].notna(), "missing group", f"have no value in {group!r}")
    if missing == "listwise":
        keep = drop(X.notna().all(axis=1), "listwise deletion",
                    "have missing values in the model variables")
    else:
        if missing == "ml" and len(ov_x):
            keep = drop(X[list(ov_x)].notna().all(axis=1), "missing='ml' with fixed.x",
                        f"lack an exogenous covariate {list(ov_x)} (use missing='ml.x' to "
                        "keep them)")
        keep = drop(X.notna().any(axis=1), f"missing={missing!r}",
                    "have no value on any model variable")
    if group:
        gcol = data[group].astype(str)
        labels = tuple(pd.unique(gcol[data[group].notna()]))
        parts = [X[keep & (gcol == lab)].to_numpy() for lab in labels]
    else:
        labels = ()
        parts = [X[keep].to_numpy()]
    return parts, labels, warnings


def _sample_problems(parts: Sequence[np.ndarray], samples: Sequence[Sample | None],
                     labels: Sequence[str], ov: Sequence[str]) -> list[str]:
    msgs = []
    for g, (x, s) in enumerate(zip(parts, samples)):
        where = f" in group {labels[g]!r}" if labels else ""
        if s is None:
            msgs.append(f"sample covariance matrix{where} cannot be computed (n = {len(x)})")
            continue
        ev = np.linalg.eigvalsh(s.cov)
        if near_singular(s.cov):
            const = [v for v, sd in zip(ov, np.diag(s.cov)) if sd <= 0]
            extra = f"; constant variables: {const}" if const else ""
            msgs.append(f"sample covariance matrix{where} is not positive definite (smallest "
                        f"eigenvalue {ev[0]:.3g}; n = {s.n}, p = {len(ov)}){extra}; "
                        "the model cannot be fitted")
    return msgs


# ------------------------------------------------------------------ starting values
def _three_indicators(S: np.ndarray, std_lv: bool) -> np.ndarray:
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


def _fabin3(S: np.ndarray, std_lv: bool) -> np.ndarray:
    """lavaan's ``lav_cfa_1fac_fabin`` (fabin3) loadings of one factor."""
    nvar = len(S)
    if nvar < 4:
        return _three_indicators(S, std_lv)
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


def _start_values(pt: ParTable, samples: Sequence[Sample]) -> np.ndarray:
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
            vals = _fabin3(s.cov[np.ix_(items, items)], std_lv)
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


def _x_from_rows(pt: ParTable, rows: np.ndarray) -> np.ndarray:
    free = pt.free > 0
    x = np.zeros(pt.n_x)
    x[pt.free[free] - 1] = rows[free]
    return x


def _alternative_starts(pt: ParTable, samples: Sequence[Sample], first: np.ndarray,
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


# ------------------------------------------------------------------------ estimation
def _bounds_theta(pt: ParTable, model: Model) -> tuple[np.ndarray | None, np.ndarray | None]:
    found = bounds(pt)
    if not found:
        return None, None
    lower = np.full(model.n_theta, -np.inf)
    upper = np.full(model.n_theta, np.inf)
    for row, op, value in found:
        k = model.K[pt.free[row] - 1]
        j = np.flatnonzero(k)
        if len(j) != 1 or k[j[0]] != 1 or model.x0[pt.free[row] - 1] != 0:
            raise ModelSyntaxError(
                f"bound on {pt.label[row]!r} cannot be combined with its == constraints")
        if op == ">":
            lower[j[0]] = max(lower[j[0]], value)
        else:
            upper[j[0]] = min(upper[j[0]], value)
    return lower, upper


def _improper(pt: ParTable, model: Model, theta: np.ndarray,
              labels: Sequence[str]) -> tuple[list[str], list[str]]:
    """lavaan's post-estimation checks: (reasons the solution is improper, other notes)."""
    bad, notes = [], []
    v = model.values(theta)
    std = _standardize(model, v)
    op = np.array(pt.op)
    for g in range(pt.ngroups):
        where = f" in group {labels[g]!r}" if labels else ""
        ix = model.idx[g]
        neg_ov = neg_lv = False
        for i in ix:
            if op[i] == "~~" and pt.lhs[i] == pt.rhs[i] and v[i] < 0:
                if pt.lhs[i] in pt.ov:
                    neg_ov = True
                    bad.append(f"Heywood case{where}: negative residual variance for "
                               f"{pt.lhs[i]} (est = {v[i]:.4g})")
                else:
                    neg_lv = True
                    bad.append(f"Heywood case{where}: negative variance of the latent variable "
                               f"{pt.lhs[i]} (est = {v[i]:.4g})")
            if op[i] == "=~" and abs(std[i]) > 1:
                notes.append(f"Heywood case{where}: standardized loading {pt.lhs[i]} =~ "
                             f"{pt.rhs[i]} is {std[i]:.4g} (|value| > 1)")
        cov_all, _ = model.implied_all(theta, g)
        _, S, _ = model.ram(v, g)
        if pt.lv and not neg_lv and np.linalg.eigvalsh(cov_all[model.p:, model.p:])[0] < -_EPS34:
            bad.append(f"covariance matrix of the latent variables{where} is not positive "
                       "definite")
        if not neg_ov and np.linalg.eigvalsh(S[:model.p, :model.p])[0] < -_EPS34:
            bad.append(f"covariance matrix of the residuals (theta){where} is not positive "
                       "definite")
        if np.linalg.eigvalsh(cov_all[:model.p, :model.p])[0] <= 0:
            bad.append(f"model-implied covariance matrix{where} is not positive definite")
    return bad, notes


def _estimate(pt: ParTable, model: Model, labels: Sequence[str]) -> tuple[np.ndarray, bool, list[str]]:
    """Fit by Fisher scoring from lavaan's starting values. If that path was rough (the
    step had to be shortened several times), a quasi-Newton path from the same values —
    the path of lavaan's nlminb — is compared with it. If they disagree, or the solution
    is improper or not converged, further deterministic starting values are tried; the
    lowest minimum is kept — a proper one when it is as low as an improper one."""
    lower, upper = _bounds_theta(pt, model)

    def theta_of(rows: np.ndarray) -> np.ndarray:
        return np.linalg.lstsq(model.K, _x_from_rows(pt, rows) - model.x0, rcond=None)[0]

    def attempt(rows: np.ndarray, method: str, budget: int = 300) -> tuple:
        theta, ok = model.fit(theta_of(rows), lower, upper, method, budget, 3 * budget)
        f = model.objective(theta) if ok else np.inf
        return f, ok, theta, ok and bool(_improper(pt, model, theta, labels)[0])

    first = _start_values(pt, model.samples)
    tries = [attempt(first, "fisher")]
    if model.halvings >= 2 or not tries[0][1] or tries[0][3]:
        tries.append(attempt(first, "bfgs"))
    tol = 1e-7 / model.N * max(1.0, model.N * min(t[0] for t in tries))
    clean = tries[0][1] and not tries[0][3] and all(abs(t[0] - tries[0][0]) <= tol for t in tries)
    if not clean:
        tries += [attempt(rows, "fisher", 100)
                  for rows in _alternative_starts(pt, model.samples, first)]
    ok = [t for t in tries if t[1]]
    if not ok:
        return tries[0][2], False, []
    best = min(ok, key=lambda t: t[0])
    proper = [t for t in ok if not t[3] and t[0] <= best[0] + tol]
    if best[3] and proper:
        best = min(proper, key=lambda t: t[0])
    minima = sorted({round(model.N * t[0], 4) for t in ok})
    notes = []
    if len(minima) > 1:
        notes.append(f"{len(tries)} sets of starting values reached {len(minima)} different "
                     f"minima (chi-square {', '.join(f'{m:.4f}' for m in minima[:4])}); the "
                     "lowest is reported")
    return best[2], True, notes


def _information(model: Model, theta: np.ndarray, estimator: str, fiml: bool,
                 active: np.ndarray | None = None) -> tuple[np.ndarray | None, list[str], dict]:
    """vcov of θ: ML expected (complete) or observed (FIML) information; MLR sandwich."""
    extra: dict = {}
    if estimator == "MLR" or fiml:
        info = model.observed_info(theta)
    else:
        info = model.expected_info(theta)
    keep = np.ones(model.n_theta, dtype=bool) if active is None else ~active
    sub = info[np.ix_(keep, keep)]
    if near_singular(sub):
        return None, ["information matrix is singular: the model may not be identified; "
                      "standard errors are not available"], extra
    inv = np.zeros_like(info)
    inv[np.ix_(keep, keep)] = np.linalg.inv(sub)
    extra["E_inv"] = inv
    if estimator == "MLR":
        B0 = _sem_fit.first_order(model, theta)
        extra["B0"] = B0
        meat = sum(w * b for w, b in zip(model.w, B0))
        return inv @ meat @ inv / model.N, [], extra
    return inv / model.N, [], extra


def _baseline(pt: ParTable, samples: Sequence[Sample], fixed_x: bool) -> tuple[Model, int]:
    """lavaan's independence model: free variances (and means), the fixed.x block kept."""
    rows = []
    for g in range(1, pt.ngroups + 1):
        rows += [(v, "~~", v, g) for v in pt.ov]
        if pt.meanstructure:
            rows += [(v, "~1", "", g) for v in pt.ov]
        rows += [(a, "~~", b, g) for i, a in enumerate(pt.ov_x) for b in pt.ov_x[i + 1:]]
    exo = np.array([fixed_x and r[0] in pt.ov_x and (r[1] == "~1" or r[2] in pt.ov_x)
                    for r in rows])
    free = np.zeros(len(rows), dtype=int)
    free[~exo] = np.arange(1, (~exo).sum() + 1)
    oi = {v: i for i, v in enumerate(pt.ov)}
    bp = ParTable(lhs=[r[0] for r in rows], op=[r[1] for r in rows], rhs=[r[2] for r in rows],
                  group=np.array([r[3] for r in rows]), user=np.zeros(len(rows), dtype=int),
                  free=free, value=np.full(len(rows), np.nan), start=np.full(len(rows), np.nan),
                  exo=exo.astype(int), label=[""] * len(rows), ov=pt.ov, lv=[],
                  ov_x=pt.ov_x, ngroups=pt.ngroups, meanstructure=pt.meanstructure,
                  mat=np.array([MAT_M if r[1] == "~1" else MAT_S for r in rows]),
                  row=np.array([oi[r[0]] for r in rows]),
                  col=np.array([0 if r[1] == "~1" else oi[r[2]] for r in rows]))
    k = bp.n_x
    model = Model(bp, samples, np.zeros(k), np.eye(k), pt.meanstructure)
    return model, k


def _ndat(pt: ParTable) -> int:
    p, nx = len(pt.ov), len(pt.ov_x)
    per = p * (p + 1) // 2 + (p if pt.meanstructure else 0)
    per -= nx * (nx + 1) // 2 + (nx if pt.meanstructure else 0)
    return pt.ngroups * per


# --------------------------------------------------------------- tables of estimates
def _standardize(model: Model, values: np.ndarray, kind: str = "std.all",
                 rows: np.ndarray | None = None) -> np.ndarray:
    """lavaan's ``lav_standardize_all`` / ``_lv`` / ``_all_nox`` of every table row.

    Loadings λ·sd(f)/sd(x), regressions β·sd(x)/sd(y), variances by the total variance,
    covariances by the residual standard deviations (``cov.std``), intercepts by the
    total SD. std.lv scales by latent SDs only; std.nox leaves exogenous covariates
    unscaled. Total variances come from ``values``; the numbers standardized are
    ``rows`` (default ``values``; modification indices standardize EPCs).
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
                [rows[ix] * sd[c] / sd[r], rows[ix] / sd[r], 1.0,
                 np.where(scale[r], rows[ix] / var[r], rows[ix])],
                rows[ix] / (resid[r] * resid[c]))
    return out


def _definitions(pt: ParTable):
    if not pt.definitions:
        return None
    trees = [(s.lhs, parse_expression(s.rhs, s.line)) for s in pt.definitions]
    return label_function(pt, trees, pt.definitions[0].line)


def _jacobian(func, theta: np.ndarray, h: float = 1e-6) -> np.ndarray:
    cols = []
    for j in range(len(theta)):
        e = np.zeros(len(theta)); e[j] = h * max(1.0, abs(theta[j]))
        cols.append((func(theta + e) - func(theta - e)) / (2 * e[j]))
    return np.column_stack(cols) if cols else np.zeros((len(func(theta)), 0))


def _estimates(state: _State, level: float = 0.95) -> pd.DataFrame:
    pt, model, theta, vcov = state.pt, state.model, state.theta, state.vcov
    est = model.values(theta)
    n = len(est)
    se = np.zeros(n)
    free = pt.free > 0
    deff = _definitions(pt)
    if vcov is not None:
        J = model.K[pt.free[free] - 1]
        se[free] = np.sqrt(np.clip(np.einsum("ij,jk,ik->i", J, vcov, J), 0, None))
    else:
        se[free] = np.nan
    std = _standardize(model, est) if np.all(np.isfinite(est)) else np.full(n, np.nan)
    if state.on_bound is not None:
        se[state.on_bound] = np.nan          # a parameter on its bound has no SE (lavaan: NA)
    rows = pd.DataFrame({"lhs": pt.lhs, "op": pt.op, "rhs": pt.rhs, "group": pt.group,
                         "label": pt.label, "est": est, "se": se, "std_all": std})
    if deff is not None:
        d_est = deff(est)
        if vcov is not None and np.all(np.isfinite(theta)):
            J = _jacobian(lambda t: deff(model.values(t)), theta)
            d_se = np.sqrt(np.clip(np.einsum("ij,jk,ik->i", J, vcov, J), 0, None))
        else:
            d_se = np.full(len(d_est), np.nan)
        d_std = deff(std)
        defs = pd.DataFrame({"lhs": [s.lhs for s in pt.definitions], "op": ":=",
                             "rhs": [s.rhs.replace(" ", "") for s in pt.definitions],
                             "group": 0, "label": [s.lhs for s in pt.definitions],
                             "est": d_est, "se": d_se, "std_all": d_std})
        rows = pd.concat([rows, defs], ignore_index=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(rows.se > 0, rows.est / rows.se, np.nan)
    fixed = np.concatenate([~free, np.zeros(len(rows) - n, dtype=bool)])
    z[fixed] = np.nan
    crit = stats.norm.ppf(0.5 + level / 2)
    rows.insert(7, "z", z)
    rows.insert(8, "pvalue", 2 * stats.norm.sf(np.abs(z)))
    rows.insert(9, "ci_lower", rows.est - crit * rows.se)
    rows.insert(10, "ci_upper", rows.est + crit * rows.se)
    return rows


# ------------------------------------------------------------------------ public API
@_one_blas_thread
def cfa(data: pd.DataFrame, model: str, *, estimator: str | None = None,
        group: str | None = None, group_equal: Iterable[str] = (),
        group_partial: Iterable[str] = (), std_lv: bool = False, orthogonal: bool = False,
        missing: str = "listwise", fixed_x: bool = True,
        ordered: bool | Iterable[str] | None = None) -> CFAResult:
    """Fit a factor or structural equation model, as ``lavaan::cfa``: by maximum likelihood,
    or for ordered items by DWLS with lavaan's WLSMV corrections.

    Parameters
    ----------
    data : DataFrame
        One row per respondent; model variables must be numeric.
    model : str
        lavaan model syntax (``=~ ~ ~~ ~1``, modifiers, ``c()``, ``:=``, ``==``, ``<``,
        ``>``; see :mod:`analysis.stats.lavaan_syntax`).
    estimator : {"ML", "MLR", "WLSMV"}, optional
        ``"MLR"``: ML estimates with Huber–White robust SEs and the Yuan–Bentler (Mplus)
        scaled χ², plus scaled and robust CFI/TLI/RMSEA. ``"WLSMV"`` (the default with
        ``ordered``, and only with it): see :mod:`analysis.stats._sem_ordinal`. Default
        ``"ML"`` for continuous items.
    group : str, optional
        Column defining groups (multi-group model with a meanstructure). Groups are
        ordered by first appearance, as lavaan does.
    group_equal : iterable of str
        lavaan ``group.equal`` names: ``"loadings"``, ``"intercepts"`` (latent means then
        free in groups 2+), ``"means"``, ``"regressions"``, ``"residuals"``,
        ``"residual.covariances"``, ``"lv.variances"``, ``"lv.covariances"``.
    group_partial : iterable of str
        lavaan ``group.partial``: parameters exempt from ``group_equal``, e.g.
        ``["sat_finances ~1", "F =~ sat_friends"]``.
    std_lv : bool
        Fix factor variances to 1 and free all loadings.
    orthogonal : bool
        Fix covariances between exogenous factors to 0.
    missing : {"listwise", "ml", "ml.x"}
        ``"listwise"`` (lavaan's default) removes incomplete rows; ``"ml"`` is FIML
        (rows without any model variable, and rows lacking an exogenous covariate, are
        removed and reported); ``"ml.x"`` keeps rows lacking a covariate too. ``n``,
        ``n_total`` and ``n_patterns`` of the result say how many rows were used.
    fixed_x : bool
        Exogenous observed covariates at their sample moments (lavaan's default).
    ordered : True or list of str, optional
        lavaan's ``ordered=``: the items are ordered categories (``True``: every observed
        variable of the model). Fits lavaan's ``estimator = "WLSMV"``: DWLS estimates on
        the thresholds and polychoric correlations of the complete rows (listwise, lavaan's
        default), delta parameterization, robust SEs (``se = "robust.sem"``) and the
        scaled-shifted χ². The table then has thresholds (``item | t1``…, op ``|``),
        scaling factors (``~*~``) and the residual variances of the latent responses
        (fixed rows, SE 0). Every observed variable must be ordered (no continuous or
        exogenous covariates in the same model), items may not be regressed, and every
        category of an item must occur in every group.

    Returns
    -------
    CFAResult
        ``.fit`` keys: npar, chisq, df, pvalue, baseline.chisq, baseline.df, cfi, tli,
        rmsea, rmsea.ci.lower, rmsea.ci.upper, rmsea.pvalue, srmr, aic, bic, logl,
        unrestricted.logl, ntotal; with MLR also chisq.scaled, df.scaled, pvalue.scaled,
        chisq.scaling.factor, baseline.chisq.scaled, baseline.chisq.scaling.factor,
        cfi.scaled, tli.scaled, rmsea.scaled; with MLR or FIML also cfi.robust,
        tli.robust, rmsea.robust, rmsea.ci.lower.robust, rmsea.ci.upper.robust. WLSMV:
        npar, fmin, chisq, df, pvalue, chisq.scaled, df.scaled, pvalue.scaled,
        chisq.scaling.factor, chisq.shift.parameters (the shift of the scaled-shifted
        test), baseline.chisq, baseline.df, baseline.pvalue and their ``.scaled``
        versions with baseline.chisq.scaling.factor, cfi, tli, cfi.scaled, tli.scaled,
        rmsea (with CI and close-fit p) and rmsea.scaled (likewise), srmr, ntotal;
        lavaan's ``.robust`` indices for categorical data (catML) are not computed.

    Examples
    --------
    >>> import pandas as pd
    >>> from analysis import datasets
    >>> hs = datasets.load("holzinger_swineford_1939")
    >>> m = "visual =~ x1 + x2 + x3\\ntextual =~ x4 + x5 + x6\\nspeed =~ x7 + x8 + x9"
    >>> r = cfa(hs, m, estimator="MLR")
    >>> round(r.fit["chisq.scaled"], 3), round(r.fit["chisq.scaling.factor"], 3)
    (87.132, 0.979)

    Ordered items (lavaan's WLSMV):

    >>> from analysis import datasets
    >>> x = datasets.load("ordinal_skewed")
    >>> r = cfa(x, "f =~ q1 + q2 + q3 + q4 + q5", ordered=True)
    >>> r.estimator, round(r.fit["chisq.scaled"], 3), r.n
    ('WLSMV', 6.389, 848)
    >>> r.estimates.loc[5, ["lhs", "op", "rhs"]].tolist(), round(float(r.estimates.est[5]), 3)
    (['q1', '|', 't1'], -2.078)
    """
    est = "WLSMV" if estimator is None and _is_ordered(ordered) else str(estimator or "ML").upper()
    if est not in ("ML", "MLR", "WLSMV"):
        raise ValueError(f"estimator={estimator!r} is not supported; expected 'ML', 'MLR' or "
                         "'WLSMV' (with ordered=...)")
    if (est == "WLSMV") != _is_ordered(ordered):
        raise ValueError("estimator='WLSMV' is for ordered items: pass ordered=True (or the "
                         "list of ordered items); for continuous items use 'ML' or 'MLR'"
                         if est == "WLSMV" else
                         f"ordered items are fitted by estimator='WLSMV' (lavaan's default for "
                         f"ordered data), not {est!r}")
    if missing not in MISSING:
        raise ValueError(f"missing={missing!r} is not supported; expected one of {MISSING}")
    group_equal = tuple([group_equal] if isinstance(group_equal, str) else group_equal)
    group_partial = tuple([group_partial] if isinstance(group_partial, str) else group_partial)
    unknown = [g for g in group_equal if g not in GROUP_EQUAL]
    if unknown:
        raise ValueError(f"group_equal {unknown} not supported; expected some of {GROUP_EQUAL}")
    if (group_equal or group_partial) and group is None:
        raise ValueError("group_equal/group_partial need a group column (group=...)")
    if "thresholds" in group_equal and est != "WLSMV":
        raise ValueError("group_equal 'thresholds' applies to ordered items (ordered=...)")
    stmts = parse_model(model)
    ov, ov_x = observed_variables(stmts, fixed_x)
    if not ov:
        raise ModelSyntaxError("model has no observed variables")
    if est == "WLSMV":
        return _cfa_ordinal(data, model, stmts, ov, ov_x, ordered, group=group,
                            group_equal=group_equal, group_partial=group_partial,
                            std_lv=std_lv, orthogonal=orthogonal, missing=missing)
    parts, labels, warns = _prepare(data, ov, ov_x, group, missing)
    fiml = missing != "listwise"
    samples = [make_sample(x) if len(x) >= 2 else None for x in parts]
    G = len(parts)
    pt = build_partable(stmts, G, std_lv=std_lv, orthogonal=orthogonal,
                        meanstructure=G > 1 or fiml or "intercepts" in group_equal
                        or "means" in group_equal,
                        group_equal=group_equal, group_partial=group_partial, fixed_x=fixed_x)
    problems = _sample_problems(parts, samples, labels, pt.ov)
    n_used = sum(len(x) for x in parts)
    common = dict(n=n_used, model=model, estimator=est, group_labels=labels, missing=missing,
                  n_total=len(data),
                  n_patterns=sum(len(s.patterns) for s in samples if s is not None))
    if problems:
        return _failed(pt, None, None, warns + problems, common)
    x0, K = reparametrize(pt, np.nan_to_num(pt.value))
    mod = Model(pt, samples, x0, K, pt.meanstructure)
    df = _ndat(pt) - mod.n_theta
    if df < 0:
        return _failed(pt, mod, None, warns + [
            f"model is not identified: {mod.n_theta} free parameters but only {_ndat(pt)} "
            f"sample moments (df = {df})"], common)
    theta, converged, notes = _estimate(pt, mod, labels)
    warns += notes
    if not converged:
        warns.append("the optimiser did not converge; estimates and fit are not reliable")
        return _failed(pt, mod, theta, warns, common)
    lower, upper = _bounds_theta(pt, mod)
    active = None
    if lower is not None:
        active = np.isclose(theta, lower, atol=1e-8) | np.isclose(theta, upper, atol=1e-8)
    vcov, w, extra = _information(mod, theta, est, fiml, active)
    warns += w
    base, base_df = _baseline(pt, samples, fixed_x)
    base_theta, _ = base.fit(np.linalg.lstsq(base.K, _x_from_rows(
        base.pt, _start_values(base.pt, samples)), rcond=None)[0])
    base_df = _ndat(pt) - base_df
    scaling = None
    if est == "MLR":
        c = np.nan
        if "E_inv" in extra:
            c = _sem_fit.scaling_factor(mod, theta, df, extra["E_inv"], extra["B0"])
        try:
            b_inv = np.linalg.inv(base.observed_info(base_theta))
            cn = _sem_fit.scaling_factor(base, base_theta, base_df, b_inv,
                                        _sem_fit.first_order(base, base_theta))
        except np.linalg.LinAlgError:
            cn = np.nan
        scaling = (c, cn)
    fit = _sem_fit.measures(mod, theta, df, base, base_theta, base_df, estimator=est,
                           fiml=fiml, scaling=scaling)
    on_bound = None
    if active is not None and active.any():
        rows = np.flatnonzero(pt.free > 0)
        on_bound = rows[(mod.K[pt.free[rows] - 1][:, active] != 0).any(axis=1)]
    state = _State(pt=pt, model=mod, theta=theta, vcov=vcov, on_bound=on_bound)
    estimates = _estimates(state)
    bad, extra_notes = _improper(pt, mod, theta, labels)
    warns += bad + extra_notes
    implied = {(labels[g] if labels else "all"):
               pd.DataFrame(mod.implied(theta, g)[0], index=pt.ov, columns=pt.ov)
               for g in range(G)}
    return CFAResult(estimates=estimates, fit=fit, converged=True, warnings=tuple(warns),
                     implied=implied, admissible=not bad, _state=state, **common)


def _is_ordered(ordered) -> bool:
    return ordered is not None and ordered is not False and not (
        isinstance(ordered, (list, tuple)) and not ordered)


def _cfa_ordinal(data: pd.DataFrame, model: str, stmts, ov: list[str], ov_x: list[str],
                 ordered, *, group, group_equal=(), group_partial=(), std_lv=False,
                 orthogonal=False, missing="listwise", cache: dict | None = None) -> CFAResult:
    """:func:`cfa` for ordered items (lavaan's WLSMV; :mod:`analysis.stats._sem_ordinal`).
    ``cache`` keeps the sample statistics between fits of the same items and groups."""
    names = ov if ordered is True else [str(v) for v in ([ordered] if isinstance(ordered, str)
                                                         else ordered)]
    unknown = [v for v in names if v not in ov]
    if unknown:
        raise ValueError(f"ordered={unknown} are not observed variables of the model {ov}")
    continuous = [v for v in ov if v not in names]
    if continuous or ov_x:
        raise ValueError(f"WLSMV here needs every observed variable ordered; {continuous or ov_x} "
                         "are not (continuous items or covariates with ordered items are not "
                         "supported)")
    if missing != "listwise":
        raise ValueError(f"missing={missing!r}: WLSMV uses the complete rows (missing='listwise', "
                         "lavaan's default for ordered data)")
    cache = {} if cache is None else cache
    if tuple(ov) not in cache:
        parts, labels, warns = _prepare(data, ov, [], group, missing)
        rows = np.vstack(parts)
        if len(rows) < 2:
            raise ValueError(f"WLSMV: {len(rows)} complete rows; nothing to fit")
        levels = {v: np.unique(rows[:, j]).tolist() for j, v in enumerate(ov)}
        few = [v for v, lev in levels.items() if len(lev) < 2]
        if few:
            raise ValueError(f"ordered items {few} have fewer than two categories")
        samples = [make_ordinal_sample(pd.DataFrame(x, columns=ov), levels,
                                       f" in group {labels[g]!r}" if labels else "")
                   for g, x in enumerate(parts)]
        cache[tuple(ov)] = (len(rows), labels, warns, levels, samples)
    n_rows, labels, warns, levels, samples = cache[tuple(ov)]
    warns = list(warns)
    G = len(samples)
    pt = build_partable(stmts, G, std_lv=std_lv, orthogonal=orthogonal,
                        group_equal=group_equal, group_partial=group_partial,
                        n_thresholds={v: len(lev) - 1 for v, lev in levels.items()})
    common = dict(n=n_rows, model=model, estimator="WLSMV", group_labels=labels,
                  missing=missing, n_total=len(data), n_patterns=G)
    x0, K = reparametrize(pt, np.nan_to_num(pt.value))
    mod = OrdinalModel(pt, samples, x0, K)
    ndat = sum(len(s.obs) for s in samples)
    df = ndat - mod.n_theta
    if df < 0:
        return _failed(pt, mod, None, warns + [
            f"model is not identified: {mod.n_theta} free parameters but only {ndat} sample "
            f"statistics (df = {df})"], common)
    start = _start_values(pt, samples)
    for g, s in enumerate(samples):
        start[mod.th_rows[g]] = s.tau
        start[mod.delta_rows[g]] = 1.0
    user = np.isfinite(pt.start)
    start[user] = pt.start[user]
    theta_of = lambda rows: np.linalg.lstsq(K, _x_from_rows(pt, rows) - x0, rcond=None)[0]  # noqa: E731
    theta, converged = mod.fit(theta_of(start))
    if not converged:      # further starts (as for ML); thresholds and scales from the sample
        keep = np.isin(pt.mat, [MAT_T, MAT_D])
        fits = []
        for rows in _alternative_starts(pt, samples, start):
            rows[keep] = start[keep]
            fits.append(mod.fit(theta_of(rows)))
        ok = [t for t, c in fits if c]
        if ok:
            theta, converged = min(ok, key=mod.objective), True
    if not converged:
        warns.append("the optimiser did not converge; estimates and fit are not reliable")
        return _failed(pt, mod, theta, warns, common)
    try:
        vcov = _sem_ordinal.robust_vcov(mod, theta)
    except np.linalg.LinAlgError:
        warns.append("information matrix is singular: the model may not be identified; "
                     "standard errors and fit measures are not available")
        vcov = None
    fit = _sem_ordinal.fit_measures(mod, theta, df) if vcov is not None else \
        dict.fromkeys(_sem_ordinal.FIT_NAMES, np.nan)
    state = _State(pt=pt, model=mod, theta=theta, vcov=vcov)
    bad, notes = _improper(pt, mod, theta, labels)
    warns += bad + notes
    v = mod.values(theta)
    implied = {}
    for g in range(G):
        sigma, _, delta, _ = mod._parts(v, g)
        implied[labels[g] if labels else "all"] = pd.DataFrame(
            sigma * np.outer(delta, delta), index=pt.ov, columns=pt.ov)
    return CFAResult(estimates=_estimates(state), fit=fit, converged=True, warnings=tuple(warns),
                     implied=implied, admissible=not bad, _state=state, **common)


def sem(data: pd.DataFrame, model: str, **kwargs: Any) -> CFAResult:
    """Fit a structural equation model, as ``lavaan::sem`` (same defaults as :func:`cfa`).

    Examples
    --------
    >>> import pandas as pd
    >>> from analysis import datasets
    >>> pd_ = datasets.load("political_democracy")
    >>> m = '''ind60 =~ x1 + x2 + x3
    ...        dem60 =~ y1 + y2 + y3 + y4
    ...        dem60 ~ ind60'''
    >>> r = sem(pd_, m)
    >>> round(r.fit["chisq"], 3), int(r.fit["df"])
    (23.738, 13)
    """
    return cfa(data, model, **kwargs)


def _failed(pt: ParTable, mod: Model | None, theta, warns, common) -> CFAResult:
    est = common["estimator"]
    fit = dict.fromkeys(_sem_ordinal.FIT_NAMES if est == "WLSMV" else
                        _sem_fit.fit_names(est, common["missing"] != "listwise"), np.nan)
    fit["npar"], fit["ntotal"] = float(mod.n_theta if mod else pt.n_x), float(common["n"])
    values = pt.value.copy()
    if mod is not None and theta is not None:
        values = mod.values(theta)
    est_df = pd.DataFrame({"lhs": pt.lhs, "op": pt.op, "rhs": pt.rhs, "group": pt.group,
                           "label": pt.label, "est": values,
                           "se": np.where(pt.free > 0, np.nan, 0.0), "z": np.nan,
                           "pvalue": np.nan, "ci_lower": np.nan, "ci_upper": np.nan,
                           "std_all": np.nan})
    est_df.loc[pt.free > 0, "est"] = values[pt.free > 0] if theta is not None else np.nan
    return CFAResult(estimates=est_df, fit=fit, converged=False, warnings=tuple(warns),
                     admissible=False, **common)


def _state_of(result: CFAResult, ml_only: str = "") -> _State:
    """The fitted state; ``ml_only`` names an analysis that needs a likelihood (ML/MLR)."""
    if not isinstance(result, CFAResult) or result._state is None:
        raise ValueError("needs a fitted (converged) CFAResult from cfa() or sem()")
    if ml_only and isinstance(result._state.model, OrdinalModel):
        raise ValueError(f"{ml_only} are available for ML and MLR fits, not for WLSMV "
                         "(ordered items)")
    return result._state


# ------------------------------------------------------------- standardized solution
@_one_blas_thread
def standardized_solution(result: CFAResult, type: str = "std.all",
                          level: float = 0.95) -> pd.DataFrame:
    """Standardized estimates with delta-method standard errors, as
    ``lavaan::standardizedSolution``.

    The standardized value of every parameter is a function of all free parameters; its
    variance is J V J' with J the Jacobian of that function and V the covariance matrix
    of the estimates (robust for MLR), so z, p and the CI follow (Bollen 1989, ch. 8).

    Parameters
    ----------
    result : CFAResult
    type : {"std.all", "std.lv", "std.nox"}
    level : float
        Confidence level of ``ci_lower``/``ci_upper``.

    Returns
    -------
    DataFrame
        ``lhs, op, rhs, group, label, est_std, se, z, pvalue, ci_lower, ci_upper``
        (lavaan's est.std, ci.lower, ci.upper); defined parameters (``:=``) last.

    Examples
    --------
    >>> import pandas as pd
    >>> from analysis import datasets
    >>> hs = datasets.load("holzinger_swineford_1939")
    >>> r = cfa(hs, "visual =~ x1 + x2 + x3; textual =~ x4 + x5 + x6")
    >>> s = standardized_solution(r)
    >>> round(float(s.loc[0, "est_std"]), 3), round(float(s.loc[0, "se"]), 3)
    (0.778, 0.062)
    """
    if type not in ("std.all", "std.lv", "std.nox"):
        raise ValueError(f"type={type!r}; expected 'std.all', 'std.lv' or 'std.nox'")
    st = _state_of(result)
    pt, model, theta = st.pt, st.model, st.theta
    deff = _definitions(pt)

    def func(t: np.ndarray) -> np.ndarray:
        std = _standardize(model, model.values(t), type)
        return np.concatenate([std, deff(std)]) if deff is not None else std

    est = func(theta)
    if st.vcov is not None:
        J = _jacobian(func, theta)
        var = np.einsum("ij,jk,ik->i", J, st.vcov, J)
        se = np.sqrt(np.where(var < 0, np.nan, var))
        se[se < np.finfo(float).eps ** 0.25] = 0.0
        if st.on_bound is not None:
            se[st.on_bound] = np.nan
    else:
        se = np.full(len(est), np.nan)
    base = result.estimates[["lhs", "op", "rhs", "group", "label"]].copy()
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(se > 0, est / se, np.nan)
    crit = stats.norm.ppf(0.5 + level / 2)
    return base.assign(est_std=est, se=se, z=z, pvalue=2 * stats.norm.sf(np.abs(z)),
                       ci_lower=est - crit * se, ci_upper=est + crit * se)


# --------------------------------------------------------------- modification indices
def _candidates(pt: ParTable) -> list[tuple[str, str, str]]:
    """lavaan's ``lav_partable_full`` for one group: every parameter the model could have."""
    lv, ov, ov_x = pt.lv, pt.ov, pt.ov_x
    nox = [v for v in ov if v not in ov_x]
    ind = {pt.rhs[i] for i in range(len(pt)) if pt.op[i] == "=~" and pt.rhs[i] in ov}
    eqs = list(dict.fromkeys([pt.lhs[i] for i in range(len(pt)) if pt.op[i] == "~"]
                             + [pt.rhs[i] for i in range(len(pt)) if pt.op[i] == "~"]))
    out = [(f, "=~", v) for f in lv for v in nox if v not in eqs]
    other = [v for v in ov if v not in ind]
    out += [(nox[j], "~~", nox[i]) for j in range(len(nox)) for i in range(j, len(nox))
            if nox[i] not in other and nox[j] not in other]
    out += [(ov_x[j], "~~", ov_x[i]) for j in range(len(ov_x)) for i in range(j, len(ov_x))]
    out += [(lv[j], "~~", lv[i]) for j in range(len(lv)) for i in range(j, len(lv))]
    # lavaan's list also regresses fixed.x covariates, but their modification indices are
    # NA (the covariates' moments carry no information), so they are left out here
    out += [(y, "~", x) for y in eqs for x in eqs
            if y != x and not (y in ind and x in lv) and y not in ov_x]
    if pt.meanstructure:
        out += [(v, "~1", "") for v in ov + lv]
    return out


def _extended(st: _State) -> tuple[ParTable, np.ndarray]:
    """The model's table with every fixed parameter and every candidate parameter freed
    (lavaan's ``lav_object_extended(all.free = TRUE)``); returns it and the new-row mask."""
    pt = st.pt
    values = st.model.values(st.theta)
    have = {(pt.lhs[i], pt.op[i], pt.rhs[i], pt.group[i]) for i in range(len(pt))}
    have |= {(pt.rhs[i], pt.op[i], pt.lhs[i], pt.group[i]) for i in range(len(pt))
             if pt.op[i] == "~~"}
    add = [(a, o, b, g) for g in range(1, pt.ngroups + 1) for a, o, b in _candidates(pt)
           if (a, o, b, g) not in have]
    oi = {v: i for i, v in enumerate(pt.ov + pt.lv)}
    n0 = len(pt)
    lhs = pt.lhs + [r[0] for r in add]
    op = pt.op + [r[1] for r in add]
    rhs = pt.rhs + [r[2] for r in add]
    mat = np.concatenate([pt.mat, [MAT_A if r[1] in ("=~", "~") else
                                   MAT_M if r[1] == "~1" else MAT_S for r in add]]).astype(int)
    row = np.concatenate([pt.row, [oi[r[2]] if r[1] == "=~" else oi[r[0]] for r in add]]).astype(int)
    col = np.concatenate([pt.col, [oi[r[0]] if r[1] == "=~" else 0 if r[1] == "~1"
                                   else oi[r[2]] for r in add]]).astype(int)
    n = len(lhs)
    xp = ParTable(lhs=lhs, op=op, rhs=rhs,
                  group=np.concatenate([pt.group, [r[3] for r in add]]).astype(int),
                  user=np.zeros(n, dtype=int), free=np.arange(1, n + 1),
                  value=np.concatenate([values, np.zeros(len(add))]),
                  start=np.full(n, np.nan),
                  exo=np.concatenate([pt.exo, np.zeros(len(add), dtype=int)]),
                  label=pt.label + [""] * len(add), ov=pt.ov, lv=pt.lv, ov_x=pt.ov_x,
                  ngroups=pt.ngroups, meanstructure=pt.meanstructure, mat=mat, row=row, col=col)
    new = np.concatenate([pt.free == 0, np.ones(len(add), dtype=bool)])
    new[:n0] &= pt.exo == 0
    return xp, new


@_one_blas_thread
def modification_indices(result: CFAResult, *, sort: bool = False, minimum_value: float = 0.0,
                         standardized: bool = True) -> pd.DataFrame:
    """Modification indices and expected parameter changes, as ``lavaan::modindices``.

    For every fixed parameter and every parameter the model leaves out (cross-loadings,
    residual covariances, regressions, intercepts; lavaan's candidate list), the score
    test MI = N·g²/V (g the gradient of F/2, V = I₁₁ − I₁₂ I₂₂⁻¹ I₂₁ from the expected
    information, constrained parameters handled through the constraints) and the
    expected change EPC = −g/V (Sörbom 1989); ``sepc_lv``, ``sepc_all``, ``sepc_nox``
    standardize the EPC as lavaan does (Saris, Satorra & Sörbom 1987). Equality
    constraints across groups are tested with :func:`equality_score_tests`.

    Parameters
    ----------
    result : CFAResult
    sort : bool
        Largest MI first (lavaan's ``sort.``).
    minimum_value : float
        Keep rows with MI above this value (lavaan's ``minimum.value``).
    standardized : bool
        Add the standardized EPCs.

    Returns
    -------
    DataFrame
        ``lhs, op, rhs, group, mi, epc, sepc_lv, sepc_all, sepc_nox`` (lavaan's
        sepc.lv, sepc.all, sepc.nox).

    Examples
    --------
    >>> import pandas as pd
    >>> from analysis import datasets
    >>> hs = datasets.load("holzinger_swineford_1939")
    >>> m = "visual =~ x1 + x2 + x3\\ntextual =~ x4 + x5 + x6\\nspeed =~ x7 + x8 + x9"
    >>> mi = modification_indices(cfa(hs, m), sort=True)
    >>> mi.iloc[0][["lhs", "op", "rhs"]].tolist(), round(float(mi.iloc[0]["mi"]), 2)
    (['visual', '=~', 'x9'], 36.41)
    """
    st = _state_of(result, "modification indices")
    xp, new = _extended(st)
    k = len(xp)
    xm = Model(xp, st.model.samples, np.zeros(k), np.eye(k), xp.meanstructure)
    x_hat = xp.value.copy()
    grad = 0.5 * xm.gradient(x_hat)
    info = xm.expected_info(x_hat)
    old = np.flatnonzero(np.concatenate([st.pt.free > 0, np.zeros(k - len(st.pt), bool)]))
    Kx = np.zeros((k, st.model.n_theta))
    Kx[old] = st.model.K[st.pt.free[old] - 1]
    I22 = Kx.T @ info @ Kx
    try:
        I22_inv = np.linalg.inv(I22)
    except np.linalg.LinAlgError as exc:
        raise ValueError("information matrix is singular: no modification indices") from exc
    cand = np.flatnonzero(new)
    I12 = info[cand] @ Kx
    V = info[cand, cand] - np.einsum("ij,jk,ik->i", I12, I22_inv, I12)
    V = np.where(V < np.finfo(float).eps ** (1 / 3), np.nan, V)
    g = grad[cand]
    N = st.model.N
    mi = N * g ** 2 / V
    epc = -g / V
    out = pd.DataFrame({"lhs": [xp.lhs[i] for i in cand], "op": [xp.op[i] for i in cand],
                        "rhs": [xp.rhs[i] for i in cand], "group": xp.group[cand],
                        "mi": mi, "epc": epc})
    if standardized:
        est = x_hat.copy()
        e = np.abs(np.where(np.isnan(epc), 0.0, epc))
        var_rows = np.array([o == "~~" and a == b for a, o, b in zip(xp.lhs, xp.op, xp.rhs)])
        EPC = est.copy()
        EPC[cand] = e
        small = var_rows[cand] & (e < np.sqrt(np.finfo(float).eps))
        sign = np.sign(epc)
        for kind, name in (("std.lv", "sepc_lv"), ("std.all", "sepc_all"),
                           ("std.nox", "sepc_nox")):
            vals = _standardize(xm, x_hat, kind, EPC)[cand] * sign
            vals[small] = 0.0
            out[name] = vals
    out = out[out.mi.notna()]
    if sort:
        out = out.sort_values("mi", ascending=False, kind="stable")
    if minimum_value > 0:
        out = out[out.mi > minimum_value]
    return out.reset_index(drop=True)


@_one_blas_thread
def equality_score_tests(result: CFAResult) -> ScoreTestResult:
    """Score tests of the model's equality constraints, as ``lavaan::lavTestScore``.

    Each constraint lavaan writes for equal labels (``.p2. == .p38.``: the parameter of
    group 1 equals that of another group) and each linear ``==`` constraint is released
    in turn: X2 = N·g'[Z₁⁺]₁₁g with g the gradient of F/2 in the unconstrained
    parameters and Z₁ the expected information bordered by the remaining constraints;
    the total test releases all of them.

    Returns
    -------
    ScoreTestResult
        Univariate table ``lhs, op, rhs, X2, df, pvalue, parameter, groups``.

    Examples
    --------
    >>> import pandas as pd
    >>> from analysis import datasets
    >>> hs = datasets.load("holzinger_swineford_1939")
    >>> m = "visual =~ x1 + x2 + x3\\ntextual =~ x4 + x5 + x6\\nspeed =~ x7 + x8 + x9"
    >>> r = cfa(hs, m, group="school", group_equal=["loadings"])
    >>> t = equality_score_tests(r)
    >>> t.df, round(t.X2, 3)
    (6, 7.256)
    """
    st = _state_of(result, "score tests of equality constraints")
    pt, model = st.pt, st.model
    n_x = pt.n_x
    R, names = [], []
    for s in pt.equal_sets:
        for other in s[1:]:
            row = np.zeros(n_x); row[s[0] - 1] = 1; row[other - 1] = -1
            R.append(row)
            names.append((s[0], other))
    eqs = [c for c in pt.constraints if c.op == "=="]
    if eqs:
        h = label_function(pt, [("", parse_expression(f"({c.lhs}) - ({c.rhs})", c.line))
                                for c in eqs])
        free = pt.free > 0
        vals = model.values(st.theta)

        def hx(x):
            v = vals.copy(); v[free] = x[pt.free[free] - 1]
            return h(v)
        J = _jacobian(hx, model.x(st.theta))
        for c, row in zip(eqs, J):
            R.append(row)
            names.append((c.lhs.replace(" ", ""), c.rhs.replace(" ", "")))
    if not R:
        raise ValueError("the model has no equality constraints to test")
    R = np.array(R)
    full = Model(pt, model.samples, np.zeros(n_x), np.eye(n_x), model.ms)
    x_hat = model.x(st.theta)
    g = 0.5 * full.gradient(x_hat)
    info = full.expected_info(x_hat)
    N = model.N

    def stat(rows: np.ndarray) -> float:
        R1 = R[rows]
        Z = np.block([[info, R1.T], [R1, np.zeros((len(R1), len(R1)))]])
        Zp = np.linalg.pinv(Z)[:n_x, :n_x]
        return float(N * g @ Zp @ g)

    total = float(N * g @ np.linalg.pinv(info) @ g)
    uni = [stat(np.array([j for j in range(len(R)) if j != r], dtype=int)) for r in range(len(R))]
    plab = pt.plabel
    row_of = {int(f): i for i, f in enumerate(pt.free) if f > 0}
    lhs, rhs, par, grp = [], [], [], []
    for a, b in names:
        if isinstance(a, str):
            lhs.append(a); rhs.append(b); par.append(""); grp.append("")
            continue
        i, j = row_of[int(a)], row_of[int(b)]
        lhs.append(plab[i]); rhs.append(plab[j])
        par.append(f"{pt.lhs[i]}{pt.op[i]}{pt.rhs[i]}")
        grp.append(f"{pt.group[i]} vs {pt.group[j]}")
    table = pd.DataFrame({"lhs": lhs, "op": "==", "rhs": rhs, "X2": uni, "df": 1,
                          "pvalue": stats.chi2.sf(uni, 1), "parameter": par, "groups": grp})
    return ScoreTestResult(X2=total, df=len(R), pvalue=float(stats.chi2.sf(total, len(R))),
                           univariate=table)


# -------------------------------------------------------------------------- invariance
@_one_blas_thread
def invariance(data: pd.DataFrame, model: str, group: str, estimator: str | None = None, *,
               group_partial: Iterable[str] = (), partial_step: str = "scalar",
               strict: bool = False, **kwargs: Any) -> pd.DataFrame:
    """Measurement invariance across groups: configural, metric, scalar (and strict) steps;
    for ordered items configural, thresholds, metric and scalar.

    Continuous items: fits the model with no equality constraints (configural), equal
    loadings (metric), equal loadings and intercepts (scalar; latent means then free in
    groups 2+) and also equal residual variances (strict), as ``lavaan::cfa(..., group=,
    group.equal=)``. With ``group_partial`` a partial step (e.g. ``"scalar (partial)"``)
    follows the step named by ``partial_step``: the same constraints except the listed
    parameters (lavaan ``group.partial``); later steps keep those parameters free.

    Ordered items (``ordered=`` among the keyword arguments; estimator WLSMV): the models
    of ``semTools::measEq.syntax(..., ordered=, parameterization = "delta", ID.fac =
    "std.lv", ID.cat = "Wu.Estabrook.2016", group.equal=)`` (Wu & Estabrook 2016):
    ``configural`` (thresholds and loadings free; intercepts 0, scaling factors 1, factor
    means 0 and variances 1 in every group), ``thresholds`` (equal thresholds; intercepts
    and scaling factors then free in groups 2+, a scaling factor only for items with two or
    more thresholds), ``metric`` (also equal loadings; factor variances free in groups 2+)
    and ``scalar`` (also equal intercepts, fixed to 0; factor means free in groups 2+). The
    lavaan syntax of each step is in ``.attrs["syntax"]``. The model must be a
    first-order factor model of the items (loadings, factor covariances, residual
    covariances) without modifiers; ``group_partial`` and ``strict`` are not available.

    Each row compares with the model it is nested in (``compared_with``): ``delta_cfi``,
    ``delta_rmsea``, ``delta_srmr`` and the χ² difference test ``chisq_diff, df_diff,
    p_diff`` (ML: the ordinary likelihood-ratio difference; MLR: the Satorra–Bentler
    (2001) scaled difference, lavaan ``lavTestLRT(method="satorra.bentler.2001")``; MLR
    deltas use the robust CFI and RMSEA; WLSMV: the scaled-shifted difference of Satorra
    (2000), lavaan's ``lavTestLRT`` default for WLSMV, and the deltas of cfi.scaled and
    rmsea.scaled). ``supported`` applies Chen (2007) — ΔCFI ≥ −0.010 and ΔRMSEA ≤ 0.015
    and ΔSRMR ≤ 0.030 (metric) or ≤ 0.010 (scalar, strict), all three required. The
    configural row has NaN deltas and ``supported`` left NA: judge it on its own fit (e.g.
    the COSMIN criteria). Chen gives no limits for the thresholds step of ordered items:
    its ``supported`` is NA; judge it by the difference test.

    When the scalar step (or its partial version) is supported, ``.attrs["latent_means"]``
    holds :func:`latent_mean_differences` of that model.

    Parameters
    ----------
    data, model, group, estimator
        As for :func:`cfa`; extra keyword arguments (``std_lv``, ``orthogonal``,
        ``missing``, ``ordered``) are passed on.
    group_partial : iterable of str
        Parameters to free in the partial step, lavaan ``group.partial`` names.
    partial_step : {"metric", "scalar", "strict"}
        The step the partial model relaxes.
    strict : bool
        Include the strict (equal residual variances) step.

    Returns
    -------
    DataFrame, one row per step, named in its first column ``model`` (``configural, metric,
    scalar[, scalar (partial)], strict``; ordered items ``configural, thresholds, metric,
    scalar``), then the fit measures and the comparison with ``compared_with``.

    Examples
    --------
    >>> import pandas as pd
    >>> from analysis import datasets
    >>> hs = datasets.load("holzinger_swineford_1939")
    >>> m = "visual =~ x1 + x2 + x3\\ntextual =~ x4 + x5 + x6\\nspeed =~ x7 + x8 + x9"
    >>> inv = invariance(hs, m, "school", strict=True)
    >>> inv[["model", "df"]].astype({"df": int}).values.tolist()
    [['configural', 48], ['metric', 54], ['scalar', 60], ['strict', 69]]
    """
    if _is_ordered(kwargs.get("ordered")):
        if group_partial or strict:
            raise ValueError("invariance of ordered items: group_partial and strict are not "
                             "available (configural, thresholds, metric and scalar steps)")
        return _invariance_ordinal(data, model, group, estimator, **kwargs)
    base_steps = {"configural": (), "metric": ("loadings",),
                  "scalar": ("loadings", "intercepts"),
                  "strict": ("loadings", "intercepts", "residuals")}
    if not strict:
        base_steps.pop("strict")
    group_partial = tuple([group_partial] if isinstance(group_partial, str) else group_partial)
    if group_partial and partial_step not in base_steps or partial_step == "configural":
        raise ValueError(f"partial_step={partial_step!r}; expected one of "
                         f"{[s for s in base_steps if s != 'configural']}")
    # (step, group_equal, group_partial, the step it is nested in)
    plan: list[tuple[str, tuple, tuple, str | None]] = []
    for name, ge in base_steps.items():
        partial = group_partial if any(p[0].endswith("(partial)") for p in plan) else ()
        plan.append((name, ge, partial, plan[-1][0] if plan else None))
        if group_partial and name == partial_step:
            plan.append((f"{name} (partial)", ge, group_partial, plan[-1][3]))
    fits = {name: cfa(data, model, estimator=estimator, group=group, group_equal=ge,
                      group_partial=gp, **kwargs) for name, ge, gp, _ in plan}
    robust = str(estimator).upper() == "MLR"
    cols = ["npar", "chisq", "df", "pvalue", "cfi", "tli", "rmsea", "rmsea.ci.lower",
            "rmsea.ci.upper", "srmr", "aic", "bic"]
    if robust:
        cols += ["chisq.scaled", "chisq.scaling.factor", "pvalue.scaled", "cfi.robust",
                 "tli.robust", "rmsea.robust"]

    def difference(name: str, against: str) -> tuple[float, float]:
        f, pf = fits[name].fit, fits[against].fit
        ddf = f["df"] - pf["df"]
        if not robust:
            return f["chisq"] - pf["chisq"], ddf
        cd = (f["df"] * f["chisq.scaling.factor"] - pf["df"] * pf["chisq.scaling.factor"]) / ddf
        return (f["chisq"] - pf["chisq"]) / cd, ddf

    out = _invariance_table(fits, [(p[0], p[3]) for p in plan], cols,
                            ("cfi.robust", "rmsea.robust") if robust else ("cfi", "rmsea"),
                            difference)
    supported = out.set_index("model")["supported"]
    scalar = [s for s in ("scalar (partial)", "scalar") if s in supported.index
              and supported[s] is not pd.NA and bool(supported[s])]
    out.attrs["latent_means"] = (_latent_means(fits[scalar[0]]) if scalar else None)
    return out


def _invariance_table(fits: Mapping[str, CFAResult], plan: Sequence[tuple[str, str | None]],
                      cols: Sequence[str], delta_keys: tuple[str, str], difference
                      ) -> pd.DataFrame:
    """One row per step: its fit, the changes from the step it is nested in, the χ²
    difference test (``difference(step, against) -> (statistic, df)``) and Chen's verdict."""
    cfi_k, rmsea_k = delta_keys
    rows = []
    for name, against in plan:
        res = fits[name]
        f = res.fit
        row = {c: f[c] for c in cols}
        row.update(converged=res.converged, admissible=res.admissible,
                   compared_with=against or "")
        if against is None:
            row.update(delta_cfi=np.nan, delta_rmsea=np.nan, delta_srmr=np.nan,
                       chisq_diff=np.nan, df_diff=np.nan, p_diff=np.nan, supported=pd.NA)
        else:
            pf = fits[against].fit
            dcfi, drmsea = f[cfi_k] - pf[cfi_k], f[rmsea_k] - pf[rmsea_k]
            dsrmr = f["srmr"] - pf["srmr"]
            both = res.converged and fits[against].converged
            diff, ddf = difference(name, against) if both else (np.nan, np.nan)
            lim = CHEN_2007.get(name.split(" ")[0])
            ok = pd.NA if lim is None or not both else bool(
                dcfi >= lim["delta_cfi"] and drmsea <= lim["delta_rmsea"]
                and dsrmr <= lim["delta_srmr"])
            row.update(delta_cfi=dcfi, delta_rmsea=drmsea, delta_srmr=dsrmr,
                       chisq_diff=diff, df_diff=ddf, p_diff=float(stats.chi2.sf(diff, ddf)),
                       supported=ok)
        rows.append(row)
    out = pd.DataFrame([{"model": p[0], **row} for p, row in zip(plan, rows)])
    out["supported"] = out["supported"].astype("boolean")
    return out


#: Ordered-item invariance steps: semTools group.equal of each (Wu & Estabrook 2016).
ORDINAL_STEPS = {"configural": (), "thresholds": ("thresholds",),
                 "metric": ("thresholds", "loadings"),
                 "scalar": ("thresholds", "loadings", "intercepts")}


def _invariance_ordinal(data: pd.DataFrame, model: str, group: str, estimator: str | None,
                        ordered, **kwargs: Any) -> pd.DataFrame:
    if str(estimator or "WLSMV").upper() != "WLSMV":
        raise ValueError(f"ordered items are fitted by estimator='WLSMV', not {estimator!r}")
    if kwargs.pop("missing", "listwise") != "listwise":
        raise ValueError("invariance of ordered items uses the complete rows (missing='listwise')")
    if kwargs:
        raise ValueError(f"invariance of ordered items: {sorted(kwargs)} do not apply (the "
                         "steps fix the identification: unit factor variances in group 1)")
    ov, _ = observed_variables(parse_model(model))
    parts, _, _ = _prepare(data, ov, [], group, "listwise")
    rows = np.vstack(parts)
    n_thr = {v: len(np.unique(rows[:, j])) - 1 for j, v in enumerate(ov)}
    syntax = {name: measurement_syntax(model, n_thr, len(parts), ge)
              for name, ge in ORDINAL_STEPS.items()}
    cache: dict = {}
    fits = {}
    for name, text in syntax.items():
        stmts = parse_model(text)
        fits[name] = _cfa_ordinal(data, text, stmts, *observed_variables(stmts), ordered,
                                  group=group, cache=cache)
    names = list(ORDINAL_STEPS)
    plan = [(name, names[i - 1] if i else None) for i, name in enumerate(names)]
    cols = ["npar", "chisq", "df", "pvalue", "chisq.scaled", "df.scaled", "pvalue.scaled",
            "chisq.scaling.factor", "chisq.shift.parameters", "cfi.scaled", "tli.scaled",
            "rmsea.scaled", "srmr"]

    def difference(name: str, against: str) -> tuple[float, float]:
        h1, h0 = fits[against], fits[name]
        stat, df, _ = _sem_ordinal.difference_test(
            h1._state.model, h1._state.theta, h1.fit["chisq"], h1.fit["df"],
            h0._state.model, h0._state.theta, h0.fit["chisq"], h0.fit["df"])
        return stat, df

    out = _invariance_table(fits, plan, cols, ("cfi.scaled", "rmsea.scaled"), difference)
    out.attrs["syntax"] = syntax
    ok = out.set_index("model").loc["scalar", "supported"]
    out.attrs["latent_means"] = _latent_means(fits["scalar"]) if ok is not pd.NA and ok else None
    return out


def measurement_syntax(model: str, n_thresholds: Mapping[str, int], ngroups: int,
                       group_equal: Iterable[str] = ()) -> str:
    """lavaan syntax of a multi-group model for ordered items, as ``semTools::measEq.syntax(
    model, ordered=, parameterization = "delta", ID.fac = "std.lv", ID.cat =
    "Wu.Estabrook.2016", group.equal=)`` writes it (same labels and sections).

    Factor variances are 1 and means 0 in the first group; thresholds, intercepts and
    loadings get one label per group (``.g1``, ``.g2``…) or a shared label when
    ``group_equal`` names them. Wu & Estabrook's rules for groups 2+: an item's intercept
    is free when its thresholds are equal and its intercepts are not; its scaling factor is
    free when two or more thresholds (or one threshold and the intercept) are equal; a
    factor's variance is free when its loadings are equal, its mean when the intercepts of
    its items are.

    Parameters
    ----------
    model : str
        A first-order factor model: ``=~`` from factors to items, optionally factor or
        residual covariances (``~~``), without modifiers.
    n_thresholds : mapping
        Number of thresholds (categories − 1) of each item.
    ngroups : int
    group_equal : iterable of str
        Some of ``"thresholds"``, ``"loadings"``, ``"intercepts"``, ``"means"``,
        ``"lv.variances"``, ``"lv.covariances"``, ``"residual.covariances"``.

    Examples
    --------
    >>> print(measurement_syntax("f =~ u1 + u2", {"u1": 1, "u2": 1}, 2, ["thresholds"]))
    ## LOADINGS:
    f =~ c(NA, NA)*u1 + c(lambda.1_1.g1, lambda.1_1.g2)*u1
    f =~ c(NA, NA)*u2 + c(lambda.2_1.g1, lambda.2_1.g2)*u2
    ## THRESHOLDS:
    u1 | c(NA, NA)*t1 + c(u1.thr1, u1.thr1)*t1
    u2 | c(NA, NA)*t1 + c(u2.thr1, u2.thr1)*t1
    ## INTERCEPTS:
    u1 ~ c(0, NA)*1 + c(nu.1.g1, nu.1.g2)*1
    u2 ~ c(0, NA)*1 + c(nu.2.g1, nu.2.g2)*1
    ## SCALING FACTORS:
    u1 ~*~ c(1, 1)*u1
    u2 ~*~ c(1, 1)*u2
    ## LATENT MEANS/INTERCEPTS:
    f ~ c(0, 0)*1 + c(alpha.1.g1, alpha.1.g2)*1
    ## COMMON-FACTOR VARIANCES:
    f ~~ c(1, 1)*f + c(psi.1_1.g1, psi.1_1.g2)*f
    """
    equal = set(group_equal)
    G = ngroups
    stmts = [s for s in parse_model(model) if s.op in ("=~", "~~", "~1", "~", "|", "~*~")]
    lv = list(dict.fromkeys(s.lhs for s in stmts if s.op == "=~"))
    ov, _ = observed_variables(stmts)
    for st in stmts:
        plain = st.fixed is None and st.free is False and not st.label and st.start is None
        allowed = (st.op == "=~" and st.rhs in ov) or (
            st.op == "~~" and st.lhs != st.rhs
            and ({st.lhs, st.rhs} <= set(lv) or {st.lhs, st.rhs} <= set(ov)))
        if not (plain and allowed):
            raise ModelSyntaxError(
                f"model line {st.line}: invariance of ordered items takes a first-order factor "
                f"model ('=~' to items, '~~' between factors or between items) without "
                f"modifiers; '{st.lhs} {st.op} {st.rhs}' is not one")
    missing_thr = [v for v in ov if v not in n_thresholds]
    if missing_thr:
        raise ValueError(f"n_thresholds has no entry for {missing_thr}")

    def vec(values) -> str:
        return "c(" + ", ".join(values) + ")"

    def labels(base: str, same: bool) -> str:
        return vec([base] * G if same else [f"{base}.g{g + 1}" for g in range(G)])

    def first_then(first: str, rest: str) -> str:
        return vec([first] + [rest] * (G - 1))

    free = vec(["NA"] * G)
    item_no = {v: i + 1 for i, v in enumerate(ov)}
    fac_no = {f: j + 1 for j, f in enumerate(lv)}
    loads = [s for s in stmts if s.op == "=~"]
    factors_of = {v: [s.lhs for s in loads if s.rhs == v] for v in ov}
    eq_thr, eq_int = "thresholds" in equal, "intercepts" in equal
    out = ["## LOADINGS:"]
    out += [f"{s.lhs} =~ {free}*{s.rhs} + "
            f"{labels(f'lambda.{item_no[s.rhs]}_{fac_no[s.lhs]}', 'loadings' in equal)}*{s.rhs}"
            for s in loads]
    out += ["## THRESHOLDS:"]
    out += [f"{v} | {free}*t{k} + {labels(f'{v}.thr{k}', eq_thr)}*t{k}"
            for v in ov for k in range(1, n_thresholds[v] + 1)]
    out += ["## INTERCEPTS:"]
    out += [f"{v} ~ {first_then('0', 'NA' if eq_thr and not eq_int else '0')}*1 + "
            f"{labels(f'nu.{item_no[v]}', eq_int)}*1" for v in ov]
    out += ["## SCALING FACTORS:"]
    out += [f"{v} ~*~ {first_then('1', 'NA' if eq_thr and (n_thresholds[v] >= 2 or eq_int) else '1')}*{v}"
            for v in ov]
    out += ["## LATENT MEANS/INTERCEPTS:"]
    for f in lv:
        own = eq_int and any(factors_of[v] == [f] for v in ov)
        out.append(f"{f} ~ {first_then('0', 'NA' if own else '0')}*1 + "
                   f"{labels(f'alpha.{fac_no[f]}', 'means' in equal)}*1")
    out += ["## COMMON-FACTOR VARIANCES:"]
    out += [f"{f} ~~ {first_then('1', 'NA' if 'loadings' in equal else '1')}*{f} + "
            f"{labels(f'psi.{fac_no[f]}_{fac_no[f]}', 'lv.variances' in equal)}*{f}"
            for f in lv]
    lv_cov = [(a, b) for i, a in enumerate(lv) for b in lv[i + 1:]]
    if lv_cov:
        out += ["## COMMON-FACTOR COVARIANCES:"]
        out += [f"{a} ~~ {free}*{b} + "
                f"{labels(f'psi.{fac_no[b]}_{fac_no[a]}', 'lv.covariances' in equal)}*{b}"
                for a, b in lv_cov]
    resid = [(s.lhs, s.rhs) for s in stmts if s.op == "~~" and s.lhs in ov]
    if resid:
        out += ["## UNIQUE-FACTOR COVARIANCES:"]
        for a, b in resid:
            a, b = sorted((a, b), key=item_no.get)
            out.append(f"{a} ~~ {free}*{b} + "
                       f"{labels(f'theta.{item_no[b]}_{item_no[a]}', 'residual.covariances' in equal)}*{b}")
    return "\n".join(out)


def _latent_means(res: CFAResult) -> pd.DataFrame:
    e = res.estimates
    lv = res._state.pt.lv
    rows = e[(e.op == "~1") & e.lhs.isin(lv) & (e.group > 1)]
    labels = res.group_labels
    out = rows[["lhs", "group", "est", "se", "z", "pvalue", "ci_lower", "ci_upper",
                "std_all"]].rename(columns={"lhs": "factor"}).copy()
    out.insert(1, "group_label", [labels[g - 1] for g in out.group])
    out.insert(2, "reference", labels[0])
    return out.reset_index(drop=True)


def latent_mean_differences(data: pd.DataFrame, model: str, group: str,
                            estimator: str = "ML", *, group_partial: Iterable[str] = (),
                            **kwargs: Any) -> pd.DataFrame:
    """Latent mean differences from the (partial) scalar invariance model.

    With equal loadings and intercepts (except ``group_partial``) the latent means of the
    first group are fixed to 0 and those of the other groups are their differences from
    it (lavaan's identification), with SEs, z, p and CI; ``std_all`` divides by the
    latent SD in that group (lavaan std.all). Meaningful only when scalar invariance
    (full or partial) holds — check :func:`invariance` first.

    Returns
    -------
    DataFrame
        ``factor, group_label, reference, group, est, se, z, pvalue, ci_lower, ci_upper,
        std_all``.

    Examples
    --------
    >>> import pandas as pd
    >>> from analysis import datasets
    >>> hs = datasets.load("holzinger_swineford_1939")
    >>> m = "visual =~ x1 + x2 + x3\\ntextual =~ x4 + x5 + x6\\nspeed =~ x7 + x8 + x9"
    >>> d = latent_mean_differences(hs, m, "school")
    >>> d.factor.tolist(), round(float(d.est[0]), 3)
    (['visual', 'textual', 'speed'], -0.148)
    """
    if _is_ordered(kwargs.get("ordered")):
        raise ValueError("for ordered items use invariance(..., ordered=...): its "
                         "attrs['latent_means'] come from the scalar model with Wu & Estabrook's "
                         "identification")
    res = cfa(data, model, estimator=estimator, group=group,
              group_equal=("loadings", "intercepts"), group_partial=group_partial, **kwargs)
    if not res.converged:
        raise RuntimeError(f"the scalar model did not converge: {res.warnings}")
    return _latent_means(res)
