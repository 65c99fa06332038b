"""Measurement invariance across groups and across occasions: the sequence of constrained
multi-group (or wide, one factor per occasion) fits of semTools' ``measEq.syntax`` (Wu &
Estabrook 2016 for ordered items), partial steps (lavaan ``group.partial``, semTools
``long.partial``), lavaan's χ² difference tests (Satorra 2000 for WLSMV) and Chen's (2007)
criteria; latent mean differences. Import the functions from :mod:`analysis.stats.sem`.
"""
from __future__ import annotations

from typing import Any, Callable, Iterable, Literal, Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from analysis.stats import _sem_ordinal
from analysis.stats._sem_cfa import (
    PARAMETERIZATIONS,
    CFAResult,
    Estimator,
    Missing,
    Parameterization,
    cfa,
    cfa_ordinal,
    is_ordered,
    one_blas_thread,
    prepare,
    state_of,
)
from analysis.stats._sem_ordinal import OrdinalModel
from analysis.stats._sem_partable import (
    observed_variables,
)
from analysis.stats._sem_score import equality_score_tests, modification_indices
from analysis.stats.criteria import limits
from analysis.stats.lavaan_syntax import ModelSyntaxError, parse_model

#: Chen (2007) cut-offs per invariance step, from the criteria table (analysis.stats.criteria).
CHEN_2007 = limits("cross-cultural validity / measurement invariance")
#: The invariance steps a partial model (``group_partial``) can relax (``"thresholds"``:
#: ordered items).
PartialStep = Literal["thresholds", "metric", "scalar", "strict"]


@one_blas_thread
def invariance(data: pd.DataFrame, model: str, group: str, estimator: Estimator | None = None, *,
               group_partial: Iterable[str] = (), partial_step: PartialStep = "scalar",
               strict: bool = False, parameterization: Parameterization = "delta",
               **kwargs: Any) -> pd.DataFrame:
    """Measurement invariance across groups: configural, metric, scalar (and strict) steps;
    for ordered items configural, thresholds, metric, scalar (and, theta, strict).

    Continuous items: fits the model with no equality constraints (configural), equal
    loadings (metric), equal loadings and intercepts (scalar; latent means then free in
    groups 2+) and also equal residual variances (strict), as ``lavaan::cfa(..., group=,
    group.equal=)``. With ``group_partial`` a partial step (e.g. ``"scalar (partial)"``)
    follows the step named by ``partial_step``: the same constraints except the listed
    parameters (lavaan ``group.partial``); later steps keep those parameters free.

    Ordered items (``ordered=`` among the keyword arguments; estimator WLSMV): the models
    of ``semTools::measEq.syntax(..., ordered=, parameterization=, ID.fac = "std.lv",
    ID.cat = "Wu.Estabrook.2016", group.equal=, group.partial=)`` (Wu & Estabrook 2016),
    fitted by ``lavaan::cfa(..., parameterization=)``; the lavaan syntax of each step is in
    ``.attrs["syntax"]``. In every step the first group fixes the scale: intercepts of the
    latent responses y* 0, factor means 0 and variances 1, and the scale of y* 1 — its
    scaling factors (``~*~``) in the delta parameterization (the default), its residual
    variances (``~~``) in the theta one. The steps: ``configural`` (thresholds and loadings
    free; the same fixed values in every group), ``thresholds`` (equal thresholds; in groups
    2+ intercepts free, and the scale of y* of items with two or more thresholds), ``metric``
    (also equal loadings; factor variances free in groups 2+), ``scalar`` (also equal
    intercepts, fixed to 0; factor means free in groups 2+, and the scale of binary items'
    y*) and, theta only, ``strict`` (also equal residual variances of y*: all 1). Under
    delta the residual variances are not parameters, so ``strict=True`` is refused there
    (semTools stops too). The two parameterizations fit alike (same χ²) except where an
    item's scale stays fixed in groups 2+ while its loadings are equal (a binary item in
    the metric step): fixing its scaling factor and fixing its residual variance are then
    different constraints. ``group_partial`` names parameters as semTools ``group.partial``
    does: ``"F =~ x"``, ``"x ~ 1"``, ``"x | t2"`` and, theta, ``"x ~~ x"``; a partial
    ``thresholds`` step is available too. The model must be a first-order factor model of
    the items (loadings, factor covariances, residual covariances) without modifiers.

    Each row compares with the model it is nested in (``compared_with``): ``delta_cfi``,
    ``delta_rmsea``, ``delta_srmr`` and the χ² difference test ``chisq_diff, df_diff,
    p_diff`` (ML: the ordinary likelihood-ratio difference; MLR: the Satorra–Bentler
    (2001) scaled difference, lavaan ``lavTestLRT(method="satorra.bentler.2001")``; MLR
    deltas use the robust CFI and RMSEA; WLSMV: the scaled-shifted difference of Satorra
    (2000), lavaan's ``lavTestLRT`` default for WLSMV, and the deltas of cfi.scaled and
    rmsea.scaled). ``supported`` applies Chen (2007) — ΔCFI ≥ −0.010 and ΔRMSEA ≤ 0.015
    and ΔSRMR ≤ 0.030 (metric) or ≤ 0.010 (scalar, strict), all three required. The
    configural row has NaN deltas and ``supported`` left NA: judge it on its own fit (e.g.
    the COSMIN criteria). Chen gives no limits for the thresholds step of ordered items:
    its ``supported`` is NA; judge it by the difference test.

    When the scalar step (or its partial version) is supported, ``.attrs["latent_means"]``
    holds :func:`latent_mean_differences` of that model, keyed by the step (``{"scalar":
    DataFrame}`` or ``{"scalar (partial)": DataFrame}``; else empty) — a mapping rather than
    the frame itself, since pandas compares the attrs of the frames it combines and a
    DataFrame's ``==`` is no truth value. ``.attrs["score_tests"]`` holds,
    for each step Chen's criteria reject (a rejected partial step too, e.g. ``"scalar
    (partial)"``; the thresholds step has no verdict), a DataFrame of the score test of
    each of its equality constraints released alone (lavaan ``lavTestScore(fit)$uni``; for
    MLR the ordinary test, as lavaan falls back to it; for WLSMV the DWLS one; ``test``
    "equality"): ``parameter`` named as ``group_partial`` takes it (``"F=~x3"``,
    ``"x3~1"``, ``"x3~~x3"``, ``"u2|t1"``), ``reference`` (the first group) and ``group``
    (the later group compared with it), lavaan's ``lhs, op, rhs`` (``.pN.`` labels) and
    ``X2, df, pvalue``. Ordered items add the later groups' intercepts held equal by being
    fixed at 0 and, theta, residual variances held equal by being fixed at 1 under the first
    group's label (the strict step): their modification indices (``test`` "fixed",
    ``lhs, op, rhs`` the parameter's). The largest X2 names a candidate to free (Byrne,
    Shavelson & Muthén 1989). Steps that hold are not tested.

    Parameters
    ----------
    data, model, group, estimator
        As for :func:`cfa`; extra keyword arguments (``std_lv``, ``orthogonal``,
        ``missing``, ``ordered``) are passed on.
    group_partial : iterable of str
        Parameters to free in the partial step, lavaan ``group.partial`` names.
    partial_step : {"thresholds", "metric", "scalar", "strict"}
        The step the partial model relaxes (``"thresholds"``: ordered items).
    strict : bool
        Include the strict (equal residual variances) step; ordered items: only with
        ``parameterization="theta"``.
    parameterization : {"delta", "theta"}
        lavaan's parameterization of ordered items (``"theta"`` only with ``ordered=``).

    Returns
    -------
    DataFrame, one row per step, named in its first column ``model`` (``configural, metric,
    scalar[, scalar (partial)], strict``; ordered items ``configural, thresholds, metric,
    scalar[, strict]``, with a partial step after the one named by ``partial_step``), then
    the fit measures and the comparison with ``compared_with``.

    Examples
    --------
    >>> from analysis.stats.sem import invariance, latent_mean_differences, measurement_syntax
    >>> from analysis import datasets
    >>> hs = datasets.load("holzinger_swineford_1939")
    >>> m = "visual =~ x1 + x2 + x3\\ntextual =~ x4 + x5 + x6\\nspeed =~ x7 + x8 + x9"
    >>> inv = invariance(hs, m, "school", strict=True)
    >>> inv[["model", "df"]].astype({"df": int}).values.tolist()
    [['configural', 48], ['metric', 54], ['scalar', 60], ['strict', 69]]

    Chen's criteria reject the scalar step; its score tests, largest first, name the
    intercepts to free (``group_partial=["x3~1"]``):

    >>> list(inv.attrs["score_tests"])
    ['scalar']
    >>> st = inv.attrs["score_tests"]["scalar"].sort_values("X2", ascending=False)
    >>> st[["parameter", "group", "X2"]].head(2).round(2).values.tolist()
    [['x3~1', 'Grant-White', 19.19], ['x7~1', 'Grant-White', 15.02]]

    The first six items cut into four ordered categories (WLSMV), theta parameterization
    with the strict step, the intercept of ``x3`` left unequal from the scalar step on
    (semTools ``group.partial``); the strict step fixes every residual variance of y* to 1:

    >>> import pandas as pd
    >>> cut = hs.assign(**{f"x{i}": pd.qcut(hs[f"x{i}"], 4, labels=False) for i in range(1, 7)})
    >>> inv = invariance(cut, "visual =~ x1 + x2 + x3\\ntextual =~ x4 + x5 + x6", "school",
    ...                  ordered=True, parameterization="theta", strict=True,
    ...                  group_partial=["x3 ~ 1"])
    >>> for step in inv[["model", "df", "compared_with"]].astype({"df": int}).values.tolist():
    ...     print(step)
    ['configural', 16, '']
    ['thresholds', 22, 'configural']
    ['metric', 26, 'thresholds']
    ['scalar', 30, 'metric']
    ['scalar (partial)', 29, 'metric']
    ['strict', 35, 'scalar (partial)']
    >>> [s for s in inv.attrs["syntax"]["strict"].splitlines() if s.startswith("x3 ~")]
    ['x3 ~ c(0, NA)*1 + c(nu.3.g1, nu.3.g2)*1', 'x3 ~~ c(1, 1)*x3 + c(theta.3_3, theta.3_3)*x3']
    """
    if is_ordered(kwargs.get("ordered")):
        return _invariance_ordinal(data, model, group, estimator, group_partial=group_partial,
                                   partial_step=partial_step, strict=strict,
                                   parameterization=parameterization, **kwargs)
    _is_theta(parameterization, False)
    base_steps = {"configural": (), "metric": ("loadings",),
                  "scalar": ("loadings", "intercepts"),
                  "strict": ("loadings", "intercepts", "residuals")}
    if not strict:
        base_steps.pop("strict")
    plan = _partial_plan(base_steps, group_partial, partial_step)
    fits = {name: cfa(data, model, estimator=estimator, group=group, group_equal=ge,
                      group_partial=gp, **kwargs) for name, ge, gp, _ in plan}
    robust = str(estimator).upper() == "MLR"
    out = _invariance_table(fits, [(p[0], p[3]) for p in plan], _fit_columns(robust),
                            ("cfi.robust", "rmsea.robust") if robust else ("cfi", "rmsea"),
                            _ml_difference(fits, robust))
    out.attrs.update(latent_means=_scalar_latent_means(out, fits),
                     score_tests=_group_score_tests(out, fits))
    return out


