"""The final report: one document an evaluator hands in (``analysis report --final``).

After a report run, the published reports (02–08; never the intake report 01 nor an internal
version) are put together into ``<out>/final_report.docx`` and ``final_report.html``:

1. a title page from the manifest (title, ``authors``, ``organisation``, date) and a table of
   contents (in Word a real contents field, filled in already, that Word updates with page
   numbers);
2. a chapter *Data and methods* written from what was run: the study's populations, occasions
   and files with their numbers of persons (under disclosure control), the instruments, each
   analysis that produced results with its references, the software and the small-group rule;
3. one chapter per report as published, its sections numbered, its tables and figures numbered
   through the whole document ("Taulukko 3", "Kuvio 2") and named in the section's text;
4. the references (APA 7) of the methods, software and instruments used;
5. an appendix of what the data did not allow and why (reports not run, sections not produced):
   the chapters themselves hold no placeholder section.

Each report leaves itself as a :class:`~analysis.report.document.Chapter` in the run's cache
when it finishes (its blocks after disclosure control, figures as drawn), so the final report
shows exactly what the published reports show and nothing else about a person: the audit of the
published folder covers both. The counts of the method chapter are a table of their own, under
disclosure control, written with its declarations to ``tables/final_report/`` for that audit.

Method sentences are in the catalogues (``final.methods.<report>.<section>``, one per section
heading that ran); which references a section cites, and the references themselves, are in
``analysis/report/references.yaml``.

Examples
--------
>>> refer([3], [], "fi"), refer([3, 4, 5], [2], "en"), refer([2, 4], [], "fi")
('ks. taulukko 3', 'see Tables 3–5 and Figure 2', 'ks. taulukot 2 ja 4')
"""
from __future__ import annotations

import dataclasses
import platform
import re
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Mapping, Sequence

import pandas as pd
import yaml

import analysis
from analysis import resource
from analysis.intake.manifest import Study
from analysis.report import i18n
from analysis.report.disclosure import write_declarations
from analysis.report.document import Chapter, Report, report_date
from analysis.report.export import write_csv
from analysis.report.render import Block, add_docx_blocks, new_docx, render_html, save_docx

NAME = "final_report"
#: A report's own section number ("3. Floor and ceiling effects"): the final report numbers anew.
_NUMBERED = re.compile(r"^\d+(\.\d+)*[.)]?\s+")
#: A heading key's ending: the section key is the key without it.
_HEADING = re.compile(r"[._]heading(_none)?$")
#: The libraries the method section names with their versions (the statistics' software).
SOFTWARE = ("pandas", "scipy", "statsmodels", "scikit-learn", "pingouin", "matplotlib")


@lru_cache(maxsize=None)
def references() -> dict:
    """``references`` (key → ``cite``, ``text``) and ``cites`` (section key → reference keys)
    of ``analysis/report/references.yaml``."""
    return yaml.safe_load(resource("report", "references.yaml").read_text(encoding="utf-8"))


def _numbers(numbers: Sequence[int], lang: str) -> str:
    """``3``, ``3 and 5``, ``3–5`` (consecutive numbers as a range)."""
    runs: list[list[int]] = []
    for k in sorted(numbers):
        if runs and k == runs[-1][-1] + 1:
            runs[-1].append(k)
        else:
            runs.append([k])
    parts = [str(k) for r in runs for k in ([f"{r[0]}–{r[-1]}"] if len(r) > 2 else r)]
    if len(parts) == 1:
        return parts[0]
    return f"{', '.join(parts[:-1])} {i18n.t('final.and', lang)} {parts[-1]}"


def refer(tables: Sequence[int], figures: Sequence[int], lang: str, *, see: bool = True) -> str:
    """A pointer to tables and figures for a sentence ("see Tables 3–5 and Figure 2"; without
    ``see``: "Tables 3–5 and Figure 2")."""
    parts = [i18n.t(f"final.{kind}", lang, n=len(numbers), numbers=_numbers(numbers, lang))
             for kind, numbers in (("tables", tables), ("figures", figures)) if numbers]
    what = f" {i18n.t('final.and', lang)} ".join(parts)
    return i18n.t("final.see", lang, what=what) if see else what


@dataclasses.dataclass(frozen=True)
class Omission:
    """Something the data did not allow: where (report, section) and why."""

    where: str
    reason: str


