"""Crash safety, nothing readable at rest or in temp folders, a core that needs no Qt."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import tempfile
import textwrap
import time
import uuid
from pathlib import Path

import pytest

from audit_tool import audits
from audit_tool.findings import findings
from audit_tool.selection import list_audits
from audit_tool.store import Database

ROOT = Path(__file__).resolve().parent.parent
PASSPHRASE = "fictional tartan kettle harbour"


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AUDIT_TOOL_")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env.update(extra)
    return env


# -- crash safety ---------------------------------------------------------------------------------

WRITER = textwrap.dedent(
    """
    import os, sys
    from audit_tool import audits
    from audit_tool.store import Database

    db = Database.open(sys.argv[1], os.environ["AUDIT_TOOL_PASSPHRASE"])
    audit_id = sys.argv[2]
    plan = [("p1", "quality"), ("p2", "evidence"), ("q1", "quality"), ("q2", "evidence")]
    values = {"quality": ["6", "5", "4", "3", "2", "1"], "evidence": ["yes", "partly", "no", "na"]}
    i = 0
    while True:
        item, scale = plan[i % len(plan)]
        rating = values[scale][(i // len(plan)) % len(values[scale])]  # changes on every visit
        note = f"ack-{i:06d} fictional evidence"
        audits.answer(db, audit_id, item, rating, note)
        sys.stdout.write(f"{i}\\t{item}\\t{rating}\\t{note}\\n")
        sys.stdout.flush()
        i += 1
    """
)


@pytest.mark.parametrize("wanted", [17, 60, 133])
def test_killed_writer_loses_nothing_acknowledged(tmp_path, mini, wanted):
    path = tmp_path / "crash.db"
    with Database.create(path, PASSPHRASE) as db:
        case = audits.add_case(db, "FICTIONAL-CRASH-1", "Strathallan Vale (fictional)")
        audit_id = audits.new_audit(db, case.id, mini)
    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(path), audit_id],
        cwd=ROOT,
        env=_env(AUDIT_TOOL_PASSPHRASE=PASSPHRASE),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    acks: list[tuple[int, str, str, str]] = []
    deadline = time.monotonic() + 60
    try:
        while len(acks) < wanted and time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            i, item, rating, note = line.rstrip("\n").split("\t")
            acks.append((int(i), item, rating, note))
    finally:
        proc.kill()  # SIGKILL: no clean-up, no checkpoint, possibly mid-transaction
        _, err = proc.communicate(timeout=30)
    assert len(acks) == wanted, f"writer stopped early: {err}"
    assert proc.returncode != 0

    with Database.open(path, PASSPHRASE) as db:
        assert db.integrity_problems() == []
        audit = audits.get_audit(db, audit_id)
        history = audits.history(db, audit_id)
        for item in ("p1", "p2", "q1", "q2"):
            acked = [(rating, note) for _, it, rating, note in acks if it == item]
            ratings = [h.new for h in history if h.action == "rating" and h.field == item]
            notes = [h.new for h in history if h.action == "note" and h.field == item]
            # every acknowledged change is in the history, in order (one more may follow)
            assert ratings[: len(acked)] == [r for r, _ in acked], item
            assert notes[: len(acked)] == [n for _, n in acked], item
            assert len(notes) - len(acked) in (0, 1)
        # each item holds its last acknowledged answer, or one written after it
        last = {}
        for i, item, rating, note in acks:
            last[item] = (i, rating, note)
        for item, (i, rating, note) in last.items():
            saved = audit.answers[item]
            saved_i = int(saved.note.split()[0].removeprefix("ack-"))
            assert saved_i >= i, f"{item}: saved {saved.note!r} is older than acknowledged {note!r}"
            if saved_i == i:
                assert saved.rating == rating


# -- nothing readable at rest ----------------------------------------------------------------------


def _contains(path: Path, needles: list[bytes]) -> bool:
    try:
        data = path.read_bytes()
    except (FileNotFoundError, IsADirectoryError, PermissionError):
        return False
    return any(n in data for n in needles)


def _tree(folder: Path) -> set[Path]:
    out = set()
    for dirpath, _, files in os.walk(folder):
        out.update(Path(dirpath) / f for f in files)
    return out


def test_canary_never_appears_in_plaintext(tmp_path, monkeypatch, mini):
    system_tmp = Path(tempfile.gettempdir())
    system_before = {p.name for p in system_tmp.iterdir()}
    private_tmp = tmp_path / "tmp"
    private_tmp.mkdir()
    monkeypatch.setenv("TMPDIR", str(private_tmp))
    monkeypatch.setenv("SQLITE_TMPDIR", str(private_tmp))
    monkeypatch.setattr(tempfile, "tempdir", str(private_tmp))
    assert tempfile.gettempdir() == str(private_tmp)

    canary = f"CANARY-{uuid.uuid4().hex}"
    needles = [canary.encode("utf-8"), canary.encode("utf-16-le"), canary.encode("utf-16-be")]
    folder = tmp_path / "data"
    path = folder / "canary.db"
    files = [Path(f"{path}{s}") for s in ("", "-wal", "-shm")]

    db = Database.create(path, PASSPHRASE)
    case = audits.add_case(db, canary, "Eilean Dorcha (fictional)", agency="Fictional agency")
    audit_id = audits.new_audit(db, case.id, mini)
    audits.answer(db, audit_id, "p1", "4", f"Evidence {canary} in the note")
    # a second change: the old note now lives on in the history table too
    audits.answer(db, audit_id, "p1", "5", f"Changed evidence {canary}")
    audits.set_summary(db, audit_id, "summary", f"Summary {canary}")
    assert findings(db).audits == 1
    assert list_audits(db)[0].reference == canary
    # while open: the database and its write-ahead log hold only ciphertext
    assert any(f.exists() for f in files[1:]), "expected WAL files while open"
    for f in files:
        assert not _contains(f, needles), f"canary in {f.name} while open"
    db.close()
    for f in files:
        assert not _contains(f, needles), f"canary in {f.name} after close"
    for f in _tree(folder) | _tree(private_tmp):
        assert not _contains(f, needles), f"canary in {f}"
    new_system = [system_tmp / n for n in {p.name for p in system_tmp.iterdir()} - system_before]
    for entry in new_system:
        for f in _tree(entry) if entry.is_dir() else {entry}:
            assert not _contains(f, needles), f"canary in {f}"
    # and it is really there, encrypted
    with Database.open(path, PASSPHRASE) as again:
        assert audits.get_audit(again, audit_id).summary == f"Summary {canary}"


# -- the core needs no Qt -----------------------------------------------------------------------------

IMPORT_ALL = textwrap.dedent(
    """
    import importlib, pkgutil, sys

    class Block:
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in ("PySide6", "shiboken6"):
                raise ImportError(f"{name} is blocked: the core must not need Qt")
            return None

    sys.meta_path.insert(0, Block())
    import audit_tool

    def fail(name):
        raise SystemExit(f"could not import {name}")

    names = []
    for info in pkgutil.walk_packages(audit_tool.__path__, "audit_tool.", onerror=fail):
        importlib.import_module(info.name)
        names.append(info.name)
    qt = [m for m in sys.modules if m.split(".")[0] in ("PySide6", "shiboken6")]
    assert not qt, qt
    print("\\n".join(names))
    """
)


def test_core_imports_without_qt():
    proc = subprocess.run(
        [sys.executable, "-c", IMPORT_ALL],
        cwd=ROOT,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    imported = set(proc.stdout.split())
    expected = {
        "audit_tool." + str(p.relative_to(ROOT / "audit_tool").with_suffix("")).replace(os.sep, ".")
        for p in (ROOT / "audit_tool").rglob("*.py")
        if p.name != "__init__.py"
    }
    assert expected <= imported, expected - imported
    assert {
        "audit_tool.store.connection",
        "audit_tool.cli",
        "audit_tool.findings.aggregate",
    } <= imported


NETWORK_MODULES = {
    "socket",
    "ssl",
    "http",
    "urllib",
    "requests",
    "httpx",
    "aiohttp",
    "ftplib",
    "smtplib",
    "xmlrpc",
    "websocket",
    "websockets",
    "telnetlib",
    "asyncio",
}


@pytest.mark.parametrize("package", ["audit_tool"])
def test_core_source_imports_no_network_library(package):
    offenders = []
    for path in (ROOT / package).rglob("*.py"):
        tree = ast.parse(path.read_text("utf-8"), str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            offenders += [
                f"{path.relative_to(ROOT)}: {n}"
                for n in names
                if n.split(".")[0] in NETWORK_MODULES
            ]
            offenders += [
                f"{path.relative_to(ROOT)}: {n}"
                for n in names
                if n.split(".")[0] in ("PySide6", "shiboken6")
            ]
    assert offenders == []
