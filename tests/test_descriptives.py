"""Tests for analysis.descriptives against hand computations, statistics/statsmodels and
brute-force recounts. Tolerances: 1e-12 where the reference is an exact formula evaluated in
double precision (differences are rounding only)."""
from __future__ import annotations

import statistics
from collections import Counter

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from statsmodels.stats.weightstats import DescrStatsW

from analysis.datasets import load as load_example
from analysis.report.disclosure import suppress_small_cells
from analysis.stats import descriptives as D
from analysis.stats.norms import norm_table
from analysis.stats.reliability import cronbach_alpha
from analysis.study import cohort as C
from analysis.study.intake import intake_table
from analysis.study.reference_norms import national_norms
from analysis.study.synthetic import DOMAINS

TOL = 1e-12


def _frame(seed=1, n=60):
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({f"sat_{d}": rng.integers(0, 11, n).astype(float) for d in DOMAINS})
    df = df.mask(rng.random(df.shape) < 0.1)
    df["gender"] = rng.choice(["female", "male", "other"], n, p=[0.5, 0.45, 0.05])
    df["weight"] = rng.uniform(0.5, 2.0, n)
    return df


# --------------------------------------------------------------------------- describe
def test_describe_matches_statistics_module():
    df = _frame()
    out = D.describe(df, ["sat_health", "sat_family"]).set_index("column")
    for c in ["sat_health", "sat_family"]:
        x = df[c].dropna().tolist()
        row = out.loc[c]
        assert row["n"] == len(x)
        assert row["missing"] == len(df) - len(x)
        assert row["missing_pct"] == pytest.approx(100 * (len(df) - len(x)) / len(df), abs=TOL)
        assert row["mean"] == pytest.approx(statistics.fmean(x), abs=TOL)
        assert row["sd"] == pytest.approx(statistics.stdev(x), abs=TOL)
        assert row["median"] == statistics.median(x)
        assert (row["min"], row["max"]) == (min(x), max(x))


def test_describe_hand_example_and_default_columns():
    df = pd.DataFrame({"x": [0, 10, 5, 5], "flag": [True, False, True, True], "id": list("abcd")})
    out = D.describe(df)
    assert out["column"].tolist() == ["x"]          # booleans and text are not summarised
    # mean 5, deviations -5, 5, 0, 0 -> SS 50, var 50/3
    assert out.loc[0, "sd"] == pytest.approx(np.sqrt(50 / 3), abs=TOL)


def test_describe_names_bad_cells():
    df = pd.DataFrame({"x": [1, "two", 3]}, index=[2, 3, 4])
    with pytest.raises(ValueError, match=r"row 3, column 'x': value 'two'"):
        D.describe(df, ["x"])
    with pytest.raises(KeyError, match="nope"):
        D.describe(df, ["nope"])


# --------------------------------------------------------------------------- weighted
def test_weighted_mean_sd_equals_statsmodels_with_weights_summing_to_n():
    df = _frame(2)
    x, w = df["sat_health"].to_numpy(), df["weight"].to_numpy()
    ok = ~np.isnan(x)
    ref = DescrStatsW(x[ok], weights=w[ok] * ok.sum() / w[ok].sum(), ddof=1)
    res = D.weighted_mean_sd(x, w)
    n, m, s = res.n, res.mean, res.sd
    assert n == ok.sum()
    assert m == pytest.approx(ref.mean, abs=TOL)
    assert s == pytest.approx(ref.std, abs=TOL)


def test_weighted_mean_sd_hand_and_unweighted():
    # weights 1, 1, 2: mean (1 + 2 + 6)/4 = 2.25; sum w (x-m)^2 = 1.5625+0.0625+1.125 = 2.75
    res = D.weighted_mean_sd([1, 2, 3], [1, 1, 2])
    n, m, s = res.n, res.mean, res.sd
    assert (n, m) == (3, 2.25)
    assert s == pytest.approx(np.sqrt(2.75 / 4 * 3 / 2), abs=TOL)
    res = D.weighted_mean_sd([4.0, 6.0])
    assert (res.n, res.mean, res.sd) == (2, 5.0, pytest.approx(np.sqrt(2)))
    assert D.weighted_mean_sd([np.nan]).n == 0


