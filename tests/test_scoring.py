"""analysis.scoring against hand-computed expectations (arithmetic written out in each test),
Brooke's (1996) published SUS scoring, and property-based invariants.

Tolerances: sums of integers and their multiples by 2.5 or 4 are exact in binary floating
point, so those are compared with ``==``; means and prorated sums (divisions) use
``pytest.approx`` at its default relative 1e-6, far below any reported precision.
"""
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from analysis.intake.instruments import load_instrument
from analysis.intake.scoring import score

NaN = np.nan
DOMAINS = ["health", "resilience", "housing", "daily_coping", "family", "friends", "finances",
           "strengths", "self_esteem", "life_overall"]
SAT = [f"sat_{d}" for d in DOMAINS]
# loaded once: property tests call score() many times
INS = {k: load_instrument(k) for k in ("3x10d", "sus", "client-survey", "rses")}


def frame(instrument: str, rows: list[list[float]], **extra) -> pd.DataFrame:
    """Responses with the instrument's rating items in order; ``extra`` adds columns."""
    keys = [it.key for it in load_instrument(instrument).rating_items]
    df = pd.DataFrame(np.array(rows, dtype=float), columns=keys)
    for k, v in extra.items():
        df[k] = v
    return df


def sat_frame(rows: list[list[float]], **extra) -> pd.DataFrame:
    df = pd.DataFrame(np.array(rows, dtype=float), columns=SAT)
    for k, v in extra.items():
        df[k] = v
    return df


# --- agreement with R (tests/r/scoring.R → tests/fixtures/r/scoring.json) ----------------------

R_FIXTURE = json.loads((Path(__file__).parent / "fixtures" / "r" / "scoring.json").read_text())


@pytest.mark.parametrize("ident", ["who5", "rses", "swls", "sus", "client-survey", "staff-survey",
                                   "3x10d"])
def test_agrees_with_psych_score_items_and_base_r(ident):
    # 300 seeded rows per instrument with 2–15 % missing answers, so every minimum-answered
    # and prorating branch occurs. R's JSON keeps 15 significant digits, hence rtol 1e-12.
    ref = R_FIXTURE[ident]
    responses = pd.DataFrame(ref["responses"]).astype(float)
    expected = pd.DataFrame(ref["expected"])
    out = score(responses, ident)
    for col in expected.columns:
        if col.startswith("band_"):
            assert out[col].astype(object).fillna("NA").tolist() == \
                expected[col].fillna("NA").tolist(), col
        else:
            np.testing.assert_allclose(out[col].to_numpy(dtype=float),
                                       expected[col].to_numpy(dtype=float), rtol=1e-12, err_msg=col)
    assert (expected.notna().sum() > 0).all() and (expected.isna().sum() > 0).any()


# --- SUS (Brooke 1996) ------------------------------------------------------------------------

def test_sus_published_patterns():
    out = score(frame("sus", [
        [3] * 10,                      # every item contributes 2: 10 × 2 = 20; × 2.5 = 50
        [5, 1] * 5,                    # odd 5 − 1 = 4, even 5 − 1 = 4: 40 × 2.5 = 100
        [1, 5] * 5,                    # odd 1 − 1 = 0, even 5 − 5 = 0: 0
        [4, 2, 5, 1, 4, 2, 5, 2, 4, 1],  # odd 3+4+3+4+3 = 17, even 3+4+3+3+4 = 17: 34 × 2.5 = 85
        [4, 2, 5, 1, 4, 2, 5, 2, 4, NaN],  # one item missing: no score
    ]), "sus")
    assert list(out.columns) == ["sus_score", "n_answered"]
    assert out["sus_score"].tolist()[:4] == [50.0, 100.0, 0.0, 85.0]
    assert np.isnan(out["sus_score"].iloc[4])
    assert out["n_answered"].tolist() == [10, 10, 10, 10, 9]


def test_sus_equals_brooke_formula_written_independently():
    rng = np.random.default_rng(7)
    x = rng.integers(1, 6, size=(200, 10)).astype(float)
    brooke = 2.5 * ((x[:, 0::2] - 1).sum(axis=1) + (5 - x[:, 1::2]).sum(axis=1))
    assert score(frame("sus", x.tolist()), "sus")["sus_score"].tolist() == brooke.tolist()


