"""Score tests of the invariance steps across groups that Chen's (2007) criteria reject
(analysis.stats.sem.invariance(...).attrs["score_tests"]) against lavaan 0.6.14
lavTestScore(fit)$uni and, for ordered items, modindices of the later groups' intercepts and
(theta) residual variances held equal by being fixed; each named as group_partial= takes it.

Reference: tests/fixtures/r/invariance_score_tests.json made by tests/r/invariance_score_tests.R
from the synthetic data it writes, tests/fixtures/data/invariance_score_tests.csv (900 persons
in groups north, east, west, in order of appearance, not alphabetical; x1-x6 continuous, two
factors; u1-u5 ordered, four categories, one factor). In group east x3's intercept and u2's
latent response are shifted (scalar rejected), in group west x5's loading is smaller (metric
rejected over three groups), x6's intercept lower (the partial scalar step freeing x3's
intercept stays rejected) and u4's residual variance larger. Cases: ML and MLR over north
and east (strict included) and over all three; WLSMV delta over north and east, theta over
all three with strict. For each rejected step R maps lavTestScore's ".pN." labels through the
parameter table to the first group's "lhs op rhs" and the later group's label, and fits the
partial step freeing the parameter with the largest statistic (group.partial=).

Tolerances (numpy's allclose: |ours − lavaan's| ≤ absolute + relative·|lavaan's|).
lavTestScore statistics: 1e-5 relative + 1e-4 absolute. They are first-order in the
estimates, which lavaan's nlminb leaves about 1e-5 relative from the optimum (our fits stop
at a gradient ≤ 1e-9 and reach a lower χ²: ML strict over three groups 278.7884666079 vs
lavaan's 278.7884666153); observed ≤ 1.1e-4 absolute at X2 = 9.9 (1.1e-5 relative, that
step; MLR is the same ordinary test) and ≤ 2.5e-5 absolute for WLSMV: at most 0.53 of the
tolerance. lavaan itself, restarted from its own estimates (start = fit), moves that
statistic by 3.6e-5 towards ours. Modification indices of the fixed intercepts and residual
variances: 1e-5 relative + 1e-3 absolute, as tests/test_invariance_theta.py: lavaan's own
MIs carry ~4e-4 of numerical error — its theta and delta MIs of the same scalar model (equal
χ², the same null hypothesis, so the same MI in theory) differ by up to 4.1e-4 here, ours
agree with each other to 1e-9 and lie within 3.6e-4 of lavaan's. p-values 1e-4 relative. The
partial fits' χ² 1e-6 relative (a minimum: second-order in the estimates; observed ≤ 5.9e-8
WLSMV, 5.6e-11 ML). Row order, df, the parameter names, the groups and the Chen verdicts
exactly. test_wrong_names_or_groups_are_caught shows the comparison rejects groups named in
alphabetical order, parameters named by lavaan's ".pN." label or spelled "F =~ x3", and
reference and group swapped; in the code, groups in alphabetical order fail 11 of these 16
tests, "F =~ x3" spellings 15; and the names are the ones group_partial= takes (the round
trip reproduces lavaan's partial fit).
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.stats.sem import invariance

HERE = Path(__file__).parent
FIX = json.loads((HERE / "fixtures/r/invariance_score_tests.json").read_text())
DATA = pd.read_csv(HERE / "fixtures/data/invariance_score_tests.csv")
X2_REL, X2_ABS, MI_ABS, CHISQ_REL = 1e-5, 1e-4, 1e-3, 1e-6
REJECTED = {key: [s for s, r in case["steps"].items() if r.get("rejected")]
            for key, case in FIX["cases"].items()}


def _run(key: str, strict: bool = True, **kwargs) -> pd.DataFrame:
    case = FIX["cases"][key]
    data = DATA[DATA.group.isin(case["groups"])]
    if case["estimator"] == "WLSMV":
        theta = case["parameterization"] == "theta"
        return invariance(data, FIX["model_u"], "group", ordered=True, strict=strict and theta,
                          parameterization=case["parameterization"], **kwargs)
    return invariance(data, FIX["model_x"], "group", case["estimator"], strict=strict, **kwargs)


@pytest.fixture(scope="module")
def tables():
    return {key: _run(key) for key in FIX["cases"]}


def _mismatches(got: pd.DataFrame, score: dict, groups: list[str]) -> list[str]:
    """What differs between our score tests of a step and lavaan's (empty: they agree)."""
    out = []
    ref = pd.DataFrame(score["uni"])
    eq = got[got.test == "equality"]
    if list(zip(eq.lhs, eq.rhs)) != list(zip(ref.lhs, ref.rhs)):
        return ["equality rows"]
    for col in ("parameter", "group", "reference"):
        if eq[col].tolist() != ref[col].tolist():
            out.append(f"equality {col}")
    if not np.allclose(eq.X2, ref.X2, rtol=X2_REL, atol=X2_ABS):
        out.append("equality X2")
    if not np.allclose(eq.pvalue, ref["p.value"], rtol=1e-4, atol=1e-12):
        out.append("equality pvalue")
    fixed = got[got.test == "fixed"]
    mi = pd.DataFrame(score.get("mi", []), columns=["lhs", "op", "group", "parameter", "mi"])
    if list(zip(fixed.lhs, fixed.op, fixed.group, fixed.parameter)) != list(
            zip(mi.lhs, mi.op, mi.group, mi.parameter)):
        out.append("fixed rows")
    elif not np.allclose(fixed.X2.astype(float), mi.mi.astype(float), rtol=X2_REL, atol=MI_ABS):
        out.append("fixed X2")
    if set(got.reference) != {groups[0]} or (got.df != 1).any():
        out.append("reference or df")
    return out


