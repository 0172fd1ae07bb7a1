"""Multiple choice and anchored scales (issue 19, items 1 and 2): the syntax, the write
path and the round trips, against real encrypted databases and real files read back."""

from __future__ import annotations

from pathlib import Path

import pytest

from audit_tool import audits
from audit_tool.checklists.loader import load_file, parse
from audit_tool.domain import Phase
from audit_tool.errors import ChecklistError, InvalidInput

DATA = Path(__file__).resolve().parent / "data"
AREA = "Glenmorven (fictional)"


@pytest.fixture
def ma():
    return load_file(DATA / "multi_anchor.toml")


@pytest.fixture
def audit_id(db, ma):
    case = audits.add_case(db, "FICTIONAL-CASE-0019", AREA, "Drug death review (fictional)")
    return audits.new_audit(db, case.id, ma, phase=Phase.BASELINE)


def test_syntax_multiple_choice_and_anchors(ma):
    d = ma.definition
    subs = d.scales["substances"]
    assert subs.is_multiple and subs.is_fact
    assert [lv.value for lv in subs.levels][-1] == "none" and subs.levels[-1].exclusive
    assert d.scales["language4"].levels[0].anchor.startswith("The record names who harmed")
    assert subs.meets("opioids") is None  # counted, never scored


@pytest.mark.parametrize(
    "scale, message",
    [
        ('kind = "multiple"\nmeets_standard = ["a"]', "never scored"),
        ('kind = "fact"', ""),
        ('kind = "rating"\nmeets_standard = ["a"]', "only an option of a multiple-choice"),
    ],
)
def test_exclusive_only_on_multiple_choice_and_mc_never_scored(scale, message):
    src = f"""
id = "x"
version = "1.0"
title = "X (fictional)"
purpose = "Test."
[scales.s]
title = "S"
{scale}
levels = [{{ value = "a", label = "A" }}, {{ value = "b", label = "B", exclusive = true }}]
[[themes]]
id = "t"
title = "T"
[[themes.items]]
id = "i"
question = "Q?"
guidance = "G."
scale = "s"
"""
    if scale.startswith('kind = "fact"'):
        with pytest.raises(ChecklistError, match="only an option of a multiple-choice"):
            parse(src)
        return
    with pytest.raises(ChecklistError, match=message):
        parse(src)


def test_answer_stores_the_ticked_set_canonically(db, audit_id):
    # any order, values or labels, text or a list: one canonical form in the scale's order
    change = audits.answer(db, audit_id, "subs", "Alcohol, opioids")
    assert change.answer.rating == "opioids,alcohol"
    assert audits.answer(db, audit_id, "subs", ["alcohol", "opioids"]).changed is False
    audit = audits.get_audit(db, audit_id)
    assert audit.ratings["subs"] == "opioids,alcohol"
    # the follow-up shows because opioids is among the ticked options
    assert audit.answers.get("opi") is None
    audits.answer(db, audit_id, "opi", "3")
    assert audits.get_audit(db, audit_id).answers["opi"].applies
    audits.answer(db, audit_id, "subs", ["alcohol"])
    assert not audits.get_audit(db, audit_id).answers["opi"].applies
    # nothing ticked is unanswered
    assert audits.answer(db, audit_id, "subs", []).answer.rating is None


@pytest.mark.parametrize(
    "bad, message",
    [
        ("opioids,heroin", "'heroin' is not an option of the Substances found"),
        (["none", "alcohol"], "'None of these' cannot be ticked together"),
    ],
)
def test_a_bogus_or_contradictory_set_is_refused_and_nothing_written(db, audit_id, bad, message):
    audits.answer(db, audit_id, "subs", "alcohol")
    with pytest.raises(InvalidInput, match=message):
        audits.answer(db, audit_id, "subs", bad)
    assert audits.get_audit(db, audit_id).ratings["subs"] == "alcohol"


# -- the round trip: answer -> audit show -> bundle -> dataset -> one-audit report ------------

TICKS = ["opioids,alcohol", "alcohol", "none", "opioids,benzodiazepines,alcohol", "opioids", "alcohol"]