def _renumber(chapter: Chapter, tables: int, figures: int) -> tuple[list[Block], int, int]:
    """The chapter's blocks with tables and figures numbered on from ``tables``/``figures``."""
    out = []
    for b in chapter.blocks:
        if b.kind == "table":
            tables += 1
            b = dataclasses.replace(b, number=tables)
        elif b.kind == "figure":
            figures += 1
            b = dataclasses.replace(b, number=figures)
        out.append(b)
    return out, tables, figures


def _without_placeholders(blocks: list[Block], where: str) -> tuple[list[Block], list[Omission]]:
    """The blocks without notes of sections not produced (each becomes an :class:`Omission`,
    named by its headings) and without headings left with nothing under them."""
    omitted, path, kept = [], {}, []
    for b in blocks:
        if b.kind == "heading":
            path = {lvl: text for lvl, text in path.items() if lvl < b.level}
            path[b.level] = b.text
        if b.kind == "skip":
            omitted.append(Omission(" › ".join([where, *path.values()]), b.extra.get("reason", b.text)))
            continue
        kept.append(b)
    out: list[Block] = []
    for b in reversed(kept):        # a heading is kept when something other than a shallower heading follows
        if b.kind == "heading" and (not out or (out[-1].kind == "heading" and out[-1].level <= b.level)):
            continue
        out.append(b)
    return out[::-1], omitted


def _point_to_results(blocks: list[Block], lang: str) -> list[Block]:
    """Each section's text names its tables and figures: the pointer ends the section's first
    paragraph before its first table or figure, or is a sentence of its own before it."""
    out: list[Block] = []
    start = 0
    for end in [*(i for i, b in enumerate(blocks) if b.kind == "heading"), len(blocks)]:
        part = list(blocks[start:end])
        tables = [b.number for b in part if b.kind == "table"]
        figures = [b.number for b in part if b.kind == "figure"]
        if tables or figures:
            first = next(i for i, b in enumerate(part) if b.kind in ("table", "figure"))
            text = next((i for i in range(first) if part[i].kind == "paragraph"), None)
            if text is not None and part[text].text.rstrip().endswith("."):
                body = part[text].text.rstrip()[:-1]
                part[text] = dataclasses.replace(part[text], text=f"{body} ({refer(tables, figures, lang)}).")
            else:
                what = refer(tables, figures, lang, see=False)
                part.insert(first, Block("paragraph", text=i18n.t("final.shown_in", lang, what=what)))
        out += part
        start = end
    return out


def _number_headings(blocks: list[Block]) -> list[Block]:
    """Chapters (level 2) and their sections (levels 3 and 4) numbered 1, 1.1, 1.1.1."""
    counters = [0, 0, 0]
    out = []
    for b in blocks:
        if b.kind == "heading" and 2 <= b.level <= 4 and not b.extra.get("unnumbered"):
            depth = b.level - 2
            counters[depth] += 1
            counters[depth + 1:] = [0] * (2 - depth)
            number = ".".join(str(c) for c in counters[:depth + 1])
            b = dataclasses.replace(b, text=f"{number} {b.text}")
        out.append(b)
    return out


def _chapter(chapter: Chapter, tables: int, figures: int, lang: str) -> tuple[list[Block], list[Omission], int, int]:
    """One report as a chapter: its title a level-2 heading, its headings one level down, no
    synthetic-data banner (the title page has it) and none of the report's sentences about
    itself (:meth:`~analysis.report.document.Report.working_text`), its notes at its end."""
    blocks, tables, figures = _renumber(chapter, tables, figures)
    first = next((i for i, b in enumerate(blocks) if b.kind not in ("warning", "note")), len(blocks))
    blocks = [b for b in blocks[first:] if b.kind != "warning"     # the synthetic-data banner and its files
              and not b.extra.get("working")]                       # what the working report says of itself
    blocks = [dataclasses.replace(b, level=b.level + 1, anchor=f"{chapter.name}-{b.anchor}",
                                  text=_NUMBERED.sub("", b.text))
              if b.kind == "heading" else b for b in blocks]
    blocks, omitted = _without_placeholders(blocks, chapter.title)
    blocks = _point_to_results(blocks, lang)
    head = Block("heading", text=chapter.title, level=2, anchor=chapter.name, extra={"key": f"{chapter.name}.title"})
    notes = [Block("heading", text=i18n.t("common.notes", lang), level=3, anchor=f"{chapter.name}-notes"),
             *(Block("note", text=n) for n in chapter.notes)] if chapter.notes else []
    return [head, *blocks, *notes], omitted, tables, figures


