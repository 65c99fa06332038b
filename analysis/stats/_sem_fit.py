"""lavaan's test statistics and fit measures (``lav_fit_*``, ``lav_test_*``, 0.6.14).

Every formula follows lavaan's source so that the numbers agree with ``fitMeasures()``:

- χ² = N·F against the unrestricted (h1) model — the sample moments, or with missing data
  (FIML) lavaan's EM estimates; baseline χ² of the independence model (variances and
  means free, the ``fixed.x`` block kept), fitted by the same estimator;
- CFI, TLI; RMSEA = √max(χ²/(N·df) − 1/N, 0)·√G with the 90 % interval from the
  noncentral χ²; the close-fit and not-close-fit p-values (``lav_fit_rmsea_closefit``,
  ``lav_fit_rmsea_notclosefit``): P(χ²_{df,λ} ≥ χ²) with λ = N·df·0.05²/(c·G), and
  P(χ²_{df,λ} ≤ χ²) with λ = N·df·0.08²/(c·G), c the scaling factor of the robust ones;
- SRMR of Bentler: residuals of covariances (and of means with a meanstructure)
  standardised by the h1 standard deviations, groups weighted by n_g/N;
- MLR: the Yuan–Bentler scaled test in its Mplus variant (``yuan.bentler.mplus``),
  c = [Σ_g tr(A1_g⁻¹B1_g) − Σ_g (n_g/N) tr(E⁻¹B0_g)]/df, with A1 the observed h1
  information and B1 its first-order counterpart at the h1 moments, E the observed
  information (Hessian) and B0_g the first-order information of the model; scaled and
  robust CFI/TLI/RMSEA (Brosseau-Liard & Savalei 2014; Brosseau-Liard, Savalei & Li 2012);
  the scaled RMSEA, its interval and p-values take χ² on c·df degrees of freedom, the
  robust ones χ²/c on df with c·λ (``lav_fit_rmsea_lavobject``);
- FIML: robust CFI/TLI/RMSEA are lavaan's ``lav_fit_fiml_corrected`` (Zhang & Savalei,
  FIML-C: version V6 for ML, V3 for MLR), which evaluates the model at the EM moments as
  if they were complete-data moments.

References: Bentler (1990) *Psychol Bull* 107; Browne & Cudeck (1993); Yuan & Bentler
(2000) *Sociological Methodology* 30; Savalei (2018) / Zhang & Savalei (2023) on robust
and FIML-corrected indices; Rosseel (2012) *J Stat Softw* 48(2).
"""
from __future__ import annotations

import math
from typing import Literal

import numpy as np
import pandas as pd
from scipy import linalg, optimize, special

from analysis.stats._sem_engine import LOG2PI, Model, casewise_scores, discrepancy, dup_kron, observed_information_h1

FIT_NAMES = ("npar", "chisq", "df", "pvalue", "baseline.chisq", "baseline.df",
             "baseline.pvalue", "cfi", "tli", "rmsea", "rmsea.ci.lower", "rmsea.ci.upper",
             "rmsea.pvalue", "rmsea.notclose.pvalue", "srmr", "aic", "bic", "logl",
             "unrestricted.logl", "ntotal")
ROBUST_NAMES = ("cfi.robust", "tli.robust", "rmsea.robust", "rmsea.ci.lower.robust",
                "rmsea.ci.upper.robust", "rmsea.pvalue.robust", "rmsea.notclose.pvalue.robust")
SCALED_NAMES = ("chisq.scaled", "df.scaled", "pvalue.scaled", "chisq.scaling.factor",
                "scaling.factor.h1", "scaling.factor.h0", "baseline.chisq.scaled", "baseline.df.scaled", "baseline.pvalue.scaled",
                "baseline.chisq.scaling.factor", "cfi.scaled", "tli.scaled", "rmsea.scaled",
                "rmsea.ci.lower.scaled", "rmsea.ci.upper.scaled", "rmsea.pvalue.scaled",
                "rmsea.notclose.pvalue.scaled")


def fit_names(estimator: str, fiml: bool) -> tuple[str, ...]:
    """The fit-measure keys reported for an estimator / missing-data method."""
    if estimator == "MLR":
        return FIT_NAMES + SCALED_NAMES + ROBUST_NAMES
    return FIT_NAMES + (ROBUST_NAMES if fiml else ())


