"""Render a report's blocks as HTML and Word: the same content, byte-for-byte reproducible.

A report (:class:`analysis.report.document.Report`) is a list of blocks — headings,
paragraphs, tables (:class:`~analysis.report.present.ShownTable`), figures and notes. This
module turns that list into

* a self-contained HTML page (figures embedded, table of contents, no code, no prompts, every
  text escaped) and
* a ``.docx`` Word document (python-docx): title block, headings, paragraphs, real Word tables
  with APA captions and notes, figures — for pasting into a final report.

Tables are APA style (three rules, no vertical lines, numbers right-aligned). A table too wide
for the page (:func:`too_wide`: more than :data:`MAX_COLUMNS` columns or about
:data:`MAX_WIDTH` characters) is transposed when it has few rows (a model comparison reads
best with the measures as rows) and otherwise split into column blocks that repeat the row
label columns; it is never clipped. The Word document is A4 with 2.5 cm margins; a table's
header row repeats on every page.
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

#: Most columns a table block shows side by side before it is split or transposed.
MAX_COLUMNS = 14
#: Estimated width (characters) of the widest table shown as it is (A4 portrait, 8.5 pt).
MAX_WIDTH = 110
#: Most rows of a too-wide table that is transposed rather than split.
MAX_TRANSPOSED_ROWS = 6
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


def column_width(name: str, values: Sequence[str]) -> int:
    """Estimated printed width of a column in characters: its longest cell (a long text wraps
    at about 20 characters) or its heading's longest word (headings wrap between words),
    whichever is wider, plus one for the cell padding."""
    cells = min(max((len(v) for v in values), default=0), 20)
    head = max((len(w) for w in str(name).split()), default=0)
    return max(cells, head) + 1


def table_width(frame: pd.DataFrame) -> int:
    """Estimated printed width of a table (characters)."""
    return sum(column_width(c, frame[c].astype(str).tolist()) for c in frame.columns)


def too_wide(frame: pd.DataFrame, max_columns: int = MAX_COLUMNS, max_width: int = MAX_WIDTH) -> bool:
    """Whether a table needs splitting or transposing to fit a page."""
    return frame.shape[1] > max_columns or table_width(frame) > max_width


def _lead(frame: pd.DataFrame, numeric: Sequence[str]) -> int:
    """Number of leading row-label columns: those before the first numeric one (at least one)."""
    cols = list(frame.columns)
    return next((i for i, c in enumerate(cols) if c in set(numeric)), 1) or 1


def split_columns(frame: pd.DataFrame, numeric: Sequence[str] = (), max_columns: int = MAX_COLUMNS,
                  max_width: int = MAX_WIDTH) -> list[pd.DataFrame]:
    """Column blocks that each fit the page (at most ``max_columns`` columns, about
    ``max_width`` characters), each repeating the leading label columns (the columns before
    the first of ``numeric``, at least one); the blocks are about equally wide.

    Examples
    --------
    >>> f = pd.DataFrame({c: ["x" * 8] for c in "abcdefghijklmnop"})
    >>> [list(b.columns)[:2] for b in split_columns(f, numeric=list("bcdefghijklmnop"))]
    [['a', 'b'], ['a', 'j']]
    """
    if not too_wide(frame, max_columns, max_width):
        return [frame]
    cols = list(frame.columns)
    lead = min(_lead(frame, numeric), max(1, max_columns - 2))
    keys, rest = cols[:lead], cols[lead:]
    widths = {c: column_width(c, frame[c].astype(str).tolist()) for c in cols}
    key_width = sum(widths[c] for c in keys)
    total = sum(widths[c] for c in rest)
    room = max(max_width - key_width, 1)
    n_parts = max(-(-total // room), -(-len(rest) // max(max_columns - lead, 1)), 1)
    target = total / n_parts                       # balanced parts rather than a stub at the end
    blocks, current, width = [], [], 0
    for c in rest:
        if current and (width + widths[c] > room or len(current) >= max_columns - lead
                        or (width >= target and len(blocks) < n_parts - 1)):
            blocks.append(current)
            current, width = [], 0
        current.append(c)
        width += widths[c]
    blocks.append(current)
    return [frame[[*keys, *b]] for b in blocks]


def layout(frame: pd.DataFrame, numeric: Sequence[str] = ()) -> list[tuple[pd.DataFrame, list[bool]]]:
    """How a table is printed: a list of ``(block, right-aligned flag of each column)``.

    A table that fits is printed as it is. A too-wide table with at most
    :data:`MAX_TRANSPOSED_ROWS` rows and one label column is transposed (its rows become
    columns headed by their labels, its columns the rows, headed by the first heading);
    otherwise it is split by :func:`split_columns`.

    Examples
    --------
    >>> f = pd.DataFrame({"Model": ["configural", "metric"], **{f"m{i}": ["0.123", "0.456"] for i in range(16)}})
    >>> [(b.shape, flags[:2]) for b, flags in layout(f, numeric=[f"m{i}" for i in range(16)])]
    [((16, 3), [False, True])]
    """
    numeric_set = set(numeric)
    if not too_wide(frame):
        return [(frame, [c in numeric_set for c in frame.columns])]
    if _lead(frame, numeric) == 1 and len(frame) <= MAX_TRANSPOSED_ROWS:
        first = frame.columns[0]
        names = [str(v) for v in frame[first]]
        if len(set(names)) == len(names) and all(names):
            body = frame.drop(columns=first).T
            body.columns = names
            body.insert(0, first, body.index.astype(str))
            body = body.reset_index(drop=True)
            if not too_wide(body):
                return [(body, [False] + [True] * len(names))]
    return [(b, [c in numeric_set for c in b.columns]) for b in split_columns(frame, numeric)]


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
.skip,.note{color:#444;font-style:italic}nav ol{columns:2}nav ol.numbered{list-style:none;padding-left:1rem}nav li.toc3{margin-left:1.2rem;font-size:.92em}
figure{margin:1.5rem 0}figure img{max-width:min(100%,40rem)}figcaption{font-size:.9rem}
.tablewrap{overflow-x:auto;margin:1rem 0 1.5rem}
table{border-collapse:collapse;font-size:.85rem;margin-bottom:.4rem}
p.caption{margin:0 0 .3rem;font-size:.9rem}th.num{text-align:right}
thead th{border-top:2px solid #000;border-bottom:1px solid #000;text-align:left;vertical-align:bottom;padding:.2rem .5rem}
tbody td{padding:.15rem .5rem;vertical-align:top;max-width:28rem;overflow-wrap:break-word;word-break:normal;hyphens:auto;-webkit-hyphens:auto}
th{hyphens:auto;-webkit-hyphens:auto;overflow-wrap:break-word;word-break:normal}
tbody tr:last-child td{border-bottom:2px solid #000}td.num{text-align:right;white-space:nowrap}td.nw{white-space:nowrap}
.tablenote{font-size:.8rem;color:#222;max-width:55rem}footer{margin-top:3rem;font-size:.8rem;color:#444;border-top:1px solid #ccc}
"""


