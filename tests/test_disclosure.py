"""Disclosure control in the anonymised aggregate report (issue 8, items 13 to 15).

The rules are unit-tested as pure functions; then real encrypted databases of synthetic,
clearly fictional audits are exported to DOCX and PDF and read back, and attacked as a
reader with the report in hand would: take every shown total, subtract every shown cell,
and see whether a hidden figure follows. The true figures are set out by hand below.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from docx import Document
from pypdf import PdfReader

from audit_tool import audits
from audit_tool.disclosure.rules import (
    Line,
    differencing_gap,
    label,
    parents,
    suppress,
    suppress_counts,
    suppress_rows,
)
from audit_tool.errors import AuditToolError
from audit_tool.export import export_report
from audit_tool.filters import AuditFilter

HIDDEN = ("<5", "suppressed")
NOT_ASKED = "Not asked (an earlier answer fell short)"  # a hidden item counted as not met

# -- the rules, as pure functions ---------------------------------------------------------------


# the small-number rules on the release path, with a p-table that moves no count of 5 or
# more: these tests pin what suppression hides; perturbation is attacked in test_attack_reports
pytestmark = pytest.mark.usefixtures("no_noise")

def test_one_small_cell_takes_the_next_smallest_with_it():
    assert suppress_counts([3, 40, 50]) == [True, True, False]
    assert [
        label(n, h) for n, h in zip([3, 40, 50], suppress_counts([3, 40, 50]), strict=True)
    ] == ["<5", "suppressed", "50"]
    assert suppress_counts([3, 40], total_shown=False) == [True, False]  # no total to subtract from


def test_zeros_are_shown_and_never_chosen_to_hide_a_small_cell():
    assert suppress_counts([0, 3, 40, 41]) == [False, True, True, False]


def test_hidden_cells_that_still_pin_each_other_take_a_third():
    # 1 and 5 hidden: the total leaves 6; '<5' is 1 to 4 and 'suppressed' at least 5: only 1 + 5
    assert suppress_counts([1, 5, 50]) == [True, True, True]
    # two '<5' adding to 8 can only be 4 and 4
    assert suppress_counts([4, 4, 30]) == [True, True, True]
    # two '<5' adding to 5 could be 1+4, 2+3, ...: safe as they are
    assert suppress_counts([2, 3, 30]) == [True, True, False]


def test_a_line_nothing_can_protect_is_withheld_whole():
    assert suppress_counts([1, 5]) is None  # 6 in all: whatever is hidden, 1 and 5 follow


def test_rows_hide_whole_and_watch_every_column_that_adds_up():
    # audits, then items meeting the standard: hiding rows 0 and 1 would show they met none
    assert suppress_rows([3, 10, 12], [0, 0, 7]) == [True, True, True]
    assert suppress_rows([3, 10, 12], [1, 4, 7]) == [True, True, False]


def test_line_exposure_uses_what_the_labels_say():
    line = Line((0, 1), (3, 40))
    assert line.exposed([True, False]) and not line.exposed([True, True])
    assert suppress([10, 10, 2], [False, False, True], [Line((0, 1, 2), (10, 10, 2))]) == [
        True,
        False,
        True,
    ]


def test_parents_clear_each_field_and_each_combination():
    flt = AuditFilter(area="X (fictional)", phase="baseline")
    assert set(parents(flt)) == {
        AuditFilter(phase="baseline"),
        AuditFilter(area="X (fictional)"),
        AuditFilter(),
    }
    assert differencing_gap({"": 20, "phase baseline": 5}, {"": 40, "phase baseline": 8}) == (
        "phase baseline",
        3,
    )
    assert (
        differencing_gap({"": 20, "phase baseline": 4}, {"": 40, "phase baseline": 8}) is None
    )  # hidden anyway


# -- a real database ----------------------------------------------------------------------------

# 0 of 4 counted items meet the standard: p3, not asked after p2 "no", counts as not met
WEAK = {"p1": "2", "p2": "no", "q1": "3"}
WEAK1 = {"p1": "2", "p2": "no", "q1": "1"}
GOOD = {"p1": "5", "p2": "yes", "p3": "4", "q1": "5"}  # 4 of 4
GLEN, KIL, STRATH, TINY = (
    "Glenmorven (fictional)",
    "Kilbrannan (fictional)",
    "Strathallan (fictional)",
    "Tiny Isle (fictional)",
)
CF, JSW, HV = (
    "Children and Families (fictional)",
    "Justice Social Work (fictional)",
    "Health Visiting (fictional)",
)
VOLATILE = "Case note refers to a volatile relationship (fictional)."
FAILURE = "Plan records failure to protect by the mother (fictional)."

# (area, agency, phase, answers, finalised, note) for 27 finalised audits
SPEC = (
    [(GLEN, CF, "baseline", WEAK, True, VOLATILE)] * 2
    + [(GLEN, CF, "baseline", WEAK, True, FAILURE)]
    + [(GLEN, CF, "baseline", WEAK, True, "")] * 2
    + [(GLEN, CF, "baseline", WEAK1, True, "")]
    + [(GLEN, CF, "baseline", WEAK, True, "")]
    + [(GLEN, CF, "post_training", GOOD, True, "")] * 5
    + [(STRATH, JSW, "baseline", WEAK, True, FAILURE)] * 4
    + [(STRATH, JSW, "baseline", WEAK1, True, FAILURE)]
    + [
        (TINY, HV, "baseline", WEAK, True, ""),
        (TINY, HV, "post_training", GOOD, True, ""),
        (TINY, HV, "follow_up", GOOD, True, ""),
    ]
    + [(KIL, JSW, "post_training", GOOD, True, "")] * 6
    + [(KIL, JSW, "follow_up", GOOD, True, "")]
)
# and a draft, which anonymised reports leave out: counted, it would change the baseline
# audits (14), Glenmorven's (13), the ratings and the audits flagging 'failure to protect' (7)
DRAFTS = [(GLEN, CF, "baseline", GOOD, False, FAILURE)]
# the truth, counted by hand from SPEC
N = 27
PHASES = {"Baseline": 13, "Post-training": 12, "Follow-up": 2}
LEFT_OUT = (
    "Finalised audits only; <5 draft(s) in this selection are left out while they are being "
    "completed"
)
# areas and agencies are shown phase by phase: audits and rated items per cell, from SPEC
B, P, F = "Baseline", "Post-training", "Follow-up"
AREA_PHASE = {(GLEN, B): 7, (GLEN, P): 5, (KIL, P): 6, (KIL, F): 1, (STRATH, B): 5,
              (TINY, B): 1, (TINY, P): 1, (TINY, F): 1}  # fmt: skip
# every audit rates 4 items: an item hidden by a weak answer counts as rated, not met
AREA_PHASE_RATED = {(GLEN, B): 7 * 4, (GLEN, P): 5 * 4, (KIL, P): 6 * 4, (KIL, F): 4,
                    (STRATH, B): 5 * 4, (TINY, B): 4, (TINY, P): 4, (TINY, F): 4}  # fmt: skip
AGENCY_PHASE = {(CF, B): 7, (CF, P): 5, (JSW, B): 5, (JSW, P): 6, (JSW, F): 1,
                (HV, B): 1, (HV, P): 1, (HV, F): 1}  # fmt: skip
# rating counts per theme (all levels): 13 weak audits, 14 good ones
RATINGS = {
    "Pattern": {"Very good": 14, "Good": 14, "Weak": 13, "Yes": 14, "No": 13, NOT_ASKED: 13},
    "Planning": {"Very good": 14, "Adequate": 11, "Unsatisfactory": 2},
}
MEETS = {"Excellent", "Very good", "Good", "Yes"}


def _build(db, mini, spec) -> None:
    for i, (area, agency, phase, answers, final, note) in enumerate(spec):
        case = audits.add_case(db, f"FICT-DIS-{i:03d}", area, agency)
        audit_id = audits.new_audit(db, case.id, mini, phase=phase)
        for item, rating in answers.items():
            audits.answer(db, audit_id, item, rating)
        if note:
            audits.answer(db, audit_id, "p1", note=note)
        if final:
            audits.finalise(db, audit_id)


@pytest.fixture
def populated(db, mini):
    _build(db, mini, SPEC + DRAFTS)
    return db


def docx_tables(path: Path) -> list[list[list[str]]]:
    return [
        [[c.text.strip() for c in row.cells] for row in t.rows] for t in Document(str(path)).tables
    ]


def docx_text(path: Path) -> str:
    doc = Document(str(path))
    return "\n".join(
        [p.text for p in doc.paragraphs]
        + [c.text for t in doc.tables for row in t.rows for c in row.cells]
    )


def pdf_text(path: Path) -> str:
    return " ".join(" ".join(p.extract_text() for p in PdfReader(str(path)).pages).split())


def table(tables, first: str, second: str | None = None) -> list[list[str]]:
    found = [t for t in tables if t[0][0] == first and (second is None or t[0][1] == second)]
    assert found, f"no table headed {first!r}"
    return found[0]


def distributions(tables) -> list[list[list[str]]]:
    return [
        t for t in tables if t[0][0] == "Theme" and t[0][1] not in ("Audits", "Baseline audits")
    ]


def dist_row(tables, theme: str, level: str) -> dict[str, str]:
    """The theme's row of the distribution table that has a column for `level`."""
    heads = [[h.removesuffix(" \u2713") for h in t[0]] for t in distributions(tables)]  # unmarked
    head, t = next((h, t) for h, t in zip(heads, distributions(tables), strict=True) if level in h)
    return dict(zip(head, next(r for r in t if r[0] == theme), strict=True))


