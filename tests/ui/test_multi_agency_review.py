"""File → New audit offers the multi-agency case file review; starting one opens the editor
on its questions, agency facts first. Screenshots go to shots_dir("multiagency")."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from uihelp import on_next_modal, shots_dir

from audit_tool import audits
from ui.dialogs.case_dialogs import NewAuditDialog

CID = "multi-agency-case-file-review"
SHOTS = shots_dir("multiagency")


def _shot(widget, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    widget.grab().save(str(SHOTS / f"{name}.png"))


def test_new_audit_offers_the_review_and_the_editor_shows_its_items(qtbot, window, session):
    case = audits.add_case(session.db, "FICT-MA-0001", "Glenmorven (fictional)")
    window.loader.load()
    seen: dict[str, object] = {}

    def pick(dialog: NewAuditDialog) -> None:
        seen["offered"] = [dialog.checklist.itemText(i) for i in range(dialog.checklist.count())]
        dialog.checklist.setCurrentIndex(dialog.checklist.findData(CID))
        seen["type"] = dialog.audit_type.currentText()
        seen["types"] = dialog.audit_type.count()
        seen["purpose"] = dialog.purpose.text()
        _shot(dialog, "1_new_audit")
        qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton, pos=dialog.ok.rect().center())

    on_next_modal(NewAuditDialog, pick)
    window.actions.new_audit.trigger()

    assert "Multi-agency case file review (version 2.1)" in seen["offered"]
    assert seen["type"] == "Multi-agency review" and seen["types"] == 1
    assert "Care Inspectorate's quality indicators" in seen["purpose"]
    editor = window.editor
    qtbot.waitUntil(lambda: editor.audit is not None, timeout=5000)
    assert editor.audit.checklist.id == CID and editor.audit.case.id == case.id

    # the first theme: agency facts, answered like any other question
    fact = editor.items["ag-05"]
    assert "MARAC" in fact.question.text()
    assert [b.text().split("  ", 1)[1] for b in fact.rating._buttons.values()] == [
        "Yes",
        "No",
        "Not known",
    ]
    window.activateWindow()
    qtbot.waitActive(window)
    editor.show_item("ag-05")
    qtbot.waitUntil(lambda: QApplication.focusWidget() is fact.rating, timeout=5000)
    qtbot.keyClick(fact.rating, Qt.Key.Key_1)  # Yes: heard at MARAC
    qtbot.waitUntil(
        lambda: audits.get_audit(session.db, editor.audit.id).ratings.get("ag-05") == "yes",
        timeout=5000,
    )
    _shot(window, "2_editor_fact")

    editor.show_item("as-06")
    item = editor.items["as-06"]
    qtbot.mouseClick(
        item.guidance_toggle, Qt.MouseButton.LeftButton, pos=item.guidance_toggle.rect().center()
    )
    assert item.guidance.isVisible() and item.guidance.text().startswith("Good practice looks like")
    labels = [b.text() for b in item.rating._buttons.values()]
    # best first, the key in brackets (1 best, 0 not applicable), the grade spelt out
    assert labels == [
        "[1]  Excellent \u00b7 grade 6  \u2713",
        "[2]  Very good \u00b7 grade 5  \u2713",
        "[3]  Good \u00b7 grade 4  \u2713",
        "[4]  Adequate \u00b7 grade 3",
        "[5]  Weak \u00b7 grade 2",
        "[6]  Unsatisfactory \u00b7 grade 1",
        "[0]  Not applicable",
    ]
    qtbot.waitUntil(lambda: item.guidance.height() > 2 * item.guidance.fontMetrics().height())
    editor.show_item("as-06")  # scrolled into view again, now with its guidance open
    qtbot.wait(50)
    _shot(window, "3_editor_quality_item")
    # the MARAC question shows now that the file was heard at MARAC
    editor.show_item("pl-02")
    assert editor.items["pl-02"].isVisible() and editor.current_theme() == 5
