"""A study's data folder: its ``manifest.yaml`` (who, when, which files) and the loaded data.

The manifest describes a *study*, not file names. Reports and library code find data by
population and instrument (or dataset), never by file name::

    title: Integraattori pilot, Kuopio 2025      # optional; shown on every report
    authors: [Maija Meikäläinen, Matti Virtanen] # optional: the final report's title page
    organisation: Kuopion kaupunki               # optional: the final report's title page
    description: Kahden vuoden pilotti ...       # optional: opens the final report's method chapter
    synthetic: false                             # true: every report warns at the top
    language: fi                                 # default report language (en | fi)
    occasions:                                   # per population, in time order
      pilot: [alkumittaus, seuranta]             # first = baseline, last = latest follow-up
      cohort: [t1, uusinta]                      # first = main measurement, second = retest
    reliable_change:                             # optional: RCI parameters when no cohort retest
      source: Publisher's manual (2023), two-week retest, n = 120
      default: {reliability: 0.80, sd: 2.0}      # and/or per score: {sat_health: {...}}
    comments: redact                             # open answers screened (default) | withhold
    process: {phases: [ohjautuminen, arviointi, suunnitelma, tarkistus], plan: suunnitelma,
              review: tarkistus, review_months: 6}   # optional: the client process (report 08)
    identification: {window_months: 12, min_visits: 10, min_sectors: 2}   # optional: who uses many services
    disclosure: {preset: project, min_count: 5, min_statistic_n: 10}   # optional: the small-group rule
    files:
      - {path: asiakkaat_2025.xlsx, population: pilot, instrument: 3x10d}
      - {path: seuranta/asiakkaat.csv, population: pilot, instrument: 3x10d, occasion: seuranta}
      - {path: asiakaskysely.csv, population: pilot, instrument: client-survey}
      - {path: taustat.csv, population: pilot, dataset: background}
      - {path: vanha_vienti.csv, population: cohort, instrument: 3x10d, recode: 1-11}

``population`` is one of :data:`POPULATIONS`: ``cohort`` (comparison / validation sample),
``pilot`` (the model's clients) or ``staff`` (professionals). A file is either responses to
an ``instrument`` (``questionnaires/<id>.yaml``) or a ``dataset`` of the data
dictionary (``data_dictionary/<dataset>.json``; ``dataset: background`` of population
``pilot`` uses ``pilot-background.json`` when that exists). A file without an occasion column
may name its ``occasion``; several files of one population and instrument are read as one
table. Per-file ``synthetic: true`` marks a synthetic file in an otherwise real study, and
``recode: 1-11`` a file whose 0–10 items were coded 1–11 (1 is subtracted from each; a file that
looks so coded without it is refused with a message naming this key).
``process`` (phases in order, the first being the referral; the phases that are the plan, a named
responsible worker and a review; the review interval) and ``identification`` (criteria of a
client who uses many services, counted from a visit register) are described in
:mod:`analysis.intake.process`, which also rejects process-event rows with an undeclared phase,
a date before the client's referral or a client not in the visit register.
Occasion cells (and a file's ``occasion``) are matched to the declared labels ignoring case and
spacing (``Alku``, ``ALKU `` → ``alku``) and written as declared; declared labels must therefore
differ by more than case. A cell matching no declared label rejects its row.

Every manifest mistake — no ``files``, a path outside the folder or missing, an unknown
instrument, dataset or population, an occasion not declared — is reported together in one
:class:`ManifestError` naming the entry, before anything is loaded; each also as a
:class:`ManifestProblem` whose code and fields let the command line say it in the report's language. Files are then loaded in
reject-rows mode: valid rows are used, invalid rows are kept in :attr:`Study.rejected` with
their reasons, and :meth:`Study.intake` shows accepted + rejected = rows read for every file.

Examples
--------
>>> from analysis import datasets
>>> study = load_study(datasets.path("demo"))                                  # doctest: +SKIP
>>> study.scores("pilot", "3x10d")[["respondent_id", "occasion"]].head()  # doctest: +SKIP
"""
from __future__ import annotations

import dataclasses
import datetime as _dt
import hashlib
import pickle
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

import pandas as pd
import yaml

import analysis
from analysis.intake.dictionary import DICTIONARY_DIR, load_schema
from analysis.intake.instruments import available_instruments
from analysis.intake.privacy import mask_identifiers
from analysis.intake.process import (
    IdentificationSpec,
    ProcessSpec,
    check_declared,
    check_events,
    declared_date,
    read_identification,
    read_process,
)
from analysis.intake.readers import (
    RECODES,
    REJECTION_COLUMNS,
    InputError,
    LoadResult,
    load_responses,
    load_table,
)
from analysis.intake.scoring import score

#: The roles a file can play in a study.
POPULATIONS = ("cohort", "pilot", "staff")
LANGUAGES = ("en", "fi")
_TOP_KEYS = {"title", "synthetic", "language", "occasions", "files", "reliable_change", "seed", "description",
             "comments", "date", "process", "identification", "disclosure", "authors", "organisation"}
#: What reports do with open comments: publish them screened (``redact``) or not at all.
COMMENTS = ("redact", "withhold")
_ENTRY_KEYS = {"path", "population", "instrument", "dataset", "occasion", "synthetic", "description", "recode"}


