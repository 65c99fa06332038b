"""Polychoric and tetrachoric correlations by two-step maximum likelihood.

Each item is the coarsened version of a standard normal latent response, cut at thresholds.
Step 1 (Olsson 1979): the thresholds of each item are the normal quantiles of its cumulative
answer proportions, ``tau_k = Phi^-1(P(x <= k))``. Step 2: with the thresholds fixed, the
correlation of each pair maximises the multinomial log-likelihood of its contingency table,
``sum_ab n_ab log P_ab(rho)``, where ``P_ab`` is the bivariate normal probability of cell
(a, b). Two categories give the tetrachoric correlation. This is ``psych::polychoric``
(global thresholds, pairwise tables, no continuity correction — psych applies one only when
items have unequal numbers of categories) and ``lavaan::lavCor(ordered=)`` on complete data.

Why own code: no Python library gives polychoric correlations (``semopy`` has a slow scalar
loop without thresholds output). Here every pair is estimated at once: the bivariate normal
CDF is Genz's (2004) vectorised algorithm on the grid of threshold pairs, and Fisher scoring
uses Plackett's identity ``d Phi2(h, k; rho) / d rho = phi2(h, k; rho)``, so a 900 x 10 data
set takes milliseconds. R's ``optimize`` in psych stops at a tolerance of about 1e-4 in rho;
Fisher scoring here runs to 1e-10.

Building blocks of the WLSMV estimator (:mod:`analysis.stats._sem_ordinal`; lavaan's
``lav_samplestats`` ordinal route):
:class:`PolychoricResult` holds the thresholds, correlations, integer category codes of
every answer (``codes``) and pairwise counts; :meth:`PolychoricResult.nacov` gives lavaan's
Gamma (N x asymptotic covariance of thresholds and correlations, Muthén 1984), whose
diagonal inverse is DWLS's weight matrix, with lavaan's parameter names and order
(:meth:`PolychoricResult.parameter_names`); :func:`cell_probabilities` gives a pair's cell
probabilities and their derivatives with respect to rho and the thresholds, and
:func:`bvn_cdf` / :func:`bvn_pdf` the vectorised ``Phi2`` / ``phi2``.

Examples
--------
>>> import pandas as pd
>>> from analysis.stats.polychoric import polychoric
>>> from analysis import datasets
>>> x = datasets.load("ordinal_skewed")
>>> res = polychoric(x[["q1", "q2", "q3"]])
>>> res.rho.round(3)
  item     q1     q2     q3
0   q1  1.000  0.419  0.488
1   q2  0.419  1.000  0.405
2   q3  0.488  0.405  1.000
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, overload

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import special

from analysis.stats.checks import numeric_frame
from analysis.stats.notices import warn
from analysis.stats.results import Result

__all__ = ["Missing", "PolychoricResult", "bvn_cdf", "bvn_pdf", "cell_probabilities", "polychoric"]

#: Missing-data handling: psych's pairwise tables or lavaan's listwise deletion.
Missing = Literal["pairwise", "listwise"]
MISSING: tuple[Missing, ...] = ("pairwise", "listwise")

# Gauss–Legendre nodes and weights on (-1, 1), 20 points (Genz 2004, as in his bvnu).
_GL_X = np.array([0.9931285991850949, 0.9639719272779138, 0.9122344282513259,
                  0.8391169718222188, 0.7463319064601508, 0.6360536807265150,
                  0.5108670019508271, 0.3737060887154196, 0.2277858511416451,
                  0.07652652113349733])
_GL_W = np.array([0.01761400713915212, 0.04060142980038694, 0.06267204833410906,
                  0.08327674157670475, 0.1019301198172404, 0.1181945319615184,
                  0.1316886384491766, 0.1420961093183821, 0.1491729864726037,
                  0.1527533871307259])
_X = np.concatenate([1 - _GL_X, 1 + _GL_X])
_W = np.concatenate([_GL_W, _GL_W])


def _phi(x: np.ndarray) -> np.ndarray:
    return special.ndtr(x)


def _bvn_upper(h: np.ndarray, k: np.ndarray, r: np.ndarray) -> np.ndarray:
    """``P(X > h, Y > k)`` for standard bivariate normals with correlation r (finite h, k).

    Genz's ``bvnu`` (Drezner & Wesolowsky 1990 with Genz's 20-point Gauss–Legendre rule;
    accuracy about 1e-15), evaluated for whole arrays.
    """
    h, k, r = np.broadcast_arrays(*(np.asarray(a, dtype=float) for a in (h, k, r)))
    out = np.empty(h.shape)
    low = np.abs(r) < 0.925
    if low.any():
        hl, kl, rl = h[low], k[low], r[low]
        hk, hs = hl * kl, (hl * hl + kl * kl) / 2
        asr = np.arcsin(rl) / 2
        sn = np.sin(asr[:, None] * _X[None, :])
        bvn = (np.exp((sn * hk[:, None] - hs[:, None]) / (1 - sn**2)) @ _W)
        out[low] = bvn * asr / (2 * np.pi) + _phi(-hl) * _phi(-kl)
    high = ~low
    if high.any():
        hh, rh = h[high], r[high]
        kh = np.where(rh < 0, -k[high], k[high])
        hk = hh * kh
        bvn = np.zeros(hh.shape)
        inner = np.abs(rh) < 1
        a_s = 1 - rh**2
        a = np.sqrt(a_s)
        bs = (hh - kh) ** 2
        c, d = (4 - hk) / 8, (12 - hk) / 80
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            asr = -(bs / a_s + hk) / 2
            term = np.where(asr > -100,
                            a * np.exp(asr) * (1 - c * (bs - a_s) * (1 - d * bs) / 3
                                               + c * d * a_s**2), 0.0)
            b = np.sqrt(bs)
            sp = np.sqrt(2 * np.pi) * _phi(-b / a)
            term = np.where(hk > -100,
                            term - np.exp(-hk / 2) * sp * b * (1 - c * bs * (1 - d * bs) / 3),
                            term)
            ah = a / 2
            xs = (ah[:, None] * _X[None, :]) ** 2
            asr2 = -(bs[:, None] / xs + hk[:, None]) / 2
            sp2 = 1 + c[:, None] * xs * (1 + 5 * d[:, None] * xs)
            rs = np.sqrt(1 - xs)
            ep = np.exp(-(hk[:, None] / 2) * xs / (1 + rs) ** 2) / rs
            quad = np.where(asr2 > -100, np.exp(asr2) * (sp2 - ep), 0.0) @ _W
            bvn = np.where(inner, (ah * quad - term) / (2 * np.pi), 0.0)
        pos = rh > 0
        neg_l = np.where(hh < 0, _phi(kh) - _phi(hh), _phi(-hh) - _phi(-kh))
        out[high] = np.where(pos, bvn + _phi(-np.maximum(hh, kh)),
                             np.where(hh >= kh, -bvn, neg_l - bvn))
    return np.clip(out, 0.0, 1.0)


def bvn_cdf(h: npt.ArrayLike, k: npt.ArrayLike, rho: npt.ArrayLike) -> np.ndarray:
    """Standard bivariate normal CDF ``Phi2(h, k; rho)``, vectorised; ``h``, ``k`` may be ±inf.

    Examples
    --------
    >>> float(bvn_cdf(0.0, 0.0, 0.5).round(12))  # 1/4 + arcsin(rho) / (2 pi)
    0.333333333333
    """
    h, k, rho = np.broadcast_arrays(*(np.asarray(a, dtype=float) for a in (h, k, rho)))
    out = np.empty(h.shape)
    fin = np.isfinite(h) & np.isfinite(k)
    out[fin] = _bvn_upper(-h[fin], -k[fin], rho[fin])
    # a margin at -inf gives 0, at +inf the other margin's univariate CDF
    out[~fin] = np.where((h[~fin] == -np.inf) | (k[~fin] == -np.inf), 0.0,
                         np.where(h[~fin] == np.inf, _phi(k[~fin]), _phi(h[~fin])))
    return out


def bvn_pdf(h: npt.ArrayLike, k: npt.ArrayLike, rho: npt.ArrayLike) -> np.ndarray:
    """Standard bivariate normal density ``phi2(h, k; rho)`` (0 where ``h`` or ``k`` is ±inf).

    Examples
    --------
    >>> float(bvn_pdf(0.0, 0.0, 0.0).round(6))  # 1 / (2 pi)
    0.159155
    """
    h, k, rho = np.broadcast_arrays(*(np.asarray(a, dtype=float) for a in (h, k, rho)))
    one = 1 - rho**2
    with np.errstate(invalid="ignore"):
        q = (h * h - 2 * rho * h * k + k * k) / one
    out = np.exp(-q / 2) / (2 * np.pi * np.sqrt(one))
    return np.where(np.isfinite(h) & np.isfinite(k), out, 0.0)


def _grid(tau: np.ndarray) -> np.ndarray:
    """Thresholds padded with -inf and +inf: the cut points of every category."""
    pad = np.full(tau.shape[:-1] + (1,), np.inf)
    return np.concatenate([-pad, tau, pad], axis=-1)


def _cells(rho: npt.ArrayLike, tau_x: npt.ArrayLike, tau_y: npt.ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Cell probabilities and their derivative with respect to rho (Plackett's identity)."""
    r = np.asarray(rho, dtype=float)[..., None, None]
    gx, gy = _grid(np.asarray(tau_x, dtype=float)), _grid(np.asarray(tau_y, dtype=float))
    h, k = gx[..., :, None], gy[..., None, :]
    f, g = bvn_cdf(h, k, r), bvn_pdf(h, k, r)
    p = f[..., 1:, 1:] - f[..., :-1, 1:] - f[..., 1:, :-1] + f[..., :-1, :-1]
    dp = g[..., 1:, 1:] - g[..., :-1, 1:] - g[..., 1:, :-1] + g[..., :-1, :-1]
    return np.maximum(p, 0.0), dp