# --------------------------------------------------------------------------- norms
def test_norm_comparison_hand_values_and_erratum():
    df = pd.DataFrame({"sat_family": [8.0, 9.0, 7.0, 10.0]})   # mean 8.5
    t = C.norm_comparison(df, ["family"]).iloc[0]
    # national family: 8.23 as first printed, 7.23 after the erratum, SD 1.83 (REFERENCES.md)
    assert (t["published_mean"], t["corrected_mean"], t["national_sd"]) == (8.23, 7.23, 1.83)
    assert t["diff_published"] == pytest.approx(0.27, abs=1e-12)
    assert t["diff_corrected"] == pytest.approx(1.27, abs=1e-12)
    assert t["std_diff_published"] == pytest.approx(0.27 / 1.83, abs=1e-12)
    assert t["std_diff_corrected"] == pytest.approx(1.27 / 1.83, abs=1e-12)
    assert t["diff_corrected"] - t["diff_published"] == pytest.approx(1.0, abs=1e-12)


def test_norm_comparison_weighted_by_group_matches_statsmodels():
    df = _frame(3, n=200)
    t = C.norm_comparison(df, DOMAINS, weight="weight", by="gender")
    assert t["group"].unique().tolist() == ["all", "female", "male", "other"]
    assert len(t) == 4 * 10
    nat = national_norms().set_index("domain")
    for (g, d), row in t.set_index(["group", "domain"]).iterrows():
        sub = df if g == "all" else df[df["gender"] == g]
        x, w = sub[f"sat_{d}"].to_numpy(), sub["weight"].to_numpy()
        ok = ~np.isnan(x)
        ref = DescrStatsW(x[ok], weights=w[ok] * ok.sum() / w[ok].sum(), ddof=1)
        assert row["n"] == ok.sum()
        assert row["mean"] == pytest.approx(ref.mean, abs=TOL)
        assert row["sd"] == pytest.approx(ref.std, abs=TOL)
        assert row["std_diff_corrected"] == pytest.approx((ref.mean - nat.loc[d, "mean"]) / nat.loc[d, "sd"], abs=TOL)


def test_norm_comparison_bad_input():
    df = _frame()
    with pytest.raises(KeyError, match="sat_health"):
        C.norm_comparison(df.drop(columns="sat_health"), DOMAINS)
    with pytest.raises(KeyError, match="no national norm.*wellbeing"):
        C.norm_comparison(df.assign(sat_wellbeing=1.0), ["wellbeing"])
    with pytest.raises(ValueError, match=r"'weight' must be positive and finite; row\(s\) \[4\]"):
        C.norm_comparison(df.assign(weight=np.where(df.index == 4, 0.0, 1.0)), DOMAINS, weight="weight")


# --------------------------------------------------------------------------- composition / groups
def test_composition_counts_add_up_and_match_value_counts():
    df = _frame(4)
    df.loc[[0, 5], "gender"] = None
    out = D.composition(df, ["gender"])
    assert out["n"].sum() == len(df)
    assert out["category"].iloc[-1] == "(missing)"
    vc = df["gender"].value_counts()
    got = out.set_index("category")["n"]
    for k, v in vc.items():
        assert got[k] == v
    assert got["(missing)"] == 2
    assert out["pct"].sum() == pytest.approx(100, abs=1e-9)


def test_group_domain_means_equal_numpy_average():
    df = _frame(5, n=120)
    out = C.group_domain_means(df, DOMAINS, "gender", weight="weight").set_index("gender")
    assert out.index.tolist() == ["female", "male", "other", "all"]
    assert out.loc["all", "n"] == len(df)
    for g in ["female", "other", "all"]:
        sub = df if g == "all" else df[df["gender"] == g]
        assert out.loc[g, "n"] == len(sub)
        for d in ["health", "life_overall"]:
            ok = sub[f"sat_{d}"].notna()
            ref = np.average(sub.loc[ok, f"sat_{d}"], weights=sub.loc[ok, "weight"])
            assert out.loc[g, d] == pytest.approx(ref, abs=TOL)


