"""Findings by quarter, area and agency by phase, and shared case files, in the real aggregate
report (DOCX and PDF read back), every figure worked out by hand from the audits set out
below. Audits are finalised through the core with the clock set to a chosen day (the core's
`now`), so the finalised dates are controlled without writing to the database by hand.

All data is synthetic and clearly fictional.
"""

from __future__ import annotations

import math
import re
from fractions import Fraction

import pytest
from test_disclosure import (
    CF,
    FAILURE,
    GLEN,
    GOOD,
    VOLATILE,
    WEAK,
    WEAK1,
    about,
    docx_tables,
    docx_text,
    pdf_text,
    pinned,
    table,
)

from audit_tool import audits
from audit_tool.export import export_report
from audit_tool.filters import AuditFilter
from audit_tool.findings.clustered import t_quantile

# these pin counts and the small-number rules of the release path: a p-table that moves no
# count of 5 or more (conftest no_noise); perturbation is attacked in test_attack_reports.py
pytestmark = pytest.mark.usefixtures("no_noise")

def _interval(clusters: list[tuple[int, int]], scale: int = 100, pct: bool = True) -> str:
    """The audit-level interval, worked out from its definition: ratio, residuals, CR1."""
    y = sum(Fraction(a) for a, _ in clusters)
    x = sum(Fraction(b) for _, b in clusters)
    r = y / x
    g = len(clusters)
    var = Fraction(g, g - 1) * sum((a - r * b) ** 2 for a, b in clusters) / x**2
    half = t_quantile(0.975, g - 1) * math.sqrt(var)
    low, high = float(r) - half, float(r) + half
    if pct:
        return f"{max(0, low) * scale:.0f}–{min(1, high) * scale:.0f}%"
    return f"{max(0, low) * scale:.1f}–{high * scale:.1f}"


def _add(db, mini, monkeypatch, day: str, answers: dict, notes=(), case=None, phase="baseline"):
    if case is None:
        case = audits.add_case(db, f"FICT-QTR-{day}-{next(_seq)}", GLEN, CF).id
    audit_id = audits.new_audit(db, case, mini, phase=phase)
    for item, rating in answers.items():
        audits.answer(db, audit_id, item, rating)
    for item, note in notes:
        audits.answer(db, audit_id, item, note=note)
    with monkeypatch.context() as m:
        m.setattr(audits, "now", lambda: f"{day}T10:00:00.000Z")
        audits.finalise(db, audit_id)
    return case


_seq = iter(range(10**6))

# (finalised day, audits with these answers and notes); 21 in all, at baseline in Glenmorven
V, FP = [("p1", VOLATILE)], [("p1", VOLATILE), ("q1", FAILURE)]  # 8 words; 8 + 9 words
PLAN = [
    ("2025-11-10", [(GOOD, ())] * 5),  # 2025 Q4: 5 audits
    ("2026-02-10", [(WEAK, V)] * 3 + [(WEAK, FP)] * 2 + [(GOOD, ())] * 2),  # 2026 Q1: 7
    ("2026-05-10", [(GOOD, ())] * 3),  # 2026 Q2: 3; 2026 Q3: none
    ("2026-11-10", [(GOOD, ())] * 3 + [(WEAK1, ())] * 3),  # 2026 Q4: 6
]


@pytest.fixture
def by_quarter(db, mini, monkeypatch):
    for day, spec in PLAN:
        for answers, notes in spec:
            _add(db, mini, monkeypatch, day, answers, notes)
    return db


