"""WLSMV for ordered items (analysis.stats.sem.cfa(ordered=...)) and ordinal measurement
invariance against lavaan 0.6.14 and semTools 0.5.6.

Reference: tests/fixtures/r/wlsmv.json made by tests/r/wlsmv.R from the committed skewed
synthetic 1–5 items (n = 900, 748 complete rows; 'half' = rows 1–450 vs 451–900) and
psych's bfi (listwise on the model's items, as lavaan's WLSMV default).

Tolerances (issue 11): fit measures ±0.001, χ²-type statistics (χ², scaled χ², baselines,
the shift parameter, χ² differences) ±0.05, estimates and standardized estimates ±0.001,
thresholds ±0.002, SEs ±0.002. Observed agreement is ~1e-5 or better (lavaan's optimiser
tolerance; the polychoric correlations agree to ~1e-8), so each bound still fails on a
formula error: SEs divided by N instead of N − G change by ~0.07 % (caught through z,
compared at 1e-4 relative + 1e-3 absolute: z ≈ 16 moves by 0.011), a weight of n_g
instead of n_g − 1 moves χ² by ~0.2–0.4.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.datasets import load as load_example
from analysis.stats.sem import cfa, invariance, measurement_syntax

HERE = Path(__file__).parent
FIX = json.loads((HERE / "fixtures/r/wlsmv.json").read_text())
CHISQ = {"chisq", "chisq.scaled", "baseline.chisq", "baseline.chisq.scaled",
         "chisq.shift.parameters"}


@pytest.fixture(scope="module")
def data() -> dict[str, pd.DataFrame]:
    skewed = load_example("ordinal_skewed")
    skewed["half"] = np.repeat(["first", "second"], 450)
    return {"skewed": skewed, "bfi": pd.read_csv(HERE / "fixtures/data/bfi.csv")}


@pytest.fixture(scope="module")
def results(data):
    out = {}
    for name, case in FIX["cases"].items():
        a = case["args"]
        ge = [g for g in ([a["group_equal"]] if isinstance(a["group_equal"], str)
                          else a["group_equal"]) if g]
        out[name] = cfa(data[a["data"]], a["model"], ordered=True, group=a["group"],
                        group_equal=ge, std_lv=a["std_lv"])
    return out


def _check_fit(fit: dict, ref: dict) -> None:
    for key, want in ref.items():
        assert fit[key] == pytest.approx(want, abs=0.05 if key in CHISQ else 0.001), key


def _check_estimates(mine: pd.DataFrame, ref: pd.DataFrame) -> None:
    keys = ["lhs", "op", "rhs", "group"]
    mine = mine.set_index(keys).loc[pd.MultiIndex.from_frame(ref[keys])]
    est_tol = np.where(ref.op == "|", 0.002, 0.001)
    assert np.all(np.abs(mine.est.to_numpy() - ref.est.to_numpy()) <= est_tol)
    np.testing.assert_allclose(mine.se, ref.se, atol=0.002, rtol=0)
    np.testing.assert_allclose(mine.std_all, ref["std.all"].astype(float), atol=0.001, rtol=0)
    z = ref.z.astype(float)
    np.testing.assert_allclose(mine.z[z.notna().to_numpy()], z[z.notna()], rtol=1e-4, atol=1e-3)


def test_fixture_versions():
    assert (FIX["lavaan_version"], FIX["semtools_version"]) == ("0.6.14", "0.5.6")


@pytest.mark.parametrize("name", list(FIX["cases"]))
def test_fit_measures_match_lavaan(results, name):
    res, case = results[name], FIX["cases"][name]
    assert res.converged and res.admissible and res.estimator == "WLSMV"
    assert res.n == sum(np.atleast_1d(case["nobs"]))
    _check_fit(res.fit, case["fit"])


@pytest.mark.parametrize("name", list(FIX["cases"]))
def test_estimates_match_lavaan_in_lavaans_order(results, name):
    res, case = results[name], FIX["cases"][name]
    ref = pd.DataFrame(case["estimates"])
    mine = res.estimates
    assert list(zip(mine.lhs, mine.op, mine.rhs, mine.group)) == \
        list(zip(ref.lhs, ref.op, ref.rhs, ref.group))
    _check_estimates(mine, ref)
    assert res.group_labels == tuple(np.atleast_1d(case["group_labels"])) or not res.group_labels


def test_thresholds_and_residual_variances_of_the_latent_responses(results):
    """Single group: the thresholds are the sample thresholds (a saturated threshold
    structure) and each residual variance is 1 − the standardized loading squared."""
    e = results["skewed_one"].estimates
    th = e[e.op == "|"]
    assert th.rhs.tolist()[:4] == ["t1", "t2", "t3", "t4"] and len(th) == 40
    resid = e[(e.op == "~~") & (e.lhs == e.rhs) & e.lhs.str.startswith("q")].est.to_numpy()
    load = e[e.op == "=~"].std_all.to_numpy()
    np.testing.assert_allclose(resid, 1 - load ** 2, atol=1e-12)


@pytest.mark.parametrize("name", list(FIX["invariance"]))
def test_ordinal_invariance_matches_semtools_and_lavtestlrt(data, name):
    inv = FIX["invariance"][name]
    a = inv["steps"]["configural"]["args"]
    out = invariance(data[a["data"]], a["model"], a["group"], ordered=True)
    syntax, out = out.attrs["syntax"], out.set_index("model")
    assert out.index.tolist() == ["configural", "thresholds", "metric", "scalar"]
    for step, case in inv["steps"].items():
        lines = lambda t: [x.strip() for x in t.splitlines() if x.strip()]  # noqa: E731
        assert lines(syntax[step]) == lines(case["args"]["syntax"])
        for key in out.columns.intersection(list(case["fit"])):
            tol = 0.05 if key in CHISQ else 0.001
            assert out.loc[step, key] == pytest.approx(case["fit"][key], abs=tol), (step, key)
    for test in inv["lrt"]:
        row = out.loc[test["h0"]]
        assert test["method"] == "satorra.2000" and row.compared_with == test["h1"]
        assert row.chisq_diff == pytest.approx(test["chisq_diff"], abs=0.05)
        assert row.df_diff == test["df_diff"]
        assert row.p_diff == pytest.approx(test["p_diff"], abs=0.001)
    assert pd.isna(out.loc["thresholds", "supported"])


@pytest.mark.parametrize("name", list(FIX["invariance"]))
def test_measeq_syntax_fits_match_lavaan(data, name):
    """lavaan's estimates of each semTools step (user rows with c() modifiers, scaling
    factors and intercepts free in group 2)."""
    for step, case in FIX["invariance"][name]["steps"].items():
        a = case["args"]
        res = cfa(data[a["data"]], a["syntax"], group=a["group"], ordered=True)
        assert res.converged, step
        _check_estimates(res.estimates, pd.DataFrame(case["estimates"]))


def test_measurement_syntax_follows_wu_estabrook_rules():
    """Binary items: equal thresholds free the intercept but not the scaling factor."""
    text = measurement_syntax("f =~ a + b + c", {"a": 1, "b": 3, "c": 1}, 3,
                              ["thresholds", "loadings"])
    assert "a ~*~ c(1, 1, 1)*a" in text and "b ~*~ c(1, NA, NA)*b" in text
    assert "a ~ c(0, NA, NA)*1 + c(nu.1.g1, nu.1.g2, nu.1.g3)*1" in text
    assert "f ~~ c(1, NA, NA)*f" in text and "f ~ c(0, 0, 0)*1" in text
    scalar = measurement_syntax("f =~ a + b + c", {"a": 1, "b": 3, "c": 1}, 2,
                                ["thresholds", "loadings", "intercepts"])
    assert "a ~*~ c(1, NA)*a" in scalar and "f ~ c(0, NA)*1" in scalar
    with pytest.raises(ValueError, match="first-order factor model"):
        measurement_syntax("f =~ a + 1*b", {"a": 1, "b": 1}, 2)


def test_wlsmv_needs_ordered_items_and_vice_versa(data):
    x = data["skewed"]
    with pytest.raises(ValueError, match="estimator='WLSMV' is for ordered items"):
        cfa(x, "f =~ q1 + q2 + q3", estimator="WLSMV")
    with pytest.raises(ValueError, match="fitted by estimator='WLSMV'"):
        cfa(x, "f =~ q1 + q2 + q3", estimator="ML", ordered=True)
    with pytest.raises(ValueError, match=r"\['q3'\] are not"):
        cfa(x, "f =~ q1 + q2 + q3", ordered=["q1", "q2"])
    with pytest.raises(ValueError, match="missing='listwise'"):
        cfa(x, "f =~ q1 + q2 + q3", ordered=True, missing="ml")
    with pytest.raises(ValueError, match="residual variance of the ordered item"):
        cfa(x, "f =~ q1 + q2 + q3\nq1 ~~ q1", ordered=True)


def test_every_category_needed_in_every_group(data):
    x = data["skewed"][["q1", "q2", "q3"]].dropna().copy()
    x["g"] = np.where(np.arange(len(x)) < 300, "a", "b")
    x.loc[(x.g == "b") & (x.q1 == 1), "q1"] = 2
    with pytest.raises(ValueError, match=r"'q1' has no answers in category \[1.0\] in group 'b'"):
        cfa(x, "f =~ q1 + q2 + q3", ordered=True, group="g")


def test_ordered_list_equals_ordered_true(data, results):
    x = data["skewed"]
    m = FIX["cases"]["skewed_one"]["args"]["model"]
    r = cfa(x, m, ordered=[f"q{i}" for i in range(1, 11)], estimator="wlsmv")
    assert r.fit["chisq.scaled"] == results["skewed_one"].fit["chisq.scaled"]
