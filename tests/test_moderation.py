"""Double reading and moderation (issue 10): second readings, blind reading, moderation,
and findings that count a finalised moderation in place of its readings.

The figures are worked by hand from the mini checklist (tests/fixtures/mini.toml): on the
quality scale 6, 5 and 4 meet the standard; on the evidence scale only 'yes' does.
  reading A (Ann): p1 6, p2 yes, p3 6, q1 1, q2 no   -> meets 3 of 5
  reading B (Bea): p1 6, p2 yes, p3 5, q1 4, q2 yes  -> meets 5 of 5
  moderation:      p1 6, p2 yes, p3 6, q1 4, q2 no   -> meets 4 of 5
All data is fictional.
"""

from __future__ import annotations

import json

import pytest
import sqlcipher3

from audit_tool import audits, moderation
from audit_tool.errors import InvalidInput, NotFound, ReadOnlyAudit
from audit_tool.filters import AuditFilter
from audit_tool.findings import findings
from audit_tool.selection import list_audits

A = {"p1": "6", "p2": "yes", "p3": "6", "q1": "1", "q2": "no"}
B = {"p1": "6", "p2": "yes", "p3": "5", "q1": "4", "q2": "yes"}


def _rate(db, audit_id, ratings):
    for item, value in ratings.items():
        audits.answer(db, audit_id, item, value)


@pytest.fixture
def pair(db, mini):
    """Two finalised readings of one case file: Ann's (this laptop) and Bea's."""
    ann = audits.set_local_reviewer(db, "Ann Reader (fictional)")
    bea = moderation.add_reviewer(db, "Bea Reader (fictional)")
    case = audits.add_case(db, "REF-MOD-1", "Testshire (fictional)")
    first = audits.new_audit(db, case.id, mini)
    _rate(db, first, A)
    audits.finalise(db, first)
    second = moderation.start_second_reading(db, first, bea.id)
    _rate(db, second, B)
    audits.finalise(db, second)
    return db, first, second, ann, bea


def _overall(db, flt=None):
    f = findings(db, flt or AuditFilter())
    return f.audits, f.overall.rated, f.overall.meets


def test_second_reading_is_a_new_draft_of_the_same_file_for_another_reader(db, mini):
    audits.set_local_reviewer(db, "Ann Reader (fictional)")
    bea = moderation.add_reviewer(db, "Bea Reader (fictional)")
    case = audits.add_case(db, "REF-MOD-2", "Testshire (fictional)")
    first = audits.new_audit(db, case.id, mini, phase="post_training")
    second = moderation.start_second_reading(db, first, bea.id)
    a, b = audits.get_audit(db, first), audits.get_audit(db, second)
    assert b.status.value == "draft" and b.answers == {}
    assert (b.case.id, b.checklist.sha256, b.phase, b.audit_type) == (
        a.case.id,
        a.checklist.sha256,
        a.phase,
        a.audit_type,
    )
    assert b.reviewer.name == "Bea Reader (fictional)"
    assert [r.audit_id for r in moderation.readings(db, first)] == [first, second]
    assert moderation.readings(db, second) == moderation.readings(db, first)


def test_second_reading_refuses_the_same_reader(db, mini):
    me = audits.set_local_reviewer(db, "Ann Reader (fictional)")
    case = audits.add_case(db, "REF-MOD-3", "Testshire (fictional)")
    first = audits.new_audit(db, case.id, mini)
    with pytest.raises(InvalidInput, match="needs a different reader"):
        moderation.start_second_reading(db, first, me.id)
    with pytest.raises(NotFound):
        moderation.start_second_reading(db, first, "no-such-reviewer")
    bea = moderation.add_reviewer(db, "Bea Reader (fictional)")
    second = moderation.start_second_reading(db, first, bea.id)
    with pytest.raises(InvalidInput, match="Bea Reader [(]fictional[)] did this reading"):
        moderation.start_second_reading(db, second, bea.id)  # from her own reading
    with pytest.raises(InvalidInput, match="already read this case file"):
        moderation.start_second_reading(db, first, bea.id)
    assert len(list_audits(db)) == 2  # nothing written by the refusals


