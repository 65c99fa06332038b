"""analysis.surveys against hand computations, pingouin and scipy."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pingouin
import pytest
from scipy import stats

import analysis.study.surveys as sv
from analysis.intake.scoring import score

DEMO = Path(__file__).resolve().parent.parent / "analysis" / "datasets" / "demo"


@pytest.fixture(scope="module")
def client():
    return pd.read_csv(DEMO / "client_survey.csv")


def test_item_summary_hand_example():
    # cs_1 answers 5, 4, 2, missing: n 3, mean 11/3, SD sqrt(((4/3)^2 + (1/3)^2 + (5/3)^2)/2), 2 of 3 agree.
    r = pd.DataFrame({"cs_1": [5, 4, 2, None], "cs_3": [1, 1, 5, 4]})
    t = sv.item_summary(r, "client-survey").set_index("item")
    assert list(t.index) == ["cs_1", "cs_3"]
    assert t.loc["cs_1", "n"] == 3
    assert t.loc["cs_1", "mean"] == pytest.approx(11 / 3)
    assert t.loc["cs_1", "sd"] == pytest.approx(np.sqrt((16 / 9 + 1 / 9 + 25 / 9) / 2))
    assert t.loc["cs_1", "pct_agree"] == pytest.approx(200 / 3)
    assert t.loc["cs_3", "pct_agree"] == pytest.approx(50.0)   # raw answers, not reverse-keyed
    assert bool(t.loc["cs_3", "negative"]) and not bool(t.loc["cs_1", "negative"])


def test_item_summary_demo_matches_plain_pandas(client):
    t = sv.item_summary(client, "client-survey", lang="fi").set_index("item")
    for k in [f"cs_{i}" for i in range(1, 16)]:
        x = client[k].dropna()
        assert t.loc[k, "n"] == len(x)
        assert t.loc[k, "mean"] == pytest.approx(x.mean(), abs=1e-12)
        assert t.loc[k, "pct_agree"] == pytest.approx(100 * x.isin([4, 5]).mean(), abs=1e-12)
    assert t.loc["cs_1", "label"].startswith("Tiesin")


def test_item_summary_without_items_is_an_error():
    with pytest.raises(KeyError, match="none of the rating items"):
        sv.item_summary(pd.DataFrame({"x": [1]}), "client-survey")


def test_scale_summary_alpha_and_means(client):
    sc = score(client, "client-survey")
    t = sv.scale_summary(client, sc, "client-survey").set_index("score")
    # Alpha of the reverse-keyed items (6 - x) equals pingouin's (pairwise, Feldt interval).
    items = client[["cs_4", "cs_5", "cs_6"]].astype(float).assign(cs_6=lambda d: 6 - d["cs_6"])
    a, (lo, hi) = pingouin.cronbach_alpha(items)
    assert t.loc["cs_benefit", "alpha"] == pytest.approx(a, abs=1e-9)
    assert (t.loc["cs_benefit", "alpha_ci_low"], t.loc["cs_benefit", "alpha_ci_high"]) == \
        pytest.approx((lo, hi), abs=5e-4)                        # pingouin rounds its CI to 3 decimals
    # The score is the mean of the (reverse-keyed) answered items; n counts scored respondents.
    s = items.mean(axis=1)[items.notna().sum(axis=1) >= 2]
    assert t.loc["cs_benefit", "n"] == len(s)
    assert t.loc["cs_benefit", "mean"] == pytest.approx(s.mean(), abs=1e-12)
    assert t.loc["cs_benefit", "pct_agree"] == pytest.approx(100 * (s >= 4).mean(), abs=1e-12)
    assert t.loc["cs_benefit", "items"] == 3                  # not n_…: it is no person count


def test_scale_summary_reverse_keys_before_alpha():
    # ss_1, ss_2 positive, ss_3 negative and answered in the opposite direction: after 6 - x the
    # three items are (1..5), (1..5), (2,2,3,5,5) -> alpha from the covariance matrix by hand.
    r = pd.DataFrame({"respondent_id": list("abcde"), "ss_1": [1, 2, 3, 4, 5], "ss_2": [1, 2, 3, 4, 5],
                      "ss_3": [4, 4, 3, 1, 1]})
    for k in ["ss_4", "ss_5", "ss_7", "ss_8", "ss_10", "ss_11", "ss_12"]:
        r[k] = [1, 2, 3, 4, 5]
    for k in ["ss_6", "ss_9", "ss_13"]:                   # negatively worded
        r[k] = [5, 3, 4, 2, 1]
    sc = score(r, "staff-survey")
    t = sv.scale_summary(r, sc, "staff-survey").set_index("score")
    keyed = np.array([[1, 2, 3, 4, 5], [1, 2, 3, 4, 5], [2, 2, 3, 5, 5]], float).T
    c = np.cov(keyed, rowvar=False)
    assert t.loc["ss_multiprof", "alpha"] == pytest.approx(1.5 * (1 - np.trace(c) / c.sum()), abs=1e-12)


def test_comments_no_ids_sorted_masked():
    r = pd.DataFrame({"respondent_id": ["P1", "P2", "P3", "P4"],
                      "cs_comment_good": ["b text", "  ", "a text", None],
                      "cs_comment_improve": [None, "call me, hetu 131052-308T", None, "z"]})
    t = sv.comments(r, "client-survey")
    assert list(t.columns) == ["question", "comment"]
    assert t["comment"].tolist() == ["a text", "b text", "call me, hetu [id]", "z"]
    assert t["question"].tolist() == ["What worked well?"] * 2 + ["What should be improved?"] * 2
    assert not t.isin(["P1", "P2", "P3", "P4"]).any().any()


def test_comments_demo_count(client):
    t = sv.comments(client, "client-survey")
    expected = sum(client[c].dropna().str.strip().ne("").sum() for c in ["cs_comment_good", "cs_comment_improve"])
    assert len(t) == expected


def test_sus_summary_interval_and_band():
    x = pd.Series([50.0, 62.5, 75.0, 80.0, 95.0, None])
    t = sv.sus_summary(pd.DataFrame({"sus_score": x})).iloc[0]
    v = x.dropna()
    lo, hi = stats.t.interval(0.95, len(v) - 1, loc=v.mean(), scale=stats.sem(v))
    assert t["n"] == 5 and t["mean"] == pytest.approx(72.5)
    assert (t["ci_low"], t["ci_high"]) == pytest.approx((lo, hi), abs=1e-10)
    assert t["median"] == 75.0 and t["band"] == "Good"     # 72.5 lies in 52 ≤ SUS < 73
    assert sv.sus_summary(pd.DataFrame({"sus_score": [80.0]}), lang="fi").iloc[0]["band"] == "Erinomainen"


def test_sus_band_boundaries():
    t = sv.sus_band_table(pd.DataFrame({"sus_score": [0, 24.9, 25, 51.9, 52, 72.5, 73, 85, 100]}))
    assert t["n"].tolist() == [2, 1, 1, 2, 1, 2, 9]
    assert t["percent"].iloc[:-1].sum() == pytest.approx(100) and t["band"].iloc[-1] == "all"
    assert t["scores"].iloc[-2] == "85 ≤ SUS ≤ 100" and t["scores"].iloc[0] == "0 ≤ SUS < 25"
