"""A finalised audit received without identifiers, then with them (or the reverse): the same
audit made more precise, not a change. Real SQLCipher files, real age bundles; synthetic,
clearly fictional data."""

from __future__ import annotations

import json
from pathlib import Path

import pyrage
import pytest

from audit_tool import audits
from audit_tool.domain import Recommendation
from audit_tool.exchange import BundleRefused, import_bundle, plan, read_bundle
from audit_tool.exchange.local_columns import LOCAL_ONLY
from audit_tool.exchange.precision import REFINED, unnamed_form
from audit_tool.reports.redact import REMOVED
from audit_tool.store import Database
from tests.test_case_links import FIRST, _case_of, _reading, _send
from tests.test_exchange import PASSPHRASE, _laptop, _reseal, keys, snapshot  # noqa: F401 (keys)

REF = "FICT-2026-40417"
SIBLING = "FICT-2026-40999"  # another case named in the typed text
LINE = (
    "1 finalised audit received earlier without identifiers: its references and times "
    "added (the same audit, not a change)."
)
KEPT = (
    "1 finalised audit here with identifiers came again without them: the references and "
    "times here are kept."
)


def _named_audit(db: Database, mini) -> str:
    """A finalised audit whose typed text names its case and a sibling's."""
    audits.add_case(db, SIBLING, "Glenmorven (fictional)")
    audit_id = _reading(db, mini, REF, FIRST, finalise=False)
    audits.answer(db, audit_id, "p1", "5", f"Fictional note: see {SIBLING} for the sibling")
    audits.set_summary(db, audit_id, "summary", f"Fictional summary of {REF}.")
    audits.set_recommendations(
        db, audit_id, [Recommendation(f"Fictional: link {REF} with {SIBLING}", "Team lead", "")]
    )
    audits.finalise(db, audit_id)
    return audit_id


def _rows(db: Database, audit_id: str) -> dict:
    cols = [r[1] for r in db.query("PRAGMA table_info(audits)") if r[1] not in LOCAL_ONLY]
    return {
        "audit": db.query_one(f"SELECT {', '.join(cols)} FROM audits WHERE id = ?", (audit_id,)),  # noqa: S608
        "answers": db.query(
            "SELECT * FROM answers WHERE audit_id = ? ORDER BY item_id", (audit_id,)
        ),
        "recs": db.query(
            "SELECT pos, text, owner, due FROM recommendations WHERE audit_id = ?", (audit_id,)
        ),
        "reviewer": db.query_one(
            "SELECT r.name, r.created_at FROM audits a JOIN reviewers r ON r.id = a.reviewer_id"
            " WHERE a.id = ?",
            (audit_id,),
        ),
        "case": db.query_one(
            "SELECT c.reference, c.created_at FROM audits a JOIN cases c ON c.id = a.case_id"
            " WHERE a.id = ?",
            (audit_id,),
        ),
    }


def _concern(db: Database, audit_id: str) -> None:
    """A later history entry on the sender's laptop that changes nothing in the audit."""
    audits.record_concern(db, audit_id, "2026-03-02", "Fictional safeguarding lead", "Fictional")


def _lead_and_sender(tmp_path: Path, mini) -> tuple[Database, Database, str]:
    """The lead's laptop, and the sender's with a finalised audit naming its case."""
    lead, other = _laptop(tmp_path, "lead"), _laptop(tmp_path, "other")
    return lead, other, _named_audit(other, mini)


def _open(path: Path, secret: str):
    return read_bundle(path, identities=[secret])


