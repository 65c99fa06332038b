"""Score tests of a fitted SEM, as lavaan's ``lav_modification.R`` (``modindices``: modification
indices and expected parameter changes, Sörbom 1989; Saris, Satorra & Sörbom 1987) and
``lav_test_score.R`` (``lavTestScore``: releasing equality constraints). Import the functions
from :mod:`analysis.stats.sem`.

Both work from the fitted estimator's gradient g (lavaan's, ``lav_model_gradient``) and
expected information I at the estimates: for ML F/2 and its unit Fisher information; for
WLSMV (ordered items, DWLS) g = −Σ_g (n_g − 1)/N Δ_g'W_g(s_g − σ_g) and
I = Σ_g (n_g/N) Δ_g'W_g Δ_g with Δ_g the Jacobian of the thresholds and polychoric
correlations and W_g the diagonal DWLS weights (``lav_model_information_expected``); the
tests are N times quadratic forms in g, with N the total sample size.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from scipy import stats

from analysis.stats._sem_cfa import CFAResult, FitState, one_blas_thread, state_of
from analysis.stats._sem_engine import Model
from analysis.stats._sem_ordinal import OrdinalModel
from analysis.stats._sem_partable import (
    MAT_A,
    MAT_M,
    MAT_S,
    ParTable,
    label_function,
)
from analysis.stats._sem_standardize import jacobian, standardize
from analysis.stats.lavaan_syntax import parse_expression
from analysis.stats.results import Result


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


def _extended(st: FitState) -> tuple[ParTable, np.ndarray]:
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
    xp = replace(pt, lhs=lhs, op=op, rhs=rhs,
                 group=np.concatenate([pt.group, [r[3] for r in add]]).astype(int),
                 user=np.zeros(n, dtype=int), free=np.arange(1, n + 1),
                 value=np.concatenate([values, np.zeros(len(add))]),
                 start=np.full(n, np.nan),
                 exo=np.concatenate([pt.exo, np.zeros(len(add), dtype=int)]),
                 label=pt.label + [""] * len(add), mat=mat, row=row, col=col,
                 definitions=[], constraints=[], equal_sets=[])
    new = np.concatenate([pt.free == 0, np.ones(len(add), dtype=bool)])
    new[:n0] &= pt.exo == 0
    return xp, new


class _FreedOrdinal(OrdinalModel):
    """An ordinal model whose parameters are the table's free rows (θ = x). In the theta
    parameterization the scaling factors are derived (1/sd of y*), yet lavaan's
    ``computeDelta`` differentiates a freed one as a factor of its item's thresholds only:
    ∂τ*_ik/∂δ_i = τ_ik − μ_i, the correlations untouched. So the modification index of a
    fixed ``~*~`` row is a score test of that scaling of the thresholds (not implied by
    the thresholds when they are equal across groups; lavaan lists it)."""

    def jacobian(self, theta: np.ndarray, g: int) -> np.ndarray:
        J = super().jacobian(theta, g)
        rows = self.delta_rows[g]
        free = self.pt.free[rows] > 0
        if self.theta_param and free.any():
            _, mu, _, tau = self._parts(self.values(theta), g)
            item = np.flatnonzero(free[self.th_item])
            col = self.pt.free[rows][self.th_item[item]] - 1
            J[item, col] += tau[item] - mu[self.th_item[item]]
        return J


def _free_model(st: FitState, pt: ParTable) -> Model | OrdinalModel:
    """The fitted model's estimator on table ``pt`` with every parameter free and
    unconstrained (θ = x)."""
    k = pt.n_x
    if isinstance(st.model, OrdinalModel):
        return _FreedOrdinal(pt, st.model.samples, np.zeros(k), np.eye(k))
    return Model(pt, st.model.samples, np.zeros(k), np.eye(k), pt.meanstructure)


def _score_information(model: Model | OrdinalModel, x: np.ndarray
                       ) -> tuple[np.ndarray, np.ndarray]:
    """lavaan's gradient of its objective (ML: F/2; DWLS: Σ_g (n_g − 1)/N e_g'W_g e_g / 2)
    and the expected information (ML: the unit Fisher information; DWLS:
    Σ_g (n_g/N) Δ_g'W_g Δ_g, ``lav_model_information_expected``)."""
    if isinstance(model, OrdinalModel):
        return 0.5 * model.gradient(x), model.information(x)
    return 0.5 * model.gradient(x), model.expected_info(x)


@one_blas_thread
def modification_indices(result: CFAResult, *, sort: bool = False, minimum_value: float = 0.0,
                         standardized: bool = True) -> pd.DataFrame:
    """Modification indices and expected parameter changes, as ``lavaan::modindices``.

    For every fixed parameter and every parameter the model leaves out (cross-loadings,
    residual covariances, regressions, intercepts; lavaan's candidate list), the score
    test MI = N·g²/V (g the gradient of lavaan's objective, V = I₁₁ − I₁₂ I₂₂⁻¹ I₂₁ from
    the expected information of the model with all of them added at their values,
    constrained parameters handled through the constraints; see the module) and the
    expected change EPC = −g/V (Sörbom 1989); ``sepc_lv``, ``sepc_all``, ``sepc_nox``
    standardize the EPC as lavaan does (Saris, Satorra & Sörbom 1987), covariances by the
    residual standard deviations. Rows whose V vanishes (lavaan's NA: a parameter the
    others already imply) are left out. Equality constraints across groups are tested
    with :func:`equality_score_tests`.

    A WLSMV fit (ordered items) has the DWLS score test: rows are cross-loadings and
    residual covariances of the latent responses y*, plus, where equality constraints
    make them testable, fixed loadings and the intercepts of the y* (the thresholds'
    shift, as lavaan). In the delta parameterization the residual variances of the y*
    are not parameters, and fixed scaling factors and latent means are implied by the
    other parameters in the usual identifications, so they have no row; in the theta
    parameterization the derived scaling factors ``~*~`` have rows where the thresholds
    are equal across groups (lavaan's, see ``_FreedOrdinal``). Standardized EPCs use the
    y* variances (1/delta²) and residual variances.

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
    >>> from analysis.stats.sem import cfa, equality_score_tests, modification_indices
    >>> from analysis import datasets
    >>> hs = datasets.load("holzinger_swineford_1939")
    >>> m = "visual =~ x1 + x2 + x3\\ntextual =~ x4 + x5 + x6\\nspeed =~ x7 + x8 + x9"
    >>> mi = modification_indices(cfa(hs, m), sort=True)
    >>> mi.iloc[0][["lhs", "op", "rhs"]].tolist(), round(float(mi.iloc[0]["mi"]), 2)
    (['visual', '=~', 'x9'], 36.41)

    Ordered items (WLSMV):

    >>> x = datasets.load("ordinal_skewed")
    >>> mi = modification_indices(cfa(x, "f =~ q1 + q2 + q3 + q4 + q5", ordered=True), sort=True)
    >>> top = mi.iloc[0]
    >>> top[["lhs", "op", "rhs"]].tolist(), round(float(top.mi), 3), round(float(top.sepc_all), 3)
    (['q1', '~~', 'q5'], 2.685, -0.142)
    """
    st = state_of(result)
    xp, new = _extended(st)
    k = len(xp)
    xm = _free_model(st, xp)
    x_hat = xp.value.copy()
    grad, info = _score_information(xm, x_hat)
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
        # lavaan's cov.std: variances keep their estimates (the residual SDs that scale
        # the covariances' EPCs; for ordered items those of the y*), near-zero ones give 0
        var_rows = np.array([o == "~~" and a == b for a, o, b in zip(xp.lhs, xp.op, xp.rhs)])
        EPC = x_hat.copy()
        EPC[cand] = np.abs(epc)
        EPC[var_rows] = x_hat[var_rows]
        small = var_rows & (np.abs(EPC) < np.sqrt(np.finfo(float).eps))
        EPC[small] = np.nan
        small = small[cand]
        sign = np.sign(epc)
        for kind, name in (("std.lv", "sepc_lv"), ("std.all", "sepc_all"),
                           ("std.nox", "sepc_nox")):
            vals = standardize(xm, x_hat, kind, EPC)[cand] * sign
            vals[small] = 0.0
            out[name] = vals
    out = out[out.mi.notna()]
    if sort:
        out = out.sort_values("mi", ascending=False, kind="stable")
    if minimum_value > 0:
        out = out[out.mi > minimum_value]
    return out.reset_index(drop=True)


@one_blas_thread
def equality_score_tests(result: CFAResult) -> ScoreTestResult:
    """Score tests of the model's equality constraints, as ``lavaan::lavTestScore``.

    Each constraint lavaan writes for equal labels (``.p2. == .p38.``: the parameter of
    group 1 equals that of another group) and each linear ``==`` constraint is released
    in turn: X2 = N·g'[Z₁⁺]₁₁g with g the gradient of lavaan's objective (ML or DWLS,
    see the module) in the unconstrained parameters and Z₁ the expected information
    bordered by the remaining constraints; the total test releases all of them. For
    WLSMV and MLR fits this is lavaan's ordinary score test too (lavaan warns that it
    does not use the robust information).

    Returns
    -------
    ScoreTestResult
        Univariate table ``lhs, op, rhs, X2, df, pvalue, parameter, groups``.

    Examples
    --------
    >>> from analysis.stats.sem import cfa, equality_score_tests, modification_indices
    >>> from analysis import datasets
    >>> hs = datasets.load("holzinger_swineford_1939")
    >>> m = "visual =~ x1 + x2 + x3\\ntextual =~ x4 + x5 + x6\\nspeed =~ x7 + x8 + x9"
    >>> r = cfa(hs, m, group="school", group_equal=["loadings"])
    >>> t = equality_score_tests(r)
    >>> t.df, round(t.X2, 3)
    (6, 7.256)
    """
    st = state_of(result)
    pt, model = st.pt, st.model
    n_x = pt.n_x
    restrictions: list[np.ndarray] = []
    names = []
    for s in pt.equal_sets:
        for other in s[1:]:
            row = np.zeros(n_x); row[s[0] - 1] = 1; row[other - 1] = -1
            restrictions.append(row)
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
        J = jacobian(hx, model.x(st.theta))
        for c, row in zip(eqs, J):
            restrictions.append(row)
            names.append((c.lhs.replace(" ", ""), c.rhs.replace(" ", "")))
    if not restrictions:
        raise ValueError("the model has no equality constraints to test")
    R = np.array(restrictions)
    x_hat = model.x(st.theta)
    g, info = _score_information(_free_model(st, pt), x_hat)
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
