"""Maximum-likelihood estimation for structural equation models, as lavaan 0.6.14 does it.

Why own code: see :mod:`analysis.stats.sem`. This module holds the numerical core shared
by every model: the sample statistics (complete data, or missing-data patterns with the
unrestricted h1 moments estimated by lavaan's EM algorithm), the model-implied moments in
the RAM parametrisation, the ML / FIML discrepancy with its analytic gradient, expected,
observed and first-order information matrices, casewise scores, and the optimiser.

Notation: for group g with n_g rows the moments are m_g = (μ_g, vech Σ_g) ("moment space";
μ is left out when the model has no meanstructure), Δ_g = ∂m_g/∂θ the model's Jacobian.
The discrepancy is

    F(θ) = Σ_g (n_g/N) [f_g(θ) − f_g(h1)],
    f_g = (1/n_g) Σ_patterns n_p [log|Σ_oo| + tr(Σ_oo⁻¹ S_p) + (ȳ_p − μ_o)'Σ_oo⁻¹(ȳ_p − μ_o)],

summed over the missing-data patterns (one pattern for complete data; the observed block
``oo`` of each pattern), so that χ² = N·F and logL = −½ Σ_p n_p p_o log 2π − ½ Σ_g n_g f_g
(Enders 2010, ch. 3; lavaan's ``estimator.FIML``). lavaan's objective is F/2; the unit
information matrices here are those of F/2 (the per-row Fisher information).

Models are parametrised in RAM form (McArdle & McDonald 1984): with all variables
v = (ov, lv), A the directed paths (loadings, regressions), S the (residual) covariances,
m the intercepts and E = (I − A)⁻¹, Σ = [E S E']_ov and μ = [E m]_ov. This is equivalent to
lavaan's LISREL matrices and covers loadings, regressions among any variables, factors
measured by factors and covariances between any two variables.
"""
from __future__ import annotations

import math
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Generic, Protocol, Sequence, TypeVar

import numpy as np
from scipy import optimize

from analysis.stats._sem_partable import MAT_A, MAT_M, MAT_S, ParTable

LOG2PI = math.log(2.0 * math.pi)
EM_TOL, EM_MAX_ITER = 1e-5, 500       # lavaan's em.h1.tol, em.h1.iter.max
#: Convergence of every fit (ML, FIML, DWLS): the largest |∂F/∂θ| over the free parameters,
#: a parameter held at a bound by a gradient pointing out of it left out. F is the
#: discrepancy per row (χ² = N·F), so the χ² gradient is at most N·GRAD_TOL. lavaan's
#: nlminb stops on a relative change of 1e-10 in F and only warns above a gradient of 1e-3.
GRAD_TOL = 1e-6
#: Iterations go on to GRAD_TOL·GRAD_AIM where the arithmetic allows (a step or two more),
#: so that a fit normally ends far inside GRAD_TOL whatever the BLAS kernel's rounding.
GRAD_AIM = 1e-3
#: Relative rounding level of F: a full Newton step promising less decrease than
#: F_NOISE·max(1, |F|) cannot be judged by F; it is taken when F does not rise by more and
#: the gradient shrinks.
F_NOISE = 1e-12


# ------------------------------------------------------------------- moment helpers
def near_singular(m: np.ndarray, tol: float = 1e-10) -> bool:
    """Whether a symmetric positive semi-definite matrix (an information or covariance
    matrix) is singular up to ``tol``, judged on its correlation form ``D^-1/2 m D^-1/2``
    so that the units of the variables or parameters do not matter (a variance of 5000 next
    to a loading of 0.5 is not a near-singularity)."""
    if m.size == 0:
        return False
    d = np.diag(m)
    if not (d > 0).all():
        return True
    s = 1.0 / np.sqrt(d)
    ev = np.linalg.eigvalsh(m * np.outer(s, s))
    return bool(ev[0] <= tol * ev[-1])


