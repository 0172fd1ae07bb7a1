"""The desktop window (PySide6). Start it with ui.app.run(argv); see main.py.

Every module here is a client of the core in audit_tool/: no SQL, no rules about audits.
"""

from __future__ import annotations

import sys

_IMMORTAL = 1 << 50


def _pin_singletons() -> bool:
    """Work around a PySide6 6.12 reference-count bug on CPython 3.11.

    PySide6 6.12 drops one reference to None every time a wrapped method that returns
    nothing is called (setEnabled, setVisible, click, ...) or a data() call comes back as
    None, and one reference to True on every Signal.emit(). From Python 3.12 these objects
    are immortal, so the bug is harmless there; on 3.11 the process aborts with "Fatal
    Python error: deallocating None" after some thousands of calls, i.e. minutes into a
    session, losing whatever the screen had not saved. Giving None, True and False a
    reference count no session can use up makes 3.11 behave like 3.12. Measured in
    benchmarks/ and tests/ui; reported to the lead (pin PySide6 or require Python 3.12).
    """
    if sys.implementation.name != "cpython" or sys.version_info >= (3, 12):
        return False
    import ctypes

    for obj in (None, True, False):
        cell = ctypes.c_ssize_t.from_address(id(obj))
        if abs(cell.value - sys.getrefcount(obj)) > 16:
            return False  # not the object layout we expect (e.g. a trace-refs build): leave it
        before = sys.getrefcount(obj)
        cell.value += _IMMORTAL
        if abs(sys.getrefcount(obj) - before - _IMMORTAL) > 16:
            cell.value -= _IMMORTAL
            return False
    return True


SINGLETONS_PINNED = _pin_singletons()
