"""Render a `Report` to DOCX with python-docx: the accessible format.

Word's built-in Title and Heading 1-3 styles (the navigation pane and screen readers
use them), tables whose header row repeats on every page, charts as PNG pictures with
alt text, "Page N of M" as field codes, DRAFT in the header of a draft, and the
document's core properties (title, author, subject, dates) set from the report.

Tables are built as WordprocessingML directly: python-docx's cell-by-cell API is slow
for long tables, and one parse of a generated fragment is fast and exact.
"""

from __future__ import annotations

import io
import os
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime
from typing import BinaryIO

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.oxml.shape import CT_Inline
from docx.shared import Emu, Mm, Pt, RGBColor

from ..formatting import long_date
from ..progress import Progress
from . import charts, fonts
from .charts import ChartLayout
from .linechart import layout_any
from .measure import fit_table
from .model import (
    DRAFT_MARK,
    BarChart,
    Block,
    Heading,
    KeyValue,
    LineChart,
    PageBreak,
    Paragraph,
    Report,
    Table,
    clean,
    identity_mark,
    identity_statement,
)
from .style import (
    BANNER_BG,
    DARK,
    DRAFT_RED,
    INK,
    MUTED,
    NAVY,
    RULE,
    SUBTITLE,
    WARN_BG,
    WARN_RULE,
    WHITE,
    ZEBRA,
    escape,
)

FONT = "Arial"  # on every council laptop; LibreOffice maps it to the metric-equal Liberation Sans

PAGE_W_MM, PAGE_H_MM = 210, 297
MARGIN_X_MM, MARGIN_TOP_MM, MARGIN_BOTTOM_MM = 20, 22, 20
CONTENT_W_MM = PAGE_W_MM - 2 * MARGIN_X_MM
TWIPS_PER_MM = 1440 / 25.4
CONTENT_TWIPS = round(CONTENT_W_MM * TWIPS_PER_MM)
CELL_MARGIN_X = 90  # twips
CELL_PT = 9.0  # the table text styles' size
BODY_H_PT = (PAGE_H_MM - MARGIN_TOP_MM - MARGIN_BOTTOM_MM) * 72 / 25.4

# Our own paragraph styles (ids are what tables and paragraphs refer to).
NOTE, BANNER, WARN_BANNER, CELL, CELL_HEAD, KEY, META, GAP = (
    "Report Note",
    "Report Banner",
    "Report Warning",
    "Table Text",
    "Table Heading",
    "Table Key",
    "Report Meta",
    "Table Gap",
)
_JC = {"l": "left", "r": "right", "c": "center"}


def _rgb(hex_: str) -> RGBColor:
    return RGBColor.from_string(hex_)


# CT_PPr children in schema order (ECMA-376 17.3.1.26): Word rejects misordered ones.
_PPR_NAMES = (
    "pStyle keepNext keepLines pageBreakBefore framePr widowControl numPr "
    "suppressLineNumbers pBdr shd tabs suppressAutoHyphens kinsoku wordWrap overflowPunct "
    "topLinePunct autoSpaceDE autoSpaceDN bidi adjustRightInd snapToGrid spacing ind "
    "contextualSpacing mirrorIndents suppressOverlap jc textDirection textAlignment "
    "textboxTightWrap outlineLvl divId cnfStyle rPr sectPr pPrChange"
)
_PPR_ORDER = tuple(_PPR_NAMES.split())


def _insert_ordered(ppr, child) -> None:
    tag = child.tag.split("}")[1]
    later = _PPR_ORDER[_PPR_ORDER.index(tag) + 1 :]
    ppr.insert_element_before(child, *(f"w:{t}" for t in later))


