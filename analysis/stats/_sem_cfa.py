"""The core of :mod:`analysis.stats.sem` (its public face): the result objects, data
preparation, estimation (lavaan's ``lav_model_estimate``), the parameter table and
:func:`cfa`/:func:`sem`/:func:`standardized_solution`. Start values live in
:mod:`analysis.stats._sem_start`, standardisation in :mod:`analysis.stats._sem_standardize`,
score tests in :mod:`analysis.stats._sem_score` and invariance in
:mod:`analysis.stats._sem_invariance` — lavaan's file map (``lav_start.R``,
``lav_standardize.R``, ``lav_test_score.R``/``lav_modification.R``, semTools' ``measEq``).
Import the functions from :mod:`analysis.stats.sem`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterable, Literal, Mapping, Sequence, TypedDict

import numpy as np
import pandas as pd
from scipy import special, stats

from analysis.stats import _sem_fit, _sem_ordinal
from analysis.stats._blas import one_blas_thread
from analysis.stats._sem_engine import Model, RamModel, Sample, make_sample, near_singular
from analysis.stats._sem_ordinal import OrdinalModel, make_ordinal_sample
from analysis.stats._sem_partable import (
    GROUP_EQUAL,
    MAT_D,
    MAT_M,
    MAT_S,
    MAT_T,
    ParTable,
    bounds,
    build_partable,
    label_function,
    observed_variables,
    reparametrize,
)
from analysis.stats._sem_standardize import definitions, jacobian, standardize
from analysis.stats._sem_start import alternative_starts, start_values, x_from_rows
from analysis.stats.display import Summary, lavaan_summary
from analysis.stats.lavaan_syntax import ModelSyntaxError, parse_expression, parse_model
from analysis.stats.notices import Notice
from analysis.stats.results import Result

if TYPE_CHECKING:
    from matplotlib.figure import Figure

#: lavaan's ``estimator`` names (lower case is accepted too): ML, ML with robust SEs and the
#: Yuan–Bentler scaled test, and DWLS with the WLSMV corrections for ordered items.
Estimator = Literal["ML", "MLR", "WLSMV"]
ESTIMATORS: tuple[Estimator, ...] = ("ML", "MLR", "WLSMV")
#: lavaan's ``missing``: listwise deletion, FIML, FIML keeping rows without a covariate.
Missing = Literal["listwise", "ml", "ml.x"]
MISSING: tuple[Missing, ...] = ("listwise", "ml", "ml.x")
#: lavaan's ``parameterization`` of ordered items: the scaling factors or the residual
#: variances of the latent responses are the parameters.
Parameterization = Literal["delta", "theta"]
PARAMETERIZATIONS: tuple[Parameterization, ...] = ("delta", "theta")
#: lavaan's ``standardizedSolution(type=)``.
StdType = Literal["std.all", "std.lv", "std.nox"]
STD_TYPES: tuple[StdType, ...] = ("std.all", "std.lv", "std.nox")
EPS34 = np.finfo(float).eps ** 0.75


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
    iterations : int
        Steps of the optimiser on the kept solution (scoring or Gauss–Newton steps plus
        quasi-Newton iterations; lavaan's "ended normally after N iterations" counts its
        nlminb iterations, so N differs from lavaan's for the same model).
    chisq_group : tuple of float
        Each group's part of the (unscaled) test statistic, lavaan's ``stat.group`` (one
        entry per group; ``()`` when not fitted).
    """

    estimates: pd.DataFrame
    fit: Mapping[str, float]
    converged: bool
    warnings: tuple[str, ...]
    n: int
    model: str
    estimator: Estimator
    group_labels: tuple[str, ...] = ()
    implied: Mapping[str, pd.DataFrame] = field(default_factory=dict)
    admissible: bool = True
    missing: Missing = "listwise"
    n_total: int = 0
    n_patterns: int = 1
    iterations: int = 0
    chisq_group: tuple[float, ...] = ()
    _state: FitState | None = field(default=None, repr=False, compare=False)

    def to_frame(self) -> pd.DataFrame:
        """The parameter table (``estimates``)."""
        return self.estimates.copy()

    def summary(self) -> Summary:
        """lavaan's ``summary(fit, fit.measures = TRUE, standardized = TRUE)``: the header,
        the model and baseline tests, CFI/TLI, log-likelihood and information criteria
        (ML), RMSEA, SRMR and the parameter blocks with Std.lv and Std.all (see
        :func:`analysis.stats.display.lavaan_summary`).

        >>> from analysis import datasets
        >>> hs = datasets.load("holzinger_swineford_1939")
        >>> print(cfa(hs, "visual =~ x1 + x2 + x3").summary())  # doctest: +ELLIPSIS
        analysis ... ended normally
        ...
        Latent Variables:
                           Estimate  Std.Err  z-value  P(>|z|)   Std.lv  Std.all
          visual =~
            x1                1.000                               0.724    0.621
        ...
        """
        st = self._state
        if st is None:
            return lavaan_summary(self, np.full(len(self.estimates), np.nan), ())
        std_lv = standardize(st.model, st.model.values(st.theta), "std.lv")
        deff = definitions(st.pt)
        if deff is not None:
            std_lv = np.concatenate([std_lv, deff(std_lv)])
        cons = st.pt.constraints        # lavaan's "Constraints:" block, |lhs - rhs| at the estimates
        defs = [(d.lhs, parse_expression(d.rhs, d.line)) for d in st.pt.definitions]
        slack = label_function(st.pt, defs + [("", parse_expression(f"({c.lhs}) - ({c.rhs})", c.line))
                                              for c in cons])(st.model.values(st.theta))[len(defs):]
        return lavaan_summary(self, std_lv, st.pt.ov, [s.n for s in st.model.samples],
                              n_free=st.pt.n_x,
                              constraints=[(c.lhs, c.op, c.rhs, v) for c, v in zip(cons, slack)])

    def plot(self, *, labels: Mapping[str, str] | None = None, standardized: bool = True,
             group: int = 1) -> Figure:
        """The path diagram: :func:`analysis.stats.sem.path_diagram` of this fit."""
        from analysis.stats._sem_diagram import path_diagram  # it imports this module
        return path_diagram(self, labels=labels, standardized=standardized, group=group)


