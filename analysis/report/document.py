"""One report: what a notebook builds, shows, and writes as HTML, Word and Excel.

A notebook opens its report with :func:`open_report` (the one setup call: parameters, the
study, the language) and then only *adds*: headings and paragraphs from the message
catalogues, tables, figures and notes. :meth:`Report.finish` writes

* ``<out>/<name>.html`` — self-contained page: title block, contents, no code or prompts;
* ``<out>/<name>.docx`` — the same report as a Word document;
* ``<out>/tables/<name>/<table>.csv`` — every table in machine form (score keys, category
  codes and numbers as computed, after disclosure control), for re-analysis;
* ``<out>/<name>.xlsx`` — every table as numbers with number formats and its text in words, a
  sheet per table named, titled and headed in the report language ("Table 3 Change…"), hidden
  cells empty and shaded with the reason as a comment; plus About (study, date, version,
  commit, data folder, small-cell rule) and Glossary (each sheet's headings with their CSV
  column names and meanings);
* ``<out>/figures/<name>_<figure>.png`` (300 dpi) and ``.svg``; figures of counts and group
  statistics are drawn from the tables as published (:meth:`Report.table_figure`).

Every table passes disclosure control before it is shown or written; every number in a
sentence is formatted in the report language; a section whose data are missing is replaced
by a note saying what is missing. The report date is ``SOURCE_DATE_EPOCH`` when set (the
reproducible-builds convention), else the manifest's ``date``, else today
(:func:`report_date`), so two runs on the same inputs give identical files.

Examples
--------
>>> import pandas as pd, tempfile
>>> r = Report("01_data_intake", None, lang="en", out_dir=tempfile.mkdtemp(), display=False)
>>> shown = r.table("counts", pd.DataFrame({"group": ["a", "b"], "n": [12, 3]}), title="Counts")
>>> shown.machine["n"].tolist()
[12, '<5']
"""
from __future__ import annotations

import contextlib
import datetime as _dt
import os
import pickle
import re
import subprocess
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping, Sequence

import pandas as pd

import analysis
from analysis.intake.manifest import Study, cached_study, load_study
from analysis.report import i18n, present
from analysis.report.disclosure import MIN_CELL, Disclosure, Policy, TableSpec, audit, write_declarations
from analysis.report.render import Block, block_html, render_docx, render_html

_AUTO = object()
#: The folder of the run's cache where each report leaves itself as a chapter of the final report.
CHAPTERS = "chapters"
#: Headings every reader knows (APA): not spelled out below each table, only in the glossary sheet.
_SELF_EVIDENT = {"n", "N", "M", "SD", "Mdn", "%", "p", "ka.", "kh.", "Md"}


def report_date(study: Study | None = None) -> _dt.date:
    """The date printed on a report: the date of ``SOURCE_DATE_EPOCH`` (seconds since 1970, the
    reproducible-builds convention) when that is set, else the ``date`` of the study's manifest
    when it has one, else today.

    Examples
    --------
    >>> from unittest import mock
    >>> with mock.patch.dict(os.environ, {"SOURCE_DATE_EPOCH": "1767225600"}):
    ...     report_date()
    datetime.date(2026, 1, 1)
    """
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        return _dt.datetime.fromtimestamp(int(epoch), _dt.timezone.utc).date()
    if study is not None and getattr(study.manifest, "date", None):
        return study.manifest.date
    return _dt.date.today()


