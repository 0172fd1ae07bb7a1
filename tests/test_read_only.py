"""Reading from read-only media and on a full disk (issue 17 items 10 and 11).

Real mounts, as root: a read-only bind mount of a folder or of the database file itself
(chmod does not stop root), and a tiny tmpfs filled to the last byte. Skipped, with the
reason, where the environment cannot mount.

All data is synthetic and clearly fictional.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from audit_tool import audits
from audit_tool.errors import StorageProblem
from audit_tool.store import Database
from tests.cli_helpers import with_review

PASSPHRASE = "fictional tartan kettle harbour"


def _mount(*args: str) -> None:
    r = subprocess.run(["mount", *args], capture_output=True, text=True)
    if r.returncode:
        pytest.skip(f"cannot mount here ({r.stderr.strip() or r.returncode}): needs root and mount")


def _umount(path: Path) -> None:
    subprocess.run(["umount", "-l", str(path)], capture_output=True)


@pytest.fixture
def filled(tmp_path, mini) -> tuple[Path, str]:
    """A folder with a database of two cases and a finalised audit; its path and the audit id."""
    folder = tmp_path / "data"
    folder.mkdir()
    path = folder / "audits.db"
    with Database.create(path, PASSPHRASE) as db:
        case = audits.add_case(db, "FICT-RO-0001", "Glenmorven (fictional)")
        audit_id = audits.new_audit(db, case.id, mini)
        for item, rating in (("p1", "5"), ("p2", "no"), ("q1", "4")):
            audits.answer(db, audit_id, item, rating, note="fictional read-only note")
        audits.finalise(db, audit_id)
    return path, audit_id


@pytest.fixture
def read_only_folder(filled, tmp_path):
    path, audit_id = filled
    view = tmp_path / "media"
    view.mkdir()
    _mount("--bind", str(path.parent), str(view))
    try:
        _mount("-o", "remount,ro,bind", str(view))
        yield view / path.name, audit_id
    finally:
        _umount(view)


@pytest.fixture
def read_only_file(filled):
    path, audit_id = filled
    _mount("--bind", str(path), str(path))
    try:
        _mount("-o", "remount,ro,bind", str(path))
        yield path, audit_id
    finally:
        _umount(path)


@pytest.fixture
def full_disk(filled, tmp_path):
    path, audit_id = filled
    disk = tmp_path / "full"
    disk.mkdir()
    _mount("-t", "tmpfs", "-o", "size=2m", "tmpfs", str(disk))
    try:
        shutil.copyfile(path, disk / path.name)
        with contextlib.suppress(OSError), open(disk / "filler", "wb") as f:
            while True:
                f.write(b"\0" * 4096)
                f.flush()
        assert os.statvfs(disk).f_bavail == 0
        yield disk / path.name, audit_id
    finally:
        _umount(disk)


def _names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


@pytest.mark.parametrize("where", ["read_only_folder", "read_only_file", "full_disk"])
def test_reading_works_and_says_read_only_once(request, where, cli):
    path, audit_id = request.getfixturevalue(where)
    before = _names(path.parent)
    r = cli("--db", path, "check")
    assert r.returncode == 0, r
    assert "cannot be saved" not in r.stdout + r.stderr
    assert r.stderr.startswith("audit-tool: Opened read-only (") and len(r.stderr.splitlines()) == 1, r
    r = cli("--db", path, "audit", "list", "--json")
    assert r.returncode == 0, r
    assert [a["id"] for a in json.loads(r.stdout)] == [audit_id]
    r = cli("--db", path, "audit", "show", audit_id)
    assert r.returncode == 0 and "fictional read-only note" in r.stdout, r
    # a change is refused in one line, and nothing was created beside the file
    r = cli("--db", path, "case", "add", "--ref", "FICT-RO-0002", "--area", "Glenmorven (fictional)")
    assert r.returncode == 1 and "read-only" in r.stderr.splitlines()[-1], r
    assert _names(path.parent) == before  # no -wal, no -shm


def test_the_core_says_why_it_is_read_only(read_only_folder):
    path, audit_id = read_only_folder
    with Database.open(path, PASSPHRASE) as db:
        assert db.read_only and "read-only disk" in db.read_only
        assert audits.get_audit(db, audit_id).status == "finalised"
        with pytest.raises(StorageProblem, match="read-only"):
            audits.add_case(db, "FICT-RO-0003", "Glenmorven (fictional)")
    with Database.open(path.parent.parent / "data" / path.name, PASSPHRASE) as db:
        assert db.read_only is None  # the same file where it can be written


def test_a_wal_from_another_database_is_named(tmp_path, mini):
    """Issue 17 item 11: an intact file with a stranger's -wal beside it is not 'damaged'."""
    ours, other = tmp_path / "ours.db", tmp_path / "other.db"
    for path in (ours, other):
        Database.create(path, PASSPHRASE).close()
    db2 = Database.open(other, PASSPHRASE)
    db2.conn.execute("PRAGMA wal_autocheckpoint = 0")
    audits.add_case(db2, "FICT-WAL-0001", "Kilbrannan (fictional)")
    shutil.copyfile(f"{other}-wal", f"{ours}-wal")  # copied while the other one was open
    db2.close()
    before = Path(ours).read_bytes(), Path(f"{ours}-wal").read_bytes()
    with pytest.raises(StorageProblem) as exc:
        Database.open(ours, PASSPHRASE)
    text = str(exc.value)
    assert f"{ours}-wal" in text and "another database" in text and "intact" in text, text
    assert "restore" not in text.lower()
    assert (Path(ours).read_bytes(), Path(f"{ours}-wal").read_bytes()) == before


@pytest.fixture
def full_folder(tmp_path):
    disk = tmp_path / "full-out"
    disk.mkdir()
    _mount("-t", "tmpfs", "-o", "size=256k", "tmpfs", str(disk))
    try:
        with contextlib.suppress(OSError), open(disk / "filler", "wb") as f:
            while True:
                f.write(b"\0" * 4096)
                f.flush()
        yield disk
    finally:
        _umount(disk)


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_dataset_export_onto_a_full_disk_is_one_line(tmp_path, mini, cli, full_folder, fmt):
    """Issue 17 item 11: was "unexpected error: SerialisationError: IO_ENOSPC" for XLSX."""
    path = tmp_path / "six.db"
    with Database.create(path, PASSPHRASE) as db:
        for i in range(6):
            case = audits.add_case(db, f"FICT-FULL-{i:03d}", "Glenmorven (fictional)")
            audit_id = audits.new_audit(db, case.id, mini)
            for item, rating in (("p1", "5"), ("p2", "no"), ("q1", "4")):
                audits.answer(db, audit_id, item, rating, note="fictional note " * 400)
            audits.finalise(db, audit_id)
    out = full_folder / f"d.{fmt}"
    r = with_review(cli, "--db", path, "export", "dataset", "--format", fmt, "--out", out,
                     "--include-free-text", "--recipient", "Analyst (fictional)")
    assert r.returncode == 1, r
    assert r.stderr.splitlines() == [
        f"audit-tool: There is not enough space on the disk to save {out if fmt == 'xlsx' else full_folder / 'd_answers.csv'}. "
        "Free some space or choose another folder, then export again."
    ], r
    assert _names(full_folder) == ["filler"]

