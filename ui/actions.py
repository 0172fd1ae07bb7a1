"""Every command of the window as a QAction with a standard shortcut, declared in one table."""

from __future__ import annotations

from dataclasses import dataclass, fields

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence

SK = QKeySequence.StandardKey

# name: (menu text, shortcut(s), tip)
_SPEC: dict[str, tuple[str, object, str]] = {
    "new_case": ("New &case…", "Ctrl+Shift+N", "Add a case file to audit"),
    "new_audit": ("&New audit…", SK.New, "Start an audit of a case file"),
    "sample": (
        "Draw a sa&mple from a case list…",
        "Ctrl+Shift+D",
        "Sample case files from a CSV or XLSX list and start their audits",
    ),
    "import_checklist": (
        "&Import a checklist from a spreadsheet…",
        "Ctrl+Shift+I",
        "Check a checklist workbook (XLSX) and install it for new audits",
    ),
    "checklist_template": (
        "Save a checklist template (spread&sheet)…",
        "Ctrl+Shift+T",
        "Save a spreadsheet to write your own checklist in",
    ),
    "print_checklist": (
        "&Print a blank checklist…",
        SK.Print,
        "Save a checklist as a form to print (PDF or DOCX): questions, guidance, scale, boxes",
    ),
    "send_audits": (
        "Sen&d audits…",
        "Ctrl+Shift+E",
        "Write audits to one encrypted file for another laptop",
    ),
    "receive_audits": (
        "Recei&ve audits…",
        "Ctrl+Shift+V",
        "Import an encrypted file of audits from another laptop, after a preview",
    ),
    "conflicts": (
        "Con&flicts…",
        "Ctrl+Shift+K",
        "Audits changed here and on another laptop: compare and choose",
    ),
    "open": ("&Open audit", SK.Open, "Open the selected audit"),
    "export": ("&Export…", "Ctrl+E", "Save a DOCX or PDF report"),
    "settings": ("Se&ttings…", "Ctrl+,", "Your details, idle lock, export folder"),
    "change_passphrase": ("Change &passphrase…", None, "Change the passphrase of this database"),
    "lock": ("&Lock", "Ctrl+L", "Lock now: the database closes until you unlock it"),
    "quit": ("&Quit", SK.Quit, "Save everything and close"),
    "undo": ("&Undo", SK.Undo, "Undo the last change"),
    "redo": ("&Redo", SK.Redo, "Redo the change you undid"),
    "find": ("&Find audits", SK.Find, "Search the audit list"),
    "finalise": ("&Finalise…", "Ctrl+Shift+F", "Check required questions and finalise"),
    "amend": ("&Amend…", "Ctrl+Shift+A", "Reopen a finalised audit, giving a reason"),
    "delete_draft": ("&Delete draft…", "Delete", "Delete the selected draft audit"),
    "concern": (
        "Record a &matter of concern…",
        "Ctrl+Shift+M",
        "Record that a concern was raised outside the audit",
    ),
    "second_reading": (
        "Start a second &reading…",
        "Ctrl+Shift+B",
        "Another reader reads the same case file, blind, with the same checklist",
    ),
    "moderate": (
        "M&oderate readings…",
        "Ctrl+Shift+O",
        "Compare the finalised readings of this case file and record the agreed ratings",
    ),
    "item_history": ("Question &history…", "Ctrl+H", "Changes to the current question"),
    "audit_history": ("Audit history…", "Ctrl+Shift+H", "Every change to this audit"),
    "summary": ("&Summary and recommendations", "Ctrl+Shift+S", "Go to the summary page"),
    "next_theme": ("Ne&xt theme", "Ctrl+PgDown", "Go to the next theme"),
    "prev_theme": ("Pre&vious theme", "Ctrl+PgUp", "Go to the previous theme"),
    "back": ("&Back to the audit list", "Alt+Left", "Close the audit (everything is saved)"),
    "findings_audit": (
        "Findings for this &audit",
        "Ctrl+G",
        "Share meeting the standard, by theme and tag",
    ),
    "findings_selection": (
        "Findings for the &selected audits",
        "Ctrl+Shift+G",
        "Findings for the audits the filters select",
    ),
    "show_ids": (
        "Show case &references",
        "Ctrl+Shift+R",
        "Show case references instead of pseudonyms",
    ),
    "refresh": ("Re&load the list", SK.Refresh, "Read the audit list again"),
    "releases": (
        "&Releases…",
        "Ctrl+Shift+L",
        "The release register: every report, dataset and bundle released, and for whom",
    ),
    "shortcuts": ("&Keyboard shortcuts", SK.HelpContents, "Every keyboard shortcut"),
    "about": ("&About", None, "About this tool"),
}


@dataclass
class Actions:
    new_case: QAction
    new_audit: QAction
    sample: QAction
    import_checklist: QAction
    checklist_template: QAction
    print_checklist: QAction
    send_audits: QAction
    receive_audits: QAction
    conflicts: QAction
    open: QAction
    export: QAction
    releases: QAction
    settings: QAction
    change_passphrase: QAction
    lock: QAction
    quit: QAction
    undo: QAction
    redo: QAction
    find: QAction
    finalise: QAction
    amend: QAction
    delete_draft: QAction
    concern: QAction
    second_reading: QAction
    moderate: QAction
    item_history: QAction
    audit_history: QAction
    summary: QAction
    next_theme: QAction
    prev_theme: QAction
    back: QAction
    findings_audit: QAction
    findings_selection: QAction
    show_ids: QAction
    refresh: QAction
    shortcuts: QAction
    about: QAction

    def all(self) -> list[QAction]:
        return [getattr(self, f.name) for f in fields(self)]

    def needing_database(self) -> list[QAction]:
        """Disabled while locked."""
        keep = {"lock", "quit", "shortcuts", "about"}
        return [getattr(self, f.name) for f in fields(self) if f.name not in keep]


def build_actions(parent: QObject) -> Actions:
    made = {}
    for key, (text, shortcut, tip) in _SPEC.items():
        action = QAction(text, parent)
        action.setObjectName(f"action_{key}")
        if shortcut is not None:
            seq = QKeySequence(shortcut)  # type: ignore[arg-type]
            action.setShortcut(seq)
        action.setToolTip(tip)
        action.setStatusTip(tip)
        made[key] = action
    actions = Actions(**made)
    actions.show_ids.setCheckable(True)
    # Both habits work (Ctrl+Shift+Z and Ctrl+Y); the platform's own Redo may be either.
    redo_keys: dict[str, QKeySequence] = {}
    for seq in (QKeySequence(SK.Redo), QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")):
        if not seq.isEmpty():
            redo_keys.setdefault(seq.toString(), seq)
    actions.redo.setShortcuts(list(redo_keys.values()))
    # Delete only acts in the audit list (set there), never while typing or rating.
    actions.delete_draft.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
    return actions


def shortcut_table(actions: Actions) -> list[tuple[str, str]]:
    """(what, keys) for the shortcuts window, including keys handled by widgets."""
    out = []
    for a in actions.all():
        keys = ", ".join(s.toString(QKeySequence.SequenceFormat.NativeText) for s in a.shortcuts())
        if keys:
            out.append((a.text().replace("&", "").rstrip("…"), keys))
    out += [
        ("Pick a rating", "The digit or letter shown on the rating button"),
        ("Change a rating", "Left / Right on the rating"),
        ("Clear a rating", "Delete on the rating"),
        ("Previous / next question", "Up / Down on the rating"),
        ("From rating to evidence note and on", "Tab / Shift+Tab"),
        ("Open the selected audit", "Enter in the list"),
    ]
    return out
