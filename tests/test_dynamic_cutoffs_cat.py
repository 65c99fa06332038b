"""Dynamic fit index cutoffs for ordered items (WLSMV) against the R package ``dynamic``'s
``catOne`` and ``catHB`` (McNeish 2023).

No published numbers: the package's ``catOne``/``catHB`` examples (``man/catOne.Rd``,
``man/catHB.Rd``) run in ``\\donttest`` without printed output, and the categorical vignette
(rpubs.com/dmcneish/1025400) is not part of the repository. The reference here is the
package's own code run once (R 4, lavaan 0.6.14): ``R/helper.R``, ``R/catOne.R`` and
``R/catHB.R`` of melissagwolf/dynamic 1.1.0 sourced as they are, with two stand-ins for
packages missing there — ``dplyr::reframe`` as ``dplyr::summarise`` (dplyr 1.0.10; same
rows) and ``simstandard::sim_standardized`` as a short function drawing the same normal
population (standardized loadings and correlations from the model statement, residual
variances 1 − communality, ``MASS::mvrnorm``) — on ``ordinal_skewed`` (n = 900, five
categories), 500 replications per level:

* ``catOne`` of ``f =~ q1 + q3 + q4 + q5 + q6 + q8``: misspecifications ``q6 ~~ 0.3 * q8``,
  ``q5 ~~ 0.3 * q4``, ``q1 ~~ 0.3 * q3``; cutoffs (SRMR, RMSEA, CFI; sensitivity 95 %
  each) level 0 .025 .035 .994, level 1 .034 .06 .982, level 2 .046 .088 .966, level 3
  .055 .115 .95.
* ``catHB`` of ``F1 =~ q1 + q3 + q4 + q5; F2 =~ q6 + q8 + q10``: misspecification
  ``F1 =~ 0.4885 * q8``; level 0 .024 .028 .995, level 1 .024 (sensitivity 55 %), .029
  (76 %), NONE (46 %).

Our runs use 40 replications and numpy's random numbers, so they agree with R's within
Monte Carlo error only. Two checks: each R cutoff lies in the distribution-free 99.8 %
interval for that percentile from our 40 fits (order statistics; weak on one side with 40
fits), and the medians of each level's fits (R's from its ``$data``) agree within three
standard errors (1.2533·SD·√(1/40 + 1/500)) — the sharper check: the bound (SRMR ≈ .004)
is about a third of the step between adjacent levels (.011). The pipeline itself (the
draws, the cut, the WLSMV fit) is checked replication by replication against
``cfa(ordered=True)``, whose WLSMV fit matches lavaan's to 1e-5 on these data.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis import datasets
from analysis.stats import _sem_dynamic
from analysis.stats.lavaan_syntax import parse_model
from analysis.stats.sem import DynamicCutoffs, cfa, dynamic_cutoffs

ONE = "f =~ q1 + q3 + q4 + q5 + q6 + q8"
TWO = "F1 =~ q1 + q3 + q4 + q5\nF2 =~ q6 + q8 + q10"
REPS = 40
INDEX_Q = (("srmr", 0.05), ("rmsea", 0.05), ("cfi", 0.95))


@pytest.fixture(scope="module")
def x():
    return datasets.load("ordinal_skewed")


@pytest.fixture(scope="module")
def one_fit(x):
    return cfa(x, ONE, ordered=True)


@pytest.fixture(scope="module")
def one(one_fit) -> DynamicCutoffs:
    return dynamic_cutoffs(one_fit, reps=REPS, seed=21)


@pytest.fixture(scope="module")
def two(x) -> DynamicCutoffs:
    return dynamic_cutoffs(cfa(x, TWO, ordered=True), reps=REPS, seed=22)


def _covers(result: DynamicCutoffs, level: int, index: str, quantile: float,
            value: float) -> bool:
    """Whether the package's cutoff ``value`` lies in the distribution-free 99.8 % interval
    for the ``quantile`` of a level's fits from our replications: [x_(l), x_(u)] with
    #(x ≤ true quantile) ~ Binomial(reps, quantile) (Conover 1999, §3.2), widened by R's
    rounding .0005. With 40 replications a 5th/95th percentile is bounded on one side
    only (e.g. the true 95th percentile is beyond all 40 values with probability .13)."""
    x = np.sort(result.replications.query("level == @level")[index].to_numpy())
    k = stats.binom(len(x), quantile)
    lo = int(k.ppf(0.001))                    # P(X < lo) <= .001
    hi = int(k.isf(0.001)) + 1                # P(X >= hi) <= .001
    lower = x[lo - 1] if lo >= 1 else -np.inf
    upper = x[hi - 1] if hi <= len(x) else np.inf
    return lower - 5e-4 <= value <= upper + 5e-4


def test_population_is_the_fits_standardized_solution_and_thresholds(one, one_fit):
    est = one_fit.estimates
    lam = est.query("op == '=~'")
    assert one.population.splitlines()[0] == "f =~ " + " + ".join(
        f"{round(v, 4):g}*{i}" for v, i in zip(lam["std_all"], lam["rhs"]))
    # every item keeps its four thresholds (five categories), as estimated (delta: = std.all)
    th = est.query("op == '|'")
    assert len(th) == 24
    assert one.population.splitlines()[1:] == [
        f"{v} | {t:.4f}*{k}" for v, k, t in zip(th["lhs"], th["rhs"], th["est"])]
    assert one.estimator == "WLSMV" and one.n == 900
    # the fit's own indices are the scaled ones (catOne prints cfi.scaled, rmsea.scaled)
    assert one.fit == {"srmr": one_fit.fit["srmr"], "rmsea": one_fit.fit["rmsea.scaled"],
                       "cfi": one_fit.fit["cfi.scaled"]}


def test_one_factor_misspecifications_are_the_packages(one):
    # |loading|: q8 .435 < q6 .554 < q4 .624 < q5 .640 < q3 .684 < q1 .702; pairs
    # (2nd ~~ 1st) at .3: the package's DGM_one printed the same three statements
    assert one.misspecifications == ("q6 ~~ 0.3*q8", "q5 ~~ 0.3*q4", "q1 ~~ 0.3*q3")
    assert one.to_frame()["misspecification"].tolist()[1:] == [
        "q6 ~~ 0.3*q8", "q6 ~~ 0.3*q8; q5 ~~ 0.3*q4", "q6 ~~ 0.3*q8; q5 ~~ 0.3*q4; q1 ~~ 0.3*q3"]


def test_a_replication_is_cfa_on_the_cut_latent_responses(one, one_fit):
    """Replication 1 of level 0 by hand: y* ~ N(0, λλ' + diag(1 − λ²)) from level 0's
    stream, category = 1 + #(thresholds below y*), then cfa(ordered=True)."""
    est = one_fit.estimates
    lam = np.round(est.query("op == '=~'")["std_all"].to_numpy(), 4)
    tau = est.query("op == '|'")["est"].to_numpy().reshape(6, 4)
    sigma = np.outer(lam, lam) + np.diag(1 - lam ** 2)
    rng = np.random.default_rng(np.random.SeedSequence(21).spawn(4)[0])
    z = rng.standard_normal((900, 6)) @ np.linalg.cholesky(sigma).T
    items = ["q1", "q3", "q4", "q5", "q6", "q8"]
    data = pd.DataFrame(1 + (z[:, :, None] > tau[None]).sum(axis=2), columns=items)
    fit = cfa(data, ONE, ordered=True, std_lv=True)
    rep = one.replications.query("level == 0 and rep == 1").iloc[0]
    for index, name in (("srmr", "srmr"), ("rmsea", "rmsea.scaled"), ("cfi", "cfi.scaled")):
        assert rep[index] == pytest.approx(fit.fit[name], abs=1e-6), index


def _four_items(thresholds: dict[str, list[float]]) -> _sem_dynamic._Population:
    items = list(thresholds)
    return _sem_dynamic._Population(
        items=items, factors=["f"], loadings=[("f", v, 0.7) for v in items], factor_cor={},
        residual_cor={}, thresholds={v: np.array(t) for v, t in thresholds.items()})


def test_an_empty_category_is_left_out_and_a_single_category_fails():
    """lavaan takes an item's categories from the data set at hand: a category below a
    threshold of −6 is never drawn, and the item is fitted with the other two (the fit
    converges, df unchanged); an item with one category cannot be fitted (n_failed)."""
    stmts = parse_model("f =~ a + b + c + d")
    base = {"a": [-0.5, 0.5], "b": [0.0, 1.0], "c": [-1.0, 0.3], "d": [-0.2, 0.8]}
    empty = _sem_dynamic._simulate_ordinal(_four_items({**base, "a": [-6.0, -0.5, 0.5]}),
                                           ((), ()), stmts, list(base), 300, 3,
                                           np.random.default_rng(1))
    same = _sem_dynamic._simulate_ordinal(_four_items(base), ((), ()), stmts, list(base), 300,
                                          3, np.random.default_rng(1))
    np.testing.assert_allclose(empty, same)          # the same draws, the same categories
    assert (empty[:, 3] == 1).all()
    single = _sem_dynamic._simulate_ordinal(_four_items({**base, "d": [7.0]}), ((), ()),
                                            stmts, list(base), 300, 3, np.random.default_rng(1))
    assert (single[:, 3] == 0).all() and np.isnan(single[:, :3]).all()


#: The package's catOne table of ONE (500 replications, 3 decimals): level → SRMR, RMSEA, CFI.
CAT_ONE = {0: (0.025, 0.035, 0.994), 1: (0.034, 0.06, 0.982), 2: (0.046, 0.088, 0.966),
           3: (0.055, 0.115, 0.95)}


@pytest.mark.parametrize("level", [0, 1, 2, 3])
def test_one_factor_cutoffs_agree_with_the_packages_code(one, level):
    t = one.to_frame().set_index("level")
    for (index, q), value in zip(INDEX_Q, CAT_ONE[level]):
        if level == 0:              # the true model's 95th (CFI: 5th) percentile
            q = 1 - q
        else:                       # the package's sensitivity: 95 % for every index
            assert t.loc[level, f"{index}_power"] == 0.95, (index, "power")
        assert _covers(one, level, index, q, value), index


#: Medians of the package's replications of ONE (its ``$data``) per level 0–3: a tighter
#: check than the tails (their SE ≈ 1.25·SD/√reps).
CAT_ONE_MEDIAN = {"srmr": (0.0168, 0.0445, 0.0556, 0.0669),
                  "rmsea": (0.0, 0.0826, 0.1095, 0.1385),
                  "cfi": (1.0, 0.9655, 0.9466, 0.9256)}


def _medians_agree(result: DynamicCutoffs, medians: dict[str, tuple[float, ...]]) -> None:
    r = result.replications
    for index, values in medians.items():
        for level, value in enumerate(values):
            if value in (0.0, 1.0):     # RMSEA 0 / CFI 1 for most true-model fits: no SE
                continue
            x = r.loc[r["level"] == level, index].to_numpy()
            bound = 3 * 1.2533 * x.std(ddof=1) * np.sqrt(1 / len(x) + 1 / 500) + 5e-5
            assert abs(np.median(x) - value) < bound, (index, level)


def test_one_factor_replications_agree_with_the_packages_code(one):
    _medians_agree(one, CAT_ONE_MEDIAN)


#: The package's catHB of TWO: level 0 (SRMR, RMSEA, CFI) and the medians of its
#: replications per level 0–1.
CAT_HB_LEVEL0 = (0.024, 0.028, 0.995)
CAT_HB_MEDIAN = {"srmr": (0.0171, 0.0245), "rmsea": (0.0, 0.0381), "cfi": (1.0, 0.9951)}


def test_multi_factor_misspecification_is_the_packages(two):
    # the weakest items: q4 (.6215) on F1, q8 (.5659) on F2; F − 1 = 1 cross-loading, of
    # q8 on F1: min(.5659, .95·(√(λ²φ² + 1 − λ²) − λφ)) with φ = .7136 → .4885 (catHB:
    # "F1 =~ 0.4885 * q8", magnitude .488)
    assert two.misspecifications == ("F1 =~ 0.4885*q8",)
    assert two.to_frame()["level"].tolist() == [0, 1]
    assert two.population.splitlines()[2] == "F1 ~~ 0.7136*F2"


def test_multi_factor_cutoffs_agree_with_the_packages_code(two):
    t = two.to_frame().set_index("level")
    for (index, q), value in zip(INDEX_Q, CAT_HB_LEVEL0):
        assert _covers(two, 0, index, 1 - q, value), index
    # the cross-loading hardly moves WLSMV's indices at n = 900: catHB finds no cutoff of
    # 95 % sensitivity (SRMR 55 %, RMSEA 76 %, CFI 46 %: NONE); below 50 % no cutoff here
    power = t.loc[1, ["srmr_power", "rmsea_power", "cfi_power"]]
    assert (power < 0.95).all()
    for index in ("srmr", "rmsea", "cfi"):
        none = t.loc[1, f"{index}_power"] < 0.5
        assert np.isnan(t.loc[1, index]) == none and pd.isna(t.loc[1, f"meets_{index}"]) == none
    _medians_agree(two, CAT_HB_MEDIAN)
