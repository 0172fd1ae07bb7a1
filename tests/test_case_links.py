"""One case file, one record, across laptops (issue 17 item 4, the bundle part): a received
case whose reference, however typed, matches a case here in the same area is that case.
Real SQLCipher files, real age bundles; synthetic, clearly fictional data."""

from __future__ import annotations

from pathlib import Path

from audit_tool import audits, moderation
from audit_tool.exchange import export_bundle, import_bundle, plan, read_bundle
from audit_tool.findings.agreement import agreement
from audit_tool.store import Database
from tests.test_exchange import _laptop, keys  # noqa: F401 (keys: a fixture)

PASSPHRASE = "fictional case link heron quay"
AREA = "Glenmorven (fictional)"
HERE_REF, THERE_REF = "SW/2026/0417", "sw 2026 0417"
LINE = f"Case {HERE_REF} here matches received {THERE_REF!r}: readings linked (1 audit)."
FIRST = {"p1": "5", "p2": "yes", "p3": "4", "q1": "3", "q2": "no"}
SECOND = {"p1": "5", "p2": "partly", "p3": "4", "q1": "6", "q2": "no"}


def _reading(
    db: Database, mini, ref: str, ratings: dict, area: str = AREA, finalise: bool = True
) -> str:
    case = audits.add_case(db, ref, area)
    audit_id = audits.new_audit(db, case.id, mini)
    for item, rating in ratings.items():
        audits.answer(db, audit_id, item, rating, f"Fictional note for {item}")
    if finalise:
        audits.finalise(db, audit_id)
    return audit_id


def _send(db: Database, path: Path, public: str, identifiers: bool = True) -> Path:
    export_bundle(db, path, include_identifiers=identifiers, recipients=[public])
    return path


def _case_of(db: Database, audit_id: str) -> tuple[str, str]:
    return db.query_one(
        "SELECT c.id, c.reference FROM audits a JOIN cases c ON c.id = a.case_id WHERE a.id = ?",
        (audit_id,),
    )


def test_a_received_case_typed_another_way_is_the_case_here(tmp_path, mini, keys):  # noqa: F811 (the keys fixture)
    secret, public = keys
    lead, other = _laptop(tmp_path, "lead"), _laptop(tmp_path, "other")
    mine = _reading(lead, mini, HERE_REF, FIRST)
    theirs = _reading(other, mini, THERE_REF, SECOND)
    here_case = _case_of(lead, mine)[0]
    bundle = read_bundle(_send(other, tmp_path / "o.age", public), identities=[secret])

    preview = plan(lead, bundle)
    assert LINE in preview.lines()
    assert "Cases: 0 new." in " ".join(preview.lines())
    assert lead.query_one("SELECT count(*) FROM cases")[0] == 1  # the preview changed nothing

    done = import_bundle(lead, bundle)
    assert done.ids("new") == [theirs] and LINE in done.lines()
    # the received audit is attached to the case here; no second case was made
    assert _case_of(lead, theirs) == (here_case, HERE_REF)
    assert lead.query("SELECT id FROM cases") == [(here_case,)]
    assert lead.integrity_problems() == []
    # the two readings of the one file now meet: agreement counts one file read twice ...
    [found] = agreement(lead).checklists
    assert (found.files, found.readings) == (1, 2)
    assert [r.audit_id for r in moderation.readings(lead, mine)] == [mine, theirs]
    # ... and they can be moderated together
    mod = moderation.start_moderation(lead, [mine, theirs])
    assert sorted(moderation.sources(lead, mod)) == sorted([mine, theirs])
    # the sender's later version of the same audit arrives linked the same way
    audits.amend(other, theirs, "Fictional correction after the panel")
    audits.answer(other, theirs, "q1", "5", "Fictional corrected note")
    audits.finalise(other, theirs)
    again = import_bundle(lead, read_bundle(_send(other, tmp_path / "o2.age", public),
                                            identities=[secret]))
    assert again.ids("updated") == [theirs] and LINE in again.lines()
    assert _case_of(lead, theirs)[0] == here_case
    assert audits.get_audit(lead, theirs).ratings["q1"] == "5"
    assert lead.query_one("SELECT count(*) FROM cases")[0] == 1

    # back the other way: the sender's laptop links the lead's reading to its own case
    back = import_bundle(other, read_bundle(_send(lead, tmp_path / "l.age", public),
                                            identities=[secret]))
    there_case = _case_of(other, theirs)[0]
    assert f"Case {THERE_REF} here matches received {HERE_REF!r}" in " ".join(back.lines())
    assert _case_of(other, mine) == (there_case, THERE_REF)
    assert other.query_one("SELECT count(*) FROM cases")[0] == 1
    assert other.integrity_problems() == []
    lead.close()
    other.close()


