"""The multi-agency case file review: the bundled file itself, the CLI that lists and checks
it, its spreadsheet round trip, and the steering group report that adds its answers up by
the Care Inspectorate's quality indicators, read back from real PDF and DOCX files.

All data here is synthetic and clearly fictional.
"""

from __future__ import annotations

import re
import tomllib
from collections import Counter
from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook
from pypdf import PdfReader

from audit_tool import audits
from audit_tool.checklists.loader import bundled, load_file
from audit_tool.checklists.model import FAILS, NOT_APPLICABLE, SHOWN
from audit_tool.checklists.spreadsheet import SpreadsheetError, import_xlsx, to_spreadsheet
from audit_tool.disclosure.rules import Line, suppress
from audit_tool.export import export_report
from audit_tool.filters import AuditFilter

ROOT = Path(__file__).resolve().parent.parent
PATH = ROOT / "checklists" / "multi_agency_case_file_review.toml"
SAFE_TOGETHER = ROOT / "checklists" / "safe_together_case_file_audit.toml"
CID = "multi-agency-case-file-review"
QI = "quality_indicator"


# these pin counts and the small-number rules of the release path: a p-table that moves no
# count of 5 or more (conftest no_noise); perturbation is attacked in test_attack_reports.py
pytestmark = pytest.mark.usefixtures("no_noise")

@pytest.fixture(scope="module")
def loaded():
    return load_file(PATH, origin="bundled")


@pytest.fixture(scope="module")
def d(loaded):
    return loaded.definition


# -- the file -----------------------------------------------------------------------------------


def test_loads_validates_and_is_bundled(loaded, d):
    assert d.id == CID and d.version == "2.1" and d.audit_types == ("multi_agency_review",)
    assert CID in {c.id for c in bundled()}
    raw = tomllib.loads(PATH.read_text("utf-8"))
    items = [i for t in raw["themes"] for i in t["items"]]
    # 3.0 adds the reverse items and outcome facts of the Safe & Together audit (issue 19)
    assert d.item_count() == len(items) and 40 <= len(items) <= 50
    assert len(raw["themes"]) == 9
    assert all("key" not in lv for s in raw["scales"].values() for lv in s["levels"])


def test_item_ids_are_unique(d):
    ids = [item.id for _, item in d.items()]
    assert len(ids) == len(set(ids))


def test_every_item_has_exactly_one_quality_indicator_and_each_is_used(d):
    qis = {t for t, tag in d.tags.items() if tag.kind == QI}
    assert len(qis) == 6
    per_item = {item.id: [t for t in item.tags if t in qis] for _, item in d.items()}
    assert {i: len(q) for i, q in per_item.items() if len(q) != 1} == {}
    used = Counter(q[0] for q in per_item.values())
    assert set(used) == qis
    labels = {d.tags[t].label for t in qis}
    assert "Assessing and responding to risk and need" in labels
    assert "Leadership of improvement and change" in labels
    # every rated indicator has something to add up (facts are never scored)
    rated = Counter(q[0] for i, q in per_item.items() if not d.scale_of(d.item(i)).is_fact)
    assert set(rated) == qis and min(rated.values()) >= 3


def test_principles_components_and_practice_areas_match_the_case_file_audit(d):
    st = load_file(SAFE_TOGETHER).definition
    kinds = ("principle", "component", "practice_area")
    ours = {t: (tag.kind, tag.label) for t, tag in d.tags.items() if tag.kind in kinds}
    theirs = {t: (tag.kind, tag.label) for t, tag in st.tags.items() if tag.kind in kinds}
    assert ours == theirs and len(ours) == 12
    used = {t for _, item in d.items() for t in item.tags}
    assert set(ours) <= used  # each principle, component and area has a question


def test_quality_scale_meeting_levels_first_and_not_applicable_last(d):
    q = d.scales["quality"]
    assert [lv.value for lv in q.ordered_levels()] == ["6", "5", "4", "3", "2", "1", "na"]
    assert [lv.label for lv in q.levels][:1] == ["Excellent"]
    assert q.levels[-1].label == "Not applicable"
    assert q.meets_standard == ("6", "5", "4") and q.not_rated == ("na",)
    assert [q.meets(v) for v in ("6", "4", "3", "1", "na")] == [True, True, False, False, None]
    assert q.key_of("6") == "1" and q.key_of("1") == "6" and q.key_of("na") == "0"
    assert d.scales["evidence"].meets_standard == ("yes",)