def test_reviewer_profiles_by_name(db):
    audits.set_local_reviewer(db, "Ann Reader (fictional)")
    bea = moderation.reviewer_named(db, "Bea Reader (fictional)")  # made on first use
    assert moderation.reviewer_named(db, "  bea reader (FICTIONAL) ") == bea
    with pytest.raises(InvalidInput, match="already a reader called"):
        moderation.add_reviewer(db, "BEA READER (fictional)")
    with pytest.raises(InvalidInput, match="cannot be empty"):
        moderation.add_reviewer(db, "   ")
    long_name = "Ōkami " + "読" * 150
    assert moderation.add_reviewer(db, long_name).name == long_name
    names = [r.name for r in moderation.reviewers(db)]
    assert names[0] == "Ann Reader (fictional)"  # this laptop's own first
    assert set(names) == {"Ann Reader (fictional)", "Bea Reader (fictional)", long_name}


def test_reading_is_blind_while_it_is_a_draft(db, mini):
    ann = audits.set_local_reviewer(db, "Ann Reader (fictional)")
    bea = moderation.add_reviewer(db, "Bea Reader (fictional)")
    case = audits.add_case(db, "REF-MOD-4", "Testshire (fictional)")
    other_case = audits.add_case(db, "REF-MOD-5", "Testshire (fictional)")
    first = audits.new_audit(db, case.id, mini)
    unrelated = audits.new_audit(db, other_case.id, mini)
    _rate(db, first, A)
    audits.finalise(db, first)
    second = moderation.start_second_reading(db, first, bea.id)
    assert moderation.readings_blind_for(db, bea.id) == {first}
    assert moderation.blind_message(db, bea.id, first).startswith(
        "You are reading this case file blind"
    )
    assert moderation.blind_message(db, bea.id, second) is None  # her own
    assert moderation.blind_message(db, bea.id, unrelated) is None  # another file
    # Ann's reading is finalised; her draft of another case closes nothing of this file
    assert moderation.readings_blind_for(db, ann.id) == set()
    _rate(db, second, B)
    audits.finalise(db, second)
    assert moderation.readings_blind_for(db, bea.id) == set()


def test_blind_is_per_file_and_per_reader(db, mini):
    ann = audits.set_local_reviewer(db, "Ann Reader (fictional)")
    bea = moderation.add_reviewer(db, "Bea Reader (fictional)")
    case = audits.add_case(db, "REF-MOD-6", "Testshire (fictional)")
    first = audits.new_audit(db, case.id, mini)  # Ann's, still a draft
    second = moderation.start_second_reading(db, first, bea.id)
    # both drafts: each reader sees only her own
    assert moderation.readings_blind_for(db, ann.id) == {second}
    assert moderation.readings_blind_for(db, bea.id) == {first}
    # the same case in another phase is another file
    later = audits.new_audit(db, case.id, mini, phase="follow_up", reviewer_id=bea.id)
    assert later not in moderation.readings_blind_for(db, ann.id)


def test_moderation_starts_with_the_agreed_items_and_needs_reasons_where_they_differ(pair):
    db, first, second, _, _ = pair
    cat = moderation.add_reviewer(db, "Cat Lead (fictional)")
    mod = moderation.start_moderation(db, [first, second], cat.id)
    m = moderation.get_moderation(db, mod)
    assert m.lead.name == "Cat Lead (fictional)" and m.status == "draft"
    assert [r.audit_id for r in m.readings] == [first, second]
    rows = {i.item_id: i for i in m.items}
    assert [i.item_id for i in m.items] == ["p1", "p2", "p3", "q1", "q2"]
    assert rows["p3"].ratings == ("6", "5") and rows["p3"].labels == ("Excellent", "Very good")
    assert {k for k, r in rows.items() if r.disagree} == {"p3", "q1", "q2"}
    assert (rows["p1"].agreed, rows["p2"].agreed) == ("6", "yes")  # agreed by both, filled in
    assert rows["q1"].agreed is None and rows["q1"].agreed_label == "—"
    assert audits.get_audit(db, mod).audit_type.value == "moderation"

    _rate(db, mod, {"p3": "6", "q1": "4", "q2": "no"})
    with pytest.raises(InvalidInput) as refused:
        audits.finalise(db, mod)
    assert str(refused.value) == (
        "Give a reason for the agreed rating where the readings disagreed: p3, q1, q2."
    )
    assert audits.get_audit(db, mod).status.value == "draft"
    for item, reason in (
        ("p3", "Both good; the record names him as a father throughout."),
        ("q1", "The plan does ask him to attend a programme (page 4)."),
        ("q2", "  "),
    ):
        audits.answer(db, mod, item, note=reason)
    with pytest.raises(InvalidInput, match="disagreed: q2[.]$"):
        audits.finalise(db, mod)  # a blank reason is no reason
    audits.answer(db, mod, "q2", note="Nothing recorded about his substance use.")
    audits.finalise(db, mod)
    assert moderation.get_moderation(db, mod).status == "finalised"


