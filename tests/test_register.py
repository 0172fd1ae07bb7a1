"""The release register (issue 18): near-duplicate releases refused with one line naming the
earlier release; the register listed by `audit-tool releases`; append only; release periods.

All data is synthetic and clearly fictional.
"""

from __future__ import annotations

import json
from datetime import date

import pytest

from audit_tool import demo
from audit_tool.cli import releases as cli_releases
from audit_tool.disclosure.register import (
    ReleaseRefused,
    check_release,
    merge_register,
    record_release,
    register_for_bundle,
    releases,
    snap_period,
)
from audit_tool.errors import InvalidInput
from audit_tool.store import Database

PASSPHRASE = "fictional tartan kettle harbour"


@pytest.fixture
def filled(db):
    demo.generate(db, 60, seed=7)
    return db


def _finalised(db, phase=None):
    sql = "SELECT id FROM audits WHERE status = 'finalised'"
    if phase:
        sql += f" AND phase = '{phase}'"
    return [r[0] for r in db.query(sql + " ORDER BY created_at, id")]


def _release(db, ids, recipient="Steering group (fictional)", selection="all finalised", **kw):
    return record_release(db, ids, kind=kw.pop("kind", "report"), selection=selection,
                          recipient=recipient, who="Reviewer A (fictional)", **kw)


def test_one_more_audit_is_refused_naming_the_earlier_release(filled):
    ids = _finalised(filled)
    first = _release(filled, ids[:-1], at="2026-11-02T10:00:00Z", selection="to 2026-11-01")
    with pytest.raises(ReleaseRefused) as e:
        _release(filled, ids, recipient="Board (fictional)", selection="to 2026-11-03")
    msg = str(e.value)
    assert "\n" not in msg
    assert "differ by 1 from the report released on 2026-11-02 to Steering group (fictional)" in msg
    assert "(to 2026-11-01)" in msg
    assert "release the same selection, or wait until 4 more audits are finalised" in msg
    assert [r.id for r in releases(filled)] == [first.id]  # nothing recorded


def test_overlapping_sets_neither_wider_are_refused(filled):
    """Windows 'to D' and 'from D-x' overlap: the sets differ both ways, by 3 in all."""
    ids = _finalised(filled)
    _release(filled, ids[:30])
    with pytest.raises(ReleaseRefused, match="differ by 3"):
        _release(filled, ids[2:31])
    with pytest.raises(ReleaseRefused):
        check_release(filled, ids[1:30])  # any earlier release, not only a wider one


def test_same_set_and_sets_five_apart_are_allowed(filled):
    ids = _finalised(filled)
    _release(filled, ids[:30])
    _release(filled, list(reversed(ids[:30])), recipient="Board (fictional)")  # the same set
    _release(filled, ids[:35])  # five more
    _release(filled, ids[:30], kind="restricted dataset", restricted=True)
    assert len(releases(filled)) == 4
    # a restricted release is never compared: its recipient holds the records already
    _release(filled, ids[:31], kind="restricted dataset", restricted=True)
    with pytest.raises(ReleaseRefused):
        _release(filled, ids[:31])  # but an anonymised one still is, against the others


def test_recipient_is_required_and_the_register_is_append_only(filled):
    with pytest.raises(InvalidInput, match="recipient"):
        _release(filled, _finalised(filled), recipient="  ")
    _release(filled, _finalised(filled))
    with pytest.raises(Exception, match="append-only"), filled.atomic() as c:
        c.execute("DELETE FROM releases")
    with pytest.raises(Exception, match="append-only"), filled.atomic() as c:
        c.execute("UPDATE release_audits SET audit_id = 'x'")


def test_register_travels_and_a_received_release_is_checked_too(filled, tmp_path):
    ids = _finalised(filled)
    _release(filled, ids[:20], recipient="Lead's board (fictional)")
    rows = register_for_bundle(filled)
    with Database.create(tmp_path / "other.db", PASSPHRASE) as other:
        with other.atomic() as c:
            assert merge_register(c, rows) == 1
            assert merge_register(c, rows) == 0  # the same file twice adds nothing
        assert releases(other)[0].recipient == "Lead's board (fictional)"
        with pytest.raises(ReleaseRefused, match="Lead's board"):
            check_release(other, ids[:21])
        bad = [{**rows[0], "audit_ids": rows[0]["audit_ids"][1:]}]  # digest no longer matches
        with pytest.raises(InvalidInput), other.atomic() as c:
            merge_register(c, [{**rows[0], "id": "new"}, *bad])
        assert len(releases(other)) == 1  # nothing of the bad file written


