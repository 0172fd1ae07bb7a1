"""The installed PySide6 must not leak references to None/True: on CPython 3.11 that
aborts the app ("deallocating None") minutes into a session, losing unsaved work.
PySide6 6.12 did (excluded in pyproject); this catches any other version that does."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget


class _Emitter(QObject):
    fired = Signal(bool)


def test_no_reference_leak_on_none_or_true(qtbot):
    w = QWidget()
    qtbot.addWidget(w)
    before = sys.getrefcount(None)
    for _ in range(2000):
        w.setEnabled(True)
    none_delta = sys.getrefcount(None) - before
    e = _Emitter()
    before = sys.getrefcount(True)
    for _ in range(2000):
        e.fired.emit(True)
    true_delta = sys.getrefcount(True) - before
    if sys.version_info >= (3, 12):
        return  # None and True are immortal: counts are meaningless and harmless
    assert abs(none_delta) < 100, f"PySide6 leaks references to None ({none_delta})"
    assert abs(true_delta) < 100, f"PySide6 leaks references to True ({true_delta})"
