"""Domain rules for cases, audits and answers, against a real encrypted database."""

from __future__ import annotations

import dataclasses
import inspect

import pytest
import sqlcipher3

from audit_tool import audits
from audit_tool.checklists.loader import load_file
from audit_tool.domain import AuditType, Concern, Phase, Recommendation, Status
from audit_tool.errors import InvalidInput, NotFound, ReadOnlyAudit
from audit_tool.filters import AuditFilter
from audit_tool.findings import findings
from audit_tool.selection import list_audits
from audit_tool.store import Database
from audit_tool.validation import MAX_SHORT, MAX_TEXT

PASSPHRASE = "fictional tartan kettle harbour"
AREA = "Glenmorven (fictional)"


@pytest.fixture
def case(db):
    return audits.add_case(db, "FICTIONAL-CASE-0001", AREA, "Children and Families (fictional)")


@pytest.fixture
def audit_id(db, case, mini):
    return audits.new_audit(db, case.id, mini, phase=Phase.BASELINE)


def _complete(db, audit_id: str) -> None:
    """Answer every required item of the mini checklist (p3 stays hidden: p2 is 'no')."""
    audits.answer(db, audit_id, "p1", "4")
    audits.answer(db, audit_id, "p2", "no")
    audits.answer(db, audit_id, "q1", "5")


def _actions(db, audit_id: str) -> list[tuple[str, str, str | None, str | None]]:
    return [(h.action, h.field, h.old, h.new) for h in audits.history(db, audit_id)]


# -- creating and reading -----------------------------------------------------------------


def test_new_audit_defaults_and_reading_back(db, case, mini, audit_id):
    audit = audits.get_audit(db, audit_id)
    assert audit.status is Status.DRAFT and not audit.read_only
    assert audit.phase is Phase.BASELINE
    assert audit.audit_type is AuditType.THEMATIC_REVIEW  # the checklist's first suggestion
    assert audit.case == case
    assert audit.checklist.sha256 == mini.sha256
    assert audit.answers == {}
    assert audit.reviewer.id == audits.local_reviewer(db).id
    assert _actions(db, audit_id) == [("created", "", None, "mini-test 1.0")]


def test_unknown_case_phase_and_type_are_refused(db, case, mini):
    with pytest.raises(NotFound):
        audits.new_audit(db, "no-such-case", mini)
    with pytest.raises(InvalidInput):
        audits.new_audit(db, case.id, mini, phase="sometime")
    with pytest.raises(InvalidInput):
        audits.new_audit(db, case.id, mini, audit_type="gossip")
    assert list_audits(db) == []
    with pytest.raises(NotFound):
        audits.get_audit(db, "no-such-audit")


def test_answer_rating_by_value_or_label_and_bad_values(db, audit_id):
    change = audits.answer(db, audit_id, "p1", "Good")  # a label is accepted
    assert change.answer.rating == "4" and change.changed
    with pytest.raises(InvalidInput) as exc:
        audits.answer(db, audit_id, "p1", "7")
    assert "'7' is not a level" in str(exc.value) and "4 (Good)" in str(exc.value)
    with pytest.raises(NotFound) as exc:
        audits.answer(db, audit_id, "zz-99", "4")
    assert "zz-99" in str(exc.value)
    with pytest.raises(NotFound):
        audits.answer(db, "no-such-audit", "p1", "4")
    assert audits.get_audit(db, audit_id).ratings == {"p1": "4"}


def test_unchanged_answer_writes_nothing(db, audit_id):
    audits.answer(db, audit_id, "p1", "4", "Fictional evidence.")
    n = len(audits.history(db, audit_id))
    change = audits.answer(db, audit_id, "p1", "4", "Fictional evidence.")
    assert change.changed is False
    assert len(audits.history(db, audit_id)) == n


