"""The report run behind ``make report`` / ``python -m analysis report``.

1. The study manifest is checked (every mistake in one message, exit 2, before any notebook).
2. The study is loaded, checked and scored **once**; the result is cached in a temporary
   folder (removed at the end of the run: it holds the raw answers) keyed by a hash of the
   inputs, and every notebook reads that cache.
3. Scores of every questionnaire file go to ``<internal>/scores/<file>_scores.csv`` and rejected
   rows, with their reasons, to ``<internal>/scores/<file>_rejected.csv`` (injection-safe CSV).
4. Each report notebook declares in its metadata what it needs (``report.needs_any``:
   population/instrument-or-dataset pairs, at least one present); a notebook whose inputs are
   missing is skipped with the reason. The others run in parallel (papermill, one kernel each)
   and write their own HTML, Word and Excel files (:class:`analysis.report.document.Report`).
   A failing notebook does not stop the others.
5. The run ends with a summary (notebook → written / skipped (reason) / failed (first line of
   the error)); :func:`run` returns it and the command exits 0 only when nothing failed.

**Published and internal outputs are apart.** ``out`` (``--out``) receives only what may be
published: reports 02–07 (HTML, Word, Excel), their tables' machine CSVs (``tables/``) and
figures (``figures/``), all through disclosure control. The internal folder (``--internal-out``;
default ``<out>-internal`` beside ``out``, :func:`internal_folder`) receives what stays inside
the project: the intake report 01 (counts of file rows, rejected values), every file's scores
(one row per person) and rejected rows (``scores/``), the executed notebooks (``notebooks/``)
and an internal report 04 (``--internal``: figures of individual clients). Outputs of earlier
releases that belong in the internal folder are removed from ``out``.

**Identical bytes for identical inputs.** No file of either folder holds an absolute path (a
rejected row names its file relative to the data folder; the executed notebooks name the
folders by placeholders) or a timestamp: papermill's timings are stripped from the executed
notebooks, the report date is ``SOURCE_DATE_EPOCH``, else the manifest's ``date``, else today
(:func:`analysis.report.document.report_date`), and Word, Excel and figure files carry fixed
dates.

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
import sys
import tempfile
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import pandas as pd

from analysis import resource
from analysis.intake.manifest import Study, cached_study, read_manifest

NOTEBOOK_DIR = resource("notebooks")
CACHE = ".cache"
#: Reports that stay inside the project: the intake report shows rejected values and counts of
#: file rows (data quality, not under disclosure control).
INTERNAL_REPORTS = ("01_data_intake",)
#: Notebook parameters of an internal (not publishable) report: figures of individual persons.
INTERNAL_PARAMETERS = {"INDIVIDUAL_FIGURES": True}
#: The default internal folder is the published one's name with this suffix, beside it.
INTERNAL_SUFFIX = "-internal"


#: How :func:`run` words an outcome's detail (said in the report's language by :meth:`Outcome.said`).
_NOT_SELECTED, _NEEDS, _INTERNAL_MARK = "not selected", "needs one of: ", " (internal)"


@dataclass(frozen=True)
class Outcome:
    """What became of one notebook: ``status`` is written, skipped or failed."""

    notebook: str
    status: str
    detail: str = ""

    @property
    def internal(self) -> bool:
        """Whether the report was written to the internal folder."""
        return self.status == "written" and self.detail.endswith(_INTERNAL_MARK)

    def said(self, lang: str) -> tuple[str, str]:
        """Status and detail in ``lang`` (a failure's error line stays as the program wrote it).

        Examples
        --------
        >>> Outcome("06_service_use", "skipped", "needs one of: pilot/service-use").said("fi")
        ('ohitettu', 'tarvitsee jonkin näistä: pilot/service-use')
        """
        from analysis.report.i18n import has, t

        detail = self.detail
        if self.status == "skipped" and detail == _NOT_SELECTED:
            detail = t("cli.summary.not_selected", lang)
        elif self.status == "skipped" and detail.startswith(_NEEDS):
            detail = t("cli.summary.needs", lang, what=detail[len(_NEEDS):])
        elif self.internal:
            detail = f"{detail[:-len(_INTERNAL_MARK)]} ({t('cli.summary.internal', lang)})"
        status = f"cli.summary.{self.status}"
        return (t(status, lang) if has(status, lang) else self.status), detail


def notebooks() -> list[Path]:
    """The report notebooks in run order: those declaring ``metadata.report`` (not the
    walkthrough ``00_walkthrough.ipynb``, a tutorial).

    Examples
    --------
    >>> [nb.stem for nb in notebooks()][:3], len(notebooks())
    (['01_data_intake', '02_validation_report', '03_norms'], 8)
    """
    return [nb for nb in sorted(NOTEBOOK_DIR.glob("[0-9][0-9]_*.ipynb"))
            if "report" in json.loads(nb.read_text(encoding="utf-8")).get("metadata", {})]


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


def internal_folder(out_dir: str | Path, internal_out: str | Path | None = None) -> Path:
    """The folder of a run's internal outputs: ``internal_out``, else ``<out>-internal`` beside
    ``out_dir``. It must be neither ``out_dir`` nor inside it (nor hold it): what is in
    ``out_dir`` may be published.

    Examples
    --------
    >>> internal_folder("reports"), internal_folder("site/reports")
    (PosixPath('reports-internal'), PosixPath('site/reports-internal'))
    >>> internal_folder("reports", "reports/private")
    Traceback (most recent call last):
    ValueError: the internal folder reports/private must not be inside the published folder reports (--out): put it beside it
    """
    out = Path(out_dir)
    if internal_out is not None:
        internal = Path(internal_out)
    elif out.name not in ("", ".", ".."):
        internal = out.with_name(out.name + INTERNAL_SUFFIX)
    else:
        internal = out.resolve().with_name(out.resolve().name + INTERNAL_SUFFIX)
    a, b = out.resolve(), internal.resolve()
    if a == b or b.is_relative_to(a):
        raise ValueError(f"the internal folder {internal} must not be {'' if a == b else 'inside '}the published "
                         f"folder {out} (--out): put it beside it")
    if a.is_relative_to(b):
        raise ValueError(f"the published folder {out} (--out) must not be inside the internal folder {internal}")
    return internal


def _is_internal(notebook: Path, parameters: dict) -> bool:
    return notebook.stem in INTERNAL_REPORTS or any(parameters.get(k) for k in INTERNAL_PARAMETERS)


def _clear(folder: Path, name: str) -> None:
    """Remove a report's outputs of an earlier run from ``folder`` (its pages, machine tables and
    figures), so that the folder holds this run's files only (e.g. no individual's figure left by
    an earlier internal run)."""
    for suffix in (".html", ".docx", ".xlsx"):
        (folder / f"{name}{suffix}").unlink(missing_ok=True)
    shutil.rmtree(folder / "tables" / name, ignore_errors=True)
    for figure in (folder / "figures").glob(f"{name}_*"):
        figure.unlink()


def _clear_internal_outputs(out_dir: Path) -> None:
    """Internal outputs that earlier releases wrote into the published folder."""
    for sub in ("scores", "notebooks", CACHE):
        shutil.rmtree(out_dir / sub, ignore_errors=True)
    for name in INTERNAL_REPORTS:
        _clear(out_dir, name)


def write_scores(study: Study, out_dir: Path) -> None:
    """Scores, and rejected rows and invalid answers, of every file as CSV (text cells made formula-safe).

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
        if len(loaded.rejected):                 # rejected rows and invalid answers read as missing
            write_csv(loaded.rejected, out_dir / f"{stem}_rejected.csv")