def test_unnamed_then_named_is_the_same_audit_made_precise(tmp_path, mini, keys):  # noqa: F811
    secret, public = keys
    lead, other, aid = _lead_and_sender(tmp_path, mini)
    import_bundle(lead, _open(_send(other, tmp_path / "n.age", public, False), secret))
    coarse = _rows(lead, aid)
    assert coarse["case"][0] == "" and coarse["audit"] != _rows(other, aid)["audit"]
    assert REMOVED in json.dumps(coarse) and coarse["reviewer"][0] == "Reviewer 1"
    assert audits.get_audit(lead, aid).reviewer.name == "Reviewer 1"
    assert all(
        unnamed_form(a, b) for a, b in zip(coarse["audit"], _rows(other, aid)["audit"], strict=True)
    )
    # the sender's history grows without a change (a concern): on main this was refused
    _concern(other, aid)
    named = _open(_send(other, tmp_path / "r.age", public), secret)
    before = snapshot(lead)
    preview = plan(lead, named)
    assert LINE in preview.lines() and preview.refined == [aid], preview.lines()
    assert snapshot(lead) == before  # the preview changed nothing
    done = import_bundle(lead, named)
    assert LINE in done.lines() and done.kinds == {aid: "updated"}
    # every value is now the sender's: exact times, the text left out, the reference, names
    assert _rows(lead, aid) == _rows(other, aid)
    assert _case_of(lead, aid)[1] == REF
    assert audits.get_audit(lead, aid).status.value == "finalised"
    said, snap = lead.query(
        "SELECT who, field, new FROM history WHERE audit_id = ? AND action = ? ORDER BY id",
        (aid, REFINED),
    )
    assert said[:2] == ("Fictional reviewer lead", "")
    assert (
        "exact times and case references in its text" in said[2] and named.bundle_id[:8] in said[2]
    )
    # who finalised it, as named then (kept in its history): the name, no longer "Reviewer 1"
    assert snap[1] == "reviewer" and json.loads(snap[2])["name"] == "Fictional reviewer other"
    assert audits.get_audit(lead, aid).reviewer.name == "Fictional reviewer other"
    assert lead.integrity_problems() == []
    # the entry is this laptop's own: not sent on, and no part of the audit's version, so
    # the sender's next file is "unchanged", and the lead's file is "unchanged" there
    again = import_bundle(lead, _open(_send(other, tmp_path / "r2.age", public), secret))
    assert again.kinds == {aid: "unchanged"} and not again.refined
    back = _open(_send(lead, tmp_path / "l.age", public), secret)
    assert REFINED not in json.dumps(back.payload)
    assert import_bundle(other, back).kinds[aid] == "unchanged"
    # the same version (nothing new in its history) is made precise too
    third = _laptop(tmp_path, "third")
    import_bundle(third, _open(tmp_path / "n.age", secret))
    done = import_bundle(third, _open(tmp_path / "r2.age", secret))
    assert done.kinds == {aid: "updated"} and done.refined == [aid]
    fourth = _laptop(tmp_path, "fourth")
    import_bundle(fourth, _open(tmp_path / "n.age", secret))
    _concern(other, aid)  # nothing new here: the lead's history is the sender's
    done = import_bundle(fourth, _open(_send(other, tmp_path / "r3.age", public), secret))
    assert _rows(fourth, aid) == _rows(other, aid)
    for db in (lead, other, third, fourth):
        db.close()


def test_same_history_unnamed_then_named(tmp_path, mini, keys):  # noqa: F811
    secret, public = keys
    lead, other, aid = _lead_and_sender(tmp_path, mini)
    import_bundle(lead, _open(_send(other, tmp_path / "n.age", public, False), secret))
    done = import_bundle(lead, _open(_send(other, tmp_path / "r.age", public), secret))
    assert done.kinds == {aid: "unchanged"} and LINE in done.lines()
    assert _rows(lead, aid) == _rows(other, aid)
    lead.close()
    other.close()


def _tampered(tmp_path: Path, secret: str, public: str, path: Path, change, name: str) -> Path:
    head, _, body = pyrage.decrypt(
        path.read_bytes(), [pyrage.x25519.Identity.from_str(secret)]
    ).partition(b"\n")
    doc = {"manifest": json.loads(head), "payload": json.loads(body)}
    change(doc["payload"]["audits"][0])
    return _reseal(tmp_path, doc, public, name)


