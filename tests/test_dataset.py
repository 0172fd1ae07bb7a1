"""The analyst dataset (issue 11 item 2): real encrypted databases of synthetic, clearly
fictional audits, exported to XLSX and CSV and read back with openpyxl and the csv module.
Every expected figure below is counted by hand from SPEC, never from the code's output."""

from __future__ import annotations

import csv
import os
import re
import shutil
import tempfile
import time
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from audit_tool import audits
from audit_tool.dataset import OTHER, build_dataset, csv_paths, export_dataset
from audit_tool.dataset_stats import syntax_paths
from audit_tool.disclosure.rules import DisclosureRisk
from audit_tool.errors import AuditToolError
from audit_tool.filters import AuditFilter
from tests.cli_helpers import with_review

GLEN, KIL, TINY = "Glenmorven (fictional)", "Kilbrannan (fictional)", "Tiny Isle (fictional)"
CF, JSW, HV = (
    "Children and Families (fictional)",
    "Justice Social Work (fictional)",
    "Health Visiting (fictional)",
)
SECRET = "Zebrafinch marker sentence (fictional)"  # a note's text: never out unless asked
FORMULA = '=HYPERLINK("http://example.invalid","click")'

# answers in the order they are given; the mini checklist's p3 shows only when p2 is yes/partly
GOOD = [("p1", "5"), ("p2", "yes"), ("p3", "4"), ("q1", "5"), ("q2", "na")]  # 5 rows
WEAK = [("p1", "2"), ("p2", "no"), ("q1", "3")]  # 4 rows (p3 not asked: counts, not met)
HIDDEN_LATER = [
    ("p2", "yes"),
    ("p3", "4"),
    ("p1", "2"),
    ("q1", "3"),
    ("p2", "no"),
]  # p3 hidden again by a failing answer: 4 rows

# (area, agency, phase, answers, finalised)
SPEC = (
    [(GLEN, CF, "baseline", GOOD, True)] * 6
    + [(GLEN, CF, "baseline", WEAK, True)] * 2
    + [(GLEN, CF, "baseline", GOOD, False)] * 5  # drafts: left out, counted
    + [(KIL, JSW, "baseline", HIDDEN_LATER, True)] * 5
    + [(KIL, JSW, "baseline", GOOD, True)]
    + [(TINY, HV, "post_training", GOOD, True)] * 2  # fewer than 5: shown as Other
)
# by hand: finalised audits 6 + 2 + 5 + 1 + 2 = 16; answer rows 6*5 + 2*4 + 5*4 + 5 + 2*5 = 73
# (7 of them p3 "not_asked" rows), of which answered 73 - 7 = 66
AUDITS, ROWS, DRAFTS, NOT_ASKED = 16, 73, 5, 7
MEETS_ONE = 9 * 4  # nine GOOD audits: p1, p2, p3, q1 meet
MEETS_ZERO = 7 * 4  # seven weak audits: every rated item falls short, p3 not asked too
MEETS_BLANK = 9  # q2 'na' in each GOOD audit
# from tests/fixtures/mini.toml, by hand: value -> meets the standard
SCALE_MEETS = {
    "quality": {"6": 1, "5": 1, "4": 1, "3": 0, "2": 0, "1": 0, "not_asked": 0},
    "evidence": {"yes": 1, "partly": 0, "no": 0, "not_recorded": 0, "na": None, "not_asked": 0},
}


def _ref(i: int) -> str:
    return f"FICT-DS-{i:03d}"


def _build(db, mini, spec=SPEC) -> None:
    for i, (area, agency, phase, answers, final) in enumerate(spec):
        case = audits.add_case(db, _ref(i), area, agency)
        audit_id = audits.new_audit(db, case.id, mini, phase=phase)
        for item, rating in answers:
            audits.answer(db, audit_id, item, rating)
        # a note naming another case's reference (a sibling's file), in another spelling
        other = _ref((i + 1) % len(spec)).replace("-", " ").lower()
        audits.answer(db, audit_id, "p1", note=f"{SECRET}; see also {other}.")
        audits.answer(db, audit_id, "q1", note=FORMULA)
        if final:
            audits.finalise(db, audit_id)