def test_rating_none_clears_and_note_alone_keeps_rating(db, audit_id):
    audits.answer(db, audit_id, "q1", "5")
    audits.answer(db, audit_id, "q1", note="Only the note changes.")
    a = audits.get_audit(db, audit_id).answers["q1"]
    assert (a.rating, a.note) == ("5", "Only the note changes.")
    audits.answer(db, audit_id, "q1", None)
    a = audits.get_audit(db, audit_id).answers["q1"]
    assert (a.rating, a.note) == (None, "Only the note changes.")
    assert ("q1", "4") not in audits.missing_required(db, audit_id)
    assert "q1" in [m[1] for m in audits.missing_required(db, audit_id)]


# -- finalise, read-only, amend, delete ----------------------------------------------------------


def test_finalise_lists_missing_required_items(db, audit_id):
    with pytest.raises(InvalidInput) as exc:
        audits.finalise(db, audit_id)
    msg = str(exc.value)
    # p3 is conditional (hidden until p2 is yes/partly); q2 is optional
    assert msg.startswith("3 required item(s) have no rating: p1, p2, q1")
    assert "p3" not in msg and "q2" not in msg
    assert [m[1] for m in audits.missing_required(db, audit_id)] == ["p1", "p2", "q1"]
    audits.answer(db, audit_id, "p2", "yes")  # now p3 is shown and required
    assert [m[1] for m in audits.missing_required(db, audit_id)] == ["p1", "p3", "q1"]
    assert audits.get_audit(db, audit_id).status is Status.DRAFT


def test_finalised_audit_is_read_only(db, audit_id):
    _complete(db, audit_id)
    audits.set_summary(db, audit_id, "summary", "Fictional summary.")
    audits.finalise(db, audit_id)
    audit = audits.get_audit(db, audit_id)
    assert audit.status is Status.FINALISED and audit.read_only and audit.finalised_at
    before = (
        audit.answers,
        audit.summary,
        audit.recommendations,
        len(audits.history(db, audit_id)),
    )
    with pytest.raises(ReadOnlyAudit):
        audits.answer(db, audit_id, "p1", "6")
    with pytest.raises(ReadOnlyAudit):
        audits.answer(db, audit_id, "q2", note="late note")
    with pytest.raises(ReadOnlyAudit):
        audits.set_summary(db, audit_id, "summary", "Changed after finalising.")
    with pytest.raises(ReadOnlyAudit):
        audits.set_recommendations(db, audit_id, [Recommendation("Fictional recommendation.")])
    with pytest.raises(ReadOnlyAudit):
        audits.finalise(db, audit_id)
    with pytest.raises(ReadOnlyAudit):
        audits.delete_draft(db, audit_id)
    after = audits.get_audit(db, audit_id)
    assert (
        after.answers,
        after.summary,
        after.recommendations,
        len(audits.history(db, audit_id)),
    ) == before


def test_amend_needs_a_reason_and_is_logged(db, audit_id):
    _complete(db, audit_id)
    with pytest.raises(InvalidInput):
        audits.amend(db, audit_id, "Reopen a draft")  # only finalised audits are amended
    audits.finalise(db, audit_id)
    for reason in ("", "   \n "):
        with pytest.raises(InvalidInput) as exc:
            audits.amend(db, audit_id, reason)
        assert "reason" in str(exc.value).lower()
    assert audits.get_audit(db, audit_id).status is Status.FINALISED
    audits.amend(db, audit_id, "Second reader found a missed chronology (fictional).")
    assert audits.get_audit(db, audit_id).status is Status.DRAFT
    assert _actions(db, audit_id)[-1] == (
        "amended",
        "status",
        "finalised",
        "Second reader found a missed chronology (fictional).",
    )
    audits.answer(db, audit_id, "p1", "6")  # writable again
    audits.finalise(db, audit_id)
    assert [a[0] for a in _actions(db, audit_id)].count("finalised") == 2


