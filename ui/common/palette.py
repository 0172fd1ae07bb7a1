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


def contrast(a: QColor, b: QColor) -> float:
    """WCAG 2 contrast ratio of two colours: 1 (same) to 21 (black on white)."""

    def luminance(c: QColor) -> float:
        def lin(v: float) -> float:
            return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4

        return 0.2126 * lin(c.redF()) + 0.7152 * lin(c.greenF()) + 0.0722 * lin(c.blueF())

    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def readable_on(background: QColor, minimum: float = 4.5) -> tuple[QColor, QColor]:
    """(background, text) for text on this colour: black or white text, whichever reads
    better, and the background darkened or lightened just enough for `minimum` contrast.
    Some schemes pair Highlight and HighlightedText at 2:1 (e.g. white on light blue)."""
    black, white = QColor("#000000"), QColor("#ffffff")
    text = white if contrast(background, white) >= contrast(background, black) else black
    bg = QColor(background)
    for _ in range(40):
        if contrast(bg, text) >= minimum:
            break
        bg = bg.darker(108) if text == white else bg.lighter(108)
    if contrast(bg, text) < minimum:  # a colour that darker()/lighter() cannot move far enough
        bg = black if text == white else white
    return bg, text
