"""Send audits… / Receive audits… / Conflicts…: real databases, real age files, clicks at the
centre of buttons, Enter and Escape as a person presses them."""

from __future__ import annotations

import json

import pyrage
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from uihelp import answer_next_box, on_next_modal, shots_dir, show_dialog

from audit_tool import audits
from audit_tool.exchange import export_bundle, import_bundle, read_bundle
from audit_tool.filters import AuditFilter
from audit_tool.store import Database
from ui.common.accessibility import unnamed_controls
from ui.exchange.conflicts_view import DIFFERS, ConflictsView
from ui.exchange.receive_dialog import ReceiveDialog
from ui.exchange.send_dialog import SendDialog

PASSPHRASE = "correct horse battery staple"
FULL = {"p1": "5", "p2": "yes", "p3": "4", "q1": "3"}


def click(qtbot, button) -> None:
    assert button.isVisible() and button.isEnabled(), button.text()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton, pos=button.rect().center())


@pytest.fixture(scope="module")
def keys():
    ident = pyrage.x25519.Identity.generate()
    return str(ident), str(ident.to_public())


@pytest.fixture
def key_files(tmp_path, keys):
    secret, public = keys
    (tmp_path / "mine.key").write_text(secret + "\n")
    (tmp_path / "theirs.pub").write_text(public + "\n")
    return tmp_path / "mine.key", tmp_path / "theirs.pub"


def _audit(db, mini, ref: str, area: str = "Glenmorven (fictional)", finalise: bool = False) -> str:
    case = audits.add_case(db, ref, area)
    audit_id = audits.new_audit(db, case.id, mini)
    for item, rating in FULL.items():
        audits.answer(db, audit_id, item, rating, f"Fictional evidence for {item}")
    if finalise:
        audits.finalise(db, audit_id)
    return audit_id


@pytest.fixture
def other(tmp_path):
    db = Database.create(tmp_path / "other-laptop.db", PASSPHRASE)
    audits.set_local_reviewer(db, "Fictional reviewer on the other laptop")
    yield db
    db.close()


def test_send_writes_an_encrypted_file_with_the_receivers_key(
    qtbot, session, mini, tmp_path, key_files, keys
):
    _audit(session.db, mini, "FICT-SEND-01")
    dialog = show_dialog(
        qtbot, SendDialog(session, str(tmp_path), AuditFilter(), "1 audit: all audits")
    )
    click(qtbot, dialog.use_keys)
    dialog.keys_path.setText(str(key_files[1]))
    dialog.path.setText(str(tmp_path / "to the lead"))
    click(qtbot, dialog.send_button)  # without references it is a release: for whom?
    assert "Say who this file is for (recipient)" in dialog.status.text()
    assert not (tmp_path / "to the lead.age").exists()
    dialog.recipient.setText("Lead, North partnership (fictional)")
    click(qtbot, dialog.send_button)
    qtbot.waitUntil(lambda: dialog.sent is not None, timeout=15000)
    qtbot.waitUntil(lambda: not dialog.running(), timeout=5000)
    assert "Saved 1 audit(s) of 1 case(s)" in dialog.status.text()
    out = tmp_path / "to the lead.age"
    assert dialog.send_button.isEnabled() and dialog.close_button.text() == "Close"
    plain = pyrage.decrypt(out.read_bytes(), [pyrage.x25519.Identity.from_str(keys[0])])
    payload = json.loads(plain.partition(b"\n")[2])
    assert [e["audit"]["id"] for e in payload["audits"]] == [
        r[0] for r in session.db.query("SELECT id FROM audits")
    ]
    assert b"FICT-SEND-01" not in plain  # no reference unless ticked
    from audit_tool.disclosure.register import releases

    [rel] = releases(session.db)  # recorded in the register, for whom it was typed
    assert (rel.kind, rel.recipient, rel.audit_count) == (
        "bundle", "Lead, North partnership (fictional)", 1)
    dialog.grab().save(str(_shot("send-done.png")))
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible()