def about(tables) -> dict[str, str]:
    """The 'About this report' table (after the summary on page 1)."""
    return {row[0]: row[1] for row in next(t for t in tables if t[0][0] == "Audits")}


def _value(cell: str) -> int | None:
    return None if cell in HIDDEN or cell in ("—", "") else int(cell.replace(",", ""))


def pinned(total: int, cells: list[str], truth: list[int], loose: bool = False) -> list[int]:
    """The attack: which hidden cells the total minus the shown cells pins to their true value.
    A hidden count is '<5' (1 to 4) or 'suppressed' (at least 5); loose, any count."""
    shown = [i for i, c in enumerate(cells) if c not in HIDDEN]
    hidden = [i for i, c in enumerate(cells) if c in HIDDEN]
    assert all(_value(cells[i]) == truth[i] for i in shown), (cells, truth)
    rest = total - sum(truth[i] for i in shown)

    def values(i: int) -> set[int]:
        if cells[i] == "<5" and not loose:
            return set(range(1, 5))
        return set(range(0 if loose else 5, rest + 1))

    if not all(truth[i] in values(i) for i in hidden):
        return pinned(
            total, cells, truth, loose=True
        )  # the labels' promise does not hold: go loose
    out = []
    for i in hidden:
        sums = {0}
        for j in hidden:
            if j != i:
                sums = {s + v for s in sums for v in values(j) if s + v <= rest}
        feasible = {v for v in values(i) if rest - v in sums}
        if feasible == {truth[i]}:
            out.append(i)
    return out


