"""Issue 9, item 4: rating buttons best first with one key scheme (1 is always the best
answer, 0 "not applicable"); the levels that meet the standard carry a check mark, so a
reverse-scored item (where "No" meets it) is plain to see; a fact shows no mark and says it
is not scored. Checklist: tests/data/best_first.toml (fictional)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from uihelp import shots_dir

from audit_tool import audits
from audit_tool.checklists.loader import load_file

DATA = Path(__file__).resolve().parents[1] / "data"
SHOTS = shots_dir("scoring")


@pytest.fixture
def audit_id(session) -> str:
    case = audits.add_case(session.db, "REF-BEST-1", "Testshire (fictional)")
    return audits.new_audit(session.db, case.id, load_file(DATA / "best_first.toml"))


def _stored(session, audit_id, item_id):
    answer = audits.get_audit(session.db, audit_id).answers.get(item_id)
    return answer.rating if answer else None


def _texts(bar) -> list[str]:
    """Button texts in the order a reader meets them: top to bottom, left to right."""
    buttons = list(bar._buttons.values())
    at = {b.text(): b.mapTo(bar, QPoint(0, 0)) for b in buttons}
    return sorted(at, key=lambda t: (at[t].y(), at[t].x()))


def test_buttons_best_first_marked_and_keyed(qtbot, editor):
    assert _texts(editor.items["ev"].rating) == [
        "[1]  Yes  \u2713",
        "[2]  Partly",
        "[3]  No",
        "[0]  Not applicable",
    ]
    # reverse-scored: "No" meets the standard, so it comes first, with the mark and key 1
    assert _texts(editor.items["rev"].rating) == [
        "[1]  No  \u2713",
        "[2]  Yes",
        "[0]  Not applicable",
    ]
    no = editor.items["rev"].rating._buttons["no"]
    assert "Meets the standard" in no.toolTip() and "press 1" in no.toolTip()
    assert "Does not meet" in editor.items["rev"].rating._buttons["yes"].toolTip()
    # the graded scale: the key in brackets, the grade in words, so 1 is never read as grade 1
    assert _texts(editor.items["qual"].rating) == [
        "[1]  Excellent · grade 6  \u2713",
        "[2]  Very good · grade 5  \u2713",
        "[3]  Good · grade 4  \u2713",
        "[4]  Adequate · grade 3",
        "[5]  Weak · grade 2",
        "[6]  Unsatisfactory · grade 1",
    ]
    # a fact: no mark, and a note that it is not scored
    sex = editor.items["sex"]
    assert _texts(sex.rating) == ["[1]  Female", "[2]  Male"]
    assert sex.kind_note.text() == "Fact (not scored)" and not sex.kind_note.isHidden()
    assert "\u2713 meets the standard" in editor.items["rev"].kind_note.text()
    for key, item in (("reverse", "rev"), ("quality", "qual"), ("fact", "sex")):
        editor.show_item(item)
        qtbot.wait(10)
        editor.items[item].grab().save(str(SHOTS / f"item_{key}.png"))


def test_a_click_stores_what_the_button_said(qtbot, editor, session, audit_id):
    for item in ("ev", "rev", "qual", "sex"):
        editor.show_item(item)
        bar = editor.items[item].rating
        scale = bar.scale
        for value, button in bar._buttons.items():
            qtbot.mouseClick(button, Qt.MouseButton.LeftButton, pos=button.rect().center())
            stored = _stored(session, audit_id, item)
            assert scale.level(stored).label in button.text()
            assert stored == value


@pytest.mark.parametrize(
    ("item", "best"),
    [("ev", "yes"), ("rev", "no"), ("qual", "6")],
    ids=["evidence", "reverse", "quality"],
)
def test_key_1_stores_the_best_answer(qtbot, editor, session, audit_id, item, best):
    editor.show_item(item)
    bar = editor.items[item].rating
    bar.setFocus()
    qtbot.keyClick(bar, Qt.Key.Key_1)
    assert _stored(session, audit_id, item) == best
    assert bar._buttons[best].isChecked()
    if item != "qual":  # 0 is "not applicable" wherever a scale has it
        qtbot.keyClick(bar, Qt.Key.Key_0)
        assert _stored(session, audit_id, item) == "na"
    qtbot.keyClick(bar, Qt.Key.Key_2)
    assert _stored(session, audit_id, item) == bar.scale.keyed_levels()[1][1].value
    qtbot.keyClick(bar, Qt.Key.Key_Left)  # Left moves towards the best answer
    assert _stored(session, audit_id, item) == best


def test_the_summary_page_reads_facts_as_facts(qtbot, window, editor, session, audit_id):
    page = editor.summary
    assert page.facts.text() == "Sex of the person: Not answered"
    editor.show_item("sex")
    bar = editor.items["sex"].rating
    qtbot.keyClick(bar, Qt.Key.Key_1)
    assert _stored(session, audit_id, "sex") == "female"
    assert page.facts.text() == "Sex of the person: Female"
    editor.show_theme(len(editor.audit.checklist.definition.themes))  # the summary page
    qtbot.wait(20)
    assert page.facts.isVisible()
    window.grab().save(str(SHOTS / "summary_facts.png"))