def vech_index(p: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rows, columns and weights (1 diagonal, 2 off-diagonal) of vech(Σ)."""
    r, c = np.tril_indices(p)
    return r, c, np.where(r == c, 1.0, 2.0)


_DUP_FLAT: dict[int, tuple[list[np.ndarray], np.ndarray]] = {}


def _dup_flat(vi) -> tuple[list[np.ndarray], np.ndarray]:
    """For :func:`_dup_kron_sum`: positions in the flattened p⁴ tensor of its four terms
    and the weights w w', once per p (``vi`` is always :func:`vech_index` of p)."""
    r, c, w = vi
    p = int(r.max()) + 1
    if p not in _DUP_FLAT:
        R, C = r[:, None], c[:, None]
        r2, c2 = r[None, :], c[None, :]
        at = lambda a, b, e, f: ((a * p + b) * p + e) * p + f  # noqa: E731
        _DUP_FLAT[p] = ([at(C, c2, R, r2), at(C, r2, R, c2), at(R, c2, C, r2), at(R, r2, C, c2)],
                        np.outer(w, w))
    return _DUP_FLAT[p]


def _dup_kron_sum(T: np.ndarray, vi) -> np.ndarray:
    """Σ_k D'(A_k ⊗ B_k)D from T[i,j,k,l] = Σ_k A_k[i,j] B_k[k,l] (A_k, B_k symmetric)."""
    (t1, t2, t3, t4), ww = _dup_flat(vi)
    flat = T.reshape(-1)
    out = flat[t1] + flat[t2] + flat[t3] + flat[t4]
    return out * ww / 4.0


def dup_kron(A: np.ndarray, B: np.ndarray, vi) -> np.ndarray:
    """D'(A ⊗ B)D for symmetric A, B (D the duplication matrix), on vech coordinates."""
    return _dup_kron_sum(np.multiply.outer(A, B), vi)


def dup_vec(t: np.ndarray, P: np.ndarray, vi) -> np.ndarray:
    """D'(t ⊗ P) for a vector t and symmetric P: (vech × p)."""
    r, c, w = vi
    return (t[c, None] * P[r] + t[r, None] * P[c]) * (w / 2.0)[:, None]


# ----------------------------------------------------------------- sample statistics
@dataclass
class Pattern:
    """Rows of one group sharing a missing-data pattern."""

    obs: np.ndarray          # indices of observed variables
    rows: np.ndarray         # row indices into the group's data
    mean: np.ndarray
    cov: np.ndarray          # biased (÷ n_p)

    def __post_init__(self):
        self.oo = np.ix_(self.obs, self.obs)

    @property
    def n(self) -> int:
        return len(self.rows)


@dataclass
class Block:
    """Patterns with the same number k of observed variables, stacked for batched
    linear algebra: ``obs`` (m × k), ``n`` (m), ``mean`` (m × k), ``cov`` (m × k × k),
    ``ids`` (their positions in ``Sample.patterns``)."""

    obs: np.ndarray
    n: np.ndarray
    mean: np.ndarray
    cov: np.ndarray
    ids: np.ndarray

    def take(self, sigma: np.ndarray) -> np.ndarray:
        return sigma[self.obs[:, :, None], self.obs[:, None, :]]


def _blocks(patterns: Sequence[Pattern]) -> list[Block]:
    out = []
    for k in sorted({len(pt.obs) for pt in patterns}):
        ids = np.array([i for i, pt in enumerate(patterns) if len(pt.obs) == k])
        out.append(Block(obs=np.array([patterns[i].obs for i in ids]),
                         n=np.array([patterns[i].n for i in ids], dtype=float),
                         mean=np.array([patterns[i].mean for i in ids]),
                         cov=np.array([patterns[i].cov for i in ids]), ids=ids))
    return out


@dataclass
class Sample:
    """One group's data: rows × variables (NaN = missing) and their summaries.

    ``mean`` and ``cov`` are the unrestricted (h1) ML moments: the sample moments for
    complete data, lavaan's EM estimates otherwise; ``f_h1`` is f_g at them.
    """

    X: np.ndarray
    patterns: list[Pattern]
    blocks: list[Block] = field(default_factory=list)
    mean: np.ndarray = field(default_factory=lambda: np.zeros(0))
    cov: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))
    f_h1: float = np.nan
    em_iterations: int = 0

    @property
    def n(self) -> int:
        return self.X.shape[0]

    @property
    def complete(self) -> bool:
        return len(self.patterns) == 1 and len(self.patterns[0].obs) == self.X.shape[1]

    def log2pi_term(self) -> float:
        return sum(pt.n * len(pt.obs) for pt in self.patterns) * LOG2PI


