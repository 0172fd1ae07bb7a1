"""Issue 11, items 1 and 4: sampling case files from a council's list of eligible cases.

Real files (CSV in several encodings, XLSX written by openpyxl), a real encrypted database,
the real PDF read back. Every reference is synthetic and clearly fictional (FICT-...).
"""

from __future__ import annotations

import csv
import json
import time
from pathlib import Path

import pytest
from pypdf import PdfReader

from audit_tool import audits
from audit_tool.errors import InvalidInput
from audit_tool.export import export_report
from audit_tool.filters import AuditFilter
from audit_tool.sampling import (
    Columns,
    allocate,
    create_sample,
    describe_sampling,
    draw,
    eligible_files,
    list_samplings,
    read_case_list,
)
from audit_tool.store import Database

HEAD = ["Case reference", "Local authority", "Agency", "Team"]
COLS = Columns(reference="Case reference", area="Local authority", agency="Agency", team="Team")
AREA = "Glenmorven (fictional)"


def write_csv(path: Path, rows: list[list[str]], encoding: str = "utf-8", head=HEAD) -> Path:
    with path.open("w", encoding=encoding, newline="") as fh:
        w = csv.writer(fh)
        w.writerow(head)
        w.writerows(rows)
    return path


def teams_list(path: Path, sizes: dict[str, int]) -> Path:
    rows, n = [], 0
    for team, size in sizes.items():
        for _ in range(size):
            n += 1
            rows.append([f"FICT-{n:06d}", AREA, "Children and Families", team])
    return write_csv(path, rows)


def refs(d) -> list[str]:
    return [f.reference for f in d.chosen]


def counts(db: Database) -> dict[str, int]:
    return {
        t: db.query_one(f"SELECT count(*) FROM {t}")[0]  # noqa: S608
        for t in ("cases", "audits", "history", "samplings")
    }


# -- reading ------------------------------------------------------------------------------


def test_same_list_and_seed_draw_the_same_files_another_seed_others(tmp_path):
    path = teams_list(tmp_path / "list.csv", {"Team A": 120, "Team B": 92})
    first = draw(eligible_files(read_case_list(path), COLS), 40, 12345)
    again = draw(eligible_files(read_case_list(path), COLS), 40, 12345)
    other = draw(eligible_files(read_case_list(path), COLS), 40, 12346)
    assert len(refs(first)) == 40 and len(set(refs(first))) == 40
    assert refs(first) == refs(again)
    assert refs(first) != refs(other)
    strat = Columns(**{**COLS.__dict__, "strata": "Team"})
    s1 = draw(eligible_files(read_case_list(path), strat), 40, 12345, stratified=True)
    s2 = draw(eligible_files(read_case_list(path), strat), 40, 12345, stratified=True)
    assert refs(s1) == refs(s2)


def test_stratified_allocation_is_proportional_by_largest_remainder():
    # by hand: 15 of 100; quotas A 30*15/100 = 4.5, B 7.5, C 3.0 -> floors 4, 7, 3 (14);
    # the one left goes to the largest remainder, A and B tie at .5: A sorts first.
    assert allocate({"B": 50, "A": 30, "C": 20}, 15) == {"A": 5, "B": 7, "C": 3}
    # 40 of 212: A 120*40/212 = 22.64, B 92*40/212 = 17.36 -> 22 + 17 = 39; A has .64
    assert allocate({"A": 120, "B": 92}, 40) == {"A": 23, "B": 17}
    # a small stratum rounded to none still gets one, from the one rounded up most:
    # 10 of 100: A 0.2, B 9.8 -> 0, 9 (+1 to B) -> 0, 10 -> A 1, B 9
    assert allocate({"A": 2, "B": 98}, 10) == {"A": 1, "B": 9}
    with pytest.raises(InvalidInput, match="at least 3"):
        allocate({"A": 5, "B": 5, "C": 5}, 2)


