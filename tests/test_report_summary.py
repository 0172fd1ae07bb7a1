"""The steering-group report as a chair meets it: a one-page summary first (PDF and DOCX),
readable labels, principles before components, a PDF outline, and scales described from the
checklist the audits used. Every figure here is worked out by hand from the audits made."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from docx import Document
from pypdf import PdfReader

from audit_tool import audits
from audit_tool.checklists.loader import load_file
from audit_tool.domain import Recommendation
from audit_tool.export import export_report
from audit_tool.filters import AuditFilter
from audit_tool.reports.build import aggregate_report
from audit_tool.reports.model import Heading

Z = 1.959963984540054
AREA = "Glenmorven (fictional)"
PATTERN = "Use the pattern-based chronology template."


def words(text: str) -> str:
    return " ".join(text.split())


def pdf_pages(path: Path) -> list[str]:
    return [words(p.extract_text()) for p in PdfReader(str(path)).pages]


def docx_text(path: Path) -> str:
    doc = Document(str(path))
    parts = [p.text for p in doc.paragraphs]
    parts += [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return words(" ".join(parts))


def _stamp(day: str):
    return lambda: f"{day}T10:00:00.000Z"


def _audit(
    db, checklist, n: int, phase: str, ratings: dict[str, str], recs=(), when=None, monkeypatch=None
):
    case = audits.add_case(db, f"FICT-SUM-{phase}-{n}", AREA)
    audit_id = audits.new_audit(db, case.id, checklist, phase=phase)
    for item, rating in ratings.items():
        audits.answer(db, audit_id, item, rating)
    if recs:
        audits.set_recommendations(db, audit_id, list(recs))
    if when is not None:  # the day it was finalised: the report's period
        monkeypatch.setattr(audits, "now", _stamp(when))
        audits.finalise(db, audit_id)
        monkeypatch.undo()
    return audit_id


# Baseline: p1 Weak, p2 Yes, p3 Weak, q1 Weak, q2 Yes -> 2 of 5 items meet; 5 audits: 10 of 25.
# Post-training: p1 Very good, p2 Yes, p3 Very good, q1 Weak, q2 Yes -> 4 of 5; 20 of 25.
BASE = {"p1": "2", "p2": "yes", "p3": "2", "q1": "2", "q2": "yes"}
POST = {"p1": "5", "p2": "yes", "p3": "5", "q1": "2", "q2": "yes"}


@pytest.fixture
def ten(db, mini, monkeypatch):
    """5 baseline audits finalised in March 2025, 5 post-training in November 2025, 1 draft.
    Recommendations: 5 post audits 'pattern' (owner, due 2020: overdue); 3 baseline 'fathers'
    (no owner, due 2099); 2 baseline 'language' (owner, no date): 10 in 10 audits, 7 with an
    owner, 8 with a due date, 5 overdue."""
    for i in range(5):
        if i < 3:
            rec = Recommendation("Engage fathers as parents.", "", "2099-01-31")
        else:
            rec = Recommendation("Refresh the language guidance.", "Practice lead (fictional)", "")
        _audit(db, mini, i, "baseline", BASE, [rec], "2025-03-10", monkeypatch)
    for i in range(5):
        rec = Recommendation(PATTERN, "Team leader (fictional)", "2020-06-30")
        _audit(db, mini, i, "post_training", POST, [rec], "2025-11-20", monkeypatch)
    _audit(db, mini, 99, "baseline", BASE)  # a draft: left out of the anonymised report
    return db


def wilson_by_bisection(k: int, n: int) -> tuple[float, float]:
    """The Wilson interval from its definition: the p whose score test is exactly z."""
    ph = k / n

    def outside(p: float) -> bool:
        return (ph - p) ** 2 > Z * Z * p * (1 - p) / n

    lo_a, lo_b, hi_a, hi_b = 0.0, ph, ph, 1.0
    for _ in range(100):
        m = (lo_a + lo_b) / 2
        lo_a, lo_b = (m, lo_b) if outside(m) else (lo_a, m)
        m = (hi_a + hi_b) / 2
        hi_a, hi_b = (hi_a, m) if outside(m) else (m, hi_b)
    return lo_a, hi_b


def test_page_one_is_the_summary_with_figures_worked_out_by_hand(ten, tmp_path):
    # every record key 0: a cell's key is its kind's offset, so the released figures follow
    # by hand from resources/perturbation.toml
    with ten.atomic() as c:
        c.execute("UPDATE audit_keys SET record_key = 0")
    pdf = export_report(ten, AuditFilter(), "pdf", tmp_path / "sum.pdf")
    page1 = pdf_pages(pdf)[0]
    # every baseline audit meets 2 of 5 and every post-training one 4 of 5: with case files
    # as clusters there is no variation between files, so no interval is claimed
    today = datetime.now(UTC).date()
    expected = [
        "Summary",
        # 5 + 5 audits: row 5 never moves; 10 case files: key 41, row 8 slot [-1: 37-86] -> 9
        "Files audited 10 audits of 9 case files",
        "Period March 2025 to November 2025 (9 months)",
        "How files were chosen Not recorded",
        "Drafts <5 left out (the report covers finalised audits only)",
        # one recommendation per audit; each figure its own shift (reports/tally.py):
        # 10 recorded: key 23, row 8 slot [-2: 12-36] -> 8; 10 audits: key 0, [-3: 0-11] -> 7;
        # 7 owned: key 59, row 7 slot [-1: 30-78] -> 6; 8 dated: key 101, row 8 [0: 87-162]
        # -> 8; 5 overdue: row 5 never moves -> 5
        f"8 in 7 audits: 6 with an owner, 8 with a due date, 5 overdue at {today.day} "
        f"{today.strftime('%B %Y')}",
        "Change after training",
        # 5 audits a side: fewer than 10, so no change is claimed
        "Too few to judge: 5 baseline and 5 post-training audits; a change is judged only "
        "with 10 or more audits in each phase.",
    ]
    for text in expected:
        assert text in page1, text
    # the gaps: q1 0 of 10; p1 and p3 5 of 10 each (ties by wording); p2 and q2 always met.
    # Released: 10 audits, key 0, row 8 slot [-3: 0-11] -> 7; 5 meeting: row 5 -> 5; 5 of 7
    # = 71%. The baseline and post-training shares rest on 5 audits each: row 5, unchanged.
    gaps = [
        "Does the plan ask something of the perpetrator? 0% 7",
        "Is the pattern of behaviour described? 71% 7",
        "Was he engaged as a parent? 71% 7",
    ]
    at = [page1.find(g) for g in gaps]
    assert all(i >= 0 for i in at) and at == sorted(at), (at, page1)
    assert "Is the perpetrator known to the agency?" not in page1
    assert "About this report" not in page1  # the summary has the page to itself
    assert PATTERN not in page1  # no free text without asking for it


def test_the_summary_is_the_first_section_of_the_docx_too(ten, tmp_path):
    with ten.atomic() as c:  # record keys 0: released figures by hand (see the PDF test)
        c.execute("UPDATE audit_keys SET record_key = 0")
    docx = export_report(ten, AuditFilter(), "docx", tmp_path / "sum.docx")
    doc = Document(str(docx))
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    assert headings[:4] == ["Summary", "Key messages", "Change after training", "About this report"]
    first = {r.cells[0].text: r.cells[1].text for r in doc.tables[0].rows}
    assert first["Files audited"] == "10 audits of 9 case files"  # 10 files: key 41 -> -1
    assert first["Period"] == "March 2025 to November 2025 (9 months)"
    assert first["How files were chosen"] == "Not recorded"
    assert first["Recommendations"].startswith(  # keys 0: as on the PDF's page 1
        "8 in 7 audits: 6 with an owner, 8 with a due date, 5 overdue"
    )
    body = [p.text for p in doc.paragraphs]
    summary = body[: body.index("About this report")]
    assert any(t.startswith("Too few to judge: 5 baseline and 5 post-training audits") for t in summary)
    gaps = [c.text for c in doc.tables[1].columns[0].cells]
    assert gaps[1:] == [
        "Does the plan ask something of the perpetrator?",
        "Is the pattern of behaviour described?",
        "Was he engaged as a parent?",
    ]


def test_free_text_on_page_one_only_when_asked_and_only_texts_of_five_audits(ten, tmp_path):
    pdf = export_report(ten, AuditFilter(), "pdf", tmp_path / "free.pdf", include_free_text=True)
    page1 = pdf_pages(pdf)[0]
    # 'pattern' is held by 5 audits, with one owner and one date in all 5; the others by 3 and 2
    assert f"{PATTERN} Team leader (fictional) 2020-06-30 5" in page1
    assert "Engage fathers" not in page1 and "Refresh the language" not in page1


def test_too_few_post_training_files_say_so_instead_of_a_change(db, mini, monkeypatch):
    for i in range(6):
        _audit(db, mini, i, "baseline", BASE, when="2025-03-10", monkeypatch=monkeypatch)
    report = aggregate_report(db, AuditFilter())
    first = report.blocks[
        : next(
            i for i, b in enumerate(report.blocks) if getattr(b, "text", "") == "About this report"
        )
    ]
    text = " ".join(getattr(b, "text", "") for b in first)
    assert "No post-training files yet." in text
    assert "rose" not in text and "fell" not in text


def test_phase_labels_are_never_shown_raw(ten, tmp_path):
    flt = AuditFilter(phase="post_training")
    pdf = export_report(ten, flt, "pdf", tmp_path / "post.pdf")
    docx = export_report(ten, flt, "docx", tmp_path / "post.docx")
    for text in (" ".join(pdf_pages(pdf)), docx_text(docx)):
        assert "post_training" not in text and "follow_up" not in text
        assert "phase Post-training" in text


def test_principles_come_before_components(ten, tmp_path):
    pdf = export_report(ten, AuditFilter(), "pdf", tmp_path / "tags.pdf")
    text = " ".join(pdf_pages(pdf))
    # mini.toml: principle-1 'Safe and together', component-1 'Pattern of coercive control'
    assert "By principles and critical components" in text
    assert 0 <= text.find("Safe and together") < text.find("Pattern of coercive control")
    docx = export_report(ten, AuditFilter(), "docx", tmp_path / "tags.docx")
    firsts = [t.rows[0].cells[0].text for t in Document(str(docx)).tables]
    assert firsts.index("Principle") < firsts.index("Critical component")


def test_the_pdf_outline_has_every_main_heading(ten, tmp_path):
    report = aggregate_report(ten, AuditFilter())
    main = [b.text for b in report.blocks if isinstance(b, Heading) and b.level == 1]
    pdf = export_report(ten, AuditFilter(), "pdf", tmp_path / "outline.pdf")
    reader = PdfReader(str(pdf))
    top = [o.title for o in reader.outline if not isinstance(o, list)]
    assert top == main and main[:2] == ["Summary", "About this report"]
    assert reader.get_destination_page_number(reader.outline[0]) == 0  # the summary: page 1
    pages = [
        reader.get_destination_page_number(o) for o in reader.outline if not isinstance(o, list)
    ]
    assert pages == sorted(pages) and pages[1] == 1  # "About this report" opens page 2


LOCAL = """
id = "local-odd"
version = "1.0"
title = "Local odd-scale checklist (fictional)"
purpose = "A local area's own checklist, for tests."