@overload
def cell_probabilities(rho: npt.ArrayLike, tau_x: npt.ArrayLike, tau_y: npt.ArrayLike, *,
                       derivatives: Literal[False] = False) -> np.ndarray: ...
@overload
def cell_probabilities(rho: npt.ArrayLike, tau_x: npt.ArrayLike, tau_y: npt.ArrayLike, *,
                       derivatives: Literal[True]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]: ...
def cell_probabilities(rho: npt.ArrayLike, tau_x: npt.ArrayLike, tau_y: npt.ArrayLike, *,
                       derivatives: bool = False
                       ) -> np.ndarray | tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Bivariate normal cell probabilities of ordinal pairs, and optionally their derivatives.

    Parameters
    ----------
    rho : float or array of shape (m,)
        Latent correlations of ``m`` pairs.
    tau_x, tau_y : array of shape (..., K - 1) and (..., L - 1)
        Increasing thresholds of the row and column item (``+inf`` pads a category that is
        absent: its cells get probability 0).
    derivatives : bool
        Also return ``dP/drho`` (Plackett's identity) and the derivatives with respect to
        each threshold of x and of y, the blocks of the case-wise scores that the asymptotic
        covariance of a WLS estimator needs.

    Returns
    -------
    P : array (..., K, L)
        Cell probabilities. With ``derivatives``: ``(P, dP_drho, dP_dtau_x, dP_dtau_y)`` with
        ``dP_dtau_x`` of shape (..., K - 1, K, L) (threshold, cell) and likewise for y.

    Examples
    --------
    >>> import numpy as np
    >>> p = cell_probabilities(0.0, np.array([0.0]), np.array([0.0]))
    >>> p.round(2).tolist()
    [[0.25, 0.25], [0.25, 0.25]]
    """
    p, dp_rho = _cells(rho, tau_x, tau_y)
    if not derivatives:
        return p
    rho = np.asarray(rho, dtype=float)
    gx, gy = _grid(np.asarray(tau_x, dtype=float)), _grid(np.asarray(tau_y, dtype=float))
    r = rho[..., None, None]
    h, k = gx[..., :, None], gy[..., None, :]
    # dPhi2(h, k)/dh = phi(h) Phi((k - rho h) / sqrt(1 - rho^2)); zero at infinite h
    with np.errstate(invalid="ignore"):
        sd = np.sqrt(1 - r**2)
        ddh = np.where(np.isfinite(h), special.ndtr((k - r * h) / sd) * np.exp(-h**2 / 2)
                       / np.sqrt(2 * np.pi), 0.0)
        ddk = np.where(np.isfinite(k), special.ndtr((h - r * k) / sd) * np.exp(-k**2 / 2)
                       / np.sqrt(2 * np.pi), 0.0)
    # threshold t of x is grid row t + 1: it is the upper cut of category t, the lower of t + 1
    n_tx, n_ty = gx.shape[-1] - 2, gy.shape[-1] - 2
    dx = np.zeros(p.shape[:-2] + (n_tx,) + p.shape[-2:])
    for t in range(n_tx):
        edge = ddh[..., t + 1, 1:] - ddh[..., t + 1, :-1]   # d/dtau of F(tau, col cuts) diff
        dx[..., t, t, :] += edge
        dx[..., t, t + 1, :] -= edge
    dy = np.zeros(p.shape[:-2] + (n_ty,) + p.shape[-2:])
    for t in range(n_ty):
        edge = ddk[..., 1:, t + 1] - ddk[..., :-1, t + 1]
        dy[..., t, :, t] += edge
        dy[..., t, :, t + 1] -= edge
    return p, dp_rho, dx, dy


@dataclass(frozen=True)
class PolychoricResult(Result):
    """Polychoric (tetrachoric) correlations and thresholds (see :func:`polychoric`).

    ``rho`` is the correlation matrix as a flat table (``item`` then one column per item);
    ``thresholds`` has one row per item: ``item``, ``n`` (answers) and ``t1``, ``t2``, ...
    (NaN past an item's last threshold). ``n`` is the number of rows; ``n_pairs`` the
    item-by-item counts of rows answering both; ``levels`` the answer values of each item
    in category order and ``codes`` the category index (0-based; -1 missing) of every
    answer, rows x items. ``smoothed`` tells whether the matrix was not positive definite
    and was smoothed (psych's ``cor.smooth``). ``to_frame()`` gives ``rho``.
    """

    rho: pd.DataFrame
    thresholds: pd.DataFrame
    n: int
    n_pairs: pd.DataFrame
    levels: dict[str, list[float]]
    codes: np.ndarray
    smoothed: bool
    converged: bool

    def to_frame(self) -> pd.DataFrame:
        return self.rho.copy()

    @property
    def items(self) -> list[str]:
        return self.rho["item"].tolist()

    def matrix(self) -> np.ndarray:
        """The correlation matrix as an array (items in column order)."""
        return self.rho[self.items].to_numpy()

    def tau(self) -> list[np.ndarray]:
        """Each item's thresholds as an array, in item order."""
        cols = [c for c in self.thresholds.columns if c.startswith("t")]
        return [row[~np.isnan(row)] for row in self.thresholds[cols].to_numpy()]

    def parameter_names(self) -> list[str]:
        """lavaan's names of the sample statistics: ``item|t1``…, then ``a~~b`` (vech order)."""
        items = self.items
        th = [f"{i}|t{k + 1}" for i, t in zip(items, self.tau()) for k in range(len(t))]
        ii, jj = np.triu_indices(len(items), 1)
        return th + [f"{items[a]}~~{items[b]}" for a, b in zip(ii, jj)]

    def nacov(self) -> pd.DataFrame:
        """N times the asymptotic covariance of (thresholds, correlations): lavaan's Gamma.

        The two-step estimator's sandwich (Muthén 1984; lavaan's ``muthen1984``): case-wise
        scores ``s`` of the univariate log-likelihoods with respect to the thresholds and
        of each pair's bivariate log-likelihood with respect to its correlation; ``A11`` the
        per-item blocks of ``s's`` (thresholds), ``A22`` the diagonal of ``s's``
        (correlations), ``A21`` the cross-products of the correlation scores with the
        bivariate scores with respect to the thresholds; then with
        ``B^-1 = [[A11^-1, 0], [-A22^-1 A21 A11^-1, A22^-1]]``, ``Gamma = N B^-1 (s's) B^-T``
        (``lavInspect(fit, "gamma")``). Its diagonal inverse is DWLS's weight matrix.
        Needs complete data (``missing="listwise"``) and an unsmoothed matrix.

        Returns
        -------
        DataFrame
            ``parameter`` (lavaan's names, see :meth:`parameter_names`), then one column per
            parameter.
        """
        if (self.codes < 0).any():
            raise ValueError("nacov needs complete rows: call polychoric(..., missing='listwise')")
        if self.smoothed:
            raise ValueError("nacov: the correlation matrix was smoothed; the sandwich applies "
                             "to the ML estimates")
        codes, taus, rho = self.codes, self.tau(), self.matrix()
        n, p = codes.shape
        rows = np.arange(n)
        sizes = [len(t) for t in taus]
        start = np.concatenate([[0], np.cumsum(sizes)])
        sc_th = np.zeros((n, start[-1]))
        for j, t in enumerate(taus):
            cut = _grid(t)
            prob = special.ndtr(cut[1:]) - special.ndtr(cut[:-1])
            dens = np.exp(-t**2 / 2) / np.sqrt(2 * np.pi)
            c = codes[:, j]
            up, lo = c < len(t), c > 0       # threshold c is the upper cut of category c
            sc_th[rows[up], start[j] + c[up]] = dens[c[up]] / prob[c[up]]
            sc_th[rows[lo], start[j] + c[lo] - 1] = -dens[c[lo] - 1] / prob[c[lo]]
        ii, jj = np.triu_indices(p, 1)
        sc_rho = np.zeros((n, len(ii)))
        a21 = np.zeros((len(ii), start[-1]))
        for m, (a, b) in enumerate(zip(ii, jj)):
            prob, dr, dx, dy = cell_probabilities(rho[a, b], taus[a], taus[b], derivatives=True)
            ca, cb = codes[:, a], codes[:, b]
            pc = prob[ca, cb]
            sc_rho[:, m] = dr[ca, cb] / pc
            a21[m, start[a]:start[a + 1]] = sc_rho[:, m] @ (dx[:, ca, cb] / pc).T
            a21[m, start[b]:start[b + 1]] = sc_rho[:, m] @ (dy[:, ca, cb] / pc).T
        scores = np.hstack([sc_th, sc_rho])
        inner = scores.T @ scores
        a11_inv = np.zeros((start[-1], start[-1]))
        for j in range(p):
            blk = slice(start[j], start[j + 1])
            a11_inv[blk, blk] = np.linalg.inv(inner[blk, blk])
        a22_inv = np.diag(1 / (sc_rho**2).sum(axis=0))
        b_inv = np.block([[a11_inv, np.zeros((start[-1], len(ii)))],
                          [-a22_inv @ a21 @ a11_inv, a22_inv]])
        gamma = n * b_inv @ inner @ b_inv.T
        names = self.parameter_names()
        return pd.DataFrame(gamma, columns=names).assign(parameter=names)[["parameter", *names]]


def _smooth(r: np.ndarray) -> tuple[np.ndarray, bool]:
    """``psych::cor.smooth``: eigenvalues below 1e-12 set to 1e-10, rescaled, back to a correlation."""
    vals, vecs = np.linalg.eigh(r)
    if vals.min() >= np.finfo(float).eps:
        return r, False
    vals = np.where(vals < 1e-12, 100 * 1e-12, vals)
    vals = vals * len(vals) / vals.sum()
    s = (vecs * vals) @ vecs.T
    d = 1 / np.sqrt(np.diag(s))
    return s * d[:, None] * d[None, :], True


def polychoric(data: pd.DataFrame, *, missing: Missing = "pairwise", smooth: bool = True,
               max_categories: int = 10, tol: float = 1e-10,
               max_iter: int = 100) -> PolychoricResult:
    """Polychoric correlations (tetrachoric for two categories) by two-step ML.

    Thresholds of each item: ``tau_k = Phi^-1(cumulative proportion of answers <= k)`` over
    every row answering the item. Then, with the thresholds fixed, each pair's correlation
    maximises ``sum_ab n_ab log P_ab(rho)`` over its contingency table of the rows answering
    both (Olsson 1979), by Fisher scoring for all pairs at once. Equals
    ``psych::polychoric(x)$rho`` / ``$tau`` (pairwise, global thresholds) and
    ``lavaan::lavCor(x, ordered = names(x))`` on complete data.

    Parameters
    ----------
    data : DataFrame
        Item columns holding ordered answers (any numbers; each item's distinct values are
        its categories in increasing order). NaN = missing.
    missing : {"pairwise", "listwise"}
        ``"pairwise"`` (psych): thresholds from every answer, each table from the rows
        answering both items. ``"listwise"`` (lavaan's default): rows with a missing answer
        are left out first.
    smooth : bool
        As psych's ``smooth=TRUE``: a matrix that is not positive definite is smoothed by
        ``cor.smooth`` (``smoothed`` says so, with a warning).
    max_categories : int
        Items with more distinct values are refused (psych's ``max.cat`` guard; use Pearson
        correlations for near-continuous scores).
    tol, max_iter :
        Convergence of the Fisher scoring (largest change of any rho).

    Returns
    -------
    PolychoricResult

    Examples
    --------
    >>> import pandas as pd
    >>> x = pd.DataFrame({"a": [1, 1, 2, 2, 1, 2, 1, 2], "b": [1, 1, 2, 2, 2, 1, 1, 2]})
    >>> round(float(polychoric(x).matrix()[0, 1]), 4)  # tetrachoric of a 3/1/1/3 table
    0.7071
    """
    x = numeric_frame(data, "polychoric", min_columns=2)
    if missing not in MISSING:
        raise ValueError(f"polychoric: missing must be 'pairwise' or 'listwise', got {missing!r}")
    if missing == "listwise":
        x = x.dropna()
    items = [str(c) for c in x.columns]
    levels, codes = {}, np.full(x.shape, -1, dtype=np.int64)
    for j, col in enumerate(x.columns):
        values = x[col].to_numpy()
        lv = np.unique(values[~np.isnan(values)])
        if len(lv) < 2:
            raise ValueError(f"polychoric: item {col!r} has fewer than two distinct answers")
        if len(lv) > max_categories:
            raise ValueError(f"polychoric: item {col!r} has {len(lv)} distinct values (more "
                             f"than max_categories={max_categories}); is it ordinal?")
        levels[str(col)] = lv.tolist()
        ok = ~np.isnan(values)
        codes[ok, j] = np.searchsorted(lv, values[ok])
    n, p = codes.shape
    c = max(len(v) for v in levels.values())

    # step 1: thresholds, padded with +inf to c - 1 per item
    counts = np.stack([np.bincount(codes[codes[:, j] >= 0, j], minlength=c) for j in range(p)])
    answered = counts.sum(axis=1)
    with np.errstate(divide="ignore"):
        tau = special.ndtri(np.cumsum(counts, axis=1)[:, :-1] / answered[:, None])
    tau[np.arange(c - 1)[None, :] >= np.array([len(levels[i]) - 1 for i in items])[:, None]] = np.inf

    # step 2: every pair's table, then Fisher scoring on all pairs at once
    ii, jj = np.triu_indices(p, 1)
    m = len(ii)
    both = (codes[:, ii] >= 0) & (codes[:, jj] >= 0)
    cell = np.where(both, codes[:, ii] * c + codes[:, jj], 0) + np.arange(m) * c * c
    tables = np.bincount(cell[both], minlength=m * c * c).reshape(m, c, c).astype(float)
    n_pair = tables.sum(axis=(1, 2))
    if (n_pair < 2).any():
        bad = [(items[a], items[b]) for a, b, k in zip(ii, jj, n_pair) if k < 2]
        raise ValueError(f"polychoric: pairs {bad} have fewer than two rows answering both")

    def loglik(r):
        prob = _cells(r, tau[ii], tau[jj])[0]
        with np.errstate(divide="ignore"):
            return (tables * np.log(np.where(tables > 0, prob, 1.0))).sum(axis=(1, 2))

    # start: Pearson correlation of the category codes of the pair's rows
    xi, xj = np.where(both, codes[:, ii], 0).astype(float), np.where(both, codes[:, jj], 0).astype(float)
    mi, mj = (xi * both).sum(0) / n_pair, (xj * both).sum(0) / n_pair
    cov = (both * (xi - mi) * (xj - mj)).sum(0)
    rho = np.clip(cov / np.sqrt((both * (xi - mi) ** 2).sum(0) * (both * (xj - mj) ** 2).sum(0)),
                  -0.95, 0.95)
    ll = loglik(rho)
    converged = False
    for _ in range(max_iter):
        prob, dp = _cells(rho, tau[ii], tau[jj])
        pos = prob > 0
        score = np.where(pos, tables * dp / np.where(pos, prob, 1), 0).sum(axis=(1, 2))
        info = n_pair * np.where(pos, dp**2 / np.where(pos, prob, 1), 0).sum(axis=(1, 2))
        step = score / info
        for _ in range(30):  # halve steps that leave (-1, 1) or lower the likelihood
            new = np.clip(rho + step, -0.999999, 0.999999)
            new_ll = loglik(new)
            worse = new_ll < ll - 1e-12 * np.abs(ll)
            if not worse.any():
                break
            step = np.where(worse, step / 2, step)
        change = np.abs(new - rho).max()
        rho, ll = new, new_ll
        if change < tol:
            converged = True
            break
    if not converged:
        warn("polychoric_not_converged", "polychoric: Fisher scoring did not reach the tolerance")

    r = np.eye(p)
    r[ii, jj] = r[jj, ii] = rho
    smoothed = False
    if smooth:
        r, smoothed = _smooth(r)
        if smoothed:
            warn("polychoric_smoothed", "polychoric: the matrix was not positive definite and was smoothed "
                 "(psych::cor.smooth)")
    npairs = np.diag(answered).astype(float)
    npairs[ii, jj] = npairs[jj, ii] = n_pair
    tau_out = np.where(np.isinf(tau), np.nan, tau)
    return PolychoricResult(
        rho=pd.DataFrame(r, columns=items).assign(item=items)[["item", *items]],
        thresholds=pd.concat([pd.DataFrame({"item": items, "n": answered}),
                              pd.DataFrame(tau_out, columns=[f"t{k + 1}" for k in range(c - 1)])],
                             axis=1),
        n=n, n_pairs=pd.DataFrame(npairs.astype(int), columns=items).assign(item=items)[["item", *items]],
        levels=levels, codes=codes, smoothed=smoothed, converged=converged)
