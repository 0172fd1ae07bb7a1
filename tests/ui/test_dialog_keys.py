"""Issue 8, item 2: in the New case, New audit and concern dialogs Enter performs the
action, and Escape or Cancel with typed text asks before discarding it."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog
from uihelp import answer_next_box, shots_dir, show_dialog

from audit_tool import audits
from audit_tool.selection import list_audits
from ui.dialogs.case_dialogs import NewAuditDialog, NewCaseDialog
from ui.editor.concern_dialog import ConcernDialog

SHOTS = shots_dir("gui")




def _answer_next_box(button_text: str, seen: list[str]) -> None:
    answer_next_box(button_text, seen, SHOTS / "discard_question.png")


def test_enter_in_the_new_case_dialog_adds_the_case(qtbot, window, session):
    dialog = show_dialog(qtbot, NewCaseDialog(session, window))
    qtbot.keyClicks(dialog.reference, "REF-ENTER-1")
    qtbot.keyClicks(dialog.area.lineEdit(), "Northshire (fictional)")
    qtbot.keyClicks(dialog.agency, "Children and Families")
    dialog.grab().save(str(SHOTS / "new_case_typed.png"))
    qtbot.keyClick(dialog.agency, Qt.Key.Key_Return)
    assert dialog.result() == QDialog.DialogCode.Accepted
    cases = audits.list_cases(session.db)
    assert [(c.reference, c.area) for c in cases] == [("REF-ENTER-1", "Northshire (fictional)")]


def test_enter_in_the_area_box_adds_the_case(qtbot, window, session):
    audits.add_case(session.db, "REF-OLD", "Northshire (fictional)")  # the area box completes
    dialog = show_dialog(qtbot, NewCaseDialog(session, window))
    qtbot.keyClicks(dialog.reference, "REF-ENTER-2")
    qtbot.keyClicks(dialog.area.lineEdit(), "Southshire (fictional)")
    qtbot.keyClick(dialog.area.lineEdit(), Qt.Key.Key_Return)
    assert dialog.result() == QDialog.DialogCode.Accepted
    refs = {c.reference: c.area for c in audits.list_cases(session.db)}
    assert refs["REF-ENTER-2"] == "Southshire (fictional)"


def test_enter_with_a_missing_field_keeps_the_dialog_and_the_text(qtbot, window, session):
    dialog = show_dialog(qtbot, NewCaseDialog(session, window))
    qtbot.keyClicks(dialog.reference, "REF-NO-AREA")
    qtbot.keyClick(dialog.reference, Qt.Key.Key_Return)
    assert dialog.isVisible() and dialog.reference.text() == "REF-NO-AREA"
    assert dialog.error.isVisible() and dialog.error.text()
    assert audits.list_cases(session.db) == []


def test_enter_in_the_new_audit_dialog_starts_the_audit(qtbot, window, session, mini):
    case = audits.add_case(session.db, "REF-0002", "Testshire (fictional)")
    dialog = show_dialog(qtbot, NewAuditDialog(session, [mini], [], case.id, False, window))
    line = dialog.case.lineEdit()
    line.setFocus()
    dialog.grab().save(str(SHOTS / "new_audit.png"))
    qtbot.keyClick(line, Qt.Key.Key_Return)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert [a.id for a in list_audits(session.db)] == [dialog.audit_id]
    assert audits.get_audit(session.db, dialog.audit_id).case.id == case.id


def test_enter_in_the_concern_dialog_records_it(qtbot, window, session, audit_id):
    dialog = show_dialog(qtbot, ConcernDialog(session, audit_id, window))
    qtbot.keyClicks(dialog.raised_to, "Duty team manager (fictional)")
    dialog.grab().save(str(SHOTS / "concern_typed.png"))
    qtbot.keyClick(dialog.raised_to, Qt.Key.Key_Return)
    assert dialog.result() == QDialog.DialogCode.Accepted
    concerns = audits.get_audit(session.db, audit_id).concerns
    assert [c.raised_to for c in concerns] == ["Duty team manager (fictional)"]


@pytest.mark.parametrize("how", ["escape", "cancel"])
def test_closing_the_new_case_dialog_with_text_asks_first(qtbot, window, session, how):
    dialog = show_dialog(qtbot, NewCaseDialog(session, window))
    qtbot.keyClicks(dialog.reference, "REF-TYPED")
    seen: list[str] = []

    def close() -> None:
        if how == "escape":
            qtbot.keyClick(dialog.reference, Qt.Key.Key_Escape)
        else:
            dialog.cancel_button.click()

    _answer_next_box("Keep editing", seen)
    close()
    assert seen and "Discard what you typed?" in seen[0]
    assert dialog.isVisible() and dialog.reference.text() == "REF-TYPED"

    _answer_next_box("Discard", seen)
    close()
    assert len(seen) == 2 and not dialog.isVisible()
    assert dialog.result() == QDialog.DialogCode.Rejected
    assert audits.list_cases(session.db) == []


def test_closing_an_untouched_dialog_does_not_ask(qtbot, window, session, audit_id):
    for dialog in (NewCaseDialog(session, window), ConcernDialog(session, audit_id, window)):
        show_dialog(qtbot, dialog)
        qtbot.keyClick(dialog, Qt.Key.Key_Escape)  # a box here would block the test
        assert not dialog.isVisible()


def test_closing_the_concern_dialog_with_text_asks_first(qtbot, window, session, audit_id):
    dialog = show_dialog(qtbot, ConcernDialog(session, audit_id, window))
    qtbot.keyClicks(dialog.raised_to, "Duty team manager (fictional)")
    seen: list[str] = []
    _answer_next_box("Keep editing", seen)
    qtbot.keyClick(dialog.raised_to, Qt.Key.Key_Escape)
    assert seen and dialog.isVisible()
    assert dialog.raised_to.text() == "Duty team manager (fictional)"
    _answer_next_box("Discard", seen)
    dialog.close()  # the window's close button
    assert not dialog.isVisible()
    assert audits.get_audit(session.db, audit_id).concerns == ()