def test_send_with_a_passphrase_by_pressing_enter(qtbot, session, mini, tmp_path):
    _audit(session.db, mini, "FICT-SEND-02")
    dialog = show_dialog(qtbot, SendDialog(session, str(tmp_path), AuditFilter(), "1 audit"))
    dialog.path.setText(str(tmp_path / "p.age"))
    dialog.recipient.setText("Lead (fictional)")
    dialog.passphrase.first.edit.setText("fictional heather lantern ferry")
    dialog.passphrase.second.edit.setText("fictional heather lantern ferry")
    assert "The two passphrases match" in dialog.passphrase.match_text.text()
    dialog.grab().save(str(_shot("send-passphrase.png")))
    qtbot.keyClick(dialog.passphrase.second.edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.sent is not None, timeout=20000)
    assert pyrage.passphrase.decrypt(
        (tmp_path / "p.age").read_bytes(), "fictional heather lantern ferry"
    )
    assert dialog.passphrase.text() == ""  # wiped once used
    # a short passphrase is refused in words, nothing written
    dialog.path.setText(str(tmp_path / "short.age"))
    dialog.passphrase.first.edit.setText("too short")
    qtbot.waitUntil(lambda: not dialog.running(), timeout=5000)
    click(qtbot, dialog.send_button)
    assert (
        "at least 15 characters" in dialog.status.text() and not (tmp_path / "short.age").exists()
    )


def _shot(name: str):
    folder = shots_dir("exchange")
    folder.mkdir(parents=True, exist_ok=True)
    return folder / name


def test_receive_previews_then_imports_with_enter(
    qtbot, session, mini, other, tmp_path, key_files, keys
):
    theirs = _audit(other, mini, "FICT-RECV-01", finalise=True)
    _audit(other, mini, "FICT-RECV-02", area="Port Ceanna (fictional)")
    export_bundle(other, tmp_path / "from other.age", recipients=[keys[1]])
    dialog = show_dialog(qtbot, ReceiveDialog(session, str(tmp_path)))
    dialog.resize(760, 420)
    dialog.path.setText(str(tmp_path / "from other.age"))
    click(qtbot, dialog.use_key)
    dialog.key_path.setText(str(key_files[0]))
    click(qtbot, dialog.preview_button)
    qtbot.waitUntil(lambda: dialog.preview is not None, timeout=15000)
    assert "Audits: 2 new, 0 updated, 0 unchanged, 0 in conflict." in dialog.summary.text()
    assert "Cases: 2 new" in dialog.summary.text()
    assert session.db.query_one("SELECT count(*) FROM audits")[0] == 0  # a preview changes nothing
    assert dialog.import_button.isVisible() and not dialog.preview_button.isVisible()
    dialog.grab().save(str(_shot("receive-preview.png")))
    qtbot.keyClick(QApplication.focusWidget() or dialog, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.merged is not None, timeout=15000)
    qtbot.waitUntil(lambda: not dialog.running(), timeout=5000)
    assert "Imported: 2 new, 0 updated, 0 unchanged." in dialog.status.text()
    got = audits.get_audit(session.db, theirs)
    assert got.status.value == "finalised" and got.ratings == FULL and got.case.reference == ""
    dialog.grab().save(str(_shot("receive-done.png")))
    qtbot.keyClick(dialog, Qt.Key.Key_Return)  # Enter now closes
    assert not dialog.isVisible()


def test_receive_refuses_a_wrong_key_and_a_replay_in_words(
    qtbot, session, mini, other, tmp_path, key_files, keys
):
    _audit(other, mini, "FICT-RECV-03")
    export_bundle(other, tmp_path / "f.age", recipients=[keys[1]])
    wrong = tmp_path / "wrong.key"
    wrong.write_text(str(pyrage.x25519.Identity.generate()) + "\n")
    dialog = show_dialog(qtbot, ReceiveDialog(session))
    dialog.path.setText(str(tmp_path / "f.age"))
    click(qtbot, dialog.use_key)
    dialog.key_path.setText(str(wrong))
    click(qtbot, dialog.preview_button)
    qtbot.waitUntil(lambda: "does not open this file" in dialog.status.text(), timeout=15000)
    assert dialog.preview is None and not dialog.import_button.isVisible()
    import_bundle(session.db, read_bundle(tmp_path / "f.age", identities=[keys[0]]))
    dialog.key_path.setText(str(key_files[0]))
    qtbot.waitUntil(lambda: not dialog.running(), timeout=5000)
    click(qtbot, dialog.preview_button)
    qtbot.waitUntil(lambda: "already imported" in dialog.status.text(), timeout=15000)
    assert not dialog.import_button.isVisible()
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible()


