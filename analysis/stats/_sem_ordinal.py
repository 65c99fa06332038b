"""Factor models for ordered items by DWLS with lavaan's WLSMV corrections (lavaan 0.6.14).

Why own code: no Python package fits lavaan's ``estimator = "WLSMV"``; see
:mod:`analysis.stats.sem` for why the SEM engine is our own. This module holds the
ordinal route: the sample statistics, the model's thresholds and correlations in lavaan's
delta and theta parameterizations, the DWLS fit, the robust standard errors and the
mean-and-variance adjusted (scaled-shifted) test, the independence (baseline) model and
Satorra's (2000) difference test. :func:`analysis.stats.sem.cfa` is the public face
(``ordered=``, ``parameterization=``).

Sample statistics (per group, complete rows): thresholds ``tau`` and polychoric
correlations ``r`` by two-step ML, and Gamma, N times their asymptotic covariance
(Muthén 1984), from :func:`analysis.stats.polychoric.polychoric`; ``s = (tau, r)`` in
lavaan's order (thresholds item by item, then the correlations column by column of the
lower triangle) and the DWLS weights ``W = 1 / diag(Gamma)``.

Model: latent responses ``y*`` with the RAM structure of
:class:`analysis.stats._sem_engine.RamModel` (loadings, regressions among factors, factor
(co)variances, residual (co)variances, intercepts ``nu`` and latent means), with
``mu = [E m]_ov`` and ``Sigma* = [E S E']_ov`` (``E = (I - A)^-1``). Implied thresholds and
correlations, with ``delta_i`` the inverse standard deviation of ``y*_i``:

    tau*_ik = delta_i (tau_ik - mu_i),        rho_ij = delta_i delta_j Sigma*_ij.

The two parameterizations (lavaan's ``parameterization =``) differ in which of ``delta``
and the residual variances ``theta_ii`` is a parameter:

- delta (lavaan's default; ``lav_model_set_parameters`` → ``setResidualElements``): the
  scaling factor ``delta_i`` (``u ~*~ u``, fixed to 1 in the first group, free in groups
  2+ with equal thresholds) is a parameter; ``theta_ii = 1/delta_i^2 - [Sigma*_ii without
  theta_ii]`` is derived (and does not enter tau* or rho);
- theta (``setDeltaElements``): ``theta_ii`` (``u ~~ u``, fixed to 1 in the first group,
  free in groups 2+ with equal thresholds) is a parameter; ``delta_i = 1/sqrt(Sigma*_ii)``
  is derived, so that ``d delta_i / d theta = -delta_i^3 (d Sigma*_ii / d theta) / 2`` enters
  the Jacobian (lavaan's ``computeDelta``).

One group: the two are the same model (the fit is equal; theta's thresholds, and its
loadings times the factor's SD, are delta's divided by theta's ``delta_i``). Groups 2+ with
equal thresholds: freeing ``delta_i`` or ``theta_ii`` gives equivalent models too. The
standardized solution (``lav_standardize_all``) divides by ``sd(y*) = 1/delta`` in both
(Muthén & Asparouhov 2002).

Estimation and inference (lavaan's ``estimator.DWLS``, ``lav_model_nvcov_robust_sem``,
``lav_test_satorra_bentler``): with residuals ``e_g = s_g - sigma_g(theta)``,

    F(theta) = sum_g (n_g - 1)/N  e_g' W_g e_g,     chi-square T = N F,

minimised by Gauss-Newton steps with step halving (then a quasi-Newton polish) until the
largest gradient element is within the engine's ``GRAD_TOL`` (see
:meth:`analysis.stats._sem_engine.RamModel.fit`); ``Delta_g = d sigma_g / d theta``
analytically. With
``f_g = n_g/N``, ``E = sum_g f_g Delta_g' W_g Delta_g`` and the robust ("sandwich")
covariance ``E^-1 [sum_g f_g Delta_g' W_g Gamma_g W_g Delta_g] E^-1 / (N - G)`` (lavaan
divides by N minus the number of groups for this estimator). The test:
``U = V - V Delta E^-1 Delta' V`` with ``V = diag(f_g W_g)``, ``UG = U diag(Gamma_g/f_g)``,
``a = sqrt(df / tr(UG^2))``, shift ``b = df - a tr(UG)``, scaled χ² ``a T + b`` on ``df``
degrees of freedom, scaling factor ``1/a`` (Asparouhov & Muthén 2010). The baseline
model has free thresholds and zero correlations. CFI/TLI/RMSEA (also ``.scaled`` from the
scaled statistics; the RMSEA's N is the number of rows minus G, as lavaan's for DWLS) and
SRMR (correlation residuals; lavaan's ``srmr`` for categorical data is the version without
thresholds) follow :mod:`analysis.stats._sem_fit`; the ``.robust`` indices are lavaan's
catML ones (:mod:`analysis.stats._sem_catml`).

References: Muthén (1984) *Psychometrika* 49; Muthén, du Toit & Spisic (1997);
Muthén & Asparouhov (2002) *Latent variable analysis with categorical outcomes* (Mplus
Web Note 4; the delta and theta parameterizations); Asparouhov & Muthén (2010) *Simple
second order chi-square correction*; Satorra (2000) in *Innovations in Multivariate
Statistical Analysis*; Rosseel (2012).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np
import pandas as pd
from scipy import linalg, stats

from analysis.stats import _sem_catml, _sem_fit
from analysis.stats._sem_engine import RamModel, near_singular
from analysis.stats._sem_partable import MAT_D, MAT_T, ParTable
from analysis.stats.polychoric import polychoric

__all__ = ["OrdinalSample", "OrdinalModel", "make_ordinal_sample", "robust_vcov",
           "fit_measures", "difference_test", "FIT_NAMES"]


@dataclass
class OrdinalSample:
    """One group's ordinal statistics: ``obs`` = (thresholds, correlations), their
    ``gamma`` (N x asymptotic covariance) and DWLS weights ``w``; ``cov`` (the polychoric
    matrix) and ``mean`` (zeros) stand in for the moments where starting values need them."""

    n: int
    tau: np.ndarray
    th_item: np.ndarray
    cov: np.ndarray
    gamma: np.ndarray

    def __post_init__(self):
        ii, jj = _pairs(len(self.cov))
        self.obs = np.concatenate([self.tau, self.cov[ii, jj]])
        self.w = 1.0 / np.diag(self.gamma)
        self.mean = np.zeros(len(self.cov))


def _pairs(p: int) -> tuple[np.ndarray, np.ndarray]:
    """(row, column) of the lower-triangle correlations in lavaan's order (by column)."""
    col, row = np.triu_indices(p, 1)
    return row, col


