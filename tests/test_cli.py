"""The command line through a real subprocess: exit codes, one-line errors, documented JSON."""

from __future__ import annotations

import hashlib
import json
import os
import re
import uuid
from pathlib import Path

import pytest
import sqlcipher3

PASSPHRASE = "fictional tartan kettle harbour"
NEW_PASSPHRASE = "another fictional passphrase here"
MINI = Path(__file__).resolve().parent / "fixtures" / "mini.toml"
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
ST = "safe-together-case-file-audit"


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def ok(result) -> str:
    assert result.returncode == 0, result
    assert "Traceback" not in result.stderr
    return result.stdout


def fails(result, code: int) -> str:
    """A failure: the given exit code and a one-line message on stderr, no traceback."""
    assert result.returncode == code, result
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result
    return lines[0]


@pytest.fixture(scope="module")
def shared(tmp_path_factory, cli):
    """An initialised database with one case, shared by the read-mostly tests here."""
    db = tmp_path_factory.mktemp("cli") / "audits.db"
    out = ok(cli("--db", db, "init"))
    assert "Created an encrypted audit database" in out
    case_id = ok(
        cli(
            "--db",
            db,
            "case",
            "add",
            "--ref",
            "FICTIONAL-CLI-0001",
            "--area",
            "Glenmorven (fictional)",
            "--agency",
            "Justice Social Work (fictional)",
        )
    ).strip()
    assert UUID.match(case_id)
    return db, case_id


def _new_audit(cli, db: Path, case_id: str, checklist: str = ST, *extra: str) -> str:
    audit_id = ok(
        cli("--db", db, "audit", "new", "--case", case_id, "--checklist", checklist, *extra)
    ).strip()
    assert UUID.match(audit_id), audit_id
    return audit_id


def _answer_all_required(cli, db: Path, audit_id: str) -> None:
    # an answer can show further items, so read the audit again until none is left
    while True:
        shown = json.loads(ok(cli("--db", db, "audit", "show", audit_id, "--json")))
        todo = [
            item
            for theme in shown["themes"]
            for item in theme["items"]
            if item["required"] and item["visible"] and item["rating"] is None
        ]
        if not todo:
            return
        for item in todo:
            ok(
                cli(
                    "--db",
                    db,
                    "audit",
                    "answer",
                    audit_id,
                    item["id"],
                    "--rating",
                    item["levels"][0]["value"],
                )
            )


# -- setting up ---------------------------------------------------------------------------------


def test_init_refuses_an_existing_file(shared, cli):
    db, _ = shared
    before = _sha(db)
    msg = fails(cli("--db", db, "init"), 1)
    assert "already exists" in msg
    assert _sha(db) == before


def test_init_refuses_a_weak_passphrase(tmp_path, cli):
    msg = fails(cli("--db", tmp_path / "weak.db", "init", passphrase="short one"), 1)
    assert "15 characters" in msg
    assert not (tmp_path / "weak.db").exists()


def test_checklists_lists_the_bundled_ones(cli):
    data = json.loads(ok(cli("checklists", "--json")))
    by_id = {c["id"]: c for c in data}
    assert {ST, "gendered-drug-alcohol-death-review", "thematic-perpetrators-as-parents"} <= set(
        by_id
    )
    for c in data:
        assert set(c) >= {"id", "version", "title", "items", "origin", "sha256"}
        assert c["origin"] == "bundled" and c["items"] > 0
    assert by_id[ST]["items"] >= 30
    text = ok(cli("checklists"))
    assert ST in text and "items" in text


def test_checklist_validate(tmp_path, cli):
    out = ok(cli("checklist", "validate", MINI))
    assert "valid" in out and "mini-test" in out and "5 items" in out
    bad = tmp_path / "bad-checklist.toml"
    bad.write_text(
        MINI.read_text("utf-8").replace(
            'scale = "evidence"\ntags = ["component-1"]',
            'scale = "evidnce"\ntags = ["component-1"]',
        ),
        "utf-8",
    )
    msg = fails(cli("checklist", "validate", bad), 1)
    assert str(bad) in msg and "line 54" in msg and "themes[0].items[1].scale" in msg
    garbage = tmp_path / "garbage.toml"
    garbage.write_bytes(os.urandom(300))
    assert str(garbage) in fails(cli("checklist", "validate", garbage), 1)
    assert "file not found" in fails(cli("checklist", "validate", tmp_path / "none.toml"), 1)


