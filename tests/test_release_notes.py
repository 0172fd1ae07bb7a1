"""The lead's notes for a release (issue 20, item 4): checked against their limits with one
clear line, kept with the release in the register (append only), the next release of the
same checklist starting from them, passed to the report builder; the CLI's flags.

All data is synthetic and clearly fictional.
"""

from __future__ import annotations

import pytest

from audit_tool import demo
from audit_tool.disclosure.register import last_report, record_release, releases
from audit_tool.errors import InvalidInput
from audit_tool.export import release_report
from audit_tool.filters import AuditFilter
from audit_tool.notes_input import counts_deaths, make_notes, read_commentary
from audit_tool.reports import build
from audit_tool.reports.notes import ReleaseNotes
from audit_tool.store import Database

PASSPHRASE = "fictional tartan kettle harbour"
DEATHS = "gendered-drug-alcohol-death-review"


@pytest.mark.parametrize(("args", "says"), [
    (("x" * 501, (), None), "The commentary is longer than 500 characters."),
    (("", ["a"] * 6, None), "Give at most 5 decisions sought."),
    (("", ["d" * 121], None), "A decision sought is longer than 120 characters."),
    (("", (), "-1"), "The number of deaths in the period must be a whole number from 0."),
    (("", (), "thirty"), "The number of deaths in the period must be a whole number, not 'thirty'."),
])
def test_limits_are_one_clear_line(args, says):
    with pytest.raises(InvalidInput) as e:
        make_notes(*args)
    assert str(e.value) == says


def test_blank_decisions_are_dropped_and_text_trimmed():
    notes = make_notes("  Fictional commentary.\n", ["Agree the template", "  ", ""], " 31 ")
    assert notes == ReleaseNotes("Fictional commentary.", ("Agree the template",), 31)
    assert make_notes("", (), "") == ReleaseNotes()


def test_commentary_file_utf8_with_bom_and_crlf(tmp_path):
    good = tmp_path / "c.txt"
    good.write_bytes("\ufeffFirst line – fictional.\r\nSecond line.\r\n".encode())
    assert read_commentary(good) == "First line – fictional.\nSecond line."
    bad = tmp_path / "latin.txt"
    bad.write_bytes("Caf\xe9".encode("latin-1"))
    with pytest.raises(InvalidInput) as e:
        read_commentary(bad)
    assert str(e.value) == ("The commentary file latin.txt is not UTF-8 text: save it as UTF-8 "
                            "(plain text) and try again.")
    with pytest.raises(InvalidInput, match=r"^Cannot read the commentary file nope.txt"):
        read_commentary(tmp_path / "nope.txt")


@pytest.fixture
def filled(db):
    demo.generate(db, 80, seed=11)
    return db


def _ids(db, checklist=None):
    sql = "SELECT id FROM audits WHERE status = 'finalised'"
    params: tuple = ()
    if checklist:
        sql += " AND checklist_id = ?"
        params = (checklist,)
    return [r[0] for r in db.query(sql, params)]


def test_notes_kept_under_the_earlier_longer_limits_still_load_and_are_refused_until_shortened(filled):
    """The limits were lowered (2,000 and 300 characters before) so that page 1 fits: notes
    the register kept under the old ones load, and the next release asks for them shorter."""
    db = filled
    old = ReleaseNotes.kept("Fictional commentary. " * 80, ("d" * 300,), 31)
    record_release(db, _ids(db, DEATHS), kind="report", selection="death reviews",
                   recipient="ADP (fictional)", who="Lead (fictional)",
                   at="2026-03-02T10:00:00Z", notes=old, checklist_id=DEATHS)
    got = last_report(db, DEATHS)[1]
    assert got.commentary == old.commentary and got.decisions == ("d" * 300,)
    with pytest.raises(InvalidInput, match="longer than 500 characters"):
        make_notes(got.commentary, got.decisions, got.deaths_in_period)