def test_profile_rows_keeps_large_groups_up_to_three():
    m = pd.DataFrame({"n": [10, 3, 8, 30, 12, 61], "health": range(6)},
                     index=["a", "b", "c", "d", "e", "all"])
    out = C.profile_rows(m)
    assert out.index.tolist() == ["a", "d", "e"]       # c (8) is the fourth largest, b is small
    assert out.columns.tolist() == ["health"]
    assert C.profile_rows(m, max_rows=5).index.tolist() == ["a", "c", "d", "e"]


# --------------------------------------------------------------------------- missing data
def test_missing_by_column_equals_isna_sum():
    df = _frame(6)
    out = D.missing_by_column({"f": df, "g": df.iloc[:0]})
    f = out[out.file == "f"].set_index("column")
    assert f["missing"].to_dict() == df.isna().sum().to_dict()
    assert (f["n"] == len(df)).all()
    assert out[out.file == "g"]["missing_pct"].isna().all()


def test_missing_pattern_hand_example_and_pooling():
    df = pd.DataFrame({"a": [1, None, None, 1, None], "b": [1, 2, None, 1, 2]})
    out = D.missing_pattern({"f": df})
    assert out[["missing_columns", "vars_missing", "n"]].values.tolist() == [
        ["(none)", 0, 2], ["a", 1, 2], ["a, b", 2, 1]]
    pooled = D.missing_pattern({"f": df}, max_patterns=1)
    assert pooled["missing_columns"].tolist() == ["(none)", "(other patterns)"]
    assert pooled["n"].tolist() == [2, 3]
    assert np.isnan(pooled["vars_missing"].iloc[1])
    with pytest.raises(ValueError, match="max_patterns"):
        D.missing_pattern({"f": df}, max_patterns=0)


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 10_000), st.integers(1, 40), st.integers(1, 6))
def test_missing_pattern_recount(seed, n, max_patterns):
    rng = np.random.default_rng(seed)
    df = pd.DataFrame(rng.random((n, 4)), columns=list("wxyz")).mask(rng.random((n, 4)) < 0.3)
    out = D.missing_pattern({"f": df}, max_patterns=max_patterns)
    assert out["n"].sum() == n                      # nothing dropped
    assert out["pct"].sum() == pytest.approx(100)
    truth = Counter(", ".join(c for c in df.columns if pd.isna(r[c])) or "(none)" for _, r in df.iterrows())
    listed = out[~out["missing_columns"].str.startswith("(other patterns)")]
    assert len(listed) == min(max_patterns, len(truth))
    for r in listed.itertuples():
        assert truth[r.missing_columns] == r.n
    assert listed["n"].is_monotonic_decreasing


# --------------------------------------------------------------------------- result tables
def test_reliability_summary_passes_results_through():
    hs = load_example("holzinger_swineford_1939")
    a = cronbach_alpha(hs[["x4", "x5", "x6"]])
    row = D.reliability_summary(a, scale="textual").iloc[0]
    assert (row["scale"], row["n_items"], row["n"]) == ("textual", 3, 301)
    assert (row["alpha"], row["alpha_ci_low"], row["alpha_ci_high"]) == (a.alpha, a.ci_low, a.ci_high)
    assert row["ci_method"] == "feldt 95 %"
    assert np.isnan(row["omega_total"])


def test_fit_table_skips_absent_measures_keeps_order():
    out = D.fit_table({"ML": {"cfi": 0.9, "df": 5.0, "srmr": 0.05},
                       "MLR": {"cfi": 0.91, "df": 5.0, "cfi.robust": 0.92}})
    assert out["measure"].tolist() == ["df", "cfi", "srmr", "cfi.robust"]
    assert np.isnan(out.loc[3, "ML"]) and out.loc[3, "MLR"] == 0.92


