"""Confirmatory factor analysis (CFA) that reproduces R lavaan 0.6.14.

Why own code: the Python SEM libraries disagree with lavaan. semopy 2.3 reports wrong
AIC/BIC/log-likelihood, has no SRMR and no RMSEA confidence interval, divides RMSEA by
N − 1 instead of N, and cannot constrain parameters across groups (so no measurement
invariance). Researchers put our numbers next to lavaan's, so this module implements the
estimator and lavaan's exact fit-measure formulas with numpy/scipy and is tested against
committed lavaan output (``tests/r/cfa.R`` → ``tests/fixtures/r/cfa.json``).

Model and estimation (lavaan defaults)
--------------------------------------
The measurement model per group g is Σ = ΛΨΛ' + Θ, μ = ν + Λα. The first loading of each
factor is fixed to 1 (or, with ``std_lv``, factor variances are fixed to 1), factor
covariances are free (fixed to 0 with ``orthogonal``), residual variances are free.
Intercepts and latent means (the *meanstructure*) are added for multi-group models, as
lavaan does; a single-group model, also with MLR and complete data, has no meanstructure
(lavaan 0.6.14 behaviour). The ML discrepancy, with S the biased (÷N) covariance,

    F = Σ_g (n_g/N) [log|Σ_g| + tr(S_g Σ_g⁻¹) − log|S_g| − p + (ȳ_g − μ_g)'Σ_g⁻¹(ȳ_g − μ_g)],

is minimised by Fisher scoring (analytic gradient, expected information, Armijo step
halving) from lavaan-like starting values, with a BFGS fallback. χ² = N·F.

Standard errors: ML uses the expected information (lavaan ``information="expected"``);
MLR uses the Huber–White sandwich with the observed (Hessian) information, as lavaan's
``se="robust.huber.white"``. The MLR test is the Yuan–Bentler statistic in its Mplus
variant (lavaan ``test="yuan.bentler.mplus"``): c = [Σ_g tr(A1_g⁻¹B1_g) − tr(E⁻¹B0)]/df.

Fit measures follow lavaan's ``lav_fit_*`` functions: CFI/TLI against the independence
model, RMSEA = √max(χ²/(N·df) − 1/N, 0)·√G with the 90 % interval from the noncentral
χ², SRMR of Bentler (residuals of covariances, and of means with a meanstructure,
standardised by the sample SDs; groups weighted by n_g/N), robust CFI/TLI/RMSEA of
Brosseau-Liard & Savalei (2014) and Brosseau-Liard, Savalei & Li (2012) as computed by
lavaan 0.6.14 (χ² − c·df in place of χ² − df).

References: Bollen (1989) *Structural equations with latent variables*; Yuan & Bentler
(2000) *Sociological Methodology* 30; Rosseel (2012) lavaan, *J Stat Softw* 48(2);
Chen (2007) *Structural Equation Modeling* 14(3) for the invariance criteria.

Examples
--------
>>> import pandas as pd
>>> from analysis.stats.sem import cfa
>>> hs = pd.read_csv("tests/fixtures/data/holzinger_swineford_1939.csv")
>>> res = cfa(hs, "visual =~ x1 + x2 + x3; textual =~ x4 + x5 + x6; speed =~ x7 + x8 + x9")
>>> round(res.fit["chisq"], 3), int(res.fit["df"]), round(res.fit["cfi"], 3)
(85.306, 24, 0.931)
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import optimize, stats

from analysis.stats.criteria import limits
from analysis.stats.lavaan_syntax import ModelSyntaxError, Statement, parse_model

__all__ = ["CFAResult", "cfa", "invariance", "ModelSyntaxError", "GROUP_EQUAL", "CHEN_2007"]

GROUP_EQUAL = ("loadings", "intercepts", "residuals", "residual.covariances",
               "lv.variances", "lv.covariances")
#: Chen (2007) cut-offs per invariance step, from the criteria table (analysis.stats.criteria).
CHEN_2007 = limits("cross-cultural validity / measurement invariance")
_LAM, _THE, _PSI, _NU, _ALPHA = range(5)
_LOG2PI = math.log(2.0 * math.pi)


# --------------------------------------------------------------------------- results
@dataclass(frozen=True)
class CFAResult:
    """Result of :func:`cfa`.

    Attributes
    ----------
    estimates : DataFrame
        Like lavaan's ``parameterEstimates(standardized=TRUE)``: ``lhs, op, rhs, group``
        (1-based), ``label, est, se, z, pvalue, std_all``. Fixed parameters have se 0.
    fit : dict
        lavaan ``fitMeasures`` names (see :func:`cfa`); NaN when the model was not fitted.
    converged : bool
    warnings : tuple of str
        Heywood cases, non-positive-definite matrices, rows removed, non-convergence.
    n : int
        Number of rows analysed (all groups).
    model : str
    estimator : str
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


# --------------------------------------------------------------------- parameter table
@dataclass
class _Table:
    lhs: list[str]
    op: list[str]
    rhs: list[str]
    group: np.ndarray
    label: list[str]
    free: np.ndarray        # 0 = fixed, else 1..k
    value: np.ndarray       # fixed value or start value
    mat: np.ndarray
    row: np.ndarray
    col: np.ndarray
    ov: list[str]
    lv: list[str]
    meanstructure: bool
    n_free: int


def _variables(stmts: Sequence[Statement]) -> tuple[list[str], list[str]]:
    lv = list(dict.fromkeys(s.lhs for s in stmts if s.op == "=~"))
    ov: list[str] = []
    for s in stmts:
        if s.op == "=~":
            if s.rhs in lv:
                raise ModelSyntaxError(
                    f"model line {s.line}: '{s.rhs}' is a factor used as an indicator; "
                    "higher-order factors are not supported")
            names = [s.rhs]
        else:
            names = [s.lhs] + ([s.rhs] if s.rhs else [])
        ov.extend(v for v in names if v not in lv and v not in ov)
    if not ov:
        raise ModelSyntaxError("model has no observed variables")
    return ov, lv


