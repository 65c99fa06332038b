"""The suite's own budget: the heavy report runs share one worker (``xdist_group`` under
``--dist loadgroup``, set in pyproject.toml), so each session fixture that runs the demo reports
runs once. pytest 9.2 with pytest-xdist 3.8 silently stopped grouping (pinned below 9.2): this
test fails if the grouping breaks again."""
from __future__ import annotations

import subprocess
import sys


def test_a_group_runs_on_one_worker(tmp_path):
    (tmp_path / "test_grouped.py").write_text(
        "import os, pathlib, pytest\n"
        "pytestmark = pytest.mark.xdist_group('heavy')\n"
        "@pytest.mark.parametrize('k', range(6))\n"
        "def test_k(k):\n"
        "    pathlib.Path(__file__).with_name(f'worker{k}').write_text(os.environ['PYTEST_XDIST_WORKER'])\n",
        encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "pytest", "-n", "2", "--dist", "loadgroup", "-p", "no:cacheprovider",
                          "-o", "addopts=", "-q", str(tmp_path / "test_grouped.py")],
                         capture_output=True, text=True, cwd=tmp_path)
    assert out.returncode == 0, out.stdout[-2000:]
    workers = {p.read_text() for p in tmp_path.glob("worker*")}
    assert len(list(tmp_path.glob("worker*"))) == 6 and len(workers) == 1, workers
