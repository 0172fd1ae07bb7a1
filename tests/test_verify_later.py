"""The whole-file tamper check run beside an unlock (issue 22): the file opens at once, and
nothing is written to a file that fails the check. Real SQLCipher files, fictional data."""

from __future__ import annotations

import pytest

from audit_tool import audits, cases
from audit_tool.errors import DamagedDatabase
from audit_tool.store import Database
from audit_tool.store.connection import PAGE_SIZE
from tests.test_store import PASSPHRASE, _fill, sha256_file


def _flip_a_middle_page(path) -> None:
    data = bytearray(path.read_bytes())
    offset = (len(data) // PAGE_SIZE // 2) * PAGE_SIZE + PAGE_SIZE // 2
    for i in range(8):
        data[offset + i] ^= 0xA5
    path.write_bytes(bytes(data))


def test_a_clean_file_opens_and_takes_writes_once_checked(db, db_path):
    _fill(db, 40)
    db.close()
    with Database.open(db_path, PASSPHRASE, verify_later=True) as again:
        assert again.verification is not None  # checked beside the open, not in front of it
        case = audits.add_case(again, "FICT-VL-1", "Testshire (fictional)")
        assert again.verification is None  # the write waited for the check, which passed
        assert cases.get_case(again, case.id).reference == "FICT-VL-1"


def test_a_tampered_file_opens_but_nothing_is_written_to_it(db, db_path):
    _fill(db, 40)
    db.close()
    _flip_a_middle_page(db_path)
    before = sha256_file(db_path)
    again = Database.open(db_path, PASSPHRASE, verify_later=True)
    try:
        for _ in range(2):  # refused on every write, not only the first
            with pytest.raises(DamagedDatabase, match="damaged or has been tampered with"):
                audits.add_case(again, "FICT-VL-2", "Testshire (fictional)")
    finally:
        again.close()
    assert sha256_file(db_path) == before
    with pytest.raises(DamagedDatabase):  # the check in front of the open still refuses it
        Database.open(db_path, PASSPHRASE)


def test_a_file_that_needs_a_migration_is_checked_before_it_opens(db, db_path):
    _fill(db, 40)
    db.close()
    from tests.test_store import _raw

    conn = _raw(db_path)
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    conn.execute(f"PRAGMA user_version = {version - 1}")  # as an older tool left it
    conn.close()
    _flip_a_middle_page(db_path)
    with pytest.raises(DamagedDatabase):
        Database.open(db_path, PASSPHRASE, verify_later=True)
