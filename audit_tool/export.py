"""Exports: build the report from findings, then render it atomically to DOCX or PDF.

The CLI and the GUI both call these. The GUI builds the report on its own thread
(fast, needs the database) and renders in a worker (slow, needs no database).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from .errors import InvalidInput
from .selection import AuditFilter
from .store import Database

FORMATS = ("pdf", "docx")
Progress = Callable[[float], None] | None


def _check_format(fmt: str) -> str:
    fmt = fmt.lower()
    if fmt not in FORMATS:
        raise InvalidInput(f"Unknown format '{fmt}': use pdf or docx.")
    return fmt


def export_audit(
    db: Database, audit_id: str, fmt: str, out: str | Path, include_identifiers: bool = False,
    progress: Progress = None,
) -> Path:
    from .reports import render
    from .reports.build import audit_report

    fmt = _check_format(fmt)
    report = audit_report(db, audit_id, include_identifiers)
    render(report, fmt, Path(out), progress)
    return Path(out)


def export_report(
    db: Database, flt: AuditFilter, fmt: str, out: str | Path, include_identifiers: bool = False,
    progress: Progress = None,
) -> Path:
    from .reports import render
    from .reports.build import aggregate_report

    fmt = _check_format(fmt)
    report = aggregate_report(db, flt, include_identifiers)
    render(report, fmt, Path(out), progress)
    return Path(out)