@pytest.mark.parametrize(
    "change",
    [
        lambda e: e["answers"][0].update(rating="2" if e["answers"][0]["rating"] != "2" else "3"),
        lambda e: e["answers"][0].update(note=e["answers"][0]["note"] + " (altered)"),
        lambda e: e["audit"].update(created_at="2020-01-01T10:00:00.000Z"),
        lambda e: e["audit"].update(summary="A fictional summary written over"),
        # words where the unnamed copy removed a reference: not a reference made precise
        lambda e: [a.update(note=a["note"].replace(SIBLING, "no concerns"))
                   for a in e["answers"] if SIBLING in a["note"]],
        lambda e: [a.update(note=a["note"].replace(SIBLING, "not at risk 1"))
                   for a in e["answers"] if SIBLING in a["note"]],
    ],
    ids=["rating", "note", "another day", "summary", "words for a reference",
         "short words and a digit for a reference"],
)
def test_anything_else_that_differs_is_still_a_change(tmp_path, mini, keys, change):  # noqa: F811
    secret, public = keys
    lead, other, aid = _lead_and_sender(tmp_path, mini)
    import_bundle(lead, _open(_send(other, tmp_path / "n.age", public, False), secret))
    same = _tampered(
        tmp_path, secret, public, _send(other, tmp_path / "r.age", public), change, "same.age"
    )
    _concern(other, aid)
    grown = _tampered(
        tmp_path, secret, public, _send(other, tmp_path / "g.age", public), change, "grown.age"
    )
    before = snapshot(lead)
    with pytest.raises(
        BundleRefused,
        match="is finalised here, and the file changes it without an amendment in its history",
    ):
        import_bundle(lead, _open(grown, secret))
    assert snapshot(lead) == before
    # with nothing new in its history it is the version here, as before: nothing is taken
    done = import_bundle(lead, _open(same, secret))
    assert done.kinds == {aid: "unchanged"} and not done.refined
    assert not [line for line in done.lines() if "without identifiers" in line]
    after = snapshot(lead)
    assert after["audits"] == before["audits"] and after["answers"] == before["answers"]
    assert after["history"] == before["history"]
    lead.close()
    other.close()


def test_named_here_then_unnamed_keeps_what_is_here(tmp_path, mini, keys):  # noqa: F811
    secret, public = keys
    lead, other, aid = _lead_and_sender(tmp_path, mini)
    import_bundle(lead, _open(_send(other, tmp_path / "r.age", public), secret))
    named = _rows(lead, aid)
    assert named == _rows(other, aid)
    # the same version without identifiers: unchanged (as on main), and said so
    done = import_bundle(lead, _open(_send(other, tmp_path / "n.age", public, False), secret))
    assert done.kinds == {aid: "unchanged"} and KEPT in done.lines()
    assert _rows(lead, aid) == named
    # a later version without identifiers (a concern raised): on main this was refused
    _concern(other, aid)
    done = import_bundle(lead, _open(_send(other, tmp_path / "n2.age", public, False), secret))
    assert done.kinds == {aid: "updated"} and KEPT in done.lines()
    assert _rows(lead, aid) == named
    assert lead.query_one("SELECT count(*) FROM concerns WHERE audit_id = ?", (aid,))[0] == 1
    assert not lead.query("SELECT 1 FROM history WHERE action = ?", (REFINED,))
    assert lead.integrity_problems() == []
    lead.close()
    other.close()