def _group_score_tests(table: pd.DataFrame, fits: Mapping[str, CFAResult]
                       ) -> _StepTables:
    """Score tests of each converged step Chen's criteria reject, named as ``group_partial``
    takes them (``"F=~x3"``, ``"x3~1"``, ``"u2|t1"``), each with the later group compared
    with the first."""
    def tests(fit: CFAResult) -> pd.DataFrame:
        pt, labels = state_of(fit).pt, fit.group_labels

        def where(i: int) -> tuple[str, Any]:
            return f"{pt.lhs[i]}{pt.op[i]}{pt.rhs[i]}", labels[pt.group[i] - 1]
        return _score_tests(fit, where, labels[0], "group")
    return _rejected_score_tests(table, fits, tests)


def _scalar_latent_means(table: pd.DataFrame, fits: Mapping[str, CFAResult],
                         means: Callable[[CFAResult], pd.DataFrame] | None = None) -> _StepTables:
    """Latent mean differences (``means`` of a fit, default :func:`_latent_means`) of the
    supported scalar step (its partial version first), keyed by that step; empty when
    neither is supported."""
    supported = table.set_index("model")["supported"]
    scalar = [s for s in ("scalar (partial)", "scalar") if s in supported.index
              and supported[s] is not pd.NA and bool(supported[s])]
    return _StepTables({scalar[0]: (means or _latent_means)(fits[scalar[0]])} if scalar else {})


def _partial_plan(steps: Mapping[str, tuple[str, ...]], partial: Iterable[str], partial_step: str
                  ) -> list[tuple[str, tuple[str, ...], tuple[str, ...], str | None]]:
    """The fits of an invariance table: (step, what is equal, what is exempt, the step it
    is nested in); with ``partial`` a partial step follows ``partial_step``, nested in the
    step before it, and the later steps keep ``partial`` exempt."""
    partial = tuple([partial] if isinstance(partial, str) else partial)
    if partial and partial_step not in steps or partial_step == "configural":
        raise ValueError(f"partial_step={partial_step!r}; expected one of "
                         f"{[s for s in steps if s != 'configural']}")
    plan: list[tuple[str, tuple[str, ...], tuple[str, ...], str | None]] = []
    for name, equal in steps.items():
        exempt = partial if any(p[0].endswith("(partial)") for p in plan) else ()
        plan.append((name, equal, exempt, plan[-1][0] if plan else None))
        if partial and name == partial_step:
            plan.append((f"{name} (partial)", equal, partial, plan[-1][3]))
    return plan


def _fit_columns(robust: bool) -> list[str]:
    """The fit measures of an ML (or MLR) invariance table."""
    cols = ["npar", "chisq", "df", "pvalue", "cfi", "tli", "rmsea", "rmsea.ci.lower",
            "rmsea.ci.upper", "srmr", "aic", "bic"]
    if robust:
        cols += ["chisq.scaled", "chisq.scaling.factor", "pvalue.scaled", "cfi.robust",
                 "tli.robust", "rmsea.robust"]
    return cols


def _ml_difference(fits: Mapping[str, CFAResult], robust: bool
                   ) -> Callable[[str, str], tuple[float, float]]:
    """lavaan's ``lavTestLRT`` of nested ML fits: the χ² difference, or for MLR the
    Satorra–Bentler (2001) scaled difference."""
    def difference(name: str, against: str) -> tuple[float, float]:
        f, pf = fits[name].fit, fits[against].fit
        ddf = f["df"] - pf["df"]
        if not robust:
            return f["chisq"] - pf["chisq"], ddf
        cd = (f["df"] * f["chisq.scaling.factor"] - pf["df"] * pf["chisq.scaling.factor"]) / ddf
        return (f["chisq"] - pf["chisq"]) / cd, ddf
    return difference


def _invariance_table(fits: Mapping[str, CFAResult], plan: Sequence[tuple[str, str | None]],
                      cols: Sequence[str], delta_keys: tuple[str, str], difference
                      ) -> pd.DataFrame:
    """One row per step: its fit, the changes from the step it is nested in, the χ²
    difference test (``difference(step, against) -> (statistic, df)``) and Chen's verdict."""
    cfi_k, rmsea_k = delta_keys
    rows = []
    for name, against in plan:
        res = fits[name]
        f = res.fit
        row: dict[str, object] = {c: f[c] for c in cols}
        row.update(converged=res.converged, admissible=res.admissible,
                   compared_with=against or "")
        if against is None:
            row.update(delta_cfi=np.nan, delta_rmsea=np.nan, delta_srmr=np.nan,
                       chisq_diff=np.nan, df_diff=np.nan, p_diff=np.nan, supported=pd.NA)
        else:
            pf = fits[against].fit
            dcfi, drmsea = f[cfi_k] - pf[cfi_k], f[rmsea_k] - pf[rmsea_k]
            dsrmr = f["srmr"] - pf["srmr"]
            both = res.converged and fits[against].converged
            diff, ddf = difference(name, against) if both else (np.nan, np.nan)
            lim = CHEN_2007.get(name.split(" ")[0])
            ok = pd.NA if lim is None or not both else bool(
                dcfi >= lim["delta_cfi"] and drmsea <= lim["delta_rmsea"]
                and dsrmr <= lim["delta_srmr"])
            row.update(delta_cfi=dcfi, delta_rmsea=drmsea, delta_srmr=dsrmr,
                       chisq_diff=diff, df_diff=ddf, p_diff=float(stats.chi2.sf(diff, ddf)),
                       supported=ok)
        rows.append(row)
    out = pd.DataFrame([{"model": p[0], **row} for p, row in zip(plan, rows)])
    out["supported"] = out["supported"].astype("boolean")
    return out


#: Ordered-item invariance steps: semTools group.equal of each (Wu & Estabrook 2016); the
#: strict step only in the theta parameterization.
ORDINAL_STEPS = {"configural": (), "thresholds": ("thresholds",),
                 "metric": ("thresholds", "loadings"),
                 "scalar": ("thresholds", "loadings", "intercepts"),
                 "strict": ("thresholds", "loadings", "intercepts", "residuals")}


