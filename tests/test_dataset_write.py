"""The dataset's streamed writers (issue 22): what a reader gets back from the workbook and
the CSV files, and that no plaintext is left anywhere but the target's own temporary file,
during a write, after it, and after a failure. Synthetic, fictional data only."""

from __future__ import annotations

import csv
import os
import tempfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from audit_tool.dataset import Dataset, build_dataset, csv_paths, write_dataset
from audit_tool.dataset_write import csv_cell
from audit_tool.filters import AuditFilter
from tests.test_dataset import SECRET, _build


@pytest.fixture
def populated(db, mini):
    _build(db, mini)
    return db


def _rows(path: Path) -> dict[str, list[tuple]]:
    wb = load_workbook(path, read_only=True)
    out = {ws.title: list(ws.iter_rows(values_only=True)) for ws in wb.worksheets}
    wb.close()
    return out


def test_xlsx_and_csv_hold_the_same_cells(populated, tmp_path):
    ds = build_dataset(populated, AuditFilter(), include_free_text=True, restricted=True)
    book = _rows(write_dataset(ds, "xlsx", tmp_path / "d.xlsx")[0])
    write_dataset(ds, "csv", tmp_path / "d.csv")
    for (name, sheet), path in zip(book.items(), csv_paths(tmp_path / "d_Restricted.csv"), strict=False):
        with open(path, encoding="utf-8-sig", newline="") as fh:
            text = list(csv.reader(fh))
        assert len(text) == len(sheet) > 1, name
        for x_row, c_row in zip(sheet, text, strict=True):
            x_row = x_row + (None,) * (len(c_row) - len(x_row))  # trailing blanks are left out
            assert [str(csv_cell(v)) for v in x_row] == c_row, name
    assert any(SECRET in str(v) for row in book["Restricted answers"] for v in row)


def test_awkward_text_reads_back_as_typed(tmp_path):
    ds = Dataset(selection="fictional", restricted=True)  # the file with area and agency
    ds.audits = [("Case A/1", "Case A", " Glen ", "Ag", 0, "baseline", "case_file_audit",
                  "finalised", "c", "1.0", "Title", 3, "2026-01")]
    ds.items = {("s", "i"): ("t1", "Theme <1> & 'two'", "i", "Q?", "quality")}
    ds.levels = {("s", "quality", "3"): ("Meets & more", 3, 1)}
    ds.free_text = True
    notes = ["=SUM(1,2)", "line one\r\nline two", "bell\x07 gone", "x" * 40_000, ""]
    ds.answers = [(0, ("s", "i"), "3", n) for n in notes]
    rows = _rows(write_dataset(ds, "xlsx", tmp_path / "a.xlsx")[0])["Restricted answers"]
    assert [r[2] for r in rows[1:]] == [" Glen "] * 5  # space at either end is kept
    assert rows[1][11] == "Theme <1> & 'two'" and rows[1][16] == "Meets & more"
    got = [r[19] if len(r) > 19 else None for r in rows[1:]]
    assert got[0] == "=SUM(1,2)"  # text, never a formula
    assert got[1] == "line one\r\nline two" and got[2] == "bell gone"
    assert len(got[3]) == 32_767 and got[3].endswith("…")  # Excel's limit of a cell
    assert got[4] is None
    assert rows[1][17:19] == (3, 1)  # numbers stay numbers


def _listing(folder: Path, system_tmp: Path) -> tuple[list[str], list[str]]:
    return sorted(os.listdir(folder)), sorted(os.listdir(system_tmp))


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_no_plaintext_outside_the_targets_temporary_even_after_a_failure(
    populated, tmp_path, monkeypatch, fmt
):
    system_tmp = tmp_path / "system-temp"
    system_tmp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(system_tmp))
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    ds = build_dataset(populated, AuditFilter(), include_free_text=True)
    seen: list[tuple[list[str], list[str]]] = []
    write_dataset(ds, fmt, out_dir / f"d.{fmt}", lambda f: seen.append(_listing(out_dir, system_tmp)))
    assert seen
    done = {p.name for p in csv_paths(out_dir / "d.csv")}  # CSV: tables swapped in one by one
    for in_folder, in_tmp in seen[:-1]:  # while writing: a hidden temporary, nothing else
        assert in_tmp == [] and in_folder
        assert all(n in done or (n.startswith(".") and n.endswith(".part")) for n in in_folder)
    assert _listing(out_dir, system_tmp)[1] == []
    for name in os.listdir(out_dir):
        os.remove(out_dir / name)

    real = ds.answer_parts

    def fails_half_way():
        for n, parts in enumerate(real()):
            if n == len(ds.answers) // 2:
                raise OSError(28, "No space left on device (simulated)")
            yield parts

    ds.answer_parts = fails_half_way  # type: ignore[method-assign]
    with pytest.raises(Exception, match="space"):
        write_dataset(ds, fmt, out_dir / f"d.{fmt}", lambda f: seen.append(_listing(out_dir, system_tmp)))
    assert _listing(out_dir, system_tmp) == ([], [])  # the temporary is gone, nothing else made