def _conflict(session, mini, other, tmp_path, keys) -> str:
    audit_id = _audit(other, mini, "FICT-CONFLICT-01")
    export_bundle(other, tmp_path / "common.age", recipients=[keys[1]])
    import_bundle(session.db, read_bundle(tmp_path / "common.age", identities=[keys[0]]))
    audits.answer(
        session.db, audit_id, "p1", "6", "This laptop: the chronology names the pattern of control."
    )
    audits.set_summary(session.db, audit_id, "summary", "Read here on Tuesday (fictional).")
    audits.answer(
        other, audit_id, "p1", "2", "Other laptop: one incident only, no pattern described."
    )
    audits.answer(other, audit_id, "q1", "1")
    export_bundle(other, tmp_path / "later.age", recipients=[keys[1]])
    import_bundle(session.db, read_bundle(tmp_path / "later.age", identities=[keys[0]]))
    return audit_id


def test_conflicts_view_shows_both_versions_and_takes_the_received_one(
    qtbot, session, mini, other, tmp_path, keys
):
    audit_id = _conflict(session, mini, other, tmp_path, keys)
    view = show_dialog(qtbot, ConflictsView(session))
    view.resize(1100, 560)
    assert view.audits.count() == 1
    rows = {view.table.item(r, 1).text(): r for r in range(view.table.rowCount())}
    p1 = next(
        r
        for label, r in rows.items()
        if label.startswith("Pattern") and " 1.1 " in label and "evidence" not in label
    )  # the editor's number, not the id p1
    assert [view.table.item(p1, c).text() for c in (0, 2, 3)] == [DIFFERS, "Excellent", "Weak"]
    p2 = next(r for label, r in rows.items() if "1.2 " in label and "evidence" not in label)
    assert view.table.item(p2, 0).text() == ""  # the same on both: not marked
    view.grab().save(str(_shot("conflicts.png")))
    seen: list[str] = []
    answer_next_box("Take the received version", seen)
    click(qtbot, view.take_button)
    assert "take the received version" in seen[0]
    got = audits.get_audit(session.db, audit_id)
    assert got.ratings["p1"] == "2" and got.ratings["q1"] == "1"
    assert audits.history(session.db, audit_id)[-1].new == "took the received version"
    assert view.audits.count() == 0 and "No conflicts" in view.status.text()
    view.grab().save(str(_shot("conflicts-resolved.png")))
    qtbot.keyClick(view, Qt.Key.Key_Escape)
    assert not view.isVisible()


def test_keep_this_laptops_version_from_the_menu(
    qtbot, window, session, mini, other, tmp_path, keys
):
    audit_id = _conflict(session, mini, other, tmp_path, keys)
    menu = [a.text() for a in window.menuBar().actions()[0].menu().actions()]
    assert {"Sen&d audits…", "Recei&ve audits…", "Con&flicts…"} <= set(menu)
    seen: list[str] = []

    def keep(view) -> None:
        answer_next_box("Keep this laptop's version", seen)
        click(qtbot, view.keep_button)
        qtbot.waitUntil(lambda: view.audits.count() == 0)
        view.reject()

    on_next_modal(ConflictsView, keep)
    window.actions.conflicts.trigger()
    assert seen and "keep this laptop's version" in seen[0]
    assert audits.get_audit(session.db, audit_id).ratings["p1"] == "6"
    assert audits.history(session.db, audit_id)[-1].new == "kept this laptop's version"


def test_every_control_has_a_name(qtbot, session, tmp_path):
    for dialog in (
        SendDialog(session, str(tmp_path), AuditFilter(), "0 audits"),
        ReceiveDialog(session),
        ConflictsView(session),
    ):
        show_dialog(qtbot, dialog)
        assert unnamed_controls(dialog) == [], type(dialog).__name__
        dialog.reject()