def test_moderation_refuses_misuse_in_one_line_and_writes_nothing(pair, mini):
    db, first, second, _, bea = pair
    before = len(list_audits(db))
    with pytest.raises(InvalidInput, match="two or more readings"):
        moderation.start_moderation(db, [first])
    with pytest.raises(InvalidInput, match="two or more readings"):
        moderation.start_moderation(db, [first, first])
    with pytest.raises(NotFound):
        moderation.start_moderation(db, [first, "no-such-audit"])
    other = audits.new_audit(db, audits.add_case(db, "REF-MOD-7", "Elsewhere (fictional)").id, mini)
    with pytest.raises(InvalidInput, match="not readings of the same case file"):
        moderation.start_moderation(db, [first, other])
    third = moderation.start_second_reading(
        db, first, moderation.add_reviewer(db, "Dee Reader (fictional)").id
    )
    with pytest.raises(InvalidInput, match="still a draft"):
        moderation.start_moderation(db, [first, third])
    assert len(list_audits(db)) == before + 2  # the two audits made here, no moderation
    mod = moderation.start_moderation(db, [first, second])
    with pytest.raises(InvalidInput, match="already in moderation"):
        moderation.start_moderation(db, [second, first])
    with pytest.raises(InvalidInput, match="is a moderation"):
        moderation.start_moderation(db, [mod, first])
    with pytest.raises(InvalidInput, match="not a reading"):
        moderation.start_second_reading(db, mod, bea.id)


def test_findings_count_a_finalised_moderation_in_place_of_its_readings(pair):
    db, first, second, _, _ = pair
    # two finalised readings: 3 + 5 of 10 answers meet the standard
    assert _overall(db) == (2, 10, 8)
    mod = moderation.start_moderation(db, [first, second])
    _rate(db, mod, {"p3": "6", "q1": "4", "q2": "no"})
    for item in ("p3", "q1", "q2"):
        audits.answer(db, mod, item, note="Agreed at moderation (fictional).")
    # a draft moderation does not count yet; its readings still do
    assert _overall(db) == (2, 10, 8)
    audits.finalise(db, mod)
    # now one audit of the file, at 4 of 5
    assert _overall(db) == (1, 5, 4)
    assert _overall(db, AuditFilter(status="finalised")) == (1, 5, 4)
    # agreement statistics still see the readings (and the moderation) with the flag
    assert _overall(db, AuditFilter(include_superseded=True)) == (3, 15, 12)
    readings_only = AuditFilter(include_superseded=True, audit_type="thematic_review")
    assert _overall(db, readings_only) == (2, 10, 8)
    # a report on the readings' audit type counts the moderation as of that type
    assert _overall(db, AuditFilter(audit_type="thematic_review")) == (1, 5, 4)
    assert _overall(db, AuditFilter(audit_type="moderation")) == (1, 5, 4)
    assert _overall(db, AuditFilter(audit_type="case_file_audit")) == (0, 0, 0)
    # one audit asked for by id is always found: a reading's own report still has figures
    assert _overall(db, AuditFilter(audit_id=first)) == (1, 5, 3)
    # the audit list shows all three
    assert {r.id for r in list_audits(db)} == {first, second, mod}
    by_theme = {g.key: (g.rated, g.meets) for g in findings(db, AuditFilter()).by_theme}
    assert by_theme == {"pattern": (3, 3), "planning": (2, 1)}


