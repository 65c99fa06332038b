"""analysis.norms: mid-rank percentiles and T-scores against hand and scipy computations,
weights, small-cell suppression, lookup, recovery of the synthetic population margins."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis.intake.scoring import score
from analysis.stats import norms as nm
from analysis.study import synthetic as syn


def test_percentile_rank_matches_scipy_mean_kind():
    """scipy.stats.percentileofscore(kind='mean') is the mid-rank definition."""
    rng = np.random.default_rng(1)
    v = rng.integers(0, 11, 200).astype(float)
    for x in (0, 3, 7.5, 10, 11):
        assert nm.percentile_rank(v, x)[0] == pytest.approx(stats.percentileofscore(v, x, kind="mean"), abs=1e-12)


def test_weighted_percentile_equals_replicated_sample():
    """Integer weights act as frequency weights: same PR as the sample with rows repeated."""
    v = np.array([1.0, 2, 2, 3, 5])
    w = np.array([2, 1, 3, 1, 4])
    rep = np.repeat(v, w)
    for x in (1, 2, 3, 4, 5):
        assert nm.percentile_rank(v, x, w)[0] == pytest.approx(stats.percentileofscore(rep, x, kind="mean"))


def test_norm_table_values_by_hand():
    df = pd.DataFrame({"s": [2, 4, 4, 6, 8, 8, 8, 10, np.nan, 5],
                       "age_group": ["16-19"] * 5 + ["20-24"] * 5, "gender": "female"})
    t = nm.norm_table(df, ["s"], suppress=False)
    all_rows = t[t.age_group == "all"].set_index("raw")
    x = df["s"].dropna()
    assert all_rows["n"].iloc[0] == 9
    assert all_rows.loc[4.0, "percentile"] == pytest.approx(100 * (1 + 1) / 9)
    assert all_rows.loc[3.0, "percentile"] == pytest.approx(100 * 1 / 9)          # not observed
    assert all_rows.loc[8.0, "t_linear"] == pytest.approx(50 + 10 * (8 - x.mean()) / x.std(ddof=1))
    pr = 100 * (5 + 1.5) / 9
    assert all_rows.loc[8.0, "t_normalised"] == pytest.approx(50 + 10 * stats.norm.ppf(pr / 100))
    # beyond the observed range PR is held at half a person: finite normalised T
    assert np.isfinite(all_rows.loc[2.0, "t_normalised"])
    assert list(all_rows.index) == list(np.arange(2.0, 11.0))
    g = t[(t.age_group == "16-19")]
    assert set(g["n"]) == {5} and list(t.columns) == ["score", "age_group", "gender", "n", "raw",
                                                      "percentile", "t_linear", "t_normalised"]


def test_weighted_mean_sd():
    df = pd.DataFrame({"s": [1.0, 2, 3, 4], "w": [1.0, 1, 2, 4], "age_group": "a", "gender": "b"})
    t = nm.norm_table(df, ["s"], weight="w", suppress=False, grid={"s": [4.0]})
    m = np.average(df.s, weights=df.w)
    sd = np.sqrt(np.average((df.s - m) ** 2, weights=df.w) * 4 / 3)
    assert t["t_linear"].iloc[0] == pytest.approx(50 + 10 * (4 - m) / sd)
    with pytest.raises(ValueError, match="weight column 'w'"):
        nm.norm_table(df.assign(w=[1, 0, 1, 1]), ["s"], weight="w")


def test_small_cells_are_suppressed():
    df = pd.DataFrame({"s": [1, 2, 3, 4, 5, 6, 7, 8], "age_group": ["16-19"] * 6 + ["20-24"] * 2,
                       "gender": "male"})
    t = nm.norm_table(df, ["s"])
    small = t[t.age_group == "20-24"]
    assert (small["n"] == "<5").all() and (small["percentile"] == "<5").all()
    assert (small["t_linear"] == "<5").all()
    assert small["raw"].tolist() == [1, 2, 3, 4, 5, 6, 7, 8]   # the row label stays visible
    big = t[t.age_group == "16-19"]
    assert (big["n"] == 6).all() and pd.api.types.is_number(big["percentile"].iloc[0])
    # lookup falls back to the whole sample when the own cell is suppressed
    res = nm.lookup(t, {"age_group": "20-24", "gender": "male", "s": 4})
    assert res.loc["s", "group_used"] == "all" and res.loc["s", "n"] == 8
    assert res.loc["s", "percentile"] == pytest.approx(100 * 3.5 / 8)
    own = nm.lookup(t, {"age_group": "16-19", "gender": "male", "s": 4})
    assert own.loc["s", "group_used"] == "16-19 × male"
    assert own.loc["s", "percentile"] == pytest.approx(100 * 3.5 / 6)


def test_lookup_interpolates_and_bounds():
    df = pd.DataFrame({"s": np.arange(1.0, 21), "age_group": "a", "gender": "b"})
    t = nm.norm_table(df, ["s"], suppress=False)
    res = nm.lookup(t, {"age_group": "a", "gender": "b", "s": 10.5})
    assert res.loc["s", "percentile"] == pytest.approx(100 * 10 / 20)      # between 47.5 and 52.5
    assert np.isnan(nm.lookup(t, {"age_group": "a", "gender": "b", "s": 30}).loc["s", "percentile"])
    with pytest.raises(KeyError, match="none of the normed scores"):
        nm.lookup(t, {"age_group": "a", "gender": "b"})


@pytest.mark.parametrize("seed", [2026, 99])
def test_synthetic_cohort_norms_recover_population(seed):
    """General-population part, weighted: the percentile of each integer value is the model's
    mid-rank PR (exact discrete distribution) within 3 binomial SEs (design effect of the
    weights included, Kish: n_eff = (Σw)²/Σw²)."""
    data = syn.comparison_cohort(seed)
    three = data["3x10d"]
    t1 = score(three[three.occasion == "t1"].astype({c: float for c in three.columns[2:]}), "3x10d")
    df = t1.merge(data["background"], on="respondent_id")
    gen = df[~df["service_user"]]
    t = nm.norm_table(gen, ["sat_health", "sat_family", "domain_mean"], weight="weight", suppress=True)
    m = syn.domain_margins()
    for d in ("health", "family"):
        rows = t[(t.score == f"sat_{d}") & (t.age_group == "all")].set_index("raw")
        p = syn._rounded_probs(m.loc[d, "m"], m.loc[d, "s"])
        pr_true = 100 * (np.cumsum(p) - p / 2)
        w = gen.loc[gen[f"sat_{d}"].notna(), "weight"]
        n_eff = w.sum() ** 2 / (w ** 2).sum()
        for k in range(11):
            if k in rows.index:
                se = 100 * np.sqrt(pr_true[k] / 100 * (1 - pr_true[k] / 100) / n_eff)
                assert abs(rows.loc[k, "percentile"] - pr_true[k]) < 3 * se, (d, k)
    dm = t[(t.score == "domain_mean") & (t.age_group == "all")]
    assert dm["raw"].diff().dropna().round(6).eq(0.1).all()
    assert set(t["gender"]) == {"all", "female", "male", "other"}
    numeric = pd.to_numeric(t["n"], errors="coerce")
    assert (numeric.dropna() >= 5).all()   # every shown n is ≥ 5
