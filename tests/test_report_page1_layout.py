"""Page 1 of the steering-group report fits on one page, measured from the laid-out
documents: the PDF read back with pypdf, the DOCX laid out by LibreOffice (when installed)
and read back the same way. A fictional demo database of 400 audits, as the issue saw it."""

from __future__ import annotations

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