# ---------------------------------------------------------------- pieces of the tests
def h1_mask(model: Model) -> np.ndarray:
    """Moments that are modelled (fixed.x moments of the covariates are left out)."""
    p = model.p
    xi = np.isin(np.arange(p), [model.pt.ov.index(v) for v in model.pt.ov_x])
    r, c, _ = model.vi
    keep = ~(xi[r] & xi[c])
    return np.concatenate([~xi, keep]) if model.ms else keep


def h1_information(model: Model, g: int) -> tuple[np.ndarray, np.ndarray]:
    """A1 (observed) and B1 (first-order) unit information of the saturated model at the
    h1 moments of group g, restricted to the modelled moments."""
    s = model.samples[g]
    A1 = observed_information_h1(s, s.mean, s.cov, model.vi)
    sc = casewise_scores(s, s.mean, s.cov, model.vi, True)
    B1 = sc.T @ sc / s.n
    if not model.ms:
        A1, B1 = A1[model.p:, model.p:], B1[model.p:, model.p:]
    keep = h1_mask(model)
    return A1[np.ix_(keep, keep)], B1[np.ix_(keep, keep)]


def first_order(model: Model, theta: np.ndarray) -> list[np.ndarray]:
    """B0_g: the unit first-order information (cross-product of casewise scores)."""
    out = []
    for g, s in enumerate(model.samples):
        sc = model.scores(theta, g)
        out.append(sc.T @ sc / s.n)
    return out


def scaling_factor(model: Model, theta: np.ndarray, df: float, E_inv: np.ndarray,
                   B0: list[np.ndarray]) -> float:
    """Yuan–Bentler (Mplus variant) scaling factor ``c`` of the χ² (NaN if undefined)."""
    if df <= 0:
        return np.nan
    trace = 0.0
    for g in range(len(model.samples)):
        A1, B1 = h1_information(model, g)
        trace += float(np.sum(np.linalg.solve(A1, B1).diagonal()))
        trace -= model.w[g] * float(np.sum(B0[g] * E_inv.T))
    c = trace / df
    return c if c > 0 else np.nan


def loglik_scaling(model: Model, theta: np.ndarray, E_inv: np.ndarray, B0: list[np.ndarray],
                   n_free: int) -> tuple[float, float]:
    """lavaan's ``scaling.factor.h1`` and ``scaling.factor.h0`` of the Yuan–Bentler test,
    the log-likelihoods' MLR scaling factors: Σ_g tr(A1_g⁻¹B1_g) over the h1 moments, and
    Σ_g (n_g/N) tr(E⁻¹B0_g) over the ``n_free`` free parameters before equality constraints
    (``lav_test_yuan_bentler``)."""
    h1 = h0 = 0.0
    ndat = 0
    for g in range(len(model.samples)):
        A1, B1 = h1_information(model, g)
        h1 += float(np.sum(np.linalg.solve(A1, B1).diagonal()))
        ndat += len(A1)
        h0 += model.w[g] * float(np.sum(B0[g] * E_inv.T))
    return h1 / ndat, h0 / n_free


def complete_chisq(model: Model, theta: np.ndarray) -> float:
    """N·F of the model evaluated at the h1 moments as if they were complete data."""
    total = 0.0
    for g, s in enumerate(model.samples):
        sigma, mu = model.implied(theta, g)
        P = np.linalg.inv(sigma)
        d = s.mean - mu
        f = (np.linalg.slogdet(sigma)[1] + np.sum(s.cov * P) + d @ P @ d
             - np.linalg.slogdet(s.cov)[1] - model.p)
        total += s.n * f
    return total


