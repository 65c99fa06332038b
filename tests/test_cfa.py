"""CFA engine (analysis.stats.sem.cfa) against lavaan 0.6.14.

References: tests/fixtures/r/cfa.json made by tests/r/cfa.R from the committed CSVs, and
the published HolzingerSwineford1939 values in ../shared/REFERENCES.md.

Tolerances (issue 3): χ², log-likelihood, AIC and BIC ±0.01 (they are sums over ~300–900
cases, lavaan prints them to 3 decimals); every other fit measure, estimate, SE and
standardized estimate ±0.001. Observed agreement is ~1e-5 (lavaan's own convergence
tolerance), so these bounds still fail on any formula error (e.g. N−1 instead of N in
RMSEA changes it by ~2e-4·RMSEA·… and SE formulas by several %).
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from lavaan_compare import assert_rows_and_estimates

from analysis.datasets import load as load_example
from analysis.stats.lavaan_syntax import parse_model
from analysis.stats.sem import cfa

HERE = Path(__file__).parent
FIX = json.loads((HERE / "fixtures/r/cfa.json").read_text())
DATA = {"hs": load_example("holzinger_swineford_1939"),
        "dom": pd.read_csv(HERE / "fixtures/data/domains10.csv")}
HS = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
LOOSE = {"chisq", "logl", "unrestricted.logl", "aic", "bic", "baseline.chisq",
         "chisq.scaled", "baseline.chisq.scaled"}


def _fit_case(case: dict):
    a = case["args"]
    ge = a["group_equal"]
    ge = [g for g in ([ge] if isinstance(ge, str) else ge) if g]
    return cfa(DATA[a["data"]], a["model"], estimator=a["estimator"], group=a["group"],
               group_equal=ge, std_lv=a["std_lv"], orthogonal=a["orthogonal"])


@pytest.fixture(scope="module")
def results():
    return {name: _fit_case(case) for name, case in FIX["cases"].items()}


def test_fixture_from_lavaan_0_6_14():
    assert FIX["lavaan_version"] == "0.6.14"


@pytest.mark.parametrize("name", list(FIX["cases"]))
def test_fit_measures_match_lavaan(results, name):
    res, ref = results[name], FIX["cases"][name]["fit"]
    assert res.converged and not res.warnings
    for key, want in ref.items():
        tol = 0.01 if key in LOOSE else 0.001
        assert res.fit[key] == pytest.approx(want, abs=tol), key
    assert set(ref) <= set(res.fit)


@pytest.mark.parametrize("name", list(FIX["cases"]))
def test_estimates_match_lavaan(results, name):
    res, case = results[name], FIX["cases"][name]
    ref = pd.DataFrame(case["estimates"])
    mine = res.estimates
    assert list(mine.columns[:4]) == ["lhs", "op", "rhs", "group"]
    # same rows in the same order as lavaan's parameterEstimates
    assert_rows_and_estimates(mine, ref, se_tol=1e-3)
    z_ref = ref.z.astype(float)
    np.testing.assert_allclose(mine.z[z_ref.notna()], z_ref[z_ref.notna()], rtol=1e-3)
    assert mine.z[z_ref.isna()].isna().all()
    assert res.group_labels == tuple(case["group_labels"])


def test_published_holzinger_swineford_values():
    """REFERENCES.md values (lavaan tutorial), independent of our fixture script."""
    r = cfa(DATA["hs"], HS)
    f = r.fit
    want = {"chisq": 85.306, "df": 24, "baseline.chisq": 918.852, "baseline.df": 36,
            "cfi": 0.931, "tli": 0.896, "rmsea": 0.092, "rmsea.ci.lower": 0.071,
            "rmsea.ci.upper": 0.114, "srmr": 0.065, "logl": -3737.745, "aic": 7517.490,
            "bic": 7595.339}
    for k, v in want.items():
        assert f[k] == pytest.approx(v, abs=0.0006), k   # published to 3 decimals
    # RMSEA divides by N (lavaan), not N - 1 (semopy): hand computation
    assert f["rmsea"] == pytest.approx(np.sqrt((85.306 / 301) / 24 - 1 / 301), abs=2e-5)
    assert r.n == 301
    mlr = cfa(DATA["hs"], HS, estimator="MLR")
    assert mlr.fit["chisq.scaled"] == pytest.approx(87.132, abs=0.0006)
    assert mlr.fit["chisq.scaling.factor"] == pytest.approx(0.979, abs=0.0006)
    assert mlr.fit["chisq.scaled"] == pytest.approx(
        mlr.fit["chisq"] / mlr.fit["chisq.scaling.factor"], rel=1e-12)
    g = cfa(DATA["hs"], HS, group="school")
    assert (round(g.fit["chisq"], 3), g.fit["df"]) == (115.851, 48)


def test_implied_covariance_reproduces_loglik_by_hand():
    """logL = −n/2 [p log 2π + log|Σ| + tr(SΣ⁻¹)] recomputed from .implied."""
    r = cfa(DATA["hs"], HS)
    x = DATA["hs"][[f"x{i}" for i in range(1, 10)]].to_numpy()
    S = np.cov(x, rowvar=False, bias=True)
    Sig = r.implied["all"].to_numpy()
    ll = -301 / 2 * (9 * np.log(2 * np.pi) + np.linalg.slogdet(Sig)[1]
                     + np.trace(S @ np.linalg.inv(Sig)))
    assert r.fit["logl"] == pytest.approx(ll, abs=1e-8)


def _exact_cov_data(cov: np.ndarray, n: int, seed: int = 1) -> pd.DataFrame:
    """Data whose unbiased sample covariance equals ``cov`` exactly."""
    z = np.random.default_rng(seed).standard_normal((n, len(cov)))
    z -= z.mean(axis=0)
    z = z @ np.linalg.inv(np.linalg.cholesky(np.cov(z, rowvar=False)).T)
    x = z @ np.linalg.cholesky(cov).T
    return pd.DataFrame(x, columns=[f"y{i + 1}" for i in range(len(cov))])


def test_heywood_case_reported_and_matches_lavaan():
    ref = FIX["heywood"]
    cov = np.array(ref["args"]["cov"], dtype=float)
    data = _exact_cov_data(cov, ref["args"]["n"])
    r = cfa(data, ref["args"]["model"])
    assert r.converged
    want = pd.DataFrame(ref["estimates"])
    np.testing.assert_allclose(r.estimates.est, want.est, atol=1e-4)
    np.testing.assert_allclose(r.estimates.se, want.se, atol=1e-4)
    np.testing.assert_allclose(r.estimates.std_all, want["std.all"], atol=1e-4)
    # hand value: λ1² ψ = .8·.8/.5 · (199/200) -> θ1 = (1 - 1.28)·199/200
    assert r.estimates.est[3] == pytest.approx(-0.28 * 199 / 200, abs=1e-6)
    text = " | ".join(r.warnings)
    assert "negative residual variance for y1" in text
    assert "standardized loading f =~ y1" in text
    assert not r.admissible          # improper: lavaan's post-check fails too
    assert r.to_frame().equals(r.estimates)


def test_admissible_for_proper_solutions(results):
    assert all(res.admissible for res in results.values())


def test_bifactor_reaches_lavaans_proper_minimum():
    """Issue 10, item 6. A bifactor model (general + three specific factors) on the 10-domain
    data: Fisher scoring started from principal-axis loadings — this package's former
    optimiser — drifts into an improper region (a residual variance far below zero) and
    does not converge. cfa() starts from lavaan's values and checks a second optimiser
    path, and reaches lavaan's proper minimum (values compared in test_*_match_lavaan:
    case dom_bifactor3, chi-square 172.2076)."""
    from analysis.stats import _sem_start as S
    from analysis.stats._sem_engine import Model, make_sample
    from analysis.stats._sem_partable import build_partable, reparametrize
    case = FIX["cases"]["dom_bifactor3"]
    pt = build_partable(parse_model(case["args"]["model"]), 1, std_lv=True, orthogonal=True)
    model = Model(pt, [make_sample(DATA["dom"][pt.ov].to_numpy(float))],
                  *reparametrize(pt, np.nan_to_num(pt.value)), meanstructure=False)
    axis = S.alternative_starts(pt, model.samples, S.start_values(pt, model.samples))[1]
    theta0 = np.linalg.lstsq(model.K, S.x_from_rows(pt, axis), rcond=None)[0]
    theta, _ = model._fisher(theta0, None, None, 300)
    assert not model._converged(theta, None, None, 1e-6)
    variances = model.values(theta)[[o == "~~" for o in pt.op]]
    assert variances.min() < -5                      # improper, stuck
    assert model.N * model.objective(theta) > case["fit"]["chisq"] + 10
    res = cfa(DATA["dom"], case["args"]["model"], std_lv=True, orthogonal=True)
    assert res.admissible and not res.warnings
    assert res.fit["chisq"] == pytest.approx(case["fit"]["chisq"], abs=0.01)


def test_non_positive_definite_sample_returns_nan_not_traceback():
    data = DATA["hs"][["x1", "x2", "x3"]].copy()
    data["x4"] = data["x1"] + data["x2"]          # exact linear dependency
    r = cfa(data, "f =~ x1 + x2 + x3 + x4")
    assert not r.converged
    assert np.isnan(r.fit["chisq"]) and np.isnan(r.fit["cfi"])
    assert any("not positive definite" in w for w in r.warnings)
    free = r.estimates.se != 0
    assert r.estimates.est[free].isna().all() and (r.estimates.est[~free] == 1).all()


def test_constant_item_named():
    data = DATA["hs"][["x1", "x2", "x3"]].assign(x4=5.0)
    r = cfa(data, "f =~ x1 + x2 + x3 + x4")
    assert not r.converged and any("x4" in w for w in r.warnings)


def test_underidentified_model_reported():
    r = cfa(DATA["hs"], "f =~ x1 + x2")
    assert not r.converged
    assert any("not identified" in w and "df = -1" in w for w in r.warnings)


def test_listwise_deletion_is_reported():
    data = DATA["hs"].copy()
    data.loc[[3, 10], "x5"] = np.nan
    r = cfa(data, HS)
    assert r.n == 299 and r.fit["ntotal"] == 299
    assert any("2 of 301 rows" in w and "3, 10" in w for w in r.warnings)


def test_bad_input_names_row_column_value():
    data = DATA["hs"].copy().astype({"x2": object})
    data.loc[7, "x2"] = "seven"
    with pytest.raises(ValueError, match=r"row 7, column 'x2': value 'seven'"):
        cfa(data, HS)
    with pytest.raises(ValueError, match=r"no column\(s\) \['x10'\]"):
        cfa(DATA["hs"], "f =~ x1 + x2 + x10")
    with pytest.raises(ValueError, match="estimator"):
        cfa(DATA["hs"], HS, estimator="WLSMV")
    with pytest.raises(ValueError, match="group_equal"):
        cfa(DATA["hs"], HS, group="school", group_equal=["thresholds"])


def test_result_is_frozen():
    r = cfa(DATA["hs"], HS)
    with pytest.raises(AttributeError):
        r.converged = False  # type: ignore[misc]


def test_empirically_underidentified_model_warns_and_gives_nan_se():
    """Two factors with two indicators each and their covariance fixed to 0: df = 1 but
    each factor alone is not identified, so the information matrix is singular."""
    m = "f =~ x1 + x2\ng =~ x4 + x5\nf ~~ 0*g"
    r = cfa(DATA["hs"], m)
    assert any("singular" in w or "not converge" in w for w in r.warnings)
    assert r.estimates.loc[r.estimates.se != 0, "se"].isna().all()


def test_rmsea_of_a_missing_chisq_is_missing():
    # lavaan: rmsea.scaled is NA when the scaled statistic is; 0 would read as perfect fit
    from analysis.stats._sem_fit import rmsea
    assert np.isnan(rmsea(np.nan, 8, 700, 2)) and np.isnan(rmsea(30.0, np.nan, 700, 2))
    assert rmsea(30.0, 8, 700, 2) == pytest.approx(np.sqrt((30 / 700 / 8 - 1 / 700) * 2))
