"""The walkthrough notebook (notebooks/00_walkthrough.ipynb) as a student opens it: run top to
bottom with nbval on the shipped example data; it is a tutorial, not a report notebook."""
from __future__ import annotations

import json
import subprocess
import sys

from analysis.report.runner import NOTEBOOK_DIR, notebooks

WALKTHROUGH = NOTEBOOK_DIR / "00_walkthrough.ipynb"


def test_walkthrough_runs_as_shipped():
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "--nbval-lax", "-p", "no:xdist", "-p", "no:cacheprovider",
                           "-o", "addopts=", str(WALKTHROUGH)], capture_output=True, text=True, cwd=NOTEBOOK_DIR)
    assert proc.returncode == 0, proc.stdout[-3000:]
    cells = sum(c["cell_type"] == "code" for c in json.loads(WALKTHROUGH.read_text(encoding="utf-8"))["cells"])
    assert f" {cells} passed" in f" {proc.stdout.splitlines()[-1]}"          # nbval: one item per code cell


def test_walkthrough_is_not_a_report_notebook():
    assert WALKTHROUGH not in notebooks() and len(notebooks()) == 8
