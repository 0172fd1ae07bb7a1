"""Hostile bundles (issue 17): crafted from a REAL bundle, re-sealed to the lead's key.

A sender laptop is made with the core's own functions (a finalised audit with notes, a
summary, recommendations and a concern; a draft; two readings and their finalised
moderation), its bundle is imported by a lead laptop, then each payload here is that
bundle decrypted, altered and sealed again with the tool's own helpers. Every one must be
refused in one line that names what is wrong, leaving the lead's database byte-identical
(file bytes and a dump of every table), or, for a genuine amendment, merge correctly.
All data is fictional.
"""

from __future__ import annotations

import copy
import hashlib
import json
import shutil
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyrage
import pytest

from audit_tool import audits, moderation
from audit_tool.domain import Recommendation
from audit_tool.exchange import BundleRefused, export_bundle, import_bundle, read_bundle
from audit_tool.exchange.crypto import seal
from audit_tool.store import Database

PASSPHRASE = "fictional hostile kettle harbour"
FULL = {"p1": "5", "p2": "yes", "p3": "4", "q1": "3", "q2": "no"}


def _stamp(delta: timedelta) -> str:
    return (datetime.now(UTC) + delta).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _uid() -> str:
    return uuid.uuid4().hex


def _decrypt(path: Path, secret: str) -> dict:
    plain = pyrage.decrypt(path.read_bytes(), [pyrage.x25519.Identity.from_str(secret)])
    head, _, body = plain.partition(b"\n")
    return {"manifest": json.loads(head), "payload": json.loads(body)}


def _dump(db: Database) -> dict:
    """Every row of every table, and the schema itself."""
    out = {"schema": sorted(db.query("SELECT type, name, sql FROM sqlite_master"))}
    for (name,) in db.query("SELECT name FROM sqlite_master WHERE type = 'table'"):
        out[name] = sorted(map(repr, db.query(f'SELECT * FROM "{name}"')))  # noqa: S608
    return out


def _hashes(path: Path) -> dict:
    return {
        s: hashlib.sha256(Path(f"{path}{s}").read_bytes()).hexdigest()
        for s in ("", "-wal", "-shm")
        if Path(f"{path}{s}").exists()
    }


