"""Robust CFI/TLI/RMSEA of WLSMV fits (the catML approach, analysis.stats._sem_catml) and the
other WLSMV fit measures against lavaan 0.6.14.

Reference: tests/fixtures/r/wlsmv_robust.json made by tests/r/wlsmv_robust.R from data it
generates with a seed (tests/fixtures/data/wlsmv_robust.csv, n = 600 in groups g1/g2, and
wlsmv_robust_npd.csv, n = 50): a one-factor model of 5-category items, two factors of 3-
and 4-category items, a one-factor model of two-factor data (robust CFI 0.79, RMSEA 0.20),
binary items, a just-identified model (df = 0), two groups (configural, loadings equal by
group.equal and by semTools' measEq syntax with == constraints) and lavaan's two NA cases:
thresholds constrained equal (the catML object cannot be built) and a polychoric matrix
that is not positive definite.

Tolerances: indices and p-values ±1e-5 absolute, χ²-type statistics ±1e-3, the catML
scaling factors c3 ±1e-6 relative. Observed agreement: 1.1e-8 for the robust indices
(7.3e-8 for their p-values), 1.2e-7 for every other index, 9e-5 for the baseline χ² of
~2000 (the polychoric correlations agree to ~1e-8). Each bound fails on a formula error (checked by
editing the code): without the c3 correction the robust CFI of the binary items moves by
0.069 (TLI 0.096; checked below too); the ML weights V at the sample instead of the
implied correlations move the robust CFI by 0.011 and the p-value by 0.12; W without the
group weights f_g moves the two-group robust RMSEA by 0.034; n_g - 1 for n_g in XX3 moves
the robust CFI by 3.6e-4; N instead of lavaan's N - G for DWLS moves the robust RMSEA by
1.7e-4 (misfit) and its p-value by 1.3e-3 (a bound of 1e-4 would miss it in most cases).
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.stats import _sem_catml, _sem_fit
from analysis.stats._sem_cfa import state_of
from analysis.stats.sem import cfa

HERE = Path(__file__).parent
FIX = json.loads((HERE / "fixtures/r/wlsmv_robust.json").read_text())
CHISQ = {"chisq", "chisq.scaled", "baseline.chisq", "baseline.chisq.scaled"}
CATML = ("XX3", "df3", "c.hat3", "XX3.scaled", "XX3.null", "df3.null", "c.hat3.null")
NA_CASES = ("two_group_thresholds_loadings", "not_positive_definite")


@pytest.fixture(scope="module")
def results():
    data = {"main": pd.read_csv(HERE / "fixtures/data/wlsmv_robust.csv"),
            "npd": pd.read_csv(HERE / "fixtures/data/wlsmv_robust_npd.csv")}
    out = {}
    for name, case in FIX["cases"].items():
        a = case["args"]
        ge = [g for g in np.atleast_1d(a["group_equal"]).tolist() if g]
        out[name] = cfa(data[a["data"]], a["model"], ordered=True, group=a["group"],
                        group_equal=ge)
    return out


def test_fixture_versions():
    assert (FIX["lavaan_version"], FIX["semtools_version"]) == ("0.6.14", "0.5.6")


@pytest.mark.parametrize("name", list(FIX["cases"]))
def test_fit_measures_match_lavaan(results, name):
    res, case = results[name], FIX["cases"][name]
    assert res.converged and res.estimator == "WLSMV"
    assert res.n == sum(np.atleast_1d(case["nobs"]))
    for key, want in case["fit"].items():
        got = res.fit[key]
        if want is None:
            assert np.isnan(got), key
        else:
            assert got == pytest.approx(want, abs=1e-3 if key in CHISQ else 1e-5), key


def test_every_robust_index_is_compared():
    assert set(_sem_catml.ROBUST_NAMES) <= set(FIX["cases"]["misfit_one_factor"]["fit"])


@pytest.mark.parametrize("name", [n for n in FIX["cases"] if n not in NA_CASES])
def test_catml_pieces_match_lavaan(results, name):
    res, want = results[name], FIX["cases"][name]["catml"]
    st = state_of(res)
    XX3, df3, c3, XXn, dfn, cn = _sem_catml.catml(st.model, st.theta)
    assert (df3, dfn) == (want["df3"], want["df3.null"])
    assert XX3 == pytest.approx(want["XX3"], abs=1e-3)
    assert XXn == pytest.approx(want["XX3.null"], abs=1e-3)
    assert cn == pytest.approx(want["c.hat3.null"], rel=1e-6)
    if df3 > 0:                      # lavaan: c3 = Inf for df3 = 0 (JSON null)
        assert c3 == pytest.approx(want["c.hat3"], rel=1e-6)


@pytest.mark.parametrize("name", NA_CASES)
def test_robust_indices_are_na_where_lavaans_are(results, name):
    res, case = results[name], FIX["cases"][name]
    assert all(case["catml"][k] is None for k in CATML)
    assert np.isfinite(res.fit["cfi.scaled"]) and np.isfinite(res.fit["rmsea.scaled"])
    assert all(np.isnan(res.fit[k]) for k in _sem_catml.ROBUST_NAMES)


def test_the_not_positive_definite_case_is_so_here_too(results):
    case = FIX["cases"]["not_positive_definite"]
    assert case["min_eigen_polychoric"] < -0.1
    assert np.linalg.eigvalsh(state_of(results["not_positive_definite"]).model.samples[0].cov)[0] \
        == pytest.approx(case["min_eigen_polychoric"], abs=1e-6)


def test_the_c3_correction_is_what_makes_the_binary_case_agree(results):
    st, want = state_of(results["binary"]), FIX["cases"]["binary"]["fit"]
    XX3, df3, c3, XXn, dfn, cn = _sem_catml.catml(st.model, st.theta)
    plain = _sem_fit.cfi(XX3, df3, XXn, dfn)
    assert abs(plain - want["cfi.robust"]) > 0.05
    assert _sem_fit.cfi(XX3, df3, XXn, dfn, c3, cn) == pytest.approx(want["cfi.robust"], abs=1e-5)


@pytest.mark.parametrize("name", ["misfit_one_factor", "two_group_thresholds_loadings"])
def test_summary_fit_lines_are_lavaans(results, name):
    """summary() from 'User Model versus Baseline Model:' to 'Parameter Estimates:' (the
    CFI/TLI, robust CFI/TLI, RMSEA, robust RMSEA and SRMR blocks) is lavaan's text, up to
    lavaan's trailing blanks."""
    def section(lines):
        start = lines.index("User Model versus Baseline Model:")
        return [x.rstrip() for x in lines[start:lines.index("Parameter Estimates:")]]
    want = section(FIX["cases"][name]["summary"])
    assert any(x.startswith("  Robust Comparative Fit Index (CFI)") for x in want)
    assert section(str(results[name].summary()).splitlines()) == want