def test_a_stratified_draw_takes_the_allocated_number_from_each_team(tmp_path):
    path = teams_list(tmp_path / "list.csv", {"Team B": 50, "Team A": 30, "Team C": 20})
    cols = Columns(**{**COLS.__dict__, "strata": "Team"})
    d = draw(eligible_files(read_case_list(path), cols), 15, 99, stratified=True)
    taken = {t: sum(1 for f in d.chosen if f.team == t) for t in ("Team A", "Team B", "Team C")}
    assert taken == {"Team A": 5, "Team B": 7, "Team C": 3}
    assert d.summary("Team") == "15 of 100 eligible; by team: Team A 5, Team B 7, Team C 3"


def test_windows_1252_csv_is_read_right_and_its_encoding_named(tmp_path):
    path = write_csv(
        tmp_path / "excel.csv",
        [
            ["FICT-000001", "Dùn Èideann (fictional)", "Santé", "Équipe Nord"],
            ["FICT-000002", "Dùn Èideann (fictional)", "Santé", "Équipe Sud – “east”"],
        ],
        encoding="cp1252",
    )
    got = read_case_list(path)
    assert got.encoding == "cp1252"
    assert got.rows[0][1][1] == "Dùn Èideann (fictional)"  # not 'DÃ¹n'
    assert got.rows[1][1][3] == "Équipe Sud – “east”"
    assert "Windows-1252" in got.notes[0]
    bom = write_csv(
        tmp_path / "bom.csv", [["FICT-000003", "Åland (fictional)", "", ""]], "utf-8-sig"
    )
    got = read_case_list(bom)
    assert got.encoding == "utf-8-sig" and got.headers[0] == "Case reference"


def test_semicolon_csv_delimiter_is_sniffed(tmp_path):
    path = tmp_path / "semi.csv"
    path.write_text(
        "Case reference;Local authority;Agency;Team\nFICT-000001;North (fictional);A;T1\n"
        "FICT-000002;North (fictional);A;T2\n",
        encoding="utf-8",
    )
    got = read_case_list(path)
    assert got.delimiter == ";" and got.rows[1][1] == (
        "FICT-000002",
        "North (fictional)",
        "A",
        "T2",
    )