def _persons(study: Study) -> pd.DataFrame:
    """Persons (distinct respondent ids; rows when a file has none) per population, occasion
    and instrument or dataset, in the manifest's order."""
    rows = []
    for entry in study.manifest.files:
        data = study.loaded[entry.key].data
        by = data.groupby("occasion", sort=False) if "occasion" in data and entry.occasion is None else [(entry.occasion, data)]
        for occasion, part in by:
            n = part["respondent_id"].nunique() if "respondent_id" in part else len(part)
            rows.append({"population": entry.population, "occasion": "" if occasion is None else str(occasion),
                         "dataset": entry.kind, "n": int(n)})
    frame = pd.DataFrame(rows, columns=["population", "occasion", "dataset", "n"])
    frame = frame.groupby(["population", "occasion", "dataset"], sort=False, as_index=False)["n"].sum()
    order = {p: i for i, p in enumerate(dict.fromkeys(e.population for e in study.manifest.files))}
    occasions = {p: {o: i for i, o in enumerate(study.occasions(p))} for p in order}
    frame["_o"] = [(order[p], occasions[p].get(o, len(occasions[p]))) for p, o in zip(frame["population"], frame["occasion"])]
    return frame.sort_values("_o", kind="stable").drop(columns="_o").reset_index(drop=True)


def _material(r: Report, kind: str) -> str:
    """An instrument's title or a dataset's name in the report language."""
    title = r.labels.values.get("instrument", {}).get(kind)
    if title:
        return title
    return r.t(f"final.datasets.{kind}") if i18n.has(f"final.datasets.{kind}", r.lang) else kind


def _cite(keys: Sequence[str], lang: str) -> str:
    """In-text citations in parentheses, "et al." in the report language, in alphabetical
    order of the first author as APA 7 (8.12) asks."""
    cites = sorted((references()["references"][k]["cite"].replace(" et al.", " " + i18n.t("final.et_al", lang))
                    for k in dict.fromkeys(keys)), key=str.casefold)
    return f" ({'; '.join(cites)})" if cites else ""


def _method(r: Report, study: Study, chapters: Sequence[Chapter], cited: list[str]) -> None:
    """The *Data and methods* chapter, from what was run."""
    from analysis.intake.instruments import load_instrument

    r.heading("final.method.heading")
    if study.manifest.description:
        r.paragraph(study.manifest.description)
    populations = list(dict.fromkeys(e.population for e in study.manifest.files))
    r.heading("final.method.data", level=3)
    r.text("final.method.populations", populations=", ".join(r.t(f"values.{p}") for p in populations))
    persons = _persons(study)
    r.table("persons", persons.assign(population=[r.t(f"values.{p}") for p in persons["population"]],
                                      dataset=[_material(r, k) for k in persons["dataset"]]),
            counts=["n"], title_key="final.method.persons")
    r.heading("final.method.instruments", level=3)
    for key in dict.fromkeys(e.instrument for e in study.manifest.files if e.instrument):
        instrument = load_instrument(key)
        if instrument.reference:
            cited.append(f"instrument:{key}")
        r.text("final.method.instrument", title=_material(r, key), items=len(instrument.items))
    r.heading("final.method.analyses", level=3)
    for chapter in chapters:
        sections = [f"{chapter.name}.overview"]
        sections += [_HEADING.sub("", b.extra.get("key", "")) for b in chapter.blocks
                     if b.kind == "heading" and _HEADING.search(b.extra.get("key", "")) and _ran(chapter, b)]
        sentences = []
        for section in dict.fromkeys(sections):
            if i18n.has(f"final.methods.{section}", r.lang):
                keys = references()["cites"].get(section, [])
                cited.extend(keys)
                sentences.append(r.t(f"final.methods.{section}") + _cite(keys, r.lang) + ".")
        if sentences:
            r.paragraph(f"**{chapter.title}.** " + " ".join(sentences))
    r.heading("final.method.software", level=3)
    versions = ", ".join(f"{name} {metadata.version(name)}" for name in SOFTWARE)
    cited.extend(references()["software"])
    r.text("final.method.software_text", version=analysis.__version__, python=platform.python_version(),
           libraries=versions, cites=_cite(references()["software"], r.lang).strip(" ()"))
    r.heading("final.method.disclosure", level=3)
    cited.extend(references()["disclosure"])
    r.paragraph(r.disclosure_note())


