"""Shared fixtures: notebook execution (cached per test session and worker)."""
from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT / "data" / "demo"


@pytest.fixture(scope="session")
def run_notebook(tmp_path_factory):
    """Execute ``notebooks/<name>.ipynb`` with papermill; returns the output folder.

    The folder holds the executed notebook, its HTML and whatever the notebook wrote
    (workbooks, figures). Runs are cached on (name, data folder, seed, lang).
    """
    from analysis.report.runner import NOTEBOOK_DIR
    from analysis.report.runner import run_notebook as execute

    cache: dict[tuple, Path] = {}

    def run(name: str, data_dir: Path = DEMO, seed: int = 2026, lang: str = "en") -> Path:
        key = (name, str(data_dir), seed, lang)
        if key not in cache:
            out = tmp_path_factory.mktemp(f"{name}-{lang}-{seed}")
            execute(NOTEBOOK_DIR / f"{name}.ipynb", Path(data_dir), out, lang=lang, seed=seed)
            cache[key] = out
        return cache[key]

    return run
