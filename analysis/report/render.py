"""Render a report's blocks as HTML and Word: the same content, byte-for-byte reproducible.

A report (:class:`analysis.report.document.Report`) is a list of blocks — headings,
paragraphs, tables (:class:`~analysis.report.present.ShownTable`), figures and notes. This
module turns that list into

* a self-contained HTML page (figures embedded, table of contents, no code, no prompts, every
  text escaped) and
* a ``.docx`` Word document (python-docx): title block, headings, paragraphs, real Word tables
  with APA captions and notes, figures — for pasting into a final report.

Tables are APA style (three rules, no vertical lines, numbers right-aligned). In Word, a
column is as wide as its content measured in the table font (:data:`TABLE_FONT` at
:data:`TABLE_PT` pt; :func:`text_width`, :func:`column_width`) plus the cell margins
(:data:`CELL_MARGIN_TWIPS`, set on every table): a number is never wrapped (and its cell says
``w:noWrap``), a heading wraps only between words, text columns take the width left. A table
too wide for a portrait page goes on landscape pages, a section of its own; only a table too
wide even for a landscape page (:func:`too_wide`) is transposed when it has few rows (a model
comparison reads best with the measures as rows) and otherwise split into column blocks that
repeat the row label columns; it is never clipped. The web page never splits a table: a wide
one scrolls sideways in its box. The Word document is A4 with 2.5 cm margins; a table's header
row repeats on every page and no row breaks across pages.
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
import math
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import pandas as pd

from analysis.report.i18n import t
from analysis.report.present import ShownTable

#: Font and size of every Word table. Arial is set on the table text (the body keeps the
#: template's font) because its widths are known everywhere: Word has Arial, and LibreOffice
#: prints it with Liberation Sans, which has the same advance widths; so a column can be
#: measured for the font that prints it (:func:`text_width`).
TABLE_FONT, TABLE_PT = "Arial", 8.5
#: Left and right margin of every table cell (twips, 1/1440 inch; 85 twips = 0.15 cm), set on
#: each table rather than left to Word's default (108 twips = 0.19 cm).
CELL_MARGIN_TWIPS = 85
#: A4 page and margins of the Word document (cm), and the text width they leave in portrait and
#: in landscape.
PAGE_CM, MARGIN_CM = (21.0, 29.7), 2.5
TEXT_WIDTH_CM = PAGE_CM[0] - 2 * MARGIN_CM
LANDSCAPE_TEXT_WIDTH_CM = PAGE_CM[1] - 2 * MARGIN_CM
#: A column of text is at least this wide (cm, with its margins) when its text is longer, and at
#: most this wide when there is room (longer text wraps between words).
MIN_TEXT_CM, MAX_TEXT_CM = 2.5, 8.0
#: A single word of a text cell wider than this (cm) may be broken by Word rather than widen
#: its column further (a path, a long compound word).
MAX_WORD_CM = 4.0
#: Most rows of a too-wide table that is transposed rather than split.
MAX_TRANSPOSED_ROWS = 6
#: Fixed timestamp of every Word document part (zip entries and core properties).
FIXED_TIME = _dt.datetime(2000, 1, 1, 0, 0, 0)
_CM_PT = 72 / 2.54

#: Advance widths of Arial / Liberation Sans Regular (1/1000 em; from LiberationSans-Regular.ttf,
#: each rounded up to the next of these values). A character not listed counts as 1 em.
_GLYPH_WIDTHS = {
    200: "'\u2009\u202f′",
    222: 'ijlι‘’‚',
    278: ' !,./:;I[\\]ft|\xa0¦ÌÍÎÏìíîïΙ',
    333: '()-`r¡¨²³´·¸¹‐“”„‹›',
    355: '"{}•″',
    400: '*ª°ºτⁿ',
    500: 'J^cksvxyzçýÿšžγεζκλνξς↑↓∂',
    556: '#$0123456789?L_abdeghnopqu¢£¤¥§«¯±¶»àáâãäåèéêëðñòóôõö÷ùúûüþΓηθουχ‒–†‡€√≈≠≤≥',
    584: '+<=>~¬µ×αβδμρ−',
    611: 'FTZ¿ßøŽΖΤ',
    667: '&ABEKPSVXYÀÁÂÃÄÅÈÉÊËÝÞŠΑΒΕΚΞΡΣΥΧσφ∆',
    722: 'CDHNRUwÇÐÑÙÚÛÜΔΗΛΝΠπψ∑∞',
    778: 'GOQ©®ÒÓÔÕÖØΘΟΩ',
    833: 'MmΜΦω',
    889: '%¼½¾æΨ',
    944: 'Wœ',
    1000: 'ÆŒ—―…‰←→',
    1015: '@',
}
_GLYPH = {ch: w for w, chars in _GLYPH_WIDTHS.items() for ch in chars}
#: A cell that is a number (or a hidden cell's mark): never wrapped, in whichever column.
_NUMBER = re.compile(r"[<>≤≥±+−–-]?\s?(\d[\d\s.,:/%()−–-]*|\.\.|\.\d+)\s?%?")
#: Where a line may break: ordinary white space (a no-break space, as in 12 345, does not).
_BREAK = re.compile(r"[ \t\r\n]+")


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


def text_width(text: str, size: float = TABLE_PT) -> float:
    """Printed width (points) of ``text`` on one line in the table font at ``size`` points.

    Examples
    --------
    >>> round(text_width("893"), 2)                    # three digits of 0.556 em at 8.5 pt
    14.18
    """
    return sum(_GLYPH.get(ch, 1000) for ch in str(text)) * size / 1000


def is_number(text: str) -> bool:
    """Whether a cell is a number, an interval or a hidden cell's mark (``<5``, ``..``): such a
    cell is printed on one line.

    Examples
    --------
    >>> [is_number(v) for v in ["893", "<5", "..", "−0,21", "0,78–0,82", "< .001", "33 735,69", "Health"]]
    [True, True, True, True, True, True, True, False]
    """
    return bool(_NUMBER.fullmatch(str(text).strip()))


def _whole(value: str, numeric: bool) -> bool:
    """Whether a cell is printed on one line: a number (:func:`is_number`, not a long list of
    them) in any column, and any cell of a number column that is not a long text."""
    value = value.strip()
    return (is_number(value) and len(value) <= 24) or (numeric and text_width(value) <= MIN_TEXT_CM * _CM_PT)


def column_width(name: str, values: Sequence[str], numeric: bool = False) -> tuple[float, float]:
    """The least and the natural width (cm, with the cell margins) of a table column.

    Least: a number (a cell that :func:`is_number` in any column, and every cell of a
    ``numeric`` column short of a long text) on one line; the heading's longest word (a
    heading wraps only between words); the longest word of a text cell (up to
    :data:`MAX_WORD_CM`); a text column at least :data:`MIN_TEXT_CM` when its text is that
    long. Natural: every cell and the heading on one line, text up to :data:`MAX_TEXT_CM`.

    Examples
    --------
    >>> least, natural = column_width("Missing %", ["7", "13"], numeric=True)
    >>> least == column_width("Missing", ["7"], numeric=True)[0], least < natural
    (True, True)
    """
    least, _, natural = _column_needs(name, values, numeric)
    return least, natural


def _column_needs(name: str, values: Sequence[str], numeric: bool) -> tuple[float, float, float]:
    """Least, body and natural width (cm) of a column (:func:`column_width`); body: the cells
    on one line (text up to :data:`MAX_TEXT_CM`), the heading wrapped."""
    values = [str(v) for v in values]
    numbers = [v for v in values if _whole(v, numeric)]
    texts = [v for v in values if not _whole(v, numeric)]
    head_words = max((text_width(w) for w in _BREAK.split(str(name))), default=0.0)
    number = max((text_width(v.strip()) for v in numbers), default=0.0)
    word = max((text_width(w) for v in texts for w in _BREAK.split(v)), default=0.0)
    text = max((text_width(v) for v in texts), default=0.0)
    least = max(head_words, number, min(word, MAX_WORD_CM * _CM_PT), min(text, MIN_TEXT_CM * _CM_PT))
    body = max(least, min(text, MAX_TEXT_CM * _CM_PT))
    natural = max(body, text_width(str(name)))
    pad = 2 * CELL_MARGIN_TWIPS / 20 + 1.0 + 0.02 * least    # margins, and a point and 2 % to spare
    return tuple((w + pad + 0.02 * (w - least)) / _CM_PT for w in (least, body, natural))


def _column_widths_cm(frame: pd.DataFrame, flags: Sequence[bool]) -> list[tuple[float, float, float]]:
    """:func:`_column_needs` of each column (``flags``: which are numeric)."""
    return [_column_needs(c, frame.iloc[:, j].astype(str).tolist(), bool(flags[j]))
            for j, c in enumerate(frame.columns)]


def table_width(frame: pd.DataFrame, numeric: Sequence[str] = ()) -> float:
    """Least printed width of a table (cm): every number and heading word on one line."""
    names = set(numeric)
    return sum(least for least, _, _ in _column_widths_cm(frame, [c in names for c in frame.columns]))


def too_wide(frame: pd.DataFrame, numeric: Sequence[str] = (), max_width: float = LANDSCAPE_TEXT_WIDTH_CM) -> bool:
    """Whether a table is wider than ``max_width`` cm (the text width of a landscape A4 page)
    even with its text wrapped: it must then be transposed or split."""
    return table_width(frame, numeric) > max_width


def _lead(frame: pd.DataFrame, numeric: Sequence[str]) -> int:
    """Number of leading row-label columns: those before the first numeric one (at least one)."""
    cols = list(frame.columns)
    return next((i for i, c in enumerate(cols) if c in set(numeric)), 1) or 1


def split_columns(frame: pd.DataFrame, numeric: Sequence[str] = (),
                  max_width: float = LANDSCAPE_TEXT_WIDTH_CM) -> list[pd.DataFrame]:
    """Column blocks that each fit ``max_width`` cm, each repeating the leading label columns
    (the columns before the first of ``numeric``, at least one); the blocks are about
    equally wide. A table that fits is one block.

    Examples
    --------
    >>> f = pd.DataFrame({c: ["x" * 12] for c in "abcdefghijklmnopqrst"})
    >>> [list(b.columns)[:2] for b in split_columns(f, numeric=list("bcdefghijklmnopqrst"))]
    [['a', 'b'], ['a', 'l']]
    """
    if not too_wide(frame, numeric, max_width):
        return [frame]
    cols = list(frame.columns)
    lead = min(_lead(frame, numeric), max(1, len(cols) - 1))
    keys, rest = cols[:lead], cols[lead:]
    least = _column_widths_cm(frame, [c in set(numeric) for c in cols])
    widths = {c: w for c, (w, _, _) in zip(cols, least)}
    room = max(max_width - sum(widths[c] for c in keys), 1e-9)
    total = sum(widths[c] for c in rest)
    n_parts = max(int(-(-total // room)), 1)
    target = total / n_parts                       # balanced parts rather than a stub at the end
    blocks, current, width = [], [], 0.0
    for c in rest:
        if current and (width + widths[c] > room or (width >= target and len(blocks) < n_parts - 1)):
            blocks.append(current)
            current, width = [], 0.0
        current.append(c)
        width += widths[c]
    blocks.append(current)
    return [frame[[*keys, *b]] for b in blocks]


def layout(frame: pd.DataFrame, numeric: Sequence[str] = (), *, max_width: float = LANDSCAPE_TEXT_WIDTH_CM,
           portrait: float = TEXT_WIDTH_CM, split: bool = True) -> list[tuple[pd.DataFrame, list[bool]]]:
    """How a table is printed: a list of ``(block, right-aligned flag of each column)``.

    A table that fits ``max_width`` cm (a landscape page; :func:`too_wide`) is printed as it
    is (in Word on a landscape page when it is wider than ``portrait``), except a table of one
    row too wide for ``portrait``, which is transposed when that makes it fit (one row
    across a landscape page reads worse than a list of its values). A too-wide table with at
    most :data:`MAX_TRANSPOSED_ROWS` rows and one label column is transposed (its rows become
    columns headed by their labels, its columns the rows, headed by the first heading);
    otherwise it is split by :func:`split_columns` — or, with ``split=False`` (a web page,
    which scrolls), printed as it is.

    Examples
    --------
    >>> f = pd.DataFrame({"Model": ["configural", "metric"], **{f"m{i}": ["0.123456", "0.456"] for i in range(20)}})
    >>> [(b.shape, flags[:2]) for b, flags in layout(f, numeric=[f"m{i}" for i in range(20)])]
    [((20, 3), [False, True])]
    """
    numeric_set = set(numeric)
    as_is = [(frame, [c in numeric_set for c in frame.columns])]
    wide = too_wide(frame, numeric, max_width)
    if not wide and (len(frame) != 1 or not too_wide(frame, numeric, portrait)):
        return as_is
    if _lead(frame, numeric) == 1 and len(frame) <= MAX_TRANSPOSED_ROWS:
        first = frame.columns[0]
        names = [str(v) for v in frame[first]]
        if len(set(names)) == len(names) and all(names):
            body = frame.drop(columns=first).T
            body.columns = names
            body.insert(0, first, body.index.astype(str))
            body = body.reset_index(drop=True)
            if not too_wide(body, names, max_width if wide else portrait):
                return [(body, [False] + [True] * len(names))]
    if not wide or not split:
        return as_is
    return [(b, [c in numeric_set for c in b.columns]) for b in split_columns(frame, numeric, max_width)]


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
.skip,.note{color:#444;font-style:italic}nav ol{columns:2;column-gap:3rem}nav ol.numbered{list-style:none;padding-left:1rem}nav li.toc3{margin-left:1.2rem;font-size:.92em}
figure{margin:1.5rem 0}figure img{max-width:min(100%,40rem)}figcaption{font-size:.9rem}
.tablewrap{overflow-x:auto;margin:1rem 0 1.5rem;max-width:100%}
@media (min-width:64rem){.tablewrap{width:max-content;max-width:calc(100% + (100vw - 100%)/2 - 1.5rem)}}
table{border-collapse:collapse;font-size:.85rem;margin-bottom:.4rem}
p.caption{margin:0 0 .3rem;font-size:.9rem;max-width:55rem}th.num{text-align:right}
thead th{border-top:2px solid #000;border-bottom:1px solid #000;text-align:left;vertical-align:bottom;padding:.2rem .5rem}
tbody td{padding:.15rem .5rem;vertical-align:top;max-width:28rem;overflow-wrap:break-word;word-break:normal;hyphens:auto;-webkit-hyphens:auto}
th{hyphens:manual;-webkit-hyphens:manual;overflow-wrap:normal;word-break:normal}
tbody tr:last-child td{border-bottom:2px solid #000}td.num{text-align:right;white-space:nowrap}td.nw,th .w{white-space:nowrap}
.tablenote{font-size:.8rem;color:#222;max-width:55rem}.tablewrap+.tablenote{margin-top:-1rem}footer{margin-top:3rem;font-size:.8rem;color:#444;border-top:1px solid #ccc}
"""


