"""Every focusable control has a name for screen readers; commands are reachable from the
keyboard; Tab follows the order of a question."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from audit_tool import audits
from audit_tool.checklists.loader import available
from audit_tool.filters import AuditFilter
from ui.common.accessibility import focusable_widgets, unnamed_controls
from ui.dialogs.case_dialogs import NewAuditDialog, NewCaseDialog, ReasonDialog
from ui.dialogs.create_dialog import CreateDialog
from ui.dialogs.passphrase_dialog import ChangePassphraseDialog
from ui.dialogs.settings_dialog import SettingsDialog
from ui.dialogs.shortcuts_dialog import ShortcutsDialog
from ui.dialogs.unlock_dialog import UnlockDialog
from ui.editor.concern_dialog import ConcernDialog
from ui.editor.history_dialog import HistoryDialog
from ui.session import Session


def test_every_control_in_every_page_is_named(qtbot, window, session, audit_id):
    window.loader.load()
    pages = {"list": window.list_page}
    assert unnamed_controls(window) == [], "list page"
    window.controller.open_audit(audit_id)
    editor = window.editor
    for index in range(len(editor.audit.checklist.definition.themes) + 1):
        editor.show_theme(index)
        editor.items.get("p1") and editor.items["p1"].guidance_toggle.setChecked(True)
        assert unnamed_controls(window) == [], f"editor theme {index}"
    window.controller.finalise()  # shows the missing-questions links
    assert unnamed_controls(window) == [], "missing panel"
    window.controller.findings_for_audit()
    qtbot.waitUntil(
        lambda: not window.findings.busy.isVisible() or window.findings.isHidden(), timeout=5000
    )
    assert unnamed_controls(window) == [], "findings"
    session.lock()
    assert unnamed_controls(window) == [], "lock screen"
    assert len(focusable_widgets(window)) >= 2
    del pages


def test_every_dialog_is_named(qtbot, window, session, audit_id, settings, tmp_path):
    audit = audits.get_audit(session.db, audit_id)
    checklists, problems = available()
    dialogs = [
        CreateDialog(Session(tmp_path / "new.db")),
        UnlockDialog(Session(tmp_path / "other.db")),
        NewCaseDialog(session),
        NewAuditDialog(session, checklists, problems, audit.case.id),
        ReasonDialog(),
        ConcernDialog(session, audit_id),
        HistoryDialog(session.db, audit, None),
        SettingsDialog(session, settings),
        ChangePassphraseDialog(session),
        ShortcutsDialog(window.actions),
        window.make_export_dialog(audit_id, AuditFilter(), "1 audit", True),
    ]
    for dialog in dialogs:
        qtbot.addWidget(dialog)
        dialog.show()
        assert unnamed_controls(dialog) == [], type(dialog).__name__
        assert dialog.windowTitle() and audit.case.reference not in dialog.windowTitle()
        assert audit.case.pseudonym not in dialog.windowTitle()
        dialog.reject()


def test_every_command_is_in_a_menu_and_most_have_shortcuts(window):
    in_menus = {
        a
        for menu in window.menuBar().findChildren(type(window.menuBar().actions()[0].menu()))
        for a in menu.actions()
    }
    for action in window.actions.all():
        assert action in in_menus, action.text()
    with_keys = [a for a in window.actions.all() if not a.shortcut().isEmpty()]
    assert len(with_keys) >= len(window.actions.all()) - 3  # passphrase change and About have none


def test_tab_order_within_a_question(qtbot, window, audit_id):
    window.activateWindow()
    qtbot.waitActive(window)
    window.controller.open_audit(audit_id)
    item = window.editor.items["p1"]
    assert QApplication.focusWidget() is item.rating
    order = []
    for _ in range(3):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        order.append(QApplication.focusWidget())
    nxt = window.editor.items["p2"]
    # from a note straight to the next question's rating (issue 21 item 14)
    assert order == [item.note, nxt.rating, nxt.note]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_colours_follow_the_scheme(qtbot, scheme):
    from PySide6.QtGui import QColor, QPalette

    from ui.common import palette

    pal = QPalette(QColor("#202020") if scheme == "dark" else QColor("#f0f0f0"))
    window_colour = pal.color(QPalette.ColorRole.Window)
    for colour in (palette.good(pal), palette.bad(pal)):
        assert abs(colour.lightness() - window_colour.lightness()) > 90  # readable on the window


def test_no_two_commands_share_a_shortcut(qtbot):
    """A shared shortcut does nothing at all in Qt (it only warns 'ambiguous'): each key
    sequence of the window's commands belongs to one command."""
    from PySide6.QtCore import QObject

    from ui.actions import build_actions

    owner = QObject()
    seen: dict[str, str] = {}
    for action in build_actions(owner).all():
        for seq in action.shortcuts():
            key = seq.toString()
            assert key not in seen, f"{key}: {seen.get(key)} and {action.objectName()}"
            seen[key] = action.objectName()
    assert len(seen) > 20
