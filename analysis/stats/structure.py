"""Factor structure: KMO, Bartlett's sphericity test, Horn's parallel analysis, EFA.

Why own code: ``factor_analyzer`` (the usual Python EFA library) fails with current
scikit-learn (``check_array(force_all_finite=...)``) and does not reproduce psych::fa's
extraction start, factor order, sign rule or Kaiser-normalised promax. The functions here
follow psych 2.2.9 and GPArotation line by line (documented per function) and are tested
against committed R output (``tests/r/efa.R`` → ``tests/fixtures/r/efa.json``).
Parallel analysis draws the random correlation matrices directly from their exact sampling
distribution (Wishart, Bartlett decomposition), so its cost does not grow with n.

CFA and measurement invariance live in :mod:`analysis.stats.sem`.

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

from analysis.stats._blas import one_thread
from analysis.stats._factoring import (
    FaMethod,
    Rotation,
    check_fa_args,
    correlation,
    fa,
    minres_gradient,
    minres_objective,
    smc_reduced,
)
from analysis.stats.display import Summary, efa_summary
from analysis.stats.results import Result

__all__ = [
    "BartlettResult",
    "EFAResult",
    "FaMethod",
    "KMOResult",
    "ParallelResult",
    "Rotation",
    "bartlett",
    "efa",
    "kmo",
    "parallel_analysis",
]


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
    cor = correlation(data, "kmo")
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
    r = correlation(data, "bartlett").to_numpy()
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

    def objective(x: np.ndarray, m: np.ndarray) -> float:
        return minres_objective(x * scale, m, 1)

    def gradient(x: np.ndarray, m: np.ndarray) -> np.ndarray:
        return minres_gradient(x * scale, m, 1) * scale

    with one_thread():
        for i, m in enumerate(stack):
            res = optimize.minimize(
                objective, (1.0 - smc[i]) / scale, args=(m,), jac=gradient, method="L-BFGS-B",
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
    r = correlation(data, "parallel_analysis").to_numpy()
    n, p = len(data), r.shape[0]
    if n <= p:
        raise ValueError(f"parallel analysis needs more rows than items, got n={n}, p={p}")
    sims = _random_correlations(n, p, n_iter, np.random.default_rng(seed))
    sim_pc = np.linalg.eigvalsh(sims)[:, ::-1]
    reduce = smc_reduced if smc else _one_factor_reduced
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
    factors: list[str]
    method: FaMethod
    rotation: Rotation
    converged: bool

    def to_frame(self) -> pd.DataFrame:
        return self.loadings.assign(h2=self.communalities.to_numpy(),
                                    u2=self.uniquenesses.to_numpy())

    def summary(self, digits: int = 2) -> Summary:
        """psych's ``print(fa(r, nfactors))``: loadings with h2, u2 and complexity, the
        variance accounted for and the factor correlations."""
        return efa_summary(self, digits)


def efa(data: pd.DataFrame, n_factors: int, method: FaMethod = "minres",
        rotation: Rotation = "oblimin") -> EFAResult:
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
    rotation = check_fa_args(method, rotation, "efa")
    cor = correlation(data, "efa")
    r = cor.to_numpy()
    p = r.shape[0]
    if not 1 <= n_factors < p:
        raise ValueError(f"n_factors must be between 1 and {p - 1}, got {n_factors!r}")
    load, phi, h2, names, converged = fa(r, n_factors, method, rotation)
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
