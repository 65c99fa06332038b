"""Word and HTML tables that print: column widths from their content measured for the table font,
numbers never wrapped, headings wrapped only between words, a table too wide for a portrait page
on landscape pages of its own, the web page never splitting a table.

The structural tests always run. The printed tests (``printed``) convert the Word files with
LibreOffice and read the PDF's text, as a reader would see the pages: each number of each
table whole on one line; they are skipped where LibreOffice is not installed (tests/docx_render.py).
"""
from __future__ import annotations

import re
import zipfile

import docx
import docx_render
import pandas as pd
import pytest
from docx.oxml.ns import qn

from analysis.report.present import ShownTable
from analysis.report.render import (
    CELL_MARGIN_TWIPS,
    LANDSCAPE_TEXT_WIDTH_CM,
    TABLE_FONT,
    TEXT_WIDTH_CM,
    Block,
    add_docx_blocks,
    column_width,
    layout,
    new_docx,
    render_docx,
    render_html,
    save_docx,
    table_width,
    text_width,
)

TWIPS_PER_CM = 1440 / 2.54
NBSP = "\u00a0"


def _shown(frame: pd.DataFrame, numeric) -> ShownTable:
    return ShownTable(frame=frame, machine=frame, excel_formats={}, numeric=tuple(numeric))


def descriptives() -> ShownTable:
    """Like 02's Table 3: n in the hundreds, headings Missing and Max, a long label column."""
    labels = ["Health", "Coping with difficulties", "Housing", "Managing everyday life", "Family and close ones",
              "Trusted friends", "Money matters", "Developing one's own strengths (e.g. hobbies)", "Self-esteem",
              "Life as a whole", "Mean of domains 1–9"]
    n = [893, 894, 891, 887, 892, 889, 895, 896, 881, 897, 899]
    frame = pd.DataFrame({
        "Score": labels, "n": [str(v) for v in n], "Missing": [str(900 - v) for v in n],
        "Missing %": [f"{(900 - v) / 9:.1f}" for v in n],
        "M": [f"{6 + k / 7:.2f}" for k in range(11)], "SD": [f"{2 + k / 13:.2f}" for k in range(11)],
        "Mdn": ["7.00"] * 11, "Min": ["0"] * 10 + ["2.33"], "Max": ["10"] * 10 + ["9.78"]})
    return _shown(frame, frame.columns[1:])


def goals_fi() -> ShownTable:
    """Like 04's Table 6 in Finnish: hidden small cells (<5, ..) beside two-digit counts."""
    frame = pd.DataFrame({
        "Osa-alue": ["Terveys", "Vaikeuksista selviäminen", "Asuminen", "Arjessa pärjääminen", "Perhe ja läheiset",
                     "Omien vahvuuksien kehittäminen (esim. harrastukset)", "Elämä kokonaisuutena", "Kaikki"],
        "Asetetut tavoitteet": ["19", "40", "23", "18", "22", "25", "21", f"1{NBSP}211"],
        "Saavutetut tavoitteet": ["<5", "5", "15", "13", "..", "10", "<5", "83"],
        "Saavutettu, %": ["<5", "..", "65,2", "72,2", "..", "40,0", "<5", "39,3"],
        "Muutos (t-testi)": ["−0,21", "0,79", "−1,05", "0,04", "..", "−0,26", "0,05", "0,02"]})
    return _shown(frame, frame.columns[1:])


def norms_fi(rows: int = 44) -> ShownTable:
    """Like 02's Table 4: twelve columns, too wide for a portrait page, long enough for two pages."""
    groups = ["Kaikki", "ei", "kyllä", "16–19"]
    domains = ["Terveys", "Vaikeuksista selviäminen", "Asuminen", "Arjessa pärjääminen", "Perhe ja läheiset",
               "Luotettavat ystävät", "Raha-asiat", "Omien vahvuuksien kehittäminen (esim. harrastukset)",
               "Itsetunto", "Elämä kokonaisuutena", "Osa-alueiden 1–9 keskiarvo"]
    heads = ["ka.", "kh.", "kh. (kansallinen)", "ka. (kansallinen, julkaistu)", "ka. (kansallinen, korjattu)",
             "Ero (julkaistu)", "Ero (korjattu)", "Vakioitu ero (julkaistu)", "Vakioitu ero (korjattu)"]
    data = {"Ryhmä": [groups[k % 4] for k in range(rows)], "Osa-alue": [domains[k % 11] for k in range(rows)],
            "n": [str(600 + 7 * k) for k in range(rows)]}
    for j, h in enumerate(heads):
        data[h] = [f"{'−' if (k + j) % 3 == 0 else ''}{(k * 37 + j * 11) % 900 / 100:.2f}".replace(".", ",")
                   for k in range(rows)]
    frame = pd.DataFrame(data)
    return _shown(frame, frame.columns[2:])


