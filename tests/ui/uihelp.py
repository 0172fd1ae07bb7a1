"""Small helpers the UI tests share: where screenshots go, and answering a message box."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox, QWidget

ROOT = Path(__file__).resolve().parents[2]


def shots_dir(topic: str) -> Path:
    """screenshots/TOPIC in the checkout (git ignores it), or below AUDIT_TOOL_SHOTS."""
    return Path(os.environ.get("AUDIT_TOOL_SHOTS", ROOT / "screenshots")) / topic


def show_dialog(qtbot, dialog: QDialog) -> QDialog:
    """Show a dialog as a person would meet it: on screen, active, exposed."""
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.activateWindow()
    qtbot.waitExposed(dialog)
    return dialog


def on_next_modal(
    kind: type[QWidget], act: Callable[[QWidget], None], within_ms: int | None = None
) -> None:
    """Once a modal widget of this kind is open (the code under test opens it and waits in
    its own event loop), call `act` with it. With `within_ms`, stop looking after that long
    (any other modal box met meanwhile is rejected, so the test goes on to fail)."""
    from PySide6.QtCore import QElapsedTimer

    clock = QElapsedTimer()
    clock.start()

    def poll() -> None:
        widget = QApplication.activeModalWidget()
        if not isinstance(widget, kind):
            if within_ms is not None and isinstance(widget, QDialog):
                widget.reject()
            if within_ms is None or clock.elapsed() < within_ms:
                QTimer.singleShot(10, poll)
            return
        act(widget)

    QTimer.singleShot(0, poll)


def answer_next_box(button_text: str, seen: list[str], shot: Path | None = None) -> None:
    """Answer the next modal message box by clicking the button with this text; its text is
    appended to `seen` (and the box saved to `shot`, a PNG path, when given)."""

    def click(box: QMessageBox) -> None:
        seen.append(box.text())
        if shot is not None:
            shot.parent.mkdir(parents=True, exist_ok=True)
            box.grab().save(str(shot))
        for b in box.buttons():
            if b.text().replace("&", "") == button_text:
                b.click()
                return
        raise AssertionError(f"no button {button_text!r} in {[b.text() for b in box.buttons()]}")

    on_next_modal(QMessageBox, click)


def refuse_boxes_for(ms: int, seen: list[str]) -> None:
    """For the next `ms` milliseconds, any modal message box is recorded in `seen` and
    rejected (a test that expects none asserts `seen == []`; nothing is left polling)."""
    from PySide6.QtCore import QElapsedTimer

    clock = QElapsedTimer()
    clock.start()

    def poll() -> None:
        widget = QApplication.activeModalWidget()
        if isinstance(widget, QMessageBox):
            seen.append(widget.text())
            widget.reject()
        if clock.elapsed() < ms:
            QTimer.singleShot(10, poll)

    QTimer.singleShot(0, poll)


def read_and_release(qtbot, export_dialog, shot: Path | None = None) -> list[str]:
    """The export dialog's free-text review (issue 18 item 5), as a person does it: wait for
    the list, tick each text with Space (Down to the next), then Enter. Returns the texts."""
    from PySide6.QtCore import Qt

    qtbot.waitUntil(lambda: export_dialog.review_dialog is not None, timeout=30_000)
    box = export_dialog.review_dialog
    qtbot.waitExposed(box)
    texts = [box.texts.item(i).text() for i in range(box.texts.count())]
    for i in range(len(texts)):
        assert not box.release_button.isEnabled()
        qtbot.keyClick(box.texts, Qt.Key.Key_Space)
        if i + 1 < len(texts):
            qtbot.keyClick(box.texts, Qt.Key.Key_Down)
    assert box.release_button.isEnabled(), box.count.text()
    if shot is not None:
        shot.parent.mkdir(parents=True, exist_ok=True)
        box.grab().save(str(shot))
    qtbot.keyClick(box.texts, Qt.Key.Key_Return)
    return texts
