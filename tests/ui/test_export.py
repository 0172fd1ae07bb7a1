"""The export dialog: off the GUI thread, with progress, Cancel, a disabled button while it
runs, identifiers left out unless ticked, and "Open folder" afterwards."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from PySide6.QtCore import QUrl

from audit_tool.selection import AuditFilter
from ui.export_dialog import ExportDialog


class FakeReport:
    def __init__(self, what: str, include: bool) -> None:
        self.what, self.include = what, include


def build_audit(db, audit_id, include):
    return FakeReport(f"audit {audit_id}", include)


def build_aggregate(db, flt, include):
    return FakeReport(f"aggregate {flt.describe()}", include)


class SlowRender:
    """Ten progress steps; records the thread it ran on."""

    def __init__(self, gate: threading.Event | None = None) -> None:
        self.gate, self.thread, self.calls = gate, None, []

    def __call__(self, report, fmt, path, progress):
        self.thread = threading.current_thread()
        self.calls.append((report.what, report.include, fmt, Path(path).name))
        for i in range(10):
            if self.gate is not None:
                self.gate.wait(5)
            progress(i / 10)
            time.sleep(0.01)
        Path(path).write_bytes(b"%PDF-fake")


def make(qtbot, session, tmp_path, render, opened=None, audit_id="A1"):
    dialog = ExportDialog(
        session,
        str(tmp_path),
        audit_id,
        AuditFilter(area="North"),
        "3 audits: area North",
        render=render,
        build_audit=build_audit,
        build_aggregate=build_aggregate,
        open_url=(opened.append if opened is not None else (lambda url: None)),
    )
    qtbot.addWidget(dialog)
    return dialog


def test_export_runs_off_the_gui_thread_then_offers_the_folder(qtbot, session, tmp_path):
    opened: list[QUrl] = []
    render = SlowRender()
    dialog = make(qtbot, session, tmp_path, render, opened)
    assert not dialog.identifiers.isChecked()  # identifiers are left out unless asked for
    assert dialog.docx.isChecked() and dialog.this_audit.isChecked()
    dialog.pdf.setChecked(True)
    assert dialog.path.text().endswith(".pdf")
    assert "Audit report" in Path(dialog.path.text()).name  # no case data in the file name
    dialog.export_button.click()
    assert not dialog.export_button.isEnabled() and dialog.cancel_button.text() == "Cancel"
    qtbot.waitUntil(lambda: not dialog.running(), timeout=5000)
    assert render.thread is not threading.main_thread()
    assert render.calls == [("audit A1", False, "pdf", Path(dialog.path.text()).name)]
    assert dialog.saved_path is not None and dialog.saved_path.read_bytes() == b"%PDF-fake"
    assert dialog.progress.value() == 100 and dialog.status.text().startswith("Saved")
    assert dialog.export_button.isEnabled() and not dialog.open_folder_button.isHidden()
    dialog.open_folder_button.click()
    assert opened == [QUrl.fromLocalFile(str(tmp_path))]


def test_cancel_stops_the_export(qtbot, session, tmp_path):
    gate = threading.Event()
    render = SlowRender(gate)
    dialog = make(qtbot, session, tmp_path, render)
    dialog.aggregate.setChecked(True)
    dialog.identifiers.setChecked(True)
    dialog.export_button.click()
    qtbot.waitUntil(lambda: render.thread is not None, timeout=3000)
    dialog.cancel_button.click()
    assert dialog.status.text() == "Cancelling…"
    gate.set()
    qtbot.waitUntil(lambda: not dialog.running(), timeout=5000)
    assert render.calls[0][:2] == ("aggregate area North", True)
    assert "cancelled" in dialog.status.text()
    assert not Path(dialog.path.text()).exists()
    assert dialog.open_folder_button.isHidden()


def test_missing_renderers_are_explained(qtbot, session, tmp_path):
    def not_there(*_a):
        raise ImportError("audit_tool.reports.build")

    dialog = ExportDialog(
        session, str(tmp_path), None, AuditFilter(), "all audits", build_aggregate=not_there
    )
    qtbot.addWidget(dialog)
    assert not dialog.this_audit.isEnabled() and dialog.aggregate.isChecked()
    dialog.export_button.click()
    assert "not available" in dialog.status.text()
    assert not dialog.running()


def test_real_reports_when_available(qtbot, session, audit_id, tmp_path):
    pytest.importorskip("audit_tool.reports.build")
    from audit_tool import reports

    if not hasattr(reports, "render"):
        pytest.skip("the renderers are not there yet")
    dialog = ExportDialog(session, str(tmp_path), audit_id, AuditFilter(), "1 audit")
    qtbot.addWidget(dialog)
    dialog.export_button.click()
    qtbot.waitUntil(lambda: not dialog.running(), timeout=30_000)
    assert dialog.saved_path is not None and dialog.saved_path.stat().st_size > 0, (
        dialog.status.text()
    )