def test_releases_command_table_and_json(filled, capsys):
    from audit_tool.cli import build_parser

    parser = build_parser()
    args = parser.parse_args(["releases"])
    assert cli_releases.show_releases(args, filled) == 0
    assert capsys.readouterr().out.strip() == "No releases recorded."
    ids = _finalised(filled)
    _release(filled, ids[:25], at="2026-11-02T10:00:00Z", selection="area Glenmorven")
    with pytest.raises(ReleaseRefused) as refused:
        _release(filled, ids[:26])
    print(refused.value)
    args = parser.parse_args(["releases"])
    assert cli_releases.show_releases(args, filled) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("Refused: these 26 audits differ by 1")
    assert out[1].startswith("2026-11-02 10:00  report") and "25 audits" in out[1]
    assert "to Steering group (fictional)" in out[1] and "(area Glenmorven)" in out[1]
    args = parser.parse_args(["releases", "--json"])
    assert cli_releases.show_releases(args, filled) == 0
    data = json.loads(capsys.readouterr().out)
    assert data[0]["audit_count"] == 25 and data[0]["restricted"] is False
    assert "audit_ids" not in data[0]  # the ids stay in the encrypted database


def test_snap_period_to_months_and_quarters():
    start, end, said = snap_period(date(2026, 3, 10), date(2026, 3, 20))
    assert (start, end) == (date(2026, 3, 1), date(2026, 3, 31))
    assert "whole months" in said and "2026-03-10 to 2026-03-20" in said
    # "to D" and "to D+2" are one release
    assert snap_period(None, date(2026, 2, 3))[:2] == snap_period(None, date(2026, 2, 5))[:2]
    assert snap_period(None, date(2024, 2, 5))[1] == date(2024, 2, 29)
    start, end, said = snap_period(date(2026, 5, 2), date(2026, 11, 1), "quarter")
    assert (start, end) == (date(2026, 4, 1), date(2026, 12, 31)) and "quarters" in said
    assert snap_period(date(2026, 1, 1), date(2026, 1, 31))[2] == ""  # nothing changed
    with pytest.raises(InvalidInput):
        snap_period(None, None, "week")


def test_guarded_release_of_the_real_dataset_file(filled, tmp_path):
    """The dataset's audits go through the register: a restricted file is recorded with
    its recipient; a second anonymised file one audit short is refused and not written."""
    from audit_tool.dataset import build_dataset, write_dataset
    from audit_tool.disclosure.register import guarded_release
    from audit_tool.filters import AuditFilter

    ds = build_dataset(filled, AuditFilter(), restricted=True)
    written = guarded_release(
        filled, ds.audit_ids, lambda: write_dataset(ds, "xlsx", tmp_path / "r.xlsx"),
        kind="restricted dataset", selection=ds.selection, recipient="Analyst A (fictional)",
        who="Reviewer A (fictional)", restricted=True)
    assert [p.name for p in written] == ["r_Restricted.xlsx"]
    anon = build_dataset(filled, AuditFilter())
    assert sorted(anon.audit_ids) == sorted(ds.audit_ids) == sorted(_finalised(filled))
    guarded_release(filled, anon.audit_ids, lambda: write_dataset(anon, "csv", tmp_path / "a.csv"),
                    kind="dataset", selection=anon.selection, recipient="Board (fictional)",
                    who="Reviewer A (fictional)")
    with pytest.raises(ReleaseRefused):
        guarded_release(filled, anon.audit_ids[1:], lambda: write_dataset(anon, "csv", tmp_path / "b.csv"),
                        kind="dataset", selection="one fewer", recipient="Board (fictional)",
                        who="Reviewer A (fictional)")
    assert not list(tmp_path.glob("b*.csv"))
    assert [(r.kind, r.restricted) for r in releases(filled)] == [
        ("restricted dataset", True), ("dataset", False)]


