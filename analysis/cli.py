"""Command-line interface: ``python -m analysis <command>`` (also installed as ``analysis``).

Commands
--------
score       load and check a response file, score it, write formula-safe CSV (exit 2 on invalid input);
            its messages in English, or in Finnish with --lang fi
dictionary  regenerate the questionnaire schemas in data_dictionary/
codebook    render data_dictionary/*.json as a Markdown codebook
template    write an empty input file (.xlsx or .csv) with the headers an instrument or dataset accepts
synthetic   write the synthetic demo data
report      run the report notebooks on a data folder (HTML, Word and Excel per report)
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from functools import lru_cache
from pathlib import Path

EXIT_INVALID = 2


def _say(key: str, lang: str, /, **fields) -> None:
    """Print the console message ``cli.<key>`` in ``lang`` to standard error."""
    from analysis.report.i18n import t

    print(t(f"cli.{key}", lang, **fields), file=sys.stderr)


@lru_cache(maxsize=None)
def _patterns() -> tuple[tuple[str, re.Pattern], ...]:
    """The ``cli.said`` messages: English sentences of the intake that carry no code, as written
    there, each a pattern whose ``{field}`` parts match any text; the longest first, so that a
    sentence with an optional tail is matched with it."""
    from analysis.report.i18n import catalogue

    out = []
    said = {key: str(text) for key, text in catalogue("en").items() if key.startswith("cli.said.")}
    for key, template in sorted(said.items(), key=lambda kv: -len(kv[1])):
        parts, seen = [], set()
        for i, piece in enumerate(re.split(r"\{(\w+)\}", template)):
            if i % 2 == 0:
                parts.append(re.escape(piece))
            else:
                parts.append(f"(?P={piece})" if piece in seen else f"(?P<{piece}>.+?)")
                seen.add(piece)
        out.append((key, re.compile("".join(parts), re.S)))
    return tuple(out)


def _said(text: str, lang: str) -> str:
    """An English sentence of the intake without a code (a note, a whole-file problem, a
    manifest problem of another module) in ``lang`` when the ``cli.said`` messages know it;
    else as it is. A list in it (``['a', 'b']``) is said as ``a, b`` (``<field>_n`` its length), a manifest entry
    (``files[2] (a.csv)``) as the manifest's other problems say it.

    Examples
    --------
    >>> _said("2 empty row(s) skipped: rows 4, 9", "fi")
    '2 tyhjää riviä ohitettiin: rivit 4, 9'
    >>> _said("process: unknown key(s) ['vaihe']; known: phases, plan", "fi")
    'process: tuntematon avain: vaihe; tunnetut: phases, plan'
    >>> _said("something new", "fi")
    'something new'
    """
    import ast

    from analysis.report.i18n import t

    if lang == "en":
        return text
    for key, pattern in _patterns():
        found = pattern.fullmatch(text)
        if found:
            fields = found.groupdict()
            for name, value in list(fields.items()):
                try:                                          # and its length, for a plural: {keys_n|...|...}
                    listed = ast.literal_eval(value) if re.fullmatch(r"\[.*\]", value, re.S) else None
                except (ValueError, SyntaxError):
                    listed = None
                if isinstance(listed, list):
                    fields[name], fields[f"{name}_n"] = ", ".join(map(str, listed)), len(listed)
            entry = re.fullmatch(r"files\[(\d+)\] \((.*)\)", fields.get("entry", ""), re.S)
            if entry:
                fields["entry"] = t("cli.manifest.entry", lang, number=entry[1], path=entry[2])
            try:
                return t(key, lang, **fields)
            except KeyError:          # a field the message needs did not come out so (a list not written as one)
                return text
    return text


def _reason(code, fields, reason: str, lang: str) -> str:
    """A problem's reason in ``lang``: from its code and facts, else its English sentence (:func:`_said`)."""
    from analysis.report.sections.data_intake import reason_text

    if isinstance(fields, dict):
        fields = json.dumps(fields, ensure_ascii=False, default=str)
    text = reason_text(code, fields, reason, lang)
    return _said(text, lang) if text == reason else text


def _problem_line(problem, lang: str) -> str:
    """One :class:`~analysis.intake.rawfiles.Problem` in ``lang``: file, row as numbered in the file
    (and its line when that differs), respondent, column, value and the reason."""
    from analysis.intake.privacy import mask_identifiers
    from analysis.report.i18n import t

    if lang == "en":
        return str(problem)
    if problem.row is not None:
        where = [t("cli.place.row", lang, row=problem.row)]
        if problem.line is not None and problem.line != problem.row:
            where[0] += t("cli.place.file_line", lang, line=problem.line)
    else:
        where = [t("cli.place.line", lang, line=problem.line) if problem.line is not None else
                 t("cli.place.whole_file", lang)]
    if problem.respondent_id:
        where.append(t("cli.place.respondent", lang, id=problem.respondent_id))
    if problem.column is not None:
        where.append(t("cli.place.column", lang, column=problem.column))
    if problem.value is not None:
        value = mask_identifiers(str(problem.value))
        where.append(t("cli.place.value", lang, value=value if len(value) <= 60 else value[:57] + "..."))
    reason = _reason(problem.code, problem.fields, problem.reason, lang)
    return mask_identifiers(f"{problem.file}: {', '.join(where)}: {reason}")


