"""The one operation runner (ui.operations) and the Session's published Changes.

Real widgets: the export dialog runs its render through the runner, so what the reviewer
sees there is what the runner decided; the window's list, editor and controller are real,
on a real encrypted database."""

from __future__ import annotations

import errno
import threading

import pytest
from PySide6.QtCore import Qt

from audit_tool import audits
from audit_tool.changes import Changes
from audit_tool.errors import ExportProblem
from audit_tool.filters import AuditFilter
from ui.excepthook import ExceptionReporter
from ui.export.export_dialog import ExportDialog
from ui.list.audit_list_model import COL


class Report:
    what, include = "one audit", False


def _dialog(qtbot, session, tmp_path, render) -> ExportDialog:
    dialog = ExportDialog(
        session,
        str(tmp_path),
        "A1",
        AuditFilter(),
        "1 audit",
        render=render,
        build_audit=lambda db, audit_id, include: Report(),
    )
    qtbot.addWidget(dialog)
    dialog.recipient.setText("Case holder (fictional)")  # one audit's report is a release too
    return dialog


@pytest.fixture
def reporter():
    r = ExceptionReporter()
    yield r
    r.restore()


def test_a_user_error_is_one_line_in_the_dialog_and_not_a_bug(
    qtbot, session, tmp_path, unexpected_messages, reporter
):
    def full_folder(report, fmt, path, progress):
        progress(0.5)
        raise ExportProblem("The folder is full; choose another place to save.")

    dialog = _dialog(qtbot, session, tmp_path, full_folder)
    reporter.install()
    dialog.export_button.click()
    qtbot.waitUntil(lambda: not dialog.running(), timeout=5000)
    assert dialog.status.text() == "The folder is full; choose another place to save."
    assert unexpected_messages == []  # not reported as a bug
    assert dialog.export_button.isEnabled() and dialog.cancel_button.text() == "Close"


def test_an_environment_error_says_what_the_system_said(
    qtbot, session, tmp_path, unexpected_messages, reporter
):
    def disk_full(report, fmt, path, progress):
        raise OSError(errno.ENOSPC, "No space left on device")

    dialog = _dialog(qtbot, session, tmp_path, disk_full)
    reporter.install()
    dialog.export_button.click()
    qtbot.waitUntil(lambda: not dialog.running(), timeout=5000)
    assert dialog.status.text() == (
        "The export failed unexpectedly (No space left on device); nothing was saved."
    )
    assert unexpected_messages == []


def test_a_bug_goes_to_the_reporter_and_the_dialog_is_usable_again(
    qtbot, session, tmp_path, unexpected_messages, reporter
):
    ran_on = []

    def buggy(report, fmt, path, progress):
        ran_on.append(threading.current_thread())
        raise KeyError("REF-0001")  # a bug; its quoted value may be case text

    dialog = _dialog(qtbot, session, tmp_path, buggy)
    with qtbot.capture_exceptions() as caught:
        reporter.install()
        dialog.export_button.click()
        qtbot.waitUntil(lambda: bool(unexpected_messages), timeout=5000)
        qtbot.waitUntil(lambda: not dialog.running(), timeout=5000)
        reporter.restore()
    assert [type(exc) for _t, exc, _tb in caught] == [KeyError]
    assert ran_on and ran_on[0] is not threading.main_thread()
    assert unexpected_messages[0].startswith("Something went wrong: KeyError: […].")
    assert dialog.status.text() == "The export failed unexpectedly (KeyError); nothing was saved."
    assert dialog.export_button.isEnabled()


def test_finalising_in_the_editor_shows_finalised_in_the_list(
    qtbot, window, session, audit_id, editor, monkeypatch
):
    """The list row changes because the Session published the finalise, not because the
    controller touched the list."""
    import ui.controller as controller

    for item, rating in (("p1", "4"), ("p2", "no"), ("q1", "4")):
        audits.answer(session.db, audit_id, item, rating=rating)
    window.loader.load()
    row = window.list_model.row_of(audit_id)
    status = window.list_model.index(row, COL["status"])
    assert window.list_model.data(status, Qt.ItemDataRole.DisplayRole) == "Draft"
    seen: list[Changes] = []
    session.changed.connect(seen.append)
    refreshed = []
    real_refresh = window.loader.refresh
    monkeypatch.setattr(window.loader, "refresh", lambda a: (refreshed.append(a), real_refresh(a)))
    monkeypatch.setattr(controller, "confirm", lambda *a, **k: True)
    window.editor.reload()  # the ratings set above, on screen
    window.actions.finalise.trigger()
    assert any(audit_id in c.status for c in seen)
    assert refreshed == [audit_id]  # from Session.changed, through the loader
    row = window.list_model.row_of(audit_id)
    status = window.list_model.index(row, COL["status"])
    assert window.list_model.data(status, Qt.ItemDataRole.DisplayRole) == "Finalised"
    assert window.editor.read_only_banner.isVisible()  # the editor read it again too


