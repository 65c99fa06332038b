"""Longitudinal invariance of ordered items (WLSMV) and partial longitudinal invariance
(analysis.stats.sem.longitudinal_invariance(ordered=, long_partial=)) against semTools 0.5.6
measEq.syntax(ordered=, parameterization="delta", ID.fac="std.lv", ID.cat="Wu.Estabrook.2016",
longFacNames=, longIndNames=, long.equal=, long.partial=) fitted by lavaan 0.6.14, lavTestLRT
(Satorra 2000 for WLSMV), lavTestScore and modindices.

Reference: tests/fixtures/r/longitudinal_invariance_wlsmv.json made by
tests/r/longitudinal_invariance_wlsmv.R from the synthetic long data it writes,
tests/fixtures/data/longitudinal_ordinal.csv (600 persons, three occasions, 5 items with 4 or 5
categories; item u3 drifts upwards after the first occasion, so the scalar step fails and
freeing u3's intercept restores it). Cases: WLSMV at 2 and 3 occasions, and the same items as
continuous by ML (2 occasions) and MLR (3), each with the partial scalar step "u3 ~ 1"; and
the syntax alone of seven partial models (thresholds, loadings, intercepts, residual
variances; a two-factor model with a cross-loading, a residual covariance and a binary item,
ordered and continuous).

Tolerances. Observed agreement: WLSMV χ², scaled χ², scaling factor, shift parameter and
Satorra (2000) differences ≤ 5e-8 relative, its fit indices ≤ 3e-9 absolute; ML ≤ 1e-9
throughout; MLR scaled χ² ≤ 1e-7 and the Satorra–Bentler difference ≤ 1.2e-6 relative, robust
indices ≤ 1e-8; SRMR ≤ 4e-8; score statistics (lavTestScore, and for WLSMV the
modification indices of the later intercepts) ≤ 8e-5 absolute (X2 up to 122). χ²-type
statistics are compared at 1e-6 relative (MLR's, first-order in the estimates that nlminb
leaves ~1e-5 relative, at 1e-5 as in tests/test_longitudinal_invariance.py), fit indices at
1e-6 absolute, score statistics at 1e-5 relative + 1e-4 absolute: each ≥ 5× the observed
error and far inside the bounds of tests/test_wlsmv.py (±0.05, ±0.001). df, npar and nobs
exactly; every step's syntax statement by statement. A mistake in the Wu & Estabrook rules
moves χ² by whole units (scaling factors left at 1 at a later occasion: checked below); the
tests fail when the scaling-factor or intercept rule, the latent-mean rule, the Satorra (2000)
difference or the occasions of a score test are broken.
"""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from lavaan_compare import statements

from analysis.stats.sem import cfa, longitudinal_invariance, longitudinal_syntax

HERE = Path(__file__).parent
FIX = json.loads((HERE / "fixtures/r/longitudinal_invariance_wlsmv.json").read_text())
LONG = pd.read_csv(HERE / "fixtures/data/longitudinal_ordinal.csv",
                   dtype={"respondent_id": str, "occasion": str})
MODEL = FIX["model"]
ITEMS = [f"u{i}" for i in range(1, 6)]
CHISQ = {"chisq", "chisq.scaled", "chisq.shift.parameters", "aic", "bic"}
REL, LOOSE, ABS = 1e-6, 1e-5, 1e-6


def _run(case: dict, **kwargs) -> pd.DataFrame:
    est = case["estimator"]
    how = {"ordered": True} if est == "WLSMV" else {"estimator": est}
    return longitudinal_invariance(LONG, MODEL, occasions=case["occasions"],
                                   long_partial=[case["long_partial"]], **how, **kwargs)


@pytest.fixture(scope="module")
def tables():
    return {key: _run(case) for key, case in FIX["cases"].items()}


