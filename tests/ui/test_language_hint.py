"""The note scan as a hint in the editor (issue 20 item 11): a line under an evidence note
names flagged wording as the reviewer types, and says nothing for a perpetrator's own
non-engagement. All text is fictional."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtWidgets import QApplication


def test_flagged_wording_shows_a_hint_under_the_note(qtbot, window, editor):
    item = editor.items["p1"]
    note, hint = item.note, item.language_hint
    assert not hint.isVisible()
    note.setFocus()
    qtbot.keyClicks(note, "Chronology calls it a Volatile Relationship.")
    qtbot.waitUntil(hint.isVisible, timeout=3000)
    assert hint.text().startswith("Wording to look at again: 'Volatile Relationship'.")
    assert "A prompt, not a finding" in hint.text()
    assert hint.text() in note.accessibleDescription()
    assert QApplication.focusWidget() is note  # the keyboard stays in the note
    folder = os.environ.get("AUDIT_TOOL_SHOTS")  # pictures for a person to look at, on request
    if folder:
        window.grab().save(str(Path(folder) / "language-hint.png"))


def test_a_perpetrators_non_engagement_raises_no_hint(qtbot, editor):
    item = editor.items["p1"]
    item.note.setFocus()
    qtbot.keyClicks(item.note, "The father did not engage with the programme.")
    qtbot.wait(600)  # past the pause the hint waits for
    assert not item.language_hint.isVisible() and item.language_hint.text() == ""


def test_both_hints_keep_each_others_sentence_for_a_screen_reader(qtbot, editor):
    """The identifier hint and the language hint share the note's accessible description: a
    change to one leaves the other's sentence in it, and a hint that clears takes only its own."""
    item = editor.items["p1"]
    note, words, names = item.note, item.language_hint, item.note_hint
    note.setFocus()
    qtbot.keyClicks(note, "Mrs Fictional called it a volatile relationship.")
    qtbot.waitUntil(lambda: words.isVisible() and names.isVisible(), timeout=3000)
    assert words.text() in note.accessibleDescription()
    assert names.text() in note.accessibleDescription()
    note.selectAll()
    qtbot.keyClicks(note, "The record called it a volatile relationship.")  # no name now
    qtbot.waitUntil(lambda: not names.isVisible(), timeout=3000)
    assert words.isVisible() and words.text() in note.accessibleDescription()
    assert "may contain" not in note.accessibleDescription()