[scales.confidence]
title = "Practice confidence (local)"
meets_standard = ["strong", "some"]
not_rated = ["unsure"]
levels = [
  { value = "little", label = "Little" },
  { value = "strong", label = "Strong" },
  { value = "some", label = "Some" },
  { value = "unsure", label = "Not able to say" },
]

[scales.blame]
title = "Blame placed on the survivor"
meets_standard = ["no"]
not_rated = ["na"]
levels = [
  { value = "yes", label = "Yes" },
  { value = "no", label = "No" },
  { value = "na", label = "Not applicable" },
]

[scales.household]
title = "Who lived in the household"
kind = "fact"
levels = [
  { value = "children", label = "Children" },
  { value = "adults", label = "Adults only" },
]

# listed last kind first: the report orders kinds its own way
[tags.qi-1]
kind = "quality_indicator"
label = "QI 2.1 (fictional)"

[tags.area-1]
kind = "practice_area"
label = "Assessment (local)"

[tags.comp-1]
kind = "component"
label = "Component A (local)"

[tags.prin-1]
kind = "principle"
label = "Principle A (local)"

[[themes]]
id = "local"
title = "Local practice"

[[themes.items]]
id = "c1"
question = "How confident is the practice with the pattern?"
guidance = "Fictional guidance."
scale = "confidence"
tags = ["qi-1", "area-1", "comp-1", "prin-1"]