def _shade_and_rule(style, fill: str, rule: str) -> None:
    """A shaded box with a thick left rule: the banner look of the PDF. Borders the colour
    of the fill pad the box; the indents keep it inside the page margins."""
    pad = f'w:val="single" w:sz="4" w:color="{fill}"'
    ppr = style.element.get_or_add_pPr()
    _insert_ordered(
        ppr,
        parse_xml(
            f'<w:pBdr {nsdecls("w")}><w:top {pad} w:space="5"/>'
            f'<w:left w:val="single" w:sz="24" w:space="7" w:color="{rule}"/>'
            f'<w:bottom {pad} w:space="5"/><w:right {pad} w:space="7"/></w:pBdr>'
        ),
    )
    _insert_ordered(
        ppr, parse_xml(f'<w:shd {nsdecls("w")} w:val="clear" w:color="auto" w:fill="{fill}"/>')
    )
    style.paragraph_format.left_indent = Pt(10)
    style.paragraph_format.right_indent = Pt(8)


def _setup_styles(doc) -> dict[str, str]:
    styles = doc.styles
    # Document defaults: font for every script, British English for spelling and readers.
    rpr_default = styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault"))
    rpr = rpr_default.find(qn("w:rPr"))
    for old in rpr.findall(qn("w:lang")) + rpr.findall(qn("w:rFonts")):
        rpr.remove(old)
    rpr.insert(
        0,
        parse_xml(
            f'<w:rFonts {nsdecls("w")} w:ascii="{FONT}" w:hAnsi="{FONT}" w:eastAsia="{FONT}" '
            f'w:cs="{FONT}"/>'
        ),
    )
    rpr.append(
        parse_xml(f'<w:lang {nsdecls("w")} w:val="en-GB" w:eastAsia="en-GB" w:bidi="ar-SA"/>')
    )

    normal = styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(10.5)
    normal.font.color.rgb = _rgb(INK)
    normal.paragraph_format.space_after = Pt(6)
    normal.paragraph_format.line_spacing = 1.15

    for name, size, color, before, after in (
        ("Title", 24, NAVY, 0, 4),
        ("Subtitle", 13, SUBTITLE, 0, 4),
        ("Heading 1", 16, NAVY, 18, 6),
        ("Heading 2", 13, NAVY, 12, 4),
        ("Heading 3", 11.5, DARK, 10, 3),
    ):
        st = styles[name]
        st.font.name = FONT
        st.font.size = Pt(size)
        st.font.color.rgb = _rgb(color)
        st.font.italic = False
        st.font.bold = name != "Subtitle"
        spacing = st.element.get_or_add_rPr().find(qn("w:spacing"))
        if spacing is not None:  # the template letter-spaces the subtitle
            spacing.getparent().remove(spacing)
        # The template's heading fonts are theme fonts; an explicit face must win.
        rfonts = st.element.get_or_add_rPr().find(qn("w:rFonts"))
        for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
            rfonts.attrib.pop(qn(attr), None)
        st.paragraph_format.space_before = Pt(before)
        st.paragraph_format.space_after = Pt(after)

    def add(
        name: str,
        size: float,
        color: str = INK,
        bold: bool = False,
        before: float = 0,
        after: float = 6,
    ):
        st = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        st.base_style = normal
        st.font.size = Pt(size)
        st.font.bold = bold
        st.font.color.rgb = _rgb(color)
        st.paragraph_format.space_before = Pt(before)
        st.paragraph_format.space_after = Pt(after)
        return st

    add(NOTE, 9, MUTED)
    add(META, 9.5, MUTED, after=10)
    _shade_and_rule(add(BANNER, 10.5, bold=True, before=4, after=10), BANNER_BG, NAVY)
    _shade_and_rule(add(WARN_BANNER, 10.5, bold=True, before=4, after=10), WARN_BG, WARN_RULE)
    for name, color, bold in (
        (CELL, INK, False),
        (CELL_HEAD, WHITE, True),
        (KEY, DARK, True),
    ):
        st = add(name, CELL_PT, color, bold, after=0)
        st.paragraph_format.line_spacing = 1.0
    gap = add(GAP, 4, after=4)
    gap.paragraph_format.line_spacing = 1.0
    # The template's Header/Footer tab stops are for US Letter: one right stop at the margin.
    for name in ("Header", "Footer"):
        tabs = styles[name].paragraph_format.tab_stops
        tabs.clear_all()
        tabs.add_tab_stop(Mm(CONTENT_W_MM), WD_TAB_ALIGNMENT.RIGHT)
    caption = styles["Caption"]
    caption.font.name = FONT
    caption.font.size = Pt(9.5)
    caption.font.bold = True
    caption.font.color.rgb = _rgb(DARK)
    caption.paragraph_format.space_before = Pt(6)
    caption.paragraph_format.space_after = Pt(3)
    caption.paragraph_format.keep_with_next = True
    return {name: styles[name].style_id for name in (CELL, CELL_HEAD, KEY, "Table Grid")}


