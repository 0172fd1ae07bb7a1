"""File -> Print a blank checklist… (issue 23 item 2): the real action in the real window's
File menu, the real dialogs answered by a timer, a real PDF read back."""

from __future__ import annotations

from pathlib import Path

from pypdf import PdfReader
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QFileDialog, QInputDialog

from audit_tool.checklists.loader import bundled
from ui.actions import build_actions
from ui.dialogs import print_checklist


def test_action_is_print_with_the_standard_shortcut(qtbot):
    from PySide6.QtCore import QObject
    from PySide6.QtGui import QKeySequence

    owner = QObject()  # kept alive: the actions are its children
    actions = build_actions(owner)
    assert actions.print_checklist.text() == "&Print a blank checklist…"
    assert actions.print_checklist.shortcut() == QKeySequence(QKeySequence.StandardKey.Print)


def test_choose_a_checklist_and_save_it_as_pdf(qtbot, tmp_path, monkeypatch):
    target = bundled()[1]
    label = next(text for text, c in print_checklist.choices() if c.id == target.id)

    def answer_choice() -> None:
        box = next(w for w in QApplication.topLevelWidgets()
                   if isinstance(w, QInputDialog) and w.isVisible())
        assert label in [box.comboBoxItems()[i] for i in range(len(box.comboBoxItems()))]
        box.setTextValue(label)
        box.accept()

    QTimer.singleShot(200, answer_choice)
    out = tmp_path / "form"
    # the native save dialog cannot be driven offscreen: answer it as a user would
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        lambda *a, **k: (str(out), "PDF (*.pdf)"))
    written = print_checklist.print_blank_checklist(None, str(tmp_path))
    assert written == tmp_path / "form.pdf"
    first = PdfReader(written).pages[0].extract_text()
    assert target.title.split()[0] in first and f"version {target.version}" in first


def test_an_error_is_one_line_and_nothing_is_written(qtbot, tmp_path, monkeypatch):
    shown = []
    monkeypatch.setattr(print_checklist, "show_error", lambda parent, exc, heading: shown.append(str(exc)))
    missing = tmp_path / "no-such-folder" / "form.pdf"
    assert print_checklist.write_to(None, bundled()[0], missing, "pdf") is None
    assert shown == [f"The folder {missing.parent} does not exist."]
    assert not Path(missing.parent).exists()