@dataclass(frozen=True)
class ManifestProblem:
    """One manifest problem: ``code`` and ``fields`` say it as data, so that a console or report
    says it in its own language; ``text`` (also ``str()``) is the English sentence. A problem
    without a code (``None``) has only its text.

    Examples
    --------
    >>> p = ManifestProblem("files[2] (a.csv): file not found", "path_not_found", {"number": 2, "path": "a.csv"})
    >>> str(p), p.code
    ('files[2] (a.csv): file not found', 'path_not_found')
    """

    text: str
    code: str | None = None
    fields: Mapping = field(default_factory=dict, compare=False)

    def __str__(self) -> str:
        return self.text

    def masked(self) -> ManifestProblem:
        """The problem with every identity-code-like part of its text and fields masked."""
        return ManifestProblem(mask_identifiers(self.text), self.code, _masked(self.fields))


def _masked(value):
    if isinstance(value, str):
        return mask_identifiers(value)
    if isinstance(value, Mapping):
        return {k: _masked(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_masked(v) for v in value]
    return value


def _problem(code: str, text: str, **fields) -> ManifestProblem:
    return ManifestProblem(text, code, fields)


class ManifestError(ValueError):
    """Everything wrong with a manifest, in one message: ``problems`` lists the English
    sentences, ``details`` the same as :class:`ManifestProblem` (code and fields)."""

    def __init__(self, path: Path, problems: list[str | ManifestProblem]):
        self.path = path
        # they quote files: never a code
        self.details = [(p if isinstance(p, ManifestProblem) else ManifestProblem(str(p))).masked() for p in problems]
        self.problems = [p.text for p in self.details]
        head = f"{path}: {len(self.problems)} problem{'s' if len(self.problems) != 1 else ''} in the study manifest"
        super().__init__("\n".join([head, *(f"  - {p}" for p in self.problems)]))


@dataclass(frozen=True)
class FileEntry:
    """One file of the study. ``key`` is its path relative to the folder without the suffix
    (unique, so two ``answers.csv`` in different sub-folders stay two files)."""

    key: str
    path: str
    source: Path
    population: str
    instrument: str | None = None
    dataset: str | None = None
    schema: str | None = None
    occasion: str | None = None
    synthetic: bool = False
    description: str = ""
    recode: str | None = None

    @property
    def kind(self) -> str:
        """The instrument id or the dataset name."""
        return self.instrument or self.dataset or ""


@dataclass(frozen=True)
class ReliableChange:
    """RCI parameters given in the manifest: ``reliability`` and ``sd`` per score (``default``
    for scores not listed) and where they come from (``source``)."""

    source: str
    default: Mapping[str, float] | None = None
    scores: Mapping[str, Mapping[str, float]] = field(default_factory=dict)

    def parameters(self, score_keys: list[str]) -> pd.DataFrame:
        """``score, reliability, sd`` for the scores that have parameters."""
        rows = []
        for key in score_keys:
            given = self.scores.get(key, self.default)
            if given is not None:
                rows.append({"score": key, "reliability": float(given["reliability"]), "sd": float(given["sd"])})
        return pd.DataFrame(rows, columns=["score", "reliability", "sd"])


@dataclass(frozen=True)
class Manifest:
    """A checked study manifest."""

    root: Path
    files: tuple[FileEntry, ...]
    title: str | None = None
    language: str = "en"
    synthetic: bool = False
    occasions: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    reliable_change: ReliableChange | None = None
    comments: str = "redact"
    #: The data's date (``date: 2025-06-30``, e.g. of the extract), printed as the reports' date.
    date: _dt.date | None = None
    #: The declared client process and identification criteria (:mod:`analysis.intake.process`).
    process: ProcessSpec | None = None
    identification: IdentificationSpec | None = None
    #: The ``disclosure:`` block as written (``preset``, ``min_count``, ``min_statistic_n``): the
    #: small-group rule of the reports (:class:`analysis.report.disclosure.Policy`); empty: the project's.
    disclosure: Mapping[str, object] = field(default_factory=dict)
    #: For the final report's title page and method chapter: who wrote it, for whom, the study in a few sentences.
    authors: tuple[str, ...] = ()
    organisation: str = ""
    description: str = ""

    def entries(self, population: str | None = None, kind: str | None = None) -> list[FileEntry]:
        """Files of a population and instrument/dataset (``None``: any)."""
        return [e for e in self.files if population in (None, e.population) and kind in (None, e.kind)]


def _datasets() -> list[str]:
    generated = ("responses-", "scores-", "rejections")
    return sorted(p.stem for p in DICTIONARY_DIR.glob("*.json") if not p.stem.startswith(generated))


def _schema_for(dataset: str, population: str) -> str | None:
    known = _datasets()
    for name in (f"{population}-{dataset}", dataset):
        if name in known:
            return name
    return None


def _inside(root: Path, raw: str) -> tuple[Path | None, tuple[str, str] | None]:
    """Resolved path of ``raw`` below ``root`` (symlinks followed), or why it is refused (code, text)."""
    if Path(raw).is_absolute() or Path(raw).drive:
        return None, ("path_absolute", "is an absolute path; give it relative to the data folder")
    target = (root / raw).resolve()
    if not target.is_relative_to(root.resolve()):
        return None, ("path_outside", "points outside the data folder")
    if not target.is_file():
        return None, ("path_not_found", "file not found")
    return target, None


def _check_occasions(value: object, problems: list) -> dict[str, tuple[str, ...]]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        problems.append(_problem("occasions_type", "occasions: expected a mapping population → list of occasions "
                                 "in time order, e.g. {pilot: [alkumittaus, seuranta]}"))
        return {}
    out = {}
    for pop, labels in value.items():
        if pop not in POPULATIONS:
            problems.append(_problem("occasions_population", f"occasions: unknown population {pop!r}; expected one "
                                     f"of {', '.join(POPULATIONS)}", population=str(pop), allowed=list(POPULATIONS)))
            continue
        if not isinstance(labels, list) or not labels or not all(isinstance(x, (str, int)) for x in labels):
            problems.append(_problem("occasions_labels", f"occasions.{pop}: expected a non-empty list of occasion "
                                     "labels in time order", population=pop))
            continue
        labels = tuple(str(x) for x in labels)
        if len(set(labels)) != len(labels):
            problems.append(_problem("occasions_repeat", f"occasions.{pop}: labels repeat: {list(labels)}",
                                     population=pop, labels=list(labels)))
            continue
        folded = [fold_occasion(x) for x in labels]
        if len(set(folded)) != len(folded):
            problems.append(_problem("occasions_case", f"occasions.{pop}: labels differ only in case or spacing: "
                                     f"{list(labels)} (occasion cells are matched ignoring case and spacing); "
                                     "give distinct labels", population=pop, labels=list(labels)))
            continue
        out[pop] = labels
    return out


def _check_reliable_change(value: object, problems: list) -> ReliableChange | None:
    if value is None:
        return None
    expected = ("reliable_change: expected {source: <where the values come from>, default: {reliability: r, "
                "sd: s}} and/or per score {scores: {sat_health: {reliability: r, sd: s}}}")
    if not isinstance(value, Mapping) or not str(value.get("source") or "").strip():
        problems.append(_problem("rci_source", expected + " — the source is required so that the report can cite it"))
        return None

    def params(where: str, p: object) -> dict[str, float] | None:
        try:
            r, sd = float(p["reliability"]), float(p["sd"])
        except (TypeError, KeyError, ValueError):
            problems.append(_problem("rci_params", f"reliable_change.{where}: expected {{reliability: r, sd: s}}, "
                                     f"got {p!r}", where=where, value=repr(p)))
            return None
        if not (0 <= r < 1 and sd > 0):
            problems.append(_problem("rci_range", f"reliable_change.{where}: need 0 ≤ reliability < 1 and sd > 0, "
                                     f"got {r}, {sd}", where=where, reliability=r, sd=sd))
            return None
        return {"reliability": r, "sd": sd}

    default = params("default", value["default"]) if "default" in value else None
    scores = {str(k): params(f"scores.{k}", v) for k, v in (value.get("scores") or {}).items()}
    if default is None and not scores:
        problems.append(_problem("rci_missing", expected))
    return ReliableChange(str(value["source"]).strip(), default, {k: v for k, v in scores.items() if v})


def read_manifest(data_dir: str | Path) -> Manifest:
    """Read and check ``<data_dir>/manifest.yaml``; every problem in one :class:`ManifestError`.

    Examples
    --------
    >>> from analysis import datasets
    >>> manifest = read_manifest(datasets.path("demo"))
    >>> len(manifest.files), manifest.occasions["pilot"], manifest.files[0].kind
    (18, ('baseline', '6m', '12m'), 'background')
    """
    root = Path(data_dir)
    path = root / "manifest.yaml"
    if not path.is_file():
        raise ManifestError(path, [_problem("manifest_missing", "not found: a data folder describes its study in "
                                            "manifest.yaml (see analysis/datasets/demo/manifest.yaml and the README)")])
    try:
        spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise ManifestError(path, [_problem("manifest_encoding", f"not readable as YAML: {exc}")]) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = {} if mark is None else {"line": mark.line + 1, "column": mark.column + 1}
        raise ManifestError(path, [_problem("manifest_yaml_at" if where else "manifest_yaml",
                                            f"not readable as YAML: {exc}", **where)]) from None
    except ValueError as exc:       # a value YAML reads as a date, but impossible (2025-13-01)
        found = _unconstructed(path.read_text(encoding="utf-8"))
        raise ManifestError(path, [_problem("manifest_yaml", f"not readable as YAML: {exc}") if found is None else
                                   _problem("manifest_date", f"line {found[0]}: {found[1]!r} is not a date ({exc})",
                                            line=found[0], value=found[1])]) from None
    if not isinstance(spec, Mapping):
        raise ManifestError(path, [_problem("manifest_type", "expected a mapping with at least a 'files' list")])
    problems: list[str | ManifestProblem] = []
    unknown = sorted(set(spec) - _TOP_KEYS)
    if unknown:
        problems.append(_problem("unknown_keys", f"unknown key(s) {unknown}; known keys: {', '.join(sorted(_TOP_KEYS))}",
                                 keys=list(map(str, unknown)), n=len(unknown), known=sorted(_TOP_KEYS)))
    language = str(spec.get("language", "en"))
    if language not in LANGUAGES:
        problems.append(_problem("language", f"language: {language!r} is not one of {', '.join(LANGUAGES)}",
                                 value=language, allowed=list(LANGUAGES)))
    occasions = _check_occasions(spec.get("occasions"), problems)
    comments = str(spec.get("comments", "redact"))
    if comments not in COMMENTS:
        problems.append(_problem("comments", f"comments: {comments!r} is not one of {', '.join(COMMENTS)}",
                                 value=comments, allowed=list(COMMENTS)))
    rci = _check_reliable_change(spec.get("reliable_change"), problems)
    date = declared_date(spec.get("date"), "date", problems)
    process = read_process(spec.get("process"), problems)
    identification = read_identification(spec.get("identification"), problems)
    disclosure = _check_disclosure(spec.get("disclosure"), problems)
    authors = spec.get("authors") or ()
    authors = (authors,) if isinstance(authors, str) else authors
    if not isinstance(authors, (list, tuple)) or not all(isinstance(a, str) for a in authors):
        problems.append(_problem("authors", "authors: expected a name or a list of names"))
        authors = ()
    files = spec.get("files")
    if not isinstance(files, list) or not files:
        problems.append(_problem("files_missing", "files: missing or empty; list the study's files, e.g. "
                                 "- {path: answers.csv, population: pilot, instrument: 3x10d}"))
        files = []
    instruments = set(available_instruments())
    entries, seen_paths, seen_keys = [], {}, {}
    for number, item in enumerate(files, start=1):
        where = f"files[{number}]"
        if not isinstance(item, Mapping) or "path" not in item:
            problems.append(_problem("entry_type", f"{where}: expected {{path: ..., population: ..., instrument: ... "
                                     f"or dataset: ...}}, got {item!r}", number=number, value=repr(item)))
            continue
        raw = str(item["path"])
        where, entry = f"files[{number}] ({raw})", {"number": number, "path": raw}
        bad_keys = sorted(set(item) - _ENTRY_KEYS)
        if bad_keys:
            problems.append(_problem("entry_keys", f"{where}: unknown key(s) {bad_keys}; known: "
                                     f"{', '.join(sorted(_ENTRY_KEYS))}", **entry, keys=list(map(str, bad_keys)), n=len(bad_keys),
                                     known=sorted(_ENTRY_KEYS)))
        source, refused = _inside(root, raw)
        if refused:
            problems.append(_problem(refused[0], f"{where}: {refused[1]}", **entry))
        population = item.get("population")
        if population not in POPULATIONS:
            problems.append(_problem("population", f"{where}: population {population!r} is not one of "
                                     f"{', '.join(POPULATIONS)}", **entry, value=str(population),
                                     allowed=list(POPULATIONS))
                            if population is not None else
                            _problem("population_missing", f"{where}: no population; add population: cohort, "
                                     "pilot or staff", **entry, allowed=list(POPULATIONS)))
        instrument, dataset = item.get("instrument"), item.get("dataset")
        schema = None
        if instrument is None and dataset is None:
            problems.append(_problem("kind_missing", f"{where}: give instrument (one of {', '.join(sorted(instruments))})"
                                     f" or dataset (one of {', '.join(_datasets())})", **entry,
                                     instruments=sorted(instruments), datasets=_datasets()))
        elif instrument is not None:
            instrument = str(instrument)
            if instrument not in instruments:
                problems.append(_problem("instrument", f"{where}: unknown instrument {instrument!r}; known: "
                                         f"{', '.join(sorted(instruments))}", **entry, value=instrument,
                                         known=sorted(instruments)))
            dataset = None
        else:
            dataset = str(dataset)
            schema = _schema_for(dataset, str(population))
            if schema is None:
                problems.append(_problem("dataset", f"{where}: unknown dataset {dataset!r}; known: "
                                         f"{', '.join(_datasets())}", **entry, value=dataset, known=_datasets()))
        recode = item.get("recode")
        if recode is not None:
            recode = str(recode)
            if recode not in RECODES:
                problems.append(_problem("recode", f"{where}: recode {recode!r} is not known; the one recode is "
                                         f"{', '.join(RECODES)} (the 0–10 items were coded 1–11)", **entry,
                                         value=recode, known=list(RECODES)))
            elif instrument is None:
                problems.append(_problem("recode_dataset", f"{where}: recode applies to instrument responses, not to "
                                         f"dataset {dataset!r}", **entry, dataset=dataset))
        occasion = item.get("occasion")
        if occasion is not None:
            occasion = str(occasion)
            declared = occasions.get(str(population))
            if declared is None:
                problems.append(_problem("occasion_none_declared", f"{where}: occasion {occasion!r} given, but the "
                                         f"manifest declares no occasions for {population!r} (occasions: "
                                         f"{{{population}: [...]}})", **entry, value=occasion,
                                         population=str(population)))
            elif occasion not in declared:
                same = [d for d in declared if fold_occasion(d) == fold_occasion(occasion)]
                if len(same) == 1:
                    occasion = same[0]
                else:
                    problems.append(_problem("occasion_not_declared", f"{where}: occasion {occasion!r} is not "
                                             f"declared for {population!r} (declared: {', '.join(declared)})",
                                             **entry, value=occasion, population=str(population),
                                             declared=list(declared)))
        if source is not None:
            if source in seen_paths:
                problems.append(_problem("same_file", f"{where}: the same file as files[{seen_paths[source]}]",
                                         **entry, other=seen_paths[source]))
                continue
            seen_paths[source] = number
        key = str(Path(raw).with_suffix("")).replace("\\", "/")
        if key in seen_keys:
            key = str(Path(raw)).replace("\\", "/")
        seen_keys[key] = number
        entries.append(FileEntry(key=key, path=raw, source=source or root / raw, population=str(population),
                                 instrument=instrument, dataset=dataset, schema=schema, occasion=occasion,
                                 synthetic=bool(item.get("synthetic", spec.get("synthetic", False))),
                                 description=str(item.get("description", "")), recode=recode))
    check_declared(entries, process, problems, seen_keys)
    if problems:
        raise ManifestError(path, problems)
    return Manifest(root=root, files=tuple(entries), title=spec.get("title"), language=language,
                    synthetic=bool(spec.get("synthetic", False)), occasions=occasions, reliable_change=rci,
                    comments=comments, date=date, process=process, identification=identification,
                    disclosure=disclosure, authors=tuple(authors), organisation=str(spec.get("organisation") or ""),
                    description=" ".join(str(spec.get("description") or "").split()))


def _unconstructed(text: str) -> tuple[int, str] | None:
    """Line and text of the first scalar of a YAML document that the safe loader cannot make a
    value of (an impossible date such as ``2025-13-01``), or ``None``.

    Examples
    --------
    >>> _unconstructed("title: x\\ndate: 2025-13-01\\n"), _unconstructed("date: 2025-12-01")
    ((2, '2025-13-01'), None)
    """
    loader = yaml.SafeLoader(text)
    try:
        todo, seen = [loader.get_single_node()], set()
        while todo:
            node = todo.pop(0)
            if id(node) in seen:                        # an alias of a node already looked at
                continue
            seen.add(id(node))
            if isinstance(node, yaml.ScalarNode):
                try:
                    loader.construct_object(node)
                except ValueError:
                    return node.start_mark.line + 1, node.value
            elif isinstance(node, yaml.MappingNode):
                todo[:0] = [n for pair in node.value for n in pair]
            else:
                todo[:0] = list(node.value)
    finally:
        loader.dispose()
    return None


def _check_disclosure(value, problems: list) -> dict:
    """The manifest's ``disclosure`` block: its keys and whole numbers (the preset's name is
    checked where the presets are, :class:`analysis.report.disclosure.Policy`)."""
    if value is None:
        return {}
    keys = ("preset", "min_count", "min_statistic_n")
    if not isinstance(value, dict):
        problems.append(_problem("disclosure_type", f"disclosure: expected a mapping of {', '.join(keys)}, "
                                 f"got {value!r}", value=repr(value), keys=list(keys)))
        return {}
    problems += [_problem("disclosure_key", f"disclosure: unknown key {k!r} (keys: {', '.join(keys)})",
                          key=str(k), keys=list(keys)) for k in value if k not in keys]
    problems += [_problem("disclosure_number", f"disclosure: {k}: {value[k]!r} is not a whole number of at least 1",
                          key=k, value=repr(value[k])) for k in keys[1:]
                 if k in value and (isinstance(value[k], bool) or not isinstance(value[k], int) or value[k] < 1)]
    if "preset" in value and not isinstance(value["preset"], str):
        problems.append(_problem("disclosure_preset", f"disclosure: preset: {value['preset']!r} is not a name "
                                 "(e.g. project)", value=repr(value["preset"])))
    return {k: v for k, v in value.items() if k in keys}


# ----------------------------------------------------------------------------- the loaded study
def _as_in_file(result: LoadResult, schema: str | None) -> LoadResult:
    """Optional columns the file does not have are dropped (an empty column would pass for
    data: a weight column of nothing is not an unweighted sample); a column the schema
    derives from another (``derivedFrom``: age group from age) is filled when only the other
    is in the file."""
    in_file = set(result.header_map.values())
    data = result.data.drop(columns=[c for c in result.data.columns if c not in in_file and result.data[c].isna().all()])
    if schema is not None:
        for fld in load_schema(schema)["fields"]:
            rule = fld.get("derivedFrom")
            if rule and fld["name"] not in data and rule["field"] in data:
                source = pd.to_numeric(data[rule["field"]], errors="coerce")
                derived = pd.Series(pd.NA, index=data.index, dtype="string")
                for b in rule["bins"]:
                    derived[(source >= b["min"]) & (source <= b["max"])] = b["value"]
                data = data.assign(**{fld["name"]: derived.astype(object).where(derived.notna(), None)})
    return dataclasses.replace(result, data=data)


def fold_occasion(label: object) -> str:
    """An occasion label as compared: case folded, white space trimmed and runs of it made one space.

    Examples
    --------
    >>> fold_occasion("  Vuosi  2 "), fold_occasion("ALKU") == fold_occasion("alku")
    ('vuosi 2', True)
    """
    return " ".join(str(label).split()).casefold()


def _declared_spelling(result: LoadResult, declared: tuple[str, ...]) -> LoadResult:
    """Occasion cells matched to the declared labels ignoring case and white space
    (:func:`fold_occasion`) and written as declared; a cell that matches two declared labels
    only differently cased is rejected (which one is meant cannot be told). Unmatched cells are
    left as they are (rejected by the caller), and rows whose key (respondent and occasion)
    repeats only after the matching are rejected, naming the other rows."""
    data = result.data
    if "occasion" not in data or not len(data):
        return result
    by_fold: dict[str, list[str]] = {}
    for label in declared:
        by_fold.setdefault(fold_occasion(label), []).append(label)
    cells = data["occasion"]
    texts = cells.dropna().astype(str).unique()
    mapping, ambiguous = {}, {}
    for text in texts:
        if text in declared:
            continue
        matches = by_fold.get(fold_occasion(text), [])
        if len(matches) == 1:
            mapping[text] = matches[0]
        elif len(matches) > 1:
            ambiguous[text] = matches
    if ambiguous:
        bad = cells.isin(list(ambiguous))
        reasons = cells[bad].map(lambda t: f"occasion {t!r} matches the declared occasions "
                                           f"{', '.join(map(repr, ambiguous[t]))}, which differ only in case; "
                                           "write it exactly as declared")
        facts = cells[bad].map(lambda t: {"value": str(t), "declared": ambiguous[t]})
        result = result.reject(bad, "occasion", reasons, "occasion_ambiguous", facts)
        data, cells = result.data, result.data["occasion"]
    if not mapping:
        return result
    fixed = cells.astype(object).where(~cells.isin(list(mapping)), cells.map(mapping))
    result = dataclasses.replace(result, data=data.assign(occasion=fixed.astype(data["occasion"].dtype)))
    if "respondent_id" in data:
        keys = result.data[["respondent_id", "occasion"]]
        dup = keys.duplicated(keep=False) & keys.notna().all(axis=1)
        if dup.any():
            rows = keys[dup].groupby(list(keys.columns), sort=False).groups
            reasons = pd.Series({r: "duplicate respondent_id and occasion once the occasion is matched ignoring "
                                    f"case ({rid!r}, {occ!r}): also in row "
                                    + ", ".join(str(o) for o in idx if o != r)
                                 for (rid, occ), idx in rows.items() for r in idx})
            facts = pd.Series({r: {"fields": ["respondent_id", "occasion"], "values": [str(rid), str(occ)],
                                   "rows": [int(o) for o in idx if o != r]}
                               for (rid, occ), idx in rows.items() for r in idx}, dtype=object)
            result = result.reject(dup, "occasion", reasons.reindex(keys.index[dup]), "duplicate_key",
                                  facts.reindex(keys.index[dup]))
    return result


def _with_occasions(entry: FileEntry, result: LoadResult, declared: tuple[str, ...] | None,
                    problems: list) -> LoadResult:
    """Fill a file's fixed occasion; match occasion cells to the declared labels ignoring case and
    white space; reject rows whose occasion the manifest does not declare."""
    if declared is not None:
        result = _declared_spelling(result, declared)
    data = result.data
    if entry.occasion is not None:
        if "occasion" not in data:
            return dataclasses.replace(result, data=data.assign(occasion=entry.occasion))
        result = result.reject(data["occasion"].ne(entry.occasion), "occasion",
                              f"occasion differs from the manifest's occasion {entry.occasion!r} for this file",
                              "occasion_differs", {"expected": entry.occasion})
    elif "occasion" in data and declared is None and len(data):
        found = ", ".join(sorted(map(str, data["occasion"].dropna().unique()))[:10])
        problems.append(_problem("occasion_column", f"{entry.path}: the file has an occasion column ({found}) but "
                                 f"the manifest declares no occasions for {entry.population!r}; add occasions: "
                                 f"{{{entry.population}: [...]}} in time order", path=entry.path, found=found,
                                 population=entry.population))
        return result
    if declared is not None and "occasion" in result.data:
        result = result.reject(~result.data["occasion"].isin(declared), "occasion",
                              f"occasion not declared in the manifest for {entry.population!r} "
                              f"(declared: {', '.join(declared)})",
                              "occasion_undeclared", {"population": entry.population, "declared": list(declared)})
    return result


@dataclass(frozen=True)
class Study:
    """A study's files, loaded, checked and scored (see :func:`load_study`)."""

    manifest: Manifest
    loaded: Mapping[str, LoadResult]
    scored: Mapping[str, pd.DataFrame]

    @property
    def path(self) -> Path:
        return self.manifest.root

    @property
    def title(self) -> str | None:
        return self.manifest.title

    @property
    def synthetic(self) -> bool:
        """True when any file used is synthetic."""
        return any(e.synthetic for e in self.manifest.files)

    def synthetic_files(self, population: str | None = None, kind: str | None = None) -> list[str]:
        """Paths of the synthetic files among those of a population and instrument/dataset."""
        return [e.path for e in self.manifest.entries(population, kind) if e.synthetic]

    def occasions(self, population: str) -> tuple[str, ...]:
        """The declared occasions of ``population`` in time order (empty: single occasion)."""
        return tuple(self.manifest.occasions.get(population, ()))

    def has(self, population: str, instrument: str | None = None, dataset: str | None = None) -> bool:
        """Whether the study has accepted rows of that population and instrument/dataset."""
        entries = self.manifest.entries(population, instrument or dataset)
        return any(len(self.loaded[e.key].data) for e in entries)

    def _frames(self, store: Mapping[str, pd.DataFrame], population: str, kind: str) -> pd.DataFrame:
        entries = self.manifest.entries(population, kind)
        if not entries:
            known = sorted({(e.population, e.kind) for e in self.manifest.files})
            raise KeyError(f"the study has no {population} file of {kind!r} "
                           f"(it has: {', '.join(f'{p}/{k}' for p, k in known)})")
        frames = [store[e.key] for e in entries]
        return frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)

    def responses(self, population: str, instrument: str) -> pd.DataFrame:
        """Accepted answers to ``instrument`` of ``population`` (all its files, one table)."""
        return self._frames({k: r.data for k, r in self.loaded.items()}, population, instrument)

    def scores(self, population: str, instrument: str | None = None) -> pd.DataFrame:
        """Scores of ``instrument`` for ``population``: ids, occasion, then every score.

        ``scores(key)`` with one file key (``"cohort_3x10d"``) gives that file's scores.
        """
        if instrument is None:
            return self._file(self.scored, population)
        return self._frames(self.scored, population, instrument)

    def data(self, key: str) -> pd.DataFrame:
        """Accepted rows of one file by its key (its path without the suffix)."""
        return self._file({k: r.data for k, r in self.loaded.items()}, key)

    def _file(self, store: Mapping[str, pd.DataFrame], key: str) -> pd.DataFrame:
        if key not in store:
            raise KeyError(f"the study has no file {key!r} (files: {', '.join(e.key for e in self.manifest.files)})")
        return store[key]

    def table(self, population: str, dataset: str) -> pd.DataFrame:
        """Accepted rows of a dataset (background, anchor, service-use, indicators …)."""
        return self._frames({k: r.data for k, r in self.loaded.items()}, population, dataset)

    def get(self, population: str, *, instrument: str | None = None, dataset: str | None = None) -> pd.DataFrame:
        """Scores of an instrument or rows of a dataset of ``population``."""
        if (instrument is None) == (dataset is None):
            raise ValueError("give exactly one of instrument= or dataset=")
        return self.scores(population, instrument) if instrument else self.table(population, dataset)

    @property
    def rejected(self) -> pd.DataFrame:
        """Every rejected cell of every file, with file, row, column, value and reason."""
        frames = [r.rejected for r in self.loaded.values() if len(r.rejected)]
        if not frames:
            return pd.DataFrame(columns=REJECTION_COLUMNS)
        return pd.concat(frames, ignore_index=True)

    def unknown_values(self) -> pd.DataFrame:
        """Values outside a category field's accepted ones that were read as missing (their rows
        kept; datasets declaring ``unknownCategories: missing``): ``file, column, value, n_rows,
        expected``."""
        rows = [{"file": e.path, "column": column, "value": value, "n_rows": n, "expected": expected}
                for e in self.manifest.files if e.key in self.loaded
                for column, value, n, expected in getattr(self.loaded[e.key], "unknown_values", ())]
        return pd.DataFrame(rows, columns=["file", "column", "value", "n_rows", "expected"])

    def id_mismatches(self) -> pd.DataFrame:
        """Files whose respondent ids do not meet the other files of their population: ``population,
        file, n_ids, n_found`` (ids also in another file of the population) and ``n_found_without_zeros``
        (the same once leading zeros are ignored on both sides, e.g. ``00123`` in a CSV and ``123``
        from a spreadsheet number cell). A file is listed when none of its ids is found elsewhere,
        or when ignoring leading zeros would find more; nothing is matched that way, it is said.

        Examples
        --------
        >>> from analysis import datasets
        >>> load_study(datasets.path("demo")).id_mismatches().empty
        True
        """
        def ids(key: str) -> set[str]:
            data = self.loaded[key].data
            return set(data["respondent_id"].dropna().astype(str)) if "respondent_id" in data else set()

        rows = []
        for population in dict.fromkeys(e.population for e in self.manifest.files):
            sets = {e.path: ids(e.key) for e in self.manifest.files if e.population == population and e.key in self.loaded}
            sets = {path: found for path, found in sets.items() if found}
            for path, own in sets.items():
                others = set().union(*(v for p, v in sets.items() if p != path))
                if not others:
                    continue
                stripped = {i.lstrip("0") or "0" for i in others}
                n_found = len(own & others)
                n_zeros = sum((i.lstrip("0") or "0") in stripped for i in own)
                if n_found == 0 or n_zeros > n_found:
                    rows.append({"population": population, "file": path, "n_ids": len(own), "n_found": n_found,
                                 "n_found_without_zeros": n_zeros})
        return pd.DataFrame(rows, columns=["population", "file", "n_ids", "n_found", "n_found_without_zeros"])

    def intake(self) -> pd.DataFrame:
        """One row per file: population, instrument or dataset, rows read, accepted and rejected."""
        rows = [{"file": e.path, "population": e.population, "instrument": e.instrument or "",
                 "dataset": e.dataset or "", "n_read": self.loaded[e.key].n_read,
                 "n_accepted": self.loaded[e.key].n_accepted, "n_rejected": self.loaded[e.key].n_rejected}
                for e in self.manifest.files]
        return pd.DataFrame(rows)


