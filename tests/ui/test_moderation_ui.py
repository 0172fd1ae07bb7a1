"""Double reading in the window: the second-reading dialog, blind reading, and the lead
reader's moderation view (its model, its keys, its buttons, what it stores).

Ratings as in tests/test_moderation.py (the mini checklist, worked by hand):
  reading A: p1 6, p2 yes, p3 6, q1 1, q2 no   -> meets 3 of 5
  reading B: p1 6, p2 yes, p3 5, q1 4, q2 yes  -> meets 5 of 5
so the readings differ on p3, q1 and q2. All data is fictional.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit, QMessageBox

from audit_tool import audits, moderation
from audit_tool.filters import AuditFilter
from audit_tool.findings import findings
from audit_tool.selection import list_audits
from tests.ui.uihelp import (
    answer_next_box,
    on_next_modal,
    refuse_boxes_for,
    shots_dir,
    show_dialog,
)
from ui.moderation.moderation_view import DIFFERS, REASON_NEEDED, SAME, ModerationView
from ui.moderation.second_reading_dialog import SecondReadingDialog
from ui.moderation.start_moderation_dialog import StartModerationDialog

A = {"p1": "6", "p2": "yes", "p3": "6", "q1": "1", "q2": "no"}
B = {"p1": "6", "p2": "yes", "p3": "5", "q1": "4", "q2": "yes"}


def _rate(db, audit_id, ratings):
    for item, value in ratings.items():
        audits.answer(db, audit_id, item, value)


@pytest.fixture
def readings(session, audit_id):
    """Two finalised readings of one file: the test reviewer's and Bea's."""
    db = session.db
    _rate(db, audit_id, A)
    audits.finalise(db, audit_id)
    bea = moderation.add_reviewer(db, "Bea Reader (fictional)")
    second = moderation.start_second_reading(db, audit_id, bea.id)
    _rate(db, second, B)
    audits.finalise(db, second)
    return audit_id, second


@pytest.fixture
def mod_id(session, readings):
    return moderation.start_moderation(session.db, list(readings))


def _click(qtbot, button):
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton, pos=button.rect().center())


def _shot(widget, name: str) -> None:
    folder = shots_dir("moderation")
    folder.mkdir(parents=True, exist_ok=True)
    widget.grab().save(str(folder / name))


def _visible(table, kind):
    """The cell editor open now (closed ones linger until deleted)."""
    found = [w for w in table.findChildren(kind) if w.isVisible()]
    assert len(found) == 1, found
    return found[0]


def _stored(session, mod, item):
    answer = audits.get_audit(session.db, mod).answers.get(item)
    return (answer.rating, answer.note) if answer else (None, "")


def test_model_shows_readings_side_by_side_and_marks_differences_in_words_and_colour(
    qtbot, session, mod_id
):
    view = show_dialog(qtbot, ModerationView(session, mod_id))
    model = view.model
    assert model.rowCount() == 5 and model.columnCount() == 6
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(6)]
    assert headers == [
        "Question",
        "Readings",
        "Reading A",
        "Reading B",
        "Agreed rating",
        "Reason",
    ]
    assert model.headerData(3, Qt.Orientation.Horizontal, Qt.ItemDataRole.ToolTipRole) == (
        "Bea Reader (fictional)"
    )
    assert "Readings: A Test Reviewer (finalised); B Bea Reader (fictional) (finalised)" in (
        view.readers.text()
    )
    rows = {model.item(r).item_id: r for r in range(5)}

    def text(item, col):
        return model.index(rows[item], col).data()

    assert [text(i, 1) for i in ("p1", "p2", "p3", "q1", "q2")] == [
        SAME,
        SAME,
        DIFFERS,
        DIFFERS,
        DIFFERS,
    ]
    assert (text("q1", 2), text("q1", 3)) == ("Unsatisfactory", "Good")
    assert (text("p1", 4), text("q1", 4)) == ("Excellent", "—")  # agreed items start filled
    assert text("q1", 5) == REASON_NEEDED
    differs = model.index(rows["q1"], 0).data(Qt.ItemDataRole.BackgroundRole)
    same = model.index(rows["p1"], 0).data(Qt.ItemDataRole.BackgroundRole)
    assert differs is not None and same is None
    assert "differ on 3 of 5 items" in view.guide.text()
    # the table starts on the first difference's agreed rating, ready to choose
    assert view.table.currentIndex() == model.index(rows["p3"], 4)


def test_choosing_ratings_and_reasons_by_keyboard_then_finalising(qtbot, session, mod_id):
    view = show_dialog(qtbot, ModerationView(session, mod_id))
    qtbot.waitActive(view)
    table, model = view.table, view.model
    table.setFocus()
    rows = {model.item(r).item_id: r for r in range(5)}

    # F2 opens the drop-down of the item's levels; a level is chosen and Enter stores it
    for item, level, value in (("q1", "Good", "4"), ("p3", "Excellent", "6"), ("q2", "No", "no")):
        table.setCurrentIndex(model.index(rows[item], 4))
        qtbot.keyClick(table, Qt.Key.Key_F2)
        box = _visible(table, QComboBox)
        assert box.itemText(0) == "Not rated" and box.currentText() == "Not rated"
        box.setCurrentIndex(box.findText(level))
        qtbot.keyClick(box, Qt.Key.Key_Return)  # Qt commits an editor's data on the next turn
        qtbot.waitUntil(
            lambda item=item, value=value: _stored(session, mod_id, item) == (value, "")
        )
    assert model.index(rows["q1"], 4).data() == "Good"

    # Finalise at its centre: what is missing is said first, each a link to its row
    seen: list[str] = []
    refuse_boxes_for(300, seen)
    _click(qtbot, view.finalise_button)
    qtbot.wait(300)
    assert seen == []  # nothing to confirm yet
    panel = view.missing_panel
    assert panel.isVisible() and panel.title.text().startswith("3 items still need")
    assert audits.get_audit(session.db, mod_id).status.value == "draft"
    panel.links.linkActivated.emit(str(rows["p3"]))
    assert table.currentIndex() == model.index(rows["p3"], 5)  # taken to its reason

    # a reason is typed straight into the cell (any key starts editing); Enter stores it
    reasons = {
        "p3": "Both good; he is named as a father throughout.",
        "q1": "The plan asks him to attend a programme — 计划 (fictional).",
        "q2": "Nothing about his substance use is recorded.",
    }
    for item, reason in reasons.items():
        table.setCurrentIndex(model.index(rows[item], 5))
        qtbot.keyClicks(table, reason[0])
        line = _visible(table, QLineEdit)
        if reason.isascii():
            qtbot.keyClicks(line, reason[1:])
        else:  # QTest cannot type outside Latin-1: the text arrives as from an input method
            line.insert(reason[1:])
        qtbot.keyClick(line, Qt.Key.Key_Return)
        qtbot.waitUntil(
            lambda item=item, reason=reason: _stored(session, mod_id, item)[1] == reason
        )
    _shot(view, "moderation-view-reasons.png")

    seen.clear()
    answer_next_box("Finalise", seen)
    _click(qtbot, view.finalise_button)
    assert seen and seen[0].startswith("Finalise this moderation?")
    assert audits.get_audit(session.db, mod_id).status.value == "finalised"
    assert not view.finalise_button.isEnabled()
    assert not (model.flags(model.index(rows["q1"], 4)) & Qt.ItemFlag.ItemIsEditable)
    # findings now count the moderation in place of the two readings: 4 of 5
    f = findings(session.db, AuditFilter())
    assert (f.audits, f.overall.rated, f.overall.meets) == (1, 5, 4)
    _shot(view, "moderation-view-finalised.png")


def test_second_reading_from_the_window_with_a_new_reader_then_blind(
    qtbot, window, session, audit_id
):
    _rate(session.db, audit_id, A)
    audits.finalise(session.db, audit_id)
    window.loader.load()
    qtbot.waitUntil(lambda: window.list_model.row_of(audit_id) >= 0)
    window.activateWindow()
    qtbot.waitActive(window)
    window.list_page.table.setFocus()
    window.list_page.select_audit(audit_id)
    assert window.actions.second_reading.isEnabled()
    assert not window.actions.moderate.isEnabled()  # one reading: nothing to moderate

    def fill(dialog: SecondReadingDialog) -> None:
        # the first reader is not offered; "A new reader…" asks for a name
        offered = [dialog.reader_box.itemText(i) for i in range(dialog.reader_box.count())]
        assert offered == ["A new reader…"]
        assert dialog.new_name.isVisible()
        _shot(dialog, "second-reading-dialog.png")
        qtbot.keyClicks(dialog.new_name, "Bea Reader (fictional)")
        qtbot.keyClick(dialog.new_name, Qt.Key.Key_Return)  # Enter: Start reading

    on_next_modal(SecondReadingDialog, fill)
    window.actions.second_reading.trigger()
    second = next(r.id for r in list_audits(session.db) if r.id != audit_id)
    stored = audits.get_audit(session.db, second)
    assert stored.reviewer.name == "Bea Reader (fictional)" and stored.status.value == "draft"
    assert window.editor.audit is not None and window.editor.audit.id == second

    # Bea is reading: the first reading stays closed to her, with the reason
    seen: list[str] = []
    answer_next_box("OK", seen, shots_dir("moderation") / "blind-refusal.png")
    window.controller.open_audit(audit_id)
    assert seen == [
        "You are reading this case file blind, as Bea Reader (fictional): the other "
        "readings stay closed until your own reading is finalised."
    ]
    assert window.editor.audit.id == second  # still on her own reading
    seen.clear()
    answer_next_box("OK", seen)
    window.controller.show_list()
    window.list_page.select_audit(audit_id)
    window.actions.findings_audit.trigger()
    assert seen and seen[0].startswith("You are reading this case file blind")
    assert window.stack.currentWidget() is window.list_page


def test_moderate_from_the_list_starts_and_shows_the_moderation(qtbot, window, session, readings):
    first, _ = readings
    window.loader.load()
    qtbot.waitUntil(lambda: window.list_model.row_of(first) >= 0)
    window.activateWindow()
    qtbot.waitActive(window)
    window.list_page.table.setFocus()
    window.list_page.select_audit(first)
    assert window.actions.moderate.isEnabled()
    context = [a.text() for a in window.list_page.table.actions()]
    assert "Start a second &reading…" in context and "M&oderate readings…" in context

    seen: list[str] = []
    shown: list[tuple[int, str]] = []

    def look(view: ModerationView) -> None:
        qtbot.waitExposed(view)
        shown.append((view.model.rowCount(), view.heading.text()))
        _shot(view, "moderation-view.png")
        _click(qtbot, view.close_button)

    def start(dialog: StartModerationDialog) -> None:
        seen.append(dialog.findChild(QLabel).text())
        _click(qtbot, dialog.ok)

    on_next_modal(StartModerationDialog, start)
    on_next_modal(ModerationView, look)
    window.actions.moderate.trigger()
    assert seen and "2 finalised readings" in seen[0] and "Bea Reader (fictional)" in seen[0]
    mods = [r for r in list_audits(session.db) if r.audit_type == "moderation"]
    assert len(mods) == 1 and shown and shown[0][0] == 5
    assert moderation.sources(session.db, mods[0].id) == list(readings)
    # a second time opens the same moderation, nothing new is started
    on_next_modal(ModerationView, look)
    window.actions.moderate.trigger()
    assert len([r for r in list_audits(session.db) if r.audit_type == "moderation"]) == 1
    assert len(shown) == 2
    # opening the moderation from the list (Enter) shows the moderation view, not the editor
    on_next_modal(ModerationView, look)
    qtbot.waitUntil(lambda: window.list_model.row_of(mods[0].id) >= 0)
    window.list_page.select_audit(mods[0].id)
    qtbot.keyClick(window.list_page.table, Qt.Key.Key_Return)
    assert len(shown) == 3 and window.stack.currentWidget() is window.list_page


def test_enter_in_the_moderation_view_presses_finalise_which_asks_first(qtbot, session, mod_id):
    for item, rating in (("p3", "6"), ("q1", "4"), ("q2", "no")):  # nothing left missing
        audits.answer(session.db, mod_id, item, rating, "Agreed (fictional).")
    view = show_dialog(qtbot, ModerationView(session, mod_id))
    view.close_button.setFocus()
    view.finalise_button.setFocus()
    seen: list[str] = []
    answer_next_box("Cancel", seen)
    qtbot.keyClick(view.finalise_button, Qt.Key.Key_Return)
    assert seen and seen[0].startswith("Finalise this moderation?")
    assert audits.get_audit(session.db, mod_id).status.value == "draft"
    assert isinstance(seen[0], str) and QMessageBox  # the box was a real message box


def test_second_reading_dialog_refuses_a_reader_who_exists_and_writes_nothing(
    qtbot, session, audit_id
):
    dialog = show_dialog(qtbot, SecondReadingDialog(session, audit_id))
    qtbot.keyClicks(dialog.new_name, "test reviewer")  # the first reader, typed again
    _click(qtbot, dialog.ok)
    assert dialog.error.isVisible()
    assert dialog.error.text() == (
        "There is already a reader called test reviewer; choose them from the list."
    )
    assert dialog.audit_id is None and len(list_audits(session.db)) == 1
    assert [r.name for r in moderation.reviewers(session.db)] == ["Test Reviewer"]
    dialog.new_name.clear()
    qtbot.keyClicks(dialog.new_name, "Ceri Reader (fictional)")
    qtbot.keyClick(dialog.new_name, Qt.Key.Key_Return)
    assert dialog.result() == dialog.DialogCode.Accepted
    stored = audits.get_audit(session.db, dialog.audit_id)
    assert stored.reviewer.name == "Ceri Reader (fictional)"


def test_starting_a_moderation_asks_who_moderates_and_warns_when_they_read_the_file(
    qtbot, window, session, readings
):
    first, second = readings
    window.loader.load()
    qtbot.waitUntil(lambda: window.list_model.row_of(first) >= 0)
    window.activateWindow()
    qtbot.waitActive(window)
    window.list_page.select_audit(first)
    asked: list[tuple[list[str], str, bool]] = []

    def choose(dialog: StartModerationDialog) -> None:
        box = dialog.lead_box
        offered = [box.itemText(i) for i in range(box.count())]
        # this laptop's reviewer read the file: the default, with the warning in words
        asked.append((offered, dialog.warning.text(), dialog.warning.isVisible()))
        _shot(dialog, "start-moderation-dialog.png")
        box.setCurrentIndex(box.count() - 1)  # A new reader…
        assert not dialog.warning.isVisible()
        qtbot.keyClicks(dialog.new_name, "Cai Lead (fictional)")
        qtbot.keyClick(dialog.new_name, Qt.Key.Key_Return)

    on_next_modal(StartModerationDialog, choose, within_ms=3000)
    on_next_modal(ModerationView, lambda view: view.reject(), within_ms=6000)
    window.actions.moderate.trigger()
    assert asked, "no choice of who moderates was offered"
    offered, warning, shown = asked[0]
    assert offered == [
        "Test Reviewer (Social worker) (read this file)",
        "Bea Reader (fictional) (read this file)",
        "A new reader…",
    ]
    assert shown and warning.startswith("⚠ Test Reviewer did one of these readings.")
    mods = [r for r in list_audits(session.db) if r.audit_type == "moderation"]
    assert len(mods) == 1
    assert moderation.get_moderation(session.db, mods[0].id).lead.name == "Cai Lead (fictional)"