def test_demo_creates_and_fills(tmp_path, cli):
    db = tmp_path / "demo.db"
    out = ok(cli("--db", db, "demo", "--audits", "50", "--seed", "1"))
    assert "Added 50 fictional demo audits (seed 1)" in out
    rows = json.loads(ok(cli("--db", db, "audit", "list", "--json")))
    assert len(rows) == 50
    assert all("(demo)" in r["area"] for r in rows)
    fails(cli("--db", db, "demo", "--audits", "0"), 1)


# -- cases and audits ------------------------------------------------------------------------------


def test_case_add_prints_an_id_and_lists(shared, cli):
    db, case_id = shared
    cases = json.loads(ok(cli("--db", db, "case", "list", "--json")))
    assert case_id in {c["id"] for c in cases}
    assert {c["reference"] for c in cases} >= {"FICTIONAL-CLI-0001"}


def test_audit_show_json_has_the_documented_shape(shared, cli):
    db, case_id = shared
    audit_id = _new_audit(cli, db, case_id, ST, "--phase", "post_training")
    assert ok(
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
            "Fictional evidence: the pattern is described.",
        )
    ).startswith("Saved pr-01")
    data = json.loads(ok(cli("--db", db, "audit", "show", audit_id, "--json")))
    assert data["id"] == audit_id
    assert data["status"] == "draft"
    assert data["type"] == "case_file_audit"
    assert data["phase"] == "post_training"
    assert {"id", "version", "title"} <= set(data["checklist"])
    assert data["checklist"]["id"] == ST and data["checklist"]["version"] == "3.1"
    assert data["checklist"]["title"] == "Safe & Together case file audit"
    assert {"id", "reference", "area", "agency"} <= set(data["case"])
    assert data["case"]["id"] == case_id
    assert data["case"]["reference"] == "FICTIONAL-CLI-0001"
    assert data["case"]["area"] == "Glenmorven (fictional)"
    assert data["case"]["agency"] == "Justice Social Work (fictional)"
    assert isinstance(data["themes"], list) and len(data["themes"]) == 9
    items = {}
    for theme in data["themes"]:
        assert {"id", "title", "items"} <= set(theme) and theme["items"]
        for item in theme["items"]:
            assert {"id", "text", "scale", "levels", "required", "rating", "note"} <= set(item)
            assert isinstance(item["required"], bool)
            assert all(set(lv) >= {"value", "label"} for lv in item["levels"])
            items[item["id"]] = item
    assert len(items) == 40  # Checklists 3.0 (issue 19): 48 items merged to 40
    assert items["pr-01"]["rating"] == "5" and items["pr-01"]["scale"] == "quality"
    assert items["pr-01"]["note"] == "Fictional evidence: the pattern is described."
    assert items["pr-01"]["levels"][0] == {"value": "6", "label": "Excellent", "anchor": ""}
    assert items["pr-03"]["rating"] is None and items["pr-03"]["note"] == ""
    text = ok(cli("--db", db, "audit", "show", audit_id))
    assert "FICTIONAL-CLI-0001" in text and "Very good" in text


def test_audit_list_json(shared, cli):
    db, case_id = shared
    audit_id = _new_audit(
        cli, db, case_id, "thematic-perpetrators-as-parents", "--phase", "follow_up"
    )
    rows = json.loads(ok(cli("--db", db, "audit", "list", "--json")))
    assert rows, "no audits listed"
    for r in rows:
        assert {"id", "status", "checklist", "phase", "area", "updated"} <= set(r)
    mine = next(r for r in rows if r["id"] == audit_id)
    assert (mine["status"], mine["checklist"], mine["phase"], mine["area"]) == (
        "draft",
        "thematic-perpetrators-as-parents",
        "follow_up",
        "Glenmorven (fictional)",
    )
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", mine["updated"])
    filtered = json.loads(
        ok(
            cli(
                "--db",
                db,
                "audit",
                "list",
                "--json",
                "--phase",
                "follow_up",
                "--checklist",
                "thematic-perpetrators-as-parents",
            )
        )
    )
    assert audit_id in {r["id"] for r in filtered}
    assert {(r["phase"], r["checklist"]) for r in filtered} == {
        ("follow_up", "thematic-perpetrators-as-parents")
    }
    none = json.loads(
        ok(cli("--db", db, "audit", "list", "--json", "--area", "Nowhere (fictional)"))
    )
    assert none == []