class _Common(TypedDict):
    """The fields of a :class:`CFAResult` known before the fit."""

    n: int
    model: str
    estimator: Estimator
    group_labels: tuple[str, ...]
    missing: Missing
    n_total: int
    n_patterns: int


@dataclass
class FitState:
    """What later analyses (standardized solution, modification indices) need."""

    pt: ParTable
    model: Model | OrdinalModel
    theta: np.ndarray
    vcov: np.ndarray | None
    on_bound: np.ndarray | None = None     # table rows held at an active bound (no SE)


# ----------------------------------------------------------------------------- data
def prepare(data: pd.DataFrame, ov: Sequence[str], ov_x: Sequence[str], group: str | None,
             missing: Missing) -> tuple[list[np.ndarray], tuple[str, ...], list[str]]:
    """Numeric matrices per group (rows with missing values kept for FIML)."""
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"data must be a pandas DataFrame, got {type(data).__name__}")
    need = list(ov) + ([group] if group else [])
    absent = [v for v in need if v not in data.columns]
    if absent:
        raise ValueError(f"data has no column(s) {absent} used in the model/group; "
                         f"available columns: {list(data.columns)}")
    problems = []
    cols = []
    for v in ov:
        raw = data[v]
        if isinstance(raw.dtype, np.dtype) and raw.dtype.kind in "biuf":   # no parsing needed
            cols.append(raw.to_numpy().astype(float))
            continue
        col = pd.to_numeric(raw, errors="coerce")
        bad = col.isna() & raw.notna()
        for idx in data.index[bad][:5]:
            problems.append(f"row {idx!r}, column {v!r}: value {data.at[idx, v]!r} is not numeric")
        if bad.sum() > 5:
            problems.append(f"column {v!r}: {int(bad.sum()) - 5} more non-numeric values")
        cols.append(col.astype(float).to_numpy())
    if problems:
        raise ValueError("SEM data problems (expected numeric item scores):\n  "
                         + "\n  ".join(problems))
    Xt = np.vstack(cols)          # variables × rows, as pandas stores a float block: the
    observed = ~np.isnan(Xt)      # parts below are Fortran-ordered, as they always were
    warnings: list[str] = []
    keep = np.ones(len(data), dtype=bool)

    def drop(mask: np.ndarray, key: str, method: str, reason: str) -> np.ndarray:
        gone = list(data.index[~mask & keep])
        if gone:
            shown = ", ".join(map(str, gone[:10])) + (" …" if len(gone) > 10 else "")
            warnings.append(Notice(f"sem.dropped_{key}", method.replace("{", "{{").replace("}", "}}")
                                   + ": {n_dropped} of {n} rows " + reason.replace("{", "{{").replace("}", "}}")
                                   + " and were not analysed (rows {rows})",
                                   n_dropped=len(gone), n=len(data), rows=shown))
        return keep & mask

    if group:
        has_group = data[group].notna().to_numpy()
        keep = drop(has_group, "no_group", "missing group", f"have no value in {group!r}")
    if missing == "listwise":
        keep = drop(observed.all(axis=0), "listwise", "listwise deletion",
                    "have missing values in the model variables")
    else:
        if missing == "ml" and len(ov_x):
            xi = [list(ov).index(v) for v in ov_x]
            keep = drop(observed[xi].all(axis=0), "no_covariate", "missing='ml' with fixed.x",
                        f"lack an exogenous covariate {list(ov_x)} (use missing='ml.x' to "
                        "keep them)")
        keep = drop(observed.any(axis=0), "no_value", f"missing={missing!r}",
                    "have no value on any model variable")
    if group:
        gcol = data[group].astype(str).to_numpy()
        labels = tuple(pd.unique(gcol[has_group]))
        parts = [Xt.compress(keep & (gcol == lab), axis=1).T for lab in labels]
    else:
        labels = ()
        parts = [Xt.compress(keep, axis=1).T]
    return parts, labels, warnings