def test_findings_by_quarter_are_counted_by_hand(by_quarter, tmp_path):
    # the statistics themselves, on the identifiable report (exact figures): in an anonymised
    # one, shares resting on 1 to 4 audits meeting or falling short are withheld
    docx = export_report(by_quarter, AuditFilter(), "docx", tmp_path / "q.docx",
                         include_identifiers=True)
    tables = docx_tables(docx)
    rows = {r[0]: r[1:] for r in table(tables, "Quarter finalised")[1:]}
    assert list(rows) == ["2025 Q4", "2026 Q1", "2026 Q2", "2026 Q3", "2026 Q4"]
    # 5, 7, 3, 0, 6 audits: 3 is hidden, and 21 - 7 - 6 would give it back, so the next
    # smallest (5) goes too; 8 left for '<5' and 'suppressed' could be 1+7, 2+6 or 3+5
    assert [r[0] for r in rows.values()] == ["suppressed", "7", "<5", "0", "6"]
    assert not pinned(21, [r[0] for r in rows.values()], [5, 7, 3, 0, 6])
    assert rows["2025 Q4"][1:] == ["suppressed", "—", "suppressed", "—"]
    assert rows["2026 Q3"][1:] == ["none", "—", "none", "—"]
    # a weak audit rates 4 items and meets none: p2 "no" leaves p3 unasked, which counts as
    # rated and not met (an answer falling short never raises a score by hiding items)
    # 2026 Q4: 3 good audits 4 of 4, 3 weak ones 0 of 4: 12 of 24 = 50%; no notes, no rate
    assert rows["2026 Q4"][1:] == ["50%", _interval([(4, 4)] * 3 + [(0, 4)] * 3), "—", "—"]
    # 2026 Q1: 5 weak audits meet 0 of 4 items, 2 good ones 4 of 4: 8 of 28 = 29%
    q1 = rows["2026 Q1"]
    assert q1[1] == "29%"
    assert q1[2] == _interval([(0, 4)] * 5 + [(4, 4)] * 2)
    # flags in the notes: 3 audits with 1 in 8 words, 2 with 2 in 17: 7 in 58 = 120.7 per 1,000
    assert q1[3] == "120.7"
    assert q1[4] == _interval([(1, 8)] * 3 + [(2, 17)] * 2, scale=1000, pct=False)
    text = " ".join(docx_text(docx).split())
    assert "calendar quarters (Q1 is January to March) of the date each audit was finalised" in text
    assert "95% intervals are at the audit level (items in the same file are not treated as " \
           "independent)" in text  # fmt: skip


def test_the_pdf_shows_the_same_quarters_and_nothing_small_can_be_worked_out(by_quarter, tmp_path):
    text = pdf_text(export_report(by_quarter, AuditFilter(), "pdf", tmp_path / "q.pdf"))
    assert "Over time, by quarter" in text
    anonymised = text
    cells = [
        re.search(re.escape(q) + r" (<5|suppressed|\d+) ", text).group(1)
        for q in ("2025 Q4", "2026 Q1", "2026 Q2", "2026 Q3", "2026 Q4")
    ]
    assert cells == ["suppressed", "7", "<5", "0", "6"]
    total = int(re.search(r"Audits (\d+)", text).group(1))
    assert total == 21
    assert not pinned(total, cells, [5, 7, 3, 0, 6])
    # 2026 Q1's share rests on 2 audits meeting the standard: withheld when anonymised
    assert "2026 Q1 7 — —" in anonymised
    text = pdf_text(export_report(by_quarter, AuditFilter(), "pdf", tmp_path / "n.pdf",
                                  include_identifiers=True))
    assert "2026 Q1 7 29%" in text


@pytest.fixture
def paired(db, mini, monkeypatch):
    """6 case files read at baseline (weak) and post-training (good); 2 more at baseline only
    (good), 1 more post-training only (weak): 8 baseline and 7 post-training audits."""
    for _ in range(6):
        case = _add(db, mini, monkeypatch, "2026-01-15", WEAK)
        _add(db, mini, monkeypatch, "2026-04-15", GOOD, case=case, phase="post_training")
    for _ in range(2):
        _add(db, mini, monkeypatch, "2026-01-15", GOOD)
    _add(db, mini, monkeypatch, "2026-04-15", WEAK1, phase="post_training")
    return db


