"""The editor's themes: the list on the left with each theme's progress, and one theme's
page: its title, its questions (ItemWidgets showing what the document holds) and the
buttons to the themes either side."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QSignalBlocker, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from ui.common import palette
from ui.common.accessibility import name
from ui.editor.item_widget import ItemWidget

if TYPE_CHECKING:
    from audit_tool.checklists.model import Checklist, Theme
    from audit_tool.domain import Audit
    from ui.editor.document import AuditDocument


SUMMARY = "summary"


class ThemeList(QListWidget):
    """One row per theme ("✓ Title / 3 of 4 answered"), then the summary."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("themeList")
        name(self, "Themes", "Choose a theme to see its questions.")
        self.setWordWrap(True)
        self.setSpacing(2)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)

    def fill(self, definition: Checklist) -> None:
        with QSignalBlocker(self):
            for theme in definition.themes:
                entry = QListWidgetItem(theme.title)
                entry.setData(Qt.ItemDataRole.UserRole, theme.id)
                self.addItem(entry)
            summary = QListWidgetItem("Summary and recommendations")
            summary.setData(Qt.ItemDataRole.UserRole, SUMMARY)
            self.addItem(summary)

    def show_progress(self, definition: Checklist, per_theme: dict[str, tuple[int, int]]) -> None:
        for row, theme in enumerate(definition.themes):
            done, n = per_theme[theme.id]
            entry = self.item(row)
            mark = "✓ " if n and done == n else ""
            entry.setText(f"{mark}{theme.title}\n{done} of {n} answered")
            entry.setData(
                Qt.ItemDataRole.AccessibleTextRole, f"{theme.title}, {done} of {n} answered"
            )


def scrolled(widget: QWidget) -> QScrollArea:
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setWidget(widget)
    # Not a tab stop of its own: moving the focus between questions scrolls it.
    area.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    return area


def theme_page(
    index: int,
    theme: Theme,
    audit: Audit,
    doc: AuditDocument,
    items: dict[str, ItemWidget],
    wire: Callable[[ItemWidget], None],
    go_theme: Callable[[int], None],
) -> QScrollArea:
    """The page; each question's widget goes into `items` and is wired by `wire`."""
    definition = audit.checklist.definition
    body = QWidget()
    body.setObjectName("themePage")
    layout = QVBoxLayout(body)
    title = QLabel(f"{index + 1}. {theme.title}")
    palette.heading_font(title, 1.2)
    layout.addWidget(title)
    if theme.description:
        desc = QLabel(theme.description)
        desc.setWordWrap(True)
        layout.addWidget(desc)
    numbers = definition.numbers()
    for item in theme.items:
        w = ItemWidget(item, definition.scale_of(item), numbers[item.id])
        w.set_rating(doc.ratings.get(item.id))
        w.set_note(doc.notes.get(item.id, ""))
        w.set_read_only(audit.read_only)
        wire(w)
        items[item.id] = w
        layout.addWidget(w)  # parent first: a parentless widget shown would open a window
        w.setVisible(definition.visible(item, doc.ratings))
    nav = QHBoxLayout()
    themes = definition.themes
    if index > 0:
        prev_button = QPushButton(f"← {themes[index - 1].title}")
        name(prev_button, "Previous theme")
        prev_button.clicked.connect(lambda: go_theme(index - 1))
        nav.addWidget(prev_button)
    nav.addStretch(1)
    next_title = (
        themes[index + 1].title if index + 1 < len(themes) else "Summary and recommendations"
    )
    next_button = QPushButton(f"{next_title} →")
    name(next_button, "Next theme")
    next_button.clicked.connect(lambda: go_theme(index + 1))
    nav.addWidget(next_button)
    layout.addLayout(nav)
    layout.addStretch(1)
    return scrolled(body)