def test_agency_facts_are_never_scored_and_one_splits_reports(d):
    facts = [item for _, item in d.items() if d.scale_of(item).is_fact]
    assert [i.id for i in facts] == [
        # lt-01: the coded learning themes (issue 20), counted, never scored
        "ag-01", "ag-02", "ag-03", "ag-04", "ag-05", "lt-01", "oc-01", "oc-02", "oc-03"
    ]
    assert all(d.scale_of(i).meets(lv.value) is None for i in facts for lv in d.scale_of(i).levels)
    assert [i.id for i in facts if i.breakdown] == ["ag-05"]


def test_questions_about_an_agency_follow_the_fact_that_it_was_involved(d):
    follows = {i.id: i.show_when.item for _, i in d.items() if i.show_when}
    assert follows == {
        "as-02": "ag-01",  # police
        "as-03": "ag-02",  # health
        "as-04": "ag-03",  # school or nursery
        "as-05": "ag-04",  # specialist domestic abuse service
        "pl-02": "ag-05",  # MARAC
    }
    for item_id, fact in follows.items():
        item = d.item(item_id)
        assert d.hidden_effect(item, {fact: "yes"}) == SHOWN
        # a fact hides it as not applicable, never as a failure
        assert d.hidden_effect(item, {fact: "no"}) == NOT_APPLICABLE != FAILS
        assert d.hidden_effect(item, {fact: "not_known"}) == NOT_APPLICABLE


def test_wording_asks_how_well_with_relative_periods(d):
    for _, item in d.items():
        if d.scale_of(item).is_fact:
            assert "the period read" in item.question, item.id
        elif item.scale == "concern":  # reverse-scored: is the poor pattern there?
            assert item.question.startswith(("Do ", "Does ", "Is ")), item.id
            assert item.guidance.startswith("Reverse-scored: 'No' meets the standard"), item.id
        else:
            assert item.question.startswith(("How well", "How fully")), item.id
        for text in (item.question, item.guidance, item.evidence_prompt):
            assert not re.search(r"\b(19|20)\d\d\b", text), item.id  # no dates or years
        assert item.guidance.startswith(
            ("Good practice looks like", "Count", "Choose", "Reverse-scored")
        ), item.id
        assert " and/or " not in item.question, item.id


# -- the CLI ------------------------------------------------------------------------------------


def test_cli_lists_it_with_its_item_count(cli):
    result = cli("checklists")
    assert result.returncode == 0, result
    count = PATH.read_text("utf-8").count("[[themes.items]]")
    line = next(ln for ln in result.stdout.splitlines() if ln.startswith(CID))
    assert re.search(rf"\b2\.1\s+{count} items\s+Multi-agency case file review$", line), line


def test_cli_validate_exits_0(cli):
    result = cli("checklist", "validate", PATH)
    assert result.returncode == 0, result
    assert f"{CID} version 2.1, 9 themes" in result.stdout


# -- spreadsheet round trip ---------------------------------------------------------------------


def test_spreadsheet_export_and_import_reproduce_it(tmp_path, d, cli):
    xlsx = tmp_path / "ma.xlsx"
    assert cli("checklist", "export", CID, "--out", xlsx).returncode == 0
    scales = load_workbook(xlsx)["scales"]
    head = [c.value for c in scales[1]]
    rows = [
        dict(zip(head, (c.value for c in r), strict=False)) for r in scales.iter_rows(min_row=2)
    ]
    first = next(r for r in rows if r["scale"] == "involvement")
    assert first["kind"] == "fact" and not first["meets"]  # a fact scale is never scored
    assert any(r["group_label"] == "files where it was involved" for r in rows)
    text, back = import_xlsx(xlsx)
    assert back.definition == d
    assert back.definition.scales["involvement"].is_fact and back.definition.item("ag-05").breakdown
    assert tomllib.loads(text)["scales"]["involvement"]["kind"] == "fact"
    again = tmp_path / "again.xlsx"
    to_spreadsheet(back.definition, again)
    assert import_xlsx(again)[1].definition == d


def test_spreadsheet_meets_on_a_fact_scale_names_the_cell(tmp_path, d):
    xlsx = tmp_path / "ma.xlsx"
    to_spreadsheet(d, xlsx)
    wb = load_workbook(xlsx)
    ws = wb["scales"]
    head = [c.value for c in ws[1]]
    scale_col, meets_col = head.index("scale") + 1, head.index("meets") + 1
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, scale_col).value == "involvement")
    ws.cell(row, meets_col).value = "yes"
    wb.save(xlsx)
    with pytest.raises(SpreadsheetError) as info:
        import_xlsx(xlsx)
    msg = str(info.value)
    assert f"sheet 'scales', row {row}, column F (meets)" in msg
    assert "records a fact, which is never scored" in msg and "\n" not in msg


