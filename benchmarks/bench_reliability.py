"""Timings: Cronbach's alpha with 2000 bootstrap resamples and parallel analysis (1000 draws).

Data: synthetic one-factor 0–10 ratings, 10 items (3X10D-like), n = 900 and 100 000, seeded.
Where Rscript is installed the same data are written to a temporary CSV and R times
``psych::alpha(x, n.iter = 2000)`` and ``psych::fa.parallel(x, n.iter = 1000)`` inside R
(excluding start-up and reading). psych's fa.parallel also resamples the data and fits a
minres factor model per draw (its default ``SMC = FALSE``), so it does more work than our
SMC variant; the note says so. ``smc=False`` reproduces psych's default factor
eigenvalues (one minres fit per random matrix) and is timed too. At n = 100 000 R is
timed with fewer iterations and scaled linearly to the full count (R's cost is linear in
the iterations); the note gives both.
"""
from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.stats.reliability import cronbach_alpha
from analysis.stats.structure import parallel_analysis

N_BOOT, N_PA = 2000, 1000


def _data(n: int, seed: int = 2026) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    factor = rng.standard_normal((n, 1))
    raw = 6 + 1.5 * factor * rng.uniform(0.5, 1.0, 10) + rng.standard_normal((n, 10)) * 1.5
    return pd.DataFrame(np.clip(np.round(raw), 0, 10), columns=[f"i{j + 1}" for j in range(10)])


def _python_seconds(func) -> float:
    start = time.perf_counter()
    func()
    return time.perf_counter() - start


def _r_seconds(csv: Path, call: str) -> float:
    script = (f"suppressPackageStartupMessages(library(psych)); x <- read.csv('{csv}'); "
              f"t <- proc.time(); invisible({call}); cat((proc.time() - t)[['elapsed']])")
    out = subprocess.run(["Rscript", "-e", script], capture_output=True, text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def run() -> list[dict]:
    rows = []
    have_r = shutil.which("Rscript") is not None
    with tempfile.TemporaryDirectory() as tmp:
        for n in (900, 100_000):
            data = _data(n)
            csv = Path(tmp) / f"items_{n}.csv"
            data.to_csv(csv, index=False)
            r_boot, r_pa = (N_BOOT, N_PA) if n <= 10_000 else (100, 20)

            py = _python_seconds(lambda: cronbach_alpha(data, ci_method="bootstrap",
                                                        n_boot=N_BOOT, seed=1))
            r_s = (_r_seconds(csv, f"alpha(x, n.iter = {r_boot}, warnings = FALSE)")
                   * N_BOOT / r_boot if have_r else None)
            note = "percentile bootstrap, pairwise covariances, 10 items"
            if have_r and r_boot != N_BOOT:
                note += f"; R timed with n.iter={r_boot} and scaled ×{N_BOOT // r_boot}"
            rows.append({"task": f"alpha + {N_BOOT} bootstraps", "n": n, "python_s": py,
                         "r_s": r_s, "note": note})

            r_s = (_r_seconds(csv, f"fa.parallel(x, n.iter = {r_pa}, plot = FALSE)")
                   * N_PA / r_pa if have_r else None)
            scaled = (f"; R timed with n.iter={r_pa} and scaled ×{N_PA // r_pa}"
                      if have_r and r_pa != N_PA else "")
            for smc, what in ((True, "components + SMC factors"),
                              (False, "components + one-factor minres factors (psych's "
                                      "default SMC = FALSE)")):
                py = _python_seconds(lambda: parallel_analysis(data, n_iter=N_PA, seed=1,
                                                               smc=smc))
                rows.append({"task": f"parallel analysis {N_PA} iterations, smc={smc}",
                             "n": n, "python_s": py, "r_s": r_s,
                             "note": f"Python: Wishart draws, {what}; R: psych defaults "
                                     f"(normal data + resampling, minres factor "
                                     f"eigenvalues){scaled}"})
    return rows


if __name__ == "__main__":
    for row in run():
        print(row)
