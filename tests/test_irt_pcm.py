"""analysis.stats.irt.pcm against R eRm 1.0-2 (PCM, thresholds, person.parameter, itemfit) on
the seeded data of tests/r/irt_pcm.R, against a brute-force conditional likelihood, and by
hand on data the fixture does not hold.

Fixture: ``Rscript tests/r/irt_pcm.R`` → ``tests/fixtures/r/irt_pcm.json``:
``five`` (400 persons, five items 0–4, disordered thresholds in i3, extreme raw scores 0 and
20), ``mixed`` (300 persons, items with 3, 4, 5, 5 categories coded from 1, missing answers in
q3 and q4) and ``mixed_na`` (the same with missing answers in q1 and q2 too, where eRm
mis-groups the items — see the R script — and the reference is a brute-force conditional
likelihood maximised by optim).

eRm stops its optimiser (``nlm``, default gradient tolerance 1e-6) short of the optimum: our
Newton–Raphson ends at a conditional log-likelihood 5e-9 *higher* than eRm's, with
parameters 2e-5 away. The tolerances therefore allow for eRm's stopping point, not for ours:

* conditional log-likelihood: ours ≥ eRm's and within 1e-6;
* beta, thresholds, locations: absolute 1e-4 (observed ≤ 2.1e-5);
* standard errors of beta and thresholds: relative 1e-3 (eRm inverts nlm's finite-difference
  Hessian, we the analytic one; observed ≤ 6.2e-5);
* person parameters (ML and interpolated): absolute 1e-4 (observed ≤ 3.2e-5, the item
  parameters' offset carried through); their SEs relative 1e-3 (nlm's Hessian; observed
  ≤ 1.5e-4);
* infit/outfit mean squares: absolute 1e-4 (observed ≤ 2.7e-6); their t: absolute 1e-3
  (observed ≤ 4e-5); chi-square relative 1e-5 (observed ≤ 3e-6); its p absolute 1e-4;
  ``discrim`` (no estimated parameter involved) absolute 1e-10.

Against the brute-force likelihood (``mixed_na``; optim's BFGS ended with |gradient| ≤ 2e-6):
log-likelihood absolute 1e-8, beta absolute 1e-6, SEs relative 1e-5 (observed 0, 2e-8, 5e-8).
"""
from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.stats import irt

FIXTURE = Path(__file__).parent / "fixtures" / "r" / "irt_pcm.json"
ERM_CASES = ["five", "mixed"]


@pytest.fixture(scope="module")
def ref():
    return json.loads(FIXTURE.read_text())


def _frame(ref, case):
    return pd.DataFrame(ref[case]["data"]).astype(float)


@pytest.fixture(scope="module")
def fits(ref):
    frames = {case: _frame(ref, case) for case in ["five", "mixed", "mixed_na"]}
    return {case: irt.pcm(d, list(d.columns)) for case, d in frames.items()}


def _nan(values):
    return np.array([np.nan if v is None else v for v in values], dtype=float)


@pytest.mark.parametrize("case", ERM_CASES)
def test_conditional_likelihood_and_item_category_parameters(ref, fits, case):
    r, res = ref[case], fits[case]
    assert res.npar == r["npar"]
    assert res.loglik >= r["loglik"] and res.loglik == pytest.approx(r["loglik"], abs=1e-6)
    par = res.parameters
    assert [f"beta {i}.c{s}" for i, s in zip(par["item"], par["step"])] == r["beta_names"]
    np.testing.assert_allclose(par["beta"], r["betapar"], rtol=0, atol=1e-4)
    np.testing.assert_allclose(par["se_beta"], r["se_beta"], rtol=1e-3)
    assert par["beta"].sum() == pytest.approx(0, abs=1e-12)          # PCM(sum0 = TRUE)
    np.testing.assert_allclose(np.sqrt(np.diag(res.vcov_beta)), par["se_beta"], rtol=1e-12)


@pytest.mark.parametrize("case", ERM_CASES)
def test_thresholds_against_erm(ref, fits, case):
    r, res = ref[case]["thresholds"], fits[case]
    tab = res.thresholds
    assert list(tab["item"]) == r["item"]
    np.testing.assert_allclose(tab["location"], r["location"], rtol=0, atol=1e-4)
    width = len(r["table"][0])
    ours = tab[[f"threshold_{h}" for h in range(1, width + 1)]].to_numpy()
    np.testing.assert_allclose(ours, np.array([_nan(row) for row in r["table"]]), rtol=0, atol=1e-4)
    np.testing.assert_allclose(res.parameters["threshold"], r["threshpar"], rtol=0, atol=1e-4)
    np.testing.assert_allclose(res.parameters["se_threshold"], r["se"], rtol=1e-3)
    se_wide = tab[[f"se_threshold_{h}" for h in range(1, width + 1)]].to_numpy()
    assert np.array_equal(np.isnan(se_wide), np.isnan(ours))
    np.testing.assert_allclose(se_wide[~np.isnan(se_wide)], r["se"], rtol=1e-3)
    ordered = [bool(np.all(np.diff(row[~np.isnan(row)]) > 0)) for row in np.array([_nan(t) for t in r["table"]])]
    assert tab["ordered"].tolist() == ordered


