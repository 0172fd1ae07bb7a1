"""SPSS and Stata files (issue 23 item 1): a real encrypted demo database of synthetic, clearly
fictional audits, exported as .sav, .dta and CSV (with its .sps and .do), every file read back
(pyreadstat, pandas, csv) and compared with the long CSV and the codebook."""

from __future__ import annotations

import csv
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pyreadstat
import pytest

from audit_tool.cli.exports import ANONYMISED_LINE
from audit_tool.dataset import (
    AUDIT_COLUMNS,
    build_dataset,
    csv_paths,
    export_dataset,
    write_dataset,
)
from audit_tool.dataset_stats import syntax_paths
from audit_tool.filters import AuditFilter
from audit_tool.store import Database
from tests.conftest import PASSPHRASE


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    from audit_tool.demo import generate

    path = tmp_path_factory.mktemp("demo") / "demo.db"
    with Database.create(path, PASSPHRASE) as db:
        generate(db, 120, seed=3)
    return path


@pytest.fixture(scope="module")
def exported(demo, tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("out")
    with Database.open(demo, PASSPHRASE) as db:
        # one release written three ways: each export draws fresh pseudonyms (k-anonymity),
        # so only the same built dataset can be joined row for row across formats
        ds = build_dataset(db, AuditFilter())
    for fmt in ("csv", "sav", "dta"):
        write_dataset(ds, fmt, folder / f"data.{fmt}", None)
    return folder


def _read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def _name(checklist_id: str, item_id: str) -> str:
    """The documented naming: the demo holds four checklists, so every item variable is
    the checklist's initials, '_', the item id with '-' as '_'."""
    initials = "".join(w[0] for w in checklist_id.split("-"))
    return f"{initials}_{item_id}".replace("-", "_").replace(".", "_")


def _multiple() -> set[tuple[str, str]]:
    """(checklist, scale) of the bundled multiple-choice scales (issue 19)."""
    from audit_tool.checklists.loader import bundled

    return {(c.id, sid) for c in bundled() for sid, sc in c.definition.scales.items() if sc.is_multiple}


def test_multiple_choice_options_are_0_1_variables_within_stata_limits(exported):
    frame, meta = pyreadstat.read_dta(exported / "data.dta")
    ticks = [c for c in meta.column_names if c.startswith("gdadr_sv_25_")]
    assert "gdadr_sv_25_alcohol_drug" in ticks and len(ticks) == 11
    assert meta.variable_value_labels["gdadr_sv_25_housing"] == {0: "not ticked", 1: "ticked"}
    assert set(frame["gdadr_sv_25_housing"].dropna()) <= {0, 1}
    assert max(len(c) for c in meta.column_names) <= 32


def _expected(folder: Path):
    """From the long CSV and the codebook only: audit -> {item: (label, order)}, the
    question of each item, and each (checklist, scale) level's label."""
    answers, audits, book = (_read_csv(p) for p in csv_paths(folder / "data.csv"))
    by_audit: dict[str, dict[str, tuple[str, int]]] = {}
    questions: dict[str, str] = {}
    for r in answers:
        if (r["checklist_id"], r["scale"]) in _multiple():
            continue  # one 0/1 variable per option, checked in test_multiple_choice_*
        name = _name(r["checklist_id"], r["item_id"])
        by_audit.setdefault(r["audit_key"], {})[name] = (
            r["level_label"], r["level_value"], r["scale"]
        )
        questions[name] = r["question"]
    levels = {
        (r["checklist_id"], r["scale"], r["level_value"]): (r["level_label"], int(r["level_order"]))
        for r in book
        if r["section"] == "scale level"
    }
    return audits, by_audit, questions, levels


def test_sav_values_and_labels_match_the_csv_and_codebook(exported):
    audits, by_audit, questions, levels = _expected(exported)
    frame, meta = pyreadstat.read_sav(exported / "data.sav", user_missing=True)
    assert len(frame) == len(audits) > 100
    anonymised = [c[0] for c in AUDIT_COLUMNS if c[0] not in ("area", "agency")]
    assert list(frame.columns[: len(anonymised)]) == anonymised  # geography: Restricted only
    labels = dict(zip(meta.column_names, meta.column_labels, strict=True))
    assert labels["audit_key"] == AUDIT_COLUMNS[0][1]
    assert {n: labels[n] for n in questions} == questions  # each item: its question
    checked = 0
    for row in frame.to_dict("records"):
        expect = by_audit.get(row["audit_key"], {})
        for item, question in questions.items():
            code = row[item]
            if item not in expect:
                assert pd.isna(code), (row["audit_key"], item)
                continue
            label, value, scale = expect[item]
            assert meta.variable_value_labels[item][code] == label
            scale_levels = {
                v: lv for (cid, s, v), lv in levels.items() if (cid, s) == (row["checklist_id"], scale)
            }
            if code > 0:  # a level's code is its place on the scale, as the codebook says
                assert code == scale_levels[value][1]
            else:  # not asked / not applicable: user-missing in SPSS
                assert value == "not_asked" or scale_levels[value][0] == label
                assert any(r.get("lo") <= code <= r.get("hi") for r in meta.missing_ranges[item])
            checked += 1
            assert question
    assert checked == sum(len(v) for v in by_audit.values())
    # the audits table's columns are the CSV's
    csv_rows = {r["audit_key"]: r for r in audits}
    for row in frame.to_dict("records"):
        want = csv_rows[row["audit_key"]]
        assert [row["checklist_id"], row["phase"], int(row["answered"])] == [
            want["checklist_id"], want["phase"], int(want["answered"])
        ]
    assert "finalised audits only" in " ".join(meta.notes).lower()


def test_dta_values_labels_and_tagged_missing(exported):
    audits, by_audit, questions, _levels = _expected(exported)
    frame, meta = pyreadstat.read_dta(exported / "data.dta", user_missing=True)
    assert len(frame) == len(audits)
    labels = dict(zip(meta.column_names, meta.column_labels, strict=True))
    for item, q in questions.items():
        assert labels[item] == (q if len(q) <= 80 else q[:79] + "…")
    seen_missing = set()
    for row in frame.to_dict("records"):
        for item, (label, _value, _scale) in by_audit[row["audit_key"]].items():
            code = row[item]
            assert meta.variable_value_labels[item][code] == label
            if isinstance(code, str):  # .a not asked, .b... not applicable
                seen_missing.add(code)
    assert "a" in seen_missing  # the demo has items not asked
    # pandas reads the same file: the same rows and values
    plain = pd.read_stata(exported / "data.dta", convert_categoricals=False)
    assert list(plain["audit_key"]) == list(frame["audit_key"])


def test_csv_wide_file_and_its_syntax_carry_the_same_labels(exported):
    audits, by_audit, questions, _levels = _expected(exported)
    data, sps, do = syntax_paths(exported / "data.csv")
    wide = _read_csv(data)
    sav, meta = pyreadstat.read_sav(exported / "data.sav", user_missing=True)
    assert [r["audit_key"] for r in wide] == list(sav["audit_key"])
    for r, s in zip(wide, sav.to_dict("records"), strict=True):
        for item in questions:
            assert (r[item] == "") == pd.isna(s[item])
            if r[item]:
                assert int(r[item]) == s[item]
    spss, stata = sps.read_text("utf-8"), do.read_text("utf-8")
    for item, q in questions.items():
        assert f"{item} '{q.replace(chr(39), chr(39) * 2)}'" in spss[: 255 + spss.find(item)] or (
            q[:200].replace("'", "''") in spss
        )
        assert f"label variable {item} `\"" in stata
        for code, label in meta.variable_value_labels[item].items():
            assert f"{int(code)} '{label.replace(chr(39), chr(39) * 2)}'" in spss
    assert "MISSING VALUES" in spss and "(-99 THRU -1)" in spss
    assert "replace " in stata and "= .a if" in stata
    # Stata names (variables, value labels) have at most 32 characters
    for line in stata.splitlines():
        if line.startswith(("label define", "label values", "replace ")):
            assert all(len(w) <= 32 for w in line.split()[2:4] if w.isidentifier()), line


@pytest.mark.skipif(shutil.which("pspp") is None, reason="PSPP is not installed")
def test_spss_syntax_runs_in_pspp(exported, tmp_path):
    data, sps, _do = syntax_paths(exported / "data.csv")
    work = tmp_path / "pspp"
    work.mkdir()
    shutil.copy(data, work)
    script = sps.read_text("utf-8") + "SAVE OUTFILE='from_syntax.sav'.\n"
    (work / "run.sps").write_text(script, "utf-8")
    done = subprocess.run(["pspp", "-O", "format=txt", "run.sps"], cwd=work, capture_output=True,
                          text=True, timeout=120)
    assert "error" not in (done.stdout + done.stderr).lower(), done.stdout[-2000:]
    ours, meta_ours = pyreadstat.read_sav(work / "from_syntax.sav", user_missing=True)
    native, meta_native = pyreadstat.read_sav(exported / "data.sav", user_missing=True)
    items = list(meta_native.variable_value_labels)
    assert meta_ours.variable_value_labels == meta_native.variable_value_labels
    pd.testing.assert_frame_equal(ours[items].astype(float), native[items].astype(float))


def test_native_formats_need_their_folder(demo, tmp_path):
    from audit_tool.errors import AuditToolError

    with Database.open(demo, PASSPHRASE) as db, pytest.raises(AuditToolError, match="does not exist"):
        export_dataset(db, AuditFilter(), "sav", tmp_path / "missing" / "x.sav")
    assert not (tmp_path / "missing").exists()
    assert list(tmp_path.iterdir()) == []


def test_without_pyreadstat_one_line_says_to_use_csv(demo, tmp_path, monkeypatch):
    # the frozen app leaves pyreadstat out: simulate its absence (import fails)
    import sys

    from audit_tool.dataset_stats import NATIVE_UNAVAILABLE, native_available
    from audit_tool.errors import InvalidInput

    monkeypatch.setitem(sys.modules, "pyreadstat", None)
    assert not native_available()
    with pytest.raises(InvalidInput) as caught:  # before the database is even opened
        export_dataset(None, AuditFilter(), "dta", tmp_path / "x.dta")
    assert str(caught.value) == NATIVE_UNAVAILABLE and "\n" not in NATIVE_UNAVAILABLE
    assert list(tmp_path.iterdir()) == []


def test_cli_export_dataset_sav(cli, demo, tmp_path):
    out = tmp_path / "cli.sav"
    r = cli("--db", demo, "export", "dataset", "--format", "sav", "--out", out, "--recipient", "Steering group (fictional)")
    assert r.returncode == 0, r
    assert r.stdout.splitlines() == [f"Wrote {out}", ANONYMISED_LINE]
    _frame, meta = pyreadstat.read_sav(out, metadataonly=True)
    assert meta.column_labels[0] == AUDIT_COLUMNS[0][1]
    r = cli("--db", demo, "export", "dataset", "--format", "por", "--out", tmp_path / "x.por", "--recipient", "Steering group (fictional)")
    assert r.returncode == 1 and "use xlsx, csv, sav, dta" in r.stderr
