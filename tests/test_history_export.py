"""The audit trail as a file (issue 23 item 3): a real encrypted database, real changes made
through the core, exported as CSV and XLSX and read back (csv, openpyxl)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from openpyxl import load_workbook

from audit_tool import audits, history_export
from audit_tool.domain import Phase
from audit_tool.history_export import HEADER, MARK, HistoryFilter, export_history, suggested_name

REF, OTHER_REF = "FICTIONAL-SAR-0001", "FICTIONAL-SAR-0002"


@pytest.fixture
def trail(db, mini):
    """Two cases; the first audit rated, noted, finalised and amended by 'Reviewer A (fictional)'."""
    audits.set_local_reviewer(db, "Reviewer A (fictional)")
    first = audits.add_case(db, REF, "Glenmorven (fictional)")
    second = audits.add_case(db, OTHER_REF, "Kilbrannan (fictional)")
    a1 = audits.new_audit(db, first.id, mini, phase=Phase.BASELINE)
    a2 = audits.new_audit(db, second.id, mini, phase=Phase.BASELINE)
    audits.answer(db, a1, "p1", "4")
    audits.answer(db, a1, "p1", "5")  # changed: old -> new
    audits.answer(db, a1, "p2", "no", note="=SUM(A1) typed by mistake")
    audits.answer(db, a1, "q1", "5")
    audits.finalise(db, a1)
    audits.amend(db, a1, "Second look at the plan")
    audits.answer(db, a2, "q1", "3")
    return db, a1, a2


def _csv(path: Path) -> tuple[str, list[dict]]:
    with open(path, encoding="utf-8-sig", newline="") as f:
        title = next(csv.reader(f))[0]
        return title, list(csv.DictReader(f))


def test_csv_every_change_with_item_numbers_and_the_mark_first(trail, tmp_path):
    db, a1, a2 = trail
    path, count = export_history(db, tmp_path / "trail.csv")
    title, rows = _csv(path)
    assert title.startswith(f"{MARK}. Audit trail: all changes;")
    assert list(rows[0]) == HEADER
    # by hand: 2 created + 2 ratings of p1 + p2 rating and note + q1 + finalised + who
    # finalised it (the reviewer entry) + amended + q1 on the second audit = 11
    assert count == len(rows) == 11
    p1 = [r for r in rows if r["action"] == "rating" and r["field"] == "p1"]
    assert [(r["old"], r["new"]) for r in p1] == [("", "4"), ("4", "5")]
    assert {r["item"] for r in p1} == {"1.1"}  # the editor's number
    assert p1[0]["case_reference"] == REF and p1[0]["who"] == "Reviewer A (fictional)"
    assert p1[0]["checklist_id"] == "mini-test" and p1[0]["question"]
    q1 = next(r for r in rows if r["field"] == "q1")
    assert q1["item"] == "2.1"
    note = next(r for r in rows if r["action"] == "note")
    assert note["new"] == "'=SUM(A1) typed by mistake"  # never a formula in a spreadsheet
    amended = next(r for r in rows if r["action"] == "amended")
    assert amended["new"] == "Second look at the plan" and amended["item"] == ""


def test_xlsx_sheet_title_and_first_row_say_restricted(trail, tmp_path):
    db, a1, _a2 = trail
    path, count = export_history(db, tmp_path / "trail.xlsx", HistoryFilter(audit_id=a1))
    ws = load_workbook(path).active
    assert ws.title == "Restricted - identifiable"
    assert ws["A1"].value.startswith(f"{MARK}. Audit trail: audit id {a1};")
    assert [c.value for c in ws[2]] == HEADER
    rows = list(ws.iter_rows(min_row=3, values_only=True))
    assert len(rows) == count == 9 and {r[6] for r in rows} == {a1}
    note = next(r for r in rows if r[2] == "note")
    cell = next(c for c in ws[3 + rows.index(note)] if c.value == note[13])
    assert cell.data_type == "s"  # '=SUM(A1)...' is text, not a formula


def test_subject_access_request_for_one_case_and_dates(trail, tmp_path):
    db, _a1, a2 = trail
    _path, count = export_history(db, tmp_path / "sar.csv", HistoryFilter(case_reference=OTHER_REF))
    _t, rows = _csv(tmp_path / "sar.csv")
    assert count == 2 and {r["audit_id"] for r in rows} == {a2}
    _p, none = export_history(db, tmp_path / "old.csv", HistoryFilter(date_to="2000-01-01"))
    assert none == 0


def test_deleted_draft_keeps_its_history_rows(db, mini, tmp_path):
    case = audits.add_case(db, REF, "Glenmorven (fictional)")
    draft = audits.new_audit(db, case.id, mini, phase=Phase.BASELINE)
    audits.delete_draft(db, draft)
    _p, count = export_history(db, tmp_path / "t.csv")
    _t, rows = _csv(tmp_path / "t.csv")
    assert count == 2 and [r["action"] for r in rows] == ["created", "deleted"]
    assert rows[1]["case_reference"] == ""  # the audit is gone; its trail is not


def test_release_hook_is_called_with_what_was_written(trail, tmp_path, monkeypatch):
    db, *_ = trail
    seen = []
    monkeypatch.setattr(history_export, "RELEASE_HOOK", lambda p, what, n: seen.append((p, what, n)))
    path, count = export_history(db, tmp_path / "trail.csv")
    assert seen == [(path, "audit trail (all changes)", count)]


def test_name_suggestion_and_a_wrong_suffix(db, tmp_path):
    name = suggested_name("csv")
    assert name.startswith("Audit trail (Restricted - identifiable) ") and ":" not in name
    from audit_tool.errors import InvalidInput

    with pytest.raises(InvalidInput, match="name the file .csv or .xlsx"):
        export_history(db, tmp_path / "trail.txt")
    assert not (tmp_path / "trail.txt").exists()


def test_cli_history_export(cli, tmp_path, mini_path):
    db = tmp_path / "cli.db"
    assert cli("--db", db, "init").returncode == 0
    r = cli("--db", db, "demo", "--audits", "12")
    assert r.returncode == 0, r
    out = tmp_path / "trail.xlsx"
    r = cli("--db", db, "history", "export", "--out", out, "--from", "2000-01-01")
    assert r.returncode == 0, r
    assert r.stdout.startswith(f"Wrote {out}: ") and MARK in r.stdout
    ws = load_workbook(out).active
    assert ws["A1"].value.startswith(MARK) and ws.max_row >= 2 + 12
    r = cli("--db", db, "history", "export", "--out", tmp_path / "t.txt")
    assert r.returncode == 1 and "Name the file .csv or .xlsx" in r.stderr
    r = cli("--db", db, "history", "export", "--out", tmp_path / "t.csv", passphrase="wrong " * 4)
    assert r.returncode == 3 and not (tmp_path / "t.csv").exists()

