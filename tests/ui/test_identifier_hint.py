"""Identifiers caught as the reviewer types: a hint under an evidence note or a summary
field that names what looks like a name, a date or an address, without stopping the typing;
and the export dialog's choice to include recommendation texts in an aggregate report.
All names and data are fictional."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from docx import Document
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from uihelp import read_and_release

from audit_tool import audits
from audit_tool.domain import Recommendation
from audit_tool.filters import AuditFilter
from ui.export.export_dialog import ExportDialog

HINT = (
    "This may contain a name ('Mrs Fictional'), a date ('12/03/2019'): "
    "case notes should not hold identifiers."
)




def _clear(qtbot, widget) -> None:
    qtbot.keyClick(widget, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(widget, Qt.Key.Key_Delete)


def _shoot(widget, name: str) -> None:
    folder = os.environ.get("AUDIT_TOOL_SHOTS")  # pictures for a person to look at, on request
    if folder:
        widget.grab().save(str(Path(folder) / name))


def test_hint_appears_under_an_evidence_note_and_goes_when_cleared(qtbot, window, editor):
    item = editor.items["p1"]
    note, hint = item.note, item.note_hint
    assert not hint.isVisible()
    note.setFocus()
    qtbot.keyClicks(note, "Spoke to Mrs Fictional on 12/03/2019 about the plan.")
    qtbot.waitUntil(hint.isVisible, timeout=3000)
    assert hint.text() == HINT
    assert QApplication.focusWidget() is note  # not modal: the keyboard stays in the note
    assert note.toPlainText() == "Spoke to Mrs Fictional on 12/03/2019 about the plan."
    assert HINT in note.accessibleDescription()  # read out with the field
    qtbot.keyClicks(note, " More text.")  # typing goes on while the hint shows
    assert note.toPlainText().endswith("More text.")
    _shoot(window, "hint-evidence-note.png")

    _clear(qtbot, note)
    qtbot.waitUntil(lambda: not hint.isVisible(), timeout=3000)
    assert hint.text() == "" and HINT not in note.accessibleDescription()


def test_plain_evidence_raises_no_hint(qtbot, editor):
    item = editor.items["p1"]
    item.note.setFocus()
    qtbot.keyClicks(
        item.note, "The Safe & Together Model was used; Women's Aid and Police Scotland"
    )
    qtbot.wait(600)  # past the pause the hint waits for
    assert not item.note_hint.isVisible()


def test_hint_under_a_summary_field(qtbot, window, editor):
    page = editor.summary
    editor.themes.setCurrentRow(editor.themes.count() - 1)  # "Summary and recommendations"
    edit, hint = page.edits["summary"], page.hints["summary"]
    qtbot.waitUntil(edit.isVisible, timeout=3000)
    edit.setFocus()
    qtbot.keyClicks(edit, "Family moved to 14 Rowan Street, EH1 1AA.")
    qtbot.waitUntil(hint.isVisible, timeout=3000)
    assert hint.text() == (
        "This may contain an address ('14 Rowan Street'), a postcode ('EH1 1AA'): "
        "case notes should not hold identifiers."
    )
    _shoot(window, "hint-summary.png")
    _clear(qtbot, edit)
    qtbot.waitUntil(lambda: not hint.isVisible(), timeout=3000)


# -- export: include recommendation texts -----------------------------------------------------------

SHARED = "Use the pattern-based chronology template (fictional)."
RARE = "Speak to Mrs Fictional first (fictional)."


def _docx_text(path: Path) -> str:
    doc = Document(str(path))
    parts = [p.text for p in doc.paragraphs]
    parts += [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return " ".join(" ".join(parts).split())


@pytest.fixture
def six_audits(session, mini):
    """Six finalised audits (anonymised reports leave drafts out) recommend SHARED; two of
    them RARE as well."""
    for i in range(6):
        case = audits.add_case(session.db, f"FICT-UI-{i}", "Testshire (fictional)")
        audit_id = audits.new_audit(session.db, case.id, mini)
        recs = [Recommendation(SHARED, "Team leader (fictional)")]
        if i < 2:
            recs.append(Recommendation(RARE))
        audits.set_recommendations(session.db, audit_id, recs)
        for item, rating in {"p1": "5", "p2": "yes", "p3": "5", "q1": "5"}.items():
            audits.answer(session.db, audit_id, item, rating)
        audits.finalise(session.db, audit_id)
    return session


def _export(qtbot, dialog, name: str, tick: bool) -> str:
    dialog.path.setText(str(Path(dialog.folder) / name))
    if tick:
        box = dialog.free_text
        qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=box.rect().center())
        assert box.isChecked()
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    if tick:  # the texts are listed for the lead to read and tick first
        read_and_release(qtbot, dialog)
    qtbot.waitUntil(lambda: not dialog.running(), timeout=20000)
    assert dialog.status.text().startswith("Saved"), dialog.status.text()
    return _docx_text(dialog.saved_path)


def test_export_dialog_includes_recommendation_texts_only_when_ticked(
    qtbot, six_audits, tmp_path, no_noise
):
    # no_noise: this pins which texts are shown, not the perturbed counts (test_attack_reports)
    dialog = ExportDialog(six_audits, str(tmp_path), None, AuditFilter(), "all audits")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    qtbot.keyClicks(dialog.recipient, "Steering group (fictional)")  # the register asks
    box = dialog.free_text
    assert box.text() == "Include recommendation texts (listed for you to read first)"
    assert not box.isChecked() and box.isEnabled()

    plain = _export(qtbot, dialog, "plain.docx", tick=False)
    assert "Anonymised report: no case references, names or free text." in plain
    assert SHARED not in plain and RARE not in plain
    assert "Recommendations recorded 8" in plain

    texts = _export(qtbot, dialog, "texts.docx", tick=True)
    _shoot(dialog, "export-dialog.png")
    assert SHARED in texts and RARE not in texts  # RARE is in 2 audits: fewer than 5
    assert "check it for names before sharing" in texts


def test_free_text_choice_is_for_aggregate_reports_only(qtbot, session, audit_id, tmp_path):
    dialog = ExportDialog(session, str(tmp_path), audit_id, AuditFilter(), "all audits")
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.this_audit.isChecked() and not dialog.free_text.isEnabled()
    qtbot.mouseClick(
        dialog.aggregate, Qt.MouseButton.LeftButton, pos=dialog.aggregate.rect().center()
    )
    assert dialog.free_text.isEnabled()
