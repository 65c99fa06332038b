"""The command line in the evaluator's language: ``score --lang fi`` and the ``report`` command's
manifest problems say every line in Finnish, from the problems' codes and facts; ``--lang en``
(the default of ``score``) prints what it always did.

The inputs are written by hand as a survey tool exports them: a ``;`` CSV with a byte-order mark,
Finnish headers, an answer off the scale, a row without an id, a column the instrument does not
know; a Finnish manifest with mistakes of every kind.
"""
from __future__ import annotations

import re
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from test_reports_demo import ENGLISH

from analysis.cli import _manifest_line, _said, main
from analysis.intake.manifest import ManifestError, load_study, read_manifest
from analysis.intake.readers import load_responses
from analysis.report.i18n import catalogue

DOMAINS_FI = ["Terveys", "Vaikeuksista selviäminen", "Asuminen", "Arjessa pärjääminen", "Perhe ja läheiset",
              "Luotettavat ystävät", "Raha-asiat", "Omien vahvuuksien kehittäminen (esim. harrastukset)",
              "Itsetunto", "Elämä kokonaisuutena"]
HEADER = ["Vastaajatunnus", "Mittauskerta", *(f"{d} (tyytyväisyys nyt)" for d in DOMAINS_FI), "IP-osoite"]


def english(text: str) -> list[str]:
    """English function words in ``text``, outside quoted values (the file's own headers and cells),
    paths and command options (``--out``), as the Finnish report test looks for them."""
    words = re.sub(r"--[\w-]+|'[^']*'|\S*/\S*", " ", text)
    return ENGLISH.findall(words)


def export(path: Path, rows: list[list[str]], header: list[str] = HEADER) -> Path:
    """A survey tool's export: ``;``-separated UTF-8 with a byte-order mark, CRLF."""
    text = "\r\n".join(";".join(r) for r in [header, *rows]) + "\r\n"
    path.write_bytes(text.encode("utf-8-sig"))
    return path


@pytest.fixture
def answers(tmp_path):
    """Five rows and a blank line: row 3 has an answer off the 0–10 scale, row 4 no id."""
    return export(tmp_path / "vastaukset.csv", [
        ["A1", "alku", *["5"] * 10, "10.0.0.1"],
        ["A2", "alku", "12", *["4"] * 9, "10.0.0.2"],
        ["", "alku", *["3"] * 10, "10.0.0.3"],
        ["A4", "alku", *["7"] * 10, "10.0.0.4"],
        [""] * len(HEADER),
        ["A5", "alku", *["6"] * 10, "10.0.0.5"],
    ])


def score(capsys, *args: str) -> tuple[int, str]:
    code = main(["score", *args])
    return code, capsys.readouterr().err


# ----------------------------------------------------------------------------- score
def test_score_in_finnish_names_every_problem_and_counts_right(answers, tmp_path, capsys):
    out = tmp_path / "pisteet.csv"
    code, err = score(capsys, str(answers), "--instrument", "3x10d", "--on-invalid", "reject-rows",
                      "--out", str(out), "--lang", "fi")
    assert code == 0 and not english(err), (english(err), err)
    lines = err.strip().splitlines()
    assert lines[-1] == ("rivejä luettu 5, pisteytetty 4, hylätty 1; virheellisiä vastauksia luettu "
                         "puuttuviksi 1")
    assert len(pd.read_csv(out)) == 4                           # rows read 5 = accepted 4 + rejected 1
    answer = next(x for x in lines if "'12'" in x)
    assert answer == (f"virheellinen vastaus (luettu puuttuvaksi): {answers}, rivi 3, sarake 'Terveys "
                      "(tyytyväisyys nyt)', arvo '12': odotettiin kokonaislukua 0–10 (tai vastausvaihtoehdon "
                      "nimi, kuten 'erittäin tyytymätön', 'ei tyytyväinen eikä tyytymätön', 'erittäin tyytyväinen')")
    assert (f"hylätty: {answers}, rivi 4, sarake 'Vastaajatunnus', arvo '': Vastaajatunnus puuttuu: jokaisella "
            "rivillä on oltava sellainen") in lines
    assert "huomautus: sarake 'IP-osoite' ei ole tunnettu sarake; se välitetään tekstinä" in lines
    assert "huomautus: 1 tyhjä rivi ohitettiin: rivi 6" in lines
    code, err = score(capsys, str(answers), "--instrument", "3x10d", "--on-invalid", "reject-rows",
                      "--out", str(out), "--rejects", str(tmp_path / "hylätyt.csv"), "--lang", "fi")
    assert f"hylätyt rivit ja virheelliset vastaukset syineen kirjoitettu tiedostoon {tmp_path / 'hylätyt.csv'}" in err