def test_only_drafts_are_deleted(db, case, mini, audit_id):
    audits.answer(db, audit_id, "p1", "3", "Fictional note.")
    audits.set_recommendations(db, audit_id, [Recommendation("Fictional recommendation.")])
    audits.delete_draft(db, audit_id)
    with pytest.raises(NotFound):
        audits.get_audit(db, audit_id)
    assert db.query("SELECT * FROM answers WHERE audit_id = ?", (audit_id,)) == []
    assert db.query("SELECT * FROM recommendations WHERE audit_id = ?", (audit_id,)) == []
    assert [h.action for h in audits.history(db, audit_id)][-1] == "deleted"

    kept = audits.new_audit(db, case.id, mini)
    _complete(db, kept)
    audits.finalise(db, kept)
    with pytest.raises(ReadOnlyAudit) as exc:
        audits.delete_draft(db, kept)
    assert "draft" in str(exc.value)
    assert audits.get_audit(db, kept).status is Status.FINALISED


# -- history ---------------------------------------------------------------------------------------


def test_history_is_complete(db, audit_id):
    audits.answer(db, audit_id, "p1", "3", "First fictional note.")
    audits.answer(db, audit_id, "p1", "5")
    audits.answer(db, audit_id, "p1", note="Second fictional note.")
    audits.answer(db, audit_id, "p1", None)
    audits.answer(db, audit_id, "p1", "4")
    audits.answer(db, audit_id, "p2", "no")
    audits.answer(db, audit_id, "q1", "6")
    audits.set_summary(db, audit_id, "strengths", "Fictional strengths.")
    audits.set_recommendations(
        db, audit_id, [Recommendation("Fictional rec.", "Team leader (fictional)")]
    )
    audits.finalise(db, audit_id)
    audits.amend(db, audit_id, "Fictional reason.")
    assert _actions(db, audit_id) == [
        ("created", "", None, "mini-test 1.0"),
        ("rating", "p1", None, "3"),
        ("note", "p1", "", "First fictional note."),
        ("rating", "p1", "3", "5"),
        ("note", "p1", "First fictional note.", "Second fictional note."),
        ("rating", "p1", "5", None),
        ("rating", "p1", None, "4"),
        ("rating", "p2", None, "no"),
        ("rating", "q1", None, "6"),
        ("summary", "strengths", "", "Fictional strengths."),
        ("recommendations", "", "", "Fictional rec. [owner: Team leader (fictional)]"),
        # who finalised it, as named then (issue 17 item 3)
        ("reviewer", "reviewer", None, '{"name": "Reviewer", "role": "", "agency": ""}'),
        ("finalised", "status", "draft", "finalised"),
        ("amended", "status", "finalised", "Fictional reason."),
    ]
    entries = audits.history(db, audit_id)
    assert all(e.at and e.who == audits.local_reviewer(db).name for e in entries)
    assert [e.at for e in entries] == sorted(e.at for e in entries)
    assert [(h.action, h.old, h.new) for h in audits.history(db, audit_id, "p1")][0] == (
        "rating",
        None,
        "3",
    )


def test_history_is_append_only_at_the_sql_level(db, audit_id):
    audits.answer(db, audit_id, "p1", "3")
    n = len(audits.history(db, audit_id))
    with pytest.raises(sqlcipher3.IntegrityError, match="append-only"):
        db.conn.execute("UPDATE history SET new = 'forged' WHERE audit_id = ?", (audit_id,))
    with pytest.raises(sqlcipher3.IntegrityError, match="append-only"):
        db.conn.execute("DELETE FROM history WHERE audit_id = ?", (audit_id,))
    with pytest.raises(sqlcipher3.IntegrityError, match="append-only"):
        db.conn.execute("DELETE FROM history")
    assert len(audits.history(db, audit_id)) == n
    assert audits.history(db, audit_id)[-1].new == "3"


# -- conditional items ------------------------------------------------------------------------------