def load_study(data_dir: str | Path) -> Study:
    """Read the manifest of ``data_dir``, then load, check and score every file it lists.

    Raises
    ------
    ManifestError
        Every problem of the manifest, and files that cannot be read at all (wrong format,
        no header, identity codes), in one message.

    Examples
    --------
    >>> from analysis import datasets
    >>> study = load_study(datasets.path("demo"))
    >>> study.intake()[["n_read", "n_rejected"]].sum().tolist(), study.occasions("cohort")
    ([11027, 0], ('t1', 'retest'))
    """
    manifest = read_manifest(data_dir)
    loaded, scored, problems = {}, {}, []
    for entry in manifest.files:
        try:
            if entry.instrument:
                result = load_responses(entry.source, entry.instrument, on_invalid="reject-rows", recode=entry.recode,
                                        recode_advice=f"add recode: 1-11 to the entry of {entry.path} under files: "
                                                      "in manifest.yaml")
            else:
                result = load_table(entry.source, entry.schema, on_invalid="reject-rows")
        except InputError as exc:   # the whole file is unusable: report it with the others
            problems += [_file_problem(p, entry) for p in exc.problems]
            continue
        result = _with_occasions(entry, _as_in_file(result, entry.schema), manifest.occasions.get(entry.population),
                                 problems)
        if result.n_accepted + result.n_rejected != result.n_read:
            raise RuntimeError(f"{entry.path}: rows read {result.n_read} ≠ accepted {result.n_accepted} "
                               f"+ rejected {result.n_rejected}")
        loaded[entry.key] = result
    _agreement(manifest, loaded)
    check_events(manifest, loaded)
    for entry in manifest.files:
        if entry.instrument and entry.key in loaded:
            try:
                scored[entry.key] = score(loaded[entry.key].data, entry.instrument)
            except ValueError as exc:       # e.g. item columns the scores need are missing
                problems.append(_problem("cannot_score", f"{entry.path}: cannot score with instrument "
                                         f"{entry.instrument!r}: {exc}", path=entry.path,
                                         instrument=entry.instrument, reason=str(exc)))
    if problems:
        raise ManifestError(manifest.root / "manifest.yaml", problems)
    for entry in manifest.files:       # a rejected row names its file as the manifest does, never by absolute path
        result = loaded[entry.key]
        if len(result.rejected):
            loaded[entry.key] = dataclasses.replace(result, rejected=result.rejected.assign(file=entry.path))
    return Study(manifest, loaded, scored)


