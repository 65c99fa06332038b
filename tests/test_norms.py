"""analysis.norms: mid-rank percentiles and T-scores against hand and scipy computations,
weights, small-cell suppression, lookup, recovery of the synthetic population margins."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from analysis.intake.scoring import score
from analysis.report.disclosure import suppress_small_cells
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
    t = nm.norm_table(df, ["s"])
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
    t = nm.norm_table(df, ["s"], weight="w", grid={"s": [4.0]})
    m = np.average(df.s, weights=df.w)
    sd = np.sqrt(np.average((df.s - m) ** 2, weights=df.w) * 4 / 3)
    assert t["t_linear"].iloc[0] == pytest.approx(50 + 10 * (4 - m) / sd)
    with pytest.raises(ValueError, match="weight column 'w'"):
        nm.norm_table(df.assign(w=[1, 0, 1, 1]), ["s"], weight="w")


def test_small_cells_are_suppressed_and_lookup_falls_back():
    df = pd.DataFrame({"s": [1, 2, 3, 4, 5, 6, 7, 8], "age_group": ["16-19"] * 6 + ["20-24"] * 2,
                       "gender": "male"})
    raw = nm.norm_table(df, ["s"])
    assert (raw.loc[raw.age_group == "20-24", "n"] == 2).all()       # the statistic holds every cell
    t = suppress_small_cells(raw, n_cols=["n"], labels=["raw"])        # what a report publishes
    small = t[t.age_group == "20-24"]
    assert (small["n"] == "<5").all() and (small["percentile"] == "<5").all()
    assert (small["t_linear"] == "<5").all()
    assert small["raw"].tolist() == [1, 2, 3, 4, 5, 6, 7, 8]   # the row label stays visible
    big = t[t.age_group == "16-19"]
    assert (big["n"] == 6).all() and pd.api.types.is_number(big["percentile"].iloc[0])
    # lookup falls back to the whole sample when the own cell is suppressed or too small
    for table in (t, raw):
        res = nm.lookup(table, {"age_group": "20-24", "gender": "male", "s": 4}).set_index("score")
        assert res.loc["s", "group_used"] == "all" and res.loc["s", "n"] == 8
    res = nm.lookup(t, {"age_group": "20-24", "gender": "male", "s": 4})
    assert res.columns[0] == "score" and isinstance(res.index, pd.RangeIndex)    # a flat table
    res = res.set_index("score")
    assert res.loc["s", "group_used"] == "all" and res.loc["s", "n"] == 8
    assert res.loc["s", "percentile"] == pytest.approx(100 * 3.5 / 8)
    own = nm.lookup(t, {"age_group": "16-19", "gender": "male", "s": 4}).set_index("score")
    assert own.loc["s", "group_used"] == "16-19 × male"
    assert own.loc["s", "percentile"] == pytest.approx(100 * 3.5 / 6)


def test_lookup_interpolates_and_bounds():
    df = pd.DataFrame({"s": np.arange(1.0, 21), "age_group": "a", "gender": "b"})
    t = nm.norm_table(df, ["s"])
    res = nm.lookup(t, {"age_group": "a", "gender": "b", "s": 10.5}).set_index("score")
    assert res.loc["s", "percentile"] == pytest.approx(100 * 10 / 20)      # between 47.5 and 52.5
    assert np.isnan(nm.lookup(t, {"age_group": "a", "gender": "b", "s": 30})["percentile"].iloc[0])
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
    t = nm.norm_table(gen, ["sat_health", "sat_family", "domain_mean"], weight="weight")
    m = syn.domain_margins().set_index("domain")
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
    shown = pd.to_numeric(suppress_small_cells(t, n_cols=["n"], labels=["raw"])["n"], errors="coerce")
    assert (shown.dropna() >= 5).all() and (t["n"] < 5).any()   # small cells exist and are masked


# --- Norms from mergeable counts -------------------------------------------------------------

def _row_reference(df, score, by, weight):
    """Norm rows computed from the persons themselves (the definitions of the module docstring,
    written out with numpy): {group label tuple: (n, percentile at grid 0..10, mean, sd)}."""
    grid = np.arange(0.0, 11.0)
    out = {}
    groups = [((nm.ALL,) * len(by), df)] + [(tuple(map(str, k)), g) for k, g in df.groupby(by, sort=True)]
    for label, g in groups:
        x = g[score].to_numpy(float)
        w = np.ones(len(g)) if weight is None else g[weight].to_numpy(float)
        ok = ~np.isnan(x)
        x, w = x[ok], w[ok]
        pr = np.array([100 * (w[x < v].sum() + w[x == v].sum() / 2) / w.sum() for v in grid])
        m = np.sum(w * x) / np.sum(w)
        sd = np.sqrt(np.sum(w * (x - m) ** 2) / np.sum(w) * len(x) / (len(x) - 1))
        out[label] = (len(x), pr, m, sd)
    return out


def _sample(seed, n=600, weighted=True):
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({"s": rng.integers(0, 11, n).astype(float), "t": rng.integers(0, 11, n).astype(float),
                       "age_group": rng.choice(["16-19", "20-24", "25-29"], n),
                       "gender": rng.choice(["female", "male", "other"], n, p=[0.48, 0.48, 0.04])})
    df["mean9"] = rng.integers(0, 91, n) / 9                       # a non-integer score
    df.loc[rng.random(n) < 0.05, "s"] = np.nan
    df.loc[rng.random(n) < 0.02, "gender"] = None                  # counted in "all" only
    if weighted:
        df["w"] = rng.gamma(4.0, 0.25, n)
    return df


@pytest.mark.parametrize("weight", [None, "w"])
def test_norm_table_matches_row_computation(weight):
    """norm_table (which always goes through the counts) against the definitions evaluated on the
    persons. Unweighted, PR and n are ratios of integer-valued sums: equal to the last digit. The
    mean is Σx/n of integers, also exact; SD and weighted sums add the same positive terms in
    another order: relative difference ≤ (n − 1)·2⁻⁵³ ≈ 7e-14 for n = 600 (Higham 2002, §4.2),
    so 1e-12 is tight."""
    df = _sample(3)
    t = nm.norm_table(df, ["s"], weight=weight, grid={"s": np.arange(0.0, 11.0)})
    ref = _row_reference(df, "s", ["age_group", "gender"], weight)
    assert len(t) == 11 * len(ref)
    for label, (n, pr, m, sd) in ref.items():
        rows = t[(t.age_group == label[0]) & (t.gender == label[1])]
        assert (rows["n"] == n).all()
        if weight is None:
            assert (rows["percentile"].to_numpy() == pr).all()
        np.testing.assert_allclose(rows["percentile"], pr, rtol=1e-12, atol=0)
        np.testing.assert_allclose(rows["t_linear"], 50 + 10 * (np.arange(11.0) - m) / sd, rtol=1e-12, atol=1e-12)


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), k=st.integers(1, 7), weighted=st.booleans())
def test_counts_of_parts_merge_to_the_whole(seed, k, weighted):
    """Split the persons into k parts at random points (a part may be empty or hold one whole
    group), count each part, merge: the counts equal the counts of the whole (n exactly, sum_w
    exactly unweighted, ≤ 1e-12 relative weighted: the same positive weights added in k − 1 more
    groupings), and so does the norm table, for the integer and the non-integer score."""
    df = _sample(seed, n=300, weighted=weighted)
    weight = "w" if weighted else None
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(df))
    cuts = np.sort(rng.integers(0, len(df) + 1, k - 1))
    parts = [df.iloc[idx] for idx in np.split(order, cuts)]
    scores = ["s", "t", "mean9"]
    whole = nm.norm_counts(df, scores, weight=weight)
    merged = nm.merge_counts(*(nm.norm_counts(p, scores, weight=weight) for p in parts))
    pd.testing.assert_frame_equal(merged.drop(columns="sum_w"), whole.drop(columns="sum_w"), check_exact=True)
    pd.testing.assert_series_equal(merged["sum_w"], whole["sum_w"], check_exact=not weighted, rtol=1e-12)
    from_rows = nm.norm_table(df, scores, weight=weight)
    from_counts = nm.norm_table(merged)
    pd.testing.assert_frame_equal(from_counts, from_rows, check_exact=not weighted, rtol=1e-12)


def test_counts_table_by_hand_and_missing_cells():
    df = pd.DataFrame({"s": [3, 3, 5, np.nan, 5], "g": ["a", "a", "b", "b", None], "w": [1.0, 2.0, 1.0, 4.0, 1.0]})
    c = nm.norm_counts(df, ["s"], by="g", weight="w")
    assert list(c.columns) == ["score", "g", "raw", "n", "sum_w"]
    expected = pd.DataFrame({"score": "s", "g": ["a", "b", "b", None], "raw": [3.0, 5.0, np.nan, 5.0],
                             "n": [2, 1, 1, 1], "sum_w": [3.0, 1.0, 4.0, 1.0]})
    pd.testing.assert_frame_equal(c, expected, check_dtype=False)
    assert c["n"].sum() == len(df)                         # every person counted once per score
    t = nm.norm_table(c, by=["g"], grid={"s": [5.0]})
    assert t["g"].tolist() == ["all", "a", "b"]            # missing g: in "all" only
    assert t["n"].tolist() == [4, 2, 1]
    assert t.loc[0, "percentile"] == pytest.approx(100 * (3 + 1.0) / 5)   # (W(<5) + ½·W(=5)) / W


def test_counts_input_errors():
    df = _sample(1, n=40)
    c = nm.norm_counts(df, ["s"], weight="w")
    with pytest.raises(ValueError, match="already holds the summed weights"):
        nm.norm_table(c, weight="w")
    with pytest.raises(ValueError, match=r"by \['age_group', 'gender'\], but by=\['gender'\]"):
        nm.norm_table(c, by=["gender"])
    with pytest.raises(KeyError, match="'t'"):
        nm.norm_table(c, ["t"])
    with pytest.raises(ValueError, match="columns of a norm_counts table"):
        nm.merge_counts(c, nm.norm_counts(df, ["s"], by=["gender"]))
    with pytest.raises(ValueError, match="weight column 'w' must be positive"):
        nm.norm_counts(df.assign(w=-1.0), ["s"], weight="w")