def _head_html(name) -> str:
    """A heading that wraps only between words: a word with a hyphen or a dash is kept whole."""
    return " ".join(f'<span class="w">{_html.escape(w)}</span>' if re.search(r"[-–/]", w) else _html.escape(w)
                    for w in str(name).split(" "))


def _html_table(block: Block, lang: str) -> str:
    """One table (never split into column blocks: the page scrolls it sideways when it is wider
    than the page; transposed as in Word when it has few rows). A number never wraps."""
    shown = block.table
    (frame, numeric), = layout(shown.frame, shown.numeric, split=False)
    head = "".join(f'<th class="num">{_head_html(c)}</th>' if num else f"<th>{_head_html(c)}</th>"
                   for c, num in zip(frame.columns, numeric))
    rows = []
    for values in frame.itertuples(index=False):
        cells = "".join(f'<td class="num">{_html.escape(v)}</td>' if num else
                        f'<td class="nw">{_html.escape(v)}</td>' if len(v) <= 20 else f"<td>{_html.escape(v)}</td>"
                        for v, num in zip(map(str, values), numeric))
        rows.append(f"<tr>{cells}</tr>")
    caption = (f'<p class="caption"><b>{_html.escape(t("common.table", lang))} {block.number}</b><br>'
               f"<em>{_inline_html(block.text)}</em></p>")
    parts = [f'<div class="tablewrap">{caption}<table><thead><tr>{head}</tr></thead>'
             f'<tbody>{"".join(rows)}</tbody></table></div>']
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


