"""analysis.stats.irt.dif_ordinal against R MASS::polr on the seeded data of tests/r/irt_dif.R,
and against a direct likelihood on data the fixture does not hold.

Fixture: ``Rscript tests/r/irt_dif.R`` → ``tests/fixtures/r/irt_dif.json`` (data and reference
values: 480 persons, six items 1–4, uniform DIF by ``sex`` in i2, non-uniform in i4, uniform
DIF by the three-level ``region`` in i5). The R fits were polished to the exact optimum
(Newton on polr's analytic gradient, |gradient| < 1e-8), and ``irt._polr`` stops at
|gradient| < 1e-9, so both sides sit at the same optimum. Tolerances:

* log-likelihoods: absolute 1e-9 (observed ≤ 6e-13);
* slopes and cut-points: absolute 1e-8 (observed ≤ 5e-11);
* LR χ² and p: relative 1e-8 (observed ≤ 5e-12);
* pseudo-R² (McFadden, Cox–Snell, Nagelkerke): absolute 1e-8 (smooth functions of the LLs);
* beta change 100·|b₁ − b₂|/|b₁|: absolute 1e-7 in percent (observed ≤ 9e-11);
* standard errors: relative 1e-4 — R inverts optim's finite-difference Hessian, we the
  analytic one; observed ≤ 1.8e-5, the size of optim's differencing error.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import optimize, special, stats

from analysis.stats import irt

FIXTURE = Path(__file__).parent / "fixtures" / "r" / "irt_dif.json"
ITEMS = [f"i{j}" for j in range(1, 7)]
CASES = ["sex_sum", "sex_rest", "region_sum", "region_rest"]


@pytest.fixture(scope="module")
def ref():
    return json.loads(FIXTURE.read_text())


@pytest.fixture(scope="module")
def data(ref):
    d = pd.DataFrame(ref["data"]["items"]).astype(float)
    return d.assign(sex=ref["data"]["sex"], region=ref["data"]["region"])


@pytest.fixture(scope="module")
def fits(data):
    out = {}
    for case in CASES:
        group, criterion = case.split("_")
        out[case] = irt.dif_ordinal(data, ITEMS, group, criterion=criterion)
    return out


@pytest.mark.parametrize("case", CASES)
def test_sample_and_group_levels(ref, fits, case):
    r, res = ref[case], fits[case]
    assert (res.n, res.n_excluded) == (r["n"], r["n_excluded"])
    assert list(res.levels) == r["levels"]
    assert list(res.level_counts) == [r["level_counts"][lev] for lev in r["levels"]]
    assert (res.table["note"] == "").all() and (res.table["n"] == r["n"]).all()
    assert res.criterion == case.split("_")[1] and res.pseudo_r2 == "mcfadden"


@pytest.mark.parametrize("case", CASES)
def test_loglikelihoods_and_pseudo_r2_against_polr(ref, fits, case):
    res = fits[case]
    for it in ref[case]["items"]:
        f = res.fits[res.fits["item"] == it["item"]].set_index("model")
        assert f.loc[0, "loglik"] == pytest.approx(it["ll0"], abs=1e-10)
        for m in (1, 2, 3):
            assert f.loc[m, "loglik"] == pytest.approx(it[f"m{m}"]["ll"], abs=1e-9), (it["item"], m)
            for measure in ("mcfadden", "cox_snell", "nagelkerke"):
                assert f.loc[m, measure] == pytest.approx(it[f"r2_{m}"][measure], abs=1e-8)


@pytest.mark.parametrize("case", CASES)
def test_coefficients_and_thresholds_against_polr(ref, fits, case):
    res = fits[case]
    levels = ref[case]["levels"]
    for it in ref[case]["items"]:
        for m in (1, 2, 3):
            c = res.coefficients[(res.coefficients["item"] == it["item"]) & (res.coefficients["model"] == m)]
            r_coef = it[f"m{m}"]["coef"]
            # R's names: crit, g<level>, crit:g<level>
            expected_terms = [t.replace("crit", "criterion").replace("g" + lev, f"group[{lev}]")
                              for t in r_coef for lev in levels[1:] if "g" + lev in t or t == "crit"]
            assert list(c["term"]) == list(dict.fromkeys(expected_terms))
            np.testing.assert_allclose(c["estimate"], list(r_coef.values()), rtol=0, atol=1e-8)
            np.testing.assert_allclose(c["se"], list(it[f"m{m}"]["se"].values()), rtol=1e-4)
            z = res.thresholds[(res.thresholds["item"] == it["item"]) & (res.thresholds["model"] == m)]
            np.testing.assert_allclose(z["estimate"], it[f"m{m}"]["zeta"], rtol=0, atol=1e-8)
            cats = it["categories"]
            assert list(z["threshold"]) == [f"{a}|{b}" for a, b in zip(cats[:-1], cats[1:])]


@pytest.mark.parametrize("case", CASES)
def test_lr_tests_r2_changes_and_beta_change_against_polr(ref, fits, case):
    table = fits[case].table.set_index("item")
    for it in ref[case]["items"]:
        row = table.loc[it["item"]]
        for s in ("12", "23", "13"):
            assert row[f"chi2_{s}"] == pytest.approx(it[f"chi2_{s}"], rel=1e-8)
            assert row[f"df_{s}"] == it[f"df_{s}"]
            assert row[f"p_{s}"] == pytest.approx(it[f"p_{s}"], rel=1e-8)
        for m in (1, 2, 3):
            assert row[f"r2_{m}"] == pytest.approx(it[f"r2_{m}"]["mcfadden"], abs=1e-8)
        for a, b in (("1", "2"), ("2", "3"), ("1", "3")):
            delta = it[f"r2_{b}"]["mcfadden"] - it[f"r2_{a}"]["mcfadden"]
            assert row[f"delta_r2_{a}{b}"] == pytest.approx(delta, abs=1e-8)
            low, high = irt.DIF_SIZE_LIMITS
            assert row[f"size_{a}{b}"] == ("negligible" if delta < low else "large" if delta > high else "moderate")
        assert row["beta_change_pct"] == pytest.approx(100 * it["beta_change"], abs=1e-7)


def test_simulated_dif_is_found(fits):
    sex = fits["sex_sum"].table.set_index("item")
    assert sex.loc["i2", "p_12"] < 1e-3                     # uniform DIF
    assert sex.loc["i4", "p_23"] < 1e-6                     # non-uniform DIF
    assert sex.loc["i4", "size_13"] == "moderate"           # ΔR² 1→3 = .0385
    others = sex.drop(index=["i2", "i4"])
    assert (others["p_13"] > 0.05).all()
    region = fits["region_rest"].table.set_index("item")
    assert region.loc["i5", "p_12"] < 1e-3 and region.loc["i5", "df_12"] == 2
    assert (region.drop(index="i5")["p_12"] > 0.05).all()


def test_pseudo_r2_option_and_jodoin_gierl_classes(ref, data):
    res = irt.dif_ordinal(data, ITEMS, "sex", pseudo_r2="nagelkerke")
    assert res.pseudo_r2 == "nagelkerke"
    for it in ref["sex_sum"]["items"]:
        row = res.table.set_index("item").loc[it["item"]]
        assert row["r2_3"] == pytest.approx(it["r2_3"]["nagelkerke"], abs=1e-8)
        delta = it["r2_3"]["nagelkerke"] - it["r2_1"]["nagelkerke"]
        assert row["delta_r2_13"] == pytest.approx(delta, abs=1e-8)
    assert irt._size_class(0.0349) == "negligible"
    assert irt._size_class(0.035) == irt._size_class(0.070) == "moderate"
    assert irt._size_class(0.0701) == "large"


# ---- data the fixture does not hold: a direct likelihood ----

def _simulate(seed: int, n: int = 400):
    rng = np.random.default_rng(seed)
    theta = rng.normal(size=n)
    g = rng.choice(["x", "y", "z"], n, p=[0.4, 0.35, 0.25])
    shift = {"x": 0.0, "y": 0.7, "z": -0.4}
    cols = {}
    for j in range(1, 6):
        eta = 1.5 * theta + (np.vectorize(shift.get)(g) if j == 3 else 0)
        cols[f"k{j}"] = (eta[:, None] + rng.logistic(size=(n, 1)) > np.array([-1.5, 0.0, 1.4])).sum(axis=1)
    return pd.DataFrame(cols).assign(team=g)


def _polr_loglik(y: np.ndarray, x: np.ndarray) -> float:
    """Maximised proportional-odds log-likelihood, written out: P(y ≤ k) = logistic(ζ_k − xβ)."""
    k = int(y.max()) + 1
    p = x.shape[1]

    def negll(par):
        beta, z0, inc = par[:p], par[p], np.exp(par[p + 1:])
        zeta = np.concatenate([[-np.inf], z0 + np.concatenate([[0.0], np.cumsum(inc)]), [np.inf]])
        eta = x @ beta
        pr = special.expit(zeta[y + 1] - eta) - special.expit(zeta[y] - eta)
        return -np.sum(np.log(pr))

    start = np.concatenate([np.zeros(p), [-1.0], np.zeros(k - 2)])
    fit = optimize.minimize(negll, start, method="BFGS", options={"gtol": 1e-9, "maxiter": 10000})
    fit = optimize.minimize(negll, fit.x, method="Nelder-Mead",
                            options={"xatol": 1e-10, "fatol": 1e-12, "maxiter": 20000})
    return -fit.fun


def test_second_seed_against_a_direct_likelihood():
    d = _simulate(20260405)
    items = [f"k{j}" for j in range(1, 6)]
    res = irt.dif_ordinal(d, items, "team", criterion="rest")
    row = res.table.set_index("item").loc["k3"]
    y = d["k3"].to_numpy()
    crit = d[items].sum(axis=1).to_numpy() - y
    dummies = np.column_stack([(d["team"] == lev).to_numpy(float) for lev in ("y", "z")])
    ll1 = _polr_loglik(y, crit[:, None].astype(float))
    ll2 = _polr_loglik(y, np.column_stack([crit, dummies]))
    # the optimiser above stops within ~1e-9 of the maximum: χ² to 1e-6 relative
    assert row["chi2_12"] == pytest.approx(2 * (ll2 - ll1), rel=1e-6)
    assert row["p_12"] == pytest.approx(stats.chi2.sf(2 * (ll2 - ll1), 2), rel=1e-5)
    fits = res.fits[res.fits["item"] == "k3"].set_index("model")
    assert fits.loc[1, "loglik"] == pytest.approx(ll1, abs=1e-6)
    assert fits.loc[2, "loglik"] == pytest.approx(ll2, abs=1e-6)
    assert row["p_12"] < 1e-3                           # the simulated uniform DIF
    assert (res.table.set_index("item").drop(index="k3")["p_12"] > 0.01).all()
    # total score rather than rest score: another criterion, another statistic
    total = irt.dif_ordinal(d, items, "team")
    assert total.criterion == "sum"
    assert total.table.loc[2, "chi2_12"] != pytest.approx(row["chi2_12"], rel=1e-3)


# ---- small groups, bad input ----

def test_a_small_group_level_gets_no_statistic():
    d = _simulate(7, n=120)
    d.loc[d.index[:3], "team"] = "tiny"
    items = [f"k{j}" for j in range(1, 6)]
    res = irt.dif_ordinal(d, items, "team")
    assert "tiny" in res.levels and res.level_counts[res.levels.index("tiny")] == 3
    assert res.table["note"].str.contains("'tiny' has 3 persons, fewer than min_group = 5").all()
    stat_cols = [c for c in res.table.columns if c not in ("item", "n", "note")]
    assert res.table[stat_cols].isna().all().all()
    assert res.coefficients.empty and res.fits.empty
    allowed = irt.dif_ordinal(d, items, "team", min_group=3).table
    fitted = allowed["note"] == ""
    assert fitted.sum() >= 3 and allowed.loc[fitted, "chi2_13"].notna().all()
    assert (allowed.loc[fitted, "df_13"] == 6).all()
    # three persons who all gave one answer: no finite ML estimate, reported as such
    assert allowed.loc[~fitted, "note"].str.startswith("a model did not converge").all()
    assert allowed.loc[~fitted, "chi2_13"].isna().all()


def test_listwise_persons_and_a_constant_item():
    d = _simulate(8, n=150)
    d.loc[[0, 1], "k2"] = np.nan
    d.loc[5, "team"] = None
    d["k5"] = 2
    res = irt.dif_ordinal(d, [f"k{j}" for j in range(1, 6)], "team")
    assert (res.n, res.n_excluded) == (147, 3)
    note = res.table.set_index("item").loc["k5", "note"]
    assert "one observed value" in note


def test_bad_input():
    d = _simulate(9, n=60)
    items = [f"k{j}" for j in range(1, 6)]
    with pytest.raises(ValueError, match="criterion"):
        irt.dif_ordinal(d, items, "team", criterion="theta")
    with pytest.raises(ValueError, match="pseudo_r2"):
        irt.dif_ordinal(d, items, "team", pseudo_r2="efron")
    with pytest.raises(ValueError, match="two levels"):
        irt.dif_ordinal(d.assign(team="x"), items, "team")
    with pytest.raises(ValueError, match="at least two items"):
        irt.dif_ordinal(d, ["k1"], "team")
    with pytest.raises(KeyError, match="nope"):
        irt.dif_ordinal(d, items, "nope")
    bad = d.astype({"k1": object})
    bad.loc[4, "k1"] = "many"
    with pytest.raises(ValueError, match="'many'"):
        irt.dif_ordinal(bad, items, "team")
    with pytest.raises(TypeError):
        irt.dif_ordinal(d.to_numpy(), items, "team")
