"""The report's language measure (issue 20 item 11): per framing and phase, the share of case
files whose record uses it, from the multiple-choice item on the record's language, through
the disclosure layer. Figures worked out by hand from the answers made; the PDF read back."""

from __future__ import annotations

from pathlib import Path

import pytest
from pypdf import PdfReader

from audit_tool import audits
from audit_tool.checklists.loader import load_file
from audit_tool.checklists.phases import PhaseWords
from audit_tool.export import export_report
from audit_tool.filters import AuditFilter
from audit_tool.findings.record_language import RecordLanguage, TermUse, record_language
from audit_tool.reports.build import _publish, aggregate_report
from audit_tool.reports.language_section import TITLE, language_section
from audit_tool.reports.model import Heading, Table

DATA = Path(__file__).resolve().parent / "data"
AREA = "Glenmorven (fictional)"
FTP, REL, DIS, NONE = "failure_to_protect", "relationship", "discrediting", "none"

# Baseline, 12 files: 6 "failure to protect" + "discredited", 3 "relationship" + "discredited",
# 2 "discredited", 1 "none". Post-training, 11 files: 5 "relationship", 5 "none", 1 unanswered.
BASELINE = [f"{FTP},{DIS}"] * 6 + [f"{REL},{DIS}"] * 3 + [DIS] * 2 + [NONE]
POST = [REL] * 5 + [NONE] * 5 + [None]


@pytest.fixture
def made(db):
    checklist = load_file(DATA / "record_terms.toml")
    ids: dict[str, list[tuple[str, str | None]]] = {"baseline": [], "post_training": []}
    for phase, answers in (("baseline", BASELINE), ("post_training", POST)):
        for i, ticked in enumerate(answers):
            case = audits.add_case(db, f"FICT-LANG-{phase}-{i}", AREA)
            audit_id = audits.new_audit(db, case.id, checklist, phase=phase)
            audits.answer(db, audit_id, "q1", "yes")
            if ticked is not None:
                audits.answer(db, audit_id, "la-05", ticked.split(","))
            audits.finalise(db, audit_id)
            ids[phase].append((audit_id, ticked))
    return db, ids


def _table(blocks: list) -> Table:
    at = next(i for i, b in enumerate(blocks) if isinstance(b, Heading) and b.text == TITLE)
    return next(b for b in blocks[at:] if isinstance(b, Table))


def test_record_language_counts_who_ticked_each_framing_per_phase(made):
    db, ids = made
    (use,) = record_language(db, AuditFilter(), {"record-terms-test"})
    assert use.item_id == "la-05" and use.phases == ("baseline", "post_training")
    assert {p: len(v) for p, v in use.answered.items()} == {"baseline": 12, "post_training": 10}
    counts = {t.value: {p: len(v) for p, v in t.ticked.items()} for t in use.terms}
    assert counts == {FTP: {"baseline": 6, "post_training": 0},
                      REL: {"baseline": 3, "post_training": 5},
                      DIS: {"baseline": 11, "post_training": 0},
                      NONE: {"baseline": 1, "post_training": 5}}


def test_identifiable_report_shows_exact_shares_with_small_numbers_withheld(made, tmp_path):
    db, _ = made
    table = _table(aggregate_report(db, AuditFilter(), include_identifiers=True).blocks)
    assert table.columns == ["Framing the record uses", "Baseline", "Post-training",
                             "Change after training"]
    assert table.rows == [
        ["Files read", "12", "10", ""],
        # 6 of 12 = 50%; none of 10 (a base of 10 may show none); 0 - 50 = -50 points
        ["Failure to protect", "50% (6)", "0% (0)", "−50"],
        # 3 files: '<5'; 5 of 10 = 50%; no change where one side is withheld
        ["Abuse called a relationship problem", "<5", "50% (5)", "—"],
        # 11 of 12: all but one file, withheld
        ["The person discredited", "suppressed", "0% (0)", "—"],
        ["None of these", "<5", "50% (5)", "—"],
    ]
    pdf = export_report(db, AuditFilter(), "pdf", tmp_path / "r.pdf", include_identifiers=True)
    pages = [" ".join(p.extract_text().split()) for p in PdfReader(str(pdf)).pages]
    page = next(p for p in pages if "Framing the record uses" in p)
    for row in ("Files read 12 10", "Failure to protect 50% (6) 0% (0) −50",
                "Abuse called a relationship problem <5 50% (5) —",
                "The person discredited suppressed 0% (0) —", "None of these <5 50% (5) —"):
        assert row in page, row
    text = " ".join(pages)
    assert "Flags per 1,000 words, by phase" not in text  # the note scan is not reported here
    assert "Most flagged wording" not in text