def _ordinal_steps(theta: bool, strict: bool) -> dict[str, tuple[str, ...]]:
    """The steps of ordered items; strict only under theta (semTools stops under delta)."""
    if strict and not theta:
        raise ValueError("strict: residual variances of ordered items are not parameters in "
                         "the delta parameterization and cannot be equated (semTools stops "
                         "too); use parameterization='theta' or strict=False")
    return {k: v for k, v in ORDINAL_STEPS.items() if strict or k != "strict"}


def _invariance_ordinal(data: pd.DataFrame, model: str, group: str, estimator: Estimator | None,
                        ordered, *, group_partial: Iterable[str], partial_step: str,
                        strict: bool, parameterization: Parameterization,
                        **kwargs: Any) -> pd.DataFrame:
    if str(estimator or "WLSMV").upper() != "WLSMV":
        raise ValueError(f"ordered items are fitted by estimator='WLSMV', not {estimator!r}")
    if kwargs.pop("missing", "listwise") != "listwise":
        raise ValueError("invariance of ordered items uses the complete rows (missing='listwise')")
    if kwargs:
        raise ValueError(f"invariance of ordered items: {sorted(kwargs)} do not apply (the "
                         "steps fix the identification: unit factor variances in group 1)")
    theta = _is_theta(parameterization, True)
    plan = _partial_plan(_ordinal_steps(theta, strict), group_partial, partial_step)
    ov, _ = observed_variables(parse_model(model))
    parts, _, _ = prepare(data, ov, [], group, "listwise")
    rows = np.vstack(parts)
    n_thr = {v: len(np.unique(rows[:, j])) - 1 for j, v in enumerate(ov)}
    syntax = {name: measurement_syntax(model, n_thr, len(parts), ge, group_partial=partial,
                                       parameterization=parameterization)
              for name, ge, partial, _ in plan}
    cache: dict = {}
    fits = {}
    for name, text in syntax.items():
        stmts = parse_model(text)
        fits[name] = cfa_ordinal(data, text, stmts, *observed_variables(stmts), ordered,
                                  group=group, cache=cache, parameterization=parameterization)
    out = _invariance_table(fits, [(p[0], p[3]) for p in plan], ORDINAL_COLUMNS,
                            ("cfi.scaled", "rmsea.scaled"), _wlsmv_difference(fits))
    out.attrs.update(syntax=syntax, latent_means=_scalar_latent_means(out, fits),
                     score_tests=_group_score_tests(out, fits))
    return out


#: The fit measures of a WLSMV invariance table.
ORDINAL_COLUMNS = ["npar", "chisq", "df", "pvalue", "chisq.scaled", "df.scaled", "pvalue.scaled",
                   "chisq.scaling.factor", "chisq.shift.parameters", "cfi.scaled", "tli.scaled",
                   "rmsea.scaled", "srmr"]


def _wlsmv_difference(fits: Mapping[str, CFAResult]) -> Callable[[str, str], tuple[float, float]]:
    """lavaan's ``lavTestLRT`` default for nested WLSMV fits: the scaled-shifted χ²
    difference of Satorra (2000)."""
    def difference(name: str, against: str) -> tuple[float, float]:
        h1, h0 = fits[against], fits[name]
        stat, df, _ = _sem_ordinal.difference_test(
            *_wlsmv(h1), h1.fit["chisq"], h1.fit["df"], *_wlsmv(h0), h0.fit["chisq"], h0.fit["df"])
        return stat, df
    return difference


def _wlsmv(result: CFAResult) -> tuple[OrdinalModel, np.ndarray]:
    """The WLSMV model and estimates of a fitted step."""
    st = state_of(result)
    if not isinstance(st.model, OrdinalModel):
        raise TypeError("the Satorra (2000) difference test compares WLSMV fits")
    return st.model, st.theta


def measurement_syntax(model: str, n_thresholds: Mapping[str, int], ngroups: int,
                       group_equal: Iterable[str] = (), *, group_partial: Iterable[str] = (),
                       parameterization: Parameterization = "delta") -> str:
    """lavaan syntax of a multi-group model for ordered items, as ``semTools::measEq.syntax(
    model, ordered=, parameterization=, ID.fac = "std.lv", ID.cat = "Wu.Estabrook.2016",
    group.equal=, group.partial=)`` writes it (same labels, sections and order).

    Factor variances are 1 and means 0 in the first group; thresholds, intercepts and
    loadings (and, theta, residual variances) get one label per group (``.g1``, ``.g2``…)
    or a shared label when ``group_equal`` names them and ``group_partial`` does not. The
    scale of the latent responses y* is fixed in the first group: scaling factors
    (``~*~``, delta) or residual variances (``~~``, theta) 1. Wu & Estabrook's (2016)
    rules for groups 2+: an item's intercept is free when some of its thresholds are equal
    and its intercept is not; its scale (scaling factor or residual variance) is free when
    two or more thresholds (or one threshold and the intercept) are equal — unless, theta,
    its residual variances are equal (``"residuals"``, the strict step: all 1); a factor's
    variance is free when one of its loadings is equal, its mean when the intercept of an
    item measuring only it is.

    Parameters
    ----------
    model : str
        A first-order factor model: ``=~`` from factors to items, optionally factor or
        residual covariances (``~~``), without modifiers.
    n_thresholds : mapping
        Number of thresholds (categories − 1) of each item.
    ngroups : int
    group_equal : iterable of str
        Some of ``"thresholds"``, ``"loadings"``, ``"intercepts"``, ``"residuals"`` (theta
        only: residual variances of y* are not parameters in the delta parameterization),
        ``"means"``, ``"lv.variances"``, ``"lv.covariances"``, ``"residual.covariances"``.
    group_partial : iterable of str
        semTools ``group.partial``: parameters left unequal, ``"F =~ x"`` (loading),
        ``"x ~ 1"`` (intercept), ``"x | t2"`` (threshold), ``"x ~~ x"`` (residual
        variance, theta).
    parameterization : {"delta", "theta"}

    Examples
    --------
    >>> from analysis.stats.sem import measurement_syntax
    >>> print(measurement_syntax("f =~ u1 + u2", {"u1": 1, "u2": 1}, 2, ["thresholds"]))
    ## LOADINGS:
    f =~ c(NA, NA)*u1 + c(lambda.1_1.g1, lambda.1_1.g2)*u1
    f =~ c(NA, NA)*u2 + c(lambda.2_1.g1, lambda.2_1.g2)*u2
    ## THRESHOLDS:
    u1 | c(NA, NA)*t1 + c(u1.thr1, u1.thr1)*t1
    u2 | c(NA, NA)*t1 + c(u2.thr1, u2.thr1)*t1
    ## INTERCEPTS:
    u1 ~ c(0, NA)*1 + c(nu.1.g1, nu.1.g2)*1
    u2 ~ c(0, NA)*1 + c(nu.2.g1, nu.2.g2)*1
    ## SCALING FACTORS:
    u1 ~*~ c(1, 1)*u1
    u2 ~*~ c(1, 1)*u2
    ## LATENT MEANS/INTERCEPTS:
    f ~ c(0, 0)*1 + c(alpha.1.g1, alpha.1.g2)*1
    ## COMMON-FACTOR VARIANCES:
    f ~~ c(1, 1)*f + c(psi.1_1.g1, psi.1_1.g2)*f

    The theta parameterization's strict step, the residual variance of ``u2`` left unequal
    (its two equal thresholds free it in group 2):

    >>> text = measurement_syntax("f =~ u1 + u2", {"u1": 1, "u2": 2}, 2,
    ...                           ["thresholds", "loadings", "intercepts", "residuals"],
    ...                           group_partial=["u2 ~~ u2"], parameterization="theta")
    >>> print(text[text.index("## UNIQUE-FACTOR VARIANCES"):text.index("## LATENT")])
    ## UNIQUE-FACTOR VARIANCES:
    u1 ~~ c(1, 1)*u1 + c(theta.1_1, theta.1_1)*u1
    u2 ~~ c(1, NA)*u2 + c(theta.2_2.g1, theta.2_2.g2)*u2
    <BLANKLINE>
    """
    equal = set(group_equal)
    theta = _is_theta(parameterization, True)
    known = {"thresholds", "loadings", "intercepts", "means", "lv.variances",
             "lv.covariances", "residual.covariances"} | ({"residuals"} if theta else set())
    if equal - known:
        raise ValueError(f"group_equal: {sorted(equal - known)} not available"
                         f"{_DELTA_RESIDUALS if 'residuals' in equal else ''}; expected some of "
                         f"{sorted(known)}")
    G = ngroups
    stmts, lv, ov = _first_order(model, "invariance of ordered items")
    missing_thr = [v for v in ov if v not in n_thresholds]
    if missing_thr:
        raise ValueError(f"n_thresholds has no entry for {missing_thr}")
    loads = [s for s in stmts if s.op == "=~"]
    partial = _partial_names(group_partial, loads, ov, n_thresholds, theta, "group_partial",
                             "the model")

    def same(step: str, name: str) -> bool:      # equal across groups
        return step in equal and name not in partial

    def vec(values) -> str:
        return "c(" + ", ".join(values) + ")"

    def labels(base: str, shared: bool) -> str:
        return vec([base] * G if shared else [f"{base}.g{g + 1}" for g in range(G)])

    def first_then(first: str, rest: str) -> str:
        return vec([first] + [rest] * (G - 1))

    free = vec(["NA"] * G)
    item_no = {v: i + 1 for i, v in enumerate(ov)}
    fac_no = {f: j + 1 for j, f in enumerate(lv)}
    eq_thr, scale_free = _wu_estabrook(same, n_thresholds)
    out = ["## LOADINGS:"]
    for s in loads:
        lab = labels(f"lambda.{item_no[s.rhs]}_{fac_no[s.lhs]}",
                     same("loadings", f"{s.lhs}=~{s.rhs}"))
        out.append(f"{s.lhs} =~ {free}*{s.rhs} + {lab}*{s.rhs}")
    out += ["## THRESHOLDS:"]
    out += [f"{v} | {free}*t{k} + {labels(f'{v}.thr{k}', same('thresholds', f'{v}|t{k}'))}*t{k}"
            for v in ov for k in range(1, n_thresholds[v] + 1)]
    out += ["## INTERCEPTS:"]
    for v in ov:
        eq = same("intercepts", f"{v}~1")
        out.append(f"{v} ~ {first_then('0', 'NA' if eq_thr(v) and not eq else '0')}*1 + "
                   f"{labels(f'nu.{item_no[v]}', eq)}*1")
    if theta:
        out += ["## UNIQUE-FACTOR VARIANCES:"]
        for v in ov:
            eq = same("residuals", f"{v}~~{v}")
            out.append(f"{v} ~~ {first_then('1', 'NA' if scale_free(v) and not eq else '1')}*{v}"
                       f" + {labels(f'theta.{item_no[v]}_{item_no[v]}', eq)}*{v}")
    else:
        out += ["## SCALING FACTORS:"]
        out += [f"{v} ~*~ {first_then('1', 'NA' if scale_free(v) else '1')}*{v}" for v in ov]
    resid = sorted((sorted((s.lhs, s.rhs), key=ov.index) for s in stmts
                    if s.op == "~~" and s.lhs in ov), key=lambda r: (item_no[r[0]], item_no[r[1]]))
    if resid:
        out += ["## UNIQUE-FACTOR COVARIANCES:"]
        shared = "residual.covariances" in equal
        out += [f"{a} ~~ {free}*{b} + {labels(f'theta.{item_no[b]}_{item_no[a]}', shared)}*{b}"
                for a, b in resid]
    mean_free, var_free = _free_factor_moments(same, loads, lv)
    out += ["## LATENT MEANS/INTERCEPTS:"]
    out += [f"{f} ~ {first_then('0', 'NA' if mean_free[f] else '0')}*1 + "
            f"{labels(f'alpha.{fac_no[f]}', 'means' in equal)}*1" for f in lv]
    out += ["## COMMON-FACTOR VARIANCES:"]
    out += [f"{f} ~~ {first_then('1', 'NA' if var_free[f] else '1')}*{f} + "
            f"{labels(f'psi.{fac_no[f]}_{fac_no[f]}', 'lv.variances' in equal)}*{f}"
            for f in lv]
    lv_cov = [(a, b) for i, a in enumerate(lv) for b in lv[i + 1:]]
    if lv_cov:
        out += ["## COMMON-FACTOR COVARIANCES:"]
        out += [f"{a} ~~ {free}*{b} + "
                f"{labels(f'psi.{fac_no[b]}_{fac_no[a]}', 'lv.covariances' in equal)}*{b}"
                for a, b in lv_cov]
    return "\n".join(out)


