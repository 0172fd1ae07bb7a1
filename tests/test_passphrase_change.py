"""Changing the passphrase: atomic (a kill at any moment leaves exactly one passphrase that
opens the file, with every answer), refused while another connection is open or the file
is read-only, and a refused file is never written. Real files and real processes."""

from __future__ import annotations

import contextlib
import hashlib
import os
import random
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
import sqlcipher3

from audit_tool import audits
from audit_tool.errors import DamagedDatabase, StorageProblem, WrongPassphrase
from audit_tool.store import Database
from audit_tool.store.connection import IN_USE, PAGE_SIZE, rekey_temp

ROOT = Path(__file__).resolve().parent.parent


def child_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AUDIT_TOOL_")}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env.update(extra)
    return env


OLD = "fictional tartan kettle harbour"
NEW = "a brand new fictional passphrase"
ITEMS = {"p1": "5", "p2": "partly", "q1": "2", "q2": "no"}  # mini.toml: quality, evidence, ...


def _state(path: Path) -> dict[str, tuple[int, str] | None]:
    """(size, sha256) of the file and its -wal/-shm companions; None when absent."""
    out: dict[str, tuple[int, str] | None] = {}
    for suffix in ("", "-wal", "-shm"):
        p = Path(f"{path}{suffix}")
        out[suffix] = (
            (p.stat().st_size, hashlib.sha256(p.read_bytes()).hexdigest()) if p.exists() else None
        )
    return out


def _filled(path: Path, mini) -> str:
    """A small database with one audit whose four answers are known; returns its id."""
    with Database.create(path, OLD) as db:
        case = audits.add_case(db, "FICTIONAL-PW-1", "Glen Ardmuir (fictional)")
        audit_id = audits.new_audit(db, case.id, mini)
        for item, rating in ITEMS.items():
            audits.answer(db, audit_id, item, rating, f"note for {item} (fictional)")
    return audit_id


def _answers(db: Database, audit_id: str) -> dict[str, tuple[str, str]]:
    audit = audits.get_audit(db, audit_id)
    return {k: (a.rating, a.note) for k, a in audit.answers.items()}


EXPECTED = {item: (rating, f"note for {item} (fictional)") for item, rating in ITEMS.items()}


def _which_opens(path: Path, audit_id: str) -> list[str]:
    """The passphrases (by name) that open the file; each opening one must hold every answer."""
    opened = []
    for name, phrase in (("old", OLD), ("new", NEW)):
        try:
            db = Database.open(path, phrase)
        except WrongPassphrase:
            continue
        with db:
            assert _answers(db, audit_id) == EXPECTED
            assert db.integrity_problems() == []
        opened.append(name)
    return opened


def _cli(path: Path, *args: str, **env: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "audit_tool.cli", "--db", str(path), *args],
        cwd=ROOT,
        env=child_env(
            AUDIT_TOOL_PASSPHRASE=OLD,
            XDG_DATA_HOME=str(path.parent / "xdg-data"),
            XDG_CONFIG_HOME=str(path.parent / "xdg-config"),
            **env,
        ),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _change(path: Path) -> subprocess.Popen:
    return _cli(path, "passphrase", "change", AUDIT_TOOL_PASSPHRASE_NEW=NEW)


# -- the change itself -------------------------------------------------------------------------------


def test_change_keeps_every_answer_and_the_open_database_works_on(tmp_path, mini):
    path = tmp_path / "audits.db"
    audit_id = _filled(path, mini)
    with Database.open(path, OLD) as db:
        db.change_passphrase(NEW)
        audits.answer(db, audit_id, "p1", "6", "after the change (fictional)")  # still usable
    with pytest.raises(WrongPassphrase):
        Database.open(path, OLD)
    with Database.open(path, NEW) as db:
        assert _answers(db, audit_id)["p1"] == ("6", "after the change (fictional)")
        assert db.integrity_problems() == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["audits.db"]  # no copy left behind
    if os.name == "posix":
        assert path.stat().st_mode & 0o777 == 0o600  # as private as the file it replaced


def test_a_leftover_copy_goes_only_when_the_file_opens(tmp_path, mini):
    path = tmp_path / "audits.db"
    audit_id = _filled(path, mini)
    leftover = rekey_temp(path)
    leftover.write_bytes(os.urandom(3 * PAGE_SIZE))  # a change killed before its rename
    Path(f"{leftover}-journal").write_bytes(b"\0" * 512)
    before = _state(path)
    with pytest.raises(WrongPassphrase):
        Database.open(path, NEW)
    assert leftover.exists() and _state(path) == before  # refused: nothing touched
    with Database.open(path, OLD) as db:
        assert _answers(db, audit_id) == EXPECTED
    assert sorted(p.name for p in tmp_path.iterdir()) == ["audits.db"]


