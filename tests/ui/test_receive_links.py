"""Receive audits…: a received case typed differently from one here (issue 17 item 4) is
named in the preview in one line, and its audit lands on the case here. Real databases,
a real age file, clicks at the centre of buttons, Enter and Escape."""

from __future__ import annotations

import pyrage
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from uihelp import shots_dir, show_dialog

from audit_tool import audits
from audit_tool.exchange import export_bundle
from audit_tool.store import Database
from ui.exchange.receive_dialog import ReceiveDialog

AREA = "Glenmorven (fictional)"
LINE = "Case SW/2026/0417 here matches received 'sw 2026 0417': readings linked (1 audit)."


def click(qtbot, button) -> None:
    assert button.isVisible() and button.isEnabled(), button.text()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton, pos=button.rect().center())


def _finalised(db, mini, ref: str) -> str:
    case = audits.add_case(db, ref, AREA)
    audit_id = audits.new_audit(db, case.id, mini)
    for item, rating in {"p1": "5", "p2": "yes", "p3": "4", "q1": "3"}.items():
        audits.answer(db, audit_id, item, rating, f"Fictional evidence for {item}")
    audits.finalise(db, audit_id)
    return audit_id


def test_receive_preview_names_the_linked_case_and_imports_onto_it(
    qtbot, session, mini, tmp_path
):
    mine = _finalised(session.db, mini, "SW/2026/0417")
    other = Database.create(tmp_path / "other.db", "fictional other laptop passphrase")
    audits.set_local_reviewer(other, "Fictional reviewer elsewhere")
    theirs = _finalised(other, mini, "sw 2026 0417")
    ident = pyrage.x25519.Identity.generate()
    export_bundle(other, tmp_path / "from other.age", include_identifiers=True,
                  recipients=[str(ident.to_public())])
    other.close()
    (tmp_path / "mine.key").write_text(str(ident) + "\n")

    dialog = show_dialog(qtbot, ReceiveDialog(session, str(tmp_path)))
    dialog.resize(1024, 600)
    dialog.path.setText(str(tmp_path / "from other.age"))
    click(qtbot, dialog.use_key)
    dialog.key_path.setText(str(tmp_path / "mine.key"))
    click(qtbot, dialog.preview_button)
    qtbot.waitUntil(lambda: dialog.preview is not None, timeout=15000)
    shown = dialog.summary.text().splitlines()
    assert LINE in shown and "Cases: 0 new. Reviewers: 1 new." in shown, shown
    assert dialog.summary.isVisible()
    folder = shots_dir("exchange")
    folder.mkdir(parents=True, exist_ok=True)
    dialog.grab().save(str(folder / "receive-linked-case.png"))
    qtbot.keyClick(QApplication.focusWidget() or dialog, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.merged is not None, timeout=15000)
    qtbot.waitUntil(lambda: not dialog.running(), timeout=5000)
    assert "Imported: 1 new, 0 updated, 0 unchanged." in dialog.status.text()
    here = audits.get_audit(session.db, mine).case
    assert audits.get_audit(session.db, theirs).case.id == here.id
    assert session.db.query_one("SELECT count(*) FROM cases")[0] == 1
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible()


def test_receive_preview_says_an_unnamed_audit_is_made_precise(qtbot, session, mini, tmp_path):
    other = Database.create(tmp_path / "other.db", "fictional other laptop passphrase")
    audits.set_local_reviewer(other, "Fictional reviewer elsewhere")
    theirs = _finalised(other, mini, "FICT-2026-40417")
    ident = pyrage.x25519.Identity.generate()
    for name, named in (("unnamed.age", False), ("named.age", True)):
        export_bundle(
            other, tmp_path / name, include_identifiers=named, recipients=[str(ident.to_public())]
        )
    other.close()
    (tmp_path / "mine.key").write_text(str(ident) + "\n")
    for name in ("unnamed.age", "named.age"):
        dialog = show_dialog(qtbot, ReceiveDialog(session, str(tmp_path)))
        dialog.resize(1024, 600)
        dialog.path.setText(str(tmp_path / name))
        click(qtbot, dialog.use_key)
        dialog.key_path.setText(str(tmp_path / "mine.key"))
        click(qtbot, dialog.preview_button)
        qtbot.waitUntil(lambda d=dialog: d.preview is not None, timeout=15000)
        shown = dialog.summary.text().splitlines()
        if name == "named.age":
            assert (
                "1 finalised audit received earlier without identifiers: its references and "
                "times added (the same audit, not a change)."
            ) in shown, shown
            assert "Nothing here is new" not in dialog.status.text()
            folder = shots_dir("exchange")
            folder.mkdir(parents=True, exist_ok=True)
            dialog.grab().save(str(folder / "receive-made-precise.png"))
        qtbot.keyClick(QApplication.focusWidget() or dialog, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda d=dialog: d.merged is not None, timeout=15000)
        qtbot.waitUntil(lambda d=dialog: not d.running(), timeout=5000)
        qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    got = audits.get_audit(session.db, theirs)
    assert got.case.reference == "FICT-2026-40417" and not got.created_at.endswith("T00:00:00Z")