@pytest.fixture
def populated(db, mini):
    _build(db, mini)
    return db


def _sheets(path: Path) -> dict[str, list[dict]]:
    wb = load_workbook(path, read_only=True)
    out = {}
    for ws in wb.worksheets:
        rows = list(ws.iter_rows(values_only=True))
        width = len(rows[0])  # a streamed sheet leaves trailing empty cells out of a row
        out[ws.title] = [
            dict(zip(rows[0], r + (None,) * (width - len(r)), strict=True)) for r in rows[1:]
        ]
    wb.close()
    return out


def _every_cell(path: Path) -> list[str]:
    wb = load_workbook(path, read_only=True)
    cells = [
        str(v)
        for ws in wb.worksheets
        for row in ws.iter_rows(values_only=True)
        for v in row
        if v is not None
    ]
    wb.close()
    return cells


def test_xlsx_answer_rows_and_meets_match_what_was_entered(populated, tmp_path):
    out = tmp_path / "dataset.xlsx"
    assert export_dataset(populated, AuditFilter(), "xlsx", out) == [out]
    sheets = _sheets(out)
    assert list(sheets) == ["answers", "audits", "codebook"]
    answers = sheets["answers"]
    assert len(answers) == ROWS
    meets = [r["meets"] for r in answers]
    assert (meets.count(1), meets.count(0), meets.count(None)) == (
        MEETS_ONE,
        MEETS_ZERO,
        MEETS_BLANK,
    )
    for r in answers:  # each rating's meets is the scale's, numbers as numbers
        assert r["meets"] == SCALE_MEETS[r["scale"]][r["level_value"]], r
        assert isinstance(r["small_group"], int) and isinstance(r["level_order"], int)
    assert "area" not in answers[0] and "agency" not in answers[0]  # Restricted file only
    restricted = _sheets(export_dataset(populated, AuditFilter(), "xlsx", tmp_path / "r.xlsx",
                                        restricted=True)[0])["Restricted answers"]
    assert not [
        r for r in restricted if r["item_id"] == "p3" and r["area"] == KIL and r["level_value"] == "2"
    ]
    # p3 answered then hidden by p2 = no: a not_asked row, never its old rating; 6 GOOD +
    # 1 GOOD (Kil) + 2 GOOD (Other) rated rows, 2 WEAK + 5 HIDDEN_LATER not_asked rows
    assert sum(r["item_id"] == "p3" for r in answers) == 9 + NOT_ASKED
    assert sum(r["level_value"] == "not_asked" for r in answers) == NOT_ASKED
    assert {r["status"] for r in answers} == {"finalised"}
    audits_sheet = sheets["audits"]
    assert len(audits_sheet) == AUDITS
    assert sum(a["answered"] for a in audits_sheet) == ROWS - NOT_ASKED
    assert len({a["audit_key"] for a in audits_sheet}) == AUDITS
    # never a day: months, or quarters or years where the file had to be coarsened (issue 18)
    assert all(re.fullmatch(r"\d{4}(-\d{2}|-Q[1-4])?|Suppressed", a["created_month"])
               for a in audits_sheet)


def test_no_reference_and_no_note_in_any_cell(populated, tmp_path):
    out = tmp_path / "dataset.xlsx"
    export_dataset(populated, AuditFilter(), "xlsx", out)
    cells = _every_cell(out)
    joined = "\n".join(cells).casefold()
    for i in range(len(SPEC)):
        assert _ref(i).casefold() not in joined
        assert _ref(i).replace("-", " ").casefold() not in joined
    assert SECRET.casefold() not in joined
    assert "hyperlink" not in joined


