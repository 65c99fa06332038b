"""Modification indices and score tests of WLSMV fits (ordered items) against lavaan 0.6.14.

References: tests/fixtures/r/modindices_wlsmv.json made by tests/r/modindices_wlsmv.R —
``modindices(fit)`` with lavaan's defaults (expected information, all rows, standardized
EPCs), its ``sort. = TRUE, minimum.value = 4`` list, and ``lavTestScore(fit)`` of a
2-group fit, on simulated items with misspecifications the models leave out
(tests/fixtures/data/ordinal_misfit.csv, made by the same script): a one-factor model of
5-category items missing a residual correlation; a two-factor model of 3–4-category items
missing a cross-loading and a residual correlation (marker and std.lv identification, and
with a factor regression); binary items missing a residual correlation; the two-factor
model in two groups, configural and with equal loadings and thresholds (where lavaan also
lists the fixed marker loadings and the y* intercepts of both groups); and the two-factor
and the equal loadings and thresholds models in the theta parameterization (where lavaan
also lists the derived scaling factors ``~*~``, see ``_FreedOrdinal``).

Tolerances: MI ±1e-3 (observed ≤ 3.8e-4 on MIs up to 85). That is lavaan's own
precision: its MIs of one model in two identifications (marker and std.lv, the same fit;
both in the fixture) differ by up to 3.4e-4, because an MI moves with the estimates' last
digits (N·g², N = 800). In the theta parameterization with equal loadings and thresholds
±3e-3 (observed 1.9e-3): lavaan's theta and delta MIs of this one model differ by 2.0e-3,
and ours (theta) agree with lavaan's delta ones to 3.8e-4, so the difference is lavaan's
theta fit. EPC and standardized EPCs
±1e-4 (observed ≤ 4.9e-5, delta ≤ 1.4e-5). Score tests ±1e-3 (observed ≤ 1.4e-5). Scaling the information
by N − 1 instead of N changes the largest MI by 0.1 and its EPC by 1e-3; standardizing
a residual covariance by the y* variance instead of the y* residual variances changes
its sepc.all by more than 0.1: each fails these tests.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.stats.sem import cfa, equality_score_tests, modification_indices

HERE = Path(__file__).parent
FIX = json.loads((HERE / "fixtures/r/modindices_wlsmv.json").read_text())
DATA = pd.read_csv(HERE / "fixtures/data/ordinal_misfit.csv")
COLS = ["lhs", "op", "rhs", "group", "mi", "epc", "sepc_lv", "sepc_all", "sepc_nox"]
_FITS: dict = {}


def _fit(name):
    if name not in _FITS:
        a = FIX["cases"][name]["args"]
        ge = [g for g in ([a["group_equal"]] if isinstance(a["group_equal"], str)
                          else a["group_equal"]) if g]
        _FITS[name] = cfa(DATA, a["model"], ordered=True, group=a["group"], group_equal=ge,
                          std_lv=a["std_lv"], parameterization=a["parameterization"])
    return _FITS[name]


@pytest.mark.parametrize("name", list(FIX["cases"]))
def test_modification_indices_match_lavaan(name):
    res = _fit(name)
    assert res.estimator == "WLSMV"
    assert res.fit["chisq"] == pytest.approx(FIX["cases"][name]["chisq"], abs=1e-4)
    mi = modification_indices(res)
    ref = pd.DataFrame(FIX["cases"][name]["mi"])
    assert list(mi.columns) == COLS
    assert list(zip(mi.lhs, mi.op, mi.rhs, mi.group)) == \
        list(zip(ref.lhs, ref.op, ref.rhs, ref.group))           # lavaan's rows and order
    assert ref.mi.max() > 20                                      # a real misspecification
    np.testing.assert_allclose(mi.mi, ref.mi, rtol=0,
                               atol=3e-3 if name == "loadings_thresholds_theta" else 1e-3)
    for mine, theirs in (("epc", "epc"), ("sepc_lv", "sepc.lv"), ("sepc_all", "sepc.all"),
                         ("sepc_nox", "sepc.nox")):
        np.testing.assert_allclose(mi[mine], ref[theirs], rtol=0, atol=1e-4, err_msg=mine)


def test_theta_lists_the_scaling_factors_with_equal_thresholds():
    """lavaan's rows of the derived ``~*~`` (a score test of scaling an item's thresholds):
    with equal thresholds in both groups, none in one group (the thresholds absorb it)."""
    two = modification_indices(_fit("loadings_thresholds_theta"))
    assert sorted(two[two.op == "~*~"].group.value_counts().tolist()) == [8, 8]
    assert not (modification_indices(_fit("two_factor_theta")).op == "~*~").any()


@pytest.mark.parametrize("name", ["two_factor", "loadings_thresholds"])
def test_sort_and_minimum_value_match_lavaan(name):
    mi = modification_indices(_fit(name), sort=True, minimum_value=4)
    ref = pd.DataFrame(FIX["cases"][name]["mi_sorted"])
    assert list(zip(mi.lhs, mi.op, mi.rhs)) == list(zip(ref.lhs, ref.op, ref.rhs))
    np.testing.assert_allclose(mi.mi, ref.mi, rtol=0, atol=1e-3)


@pytest.mark.parametrize("name", ["loadings_thresholds", "loadings_thresholds_theta"])
def test_equality_score_tests_match_lavtestscore(name):
    """lavTestScore of the equal loadings and thresholds: the DWLS gradient and expected
    information (lavaan warns that se = robust.sem is not used; so does nothing here)."""
    ref = FIX["cases"][name]["score_test"]
    t = equality_score_tests(_fit(name))
    assert t.df == ref["df"]
    assert t.X2 == pytest.approx(ref["X2"], abs=1e-3)
    uni = pd.DataFrame(ref["uni"])
    assert list(zip(t.univariate.lhs, t.univariate.rhs)) == list(zip(uni.lhs, uni.rhs))
    np.testing.assert_allclose(t.univariate.X2, uni.X2, rtol=0, atol=1e-3)
    # the largest univariate test is a threshold of a2, shifted by .4 in group g2
    assert t.univariate.iloc[int(np.argmax(t.univariate.X2))]["parameter"] == "a2|t1"


def test_epc_approximates_the_freed_parameter():
    """Saris, Satorra & Sörbom (1987): freeing the cross-loading with the largest MI
    (B =~ a3, MI 84.94, EPC 0.905) lowers the DWLS chi-square (N·F) by 85.32 (lavaan the
    same) and gives a loading of 0.648: first-order approximations (the EPC holds the
    other parameters at their values), hence the bounds."""
    res = _fit("two_factor")
    top = modification_indices(res, sort=True).iloc[0]
    assert (top.lhs, top.op, top.rhs) == ("B", "=~", "a3")
    freed = cfa(DATA, FIX["cases"]["two_factor"]["args"]["model"] + "\nB =~ a3", ordered=True)
    e = freed.estimates.set_index(["lhs", "op", "rhs"])
    assert e.loc[("B", "=~", "a3"), "est"] == pytest.approx(top.epc, rel=0.4)
    assert res.fit["chisq"] - freed.fit["chisq"] == pytest.approx(top.mi, rel=0.02)