def test_score_error_mode_in_finnish_lists_every_problem_and_writes_nothing(answers, tmp_path, capsys):
    out = tmp_path / "pisteet.csv"
    code, err = score(capsys, str(answers), "--instrument", "3x10d", "--out", str(out), "--lang", "fi")
    assert code == 2 and not out.exists() and not english(err), (english(err), err)
    lines = err.strip().splitlines()
    assert lines[0] == f"{answers}: 2 ongelmaa; tiedostoa ei luettu"
    assert lines[1] == (f"  {answers}: rivi 3, vastaajatunnus 'A2', sarake 'Terveys (tyytyväisyys nyt)', arvo '12': "
                        "odotettiin kokonaislukua 0–10 (tai vastausvaihtoehdon nimi, kuten 'erittäin tyytymätön', "
                        "'ei tyytyväinen eikä tyytymätön', 'erittäin tyytyväinen')")
    assert lines[2] == (f"  {answers}: rivi 4, sarake 'Vastaajatunnus', arvo '': Vastaajatunnus puuttuu: jokaisella "
                        "rivillä on oltava sellainen")
    assert lines[-1] == "virheellinen syöte: 2 ongelmaa; mitään ei kirjoitettu"


def test_score_in_english_is_as_before(answers, tmp_path, capsys):
    args = [str(answers), "--instrument", "3x10d", "--on-invalid", "reject-rows", "--out", str(tmp_path / "s.csv")]
    code, err = score(capsys, *args)
    assert code == 0 and (code, err) == score(capsys, *args, "--lang", "en")
    assert err.strip().splitlines()[-1] == "rows read 5, scored 4, rejected 1; invalid answers read as missing 1"
    assert "rejected: row 4, column 'Vastaajatunnus', value '': missing respondent_id: every row needs one" in err
    code, err = score(capsys, *args[:3], "--out", str(tmp_path / "s.csv"))
    assert code == 2 and err.strip().splitlines()[-1] == "invalid input: 2 problems; nothing written"
    assert f"{answers}: row 3, respondent_id 'A2', column 'Terveys (tyytyväisyys nyt)', value '12'" in err


def test_score_streaming_errors_and_refusals_in_finnish(answers, tmp_path, capsys):
    out = tmp_path / "pisteet.csv"
    code, err = score(capsys, str(answers), "--instrument", "3x10d", "--on-invalid", "reject-rows", "--out", str(out),
                      "--chunksize", "2", "--lang", "fi")
    assert code == 0 and err.strip().splitlines()[-1] == ("rivejä luettu 5, pisteytetty 4, hylätty 1; virheellisiä "
                                                          "vastauksia luettu puuttuviksi 1 (3 erää)")
    said = [score(capsys, str(answers), "--instrument", "3x10d", "--chunksize", "2", "--lang", "fi"),
            score(capsys, str(answers), "--instrument", "3x10e", "--lang", "fi")]
    partial = export(tmp_path / "osa.csv", [["A1", "alku", "5"]], HEADER[:3])
    said.append(score(capsys, str(partial), "--instrument", "3x10d", "--out", str(out), "--lang", "fi"))
    hetu = export(tmp_path / "hetu.csv", [["131052-308T", "alku", *["5"] * 10, ""]])
    said.append(score(capsys, str(hetu), "--instrument", "3x10d", "--lang", "fi"))
    coded = export(tmp_path / "koodattu.csv", [[f"B{i}", "alku", *[str(1 + (i + k) % 11) for k in range(10)], ""]
                                               for i in range(11)])
    said.append(score(capsys, str(coded), "--instrument", "3x10d", "--lang", "fi"))
    old = tmp_path / "vanha.xls"
    old.write_bytes(b"\xd0\xcf")
    said.append(score(capsys, str(old), "--instrument", "3x10d", "--lang", "fi"))
    for code, err in said:
        assert code == 2 and not english(err), (english(err), err)
    (needs_out, _), (unknown, _), (cannot, _), (codes, _), (recode, _), (xls, _) = [(e, c) for c, e in said]
    assert needs_out.startswith("virhe: --chunksize tarvitsee myös valitsimen --out")
    assert unknown.startswith("virhe: tuntematon kysely '3x10e'; käytettävissä: 3x10d")
    assert cannot.startswith(f"{partial}: pisteitä ei voi laskea kyselyllä '3x10d': vastauksista puuttuvat")
    assert "henkilötunnuksia 1 rivillä (ensimmäinen: rivi 2); koko tiedosto hylättiin" in codes
    assert "131052-308T" not in codes and "arvo 'xxxxxx-xxxx'" in codes
    assert "luultavasti koodattu 1–11" in recode and "--recode 1-11" in recode
    assert "tiedostotyyppiä '.xls' ei tueta" in xls and "(tallenna vanha .xls-työkirja .xlsx-muodossa)" in xls


