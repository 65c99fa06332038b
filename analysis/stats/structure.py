"""Factor structure: KMO, Bartlett's sphericity test, Horn's parallel analysis, EFA, CFA.

Why own code: ``factor_analyzer`` (the usual Python EFA library) fails with current
scikit-learn (``check_array(force_all_finite=...)``) and does not reproduce psych::fa's
extraction start, factor order, sign rule or Kaiser-normalised promax. The functions here
follow psych 2.2.9 and GPArotation line by line (documented per function) and are tested
against committed R output (``tests/r/efa.R`` → ``tests/fixtures/r/efa.json``).
Parallel analysis draws the random correlation matrices directly from their exact sampling
distribution (Wishart, Bartlett decomposition), so its cost does not grow with n.

CFA and measurement invariance live in :mod:`analysis.stats.sem` and are re-exported here.

Examples
--------
>>> import pandas as pd
>>> from analysis.stats.structure import kmo, bartlett
>>> from analysis import datasets
>>> hs = datasets.load("holzinger_swineford_1939")
>>> round(kmo(hs[[f"x{i}" for i in range(1, 10)]]).overall, 4)
0.7522
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize, stats
from threadpoolctl import threadpool_limits

from analysis.stats.checks import numeric_frame
from analysis.stats.results import Result
from analysis.stats.sem import cfa, invariance, modification_indices, standardized_solution  # noqa: F401

__all__ = [
    "BartlettResult",
    "EFAResult",
    "KMOResult",
    "ParallelResult",
    "bartlett",
    "cfa",
    "efa",
    "invariance",
    "kmo",
    "parallel_analysis",
]


def _correlation(items: pd.DataFrame, what: str) -> pd.DataFrame:
    """Pearson correlations with pairwise-complete rows (R's ``cor(x, use="pairwise")``)."""
    data = numeric_frame(items, what, min_columns=2)
    cor = data.corr()
    if cor.isna().to_numpy().any():
        bad = sorted({c for c in cor.columns if cor[c].isna().any()})
        raise ValueError(f"correlations are undefined for items {bad} (no variance or too few "
                         f"rows answering both items of a pair)")
    return cor


@dataclass(frozen=True)
class KMOResult(Result):
    """Kaiser–Meyer–Olkin sampling adequacy (see :func:`kmo`).

    ``overall`` is the KMO of the whole matrix; ``items`` has one row per item: ``item``,
    ``msa`` (psych's ``MSAi``). ``to_frame()`` gives ``items``.
    """

    overall: float
    items: pd.DataFrame

    def to_frame(self) -> pd.DataFrame:
        return self.items.copy()


def kmo(data: pd.DataFrame) -> KMOResult:
    """Kaiser–Meyer–Olkin measure of sampling adequacy, as ``psych::KMO``.

    With correlations ``r`` and partial (anti-image) correlations ``q`` from
    ``R^{-1}``: ``KMO = sum r^2 / (sum r^2 + sum q^2)`` over off-diagonal cells, and per item
    over its column (Kaiser 1970; Kaiser & Rice 1974). Correlations are pairwise-complete.

    Returns
    -------
    KMOResult
        ``overall`` and the per-item table ``items`` (``item``, ``msa``).

    Examples
    --------
    >>> import pandas as pd
    >>> from analysis import datasets
    >>> hs = datasets.load("holzinger_swineford_1939")
    >>> res = kmo(hs[["x1", "x2", "x3", "x4"]])
    >>> round(res.overall, 3)
    0.643
    >>> res.to_frame().round(3)
      item    msa
    0   x1  0.616
    1   x2  0.730
    2   x3  0.636
    3   x4  0.626
    """
    cor = _correlation(data, "kmo")
    r = cor.to_numpy()
    inv = np.linalg.inv(r)
    d = 1.0 / np.sqrt(np.diag(inv))
    q = inv * d[:, None] * d[None, :]
    np.fill_diagonal(q, 0.0)
    r = r.copy()
    np.fill_diagonal(r, 0.0)
    r2, q2 = (r**2).sum(axis=0), (q**2).sum(axis=0)
    overall = float(r2.sum() / (r2.sum() + q2.sum()))
    return KMOResult(overall=overall,
                     items=pd.DataFrame({"item": cor.columns, "msa": r2 / (r2 + q2)}))


@dataclass(frozen=True)
class BartlettResult(Result):
    """Bartlett's sphericity test (see :func:`bartlett`): ``chisq``, ``df``, ``p``, ``n``."""

    chisq: float
    df: int
    p: float
    n: int


def bartlett(data: pd.DataFrame, n: int | None = None) -> BartlettResult:
    """Bartlett's (1951) test that the correlation matrix is an identity matrix.

    ``chisq = -ln det(R) * (n - 1 - (2p + 5)/6)``, ``df = p(p - 1)/2``, as
    ``psych::cortest.bartlett(R, n)``. ``R`` uses pairwise-complete correlations and ``n``
    defaults to the number of rows (psych's choice when given raw data).

    Returns
    -------
    BartlettResult
        ``chisq``, ``df``, ``p`` and ``n``; ``to_frame()`` gives them as one row.

    Examples
    --------
    >>> import pandas as pd
    >>> from analysis import datasets
    >>> hs = datasets.load("holzinger_swineford_1939")
    >>> res = bartlett(hs[[f"x{i}" for i in range(1, 10)]])
    >>> round(res.chisq, 3), res.df, res.n
    (904.097, 36, 301)
    """
    r = _correlation(data, "bartlett").to_numpy()
    n = len(data) if n is None else int(n)
    p = r.shape[0]
    sign, logdet = np.linalg.slogdet(r)
    if sign <= 0:
        raise ValueError("the correlation matrix is not positive definite; Bartlett's test "
                         "is undefined")
    chisq = -logdet * (n - 1 - (2 * p + 5) / 6)
    df = p * (p - 1) // 2
    return BartlettResult(chisq=float(chisq), df=df, p=float(stats.chi2.sf(chisq, df)), n=n)


@dataclass(frozen=True)
class ParallelResult(Result):
    """Horn's parallel analysis (see :func:`parallel_analysis`).

    ``eigenvalues`` has one row per eigenvalue: ``number`` (1..p), ``observed_pc``,
    ``sim_pc_mean``, ``sim_pc_quantile`` (components) and ``observed_fa``, ``sim_fa_mean``,
    ``sim_fa_quantile`` (factors: SMC-reduced correlation matrix). ``to_frame()`` gives it.
    """

    n_factors: int
    n_components: int
    eigenvalues: pd.DataFrame
    n: int
    n_iter: int
    quantile: float
    smc: bool

    def to_frame(self) -> pd.DataFrame:
        return self.eigenvalues.copy()


def _smc_reduced(r: np.ndarray) -> np.ndarray:
    """Correlation matrices (stack ok) with squared multiple correlations on the diagonal."""
    smc = 1.0 - 1.0 / np.diagonal(np.linalg.inv(r), axis1=-2, axis2=-1)
    out = r.copy()
    idx = np.arange(r.shape[-1])
    out[..., idx, idx] = smc
    return out


def _random_correlations(n: int, p: int, size: int, rng: np.random.Generator) -> np.ndarray:
    """``size`` correlation matrices of n independent N(0, I_p) rows, without the rows.

    The scatter matrix of n normal rows about their mean is Wishart(n - 1, I); Bartlett's
    decomposition ``W = A A'`` with ``A`` lower triangular, ``A_ii^2 ~ chi2(n - i)``
    (i = 1..p) and ``A_ij ~ N(0, 1)`` below the diagonal draws it exactly
    (Anderson 2003, Thm 7.2.1).
    """
    a = np.tril(rng.standard_normal((size, p, p)), k=-1)
    idx = np.arange(p)
    a[:, idx, idx] = np.sqrt(rng.chisquare(n - 1 - idx, size=(size, p)))
    w = a @ a.transpose(0, 2, 1)
    d = 1.0 / np.sqrt(np.diagonal(w, axis1=1, axis2=2))
    return w * d[:, :, None] * d[:, None, :]


def _one_factor_reduced(r: np.ndarray) -> np.ndarray:
    """Correlation matrices (stack ok) with one-factor minres communalities on the diagonal.

    What psych's ``fa(r, 1, fm="minres")$values`` takes eigenvalues of (fa.parallel's
    default ``SMC = FALSE``), with psych's optimiser settings as R's ``optim`` applies them:
    L-BFGS-B on the uniquenesses scaled by ``parscale = 0.01``, relative reduction
    ``factr = 1e7`` (× machine epsilon), 5 corrections, at most 100 iterations, bounds
    [0.005, max(SMC, 1)]. On random (noise) matrices this stops well before the optimum,
    often in a Heywood-like corner, which inflates the first simulated eigenvalue by about
    a third compared with the exact minimum; reproducing psych's thresholds needs psych's
    stopping rule. One fit per matrix (a few ms each; BLAS is held to one thread, since
    threads only add overhead on these small matrices — 30-fold on a busy 2-core machine).
    """
    stack = r[None] if r.ndim == 2 else r
    out = stack.copy()
    idx = np.arange(stack.shape[-1])
    smc = 1.0 - 1.0 / np.diagonal(np.linalg.inv(stack), axis1=1, axis2=2)
    scale = 0.01  # psych's parscale
    with threadpool_limits(limits=1, user_api="blas"):
        for i, m in enumerate(stack):
            res = optimize.minimize(
                lambda x: _minres_objective(x * scale, m, 1), (1.0 - smc[i]) / scale,
                jac=lambda x: _minres_gradient(x * scale, m, 1) * scale, method="L-BFGS-B",
                bounds=[(0.005 / scale, max(smc[i].max(), 1.0) / scale)] * len(idx),
                options={"ftol": 1e7 * np.finfo(float).eps, "gtol": 0.0, "maxcor": 5,
                         "maxiter": 100})
            vals, vecs = np.linalg.eigh(m - np.diag(res.x * scale))
            out[i, idx, idx] = vecs[:, -1] ** 2 * max(vals[-1], 0.0)
    return out[0] if r.ndim == 2 else out


def _leading_count(observed: np.ndarray, threshold: np.ndarray) -> int:
    """Number of leading eigenvalues above the threshold (psych's stopping rule)."""
    above = observed > threshold
    return int(above.size if above.all() else np.argmin(above))


def parallel_analysis(data: pd.DataFrame, n_iter: int = 1000, seed: int | None = None,
                      quantile: float = 0.95, smc: bool = True) -> ParallelResult:
    """Horn's (1965) parallel analysis for components and common factors.

    Observed eigenvalues of the (pairwise) correlation matrix ``R`` (components) and of a
    reduced ``R`` (factors) are compared with the same eigenvalues of ``n_iter`` correlation
    matrices of ``n`` uncorrelated normal variables (``n`` = rows of ``data``, as psych).
    The reduced matrix has squared multiple correlations on the diagonal (``smc=True``;
    Humphreys & Ilgen 1969; ``psych::fa.parallel(SMC=TRUE)``) or the communalities of a
    one-factor minres fit (``smc=False``: psych's default ``SMC=FALSE``, whose factor
    eigenvalues are ``fa(R, 1)$values``). The number of components/factors is the count of
    leading observed eigenvalues above the simulated ``quantile`` (Glorfeld 1995), psych's
    rule. Counts equal ``psych::fa.parallel(x, fa="both", SMC=smc, quant=quantile)``'s up
    to Monte Carlo error: psych also resamples the data, but bases its counts on the
    simulated normal data, as here. The two rules may suggest different numbers of factors
    (bfi: 8 with SMC, 6 with psych's default; Holzinger–Swineford: 3 either way).

    Random matrices are drawn from the Wishart distribution (see
    ``_random_correlations``), which is exactly the distribution of the correlation
    matrix of simulated normal data, so the cost depends on p and ``n_iter`` only.

    Parameters
    ----------
    data : DataFrame
        Item columns.
    n_iter : int
        Number of random correlation matrices.
    seed : int or None
        Seed of ``numpy.random.default_rng``.
    quantile : float
        Quantile of the simulated eigenvalues used as threshold (0.5 ≈ Horn's mean rule).
    smc : bool
        Factor eigenvalues from the SMC-reduced matrix (default) or, with ``False``, after a
        one-factor minres fit as psych's default (slower: one fit per random matrix, about
        a second per 1000 matrices).

    Examples
    --------
    >>> import pandas as pd
    >>> from analysis import datasets
    >>> hs = datasets.load("holzinger_swineford_1939")
    >>> pa = parallel_analysis(hs[[f"x{i}" for i in range(1, 10)]], n_iter=200, seed=1)
    >>> pa.n_factors, pa.n_components
    (3, 3)
    """
    if not 0 < quantile < 1:
        raise ValueError(f"quantile must be between 0 and 1, got {quantile!r}")
    if n_iter < 1:
        raise ValueError(f"n_iter must be a positive integer, got {n_iter!r}")
    r = _correlation(data, "parallel_analysis").to_numpy()
    n, p = len(data), r.shape[0]
    if n <= p:
        raise ValueError(f"parallel analysis needs more rows than items, got n={n}, p={p}")
    sims = _random_correlations(n, p, n_iter, np.random.default_rng(seed))
    sim_pc = np.linalg.eigvalsh(sims)[:, ::-1]
    reduce = _smc_reduced if smc else _one_factor_reduced
    sim_fa = np.linalg.eigvalsh(reduce(sims))[:, ::-1]
    obs_pc = np.linalg.eigvalsh(r)[::-1]
    obs_fa = np.linalg.eigvalsh(reduce(r))[::-1]
    table = pd.DataFrame({
        "number": np.arange(1, p + 1), "observed_pc": obs_pc, "sim_pc_mean": sim_pc.mean(axis=0),
        "sim_pc_quantile": np.quantile(sim_pc, quantile, axis=0),
        "observed_fa": obs_fa, "sim_fa_mean": sim_fa.mean(axis=0),
        "sim_fa_quantile": np.quantile(sim_fa, quantile, axis=0),
    })
    return ParallelResult(
        n_factors=_leading_count(obs_fa, table["sim_fa_quantile"].to_numpy()),
        n_components=_leading_count(obs_pc, table["sim_pc_quantile"].to_numpy()),
        eigenvalues=table, n=n, n_iter=n_iter, quantile=quantile, smc=smc)


@dataclass(frozen=True)
class EFAResult(Result):
    """Exploratory factor analysis (see :func:`efa`).

    Tables (flat, what a row is about first): ``loadings`` ``item`` then one column per
    factor (pattern matrix for oblique rotations); ``factor_cor`` ``factor`` then the factor
    correlations (identity for orthogonal rotations); ``variance_explained`` one row per
    factor: ``factor``, ``ss_loadings``, ``proportion``, ``cumulative``. ``communalities``
    (``h2``) and ``uniquenesses`` (``u2 = 1 - h2``) are Series by item. ``factors`` lists
    the factor names in column order. ``to_frame()`` is psych's printed table: ``item``,
    loadings, ``h2``, ``u2``.
    """

    loadings: pd.DataFrame
    communalities: pd.Series
    uniquenesses: pd.Series
    factor_cor: pd.DataFrame
    variance_explained: pd.DataFrame
    factors: list
    method: str
    rotation: str
    converged: bool

    def to_frame(self) -> pd.DataFrame:
        return self.loadings.assign(h2=self.communalities.to_numpy(),
                                    u2=self.uniquenesses.to_numpy())


def _minres_objective(psi: np.ndarray, s: np.ndarray, nf: int, diagonal: bool = False) -> float:
    """psych's ``fit.residuals``: squared residuals below the diagonal (fm="minres") or of
    the whole matrix with ``1 - psi`` on its diagonal (fm="uls")."""
    reduced = s.copy()
    np.fill_diagonal(reduced, 1.0 - psi)
    vals, vecs = np.linalg.eigh(reduced)
    vals, vecs = vals[::-1][:nf], vecs[:, ::-1][:, :nf]
    vals = np.where(vals < np.finfo(float).eps, 100 * np.finfo(float).eps, vals)
    load = vecs * np.sqrt(vals)
    resid = reduced - load @ load.T
    if diagonal:
        return float((resid**2).sum())
    return float((resid[np.tril_indices_from(resid, -1)] ** 2).sum())


def _minres_gradient(psi: np.ndarray, s: np.ndarray, nf: int, diagonal: bool = False
                     ) -> np.ndarray:
    """psych's ``FAgr.minres`` (used for fm="uls" too)."""
    vals, vecs = np.linalg.eigh(s - np.diag(psi))
    load = vecs[:, ::-1][:, :nf] * np.sqrt(np.maximum(vals[::-1][:nf], 0.0))
    return np.diag(load @ load.T) + psi - np.diag(s)


def _ml_scaled(psi: np.ndarray, s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    sc = 1.0 / np.sqrt(psi)
    vals, vecs = np.linalg.eigh(s * sc[:, None] * sc[None, :])
    return vals[::-1], vecs[:, ::-1]


def _ml_objective(psi: np.ndarray, s: np.ndarray, nf: int) -> float:
    """psych's ``FAfn`` (as stats::factanal): ML discrepancy in terms of uniquenesses."""
    e = _ml_scaled(psi, s)[0][nf:]
    return float(-(np.sum(np.log(e) - e) - nf + s.shape[0]))


def _ml_loadings(psi: np.ndarray, s: np.ndarray, nf: int) -> np.ndarray:
    """psych's ``FAout``."""
    vals, vecs = _ml_scaled(psi, s)
    return np.sqrt(psi)[:, None] * vecs[:, :nf] * np.sqrt(np.maximum(vals[:nf] - 1.0, 0.0))


def _ml_gradient(psi: np.ndarray, s: np.ndarray, nf: int) -> np.ndarray:
    """psych's ``FAgr``."""
    load = _ml_loadings(psi, s, nf)
    return (np.diag(load @ load.T) + psi - np.diag(s)) / psi**2


def _principal_axis(r: np.ndarray, nf: int, min_err: float = 0.001, max_iter: int = 50
                    ) -> tuple[np.ndarray, bool]:
    """psych's fm="pa": iterated principal axes from SMCs on the diagonal.

    Each step puts the communalities ``diag(L L')`` of the ``nf`` leading eigenpairs back on
    the diagonal; it stops when their sum changes by less than ``min_err`` (psych's
    ``min.err = 0.001``) or after ``max_iter`` steps (psych's ``max.iter = 50``; then not
    converged).
    """
    reduced = _smc_reduced(r)
    comm = np.trace(reduced)
    idx = np.arange(len(r))
    for _ in range(max_iter):
        vals, vecs = np.linalg.eigh(reduced)
        vals, vecs = vals[::-1][:nf], vecs[:, ::-1][:, :nf]
        if (vals < 0).any():
            raise ValueError("principal axis factoring met a negative eigenvalue (psych: "
                             "'imaginary eigen value'); use method='minres'")
        load = vecs * np.sqrt(vals)
        new = (load**2).sum(axis=1)
        reduced[idx, idx] = new
        if abs(comm - new.sum()) <= min_err:
            return load, True
        comm = new.sum()
    return load, False


def _extract(r: np.ndarray, nf: int, method: str) -> tuple[np.ndarray, bool]:
    """Unrotated loadings by psych's ``fit`` (L-BFGS-B over uniquenesses in [0.005, 1]) or,
    for fm="pa", by iterated principal axes."""
    if method == "pa":
        return _principal_axis(r, nf)
    smc = 1.0 - 1.0 / np.diag(np.linalg.inv(r))
    start = np.diag(r) - smc
    upper = max(smc.max(), 1.0)
    if method == "ml":
        fun, jac, args = _ml_objective, _ml_gradient, (r, nf)
    else:
        fun, jac, args = _minres_objective, _minres_gradient, (r, nf, method == "uls")
    with threadpool_limits(limits=1, user_api="blas"):  # small matrices: threads only cost
        res = optimize.minimize(fun, start, args=args, jac=jac, method="L-BFGS-B",
                                bounds=[(0.005, upper)] * len(start),
                                options={"ftol": 1e-15, "gtol": 1e-10, "maxiter": 10_000})
    psi = res.x
    if method == "ml":
        load = _ml_loadings(psi, r, nf)
    else:
        vals, vecs = np.linalg.eigh(r - np.diag(psi))
        load = vecs[:, ::-1][:, :nf] * np.sqrt(np.maximum(vals[::-1][:nf], 0.0))
    return load, bool(res.success)


def _varimax(x: np.ndarray, eps: float = 1e-5) -> tuple[np.ndarray, np.ndarray]:
    """``stats::varimax`` (Kaiser-normalised, R's stopping rule)."""
    sc = np.sqrt((x**2).sum(axis=1))
    x = x / sc[:, None]
    p, nc = x.shape
    rot = np.eye(nc)
    d = 0.0
    for _ in range(1000):
        z = x @ rot
        b = x.T @ (z**3 - z * (z**2).sum(axis=0) / p)
        u, sv, vt = np.linalg.svd(b)
        rot = u @ vt
        d_past, d = d, sv.sum()
        if d < d_past * (1 + eps):
            break
    return (x @ rot) * sc[:, None], rot


def _vgq_quartimin(load: np.ndarray) -> tuple[np.ndarray, float]:
    """GPArotation's ``vgQ.quartimin`` (= oblimin with gam = 0): gradient and criterion."""
    x = (load**2) @ (1.0 - np.eye(load.shape[1]))
    return load * x, float((load**2 * x).sum() / 4)


def _vgq_geomin(load: np.ndarray, delta: float = 0.01) -> tuple[np.ndarray, float]:
    """GPArotation's ``vgQ.geomin`` (Yates 1987; Browne 2001), ``delta = 0.01``."""
    k = load.shape[1]
    l2 = load**2 + delta
    pro = np.exp(np.log(l2).sum(axis=1) / k)
    return (2 / k) * (load / l2) * pro[:, None], float(pro.sum())


def _gpf(a: np.ndarray, vgq, oblique: bool, eps: float, maxit: int) -> tuple[np.ndarray, np.ndarray, bool]:
    """Gradient projection from the identity (normalize = FALSE) as ``GPArotation::GPFoblq``
    (``oblique``) and ``GPForth`` (Jennrich 2002; Bernaards & Jennrich 2005): loadings, the
    rotation matrix T, converged. The two differ only in the loadings and gradient of T, the
    projection onto the constraint's tangent space and the step back onto the constraint."""
    def loadings(t):
        return a @ np.linalg.inv(t).T if oblique else a @ t

    def gradient(load, gq, t):
        return -(load.T @ gq @ np.linalg.inv(t)).T if oblique else a.T @ gq

    def project(g, t):
        if oblique:
            return g - t * (t * g).sum(axis=0)
        m = t.T @ g
        return g - t @ ((m + m.T) / 2)

    def retract(x):
        if oblique:
            return x / np.sqrt((x**2).sum(axis=0))
        u, _, vt = np.linalg.svd(x)
        return u @ vt

    t = np.eye(a.shape[1])
    load = loadings(t)
    gq, f = vgq(load)
    g = gradient(load, gq, t)
    al = 1.0
    converged = False
    for _ in range(maxit + 1):
        gp = project(g, t)
        s = np.sqrt((gp**2).sum())
        if s < eps:
            converged = True
            break
        al *= 2
        for _ in range(11):
            tt = retract(t - al * gp)
            load = loadings(tt)
            gq_t, f_t = vgq(load)
            if f - f_t > 0.5 * s**2 * al:
                break
            al /= 2
        t, f = tt, f_t
        g = gradient(load, gq_t, tt)
    return load, t, converged


def _gpf_oblique(a: np.ndarray, vgq, eps: float = 1e-5, maxit: int = 1000
                 ) -> tuple[np.ndarray, np.ndarray, bool]:
    """``GPArotation::GPFoblq``: loadings, Phi, converged (:func:`_gpf`)."""
    load, t, converged = _gpf(a, vgq, True, eps, maxit)
    return load, t.T @ t, converged


def _gpf_orthogonal(a: np.ndarray, vgq, eps: float = 1e-5, maxit: int = 1000
                    ) -> tuple[np.ndarray, bool]:
    """``GPArotation::GPForth``: loadings, converged (:func:`_gpf`)."""
    load, _, converged = _gpf(a, vgq, False, eps, maxit)
    return load, converged


def _oblimin(a: np.ndarray) -> tuple[np.ndarray, np.ndarray, bool]:
    """``GPArotation::oblimin`` (gam = 0, normalize = FALSE) = ``quartimin``."""
    return _gpf_oblique(a, _vgq_quartimin)


def _promax(f: np.ndarray, m: int = 4) -> tuple[np.ndarray, np.ndarray]:
    """psych's ``kaiser(f, "Promax")``: Kaiser row normalisation, varimax, power target."""
    h = np.sqrt((f**2).sum(axis=1))
    x, rot = _varimax(f / h[:, None])
    q = x * np.abs(x) ** (m - 1)
    u = np.linalg.lstsq(x, q, rcond=None)[0]
    u = u * np.sqrt(np.diag(np.linalg.inv(u.T @ u)))[None, :]
    ui = np.linalg.inv(rot @ u)
    return (x @ u) * h[:, None], ui @ ui.T


_PREFIX = {"minres": "MR", "uls": "ULS", "ml": "ML", "pa": "PA"}
_ROTATIONS = ("oblimin", "quartimin", "geominQ", "varimax", "promax", "geominT", "none")
_ALIASES = {"geomin": "geominQ"}


def _check_fa_args(method: str, rotation: str, what: str) -> str:
    """Validate psych's ``fm``/``rotate`` spellings; returns the rotation's canonical name."""
    if method not in _PREFIX:
        raise ValueError(f"{what}: method must be one of {list(_PREFIX)}, got {method!r}")
    rotation = _ALIASES.get(rotation, rotation)
    if rotation not in _ROTATIONS:
        raise ValueError(f"{what}: rotation must be one of {[*_ROTATIONS, *_ALIASES]}, "
                         f"got {rotation!r}")
    return rotation


def _fa(r: np.ndarray, n_factors: int, method: str, rotation: str
        ) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str], bool]:
    """``psych::fa`` on a correlation matrix: loadings, Phi, h2, factor names, converged.

    Extraction, then (n_factors > 1) rotation; as psych, each factor's sign makes its
    loading sum positive and factors are ordered by variance accounted for
    (``diag(Phi L'L)``), keeping their pre-sorting names.
    """
    load, converged = _extract(r, n_factors, method)
    load = load * np.where(load.sum(axis=0) < 0, -1.0, 1.0)
    h2 = (load**2).sum(axis=1)
    phi = np.eye(n_factors)
    order = np.arange(n_factors)
    if n_factors > 1 and rotation != "none":
        if rotation == "varimax":
            load = _varimax(load)[0]
        elif rotation == "promax":
            load, phi = _promax(load)
        elif rotation == "geominT":
            load, rot_ok = _gpf_orthogonal(load, _vgq_geomin)
            converged = converged and rot_ok
        else:
            vgq = _vgq_geomin if rotation == "geominQ" else _vgq_quartimin
            load, phi, rot_ok = _gpf_oblique(load, vgq)
            converged = converged and rot_ok
        sign = np.where(load.sum(axis=0) < 0, -1.0, 1.0)
        load, phi = load * sign, phi * np.outer(sign, sign)
        order = np.argsort(-np.diag(phi @ load.T @ load), kind="stable")
        load, phi = load[:, order], phi[np.ix_(order, order)]
    names = [f"{_PREFIX[method]}{i + 1}" for i in order]  # psych keeps pre-sorting names: MR2, MR1, ...
    return load, phi, h2, names, converged


