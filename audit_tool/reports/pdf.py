"""Render a `Report` to PDF with reportlab platypus.

A4, the bundled DejaVu Sans embedded (any Latin, Gaelic or other accented name prints),
"Page N of M" in the footer, DRAFT on every page of a draft, table headers repeated on
every page a table runs over, document metadata set, charts as vector drawings.
reportlab makes no tagged PDF: the DOCX is the accessible format.
"""

from __future__ import annotations

import io
import os
from functools import partial
from typing import BinaryIO

from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    CondPageBreak,
    Flowable,
    Frame,
    KeepTogether,
    PageTemplate,
    Spacer,
)
from reportlab.platypus import PageBreak as RLPageBreak
from reportlab.platypus import Paragraph as RLParagraph
from reportlab.platypus import Table as RLTable
from reportlab.platypus import TableStyle as RLTableStyle

from .. import APP_NAME
from ..formatting import long_date
from ..progress import Progress
from . import charts, fonts, style
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
from .style import escape

# Compressed streams as binary, not also ASCII85-encoded: a quarter smaller, and the
# encoder is pure Python (~7% of a long report's time). Readers see the same pages.
rl_config.useA85 = 0

PAGE_W, PAGE_H = A4
MARGIN_X = 20 * mm
MARGIN_TOP = 22 * mm
MARGIN_BOTTOM = 20 * mm
CONTENT_W = PAGE_W - 2 * MARGIN_X
FRAME_H = PAGE_H - MARGIN_TOP - MARGIN_BOTTOM
CELL_PAD_X = 5
CELL_PAD_TOP, CELL_PAD_BOTTOM = 3, 4

def _hex(value: str) -> colors.Color:
    return colors.HexColor("#" + value)


NAVY, INK, MUTED, DARK = _hex(style.NAVY), _hex(style.INK), _hex(style.MUTED), _hex(style.DARK)
RULE, ZEBRA, KEY_BG = _hex(style.RULE), _hex(style.ZEBRA), _hex(style.ZEBRA)
BANNER_BG, WARN_BG, WARN_RULE = _hex(style.BANNER_BG), _hex(style.WARN_BG), _hex(style.WARN_RULE)
DRAFT_RED = _hex(style.DRAFT_RED)

R, B = fonts.REGULAR, fonts.BOLD


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("body", fontName=R, fontSize=10, leading=14, textColor=INK, spaceAfter=6)
    s = {
        "body": base,
        "title": ParagraphStyle(
            "title", base, fontName=B, fontSize=20, leading=25, textColor=NAVY, spaceAfter=4
        ),
        "subtitle": ParagraphStyle(
            "subtitle",
            base,
            fontSize=12.5,
            leading=16,
            textColor=_hex(style.SUBTITLE),
            spaceAfter=4,
        ),
        "meta": ParagraphStyle("meta", base, fontSize=9, leading=12, textColor=MUTED, spaceAfter=8),
        "h1": ParagraphStyle(
            "h1",
            base,
            fontName=B,
            fontSize=15,
            leading=19,
            textColor=NAVY,
            spaceBefore=14,
            spaceAfter=6,
        ),
        "h2": ParagraphStyle(
            "h2",
            base,
            fontName=B,
            fontSize=12.5,
            leading=16,
            textColor=NAVY,
            spaceBefore=10,
            spaceAfter=4,
        ),
        "h3": ParagraphStyle(
            "h3",
            base,
            fontName=B,
            fontSize=10.5,
            leading=14,
            textColor=DARK,
            spaceBefore=8,
            spaceAfter=3,
        ),
        "note": ParagraphStyle(
            "note", base, fontSize=8.5, leading=11.5, textColor=MUTED, spaceAfter=6
        ),
        "banner": ParagraphStyle("banner", base, fontName=B, fontSize=10, leading=14, spaceAfter=0),
        "caption": ParagraphStyle(
            "caption",
            base,
            fontName=B,
            fontSize=9,
            leading=12,
            textColor=DARK,
            spaceBefore=4,
            spaceAfter=3,
        ),
        "th": ParagraphStyle(
            "th", base, fontName=B, fontSize=8.5, leading=11, textColor=colors.white, spaceAfter=0
        ),
        "td": ParagraphStyle("td", base, fontSize=8.5, leading=11, spaceAfter=0),
        "key": ParagraphStyle(
            "key",
            base,
            fontName=B,
            fontSize=9,
            leading=12,
            textColor=DARK,
            spaceAfter=0,
        ),
        "value": ParagraphStyle("value", base, fontSize=9, leading=12, spaceAfter=0),
    }
    for name in ("th", "td"):
        for code, align in (("l", TA_LEFT), ("r", TA_RIGHT), ("c", TA_CENTER)):
            s[f"{name}-{code}"] = ParagraphStyle(f"{name}-{code}", s[name], alignment=align)
    return s