def test_the_intakes_notes_are_said_in_finnish(tmp_path):
    """Every note a file of a survey tool brings: its sentence is known to the Finnish console."""
    files = [export(tmp_path / "a.csv", [["A", "alku", *["5"] * 10, "x"], [""] * len(HEADER)]),
             tmp_path / "b.csv", tmp_path / "c.csv", tmp_path / "d.txt", tmp_path / "e.csv", tmp_path / "f.xlsx"]
    files[1].write_bytes("Vastaajatunnus;Tyytyväisyys nyt;;;Tärkeys\n;Terveys;Asuminen;Raha-asiat;Terveys\n"
                         "A;5;6;7;8\n".encode("utf-8"))                                   # two-row header
    files[2].write_bytes("Vastaajatunnus;Terveys (tyytyväisyys nyt);Tervey\nÄ;5;1\nB;6;2\n".encode("cp1252"))
    files[3].write_bytes("Vastaajatunnus\tTerveys (tyytyväisyys nyt)\r\nÄ1\t5\r\n".encode("utf-16"))
    files[4].write_bytes(b"Vastaajatunnus;Terveys (tyytyv\xc3\xa4isyys nyt);;\r\nA;5;;\r\nB;6;;\r\n")
    wb = openpyxl.Workbook()
    wb.active.append(["Vastaajatunnus", "Terveys (tyytyväisyys nyt)"])
    wb.active.append(["A", 5])
    wb.create_sheet("Muuta")
    wb.save(files[5])
    trailing = tmp_path / "g.csv"
    trailing.write_bytes(b"Vastaajatunnus;Terveys (tyytyv\xc3\xa4isyys nyt)\r\nA;5;\r\nB;6;\r\n")
    notes = [n for f in [*files, trailing] for n in load_responses(f, "3x10d", on_invalid="reject-rows").notes]
    assert len(notes) >= 9
    for note in notes:
        fi = _said(note, "fi")
        assert fi != note and not english(fi), (note, fi)


# ----------------------------------------------------------------------------- manifest problems
MANIFEST = """\
title: Kokeilu
language: fi
kieli: fi
occasions: {pilot: [alku, Alku], cohort: [t1, t1], asiakkaat: [a], staff: []}
comments: piilota
date: 30.6.2025
reliable_change: {source: käsikirja, default: {reliability: 1.5, sd: 2}, scores: {sat_health: 3}}
disclosure: {min_count: 0, raja: 3, preset: 5}
authors: {nimi: Maija}
process: {phases: [ohjautuminen, arvio, arvio], plan: x, tuntematon: 1}
identification: {window_months: 0, sectors: [a], muu: 1}
files:
  - {path: vastaukset.csv, population: asiakkaat, instrument: 3x10dd}
  - {path: puuttuu.csv, population: pilot, instrument: 3x10d, occasion: loppu}
  - {path: ../ulkona.csv, population: cohort, dataset: taustat, recode: 0-10, occasion: t2}
  - {path: vastaukset.csv, instrument: 3x10d, tyyppi: x}
  - {path: /etc/passwd, population: staff}
  - {path: vastaukset.csv, population: staff, dataset: background, recode: 1-11}
  - just a string
  - {path: tapahtumat.csv, population: pilot, dataset: process-events}
"""


