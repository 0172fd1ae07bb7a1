"""Small reusable widgets: a button that mirrors an action, a wrapping layout, a save indicator."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QLabel,
    QLayout,
    QLayoutItem,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QStyle,
    QWidget,
)

from ui.common import palette
from ui.common.messages import confirm


class ActionButton(QPushButton):
    """A push button that triggers an action and follows its text, enabled state and tip."""

    def __init__(self, action: QAction, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._action = action
        self.clicked.connect(action.trigger)
        action.changed.connect(self._sync)
        self._sync()

    def _sync(self) -> None:
        a = self._action
        # No mnemonic on the button: the menu bar owns Alt+letter; the action's own
        # shortcut (in the tip) is the quick way, and Tab reaches the button.
        self.setText(a.text().replace("&&", "\0").replace("&", "").replace("\0", "&&"))
        self.setEnabled(a.isEnabled())
        self.setVisible(a.isVisible())
        shortcut = a.shortcut().toString()
        tip = a.toolTip() or a.text().replace("&", "")
        self.setToolTip(f"{tip} ({shortcut})" if shortcut else tip)
        self.setAccessibleName(a.text().replace("&", "").rstrip("…").strip())


class FlowLayout(QLayout):
    """Lays children out left to right and wraps them, so rating buttons fit at any text size."""

    def __init__(self, parent: QWidget | None = None, spacing: int = 6) -> None:
        super().__init__(parent)
        self._items: list[QLayoutItem] = []
        self._spacing = spacing
        self.setContentsMargins(0, 0, 0, 0)

    def addItem(self, item: QLayoutItem) -> None:
        self._items.append(item)

    def count(self) -> int:
        return len(self._items)

    def itemAt(self, index: int) -> QLayoutItem | None:
        return self._items[index] if 0 <= index < len(self._items) else None

    def takeAt(self, index: int) -> QLayoutItem | None:
        return self._items.pop(index) if 0 <= index < len(self._items) else None

    def expandingDirections(self) -> Qt.Orientation:
        return Qt.Orientation(0)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return self._do_layout(QRect(0, 0, width, 0), test=True)

    def setGeometry(self, rect: QRect) -> None:
        super().setGeometry(rect)
        self._do_layout(rect, test=False)

    def sizeHint(self) -> QSize:
        return self.minimumSize()

    def minimumSize(self) -> QSize:
        size = QSize()
        for item in self._items:
            if item.isEmpty():
                continue
            size = size.expandedTo(item.minimumSize())
        m = self.contentsMargins()
        return size + QSize(m.left() + m.right(), m.top() + m.bottom())

    def _do_layout(self, rect: QRect, test: bool) -> int:
        m = self.contentsMargins()
        area = rect.adjusted(m.left(), m.top(), -m.right(), -m.bottom())
        x, y, line = area.x(), area.y(), 0
        for item in self._items:
            # isEmpty() is "hidden by its own setVisible(False)"; isVisible() is also False
            # for every child before the window is shown, and a child never placed keeps
            # Qt's default 640x480 and covers its neighbours.
            if item.isEmpty():
                continue
            hint = item.sizeHint()
            if x + hint.width() > area.right() + 1 and line > 0:
                x, y, line = area.x(), y + line + self._spacing, 0
            if not test:
                item.setGeometry(QRect(QPoint(x, y), hint))
            x += hint.width() + self._spacing
            line = max(line, hint.height())
        return y + line - rect.y() + m.bottom()


class SaveIndicator(QLabel):
    """'Saving…' while an edit waits to be written, 'All changes saved' once it is."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("saveIndicator")
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.setAccessibleName("Save status")
        self.saved()

    def saving(self) -> None:
        self._show("Saving…", palette.muted())

    def saved(self, when: str = "") -> None:
        self._show(f"✓ All changes saved{(' at ' + when) if when else ''}", palette.good())

    def failed(self, message: str) -> None:
        self._show(f"Not saved: {message}", palette.bad())

    def read_only(self) -> None:
        self._show("Finalised: read-only", palette.muted())

    def _show(self, text: str, colour) -> None:
        self.setText(text)
        self.setAccessibleDescription(text)
        palette.set_text_colour(self, colour)


def error_label(keep_room: bool = True) -> QLabel:
    """A dialog's one-line error, hidden until there is one. With `keep_room`, its room (two
    lines) is kept while hidden: a message appearing never moves the fields, so the next
    click lands where it was aimed."""
    label = QLabel()
    label.setWordWrap(True)
    palette.set_text_colour(label, palette.bad())
    if keep_room:
        label.setMinimumHeight(2 * label.fontMetrics().lineSpacing())
        label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        keep = label.sizePolicy()
        keep.setRetainSizeWhenHidden(True)
        label.setSizePolicy(keep)
    label.hide()
    return label


def standard_icon(widget: QWidget, which: QStyle.StandardPixmap):
    return widget.style().standardIcon(which)


class FittingDialog(QDialog):
    """A dialog tall enough for its wrapped text at its actual width (Qt sizes top-level
    windows from size hints, which do not account for word-wrapped labels).

    Also: Enter presses the action button (set_action_button), and Escape, Cancel or the
    close button ask before throwing away typed text (watch_typing)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._action: QPushButton | None = None
        self._watched: list[tuple[QWidget, str]] = []
        self._what = "what you typed"
        self._asking_off = False

    def set_action_button(self, button: QPushButton) -> None:
        """Enter anywhere in the dialog presses this button. setDefault() on a button not
        yet inside the dialog is not registered with it, and on showing QDialog then makes
        the first button in the focus chain (Cancel) the default: so it is set again."""
        self._action = button
        button.setAutoDefault(True)
        self._make_default()

    def _make_default(self) -> None:
        if self._action is not None:
            self._action.setDefault(False)  # setDefault(True) on a default does nothing,
            self._action.setDefault(True)  # even when the dialog has chosen another

    def watch_typing(self, what: str, *fields: QWidget) -> None:
        """Ask before closing when any of these fields differs from its text now."""
        self._what = what
        self._watched = [(f, _field_text(f)) for f in fields]

    def has_typed_text(self) -> bool:
        return any(_field_text(f) != start for f, start in self._watched)

    def reject(self) -> None:
        if (
            not self._asking_off
            and self.has_typed_text()
            and not confirm(
                self,
                "Discard what you typed?",
                f"Discard what you typed? {self._what[:1].upper()}{self._what[1:]} "
                "has not been saved.",
                "Discard",
                "Keep editing",
                danger=True,
            )
        ):
            return
        super().reject()

    def abort(self) -> None:
        """Close without asking (the database is locking: nothing may wait for a click)."""
        self._asking_off = True
        try:
            self.reject()
        finally:
            self._asking_off = False

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self._make_default()
        self.refit()

    def refit(self) -> None:
        layout = self.layout()
        if layout is None or not layout.hasHeightForWidth():
            return
        layout.activate()
        needed = layout.totalHeightForWidth(self.width())
        if needed > self.height():
            self.resize(self.width(), needed)
        self.setMinimumHeight(
            min(needed, self.screen().availableGeometry().height() if self.screen() else needed)
        )


def _field_text(field: QWidget) -> str:
    if isinstance(field, QLineEdit):
        return field.text()
    if isinstance(field, QComboBox):
        return field.currentText()
    if isinstance(field, QPlainTextEdit):
        return field.toPlainText()
    raise TypeError(f"cannot watch {type(field).__name__}")