def test_conditions_show_and_hide_dependents(db, audit_id):
    first = audits.answer(db, audit_id, "p2", "yes")
    assert first.shown == ("p3",) and first.hidden == ()
    audits.answer(db, audit_id, "p3", "6", "Fictional evidence about engagement.")
    hide = audits.answer(db, audit_id, "p2", "no")
    assert hide.hidden == ("p3",) and hide.shown == ()
    audit = audits.get_audit(db, audit_id)
    kept = audit.answers["p3"]
    assert (kept.rating, kept.note, kept.applies) == (
        "6",
        "Fictional evidence about engagement.",
        False,
    )
    assert audits.progress(audit) == (1, 4)  # p2 answered; visible p1, p2, q1, q2
    # hidden by a failing answer, p3 counts as not meeting the standard: its kept "6" does
    # not count (issue 9: hiding never raises a score)
    f = findings(db, AuditFilter(audit_id=audit_id))
    assert {g.key: (g.rated, g.meets) for g in f.by_item} == {"p2": (1, 0), "p3": (1, 0)}
    # the row count of answered items excludes it too
    assert [r.answered for r in list_audits(db)] == [1]
    show = audits.answer(db, audit_id, "p2", "partly")
    assert show.shown == ("p3",)
    assert audits.get_audit(db, audit_id).answers["p3"].applies is True
    f = findings(db, AuditFilter(audit_id=audit_id))
    assert {g.key: (g.rated, g.meets) for g in f.by_item} == {"p2": (1, 0), "p3": (1, 1)}


def test_answering_a_hidden_item_is_kept_but_not_counted(db, audit_id):
    change = audits.answer(db, audit_id, "p3", "6")  # p2 unanswered: p3 is hidden
    assert change.answer.applies is False
    audits.answer(db, audit_id, "p1", "4")
    audits.answer(db, audit_id, "q1", "4")
    audits.answer(db, audit_id, "p2", "not_recorded")
    assert audits.missing_required(db, audit_id) == []
    audits.finalise(db, audit_id)  # hidden p3 does not block finalising
    f = findings(db, AuditFilter(audit_id=audit_id))
    # hidden by p2 "not recorded" (which fails), p3 counts as not met, whatever it holds
    assert {g.key: (g.rated, g.meets) for g in f.by_item}["p3"] == (1, 0)
    assert audits.get_audit(db, audit_id).answers["p3"].rating == "6"


def test_conditions_chain_in_a_bundled_checklist(db, case):
    """Safe & Together: en-01 -> en-02 -> en-03 (a chain of two conditions)."""
    audit_id = audits.new_audit(db, case.id, "safe-together-case-file-audit")
    assert audits.answer(db, audit_id, "en-01", "yes").shown == (
        "en-02",
        "pl-08",
        "pl-09",
    )
    assert audits.answer(db, audit_id, "en-02", "2").shown == ("en-03",)
    audits.answer(db, audit_id, "en-03", "yes")
    change = audits.answer(db, audit_id, "en-01", "no")
    assert set(change.hidden) == {"en-02", "en-03", "pl-08", "pl-09"}
    answers = audits.get_audit(db, audit_id).answers
    assert answers["en-02"].applies is False and answers["en-03"].applies is False
    missing = {m[1] for m in audits.missing_required(db, audit_id)}
    assert not missing & {"en-02", "en-03", "pl-08", "pl-09"}


# -- matters of concern -------------------------------------------------------------------------


def test_matter_of_concern_is_recorded_without_details(db, audit_id):
    params = list(inspect.signature(audits.record_concern).parameters)
    assert params == ["db", "audit_id", "raised_on", "raised_to", "raised_by"]
    assert [f.name for f in dataclasses.fields(Concern)] == [
        "raised_on",
        "raised_to",
        "raised_by",
        "recorded_at",
    ]
    columns = [r[1] for r in db.query("PRAGMA table_info(concerns)")]
    assert columns == ["id", "audit_id", "raised_on", "raised_to", "raised_by", "recorded_at"]
    _complete(db, audit_id)
    audits.finalise(db, audit_id)  # allowed on a finalised audit: raising a concern never waits
    c = audits.record_concern(
        db, audit_id, "2025-03-04", "Duty team (fictional)", "Reviewer (fictional)"
    )
    assert c.recorded_at
    audit = audits.get_audit(db, audit_id)
    assert audit.concerns == (c,)
    assert _actions(db, audit_id)[-1] == (
        "concern",
        "",
        None,
        "raised on 2025-03-04 with Duty team (fictional)",
    )
    with pytest.raises(InvalidInput):
        audits.record_concern(db, audit_id, "", "Duty team (fictional)", "Reviewer (fictional)")