def _input_error(exc, lang: str) -> None:
    """An :class:`~analysis.intake.readers.InputError` in ``lang``: every problem, one a line."""
    if lang == "en":
        print(exc, file=sys.stderr)
    else:
        _say("score.file_problems", lang, file=exc.file, n=len(exc.problems))
        for problem in exc.problems:
            print(f"  {_problem_line(problem, lang)}", file=sys.stderr)
    _say("score.invalid_input", lang, n=len(exc.problems))


def _score(args: argparse.Namespace) -> int:
    from analysis.intake.instruments import load_instrument
    from analysis.intake.readers import InputError, load_responses
    from analysis.intake.safecsv import write_csv
    from analysis.intake.scoring import dictionary_types, score, stream_score

    lang = args.lang
    if args.chunksize and not args.out:
        _say("score.needs_out", lang)
        return EXIT_INVALID
    try:
        instrument = load_instrument(args.instrument, args.labels)
        if args.chunksize:
            return _score_stream(args, instrument, stream_score)
        result = load_responses(args.input, instrument, on_invalid=args.on_invalid, recode=args.recode,
                                delimiter=args.delimiter)
    except InputError as exc:
        _input_error(exc, lang)
        return EXIT_INVALID
    except ValueError as exc:  # unknown instrument, bad override file
        _say("error", lang, message=_said(str(exc), lang))
        return EXIT_INVALID
    for note in result.notes:
        _say("score.note", lang, note=_said(note, lang))
    try:
        scored = dictionary_types(score(result.data, instrument), instrument)
    except ValueError as exc:  # e.g. item columns the score needs are not in the file
        _say("score.cannot_score", lang, file=args.input, instrument=instrument.id, reason=_said(str(exc), lang))
        return EXIT_INVALID
    # formula-safe CSV (an id or value such as =HYPERLINK(…), @SUM(…), -1 stays text; numbers stay numbers)
    write_csv(scored, args.out or sys.stdout)
    if len(result.rejected):
        if args.rejects:
            write_csv(result.rejected, args.rejects)
            _say("score.rejects_written", lang, path=args.rejects)
        else:
            for row in result.rejected.itertuples(index=False):
                _say("score.answer" if row.scope == "answer" else "score.rejected", lang, file=args.input,
                     row=row.row, column=row.column, value=row.value,
                     reason=_reason(row.code, row.fields, row.reason, lang))
    _say("score.summary", lang, n_read=result.n_read, n_scored=len(scored), n_rejected=result.n_rejected,
         n_invalid=result.n_invalid)
    return 0


def _score_stream(args: argparse.Namespace, instrument, stream_score) -> int:
    lang = args.lang
    summary = stream_score(args.input, instrument, args.out, chunksize=args.chunksize, on_invalid=args.on_invalid,
                           rejects=args.rejects, recode=args.recode, delimiter=args.delimiter)
    for note in summary.notes:
        _say("score.note", lang, note=_said(note, lang))
    _say("score.summary_chunks", lang, n_read=summary.n_read, n_scored=summary.n_accepted,
         n_rejected=summary.n_rejected, n_invalid=summary.n_invalid, n_chunks=summary.n_chunks)
    return 0


def _dictionary(args: argparse.Namespace) -> int:
    from analysis.intake.dictionary import generated_schemas, schema_text, write_schemas

    out = Path(args.out)
    if args.check:
        stale = [name for name, schema in generated_schemas().items()
                 if not (out / name).exists() or (out / name).read_text(encoding="utf-8") != schema_text(schema)]
        for name in stale:
            print(f"out of date: {out / name}", file=sys.stderr)
        return 1 if stale else 0
    for path in write_schemas(out):
        print(path)
    return 0


def _codebook(args: argparse.Namespace) -> int:
    from analysis.intake.codebook import render_codebook

    text = render_codebook(args.dir)
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


def _template(args: argparse.Namespace) -> int:
    from analysis.intake.dictionary import write_dataset_template, write_template
    from analysis.intake.instruments import load_instrument

    try:
        if args.dataset:
            print(write_dataset_template(args.dataset, args.out, args.lang))
        else:
            print(write_template(load_instrument(args.instrument), args.out, args.lang))
    except ValueError as exc:     # the console speaks Finnish for fi headers, else English (no Swedish catalogue)
        lang = "fi" if args.lang == "fi" else "en"
        _say("error", lang, message=_said(str(exc), lang))
        return EXIT_INVALID
    return 0