# -- the steering group report, by quality indicator ---------------------------------------------

# Six finalised reviews. Every question is answered "2" (Weak) or "Partly", and every fact
# "No" (so the MARAC question stays hidden), except the three questions on involving
# children and families, answered so that by hand:
#   ch-02: 6 6 6 1 1 1        -> 3 of 6 meet the standard
#   pa-02: na 4 3 3 3 3       -> 1 of 5 rated (one not applicable)
#   pe-01: 5 5 5 5 5 2        -> 5 of 6
#   involving children and families: 9 of 17 rated items = 52.9%, shown as 53%
INVOLVING = {
    "ch-02": ["6", "6", "6", "1", "1", "1"],
    "pa-02": ["na", "4", "3", "3", "3", "3"],
    "pe-01": ["5", "5", "5", "5", "5", "2"],
}
N = 6


def _answer_for(d, item, k: int) -> str:
    if item.id in INVOLVING:
        return INVOLVING[item.id][k]
    scale = d.scale_of(item)
    if scale.is_fact and scale.level("no") is None:  # an outcome: where the child lives...
        return "not_recorded"
    return (
        "no"
        if scale.is_fact
        else ("partly" if "partly" in [lv.value for lv in scale.levels] else "2")
    )


@pytest.fixture
def reviews(db):
    loaded = next(c for c in bundled() if c.id == CID)
    d = loaded.definition
    for k in range(N):
        case = audits.add_case(
            db, f"FICT-MA-{k:03d}", "Glenmorven (fictional)", "Children and Families (fictional)"
        )
        audit_id = audits.new_audit(db, case.id, loaded, phase="baseline")
        for _, item in d.items():
            if d.visible(item, audits.get_audit(db, audit_id).ratings):
                audits.answer(db, audit_id, item.id, _answer_for(d, item, k))
        audits.finalise(db, audit_id)
    return d


def _pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(str(path)).pages)


def _docx_tables(path: Path) -> dict[str, list[list[str]]]:
    """Each table's rows (below its header), by the text of its first header cell."""
    out: dict[str, list[list[str]]] = {}
    for table in Document(str(path)).tables:
        cells = [[c.text for c in row.cells] for row in table.rows]
        out.setdefault(cells[0][0], cells[1:])
    return out


def test_report_adds_up_by_quality_indicator_in_pdf_and_docx(db, reviews, tmp_path):
    # the shares themselves, on the identifiable report (exact figures): anonymised, a share
    # resting on 1 to 4 audits meeting, or 0% of 6 audits, is withheld
    pdf = export_report(db, AuditFilter(checklist_id=CID), "pdf", tmp_path / "ma.pdf",
                        include_identifiers=True)
    docx = export_report(db, AuditFilter(checklist_id=CID), "docx", tmp_path / "ma.docx",
                         include_identifiers=True)

    text = _pdf_text(pdf)
    section = text[text.index("By quality indicator") : text.index("By area and phase")]
    assert re.search(r"Involving children and families\s+6\s+17\s+53%", section), section
    # every other rated answer was Weak or Partly: nothing else meets the standard
    assert re.search(r"Leadership of improvement and change\s+6\s+18\s+0%", section), section
    assert "Share meeting the standard, by quality indicator" in section

    headings = [
        p.text for p in Document(str(docx)).paragraphs if p.style.name.startswith("Heading")
    ]
    assert (
        headings.index("By principles, critical components and practice areas")
        < headings.index("By quality indicator")
        < headings.index("By area and phase")
    )
    tables = _docx_tables(docx)
    qi_rows = {r[0]: r[1:4] for r in tables["Quality indicator"]}
    assert list(qi_rows) == [
        "Impact on children and young people",
        "Impact on families",
        "Assessing and responding to risk and need",
        "Planning for individual children",
        "Involving children and families",
        "Leadership of improvement and change",
    ]
    assert qi_rows["Involving children and families"] == ["6", "17", "53%"]
    # principles, then components, then practice areas
    first_words = {
        k: [r[0].split(" ")[0] for r in tables[k]]
        for k in ("Principle", "Critical component", "Practice area")
    }
    assert first_words["Principle"] == ["Principle"] * 3
    assert first_words["Critical component"] == ["Component"] * 5
    assert first_words["Practice area"] == ["Assessment", "Documentation", "Interviewing", "Case"]