#: Why residual variances of ordered items cannot be equated under delta.
_DELTA_RESIDUALS = (" (ordered items: residual variances of the latent responses are not "
                    "parameters in the delta parameterization; use parameterization='theta')")


def _is_theta(parameterization: str, ordinal: bool) -> bool:
    """Check ``parameterization`` (theta only for ordered items); True for theta."""
    if parameterization not in PARAMETERIZATIONS:
        raise ValueError(f"parameterization={parameterization!r}; expected one of "
                         f"{PARAMETERIZATIONS}")
    if parameterization == "theta" and not ordinal:
        raise ValueError("parameterization='theta' applies to ordered items (ordered=...); "
                         "continuous items have residual variances in every parameterization")
    return parameterization == "theta"


def _wu_estabrook(same: Callable[[str, str], bool], n_thresholds: Mapping[str, int]
                  ) -> tuple[Callable[[str], int], Callable[[str], bool]]:
    """Wu & Estabrook's (2016) rules, given ``same(step, name)`` (is the parameter equal to
    the reference group's or occasion's): the number of an item's equal thresholds, and
    whether its scale (scaling factor or residual variance of y*) is free: two or more
    equal thresholds, or one and the intercept."""
    def eq_thr(v: str) -> int:
        return sum(same("thresholds", f"{v}|t{k}") for k in range(1, n_thresholds[v] + 1))

    def scale_free(v: str) -> bool:
        return eq_thr(v) >= 2 or bool(eq_thr(v)) and same("intercepts", f"{v}~1")
    return eq_thr, scale_free


def _free_factor_moments(same: Callable[[str, str], bool], loads: Sequence, lv: Sequence[str]
                         ) -> tuple[dict[str, bool], dict[str, bool]]:
    """Factor means and variances free beyond the reference group or occasion: a mean when
    the intercept of an item measuring only that factor is equal, a variance when one of
    its loadings is."""
    only = {f: [s.rhs for s in loads if s.lhs == f
                and [r.lhs for r in loads if r.rhs == s.rhs] == [f]] for f in lv}
    mean_free = {f: any(same("intercepts", f"{v}~1") for v in only[f]) for f in lv}
    var_free = {f: any(same("loadings", f"{f}=~{s.rhs}") for s in loads if s.lhs == f)
                for f in lv}
    return mean_free, var_free


def _latent_means(res: CFAResult) -> pd.DataFrame:
    e = res.estimates
    lv = state_of(res).pt.lv
    rows = e[(e.op == "~1") & e.lhs.isin(lv) & (e.group > 1)]
    labels = res.group_labels
    out = rows[["lhs", "group", "est", "se", "z", "pvalue", "ci_lower", "ci_upper",
                "std_all"]].rename(columns={"lhs": "factor"}).copy()
    out.insert(1, "group_label", [labels[g - 1] for g in out.group])
    out.insert(2, "reference", labels[0])
    return out.reset_index(drop=True)


def latent_mean_differences(data: pd.DataFrame, model: str, group: str,
                            estimator: Estimator = "ML", *, group_partial: Iterable[str] = (),
                            **kwargs: Any) -> pd.DataFrame:
    """Latent mean differences from the (partial) scalar invariance model.

    With equal loadings and intercepts (except ``group_partial``) the latent means of the
    first group are fixed to 0 and those of the other groups are their differences from
    it (lavaan's identification), with SEs, z, p and CI; ``std_all`` divides by the
    latent SD in that group (lavaan std.all). Meaningful only when scalar invariance
    (full or partial) holds — check :func:`invariance` first.

    Returns
    -------
    DataFrame
        ``factor, group_label, reference, group, est, se, z, pvalue, ci_lower, ci_upper,
        std_all``.

    Examples
    --------
    >>> from analysis.stats.sem import invariance, latent_mean_differences, measurement_syntax
    >>> from analysis import datasets
    >>> hs = datasets.load("holzinger_swineford_1939")
    >>> m = "visual =~ x1 + x2 + x3\\ntextual =~ x4 + x5 + x6\\nspeed =~ x7 + x8 + x9"
    >>> d = latent_mean_differences(hs, m, "school")
    >>> d.factor.tolist(), round(float(d.est[0]), 3)
    (['visual', 'textual', 'speed'], -0.148)
    """
    if is_ordered(kwargs.get("ordered")):
        raise ValueError("for ordered items use invariance(..., ordered=...): its "
                         "attrs['latent_means'] come from the scalar model with Wu & Estabrook's "
                         "identification")
    res = cfa(data, model, estimator=estimator, group=group,
              group_equal=("loadings", "intercepts"), group_partial=group_partial, **kwargs)
    if not res.converged:
        raise RuntimeError(f"the scalar model did not converge: {res.warnings}")
    return _latent_means(res)


