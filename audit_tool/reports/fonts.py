"""The bundled Unicode font (DejaVu Sans, Bitstream Vera licence) for PDFs and chart PNGs.

Fonts are read through importlib.resources from the top-level `resources` package, so
they are found the same way from a source tree, an installed wheel or a PyInstaller
bundle. The bytes are read once and shared by reportlab and Pillow.
"""

from __future__ import annotations

import io
import threading
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
    from reportlab.pdfbase.ttfonts import TTFont

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
def pil_font(name: str, size_px: float):  # -> PIL.ImageFont.FreeTypeFont
    """A Pillow FreeType font at a pixel size (cached: loading a TTF costs ~ms)."""
    from PIL import ImageFont

    return ImageFont.truetype(io.BytesIO(font_bytes(name)), size_px)


def text_width(text: str, name: str, size: float) -> float:
    """Advance width in points, from the TTF metrics (identical for PDF and PNG layout)."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    register_reportlab_fonts()
    return stringWidth(text, name, size)