def parse_line(text: str, names: list[str]) -> list[str]:
    """'Baseline 13, Post-training suppressed, Follow-up <5' -> ['13', 'suppressed', '<5']."""
    return [
        re.search(re.escape(n) + r" (<5|suppressed|\d+(?:,\d{3})*)", text).group(1) for n in names
    ]


def _attack_by_phase(
    rows: list[list[str]],
    truth: dict[tuple[str, str], int],
    rated: dict[tuple[str, str], int] | None = None,
) -> None:
    """A table of (area or agency) x phase: its cells add up to the report's audits, to each
    phase's audits and to each area's (a report on that area alone shows them; '<5' totals
    show nothing), and their rated items likewise. No total minus the shown cells may pin a
    hidden one."""
    cells = {(r[0], r[1]): r for r in rows}
    assert set(cells) <= set(truth)
    # a row with every figure suppressed is left out of the table: hidden as much as can be
    cells.update({k: [*k, "suppressed", "suppressed"] for k in truth if k not in cells})
    keys = list(truth)
    groups = [keys] + [[k for k in keys if k[0] == g] for g in {k[0] for k in keys}]
    groups += [[k for k in keys if k[1] == p] for p in {k[1] for k in keys}]
    for group in groups:
        total = sum(truth[k] for k in group)
        if total >= 5:
            assert not pinned(total, [cells[k][2] for k in group], [truth[k] for k in group]), group
        if rated is not None and total >= 5:
            assert not pinned(
                sum(rated[k] for k in group),
                [cells[k][3] for k in group],
                [rated[k] for k in group],
                loose=True,
            ), group


