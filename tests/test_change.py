"""analysis.change against scipy, pingouin and hand formulas; coverage on simulated truth."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pingouin as pg
import pytest
from scipy import stats

from analysis.stats import change as ch
from analysis.study import synthetic as syn

SAT = [f"sat_{d}" for d in syn.DOMAINS]
OCC = ("baseline", "6m", "12m")


@pytest.fixture(scope="module")
def pilot():
    return syn.pilot(2027)


def test_paired_change_against_scipy_pingouin_and_hand(pilot):
    pre, post = ch.wide_pair(pilot["3x10d"], SAT, "baseline", "12m")
    t = ch.paired_change(pre, post)
    assert t.columns[0] == "score" and isinstance(t.index, pd.RangeIndex)      # a flat table
    t = t.set_index("score")
    for c in ("sat_housing", "sat_family", "sat_life_overall"):
        ok = pre[c].notna() & post[c].notna()
        x, y = pre.loc[ok, c].to_numpy(), post.loc[ok, c].to_numpy()
        n, d = len(x), y - x
        row = t.loc[c]
        assert row["n"] == n == (pilot["3x10d"]["occasion"] == "12m").sum()   # no item missing
        assert row["mean_change"] == pytest.approx(d.mean(), abs=1e-12)
        ref = stats.ttest_rel(y, x)
        assert row["t"] == pytest.approx(ref.statistic, rel=1e-12)
        assert row["p_t"] == pytest.approx(ref.pvalue, rel=1e-12)
        assert row["p_wilcoxon"] == pytest.approx(stats.wilcoxon(d).pvalue, rel=1e-12)
        lo, hi = pg.ttest(y, x, paired=True)["CI95"].iloc[0]          # pingouin rounds to 2 decimals
        assert (row["ci_low"], row["ci_high"]) == pytest.approx((lo, hi), abs=0.005)
        d_av = d.mean() / ((x.std(ddof=1) + y.std(ddof=1)) / 2)      # Cumming (2012)
        assert row["g_av"] == pytest.approx(d_av * (1 - 3 / (4 * (n - 1) - 1)), rel=1e-12)
        assert row["srm"] == pytest.approx(d.mean() / d.std(ddof=1), rel=1e-12)


def test_t_interval_coverage_on_known_truth():
    """300 samples of 33 pairs with true mean change 0.8: coverage 95 % ± 3·√(.95·.05/300)."""
    rng = np.random.default_rng(9)
    hits = 0
    for _ in range(300):
        pre = rng.normal(5, 2, 33)
        post = pre + 0.8 + rng.normal(0, 1.5, 33)
        res = ch.paired_change(pd.DataFrame({"s": pre}), pd.DataFrame({"s": post})).iloc[0]
        hits += res["ci_low"] <= 0.8 <= res["ci_high"]
    assert abs(hits / 300 - 0.95) < 3 * np.sqrt(0.95 * 0.05 / 300)


def test_reliable_change_and_classification():
    pre = pd.DataFrame({"a": [4.0, 5, 6, np.nan], "b": [2.0, 8, 5, 5]}, index=list("wxyz"))
    post = pd.DataFrame({"a": [8.0, 5, 2, 3], "b": [3.0, 2, 5, 9]}, index=list("wxyz"))
    rci = ch.reliable_change(pre, post, sd={"a": 2.0, "b": 1.5}, reliability=0.8)
    sem_a, sem_b = 2 * np.sqrt(0.2), 1.5 * np.sqrt(0.2)        # Jacobson & Truax (1991)
    assert rci.loc["w", "a"] == pytest.approx(4 / (np.sqrt(2) * sem_a))
    assert rci.loc["x", "b"] == pytest.approx(-6 / (np.sqrt(2) * sem_b))
    assert np.isnan(rci.loc["z", "a"])
    cls = ch.classify_rci(rci)
    assert cls["a"].tolist()[:3] == ["improved", "unchanged", "deteriorated"] and pd.isna(cls.loc["z", "a"])
    assert ch.classify_rci(rci, higher_is_better=False).loc["w", "a"] == "deteriorated"
    # threshold is strict: |RCI| = 1.96 exactly is not reliable
    assert ch.classify_rci(pd.DataFrame({"s": [1.96]})).iloc[0, 0] == "unchanged"
    with pytest.raises(ValueError, match="reliability"):
        ch.reliable_change(pre, post, sd=2, reliability=1.0)
    with pytest.raises(KeyError, match="'b'"):
        ch.reliable_change(pre, post, sd={"a": 2.0}, reliability=0.8)




def test_responsiveness_on_pilot(pilot):
    pre, post = ch.wide_pair(pilot["3x10d"], SAT, "baseline", "12m")
    anchor = pilot["anchor"].set_index("respondent_id")["anchor"]
    t = ch.responsiveness(post - pre, anchor)
    assert t.columns[0] == "score" and isinstance(t.index, pd.RangeIndex)
    t = t.set_index("score")
    c = "sat_life_overall"
    pair = pd.concat([(post - pre)[c], anchor], axis=1).dropna()
    ref = stats.spearmanr(pair[c], pair["anchor"])
    assert t.loc[c, "r"] == pytest.approx(ref.statistic, abs=1e-12)
    imp = pair["anchor"] >= 1
    assert t.loc[c, "n_improved"] == imp.sum()
    u = stats.mannwhitneyu(pair.loc[imp, c], pair.loc[~imp, c]).statistic
    assert t.loc[c, "auc"] == pytest.approx(u / (imp.sum() * (~imp).sum()))


def test_responsiveness_recovers_anchor_relation_large_n():
    """With many clients the anchor follows mean latent change, so the change in the
    domains that improve most must discriminate improved from not improved (AUC > 0.6)."""
    p = syn.pilot(5, n_clients=3000)
    pre, post = ch.wide_pair(p["3x10d"], SAT, "baseline", "12m")
    t = ch.responsiveness(post - pre, p["anchor"].set_index("respondent_id")["anchor"]).set_index("score")
    assert (t.loc[["sat_housing", "sat_daily_coping", "sat_life_overall"], "auc"] > 0.6).all()
    assert (t["r"] > 0).all()


def test_attrition(pilot):
    a = ch.attrition(pilot["3x10d"], SAT, OCC)
    assert a.counts["occasion"].tolist() == list(OCC) and a.baseline["score"].tolist() == SAT
    counts, baseline = a.counts.set_index("occasion"), a.baseline.set_index("score")
    long = pilot["3x10d"]
    for occ in ("baseline", "6m", "12m"):
        assert counts.loc[occ, "n"] == (long["occasion"] == occ).sum()
    assert counts.loc["baseline", "pct_of_first"] == 100
    completers = set(long.loc[long.occasion == "12m", "respondent_id"])
    base = long[long.occasion == "baseline"].set_index("respondent_id")
    row = baseline.loc["sat_health"]
    assert row["n_completers"] + row["n_dropouts"] == 33
    assert row["mean_completers"] == pytest.approx(base.loc[list(completers), "sat_health"].astype(float).mean())
    with pytest.raises(ValueError, match="3m"):
        ch.attrition(long.assign(occasion=long["occasion"].replace("6m", "3m")), SAT, OCC)