def test_xlsx_with_merged_cells_is_refused_naming_the_range(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Eligible"
    ws.append(HEAD)
    for i in range(1, 6):
        ws.append([f"FICT-{i:06d}", AREA, "Agency", "Team A"])
    ws.merge_cells("D3:D5")
    wb.save(tmp_path / "merged.xlsx")
    with pytest.raises(InvalidInput) as exc:
        read_case_list(tmp_path / "merged.xlsx")
    msg = str(exc.value)
    assert "D3:D5" in msg and "merged" in msg and "sheet 'Eligible'" in msg and "\n" not in msg


def test_xlsx_rows_numbers_and_named_sheet(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.title = "Notes"
    wb.active.append(["not the list"])
    ws = wb.create_sheet("Cases")
    ws.append(HEAD)
    ws.append([123, AREA, None, "Team A"])  # a number as a reference reads as Excel shows it
    ws.append([None, None, None, None])
    ws.append(["FICT-000002", AREA, "Agency", "Team B"])
    wb.save(tmp_path / "list.xlsx")
    got = read_case_list(tmp_path / "list.xlsx", sheet="Cases")
    assert got.encoding == "xlsx" and got.sheet == "Cases"
    assert [n for n, _ in got.rows] == [2, 4] and got.rows[0][1][0] == "123"
    assert got.empty_rows == 1
    with pytest.raises(InvalidInput, match="no sheet 'Nope'.*Notes, Cases"):
        read_case_list(tmp_path / "list.xlsx", sheet="Nope")


def test_empty_rows_are_skipped_and_counted_and_rows_keep_their_numbers(tmp_path):
    path = tmp_path / "gaps.csv"
    path.write_text(
        "\n" + ",".join(HEAD) + "\nFICT-000001,North (fictional),A,T\n,,,\n\nFICT-000002,,A,T\n",
        encoding="utf-8",
    )
    got = read_case_list(path)
    assert got.empty_rows == 2 and [n for n, _ in got.rows] == [3, 6]
    with pytest.raises(InvalidInput) as exc:  # the area is missing on the file's row 6
        eligible_files(got, COLS)
    assert "row 6" in str(exc.value) and "column B (Local authority)" in str(exc.value)


def test_rows_without_a_reference_are_excluded_and_counted(tmp_path):
    path = write_csv(
        tmp_path / "l.csv",
        [["FICT-000001", AREA, "", ""], ["", AREA, "", "T"], ["FICT-000002", AREA, "", ""]],
    )
    elig = eligible_files(read_case_list(path), COLS)
    assert len(elig.files) == 2 and elig.exclusions == {"no case reference": 1}


def test_duplicate_references_name_both_rows_and_create_nothing(tmp_path, db, mini):
    rows = [[f"FICT-{i:06d}", AREA, "", "T"] for i in range(1, 10)]
    rows[6][0] = "fict-000002 "  # row 8 in the file; row 3 holds FICT-000002
    path = write_csv(tmp_path / "dups.csv", rows)
    audits.add_case(db, "FICT-OTHER-1", AREA)
    before = counts(db)
    with pytest.raises(InvalidInput) as exc:
        caselist = read_case_list(path)
        elig = eligible_files(caselist, COLS)
        create_sample(db, caselist, COLS, elig, draw(elig, 3, 1), mini)
    assert "rows 3 and 8" in str(exc.value) and "Nothing was imported" in str(exc.value)
    assert "FICT" not in str(exc.value).upper()  # the message names rows, not references
    assert counts(db) == before


def test_a_failure_half_way_leaves_nothing_of_the_sample(tmp_path, db, mini):
    path = teams_list(tmp_path / "l.csv", {"T": 20})
    caselist = read_case_list(path)
    elig = eligible_files(caselist, COLS)
    audits.local_reviewer(db)
    before = counts(db)
    # the database itself refuses the third audit (as a full disk would)
    db.conn.execute(
        "CREATE TEMP TRIGGER third_fails BEFORE INSERT ON audits"
        " WHEN (SELECT count(*) FROM audits) >= 2 BEGIN SELECT RAISE(ABORT, 'no room'); END"
    )
    with pytest.raises(Exception, match="no room"):
        create_sample(db, caselist, COLS, elig, draw(elig, 5, 7), mini)
    db.conn.execute("DROP TRIGGER third_fails")
    after = counts(db)
    assert after == before, after


def test_a_sample_creates_cases_draft_audits_and_its_record(tmp_path, db, mini):
    path = teams_list(tmp_path / "council list.csv", {"Team A": 120, "Team B": 92})
    caselist = read_case_list(path)
    cols = Columns(**{**COLS.__dict__, "strata": "Team"})
    elig = eligible_files(caselist, cols)
    d = draw(elig, 40, 12345, stratified=True)
    made = create_sample(db, caselist, cols, elig, d, mini, "post_training")
    assert len(made.case_ids) == 40 and len(made.audit_ids) == 40
    stored = {c.reference for c in audits.list_cases(db)}
    assert stored == set(refs(d))
    statuses = {r[0] for r in db.query("SELECT status || ' ' || phase FROM audits")}
    assert statuses == {"draft post_training"}
    (s,) = list_samplings(db)
    assert (s.source_name, s.eligible, s.sample_size, s.method, s.seed) == (
        "council list.csv",
        212,
        40,
        "stratified",
        "12345",
    )
    assert s.strata_sizes == {"Team A": [120, 23], "Team B": [92, 17]} and s.cases == 40
    assert s.who == "Reviewer" and s.phase == "post_training" and s.source_encoding == "utf-8"
    assert str(tmp_path) not in json.dumps(s.__dict__)  # the file's name, never its folder
    assert describe_sampling(db, AuditFilter()) == (
        "a random sample of 40 from 212 eligible files, stratified by team (seed 12345)"
    )
    with pytest.raises(InvalidInput, match="already sampled with seed 12345"):
        create_sample(db, caselist, cols, elig, d, mini, "post_training")


def test_a_100000_row_list_is_read_and_drawn(tmp_path):
    path = tmp_path / "big.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(HEAD)
        for i in range(100_000):
            w.writerow([f"FICT-{i:06d}", f"Area {i % 32} (fictional)", "Agency", f"Team {i % 7}"])
    start = time.perf_counter()
    caselist = read_case_list(path)
    cols = Columns(**{**COLS.__dict__, "strata": "Team"})
    elig = eligible_files(caselist, cols)
    d = draw(elig, 400, 2026, stratified=True)
    took = time.perf_counter() - start
    print(f"\n100,000-row CSV read, checked and drawn in {took:.2f} s")
    assert len(elig.files) == 100_000 and len(d.chosen) == 400


def test_the_report_states_the_method(tmp_path, db, mini):
    path = teams_list(tmp_path / "l.csv", {"Team A": 12, "Team B": 8})
    caselist = read_case_list(path)
    cols = Columns(**{**COLS.__dict__, "strata": "Team"})
    elig = eligible_files(caselist, cols)
    create_sample(db, caselist, cols, elig, draw(elig, 6, 777, stratified=True), mini)
    case = audits.add_case(db, "FICT-NOT-SAMPLED", AREA)
    audits.new_audit(db, case.id, mini)
    # steering reports describe finalised audits: rate and finalise all seven
    for (audit_id,) in db.query("SELECT id FROM audits"):
        for item in ("p1", "q1"):
            audits.answer(db, audit_id, item, "4")
        audits.answer(db, audit_id, "p2", "no")
        audits.finalise(db, audit_id)
    out = export_report(db, AuditFilter(), "pdf", tmp_path / "report.pdf")
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(str(out)).pages).split())
    assert (
        "Case files were chosen as a random sample of 6 from 20 eligible files, stratified "
        "by team (seed 777). Fewer than 5 of the 7 audits were not from a sample."
    ) in text
    out = export_report(db, AuditFilter(area="Elsewhere"), "pdf", tmp_path / "none.pdf")
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(str(out)).pages).split())
    assert "random sample" not in text  # no sampled audit in this selection


