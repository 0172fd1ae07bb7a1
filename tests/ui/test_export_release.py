"""The export dialog's release choices (issue 18 leftovers): one audit's report is recorded
in the register for whom it was typed; the restricted record-level dataset is a separate,
deliberate choice; free text is listed for the lead to read and tick before it is released,
and the review is recorded with the release. A real encrypted database, real files read
back, clicks at the centre of widgets, Space, Enter and Escape as a person presses them."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook
from PySide6.QtCore import QPoint, QRect, Qt
from uihelp import read_and_release, shots_dir, show_dialog

from audit_tool import audits, demo
from audit_tool.disclosure.register import releases
from audit_tool.disclosure.review import reviews, texts_digest
from audit_tool.filters import AuditFilter
from ui.export.export_dialog import ExportDialog

SHOTS = shots_dir("export")
STEERING = "Steering group (fictional)"


def click(qtbot, widget) -> None:
    """At the centre of what is drawn: a tick box or radio button laid out wider than its
    text takes clicks on its box and text only."""
    assert widget.isVisible() and widget.isEnabled(), widget
    drawn = QRect(QPoint(0, 0), widget.sizeHint().boundedTo(widget.size()))
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton, pos=drawn.center())


def _shot(widget, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    widget.grab().save(str(SHOTS / name))


@pytest.fixture
def filled(session):
    demo.generate(session.db, 60, seed=11)
    return session


def _dialog(qtbot, session, tmp_path, audit_id=None) -> ExportDialog:
    dialog = show_dialog(
        qtbot, ExportDialog(session, str(tmp_path), audit_id, AuditFilter(), "all audits")
    )
    dialog.resize(1024, 600)
    return dialog


def test_one_audit_report_needs_a_recipient_and_is_recorded(qtbot, session, audit_id, tmp_path):
    dialog = _dialog(qtbot, session, tmp_path, audit_id)
    assert dialog.this_audit.isChecked() and dialog.recipient.isEnabled()
    click(qtbot, dialog.export_button)
    assert "Say who this is for (recipient)" in dialog.status.text()
    assert releases(session.db) == [] and not list(tmp_path.glob("*.docx"))
    qtbot.keyClicks(dialog.recipient, "Case holder (fictional)")
    _shot(dialog, "export-one-audit.png")
    qtbot.keyClick(dialog.recipient, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.saved_path is not None, timeout=20_000)
    assert dialog.saved_path.is_file() and dialog.status.text().startswith("Saved")
    [rel] = releases(session.db)
    case = audits.get_audit(session.db, audit_id).case
    assert (rel.kind, rel.recipient, rel.audit_count, rel.restricted) == (
        "audit report", "Case holder (fictional)", 1, True)
    assert case.pseudonym in rel.selection and case.reference not in rel.selection
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible()


def test_restricted_dataset_is_a_deliberate_choice_recorded_as_such(qtbot, filled, tmp_path):
    dialog = _dialog(qtbot, filled, tmp_path)
    assert not dialog.restricted.isVisible()  # only with the dataset
    click(qtbot, dialog.dataset)
    assert not dialog.restricted.isChecked() and not dialog.restricted_note.isVisible()
    click(qtbot, dialog.restricted)
    assert dialog.restricted_note.isVisible() and "Restricted" in dialog.restricted_note.text()
    assert Path(dialog.path.text()).name.startswith("Restricted analyst dataset")
    qtbot.keyClicks(dialog.recipient, "Analyst A under agreement DSA-7 (fictional)")
    _shot(dialog, "export-restricted-dataset.png")
    click(qtbot, dialog.export_button)
    qtbot.waitUntil(lambda: dialog.saved_path is not None, timeout=30_000)
    out = dialog.saved_path
    assert out.is_file() and "Restricted" in out.name
    wb = load_workbook(out, read_only=True)
    assert all("Restricted" in name for name in wb.sheetnames), wb.sheetnames
    audit_rows = next(wb[n] for n in wb.sheetnames if "audits" in n).max_row - 1
    wb.close()
    finalised = filled.db.query_one("SELECT count(*) FROM audits WHERE status = 'finalised'")[0]
    [rel] = releases(filled.db)
    assert (rel.kind, rel.restricted, rel.recipient) == (
        "restricted dataset", True, "Analyst A under agreement DSA-7 (fictional)")
    assert rel.audit_count == audit_rows == finalised  # record-level: every finalised audit
    # unticked again: the anonymised dataset, named as such
    click(qtbot, dialog.restricted)
    assert not dialog.restricted_note.isVisible()
    assert Path(dialog.path.text()).name.startswith("Analyst dataset")


def test_free_text_is_read_and_ticked_before_release(qtbot, filled, tmp_path):
    dialog = _dialog(qtbot, filled, tmp_path)
    click(qtbot, dialog.aggregate)
    qtbot.keyClicks(dialog.recipient, STEERING)
    click(qtbot, dialog.free_text)
    dialog.path.setText(str(tmp_path / "with texts.docx"))
    click(qtbot, dialog.export_button)
    qtbot.waitUntil(lambda: dialog.review_dialog is not None, timeout=30_000)
    box = dialog.review_dialog
    qtbot.waitExposed(box)
    box.resize(1024, 600)
    n = box.texts.count()
    assert n > 0 and f"0 of {n:,} read and ticked" == box.count.text()
    assert not box.release_button.isEnabled()
    qtbot.keyClick(box.texts, Qt.Key.Key_Space)
    assert box.count.text().startswith("1 of")
    _shot(box, "free-text-review.png")
    qtbot.keyClick(box.texts, Qt.Key.Key_Return)  # not every text ticked: nothing happens
    assert box.isVisible() and dialog.review_dialog is box
    qtbot.keyClick(box.texts, Qt.Key.Key_Escape)  # nothing released
    qtbot.waitUntil(lambda: not box.isVisible(), timeout=5000)
    assert dialog.status.text() == (
        "Export cancelled: the texts were not released; nothing was saved.")
    assert releases(filled.db) == [] and not (tmp_path / "with texts.docx").exists()
    assert dialog.export_button.isEnabled()
    # again, reading and ticking every text
    click(qtbot, dialog.export_button)
    texts = read_and_release(qtbot, dialog)
    qtbot.waitUntil(lambda: dialog.saved_path is not None, timeout=30_000)
    from docx import Document

    doc = Document(dialog.saved_path)
    printed = " ".join(c.text for t in doc.tables for row in t.rows for c in row.cells)
    assert all(t in printed for t in texts)
    [rel] = releases(filled.db)
    rev = reviews(filled.db)[rel.id]
    assert (rev.texts, rev.texts_sha256, rev.who) == (len(texts), texts_digest(texts),
                                                      "Test Reviewer")
    assert "ticked" in rev.how
    _shot(dialog, "export-after-review.png")