def test_disordered_thresholds_are_flagged(fits):
    tab = fits["five"].thresholds.set_index("item")
    assert tab["ordered"].to_dict() == {"i1": True, "i2": True, "i3": False, "i4": True, "i5": True}
    assert tab.loc["i3", "threshold_2"] > tab.loc["i3", "threshold_3"]     # simulated so


@pytest.mark.parametrize("case", ERM_CASES)
def test_person_parameters_against_erm(ref, fits, case):
    r, persons = ref[case]["persons"], fits[case].persons
    theta = _nan(r["theta"])
    assert np.array_equal(np.isnan(theta), persons["theta"].isna().to_numpy())
    np.testing.assert_allclose(persons["theta"].to_numpy()[~np.isnan(theta)], theta[~np.isnan(theta)],
                               rtol=0, atol=1e-4)
    assert persons["interpolated"].tolist() == r["interpolated"]
    assert persons["raw_score"].tolist() == r["raw_score"]
    assert list(np.flatnonzero(persons["interpolated"]) + 1) == r["excluded"]
    # ML estimates and SEs per non-extreme person (eRm names them P1, P2, ...)
    for group, names in r["thetapar_names"].items():
        rows = np.array([int(nm[1:]) - 1 for nm in names])
        np.testing.assert_allclose(persons["theta"].to_numpy()[rows], r["thetapar"][group], rtol=0, atol=1e-4)
        np.testing.assert_allclose(persons["se"].to_numpy()[rows], r["se_theta"][group], rtol=1e-3)
    assert persons.loc[persons["interpolated"], "se"].isna().all()


def test_extreme_scores_are_interpolated_as_erm(ref, fits):
    """Raw scores 0 and 20 get the natural cubic spline's linear extension (R interpSpline)."""
    persons = fits["five"].persons
    extreme = persons[persons["interpolated"]]
    assert set(extreme["raw_score"]) == {0, 20}
    inner = persons[~persons["interpolated"]].drop_duplicates("raw_score").sort_values("raw_score")
    slope_low = (inner["theta"].iloc[1] - inner["theta"].iloc[0]) / (inner["raw_score"].iloc[1] - inner["raw_score"].iloc[0])
    low = extreme.loc[extreme["raw_score"] == 0, "theta"].iloc[0]
    assert low < inner["theta"].iloc[0] - 0.5 * slope_low * inner["raw_score"].iloc[0]   # below, roughly linear
    assert extreme.loc[extreme["raw_score"] == 20, "theta"].iloc[0] > inner["theta"].iloc[-1]


def test_too_few_scores_in_a_pattern_leave_extreme_persons_without_theta(ref, fits):
    persons = fits["mixed"].persons
    theta = _nan(ref["mixed"]["persons"]["theta"])
    missing = np.isnan(theta)
    # eRm: patterns with fewer than four distinct non-extreme scores get no interpolation
    assert missing.any() and persons["interpolated"].to_numpy()[missing].all()


@pytest.mark.parametrize("case", ERM_CASES)
def test_itemfit_against_erm(ref, fits, case):
    r, fit = ref[case]["itemfit"], fits[case].itemfit
    assert fit["item"].tolist() == r["item"]
    assert fit["df"].tolist() == r["df"]
    np.testing.assert_allclose(fit["chisq"], r["chisq"], rtol=1e-5)
    np.testing.assert_allclose(fit["p"], r["p"], rtol=0, atol=1e-4)
    for col in ("outfit_msq", "infit_msq"):
        np.testing.assert_allclose(fit[col], r[col], rtol=0, atol=1e-4)
    for col in ("outfit_t", "infit_t"):
        np.testing.assert_allclose(fit[col], r[col], rtol=0, atol=1e-3)
    np.testing.assert_allclose(fit["discrim"], r["discrim"], rtol=0, atol=1e-10)
    table = fits[case].to_frame()
    assert list(table["item"]) == r["item"] and "infit_msq" in table and "threshold_1" in table


def test_erm_mis_groups_items_when_a_shorter_item_is_missing(ref, fits):
    """The brute-force reference and the cause of eRm's deviation, both computed in R."""
    r, res = ref["mixed_na"], fits["mixed_na"]
    assert r["convergence"] == 0 and r["max_abs_grad"] < 1e-5
    assert res.loglik == pytest.approx(r["loglik"], abs=1e-8)
    np.testing.assert_allclose(res.parameters["beta"], r["betapar"], rtol=0, atol=1e-6)
    np.testing.assert_allclose(res.parameters["se_beta"], r["se_beta"], rtol=1e-5)
    # eRm's optimum is the optimum of a different likelihood ...
    assert r["erm_grouping_loglik_at_erm_estimates"] == pytest.approx(r["erm_loglik"], abs=1e-8)
    # ... and, under the correct one, below ours by far more than any tolerance
    assert res.loglik - r["loglik_at_erm_estimates"] > 0.1


# ---- by hand, on data the fixture does not hold ----