def test_manifest_mistakes_in_finnish_on_the_console(answers, capsys):
    folder = answers.parent
    (folder / "manifest.yaml").write_text(MANIFEST, encoding="utf-8")
    with pytest.raises(ManifestError) as caught:
        read_manifest(folder)
    problems = caught.value.problems
    assert len(problems) >= 30 and all(isinstance(p, str) for p in problems)      # the library's English
    assert main(["report", "--data", str(folder), "--out", str(folder / "raportit")]) == 2
    err = capsys.readouterr().err
    lines = err.strip().splitlines()
    assert lines[0] == f"{folder / 'manifest.yaml'}: {len(problems)} ongelmaa tutkimuksen kuvaustiedostossa tai sen tiedostoissa:"
    assert len(lines) == len(problems) + 2 and not english(err), (english(err), err)
    assert not set(lines) & {f"  - {p}" for p in problems}                          # none left in English
    for expected in ("  - tuntematon avain: kieli; tunnetut avaimet: authors,",
                     "  - files-kohta 2 (puuttuu.csv): tiedostoa ei löydy",
                     "  - files-kohta 1 (vastaukset.csv): tuntematon kysely '3x10dd'; tunnetut kyselyt: 3x10d,",
                     "  - files-kohta 3 (../ulkona.csv): polku osoittaa datakansion ulkopuolelle",
                     "  - files-kohta 6 (vastaukset.csv): sama tiedosto kuin files-kohdassa 1",
                     "  - date: '30.6.2025' ei ole päivämäärä muodossa VVVV-KK-PP",
                     "  - process: tuntematon avain: tuntematon; tunnetut: phases,"):
        assert any(x.startswith(expected) for x in lines), expected
    assert any("(tapahtumat.csv): aineisto 'process-events' edellyttää" in x for x in lines)
    assert main(["report", "--data", str(folder), "--out", str(folder / "raportit"), "--lang", "en"]) == 2
    assert [x[4:] for x in capsys.readouterr().err.strip().splitlines()[1:-1]] == problems


@pytest.mark.parametrize("text, files, code", [
    (None, {}, "manifest_missing"),
    ("files:\n  - {path: a.csv, population: pilot\n  - x: [1\n", {}, "manifest_yaml_at"),
    ("language: fi\nfiles:\n\t- a\n", {}, "manifest_yaml_at"),
    ("- a\n- b\n", {}, "manifest_type"),
    ("date: 2025-13-01\nfiles: []\n", {}, "manifest_date"),
    (b"title: \xe4\nfiles: []\n", {}, "manifest_encoding"),
    ("occasions: [alku]\nfiles: []\n", {}, "occasions_type"),
    ("files:\n  - {path: a.csv, population: pilot, instrument: 3x10d}\n", {"a.csv": "Vastaajatunnus;Mittauskerta;"
     + ";".join(HEADER[2:12]) + "\nA;alku;" + ";".join(["5"] * 10) + "\n"}, "occasion_column"),
    ("files:\n  - {path: a.csv, population: pilot, instrument: 3x10d}\n", {"a.csv": "x;y\n1;2\n"}, "file"),
    ("files:\n  - {path: a.csv, population: pilot, instrument: 3x10d}\n",
     {"a.csv": "Vastaajatunnus;Terveys\nA;5\n"}, "cannot_score"),
    ("files:\n  - {path: a.csv, population: pilot, instrument: 3x10d}\n", {"a.csv": "\n".join(
        ";".join([f"B{i}", *[str(1 + (i + k) % 11) for k in range(10)]]) for i in range(11)).join(
        [";".join(["Vastaajatunnus", *HEADER[2:12]]) + "\n", "\n"])}, "file"),                   # coded 1–11
    ("reliable_change: {source: x}\nfiles: []\n", {}, "rci_missing"),
    ("reliable_change: {default: {reliability: 0.8, sd: 2}}\nfiles: []\n", {}, "rci_source"),
])
def test_every_manifest_problem_has_a_code_said_in_finnish(tmp_path, text, files, code):
    tmp_path.joinpath("d").mkdir()
    folder = tmp_path / "d"
    if text is not None:
        (folder / "manifest.yaml").write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    for name, content in files.items():
        (folder / name).write_bytes(content.encode("utf-8-sig"))
    with pytest.raises(ManifestError) as caught:
        load_study(folder)
    details = caught.value.details
    assert code in [d.code for d in details] and [d.text for d in details] == caught.value.problems
    for detail in details:
        said = _manifest_line(detail, "fi")
        assert said != detail.text and not english(said), (detail, said)
        assert _manifest_line(detail, "en") == detail.text