class World:
    """The sender's bundles (as documents), the lead's database after the first, the keys."""

    def __init__(self, folder: Path) -> None:
        ident = pyrage.x25519.Identity.generate()
        self.secret, self.public = str(ident), str(ident.to_public())
        from audit_tool.checklists.loader import load_file

        mini = load_file(Path(__file__).parent / "fixtures" / "mini.toml")
        a = Database.create(folder / "sender.db", PASSPHRASE)
        audits.set_local_reviewer(a, "Fictional sender")
        case = audits.add_case(a, "FICT-HOSTILE-0001", "Glenmorven (demo)")
        self.final = audits.new_audit(a, case.id, mini)
        for item, rating in FULL.items():
            audits.answer(a, self.final, item, rating, f"Fictional note for {item}")
        audits.set_summary(a, self.final, "summary", "Fictional: the plan names him.")
        audits.set_recommendations(
            a, self.final, [Recommendation("Fictional: ask about contact.", "Team lead")]
        )
        audits.finalise(a, self.final)
        audits.record_concern(a, self.final, "2026-01-05", "Duty team (fictional)", "Sender")
        other = audits.add_case(a, "FICT-HOSTILE-0002", "Glenmorven (demo)")
        self.draft = audits.new_audit(a, other.id, mini)
        audits.answer(a, self.draft, "p1", "2", "Fictional draft note")
        third = audits.add_case(a, "FICT-HOSTILE-0003", "Inverbrack (demo)")
        self.r1 = audits.new_audit(a, third.id, mini)
        for item, rating in FULL.items():
            audits.answer(a, self.r1, item, rating)
        audits.finalise(a, self.r1)
        bea = moderation.add_reviewer(a, "Bea Reader (fictional)")
        self.r2 = moderation.start_second_reading(a, self.r1, bea.id)
        for item, rating in {**FULL, "q1": "6"}.items():
            audits.answer(a, self.r2, item, rating)
        audits.finalise(a, self.r2)
        self.mod = moderation.start_moderation(a, [self.r1, self.r2])
        audits.answer(a, self.mod, "q1", "4", "Agreed at moderation (fictional).")
        audits.finalise(a, self.mod)
        export_bundle(a, folder / "first.age", recipients=[self.public], include_identifiers=True)
        self.first = _decrypt(folder / "first.age", self.secret)
        # then a genuine amendment of the finalised audit, sent again
        audits.amend(a, self.final, "Fictional: a rating was mistyped")
        audits.answer(a, self.final, "p1", "2", "Fictional: re-read, weaker than first noted")
        audits.set_summary(a, self.final, "summary", "Fictional: amended summary.")
        audits.set_recommendations(
            a, self.final, [Recommendation("Fictional: a second look at contact.", "Lead")]
        )
        audits.finalise(a, self.final)
        self.amended = audits.get_audit(a, self.final)
        export_bundle(a, folder / "second.age", recipients=[self.public], include_identifiers=True)
        self.second = _decrypt(folder / "second.age", self.secret)
        self.first_uids = {h["uid"] for e in self.first["payload"]["audits"] for h in e["history"]}
        a.close()
        self.lead = folder / "lead.db"
        lead = Database.create(self.lead, PASSPHRASE)
        import_bundle(lead, read_bundle(folder / "first.age", identities=[self.secret]))
        self.dump = _dump(lead)
        lead.close()
        self.key = folder / "lead.key"
        self.key.write_text(self.secret + "\n")

    def entry(self, doc: dict, audit_id: str) -> dict:
        return next(e for e in doc["payload"]["audits"] if e["audit"]["id"] == audit_id)

    def seal(self, doc: dict, path: Path) -> Path:
        """Re-seal as a sender would: a new bundle id, the checksum of the bytes sent.
        ensure_ascii keeps a lone surrogate as its \\u escape, as a hostile writer could."""
        doc["manifest"]["bundle_id"] = str(uuid.uuid4())
        body = json.dumps(doc["payload"], sort_keys=True, separators=(",", ":")).encode()
        body = body.replace(b'"HUGE"', b"9" * 5000)  # past what json.dumps will write
        doc["manifest"]["payload_sha256"] = hashlib.sha256(body).hexdigest()
        head = json.dumps(doc["manifest"], sort_keys=True, separators=(",", ":")).encode()
        path.write_bytes(seal(head + b"\n" + body, recipients=[self.public]))
        return path


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> World:
    return World(tmp_path_factory.mktemp("hostile"))


# -- the payloads: (name, change to the first bundle, words the refusal must hold) -----------

Change = Callable[[World, dict], None]


def _audit(w: World, d: dict, which: str = "final") -> dict:
    return w.entry(d, getattr(w, which))["audit"]


def _answers(w: World, d: dict, which: str = "final") -> list[dict]:
    return w.entry(d, getattr(w, which))["answers"]


def _history(w: World, d: dict, which: str = "final") -> list[dict]:
    return w.entry(d, getattr(w, which))["history"]


def _set(getter, key, value) -> Change:
    def change(w: World, d: dict) -> None:
        target = getter(w, d)
        (target[0] if isinstance(target, list) else target)[key] = value

    return change


def _viewed(w: World, d: dict) -> None:
    _history(w, d).append(
        {
            "at": _stamp(timedelta()),
            "who": "Sender",
            "action": "viewed",
            "field": "",
            "old": None,
            "new": None,
            "uid": _uid(),
        }
    )


