"""Bundles and the release register (issue 18, item 3 and 6): a bundle carries each audit's
record key and the register; the receiver keeps the keys and merges the register (checked
before anything is written). A bundle without identifiers is a release: recorded, and
anonymised (references typed in text removed, reviewer names replaced by labels, times cut
to the day), read back from the decrypted file itself.

Real encrypted databases, real age files. All data is synthetic and clearly fictional.
"""

from __future__ import annotations

import json
import re

import pyrage
import pytest

from audit_tool import audits, demo
from audit_tool.disclosure.cellkey import load_keys
from audit_tool.disclosure.register import (
    ReleaseRefused,
    check_release,
    record_release,
    releases,
)
from audit_tool.exchange import BundleRefused, import_bundle, read_bundle, release_bundle
from audit_tool.exchange.bundle import canonical, collect, export_bundle, write_bundle
from audit_tool.store import Database

PASSPHRASE = "fictional tartan kettle harbour"
REF = "FICT-NSH-2025-00417"  # a fictional case reference
NAME = "Morag Fictional-Reviewer"


@pytest.fixture(scope="module")
def keys() -> tuple[str, str]:
    ident = pyrage.x25519.Identity.generate()
    return str(ident), str(ident.to_public())


@pytest.fixture
def sender(tmp_path, mini) -> Database:
    db = Database.create(tmp_path / "sender.db", PASSPHRASE)
    audits.set_local_reviewer(db, NAME)
    case = audits.add_case(db, REF, "Glenmorven (demo)")
    x = audits.new_audit(db, case.id, mini)
    # a reference typed the way people type it: glued, spaced, reversed
    audits.answer(db, x, "p1", "5", "Checked against caseref" + REF + " and 00417 NSH notes")
    audits.answer(db, x, "p2", "yes")
    audits.answer(db, x, "p3", "4")
    audits.answer(db, x, "q1", "4")
    audits.set_summary(db, x, "summary", f"Sibling file {REF.lower()} read too (fictional).")
    audits.finalise(db, x)
    demo.generate(db, 20, seed=3)
    yield db
    db.close()


def _decrypt(path, secret) -> dict:
    text = pyrage.decrypt(path.read_bytes(), [pyrage.x25519.Identity.from_str(secret)])
    manifest, payload = text.split(b"\n", 1)
    return {"manifest": json.loads(manifest), "payload": json.loads(payload)}


def test_keys_and_register_travel_and_the_receiver_keeps_them(sender, tmp_path, keys):
    secret, public = keys
    ids = [r[0] for r in sender.query("SELECT id FROM audits WHERE status = 'finalised'")]
    rel = record_release(sender, ids[:8], kind="report", selection="area Glenmorven (demo)",
                         recipient="Steering group (fictional)", who=NAME)
    export_bundle(sender, tmp_path / "b.age", recipients=[public], include_identifiers=True)
    sent = _decrypt(tmp_path / "b.age", secret)["payload"]
    assert sent["keys"] == load_keys(sender)  # every audit's key, nothing else
    assert [r["id"] for r in sent["releases"]] == [rel.id]
    with Database.create(tmp_path / "lead.db", PASSPHRASE) as lead:
        import_bundle(lead, read_bundle(tmp_path / "b.age", identities=[secret]))
        assert load_keys(lead) == load_keys(sender)  # the same audit, the same figures
        [got] = releases(lead)
        assert (got.id, got.recipient, got.audit_count) == (rel.id, rel.recipient, 8)
        with pytest.raises(ReleaseRefused, match="Steering group"):  # the lead sees it too
            check_release(lead, ids[:9])
        # the same file again: nothing doubled
        again = collect(sender, include_identifiers=True)
        write_bundle(again, tmp_path / "b2.age", recipients=[public])
        import_bundle(lead, read_bundle(tmp_path / "b2.age", identities=[secret]))
        assert len(releases(lead)) == 1


