"""Case references are kept out of anonymised exports however a person typed them, and
every reference in the database counts, not only the audit's own. All data is fictional."""

from __future__ import annotations

import pytest

from audit_tool import audits
from audit_tool.findings.records import all_references
from audit_tool.reports.build import audit_report
from audit_tool.reports.model import Table
from audit_tool.reports.redact import REMOVED, Redactor
from tests.cli_helpers import with_review

REF = "ABC-123/45"


@pytest.mark.parametrize(
    "typed",
    [
        "ABC-123/45",
        "abc 123 45",
        "ＡＢＣ１２３４５",  # full-width, as some keyboards and pasted text give it
        "A.B.C_1_2_3-4-5",
        "abc12345",
        "ABC — 123 / 45",  # any run of non-alphanumerics separates
        "ａｂｃ－１２３／４５",
    ],
)
def test_reference_typed_any_way_is_removed(typed: str) -> None:
    scrub = Redactor([REF])
    assert scrub(f"Seen in file {typed} on review.") == f"Seen in file {REMOVED} on review."


def test_text_around_a_reference_that_changes_length_is_kept_exactly() -> None:
    # NFKC turns 'ﬁ' into 'fi' and '①' into '1': positions must map back to the original text
    scrub = Redactor(["FIX-1"])
    assert scrub("The ﬁle ﬁx ① ends; Ⅻ stays.") == f"The ﬁle {REMOVED} ends; Ⅻ stays."
    assert scrub("ß and ＦＩＸ１ and ß") == f"ß and {REMOVED} and ß"


def test_casefold_matches_on_both_sides() -> None:
    scrub = Redactor(["STRASSE-77"])  # casefold: 'ß' is 'ss'
    assert scrub("Visit to Straße 77 noted.") == f"Visit to {REMOVED} noted."


def test_ordinary_words_and_numbers_are_not_mangled() -> None:
    scrub = Redactor(["12", "AB", "1234", "ABC-123/45"])
    text = "On 12 March, 12 people met; AB and the 1234th note. ABC12345X and 9ABC12345 stay."
    # references under 4 letters/digits are not searched for; matches need a boundary
    # on both sides, so a reference never eats part of a longer word or number
    assert (
        scrub(text)
        == "On 12 March, 12 people met; AB and the 1234th note. ABC12345X and 9ABC12345 stay."
    )
    assert scrub("Ref 1234, then 1234.") == f"Ref {REMOVED}, then {REMOVED}."


def test_a_reference_inside_another_reference_does_not_split_it() -> None:
    scrub = Redactor(["FICT-1", "FICT-10"])
    assert scrub("FICT 10 and FICT-1.") == f"{REMOVED} and {REMOVED}."


def test_empty_and_unrelated_text() -> None:
    scrub = Redactor([REF])
    assert scrub("") == ""
    assert scrub("Nothing to see.") == "Nothing to see."
    assert Redactor([])("ABC-123/45") == "ABC-123/45"


def test_all_references_reads_every_case(db) -> None:
    for ref in ("FICT-A-0001", "FICT-B-0002", "FICT-C-0003"):
        audits.add_case(db, ref, "Glenmorven (fictional)")
    assert sorted(all_references(db)) == ["FICT-A-0001", "FICT-B-0002", "FICT-C-0003"]


def test_one_audit_report_removes_another_cases_reference(db, mini) -> None:
    own = audits.add_case(db, "FICT-OWN-0001", "Glenmorven (fictional)")
    audits.add_case(db, "FICT-SIB-0002", "Glenmorven (fictional)")  # a sibling's file
    audit_id = audits.new_audit(db, own.id, mini)
    audits.answer(db, audit_id, "p1", note="Pattern also in the sibling's file fict sib 0002.")
    audits.set_summary(db, audit_id, "summary", "Compare with ＦＩＣＴ－ＳＩＢ－０００２.")
    report = audit_report(db, audit_id)
    evidence = [
        row[3]
        for b in report.blocks
        if isinstance(b, Table) and b.columns[-1] == "Evidence"
        for row in b.rows
    ]
    assert f"Pattern also in the sibling's file {REMOVED}." in evidence
    texts = [getattr(b, "text", "") for b in report.blocks]
    assert f"Compare with {REMOVED}." in texts


# -- what an anonymised export says and shows (real PDF and DOCX read back) -------------------------

SHARED = "Use the pattern-based chronology template, as in FICT-AGG-7 (fictional)."
SHARED_SHOWN = f"Use the pattern-based chronology template, as in {REMOVED} (fictional)."
RARE = "Ask Mrs Fictional to check the plan (fictional)."