def _file_problem(problem, entry: FileEntry) -> ManifestProblem:
    """A problem that makes a whole file unusable (:class:`~analysis.intake.rawfiles.Problem`), named
    by the file's path in the manifest; code ``file`` with the problem's place and its own code and facts."""
    return _problem("file", str(problem).replace(str(entry.source), entry.path, 1), file=entry.path,
                    row=problem.row, line=problem.line, respondent_id=problem.respondent_id,
                    column=problem.column, value=problem.value, reason=problem.reason, reason_code=problem.code,
                    reason_fields=None if problem.fields is None else dict(problem.fields))


def _agreement(manifest: Manifest, loaded: dict[str, LoadResult]) -> None:
    """Rows whose value disagrees with another file's are rejected, naming both: a field may
    declare ``agreesWith: {dataset, field, by}`` (the indicators' ``unit`` and the catalogue's),
    and a value given in both files must then be the same — which one is right is not guessed.
    Rows read = accepted + rejected still holds (the rows move to the rejected ones)."""
    for entry in manifest.files:
        if entry.schema is None or entry.key not in loaded:
            continue
        for fld in load_schema(entry.schema)["fields"]:
            rule = fld.get("agreesWith")
            if not rule:
                continue
            name, other, by = fld["name"], rule["field"], rule["by"]
            for ref in manifest.entries(entry.population, rule["dataset"]):
                result, theirs = loaded[entry.key], loaded.get(ref.key)
                if theirs is None or name not in result.data or other not in theirs.data or by not in theirs.data:
                    continue
                given = theirs.data[[by, other]].dropna().drop_duplicates(by)
                lookup = dict(zip(given[by], given[other]))
                rows = dict(zip(given[by], given.index))
                mine = result.data[name]
                expected = result.data[by].map(lookup)
                bad = mine.notna() & expected.notna() & (mine.astype(object) != expected.astype(object))
                if not bad.any():
                    continue
                header = {v: k for k, v in result.header_map.items()}.get(name, name)
                pairs = list(zip(mine[bad], result.data.loc[bad, by]))
                reasons = [f"{name} {v!r} differs from {ref.path} row {rows[k]} ({other} {lookup[k]!r}) for "
                           f"{by} {k!r}; correct one of the two files (or leave one of them empty)" for v, k in pairs]
                facts = [{"field": name, "value": v, "file": ref.path, "row": int(rows[k]), "other": other,
                          "other_value": lookup[k], "by": by, "key": k} for v, k in pairs]
                loaded[entry.key] = result.reject(bad, name, pd.Series(reasons, index=mine[bad].index),
                                                 "disagrees", pd.Series(facts, index=mine[bad].index, dtype=object),
                                                 header=header)