@pytest.mark.parametrize("damage", ["digest", "key"])
def test_a_wrong_register_row_or_key_is_refused_before_anything_is_written(
    sender, tmp_path, keys, damage
):
    secret, public = keys
    ids = [r[0] for r in sender.query("SELECT id FROM audits WHERE status = 'finalised'")]
    record_release(sender, ids[:8], kind="report", selection="s", recipient="Board (fictional)",
                   who=NAME)
    doc = collect(sender, include_identifiers=True)
    p = doc["payload"]
    if damage == "digest":
        p["releases"][0]["audit_ids"] = p["releases"][0]["audit_ids"][1:]
    else:
        p["keys"][ids[0]] = 10**6
    doc["body"] = canonical(p)
    import hashlib

    doc["manifest"]["payload_sha256"] = hashlib.sha256(doc["body"]).hexdigest()
    write_bundle(doc, tmp_path / "bad.age", recipients=[public])
    with Database.create(tmp_path / "lead.db", PASSPHRASE) as lead:
        with pytest.raises(BundleRefused) as e:
            import_bundle(lead, read_bundle(tmp_path / "bad.age", identities=[secret]))
        assert "\n" not in str(e.value) and "nothing was changed" in str(e.value)
        if damage == "digest":
            assert "release register" in str(e.value)
        assert lead.query_one("SELECT count(*) FROM audits")[0] == 0
        assert releases(lead) == []


def test_a_bundle_without_identifiers_is_anonymised_and_recorded(sender, tmp_path, keys):
    secret, public = keys
    sent = release_bundle(sender, tmp_path / "anon.age", recipients=[public],
                          recipient="Lead, North partnership (fictional)")
    doc = _decrypt(tmp_path / "anon.age", secret)
    text = json.dumps(doc, ensure_ascii=False)
    assert REF not in text and REF.lower() not in text and "00417" not in text
    assert "[case reference removed]" in text
    assert NAME not in text and "Demo Reviewer" not in text
    assert {r["name"] for r in doc["payload"]["reviewers"]} <= {f"Reviewer {n}" for n in range(1, 9)}
    whos = {h["who"] for e in doc["payload"]["audits"] for h in e["history"]}
    assert whos and all(re.fullmatch(r"Reviewer \d+", w) for w in whos)
    stamps = re.findall(r"\d{4}-\d{2}-\d{2}T(\d{2}:\d{2}:\d{2}(?:\.\d+)?)Z", text)
    assert stamps and set(stamps) == {"00:00:00"}  # every time cut to its day
    assert all("reference" not in c for c in doc["payload"]["cases"])
    [rel] = releases(sender)
    assert (rel.kind, rel.recipient, rel.audit_count, rel.restricted) == (
        "bundle", "Lead, North partnership (fictional)", sent.audits, False)
    # it can still be read into a database that does not hold these audits
    with Database.create(tmp_path / "lead.db", PASSPHRASE) as lead:
        done = import_bundle(lead, read_bundle(tmp_path / "anon.age", identities=[secret]))
        assert done.count("new") == sent.audits
        assert lead.integrity_problems() == []


def test_cli_bundle_export_needs_a_recipient_and_is_listed(sender, tmp_path, cli, keys):
    _secret, public = keys
    sender.close()
    (tmp_path / "recipients.txt").write_text(public + "\n")
    db = tmp_path / "sender.db"
    r = cli("--db", db, "bundle", "export", "--out", tmp_path / "x.age",
            "--recipients", tmp_path / "recipients.txt")
    assert r.returncode == 2 and r.stderr.strip() == (
        "audit-tool: bundle export needs --recipient NAME: the release register records who it is for.")
    assert not (tmp_path / "x.age").exists()
    r = cli("--db", db, "bundle", "export", "--out", tmp_path / "x.age",
            "--recipients", tmp_path / "recipients.txt", "--recipient", "Lead (fictional)")
    assert r.returncode == 0, r
    r = cli("--db", db, "releases")
    assert r.returncode == 0 and "bundle" in r.stdout and "to Lead (fictional)" in r.stdout, r
    # with identifiers: a transfer between a team's laptops, no recipient needed, not recorded
    r = cli("--db", db, "bundle", "export", "--out", tmp_path / "y.age",
            "--recipients", tmp_path / "recipients.txt", "--include-identifiers")
    assert r.returncode == 0, r
    assert len(cli("--db", db, "releases", "--json").stdout and
               json.loads(cli("--db", db, "releases", "--json").stdout)) == 1
