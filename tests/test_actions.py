"""Recommendations tracked as actions (issue 20, item 6): status, body and the item answered,
changeable after the audit is finalised, every change in the history; the report's actions
section with its figures worked out by hand; the CLI.

All data is synthetic and clearly fictional.
"""

from __future__ import annotations

import json
from datetime import date

import pytest

from audit_tool import audits, demo
from audit_tool.actions import Action, actions_of, set_action
from audit_tool.disclosure.rules import HIDDEN, LESS
from audit_tool.domain import Recommendation
from audit_tool.errors import InvalidInput, ReadOnlyAudit
from audit_tool.findings.records import Recommendation as Held
from audit_tool.history import entries
from audit_tool.reports.actions import actions_section
from audit_tool.reports.model import KeyValue, Paragraph, Table

PASSPHRASE = "fictional tartan kettle harbour"


def _answer_all(db, audit_id: str) -> None:
    d = audits.get_audit(db, audit_id).checklist.definition
    for _, item in d.items():
        if item.show_when and not d.visible(item, audits.get_audit(db, audit_id).ratings):
            continue
        audits.answer(db, audit_id, item.id, "4" if item.scale == "quality" else "yes")


@pytest.fixture
def finalised(db, mini):
    case = audits.add_case(db, "FICT-ACT-1", "Glenmorven (fictional)")
    audit_id = audits.new_audit(db, case.id, mini, phase="baseline")
    audits.set_recommendations(db, audit_id, [
        Recommendation("Use the chronology template (fictional)", "Team leader", "2026-01-31"),
        Recommendation("Invite the father to the core group (fictional)", "Social worker", ""),
    ])
    _answer_all(db, audit_id)
    audits.finalise(db, audit_id)
    return audit_id


def test_status_body_and_link_change_after_finalising_with_a_history_entry(db, finalised):
    changes = set_action(db, finalised, 1, status="In Progress", body="vawp", link="p2")
    assert changes.touches(finalised)
    got = actions_of(db, finalised)
    assert got[0] == Action(0)  # never set: open, no body, no link
    assert (got[1].status, got[1].body, got[1].link) == ("in progress", "VAWP", "p2")
    last = entries(db, finalised)[-1]
    assert (last.action, last.field, last.old, last.new) == (
        "action", "recommendation 2", "open · no body · no link", "in progress · VAWP · answers p2")
    # the status moves on; the time it moved is kept, and not moved by a body change
    set_action(db, finalised, 1, status="done")
    done_at = actions_of(db, finalised)[1].status_at
    set_action(db, finalised, 1, body="CPC")
    assert actions_of(db, finalised)[1].status_at == done_at
    # the same again changes nothing and logs nothing
    n = len(entries(db, finalised))
    assert not set_action(db, finalised, 1, body="CPC").any
    assert len(entries(db, finalised)) == n
    # the recommendations themselves stay frozen with the finalised audit
    with pytest.raises(ReadOnlyAudit):
        audits.set_recommendations(db, finalised, [Recommendation("Changed (fictional)", "", "")])


@pytest.mark.parametrize(("kw", "pos", "says"), [
    ({"status": "finished"}, 0, "Unknown status 'finished': use one of open, in progress, done, dropped."),
    ({"body": "council"}, 0, "Unknown body 'council': use one of CPC, VAWP, ADP, service (or leave it empty)."),
    ({"link": "zz-99"}, 0, "No item 'zz-99' in this audit's checklist (its items are p1, p2, p3, q1, ...)."),
    ({"status": "done"}, 2, "This audit has 2 recommendations: there is no number 3."),
])
def test_bad_input_is_one_line_and_writes_nothing(db, finalised, kw, pos, says):
    before = len(entries(db, finalised))
    with pytest.raises(InvalidInput) as e:
        set_action(db, finalised, pos, **kw)
    assert str(e.value) == says
    assert len(entries(db, finalised)) == before
    assert actions_of(db, finalised) == {0: Action(0), 1: Action(1)}