#: Longitudinal invariance steps: semTools ``long.equal`` of each (continuous items; ordered
#: items: the steps of :data:`ORDINAL_STEPS`).
LONGITUDINAL_STEPS = {"configural": (), "metric": ("loadings",),
                      "scalar": ("loadings", "intercepts"),
                      "strict": ("loadings", "intercepts", "residuals")}
#: The longitudinal steps a partial model (``long_partial``) can relax.
LongPartialStep = Literal["thresholds", "metric", "scalar", "strict"]


def longitudinal_syntax(model: str, n_occasions: int, long_equal: Iterable[str] = (), *,
                        n_thresholds: Mapping[str, int] | None = None,
                        long_partial: Iterable[str] = (),
                        parameterization: Parameterization = "delta") -> str:
    """lavaan syntax of a longitudinal model, as ``semTools::measEq.syntax(configural,
    longFacNames = list(F = c("F.t1", "F.t2", …)), longIndNames = list(x = c("x.t1",
    "x.t2", …), …), long.equal=, long.partial=, ID.fac = "std.lv")`` writes it (same labels
    and sections); for ordered items (``n_thresholds`` given) with ``ordered=,
    parameterization=, ID.cat = "Wu.Estabrook.2016"``.

    The one-occasion ``model`` is repeated per occasion with every factor and item suffixed
    ``.t1``, ``.t2``…; the same item's residuals covary across every pair of occasions
    (semTools' default ``auto = "all"``), all factors covary. Identification by the first
    occasion: its factor variances 1 and means 0. ``long_equal`` names what is equal across
    occasions (the first occasion's label at all of them): ``"loadings"``, ``"intercepts"``,
    ``"residuals"`` (continuous items) or ``"thresholds"``, ``"loadings"``, ``"intercepts"``
    and, theta only, ``"residuals"`` (ordered items); ``long_partial`` names parameters of
    the one-occasion model left unequal. A factor's variance is free at later occasions
    when one of its loadings is equal, its mean when the intercept of an item measuring
    only it is.

    Ordered items (Wu & Estabrook 2016): at the first occasion the intercepts of the latent
    responses y* are 0 and their scale is fixed — scaling factors (``~*~``, delta) or
    residual variances (``~~``, theta) 1; at a later occasion an item's intercept is free
    when some of its thresholds are equal and its intercept is not, its scale when two or
    more thresholds (or one and the intercept) are equal. Theta: residual variances equal
    across occasions (``"residuals"``, the strict step) are all 1. Residual variances are
    not parameters in the delta parameterization, so they cannot be equated there (semTools
    stops too).

    Parameters
    ----------
    model : str
        A first-order factor model of one occasion: ``=~`` from factors to items,
        optionally factor or residual covariances (``~~``), without modifiers.
    n_occasions : int
        Two or more.
    long_equal : iterable of str
    n_thresholds : mapping, optional
        Ordered items: the number of thresholds (categories − 1) of each item, the same at
        every occasion.
    long_partial : iterable of str
        semTools ``long.partial`` in the names of the one-occasion model: ``"F =~ x"``
        (loading), ``"x ~ 1"`` (intercept), ``"x ~~ x"`` (residual variance: continuous
        items, theta), ``"x | t2"`` (threshold).
    parameterization : {"delta", "theta"}
        Of ordered items (``n_thresholds`` given).

    Examples
    --------
    >>> from analysis.stats.sem import longitudinal_syntax
    >>> print(longitudinal_syntax("F =~ u1 + u2", 2, ["loadings"]))
    ## LOADINGS:
    F.t1 =~ NA*u1.t1 + lambda.1_1*u1.t1
    F.t1 =~ NA*u2.t1 + lambda.2_1*u2.t1
    F.t2 =~ NA*u1.t2 + lambda.1_1*u1.t2
    F.t2 =~ NA*u2.t2 + lambda.2_1*u2.t2
    ## INTERCEPTS:
    u1.t1 ~ NA*1 + nu.1*1
    u2.t1 ~ NA*1 + nu.2*1
    u1.t2 ~ NA*1 + nu.3*1
    u2.t2 ~ NA*1 + nu.4*1
    ## UNIQUE-FACTOR VARIANCES:
    u1.t1 ~~ NA*u1.t1 + theta.1_1*u1.t1
    u2.t1 ~~ NA*u2.t1 + theta.2_2*u2.t1
    u1.t2 ~~ NA*u1.t2 + theta.3_3*u1.t2
    u2.t2 ~~ NA*u2.t2 + theta.4_4*u2.t2
    ## UNIQUE-FACTOR COVARIANCES:
    u1.t1 ~~ NA*u1.t2 + theta.3_1*u1.t2
    u2.t1 ~~ NA*u2.t2 + theta.4_2*u2.t2
    ## LATENT MEANS/INTERCEPTS:
    F.t1 ~ 0*1 + alpha.1*1
    F.t2 ~ 0*1 + alpha.2*1
    ## COMMON-FACTOR VARIANCES:
    F.t1 ~~ 1*F.t1 + psi.1_1*F.t1
    F.t2 ~~ NA*F.t2 + psi.2_2*F.t2
    ## COMMON-FACTOR COVARIANCES:
    F.t1 ~~ NA*F.t2 + psi.2_1*F.t2

    Ordered items with equal thresholds, except the second threshold of ``u2``:

    >>> text = longitudinal_syntax("F =~ u1 + u2", 2, ["thresholds"],
    ...                            n_thresholds={"u1": 2, "u2": 2}, long_partial=["u2 | t2"])
    >>> print("\\n".join(s for s in text.splitlines() if s.startswith(("u1.t2", "u2.t2"))))
    u1.t2 | NA*t1 + u1.t1.thr1*t1
    u1.t2 | NA*t2 + u1.t1.thr2*t2
    u2.t2 | NA*t1 + u2.t1.thr1*t1
    u2.t2 | NA*t2 + u2.t2.thr2*t2
    u1.t2 ~ NA*1 + nu.3*1
    u2.t2 ~ NA*1 + nu.4*1
    u1.t2 ~*~ NA*u1.t2
    u2.t2 ~*~ 1*u2.t2

    The theta parameterization's strict step: residual variances of y* all 1 (equal),
    except ``u2``'s, free at the later occasion:

    >>> text = longitudinal_syntax("F =~ u1 + u2", 2, ["thresholds", "loadings", "intercepts",
    ...                            "residuals"], n_thresholds={"u1": 2, "u2": 2},
    ...                            long_partial=["u2 ~~ u2"], parameterization="theta")
    >>> print(text[text.index("## UNIQUE-FACTOR VARIANCES"):text.index("## UNIQUE-FACTOR COV")])
    ## UNIQUE-FACTOR VARIANCES:
    u1.t1 ~~ 1*u1.t1 + theta.1_1*u1.t1
    u2.t1 ~~ 1*u2.t1 + theta.2_2*u2.t1
    u1.t2 ~~ 1*u1.t2 + theta.1_1*u1.t2
    u2.t2 ~~ NA*u2.t2 + theta.4_4*u2.t2
    <BLANKLINE>
    """
    equal = set(long_equal)
    ordinal = n_thresholds is not None
    theta = _is_theta(parameterization, ordinal)
    residuals = theta or not ordinal             # residual variances are parameters
    known = {"loadings", "intercepts"} | ({"thresholds"} if ordinal else set()) | (
        {"residuals"} if residuals else set())
    if equal - known:
        raise ValueError(f"long_equal: {sorted(equal - known)} not available"
                         f"{_DELTA_RESIDUALS if 'residuals' in equal else ''}; expected some of "
                         f"{sorted(known)}")
    if n_occasions < 2:
        raise ValueError(f"longitudinal invariance needs two or more occasions, got {n_occasions}")
    stmts, lv, ov = _first_order(model, "longitudinal invariance")
    n_thr = dict(n_thresholds or {})
    if ordinal and set(ov) - set(n_thr):
        raise ValueError(f"n_thresholds has no entry for {[v for v in ov if v not in n_thr]}")
    loads = [s for s in stmts if s.op == "=~"]
    partial = _partial_names(long_partial, loads, ov, n_thr if ordinal else None, residuals,
                             "long_partial", "the one-occasion model")
    T, P, M = n_occasions, len(ov), len(lv)

    def item(v: str, t: int) -> int:             # item number in the wide model (1-based)
        return t * P + ov.index(v) + 1

    def fac(f: str, t: int) -> int:
        return t * M + lv.index(f) + 1

    def same(step: str, name: str) -> bool:      # equal across occasions
        return step in equal and name not in partial

    eq_thr, scale_free = _wu_estabrook(same, n_thr)
    resid = [(s.lhs, s.rhs) for s in stmts if s.op == "~~" and s.lhs in ov]
    out = ["## LOADINGS:"]
    for t in range(T):
        for s in loads:
            tt = 0 if same("loadings", f"{s.lhs}=~{s.rhs}") else t
            out.append(f"{s.lhs}.t{t + 1} =~ NA*{s.rhs}.t{t + 1} + "
                       f"lambda.{item(s.rhs, tt)}_{fac(s.lhs, tt)}*{s.rhs}.t{t + 1}")
    if ordinal:
        out += ["## THRESHOLDS:"]
        out += [f"{v}.t{t + 1} | NA*t{k} + "
                f"{v}.t{1 if same('thresholds', f'{v}|t{k}') else t + 1}.thr{k}*t{k}"
                for t in range(T) for v in ov for k in range(1, n_thr[v] + 1)]
    out += ["## INTERCEPTS:"]
    for t in range(T):
        for v in ov:
            tt = 0 if same("intercepts", f"{v}~1") else t
            value = "NA" if not ordinal else "0" if (
                t == 0 or not eq_thr(v) or same("intercepts", f"{v}~1")) else "NA"
            out.append(f"{v}.t{t + 1} ~ {value}*1 + nu.{item(v, tt)}*1")
    if ordinal and not theta:
        out += ["## SCALING FACTORS:"]
        out += [f"{v}.t{t + 1} ~*~ {'NA' if t and scale_free(v) else '1'}*{v}.t{t + 1}"
                for t in range(T) for v in ov]
    else:
        out += ["## UNIQUE-FACTOR VARIANCES:"]
        for t in range(T):
            for v in ov:
                eq = same("residuals", f"{v}~~{v}")
                tt = 0 if eq else t
                # theta: 1 at the first occasion and when equal to it, else free by the rules
                value = "NA" if not ordinal or t and scale_free(v) and not eq else "1"
                out.append(f"{v}.t{t + 1} ~~ {value}*{v}.t{t + 1} + "
                           f"theta.{item(v, tt)}_{item(v, tt)}*{v}.t{t + 1}")
    # residual covariances within an occasion and of an item across occasions, in semTools'
    # order: by the wide model's item numbers (first, second)
    pairs = sorted([((a, t), (b, t)) for t in range(T) for a, b in
                    (sorted(r, key=ov.index) for r in resid)]
                   + [((v, t), (v, u)) for v in ov for t in range(T) for u in range(t + 1, T)],
                   key=lambda p: (item(*p[0]), item(*p[1])))
    out += ["## UNIQUE-FACTOR COVARIANCES:"]
    out += [f"{a}.t{t + 1} ~~ NA*{b}.t{u + 1} + theta.{item(b, u)}_{item(a, t)}*{b}.t{u + 1}"
            for (a, t), (b, u) in pairs]
    mean_free, var_free = _free_factor_moments(same, loads, lv)
    out += ["## LATENT MEANS/INTERCEPTS:"]
    out += [f"{f}.t{t + 1} ~ {'NA' if t and mean_free[f] else '0'}*1 + "
            f"alpha.{fac(f, t)}*1" for t in range(T) for f in lv]
    out += ["## COMMON-FACTOR VARIANCES:"]
    out += [f"{f}.t{t + 1} ~~ {'NA' if t and var_free[f] else '1'}*{f}.t{t + 1} + "
            f"psi.{fac(f, t)}_{fac(f, t)}*{f}.t{t + 1}" for t in range(T) for f in lv]
    wide_lv = [(f, t) for t in range(T) for f in lv]
    if len(wide_lv) > 1:
        out += ["## COMMON-FACTOR COVARIANCES:"]
        out += [f"{a}.t{ta + 1} ~~ NA*{b}.t{tb + 1} + psi.{fac(b, tb)}_{fac(a, ta)}*{b}.t{tb + 1}"
                for i, (a, ta) in enumerate(wide_lv) for b, tb in wide_lv[i + 1:]]
    return "\n".join(out)


