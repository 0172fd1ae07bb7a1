"""Plain-language message boxes: errors from the core are shown as their one-line text."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget

from audit_tool.errors import AuditToolError

APP_TITLE = "Case File Audit"


def show_error(parent: QWidget | None, exc: BaseException, heading: str = "") -> None:
    """One clear sentence; anything that is not an AuditToolError is a bug, said plainly."""
    if isinstance(exc, AuditToolError):
        text = str(exc)
    else:
        text = (
            "Something went wrong inside the tool. Your saved work is safe. "
            f"Please report this: {type(exc).__name__}."
        )
    box = QMessageBox(
        QMessageBox.Icon.Warning, heading or APP_TITLE, text, QMessageBox.StandardButton.Ok, parent
    )
    box.setAccessibleName(heading or "Problem")
    box.exec()


def confirm(
    parent: QWidget | None,
    title: str,
    text: str,
    yes: str,
    no: str = "Cancel",
    danger: bool = False,
) -> bool:
    """Ask before something that cannot be undone; the safe choice is the default."""
    box = QMessageBox(
        QMessageBox.Icon.Warning if danger else QMessageBox.Icon.Question,
        title,
        text,
        parent=parent,
    )
    yes_btn = box.addButton(yes, QMessageBox.ButtonRole.AcceptRole)
    no_btn = box.addButton(no, QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(no_btn if danger else yes_btn)
    box.setEscapeButton(no_btn)
    box.exec()
    return box.clickedButton() is yes_btn


def inform(parent: QWidget | None, title: str, text: str) -> None:
    box = QMessageBox(
        QMessageBox.Icon.Information, title, text, QMessageBox.StandardButton.Ok, parent
    )
    box.exec()