def _markup(text: str) -> str:
    """Plain text to reportlab paragraph markup: escape, keep line breaks."""
    return escape(clean(text)).replace("\n", "<br/>")


def _box(content: Flowable, background, rule, rule_width: float = 3) -> RLTable:
    """A shaded box with a coloured rule on its left: banners and the identity statement."""
    t = RLTable([[content]], colWidths=[CONTENT_W])
    t.setStyle(
        RLTableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), R),  # tables default to Helvetica otherwise
                ("BACKGROUND", (0, 0), (-1, -1), background),
                ("LINEBEFORE", (0, 0), (0, -1), rule_width, rule),
                ("LEFTPADDING", (0, 0), (-1, -1), 8),
                ("RIGHTPADDING", (0, 0), (-1, -1), 8),
                ("TOPPADDING", (0, 0), (-1, -1), 6),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 7),
            ]
        )
    )
    t.spaceBefore, t.spaceAfter = 4, 8
    return t


def _sized(style: ParagraphStyle, size: float) -> ParagraphStyle:
    """A cell style at a smaller size (a wide table), leading in proportion."""
    if size == style.fontSize:
        return style
    return ParagraphStyle(style.name, style, fontSize=size, leading=style.leading * size / style.fontSize)


def _table(table: Table, st: dict[str, ParagraphStyle]) -> list[Flowable]:
    align = table.align or ["l"] * len(table.columns)
    size, widths = fit_table(table, CONTENT_W, st["td"].fontSize, 2 * CELL_PAD_X)
    th = [_sized(st[f"th-{a}"], size) for a in align]
    td = [_sized(st[f"td-{a}"], size) for a in align]
    data = [[RLParagraph(_markup(h), th[i]) for i, h in enumerate(table.columns)]]
    # A Paragraph per cell is what costs time in long tables; a short single-line cell is
    # drawn as a plain string (same font, size and alignment) when it surely fits.
    room = [w - 2 * CELL_PAD_X for w in widths]
    # Rows of plain strings have a known height; telling reportlab saves it re-measuring
    # every remaining row at every page break (quadratic in a 10,000-row listing).
    line_row = td[0].leading + CELL_PAD_TOP + CELL_PAD_BOTTOM
    heights: list[float | None] = [None]
    for row in table.rows:
        cells: list[object] = []
        for i, cell in enumerate(row):
            text = clean(cell)
            if not text:
                cells.append("")
            elif "\n" not in text and (
                len(text) * size <= room[i] or stringWidth(text, R, size) <= room[i]
            ):
                cells.append(text)
            else:
                cells.append(RLParagraph(_markup(text), td[i]))
        data.append(cells)
        heights.append(None if any(isinstance(c, RLParagraph) for c in cells) else line_row)
    t = RLTable(
        data,
        colWidths=widths,
        rowHeights=heights,
        repeatRows=1,
        splitInRow=1,  # a cell taller than a page (long evidence) splits instead of failing
        hAlign="LEFT",
    )
    t.setStyle(
        RLTableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), R),  # tables default to Helvetica otherwise
                ("FONTSIZE", (0, 0), (-1, -1), size),
                ("LEADING", (0, 0), (-1, -1), td[0].leading),
                ("TEXTCOLOR", (0, 0), (-1, -1), INK),
                *(
                    ("ALIGN", (i, 0), (i, -1), {"l": "LEFT", "r": "RIGHT", "c": "CENTER"}[a])
                    for i, a in enumerate(align)
                ),
                ("BACKGROUND", (0, 0), (-1, 0), NAVY),
                ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, ZEBRA]),
                ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
                ("BOX", (0, 0), (-1, -1), 0.6, RULE),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), CELL_PAD_TOP),
                ("BOTTOMPADDING", (0, 0), (-1, -1), CELL_PAD_BOTTOM),
                ("LEFTPADDING", (0, 0), (-1, -1), CELL_PAD_X),
                ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PAD_X),
            ]
        )
    )
    t.spaceBefore, t.spaceAfter = 2, 10
    out: list[Flowable] = []
    if table.caption:
        out.append(_lead_in(RLParagraph(_markup(table.caption), st["caption"])))
    out.append(t)
    return out