def test_an_amended_moderation_gives_its_readings_back(pair):
    db, first, second, _, _ = pair
    mod = moderation.start_moderation(db, [first, second])
    _rate(db, mod, {"p3": "6", "q1": "4", "q2": "no"})
    for item in ("p3", "q1", "q2"):
        audits.answer(db, mod, item, note="Agreed (fictional).")
    audits.finalise(db, mod)
    audits.amend(db, mod, "A reader asked to look again (fictional).")
    assert _overall(db) == (2, 10, 8)
    # a reading reopened meanwhile must be finalised again before the moderation
    audits.amend(db, first, "Typing slip (fictional).")
    with pytest.raises(InvalidInput, match="reopened for amendment"):
        audits.finalise(db, mod)
    audits.finalise(db, first)
    audits.finalise(db, mod)
    assert _overall(db) == (1, 5, 4)


def test_a_finalised_moderation_keeps_its_readings_in_the_database_itself(pair):
    db, first, second, _, _ = pair
    mod = moderation.start_moderation(db, [first, second])
    _rate(db, mod, {"p3": "6", "q1": "4", "q2": "no"})
    for item in ("p3", "q1", "q2"):
        audits.answer(db, mod, item, note="Agreed (fictional).")
    audits.finalise(db, mod)
    for sql in (
        "DELETE FROM moderation_sources WHERE moderation_id = ?",
        "UPDATE moderation_sources SET reading_id = reading_id WHERE moderation_id = ?",
    ):
        with pytest.raises(sqlcipher3.IntegrityError), db.atomic() as c:
            c.execute(sql, (mod,))
    assert moderation.sources(db, mod) == [first, second]
    with pytest.raises(ReadOnlyAudit):
        audits.answer(db, mod, "q1", "1")


def test_deleting_a_draft_moderation_frees_its_readings(pair):
    db, first, second, _, _ = pair
    mod = moderation.start_moderation(db, [first, second])
    audits.delete_draft(db, mod)
    assert moderation.sources(db, mod) == []
    again = moderation.start_moderation(db, [first, second])
    assert moderation.sources(db, again) == [first, second]


# -- the command line ---------------------------------------------------------------------


@pytest.fixture
def db_closed_with_readings(db_path, passphrase, mini):
    """A database on disk with two finalised readings, closed so the CLI can open it."""
    from audit_tool.store import Database

    db = Database.create(db_path, passphrase)
    audits.set_local_reviewer(db, "Ann Reader (fictional)")
    case = audits.add_case(db, "REF-CLI-1", "Testshire (fictional)")
    first = audits.new_audit(db, case.id, mini)
    _rate(db, first, A)
    audits.finalise(db, first)
    db.close()
    return first