def test_a_schema_2_database_gains_the_samplings_table(tmp_path, mini, monkeypatch):
    from audit_tool.store import connection, schema

    path = tmp_path / "old.db"
    monkeypatch.setattr(schema, "MIGRATIONS", schema.MIGRATIONS[:2])
    monkeypatch.setattr(schema, "SCHEMA_VERSION", 2)
    monkeypatch.setattr(connection, "SCHEMA_VERSION", 2)
    monkeypatch.setattr(connection, "MIGRATIONS", schema.MIGRATIONS[:2])
    with Database.create(path, "fictional tartan kettle harbour") as db:
        # today's core writes these two columns (a later step adds them): give them to it
        db.conn.execute("ALTER TABLE answers ADD COLUMN hidden_fails INTEGER NOT NULL DEFAULT 0")
        db.conn.execute("ALTER TABLE checklist_items ADD COLUMN fact INTEGER NOT NULL DEFAULT 0")
        case = audits.add_case(db, "FICT-OLD-1", AREA)
        audits.new_audit(db, case.id, mini)
    monkeypatch.undo()
    with Database.open(path, "fictional tartan kettle harbour") as db:
        assert db.schema_version() == schema.SCHEMA_VERSION  # 3 and every later step
        assert db.query("SELECT reference, sampling_id FROM cases") == [("FICT-OLD-1", None)]
        assert list_samplings(db) == []


# -- command line ---------------------------------------------------------------------------


