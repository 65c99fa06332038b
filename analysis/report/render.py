"""Render a report's blocks as HTML and Word: the same content, byte-for-byte reproducible.

A report (:class:`analysis.report.document.Report`) is a list of blocks — headings,
paragraphs, tables (:class:`~analysis.report.present.ShownTable`), figures and notes. This
module turns that list into

* a self-contained HTML page (figures embedded, table of contents, no code, no prompts, every
  text escaped) and
* a ``.docx`` Word document (python-docx): title block, headings, paragraphs, real Word tables
  with APA captions and notes, figures — for pasting into a final report.

Wide tables are split into column blocks that repeat the first column, never clipped.
Outputs are deterministic: the Word file's document properties and zip timestamps are fixed,
so the same blocks give the same bytes.

Examples
--------
>>> html = render_html("Report", [Block("paragraph", text="a < b")], meta=[], lang="en")
>>> "a &lt; b" in html
True
"""
from __future__ import annotations

import base64
import datetime as _dt
import html as _html
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import pandas as pd

from analysis.report.i18n import t
from analysis.report.present import ShownTable

#: Most columns a table block shows side by side before it is split.
MAX_COLUMNS = 9
#: Fixed timestamp of every Word document part (zip entries and core properties).
FIXED_TIME = _dt.datetime(2000, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class Block:
    """One piece of a report. ``kind``: heading, paragraph, table, figure, note, warning."""

    kind: str
    text: str = ""
    level: int = 2
    number: int = 0
    table: ShownTable | None = None
    notes: tuple[str, ...] = ()
    image: Path | None = None
    anchor: str = ""
    extra: dict = field(default_factory=dict)


def split_columns(frame: pd.DataFrame, numeric: Sequence[str] = (), max_columns: int = MAX_COLUMNS
                  ) -> list[pd.DataFrame]:
    """Column blocks of at most ``max_columns`` columns, each repeating the leading label
    columns (the columns before the first of ``numeric``, at least one).

    Examples
    --------
    >>> import pandas as pd
    >>> frame = pd.DataFrame({c: [1] for c in "abcdefghij"})
    >>> [list(block.columns) for block in split_columns(frame, numeric=list("cdefghij"), max_columns=6)]
    [['a', 'b', 'c', 'd', 'e', 'f'], ['a', 'b', 'g', 'h', 'i', 'j']]
    """
    if frame.shape[1] <= max_columns:
        return [frame]
    cols = list(frame.columns)
    lead = next((i for i, c in enumerate(cols) if c in set(numeric)), 1) or 1
    lead = min(lead, max_columns - 2)
    keys, rest = cols[:lead], cols[lead:]
    step = max_columns - lead
    return [frame[[*keys, *rest[i:i + step]]] for i in range(0, len(rest), step)]


# ----------------------------------------------------------------------------- inline markup
_INLINE = re.compile(r"\*\*(.+?)\*\*|\*(.+?)\*|`(.+?)`")


def _inline_html(text: str) -> str:
    """Escape ``text``, then render ``**bold**``, ``*italic*`` and ```code```."""
    out, pos = [], 0
    for m in _INLINE.finditer(text):
        out.append(_html.escape(text[pos:m.start()]))
        bold, italic, code = m.groups()
        if bold is not None:
            out.append(f"<strong>{_html.escape(bold)}</strong>")
        elif italic is not None:
            out.append(f"<em>{_html.escape(italic)}</em>")
        else:
            out.append(f"<code>{_html.escape(code)}</code>")
        pos = m.end()
    out.append(_html.escape(text[pos:]))
    return "".join(out)


def _runs(paragraph, text: str, *, size=None) -> None:
    """Add ``text`` to a Word paragraph with the same inline markup as :func:`_inline_html`."""
    pos = 0
    for m in _INLINE.finditer(text):
        if m.start() > pos:
            run = paragraph.add_run(text[pos:m.start()])
            if size:
                run.font.size = size
        bold, italic, code = m.groups()
        run = paragraph.add_run(bold or italic or code)
        run.bold = bold is not None
        run.italic = italic is not None
        if size:
            run.font.size = size
        pos = m.end()
    if pos < len(text):
        run = paragraph.add_run(text[pos:])
        if size:
            run.font.size = size


# ----------------------------------------------------------------------------- HTML
_CSS = """
body{font-family:"Segoe UI",Arial,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#111;line-height:1.45}
header{border-bottom:2px solid #333;margin-bottom:1rem}header p{margin:.2rem 0;color:#333}
h1{font-size:1.7rem;margin-bottom:.3rem}h2{font-size:1.3rem;margin-top:2rem;border-bottom:1px solid #ccc}
h3{font-size:1.1rem}.warning{border:2px solid #000;padding:.5rem 1rem;font-weight:bold;background:#f3f3f3}
.skip,.note{color:#444;font-style:italic}nav ol{columns:2}
figure{margin:1.5rem 0}figure img{max-width:min(100%,40rem)}figcaption{font-size:.9rem}
.tablewrap{overflow-x:auto;margin:1rem 0 1.5rem}
table{border-collapse:collapse;font-size:.85rem;margin-bottom:.4rem}
p.caption{margin:0 0 .3rem;font-size:.9rem}th.num{text-align:right}
thead th{border-top:2px solid #000;border-bottom:1px solid #000;text-align:left;vertical-align:bottom;padding:.2rem .5rem}
tbody td{padding:.15rem .5rem;vertical-align:top;max-width:28rem;overflow-wrap:anywhere}
tbody tr:last-child td{border-bottom:2px solid #000}td.num{text-align:right;white-space:nowrap}
.tablenote{font-size:.8rem;color:#222;max-width:55rem}footer{margin-top:3rem;font-size:.8rem;color:#444;border-top:1px solid #ccc}
"""


def _html_table(block: Block, lang: str) -> str:
    shown = block.table
    parts = []
    for k, frame in enumerate(split_columns(shown.frame, shown.numeric)):
        cont = f" ({k + 1})" if k else ""
        numeric = [c in shown.numeric for c in frame.columns]
        head = "".join(f'<th class="num">{_html.escape(str(c))}</th>' if num else f"<th>{_html.escape(str(c))}</th>"
                       for c, num in zip(frame.columns, numeric))
        rows = []
        for values in frame.itertuples(index=False):
            cells = "".join(f'<td class="num">{_html.escape(v)}</td>' if num else f"<td>{_html.escape(v)}</td>"
                            for v, num in zip(map(str, values), numeric))
            rows.append(f"<tr>{cells}</tr>")
        caption = (f'<p class="caption"><b>{_html.escape(t("common.table", lang))} {block.number}{cont}</b><br>'
                   f"<em>{_inline_html(block.text)}</em></p>")
        parts.append(f'<div class="tablewrap">{caption}<table><thead><tr>{head}</tr></thead>'
                     f'<tbody>{"".join(rows)}</tbody></table></div>')
    if block.notes:
        parts.append(f'<p class="tablenote"><em>{_html.escape(t("common.note", lang))}</em> '
                     f'{" ".join(_inline_html(n) for n in block.notes)}</p>')
    return "\n".join(parts)


def block_html(b: Block, lang: str) -> str:
    """One block as HTML (used for the page and for display in a notebook).

    Examples
    --------
    >>> block_html(Block("paragraph", text="A **bold** claim & more"), "en")
    '<p>A <strong>bold</strong> claim &amp; more</p>'
    >>> block_html(Block("heading", text="Results", level=2, anchor="results"), "en")
    '<h2 id="results">Results</h2>'
    """
    if b.kind == "heading":
        return f'<h{b.level} id="{b.anchor}">{_inline_html(b.text)}</h{b.level}>'
    if b.kind == "paragraph":
        return f"<p>{_inline_html(b.text)}</p>"
    if b.kind in ("warning", "skip", "note"):
        return f'<p class="{b.kind}">{_inline_html(b.text)}</p>'
    if b.kind == "table":
        return _html_table(b, lang)
    if b.kind == "figure":
        data = base64.b64encode(b.image.read_bytes()).decode("ascii")
        return (f'<figure><img alt="{_html.escape(b.text)}" src="data:image/png;base64,{data}">'
                f"<figcaption><b>{_html.escape(t('common.figure', lang))} {b.number}.</b> "
                f"{_inline_html(b.text)}</figcaption></figure>")
    raise ValueError(f"unknown block kind {b.kind!r}")


def render_html(title: str, blocks: Sequence[Block], *, meta: Sequence[tuple[str, str]], lang: str,
                footer: str = "") -> str:
    """A self-contained HTML page: title block, contents, blocks, footer.

    Examples
    --------
    >>> page = render_html("Demo", [Block("paragraph", text="*Hello*")], meta=[("Date", "2026-01-01")], lang="en")
    >>> "<h1>Demo</h1>" in page, "<p><em>Hello</em></p>" in page, page.splitlines()[0]
    (True, True, '<!DOCTYPE html>')
    """
    toc = [b for b in blocks if b.kind == "heading" and b.level == 2]
    head = "".join(f"<p><b>{_html.escape(k)}:</b> {_html.escape(v)}</p>" for k, v in meta)
    nav = ""
    if len(toc) > 1:
        items = "".join(f'<li><a href="#{b.anchor}">{_inline_html(b.text)}</a></li>' for b in toc)
        nav = f"<nav><h2>{_html.escape(t('common.contents', lang))}</h2><ol>{items}</ol></nav>"
    return (f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{_html.escape(title)}</title><style>{_CSS}</style></head><body>\n"
            f"<header><h1>{_html.escape(title)}</h1>{head}</header>\n{nav}\n<main>\n"
            + "\n".join(block_html(b, lang) for b in blocks)
            + f"\n</main>\n<footer><p>{_inline_html(footer)}</p></footer>\n</body></html>\n")


# ----------------------------------------------------------------------------- Word
def _fix_zip(path: Path) -> None:
    """Rewrite a zip-based Office file with fixed entry timestamps (same content → same bytes)."""
    with zipfile.ZipFile(path) as src:
        entries = [(info.filename, src.read(info.filename)) for info in src.infolist()]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as dst:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=FIXED_TIME.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(info, data)
    path.write_bytes(buffer.getvalue())


def _word_table(doc, block: Block, lang: str) -> None:
    from docx.shared import Pt

    for k, frame in enumerate(split_columns(block.table.frame, block.table.numeric)):
        cap = doc.add_paragraph()
        run = cap.add_run(f"{t('common.table', lang)} {block.number}{f' ({k + 1})' if k else ''}")
        run.bold = True
        title = doc.add_paragraph()
        _runs(title, block.text)
        for run in title.runs:
            run.italic = True
        table = doc.add_table(rows=1, cols=frame.shape[1])
        table.style = "Table Grid"
        for cell, name in zip(table.rows[0].cells, frame.columns):
            cell.text = ""
            run = cell.paragraphs[0].add_run(str(name))
            run.bold = True
            run.font.size = Pt(8.5)
        for values in frame.itertuples(index=False):
            cells = table.add_row().cells
            for cell, value in zip(cells, values):
                cell.text = ""
                run = cell.paragraphs[0].add_run(str(value))
                run.font.size = Pt(8.5)
    if block.notes:
        note = doc.add_paragraph()
        run = note.add_run(t("common.note", lang) + " ")
        run.italic = True
        run.font.size = Pt(8.5)
        _runs(note, " ".join(block.notes), size=Pt(8.5))


def render_docx(path: Path, title: str, blocks: Sequence[Block], *, meta: Sequence[tuple[str, str]],
                lang: str, footer: str = "") -> Path:
    """Write the blocks as a Word document (python-docx) with fixed timestamps.

    Examples
    --------
    >>> import tempfile, docx
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = render_docx(Path(folder) / "demo.docx", "Demo", [Block("paragraph", text="A **bold** claim")],
    ...                        meta=[("Date", "2026-01-01")], lang="en")
    ...     [p.text for p in docx.Document(path).paragraphs]
    ['Demo', 'Date: 2026-01-01', 'A bold claim']
    """
    from docx import Document
    from docx.shared import Cm, Pt

    doc = Document()
    props = doc.core_properties
    props.title, props.author, props.language = title, "youth-services-analysis", lang
    props.created = props.modified = props.last_printed = FIXED_TIME
    props.revision = 1
    doc.add_heading(title, level=0)
    for key, value in meta:
        p = doc.add_paragraph()
        p.add_run(f"{key}: ").bold = True
        p.add_run(value)
    for b in blocks:
        if b.kind == "heading":
            doc.add_heading(b.text, level=min(b.level - 1, 3) or 1)
        elif b.kind == "paragraph":
            _runs(doc.add_paragraph(), b.text)
        elif b.kind in ("warning", "skip", "note"):
            p = doc.add_paragraph()
            _runs(p, b.text)
            for run in p.runs:
                run.bold = b.kind == "warning"
                run.italic = b.kind != "warning"
        elif b.kind == "table":
            _word_table(doc, b, lang)
        elif b.kind == "figure":
            doc.add_picture(str(b.image), width=Cm(15))
            cap = doc.add_paragraph()
            cap.add_run(f"{t('common.figure', lang)} {b.number}. ").bold = True
            _runs(cap, b.text)
    if footer:
        p = doc.add_paragraph()
        _runs(p, footer, size=Pt(8))
    doc.save(str(path))
    _fix_zip(path)
    return path