def _build_table(stmts: Sequence[Statement], n_groups: int, *, std_lv: bool,
                 orthogonal: bool, meanstructure: bool, group_equal: Sequence[str],
                 independence: bool = False) -> _Table:
    """lavaan's parameter table: user rows first, then the automatic ones, per group."""
    ov, lv = _variables(stmts)
    meanstructure = meanstructure or any(s.op == "~1" for s in stmts)
    rows: list[dict[str, Any]] = []
    for g in range(n_groups):
        grows: list[dict[str, Any]] = []
        seen_first: set[str] = set()
        user = set()
        for s in stmts:
            free = s.fixed is None
            value = s.fixed if s.fixed is not None else np.nan
            if s.op == "=~":
                first = s.lhs not in seen_first
                seen_first.add(s.lhs)
                if first and not std_lv and s.fixed is None and not s.free:
                    free, value = False, 1.0
            key = (s.lhs, s.op, s.rhs)
            user.add(key)
            if s.op == "~~":
                user.add((s.rhs, s.op, s.lhs))
            grows.append(dict(lhs=s.lhs, op=s.op, rhs=s.rhs, free=free, value=value,
                              label=s.label, kind=s.op))
        auto = [(v, "~~", v, True, np.nan) for v in ov]
        auto += [(f, "~~", f, not std_lv, 1.0 if std_lv else np.nan) for f in lv]
        auto += [(a, "~~", b, not orthogonal, 0.0 if orthogonal else np.nan)
                 for i, a in enumerate(lv) for b in lv[i + 1:]]
        if meanstructure:
            auto += [(v, "~1", "", True, np.nan) for v in ov]
            lv_mean_free = g > 0 and "intercepts" in group_equal
            auto += [(f, "~1", "", lv_mean_free, np.nan if lv_mean_free else 0.0) for f in lv]
        for lhs, op, rhs, free, value in auto:
            if (lhs, op, rhs) not in user:
                grows.append(dict(lhs=lhs, op=op, rhs=rhs, free=free, value=value, label=""))
        for r in grows:
            r["group"] = g
        rows.extend(grows)
    if independence:
        rows = [r for r in rows if (r["op"] == "~~" and r["lhs"] == r["rhs"] and r["lhs"] in ov)
                or (r["op"] == "~1" and r["lhs"] in ov)]
        for r in rows:
            r.update(free=True, value=np.nan, label="")
        lv = []
    # matrix positions
    oi = {v: i for i, v in enumerate(ov)}
    li = {f: j for j, f in enumerate(lv)}
    for r in rows:
        lhs, op, rhs = r["lhs"], r["op"], r["rhs"]
        if op == "=~":
            r["mat"], r["row"], r["col"] = _LAM, oi[rhs], li[lhs]
        elif op == "~~":
            if lhs in oi and rhs in oi:
                r["mat"], r["row"], r["col"] = _THE, oi[lhs], oi[rhs]
            elif lhs in li and rhs in li:
                r["mat"], r["row"], r["col"] = _PSI, li[lhs], li[rhs]
            else:
                raise ModelSyntaxError(
                    f"'{lhs} ~~ {rhs}': covariances between a factor and an observed "
                    "variable are not supported")
        else:
            r["mat"], r["row"], r["col"] = (_NU, oi[lhs], 0) if lhs in oi else (_ALPHA, li[lhs], 0)
    # group.equal labels (lavaan's .pN. labels) and free-parameter numbering
    kinds = {"loadings": lambda r: r["op"] == "=~",
             "intercepts": lambda r: r["op"] == "~1" and r["lhs"] in oi,
             "residuals": lambda r: r["mat"] == _THE and r["row"] == r["col"],
             "residual.covariances": lambda r: r["mat"] == _THE and r["row"] != r["col"],
             "lv.variances": lambda r: r["mat"] == _PSI and r["row"] == r["col"],
             "lv.covariances": lambda r: r["mat"] == _PSI and r["row"] != r["col"]}
    per_group = len(rows) // n_groups if rows else 0
    eq_label: list[str] = []
    for i, r in enumerate(rows):
        lab = r["label"]
        if not lab and not independence and any(kinds[k](r) for k in group_equal) and r["free"]:
            lab = f".p{i % per_group + 1}."
        eq_label.append(lab)
    ids: dict[str, int] = {}
    free = np.zeros(len(rows), dtype=int)
    k = 0
    for i, r in enumerate(rows):
        if not r["free"]:
            continue
        lab = eq_label[i]
        if lab and lab in ids:
            free[i] = ids[lab]
        else:
            k += 1
            free[i] = k
            if lab:
                ids[lab] = k
    return _Table(lhs=[r["lhs"] for r in rows], op=[r["op"] for r in rows],
                  rhs=[r["rhs"] for r in rows], group=np.array([r["group"] for r in rows]),
                  label=[r["label"] for r in rows], free=free,
                  value=np.array([r["value"] for r in rows], dtype=float),
                  mat=np.array([r["mat"] for r in rows]), row=np.array([r["row"] for r in rows]),
                  col=np.array([r["col"] for r in rows]), ov=ov, lv=lv,
                  meanstructure=meanstructure, n_free=k)


# ------------------------------------------------------------------------ the engine
@dataclass
class _Group:
    n: int
    S: np.ndarray           # biased covariance
    ybar: np.ndarray
    X: np.ndarray           # raw data (n × p), for MLR scores
    logdetS: float = np.nan