def _synthetic(args: argparse.Namespace) -> int:
    from analysis.study.synthetic import write_all

    for path in write_all(args.out, args.seed, n_cohort=args.n_cohort):
        print(path)
    return 0


def _language(args: argparse.Namespace) -> str:
    """The language of a report run's console messages: ``--lang``, else the manifest's
    ``language`` (read even from a manifest with mistakes), else English."""
    import yaml

    from analysis.report.i18n import LANGUAGES

    if args.lang:
        return args.lang
    try:
        text = (Path(args.data) / "manifest.yaml").read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return "en"
    try:                               # every value as text: an impossible date elsewhere does not matter here
        declared = yaml.load(text, Loader=yaml.BaseLoader).get("language")
    except (yaml.YAMLError, AttributeError):    # not YAML: the line that declares it, if any
        found = re.search(r"^language:\s*[\"']?(\w+)", text, re.M)
        declared = found and found[1]
    return declared if declared in LANGUAGES else "en"


def _report(args: argparse.Namespace) -> int:
    from analysis.intake.manifest import ManifestError, load_study
    from analysis.report.i18n import t
    from analysis.report.runner import INTERNAL_PARAMETERS, internal_folder, print_summary, run

    lang = _language(args)
    try:
        internal = internal_folder(args.out, args.internal_out)
        outcomes = run(args.data, args.out, internal_out=internal, lang=args.lang, seed=args.seed,
                       only=_names(args.only), skip=_names(args.skip),
                       parameters=INTERNAL_PARAMETERS if args.internal else None, final=args.final)
    except ManifestError as exc:
        print(t("cli.manifest_problems", lang, path=exc.path, n=len(exc.problems)), file=sys.stderr)
        print("\n".join(f"  - {_manifest_line(p, lang)}" for p in exc.details), file=sys.stderr)
        print(t("cli.no_report_run", lang), file=sys.stderr)
        return EXIT_INVALID
    except ValueError as exc:          # --only/--skip naming no report, --internal-out inside --out
        print(t("cli.error", lang, message=exc), file=sys.stderr)
        return EXIT_INVALID
    try:                               # the run's data, for the summary (loading again takes seconds)
        study = load_study(args.data)
    except (ManifestError, OSError):   # the run was replaced (tests) or the folder changed meanwhile
        study = None
    print_summary(outcomes, args.out, internal_dir=internal, lang=lang, study=study)
    leaks = _audit_published(Path(args.out), lang)
    return 1 if leaks or any(o.status == "failed" for o in outcomes) else 0


def _manifest_line(problem, lang: str) -> str:
    """A :class:`~analysis.intake.manifest.ManifestProblem` in ``lang``: said from its code and
    fields (lists as comma-separated text; a file's entry as the manifest numbers it), its English
    text for English and for a problem without a code.

    Examples
    --------
    >>> from analysis.intake.manifest import ManifestProblem
    >>> _manifest_line(ManifestProblem("files[2] (a.csv): file not found", "path_not_found",
    ...                                {"number": 2, "path": "a.csv"}), "fi")
    'files-kohta 2 (a.csv): tiedostoa ei löydy'
    """
    from analysis.intake.rawfiles import Problem
    from analysis.report.i18n import t

    if lang == "en" or problem.code is None:
        return _said(problem.text, lang)
    fields = dict(problem.fields)
    if problem.code == "file":
        return _problem_line(Problem(fields["file"], fields["row"], fields["respondent_id"], fields["column"],
                                     fields["value"], fields["reason"], fields["line"], fields["reason_code"],
                                     fields["reason_fields"]), lang)
    if problem.code == "cannot_score":
        fields["reason"] = _said(fields["reason"], lang)
    if "number" in fields and "path" in fields:
        fields["entry"] = t("cli.manifest.entry", lang, number=fields["number"], path=fields["path"])
    fields = {k: ", ".join(map(str, v)) if isinstance(v, list) else v for k, v in fields.items()}
    return t(f"cli.manifest.{problem.code}", lang, **fields)


def _audit_published(out: Path, lang: str = "en") -> int:
    """The attacker's audit over every table of every report in the published folder together
    (each report protects its own tables; this checks what they give away jointly). Prints
    what a reader could recover (in ``lang``); returns how many values."""
    from analysis.report.disclosure import audit_folder
    from analysis.report.i18n import t

    found = audit_folder(out)
    if len(found):
        print(t("cli.disclosure", lang, n=len(found), out=out) + f"\n{found.to_string(index=False)}", file=sys.stderr)
    return len(found)