# --- WHO-5 ------------------------------------------------------------------------------------

def test_who5_raw_and_percentage():
    out = score(frame("who5", [
        [3, 4, 2, 5, 1],      # raw 3+4+2+5+1 = 15, × 4 = 60
        [0, 0, 0, 0, 0],      # 0, 0
        [5, 5, 5, 5, 5],      # 25, 100
        [3, 4, 2, 5, NaN],    # all five required: missing
    ]), "who5")
    assert list(out.columns) == ["who5_raw", "who5_pct", "n_answered"]
    assert out["who5_raw"].tolist()[:3] == [15.0, 0.0, 25.0]
    assert out["who5_pct"].tolist()[:3] == [60.0, 0.0, 100.0]
    assert out.iloc[3, :2].isna().all() and out["n_answered"].iloc[3] == 4


# --- RSES -------------------------------------------------------------------------------------

def test_rses_reverse_keys_and_prorating():
    row = [4, 1, 4, 3, 1, 2, 4, 1, 1, 3]
    out = score(frame("rses", [
        [4] * 10,  # positives 1,3,4,7,10: 5 × 4 = 20; reversed 2,5,6,8,9: 5 × (5 − 4) = 5; 25
        row,       # positives 4+4+3+4+3 = 18; reversed (5−1)+(5−1)+(5−2)+(5−1)+(5−1) = 19; 37
        [NaN] + row[1:],             # 9 answered: (37 − 4) / 9 × 10 = 36.666…
        [NaN, NaN] + row[2:],        # 8 answered: (37 − 4 − 4) / 8 × 10 = 36.25
        [NaN, NaN, NaN] + row[3:],   # 7 answered (< 8): missing
        [1] * 10,  # positives 5 × 1 = 5; reversed 5 × 4 = 20; 25
    ]), "rses")["rses_total"]
    assert out.iloc[[0, 1, 5]].tolist() == [25.0, 37.0, 25.0]
    assert out.iloc[2] == pytest.approx(330 / 9)
    assert out.iloc[3] == 36.25
    assert np.isnan(out.iloc[4])


# --- SWLS -------------------------------------------------------------------------------------

def test_swls_sum_and_prorating():
    out = score(frame("swls", [
        [5, 6, 4, 7, 3],          # 25
        [5, 6, 4, 7, NaN],        # 4 answered: 22 / 4 × 5 = 27.5
        [5, 6, 4, NaN, NaN],      # 3 answered: missing
        [1, 1, 1, 1, 1], [7, 7, 7, 7, 7],  # 5 and 35
    ]), "swls")
    assert out["swls_total"].iloc[[0, 1, 3, 4]].tolist() == [25.0, 27.5, 5.0, 35.0]
    assert np.isnan(out["swls_total"].iloc[2])
    assert out["n_answered"].tolist() == [5, 4, 3, 5, 5]


def test_complete_prorated_sum_is_the_exact_sum(tmp_path):
    # 29 / 7 * 7 == 29.000000000000004 in floating point: a complete row must give the plain
    # sum, not mean × k. A seven-item prorated sum (min 6) exposes the difference.
    path = tmp_path / "seven.yaml"
    items = "\n".join(f"- {{key: q_{i}, scale: s, label: {{fi: k{i}, sv: f{i}, en: q{i}}}}}"
                      for i in range(1, 8))
    path.write_text(f"""id: seven
title: {{fi: seitsemän, sv: sju, en: seven}}
notes: test instrument
reference: none
response_scales: {{s: {{min: 1, max: 5}}}}
items:
{items}
scores:
- {{key: total, label: {{fi: yht, sv: tot, en: total}}, method: sum, prorate: true, min_answered: 6,
   items: [q_1, q_2, q_3, q_4, q_5, q_6, q_7], range: [7, 35]}}
""", encoding="utf-8")
    seven = load_instrument(path)
    out = score(pd.DataFrame([[5, 5, 5, 5, 5, 3, 1], [5, 5, 5, 5, 5, 3, NaN]],
                             columns=[f"q_{i}" for i in range(1, 8)]), seven)["total"]
    assert out.iloc[0] == 29.0                           # 5 × 5 + 3 + 1
    assert out.iloc[1] == pytest.approx(28 / 6 * 7)      # (5 × 5 + 3) / 6 answered × 7 items