def _forge_content(w: World, d: dict, amendment: dict | None = None) -> None:
    """The attack of issue 17: every note and the summary changed, the row says amended."""
    a = _audit(w, d)
    for ans in _answers(w, d):
        ans["note"] = "Forged: nothing of concern was found."
    a["summary"] = "Forged: routine."
    a["amended_at"], a["amend_reason"] = "2026-11-30T09:00:00.000Z", "routine"
    if amendment is not None:
        _history(w, d).append(amendment)


def _forged_with_amendment_entry(w: World, d: dict) -> None:
    _forge_content(
        w,
        d,
        {
            "at": "2026-11-30T09:00:00.000Z",
            "who": "Sender",
            "action": "amended",
            "field": "status",
            "old": "finalised",
            "new": "routine",
            "uid": _uid(),
        },
    )


def _forged_with_wrong_old_values(w: World, d: dict) -> None:
    _forged_with_amendment_entry(w, d)
    for ans in _answers(w, d):
        _history(w, d).append(
            {
                "at": "2026-11-30T09:01:00.000Z",
                "who": "Sender",
                "action": "note",
                "field": ans["item_id"],
                "old": "not what is here",
                "new": ans["note"],
                "uid": _uid(),
            }
        )


def _bogus_items(w: World, d: dict) -> None:
    template = _answers(w, d)[0]
    _answers(w, d)[:] = [
        {**template, "item_id": f"bogus-{n:05d}", "rating": None} for n in range(50_000)
    ]


def _reading(w: World, d: dict, reading: str) -> None:
    w.entry(d, w.mod)["readings"][0]["reading_id"] = reading


def _surrogate_key(w: World, d: dict) -> None:
    _audit(w, d)["col\ud800"] = "x"


