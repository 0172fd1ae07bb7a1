"""Audits passed between laptops: real encrypted databases on disk, real age files.

Every figure and state here is checked against what a second database (or the file itself,
decrypted with pyrage directly) says, never against the merge code's own report alone.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from pathlib import Path

import pyrage
import pytest

from audit_tool import audits
from audit_tool.errors import ReadOnlyAudit
from audit_tool.exchange import (
    BundleRefused,
    compare,
    conflicts,
    export_bundle,
    import_bundle,
    plan,
    read_bundle,
    resolve,
)
from audit_tool.exchange.bundle import canonical
from audit_tool.exchange.crypto import seal
from audit_tool.exchange.local_columns import LOCAL_ONLY  # worked out on each laptop
from audit_tool.store import Database

# this file's own (the ui conftest is also importable as "conftest"); passed to every cli call
PASSPHRASE = "fictional exchange kettle harbour"
REF_A = "FICT-REF-ALBA-0001"  # fictional case references
REF_B = "FICT-REF-BRAE-0002"


@pytest.fixture(scope="module")
def keys() -> tuple[str, str]:
    ident = pyrage.x25519.Identity.generate()
    return str(ident), str(ident.to_public())


def _laptop(tmp_path: Path, name: str) -> Database:
    db = Database.create(tmp_path / f"{name}.db", PASSPHRASE)
    audits.set_local_reviewer(db, f"Fictional reviewer {name}")
    return db


def _audit(db: Database, mini, ref: str, ratings: dict[str, str], finalise: bool = False) -> str:
    case = audits.add_case(db, ref, "Glenmorven (demo)")
    audit_id = audits.new_audit(db, case.id, mini)
    for item, rating in ratings.items():
        audits.answer(db, audit_id, item, rating, f"Fictional note for {item}")
    if finalise:
        audits.finalise(db, audit_id)
    return audit_id


FULL = {"p1": "5", "p2": "yes", "p3": "4", "q1": "3"}


def _send(db: Database, path: Path, public: str, **kw) -> Path:
    export_bundle(db, path, recipients=[public], **kw)
    return path


def _receive(db: Database, path: Path, secret: str):
    return import_bundle(db, read_bundle(path, identities=[secret]))


def snapshot(db: Database) -> dict:
    """Everything an import may change, independent of local row numbers."""
    q = db.query
    columns = [r[1] for r in q("PRAGMA table_info(audits)") if r[1] not in LOCAL_ONLY]
    return {
        "audits": sorted(q(f"SELECT {', '.join(columns)} FROM audits")),  # noqa: S608
        "answers": sorted(q("SELECT * FROM answers")),
        "recs": sorted(q("SELECT audit_id, pos, text, owner, due FROM recommendations")),
        "concerns": sorted(q("SELECT audit_id, raised_on, raised_to, recorded_at FROM concerns")),
        "history": sorted(q("SELECT uid, audit_id, at, who, action, field, old, new FROM history")),
        "cases": sorted(q("SELECT id, reference, pseudonym, area, agency, team FROM cases")),
        "conflicts": sorted(q("SELECT audit_id, version FROM exchange_conflicts")),
        "checklists": sorted(q("SELECT sha256 FROM checklist_defs")),
    }


def test_two_laptops_exchange_audits_both_ways(tmp_path, mini, keys):
    secret, public = keys
    a, b = _laptop(tmp_path, "a"), _laptop(tmp_path, "b")
    a1 = _audit(a, mini, REF_A, FULL, finalise=True)
    a2 = _audit(a, mini, REF_A + "-2", {"p1": "2"})
    audits.record_concern(a, a1, "2026-01-05", "Duty team (fictional)", "Fictional reviewer a")
    b1 = _audit(b, mini, REF_B, {"p1": "6", "q1": "6"})
    long_note = (
        "Cofnod ffuglennol — 東京の記録 — سجل خيالي. " * 400
    )  # non-Latin, ~18,000 characters
    audits.answer(b, b1, "p2", "partly", long_note)
    audits.set_summary(b, b1, "summary", "Ynys Môn / Baile Átha Cliath (fictional) — 証拠は部分的")

    done = _receive(b, _send(a, tmp_path / "a.age", public), secret)
    assert sorted(done.ids("new")) == sorted([a1, a2])
    done = _receive(a, _send(b, tmp_path / "b.age", public), secret)
    assert done.ids("new") == [b1]

    for audit_id in (a1, a2, b1):  # the same audit, item by item, on both laptops
        here, there = audits.get_audit(a, audit_id), audits.get_audit(b, audit_id)
        assert here.ratings == there.ratings
        assert {k: v.note for k, v in here.answers.items()} == {
            k: v.note for k, v in there.answers.items()
        }
        assert (here.status, here.case.pseudonym) == (there.status, there.case.pseudonym)
        assert [h.action for h in audits.history(a, audit_id)] == [
            h.action for h in audits.history(b, audit_id)
        ]
    assert audits.get_audit(a, b1).answers["p2"].note == long_note
    assert audits.get_audit(a, b1).summary.endswith("証拠は部分的")
    # the finalised audit arrived finalised and read-only, its concern with it
    assert audits.get_audit(b, a1).status.value == "finalised"
    with pytest.raises(ReadOnlyAudit):
        audits.answer(b, a1, "p1", "1")
    assert [(c.raised_on, c.raised_to) for c in audits.get_audit(b, a1).concerns] == [
        ("2026-01-05", "Duty team (fictional)")
    ]
    # references stayed at home
    assert audits.get_audit(b, a1).case.reference == ""
    assert audits.get_audit(a, b1).case.reference == ""
    assert audits.get_audit(a, a1).case.reference == REF_A
    assert a.integrity_problems() == [] and b.integrity_problems() == []
    a.close()
    b.close()


def test_identifiers_travel_only_when_asked(tmp_path, mini, keys):
    secret, public = keys
    a = _laptop(tmp_path, "a")
    _audit(a, mini, REF_A, FULL)
    plain = _send(a, tmp_path / "plain.age", public)
    named = _send(a, tmp_path / "named.age", public, include_identifiers=True)
    ident = pyrage.x25519.Identity.from_str(secret)
    assert REF_A.encode() not in pyrage.decrypt(plain.read_bytes(), [ident])
    assert REF_A.encode() in pyrage.decrypt(named.read_bytes(), [ident])
    for f in (plain, named):  # never in the file itself
        assert REF_A.encode() not in f.read_bytes()
        assert b"Fictional note" not in f.read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith("a.db")) == [
        "named.age",
        "plain.age",
    ]
    b = _laptop(tmp_path, "b")
    _receive(b, named, secret)
    assert [c.reference for c in audits.list_cases(b)] == [REF_A]
    a.close()
    b.close()


def test_importing_the_same_audits_again_changes_nothing(tmp_path, mini, keys):
    secret, public = keys
    a, lead = _laptop(tmp_path, "a"), _laptop(tmp_path, "lead")
    _audit(a, mini, REF_A, FULL, finalise=True)
    _audit(a, mini, REF_B, {"p1": "3"})
    _receive(lead, _send(a, tmp_path / "1.age", public), secret)
    before = snapshot(lead)
    again = _receive(lead, _send(a, tmp_path / "2.age", public), secret)  # a new file, same audits
    assert again.count("unchanged") == 2 and len(again.kinds) == 2
    assert snapshot(lead) == before
    with pytest.raises(BundleRefused, match="already imported"):
        _receive(lead, tmp_path / "1.age", secret)
    assert snapshot(lead) == before
    a.close()
    lead.close()


def test_order_of_imports_does_not_matter(tmp_path, mini, keys):
    """Three files: an audit's first and later version from one laptop, another laptop's
    audit. Every order gives the same database (every one of the 6 orders is tried)."""
    secret, public = keys
    a, c = _laptop(tmp_path, "a"), _laptop(tmp_path, "c")
    x = _audit(a, mini, REF_A, {"p1": "2"})
    first = _send(a, tmp_path / "first.age", public)
    for item, rating in FULL.items():
        audits.answer(a, x, item, rating)
    audits.finalise(a, x)
    later = _send(a, tmp_path / "later.age", public)
    _audit(c, mini, REF_B, FULL, finalise=True)
    other = _send(c, tmp_path / "other.age", public)
    a.close()
    c.close()
    results = []
    for n, order in enumerate(itertools.permutations([first, later, other])):
        lead = _laptop(tmp_path, f"lead{n}")
        for path in order:
            _receive(lead, path, secret)
        snap = snapshot(lead)
        results.append(snap)
        assert audits.get_audit(lead, x).status.value == "finalised"
        assert audits.get_audit(lead, x).ratings == FULL
        lead.close()
    assert all(r == results[0] for r in results[1:])
    assert len(results[0]["audits"]) == 2


def _edit_both_sides(tmp_path, mini, keys, finalised: bool = False):
    secret, public = keys
    a, b = _laptop(tmp_path, "a"), _laptop(tmp_path, "b")
    x = _audit(a, mini, REF_A, FULL, finalise=finalised)
    # a team's own laptops keep each other whole: with identifiers (not anonymised)
    _receive(b, _send(a, tmp_path / "common.age", public, include_identifiers=True), secret)
    if finalised:
        audits.amend(a, x, "Fictional: evidence re-read")
        audits.amend(b, x, "Fictional: second opinion")
    audits.answer(a, x, "p1", "6", "Laptop A's reading")
    audits.answer(b, x, "p1", "2", "Laptop B's reading")
    return a, b, x


def test_both_laptops_edit_the_same_audit_a_conflict_kept_both_ways(tmp_path, mini, keys):
    secret, public = keys
    a, b, x = _edit_both_sides(tmp_path, mini, keys)
    before = audits.get_audit(a, x)
    path = _send(b, tmp_path / "b.age", public, include_identifiers=True)
    assert plan(a, read_bundle(path, identities=[secret])).ids("conflict") == [x]
    done = _receive(a, path, secret)
    assert done.ids("conflict") == [x]
    # nothing overwritten: A's own version stands, B's is kept aside, the audit is flagged
    assert (
        audits.get_audit(a, x).answers["p1"].note
        == "Laptop A's reading"
        == before.answers["p1"].note
    )
    [flag] = conflicts(a)
    assert (flag.audit_id, flag.local_status, flag.received_status) == (x, "draft", "draft")
    rows = {d.label: d for d in compare(a, x)}
    p1 = next(d for label, d in rows.items() if label.startswith("p1:") and "evidence" not in label)
    assert (p1.here, p1.received, p1.differs) == ("Excellent", "Weak", True)
    assert not rows[
        "q1: " + next(i.question for _, i in mini.definition.items() if i.id == "q1")
    ].differs
    # the same file again: refused as a replay; a new file of the same version: still one flag
    _receive(a, _send(b, tmp_path / "b2.age", public, include_identifiers=True), secret)
    assert len(conflicts(a)) == 1

    resolve(a, x, take_received=False)
    assert conflicts(a) == []
    assert audits.get_audit(a, x).answers["p1"].note == "Laptop A's reading"
    assert audits.history(a, x)[-1].new == "kept this laptop's version"
    # the choice travels: B receives A's version, which now includes B's history
    done = _receive(b, _send(a, tmp_path / "a.age", public, include_identifiers=True), secret)
    assert done.ids("updated") == [x]
    assert audits.get_audit(b, x).answers["p1"].note == "Laptop A's reading"
    assert snapshot(a)["history"] == snapshot(b)["history"]
    a.close()
    b.close()


def test_taking_the_received_version_of_a_finalised_audit_amends_it_with_a_reason(
    tmp_path, mini, keys
):
    secret, public = keys
    a, b, x = _edit_both_sides(tmp_path, mini, keys, finalised=True)
    audits.finalise(a, x)
    audits.finalise(b, x)
    _receive(a, _send(b, tmp_path / "b.age", public, include_identifiers=True), secret)
    assert [c.audit_id for c in conflicts(a)] == [x]
    resolve(a, x, take_received=True)
    got = audits.get_audit(a, x)
    assert got.answers["p1"].note == "Laptop B's reading"
    assert got.status.value == "finalised"
    actions = [(h.action, h.new) for h in audits.history(a, x)]
    assert (
        "amended",
        "Took the version received from another laptop (exchange conflict).",
    ) in actions
    assert actions[-1] == ("conflict resolved", "took the received version")
    done = _receive(b, _send(a, tmp_path / "a.age", public, include_identifiers=True), secret)
    assert done.ids("updated") == [x]
    assert audits.get_audit(b, x).answers["p1"].note == "Laptop B's reading"
    assert audits.get_audit(b, x).status.value == "finalised"
    a.close()
    b.close()


def test_a_finalised_audit_fast_forwards_over_a_draft_and_an_amendment_travels(
    tmp_path, mini, keys
):
    secret, public = keys
    a, b = _laptop(tmp_path, "a"), _laptop(tmp_path, "b")
    x = _audit(a, mini, REF_A, FULL)
    _receive(b, _send(a, tmp_path / "1.age", public), secret)
    audits.finalise(a, x)
    assert _receive(b, _send(a, tmp_path / "2.age", public), secret).ids("updated") == [x]
    assert audits.get_audit(b, x).status.value == "finalised"
    audits.amend(a, x, "Fictional: a rating was mistyped")
    audits.answer(a, x, "p3", "2")
    audits.finalise(a, x)
    assert _receive(b, _send(a, tmp_path / "3.age", public), secret).ids("updated") == [x]
    got = audits.get_audit(b, x)
    assert (got.ratings["p3"], got.status.value, got.amend_reason) == (
        "2",
        "finalised",
        "Fictional: a rating was mistyped",
    )
    # and a concern raised on the finalised audit afterwards travels too
    audits.record_concern(a, x, "2026-02-01", "Fictional MASH", "Fictional reviewer a")
    assert _receive(b, _send(a, tmp_path / "4.age", public), secret).ids("updated") == [x]
    assert len(audits.get_audit(b, x).concerns) == 1
    a.close()
    b.close()


# -- refusals: one line, the database file untouched -------------------------------------------


def _file_hashes(db_path: Path) -> dict[str, str | None]:
    out = {}
    for suffix in ("", "-wal"):
        p = Path(f"{db_path}{suffix}")
        out[suffix] = hashlib.sha256(p.read_bytes()).hexdigest() if p.exists() else None
    return out


@pytest.fixture
def sender_file(tmp_path, mini, keys, cli):
    """A lead database (closed) and a good file from another laptop."""
    secret, public = keys
    a = _laptop(tmp_path, "a")
    _audit(a, mini, REF_A, FULL, finalise=True)
    good = _send(a, tmp_path / "good.age", public)
    head, _, body = pyrage.decrypt(
        good.read_bytes(), [pyrage.x25519.Identity.from_str(secret)]
    ).partition(b"\n")
    doc = {"manifest": json.loads(head), "payload": json.loads(body)}
    a.close()
    lead = tmp_path / "lead.db"
    Database.create(lead, PASSPHRASE).close()
    key = tmp_path / "lead.key"
    key.write_text(secret + "\n")
    return lead, good, key, doc


def _reseal(tmp_path: Path, doc: dict, public: str, name: str, fix_sha: bool = True) -> Path:
    if fix_sha:
        doc["manifest"]["payload_sha256"] = hashlib.sha256(canonical(doc["payload"])).hexdigest()
    path = tmp_path / name
    plain = canonical(doc["manifest"]) + b"\n" + canonical(doc["payload"])
    path.write_bytes(seal(plain, recipients=[public]))
    return path


def _refused(cli, lead: Path, path: Path, key: Path, code: int, words: str) -> None:
    before = _file_hashes(lead)
    r = cli("--db", lead, "bundle", "import", path, "--identity", key, passphrase=PASSPHRASE)
    assert r.returncode == code, r
    assert words in r.stderr, r
    assert len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr
    assert _file_hashes(lead) == before


def test_damaged_altered_and_wrong_key_files_are_refused(tmp_path, sender_file, cli):
    lead, good, key, _ = sender_file
    data = good.read_bytes()
    (tmp_path / "cut.age").write_bytes(data[: len(data) - 40])
    flipped = bytearray(data)
    flipped[-30] ^= 0x01
    (tmp_path / "tampered.age").write_bytes(bytes(flipped))
    (tmp_path / "notage.age").write_bytes(b'{"manifest": {}}')
    other = tmp_path / "other.key"
    other.write_text(str(pyrage.x25519.Identity.generate()) + "\n")
    _refused(cli, lead, tmp_path / "cut.age", key, 1, "damaged, cut short or has been altered")
    _refused(cli, lead, tmp_path / "tampered.age", key, 1, "damaged, cut short or has been altered")
    _refused(cli, lead, tmp_path / "notage.age", key, 1, "not an audit file")
    _refused(cli, lead, good, other, 3, "does not open this file")


def test_wrong_passphrase_exit_3(tmp_path, mini, cli):
    a = _laptop(tmp_path, "a")
    _audit(a, mini, REF_A, FULL)
    export_bundle(a, tmp_path / "p.age", passphrase="fictional heather lantern ferry")
    a.close()
    lead = tmp_path / "lead.db"
    Database.create(lead, PASSPHRASE).close()
    before = _file_hashes(lead)
    r = cli(
        "--db",
        lead,
        "bundle",
        "import",
        tmp_path / "p.age",
        passphrase=PASSPHRASE,
        env={"AUDIT_TOOL_BUNDLE_PASSPHRASE": "fictional heather lantern wrong"},
    )
    assert r.returncode == 3 and "does not open this file" in r.stderr, r
    assert _file_hashes(lead) == before
    r = cli(
        "--db",
        lead,
        "bundle",
        "import",
        tmp_path / "p.age",
        passphrase=PASSPHRASE,
        env={"AUDIT_TOOL_BUNDLE_PASSPHRASE": "fictional heather lantern ferry"},
    )
    assert r.returncode == 0 and "1 new" in r.stdout, r


def test_newer_replayed_and_hostile_files_are_refused(tmp_path, sender_file, keys, cli):
    _, public = keys
    lead, good, key, doc = sender_file
    newer = json.loads(json.dumps(doc))
    newer["manifest"]["version"] = 99
    _refused(
        cli,
        lead,
        _reseal(tmp_path, newer, public, "newer.age"),
        key,
        1,
        "newer version of the tool",
    )
    wrong_sum = json.loads(json.dumps(doc))
    wrong_sum["payload"]["audits"][0]["answers"][0]["note"] = "changed after sealing"
    _refused(
        cli,
        lead,
        _reseal(tmp_path, wrong_sum, public, "sum.age", fix_sha=False),
        key,
        1,
        "do not match their checksum",
    )
    types = json.loads(json.dumps(doc))
    types["payload"]["audits"][0]["answers"][0]["rating"] = {"nested": ["object"]}
    _refused(
        cli, lead, _reseal(tmp_path, types, public, "types.age"), key, 1, "is not text or a number"
    )
    huge = json.loads(json.dumps(doc))
    huge["payload"]["audits"][0]["audit"]["summary"] = "é" * 300_000
    _refused(cli, lead, _reseal(tmp_path, huge, public, "huge.age"), key, 1, "too long")
    orphan = json.loads(json.dumps(doc))
    orphan["payload"]["checklists"] = []
    _refused(
        cli,
        lead,
        _reseal(tmp_path, orphan, public, "orphan.age"),
        key,
        1,
        "checklist it does not carry",
    )
    forged = json.loads(json.dumps(doc))
    forged["payload"]["checklists"][0]["source"] += "\n# altered\n"
    _refused(
        cli,
        lead,
        _reseal(tmp_path, forged, public, "forged.age"),
        key,
        1,
        "does not match its checksum",
    )
    column = json.loads(json.dumps(doc))
    column["payload"]["audits"][0]["audit"]["invented_column"] = "x"
    _refused(cli, lead, _reseal(tmp_path, column, public, "column.age"), key, 1, "update the tool")
    clash = json.loads(json.dumps(doc))
    clash["payload"]["audits"][0]["history"].append(
        dict(clash["payload"]["audits"][0]["history"][0])
    )
    _refused(cli, lead, _reseal(tmp_path, clash, public, "clash.age"), key, 1, "share an id")
    listless = json.loads(json.dumps(doc))
    listless["payload"]["cases"] = "not a list"
    _refused(
        cli, lead, _reseal(tmp_path, listless, public, "listless.age"), key, 1, "are not a list"
    )
    # the good file goes in once, then is refused as a replay
    r = cli("--db", lead, "bundle", "import", good, "--identity", key, passphrase=PASSPHRASE)
    assert r.returncode == 0 and "1 new" in r.stdout, r
    _refused(cli, lead, good, key, 1, "already imported")


def test_cli_round_trip_keygen_export_dry_run_import(tmp_path, cli):
    a, lead = tmp_path / "a.db", tmp_path / "lead.db"
    for db in (a, lead):
        assert cli("--db", db, "init").returncode == 0
    case = cli(
        "--db", a, "case", "add", "--ref", REF_A, "--area", "Inverbrack (demo)"
    ).stdout.strip()
    audit_id = cli(
        "--db", a, "audit", "new", "--case", case, "--checklist", "safe-together-case-file-audit"
    ).stdout.strip()
    assert len(audit_id) == 36, audit_id
    r = cli("--db", lead, "bundle", "keygen", "--out", tmp_path / "lead.key")
    assert r.returncode == 0 and r.stdout.strip().splitlines()[-1].startswith("age1"), r
    (tmp_path / "recipients.txt").write_text(
        "# the lead's key\n" + r.stdout.strip().splitlines()[-1] + "\n"
    )
    assert (tmp_path / "lead.key").stat().st_mode & 0o077 == 0
    r = cli(
        "--db",
        a,
        "bundle",
        "export",
        "--out",
        tmp_path / "a.age",
        "--recipients",
        tmp_path / "recipients.txt",
        "--recipient",
        "Lead (fictional)",
    )
    assert r.returncode == 0 and "1 audits of 1 cases, without case references" in r.stdout, r
    r = cli(
        "--db",
        a,
        "bundle",
        "export",
        "--out",
        tmp_path / "none.age",
        "--area",
        "Nowhere",
        "--recipients",
        tmp_path / "recipients.txt",
        "--recipient",
        "Lead (fictional)",
    )
    assert (
        r.returncode == 1 and "No audits match" in r.stderr and not (tmp_path / "none.age").exists()
    ), r
    r = cli("--db", a, "bundle", "export", "--out", tmp_path / "p.age", "--recipient", "Lead (fictional)")
    assert r.returncode == 1 and "AUDIT_TOOL_BUNDLE_PASSPHRASE" in r.stderr, r
    before = _file_hashes(lead)
    r = cli(
        "--db",
        lead,
        "bundle",
        "import",
        tmp_path / "a.age",
        "--identity",
        tmp_path / "lead.key",
        "--dry-run",
    )
    assert r.returncode == 0 and "Audits: 1 new, 0 updated" in r.stdout and "Dry run" in r.stdout, r
    assert _file_hashes(lead) == before
    r = cli(
        "--db", lead, "bundle", "import", tmp_path / "a.age", "--identity", tmp_path / "lead.key"
    )
    assert r.returncode == 0 and "Imported." in r.stdout, r
    shown = json.loads(cli("--db", lead, "audit", "show", audit_id, "--json").stdout)
    assert shown["case"]["reference"] == "" and shown["case"]["area"] == "Inverbrack (demo)"
    r = cli("--db", lead, "bundle", "conflicts")
    assert r.returncode == 0 and r.stdout.strip() == "No conflicts.", r
    r = cli("--db", lead, "bundle", "resolve", audit_id, "--keep-local")
    assert r.returncode == 1 and "no received version waiting" in r.stderr, r


def test_a_draft_deleted_here_is_not_brought_back_by_an_old_copy(tmp_path, mini, keys):
    secret, public = keys
    a, b = _laptop(tmp_path, "a"), _laptop(tmp_path, "b")
    x = _audit(a, mini, REF_A, {"p1": "3"})
    _receive(b, _send(a, tmp_path / "1.age", public), secret)
    audits.delete_draft(b, x)
    assert _receive(b, _send(a, tmp_path / "2.age", public), secret).ids("unchanged") == [x]
    assert b.query_one("SELECT count(*) FROM audits")[0] == 0
    # but work done on it elsewhere since is never lost: it comes back
    audits.answer(a, x, "p1", "4")
    assert _receive(b, _send(a, tmp_path / "3.age", public), secret).ids("new") == [x]
    assert audits.get_audit(b, x).ratings["p1"] == "4"
    a.close()
    b.close()


def test_any_order_of_any_versions_ends_at_the_newest(tmp_path, mini):
    """Hypothesis: one laptop sends an audit at four points of its life (draft, more answers,
    finalised, amended and finalised again) and another laptop's audit; a lead receives any
    non-empty subset of those files, in any order. It always ends with exactly the newest
    version it was sent of each audit, and receiving any file again changes nothing."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from audit_tool.exchange.bundle import collect, plaintext
    from audit_tool.exchange.merge import parse

    a, c = _laptop(tmp_path, "a"), _laptop(tmp_path, "c")
    x = _audit(a, mini, REF_A, {"p1": "2"})
    versions: list[tuple[bytes, dict]] = []

    def send(db: Database) -> None:
        # laptops of one team keep each other whole: with identifiers (no anonymising)
        versions.append((plaintext(collect(db, include_identifiers=True)), snapshot(db)))

    send(a)
    audits.answer(a, x, "p2", "no", "Fictional: not recorded at first")
    send(a)
    for item, rating in FULL.items():
        audits.answer(a, x, item, rating)
    audits.finalise(a, x)
    send(a)
    audits.amend(a, x, "Fictional: second look")
    audits.answer(a, x, "p3", "1")
    audits.finalise(a, x)
    send(a)
    _audit(c, mini, REF_B, FULL, finalise=True)
    other = plaintext(collect(c))
    a.close()
    c.close()
    counter = iter(range(10_000))

    @settings(
        max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
    )
    @given(st.lists(st.sampled_from(range(len(versions) + 1)), min_size=1, max_size=6))
    def check(order: list[int]) -> None:
        lead = _laptop(tmp_path, f"lead{next(counter)}")
        try:
            for i in order:  # the same data sent again comes as a new file (a new bundle id)
                plain = other if i == len(versions) else versions[i][0]
                doc = parse(plain)
                doc.manifest["bundle_id"] += f"-{next(counter)}"
                import_bundle(lead, doc)
            newest = max((i for i in order if i < len(versions)), default=None)
            got = snapshot(lead)
            mine = [r for r in got["audits"] if r[0] == x]
            if newest is None:
                assert mine == []
            else:
                assert mine == [r for r in versions[newest][1]["audits"] if r[0] == x]
                assert [r for r in got["answers"] if r[0] == x] == [
                    r for r in versions[newest][1]["answers"] if r[0] == x
                ]
                want = {r[0] for r in versions[newest][1]["history"] if r[1] == x}
                assert {r[0] for r in got["history"] if r[1] == x} == want
            assert len(got["audits"]) == (newest is not None) + (len(versions) in order)
            assert got["conflicts"] == []
        finally:
            lead.close()

    check()


