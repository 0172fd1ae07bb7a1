"""The export dialog's release-notes box (issue 20, item 4): shown for an anonymised report
only, prefilled from the last release of the same checklist, deaths in the period for a death
review only, a wrong entry said in one line and nothing released; the notes reach the
register. Real database, real widgets, clicks at the widgets' centres."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtWidgets import QAbstractButton, QApplication, QPushButton

from audit_tool import demo
from audit_tool.disclosure.register import last_report, record_release, releases
from audit_tool.filters import AuditFilter
from audit_tool.reports.notes import ReleaseNotes
from ui.export.export_dialog import ExportDialog

DEATHS = "gendered-drug-alcohol-death-review"
EARLIER = ReleaseNotes("March: reviews asked about abuse in most deaths (fictional).",
                       ("Agree routine enquiry in ADP services",), 31)


def shots() -> Path:
    """Where the screenshots go (SCREENSHOT_DIR, else the system temp folder)."""
    folder = Path(os.environ.get("SCREENSHOT_DIR", "/tmp/act/shots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def click(qtbot, widget) -> None:
    """At the centre of what can be clicked: a check box's or radio button's own box and label
    (its row may be wider), any other widget's rectangle."""
    rect = widget.rect()
    if isinstance(widget, QAbstractButton) and not isinstance(widget, QPushButton):
        rect = QRect(QPoint(0, 0), widget.sizeHint()).intersected(rect)
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton, pos=rect.center())


def _filled(session):
    db = session.db
    demo.generate(db, 80, seed=11)
    ids = [r[0] for r in db.query(
        "SELECT id FROM audits WHERE status = 'finalised' AND checklist_id = ?", (DEATHS,))]
    record_release(db, ids, kind="report", selection="death reviews", recipient="ADP (fictional)",
                   who="Lead (fictional)", at="2026-03-02T10:00:00Z", notes=EARLIER,
                   checklist_id=DEATHS)
    return db


def _dialog(qtbot, session, tmp_path, flt):
    dialog = ExportDialog(session, str(tmp_path), None, flt, "death reviews")
    qtbot.addWidget(dialog)
    dialog.resize(1024, 600)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def test_prefilled_for_an_anonymised_report_and_kept_with_the_release(qtbot, session, tmp_path):
    db = _filled(session)
    dialog = _dialog(qtbot, session, tmp_path, AuditFilter(checklist_id=DEATHS))
    box = dialog.release_notes
    assert box.isVisible()
    assert box.commentary.toPlainText() == EARLIER.commentary  # edited, not retyped
    assert box.decisions.toPlainText() == "Agree routine enquiry in ADP services"
    assert box.deaths.isVisible() and box.deaths.text() == "31"
    assert box.count.text() == f"{len(EARLIER.commentary)} of 500 characters · 1 of 5 decisions"
    assert dialog.height() <= 600  # the box fits the dialog on a 1024x600 screen
    dialog.grab().save(str(shots() / "export_dialog_release_notes_1024x600.png"))

    click(qtbot, dialog.identifiers)  # a named recipient's report: no notes kept
    assert dialog.identifiers.isChecked() and not box.isVisible()
    click(qtbot, dialog.identifiers)
    assert box.isVisible()
    click(qtbot, dialog.dataset)
    assert not box.isVisible()
    click(qtbot, dialog.aggregate)
    assert box.isVisible()

    click(qtbot, box.decisions)
    qtbot.keyClick(box.decisions, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(box.decisions, Qt.Key.Key_Return)
    qtbot.keyClicks(box.decisions, "Fund the overdose pathway")
    box.deaths.selectAll()
    qtbot.keyClicks(box.deaths, "35")
    dialog.recipient.setText("ADP (fictional)")
    dialog.path.setText(str(tmp_path / "death reviews.pdf"))
    dialog.pdf.setChecked(True)
    click(qtbot, dialog.export_button)
    qtbot.waitUntil(lambda: not dialog.running(), timeout=60_000)
    assert dialog.saved_path is not None, dialog.status.text()
    got = last_report(db, DEATHS)
    assert got is not None and got[1] == ReleaseNotes(
        EARLIER.commentary, ("Agree routine enquiry in ADP services", "Fund the overdose pathway"), 35)


def test_a_wrong_entry_is_one_line_and_nothing_is_released(qtbot, session, tmp_path):
    db = _filled(session)
    before = len(releases(db))
    dialog = _dialog(qtbot, session, tmp_path, AuditFilter(checklist_id="safe-together-case-file-audit"))
    box = dialog.release_notes
    assert box.isVisible() and not box.deaths.isVisible()  # not a death review
    assert box.commentary.toPlainText() == ""  # no earlier release of this checklist
    click(qtbot, box.decisions)
    for i in range(6):
        if i:
            qtbot.keyClick(box.decisions, Qt.Key.Key_Return)
        qtbot.keyClicks(box.decisions, f"Decision {i} (fictional)")
    assert box.error.text() == "Give at most 5 decisions sought." and box.error.isVisible()
    dialog.recipient.setText("CPC (fictional)")
    click(qtbot, dialog.recipient)
    qtbot.keyClick(dialog.recipient, Qt.Key.Key_Return)  # Enter presses Export
    assert dialog.status.text() == "Give at most 5 decisions sought."
    assert not dialog.running() and len(releases(db)) == before
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=3000)
    assert QApplication.activeModalWidget() is None