def make_sample(X: np.ndarray) -> Sample:
    """Patterns and h1 moments of one group (rows without any value must be removed)."""
    X = np.asarray(X, dtype=float)
    miss = np.isnan(X)
    if not miss.any():
        keys, inverse = miss[:1], np.zeros(len(X), dtype=int)
    elif X.shape[1] < 63:            # patterns as bit codes: a 1-d unique is fast
        codes, inverse = np.unique(miss @ (1 << np.arange(X.shape[1])), return_inverse=True)
        keys = (codes[:, None] >> np.arange(X.shape[1])) & 1 == 1
    else:
        keys, inverse = np.unique(miss, axis=0, return_inverse=True)
    inverse = np.asarray(inverse).ravel()
    patterns = []
    for k in range(len(keys)):
        rows = np.flatnonzero(inverse == k)
        obs = np.flatnonzero(~keys[k])
        Y = X[np.ix_(rows, obs)]
        mu = Y.mean(axis=0)
        patterns.append(Pattern(obs=obs, rows=rows, mean=mu, cov=(Y - mu).T @ (Y - mu) / len(rows)))
    s = Sample(X=X, patterns=patterns, blocks=_blocks(patterns))
    if s.complete:
        s.mean, s.cov = patterns[0].mean, patterns[0].cov
    else:
        s.mean, s.cov, s.em_iterations = _em_h1(s)
    s.f_h1 = discrepancy(s, s.mean, s.cov)
    return s


def _em_h1(s: Sample) -> tuple[np.ndarray, np.ndarray, int]:
    """lavaan's ``lav_mvnorm_missing_h1_estimate_moments``: EM for the saturated model,
    started from the available-case means and variances, stopped when no moment changes
    by more than 1e-5 (lavaan's em.h1.tol), at most 500 iterations."""
    X, n, p = s.X, s.n, s.X.shape[1]
    mu = np.nanmean(X, axis=0)
    var = np.nanmean((X - mu) ** 2, axis=0)
    var[~np.isfinite(var) | (var == 0)] = 1.0
    sigma = np.diag(var)
    parts = []
    for pt in s.patterns:
        o = pt.obs
        m = np.setdiff1d(np.arange(p), o)
        parts.append((pt.n, o, m, pt.oo, np.ix_(o, m), np.ix_(m, o), np.ix_(m, m),
                      pt.n * pt.mean, pt.n * (pt.cov + np.outer(pt.mean, pt.mean))))
    tril = np.tril_indices(p)
    it = 0
    for it in range(1, EM_MAX_ITER + 1):
        T1, T2 = np.zeros(p), np.zeros((p, p))
        for n_p, o, m, oo, om, mo_, mm, s1, s2 in parts:
            if not len(m):
                T1 += s1
                T2 += s2
                continue
            B = np.linalg.solve(sigma[oo], sigma[om]).T       # Σ_mo Σ_oo⁻¹
            c = mu[m] - B @ mu[o]
            T1[o] += s1
            T1[m] += n_p * c + B @ s1
            T2[oo] += s2
            mo = np.outer(c, s1) + B @ s2
            T2[mo_] += mo
            T2[om] += mo.T
            T2[mm] += (n_p * np.outer(c, c) + np.outer(c, s1 @ B.T) + np.outer(B @ s1, c)
                       + B @ s2 @ B.T + n_p * (sigma[mm] - B @ sigma[om]))
        new_mu = T1 / n
        new_sigma = T2 / n - np.outer(new_mu, new_mu)
        if np.linalg.eigvalsh(new_sigma)[0] < 1e-6:
            new_sigma[np.diag_indices(p)] += np.max(np.diag(new_sigma)) * 1e-8
        delta = max(np.max(np.abs(new_mu - mu)), np.max(np.abs((new_sigma - sigma)[tril])))
        mu, sigma = new_mu, new_sigma
        if delta < EM_TOL:
            break
    return mu, sigma, it


def fit_terms(s: Sample, mu: np.ndarray, sigma: np.ndarray, vi=None, ms: bool = True,
              gradient: bool = False) -> tuple[float, np.ndarray | None]:
    """f_g (the −2/n log-likelihood without the 2π term; inf if a Σ_oo is not positive
    definite) and, with ``gradient``, ∂f_g/∂m_g (means first when ``ms``)."""
    p = len(mu)
    total = 0.0
    G = np.zeros((p, p) if gradient else (0, 0))
    gm = np.zeros(p if gradient else 0)
    for b in s.blocks:
        Sig = b.take(sigma)
        try:
            C = np.linalg.cholesky(Sig)
        except np.linalg.LinAlgError:
            return np.inf, None
        P = np.linalg.inv(Sig)
        d = b.mean - mu[b.obs]
        Pd = np.einsum("mij,mj->mi", P, d)
        logdet = 2 * np.log(np.diagonal(C, axis1=1, axis2=2)).sum(axis=1)
        total += b.n @ (logdet + np.einsum("mij,mij->m", P, b.cov) + np.einsum("mi,mi->m", d, Pd))
        if gradient:
            Gb = b.n[:, None, None] * (P - P @ b.cov @ P - Pd[:, :, None] * Pd[:, None, :])
            np.add.at(G, (b.obs[:, :, None], b.obs[:, None, :]), Gb)
            np.add.at(gm, b.obs, -2 * b.n[:, None] * Pd)
    if not gradient:
        return total / s.n, None
    r, c, w = vi
    g = w * G[r, c] / s.n
    return total / s.n, (np.concatenate([gm / s.n, g]) if ms else g)