# -- checklist copies --------------------------------------------------------------------------------


def test_audit_keeps_its_checklist_copy_when_the_file_changes(tmp_path, db_path, mini_path):
    path = tmp_path / "local-review.toml"
    original = mini_path.read_text("utf-8")
    path.write_text(original, "utf-8")
    loaded = load_file(path)
    with Database.create(db_path, PASSPHRASE) as db:
        case = audits.add_case(db, "FICTIONAL-COPY-1", AREA)
        old_id = audits.new_audit(db, case.id, loaded)
        audits.answer(db, old_id, "q2", "yes", "Fictional note on the optional item.")
    # the local area edits its file: reworded question, q2 removed, version bumped
    edited = original.replace('version = "1.0"', 'version = "1.1"').replace(
        "Is the pattern of behaviour described?", "Is the pattern of coercive control described?"
    )
    edited = edited[: edited.index('[[themes.items]]\nid = "q2"')]
    path.write_text(edited, "utf-8")
    reloaded = load_file(path)
    assert reloaded.sha256 != loaded.sha256
    with Database.open(db_path, PASSPHRASE) as db:
        old = audits.get_audit(db, old_id)
        assert old.checklist.sha256 == loaded.sha256 == old.checklist.sha256
        assert old.checklist.source == original
        assert old.checklist.version == "1.0"
        assert (
            old.checklist.definition.item("p1").question == "Is the pattern of behaviour described?"
        )
        assert old.answers["q2"].note == "Fictional note on the optional item."
        audits.answer(db, old_id, "q2", "partly")  # the old audit still answers its own items
        new_id = audits.new_audit(db, case.id, reloaded)
        new = audits.get_audit(db, new_id)
        assert new.checklist.version == "1.1"
        with pytest.raises(NotFound):
            audits.answer(db, new_id, "q2", "yes")
        assert {r[1] for r in db.stored_checklists()} == {"mini-test"}
        assert len(db.stored_checklists()) == 2
    path.unlink()  # the file is gone altogether
    with Database.open(db_path, PASSPHRASE) as db:
        assert audits.get_audit(db, old_id).checklist.definition.item_count() == 5


def test_storing_a_checklist_is_idempotent(db, case, mini):
    audits.new_audit(db, case.id, mini)
    audits.new_audit(db, case.id, mini)
    assert len(db.stored_checklists()) == 1
    assert db.query_one("SELECT count(*) FROM checklist_items")[0] == 5


# -- limits and text ------------------------------------------------------------------------------


def test_overlong_text_is_refused_and_nothing_saved(db, case, audit_id):
    too_long = "x" * (MAX_TEXT + 1)
    history_before = _actions(db, audit_id)
    with pytest.raises(InvalidInput) as exc:
        audits.answer(db, audit_id, "p1", "4", too_long)
    msg = str(exc.value)
    assert "Evidence note is too long" in msg and f"{MAX_TEXT:,}" in msg and "\n" not in msg
    with pytest.raises(InvalidInput, match="too long"):
        audits.set_summary(db, audit_id, "summary", too_long)
    with pytest.raises(InvalidInput, match="too long"):
        audits.set_recommendations(db, audit_id, [Recommendation(too_long)])
    with pytest.raises(InvalidInput, match="Case reference is too long"):
        audits.add_case(db, "R" * (MAX_SHORT + 1), AREA)
    audit = audits.get_audit(db, audit_id)
    assert audit.answers == {} and audit.summary == "" and audit.recommendations == ()
    assert _actions(db, audit_id) == history_before
    assert len(audits.list_cases(db)) == 1
    # exactly at the limit is fine
    audits.answer(db, audit_id, "p1", "4", "y" * MAX_TEXT)
    assert len(audits.get_audit(db, audit_id).answers["p1"].note) == MAX_TEXT


