"""The main job behind ``make report``: score the data folder, then run every report notebook.

Steps, for a data folder in the data-dictionary format (``manifest.yaml`` lists its files):

1. every file is loaded in reject-rows mode (:func:`analysis.intake.manifest.load_folder`); the
   scores of each instrument file go to ``<out>/scores/<file>_scores.csv`` and rejected rows,
   with their reasons, to ``<out>/scores/<file>_rejected.csv``;
2. each notebook in ``notebooks/`` is executed with papermill (parameters ``DATA_DIR``,
   ``OUT_DIR``, ``LANG``, ``SEED``) into ``<out>/<name>.ipynb`` and rendered to
   ``<out>/<name>.html`` without code cells. Notebooks write their own Excel workbooks.

Examples
--------
>>> from analysis.report.runner import run  # doctest: +SKIP
>>> run("data/demo", "reports")      # doctest: +SKIP
"""
from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
from tqdm import tqdm

from analysis import resource
from analysis.intake.manifest import load_folder

NOTEBOOK_DIR = resource("notebooks")


def score_folder(data_dir: str | Path, out_dir: str | Path) -> pd.DataFrame:
    """Write the scores (and rejected rows with reasons) of every instrument file; returns the intake."""
    folder = load_folder(data_dir)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, scores in folder.scored.items():
        scores.to_csv(out_dir / f"{name}_scores.csv", index=False)
    for name, loaded in folder.loaded.items():
        if loaded.n_rejected:
            loaded.rejected.to_csv(out_dir / f"{name}_rejected.csv", index=False)
    return folder.intake()


def notebooks() -> list[Path]:
    """The report notebooks in run order."""
    return sorted(NOTEBOOK_DIR.glob("[0-9][0-9]_*.ipynb"))


def run_notebook(notebook: Path, data_dir: Path, out_dir: Path, *, lang: str = "en",
                 seed: int = 2026) -> Path:
    """Execute one notebook with papermill and render it to HTML; returns the HTML path."""
    import nbformat
    import papermill
    from nbconvert import HTMLExporter

    executed = out_dir / notebook.name
    papermill.execute_notebook(
        str(notebook), str(executed), kernel_name="python3", progress_bar=False,
        cwd=str(NOTEBOOK_DIR),
        parameters={"DATA_DIR": str(data_dir.resolve()), "OUT_DIR": str(out_dir.resolve()),
                    "LANG": lang, "SEED": seed})
    html, _ = HTMLExporter(exclude_input=True).from_notebook_node(nbformat.read(executed, as_version=4))
    target = executed.with_suffix(".html")
    target.write_text(html, encoding="utf-8")
    return target


def run(data_dir: str | Path, out_dir: str | Path, *, lang: str = "en", seed: int = 2026,
        only: list[str] | None = None) -> list[Path]:
    """Score the data folder and run the report notebooks; returns the HTML reports written."""
    data_dir, out_dir = Path(data_dir), Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    intake = score_folder(data_dir, out_dir / "scores")
    print(intake.to_string(index=False), file=sys.stderr)
    chosen = [nb for nb in notebooks() if only is None or nb.stem in only]
    written = []
    for nb in tqdm(chosen, desc="report notebooks", unit="notebook", file=sys.stderr):
        written.append(run_notebook(nb, data_dir, out_dir, lang=lang, seed=seed))
    return written
