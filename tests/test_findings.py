"""Findings against values computed by hand, and the interval statistics against published ones.

The mini checklist (tests/fixtures/mini.toml): theme "pattern" holds p1 (quality), p2
(evidence) and p3 (quality, shown only when p2 is yes/partly); theme "planning" holds q1
(quality) and q2 (evidence, optional). Quality 6/5/4 meet the standard; evidence "yes" meets
it and "na" is left out of the denominator. Tags: principle-1 on p1 and q1, component-1 on
p1 and p2.
"""

from __future__ import annotations

import math

import pytest

from audit_tool import audits
from audit_tool.filters import AuditFilter
from audit_tool.findings import compare_phases, findings, newcombe, wilson
from audit_tool.selection import distinct_values, list_audits

NORTH, SOUTH, EAST = "Area North (fictional)", "Area South (fictional)", "Area East (fictional)"
TEAM_A, TEAM_B = "Team A (fictional)", "Team B (fictional)"

# audit: (phase, area, agency, ratings in the order given; p3 in A1 is hidden afterwards)
PLAN = {
    "A1": (
        "baseline",
        NORTH,
        TEAM_A,
        [("p2", "yes"), ("p3", "6"), ("p2", "no"), ("p1", "5"), ("q1", "3"), ("q2", "na")],
    ),
    "A2": (
        "baseline",
        SOUTH,
        TEAM_B,
        [("p1", "2"), ("p2", "yes"), ("p3", "4"), ("q1", "6"), ("q2", "yes")],
    ),
    "A3": (
        "post_training",
        NORTH,
        TEAM_A,
        [("p1", "6"), ("p2", "partly"), ("p3", "1"), ("q1", "4"), ("q2", "no")],
    ),
    "A4": (
        "post_training",
        SOUTH,
        TEAM_B,
        [("p1", "4"), ("p2", "yes"), ("p3", "5"), ("q1", "5"), ("q2", "na")],
    ),
    "A5": ("baseline", NORTH, TEAM_A, []),  # a draft with nothing rated yet
}


@pytest.fixture
def sample(db, mini):
    ids = {}
    for name, (phase, area, agency, ratings) in PLAN.items():
        case = audits.add_case(db, f"FICTIONAL-{name}", area, agency)
        ids[name] = audits.new_audit(db, case.id, mini, phase=phase)
        for item, rating in ratings:
            audits.answer(db, ids[name], item, rating, f"Fictional note for {item}.")
        if ratings:
            audits.finalise(db, ids[name])
    # another checklist in another area, so the checklist and area filters have work to do
    other = audits.add_case(db, "FICTIONAL-T1", EAST, TEAM_A)
    ids["T1"] = audits.new_audit(db, other.id, "thematic-perpetrators-as-parents", phase="baseline")
    audits.answer(db, ids["T1"], "pp-16", "partly")  # identified, not fully
    audits.answer(db, ids["T1"], "pp-02", "6")
    return ids


MINI_ONLY = AuditFilter(checklist_id="mini-test")


def _groups(gs):
    return {g.key: (g.audits, g.rated, g.meets) for g in gs}


def _dist(g):
    return {(b.scale, b.value): b.count for b in g.distribution}


def test_counts_by_theme(db, sample):
    f = findings(db, MINI_ONLY)
    assert f.audits == 5 and f.cases == 5
    assert f.status_counts == {"finalised": 4, "draft": 1}
    assert f.phase_counts == {"baseline": 3, "post_training": 2}
    # pattern: A1 p1 5 ok, p2 no x, p3 hidden by that "no" so counted x | A2 2 x, yes ok, 4 ok
    #          | A3 6 ok, partly x, 1 x | A4 4 ok, yes ok, 5 ok  -> 12 rated, 7 meet, in 4 audits
    # planning: A1 3 x (na out) | A2 6 ok, yes ok | A3 4 ok, no x | A4 5 ok (na out)
    #          -> 6 rated, 4 meet, in 4 audits
    assert _groups(f.by_theme) == {"pattern": (4, 12, 7), "planning": (4, 6, 4)}
    assert [g.key for g in f.by_theme] == ["pattern", "planning"]  # checklist order
    assert [g.label for g in f.by_theme] == ["Pattern", "Planning"]
    pattern = f.by_theme[0]
    assert pattern.share == pytest.approx(7 / 12)
    assert pattern.interval == pytest.approx(wilson(7, 12))
    assert f.overall.rated == 18 and f.overall.meets == 11
    assert f.overall.share == pytest.approx(11 / 18)