def test_multiple_choice_round_trip(tmp_path, cli, ma):
    import json

    import pyrage
    import pyreadstat
    from openpyxl import load_workbook

    from audit_tool.dataset import export_dataset
    from audit_tool.exchange import export_bundle, import_bundle, read_bundle
    from audit_tool.export import export_audit
    from audit_tool.filters import AuditFilter
    from audit_tool.store import Database
    from tests.conftest import PASSPHRASE

    sender = tmp_path / "sender.db"
    ids = []
    with Database.create(sender, PASSPHRASE) as db:
        for n, ticks in enumerate(TICKS):
            case = audits.add_case(db, f"FICTIONAL-MC-{n:04d}", AREA, "Drug death review (fictional)")
            aid = audits.new_audit(db, case.id, ma, phase=Phase.BASELINE)
            ids.append(aid)
            if n:  # the first is answered through the CLI below
                audits.answer(db, aid, "subs", ticks.split(","))
            audits.answer(db, aid, "la-01", "4" if n % 2 else "2")
    # the CLI: a comma-separated list, values or labels, any order; a bogus option refused
    first = ids[0]
    done = cli("--db", sender, "audit", "answer", first, "subs", "--rating", "Alcohol,opioids")
    assert done.returncode == 0, done.stderr
    bad = cli("--db", sender, "audit", "answer", first, "subs", "--rating", "opioids,heroin")
    assert bad.returncode == 1 and "'heroin' is not an option of the Substances found" in bad.stderr
    assert len(bad.stderr.strip().splitlines()) == 1
    shown = json.loads(cli("--db", sender, "audit", "show", first, "--json").stdout)
    subs = next(i for t in shown["themes"] for i in t["items"] if i["id"] == "subs")
    assert (subs["kind"], subs["rating"], subs["ticked"]) == (
        "multiple", "opioids,alcohol", ["opioids", "alcohol"]
    )
    assert subs["meets_standard"] is None
    la = next(i for t in shown["themes"] for i in t["items"] if i["id"] == "la-01")
    assert la["ticked"] is None and la["levels"][0]["anchor"].startswith("The record names")
    plain = cli("--db", sender, "audit", "show", first).stdout
    assert "Opioids; Alcohol" in plain
    with Database.open(sender, PASSPHRASE) as db:
        for aid in ids:
            audits.finalise(db, aid)
        # the bundle carries the set; the receiving laptop reads the same answers back
        ident = pyrage.x25519.Identity.generate()
        export_bundle(db, tmp_path / "mc.age", recipients=[str(ident.to_public())])
    lead_path = tmp_path / "lead.db"
    with Database.create(lead_path, PASSPHRASE) as lead:
        import_bundle(lead, read_bundle(tmp_path / "mc.age", identities=[str(ident)]))
        assert [audits.get_audit(lead, a).ratings["subs"] for a in ids] == TICKS
        # the dataset: long XLSX (one row per option ticked), SAV (one 0/1 variable per option)
        export_dataset(lead, AuditFilter(), "xlsx", tmp_path / "data.xlsx")
        export_dataset(lead, AuditFilter(), "sav", tmp_path / "data.sav")
        export_audit(lead, ids[0], "pdf", tmp_path / "one.pdf")
        export_audit(lead, ids[0], "docx", tmp_path / "one.docx")
    wb = load_workbook(tmp_path / "data.xlsx", read_only=True)
    rows = list(wb["answers"].iter_rows(values_only=True))
    head = rows[0]
    subs_rows = [r for r in rows[1:] if r[head.index("item_id")] == "subs"]
    ticked = sorted(r[head.index("level_value")] for r in subs_rows)
    want = sorted(v for t in TICKS for v in t.split(","))
    assert ticked == want and len(subs_rows) == 9
    assert {r[head.index("meets")] for r in subs_rows} == {None}
    audit_rows = list(wb["audits"].iter_rows(values_only=True))
    # two items answered per audit, however many options were ticked
    assert {r[audit_rows[0].index("answered")] for r in audit_rows[1:]} == {2}
    book = list(wb["codebook"].iter_rows(values_only=True))
    bhead = book[0]
    assert bhead[-1] == "anchor"
    opioid = next(r for r in book if r[bhead.index("level_value")] == "opioids")
    assert "one answers row per option ticked" in opioid[bhead.index("meaning")]
    weak = next(r for r in book if r[bhead.index("level_label")] == "Weak")
    assert weak[bhead.index("anchor")].startswith("Several phrases such as 'failed to protect'")
    frame, meta = pyreadstat.read_sav(str(tmp_path / "data.sav"))
    names = [c for c in frame.columns if c.startswith("subs_")]
    assert names == ["subs_opioids", "subs_benzodiazepines", "subs_alcohol", "subs_none"]
    assert meta.column_names_to_labels["subs_alcohol"] == (
        "Which substances were found? Tick all that apply.: Alcohol"
    )
    assert meta.variable_value_labels["subs_opioids"] == {0.0: "not ticked", 1.0: "ticked"}
    assert sorted(frame["subs_alcohol"].tolist()) == sorted(
        float("alcohol" in t.split(",")) for t in TICKS
    )
    assert frame["subs_none"].sum() == 1 and frame["subs_opioids"].sum() == 3
    assert meta.variable_measure["subs_none"] == "nominal"
    # the one-audit report shows the ticked options
    from docx import Document
    from pypdf import PdfReader

    pdf = " ".join(p.extract_text() for p in PdfReader(tmp_path / "one.pdf").pages)
    assert "Opioids; Alcohol" in pdf
    doc = Document(str(tmp_path / "one.docx"))
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    assert "Opioids; Alcohol" in cells + [p.text for p in doc.paragraphs]


def test_findings_count_each_option_ticked(db, ma):
    from audit_tool.findings.facts import ALL_PHASES, fact_findings
    from audit_tool.reports.facts_section import aggregate_facts_blocks
    from audit_tool.reports.model import Table

    for n, ticks in enumerate([*TICKS, None]):
        case = audits.add_case(db, f"FICTIONAL-F-{n:04d}", AREA, "Drug death review (fictional)")
        aid = audits.new_audit(db, case.id, ma, phase=Phase.BASELINE)
        if ticks:
            audits.answer(db, aid, "subs", ticks)
    (found,) = [f for f in fact_findings(db) if f.phase == ALL_PHASES]
    subs = next(f for f in found.facts if f.item_id == "subs")
    assert subs.multiple and subs.audits == 7
    assert {v.label: v.audits for v in subs.values} == {
        "Opioids": 3, "Benzodiazepines": 1, "Alcohol": 4, "None of these": 1, "No answer": 1,
    }
    table = next(b for b in aggregate_facts_blocks((found,)) if isinstance(b, Table))
    # said once: the question's own "Tick all that apply." is not repeated in brackets
    assert table.columns[0] == "Option ticked"
    assert table.caption.lower().count("tick all that apply") == 1, table.caption