def _page_setup(doc) -> None:
    sec = doc.sections[0]
    sec.page_width, sec.page_height = Mm(PAGE_W_MM), Mm(PAGE_H_MM)
    sec.left_margin = sec.right_margin = Mm(MARGIN_X_MM)
    sec.top_margin, sec.bottom_margin = Mm(MARGIN_TOP_MM), Mm(MARGIN_BOTTOM_MM)
    sec.header_distance = sec.footer_distance = Mm(10)


def _field(paragraph, instr: str, cached: str) -> None:
    """A complex field (PAGE, NUMPAGES): Word and LibreOffice compute it on layout."""
    r = paragraph._p
    for xml in (
        '<w:r {ns}><w:fldChar w:fldCharType="begin"/></w:r>',
        f'<w:r {{ns}}><w:instrText xml:space="preserve"> {instr} </w:instrText></w:r>',
        '<w:r {ns}><w:fldChar w:fldCharType="separate"/></w:r>',
        f"<w:r {{ns}}><w:t>{cached}</w:t></w:r>",
        '<w:r {ns}><w:fldChar w:fldCharType="end"/></w:r>',
    ):
        r.append(parse_xml(xml.format(ns=nsdecls("w"))))


def _header_footer(doc, report: Report) -> None:
    sec = doc.sections[0]
    if report.draft:
        p = sec.header.paragraphs[0]
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        run = p.add_run(DRAFT_MARK)
        run.bold = True
        run.font.size = Pt(10)
        run.font.color.rgb = _rgb(DRAFT_RED)
    p = sec.footer.paragraphs[0]
    # Footer text is styled through its own rPr: the Footer style may inherit from Normal.
    rpr = f'<w:rPr {nsdecls("w")}><w:color w:val="{MUTED}"/><w:sz w:val="17"/></w:rPr>'
    p.add_run(identity_mark(report) + "\t")
    p.add_run("Page ")
    _field(p, "PAGE", "1")
    p.add_run(" of ")
    _field(p, "NUMPAGES", "1")
    for r in p._p.findall(qn("w:r")):
        r.insert(0, parse_xml(rpr))


def _text_runs(text: str, half_points: int | None = None, whole_words: bool = False) -> str:
    """Plain text as w:r elements; newlines become w:br. half_points: a size other than
    the paragraph style's (a wide table set smaller). whole_words: hyphens do not break
    ("non-offending" stays on one line of a table header, as in the PDF)."""
    text = clean(text)
    parts = []
    for i, line in enumerate(text.split("\n")):
        if i:
            parts.append("<w:br/>")
        pieces = line.split("-") if whole_words else [line]
        parts.append("<w:noBreakHyphen/>".join(
            f'<w:t xml:space="preserve">{escape(p)}</w:t>' for p in pieces))
    rpr = "" if half_points is None else f'<w:rPr><w:sz w:val="{half_points}"/></w:rPr>'
    return f"<w:r>{rpr}{''.join(parts)}</w:r>"


