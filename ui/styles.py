"""Style sheet rules that use palette() roles only, so they follow light and dark schemes."""

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
QFrame#ratingBar QPushButton:checked {
    background-color: palette(highlight); color: palette(highlighted-text);
    border-color: palette(highlight);
}
QFrame#ratingBar QPushButton:disabled {
    color: palette(placeholder-text);
}
QLabel#guidance {
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