def test_notes_only_when_asked_and_references_removed_from_them(populated, tmp_path):
    out = tmp_path / "dataset.xlsx"
    export_dataset(populated, AuditFilter(), "xlsx", out, include_free_text=True)
    joined = "\n".join(_every_cell(out)).casefold()
    for i in range(len(SPEC)):
        assert _ref(i).replace("-", " ").casefold() not in joined
    notes = [r["note"] for r in _sheets(out)["answers"] if r["note"]]
    assert sum(SECRET in n for n in notes) == AUDITS
    assert sum(n.endswith("see also [case reference removed].") for n in notes) == AUDITS
    # a note that looks like a formula stays text: it would run when the file is opened
    wb = load_workbook(out)
    ws = wb["answers"]
    header = [c.value for c in ws[1]]
    notes = [row[header.index("note")] for row in ws.iter_rows(min_row=2)]
    formula = [c for c in notes if c.value == FORMULA]
    assert len(formula) == AUDITS and all(c.data_type == "s" for c in formula)


def test_small_area_and_agency_are_other_and_flagged_in_the_restricted_file(populated, tmp_path):
    """The record-level file (issue 18: a deliberate "Restricted" choice) keeps the old rule:
    an area or agency of fewer than 5 audits is 'Other'; sheets and file name say Restricted."""
    asked = tmp_path / "dataset.xlsx"
    out = tmp_path / "dataset_Restricted.xlsx"
    assert export_dataset(populated, AuditFilter(), "xlsx", asked, restricted=True) == [out]
    assert not asked.exists()
    sheets = {name.removeprefix("Restricted "): rows for name, rows in _sheets(out).items()}
    assert list(_sheets(out)) == ["Restricted answers", "Restricted audits", "Restricted codebook"]
    cells = _every_cell(out)
    assert TINY not in cells and HV not in cells
    other = [a for a in sheets["audits"] if a["area"] == OTHER]
    assert len(other) == 2 and all(a["agency"] == OTHER and a["small_group"] == 1 for a in other)
    assert {a["area"] for a in sheets["audits"] if a["small_group"] == 0} == {GLEN, KIL}
    assert {"area", "agency"} <= set(sheets["answers"][0])  # geography: Restricted file only
    assert sum(r["small_group"] for r in sheets["answers"]) == 2 * 5
    notes = [r["meaning"] for r in sheets["codebook"] if r["section"] == "note"]
    assert any("fewer than 5 audits" in n and "small_group" in n for n in notes)
    assert any(n.startswith("RESTRICTED record-level data") for n in notes)


def test_default_file_is_k_anonymous_with_fresh_pseudonyms(populated, tmp_path):
    """The default file: every combination of the quasi-identifiers it shows holds at least 5
    audits; no area or agency is in it (issue 18: counting rows by area and phase would give
    back what the report hides); pseudonyms differ between two exports."""
    sheets = [_sheets(export_dataset(populated, AuditFilter(), "xlsx", tmp_path / f"{n}.xlsx")[0])
              for n in ("one", "two")]
    audits_sheet = sheets[0]["audits"]
    cells = _every_cell(tmp_path / "one.xlsx")
    assert TINY not in cells and HV not in cells
    assert not {GLEN, KIL, "Other (fewer than 5 audits)"} & set(cells)
    for sheet in ("answers", "audits"):
        assert not {"area", "agency", "team"} & set(sheets[0][sheet][0]), sheet
    qi = ("phase", "audit_type", "checklist_id", "checklist_version", "created_month")
    # sdcMicro's convention: a Suppressed value matches any value
    def agree(a, b):
        return all(a[c] == b[c] or "Suppressed" in (a[c], b[c]) for c in qi)

    assert min(sum(agree(a, b) for b in audits_sheet) for a in audits_sheet) >= 5
    assert len(audits_sheet) == AUDITS
    assert not {a["pseudonym"] for a in audits_sheet} & {a["pseudonym"] for a in sheets[1]["audits"]}
    notes = [r["meaning"] for r in sheets[0]["codebook"] if r["section"] == "note"]
    assert any("k-anonymity, k = 5" in n for n in notes)
    assert any("do not link two exports" in n for n in notes)
    assert any(n.startswith("Area, agency and team are not in this anonymised file") for n in notes)
    kanon_note = next(n for n in notes if "k-anonymity, k = 5" in n)
    assert "phase" in kanon_note and "area" not in kanon_note and "agency" not in kanon_note
    assert sum(a["small_group"] for a in audits_sheet) == sum(
        any(a[c] in ("Other", "Suppressed") for c in qi) or len(a["created_month"]) != 7
        for a in audits_sheet)