def test_wide_norms_reshapes_suppressed_table():
    df = pd.DataFrame({"s": [1, 2, 2, 3, 4, 5, 5, 6, 1, 2], "age_group": "16-19",
                       "gender": ["female"] * 7 + ["male"] * 3})
    tidy = suppress_small_cells(norm_table(df, ["s"]), n_cols=["n"], labels=["raw"])   # male cell (n = 3)
    wide = D.wide_norms(tidy, "s", ["age_group", "gender"])
    assert wide.columns.tolist() == ["raw", "all", "16-19 female", "16-19 male"]
    wide = wide.set_index("raw")
    assert (wide["16-19 male"] == "<5").all()
    # whole sample PR of 2: (2 below + 3/2 tied) / 10 = 35 %
    assert wide.loc[2.0, "all"] == pytest.approx(35.0)
    with pytest.raises(KeyError, match="'t'"):
        D.wide_norms(tidy, "t", ["age_group", "gender"])


def test_group_domain_means_two_columns_cells():
    df = _frame(7, n=150)
    df["age_group"] = np.where(df.index % 2 == 0, "16-19", "20-24")
    df.loc[3, "gender"] = None
    out = C.group_domain_means(df, DOMAINS, ["age_group", "gender"])
    assert out.columns[0] == "age_group × gender" and isinstance(out.index, pd.RangeIndex)
    out = out.set_index("age_group × gender")
    cell = df[(df.age_group == "20-24") & (df.gender == "male")]
    assert out.loc["20-24 male", "n"] == len(cell)
    assert out.loc["20-24 male", "finances"] == pytest.approx(cell["sat_finances"].mean(), abs=TOL)
    assert out["n"].drop("all").sum() == len(df) - 1      # the row without gender is in "all" only
    assert out.index.name == "age_group × gender"


# --------------------------------------------------------------------------- intake / joins
def test_intake_table_totals_and_check():
    intake = pd.DataFrame({"file": ["a.csv", "b.csv"], "dataset": ["x", "y"], "n_read": [10, 4],
                           "n_accepted": [8, 4], "n_rejected": [2, 0]})
    out = intake_table(intake)
    assert out.iloc[-1][["file", "n_read", "n_accepted", "n_rejected"]].tolist() == ["(all files)", 14, 12, 2]
    assert out["balanced"].all()
    with pytest.raises(ValueError, match=r"b\.csv: read 4, accepted 3 \+ rejected 0"):
        intake_table(intake.assign(n_accepted=[8, 3]))


def test_join_on_id_keeps_rows_index_and_warns():
    base = pd.DataFrame({"respondent_id": ["c", "a", "b"], "n_answered": [1, 2, 3]}, index=[2, 3, 4])
    other = pd.DataFrame({"respondent_id": ["a", "c", "z"], "n_answered": [9, 8, 7], "s": [1.0, 2.0, 3.0]})
    with pytest.warns(UserWarning, match=r"1 respondent_id\(s\) of who5 .*'z'"):
        out = D.join_on_id(base, {"who5": other})
    assert out.index.tolist() == [2, 3, 4]
    assert out["respondent_id"].tolist() == ["c", "a", "b"]
    assert out["n_answered_who5"].tolist()[:2] == [8, 9] and np.isnan(out["n_answered_who5"].iloc[2])
    assert out["s"].tolist()[:2] == [2.0, 1.0]
    with pytest.raises(ValueError, match=r"who5 has respondent_id repeated in row\(s\) \[0, 1\]"):
        D.join_on_id(base, {"who5": other.assign(respondent_id=["a", "a", "c"])})


def test_effect_directions_counts_by_hand():
    t = pd.DataFrame({"hedges_g": [-0.8, -0.2, 0.0, 0.3, np.nan], "p_holm": [0.001, 0.2, 1.0, 0.01, np.nan]})
    assert D.effect_directions(t).to_frame().iloc[0].to_dict() == {"rows": 5, "lower": 2, "higher": 1, "lower_significant": 1,
                                      "higher_significant": 1}
    assert D.effect_directions(t, level=0.5).lower_significant == 2
