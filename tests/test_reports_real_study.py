"""Reports on folders written by hand the way an evaluator's tools export them.

Each folder has its own file names, Finnish headers and occasion labels, xlsx or `;` CSV, and
only part of the study (the minimum sets of the real-study issue). The report run must write
what the data allow, say what it skipped and why, print no traceback, and its key numbers
must equal a hand computation made here from the same rows.
"""
from __future__ import annotations

import re
from html import unescape
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from report_tables import book as _book
from report_tables import read_sheet, sheets

from analysis.cli import main
from analysis.intake.manifest import ManifestError, read_manifest
from analysis.report.runner import internal_folder, run

pytestmark = pytest.mark.xdist_group("study-reports")

DOMAINS_FI = ["Terveys", "Vaikeuksista selviäminen", "Asuminen", "Arjessa pärjääminen", "Perhe ja läheiset",
              "Luotettavat ystävät", "Raha-asiat", "Omien vahvuuksien kehittäminen (esim. harrastukset)",
              "Itsetunto", "Elämä kokonaisuutena"]
KEYS = ["sat_health", "sat_resilience", "sat_housing", "sat_daily_coping", "sat_family", "sat_friends",
        "sat_finances", "sat_strengths", "sat_self_esteem", "sat_life_overall"]


def _write(folder: Path, manifest: str, files: dict[str, pd.DataFrame | str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "manifest.yaml").write_text(manifest, encoding="utf-8")
    for name, content in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            path.write_bytes(content.encode("utf-8-sig"))
        elif name.endswith(".xlsx"):
            content.to_excel(path, index=False)
        else:
            content.to_csv(path, sep=";", index=False, encoding="utf-8-sig", decimal=",")
    return folder




def _status(outcomes) -> dict[str, str]:
    return {o.notebook[:2]: o.status for o in outcomes}


@pytest.fixture(scope="session")
def pilot_only(tmp_path_factory):
    """12 clients' self-assessments: 'alkumittaus' for all, 'seuranta' for 10, Finnish headers, xlsx."""
    rng = np.random.default_rng(11)
    rows = []
    for i in range(12):
        base = rng.integers(2, 9, 10)
        rows.append({"Vastaajatunnus": f"A{i:02d}", "Mittauskerta": "alkumittaus", **dict(zip(DOMAINS_FI, base))})
        if i < 10:
            after = np.clip(base + rng.integers(-1, 4, 10), 0, 10)
            rows.append({"Vastaajatunnus": f"A{i:02d}", "Mittauskerta": "seuranta", **dict(zip(DOMAINS_FI, after))})
    data = pd.DataFrame(rows)
    folder = _write(tmp_path_factory.mktemp("pilot") / "kuopio", """\
title: Integraattori-pilotti, Kuopio 2025
synthetic: false
language: fi
occasions:
  pilot: [alkumittaus, seuranta]
files:
  - {path: asiakkaat_2025.xlsx, population: pilot, instrument: 3x10d}
""", {"asiakkaat_2025.xlsx": data})
    out = tmp_path_factory.mktemp("pilot-out")
    return data, out, run(folder, out, workers=2, final=True)


def test_pilot_alone_gives_a_final_report_without_placeholders(pilot_only):
    """The final report of a study with the pilot's self-assessments only: the pilot evaluation
    as its one chapter, every report the data did not allow in the appendix with its reason."""
    from analysis.report.i18n import t
    _, out, outcomes = pilot_only
    assert outcomes[-1].notebook == "final_report" and outcomes[-1].status == "written"
    text = unescape(re.sub(r"<[^>]+>", " ", (out / "final_report.html").read_text(encoding="utf-8")))
    assert "Osiota ei tuotettu" not in text and "Integraattori-pilotti, Kuopio 2025" in text
    assert f"2 {t('04_pilot_evaluation.title', 'fi')}" in text
    appendix = text.rsplit(t("final.appendix.heading", "fi"), 1)[1]
    for name in ("02_validation_report", "03_norms", "05_participant_surveys", "06_service_use"):
        assert t(f"{name}.title", "fi") in appendix, name
    assert t("04_pilot_evaluation.rci.heading", "fi") in appendix       # no reliable-change parameters
    assert "Synteettinen" not in text


def test_pilot_alone_gives_the_pilot_evaluation(pilot_only):
    data, out, outcomes = pilot_only
    status = _status(outcomes)
    assert status["04"] == "written" and status["01"] == "written"
    for nb in ("02", "03", "05", "06", "07"):
        assert status[nb] == "skipped"
    book = _book(out, "04_pilot_evaluation")
    wide = data.rename(columns=dict(zip(DOMAINS_FI, KEYS))).pivot(index="Vastaajatunnus", columns="Mittauskerta")
    change = book["change"].set_index("score")
    for key in KEYS:
        d = (wide[(key, "seuranta")] - wide[(key, "alkumittaus")]).dropna()
        assert change.loc[key, "n"] == len(d) == 10
        assert change.loc[key, "mean_change"] == pytest.approx(d.mean(), abs=1e-12)
    attrition = book["attrition"].set_index("occasion")["n"]
    assert attrition["alkumittaus"] == 12 and attrition["seuranta"] == 10
    html = (out / "04_pilot_evaluation.html").read_text(encoding="utf-8")
    assert "Integraattori-pilotti, Kuopio 2025" in html and 'lang="fi"' in html
    assert "Osiota ei tuotettu" in html          # reliable change without parameters says why
    assert "Synteettinen" not in html            # a real study carries no synthetic warning


def test_pilot_alone_with_rci_from_the_manifest(tmp_path, pilot_only):
    data, _, _ = pilot_only
    folder = _write(tmp_path / "rci", """\
occasions: {pilot: [alkumittaus, seuranta]}
reliable_change:
  source: "Julkaisijan käsikirja (2023), kahden viikon toistomittaus, n = 120"
  default: {reliability: 0.8, sd: 2.0}
files:
  - {path: asiakkaat.xlsx, population: pilot, instrument: 3x10d}
""", {"asiakkaat.xlsx": data})
    out = tmp_path / "out"
    outcomes = run(folder, out, only=["04"], workers=1)
    assert _status(outcomes)["04"] == "written"
    params = _book(out, "04_pilot_evaluation")["rci_parameters"].set_index("score")
    sem = 2.0 * np.sqrt(1 - 0.8)
    assert params.loc["sat_health", "sdc"] == pytest.approx(1.96 * np.sqrt(2) * sem, abs=1e-12)
    assert "Julkaisijan käsikirja (2023)" in (out / "04_pilot_evaluation.html").read_text(encoding="utf-8")


def test_client_survey_alone(tmp_path):
    rng = np.random.default_rng(5)
    headers = {f"cs_{i}": None for i in range(1, 13)}
    from analysis.intake.instruments import load_instrument
    ins = load_instrument("client-survey")
    rating = [it for it in ins.rating_items]
    frame = pd.DataFrame({"Vastaajan tunnus": [f"k{i}" for i in range(9)]}).rename(columns={"Vastaajan tunnus": "tunniste"})
    for it in rating:
        frame[it.label["fi"]] = rng.integers(1, 6, 9)
    comment = ins.text_items[0].label["fi"]
    frame[comment] = ["Soita minulle 040 123 4567", "=HYPERLINK(\"http://x\")", "matti.v@example.fi kiitos",
                      "", "Liisa Korhonen auttoi paljon", None, "Hyvä palvelu, 9/10", "-", "ok"]
    folder = _write(tmp_path / "kysely", """\
language: fi
disclosure: {preset: finnish-register}     # statistics of 5–9 persons published (the project's rule: 10)
files:
  - {path: asiakaskysely.csv, population: pilot, instrument: client-survey}
""", {"asiakaskysely.csv": frame})
    out = tmp_path / "out"
    outcomes = run(folder, out, workers=2)
    status = _status(outcomes)
    assert status["05"] == "written" and status["04"] == "skipped"
    book = _book(out, "05_participant_surveys")
    assert "client_scales" in book and "staff_scales" not in book
    items = book["client_items"].set_index("item")
    first = rating[0]
    assert items.loc[first.key, "n"] == 9
    assert items.loc[first.key, "mean"] == pytest.approx(frame[first.label["fi"]].mean(), abs=1e-12)
    html = (out / "05_participant_surveys.html").read_text(encoding="utf-8")
    assert html.count("Osiota ei tuotettu") >= 2       # staff survey and SUS: skipped with reasons
    for secret in ("040 123 4567", "matti.v@example.fi", "Liisa Korhonen"):
        assert secret not in html and secret not in book["client_comments"].to_string()
    assert "[phone]" in html and "[email]" in html and "9/10" in html
    ws = sheets(out / "05_participant_surveys.xlsx")["client_comments"]
    cells = [c for row in ws.iter_rows() for c in row if isinstance(c.value, str) and c.value.startswith("=")]
    assert cells and all(c.data_type == "s" for c in cells)     # a formula-like comment stays text
    screened = _book(internal_folder(out), "01_data_intake")["free_text"].set_index("column")   # internal report
    assert screened.loc["cs_comment_good" if "cs_comment_good" in screened.index else screened.index[0], "n_phone"] == 1
    del headers


def test_indicators_alone_with_a_catalogue(tmp_path):
    indicators = pd.DataFrame({
        "kausi": ["2025 H1"] * 4 + ["2025 H2"] * 4,
        "indikaattori": ["lastensuojeluilmoitukset", "palvelutarpeen_arviot", "lahetteet", "odotusaika"] * 2,
        "arvo": [48, 30, 12, 21.5, 41, 36, 15, 23.0]})
    catalogue = pd.DataFrame({
        "indikaattori": ["lastensuojeluilmoitukset", "palvelutarpeen_arviot", "lahetteet", "odotusaika"],
        "nimi": ["Lastensuojeluilmoitukset", "Palvelutarpeen arviot", "Lähetteet", "Odotusaika (vrk)"],
        "yksikkö": ["count", "count", "count", "mean"],
        "suunta": ["down", "up", "up", "down"]})
    folder = _write(tmp_path / "indikaattorit", """\
language: fi
files:
  - {path: indikaattorit.csv, population: pilot, dataset: indicators}
  - {path: luettelo.csv, population: pilot, dataset: indicator-catalogue}
""", {"indikaattorit.csv": indicators, "luettelo.csv": catalogue})
    out = tmp_path / "out"
    outcomes = run(folder, out, workers=2)
    assert _status(outcomes)["07"] == "written"
    table = _book(out, "07_half_yearly_indicators")["indicators"].set_index("indicator")
    # by hand: notices 48 → 41 (down: desired), assessments 30 → 36 (up: desired),
    # referrals 12 → 15 (up: desired), waiting 21.5 → 23 (down: not desired)
    assert table["desired"].tolist() == [True, True, True, False]
    sheet = read_sheet(sheets(out / "07_half_yearly_indicators.xlsx")["indicators"])
    assert sheet.iloc[:, list(table.reset_index().columns).index("desired")].tolist() == ["kyllä", "kyllä", "kyllä", "ei"]
    assert not sheet.astype(str).apply(lambda c: c.str.contains(r"\b(?:sat|imp|goal)_")).any().any()   # words, not keys
    html = (out / "07_half_yearly_indicators.html").read_text(encoding="utf-8")
    assert "3/4 indikaattorista" in html and "Lastensuojeluilmoitukset" in html


def test_cohort_alone_gives_validation_and_norms(tmp_path):
    rng = np.random.default_rng(3)
    n = 160
    g = rng.normal(size=n)
    rows = {"tunniste": [f"c{i:03d}" for i in range(n)], "mittauskerta": "t1"}
    for key in KEYS:
        rows[key] = np.clip(np.rint(6 + 1.5 * g + rng.normal(size=n)), 0, 10).astype(int)
    t1 = pd.DataFrame(rows)
    retest = t1.iloc[:60].assign(mittauskerta="uusinta")
    for key in KEYS:
        retest[key] = np.clip(retest[key] + rng.integers(-1, 2, 60), 0, 10)
    folder = _write(tmp_path / "vertailu", """\
occasions: {cohort: [t1, uusinta]}
files:
  - {path: vertailuaineisto.csv, population: cohort, instrument: 3x10d}
""", {"vertailuaineisto.csv": pd.concat([t1, retest])})
    out = tmp_path / "out"
    outcomes = run(folder, out, workers=2)
    status = _status(outcomes)
    assert status["02"] == "written" and status["03"] == "written"
    book = _book(out, "02_validation_report")
    desc = book["descriptives"].set_index("score")
    assert desc.loc["sat_health", "n"] == n
    assert desc.loc["sat_health", "mean"] == pytest.approx(t1["sat_health"].mean(), abs=1e-12)
    assert "test_retest" in book and "convergent" not in book
    html = (out / "02_validation_report.html").read_text(encoding="utf-8")
    assert "Section not produced" in html       # hypotheses need comparison instruments


def test_manifest_mistakes_reported_together_before_any_report(tmp_path, capsys):
    folder = tmp_path / "bad"
    folder.mkdir()
    (folder / "a.csv").write_text("id;x\n1;2\n", encoding="utf-8")
    (folder / "manifest.yaml").write_text("""\
occasions: {pilot: [alku, loppu]}
files:
  - {path: a.csv, population: clients, instrument: 3x10d}
  - {path: missing.csv, population: pilot, instrument: 3x10d}
  - {path: ../outside.csv, population: pilot, dataset: background}
  - {path: a.csv, population: pilot, instrument: nosuch}
  - {path: b.xlsx, population: pilot, instrument: 3x10d, occasion: kesken}
""", encoding="utf-8")
    with pytest.raises(ManifestError) as err:
        read_manifest(folder)
    text = str(err.value)
    for expected in ("population 'clients'", "missing.csv", "file not found", "outside the data folder",
                     "unknown instrument 'nosuch'", "occasion 'kesken' is not declared", "the same file as"):
        assert expected in text, expected
    assert main(["report", "--data", str(folder), "--out", str(tmp_path / "out")]) == 2
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err and "no report was run" in captured.err
    assert not (tmp_path / "out").exists()


def test_same_file_name_in_two_subfolders_are_two_files(tmp_path):
    a = pd.DataFrame({"id": ["x1", "x2"], **{d: [5, 6] for d in DOMAINS_FI}})
    b = pd.DataFrame({"id": ["y1", "y2"], **{d: [7, 8] for d in DOMAINS_FI}})
    folder = _write(tmp_path / "two", """\
occasions: {pilot: [alku, loppu]}
files:
  - {path: alku/vastaukset.csv, population: pilot, instrument: 3x10d, occasion: alku}
  - {path: loppu/vastaukset.csv, population: pilot, instrument: 3x10d, occasion: loppu}
""", {"alku/vastaukset.csv": a, "loppu/vastaukset.csv": b})
    from analysis.intake.manifest import load_study
    study = load_study(folder)
    scores = study.scores("pilot", "3x10d")
    assert sorted(scores["respondent_id"]) == ["x1", "x2", "y1", "y2"]
    assert scores.set_index("respondent_id").loc["y1", "occasion"] == "loppu"
    assert len(study.intake()) == 2


def test_a_file_that_cannot_be_scored_is_a_manifest_problem(tmp_path):
    folder = _write(tmp_path / "partial", """\
files:
  - {path: vastaukset.csv, population: pilot, instrument: 3x10d}
""", {"vastaukset.csv": pd.DataFrame({"id": ["x1"], "Terveys": [5]})})
    with pytest.raises(ManifestError, match="vastaukset.csv: cannot score with instrument '3x10d'"):
        from analysis.intake.manifest import load_study
        load_study(folder)


def test_service_use_from_a_visit_extract(tmp_path):
    """Oulu-style: one row per visit, plan dates apart; six calendar months either side."""
    rng = np.random.default_rng(8)
    plans = pd.DataFrame({"asiakastunnus": [f"p{i}" for i in range(8)],
                          "suunnitelman päivämäärä": [f"{d}.3.2024" for d in range(1, 9)]})
    rows = []
    for i in range(8):
        plan = pd.Timestamp(2024, 3, i + 1)
        for _ in range(rng.integers(3, 9)):
            day = plan + pd.Timedelta(days=int(rng.integers(-180, 181)))
            rows.append({"asiakastunnus": f"p{i}", "käyntipäivä": f"{day.day}.{day.month}.{day.year}",
                         "palvelu": rng.choice(["terveydenhoitaja", "lääkäri", "sosiaalityö"])})
    rows.append({"asiakastunnus": "p0", "käyntipäivä": "15.12.2024", "palvelu": "lääkäri"})   # extract end
    visits = pd.DataFrame(rows)
    folder = _write(tmp_path / "oulu", """\
language: fi
files:
  - {path: kaynnit.csv, population: pilot, dataset: service-visits}
  - {path: suunnitelmat.csv, population: pilot, dataset: plan-dates}
""", {"kaynnit.csv": visits, "suunnitelmat.csv": plans})
    out = tmp_path / "out"
    outcomes = run(folder, out, only=["06"], workers=1)
    assert _status(outcomes)["06"] == "written", outcomes
    # by hand: windows [plan − 6 months, plan) and [plan, plan + 6 months); the extract ends
    # at the last visit, so clients whose after window ends later are left out
    v = visits.assign(date=pd.to_datetime(visits["käyntipäivä"], format="%d.%m.%Y"))
    last = v["date"].max()
    before = after = 0
    for i in range(8):
        plan = pd.Timestamp(2024, 3, i + 1)
        end = plan + pd.DateOffset(months=6)
        if end - pd.Timedelta(days=1) > last:
            continue
        mine = v[v["asiakastunnus"] == f"p{i}"]["date"]
        before += int(((mine >= plan - pd.DateOffset(months=6)) & (mine < plan)).sum())
        after += int(((mine >= plan) & (mine < end)).sum())
    table = _book(out, "06_service_use")["service_use"].set_index("service_type")
    total = table.loc["all_services"]
    if not isinstance(total["total_before"], str):
        assert (total["total_before"], total["total_after"]) == (before, after)


def test_background_in_finnish_with_age_only(tmp_path):
    """Finnish headers and answers; only age given: the age group is derived, missing optional
    columns are simply absent (no empty weight column passing for data)."""
    folder = _write(tmp_path / "tausta", """\
files:
  - {path: taustat.csv, population: pilot, dataset: background}
""", {"taustat.csv": pd.DataFrame({"Tunniste": ["a", "b", "c"], "Sukupuoli": ["nainen", "mies", "muu"],
                                   "Ikä": [20, 17, 29]})})
    from analysis.intake.manifest import load_study
    table = load_study(folder).table("pilot", "background").set_index("respondent_id")
    assert table["gender"].tolist() == ["female", "male", "other"]
    assert table["age_group"].tolist() == ["20-24", "16-19", "25-29"]
    assert "weight" not in table and "activity" not in table


def test_ids_stripped_of_leading_zeros_are_named_not_matched(tmp_path):
    # baseline from a spreadsheet whose ids became numbers (00007 -> 7), follow-up as text
    rng = np.random.default_rng(5)
    ids = [f"{i:05d}" for i in range(1, 21)]
    base = pd.DataFrame({"Tunniste": [int(i) for i in ids], "Mittauskerta": "alku",
                         **{k: rng.integers(0, 11, 20) for k in KEYS}})
    follow = pd.DataFrame({"Tunniste": ids, "Mittauskerta": "seuranta", **{k: rng.integers(0, 11, 20) for k in KEYS}})
    folder = _write(tmp_path / "nollat", """
synthetic: false
occasions: {pilot: [alku, seuranta]}
files:
  - {path: alku.xlsx, population: pilot, instrument: 3x10d}
  - {path: seuranta.csv, population: pilot, instrument: 3x10d}
""", {"alku.xlsx": base, "seuranta.csv": follow.astype({"Tunniste": str})})
    from analysis.intake.manifest import load_study
    found = load_study(folder).id_mismatches().set_index("file")
    assert found.loc["alku.xlsx", ["n_ids", "n_found", "n_found_without_zeros"]].tolist() == [20, 0, 20]
    out = tmp_path / "out"
    run(folder, out, only=["01"], workers=1)
    html = (internal_folder(out) / "01_data_intake.html").read_text(encoding="utf-8")
    assert not (out / "01_data_intake.html").exists()             # the intake report is internal
    assert "leading zeros" in html and "alku.xlsx" in html


SUFFIX = " - tyytyväisyys nyt"


def _webropol(rows: list[list[str]], header: list[str]) -> str:
    """A Webropol-style export: ';', CRLF, every cell as the tool writes it (written with a BOM by _write)."""
    return "\r\n".join(";".join(r) for r in [header, *rows]) + "\r\n"


def test_a_survey_tools_export_as_written_reports_in_finnish(tmp_path, capsys):
    """An evaluator's own folder: Webropol's ';' CSV with a BOM, numbered Finnish questions with the
    scale suffix (':' or ' - '), 'Asiakastunnus' as id, the negatively worded client-survey items
    without a marker, two occasions with the evaluator's own labels (written in another case), one
    client seen once, one invalid answer and one row without an id. The run (fi) exits 0, its
    summary says in Finnish which row was rejected and which answer was read as missing, and that
    client keeps their other answers."""
    rng = np.random.default_rng(19)
    header = ["Asiakastunnus", "Mittauskerta", "Vastausaika"] + [
        f"{i}. {d.split(' (')[0]}" + (": tyytyväisyys" if d == "Itsetunto" else SUFFIX)
        for i, d in enumerate(DOMAINS_FI, 1)]
    rows, values = [], {}
    for i in range(12):
        for occasion, day in (("Alkukartoitus", "3.2.2025 14:05"), ("Puolen vuoden seuranta", "4.8.2025 9:30")):
            if occasion != "Alkukartoitus" and i == 11:          # one client seen once
                continue
            answers = [str(v) for v in rng.integers(2, 10, 10)]
            values[(f"K{i:02d}", occasion)] = answers
            rows.append([f"K{i:02d}", occasion, day, *answers])
    bad = next(n for n, r in enumerate(rows) if r[0] == "K03" and r[1] != "Alkukartoitus")
    rows[bad][3 + 6] = "12"                                      # 7. Raha-asiat: off the 0–10 scale
    survey_header = ["Asiakastunnus"] + [
        f"{i}. {text}" for i, text in enumerate(
            ["Tiesin, mihin kääntyä asioideni kanssa", "Asioitani hoidettiin yhden yhteyspisteen kautta",
             "Jouduin kertomaan asiani uudelleen joka palvelussa", "Palvelut auttoivat minua tilanteessani",
             "Elämäntilanteeni on kohentunut tuen avulla", "Tuesta ei ollut minulle hyötyä",
             "Mielipiteitäni kuunneltiin", "Sain valita eri vaihtoehdoista",
             "Minua koskevat päätökset tehtiin ilman minua", "Tiedän, kuka on vastuutyöntekijäni",
             "Tavoitin vastuutyöntekijäni tarvittaessa", "Oli epäselvää, kuka vastaa asioistani",
             "Hyvinvointisuunnitelma kuvaa tavoitteeni", "Hyvinvointisuunnitelma on auttanut minua etenemään",
             "Hyvinvointisuunnitelmasta ei ole ollut minulle hyötyä"], 1)] + ["Mikä toimi hyvin?"]
    survey = [[f"K{i:02d}", *(str(v) for v in rng.integers(1, 6, 15)), "hyvä"] for i in range(11)]
    survey[4][0] = ""                                            # a row without its id: rejected
    folder = _write(tmp_path / "oma tutkimus", """\
title: Oma arviointi 2025
language: fi
occasions:
  pilot: [alkukartoitus, puolen vuoden seuranta]
files:
  - {path: itsearviot.csv, population: pilot, instrument: 3x10d}
  - {path: asiakaskysely.csv, population: pilot, instrument: client-survey}
""", {"itsearviot.csv": _webropol(rows, header), "asiakaskysely.csv": _webropol(survey, survey_header)})
    out = tmp_path / "raportit"
    code = main(["report", "--data", str(folder), "--out", str(out), "--lang", "fi", "--only", "01,04", "--final"])
    err = capsys.readouterr().err
    assert code == 0, err
    internal = internal_folder(out)
    # the summary, in Finnish: the counts, the invalid answer and the rejected row, where all reasons are
    assert "kirjoitettu" in err and "written" not in err and "rows read" not in err
    assert "Aineisto: 2 tiedostoa, 34 riviä luettu, 33 hyväksytty, 1 hylätty; 1 virheellinen vastaus" in err
    assert (f"rivi {bad + 2}, sarake '7. Raha-asiat{SUFFIX}', arvo '12': odotettiin kokonaislukua 0–10 "
            "(tai vastausvaihtoehdon nimi, kuten 'erittäin tyytymätön'") in err
    assert "'erittäin tyytyväinen') (vastaus luettiin puuttuvaksi, rivi säilytettiin)" in err
    assert "rivi 6, sarake 'Asiakastunnus', arvo '': Vastaajatunnus puuttuu" in err
    assert "1 virheellinen vastaus luettu puuttuvaksi (rivit säilytettiin)" in err
    for name in ("asiakaskysely", "itsearviot"):          # the invalid answer is listed there too
        assert f"kaikki syyt: {internal / 'scores' / f'{name}_rejected.csv'}" in err
    # every header was matched: the numbered, suffixed, unmarked ones too
    scores = pd.read_csv(internal / "scores" / "itsearviot_scores.csv").set_index(["respondent_id", "occasion"])
    assert len(scores) == 23 and set(scores.index.get_level_values(1)) == {"alkukartoitus", "puolen vuoden seuranta"}
    k03 = scores.loc[("K03", "puolen vuoden seuranta")]
    given = values[("K03", "Puolen vuoden seuranta")]
    assert np.isnan(k03["sat_finances"]) and k03["sat_health"] == float(given[0])      # the rest kept
    assert k03["sat_self_esteem"] == float(given[8]) and k03["sat_strengths"] == float(given[7])
    client = pd.read_csv(internal / "scores" / "asiakaskysely_scores.csv")
    assert len(client) == 10 and client["cs_one_stop"].notna().all()          # cs_3 read without '(kielteinen)'
    # report 01: reasons in Finnish, rows as integers, files as the manifest names them
    html = (internal / "01_data_intake.html").read_text(encoding="utf-8")
    assert "odotettiin kokonaislukua 0–10" in html and "Vastaajatunnus puuttuu" in html
    assert "expected an integer" not in html and str(folder) not in html and f"{bad + 2},00" not in html
    assert (out / "04_pilot_evaluation.html").is_file()
    # the final report to hand in: one document, numbered, with method and references, no placeholder
    final = unescape(re.sub(r"<[^>]+>", " ", (out / "final_report.html").read_text(encoding="utf-8")))
    assert (out / "final_report.docx").is_file() and "Oma arviointi 2025" in final
    assert "1 Aineisto ja menetelmät" in final and "Taulukko 1" in final and "Lähteet" in final
    assert "Osiota ei tuotettu" not in final and "Table " not in final
    assert "2 Pilotin arviointi" in final and "(ks. taulukko" in final
