"""The final report (analysis.report.final): one document to hand in, assembled from the
published reports' chapters — numbered tables and figures named in the text, a method chapter
with references, no placeholder section, an appendix of what the data did not allow."""
from __future__ import annotations

import re
import zipfile
from html import unescape
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from analysis import datasets  # noqa: E402
from analysis.intake.manifest import load_study  # noqa: E402
from analysis.report import i18n  # noqa: E402
from analysis.report.document import CHAPTERS, Chapter, Report  # noqa: E402
from analysis.report.final import refer, references, write_final_report  # noqa: E402


def _text(html: str) -> str:
    body = re.sub(r"<style>.*?</style>|data:image/png;base64,[A-Za-z0-9+/=]+", "", html, flags=re.S)
    return unescape(re.sub(r"<[^>]+>", " ", body))


def _docx_xml(path: Path, part: str = "word/document.xml") -> str:
    return zipfile.ZipFile(path).read(part).decode("utf-8")


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    """Two small reports of the demo study finished as chapters, then the final report twice."""
    study = load_study(datasets.path("demo"))
    folder = tmp_path_factory.mktemp("final")
    chapters = folder / CHAPTERS
    pilot = Report("04_pilot_evaluation", study, lang="fi", out_dir=folder / "out", chapter_dir=chapters, display=False)
    pilot.working_text("04_pilot_evaluation.individual_withheld")
    pilot.heading("04_pilot_evaluation.change.heading")
    pilot.paragraph("Muutosta verrattiin osa-alueittain.")
    pilot.table("change", pd.DataFrame({"score": ["sat_health", "sat_housing"], "n": [30, 28]}), title="Muutos")
    pilot.heading("04_pilot_evaluation.rci.heading")
    pilot.skip("04_pilot_evaluation.rci.no_parameters")
    pilot.finish()
    use = Report("06_service_use", study, lang="fi", out_dir=folder / "out", chapter_dir=chapters, display=False)
    use.heading("06_service_use.method.heading")
    use.table("visits", pd.DataFrame({"measure": ["visits"], "value": [120]}), counts=None, title="Käynnit")
    fig, ax = plt.subplots(figsize=(2, 2))
    ax.plot([0, 1], [0, 1])
    use.figure("line", fig, "06_service_use.results.figure")
    plt.close(fig)
    use.finish()
    loaded = [Chapter.load(chapters / f"{name}.pickle") for name in ("04_pilot_evaluation", "06_service_use")]
    not_run = {"02_validation_report": "aineistossa ei ole tietoja, joita raportti tarvitsee: vertailuaineisto"}
    first = write_final_report(study, loaded, folder / "a", lang="fi", not_run=not_run)
    second = write_final_report(study, loaded, folder / "b", lang="fi", not_run=not_run)
    return first, second


def test_the_same_chapters_give_the_same_bytes(small):
    first, second = small
    for kind in ("html", "docx"):
        assert first[kind].read_bytes() == second[kind].read_bytes(), kind


def test_chapters_are_numbered_and_their_tables_named_in_the_text(small):
    html = small[0]["html"].read_text(encoding="utf-8")
    text = _text(html)
    headings = [unescape(re.sub(r"<[^>]+>", "", h)) for h in re.findall(r"<h[2-4][^>]*>(.*?)</h[2-4]>", html)]
    assert headings[1:3] == ["1 Aineisto ja menetelmät", "1.1 Aineisto"]          # [0] is the contents
    pilot = i18n.t("04_pilot_evaluation.title", "fi")
    change = i18n.t("04_pilot_evaluation.change.heading", "fi")
    assert f"2 {pilot}" in headings and f"2.1 {change}" in headings
    # tables run through the document: 1 in the method chapter, then each chapter's on
    assert re.findall(r"Taulukko (\d+)", text) == ["1", "2", "3"]
    assert re.findall(r"Kuvio (\d+)\.", text) == ["1"]
    assert "Muutosta verrattiin osa-alueittain (ks. taulukko 2)." in text
    assert "Tulokset esitetään: taulukko 3 ja kuvio 1." in text          # a section with no sentence of its own


def test_no_placeholder_section_and_the_appendix_says_why(small):
    text = _text(small[0]["html"].read_text(encoding="utf-8"))
    rci = i18n.t("04_pilot_evaluation.rci.heading", "fi")
    assert "Osiota ei tuotettu" not in text
    assert i18n.t("04_pilot_evaluation.individual_withheld", "fi")[:60] not in text     # the working report's own
    appendix = text.split(i18n.t("final.appendix.heading", "fi"))[-1]
    assert rci in appendix and i18n.t("04_pilot_evaluation.rci.no_parameters", "fi") in appendix
    assert i18n.t("02_validation_report.title", "fi") in appendix and "vertailuaineisto" in appendix
    assert not re.search(rf"\d+(\.\d+)* {re.escape(rci)}", text)        # no numbered heading left empty


def test_method_chapter_cites_what_ran_and_lists_it(small):
    text = _text(small[0]["html"].read_text(encoding="utf-8"))
    method, rest = text.rsplit(i18n.t("final.references", "fi") + " ", 1)
    assert i18n.t("final.methods.04_pilot_evaluation.change", "fi") + " (Lakens, 2013; Wilcoxon, 1945)." in text
    assert i18n.t("final.methods.04_pilot_evaluation.rci", "fi") not in text    # not produced: not a method
    assert "Wilcoxon, F. (1945)." in rest and "Lakens, D. (2013)." in rest
    assert "Hundepool, A." in rest                                     # the small-cell rule's source
    assert "(versio 0." in method and "pandas" in method


def test_word_document_has_contents_page_numbers_and_a_title_page(small):
    path = small[0]["docx"]
    xml = _docx_xml(path)
    assert 'TOC \\o "1-2"' in xml and xml.count('w:fldCharType="begin"') == 1
    assert "Aineisto ja menetelmät" in xml and "Liite: mihin aineisto ei riittänyt" in xml
    footers = [n for n in zipfile.ZipFile(path).namelist() if re.fullmatch(r"word/footer\d*\.xml", n)]
    assert footers and all('w:instr="PAGE"' in _docx_xml(path, n) for n in footers)
    assert "updateFields" in _docx_xml(path, "word/settings.xml")
    body = re.sub(r"<[^>]+>", "", xml)
    assert body.index("Loppuraportti") < body.index("Sisällys") < body.index("1 Aineisto ja menetelmät")


def test_every_citation_has_its_reference():
    refs = references()
    for key, entry in refs["references"].items():
        surname = entry["cite"].split(",")[0].split(" &")[0].split(" et al.")[0]
        year = entry["cite"].rsplit(", ", 1)[-1]
        assert entry["text"].startswith(surname) and f"({year})" in entry["text"], key
    cited = [k for keys in refs["cites"].values() for k in keys] + refs["software"] + refs["disclosure"]
    assert set(cited) <= set(refs["references"]) and set(refs["references"]) <= set(cited)
    for section in refs["cites"]:
        assert i18n.has(f"final.methods.{section}", "fi") and i18n.has(f"final.methods.{section}", "en"), section


def test_pointers_in_both_languages():
    assert refer([2, 3], [], "fi") == "ks. taulukot 2 ja 3"
    assert refer([2, 3, 4, 7], [1], "en") == "see Tables 2–4 and 7 and Figure 1"
    assert refer([5], [1, 2], "fi", see=False) == "taulukko 5 ja kuviot 1 ja 2"
