"""An audit's life: draft, finalised (read-only, enforced in the database itself, so a
second process cannot slip a change in), reopened for amendment (never deletable after),
finalised again. Real encrypted databases, two real connections for the races.

All data is synthetic and clearly fictional.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
import sqlcipher3
from docx import Document

from audit_tool import audits
from audit_tool.domain import Recommendation, Status
from audit_tool.errors import InvalidInput, ReadOnlyAudit
from audit_tool.export import export_audit
from audit_tool.reports.build import audit_report
from audit_tool.reports.model import KeyValue
from audit_tool.store import Database, connection, schema

PASSPHRASE = "fictional tartan kettle harbour"
AREA = "Glenmorven (fictional)"
REASON = "Fictional: a late chronology entry was found"
NO_DELETE = (
    "This audit was finalised before and then reopened for amendment; it cannot be deleted. "
    "Its history is kept."
)
READ_ONLY = "This audit is finalised and read-only; amend it (with a reason) to change it."


@pytest.fixture
def audit_id(db, mini) -> str:
    case = audits.add_case(db, "FICTIONAL-LIFE-0001", AREA)
    audit_id = audits.new_audit(db, case.id, mini)
    for item, rating in (("p1", "4"), ("p2", "no"), ("q1", "5")):
        audits.answer(db, audit_id, item, rating, note=f"fictional evidence for {item}")
    audits.set_recommendations(db, audit_id, [Recommendation("Fictional recommendation")])
    return audit_id


def _status_row(db, audit_id: str) -> str:
    report = audit_report(db, audit_id)
    meta = next(b for b in report.blocks if isinstance(b, KeyValue))
    return dict(meta.rows)["Status"]


def _contents(db, audit_id: str) -> dict[str, list[tuple]]:
    """Everything an audit holds except its history (which only ever grows)."""
    return {
        "audit": db.query(
            "SELECT summary, strengths, improvements, answered, case_id, phase FROM audits"
            " WHERE id = ?",
            (audit_id,),
        ),
        "answers": db.query(
            "SELECT * FROM answers WHERE audit_id = ? ORDER BY item_id", (audit_id,)
        ),
        "recommendations": db.query(
            "SELECT * FROM recommendations WHERE audit_id = ? ORDER BY pos", (audit_id,)
        ),
    }


# -- item 8: amended audits ------------------------------------------------------------------


def test_amended_audit_is_a_plain_draft_that_says_it_was_reopened(db, audit_id):
    audits.finalise(db, audit_id)
    finalised = audits.get_audit(db, audit_id)
    day = finalised.finalised_at[:10]
    assert _status_row(db, audit_id) == f"Finalised on {day}"

    audits.amend(db, audit_id, REASON)
    audit = audits.get_audit(db, audit_id)
    assert audit.status is Status.DRAFT and not audit.read_only
    assert audit.finalised_at is None  # no longer "Draft on <the old date>"
    assert audit.first_finalised_at == finalised.finalised_at
    assert audit.amended_at is not None and audit.amend_reason == REASON
    expected = f"Draft (reopened for amendment on {audit.amended_at[:10]}: {REASON})"
    assert audits.status_text(audit) == expected
    assert _status_row(db, audit_id) == expected
    # the history of finalising is kept
    actions = [h.action for h in audits.history(db, audit_id)]
    assert actions[-2:] == ["finalised", "amended"]

    audits.finalise(db, audit_id)
    again = audits.get_audit(db, audit_id)
    assert again.first_finalised_at == finalised.finalised_at  # the first one, kept
    assert _status_row(db, audit_id) == (
        f"Finalised on {again.finalised_at[:10]} (after an amendment on "
        f"{audit.amended_at[:10]}: {REASON})"
    )


def test_amended_audit_in_the_exported_report(db, audit_id, tmp_path):
    audits.finalise(db, audit_id)
    audits.amend(db, audit_id, REASON)
    out = export_audit(db, audit_id, "docx", tmp_path / "amended.docx")
    cells = [c.text for t in Document(str(out)).tables for r in t.rows for c in r.cells]
    status = cells[cells.index("Status") + 1]
    assert status.startswith("Draft (reopened for amendment on ") and REASON in status


def test_an_amendment_reason_naming_the_case_is_redacted_in_anonymised_reports(
    db, audit_id, tmp_path
):
    audits.finalise(db, audit_id)
    audits.amend(db, audit_id, "Fictional: chronology for fictional-life 0001 was incomplete")

    def status_cell(path) -> str:
        cells = [c.text for t in Document(str(path)).tables for r in t.rows for c in r.cells]
        return cells[cells.index("Status") + 1]

    anonymous = status_cell(export_audit(db, audit_id, "docx", tmp_path / "anon.docx"))
    assert "[case reference removed]" in anonymous and "0001" not in anonymous
    named = status_cell(
        export_audit(db, audit_id, "docx", tmp_path / "named.docx", include_identifiers=True)
    )
    assert "fictional-life 0001" in named


def test_an_amended_audit_is_never_deleted(db, audit_id):
    audits.finalise(db, audit_id)
    audits.amend(db, audit_id, REASON)
    before = _contents(db, audit_id)
    with pytest.raises(ReadOnlyAudit) as exc:
        audits.delete_draft(db, audit_id)
    assert str(exc.value) == NO_DELETE
    with pytest.raises(ReadOnlyAudit) as exc:
        audits.check_deletable(db, audit_id)
    assert str(exc.value) == NO_DELETE
    assert _contents(db, audit_id) == before
    assert audits.get_audit(db, audit_id).status is Status.DRAFT
    # not even with SQL: the database itself refuses
    with pytest.raises(sqlcipher3.IntegrityError):
        db.conn.execute("DELETE FROM audits WHERE id = ?", (audit_id,))
    with pytest.raises(sqlcipher3.IntegrityError):
        db.conn.execute("UPDATE audits SET first_finalised_at = NULL WHERE id = ?", (audit_id,))
    assert _contents(db, audit_id) == before


def test_a_draft_never_finalised_is_still_deleted(db, audit_id):
    audits.check_deletable(db, audit_id)
    audits.delete_draft(db, audit_id)
    assert db.query("SELECT count(*) FROM answers")[0][0] == 0


def test_cli_show_and_delete_of_an_amended_audit(db, db_path, audit_id, cli):
    audits.finalise(db, audit_id)
    audits.amend(db, audit_id, REASON)
    amended_at = audits.get_audit(db, audit_id).amended_at
    db.close()

    shown = cli("--db", db_path, "audit", "show", audit_id)
    assert shown.returncode == 0
    assert f"Draft (reopened for amendment on {amended_at[:10]}: {REASON})" in shown.stdout

    data = json.loads(cli("--db", db_path, "audit", "show", audit_id, "--json").stdout)
    assert data["status"] == "draft" and data["finalised"] is None
    assert data["amended"] == {"at": amended_at, "reason": REASON}
    assert data["first_finalised"] is not None

    refused = cli("--db", db_path, "audit", "delete", audit_id)
    assert refused.returncode == 1
    assert refused.stderr.strip().endswith(NO_DELETE)
    assert cli("--db", db_path, "audit", "show", audit_id).returncode == 0  # still there


# -- item 9: read-only is enforced inside the write transaction ------------------------------


def _finalise_when_a_begins(a: Database, b: Database, audit_id: str) -> list[str]:
    """Make B finalise the audit at the moment A starts its write transaction: after A has
    checked the audit is a draft, before A writes (a real interleaving of two connections)."""
    fired: list[str] = []

    def trace(sql: str) -> None:
        if not fired and sql.lstrip().upper().startswith("BEGIN"):
            fired.append(sql)
            audits.finalise(b, audit_id)

    a.conn.set_trace_callback(trace)
    return fired


WRITES: dict[str, Callable[[Database, str], object]] = {
    "answer": lambda db, i: audits.answer(db, i, "p1", "2"),
    "new answer": lambda db, i: audits.answer(db, i, "q2", note="fictional late note"),
    "summary": lambda db, i: audits.set_summary(db, i, "summary", "Fictional late summary"),
    "recommendations": lambda db, i: audits.set_recommendations(
        db, i, [Recommendation("Fictional late recommendation")]
    ),
    "delete": lambda db, i: audits.delete_draft(db, i),
    "finalise": lambda db, i: audits.finalise(db, i),
}


@pytest.mark.parametrize("write", list(WRITES))
def test_a_second_process_finalising_mid_write_wins(db, db_path, audit_id, write):
    before = _contents(db, audit_id)
    other = Database.open(db_path, PASSPHRASE, verify=False)
    try:
        fired = _finalise_when_a_begins(db, other, audit_id)
        with pytest.raises(ReadOnlyAudit) as exc:
            WRITES[write](db, audit_id)
        assert fired, "the interleaving did not happen"
        wanted = (
            "Only draft audits can be deleted; this one is finalised."
            if write == "delete"
            else READ_ONLY
        )
        assert str(exc.value) == wanted
    finally:
        db.conn.set_trace_callback(None)
        other.close()
    assert _contents(db, audit_id) == before
    audit = audits.get_audit(db, audit_id)
    assert audit.status is Status.FINALISED
    assert [h.action for h in audits.history(db, audit_id)].count("finalised") == 1


def test_finalised_rows_are_refused_by_the_database_itself(db, audit_id):
    audits.finalise(db, audit_id)
    before = _contents(db, audit_id)
    attempts = [
        ("UPDATE answers SET rating = '1' WHERE audit_id = ?", (audit_id,)),
        ("DELETE FROM answers WHERE audit_id = ?", (audit_id,)),
        (
            "INSERT INTO answers (audit_id, item_id, rating, note, updated_at)"
            " VALUES (?, 'q2', 'yes', '', 'now')",
            (audit_id,),
        ),
        ("DELETE FROM recommendations WHERE audit_id = ?", (audit_id,)),
        ("INSERT INTO recommendations (audit_id, pos, text) VALUES (?, 5, 'x')", (audit_id,)),
        ("UPDATE audits SET summary = 'changed' WHERE id = ?", (audit_id,)),
        ("UPDATE audits SET updated_at = 'now', finalised_at = 'x' WHERE id = ?", (audit_id,)),
        ("UPDATE audits SET status = 'draft' WHERE id = ?", (audit_id,)),  # no reason
        ("DELETE FROM audits WHERE id = ?", (audit_id,)),
    ]
    for sql, params in attempts:
        with pytest.raises(sqlcipher3.IntegrityError):
            db.conn.execute(sql, params)
    assert _contents(db, audit_id) == before
    assert audits.get_audit(db, audit_id).status is Status.FINALISED


def test_amend_still_works_and_is_logged(db, audit_id):
    audits.finalise(db, audit_id)
    with pytest.raises(InvalidInput):
        audits.amend(db, audit_id, "   ")
    audits.amend(db, audit_id, REASON, who="Fictional Reviewer")
    last = audits.history(db, audit_id)[-1]
    assert (last.who, last.action, last.old, last.new) == (
        "Fictional Reviewer",
        "amended",
        "finalised",
        REASON,
    )
    audits.answer(db, audit_id, "p1", "6")  # a draft again: writable
    assert audits.get_audit(db, audit_id).answers["p1"].rating == "6"
    with pytest.raises(InvalidInput):  # already a draft
        audits.amend(db, audit_id, REASON)


def test_two_processes_amending_at_once_reopen_it_once(db, db_path, audit_id):
    audits.finalise(db, audit_id)
    other = Database.open(db_path, PASSPHRASE, verify=False)
    try:
        fired: list[str] = []

        def trace(sql: str) -> None:
            if not fired and sql.lstrip().upper().startswith("BEGIN"):
                fired.append(sql)
                audits.amend(other, audit_id, "Fictional: the other reviewer's reason")

        db.conn.set_trace_callback(trace)
        with pytest.raises(InvalidInput):
            audits.amend(db, audit_id, REASON)
        assert fired
    finally:
        db.conn.set_trace_callback(None)
        other.close()
    assert [h.action for h in audits.history(db, audit_id)].count("amended") == 1


# -- the schema step that brings older databases up to date ---------------------------------


def test_older_database_with_an_amended_draft_is_brought_up_to_date(tmp_path, mini, monkeypatch):
    """Schema 1 kept finalised_at on an amended draft and had no marker: the upgrade reads
    the history, clears the stale date and makes the audit undeletable."""
    path = tmp_path / "v1.db"
    for module in (schema, connection):
        monkeypatch.setattr(module, "MIGRATIONS", schema.MIGRATIONS[:1])
        monkeypatch.setattr(module, "SCHEMA_VERSION", 1)
    with Database.create(path, PASSPHRASE) as old:
        # today's core writes these two columns (a later step adds them): give them to it
        old.conn.execute("ALTER TABLE answers ADD COLUMN hidden_fails INTEGER NOT NULL DEFAULT 0")
        old.conn.execute("ALTER TABLE checklist_items ADD COLUMN fact INTEGER NOT NULL DEFAULT 0")
        old.conn.execute("ALTER TABLE audits ADD COLUMN shown INTEGER")
        case = audits.add_case(old, "FICTIONAL-V1-0001", AREA)
        amended, finalised, draft = (audits.new_audit(old, case.id, mini) for _ in range(3))
        for audit_id in (amended, finalised, draft):
            audits.answer(old, audit_id, "p1", "4")
        c = old.conn  # what the schema-1 tool wrote when finalising and amending
        for audit_id, at in (
            (amended, "2026-03-01T10:00:00.000Z"),
            (finalised, "2026-03-02T10:00:00.000Z"),
        ):
            c.execute(
                "UPDATE audits SET status = 'finalised', finalised_at = ? WHERE id = ?",
                (at, audit_id),
            )
            c.execute(
                "INSERT INTO history (audit_id, at, who, action, field, old, new)"
                " VALUES (?, ?, 'Fictional', 'finalised', 'status', 'draft', 'finalised')",
                (audit_id, at),
            )
        c.execute("UPDATE audits SET status = 'draft' WHERE id = ?", (amended,))
        c.execute(
            "INSERT INTO history (audit_id, at, who, action, field, old, new)"
            " VALUES (?, '2026-03-05T09:00:00.000Z', 'Fictional', 'amended', 'status',"
            " 'finalised', ?)",
            (amended, REASON),
        )
    monkeypatch.undo()

    with Database.open(path, PASSPHRASE) as db:
        assert db.schema_version() == schema.SCHEMA_VERSION
        a = audits.get_audit(db, amended)
        assert a.finalised_at is None
        assert a.first_finalised_at == "2026-03-01T10:00:00.000Z"
        assert (a.amended_at, a.amend_reason) == ("2026-03-05T09:00:00.000Z", REASON)
        assert audits.status_text(a) == f"Draft (reopened for amendment on 2026-03-05: {REASON})"
        with pytest.raises(ReadOnlyAudit):
            audits.delete_draft(db, amended)
        f = audits.get_audit(db, finalised)
        assert f.first_finalised_at == f.finalised_at == "2026-03-02T10:00:00.000Z"
        with pytest.raises(ReadOnlyAudit):
            audits.answer(db, finalised, "p1", "1")
        assert audits.get_audit(db, draft).first_finalised_at is None
        audits.delete_draft(db, draft)
        assert len(db.query("SELECT * FROM answers")) == 2
