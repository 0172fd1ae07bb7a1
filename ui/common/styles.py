"""Style sheet rules that use palette() roles, so they follow light and dark schemes; the
chosen rating's colours are worked out from the palette so its text always reads."""

from PySide6.QtGui import QPalette

from ui.common import palette as colours

EDITOR_QSS = """
QFrame#itemWidget {
    border: 1px solid palette(mid); border-radius: 6px;
}
QFrame#itemWidget[current="true"] {
    border: 2px solid palette(highlight);
}
QFrame#ratingBar {
    border: 2px solid transparent; border-radius: 6px;
}
QFrame#ratingBar[focused="true"] {
    border: 2px solid palette(highlight);
}
QFrame#ratingBar QPushButton {
    padding: 0.3em 0.8em; border: 1px solid palette(mid); border-radius: 4px;
    background-color: palette(button); color: palette(button-text);
}
QFrame#ratingBar QPushButton:hover {
    border-color: palette(highlight);
}
QFrame#ratingBar QPushButton:disabled {
    color: palette(placeholder-text);
}
QFrame#tickBar {
    border: 2px solid transparent; border-radius: 6px;
}
QFrame#tickBar[focused="true"] {
    border: 2px solid palette(highlight);
}
QFrame#tickBar QCheckBox {
    padding: 0.25em 0.6em 0.25em 0.2em;
}
QLabel#guidance, QLabel#anchors {
    background-color: palette(alternate-base); border-left: 3px solid palette(highlight);
    padding: 6px;
}
QFrame#missingPanel, QFrame#readOnlyBanner {
    background-color: palette(alternate-base); border: 1px solid palette(mid); border-radius: 4px;
}
"""

WARNING_QSS = """
QFrame#lostWarning {
    background-color: palette(alternate-base); border: 1px solid palette(mid);
    border-left: 4px solid palette(highlight); border-radius: 4px;
}
"""


def editor_qss(pal: QPalette) -> str:
    """EDITOR_QSS plus the chosen rating: the scheme's highlight, adjusted so the level's
    text has 4.5:1 contrast on it (it is the answer in a finalised audit, not decoration)."""
    highlight = pal.color(QPalette.ColorGroup.Active, QPalette.ColorRole.Highlight)
    bg, text = colours.readable_on(highlight)
    return EDITOR_QSS + (
        "QFrame#ratingBar QPushButton:checked {\n"
        f"    background-color: {bg.name()}; color: {text.name()}; border-color: {bg.name()};\n"
        "}\n"
    )