def test_codebook_lists_every_column_and_every_level(populated, tmp_path):
    out = tmp_path / "dataset.xlsx"
    export_dataset(populated, AuditFilter(), "xlsx", out, include_free_text=True)
    wb = load_workbook(out, read_only=True)
    headers = {ws.title: next(ws.iter_rows(values_only=True)) for ws in wb.worksheets}
    wb.close()
    book = _sheets(out)["codebook"]
    for sheet in ("answers", "audits"):
        listed = [r["name"] for r in book if r["section"] == "column" and r["sheet"] == sheet]
        assert listed == list(headers[sheet])
        assert all(r["meaning"] and r["type"] for r in book if r["section"] == "column")
    levels = {
        (r["scale"], r["level_value"]): r["meets"] for r in book if r["section"] == "scale level"
    }
    assert levels == {(s, v): m for s, vals in SCALE_MEETS.items() for v, m in vals.items()}
    notes = " ".join(r["meaning"] for r in book if r["section"] == "note")
    assert f"{DRAFTS} draft audit(s)" in notes and "NOT removed" in notes


def test_csv_one_file_per_table_with_bom(populated, tmp_path):
    out = tmp_path / "dataset.csv"
    written = export_dataset(populated, AuditFilter(), "csv", out)
    assert written[3:] == syntax_paths(out)  # the wide table, its .sps and .do (issue 23)
    assert (
        written[:3]
        == csv_paths(out)
        == [
            tmp_path / "dataset_answers.csv",
            tmp_path / "dataset_audits.csv",
            tmp_path / "dataset_codebook.csv",
        ]
    )
    assert not out.exists()
    for path in written[:4]:
        assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    with open(written[0], encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == ROWS
    assert sorted({r["meets"] for r in rows}) == ["", "0", "1"]
    with open(written[1], encoding="utf-8-sig", newline="") as f:
        assert len(list(csv.DictReader(f))) == AUDITS
    text = "".join(p.read_text(encoding="utf-8-sig") for p in written)
    assert SECRET not in text and "FICT-DS" not in text
    export_dataset(populated, AuditFilter(), "csv", out, include_free_text=True)
    with open(written[0], encoding="utf-8-sig", newline="") as f:
        notes = [r["note"] for r in csv.DictReader(f)]
    assert notes.count("'" + FORMULA) == AUDITS  # not a formula when a spreadsheet opens it


def test_refused_selections(populated):
    with pytest.raises(DisclosureRisk, match="finalised audits only"):
        build_dataset(populated, AuditFilter(status="draft"))
    # the anonymised file has no place in it, so it is never chosen by one
    for flt in (AuditFilter(area=GLEN), AuditFilter(agency="Any agency (fictional)")):
        with pytest.raises(DisclosureRisk, match="cannot be chosen by area or agency"):
            build_dataset(populated, flt)
    with pytest.raises(DisclosureRisk, match="Only 2 finalised audits"):
        build_dataset(populated, AuditFilter(area=TINY), restricted=True)
    # baseline leaves out only the 2 post-training audits of the whole: refused, as the report is
    with pytest.raises(DisclosureRisk, match="leaves out only 2 audits"):
        build_dataset(populated, AuditFilter(phase="baseline"))
    with pytest.raises(AuditToolError, match="No finalised audits"):
        build_dataset(populated, AuditFilter(area="Nowhere (fictional)"), restricted=True)
    ds = build_dataset(populated, AuditFilter(area=GLEN), restricted=True)
    assert len(ds.audits) == 8 and len(ds.answers) == 6 * 5 + 2 * 4


def test_the_workbook_never_passes_through_the_system_temp_folder(populated, tmp_path, monkeypatch):
    """openpyxl streams sheets through temporary files; they must sit beside the target."""
    system_tmp = tmp_path / "system-temp"
    system_tmp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(system_tmp))
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    seen: list[list[str]] = []
    ds = build_dataset(populated, AuditFilter(), include_free_text=True)
    from audit_tool.dataset import write_dataset

    write_dataset(ds, "xlsx", out_dir / "d.xlsx", lambda f: seen.append(os.listdir(system_tmp)))
    assert seen and all(names == [] for names in seen)
    assert sorted(os.listdir(out_dir)) == ["d.xlsx"]  # the scratch folder is gone


