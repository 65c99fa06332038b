"""The notebooks as a user opens them in JupyterLab: run top to bottom with nbval, with the
parameters they ship with (the demo study, reports into the repository's ``reports/``)."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from analysis.report.runner import NOTEBOOK_DIR, notebooks

pytestmark = pytest.mark.xdist_group("reports")


def test_every_notebook_runs_as_shipped():
    books = [str(p) for p in notebooks()]          # the walkthrough runs in test_walkthrough.py
    assert len(books) == 8
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "--nbval-lax", "-p", "no:xdist", "-p", "no:cacheprovider",
                           "-o", "addopts=", *books], capture_output=True, text=True, cwd=NOTEBOOK_DIR)
    assert proc.returncode == 0, proc.stdout[-3000:]
    cells = sum(c["cell_type"] == "code" for b in books for c in json.loads(Path(b).read_text(encoding="utf-8"))["cells"])
    assert f" {cells} passed" in f" {proc.stdout.splitlines()[-1]}"          # nbval: one item per code cell