def _partial_names(partial: Iterable[str], loads: Sequence, ov: Sequence[str],
                   n_thresholds: Mapping[str, int] | None, residuals: bool, what: str,
                   of: str) -> set[str]:
    """``partial`` (``what``: ``long_partial`` or ``group_partial``) as names without spaces
    (``F=~x``, ``x~1``, ``x~~x``, ``x|t2``), each checked to be a parameter of the model
    (``of``): residual variances when they are parameters, thresholds of ordered items."""
    names = {"".join(p.split()) for p in ([partial] if isinstance(partial, str) else partial)}
    known = {f"{s.lhs}=~{s.rhs}" for s in loads} | {f"{v}~1" for v in ov}
    kinds = [f"loadings ('{loads[0].lhs} =~ {loads[0].rhs}')", f"intercepts ('{ov[0]} ~ 1')"]
    if residuals:
        known |= {f"{v}~~{v}" for v in ov}
        kinds.append(f"residual variances ('{ov[0]} ~~ {ov[0]}')")
    if n_thresholds is not None:
        known |= {f"{v}|t{k}" for v in ov for k in range(1, n_thresholds[v] + 1)}
        kinds.append(f"thresholds ('{ov[0]} | t1')")
    bad = sorted(names - known)
    if bad:
        raise ValueError(f"{what} {bad} match no parameter of {of}; expected "
                         + ", ".join(kinds[:-1]) + f" or {kinds[-1]}")
    return names


def _first_order(model: str, what: str) -> tuple[list, list[str], list[str]]:
    """The statements, factors and items of a first-order factor model without modifiers."""
    stmts = [s for s in parse_model(model)]
    lv = list(dict.fromkeys(s.lhs for s in stmts if s.op == "=~"))
    ov, _ = observed_variables(stmts)
    bad = []
    for st in stmts:
        plain = st.fixed is None and st.free is False and not st.label and st.start is None
        allowed = (st.op == "=~" and st.rhs in ov) or (
            st.op == "~~" and st.lhs != st.rhs
            and ({st.lhs, st.rhs} <= set(lv) or {st.lhs, st.rhs} <= set(ov)))
        if not (plain and allowed):
            bad.append(f"model line {st.line}: '{st.lhs} {st.op} {st.rhs}'")
    if bad:
        raise ModelSyntaxError(f"{what} takes a first-order factor model ('=~' to items, '~~' "
                               "between factors or between items) without modifiers; not one: "
                               + "; ".join(bad))
    return stmts, lv, list(ov)


def _wide(data: pd.DataFrame, items: Sequence[str], occasion: str, id: str,
          occasions: Sequence[Any] | None) -> tuple[pd.DataFrame, list[Any], dict[str, int]]:
    """Long data (one row per person × occasion) to wide (one row per person, index ``id``;
    item ``x`` of the k-th occasion in column ``x.tk``)."""
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"data must be a pandas DataFrame, got {type(data).__name__}")
    absent = [c for c in [id, occasion, *items] if c not in data.columns]
    if absent:
        raise ValueError(f"data has no column(s) {absent} (person id, occasion, model items); "
                         f"available columns: {list(data.columns)}")
    occ = data[occasion]
    if occasions is None:
        occasions = (list(occ.cat.categories) if isinstance(occ.dtype, pd.CategoricalDtype)
                     else list(pd.unique(occ.dropna())))
    occasions = list(occasions)
    problems = []
    if len(set(occasions)) != len(occasions):
        problems.append(f"occasions {occasions} repeat a value")
    problems += [f"occasion {o!r} has no rows in column {occasion!r}" for o in occasions
                 if not (occ == o).any()]
    used = occ.isin(occasions)
    no_id = data.index[used & data[id].isna()]
    problems += [f"row {i!r}: no value in {id!r}" for i in no_id[:10]]
    dup = data.index[used & data[id].notna() & data.duplicated([id, occasion], keep=False)]
    problems += [f"row {i!r}: person {data.at[i, id]!r} has more than one row at occasion "
                 f"{data.at[i, occasion]!r}" for i in dup[:10]]
    if len(no_id) + len(dup) > 20:
        problems.append(f"{len(no_id) + len(dup) - 20} more rows without a person or repeated")
    if problems:
        raise ValueError("longitudinal data problems (expected one row per person × "
                         "occasion):\n  " + "\n  ".join(problems))
    if len(occasions) < 2:
        raise ValueError(f"longitudinal invariance needs two or more occasions, got {occasions}")
    rows = data[used]
    persons = pd.Index(pd.unique(rows[id]), name=id)
    parts = []
    for k, o in enumerate(occasions, start=1):
        part = rows[rows[occasion] == o].set_index(id)[list(items)]
        parts.append(part.rename(columns=lambda c: f"{c}.t{k}").reindex(persons))
    wide = pd.concat(parts, axis=1)
    counts = {"rows": len(data), "rows_used": int(used.sum()),
              "rows_other_occasions": int((~used).sum()), "persons": len(persons)}
    return wide, occasions, counts