def fiml_corrected(model: Model, theta: np.ndarray, df: float, base: Model,
                   base_theta: np.ndarray, base_df: float, version: Literal["V3", "V6"]) -> dict[str, float]:
    """lavaan's ``lav_fit_fiml_corrected`` (FIML-C, "V6" for ML or "V3" for MLR):
    XX3, c3 (and their baseline versions) for the robust CFI/TLI/RMSEA with missing data."""
    G = len(model.samples)
    Wm, Wc, Jm = [], [], []
    vi = model.vi
    keep = h1_mask(model)
    sub = np.ix_(keep, keep)
    for g, s in enumerate(model.samples):
        Wm.append(observed_information_h1(s, s.mean, s.cov, vi)[sub])
        P = np.linalg.inv(s.cov)
        W = np.zeros((len(keep), len(keep)))
        W[:model.p, :model.p] = P
        W[model.p:, model.p:] = 0.5 * dup_kron(P, P, vi)
        Wc.append(W[sub])
        sc = casewise_scores(s, s.mean, s.cov, vi, True)[:, keep]
        Jm.append(sc.T @ sc / s.n)
    Wmi = [np.linalg.inv(W) for W in Wm]
    w = model.w
    Wm_all = linalg.block_diag(*[w[g] * Wm[g] for g in range(G)])
    Wc_all = linalg.block_diag(*[w[g] * Wc[g] for g in range(G)])
    Wmi_all = linalg.block_diag(*[Wmi[g] / w[g] for g in range(G)])
    Gamma_all = linalg.block_diag(*[Wmi[g] @ Jm[g] @ Wmi[g] / w[g] for g in range(G)])

    def k_fimlc(mod: Model, th: np.ndarray) -> float:
        D = np.vstack([mod.delta(th, g)[keep] for g in range(G)])
        E_inv = np.linalg.inv(D.T @ Wm_all @ D)
        U = Wm_all - Wm_all @ D @ E_inv @ D.T @ Wm_all
        if version == "V3":
            return float(np.trace(U @ Wmi_all @ Wc_all @ Wmi_all @ U @ Gamma_all))
        return float(np.trace(Wc_all @ Wmi_all @ U @ Wmi_all))

    return {"XX3": complete_chisq(model, theta), "c3": k_fimlc(model, theta) / df,
            "XX3_null": complete_chisq(base, base_theta),
            "c3_null": k_fimlc(base, base_theta) / base_df}


# ------------------------------------------------------------------- index formulas
def _pchisq_ncp(x: float, df: float, ncp: float) -> float:
    """R's ``pchisq(x, df, ncp)``: the special functions behind ``scipy.stats.chi2.cdf`` and
    ``ncx2.cdf`` called directly (no distribution object per call; the same numbers)."""
    if x <= 0:
        return 0.0
    return float(special.chdtr(df, x)) if ncp <= 0 else float(special.chndtr(x, df, ncp))


def _chisq_sf(x: float, df: float) -> float:
    """The upper tail of the central χ² (``scipy.stats.chi2.sf``'s special function)."""
    return 1.0 if x <= 0 else float(special.chdtrc(df, x))


def rmsea_ci(X2: float, df: float, N: float, G: int, c_hat: float = 1.0,
             level: float = 0.90) -> tuple[float, float]:
    """lavaan's ``lav_fit_rmsea_ci``: noncentrality roots of the χ² distribution."""
    if not (np.isfinite(X2) and np.isfinite(df)) or df < 1:
        return (np.nan, np.nan) if not np.isfinite(X2) else (0.0, 0.0)
    up, lo = 1 - (1 - level) / 2, (1 - level) / 2
    f_lower = lambda lam: _pchisq_ncp(X2, df, lam) - up  # noqa: E731
    f_upper = lambda lam: _pchisq_ncp(X2, df, lam) - lo  # noqa: E731
    if f_lower(0) < 0:
        lower = 0.0
    else:
        lam = optimize.brentq(f_lower, 0, X2, xtol=1e-12) if f_lower(X2) < 0 else np.nan
        lower = math.sqrt(c_hat * lam / (N * df)) * math.sqrt(G)
    n_rmsea = max(N, 4 * X2)
    if f_upper(n_rmsea) > 0 or f_upper(0) < 0:
        upper = 0.0
    else:
        lam = optimize.brentq(f_upper, 0, n_rmsea, xtol=1e-12)
        upper = math.sqrt(c_hat * lam / (N * df)) * math.sqrt(G)
    return lower, upper


def cfi(X2: float, df: float, X2n: float, dfn: float, c: float = 1.0, cn: float = 1.0) -> float:
    """lavaan's ``lav_fit_cfi`` (robust when ``c``, ``cn`` are the scaling factors)."""
    t1, t2 = max(X2 - c * df, 0), max(X2 - c * df, X2n - cn * dfn, 0)
    if np.isclose(t1, 0, rtol=0, atol=1.5e-8) and np.isclose(t2, 0, rtol=0, atol=1.5e-8):
        return 1.0
    return 1 - t1 / t2


def tli(X2: float, df: float, X2n: float, dfn: float, c: float = 1.0, cn: float = 1.0) -> float:
    """lavaan's ``lav_fit_tli``."""
    t1, t2 = (X2 - c * df) * dfn, (X2n - cn * dfn) * df
    return 1 - t1 / t2 if df > 0 and abs(t2) > 0 else 1.0