# --- participant surveys ----------------------------------------------------------------------

def test_client_survey_subscales_reverse_keys_and_min_answered():
    # cs_one_stop = cs_1, cs_2, cs_3 (reversed 6 − x), mean, at least 2 answered
    base = [4, 5, 2] + [3] * 12
    rows = [base,
            [4, 5, NaN] + [3] * 12,      # exactly 2 answered: (4 + 5) / 2 = 4.5
            [4, NaN, NaN] + [3] * 12,    # 1 answered: missing
            [5, 5, 1] + [5, 5, 1, 5, 5, 1, 5, 5, 1, 5, 5, 1],  # best possible: 5 everywhere
            [1, 1, 5] * 5]               # worst possible: 1 everywhere
    df = frame("client-survey", rows, cs_comment_good=["ok", None, "hyvä; kiitos", "", "x"])
    out = score(df, "client-survey")
    assert list(out.columns) == ["cs_one_stop", "cs_benefit", "cs_participation", "cs_worker",
                                 "cs_plan", "n_answered"]
    # (4 + 5 + (6 − 2)) / 3 = 13 / 3; the other subscales: (3 + 3 + (6 − 3)) / 3 = 3
    assert out["cs_one_stop"].iloc[0] == pytest.approx(13 / 3)
    assert out.iloc[0, 1:5].tolist() == [3.0] * 4
    assert out["cs_one_stop"].iloc[1] == 4.5
    assert np.isnan(out["cs_one_stop"].iloc[2])
    assert out.iloc[3, :5].tolist() == [5.0] * 5
    assert out.iloc[4, :5].tolist() == [1.0] * 5
    assert out["n_answered"].tolist() == [15, 14, 13, 15, 15]


def test_staff_survey_management_needs_three_of_four():
    # ss_management = ss_10..ss_13, ss_13 reversed, at least 3 answered
    other = [3] * 9
    out = score(frame("staff-survey", [
        other + [5, 4, 3, 1],      # (5 + 4 + 3 + (6 − 1)) / 4 = 17 / 4 = 4.25
        other + [NaN, 4, 3, 1],    # exactly 3: (4 + 3 + 5) / 3 = 4.0
        other + [NaN, NaN, 3, 1],  # 2 answered: missing
        [2, 4, 4] + [3] * 6 + [3] * 4,  # ss_multiprof: (2 + 4 + (6 − 4)) / 3 = 8 / 3
    ]), "staff-survey")
    assert out["ss_management"].iloc[:2].tolist() == [4.25, 4.0]
    assert np.isnan(out["ss_management"].iloc[2])
    assert out["ss_multiprof"].iloc[3] == pytest.approx(8 / 3)
    assert out["ss_pulling_together"].iloc[3] == 3.0


# --- 3X10D ------------------------------------------------------------------------------------

def test_bands_at_boundaries_and_n_low():
    out = score(sat_frame([[5, 6, 7, 8, 0, 10, NaN, 4, 9, 3]]), "3x10d")
    bands = [out[f"band_{d}"].iloc[0] for d in DOMAINS]
    assert bands[:6] == ["low", "moderate", "moderate", "high", "low", "high"]
    assert pd.isna(bands[6]) and bands[7:] == ["low", "high", "low"]
    assert list(out["band_health"].cat.categories) == ["low", "moderate", "high"]
    assert out["band_health"].cat.ordered
    # low band: 5, 0, 4, 3 → 4 domains; answered: 9 of 10
    assert (out["n_low"].iloc[0], out["n_answered"].iloc[0]) == (4, 9)


