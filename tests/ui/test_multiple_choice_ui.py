"""Issue 19: a multiple-choice item (tick boxes; Space and number keys tick; autosave and
undo as for a rating) and an anchored scale (each level's description of what it looks like
in a file: tooltip, a line under the choice, a panel) in the real editor over a real
encrypted database. Checklist: tests/data/multi_anchor.toml (fictional). Screenshots at
1440x900 and 1024x600 go to /tmp/ckengine_shots/."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from audit_tool import audits
from audit_tool.checklists.loader import load_file

DATA = Path(__file__).resolve().parents[1] / "data"
SHOTS = Path("/tmp/ckengine_shots")


@pytest.fixture
def audit_id(session) -> str:
    case = audits.add_case(session.db, "REF-MC-1", "Testshire (fictional)")
    return audits.new_audit(session.db, case.id, load_file(DATA / "multi_anchor.toml"))


def _stored(session, audit_id, item_id):
    answer = audits.get_audit(session.db, audit_id).answers.get(item_id)
    return answer.rating if answer else None


def test_ticks_by_keys_and_clicks_save_and_undo(qtbot, editor, session, audit_id):
    editor.show_item("subs")
    w = editor.items["subs"]
    bar = w.rating
    assert [b.text() for b in bar._boxes.values()] == [
        "[1]  Opioids", "[2]  Benzodiazepines", "[3]  Alcohol", "[4]  None of these",
    ]
    assert "Tick all that apply" in w.kind_note.text()
    bar.setFocus()
    qtbot.keyClick(bar, Qt.Key.Key_3)  # number key toggles option 3
    assert _stored(session, audit_id, "subs") == "alcohol"
    qtbot.keyClick(bar, Qt.Key.Key_Left)
    qtbot.keyClick(bar, Qt.Key.Key_Left)
    qtbot.keyClick(bar, Qt.Key.Key_Space)  # Space toggles the highlighted option (1)
    assert _stored(session, audit_id, "subs") == "opioids,alcohol"
    assert bar._boxes["opioids"].isChecked() and bar._boxes["alcohol"].isChecked()
    assert w.level_text.text() == "Ticked: Opioids; Alcohol"
    # the follow-up asked when opioids are ticked is shown
    assert editor.items["opi"].isVisibleTo(editor)
    # a click on "None of these" clears the others (never stored together)
    box = bar._boxes["none"]
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=box.rect().center())
    assert _stored(session, audit_id, "subs") == "none"
    assert not bar._boxes["opioids"].isChecked()
    assert not editor.items["opi"].isVisibleTo(editor)
    # undo steps back one tick at a time, through the core
    editor.undo()
    assert _stored(session, audit_id, "subs") == "opioids,alcohol"
    assert bar._boxes["opioids"].isChecked() and not bar._boxes["none"].isChecked()
    editor.undo()
    assert _stored(session, audit_id, "subs") == "alcohol"
    editor.redo()
    assert _stored(session, audit_id, "subs") == "opioids,alcohol"
    bar.setFocus()
    qtbot.keyClick(bar, Qt.Key.Key_Delete)  # clears every tick: unanswered
    assert _stored(session, audit_id, "subs") is None
    assert w.level_text.text() == "Nothing ticked yet"


def test_anchored_scale_shows_what_each_level_looks_like(qtbot, editor, session, audit_id):
    editor.show_item("la-01")
    w = editor.items["la-01"]
    strong = w.rating._buttons["4"]
    assert "In the file: The record names who harmed" in strong.toolTip()
    assert w.anchors_toggle is not None and not w.anchors.isVisible()
    qtbot.mouseClick(w.anchors_toggle, Qt.MouseButton.LeftButton)
    assert w.anchors.isVisible()
    assert "Unsatisfactory</b>: The record frames the abuse" in w.anchors.text()
    w.rating.setFocus()
    qtbot.keyClick(w.rating, Qt.Key.Key_3)  # the third best: Weak
    assert _stored(session, audit_id, "la-01") == "2"
    assert w.level_text.text() == (
        "Weak\nIn the file: Several phrases such as 'failed to protect' or 'volatile "
        "relationship'. What the file does not show is rated here or below."
    )
    assert w.level_text.isVisible()
    # a scale without anchors has no panel
    assert editor.items["subs"].anchors_toggle is None


@pytest.mark.parametrize("size", [(1440, 900), (1024, 600)], ids=["1440x900", "1024x600"])
def test_screenshots(qtbot, window, editor, session, audit_id, size):
    SHOTS.mkdir(parents=True, exist_ok=True)
    window.resize(*size)
    audits.answer(session.db, audit_id, "subs", "opioids,alcohol")
    window.controller.open_audit(audit_id)  # read back from the database
    editor = window.editor
    editor.show_item("subs")
    qtbot.wait(50)
    w = size[0]
    assert editor.items["subs"].rating._boxes["alcohol"].isChecked()
    window.grab().save(str(SHOTS / f"mc_item_{w}.png"))
    editor.show_item("la-01")
    la = editor.items["la-01"]
    la.rating.setFocus()
    qtbot.keyClick(la.rating, Qt.Key.Key_2)
    la.anchors_toggle.setChecked(True)
    editor.show_item("la-01")
    qtbot.wait(50)
    # the anchor line and panel fit the item's width: nothing cut off on the right
    assert la.level_text.width() <= la.width() and la.anchors.width() <= la.width()
    window.grab().save(str(SHOTS / f"anchored_item_{w}.png"))
    la.grab().save(str(SHOTS / f"anchored_item_only_{w}.png"))


def test_a_finalised_audit_keeps_its_ticks(qtbot, window, session, audit_id):
    audits.answer(session.db, audit_id, "subs", "opioids,alcohol")
    audits.answer(session.db, audit_id, "la-01", "4")
    audits.finalise(session.db, audit_id)
    window.controller.open_audit(audit_id)
    editor = window.editor
    editor.show_item("subs")
    bar = editor.items["subs"].rating
    bar.setFocus()
    for key in (Qt.Key.Key_2, Qt.Key.Key_Space, Qt.Key.Key_Delete):
        qtbot.keyClick(bar, key)
    box = bar._boxes["alcohol"]
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=box.rect().center())
    assert _stored(session, audit_id, "subs") == "opioids,alcohol"
    assert box.isChecked() and not bar._boxes["benzodiazepines"].isEnabled()
    assert bar.clear_button.isHidden()