def _attack_docx(
    tables,
    theme_phases: dict[str, list[int]] | None = None,
    area_rated: dict[tuple[str, str], int] = AREA_PHASE_RATED,
    ratings: dict[str, dict[str, int]] = RATINGS,
) -> None:
    kv = about(tables)
    assert kv["Audits"] == str(N)
    # phases add up to the audits
    assert not pinned(N, parse_line(kv["Phases"], list(PHASES)), list(PHASES.values()))
    assert kv["Status"] == LEFT_OUT  # the drafts: no count to subtract, and none under 5
    # areas and agencies add up to the audits; their rated items to the themes' rated items
    themes = {r[0]: r for r in table(tables, "Theme", "Audits")[1:]}
    rated_total = sum(int(r[2]) for r in themes.values())
    assert rated_total == sum(area_rated.values())  # what a reader adds up from the theme table
    areas = table(tables, "Area", "Phase")[1:]
    assert [r[0] for r in areas] == sorted(r[0] for r in areas)  # by area, then phase
    _attack_by_phase(areas, AREA_PHASE, area_rated)
    agencies = [t for t in tables if t[0][:2] == ["Agency", "Phase"]]
    # every row suppressed: the appendix says so in a line instead of showing a table
    _attack_by_phase(agencies[0][1:] if agencies else [], AGENCY_PHASE)
    # all finalised in this quarter: one row, the audits
    assert [r[1] for r in table(tables, "Quarter finalised")[1:]] == [str(N)]
    # each theme's rating counts add up to its rated items; those meeting the standard to the
    # share times rated items; the rest to the difference
    dists = distributions(tables)
    for theme, truth in ratings.items():
        cells = {}
        for t in dists:
            for row in t[1:]:
                if row[0] == theme:
                    cells.update(
                        {
                            lvl.removesuffix(" \u2713"): c  # the mark on a level meeting it
                            for lvl, c in zip(t[0][1:], row[1:], strict=True)
                            if lvl != "Not applicable"
                        }
                    )
        rated = int(themes[theme][2])
        share = int(themes[theme][3].rstrip("%"))
        meets = [m for m in range(rated + 1) if round(100 * m / rated) == share]
        assert len(meets) == 1  # the share gives the count meeting the standard back exactly
        for pick, total in (
            (lambda lvl: True, rated),
            (lambda lvl: lvl in MEETS, meets[0]),
            (lambda lvl: lvl not in MEETS, rated - meets[0]),
        ):
            lvls = [lvl for lvl in cells if pick(lvl)]
            assert not pinned(
                total, [cells[lvl] for lvl in lvls], [truth.get(lvl, 0) for lvl in lvls]
            ), theme
    # baseline + post-training + follow-up audits of a theme add up to its audits; and a
    # theme rated in every baseline and post-training audit gives those phases' counts, to
    # set against the phases' line in "About this report"
    about_phases = parse_line(kv["Phases"], list(PHASES))
    for row in table(tables, "Theme", "Baseline audits")[1:]:
        truth = (theme_phases or {}).get(row[0], list(PHASES.values()))
        # a reader does not know how many follow-up audits rated the theme: '<5' of them
        assert not pinned(int(themes[row[0]][1]), [row[1], row[3], about_phases[2]], truth), row
        cells = [
            c if c not in HIDDEN else a
            for c, a in zip((row[1], row[3]), about_phases, strict=False)
        ]
        if truth[:2] == list(PHASES.values())[:2]:
            assert not pinned(N, [*cells, about_phases[2]], list(PHASES.values())), row
    # (the language section counts files per framing, tested in test_language_section.py)


COUNT_COLUMNS = {
    "Audits",
    "Rated items",
    "Baseline audits",
    "Post-training audits",
    "Flags",
    "Times",
    "Excellent",
    "Very good",
    "Good",
    "Adequate",
    "Weak",
    "Unsatisfactory",
    "Yes",
    "Partly",
    "No",
    "Not recorded",
    "Not applicable",
    NOT_ASKED,
}