@one_blas_thread
def longitudinal_invariance(data: pd.DataFrame, model: str, *, occasion: str = "occasion",
                            id: str = "respondent_id", occasions: Sequence[Any] | None = None,
                            estimator: Estimator | None = None,
                            ordered: bool | Iterable[str] | None = None,
                            missing: Missing = "listwise", strict: bool | None = None,
                            long_partial: Iterable[str] = (),
                            partial_step: LongPartialStep = "scalar",
                            parameterization: Parameterization = "delta") -> pd.DataFrame:
    """Longitudinal measurement invariance: configural, metric, scalar and strict steps
    across occasions (ordered items: configural, thresholds, metric, scalar and, theta,
    strict), as semTools' ``measEq.syntax(..., longFacNames=, long.equal=, long.partial=,
    ID.fac = "std.lv")`` fitted by ``lavaan::cfa``.

    ``data`` is long (one row per person × occasion). It is made wide — one row per person,
    item ``x`` of the k-th occasion in column ``x.tk`` and factor ``F`` of it ``F.tk`` — and
    each step is fitted with :func:`cfa` on the syntax of :func:`longitudinal_syntax`: the
    model at every occasion, the same item's residuals correlated across all occasions in
    every step. Factor variances are 1 and means 0 at the first occasion.

    Continuous items (ML, MLR): equal loadings (metric), also equal intercepts with the
    later occasions' latent means free (scalar), also equal residual variances (strict).

    Ordered items (``ordered=``; WLSMV, Wu & Estabrook 2016, as ``measEq.syntax(...,
    ordered=, parameterization=, ID.cat = "Wu.Estabrook.2016")`` fitted by
    ``lavaan::cfa(..., parameterization=)``): at the first occasion the intercepts of the
    latent responses y* are 0 and their scale 1 — the scaling factors (``~*~``) in the
    delta parameterization (the default), the residual variances (``~~``) in the theta one.
    ``configural`` (the same fixed values at every occasion), ``thresholds`` (equal
    thresholds; at later occasions intercepts free, and the scale of y* of items with two
    or more thresholds), ``metric`` (also equal loadings; later factor variances free),
    ``scalar`` (also equal intercepts, all 0; later factor means free, and the scale of
    binary items' y*) and, theta only, ``strict`` (also equal residual variances of y*: all
    1). Under delta residual variances are not parameters, so there is no strict step
    (semTools stops); the theta score tests of a rejected strict step include the later
    residual variances, held equal by being fixed at 1 (``"fixed"``, named ``"x~~x"``).

    With ``long_partial`` a partial step (e.g. ``"scalar (partial)"``) follows the step
    named by ``partial_step``: the same constraints except the listed parameters, named as
    in the one-occasion model (semTools ``long.partial``: ``"x3 ~ 1"``, ``"F =~ x3"``,
    ``"x3 ~~ x3"``, ``"x3 | t2"``); it is compared with the step before ``partial_step`` and
    the later steps keep those parameters free (as :func:`invariance` with
    ``group_partial``).

    The table is that of :func:`invariance`: each row's fit, the changes from the step it
    is nested in, the χ² difference test (ML: likelihood ratio; MLR: the Satorra–Bentler
    (2001) scaled difference, lavaan ``lavTestLRT``, deltas of the robust CFI and RMSEA;
    WLSMV: the scaled-shifted difference of Satorra (2000), ``lavTestLRT``'s default, deltas
    of cfi.scaled and rmsea.scaled) and Chen's (2007) verdict ``supported`` (NA for the
    configural and thresholds steps). ``.attrs``: ``syntax`` (lavaan syntax per step),
    ``occasions`` (label of ``.t1``, ``.t2``…), ``counts`` (rows read, rows at the
    occasions, rows at other occasions, persons) and ``nobs`` (persons analysed) with
    ``warnings`` (e.g. persons dropped listwise) per step; ``score_tests``: for each step
    Chen's criteria reject, the score test of each of its equality constraints released
    alone (lavaan ``lavTestScore(fit)$uni``; the ordinary test for MLR, as lavaan falls back
    to it; the DWLS one for WLSMV), and for ordered items of each later occasion's intercept,
    held equal by being fixed at 0 (its ``modindices`` MI; ``test`` "fixed"), with the
    ``parameter`` in ``long_partial``'s names and its ``reference`` and later ``occasion`` —
    the largest X2 names a candidate to free; ``latent_means``: when the scalar step (or
    its partial version) holds, keyed by that step, each later occasion's factor mean
    (``factor, occasion, reference, est, se, z, pvalue, ci_lower, ci_upper, std_all``): with
    the first occasion's factor mean 0 and variance 1, ``est`` is the change of the latent
    mean in the first occasion's standard deviations — the change the scale may be read
    as, now that the items measure alike at both.

    Parameters
    ----------
    data : DataFrame
        Long data: ``id``, ``occasion`` and the model's items.
    model : str
        The factor model of one occasion (a first-order factor model without modifiers:
        ``=~`` to items, ``~~`` between factors or items of the same occasion).
    occasion, id : str
        Columns of the occasion and the person.
    occasions : sequence, optional
        The occasions to compare, in order; rows at other occasions are left out (counted
        in ``attrs["counts"]``). Default: the categories of a categorical column, else the
        occasions in order of first appearance — pass them to be sure of the order.
    estimator : {"ML", "MLR", "WLSMV"}, optional
        Default ``"ML"``, ``"WLSMV"`` with ``ordered``.
    ordered : True or list of str, optional
        The items are ordered categories (``True`` or every item of the model); each item
        must have the same categories at every occasion (in the complete rows).
    missing : {"listwise", "ml"}
        ``"listwise"``: persons lacking an occasion or an item value are left out;
        ``"ml"``: full-information ML keeps them (ML, MLR).
    strict : bool, optional
        Include the strict (equal residual variances) step; default True where it exists:
        continuous items, ordered items under theta (not available under delta).
    long_partial : iterable of str
        Parameters to leave unequal in the partial step and after it.
    partial_step : {"thresholds", "metric", "scalar", "strict"}
        The step the partial model relaxes.
    parameterization : {"delta", "theta"}
        lavaan's parameterization of ordered items (``"theta"`` only with ``ordered``).

    Returns
    -------
    DataFrame, one row per step (``configural, metric, scalar[, scalar (partial)][,
    strict]``; ordered items ``configural, thresholds, metric, scalar[, strict]``) named in
    its first column ``model``, the columns of :func:`invariance`.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from analysis.stats.sem import longitudinal_invariance
    >>> rng = np.random.default_rng(1)
    >>> f = rng.normal(size=(300, 1))
    >>> long = pd.concat([pd.DataFrame(f + 0.1 * t + rng.normal(scale=.6, size=(300, 3)),
    ...                                columns=["a", "b", "c"]).assign(
    ...     respondent_id=[f"p{i}" for i in range(300)], occasion=o)
    ...     for t, o in enumerate(["pre", "post"])])
    >>> tab = longitudinal_invariance(long, "F =~ a + b + c", occasions=["pre", "post"])
    >>> tab[["model", "df"]].astype({"df": int}).values.tolist()
    [['configural', 5], ['metric', 7], ['scalar', 9], ['strict', 12]]

    The same items cut into four ordered categories:

    >>> cut = long.assign(**{v: pd.cut(long[v], [-np.inf, -1, 0, 1, np.inf], labels=False)
    ...                      for v in "abc"})
    >>> tab = longitudinal_invariance(cut, "F =~ a + b + c", occasions=["pre", "post"],
    ...                               ordered=True, long_partial=["c ~ 1"])
    >>> tab[["model", "df"]].astype({"df": int}).values.tolist()
    [['configural', 5], ['thresholds', 8], ['metric', 10], ['scalar', 12], ['scalar (partial)', 11]]
    >>> tab.compared_with.iloc[-1]
    'metric'

    In the theta parameterization, with the strict step (equal residual variances of y*):

    >>> tab = longitudinal_invariance(cut, "F =~ a + b + c", occasions=["pre", "post"],
    ...                               ordered=True, parameterization="theta")
    >>> tab[["model", "df"]].astype({"df": int}).values.tolist()
    [['configural', 5], ['thresholds', 8], ['metric', 10], ['scalar', 12], ['strict', 15]]
    """
    ordinal = is_ordered(ordered)
    est = "WLSMV" if estimator is None and ordinal else str(estimator or "ML").upper()
    if est not in (("WLSMV",) if ordinal else ("ML", "MLR")):
        raise ValueError(f"estimator={estimator!r}; longitudinal invariance of "
                         + ("ordered items is fitted by 'WLSMV'" if ordinal else
                            "continuous items is fitted by 'ML' or 'MLR' (ordered items: "
                            "ordered=..., 'WLSMV')"))
    if missing not in (("listwise",) if ordinal else ("listwise", "ml")):
        raise ValueError(f"missing={missing!r}; expected 'listwise'"
                         + (" (WLSMV uses the complete rows)" if ordinal else " or 'ml'"))
    _, _, items = _first_order(model, "longitudinal invariance")
    if ordinal and ordered is not True:
        names = [ordered] if isinstance(ordered, str) else list(ordered)  # type: ignore[arg-type]
        if sorted(names) != sorted(items):
            raise ValueError(f"ordered={names}: every item of the model {items} must be "
                             "ordered (WLSMV here fits ordered items only)")
    theta = _is_theta(parameterization, ordinal)
    if strict is None:
        strict = theta or not ordinal
    steps = _ordinal_steps(theta, strict) if ordinal else {
        k: v for k, v in LONGITUDINAL_STEPS.items() if strict or k != "strict"}
    plan = _partial_plan(steps, long_partial, partial_step)
    wide, occasions, counts = _wide(data, items, occasion, id, occasions)
    n_thr = _thresholds_over_occasions(wide, items, occasions) if ordinal else None
    syntax = {name: longitudinal_syntax(model, len(occasions), eq, n_thresholds=n_thr,
                                        long_partial=partial, parameterization=parameterization)
              for name, eq, partial, _ in plan}
    fits = {name: cfa(wide, text, estimator=est, missing=missing,  # type: ignore[arg-type]
                      ordered=True if ordinal else None,
                      parameterization=parameterization if ordinal else None)
            for name, text in syntax.items()}
    order = [(p[0], p[3]) for p in plan]
    if ordinal:
        out = _invariance_table(fits, order, ORDINAL_COLUMNS, ("cfi.scaled", "rmsea.scaled"),
                                _wlsmv_difference(fits))
    else:
        robust = est == "MLR"
        out = _invariance_table(fits, order, _fit_columns(robust),
                                ("cfi.robust", "rmsea.robust") if robust else ("cfi", "rmsea"),
                                _ml_difference(fits, robust))
    labels = {f"t{k}": o for k, o in enumerate(occasions, start=1)}

    def score_tests(fit: CFAResult) -> pd.DataFrame:
        pt = state_of(fit).pt

        def where(i: int) -> tuple[str, Any]:   # (one-occasion name, occasion)
            lhs, t = pt.lhs[i].rsplit(".", 1)
            rhs = pt.rhs[i].rsplit(".", 1)[0] if pt.op[i] in ("=~", "~~") else pt.rhs[i]
            return f"{lhs}{pt.op[i]}{rhs}", labels[t]
        return _score_tests(fit, where, labels["t1"], "occasion")

    def latent_means(fit: CFAResult) -> pd.DataFrame:
        e = fit.estimates
        rows = e[(e.op == "~1") & e.lhs.isin(state_of(fit).pt.lv) & ~e.lhs.str.endswith(".t1")]
        out = rows[["lhs", "est", "se", "z", "pvalue", "ci_lower", "ci_upper", "std_all"]].copy()
        split = out.pop("lhs").str.rsplit(".", n=1)
        out.insert(0, "factor", split.str[0])
        out.insert(1, "occasion", [labels[t] for t in split.str[1]])
        out.insert(2, "reference", labels["t1"])
        return out.reset_index(drop=True)

    out.attrs.update(syntax=syntax, occasions=labels, counts=counts,
                     nobs={n: f.n for n, f in fits.items()},
                     warnings={n: list(f.warnings) for n, f in fits.items()},
                     score_tests=_rejected_score_tests(out, fits, score_tests),
                     latent_means=_scalar_latent_means(out, fits, latent_means))
    return out