def test_cli_sample_draw_and_list(tmp_path, cli):
    db = tmp_path / "cli.db"
    assert cli("--db", db, "init").returncode == 0
    path = teams_list(tmp_path / "council.csv", {"Team A": 120, "Team B": 92})
    args = [
        "--db",
        db,
        "sample",
        "draw",
        "--list",
        path,
        "--ref-column",
        "Case reference",
        "--area-column",
        "Local authority",
        "--team-column",
        "Team",
        "--strata",
        "Team",
        "--size",
        "40",
        "--seed",
        "12345",
        "--checklist",
        "safe-together-case-file-audit",
    ]
    dry = cli(*args, "--dry-run")
    assert dry.returncode == 0, dry
    assert "Sample: 40 of 212 eligible; by team: Team A 23, Team B 17 (seed 12345)" in dry.stdout
    assert "FICT-" not in dry.stdout and "nothing was created" in dry.stdout
    shown = cli(*args, "--dry-run", "--show-references")
    drawn = [ln.split(": ")[1] for ln in shown.stdout.splitlines() if ln.startswith("  row ")]
    assert len(drawn) == 40

    made = cli(*args)
    assert made.returncode == 0, made
    assert "Created 40 cases with draft audits" in made.stdout and "FICT-" not in made.stdout
    cases = json.loads(cli("--db", db, "case", "list", "--json").stdout)
    assert sorted(c["reference"] for c in cases) == sorted(drawn)  # the dry run's files
    listed = json.loads(cli("--db", db, "sample", "list", "--json").stdout)
    assert [(s["eligible"], s["sample_size"], s["seed"], s["cases"]) for s in listed] == [
        (212, 40, "12345", 40)
    ]
    text = cli("--db", db, "sample", "list").stdout
    assert "council.csv: a random sample of 40 from 212 eligible files, stratified by team" in text

    again = cli(*args)
    assert again.returncode == 1 and "already sampled with seed 12345" in again.stderr


def test_cli_sample_errors_are_one_line_naming_row_or_column(tmp_path, cli):
    db = tmp_path / "cli.db"
    assert cli("--db", db, "init").returncode == 0
    rows = [[f"FICT-{i:06d}", AREA, "", "T"] for i in range(1, 6)]
    rows[3][0] = "FICT-000001"
    path = write_csv(tmp_path / "dups.csv", rows)
    base = [
        "--db",
        db,
        "sample",
        "draw",
        "--list",
        path,
        "--area-column",
        "Local authority",
        "--size",
        "2",
        "--seed",
        "1",
        "--checklist",
        "safe-together-case-file-audit",
    ]
    dup = cli(*base, "--ref-column", "Case reference")
    assert dup.returncode == 1 and dup.stderr.count("\n") == 1, dup
    assert "rows 2 and 5 have the same case reference" in dup.stderr
    col = cli(*base, "--ref-column", "Reference")
    assert col.returncode == 1 and "no column 'Reference'" in col.stderr, col
    assert json.loads(cli("--db", db, "case", "list", "--json").stdout) == []


def test_the_description_names_rows_left_out(tmp_path, db, mini):
    rows = [[f"FICT-{i:06d}", AREA, "", "T"] for i in range(1, 11)] + [["", AREA, "", "T"]] * 2
    path = write_csv(tmp_path / "l.csv", rows)
    caselist = read_case_list(path)
    elig = eligible_files(caselist, COLS)
    create_sample(db, caselist, COLS, elig, draw(elig, 4, 5), mini)
    assert describe_sampling(db, AuditFilter()) == (
        "a random sample of 4 from 10 eligible files "
        "(seed 5; 2 listed files left out: 2 with no case reference)"
    )


def test_a_broken_quote_names_its_row(tmp_path):
    path = tmp_path / "quote.csv"
    path.write_text(
        ",".join(HEAD) + '\nFICT-000001,North (fictional),A,T\nFICT-000002,"North,A"x,T\n',
        encoding="utf-8",
    )
    with pytest.raises(InvalidInput, match=r"quote\.csv, row 3: the CSV cannot be read"):
        read_case_list(path)