#: Schema order of the children of a table's, a row's and a cell's properties (Word rejects a
#: file whose elements are out of order).
_ORDER = {
    "tblPr": ("tblStyle", "tblpPr", "tblOverlap", "bidiVisual", "tblStyleRowBandSize", "tblStyleColBandSize",
              "tblW", "jc", "tblCellSpacing", "tblInd", "tblBorders", "shd", "tblLayout", "tblCellMar", "tblLook"),
    "trPr": ("cnfStyle", "divId", "gridBefore", "gridAfter", "wBefore", "wAfter", "cantSplit", "trHeight",
             "tblHeader", "tblCellSpacing", "jc", "hidden"),
    "tcPr": ("cnfStyle", "tcW", "gridSpan", "hMerge", "vMerge", "tcBorders", "shd", "noWrap", "tcMar",
             "textDirection", "tcFitText", "vAlign", "hideMark"),
}


def _put(parent, tag: str, **attrs: str):
    """Set the child ``w:{tag}`` of a tblPr/trPr/tcPr (replacing one that is there) with
    ``attrs``, in schema order; returns it."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    for old in parent.findall(qn(f"w:{tag}")):
        parent.remove(old)
    el = OxmlElement(f"w:{tag}")
    for key, value in attrs.items():
        el.set(qn(f"w:{key}"), value)
    order = _ORDER[parent.tag.rsplit("}", 1)[1]]
    rank = order.index(tag)
    later = [c for c in parent if c.tag.rsplit("}", 1)[1] in order[rank + 1:]]
    if later:
        later[0].addprevious(el)
    else:
        parent.append(el)
    return el


def _border(parent, tag: str, edges: dict[str, str]) -> None:
    """Set ``<w:{tag}>`` borders (``{"top": "single", "insideV": "nil", …}``) on a tblPr/tcPr."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    box = _put(parent, tag)
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


