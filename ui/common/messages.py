"""Plain-language message boxes: errors from the core are shown as their one-line text."""

from __future__ import annotations

import re

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


_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"")
_DETAIL_LIMIT = 120
# PySide6's words around an exception raised in a Python override of a Qt method.
_OVERRIDE = re.compile(r"^Error calling Python override of [\w:]+\(\): ")


def _first_cause(exc: BaseException) -> BaseException:
    """PySide6 may report an exception left pending by a Qt override as a SystemError in
    whatever Python code ran next; the exception that started it is the one to name."""
    seen = {id(exc)}
    while isinstance(exc, SystemError):
        cause = exc.__cause__ or exc.__context__
        if cause is None or id(cause) in seen:
            break
        seen.add(id(cause))
        exc = cause
    return exc


def unexpected_text(exc: BaseException) -> str:
    """One line for a bug nothing caught: its kind and message. Python puts the values it
    complains about in quotes (KeyError: 'REF-0001'), and those may be case text or a
    passphrase, so quoted parts are left out; only the first line, and not too much of it."""
    exc = _first_cause(exc)
    lines = _OVERRIDE.sub("", str(exc).strip()).splitlines()
    detail = _QUOTED.sub("[…]", lines[0] if lines else "").strip().rstrip(".")
    if len(detail) > _DETAIL_LIMIT:
        detail = detail[:_DETAIL_LIMIT].rstrip() + " […]"
    kind = type(exc).__name__
    return (
        f"Something went wrong: {kind}{': ' + detail if detail else ''}. "
        "Your saved work is safe; the last change may not have been saved."
    )


def show_unexpected(parent: QWidget | None, exc: BaseException) -> None:
    """The message for an exception that reached sys.excepthook (see ui.excepthook)."""
    box = QMessageBox(
        QMessageBox.Icon.Warning,
        APP_TITLE,
        unexpected_text(exc),
        QMessageBox.StandardButton.Ok,
        parent,
    )
    box.setAccessibleName("Something went wrong")
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
