"""The steering-group report as laid out, read back from the files: the PDF with pypdf, the DOCX
with python-docx (and, where LibreOffice is installed, the DOCX as LibreOffice sets it).

No table header breaks inside a word ("Goo d ✓", "Adequat e"), every section heading is a PDF
bookmark and a DOCX heading, the trend by quarter is a line chart with its alt text and a gap
(not a zero) where a quarter is suppressed, and the area and agency tables sit in an appendix.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn
from pypdf import PdfReader

from audit_tool import demo
from audit_tool.filters import AuditFilter
from audit_tool.reports import fonts
from audit_tool.reports.build import aggregate_report
from audit_tool.reports.docx import CELL_MARGIN_X, CELL_PT, render_docx
from audit_tool.reports.measure import header_words
from audit_tool.reports.model import Heading, LineChart, Paragraph, Report, Table
from audit_tool.reports.pdf import render_pdf
from audit_tool.store import Database

PASS = "layout test pass phrase"
ST = "safe-together-case-file-audit"
DEATHS = "gendered-drug-alcohol-death-review"
MULTI = "multi-agency-case-file-review"
APPENDIX = "Appendix: results by area and by agency"


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    d = Database.create(tmp_path_factory.mktemp("layout") / "demo.db", PASS)
    demo.generate(d, 400, seed=1)  # the demo the steering group's report was read on
    yield d
    d.close()


@pytest.fixture(scope="module")
def files(db, tmp_path_factory) -> tuple[Report, Path, Path]:
    report = aggregate_report(db, AuditFilter(checklist_id=ST))
    out = tmp_path_factory.mktemp("layout-out")
    pdf, docx = out / "st.pdf", out / "st.docx"
    render_pdf(report, pdf)
    render_docx(report, docx)
    return report, pdf, docx


def _broken_words(text: str, headers: list[str]) -> list[str]:
    """Header words the text shows split over two lines ('Adequat' then 'e'). The readers
    give each line of a cell as a line of text, so a word broken inside shows as a line
    ending in its start followed by one beginning with the rest. A line may end after a
    hyphen ('non-' / 'offending' in a long cell of body text): that is between word parts."""
    lines = [" ".join(ln.split()) for ln in text.split("\n")]
    joined = "\n".join(lines)
    found = []
    for word in {w for h in headers for w in header_words(h) if len(w) > 2}:
        for k in range(1, len(word)):
            if word[k - 1] == "-":
                continue
            pattern = rf"(?:^|\s){re.escape(word[:k])}\n{re.escape(word[k:])}(?:\s|$)"
            if re.search(pattern, joined, re.MULTILINE):
                found.append(f"{word[:k]}|{word[k:]}")
    return sorted(found)


def _pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(path).pages)


def _headers(report: Report) -> list[str]:
    return [c for b in report.blocks if isinstance(b, Table) for c in b.columns]


def test_the_break_detector_finds_a_header_broken_inside_a_word(tmp_path):
    """The check below can fail: twelve 'Unsatisfactory' columns cannot fit at any size."""
    cols = [f"Unsatisfactory {i}" for i in range(12)]
    report = Report("Too wide", "", "", "", _created(), False,
                    blocks=[Table(cols, [[str(i) for i in range(12)]])])
    render_pdf(report, tmp_path / "wide.pdf")
    assert _broken_words(_pdf_text(tmp_path / "wide.pdf"), cols)


def _created():
    from datetime import UTC, datetime

    return datetime(2026, 12, 7, tzinfo=UTC)


def test_no_pdf_table_header_breaks_inside_a_word(files):
    report, pdf, _ = files
    headers = _headers(report)
    assert "Unsatisfactory" in headers and "Adequate" in headers  # the rating distributions
    assert _broken_words(_pdf_text(pdf), headers) == []


def test_docx_columns_hold_their_longest_header_word(files):
    """Each header cell's width (tcW) holds its longest word, measured in the bold face at
    the cell's size plus Word's cell margins."""
    _, _, docx = files
    short = []
    for table in Document(str(docx)).tables:
        for tc in table.rows[0]._tr.tc_lst:
            width = int(tc.tcPr.find(qn("w:tcW")).get(qn("w:w"))) / 20  # points
            text = "".join(t.text or "" for t in tc.iter(qn("w:t")))
            sz = tc.find(".//" + qn("w:sz"))
            size = int(sz.get(qn("w:val"))) / 2 if sz is not None else CELL_PT
            need = max((fonts.text_width(w, fonts.BOLD, size) for w in text.split()), default=0)
            if need + 2 * CELL_MARGIN_X / 20 > width:
                short.append((text, round(need), round(width)))
    assert short == []


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_no_docx_header_breaks_inside_a_word_as_libreoffice_sets_it(files, tmp_path):
    report, _, docx = files
    subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path),
                    str(docx)], check=True, capture_output=True, timeout=180)
    assert _broken_words(_pdf_text(tmp_path / "st.pdf"), _headers(report)) == []


def _outline(reader: PdfReader) -> list[str]:
    out: list[str] = []

    def walk(items) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                out.append(item.title)

    walk(reader.outline)
    return out


def test_every_heading_is_a_pdf_bookmark_and_a_docx_heading(files):
    report, pdf, docx = files
    headings = [b for b in report.blocks if isinstance(b, Heading)]
    assert len(headings) > 10
    assert _outline(PdfReader(pdf)) == [" ".join(h.text.split()) for h in headings]
    styled = [(p.text, p.style.name) for p in Document(str(docx)).paragraphs
              if p.style.name.startswith("Heading")]
    assert styled == [(h.text, f"Heading {h.level}") for h in headings]


def test_the_trend_is_a_line_chart_with_gaps_and_alt_text(files):
    report, pdf, docx = files
    trend = [b for b in report.blocks if isinstance(b, LineChart)]
    share = next(c for c in trend if c.title.startswith("Share meeting the standard, by quarter"))
    table = next(b for b in report.blocks if isinstance(b, Table)
                 and b.columns[0] == "Quarter finalised")
    assert share.categories == [r[0] for r in table.rows]
    for row, value, label in zip(table.rows, share.series[0].values, share.series[0].labels,
                                 strict=True):
        assert label == row[2]  # as the table says it
        if row[2] in ("suppressed", "none"):
            assert value is None  # a gap in the line, never a zero
        else:
            assert value is not None and f"{value:.0f}%" == row[2]
    assert None in share.series[0].values  # the demo has a suppressed quarter
    alt = share.describe()
    assert alt.startswith("Line chart: Share meeting the standard, by quarter finalised.")
    for row in table.rows:
        assert f"{row[0]} {row[2]}" in alt
    pictures = {d.get("title"): d.get("descr") for d in
                Document(str(docx)).element.body.iter(qn("wp:docPr"))}
    assert pictures[share.title] == alt
    text = _pdf_text(pdf)
    assert share.title in " ".join(text.split())
    assert "A gap in the line is a quarter not shown" in text


def test_area_and_agency_tables_are_in_an_appendix_at_the_end(files):
    report, _, _ = files
    heads = [b.text for b in report.blocks if isinstance(b, Heading)]
    assert heads.index(APPENDIX) > heads.index("Over time, by quarter")
    assert heads[heads.index(APPENDIX):] == [
        APPENDIX, "By area and phase", "By agency holding the case, and phase", "Method notes"]
    tables = [b for b in report.blocks if isinstance(b, Table) and b.columns[1:2] == ["Phase"]
              and b.columns[0] in ("Area", "Agency")]
    assert len(tables) == 2
    for t in tables:  # a row with every figure suppressed is dropped
        assert not [r for r in t.rows if r[3:5] == ["suppressed", "suppressed"]]
    notes = [b.text for b in report.blocks if isinstance(b, Paragraph)]
    dropped = [n for n in notes if "row" in n and "with every figure suppressed" in n]
    assert dropped and all(re.match(r"\d+ (area|agency)-and-phase rows? ", n) for n in dropped)
    assert any(n.startswith("The agency is the one holding the case file") for n in notes)


@pytest.mark.parametrize("cid", [DEATHS, MULTI])
def test_death_and_multi_agency_reviews_have_no_agency_table(db, cid):
    """'The agency holding the case' means nothing where every agency is round the table."""
    report = aggregate_report(db, AuditFilter(checklist_id=cid))
    heads = [b.text for b in report.blocks if isinstance(b, Heading)]
    assert heads[heads.index("Appendix: results by area"):] == [
        "Appendix: results by area", "By area and phase", "Method notes"]
    assert not [h for h in heads if h.startswith("By agency")]
    assert not [b for b in report.blocks if isinstance(b, Table) and b.columns[0] == "Agency"]


def test_the_marac_split_is_headed_by_what_it_is(db):
    report = aggregate_report(db, AuditFilter(checklist_id=MULTI))
    heads = [b.text for b in report.blocks if isinstance(b, Heading)]
    assert "By whether heard at MARAC" in heads
    assert not [h for h in heads if "what the records show" in h.lower()]


def test_a_table_too_wide_for_its_words_is_set_smaller_not_broken(tmp_path):
    """Nine rating columns fit at a smaller size: each header word whole, in both formats."""
    cols = ["Theme", "Excellent ✓", "Very good ✓", "Good ✓", "Adequate", "Weak",
            "Unsatisfactory", "Not applicable", "Not asked (an earlier answer fell short)",
            "Not recorded", "Misidentified"]
    report = Report("Wide", "", "", "", _created(), False,
                    blocks=[Table(cols, [["Interviewing and engagement"] + ["12"] * 10])])
    render_pdf(report, tmp_path / "w.pdf")
    assert _broken_words(_pdf_text(tmp_path / "w.pdf"), cols) == []
    render_docx(replace(report), tmp_path / "w.docx")
    sizes = {s.get(qn("w:val")) for s in Document(str(tmp_path / "w.docx")).element.body.iter(
        qn("w:sz"))}
    assert sizes and all(int(s) < CELL_PT * 2 for s in sizes)  # set smaller than 9 pt


def _tick_all_table() -> Table:
    """The death review's services table whose 'All audits' column came out exactly as wide
    as the word 'audits' and printed 'All au / dits'."""
    rows = [
        ["Alcohol and drug service", "564", "242", "226", "95"],
        ["Blood-borne virus testing or treatment, or injecting equipment provision", "521",
         "239", "200", "78"],
        ["Specialist violence against women service", "580", "260", "234", "87"],
        ["Audits", "1,599", "723", "631", "245"],
    ]
    cols = ["Option ticked", "All audits", "Earlier reviews", "Later reviews",
            "Most recent reviews"]
    return Table(cols, rows, caption="Services", align=["l", "r", "r", "r", "r"])


def test_a_header_word_at_exactly_its_width_is_not_split(tmp_path, monkeypatch):
    table = _tick_all_table()
    report = Report("Services", "", "", "", _created(), False, blocks=[table])
    render_pdf(report, tmp_path / "services.pdf")
    assert _broken_words(_pdf_text(tmp_path / "services.pdf"), table.columns) == []
    # without the spare point the same table breaks the word: the check above can fail
    from audit_tool.reports import measure

    monkeypatch.setattr(measure, "SPARE", 0.0)
    render_pdf(report, tmp_path / "tight.pdf")
    assert _broken_words(_pdf_text(tmp_path / "tight.pdf"), table.columns)
