"""psych's factor extraction and GPArotation's rotations, shared by EFA
(:mod:`analysis.stats.structure`) and Schmid–Leiman omega (:mod:`analysis.stats.reliability`).

Private to ``analysis.stats`` (as the SEM engine): the public API is ``structure.efa`` and
``reliability.omega_sl``. Why own code, and the R versions followed, are in
:mod:`analysis.stats.structure`'s docstring.
"""
from __future__ import annotations

from typing import Callable, Literal

import numpy as np
import pandas as pd
from scipy import optimize

from analysis.stats._blas import one_thread
from analysis.stats.checks import numeric_frame


def correlation(items: pd.DataFrame, what: str) -> pd.DataFrame:
    """Pearson correlations with pairwise-complete rows (R's ``cor(x, use="pairwise")``)."""
    data = numeric_frame(items, what, min_columns=2)
    cor = data.corr()
    if cor.isna().to_numpy().any():
        bad = sorted({c for c in cor.columns if cor[c].isna().any()})
        raise ValueError(f"correlations are undefined for items {bad} (no variance or too few "
                         f"rows answering both items of a pair)")
    return cor


def smc_reduced(r: np.ndarray) -> np.ndarray:
    """Correlation matrices (stack ok) with squared multiple correlations on the diagonal."""
    smc = 1.0 - 1.0 / np.diagonal(np.linalg.inv(r), axis1=-2, axis2=-1)
    out = r.copy()
    idx = np.arange(r.shape[-1])
    out[..., idx, idx] = smc
    return out


def minres_objective(psi: np.ndarray, s: np.ndarray, nf: int, diagonal: bool = False) -> float:
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


def minres_gradient(psi: np.ndarray, s: np.ndarray, nf: int, diagonal: bool = False
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


def principal_axis(r: np.ndarray, nf: int, min_err: float = 0.001, max_iter: int = 50
                    ) -> tuple[np.ndarray, bool]:
    """psych's fm="pa": iterated principal axes from SMCs on the diagonal.

    Each step puts the communalities ``diag(L L')`` of the ``nf`` leading eigenpairs back on
    the diagonal; it stops when their sum changes by less than ``min_err`` (psych's
    ``min.err = 0.001``) or after ``max_iter`` steps (psych's ``max.iter = 50``; then not
    converged).
    """
    reduced = smc_reduced(r)
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
        return principal_axis(r, nf)
    smc = 1.0 - 1.0 / np.diag(np.linalg.inv(r))
    start = np.diag(r) - smc
    upper = max(smc.max(), 1.0)
    fun: Callable[..., float]
    jac: Callable[..., np.ndarray]
    args: tuple[object, ...]
    if method == "ml":
        fun, jac, args = _ml_objective, _ml_gradient, (r, nf)
    else:
        fun, jac, args = minres_objective, minres_gradient, (r, nf, method == "uls")
    with one_thread():  # small matrices: threads only cost
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


def oblimin(a: np.ndarray) -> tuple[np.ndarray, np.ndarray, bool]:
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


#: psych's ``fm``: the extraction methods.
FaMethod = Literal["minres", "uls", "ml", "pa"]
#: psych's ``rotate`` (``geomin`` is an alias of ``geominQ``).
Rotation = Literal["oblimin", "quartimin", "geominQ", "geomin", "geominT", "varimax", "promax", "none"]
#: Factor-name prefix of each method (psych's ``MR1``, ``ULS1``, ``ML1``, ``PA1``).
PREFIX: dict[str, str] = {"minres": "MR", "uls": "ULS", "ml": "ML", "pa": "PA"}
_ROTATIONS: tuple[Rotation, ...] = ("oblimin", "quartimin", "geominQ", "varimax", "promax", "geominT", "none")
_ALIASES: dict[str, Rotation] = {"geomin": "geominQ"}


def check_fa_args(method: str, rotation: str, what: str) -> Rotation:
    """Validate psych's ``fm``/``rotate`` spellings; returns the rotation's canonical name."""
    if method not in PREFIX:
        raise ValueError(f"{what}: method must be one of {list(PREFIX)}, got {method!r}")
    canonical = _ALIASES.get(rotation, rotation)
    for name in _ROTATIONS:
        if name == canonical:
            return name
    raise ValueError(f"{what}: rotation must be one of {[*_ROTATIONS, *_ALIASES]}, "
                     f"got {rotation!r}")


def fa(r: np.ndarray, n_factors: int, method: str, rotation: str
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
    names = [f"{PREFIX[method]}{i + 1}" for i in order]  # psych keeps pre-sorting names: MR2, MR1, ...
    return load, phi, h2, names, converged