def test_distributions(db, sample):
    f = findings(db, MINI_ONLY)
    pattern, planning = f.by_theme
    # the hidden p3 = 6 in A1 is not counted as 6: quality 6 appears once (A3 p1); hidden by
    # a failing answer, it counts under its own heading, as not meeting the standard
    assert _dist(pattern) == {
        ("quality", "-hidden"): 1,
        ("quality", "6"): 1,
        ("quality", "5"): 2,
        ("quality", "4"): 2,
        ("quality", "2"): 1,
        ("quality", "1"): 1,
        ("evidence", "yes"): 2,
        ("evidence", "partly"): 1,
        ("evidence", "no"): 1,
    }
    # not applicable is shown in the distribution but left out of the share
    assert _dist(planning) == {
        ("quality", "6"): 1,
        ("quality", "5"): 1,
        ("quality", "4"): 1,
        ("quality", "3"): 1,
        ("evidence", "yes"): 1,
        ("evidence", "no"): 1,
        ("evidence", "na"): 2,
    }
    assert sum(_dist(planning).values()) == 8 and planning.rated == 6
    labels = {(b.scale, b.value): b.label for b in planning.distribution}
    assert (
        labels[("evidence", "na")] == "Not applicable" and labels[("quality", "6")] == "Excellent"
    )
    # levels in scale order, best first; a hidden failing item last
    assert [b.value for b in pattern.distribution if b.scale == "quality"] == [
        "6",
        "5",
        "4",
        "2",
        "1",
        "-hidden",
    ]


def test_by_item_and_tag(db, sample):
    f = findings(db, MINI_ONLY)
    assert _groups(f.by_item) == {
        "p1": (4, 4, 3),  # 5, 2, 6, 4
        "p2": (4, 4, 2),  # no, yes, partly, yes
        "p3": (4, 4, 2),  # A2 4, A3 1, A4 5, A1's hidden by p2 "no": counts as not met
        "q1": (4, 4, 3),  # 3, 6, 4, 5
        "q2": (2, 2, 1),  # na, yes, no, na: the two na are not rated, so two audits count
    }
    tags = {g.key: (g.rated, g.meets, g.kind) for g in f.by_tag}
    assert tags == {
        "principle-1": (8, 6, "principle"),  # p1 3/4 + q1 3/4
        "component-1": (8, 5, "component"),  # p1 3/4 + p2 2/4
    }


def test_by_area_and_agency(db, sample):
    f = findings(db, MINI_ONLY)
    # North: A1 p1 ok, p2 x, p3 hidden x, q1 x | A3 p1 ok, p2 x, p3 x, q1 ok, q2 x -> 9, 3;
    #        A5 has nothing rated, so 2 audits contribute
    # South: A2 p1 x, p2 ok, p3 ok, q1 ok, q2 ok | A4 all four ok -> 9 rated, 8 meet
    assert _groups(f.by_area) == {NORTH: (2, 9, 3), SOUTH: (2, 9, 8)}
    assert _groups(f.by_agency) == {TEAM_A: (2, 9, 3), TEAM_B: (2, 9, 8)}


def test_phase_comparison(db, sample):
    f = findings(db, MINI_ONLY)
    change = {c.key: c for c in f.theme_change}
    p = change["pattern"]
    # baseline A1 (1/3, p3 hidden by a "no") + A2 (2/3) = 3/6; post A3 (1/3) + A4 (3/3) = 4/6
    assert (p.base_audits, p.base_rated, p.base_meets) == (2, 6, 3)
    assert (p.post_audits, p.post_rated, p.post_meets) == (2, 6, 4)
    assert p.base_share == pytest.approx(0.5) and p.post_share == pytest.approx(4 / 6)
    d, lo, hi = p.change
    assert d == pytest.approx(4 / 6 - 3 / 6)
    # the report's interval, case files as clusters (issue 17 item 12), not Newcombe's on items
    from audit_tool.findings.audit_level import audit_level
    from audit_tool.findings.clustered import change_interval

    iv = change_interval(audit_level(db, MINI_ONLY).change["mini-test", "pattern"])
    assert (d, lo, hi) == pytest.approx((iv.estimate, iv.low, iv.high))
    assert (lo, hi) != pytest.approx(newcombe(3, 6, 4, 6)[1:])
    assert lo < d < hi
    q = change["planning"]
    # baseline A1 (0/1) + A2 (2/2) = 2/3; post A3 (1/2) + A4 (1/1) = 2/3
    assert (q.base_rated, q.base_meets, q.post_rated, q.post_meets) == (3, 2, 3, 2)
    assert q.change[0] == pytest.approx(0.0)
    # compare_phases ignores a phase filter
    again = compare_phases(db, AuditFilter(checklist_id="mini-test", phase="baseline"))
    assert {c.key: (c.base_meets, c.post_meets) for c in again} == {
        "pattern": (3, 4),
        "planning": (2, 2),
    }


