"""Read the free text before it is released (issue 18 item 5): every text a report or
dataset will print, each with a tick. "Release these texts" is enabled once every text is
ticked; Enter presses it, Escape or Cancel releases nothing. The list comes from what was
built (audit_tool.export.free_texts), so it is what will be printed."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ui.common import palette
from ui.common.accessibility import name
from ui.common.widgets import FittingDialog

INTRO = (
    "This {what} will print these {n:,} texts as reviewers typed them, with case references "
    "removed. Names, places and other details typed in them are not removed: read each one, "
    "and tick it when it is fit to go to {recipient}. Space ticks the text in focus."
)


class FreeTextReview(FittingDialog):
    """The texts, each with a tick; accepted only when every one is ticked."""

    def __init__(
        self, texts: list[str], what: str, recipient: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Read the free text before it is released")
        self.setWindowModality(Qt.WindowModality.WindowModal)
        intro = QLabel(INTRO.format(what=what, n=len(texts), recipient=recipient))
        intro.setWordWrap(True)
        self.texts = QListWidget()
        self.texts.setWordWrap(True)
        self.texts.setAlternatingRowColors(True)
        self.texts.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.texts.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        name(self.texts, "Texts to read", "Tick each text once you have read it")
        for text in texts:
            item = QListWidgetItem(text)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.texts.addItem(item)
        self.texts.itemChanged.connect(lambda *_: self._sync())
        self.count = QLabel()
        palette.set_text_colour(self.count, palette.muted())
        self.release_button = QPushButton("Release these texts")
        name(self.release_button, "Release these texts", "Enabled once every text is ticked")
        self.cancel_button = QPushButton("Cancel")
        name(self.cancel_button, "Cancel: release nothing")
        self.release_button.clicked.connect(self.accept)
        self.cancel_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.count, 1)
        buttons.addWidget(self.release_button)
        buttons.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.texts, 1)
        layout.addLayout(buttons)
        self.set_action_button(self.release_button)
        self.setMinimumWidth(40 * self.fontMetrics().horizontalAdvance("M"))
        self._sync()
        if texts:
            self.texts.setCurrentRow(0)
        self.texts.setFocus()

    def ticked(self) -> int:
        return sum(
            self.texts.item(i).checkState() == Qt.CheckState.Checked
            for i in range(self.texts.count())
        )

    def _sync(self) -> None:
        n, total = self.ticked(), self.texts.count()
        self.count.setText(f"{n:,} of {total:,} read and ticked")
        self.release_button.setEnabled(n == total)

    def accept(self) -> None:
        if self.ticked() == self.texts.count():  # Enter with texts unticked does nothing
            super().accept()