def _key_value(kv: KeyValue, st: dict[str, ParagraphStyle]) -> Flowable:
    data = [
        [RLParagraph(_markup(k), st["key"]), RLParagraph(_markup(v), st["value"])]
        for k, v in kv.rows
    ]
    t = RLTable(data, colWidths=[CONTENT_W * 0.3, CONTENT_W * 0.7], hAlign="LEFT", splitInRow=1)
    t.setStyle(
        RLTableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), R),  # tables default to Helvetica otherwise
                ("BACKGROUND", (0, 0), (0, -1), KEY_BG),
                ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
                ("LINEABOVE", (0, 0), (-1, 0), 0.4, RULE),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ]
        )
    )
    t.spaceBefore, t.spaceAfter = 2, 10
    return t


def _chart(chart: BarChart | LineChart) -> Flowable:
    drawing = charts.to_drawing(layout_any(chart, CONTENT_W))
    if drawing.height > FRAME_H - 20:  # a drawing cannot split: shrink one taller than a page
        f = (FRAME_H - 20) / drawing.height
        drawing.scale(f, f)
        drawing.width, drawing.height = drawing.width * f, drawing.height * f
    drawing.hAlign = "LEFT"
    # A chart is never split; keep it on one page with a little air around it.
    kept = KeepTogether([Spacer(1, 4), drawing, Spacer(1, 10)])
    kept._follow_height = drawing.height + 14  # its heading must come along to its page
    return kept


FOLLOW_HEIGHT = 60.0  # room a heading wants below it: a table header and two rows


def _lead_in(p: RLParagraph) -> RLParagraph:
    p._lead_in = True
    return p


def _keep_lead_ins(story: list[Flowable]) -> list[Flowable]:
    """Keep headings and captions on the page of what they introduce.

    reportlab's keepWithNext would wrap the heading *and the whole next table* in a
    KeepTogether, pushing a long table (and its heading) to a new page and leaving the
    page before half empty. Instead: before each run of headings/captions, start a new
    page only if the run plus the start of what follows would not fit.
    """
    out: list[Flowable] = []
    run: list[Flowable] = []
    for f in story:
        if getattr(f, "_lead_in", False):
            run.append(f)
            continue
        if run:
            need = sum(
                x.wrap(CONTENT_W, PAGE_H)[1] + x.style.spaceBefore + x.style.spaceAfter for x in run
            )
            follow = getattr(f, "_follow_height", FOLLOW_HEIGHT)
            out.append(CondPageBreak(min(need + follow, FRAME_H)))
            out.extend(run)
            run = []
        out.append(f)
    return out + run


def _block(block: Block, st: dict[str, ParagraphStyle]) -> list[Flowable]:
    if isinstance(block, Heading):
        heading = _lead_in(RLParagraph(_markup(block.text), st[f"h{block.level}"]))
        heading._outline = (" ".join(clean(block.text).split()), block.level)
        return [heading]
    if isinstance(block, Paragraph):
        if block.style == "banner":
            return [_box(RLParagraph(_markup(block.text), st["banner"]), BANNER_BG, NAVY)]
        return [RLParagraph(_markup(block.text), st[block.style])]
    if isinstance(block, KeyValue):
        return [_key_value(block, st)] if block.rows else []
    if isinstance(block, Table):
        return _table(block, st)
    if isinstance(block, BarChart | LineChart):
        return [_chart(block)]
    if isinstance(block, PageBreak):
        return [RLPageBreak()]
    raise TypeError(f"Unknown report block {type(block).__name__}")