def test_fixture_versions_and_discriminating_data():
    assert (FIX["lavaan"], FIX["semTools"]) == ("0.6.14", "0.5.6")
    assert list(pd.unique(DATA.group)) == ["north", "east", "west"]   # not alphabetical
    assert REJECTED == {"ml_2g": ["scalar"], "mlr_2g": ["scalar"],
                        "ml_3g": ["metric", "scalar", "strict"],
                        "mlr_3g": ["metric", "scalar", "strict"],
                        "wlsmv_delta_2g": ["scalar"], "wlsmv_theta_3g": ["scalar", "strict"]}


@pytest.mark.parametrize("key", list(FIX["cases"]))
def test_score_tests_of_rejected_steps_match_lavaan(tables, key):
    case, tab = FIX["cases"][key], tables[key]
    verdict = dict(zip(tab.model, tab.supported))
    assert [s for s in verdict if verdict[s] is not pd.NA and not verdict[s]] == REJECTED[key]
    assert list(tab.attrs["score_tests"]) == REJECTED[key]
    # pandas compares the attrs of the frames it combines: the tables must not break that
    assert pd.concat([tab, tab.astype({"df": int})]).shape == (2 * len(tab), tab.shape[1])
    for step in REJECTED[key]:
        got = tab.attrs["score_tests"][step]
        assert _mismatches(got, case["steps"][step]["score"], case["groups"]) == [], step
        assert list(got.columns[:4]) == ["parameter", "reference", "group", "test"]
        assert set(got.group) == set(case["groups"][1:])                 # every later group
        fixed = got[got.test == "fixed"]
        assert fixed.empty == (case["estimator"] != "WLSMV")
        # theta strict: the later residual variances, fixed at 1 under group 1's labels
        assert ("~~" in set(fixed.op)) == (key == "wlsmv_theta_3g" and step == "strict")


@pytest.mark.parametrize("key,step", [(k, s) for k, steps in REJECTED.items() for s in steps
                                      if not k.startswith("mlr") or s == "scalar" and "3g" in k])
def test_top_parameter_round_trips_through_group_partial(tables, key, step):
    # MLR's score tests are ML's (the ordinary test): its one rejected partial step suffices
    case = FIX["cases"][key]
    ref = case["steps"][step]["partial"]
    got = tables[key].attrs["score_tests"][step]
    top = got.loc[got.X2.idxmax(), "parameter"]
    assert top == ref["parameter"]
    tab = _run(key, step == "strict", group_partial=[top], partial_step=step).set_index("model")
    row = tab.loc[f"{step} (partial)"]
    assert (row["df"], row["npar"]) == (ref["df"], ref["npar"])
    assert row["chisq"] == pytest.approx(ref["chisq"], rel=CHISQ_REL)
    assert bool(row["supported"]) == (not ref["rejected"])
    # the partial step's own score tests when it is rejected too (ML/MLR scalar, 3 groups)
    assert (f"{step} (partial)" in tab.attrs["score_tests"]) == ref["rejected"]
    if ref["rejected"]:
        own = tab.attrs["score_tests"][f"{step} (partial)"]
        assert _mismatches(own, ref["score"], case["groups"]) == []
        assert top not in set(own.parameter)                 # its constraints are released


def test_wrong_names_or_groups_are_caught(tables):
    case = FIX["cases"]["ml_3g"]
    score = case["steps"]["metric"]["score"]
    got = tables["ml_3g"].attrs["score_tests"]["metric"]
    assert _mismatches(got, score, case["groups"]) == []
    alphabetical = dict(zip(case["groups"], sorted(case["groups"])))
    assert "equality group" in _mismatches(got.assign(group=got.group.map(alphabetical)),
                                           score, case["groups"])
    plabel = got.assign(parameter=got.lhs)                    # lavaan's ".pN." label
    spaced = got.assign(parameter=got.parameter.str.replace("=~", " =~ "))
    for wrong in (plabel, spaced):
        assert "equality parameter" in _mismatches(wrong, score, case["groups"])
    swapped = got.assign(reference=got.group, group=got.reference)
    assert _mismatches(swapped, score, case["groups"])
    theta = FIX["cases"]["wlsmv_theta_3g"]
    got = tables["wlsmv_theta_3g"].attrs["score_tests"]["strict"]
    moved = got.assign(group=np.where(got.test == "fixed", got.group.map(
        {"east": "west", "west": "east"}), got.group))
    assert "fixed rows" in _mismatches(moved, theta["steps"]["strict"]["score"], theta["groups"])

