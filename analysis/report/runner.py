"""The report run behind ``make report`` / ``python -m analysis report``.

1. The study manifest is checked (every mistake in one message, exit 2, before any notebook).
2. The study is loaded, checked and scored **once**; the result is cached in a temporary
   folder (removed at the end of the run: it holds the raw answers) keyed by a hash of the
   inputs, and every notebook reads that cache.
3. Scores of every questionnaire file go to ``<out>/scores/<file>_scores.csv`` and rejected
   rows, with their reasons, to ``<out>/scores/<file>_rejected.csv`` (injection-safe CSV).
4. Each report notebook declares in its metadata what it needs (``report.needs_any``:
   population/instrument-or-dataset pairs, at least one present); a notebook whose inputs are
   missing is skipped with the reason. The others run in parallel (papermill, one kernel each)
   and write their own HTML, Word and Excel files (:class:`analysis.report.document.Report`).
   A failing notebook does not stop the others.
5. The run ends with a summary (notebook → written / skipped (reason) / failed (first line of
   the error)); :func:`run` returns it and the command exits 0 only when nothing failed.

Examples
--------
>>> from analysis import datasets
>>> from analysis.report.runner import run   # doctest: +SKIP
>>> run(datasets.path("demo"), "reports")               # doctest: +SKIP
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import sys
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import pandas as pd

from analysis import resource
from analysis.intake.manifest import Study, cached_study, read_manifest

NOTEBOOK_DIR = resource("notebooks")
CACHE = ".cache"


@dataclass(frozen=True)
class Outcome:
    """What became of one notebook: ``status`` is written, skipped or failed."""

    notebook: str
    status: str
    detail: str = ""


def notebooks() -> list[Path]:
    """The report notebooks in run order.

    Examples
    --------
    >>> [nb.stem for nb in notebooks()][:3], len(notebooks())
    (['01_data_intake', '02_validation_report', '03_norms'], 7)
    """
    return sorted(NOTEBOOK_DIR.glob("[0-9][0-9]_*.ipynb"))


def needs(notebook: Path) -> list[tuple[str, str]]:
    """The (population, instrument or dataset) pairs a notebook can work from (any one suffices).

    Examples
    --------
    >>> needs(NOTEBOOK_DIR / "06_service_use.ipynb")
    [('pilot', 'service-use'), ('pilot', 'service-visits')]
    """
    meta = json.loads(notebook.read_text(encoding="utf-8")).get("metadata", {}).get("report", {})
    return [tuple(pair) for pair in meta.get("needs_any", [])]


def declared_parameters(notebook: Path) -> set[str]:
    """Names assigned in the notebook's papermill ``parameters`` cell (e.g. ``SEED``,
    ``INDIVIDUAL_FIGURES``)."""
    import re

    cells = json.loads(notebook.read_text(encoding="utf-8")).get("cells", [])
    names: set[str] = set()
    for cell in cells:
        if "parameters" in cell.get("metadata", {}).get("tags", []):
            names |= set(re.findall(r"^([A-Za-z_]\w*)\s*=", "".join(cell["source"]), flags=re.M))
    return names


def _missing(study: Study, notebook: Path) -> str | None:
    wanted = needs(notebook)
    if not wanted or any(study.has(pop, kind) or study.has(pop, dataset=kind) for pop, kind in wanted):
        return None
    return "needs one of: " + ", ".join(f"{pop}/{kind}" for pop, kind in wanted)


def _select(names: Sequence[str] | None, all_books: list[Path], option: str) -> set[str]:
    if not names:
        return set()
    chosen = set()
    for name in names:
        hits = [nb.stem for nb in all_books if nb.stem == name or nb.stem.split("_")[0] == name.zfill(2)]
        if not hits:
            raise ValueError(f"{option}: no report {name!r}; reports: {', '.join(nb.stem for nb in all_books)}")
        chosen.update(hits)
    return chosen


def write_scores(study: Study, out_dir: Path) -> None:
    """Scores and rejected rows of every file as CSV (text cells made formula-safe).

    Examples
    --------
    >>> from analysis import datasets
    >>> import tempfile
    >>> from analysis.intake.manifest import load_study
    >>> with tempfile.TemporaryDirectory() as out:
    ...     write_scores(load_study(datasets.path("demo")), Path(out))
    ...     sorted(p.name for p in Path(out).iterdir())[:2]
    ['client_survey_scores.csv', 'cohort_3x10d_scores.csv']
    """
    from analysis.report.export import write_csv

    out_dir.mkdir(parents=True, exist_ok=True)
    for entry in study.manifest.files:
        stem = entry.key.replace("/", "__")
        if entry.key in study.scored:
            write_csv(study.scored[entry.key], out_dir / f"{stem}_scores.csv")
        loaded = study.loaded[entry.key]
        if loaded.n_rejected:
            write_csv(loaded.rejected, out_dir / f"{stem}_rejected.csv")


def run_notebook(notebook: Path, data_dir: Path, out_dir: Path, *, lang: str | None = None,
                 seed: int = 2026, cache_dir: Path | None = None, parameters: dict | None = None) -> Path:
    """Execute one report notebook with papermill; the notebook writes its own outputs.

    ``parameters`` adds notebook parameters (e.g. ``{"PERIOD": "2016H1"}`` for report 07).
    The executed notebook is kept in ``<out>/notebooks/``; returns the HTML report path.

    Examples
    --------
    Runs a whole report notebook in a Jupyter kernel (minutes), so not run as a doctest:

    >>> from analysis import datasets
    >>> run_notebook(NOTEBOOK_DIR / "01_data_intake.ipynb", datasets.path("demo"), Path("reports"))  # doctest: +SKIP
    PosixPath('.../reports/01_data_intake.html')
    """
    import papermill

    out_dir = Path(out_dir).resolve()
    executed = out_dir / "notebooks" / notebook.name
    executed.parent.mkdir(parents=True, exist_ok=True)
    params = {"DATA_DIR": str(Path(data_dir).resolve()), "OUT_DIR": str(out_dir), "LANG": lang, "SEED": seed,
              "CACHE_DIR": str(Path(cache_dir).resolve()) if cache_dir else None, **(parameters or {})}
    papermill.execute_notebook(str(notebook), str(executed), parameters=params, kernel_name="python3",
                               progress_bar=False, log_output=False, cwd=str(out_dir), start_timeout=180,
                               kernel_manager_class="analysis.report.runner.QuietKernelManager")
    return out_dir / f"{notebook.stem}.html"


def _quiet_kernel_manager():
    from jupyter_client.manager import AsyncKernelManager

    class QuietKernelManager(AsyncKernelManager):
        """A kernel whose own stderr (start-up banners such as the TCP-transport warning) is
        discarded; errors inside cells still reach the run through the kernel's messages."""

        async def _async_pre_start_kernel(self, **kw):
            kw.setdefault("stderr", subprocess.DEVNULL)
            return await super()._async_pre_start_kernel(**kw)

    return QuietKernelManager