def _sample_problems(parts: Sequence[np.ndarray], samples: Sequence[Sample | None],
                     labels: Sequence[str], ov: Sequence[str]) -> list[str]:
    msgs: list[str] = []
    for g, (x, s) in enumerate(zip(parts, samples)):
        where = f" in group {labels[g]!r}" if labels else ""
        if s is None:
            msgs.append(Notice("sem.sample_not_computable", "sample covariance matrix{where} cannot be computed "
                               "(n = {n})", where=where, group=labels[g] if labels else None, n=len(x)))
            continue
        ev = np.linalg.eigvalsh(s.cov)
        if near_singular(s.cov):
            const = [v for v, sd in zip(ov, np.diag(s.cov)) if sd <= 0]
            extra = f"; constant variables: {const}" if const else ""
            msgs.append(Notice("sem.sample_not_positive_definite", "sample covariance matrix{where} is not "
                               "positive definite (smallest eigenvalue {eigenvalue:.3g}; n = {n}, p = {p}){extra}; "
                               "the model cannot be fitted", where=where, group=labels[g] if labels else None,
                               eigenvalue=float(ev[0]), n=s.n, p=len(ov), extra=extra, constant=const))
    return msgs


# ------------------------------------------------------------------------ estimation
def _bounds_theta(pt: ParTable, model: Model) -> tuple[np.ndarray, np.ndarray] | None:
    """Lower and upper bounds on θ (±inf where none), None when the model has no bounds."""
    found = bounds(pt)
    if not found:
        return None
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


def _improper(pt: ParTable, model: RamModel[Any], theta: np.ndarray,
              labels: Sequence[str]) -> tuple[list[str], list[str]]:
    """lavaan's post-estimation checks: (reasons the solution is improper, other notes)."""
    bad: list[str] = []
    notes: list[str] = []
    v = model.values(theta)
    std = standardize(model, v)
    op = np.array(pt.op)
    for g in range(pt.ngroups):
        where = f" in group {labels[g]!r}" if labels else ""
        group = labels[g] if labels else None
        ix = model.idx[g]
        neg_ov = neg_lv = False
        for i in ix:
            if op[i] == "~~" and pt.lhs[i] == pt.rhs[i] and v[i] < 0:
                if pt.lhs[i] in pt.ov:
                    neg_ov = True
                    bad.append(Notice("sem.negative_residual_variance", "Heywood case{where}: negative residual "
                                      "variance for {variable} (est = {estimate:.4g})", where=where, group=group,
                                      variable=pt.lhs[i], estimate=v[i]))
                else:
                    neg_lv = True
                    bad.append(Notice("sem.negative_latent_variance", "Heywood case{where}: negative variance of "
                                      "the latent variable {variable} (est = {estimate:.4g})", where=where,
                                      group=group, variable=pt.lhs[i], estimate=v[i]))
            if op[i] == "=~" and abs(std[i]) > 1:
                notes.append(Notice("sem.loading_above_one", "Heywood case{where}: standardized loading "
                                    "{factor} =~ {variable} is {estimate:.4g} (|value| > 1)", where=where,
                                    group=group, factor=pt.lhs[i], variable=pt.rhs[i], estimate=std[i]))
        cov_all, _ = model.implied_all(theta, g)
        _, S, _ = model.ram(v, g)
        if pt.lv and not neg_lv and np.linalg.eigvalsh(cov_all[model.p:, model.p:])[0] < -EPS34:
            bad.append(Notice("sem.latent_not_positive_definite", "covariance matrix of the latent "
                              "variables{where} is not positive definite", where=where, group=group))
        if not neg_ov and np.linalg.eigvalsh(S[:model.p, :model.p])[0] < -EPS34:
            bad.append(Notice("sem.residual_not_positive_definite", "covariance matrix of the residuals "
                              "(theta){where} is not positive definite", where=where, group=group))
        if np.linalg.eigvalsh(cov_all[:model.p, :model.p])[0] <= 0:
            bad.append(Notice("sem.implied_not_positive_definite", "model-implied covariance "
                              "matrix{where} is not positive definite", where=where, group=group))
    return bad, notes


