"""Timings: WLSMV for ordered items vs lavaan (``estimator = "WLSMV"``), in the same run.

Data: the synthetic generator of ``tests/fixtures/data/make_ordinal_skewed.py`` (ten skewed
1–5 items, 5 % missing in three of them, so lavaan's listwise default keeps ~83 % of the
rows), n = 900, seeded; for invariance the rows are split into two halves (``half``).

* One-factor CFA: Python times ``cfa(data, model, ordered=True)`` — polychoric thresholds
  and correlations, their asymptotic covariance (Gamma), the DWLS fit, robust SEs, the
  scaled-shifted test and every fit measure; R times ``fitMeasures(cfa(model, data =
  x, ordered = TRUE, estimator = "WLSMV"))``, which does the same work.
* Ordinal invariance: Python times ``invariance(data, model, "half", ordered=True)``
  (four steps and three Satorra-2000 difference tests); R times the same four
  ``semTools::measEq.syntax`` models fitted by lavaan, their ``fitMeasures`` and the three
  ``lavTestLRT`` calls.

Both sides: the best of five repetitions with the data in memory (R inside one Rscript
process with ``system.time``; start-up and reading excluded).
"""
from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np
from bench_polychoric import _generator  # the same seeded skewed items

from analysis.stats.sem import cfa, invariance

ROOT = Path(__file__).resolve().parents[1]
REPEAT = 5
MODEL = "f =~ " + " + ".join(f"q{i}" for i in range(1, 11))
TWO = ("f1 =~ " + " + ".join(f"q{i}" for i in range(1, 6)) + "\nf2 =~ "
       + " + ".join(f"q{i}" for i in range(6, 11)))

R_SCRIPT = """
suppressPackageStartupMessages({{library(lavaan); library(semTools)}})
x <- read.csv("{csv}")
best <- function(expr) min(replicate({repeat}, system.time(eval(expr))[["elapsed"]]))
one <- best(quote(fitMeasures(cfa("{model}", data = x, ordered = TRUE, estimator = "WLSMV"))))
steps <- list("", "thresholds", c("thresholds", "loadings"),
              c("thresholds", "loadings", "intercepts"))
inv <- best(quote({{
  fits <- lapply(steps, function(ge) {{
    syn <- as.character(measEq.syntax("{two}", data = x, ordered = paste0("q", 1:10),
      parameterization = "delta", ID.fac = "std.lv", ID.cat = "Wu.Estabrook.2016",
      group = "half", group.equal = ge))
    f <- cfa(syn, data = x, group = "half", ordered = paste0("q", 1:10), estimator = "WLSMV")
    fitMeasures(f); f
  }})
  for (i in 2:4) lavTestLRT(fits[[i - 1]], fits[[i]])
}}))
cat(one, inv, "\\n")
"""




def _best(func) -> float:
    times = []
    for _ in range(REPEAT):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return min(times)


def _r_seconds(csv: Path) -> list[float]:
    script = R_SCRIPT.format(csv=csv, repeat=REPEAT, model=MODEL,
                             two=TWO.replace("\n", "\\n"))
    out = subprocess.run(["Rscript", "-e", script], capture_output=True, text=True, check=True)
    return [float(v) for v in out.stdout.split()]


def run() -> list[dict]:
    data = _generator()(seed=2026, n=900)
    data["half"] = np.repeat(["first", "second"], len(data) // 2)
    n_used = len(data.dropna())
    r_one = r_inv = None
    if shutil.which("Rscript"):
        with tempfile.TemporaryDirectory() as tmp:
            csv = Path(tmp) / "ordinal.csv"
            data.to_csv(csv, index=False)
            r_one, r_inv = _r_seconds(csv)
    note = (f"{n_used} complete rows (listwise); best of {REPEAT}; lavaan 0.6.14 timed inside "
            "R, start-up excluded")
    return [
        {"task": "WLSMV one-factor CFA (10 ordered items: polychoric, Gamma, DWLS, "
                 "robust SE, scaled-shifted test)", "n": len(data),
         "python_s": _best(lambda: cfa(data, MODEL, ordered=True)), "r_s": r_one, "note": note},
        {"task": "ordinal invariance, 2 groups (4 semTools steps + 3 lavTestLRT)",
         "n": len(data), "python_s": _best(lambda: invariance(data, TWO, "half", ordered=True)),
         "r_s": r_inv, "note": note},
    ]


if __name__ == "__main__":
    for row in run():
        print(row)
