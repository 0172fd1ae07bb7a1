"""Issue 19 in the real editor with the bundled checklists: the Safe & Together audit's
"which framings does the record itself use?" (tick all that apply) and a language item on
the four-level anchored scale, the death review's services as tick boxes. Screenshots at
1440x900 go to /tmp/ckcontent_shots/."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt

from audit_tool import audits

SHOTS = Path("/tmp/ckcontent_shots")


def _stored(session, audit_id, item_id):
    answer = audits.get_audit(session.db, audit_id).answers.get(item_id)
    return answer.rating if answer else None


def test_bundled_multiple_choice_and_anchored_items(qtbot, window, session):
    SHOTS.mkdir(parents=True, exist_ok=True)
    window.resize(1440, 900)
    case = audits.add_case(session.db, "FICT-ST3-001", "Glenmorven (fictional)")
    audit_id = audits.new_audit(session.db, case.id, "safe-together-case-file-audit")
    audits.answer(session.db, audit_id, "la-05", "relationship,failure_to_protect")
    window.controller.open_audit(audit_id)
    editor = window.editor

    editor.show_item("la-05")
    bar = editor.items["la-05"].rating
    labels = [b.text().split("  ", 1)[1] for b in bar._boxes.values()]
    assert labels[0] == "Failure to protect" and labels[-1] == "None of these" and len(labels) == 9
    assert bar._boxes["relationship"].isChecked() and bar._boxes["failure_to_protect"].isChecked()
    assert "volatile relationship" in bar._boxes["relationship"].toolTip()  # its phrases
    qtbot.wait(50)
    window.grab().save(str(SHOTS / "st_la05_multiple_choice.png"))

    editor.show_item("la-02")
    la = editor.items["la-02"]
    assert "In the file: Throughout the file the wording says who did what" in (
        la.rating._buttons["4"].toolTip()
    )
    la.rating.setFocus()
    qtbot.keyClick(la.rating, Qt.Key.Key_3)  # the third best: Weak
    assert _stored(session, audit_id, "la-02") == "2"
    la.anchors_toggle.setChecked(True)
    editor.show_item("la-02")
    qtbot.wait(50)
    assert "silence is rated here or below" in la.level_text.text()
    window.grab().save(str(SHOTS / "st_la02_anchored.png"))

    editor.show_item("en-01")  # the misidentification answer, with the longest label
    en01 = editor.items["en-01"]
    button = en01.rating._buttons["misidentified"]
    assert "Names the non-offending parent as the perpetrator" in button.text()
    assert button.isVisible() and button.geometry().right() <= en01.width()
    qtbot.wait(50)
    window.grab().save(str(SHOTS / "st_en01_misidentified.png"))


def test_death_review_services_are_tick_boxes(qtbot, window, session):
    window.resize(1440, 900)
    case = audits.add_case(session.db, "FICT-DR3-001", "Glenmorven (fictional)")
    audit_id = audits.new_audit(session.db, case.id, "gendered-drug-alcohol-death-review")
    window.controller.open_audit(audit_id)
    editor = window.editor
    editor.show_item("sv-25")
    bar = editor.items["sv-25"].rating
    box = bar._boxes["alcohol_drug"]
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=box.rect().center())
    box = bar._boxes["housing"]
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=box.rect().center())
    assert _stored(session, audit_id, "sv-25") == "alcohol_drug,housing"
    qtbot.wait(50)
    SHOTS.mkdir(parents=True, exist_ok=True)
    window.grab().save(str(SHOTS / "dr_sv25_multiple_choice.png"))
