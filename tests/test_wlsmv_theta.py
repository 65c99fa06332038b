"""WLSMV for ordered items in lavaan's theta parameterization
(``cfa(..., ordered=..., parameterization="theta")``) against lavaan 0.6.14 and semTools 0.5.6.

Reference: tests/fixtures/r/wlsmv_theta.json made by tests/r/wlsmv_theta.R from
tests/fixtures/data/ordinal_theta.csv (simulated there, seeded: 900 rows in groups 'a' and
'b'; five 4–5-category items on one factor, six 4-category items on two correlated factors,
five binary items). Cases: one factor; two factors with a factor covariance, also with a
residual covariance; binary items with ``std.lv``; two groups, configural and with
``group.equal = c("thresholds", "loadings")`` (residual variances free in group b); the
theta scalar step of ``semTools::measEq.syntax(..., ID.cat = "Wu.Estabrook.2016")``.

Tolerances, tighter than tests/test_wlsmv.py's (estimates ±0.001, SEs ±0.002) because the
observed agreement allows it. Observed maxima over all cases: estimates 2.6e-6
(thresholds 1.7e-6), SEs 1.0e-6, std.lv 2.0e-6, std.all 1.1e-6, z 2.2e-5, fit indices
1.1e-4 (rmsea.pvalue.scaled; the others ≤ 4.4e-5), χ²-type statistics 6.0e-5 — lavaan's
optimiser tolerance and the polychoric statistics (~1e-8) being the limits. Bounds:
estimates, standardized estimates and SEs ±1e-4, z ±1e-3, fit indices ±5e-4, χ²-type
±0.005: each ≥ 4× the observed difference. A scaling factor's derivative off by 10 % (the
theta branch of the Jacobian) moves the SEs by up to 0.13 and z by up to 2.8, so the
estimates test fails for every case, as does the finite-difference check of the Jacobian;
the estimates and the scaled χ² do not move, because in these models the error rescales
whole columns of the Jacobian (the same stationary point and column space).
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.stats.sem import ModelSyntaxError, cfa, sem, standardized_solution

HERE = Path(__file__).parent
FIX = json.loads((HERE / "fixtures/r/wlsmv_theta.json").read_text())
CHISQ = {"chisq", "chisq.scaled", "baseline.chisq", "baseline.chisq.scaled",
         "chisq.shift.parameters"}
SINGLE = ["one_factor", "two_factor", "two_factor_rescov", "binary_std_lv"]


@pytest.fixture(scope="module")
def data() -> pd.DataFrame:
    return pd.read_csv(HERE / "fixtures/data/ordinal_theta.csv")


def _fit(data: pd.DataFrame, args: dict, parameterization: str = "theta"):
    ge = [g for g in np.atleast_1d(args["group_equal"]) if g]
    return cfa(data, args["model"], ordered=True, group=args["group"], group_equal=ge,
               std_lv=args["std_lv"], parameterization=parameterization)


@pytest.fixture(scope="module")
def results(data):
    return {name: _fit(data, case["args"]) for name, case in FIX["cases"].items()}


def test_fixture_versions():
    assert (FIX["lavaan_version"], FIX["semtools_version"]) == ("0.6.14", "0.5.6")


@pytest.mark.parametrize("name", list(FIX["cases"]))
def test_fit_measures_match_lavaan(results, name):
    res, case = results[name], FIX["cases"][name]
    assert res.converged == case["converged"] is True and res.admissible
    assert res.n == sum(np.atleast_1d(case["nobs"]))
    assert res.group_labels == tuple(case["group_labels"])
    for key, want in case["fit"].items():
        assert res.fit[key] == pytest.approx(want, abs=0.005 if key in CHISQ else 5e-4), key


@pytest.mark.parametrize("name", list(FIX["cases"]))
def test_estimates_match_lavaan_in_lavaans_order(results, name):
    res, ref = results[name], pd.DataFrame(FIX["cases"][name]["estimates"])
    mine = res.estimates
    keys = ["lhs", "op", "rhs", "group"]
    assert mine[keys].to_numpy().tolist() == ref[keys].to_numpy().tolist()
    std_lv = standardized_solution(res, "std.lv").est_std
    for col, got in (("est", mine.est), ("se", mine.se), ("std.all", mine.std_all),
                     ("std.lv", std_lv)):
        np.testing.assert_allclose(got, ref[col].astype(float), atol=1e-4, rtol=0, err_msg=col)
    z = ref.z.astype(float)
    np.testing.assert_allclose(mine.z[z.notna().to_numpy()], z[z.notna()], atol=1e-3, rtol=0)


def test_theta_rows(results):
    """Residual variances of y* fixed to 1 in group 1 and free in group 2 with equal
    thresholds; scaling factors derived, 1/sqrt(var y*), shown fixed (SE 0), so that a
    standardized residual variance is the residual variance times delta²."""
    e = results["two_group_thresholds_loadings"].estimates
    resid = e[(e.op == "~~") & (e.lhs == e.rhs) & e.lhs.str.startswith("u")]
    assert (resid[resid.group == 1].est == 1).all() and (resid[resid.group == 1].se == 0).all()
    assert (resid[resid.group == 2].se > 0).all()
    scale = e[e.op == "~*~"]
    assert (scale.se == 0).all()
    np.testing.assert_allclose(resid.est.to_numpy() * scale.est.to_numpy() ** 2,
                               resid.std_all.to_numpy(), rtol=1e-12)


@pytest.mark.parametrize("name", SINGLE)
def test_single_group_fit_and_standardized_solution_equal_delta(data, results, name):
    """One group: theta is a rescaling of delta (lavaan: the same fit)."""
    theta, delta = results[name], _fit(data, FIX["cases"][name]["args"], "delta")
    for key, value in delta.fit.items():
        assert theta.fit[key] == pytest.approx(value, rel=1e-6, abs=1e-9), key
    np.testing.assert_allclose(theta.estimates.std_all, delta.estimates.std_all, atol=1e-6)


def test_jacobian_is_the_derivative_of_the_moments(results):
    """The theta branch of ``OrdinalModel.jacobian`` (the scaling factors' derivatives)
    against central differences, at the estimate of the two-group model."""
    st = results["two_group_thresholds_loadings"]._state
    mod, theta = st.model, st.theta
    h = 1e-6
    for g in range(2):
        num = np.column_stack([(mod.moments(theta + h * e, g) - mod.moments(theta - h * e, g))
                               / (2 * h) for e in np.eye(len(theta))])
        np.testing.assert_allclose(mod.jacobian(theta, g), num, atol=1e-7)


def test_sem_passes_the_parameterization_on(data, results):
    r = sem(data, FIX["cases"]["one_factor"]["args"]["model"], ordered=True,
            parameterization="theta")
    pd.testing.assert_frame_equal(r.estimates, results["one_factor"].estimates)


def test_parameterization_errors(data):
    m = "f =~ u1 + u2 + u3"
    with pytest.raises(ValueError, match="applies to ordered items"):
        cfa(data, m, parameterization="theta")
    with pytest.raises(ValueError, match=r"parameterization='Theta' is not supported"):
        cfa(data, m, ordered=True, parameterization="Theta")  # type: ignore[arg-type]
    with pytest.raises(ModelSyntaxError, match="not a parameter in the theta"):
        cfa(data, m + "\nu1 ~*~ u1", ordered=True, parameterization="theta")
    with pytest.raises(ModelSyntaxError, match="parameterization='theta'"):
        cfa(data, m + "\nu1 ~~ u1", ordered=True)
