"""Issue 8, item 3: in a finalised (read-only) audit the chosen level is readable, not a
solid block: its text stands out from its background."""

from __future__ import annotations

from collections import Counter

import pytest
from PySide6.QtGui import QColor, QImage, QPalette
from PySide6.QtWidgets import QApplication
from uihelp import shots_dir

from audit_tool import audits

SHOTS = shots_dir("gui")


def _luminance(c: QColor) -> float:
    def lin(v: float) -> float:
        return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4

    return 0.2126 * lin(c.redF()) + 0.7152 * lin(c.greenF()) + 0.0722 * lin(c.blueF())


def _contrast(a: QColor, b: QColor) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def _text_contrast(image: QImage) -> float:
    """Contrast between the commonest colour of the button's middle (its background) and
    the colour there furthest from it (the strokes of its text); 1.0 for a solid block."""
    w, h = image.width(), image.height()
    pixels = Counter(
        image.pixel(x, y) for x in range(w // 8, w - w // 8) for y in range(h // 4, h - h // 4)
    )
    background = QColor.fromRgb(pixels.most_common(1)[0][0])
    return max(_contrast(background, QColor.fromRgb(p)) for p in pixels)


def _scheme(name: str) -> QPalette:
    """The test platform's own palette, or one of two real-world schemes."""
    pal = QPalette(QApplication.palette())
    if name == "breeze":  # KDE Breeze light: white on light blue, about 2.4:1
        pal.setColor(QPalette.ColorRole.Highlight, QColor("#3daee9"))
        pal.setColor(QPalette.ColorRole.HighlightedText, QColor("#ffffff"))
    elif name == "dark":
        for role, colour in (
            (QPalette.ColorRole.Window, "#353535"),
            (QPalette.ColorRole.WindowText, "#ffffff"),
            (QPalette.ColorRole.Base, "#2a2a2a"),
            (QPalette.ColorRole.Text, "#ffffff"),
            (QPalette.ColorRole.Button, "#353535"),
            (QPalette.ColorRole.ButtonText, "#ffffff"),
            (QPalette.ColorRole.PlaceholderText, "#a0a0a0"),
            (QPalette.ColorRole.Highlight, "#2a82da"),
            (QPalette.ColorRole.HighlightedText, "#ffffff"),
        ):
            pal.setColor(role, QColor(colour))
    return pal


@pytest.fixture
def scheme(request):
    original = QPalette(QApplication.palette())
    QApplication.setPalette(_scheme(request.param))
    yield request.param
    QApplication.setPalette(original)


@pytest.mark.parametrize("scheme", ["platform", "breeze", "dark"], indirect=True)
def test_the_chosen_level_of_a_finalised_audit_is_readable(
    qtbot, scheme, window, session, audit_id
):
    for item, rating in (("p1", "4"), ("p2", "no"), ("q1", "2"), ("q2", "yes")):
        audits.answer(session.db, audit_id, item, rating=rating)
    audits.finalise(session.db, audit_id)
    window.controller.open_audit(audit_id)
    editor = window.editor
    assert editor.audit.read_only
    qtbot.wait(20)
    window.grab().save(str(SHOTS / f"finalised_ratings_{scheme}.png"))

    bar = editor.items["p1"].rating
    chosen = bar._buttons["4"]
    assert chosen.isChecked()
    image = chosen.grab().toImage()
    image.save(str(SHOTS / f"finalised_chosen_button_{scheme}.png"))
    assert _text_contrast(image) >= 4.5  # WCAG AA for normal text
    # The levels not chosen stay readable too, though quieter.
    other = bar._buttons["6"].grab().toImage()
    assert _text_contrast(other) >= 3.0


def test_the_chosen_level_follows_a_scheme_switched_while_open(qtbot, window, session, audit_id):
    audits.answer(session.db, audit_id, "p1", rating="4")
    window.controller.open_audit(audit_id)
    original = QPalette(QApplication.palette())
    try:
        QApplication.setPalette(_scheme("breeze"))
        qtbot.wait(20)
        image = window.editor.items["p1"].rating._buttons["4"].grab().toImage()
        assert _text_contrast(image) >= 4.5
    finally:
        QApplication.setPalette(original)