def rmsea(X2: float, df: float, N: float, G: int, c: float = 1.0) -> float:
    """lavaan's ``lav_fit_rmsea`` (N, not N − 1)."""
    if not (np.isfinite(X2) and np.isfinite(df) and np.isfinite(c)):
        return np.nan
    return math.sqrt(max(X2 / N / df - c / N, 0.0)) * math.sqrt(G) if df > 0 else 0.0


def rmsea_pvalues(X2: float, df: float, N: float, G: int, c_hat: float = 1.0
                  ) -> tuple[float, float]:
    """lavaan's ``lav_fit_rmsea_closefit`` and ``lav_fit_rmsea_notclosefit``: the p-values
    of H0 RMSEA <= 0.05 (upper tail) and of H0 RMSEA >= 0.08 (lower tail) of the noncentral
    χ² with λ = N·df·h0²/(c·G); NaN when df is not positive."""
    if not (np.isfinite(X2) and np.isfinite(df) and df > 0):
        return np.nan, np.nan
    lam = N * df / c_hat / G
    return 1 - _pchisq_ncp(X2, df, lam * 0.05 ** 2), _pchisq_ncp(X2, df, lam * 0.08 ** 2)


def chisq_group(model: Model, theta: np.ndarray) -> tuple[float, ...]:
    """Each group's part n_g·[f_g(θ) − f_g(h1)] of χ² = N·F (lavaan's ``stat.group``)."""
    out = []
    for g, s in enumerate(model.samples):
        sigma, mu = model.implied(theta, g)
        out.append(float(s.n * (discrepancy(s, mu, sigma) - s.f_h1)))
    return tuple(out)


def srmr(model: Model, theta: np.ndarray) -> float:
    """Bentler's SRMR with the h1 moments (EM moments with missing data)."""
    out = 0.0
    r, c, _ = model.vi
    for g, s in enumerate(model.samples):
        sigma, mu = model.implied(theta, g)
        sd = np.sqrt(np.diag(s.cov))
        res = ((s.cov - sigma) / np.outer(sd, sd))[r, c]
        sq, cnt = np.sum(res ** 2), len(res)
        if model.ms:
            sq, cnt = sq + np.sum(((s.mean - mu) / sd) ** 2), cnt + model.p
        out += model.w[g] * math.sqrt(sq / cnt)
    return out


def _x_loglik(n: int, cov_x: np.ndarray) -> float:
    """Saturated log-likelihood of the fixed.x covariates, which lavaan leaves out."""
    k = len(cov_x)
    return -n / 2 * (k * LOG2PI + np.linalg.slogdet(cov_x)[1] + k) if k else 0.0


def loglik(model: Model, theta: np.ndarray | None) -> float:
    """Log-likelihood of the model (``theta=None``: of the unrestricted h1 model).

    With fixed.x the covariates' own likelihood is subtracted, as lavaan does: for the
    model at their h1 moments, for h1 at their pairwise sample covariance (×(n−1)/n).
    """
    xi = [model.pt.ov.index(v) for v in model.pt.ov_x]
    total = 0.0
    for g, s in enumerate(model.samples):
        if theta is None:
            f = s.f_h1
            cov_x = pd.DataFrame(s.X[:, xi]).cov().to_numpy() * (s.n - 1) / s.n
        else:
            sigma, mu = model.implied(theta, g)
            f = discrepancy(s, mu, sigma)
            cov_x = s.cov[np.ix_(xi, xi)]
        total += -0.5 * s.log2pi_term() - 0.5 * s.n * f - _x_loglik(s.n, cov_x)
    return total