@pytest.mark.parametrize("key", list(FIX["cases"]))
def test_steps_match_semtools_lavaan(tables, key):
    case = FIX["cases"][key]
    tab = tables[key]
    assert list(tab.model) == list(case["steps"])
    tab = tab.set_index("model")
    rel = LOOSE if case["estimator"] == "MLR" else REL
    for step, ref in case["steps"].items():
        row = tab.loc[step]
        assert statements(tab.attrs["syntax"][step]) == statements(ref["syntax"]), step
        assert (row["df"], row["npar"], tab.attrs["nobs"][step]) == (
            ref["df"], ref["npar"], ref["nobs"]), step
        assert bool(row["converged"]) and bool(row["admissible"]) and ref["converged"]
        for col in tab.columns.intersection(list(ref)):
            if col in ("df", "npar", "chisq_diff", "df_diff", "p_diff"):
                continue
            tol = dict(rel=rel) if col in CHISQ or col.startswith("chisq") else dict(abs=ABS)
            assert row[col] == pytest.approx(ref[col], **tol), (step, col)
        if ref["against"] is None:
            assert pd.isna(row["chisq_diff"]) and row["compared_with"] == ""
            continue
        assert row["compared_with"] == ref["against"]
        assert ("satorra.2000" in ref["lrt_method"]) == (case["estimator"] == "WLSMV")
        assert row["df_diff"] == ref["df_diff"]
        assert row["chisq_diff"] == pytest.approx(ref["chisq_diff"], rel=rel), step
        assert row["p_diff"] == pytest.approx(ref["p_diff"], rel=1e-5, abs=1e-12), step
        prev = case["steps"][ref["against"]]
        cfi, rmsea = {"WLSMV": ("cfi.scaled", "rmsea.scaled"), "ML": ("cfi", "rmsea"),
                      "MLR": ("cfi.robust", "rmsea.robust")}[case["estimator"]]
        assert row["delta_cfi"] == pytest.approx(ref[cfi] - prev[cfi], abs=ABS)
        assert row["delta_rmsea"] == pytest.approx(ref[rmsea] - prev[rmsea], abs=ABS)
        assert row["delta_srmr"] == pytest.approx(ref["srmr"] - prev["srmr"], abs=ABS)


def test_partial_steps_and_chen_verdicts(tables):
    wl = tables["t3_wlsmv"].set_index("model")
    assert list(wl.compared_with) == ["", "configural", "thresholds", "metric", "metric"]
    assert pd.isna(wl.loc["thresholds", "supported"])       # Chen gives no limits for it
    assert bool(wl.loc["metric", "supported"])
    assert not bool(wl.loc["scalar", "supported"])           # u3 drifts (the R script)
    assert bool(wl.loc["scalar (partial)", "supported"])
    ml = tables["t2_ml"].set_index("model")
    assert list(ml.compared_with) == ["", "configural", "metric", "metric", "scalar (partial)"]
    assert "nu.8*1" in ml.attrs["syntax"]["strict"]          # u3.t2's own intercept in strict
    assert not bool(ml.loc["scalar", "supported"]) and bool(ml.loc["strict", "supported"])


@pytest.mark.parametrize("key", list(FIX["cases"]))
def test_score_tests_match_lavtestscore_and_modindices(tables, key):
    tab = tables[key]
    assert list(tab.attrs["score_tests"]) == ["scalar"]      # the one rejected step
    got = tab.attrs["score_tests"]["scalar"]
    score = FIX["cases"][key]["steps"]["scalar"]["score"]
    ref = pd.DataFrame(score["uni"])
    eq = got[got.test == "equality"]
    assert list(zip(eq.lhs, eq.rhs)) == list(zip(ref.lhs, ref.rhs))
    assert eq.X2.tolist() == pytest.approx(ref.X2.tolist(), rel=1e-5, abs=1e-4)
    assert eq.pvalue.tolist() == pytest.approx(ref["p.value"].tolist(), rel=1e-4, abs=1e-10)
    occ = FIX["cases"][key]["occasions"]
    assert set(got.reference) == {occ[0]} and set(got.occasion) == set(occ[1:])
    fixed = got[got.test == "fixed"]
    if FIX["cases"][key]["estimator"] != "WLSMV":
        assert fixed.empty
    else:     # the later intercepts (fixed at 0, equal to the first occasion's): modindices
        mi = pd.DataFrame(score["mi"])
        mi = mi[~mi.lhs.str.endswith(".t1")]
        assert fixed.lhs.tolist() == mi.lhs.tolist() and len(fixed) == 5 * (len(occ) - 1)
        assert fixed.X2.tolist() == pytest.approx(mi.mi.tolist(), rel=1e-5, abs=1e-4)
        assert fixed.parameter.tolist() == [f"{v.split('.')[0]}~1" for v in mi.lhs]
    # the largest statistics point at the drifting intercept, named as long_partial takes it
    assert got.loc[got.X2.idxmax(), "parameter"] == FIX["cases"][key]["long_partial"].replace(
        " ", "")


