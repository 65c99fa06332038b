"""Partial and strict invariance, latent mean differences and score tests of equality
constraints against lavaan 0.6.14 (cfa(group.partial=), lavTestLRT, lavTestScore).

References: tests/fixtures/r/partial.json made by tests/r/partial.R: HolzingerSwineford1939
by school (complete data; intercepts of x3 and x7 freed, the classic partial scalar model)
and the synthetic survey by setting with FIML (finance intercept and friends loading
freed — the two parameters the generator makes differ).

Tolerances (issue 10): χ² ±0.02, fit indices, estimates, score statistics ±0.001 — the
score tests are quadratic forms of the gradient at the optimum (~1e-6 in lavaan's
convergence), agreement observed ~1e-4 —, standard errors ±0.002.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from lavaan_compare import assert_rows_and_estimates

from analysis.datasets import load as load_example
from analysis.stats.sem import (
    cfa,
    equality_score_tests,
    invariance,
    latent_mean_differences,
)

HERE = Path(__file__).parent
FIX = json.loads((HERE / "fixtures/r/partial.json").read_text())
DATA = {"hs": load_example("holzinger_swineford_1939"),
        "sv": pd.read_csv(HERE / "fixtures/data/survey_missing.csv")}
PARTIAL = {"hs": ["x3 ~1", "x7~1"], "sv": ["sat_finances~1", "social =~ sat_friends"]}


def _args(case):
    a = case["args"]
    as_list = lambda v: [x for x in ([v] if isinstance(v, str) else v) if x]  # noqa: E731
    return dict(data=DATA[a["data"]], model=a["model"], group=a["group"], missing=a["missing"],
                estimator=a["estimator"], group_equal=as_list(a["group_equal"]),
                group_partial=as_list(a["group_partial"]))


PARTIAL_CASES = [k for k in FIX["cases"] if "partial" in k]


@pytest.mark.parametrize("name", PARTIAL_CASES)
def test_group_partial_fits_match_lavaan(name):
    case = FIX["cases"][name]
    a = _args(case)
    res = cfa(a.pop("data"), a.pop("model"), **a)
    assert res.converged and res.admissible
    for key, want in case["fit"].items():
        assert res.fit[key] == pytest.approx(want, abs=0.02 if "chisq" in key else 0.001), key
    ref = pd.DataFrame(case["estimates"])
    mine = res.estimates
    assert_rows_and_estimates(mine, ref, keys=("lhs", "op", "rhs", "group", "label"))


def test_group_partial_frees_exactly_the_named_parameters():
    case = FIX["cases"]["hs_ml_scalar_partial"]
    a = _args(case)
    model = a.pop("model")
    e = cfa(a.pop("data"), model, **a).estimates
    g2 = e[e.group == 2].set_index(["lhs", "op"])
    assert g2.loc[("x3", "~1"), "label"] == "" and g2.loc[("x7", "~1"), "label"] == ""
    assert g2.loc[("x1", "~1"), "label"] == ".p25."     # still equal to group 1 (row 25)
    with pytest.raises(ValueError, match=r"group_partial \['x3~~1'\] match no parameter"):
        cfa(DATA["hs"], model, group="school", group_equal=["loadings"],
            group_partial=["x3~~1"])


@pytest.mark.parametrize("data, est", [("hs", "ML"), ("hs", "MLR"), ("sv", "ML"), ("sv", "MLR")])
def test_invariance_with_partial_scalar_and_strict(data, est):
    base = FIX["cases"][f"{data}_ml_configural"]["args"]
    tab = invariance(DATA[data], base["model"], base["group"], est, missing=base["missing"],
                     group_partial=PARTIAL[data], strict=True).set_index("model")
    steps = ["configural", "metric", "scalar", "scalar (partial)", "strict"]
    assert list(tab.index) == steps
    assert list(tab.compared_with) == ["", "configural", "metric", "metric", "scalar (partial)"]
    k = f"{data}_{est.lower()}_"
    cases = {"configural": "configural", "metric": "metric", "scalar": "scalar",
             "scalar (partial)": "scalar_partial", "strict": "strict_partial"}
    cfi, rmsea = ("cfi.robust", "rmsea.robust") if est == "MLR" else ("cfi", "rmsea")
    for step, case in cases.items():
        ref = FIX["cases"][k + case]["fit"]
        for col in ("npar", "chisq", "df", "cfi", "rmsea", "srmr", cfi, rmsea):
            assert tab.loc[step, col] == pytest.approx(ref[col], abs=0.02 if col == "chisq"
                                                       else 0.001), (step, col)
    for step, case in (("scalar (partial)", "scalar_partial"), ("strict", "strict_partial")):
        want = FIX["lrt"][k + case]
        assert tab.loc[step, "chisq_diff"] == pytest.approx(want["chisq_diff"], abs=0.02)
        assert tab.loc[step, "df_diff"] == want["df_diff"]
        assert tab.loc[step, "p_diff"] == pytest.approx(want["p_diff"], abs=0.001)
        prev = tab.loc[step, "compared_with"]
        d = tab.loc[step, cfi] - tab.loc[prev, cfi]
        assert tab.loc[step, "delta_cfi"] == pytest.approx(d, abs=1e-12)


def test_partial_metric_step():
    a = FIX["cases"]["sv_ml_configural"]["args"]
    tab = invariance(DATA["sv"], a["model"], "setting", missing="ml",
                     group_partial=PARTIAL["sv"], partial_step="metric").set_index("model")
    assert list(tab.index) == ["configural", "metric", "metric (partial)", "scalar"]
    ref = FIX["cases"]["sv_ml_metric_partial"]["fit"]
    assert tab.loc["metric (partial)", "chisq"] == pytest.approx(ref["chisq"], abs=0.02)
    want = FIX["lrt"]["sv_ml_metric_partial"]
    assert tab.loc["metric (partial)", "chisq_diff"] == pytest.approx(want["chisq_diff"], abs=0.02)
    # the scalar step after a partial metric step keeps the friends loading free
    ref = FIX["cases"]["sv_ml_scalar_partial"]["fit"]
    assert tab.loc["scalar", "chisq"] == pytest.approx(ref["chisq"], abs=0.02)


@pytest.mark.parametrize("data", ["hs", "sv"])
def test_latent_mean_differences_match_lavaan(data):
    case = FIX["cases"][f"{data}_ml_scalar_partial"]
    a = _args(case)
    got = latent_mean_differences(a["data"], a["model"], a["group"], missing=a["missing"],
                                  group_partial=PARTIAL[data])
    ref = pd.DataFrame(case["estimates"])
    ref = ref[(ref.op == "~1") & (ref.group == 2) & ref.lhs.isin(got.factor)]
    assert list(got.factor) == list(ref.lhs)
    np.testing.assert_allclose(got.est, ref.est, atol=1e-3)
    np.testing.assert_allclose(got.se, ref.se, atol=2e-3)
    np.testing.assert_allclose(got.z, ref.z, atol=1e-2)
    np.testing.assert_allclose(got.std_all, ref["std.all"], atol=1e-3)
    assert (got.reference == got.reference[0]).all() and (got.group == 2).all()


def test_latent_means_attached_only_when_scalar_holds():
    hs = FIX["cases"]["hs_ml_configural"]["args"]
    full = invariance(DATA["hs"], hs["model"], "school")
    assert full.attrs["latent_means"] == {}
    full = full.set_index("model")
    assert not full.loc["scalar", "supported"]
    part = invariance(DATA["hs"], hs["model"], "school", group_partial=PARTIAL["hs"])
    assert bool(part.set_index("model").loc["scalar (partial)", "supported"])     # ΔCFI −0.007 ≥ −0.010
    lm = part.attrs["latent_means"]["scalar (partial)"]
    want = latent_mean_differences(DATA["hs"], hs["model"], "school",
                                   group_partial=PARTIAL["hs"])
    pd.testing.assert_frame_equal(lm, want)
    # a table carrying latent means can be combined and converted (pandas compares attrs)
    assert part.astype({"df": int})["df"].tolist() == part["df"].astype(int).tolist()
    assert len(pd.concat([part, part.copy()])) == 2 * len(part)


@pytest.mark.parametrize("name, case", [("hs_scalar", "hs_ml_scalar"),
                                        ("sv_scalar", "sv_ml_scalar"),
                                        ("hs_metric", "hs_ml_metric")])
def test_equality_score_tests_match_lavTestScore(name, case):
    a = _args(FIX["cases"][case])
    res = cfa(a.pop("data"), a.pop("model"), **a)
    got = equality_score_tests(res)
    ref = FIX["score"][name]
    assert (got.df, got.X2, got.pvalue) == (ref["total"]["df"], pytest.approx(
        ref["total"]["X2"], abs=1e-3), pytest.approx(ref["total"]["pvalue"], abs=1e-3))
    uni = pd.DataFrame(ref["uni"])
    tab = got.to_frame()
    assert list(zip(tab.lhs, tab.rhs)) == list(zip(uni.lhs, uni.rhs))
    np.testing.assert_allclose(tab.X2, uni.X2, atol=1e-3)
    np.testing.assert_allclose(tab.pvalue, uni["p.value"], atol=1e-3)
    # the largest univariate statistic points at a parameter that differs by design
    top = tab.loc[tab.X2.idxmax(), "parameter"]
    assert top in {"hs_scalar": {"x3~1", "x7~1"}, "sv_scalar": {"sat_finances~1"},
                   "hs_metric": {"textual=~x5"}}[name]
