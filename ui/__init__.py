"""The desktop window (PySide6). Start it with ui.app.run(argv); see main.py.

Every module here is a client of the core in audit_tool/: no SQL, no rules about audits.
"""

from __future__ import annotations