def _cell(text: str, width: int, style_id: str, jc: str, fill: str | None,
          half_points: int | None = None, head: bool = False) -> str:
    shd = f'<w:shd w:val="clear" w:color="auto" w:fill="{fill}"/>' if fill else ""
    return (
        f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/>{shd}</w:tcPr>'
        f'<w:p><w:pPr><w:pStyle w:val="{style_id}"/><w:jc w:val="{jc}"/></w:pPr>'
        f"{_text_runs(text, half_points, head) if text else ''}</w:p></w:tc>"
    )


def _tbl_xml(widths: list[int], rows_xml: list[str], style_id: str, caption: str) -> str:
    grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in widths)
    border = f'w:val="single" w:sz="4" w:space="0" w:color="{RULE}"'
    borders = "".join(
        f"<w:{side} {border}/>" for side in ("top", "left", "bottom", "right", "insideH", "insideV")
    )
    cap = (
        f'<w:tblCaption w:val="{escape(clean(caption), {chr(34): "&quot;"})}"/>' if caption else ""
    )
    return (
        f'<w:tbl {nsdecls("w")}><w:tblPr><w:tblStyle w:val="{style_id}"/>'
        f'<w:tblW w:w="{sum(widths)}" w:type="dxa"/>'
        # Word 2010 layout (the template's compatibility mode) hangs a table out by its
        # cell margin; indenting by the same amount lines its border up with the text.
        f'<w:tblInd w:w="{CELL_MARGIN_X}" w:type="dxa"/><w:tblBorders>{borders}</w:tblBorders>'
        '<w:tblLayout w:type="fixed"/>'
        f'<w:tblCellMar><w:top w:w="40" w:type="dxa"/><w:left w:w="{CELL_MARGIN_X}" w:type="dxa"/>'
        f'<w:bottom w:w="50" w:type="dxa"/><w:right w:w="{CELL_MARGIN_X}" w:type="dxa"/>'
        "</w:tblCellMar>"
        '<w:tblLook w:val="04A0" w:firstRow="1" w:lastRow="0" w:firstColumn="0" '
        f'w:lastColumn="0" w:noHBand="0" w:noVBand="1"/>{cap}</w:tblPr>'
        f"<w:tblGrid>{grid}</w:tblGrid>{''.join(rows_xml)}</w:tbl>"
    )


Drawn = tuple[ChartLayout, bytes]  # a chart laid out, and its PNG


def _twips(weights: list[float]) -> list[int]:
    total = sum(weights)
    return [round(CONTENT_TWIPS * w / total) for w in weights]


