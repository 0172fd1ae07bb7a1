"""The Windows-only paths, run here by simulating the operating system (issue 23 item 5).

Windows refuses to rename a file over one that is open (a sharing violation, raised by
Python as PermissionError). The simulation gives the module under test an `os` that says
it is Windows ("nt") and whose replace() refuses, exactly as Windows does, when the target
is open in this process (seen in /proc/self/fd) or when a test says another program holds
it. Everything else is the real os, real files, a real SQCipher database: only the
operating system's rule is simulated, not our storage."""

from __future__ import annotations

import errno
import os
import types
from pathlib import Path

import pytest

from audit_tool import fileio
from audit_tool.errors import AuditToolError, ExportProblem, WrongPassphrase
from audit_tool.store import Database, connection
from tests.conftest import PASSPHRASE

NEW = "another fictional passphrase, long enough"
pytestmark = pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc (Linux)")


def _open_here(target: Path) -> bool:
    """Whether this process has `target` open (what makes Windows refuse the rename)."""
    want = os.path.realpath(target)
    for fd in os.listdir("/proc/self/fd"):
        try:
            if os.readlink(f"/proc/self/fd/{fd}") == want:
                return True
        except OSError:
            continue
    return False


class WindowsOs(types.SimpleNamespace):
    """The os module as a Windows machine behaves for replace(); everything else real."""

    def __init__(self, name: str = "nt", held_by_other_program: bool = False) -> None:
        super().__init__(name=name)
        self.held = held_by_other_program
        self.replace_calls = 0

    def __getattr__(self, attr: str):
        return getattr(os, attr)

    def replace(self, src, dst) -> None:
        self.replace_calls += 1
        if self.held or (Path(dst).exists() and _open_here(Path(dst))):
            raise PermissionError(errno.EACCES, "Permission denied", str(dst))
        os.replace(src, dst)


# -- "file open in Word": fileio's replace retry and its one-line message ----------------------


def test_export_over_a_file_open_in_word_says_so_in_one_line(tmp_path, monkeypatch):
    target = tmp_path / "Report 2026.docx"
    target.write_bytes(b"the version open in Word")
    fake = WindowsOs(held_by_other_program=True)
    monkeypatch.setattr(fileio, "os", fake)
    monkeypatch.setattr(fileio, "_WINDOWS", True)
    monkeypatch.setattr(fileio.time, "sleep", lambda s: None)
    with pytest.raises(ExportProblem) as caught:
        fileio.write_atomic(target, lambda f: f.write(b"new report"))
    message = str(caught.value)
    assert message == (
        "Report 2026.docx is open in another program (Word?). Close it and export again."
    )
    assert "\n" not in message
    assert fake.replace_calls == fileio._REPLACE_TRIES  # tried again (a scanner lets go)
    assert target.read_bytes() == b"the version open in Word"
    assert [p.name for p in tmp_path.iterdir()] == [target.name]  # no .part left behind


def test_a_briefly_held_file_is_written_on_a_later_try(tmp_path, monkeypatch):
    target = tmp_path / "report.pdf"
    target.write_bytes(b"old")
    fake = WindowsOs(held_by_other_program=True)
    real_replace = WindowsOs.replace

    def let_go_after_first(self, src, dst):  # a virus scanner holds the new file briefly
        if self.replace_calls == 1:
            self.held = False
        return real_replace(self, src, dst)

    monkeypatch.setattr(WindowsOs, "replace", let_go_after_first)
    monkeypatch.setattr(fileio, "os", fake)
    monkeypatch.setattr(fileio, "_WINDOWS", True)
    monkeypatch.setattr(fileio.time, "sleep", lambda s: None)
    fileio.write_atomic(target, lambda f: f.write(b"new"))
    assert target.read_bytes() == b"new" and fake.replace_calls == 2


def test_same_error_elsewhere_is_permission_denied_not_word(tmp_path, monkeypatch):
    target = tmp_path / "report.pdf"
    monkeypatch.setattr(fileio, "os", WindowsOs(name="posix", held_by_other_program=True))
    with pytest.raises(ExportProblem, match="permission denied"):
        fileio.write_atomic(target, lambda f: f.write(b"new"))


# -- the re-key replace: a passphrase change on Windows --------------------------------------


def _make(path: Path) -> None:
    with Database.create(path, PASSPHRASE) as db, db.atomic() as c:
        c.execute("INSERT INTO meta (key, value) VALUES ('probe', 'fictional')")


def _probe(path: Path, passphrase: str) -> str:
    with Database.open(path, passphrase) as db:
        return db.query_one("SELECT value FROM meta WHERE key = 'probe'")[0]


def test_rekey_on_windows_closes_the_file_before_renaming(tmp_path, monkeypatch):
    path = tmp_path / "audits.db"
    _make(path)
    fake = WindowsOs()
    monkeypatch.setattr(connection, "os", fake)
    db = Database.open(path, PASSPHRASE)
    db.change_passphrase(NEW)  # the Windows branch: close, rename, open again
    assert fake.replace_calls == 1
    assert db.query_one("SELECT value FROM meta WHERE key = 'probe'")[0] == "fictional"
    db.close()
    monkeypatch.undo()
    assert _probe(path, NEW) == "fictional"
    with pytest.raises(WrongPassphrase):
        _probe(path, PASSPHRASE)


def test_the_simulation_has_teeth_posix_order_fails_under_windows_rules(tmp_path, monkeypatch):
    # the POSIX order (rename while the file is open) is what Windows refuses
    path = tmp_path / "audits.db"
    _make(path)
    monkeypatch.setattr(connection, "os", WindowsOs(name="posix"))
    with (
        Database.open(path, PASSPHRASE) as db,
        pytest.raises(AuditToolError, match="the old one still works"),
    ):
        db.change_passphrase(NEW)
    monkeypatch.undo()
    assert _probe(path, PASSPHRASE) == "fictional"


def test_rekey_when_another_program_holds_the_file_says_so_in_one_line(tmp_path, monkeypatch):
    path = tmp_path / "audits.db"
    _make(path)
    monkeypatch.setattr(connection, "os", WindowsOs(held_by_other_program=True))
    db = Database.open(path, PASSPHRASE)
    with pytest.raises(connection.ClosedByRekey) as caught:
        db.change_passphrase(NEW)
    message = str(caught.value)
    assert "\n" not in message
    assert "the old one still works" in message and "open it again" in message
    monkeypatch.undo()
    assert _probe(path, PASSPHRASE) == "fictional"  # nothing changed
    assert not connection.rekey_temp(path).exists()  # the new-key copy is gone