def discrepancy(s: Sample, mu: np.ndarray, sigma: np.ndarray) -> float:
    """f_g at (μ, Σ)."""
    return fit_terms(s, mu, sigma)[0]


def moment_gradient(s: Sample, mu, sigma, vi, ms: bool) -> np.ndarray:
    """∂f_g/∂m_g (means first when ``ms``); raises where a Σ_oo is not positive definite."""
    gam = fit_terms(s, mu, sigma, vi, ms, gradient=True)[1]
    if gam is None:
        raise np.linalg.LinAlgError("implied covariance matrix not positive definite: "
                                    "f_g has no gradient")
    return gam


def _embedded_inverses(s: Sample, sigma: np.ndarray) -> np.ndarray:
    """Σ_oo⁻¹ of every pattern, embedded in p × p zero matrices (patterns × p × p)."""
    p = sigma.shape[0]
    out = np.zeros((len(s.patterns), p, p))
    for b in s.blocks:
        out[b.ids[:, None, None], b.obs[:, :, None], b.obs[:, None, :]] = np.linalg.inv(b.take(sigma))
    return out


def expected_information(s: Sample, sigma, vi, ms: bool) -> np.ndarray:
    """Unit expected information of m_g (lavaan ``lav_mvnorm_missing_information_expected``)."""
    p = sigma.shape[0]
    Pf = _embedded_inverses(s, sigma)
    n = np.array([pt.n for pt in s.patterns], dtype=float) / s.n
    W22 = 0.5 * _dup_kron_sum(np.einsum("a,aij,akl->ijkl", n, Pf, Pf), vi)
    if not ms:
        return W22
    q = len(vi[0])
    out = np.zeros((p + q, p + q))
    out[:p, :p], out[p:, p:] = np.einsum("a,aij->ij", n, Pf), W22
    return out


def observed_information_h1(s: Sample, mu, sigma, vi) -> np.ndarray:
    """Unit observed information of the saturated model at (μ, Σ) (lavaan
    ``lav_mvnorm_missing_information_observed_samplestats``), means first."""
    p = len(mu)
    q = len(vi[0])
    Pf = _embedded_inverses(s, sigma)
    n = np.array([pt.n for pt in s.patterns], dtype=float) / s.n
    Tf = np.zeros_like(Pf)
    H21 = np.zeros((q, p))
    for k, pt in enumerate(s.patterns):
        o = pt.obs
        P = Pf[k][pt.oo]
        d = pt.mean - mu[o]
        t = np.zeros(p); t[o] = P @ d
        Tf[k][pt.oo] = P @ (2 * (pt.cov + np.outer(d, d)) - sigma[pt.oo]) @ P
        H21 += n[k] * dup_vec(t, Pf[k], vi)
    H11 = np.einsum("a,aij->ij", n, Pf)
    H22 = 0.5 * _dup_kron_sum(np.einsum("a,aij,akl->ijkl", n, Pf, Tf), vi)
    return np.block([[H11, H21.T], [H21, H22]])


def casewise_scores(s: Sample, mu, sigma, vi, ms: bool) -> np.ndarray:
    """Row-wise scores of the log-likelihood with respect to m_g (n_g × dim m_g)."""
    p = len(mu)
    r, c, w = vi
    q = len(r)
    out = np.zeros((s.n, (p if ms else 0) + q))
    for pt, Pf in zip(s.patterns, _embedded_inverses(s, sigma)):
        Z = np.nan_to_num(s.X[pt.rows] - mu) @ Pf
        sc = 0.5 * w * (Z[:, r] * Z[:, c] - Pf[r, c])
        out[pt.rows] = np.hstack([Z, sc]) if ms else sc
    return out


# ------------------------------------------------------------------------ the model
def _frozen(a: np.ndarray) -> np.ndarray:
    """``a`` made read-only (a remembered result handed to several callers)."""
    a.flags.writeable = False
    return a