class _Writer:
    def __init__(self, doc, ids: dict[str, str], pngs: dict[int, Future[Drawn]] | None = None
                 ) -> None:
        self.doc = doc
        self.ids = ids
        self.body = doc.element.body
        self.after_table = False
        self.pngs = pngs or {}  # id(chart block) -> its PNG, drawn beside (render_docx)
        self._style_ids: dict[str, str | None] = {}
        self._shape_id: int | None = None

    def add_paragraph(self, text: str = "", style: str | None = None):
        """doc.add_paragraph(text, style), the style looked up once per document: python-docx
        looks a style name up (and the default style) among all styles on every paragraph."""
        p = self.doc.add_paragraph(text)
        if style is not None:
            if style not in self._style_ids:
                self._style_ids[style] = self.doc.part.get_style_id(style, WD_STYLE_TYPE.PARAGRAPH)
            p._p.style = self._style_ids[style]  # as Paragraph.style sets it
        return p

    def add_heading(self, text: str, level: int):
        """doc.add_heading, through add_paragraph."""
        if not 0 <= level <= 9:
            raise ValueError(f"level must be in range 0-9, got {level}")
        return self.add_paragraph(text, "Title" if level == 0 else f"Heading {level}")

    def _picture(self, run, png: bytes, width: Emu):
        """run.add_picture(png, width), numbering the pictures itself: python-docx finds the
        next shape id by reading every id in the document, for each picture. The first is
        found that way; only our pictures add ids after it."""
        part = self.doc.part
        r_id, image = part.get_or_add_image(io.BytesIO(png))
        cx, cy = image.scaled_dimensions(width, None)
        if self._shape_id is None:
            self._shape_id = part.next_id
        inline = CT_Inline.new_pic_inline(self._shape_id, r_id, image.filename, cx, cy)
        self._shape_id += 1
        run._r.add_drawing(inline)
        return inline

    def _append(self, element) -> None:
        self.body.sectPr.addprevious(element)  # the body's last child must stay sectPr

    def table(self, table: Table) -> None:
        if table.caption:
            self.add_paragraph(clean(table.caption), style="Caption")
        # measured at the cell style's size with Word's cell margins and a little slack
        # (LibreOffice without Arial sets it in the wider DejaVu Sans the widths assume)
        room, pad = CONTENT_W_MM * 72 / 25.4, 2 * CELL_MARGIN_X / 20 + 2
        size, points = fit_table(table, room, CELL_PT, pad)
        widths = _twips(points)
        half = None if size == CELL_PT else round(size * 2)
        jc = [_JC[a] for a in (table.align or ["l"] * len(table.columns))]
        head_id, cell_id = self.ids[CELL_HEAD], self.ids[CELL]
        rows = [
            "<w:tr><w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>"
            + "".join(
                _cell(h, widths[i], head_id, jc[i], NAVY, half, True)
                for i, h in enumerate(table.columns)
            )
            + "</w:tr>"
        ]
        for r, row in enumerate(table.rows):
            fill = ZEBRA if r % 2 else None
            # Short rows stay whole on a page; a long one may split (cantSplit on a row
            # taller than a page makes Word cut it off).
            tr = "<w:tr><w:trPr><w:cantSplit/></w:trPr>" if sum(map(len, row)) < 600 else "<w:tr>"
            rows.append(
                tr
                + "".join(_cell(v, widths[i], cell_id, jc[i], fill, half) for i, v in enumerate(row))
                + "</w:tr>"
            )
        self._append(parse_xml(_tbl_xml(widths, rows, self.ids["Table Grid"], table.caption)))
        self.after_table = True

    def key_value(self, kv: KeyValue) -> None:
        if not kv.rows:
            return
        widths = _twips([3, 7])
        key_id, cell_id = self.ids[KEY], self.ids[CELL]
        rows = [
            f"<w:tr>{_cell(k, widths[0], key_id, 'left', ZEBRA)}"
            f"{_cell(v, widths[1], cell_id, 'left', None)}</w:tr>"
            for k, v in kv.rows
        ]
        self._append(parse_xml(_tbl_xml(widths, rows, self.ids["Table Grid"], "")))
        self.after_table = True

    def chart(self, chart: BarChart | LineChart, space_before: float = 4) -> None:
        drawn = self.pngs.get(id(chart))
        layout, png = drawn.result() if drawn is not None else _png(chart)
        p = self.add_paragraph()
        p.paragraph_format.space_before = Pt(space_before)
        p.paragraph_format.space_after = Pt(10)
        # Word clips a picture taller than the page: shrink one that would not fit.
        fit = min(1.0, (BODY_H_PT - 30) / layout.height)
        width = Emu(round(layout.width * fit * 12700))
        inline = self._picture(p.add_run(), png, width)
        # Alt text: what screen readers announce, and what Word's "Alt Text" pane shows.
        for side in ("distT", "distB", "distL", "distR"):  # as Word writes; LibreOffice
            inline.set(side, "0")  # otherwise pads the picture out of line with the text
        doc_pr = inline.docPr
        doc_pr.set("descr", layout.alt_text)
        doc_pr.set("title", layout.title)

    def block(self, block: Block) -> None:
        space = None
        if self.after_table:
            # Two tables in a row would merge into one: separate them with a small empty
            # paragraph. Otherwise no empty paragraph (LibreOffice then ignores "keep with
            # next" on a heading that follows it): the next paragraph gets space above.
            self.after_table = False
            if isinstance(block, KeyValue) or (isinstance(block, Table) and not block.caption):
                self.add_paragraph(style=GAP)
            space = 10.0
        if isinstance(block, Heading):
            self.add_heading(clean(block.text), block.level)
        elif isinstance(block, Paragraph):
            style = {"body": None, "note": NOTE, "banner": BANNER}[block.style]
            self.paragraph(block.text, style, space)
        elif isinstance(block, KeyValue):
            self.key_value(block)
        elif isinstance(block, Table):
            self.table(block)
        elif isinstance(block, BarChart | LineChart):
            self.chart(block, space or 4)
        elif isinstance(block, PageBreak):
            self.doc.add_page_break()
        else:
            raise TypeError(f"Unknown report block {type(block).__name__}")

    def finish(self) -> None:
        if self.after_table:  # Word wants a paragraph between a table and the section end
            self.add_paragraph(style=GAP)

    def paragraph(self, text: str, style: str | None = None, space: float | None = None) -> None:
        p = self.add_paragraph(style=style)
        if space is not None:
            p.paragraph_format.space_before = Pt(space)
        p._p.append(parse_xml(_text_runs(text).replace("<w:r>", f"<w:r {nsdecls('w')}>", 1)))