def test_shared_case_files_are_said_and_the_change_is_paired_by_case_file(paired, tmp_path):
    # the paired statistic itself: on the identifiable report, whose figures are exact
    docx = export_report(paired, AuditFilter(), "docx", tmp_path / "p.docx",
                         include_identifiers=True)
    tables = docx_tables(docx)
    text = " ".join(docx_text(docx).split())
    assert "6 case files were read at both baseline and post-training" in text
    # Pattern (p1, p2; p3 only after p2 = yes, and counted as not met when p2 falls short):
    # weak 0 of 3, good 3 of 3.
    # Baseline: 6 x 0/3 + 2 x 3/3 = 6 of 24; post-training: 6 x 3/3 + 1 x 0/3 = 18 of 21
    row = next(r for r in table(tables, "Theme", "Baseline audits")[1:] if r[0] == "Pattern")
    assert row[1:6] == ["8", "25%", "7", "86%", "+61"]
    files = [(0, 3, 3, 3)] * 6 + [(3, 3, 0, 0)] * 2 + [(0, 0, 0, 3)]
    p1, p2 = Fraction(6, 24), Fraction(18, 21)
    z = [(y2 - p2 * x2) / 21 - (y1 - p1 * x1) / 24 for y1, x1, y2, x2 in files]
    var = Fraction(9, 8) * Fraction(44, 43) * sum(v * v for v in z)  # CR1 over 9 files, 45 items
    half = t_quantile(0.975, 8) * math.sqrt(var)
    d = float(p2 - p1)
    assert d + half > 1  # clipped: a change cannot be more than 100 points
    assert row[6] == f"{(d - half) * 100:+.0f} to +100"
    # by area and phase: Glenmorven baseline: 6 weak audits rate 4 items and meet none,
    # 2 good ones rate 4 and meet 4: 8 of 32 = 25%; post-training 6 x 4/4 and 1 x 0/4 = 24/28
    area = {r[1]: r[2:] for r in table(tables, "Area", "Phase")[1:] if r[0] == GLEN}
    assert area["Baseline"] == ["8", "32", "25%", _interval([(0, 4)] * 6 + [(4, 4)] * 2)]
    assert area["Post-training"] == ["7", "28", "86%", _interval([(4, 4)] * 6 + [(0, 4)])]
    agency = {r[1]: r[2:4] for r in table(tables, "Agency", "Phase")[1:] if r[0] == CF}
    assert agency == {"Baseline": ["8", "32"], "Post-training": ["7", "28"]}
    assert "not pooled" in text
    assert about(tables)["Audits"] == "15"


def test_no_shared_case_file_is_said_too(by_quarter):
    from audit_tool.findings.audit_level import audit_level

    assert audit_level(by_quarter, AuditFilter()).shared_cases == {}


def test_the_intervals_rest_on_the_same_counts_as_the_shares(paired, by_quarter):
    """Every interval is centred on the share the report prints: the audit-level counts add
    up to the findings' rated items and items meeting the standard, theme by theme and tag by
    tag (items hidden by a condition and 'not applicable' answers left out of both). If the
    counting rules change in findings(), they must change in audit_level() too."""
    from audit_tool.findings import findings
    from audit_tool.findings.audit_level import TAG_KINDS, audit_level

    for db in (paired, by_quarter):
        f, level = findings(db, AuditFilter()), audit_level(db, AuditFilter())
        tags = [g for g in f.by_tag if g.kind in TAG_KINDS]
        assert f.by_theme and tags
        for groups, moments in ((f.by_theme, level.theme), (tags, level.tag)):
            for g in groups:
                m = moments[g.checklist_id, g.key]
                assert (m.clusters, m.x, m.y) == (g.audits, g.rated, g.meets), g.key


def test_area_phase_cells_hide_what_a_total_would_give_back():
    """By hand: Glenmorven 7 baseline + 5 post-training (its own report shows 12), Kilbrannan
    6 post-training + 1 follow-up, Strathallan 5 at baseline only, Tiny Isle 1 + 1 + 1."""
    from audit_tool.findings.clustered import Moments
    from audit_tool.reports.sections_area import cells_hidden

    def cell(area, phase, audits):
        return (area, phase, Moments(audits, 0, 3 * audits))

    cells = [cell("G", "b", 7), cell("G", "p", 5), cell("K", "p", 6), cell("K", "f", 1),
             cell("S", "b", 5), cell("T", "b", 1), cell("T", "p", 1), cell("T", "f", 1)]  # fmt: skip
    # the four '<5' cells add up to 4 with 27 - 5 (Strathallan, given away by its own report)
    # - 7 - 5 - 6 shown: Glenmorven post-training and Kilbrannan post-training go, then
    # Glenmorven baseline (12 - 5); Strathallan stays: hiding it would protect nothing
    assert cells_hidden(cells) == [True, True, True, True, False, True, True, True]
    # one area, both phases large: nothing to hide
    assert cells_hidden([cell("G", "b", 7), cell("G", "p", 5)]) == [False, False]
    # 1 and 5 in one area whose report shows 6: no choice of cells protects them
    assert cells_hidden([cell("G", "b", 1), cell("G", "p", 5)]) is None
    # follow-up audits in one area only: that cell is the phase's total (6), shown anyway. The
    # small baseline cell (2) takes Kilbrannan's baseline (the phase's total is 11), then its
    # post-training (Kilbrannan's is 17), then Glenmorven's post-training (13 - 6 - 2)
    assert cells_hidden([cell("G", "b", 2), cell("G", "p", 5), cell("G", "f", 6),
                         cell("K", "b", 9), cell("K", "p", 8)]) == [True, True, False, True, True]  # fmt: skip