class Moments(Protocol):
    """What the model structure needs of a group's sample statistics: the number of rows
    and the (h1) means and covariance matrix (fixed.x moments, starting values, the means
    of a model without a meanstructure). :class:`Sample` (ML) and
    :class:`analysis.stats._sem_ordinal.OrdinalSample` (DWLS) have them."""

    @property
    def n(self) -> int: ...

    @property
    def mean(self) -> np.ndarray: ...

    @property
    def cov(self) -> np.ndarray: ...


SampleT = TypeVar("SampleT", bound=Moments)


class RamModel(ABC, Generic[SampleT]):
    """A parameter table in RAM form with its per-group samples: implied moments, their
    Jacobian and the optimiser (:meth:`fit`). The discrepancy F, its gradient and the
    scoring matrix are the estimator's: :class:`Model` (ML, FIML) and
    :class:`analysis.stats._sem_ordinal.OrdinalModel` (DWLS).

    ``x = x0 + K θ`` maps the constrained parameters θ to the free table parameters x.
    """

    def __init__(self, pt: ParTable, samples: Sequence[SampleT], x0: np.ndarray, K: np.ndarray,
                 meanstructure: bool):
        self.pt, self.x0, self.K = pt, x0, K
        self.samples: list[SampleT] = list(samples)
        self.ms = meanstructure
        self.p, self.m = len(pt.ov), len(pt.lv)
        self.t = self.p + self.m
        self.N = sum(s.n for s in samples)
        self.w = np.array([s.n / self.N for s in samples])
        self.vi = vech_index(self.p)
        self.idx = [np.flatnonzero(pt.group == g + 1) for g in range(pt.ngroups)]
        self.base = pt.value.copy()
        ov = {v: i for i, v in enumerate(pt.ov)}
        for g, s in enumerate(samples):      # fixed.x: exogenous moments from the data
            for i in self.idx[g]:
                if pt.exo[i] and pt.free[i] == 0 and np.isnan(self.base[i]):
                    a = ov[pt.lhs[i]]
                    self.base[i] = s.mean[a] if pt.op[i] == "~1" else s.cov[a, ov[pt.rhs[i]]]
        self.n_theta = K.shape[1]
        self.halvings = 0
        self.iterations = 0
        self.aim = GRAD_AIM
        self._free = np.flatnonzero(pt.free > 0)
        self._free_x = pt.free[self._free] - 1
        self._ram_rows = [tuple(ix[pt.mat[ix] == m] for m in (MAT_A, MAT_S, MAT_M))
                          for ix in self.idx]
        self._delta_layout = [self._layout(g) for g in range(pt.ngroups)]
        self._memo_theta = b""
        self._memo: dict[tuple[str, int], object] = {}

    def _memoised(self, kind: str, theta: np.ndarray, g: int, compute):
        """``compute()`` once per θ: an iteration evaluates F, then its gradient, then the
        scoring matrix at the same θ, and all three need the implied moments and Δ. Only
        the last θ is remembered; the arrays kept are made read-only (:func:`_frozen`), so
        no caller can alter them."""
        key = theta.tobytes()
        if key != self._memo_theta:
            self._memo_theta, self._memo = key, {}
        if (kind, g) not in self._memo:
            self._memo[kind, g] = compute()
        return self._memo[kind, g]

    def _layout(self, g: int) -> tuple:
        """Where the free parameters of group g enter Δ_g: their rows of the table, their
        matrix positions by kind (A, S, m) and the rows of K that map θ to them."""
        pt, ix = self.pt, self.idx[g]
        fr = ix[pt.free[ix] > 0]
        mat, i, j = pt.mat[fr], pt.row[fr], pt.col[fr]
        sel_a, sel_s, sel_m = (np.flatnonzero(mat == m) for m in (MAT_A, MAT_S, MAT_M))
        half = np.where(i[sel_s] == j[sel_s], 0.5, 1.0)
        return len(fr), i, j, sel_a, sel_s, sel_m, half, self.K[pt.free[fr] - 1]

    # -- parameters
    def x(self, theta: np.ndarray) -> np.ndarray:
        return self.x0 + self.K @ theta

    def values(self, theta: np.ndarray) -> np.ndarray:
        v = self.base.copy()
        v[self._free] = self.x(theta)[self._free_x]
        return v

    def ram(self, v: np.ndarray, g: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        pt, t = self.pt, self.t
        a, s, k = self._ram_rows[g]
        A = np.zeros((t, t)); S = np.zeros((t, t)); mv = np.zeros(t)
        A[pt.row[a], pt.col[a]] = v[a]
        S[pt.row[s], pt.col[s]] = v[s]; S[pt.col[s], pt.row[s]] = v[s]
        mv[pt.row[k]] = v[k]
        return A, S, mv

    def _structure(self, theta: np.ndarray, g: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """S, m and E = (I − A)⁻¹ of group g at θ (shared by the moments and Δ)."""
        def compute():
            A, S, mv = self.ram(self.values(theta), g)
            return S, mv, _frozen(np.linalg.inv(np.eye(self.t) - A))
        return self._memoised("structure", theta, g, compute)

    def implied_all(self, theta: np.ndarray, g: int) -> tuple[np.ndarray, np.ndarray]:
        """Covariance matrix and means of all variables (ov then lv)."""
        S, mv, E = self._structure(theta, g)
        return E @ S @ E.T, E @ mv

    def implied(self, theta: np.ndarray, g: int) -> tuple[np.ndarray, np.ndarray]:
        """(Σ_g, μ_g); without a meanstructure μ_g is the sample mean."""
        return self._memoised("implied", theta, g, lambda: self._implied(theta, g))

    def _implied(self, theta: np.ndarray, g: int) -> tuple[np.ndarray, np.ndarray]:
        S, mv, E = self._structure(theta, g)
        F = E[: self.p]
        mu = _frozen(F @ mv) if self.ms else self.samples[g].mean
        return _frozen(F @ S @ F.T), mu

    def delta(self, theta: np.ndarray, g: int) -> np.ndarray:
        """Δ_g = ∂m_g/∂θ (dim m_g × n_θ)."""
        return self._memoised("delta", theta, g, lambda: self._delta(theta, g))

    def _delta(self, theta: np.ndarray, g: int) -> np.ndarray:
        p = self.p
        S, mv, E = self._structure(theta, g)
        F = E[:p]
        H = E @ S @ F.T              # t × p
        nu = E @ mv
        r, c, _ = self.vi
        n_free, i, j, sel_a, sel_s, sel_m, half, K = self._delta_layout[g]
        q = len(r)
        D = np.zeros(((p if self.ms else 0) + q, n_free))
        vs = slice(p, None) if self.ms else slice(None)
        if sel_a.size:
            X, Y = F[:, i[sel_a]], H[j[sel_a]].T
            D[vs, sel_a] = X[r] * Y[c] + X[c] * Y[r]
            if self.ms:
                D[:p, sel_a] = X * nu[j[sel_a]]
        if sel_s.size:
            X, Y = F[:, i[sel_s]], F[:, j[sel_s]]
            D[vs, sel_s] = (X[r] * Y[c] + X[c] * Y[r]) * half
        if sel_m.size and self.ms:
            D[:p, sel_m] = F[:, i[sel_m]]
        return _frozen(D @ K)

    # -- discrepancy (the estimator's)
    @abstractmethod
    def objective(self, theta: np.ndarray) -> float:
        """F(θ), the discrepancy per row (χ² = N·F); inf where it is not defined."""

    @abstractmethod
    def gradient(self, theta: np.ndarray) -> np.ndarray:
        """∂F/∂θ at a θ where F is finite."""

    @abstractmethod
    def value_and_gradient(self, theta: np.ndarray, gradient: bool = True
                           ) -> tuple[float, np.ndarray | None]:
        """F(θ) and, with ``gradient``, ∂F/∂θ (None where F is not finite)."""

    @abstractmethod
    def scoring_info(self, theta: np.ndarray) -> np.ndarray:
        """The matrix I with 2I ≈ ∂²F/∂θ∂θ' for a scoring step."""

    # -- estimation
    def fit(self, start: np.ndarray, lower: np.ndarray | None = None,
            upper: np.ndarray | None = None, method: str = "fisher",
            max_iter: int = 300, qn_iter: int = 1000, aim: float = GRAD_AIM
            ) -> tuple[np.ndarray, bool]:
        """Minimise F from ``start``; returns (θ, converged).

        ``method="fisher"``: Fisher scoring (Gauss–Newton for DWLS) with step halving, then,
        if the gradient is not yet within ``GRAD_TOL``, a quasi-Newton polish (BFGS, or
        L-BFGS-B with bounds) followed by scoring again. ``method="bfgs"``: quasi-Newton
        first (the path lavaan's ``nlminb`` follows), then scoring to polish.
        ``lower``/``upper`` (bounds on θ, ±inf where none) are handled by projection: a
        parameter on its bound with the gradient pushing outwards is held there.
        ``self.iterations`` counts the steps taken: scoring steps plus quasi-Newton
        iterations (lavaan counts its nlminb iterations, so the numbers differ).

        Converged means ``max |∂F/∂θ| <= GRAD_TOL`` (1e-6) over the parameters not held
        at a bound — a stated gradient tolerance, not an iteration count; scoring goes on
        to ``GRAD_TOL * aim`` (default ``GRAD_AIM``; a Monte Carlo loop that needs no more
        than the tolerance passes ``aim=1``) where the arithmetic allows. Further starting values,
        when this fails, are the caller's (:func:`analysis.stats._sem_cfa.estimate`).
        """
        theta = start.copy()
        self.iterations = 0
        if lower is not None:
            theta = np.clip(theta, lower, upper)
        if not np.isfinite(self.objective(theta)):
            return theta, False
        if method == "bfgs":
            theta = self._quasi_newton(theta, lower, upper, qn_iter)
        self.aim = aim
        theta, f = self._fisher(theta, lower, upper, max_iter)
        if self._converged(theta, lower, upper):
            return theta, True
        new = self._quasi_newton(theta, lower, upper, qn_iter)
        if self.objective(new) <= f + F_NOISE * max(1.0, abs(f)):
            theta, _ = self._fisher(new, lower, upper, max_iter)
        return theta, self._converged(theta, lower, upper)

    def _fisher(self, theta, lower, upper, max_iter) -> tuple[np.ndarray, float]:
        """Scoring steps ``θ ← θ - t (2 I)⁻¹ ∂F/∂θ`` on the free parameters, t halved from 1
        until F falls by Armijo's fraction 1e-4 of the predicted decrease; at F's rounding
        level (``F_NOISE``) the full step is taken when it shrinks the gradient instead.
        Stops at ``GRAD_TOL * self.aim`` (set by :meth:`fit`), when no step helps, or after ``max_iter`` steps.
        Counts in ``self.halvings`` the steps, before the gradient is within ``GRAD_TOL``,
        that had to be shortened (a sign of a difficult surface)."""
        f = self.objective(theta)
        grad = self.gradient(theta)
        self.halvings = 0
        for _ in range(max_iter):
            free = ~self._active(theta, grad, lower, upper)
            gmax = np.max(np.abs(grad[free]), initial=0.0)
            if gmax <= GRAD_TOL * self.aim:
                break
            info = self.scoring_info(theta)[np.ix_(free, free)]
            step = np.zeros_like(theta)
            try:
                step[free] = np.linalg.solve(2 * info, -grad[free])
            except np.linalg.LinAlgError:
                step[free] = -np.linalg.pinv(2 * info) @ grad[free]
            if not np.all(np.isfinite(step)) or grad @ step >= 0:
                break
            floor = -(grad @ step) <= F_NOISE * max(1.0, abs(f))
            t, g_new = 1.0, None
            while t > 1e-12:
                new = theta + t * step
                if lower is not None:
                    new = np.clip(new, lower, upper)
                f_new = self.objective(new)
                if f_new <= f + 1e-4 * (grad @ (new - theta)):
                    break
                if floor and t == 1.0 and f_new <= f + F_NOISE * max(1.0, abs(f)):
                    g_new = self.gradient(new)
                    if self._gmax_of(new, g_new, lower, upper) < gmax:
                        break
                    g_new = None
                t *= 0.5
            else:
                break
            self.halvings += t < 1 and gmax > GRAD_TOL
            self.iterations += 1
            moved = np.max(np.abs(new - theta))
            theta, f_old, f = new, f, f_new
            if abs(f_old - f) < 1e-15 * max(1.0, abs(f)) and moved < 1e-12:
                break
            grad = self.gradient(theta) if g_new is None else g_new
        return theta, f

    def _fg(self, t: np.ndarray) -> tuple[float, np.ndarray]:
        f, g = self.value_and_gradient(t)
        return (f, g) if g is not None and np.isfinite(f) else (np.inf, np.zeros_like(t))

    def _quasi_newton(self, theta, lower, upper, max_iter) -> np.ndarray:
        bnds = None if lower is None else [
            (a if np.isfinite(a) else None, b if np.isfinite(b) else None)
            for a, b in zip(lower, upper)]
        res = optimize.minimize(self._fg, theta, jac=True,
                                method="L-BFGS-B" if bnds else "BFGS", bounds=bnds,
                                options={"gtol": GRAD_TOL * GRAD_AIM, "maxiter": max_iter})
        self.iterations += res.nit
        return res.x if np.isfinite(res.fun) and res.fun <= self.objective(theta) else theta

    def _gmax(self, theta, lower, upper) -> float:
        """max |∂F/∂θ| over the parameters not held at a bound."""
        return self._gmax_of(theta, self.gradient(theta), lower, upper)

    def _gmax_of(self, theta, grad, lower, upper) -> float:
        if grad is None:
            return np.inf
        return float(np.max(np.abs(grad[~self._active(theta, grad, lower, upper)]),
                            initial=0.0))

    def _converged(self, theta, lower, upper, tol: float = GRAD_TOL) -> bool:
        return bool(self._gmax(theta, lower, upper) <= tol)

    @staticmethod
    def _active(theta, grad, lower, upper) -> np.ndarray:
        if lower is None:
            return np.zeros(len(theta), dtype=bool)
        return ((theta <= lower) & (grad > 0)) | ((theta >= upper) & (grad < 0))


class Model(RamModel[Sample]):
    """The ML (and FIML) model: F the normal-theory discrepancy of :func:`fit_terms`, its
    analytic gradient, expected, observed and first-order information, casewise scores."""

    # -- discrepancy and derivatives
    def objective(self, theta: np.ndarray) -> float:
        return self.value_and_gradient(theta, gradient=False)[0]

    def gradient(self, theta: np.ndarray) -> np.ndarray:
        grad = self.value_and_gradient(theta)[1]
        if grad is None:
            raise np.linalg.LinAlgError("implied covariance matrix not positive definite: F "
                                        "has no gradient")
        return grad

    def value_and_gradient(self, theta: np.ndarray, gradient: bool = True
                           ) -> tuple[float, np.ndarray | None]:
        """F(θ) and ∂F/∂θ (inf and None where Σ is not positive definite)."""
        total, grad = 0.0, np.zeros(self.n_theta)
        for g, s in enumerate(self.samples):
            f, gam = self._terms(theta, g)
            if not np.isfinite(f):
                return np.inf, None
            total += self.w[g] * (f - s.f_h1)
            if gradient:
                grad += self.w[g] * self.delta(theta, g).T @ gam
        return float(total), (grad if gradient else None)

    def _terms(self, theta: np.ndarray, g: int) -> tuple[float, np.ndarray | None]:
        """f_g and ∂f_g/∂m_g at θ, both at once: the gradient is asked for right after F
        at an accepted step (f_g is the same number with or without it)."""
        def compute():
            sigma, mu = self.implied(theta, g)
            f, gam = fit_terms(self.samples[g], mu, sigma, self.vi, self.ms, True)
            return f, None if gam is None else _frozen(gam)
        return self._memoised("terms", theta, g, compute)

    def expected_info(self, theta: np.ndarray) -> np.ndarray:
        """Unit expected information Σ_g w_g Δ_g' W_g Δ_g."""
        info = np.zeros((self.n_theta, self.n_theta))
        for g, s in enumerate(self.samples):
            sigma, _ = self.implied(theta, g)
            D = self.delta(theta, g)
            info += self.w[g] * D.T @ expected_information(s, sigma, self.vi, self.ms) @ D
        return info

    def observed_info(self, theta: np.ndarray, h: float = 1e-6) -> np.ndarray:
        """Unit observed information: the Hessian of F/2 (lavaan's default for FIML and
        MLR), Σ_g w_g [Δ_g' A_g Δ_g + ½ Σ_j γ_gj ∂²m_gj/∂θ∂θ'] with A_g the observed
        information of the moments at the implied values and γ_g = ∂f_g/∂m_g; the
        second derivatives of the moments by central differences of Δ."""
        k = self.n_theta
        info = np.zeros((k, k))
        for g, s in enumerate(self.samples):
            sigma, mu = self.implied(theta, g)
            D = self.delta(theta, g)
            A = observed_information_h1(s, mu, sigma, self.vi)
            if not self.ms:
                A = A[self.p:, self.p:]
            gam = moment_gradient(s, mu, sigma, self.vi, self.ms)
            second = np.zeros((k, k))
            for j in range(k):
                e = np.zeros(k); e[j] = h
                second[:, j] = (self.delta(theta + e, g) - self.delta(theta - e, g)).T @ gam / (2 * h)
            info += self.w[g] * (D.T @ A @ D + 0.25 * (second + second.T))
        return info

    def scores(self, theta: np.ndarray, g: int) -> np.ndarray:
        """Row-wise scores of the log-likelihood with respect to θ (n_g × n_θ)."""
        sigma, mu = self.implied(theta, g)
        return casewise_scores(self.samples[g], mu, sigma, self.vi, self.ms) @ self.delta(theta, g)

    def scoring_info(self, theta: np.ndarray) -> np.ndarray:
        """The matrix I with 2I ≈ ∂²F/∂θ∂θ' for a scoring step: the unit expected
        information for ML."""
        return self.expected_info(theta)
