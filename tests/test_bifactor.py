"""Bifactor indices (issue 21, item 6) against R: ECV, S-ECV, I-ECV, PUC, omega, omega-H,
omega-S, omega-HS and construct replicability H (Rodriguez, Reise & Haviland 2016;
Hancock & Mueller 2001).

Reference: tests/fixtures/r/bifactor.json made by tests/r/bifactor.R (lavaan 0.6.14,
semTools 0.5.6): the same formulas computed in R from lavaan's standardizedSolution() and
lavInspect(fit, "implied"), and semTools' compRelSEM(obs.var = FALSE) for the raw-score
omegas (scale="raw"). Data: Holzinger–Swineford (general factor over x1–x9, specific
textual and speed factors; a visual specific factor makes the solution improper, which is
refused) and the skewed synthetic items treated as continuous (two specific factors over
all ten items, and over eight so that two items mark only the general factor).

Tolerance 1e-6: the indices are smooth functions of the estimates, and this package's ML
estimates agree with lavaan's to ~1e-7 on these data (both optimisers stop at a gradient
of ~1e-9 per row; observed largest difference below 1e-7, e.g. omega-H 0.541852960 vs R's
0.541852921). A wrong convention misses by far more: the raw instead of the standardized
composite moves omega-H by 5e-4 (HS), the observed instead of the implied variance in the
denominator (semTools' default obs.var=TRUE) by 6e-3 (HS, general factor), ECV_SS instead of ECV_SG by > 0.1.

H alone gets 1e-5 (TOL_H): it amplifies loading differences by 2 l / (1 - l^2)^2 (about 19
for q4's specific loading 0.839 in the skewed model), and that specific factor is weakly
determined: our chi-square is 4e-10 *below* lavaan's, yet the std.all loadings differ by
~1e-7 along the flat direction, so H of s1 differs by 2.3e-6 (all other values ≤ 6.1e-7).
A wrong H formula (e.g. without the 1 - l^2 denominators) misses by > 0.1.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from analysis.datasets import load as load_example
from analysis.stats.reliability import bifactor_indices
from analysis.stats.sem import cfa

HERE = Path(__file__).parent
FIX = json.loads((HERE / "fixtures/r/bifactor.json").read_text())
TOL = 1e-6
TOL_H = 1e-5
DATA = {"hs": load_example("holzinger_swineford_1939"), "skewed": load_example("ordinal_skewed")}
CASES = sorted(FIX["cases"])


def _fit(case: dict):
    """lavaan's default: rows with a missing item are left out (listwise)."""
    return cfa(DATA[case["data"]], case["model"], std_lv=True, orthogonal=True)


@pytest.fixture(scope="module")
def fits():
    return {name: _fit(FIX["cases"][name]) for name in CASES}


@pytest.mark.parametrize("name", CASES)
def test_indices_match_r(fits, name):
    case = FIX["cases"][name]
    fit = fits[name]
    assert fit.n == case["nobs"]
    assert fit.fit["chisq"] == pytest.approx(case["chisq"], abs=1e-4)
    res = bifactor_indices(fit, general=case["general"])
    for key in ("ecv", "puc", "omega_total", "omega_hierarchical"):
        assert getattr(res, key) == pytest.approx(case[key], abs=TOL), key
    frame = res.to_frame().set_index("factor")
    assert list(frame.index) == list(case["factors"])           # general first
    for factor, ref in case["factors"].items():
        for key in ("kind", "n_items"):
            assert frame.loc[factor, key] == ref[key]
        for key in ("ecv", "ecv_ss", "omega", "omega_h"):
            assert frame.loc[factor, key] == pytest.approx(ref[key], abs=TOL), (factor, key)
        assert frame.loc[factor, "h"] == pytest.approx(ref["h"], abs=TOL_H), factor
        assert frame.loc[factor, "relative_omega"] == pytest.approx(
            ref["omega_h"] / ref["omega"], abs=TOL)
    items = res.items
    assert items["item"].tolist() == case["items"]["item"]
    np.testing.assert_allclose(items["general_loading"], case["items"]["general"], atol=TOL)
    np.testing.assert_allclose(items["i_ecv"], case["items"]["i_ecv"], atol=TOL)