def make_ordinal_sample(x: pd.DataFrame, levels: dict, where: str) -> OrdinalSample:
    """Thresholds, polychoric correlations and Gamma of complete rows ``x``; ``levels`` are
    each item's categories over all groups (lavaan's), which every group must use."""
    for item, lev in levels.items():
        seen = set(np.unique(x[item]))
        if seen != set(lev):
            absent = [v for v in lev if v not in seen]
            raise ValueError(
                f"ordered item {item!r} has no answers in categor{'y' if len(absent) == 1 else 'ies'} "
                f"{absent}{where}; thresholds need every category in every group (merge sparse "
                "categories first)")
    pc = polychoric(x, missing="listwise", smooth=False)
    taus = pc.tau()
    return OrdinalSample(
        n=pc.n, tau=np.concatenate(taus),
        th_item=np.repeat(np.arange(len(taus)), [len(t) for t in taus]),
        cov=pc.matrix(), gamma=pc.nacov().iloc[:, 1:].to_numpy())


class OrdinalModel(RamModel[OrdinalSample]):
    """A parameter table with ordered indicators (all observed variables) and its
    per-group :class:`OrdinalSample`: implied thresholds and correlations, their Jacobian,
    the DWLS discrepancy and its derivatives; :meth:`RamModel.fit` minimises it (Gauss-Newton
    steps with step halving, a quasi-Newton polish, convergence at ``GRAD_TOL``)."""

    def __init__(self, pt: ParTable, samples: Sequence[OrdinalSample], x0: np.ndarray,
                 K: np.ndarray):
        super().__init__(pt, samples, x0, K, meanstructure=True)
        self._scoring: tuple[np.ndarray, np.ndarray] | None = None
        p = self.p
        self.pairs = _pairs(p)
        r, c, _ = self.vi
        pos = np.zeros((p, p), dtype=int)
        pos[r, c] = np.arange(len(r))
        self.pair_vech = pos[self.pairs]
        self.th_item = samples[0].th_item
        self.theta_param = pt.parameterization == "theta"
        self.diag_vech = pos[np.arange(p), np.arange(p)]
        self.c = np.array([(s.n - 1) / self.N for s in samples])
        op, lhs = np.array(pt.op), np.array(pt.lhs)
        ov = {v: i for i, v in enumerate(pt.ov)}
        self.resid_rows, self.th_rows, self.delta_rows = [], [], []
        for g in range(pt.ngroups):
            ix = self.idx[g]
            res = ix[(op[ix] == "~~") & (lhs[ix] == np.array(pt.rhs)[ix])
                     & np.isin(lhs[ix], pt.ordered)]
            self.resid_rows.append(res[np.argsort([ov[v] for v in lhs[res]])])
            th = ix[pt.mat[ix] == MAT_T]
            self.th_rows.append(th[np.lexsort((pt.col[th], pt.row[th]))])
            d = ix[pt.mat[ix] == MAT_D]
            self.delta_rows.append(d[np.argsort(pt.row[d])])

    # -- implied moments
    def values(self, theta: np.ndarray) -> np.ndarray:
        """All table values, the derived ones filled in: the residual variances of the
        ``y*`` (delta parameterization) or their scaling factors (theta)."""
        v = super().values(theta)
        for g in range(self.pt.ngroups):
            if self.theta_param:
                A, S, _ = self.ram(v, g)
                E = np.linalg.inv(np.eye(self.t) - A)[: self.p]
                var = np.einsum("ij,jk,ik->i", E, S, E)
                with np.errstate(invalid="ignore", divide="ignore"):
                    v[self.delta_rows[g]] = 1.0 / np.sqrt(np.where(var > 0, var, np.nan))
                continue
            rows = self.resid_rows[g]
            v[rows] = 0.0
            A, S, _ = self.ram(v, g)
            E = np.linalg.inv(np.eye(self.t) - A)[: self.p]
            common = np.einsum("ij,jk,ik->i", E, S, E)
            v[rows] = 1.0 / v[self.delta_rows[g]] ** 2 - common
        return v

    def _parts(self, v: np.ndarray, g: int):
        A, S, m = self.ram(v, g)
        F = np.linalg.inv(np.eye(self.t) - A)[: self.p]
        return F @ S @ F.T, F @ m, v[self.delta_rows[g]], v[self.th_rows[g]]

    def moments(self, theta: np.ndarray, g: int, v: np.ndarray | None = None) -> np.ndarray:
        """Implied (thresholds, correlations) of group g."""
        sigma, mu, delta, tau = self._parts(self.values(theta) if v is None else v, g)
        it, (ii, jj) = self.th_item, self.pairs
        return np.concatenate([delta[it] * (tau - mu[it]), delta[ii] * delta[jj] * sigma[ii, jj]])

    def jacobian(self, theta: np.ndarray, g: int) -> np.ndarray:
        """Delta_g = d(thresholds, correlations)/d theta. Theta parameterization:
        ``d delta_i = -delta_i^3 d Sigma*_ii / 2`` (lavaan's ``computeDelta``)."""
        p, it, (ii, jj) = self.p, self.th_item, self.pairs
        sigma, mu, delta, tau = self._parts(self.values(theta), g)
        D = self.delta(theta, g)                   # d(mu, vech Sigma*)/d theta
        dmu, dsig = D[:p], D[p:][self.pair_vech]

        def unit(rows):                          # d(row value)/d theta
            out = np.zeros((len(rows), self.n_theta))
            fr = self.pt.free[rows]
            out[fr > 0] = self.K[fr[fr > 0] - 1]
            return out
        dtau = unit(self.th_rows[g])
        if self.theta_param:
            ddelta = -0.5 * delta[:, None] ** 3 * D[p:][self.diag_vech]
        else:
            ddelta = unit(self.delta_rows[g])
        s = sigma[ii, jj]
        j_th = delta[it, None] * (dtau - dmu[it]) + (tau - mu[it])[:, None] * ddelta[it]
        j_r = ((delta[ii] * delta[jj])[:, None] * dsig + (s * delta[jj])[:, None] * ddelta[ii]
               + (s * delta[ii])[:, None] * ddelta[jj])
        return np.vstack([j_th, j_r])

    # -- discrepancy
    def objective(self, theta: np.ndarray) -> float:
        v = self.values(theta)
        total = 0.0
        for g, s in enumerate(self.samples):
            e = s.obs - self.moments(theta, g, v)
            total += self.c[g] * float(e @ (s.w * e))
        return total if np.isfinite(total) else np.inf

    def _gauss_newton(self, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """∂F/∂θ and ``sum_g c_g Delta_g' W_g Delta_g`` (half F's Gauss-Newton Hessian) from
        the same Jacobians; the latter kept for :meth:`scoring_info` at this theta."""
        v = self.values(theta)
        H, grad = np.zeros((self.n_theta, self.n_theta)), np.zeros(self.n_theta)
        for g, s in enumerate(self.samples):
            J = self.jacobian(theta, g)
            e = s.obs - self.moments(theta, g, v)
            H += self.c[g] * J.T @ (s.w[:, None] * J)
            grad -= 2 * self.c[g] * J.T @ (s.w * e)
        self._scoring = (theta.copy(), H)
        return grad, H

    def gradient(self, theta: np.ndarray) -> np.ndarray:
        return self._gauss_newton(theta)[0]

    def value_and_gradient(self, theta: np.ndarray, gradient: bool = True
                           ) -> tuple[float, np.ndarray | None]:
        f = self.objective(theta)
        return f, (self.gradient(theta) if gradient and np.isfinite(f) else None)

    def scoring_info(self, theta: np.ndarray) -> np.ndarray:
        """Half F's Gauss-Newton Hessian, so that :meth:`RamModel.fit` takes Gauss-Newton
        steps."""
        if self._scoring is not None and np.array_equal(self._scoring[0], theta):
            return self._scoring[1]
        return self._gauss_newton(theta)[1]

    def information(self, theta: np.ndarray) -> np.ndarray:
        """E = sum_g f_g Delta_g' W_g Delta_g (lavaan's expected information for DWLS)."""
        out = np.zeros((self.n_theta, self.n_theta))
        for g, s in enumerate(self.samples):
            J = self.jacobian(theta, g)
            out += self.w[g] * J.T @ (s.w[:, None] * J)
        return out


# ------------------------------------------------------------------------ inference
def robust_vcov(model: OrdinalModel, theta: np.ndarray) -> np.ndarray:
    """Robust covariance of theta, lavaan's ``se = "robust.sem"`` (÷ (N - G)); raises
    LinAlgError when the information matrix is singular (a model not identified)."""
    info = model.information(theta)
    if near_singular(info):
        raise np.linalg.LinAlgError("singular information matrix")
    E_inv = np.linalg.inv(info)
    meat = np.zeros_like(E_inv)
    for g, s in enumerate(model.samples):
        WD = s.w[:, None] * model.jacobian(theta, g)
        meat += model.w[g] * WD.T @ s.gamma @ WD
    return E_inv @ meat @ E_inv / (model.N - len(model.samples))


def ugamma_traces(J: np.ndarray, samples: Sequence[OrdinalSample], fg: np.ndarray
                  ) -> tuple[float, float]:
    """tr(UG) and tr(UG^2) of lavaan's ``lav_test_satorra_bentler_trace_original`` for the
    stacked Jacobian ``J`` (all groups; columns the free parameters)."""
    v = np.concatenate([f * s.w for f, s in zip(fg, samples)])
    gamma = linalg.block_diag(*[s.gamma / f for f, s in zip(fg, samples)])
    VJ = v[:, None] * J
    if J.shape[1]:
        U = np.diag(v) - VJ @ np.linalg.solve(J.T @ VJ, VJ.T)
    else:
        U = np.diag(v)
    UG = U @ gamma
    return float(np.trace(UG)), float(np.sum(UG * UG.T))


def scaled_shifted(T: float, df: float, tr1: float, tr2: float) -> tuple[float, float, float]:
    """(scaled-shifted statistic, scaling factor 1/a, shift b); lavaan keeps the statistic
    unscaled when df = 0."""
    if df <= 0:
        return T, np.nan, np.nan
    a = math.sqrt(df / tr2)
    b = df - a * tr1
    return a * T + b, 1 / a, b


def _baseline(model: OrdinalModel) -> tuple[float, float, float, float]:
    """Independence model: free thresholds, zero correlations. (T, df, tr(UG), tr(UG^2))."""
    T, df, blocks = 0.0, 0, []
    for s in model.samples:
        k = len(s.tau)
        r = s.obs[k:]
        T += (s.n - 1) * float(r @ (s.w[k:] * r))
        df += len(r)
        blocks.append(np.vstack([np.eye(k), np.zeros((len(r), k))]))
    tr1, tr2 = ugamma_traces(linalg.block_diag(*blocks), model.samples, model.w)
    return T, df, tr1, tr2


def srmr(model: OrdinalModel, theta: np.ndarray) -> float:
    """lavaan's categorical ``srmr``: root mean square of the correlation residuals, over
    p(p+1)/2 elements (the zero diagonal included), groups weighted by n_g/N."""
    v = model.values(theta)
    out = 0.0
    for g, s in enumerate(model.samples):
        k, p = len(s.tau), model.p
        e = s.obs[k:] - model.moments(theta, g, v)[k:]
        out += model.w[g] * math.sqrt(float(e @ e) / (p * (p + 1) / 2))
    return out


def fit_measures(model: OrdinalModel, theta: np.ndarray, df: float) -> dict:
    """lavaan's ``fitMeasures`` for WLSMV (names as lavaan's, plus the shift parameter)."""
    N, G = model.N, len(model.samples)
    T = N * model.objective(theta)
    J = np.vstack([model.jacobian(theta, g) for g in range(G)])
    tr1, tr2 = ugamma_traces(J, model.samples, model.w)
    Ts, c, b = scaled_shifted(T, df, tr1, tr2)
    Tn, dfn, tn1, tn2 = _baseline(model)
    Tns, cn, _ = scaled_shifted(Tn, dfn, tn1, tn2)
    pval = lambda x, d: float(stats.chi2.sf(x, d)) if d > 0 else np.nan  # noqa: E731
    Nr = N - G                # the RMSEA's N for DWLS (lavaan's lav_utils_get_ntotal)
    lo, hi = _sem_fit.rmsea_ci(T, df, Nr, G)
    slo, shi = _sem_fit.rmsea_ci(Ts, df, Nr, G)
    cdf = lambda x, h0: (_sem_fit._pchisq_ncp(x, df, Nr * df * h0 ** 2 / G)  # noqa: E731
                         if df > 0 else np.nan)
    out = {
        "npar": model.n_theta, "fmin": T / (2 * N), "chisq": T, "df": df,
        "pvalue": pval(T, df), "chisq.scaled": Ts, "df.scaled": df,
        "pvalue.scaled": pval(Ts, df), "chisq.scaling.factor": c,
        "chisq.shift.parameters": b,
        "baseline.chisq": Tn, "baseline.df": dfn, "baseline.pvalue": pval(Tn, dfn),
        "baseline.chisq.scaled": Tns, "baseline.df.scaled": dfn,
        "baseline.pvalue.scaled": pval(Tns, dfn), "baseline.chisq.scaling.factor": cn,
        "cfi": _sem_fit.cfi(T, df, Tn, dfn), "tli": _sem_fit.tli(T, df, Tn, dfn),
        "cfi.scaled": _sem_fit.cfi(Ts, df, Tns, dfn), "tli.scaled": _sem_fit.tli(Ts, df, Tns, dfn),
        "rmsea": _sem_fit.rmsea(T, df, Nr, G), "rmsea.ci.lower": lo, "rmsea.ci.upper": hi,
        "rmsea.pvalue": 1 - cdf(T, 0.05), "rmsea.notclose.pvalue": cdf(T, 0.08),
        "rmsea.scaled": _sem_fit.rmsea(Ts, df, Nr, G), "rmsea.ci.lower.scaled": slo,
        "rmsea.ci.upper.scaled": shi, "rmsea.pvalue.scaled": 1 - cdf(Ts, 0.05),
        "rmsea.notclose.pvalue.scaled": cdf(Ts, 0.08), "srmr": srmr(model, theta), "ntotal": N}
    out.update(_sem_catml.robust_measures(model, theta, df, dfn))
    return {k: float(out[k]) for k in FIT_NAMES}


FIT_NAMES = ("npar", "fmin", "chisq", "df", "pvalue", "chisq.scaled", "df.scaled",
             "pvalue.scaled", "chisq.scaling.factor", "chisq.shift.parameters",
             "baseline.chisq", "baseline.df", "baseline.pvalue", "baseline.chisq.scaled",
             "baseline.df.scaled", "baseline.pvalue.scaled", "baseline.chisq.scaling.factor",
             "cfi", "tli", "cfi.scaled", "tli.scaled", "cfi.robust", "tli.robust",
             "nnfi.robust", "rni.robust", "rmsea", "rmsea.ci.lower", "rmsea.ci.upper",
             "rmsea.pvalue", "rmsea.notclose.pvalue", "rmsea.scaled", "rmsea.ci.lower.scaled",
             "rmsea.ci.upper.scaled", "rmsea.pvalue.scaled", "rmsea.notclose.pvalue.scaled",
             "rmsea.robust", "rmsea.ci.lower.robust", "rmsea.ci.upper.robust",
             "rmsea.pvalue.robust", "rmsea.notclose.pvalue.robust", "srmr", "ntotal")


def difference_test(m1: OrdinalModel, theta1: np.ndarray, T1: float, df1: float,
                    m0: OrdinalModel, theta0: np.ndarray, T0: float, df0: float
                    ) -> tuple[float, float, float]:
    """Scaled-shifted χ² difference of nested WLSMV models, lavaan's ``lavTestLRT``
    default (``method = "satorra.2000"``, ``A.method = "delta"``, ``scaled.shifted``).

    ``m1`` is the less restricted model (H1, fewer df), ``m0`` the nested one. With the
    stacked Jacobians Delta_1, Delta_0, ``A`` spans the orthogonal complement of
    ``pinv(Delta_1) Delta_0`` (the restrictions), ``P = E_1^-1`` and
    ``M = P A' (A P A')^+ A P``: tr(UG) = sum_g f_g tr(W_g Gamma_g W_g Delta_1g M
    Delta_1g') and tr(UG^2) from ``U = W Delta_1 M Delta_1' W``, ``G = diag(f_g Gamma_g)``;
    ``a = sqrt(m / tr(UG^2))``, ``b = m - a tr(UG)``. Returns (statistic a (T0 - T1) + b,
    df m, p-value).
    """
    m = df0 - df1
    if m <= 0:
        raise ValueError(f"the models are not nested with more df in the restricted one "
                         f"(df {df1:g} and {df0:g})")
    G = len(m1.samples)
    D1 = np.vstack([m1.jacobian(theta1, g) for g in range(G)])
    D0 = np.vstack([m0.jacobian(theta0, g) for g in range(G)])
    H = np.linalg.pinv(D1) @ D0
    A = linalg.null_space(H.T).T
    P = np.linalg.inv(m1.information(theta1))
    APA = A @ P @ A.T
    keep = ~((np.abs(APA.sum(0)) < np.finfo(float).eps ** 0.5)
             & (np.abs(APA.sum(1)) < np.finfo(float).eps ** 0.5))
    A = A[keep]
    M = P @ A.T @ np.linalg.pinv(A @ P @ A.T) @ A @ P
    fg = m1.w
    w = np.concatenate([s.w for s in m1.samples])
    U = (w[:, None] * D1) @ M @ (D1.T * w[None, :])
    UG = U @ linalg.block_diag(*[f * s.gamma for f, s in zip(fg, m1.samples)])
    tr1 = float(np.trace(UG))
    tr2 = float(np.sum(UG * UG.T))
    a = math.sqrt(m / tr2)
    stat = (T0 - T1) * a + (m - a * tr1)
    return stat, float(m), float(stats.chi2.sf(stat, m))