def test_tracking_moves_with_its_recommendation_when_a_draft_is_edited(db, mini):
    case = audits.add_case(db, "FICT-ACT-2", "Glenmorven (fictional)")
    aid = audits.new_audit(db, case.id, mini)
    a, b, c = (Recommendation(t, "", "") for t in ("A (fictional)", "B (fictional)", "C (fictional)"))
    audits.set_recommendations(db, aid, [a, b, c])
    set_action(db, aid, 1, status="done")
    set_action(db, aid, 2, body="CPC")
    audits.set_recommendations(db, aid, [b, c])  # the first removed: the others move up
    got = actions_of(db, aid)
    assert (got[0].status, got[0].body, got[1].status, got[1].body) == ("done", "", "open", "CPC")
    audits.set_recommendations(db, aid, [Recommendation("B, reworded (fictional)", "", ""), c])
    assert actions_of(db, aid)[0].status == "done"  # edited in place: its tracking stays


def _held(audit: str, body: str, status: str, due: str = "", at: str | None = None, link: str = ""):
    return Held(audit, "A recommendation (fictional)", "", due, status, body, link, at)


def test_the_section_counts_by_hand_with_suppression():
    after, before = "2026-11-20T10:00:00Z", "2026-10-01T10:00:00Z"
    recs = (
        # CPC: 6 open (2 overdue, 5 linked), 1 in progress, 7 done (5 after the last release)
        [_held(f"a{i}", "CPC", "open", "2026-10-31" if i <= 2 else "2027-01-31",
               link="p1" if i <= 5 else "") for i in range(1, 7)]
        + [_held("a12", "CPC", "in progress")]
        + [_held(f"a{i}", "CPC", "done", at=after) for i in range(7, 12)]
        + [_held(f"a{i}", "CPC", "done", at=before) for i in (13, 14)]
        # VAWP: 2 open (a row on 2 audits); a service: 5 open, all overdue
        + [_held(f"b{i}", "VAWP", "open") for i in (1, 2)]
        + [_held(f"c{i}", "service", "open", "30/06/2026") for i in range(1, 6)]
    )
    blocks = actions_section(recs, "2026-11-01T09:00:00Z", date(2026, 12, 7))
    table = next(b for b in blocks if isinstance(b, Table))
    assert table.columns == ["Body responsible", "Open", "In progress", "Done", "Dropped", "All"]
    # CPC: in progress rests on 1 audit ('<5'); the row's total (14) would give it back, so
    # the next-smallest cell (open, 6) is held back too. VAWP rests on 2 audits: hidden whole;
    # the rows add up to the 21 recommendations, so the next-smallest row (a service, 5) too.
    assert table.rows == [
        ["CPC", HIDDEN, LESS, "7", "0", "14"],
        ["VAWP", HIDDEN, HIDDEN, HIDDEN, HIDDEN, LESS],
        ["A service", HIDDEN, HIDDEN, HIDDEN, HIDDEN, HIDDEN],
    ]
    rows = dict(next(b for b in blocks if isinstance(b, KeyValue)).rows)
    assert rows["Overdue"] == "7 (open or in progress, due before 7 December 2026)"  # a1, a2, c1-c5
    assert rows["Done since the last report"] == "5 (released 1 November 2026)"  # a7-a11
    assert rows["Linked to the item they answer"] == "5"


def test_the_section_without_an_earlier_release_or_recommendations():
    blocks = actions_section([_held(f"a{i}", "", "open") for i in range(5)], None, date(2026, 12, 7))
    rows = dict(next(b for b in blocks if isinstance(b, KeyValue)).rows)
    assert rows["Done since the last report"] == (
        "No earlier report on this checklist is in the release register")
    assert next(b for b in blocks if isinstance(b, Table)).rows == [["Not given", "5", "0", "0", "0", "5"]]
    none = actions_section([], None, date(2026, 12, 7))
    assert isinstance(none[-1], Paragraph) and "no actions to track" in none[-1].text