FUTURE = _stamp(timedelta(days=30))
PAYLOADS: list[tuple[str, Change, str]] = [
    # enumerations
    ("phase", _set(_audit, "phase", "xyz"), "has phase 'xyz', which this tool does not know"),
    (
        "audit-type",
        _set(_audit, "audit_type", "hacked"),
        "audit_type 'hacked', which this tool does not know",
    ),
    (
        "status",
        _set(_audit, "status", "archived"),
        "status 'archived', which this tool does not know",
    ),
    (
        "history-action-viewed",
        lambda w, d: _viewed(w, d),
        "action 'viewed', which this tool does not know",
    ),
    (
        "concern-date-text",
        _set(lambda w, d: w.entry(d, w.final)["concerns"], "raised_on", "last week"),
        "which is not a date",
    ),
    # types
    (
        "finalised-at-number",
        _set(_audit, "finalised_at", 1767225600),
        "finalised_at 1767225600, which is not text",
    ),
    (
        "created-at-not-a-date",
        _set(_audit, "created_at", "not a date"),
        "'not a date', which is not a date and time",
    ),
    (
        "answered-as-text",
        _set(_audit, "answered", "3"),
        "answered '3', which is not a whole number",
    ),
    (
        "applies-as-bool",
        _set(_answers, "applies", True),
        "applies True, which is not a whole number",
    ),
    ("rating-nested", _set(_answers, "rating", {"nested": ["object"]}), "is not text or a number"),
    ("note-a-list", _set(_answers, "note", ["a", "list"]), "is not text or a number"),
    ("summary-null", _set(_audit, "summary", None), "summary None, which is not text"),
    (
        "reviewer-name-number",
        _set(lambda w, d: d["payload"]["reviewers"], "name", 42),
        "name 42, which is not text",
    ),
    (
        "history-not-a-list",
        lambda w, d: w.entry(d, w.final).update(history={"a": 1}),
        "its history is not a list",
    ),
    ("answer-not-a-record", lambda w, d: _answers(w, d).append("p1=6"), "is not a record"),
    # ranges
    ("rating-off-scale", _set(_answers, "rating", "9"), "'9', which is not a level of its scale"),
    (
        "rating-of-another-scale",
        _set(_answers, "rating", "yes"),
        "which is not a level of its scale",
    ),
    ("applies-2", _set(_answers, "applies", 2), "applies 2, which is out of range"),
    ("answered-negative", _set(_audit, "answered", -1), "answered -1, which is out of range"),
    ("answered-beyond-items", _set(_audit, "answered", 999), "999 items were answered of 5"),
    ("answered-2-64", _set(_audit, "answered", 2**64), "far too large a number"),
    (
        "position-2-70",
        _set(lambda w, d: w.entry(d, w.final)["recommendations"], "pos", 2**70),
        "far too large a number",
    ),
    (
        "integer-4000-digits",
        _set(_audit, "answered", 10**4000),
        "far too large a number (a number of 4,001 digits)",
    ),
    ("integer-5000-digits", _set(_audit, "answered", "HUGE"), "a number far too long"),
    # references
    (
        "moderation-of-missing-audit",
        lambda w, d: _reading(w, d, str(uuid.uuid4())),
        "neither in the file nor on this laptop",
    ),
    (
        "moderation-of-another-case",
        lambda w, d: _reading(w, d, w.draft),
        "names a reading of another case file",
    ),
    (
        "moderation-of-itself",
        lambda w, d: _reading(w, d, w.mod),
        "names itself as one of its readings",
    ),
    (
        "readings-on-a-non-moderation",
        lambda w, d: w.entry(d, w.draft).update(
            readings=[{"reading_id": w.r1}, {"reading_id": w.r2}]
        ),
        "names readings but is not a moderation",
    ),
    (
        "missing-case",
        _set(_audit, "case_id", str(uuid.uuid4())),
        "refers to a case it does not carry",
    ),
    (
        "missing-reviewer",
        _set(_audit, "reviewer_id", str(uuid.uuid4())),
        "refers to a reviewer it does not carry",
    ),
    (
        "missing-checklist",
        lambda w, d: (
            d["payload"].update(checklists=[]),
            _audit(w, d).update(checklist_sha="ab" * 32),
        ),
        "refers to a checklist it does not carry",
    ),
    # item ids
    (
        "item-path",
        _set(_answers, "item_id", "../../etc/passwd"),
        "'../../etc/passwd', which is not an id a checklist can have",
    ),
    (
        "item-not-in-checklist",
        _set(_answers, "item_id", "zz9"),
        "item 'zz9', which is not in checklist 'mini-test'",
    ),
    ("item-50000-bogus", _bogus_items, "which is not in checklist 'mini-test'"),
    (
        "history-item-path",
        _set(
            lambda w, d: [h for h in _history(w, d) if h["action"] == "rating"],
            "field",
            "../../etc/passwd",
        ),
        "changes item '../../etc/passwd', which is not in checklist",
    ),
    ("audit-id-path", _set(_audit, "id", "../../etc/passwd"), "which is not an id this tool makes"),
    ("history-uid-bad", _set(_history, "uid", "x"), "which is not a history entry id"),
    # dates
    ("created-in-future", _set(_audit, "created_at", FUTURE), "which is in the future"),
    ("history-in-future", _set(_history, "at", FUTURE), "which is in the future"),
    (
        "concern-raised-in-future",
        _set(lambda w, d: w.entry(d, w.final)["concerns"], "raised_on", FUTURE[:10]),
        "which is in the future",
    ),
    (
        "manifest-in-future",
        lambda w, d: d["manifest"].update(created_at=FUTURE),
        "its manifest has created_at",
    ),
    (
        "february-30",
        _set(_answers, "updated_at", "2026-02-30T10:00:00.000Z"),
        "which is not a day of the calendar",
    ),
    (
        "month-13",
        _set(_answers, "updated_at", "2026-13-01T10:00:00.000Z"),
        "which is not a date and time",
    ),
    # strings
    (
        "lone-surrogate-note",
        _set(_answers, "note", "Fictional \ud800 note"),
        "not valid text (it holds a lone surrogate)",
    ),
    (
        "lone-surrogate-column-name",
        _surrogate_key,
        "a field name is not valid text (it holds a lone surrogate)",
    ),
    (
        "note-20001",
        _set(_answers, "note", "é" * 20_001),
        "too long (20,001 characters; at most 20,000)",
    ),
    (
        "reviewer-name-201",
        _set(lambda w, d: d["payload"]["reviewers"], "name", "N" * 201),
        "too long (201 characters; at most 200)",
    ),
    ("unknown-column", _set(_audit, "invented_column", "x"), "update the tool"),
    (
        "unknown-column-record",
        _set(_audit, "invented_column", {"a": 1}),
        "with a value this tool cannot keep",
    ),
    (
        "unknown-section",
        lambda w, d: d["payload"].update(scripts=[]),
        "its contents has a field 'scripts' this tool does not know",
    ),
    (
        "reviewer-unknown-field",
        _set(lambda w, d: d["payload"]["reviewers"], "is_local", 1),
        "reviewer 1 has a field 'is_local' this tool does not know",
    ),
    # duplicated ids
    (
        "audit-twice",
        lambda w, d: d["payload"]["audits"].append(copy.deepcopy(w.entry(d, w.draft))),
        "appears twice",
    ),
    (
        "answer-twice",
        lambda w, d: _answers(w, d).append(dict(_answers(w, d)[0])),
        "answers item 'p1' twice",
    ),
    (
        "case-twice",
        lambda w, d: d["payload"]["cases"].append(dict(d["payload"]["cases"][0])),
        "appears twice",
    ),
    (
        "history-uid-twice",
        lambda w, d: _history(w, d).append(dict(_history(w, d)[0])),
        "share an id",
    ),
    # forged amendments of the finalised audit the lead already holds
    (
        "forged-attack-of-issue-17",
        lambda w, d: (_forge_content(w, d), _viewed(w, d)),
        "action 'viewed', which this tool does not know",
    ),
    (
        "forged-amendment-entry-only",
        _forged_with_amendment_entry,
        "with no record of the change in its history",
    ),
    (
        "forged-wrong-old-values",
        _forged_with_wrong_old_values,
        "but its history starts from 'not what is here'",
    ),
]


