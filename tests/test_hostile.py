"""Hostile or unlucky input (issue 12): a full disk, a read-only target, a checklist id
that a bundled one already uses, bytes that are not text, terminal escape sequences, a
byte-order mark and a typo in a checklist key. Each gets one clear line, nothing lost.

All data is synthetic and clearly fictional.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from audit_tool.checklists.loader import load_file, parse
from audit_tool.errors import ChecklistError

ROOT = Path(__file__).resolve().parent.parent
MINI = Path(__file__).resolve().parent / "fixtures" / "mini.toml"
ST = "safe-together-case-file-audit"
ST_FILE = ROOT / "checklists" / "safe_together_case_file_audit.toml"


FOR = ("--recipient", "Case holder (fictional)")  # one audit's report is a release too


def ok(result) -> str:
    assert result.returncode == 0, result
    assert "Traceback" not in result.stderr
    return result.stdout


def one_line_failure(result, code: int = 1) -> str:
    assert result.returncode == code, result
    assert "Traceback" not in result.stderr + result.stdout
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result  # exactly one line: no blank lines, no "Exception ignored"
    return lines[0]


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def audit_db(tmp_path_factory, cli):
    """A database with one case and one audit with an answered item."""
    db = tmp_path_factory.mktemp("hostile") / "audits.db"
    ok(cli("--db", db, "init"))
    case_id = ok(
        cli(
            "--db",
            db,
            "case",
            "add",
            "--ref",
            "FICTIONAL-HOST-0001",
            "--area",
            "Glenmorven (fictional)",
        )
    ).strip()
    audit_id = ok(cli("--db", db, "audit", "new", "--case", case_id, "--checklist", ST)).strip()
    ok(
        cli(
            "--db",
            db,
            "audit",
            "answer",
            audit_id,
            "pr-01",
            "--rating",
            "5",
            "--note",
            "Fictional.",
        )
    )
    return db, case_id, audit_id


# -- item 5: a full disk --------------------------------------------------------------------------


@contextlib.contextmanager
def _tiny_disk(folder: Path):
    """A real 8 KiB tmpfs at `folder` (needs root and a kernel that lets us mount)."""
    folder.mkdir()
    if os.name != "posix" or os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("mounting a tiny tmpfs needs root on Linux")
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=8k", "tmpfs", str(folder)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode(errors='replace').strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", str(folder)], check=False)


@pytest.mark.parametrize("fmt", ["docx", "pdf"])
def test_full_disk_is_one_line_and_leaves_nothing(audit_db, cli, tmp_path, fmt):
    db, _, audit_id = audit_db
    with _tiny_disk(tmp_path / "full") as full:
        out = full / f"audit.{fmt}"
        result = cli("--db", db, "export", "audit", audit_id, "--format", fmt, "--out", out, *FOR)
        msg = one_line_failure(result)
        assert msg.startswith("audit-tool: There is not enough space on the disk to save")
        assert list(full.iterdir()) == []  # no partial or temporary file


def test_a_half_written_zip_is_quiet_after_the_error(tmp_path, monkeypatch):
    """Without mounting: a writer that fails (as on a full disk) with its zip archive open.
    The archive finishing itself later must neither print a traceback nor write anything."""
    import errno
    import gc
    import zipfile

    from audit_tool.errors import ExportProblem
    from audit_tool.reports import write_atomic

    unraisable = []
    monkeypatch.setattr(sys, "unraisablehook", unraisable.append)
    target = tmp_path / "report.docx"

    def write(f) -> None:
        archive = zipfile.ZipFile(f, "w")
        archive.writestr("word/document.xml", "x" * 5000)
        raise OSError(errno.ENOSPC, "No space left on device")

    try:
        write_atomic(target, write)
    except ExportProblem as exc:
        assert "not enough space" in str(exc)
    else:
        pytest.fail("no ExportProblem")
    gc.collect()  # the archive, freed with the traceback, tries to finish itself now
    assert [u.exc_value for u in unraisable] == []
    assert list(tmp_path.iterdir()) == []


# -- item 6: a read-only target ---------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["docx", "pdf"])
def test_export_refuses_to_replace_a_read_only_file(audit_db, cli, tmp_path, fmt):
    db, _, audit_id = audit_db
    target = tmp_path / f"signed-off.{fmt}"
    target.write_bytes(b"the reviewer's signed-off copy (fictional)")
    target.chmod(0o444)
    before = _sha(target)
    msg = one_line_failure(
        cli("--db", db, "export", "audit", audit_id, "--format", fmt, "--out", target, *FOR)
    )
    assert msg == f"audit-tool: {target} is read-only; choose another name or make it writable."
    assert _sha(target) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [target.name]


def test_export_still_replaces_a_writable_file(audit_db, cli, tmp_path):
    db, _, audit_id = audit_db
    target = tmp_path / "draft.pdf"
    target.write_bytes(b"old")
    target.chmod(0o640)
    ok(cli("--db", db, "export", "audit", audit_id, "--format", "pdf", "--out", target, *FOR))
    assert target.read_bytes().startswith(b"%PDF")
    assert target.stat().st_mode & 0o777 == 0o640


# -- item 7: a local checklist that would be ignored -------------------------------------------


def test_validate_refuses_an_id_a_bundled_checklist_uses(tmp_path, cli):
    local = tmp_path / "our-version.toml"
    local.write_text(
        ST_FILE.read_text("utf-8").replace(
            'title = "Safe & Together case file audit"', 'title = "Our local variant"', 1
        ),
        "utf-8",
    )
    assert "Our local variant" in local.read_text("utf-8")
    msg = one_line_failure(cli("checklist", "validate", local))
    assert msg == (
        f"audit-tool: {local}: id '{ST}' is already used by the bundled checklist "
        "'Safe & Together case file audit'; a local checklist with the same id is ignored. "
        "Choose another id."
    )


def test_validate_accepts_a_bundled_file_itself(cli):
    assert "valid" in ok(cli("checklist", "validate", ST_FILE))


# -- item 8: arguments that are not valid text -----------------------------------------------------


def _run_bytes(child_environment, *args: bytes) -> subprocess.CompletedProcess:
    env = child_environment(AUDIT_TOOL_PASSPHRASE="fictional tartan kettle harbour")
    return subprocess.run(
        [sys.executable.encode(), b"-m", b"audit_tool.cli", *args],
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
    )


@pytest.mark.skipif(sys.platform != "linux", reason="arguments are bytes only on Linux")
@pytest.mark.parametrize(
    ("option", "bad"),
    [(b"--note", b"\xff\xfe"), (b"--note", b"ok \xed\xa0\x80 lone surrogate")],
)
def test_note_that_is_not_text_is_one_clear_line(audit_db, child_environment, option, bad):
    db, _, audit_id = audit_db
    before = _sha(db)
    proc = _run_bytes(
        child_environment,
        b"--db",
        bytes(db),
        b"audit",
        b"answer",
        audit_id.encode(),
        b"pr-03",
        option,
        bad,
    )
    assert proc.returncode == 1, proc
    assert proc.stderr.decode("utf-8").splitlines() == [
        "audit-tool: --note contains characters that are not valid text (invalid UTF-8)."
    ]
    assert _sha(db) == before


@pytest.mark.skipif(sys.platform != "linux", reason="arguments are bytes only on Linux")
def test_positional_that_is_not_text_is_one_clear_line(audit_db, child_environment):
    db, _, _ = audit_db
    proc = _run_bytes(child_environment, b"--db", bytes(db), b"audit", b"show", b"\xff")
    assert proc.returncode == 1, proc
    assert proc.stderr.decode("utf-8").splitlines() == [
        "audit-tool: audit_id contains characters that are not valid text (invalid UTF-8)."
    ]


def test_lone_surrogate_through_main_is_one_clear_line(tmp_path, capsys):
    from audit_tool.cli import main

    assert (
        main(["--db", str(tmp_path / "x.db"), "case", "add", "--ref", "A\ud800", "--area", "x"])
        == 1
    )
    err = capsys.readouterr().err
    assert err == "audit-tool: --ref contains characters that are not valid text (invalid UTF-8).\n"


# -- item 10: terminal escape sequences are shown, not obeyed -------------------------------------


def test_escape_sequences_are_printed_escaped(tmp_path, cli):
    db = tmp_path / "esc.db"
    ok(cli("--db", db, "init"))
    ref = "FICT-\x1b]0;title\x07-0002"
    case_id = ok(
        cli("--db", db, "case", "add", "--ref", ref, "--area", "Area \x9b2J (fictional)")
    ).strip()
    ok(cli("--db", db, "reviewer", "--name", "Reviewer \x1b[2J (fictional)"))
    audit_id = ok(cli("--db", db, "audit", "new", "--case", case_id, "--checklist", ST)).strip()
    note = "Seen \x1b[31mRED\x1b[0m\r\nsecond line\tend"
    ok(cli("--db", db, "audit", "answer", audit_id, "pr-01", "--rating", "5", "--note", note))

    for args in (
        ("case", "list"),
        ("audit", "show", audit_id),
        ("audit", "list"),
        ("findings", "--area", "Area \x9b2J (fictional)"),
        ("reviewer",),
    ):
        text = ok(cli("--db", db, *args))
        assert not any(ch in text for ch in "\x1b\x07\x9b\r"), (args, text)
    listed = ok(cli("--db", db, "case", "list"))
    assert r"FICT-\x1b]0;title\x07-0002" in listed and r"Area \x9b2J" in listed
    shown = ok(cli("--db", db, "audit", "show", audit_id))
    assert r"Seen \x1b[31mRED\x1b[0m\x0d" in shown
    assert "\n            second line\tend" in shown  # newline and tab kept; the note indented
    # JSON keeps the exact text (json escapes it)
    data = json.loads(ok(cli("--db", db, "audit", "show", audit_id, "--json")))
    assert data["case"]["reference"] == ref
    assert next(i for t in data["themes"] for i in t["items"] if i["id"] == "pr-01")["note"] == note


# -- item 11: byte-order mark and a typo in a key ----------------------------------------------------


def test_checklist_with_a_byte_order_mark_is_accepted(tmp_path, cli):
    path = tmp_path / "saved-by-notepad.toml"
    path.write_bytes(b"\xef\xbb\xbf" + MINI.read_bytes())
    loaded = load_file(path)
    assert loaded.id == "mini-test" and not loaded.source.startswith("\ufeff")
    assert loaded.sha256 == load_file(MINI).sha256  # the same checklist as without the mark
    assert "valid" in ok(cli("checklist", "validate", path))


def test_a_typo_in_a_key_is_named_first_with_a_suggestion(tmp_path, cli):
    src = MINI.read_text("utf-8")
    bad = src.replace(
        'guidance = "The record describes a pattern, not one incident."',
        'guidence = "The record describes a pattern, not one incident."',
    )
    assert bad != src
    with pytest.raises(ChecklistError) as exc:
        parse(bad, "local.toml")
    line = next(n for n, text in enumerate(bad.splitlines(), 1) if text.startswith("guidence"))
    assert str(exc.value).startswith(
        f"local.toml: line {line}: themes[0].items[0]: unknown key 'guidence' "
        "(did you mean 'guidance'?)"
    ), str(exc.value)
    path = tmp_path / "typo.toml"
    path.write_text(bad, "utf-8")
    assert "unknown key 'guidence' (did you mean 'guidance'?)" in one_line_failure(
        cli("checklist", "validate", path)
    )


def test_an_unknown_key_with_nothing_close_gets_no_suggestion():
    bad = MINI.read_text("utf-8").replace("purpose = ", 'zzzz = "x"\npurpose = ')
    with pytest.raises(ChecklistError) as exc:
        parse(bad, "local.toml")
    assert "unknown key 'zzzz'" in str(exc.value) and "did you mean" not in str(exc.value)


@pytest.mark.parametrize("digits", [5000, 100_000])
def test_a_huge_integer_in_a_checklist_is_one_line(tmp_path, cli, digits):
    """Issue 17 item 11: Python refuses to read integers over 4,300 digits (ValueError)."""
    text = MINI.read_text(encoding="utf-8").replace("version = ", f"max_items = {'9' * digits}\nversion = ", 1)
    bad = tmp_path / "huge.toml"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(ChecklistError) as exc:
        load_file(bad)
    assert "number" in str(exc.value) and "\n" not in str(exc.value) and len(str(exc.value)) < 300
    line = one_line_failure(cli("checklist", "validate", bad))
    assert line.startswith("audit-tool: ") and "too long" in line and len(line) < 300