def _ran(chapter: Chapter, heading: Block) -> bool:
    """Whether the section under ``heading`` produced something (not only a note that it was not)."""
    blocks = list(chapter.blocks)
    i = blocks.index(heading)
    for b in blocks[i + 1:]:
        if b.kind == "heading" and b.level <= heading.level:
            break
        if b.kind in ("table", "figure", "paragraph"):
            return True
    return False


def _reference_list(cited: Sequence[str], study: Study, lang: str) -> list[Block]:
    from analysis.intake.instruments import load_instrument

    entries = []
    for key in dict.fromkeys(cited):
        if key.startswith("instrument:"):
            entries.append(" ".join(load_instrument(key.split(":", 1)[1]).reference.split()))
        else:
            entries.append(references()["references"][key]["text"])
    entries = sorted(dict.fromkeys(entries), key=lambda s: s.casefold())
    return [Block("heading", text=i18n.t("final.references", lang), level=2, anchor="references",
                  extra={"unnumbered": True}),
            *(Block("paragraph", text=e, extra={"reference": True}) for e in entries)]


def _appendix(omitted: Sequence[Omission], lang: str) -> list[Block]:
    head = Block("heading", text=i18n.t("final.appendix.heading", lang), level=2, anchor="appendix",
                 extra={"unnumbered": True})
    if not omitted:
        return [head, Block("paragraph", text=i18n.t("final.appendix.none", lang))]
    return [head, Block("paragraph", text=i18n.t("final.appendix.intro", lang)),
            *(Block("paragraph", text=f"**{o.where}:** {o.reason}") for o in omitted)]


def not_run_reason(needs: Sequence[tuple[str, str]], status: str, lang: str) -> str:
    """Why a report is not in the final report, in words."""
    labels = _labels(lang)
    if status == "skipped":
        what = ", ".join(f"{i18n.t('values.' + p, lang)} – {labels.value('', kind)}" for p, kind in needs)
        return i18n.t("final.appendix.needs", lang, what=what)
    return i18n.t(f"final.appendix.{status}", lang)


@lru_cache(maxsize=None)
def _labels(lang: str):
    from analysis.report.document import study_labels
    return study_labels(lang)


def write_final_report(study: Study, chapters: Sequence[Chapter], out_dir: str | Path, *, lang: str,
                       not_run: Mapping[str, str] = {}) -> dict[str, Path]:
    """Write ``final_report.docx`` and ``final_report.html`` into ``out_dir`` (see the module
    docstring); ``chapters`` in their order, ``not_run``: report name → why it is not included.
    Returns the paths written."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    r = Report(NAME, study, lang=lang, out_dir=out_dir, display=False)
    cited: list[str] = []
    _method(r, study, chapters, cited)
    method = [b for b in r._final_blocks() if b.kind not in ("warning", "note")]
    tables = sum(b.kind == "table" for b in method)
    figures = sum(b.kind == "figure" for b in method)
    blocks = _point_to_results(method, lang)
    omitted = [Omission(i18n.t(f"{name}.title", lang), reason) for name, reason in not_run.items()]
    for chapter in chapters:
        part, left_out, tables, figures = _chapter(chapter, tables, figures, lang)
        blocks += part
        omitted += left_out
    blocks = _number_headings(blocks)
    blocks += _reference_list(cited, study, lang) + _appendix(omitted, lang)
    title = study.title or i18n.t("common.untitled_study", lang)
    meta = _title_page(r, study)
    paths = {"html": out_dir / f"{NAME}.html", "docx": out_dir / f"{NAME}.docx"}
    paths["html"].write_text(render_html(title, _synthetic(r) + blocks, meta=meta, lang=lang,
                                         footer=r.small_cells(), toc_levels=(2, 3)), encoding="utf-8")
    _docx(paths["docx"], title, meta, _synthetic(r) + blocks, lang, r.small_cells())
    for name, shown in r._tables.items():
        write_csv(shown.machine, out_dir / "tables" / NAME / f"{name}.csv")
    write_declarations(r.policy, r.disclosure.specs, out_dir / "tables" / NAME)
    return paths


def _synthetic(r: Report) -> list[Block]:
    return [Block("warning", text=r.t("common.synthetic_warning"))] if r.study is not None and r.study.synthetic else []


def _title_page(r: Report, study: Study) -> list[tuple[str, str]]:
    """The title page's lines after the title: (label, value), the label for the HTML page."""
    rows = [(r.t("final.subtitle_label"), r.t("final_report.title"))]
    for key in ("authors", "organisation"):
        value = getattr(study.manifest, key)
        if value:
            rows.append((r.t(f"final.{key}"), ", ".join(value) if isinstance(value, tuple) else value))
    rows.append((r.t("common.date"), report_date(study).isoformat()))
    rows.append((r.t("common.version"), analysis.__version__))
    return rows


