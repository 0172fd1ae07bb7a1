"""The bundled Unicode font (DejaVu Sans, Bitstream Vera licence) for PDFs and chart PNGs.

Fonts are read through importlib.resources from the top-level `resources` package, so
they are found the same way from a source tree, an installed wheel or a PyInstaller
bundle. The bytes are read once and shared by reportlab and Pillow.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from importlib.resources import files

FAMILY = "ReportSans"
REGULAR = "ReportSans"
BOLD = "ReportSans-Bold"
ITALIC = "ReportSans-Oblique"

_FILES = {
    REGULAR: "DejaVuSans.ttf",
    BOLD: "DejaVuSans-Bold.ttf",
    ITALIC: "DejaVuSans-Oblique.ttf",
}
_lock = threading.Lock()
_registered = False  # set once the family is registered: the check is on every measured word
_memo: dict[tuple[str, str, float], float] | None = None  # widths, while laying out (measuring)
_measuring = 0  # how many layouts are using _memo (one may run on a worker thread)


@cache
def font_bytes(name: str) -> bytes:
    """The TTF file behind one of REGULAR, BOLD or ITALIC."""
    return (files("resources") / "fonts" / _FILES[name]).read_bytes()


def register_reportlab_fonts() -> None:
    """Register the family with reportlab once per process (the registry is global)."""
    global _registered
    if _registered:
        return
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics

    TTFont = _font_class()  # noqa: N806 (reportlab's class, remembering widths)
    with _lock:
        if REGULAR in pdfmetrics.getRegisteredFontNames():
            _registered = True
            return
        for name in (BOLD, ITALIC, REGULAR):  # REGULAR last: it marks the family as done
            pdfmetrics.registerFont(TTFont(name, io.BytesIO(font_bytes(name))))
        # Map <b>/<i> in Paragraph markup onto the faces we ship (no bold-italic file).
        addMapping(FAMILY, 0, 0, REGULAR)
        addMapping(FAMILY, 1, 0, BOLD)
        addMapping(FAMILY, 0, 1, ITALIC)
        addMapping(FAMILY, 1, 1, BOLD)
        _registered = True


@cache
def _font_class():  # -> a subclass of reportlab's TTFont
    from reportlab.pdfbase.ttfonts import TTFont

    class MeasuredFont(TTFont):
        """reportlab's TTF font, its text widths remembered while a document is laid out.
        A report measures the same words tens of thousands of times (a table's words for
        its column widths, each cell, each line a paragraph breaks), and reportlab sums
        each string's characters in Python. The width is the one reportlab works out."""

        def stringWidth(self, text, size, encoding="utf8"):  # noqa: N802 (reportlab's name)
            memo = _memo
            if memo is None:
                return super().stringWidth(text, size, encoding)
            key = (self.fontName, text, size)
            width = memo.get(key)
            if width is None:
                width = memo[key] = super().stringWidth(text, size, encoding)
            return width

    return MeasuredFont


@contextmanager
def measuring() -> Iterator[None]:
    """While a document is laid out: text widths are remembered (MeasuredFont), and
    forgotten at the end, so no text of a report stays in memory after it."""
    global _memo, _measuring
    register_reportlab_fonts()
    with _lock:
        _measuring += 1
        if _memo is None:
            _memo = {}
    try:
        yield
    finally:
        with _lock:
            _measuring -= 1
            if not _measuring:
                _memo = None


@cache
def pil_font(name: str, size_px: float):  # -> PIL.ImageFont.FreeTypeFont
    """A Pillow FreeType font at a pixel size (cached: loading a TTF costs ~ms)."""
    from PIL import ImageFont

    return ImageFont.truetype(io.BytesIO(font_bytes(name)), size_px)


def text_width(text: str, name: str, size: float) -> float:
    """Advance width in points, from the TTF metrics (identical for PDF and PNG layout)."""
    face = _faces().get(name)
    if face is None:  # not one of ours
        from reportlab.pdfbase.pdfmetrics import stringWidth

        return stringWidth(text, name, size)
    return face.stringWidth(text, size)  # what reportlab's pdfmetrics.stringWidth does


@cache
def _faces() -> dict:  # name -> reportlab font: looked up once, for the measures of every word
    from reportlab.pdfbase.pdfmetrics import getFont

    register_reportlab_fonts()
    return {name: getFont(name) for name in _FILES}
