"""Findings for the open audit or the current selection: by theme and by tag, the share of
rated answers meeting the standard (a bar chart drawn with QPainter) and the rating
distribution (a table). The core's findings() does the counting, off the GUI thread."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtGui import QFontMetrics, QPainter, QPalette, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from audit_tool.changes import Changes
from audit_tool.errors import AuditToolError
from audit_tool.filters import AuditFilter
from audit_tool.findings import Findings, GroupFinding, findings
from audit_tool.findings.order import in_report_order
from audit_tool.formatting import percent
from ui.common import palette
from ui.common.accessibility import name
from ui.session import Session


@dataclass(frozen=True)
class Bar:
    label: str
    share: float | None
    text: str


class ShareChart(QWidget):
    """Horizontal bars, 0-100 %, one per theme or tag, with the figure written beside it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._bars: list[Bar] = []
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.setAccessibleName("Chart: share meeting the standard")

    def set_bars(self, bars: list[Bar]) -> None:
        self._bars = bars
        self.setAccessibleDescription(
            "; ".join(f"{b.label}: {b.text}" for b in bars) or "No rated answers to show."
        )
        self.updateGeometry()
        self.update()

    def _row_height(self) -> int:
        return round(self.fontMetrics().height() * 1.8)

    def sizeHint(self) -> QSize:
        fm = self.fontMetrics()
        return QSize(
            40 * fm.horizontalAdvance("M"),
            max(3, len(self._bars)) * self._row_height() + 2 * fm.height(),
        )

    def minimumSizeHint(self) -> QSize:
        # every bar's row: where there is less room, the scroll area around it scrolls
        return QSize(20 * self.fontMetrics().horizontalAdvance("M"), self.sizeHint().height())

    def paintEvent(self, _event) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        pal = self.palette()
        text_colour = pal.color(QPalette.ColorRole.WindowText)
        fm = QFontMetrics(self.font())
        row_h = self._row_height()
        if not self._bars:
            p.setPen(palette.muted(pal))
            p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "No rated answers to show yet.")
            return
        label_w = min(
            int(self.width() * 0.38), max(fm.horizontalAdvance(b.label) for b in self._bars) + 12
        )
        value_w = max(fm.horizontalAdvance(b.text) for b in self._bars) + 12
        left = label_w + 8
        right = self.width() - value_w - 8
        span = max(10, right - left)
        top = fm.height()
        # axis: 0, 50 and 100 % with faint guide lines
        grid = QPalette.ColorRole.Mid
        for pct in (0, 25, 50, 75, 100):
            x = left + span * pct / 100
            p.setPen(pal.color(grid))
            p.drawLine(round(x), top, round(x), top + row_h * len(self._bars))
            p.setPen(palette.muted(pal))
            p.drawText(QRectF(x - 30, 0, 60, top), Qt.AlignmentFlag.AlignCenter, f"{pct}%")
        for n, bar in enumerate(self._bars):
            y = top + n * row_h
            p.setPen(text_colour)
            label = fm.elidedText(bar.label, Qt.TextElideMode.ElideRight, label_w - 4)
            p.drawText(
                QRectF(0, y, label_w, row_h),
                Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight,
                label,
            )
            bar_h = row_h * 0.6
            if bar.share is not None:
                w = max(1.0, span * bar.share)
                p.fillRect(QRectF(left, y + (row_h - bar_h) / 2, w, bar_h), palette.bar(pal))
                text_x = left + w + 6
            else:
                text_x = left + 6
            p.setPen(text_colour if bar.share is not None else palette.muted(pal))
            p.drawText(
                QRectF(text_x, y, value_w + 40, row_h), Qt.AlignmentFlag.AlignVCenter, bar.text
            )
        p.end()


_pct = percent  # the reports' rule: '47%', an em dash for no share


def _distribution(g: GroupFinding) -> str:
    """One line per rating scale, so 'Yes' on two different scales is not mixed up."""
    scales: dict[str, list[str]] = {}
    for b in g.distribution:
        scales.setdefault(b.scale, []).append(f"{b.label} {b.count}")
    if len(scales) == 1:
        return " · ".join(next(iter(scales.values())))
    return "\n".join(
        f"{s.replace('_', ' ').capitalize()} scale: {' · '.join(v)}" for s, v in scales.items()
    )


def _bar(g: GroupFinding) -> Bar:
    if g.share is None:
        return Bar(g.label, None, "no ratings yet")
    return Bar(g.label, g.share, f"{_pct(g.share)} ({g.meets} of {g.rated})")