def git_commit() -> str | None:
    """The commit of the package's source checkout, when it is one (else ``None``).

    Examples
    --------
    >>> commit = git_commit()
    >>> commit is None or (len(commit) == 12 and all(c in "0123456789abcdef" for c in commit))
    True
    """
    root = Path(analysis.__file__).resolve().parent.parent
    if not (root / ".git").exists():
        return None
    try:
        out = subprocess.run(["git", "-C", str(root), "rev-parse", "--short=12", "HEAD"],
                             capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None


def _in_notebook() -> bool:
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and shell.__class__.__name__ == "ZMQInteractiveShell"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "section"


@dataclass(frozen=True)
class Chapter:
    """A finished report as a chapter of the final report (:mod:`analysis.report.final`): its
    blocks as published (tables after disclosure control, figures as drawn) and its notes."""

    name: str
    title: str
    lang: str
    blocks: tuple[Block, ...]
    notes: tuple[str, ...] = ()

    def save(self, folder: Path) -> Path:
        """Leave the chapter in ``folder`` (the run's cache) as ``<name>.pickle``."""
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{self.name}.pickle"
        path.write_bytes(pickle.dumps(self))
        return path

    @staticmethod
    def load(path: Path) -> "Chapter":
        chapter = pickle.loads(path.read_bytes())
        if not isinstance(chapter, Chapter):
            raise TypeError(f"{path} holds no report chapter")
        return chapter


class Report:
    """A report under construction (see the module docstring)."""

    def __init__(self, name: str, study: Study | None, *, lang: str = "en", out_dir: str | Path = "reports",
                 seed: int = 2026, min_n: int = MIN_CELL, display: bool | None = None,
                 chapter_dir: str | Path | None = None):
        if lang not in i18n.LANGUAGES:
            raise ValueError(f"report language {lang!r} is not one of {', '.join(i18n.LANGUAGES)}")
        #: the small-group rule: the study manifest's ``disclosure:`` block, else the project's (``min_n``)
        self.policy = (Policy.from_manifest(study.manifest.disclosure)
                       if study is not None and getattr(study.manifest, "disclosure", None)
                       else Policy(min_count=min_n, min_statistic_n=max(min_n, Policy().min_statistic_n),
                                   overridden=("min_count",) if min_n != MIN_CELL else ()))
        min_n = self.policy.min_count
        self.name, self.study, self.lang, self.seed, self.min_n = name, study, lang, seed, min_n
        self.out_dir = Path(out_dir)
        #: where :meth:`finish` leaves the report as a chapter of the final report (the run's cache)
        self.chapter_dir = Path(chapter_dir) if chapter_dir is not None else None
        self.fig_dir = self.out_dir / "figures"
        self.labels = present.Labels(lang)
        self._display = _in_notebook() if display is None else display
        self._blocks: list[Block] = []
        self._notes: list[str] = []
        self._tables: dict[str, present.ShownTable] = {}
        self._captions: dict[str, str] = {}
        self._table_args: dict[str, dict] = {}
        self._masked: dict[str, pd.DataFrame | None] = {}
        self.disclosure = Disclosure(policy=self.policy)
        self._anchors: set[str] = set()
        self._n_figures = 0
        self._figure_sources: dict[str, tuple] = {}
        if study is not None:
            self.labels = study_labels(lang)
            if study.synthetic:
                self._add(Block("warning", text=self.t("common.synthetic_warning")))
                self._add(Block("note", text=self.t("common.synthetic_files",
                                                    files=", ".join(study.synthetic_files()))))

    # ------------------------------------------------------------------------- text
    def t(self, key: str, **fields: Any) -> str:
        """A message of the catalogue in the report language."""
        return i18n.t(key, self.lang, **fields)

    @property
    def title(self) -> str:
        return self.t(f"{self.name}.title")

    def num(self, x: float, decimals: int = 2) -> str:
        """A number for a sentence (decimal comma in Finnish, true minus)."""
        return present.number(x, decimals, self.lang)

    def prop(self, x: float) -> str:
        """A value that cannot exceed 1 (α, r, CFI…): 3 decimals, APA leading zero rule."""
        return present.format_value(x, "prop", self.lang)

    def p(self, p: float) -> str:
        return present.p_value(p, self.lang)

    def p_is(self, p: float) -> str:
        """A p for "p {p}" in a sentence: ``= .481`` or ``< .001`` (APA)."""
        text = self.p(p)
        return text if text.startswith("<") else f"= {text}"

    def ci(self, low: float, high: float, decimals: int = 2) -> str:
        return present.interval(low, high, decimals, self.lang)

    def pct(self, x: float, decimals: int = 0) -> str:
        return present.percent(x, decimals, self.lang)

    def n(self, n: int) -> str:
        """A number of persons for a sentence: below the small-cell limit it is not printed.
        For a count taken from a published table use :meth:`shown_n`."""
        if n < self.min_n:
            return self.t("common.fewer_than", min_n=self.min_n)
        return present.count(n, self.lang)

    def shown_n(self, table: str | present.ShownTable, where: int | Mapping[str, object],
                column: str = "n") -> str:
        """A number of persons of a published table (``table``, row ``where``: a position or
        ``{column: value}``) for a sentence: not printed when disclosure control hid it.

        Examples
        --------
        >>> import pandas as pd
        >>> r = Report("01_data_intake", None, display=False)
        >>> _ = r.table("groups", pd.DataFrame({"group": ["a", "b"], "n": [12, 3]}), title="Groups")
        >>> r.shown_n("groups", {"group": "a"}), r.shown_n("groups", 1)
        ('12', 'fewer than 5')
        """
        shown = self._tables[table] if isinstance(table, str) else table
        if shown.hidden(where, column):         # a complement (..) is not small: only "not shown"
            small = shown.value(where, column) == self.disclosure.mask
            return self.t("common.fewer_than", min_n=self.min_n) if small else self.t("disclosure.not_shown")
        return self.n(shown.value(where, column))

    def shown_count(self, table: str | present.ShownTable, where: int | Mapping[str, object],
                    column: str = "value") -> str:
        """A count that is not a number of persons (visits, rows) of a published table for a
        sentence: "hidden" when disclosure control hid it (see :meth:`shown_n`).

        Examples
        --------
        >>> import pandas as pd
        >>> r = Report("06_service_use", None, display=False)
        >>> t = pd.DataFrame({"measure": ["visits"], "value": [1234]})
        >>> r.shown_count(r.table("visits", t, counts=None, title="Visits"), {"measure": "visits"})
        '1,234'
        """
        shown = self._tables[table] if isinstance(table, str) else table
        if shown.hidden(where, column):
            return self.t("figures.hidden")
        return self.count(shown.value(where, column))

    def publishable(self, *counts: float) -> bool:
        """Whether groups of these sizes may be published at all: each has at least ``min_n``
        persons. For a group that no table counts but that follows from published counts (the
        clients who left = those at the start − those at the end), so that a table of it could
        not be protected by hiding cells.

        Examples
        --------
        >>> r = Report("04_pilot_evaluation", None, display=False)
        >>> r.publishable(30 - 24, 24), r.publishable(30 - 27, 27)
        (True, False)
        """
        return all(c >= self.min_n for c in counts)

    def count(self, n: float) -> str:
        """A count that is not a number of persons (rows, files, visits) for a sentence."""
        return present.count(n, self.lang)

    def label_list(self, keys: Sequence[object], column: str | Sequence[str] = "", *, sep: str = ", ",
                   empty: str = "") -> str:
        """The labels of ``keys`` (:meth:`label`, codes of ``column``) joined by ``sep``;
        ``empty`` when there are none.

        Examples
        --------
        >>> r = Report("03_norms", None, display=False)
        >>> r.labels = study_labels("en")
        >>> r.label_list(["age_group", "gender"], sep=" × "), r.label_list([], empty="–")
        ('Age group × Gender', '–')
        """
        return sep.join(self.label(str(k), column) for k in keys) or empty

    def label(self, key: str, column: str | Sequence[str] = "") -> str:
        """The label of a score, item or category code (of ``column``) in the report language;
        with several columns, of a group written ``code × code`` (one code of each)."""
        if not isinstance(column, str):
            return present.group_value(str(key), self.labels, column)
        return self.labels.value(column, key)

    def model_text(self, model: str) -> str:
        """lavaan model syntax with each variable named by its label (``=~`` and ``+`` kept).

        Examples
        --------
        >>> r = Report("02_validation_report", None, display=False)
        >>> r.labels = study_labels("en")
        >>> r.model_text("f =~ sat_health + sat_housing")
        'f =~ Health + Housing'
        """
        # only score and item keys are renamed: a latent variable ``f`` is no column heading
        return re.sub(r"[A-Za-z_][A-Za-z0-9_.]*", lambda m: self.labels.keys.get(m[0], m[0]), model)

    # ------------------------------------------------------------------------- blocks
    def _add(self, block: Block) -> Block:
        self._blocks.append(block)
        if self._display:
            from IPython.display import HTML, Image, display
            if block.kind == "figure":
                display(Image(filename=str(block.image)))
            else:
                display(HTML(block_html(block, self.lang)))
        return block

    def heading(self, key: str, level: int = 2, **fields: Any) -> None:
        """A heading from the catalogue (``key``)."""
        text = self.t(key, **fields)
        anchor = _slug(text)
        while anchor in self._anchors:
            anchor += "-x"
        self._anchors.add(anchor)
        self._add(Block("heading", text=text, level=level, anchor=anchor, extra={"key": key}))

    def text(self, key: str, **fields: Any) -> None:
        """A paragraph from the catalogue (``key``) filled with ``fields``."""
        self._add(Block("paragraph", text=self.t(key, **fields)))

    def working_text(self, key: str, **fields: Any) -> None:
        """A paragraph about this working report itself (what it withholds, how to run another
        version of it): left out when the report becomes a chapter of the final report."""
        self._add(Block("paragraph", text=self.t(key, **fields), extra={"working": True}))

    def paragraph(self, text: str) -> None:
        """A paragraph already composed from catalogue pieces."""
        self._add(Block("paragraph", text=text))

    def note(self, key: str, **fields: Any) -> None:
        """A note for the Notes section at the end (e.g. a warning of an estimator), in words; a
        field that is a warning of the statistics code (a model's ``warnings``) is said in the
        report language (:meth:`program_note`)."""
        said = {k: self._said(v) if isinstance(v, str) and hasattr(v, "key") else v for k, v in fields.items()}
        self._notes.append(self.t(key, **said))

    def program_note(self, message: str | Warning) -> None:
        """A warning of the statistics code for the Notes section, said once.

        A warning with a key (:mod:`analysis.stats.notices`) is said by the catalogue's
        ``stats.<key>`` in the report language, its fields in words: score and item keys as
        labels, lists joined in words, counts of persons under the small-cell rule. Any other
        warning is given as the program's English text (keys named by their labels), marked as
        English in other languages.

        Examples
        --------
        >>> from analysis.stats.notices import Notice
        >>> r = Report("02_validation_report", None, lang="fi", display=False)
        >>> r.labels = study_labels("fi")
        >>> r.program_note(Notice("negative_items", "items {items} correlate negatively", items=["sat_health", "sat_family"]))
        >>> r.program_note("some other warning")
        >>> r._notes
        ['Osiot Terveys ja Perhe ja läheiset korreloivat negatiivisesti asteikon muiden osioiden kanssa; käännä niiden pisteytys, jos ne on tarkoitettu käänteisiksi (samaa neuvoo psych::alpha).', 'Ohjelman ilmoitus (englanniksi): some other warning']
        """
        note = self._said(getattr(message, "notice", message))
        note = note[:1].upper() + note[1:]
        if note not in self._notes:
            self._notes.append(note)

    def _said(self, notice: Any) -> str:
        """A warning of the statistics code in the report language (see :meth:`program_note`)."""
        key, fields = getattr(notice, "key", None), getattr(notice, "fields", {})
        if key is None or not i18n.has(f"stats.{key}", self.lang):
            text = re.sub(r"\b[a-z][a-z0-9]*_[a-z0-9_]+\b", lambda m: self.labels.keys.get(m[0], m[0]), str(notice))
            return self.t("common.program_note", message=text)

        def word(name: str, value: Any) -> Any:
            if value is None:
                return ""
            if isinstance(value, bool):
                return self.t("common.yes" if value else "common.no")
            if isinstance(value, int):           # n, n_…: persons or their rows (small-cell rule)
                return self.n(value) if name == "n" or name.startswith("n_") else self.count(value)
            if isinstance(value, float):
                return self.num(value)
            if isinstance(value, (list, tuple)):
                return present.words([self.labels.any(str(v)) for v in value], self.lang)
            return self.labels.any(str(value))
        said = {name: word(name, value) for name, value in fields.items()}
        said.update({f"n_{name}": len(value) for name, value in fields.items() if isinstance(value, (list, tuple))})
        group = fields.get("group")
        said["in_group"] = "" if group is None else self.t("stats.in_group", group=said["group"])
        return self.t(f"stats.{key}", **said)

    def skip(self, reason_key: str, **fields: Any) -> None:
        """Say in the report that a section was not produced and why."""
        reason = self.t(reason_key, **fields)
        self._add(Block("skip", text=self.t("common.skipped", reason=reason), extra={"reason": reason}))

    @contextlib.contextmanager
    def attempt(self):
        """Run a section's statistics; when the data cannot support them (too few persons, an
        item everyone answered alike, a model that does not converge) the section gets a note
        saying so instead of stopping the report.

        Examples
        --------
        >>> r = Report("01_data_intake", None, display=False)
        >>> with r.attempt():
        ...     raise ValueError("need at least 3 rows")
        >>> r._blocks[-1].text
        'Section not produced: the data do not allow it (need at least 3 rows)'
        """
        try:
            yield
        except Exception as exc:          # noqa: BLE001 - any statistic's failure becomes a note
            reason = str(exc).strip().splitlines()[0][:300] if str(exc).strip() else type(exc).__name__
            self.skip("common.cannot_compute", reason=reason)

    def has(self, population: str, instrument: str | None = None, dataset: str | None = None) -> bool:
        """Whether the study has these data (``False`` without a study)."""
        return self.study is not None and self.study.has(population, instrument, dataset)

    def section(self, key: str, needs: Sequence[tuple[str, str]] = (), level: int = 2) -> bool:
        """Start a section (heading ``key``); when an input of ``needs`` — (population,
        instrument or dataset) pairs — is missing, add a note instead and return False."""
        self.heading(key, level)
        for population, kind in needs:
            if not (self.has(population, kind) or self.has(population, dataset=kind)):
                what = f"{self.t('values.' + population)} – {self.labels.value('', kind)}"
                self.skip("common.missing_input", what=what)
                return False
        return True

    def table(self, name: str, data: pd.DataFrame, *, title: str | None = None, title_key: str | None = None,
              counts: Sequence[str] | None | object = _AUTO, spec: TableSpec | None = None,
              kinds: dict[str, str] | None = None, hide: Sequence[str] = (), notes: Sequence[str] = (),
              row_kinds: str | None = None, keep: Sequence[str] = (), show: bool = True,
              label_as: Mapping[str, str] | None = None, columns_of: Sequence[str] = (),
              **fields: Any) -> present.ShownTable:
        """Protect, format, show and keep a table; returns the :class:`~present.ShownTable`.

        Disclosure control (:mod:`analysis.report.disclosure`) runs over every table of the
        report together. ``spec`` says what the rows are (dimensions that add up, totals,
        percentages) so that no hidden value can be recomputed from totals or other tables;
        without it each row is its own group (``counts``: the columns holding numbers of
        persons, default ``n`` and ``n_…``; ``keep``: numeric columns that label a row, such as
        a raw score). ``counts=None`` declares a table without person counts (fit measures,
        file rows). ``title_key`` names the catalogue message of the title (default
        ``<report>.tables.<name>``). ``show=False`` keeps the table for the workbook only (a
        long reference table that the page summarises). ``label_as`` labels a column's codes as
        those of another column (``{"group": "activity"}``: the groups are activity codes);
        ``columns_of`` says the column names are groups of these columns' codes.
        """
        if not re.fullmatch(r"[A-Za-z0-9_]+", name):
            raise ValueError(f"table name {name!r}: letters, digits or '_' (it names a CSV file and a sheet)")
        if name in self._tables:
            raise ValueError(f"table {name!r} added twice to report {self.name!r}")
        named = any(n is not None for n in data.index.names)
        machine = data.reset_index() if named else data.reset_index(drop=True)
        masked = data.attrs.get("hidden")          # cells a masking function of disclosure hid
        if masked is not None:
            masked = pd.DataFrame(masked).reset_index(drop=True).reindex(columns=machine.columns, fill_value=False)
            if masked.shape != machine.shape:
                raise ValueError(f"table {name!r}: its attrs['hidden'] does not fit the table")
        self._masked[name] = masked
        if counts is not None and len(machine):
            spec = spec or TableSpec.declared(machine, f"{self.name}/{name}") or self._row_spec(name, machine, counts, keep)
            if spec is not None:
                machine = self.disclosure.protect(name, machine, spec).drop(columns="_row", errors="ignore")
        args = {"kinds": kinds, "hide": hide, "row_kinds": row_kinds, "label_as": label_as, "columns_of": columns_of}
        shown = present.present(machine, self.lang, self.labels, hidden=self._hidden(name, machine), **args)
        caption = title if title is not None else self.t(title_key or f"{self.name}.tables.{name}", **fields)
        self._captions[name] = caption
        abbreviations = "; ".join(f"{k} = {v}" for k, v in shown.abbreviations if k not in _SELF_EVIDENT)
        block_notes = tuple([*notes, *([abbreviations + "."] if abbreviations else [])])
        self._tables[name] = shown
        self._table_args[name] = args
        if show:
            number = 1 + sum(b.kind == "table" for b in self._blocks)
            self._add(Block("table", text=caption, number=number, table=shown, notes=block_notes))
        return shown

    def _hidden(self, name: str, machine: pd.DataFrame) -> pd.DataFrame:
        """Which cells of table ``name`` are hidden now: by the report's disclosure control or
        by the masking function the table came from."""
        mask = pd.DataFrame(False, index=machine.index, columns=machine.columns)
        if name in self.disclosure.specs:
            mask |= self.disclosure.hidden_mask(name).reindex(columns=machine.columns).to_numpy(bool)
        if self._masked.get(name) is not None:
            mask |= self._masked[name].to_numpy(bool)
        return mask

    def _row_spec(self, name: str, machine: pd.DataFrame, counts, keep: Sequence[str]) -> TableSpec | None:
        """Each row its own group of persons: the table's text columns say which."""
        n_cols = [c for c in machine.columns if c == "n" or str(c).startswith("n_")] if counts is _AUTO else list(counts)
        if not n_cols:
            return None
        context = [c for c in machine.columns if c not in n_cols and c not in keep
                   and not pd.api.types.is_numeric_dtype(machine[c])]
        if not context or machine.duplicated(context).any():
            machine["_row"] = range(len(machine))          # rows not told apart by their labels
            context = [*context, "_row"]
        return TableSpec(population=f"{self.name}/{name}", counts=n_cols, context=context, labels=list(keep))

    def _final_blocks(self) -> list[Block]:
        """The blocks with every table as disclosure control leaves it after the last table."""
        refreshed = {}
        for name in self._tables:
            if name in self.disclosure.specs:
                machine = self.disclosure.shown(name).drop(columns="_row", errors="ignore")
                old = self._tables[name]
                self._tables[name] = present.present(machine, self.lang, self.labels, hidden=self._hidden(name, machine),
                                                     **self._table_args[name])
                refreshed[id(old)] = self._tables[name]
        blocks = []
        for b in self._blocks:
            if b.kind == "table" and id(b.table) in refreshed:
                b = Block("table", text=b.text, number=b.number, table=refreshed[id(b.table)], notes=b.notes)
            blocks.append(b)
        return blocks

    def _save_figure(self, name: str, fig) -> Path:
        import matplotlib as mpl

        self.fig_dir.mkdir(parents=True, exist_ok=True)
        png = self.fig_dir / f"{self.name}_{name}.png"
        with mpl.rc_context({"svg.hashsalt": f"{self.name}-{name}", "svg.fonttype": "path"}):
            fig.savefig(png, dpi=300, bbox_inches="tight", metadata={"Software": None})
            fig.savefig(png.with_suffix(".svg"), bbox_inches="tight", metadata={"Date": None, "Creator": None})
        return png

    def figure(self, name: str, fig, caption_key: str, **fields: Any) -> Path:
        """Save a matplotlib figure (PNG 300 dpi and SVG) and add it with its caption.

        For a figure of counts or group statistics use :meth:`table_figure`, which draws from
        a table as published; this one is for figures without persons' counts (eigenvalues)
        or, in an internal report only, figures of individuals."""
        png = self._save_figure(name, fig)
        self._n_figures += 1
        self._add(Block("figure", text=self.t(caption_key, **fields), number=self._n_figures, image=png))
        return png

    def table_figure(self, name: str, table: str, draw, caption_key: str, *, options: dict | None = None,
                     **fields: Any) -> Path:
        """A figure drawn from the table ``table`` of this report **as published**.

        ``draw(shown, lang=..., **options)`` gets the table's machine form after disclosure
        control (hidden cells as the text ``<5`` or ``..``), so the figure can show no number
        the tables hide. When tables added later hide further cells of ``table``,
        :meth:`finish` draws the figure again from the final table. What a figure was drawn
        from is in :attr:`figure_data`.

        Examples
        --------
        >>> import pandas as pd, tempfile
        >>> from analysis.report.disclosure import TableSpec
        >>> from analysis.report.figures import count_chart
        >>> r = Report("05_participant_surveys", None, out_dir=tempfile.mkdtemp(), display=False)
        >>> bands = pd.DataFrame({"band": ["low", "mid", "high", "all"], "n": [2, 9, 12, 23]})
        >>> _ = r.table("bands", bands, spec=TableSpec(population="respondents", dims=["band"]), title="Bands")
        >>> _ = r.table_figure("bands", "bands", count_chart, "figures.respondents", options={"category": "band"})
        >>> r.figure_data["bands"]["n"].tolist()
        ['<5', '..', 12, 23]
        """
        if table not in self._tables:
            raise ValueError(f"figure {name!r}: no table {table!r} in report {self.name!r} (add the table first)")
        options = dict(options or {})
        shown = self[table].copy()
        png = self._save_figure(name, draw(shown, lang=self.lang, **options))
        self._figure_sources[name] = (table, draw, options, shown)
        self._n_figures += 1
        self._add(Block("figure", text=self.t(caption_key, **fields), number=self._n_figures, image=png))
        return png

    @property
    def figure_data(self) -> dict[str, pd.DataFrame]:
        """The published table each :meth:`table_figure` was (last) drawn from, by figure name."""
        return {name: source[3] for name, source in self._figure_sources.items()}

    def _redraw_figures(self) -> None:
        """Draw again every table figure whose table disclosure control changed since."""
        for name, (table, draw, options, drawn) in list(self._figure_sources.items()):
            final = self[table]
            if not final.equals(drawn):
                self._save_figure(name, draw(final.copy(), lang=self.lang, **options))
                self._figure_sources[name] = (table, draw, options, final.copy())

    def __getitem__(self, name: str) -> pd.DataFrame:
        """The machine form of a table added before (numbers after disclosure control)."""
        return self._tables[name].machine

    # ------------------------------------------------------------------------- output
    def meta(self) -> list[tuple[str, str]]:
        """Title-block lines: study, data folder, date, version, commit."""
        rows = [(self.t("common.study"), (self.study.title if self.study and self.study.title
                                          else self.t("common.untitled_study"))),
                (self.t("common.date"), report_date(self.study).isoformat()),
                (self.t("common.version"), analysis.__version__)]
        if self.study is not None:
            rows.insert(1, (self.t("common.data_folder"), self.study.path.resolve().name))
        commit = git_commit()
        if commit:
            rows.append((self.t("common.commit"), commit))
        return rows

    def _about(self, sheets: Sequence[str]) -> pd.DataFrame:
        """The workbook's About sheet: the report, its study and the small-cell rule, the
        ``sheets`` that follow and where the machine tables are."""
        rows = [(self.t("common.report"), self.title), *self.meta(),
                (self.t("common.language"), self.lang),
                (self.t("common.notes"), self.small_cells() + " " + self.disclosure_note())]
        if self.study is not None and self.study.synthetic:
            rows.append((self.t("workbook.warning"), self.t("common.synthetic_warning")))
        rows.append((self.t("workbook.sheets"), "; ".join(sheets)))
        rows.append((self.t("workbook.machine_tables"),
                     self.t("workbook.machine_tables_text", report=self.name, min_count=self.policy.min_count)))
        return pd.DataFrame(rows, columns=[self.t("common.item"), self.t("common.value")])

    def small_cells(self) -> str:
        """The small-cell rule in one sentence (every page's footer)."""
        return self.t("disclosure.footer", min_count=self.policy.min_count,
                      min_statistic_n=self.policy.min_statistic_n)

    def disclosure_note(self) -> str:
        """The method note on the small-group rule (:class:`~analysis.report.disclosure.Policy`)."""
        p = self.policy
        rule = (self.t("disclosure.rule_overridden", preset=p.preset, overridden=", ".join(p.overridden))
                if p.overridden else self.t("disclosure.rule", preset=p.preset))
        return self.t("disclosure.method", rule=rule, min_count=p.min_count, min_statistic_n=p.min_statistic_n,
                      max_small=p.min_count - 1, source=self.t(f"disclosure.sources.{p.preset}"))

    def _glossary(self, names: Mapping[str, str]) -> pd.DataFrame:
        """The workbook's Glossary sheet: for each table's sheet (``names``: table → sheet name)
        every column's heading there, its name in the machine table (CSV) and what it means
        (:func:`analysis.report.present.glossary`), so that the two forms can be joined."""
        parts = []
        for name, sheet in names.items():
            words = present.glossary([self._tables[name]], self.lang, self.labels)     # column, heading, meaning
            parts.append(pd.DataFrame({self.t("workbook.sheet"): sheet,
                                       self.t("common.heading"): words.iloc[:, 1],
                                       self.t("workbook.csv_column"): words.iloc[:, 0],
                                       self.t("workbook.csv"): f"tables/{self.name}/{name}.csv",
                                       self.t("common.meaning"): words.iloc[:, 2]}))
        columns = [self.t(k) for k in ("workbook.sheet", "common.heading", "workbook.csv_column", "workbook.csv",
                                       "common.meaning")]
        return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=columns)

    def _hidden_reasons(self, shown: present.ShownTable) -> pd.DataFrame | None:
        """Why each hidden cell of a table is hidden, in words (None where a cell is shown), told
        by its mark: a small group (``<5``), else a statistic of a group under the statistics'
        limit or a cell hidden to protect another (``..``)."""
        if shown.mask is None or not shown.mask.to_numpy().any():
            return None
        fields = {"min_count": self.policy.min_count, "min_statistic_n": self.policy.min_statistic_n}
        out = pd.DataFrame(None, index=shown.mask.index, columns=shown.mask.columns, dtype=object)
        for i, j in zip(*shown.mask.to_numpy().nonzero()):
            other = shown.machine.iat[i, j] == self.disclosure.complement_mask
            out.iat[i, j] = self.t("workbook.hidden.other" if other else "workbook.hidden.primary", **fields)
        return out

    def _workbook(self, blocks: Sequence[Block]) -> tuple[dict[str, Any], dict[str, dict]]:
        """The workbook's sheets: About, Glossary and one sheet per table, named, titled and
        headed in the report language ("Table 3 Change…"; a table kept for the workbook only is
        "Table S1…"), its hidden cells empty with the reason (:class:`analysis.report.export.Sheet`);
        and the number formats of each table's sheet."""
        from analysis.report.export import Sheet, sheet_name

        shown_as = {id(b.table): b for b in blocks if b.kind == "table"}
        names, tables, formats, extra = {}, {}, {}, 0
        for name, shown in self._tables.items():
            block = shown_as.get(id(shown))
            if block is not None:
                label, notes = f"{self.t('common.table')} {block.number}", list(block.notes)
            else:
                extra += 1
                label, notes = self.t("workbook.extra_table", number=extra), [self.t("workbook.workbook_only")]
            caption = block.text if block is not None else self._captions[name]
            hidden = self._hidden_reasons(shown)
            if hidden is not None:
                notes += [self.t("workbook.hidden_note", min_count=self.policy.min_count), self.small_cells()]
            names[name] = sheet_name(f"{label} {caption}")
            if names[name] in tables:
                raise ValueError(f"{self.name}: two tables would be sheet {names[name]!r}")
            formats[names[name]] = shown.formats()
            tables[names[name]] = Sheet(shown.workbook(), headers=[shown.headings.get(str(c), str(c))
                                                                    for c in shown.machine.columns],
                                        title=(label, caption), notes=notes, hidden=hidden)
        about, glossary = self.t("workbook.about"), self.t("workbook.glossary")
        return ({about: Sheet(self._about(list(tables)), title=(about, self.title)),
                 glossary: Sheet(self._glossary(names), title=(glossary, self.t("workbook.glossary_caption"))),
                 **tables}, formats)

    def finish(self) -> dict[str, Path]:
        """Write HTML, Word and Excel (and the notes section); returns their paths."""
        from analysis.report.export import write_csv, write_xlsx

        self.out_dir.mkdir(parents=True, exist_ok=True)
        blocks = self._final_blocks()
        self._redraw_figures()
        leaks = audit(self.disclosure.tables, self.disclosure.specs, policy=self.policy)
        if len(leaks):
            raise RuntimeError(f"{self.name}: disclosure audit recovers hidden values; nothing was written:\n"
                               + leaks[["table", "column", "group", "attack"]].to_string(index=False))
        if self.chapter_dir is not None:
            Chapter(self.name, self.title, self.lang, tuple(blocks), tuple(self._notes)).save(self.chapter_dir)
        blocks.append(Block("heading", text=self.t("common.notes"), level=2, anchor="notes"))
        blocks += [Block("note", text=n) for n in [*self._notes, self.disclosure_note()]]
        footer = (self.small_cells() + " "
                  + self.t("common.generated_by", version=analysis.__version__))
        paths = {"html": self.out_dir / f"{self.name}.html", "docx": self.out_dir / f"{self.name}.docx",
                 "xlsx": self.out_dir / f"{self.name}.xlsx"}
        paths["html"].write_text(render_html(self.title, blocks, meta=self.meta(), lang=self.lang,
                                             footer=footer), encoding="utf-8")
        render_docx(paths["docx"], self.title, blocks, meta=self.meta(), lang=self.lang, footer=footer)
        sheets, formats = self._workbook(blocks)
        write_xlsx(sheets, paths["xlsx"], sheet_formats=formats)
        for name, shown in self._tables.items():      # machine form: keys and codes, for re-analysis
            write_csv(shown.machine, self.out_dir / "tables" / self.name / f"{name}.csv")
        if self.disclosure.specs:       # what the machine tables' numbers are, for an audit of the folder
            write_declarations(self.policy, self.disclosure.specs, self.out_dir / "tables" / self.name)
        if self._display:
            self.paragraph(self.t("common.workbook_written", workbook=paths["xlsx"].name,
                                  docx=paths["docx"].name, html=paths["html"].name))
        return paths


