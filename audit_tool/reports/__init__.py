"""Reports: one neutral model (model.py), rendered to PDF (pdf.py) and DOCX (docx.py).

`render(report, "pdf" | "docx", path)` is the one renderer entry point; the CLI and the GUI
reach it through audit_tool/export.py, which checks the format. It writes atomically into
the target folder, never into the system temp folder. The builders are build.py (entry
points), one_audit.py, aggregate.py and the sections_*.py modules; they run no SQL.
The renderers are imported on first use, so importing this package stays cheap.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import BinaryIO, Literal

from ..fileio import write_atomic
from ..progress import Progress
from .model import (
    BarChart,
    Block,
    Heading,
    KeyValue,
    LineChart,
    PageBreak,
    Paragraph,
    Report,
    Series,
    Table,
)

Format = Literal["pdf", "docx"]
FORMATS: tuple[Format, ...] = ("pdf", "docx")

__all__ = [
    "FORMATS",
    "BarChart",
    "LineChart",
    "Block",
    "Format",
    "Heading",
    "KeyValue",
    "PageBreak",
    "Paragraph",
    "Report",
    "Series",
    "Table",
    "render",
    "write_atomic",
]


def render(
    report: Report,
    fmt: Format,
    path: str | os.PathLike[str],
    progress: Progress | None = None,
) -> Path:
    """Render `report` as `fmt` ("pdf" or "docx") to `path`, atomically.

    The document is written straight into a temporary file beside `path` and swapped in
    when complete. Returns the absolute path written. Raises ExportProblem with a
    one-line message when the file cannot be written. Callers check a format they were
    given with audit_tool.export.check_format.
    """
    if fmt == "pdf":
        from .pdf import render_pdf as renderer
    elif fmt == "docx":
        from .docx import render_docx as renderer
    else:  # a bug in the caller, not the user's choice: that is checked before (see above)
        raise ValueError(f"not a report format: {fmt!r}")

    def write(f: BinaryIO) -> None:
        renderer(report, f, progress)

    return write_atomic(path, write)
