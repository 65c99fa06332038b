"""Command-line interface: ``python -m analysis <command>`` (also installed as ``analysis``).

Commands
--------
score       load and check a response file, score it, write formula-safe CSV (exit 2 on invalid input)
dictionary  regenerate the questionnaire schemas in data_dictionary/
codebook    render data_dictionary/*.json as a Markdown codebook
template    write an empty input file (.xlsx or .csv) with the headers an instrument or dataset accepts
synthetic   write the synthetic demo data
report      run the report notebooks on a data folder (HTML, Word and Excel per report)
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

EXIT_INVALID = 2


def _score(args: argparse.Namespace) -> int:
    from analysis.intake.instruments import load_instrument
    from analysis.intake.readers import InputError, load_responses
    from analysis.intake.safecsv import write_csv
    from analysis.intake.scoring import dictionary_types, score, stream_score

    try:
        instrument = load_instrument(args.instrument, args.labels)
        if args.chunksize:
            return _score_stream(args, instrument, stream_score)
        result = load_responses(args.input, instrument, on_invalid=args.on_invalid, recode=args.recode,
                                delimiter=args.delimiter)
    except InputError as exc:
        print(exc, file=sys.stderr)
        print(f"invalid input: {len(exc.problems)} problem(s); nothing written", file=sys.stderr)
        return EXIT_INVALID
    except ValueError as exc:  # unknown instrument, bad override file
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_INVALID
    for note in result.notes:
        print(f"note: {note}", file=sys.stderr)
    try:
        scored = dictionary_types(score(result.data, instrument), instrument)
    except ValueError as exc:  # e.g. item columns the score needs are not in the file
        print(f"{args.input}: cannot score with instrument {instrument.id!r}: {exc}; nothing written", file=sys.stderr)
        return EXIT_INVALID
    # formula-safe CSV (an id or value such as =HYPERLINK(…), @SUM(…), -1 stays text; numbers stay numbers)
    write_csv(scored, args.out or sys.stdout)
    if len(result.rejected):
        if args.rejects:
            write_csv(result.rejected, args.rejects)
            print(f"rejected rows and invalid answers, with reasons, written to {args.rejects}", file=sys.stderr)
        else:
            for row in result.rejected.itertuples(index=False):
                what = "invalid answer (read as missing)" if row.scope == "answer" else "rejected"
                print(f"{what}: row {row.row}, column {row.column!r}, value {row.value!r}: {row.reason}",
                      file=sys.stderr)
    print(f"rows read {result.n_read}, scored {len(scored)}, rejected {result.n_rejected}; "
          f"invalid answers read as missing {result.n_invalid}", file=sys.stderr)
    return 0


def _score_stream(args: argparse.Namespace, instrument, stream_score) -> int:
    if not args.out:
        raise ValueError("--chunksize needs --out (the scores are written chunk by chunk)")
    summary = stream_score(args.input, instrument, args.out, chunksize=args.chunksize, on_invalid=args.on_invalid,
                           rejects=args.rejects, recode=args.recode, delimiter=args.delimiter)
    for note in summary.notes:
        print(f"note: {note}", file=sys.stderr)
    print(f"rows read {summary.n_read}, scored {summary.n_accepted}, rejected {summary.n_rejected}; invalid answers "
          f"read as missing {summary.n_invalid} ({summary.n_chunks} chunks)", file=sys.stderr)
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
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
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
        declared = yaml.safe_load((Path(args.data) / "manifest.yaml").read_text(encoding="utf-8")).get("language")
    except (OSError, UnicodeDecodeError, yaml.YAMLError, AttributeError):
        return "en"
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
        print("\n".join(f"  - {p}" for p in exc.problems), file=sys.stderr)
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
