"""What the export dialog runs off the GUI thread: the core's builders and writers, named
here so tests and benchmarks can hand the dialog others."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from audit_tool.filters import AuditFilter
from audit_tool.progress import Progress

Render = Callable[[Any, str, Path, Callable[[float], None] | None], Any]
BuildAudit = Callable[[Any, str, bool], Any]
BuildAggregate = Callable[[Any, AuditFilter, bool], Any]
BuildDataset = Callable[[Any, AuditFilter, bool], Any]


def real_render(report: Any, fmt: str, path: Path, progress: Progress | None) -> Any:
    from audit_tool.export import render_report  # checks the format, as the CLI's export does

    return render_report(report, fmt, path, progress)


def real_audit_report(db: Any, audit_id: str, include_identifiers: bool) -> Any:
    from audit_tool.reports.build import audit_report

    return audit_report(db, audit_id, include_identifiers=include_identifiers)


def real_build_dataset(
    db: Any, flt: AuditFilter, include_free_text: bool, restricted: bool = False
) -> Any:
    from audit_tool.dataset import build_dataset

    return build_dataset(db, flt, include_free_text=include_free_text, restricted=restricted)


def real_write_dataset(
    dataset: Any, fmt: str, path: Path, progress: Callable[[float], None] | None
) -> Any:
    from audit_tool.dataset import write_dataset

    return write_dataset(dataset, fmt, path, progress)


def real_aggregate_report(
    db: Any, flt: AuditFilter, include_identifiers: bool, include_free_text: bool = False,
    notes: Any = None,
) -> Any:
    from audit_tool.reports.build import aggregate_report

    return aggregate_report(
        db, flt, include_identifiers=include_identifiers, include_free_text=include_free_text,
        notes=notes,
    )


def render_job(render: Render, report: Any, fmt: str, path: Path) -> Callable:
    """What the operation runs: the path saved, once the renderer has written it."""

    def job(progress: Callable[[float], None]) -> str:
        progress(0.0)  # a cancel before the renderer starts saves nothing
        render(report, fmt, path, progress)
        return str(path)

    return job