def _score_tests(fit: CFAResult, where: Callable[[int], tuple[str, Any]], reference: Any,
                 unit: str) -> pd.DataFrame:
    """Score tests of an invariance step's constraints, each named by its parameter as the
    partial argument (``group_partial``, ``long_partial``) takes it and by the group or
    occasion (column ``unit``) compared with ``reference`` (the first): the equality
    constraints (:func:`equality_score_tests`, ``test`` "equality") and, for ordered items,
    the later intercepts and (theta) residual variances held equal by being fixed (their
    modification indices, ``test`` "fixed"). ``where(i)`` gives the name and the group or
    occasion of row ``i`` of the parameter table."""
    pt = state_of(fit).pt
    tab = equality_score_tests(fit).to_frame()
    row_of = {lab: i for i, lab in enumerate(pt.plabel)}
    first = [where(row_of[a]) for a in tab.lhs]
    later = [where(row_of[b]) for b in tab.rhs]
    out = pd.DataFrame({"parameter": [p for p, _ in first], "reference": [u for _, u in first],
                        unit: [u for _, u in later], "test": "equality",
                        "lhs": tab.lhs, "op": tab.op, "rhs": tab.rhs, "X2": tab.X2,
                        "df": tab.df, "pvalue": tab.pvalue})
    if not isinstance(state_of(fit).model, OrdinalModel):
        return out
    # a later intercept fixed at 0 is testable only when equal to the first one (all its
    # thresholds free, it is not identified and has no modification index); theta: a later
    # residual variance fixed at 1 is held equal when it shares the first one's label (the
    # strict step), not when it is fixed to identify the scale of y*
    mi = modification_indices(fit, standardized=False)
    theta = pt.parameterization == "theta"
    at = {(pt.lhs[i], pt.op[i], pt.rhs[i], pt.group[i]): i for i in range(len(pt))
          if pt.free[i] == 0 and pt.lhs[i] in pt.ov
          and (pt.op[i] == "~1" or theta and pt.op[i] == "~~" and pt.lhs[i] == pt.rhs[i])}
    first_label = {where(i)[0]: pt.label[i] for i in at.values()
                   if pt.op[i] == "~~" and where(i)[1] == reference}
    rows = []
    for k, key in enumerate(zip(mi.lhs, mi.op, mi.rhs, mi.group)):
        if key not in at:
            continue
        i = at[key]
        name, u = where(i)
        if u != reference and (pt.op[i] == "~1" or pt.label[i]
                               and pt.label[i] == first_label.get(name)):
            rows.append((k, name, u))
    mi = mi.iloc[[k for k, _, _ in rows]]
    return pd.concat([out, pd.DataFrame({
        "parameter": [n for _, n, _ in rows], "reference": reference,
        unit: [u for _, _, u in rows], "test": "fixed",
        "lhs": mi.lhs.to_numpy(), "op": mi.op.to_numpy(), "rhs": mi.rhs.to_numpy(),
        "X2": mi.mi.to_numpy(), "df": 1, "pvalue": stats.chi2.sf(mi.mi.to_numpy(), 1)})],
        ignore_index=True)


def _rejected_score_tests(table: pd.DataFrame, fits: Mapping[str, CFAResult],
                          tests: Callable[[CFAResult], pd.DataFrame]) -> _StepTables:
    """``tests`` of each converged step of an invariance table that Chen's (2007) criteria
    reject."""
    return _StepTables({m: tests(fits[m]) for m, ok in zip(table.model, table.supported)
                        if ok is not pd.NA and not ok and fits[m].converged})


class _StepTables(dict):
    """Tables by invariance step (``attrs["score_tests"]``, ``attrs["latent_means"]``), equal
    when their tables are: pandas compares the attrs of the frames it combines (``astype``,
    ``concat``), and a DataFrame's ``==`` is not a truth value."""

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, Mapping) and self.keys() == other.keys()
                and all(isinstance(other[k], pd.DataFrame) and v.equals(other[k])
                        for k, v in self.items()))

    def __ne__(self, other: object) -> bool:
        return not self == other


def _thresholds_over_occasions(wide: pd.DataFrame, items: Sequence[str],
                               occasions: Sequence[Any]) -> dict[str, int]:
    """Number of thresholds of each ordered item, checked to be the same categories at every
    occasion in the complete rows (WLSMV's listwise data)."""
    complete = wide.dropna()
    n_thr, bad = {}, []
    for v in items:
        cats = [sorted(pd.unique(complete[f"{v}.t{k}"])) for k in range(1, len(occasions) + 1)]
        if any(c != cats[0] for c in cats):
            bad.append(f"{v}: " + "; ".join(f"{o!r} " + ", ".join(f"{x:g}" for x in c)
                                            for o, c in zip(occasions, cats)))
        n_thr[v] = len(cats[0]) - 1
    if bad:
        raise ValueError("ordered items need the same categories at every occasion (their "
                         "thresholds are equated; collapse rare categories):\n  "
                         + "\n  ".join(bad))
    return n_thr
