"""Exports: build the report from findings, then render it atomically to DOCX or PDF.

The CLI and the GUI both call these. The GUI builds the report on its own thread
(fast, needs the database) and renders in a worker (slow, needs no database).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from .errors import InvalidInput
from .reports import render
from .reports.build import aggregate_report, audit_report
from .reports.model import Report
from .selection import AuditFilter
from .store import Database

FORMATS = ("pdf", "docx")
Progress = Callable[[float], None] | None


def _write(build: Callable[[], Report], fmt: str, out: str | Path, progress: Progress) -> Path:
    fmt = fmt.lower()
    if fmt not in FORMATS:
        raise InvalidInput(f"Unknown format '{fmt}': use pdf or docx.")
    return render(build(), fmt, Path(out), progress)


def export_audit(
    db: Database, audit_id: str, fmt: str, out: str | Path, include_identifiers: bool = False,
    progress: Progress = None,
) -> Path:
    return _write(lambda: audit_report(db, audit_id, include_identifiers), fmt, out, progress)


def export_report(
    db: Database, flt: AuditFilter, fmt: str, out: str | Path, include_identifiers: bool = False,
    progress: Progress = None, include_free_text: bool = False,
) -> Path:
    return _write(
        lambda: aggregate_report(db, flt, include_identifiers, include_free_text), fmt, out, progress
    )