def test_cli_releases_need_a_recipient_refusal_is_exit_1_and_periods_snap(tmp_path, cli):
    """The whole route as a user meets it: `export report` without --recipient is a usage
    error (2); with one it is written and recorded, its dates widened to whole months and
    the report says so; a near-duplicate is refused in one line (1) and nothing is written;
    `releases` lists what was released."""
    from docx import Document

    db = tmp_path / "cli.db"
    assert cli("--db", db, "demo", "--audits", "60", "--seed", "7").returncode == 0
    out = tmp_path / "r.docx"
    r = cli("--db", db, "export", "report", "--format", "docx", "--out", out)
    assert r.returncode == 2 and r.stderr.strip() == (
        "audit-tool: export report needs --recipient NAME: the release register records who it is for.")
    assert not out.exists()
    r = cli("--db", db, "export", "report", "--format", "docx", "--out", out, "--to", "2025-06-14",
            "--recipient", "Steering group (fictional)")
    assert r.returncode == 0, r
    text = "\n".join(p.text for p in Document(str(out)).paragraphs)
    assert ("Dates are released in whole months: the dates asked for (the start to 2025-06-14) "
            "were widened to the start to 2025-06-30.") in text
    # "to D" and "to D+2" are the same release now: allowed, the same audits
    r = cli("--db", db, "export", "report", "--format", "docx", "--out", tmp_path / "r2.docx",
            "--to", "2025-06-16", "--recipient", "Board (fictional)")
    assert r.returncode == 0, r
    r = cli("--db", db, "releases", "--json")
    first, second = json.loads(r.stdout)
    assert first["selection"] == second["selection"] == "to 2025-06-30"
    assert first["audit_count"] == second["audit_count"]
    r = cli("--db", db, "releases")
    print(r.stdout)
    assert r.returncode == 0 and len(r.stdout.strip().splitlines()) == 2
    assert "report" in r.stdout and "to Steering group (fictional)" in r.stdout
    # an earlier release of all finalised audits but one: the full report is refused, exit 1
    with Database.open(db, PASSPHRASE) as opened:
        ids = _finalised(opened)
        _release(opened, ids[1:], at="2026-11-02T10:00:00Z", selection="all but one (fictional)")
    r = cli("--db", db, "export", "report", "--format", "pdf", "--out", tmp_path / "all.pdf",
            "--recipient", "Board (fictional)")
    assert r.returncode == 1 and r.stderr.strip() == (
        f"audit-tool: Refused: these {len(ids)} audits differ by 1 from the report released on "
        "2026-11-02 to Steering group (fictional) (all but one (fictional)), so the two could be "
        "subtracted to identify it: release the same selection, or wait until 4 more audits are "
        "finalised.")
    assert not (tmp_path / "all.pdf").exists()
    r = cli("--db", db, "releases")
    print(r.stdout)
    assert len(r.stdout.strip().splitlines()) == 3


def test_identifiable_report_is_a_restricted_release_recorded_not_compared(filled, tmp_path):
    from audit_tool.export import release_report
    from audit_tool.filters import AuditFilter

    ids = _finalised(filled)
    _release(filled, ids[1:], at="2026-11-02T10:00:00Z")
    out = release_report(filled, AuditFilter(), "docx", tmp_path / "named.docx",
                         recipient="Named practitioner (fictional)", include_identifiers=True,
                         who="Reviewer A (fictional)")
    assert out.exists()
    rel = releases(filled)[-1]
    assert (rel.kind, rel.restricted, rel.recipient) == (
        "restricted report", True, "Named practitioner (fictional)")
    everything = filled.query_one("SELECT count(*) FROM audits")[0]
    assert rel.audit_count == everything  # drafts too: it names every audit
    with pytest.raises(ReleaseRefused):  # the anonymised one is still compared
        release_report(filled, AuditFilter(), "docx", tmp_path / "anon.docx",
                       recipient="Board (fictional)", who="Reviewer A (fictional)")
    assert not (tmp_path / "anon.docx").exists()