def very_wide() -> ShownTable:
    frame = pd.DataFrame({"Malli": [f"m{k}" for k in range(9)],
                          **{f"Tunnusluku {j}": [f"{j * 1000 + k:,}".replace(",", NBSP) + ",25" for k in range(9)]
                             for j in range(24)}})
    return _shown(frame, frame.columns[1:])


def _table(shown: ShownTable, number: int, title: str = "Table", notes=()) -> Block:
    return Block("table", text=title, number=number, table=shown, notes=tuple(notes))


def _blocks() -> list[Block]:
    para = Block("paragraph", text="Text before and after the tables, in the body font. " * 3)
    return [Block("heading", text="Descriptives", level=2, anchor="d"), para,
            _table(descriptives(), 1, "Satisfaction ratings at the first measurement", ["M = mean."]),
            _table(goals_fi(), 2, "Tavoitteet"), para,
            Block("heading", text="Norms", level=2, anchor="n"),
            _table(norms_fi(), 3, "Osa-alueiden keskiarvot kansallisiin normeihin verrattuna"), para]


def _grid(table) -> list[int]:
    return [int(g.get(qn("w:w"))) for g in table._tbl.tblGrid.findall(qn("w:gridCol"))]


def _section_of(document, table):
    """The ``w:sectPr`` of the section a table is in (the next section break after it)."""
    for el in table._tbl.itersiblings():
        found = el.find(f"{qn('w:pPr')}/{qn('w:sectPr')}")
        if found is not None:
            return found
    return document.element.body.find(qn("w:sectPr"))


def _landscape(sect_pr) -> bool:
    size = sect_pr.find(qn("w:pgSz"))
    return int(size.get(qn("w:w"))) > int(size.get(qn("w:h"))) and size.get(qn("w:orient")) == "landscape"


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    folder = tmp_path_factory.mktemp("render_tables")
    path = render_docx(folder / "tables.docx", "Tables that print", _blocks(), meta=[("Date", "2026-01-01")],
                       lang="en", footer="Footer")
    return folder, path, docx.Document(str(path))


# --------------------------------------------------------------------------- widths (always)
def test_digits_are_half_an_em_and_headings_break_between_words():
    assert text_width("893") == pytest.approx(3 * 0.556 * 8.5, abs=0.05)
    least, natural = column_width("Missing %", ["7", "13"], numeric=True)
    assert least * TWIPS_PER_CM >= 20 * text_width("Missing") + 2 * CELL_MARGIN_TWIPS
    assert natural * TWIPS_PER_CM >= 20 * text_width("Missing %") + 2 * CELL_MARGIN_TWIPS
    long_label = column_width("Score", ["Developing one's own strengths (e.g. hobbies)"])
    assert long_label[0] < long_label[1]                  # a label may wrap, between its words


@pytest.mark.parametrize("which", [0, 1])
def test_columns_are_at_least_as_wide_as_their_numbers_and_heading_words(made, which):
    _, _, document = made
    shown = [descriptives(), goals_fi()][which]
    table = document.tables[which]
    grid = _grid(table)
    assert sum(grid) <= TEXT_WIDTH_CM * TWIPS_PER_CM + len(grid)           # within a portrait page
    margins = table._tbl.tblPr.find(qn("w:tblCellMar"))
    assert [int(margins.find(qn(f"w:{e}")).get(qn("w:w"))) for e in ("left", "right")] == [CELL_MARGIN_TWIPS] * 2
    for j, name in enumerate(shown.frame.columns):
        content = [text_width(w) for w in name.split(" ")]
        if name in shown.numeric:
            content += [text_width(v) for v in shown.frame[name]]
            # digits 0.556 em, counted here without the font table: a number of d digits needs d of them
            content += [len(re.sub(r"\D", "", v)) * 0.556 * 8.5 for v in shown.frame[name]]
        assert grid[j] >= 20 * max(content) + 2 * CELL_MARGIN_TWIPS, (name, grid[j], max(content))
    rows = table.rows
    assert [c.text for c in rows[0].cells] == list(shown.frame.columns)
    assert rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None                 # header repeats on every page
    for row in rows[1:]:
        for cell, name in zip(row.cells, shown.frame.columns):
            if name in shown.numeric:
                assert cell._tc.tcPr.find(qn("w:noWrap")) is not None, (name, cell.text)
            run = cell.paragraphs[0].runs[0]
            assert run.font.name == TABLE_FONT and run.font.size.pt == 8.5