def _no_small_counts(tables) -> None:
    """No count of 1 to 4 anywhere a count is shown (zeros are fine: they name nobody)."""
    for t in tables:
        if t[0][0] in ("Recommendation", "Audits", "Files audited"):  # free text; the key-value tables
            continue
        for col, head in enumerate(t[0]):
            if head in COUNT_COLUMNS:
                for row in t[1:]:
                    v = _value(row[col])
                    assert v is None or v == 0 or v >= 5, (t[0], row)
    for key, text in about(tables).items():
        if key in ("Audits", "Case files", "Status", "Phases", "Checklists"):
            assert not re.search(r"(?<![\d.v])[1-4](?![\d.])", text), (key, text)
    summary = {row[0]: row[1] for row in next(t for t in tables if t[0][0] == "Files audited")}
    for key in ("Files audited", "Drafts"):  # page 1 says what "About this report" says
        assert not re.search(r"(?<![\d.v])[1-4](?![\d.])", summary[key]), (key, summary[key])


def test_the_aggregate_report_withstands_subtraction(populated, tmp_path):
    docx = export_report(populated, AuditFilter(), "docx", tmp_path / "all.docx")
    pdf = export_report(populated, AuditFilter(), "pdf", tmp_path / "all.pdf")
    tables = docx_tables(docx)
    _attack_docx(tables)
    _no_small_counts(tables)
    kv = about(tables)
    # what is hidden: the follow-up audits and post-training, which would give them back
    assert parse_line(kv["Phases"], list(PHASES)) == ["13", "suppressed", "<5"]
    areas = {(r[0], r[1]): r[2:5] for r in table(tables, "Area", "Phase")[1:]}
    # Strathallan was audited at baseline only: its own report gives that cell away, so it is
    # shown; Tiny Isle's three '<5' cells take Glenmorven and Kilbrannan with them (27 - 5
    # shown leaves 22: hiding fewer would pin them, e.g. 12 - 7 for Glenmorven post-training)
    # 4 rated each: p3, not asked, counts; "0% of 5" is withheld (all or none of < 10)
    # (rows with every figure suppressed are left out, and one line says how many)
    assert areas[STRATH, B] == ["5", "20", "—"]
    assert not {(TINY, B), (GLEN, B), (GLEN, P), (KIL, P)} & set(areas)
    assert "7 area-and-phase rows with every figure suppressed" in " ".join(docx_text(docx).split())
    planning = dist_row(tables, "Planning", "Adequate")
    assert planning["Unsatisfactory"] == "<5" and planning["Adequate"] == "suppressed"
    assert planning["Very good"] == "14"
    words = " ".join(docx_text(docx).split())
    # the scan of reviewers' notes is not reported (it is a hint in the editor)
    assert not [t for t in tables if t[0][0] == "Most flagged wording"]
    assert "secondary suppression" in words and LEFT_OUT in words
    assert "are drafts" not in words  # none of the audits reported is a draft
    # the PDF carries the same figures
    text = pdf_text(pdf)
    assert "Baseline 13, Post-training suppressed, Follow-up <5" in text
    assert LEFT_OUT in text
    assert "volatile relationship" not in text
    for token in HIDDEN:
        assert text.count(token) == words.count(token), token


def test_a_theme_the_few_follow_up_audits_left_unrated_does_not_give_them_away(
    db, mini_path, tmp_path
):
    from audit_tool.checklists.loader import load_file

    # the 2 follow-up audits rate the Pattern items only (finalised: here q1 is optional), so
    # Planning's baseline and post-training counts are the phases' own, and 27 minus them
    # gives the follow-up count
    text = mini_path.read_text(encoding="utf-8")
    optional = text.replace('tags = ["principle-1"]\n', 'tags = ["principle-1"]\nrequired = false\n')
    assert optional != text
    (tmp_path / "mini.toml").write_text(optional, encoding="utf-8")
    mini = load_file(tmp_path / "mini.toml")
    pattern_only = {"p1": "5", "p2": "yes", "p3": "4"}
    spec = [s if s[2] != "follow_up" else (*s[:3], pattern_only, True, "") for s in SPEC]
    _build(db, mini, spec + DRAFTS)
    tables = docx_tables(export_report(db, AuditFilter(), "docx", tmp_path / "all.docx"))
    assert parse_line(about(tables)["Phases"], list(PHASES)) == ["13", "suppressed", "<5"]
    planning = next(r for r in table(tables, "Theme", "Baseline audits") if r[0] == "Planning")
    assert planning[3] == "suppressed"  # was 12: 27 - 13 - 12 = 2
    _attack_docx(
        tables,
        {"Planning": [13, 12, 0]},
        {**AREA_PHASE_RATED, (KIL, F): 3, (TINY, F): 3},
        {**RATINGS, "Planning": {"Very good": 12, "Adequate": 11, "Unsatisfactory": 2}},
    )


