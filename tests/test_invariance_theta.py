"""Measurement invariance of ordered items in the theta parameterization, with the strict
step (analysis.stats.sem.invariance / longitudinal_invariance(ordered=,
parameterization="theta")) against semTools 0.5.6 measEq.syntax(ordered=,
parameterization="theta", ID.fac="std.lv", ID.cat="Wu.Estabrook.2016", group.equal=,
group.partial= / longFacNames=, long.equal=, long.partial=) fitted by lavaan 0.6.14
(WLSMV), lavTestLRT (Satorra 2000), lavTestScore and modindices; and partial steps across
groups under delta.

Reference: tests/fixtures/r/invariance_theta.json made by tests/r/invariance_theta.R from the
synthetic long data it writes, tests/fixtures/data/ordinal_invariance_theta.csv (1000 persons
in groups a and b, three occasions; u1–u4 with 3, 4, 5 and 4 categories, u5 binary). In
group b u2's latent response is shifted (the scalar step fails, freeing u2's intercept
restores it) and u4's residual variance is 2.6 times group a's (the strict step fails,
freeing u4's residual variance restores it); u3 drifts after the first occasion (the
longitudinal scalar step fails) and u1's residual variance is 4 times larger at the third
(the strict step fails over three occasions, not over two). Cases: groups (first occasion)
theta with the partial scalar step "u2 ~ 1" and strict, the same with "u4 ~~ u4" also free,
delta with "u2 ~ 1" (no strict step); occasions 2 and 3 theta with "u3 ~ 1"; the syntax
alone of eight partial models (groups and occasions; a residual variance, an intercept,
thresholds; a two-factor model with a cross-loading, a residual covariance and the binary
item).

Tolerances, those of tests/test_longitudinal_invariance_wlsmv.py except two, loosened with
the reason given. Observed agreement: χ², scaled χ², scaling factor and shift parameter
≤ 1.9e-7 relative (≤ 3.2e-5 absolute, at 406), fit indices ≤ 1.3e-7 absolute, p-values of the
differences ≤ 2.3e-7, lavTestScore statistics ≤ 2.4e-5 absolute, modification indices ≤ 2.8e-4
absolute (2.1e-5 relative; X2 up to 86). χ²-type statistics are compared at 1e-6 relative,
fit indices at 1e-6 absolute, lavTestScore statistics at 1e-5 relative + 1e-4 absolute (as
there). Loosened: (1) the Satorra (2000) differences at 1e-6 relative + 1e-5 absolute — a
difference near 0 (0.045 and −1.03 here; lavaan's scaled-shifted difference of two WLSMV fits
can be negative) inherits the absolute error of the two χ² (≤ 1.7e-6 at these), 1.0e-5
relative of the difference itself; (2) the modification indices of the fixed intercepts and
residual variances at 1e-5 relative + 1e-3 absolute — lavaan's theta MIs carry ~2e-4 of
numerical error (tests/test_modindices_wlsmv.py: lavaan's own theta and delta MIs of one model
differ by 2e-3), still far inside the MIs' differences between parameters. df, npar and nobs
exactly; the syntax of every step line for line. Keeping the later groups' or occasions'
residual variances fixed at 1 (Wu & Estabrook's rule broken) moves χ² by whole units
(checked below); in the syntax generators it fails 16 of these 20 tests (the syntax, and
every table: the strict step would add no constraint); not counting the later residual variances among the
strict step's fixed score tests fails the t3 score-test check.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from analysis.stats.sem import (
    cfa,
    invariance,
    longitudinal_invariance,
    longitudinal_syntax,
    measurement_syntax,
)

HERE = Path(__file__).parent
FIX = json.loads((HERE / "fixtures/r/invariance_theta.json").read_text())
LONG = pd.read_csv(HERE / "fixtures/data/ordinal_invariance_theta.csv",
                   dtype={"respondent_id": str, "occasion": str, "group": str})
FIRST = LONG[LONG.occasion == "t1"]
MODEL = FIX["model"]
CHISQ = {"chisq", "chisq.scaled", "chisq.scaling.factor", "chisq.shift.parameters"}
REL, ABS, DIFF_ABS, MI_ABS = 1e-6, 1e-6, 1e-5, 1e-3


def _list(v) -> list[str]:
    return [p for p in ([v] if isinstance(v, str) else v) if p]


def _run(key: str, **kwargs) -> pd.DataFrame:
    case = FIX["cases"][key]
    if key.startswith("groups"):
        return invariance(FIRST, MODEL, "group", ordered=True,
                          parameterization=case["parameterization"], strict=case["strict"],
                          group_partial=_list(case["partial"]),
                          partial_step=case["partial_step"], **kwargs)
    return longitudinal_invariance(LONG, MODEL, occasions=case["occasions"], ordered=True,
                                   parameterization="theta", long_partial=_list(case["partial"]),
                                   partial_step=case["partial_step"], **kwargs)


@pytest.fixture(scope="module")
def tables():
    return {key: _run(key) for key in FIX["cases"]}


def _lines(text: str) -> list[str]:
    return [" ".join(line.split()) for line in text.splitlines() if line.strip()]


def test_fixture_versions():
    assert (FIX["lavaan"], FIX["semTools"]) == ("0.6.14", "0.5.6")


@pytest.mark.parametrize("key", list(FIX["cases"]))
def test_steps_match_semtools_lavaan(tables, key):
    case = FIX["cases"][key]
    tab = tables[key]
    assert list(tab.model) == list(case["steps"])
    tab = tab.set_index("model")
    nobs = tab.attrs.get("nobs")
    for step, ref in case["steps"].items():
        row = tab.loc[step]
        assert _lines(tab.attrs["syntax"][step]) == _lines(ref["syntax"]), step
        assert (row["df"], row["npar"]) == (ref["df"], ref["npar"]), step
        if nobs is not None:
            assert nobs[step] == ref["nobs"]
        assert bool(row["converged"]) and bool(row["admissible"]) and ref["converged"]
        for col in tab.columns.intersection(list(ref)):
            if col in ("df", "npar", "chisq_diff", "df_diff", "p_diff"):
                continue
            tol = dict(rel=REL) if col in CHISQ else dict(abs=ABS)
            assert row[col] == pytest.approx(ref[col], **tol), (step, col)
        if ref["against"] is None:
            assert pd.isna(row["chisq_diff"]) and row["compared_with"] == ""
            continue
        assert row["compared_with"] == ref["against"]
        assert "satorra.2000" in ref["lrt_method"]
        assert row["df_diff"] == ref["df_diff"]
        assert row["chisq_diff"] == pytest.approx(ref["chisq_diff"], rel=REL, abs=DIFF_ABS), step
        assert row["p_diff"] == pytest.approx(ref["p_diff"], rel=1e-5, abs=1e-9), step
        prev = case["steps"][ref["against"]]
        for mine, theirs in (("delta_cfi", "cfi.scaled"), ("delta_rmsea", "rmsea.scaled"),
                             ("delta_srmr", "srmr")):
            assert row[mine] == pytest.approx(ref[theirs] - prev[theirs], abs=ABS), (step, mine)


def test_chen_verdicts_strict_and_partial_steps(tables):
    verdicts = {key: dict(zip(t.model, t.supported)) for key, t in tables.items()}
    g = verdicts["groups_theta"]
    assert pd.isna(g["thresholds"]) and g["metric"] and not g["scalar"]
    assert g["scalar (partial)"] and not g["strict"]              # u4's residual variance
    assert verdicts["groups_theta_strict_partial"]["strict"]      # ... freed
    assert not verdicts["groups_delta"]["scalar"] and verdicts["groups_delta"]["scalar (partial)"]
    assert verdicts["t2_theta"]["strict"] and not verdicts["t3_theta"]["strict"]
    assert list(tables["groups_theta"].compared_with) == [
        "", "configural", "thresholds", "metric", "metric", "scalar (partial)"]
    # the strict step keeps u2's intercept free, its residual variance stays 1 in group b
    strict = tables["groups_theta_strict_partial"].attrs["syntax"]["strict"]
    assert "u2 ~ c(0, NA)*1 + c(nu.2.g1, nu.2.g2)*1" in strict
    assert "u2 ~~ c(1, 1)*u2 + c(theta.2_2, theta.2_2)*u2" in strict
    assert "u4 ~~ c(1, NA)*u4 + c(theta.4_4.g1, theta.4_4.g2)*u4" in strict
    means = tables["groups_theta"].attrs["latent_means"]["scalar (partial)"]
    assert means.factor.tolist() == ["F"] and means.group_label.tolist() == ["b"]


def test_delta_and_theta_fit_alike_but_for_a_fixed_binary_scale(tables):
    # the metric step holds the binary u5's scale fixed in group b with its loading equal:
    # scaling factor 1 (delta) and residual variance 1 (theta) are different constraints
    theta = tables["groups_theta"].set_index("model").chisq
    delta = tables["groups_delta"].set_index("model").chisq
    for step in delta.index:
        assert (delta[step] == pytest.approx(theta[step], rel=REL)) == (step != "metric"), step
    assert theta["metric"] < delta["metric"] - 0.4


@pytest.mark.parametrize("key", ["t2_theta", "t3_theta"])
def test_score_tests_match_lavtestscore_and_modindices(tables, key):
    tab, case = tables[key], FIX["cases"][key]
    rejected = [m for m, ok in zip(tab.model, tab.supported) if ok is not pd.NA and not ok]
    assert list(tab.attrs["score_tests"]) == rejected == (
        ["scalar"] if key == "t2_theta" else ["scalar", "strict"])
    for step in rejected:
        got = tab.attrs["score_tests"][step]
        score = case["steps"][step]["score"]
        ref = pd.DataFrame(score["uni"])
        eq = got[got.test == "equality"]
        assert list(zip(eq.lhs, eq.rhs)) == list(zip(ref.lhs, ref.rhs))
        assert eq.X2.tolist() == pytest.approx(ref.X2.tolist(), rel=1e-5, abs=1e-4)
        # held equal by being fixed: the later intercepts (0) and, strict, residual variances (1)
        mi = pd.DataFrame(score["mi"])
        mi = mi[~mi.lhs.str.endswith(".t1")]
        fixed = got[got.test == "fixed"]
        assert list(zip(fixed.lhs, fixed.op)) == list(zip(mi.lhs, mi.op))
        assert ("~~" in set(fixed.op)) == (step == "strict")
        assert fixed.X2.tolist() == pytest.approx(mi.mi.tolist(), rel=1e-5, abs=MI_ABS)
        # the largest statistic names the parameter to free, as long_partial takes it
        assert got.loc[got.X2.idxmax(), "parameter"] == {"scalar": "u3~1", "strict": "u1~~u1"}[step]
        occ = case["occasions"]
        assert set(got.reference) == {occ[0]} and set(got.occasion) == set(occ[1:])


@pytest.mark.parametrize("i", range(len(FIX["syntax"])))
def test_partial_syntax_matches_semtools(i):
    case = FIX["syntax"][i]
    args = dict(parameterization=case["parameterization"])
    if case["k"] == 1:
        text = measurement_syntax(case["model"], case["n_thresholds"], 2, _list(case["equal"]),
                                  group_partial=_list(case["partial"]), **args)
    else:
        text = longitudinal_syntax(case["model"], case["k"], _list(case["equal"]),
                                   n_thresholds=case["n_thresholds"],
                                   long_partial=_list(case["partial"]), **args)
    assert _lines(text) == _lines(case["syntax"])


def test_later_residual_variances_left_at_one_would_be_caught():
    # Wu & Estabrook's rule: with equal thresholds the later occasions' residual variances of
    # y* are free; fixed at 1 instead, χ² misses lavaan's by far more than the tolerance
    case = FIX["cases"]["t2_theta"]
    text = case["steps"]["metric"]["syntax"]
    free = re.compile(r"^(u\d\.t2) ~~ NA\*\1 ", re.M)
    assert len(free.findall(text)) == 4                       # all but the binary u5
    wide = LONG[LONG.occasion.isin(case["occasions"])].pivot(
        index="respondent_id", columns="occasion", values=[f"u{i}" for i in range(1, 6)])
    wide.columns = [f"{v}.t{case['occasions'].index(o) + 1}" for v, o in wide.columns]
    want = case["steps"]["metric"]["chisq"]
    assert cfa(wide, text, ordered=True, parameterization="theta").fit["chisq"] == pytest.approx(
        want, rel=REL)
    wrong = free.sub(lambda m: f"{m[1]} ~~ 1*{m[1]} ", text)
    assert cfa(wide, wrong, ordered=True, parameterization="theta").fit["chisq"] - want > 1


def test_bad_input_named():
    occ = FIX["cases"]["t2_theta"]["occasions"]
    with pytest.raises(ValueError, match="parameterization='theta' applies to ordered items"):
        invariance(FIRST, MODEL, "group", parameterization="theta")
    with pytest.raises(ValueError, match="parameterization='theta' applies to ordered items"):
        longitudinal_invariance(LONG, MODEL, occasions=occ, parameterization="theta")
    with pytest.raises(ValueError, match="parameterization='theta' applies to ordered items"):
        longitudinal_syntax(MODEL, 2, parameterization="theta")
    with pytest.raises(ValueError, match=r"parameterization='Theta'; expected one of"):
        invariance(FIRST, MODEL, "group", ordered=True, parameterization="Theta")
    with pytest.raises(ValueError, match="delta parameterization.*parameterization='theta'"):
        invariance(FIRST, MODEL, "group", ordered=True, strict=True)
    with pytest.raises(ValueError, match="delta parameterization.*parameterization='theta'"):
        measurement_syntax(MODEL, dict.fromkeys(FIX["syntax"][0]["n_thresholds"], 2), 2,
                           ["thresholds", "residuals"])
    with pytest.raises(ValueError, match=r"group_partial \['u1~~u1'\] match no parameter of "
                       r"the model; expected .* or thresholds"):
        invariance(FIRST, MODEL, "group", ordered=True, group_partial=["u1 ~~ u1"])
    with pytest.raises(ValueError, match=r"long_partial \['u5\|t2'\] match no parameter"):
        longitudinal_invariance(LONG, MODEL, occasions=occ, ordered=True,
                                parameterization="theta", long_partial=["u5 | t2"])
