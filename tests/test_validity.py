"""analysis.validity against scipy, pingouin, statsmodels and hand formulas; recovery on
synthetic data with a known truth; COSMIN summary end to end on two seeds."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pingouin as pg
import pytest
from scipy import stats
from statsmodels.stats.multitest import multipletests

from analysis import resource
from analysis.intake.scoring import score
from analysis.stats import validity as v
from analysis.study import synthetic as syn

RETEST = ("t1", "retest")

HYPOTHESES = resource("questionnaires", "hypotheses", "3x10d.yaml")


def scored_cohort(seed: int) -> pd.DataFrame:
    data = syn.comparison_cohort(seed)
    three = data["3x10d"]
    t1 = score(three[three["occasion"] == "t1"].astype({c: float for c in three.columns[2:]}), "3x10d")
    out = t1.set_index("respondent_id")
    for key, ins in (("who5", "who5"), ("rses", "rses"), ("swls", "swls")):
        out = out.join(score(data[key].astype({c: float for c in data[key].columns[1:]}), ins)
                       .set_index("respondent_id").drop(columns="n_answered"))
    return out.join(data["background"].set_index("respondent_id"))


@pytest.fixture(scope="module")
def cohort():
    return scored_cohort(2026)


# --- convergent ------------------------------------------------------------------------------

def test_convergent_against_scipy_and_hand_ci():
    rng = np.random.default_rng(1)
    x = rng.normal(size=80)
    df = pd.DataFrame({"a": x, "b": 0.6 * x + rng.normal(size=80), "c": rng.normal(size=80)})
    df.loc[[3, 7], "a"] = np.nan     # pairwise complete
    hyps = [{"score": "a", "comparison": "b", "expected_min": 0.3, "expected_max": 0.9},
            {"score": "a", "comparison": "c", "expected_min": 0.3, "expected_max": 0.9}]
    res = v.convergent(df, hyps)
    row = res.table.iloc[0]
    pair = df[["a", "b"]].dropna()
    ref = stats.spearmanr(pair["a"], pair["b"])
    assert row["n"] == 78
    assert row["r"] == pytest.approx(ref.statistic, abs=1e-12)
    assert row["p"] == pytest.approx(ref.pvalue, rel=1e-10)
    se = np.sqrt((1 + ref.statistic ** 2 / 2) / (78 - 3))   # Bonett & Wright (2000)
    z = np.arctanh(ref.statistic)
    assert row["ci_low"] == pytest.approx(np.tanh(z - 1.959963985 * se), abs=1e-9)
    assert row["ci_high"] == pytest.approx(np.tanh(z + 1.959963985 * se), abs=1e-9)
    assert list(res.table["confirmed"]) == [True, False]
    assert res.share_confirmed == 0.5 and not res.meets_criterion
    assert list(res.table.columns) == ["score", "comparison", "n", "r", "ci_low", "ci_high", "p",
                                       "expected_min", "expected_max", "confirmed"]


def test_pearson_ci_matches_pingouin():
    rng = np.random.default_rng(2)
    x = rng.normal(size=60)
    df = pd.DataFrame({"a": x, "b": 0.5 * x + rng.normal(size=60)})
    row = v.convergent(df, [{"score": "a", "comparison": "b", "expected_min": 0, "expected_max": 1}],
                       method="pearson").table.iloc[0]
    ref = pg.corr(df["a"], df["b"], method="pearson")
    assert row["r"] == pytest.approx(ref["r"].iloc[0], abs=1e-12)
    lo, hi = ref["CI95"].iloc[0]
    assert row["ci_low"] == pytest.approx(lo, abs=0.005)    # pingouin rounds the CI to 2 decimals
    assert row["ci_high"] == pytest.approx(hi, abs=0.005)


def test_hypotheses_file_and_errors(tmp_path):
    hyps = v.load_hypotheses(HYPOTHESES)
    assert len(hyps) >= 8 and all("rationale" in h for h in hyps)
    bad = tmp_path / "h.yaml"
    bad.write_text("hypotheses:\n- {score: a, comparison: b, expected_min: 0.5}\n"
                   "- {score: a, comparison: b, expected_min: 0.9, expected_max: 0.1}\n", encoding="utf-8")
    with pytest.raises(ValueError) as e:
        v.load_hypotheses(bad)
    assert "entry 1: missing expected_max" in str(e.value) and "entry 2" in str(e.value)
    assert str(bad) in str(e.value)
    with pytest.raises(KeyError, match="nope"):
        v.convergent(pd.DataFrame({"a": [1, 2]}), [{"score": "a", "comparison": "nope",
                                                     "expected_min": 0, "expected_max": 1}])


@pytest.mark.parametrize("seed", [2026, 31])
def test_default_hypotheses_confirmed_on_synthetic_cohort(seed):
    """Every default hypothesis holds in the population (POPULATION_SPEARMAN); the estimates
    recover those values within 3 Bonett–Wright SEs."""
    res = v.convergent(scored_cohort(seed), HYPOTHESES)
    for _, row in res.table.iterrows():
        truth = syn.POPULATION_SPEARMAN[row["comparison"]][row["score"]]
        assert row["expected_min"] <= truth <= row["expected_max"]
        se = np.sqrt((1 + truth ** 2 / 2) / (row["n"] - 3))
        assert abs(np.arctanh(row["r"]) - np.arctanh(truth)) < 3 * se, row["score"]
    assert res.meets_criterion


# --- known groups ----------------------------------------------------------------------------


def test_known_groups_p_and_holm():
    rng = np.random.default_rng(5)
    df = pd.DataFrame({"grp": rng.choice(["a", "b", "c"], 120),
                       "s1": rng.normal(size=120), "s2": rng.normal(size=120)})
    df.loc[df.grp == "b", "s1"] += 0.8
    df.loc[5, "s2"] = np.nan
    for test in ("mannwhitney", "welch"):
        t = v.known_groups(df, ["s1", "s2"], "grp", "a", test=test)
        assert len(t) == 4 and set(t["group"]) == {"b", "c"}
        for _, row in t.iterrows():
            x = df.loc[df.grp == row["group"], row["score"]].dropna()
            y = df.loc[df.grp == "a", row["score"]].dropna()
            ref = (stats.mannwhitneyu(x, y, alternative="two-sided") if test == "mannwhitney"
                   else stats.ttest_ind(x, y, equal_var=False)).pvalue
            assert row["p"] == pytest.approx(ref, rel=1e-12)
            assert (row["n"], row["n_ref"]) == (len(x), len(y))
            assert row["mean"] == pytest.approx(x.mean())
        assert np.allclose(t["p_holm"], multipletests(t["p"], method="holm")[1], rtol=1e-12)
    with pytest.raises(ValueError, match="reference 'z'"):
        v.known_groups(df, ["s1"], "grp", "z")


@pytest.mark.parametrize("seed", [2026, 41, 42])
def test_known_groups_recover_service_user_difference(seed, cohort):
    """Population standardised difference from the exact discrete distributions of the
    generating model; the estimate must lie within 3 Hedges–Olkin SEs of it."""
    df = cohort if seed == 2026 else scored_cohort(seed)
    domains = ["health", "housing", "self_esteem", "life_overall"]
    t = v.known_groups(df, [f"sat_{d}" for d in domains], "service_user", False)
    m = syn.domain_margins().set_index("domain")
    k = np.arange(11)
    for d, (_, row) in zip(domains, t.iterrows()):
        assert row["group"] == True  # noqa: E712  (numpy bool)
        moments = []
        for shift in (syn.SERVICE_USER_SHIFT, 0.0):
            p = syn._rounded_probs(m.loc[d, "m"], m.loc[d, "s"], syn._domain_shift(d, shift))
            moments.append((p @ k, p @ k ** 2 - (p @ k) ** 2))
        n1, n0 = row["n"], row["n_ref"]
        pooled = np.sqrt(((n1 - 1) * moments[0][1] + (n0 - 1) * moments[1][1]) / (n1 + n0 - 2))
        delta = (moments[0][0] - moments[1][0]) / pooled
        se = np.sqrt((n1 + n0) / (n1 * n0) + delta ** 2 / (2 * (n1 + n0)))
        assert abs(row["hedges_g"] - delta) < 3 * se, d
        assert row["p_holm"] < 0.001


# --- floor / ceiling, measurement error --------------------------------------------------------

def test_floor_ceiling_by_hand():
    df = pd.DataFrame({"a": [0, 0, 0, 5, 10, 10, np.nan], "b": [1, 2, 3, 4, 5, 6, 7]})
    t = v.floor_ceiling(df, ["a", "b"], lowest={"a": 0, "b": 1}, highest={"a": 10, "b": 7})
    assert t["column"].tolist() == ["a", "b"] and isinstance(t.index, pd.RangeIndex)
    t = t.set_index("column")
    assert t.loc["a"].tolist() == [6, 50.0, pytest.approx(100 / 3), True]
    assert t.loc["b", "floor_pct"] == pytest.approx(100 / 7) and not t.loc["b", "flag"]
    assert list(t.columns) == ["n", "floor_pct", "ceiling_pct", "flag"]


def test_measurement_error_against_pingouin_and_hand():
    data = syn.comparison_cohort(2026)["3x10d"]
    cols = ["sat_health", "sat_life_overall"]
    t = v.measurement_error(data, cols, RETEST, mic={"sat_health": 2.0, "sat_life_overall": 1.0})
    assert t["score"].tolist() == cols and isinstance(t.index, pd.RangeIndex)
    t = t.set_index("score")
    for c in cols:
        wide = data.pivot(index="respondent_id", columns="occasion", values=c)[["t1", "retest"]]
        wide = wide.astype(float).dropna()
        long = wide.reset_index().melt(id_vars="respondent_id", var_name="occ", value_name="y")
        ref = pg.intraclass_corr(long, targets="respondent_id", raters="occ", ratings="y")
        icc2 = ref.set_index("Type").loc["ICC(A,1)", "ICC"]
        assert t.loc[c, "icc"] == pytest.approx(icc2, abs=1e-10)
        assert t.loc[c, "n"] == len(wide)
        sem = wide["t1"].std() * np.sqrt(1 - icc2)
        assert t.loc[c, "sem"] == pytest.approx(sem, rel=1e-10)
        assert t.loc[c, "sdc"] == pytest.approx(1.96 * np.sqrt(2) * sem, rel=1e-10)
        assert t.loc[c, "icc"] > 0.70     # model: ICC(A,1) ≈ 0.83 (SE at n≈150 ≈ 0.03)
    assert t.loc["sat_health", "sdc_below_mic"] == bool(t.loc["sat_health", "sdc"] < 2.0)
    # wide input gives the same table
    wide = pd.concat([data[data.occasion == o].set_index("respondent_id")[cols].add_suffix(f"_{o}")
                      for o in ("t1", "retest")], axis=1)
    pd.testing.assert_frame_equal(v.measurement_error(wide, cols, RETEST), v.measurement_error(data, cols, RETEST))


# --- COSMIN summary ----------------------------------------------------------------------------

def test_cosmin_rules():
    good_fit = {"cfi": 0.90, "tli": 0.88, "rmsea": 0.09, "srmr": 0.07}   # SRMR alone suffices
    t = v.cosmin_summary(fit=good_fit, alpha={"a": 0.8, "b": 0.65}).set_index("property")
    assert t.loc["structural validity", "rating"] == "+"
    assert t.loc["internal consistency", "rating"] == v.MINUS and "b" in t.loc["internal consistency", "evidence"]
    t = v.cosmin_summary(fit={"cfi": 0.9, "tli": 0.9, "rmsea": 0.1, "srmr": 0.1},
                         alpha={"a": 0.9}, formative=True).set_index("property")
    assert t.loc["structural validity", "rating"] == v.MINUS
    assert t.loc["internal consistency", "rating"] == "?"
    assert "formative" in t.loc["internal consistency", "note"]
    inv = pd.DataFrame({"model": ["configural", "metric", "scalar"], "cfi": [0.970, 0.965, 0.950],
                        "rmsea": [0.05, 0.05, 0.06], "srmr": [0.04, 0.05, 0.06]})     # flat, as invariance()
    t = v.cosmin_summary(invariance=inv).set_index("property")
    # metric: ΔCFI −0.005 ok; scalar: ΔCFI −0.015 fails (Chen 2007)
    assert t.loc["cross-cultural validity / measurement invariance", "rating"] == v.MINUS
    assert "metric: ΔCFI −0.005" in t.loc["cross-cultural validity / measurement invariance", "evidence"]
    # several groupings: one failing step in any grouping makes the rating −; evidence names each
    good = pd.DataFrame({"cfi": [0.970, 0.968, 0.965], "rmsea": [0.05, 0.05, 0.05],
                         "srmr": [0.04, 0.045, 0.048]}, index=["configural", "metric", "scalar"])   # steps as index
    t = v.cosmin_summary(invariance={"gender": good}).set_index("property")
    assert t.loc["cross-cultural validity / measurement invariance", "rating"] == "+"
    t = v.cosmin_summary(invariance={"gender": good, "age group": inv}).set_index("property")
    evidence = t.loc["cross-cultural validity / measurement invariance", "evidence"]
    assert t.loc["cross-cultural validity / measurement invariance", "rating"] == v.MINUS
    assert "gender — metric: ΔCFI −0.002" in evidence and "age group — scalar: ΔCFI −0.015" in evidence
    # an improper solution (e.g. a factor correlation above 1) is named but not rated
    improper = good.assign(admissible=[True, True, False], converged=True)
    t = v.cosmin_summary(invariance={"gender": improper}).set_index("property")
    evidence = t.loc["cross-cultural validity / measurement invariance", "evidence"]
    assert t.loc["cross-cultural validity / measurement invariance", "rating"] == "+"    # metric alone
    assert "scalar: ΔCFI −0.003, ΔRMSEA +0.000, ΔSRMR +0.003 (an improper solution: not rated)" in evidence
    t = v.cosmin_summary(invariance={"gender": good.assign(admissible=False)}).set_index("property")
    assert t.loc["cross-cultural validity / measurement invariance", "rating"] == "?"
    t = v.cosmin_summary(responsiveness=pd.DataFrame({"auc": [0.8, 0.75, 0.72, 0.6]}))
    assert t.set_index("property").loc["responsiveness", "rating"] == "+"   # 3/4 = 75 %
    empty = v.cosmin_summary()
    assert set(empty["rating"]) == {"?"} and len(empty) == 8


@pytest.mark.parametrize("seed", [2026, 2027])
def test_cosmin_summary_end_to_end(seed):
    from analysis.stats.reliability import cronbach_alpha
    data = syn.comparison_cohort(seed)
    df = scored_cohort(seed)
    sat = [f"sat_{d}" for d in syn.DOMAINS]
    conv = v.convergent(df, HYPOTHESES)
    retest = v.measurement_error(data["3x10d"], sat, RETEST, mic=2.0)
    fc = v.floor_ceiling(df, sat, 0, 10)
    alpha = {"sat_1_9": cronbach_alpha(df[sat[:9]]).alpha}
    table = v.cosmin_summary(alpha=alpha, retest=retest, hypotheses=conv, floor_ceiling_table=fc, formative=True)
    t = table.set_index("property")
    assert list(table.columns) == ["property", "rating", "evidence", "criterion", "note"]
    assert t.loc["reliability", "rating"] == "+"
    assert t.loc["hypotheses testing for construct validity", "rating"] == "+"
    assert t.loc["internal consistency", "rating"] == "?"    # no CFA given
    # with a one-factor CFA and invariance by gender (the model has one general factor and
    # no gender effect, so both hold in the population)
    from analysis.stats.sem import cfa, invariance
    items = df.loc[df["gender"] != "other", [*sat[:9], "gender"]]
    model = "life =~ " + " + ".join(sat[:9])
    full = v.cosmin_summary(fit=cfa(items, model).fit, alpha=alpha, retest=retest, hypotheses=conv,
                            invariance=invariance(items, model, "gender"),
                            floor_ceiling_table=fc).set_index("property")
    assert full.loc["structural validity", "rating"] == "+"
    assert full.loc["internal consistency", "rating"] == ("+" if alpha["sat_1_9"] >= 0.7 else v.MINUS)
    assert full.loc["cross-cultural validity / measurement invariance", "rating"] == "+"
    # responsiveness from the pilot's change scores against the 12-month anchor
    from analysis.stats import change as ch
    pilot = syn.pilot(seed)
    pre, post = ch.wide_pair(pilot["3x10d"], sat, "baseline", "12m")
    resp = ch.responsiveness(post - pre, pilot["anchor"].set_index("respondent_id")["anchor"])
    row = v.cosmin_summary(responsiveness=resp).set_index("property").loc["responsiveness"]
    share = (resp["auc"] >= 0.70).mean()
    assert row["rating"] == ("+" if share >= 0.75 else v.MINUS)
    assert f"{int((resp['auc'] >= 0.70).sum())} of 10" in row["evidence"]
    # family has ~30 % at 10 in the model: ceiling flagged
    assert t.loc["floor/ceiling", "rating"] == v.MINUS and "sat_family" in t.loc["floor/ceiling", "evidence"]
    assert t.loc["structural validity", "note"].startswith("A formative index")
    fi = v.cosmin_summary(fit={"cfi": 0.9, "tli": 0.9, "rmsea": 0.1, "srmr": 0.1}, formative=True,
                          lang="fi").set_index("property")
    assert fi.loc["structural validity", "evidence"] == "CFI 0,900, TLI 0,900, RMSEA 0,100, SRMR 0,100"
    assert fi.loc["structural validity", "note"].startswith("Formatiivinen indeksi")
    assert fi.loc["reliability", "evidence"] == "ei toistomittausta"
    assert fi.loc["structural validity", "criterion"].startswith("CFI tai TLI > 0,95")


def test_cosmin_flags_a_criterion_met_by_the_point_estimate_only():
    """CFI .953 meets > .95, but its interval [.941, .962] crosses the limit: rated + as COSMIN
    states its criteria, flagged in the evidence; an interval above the limit is not flagged."""
    import numpy as np

    from analysis.stats.validity import cosmin_summary

    fit = {"cfi": 0.953, "tli": 0.94, "rmsea": 0.07, "srmr": 0.09}
    flagged = cosmin_summary(fit=fit, fit_ci={"cfi": (0.941, 0.962)}, alpha={"S": 0.72},
                             alpha_ci={"S": (0.69, 0.75)}).set_index("property")
    assert flagged.loc["structural validity", "rating"] == "+"
    assert flagged.loc["structural validity", "evidence"].endswith(
        "met by the point estimate only: the 95% interval crosses the limit (CFI [0.941, 0.962])")
    assert "point estimate only" in flagged.loc["internal consistency", "evidence"]
    firm = cosmin_summary(fit=fit, fit_ci={"cfi": (0.951, 0.962)}, alpha={"S": 0.72},
                          alpha_ci={"S": (0.70, 0.75)}).set_index("property")
    assert "point estimate" not in firm.loc["structural validity", "evidence"]
    assert "point estimate" not in firm.loc["internal consistency", "evidence"]
    # two criteria met, one of them firmly (SRMR's interval below .08): not flagged
    two = cosmin_summary(fit={**fit, "srmr": 0.05}, fit_ci={"cfi": (0.941, 0.962), "srmr": (0.04, 0.06)})
    assert "point estimate" not in two.set_index("property").loc["structural validity", "evidence"]
    # in Finnish an interval's limits are split by ';' (decimal commas)
    fi = cosmin_summary(fit=fit, fit_ci={"cfi": (0.941, 0.962)}, lang="fi").set_index("property")
    assert fi.loc["structural validity", "evidence"].endswith("piste-estimaatilla: 95 %:n luottamusväli ylittää rajan "
                                                              "(CFI [0,941; 0,962])")
    dynamic = pd.DataFrame({"level": [0, 1], "srmr": [0.03, 0.041], "rmsea": [0.05, np.nan], "cfi": [0.99, 0.96],
                            "meets_srmr": [False, True], "meets_rmsea": [False, pd.NA], "meets_cfi": [True, False]})
    text = cosmin_summary(fit=fit, dynamic=dynamic).set_index("property").loc["structural validity", "evidence"]
    assert text.endswith("dynamic cutoffs, level 1 (McNeish & Wolf 2023): SRMR ≤ 0.041 met, CFI ≥ 0.960 not met")