def test_a_moderation_travels_with_its_readings_and_counts_in_their_place(tmp_path, mini, keys):
    """Two readings (3 of 5 and 5 of 5 meeting the standard) and their finalised moderation
    (4 of 5), sent to a lead laptop: it counts one audit at 4 of 5, as the sender does."""
    from audit_tool import moderation
    from audit_tool.filters import AuditFilter
    from audit_tool.findings import findings

    secret, public = keys
    a = _laptop(tmp_path, "a")
    bea = moderation.add_reviewer(a, "Bea Reader (fictional)")
    first = _audit(a, mini, REF_A, {"p1": "6", "p2": "yes", "p3": "6", "q1": "1", "q2": "no"}, True)
    second = moderation.start_second_reading(a, first, bea.id)
    for item, value in {"p1": "6", "p2": "yes", "p3": "5", "q1": "4", "q2": "yes"}.items():
        audits.answer(a, second, item, value)
    audits.finalise(a, second)
    mod = moderation.start_moderation(a, [first, second])
    for item, value in {"p3": "6", "q1": "4", "q2": "no"}.items():
        audits.answer(a, mod, item, value, "Agreed at moderation (fictional).")
    audits.finalise(a, mod)
    lead = _laptop(tmp_path, "lead")
    _receive(lead, _send(a, tmp_path / "mod.age", public), secret)

    def overall(db, **kw):
        f = findings(db, AuditFilter(**kw))
        return f.audits, f.overall.rated, f.overall.meets

    assert overall(a) == overall(lead) == (1, 5, 4)
    assert overall(lead, include_superseded=True) == (3, 15, 12)  # the readings arrived too
    assert lead.query(
        "SELECT moderation_id, reading_id FROM moderation_sources ORDER BY 2"
    ) == sorted([(mod, first), (mod, second)], key=lambda r: r[1])
    before = snapshot(lead)
    _receive(lead, _send(a, tmp_path / "again.age", public), secret)  # a new file, same audits
    assert snapshot(lead) == before
    a.close()
    lead.close()
