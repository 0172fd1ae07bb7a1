"""Starting the window: what the first paint does not need waits for it (issue 22: launch).
The reader's second connection (a key derivation) and the rest of a long list start once
the window is painted, or at once for a window that is not shown. No timing."""

from __future__ import annotations

from audit_tool import audits


def _reader_running(session) -> bool:
    return session._reader is not None and session._reader._thread.isRunning()


def test_the_reader_connection_opens_once_the_window_is_painted(qtbot, session, settings):
    from ui.main_window import MainWindow

    window = MainWindow(session, settings)
    qtbot.addWidget(window)
    window.resize(1200, 800)
    window.show()
    assert not _reader_running(session)  # not while the window is built and first painted
    qtbot.waitUntil(lambda: _reader_running(session), timeout=5000)
    window.close()


def test_a_window_not_shown_still_gets_the_whole_long_list(qtbot, session, settings, mini):
    from ui.list.list_loader import FIRST_PAGE
    from ui.main_window import MainWindow

    case = audits.add_case(session.db, "REF-LONG-0001", "Testshire (fictional)")
    for _ in range(FIRST_PAGE + 5):
        audits.new_audit(session.db, case.id, mini)
    window = MainWindow(session, settings)
    qtbot.addWidget(window)
    assert window.list_model.partial and window.loader.loading()  # the first page only
    qtbot.waitUntil(lambda: not window.loader.loading(), timeout=20000)
    assert window.list_model.rowCount() == FIRST_PAGE + 5 and not window.list_model.partial
