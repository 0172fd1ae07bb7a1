"""The death review of Checklists 3.0 (issue 19) through the real tool: the overall judgement
counted by sex, multiple-choice facts through findings, and the one-audit report marked
restricted, leaving out exact dates, area and gender identity unless identifiers are asked
for, read back from real PDF and DOCX files.

All data here is synthetic and clearly fictional.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from docx import Document
from pypdf import PdfReader

from audit_tool import audits
from audit_tool.checklists.loader import bundled
from audit_tool.domain import Recommendation
from audit_tool.export import export_audit
from audit_tool.filters import AuditFilter
from audit_tool.findings.facts import ALL_PHASES, fact_findings

CID = "gendered-drug-alcohol-death-review"
AREA = "Strathlonan (fictional)"
RESTRICTED = "Restricted: contains details that could identify the person who died"
# (sex, gender identity, judgement, substances implicated) for seven fictional deaths
DEATHS = [
    ("female", "different", "established", "opioids,benzodiazepines"),
    ("female", "same", "established", "opioids"),
    ("female", "same", "probable", "alcohol"),
    ("female", "same", "not_established", "opioids,alcohol"),
    ("male", "same", "possible", "opioids"),
    ("male", "same", "no_evidence", "stimulants"),
    ("male", "same", "no_evidence", "not_known"),
]


def _loaded():
    return next(c for c in bundled() if c.id == CID)


@pytest.fixture
def deaths(db):
    ids = []
    for n, (sex, gender, judgement, substances) in enumerate(DEATHS):
        case = audits.add_case(db, f"FICT-DR-{n:03d}", AREA, "ADP (fictional)")
        audit_id = audits.new_audit(db, case.id, _loaded(), phase="baseline")
        for item_id, value in (("pe-08", sex), ("pe-09", gender), ("vw-01", judgement),
                               ("de-12", substances)):
            audits.answer(db, audit_id, item_id, value)
        audits.set_recommendations(
            db, audit_id, [Recommendation("Fictional: share the risk assessment", "ADP", "2031-03-14")]
        )
        ids.append(audit_id)
    return ids


def _values(fact) -> dict[str, int]:
    return {v.value: v.audits for v in fact.values}


def test_the_judgement_is_counted_by_sex(db, deaths):
    found = {f.phase: f for f in fact_findings(db, AuditFilter(checklist_id=CID, status="draft"))}
    every = found[ALL_PHASES]
    judgement = next(f for f in every.facts if f.item_id == "vw-01")
    assert _values(judgement) == {
        "established": 2, "probable": 1, "possible": 1, "no_evidence": 2, "not_established": 1,
    }
    (by_sex,) = every.breakdowns
    women, men = (g for g in by_sex.groups if g.audits)
    assert (women.noun, women.audits, men.noun, men.audits) == (
        "women's deaths", 4, "men's deaths", 3,
    )
    in_group = {g.noun: _values(next(f for f in g.facts if f.item_id == "vw-01")) for g in (women, men)}
    assert in_group["women's deaths"] == {
        "established": 2, "probable": 1, "possible": 0, "no_evidence": 0, "not_established": 1,
    }
    assert in_group["men's deaths"] == {
        "established": 0, "probable": 0, "possible": 1, "no_evidence": 2, "not_established": 0,
    }


def _pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(str(path)).pages)


def _docx_text(path: Path) -> str:
    doc = Document(str(path))
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


def test_one_audit_report_is_restricted_and_leaves_out_what_could_identify(db, deaths, tmp_path):
    audit_id = deaths[0]  # a woman whose gender identity differs from the sex recorded
    today = audits.get_audit(db, audit_id).created_at[:10]
    for fmt, read in (("pdf", _pdf_text), ("docx", _docx_text)):
        text = read(export_audit(db, audit_id, fmt, tmp_path / f"one.{fmt}"))
        flat = " ".join(text.split())
        assert RESTRICTED in flat, fmt
        assert AREA not in flat, fmt
        assert today not in flat and "2031-03-14" not in flat, fmt  # no exact dates
        assert "2031-03" in flat, fmt  # the recommendation keeps its month
        assert "Described differently" not in flat, fmt  # gender identity left out
        assert "Left out (restricted)" in flat, fmt
        assert "Established" in flat, fmt  # the judgement itself is reported
    full = " ".join(_pdf_text(export_audit(db, audit_id, "pdf", tmp_path / "id.pdf", True)).split())
    assert RESTRICTED in full and AREA in full and today in full and "2031-03-14" in full
    assert "Described differently" in full


def test_a_case_file_audit_report_is_not_restricted(db, tmp_path):
    case = audits.add_case(db, "FICT-ST-001", AREA)
    audit_id = audits.new_audit(db, case.id, "safe-together-case-file-audit")
    text = " ".join(_pdf_text(export_audit(db, audit_id, "pdf", tmp_path / "st.pdf")).split())
    assert RESTRICTED not in text and AREA in text
