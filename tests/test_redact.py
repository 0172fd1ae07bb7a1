"""Case references are kept out of anonymised exports however a person typed them, and
every reference in the database counts, not only the audit's own. All data is fictional."""

from __future__ import annotations

import pytest

from audit_tool import audits
from audit_tool.reports.build import audit_report
from audit_tool.reports.model import Table
from audit_tool.reports.redact import REMOVED, Redactor, all_references

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
