"""Tests of the command line (called in-process through analysis.cli.main; one real subprocess)."""
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from analysis.cli import main
from analysis.datasets import path as example_path
from analysis.intake.codebook import render_codebook

FIX = Path(__file__).parent / "fixtures" / "io"
ROOT = Path(__file__).resolve().parent.parent
DOMAINS = ["health", "resilience", "housing", "daily_coping", "family", "friends", "finances", "strengths",
           "self_esteem", "life_overall"]


def sat_file(path, rows):
    """A 3X10D file with all ten satisfaction items: ``rows`` = (id, sat_health, sat_housing); others 5."""
    lines = [";".join(["respondent_id", *(f"sat_{d}" for d in DOMAINS)])]
    for rid, health, housing in rows:
        cells = {"health": health, "housing": housing}
        lines.append(";".join([rid, *(cells.get(d, "5") for d in DOMAINS)]))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_same_scores_from_csv_xlsx_and_sav(tmp_path, capsys):
    outputs = []
    for name in ["3x10d_fi_semicolon_bom.csv", "3x10d_fi.xlsx", "3x10d_fi.sav"]:
        out = tmp_path / f"{name}.scores.csv"
        assert main(["score", str(example_path(name)), "--instrument", "3x10d", "--out", str(out)]) == 0
        assert capsys.readouterr().err.strip().endswith("rows read 24, scored 24, rejected 0; invalid answers read as missing 0")
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1] == outputs[2]   # byte-identical score files
    scores = pd.read_csv(tmp_path / "3x10d_fi.sav.scores.csv", dtype={"respondent_id": str})
    expected = pd.read_csv(FIX / "3x10d_expected.csv")
    # hand check of two rules on the generating data: gap = goal - sat, band of sat
    assert (scores["gap_health"].dropna() == (expected["goal_health"] - expected["sat_health"]).dropna()).all()
    assert scores.loc[0, "band_health"] == "low" and scores.loc[2, "band_health"] == "high"  # sat 0 and 10
    assert "7.0" not in (tmp_path / "3x10d_fi.sav.scores.csv").read_text().split("\n")[1]  # integers as integers