def test_a_five_audit_selection_shows_what_five_audits_allow(populated, tmp_path):
    flt = AuditFilter(area=STRATH)  # 5 baseline audits; all 27 minus these leaves 22
    docx = export_report(populated, flt, "docx", tmp_path / "five.docx")
    pdf = export_report(populated, flt, "pdf", tmp_path / "five.pdf")
    tables = docx_tables(docx)
    kv = about(tables)
    assert kv["Audits"] == "5" and kv["Case files"] == "5" and kv["Phases"] == "Baseline 5"
    themes = {r[0]: r[1:4] for r in table(tables, "Theme", "Audits")[1:]}
    # Pattern: p1 and p2 rated in each of 5 weak audits, and p3 not asked after p2 "no",
    # none meeting; Planning: q1 only. "0% of 5 audits" says something of all five: the
    # all-or-none rule (disclosure/suppress.py) withholds both shares
    assert themes == {"Pattern": ["5", "15", "—"], "Planning": ["5", "5", "—"]}
    # q1: Adequate in 4 audits and Unsatisfactory in 1, both hidden; 5 - '<5' leaves 1 to 4
    planning = dist_row(tables, "Planning", "Adequate")
    assert [planning[c] for c in ("Adequate", "Unsatisfactory")] == ["<5", "<5"]
    assert not pinned(5, ["<5", "<5"], [4, 1])
    assert dist_row(tables, "Pattern", "Weak")["Weak"] == "5"
    assert dist_row(tables, "Pattern", "No")["No"] == "5"
    assert table(tables, "Area", "Phase")[1][:3] == [STRATH, B, "5"]
    _no_small_counts(tables)
    text = pdf_text(pdf)
    # the notes' flags (one in each audit) are a hint in the editor, not a report figure
    assert "Audits 5" in text and "failure to protect" not in text


def test_tiny_selections_hide_their_own_totals(populated):
    from audit_tool.reports.build import aggregate_report

    report = aggregate_report(populated, AuditFilter(area=TINY))  # 3 audits
    kv = dict(
        next(b for b in report.blocks if hasattr(b, "rows") and not hasattr(b, "columns")).rows
    )
    assert kv["Audits"] == "<5" and "3" not in report.subtitle
    notes = " ".join(getattr(b, "text", "") for b in report.blocks)
    assert "covers fewer than 5 audits" in notes and " 3 audit" not in notes


def test_differencing_all_against_one_area_is_refused(db, mini, tmp_path):
    # Tiny Isle's 3 drafts do not widen the gap: anonymised reports leave drafts out
    _build(
        db,
        mini,
        [(GLEN, CF, "baseline", WEAK, True, "")] * 8
        + [(TINY, HV, "baseline", GOOD, True, "")] * 2
        + [(TINY, HV, "baseline", GOOD, False, "")] * 3,
    )
    export_report(db, AuditFilter(), "pdf", tmp_path / "all.pdf")  # the whole set is fine
    out = tmp_path / "glen.pdf"
    with pytest.raises(AuditToolError) as err:
        export_report(db, AuditFilter(area=GLEN), "pdf", out)
    message = str(err.value)
    assert message == (
        "This selection leaves out only 2 audits of its wider group (status finalised, all areas); "
        "a report on it and one on the wider group together would describe those 2. Widen or "
        "narrow the selection."
    )
    assert "\n" not in message and not out.exists()


def test_differencing_by_phase_within_a_wider_group_is_refused(populated):
    from audit_tool.reports.build import aggregate_report

    # all of Glenmorven is 12 (7 baseline, 5 post); Glenmorven's post-training is 5 of the 12
    # post-training audits in all: fine
    aggregate_report(populated, AuditFilter(area=GLEN))
    # the finalised 27 and all 28 audits: both reports are of the 27 finalised ones, so the
    # pair gives nothing away (tests/test_finalised_only.py compares their figures)
    for flt in (AuditFilter(status="finalised"), AuditFilter()):
        assert aggregate_report(populated, flt).subtitle == (
            "27 audits · figures slightly changed to protect individuals · status finalised")
    # Kilbrannan's 6 post-training audits against all areas' 12 leave 6: fine; but against
    # Kilbrannan's 7 audits, its 6 post-training ones leave out the single follow-up audit
    with pytest.raises(
        AuditToolError,
        match=r"only 1 audit of its wider group \(area Kilbrannan \(fictional\), status finalised, "
        r"all phases\)",
    ):
        aggregate_report(populated, AuditFilter(area=KIL, phase="post_training"))
    # ... and with the status set too: it stays as it is in every wider selection
    with pytest.raises(AuditToolError, match=r"only 1 audit of its wider group"):
        aggregate_report(populated, AuditFilter(area=KIL, phase="post_training", status="finalised"))
    # the reviewer's own identifiable report lists every audit anyway
    assert aggregate_report(
        populated, AuditFilter(area=KIL, phase="post_training"), include_identifiers=True
    )


