"""Colours that read well in both light and dark schemes, taken from the active palette."""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QWidget


def is_dark(palette: QPalette | None = None) -> bool:
    palette = palette or QApplication.palette()
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def good(palette: QPalette | None = None) -> QColor:
    """'Saved', 'meets the standard': a green with enough contrast on the window colour."""
    return QColor("#7bd88f") if is_dark(palette) else QColor("#1b6e30")


def bad(palette: QPalette | None = None) -> QColor:
    """Errors and 'not saved'."""
    return QColor("#ff8a80") if is_dark(palette) else QColor("#b3261e")


def muted(palette: QPalette | None = None) -> QColor:
    palette = palette or QApplication.palette()
    return palette.color(QPalette.ColorGroup.Active, QPalette.ColorRole.PlaceholderText)


def bar(palette: QPalette | None = None) -> QColor:
    palette = palette or QApplication.palette()
    return palette.color(QPalette.ColorRole.Highlight)


def panel(palette: QPalette | None = None) -> QColor:
    """A gentle background for guidance and banners (AlternateBase follows the scheme)."""
    palette = palette or QApplication.palette()
    return palette.color(QPalette.ColorRole.AlternateBase)


def set_text_colour(widget: QWidget, colour: QColor) -> None:
    pal = widget.palette()
    pal.setColor(QPalette.ColorRole.WindowText, colour)
    pal.setColor(QPalette.ColorRole.Text, colour)
    widget.setPalette(pal)


def heading_font(widget: QWidget, scale: float = 1.25, bold: bool = True) -> None:
    """Larger text in proportion to the user's font size (so 150% scaling stays right)."""
    font = widget.font()
    if font.pointSizeF() > 0:
        font.setPointSizeF(font.pointSizeF() * scale)
    else:
        font.setPixelSize(round(font.pixelSize() * scale))
    font.setBold(bold)
    widget.setFont(font)