def test_cli_tracks_a_finalised_audit_and_the_report_counts_it(cli, tmp_path):
    from pypdf import PdfReader

    path = tmp_path / "demo.db"
    assert cli("--db", path, "demo", "--audits", "60", "--seed", "3").returncode == 0
    listed = json.loads(cli("--db", path, "audit", "list", "--json").stdout)
    with_rec = None
    for a in listed:
        if a["status"] != "finalised":
            continue
        recs = json.loads(cli("--db", path, "audit", "recommendation", "list", a["id"], "--json").stdout)
        if recs:
            with_rec = a["id"]
            break
    assert with_rec is not None
    r = cli("--db", path, "audit", "recommendation", "status", with_rec, "1", "--status", "dropped",
            "--body", "ADP")
    assert r.returncode == 0, r
    assert r.stdout.strip() == "Recommendation 1: dropped · ADP · no link"
    bad = cli("--db", path, "audit", "recommendation", "status", with_rec, "1", "--status", "later")
    assert bad.returncode != 0 and bad.stderr.strip() == (
        "audit-tool: Unknown status 'later': use one of open, in progress, done, dropped.")
    assert json.loads(cli("--db", path, "audit", "recommendation", "list", with_rec, "--json")
                      .stdout)[0]["status"] == "dropped"
    hist = cli("--db", path, "audit", "history", with_rec).stdout
    assert "recommendation 1" in hist and "dropped · ADP · no link" in hist
    out = tmp_path / "r.pdf"
    r = cli("--db", path, "export", "report", "--format", "pdf", "--out", out, "--recipient",
            "Steering group (fictional)")
    assert r.returncode == 0, r
    text = "\n".join(p.extract_text() for p in PdfReader(out).pages)
    assert "Actions on the recommendations" in text
    assert "No earlier report on this checklist is in the release register" in text
    # the same selection again: now there is a last report to count from
    r = cli("--db", path, "export", "report", "--format", "pdf", "--out", out, "--recipient",
            "Steering group (fictional)")
    assert r.returncode == 0, r
    text = " ".join("\n".join(p.extract_text() for p in PdfReader(out).pages).split())
    assert "No earlier report on this checklist" not in text
    assert f"(released {date.today().day} {date.today().strftime('%B %Y')})" in text


def test_demo_recommendations_are_tracked(db):
    demo.generate(db, 40, seed=5)
    n = db.query_one("SELECT count(*) FROM recommendations")[0]
    tracked = db.query_one("SELECT count(*) FROM recommendation_actions")[0]
    assert n > 0 and tracked == n


def test_tracking_travels_in_a_bundle_and_the_newer_change_wins(tmp_path, mini):
    import pyrage

    from audit_tool.exchange import export_bundle, import_bundle, read_bundle
    from audit_tool.store import Database

    ident = pyrage.x25519.Identity.generate()
    secret, public = str(ident), str(ident.to_public())
    a = Database.create(tmp_path / "a.db", PASSPHRASE)
    b = Database.create(tmp_path / "b.db", PASSPHRASE)
    try:
        audits.set_local_reviewer(a, "Fictional reviewer A")
        audits.set_local_reviewer(b, "Fictional reviewer B")
        case = audits.add_case(a, "FICT-ACT-9", "Glenmorven (fictional)")
        aid = audits.new_audit(a, case.id, mini)
        audits.set_recommendations(a, aid, [Recommendation("Fictional recommendation", "", "")])
        _answer_all(a, aid)
        audits.finalise(a, aid)
        set_action(a, aid, 0, status="in progress", body="CPC", link="q1")

        def send(src, name):
            export_bundle(src, tmp_path / name, recipients=[public], include_identifiers=True)
            return read_bundle(tmp_path / name, identities=[secret])

        import_bundle(b, send(a, "1.age"))
        got = actions_of(b, aid)[0]
        assert (got.status, got.body, got.link) == ("in progress", "CPC", "q1")
        set_action(b, aid, 0, status="done")  # later, on the lead's laptop
        import_bundle(a, send(b, "2.age"))
        assert actions_of(a, aid)[0].status == "done"
        import_bundle(b, send(a, "3.age"))  # the older tracking does not come back
        assert actions_of(b, aid)[0].status == "done"
    finally:
        a.close()
        b.close()


def test_a_bundle_with_wrong_tracking_is_refused_in_one_line():
    from audit_tool.actions import check_actions

    row = {"audit_id": "6607b121-e8ed-45eb-9c58-dac9c66b5f9f", "pos": 0, "status": "finished",
           "body": "", "link": "", "status_at": "2026-12-01T10:00:00Z",
           "updated_at": "2026-12-01T10:00:00Z"}
    with pytest.raises(InvalidInput) as e:
        check_actions([row])
    assert str(e.value) == ("The file's recommendation tracking is not valid: status: Input should "
                            "be 'open', 'in progress', 'done' or 'dropped'.")
    with pytest.raises(InvalidInput):
        check_actions([{**row, "status": "done", "link": "p1'; DROP TABLE x"}])
