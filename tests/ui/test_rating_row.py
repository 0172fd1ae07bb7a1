"""Issue 8, item 1: the rating row keeps every level button clickable after rating,
clearing and undo (the Clear button once covered the row at Qt's default 640x480)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from uihelp import shots_dir

from audit_tool import audits

SHOTS = shots_dir("gui")




def _stored(session, audit_id, item_id):
    answer = audits.get_audit(session.db, audit_id).answers.get(item_id)
    return answer.rating if answer else None


def _row_rect(bar, widget) -> QRect:
    return QRect(widget.mapTo(bar, QPoint(0, 0)), widget.size())


def _check_geometry(bar) -> None:
    """Visible buttons lie inside the row, apart, and Clear is the size of a button."""
    shown = [b for b in (*bar._buttons.values(), bar.clear_button) if b.isVisible()]
    rects = [_row_rect(bar, b) for b in shown]
    for i, a in enumerate(rects):
        assert bar.rect().contains(a), (shown[i].text(), a, bar.rect())
        for j in range(i + 1, len(rects)):
            assert not a.intersects(rects[j]), (shown[i].text(), shown[j].text(), a, rects[j])
    clear = bar.clear_button
    if clear.isVisible():
        hint = clear.sizeHint()
        assert clear.width() <= hint.width() + 2 and clear.height() <= hint.height() + 2
        tallest = max(b.height() for b in bar._buttons.values())
        assert clear.height() <= tallest


def _click_each_level(qtbot, bar, session, audit_id, item_id) -> None:
    for value, button in bar._buttons.items():
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton, pos=button.rect().center())
        assert _stored(session, audit_id, item_id) == value
        assert [v for v, b in bar._buttons.items() if b.isChecked()] == [value]
        _check_geometry(bar)


@pytest.mark.parametrize("themes_width", [200, 720], ids=["wide", "wrapped"])
def test_every_level_stays_clickable_after_rating_clearing_and_undo(
    qtbot, window, editor, session, audit_id, themes_width
):
    tag = "wide" if themes_width == 200 else "wrapped"
    editor.splitter.setSizes([themes_width, 1180 - themes_width])  # wrapped: two lines
    qtbot.wait(20)
    bar = editor.items["p1"].rating
    _check_geometry(bar)
    if tag == "wrapped":
        tops = {b.mapTo(bar, QPoint(0, 0)).y() for b in bar._buttons.values()}
        assert len(tops) > 1  # the row really wraps in this case
    _click_each_level(qtbot, bar, session, audit_id, "p1")
    window.grab().save(str(SHOTS / f"rating_row_after_rating_{tag}.png"))

    clear = bar.clear_button
    qtbot.mouseClick(clear, Qt.MouseButton.LeftButton, pos=clear.rect().center())
    assert _stored(session, audit_id, "p1") is None
    assert not any(b.isChecked() for b in bar._buttons.values())
    _check_geometry(bar)
    _click_each_level(qtbot, bar, session, audit_id, "p1")

    last = list(bar._buttons)[-1]
    qtbot.mouseClick(clear, Qt.MouseButton.LeftButton, pos=clear.rect().center())
    assert _stored(session, audit_id, "p1") is None
    qtbot.keyClick(bar, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # undo the clear
    assert _stored(session, audit_id, "p1") == last
    assert [v for v, b in bar._buttons.items() if b.isChecked()] == [last]
    _check_geometry(bar)
    window.grab().save(str(SHOTS / f"rating_row_after_undo_{tag}.png"))
    _click_each_level(qtbot, bar, session, audit_id, "p1")
    window.grab().save(str(SHOTS / f"rating_row_final_{tag}.png"))
