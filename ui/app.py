"""Start the GUI: `python main.py [--db PATH] [--smoke-test]`, or `audit-tool` with no command.

First run on a path: create the encrypted database. Later runs: unlock it. Then the main
window. --smoke-test opens the window on a throw-away encrypted database (random
passphrase, temporary folder, deleted afterwards) and exits 0 when all went well: it is
how the frozen app is checked.
"""

from __future__ import annotations

import argparse
import secrets
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QDialog

from audit_tool import APP_NAME, APP_SLUG
from audit_tool.errors import InvalidInput
from audit_tool.hardening import no_core_dumps
from audit_tool.paths import default_db_path
from audit_tool.settings import Settings
from ui import window_state
from ui.common.messages import show_error
from ui.dialogs.create_dialog import CreateDialog
from ui.dialogs.unlock_dialog import UnlockDialog
from ui.excepthook import ExceptionReporter
from ui.main_window import MainWindow
from ui.session import Session


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="main.py", description=f"{APP_NAME}: the desktop window.")
    parser.add_argument("--db", type=Path, help="the audit database (created on first use)")
    parser.add_argument(
        "--smoke-test",
        action="store_true",
        help="open the window on a temporary database, then exit (for packaging checks)",
    )
    return parser.parse_args(list(argv))


def application(argv: Sequence[str] | None = None) -> QApplication:
    app = QApplication.instance()
    if app is None:
        app = QApplication(list(argv or [APP_SLUG]))
    app.setApplicationName(APP_SLUG)
    assert isinstance(app, QApplication)
    return app


def run(argv: Sequence[str] | None = None) -> int:
    no_core_dumps()  # also when started other than through main.py
    argv = list(sys.argv if argv is None else argv)
    args = parse_args(argv[1:])
    if args.smoke_test:
        return smoke_test(argv[:1])
    app = application(argv[:1])
    # A bug in a slot is said in a message box and on the save indicator, not lost (the
    # windowed build has no stderr); the previous hook is back when the window is gone.
    reporter = ExceptionReporter(app)
    reporter.install()
    try:
        return _run_window(app, args)
    finally:
        reporter.restore()
        reporter.deleteLater()


def _run_window(app: QApplication, args: argparse.Namespace) -> int:
    path = (args.db or default_db_path()).expanduser()
    session = Session(path)
    settings = Settings.load()
    if path.is_dir():
        show_error(
            None, InvalidInput(f"{path} is a folder. Give the path of an audit database file.")
        )
        return 1
    dialog: QDialog = UnlockDialog(session) if session.exists() else CreateDialog(session)
    if dialog.exec() != QDialog.DialogCode.Accepted or not session.is_open:
        return 0
    window = MainWindow(session, settings)
    window.show()
    _save_on_quit(app, window, session)
    return app.exec()


def _save_on_quit(app: QApplication, window: MainWindow, session: Session) -> None:
    """However the app ends (window closed, logout, SIGTERM at shutdown), pending typing is
    saved and the database closed."""
    app.aboutToQuit.connect(lambda: session.lock() if session.is_open else None)

    def terminate(_signum, _frame) -> None:
        window.close()
        app.quit()

    for name in ("SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), terminate)
    # Python handles signals only when it runs; a quiet timer lets it do so while Qt waits.
    timer = QTimer(window)
    timer.timeout.connect(lambda: None)
    timer.start(500)


def smoke_test(argv: Sequence[str]) -> int:
    """The real window on a temporary encrypted database; 0 when everything opened."""
    from audit_tool import cases, records
    from audit_tool.checklists.loader import bundled

    folder = Path(tempfile.mkdtemp(prefix="audit-smoke-"))
    window_state.FOLDER = folder
    try:
        app = application(argv)
        session = Session(folder / "smoke.db")
        session.create("smoke " + secrets.token_urlsafe(24), "Smoke test")
        case = cases.add_case(session.db, "SMOKE-0001", "Smoke test area (fictional)")
        audit_id = records.new_audit(session.db, case.id, bundled()[0])
        window = MainWindow(session, Settings(folder / "settings.json"))
        window.show()
        window.controller.open_audit(audit_id)
        window.controller.findings_for_audit()
        end = time.monotonic() + 1.0
        while time.monotonic() < end:
            app.processEvents()
            time.sleep(0.01)
        window.close()
        ok = not session.is_open
        print("smoke test: ok" if ok else "smoke test: the database did not close", file=sys.stderr)
        return 0 if ok else 1
    except Exception as exc:  # one line, no traceback: this is a packaging check
        print(f"smoke test failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    finally:
        window_state.FOLDER = None
        shutil.rmtree(folder, ignore_errors=True)