def __getattr__(name: str):
    if name == "QuietKernelManager":        # imported lazily: jupyter_client only when running
        return _quiet_kernel_manager()
    raise AttributeError(name)


def _first_line(exc: BaseException) -> str:
    text = str(getattr(exc, "ename", "") and f"{exc.ename}: {exc.evalue}") or str(exc) or type(exc).__name__
    return text.strip().splitlines()[0][:300] if text.strip() else type(exc).__name__


def _execute(args: tuple) -> Outcome:
    from papermill.exceptions import PapermillExecutionError

    notebook, data_dir, out_dir, lang, seed, cache_dir, parameters = args
    failure: Exception | None = None
    for _ in range(2):             # the kernel, not the report (start-up time-out, died early): once more
        try:
            html = run_notebook(notebook, data_dir, out_dir, lang=lang, seed=seed, cache_dir=cache_dir,
                                parameters=parameters)
            if html.is_file():
                return Outcome(notebook.stem, "written", f"{notebook.stem}.html, .docx, .xlsx")
            failure = RuntimeError(f"the notebook ran but wrote no {html.name} (its kernel stopped early)")
        except PapermillExecutionError as exc:     # an error in a cell: the report's own failure
            return Outcome(notebook.stem, "failed", _first_line(exc))
        except Exception as exc:   # a failing notebook must not stop the others; the summary says why
            failure = exc
    return Outcome(notebook.stem, "failed", _first_line(failure))


