"""The audit list: new case and audit through the dialogs, filtering, the model's contract,
and a 50,000-audit list that stays correct when filtered."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog

from audit_tool import audits
from audit_tool.selection import list_audits
from ui.dialogs.case_dialogs import NewAuditDialog, NewCaseDialog
from ui.list.audit_list_model import COL, AuditListModel, prepare

PASSPHRASE = "correct horse battery staple"


@pytest.fixture(scope="session")
def big_db_path(tmp_path_factory):
    """50,000 audits, made once per test session with batched inserts."""
    from bigdb import make

    path = tmp_path_factory.mktemp("big") / "big.db"
    make(path, PASSPHRASE, 50_000)
    return path


def test_empty_state_invites_a_first_case(window):
    page = window.list_page
    assert page.stack.currentWidget() is page.empty
    assert page.empty_title.text() == "No audits yet"
    assert page.empty_button.text() == "Add a case…"
    assert window.windowTitle() == "Case File Audit"


def test_new_case_and_audit_through_dialogs(qtbot, window, session, mini, monkeypatch):
    dialog = NewCaseDialog(session, window)
    qtbot.addWidget(dialog)
    qtbot.keyClicks(dialog.reference, "REF-42")
    dialog.area.setCurrentText("Testshire (fictional)")
    dialog.ok.click()
    assert dialog.result() == QDialog.DialogCode.Accepted
    case = dialog.case
    assert case is not None and case.reference == "REF-42"

    new = NewAuditDialog(session, [mini], [], case.id, False, window)
    qtbot.addWidget(new)
    assert new.case.currentText().startswith(case.pseudonym)  # pseudonym unless identifiers shown
    assert [new.audit_type.itemData(i) for i in range(new.audit_type.count())] == [
        "thematic_review"
    ]
    new.phase.setCurrentIndex(new.phase.findData("post_training"))
    new.ok.click()
    assert new.audit_id
    audit = audits.get_audit(session.db, new.audit_id)
    assert audit.phase.value == "post_training" and audit.case.id == case.id

    window.loader.refresh(new.audit_id)
    window.controller.open_audit(new.audit_id)
    assert window.stack.currentWidget() is window.editor
    assert case.reference not in window.windowTitle()


def test_window_actions_open_dialogs_and_the_new_audit(qtbot, window, session, mini, monkeypatch):
    """The whole path from the menu: New case → New audit → editor, with dialogs answered."""
    import audit_tool.checklists.loader as loader

    monkeypatch.setattr(loader, "available", lambda: ([mini], []))

    def fill_case(dialog):
        dialog.reference.setText("REF-7")
        dialog.area.setCurrentText("Testshire (fictional)")
        dialog._add()
        return dialog.result()

    def fill_audit(dialog):
        dialog._start()
        return dialog.result()

    monkeypatch.setattr(NewCaseDialog, "exec", fill_case)
    monkeypatch.setattr(NewAuditDialog, "exec", fill_audit)
    window.actions.new_case.trigger()
    assert window.stack.currentWidget() is window.editor
    assert window.editor.audit.case.reference == "REF-7"
    window.actions.back.trigger()
    assert window.stack.currentWidget() is window.list_page
    assert window.list_model.rowCount() == 1
    audit = audits.get_audit(session.db, window.list_model.audit_id(0))
    assert window.list_model.index(0, COL["case"]).data() == audit.case.pseudonym


def test_filters_and_search(qtbot, window, session, mini):
    for n, area in enumerate(["North (fictional)", "South (fictional)", "North (fictional)"]):
        case = audits.add_case(session.db, f"REF-{n}", area)
        audits.new_audit(session.db, case.id, mini)
    window.loader.load()
    model, page = window.list_model, window.list_page
    assert model.rowCount() == 3
    page.area_filter.setCurrentIndex(page.area_filter.findData("North (fictional)"))
    assert model.rowCount() == 2
    qtbot.keyClicks(page.search, "zzz-no-such")
    assert model.rowCount() == 0
    assert page.stack.currentWidget() is page.empty and page.empty_title.text() == "No audits match"
    qtbot.mouseClick(page.empty_button, Qt.MouseButton.LeftButton)
    assert model.rowCount() == 3 and page.search.text() == ""
    # references are searched only while identifiers are shown
    page.search.setText("ref-1")
    assert model.rowCount() == 0
    window.actions.show_ids.setChecked(True)
    assert model.rowCount() == 1
    assert model.index(0, COL["case"]).data() == "REF-1"


def test_model_contract(qtmodeltester, session, mini):
    for n in range(5):
        case = audits.add_case(session.db, f"REF-{n}", "Area (fictional)")
        audits.new_audit(session.db, case.id, mini)
    model = AuditListModel()
    model.set_rows(prepare(list_audits(session.db)))
    qtmodeltester.check(model)
    model.set_search("case")
    model.sort(COL["area"], Qt.SortOrder.AscendingOrder)
    qtmodeltester.check(model)


def test_fifty_thousand_audits_filter_and_sort(qtbot, big_db_path, settings):
    from ui.main_window import MainWindow
    from ui.session import Session

    session = Session(big_db_path)
    session.unlock(PASSPHRASE)
    window = MainWindow(session, settings)
    qtbot.addWidget(window)
    window.show()
    model = window.list_model
    assert model.rowCount() == 200 and model.partial  # first paint: newest audits only
    qtbot.waitUntil(lambda: not model.partial, timeout=20_000)
    assert model.total() == 50_000
    page = window.list_page
    qtbot.keyClicks(page.search, "inverbrack")
    expected = sum(1 for r in _rows(big_db_path) if "inverbrack" in r.area.lower())
    assert model.rowCount() == expected
    page.status_filter.setCurrentIndex(page.status_filter.findData("draft"))
    drafts = sum(
        1 for r in _rows(big_db_path) if "inverbrack" in r.area.lower() and r.status == "draft"
    )
    assert model.rowCount() == drafts
    window.list_page.table.sortByColumn(COL["case"], Qt.SortOrder.AscendingOrder)
    names = [model.index(i, COL["case"]).data() for i in range(min(50, model.rowCount()))]
    assert names == sorted(names)
    window.close()
    assert not session.is_open


_ROWS: dict = {}


def _rows(path):
    if path not in _ROWS:
        from audit_tool.store import Database

        db = Database.open(path, PASSPHRASE)
        _ROWS[path] = list_audits(db)
        db.close()
    return _ROWS[path]


def test_delete_a_draft_with_the_delete_key_after_confirming(
    qtbot, window, session, audit_id, monkeypatch
):
    import ui.controller as controller

    answers = iter([False, True])
    asked = []

    def confirm(parent, title, text, yes, no="Cancel", danger=False):
        asked.append((title, danger, no))
        return next(answers)

    monkeypatch.setattr(controller, "confirm", confirm)
    window.loader.load()
    window.activateWindow()
    qtbot.waitActive(window)
    table = window.list_page.table
    table.setFocus()
    window.list_page.select_audit(audit_id)
    qtbot.keyClick(table, Qt.Key.Key_Delete)
    assert asked == [("Delete draft audit", True, "Keep it")]  # the safe choice is the default
    assert window.list_model.total() == 1
    qtbot.keyClick(table, Qt.Key.Key_Delete)
    assert window.list_model.total() == 0
    assert list_audits(session.db) == []
    assert window.list_page.empty_title.text() == "No audits yet"


def test_finalised_audits_cannot_be_deleted(window, session, audit_id):
    for item, rating in (("p1", "4"), ("p2", "no"), ("q1", "4")):
        audits.answer(session.db, audit_id, item, rating=rating)
    audits.finalise(session.db, audit_id)
    window.loader.load()
    window.list_page.select_audit(audit_id)
    window.update_actions()
    assert not window.actions.delete_draft.isEnabled()
    assert window.actions.amend.isEnabled()


def test_no_network_module_is_loaded(tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    code = (
        "import os, sys; os.environ['QT_QPA_PLATFORM']='offscreen';"
        "import ui.app, ui.main_window, ui.export.export_dialog, ui.findings.findings_view;"
        "net=('PySide6.QtNetwork','http.client','urllib.request','ssl','ftplib','smtplib');"
        "bad=[m for m in sys.modules if m.startswith(net)];"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=root,
        env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
        timeout=60,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