def test_priority_thresholds_and_missing():
    sat = [[5, 5, 6, 5, NaN, 0, 10, 5, 5, 5]]
    imp = [8, 7, 8, NaN, 9, 10, 10, 0, 8, 8]
    df = sat_frame(sat, **{f"imp_{d}": [v] for d, v in zip(DOMAINS, imp)})
    out = score(df, "3x10d")
    got = [out[f"priority_{d}"].iloc[0] for d in DOMAINS]
    # imp ≥ 8 and sat ≤ 5: (8,5) T, (7,5) F, (8,6) F, (NA,5) NA, (9,NA) NA, (10,0) T, (10,10) F,
    # (0,5) F, (8,5) T, (8,5) T
    assert [None if v is pd.NA else bool(v) for v in got] == [
        True, False, False, None, None, True, False, False, True, True]
    assert out["priority_health"].dtype == "boolean"
    lower = score(df, "3x10d", importance_min=7, satisfaction_max=6)
    # now (7,5) and (8,6) qualify too
    assert bool(lower["priority_resilience"].iloc[0]) and bool(lower["priority_housing"].iloc[0])


def test_gap_and_optional_perspectives():
    sat = [[3, 5, 7, 8, 2, 1, 0, 6, NaN, 4]]
    goal = [7, 5, 9, 8, 6, 4, 5, 10, 8, NaN]
    out = score(sat_frame(sat, **{f"goal_{d}": [v] for d, v in zip(DOMAINS, goal)}), "3x10d")
    gaps = out[[f"gap_{d}" for d in DOMAINS]].iloc[0].tolist()
    # goal − sat: 7−3, 5−5, 9−7, 8−8, 6−2, 4−1, 5−0, 10−6, 8−NA, NA−4
    assert gaps[:8] == [4.0, 0.0, 2.0, 0.0, 4.0, 3.0, 5.0, 4.0] and np.isnan(gaps[8:]).all()
    assert not any(c.startswith(("imp_", "priority_")) for c in out.columns)
    plain = score(sat_frame(sat), "3x10d")
    assert [c for c in plain.columns if c.startswith(("imp_", "goal_", "gap_", "priority_"))] == []


def test_domain_mean_needs_seven_and_excludes_life_overall():
    rows = [
        [6, 7, 8, 5, 9, 4, 3, 8, 7, 2],            # 9 answered: 57 / 9
        [6, 7, 8, 5, 9, 4, 3, NaN, NaN, 2],        # exactly 7: (6+7+8+5+9+4+3) / 7 = 42 / 7 = 6
        [6, 7, 8, 5, 9, 4, NaN, NaN, NaN, 10],     # 6 answered: missing despite item 10
        [6, 7, 8, 5, 9, 4, 3, 8, 7, 10],           # like row 0 with item 10 = 10: still 57 / 9
    ]
    out = score(sat_frame(rows), "3x10d")
    assert out["domain_mean"].iloc[0] == pytest.approx(57 / 9)
    assert out["domain_mean"].iloc[1] == 6.0
    assert np.isnan(out["domain_mean"].iloc[2])
    assert out["domain_mean"].iloc[3] == out["domain_mean"].iloc[0]
    assert out["life_overall"].tolist() == [2.0, 2.0, 10.0, 10.0]
    assert out["n_answered"].tolist() == [10, 8, 7, 10]
    relaxed = score(sat_frame(rows), "3x10d", domain_mean_min=6)
    assert relaxed["domain_mean"].iloc[2] == 39 / 6  # (6+7+8+5+9+4) / 6 = 6.5


def test_ids_first_index_kept_and_14_17_version():
    df = sat_frame([[5] * 10, [NaN] * 10, [9] * 10], occasion=["baseline", "6m", "12m"])
    df.insert(0, "respondent_id", ["c", "a", "b"])
    df["age"] = [17, 15, 16]
    df.index = [30, 10, 20]
    out = score(df, "3x10d-14-17")
    assert list(out.columns[:3]) == ["respondent_id", "occasion", "sat_health"]
    assert out.index.tolist() == [30, 10, 20] and out["respondent_id"].tolist() == ["c", "a", "b"]
    assert "age" not in out.columns
    assert out["n_answered"].tolist() == [10, 0, 10]
    assert out["band_family"].isna().tolist() == [False, True, False]