def test_an_indicator_resting_on_few_reviews_is_suppressed_with_its_neighbour(db, tmp_path):
    """Leadership rated in only 2 of 6 reviews (not applicable in the rest): its row shows
    '<5', and since the indicators' rated items add up to the themes', the smallest other
    row (all have 6 reviews; the first is taken) is held back too. Everything outside
    involving children and families meets the standard here."""
    loaded = next(c for c in bundled() if c.id == CID)
    d = loaded.definition
    for k in range(N):
        case = audits.add_case(
            db, f"FICT-MB-{k:03d}", "Inverbrack (fictional)", "Education (fictional)"
        )
        audit_id = audits.new_audit(db, case.id, loaded, phase="baseline")
        for _, item in d.items():
            if not d.visible(item, audits.get_audit(db, audit_id).ratings):
                continue
            rating = _answer_for(d, item, k)
            if item.id not in INVOLVING and not d.scale_of(item).is_fact:
                # meets the standard: hidden rows whose items met it nowhere would read as zero
                rating = (
                    "na"
                    if item.id.startswith("le-") and k >= 2
                    else d.scale_of(item).meets_standard[0]
                )
            audits.answer(db, audit_id, item.id, rating)
        audits.finalise(db, audit_id)
    docx = export_report(db, AuditFilter(checklist_id=CID), "docx", tmp_path / "small.docx")
    rows = {r[0]: r[1:4] for r in _docx_tables(docx)["Quality indicator"]}
    assert rows["Leadership of improvement and change"] == ["<5", "suppressed", "suppressed"]
    assert rows["Impact on children and young people"] == ["suppressed"] * 3
    # its share rests on fewer than 5 reviews meeting (or falling short): withheld, '—'
    assert rows["Involving children and families"] == ["6", "17", "—"]
    hidden = [k for k, v in rows.items() if "suppressed" in v]
    assert len(hidden) == 2


def test_a_lone_hidden_row_on_a_line_of_unlabelled_totals_takes_a_neighbour():
    """Rated items add up to a total the reader can see; the hidden row's rated items show
    only 'suppressed'. One hidden row would be the total minus the others, so the smallest
    other row goes too; two hidden rows of unknown size protect each other."""
    rated = Line((0, 1, 2), (24, 30, 6), labelled=False)
    assert suppress([6, 7, 2], [False, False, True], [rated]) == [True, False, True]
    assert suppress([6, 7, 2], [False, True, True], [rated]) == [False, True, True]
    assert suppress([6, 7, 8], [False, False, False], [rated]) == [False, False, False]


# -- Checklists 3.0 (issue 19) -----------------------------------------------------------------


def test_oversight_items_map_to_the_indicator_they_evidence(d):
    qi = {item.id: next(t for t in item.tags if d.tags[t].kind == QI) for _, item in d.items()}
    assert qi["le-01"] == "qi-c-risk-need"  # a manager's oversight of risk decisions
    assert qi["le-02"] == "qi-d-planning"  # settling disagreements about the child's plan
    assert {qi[i] for i in ("le-03", "le-04", "le-05")} == {"qi-f-leadership"}


def test_reverse_items_and_outcomes_line_up_with_the_case_file_audit(d):
    st = load_file(SAFE_TOGETHER).definition
    for item_id in ("bl-02", "bl-06", "bl-08", "oc-01", "oc-02", "oc-03"):
        ours, theirs = d.scale_of(d.item(item_id)), st.scale_of(st.item(item_id))
        assert ours == theirs, item_id  # same answers, so the results can be set side by side
    assert d.scale_of(d.item("bl-02")).meets_standard == ("no",)


def test_a_quality_indicator_number_set_in_the_file_round_trips(tmp_path):
    text = PATH.read_text("utf-8").replace(
        'label = "Impact on children and young people"',
        'label = "Impact on children and young people"\nnumber = "2.1"',
    )
    numbered = tmp_path / "numbered.toml"
    numbered.write_text(text.replace(f'id = "{CID}"', 'id = "ma-numbered"'), "utf-8")
    d = load_file(numbered).definition
    assert d.tags["qi-a-impact-children"].number == "2.1"
    assert d.tags["qi-b-impact-families"].number == ""  # the bundled file leaves them unset
    xlsx = tmp_path / "numbered.xlsx"
    to_spreadsheet(d, xlsx)
    assert import_xlsx(xlsx)[1].definition.tags["qi-a-impact-children"].number == "2.1"
    assert {t.number for t in load_file(PATH).definition.tags.values()} == {""}
