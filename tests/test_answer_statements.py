"""The answer save (autosave's hot path) runs the statements it needs and no more, and
records what it always has (issue 22: within 2x a bare upsert + commit). Counted with
SQLite's trace on a real encrypted database; no timing."""

from __future__ import annotations

import pytest

from audit_tool import audits
from audit_tool.selection import list_audits


@pytest.fixture
def audit_id(db, mini):
    case = audits.add_case(db, "FICTIONAL-CASE-0002", "Glenmorven (fictional)")
    return audits.new_audit(db, case.id, mini)


def _traced(db, fn) -> list[str]:
    """The top-level statements fn runs (trigger bodies, traced with '--', left out)."""
    seen: list[str] = []
    db.conn.set_trace_callback(seen.append)
    try:
        fn()
    finally:
        db.conn.set_trace_callback(None)
    out: list[str] = []
    for sql in seen:
        if sql.startswith("--"):
            continue
        if out and out[-1] == sql:  # one line per trigger program run by the statement
            continue
        out.append(sql)
    return out


def _shape(statements: list[str]) -> list[str]:
    return [" ".join(s.split()[:3]) for s in statements]


def test_changing_a_rating_runs_one_read_and_one_short_transaction(db, audit_id):
    audits.answer(db, audit_id, "q1", "3")  # the answer exists from here on
    statements = _traced(db, lambda: audits.answer(db, audit_id, "q1", "4"))
    assert _shape(statements) == [
        "SELECT a.status, a.checklist_sha,",  # audit, answer and the reader's name at once
        "BEGIN IMMEDIATE",
        "UPDATE answers SET",  # in place: the answer is there
        "INSERT INTO history",
        "UPDATE audits SET",
        "COMMIT",
    ], statements


def test_a_first_answer_is_inserted_and_everything_is_recorded_as_before(db, audit_id):
    statements = _traced(db, lambda: audits.answer(db, audit_id, "q1", "4"))
    assert "INSERT INTO answers" in " | ".join(statements)
    audits.answer(db, audit_id, "q1", "5")
    audits.answer(db, audit_id, "q1", note="Chronology shows the pattern (fictional).")
    got = audits.get_audit(db, audit_id)
    answer = got.answers["q1"]
    assert (answer.rating, answer.note, answer.applies) == (
        "5",
        "Chronology shows the pattern (fictional).",
        True,
    )
    lines = [(h.action, h.field, h.old, h.new, h.who) for h in audits.history(db, audit_id)]
    reader = got.reviewer.name
    assert lines[-3:] == [
        ("rating", "q1", None, "4", reader),
        ("rating", "q1", "4", "5", reader),
        ("note", "q1", "", "Chronology shows the pattern (fictional).", reader),
    ]
    row = next(r for r in list_audits(db) if r.id == audit_id)
    assert row.answered == 1  # the list's count moved with the first rating only