def test_cli_refuses_with_one_line_and_exit_1(cli, db, db_path, mini, tmp_path):
    _build(
        db,
        mini,
        [(GLEN, CF, "baseline", WEAK, True, "")] * 8 + [(TINY, HV, "baseline", GOOD, True, "")] * 2,
    )
    db.close()
    out = tmp_path / "r.docx"
    res = cli("--db", db_path, "export", "report", "--format", "docx", "--out", out, "--area", GLEN,
              "--recipient", "Steering group (fictional)")
    assert res.returncode == 1 and "Traceback" not in res.stderr, res
    assert res.stderr.strip().splitlines() == [
        "audit-tool: This selection leaves out only 2 audits of its wider group (status finalised, "
        "all areas); a report on it and one on the wider group together would describe those 2. "
        "Widen or narrow the selection."
    ]
    assert not out.exists()


def test_a_checklist_used_in_fewer_than_5_audits_is_left_out_of_every_count(populated, tmp_path):
    from audit_tool.checklists.loader import bundled

    review = next(c for c in bundled() if c.id == "gendered-drug-alcohol-death-review")
    d = review.definition
    for i in range(2):  # two finalised death reviews with a note each: 29 audits reported
        case = audits.add_case(populated, f"FICT-DRD-{i}", GLEN, CF)
        audit_id = audits.new_audit(populated, case.id, review, phase="baseline")
        for _, item in d.items():
            if d.visible(item, audits.get_audit(populated, audit_id).ratings):
                audits.answer(populated, audit_id, item.id, d.scales[item.scale].levels[0].value)
        audits.answer(populated, audit_id, d.themes[0].items[0].id, note=FAILURE)
        audits.finalise(populated, audit_id)
    docx = export_report(populated, AuditFilter(), "docx", tmp_path / "all.docx")
    tables = docx_tables(docx)
    kv = about(tables)
    assert (
        "Gendered review of a drug- or alcohol-related death v3.1 (<5 audits: not reported)"
        in kv["Checklists"]
    )
    assert "Mini test checklist v1.0 (27 audits)" in kv["Checklists"]
    # 29 minus the 27 shown would give the 2 back, so the totals count the 27 only
    _attack_docx(tables)
    assert parse_line(kv["Phases"], list(PHASES))[0] == "13"
    words = " ".join(docx_text(docx).split())
    assert "Fewer than 5 audits used this checklist; they are left out of this report" in words


def test_a_rating_spread_over_several_items_is_counted_by_distinct_audits(db, mini):
    from audit_tool.findings.census import behind

    # 'Good' (4) on p1 in 3 audits and on p3 in 3 others: 6 audits, though 3 per item
    spec = [
        (GLEN, CF, "baseline", {"p1": "4", "p2": "yes", "p3": "2", "q1": "4"}, True, "")
    ] * 3 + [(GLEN, CF, "baseline", {"p1": "2", "p2": "yes", "p3": "4", "q1": "4"}, True, "")] * 3
    _build(db, mini, spec)
    found = behind(db, AuditFilter())
    assert found.level["mini-test", "pattern", "quality", "4"] == (6, 1)
    assert found.level["mini-test", "pattern", "quality", "2"] == (6, 0)
    assert found.level["mini-test", "planning", "quality", "4"] == (6, 1)
    # items and tags: distinct audits with a rated answer, from the findings
    from audit_tool.findings import findings

    f = findings(db, AuditFilter())
    assert {g.key: g.audits for g in f.by_item}["p1"] == 6
    assert {g.key: g.audits for g in f.by_tag}["component-1"] == 6
    # the report hands behind() the findings' own answer counts: the same figures either way
    assert behind(db, AuditFilter(), f.answer_counts) == found