def test_typing_saves_mark_the_row_and_the_list_shows_it_when_back(
    qtbot, window, session, audit_id, editor
):
    window.loader.load()
    row = window.list_model.row_of(audit_id)
    before = window.list_model.index(row, COL["progress"]).data(Qt.ItemDataRole.DisplayRole)
    qtbot.keyClick(editor.items["p1"].rating, Qt.Key.Key_3)
    assert audits.get_audit(session.db, audit_id).answers["p1"].rating == "4"
    assert editor.undo_stack.count() == 1  # the editor's own save did not reload it
    window.actions.back.trigger()
    row = window.list_model.row_of(audit_id)
    after = window.list_model.index(row, COL["progress"]).data(Qt.ItemDataRole.DisplayRole)
    assert after != before


def test_a_concern_raised_keeps_undo_and_a_received_change_reloads(
    qtbot, window, session, audit_id, editor
):
    qtbot.keyClick(editor.items["p1"].rating, Qt.Key.Key_3)
    assert editor.undo_stack.count() == 1
    session.publish(Changes(audits=frozenset({audit_id})))  # nothing new in the answers
    assert editor.undo_stack.count() == 1
    audits.answer(session.db, audit_id, "p1", rating="6")  # as if it came from another laptop
    session.publish(Changes(audits=frozenset({audit_id})))
    assert editor.ratings["p1"] == "6"  # read again: what is stored is what is shown
    assert editor.undo_stack.count() == 0


def test_deleting_the_open_draft_closes_the_editor(
    qtbot, window, session, audit_id, editor, monkeypatch
):
    import ui.controller as controller

    monkeypatch.setattr(controller, "confirm", lambda *a, **k: True)
    window.loader.load()
    window.actions.delete_draft.trigger()
    assert window.editor.audit is None
    assert window.stack.currentWidget() is window.list_page
    assert window.list_model.row_of(audit_id) < 0


def test_the_import_runs_off_the_gui_thread_on_a_connection_of_its_own(
    qtbot, window, session, mini, tmp_path, monkeypatch
):
    """The bundle import no longer borrows the window's connection from a worker thread;
    what it wrote is seen by the window (the list shows the new audit from the Changes)."""
    import ui.exchange.receive_dialog as receive
    from audit_tool.exchange import export_bundle
    from audit_tool.store import Database
    from ui.exchange.receive_dialog import ReceiveDialog

    other = Database.create(tmp_path / "other.db", "another fictional passphrase")
    audits.set_local_reviewer(other, "Fictional reviewer on the other laptop")
    case = audits.add_case(other, "FICT-OWN-01", "Glenmorven (fictional)")
    theirs = audits.new_audit(other, case.id, mini)
    export_bundle(other, tmp_path / "in.age", passphrase="a fictional file passphrase")
    other.close()
    used = []
    real = receive.import_bundle

    def spy(db, bundle, progress):
        used.append((db is session.db, threading.current_thread() is threading.main_thread()))
        return real(db, bundle, progress)

    monkeypatch.setattr(receive, "import_bundle", spy)
    window.loader.load()
    dialog = ReceiveDialog(session, str(tmp_path), window)
    qtbot.addWidget(dialog)
    dialog.path.setText(str(tmp_path / "in.age"))
    dialog.passphrase.edit.setText("a fictional file passphrase")
    dialog.start_preview()
    qtbot.waitUntil(lambda: dialog.preview is not None, timeout=15000)
    dialog.start_import()
    qtbot.waitUntil(lambda: dialog.merged is not None and not dialog.running(), timeout=15000)
    assert used == [(False, False)]
    assert "Imported: 1 new" in dialog.status.text()
    qtbot.waitUntil(lambda: window.list_model.row_of(theirs) >= 0, timeout=5000)