[[themes.items]]
id = "b1"
question = "Does the record blame the survivor for the abuse?"
guidance = "Reverse-scored: No meets the standard."
scale = "blame"

[[themes.items]]
id = "h1"
question = "Who lived in the household?"
guidance = "A fact, counted only."
scale = "household"
"""


def test_local_scales_are_described_from_the_stored_checklist(db, tmp_path, monkeypatch):
    path = tmp_path / "local.toml"
    path.write_text(LOCAL, encoding="utf-8")
    local = load_file(path)
    for i in range(10):
        ratings = {
            "c1": ["little", "strong", "some", "unsure"][i % 4],
            "b1": "no" if i % 2 else "yes",
            "h1": "children",
        }
        _audit(db, local, i, "baseline", ratings, when="2025-05-01", monkeypatch=monkeypatch)
    docx = export_report(db, AuditFilter(), "docx", tmp_path / "local.docx")
    doc = Document(str(docx))
    text = docx_text(docx)
    assert (
        "Practice confidence (local): 'Strong' and 'Some' meet the standard; 'Little' does not; "
        "'Not able to say' is left out of the shares." in text
    )
    assert "Blame placed on the survivor: 'No' meets the standard; 'Yes' does not" in text
    assert (
        "Who lived in the household: records a fact" in text
        and "counts only, never as a share" in text
    )
    headers = [[c.text for c in t.rows[0].cells] for t in doc.tables]
    assert ["Theme", "No \u2713", "Yes"] in headers  # reverse-scored: the 'No' column meets it
    assert ["Theme", "Strong \u2713", "Some \u2713", "Little", "Not able to say"] in headers
    assert "\u2713 meets the standard." in text
    firsts = [t.rows[0].cells[0].text for t in doc.tables]
    kinds = ["Principle", "Critical component", "Practice area", "Quality indicator"]
    assert [firsts.index(k) for k in kinds] == sorted(firsts.index(k) for k in kinds)
    # the method notes say nothing of scales this report does not use
    assert "Six-point quality scale" not in text
    assert not re.search(r"Excellent|Very good", text)


def test_the_summary_says_how_the_files_were_sampled(tmp_path, db, mini):
    from audit_tool.sampling import Columns, create_sample, draw, eligible_files, read_case_list

    path = tmp_path / "list.csv"
    rows = [
        f"FICT-{n:06d},{AREA},Children and Families,Team {'A' if n <= 12 else 'B'}"
        for n in range(1, 21)
    ]
    path.write_text(
        "Case reference,Local authority,Agency,Team\n" + "\n".join(rows) + "\n", "utf-8"
    )
    caselist = read_case_list(path)
    cols = Columns(
        reference="Case reference",
        area="Local authority",
        agency="Agency",
        team="Team",
        strata="Team",
    )
    elig = eligible_files(caselist, cols)
    create_sample(db, caselist, cols, elig, draw(elig, 6, 777, stratified=True), mini)
    for (audit_id,) in db.query("SELECT id FROM audits"):
        for item, rating in BASE.items():
            audits.answer(db, audit_id, item, rating)
        audits.finalise(db, audit_id)
    page1 = pdf_pages(export_report(db, AuditFilter(), "pdf", tmp_path / "sampled.pdf"))[0]
    assert (
        "How files were chosen A random sample of 6 from 20 eligible files, stratified by team "
        "(seed 777)" in page1
    )
    assert "No post-training files yet." in page1


def test_a_one_phase_selection_says_why_there_is_no_change(ten, tmp_path):
    pdf = export_report(ten, AuditFilter(phase="baseline"), "pdf", tmp_path / "b.pdf")
    page1 = pdf_pages(pdf)[0]
    assert "Baseline audits only in this selection, so no change to show." in page1
    assert "No post-training files yet" not in page1


def test_recommendations_on_a_checklist_too_small_to_report_are_counted_nowhere(
    ten, tmp_path, monkeypatch
):
    # two audits on another checklist: left out of every count, so page 1 and the
    # recommendations section agree and their difference gives nothing away
    path = tmp_path / "local.toml"
    path.write_text(LOCAL, encoding="utf-8")
    local = load_file(path)
    rec = Recommendation(
        "Local recommendation (fictional).", "Local lead (fictional)", "2020-01-01"
    )
    ratings = {"c1": "strong", "b1": "no", "h1": "children"}
    for i in range(2):
        _audit(ten, local, 50 + i, "baseline", ratings, [rec], "2025-04-01", monkeypatch)
    with ten.atomic() as c:  # keys 0: the released figures by hand (reports/tally.py)
        c.execute("UPDATE audit_keys SET record_key = 0")
    report = aggregate_report(ten, AuditFilter())
    kv = [dict(b.rows) for b in report.blocks if hasattr(b, "rows") and not hasattr(b, "columns")]
    summary = next(k for k in kv if "Files audited" in k)
    gathered = next(k for k in kv if "Recommendations recorded" in k)
    # 10 recommendations in 10 audits: recorded key 23, row 8 [-2] -> 8; audits key 0,
    # row 8 [-3] -> 7. The 12 of 12 with the local audits would read 10 and 9.
    assert summary["Recommendations"].startswith("8 in 7 audits")
    assert gathered["Recommendations recorded"] == "8"
    assert gathered["Audits with a recommendation"] == "7"
    exact = aggregate_report(ten, AuditFilter(), include_identifiers=True)
    kv = [dict(b.rows) for b in exact.blocks if hasattr(b, "rows") and not hasattr(b, "columns")]
    assert next(k for k in kv if "Recommendations recorded" in k)["Recommendations recorded"] == "10"


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        ("2026-03-31", (2026, 3, 31)),
        ("2026-02", (2026, 2, 28)),  # a month: due by its last day
        (" 31/03/2026 ", (2026, 3, 31)),
        ("1.4.2026", (2026, 4, 1)),
        ("2026-02-30", None),  # no such day: not a date, never counted as overdue
        ("next quarter", None),
        ("", None),
    ],
)
def test_due_dates_are_read_as_typed_in_scotland(typed, read):
    from datetime import date

    from audit_tool.reports.summary import due_date

    assert due_date(typed) == (date(*read) if read else None)


def test_the_summary_change_interval_is_at_the_audit_level(db, mini, tmp_path, monkeypatch):
    """Case files vary, so the interval is the cluster-robust one: least squares of each
    item's 0/1 on a post-training flag, clustered by case file (statsmodels), t on files - 1."""
    sm = pytest.importorskip("statsmodels.api")
    stats = pytest.importorskip("scipy.stats")
    # ratings per audit (p2 always yes, so p3 is always asked): how many of p1, p3, q1 meet
    base = [("2", "2", "2"), ("5", "2", "2"), ("5", "5", "2"), ("2", "2", "2"), ("5", "2", "2"),
            ("2", "2", "2")]  # fmt: skip
    post = [("5", "5", "2"), ("5", "5", "5"), ("5", "2", "2"), ("5", "5", "5"), ("2", "5", "5"),
            ("5", "5", "5")]  # fmt: skip
    base, post = base + base[:4], post + post[:4]  # 10 a side: enough for a change to be judged
    y, flag, groups = [], [], []
    for phase, rows in (("baseline", base), ("post_training", post)):
        for i, (p1, p3, q1) in enumerate(rows):
            ratings = {"p1": p1, "p2": "yes", "p3": p3, "q1": q1, "q2": "yes"}
            _audit(db, mini, i, phase, ratings, (), "2025-05-01", monkeypatch)
            for r in (p1, "yes", p3, q1, "yes"):
                y.append(1.0 if r in ("5", "yes") else 0.0)
                flag.append(1.0 if phase == "post_training" else 0.0)
                groups.append(f"{phase}-{i}")  # every audit its own case file
    fit = sm.OLS(y, sm.add_constant(flag)).fit(cov_type="cluster", cov_kwds={"groups": groups})
    d, se = fit.params[1], fit.bse[1]
    t = stats.t.ppf(0.975, len(set(groups)) - 1)
    before, after = round(sum(y[:50]) / 50 * 100), round(sum(y[50:]) / 50 * 100)
    # the statistic itself: on the identifiable report, whose figures are exact
    page1 = pdf_pages(export_report(db, AuditFilter(), "pdf", tmp_path / "iv.pdf",
                                    include_identifiers=True))[0]
    assert (
        f"rose from {before}% (baseline) to {after}% (post-training) (change {d * 100:+.0f} "
        f"points, 95% interval {(d - t * se) * 100:+.0f} to {(d + t * se) * 100:+.0f}; "
        "10 baseline and 10 post-training audits)"
    ) in page1
