"""Full-information ML (cfa/sem with missing="ml" / "ml.x") against lavaan 0.6.14.

References: tests/fixtures/r/fiml.json made by tests/r/fiml.R from the committed CSVs
(survey_missing.csv: synthetic, ~30 % incomplete rows, missingness depending on the
setting and on observed answers; bfi.csv: real item non-response), and hand computations
of the casewise likelihood below.

Tolerances (issue 10): χ² ±0.02, also for the log-likelihood, AIC and BIC (sums over ~900
to 2800 rows whose h1 part comes from lavaan's EM, stopped at a 1e-5 change); fit indices
and estimates ±0.001; standard errors ±0.002. Observed agreement is ~1e-5, so a wrong
information matrix (expected instead of observed: SEs differ by several %), a wrong h1
(χ² off by whole units) or a wrong FIML-corrected robust index fails.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from lavaan_compare import assert_rows_and_estimates
from scipy import stats

from analysis.datasets import load as load_example
from analysis.stats.sem import cfa, invariance

HERE = Path(__file__).parent
FIX = json.loads((HERE / "fixtures/r/fiml.json").read_text())
DATA = {"sv": pd.read_csv(HERE / "fixtures/data/survey_missing.csv"),
        "bfi": pd.read_csv(HERE / "fixtures/data/bfi.csv")}
SUMS = {"logl", "unrestricted.logl", "aic", "bic"}


def _fit(case: dict):
    a = case["args"]
    ge = [g for g in ([a["group_equal"]] if isinstance(a["group_equal"], str)
                      else a["group_equal"]) if g]
    return cfa(DATA[a["data"]], a["model"], estimator=a["estimator"], missing=a["missing"],
               group=a["group"], group_equal=ge)


@pytest.fixture(scope="module")
def results():
    return {name: _fit(case) for name, case in FIX["cases"].items()}


def test_fixture_from_lavaan_0_6_14():
    assert FIX["lavaan_version"] == "0.6.14"


@pytest.mark.parametrize("name", list(FIX["cases"]))
def test_fit_measures_match_lavaan(results, name):
    res, case = results[name], FIX["cases"][name]
    assert res.converged and res.admissible
    for key, want in case["fit"].items():
        tol = 0.02 if "chisq" in key or key in SUMS else 0.001
        assert res.fit[key] == pytest.approx(want, abs=tol), key
    assert set(case["fit"]) <= set(res.fit)      # fit also holds the RMSEA p-values etc.


@pytest.mark.parametrize("name", list(FIX["cases"]))
def test_estimates_match_lavaan(results, name):
    res, case = results[name], FIX["cases"][name]
    ref = pd.DataFrame(case["estimates"])
    mine = res.estimates
    assert_rows_and_estimates(mine, ref)


@pytest.mark.parametrize("name", list(FIX["cases"]))
def test_rows_used_are_reported(results, name):
    res, case = results[name], FIX["cases"][name]
    assert (res.n, res.n_total, res.n_patterns) == \
        (case["nobs"], case["norig"], case["npatterns"])
    assert res.missing == case["args"]["missing"]
    assert res.group_labels == tuple(case["group_labels"])


def test_dropped_rows_named(results):
    # two synthetic rows answer nothing; fixed.x also drops the 14 rows lacking age
    w = " | ".join(results["sv_one_ml"].warnings)
    assert "2 of 900 rows have no value on any model variable" in w
    w = " | ".join(results["sv_cov_ml"].warnings)
    assert "14 of 900 rows lack an exogenous covariate" in w and "missing='ml.x'" in w
    assert results["sv_cov_mlx"].n == 900 and results["sv_cov_ml"].n == 886


def test_loglik_by_hand_casewise():
    """logL = Σ_i log φ(y_i,obs; μ_obs, Σ_obs,obs) at the estimates (Enders 2010, eq. 3.4)."""
    res = cfa(DATA["sv"], FIX["cases"]["sv_one_ml"]["args"]["model"], missing="ml")
    e = res.estimates
    items = list(e.loc[e.op == "=~", "rhs"])
    mu = e.set_index(["lhs", "op"]).loc[[(v, "~1") for v in items], "est"].to_numpy()
    sigma = res.implied["all"].loc[items, items].to_numpy()
    X = DATA["sv"][items].to_numpy(float)
    X = X[~np.isnan(X).all(axis=1)]
    ll = 0.0
    for row in X:
        o = ~np.isnan(row)
        ll += stats.multivariate_normal(mu[o], sigma[np.ix_(o, o)]).logpdf(row[o])
    assert res.fit["logl"] == pytest.approx(ll, abs=1e-6)


def test_complete_data_fiml_equals_ml_with_meanstructure():
    """Without missing values FIML is ordinary ML (the χ² of the HS model, REFERENCES.md)."""
    hs = load_example("holzinger_swineford_1939")
    m = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"
    r = cfa(hs, m, missing="ml")
    assert r.fit["chisq"] == pytest.approx(85.306, abs=0.0006)
    assert r.n_patterns == 1 and not r.warnings


STEPS = ("configural", "metric", "scalar", "strict")


@pytest.mark.parametrize("est", ["ml", "mlr"])
def test_invariance_with_fiml(est):
    a = FIX["cases"]["sv_configural_ml"]["args"]
    tab = invariance(DATA["sv"], a["model"], "setting", est.upper(), missing="ml", strict=True).set_index("model")
    assert list(tab.index) == list(STEPS)
    robust = est == "mlr"
    for step in STEPS:
        ref = FIX["cases"][f"sv_{step}_{est}"]["fit"]
        for col in ("npar", "chisq", "df", "cfi", "tli", "rmsea", "srmr"):
            assert tab.loc[step, col] == pytest.approx(ref[col], abs=0.02 if col == "chisq"
                                                       else 0.001), (step, col)
        if robust:
            for col in ("chisq.scaled", "cfi.robust", "rmsea.robust"):
                assert tab.loc[step, col] == pytest.approx(ref[col], abs=0.001), (step, col)
    for step in STEPS[1:]:
        want = FIX["lrt"][f"{step}_{est}"]
        row = tab.loc[step]
        assert row.chisq_diff == pytest.approx(want["chisq_diff"], abs=0.02)
        assert row.df_diff == want["df_diff"]
        assert row.p_diff == pytest.approx(want["p_diff"], abs=0.001)


def test_missing_option_checked():
    with pytest.raises(ValueError, match="missing='pairwise'"):
        cfa(DATA["sv"], "f =~ sat_health + sat_resilience + sat_daily_coping", missing="pairwise")


def test_badly_scaled_variables_keep_their_standard_errors():
    # sat.act (tests/r/scaling.R): variances from ~25 (ACT) to ~5000 (SAT); the information
    # matrix is near-singular only in raw units (eigenvalue ratio 6e-11), not in its
    # correlation form, and lavaan gives every SE. Large variances are held relative (1e-5:
    # optimiser end points differ by ~3e-7 relative), the rest as elsewhere.
    ref = json.loads((HERE / "fixtures/r/scaling.json").read_text())
    data = pd.read_csv(HERE / "fixtures/data/sat_act.csv")
    res = cfa(data, ref["model"], group=ref["group"], estimator="MLR", missing="ml")
    assert res.warnings == () and res.admissible
    for name, value in ref["fit"].items():
        assert res.fit[name] == pytest.approx(value, abs=0.02 if "chisq" == name[:5] else 0.001), name
    got = res.estimates.merge(pd.DataFrame(ref["estimates"]), on=["lhs", "op", "rhs", "group"],
                              suffixes=("", "_r"), validate="one_to_one")
    assert len(got) == len(ref["estimates"]) and got["se"].notna().all()
    np.testing.assert_allclose(got["est"], got["est_r"], rtol=1e-5, atol=1e-3)
    np.testing.assert_allclose(got["se"], got["se_r"], rtol=1e-4, atol=2e-3)