def _simulate(seed: int, n: int, taus: list[list[float]]) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    theta = rng.normal(0, 1.2, size=n)
    cols = {}
    for j, tau in enumerate(taus, 1):
        b = -np.cumsum(tau)
        p = irt._category_probs(theta, b)
        cols[f"x{j}"] = (rng.random(n)[:, None] > np.cumsum(p, axis=1)).sum(axis=1)
    return pd.DataFrame(cols)


def test_conditional_score_equations_by_enumeration():
    """At the estimate, expected = observed category counts, with the conditional
    probabilities computed by enumerating every answer pattern (no symmetric-function
    recursion) — the CML estimating equations (Andersen 1977)."""
    taus = [[-1.0, 0.5], [-0.5, 0.2, 1.0], [-1.2, -0.1, 0.6, 1.3]]
    d = _simulate(11, 250, taus)
    d.iloc[[3, 40, 41], 1] = np.nan
    res = irt.pcm(d, list(d.columns))
    beta = [res.parameters.loc[res.parameters["item"] == c, "beta"].to_numpy() for c in d.columns]
    m = [len(b) for b in beta]
    expected = [np.zeros(k) for k in m]
    observed = [np.bincount(d[c].dropna().astype(int), minlength=k + 1)[1:] for c, k in zip(d.columns, m)]
    for _, row in d.iterrows():
        items = [i for i in range(3) if not np.isnan(row.iloc[i])]
        r = int(sum(row.iloc[i] for i in items))
        patterns = [p for p in itertools.product(*[range(m[i] + 1) for i in items]) if sum(p) == r]
        weights = np.array([np.exp(sum(np.concatenate([[0.0], beta[i]])[h] for i, h in zip(items, p)))
                            for p in patterns])
        weights /= weights.sum()
        for p, w in zip(patterns, weights):
            for i, h in zip(items, p):
                if h:
                    expected[i][h - 1] += w
    for e, o in zip(expected, observed):
        np.testing.assert_allclose(e, o, rtol=0, atol=1e-7)
    assert res.parameters["beta"].sum() == pytest.approx(0, abs=1e-12)


def test_codes_shifted_to_the_lowest_answer_give_the_same_model():
    d = _simulate(12, 200, [[-1.0, 0.3, 1.0]] * 4)
    res = irt.pcm(d, list(d.columns))
    shifted = irt.pcm(d.assign(x2=d["x2"] + 1, x4=d["x4"] + 5), list(d.columns))
    pd.testing.assert_frame_equal(res.thresholds, shifted.thresholds, check_exact=False, atol=1e-12)
    assert shifted.lowest == (0, 1, 0, 5)
    assert shifted.parameters.loc[shifted.parameters["item"] == "x4", "category"].tolist() == [6, 7, 8]


def test_category_probability_curves(fits):
    res = fits["five"]
    grid = np.linspace(-4, 4, 81)
    curves = irt.category_probabilities(res, "i3", grid)
    assert list(curves.columns) == ["theta", "category", "probability"]
    wide = curves.pivot(index="theta", columns="category", values="probability")
    assert list(wide.columns) == [0, 1, 2, 3, 4]
    np.testing.assert_allclose(wide.sum(axis=1), 1, atol=1e-14)
    # adjacent categories are equally likely at their threshold
    tau = res.parameters.loc[res.parameters["item"] == "i3", "threshold"].to_numpy()
    at = irt.category_probabilities(res, "i3", tau).pivot(index="theta", columns="category", values="probability")
    for h, t in enumerate(tau, 1):
        assert at.loc[t, h - 1] == pytest.approx(at.loc[t, h], rel=1e-12)
    # disordered i3: category 2 is never the most likely one
    assert not (wide.idxmax(axis=1) == 2).any()
    with pytest.raises(KeyError, match="nope"):
        irt.category_probabilities(res, "nope", grid)


def test_persons_with_fewer_than_two_answers_are_counted_out():
    d = _simulate(13, 120, [[-1.0, 0.0, 1.0]] * 3)
    d.iloc[0, [0, 1]] = np.nan
    d.iloc[1, :] = np.nan
    res = irt.pcm(d, list(d.columns))
    assert (res.n, res.n_excluded) == (118, 2)
    assert list(res.persons.index[:2]) == [2, 3]


def test_bad_input():
    d = _simulate(14, 100, [[-1.0, 0.0, 1.0]] * 3)
    with pytest.raises(ValueError, match="integers"):
        irt.pcm(d.assign(x1=d["x1"] + 0.5), list(d.columns))
    with pytest.raises(ValueError, match=r"no answers in category \[1\]"):
        irt.pcm(d.assign(x2=d["x2"].replace(1, 2)), list(d.columns))
    with pytest.raises(ValueError, match="every answer is 3"):
        irt.pcm(d.assign(x3=3), list(d.columns))
    with pytest.raises(ValueError, match="at least two items"):
        irt.pcm(d, ["x1"])
    with pytest.raises(ValueError, match="do not exist"):
        irt.pcm(pd.DataFrame({"a": [0, 1, 2, 1, 2, 0, 1, 2, 1, 0], "b": [1, 1, 2, 0, 2, 0, 2, 1, 1, 0]}),
                ["a", "b"])
