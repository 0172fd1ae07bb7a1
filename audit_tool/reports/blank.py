"""A blank checklist to print (issue 23 item 2): PDF or DOCX, for training days, reading a case
file on paper and sharing with partner agencies.

Every question numbered as the editor numbers it (theme.item, e.g. 2.3), its guidance and
evidence prompt, a shown-when condition in words, the scale with what each level means
(best first, as the editor lists them, a box to tick) and an empty box for the evidence.
The checklist's title, version and the start of its hash are on every page, so a printed
sheet is matched to the exact text an audit was done against. A local checklist prints the
same way: this reads the definition, not the database.

Written through fileio.write_atomic; reportlab and python-docx directly (the report model is
for findings, not forms), with the report's fonts (reports/fonts.py, reports/docx.FONT).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO
from xml.sax.saxutils import escape

from ..checklists.loader import LoadedChecklist, available
from ..checklists.model import Checklist, Item
from ..errors import InvalidInput, NotFound
from ..fileio import write_atomic

FORMATS = ("pdf", "docx")
EVIDENCE_LINES = 6  # height of the evidence box, in lines of handwriting


def item_numbers(definition: Checklist) -> dict[str, str]:
    """'2.3' for the third question of the second theme: the editor's numbering."""
    return {
        item.id: f"{t + 1}.{n + 1}"
        for t, theme in enumerate(definition.themes)
        for n, item in enumerate(theme.items)
    }


def find_checklist(checklist_id: str) -> LoadedChecklist:
    """A bundled or local checklist by id."""
    items, _problems = available()
    found = next((c for c in items if c.id == checklist_id), None)
    if found is None:
        raise NotFound(f"no checklist with id '{checklist_id}' (see `audit-tool checklists`)")
    return found


def page_mark(checklist: LoadedChecklist) -> str:
    """The line on every page: which checklist text this is."""
    return (
        f"{checklist.title} · version {checklist.version} · "
        f"sha256 {checklist.sha256[:16]}"
    )


def _condition(definition: Checklist, item: Item, numbers: dict[str, str]) -> str:
    cond = item.show_when
    if cond is None:
        return ""
    parent = definition.item(cond.item)
    scale = definition.scale_of(parent)
    labels = [lv.label for v in cond.any_of if (lv := scale.level(v)) is not None]
    if scale.is_multiple:
        return f"Answer only if {' or '.join(labels)} is ticked at {numbers[cond.item]}."
    return f"Answer only if {numbers[cond.item]} is: {' or '.join(labels)}."


TICK_ALL = "Tick all that apply."


def _levels(definition: Checklist, item: Item) -> list[tuple[str, str, str]]:
    """(label, description, anchor: what a file at that level looks like) best first."""
    scale = definition.scale_of(item)
    return [(lv.label, lv.description, lv.anchor) for lv in scale.ordered_levels()]


def write_blank(checklist: LoadedChecklist, fmt: str, out: str | Path) -> Path:
    """Write the blank checklist as PDF or DOCX, atomically; returns the file."""
    fmt = fmt.lower()
    if fmt not in FORMATS:
        raise InvalidInput(f"Unknown format '{fmt}': use pdf or docx.")
    writer: Callable[[LoadedChecklist, BinaryIO], None] = _pdf if fmt == "pdf" else _docx
    return write_atomic(out, lambda f: writer(checklist, f))


# -- PDF ---------------------------------------------------------------------------------------