def run_notebook(notebook: Path, data_dir: Path, out_dir: Path, *, lang: str | None = None,
                 seed: int = 2026, cache_dir: Path | None = None, parameters: dict | None = None,
                 executed_dir: Path | None = None) -> Path:
    """Execute one report notebook with papermill; the notebook writes its own outputs into ``out_dir``.

    ``parameters`` adds notebook parameters (e.g. ``{"PERIOD": "2016H1"}`` for report 07).
    The executed notebook is kept in ``executed_dir`` (default: ``notebooks/`` of the internal
    folder beside ``out_dir``, :func:`internal_folder`), cleaned by :func:`clean_executed`;
    returns the HTML report path.

    Examples
    --------
    Runs a whole report notebook in a Jupyter kernel (minutes), so not run as a doctest:

    >>> from analysis import datasets
    >>> run_notebook(NOTEBOOK_DIR / "01_data_intake.ipynb", datasets.path("demo"), Path("reports"))  # doctest: +SKIP
    PosixPath('.../reports/01_data_intake.html')
    """
    import papermill

    out_dir = Path(out_dir).resolve()
    executed_dir = Path(executed_dir) if executed_dir is not None else internal_folder(out_dir) / "notebooks"
    executed = executed_dir.resolve() / notebook.name
    executed.parent.mkdir(parents=True, exist_ok=True)
    out_dir.mkdir(parents=True, exist_ok=True)
    params = {"DATA_DIR": str(Path(data_dir).resolve()), "OUT_DIR": str(out_dir), "LANG": lang, "SEED": seed,
              "CACHE_DIR": str(Path(cache_dir).resolve()) if cache_dir else None, **(parameters or {})}
    try:
        papermill.execute_notebook(str(notebook), str(executed), parameters=params, kernel_name="python3",
                                   progress_bar=False, log_output=False, cwd=str(out_dir), start_timeout=180,
                                   kernel_manager_class="analysis.report.runner.QuietKernelManager")
    finally:                        # a failed notebook is kept too (with its error), cleaned the same way
        if executed.is_file():
            clean_executed(executed, {str(Path(data_dir).resolve()): Path(data_dir).resolve().name,
                                      str(out_dir): "<out>", str(executed_dir.resolve()): "<notebooks>",
                                      **({str(Path(cache_dir).resolve()): "<cache>"} if cache_dir else {})})
    return out_dir / f"{notebook.stem}.html"


