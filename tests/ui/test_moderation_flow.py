"""The lead reader's moderation view with 36 differences (issue 21 item 1): laid out for
reading (item numbers as the editor shows them, the whole question, rows sized to their
text, readings side by side), differences first, and moderated by keyboard alone: the
editor's rating key, the reason, Enter to the next difference. All data is fictional."""

from __future__ import annotations

import time

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit

from audit_tool import audits
from tests.ui.moddb import make_moderation
from tests.ui.uihelp import answer_next_box, refuse_boxes_for, shots_dir, show_dialog
from ui.moderation.moderation_view import ModerationView


@pytest.fixture
def mod36(session) -> str:
    return make_moderation(session.db, differ=36)[2]


def _open(qtbot, session, mod_id, width, height) -> ModerationView:
    view = ModerationView(session, mod_id)
    view.resize(width - 40, height - 80)
    show_dialog(qtbot, view)
    qtbot.waitActive(view)
    qtbot.wait(20)  # the rows follow the columns' widths on the next turn
    return view


def _shot(view, name: str) -> None:
    folder = shots_dir("moderation")
    folder.mkdir(parents=True, exist_ok=True)
    view.grab().save(str(folder / name))


@pytest.mark.parametrize("size", [(1440, 900), (1024, 600)])
def test_the_view_is_laid_out_for_reading_with_differences_first(qtbot, session, mod36, size):
    view = _open(qtbot, session, mod36, *size)
    _shot(view, f"moderation-36-{size[0]}x{size[1]}.png")
    table, model = view.table, view.model
    em = table.fontMetrics().horizontalAdvance("M")
    first = model.index(0, 0).data()
    # the number the editor shows and the whole question (not 'pr-01', nothing cut)
    assert first.startswith("1.1  How consistently does the work aim to keep the child safe")
    assert first.endswith("together with the non-offending parent?")
    assert table.columnWidth(0) >= 25 * em  # wide enough to read, not one word a line
    # rows sized to their text: each fits its wrapped question, and several show at once
    shown = [r for r in range(model.rowCount()) if not table.isRowHidden(r)]
    for row in shown[:6]:
        need = table.sizeHintForIndex(model.index(row, 0)).height()
        assert table.rowHeight(row) >= need > 0
    visible = [r for r in shown if table.rowViewportPosition(r) < table.viewport().height()]
    assert len(visible) >= 5
    # readings side by side, differences first: the 12 agreed items are filtered out
    assert view.only_differences.isChecked()
    assert len(shown) == 36 and model.rowCount() == 40  # Safe & Together 3.0: 40 items
    assert view.left_label.text() == "Left to agree: 36 of 36 differences"
    view.only_differences.setChecked(False)
    assert not any(table.isRowHidden(r) for r in range(40))


def test_36_differences_moderated_by_keyboard_alone(qtbot, session, mod36, capsys):
    view = _open(qtbot, session, mod36, 1440, 900)
    table, model = view.table, view.model
    keys = 0
    started = time.perf_counter()
    for n in range(36):
        index = table.currentIndex()
        row = model.item(index.row())
        assert model.left(row), f"difference {n + 1}: the cursor is not on work left"
        qtbot.keyClick(table, Qt.Key.Key_1)  # the editor's key for the best answer
        keys += 1
        line = next(w for w in table.findChildren(QLineEdit) if w.isVisible())
        qtbot.keyClicks(line, "As A.")  # a short reason: five keys
        qtbot.keyClick(line, Qt.Key.Key_Return)
        keys += 6
        # stored, and the cursor on the next difference: what a person sees before the next key
        qtbot.waitUntil(
            lambda left=36 - n - 1: (
                view.model.left_count() == left
                and table.state() != table.State.EditingState
                and (left == 0 or model.left(model.item(table.currentIndex().row())))
            )
        )
    seconds = time.perf_counter() - started
    assert view.left_label.text() == "All 36 differences agreed, with reasons"
    qtbot.waitUntil(lambda: view.finalise_button.hasFocus())
    seen: list[str] = []
    answer_next_box("Finalise", seen)
    qtbot.keyClick(view.finalise_button, Qt.Key.Key_Return)
    keys += 2  # Enter on Finalise, and the confirmation's button
    assert seen and seen[0].startswith("Finalise this moderation?")
    assert audits.get_audit(session.db, mod36).status.value == "finalised"
    stored = audits.get_audit(session.db, mod36).answers
    assert sum(a.note == "As A." for a in stored.values()) == 36
    with capsys.disabled():
        print(f"\n36 differences by keyboard: {keys} keystrokes, {seconds:.1f} s driven")


def test_finalise_says_what_is_missing_first_with_links(qtbot, session, mod36):
    view = _open(qtbot, session, mod36, 1024, 600)
    table, model = view.table, view.model
    qtbot.keyClick(table, Qt.Key.Key_1)  # one agreed rating, still without its reason
    qtbot.keyClick(
        next(w for w in table.findChildren(QLineEdit) if w.isVisible()), Qt.Key.Key_Escape
    )
    seen: list[str] = []
    refuse_boxes_for(400, seen)
    qtbot.mouseClick(
        view.finalise_button, Qt.MouseButton.LeftButton, pos=view.finalise_button.rect().center()
    )
    qtbot.wait(400)
    assert seen == []  # no "Finalise this moderation?" before saying what is missing
    panel = view.missing_panel
    assert panel.isVisible()
    assert panel.title.text() == (
        "36 items still need an agreed rating or a reason before this moderation can be finalised:"
    )
    links = panel.links.text()
    assert links.count("<a href=") == 36
    assert "1.1 How consistently does the work aim to keep the child safe" in links
    assert "</a>: needs a reason<br>" in links  # 1.1 has its rating
    assert "</a>: needs an agreed rating and a reason" in links
    _shot(view, "moderation-missing-1024x600.png")
    view.only_differences.setChecked(True)
    last = max(r for r in range(model.rowCount()) if model.item(r).disagree)
    panel.links.linkActivated.emit(str(last))  # a link goes to its row, where the work is
    assert table.currentIndex() == model.index(last, model.col_agreed())
    assert audits.get_audit(session.db, mod36).status.value == "draft"