def test_answer_errors(shared, cli):
    db, case_id = shared
    audit_id = _new_audit(cli, db, case_id)
    assert "not a level" in fails(
        cli("--db", db, "audit", "answer", audit_id, "pr-01", "--rating", "9"), 1
    )
    assert "zz-99" in fails(
        cli("--db", db, "audit", "answer", audit_id, "zz-99", "--rating", "4"), 1
    )
    assert "No audit" in fails(
        cli("--db", db, "audit", "answer", str(uuid.uuid4()), "pr-01", "--rating", "4"), 1
    )
    fails(cli("--db", db, "audit", "answer", audit_id, "pr-01"), 2)  # neither --rating nor --note
    fails(cli("--db", db, "audit", "new", "--case", case_id, "--checklist", "no-such-checklist"), 1)
    data = json.loads(ok(cli("--db", db, "audit", "show", audit_id, "--json")))
    assert all(i["rating"] is None for t in data["themes"] for i in t["items"])


def test_answer_reports_conditions(shared, cli):
    db, case_id = shared
    audit_id = _new_audit(cli, db, case_id)
    out = ok(cli("--db", db, "audit", "answer", audit_id, "en-01", "--rating", "yes"))
    assert "now shown: en-02, pl-08, pl-09" in out
    out = ok(cli("--db", db, "audit", "answer", audit_id, "en-01", "--rating", "No"))
    assert "now hidden:" in out and "en-02" in out
    items = {
        i["id"]: i
        for t in json.loads(ok(cli("--db", db, "audit", "show", audit_id, "--json")))["themes"]
        for i in t["items"]
    }
    assert items["en-01"]["rating"] == "no" and items["en-02"]["visible"] is False


def test_finalise_then_read_only_then_amend(shared, cli):
    db, case_id = shared
    audit_id = _new_audit(cli, db, case_id, "thematic-perpetrators-as-parents")
    msg = fails(cli("--db", db, "audit", "finalise", audit_id), 1)
    assert "required item(s) have no rating" in msg
    _answer_all_required(cli, db, audit_id)
    assert "read-only" in ok(cli("--db", db, "audit", "finalise", audit_id))
    msg = fails(cli("--db", db, "audit", "answer", audit_id, "pp-16", "--rating", "no"), 1)
    assert "finalised" in msg and "read-only" in msg
    assert (
        json.loads(ok(cli("--db", db, "audit", "show", audit_id, "--json")))["status"]
        == "finalised"
    )
    fails(cli("--db", db, "audit", "amend", audit_id), 2)  # --reason is required
    ok(cli("--db", db, "audit", "amend", audit_id, "--reason", "Fictional second look."))
    ok(cli("--db", db, "audit", "answer", audit_id, "pp-16", "--rating", "no"))
    history = json.loads(ok(cli("--db", db, "audit", "history", audit_id, "--json")))
    actions = [h["action"] for h in history]
    assert actions[0] == "created" and "finalised" in actions and "amended" in actions
    assert history[-1] == history[-1] | {"action": "rating", "field": "pp-16", "new": "no"}


def test_check(shared, cli):
    db, _ = shared
    out = ok(cli("--db", db, "check"))
    from audit_tool.store.schema import SCHEMA_VERSION

    assert out.startswith("OK") and f"schema version {SCHEMA_VERSION} " in out


