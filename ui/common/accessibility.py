"""Accessibility helpers: names for assistive technology and a walk over focusable controls."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import QAbstractButton, QComboBox, QLabel, QWidget


def name(widget: QWidget, text: str, description: str = "") -> QWidget:
    """Give a control the name a screen reader announces (and an optional description)."""
    widget.setAccessibleName(text)
    if description:
        widget.setAccessibleDescription(description)
    if isinstance(widget, QComboBox) and widget.lineEdit() is not None:
        widget.lineEdit().setAccessibleName(text)  # the typing part of an editable drop-down
    return widget


def label_for(label: QLabel, widget: QWidget) -> None:
    """Tie a visible label to its control: Alt+mnemonic focuses it, screen readers read it."""
    label.setBuddy(widget)
    if not widget.accessibleName():
        widget.setAccessibleName(label.text().replace("&", "").rstrip(":"))


def accessible_name(widget: QWidget) -> str:
    """What assistive technology would announce as the control's name."""
    if widget.accessibleName():
        return widget.accessibleName()
    iface = QAccessible.queryAccessibleInterface(widget)
    text = iface.text(QAccessible.Text.Name) if iface is not None else ""
    if not text and isinstance(widget, QAbstractButton):
        text = widget.text().replace("&", "") or widget.toolTip()
    return text.strip()


def focusable_widgets(root: QWidget) -> list[QWidget]:
    """Every visible, enabled control under root that Tab can reach."""
    tab = Qt.FocusPolicy.TabFocus.value
    out = []
    for w in [root, *root.findChildren(QWidget)]:
        if not (w.focusPolicy().value & tab) or not w.isEnabled():
            continue
        if w is not root and (w.isWindow() or not w.isVisibleTo(root)):
            continue
        # Scroll bars and Qt's internal parts of a view are not separate controls.
        if w.objectName().startswith("qt_") or type(w).__name__ == "QScrollBar":
            continue
        out.append(w)
    return out


def unnamed_controls(root: QWidget) -> list[str]:
    """Descriptions of focusable controls that have no accessible name (for tests)."""
    missing = []
    for w in focusable_widgets(root):
        if not accessible_name(w):
            missing.append(
                f"{type(w).__name__} objectName={w.objectName()!r} "
                f"parent={type(w.parent()).__name__}"
            )
    return missing