def _pdf(checklist: LoadedChecklist, f: BinaryIO) -> None:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import (
        CondPageBreak,
        KeepTogether,
        Paragraph,
        SimpleDocTemplate,
        Spacer,
        Table,
        TableStyle,
    )

    from . import fonts

    fonts.register_reportlab_fonts()
    R, B, I = fonts.REGULAR, fonts.BOLD, fonts.ITALIC  # noqa: E741, N806
    d = checklist.definition
    numbers = item_numbers(d)
    body = ParagraphStyle("body", fontName=R, fontSize=9.5, leading=12.5)
    small = ParagraphStyle("small", parent=body, fontSize=8.5, leading=11)
    guide = ParagraphStyle("guide", parent=small, fontName=I, textColor=colors.HexColor("#333333"))
    question = ParagraphStyle("q", parent=body, fontName=B, fontSize=10.5, leading=13.5,
                              spaceBefore=4)
    h1 = ParagraphStyle("h1", parent=body, fontName=B, fontSize=16, leading=20, spaceAfter=6)
    h2 = ParagraphStyle("h2", parent=body, fontName=B, fontSize=12.5, leading=16,
                        spaceBefore=8, spaceAfter=4)
    width = A4[0] - 36 * mm
    mark = page_mark(checklist)

    def frame(canvas, doc) -> None:  # header and footer on every page
        canvas.saveState()
        canvas.setFont(R, 8)
        canvas.setFillColor(colors.HexColor("#444444"))
        canvas.drawString(18 * mm, A4[1] - 11 * mm, mark)
        canvas.drawString(18 * mm, 9 * mm, f"{checklist.id} {checklist.version} · blank form")
        canvas.drawRightString(A4[0] - 18 * mm, 9 * mm, f"page {doc.page}")
        canvas.restoreState()

    story: list = [
        Paragraph(escape(d.title), h1),
        Paragraph(f"Version {escape(d.version)} · checklist id {escape(d.id)}", small),
        Paragraph(f"sha256 {checklist.sha256}", small),
        Spacer(1, 3 * mm),
        Paragraph(escape(d.purpose), body),
        Spacer(1, 2 * mm),
        Paragraph(
            "Case reference, reviewer and date: ______________________________________  "
            "Write no names or case references in the evidence boxes if this sheet leaves "
            "the office.",
            small,
        ),
    ]
    for t, theme in enumerate(d.themes):
        story += [CondPageBreak(60 * mm), Paragraph(f"{t + 1}. {escape(theme.title)}", h2)]
        if theme.description:
            story.append(Paragraph(escape(theme.description), guide))
        for item in theme.items:
            parts = [Paragraph(f"{numbers[item.id]}&nbsp;&nbsp;{escape(item.question)}", question)]
            cond = _condition(d, item, numbers)
            if cond:
                parts.append(Paragraph(escape(cond), small))
            if d.scale_of(item).is_multiple:
                parts.append(Paragraph(f"<b>{TICK_ALL}</b>", small))
            parts.append(Paragraph(escape(item.guidance), guide))
            rows = [
                [Paragraph("☐", body), Paragraph(f"<b>{escape(label)}</b>", small),
                 Paragraph(escape(desc) + (f"<br/><i>In the file: {escape(anchor)}</i>"
                                           if anchor else ""), small)]
                for label, desc, anchor in _levels(d, item)
            ]
            scale = Table(rows, colWidths=[7 * mm, 45 * mm, width - 52 * mm])
            scale.setStyle(TableStyle([
                ("FONTNAME", (0, 0), (-1, -1), R),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 1),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
            ]))
            prompt = item.evidence_prompt or "Evidence (where in the file; what it shows)"
            box = Table([[Paragraph(escape(prompt), guide)]], colWidths=[width],
                        rowHeights=[EVIDENCE_LINES * 5.5 * mm])
            box.setStyle(TableStyle([
                ("BOX", (0, 0), (-1, -1), 0.6, colors.HexColor("#666666")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]))
            parts += [Spacer(1, 1.5 * mm), scale, Spacer(1, 1.5 * mm), box, Spacer(1, 5 * mm)]
            story.append(KeepTogether(parts))
    doc = SimpleDocTemplate(
        f, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=16 * mm,
        bottomMargin=16 * mm, title=f"{d.title} {d.version} (blank)", author="Case File Audit Tool",
        subject=mark,
    )
    doc.build(story, onFirstPage=frame, onLaterPages=frame)


# -- DOCX --------------------------------------------------------------------------------------


def _docx(checklist: LoadedChecklist, f: BinaryIO) -> None:
    from docx import Document
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.shared import Mm, Pt

    from .docx import FONT

    d = checklist.definition
    numbers = item_numbers(d)
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(18)
    normal = doc.styles["Normal"]
    normal.font.name, normal.font.size = FONT, Pt(10)
    for name in ("Title", "Heading 1", "Heading 2"):
        doc.styles[name].font.name = FONT
    mark = page_mark(checklist)
    section.header.paragraphs[0].text = mark  # on every page
    footer = section.footer.paragraphs[0]
    footer.text = f"{checklist.id} {checklist.version} · blank form · sha256 {checklist.sha256[:16]}"
    for p in (section.header.paragraphs[0], footer):
        for run in p.runs:
            run.font.size = Pt(8)
    doc.add_heading(d.title, level=0)
    doc.add_paragraph(f"Version {d.version} · checklist id {d.id}\nsha256 {checklist.sha256}")
    doc.add_paragraph(d.purpose)
    doc.add_paragraph(
        "Case reference, reviewer and date: ______________________________  Write no names or "
        "case references in the evidence boxes if this sheet leaves the office."
    )
    for t, theme in enumerate(d.themes):
        doc.add_heading(f"{t + 1}. {theme.title}", level=1)
        if theme.description:
            doc.add_paragraph(theme.description).runs[0].italic = True
        for item in theme.items:
            q = doc.add_paragraph()
            q.add_run(f"{numbers[item.id]}  {item.question}").bold = True
            q.paragraph_format.keep_with_next = True
            cond = _condition(d, item, numbers)
            if cond:
                doc.add_paragraph(cond).paragraph_format.keep_with_next = True
            if d.scale_of(item).is_multiple:
                tick = doc.add_paragraph()
                tick.add_run(TICK_ALL).bold = True
                tick.paragraph_format.keep_with_next = True
            g = doc.add_paragraph()
            g.add_run(item.guidance).italic = True
            g.paragraph_format.keep_with_next = True
            levels = _levels(d, item)
            table = doc.add_table(rows=len(levels), cols=3)
            table.alignment = WD_TABLE_ALIGNMENT.LEFT
            for row, (label, desc, anchor) in zip(table.rows, levels, strict=True):
                row.cells[0].text = "☐"
                row.cells[1].paragraphs[0].add_run(label).bold = True
                row.cells[2].text = desc
                if anchor:  # what a file at this level looks like
                    row.cells[2].add_paragraph().add_run(f"In the file: {anchor}").italic = True
                row.cells[0].width, row.cells[1].width, row.cells[2].width = Mm(8), Mm(45), Mm(121)
            box = doc.add_table(rows=1, cols=1)
            box.style = "Table Grid"
            cell = box.rows[0].cells[0]
            cell.paragraphs[0].add_run(
                item.evidence_prompt or "Evidence (where in the file; what it shows)"
            ).italic = True
            for _ in range(EVIDENCE_LINES - 1):
                cell.add_paragraph("")
            doc.add_paragraph("")
    doc.save(f)
