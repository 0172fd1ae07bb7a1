"""A bug in a slot (an exception other than AuditToolError) is not lost: a plain message
without case text, the save indicator says "Not saved", the traceback still goes to the
previous hook (stderr, or pytest-qt in tests), and run() puts the previous hook back."""

from __future__ import annotations

import sys

import pytest
from PySide6.QtCore import Qt, QThread, QTimer
from PySide6.QtWidgets import QDialog

from audit_tool import audits
from ui import app as app_module
from ui.excepthook import ExceptionReporter

MESSAGE_END = ". Your saved work is safe; the last change may not have been saved."




@pytest.fixture
def reporter():
    r = ExceptionReporter()
    yield r
    r.restore()


def test_a_bug_while_saving_a_rating_is_said_and_marks_the_indicator(
    qtbot, editor, session, audit_id, monkeypatch, unexpected_messages, reporter
):
    rating = editor.items["p1"].rating
    qtbot.keyClick(rating, Qt.Key.Key_3)  # best first: 1 Excellent (6), 2 Very good, 3 Good (4)
    assert audits.get_audit(session.db, audit_id).answers["p1"].rating == "4"
    assert editor.save_state.text().startswith("✓")

    real_answer, calls = audits.answer, []

    def broken_once(*args, **kwargs):
        calls.append(args)
        if len(calls) == 1:
            raise RuntimeError("could not write 'REF-0001' to the page")  # a bug, not ours
        return real_answer(*args, **kwargs)

    monkeypatch.setattr(audits, "answer", broken_once)
    steps = editor.undo_stack.count()
    with qtbot.capture_exceptions() as caught:
        reporter.install()
        qtbot.keyClick(rating, Qt.Key.Key_2)
        qtbot.waitUntil(lambda: bool(unexpected_messages), timeout=3000)
        reporter.restore()

    # pytest-qt still saw the exception (the reporter passes it on to the previous hook).
    assert [type(exc) for _t, exc, _tb in caught] == [RuntimeError]
    assert unexpected_messages == [
        "Something went wrong: RuntimeError: could not write […] to the page" + MESSAGE_END
    ]
    assert "REF-0001" not in unexpected_messages[0]  # quoted values may be case text
    assert editor.save_state.text().startswith("Not saved")
    assert editor.save_state.accessibleDescription().startswith("Not saved")
    assert audits.get_audit(session.db, audit_id).answers["p1"].rating == "4"  # not saved
    assert editor.undo_stack.count() == steps  # no step to undo for a change never saved

    qtbot.keyClick(rating, Qt.Key.Key_4)  # the next change saves, and says so again
    assert audits.get_audit(session.db, audit_id).answers["p1"].rating == "3"
    assert editor.save_state.text().startswith("✓")


def test_without_an_open_audit_only_the_message(qtbot, window, unexpected_messages, reporter):
    def boom():
        raise ValueError("bad value")

    before = window.editor.save_state.text()
    with qtbot.capture_exceptions() as caught:
        reporter.install()
        QTimer.singleShot(0, boom)
        qtbot.waitUntil(lambda: bool(unexpected_messages), timeout=3000)
        reporter.restore()
    assert len(caught) == 1
    assert unexpected_messages == ["Something went wrong: ValueError: bad value" + MESSAGE_END]
    assert window.editor.save_state.text() == before


def test_a_bug_in_a_worker_thread_is_shown_on_the_gui_thread(qtbot, unexpected_messages, reporter):
    class Broken(QThread):
        def run(self):
            raise KeyError("secret passphrase words")

    thread = Broken()
    with qtbot.capture_exceptions() as caught:
        reporter.install()
        thread.start()
        assert thread.wait(5000)
        qtbot.waitUntil(lambda: bool(unexpected_messages), timeout=3000)
        reporter.restore()
    assert len(caught) == 1
    assert unexpected_messages == ["Something went wrong: KeyError: […]" + MESSAGE_END]


def test_the_traceback_still_goes_to_stderr(
    qtbot, capsys, monkeypatch, unexpected_messages, reporter
):
    monkeypatch.setattr(sys, "excepthook", sys.__excepthook__)  # as in the app, not pytest-qt
    reporter.install()
    try:
        raise RuntimeError("to stderr")
    except RuntimeError as exc:
        sys.excepthook(RuntimeError, exc, exc.__traceback__)
    reporter.restore()
    assert sys.excepthook is sys.__excepthook__
    err = capsys.readouterr().err
    assert "Traceback" in err and "RuntimeError: to stderr" in err
    qtbot.waitUntil(lambda: bool(unexpected_messages), timeout=3000)
    assert unexpected_messages == ["Something went wrong: RuntimeError: to stderr" + MESSAGE_END]


def test_run_installs_the_hook_and_puts_the_previous_one_back(
    qtbot, tmp_path, monkeypatch, unexpected_messages
):
    seen = []

    class Refused:
        """Stands in for the create dialog: a bug in a slot while it is open, then Cancel."""

        def __init__(self, _session) -> None:
            pass

        def exec(self):
            seen.append(sys.excepthook)
            QTimer.singleShot(0, lambda: 1 / 0)
            qtbot.waitUntil(lambda: bool(unexpected_messages), timeout=3000)
            return QDialog.DialogCode.Rejected

    monkeypatch.setattr(app_module, "CreateDialog", Refused)
    with qtbot.capture_exceptions() as caught:
        hook_before = sys.excepthook
        assert app_module.run(["main.py", "--db", str(tmp_path / "new.db")]) == 0
        assert sys.excepthook is hook_before  # restored on the way out
    assert isinstance(getattr(seen[0], "__self__", None), ExceptionReporter)
    assert [type(exc) for _t, exc, _tb in caught] == [ZeroDivisionError]  # pytest-qt saw it
    assert unexpected_messages == [
        "Something went wrong: ZeroDivisionError: division by zero" + MESSAGE_END
    ]


def test_the_message_names_the_first_exception_not_pysides_wrapping():
    from ui.common.messages import unexpected_text

    try:
        try:
            raise RuntimeError(
                "Error calling Python override of QUndoCommand::redo(): no 'case text'"
            )
        except RuntimeError as first:
            raise SystemError("<function> returned a result with an exception set") from first
    except SystemError as wrapped:
        text = unexpected_text(wrapped)
    assert text == "Something went wrong: RuntimeError: no […]" + MESSAGE_END
    long = unexpected_text(ValueError("first line " + "x" * 300 + "\nsecond line"))
    assert "\n" not in long and "second" not in long and len(long) < 250