class _Engine:
    """Matrices, ML discrepancy, gradient, information and casewise scores."""

    def __init__(self, tab: _Table, groups: Sequence[_Group]):
        self.tab, self.groups = tab, groups
        self.p, self.m = len(tab.ov), len(tab.lv)
        self.N = sum(g.n for g in groups)
        self.w = np.array([g.n / self.N for g in groups])
        self.ms = tab.meanstructure
        self.idx = [np.flatnonzero(tab.group == g) for g in range(len(groups))]

    # -- matrices
    def values(self, theta: np.ndarray) -> np.ndarray:
        v = self.tab.value.copy()
        f = self.tab.free > 0
        v[f] = theta[self.tab.free[f] - 1]
        return v

    def matrices(self, theta: np.ndarray, g: int) -> tuple[np.ndarray, ...]:
        t, v, ix = self.tab, self.values(theta), self.idx[g]
        L = np.zeros((self.p, self.m)); T = np.zeros((self.p, self.p))
        P = np.zeros((self.m, self.m)); nu = np.zeros(self.p); al = np.zeros(self.m)
        for code, M in ((_LAM, L), (_THE, T), (_PSI, P)):
            s = ix[t.mat[ix] == code]
            M[t.row[s], t.col[s]] = v[s]
            if code != _LAM:
                M[t.col[s], t.row[s]] = v[s]
        s = ix[t.mat[ix] == _NU]; nu[t.row[s]] = v[s]
        s = ix[t.mat[ix] == _ALPHA]; al[t.row[s]] = v[s]
        return L, T, P, nu, al

    def implied(self, theta: np.ndarray, g: int) -> tuple[np.ndarray, np.ndarray]:
        L, T, P, nu, al = self.matrices(theta, g)
        mu = nu + L @ al if self.ms else self.groups[g].ybar
        return L @ P @ L.T + T, mu

    def derivatives(self, theta: np.ndarray, g: int) -> tuple[np.ndarray, np.ndarray]:
        """dΣ/dθ (k × p × p) and dμ/dθ (k × p) for group g."""
        t, ix, p = self.tab, self.idx[g], self.p
        L, T, P, nu, al = self.matrices(theta, g)
        fr = ix[t.free[ix] > 0]
        n = len(fr)
        dS = np.zeros((n, p, p)); dm = np.zeros((n, p))
        mat, r, c = t.mat[fr], t.row[fr], t.col[fr]
        a = np.flatnonzero(mat == _LAM)
        if a.size:
            B = (L @ P)[:, c[a]].T
            dS[a, r[a], :] += B
            dS[a, :, r[a]] += B
            dm[a, r[a]] = al[c[a]]
        a = np.flatnonzero(mat == _PSI)
        if a.size:
            o = np.einsum("np,nq->npq", L[:, r[a]].T, L[:, c[a]].T)
            o = o + o.transpose(0, 2, 1)
            o[r[a] == c[a]] *= 0.5
            dS[a] = o
        a = np.flatnonzero(mat == _THE)
        dS[a, r[a], c[a]] = 1.0
        dS[a, c[a], r[a]] = 1.0
        a = np.flatnonzero(mat == _NU)
        dm[a, r[a]] = 1.0
        a = np.flatnonzero(mat == _ALPHA)
        if a.size:
            dm[a] = L[:, r[a]].T
        J = np.zeros((self.tab.n_free, n))
        J[t.free[fr] - 1, np.arange(n)] = 1.0
        dS = (J @ dS.reshape(n, p * p)).reshape(-1, p, p)
        dm = J @ dm if self.ms else np.zeros((self.tab.n_free, p))
        return dS, dm

    # -- ML discrepancy
    def objective(self, theta: np.ndarray) -> float:
        total = 0.0
        for g, grp in enumerate(self.groups):
            Sig, mu = self.implied(theta, g)
            try:
                C = np.linalg.cholesky(Sig)
            except np.linalg.LinAlgError:
                return np.inf
            Ci = np.linalg.inv(C)
            Si = Ci.T @ Ci
            d = grp.ybar - mu
            f = (2 * np.log(np.diag(C)).sum() + np.sum(grp.S * Si) - grp.logdetS - self.p
                 + d @ Si @ d)
            total += self.w[g] * f
        return float(total)

    def gradient_info(self, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Gradient of F and the unit expected information Σ_g w_g I_g."""
        k = self.tab.n_free
        grad = np.zeros(k); info = np.zeros((k, k))
        for g, grp in enumerate(self.groups):
            Sig, mu = self.implied(theta, g)
            Si = np.linalg.inv(Sig)
            dS, dm = self.derivatives(theta, g)
            d = grp.ybar - mu
            Sd = Si @ d
            G = Si - Si @ (grp.S + np.outer(d, d)) @ Si
            grad += self.w[g] * (np.einsum("kpq,pq->k", dS, G) - 2 * dm @ Sd)
            M = Si @ dS @ Si
            info += self.w[g] * (0.5 * np.einsum("kpq,lpq->kl", M, dS) + dm @ Si @ dm.T)
        return grad, info

    def gradient(self, theta: np.ndarray) -> np.ndarray:
        return self.gradient_info(theta)[0]

    def fit(self, start: np.ndarray, max_iter: int = 500) -> tuple[np.ndarray, bool]:
        theta = start.copy()
        f = self.objective(theta)
        if not np.isfinite(f):
            return theta, False
        for _ in range(max_iter):
            grad, info = self.gradient_info(theta)
            if np.max(np.abs(grad)) < 1e-9:
                return theta, True
            try:
                step = np.linalg.solve(2 * info, -grad)
            except np.linalg.LinAlgError:
                step = -np.linalg.pinv(2 * info) @ grad
            if not np.all(np.isfinite(step)) or grad @ step >= 0:
                break
            t = 1.0
            while t > 1e-12:
                f_new = self.objective(theta + t * step)
                if f_new <= f + 1e-4 * t * (grad @ step):
                    break
                t *= 0.5
            else:
                break
            theta = theta + t * step
            if abs(f - f_new) < 1e-15 * max(1.0, abs(f)) and np.max(np.abs(t * step)) < 1e-12:
                f = f_new
                break
            f = f_new
        if np.max(np.abs(self.gradient(theta))) < 1e-7:
            return theta, True
        # fallback when Fisher scoring stalls (e.g. near a boundary): BFGS
        res = optimize.minimize(self.objective, theta, jac=self.gradient, method="BFGS",
                                options={"gtol": 1e-9, "maxiter": 5000})
        theta = res.x if res.fun <= f else theta
        ok = bool(np.max(np.abs(self.gradient(theta))) < 1e-6)
        return theta, ok

    # -- robust pieces
    def scores(self, theta: np.ndarray, g: int) -> np.ndarray:
        """Casewise scores of the log-likelihood (n_g × k)."""
        grp = self.groups[g]
        Sig, mu = self.implied(theta, g)
        Si = np.linalg.inv(Sig)
        dS, dm = self.derivatives(theta, g)
        return _casewise_scores(grp.X - mu, Si, dS, dm)

    def observed_info(self, theta: np.ndarray) -> np.ndarray:
        """Hessian of lavaan's fmin = F/2 (central differences of the analytic gradient)."""
        k = len(theta)
        H = np.zeros((k, k))
        for j in range(k):
            h = 1e-6 * max(1.0, abs(theta[j]))
            e = np.zeros(k); e[j] = h
            H[:, j] = (self.gradient(theta + e) - self.gradient(theta - e)) / (2 * h)
        return 0.25 * (H + H.T)


def _casewise_scores(E: np.ndarray, Si: np.ndarray, dS: np.ndarray, dm: np.ndarray) -> np.ndarray:
    """s_ik = dμ_k'Σ⁻¹e_i + ½(e_i'Σ⁻¹dΣ_kΣ⁻¹e_i − tr(Σ⁻¹dΣ_k)), vectorised over cases.

    Works on the transposed (variables × cases) layout so the products of pairs of
    variables are contiguous row operations; returns an (n × k) view.
    """
    p = Si.shape[0]
    Zt = Si @ E.T
    iu = np.triu_indices(p)
    wgt = np.where(iu[0] == iu[1], 1.0, 2.0)
    ZZt = Zt[iu[0]] * Zt[iu[1]]
    W = dS[:, iu[0], iu[1]] * wgt
    tr = np.einsum("pq,kpq->k", Si, dS)
    st = W @ ZZt
    st -= tr[:, None]
    st *= 0.5
    if np.any(dm):
        st += dm @ Zt
    return st.T


def _sandwich_pieces(eng: _Engine, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    """E (observed information), B0 = Σ w_g B0_g and Σ_g tr(A1_g⁻¹ B1_g)."""
    E = eng.observed_info(theta)
    B0 = np.zeros_like(E)
    trace_h1 = 0.0
    p = eng.p
    iu = np.triu_indices(p)
    unit = np.zeros((len(iu[0]), p, p))
    unit[np.arange(len(iu[0])), iu[0], iu[1]] = 1.0
    unit[np.arange(len(iu[0])), iu[1], iu[0]] = 1.0
    for g, grp in enumerate(eng.groups):
        s = eng.scores(theta, g)
        B0 += eng.w[g] * (s.T @ s) / grp.n
        # saturated (h1) model at the sample moments: A1 = expected = observed information
        Si = np.linalg.inv(grp.S)
        dm = np.eye(p) if eng.ms else np.zeros((0, p))
        dS = unit if not eng.ms else np.concatenate([np.zeros((p, p, p)), unit])
        dmm = np.concatenate([dm, np.zeros((len(unit), p))]) if eng.ms else np.zeros((len(unit), p))
        M = Si @ dS @ Si
        A1 = 0.5 * np.einsum("kpq,lpq->kl", M, dS) + dmm @ Si @ dmm.T
        s1 = _casewise_scores(grp.X - grp.ybar, Si, dS, dmm)
        B1 = s1.T @ s1 / grp.n
        trace_h1 += float(np.sum(np.linalg.solve(A1, B1).diagonal()))
    return E, B0, trace_h1


# ------------------------------------------------------------------------- helpers
def _start_values(tab: _Table, groups: Sequence[_Group]) -> np.ndarray:
    """Starting values in the spirit of lavaan's defaults.

    Loadings from the first principal axis of each factor's indicators (scaled to the
    marker or to unit factor variance), residual variances ½·s_ii, factor covariances 0,
    intercepts ȳ, latent means 0.
    """
    start = np.full(tab.n_free, np.nan)
    val = tab.value.copy()
    for g, grp in enumerate(groups):
        ix = np.flatnonzero(tab.group == g)
        for j, f in enumerate(tab.lv):
            lam = ix[(tab.mat[ix] == _LAM) & (tab.col[ix] == j)]
            var = ix[(tab.mat[ix] == _PSI) & (tab.row[ix] == j) & (tab.col[ix] == j)]
            items = tab.row[lam]
            if not items.size:
                continue
            sub = grp.S[np.ix_(items, items)]
            e, v = np.linalg.eigh(sub)
            ell = v[:, -1] * math.sqrt(max(e[-1], 1e-8))
            if ell.sum() < 0:
                ell = -ell
            fixed_lam = tab.free[lam] == 0
            if fixed_lam.any():
                first = int(np.flatnonzero(fixed_lam)[0])
                c = tab.value[lam][first]
                scale = ell[first] / c if c != 0 else 1.0
                psi = scale ** 2
            else:
                psi = tab.value[var][0] if var.size and tab.free[var][0] == 0 else 1.0
                scale = math.sqrt(psi) if psi > 0 else 1.0
            free_lam = lam[tab.free[lam] > 0]
            val[free_lam] = ell[tab.free[lam] > 0] / scale
            fv = var[tab.free[var] > 0]
            val[fv] = psi
        the = ix[(tab.mat[ix] == _THE) & (tab.free[ix] > 0)]
        diag = tab.row[the] == tab.col[the]
        val[the[diag]] = 0.5 * np.diag(grp.S)[tab.row[the[diag]]]
        val[the[~diag]] = 0.0
        psi_off = ix[(tab.mat[ix] == _PSI) & (tab.row[ix] != tab.col[ix]) & (tab.free[ix] > 0)]
        val[psi_off] = 0.0
        nu = ix[(tab.mat[ix] == _NU) & (tab.free[ix] > 0)]
        val[nu] = grp.ybar[tab.row[nu]]
        al = ix[(tab.mat[ix] == _ALPHA) & (tab.free[ix] > 0)]
        val[al] = 0.0
    for i in np.flatnonzero(tab.free > 0):
        if np.isnan(start[tab.free[i] - 1]):
            start[tab.free[i] - 1] = val[i]
    return np.nan_to_num(start, nan=0.0)


def _prepare(data: pd.DataFrame, ov: Sequence[str], group: str | None,
             missing: str) -> tuple[list[_Group], tuple[str, ...], list[str]]:
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"data must be a pandas DataFrame, got {type(data).__name__}")
    if missing != "listwise":
        raise ValueError(f"missing={missing!r} is not supported; expected 'listwise'")
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
        raise ValueError("CFA data problems (expected numeric item scores):\n  "
                         + "\n  ".join(problems))
    warnings: list[str] = []
    keep = X.notna().all(axis=1)
    if group:
        keep &= data[group].notna()
    if not keep.all():
        dropped = list(data.index[~keep])
        shown = ", ".join(map(str, dropped[:10])) + (" …" if len(dropped) > 10 else "")
        warnings.append(f"listwise deletion: {len(dropped)} of {len(data)} rows have missing "
                        f"values in the model variables and were not analysed (rows {shown})")
    X = X[keep]
    if group:
        gcol = data.loc[keep, group].astype(str)
        labels = tuple(pd.unique(gcol))
        parts = [X[gcol == lab].to_numpy() for lab in labels]
    else:
        labels = ()
        parts = [X.to_numpy()]
    groups = []
    for x in parts:
        n = x.shape[0]
        ybar = x.mean(axis=0) if n else np.full(len(ov), np.nan)
        S = (x - ybar).T @ (x - ybar) / n if n else np.full((len(ov), len(ov)), np.nan)
        grp = _Group(n=n, S=S, ybar=ybar, X=x)
        groups.append(grp)
    return groups, labels, warnings


def _sample_ok(groups: Sequence[_Group], labels: Sequence[str], ov: Sequence[str]) -> list[str]:
    msgs = []
    for g, grp in enumerate(groups):
        where = f" in group {labels[g]!r}" if labels else ""
        if grp.n < 2:
            msgs.append(f"sample covariance matrix{where} cannot be computed (n = {grp.n})")
            continue
        ev = np.linalg.eigvalsh(grp.S)
        if ev[0] <= 1e-10 * max(ev[-1], 1e-300):
            const = [v for v, s in zip(ov, np.diag(grp.S)) if s <= 0]
            extra = f"; constant variables: {const}" if const else ""
            msgs.append(f"sample covariance matrix{where} is not positive definite (smallest "
                        f"eigenvalue {ev[0]:.3g}; n = {grp.n}, p = {len(ov)}){extra}; "
                        "the model cannot be fitted")
        else:
            grp.logdetS = float(np.linalg.slogdet(grp.S)[1])
    return msgs


def _pchisq_ncp(x: float, df: float, ncp: float) -> float:
    return float(stats.chi2.cdf(x, df)) if ncp <= 0 else float(stats.ncx2.cdf(x, df, ncp))


def _rmsea_ci(X2: float, df: float, N: float, G: int, c_hat: float = 1.0,
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


def _cfi(X2, df, X2n, dfn, c=1.0, cn=1.0, robust=False):
    if robust and df > 0:
        t1, t2 = max(X2 - c * df, 0), max(X2 - c * df, X2n - cn * dfn, 0)
    else:
        t1, t2 = max(X2 - df, 0), max(X2 - df, X2n - dfn, 0)
    return 1.0 if np.isclose(t1, 0, rtol=0, atol=1.5e-8) and np.isclose(t2, 0, rtol=0, atol=1.5e-8) \
        else 1 - t1 / t2


def _tli(X2, df, X2n, dfn, c=1.0, cn=1.0, robust=False):
    if robust and df > 0:
        t1, t2 = (X2 - c * df) * dfn, (X2n - cn * dfn) * df
    else:
        t1, t2 = (X2 - df) * dfn, (X2n - dfn) * df
    return 1 - t1 / t2 if df > 0 and abs(t2) > 0 else 1.0


def _rmsea(X2, df, N, G, c=1.0):
    return math.sqrt(max(X2 / N / df - c / N, 0.0)) * math.sqrt(G) if df > 0 else 0.0


FIT_NAMES = ("npar", "chisq", "df", "pvalue", "baseline.chisq", "baseline.df", "cfi", "tli",
             "rmsea", "rmsea.ci.lower", "rmsea.ci.upper", "rmsea.pvalue", "srmr", "aic", "bic",
             "logl", "unrestricted.logl", "ntotal")
ROBUST_NAMES = ("chisq.scaled", "df.scaled", "pvalue.scaled", "chisq.scaling.factor",
                "baseline.chisq.scaled", "baseline.chisq.scaling.factor", "cfi.scaled",
                "tli.scaled", "rmsea.scaled", "cfi.robust", "tli.robust", "rmsea.robust",
                "rmsea.ci.lower.robust", "rmsea.ci.upper.robust")


def _scaling_factor(eng: _Engine, theta: np.ndarray, df: float
                    ) -> tuple[float, np.ndarray | None, list[str]]:
    """Yuan–Bentler (Mplus variant) scaling factor and the sandwich covariance."""
    E, B0, trace_h1 = _sandwich_pieces(eng, theta)
    try:
        Einv = np.linalg.inv(E)
    except np.linalg.LinAlgError:
        return np.nan, None, ["observed information matrix is singular: robust standard "
                              "errors and scaled test unavailable (model not identified?)"]
    trace_h0 = float(np.sum(B0 * Einv.T))
    c = (trace_h1 - trace_h0) / df if df > 0 else np.nan
    vcov = Einv @ B0 @ Einv / eng.N
    return (c if c > 0 else np.nan), vcov, []


# -------------------------------------------------------------------------- public API
def cfa(data: pd.DataFrame, model: str, *, estimator: str = "ML", group: str | None = None,
        group_equal: Iterable[str] = (), std_lv: bool = False, orthogonal: bool = False,
        missing: str = "listwise") -> CFAResult:
    """Fit a confirmatory factor model by maximum likelihood, as ``lavaan::cfa``.

    Parameters
    ----------
    data : DataFrame
        One row per respondent; model variables must be numeric.
    model : str
        lavaan model syntax (``=~``, ``~~``, ``~ 1``, fixed values ``1*x``, ``NA*x``,
        labels, ``#`` comments; see :mod:`analysis.stats.lavaan_syntax`).
    estimator : {"ML", "MLR"}
        ``"MLR"``: ML estimates with Huber–White robust SEs and the Yuan–Bentler (Mplus)
        scaled χ², plus scaled and robust CFI/TLI/RMSEA.
    group : str, optional
        Column defining groups (multi-group CFA with a meanstructure). Groups are ordered
        by first appearance, as lavaan does.
    group_equal : iterable of str
        lavaan ``group.equal`` names: ``"loadings"``, ``"intercepts"`` (latent means then
        free in groups 2+), ``"residuals"``, ``"residual.covariances"``,
        ``"lv.variances"``, ``"lv.covariances"``.
    std_lv : bool
        Fix factor variances to 1 and free all loadings.
    orthogonal : bool
        Fix factor covariances to 0.
    missing : {"listwise"}
        Rows with a missing model variable are removed and reported in ``warnings``.

    Returns
    -------
    CFAResult
        ``.fit`` keys: npar, chisq, df, pvalue, baseline.chisq, baseline.df, cfi, tli,
        rmsea, rmsea.ci.lower, rmsea.ci.upper, rmsea.pvalue, srmr, aic, bic, logl,
        unrestricted.logl, ntotal; with MLR also chisq.scaled, df.scaled, pvalue.scaled,
        chisq.scaling.factor, baseline.chisq.scaled, baseline.chisq.scaling.factor,
        cfi.scaled, tli.scaled, rmsea.scaled, cfi.robust, tli.robust, rmsea.robust,
        rmsea.ci.lower.robust, rmsea.ci.upper.robust.

    Examples
    --------
    >>> import pandas as pd
    >>> hs = pd.read_csv("tests/fixtures/data/holzinger_swineford_1939.csv")
    >>> m = "visual =~ x1 + x2 + x3\\ntextual =~ x4 + x5 + x6\\nspeed =~ x7 + x8 + x9"
    >>> r = cfa(hs, m, estimator="MLR")
    >>> round(r.fit["chisq.scaled"], 3), round(r.fit["chisq.scaling.factor"], 3)
    (87.132, 0.979)
    """
    est = str(estimator).upper()
    if est not in ("ML", "MLR"):
        raise ValueError(f"estimator={estimator!r} is not supported; expected 'ML' or 'MLR'")
    group_equal = tuple([group_equal] if isinstance(group_equal, str) else group_equal)
    unknown = [g for g in group_equal if g not in GROUP_EQUAL]
    if unknown:
        raise ValueError(f"group_equal {unknown} not supported; expected some of {GROUP_EQUAL}")
    if group_equal and group is None:
        raise ValueError("group_equal needs a group column (group=...)")
    stmts = parse_model(model)
    ov, _ = _variables(stmts)
    groups, labels, warns = _prepare(data, ov, group, missing)
    G = len(groups)
    tab = _build_table(stmts, G, std_lv=std_lv, orthogonal=orthogonal,
                       meanstructure=G > 1, group_equal=group_equal)
    N = sum(g.n for g in groups)
    p = len(ov)
    ndat = G * (p * (p + 1) // 2 + (p if tab.meanstructure else 0))
    df = ndat - tab.n_free
    problems = _sample_ok(groups, labels, ov)
    if df < 0:
        problems.append(f"model is not identified: {tab.n_free} free parameters but only "
                        f"{ndat} sample moments (df = {df})")
    eng = _Engine(tab, groups)
    if problems:
        return _failed(tab, eng, labels, warns + problems, N, model, est)
    theta, converged = eng.fit(_start_values(tab, groups))
    if not converged:
        warns.append("the optimiser did not converge; estimates and fit are not reliable")
        return _failed(tab, eng, labels, warns, N, model, est, theta)
    grad, info = eng.gradient_info(theta)
    ev = np.linalg.eigvalsh(info)
    singular = bool(ev[0] <= 1e-10 * ev[-1])
    if singular:
        warns.append("information matrix is singular: the model may not be identified; "
                     "standard errors are not available")
    vcov = None if singular else np.linalg.inv(N * info)
    fit = _fit_measures(eng, theta, df, G, N)
    if est == "MLR":
        c, vc, w = _scaling_factor(eng, theta, df)
        warns += w
        vcov = None if singular else vc
        fit.update(_robust_measures(eng, fit, c, df, G, N, stmts, std_lv, orthogonal))
    fit = {k: float(v) for k, v in fit.items()}
    estimates = _estimates(eng, theta, vcov)
    warns += _diagnostics(eng, theta, estimates, labels)
    implied = {(labels[g] if labels else "all"):
               pd.DataFrame(eng.implied(theta, g)[0], index=ov, columns=ov) for g in range(G)}
    return CFAResult(estimates=estimates, fit=fit, converged=True, warnings=tuple(warns),
                     n=N, model=model, estimator=est, group_labels=labels, implied=implied)


def _failed(tab, eng, labels, warns, N, model, est, theta=None) -> CFAResult:
    names = FIT_NAMES + (ROBUST_NAMES if est == "MLR" else ())
    fit = {k: np.nan for k in names}
    fit["npar"], fit["ntotal"] = float(tab.n_free), float(N)
    est_df = _estimates(eng, np.full(tab.n_free, np.nan) if theta is None else theta, None)
    if theta is None:
        est_df["std_all"] = np.nan
    return CFAResult(estimates=est_df, fit=fit, converged=False, warnings=tuple(warns), n=N,
                     model=model, estimator=est, group_labels=tuple(labels))


def _fit_measures(eng: _Engine, theta: np.ndarray, df: int, G: int, N: int) -> dict:
    p = eng.p
    chisq = N * eng.objective(theta)
    logl = unres = base = 0.0
    srmr = 0.0
    for g, grp in enumerate(eng.groups):
        Sig, mu = eng.implied(theta, g)
        Si = np.linalg.inv(Sig)
        d = grp.ybar - mu
        logl += -grp.n / 2 * (p * _LOG2PI + np.linalg.slogdet(Sig)[1] + np.sum(grp.S * Si)
                              + d @ Si @ d)
        unres += -grp.n / 2 * (p * _LOG2PI + grp.logdetS + p)
        base += grp.n * (np.log(np.diag(grp.S)).sum() - grp.logdetS)
        sd = np.sqrt(np.diag(grp.S))
        iu = np.tril_indices(p)
        r = ((grp.S - Sig) / np.outer(sd, sd))[iu]
        sq, cnt = np.sum(r ** 2), len(r)
        if eng.ms:
            sq, cnt = sq + np.sum((d / sd) ** 2), cnt + p
        srmr += eng.w[g] * math.sqrt(sq / cnt)
    npar = eng.tab.n_free
    df_b = G * p * (p - 1) // 2
    lo, hi = _rmsea_ci(chisq, df, N, G)
    return {
        "npar": float(npar), "chisq": chisq, "df": float(df),
        "pvalue": float(stats.chi2.sf(chisq, df)) if df > 0 else np.nan,
        "baseline.chisq": base, "baseline.df": float(df_b),
        "cfi": _cfi(chisq, df, base, df_b), "tli": _tli(chisq, df, base, df_b),
        "rmsea": _rmsea(chisq, df, N, G), "rmsea.ci.lower": lo, "rmsea.ci.upper": hi,
        "rmsea.pvalue": 1 - _pchisq_ncp(chisq, df, N * df * 0.05 ** 2 / G) if df > 0 else np.nan,
        "srmr": srmr, "aic": -2 * logl + 2 * npar, "bic": -2 * logl + npar * math.log(N),
        "logl": logl, "unrestricted.logl": unres, "ntotal": float(N)}


def _robust_measures(eng: _Engine, fit: dict, c: float, df: int, G: int, N: int,
                     stmts, std_lv, orthogonal) -> dict:
    X2, X2n, dfn = fit["chisq"], fit["baseline.chisq"], fit["baseline.df"]
    # independence model fitted by the same engine, for its scaling factor
    itab = _build_table(stmts, G, std_lv=std_lv, orthogonal=orthogonal,
                        meanstructure=eng.ms, group_equal=(), independence=True)
    ieng = _Engine(itab, eng.groups)
    itheta, _ = ieng.fit(_start_values(itab, eng.groups))
    cn, _, _ = _scaling_factor(ieng, itheta, dfn)
    lo, hi = _rmsea_ci(X2 / c, df, N, G, c_hat=c)
    return {"chisq.scaled": X2 / c, "df.scaled": float(df),
            "pvalue.scaled": float(stats.chi2.sf(X2 / c, df)), "chisq.scaling.factor": c,
            "baseline.chisq.scaled": X2n / cn, "baseline.chisq.scaling.factor": cn,
            "cfi.scaled": _cfi(X2 / c, df, X2n / cn, dfn),
            "tli.scaled": _tli(X2 / c, df, X2n / cn, dfn),
            "rmsea.scaled": _rmsea(X2, c * df, N, G),
            "cfi.robust": _cfi(X2, df, X2n, dfn, c, cn, robust=True),
            "tli.robust": _tli(X2, df, X2n, dfn, c, cn, robust=True),
            "rmsea.robust": _rmsea(X2, df, N, G, c),
            "rmsea.ci.lower.robust": lo, "rmsea.ci.upper.robust": hi}


def _estimates(eng: _Engine, theta: np.ndarray, vcov: np.ndarray | None) -> pd.DataFrame:
    tab = eng.tab
    est = eng.values(theta)
    se = np.zeros(len(est))
    free = tab.free > 0
    if vcov is not None:
        se[free] = np.sqrt(np.clip(np.diag(vcov), 0, None))[tab.free[free] - 1]
    else:
        se[free] = np.nan
    std = _standardized(eng, theta, est)
    z = np.where(free & (se > 0), est / np.where(se > 0, se, 1.0), np.nan)
    pval = 2 * stats.norm.sf(np.abs(z))
    return pd.DataFrame({"lhs": tab.lhs, "op": tab.op, "rhs": tab.rhs,
                         "group": tab.group + 1, "label": tab.label, "est": est, "se": se,
                         "z": z, "pvalue": pval, "std_all": std})


def _standardized(eng: _Engine, theta: np.ndarray, est: np.ndarray) -> np.ndarray:
    """lavaan's std.all: loadings λ·sd(f)/sd(x); residual variances θ/σ²; residual
    covariances θ_ij/√(θ_ii θ_jj); factor (co)variances ψ_jk/(sd_j sd_k); intercepts and
    means divided by the total SD."""
    tab = eng.tab
    std = np.full(len(est), np.nan)
    if not np.all(np.isfinite(theta)):
        return std
    for g in range(len(eng.groups)):
        ix = eng.idx[g]
        Sig, _ = eng.implied(theta, g)
        _, T, P, _, _ = eng.matrices(theta, g)
        sd_ov, sd_lv = np.sqrt(np.abs(np.diag(Sig))), np.sqrt(np.abs(np.diag(P)))
        sd_res = np.sqrt(np.abs(np.diag(T)))
        m, r, c = tab.mat[ix], tab.row[ix], tab.col[ix]
        den = np.ones(len(ix))
        k = m == _LAM; den[k] = sd_ov[r[k]] / sd_lv[c[k]]
        k = (m == _THE) & (r == c); den[k] = sd_ov[r[k]] ** 2
        k = (m == _THE) & (r != c); den[k] = sd_res[r[k]] * sd_res[c[k]]
        k = m == _PSI; den[k] = sd_lv[r[k]] * sd_lv[c[k]]
        k = m == _NU; den[k] = sd_ov[r[k]]
        k = m == _ALPHA; den[k] = sd_lv[r[k]]
        with np.errstate(divide="ignore", invalid="ignore"):
            std[ix] = est[ix] / den
    return std


def _diagnostics(eng: _Engine, theta: np.ndarray, est: pd.DataFrame,
                 labels: Sequence[str]) -> list[str]:
    out = []
    tab = eng.tab
    for g in range(len(eng.groups)):
        where = f" in group {labels[g]!r}" if labels else ""
        ix = eng.idx[g]
        for i in ix:
            if tab.mat[i] == _THE and tab.row[i] == tab.col[i] and est.at[i, "est"] < 0:
                out.append(f"Heywood case{where}: negative residual variance for "
                           f"{tab.lhs[i]} (est = {est.at[i, 'est']:.4g})")
            if tab.mat[i] == _LAM and abs(est.at[i, "std_all"]) > 1:
                out.append(f"Heywood case{where}: standardized loading {tab.lhs[i]} =~ "
                           f"{tab.rhs[i]} is {est.at[i, 'std_all']:.4g} (|value| > 1)")
        Sig, _ = eng.implied(theta, g)
        L, T, P, _, _ = eng.matrices(theta, g)
        if eng.m and np.linalg.eigvalsh(P)[0] < 0:
            out.append(f"covariance matrix of the latent variables{where} is not positive "
                       "definite")
        if np.linalg.eigvalsh(Sig)[0] <= 0:
            out.append(f"model-implied covariance matrix{where} is not positive definite")
    return out


# -------------------------------------------------------------------------- invariance
def invariance(data: pd.DataFrame, model: str, group: str, estimator: str = "ML",
               **kwargs: Any) -> pd.DataFrame:
    """Configural, metric and scalar measurement invariance across groups.

    Fits the model with no equality constraints (configural), equal loadings (metric)
    and equal loadings and intercepts (scalar; latent means free in groups 2+), as
    ``lavaan::cfa(..., group=, group.equal=)``.

    Each row compares with the previous one: ``delta_cfi``, ``delta_rmsea``,
    ``delta_srmr`` and the χ² difference test ``chisq_diff, df_diff, p_diff`` (ML: the
    ordinary likelihood-ratio difference; MLR: the Satorra–Bentler (2001) scaled
    difference, lavaan ``lavTestLRT(method="satorra.bentler.2001")``; MLR deltas use the
    robust CFI and RMSEA). ``supported`` applies Chen (2007) — ΔCFI ≥ −0.010 and ΔRMSEA ≤
    0.015 and ΔSRMR ≤ 0.030 (metric) or ≤ 0.010 (scalar), all three required. The
    configural row has NaN deltas and ``supported`` left NA: judge it on its own fit
    (e.g. the COSMIN criteria) — no difference criterion applies.

    Parameters
    ----------
    data, model, group, estimator
        As for :func:`cfa`; extra keyword arguments (``std_lv``, ``orthogonal``) are
        passed on.

    Returns
    -------
    DataFrame indexed ``configural, metric, scalar``.

    Examples
    --------
    >>> import pandas as pd
    >>> hs = pd.read_csv("tests/fixtures/data/holzinger_swineford_1939.csv")
    >>> m = "visual =~ x1 + x2 + x3\\ntextual =~ x4 + x5 + x6\\nspeed =~ x7 + x8 + x9"
    >>> inv = invariance(hs, m, "school")
    >>> inv["df"].astype(int).tolist()
    [48, 54, 60]
    """
    steps = {"configural": (), "metric": ("loadings",), "scalar": ("loadings", "intercepts")}
    fits = {k: cfa(data, model, estimator=estimator, group=group, group_equal=v, **kwargs)
            for k, v in steps.items()}
    robust = str(estimator).upper() == "MLR"
    cols = ["npar", "chisq", "df", "pvalue", "cfi", "tli", "rmsea", "rmsea.ci.lower",
            "rmsea.ci.upper", "srmr", "aic", "bic"]
    if robust:
        cols += ["chisq.scaled", "chisq.scaling.factor", "pvalue.scaled", "cfi.robust",
                 "tli.robust", "rmsea.robust"]
    rows = []
    prev = None
    cfi_k, rmsea_k = ("cfi.robust", "rmsea.robust") if robust else ("cfi", "rmsea")
    for name, res in fits.items():
        f = res.fit
        row = {c: f[c] for c in cols}
        row["converged"] = res.converged
        if prev is None:
            row.update(delta_cfi=np.nan, delta_rmsea=np.nan, delta_srmr=np.nan,
                       chisq_diff=np.nan, df_diff=np.nan, p_diff=np.nan, supported=pd.NA)
        else:
            pf = prev.fit
            dcfi, drmsea = f[cfi_k] - pf[cfi_k], f[rmsea_k] - pf[rmsea_k]
            dsrmr = f["srmr"] - pf["srmr"]
            ddf = f["df"] - pf["df"]
            if robust:
                cd = (f["df"] * f["chisq.scaling.factor"]
                      - pf["df"] * pf["chisq.scaling.factor"]) / ddf
                diff = (f["chisq"] - pf["chisq"]) / cd
            else:
                diff = f["chisq"] - pf["chisq"]
            lim = CHEN_2007[name]
            ok = bool(dcfi >= lim["delta_cfi"] and drmsea <= lim["delta_rmsea"] and dsrmr <= lim["delta_srmr"])
            row.update(delta_cfi=dcfi, delta_rmsea=drmsea, delta_srmr=dsrmr,
                       chisq_diff=diff, df_diff=ddf, p_diff=float(stats.chi2.sf(diff, ddf)),
                       supported=ok if res.converged and prev.converged else pd.NA)
        rows.append(row)
        prev = res
    out = pd.DataFrame(rows, index=pd.Index(list(steps), name="model"))
    out["supported"] = out["supported"].astype("boolean")
    return out