def estimate(pt: ParTable, model: Model, labels: Sequence[str]
             ) -> tuple[np.ndarray, bool, list[str], int]:
    """Fit by Fisher scoring from lavaan's starting values. If that path was rough (the
    step had to be shortened several times), a quasi-Newton path from the same values —
    the path of lavaan's nlminb — is compared with it. If they disagree, or the solution
    is improper or not converged, further deterministic starting values are tried; the
    lowest minimum is kept — a proper one when it is as low as an improper one. Returns θ,
    converged, notes and the optimiser's iterations on the kept path."""
    bnds = _bounds_theta(pt, model)
    lower, upper = (None, None) if bnds is None else bnds

    def theta_of(rows: np.ndarray) -> np.ndarray:
        return np.linalg.lstsq(model.K, x_from_rows(pt, rows) - model.x0, rcond=None)[0]

    def attempt(rows: np.ndarray, method: str, budget: int = 300) -> tuple:
        theta, ok = model.fit(theta_of(rows), lower, upper, method, budget, 3 * budget)
        f = model.objective(theta) if ok else np.inf
        return f, ok, theta, ok and bool(_improper(pt, model, theta, labels)[0]), model.iterations

    first = start_values(pt, model.samples)
    tries = [attempt(first, "fisher")]
    if model.halvings >= 2 or not tries[0][1] or tries[0][3]:
        tries.append(attempt(first, "bfgs"))
    tol = 1e-7 / model.N * max(1.0, model.N * min(t[0] for t in tries))
    clean = tries[0][1] and not tries[0][3] and all(abs(t[0] - tries[0][0]) <= tol for t in tries)
    if not clean:
        tries += [attempt(rows, "fisher", 100)
                  for rows in alternative_starts(pt, model.samples, first)]
    ok = [t for t in tries if t[1]]
    if not ok:
        return tries[0][2], False, [], tries[0][4]
    best = min(ok, key=lambda t: t[0])
    proper = [t for t in ok if not t[3] and t[0] <= best[0] + tol]
    if best[3] and proper:
        best = min(proper, key=lambda t: t[0])
    minima = sorted({round(model.N * t[0], 4) for t in ok})
    notes: list[str] = []
    if len(minima) > 1:
        notes.append(Notice("sem.several_minima", "{tries} sets of starting values reached {minima} different "
                            "minima (chi-square {chisq}); the lowest is reported", tries=len(tries),
                            minima=len(minima), chisq=", ".join(f"{m:.4f}" for m in minima[:4])))
    return best[2], True, notes, best[4]


