"""The encrypted store: key handling, pragmas, migrations, refusal of bad files, passphrases."""

from __future__ import annotations

import hashlib
import os
import sqlite3
import unicodedata
from pathlib import Path

import pytest
import sqlcipher3

from audit_tool import audits, passphrase
from audit_tool.errors import (
    AuditToolError,
    DamagedDatabase,
    InvalidInput,
    NewerSchema,
    NotAnAuditDatabase,
    WeakPassphrase,
    WrongPassphrase,
)
from audit_tool.store import SCHEMA_VERSION, Database
from audit_tool.store.connection import APP_ID, PAGE_SIZE
from audit_tool.store.schema import MIGRATIONS

PASSPHRASE = "fictional tartan kettle harbour"


def sha256_file(path: Path) -> str | None:
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except FileNotFoundError:
        return None


def file_state(path: Path) -> dict[str, str | None]:
    """Digests of a database file and its -wal/-shm companions (None: absent)."""
    return {suffix: sha256_file(Path(f"{path}{suffix}")) for suffix in ("", "-wal", "-shm")}


def _raw(path: Path, key: str = PASSPHRASE) -> sqlcipher3.Connection:
    conn = sqlcipher3.connect(str(path), isolation_level=None)
    conn.execute("PRAGMA key = '" + key.replace("'", "''") + "'")
    return conn


# -- opening, pragmas, schema ---------------------------------------------------------------