def test_the_register_keeps_notes_and_the_last_release_of_the_checklist_gives_them_back(filled):
    db = filled
    assert last_report(db, DEATHS) is None
    first = ReleaseNotes("March commentary (fictional).", ("Agree routine enquiry",), 31)
    rel = record_release(db, _ids(db, DEATHS), kind="report", selection="death reviews",
                         recipient="ADP (fictional)", who="Lead (fictional)",
                         at="2026-03-02T10:00:00Z", notes=first, checklist_id=DEATHS)
    later = ReleaseNotes("June commentary (fictional).", ("Fund the pathway", "Agree the template"), 35)
    record_release(db, _ids(db, DEATHS), kind="report", selection="death reviews",
                   recipient="ADP (fictional)", who="Lead (fictional)",
                   at="2026-06-02T10:00:00Z", notes=later, checklist_id=DEATHS)
    # a release over every checklist, and a dataset: neither is the death reviews' last report
    record_release(db, _ids(db), kind="report", selection="all", recipient="CPC (fictional)",
                   who="Lead (fictional)", at="2026-07-01T10:00:00Z", notes=ReleaseNotes("All."))
    record_release(db, _ids(db, DEATHS), kind="dataset", selection="death reviews",
                   recipient="Analyst (fictional)", who="Lead (fictional)", at="2026-08-01T10:00:00Z")
    got = last_report(db, DEATHS)
    assert got is not None
    assert got[1] == later and got[0].released_at == "2026-06-02T10:00:00Z"
    assert last_report(db, None)[1] == ReleaseNotes("All.")
    # kept as the register is: append only
    import sqlcipher3

    with pytest.raises(sqlcipher3.IntegrityError, match="append-only"), db.atomic() as c:
        c.execute("UPDATE release_notes SET commentary = 'changed' WHERE release_id = ?", (rel.id,))


def test_release_report_passes_the_notes_to_the_builder_and_keeps_them(filled, tmp_path, monkeypatch):
    seen = []
    real = build.build_aggregate_report

    def keep(data, *args, **kw):  # the builder gets what page 1 prints
        seen.append(data.notes)
        return real(data, *args, **kw)

    monkeypatch.setattr(build, "build_aggregate_report", keep)
    notes = ReleaseNotes("Fictional commentary.", ("Agree the template",), 12)
    release_report(filled, AuditFilter(checklist_id=DEATHS), "docx", tmp_path / "r.docx",
                   recipient="ADP (fictional)", who="Lead (fictional)", notes=notes)
    assert seen == [notes]
    assert last_report(filled, DEATHS)[1] == notes


def test_counts_deaths_only_for_a_death_review(filled):
    assert counts_deaths(filled, AuditFilter(checklist_id=DEATHS))
    assert not counts_deaths(filled, AuditFilter(checklist_id="safe-together-case-file-audit"))
    assert not counts_deaths(filled, AuditFilter())
    assert counts_deaths(filled, AuditFilter(audit_type="drug_alcohol_death_review"))


def test_cli_flags_keep_the_notes_and_bad_input_writes_nothing(cli, tmp_path):
    path = tmp_path / "demo.db"
    assert cli("--db", path, "demo", "--audits", "80", "--seed", "11").returncode == 0
    text = tmp_path / "commentary.txt"
    text.write_text("Reviews now ask about abuse more often (fictional).\n", encoding="utf-8")
    out = tmp_path / "r.pdf"
    base = ("--db", path, "export", "report", "--format", "pdf", "--out", out, "--recipient",
            "ADP (fictional)", "--checklist", DEATHS)
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\xff\xfe\x00b\x00a\x00d")
    r = cli(*base, "--commentary-file", bad)
    assert r.returncode != 0 and r.stderr.strip() == (
        "audit-tool: The commentary file bad.txt is not UTF-8 text: save it as UTF-8 (plain text) "
        "and try again.")
    r = cli(*base, *[a for i in range(6) for a in ("--decision", f"Decision {i}")])
    assert r.returncode != 0 and r.stderr.strip() == "audit-tool: Give at most 5 decisions sought."
    assert not out.exists()
    r = cli(*base, "--commentary-file", text, "--decision", "Agree routine enquiry",
            "--decision", "Fund the overdose pathway", "--deaths-in-period", "31")
    assert r.returncode == 0, r
    db = Database.open(path, PASSPHRASE)
    try:
        assert len(releases(db)) == 1  # the refused attempts recorded nothing
        assert last_report(db, DEATHS)[1] == ReleaseNotes(
            "Reviews now ask about abuse more often (fictional).",
            ("Agree routine enquiry", "Fund the overdose pathway"), 31)
    finally:
        db.close()