def information(model: Model, theta: np.ndarray, estimator: Estimator, fiml: bool,
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
        return None, [Notice("sem.singular_information_se", "information matrix is singular: the model may not "
                             "be identified; standard errors are not available")], extra
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
def _estimates(state: FitState, level: float = 0.95) -> pd.DataFrame:
    pt, model, theta, vcov = state.pt, state.model, state.theta, state.vcov
    est = model.values(theta)
    n = len(est)
    se = np.zeros(n)
    free = pt.free > 0
    deff = definitions(pt)
    if vcov is not None:
        J = model.K[pt.free[free] - 1]
        se[free] = np.sqrt(np.clip(np.einsum("ij,jk,ik->i", J, vcov, J), 0, None))
    else:
        se[free] = np.nan
    std = standardize(model, est) if np.all(np.isfinite(est)) else np.full(n, np.nan)
    if state.on_bound is not None:
        se[state.on_bound] = np.nan          # a parameter on its bound has no SE (lavaan: NA)
    lhs, op, rhs, group, label = pt.lhs, pt.op, pt.rhs, pt.group, pt.label
    if deff is not None:
        d_est = deff(est)
        if vcov is not None and np.all(np.isfinite(theta)):
            J = jacobian(lambda t: deff(model.values(t)), theta)
            d_se = np.sqrt(np.clip(np.einsum("ij,jk,ik->i", J, vcov, J), 0, None))
        else:
            d_se = np.full(len(d_est), np.nan)
        names = [s.lhs for s in pt.definitions]
        lhs, label = [*lhs, *names], [*label, *names]
        op = [*op, *[":="] * len(names)]
        rhs = [*rhs, *[s.rhs.replace(" ", "") for s in pt.definitions]]
        group = np.concatenate([group, np.zeros(len(names), dtype=np.int64)])
        est, se, std = (np.concatenate(a) for a in ((est, d_est), (se, d_se), (std, deff(std))))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(se > 0, est / se, np.nan)
    z[:n][~free] = np.nan
    crit = special.ndtri(0.5 + level / 2)          # stats.norm.ppf and .sf without the objects
    return pd.DataFrame({"lhs": lhs, "op": op, "rhs": rhs, "group": group, "label": label,
                         "est": est, "se": se, "z": z, "pvalue": 2 * special.ndtr(-np.abs(z)),
                         "ci_lower": est - crit * se, "ci_upper": est + crit * se,
                         "std_all": std})


# ------------------------------------------------------------------------ public API
@one_blas_thread
def cfa(data: pd.DataFrame, model: str, *, estimator: Estimator | None = None,
        group: str | None = None, group_equal: Iterable[str] = (),
        group_partial: Iterable[str] = (), std_lv: bool = False, orthogonal: bool = False,
        missing: Missing = "listwise", fixed_x: bool = True,
        ordered: bool | Iterable[str] | None = None,
        parameterization: Parameterization | None = None) -> CFAResult:
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
        default), robust SEs (``se = "robust.sem"``) and the scaled-shifted χ². The table
        then has thresholds (``item | t1``…, op ``|``), scaling factors (``~*~``) and the
        residual variances of the latent responses. Every observed variable must be
        ordered (no continuous or exogenous covariates in the same model), items may not
        be regressed, and every category of an item must occur in every group.
    parameterization : {"delta", "theta"}, optional
        lavaan's ``parameterization`` of ordered items (default ``"delta"``; only with
        ``ordered``). ``"delta"``: the scaling factors ``item ~*~ item`` are parameters
        (fixed to 1 in the first group) and the residual variances of the latent
        responses y* are derived (fixed rows, SE 0). ``"theta"``: the residual variances
        ``item ~~ item`` are parameters (fixed to 1 in the first group; free in groups 2+
        with ``group_equal`` thresholds, where delta frees the scaling factors) and the
        scaling factors 1/sqrt(var y*) are derived (fixed rows, SE 0). Loadings and
        thresholds are then on the scale of a y* with unit residual variance; the
        standardized solution, and a single-group model's fit, are the same in both.

    Returns
    -------
    CFAResult
        ``.fit`` keys: npar, chisq, df, pvalue, baseline.chisq, baseline.df, cfi, tli,
        rmsea, rmsea.ci.lower, rmsea.ci.upper, rmsea.pvalue, srmr, aic, bic, logl,
        unrestricted.logl, ntotal, baseline.pvalue, rmsea.notclose.pvalue; with MLR also
        chisq.scaled, df.scaled, pvalue.scaled, chisq.scaling.factor, scaling.factor.h1,
        scaling.factor.h0, baseline.chisq.scaled, baseline.df.scaled, baseline.pvalue.scaled,
        baseline.chisq.scaling.factor, cfi.scaled, tli.scaled, rmsea.scaled,
        rmsea.ci.lower.scaled, rmsea.ci.upper.scaled, rmsea.pvalue.scaled,
        rmsea.notclose.pvalue.scaled; with MLR or FIML also cfi.robust, tli.robust,
        rmsea.robust, rmsea.ci.lower.robust, rmsea.ci.upper.robust, rmsea.pvalue.robust,
        rmsea.notclose.pvalue.robust. WLSMV:
        npar, fmin, chisq, df, pvalue, chisq.scaled, df.scaled, pvalue.scaled,
        chisq.scaling.factor, chisq.shift.parameters (the shift of the scaled-shifted
        test), baseline.chisq, baseline.df, baseline.pvalue and their ``.scaled``
        versions with baseline.chisq.scaling.factor, cfi, tli, cfi.scaled, tli.scaled,
        rmsea (with CI, p of close and of not-close fit), rmsea.scaled and the catML ``.robust``
        cfi, tli, nnfi, rni, rmsea (likewise; :mod:`analysis.stats._sem_catml`), srmr, ntotal.

    Examples
    --------
    >>> from analysis.stats.sem import cfa, sem, standardized_solution
    >>> from analysis import datasets
    >>> hs = datasets.load("holzinger_swineford_1939")
    >>> m = "visual =~ x1 + x2 + x3\\ntextual =~ x4 + x5 + x6\\nspeed =~ x7 + x8 + x9"
    >>> r = cfa(hs, m, estimator="MLR")
    >>> round(r.fit["chisq.scaled"], 3), round(r.fit["chisq.scaling.factor"], 3)
    (87.132, 0.979)

    Ordered items (lavaan's WLSMV):

    >>> from analysis import datasets
    >>> from analysis.stats.sem import cfa
    >>> x = datasets.load("ordinal_skewed")
    >>> r = cfa(x, "f =~ q1 + q2 + q3 + q4 + q5", ordered=True)
    >>> r.estimator, round(r.fit["chisq.scaled"], 3), r.n
    ('WLSMV', 6.389, 848)
    >>> r.estimates.loc[5, ["lhs", "op", "rhs"]].tolist(), round(float(r.estimates.est[5]), 3)
    (['q1', '|', 't1'], -2.078)

    The theta parameterization: residual variances of y* fixed to 1 and the scaling
    factors derived, here sqrt(1 - standardized loading²); one group has delta's fit and
    standardized solution, the thresholds are delta's divided by the scaling factor:

    >>> t = cfa(x, "f =~ q1 + q2 + q3 + q4 + q5", ordered=True, parameterization="theta")
    >>> round(t.fit["chisq.scaled"], 3)
    6.389
    >>> e = t.estimates.set_index(["lhs", "op", "rhs"])
    >>> e.loc[("q1", "~~", "q1"), ["est", "se"]].tolist()
    [1.0, 0.0]
    >>> round(float(e.loc[("q1", "~*~", "q1"), "est"]), 3)
    0.708
    >>> th = e.loc[("q1", "|", "t1")]
    >>> round(float(th.est), 3), round(float(th.std_all), 3)
    (-2.936, -2.078)
    """
    est = _estimator(estimator, ordered)
    if (est == "WLSMV") != is_ordered(ordered):
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
    if parameterization is not None and parameterization not in PARAMETERIZATIONS:
        raise ValueError(f"parameterization={parameterization!r} is not supported; expected "
                         f"one of {PARAMETERIZATIONS}")
    if parameterization is not None and est != "WLSMV":
        raise ValueError("parameterization= applies to ordered items (ordered=...), not to "
                         "continuous ones")
    stmts = parse_model(model)
    ov, ov_x = observed_variables(stmts, fixed_x)
    if not ov:
        raise ModelSyntaxError("model has no observed variables")
    if est == "WLSMV":
        return cfa_ordinal(data, model, stmts, ov, ov_x, ordered, group=group,
                            group_equal=group_equal, group_partial=group_partial,
                            std_lv=std_lv, orthogonal=orthogonal, missing=missing,
                            parameterization=parameterization or "delta")
    parts, labels, warns = prepare(data, ov, ov_x, group, missing)
    fiml = missing != "listwise"
    maybe = [make_sample(x) if len(x) >= 2 else None for x in parts]
    G = len(parts)
    pt = build_partable(stmts, G, std_lv=std_lv, orthogonal=orthogonal,
                        meanstructure=G > 1 or fiml or "intercepts" in group_equal
                        or "means" in group_equal,
                        group_equal=group_equal, group_partial=group_partial, fixed_x=fixed_x)
    problems = _sample_problems(parts, maybe, labels, pt.ov)
    n_used = sum(len(x) for x in parts)
    common = _Common(n=n_used, model=model, estimator=est, group_labels=labels, missing=missing,
                     n_total=len(data),
                     n_patterns=sum(len(s.patterns) for s in maybe if s is not None))
    if problems:
        return _failed(pt, None, None, warns + problems, common)
    samples = [s for s in maybe if s is not None]    # all groups: a missing one is a problem
    x0, K = reparametrize(pt, np.nan_to_num(pt.value))
    mod = Model(pt, samples, x0, K, pt.meanstructure)
    df = _ndat(pt) - mod.n_theta
    if df < 0:
        return _failed(pt, mod, None, warns + [
            Notice("sem.not_identified", "model is not identified: {free} free parameters but only {moments} "
                   "sample moments (df = {df})", free=mod.n_theta, moments=_ndat(pt), df=df)], common)
    theta, converged, notes, iterations = estimate(pt, mod, labels)
    warns += notes
    if not converged:
        warns.append(Notice("sem.not_converged", "the optimiser did not converge; estimates and fit are "
                            "not reliable"))
        return _failed(pt, mod, theta, warns, common)
    bnds = _bounds_theta(pt, mod)
    active = None
    if bnds is not None:
        active = np.isclose(theta, bnds[0], atol=1e-8) | np.isclose(theta, bnds[1], atol=1e-8)
    vcov, w, extra = information(mod, theta, est, fiml, active)
    warns += w
    base, base_df = _baseline(pt, samples, fixed_x)
    base_theta, _ = base.fit(np.linalg.lstsq(base.K, x_from_rows(
        base.pt, start_values(base.pt, samples)), rcond=None)[0])
    base_df = _ndat(pt) - base_df
    scaling = None
    if est == "MLR":
        c, h1_h0 = np.nan, (np.nan, np.nan)
        if "E_inv" in extra:
            c = _sem_fit.scaling_factor(mod, theta, df, extra["E_inv"], extra["B0"])
            h1_h0 = _sem_fit.loglik_scaling(mod, theta, extra["E_inv"], extra["B0"], pt.n_x)
        try:
            b_inv = np.linalg.inv(base.observed_info(base_theta))
            cn = _sem_fit.scaling_factor(base, base_theta, base_df, b_inv,
                                        _sem_fit.first_order(base, base_theta))
        except np.linalg.LinAlgError:
            cn = np.nan
        scaling = (c, cn, *h1_h0)
    fit = _sem_fit.measures(mod, theta, df, base, base_theta, base_df, estimator=est,
                           fiml=fiml, scaling=scaling)
    on_bound = None
    if active is not None and active.any():
        rows = np.flatnonzero(pt.free > 0)
        on_bound = rows[(mod.K[pt.free[rows] - 1][:, active] != 0).any(axis=1)]
    state = FitState(pt=pt, model=mod, theta=theta, vcov=vcov, on_bound=on_bound)
    estimates = _estimates(state)
    bad, extra_notes = _improper(pt, mod, theta, labels)
    warns += bad + extra_notes
    implied = {(labels[g] if labels else "all"):
               pd.DataFrame(mod.implied(theta, g)[0], index=pt.ov, columns=pt.ov)
               for g in range(G)}
    return CFAResult(estimates=estimates, fit=fit, converged=True, warnings=tuple(warns),
                     implied=implied, admissible=not bad, iterations=iterations,
                     chisq_group=_sem_fit.chisq_group(mod, theta), _state=state, **common)


def _estimator(estimator: str | None, ordered: bool | Iterable[str] | None) -> Estimator:
    """lavaan's name of the estimator (given in upper or lower case): WLSMV by default for
    ordered items, else ML."""
    est = "WLSMV" if estimator is None and is_ordered(ordered) else str(estimator or "ML").upper()
    for name in ESTIMATORS:
        if name == est:
            return name
    raise ValueError(f"estimator={estimator!r} is not supported; expected 'ML', 'MLR' or "
                     "'WLSMV' (with ordered=...)")


def is_ordered(ordered) -> bool:
    return ordered is not None and ordered is not False and not (
        isinstance(ordered, (list, tuple)) and not ordered)


def cfa_ordinal(data: pd.DataFrame, model: str, stmts, ov: list[str], ov_x: list[str],
                 ordered, *, group, group_equal=(), group_partial=(), std_lv=False,
                 orthogonal=False, missing: Missing = "listwise", cache: dict | None = None,
                 parameterization: Parameterization = "delta") -> CFAResult:
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
        parts, labels, warns = prepare(data, ov, [], group, missing)
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
                        n_thresholds={v: len(lev) - 1 for v, lev in levels.items()},
                        parameterization=parameterization)
    common = _Common(n=n_rows, model=model, estimator="WLSMV", group_labels=labels,
                     missing=missing, n_total=len(data), n_patterns=G)
    x0, K = reparametrize(pt, np.nan_to_num(pt.value))
    mod = OrdinalModel(pt, samples, x0, K)
    ndat = sum(len(s.obs) for s in samples)
    df = ndat - mod.n_theta
    if df < 0:
        return _failed(pt, mod, None, warns + [
            Notice("sem.not_identified", "model is not identified: {free} free parameters but only {moments} "
                   "sample statistics (df = {df})", free=mod.n_theta, moments=ndat, df=df)], common)
    start = start_values(pt, samples)
    for g, s in enumerate(samples):
        start[mod.th_rows[g]] = s.tau
        start[mod.resid_rows[g] if mod.theta_param else mod.delta_rows[g]] = 1.0
    user = np.isfinite(pt.start)
    start[user] = pt.start[user]
    theta_of = lambda rows: np.linalg.lstsq(K, x_from_rows(pt, rows) - x0, rcond=None)[0]  # noqa: E731
    theta, converged = mod.fit(theta_of(start))
    iterations = mod.iterations
    if not converged:      # further starts (as for ML); thresholds and scales from the sample
        keep = np.isin(pt.mat, [MAT_T, MAT_D])
        keep[np.concatenate(mod.resid_rows)] = mod.theta_param
        fits = []
        for rows in alternative_starts(pt, samples, start):
            rows[keep] = start[keep]
            fits.append((*mod.fit(theta_of(rows)), mod.iterations))
        ok = [(t, it) for t, c, it in fits if c]
        if ok:
            (theta, iterations), converged = min(ok, key=lambda f: mod.objective(f[0])), True
    if not converged:
        warns.append(Notice("sem.not_converged", "the optimiser did not converge; estimates and fit are "
                            "not reliable"))
        return _failed(pt, mod, theta, warns, common)
    try:
        vcov = _sem_ordinal.robust_vcov(mod, theta)
    except np.linalg.LinAlgError:
        warns.append(Notice("sem.singular_information", "information matrix is singular: the model may not "
                            "be identified; standard errors and fit measures are not available"))
        vcov = None
    fit = _sem_ordinal.fit_measures(mod, theta, df) if vcov is not None else \
        dict.fromkeys(_sem_ordinal.FIT_NAMES, np.nan)
    state = FitState(pt=pt, model=mod, theta=theta, vcov=vcov)
    bad, notes = _improper(pt, mod, theta, labels)
    warns += bad + notes
    v = mod.values(theta)
    chisq_group = tuple(float(mod.N * mod.c[g] * (e @ (s.w * e))) for g, s in enumerate(samples)
                        for e in [s.obs - mod.moments(theta, g, v)])
    implied = {}
    for g in range(G):
        sigma, _, delta, _ = mod._parts(v, g)
        implied[labels[g] if labels else "all"] = pd.DataFrame(
            sigma * np.outer(delta, delta), index=pt.ov, columns=pt.ov)
    return CFAResult(estimates=_estimates(state), fit=fit, converged=True, warnings=tuple(warns),
                     implied=implied, admissible=not bad, iterations=iterations,
                     chisq_group=chisq_group, _state=state, **common)


def sem(data: pd.DataFrame, model: str, **kwargs: Any) -> CFAResult:
    """Fit a structural equation model, as ``lavaan::sem`` (same defaults as :func:`cfa`).

    Examples
    --------
    >>> from analysis.stats.sem import cfa, sem, standardized_solution
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


def _failed(pt: ParTable, mod: RamModel[Any] | None, theta: np.ndarray | None, warns: list[str],
            common: _Common) -> CFAResult:
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


def state_of(result: CFAResult) -> FitState:
    """The fitted state of a converged result."""
    if not isinstance(result, CFAResult) or result._state is None:
        raise ValueError("needs a fitted (converged) CFAResult from cfa() or sem()")
    return result._state


def ml_state_of(result: CFAResult, what: str) -> tuple[FitState, Model]:
    """The fitted state and its likelihood model; ``what`` names the analysis that needs a
    likelihood (ML/MLR fits)."""
    state = state_of(result)
    if not isinstance(state.model, Model):
        raise ValueError(f"{what} are available for ML and MLR fits, not for WLSMV "
                         "(ordered items)")
    return state, state.model


# ------------------------------------------------------------- standardized solution
@one_blas_thread
def standardized_solution(result: CFAResult, type: StdType = "std.all",
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
    >>> from analysis.stats.sem import cfa, sem, standardized_solution
    >>> from analysis import datasets
    >>> hs = datasets.load("holzinger_swineford_1939")
    >>> r = cfa(hs, "visual =~ x1 + x2 + x3; textual =~ x4 + x5 + x6")
    >>> s = standardized_solution(r)
    >>> round(float(s.loc[0, "est_std"]), 3), round(float(s.loc[0, "se"]), 3)
    (0.778, 0.062)
    """
    if type not in STD_TYPES:
        raise ValueError(f"type={type!r}; expected 'std.all', 'std.lv' or 'std.nox'")
    st = state_of(result)
    pt, model, theta = st.pt, st.model, st.theta
    deff = definitions(pt)

    def func(t: np.ndarray) -> np.ndarray:
        std = standardize(model, model.values(t), type)
        return np.concatenate([std, deff(std)]) if deff is not None else std

    est = func(theta)
    if st.vcov is not None:
        J = jacobian(func, theta)
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