@pytest.mark.parametrize("name", CASES)
def test_raw_scale_matches_semtools(fits, name):
    """scale="raw": semTools' compRelSEM(obs.var=FALSE) (omega-H of the general factor and
    omega-HS of each specific factor) and compRelSEM(return.total=TRUE) (omega total)."""
    case = FIX["cases"][name]
    res = bifactor_indices(fits[name], general=case["general"], scale="raw")
    sem = case["compRelSEM_implied"]
    frame = res.to_frame().set_index("factor")
    assert res.omega_hierarchical == pytest.approx(sem[case["general"]], abs=TOL)
    assert res.omega_total == pytest.approx(case["compRelSEM_total_implied"], abs=TOL)
    for factor in frame.index:
        assert frame.loc[factor, "omega_h"] == pytest.approx(sem[factor], abs=TOL), factor
    for factor, ref in case["raw"]["specific"].items():
        assert frame.loc[factor, "omega"] == pytest.approx(ref["omega"], abs=TOL), factor
    # ECV, PUC and H do not depend on the scale
    std = bifactor_indices(fits[name], general=case["general"])
    assert res.ecv == std.ecv and res.puc == std.puc
    assert (res.factors["h"] == std.factors["h"]).all()


def test_hand_computation_of_the_formulas():
    """Orthogonal model without residual covariances: the implied total variance is
    (sum l_g)^2 + sum_s (sum l_s)^2 + sum(theta) in std.all units."""
    hs = DATA["hs"]
    fit = cfa(hs, FIX["cases"]["hs"]["model"], std_lv=True, orthogonal=True)
    res = bifactor_indices(fit, general="g")
    it = res.items
    lg, ls = it["general_loading"].to_numpy(), it["specific_loading"].to_numpy()
    theta = 1 - lg ** 2 - ls ** 2
    spec = it["specific"].fillna("").to_numpy()
    sums = [ls[spec == s].sum() for s in ("textual", "speed")]
    total = lg.sum() ** 2 + sum(s ** 2 for s in sums) + theta.sum()
    assert res.omega_hierarchical == pytest.approx(lg.sum() ** 2 / total, abs=1e-12)
    assert res.ecv == pytest.approx((lg ** 2).sum() / ((lg ** 2).sum() + (ls ** 2).sum()),
                                    abs=1e-12)
    assert res.puc == pytest.approx(1 - 2 * 3 / 36)
    x = lg ** 2
    assert res.factors.loc[0, "h"] == pytest.approx(1 / (1 + 1 / np.sum(x / (1 - x))))


def test_refuses_improper_fit():
    model = ("g =~ x1 + x2 + x3 + x4 + x5 + x6 + x7 + x8 + x9\nvisual =~ x1 + x2 + x3\n"
             "textual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9")
    fit = cfa(DATA["hs"], model, std_lv=True, orthogonal=True)   # lavaan: x1 variance < 0
    assert not fit.admissible
    with pytest.raises(ValueError, match="admissible"):
        bifactor_indices(fit, general="g")


def test_refuses_correlated_factors_and_partial_general():
    hs = DATA["hs"]
    oblique = cfa(hs, FIX["cases"]["hs"]["model"], std_lv=True)
    with pytest.raises(ValueError, match="uncorrelated"):
        bifactor_indices(oblique, general="g")
    fit = cfa(hs, FIX["cases"]["hs"]["model"], std_lv=True, orthogonal=True)
    with pytest.raises(ValueError, match="does not load on every item"):
        bifactor_indices(fit, general="textual")
    with pytest.raises(ValueError, match="not a factor"):
        bifactor_indices(fit, general="G")
    with pytest.raises(ValueError, match="scale"):
        bifactor_indices(fit, general="g", scale="z")  # type: ignore[arg-type]
