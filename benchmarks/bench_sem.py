"""Timings: one-factor CFA (ML, MLR), invariance sequences (2 and 3 groups) and FIML CFA
(ML, MLR) vs lavaan, measured in alternating rounds.

Data: the synthetic 3X10D generator of ``tests/fixtures/data/make_domains10.py`` (ten
0–10 items, gender; a seeded three-level ``site`` is added for the 3-group case) for the
complete-data tasks and that of ``tests/fixtures/data/make_survey_missing.py`` (the same
items, ~30 % incomplete rows) for FIML, n = 900 and n = 100 000, seeded.

Python times ``analysis.stats.sem.cfa`` / ``invariance`` (data already in memory); R times
``lavaan::cfa`` inside R with ``system.time`` around the fitting only (three fits for
invariance; ``fitMeasures`` included on both sides since our ``cfa`` always computes
them, which with FIML includes lavaan's robust FIML-corrected indices). The machine is
shared, so the two sides alternate: each round runs R (every task ``k`` times after one
warm-up call, in one R process) and then Python (likewise); the row gives the median over
rounds of each side's per-round median and the note the range and the load average.
R start-up plus loading lavaan is timed separately and not included.
``BENCH_SEM_ROUNDS`` (default 3) sets the rounds; n = 100 000 runs only the ML tasks
(FIML/MLR rows at that n are kept from earlier runs by ``run.py``).
"""
from __future__ import annotations

import importlib.util
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from analysis.stats.sem import cfa, invariance

ROOT = Path(__file__).resolve().parent.parent
ITEMS = ["sat_health", "sat_resilience", "sat_housing", "sat_daily_coping", "sat_family",
         "sat_friends", "sat_finances", "sat_strengths", "sat_self_esteem", "sat_life_overall"]
ONE = "wellbeing =~ " + " + ".join(ITEMS)
TWO = ("personal =~ sat_health + sat_resilience + sat_daily_coping + sat_strengths + "
       "sat_self_esteem + sat_life_overall\nsocial =~ sat_housing + sat_family + sat_friends + "
       "sat_finances")
LABELS = {"cfa_ml": "one-factor CFA, ML (10 items)",
          "cfa_mlr": "one-factor CFA, MLR (10 items)",
          "invariance": "invariance configural+metric+scalar, ML (2 groups)",
          "invariance3": "invariance configural+metric+scalar, ML (3 groups)",
          "fiml_ml": "one-factor CFA, FIML ML (10 items, {share} rows incomplete)",
          "fiml_mlr": "one-factor CFA, FIML MLR (10 items, {share} rows incomplete)"}
R_TASKS = {
    "cfa_ml": "fitMeasures(cfa(m1, data = x))",
    "cfa_mlr": "fitMeasures(cfa(m1, data = x, estimator = 'MLR'))",
    "invariance": ("for (ge in list('', 'loadings', c('loadings', 'intercepts'))) "
                   "fitMeasures(cfa(m2, data = x, group = 'gender', group.equal = ge))"),
    "invariance3": ("for (ge in list('', 'loadings', c('loadings', 'intercepts'))) "
                    "fitMeasures(cfa(m2, data = x, group = 'site', group.equal = ge))"),
    "fiml_ml": "fitMeasures(cfa(m1, data = y, missing = 'ml'))",
    "fiml_mlr": "fitMeasures(cfa(m1, data = y, missing = 'ml', estimator = 'MLR'))",
}


