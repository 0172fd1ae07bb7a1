"""'These required questions still need a rating', each a link to the question."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from ui.common import palette
from ui.common.accessibility import name


class MissingPanel(QFrame):
    """'These required questions still need a rating', each a link to the question."""

    jump = Signal(str)
    finalise_again = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("missingPanel")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.title = QLabel()
        palette.heading_font(self.title, 1.0)
        self.links = QLabel()
        self.links.setObjectName("missingLinks")
        self.links.setWordWrap(True)
        self.links.setTextFormat(Qt.TextFormat.RichText)
        self.links.setTextInteractionFlags(
            Qt.TextInteractionFlag.LinksAccessibleByKeyboard
            | Qt.TextInteractionFlag.LinksAccessibleByMouse
        )
        self.links.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        name(
            self.links,
            "Required questions without a rating",
            "Tab to a question and press Enter to go there.",
        )
        self.links.linkActivated.connect(self.jump.emit)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setWidget(self.links)
        self.scroll.setMaximumHeight(7 * self.fontMetrics().lineSpacing())
        self.scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.finalise_button = QPushButton("Finalise now…")
        self.finalise_button.clicked.connect(self.finalise_again.emit)
        self.hide_button = QPushButton("Hide")
        name(self.hide_button, "Hide the list of missing questions")
        self.hide_button.clicked.connect(self.hide)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.finalise_button)
        buttons.addWidget(self.hide_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.scroll)
        layout.addLayout(buttons)
        self.hide()

    def show_missing(
        self, missing: list[tuple[str, str, str]], numbers: dict[str, str] | None = None
    ) -> None:
        from html import escape

        numbers = numbers or {}
        if missing:
            n = len(missing)
            self.title.setText(
                f"{n} required question{'s' if n != 1 else ''} still need{'s' if n == 1 else ''} "
                "a rating before this audit can be finalised:"
            )
            self.links.setText(
                "<br>".join(
                    f'<a href="{escape(item_id)}">'
                    f"{escape(numbers.get(item_id, ''))} {escape(theme)}: "
                    f"{escape(question)}</a>"
                    for theme, item_id, question in missing
                )
            )
            self.scroll.show()
            self.finalise_button.hide()
        else:
            self.title.setText(
                "Every required question has a rating. You can finalise the audit now."
            )
            self.links.clear()
            self.scroll.hide()
            self.finalise_button.show()
        self.show()
