"""analysis.pilot: latest reading, RCI parameters from the cohort, summaries — checked by hand."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pingouin
import pytest

import analysis.study.pilot as pl
from analysis.stats.change import paired_change
from analysis.study.pilot import goal_attainment

OCC = ("baseline", "6m", "12m")
FOLLOWUPS = ("6m", "12m")


@pytest.fixture()
def long():
    return pd.DataFrame({
        "respondent_id": ["a", "a", "a", "b", "b", "c", "d", "d", "d"],
        "occasion": ["baseline", "6m", "12m", "baseline", "6m", "baseline", "baseline", "6m", "12m"],
        "sat_health": [3, 5, 6, 4, 7, 5, 2, 4, None],
        "sat_family": [6, 6, 8, 5, 5, 9, 3, 3, None],
        "goal_health": [7, None, None, 6, None, 8, 5, None, None],
        "goal_family": [8, None, None, None, None, 9, 4, None, None]})


def test_latest_reading_falls_back_to_6m(long):
    lp = pl.latest_reading(long, first="baseline", followups=FOLLOWUPS, cols=["sat_health", "sat_family"])
    assert lp.occasion.loc[["a", "b", "d"]].tolist() == ["12m", "6m", "6m"] and pd.isna(lp.occasion["c"])
    assert lp.post["sat_health"].tolist()[:2] == [6.0, 7.0] and np.isnan(lp.post.loc["c", "sat_health"])
    assert lp.post.loc["d", "sat_health"] == 4.0              # 12m row is empty -> 6m used
    assert lp.used.set_index("occasion")["n"].to_dict() == {"6m": 2, "12m": 1, "none": 1, "all": 4}
    assert list(lp.pre.index) == ["a", "b", "c", "d"]


def test_latest_reading_refuses_unknown_occasions(long):
    bad = pd.concat([long, pd.DataFrame({"respondent_id": ["a"], "occasion": ["24m"], "sat_health": [1]})],
                    ignore_index=True)
    with pytest.raises(ValueError, match=r"values \['24m'\] in row\(s\) \[9\]"):
        pl.latest_reading(bad, first="baseline", followups=FOLLOWUPS, cols=["sat_health"])


def test_rci_parameters_against_pingouin_icc2():
    rng = np.random.default_rng(4)
    n = 60
    t = rng.integers(0, 11, n).astype(float)
    r = np.clip(t + rng.integers(-2, 3, n), 0, 10)
    extra = rng.integers(0, 11, 40).astype(float)           # t1 only: counted in the SD, not the ICC
    ids = [f"p{i}" for i in range(n + 40)]
    cohort = pd.DataFrame({"respondent_id": ids[:n] + ids[:n] + ids[n:],
                           "occasion": ["t1"] * n + ["retest"] * n + ["t1"] * 40,
                           "sat_health": np.r_[t, r, extra]})
    params = pl.rci_parameters(cohort, ["sat_health"], ("t1", "retest"))
    assert params.columns[0] == "score" and isinstance(params.index, pd.RangeIndex)    # a flat table
    p = params.set_index("score").loc["sat_health"]
    icc2 = pingouin.intraclass_corr(pd.DataFrame({"id": ids[:n] * 2, "occ": ["t"] * n + ["r"] * n,
                                                  "y": np.r_[t, r]}), "id", "occ", "y").set_index("Type")
    assert p["icc"] == pytest.approx(icc2.loc["ICC(A,1)", "ICC"], abs=1e-9)
    sd = np.r_[t, extra].std(ddof=1)
    assert (p["n_retest"], p["n_cohort"]) == (n, n + 40)
    assert p["sd"] == pytest.approx(sd)
    assert p["sdc"] == pytest.approx(1.96 * np.sqrt(2) * sd * np.sqrt(1 - p["icc"]))


def test_rci_classes_and_summary(long):
    lp = pl.latest_reading(long, first="baseline", followups=FOLLOWUPS, cols=["sat_health"])
    params = pd.DataFrame({"score": ["sat_health"], "sd": [1.0], "icc": [0.5]})
    # SEM = sqrt(0.5), RCI = d / (sqrt2 * SEM) = d: a +3 (improved), b +3, c missing, d +2 (improved)
    cls = pl.rci_classes(lp, params)
    assert cls["sat_health"].tolist()[:2] == ["improved", "improved"] and pd.isna(cls.loc["c", "sat_health"])
    assert cls.loc["d", "sat_health"] == "improved"
    summary = pl.rci_summary(cls)
    assert summary["n"].tolist() == [3, 0, 0, 3] and summary["percent"].tolist() == [100.0, 0.0, 0.0, 100.0]
    assert summary["change"].tolist() == [*pl.CLASSES, "all"]


def test_goal_summary_total_row(long):
    lp = pl.latest_reading(long, first="baseline", followups=FOLLOWUPS, cols=["goal_health", "goal_family", "sat_health", "sat_family"])
    g = pl.goal_summary(goal_attainment(lp.pre, lp.post, ["health", "family"])).set_index("domain")
    # goals: a health 7 (6 at 12m: no), a family 8 (8: yes), b health 6 (7 at 6m: yes),
    #        d health 5 (4: no), d family 4 (3: no); c has no follow-up
    assert g.loc["health", ["n_goals", "n_reached"]].tolist() == [3, 1]
    assert g.loc["family", ["n_goals", "n_reached"]].tolist() == [2, 1]
    assert g.loc["all", ["n_goals", "n_reached"]].tolist() == [5, 2]
    assert g.loc["all", "share_reached"] == pytest.approx(0.4)


def test_group_profile(long):
    lp = pl.latest_reading(long, first="baseline", followups=FOLLOWUPS, cols=["sat_health", "sat_family"])
    prof = pl.profile_means(paired_change(lp.pre, lp.post))
    assert list(prof.index) == ["health", "family"]
    assert prof.loc["health"].tolist() == pytest.approx([3.0, 17 / 3])     # a, b, d: (3+4+2)/3, (6+7+4)/3


def test_example_profiles_reproducible_and_anonymous():
    rows = []
    for i in range(10):
        for occ in ("baseline", "6m", "12m")[: 3 if i < 6 else 2]:
            rows.append({"respondent_id": f"P{i:02d}", "occasion": occ, "sat_health": i, "sat_family": 10 - i})
    data = pd.DataFrame(rows)
    a = pl.example_profiles(data, ["health", "family"], OCC, k=3, seed=1)
    b = pl.example_profiles(data, ["health", "family"], OCC, k=3, seed=1)
    assert list(a) == ["A", "B", "C"]
    assert all(a[k].equals(b[k]) for k in a)
    assert all(list(v.index) == ["baseline", "6m", "12m"] for v in a.values())    # only complete clients
    assert all(v["health"].iloc[0] < 6 for v in a.values())
    assert all(not v.index.isin([f"P{i:02d}" for i in range(10)]).any() for v in a.values())
    seen = {tuple(pl.example_profiles(data, ["health"], OCC, k=3, seed=s)["A"]["health"]) for s in range(8)}
    assert len(seen) > 1                                   # the seed matters


def test_goal_attainment_by_hand():
    base = pd.DataFrame({"goal_housing": [8, 7, np.nan], "goal_family": [9, np.nan, 6],
                         "goal_finances": [5, 6, 7]}, index=pd.Index(["p1", "p2", "p3"], name="respondent_id"))
    fu = pd.DataFrame({"sat_housing": [8, 6, 9], "sat_family": [9, 10, np.nan],
                       "sat_finances": [4, 6, 7]}, index=["p1", "p2", "p3"])
    res = pl.goal_attainment(base, fu, ["housing", "family", "finances"])
    pp = res.per_person
    assert pp["n_goals"].tolist() == [3, 2, 1]              # p3: family goal but no follow-up
    assert pp["n_reached"].tolist() == [2, 1, 1]
    assert pp["share_reached"].tolist() == pytest.approx([2 / 3, 0.5, 1.0])
    assert res.per_domain["domain"].tolist() == ["housing", "family", "finances"]
    pd_ = res.per_domain.set_index("domain")
    assert pd_.loc["housing", "n_goals"] == 2 and pd_.loc["housing", "n_reached"] == 1
    assert pd_.loc["finances", "share_reached"] == pytest.approx(2 / 3)
    # a person with no follow-up at all has no evaluable goals
    res2 = pl.goal_attainment(base, fu.drop(index="p2"), ["housing"])
    assert res2.per_person.loc["p2", "n_goals"] == 0 and np.isnan(res2.per_person.loc["p2", "share_reached"])
