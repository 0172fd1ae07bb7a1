"""Page 1 and 2 of the steering-group report (issue 20): key messages, the lead's notes,
the honesty rules, and the patterns, language and outcomes by phase.

Every figure is worked out another way: with pandas from the answers the test itself gives
(tests/fixtures/page1.toml, a fictional checklist), or by statsmodels' Newcombe interval, or
released through a Tally the test makes itself from the stored record keys."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest
from pypdf import PdfReader

from audit_tool import audits
from audit_tool.checklists.loader import load_file
from audit_tool.disclosure.cellkey import default_table, load_keys
from audit_tool.export import export_report
from audit_tool.filters import AuditFilter
from audit_tool.reports import build
from audit_tool.reports.model import Heading, Paragraph, Table
from audit_tool.reports.notes import ReleaseNotes
from audit_tool.reports.tally import Tally

FIXTURE = Path(__file__).parent / "fixtures" / "page1.toml"
AREA = "Glenmorven (fictional)"


def words(text: str) -> str:
    return " ".join(text.split())


def pdf_pages(path: Path) -> list[str]:
    return [words(p.extract_text()) for p in PdfReader(str(path)).pages]


# The answers, by phase and audit number i (0-11). Case files 0-3 are read in both phases.
def plan(phase: str, i: int) -> dict[str, str]:
    if phase == "baseline":
        return {
            "r1": "2" if i < 9 else "5",
            "r2": "no" if i < 6 else "yes",
            "bl-01": "yes" if i < 7 else "no",
            "bl-02": "no" if i < 6 else "partly",
            "la-05": "blame" if i < 7 else "none",
            "oc-01": "nop" if i < 6 else "both",
        }
    return {
        "r1": "5" if i < 10 else "2",
        "r2": "yes" if i < 6 else "no",
        "bl-01": "no",
        "bl-02": "no" if i < 6 else "yes",
        "la-05": "blame" if i < 5 else "none",
        "oc-01": "nop" if i < 7 else "both",
    }


def make(db, per_phase: int = 12, shared: int = 4) -> dict[str, list[str]]:
    """per_phase audits in each phase, each finalised; r3 (shown when r2 falls short) 'Weak'.
    Returns the audit ids by phase."""
    checklist = load_file(FIXTURE)
    cases = {}
    ids: dict[str, list[str]] = {"baseline": [], "post_training": []}
    for phase in ids:
        for i in range(per_phase):
            ref = f"FICT-P1-{i}" if i < shared else f"FICT-P1-{phase}-{i}"
            if ref not in cases:
                cases[ref] = audits.add_case(db, ref, AREA)
            audit_id = audits.new_audit(db, cases[ref].id, checklist, phase=phase)
            answers = plan(phase, i)
            for item, rating in answers.items():
                audits.answer(db, audit_id, item, rating)
            if answers["r2"] != "yes":
                audits.answer(db, audit_id, "r3", "2")
            audits.finalise(db, audit_id)
            ids[phase].append(audit_id)
    return ids


def frame(per_phase: int = 12) -> pd.DataFrame:
    rows = [{"phase": p, **plan(p, i)} for p in ("baseline", "post_training") for i in range(per_phase)]
    return pd.DataFrame(rows)


def pct(x: float) -> str:
    return f"{x * 100:.0f}%"


@pytest.fixture
def twelve(db):
    make(db)
    return db


def _table(report, caption: str) -> Table:
    return next(b for b in report.blocks if isinstance(b, Table) and b.caption == caption)


def test_patterns_language_and_outcomes_by_phase_match_pandas_and_newcombe(twelve):
    sm = pytest.importorskip("statsmodels.stats.proportion")
    report = build.aggregate_report(twelve, AuditFilter(), include_identifiers=True)  # exact
    df = frame()
    by = df.groupby("phase")

    def row(share_of, item: str):
        b, p = share_of("baseline"), share_of("post_training")
        n = 12
        low, high = sm.confint_proportions_2indep(
            round(p * n), n, round(b * n), n, method="newcomb", compare="diff")
        return [pct(b) + " of 12", pct(p) + " of 12", f"{(p - b) * 100:+.0f}",
                f"{low * 100:+.0f} to {high * 100:+.0f}"]

    pats = _table(report, "Patterns seen at baseline: files whose record avoids the pattern")
    got = {r[0]: r[1:] for r in pats.rows}
    for item, question in (("bl-01", "Does the record assume separation ended the risk?"),
                           ("bl-02", "Is the non-offending parent the main route to safety?")):
        assert got[question] == row(lambda ph, it=item: (by.get_group(ph)[it] == "no").mean(), item)
    # bl-01: 5 of 12 avoid the pattern at baseline, all 12 post-training
    assert got["Does the record assume separation ended the risk?"][:3] == [
        "42% of 12", "100% of 12", "+58"]
    lang = {r[0]: r[1:] for r in _table(report, "Language in the record").rows}
    assert lang["Failure to protect"] == row(
        lambda ph: (by.get_group(ph)["la-05"] == "blame").mean(), "la-05")
    assert lang["The record uses none of the framings listed"] == row(
        lambda ph: (by.get_group(ph)["la-05"] == "none").mean(), "la-05")
    outs = {r[0]: r[1:] for r in _table(report, "Outcomes at the end of the period read").rows}
    assert outs["Where the child lives: With the non-offending parent"] == row(
        lambda ph: (by.get_group(ph)["oc-01"] == "nop").mean(), "oc-01")
    assert outs["Where the child lives: With both parents"][:3] == ["50% of 12", "42% of 12", "-8"]


def test_anonymised_pattern_counts_are_released_through_the_tally(twelve):
    report = build.aggregate_report(twelve, AuditFilter())
    ids = {p: [] for p in ("baseline", "post_training")}
    for audit_id, phase in twelve.query("SELECT id, phase FROM audits"):
        ids[phase].append(audit_id)
    tally = Tally(load_keys(twelve), default_table())
    answers = dict(twelve.query("SELECT audit_id, rating FROM answers WHERE item_id = 'bl-01'"))
    got = {r[0]: r[1:] for r in _table(
        report, "Patterns seen at baseline: files whose record avoids the pattern").rows}
    cells = got["Does the record assume separation ended the risk?"]
    for cell, phase in zip(cells[:2], ("baseline", "post_training"), strict=True):
        rated = tally.audits(ids[phase])
        met = min(rated, tally.audits(a for a in ids[phase] if answers[a] == "no"))
        assert cell == f"{met / rated * 100:.0f}% of {rated}"


def test_page_one_messages_honesty_lines_and_marked_item(twelve, tmp_path):
    sm = pytest.importorskip("statsmodels.stats.proportion")
    pdf = export_report(twelve, AuditFilter(), "pdf", tmp_path / "p1.pdf", include_identifiers=True)
    pages = pdf_pages(pdf)
    page1 = pages[0]
    assert "Key messages" in page1
    # the largest gap: r3 rated Weak wherever it was asked (12 audits), marked as asked only
    # after a failing answer
    assert ("Least often meeting the standard: 0% of 12 audits on 'Where he was not engaged, "
            "does the record say why?' (asked only where an earlier answer fell short).") in page1
    # the largest change with an interval excluding zero: bl-01, 5/12 -> 12/12 (Newcombe)
    low, high = sm.confint_proportions_2indep(12, 12, 5, 12, method="newcomb", compare="diff")
    assert (f"Does the record assume separation ended the risk?: 42% of baseline files avoiding "
            f"the pattern and 100% of post-training files avoiding the pattern, +58 points (95% "
            f"interval {low * 100:+.0f} to {high * 100:+.0f}).") in page1
    # still common: bl-02 not avoided in 6 of 12 post-training audits
    assert ("Still common: in 50% of 12 post-training audits the record did not avoid the "
            "pattern 'Is the non-offending parent the main route to safety?'.") in page1
    assert "No file was read twice: ratings have not been checked between readers." in page1
    # 4 case files in both phases, of 12 a side: most files differ
    assert ("Fewer than 5 case files were read in both phases; most baseline and post-training "
            "files are different files, so it does not show on its own what caused the change.") in page1
    # the overall change, by hand: baseline r1 3/12 + r2 6/12 + r3 0/6 + bl-01 5/12 + bl-02
    # 6/12 = 20/54; post-training 10/12 + 6/12 + 0/6 + 12/12 + 6/12 = 34/54
    assert f"rose from {pct(20 / 54)} (baseline) to {pct(34 / 54)} (post-training)" in page1
    assert "Where he was not engaged, does the record say why? †" in page1
    assert "† Asked only where an earlier answer fell short" in page1
    assert "About this report" not in page1 and "Patterns and outcomes" not in page1
    assert pages[1].split("Patterns and outcomes")[0].count(" ") < 12  # page 2 opens with it


def test_a_tiny_database_says_too_few_to_judge(db, tmp_path):
    make(db, per_phase=6, shared=0)
    pdf = export_report(db, AuditFilter(), "pdf", tmp_path / "tiny.pdf", include_identifiers=True)
    pages = pdf_pages(pdf)
    assert ("Too few to judge: 6 baseline and 6 post-training audits; a change is judged only "
            "with 10 or more audits in each phase.") in pages[0]
    assert "too few to judge" in pages[1]  # the patterns table's change column
    assert "+58" not in " ".join(pages) and "Largest change after training: too few to judge" in " ".join(pages)


def test_key_findings_give_no_strongest_theme_resting_on_one_item(db, mini, tmp_path):
    """The 'planning' theme of the mini checklist rests on q1 alone when q2 is left out: no
    strongest or weakest theme is named from it."""
    for i in range(12):
        case = audits.add_case(db, f"FICT-KF-{i}", AREA)
        a = audits.new_audit(db, case.id, mini, phase="baseline")
        for item, rating in {"p1": "5", "p2": "yes", "p3": "2", "q1": "5" if i < 8 else "2"}.items():
            audits.answer(db, a, item, rating)
        audits.finalise(db, a)
    report = build.aggregate_report(db, AuditFilter(), include_identifiers=True)
    texts = [b.text for b in report.blocks if isinstance(b, Paragraph)]
    assert not any(t.startswith("Strongest theme") for t in texts)
    assert any(t.startswith("Strongest and weakest theme: too few to judge") for t in texts)


# long enough that page 1 must give up optional parts: about the most notes.py allows
LONG = ReleaseNotes(
    commentary=("The service has moved its practice towards the person who harmed. " * 7).strip(),
    decisions=tuple(f"Decision {i}: agree the fictional plan for the next quarter, with the owner "
                    "and the date, checked by the group." for i in range(1, 6)),
)


@pytest.fixture
def with_notes(monkeypatch):
    """The report built with the lead's notes (the export dialog stores them; here they are
    handed to the builder as build.py hands the stored ones)."""
    def use(notes):
        real = build.build_aggregate_report
        monkeypatch.setattr(build, "build_aggregate_report",
                            lambda data, *a, **k: real(replace(data, notes=notes), *a, **k))
    return use


def test_notes_render_and_page_one_still_fits_one_page_pdf_and_docx(twelve, tmp_path, with_notes):
    docx_mod = pytest.importorskip("docx")
    with_notes(LONG)
    pdf = export_report(twelve, AuditFilter(), "pdf", tmp_path / "n.pdf")
    pages = pdf_pages(pdf)
    assert "Commentary" in pages[0] and "Decisions sought" in pages[0]
    assert "5. Decision 5: agree the fictional plan" in pages[0], pages[0]
    assert "Key messages" in pages[0] and "Least often meeting the standard" in pages[0]
    # page 1 did not run over: page 2 opens with a heading (after the running head): the
    # figures behind the messages, moved there to make room for the notes, or the patterns
    second = pages[1].removeprefix("Steering group report: Page one test checklist ")
    assert second.startswith(("Summary figures", "Patterns and outcomes")), second[:200]
    doc = docx_mod.Document(str(export_report(twelve, AuditFilter(), "docx", tmp_path / "n.docx")))
    heads = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    assert heads[:4] == ["Summary", "Key messages", "Commentary", "Decisions sought"]
    # a page break after page 1: the paragraph just before page 2's first heading is one
    paras = doc.paragraphs
    at = next(i for i, p in enumerate(paras) if p.text == heads[4])
    assert heads[4] in ("Summary figures", "Patterns and outcomes: baseline and post-training")
    assert 'w:type="page"' in paras[at - 1]._p.xml
    assert "About this report" not in [p.text for p in paras[:at]]


def test_no_notes_render_no_heading(twelve, tmp_path, with_notes):
    docx_mod = pytest.importorskip("docx")
    for notes in (None, ReleaseNotes()):
        with_notes(notes)
        pdf = pdf_pages(export_report(twelve, AuditFilter(), "pdf", tmp_path / "x.pdf"))
        assert "Commentary" not in pdf[0] and "Decisions sought" not in pdf[0]
        doc = docx_mod.Document(str(export_report(twelve, AuditFilter(), "docx", tmp_path / "x.docx")))
        heads = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
        assert "Commentary" not in heads and "Decisions sought" not in heads
        assert heads[:3] == ["Summary", "Key messages", "Change after training"]


def test_report_blocks_of_page_one_fit_and_report_has_heading_for_patterns(twelve):
    report = build.aggregate_report(twelve, AuditFilter())
    heads = [b.text for b in report.blocks if isinstance(b, Heading)]
    assert heads.index("Patterns and outcomes: baseline and post-training") < heads.index("About this report")


def test_reliability_line_counts_the_files_read_twice_and_their_agreement(db):
    """Six files, each read by two fictional readers at baseline; they differ only on r1 in
    three files. Rated items compared: r1, r2, bl-01, bl-02 (r3 hidden: r2 is 'yes'; facts
    are not ratings): 24 pairs, 21 the same: 88%."""
    import uuid

    from audit_tool.store import now

    checklist = load_file(FIXTURE)
    readers = []
    for name in ("Reader A (fictional)", "Reader B (fictional)"):
        rid = str(uuid.uuid4())
        with db.atomic() as c:
            c.execute("INSERT INTO reviewers VALUES (?, ?, '', '', 0, ?)", (rid, name, now()))
        readers.append(rid)
    for i in range(6):
        case = audits.add_case(db, f"FICT-RT-{i}", AREA)
        for r, rid in enumerate(readers):
            a = audits.new_audit(db, case.id, checklist, None, "baseline", reviewer_id=rid)
            ratings = {"r1": "5" if r == 0 or i >= 3 else "2", "r2": "yes", "bl-01": "no",
                       "bl-02": "no", "la-05": "none", "oc-01": "nop"}
            for item, value in ratings.items():
                audits.answer(db, a, item, value)
            audits.finalise(db, a)
    report = build.aggregate_report(db, AuditFilter(), include_identifiers=True)
    kv = next(b for b in report.blocks if b.__class__.__name__ == "KeyValue")
    line = dict(kv.rows)["Read twice"]
    assert line.startswith("6 case files were read by two or more readers. Readers agreed on 88% of ratings")