def _second(change: Callable[[World, dict, dict], None]) -> Change:
    """A change to the genuine amendment (the second bundle) instead of the first."""

    def apply(w: World, d: dict) -> None:
        d.clear()
        d.update(copy.deepcopy(w.second))
        change(w, d, w.entry(d, w.final))

    return apply


def _drop(w: World, e: dict, action: str) -> None:
    """Leave out the amendment's own entries of one action (those the lead has not seen)."""
    e["history"][:] = [h for h in e["history"] if h["action"] != action or h["uid"] in w.first_uids]


def _backdate(w: World, e: dict) -> None:
    for h in e["history"]:
        if h["action"] == "rating" and h["uid"] not in w.first_uids:
            h["at"] = "2026-01-01T00:00:00.000Z"


PAYLOADS += [
    (
        "amendment-without-amended-entry",
        _second(lambda w, d, e: _drop(w, e, "amended")),
        "without an amendment in its history",
    ),
    (
        "amendment-without-rating-entry",
        _second(lambda w, d, e: _drop(w, e, "rating")),
        "the rating of item 'p1' with no record of the change",
    ),
    (
        "amendment-without-summary-entry",
        _second(lambda w, d, e: _drop(w, e, "summary")),
        "its summary with no record of the change",
    ),
    (
        "amendment-without-recommendations-entry",
        _second(lambda w, d, e: _drop(w, e, "recommendations")),
        "its recommendations with no record",
    ),
    (
        "amendment-row-date-not-in-history",
        _second(lambda w, d, e: e["audit"].update(amended_at="2026-11-01T08:00:00.000Z")),
        "amendment date and reason its history does not hold",
    ),
    (
        "amendment-change-before-reopening",
        _second(lambda w, d, e: _backdate(w, e)),
        "made before it was reopened",
    ),
    (
        "amendment-moves-case",
        _second(lambda w, d, e: e["audit"].update(case_id=w.entry(d, w.draft)["audit"]["case_id"])),
        "its case_id, which never changes",
    ),
    (
        "amendment-extra-note-change",
        _second(lambda w, d, e: e["answers"][-1].update(note="Forged as well")),
        "note of item 'q2' with no record of the change",
    ),
]