def _twips(cm: float) -> int:
    return math.ceil(round(cm * 1440 / 2.54, 6))


def _column_widths(frame: pd.DataFrame, numeric: Sequence[bool], max_width: float = TEXT_WIDTH_CM) -> list[int]:
    """Column widths (twips) of a Word table at most ``max_width`` cm wide.

    Every column gets its least width (:func:`column_width`: numbers and heading words on one
    line); the room left goes first to the text columns, up to their text on one line (up to
    :data:`MAX_TEXT_CM`), then to every column, up to its heading on one line. A table that
    fits is not stretched to the text width. A table whose least width is more than
    ``max_width`` keeps it (:func:`layout` splits such a table before it gets here; only a
    single column wider than the page could)."""
    cols = _column_widths_cm(frame, numeric)
    widths = [least for least, _, _ in cols]
    room = max_width - sum(widths)
    for stage, group in ((1, [j for j, num in enumerate(numeric) if not num]), (2, range(len(cols)))):
        want = sum(max(cols[j][stage] - widths[j], 0.0) for j in group)
        if room <= 1e-9 or want <= 1e-9:
            continue
        share = min(1.0, room / want)
        for j in group:
            widths[j] += max(cols[j][stage] - widths[j], 0.0) * share
        room -= want * share
    return [_twips(w) for w in widths]


