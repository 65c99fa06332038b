"""analysis.service_use against R (wilcox.test, binom.test), pingouin and hand computations."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import analysis.study.service_use as su

HERE = Path(__file__).resolve().parent
DATA = pd.read_csv(HERE / "fixtures" / "data" / "service_use_2026.csv")
R = {r["service_type"]: r for r in json.loads((HERE / "fixtures" / "r" / "service_use.json").read_text())}


@pytest.fixture(scope="module")
def table():
    return su.service_use_change(DATA, n_boot=500, seed=7).set_index("service_type")


def test_agrees_with_r(table):
    # Same formulas in double precision: agreement to 1e-9 relative (R prints 15 digits).
    assert list(table.index) == list(R)
    for service, ref in R.items():
        row = table.loc[service]
        for col in ("n", "total_before", "total_after", "mean_before", "sd_before", "mean_after",
                    "sd_after", "p_wilcoxon", "p_sign"):
            assert row[col] == pytest.approx(ref[col], rel=1e-9), (service, col)


def test_rank_biserial_from_r_statistic(table):
    # T+ + T- is the sum of ranks 1..m of the m non-zero differences, so r = 2 V / (m(m+1)/2) - 1.
    wide = DATA.pivot_table(index="respondent_id", columns=["period", "service_type"], values="visits")
    for service, ref in R.items():
        if service == "all_services":
            d = wide["after"].sum(axis=1) - wide["before"].sum(axis=1)
        else:
            d = wide[("after", service)] - wide[("before", service)]
        m = int((d != 0).sum())
        assert table.loc[service, "rank_biserial"] == pytest.approx(2 * ref["V"] / (m * (m + 1) / 2) - 1,
                                                                     abs=1e-12)


def test_hand_example():
    # Three clients, one service: before 4, 2, 0; after 2, 2, 3 -> totals 6 and 7, RR 7/6;
    # differences -2, 0, +3 -> zero dropped, ranks 1 (|-2|), 2 (|3|): r = (2 - 1) / 3.
    long = pd.DataFrame({"respondent_id": list("aabbcc"), "period": ["before", "after"] * 3,
                         "service_type": "doctor", "visits": [4, 2, 2, 2, 0, 3]})
    row = su.service_use_change(long, n_boot=100, seed=1).iloc[0]
    assert (row["total_before"], row["total_after"]) == (6, 7)
    assert row["rate_ratio"] == pytest.approx(7 / 6)
    assert row["mean_before"] == pytest.approx(2.0) and row["sd_before"] == pytest.approx(2.0)
    assert row["rank_biserial"] == pytest.approx(1 / 3)
    assert row["p_sign"] == pytest.approx(1.0)          # one up, one down
    # a zero difference -> normal approximation (as R): T+ = 2, m = 2 -> z = (2 - 1.5) / sqrt(1.25)
    assert row["p_wilcoxon"] == pytest.approx(2 * stats.norm.sf(0.5 / np.sqrt(1.25)))


def test_exact_signed_rank_without_zeros_or_ties():
    # d = +1, +2, +3: T+ = 6 is the largest of 2^3 equally likely sign patterns -> p = 2/8.
    long = pd.DataFrame({"respondent_id": list("aabbcc"), "period": ["before", "after"] * 3,
                         "service_type": "nurse", "visits": [1, 2, 1, 3, 1, 4]})
    assert su.service_use_change(long, n_boot=50).loc[0, "p_wilcoxon"] == pytest.approx(0.25)


def test_hand_tie_corrected_normal_approximation(table):
    # The signed-rank p with tied |d| (nurse): z = (T+ - m(m+1)/4) / sqrt(m(m+1)(2m+1)/24 - sum(t^3-t)/48)
    wide = DATA.pivot_table(index="respondent_id", columns=["period", "service_type"], values="visits")
    d = (wide[("after", "nurse")] - wide[("before", "nurse")]).to_numpy()
    d = d[d != 0]
    m = len(d)
    ranks = stats.rankdata(np.abs(d))
    t = np.unique(np.abs(d), return_counts=True)[1]
    var = m * (m + 1) * (2 * m + 1) / 24 - (t**3 - t).sum() / 48
    z = (ranks[d > 0].sum() - m * (m + 1) / 4) / np.sqrt(var)
    assert table.loc["nurse", "p_wilcoxon"] == pytest.approx(2 * stats.norm.sf(abs(z)), rel=1e-12)


def test_total_row_is_sum_over_services(table):
    services = table.drop(index="all_services")
    assert table.loc["all_services", "total_before"] == services["total_before"].sum()
    # means are per client who used the service: their sums n·mean add up, the means do not
    assert (table.loc["all_services", "n"] * table.loc["all_services", "mean_after"]
            == pytest.approx((services["n"] * services["mean_after"]).sum()))
    assert (services["n"] <= table.loc["all_services", "n"]).all()


def test_bootstrap_interval_matches_delta_method():
    # Large paired sample with client frailty: the percentile interval of the ratio of totals
    # approaches exp(log RR ± 1.96 SE), SE² = var(a)/(n ā²) + var(b)/(n b̄²) − 2 cov(a,b)/(n ā b̄).
    # n = 3000, 4000 resamples: the Monte Carlo error of an endpoint is < 0.003 on the log scale.
    rng = np.random.default_rng(11)
    n = 3000
    frailty = rng.gamma(2.0, 0.5, n)
    b, a = rng.poisson(frailty * 3.0), rng.poisson(frailty * 2.4)
    ids = [f"c{i}" for i in range(n)]
    long = pd.concat([pd.DataFrame({"respondent_id": ids, "period": p, "service_type": "nurse", "visits": v})
                      for p, v in (("before", b), ("after", a))], ignore_index=True)
    row = su.service_use_change(long, n_boot=4000, seed=5).iloc[0]
    mb, ma = b.mean(), a.mean()
    cov = np.cov(a, b)
    se = np.sqrt(cov[0, 0] / (n * ma**2) + cov[1, 1] / (n * mb**2) - 2 * cov[0, 1] / (n * ma * mb))
    z = stats.norm.ppf(0.975)
    assert np.log(row["rr_ci_low"]) == pytest.approx(np.log(ma / mb) - z * se, abs=0.006)
    assert np.log(row["rr_ci_high"]) == pytest.approx(np.log(ma / mb) + z * se, abs=0.006)


def test_seeded_and_deterministic():
    t1 = su.service_use_change(DATA, n_boot=300, seed=1)
    t2 = su.service_use_change(DATA, n_boot=300, seed=1)
    t3 = su.service_use_change(DATA, n_boot=300, seed=2)
    pd.testing.assert_frame_equal(t1, t2)
    assert not np.allclose(t1["rr_ci_low"], t3["rr_ci_low"])
    assert ((t1["rr_ci_low"] <= t1["rate_ratio"]) & (t1["rate_ratio"] <= t1["rr_ci_high"])).all()


def test_no_change_gives_missing_tests_and_zero_total_missing_ratio():
    long = pd.DataFrame({"respondent_id": list("aabb"), "period": ["before", "after"] * 2,
                         "service_type": "substance_abuse", "visits": [0, 0, 0, 0]})
    row = su.service_use_change(long, n_boot=50).iloc[0]
    assert np.isnan(row["rate_ratio"]) and np.isnan(row["p_wilcoxon"]) and np.isnan(row["rank_biserial"])


def test_bad_input_named_in_one_error():
    bad = DATA.head(6).copy()
    bad.index = range(2, 8)                      # file rows, header = row 1
    bad.loc[3, "period"] = "later"
    bad.loc[4, "visits"] = -1
    with pytest.raises(ValueError) as err:
        su.service_use_change(bad)
    msg = str(err.value)
    assert "row 3, column 'period': value 'later'" in msg and "row 4, column 'visits': value -1" in msg


def test_missing_period_row_is_named_and_its_pair_left_out():
    # e.g. the 'after' row was rejected at intake: the rest is reported, the pair named
    long = pd.DataFrame({"respondent_id": ["a", "a", "b", "c", "c"], "period": ["before", "after", "before", "before", "after"],
                         "service_type": "nurse", "visits": [1, 2, 3, 0, 4]})
    with pytest.warns(UserWarning, match="respondent 'b', service 'nurse' has no 'after' row"):
        res = su.service_use_change(long, n_boot=200, seed=1)
    row = res.set_index("service_type").loc["nurse"]
    assert row["n"] == 2 and row["total_before"] == 1 and row["total_after"] == 6
    dup = pd.concat([long, long.tail(1)])
    with pytest.raises(ValueError, match="occurs more than once"):
        su.service_use_change(dup)


def test_chart_means(table):
    means = su.chart_means(table.reset_index())
    assert "all_services" not in means.index
    assert means.loc["mental_health", "after"] == pytest.approx(R["mental_health"]["mean_after"])
