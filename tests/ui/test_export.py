"""The export dialog: off the GUI thread, with progress, Cancel, a disabled button while it
runs, identifiers left out unless ticked, and "Open folder" afterwards."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from PySide6.QtCore import QTimer, QUrl

from audit_tool.filters import AuditFilter
from audit_tool.selection import list_audits
from ui.export.export_dialog import ExportDialog

PASSPHRASE = "correct horse battery staple"


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


def make(qtbot, session, tmp_path, render, opened=None, audit_id="A1", aggregate=build_aggregate):
    dialog = ExportDialog(
        session,
        str(tmp_path),
        audit_id,
        AuditFilter(area="North"),
        "3 audits: area North",
        render=render,
        build_audit=build_audit,
        build_aggregate=aggregate,
        open_url=(opened.append if opened is not None else (lambda url: None)),
    )
    qtbot.addWidget(dialog)
    dialog.recipient.setText("Steering group (fictional)")  # the register needs it
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
    dialog.recipient.setText("Steering group (fictional)")  # the register needs it
    assert not dialog.this_audit.isEnabled() and dialog.aggregate.isChecked()
    dialog.export_button.click()
    qtbot.waitUntil(lambda: not dialog.running(), timeout=5000)  # built in the reader thread
    assert "not available" in dialog.status.text()
    assert dialog.export_button.isEnabled() and dialog.progress.isHidden()


def test_real_reports_when_available(qtbot, session, audit_id, tmp_path):
    dialog = ExportDialog(session, str(tmp_path), audit_id, AuditFilter(), "1 audit")
    qtbot.addWidget(dialog)
    dialog.recipient.setText("Steering group (fictional)")  # the register needs it
    dialog.export_button.click()
    qtbot.waitUntil(lambda: not dialog.running(), timeout=30_000)
    assert dialog.saved_path is not None and dialog.saved_path.stat().st_size > 0, (
        dialog.status.text()
    )


def test_real_aggregate_report_is_built_in_the_reader(qtbot, session, audit_id, tmp_path):
    dialog = ExportDialog(session, str(tmp_path), None, AuditFilter(), "1 audit")
    qtbot.addWidget(dialog)
    dialog.recipient.setText("Steering group (fictional)")  # the register needs it
    dialog.pdf.setChecked(True)
    dialog.export_button.click()
    assert dialog.building()
    qtbot.waitUntil(lambda: not dialog.running(), timeout=30_000)
    assert dialog.saved_path is not None and dialog.saved_path.stat().st_size > 0, (
        dialog.status.text()
    )


class GatedBuild:
    """An aggregate build that waits for the test to let it finish; notes its thread."""

    def __init__(self) -> None:
        self.gate, self.started = threading.Event(), threading.Event()
        self.threads: list[threading.Thread] = []

    def __call__(self, db, flt, include):
        self.threads.append(threading.current_thread())
        self.started.set()
        self.gate.wait(10)
        return FakeReport(f"aggregate {flt.describe()}", include)


def event_loop_runs(qtbot) -> bool:
    ticks: list[int] = []
    QTimer.singleShot(0, lambda: ticks.append(1))
    qtbot.waitUntil(lambda: bool(ticks), timeout=2000)
    return True


def test_the_aggregate_report_is_built_off_the_gui_thread(qtbot, session, tmp_path):
    render, build = SlowRender(), GatedBuild()
    dialog = make(qtbot, session, tmp_path, render, aggregate=build)
    dialog.aggregate.setChecked(True)
    dialog.export_button.click()
    assert build.started.wait(5)
    # The build is waiting in the reader thread, and the window goes on working.
    assert event_loop_runs(qtbot)
    assert dialog.building() and dialog.running()
    assert not dialog.export_button.isEnabled() and not dialog.aggregate.isEnabled()
    assert dialog.cancel_button.text() == "Cancel"
    assert not dialog.progress.isHidden() and dialog.progress.maximum() == 0  # busy
    assert dialog.status.text() == "Preparing the report…"
    assert render.calls == []
    build.gate.set()
    qtbot.waitUntil(lambda: not dialog.running(), timeout=5000)
    assert build.threads and build.threads[0] is not threading.main_thread()
    assert render.thread is not threading.main_thread()
    assert render.calls == [("aggregate area North", False, "docx", Path(dialog.path.text()).name)]
    assert dialog.saved_path is not None and dialog.saved_path.read_bytes() == b"%PDF-fake"
    assert dialog.progress.maximum() == 100 and dialog.progress.value() == 100
    assert dialog.export_button.isEnabled() and dialog.status.text().startswith("Saved")


def test_cancel_while_building_drops_the_report(qtbot, session, tmp_path):
    render, build = SlowRender(), GatedBuild()
    dialog = make(qtbot, session, tmp_path, render, aggregate=build)
    dialog.aggregate.setChecked(True)
    dialog.export_button.click()
    assert build.started.wait(5)
    dialog.cancel_button.click()
    assert not dialog.running() and dialog.export_button.isEnabled()
    assert dialog.status.text() == "Export cancelled; no file was saved."
    assert dialog.progress.isHidden() and dialog.cancel_button.text() == "Close"
    build.gate.set()  # the report arrives after all, and is dropped
    later: list[object] = []
    session.read(lambda db: "next", later.append)  # delivered after the dropped report
    qtbot.waitUntil(lambda: bool(later), timeout=5000)
    assert render.calls == [] and not Path(dialog.path.text()).exists()
    assert not dialog.running()

    dialog.export_button.click()  # and exporting again works
    qtbot.waitUntil(lambda: not dialog.running(), timeout=5000)
    assert len(build.threads) == 2 and render.calls[0][0] == "aggregate area North"
    assert Path(dialog.path.text()).read_bytes() == b"%PDF-fake"


def endless_query_build(started: threading.Event):
    def build(db, flt, include):
        started.set()
        db.query(
            "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 2000000000)"
            " SELECT count(*) FROM n"
        )
        return FakeReport("aggregate", include)

    return build


def test_cancel_while_building_interrupts_the_query(qtbot, session, tmp_path):
    started = threading.Event()
    dialog = make(qtbot, session, tmp_path, SlowRender(), aggregate=endless_query_build(started))
    dialog.aggregate.setChecked(True)
    dialog.export_button.click()
    assert started.wait(5)
    qtbot.wait(200)  # the query is running
    dialog.cancel_button.click()
    assert not dialog.running()
    later: list[object] = []
    session.read(lambda db: "next", later.append)  # not stuck behind the cancelled build
    qtbot.waitUntil(lambda: bool(later), timeout=5000)


def test_closing_while_building_closes_at_once(qtbot, session, tmp_path):
    render, build = SlowRender(), GatedBuild()
    dialog = make(qtbot, session, tmp_path, render, aggregate=build)
    dialog.show()
    dialog.aggregate.setChecked(True)
    dialog.export_button.click()
    assert build.started.wait(5)
    dialog.reject()  # Esc or the window's close button
    assert not dialog.isVisible() and not dialog.running()
    build.gate.set()
    later: list[object] = []
    session.read(lambda db: "next", later.append)
    qtbot.waitUntil(lambda: bool(later), timeout=5000)
    assert render.calls == []


def test_locking_while_building_closes_the_export_without_waiting(qtbot, window, session):
    started = threading.Event()
    render = SlowRender()
    window.export_render = render
    window.export_build_aggregate = endless_query_build(started)
    dialog = window.make_export_dialog(None, AuditFilter(), "all audits", False)
    dialog.recipient.setText("Steering group (fictional)")
    dialog.show()
    dialog.export_button.click()
    assert started.wait(5)
    qtbot.wait(200)
    begun = time.monotonic()
    session.lock()
    assert time.monotonic() - begun < 3
    assert not dialog.isVisible() and not dialog.running()
    assert render.calls == []


def test_export_works_after_unlock_and_after_lock_unlock(
    qtbot, window, session, audit_id, tmp_path
):
    seen: list[tuple[threading.Thread, int]] = []

    def build(db, flt, include):
        seen.append((threading.current_thread(), len(list_audits(db))))
        return FakeReport("aggregate", include)

    render = SlowRender()
    window.export_render, window.export_build_aggregate = render, build
    for round_ in range(3):
        if round_:  # the reader's connection is closed on lock and opened again on unlock
            session.lock()
            window.lock_page.form.field.edit.setText(PASSPHRASE)
            window.lock_page.form.try_unlock()
            assert session.is_open
        dialog = window.make_export_dialog(None, AuditFilter(), "1 audit", False)
        qtbot.addWidget(dialog)
        dialog.recipient.setText("Steering group (fictional)")  # the register needs it
        dialog.path.setText(str(tmp_path / f"round {round_}.docx"))
        dialog.recipient.setText("Steering group (fictional)")
        dialog.export_button.click()  # at once, while the reader may still be opening
        qtbot.waitUntil(lambda d=dialog: not d.running(), timeout=10_000)
        assert dialog.saved_path == tmp_path / f"round {round_}.docx", dialog.status.text()
        assert dialog.saved_path.read_bytes() == b"%PDF-fake"
        dialog.close()
    assert [n for _t, n in seen] == [1, 1, 1]
    assert all(t is not threading.main_thread() for t, _n in seen)


def test_a_failed_build_is_said_in_the_dialog(qtbot, session, tmp_path):
    def broken(db, flt, include):
        raise TypeError("a bug in the report builder")

    dialog = make(qtbot, session, tmp_path, SlowRender(), aggregate=broken)
    dialog.aggregate.setChecked(True)
    dialog.export_button.click()
    qtbot.waitUntil(lambda: not dialog.running(), timeout=5000)
    assert dialog.status.text() == (
        "The report could not be prepared (TypeError); nothing was saved."
    )
    assert dialog.export_button.isEnabled() and dialog.progress.isHidden()
    assert not Path(dialog.path.text()).exists()


def test_the_dialog_says_anonymised_reports_are_of_finalised_audits_and_refuses_drafts(
    qtbot, session, audit_id, tmp_path
):
    from PySide6.QtCore import Qt

    flt = AuditFilter(status="draft")
    dialog = ExportDialog(session, str(tmp_path), None, flt, "1 audit: draft")
    qtbot.addWidget(dialog)
    dialog.recipient.setText("Steering group (fictional)")  # the register needs it
    dialog.show()
    qtbot.waitExposed(dialog)
    assert dialog.finalised_only.isVisible()
    assert dialog.finalised_only.text() == "Anonymised reports and datasets include finalised audits only."
    assert dialog.aggregate.isChecked() and not dialog.identifiers.isChecked()
    qtbot.mouseClick(dialog.export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not dialog.running(), timeout=30_000)
    assert dialog.status.text() == (
        "Anonymised reports cover finalised audits only; draft audits are still being completed. "
        "Choose the status Finalised or all statuses, or include identifiers for a named recipient."
    )
    assert dialog.saved_path is None and not Path(dialog.path.text()).exists()