def _cell_text(cell, text: str, *, right: bool, heading: bool = False) -> None:
    """Write ``text`` into a table cell in the table font (:data:`TABLE_FONT`, :data:`TABLE_PT`).
    In a ``heading`` a hyphen is Word's non-breaking hyphen: a heading wraps only between words
    (not in "(t-testi)")."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt

    para = cell.paragraphs[0]
    para.paragraph_format.space_after = Pt(0)
    para.alignment = WD_ALIGN_PARAGRAPH.RIGHT if right else WD_ALIGN_PARAGRAPH.LEFT
    mark = OxmlElement("w:rPr")                 # the paragraph mark too: an empty cell is no taller
    para._p.get_or_add_pPr().append(mark)
    pieces = text.split("-") if heading else [text] if text else []
    for k, piece in enumerate(pieces):
        run = para.add_run(piece)
        if k < len(pieces) - 1:
            run._r.append(OxmlElement("w:noBreakHyphen"))
    for props in [mark, *(run._r.get_or_add_rPr() for run in para.runs)]:
        fonts, size = OxmlElement("w:rFonts"), OxmlElement("w:sz")
        for key in ("ascii", "hAnsi", "cs", "eastAsia"):
            fonts.set(qn(f"w:{key}"), TABLE_FONT)
        size.set(qn("w:val"), str(round(2 * TABLE_PT)))
        props.append(fonts)
        props.append(size)


def _word_table(doc, block: Block, lang: str, max_width: float = TEXT_WIDTH_CM,
                parts: list[tuple[pd.DataFrame, list[bool]]] | None = None) -> None:
    """A table as APA Word table(s), ``max_width`` cm wide at most: column widths from the
    content (:func:`_column_widths`), cell margins :data:`CELL_MARGIN_TWIPS`, numbers never
    wrapped (``w:noWrap``), rows never split across pages, the header row repeated on every
    page; ``parts`` (default: :func:`layout`) when it is split."""
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Pt, Twips

    if parts is None:
        parts = layout(block.table.frame, block.table.numeric, max_width=max(max_width, LANDSCAPE_TEXT_WIDTH_CM))
    for k, (frame, numeric) in enumerate(parts):
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
        widths = _column_widths(frame, numeric, max_width)
        tbl_pr = table._tbl.tblPr
        _put(tbl_pr, "tblW", w=str(sum(widths)), type="dxa")
        _border(tbl_pr, "tblBorders", {"top": "single", "bottom": "single", "left": "nil", "right": "nil",
                                       "insideH": "nil", "insideV": "nil"})
        _put(tbl_pr, "tblLayout", type="fixed")
        margins = _put(tbl_pr, "tblCellMar")
        for edge in ("left", "right"):
            el = OxmlElement(f"w:{edge}")
            el.set(qn("w:w"), str(CELL_MARGIN_TWIPS))
            el.set(qn("w:type"), "dxa")
            margins.append(el)
        for col, width in zip(table.columns, widths):
            col.width = Twips(width)
        header = table.rows[0]
        tr_pr = header._tr.get_or_add_trPr()
        _put(tr_pr, "cantSplit")
        _put(tr_pr, "tblHeader", val="true")                 # header row repeats on every page
        for cell, name, num, width in zip(header.cells, frame.columns, numeric, widths):
            cell.width = Twips(width)
            tc_pr = cell._tc.get_or_add_tcPr()
            _border(tc_pr, "tcBorders", {"bottom": "single"})
            _put(tc_pr, "vAlign", val="bottom")
            _cell_text(cell, str(name), right=num, heading=True)
        for values in frame.itertuples(index=False):
            row = table.add_row()
            _put(row._tr.get_or_add_trPr(), "cantSplit")
            for cell, value, num, width in zip(row.cells, map(str, values), numeric, widths):
                cell.width = Twips(width)
                if _whole(value, num):
                    _put(cell._tc.get_or_add_tcPr(), "noWrap")
                _cell_text(cell, value, right=num)
        if k < len(parts) - 1 or not block.notes:
            _space(doc, Pt(10))                 # the text after a table does not touch its rule
    if block.notes:
        note = doc.add_paragraph()
        note.paragraph_format.space_before = Pt(3)
        run = note.add_run(t("common.note", lang) + " ")
        run.italic = True
        run.font.size = Pt(8.5)
        _runs(note, " ".join(block.notes), size=Pt(8.5))


def _space(doc, after) -> None:
    """An empty paragraph one point high with ``after`` below it (after a table, a section break)."""
    from docx.shared import Pt

    fmt = doc.add_paragraph().paragraph_format
    fmt.space_before, fmt.space_after, fmt.line_spacing = Pt(0), after, Pt(1)


def _text_widths(section) -> tuple[float, float, bool]:
    """Text width (cm) of a section's page in portrait and in landscape, and whether the
    section is landscape."""
    short, long = sorted((section.page_width, section.page_height))
    side = section.left_margin + section.right_margin
    return (short - side) / 360000, (long - side) / 360000, section.page_width > section.page_height


def _turn(doc, landscape: bool) -> None:
    """Start a new section (on a new page) in landscape or portrait unless the last section
    already is; the page size and margins stay, the width and height swap."""
    from docx.enum.section import WD_ORIENT, WD_SECTION
    from docx.oxml.ns import qn
    from docx.shared import Pt

    if _text_widths(doc.sections[-1])[2] == landscape:
        return
    body = doc.element.body
    last = body[-2] if len(body) > 1 else None          # body[-1] is the last section's w:sectPr
    if last is None or last.find(f"{qn('w:pPr')}/{qn('w:sectPr')}") is not None:
        section = doc.sections[-1]                      # a section with nothing in it yet: turn it
    else:
        section = doc.add_section(WD_SECTION.NEW_PAGE)
        brk = doc.paragraphs[-1].paragraph_format      # the empty paragraph ending the last section:
        brk.space_before = brk.space_after = Pt(0)      # one point high, so it never makes a page of its own
        brk.line_spacing = Pt(1)
    short, long = sorted((section.page_width, section.page_height))
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = (long, short) if landscape else (short, long)


def _landscape_blocks(blocks: Sequence[Block], parts: dict[int, list], portrait: float) -> set[int]:
    """Which blocks go on landscape pages: a table wider than ``portrait`` cm even with its text
    wrapped, the headings right before it (a heading stays with its table), and a few short
    blocks between two such tables (no page of its own for a paragraph between them)."""
    wide = [i for i, p in parts.items() if any(table_width(f, [c for c, n in zip(f.columns, num) if n]) > portrait
                                                for f, num in p)]
    out = set(wide)
    for i in wide:
        j = i - 1
        while j >= 0 and blocks[j].kind == "heading":
            out.add(j)
            j -= 1
    for a, b in zip(wide, wide[1:]):
        between = range(a + 1, b)
        if len(between) <= 3 and all(blocks[j].kind in ("heading", "paragraph", "note", "skip", "warning")
                                     for j in between):
            out.update(between)
    return out


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
    ``k - heading_offset``, from 1 to 4.

    A table too wide for a portrait page (even with its text wrapped) goes on landscape pages,
    a section of its own with a section break before and after (same page size and margins),
    together with the headings right before it; only a table too wide for a landscape page is
    transposed or split (:func:`layout`). The document ends in the orientation it had."""
    from docx.shared import Cm

    portrait, landscape, turned = _text_widths(doc.sections[-1])
    parts = {i: layout(b.table.frame, b.table.numeric, max_width=landscape, portrait=landscape if turned else portrait)
             for i, b in enumerate(blocks) if b.kind == "table"}
    across = set() if turned else _landscape_blocks(blocks, parts, portrait)
    for i, b in enumerate(blocks):
        _turn(doc, turned or i in across)
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
            _word_table(doc, b, lang, landscape if (turned or i in across) else portrait, parts[i])
        elif b.kind == "figure":
            doc.add_picture(str(b.image), width=Cm(15))
            cap = doc.add_paragraph()
            cap.add_run(f"{t('common.figure', lang)} {b.number}. ").bold = True
            _runs(cap, b.text)
    _turn(doc, turned)


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
