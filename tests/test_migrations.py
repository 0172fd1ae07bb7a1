"""Schema migrations on a real encrypted database: backup first, foreign keys off while a
table is rebuilt (the SQLite-documented way), all or nothing, nothing lost.

All data is synthetic and clearly fictional.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlcipher3

from audit_tool import audits
from audit_tool.errors import AuditToolError
from audit_tool.store import Database, connection, schema

PASSPHRASE = "fictional tartan kettle harbour"
AREA = "Glenmorven (fictional)"
SHIPPED = tuple(schema.MIGRATIONS)


def _register(monkeypatch: pytest.MonkeyPatch, *steps) -> int:
    """Pretend a newer tool: the shipped migrations plus extra steps. Returns the new version."""
    migrations = [*SHIPPED, *steps]
    for module in (schema, connection):
        if hasattr(module, "MIGRATIONS"):
            monkeypatch.setattr(module, "MIGRATIONS", migrations)
        if hasattr(module, "SCHEMA_VERSION"):
            monkeypatch.setattr(module, "SCHEMA_VERSION", len(migrations))
    return len(migrations)


def _filled(path: Path, mini) -> dict[str, list[tuple]]:
    """A database at the shipped version with two audits' worth of answers; its contents."""
    with Database.create(path, PASSPHRASE) as db:
        case = audits.add_case(db, "FICTIONAL-MIG-0001", AREA)
        # p2 not applicable: p3 is left out, so the answers are exactly the six given
        for ratings in (("4", "na", "5"), ("6", "na", "2")):
            audit_id = audits.new_audit(db, case.id, mini)
            for item, rating in zip(("p1", "p2", "q1"), ratings, strict=True):
                audits.answer(db, audit_id, item, rating, note=f"fictional note {item}")
            audits.set_recommendations(
                db, audit_id, [audits.Recommendation("Fictional recommendation")]
            )
        audits.finalise(db, audit_id)  # the second one is finalised, the first a draft
        return _contents(db.conn)


def _contents(conn: sqlcipher3.Connection) -> dict[str, list[tuple]]:
    return {
        table: conn.execute(f"SELECT * FROM {table} ORDER BY 1, 2").fetchall()  # noqa: S608
        for table in ("cases", "audits", "answers", "recommendations", "history")
    }


def _rebuild_audits(conn: sqlcipher3.Connection) -> str:
    """The documented 12-step rebuild of `audits` as one SQL script (same columns)."""
    table_sql = conn.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'audits'"
    ).fetchone()[0]
    extras = [
        r[0]
        for r in conn.execute(
            "SELECT sql FROM sqlite_master WHERE tbl_name = 'audits'"
            " AND type IN ('index', 'trigger') AND sql IS NOT NULL"
        )
    ]
    new_table = table_sql.replace("CREATE TABLE audits", "CREATE TABLE audits_new", 1)
    return (
        ";\n".join(
            [
                new_table,
                "INSERT INTO audits_new SELECT * FROM audits",
                "DROP TABLE audits",
                "ALTER TABLE audits_new RENAME TO audits",
                *extras,
            ]
        )
        + ";\n"
    )


def test_a_table_rebuild_keeps_every_answer(tmp_path, mini, monkeypatch):
    path = tmp_path / "audits.db"
    before = _filled(path, mini)
    assert len(before["answers"]) == 6 and len(before["recommendations"]) == 2
    with Database.open(path, PASSPHRASE) as db:
        step = _rebuild_audits(db.conn)
    version = _register(monkeypatch, step)

    with Database.open(path, PASSPHRASE) as db:
        assert db.schema_version() == version
        assert _contents(db.conn) == before  # every answer, recommendation and audit kept
        assert db.query_one("PRAGMA foreign_keys")[0] == 1  # back on after the migration
        assert db.query("PRAGMA foreign_key_check") == []
        assert db.integrity_problems() == []
    assert Path(f"{path}.before-v{version}.bak").exists()


def test_a_failing_step_leaves_the_old_version_all_data_and_the_backup(tmp_path, mini, monkeypatch):
    path = tmp_path / "audits.db"
    before = _filled(path, mini)
    shipped = schema.SCHEMA_VERSION
    # changes data, then fails half way: none of it may stay
    step = (
        "CREATE TABLE half_done (x);\n"
        "DELETE FROM answers WHERE audit_id IN (SELECT id FROM audits WHERE status = 'draft');\n"
        "UPDATE cases SET area = 'changed';\n"
        "INSERT INTO no_such_table VALUES (1);\n"
    )
    version = _register(monkeypatch, step)

    with pytest.raises(AuditToolError) as exc:
        Database.open(path, PASSPHRASE)
    message = str(exc.value)
    assert "\n" not in message
    assert f"schema {shipped}" in message and "backup" in message.lower()

    backup = Path(f"{path}.before-v{version}.bak")
    assert backup.exists()
    monkeypatch.undo()  # the shipped tool opens the file as it was
    with Database.open(path, PASSPHRASE) as db:
        assert db.schema_version() == shipped
        assert _contents(db.conn) == before
        assert db.query_one("SELECT 1 FROM sqlite_master WHERE name = 'half_done'") is None
    with Database.open(backup, PASSPHRASE) as copy:
        assert _contents(copy.conn) == before


