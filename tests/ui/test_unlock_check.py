"""Unlock shows the window while the whole-file tamper check runs beside it (issue 22); a
file that fails the check is locked again and the lock screen says why."""

from __future__ import annotations

import pytest

from audit_tool import audits
from audit_tool.errors import DamagedDatabase
from audit_tool.store.connection import PAGE_SIZE
from tests.ui.conftest import PASSPHRASE


def test_a_tampered_file_is_locked_again_with_the_reason_on_screen(qtbot, window, session, db_path):
    for i in range(60):
        audits.add_case(session.db, f"FICT-UC-{i:03d}-" + "x" * 60, "Testshire (fictional)")
    session.lock()
    data = bytearray(db_path.read_bytes())
    offset = (len(data) // PAGE_SIZE // 2) * PAGE_SIZE + PAGE_SIZE // 2
    for i in range(8):
        data[offset + i] ^= 0xA5
    db_path.write_bytes(bytes(data))

    with qtbot.waitSignal(session.refused, timeout=20_000):
        session.unlock(PASSPHRASE)  # opens at once; the check runs beside it
    assert not session.is_open
    form = window.lock_page.form
    assert form.refused and "tampered" in form.message.text()
    with pytest.raises(DamagedDatabase):  # the next unlock checks in front, and refuses
        session.unlock(PASSPHRASE)