@pytest.mark.parametrize("i", range(len(FIX["syntax"])))
def test_partial_syntax_matches_semtools(i):
    case = FIX["syntax"][i]
    as_list = lambda v: [v] if isinstance(v, str) else v  # noqa: E731
    text = longitudinal_syntax(case["model"], case["k"], as_list(case["equal"]),
                               n_thresholds=case.get("n_thresholds"),
                               long_partial=as_list(case["partial"]))
    assert statements(text) == statements(case["syntax"])


def test_scaling_factors_left_at_one_would_be_caught():
    # the fixture discriminates: the metric step with the later scaling factors fixed at 1
    # (Wu & Estabrook's rule broken) misses lavaan's χ² by far more than the tolerance
    case = FIX["cases"]["t2_wlsmv"]
    tab = _run(case)
    text = tab.attrs["syntax"]["metric"]
    assert text.count("~*~ NA*") == 5
    wrong = text.replace("~*~ NA*", "~*~ 1*")
    wide = LONG[LONG.occasion.isin(case["occasions"])].pivot(
        index="respondent_id", columns="occasion", values=ITEMS)
    wide.columns = [f"{v}.t{case['occasions'].index(o) + 1}" for v, o in wide.columns]
    assert cfa(wide, text, ordered=True).fit["chisq"] == pytest.approx(
        case["steps"]["metric"]["chisq"], rel=REL)
    off = cfa(wide, wrong, ordered=True).fit["chisq"] - case["steps"]["metric"]["chisq"]
    assert off > 1


def test_bad_input_named():
    occ = FIX["cases"]["t2_wlsmv"]["occasions"]
    with pytest.raises(ValueError, match="delta parameterization"):
        longitudinal_invariance(LONG, MODEL, occasions=occ, ordered=True, strict=True)
    with pytest.raises(ValueError, match="delta parameterization"):
        longitudinal_syntax(MODEL, 2, ["thresholds", "residuals"],
                            n_thresholds=dict.fromkeys(ITEMS, 3))
    with pytest.raises(ValueError, match="fitted by 'WLSMV'"):
        longitudinal_invariance(LONG, MODEL, occasions=occ, ordered=True, estimator="MLR")
    with pytest.raises(ValueError, match="every item of the model"):
        longitudinal_invariance(LONG, MODEL, occasions=occ, ordered=["u1", "u2"])
    with pytest.raises(ValueError, match="missing='ml'"):
        longitudinal_invariance(LONG, MODEL, occasions=occ, ordered=True, missing="ml")
    with pytest.raises(ValueError, match=r"long_partial \['u9~1'\] match no parameter"):
        longitudinal_invariance(LONG, MODEL, occasions=occ, long_partial=["u9 ~ 1"])
    with pytest.raises(ValueError, match=r"\['u1\|t1'\] match no parameter"):
        longitudinal_invariance(LONG, MODEL, occasions=occ, long_partial=["u1 | t1"])
    with pytest.raises(ValueError, match="partial_step='thresholds'"):
        longitudinal_invariance(LONG, MODEL, occasions=occ, long_partial=["u3~1"],
                                partial_step="thresholds")
    fewer = LONG.assign(u1=LONG.u1.where((LONG.occasion != occ[1]) | (LONG.u1 < 3), 2))
    with pytest.raises(ValueError, match=r"same categories at every occasion.*\n  u1: "
                       r"'intake' 0, 1, 2, 3; 'month6' 0, 1, 2$"):
        longitudinal_invariance(fewer, MODEL, occasions=occ, ordered=True)