def test_cli_second_reading_and_moderation(cli, db_path, db_closed_with_readings):
    first = db_closed_with_readings
    same = cli("--db", db_path, "reading", "second", first)
    assert same.returncode == 1 and same.stderr.count("\n") == 1
    assert "needs a different reader" in same.stderr
    made = cli("--db", db_path, "reading", "second", first, "--reviewer", "Bea Reader (fictional)")
    assert made.returncode == 0, made
    second = made.stdout.strip()
    for item, value in B.items():
        assert (
            cli("--db", db_path, "audit", "answer", second, item, "--rating", value).returncode == 0
        )
    early = cli("--db", db_path, "moderation", "start", first, second)
    assert (
        early.returncode == 1 and "still a draft" in early.stderr and early.stderr.count("\n") == 1
    )
    assert cli("--db", db_path, "audit", "finalise", second).returncode == 0
    one = cli("--db", db_path, "moderation", "start", first)
    assert one.returncode == 1 and "two or more readings" in one.stderr
    assert cli("--db", db_path, "moderation", "start").returncode == 2
    started = cli(
        "--db", db_path, "moderation", "start", first, second, "--lead", "Cat Lead (fictional)"
    )
    assert started.returncode == 0, started
    mod = started.stdout.strip()

    shown = cli("--db", db_path, "moderation", "show", mod)
    assert shown.returncode == 0, shown
    lines = shown.stdout.splitlines()
    assert "lead reader Cat Lead (fictional)" in lines[0]
    assert "3 item(s) where the readings differ (marked DIFFERS)" in shown.stdout
    q1 = next(line for line in lines if line.strip().startswith("q1"))
    assert "DIFFERS" in q1 and "A: Unsatisfactory" in q1 and "B: Good" in q1 and "agreed: —" in q1
    p1 = next(line for line in lines if line.strip().startswith("p1"))
    assert "DIFFERS" not in p1 and "agreed: Excellent" in p1

    for item, value in (("p3", "6"), ("q1", "4"), ("q2", "no")):
        cli("--db", db_path, "audit", "answer", mod, item, "--rating", value)
    refused = cli("--db", db_path, "audit", "finalise", mod)
    assert refused.returncode == 1 and refused.stderr.count("\n") == 1
    assert "where the readings disagreed: p3, q1, q2." in refused.stderr
    for item in ("p3", "q1", "q2"):
        note = cli(
            "--db", db_path, "audit", "answer", mod, item, "--note", "Agreed — 合意 (fictional)"
        )
        assert note.returncode == 0
    assert cli("--db", db_path, "audit", "finalise", mod).returncode == 0

    data = json.loads(cli("--db", db_path, "moderation", "show", mod, "--json").stdout)
    assert data["status"] == "finalised" and data["disagreements"] == 3
    assert [r["reviewer"] for r in data["readings"]] == [
        "Ann Reader (fictional)",
        "Bea Reader (fictional)",
    ]
    q1 = next(i for i in data["items"] if i["id"] == "q1")
    assert q1["ratings"] == ["1", "4"] and q1["agreed"] == "4" and q1["disagree"] is True
    assert q1["reason"] == "Agreed — 合意 (fictional)"

    found = json.loads(cli("--db", db_path, "findings", "--json").stdout)
    assert found["audits"] == 1
    rated = sum(t["rated"] for t in found["by_theme"])
    meets = sum(t["meets"] for t in found["by_theme"])
    assert (rated, meets) == (5, 4)
    listed = json.loads(cli("--db", db_path, "audit", "list", "--json").stdout)
    assert len(listed) == 3


def test_cli_moderation_misuse_is_one_line(cli, db_path, db_closed_with_readings):
    first = db_closed_with_readings
    for args, text in (
        (("moderation", "show", first), "is not a moderation"),
        (("moderation", "show", "no-such-id"), "No audit with id no-such-id"),
        (("reading", "second", "no-such-id", "--reviewer", "Bea"), "No audit with id no-such-id"),
        (("reading", "second", first, "--reviewer", "  "), "cannot be empty"),
        (("moderation", "start", first, "no-such-id"), "No audit with id no-such-id"),
    ):
        out = cli("--db", db_path, *args)
        assert out.returncode == 1, out
        assert text in out.stderr and out.stderr.count("\n") == 1, out


def test_an_audit_merely_typed_moderation_counts_as_any_audit(db, mini_path):
    """A checklist may offer 'moderation' as a type in New audit; such an audit names no
    readings and is counted like any other, draft or finalised."""
    from audit_tool.checklists.loader import parse

    text = mini_path.read_text("utf-8").replace(
        'audit_types = ["thematic_review"]', 'audit_types = ["moderation"]'
    )
    typed = parse(text, "mini-moderation.toml")
    case = audits.add_case(db, "REF-MOD-8", "Testshire (fictional)")
    audit_id = audits.new_audit(db, case.id, typed)
    assert audits.get_audit(db, audit_id).audit_type.value == "moderation"
    _rate(db, audit_id, A)
    assert _overall(db) == (1, 5, 3)  # a draft, counted (no readings stand behind it)
    audits.finalise(db, audit_id)  # no readings: nothing needs a reason
    assert _overall(db) == (1, 5, 3)


def test_a_second_readers_changes_are_logged_under_her_name(pair):
    """On a shared laptop the history names the reader of the audit, not the laptop's usual
    reviewer: Bea's reading (rated in the fixture) shows Bea against every rating."""
    db, first, second, ann, bea = pair
    whos = {w for (w,) in db.query("SELECT who FROM history WHERE audit_id = ?", (second,))}
    assert whos == {bea.name}
    assert {w for (w,) in db.query("SELECT who FROM history WHERE audit_id = ?", (first,))} == {
        ann.name
    }