@pytest.mark.parametrize(("name", "change", "words"), PAYLOADS, ids=[p[0] for p in PAYLOADS])
def test_hostile_bundle_is_refused_and_changes_nothing(world, tmp_path, name, change, words):
    doc = copy.deepcopy(world.first)
    change(world, doc)
    path = world.seal(doc, tmp_path / f"{name}.age")
    lead = tmp_path / "lead.db"
    shutil.copyfile(world.lead, lead)
    before = _hashes(lead)
    refusal = None
    try:  # the CLI's order: the file is read and checked, then the database opened
        bundle = read_bundle(path, identities=[world.secret])
    except BundleRefused as exc:
        refusal = exc
    db = Database.open(lead, PASSPHRASE)
    try:
        if refusal is None:
            with pytest.raises(BundleRefused) as caught:
                import_bundle(db, bundle)
            refusal = caught.value
        after = _dump(db)
    finally:
        db.close()
    message = str(refusal)
    assert words in message, message
    assert "\n" not in message and "nothing was changed" in message.lower(), message
    message.encode("utf-8")  # printable: no lone surrogate is echoed back
    assert after == world.dump
    assert _hashes(lead) == before


def test_the_genuine_amendment_merges(world, tmp_path):
    """The second bundle as the sender made it: amendment, then each change with its old value."""
    lead = tmp_path / "lead.db"
    shutil.copyfile(world.lead, lead)
    path = world.seal(copy.deepcopy(world.second), tmp_path / "second.age")
    with Database.open(lead, PASSPHRASE) as db:
        done = import_bundle(db, read_bundle(path, identities=[world.secret]))
        assert done.ids("updated") == [world.final]
        got = audits.get_audit(db, world.final)
        want = world.amended
        assert (got.status.value, got.amend_reason, got.amended_at) == (
            "finalised",
            "Fictional: a rating was mistyped",
            want.amended_at,
        )
        assert got.ratings == want.ratings and got.ratings["p1"] == "2"
        assert {k: a.note for k, a in got.answers.items()} == {
            k: a.note for k, a in want.answers.items()
        }
        assert (got.summary, got.recommendations) == (want.summary, want.recommendations)
        actions = [h.action for h in audits.history(db, world.final)]
        assert actions.count("amended") == 1 and actions[-1] == "finalised"
        assert audits.status_text(got).startswith("Finalised on")


def test_changed_content_with_no_new_history_is_taken_as_seen_and_lands_nowhere(world, tmp_path):
    """The forged row without any history entry: all its history is here already, so it is
    an older (or the same) version; nothing of its content is written."""
    doc = copy.deepcopy(world.first)
    _forge_content(world, doc)
    path = world.seal(doc, tmp_path / "row-only.age")
    lead = tmp_path / "lead.db"
    shutil.copyfile(world.lead, lead)
    with Database.open(lead, PASSPHRASE) as db:
        done = import_bundle(db, read_bundle(path, identities=[world.secret]))
        assert done.count("unchanged") == len(done.kinds) == 5
        after = _dump(db)
    assert {k: v for k, v in after.items() if k != "exchange_imports"} == {
        k: v for k, v in world.dump.items() if k != "exchange_imports"
    }
    assert len(after["exchange_imports"]) == len(world.dump["exchange_imports"]) + 1


