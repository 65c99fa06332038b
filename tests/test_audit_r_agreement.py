"""Cases found by the R-agreement audit of the issue-21 functions (mic, dif_ordinal,
bifactor_indices) on awkward data, each with the R result it was checked against.

The audit compared change.mic / rm_anova / mixed_change, irt.dif_ordinal / pcm,
reliability.bifactor_indices and sem.longitudinal_invariance with R on new seeded data sets
(ties, missing values, unbalanced and three groups, rare categories, 3 and 4 occasions,
near-zero variance components, shuffled rows, string ids). Everything agreed to the
documented tolerances except the cases below, where R gives no reproducible number.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.datasets import load as load_example
from analysis.stats import change as ch
from analysis.stats import irt
from analysis.stats.reliability import bifactor_indices
from analysis.stats.sem import cfa


def test_mic_no_cut_point_better_than_chance():
    """Change runs against the anchor. R (pROC 1.18):
    coords(roc(y, x, levels = c(0, 1), direction = "<"), "best") gives the two trivial
    cut-points -Inf (sensitivity 1, specificity 0) and Inf; auc 0.06944, DeLong CI 0-0.2017;
    glm(y ~ x, binomial): C = 0.761030729859, B = -1.980488880667. Here: no ROC MIC (NaN,
    no ties) — a deliberate difference documented in mic — the rest as R."""
    d = pd.DataFrame({"c": [3, 2, 2, 1, 0, 1, -1, 0, -2, -1, 1, -3], "a": [0] * 6 + [1] * 6})
    res = ch.mic(d, "c", "a", [1], n_boot=0)
    assert np.isnan(res.mic_roc) and np.isnan(res.mic_roc_observed)
    assert np.isnan(res.sensitivity) and np.isnan(res.specificity) and res.n_youden_ties == 0
    assert res.auc == pytest.approx(5 / 72, abs=1e-12)             # 0.06944
    assert (res.auc_ci_low, res.auc_ci_high) == pytest.approx((0.0, 0.2016871), abs=1e-6)
    assert (res.intercept, res.slope) == pytest.approx((0.761030729859, -1.980488880667), rel=1e-9)


# 40 persons, a binary item b and two ordinal items, groups a/b (numpy seed 77)
B = [1, 0, 1, 0, 0, 1, 0, 1, 1, 0, 1, 1, 1, 1, 1, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 0, 0, 1, 1, 1, 1,
     0, 0, 1, 0, 1, 1, 1, 0, 0]
I2 = [1, 1, 3, 3, 2, 0, 1, 2, 0, 0, 3, 2, 2, 3, 1, 1, 1, 0, 0, 3, 0, 0, 1, 0, 3, 2, 1, 2, 3, 2, 3,
      2, 1, 2, 3, 1, 3, 1, 3, 0]
I3 = [1, 1, 2, 0, 2, 1, 0, 2, 0, 1, 0, 2, 1, 2, 0, 0, 2, 0, 1, 2, 1, 0, 2, 1, 1, 2, 0, 1, 1, 2, 2,
      2, 0, 2, 2, 1, 0, 2, 2, 0]
G = list("babbaabababbaaaaaaaaabbbaabbaaaaaabbbabb")


def test_dif_binary_item_is_the_binomial_glm():
    """polr refuses a two-category item ("response must have 3 or more levels"); the fit here
    is the logistic regression. R: glm(b ~ tot, binomial), glm(b ~ tot + G), glm(b ~ tot * G)
    (epsilon 1e-14): logLik -20.4126248638991, -20.302138861388, -20.0081125223816;
    coefficients below (intercept = -zeta); SEs from vcov."""
    d = pd.DataFrame({"b": B, "i2": I2, "i3": I3, "g": G})
    res = irt.dif_ordinal(d, ["b", "i2", "i3"], "g")
    fits = res.fits[res.fits.item == "b"].set_index("model")["loglik"]
    assert fits.loc[[1, 2, 3]].tolist() == pytest.approx(
        [-20.4126248638991, -20.302138861388, -20.0081125223816], abs=1e-9)
    coef = res.coefficients[res.coefficients.item == "b"]
    assert coef["estimate"].tolist() == pytest.approx(
        [0.771610126003433, 0.782728907485580, 0.370645412656136,
         0.969630096263173, 1.581090246594661, -0.376491747459427], abs=1e-8)
    assert coef["se"].tolist() == pytest.approx(
        [0.241771000974, 0.243850496353, 0.793235709928,
         0.373594712808, 1.803110627589, 0.495842324138], rel=1e-6)
    zeta = res.thresholds[res.thresholds.item == "b"]["estimate"].tolist()
    assert zeta == pytest.approx([2.349741756722200, 2.544285667656745, 3.194338902589054], abs=1e-8)
    assert res.table.loc[0, "chi2_12"] == pytest.approx(0.220972005022141, rel=1e-8)


HS_GENERAL = "g =~ x1 + x2 + x3 + x4 + x5 + x6 + x7 + x8 + x9\ntextual =~ x4 + x5 + x6\n"


def test_bifactor_refuses_a_not_identified_two_item_specific_factor():
    """'speed =~ x7 + x8': the two loadings only enter as their product. lavaan 0.6.14 warns
    "Could not compute standard errors! The information matrix could not be inverted" and
    standardizedSolution reports one arbitrary point (std.all 0.746, 0.545); refused here.
    With the loadings equal ('speed =~ a*x7 + a*x8') R's indices (tests/r/bifactor.R's
    formulas) are ECV 0.445102009, omega-HS of speed 0.5481311290, H of speed 0.5810740065,
    omega-H of g 0.5967017573."""
    hs = load_example("holzinger_swineford_1939")
    fit = cfa(hs, HS_GENERAL + "speed =~ x7 + x8", std_lv=True, orthogonal=True)
    with pytest.raises(ValueError, match="not identified"):
        bifactor_indices(fit, general="g")
    fit = cfa(hs, HS_GENERAL + "speed =~ a*x7 + a*x8", std_lv=True, orthogonal=True)
    res = bifactor_indices(fit, general="g")
    f = res.factors.set_index("factor")
    assert res.ecv == pytest.approx(0.445102009, abs=1e-6)
    assert f.loc["speed", "omega_h"] == pytest.approx(0.5481311290, abs=1e-5)
    assert f.loc["speed", "h"] == pytest.approx(0.5810740065, abs=1e-5)
    assert f.loc["g", "omega_h"] == pytest.approx(0.5967017573, abs=1e-6)


def test_rm_anova_fewer_persons_than_occasions_has_no_mauchly_test():
    """4 persons, 5 occasions. R: aov(y ~ occ + Error(id/occ)) F = 0.395677300611916,
    p = 0.807976955205494; mauchly.test gives rounding noise (W = 7.154e-17, p = 9.71e-07);
    car::Anova withholds the corrections; Greenhouse–Geisser epsilon by hand from the
    contr.poly contrasts' covariance 0.655069704434, p on (4ε, 12ε) df 0.736084893957."""
    y = [[0.03, 1.66, 1.82, 0.39, 0.9], [-0.53, 0.87, 0.54, 1.65, -0.65],
         [1.57, 0.2, 1.28, 0.76, 0.82], [0.46, 1.12, 0.4, 0.75, 1.89]]
    d = pd.DataFrame([{"id": f"a{i}", "occ": f"o{j}", "y": v} for i, row in enumerate(y)
                      for j, v in enumerate(row)])
    res = ch.rm_anova(d, "y", "occ", "id")
    assert (res.F, res.p) == pytest.approx((0.395677300611916, 0.807976955205494), rel=1e-10)
    assert (res.eps_gg, res.p_gg) == pytest.approx((0.655069704434, 0.736084893957), rel=1e-10)
    assert np.isnan(res.mauchly_w) and np.isnan(res.mauchly_p)
