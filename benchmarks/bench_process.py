"""Timing: identification of clients who use many services on 10⁷ register visits (issue 20).

Not part of the test suite (``python benchmarks/bench_process.py``; minutes and ~2–3 GB).

10⁷ visits of 500 000 persons (7 service types, 2015–2016) are generated, seeded, as 20
Parquet files in a temporary folder (a register extract on disk) and identified three ways in
the same run, each timed end to end including reading the files:

* **pandas**: all files read into one frame, then :func:`analysis.study.process.identify`;
* **dask**: the files read lazily as 20 partitions, the same partition-local summary per
  partition and the merge (:mod:`analysis.stats.partitions`; local threaded scheduler);
* **baseline**: the same criteria as a plain pandas ``groupby`` on one frame (filter the window
  and the services, map sectors, ``groupby(person).agg(size, nunique)``) — no accounting of
  the visits, no per-service table.

The identified persons of the three are checked equal before the timings are printed.
"""
from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

N_VISITS, N_PERSONS, N_FILES = 10_000_000, 500_000, 20
SERVICES = ["nurse", "doctor", "social_work", "mental_health", "substance_abuse", "youth_services", "dental"]
SECTORS = {"nurse": "health", "doctor": "health", "social_work": "social", "substance_abuse": "social"}


def _write(folder: Path) -> None:
    rng = np.random.default_rng(2026)
    ids = np.array([f"r{k:06d}" for k in range(N_PERSONS)], dtype=object)
    weight = rng.gamma(0.5, 2.0, N_PERSONS)
    weight /= weight.sum()
    start = np.datetime64("2015-01-01")
    per_file = N_VISITS // N_FILES
    for f in range(N_FILES):
        pd.DataFrame({"respondent_id": ids[rng.choice(N_PERSONS, per_file, p=weight)],
                      "visit_date": start + rng.integers(0, 730, per_file).astype("timedelta64[D]"),
                      "service_type": np.array(SERVICES, dtype=object)[rng.integers(0, len(SERVICES), per_file)]}
                     ).to_parquet(folder / f"{f:02d}.parquet", index=False)


def main() -> None:
    import dask.dataframe as dd

    from analysis.intake.process import IdentificationSpec
    from analysis.study.process import identify

    spec = IdentificationSpec(window_months=12, min_visits=30, min_sectors=3, services=tuple(SERVICES[:-1]),
                              sectors=SECTORS, end=pd.Timestamp("2016-12-31").date())
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        t0 = time.perf_counter()
        _write(folder)
        print(f"generated {N_VISITS:,} visits of {N_PERSONS:,} persons in {time.perf_counter() - t0:.1f} s",
              file=sys.stderr)
        files = sorted(str(p) for p in folder.glob("*.parquet"))

        t0 = time.perf_counter()
        plain = identify(pd.concat([pd.read_parquet(f) for f in files], ignore_index=True), spec)
        t_pandas = time.perf_counter() - t0

        t0 = time.perf_counter()
        parts = identify(dd.read_parquet(files), spec)
        t_dask = time.perf_counter() - t0

        t0 = time.perf_counter()
        v = pd.concat([pd.read_parquet(f) for f in files], ignore_index=True)
        win = v[(v["visit_date"] >= "2016-01-01") & (v["visit_date"] <= "2016-12-31") & (v["service_type"] != "dental")]
        win = win.assign(sector=win["service_type"].map(lambda s: SECTORS.get(s, s)))
        per = win.groupby("respondent_id").agg(visits=("sector", "size"), sectors=("sector", "nunique"))
        baseline = sorted(per.index[(per["visits"] >= spec.min_visits) & (per["sectors"] >= spec.min_sectors)])
        t_base = time.perf_counter() - t0

    ours = plain.persons.loc[plain.persons["identified"], "respondent_id"].tolist()
    assert ours == parts.persons.loc[parts.persons["identified"], "respondent_id"].tolist() == baseline
    pd.testing.assert_frame_equal(plain.persons, parts.persons)
    print(f"identified {len(ours):,} of {plain.n_persons:,} persons; visits read {plain.visits_read:,}")
    print(f"| identify, pandas | {t_pandas:.1f} s |\n| identify, dask (20 partitions) | {t_dask:.1f} s |\n"
          f"| plain pandas groupby (baseline) | {t_base:.1f} s |")


if __name__ == "__main__":
    main()