def test_cli_says_the_audit_was_made_precise(tmp_path, mini, keys, cli):  # noqa: F811
    secret, public = keys
    lead_path = tmp_path / "lead.db"
    lead = Database.create(lead_path, PASSPHRASE)
    audits.set_local_reviewer(lead, "Fictional lead")
    other = _laptop(tmp_path, "other")
    aid = _named_audit(other, mini)
    import_bundle(lead, _open(_send(other, tmp_path / "n.age", public, False), secret))
    lead.close()
    _concern(other, aid)
    _send(other, tmp_path / "r.age", public)
    key = tmp_path / "lead.key"
    key.write_text(secret + "\n")
    for extra, last in ((["--dry-run"], "Dry run: nothing was changed."), ([], "Imported.")):
        r = cli(
            "--db",
            lead_path,
            "bundle",
            "import",
            tmp_path / "r.age",
            "--identity",
            key,
            *extra,
            passphrase=PASSPHRASE,
        )
        assert r.returncode == 0, r
        out = r.stdout.splitlines()
        assert LINE in out and out[-1] == last, r
    lead = Database.open(lead_path, PASSPHRASE)
    assert _rows(lead, aid) == _rows(other, aid)
    lead.close()
    other.close()


def test_an_amendment_received_with_identifiers_over_the_unnamed_copy(tmp_path, mini, keys):  # noqa: F811
    secret, public = keys
    lead, other, aid = _lead_and_sender(tmp_path, mini)
    import_bundle(lead, _open(_send(other, tmp_path / "n.age", public, False), secret))
    audits.amend(other, aid, "Fictional correction after the panel")
    audits.answer(other, aid, "q1", "5", "Fictional corrected note")
    audits.finalise(other, aid)
    # on main: refused (its created_at and the text left out looked like changes)
    done = import_bundle(lead, _open(_send(other, tmp_path / "r.age", public), secret))
    assert done.kinds == {aid: "updated"} and not done.refined
    got, want = _rows(lead, aid), _rows(other, aid)
    assert got["answers"] == want["answers"] and got["recs"] == want["recs"]
    assert got["case"] == want["case"] and got["reviewer"] == want["reviewer"]
    cols = [r[1] for r in lead.query("PRAGMA table_info(audits)") if r[1] not in LOCAL_ONLY]
    differ = [c for c, a, b in zip(cols, got["audit"], want["audit"], strict=True) if a != b]
    assert differ == ["first_finalised_at"]  # the first finalisation here is never rewritten
    assert audits.get_audit(lead, aid).ratings["q1"] == "5"
    # an amendment whose history does not start from what is here is still refused
    audits.amend(other, aid, "Fictional second correction")
    audits.answer(other, aid, "q1", "4", "Fictional note again")
    audits.finalise(other, aid)

    def forge(e: dict) -> None:
        [step] = [h for h in e["history"] if h["field"] == "q1" and h["new"] == "4"]
        step["old"] = "2"

    forged = _tampered(
        tmp_path, secret, public, _send(other, tmp_path / "f.age", public), forge, "f2.age"
    )
    with pytest.raises(BundleRefused, match="but its history starts from"):
        import_bundle(lead, _open(forged, secret))
    lead.close()
    other.close()


def test_nothing_is_taken_when_another_audit_in_the_file_is_refused(tmp_path, mini, keys):  # noqa: F811
    secret, public = keys
    lead, other = _laptop(tmp_path, "lead"), _laptop(tmp_path, "other")
    first = _named_audit(other, mini)
    second = _reading(other, mini, "FICT-2026-40555", FIRST)
    import_bundle(lead, _open(_send(other, tmp_path / "n.age", public, False), secret))
    _concern(other, second)

    def change(payload: dict) -> None:
        [e] = [e for e in payload["audits"] if e["audit"]["id"] == second]
        e["answers"][0]["rating"] = "2" if e["answers"][0]["rating"] != "2" else "3"

    head, _, body = pyrage.decrypt(
        _send(other, tmp_path / "r.age", public).read_bytes(),
        [pyrage.x25519.Identity.from_str(secret)],
    ).partition(b"\n")
    doc = {"manifest": json.loads(head), "payload": json.loads(body)}
    change(doc["payload"])
    before = snapshot(lead)
    with pytest.raises(BundleRefused, match="without an amendment in its history"):
        import_bundle(lead, _open(_reseal(tmp_path, doc, public, "bad.age"), secret))
    assert snapshot(lead) == before
    assert lead.query_one("SELECT reference FROM cases WHERE reference <> '' LIMIT 1") is None
    assert _rows(lead, first)["reviewer"][0] == "Reviewer 1"
    lead.close()
    other.close()