def test_filters_narrow(db, sample):
    everything = findings(db)
    assert everything.audits == 6 and everything.cases == 6
    assert {c[0] for c in everything.checklists} == {
        "mini-test",
        "thematic-perpetrators-as-parents",
    }
    assert {g.checklist_id for g in everything.by_theme} == {
        "mini-test",
        "thematic-perpetrators-as-parents",
    }

    north = findings(db, AuditFilter(area=NORTH))
    assert north.audits == 3
    assert _groups(north.by_theme) == {"pattern": (2, 6, 2), "planning": (2, 3, 1)}

    post = findings(db, AuditFilter(phase="post_training"))
    assert post.audits == 2
    assert _groups(post.by_theme) == {"pattern": (2, 6, 4), "planning": (2, 3, 2)}
    assert {c.key: (c.base_rated, c.post_rated) for c in post.theme_change} == {
        "pattern": (0, 6),
        "planning": (0, 3),
    }
    assert all(c.change is None for c in post.theme_change)  # no baseline in the selection

    thematic = findings(db, AuditFilter(checklist_id="thematic-perpetrators-as-parents"))
    assert thematic.audits == 1
    assert {g.key: (g.rated, g.meets) for g in thematic.by_item} == {
        "pp-16": (1, 0),
        "pp-02": (1, 1),
    }

    east_post = findings(db, AuditFilter(area=EAST, phase="post_training"))
    assert east_post.audits == 0 and east_post.by_theme == () and east_post.overall.share is None

    one = findings(db, AuditFilter(audit_id=sample["A4"]))
    assert one.audits == 1 and _groups(one.by_theme) == {
        "pattern": (1, 3, 3),
        "planning": (1, 1, 1),
    }

    drafts = findings(db, AuditFilter(status="draft"))
    assert drafts.audits == 2  # A5 and T1

    assert {r.id for r in list_audits(db, AuditFilter(area=SOUTH))} == {sample["A2"], sample["A4"]}
    assert distinct_values(db)["area"] == sorted([EAST, NORTH, SOUTH])


def test_temp_tables_are_dropped(db, sample):
    findings(db)
    findings(db, AuditFilter(area=NORTH))
    assert db.query("SELECT name FROM temp.sqlite_master") == []


# -- statistics against published values ----------------------------------------------------------


@pytest.mark.parametrize(
    ("successes", "n", "low", "high"),
    [
        # Newcombe (1998a), Statistics in Medicine 17:857-872, Table I, method 3 (score)
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0, 0.1611),
        (1, 29, 0.0061, 0.1718),
    ],
)
def test_wilson_published_values(successes, n, low, high):
    lo, hi = wilson(successes, n)
    assert lo == pytest.approx(low, abs=5e-5)
    assert hi == pytest.approx(high, abs=5e-5)


def test_wilson_edges():
    assert wilson(10, 10)[1] == pytest.approx(1.0) and wilson(0, 10)[0] == 0.0
    assert wilson(10, 10)[0] == pytest.approx(0.7225, abs=5e-5)
    assert all(math.isnan(x) for x in wilson(0, 0))
    lo, hi = wilson(5, 10)
    assert lo == pytest.approx(1 - hi)  # symmetric at one half


def test_newcombe_published_example():
    """Newcombe (1998b), Statistics in Medicine 17:873-890, example (a): 56/70 vs 48/80.

    Method 10 (hybrid score): difference 0.2, 95% CI 0.0524 to 0.3339. stats.newcombe
    returns second minus first, so the published difference is newcombe(48, 80, 56, 70).
    """
    d, lo, hi = newcombe(48, 80, 56, 70)
    assert d == pytest.approx(0.2)
    assert lo == pytest.approx(0.0524, abs=5e-5)
    assert hi == pytest.approx(0.3339, abs=5e-5)
    d2, lo2, hi2 = newcombe(56, 70, 48, 80)
    assert (d2, lo2, hi2) == pytest.approx((-0.2, -0.3339, -0.0524), abs=5e-5)


@pytest.mark.parametrize(
    ("s1", "n1", "s2", "n2", "low", "high"),
    [
        # Newcombe (1998b) examples (b) and (d), method 10, written as first minus second
        (9, 10, 3, 10, 0.1705, 0.8090),
        (5, 56, 0, 29, -0.0381, 0.1926),
    ],
)
def test_newcombe_more_published_values(s1, n1, s2, n2, low, high):
    d, lo, hi = newcombe(s2, n2, s1, n1)  # second minus first
    assert d == pytest.approx(s1 / n1 - s2 / n2)
    assert lo == pytest.approx(low, abs=5e-5)
    assert hi == pytest.approx(high, abs=5e-5)


def test_newcombe_empty_groups():
    assert all(math.isnan(x) for x in newcombe(0, 0, 1, 2))
