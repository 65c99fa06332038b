"""Measurement invariance across groups: the sequence of constrained multi-group fits of
semTools' ``measEq.syntax`` (Wu & Estabrook 2016 for ordered items), lavaan's χ² difference
tests (Satorra 2000 for WLSMV) and Chen's (2007) criteria; latent mean differences. Import the
functions from :mod:`analysis.stats.sem`.
"""
from __future__ import annotations

from typing import Any, Iterable, Literal, Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import stats

from analysis.stats import _sem_ordinal
from analysis.stats._sem_cfa import (
    CFAResult,
    Estimator,
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
from analysis.stats.criteria import limits
from analysis.stats.lavaan_syntax import ModelSyntaxError, parse_model

#: Chen (2007) cut-offs per invariance step, from the criteria table (analysis.stats.criteria).
CHEN_2007 = limits("cross-cultural validity / measurement invariance")
#: The invariance steps a partial model (``group_partial``) can relax.
PartialStep = Literal["metric", "scalar", "strict"]


@one_blas_thread
def invariance(data: pd.DataFrame, model: str, group: str, estimator: Estimator | None = None, *,
               group_partial: Iterable[str] = (), partial_step: PartialStep = "scalar",
               strict: bool = False, **kwargs: Any) -> pd.DataFrame:
    """Measurement invariance across groups: configural, metric, scalar (and strict) steps;
    for ordered items configural, thresholds, metric and scalar.

    Continuous items: fits the model with no equality constraints (configural), equal
    loadings (metric), equal loadings and intercepts (scalar; latent means then free in
    groups 2+) and also equal residual variances (strict), as ``lavaan::cfa(..., group=,
    group.equal=)``. With ``group_partial`` a partial step (e.g. ``"scalar (partial)"``)
    follows the step named by ``partial_step``: the same constraints except the listed
    parameters (lavaan ``group.partial``); later steps keep those parameters free.

    Ordered items (``ordered=`` among the keyword arguments; estimator WLSMV): the models
    of ``semTools::measEq.syntax(..., ordered=, parameterization = "delta", ID.fac =
    "std.lv", ID.cat = "Wu.Estabrook.2016", group.equal=)`` (Wu & Estabrook 2016):
    ``configural`` (thresholds and loadings free; intercepts 0, scaling factors 1, factor
    means 0 and variances 1 in every group), ``thresholds`` (equal thresholds; intercepts
    and scaling factors then free in groups 2+, a scaling factor only for items with two or
    more thresholds), ``metric`` (also equal loadings; factor variances free in groups 2+)
    and ``scalar`` (also equal intercepts, fixed to 0; factor means free in groups 2+). The
    lavaan syntax of each step is in ``.attrs["syntax"]``. The model must be a
    first-order factor model of the items (loadings, factor covariances, residual
    covariances) without modifiers; ``group_partial`` and ``strict`` are not available.

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
    holds :func:`latent_mean_differences` of that model.

    Parameters
    ----------
    data, model, group, estimator
        As for :func:`cfa`; extra keyword arguments (``std_lv``, ``orthogonal``,
        ``missing``, ``ordered``) are passed on.
    group_partial : iterable of str
        Parameters to free in the partial step, lavaan ``group.partial`` names.
    partial_step : {"metric", "scalar", "strict"}
        The step the partial model relaxes.
    strict : bool
        Include the strict (equal residual variances) step.

    Returns
    -------
    DataFrame, one row per step, named in its first column ``model`` (``configural, metric,
    scalar[, scalar (partial)], strict``; ordered items ``configural, thresholds, metric,
    scalar``), then the fit measures and the comparison with ``compared_with``.

    Examples
    --------
    >>> from analysis.stats.sem import invariance, latent_mean_differences, measurement_syntax
    >>> from analysis import datasets
    >>> hs = datasets.load("holzinger_swineford_1939")
    >>> m = "visual =~ x1 + x2 + x3\\ntextual =~ x4 + x5 + x6\\nspeed =~ x7 + x8 + x9"
    >>> inv = invariance(hs, m, "school", strict=True)
    >>> inv[["model", "df"]].astype({"df": int}).values.tolist()
    [['configural', 48], ['metric', 54], ['scalar', 60], ['strict', 69]]
    """
    if is_ordered(kwargs.get("ordered")):
        if group_partial or strict:
            raise ValueError("invariance of ordered items: group_partial and strict are not "
                             "available (configural, thresholds, metric and scalar steps)")
        return _invariance_ordinal(data, model, group, estimator, **kwargs)
    base_steps = {"configural": (), "metric": ("loadings",),
                  "scalar": ("loadings", "intercepts"),
                  "strict": ("loadings", "intercepts", "residuals")}
    if not strict:
        base_steps.pop("strict")
    group_partial = tuple([group_partial] if isinstance(group_partial, str) else group_partial)
    if group_partial and partial_step not in base_steps or partial_step == "configural":
        raise ValueError(f"partial_step={partial_step!r}; expected one of "
                         f"{[s for s in base_steps if s != 'configural']}")
    # (step, group_equal, group_partial, the step it is nested in)
    plan: list[tuple[str, tuple, tuple, str | None]] = []
    for name, ge in base_steps.items():
        partial = group_partial if any(p[0].endswith("(partial)") for p in plan) else ()
        plan.append((name, ge, partial, plan[-1][0] if plan else None))
        if group_partial and name == partial_step:
            plan.append((f"{name} (partial)", ge, group_partial, plan[-1][3]))
    fits = {name: cfa(data, model, estimator=estimator, group=group, group_equal=ge,
                      group_partial=gp, **kwargs) for name, ge, gp, _ in plan}
    robust = str(estimator).upper() == "MLR"
    cols = ["npar", "chisq", "df", "pvalue", "cfi", "tli", "rmsea", "rmsea.ci.lower",
            "rmsea.ci.upper", "srmr", "aic", "bic"]
    if robust:
        cols += ["chisq.scaled", "chisq.scaling.factor", "pvalue.scaled", "cfi.robust",
                 "tli.robust", "rmsea.robust"]

    def difference(name: str, against: str) -> tuple[float, float]:
        f, pf = fits[name].fit, fits[against].fit
        ddf = f["df"] - pf["df"]
        if not robust:
            return f["chisq"] - pf["chisq"], ddf
        cd = (f["df"] * f["chisq.scaling.factor"] - pf["df"] * pf["chisq.scaling.factor"]) / ddf
        return (f["chisq"] - pf["chisq"]) / cd, ddf

    out = _invariance_table(fits, [(p[0], p[3]) for p in plan], cols,
                            ("cfi.robust", "rmsea.robust") if robust else ("cfi", "rmsea"),
                            difference)
    supported = out.set_index("model")["supported"]
    scalar = [s for s in ("scalar (partial)", "scalar") if s in supported.index
              and supported[s] is not pd.NA and bool(supported[s])]
    out.attrs["latent_means"] = (_latent_means(fits[scalar[0]]) if scalar else None)
    return out


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


#: Ordered-item invariance steps: semTools group.equal of each (Wu & Estabrook 2016).
ORDINAL_STEPS = {"configural": (), "thresholds": ("thresholds",),
                 "metric": ("thresholds", "loadings"),
                 "scalar": ("thresholds", "loadings", "intercepts")}


def _invariance_ordinal(data: pd.DataFrame, model: str, group: str, estimator: Estimator | None,
                        ordered, **kwargs: Any) -> pd.DataFrame:
    if str(estimator or "WLSMV").upper() != "WLSMV":
        raise ValueError(f"ordered items are fitted by estimator='WLSMV', not {estimator!r}")
    if kwargs.pop("missing", "listwise") != "listwise":
        raise ValueError("invariance of ordered items uses the complete rows (missing='listwise')")
    if kwargs:
        raise ValueError(f"invariance of ordered items: {sorted(kwargs)} do not apply (the "
                         "steps fix the identification: unit factor variances in group 1)")
    ov, _ = observed_variables(parse_model(model))
    parts, _, _ = prepare(data, ov, [], group, "listwise")
    rows = np.vstack(parts)
    n_thr = {v: len(np.unique(rows[:, j])) - 1 for j, v in enumerate(ov)}
    syntax = {name: measurement_syntax(model, n_thr, len(parts), ge)
              for name, ge in ORDINAL_STEPS.items()}
    cache: dict = {}
    fits = {}
    for name, text in syntax.items():
        stmts = parse_model(text)
        fits[name] = cfa_ordinal(data, text, stmts, *observed_variables(stmts), ordered,
                                  group=group, cache=cache)
    names = list(ORDINAL_STEPS)
    plan = [(name, names[i - 1] if i else None) for i, name in enumerate(names)]
    cols = ["npar", "chisq", "df", "pvalue", "chisq.scaled", "df.scaled", "pvalue.scaled",
            "chisq.scaling.factor", "chisq.shift.parameters", "cfi.scaled", "tli.scaled",
            "rmsea.scaled", "srmr"]

    def difference(name: str, against: str) -> tuple[float, float]:
        h1, h0 = fits[against], fits[name]
        stat, df, _ = _sem_ordinal.difference_test(
            *_wlsmv(h1), h1.fit["chisq"], h1.fit["df"], *_wlsmv(h0), h0.fit["chisq"], h0.fit["df"])
        return stat, df

    out = _invariance_table(fits, plan, cols, ("cfi.scaled", "rmsea.scaled"), difference)
    out.attrs["syntax"] = syntax
    ok = out.set_index("model").loc["scalar", "supported"]
    out.attrs["latent_means"] = _latent_means(fits["scalar"]) if ok is not pd.NA and ok else None
    return out


def _wlsmv(result: CFAResult) -> tuple[OrdinalModel, np.ndarray]:
    """The WLSMV model and estimates of a fitted step."""
    st = state_of(result)
    if not isinstance(st.model, OrdinalModel):
        raise TypeError("the Satorra (2000) difference test compares WLSMV fits")
    return st.model, st.theta


def measurement_syntax(model: str, n_thresholds: Mapping[str, int], ngroups: int,
                       group_equal: Iterable[str] = ()) -> str:
    """lavaan syntax of a multi-group model for ordered items, as ``semTools::measEq.syntax(
    model, ordered=, parameterization = "delta", ID.fac = "std.lv", ID.cat =
    "Wu.Estabrook.2016", group.equal=)`` writes it (same labels and sections).

    Factor variances are 1 and means 0 in the first group; thresholds, intercepts and
    loadings get one label per group (``.g1``, ``.g2``…) or a shared label when
    ``group_equal`` names them. Wu & Estabrook's rules for groups 2+: an item's intercept
    is free when its thresholds are equal and its intercepts are not; its scaling factor is
    free when two or more thresholds (or one threshold and the intercept) are equal; a
    factor's variance is free when its loadings are equal, its mean when the intercepts of
    its items are.

    Parameters
    ----------
    model : str
        A first-order factor model: ``=~`` from factors to items, optionally factor or
        residual covariances (``~~``), without modifiers.
    n_thresholds : mapping
        Number of thresholds (categories − 1) of each item.
    ngroups : int
    group_equal : iterable of str
        Some of ``"thresholds"``, ``"loadings"``, ``"intercepts"``, ``"means"``,
        ``"lv.variances"``, ``"lv.covariances"``, ``"residual.covariances"``.

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
    """
    equal = set(group_equal)
    G = ngroups
    stmts = [s for s in parse_model(model) if s.op in ("=~", "~~", "~1", "~", "|", "~*~")]
    lv = list(dict.fromkeys(s.lhs for s in stmts if s.op == "=~"))
    ov, _ = observed_variables(stmts)
    for st in stmts:
        plain = st.fixed is None and st.free is False and not st.label and st.start is None
        allowed = (st.op == "=~" and st.rhs in ov) or (
            st.op == "~~" and st.lhs != st.rhs
            and ({st.lhs, st.rhs} <= set(lv) or {st.lhs, st.rhs} <= set(ov)))
        if not (plain and allowed):
            raise ModelSyntaxError(
                f"model line {st.line}: invariance of ordered items takes a first-order factor "
                f"model ('=~' to items, '~~' between factors or between items) without "
                f"modifiers; '{st.lhs} {st.op} {st.rhs}' is not one")
    missing_thr = [v for v in ov if v not in n_thresholds]
    if missing_thr:
        raise ValueError(f"n_thresholds has no entry for {missing_thr}")

    def vec(values) -> str:
        return "c(" + ", ".join(values) + ")"

    def labels(base: str, same: bool) -> str:
        return vec([base] * G if same else [f"{base}.g{g + 1}" for g in range(G)])

    def first_then(first: str, rest: str) -> str:
        return vec([first] + [rest] * (G - 1))

    free = vec(["NA"] * G)
    item_no = {v: i + 1 for i, v in enumerate(ov)}
    fac_no = {f: j + 1 for j, f in enumerate(lv)}
    loads = [s for s in stmts if s.op == "=~"]
    factors_of = {v: [s.lhs for s in loads if s.rhs == v] for v in ov}
    eq_thr, eq_int = "thresholds" in equal, "intercepts" in equal
    out = ["## LOADINGS:"]
    out += [f"{s.lhs} =~ {free}*{s.rhs} + "
            f"{labels(f'lambda.{item_no[s.rhs]}_{fac_no[s.lhs]}', 'loadings' in equal)}*{s.rhs}"
            for s in loads]
    out += ["## THRESHOLDS:"]
    out += [f"{v} | {free}*t{k} + {labels(f'{v}.thr{k}', eq_thr)}*t{k}"
            for v in ov for k in range(1, n_thresholds[v] + 1)]
    out += ["## INTERCEPTS:"]
    out += [f"{v} ~ {first_then('0', 'NA' if eq_thr and not eq_int else '0')}*1 + "
            f"{labels(f'nu.{item_no[v]}', eq_int)}*1" for v in ov]
    out += ["## SCALING FACTORS:"]
    out += [f"{v} ~*~ {first_then('1', 'NA' if eq_thr and (n_thresholds[v] >= 2 or eq_int) else '1')}*{v}"
            for v in ov]
    out += ["## LATENT MEANS/INTERCEPTS:"]
    for f in lv:
        own = eq_int and any(factors_of[v] == [f] for v in ov)
        out.append(f"{f} ~ {first_then('0', 'NA' if own else '0')}*1 + "
                   f"{labels(f'alpha.{fac_no[f]}', 'means' in equal)}*1")
    out += ["## COMMON-FACTOR VARIANCES:"]
    out += [f"{f} ~~ {first_then('1', 'NA' if 'loadings' in equal else '1')}*{f} + "
            f"{labels(f'psi.{fac_no[f]}_{fac_no[f]}', 'lv.variances' in equal)}*{f}"
            for f in lv]
    lv_cov = [(a, b) for i, a in enumerate(lv) for b in lv[i + 1:]]
    if lv_cov:
        out += ["## COMMON-FACTOR COVARIANCES:"]
        out += [f"{a} ~~ {free}*{b} + "
                f"{labels(f'psi.{fac_no[b]}_{fac_no[a]}', 'lv.covariances' in equal)}*{b}"
                for a, b in lv_cov]
    resid = [(s.lhs, s.rhs) for s in stmts if s.op == "~~" and s.lhs in ov]
    if resid:
        out += ["## UNIQUE-FACTOR COVARIANCES:"]
        for a, b in resid:
            a, b = sorted((a, b), key=lambda v: item_no[v])
            out.append(f"{a} ~~ {free}*{b} + "
                       f"{labels(f'theta.{item_no[b]}_{item_no[a]}', 'residual.covariances' in equal)}*{b}")
    return "\n".join(out)


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