def _docx(path: Path, title: str, meta: Sequence[tuple[str, str]], blocks: Sequence[Block], lang: str,
          footer: str) -> Path:
    """The Word document: a title page (title, subtitle, authors, organisation, date centred; the
    package version and the small-cell rule at its foot), the contents, the chapters, page
    numbers in the footer."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
    from docx.shared import Cm, Pt

    doc = new_docx(title, lang)
    head = doc.add_heading(title, level=0)
    head.alignment = WD_ALIGN_PARAGRAPH.CENTER
    head.paragraph_format.space_before = Cm(6)
    (_, subtitle), *lines = meta
    sub = doc.add_paragraph(subtitle, style="Subtitle")
    sub.alignment = WD_ALIGN_PARAGRAPH.CENTER
    sub.paragraph_format.space_after = Cm(3)
    for _, value in lines[:-1]:                          # authors, organisation, date
        p = doc.add_paragraph(value)
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    version = doc.add_paragraph()
    version.paragraph_format.space_before = Cm(6)
    version.add_run(f"{lines[-1][0]}: {lines[-1][1]}. {footer}").font.size = Pt(8)
    version.add_run().add_break(WD_BREAK.PAGE)
    contents = doc.add_paragraph()
    run = contents.add_run(i18n.t("common.contents", lang))   # not a heading: the contents do not list themselves
    run.bold, run.font.size = True, Pt(16)
    _contents_field(doc, [b for b in blocks if b.kind == "heading" and b.level in (2, 3)])
    doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    add_docx_blocks(doc, blocks, lang)
    _page_numbers(doc)
    _update_fields_on_open(doc)
    return save_docx(doc, path)


def _field(paragraph, instruction: str, part: str) -> None:
    """A field character (``begin``/``separate``/``end``) or instruction in ``paragraph``."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    run = paragraph.add_run()
    if part == "instr":
        el = OxmlElement("w:instrText")
        el.set(qn("xml:space"), "preserve")
        el.text = instruction
    else:
        el = OxmlElement("w:fldChar")
        el.set(qn("w:fldCharType"), part)
    run._r.append(el)


def _contents_field(doc, headings: Sequence[Block]) -> None:
    """A table-of-contents field whose result is already the list of headings, so the contents
    read right before Word updates the field with page numbers."""
    from docx.shared import Cm

    paragraphs = []
    for b in headings:
        p = doc.add_paragraph()
        p.paragraph_format.left_indent = Cm(0.6 * (b.level - 2))
        p.paragraph_format.space_after = 0
        paragraphs.append((p, b.text))
    if not paragraphs:
        return
    first, last = paragraphs[0][0], paragraphs[-1][0]
    _field(first, "", "begin")
    _field(first, r'TOC \o "1-2" \h \z \u', "instr")
    _field(first, "", "separate")
    for p, text in paragraphs:
        p.add_run(text)
    _field(last, "", "end")


def _page_numbers(doc) -> None:
    """The page number centred in the footer (a simple PAGE field), once per footer definition."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    for k, section in enumerate(doc.sections):
        if k and section.footer.is_linked_to_previous:
            continue                 # a landscape section shows the footer of the one before
        p = section.footer.paragraphs[0]
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        field = OxmlElement("w:fldSimple")
        field.set(qn("w:instr"), "PAGE")
        run, text = OxmlElement("w:r"), OxmlElement("w:t")
        text.text = "1"
        run.append(text)
        field.append(run)
        p._p.append(field)


def _update_fields_on_open(doc) -> None:
    """Ask Word to update the contents' page numbers when the document is opened."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    settings = doc.settings.element
    update = OxmlElement("w:updateFields")
    update.set(qn("w:val"), "true")
    settings.append(update)