def _make(n: int, generator: str = "make_domains10"):
    spec = importlib.util.spec_from_file_location(
        generator, ROOT / f"tests/fixtures/data/{generator}.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    data = mod.make(seed=2026, n=n)
    if generator == "make_domains10":
        site = np.random.default_rng(7).choice(np.array(["north", "centre", "south"]), size=n)
        data = data.assign(site=site)
    return data


def _python(tasks: dict, k: int) -> dict[str, float]:
    """Median seconds of ``k`` calls of each task, after one warm-up call."""
    out = {}
    for key, func in tasks.items():
        func()
        times = []
        for _ in range(k):
            start = time.perf_counter()
            func()
            times.append(time.perf_counter() - start)
        out[key] = statistics.median(times)
    return out


def _r(csv: Path, csv_missing: Path, keys: list[str], k: int) -> dict[str, float]:
    """Median seconds of ``k`` calls of each task inside one R process, after a warm-up."""
    m1, m2 = ONE.replace("\n", "; "), TWO.replace("\n", "; ")
    body = "; ".join(
        f"invisible({R_TASKS[key]}); "
        f"cat('{key}', median(replicate({k}, system.time({R_TASKS[key]})[['elapsed']])), '\\n')"
        for key in keys)
    script = (f"suppressPackageStartupMessages(library(lavaan)); x <- read.csv('{csv}'); "
              f"y <- read.csv('{csv_missing}'); m1 <- '{m1}'; m2 <- '{m2}'; {body}")
    out = subprocess.run(["Rscript", "-e", script], capture_output=True, text=True, check=True)
    return {line.split()[0]: float(line.split()[1]) for line in out.stdout.splitlines()}


def _startup() -> float:
    start = time.perf_counter()
    subprocess.run(["Rscript", "-e", "suppressPackageStartupMessages(library(lavaan))"],
                   check=True, capture_output=True)
    return time.perf_counter() - start


def run() -> list[dict]:
    rows = []
    have_r = shutil.which("Rscript") is not None
    rounds = int(os.environ.get("BENCH_SEM_ROUNDS", 3))
    startup = _startup() if have_r else None
    for n in (900, 100_000):
        data = _make(n)
        incomplete = _make(n, "make_survey_missing")
        share = f"{incomplete[ITEMS].isna().any(axis=1).mean():.0%}"
        tasks = {"cfa_ml": lambda: cfa(data, ONE),
                 "cfa_mlr": lambda: cfa(data, ONE, estimator="MLR"),
                 "invariance": lambda: invariance(data, TWO, "gender"),
                 "invariance3": lambda: invariance(data, TWO, "site"),
                 "fiml_ml": lambda: cfa(incomplete, ONE, missing="ml"),
                 "fiml_mlr": lambda: cfa(incomplete, ONE, missing="ml", estimator="MLR")}
        if n > 900:
            tasks = {key: tasks[key] for key in ("cfa_ml", "invariance", "invariance3")}
        k = 5 if n == 900 else 3
        py: dict[str, list[float]] = {key: [] for key in tasks}
        rr: dict[str, list[float]] = {key: [] for key in tasks}
        load = [os.getloadavg()[0]]
        with tempfile.TemporaryDirectory() as tmp:
            csv, csv_missing = Path(tmp) / "domains.csv", Path(tmp) / "missing.csv"
            data.to_csv(csv, index=False)
            incomplete.to_csv(csv_missing, index=False)
            for _ in range(rounds):            # alternate, so both sides see the same load
                if have_r:
                    for key, s in _r(csv, csv_missing, list(tasks), k).items():
                        rr[key].append(s)
                for key, s in _python(tasks, k).items():
                    py[key].append(s)
                load.append(os.getloadavg()[0])
        for key in tasks:
            note = (f"lavaan 0.6.14 timed inside R (fit + fitMeasures); {rounds} alternating "
                    f"rounds, median of {k} calls each after a warm-up: Python "
                    f"{min(py[key]):.3f}–{max(py[key]):.3f} s")
            if rr[key]:
                note += f", R {min(rr[key]):.3f}–{max(rr[key]):.3f} s"
            note += f"; 1-min load average {min(load):.1f}–{max(load):.1f}"
            if startup is not None:
                note += f"; R start-up + library(lavaan) {startup:.2f} s not included"
            rows.append({"task": LABELS[key].format(share=share), "n": n,
                         "python_s": statistics.median(py[key]),
                         "r_s": statistics.median(rr[key]) if rr[key] else None, "note": note})
            print(rows[-1], file=sys.stderr)
    return rows


if __name__ == "__main__":
    for row in run():
        print(row)