def _title_block(report: Report, st: dict[str, ParagraphStyle]) -> list[Flowable]:
    out: list[Flowable] = [RLParagraph(_markup(report.title), st["title"])]
    if report.subtitle:
        out.append(RLParagraph(_markup(report.subtitle), st["subtitle"]))
    meta = [
        f"Prepared by {report.author}" if report.author else "",
        long_date(report.created),
    ]
    out.append(RLParagraph(_markup(" \u00b7 ".join(m for m in meta if m)), st["meta"]))
    identifiable = report.identifiable
    out.append(
        _box(
            RLParagraph(_markup(identity_statement(report)), st["banner"]),
            WARN_BG if identifiable else BANNER_BG,
            WARN_RULE if identifiable else NAVY,
        )
    )
    out.append(Spacer(1, 4))
    return out


class _NumberedCanvas(Canvas):
    """Holds every page until the end so the footer can say "Page N of M" in one pass.

    Bookmarks wait too: a PDF destination names its page, and the pages are only numbered
    as they are written out in save()."""

    def __init__(self, *args, footer_left: str = "", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._pages: list[dict] = []
        self._footer_left = footer_left
        self._marks: list[tuple[int, str, int, float]] = []  # page index, title, level, top

    def mark_heading(self, title: str, level: int, top: float) -> None:
        """An outline entry (the PDF sidebar) for a heading on the page being drawn."""
        self._marks.append((len(self._pages), title, level, top))

    def showPage(self) -> None:  # noqa: N802 (reportlab's name)
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        marks = self._marks
        open_levels: list[int] = []  # heading levels of the entries this one sits under
        for index, state in enumerate(self._pages):
            self.__dict__.update(state)
            self._footer(total)
            for n, (page, title, level, top) in enumerate(marks):
                if page != index:
                    continue
                while open_levels and open_levels[-1] >= level:
                    open_levels.pop()
                key = f"heading-{n}"
                self.bookmarkPage(key, fit="XYZ", top=top)
                # nested under the headings still open, never deeper (an h3 under an h1 is one in)
                self.addOutlineEntry(title, key, level=len(open_levels))
                open_levels.append(level)
            super().showPage()
        if marks:
            self.showOutline()  # readers open with the sidebar of sections shown
        super().save()

    def _footer(self, total: int) -> None:
        y = MARGIN_BOTTOM - 9 * mm
        self.saveState()
        self.setStrokeColor(RULE)
        self.setLineWidth(0.5)
        self.line(MARGIN_X, y + 11, PAGE_W - MARGIN_X, y + 11)
        self.setFont(R, 8)
        self.setFillColor(MUTED)
        self.drawString(MARGIN_X, y, self._footer_left)
        self.drawRightString(PAGE_W - MARGIN_X, y, f"Page {self._pageNumber} of {total}")
        self.restoreState()


def _on_page(canvas: Canvas, doc: BaseDocTemplate, report: Report) -> None:
    """Header (and the DRAFT watermark), drawn before the page's content."""
    canvas.saveState()
    top = PAGE_H - MARGIN_TOP + 8 * mm
    if doc.page > 1:
        canvas.setFont(R, 8)
        canvas.setFillColor(MUTED)
        title = " ".join(clean(report.title).split())
        title = title if len(title) <= 90 else title[:89] + "\u2026"
        canvas.drawString(MARGIN_X, top, title)
    if report.draft:
        canvas.setFont(B, 9)
        canvas.setFillColor(DRAFT_RED)
        canvas.drawRightString(PAGE_W - MARGIN_X, top, DRAFT_MARK)
        canvas.setFillColor(DRAFT_RED, alpha=0.07)
        canvas.setFont(B, 110)
        canvas.translate(PAGE_W / 2, PAGE_H / 2)
        canvas.rotate(50)
        canvas.drawCentredString(0, -38, DRAFT_MARK)
    canvas.restoreState()


class _Doc(BaseDocTemplate):
    def __init__(self, target, report: Report, progress: Progress | None, **kw) -> None:
        super().__init__(target, **kw)
        self._progress = progress
        self._total = 1
        self._done = 0
        self._last = 0.0
        frame = Frame(
            MARGIN_X,
            MARGIN_BOTTOM,
            CONTENT_W,
            FRAME_H,
            leftPadding=0,
            rightPadding=0,
            topPadding=0,
            bottomPadding=0,
            id="body",
        )
        self.addPageTemplates(
            [PageTemplate(id="page", frames=[frame], onPage=partial(_on_page, report=report))]
        )

    def afterFlowable(self, flowable: Flowable) -> None:  # noqa: N802 (reportlab's name)
        outline = getattr(flowable, "_outline", None)
        if outline is not None and isinstance(self.canv, _NumberedCanvas):
            # the frame's cursor is now below the heading: its top is one height above
            top = self.frame._y + flowable.height + flowable.style.spaceAfter + 4
            self.canv.mark_heading(outline[0], outline[1], min(top, PAGE_H))
        if self._progress is None:
            return
        self._done += 1
        frac = 0.3 + 0.65 * min(1.0, self._done / self._total)
        if frac - self._last >= 0.02:  # a GUI progress bar needs no more than 50 steps
            self._last = frac
            self._progress(frac)


class _Overflow(Exception):
    """A second page began: what was laid out does not fit on one page."""


class _OnePage(_Doc):
    """Lays out until a second page would begin, and writes nothing (fits_one_page)."""

    def handle_pageBegin(self) -> None:  # noqa: N802 (reportlab's name)
        if self.page:  # every page the PDF would hold begins here: this is the second
            raise _Overflow("a second page")
        super().handle_pageBegin()


def render_pdf(
    report: Report,
    path_or_file: str | os.PathLike[str] | BinaryIO,
    progress: Progress | None = None,
) -> None:
    """Write `report` as a PDF to a path or a binary file object.

    progress, if given, is called with a fraction 0..1 as rendering goes on (1.0 at end).
    To write a file safely use `audit_tool.reports.render`, which writes atomically.
    """
    target = os.fspath(path_or_file) if isinstance(path_or_file, os.PathLike) else path_or_file
    _build(_Doc, report, target, progress)
    if progress is not None:
        progress(1.0)


def fits_one_page(report: Report) -> bool:
    """Whether `report` takes one page as render_pdf lays it out. Cheaper than rendering and
    counting the pages: the layout stops where a second page would begin, nothing is saved."""
    try:
        _build(_OnePage, report, io.BytesIO(), None, save=False)
    except _Overflow:
        return False
    return True


def _build(doc_class: type[_Doc], report: Report, target, progress: Progress | None,
           save: bool = True) -> None:
    with fonts.measuring():
        _lay_out(doc_class, report, target, progress, save)


def _lay_out(doc_class: type[_Doc], report: Report, target, progress: Progress | None,
             save: bool) -> None:
    st = _styles()
    doc = doc_class(
        target,
        report,
        progress,
        pagesize=A4,
        leftMargin=MARGIN_X,
        rightMargin=MARGIN_X,
        topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM,
        title=clean(report.title),
        author=clean(report.author),
        subject=clean(report.subject),
        creator=APP_NAME,
        keywords=identity_mark(report),
        lang="en-GB",
        initialFontName=R,  # else every page references an unembedded Helvetica
    )
    if not save:
        doc._doSave = 0  # reportlab's switch: lay out and draw, write nothing
    story: list[Flowable] = _title_block(report, st)
    n = max(1, len(report.blocks))
    for i, block in enumerate(report.blocks):
        story.extend(_block(block, st))
        if progress is not None and i % 10 == 0:
            progress(0.3 * i / n)
    story = _keep_lead_ins(story)
    doc._total = max(1, len(story))
    doc.build(story, canvasmaker=partial(_NumberedCanvas, footer_left=identity_mark(report)))
