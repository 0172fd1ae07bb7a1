"""The reports' colours, one palette for the PDF and the DOCX, so the two read alike.

Hex RGB without '#' (DOCX wants it so; pdf.py adds the '#'). Text colours are at least
7:1 on white, banner fills are light enough for black text.
"""

from __future__ import annotations

import html

NAVY = "1F3A5F"  # title, headings, table heads, the banner's rule
INK = "1A1A1A"  # body text
SUBTITLE = "404040"
DARK = "333333"  # captions, minor headings, table keys
MUTED = "595959"  # notes and the meta line
WHITE = "FFFFFF"  # text on a navy table head
RULE = "C8CDD3"  # table borders
ZEBRA = "F2F4F7"  # every other table row, and the key column of a key-value table
BANNER_BG = "EEF3F8"
WARN_BG = "FFF4E0"  # the warning banner of an identifiable report
WARN_RULE = "B45F06"
DRAFT_RED = "B00020"

__all__ = [
    "BANNER_BG",
    "DARK",
    "DRAFT_RED",
    "INK",
    "MUTED",
    "NAVY",
    "RULE",
    "SUBTITLE",
    "WARN_BG",
    "WARN_RULE",
    "WHITE",
    "ZEBRA",
]


def escape(text: str, entities: dict[str, str] | None = None) -> str:
    """Text for reportlab's paragraph markup (&, <, >, then any `entities`), from the html
    module: the XML escaping helpers in the standard library pull in URL-fetching modules on
    import, and the app loads nothing that could reach a network."""
    text = html.escape(text, quote=False)
    for plain, markup in (entities or {}).items():
        text = text.replace(plain, markup)
    return text
