"""Timings: one-factor CFA (ML, MLR), the three-step invariance sequence and FIML CFA
(ML, MLR) vs lavaan.

Data: the synthetic 3X10D generator of ``tests/fixtures/data/make_domains10.py`` (ten
0–10 items, gender) for the complete-data tasks and that of
``tests/fixtures/data/make_survey_missing.py`` (the same items, ~30 % incomplete rows) for
FIML, n = 900 and n = 100 000, seeded. Python times ``analysis.stats.sem.cfa`` /
``invariance`` (data already in memory). Where Rscript is installed the same data go to a
temporary CSV and R times ``lavaan::cfa`` with ``system.time`` around the fitting only
(three fits for invariance; ``fitMeasures`` included for both sides since our ``cfa``
always computes them, which with FIML includes lavaan's robust FIML-corrected indices);
R start-up plus loading lavaan is timed separately and reported in the note.
"""
from __future__ import annotations

import importlib.util
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from analysis.stats.sem import cfa, invariance

ROOT = Path(__file__).resolve().parent.parent
ITEMS = ["sat_health", "sat_resilience", "sat_housing", "sat_daily_coping", "sat_family",
         "sat_friends", "sat_finances", "sat_strengths", "sat_self_esteem", "sat_life_overall"]
ONE = "wellbeing =~ " + " + ".join(ITEMS)
TWO = ("personal =~ sat_health + sat_resilience + sat_daily_coping + sat_strengths + "
       "sat_self_esteem + sat_life_overall\nsocial =~ sat_housing + sat_family + sat_friends + "
       "sat_finances")


def _make(n: int, generator: str = "make_domains10"):
    spec = importlib.util.spec_from_file_location(
        generator, ROOT / f"tests/fixtures/data/{generator}.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.make(seed=2026, n=n)


def _py(func) -> float:
    start = time.perf_counter()
    func()
    return time.perf_counter() - start


R_TASKS = {
    "cfa_ml": "fitMeasures(cfa(m1, data = x))",
    "cfa_mlr": "fitMeasures(cfa(m1, data = x, estimator = 'MLR'))",
    "invariance": ("for (ge in list('', 'loadings', c('loadings', 'intercepts'))) "
                   "fitMeasures(cfa(m2, data = x, group = 'gender', group.equal = ge))"),
}
R_FIML_TASKS = {
    "fiml_ml": "fitMeasures(cfa(m1, data = x, missing = 'ml'))",
    "fiml_mlr": "fitMeasures(cfa(m1, data = x, missing = 'ml', estimator = 'MLR'))",
}


def _r(csv: Path, tasks: dict[str, str]) -> tuple[dict[str, float], float]:
    m1, m2 = ONE.replace("\n", "; "), TWO.replace("\n", "; ")
    body = "; ".join(f"cat('{k}', system.time({v})[['elapsed']], '\\n')"
                     for k, v in tasks.items())
    script = (f"suppressPackageStartupMessages(library(lavaan)); x <- read.csv('{csv}'); "
              f"m1 <- '{m1}'; m2 <- '{m2}'; {body}")
    out = subprocess.run(["Rscript", "-e", script], capture_output=True, text=True, check=True)
    times = {}
    for line in out.stdout.splitlines():
        key, val = line.split()
        times[key] = float(val)
    start = time.perf_counter()
    subprocess.run(["Rscript", "-e", "suppressPackageStartupMessages(library(lavaan))"],
                   check=True, capture_output=True)
    return times, time.perf_counter() - start


def run() -> list[dict]:
    rows = []
    have_r = shutil.which("Rscript") is not None
    for n in (900, 100_000):
        data = _make(n)
        incomplete = _make(n, "make_survey_missing")
        py = {"cfa_ml": _py(lambda: cfa(data, ONE)),
              "cfa_mlr": _py(lambda: cfa(data, ONE, estimator="MLR")),
              "invariance": _py(lambda: invariance(data, TWO, "gender")),
              "fiml_ml": _py(lambda: cfa(incomplete, ONE, missing="ml")),
              "fiml_mlr": _py(lambda: cfa(incomplete, ONE, missing="ml", estimator="MLR"))}
        r_times, startup = {}, None
        if have_r:
            with tempfile.TemporaryDirectory() as tmp:
                csv = Path(tmp) / "domains.csv"
                data.to_csv(csv, index=False)
                r_times, startup = _r(csv, R_TASKS)
                incomplete.to_csv(csv, index=False)
                r_times.update(_r(csv, R_FIML_TASKS)[0])
        share = incomplete[ITEMS].isna().any(axis=1).mean()
        labels = {"cfa_ml": "one-factor CFA, ML (10 items)",
                  "cfa_mlr": "one-factor CFA, MLR (10 items)",
                  "invariance": "invariance configural+metric+scalar, ML (2 groups)",
                  "fiml_ml": f"one-factor CFA, FIML ML (10 items, {share:.0%} rows incomplete)",
                  "fiml_mlr": f"one-factor CFA, FIML MLR (10 items, {share:.0%} rows incomplete)"}
        for key, label in labels.items():
            note = "lavaan 0.6.14 timed inside R (fit + fitMeasures)"
            if startup is not None:
                note += f"; R start-up + library(lavaan) {startup:.2f} s not included"
            rows.append({"task": label, "n": n, "python_s": py[key],
                         "r_s": r_times.get(key), "note": note})
    return rows


if __name__ == "__main__":
    for row in run():
        print(row)