def test_the_attack_through_the_cli_is_one_line_exit_1(world, tmp_path, cli):
    doc = copy.deepcopy(world.first)
    _forge_content(world, doc)
    _viewed(world, doc)
    path = world.seal(doc, tmp_path / "attack.age")
    lead = tmp_path / "lead.db"
    shutil.copyfile(world.lead, lead)
    before = _hashes(lead)
    r = cli("--db", lead, "bundle", "import", path, "--identity", world.key, passphrase=PASSPHRASE)
    assert r.returncode == 1, r
    assert len(r.stderr.strip().splitlines()) == 1, r
    assert "has action 'viewed', which this tool does not know" in r.stderr, r
    assert "Traceback" not in r.stderr and "unexpected error" not in r.stderr
    assert _hashes(lead) == before


def test_a_version_taken_in_a_conflict_travels_on_to_a_third_laptop(tmp_path, mini):
    """Laptops A and B both amend a finalised audit; A takes B's version in the conflict.
    C, holding the version before both amendments, receives A's: its history explains the
    change (B's amendment and rating entries start from what C holds), so it is taken."""
    ident = pyrage.x25519.Identity.generate()
    secret, public = str(ident), str(ident.to_public())
    a, b, c = (Database.create(tmp_path / f"{n}.db", PASSPHRASE) for n in "abc")
    for db, n in ((a, "a"), (b, "b"), (c, "c")):
        audits.set_local_reviewer(db, f"Fictional reviewer {n}")
    case = audits.add_case(a, "FICT-THIRD-0001", "Glenmorven (demo)")
    x = audits.new_audit(a, case.id, mini)
    for item, rating in FULL.items():
        audits.answer(a, x, item, rating)
    audits.finalise(a, x)

    def send(src: Database, to: Database, name: str):
        export_bundle(src, tmp_path / name, recipients=[public])
        return import_bundle(to, read_bundle(tmp_path / name, identities=[secret]))

    send(a, b, "1.age")
    send(a, c, "2.age")
    for db, rating in ((a, "6"), (b, "2")):
        audits.amend(db, x, "Fictional: second look")
        audits.answer(db, x, "p1", rating, f"Fictional: now {rating}")
        audits.finalise(db, x)
    assert send(b, a, "3.age").ids("conflict") == [x]
    from audit_tool.exchange import resolve

    resolve(a, x, take_received=True)
    assert send(a, c, "4.age").ids("updated") == [x]
    got = audits.get_audit(c, x)
    assert (got.ratings["p1"], got.answers["p1"].note, got.status.value) == (
        "2",
        "Fictional: now 2",
        "finalised",
    )
    assert got.amend_reason == audits.get_audit(a, x).amend_reason
    for db in (a, b, c):
        db.close()


def test_everything_the_tool_writes_is_accepted(tmp_path):
    """The other side of the schema: a demo database (every bundled checklist, drafts,
    finalised audits, hidden failing items, recommendations) is sent whole and taken whole."""
    from audit_tool.demo import generate
    from audit_tool.exchange.local_columns import LOCAL_ONLY

    def rows(db: Database) -> dict:
        mine = [r[1] for r in db.query("PRAGMA table_info(audits)") if r[1] not in LOCAL_ONLY]
        return {
            sql: sorted(db.query(sql))
            for sql in (
                f"SELECT {', '.join(mine)} FROM audits",  # noqa: S608 (each laptop works out the rest)
                "SELECT * FROM answers",
                "SELECT audit_id, pos, text, owner, due FROM recommendations",
                "SELECT sha256, source FROM checklist_defs",
                "SELECT uid, audit_id, at, who, action, field, old, new FROM history",
            )
        }

    ident = pyrage.x25519.Identity.generate()
    with Database.create(tmp_path / "demo.db", PASSPHRASE) as db:
        generate(db, 120, seed=11)
        # whole: with identifiers (a bundle without them is anonymised: test_exchange)
        export_bundle(db, tmp_path / "demo.age", recipients=[str(ident.to_public())],
                      include_identifiers=True)
        want = rows(db)
    with Database.create(tmp_path / "lead.db", PASSPHRASE) as lead:
        done = import_bundle(lead, read_bundle(tmp_path / "demo.age", identities=[str(ident)]))
        assert done.count("new") == 120
        assert rows(lead) == want