def test_invalid_input_exit_2_with_all_problems(tmp_path, capsys):
    path = sat_file(tmp_path / "bad.csv", [("A", "0", "5"), ("B", "12", "5"), ("C", "3", "x")])
    out = tmp_path / "scores.csv"
    assert main(["score", str(path), "--instrument", "3x10d", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "row 3" in err and "'12'" in err and "row 4" in err and "'x'" in err
    assert "expected an integer 0–10" in err and "nothing written" in err
    assert not out.exists()


def test_reject_rows_writes_rejects_and_summary(tmp_path, capsys):
    path = sat_file(tmp_path / "bad.csv", [("A", "0", "5"), ("B", "12", "5"), ("C", "3", "x")])
    out, rej = tmp_path / "scores.csv", tmp_path / "rejects.csv"
    code = main(["score", str(path), "--instrument", "3x10d", "--out", str(out), "--rejects", str(rej),
                 "--on-invalid", "reject-rows"])
    assert code == 0
    # an invalid answer is a missing answer: the client is scored from the other answers
    assert capsys.readouterr().err.strip().endswith("rows read 3, scored 3, rejected 0; invalid answers read as "
                                                    "missing 2")
    assert pd.read_csv(out)["respondent_id"].tolist() == ["A", "B", "C"]
    rejects = pd.read_csv(rej)
    assert rejects["row"].tolist() == [3, 4] and rejects["value"].tolist() == ["12", "x"]
    assert rejects["scope"].tolist() == ["answer", "answer"]
    # without --rejects the reasons go to stderr: nothing disappears silently
    assert main(["score", str(path), "--instrument", "3x10d", "--out", str(out), "--on-invalid", "reject-rows"]) == 0
    assert capsys.readouterr().err.count("invalid answer (read as missing): row") == 2


def test_recode_option(tmp_path, capsys):
    path = sat_file(tmp_path / "coded.csv", [("A", "1", "1"), ("B", "11", "6")])
    assert main(["score", str(path), "--instrument", "3x10d"]) == 2
    err = capsys.readouterr().err
    assert "--recode 1-11" in err and "'sat_health'" in err and "'sat_family'" not in err
    assert main(["score", str(path), "--instrument", "3x10d", "--recode", "1-11"]) == 0
    printed = capsys.readouterr().out
    scores = pd.read_csv(pd.io.common.StringIO(printed))
    assert scores["sat_health"].tolist() == [0, 10] and scores["sat_housing"].tolist() == [0, 5]
    assert scores["sat_family"].tolist() == [4, 4]   # every 0–10 item shifted, not only the flagged ones


def test_identity_codes_and_unknown_instrument_exit_2(tmp_path, capsys):
    path = tmp_path / "hetu.csv"
    path.write_text("respondent_id;sat_health\n131052-308T;5\n", encoding="utf-8")
    assert main(["score", str(path), "--instrument", "3x10d"]) == 2
    err = capsys.readouterr().err
    assert "pseudonymise" in err and "131052-308T" not in err
    assert main(["score", str(path), "--instrument", "no-such"]) == 2
    assert "unknown instrument" in capsys.readouterr().err
    partial = tmp_path / "partial.csv"
    partial.write_text("respondent_id;sat_health\nA;5\n", encoding="utf-8")
    assert main(["score", str(partial), "--instrument", "3x10d", "--out", str(tmp_path / "o.csv")]) == 2
    assert "lack item columns" in capsys.readouterr().err and not (tmp_path / "o.csv").exists()


def test_survey_scores(tmp_path, capsys):
    # SUS by hand (Brooke 1996): all items 3 -> odd (3-1)=2 x5, even (5-3)=2 x5 -> 20 x 2.5 = 50
    path = tmp_path / "sus.csv"
    path.write_text("respondent_id," + ",".join(f"sus_{i}" for i in range(1, 11)) + "\nA," + ",".join(["3"] * 10)
                    + "\nB,5,1,5,1,5,1,5,1,5,1\n", encoding="utf-8")
    assert main(["score", str(path), "--instrument", "sus"]) == 0
    out = pd.read_csv(pd.io.common.StringIO(capsys.readouterr().out))
    assert out["sus_score"].tolist() == [50.0, 100.0]


ATTACK_IDS = ['=HYPERLINK("http://evil","x")', "@SUM(1)", "+1", "-1", "-2+3+cmd|' /C calc'!A0", "\t=1+1", "\r=2+2"]


@pytest.mark.parametrize("chunksize", [None, 2])
def test_score_output_is_formula_safe(tmp_path, capsys, chunksize):
    """Ids and rejected values that a spreadsheet would run as formulas (OWASP) get a leading
    quote in the scores, the rejection file and on standard output; numbers stay numbers: a
    negative gap (goal below satisfaction) is written as -7, not '-7."""
    import csv

    from analysis.report.export import FORMULA_START

    lines = [",".join(["respondent_id", *(f"sat_{d}" for d in DOMAINS), "goal_health"])]
    for k, rid in enumerate(ATTACK_IDS):
        quoted = '"' + rid.replace('"', '""') + '"'
        lines.append(",".join([quoted, str(9 - k), *["5"] * 9, "2"]))
    for rid, bad in (("r1", "-1"), ("r2", "=1+1"), ("r3", "@A1")):       # invalid answers, rejected
        lines.append(",".join([rid, bad, *["5"] * 9, "2"]))
    path = tmp_path / "attack.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out, rej = tmp_path / "scores.csv", tmp_path / "rejects.csv"
    args = ["score", str(path), "--instrument", "3x10d", "--on-invalid", "reject-rows", "--rejects", str(rej)]
    assert main([*args, "--out", str(out), *(["--chunksize", str(chunksize)] if chunksize else [])]) == 0
    capsys.readouterr()
    numeric = {f"gap_{d}" for d in DOMAINS} | {f"sat_{d}" for d in DOMAINS} | {"goal_health", "domain_mean"}
    files = {"scores": out.read_text(encoding="utf-8"), "rejects": rej.read_text(encoding="utf-8")}
    if not chunksize:
        assert main([*args]) == 0
        files["stdout"] = capsys.readouterr().out
        assert files["stdout"] == files["scores"]
    for name, text in files.items():
        rows = list(csv.reader(text.splitlines(keepends=True)))
        header, body = rows[0], rows[1:]
        for row in body:
            for column, cell in zip(header, row):
                if column in numeric and cell:
                    float(cell)                             # a number, written as one
                else:
                    assert not cell.startswith(FORMULA_START), (name, column, cell)
    ids = [r[0] for r in csv.reader(files["scores"].splitlines(keepends=True))][1:]
    for rid in ATTACK_IDS:
        stripped = rid.strip()                               # the reader trims blanks around an id
        assert "'" + stripped in ids, (rid, ids)
    gaps = pd.read_csv(out)["gap_health"]
    assert (gaps < 0).sum() == len(ATTACK_IDS) and "-7" in files["scores"].splitlines()[1].split(",")
    rejected = pd.read_csv(rej, dtype=str)
    assert sorted(rejected["value"]) == sorted(["'-1", "'=1+1", "'@A1"])


def test_codebook_and_dictionary_commands(tmp_path, capsys):
    out = tmp_path / "CODEBOOK.md"
    assert main(["codebook", "--out", str(out)]) == 0
    assert out.read_text(encoding="utf-8") == render_codebook()
    assert main(["dictionary", "--check"]) == 0
    assert main(["dictionary", "--out", str(tmp_path / "dd")]) == 0
    assert (tmp_path / "dd" / "responses-3x10d.json").exists()
    assert main(["dictionary", "--out", str(tmp_path / "empty"), "--check"]) == 1


def test_lazy_dispatch_to_synthetic_and_report(monkeypatch):
    import analysis.report.runner
    import analysis.study.synthetic

    calls = []
    monkeypatch.setattr(analysis.study.synthetic, "write_all",
                        lambda out, seed, n_cohort: calls.append(("synthetic", out, seed)) or [])
    monkeypatch.setattr(analysis.report.runner, "run",
                        lambda data, out, **kw: calls.append(("report", data, out)) or [])
    assert main(["synthetic", "--seed", "7", "--out", "d"]) == 0
    assert main(["report", "--data", "d", "--out", "r"]) == 0
    assert calls == [("synthetic", "d", 7), ("report", "d", "r")]


def test_report_internal_sets_the_individual_figures_parameter(monkeypatch):
    import analysis.report.runner
    from analysis.report.runner import NOTEBOOK_DIR, declared_parameters

    seen = []
    monkeypatch.setattr(analysis.report.runner, "run", lambda data, out, **kw: seen.append(kw["parameters"]) or [])
    assert main(["report", "--data", "d", "--out", "r"]) == 0
    assert main(["report", "--data", "d", "--out", "r", "--internal"]) == 0
    assert seen == [None, {"INDIVIDUAL_FIGURES": True}]
    # only the notebook that declares the parameter gets it
    assert "INDIVIDUAL_FIGURES" in declared_parameters(NOTEBOOK_DIR / "04_pilot_evaluation.ipynb")
    assert "INDIVIDUAL_FIGURES" not in declared_parameters(NOTEBOOK_DIR / "05_participant_surveys.ipynb")
    assert {"DATA_DIR", "SEED", "LANG"} <= declared_parameters(NOTEBOOK_DIR / "05_participant_surveys.ipynb")


def test_report_internal_outputs_go_beside_the_published_folder(monkeypatch, capsys):
    import analysis.report.runner

    seen = []
    monkeypatch.setattr(analysis.report.runner, "run", lambda data, out, **kw: seen.append((out, kw["internal_out"])) or [])
    assert main(["report", "--data", "d", "--out", "site/reports"]) == 0
    assert "internal, NOT for publication, in site/reports-internal" in capsys.readouterr().err
    assert main(["report", "--data", "d", "--out", "r", "--internal-out", "private/r"]) == 0
    assert seen == [("site/reports", Path("site/reports-internal")), ("r", Path("private/r"))]
    for inside in ("r/internal", "r", "."):                  # never the published folder, inside it or around it
        assert main(["report", "--data", "d", "--out", "r", "--internal-out", inside]) == 2
        assert "internal folder" in capsys.readouterr().err
    assert len(seen) == 2


def test_module_entry_point_runs(tmp_path):
    out = tmp_path / "s.csv"
    proc = subprocess.run([sys.executable, "-m", "analysis", "score", str(FIX / "3x10d_cp1252.csv"),
                           "--instrument", "3x10d", "--out", str(out)], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "Windows-1252" in proc.stderr and "rows read 6, scored 6, rejected 0" in proc.stderr
    with pytest.raises(SystemExit):
        main(["score"])   # argparse usage error


def test_template_writes_headers_the_loader_accepts(tmp_path, capsys):
    out = tmp_path / "tyhjä.xlsx"
    assert main(["template", "--instrument", "who5", "--lang", "fi", str(out)]) == 0
    header = openpyxl.load_workbook(out).active["A1":"H1"][0]
    from analysis.intake.instruments import load_instrument
    assert [c.value for c in header][:3] == ["Vastaajatunnus", "Mittauskerta", "Vastauspäivä"]
    assert [c.value for c in header][3] == load_instrument("who5").label("who5_1", "fi")
    assert main(["template", "--instrument", "who5", str(tmp_path / "t.txt")]) == 2
    assert "must end in .xlsx or .csv" in capsys.readouterr().err


def test_score_in_chunks_writes_the_same_scores(tmp_path, capsys):
    whole, chunked = tmp_path / "whole.csv", tmp_path / "chunked.csv"
    assert main(["score", str(example_path("3x10d_fi_semicolon_bom.csv")), "--instrument", "3x10d", "--out", str(whole)]) == 0
    assert main(["score", str(example_path("3x10d_fi_semicolon_bom.csv")), "--instrument", "3x10d", "--out", str(chunked),
                 "--chunksize", "5"]) == 0
    assert chunked.read_text() == whole.read_text()
    assert "rows read 24, scored 24, rejected 0; invalid answers read as missing 0 (5 chunks)" in capsys.readouterr().err


@pytest.mark.parametrize("dataset", ["background", "indicators", "indicator-catalogue", "service-visits", "plan-dates"])
@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_dataset_template_headers_in_each_language_are_accepted(tmp_path, capsys, dataset, lang):
    import json

    from analysis.intake.readers import load_table

    out = tmp_path / f"{dataset}.csv"
    assert main(["template", "--dataset", dataset, "--lang", lang, str(out)]) == 0
    header = out.read_text(encoding="utf-8-sig").splitlines()[0].split(";" if lang != "en" else ",")
    fields = json.loads((Path("data_dictionary") / f"{dataset}.json").read_text(encoding="utf-8"))["fields"]
    assert header == [f["labels"][lang] for f in fields]          # every field labelled in every language
    res = load_table(out, dataset)
    assert res.n_read == 0 and dict(res.header_map) == {h: f["name"] for h, f in zip(header, fields)}
    xlsx = tmp_path / f"{dataset}.xlsx"
    assert main(["template", "--dataset", dataset, "--lang", lang, str(xlsx)]) == 0
    assert [c.value for c in openpyxl.load_workbook(xlsx).active[1]] == header


def test_template_needs_an_instrument_or_a_dataset(tmp_path, capsys):
    with pytest.raises(SystemExit):
        main(["template", str(tmp_path / "t.csv")])
    assert main(["template", "--dataset", "nothing", str(tmp_path / "t.csv")]) == 2
    assert "no data dictionary entry 'nothing'" in capsys.readouterr().err


def test_report_run_audits_the_published_folder_as_a_whole(tmp_path, capsys):
    """Two reports that each protect their own tables but give a hidden count away together:
    the run says so and fails (exit 1), so that nobody publishes the folder."""
    from analysis.cli import _audit_published
    from analysis.report.disclosure import Policy, TableSpec, write_declarations
    for report, shown in (("a", [504, "..", "<5", 900]), ("b", [504, 393, "<5", ".."])):
        folder = tmp_path / "tables" / report
        folder.mkdir(parents=True)
        pd.DataFrame({"gender": ["female", "male", "other", "all"], "n": shown}).to_csv(folder / "g.csv", index=False)
        write_declarations(Policy(), {"g": TableSpec(population="clients", dims=["gender"])}, folder)
    assert _audit_published(tmp_path) == 4
    assert "DISCLOSURE: 4 hidden values" in capsys.readouterr().err
    assert _audit_published(tmp_path, "fi") == 4                 # in the report's language
    assert "TIETOSUOJA: 4 piilotettua arvoa" in capsys.readouterr().err
    shutil.rmtree(tmp_path / "tables" / "b")            # one report alone gives nothing away
    assert _audit_published(tmp_path) == 0


def test_report_console_in_the_manifests_language(monkeypatch, tmp_path, capsys):
    import analysis.report.runner
    from analysis.report.runner import Outcome

    (tmp_path / "manifest.yaml").write_text("language: fi\nfiles: []\n", encoding="utf-8")
    monkeypatch.setattr(analysis.report.runner, "run", lambda data, out, **kw: [
        Outcome("01_data_intake", "written", "01_data_intake.html, .docx, .xlsx (internal)"),
        Outcome("06_service_use", "skipped", "needs one of: pilot/service-use")])
    assert main(["report", "--data", str(tmp_path), "--out", str(tmp_path / "r")]) == 0
    err = capsys.readouterr().err
    assert "kirjoitettu" in err and "(sisäinen)" in err and "tarvitsee jonkin näistä: pilot/service-use" in err
    assert "written" not in err and "needs one of" not in err
    assert main(["report", "--data", str(tmp_path), "--out", str(tmp_path / "r"), "--lang", "en"]) == 0
    assert "needs one of: pilot/service-use" in capsys.readouterr().err           # --lang first