def test_every_manifest_code_has_a_message_in_both_languages():
    import analysis.intake.manifest as manifest

    source = Path(manifest.__file__).read_text(encoding="utf-8")
    codes = set(re.findall(r'_problem\(\s*"(\w+)"', source)) | {"path_absolute", "path_outside", "path_not_found"}
    assert len(codes) >= 40
    for lang in ("en", "fi"):
        missing = sorted(c for c in codes - {"file"} if f"cli.manifest.{c}" not in catalogue(lang))
        assert not missing, (lang, missing)


# ----------------------------------------------------------------------------- template, --help
def test_template_errors_follow_the_header_language_and_help_names_the_option(tmp_path, capsys):
    assert main(["template", "--instrument", "who5", "--lang", "fi", str(tmp_path / "pohja.txt")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("virhe: pohjatiedoston nimen on päätyttävä .xlsx tai .csv") and not english(err)
    assert main(["template", "--dataset", "taustat", "--lang", "fi", str(tmp_path / "pohja.csv")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("virhe: tietokuvauksessa ei ole aineistoa 'taustat'") and not english(err)
    assert main(["template", "--instrument", "who5", "--lang", "sv", str(tmp_path / "mall.txt")]) == 2
    assert "template file must end in .xlsx or .csv" in capsys.readouterr().err      # no Swedish console
    with pytest.raises(SystemExit):
        main(["score", "--help"])
    shown = " ".join(capsys.readouterr().out.split())
    assert "--lang {en,fi}" in shown and "en (default) or fi (Finnish" in shown


BAD_FILES = {                            # a file that cannot be read, and what is wrong with it
    "ei_tunnusta.csv": "Terveys (tyytyväisyys nyt)\n5\n",
    "lähes_tunnus.csv": "Vastaajatunnu;Terveys (tyytyväisyys nyt)\nA;5\n",
    "tyhjä_otsikko.csv": "\n\nA;5\n",
    "otsikoton.csv": "Vastaajatunnus;;Terveys (tyytyväisyys nyt)\nA;x;5\n",
    "kahdesti.csv": "Vastaajatunnus;Terveys (tyytyväisyys nyt);Tyytyväisyys nyt – Terveys\nA;5;5\n",
    "ei_kysymyksiä.csv": "Vastaajatunnus;Mitä kuuluu\nA;5\n",
    "hetu_vapaassa.csv": "Vastaajatunnus;Terveys (tyytyväisyys nyt);Avoin palaute\nA;5;soita, hetu 131052-308T\n",
    "puuttuu.csv": None,
    "muistio.docx": "",
}


def test_whole_file_problems_are_said_in_finnish(tmp_path):
    """The reasons a whole file is refused carry no code: their sentences are known to the console."""
    from analysis.cli import _problem_line
    from analysis.intake.readers import InputError, load_table

    problems = []
    for name, text in BAD_FILES.items():
        if text is not None:
            (tmp_path / name).write_text(text, encoding="utf-8")
        with pytest.raises(InputError) as caught:
            load_responses(tmp_path / name, "3x10d")
        problems += caught.value.problems
    (tmp_path / "taustat.csv").write_text("Sukupuoli\nNainen\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_table(tmp_path / "taustat.csv", "background")
    problems += caught.value.problems
    assert len(problems) >= len(BAD_FILES) + 1
    for problem in problems:
        said = _problem_line(problem, "fi")
        assert problem.reason not in said and not english(said), (problem.reason, said)


def test_identity_code_refusals_are_said_in_finnish():
    from analysis.intake.readers import FREE_TEXT_ADVICE, ID_ADVICE

    for advice in (ID_ADVICE, FREE_TEXT_ADVICE):
        text = ("column holds Finnish personal identity codes in 3 row(s) (first: row 7); the file is refused as a "
                "whole. " + advice)
        said = _said(text, "fi")
        assert said.startswith("sarakkeessa on suomalaisia henkilötunnuksia 3 rivillä (ensimmäinen: rivi 7)")
        assert not english(said), said
