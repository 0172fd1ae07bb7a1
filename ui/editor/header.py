"""The editor's head: which audit (case, area, checklist, reviewer, status), whether its
changes are saved, how much is answered; and the banner of a finalised audit."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QProgressBar, QPushButton, QVBoxLayout

from audit_tool.domain import Audit
from audit_tool.formatting import local_datetime
from ui.common import palette
from ui.common.accessibility import name
from ui.common.widgets import SaveIndicator


class EditorHeader(QHBoxLayout):
    """A layout, not a widget: the editor's geometry is what it was with the rows inline."""

    def __init__(self, metrics: QFontMetrics) -> None:
        super().__init__()
        self.back_button = QPushButton("← Audit list")
        name(self.back_button, "Back to the audit list")
        self.title = QLabel()
        self.title.setObjectName("editorTitle")
        palette.heading_font(self.title, 1.3)
        self.meta = QLabel()
        self.meta.setWordWrap(True)
        palette.set_text_colour(self.meta, palette.muted())
        self.save_state = SaveIndicator()
        self.progress = QProgressBar()
        self.progress.setTextVisible(True)
        self.progress.setMinimumWidth(metrics.horizontalAdvance("000 of 000 answered") + 24)
        name(self.progress, "Questions answered")
        self.addWidget(self.back_button)
        head_text = QVBoxLayout()
        head_text.addWidget(self.title)
        head_text.addWidget(self.meta)
        self.addLayout(head_text, 1)
        head_right = QVBoxLayout()
        head_right.addWidget(self.save_state, 0, Qt.AlignmentFlag.AlignRight)
        head_right.addWidget(self.progress, 0, Qt.AlignmentFlag.AlignRight)
        self.addLayout(head_right)

    def show_audit(self, a: Audit, show_identifiers: bool) -> None:
        case = a.case.reference if show_identifiers else a.case.pseudonym
        self.title.setText(f"{case} · {a.case.area}")
        self.meta.setText(
            f"{a.checklist.title} (version {a.checklist.version}) · {a.audit_type.label} · "
            f"{a.phase.label} · Reviewer: {a.reviewer.name} · {a.status.label}"
        )

    def show_progress(self, answered: int, total: int) -> None:
        self.progress.setMaximum(max(total, 1))
        self.progress.setValue(answered)
        self.progress.setFormat(f"{answered} of {total} answered")
        self.progress.setAccessibleDescription(f"{answered} of {total} questions answered")

    def clear(self) -> None:
        self.title.clear()
        self.meta.clear()
        self.save_state.saved()


class ReadOnlyBanner(QFrame):
    """'This audit was finalised on … and is read-only', with Amend…."""

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("readOnlyBanner")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.amend_button = QPushButton("Amend…")
        name(self.amend_button, "Amend this finalised audit")
        banner = QHBoxLayout(self)
        banner.addWidget(self.text, 1)
        banner.addWidget(self.amend_button)
        self.hide()

    def show_for(self, a: Audit) -> bool:
        """Shown for a finalised audit (returns True), hidden otherwise."""
        if not a.read_only:
            self.hide()
            return False
        when = _local(a.finalised_at or a.updated_at)
        self.text.setText(
            f"This audit was finalised on {when} and is read-only. "
            "To change it, amend it and give a reason; the reason is kept in its history."
        )
        self.show()
        return True


def _local(stamp: str) -> str:
    return local_datetime(stamp, joiner=" at ") if stamp else "an unknown date"