#: papermill's and nbclient's timing fields, stripped from executed notebooks.
_TIMINGS = ("start_time", "end_time", "duration")


def local_paths() -> dict[str, str]:
    """Folders of this machine that may appear in an executed notebook (tracebacks, warnings),
    each with the placeholder it is shown as."""
    import analysis

    places = {str(Path(analysis.__file__).resolve().parent.parent): "<package>",
              str(Path(sys.prefix).resolve()): "<python>", sys.prefix: "<python>",
              str(Path(tempfile.gettempdir()).resolve()): "<tmp>", tempfile.gettempdir(): "<tmp>"}
    home = os.path.expanduser("~")
    if home not in ("", "/", "~"):
        places[home] = "~"
    return places


def clean_executed(path: Path, paths: dict[str, str] | None = None) -> None:
    """Make an executed notebook reproducible and free of this machine's paths.

    Removes papermill's and nbclient's timings (``start_time``, ``end_time``, ``duration``,
    ``execution`` timestamps) and the input and output paths of the notebook's metadata, gives
    the injected-parameters cell a fixed id (papermill's is random), and
    replaces every occurrence of the folders in ``paths`` (absolute path → placeholder, e.g. the
    data folder → its name, the report folder → ``<out>``, the load cache → ``<cache>``) and of
    :func:`local_paths` in every text of the notebook (parameters, outputs, tracebacks).

    Examples
    --------
    >>> import tempfile
    >>> nb = {"metadata": {"papermill": {"start_time": "2026-01-01T00:00", "duration": 1.2,
    ...                                  "parameters": {"DATA_DIR": "/srv/study/kuopio"}}},
    ...       "cells": [{"metadata": {"execution": {"iopub.status.busy": "2026-01-01"},
    ...                               "papermill": {"duration": 0.1, "status": "completed"}},
    ...                  "source": 'DATA_DIR = "/srv/study/kuopio"'}]}
    >>> p = Path(tempfile.mkdtemp()) / "x.ipynb"
    >>> _ = p.write_text(json.dumps(nb), encoding="utf-8")
    >>> clean_executed(p, {"/srv/study/kuopio": "kuopio"})
    >>> json.loads(p.read_text(encoding="utf-8"))
    {'cells': [{'metadata': {'papermill': {'status': 'completed'}}, 'source': 'DATA_DIR = "kuopio"'}], 'metadata': {'papermill': {'parameters': {'DATA_DIR': 'kuopio'}}}}
    """
    nb = json.loads(path.read_text(encoding="utf-8"))
    meta = nb.get("metadata", {}).get("papermill", {})
    for key in (*_TIMINGS, "input_path", "output_path"):
        meta.pop(key, None)
    for cell in nb.get("cells", []):
        cell_meta = cell.get("metadata", {})
        if "id" in cell and "injected-parameters" in cell_meta.get("tags", []):
            cell["id"] = "injected-parameters"                       # papermill gives it a random id
        cell_meta.pop("execution", None)
        for key in _TIMINGS:
            cell_meta.get("papermill", {}).pop(key, None)
    places = {**local_paths(), **(paths or {})}
    order = sorted((p for p in places if p), key=len, reverse=True)     # the longest (innermost) first

    def scrub(value):
        if isinstance(value, str):
            for place in order:
                if place in value:
                    value = value.replace(place, places[place])
            return value
        if isinstance(value, list):
            return [scrub(v) for v in value]
        if isinstance(value, dict):
            return {k: scrub(v) for k, v in value.items()}
        return value

    text = json.dumps(scrub(nb), indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    path.write_text(text, encoding="utf-8")


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

    notebook, data_dir, out_dir, lang, seed, cache_dir, parameters, executed_dir, where = args
    failure: Exception | None = None
    for _ in range(2):             # the kernel, not the report (start-up time-out, died early): once more
        try:
            html = run_notebook(notebook, data_dir, out_dir, lang=lang, seed=seed, cache_dir=cache_dir,
                                parameters=parameters, executed_dir=executed_dir)
            if html.is_file():
                return Outcome(notebook.stem, "written", f"{notebook.stem}.html, .docx, .xlsx{where}")
            failure = RuntimeError(f"the notebook ran but wrote no {html.name} (its kernel stopped early)")
        except PapermillExecutionError as exc:     # an error in a cell: the report's own failure
            return Outcome(notebook.stem, "failed", _first_line(exc))
        except Exception as exc:   # a failing notebook must not stop the others; the summary says why
            failure = exc
    return Outcome(notebook.stem, "failed", _first_line(failure))


def run(data_dir: str | Path, out_dir: str | Path, *, internal_out: str | Path | None = None,
        lang: str | None = None, seed: int = 2026, only: Sequence[str] | None = None,
        skip: Sequence[str] | None = None, workers: int | None = None,
        parameters: dict | None = None, final: bool = False) -> list[Outcome]:
    """Run the report notebooks on a data folder; returns one :class:`Outcome` per notebook.

    Publishable reports go to ``out_dir``; the intake report, scores, rejected rows, executed
    notebooks and internal reports to ``internal_out`` (default ``<out_dir>-internal`` beside
    it, :func:`internal_folder`; see the module docstring).

    ``final=True`` also writes the final report (:mod:`analysis.report.final`:
    ``final_report.docx`` and ``.html``, one document of the published reports that ran), and
    its outcome ends the list.

    ``parameters`` sets notebook parameters (e.g. :data:`INTERNAL_PARAMETERS`,
    ``{"INDIVIDUAL_FIGURES": True}``: the internal version of report 04, written to the
    internal folder); each notebook gets those its parameters cell declares.

    Raises :class:`~analysis.intake.manifest.ManifestError` (before any notebook runs) when
    the manifest or a file is unusable.

    Examples
    --------
    With every notebook skipped, a run only checks, loads and scores the study:

    >>> from analysis import datasets
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     out, internal = Path(folder) / "reports", Path(folder) / "internal"
    ...     outcomes = run(datasets.path("demo"), out, internal_out=internal,
    ...                    skip=["01", "02", "03", "04", "05", "06", "07", "08"])
    ...     n_scores = len(list((internal / "scores").glob("*_scores.csv")))
    ...     published = list(out.iterdir())
    >>> outcomes[0], n_scores, published
    (Outcome(notebook='01_data_intake', status='skipped', detail='not selected'), 8, [])
    """
    data_dir, out_dir = Path(data_dir), Path(out_dir)
    internal_dir = internal_folder(out_dir, internal_out)
    read_manifest(data_dir)                              # fails fast, with every problem
    books = notebooks()
    chosen, dropped = _select(only, books, "--only"), _select(skip, books, "--skip")
    if chosen and not chosen - dropped:
        raise ValueError(f"--only {', '.join(sorted(chosen))} and --skip {', '.join(sorted(dropped))} "
                         "leave no report to run")
    out_dir.mkdir(parents=True, exist_ok=True)
    internal_dir.mkdir(parents=True, exist_ok=True)
    _clear_internal_outputs(out_dir)          # written there by earlier releases; never published
    # the cache holds the raw answers (comments too): a temporary folder, never the report folder
    with tempfile.TemporaryDirectory(prefix="analysis-cache-") as tmp:
        selected = [nb for nb in books if (not chosen or nb.stem in chosen) and nb.stem not in dropped]
        outcomes = _run(data_dir, out_dir, internal_dir, Path(tmp), books, selected, lang, workers, seed, parameters)
        if final:
            outcomes.append(_final(data_dir, out_dir, Path(tmp), books, outcomes, lang))
        return outcomes


def _final(data_dir: Path, out_dir: Path, cache_dir: Path, books: list[Path], outcomes: list[Outcome],
           lang: str | None) -> Outcome:
    """Write the final report of the published reports that ran (their chapters in the cache)."""
    from analysis.report.document import CHAPTERS, Chapter
    from analysis.report.final import NAME, not_run_reason, write_final_report

    study = cached_study(data_dir, cache_dir)
    language = lang or study.manifest.language
    chapters, not_run = [], {}
    for nb, outcome in zip(books, outcomes):
        if nb.stem in INTERNAL_REPORTS:
            continue
        chapter = cache_dir / CHAPTERS / f"{nb.stem}.pickle"
        if outcome.status == "written" and not outcome.detail.endswith("(internal)") and chapter.is_file():
            chapters.append(Chapter.load(chapter))
        else:
            why = {"written": "internal", "skipped": "not_selected" if outcome.detail == "not selected" else "skipped"}
            not_run[nb.stem] = not_run_reason(needs(nb), why.get(outcome.status, outcome.status), language)
    try:
        paths = write_final_report(study, chapters, out_dir, lang=language, not_run=not_run)
    except Exception as exc:      # the working reports stand; the summary says why the final one failed
        return Outcome(NAME, "failed", _first_line(exc))
    return Outcome(NAME, "written", ", ".join(p.name for p in paths.values()))


def _run(data_dir: Path, out_dir: Path, internal_dir: Path, cache_dir: Path, books: list[Path],
         selected: list[Path], lang, workers, seed, parameters) -> list[Outcome]:
    study = cached_study(data_dir, cache_dir)
    shutil.rmtree(internal_dir / "scores", ignore_errors=True)         # this run's files only
    write_scores(study, internal_dir / "scores")
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
        params = {k: v for k, v in (parameters or {}).items() if k in declared}
        internal = _is_internal(nb, params)
        where = internal_dir if internal else out_dir
        _clear(where, nb.stem)
        (internal_dir / "notebooks" / nb.name).unlink(missing_ok=True)
        jobs.append((nb, data_dir, where, lang, seed, cache_dir, params, internal_dir / "notebooks",
                     " (internal)" if internal else ""))
    workers = workers or min(len(jobs), os.cpu_count() or 1, 4) or 1
    if jobs:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            for outcome in pool.map(_execute, jobs):
                outcomes[outcome.notebook] = outcome
    return [outcomes[nb.stem] for nb in books]


def summary(outcomes: Sequence[Outcome], lang: str = "en") -> pd.DataFrame:
    """The end-of-run table: notebook, status, detail (headings and words in ``lang``).

    Examples
    --------
    >>> summary([Outcome("01_data_intake", "written", "01_data_intake.html, .docx, .xlsx"),
    ...          Outcome("03_norms", "failed", "KeyError: 'sat_health'")])[["notebook", "status"]].values.tolist()
    [['01_data_intake', 'written'], ['03_norms', 'failed']]
    >>> summary([Outcome("03_norms", "skipped", "not selected")], "fi").values.tolist()
    [['03_norms', 'ohitettu', 'ei valittu']]
    """
    from analysis.report.i18n import t

    columns = [t(f"cli.summary.{c}", lang) for c in ("notebook", "status", "detail")]
    return pd.DataFrame([(o.notebook, *o.said(lang)) for o in outcomes], columns=columns)


def print_summary(outcomes: Sequence[Outcome], out_dir: Path, file=None, *,
                  internal_dir: Path | None = None, lang: str = "en", study: Study | None = None) -> None:
    """Print the summary table, where the published and the internal outputs are and, given the
    run's ``study``, its data: rows read, accepted and rejected and invalid answers read as missing,
    and for every file with a rejected row or an invalid answer its counts, its first reasons and
    the file listing all of them (``<internal>/scores/<file>_rejected.csv``). In ``lang``.

    Examples
    --------
    >>> print_summary([Outcome("01_data_intake", "written", "01_data_intake.html, .docx, .xlsx (internal)"),
    ...                Outcome("07_half_yearly_indicators", "written", "07_half_yearly_indicators.html, .docx, .xlsx")],
    ...               Path("reports"), file=sys.stdout)
                     notebook  status                                       detail
               01_data_intake written   01_data_intake.html, .docx, .xlsx (internal)
    07_half_yearly_indicators written 07_half_yearly_indicators.html, .docx, .xlsx
    1 report for publication written to reports (with tables/ and figures/)
    internal, NOT for publication, in reports-internal: 1 report marked (internal), scores/ (scores and rejected rows of every file, one row per person), notebooks/ (the executed notebooks)
    """
    from analysis.report.i18n import t

    file = file or sys.stderr
    print(summary(outcomes, lang).to_string(index=False), file=file)
    written = [o for o in outcomes if o.status == "written"]
    internal = [o for o in written if o.internal]
    internal_dir = internal_dir if internal_dir is not None else internal_folder(out_dir)
    print(t("cli.summary.published", lang, n=len(written) - len(internal), out=Path(out_dir)), file=file)
    print(t("cli.summary.internal_dir", lang, n=len(internal), out=Path(internal_dir)), file=file)
    if study is not None:
        _print_intake(study, Path(internal_dir), lang, file)


def _print_intake(study: Study, internal_dir: Path, lang: str, file, first: int = 3) -> None:
    """The data part of :func:`print_summary`: totals, then every file with a problem."""
    from analysis.report.i18n import t
    from analysis.report.sections.data_intake import problem_table
    from analysis.study import intake

    counts = intake.intake_counts(study)
    names = ("n_read", "n_accepted", "n_rejected", "n_invalid")
    print(t("cli.summary.data", lang, n_files=len(counts), **{k: int(counts[k].sum()) for k in names}), file=file)
    problems = pd.concat([intake.rejected_table(study).assign(answer=False),
                          intake.invalid_answers(study).assign(answer=True)], ignore_index=True)
    for entry, row in zip(study.manifest.files, counts.itertuples()):
        if not (row.n_rejected or row.n_invalid):
            continue
        print("  " + t("cli.summary.file", lang, file=entry.path, **{k: int(getattr(row, k)) for k in names}),
              file=file)
        mine = problems[problems["file"] == entry.path].sort_values("row", kind="stable")
        for (_, p), answer in zip(problem_table(mine.head(first), lang).iterrows(), mine["answer"].head(first)):
            key = "cli.summary.problem" if isinstance(p["column"], str) else "cli.summary.problem_row"
            print("    " + t(key, lang, row=p["row"], column=p["column"], value=p["value"], reason=p["reason"])
                  + (t("cli.summary.answer", lang) if answer else ""), file=file)
        if len(mine) > first:
            print("    " + t("cli.summary.more", lang, n=len(mine) - first), file=file)
        rejects = internal_dir / "scores" / f"{entry.key.replace('/', '__')}_rejected.csv"   # as write_scores names it
        if rejects.is_file():
            print("    " + t("cli.summary.all_reasons", lang, path=rejects), file=file)