def efa(data: pd.DataFrame, n_factors: int, method: str = "minres",
        rotation: str = "oblimin") -> EFAResult:
    """Exploratory factor analysis reproducing ``psych::fa``.

    Extraction (psych's ``fm``): ``minres`` minimises psych's off-diagonal least-squares
    criterion (Harman & Jones 1966), ``uls`` the same over the whole matrix, ``ml`` the ML
    discrepancy (Jöreskog 1967, as ``factanal``), each over the uniquenesses with L-BFGS-B
    from ``1 - SMC`` on pairwise correlations; ``pa`` iterates principal axes from SMCs
    until the communalities' sum changes by less than 0.001, at most 50 times (psych's
    ``min.err``, ``max.iter``; more is reported as not converged). Rotations (psych's
    ``rotate``), all from the identity as psych calls GPArotation: ``oblimin`` =
    ``quartimin`` (GPFoblq; Jennrich 2002), ``geominQ`` (alias ``geomin``, oblique) and
    ``geominT`` (orthogonal) with ``delta = 0.01`` (Browne 2001), ``varimax``
    (``stats::varimax``, Kaiser-normalised), ``promax`` (psych: Kaiser normalisation,
    varimax, target ``x|x|^3``; Hendrickson & White 1964) and ``none``. Geomin has local
    optima: like psych, one start from the identity; compare starts with GPArotation's
    ``randomStarts`` in R when the solution matters.
    Then as psych: each factor's sign makes its loading sum positive and factors are
    ordered by variance accounted for (``diag(Phi L'L)``). Communalities are the row sums of
    squared unrotated loadings (psych's ``communality``). Factor names are psych's
    (``MR1``, ``ULS1``, ``ML1``, ``PA1``… numbered before sorting, so the first column may
    be ``MR2``).

    Parameters
    ----------
    data : DataFrame
        Item columns (pairwise-complete correlations).
    n_factors : int
        Number of factors.
    method : {"minres", "uls", "ml", "pa"}
    rotation : {"oblimin", "quartimin", "geominQ", "geomin", "geominT", "varimax", "promax", "none"}

    Examples
    --------
    >>> import pandas as pd
    >>> from analysis import datasets
    >>> hs = datasets.load("holzinger_swineford_1939")
    >>> res = efa(hs[[f"x{i}" for i in range(1, 10)]], 3, method="ml", rotation="varimax")
    >>> res.to_frame().round(2).head(4)
      item   ML1   ML3   ML2    h2    u2
    0   x1  0.28  0.62  0.15  0.49  0.51
    1   x2  0.10  0.49 -0.03  0.25  0.75
    2   x3  0.03  0.66  0.13  0.46  0.54
    3   x4  0.83  0.16  0.10  0.72  0.28
    """
    rotation = _check_fa_args(method, rotation, "efa")
    cor = _correlation(data, "efa")
    r = cor.to_numpy()
    p = r.shape[0]
    if not 1 <= n_factors < p:
        raise ValueError(f"n_factors must be between 1 and {p - 1}, got {n_factors!r}")
    load, phi, h2, names, converged = _fa(r, n_factors, method, rotation)
    ss = np.diag(phi @ load.T @ load)
    variance = pd.DataFrame({"factor": names, "ss_loadings": ss, "proportion": ss / p,
                             "cumulative": np.cumsum(ss) / p})
    return EFAResult(
        loadings=pd.DataFrame(load, columns=names).assign(item=list(cor.index))[["item", *names]],
        communalities=pd.Series(h2, index=cor.index, name="h2"),
        uniquenesses=pd.Series(1.0 - h2, index=cor.index, name="u2"),
        factor_cor=pd.DataFrame(phi, columns=names).assign(factor=names)[["factor", *names]],
        variance_explained=variance, factors=names, method=method, rotation=rotation,
        converged=converged)
