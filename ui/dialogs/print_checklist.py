"""File -> Print a blank checklist…: choose a checklist (bundled or local), choose where, and
save it as PDF or DOCX (audit_tool.reports.blank does the work)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QInputDialog, QWidget

from audit_tool.checklists.loader import LoadedChecklist, available
from audit_tool.errors import AuditToolError
from audit_tool.reports.blank import write_blank
from ui.common.messages import show_error

FILTERS = "PDF (*.pdf);;Word document (*.docx)"


def choices() -> list[tuple[str, LoadedChecklist]]:
    """(what the list shows, checklist), bundled first, then local ones."""
    items, _problems = available()
    return [
        (f"{c.title} (version {c.version}{', local' if c.origin == 'user' else ''})", c)
        for c in items
    ]


def print_blank_checklist(parent: QWidget | None, folder: str | None = None) -> Path | None:
    """Ask which checklist and where, then write it; the file written, or None."""
    options = choices()
    label, ok = QInputDialog.getItem(
        parent, "Print a blank checklist", "Checklist:", [o[0] for o in options], 0, False
    )
    if not ok:
        return None
    checklist = dict(options)[label]
    start = Path(folder or Path.home()) / f"{checklist.title} {checklist.version} (blank).pdf"
    path, chosen = QFileDialog.getSaveFileName(parent, "Save the blank checklist", str(start), FILTERS)
    if not path:
        return None
    return write_to(parent, checklist, Path(path), "docx" if "docx" in chosen else "pdf")


def write_to(parent: QWidget | None, checklist: LoadedChecklist, out: Path, fmt: str) -> Path | None:
    """Write the blank checklist (the suffix follows the format); None after an error,
    which is shown in one line."""
    if out.suffix.lower() not in (".pdf", ".docx"):
        out = out.with_name(out.name + "." + fmt)
    fmt = out.suffix.lower().lstrip(".")
    try:
        return write_blank(checklist, fmt, out)
    except AuditToolError as exc:
        show_error(parent, exc, "Not saved")
        return None


def run_from_window(window) -> Path | None:  # window: ui.main_window.MainWindow
    """The File menu's command: the dialogs above, then the path in the status bar."""
    out = print_blank_checklist(window, window.settings.get("export_folder"))
    if out is not None:
        window.statusBar().showMessage(f"Blank checklist saved: {out}", 10000)
    return out
