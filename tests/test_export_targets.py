"""Where an export lands (issue 17 items 6 and 7): never through a symlink, onto a device
or a FIFO, and no plaintext left beside the target by an export that was killed.

All data is synthetic and clearly fictional.
"""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from audit_tool.errors import ExportProblem
from audit_tool.fileio import write_atomic

ROOT = Path(__file__).resolve().parent.parent
SECRET = "Kestrel ledger note (fictional)"


def _one_line(exc: pytest.ExceptionInfo) -> str:
    text = str(exc.value)
    assert "\n" not in text
    return text


# -- item 7: not a regular file ----------------------------------------------------------------


def test_refuses_a_symlink_and_leaves_what_it_points_to(tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("the user's own file (fictional)")
    victim.chmod(0o600)
    link = tmp_path / "report.pdf"
    link.symlink_to(victim)
    with pytest.raises(ExportProblem) as exc:
        write_atomic(link, lambda f: f.write(SECRET.encode()))
    assert _one_line(exc) == (
        f"{link} is a symbolic link; choose a new file name (it was left as it is)."
    )
    assert link.is_symlink() and victim.read_text() == "the user's own file (fictional)"
    assert victim.stat().st_mode & 0o777 == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.pdf", "victim.txt"]


def test_refuses_a_dangling_symlink(tmp_path):
    link = tmp_path / "report.pdf"
    link.symlink_to(tmp_path / "elsewhere.pdf")
    with pytest.raises(ExportProblem, match="is a symbolic link"):
        write_atomic(link, lambda f: f.write(SECRET.encode()))
    assert not (tmp_path / "elsewhere.pdf").exists() and link.is_symlink()


def test_refuses_a_fifo_without_blocking(tmp_path):
    fifo = tmp_path / "pipe.xlsx"
    os.mkfifo(fifo)
    with pytest.raises(ExportProblem) as exc:
        write_atomic(fifo, lambda f: f.write(SECRET.encode()))
    assert _one_line(exc) == f"{fifo} is not a regular file (a pipe); choose a file name."
    assert stat.S_ISFIFO(fifo.lstat().st_mode)


@pytest.mark.skipif(os.geteuid() != 0, reason="making a device node needs root")
def test_refuses_a_device_node(tmp_path):
    dev = tmp_path / "null.docx"
    os.mknod(dev, 0o600 | stat.S_IFCHR, os.makedev(1, 3))
    with pytest.raises(ExportProblem) as exc:
        write_atomic(dev, lambda f: f.write(SECRET.encode()))
    assert _one_line(exc) == f"{dev} is not a regular file (a device); choose a file name."
    assert stat.S_ISCHR(dev.lstat().st_mode)


def test_refuses_a_path_through_a_symlinked_name_but_not_a_symlinked_folder(tmp_path):
    real = tmp_path / "real"
    real.mkdir()
    (tmp_path / "via").symlink_to(real, target_is_directory=True)
    # a folder reached through a link is fine: only the file name itself must not be a link
    written = write_atomic(tmp_path / "via" / "ok.pdf", lambda f: f.write(b"%PDF fictional"))
    assert written.name == "ok.pdf" and (real / "ok.pdf").read_bytes() == b"%PDF fictional"


def test_cli_export_onto_a_symlink_is_one_line(tmp_path, cli):
    db = tmp_path / "a.db"
    assert cli("--db", db, "init").returncode == 0
    r = cli("--db", db, "bundle", "keygen", "--out", tmp_path / "dangling.key")
    assert r.returncode == 0
    (tmp_path / "dangling").symlink_to(tmp_path / "nowhere")
    r = cli("--db", db, "bundle", "keygen", "--out", tmp_path / "dangling")
    assert r.returncode == 1 and r.stderr.strip().splitlines() == [
        f"audit-tool: {tmp_path / 'dangling'} is a symbolic link; "
        "choose a new file name (it was left as it is)."
    ], r
    assert not (tmp_path / "nowhere").exists()


# -- item 6: leftovers of a killed export -------------------------------------------------------

SLOW_WRITER = textwrap.dedent(
    """
    import sys, time
    from audit_tool.fileio import write_atomic

    def write(f):
        f.write(b"PK plaintext of a fictional export " * 1000)
        f.flush()
        print("writing", flush=True)
        time.sleep(60)

    write_atomic(sys.argv[1], write)
    """
)


def _start_slow_export(target: Path) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen(
        [sys.executable, "-c", SLOW_WRITER, str(target)], stdout=subprocess.PIPE, env=env, text=True
    )
    assert proc.stdout.readline().strip() == "writing"
    return proc


def _parts(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".part"))


def test_a_killed_export_is_cleaned_up_by_the_next_one_in_that_folder(tmp_path):
    proc = _start_slow_export(tmp_path / "killed.xlsx")
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert len(_parts(tmp_path)) == 1  # what a kill leaves
    # an old version's scratch folder of sheet XML (plaintext rows), and files that are not ours
    scratch = tmp_path / ".dataset.k3v_9zqa"
    scratch.mkdir()
    (scratch / "answers.xml").write_text(f"<row>{SECRET}</row>")
    (tmp_path / "notes.part").write_text("the user's own file")
    (tmp_path / ".hidden.txt").write_text("the user's own file")
    write_atomic(tmp_path / "other.pdf", lambda f: f.write(b"%PDF fictional"))
    assert sorted(p.name for p in tmp_path.iterdir()) == [".hidden.txt", "notes.part", "other.pdf"]


def test_an_export_still_running_elsewhere_keeps_its_temporary_file(tmp_path):
    proc = _start_slow_export(tmp_path / "running.xlsx")
    try:
        before = _parts(tmp_path)
        write_atomic(tmp_path / "other.pdf", lambda f: f.write(b"%PDF fictional"))
        assert _parts(tmp_path) == before and len(before) == 1
    finally:
        proc.kill()
        proc.wait()


def test_xlsx_export_makes_no_plaintext_folder_beside_the_target(db, mini, tmp_path):
    from audit_tool import audits
    from audit_tool.dataset import build_dataset, write_dataset
    from audit_tool.filters import AuditFilter

    for i in range(6):
        case = audits.add_case(db, f"FICT-TMP-{i:03d}", "Glenmorven (fictional)")
        audit_id = audits.new_audit(db, case.id, mini)
        audits.answer(db, audit_id, "p1", "5", f"{SECRET} {i}")
        audits.answer(db, audit_id, "p2", "no")
        audits.answer(db, audit_id, "q1", "4")
        audits.finalise(db, audit_id)
    out = tmp_path / "out"
    out.mkdir()
    seen: list[list[str]] = []
    ds = build_dataset(db, AuditFilter(), include_free_text=True)
    write_dataset(ds, "xlsx", out / "d.xlsx", lambda _f: seen.append(os.listdir(out)))
    during = {name for names in seen for name in names}
    during.discard("d.xlsx")  # the last report comes once it is in place
    assert seen and during and all(n.startswith(".d.xlsx.") and n.endswith(".part") for n in during)
    assert sorted(os.listdir(out)) == ["d.xlsx"]