# --- refusing bad input -----------------------------------------------------------------------

def test_out_of_scale_and_non_integer_values_are_named():
    df = sat_frame([[5] * 10, [5] * 10, [5] * 10])
    df.index = ["r1", "r2", "r3"]
    df.loc["r2", "sat_housing"] = 11
    df.loc["r3", "sat_health"] = 2.5
    df.loc["r1", "sat_finances"] = -1
    df.loc["r1", "sat_family"] = np.inf
    with pytest.raises(ValueError) as err:
        score(df, "3x10d")
    msg = str(err.value)
    assert msg.startswith("4 invalid value(s)")
    assert "column 'sat_housing', row index 'r2': value 11.0 is not an integer in 0..10" in msg
    assert "column 'sat_health', row index 'r3': value 2.5" in msg
    assert "column 'sat_finances', row index 'r1': value -1.0" in msg
    assert "column 'sat_family', row index 'r1': value inf" in msg


def test_non_numeric_text_in_rating_column_is_refused():
    df = frame("sus", [[3] * 10, [3] * 10]).astype(object)
    df.loc[1, "sus_4"] = "kolme"
    with pytest.raises(ValueError, match="column 'sus_4', row index 1: value 'kolme'"):
        score(df, "sus")


def test_long_problem_lists_are_truncated_but_counted():
    df = frame("who5", [[9] * 5] * 30)
    with pytest.raises(ValueError, match=r"^150 invalid value\(s\)[\s\S]*\.\.\. and 130 more$"):
        score(df, "who5")


def test_missing_item_columns_and_misused_options():
    with pytest.raises(ValueError, match=r"lack item columns \['who5_5'\] of instrument 'who5'"):
        score(frame("who5", [[1] * 5]).drop(columns="who5_5"), "who5")
    with pytest.raises(ValueError, match="lack item columns"):
        score(sat_frame([[1] * 10]).drop(columns="sat_life_overall"), "3x10d")
    with pytest.raises(ValueError, match="importance_min apply to life-domain instruments only"):
        score(frame("sus", [[3] * 10]), "sus", importance_min=8)
    with pytest.raises(ValueError, match="importance_min must be a number in 0..10"):
        score(sat_frame([[1] * 10]), "3x10d", importance_min=11)
    with pytest.raises(ValueError, match="domain_mean_min must be an integer in 1..9"):
        score(sat_frame([[1] * 10]), "3x10d", domain_mean_min=10)


# --- properties -------------------------------------------------------------------------------

def _sat_arrays(n_max=12):
    values = st.one_of(st.just(np.nan), st.integers(0, 10).map(float))
    return st.integers(1, n_max).flatmap(
        lambda n: arrays(np.float64, (n, 10), elements=values))


@settings(max_examples=60, deadline=None)
@given(x=_sat_arrays(), seed=st.integers(0, 2**16))
def test_property_life_domains(x, seed):
    rng = np.random.default_rng(seed)
    index = rng.permutation(len(x)) * 3 + 100
    ids = [f"id{i}" for i in rng.permutation(len(x))]
    df = pd.DataFrame(x, columns=SAT, index=index)
    df.insert(0, "respondent_id", ids)
    out = score(df, INS["3x10d"])
    # never drops or reorders rows
    assert out.index.tolist() == index.tolist() and out["respondent_id"].tolist() == ids
    n9 = (~np.isnan(x[:, :9])).sum(axis=1)
    dm = out["domain_mean"].to_numpy()
    assert (np.isnan(dm) == (n9 < 7)).all()
    assert ((dm[~np.isnan(dm)] >= 0) & (dm[~np.isnan(dm)] <= 10)).all()
    assert (out["n_low"] <= out["n_answered"]).all()
    assert out["n_answered"].tolist() == (~np.isnan(x)).sum(axis=1).tolist()
    # raising one answered satisfaction item never lowers domain_mean
    j = int(rng.integers(0, 10))
    raised = x.copy()
    raised[:, j] = np.where(raised[:, j] < 10, raised[:, j] + 1, raised[:, j])
    dm2 = score(pd.DataFrame(raised, columns=SAT), INS["3x10d"])["domain_mean"].to_numpy()
    ok = ~np.isnan(dm)
    assert (dm2[ok] >= dm[ok] - 1e-12).all() and (np.isnan(dm2) == np.isnan(dm)).all()


