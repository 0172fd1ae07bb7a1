"""Exports: build the report from findings, then render it atomically to DOCX or PDF.

The CLI and the GUI both call these, and both check the format with `check_format`. The
GUI builds the report on its own thread (fast, needs the database) and renders it in a
worker with `render_report` (slow, needs no database).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import cast

from .errors import InvalidInput
from .progress import Progress
from .reports import FORMATS, Format, render
from .reports.build import aggregate_report, audit_report
from .reports.model import Report
from .selection import AuditFilter
from .store import Database


def check_format(fmt: str) -> Format:
    """The report format asked for, 'PDF' read as 'pdf'; InvalidInput naming the choices for
    anything else. The one check of a report format (the dataset's: dataset.check_format)."""
    if fmt.lower() not in FORMATS:
        raise InvalidInput(f"Unknown format '{fmt.lower()}': use pdf or docx.")
    return cast(Format, fmt.lower())


def render_report(
    report: Report, fmt: str, out: str | Path, progress: Progress | None = None
) -> Path:
    """Render a built report to `out` as `fmt`, atomically; returns the path written."""
    return render(report, check_format(fmt), Path(out), progress)


def _write(build: Callable[[], Report], fmt: str, out: str | Path, progress: Progress | None) -> Path:
    fmt = check_format(fmt)  # before the build: a wrong format costs nothing
    return render_report(build(), fmt, out, progress)


def export_audit(
    db: Database, audit_id: str, fmt: str, out: str | Path, include_identifiers: bool = False,
    progress: Progress | None = None,
) -> Path:
    return _write(lambda: audit_report(db, audit_id, include_identifiers), fmt, out, progress)


def export_report(
    db: Database, flt: AuditFilter, fmt: str, out: str | Path, include_identifiers: bool = False,
    progress: Progress | None = None, include_free_text: bool = False,
) -> Path:
    return _write(
        lambda: aggregate_report(db, flt, include_identifiers, include_free_text), fmt, out, progress
    )


__all__ = ["FORMATS", "check_format", "export_audit", "export_report", "render_report"]