def test_two_cases_here_with_the_same_key_keep_the_received_one_apart(tmp_path, mini, keys):  # noqa: F811 (the keys fixture)
    secret, public = keys
    lead, other = _laptop(tmp_path, "lead"), _laptop(tmp_path, "other")
    mine = _reading(lead, mini, HERE_REF, FIRST)
    # a database from before New case recognised references may hold two spellings
    lead.conn.execute(
        "INSERT INTO cases (id, reference, pseudonym, area, agency, team, created_at)"
        " VALUES ('00000000-0000-4000-8000-000000000417', 'SW-2026-0417', 'Case OLD417', ?, '',"
        " '', '2025-01-01T00:00:00+00:00')",
        (AREA,),
    )
    theirs = _reading(other, mini, THERE_REF, SECOND)
    done = import_bundle(lead, read_bundle(_send(other, tmp_path / "o.age", public),
                                           identities=[secret]))
    text = "\n".join(done.lines())
    assert (
        f"Received case {THERE_REF!r} kept as received: 2 cases here in {AREA} match it "
        f"(SW-2026-0417, {HERE_REF}), so it is linked to neither." in text
    )
    assert "Cases: 1 new." in text
    assert _case_of(lead, theirs)[1] == THERE_REF  # kept as received, its own case
    assert _case_of(lead, theirs)[0] != _case_of(lead, mine)[0]
    assert lead.query_one("SELECT count(*) FROM cases")[0] == 3
    lead.close()
    other.close()


def test_no_link_across_areas_or_without_references(tmp_path, mini, keys):  # noqa: F811 (the keys fixture)
    secret, public = keys
    lead, other = _laptop(tmp_path, "lead"), _laptop(tmp_path, "other")
    mine = _reading(lead, mini, HERE_REF, FIRST)
    # finalised: received first without identifiers (timestamps cut to the day), later with
    # them, each is the same audit made precise, not a change (exchange/precision.py)
    elsewhere = _reading(other, mini, THERE_REF, SECOND, "Kilbrannan (fictional)")
    unnamed = _reading(other, mini, "SW 2026 0417", SECOND)
    # without references nothing can be matched: new cases, and no line about them
    done = import_bundle(lead, read_bundle(_send(other, tmp_path / "n.age", public, False),
                                           identities=[secret]))
    assert not [line for line in done.lines() if "matches" in line or "kept" in line]
    assert lead.query_one("SELECT count(*) FROM cases")[0] == 3
    # the same cases later with references: the other area's case is another case file
    # (its reference is added); the one already here without its reference cannot be
    # joined to the case here (finalised audits keep their case), so it is not named
    # by the same reference and the preview says the two stay apart; both audits take
    # their exact times (finalised: no amendment needed, the same audits)
    done = import_bundle(lead, read_bundle(_send(other, tmp_path / "r.age", public),
                                           identities=[secret]))
    text = "\n".join(done.lines())
    assert sorted(done.refined) == sorted([elsewhere, unnamed]), text
    assert (
        "1 finalised audit received earlier without identifiers: its references and times "
        "added (the same audit, not a change)."
    ) in text, text
    assert (
        "1 finalised audit received earlier without identifiers: its times added (the same "
        "audit, not a change); its case stays apart, see below."
    ) in text, text
    for aid in (elsewhere, unnamed):
        stamps = lead.query_one("SELECT created_at, finalised_at FROM audits WHERE id = ?", (aid,))
        assert stamps == other.query_one(
            "SELECT created_at, finalised_at FROM audits WHERE id = ?", (aid,)
        )
        assert not stamps[0].endswith("T00:00:00Z")
    assert (
        "Received case 'SW 2026 0417' came earlier without its reference; case "
        f"{HERE_REF} here has the same reference, so it is not added and the two stay apart"
    ) in text, text
    assert "1 case reference(s) added" in text, text
    assert _case_of(lead, elsewhere)[1] == THERE_REF
    assert _case_of(lead, unnamed)[1] == ""
    assert _case_of(lead, mine)[1] == HERE_REF
    # a third file naming the case still links to the one case here named by it
    third = _laptop(tmp_path, "third")
    theirs = _reading(third, mini, "sw-2026-0417", SECOND)
    done = import_bundle(lead, read_bundle(_send(third, tmp_path / "t.age", public),
                                           identities=[secret]))
    assert _case_of(lead, theirs) == _case_of(lead, mine)
    lead.close()
    other.close()
    third.close()


def test_cli_bundle_import_says_which_case_was_linked(tmp_path, mini, keys, cli):  # noqa: F811 (the keys fixture)
    secret, public = keys
    lead_path = tmp_path / "lead.db"
    lead = Database.create(lead_path, PASSPHRASE)
    audits.set_local_reviewer(lead, "Fictional lead")
    _reading(lead, mini, HERE_REF, FIRST)
    lead.close()
    other = _laptop(tmp_path, "other")
    _reading(other, mini, THERE_REF, SECOND)
    _send(other, tmp_path / "o.age", public)
    other.close()
    key = tmp_path / "lead.key"
    key.write_text(secret + "\n")
    for extra, last in ((["--dry-run"], "Dry run: nothing was changed."), ([], "Imported.")):
        r = cli("--db", lead_path, "bundle", "import", tmp_path / "o.age", "--identity", key,
                *extra, passphrase=PASSPHRASE)
        assert r.returncode == 0, r
        out = r.stdout.splitlines()
        assert LINE in out and out[-1] == last, r
    lead = Database.open(lead_path, PASSPHRASE)
    assert lead.query_one("SELECT count(*) FROM cases")[0] == 1
    lead.close()