def test_a_step_that_orphans_rows_is_rolled_back(tmp_path, mini, monkeypatch):
    """foreign_key_check runs before COMMIT: with foreign keys off, a step could otherwise
    leave answers pointing at no audit."""
    path = tmp_path / "audits.db"
    before = _filled(path, mini)
    shipped = schema.SCHEMA_VERSION
    _register(monkeypatch, "DELETE FROM audits WHERE status = 'draft';\n")

    with pytest.raises(AuditToolError) as exc:
        Database.open(path, PASSPHRASE)
    assert "answers" in str(exc.value) and f"left at schema {shipped}" in str(exc.value)
    monkeypatch.undo()
    with Database.open(path, PASSPHRASE) as db:
        assert db.schema_version() == shipped
        assert _contents(db.conn) == before


def test_a_python_step_runs_inside_the_transaction(tmp_path, mini, monkeypatch):
    path = tmp_path / "audits.db"
    before = _filled(path, mini)

    def add_word_counts(conn: sqlcipher3.Connection) -> None:
        conn.execute("ALTER TABLE answers ADD COLUMN words INTEGER NOT NULL DEFAULT 0")
        for audit_id, item_id, note in conn.execute(
            "SELECT audit_id, item_id, note FROM answers"
        ).fetchall():
            conn.execute(
                "UPDATE answers SET words = ? WHERE audit_id = ? AND item_id = ?",
                (len(note.split()), audit_id, item_id),
            )

    def fails_after_a_change(conn: sqlcipher3.Connection) -> None:
        conn.execute(
            "DELETE FROM recommendations WHERE audit_id IN"
            " (SELECT id FROM audits WHERE status = 'draft')"
        )
        raise ValueError("fictional failure\nsecond line")

    version = _register(monkeypatch, add_word_counts)
    with Database.open(path, PASSPHRASE) as db:
        assert db.schema_version() == version
        # it rewrote the finalised audit's answers too; then the read-only guard is back
        assert {r[0] for r in db.query("SELECT words FROM answers")} == {3}  # "fictional note p1"
        assert db.query("SELECT * FROM meta WHERE key = 'migrating'") == []
        finalised = db.query_one("SELECT id FROM audits WHERE status = 'finalised'")[0]
        with pytest.raises(sqlcipher3.IntegrityError):
            db.conn.execute("UPDATE answers SET words = 0 WHERE audit_id = ?", (finalised,))

    _register(monkeypatch, add_word_counts, fails_after_a_change)
    with pytest.raises(AuditToolError) as exc:
        Database.open(path, PASSPHRASE)
    assert str(exc.value).startswith(f"The database could not be upgraded to schema {version + 1}")
    assert "fictional failure" in str(exc.value) and "second line" not in str(exc.value)
    with sqlcipher3.connect(str(path)) as raw:
        raw.execute(f"PRAGMA key = '{PASSPHRASE}'")
        assert raw.execute("PRAGMA user_version").fetchone()[0] == version
        assert raw.execute("SELECT count(*) FROM recommendations").fetchone()[0] == len(
            before["recommendations"]
        )


def test_an_older_different_backup_is_never_overwritten(tmp_path, mini, monkeypatch):
    path = tmp_path / "audits.db"
    _filled(path, mini)
    version = _register(monkeypatch, "CREATE TABLE fictional_extra (x);\n")
    stale = Path(f"{path}.before-v{version}.bak")
    stale.write_bytes(b"an older, different backup")
    with Database.open(path, PASSPHRASE) as db:
        assert db.schema_version() == version
    assert stale.read_bytes() == b"an older, different backup"
    fresh = [p for p in tmp_path.glob(f"audits.db.before-v{version}.*.bak")]
    assert len(fresh) == 1
    monkeypatch.undo()
    with Database.open(fresh[0], PASSPHRASE) as copy:
        assert copy.schema_version() == schema.SCHEMA_VERSION


@pytest.mark.parametrize("mode", [0o600, 0o640])
def test_the_backup_is_as_private_as_the_database(tmp_path, mini, monkeypatch, mode):
    """Issue 17 item 8: the backup is the same case data; it gets the database's mode,
    whatever the umask (the copy was 0644 beside a 0600 database)."""
    import os

    path = tmp_path / "audits.db"
    _filled(path, mini)
    path.chmod(mode)
    version = _register(monkeypatch, "CREATE TABLE fictional_extra (x INTEGER)")
    old = os.umask(0o022)
    try:
        Database.open(path, PASSPHRASE).close()
    finally:
        os.umask(old)
    backup = Path(f"{path}.before-v{version}.bak")
    assert backup.stat().st_mode & 0o777 == mode