@settings(max_examples=60, deadline=None)
@given(x=arrays(np.float64, st.tuples(st.integers(1, 20), st.just(10)),
                elements=st.one_of(st.just(np.nan), st.integers(1, 5).map(float))))
def test_property_sus_range_and_steps(x):
    s = score(pd.DataFrame(x, columns=[f"sus_{i}" for i in range(1, 11)]), INS["sus"])["sus_score"]
    complete = ~np.isnan(x).any(axis=1)
    assert (s.notna().to_numpy() == complete).all()
    v = s.dropna().to_numpy()
    assert ((v >= 0) & (v <= 100)).all() and (v / 2.5 == np.round(v / 2.5)).all()


@settings(max_examples=40, deadline=None)
@given(x=arrays(np.float64, st.tuples(st.integers(1, 15), st.just(15)),
                elements=st.one_of(st.just(np.nan), st.integers(1, 5).map(float))))
def test_property_reversing_twice_is_identity(x):
    # Mirroring every answer (6 − x) mirrors every mean subscale (6 − score), because the
    # reverse keys are applied to the mirrored answers too; mirroring twice restores it.
    cols = [f"cs_{i}" for i in range(1, 16)]
    once = score(pd.DataFrame(6 - x, columns=cols), INS["client-survey"])
    twice = score(pd.DataFrame(6 - (6 - x), columns=cols), INS["client-survey"])
    orig = score(pd.DataFrame(x, columns=cols), INS["client-survey"])
    pd.testing.assert_frame_equal(twice, orig)
    subs = ["cs_one_stop", "cs_benefit", "cs_participation", "cs_worker", "cs_plan"]
    np.testing.assert_allclose(once[subs].to_numpy(), 6 - orig[subs].to_numpy(), rtol=0, atol=1e-12)


@settings(max_examples=40, deadline=None)
@given(x=arrays(np.float64, st.tuples(st.integers(1, 15), st.just(10)),
                elements=st.one_of(st.just(np.nan), st.integers(1, 4).map(float))))
def test_property_rses_matches_naive_rule(x):
    # naive row-by-row implementation of the documented rule, independent of the YAML
    expected = []
    for row in x:
        keyed = [5 - v if i in (2, 5, 6, 8, 9) else v for i, v in enumerate(row, start=1)]
        answered = [v for v in keyed if not np.isnan(v)]
        expected.append(sum(answered) / len(answered) * 10 if len(answered) >= 8 else np.nan)
    got = score(pd.DataFrame(x, columns=[f"rses_{i}" for i in range(1, 11)]), INS["rses"])["rses_total"]
    np.testing.assert_allclose(got.to_numpy(), expected, rtol=1e-12)


# ----------------------------------------------------------------------------- dask
@pytest.mark.parametrize("instrument", ["3x10d", "who5", "sus"])
def test_dask_partitions_score_exactly_as_pandas(instrument):
    # scoring is row-wise: partition-local work on dask's local schedulers equals pandas, bit for bit
    dask = pytest.importorskip("dask")
    dd = pytest.importorskip("dask.dataframe")
    ins = load_instrument(instrument)
    rng = np.random.default_rng(3)
    n = 503                                   # partitions of unequal size
    df = pd.DataFrame({"respondent_id": [f"R{i}" for i in range(n)], "occasion": "t1"})
    for it in ins.rating_items:
        x = rng.integers(it.scale.min, it.scale.max + 1, n).astype(float)
        x[rng.random(n) < 0.15] = np.nan
        df[it.key] = x
    expected = score(df, ins)
    for scheduler in ("synchronous", "threads"):
        with dask.config.set({"scheduler": scheduler, "dataframe.convert-string": False}):
            lazy = score(dd.from_pandas(df, npartitions=4), ins)
            assert type(lazy).__module__.startswith("dask")
            pd.testing.assert_frame_equal(lazy.compute(), expected)
