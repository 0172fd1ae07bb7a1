"""UI tests: offscreen Qt, a real encrypted database per test, and any unexpected Qt warning
fails the test."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile

# Before Qt is imported anywhere: no display needed, and the user's folders are never touched.
os.environ["QT_QPA_PLATFORM"] = "offscreen"
_HOME = tempfile.mkdtemp(prefix="audit-ui-tests-")
atexit.register(shutil.rmtree, _HOME, True)
os.environ["XDG_CONFIG_HOME"] = os.path.join(_HOME, "config")
os.environ["XDG_DATA_HOME"] = os.path.join(_HOME, "data")
os.environ.pop("AUDIT_TOOL_DB", None)

import re  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402
from PySide6.QtCore import QtMsgType, qInstallMessageHandler  # noqa: E402

import ui  # noqa: E402,F401
from audit_tool import audits  # noqa: E402
from audit_tool.checklists.loader import LoadedChecklist, load_file  # noqa: E402
from audit_tool.settings import Settings  # noqa: E402
from audit_tool.store import Database  # noqa: E402

PASSPHRASE = "correct horse battery staple"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"

# Warnings the offscreen platform prints by design; anything else fails the test.
ALLOWED_QT_WARNINGS = [
    r"This plugin does not support propagateSizeHints\(\)",
    r"This plugin does not support raise\(\)",
    r"This plugin does not support grabbing the keyboard",
    r"QFont::setPointSizeF: Point size <= 0",
]


@pytest.fixture(autouse=True)
def fail_on_qt_warnings(request):
    extra = [m.args[0] for m in request.node.iter_markers("allow_qt_warning")]
    unexpected: list[str] = []

    def handler(mode, _context, message):
        if mode in (
            QtMsgType.QtWarningMsg,
            QtMsgType.QtCriticalMsg,
            QtMsgType.QtFatalMsg,
        ) and not any(re.search(p, message) for p in (*ALLOWED_QT_WARNINGS, *extra)):
            unexpected.append(message)

    previous = qInstallMessageHandler(handler)
    yield unexpected
    qInstallMessageHandler(previous)
    if unexpected:
        pytest.fail("Unexpected Qt warnings:\n" + "\n".join(unexpected))


@pytest.fixture(autouse=True)
def unexpected_messages(monkeypatch) -> list[str]:
    """What ui.excepthook would show for a bug, recorded instead of a modal box that would
    wait for a click. The exception itself still reaches pytest-qt, which fails the test
    unless the test captures it (qtbot.capture_exceptions)."""
    from ui.common import messages

    shown: list[str] = []
    monkeypatch.setattr(
        messages,
        "show_unexpected",
        lambda _parent, exc: shown.append(messages.unexpected_text(exc)),
    )
    return shown


def pytest_configure(config):
    config.addinivalue_line("markers", "allow_qt_warning(regex): a Qt warning this test expects")


@pytest.fixture
def mini() -> LoadedChecklist:
    return load_file(FIXTURES / "mini.toml")


@pytest.fixture
def settings(tmp_path) -> Settings:
    s = Settings(tmp_path / "settings.json")
    s.set("export_folder", str(tmp_path))
    return s


@pytest.fixture
def db_path(tmp_path) -> Path:
    return tmp_path / "audits.db"


@pytest.fixture
def session(qtbot, db_path):
    """A real encrypted database, unlocked (with its reader thread)."""
    from ui.session import Session

    s = Session(db_path)
    s.create(PASSPHRASE, "Test Reviewer", "Social worker", "Test agency")
    yield s
    if s.is_open:
        s.lock()


@pytest.fixture
def audit_id(session, mini) -> str:
    case = audits.add_case(session.db, "REF-0001", "Testshire (fictional)")
    return audits.new_audit(session.db, case.id, mini)


@pytest.fixture
def window(qtbot, session, settings):
    from ui.main_window import MainWindow

    w = MainWindow(session, settings)
    qtbot.addWidget(w)
    w.resize(1200, 800)
    w.show()
    qtbot.waitExposed(w)
    yield w
    w.close()


@pytest.fixture
def editor(qtbot, window, audit_id):
    window.activateWindow()
    qtbot.waitActive(window)
    window.controller.open_audit(audit_id)
    return window.editor


def reopen(path: Path) -> Database:
    return Database.open(path, PASSPHRASE)