def test_empty_required_text_is_refused(db):
    with pytest.raises(InvalidInput, match="cannot be empty"):
        audits.add_case(db, "   ", AREA)
    with pytest.raises(InvalidInput, match="cannot be empty"):
        audits.add_case(db, "FICTIONAL-1", "")
    with pytest.raises(InvalidInput):
        audits.set_summary(db, "whatever", "not_a_field", "text")


NON_LATIN = [
    "Tha an clàr a' sealltainn pàtran smachd (Gàidhlig).",
    "Zażółć gęślą jaźń — notatka fikcyjna.",
    "ملاحظة خيالية عن السجل",
    "虚构的案例记录",
    "Emoji too: 👩‍👧 ✅",
]


@pytest.mark.parametrize("text", NON_LATIN)
def test_non_latin_text_round_trips(db, db_path, text):
    case = audits.add_case(db, f"FIKCYJNA-{text[:10]}", f"Àite {text[:5]}", agency=text[:50])
    audit_id = audits.new_audit(db, case.id, "thematic-perpetrators-as-parents")
    audits.answer(db, audit_id, "pp-16", "yes", text)
    audits.set_summary(db, audit_id, "summary", text)
    audits.set_recommendations(db, audit_id, [Recommendation(text, owner=text[:20])])
    db.close()
    with Database.open(db_path, PASSPHRASE) as again:
        audit = audits.get_audit(again, audit_id)
        assert audit.answers["pp-16"].note == text
        assert audit.summary == text
        assert audit.recommendations[0].text == text
        assert audit.case.reference == f"FIKCYJNA-{text[:10]}"
        assert audit.case.agency == text[:50]
        assert audits.history(again, audit_id, "pp-16")[-1].new == text


def test_nul_characters_are_removed(db, audit_id):
    audits.answer(db, audit_id, "p1", "4", "before\x00after")
    assert audits.get_audit(db, audit_id).answers["p1"].note == "beforeafter"


def test_summary_recommendations_and_reviewer(db, audit_id):
    me = audits.set_local_reviewer(
        db, "Reviewer Morag (fictional)", "Team leader", "Fictional agency"
    )
    audits.set_summary(db, audit_id, "improvements", "Name the behaviour (fictional).")
    audits.set_recommendations(
        db,
        audit_id,
        [
            Recommendation("  First (fictional).  ", "Owner A", "2025-06"),
            Recommendation("   "),  # blank ones are dropped
            Recommendation("Second (fictional)."),
        ],
    )
    audit = audits.get_audit(db, audit_id)
    assert audit.improvements == "Name the behaviour (fictional)."
    assert audit.recommendations == (
        Recommendation("First (fictional).", "Owner A", "2025-06"),
        Recommendation("Second (fictional)."),
    )
    assert audits.history(db, audit_id)[-1].who == me.name == "Reviewer Morag (fictional)"


def test_answered_count_stays_true_through_any_sequence_of_changes(db, mini):
    """The list's progress count is kept incrementally on the autosave path: it must always
    equal a fresh count of the rated, visible answers."""
    import random

    from audit_tool.selection import list_audits

    case = audits.add_case(db, "FICT-COUNT", "Glenmorven (fictional)")
    audit_id = audits.new_audit(db, case.id, mini)
    d = audits.get_audit(db, audit_id).checklist.definition
    rng = random.Random(5)
    for _ in range(120):
        item = rng.choice([i for _, i in d.items()])
        levels = [lv.value for lv in d.scale_of(item).levels] + [None]
        audits.answer(db, audit_id, item.id, rng.choice(levels))
        audit = audits.get_audit(db, audit_id)
        expected = sum(1 for a in audit.answers.values() if a.rating and a.applies)
        assert list_audits(db)[0].answered == expected