def run(data_dir: str | Path, out_dir: str | Path, *, lang: str | None = None, seed: int = 2026,
        only: Sequence[str] | None = None, skip: Sequence[str] | None = None, workers: int | None = None,
        parameters: dict | None = None) -> list[Outcome]:
    """Run the report notebooks on a data folder; returns one :class:`Outcome` per notebook.

    ``parameters`` sets notebook parameters (e.g. ``{"INDIVIDUAL_FIGURES": True}``, the
    internal version of report 04); each notebook gets those its parameters cell declares.

    Raises :class:`~analysis.intake.manifest.ManifestError` (before any notebook runs) when
    the manifest or a file is unusable.

    Examples
    --------
    With every notebook skipped, a run only checks, loads and scores the study:

    >>> from analysis import datasets
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as out:
    ...     outcomes = run(datasets.path("demo"), out, skip=["01", "02", "03", "04", "05", "06", "07"])
    ...     n_scores = len(list((Path(out) / "scores").glob("*_scores.csv")))
    >>> outcomes[0], n_scores
    (Outcome(notebook='01_data_intake', status='skipped', detail='not selected'), 8)
    """
    data_dir, out_dir = Path(data_dir), Path(out_dir)
    read_manifest(data_dir)                              # fails fast, with every problem
    books = notebooks()
    chosen, dropped = _select(only, books, "--only"), _select(skip, books, "--skip")
    if chosen and not chosen - dropped:
        raise ValueError(f"--only {', '.join(sorted(chosen))} and --skip {', '.join(sorted(dropped))} "
                         "leave no report to run")
    out_dir.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(out_dir / CACHE, ignore_errors=True)        # left by an earlier release
    # the cache holds the raw answers (comments too): a temporary folder, never the report folder
    with tempfile.TemporaryDirectory(prefix="analysis-cache-") as tmp:
        selected = [nb for nb in books if (not chosen or nb.stem in chosen) and nb.stem not in dropped]
        return _run(data_dir, out_dir, Path(tmp), books, selected, lang, workers, seed, parameters)


def _run(data_dir: Path, out_dir: Path, cache_dir: Path, books: list[Path], selected: list[Path], lang,
         workers, seed, parameters) -> list[Outcome]:
    study = cached_study(data_dir, cache_dir)
    write_scores(study, out_dir / "scores")
    outcomes, jobs = {}, []
    for nb in books:
        if nb not in selected:
            outcomes[nb.stem] = Outcome(nb.stem, "skipped", "not selected")
            continue
        reason = _missing(study, nb)
        if reason:
            outcomes[nb.stem] = Outcome(nb.stem, "skipped", reason)
            continue
        declared = declared_parameters(nb)
        jobs.append((nb, data_dir, out_dir, lang, seed, cache_dir,
                     {k: v for k, v in (parameters or {}).items() if k in declared}))
    workers = workers or min(len(jobs), os.cpu_count() or 1, 4) or 1
    if jobs:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            for outcome in pool.map(_execute, jobs):
                outcomes[outcome.notebook] = outcome
    return [outcomes[nb.stem] for nb in books]


def summary(outcomes: Sequence[Outcome]) -> pd.DataFrame:
    """The end-of-run table: notebook, status, detail.

    Examples
    --------
    >>> summary([Outcome("01_data_intake", "written", "01_data_intake.html, .docx, .xlsx"),
    ...          Outcome("03_norms", "failed", "KeyError: 'sat_health'")])[["notebook", "status"]].values.tolist()
    [['01_data_intake', 'written'], ['03_norms', 'failed']]
    """
    return pd.DataFrame([(o.notebook, o.status, o.detail) for o in outcomes], columns=["notebook", "status", "detail"])


def print_summary(outcomes: Sequence[Outcome], out_dir: Path, file=sys.stderr) -> None:
    """Print the summary table and one line saying where the reports are.

    Examples
    --------
    >>> print_summary([Outcome("01_data_intake", "written", "01_data_intake.html, .docx, .xlsx"),
    ...                Outcome("07_half_yearly_indicators", "skipped", "needs one of: pilot/indicators")],
    ...               Path("reports"), file=sys.stdout)
                     notebook  status                            detail
               01_data_intake written 01_data_intake.html, .docx, .xlsx
    07_half_yearly_indicators skipped    needs one of: pilot/indicators
    1 report(s) written to reports
    """
    print(summary(outcomes).to_string(index=False), file=file)
    written = sum(o.status == "written" for o in outcomes)
    print(f"{written} report(s) written to {Path(out_dir)}", file=file)