def test_a_table_that_fits_is_not_split_and_text_columns_take_the_room(made):
    _, _, document = made
    grid = _grid(document.tables[0])
    assert len(grid) == 9 and grid[0] == max(grid)                         # the label column widest


def test_a_table_too_wide_for_portrait_gets_landscape_pages_of_its_own(made):
    _, path, document = made
    wide = document.tables[2]
    assert len(document.tables) == 3 and len(wide.columns) == 12             # one table, not column blocks
    sect = _section_of(document, wide)
    assert _landscape(sect)
    size, margins = sect.find(qn("w:pgSz")), sect.find(qn("w:pgMar"))
    assert (round(int(size.get(qn("w:w"))) / TWIPS_PER_CM, 1), round(int(size.get(qn("w:h"))) / TWIPS_PER_CM, 1)) \
        == (29.7, 21.0)
    assert {round(int(margins.get(qn(f"w:{e}"))) / TWIPS_PER_CM, 1) for e in ("top", "bottom", "left", "right")} \
        == {2.5}
    assert not _landscape(_section_of(document, document.tables[1]))          # before it: portrait
    assert not _landscape(document.element.body.find(qn("w:sectPr")))          # after it: portrait again
    sections = document.sections
    assert len(sections) == 3 and sections[1].start_type == 2                  # breaks before and after (new page)
    assert sum(_grid(wide)) <= LANDSCAPE_TEXT_WIDTH_CM * TWIPS_PER_CM + 12
    assert table_width(norms_fi().frame, norms_fi().numeric) > TEXT_WIDTH_CM
    # the heading before the table goes with it
    body = list(document.element.body)
    heading = next(p for p in document.paragraphs if p.text == "Norms")._p
    assert not any(el.find(f"{qn('w:pPr')}/{qn('w:sectPr')}") is not None
                   for el in body[body.index(heading):body.index(wide._tbl)])


def test_only_a_table_too_wide_for_landscape_is_split():
    shown = very_wide()
    parts = layout(shown.frame, shown.numeric)
    assert len(parts) > 1 and all(p.columns[0] == "Malli" for p, _ in parts)
    assert all(table_width(p, shown.numeric) <= LANDSCAPE_TEXT_WIDTH_CM for p, _ in parts)
    document = new_docx("Wide", "fi")
    add_docx_blocks(document, [_table(shown, 1)], "fi")
    assert len(document.tables) == len(parts)
    assert all(_landscape(_section_of(document, t)) for t in document.tables)
    assert not _landscape(document.element.body.find(qn("w:sectPr")))


def test_a_one_row_table_too_wide_for_portrait_is_transposed():
    frame = pd.DataFrame({"Asteikko": ["yhdeksän osa-aluetta"],
                          **{h: ["0,802"] for h in ["Kysymyksiä", "n", "α", "Standardoitu α", "ω (kokonais)", "n (ω)",
                                                     "ω (hierarkkinen)", "ECV", "Luotettavuus (kokonais)"]}})
    (block, flags), = layout(frame, list(frame.columns[1:]))
    assert block.shape == (9, 2) and flags == [False, True]


def test_a_landscape_document_gets_no_section_breaks():
    document = new_docx("Landscape", "en")
    section = document.sections[0]
    section.page_width, section.page_height = section.page_height, section.page_width
    add_docx_blocks(document, [_table(norms_fi(6), 1)], "en")
    assert len(document.sections) == 1


