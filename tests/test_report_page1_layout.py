"""Page 1 of the steering-group report fits on one page, measured from the laid-out
documents: the PDF read back with pypdf, the DOCX laid out by LibreOffice (when installed)
and read back the same way. A fictional demo database of 400 audits, as the issue saw it."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from audit_tool import demo
from audit_tool.export import export_report
from audit_tool.filters import AuditFilter

CHECKLIST = "safe-together-case-file-audit"
HEAD = "Steering group report: Safe & Together case file audit "


def words(text: str) -> str:
    return " ".join(text.split())


def pages_of(pdf: Path) -> list[str]:
    return [words(p.extract_text()) for p in PdfReader(str(pdf)).pages]


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    from audit_tool.store import Database
    from tests.conftest import PASSPHRASE

    db = Database.create(tmp_path_factory.mktemp("demo") / "demo.db", PASSPHRASE)
    demo.generate(db, 400, 1)
    yield db
    db.close()


def _page_one_holds_the_summary(pages: list[str]) -> None:
    first, second = pages[0], pages[1]
    assert "Summary" in first and "Key messages" in first
    assert first.count("\u2022 ") >= 3  # three to five messages
    assert "Least often meeting the standard" in first
    assert ("case files were read by two or more readers" in first
            or "No file was read twice" in first)
    assert "case files were read in both phases" in first
    assert "About this report" not in first
    # nothing of page 1 runs over: page 2 opens with its own heading
    assert second.removeprefix(HEAD).startswith("Patterns and outcomes"), second[:300]


def test_demo_page_one_is_one_page_in_the_pdf(demo_db, tmp_path):
    flt = AuditFilter(checklist_id=CHECKLIST)
    pdf = export_report(demo_db, flt, "pdf", tmp_path / "st.pdf")
    pages = pages_of(pdf)
    _page_one_holds_the_summary(pages)
    # page 2: the patterns by phase, each judged (well over 10 audits a side)
    assert "Patterns seen at baseline: files whose record avoids the pattern" in pages[1]
    assert "Outcomes at the end of the period read" in " ".join(pages[1:3])


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice lays out the DOCX")
def test_demo_page_one_is_one_page_in_the_docx_as_libreoffice_lays_it_out(demo_db, tmp_path):
    flt = AuditFilter(checklist_id=CHECKLIST)
    docx = export_report(demo_db, flt, "docx", tmp_path / "st.docx")
    out = tmp_path / "lo"
    subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{tmp_path / 'profile'}", "--headless",
         "--convert-to", "pdf", "--outdir", str(out), str(docx)],
        check=True, capture_output=True, timeout=180,
    )
    pages = pages_of(out / "st.pdf")
    assert pages[0].startswith("Steering group report")
    first, second = pages[0], pages[1]
    assert "Key messages" in first and "About this report" not in first
    assert first.count("\u2022 ") >= 3
    assert second.lstrip().startswith("Patterns and outcomes"), second[:300]


# -- the lead's notes at the longest reports/notes.py allows (issue 20, item 10) ----------------

DEATHS = "gendered-drug-alcohol-death-review"
LONG_WORDS = "Interdisciplinary accountability-responsibilities"
SHORT_WORDS = "a to of it"


def _text(n: int, word: str) -> str:
    """Exactly n characters of `word` repeated (the last one cut short)."""
    return ((word + " ") * (n // len(word) + 1))[:n].rstrip().ljust(n, ".")


def notes_at_the_limits(word: str):
    from audit_tool.reports.notes import MAX_COMMENTARY, MAX_DECISION, MAX_DECISIONS, ReleaseNotes

    half = MAX_COMMENTARY // 2 - 1  # two paragraphs, as a lead writes them
    commentary = _text(half, word) + "\n\n" + _text(MAX_COMMENTARY - half - 2, word)
    assert len(commentary) == MAX_COMMENTARY
    return ReleaseNotes(commentary, tuple(_text(MAX_DECISION, word) for _ in range(MAX_DECISIONS)),
                        deaths_in_period=80)


def _with_notes(db, checklist: str | None, word: str, fmt: str, out: Path):
    """(the report built with the notes at the limits, the file written)."""
    from audit_tool.export import render_report
    from audit_tool.reports.build import aggregate_report

    report = aggregate_report(db, AuditFilter(checklist_id=checklist), notes=notes_at_the_limits(word))
    return report, render_report(report, fmt, out)


def _after_page_one(report) -> str:
    """The first heading after page 1's page break: what page 2 must open with."""
    from audit_tool.reports.model import Heading, PageBreak

    at = next(i for i, b in enumerate(report.blocks) if isinstance(b, PageBreak))
    return next(b.text for b in report.blocks[at + 1:] if isinstance(b, Heading))


def _page_one_is_one_page(pages: list[str], after: str, title: str) -> None:
    first, second = pages[0], pages[1]
    assert "Commentary" in first and "Decisions sought" in first
    assert "5. " in first  # the last decision sought is on page 1, not run over
    assert words(after) not in first
    # page 2 opens with the first section after page 1 (after the running head)
    assert second.removeprefix(title).lstrip().startswith(words(after)[:40]), second[:300]


@pytest.mark.parametrize("word", [LONG_WORDS, SHORT_WORDS], ids=["long words", "short words"])
@pytest.mark.parametrize("checklist", [CHECKLIST, None, DEATHS],
                         ids=["safe and together", "all checklists", "death review"])
def test_page_one_is_one_page_in_the_pdf_with_the_notes_at_their_limits(demo_db, tmp_path, checklist, word):
    report, pdf = _with_notes(demo_db, checklist, word, "pdf", tmp_path / "n.pdf")
    pages = pages_of(pdf)
    _page_one_is_one_page(pages, _after_page_one(report), report.title)
    if checklist == DEATHS:  # the death review's own page 1 (reports/death_page.py)
        # the count reviewed is perturbed with each file's own random keys: any count will do
        assert "Deaths reviewed" in pages[0] and re.search(r"\d+ of the 80 deaths", pages[0])
    else:
        assert "Key messages" in pages[0] and "\u2022 " in pages[0]


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice lays out the DOCX")
def test_all_checklists_page_one_is_one_page_in_the_docx_with_the_notes_at_their_limits(demo_db, tmp_path):
    """The tightest case measured: every checklist's reliability line, long words."""
    report, docx = _with_notes(demo_db, None, LONG_WORDS, "docx", tmp_path / "all.docx")
    out = tmp_path / "lo"
    subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{tmp_path / 'profile'}", "--headless",
         "--convert-to", "pdf", "--outdir", str(out), str(docx)],
        check=True, capture_output=True, timeout=180,
    )
    _page_one_is_one_page(pages_of(out / "all.pdf"), _after_page_one(report), report.title)