def study_labels(lang: str) -> present.Labels:
    """Labels of every instrument's items and scores and of the data dictionary's categories.

    Examples
    --------
    >>> study_labels("en").keys["sat_health"], study_labels("fi").keys["sat_health"]
    ('Health', 'Terveys')
    """
    from analysis.report.labels import field_labels, value_labels

    keys, values = value_labels(lang)
    return present.Labels(lang, keys=keys, values=values, fields=field_labels(lang))


def open_report(name: str, data_dir: str | Path | None, out_dir: str | Path, *, lang: str | None = None,
                seed: int = 2026, cache_dir: str | Path | None = None) -> Report:
    """The one setup call of a report notebook.

    Loads the study of ``data_dir`` (through ``cache_dir`` when the report run shares one
    load between notebooks), takes the report language from ``lang`` or the manifest, and
    returns the :class:`Report` the notebook adds to. Python warnings raised while the
    notebook runs go to the report's Notes section, not to the page.

    Examples
    --------
    >>> from analysis import datasets
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as out, warnings.catch_warnings():
    ...     report = open_report("01_data_intake", datasets.path("demo"), out)
    >>> report.lang, report.title, report.study.synthetic
    ('en', 'Data intake', True)
    """
    study = None
    if data_dir is not None:
        study = cached_study(data_dir, cache_dir) if cache_dir else load_study(data_dir)
    language = lang or (study.manifest.language if study is not None else "en")
    chapters = Path(cache_dir) / CHAPTERS if cache_dir else None
    report = Report(name, study, lang=language, out_dir=out_dir, seed=seed, chapter_dir=chapters)
    _route_warnings(report)
    return report


def _route_warnings(report: Report) -> None:
    """Show Python warnings as report notes (the page never shows a stderr box)."""
    def show(message, category, filename, lineno, file=None, line=None):
        report.program_note(message)
    warnings.showwarning = show