def _utc(value: datetime) -> datetime:
    # python-docx writes the time with a "Z"; naive times are taken as local time.
    return value.astimezone(UTC).replace(tzinfo=None)


def _core_properties(doc, report: Report) -> None:
    cp = doc.core_properties
    cp.title = clean(report.title)[:255]
    cp.subject = clean(report.subject)[:255]
    cp.author = clean(report.author)[:255]
    cp.last_modified_by = clean(report.author)[:255]
    cp.created = cp.modified = _utc(report.created)
    cp.revision = 1
    cp.category = identity_mark(report)
    cp.comments = identity_statement(report)[:255]
    cp.keywords = "DRAFT" if report.draft else ""
    cp.language = "en-GB"


def render_docx(
    report: Report,
    path_or_file: str | os.PathLike[str] | BinaryIO,
    progress: Progress | None = None,
) -> None:
    """Write `report` as a DOCX to a path or a binary file object.

    progress, if given, is called with a fraction 0..1 as rendering goes on (1.0 at end).
    To write a file safely use `audit_tool.reports.render`, which writes atomically.
    """
    doc = Document()
    ids = _setup_styles(doc)
    _page_setup(doc)
    _header_footer(doc, report)
    _core_properties(doc, report)
    # The charts' PNGs are drawn on a second thread while the text is built: Pillow lets go
    # of the interpreter while it compresses, which is most of a chart's time.
    with fonts.measuring(), ThreadPoolExecutor(1, thread_name_prefix="charts") as pool:
        pngs = {id(b): pool.submit(_png, b) for b in report.blocks if isinstance(b, BarChart | LineChart)}
        try:
            _body(doc, report, _Writer(doc, ids, pngs), progress)
        finally:
            for f in pngs.values():
                f.cancel()
    target = os.fspath(path_or_file) if isinstance(path_or_file, os.PathLike) else path_or_file
    doc.save(target)
    if progress is not None:
        progress(1.0)


def _png(chart: BarChart | LineChart) -> Drawn:
    layout = layout_any(chart)
    return layout, charts.to_png(layout)


def _body(doc, report: Report, w: _Writer, progress: Progress | None) -> None:
    w.add_heading(clean(report.title), 0)
    if report.subtitle:
        w.add_paragraph(clean(report.subtitle), style="Subtitle")
    meta = [
        f"Prepared by {report.author}" if report.author else "",
        long_date(report.created),
    ]
    w.add_paragraph(clean(" \u00b7 ".join(m for m in meta if m)), style=META)
    w.paragraph(identity_statement(report), WARN_BANNER if report.identifiable else BANNER)

    n = max(1, len(report.blocks))
    for i, block in enumerate(report.blocks):
        w.block(block)
        if progress is not None and i % 10 == 0:
            progress(0.9 * i / n)
    w.finish()