# ----------------------------------------------------------------------------- load once per run
def fingerprint(data_dir: str | Path) -> str:
    """SHA-256 over the manifest, every file it lists and the package version.

    Examples
    --------
    >>> from analysis import datasets
    >>> digest = fingerprint(datasets.path("demo"))
    >>> len(digest), digest == fingerprint(datasets.path("demo"))
    (64, True)
    """
    manifest = read_manifest(data_dir)
    digest = hashlib.sha256(analysis.__version__.encode())
    for path in [manifest.root / "manifest.yaml", *(e.source for e in manifest.files)]:
        digest.update(str(path.relative_to(manifest.root) if path.is_relative_to(manifest.root) else path).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def cached_study(data_dir: str | Path, cache_dir: str | Path) -> Study:
    """:func:`load_study` once per distinct input: the result is kept in ``cache_dir`` under
    the inputs' :func:`fingerprint`, so the notebooks of one report run share one load.

    Examples
    --------
    >>> from analysis import datasets
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as cache:
    ...     first, again = cached_study(datasets.path("demo"), cache), cached_study(datasets.path("demo"), cache)
    ...     kept = [p.suffix for p in Path(cache).iterdir()]
    >>> kept, again.title == first.title
    (['.pickle'], True)
    """
    cache = Path(cache_dir) / f"study-{fingerprint(data_dir)}.pickle"
    if cache.is_file():
        with cache.open("rb") as fh:
            return pickle.load(fh)
    study = load_study(data_dir)
    cache.parent.mkdir(parents=True, exist_ok=True)
    tmp = cache.with_suffix(".tmp")
    with tmp.open("wb") as fh:
        pickle.dump(study, fh, protocol=pickle.HIGHEST_PROTOCOL)
    tmp.replace(cache)
    return study
