"""The renderers' shortcuts give what the long way gives: page 1 measured without writing a
PDF, a table measured once, widths remembered only while a document is laid out, pictures
numbered without reading the document, the redactor indexed on first use."""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import replace
from datetime import datetime

from audit_tool.reports import fonts
from audit_tool.reports.docx import render_docx
from audit_tool.reports.measure import column_widths, fit_table, table_font_size
from audit_tool.reports.model import BarChart, Heading, Paragraph, Report, Series, Table
from audit_tool.reports.pdf import fits_one_page, render_pdf
from audit_tool.reports.redact import REMOVED, Redactor

CREATED = datetime(2025, 3, 14, 10, 30)


def _report(paragraphs: int, table_rows: int = 0) -> Report:
    blocks: list = [Heading("Summary", 1)]
    blocks += [
        Paragraph(f"Paragraph {i}: the readers agreed on most items.") for i in range(paragraphs)
    ]
    if table_rows:
        blocks.append(
            Table(
                ["Item", "Meeting", "Audits"],
                [[f"Item {i}", f"{i % 100}%", f"{i:,}"] for i in range(table_rows)],
                align=["l", "r", "r"],
            )
        )
    return Report(
        title="Steering group report",
        subtitle="",
        author="Audit tool",
        subject="test",
        created=CREATED,
        identifiable=False,
        draft=False,
        blocks=blocks,
    )


def _pages(report: Report) -> int:
    buf = io.BytesIO()
    render_pdf(report, buf)
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", buf.getvalue()))


def test_fits_one_page_agrees_with_the_written_pdf() -> None:
    seen = set()
    for paragraphs, rows in ((1, 0), (20, 0), (30, 0), (60, 0), (5, 20), (5, 45), (5, 200)):
        report = _report(paragraphs, rows)
        pages = _pages(report)
        seen.add(pages == 1)
        assert fits_one_page(report) == (pages == 1), (paragraphs, rows, pages)
    assert seen == {True, False}  # both answers were asked for


def test_fit_table_is_font_size_then_widths() -> None:
    wide = Table(
        ["Theme", *(f"Adequate or better {i}" for i in range(9))],
        [["Partnering with the non-offending parent", *("12%" for _ in range(9))]] * 5,
    )
    narrow = Table(["Item", "Audits"], [["Multi-agency working", "1,204"]] * 300, widths=[3, 1])
    for table in (wide, narrow):
        for total, size, padding in ((481.9, 8.5, 10.0), (481.9, 9.0, 11.0), (200.0, 8.5, 10.0)):
            chosen = table_font_size(table, total, size, padding)
            assert fit_table(table, total, size, padding) == (
                chosen,
                column_widths(table, total, chosen, padding),
            )
    assert fit_table(wide, 200.0)[0] < 8.5  # the shrinking path was taken


def test_widths_remembered_only_while_measuring() -> None:
    text = "Partnering with the non-offending parent"
    before = fonts.text_width(text, fonts.REGULAR, 8.5)
    with fonts.measuring():
        with fonts.measuring():  # nested (fit_first_page around a render): one memo
            assert fonts.text_width(text, fonts.REGULAR, 8.5) == before
        assert fonts._memo is not None and any(text in key for key in fonts._memo)
        assert fonts.text_width(text, fonts.REGULAR, 8.5) == before  # from the memo
    assert fonts._memo is None  # no report text kept once the layout is done
    assert fonts.text_width(text, fonts.BOLD, 8.5) > before


def test_docx_pictures_have_distinct_ids_counting_on() -> None:
    chart = BarChart(
        title="Share meeting the standard",
        categories=["A", "B"],
        series=[Series("All", [50.0, 70.0])],
        unit="%",
    )
    report = _report(2)
    report = replace(report, blocks=[*report.blocks, chart, Paragraph("x"), chart, chart])
    buf = io.BytesIO()
    render_docx(report, buf)
    xml = zipfile.ZipFile(buf).read("word/document.xml").decode()
    ids = [int(i) for i in re.findall(r'<wp:docPr id="(\d+)"', xml)]
    assert len(ids) == 3 and ids == list(range(ids[0], ids[0] + 3))
    assert len(re.findall(r'<pic:cNvPr id="0"', xml)) == 3


def test_redactor_indexes_on_first_use() -> None:
    refs = (r for r in ["NSH-2025-00417", "FICT-10"])  # a generator is read once, when needed
    scrub = Redactor(refs)
    assert scrub("nothing here") == "nothing here"
    assert scrub("see caserefNSH-2025-00417 and fict 10") == f"see caseref{REMOVED} and {REMOVED}"