# -- issue 19: a multiple-choice answer must be a set of that item's options ---------------


@pytest.fixture(scope="module")
def mc_world(tmp_path_factory) -> tuple[World, Path, dict]:
    """A sender with one audit of a checklist holding a multiple-choice item (ticked:
    opioids, alcohol), its bundle as a document, and a lead database that holds nothing."""
    from audit_tool.checklists.loader import load_file

    folder = tmp_path_factory.mktemp("hostile-mc")
    w = World.__new__(World)  # only the keys and seal() are used
    ident = pyrage.x25519.Identity.generate()
    w.secret, w.public = str(ident), str(ident.to_public())
    ma = load_file(Path(__file__).parent / "data" / "multi_anchor.toml")
    with Database.create(folder / "sender.db", PASSPHRASE) as a:
        case = audits.add_case(a, "FICT-HOSTILE-MC-01", "Glenmorven (demo)")
        aid = audits.new_audit(a, case.id, ma)
        audits.answer(a, aid, "subs", "alcohol, opioids", "Fictional toxicology note")
        audits.answer(a, aid, "la-01", "3")
        export_bundle(a, folder / "mc.age", recipients=[w.public])
    lead = folder / "lead.db"
    Database.create(lead, PASSPHRASE).close()
    return w, lead, _decrypt(folder / "mc.age", w.secret)


@pytest.mark.parametrize(
    ("name", "rating", "words"),
    [
        ("mc-bogus-option", "opioids,heroin", "'opioids,heroin', which is not a set of its options"),
        ("mc-option-twice", "opioids,opioids", "which is not a set of its options"),
        ("mc-out-of-order", "alcohol,opioids", "which is not a set of its options"),
        ("mc-none-with-others", "alcohol,none", "which is not a set of its options"),
        ("mc-empty-part", "opioids,,alcohol", "which is not"),
        ("mc-31-options", ",".join(["opioids"] * 31), "which is not"),
        ("mc-upper-case", "Opioids", "which is not"),
    ],
)
def test_hostile_multiple_choice_answer_is_refused(mc_world, tmp_path, name, rating, words):
    w, lead_path, first = mc_world
    doc = copy.deepcopy(first)
    answer = next(a for a in doc["payload"]["audits"][0]["answers"] if a["item_id"] == "subs")
    assert answer["rating"] == "opioids,alcohol"  # the store form the sender wrote
    answer["rating"] = rating
    path = w.seal(doc, tmp_path / f"{name}.age")
    lead = tmp_path / "lead.db"
    shutil.copyfile(lead_path, lead)
    before = _hashes(lead)
    with pytest.raises(BundleRefused) as caught:
        bundle = read_bundle(path, identities=[w.secret])
        with Database.open(lead, PASSPHRASE) as db:
            import_bundle(db, bundle)
    message = str(caught.value)
    assert words in message and "\n" not in message, message
    assert _hashes(lead) == before


def test_the_genuine_multiple_choice_bundle_is_taken(mc_world, tmp_path):
    w, lead_path, first = mc_world
    path = w.seal(copy.deepcopy(first), tmp_path / "mc.age")
    lead = tmp_path / "lead.db"
    shutil.copyfile(lead_path, lead)
    with Database.open(lead, PASSPHRASE) as db:
        import_bundle(db, read_bundle(path, identities=[w.secret]))
        (aid,) = [r[0] for r in db.query("SELECT id FROM audits")]
        got = audits.get_audit(db, aid)
        assert got.ratings["subs"] == "opioids,alcohol"
        scale = got.checklist.definition.scales["substances"]
        assert scale.label_of(got.ratings["subs"]) == "Opioids; Alcohol"