def _names(value: str | None) -> list[str] | None:
    return [v.strip() for v in value.split(",") if v.strip()] if value else None


def build_parser() -> argparse.ArgumentParser:
    from analysis.intake.dictionary import DICTIONARY_DIR

    parser = argparse.ArgumentParser(prog="analysis", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("score", help="load, check and score a response file")
    p.add_argument("input", help="responses as .csv, .xlsx or .sav")
    p.add_argument("--instrument", required=True, help="instrument id, e.g. 3x10d, who5, sus")
    p.add_argument("--out", help="scored CSV (UTF-8, comma); default: standard output")
    p.add_argument("--rejects", help="CSV of rejected rows with reasons (reject-rows mode)")
    p.add_argument("--on-invalid", choices=["error", "reject-rows"], default="error",
                   help="error: any invalid value stops with the full list (default); "
                        "reject-rows: score the valid rows, report the others")
    p.add_argument("--recode", choices=["1-11"], help="1-11: the 0–10 items were coded 1–11; subtract 1")
    p.add_argument("--labels", help="label-override YAML with the official item wording")
    p.add_argument("--delimiter", help="CSV delimiter, when the file's own cannot be told (e.g. ';')")
    p.add_argument("--chunksize", type=int, help="check and score a large CSV file this many rows at a time "
                                                "(needs --out)")
    p.add_argument("--lang", choices=["en", "fi"], default="en",
                   help="language of the messages: en (default) or fi (Finnish: the summary, every problem with "
                        "its file, row, column, value and reason, notes and errors)")
    p.set_defaults(handler=_score)

    p = sub.add_parser("dictionary", help="regenerate the questionnaire schemas in data_dictionary/")
    p.add_argument("--out", default=str(DICTIONARY_DIR), help="folder (default: data_dictionary/)")
    p.add_argument("--check", action="store_true", help="only check that the files are up to date (exit 1 if not)")
    p.set_defaults(handler=_dictionary)

    p = sub.add_parser("codebook", help="render data_dictionary/*.json as Markdown")
    p.add_argument("--out", help="Markdown file; default: standard output")
    p.add_argument("--dir", default=str(DICTIONARY_DIR), help="schema folder (default: data_dictionary/)")
    p.set_defaults(handler=_codebook)

    p = sub.add_parser("template", help="write an empty input file with the headers an instrument or dataset accepts")
    p.add_argument("out", help="file to write, .xlsx or .csv")
    what = p.add_mutually_exclusive_group(required=True)
    what.add_argument("--instrument", help="instrument id, e.g. 3x10d, who5, sus")
    what.add_argument("--dataset", help="dataset of the data dictionary, e.g. background, indicators, "
                                        "indicator-catalogue, service-visits, plan-dates, process-events, team-members")
    p.add_argument("--lang", choices=["fi", "sv", "en"], help="headers as labels in this language "
                                                            "(default: keys / field names)")
    p.set_defaults(handler=_template)

    p = sub.add_parser("synthetic", help="write the synthetic demo data")
    p.add_argument("--seed", type=int, required=True)
    p.add_argument("--out", required=True, help="output folder")
    p.add_argument("--n-cohort", type=int, default=900, help="comparison cohort size (default 900, as the demo)")
    p.set_defaults(handler=_synthetic)

    p = sub.add_parser("report", help="run the report notebooks on a data folder")
    p.add_argument("--data", required=True, help="data folder with manifest.yaml")
    p.add_argument("--out", required=True, help="folder of the publishable outputs: reports 02–07 (html, docx, "
                                                "xlsx), tables/, figures/")
    p.add_argument("--internal-out", help="folder of the internal outputs, NOT for publication: intake report 01, "
                                          "scores/ and rejected rows (one row per person), executed notebooks/, "
                                          "--internal reports (default: <out>-internal, beside --out)")
    p.add_argument("--lang", choices=["en", "fi"], help="report language (default: the manifest's language)")
    p.add_argument("--final", action="store_true",
                   help="also write final_report.docx and .html: one document of the published reports, with a "
                        "title page, contents, method chapter, references and an appendix of what the data did not allow")
    p.add_argument("--only", help="comma-separated reports to run, e.g. 04,05")
    p.add_argument("--skip", help="comma-separated reports not to run")
    p.add_argument("--seed", type=int, default=2026, help="seed of every random step (default 2026)")
    p.add_argument("--internal", action="store_true",
                   help="internal version, NOT for publication: adds figures of individual clients "
                        "(reliable-change scatter, single clients' profiles) to report 04, which is then "
                        "written to the internal folder (--internal-out)")
    p.set_defaults(handler=_report)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.handler(args)


if __name__ == "__main__":
    sys.exit(main())