def test_new_database_pragmas_and_schema(db):
    assert db.query_one("PRAGMA journal_mode")[0] == "wal"
    assert db.query_one("PRAGMA synchronous")[0] == 2  # FULL
    assert db.query_one("PRAGMA temp_store")[0] == 2  # MEMORY
    assert db.query_one("PRAGMA foreign_keys")[0] == 1
    assert db.query_one("PRAGMA application_id")[0] == APP_ID
    assert db.schema_version() == SCHEMA_VERSION == len(MIGRATIONS) >= 1
    assert db.query_one("PRAGMA cipher_version")[0].startswith("4.")
    tables = {r[0] for r in db.query("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"cases", "audits", "answers", "history", "checklist_defs"} <= tables


def test_reopen_applies_the_same_pragmas(db, db_path):
    db.close()
    with Database.open(db_path, PASSPHRASE) as again:
        assert again.query_one("PRAGMA journal_mode")[0] == "wal"
        assert again.query_one("PRAGMA synchronous")[0] == 2
        assert again.query_one("PRAGMA temp_store")[0] == 2
        assert again.query_one("PRAGMA foreign_keys")[0] == 1


def test_foreign_keys_are_enforced(db):
    with pytest.raises(sqlcipher3.IntegrityError):
        db.conn.execute(
            "INSERT INTO audits (id, case_id, checklist_sha, checklist_id, audit_type, phase,"
            " reviewer_id, created_at, updated_at) VALUES ('a', 'no-such-case', 'x', 'x', 't', 'p',"
            " 'r', 'now', 'now')"
        )


def test_file_is_encrypted_and_key_comes_first(db, db_path):
    audits.add_case(db, "FICTIONAL-REF-0001", "Glenmorven (fictional)")
    db.close()
    raw = db_path.read_bytes()
    assert not raw.startswith(b"SQLite format 3")
    assert b"FICTIONAL-REF-0001" not in raw
    # plain sqlite cannot read it
    conn = sqlite3.connect(db_path)
    with pytest.raises(sqlite3.DatabaseError):
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    conn.close()
    # any SQLCipher 4 tool with the passphrase can (the records outlive the tool)
    conn = _raw(db_path)
    assert conn.execute("SELECT reference FROM cases").fetchall() == [("FICTIONAL-REF-0001",)]
    conn.close()


def test_older_schema_is_migrated_with_a_backup(tmp_path):
    """A version-0 file made by this tool (application_id set, no tables) is migrated."""
    path = tmp_path / "old.db"
    conn = _raw(path)
    conn.execute(f"PRAGMA application_id = {APP_ID}")
    conn.execute("CREATE TABLE placeholder (x)")  # a real page, so the file is not empty
    conn.close()
    assert _raw(path).execute("PRAGMA user_version").fetchone()[0] == 0
    with Database.open(path, PASSPHRASE) as db:
        assert db.schema_version() == SCHEMA_VERSION
        audits.add_case(db, "FICTIONAL-MIG-1", "Inverbrack (fictional)")
    backup = tmp_path / f"old.db.before-v{SCHEMA_VERSION}.bak"
    assert backup.exists()
    old = _raw(backup)
    assert old.execute("PRAGMA user_version").fetchone()[0] == 0


def test_newer_schema_is_refused_and_left_byte_for_byte(tmp_path):
    path = tmp_path / "newer.db"
    Database.create(path, PASSPHRASE).close()
    conn = _raw(path)
    conn.execute("PRAGMA user_version = 99")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    before = file_state(path)
    before_names = sorted(p.name for p in tmp_path.iterdir())
    with pytest.raises(NewerSchema) as exc:
        Database.open(path, PASSPHRASE)
    assert exc.value.exit_code == 1
    assert "newer version" in str(exc.value) and "99" in str(exc.value)
    assert file_state(path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == before_names  # no backup, no -wal left
    # still exactly what the newer tool wrote
    conn = _raw(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 99
    conn.close()


def test_newer_schema_with_pending_wal_is_left_untouched(tmp_path):
    path = tmp_path / "newer-wal.db"
    Database.create(path, PASSPHRASE).close()
    writer = _raw(path)  # a newer tool that crashed before checkpointing
    writer.execute("PRAGMA wal_autocheckpoint = 0")
    writer.execute("PRAGMA user_version = 99")
    writer.execute("CREATE TABLE from_the_future (x)")
    copy = tmp_path / "copy.db"
    copy.write_bytes(path.read_bytes())
    Path(f"{copy}-wal").write_bytes(Path(f"{path}-wal").read_bytes())
    writer.close()
    before = file_state(copy)
    assert before["-wal"] is not None
    with pytest.raises(NewerSchema):
        Database.open(copy, PASSPHRASE)
    assert file_state(copy) == before


# -- passphrase change ----------------------------------------------------------------------


def test_change_passphrase_old_fails_new_opens(db, db_path):
    case = audits.add_case(db, "FICTIONAL-RK-1", "Port Ceanna (fictional)")
    new = "a brand new fictional passphrase"
    db.change_passphrase(new)
    db.close()
    with pytest.raises(WrongPassphrase) as exc:
        Database.open(db_path, PASSPHRASE)
    assert exc.value.exit_code == 3
    with Database.open(db_path, new) as again:
        assert audits.get_case(again, case.id).reference == "FICTIONAL-RK-1"
        assert again.integrity_problems() == []


def test_change_passphrase_refuses_a_weak_one(db, db_path):
    with pytest.raises(WeakPassphrase):
        db.change_passphrase("too short")
    db.close()
    Database.open(db_path, PASSPHRASE).close()  # unchanged


# -- integrity -------------------------------------------------------------------------------


def _fill(db, n: int = 150) -> None:
    for i in range(n):
        audits.add_case(db, f"FICTIONAL-{i:04d}-" + "x" * 60, "Eilean Dorcha (fictional)")


def test_integrity_check_is_empty_on_a_clean_database(db):
    _fill(db, 20)
    assert db.integrity_problems() == []


def test_flipped_bytes_are_detected(db, db_path):
    _fill(db)
    db.close()
    data = bytearray(db_path.read_bytes())
    pages = len(data) // PAGE_SIZE
    assert pages >= 4
    offset = (pages // 2) * PAGE_SIZE + PAGE_SIZE // 2  # the middle of a middle page
    for i in range(8):
        data[offset + i] ^= 0xA5
    db_path.write_bytes(bytes(data))
    before = file_state(db_path)
    with pytest.raises(DamagedDatabase) as exc:  # refused before anything is written
        Database.open(db_path, PASSPHRASE)
    assert "damaged" in str(exc.value)
    assert file_state(db_path) == before


# -- passphrase rules ---------------------------------------------------------------------------


@pytest.mark.parametrize("weak", ["", "short", "fourteen chars", "x" * 14, "ae\u0301" * 7])
def test_short_passphrases_are_refused(tmp_path, weak):
    # "ae\u0301" * 7 is 21 code points in NFD, 14 after NFC: the NFC length counts
    path = tmp_path / "weak.db"
    with pytest.raises(WeakPassphrase) as exc:
        Database.create(path, weak)
    assert "15" in str(exc.value)
    assert not path.exists()


def test_passphrase_length_counts_after_nfc():
    assert passphrase.length("ae\u0301" * 7) == 14
    assert passphrase.check("x" * 15) == "x" * 15
    with pytest.raises(WeakPassphrase):
        passphrase.check("nul\x00in the middle of it")


@pytest.mark.parametrize(
    "phrase",
    [
        "cù-sìthe bàta loch uisge",  # Scottish Gaelic
        "źdźbło żółw gęś ćma",  # Polish
        "قمر بحر شجرة كتاب",  # Arabic
        "  spaces at both ends  ",
    ],
)
def test_any_script_and_spaces_work(tmp_path, phrase):
    path = tmp_path / "script.db"
    with Database.create(path, phrase) as db:
        audits.add_case(db, "FICTIONAL-SCRIPT", "Kilbrannan Forth (fictional)")
    with Database.open(path, phrase) as db:
        assert [c.reference for c in audits.list_cases(db)] == ["FICTIONAL-SCRIPT"]
    with pytest.raises(WrongPassphrase):
        Database.open(path, phrase.strip() + "!")


def test_nfd_typed_passphrase_opens_an_nfc_database(tmp_path):
    nfc = unicodedata.normalize("NFC", "Càit a bheil an t-òran àlainn")
    nfd = unicodedata.normalize("NFD", nfc)
    assert nfc != nfd and nfc.encode() != nfd.encode()
    path = tmp_path / "nfc.db"
    Database.create(path, nfc).close()
    with Database.open(path, nfd) as db:
        assert db.integrity_problems() == []
    # and the other way round
    path2 = tmp_path / "nfd.db"
    Database.create(path2, nfd).close()
    Database.open(path2, nfc).close()


# -- files that are not (sound) audit databases ----------------------------------------------------


def _assert_refused_untouched(
    path: Path, expected: tuple[type[AuditToolError], ...], exit_code=None, key: str = PASSPHRASE
) -> AuditToolError:
    before = file_state(path)
    siblings = sorted(p.name for p in path.parent.iterdir())
    with pytest.raises(expected) as exc:
        Database.open(path, key)
    if exit_code is not None:
        assert exc.value.exit_code == exit_code
    assert file_state(path) == before, "the file (or its -wal/-shm) was changed"
    assert sorted(p.name for p in path.parent.iterdir()) == siblings, "files were left behind"
    assert "\n" not in str(exc.value) and str(exc.value)
    return exc.value


def test_wrong_passphrase(db, db_path):
    _fill(db, 5)
    db.close()
    err = _assert_refused_untouched(db_path, (WrongPassphrase,), 3, key="not the right passphrase")
    assert "passphrase" in str(err).lower()


def test_random_bytes_file(tmp_path):
    path = tmp_path / "random.db"
    path.write_bytes(os.urandom(4096 * 3))
    _assert_refused_untouched(path, (WrongPassphrase, NotAnAuditDatabase), 3)


def test_empty_file_stays_empty(tmp_path):
    path = tmp_path / "empty.db"
    path.write_bytes(b"")
    _assert_refused_untouched(path, (NotAnAuditDatabase,), 3)
    assert path.stat().st_size == 0


def test_truncated_file_is_damaged(db, db_path):
    _fill(db, 50)
    db.close()
    data = db_path.read_bytes()
    db_path.write_bytes(data[: PAGE_SIZE * 2 + 1234])
    err = _assert_refused_untouched(db_path, (DamagedDatabase,))
    assert "truncated" in str(err) or "damaged" in str(err)


@pytest.mark.parametrize("pages", [1, 2, 5])
def test_truncated_to_whole_pages_is_damaged(db, db_path, pages):
    _fill(db, 150)
    db.close()
    data = db_path.read_bytes()
    assert len(data) > PAGE_SIZE * 10
    db_path.write_bytes(data[: PAGE_SIZE * pages])
    _assert_refused_untouched(db_path, (DamagedDatabase,))


def test_plain_sqlite_file(tmp_path):
    path = tmp_path / "plain.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE notes (text)")
    conn.execute("INSERT INTO notes VALUES ('fictional plain text')")
    conn.commit()
    conn.close()
    _assert_refused_untouched(path, (WrongPassphrase, NotAnAuditDatabase), 3)


def test_other_sqlcipher_database_is_not_ours(tmp_path):
    path = tmp_path / "other.db"
    conn = _raw(path)
    conn.execute("CREATE TABLE t (x)")
    conn.close()
    _assert_refused_untouched(path, (NotAnAuditDatabase,), 3)


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(NotAnAuditDatabase):
        Database.open(tmp_path / "nothing-here.db", PASSPHRASE)
    assert not (tmp_path / "nothing-here.db").exists()
    with pytest.raises(NotAnAuditDatabase):
        Database.open(tmp_path, PASSPHRASE)


@pytest.mark.parametrize("content", [b"", b"fictional existing content\n", None])
def test_create_refuses_an_existing_path(db_path, content):
    if content is None:
        Database.create(db_path, PASSPHRASE).close()
    else:
        db_path.write_bytes(content)
    before = sha256_file(db_path)
    with pytest.raises(InvalidInput) as exc:
        Database.create(db_path, PASSPHRASE)
    assert "already exists" in str(exc.value)
    assert sha256_file(db_path) == before


@pytest.mark.parametrize(
    "blank",
    [
        " " * 20,
        "\t" * 20,
        "\u200b" * 20,  # zero-width space
        " \u200c\u200d\u2060\ufeff" * 5,  # joiners, word joiner, BOM
        "\u3000\u00a0" * 10,  # ideographic and no-break spaces
        "\u3164" * 20,  # Hangul filler: shows as nothing
        "word" + "\u200b" * 16,  # one short word padded out with invisible characters
        "short" + " " * 15,
    ],
)
def test_passphrases_that_look_empty_or_short_are_refused(tmp_path, blank):
    """Issue 17 item 9: what counts is what shows; a run of spaces counts once."""
    path = tmp_path / "blank.db"
    with pytest.raises(WeakPassphrase, match="at least 15 characters"):
        Database.create(path, blank)
    assert not path.exists()


def test_visible_length_keeps_single_spaces_between_words():
    assert passphrase.length("cat dog sun owl") == 15
    assert passphrase.length("  cat   dog\tsun\u200b owl  ") == 15
    assert passphrase.check("cat dog sun owl") == "cat dog sun owl"


def test_an_empty_passphrase_at_open_is_the_wrong_passphrase(db_path):
    """AUDIT_TOOL_PASSPHRASE='' reached SQLCipher ("PRAGMA key requires a key"), a bug report."""
    Database.create(db_path, PASSPHRASE).close()
    before = file_state(db_path)
    with pytest.raises(WrongPassphrase) as exc:
        Database.open(db_path, "")
    assert exc.value.exit_code == 3 and str(exc.value) == "No passphrase was given."
    assert file_state(db_path) == before


def test_cli_empty_passphrase_is_one_line_exit_3(db_path, cli):
    Database.create(db_path, PASSPHRASE).close()
    r = cli("--db", db_path, "audit", "list", passphrase="")
    assert r.returncode == 3, r
    assert r.stderr.splitlines() == ["audit-tool: No passphrase was given."], r


def test_a_bigger_page_cache_lasts_only_for_its_work(db):
    usual = db.query_one("PRAGMA cache_size")[0]
    with db.page_cache(4096):
        assert db.query_one("PRAGMA cache_size")[0] == -4096
    assert db.query_one("PRAGMA cache_size")[0] == usual
    with pytest.raises(ZeroDivisionError), db.page_cache(8192):
        1 / 0  # noqa: B018 (work that fails half way)
    assert db.query_one("PRAGMA cache_size")[0] == usual
