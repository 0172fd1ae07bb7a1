"""The two reports built from a real encrypted database, exported to PDF and DOCX and read
back: what a reviewer or a steering group would actually receive."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from docx import Document
from pypdf import PdfReader

from audit_tool import audits
from audit_tool.disclosure.rules import DisclosureRisk
from audit_tool.domain import Recommendation
from audit_tool.export import export_audit, export_report
from audit_tool.filters import AuditFilter
from audit_tool.reports.build import SUPPRESSED, aggregate_report, audit_report
from audit_tool.reports.model import Heading, KeyValue, Paragraph, Table

REF = "FICT-REF-90210"


def pdf_text(path: Path) -> list[str]:
    return [page.extract_text() for page in PdfReader(str(path)).pages]


def docx_text(path: Path) -> str:
    doc = Document(str(path))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts += [c.text for c in row.cells]
    return "\n".join(parts)


def docx_headings(path: Path) -> list[str]:
    return [p.text for p in Document(str(path)).paragraphs if p.style.name.startswith("Heading")]


def _answer_all(db, audit_id: str, rating_for) -> None:
    d = audits.get_audit(db, audit_id).checklist.definition
    for _, item in d.items():
        if item.show_when and not d.visible(item, audits.get_audit(db, audit_id).ratings):
            continue
        audits.answer(db, audit_id, item.id, rating_for(item))


@pytest.fixture
def one_audit(db, mini):
    case = audits.add_case(db, REF, "Glenmorven (fictional)", "Children and Families (fictional)")
    audit_id = audits.new_audit(db, case.id, mini, phase="baseline")
    _answer_all(db, audit_id, lambda item: "4" if item.scale == "quality" else "yes")
    audits.answer(db, audit_id, "p1", note=f"Chronology in file {REF} shows a volatile relationship; Ùna Mhàiri.")
    audits.set_summary(db, audit_id, "strengths", "Clear chronology (fictional).")
    audits.set_recommendations(db, audit_id, [Recommendation("Use the pattern template.", "Team leader (fictional)")])
    return audit_id


def test_one_audit_default_export_is_anonymised_in_both_formats(db, one_audit, tmp_path):
    pdf = export_audit(db, one_audit, "pdf", tmp_path / "audit.pdf")
    docx = export_audit(db, one_audit, "docx", tmp_path / "audit.docx")
    pages = pdf_text(pdf)
    text_pdf, text_docx = "\n".join(pages), docx_text(docx)
    case = audits.get_audit(db, one_audit).case
    for text in (text_pdf, text_docx):
        assert REF not in text  # neither in the metadata nor scrubbed from the evidence note
        assert case.pseudonym in text
        assert "Anonymised report" in text
        assert "Ùna Mhàiri" in text  # non-Latin evidence survives
        assert "Use the pattern template." in text and "Team leader (fictional)" in text
        assert "volatile relationship" in text  # the language section names the phrase
    assert all("DRAFT" in p for p in pages)  # a draft says so on every page
    assert REF.encode() not in pdf.read_bytes()


def test_one_audit_with_identifiers_says_so(db, one_audit, tmp_path):
    audits.finalise(db, one_audit)
    pdf = export_audit(db, one_audit, "pdf", tmp_path / "audit.pdf", include_identifiers=True)
    pages = pdf_text(pdf)
    assert REF in pages[0] and "Identifiable report" in pages[0]
    assert not any("DRAFT" in p for p in pages)


def test_same_headings_in_both_formats(db, one_audit, tmp_path):
    report = audit_report(db, one_audit)
    expected = [b.text for b in report.blocks if isinstance(b, Heading)]
    docx = export_audit(db, one_audit, "docx", tmp_path / "a.docx")
    pdf = "\n".join(pdf_text(export_audit(db, one_audit, "pdf", tmp_path / "a.pdf")))
    assert [h for h in docx_headings(docx) if h in expected] == expected
    for heading in expected:
        assert heading in pdf


def _aggregate_db(db, mini):
    """Six audits in Glenmorven (4 baseline, 2 post) and two in a small area."""
    ids = []
    for i, (area, phase, good) in enumerate(
        [("Glenmorven (fictional)", "baseline", False)] * 4
        + [("Glenmorven (fictional)", "post_training", True)] * 2
        + [("Tiny Isle (fictional)", "baseline", True)] * 2
    ):
        case = audits.add_case(db, f"FICT-AGG-{i}", area)
        audit_id = audits.new_audit(db, case.id, mini, phase=phase)
        _answer_all(db, audit_id, lambda item, good=good: ("5" if good else "2") if item.scale == "quality" else ("yes" if good else "no"))
        audits.finalise(db, audit_id)
        ids.append(audit_id)
    return ids


def zero_keys(db) -> None:
    """Every record key 0: a cell's key is then its kind's offset (cellkey.KIND_OFFSETS), so
    perturbed figures can be worked out by hand from resources/perturbation.toml."""
    with db.atomic() as c:
        c.execute("UPDATE audit_keys SET record_key = 0")


def test_aggregate_counts_shares_and_suppression(db, mini, tmp_path):
    _aggregate_db(db, mini)
    zero_keys(db)
    report = aggregate_report(db, AuditFilter())
    tables = [b for b in report.blocks if isinstance(b, Table)]
    # by area and phase: Tiny Isle 2 at baseline; Glenmorven 4 at baseline, 2 post-training:
    # every row suppressed, so the appendix says so in one line instead of a table
    assert not any(t.columns[:2] == ["Area", "Phase"] for t in tables)
    notes = [b.text for b in report.blocks if isinstance(b, Paragraph)]
    assert any(t.startswith("Not shown: too few audits in each area and phase") for t in notes)
    # Pattern theme: p1 (quality) + p2 (evidence) always, p3 only when p2 = yes/partly.
    # Bad audits: p1=2, p2=no (p3 hidden by that failing "no", so counted as not met) -> 0 of
    # 3 meet; good: p1=5, p2=yes, p3=5 -> 3 of 3. 4 bad + 4 good audits: 12 of 24 = 50%.
    # Released (keys all 0): 8 audits, cell key 0, row 8 slot [-3: keys 0-11] -> 5; 24 items
    # rated, cell key 83 (ITEMS_RATED), row 8 slot [-1: keys 37-86] -> 24 - 1 x 3 items = 21;
    # the share rests on 4 audits meeting and 4 falling short: withheld ('—').
    by_theme = next(t for t in tables if t.columns[0] == "Theme" and "95% interval" in t.columns)
    pattern = next(r for r in by_theme.rows if r[0] == "Pattern")
    assert pattern[1:4] == ["5", "21", "—"]
    exact = aggregate_report(db, AuditFilter(), include_identifiers=True)  # the statistic itself
    by_theme = next(t for t in exact.blocks if isinstance(t, Table) and t.columns[0] == "Theme"
                    and "95% interval" in t.columns)
    assert next(r for r in by_theme.rows if r[0] == "Pattern")[1:4] == ["8", "24", "50%"]

    pdf = export_report(db, AuditFilter(), "pdf", tmp_path / "agg.pdf")
    docx = export_report(db, AuditFilter(), "docx", tmp_path / "agg.docx")
    # words only: PDF text extraction breaks lines where the layout wrapped them
    text_pdf, text_docx = (" ".join(t.split()) for t in ("\n".join(pdf_text(pdf)), docx_text(docx)))
    for text in (text_pdf, text_docx):
        # census (keys 0): baseline 6 -> row 6 slot [-1: 0-84] -> 5; post-training 2 -> row 2
        # slot [-2: 0-149] -> 0; 5 audits released
        assert "5 audits" in text or "5 audit(s)" in text
        assert "<5" in text and "small numbers can identify" in text
        assert "FICT-AGG-" not in text
        # released: the baseline share rests on 2 audits meeting the standard, so it is
        # withheld, and with it the comparison; the exact report has it
        assert "Baseline and post-training" not in text
    assert any(isinstance(b, Heading) and b.text == "Baseline and post-training" for b in exact.blocks)
    assert docx_headings(docx)[:5] == ["Summary", "Key messages", "Change after training",
                                       "About this report", "Key findings"]


def test_anonymised_aggregate_leaves_the_drafts_out_and_says_so(db, mini):
    _aggregate_db(db, mini)
    case = audits.add_case(db, "FICT-DRAFT", "Glenmorven (fictional)")
    audits.new_audit(db, case.id, mini)
    zero_keys(db)
    everything = aggregate_report(db, AuditFilter())
    # the 8 finalised of 9, released as 5 (keys 0: baseline 6 -> 5, post-training 2 -> 0)
    assert everything.subtitle == (
        "5 audits · figures slightly changed to protect individuals · status finalised")
    about = dict(next(b for b in everything.blocks if isinstance(b, KeyValue) and b.rows[0][0] == "Audits").rows)
    assert about["Status"] == (
        "Finalised audits only; <5 draft(s) in this selection are left out while they are being "
        "completed"
    )  # one draft is a count under 5
    notes = " ".join(b.text for b in everything.blocks if hasattr(b, "text"))
    assert "are drafts" not in notes
    # the finalised 8 and all 9 give the same report: nothing to difference
    assert aggregate_report(db, AuditFilter(status="finalised")).subtitle == everything.subtitle
    with pytest.raises(DisclosureRisk, match="Anonymised reports cover finalised audits only"):
        aggregate_report(db, AuditFilter(status="draft"))
    # the reviewer's own identifiable report covers the draft too
    named = aggregate_report(db, AuditFilter(), include_identifiers=True)
    assert named.subtitle == "9 audits · exact figures, not perturbed · all audits"


def _all_text(report) -> str:
    parts = []
    for b in report.blocks:
        if isinstance(b, Table):
            parts += b.columns + [c for row in b.rows for c in row]
        elif hasattr(b, "rows"):
            parts += [c for row in b.rows for c in row]
        elif hasattr(b, "text"):
            parts.append(b.text)
    return "\n".join(parts)


def test_aggregate_keeps_references_out_of_free_text(db, mini):
    ids = _aggregate_db(db, mini)
    # the same reference typed differently in a recommendation of a finalised audit
    audits.amend(db, ids[0], "add a recommendation (fictional)")
    audits.set_recommendations(db, ids[0], [Recommendation("Review fict agg 0 with the team.", "Lead of FICT-AGG-0")])
    audits.finalise(db, ids[0])
    text = _all_text(aggregate_report(db, AuditFilter()))
    assert "fict agg 0" not in text.lower() and "FICT-AGG-0" not in text
    assert "Review " not in text  # recommendation texts only on request (tests/test_redact.py)
    shown = _all_text(aggregate_report(db, AuditFilter(), include_identifiers=True))
    assert "Review fict agg 0 with the team." in shown


def test_small_selections_show_no_figures_at_all(db, mini):
    _aggregate_db(db, mini)
    tiny = aggregate_report(db, AuditFilter(area="Tiny Isle (fictional)"))  # 2 audits
    text = _all_text(tiny)
    assert "Fewer than 5 finalised audits match this selection" in text
    assert not any(isinstance(b, Table) for b in tiny.blocks)
    assert "%" not in text.replace("95%", "")


def test_rating_distribution_rows_of_small_groups_are_suppressed(db, mini):
    _aggregate_db(db, mini)
    report = aggregate_report(db, AuditFilter())
    # themes rest on 8 audits, but each rating was given in only 4 (the good or the bad ones):
    # every rating count rests on fewer than 5 audits and is hidden
    dist = [b for b in report.blocks if isinstance(b, Table) and b.caption.startswith("Answers on")]
    assert dist and all(c in (SUPPRESSED, "suppressed", "0") for t in dist for row in t.rows for c in row[1:])


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_aggregate_docx_converts_with_libreoffice(db, mini, tmp_path):
    _aggregate_db(db, mini)
    docx = export_report(db, AuditFilter(), "docx", tmp_path / "agg.docx")
    out = tmp_path / "lo"
    subprocess.run(
        ["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo-profile",
         "--convert-to", "pdf", "--outdir", str(out), str(docx)],
        check=True, capture_output=True, timeout=180,
    )
    text = "\n".join(pdf_text(out / "agg.pdf"))
    assert "Steering group report" in text and "Method notes" in text


def test_cli_export_and_clear_error_for_missing_folder(cli, tmp_path):
    db = tmp_path / "cli.db"
    assert cli("--db", db, "demo", "--audits", "30", "--seed", "2").returncode == 0
    ok = cli("--db", db, "export", "report", "--format", "docx", "--out", tmp_path / "r.docx", "--recipient", "Steering group (fictional)")
    assert ok.returncode == 0 and (tmp_path / "r.docx").stat().st_size > 10_000
    bad = cli("--db", db, "export", "report", "--format", "pdf", "--out", tmp_path / "nope" / "r.pdf",
              "--recipient", "Steering group (fictional)")
    assert bad.returncode == 1 and "does not exist" in bad.stderr and "Traceback" not in bad.stderr
    assert len(bad.stderr.strip().splitlines()) == 1


def test_rating_distribution_columns_follow_the_scale_not_the_first_theme(db, mini, tmp_path):
    # Pattern only ever hears "No" and "Weak"; Planning hears "Yes" and "Very good". Columns
    # must still read best level first (Yes before No; Very good before Weak), as the scale does.
    for i in range(6):
        case = audits.add_case(db, f"FICT-COL-{i}", "Glenmorven (fictional)")
        audit_id = audits.new_audit(db, case.id, mini, phase="baseline")
        for item, rating in (("p1", "2"), ("p2", "no"), ("q1", "5"), ("q2", "yes")):
            audits.answer(db, audit_id, item, rating)
        audits.finalise(db, audit_id)
    docx = export_report(db, AuditFilter(), "docx", tmp_path / "cols.docx")
    headers = [[c.text for c in t.rows[0].cells] for t in Document(str(docx)).tables]
    assert ["Theme", "Yes \u2713", "No"] in headers  # the level meeting the standard is marked
    # p3, hidden by p2 "no", counts as not met: its own column, last
    assert ["Theme", "Very good \u2713", "Weak", "Not asked (an earlier answer fell short)"] in headers
