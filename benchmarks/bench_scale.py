"""Timings and peak memory: visit windows and norm tables at 10⁷ rows, pandas vs dask vs baseline.

Every case runs in its own Python process (``python bench_scale.py <case> <dir>``) so that its
peak resident memory (``ru_maxrss``) is its own; the process prints seconds, peak MiB and the
resident MiB when timing began ("start": for visits before they are read, for norms with the
generated data already in memory). Data are generated on the fly, seeded, in a
temporary folder deleted afterwards; nothing large is committed.

* **Visits**: 10⁷ visits of 200 000 clients (8 service types, 2020–2024) written as 20 Parquet
  files (a register extract on disk), and each client's plan date. pandas reads all files and
  calls :func:`visit_windows` on one frame; dask reads them lazily as 20 partitions and runs
  the same summary per partition (local threaded scheduler, 2 cores) — timed end to end
  including reading. Both results are checked equal before timings are reported.
* **Norms**: 10⁷ persons × 10 integer 0–10 items (3X10D-like), age group × gender, survey
  weight, generated in memory (not timed). Ours: :func:`norm_counts` + :func:`norm_table`
  (weighted percentile ranks, linear and normalised T for every raw value, 9 cells + whole
  sample). Baseline: plain pandas ``groupby(...)[items].quantile([.1, .25, .5, .75, .9])``
  with ``mean``/``std`` — unweighted and only five quantiles, i.e. less than the norm table.
"""
from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

N_VISITS, N_CLIENTS, N_FILES = 10_000_000, 200_000, 20
N_PERSONS = 10_000_000
ITEMS = [f"sat_{k}" for k in range(1, 11)]


def _rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _write_visits(folder: Path) -> None:
    rng = np.random.default_rng(2026)
    ids = np.array([f"c{k:06d}" for k in range(N_CLIENTS)], dtype=object)
    services = np.array(["nurse", "doctor", "social_work", "mental_health", "substance_abuse",
                         "youth_services", "dentist", "physiotherapy"], dtype=object)
    start = np.datetime64("2020-01-01")
    (folder / "visits").mkdir()
    per_file = N_VISITS // N_FILES
    for f in range(N_FILES):
        pd.DataFrame({"respondent_id": ids[rng.integers(0, N_CLIENTS, per_file)],
                      "visit_date": start + rng.integers(0, 5 * 365, per_file).astype("timedelta64[D]"),
                      "service_type": services[rng.integers(0, len(services), per_file)]}
                     ).to_parquet(folder / "visits" / f"{f:02d}.parquet", index=False)
    pd.DataFrame({"respondent_id": ids,
                  "plan_date": start + rng.integers(365, 4 * 365, N_CLIENTS).astype("timedelta64[D]")}
                 ).to_parquet(folder / "plans.parquet", index=False)


def _norm_data() -> pd.DataFrame:
    rng = np.random.default_rng(2026)
    level = rng.normal(6.5, 1.5, N_PERSONS)
    data = {k: np.clip(np.round(level + rng.normal(0, 1.5, N_PERSONS)), 0, 10) for k in ITEMS}
    data["age_group"] = pd.Categorical.from_codes(rng.integers(0, 3, N_PERSONS), ["16-19", "20-24", "25-29"])
    data["gender"] = pd.Categorical.from_codes(rng.choice(3, N_PERSONS, p=[0.48, 0.48, 0.04]), ["female", "male", "other"])
    data["weight"] = rng.gamma(4.0, 0.25, N_PERSONS)
    return pd.DataFrame(data)


def case(name: str, folder: Path) -> dict:
    """Run one case in this process; returns seconds, peak MiB and MiB resident when timing began."""
    from analysis.stats.norms import norm_counts, norm_table
    from analysis.study.service_use import visit_windows

    if name.startswith("visits"):
        plans = pd.read_parquet(folder / "plans.parquet")
        files = sorted(str(p) for p in (folder / "visits").glob("*.parquet"))
        base = _rss_mib()
        t = time.perf_counter()
        if name == "visits_pandas":
            res = visit_windows(pd.concat(map(pd.read_parquet, files), ignore_index=True), plans)
        else:
            import dask
            import dask.dataframe as dd
            with dask.config.set(scheduler="threads"):
                res = visit_windows(dd.read_parquet(files), plans)
        seconds = time.perf_counter() - t
        res.counts.to_parquet(folder / f"{name}_counts.parquet")
        out = {"visits_read": res.visits_read, "counted": res.visits_counted}
    else:
        data = _norm_data()
        base = _rss_mib()
        t = time.perf_counter()
        if name == "norms_counts":
            table = norm_table(norm_counts(data, ITEMS, weight="weight"), suppress=False)
            out = {"rows": len(table)}
        else:
            grouped = data.groupby(["age_group", "gender"], observed=True)[ITEMS]
            table = pd.concat([grouped.quantile([0.1, 0.25, 0.5, 0.75, 0.9]), grouped.mean(), grouped.std()])
            out = {"rows": len(table)}
        seconds = time.perf_counter() - t
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"seconds": seconds, "peak_mib": peak, "start_mib": base, **out}


def _child(name: str, folder: Path) -> dict:
    out = subprocess.run([sys.executable, __file__, name, str(folder)], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _mem(r: dict) -> str:
    return f"{r['peak_mib']:,.0f} (start {r['start_mib']:,.0f})"


def run() -> list[dict]:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        _write_visits(folder)
        pandas_v, dask_v = _child("visits_pandas", folder), _child("visits_dask", folder)
        pd.testing.assert_frame_equal(pd.read_parquet(folder / "visits_pandas_counts.parquet"),
                                      pd.read_parquet(folder / "visits_dask_counts.parquet"), check_exact=True)
        assert pandas_v["visits_read"] == dask_v["visits_read"] == N_VISITS
        counts, base = _child("norms_counts", folder), _child("norms_baseline", folder)
    return [
        {"task": "visit windows 6 + 6 months (read Parquet + count)", "n": N_VISITS,
         "python_s": pandas_v["seconds"], "peer": "dask local, 20 partitions", "peer_s": dask_v["seconds"],
         "python_mem": _mem(pandas_v), "peer_mem": _mem(dask_v),
         "note": f"Python = pandas, one frame; {N_CLIENTS:,} clients, 8 services; results equal; "
                 f"{pandas_v['counted']:,} visits in complete windows"},
        {"task": "weighted norm table, 10 items × 9 cells (from counts)", "n": N_PERSONS,
         "python_s": counts["seconds"], "peer": "pandas groupby quantile/mean/std", "peer_s": base["seconds"],
         "python_mem": _mem(counts), "peer_mem": _mem(base),
         "note": f"ours: every raw value 0–10, weighted PR + T ({counts['rows']:,} rows); baseline: "
                 "5 unweighted quantiles + mean + SD per cell"},
    ]


if __name__ == "__main__":
    print(json.dumps(case(sys.argv[1], Path(sys.argv[2]))))