def test_cli_export_dataset(populated, db_path, tmp_path, cli):
    populated.close()
    out = tmp_path / "cli.xlsx"
    r = cli("--db", db_path, "export", "dataset", "--format", "xlsx", "--out", out, "--area", GLEN)
    assert r.returncode == 2 and "needs --recipient NAME" in r.stderr, r  # the register needs it
    assert not out.exists()
    r = cli("--db", db_path, "export", "dataset", "--format", "xlsx", "--out", out, "--area", GLEN,
            "--recipient", "Analyst (fictional)")
    assert r.returncode == 1 and "cannot be chosen by area" in r.stderr, r  # anonymised: no place
    assert not out.exists()
    r = cli("--db", db_path, "export", "dataset", "--format", "xlsx", "--out", out, "--area", GLEN,
            "--recipient", "Analyst (fictional)", "--restricted")
    assert r.returncode == 0, r
    sheets = _sheets(tmp_path / "cli_Restricted.xlsx")  # every sheet says it is restricted
    assert len(sheets["Restricted answers"]) == 6 * 5 + 2 * 4
    r = with_review(
        cli,
        "--db",
        db_path,
        "export",
        "dataset",
        "--format",
        "csv",
        "--out",
        tmp_path / "c.csv",
        "--include-free-text",
        "--recipient",
        "Analyst (fictional)",
    )
    assert r.returncode == 0, r
    assert SECRET in (tmp_path / "c_answers.csv").read_text(encoding="utf-8-sig")
    for args, words in (
        (["--format", "ods", "--out", tmp_path / "x.ods"], "Unknown format"),
        (["--format", "xlsx", "--out", tmp_path / "missing" / "x.xlsx"], "does not exist"),
        (["--format", "xlsx", "--out", out, "--phase", "baseline"], "leaves out only 2"),
    ):
        r = cli("--db", db_path, "export", "dataset", *args, "--recipient", "Analyst (fictional)")
        assert r.returncode == 1, r
        assert words in r.stderr and len(r.stderr.strip().splitlines()) == 1, r
    assert not (tmp_path / "x.ods").exists()


def test_two_thousand_demo_audits_every_row_written(tmp_path):
    # the 10,000-audit figure is a benchmark's business; here every row must arrive
    from audit_tool.store import Database
    from benchmarks.common import PASSPHRASE, demo_db

    path = tmp_path / "demo.db"
    shutil.copy(demo_db(2_000), path)
    with Database.open(path, PASSPHRASE) as db:
        # a row per answer, and per option ticked where several are (multiple choice)
        expected = db.query_one(
            """SELECT sum(1 + length(coalesce(an.rating, '')) - length(replace(coalesce(an.rating,
                   ''), ',', ''))) FROM answers an JOIN audits a ON a.id = an.audit_id
               WHERE a.status = 'finalised'
                 AND (an.applies = 1 AND an.rating IS NOT NULL OR an.hidden_fails = 1)"""
        )[0]
        t = time.perf_counter()
        out = export_dataset(db, AuditFilter(), "xlsx", tmp_path / "demo.xlsx")[0]
        print(
            f"\n2,000-audit demo: {expected:,} answer rows to XLSX in {time.perf_counter() - t:.1f} s"
        )
    with zipfile.ZipFile(out) as z, z.open("xl/worksheets/sheet1.xml") as sheet:
        rows, tail = 0, b""
        while chunk := sheet.read(1 << 20):  # rows counted in the XML itself, not by openpyxl
            rows += (tail + chunk).count(b"<row ") - tail.count(b"<row ")
            tail = chunk[-8:]
    assert rows == expected + 1
    wb = load_workbook(out, read_only=True)
    assert wb["answers"].max_row == expected + 1  # the size is declared, for readers that use it
    wb.close()