def test_anonymised_report_shares_come_from_the_perturbed_counts(made):
    db, ids = made
    tally = _publish(db)  # the record keys of these audits, as the release uses them
    table = _table(aggregate_report(db, AuditFilter()).blocks)
    base = [a for a, t in ids["baseline"]]
    post = [a for a, t in ids["post_training"] if t is not None]

    def cell(ticked: list[str], of: list[str]) -> str:
        n, k = tally.audits(of), min(tally.audits(of), tally.audits(ticked))
        return f"{round(100 * k / n)}% ({k})"

    ftp = [a for a, t in ids["baseline"] if t and FTP in t]
    rel = [a for a, t in ids["post_training"] if t and REL in t]
    none = [a for a, t in ids["post_training"] if t == NONE]
    rows = {r[0]: r[1:] for r in table.rows}
    assert rows["Files read"][:2] == [str(tally.audits(base)), str(tally.audits(post))]
    assert rows["Failure to protect"][0] == cell(ftp, base)
    assert rows["Abuse called a relationship problem"][:2] == ["<5", cell(rel, post)]
    assert rows["The person discredited"][0] == "suppressed"  # decided on the true 11 of 12
    assert rows["None of these"][:2] == ["<5", cell(none, post)]


def test_phases_are_named_by_the_checklist_not_as_training():
    words = PhaseWords({"baseline": "Earlier reviews", "post_training": "Later reviews"},
                       "Change, later against earlier reviews", training=False)
    ids = [f"a{i}" for i in range(10)]
    use = RecordLanguage("dr", "Death review (fictional)", "la-05", "Which framings?", words,
                         ("baseline", "post_training"), {"baseline": tuple(ids), "post_training": tuple(ids)},
                         (TermUse("x", "Discredited", "addict", False,
                                  {"baseline": tuple(ids[:5]), "post_training": ()}),))
    blocks = language_section((use,))
    table = next(b for b in blocks if isinstance(b, Table))
    assert table.columns == ["Framing the record uses", "Earlier reviews", "Later reviews",
                             "Change, later against earlier reviews"]
    assert table.rows[1] == ["Discredited", "50% (5)", "0% (0)", "−50"]
    text = " ".join(getattr(b, "text", "") for b in blocks)
    assert "training" not in text.lower().replace("change, later", "")


def test_a_phase_the_report_hides_is_hidden_here_too():
    """Follow-up has 3 audits: '<5' in 'About this report', which then hides the next
    smallest (post-training, 10) so that 3 cannot be worked out from the total. The question
    is required, so 'Files read' would give both back: both columns are hidden here too."""
    from audit_tool.disclosure.rules import Census

    words = PhaseWords({"baseline": "Baseline", "post_training": "Post-training",
                        "follow_up": "Follow-up"}, "Change after training", training=True)
    base, post, follow = ([f"{p}{i}" for i in range(n)] for p, n in (("b", 12), ("p", 10), ("f", 3)))
    use = RecordLanguage(
        "c", "C (fictional)", "la-05", "Which framings?", words,
        ("baseline", "post_training", "follow_up"),
        {"baseline": tuple(base), "post_training": tuple(post), "follow_up": tuple(follow)},
        (TermUse("x", "Discredited", "addict", False,
                 {"baseline": tuple(base[:6]), "post_training": tuple(post[:5]),
                  "follow_up": tuple(follow[:1])}),))
    census = Census((("c", "baseline", "finalised", 12), ("c", "post_training", "finalised", 10),
                     ("c", "follow_up", "finalised", 3)))
    table = next(b for b in language_section((use,), census=census) if isinstance(b, Table))
    assert table.columns == ["Framing the record uses", "Baseline", "Post-training", "Follow-up"]
    assert table.rows == [["Files read", "12", "suppressed", "<5"],
                          ["Discredited", "50% (6)", "suppressed", "suppressed"]]
