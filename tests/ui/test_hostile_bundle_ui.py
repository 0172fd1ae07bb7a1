"""Receive audits… with a forged file (issue 17): the change to a finalised audit is refused
in the dialog's one status line, nothing offered to import, the database unchanged."""

from __future__ import annotations

import hashlib
import json
import uuid

import pyrage
from PySide6.QtCore import Qt
from uihelp import shots_dir, show_dialog

from audit_tool import audits
from audit_tool.exchange import export_bundle, import_bundle, read_bundle
from audit_tool.exchange.bundle import canonical
from audit_tool.exchange.crypto import seal
from audit_tool.store import Database
from ui.exchange.receive_dialog import ReceiveDialog

FULL = {"p1": "5", "p2": "yes", "p3": "4", "q1": "3"}


def test_a_forged_amendment_is_refused_in_the_receive_dialog(qtbot, session, mini, tmp_path):
    ident = pyrage.x25519.Identity.generate()
    secret, public = str(ident), str(ident.to_public())
    (tmp_path / "mine.key").write_text(secret + "\n")
    with Database.create(tmp_path / "other.db", "fictional other laptop kettle") as other:
        audits.set_local_reviewer(other, "Fictional reviewer on the other laptop")
        case = audits.add_case(other, "FICT-FORGED-01", "Glenmorven (fictional)")
        x = audits.new_audit(other, case.id, mini)
        for item, rating in FULL.items():
            audits.answer(other, x, item, rating, f"Fictional evidence for {item}")
        audits.finalise(other, x)
        export_bundle(other, tmp_path / "real.age", recipients=[public])
    import_bundle(session.db, read_bundle(tmp_path / "real.age", identities=[secret]))
    plain = pyrage.decrypt((tmp_path / "real.age").read_bytes(), [ident])
    head, _, body = plain.partition(b"\n")
    manifest, payload = json.loads(head), json.loads(body)
    entry = payload["audits"][0]
    for ans in entry["answers"]:  # every note rewritten, the row says amended, one new entry
        ans["note"] = "Forged: nothing of concern."
    entry["audit"].update(amended_at="2026-11-30T09:00:00.000Z", amend_reason="routine")
    entry["history"].append(
        {
            "at": "2026-11-30T09:00:00.000Z",
            "who": "Someone",
            "action": "amended",
            "field": "status",
            "old": "finalised",
            "new": "routine",
            "uid": uuid.uuid4().hex,
        }
    )
    body = canonical(payload)
    manifest["bundle_id"] = str(uuid.uuid4())
    manifest["payload_sha256"] = hashlib.sha256(body).hexdigest()
    (tmp_path / "forged.age").write_bytes(
        seal(canonical(manifest) + b"\n" + body, recipients=[public])
    )
    before = session.db.query("SELECT item_id, rating, note FROM answers ORDER BY item_id")

    dialog = show_dialog(qtbot, ReceiveDialog(session, str(tmp_path)))
    dialog.resize(760, 420)
    dialog.path.setText(str(tmp_path / "forged.age"))
    qtbot.mouseClick(dialog.use_key, Qt.MouseButton.LeftButton, pos=dialog.use_key.rect().center())
    dialog.key_path.setText(str(tmp_path / "mine.key"))
    qtbot.mouseClick(
        dialog.preview_button, Qt.MouseButton.LeftButton, pos=dialog.preview_button.rect().center()
    )
    qtbot.waitUntil(lambda: "is finalised here" in dialog.status.text(), timeout=15000)
    assert "changes the note of item 'p1' with no record of the change" in dialog.status.text()
    assert "nothing was changed" in dialog.status.text()
    assert dialog.preview is None and not dialog.import_button.isVisible()
    folder = shots_dir("exchange")
    folder.mkdir(parents=True, exist_ok=True)
    dialog.grab().save(str(folder / "receive-forged-refused.png"))
    assert session.db.query("SELECT item_id, rating, note FROM answers ORDER BY item_id") == before
    assert session.db.query_one("SELECT count(*) FROM exchange_imports")[0] == 1