def test_check_reports_a_tampered_file(tmp_path, cli):
    db = tmp_path / "tampered.db"
    ok(cli("--db", db, "demo", "--audits", "40", "--seed", "3"))
    data = bytearray(db.read_bytes())
    middle = (len(data) // 4096 // 2) * 4096 + 2048
    data[middle : middle + 8] = bytes(b ^ 0x5A for b in data[middle : middle + 8])
    db.write_bytes(bytes(data))
    result = cli("--db", db, "check")
    assert result.returncode in (1, 3), result
    assert "Traceback" not in result.stderr
    assert "damaged" in result.stderr.lower() or "integrity" in result.stderr.lower()


def test_findings_json(shared, cli):
    db, case_id = shared
    audit_id = _new_audit(cli, db, case_id, "thematic-perpetrators-as-parents")
    ok(cli("--db", db, "audit", "answer", audit_id, "pp-16", "--rating", "yes"))  # shows pp-02
    ok(cli("--db", db, "audit", "answer", audit_id, "pp-02", "--rating", "6"))
    data = json.loads(
        ok(
            cli(
                "--db",
                db,
                "findings",
                "--json",
                "--checklist",
                "thematic-perpetrators-as-parents",
                "--status",
                "draft",
            )
        )
    )
    assert {"audits", "cases", "filter", "by_theme", "by_tag", "change"} <= set(data)
    assert data["audits"] >= 1
    themes = {t["id"]: t for t in data["by_theme"]}
    assert themes["identify-engage"]["rated"] >= 1 and themes["identify-engage"]["meets"] >= 1


# -- passphrases and bad files ------------------------------------------------------------------------


def test_passphrase_change(tmp_path, cli):
    db = tmp_path / "rekey.db"
    ok(cli("--db", db, "init"))
    case_id = ok(
        cli("--db", db, "case", "add", "--ref", "FICTIONAL-RK", "--area", "Inverbrack (fictional)")
    )
    fails(cli("--db", db, "passphrase", "change"), 1)  # no new passphrase given: nothing changes
    ok(cli("--db", db, "check"))
    fails(
        cli("--db", db, "passphrase", "change", env={"AUDIT_TOOL_PASSPHRASE_NEW": "too short"}), 1
    )
    out = ok(
        cli("--db", db, "passphrase", "change", env={"AUDIT_TOOL_PASSPHRASE_NEW": NEW_PASSPHRASE})
    )
    assert "Passphrase changed" in out
    msg = fails(cli("--db", db, "case", "list"), 3)
    assert "passphrase" in msg.lower()
    listed = ok(cli("--db", db, "case", "list", passphrase=NEW_PASSPHRASE))
    assert case_id.strip() in listed


WRONG_COMMANDS = [
    ("case", "add", "--ref", "FICTIONAL-X", "--area", "X (fictional)"),
    ("case", "list"),
    ("audit", "new", "--case", "00000000-0000-0000-0000-000000000000", "--checklist", ST),
    ("audit", "list", "--json"),
    ("audit", "show", "00000000-0000-0000-0000-000000000000", "--json"),
    ("audit", "answer", "00000000-0000-0000-0000-000000000000", "pr-01", "--rating", "4"),
    ("audit", "finalise", "00000000-0000-0000-0000-000000000000"),
    ("audit", "history", "00000000-0000-0000-0000-000000000000"),
    ("findings",),
    ("export", "report", "--format", "pdf", "--out", "{tmp}/report.pdf", "--recipient", "X"),
    ("check",),
    ("passphrase", "change"),
    ("demo", "--audits", "1"),
]


@pytest.fixture(scope="module")
def locked_db(tmp_path_factory, cli):
    db = tmp_path_factory.mktemp("locked") / "audits.db"
    ok(cli("--db", db, "init"))
    ok(
        cli(
            "--db",
            db,
            "case",
            "add",
            "--ref",
            "FICTIONAL-LOCK",
            "--area",
            "Port Ceanna (fictional)",
        )
    )
    return db


@pytest.mark.parametrize("command", WRONG_COMMANDS, ids=lambda c: " ".join(c[:2]))
def test_wrong_passphrase_is_exit_3_for_every_command(locked_db, cli, tmp_path, command):
    before = _sha(locked_db)
    args = [a.replace("{tmp}", str(tmp_path)) for a in command]
    msg = fails(
        cli(
            "--db",
            locked_db,
            *args,
            passphrase="not the passphrase at all",
            env={"AUDIT_TOOL_PASSPHRASE_NEW": NEW_PASSPHRASE},
        ),
        3,
    )
    assert "Wrong passphrase" in msg
    assert _sha(locked_db) == before
    assert not Path(f"{locked_db}-wal").exists() or Path(f"{locked_db}-wal").stat().st_size == 0
    assert list(tmp_path.iterdir()) == []  # no export written


def test_garbage_file_is_exit_3(tmp_path, cli):
    db = tmp_path / "garbage.db"
    db.write_bytes(os.urandom(4096 * 3))
    before = _sha(db)
    for args in (("audit", "list"), ("check",)):
        fails(cli("--db", db, *args), 3)
    assert _sha(db) == before


def test_empty_and_missing_files(tmp_path, cli):
    empty = tmp_path / "empty.db"
    empty.write_bytes(b"")
    assert "empty file" in fails(cli("--db", empty, "audit", "list"), 3)
    assert empty.stat().st_size == 0
    assert "audit-tool init" in fails(cli("--db", tmp_path / "missing.db", "audit", "list"), 3)
    assert not (tmp_path / "missing.db").exists()


def test_newer_schema_is_exit_1(tmp_path, cli):
    db = tmp_path / "newer.db"
    ok(cli("--db", db, "init"))
    conn = sqlcipher3.connect(str(db))
    conn.execute(f"PRAGMA key = '{PASSPHRASE}'")
    conn.execute("PRAGMA user_version = 99")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    before = _sha(db)
    msg = fails(cli("--db", db, "audit", "list"), 1)
    assert "newer version" in msg
    assert _sha(db) == before


@pytest.mark.parametrize(
    "args",
    [
        ("case", "add", "--area", "X"),
        ("audit", "new", "--case", "x"),
        ("audit", "answer"),
        ("audit", "show"),
        ("demo",),
        ("audit", "list", "--phase", "someday"),
        ("no-such-command",),
        ("checklist",),
        ("export", "audit", "x", "--format", "odt", "--out", "x.odt"),
    ],
    ids=" ".join,
)
def test_wrong_usage_is_exit_2(cli, tmp_path, args):
    result = cli("--db", tmp_path / "unused.db", *args)
    assert result.returncode == 2, result
    assert "Traceback" not in result.stderr
    assert result.stderr.strip()
    assert not (tmp_path / "unused.db").exists()


def test_no_passphrase_and_no_terminal(shared, cli, tmp_path):
    db, _ = shared
    msg = fails(cli("--db", db, "audit", "list", passphrase=None), 1)
    assert "AUDIT_TOOL_PASSPHRASE" in msg and "No passphrase" in msg
    msg = fails(cli("--db", tmp_path / "new.db", "init", passphrase=None), 1)
    assert "AUDIT_TOOL_PASSPHRASE" in msg
    assert not (tmp_path / "new.db").exists()


def test_default_database_comes_from_the_environment(tmp_path, cli):
    db = tmp_path / "from-env.db"
    ok(cli("init", env={"AUDIT_TOOL_DB": str(db)}))
    assert db.exists()
    assert ok(cli("audit", "list", "--json", env={"AUDIT_TOOL_DB": str(db)})).strip() == "[]"


def test_passphrase_never_on_the_command_line(cli):
    for args in (("--help",), ("init", "--help"), ("passphrase", "change", "--help")):
        assert "--passphrase" not in ok(cli(*args))
    result = cli("init", "--passphrase", "x" * 20)
    assert result.returncode == 2  # no such option


# -- selftest --------------------------------------------------------------------------------------------


def test_selftest(cli):
    result = cli("selftest", passphrase=None)
    assert "Traceback" not in result.stderr
    assert result.returncode == 0, result
    assert "selftest passed" in result.stdout
    assert "FAIL" not in result.stdout


def test_no_command_opens_the_window_through_the_launcher(tmp_path):
    from audit_tool.cli import main

    seen: list[list[str]] = []
    rc = main(["--db", str(tmp_path / "x.db")], open_gui=lambda argv: seen.append(argv) or 7)
    assert rc == 7 and seen[0][1:] == ["--db", str(tmp_path / "x.db")]


def test_no_command_without_a_window_is_a_usage_error(cli):
    result = cli()
    assert result.returncode == 2 and "give a command" in result.stderr
