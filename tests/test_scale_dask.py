"""dask DataFrames: norm counts and visit windows computed partition by partition equal the
pandas results (skipped when dask is not installed; `make test` installs it via the test extra)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

dask = pytest.importorskip("dask")
dd = pytest.importorskip("dask.dataframe")

import analysis.study.service_use as su  # noqa: E402
from analysis.stats import norms as nm  # noqa: E402

SCHEDULERS = ["synchronous", "threads"]


def _norm_sample(n=2000, seed=5):
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({f"sat_{k}": rng.integers(0, 11, n).astype(float) for k in range(3)})
    df["domain_mean"] = df.mean(axis=1)
    df.loc[rng.random(n) < 0.05, "sat_0"] = np.nan
    df["age_group"] = rng.choice(["16-19", "20-24", "25-29"], n)
    df["gender"] = rng.choice(["female", "male", "other", None], n, p=[0.48, 0.45, 0.04, 0.03])
    df["weight"] = rng.gamma(4.0, 0.25, n)
    return df


@pytest.mark.parametrize("scheduler", SCHEDULERS)
@pytest.mark.parametrize("weight", [None, "weight"])
def test_norm_counts_and_table_from_dask_partitions(scheduler, weight):
    """Counts are integers: equal exactly. Weighted sums: the same positive weights added per
    partition and then across 7 partitions, ≤ (n − 1)·2⁻⁵³ ≈ 2e-13 relative (n = 2000).
    dask's conversion of text to pyarrow strings is off for the counts (it changes the dtype of
    the group columns, not their values); the norm table is compared with it on (the default)."""
    df = _norm_sample()
    scores = ["sat_0", "sat_1", "sat_2", "domain_mean"]
    with dask.config.set({"scheduler": scheduler, "dataframe.convert-string": False}):
        counts = nm.norm_counts(dd.from_pandas(df, npartitions=7), scores, weight=weight)
    with dask.config.set(scheduler=scheduler):
        table = nm.norm_table(dd.from_pandas(df, npartitions=7), scores, weight=weight)
    expected = nm.norm_counts(df, scores, weight=weight)
    pd.testing.assert_frame_equal(counts.drop(columns="sum_w"), expected.drop(columns="sum_w"), check_exact=True)
    pd.testing.assert_series_equal(counts["sum_w"], expected["sum_w"], check_exact=weight is None, rtol=1e-12)
    pd.testing.assert_frame_equal(table, nm.norm_table(df, scores, weight=weight),
                                  check_exact=weight is None, rtol=1e-12)


def _visits(seed=8, n=5000):
    rng = np.random.default_rng(seed)
    ids = [f"c{k:03d}" for k in range(120)]
    visits = pd.DataFrame({"respondent_id": rng.choice(ids + ["x1"], n),
                           "visit_date": pd.Timestamp("2022-01-01") + pd.to_timedelta(rng.integers(0, 1000, n), "D"),
                           "service_type": rng.choice(["nurse", "doctor", "mental_health", "dentist"], n)})
    plans = pd.DataFrame({"respondent_id": ids,
                          "plan_date": pd.Timestamp("2022-07-01") + pd.to_timedelta(rng.integers(0, 800, 120), "D")})
    return visits, plans


def _assert_same_windows(a: su.VisitWindows, b: su.VisitWindows):
    pd.testing.assert_frame_equal(a.counts, b.counts, check_exact=True)
    pd.testing.assert_frame_equal(a.clients, b.clients, check_exact=True)
    pd.testing.assert_frame_equal(a.to_frame(), b.to_frame(), check_exact=True)


@pytest.mark.parametrize("scheduler", SCHEDULERS)
def test_visit_windows_from_dask_partitions(scheduler):
    visits, plans = _visits()
    ddf = dd.from_pandas(visits, npartitions=6)          # each client's visits spread over partitions
    with dask.config.set(scheduler=scheduler):
        res = su.visit_windows(ddf, plans)
    expected = su.visit_windows(visits, plans)
    assert expected.n_incomplete > 0 and expected.visits_outside_windows > 0
    _assert_same_windows(res, expected)


def test_visit_windows_from_csv_blocks(tmp_path):
    """Visits read lazily from a CSV in small blocks (dates as text): same result as in memory."""
    visits, plans = _visits(seed=9)
    visits.assign(visit_date=visits["visit_date"].dt.strftime("%Y-%m-%d")).to_csv(tmp_path / "v.csv", index=False)
    ddf = dd.read_csv(tmp_path / "v.csv", blocksize=20_000)
    assert ddf.npartitions > 3
    with dask.config.set(scheduler="synchronous"):
        res = su.visit_windows(ddf, plans, extract_date="2024-12-31")
    _assert_same_windows(res, su.visit_windows(visits, plans, extract_date="2024-12-31"))