# -- issue 12 #3: another connection open ----------------------------------------------------------

HOLDER = textwrap.dedent(
    """
    import os, sys
    from audit_tool import audits
    from audit_tool.store import Database

    db = Database.open(sys.argv[1], os.environ["AUDIT_TOOL_PASSPHRASE"])
    audits.get_audit(db, sys.argv[2])
    print("open", flush=True)
    sys.stdin.readline()  # the test changes the passphrase meanwhile
    audits.answer(db, sys.argv[2], "p1", "1", "saved after the refused change (fictional)")
    db.close()
    print("saved", flush=True)
    """
)


def test_change_is_refused_while_another_process_has_the_file_open(tmp_path, mini):
    path = tmp_path / "audits.db"
    audit_id = _filled(path, mini)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(path), audit_id],
        cwd=ROOT,
        env=child_env(AUDIT_TOOL_PASSPHRASE=OLD),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "open", holder.stderr.read()
        change = _change(path)
        out, err = change.communicate(timeout=60)
        assert change.returncode == 1, (out, err)
        assert err.strip().splitlines() == [f"audit-tool: {IN_USE}"]
        out, err = holder.communicate("\n", timeout=60)  # the other program's next save works
        assert out.split() == ["saved"], err
    finally:
        if holder.poll() is None:
            holder.kill()
    with Database.open(path, OLD) as db:
        assert _answers(db, audit_id)["p1"] == ("1", "saved after the refused change (fictional)")
    with pytest.raises(WrongPassphrase):
        Database.open(path, NEW)


def test_refused_change_leaves_both_connections_working_on_the_old_key(tmp_path, mini):
    path = tmp_path / "audits.db"
    audit_id = _filled(path, mini)
    with Database.open(path, OLD) as mine, Database.open(path, OLD, verify=False) as other:
        with pytest.raises(StorageProblem) as exc:
            mine.change_passphrase(NEW)
        assert str(exc.value) == IN_USE
        audits.answer(mine, audit_id, "q1", "3", "mine (fictional)")
        audits.answer(other, audit_id, "q2", "yes", "other (fictional)")
        assert _answers(other, audit_id)["q1"] == ("3", "mine (fictional)")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["audits.db"]
    with Database.open(path, OLD) as db:
        assert _answers(db, audit_id)["q2"] == ("yes", "other (fictional)")


def test_a_change_failing_half_way_leaves_the_old_passphrase_and_wal_mode(tmp_path, mini):
    path = tmp_path / "audits.db"
    audit_id = _filled(path, mini)
    rekey_temp(path).mkdir()  # where the new copy would go: it cannot be written
    with Database.open(path, OLD) as db:
        with pytest.raises(StorageProblem) as exc:
            db.change_passphrase(NEW)
        assert "the old one still works" in str(exc.value)
        assert db.query_one("PRAGMA journal_mode")[0] == "wal"
        audits.answer(db, audit_id, "p1", "2", "after the failed change (fictional)")
        with Database.open(path, OLD, verify=False) as other:  # the lock was let go
            audits.answer(other, audit_id, "q1", "6", "other (fictional)")
    with Database.open(path, OLD) as db:
        assert _answers(db, audit_id)["p1"] == ("2", "after the failed change (fictional)")
        assert _answers(db, audit_id)["q1"] == ("6", "other (fictional)")
    with pytest.raises(WrongPassphrase):
        Database.open(path, NEW)


# -- issue 12 #4: a read-only file -------------------------------------------------------------------


@contextlib.contextmanager
def _read_only(target: Path):
    """Make a file or folder really read-only, also for root (who ignores permissions):
    the immutable attribute when running as root, chmod otherwise."""
    if os.name == "nt":
        pytest.skip("no chattr or chmod 0o555 folders on Windows")
    if os.geteuid() == 0:
        chattr = shutil.which("chattr")
        if (
            not chattr
            or subprocess.run([chattr, "+i", str(target)], capture_output=True).returncode
        ):
            pytest.skip("root ignores permissions and chattr +i is not available here")
        try:
            yield
        finally:
            subprocess.run([chattr, "-i", str(target)], check=True)
    else:
        mode = target.stat().st_mode
        target.chmod(0o555 if target.is_dir() else 0o444)
        try:
            yield
        finally:
            target.chmod(mode)


