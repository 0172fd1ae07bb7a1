"""Passphrase entry: a hidden field with a Show button, and the new-passphrase pair with
live feedback on length and strength. Passphrases are never logged or kept: wipe() them."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from audit_tool.errors import WeakPassphrase
from audit_tool.passphrase import MIN_LENGTH, check, length, strength
from ui.common import palette
from ui.common.accessibility import name


class PassphraseField(QWidget):
    """A password-style line edit with a Show/Hide toggle."""

    textChanged = Signal(str)
    returnPressed = Signal()

    def __init__(self, accessible: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.edit = QLineEdit()
        self.edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.edit.setMaxLength(1024)
        name(self.edit, accessible)
        self.show_button = QToolButton()
        self.show_button.setText("Show")
        self.show_button.setCheckable(True)
        name(self.show_button, f"Show {accessible.lower()}")
        self.show_button.toggled.connect(self._toggle)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.edit, 1)
        layout.addWidget(self.show_button)
        self.edit.textChanged.connect(self.textChanged.emit)
        self.edit.returnPressed.connect(self.returnPressed.emit)
        self.setFocusProxy(self.edit)

    def _toggle(self, shown: bool) -> None:
        self.edit.setEchoMode(QLineEdit.EchoMode.Normal if shown else QLineEdit.EchoMode.Password)
        self.show_button.setText("Hide" if shown else "Show")

    def text(self) -> str:
        return self.edit.text()

    def wipe(self) -> None:
        """Empty the field and its undo history; hide it again."""
        self.edit.setText("")
        self.show_button.setChecked(False)


def _refusal(passphrase: str) -> str | None:
    """The core's reason for refusing a passphrase (one rule for GUI and core), or None."""
    try:
        check(passphrase)
    except WeakPassphrase as exc:
        return str(exc)
    return None


class NewPassphrase(QWidget):
    """Passphrase twice, with length, strength and match shown as you type."""

    validity_changed = Signal(bool)

    def __init__(self, first_label: str = "&Passphrase:", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.first = PassphraseField("New passphrase")
        self.second = PassphraseField("Repeat the passphrase")
        self.meter = QProgressBar()
        self.meter.setRange(0, 4)
        self.meter.setTextVisible(False)
        self.meter.setMaximumHeight(self.fontMetrics().height() // 2 + 2)
        name(self.meter, "Passphrase strength")
        self.strength_text = QLabel()
        self.strength_text.setWordWrap(True)
        self.strength_text.setObjectName("strengthText")
        self.match_text = QLabel()
        self.match_text.setObjectName("matchText")
        self.form = form = QFormLayout()
        l1, l2 = QLabel(first_label), QLabel("&Repeat it:")
        l1.setBuddy(self.first.edit)
        l2.setBuddy(self.second.edit)
        form.addRow(l1, self.first)
        form.addRow(l2, self.second)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(form)
        layout.addWidget(self.meter)
        layout.addWidget(self.strength_text)
        layout.addWidget(self.match_text)
        self.first.textChanged.connect(self._update)
        self.second.textChanged.connect(self._update)
        self._valid = False
        self._update()

    def _update(self) -> None:
        p, q = self.first.text(), self.second.text()
        s = strength(p)
        n = length(p)
        refusal = _refusal(p)
        self.meter.setValue(0 if refusal else s.score)  # a refused one is never "Strong"
        self.meter.setAccessibleDescription(f"Strength {s.label}")
        count = f"{n} character{'s' if n != 1 else ''} (at least {MIN_LENGTH})"
        if refusal and n >= MIN_LENGTH:  # long enough, refused all the same: say why
            self.strength_text.setText(refusal)
        else:
            self.strength_text.setText(f"{count}. Strength: {s.label}. {s.hint}")
        palette.set_text_colour(self.strength_text, palette.bad() if refusal and n else palette.muted())
        if not q:
            self.match_text.setText("Type it again to check it.")
            palette.set_text_colour(self.match_text, palette.muted())
        elif p == q:
            self.match_text.setText("✓ The two passphrases match.")
            palette.set_text_colour(self.match_text, palette.good())
        else:
            self.match_text.setText("The two passphrases do not match yet.")
            palette.set_text_colour(self.match_text, palette.bad())
        valid = refusal is None and p == q
        if valid != self._valid:
            self._valid = valid
            self.validity_changed.emit(valid)

    def is_valid(self) -> bool:
        return self._valid

    def text(self) -> str:
        return self.first.text()

    def wipe(self) -> None:
        self.first.wipe()
        self.second.wipe()