def _words(text: str) -> str:
    return " ".join(text.split())  # PDF extraction breaks lines where the layout wrapped them


def _pdf(path) -> str:
    from pypdf import PdfReader

    return _words("\n".join(p.extract_text() for p in PdfReader(str(path)).pages))


def _docx(path) -> str:
    from docx import Document

    doc = Document(str(path))
    parts = [p.text for p in doc.paragraphs]
    parts += [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return _words("\n".join(parts))


@pytest.fixture
def eight_audits(db, mini):
    """Eight finalised audits (anonymised reports cover finalised audits only). SHARED is
    recommended in audits 0-5 (6 audits, each with an owner; audits 0 and 1 also with a
    date); RARE in audits 0 and 1 only, with no owner.
    By hand: 8 recommendations, in 6 audits, 6 with an owner, 2 with a date."""
    from audit_tool.domain import Recommendation

    for i in range(8):
        case = audits.add_case(db, f"FICT-AGG-{i}", "Glenmorven (fictional)")
        audit_id = audits.new_audit(db, case.id, mini)
        recs = []
        if i < 6:
            recs.append(
                Recommendation(SHARED, "Team leader (fictional)", "2031-01-31" if i < 2 else "")
            )
        if i < 2:
            recs.append(Recommendation(RARE, ""))
        audits.set_recommendations(db, audit_id, recs)
        for item, rating in {"p1": "5", "p2": "yes", "p3": "5", "q1": "5"}.items():
            audits.answer(db, audit_id, item, rating)
        audits.finalise(db, audit_id)
    return db


def _export(db, tmp_path, **kw):
    from audit_tool.filters import AuditFilter
    from audit_tool.reports import render
    from audit_tool.reports.build import aggregate_report

    report = aggregate_report(db, AuditFilter(), **kw)
    return _pdf(render(report, "pdf", tmp_path / "r.pdf")), _docx(
        render(report, "docx", tmp_path / "r.docx")
    )


def test_anonymised_aggregate_shows_recommendation_counts_not_texts(eight_audits, tmp_path) -> None:
    from audit_tool.reports.model import NO_FREE_TEXT_BANNER

    with eight_audits.atomic() as c:  # keys 0: the released counts by hand
        c.execute("UPDATE audit_keys SET record_key = 0")
    for text in _export(eight_audits, tmp_path):
        assert NO_FREE_TEXT_BANNER == "Anonymised report: no case references, names or free text."
        assert NO_FREE_TEXT_BANNER in text
        assert "pattern-based chronology" not in text and "Mrs Fictional" not in text
        assert "Team leader" not in text  # owners are free text too
        # perturbed (reports/tally.py, resources/perturbation.toml row 6 slot -1 for keys
        # 0-84): 8 recorded in 6 audits, at most 2 per audit, key 23 -> 8 - 2 = 6; 6 audits,
        # key 0 -> 5; 6 with an owner, key 59 -> 5
        assert "Recommendations recorded 6" in text
        assert "Audits with a recommendation 5" in text
        assert "With an owner 5" in text
        assert "With a date to be done by <5" in text  # 2 is a small number
    exact = _export(eight_audits, tmp_path, include_identifiers=True)[0]
    assert "Recommendations recorded 8" in exact and "With an owner 6" in exact


def test_recommendation_texts_on_request_only_from_five_or_more_audits(
    eight_audits, tmp_path
) -> None:
    from audit_tool.reports.model import ANONYMISED_BANNER, NO_FREE_TEXT_BANNER

    with eight_audits.atomic() as c:
        c.execute("UPDATE audit_keys SET record_key = 0")
    for text in _export(eight_audits, tmp_path, include_free_text=True):
        assert _words(ANONYMISED_BANNER) in text and NO_FREE_TEXT_BANNER not in text
        assert "check it for names before sharing" in text
        assert SHARED_SHOWN in text and "FICT-AGG-7" not in text
        assert "Mrs Fictional" not in text  # recorded in 2 audits only
        assert "Recommendations recorded 6" in text  # keys 0: worked out in the test above


def test_one_audit_anonymised_report_keeps_notes_with_the_honest_banner(db, mini, tmp_path) -> None:
    from audit_tool.reports import render
    from audit_tool.reports.model import ANONYMISED_BANNER, NO_FREE_TEXT_BANNER

    case = audits.add_case(db, "FICT-ONE-0001", "Glenmorven (fictional)")
    audit_id = audits.new_audit(db, case.id, mini)
    audits.answer(db, audit_id, "p1", note="Chronology names the behaviour; see fict one 0001.")
    report = audit_report(db, audit_id)
    for text in (
        _pdf(render(report, "pdf", tmp_path / "a.pdf")),
        _docx(render(report, "docx", tmp_path / "a.docx")),
    ):
        assert ANONYMISED_BANNER == (
            "Anonymised report: case references removed. Free text is as the reviewer wrote it: "
            "check it for names before sharing."
        )
        assert ANONYMISED_BANNER in text and NO_FREE_TEXT_BANNER not in text
        assert f"Chronology names the behaviour; see {REMOVED}." in text


def test_cli_include_free_text_flag(cli, tmp_path, passphrase) -> None:
    from audit_tool.demo import RECOMMENDATIONS
    from audit_tool.store import Database

    path = tmp_path / "cli.db"
    assert cli("--db", path, "demo", "--audits", "150", "--seed", "3").returncode == 0
    db = Database.open(path, passphrase)
    try:  # by SQL, not by the report code: texts recorded in 5 or more audits
        rows = db.query("SELECT text, count(DISTINCT audit_id) FROM recommendations GROUP BY text")
    finally:
        db.close()
    common = {t for t, n in rows if n >= 5}
    rare = {t for t, n in rows if n < 5}
    assert common  # the demo repeats its recommendations
    texts = {t for t, _owner in RECOMMENDATIONS}

    plain = cli("--db", path, "export", "report", "--format", "docx", "--out", tmp_path / "a.docx",
                "--recipient", "Steering group (fictional)")
    assert plain.returncode == 0, plain
    shown = _docx(tmp_path / "a.docx")
    assert not [t for t in texts if _words(t) in shown]

    free = with_review(
        cli,
        "--db",
        path,
        "export",
        "report",
        "--format",
        "docx",
        "--out",
        tmp_path / "b.docx",
        "--include-free-text",
        "--recipient",
        "Steering group (fictional)",
    )
    assert free.returncode == 0, free
    shown = _docx(tmp_path / "b.docx")
    assert all(_words(t) in shown for t in common)
    assert not [t for t in rare if _words(t) in shown]


# -- issue 18, item 6: references typed the way people type them -------------------------------

NSH = "NSH-2025-00417"  # fictional


@pytest.mark.parametrize(
    ("typed", "shown"),
    [
        ("see caserefNSH-2025-00417 too", f"see caseref{REMOVED} too"),  # glued to a word
        ("see 00417-2025-NSH too", f"see {REMOVED} too"),  # parts reversed
        ("see NSH-٢٠٢٥-٠٠٤١٧ too", f"see {REMOVED} too"),  # Arabic-Indic digits
        ("see NSH-۲۰۲۵-۰۰۴۱۷ too", f"see {REMOVED} too"),  # Extended Arabic-Indic
        ("see NSH-२०२५-००४१७ too", f"see {REMOVED} too"),  # Devanagari digits
        ("see NЅН-2025-00417 too", f"see {REMOVED} too"),  # Cyrillic Ѕ and Н
        ("see ΝSΗ-2025-00417 too", f"see {REMOVED} too"),  # Greek Ν and Η
        ("see NSH 00417 too", f"see {REMOVED} too"),  # the middle left out
        ("see NSH-2025-OO417 too", f"see {REMOVED} too"),  # O for 0
        ("see NSH-2O25-0O417 too", f"see {REMOVED} too"),
        ("see nsh2025oo417 too", f"see {REMOVED} too"),
        ("file 00417 again", f"file {REMOVED} again"),  # the distinctive number alone
        ("caseref00417.", f"caseref{REMOVED}."),
    ],
)
def test_issue_18_spellings_are_removed(typed: str, shown: str) -> None:
    assert Redactor([NSH, "FIF-2024-01311"])(typed) == shown


def test_i_and_l_for_one_inside_references() -> None:
    scrub = Redactor(["FIF-2024-01311"])
    assert scrub("in FIF-2024-0I3ll.") == f"in {REMOVED}."
    assert scrub("in fif 2024 O1311") == f"in {REMOVED}"


def test_numbers_and_words_near_a_reference_number_stay() -> None:
    scrub = Redactor([NSH])
    text = "In 2025 we read 004170 files, 100417 notes and 417 pages; oil, lol and nil stay."
    assert scrub(text) == text  # a year, longer numbers, shorter numbers, o/i/l words
    assert scrub("Room 00418 and 2025-00416.") == "Room 00418 and 2025-00416."

