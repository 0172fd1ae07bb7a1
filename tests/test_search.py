"""The list's search in evidence notes and summaries (issue 23 item 4): FTS5 inside the real
encrypted database, kept up to date by triggers, and never part of an export."""

from __future__ import annotations

from audit_tool import audits
from audit_tool.search import MORE, match_expression, search_notes
from audit_tool.store import Database
from tests.conftest import PASSPHRASE


def _audit(db, mini, ref: str = "REF-1") -> str:
    case = audits.add_case(db, ref, "Testshire (fictional)")
    return audits.new_audit(db, case.id, mini)


def test_fts5_table_lives_in_the_encrypted_file(db, db_path):
    (sql,) = db.query_one("SELECT sql FROM sqlite_master WHERE name = 'search_text'")
    assert "fts5" in sql.lower()
    assert b"SQLite format 3" not in db_path.read_bytes()[:16]


def test_a_note_is_found_with_its_snippet_and_leaves_when_changed(db, mini):
    a = _audit(db, mini)
    b = _audit(db, mini, "REF-2")
    audits.answer(db, a, "p1", note="Chronology shows the zebrafinch incidents clearly.")
    audits.answer(db, b, "p1", note="Nothing of note here.")
    found = search_notes(db, "zebrafin")  # a prefix: the reviewer is still typing
    assert list(found) == [a]
    assert "[zebrafinch]" in found[a]
    audits.answer(db, a, "p1", note="Rewritten without the bird.")
    assert search_notes(db, "zebrafinch") == {}
    assert list(search_notes(db, "bird")) == [a]


def test_summaries_are_found_and_every_word_must_match(db, mini):
    a = _audit(db, mini)
    audits.set_summary(db, a, "summary", "The quokka plan was reviewed.")
    assert search_notes(db, "quokka plan") == {a: "Summary: The [quokka] [plan] was reviewed."}
    assert search_notes(db, "quokka absent") == {}
    assert search_notes(db, "qu") == {}  # too short to search notes for


def test_a_deleted_draft_leaves_the_index(db, mini):
    a = _audit(db, mini)
    audits.answer(db, a, "p1", note="The axolotl visit is recorded.")
    audits.set_summary(db, a, "strengths", "Axolotl strengths.")
    assert list(search_notes(db, "axolotl")) == [a]
    audits.delete_draft(db, a)
    assert search_notes(db, "axolotl") == {}
    assert db.query_one("SELECT count(*) FROM search_keys")[0] == 0
    assert db.query_one("SELECT count(*) FROM search_text")[0] == 0


def test_operators_typed_are_words_not_syntax(db, mini):
    a = _audit(db, mini)
    audits.answer(db, a, "p1", note='He said "NOT" near the door; OR so it seems.')
    assert match_expression('"NOT" OR (') == '"NOT"* "OR"*'
    assert list(search_notes(db, 'not" or (')) == [a]
    assert search_notes(db, "*** ''") == {}


def test_an_existing_database_is_backfilled_on_upgrade(db_path, mini):
    """Every step after the search step is replayed here, so each must be safe to run twice
    (IF NOT EXISTS, or a Python step that checks first)."""
    from audit_tool.store.schema import MIGRATIONS, SEARCH_STEP

    with Database.create(db_path, PASSPHRASE) as db:
        a = _audit(db, mini)
        audits.answer(db, a, "p1", note="Platypus sighting in the chronology.")
        audits.set_summary(db, a, "improvements", "Wombat follow-up.")
        step = MIGRATIONS.index(SEARCH_STEP)
        conn = db.conn  # undo the search step, as a file written before it would be
        conn.execute("INSERT INTO meta VALUES ('migrating', 'test')")
        for (name,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'search_%'"
        ).fetchall():
            conn.execute(f"DROP TRIGGER {name}")
        conn.execute("DROP TABLE search_text")
        conn.execute("DROP TABLE search_keys")
        conn.execute("DELETE FROM meta WHERE key = 'migrating'")
        conn.execute(f"PRAGMA user_version = {step}")
        conn.commit()
    with Database.open(db_path, PASSPHRASE) as db:
        assert list(search_notes(db, "platypus")) == [a]
        assert list(search_notes(db, "wombat")) == [a]


def test_a_replaced_row_leaves_no_stale_text(db, mini):
    """INSERT OR REPLACE fires no delete trigger (recursive_triggers is off): the insert
    trigger clears what the replaced row left, so the old words are no longer found."""
    a = _audit(db, mini)
    audits.answer(db, a, "p1", note="The narwhal visit.")
    with db.conn as conn:
        conn.execute(
            "INSERT OR REPLACE INTO answers (audit_id, item_id, note, updated_at)"
            " VALUES (?, 'p1', 'The dugong visit.', '2026-01-01')", (a,)
        )
    assert search_notes(db, "narwhal") == {}
    assert list(search_notes(db, "dugong")) == [a]
    assert db.query_one("SELECT count(*) FROM search_text")[0] == 1


def test_a_hidden_items_note_is_not_searchable(db, mini):
    a = _audit(db, mini)
    audits.answer(db, a, "p1", note="The manatee note.")
    with db.conn as conn:  # as store.flat.mark_hidden does when a condition hides the item
        conn.execute("UPDATE answers SET applies = 0 WHERE audit_id = ? AND item_id = 'p1'", (a,))
    assert search_notes(db, "manatee") == {}
    with db.conn as conn:
        conn.execute("UPDATE answers SET applies = 1 WHERE audit_id = ? AND item_id = 'p1'", (a,))
    assert list(search_notes(db, "manatee")) == [a]


def test_every_matching_audit_is_found_and_the_newest_have_snippets(db, mini):
    ids = [_audit(db, mini, f"REF-{i}") for i in range(5)]
    for aid in ids:
        audits.answer(db, aid, "p1", note="The heron visit.")
    found = search_notes(db, "heron", snippets=2)
    assert set(found) == set(ids)
    assert [found[a] for a in ids[-2:]] == ["The [heron] visit."] * 2  # newest first
    assert [found[a] for a in ids[:3]] == [MORE] * 3