@pytest.mark.parametrize("what", ["file", "folder"])
def test_change_on_a_read_only_file_or_folder_is_one_clear_line(tmp_path, mini, what):
    folder = tmp_path / "ro"
    folder.mkdir()
    path = folder / "audits.db"
    audit_id = _filled(path, mini)
    before = _state(path)
    with _read_only(path if what == "file" else folder):
        change = _change(path)
        out, err = change.communicate(timeout=60)
    assert change.returncode == 1, (out, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "read-only" in lines[0] and "not changed" in lines[0], err
    assert "unexpected" not in err and "Error" not in err
    assert _state(path) == before
    assert _which_opens(path, audit_id) == ["old"]


# -- issue 12 #2: a refused file is never written -------------------------------------------------------


def _tampered_with_pending_wal(tmp_path: Path, mini, with_shm: bool) -> Path:
    """A copy of a database as a crash left it (pages waiting in the WAL), then one page of
    the main file altered: what a tampered file looks like when it is opened."""
    path = tmp_path / "src.db"
    _filled(path, mini)
    with Database.open(path, OLD) as db:  # more pages, all in the main file
        for i in range(40):
            audits.add_case(db, f"FICTIONAL-PAD-{i:03d}", "Kinloch Ruadh (fictional) " * 7)
    writer = sqlcipher3.connect(str(path), isolation_level=None)
    writer.execute(f"PRAGMA key = '{OLD}'")
    writer.execute("PRAGMA wal_autocheckpoint = 0")
    writer.execute("CREATE TABLE pending (x)")
    writer.execute("INSERT INTO pending VALUES ('waiting in the WAL (fictional)')")
    copy = tmp_path / "copy.db"
    data = bytearray(path.read_bytes())
    Path(f"{copy}-wal").write_bytes(Path(f"{path}-wal").read_bytes())
    if with_shm:
        Path(f"{copy}-shm").write_bytes(Path(f"{path}-shm").read_bytes())
    writer.close()
    assert Path(f"{copy}-wal").stat().st_size > 0
    offset = (len(data) // PAGE_SIZE - 2) * PAGE_SIZE + PAGE_SIZE // 2  # a page the WAL lacks
    for i in range(8):
        data[offset + i] ^= 0x5A
    copy.write_bytes(bytes(data))
    return copy


@pytest.mark.parametrize("with_shm", [False, True], ids=["wal", "wal+shm"])
def test_a_tampered_file_with_a_pending_wal_is_refused_and_left_unchanged(tmp_path, mini, with_shm):
    copy = _tampered_with_pending_wal(tmp_path, mini, with_shm)
    before = _state(copy)
    names = sorted(p.name for p in tmp_path.iterdir())
    with pytest.raises(DamagedDatabase) as exc:
        Database.open(copy, OLD)
    assert "left as it is" in str(exc.value)
    assert _state(copy) == before  # no checkpoint: same size and bytes, WAL still there
    assert sorted(p.name for p in tmp_path.iterdir()) == names


def test_wrong_passphrase_with_a_pending_wal_leaves_everything(tmp_path, mini):
    copy = _tampered_with_pending_wal(tmp_path, mini, with_shm=True)
    before = _state(copy)
    with pytest.raises(WrongPassphrase):
        Database.open(copy, NEW)
    assert _state(copy) == before


# -- issue 12 #9: closing never waits for another reader -------------------------------------------------


def _timed_answer(path: Path, audit_id: str, rating: str) -> float:
    start = time.monotonic()
    proc = _cli(path, "audit", "answer", audit_id, "p1", "--rating", rating)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    return time.monotonic() - start


def test_a_cli_write_does_not_wait_for_another_programs_long_read(tmp_path, mini):
    path = tmp_path / "audits.db"
    audit_id = _filled(path, mini)
    alone = _timed_answer(path, audit_id, "4")
    reader = Database.open(path, OLD)
    try:
        reader.conn.execute("BEGIN")  # a long report being read in another program
        reader.conn.execute("SELECT count(*) FROM answers").fetchone()
        beside = _timed_answer(path, audit_id, "3")
        reader.conn.execute("COMMIT")
    finally:
        reader.close()
    # The busy timeout is 5 s: a close that waited on a checkpoint would take alone + 5 s.
    assert beside < alone + 2.5, f"{beside:.2f} s beside a reader, {alone:.2f} s alone"
    with Database.open(path, OLD) as db:
        assert _answers(db, audit_id)["p1"][0] == "3"


STOPPER = textwrap.dedent(
    """
    import os, sys
    from audit_tool.store import Database, connection

    def stop_after(real):
        def step(*args, **kwargs):
            result = real(*args, **kwargs)
            os._exit(9)  # as abrupt as SIGKILL: no clean-up, no close
        return step

    name = sys.argv[2]
    if name == "replace":
        connection.os = type(os)("os_stand_in")
        connection.os.__dict__.update(os.__dict__, replace=stop_after(os.replace))
    else:
        setattr(connection, name, stop_after(getattr(connection, name)))
    db = Database.open(sys.argv[1], os.environ["AUDIT_TOOL_PASSPHRASE"])
    db.change_passphrase(os.environ["AUDIT_TOOL_PASSPHRASE_NEW"])
    """
)


@pytest.mark.parametrize(
    "step, opens",
    [
        ("_take_sole_lock", "old"),
        ("_export", "old"),  # the complete copy written and synced, not yet renamed
        ("_drop_spent_journal", "old"),
        ("replace", "new"),  # renamed: the old connection never closed
        ("_fsync_folder", "new"),
    ],
)
def test_a_change_stopped_right_after_each_step(tmp_path, mini, step, opens):
    path = tmp_path / "audits.db"
    audit_id = _filled(path, mini)
    proc = subprocess.run(
        [sys.executable, "-c", STOPPER, str(path), step],
        cwd=ROOT,
        env=child_env(AUDIT_TOOL_PASSPHRASE=OLD, AUDIT_TOOL_PASSPHRASE_NEW=NEW),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 9, proc.stderr
    assert _which_opens(path, audit_id) == [opens]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["audits.db"]  # nothing left over


# -- issue 12 #1: killed at any moment --------------------------------------------------------------------

KILLS = int(os.environ.get("AUDIT_TOOL_TEST_KILLS", "16"))  # 2-4 s each; 50 for a long run


def _snapshot(folder: Path) -> dict[str, tuple[int, int, int]]:
    out = {}
    for entry in os.scandir(folder):
        with contextlib.suppress(FileNotFoundError):
            st = entry.stat()
            out[entry.name] = (st.st_size, st.st_mtime_ns, st.st_ino)
    return out


def _change_killed_after(path: Path, nth: int, extra: float) -> int:
    """Run a change and SIGKILL it `extra` seconds after the nth change seen on disk in its
    folder (a file appearing, growing, renamed, removed); return the changes seen. The disk
    changes are the change's last steps (the first second is start-up and key derivation),
    so this lands kills on them, at moments that differ from run to run."""
    proc = _change(path)
    last, seen = _snapshot(path.parent), 0
    while proc.poll() is None:
        now = _snapshot(path.parent)
        if now != last:
            last, seen = now, seen + 1
            if seen == nth:
                time.sleep(extra)
                proc.kill()  # SIGKILL: no clean-up of any kind
                break
        time.sleep(0.0002)
    proc.communicate(timeout=60)
    return seen


def test_a_change_killed_at_any_moment_leaves_exactly_one_passphrase(tmp_path, mini, capsys):
    template = tmp_path / "template.db"
    audit_id = _filled(template, mini)
    timing = tmp_path / "timing"
    timing.mkdir()
    shutil.copy(template, timing / "audits.db")
    changes = _change_killed_after(timing / "audits.db", 0, 0)  # not killed: count the steps
    assert _which_opens(timing / "audits.db", audit_id) == ["new"]
    rng = random.Random(12)
    ended = {"old": 0, "new": 0}
    for n in range(KILLS):
        run = tmp_path / f"kill-{n:02d}"
        run.mkdir()
        path = run / "audits.db"
        shutil.copy(template, path)
        # half the kills on the last few disk changes (copy done, rename, reopen), half
        # anywhere; mostly right after a change, sometimes well into the quiet that follows
        # (key derivation takes about half a second)
        first = max(1, changes - 6) if n % 2 else 1
        nth = rng.randint(first, changes + 1)
        extra = rng.uniform(0, 0.003) if rng.random() < 0.7 else rng.uniform(0, 0.6)
        _change_killed_after(path, nth, extra)
        opened = _which_opens(path, audit_id)  # a "damaged" refusal fails the test here
        assert len(opened) == 1, f"kill {n} after disk change {nth}: {opened} open the file"
        ended[opened[0]] += 1
        assert sorted(p.name for p in run.iterdir() if "rekey" in p.name) == []  # resolved on open
        shutil.rmtree(run)
    with capsys.disabled():
        print(
            f"\n{KILLS} kills over {changes} disk changes: {ended['old']} ended old, {ended['new']} ended new"
        )
    assert ended["old"] and ended["new"]  # the kills did land on both sides of the rename
