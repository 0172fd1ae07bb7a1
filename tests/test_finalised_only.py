"""Anonymised aggregate reports cover finalised audits only: drafts are counted and left out.

A real encrypted database of synthetic, clearly fictional audits is exported to PDF and DOCX
and read back. The figures are worked out by hand below from the finalised audits alone.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from docx import Document
from pypdf import PdfReader

from audit_tool import audits
from audit_tool.export import export_report
from audit_tool.filters import AuditFilter

AREA, AGENCY = "Glenmorven (fictional)", "Children and Families (fictional)"
GOOD = {"p1": "5", "p2": "yes", "p3": "4", "q1": "5"}  # Pattern: 3 of 3 rated items meet
# Pattern: 0 of 3 (p3, not asked after p2 'no', counts as not meeting the standard)
WEAK = {"p1": "2", "p2": "no", "q1": "3"}
# 12 finalised audits (6 good, 6 weak) and 3 weak drafts. By hand, finalised only:
# Pattern 6*3 = 18 meeting of 6*3 + 6*3 = 36 counted items: 50%; Planning 6 of 12: 50%.
# Counting the drafts too, Pattern would be 18 of 45 (40%) and Planning 6 of 15 (40%).
FINALISED, DRAFTS = 12, 3
PATTERN_SHARE = round(100 * 18 / 36)
PLANNING_SHARE = round(100 * 6 / 12)
LEFT_OUT = (
    "Finalised audits only; <5 draft(s) in this selection are left out while they are being "
    "completed"
)


@pytest.fixture
def twelve_and_three(db, mini):
    spec = [(GOOD, True)] * 6 + [(WEAK, True)] * 6 + [(WEAK, False)] * DRAFTS
    for i, (answers, final) in enumerate(spec):
        case = audits.add_case(db, f"FICT-FIN-{i:03d}", AREA, AGENCY)
        audit_id = audits.new_audit(db, case.id, mini, phase="baseline")
        for item, rating in answers.items():
            audits.answer(db, audit_id, item, rating)
        if final:
            audits.finalise(db, audit_id)
    return db


# which audits a release counts, pinned with a p-table that moves no count of 5 or more
# (conftest no_noise); perturbation is attacked in test_attack_reports.py
pytestmark = pytest.mark.usefixtures("no_noise")

def pdf_text(path: Path) -> str:
    return " ".join(" ".join(p.extract_text() for p in PdfReader(str(path)).pages).split())


def docx_tables(path: Path) -> list[list[list[str]]]:
    return [
        [[c.text.strip() for c in row.cells] for row in t.rows] for t in Document(str(path)).tables
    ]


def docx_text(path: Path) -> str:
    doc = Document(str(path))
    parts = [p.text for p in doc.paragraphs]
    parts += [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return " ".join(" ".join(parts).split())


def about_rows(tables) -> dict[str, str]:
    """The 'About this report' table (after the summary on page 1)."""
    return {row[0]: row[1] for row in next(t for t in tables if t[0][0] == "Audits")}


def themes(tables) -> dict[str, list[str]]:
    """Theme -> [audits, rated items, share] from the 'By theme' table."""
    t = next(t for t in tables if t[0][:2] == ["Theme", "Audits"])
    return {row[0]: row[1:4] for row in t[1:]}


def _export(db, flt: AuditFilter, tmp_path: Path, name: str, **kw) -> tuple[Path, Path]:
    return (
        export_report(db, flt, "pdf", tmp_path / f"{name}.pdf", **kw),
        export_report(db, flt, "docx", tmp_path / f"{name}.docx", **kw),
    )


def test_anonymised_report_counts_the_finalised_audits_and_says_drafts_are_left_out(
    twelve_and_three, tmp_path
):
    pdf, docx = _export(twelve_and_three, AuditFilter(), tmp_path, "all")
    tables = docx_tables(docx)
    about = about_rows(tables)
    assert about["Audits"] == str(FINALISED) and about["Case files"] == str(FINALISED)
    assert about["Status"] == LEFT_OUT
    assert themes(tables) == {
        "Pattern": [str(FINALISED), "36", f"{PATTERN_SHARE}%"],
        "Planning": [str(FINALISED), "12", f"{PLANNING_SHARE}%"],
    }
    text = pdf_text(pdf)
    assert text.startswith(f"Steering group report: Mini test checklist {FINALISED} audits")
    assert f"Audits {FINALISED}" in text and LEFT_OUT in text
    assert f"Pattern {FINALISED} 36 {PATTERN_SHARE}%" in text
    assert f"Planning {FINALISED} 12 {PLANNING_SHARE}%" in text
    assert "Only finalised audits are reported" in text and "are drafts" not in text
    assert "FICT-FIN-" not in text


def _without_date(text: str) -> str:
    return re.sub(r"\d{1,2} [A-Z][a-z]+ \d{4}", "DATE", text)


def test_status_finalised_and_no_status_give_the_same_report(twelve_and_three, tmp_path):
    finalised = _export(twelve_and_three, AuditFilter(status="finalised"), tmp_path, "fin")
    everything = _export(twelve_and_three, AuditFilter(), tmp_path, "all")
    # the same text to the word (the dates apart): the pair describes no draft by difference
    assert _without_date(pdf_text(finalised[0])) == _without_date(pdf_text(everything[0]))
    assert docx_tables(finalised[1])[1:] == docx_tables(everything[1])[1:]
    assert _without_date(docx_text(finalised[1])) == _without_date(docx_text(everything[1]))
    assert f"Pattern {FINALISED} 36 {PATTERN_SHARE}%" in pdf_text(finalised[0])


def test_cli_refuses_an_anonymised_report_on_drafts_in_one_line(
    cli, twelve_and_three, db_path, tmp_path
):
    twelve_and_three.close()
    out = tmp_path / "drafts.pdf"
    res = cli("--db", db_path, "export", "report", "--format", "pdf", "--out", out,
              "--status", "draft", "--recipient", "Steering group (fictional)")  # fmt: skip
    assert res.returncode == 1 and "Traceback" not in res.stderr, res
    assert res.stderr.strip().splitlines() == [
        "audit-tool: Anonymised reports cover finalised audits only; draft audits are still being "
        "completed. Choose the status Finalised or all statuses, or include identifiers for a named "
        "recipient."
    ]
    assert not out.exists()
    # the same command with no status writes the finalised-only report
    res = cli("--db", db_path, "export", "report", "--format", "pdf", "--out", out, "--recipient", "Steering group (fictional)")
    assert res.returncode == 0, res
    # written by another process, with the real p-table: the 12 finalised audits, perturbed
    # by at most 3 in each phase's count
    shown = int(re.search(r"Audits (\d+)", pdf_text(out)).group(1))
    assert abs(shown - FINALISED) <= 3 * 3 and "Only finalised audits are reported" in pdf_text(out)


def test_identifiable_report_still_includes_the_drafts(twelve_and_three, tmp_path):
    pdf, docx = _export(
        twelve_and_three, AuditFilter(), tmp_path, "named", include_identifiers=True
    )
    tables = docx_tables(docx)
    about = about_rows(tables)
    total = FINALISED + DRAFTS
    assert about["Audits"] == str(total)
    # by hand over all 15: Pattern 18 of 45, Planning 6 of 15
    assert themes(tables) == {
        "Pattern": [str(total), "45", f"{round(100 * 18 / 45)}%"],
        "Planning": [str(total), "15", f"{round(100 * 6 / 15)}%"],
    }
    appendix = next(t for t in tables if t[0][0] == "Case reference")
    statuses = [row[4] for row in appendix[1:]]
    assert len(statuses) == total and statuses.count("Draft") == DRAFTS
    text = pdf_text(pdf)
    assert f"Audits {total}" in text and "FICT-FIN-014" in text
    assert "Some of these audits (fewer than 5) are drafts" in text
    assert "Finalised audits only" not in text


def test_a_selection_of_drafts_only_says_none_are_finalised(db, mini, tmp_path):
    for i in range(6):  # six drafts, no finalised audit
        case = audits.add_case(db, f"FICT-DRO-{i}", AREA, AGENCY)
        audits.new_audit(db, case.id, mini)
    pdf, docx = _export(db, AuditFilter(), tmp_path, "none")
    text = pdf_text(pdf)
    assert "No finalised audits match this selection" in text
    assert (
        "Finalised audits only; 6 draft(s) in this selection are left out while they are being "
        "completed" in text
    )
    assert "No finalised audits match this selection" in docx_text(docx)