def test_a_file_carrying_this_laptops_own_entry_is_refused(tmp_path, mini, keys):  # noqa: F811
    secret, public = keys
    lead, other, aid = _lead_and_sender(tmp_path, mini)

    def add(e: dict) -> None:
        e["history"].append({**e["history"][-1], "uid": "f" * 32, "action": REFINED})

    path = _tampered(
        tmp_path, secret, public, _send(other, tmp_path / "r.age", public), add, "x.age"
    )
    with pytest.raises(BundleRefused, match="has action 'identifiers added', which this tool"):
        read_bundle(path, identities=[secret])
    assert not lead.query("SELECT 1 FROM audits WHERE id = ?", (aid,))
    lead.close()
    other.close()


def test_samplings_cases_and_reviewers_take_their_names_and_times(tmp_path, mini, keys):  # noqa: F811
    from audit_tool.sampling import create_sample, draw, eligible_files, read_case_list
    from tests.test_sampling import COLS, teams_list

    secret, public = keys
    lead, other = _laptop(tmp_path, "lead"), _laptop(tmp_path, "other")
    caselist = read_case_list(teams_list(tmp_path / "list.csv", {"Team A": 6}))
    elig = eligible_files(caselist, COLS)
    made = create_sample(other, caselist, COLS, elig, draw(elig, 3, 7), mini)

    def rows(db: Database) -> list:
        return [
            db.query("SELECT id, who, created_at FROM samplings"),
            db.query("SELECT id, reference, created_at FROM cases ORDER BY id"),
            db.query("SELECT id, name, created_at FROM reviewers WHERE is_local = 0"),
        ]

    import_bundle(lead, _open(_send(other, tmp_path / "n.age", public, False), secret))
    coarse = rows(lead)
    assert coarse[0][0][1] == "Reviewer 1" and coarse[0][0][2].endswith("T00:00:00Z")
    import_bundle(lead, _open(_send(other, tmp_path / "r.age", public), secret))
    want = rows(other)
    want[2] = other.query("SELECT id, name, created_at FROM reviewers")
    assert rows(lead) == want and len(want[1]) == len(made.case_ids) == 3
    lead.close()
    other.close()


def test_an_amendment_received_without_identifiers_keeps_the_named_values(tmp_path, mini, keys):  # noqa: F811
    secret, public = keys
    lead, other, aid = _lead_and_sender(tmp_path, mini)
    import_bundle(lead, _open(_send(other, tmp_path / "r.age", public), secret))
    named = _rows(lead, aid)
    audits.amend(other, aid, "Fictional correction after the panel")
    audits.answer(other, aid, "q1", "5", "Fictional corrected note")
    audits.finalise(other, aid)
    # on main: refused (the created_at and the text cut by the file looked like changes)
    done = import_bundle(lead, _open(_send(other, tmp_path / "n.age", public, False), secret))
    assert done.kinds == {aid: "updated"}
    got = _rows(lead, aid)
    assert audits.get_audit(lead, aid).ratings["q1"] == "5"
    assert got["case"] == named["case"] and got["recs"] == named["recs"]
    assert got["reviewer"] == named["reviewer"]  # the reviewer row stays named
    mine = audits.get_audit(lead, aid)
    assert (
        mine.summary == f"Fictional summary of {REF}."
        and mine.created_at
        == named["audit"][
            [r[1] for r in lead.query("PRAGMA table_info(audits)") if r[1] not in LOCAL_ONLY].index(
                "created_at"
            )
        ]
    )
    assert mine.answers["p1"].note == f"Fictional note: see {SIBLING} for the sibling"
    assert mine.answers["q1"].note == "Fictional corrected note"
    assert REMOVED not in json.dumps(_rows(lead, aid))
    assert lead.integrity_problems() == []
    lead.close()
    other.close()