def _html_table(block: Block, lang: str) -> str:
    shown = block.table
    parts = []
    for k, (frame, numeric) in enumerate(layout(shown.frame, shown.numeric)):
        cont = f" ({k + 1})" if k else ""
        head = "".join(f'<th class="num">{_html.escape(str(c))}</th>' if num else f"<th>{_html.escape(str(c))}</th>"
                       for c, num in zip(frame.columns, numeric))
        rows = []
        for values in frame.itertuples(index=False):
            cells = "".join(f'<td class="num">{_html.escape(v)}</td>' if num else
                            f'<td class="nw">{_html.escape(v)}</td>' if len(v) <= 20 else f"<td>{_html.escape(v)}</td>"
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


_NUMBERED = re.compile(r"\d+(\.\d+)*[.)]?\s")


def render_html(title: str, blocks: Sequence[Block], *, meta: Sequence[tuple[str, str]], lang: str,
                footer: str = "", toc_levels: Sequence[int] = (2,)) -> str:
    """A self-contained HTML page: title block, contents, blocks, footer.

    Examples
    --------
    >>> page = render_html("Demo", [Block("paragraph", text="*Hello*")], meta=[("Date", "2026-01-01")], lang="en")
    >>> "<h1>Demo</h1>" in page, "<p><em>Hello</em></p>" in page, page.splitlines()[0]
    (True, True, '<!DOCTYPE html>')
    """
    toc = [b for b in blocks if b.kind == "heading" and b.level in toc_levels]
    head = "".join(f"<p><b>{_html.escape(k)}:</b> {_html.escape(v)}</p>" for k, v in meta)
    nav = ""
    if len(toc) > 1:
        items = "".join(f'<li{" class=toc3" if b.level == 3 else ""}><a href="#{b.anchor}">{_inline_html(b.text)}</a></li>'
                        for b in toc)
        numbered = any(_NUMBERED.match(b.text) for b in toc)      # headings carry their numbers
        ol = '<ol class="numbered">' if numbered else "<ol>"
        nav = f"<nav><h2>{_html.escape(t('common.contents', lang))}</h2>{ol}{items}</ol></nav>"
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


#: A4 page and margins of the Word document (cm), and the text width they leave.
PAGE_CM, MARGIN_CM = (21.0, 29.7), 2.5
TEXT_WIDTH_CM = PAGE_CM[0] - 2 * MARGIN_CM


def _border(parent, tag: str, edges: dict[str, str]) -> None:
    """Set ``<w:{tag}>`` borders (``{"top": "single", "insideV": "nil", …}``) on a tblPr/tcPr."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    box = parent.find(qn(f"w:{tag}"))
    if box is None:
        box = OxmlElement(f"w:{tag}")
        parent.append(box)
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        if edge not in edges:
            continue
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:val"), edges[edge])
        if edges[edge] != "nil":
            el.set(qn("w:sz"), "8")
            el.set(qn("w:space"), "0")
            el.set(qn("w:color"), "000000")
        box.append(el)


def _column_widths(frame: pd.DataFrame, numeric: Sequence[bool]) -> list[float]:
    """Column widths (cm) in proportion to their content, label columns at least 2.5 cm, number
    columns at least about 1 cm (a cell has margins: a two-digit count must not wrap),
    together the text width."""
    est = [column_width(c, frame[c].astype(str).tolist()) for c in frame.columns]
    est = [max(w, 3) + 3 if num else max(w, 16) for w, num in zip(est, numeric)]   # + the cell margins
    total = sum(est)
    scale = min(TEXT_WIDTH_CM / total, 0.19) if total else 0.19       # 8.5 pt ≈ 0.19 cm a character
    return [w * scale for w in est]


def _word_table(doc, block: Block, lang: str) -> None:
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    for k, (frame, numeric) in enumerate(layout(block.table.frame, block.table.numeric)):
        cap = doc.add_paragraph()
        cap.paragraph_format.keep_with_next = True
        run = cap.add_run(f"{t('common.table', lang)} {block.number}{f' ({k + 1})' if k else ''}")
        run.bold = True
        title = doc.add_paragraph()
        title.paragraph_format.keep_with_next = True
        _runs(title, block.text)
        for run in title.runs:
            run.italic = True
        table = doc.add_table(rows=1, cols=frame.shape[1])
        table.alignment = WD_TABLE_ALIGNMENT.LEFT
        table.autofit = False
        tbl_pr = table._tbl.tblPr
        _border(tbl_pr, "tblBorders", {"top": "single", "bottom": "single", "left": "nil", "right": "nil",
                                       "insideH": "nil", "insideV": "nil"})
        layout_el = OxmlElement("w:tblLayout")
        layout_el.set(qn("w:type"), "fixed")
        tbl_pr.append(layout_el)
        widths = [Cm(w) for w in _column_widths(frame, numeric)]
        for col, width in zip(table.columns, widths):
            col.width = width
        header = table.rows[0]
        tr_pr = header._tr.get_or_add_trPr()
        repeat = OxmlElement("w:tblHeader")                 # header row repeats on every page
        repeat.set(qn("w:val"), "true")
        tr_pr.append(repeat)
        for cell, name, num, width in zip(header.cells, frame.columns, numeric, widths):
            cell.width = width
            _border(cell._tc.get_or_add_tcPr(), "tcBorders", {"bottom": "single"})
            para = cell.paragraphs[0]
            para.paragraph_format.space_after = Pt(0)
            para.alignment = WD_ALIGN_PARAGRAPH.RIGHT if num else WD_ALIGN_PARAGRAPH.LEFT
            run = para.add_run(str(name))
            run.font.size = Pt(8.5)
        for values in frame.itertuples(index=False):
            cells = table.add_row().cells
            for cell, value, num, width in zip(cells, values, numeric, widths):
                cell.width = width
                para = cell.paragraphs[0]
                para.paragraph_format.space_after = Pt(0)
                if num:
                    para.alignment = WD_ALIGN_PARAGRAPH.RIGHT
                run = para.add_run(str(value))
                run.font.size = Pt(8.5)
    if block.notes:
        note = doc.add_paragraph()
        run = note.add_run(t("common.note", lang) + " ")
        run.italic = True
        run.font.size = Pt(8.5)
        _runs(note, " ".join(block.notes), size=Pt(8.5))


def new_docx(title: str, lang: str):
    """An empty Word document: A4 portrait with 2.5 cm margins, fixed document properties."""
    from docx import Document
    from docx.shared import Cm

    doc = Document()
    for section in doc.sections:                       # A4 portrait (the template is US Letter)
        section.page_width, section.page_height = Cm(PAGE_CM[0]), Cm(PAGE_CM[1])
        section.left_margin = section.right_margin = Cm(MARGIN_CM)
        section.top_margin = section.bottom_margin = Cm(MARGIN_CM)
    props = doc.core_properties
    props.title, props.author, props.language = title, "youth-services-analysis", lang
    props.created = props.modified = props.last_printed = FIXED_TIME
    props.revision = 1
    return doc


def add_docx_blocks(doc, blocks: Sequence[Block], lang: str, *, heading_offset: int = 1) -> None:
    """Add the blocks to a Word document; a heading of level ``k`` becomes Word's heading
    ``k - heading_offset``, from 1 to 4."""
    from docx.shared import Cm

    for b in blocks:
        if b.kind == "heading":
            doc.add_heading(b.text, level=min(max(b.level - heading_offset, 1), 4))
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


def save_docx(doc, path: Path) -> Path:
    """Save a Word document with fixed zip timestamps (same content → same bytes)."""
    doc.save(str(path))
    _fix_zip(path)
    return path


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
    from docx.shared import Pt

    doc = new_docx(title, lang)
    doc.add_heading(title, level=0)
    for key, value in meta:
        p = doc.add_paragraph()
        p.add_run(f"{key}: ").bold = True
        p.add_run(value)
    add_docx_blocks(doc, blocks, lang)
    if footer:
        p = doc.add_paragraph()
        _runs(p, footer, size=Pt(8))
    return save_docx(doc, path)