class FindingsPanel(QWidget):
    """Chart above, table below, for one grouping (themes or tags)."""

    def __init__(self, what: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.what = what
        self.caption = QLabel("Share of rated answers meeting the standard")
        palette.heading_font(self.caption, 1.0)
        self.chart = ShareChart()
        self.table = QTableView()
        name(self.table, f"Findings by {what.lower()}")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setTabKeyNavigation(False)
        self.table.setWordWrap(True)
        self.table.verticalHeader().setVisible(False)
        self.model = QStandardItemModel(0, 6, self)
        self.model.setHorizontalHeaderLabels(
            [what, "Audits", "Answers rated", "Meeting the standard", "Share", "Ratings given"]
        )
        self.table.setModel(self.model)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(5, QHeaderView.ResizeMode.Stretch)
        top = QWidget()
        tl = QVBoxLayout(top)
        tl.setContentsMargins(0, 0, 0, 0)
        tl.addWidget(self.caption)
        self.chart_scroll = QScrollArea()  # a small screen scrolls the bars, never cuts them
        self.chart_scroll.setWidgetResizable(True)
        self.chart_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.chart_scroll.setWidget(self.chart)
        name(self.chart_scroll, f"Chart by {what.lower()}")
        self.chart_scroll.setMinimumHeight(3 * self.chart._row_height())
        tl.addWidget(self.chart_scroll, 1)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(top)
        splitter.addWidget(self.table)
        splitter.setChildrenCollapsible(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)

    def show_groups(self, groups: list[GroupFinding]) -> None:
        self.chart.set_bars([_bar(g) for g in groups])
        self.model.removeRows(0, self.model.rowCount())
        for g in groups:
            cells = [
                g.label,
                str(g.audits),
                str(g.rated),
                str(g.meets),
                _pct(g.share),
                _distribution(g),
            ]
            row = []
            for col, text in enumerate(cells):
                item = QStandardItem(text)
                if col in (1, 2, 3, 4):
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                row.append(item)
            self.model.appendRow(row)
        # The name column as wide as its text, within reason; the ratings take the rest.
        fm = self.table.fontMetrics()
        widest = max(
            [fm.horizontalAdvance(g.label) for g in groups] + [fm.horizontalAdvance(self.what)]
        )
        self.table.setColumnWidth(0, min(widest + 24, 32 * fm.horizontalAdvance("M")))
        self.table.resizeRowsToContents()

    def clear(self) -> None:
        self.chart.set_bars([])
        self.model.removeRows(0, self.model.rowCount())


def describe_filter(flt: AuditFilter) -> str:
    """The selection in plain words: the core's one description, in its one-line form."""
    return flt.describe(brief=True)


class FindingsView(QWidget):
    back_requested = Signal()
    export_requested = Signal()

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("findingsView")
        self.session = session
        self.filter: AuditFilter | None = None
        self.single_audit = False
        self._job = 0
        self._findings: Findings | None = None

        self.back_button = QPushButton("← Back")
        name(self.back_button, "Back")
        self.back_button.clicked.connect(self.back_requested.emit)
        self.title = QLabel("Findings")
        palette.heading_font(self.title, 1.3)
        self.scope = QLabel()
        self.scope.setWordWrap(True)
        palette.set_text_colour(self.scope, palette.muted())
        self.export_button = QPushButton("Export…")
        name(self.export_button, "Export these findings")
        self.export_button.clicked.connect(self.export_requested.emit)
        head = QHBoxLayout()
        head.addWidget(self.back_button)
        text = QVBoxLayout()
        text.addWidget(self.title)
        text.addWidget(self.scope)
        head.addLayout(text, 1)
        head.addWidget(self.export_button)

        self.checklist = QComboBox()
        name(self.checklist, "Checklist shown")
        self.checklist.currentIndexChanged.connect(self._show_checklist)
        self.checklist_label = QLabel("&Checklist:")
        self.checklist_label.setBuddy(self.checklist)
        pick = QHBoxLayout()
        pick.addWidget(self.checklist_label)
        pick.addWidget(self.checklist, 1)
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)
        self.busy.setTextVisible(False)
        name(self.busy, "Working out findings")
        self.busy_label = QLabel("Working out findings…")
        self.note = QLabel(
            "Share: rated answers meeting the standard, out of all rated answers "
            "('not applicable' left out)."
        )
        self.note.setWordWrap(True)
        palette.set_text_colour(self.note, palette.muted())

        self.tabs = QTabWidget()
        name(self.tabs, "Findings groupings")
        self.by_theme = FindingsPanel("Theme")
        self.by_tag = FindingsPanel("Principle or component")
        self.tabs.addTab(self.by_theme, "By &theme")
        self.tabs.addTab(self.by_tag, "By principle and &component")

        layout = QVBoxLayout(self)
        layout.addLayout(head)
        layout.addLayout(pick)
        layout.addWidget(self.busy_label)
        layout.addWidget(self.busy)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.note)
        self._set_busy(False)

    def _set_busy(self, busy: bool) -> None:
        self.busy.setVisible(busy)
        self.busy_label.setVisible(busy)
        self.export_button.setEnabled(not busy and self.filter is not None)

    def show_findings(self, flt: AuditFilter, single_audit: bool, scope_text: str) -> None:
        """Start working out findings for a selection (or one audit: flt.audit_id)."""
        self.session.cancel(self._job)
        self.filter, self.single_audit = flt, single_audit
        self.title.setText(
            "Findings for this audit" if single_audit else "Findings for the selected audits"
        )
        self.scope.setText(scope_text)
        self.by_theme.clear()
        self.by_tag.clear()
        self._set_busy(True)
        self._job = self.session.read(lambda db: findings(db, flt), self._arrived, self._failed)

    def _arrived(self, result: Findings) -> None:
        self._findings = result
        self._set_busy(False)
        if not self.single_audit:
            self.scope.setText(
                f"{result.audits:,} audit{'s' if result.audits != 1 else ''} of {result.cases:,} "
                f"case{'s' if result.cases != 1 else ''}: {describe_filter(result.filter)}."
            )
        self.checklist.blockSignals(True)
        self.checklist.clear()
        for cid, version, title, n in result.checklists:
            self.checklist.addItem(
                f"{title} (version {version}): {n:,} audit{'s' if n != 1 else ''}", cid
            )
        if result.checklists:  # start with the checklist most audits used
            busiest = max(range(len(result.checklists)), key=lambda i: result.checklists[i][3])
            self.checklist.setCurrentIndex(busiest)
        self.checklist.blockSignals(False)
        many = self.checklist.count() > 1
        self.checklist.setVisible(many)
        self.checklist_label.setVisible(many)
        self._show_checklist()

    def _failed(self, exc: BaseException) -> None:
        self._set_busy(False)
        if isinstance(exc, AuditToolError):
            self.scope.setText(f"The findings could not be worked out: {exc}")
        else:  # not tried again on the window's connection: that would freeze the window
            self.scope.setText(
                f"The findings could not be worked out ({type(exc).__name__}). Try again; if it "
                "keeps happening, lock and unlock the database."
            )

    def _show_checklist(self) -> None:
        if self._findings is None:
            return
        cid = self.checklist.currentData()
        self.by_theme.show_groups(
            [g for g in self._findings.by_theme if cid is None or g.checklist_id == cid]
        )
        # principles before components and patterns, as the report shows them
        self.by_tag.show_groups(
            in_report_order(g for g in self._findings.by_tag if cid is None or g.checklist_id == cid)
        )

    def on_changes(self, changes: Changes) -> None:
        """Work the findings out again when a write changed what they are of (only while
        shown: they are worked out afresh each time they are opened)."""
        if self.filter is None or not self.isVisible() or not self.session.is_open:
            return
        if self.single_audit:
            stale = changes.touches(self.filter.audit_id or "")
        else:
            stale = bool(changes.audits or changes.status or changes.added or changes.removed)
            stale = stale or changes.cases
        if stale:
            self.show_findings(self.filter, self.single_audit, self.scope.text())

    def clear(self) -> None:
        self.session.cancel(self._job)
        self._job = 0
        self._findings = None
        self.filter = None
        self.by_theme.clear()
        self.by_tag.clear()
        self.checklist.clear()
        self.scope.clear()
        self._set_busy(False)

    def state(self) -> dict:
        if self.filter is None:
            return {}
        return {
            "filter": self.filter,
            "single": self.single_audit,
            "scope": self.scope.text(),
            "tab": self.tabs.currentIndex(),
        }

    def restore(self, state: dict) -> None:
        if state.get("filter") is not None:
            self.show_findings(state["filter"], state["single"], state["scope"])
            self.tabs.setCurrentIndex(state.get("tab", 0))