def measures(model: Model, theta: np.ndarray, df: float, base: Model, base_theta: np.ndarray,
             base_df: float, *, estimator: str, fiml: bool,
             scaling: tuple[float, float, float, float] | None) -> dict[str, float]:
    """All fit measures of :func:`fit_names`.

    ``scaling`` = (c, c_baseline, scaling.factor.h1, scaling.factor.h0) for MLR; FIML adds
    the FIML-corrected robust indices.
    """
    N, G = model.N, len(model.samples)
    chisq = N * model.objective(theta)
    base_chisq = N * base.objective(base_theta)
    logl = loglik(model, theta)
    npar = model.n_theta
    lo, hi = rmsea_ci(chisq, df, N, G)
    close, notclose = rmsea_pvalues(chisq, df, N, G)
    out = {
        "npar": float(npar), "chisq": chisq, "df": float(df),
        "pvalue": _chisq_sf(chisq, df) if df > 0 else np.nan,
        "baseline.chisq": base_chisq, "baseline.df": float(base_df),
        "baseline.pvalue": _chisq_sf(base_chisq, base_df) if base_df > 0 else np.nan,
        "cfi": cfi(chisq, df, base_chisq, base_df), "tli": tli(chisq, df, base_chisq, base_df),
        "rmsea": rmsea(chisq, df, N, G), "rmsea.ci.lower": lo, "rmsea.ci.upper": hi,
        "rmsea.pvalue": close, "rmsea.notclose.pvalue": notclose,
        "srmr": srmr(model, theta), "aic": -2 * logl + 2 * npar,
        "bic": -2 * logl + npar * math.log(N), "logl": logl,
        "unrestricted.logl": loglik(model, None), "ntotal": float(N)}
    if estimator == "MLR":
        if scaling is None:
            raise ValueError("MLR fit measures need the scaling factors (c, c_baseline, h1, h0)")
        c, cn, h1, h0 = scaling
        lo, hi = rmsea_ci(chisq / c, df, N, G, c_hat=c)
        slo, shi = rmsea_ci(chisq, c * df, N, G)
        s_close, s_notclose = rmsea_pvalues(chisq, c * df, N, G)
        out.update({
            "chisq.scaled": chisq / c, "df.scaled": float(df),
            "pvalue.scaled": _chisq_sf(chisq / c, df) if df > 0 else np.nan,
            "chisq.scaling.factor": c, "scaling.factor.h1": h1, "scaling.factor.h0": h0,
            "baseline.chisq.scaled": base_chisq / cn,
            "baseline.df.scaled": float(base_df),
            "baseline.pvalue.scaled": _chisq_sf(base_chisq / cn, base_df) if base_df > 0 else np.nan,
            "baseline.chisq.scaling.factor": cn,
            "cfi.scaled": cfi(chisq / c, df, base_chisq / cn, base_df),
            "tli.scaled": tli(chisq / c, df, base_chisq / cn, base_df),
            "rmsea.scaled": rmsea(chisq, c * df, N, G), "rmsea.ci.lower.scaled": slo,
            "rmsea.ci.upper.scaled": shi, "rmsea.pvalue.scaled": s_close,
            "rmsea.notclose.pvalue.scaled": s_notclose})
        if not fiml:
            r_close, r_notclose = rmsea_pvalues(chisq / c, df, N, G, c)
            out.update({"cfi.robust": cfi(chisq, df, base_chisq, base_df, c, cn),
                        "tli.robust": tli(chisq, df, base_chisq, base_df, c, cn),
                        "rmsea.robust": rmsea(chisq, df, N, G, c),
                        "rmsea.ci.lower.robust": lo, "rmsea.ci.upper.robust": hi,
                        "rmsea.pvalue.robust": r_close, "rmsea.notclose.pvalue.robust": r_notclose})
    if fiml:
        try:
            fc = fiml_corrected(model, theta, df, base, base_theta, base_df,
                                "V3" if estimator == "MLR" else "V6")
        except np.linalg.LinAlgError:
            fc = dict.fromkeys(("XX3", "c3", "XX3_null", "c3_null"), np.nan)
        X3, c3 = fc["XX3"], fc["c3"]
        lo, hi = rmsea_ci(X3 / c3, df, N, G, c_hat=c3) if np.isfinite(c3) else (np.nan, np.nan)
        r_close, r_notclose = rmsea_pvalues(X3 / c3, df, N, G, c3)
        out.update({"cfi.robust": cfi(X3, df, fc["XX3_null"], base_df, c3, fc["c3_null"]),
                    "tli.robust": tli(X3, df, fc["XX3_null"], base_df, c3, fc["c3_null"]),
                    "rmsea.robust": rmsea(X3, df, N, G, c3),
                    "rmsea.ci.lower.robust": lo, "rmsea.ci.upper.robust": hi,
                    "rmsea.pvalue.robust": r_close, "rmsea.notclose.pvalue.robust": r_notclose})
    return {k: float(v) for k, v in out.items()}


__all__ = ["FIT_NAMES", "ROBUST_NAMES", "SCALED_NAMES", "fit_names", "measures",
           "scaling_factor", "loglik_scaling", "first_order", "h1_information", "rmsea_ci", "rmsea_pvalues",
           "chisq_group", "cfi", "tli", "rmsea", "srmr", "loglik", "LOG2PI"]
