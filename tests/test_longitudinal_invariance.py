"""Longitudinal measurement invariance (analysis.stats.sem.longitudinal_invariance) against
semTools 0.5.6 measEq.syntax(longFacNames=, long.equal=, ID.fac="std.lv") fitted by lavaan
0.6.14 (tests/r/longitudinal_invariance.R → tests/fixtures/r/longitudinal_invariance.json;
the long data, synthetic, in longitudinal_invariance.csv).

Tolerances. χ², CFI, TLI and RMSEA: 1e-6 relative. χ² is the minimum of the discrepancy, so
it is second-order in the parameters' error: lavaan's nlminb (rel.tol 1e-10) and our fits
(gradient ≤ 1e-9) both reach it far tighter than that (observed ≤ 1e-10 relative); CFI, TLI
and RMSEA are functions of χ² and the baseline χ² only. SRMR and the MLR quantities (scaling
factor, scaled and robust measures, the Satorra–Bentler scaled difference) are first-order in
the parameter estimates, which nlminb's stopping rule leaves accurate to about √1e-10 = 1e-5
relative: 1e-5 relative (observed ≤ 3e-6). df and nobs exactly. The syntax of every step is
compared with semTools' text statement by statement.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from lavaan_compare import statements

from analysis.stats.lavaan_syntax import ModelSyntaxError
from analysis.stats.sem import longitudinal_invariance, longitudinal_syntax

HERE = Path(__file__).parent
FIX = json.loads((HERE / "fixtures/r/longitudinal_invariance.json").read_text())
LONG = pd.read_csv(HERE / "fixtures/r/longitudinal_invariance.csv",
                   dtype={"respondent_id": str, "occasion": str})
MODEL = FIX["model"]
STEPS = ("configural", "metric", "scalar", "strict")
TIGHT, LOOSE = 1e-6, 1e-5


@pytest.fixture(scope="module")
def tables():
    return {key: longitudinal_invariance(LONG, MODEL, occasions=case["occasions"],
                                         estimator=case["estimator"], missing=case["missing"])
            for key, case in FIX["cases"].items()}


@pytest.mark.parametrize("key", list(FIX["cases"]))
def test_steps_match_semtools_lavaan(tables, key):
    case = FIX["cases"][key]
    tab = tables[key]
    assert tab.columns[0] == "model" and list(tab.model) == list(STEPS)
    robust = case["estimator"] == "MLR"
    tab = tab.set_index("model")
    for i, step in enumerate(STEPS):
        ref, row = case["steps"][step], tab.loc[step]
        assert statements(tab.attrs["syntax"][step]) == statements(ref["syntax"]), step
        assert row["df"] == ref["df"] and row["npar"] == ref["npar"], step
        assert tab.attrs["nobs"][step] == ref["nobs"]
        assert bool(row["converged"]) and bool(row["admissible"])
        for col in ("chisq", "cfi", "tli", "rmsea"):
            assert row[col] == pytest.approx(ref[col], rel=TIGHT), (step, col)
        assert row["srmr"] == pytest.approx(ref["srmr"], rel=LOOSE), step
        if robust:
            for col in ("chisq.scaled", "chisq.scaling.factor", "cfi.robust", "tli.robust",
                        "rmsea.robust"):
                assert row[col] == pytest.approx(ref[col], rel=LOOSE), (step, col)
        if i == 0:
            assert pd.isna(row["chisq_diff"]) and row["compared_with"] == ""
            continue
        assert row["compared_with"] == STEPS[i - 1]
        assert row["df_diff"] == ref["df_diff"]
        tol = LOOSE if robust else TIGHT
        assert row["chisq_diff"] == pytest.approx(ref["chisq_diff"], rel=tol), step
        assert row["p_diff"] == pytest.approx(ref["p_diff"], rel=10 * tol), step
        prev = case["steps"][STEPS[i - 1]]
        cfi, rmsea = ("cfi.robust", "rmsea.robust") if robust else ("cfi", "rmsea")
        assert row["delta_cfi"] == pytest.approx(ref[cfi] - prev[cfi], abs=1e-6)
        assert row["delta_rmsea"] == pytest.approx(ref[rmsea] - prev[rmsea], abs=1e-6)


def test_chen_verdicts_by_hand(tables):
    # Chen (2007): ΔCFI ≥ −0.010, ΔRMSEA ≤ 0.015, ΔSRMR ≤ 0.030 (metric) / 0.010 (scalar, strict)
    tab = tables["t2_ml_listwise"].set_index("model")
    steps = FIX["cases"]["t2_ml_listwise"]["steps"]
    for prev, step, srmr_lim in (("configural", "metric", .030), ("metric", "scalar", .010),
                                 ("scalar", "strict", .010)):
        a, b = steps[prev], steps[step]
        ok = (b["cfi"] - a["cfi"] >= -.010 and b["rmsea"] - a["rmsea"] <= .015
              and b["srmr"] - a["srmr"] <= srmr_lim)
        assert bool(tab.loc[step, "supported"]) == ok, step
    assert not bool(tab.loc["scalar", "supported"])      # item 3's intercept drifts (the R script)
    assert pd.isna(tab.loc["configural", "supported"])


def test_reshape_bookkeeping(tables):
    tab = tables["t2_ml_listwise"]
    assert tab.attrs["occasions"] == {"t1": "pre", "t2": "post"}
    c = tab.attrs["counts"]
    assert c["rows"] == len(LONG) == c["rows_used"] + c["rows_other_occasions"]
    assert c["rows_other_occasions"] == int((LONG.occasion == "follow").sum())
    assert c["persons"] == 400
    assert any("listwise" in w for w in tab.attrs["warnings"]["configural"])


def test_occasion_order_comes_from_the_arguments():
    # the same data with the occasions given in the other order: the same χ² (t1 ↔ t2 swap
    # leaves the configural model unchanged), different labels
    tab = longitudinal_invariance(LONG, MODEL, occasions=["post", "pre"], strict=False)
    assert tab.attrs["occasions"] == {"t1": "post", "t2": "pre"}
    assert list(tab.model) == ["configural", "metric", "scalar"]
    ref = FIX["cases"]["t2_ml_listwise"]["steps"]["configural"]
    assert tab.chisq[0] == pytest.approx(ref["chisq"], rel=TIGHT)


def test_bad_input_named():
    twice = pd.concat([LONG, LONG.iloc[:2]], ignore_index=True)
    with pytest.raises(ValueError, match="more than one row at occasion"):
        longitudinal_invariance(twice, MODEL, occasions=["pre", "post"])
    with pytest.raises(ValueError, match="'later' has no rows"):
        longitudinal_invariance(LONG, MODEL, occasions=["pre", "later"])
    with pytest.raises(ValueError, match="two or more occasions"):
        longitudinal_invariance(LONG, MODEL, occasions=["pre"])
    with pytest.raises(ValueError, match="no column"):
        longitudinal_invariance(LONG, MODEL, id="person")
    with pytest.raises(ValueError, match="estimator"):
        longitudinal_invariance(LONG, MODEL, estimator="WLSMV")  # type: ignore[arg-type]
    with pytest.raises(ModelSyntaxError, match="first-order"):
        longitudinal_syntax("F =~ a*x1 + x2 + x3", 2)


def test_latent_mean_change_comes_from_the_scalar_model():
    """400 persons twice; the factor's mean rises by 0.5 (its t1 SD is 1) and the items
    are invariant: the scalar step holds, and the retest's latent mean is that model's
    estimate (est of F.t2 ~ 1), within three SEs of 0.5."""
    rng = np.random.default_rng(21)
    n = 400
    f1 = rng.normal(size=n)
    f2 = 0.8 * f1 + 0.6 * rng.normal(size=n) + 0.5
    frames = [pd.DataFrame({i: f * lam + rng.normal(scale=0.5, size=n) + nu
                            for i, lam, nu in zip("abcd", (1.0, 0.8, 0.9, 0.7), (0, 1, -1, 2))})
              .assign(respondent_id=[f"p{k}" for k in range(n)], occasion=occ)
              for f, occ in ((f1, "alku"), (f2, "loppu"))]
    tab = longitudinal_invariance(pd.concat(frames), "F =~ a + b + c + d", occasions=["alku", "loppu"])
    assert bool(tab.set_index("model").loc["scalar", "supported"])
    means = tab.attrs["latent_means"]["scalar"]
    assert means[["factor", "occasion", "reference"]].values.tolist() == [["F", "loppu", "alku"]]
    est, se = float(means.est[0]), float(means.se[0])
    assert abs(est - 0.5) < 3 * se and se < 0.1
    from analysis.stats.sem import cfa
    wide = pd.concat([frames[0].set_index("respondent_id")[list("abcd")].add_suffix(".t1"),
                      frames[1].set_index("respondent_id")[list("abcd")].add_suffix(".t2")], axis=1)
    fit = cfa(wide, tab.attrs["syntax"]["scalar"])
    row = fit.estimates[(fit.estimates.lhs == "F.t2") & (fit.estimates.op == "~1")]
    assert float(row.est.iloc[0]) == est and float(row.se.iloc[0]) == se
