"""Small helpers the UI tests share: where screenshots go, and answering a message box."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

ROOT = Path(__file__).resolve().parents[2]


def shots_dir(topic: str) -> Path:
    """screenshots/TOPIC in the checkout (git ignores it), or below AUDIT_TOOL_SHOTS."""
    return Path(os.environ.get("AUDIT_TOOL_SHOTS", ROOT / "screenshots")) / topic


def answer_next_box(button_text: str, seen: list[str], shot: Path | None = None) -> None:
    """Answer the next modal message box by clicking the button with this text; its text is
    appended to `seen` (and the box saved to `shot`, a PNG path, when given)."""

    def click() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(10, click)
            return
        seen.append(box.text())
        if shot is not None:
            shot.parent.mkdir(parents=True, exist_ok=True)
            box.grab().save(str(shot))
        for b in box.buttons():
            if b.text().replace("&", "") == button_text:
                b.click()
                return
        raise AssertionError(f"no button {button_text!r} in {[b.text() for b in box.buttons()]}")

    QTimer.singleShot(0, click)