def test_word_file_is_the_same_bytes_every_time(tmp_path):
    a = render_docx(tmp_path / "a.docx", "T", _blocks(), meta=[], lang="fi")
    b = render_docx(tmp_path / "b.docx", "T", _blocks(), meta=[], lang="fi")
    assert a.read_bytes() == b.read_bytes()
    document = new_docx("T", "fi")                                  # in parts, as a final report is built
    add_docx_blocks(document, _blocks(), "fi")
    add_docx_blocks(document, _blocks()[:3], "fi")
    save_docx(document, tmp_path / "c.docx")
    xml = zipfile.ZipFile(tmp_path / "c.docx").read("word/document.xml").decode("utf-8")
    assert xml.count('w:orient="landscape"') == 1                    # one landscape section, then portrait


# --------------------------------------------------------------------------- HTML (always)
def test_html_never_splits_a_table():
    blocks = [_table(norms_fi(), 3), _table(very_wide(), 4)]
    html = render_html("T", blocks, meta=[], lang="fi")
    assert html.count("<table>") == 2 and "(2)" not in html
    assert len(re.findall(r"<th[ >]", html)) == 12 + 25
    assert "Taulukko 3</b>" in html and "Taulukko 4</b>" in html
    css = re.search(r"<style>(.*?)</style>", html, re.S).group(1)
    th_rules = " ".join(m for m in re.findall(r"(?:^|})\s*th\{([^}]*)\}", css))
    assert "hyphens:auto" not in th_rules and "overflow-wrap:normal" in th_rules
    assert ".tablewrap{overflow-x:auto" in css and "td.num{text-align:right;white-space:nowrap}" in css
    assert '<span class="w">(t-testi)</span>' in render_html("T", [_table(goals_fi(), 1)], meta=[], lang="fi")


# --------------------------------------------------------------------------- printed (LibreOffice)
@pytest.fixture(scope="module")
def printed(made):
    docx_render.require()
    folder, path, document = made
    pdf, = docx_render.to_pdf([path], folder / "pdf")
    return document, docx_render.page_texts(pdf), docx_render.page_sizes(pdf)


def _page_of(texts, caption):
    return next(k for k, text in enumerate(texts) if re.search(rf"^\s*{caption}\s*$", text, re.M))


@pytest.mark.xdist_group("soffice")
@pytest.mark.parametrize("which", [0, 1, 2])
def test_printed_numbers_are_whole_on_one_line(printed, which):
    document, texts, _ = printed
    shown = [descriptives(), goals_fi(), norms_fi()][which]
    lines = [line for text in texts for line in text.splitlines()]
    for values in shown.frame[list(shown.numeric)].itertuples(index=False):
        cells = [v.replace(NBSP, " ") for v in values]
        assert docx_render.line_with(lines, cells), f"row {cells} is not whole on one printed line"
    for name in shown.frame.columns:                                    # headings: words whole
        for word in name.split(" "):
            assert docx_render.line_with(lines, [word]), f"heading word {word!r} is broken"
    stray = [line for line in lines if re.fullmatch(r"\s*(<|<?\d{1,2}|\d|%|\.)\s*", line)]
    assert not stray, stray                                               # no digit of 893 or <5 on its own line


@pytest.mark.xdist_group("soffice")
def test_printed_wide_table_is_on_landscape_pages(printed):
    _, texts, sizes = printed
    first = _page_of(texts, "Table 3")
    last = max(k for k, text in enumerate(texts) if "Omien vahvuuksien" in text and "kansallinen" in text)
    assert last > first                                                  # two pages long
    for k in range(first, last + 1):
        width, height = sizes[k]
        assert width > height and round(width) == 842, (k, sizes[k])     # A4 landscape
        assert "(kansallinen," in texts[k] and "Vakioitu" in texts[k]     # the header row on every page
    assert sizes[first - 1][0] < sizes[first - 1][1]                     # portrait before
    assert sizes[last + 1][0] < sizes[last + 1][1]                       # and after
    assert "Table 2" in texts[first - 1] and "Footer" in texts[last + 1]


def test_no_empty_page_between_parts_added_one_after_another():
    document = new_docx("Parts", "en")
    for _ in range(2):                                  # a chapter ending and the next starting with a wide table
        add_docx_blocks(document, [_table(norms_fi(6), 1)], "en")
    orientation = [_landscape(s._sectPr) for s in document.sections]
    assert orientation == [True, True, False]          # no portrait section without content between them
    assert all(el.tag != qn("w:p") or el.find(f"{qn('w:pPr')}/{qn('w:sectPr')}") is None
               for el in list(document.element.body)[:1])  # the document does not start with a break
