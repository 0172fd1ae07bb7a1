"""Findings counts that were wrong (issue 8, items 6, 7 and 12), pinned against hand counts.

Uses the mini checklist (tests/fixtures/mini.toml): theme "pattern" holds p1 (quality,
tags principle-1 and component-1), p2 (evidence, tag component-1) and p3; theme "planning"
holds q1 (quality, tag principle-1) and q2 (evidence). Quality 6/5/4 meet the standard;
evidence "yes" meets it and "na" is not rated. All data is fictional.
"""

from __future__ import annotations

import linecache
import sys

import pytest

from audit_tool import audits
from audit_tool.checklists.loader import parse
from audit_tool.filters import AuditFilter
from audit_tool.findings import aggregate, findings

AREA, TEAM = "Area West (fictional)", "Team C (fictional)"
MINI = AuditFilter(checklist_id="mini-test")


def _audit(db, checklist, name: str, ratings: list[tuple[str, str]]) -> str:
    case = audits.add_case(db, f"FICTIONAL-{name}", AREA, TEAM)
    audit_id = audits.new_audit(db, case.id, checklist, phase="baseline")
    for item, rating in ratings:
        audits.answer(db, audit_id, item, rating)
    return audit_id


def _version_2(mini_path) -> object:
    """Version 2 of the mini checklist: same ids, but 'partly' now meets the standard
    (and is relabelled)."""
    text = mini_path.read_text("utf-8")
    changed = (
        text.replace('version = "1.0"', 'version = "2.0"')
        .replace('meets_standard = ["yes"]', 'meets_standard = ["yes", "partly"]')
        .replace('label = "Partly"', 'label = "Part met"')
    )
    assert changed.count("2.0") == 1 and "Part met" in changed and '"yes", "partly"' in changed
    return parse(changed, "mini-v2.toml")


# -- item 6: two versions of one checklist ------------------------------------------------------


@pytest.fixture
def two_versions(db, mini, mini_path):
    v2 = _version_2(mini_path)
    assert v2.id == mini.id and v2.sha256 != mini.sha256
    _audit(db, mini, "V1A", [("p1", "5"), ("p2", "partly")])  # v1: 5 meets, partly does not
    _audit(db, mini, "V1B", [("p1", "2"), ("p2", "yes")])  # v1: 2 does not, yes meets
    _audit(db, v2, "V2A", [("p1", "6"), ("p2", "partly")])  # v2: 6 meets, partly meets
    _audit(db, v2, "V2B", [("p2", "no")])  # v2: no does not


def test_versions_keep_their_own_standard(db, two_versions):
    f = findings(db, MINI)
    assert [(c[0], c[1], c[3]) for c in f.checklists] == [
        ("mini-test", "1.0", 2),
        ("mini-test", "2.0", 2),
    ]
    # pattern, by hand: v1 answers 5 ok, partly x, 2 x, yes ok -> 4 rated, 2 meet;
    # v2 answers 6 ok, partly ok, no x, and p3 hidden by that "no" counts x -> 4 rated, 2
    # meet. Together 8 rated, 4 meet.
    (pattern,) = f.by_theme
    assert (pattern.key, pattern.audits, pattern.rated, pattern.meets) == ("pattern", 4, 8, 4)
    assert pattern.share == pytest.approx(4 / 8)
    assert f.overall.share == pytest.approx(4 / 8)
    # p2 alone: partly x (v1), yes ok (v1), partly ok (v2), no x (v2) -> 2 of 4
    items = {g.key: (g.audits, g.rated, g.meets) for g in f.by_item}
    assert items == {"p1": (3, 3, 2), "p2": (4, 4, 2), "p3": (1, 1, 0)}
    # component-1 (p1, p2): p1 2 of 3 plus p2 2 of 4
    tags = {g.key: (g.audits, g.rated, g.meets) for g in f.by_tag}
    assert tags == {"principle-1": (3, 3, 2), "component-1": (4, 7, 4)}
    assert {g.key: (g.rated, g.meets) for g in f.by_area} == {AREA: (8, 4)}
    (change,) = f.theme_change
    assert (change.base_audits, change.base_rated, change.base_meets) == (4, 8, 4)


def test_versions_share_distribution_buckets(db, two_versions):
    (pattern,) = findings(db, MINI).by_theme
    buckets = [(b.scale, b.value, b.label, b.count) for b in pattern.distribution]
    # one bucket per scale and value, summed across the copies, named as in the newest copy,
    # in scale order (best first)
    assert buckets == [
        ("evidence", "yes", "Yes", 1),
        ("evidence", "partly", "Part met", 2),
        ("evidence", "no", "No", 1),
        ("quality", "6", "Excellent", 1),
        ("quality", "5", "Very good", 1),
        ("quality", "2", "Weak", 1),
        ("quality", "-hidden", "Not asked (an earlier answer fell short)", 1),  # V2B's p3
    ]


# -- item 7: audit counts leave out 'not applicable'; tags count distinct audits ------------------


@pytest.fixture
def tag_sample(db, mini):
    _audit(db, mini, "X", [("p1", "5"), ("q1", "6")])  # two items tagged principle-1
    _audit(db, mini, "Y", [("p2", "na")])  # not applicable only
    _audit(db, mini, "Z", [("p1", "2")])
    _audit(db, mini, "W", [("q1", "3"), ("p2", "no")])
    _audit(db, mini, "V", [("q2", "na")])  # not applicable only, untagged item


def test_item_audits_leave_out_not_applicable(db, tag_sample):
    f = findings(db, MINI)
    assert f.audits == 5
    items = {g.key: (g.audits, g.rated, g.meets) for g in f.by_item}
    # p2: Y said not applicable, W said no -> one audit rated it; q2: only V, not applicable
    assert items["p2"] == (1, 1, 0)
    assert items["p1"] == (2, 2, 1) and items["q1"] == (2, 2, 1)
    assert items["q2"] == (0, 0, 0)  # listed (its 'not applicable' is in the distribution)
    # pattern rests on X, Z and W (Y answered only 'not applicable'); W's p3, hidden by its
    # p2 "no", counts as not met; planning on X and W
    themes = {g.key: (g.audits, g.rated, g.meets) for g in f.by_theme}
    assert themes == {"pattern": (3, 4, 1), "planning": (2, 2, 1)}


def test_tag_audits_are_distinct_audits(db, tag_sample):
    f = findings(db, MINI)
    tags = {g.key: (g.audits, g.rated, g.meets) for g in f.by_tag}
    # principle-1 (p1, q1): X (twice), Z, W -> 3 distinct audits; answers 5 ok, 6 ok, 2 x, 3 x
    # component-1 (p1, p2): X, Z, W (Y's 'not applicable' does not count) -> 3 audits;
    #                       answers 5 ok, 2 x, no x
    assert tags == {"principle-1": (3, 4, 2), "component-1": (3, 3, 1)}


# -- item 12: temp tables go on every path ------------------------------------------------------


def _temp_tables(db) -> list:
    return db.query("SELECT name FROM temp.sqlite_master")


def _steps(db, every: int) -> int:
    """How many times the progress handler fires during one findings() run."""
    calls = [0]

    def count() -> int:
        calls[0] += 1
        return 0

    db.conn.set_progress_handler(count, every)
    try:
        findings(db, MINI)
    finally:
        db.conn.set_progress_handler(None, every)
    return calls[0]


@pytest.mark.parametrize("how", ["interrupt", "abort"])
def test_cancel_at_any_point_leaves_no_temp_tables(db, tag_sample, how):
    """Cancel findings() at many points inside SQLite, the way the GUI's Cancel does
    (Database.interrupt(), called from the engine's progress callback) and by the callback
    aborting the statement; each time nothing of the selection (case ids) may stay behind."""
    every = 50
    expected = findings(db, MINI)
    total = _steps(db, every)
    assert total > 40  # enough points to land in each of the CREATEs and the queries
    stopped = 0
    for at in range(1, total + 1):
        calls = [0]

        def handler(at=at, calls=calls) -> int:
            calls[0] += 1
            if calls[0] != at:  # cancel once, as one click would
                return 0
            if how == "interrupt":
                db.interrupt()
                return 0
            return 1

        db.conn.set_progress_handler(handler, every)
        try:
            findings(db, MINI)
        except Exception as exc:  # the engine's 'interrupted'
            assert "interrupt" in str(exc).lower(), exc
            stopped += 1
        finally:
            db.conn.set_progress_handler(None, every)
        assert _temp_tables(db) == [], f"temp tables left after cancelling at step {at}"
    assert stopped > total // 2  # most points really did cancel the build
    assert findings(db, MINI) == expected  # and the connection is still fine


@pytest.mark.parametrize("how", ["interrupt", "abort"])
def test_cancel_landing_on_the_clean_up_is_finished(db, tag_sample, how):
    """A Cancel that reaches SQLite while a DROP of the clean-up runs does not stop it."""
    running = [""]
    hits = [0]
    db.conn.set_trace_callback(lambda sql: running.__setitem__(0, sql))

    def handler() -> int:
        if not running[0].startswith("DROP") or hits[0]:
            return 0
        hits[0] += 1
        if how == "interrupt":
            db.interrupt()
            return 0
        return 1

    db.conn.set_progress_handler(handler, 1)
    try:
        findings(db, MINI)
    except Exception as exc:  # the interrupt is reported once every table is gone
        assert "interrupt" in str(exc).lower(), exc
    finally:
        db.conn.set_progress_handler(None, 1)
        db.conn.set_trace_callback(None)
    assert hits == [1]
    assert _temp_tables(db) == []


# Ctrl+C landing in the clean-up code itself is finished by that code, so lines there are
# not interrupted here; one landing as the `with` block takes the tables over or hands them
# back (around __enter__ and __exit__) cannot be caught in Python, so the next build sweeps
_CLEAN_UP = {"_drop", "drop", "__exit__"}
_HANDOVER = ("with _Tables(", "return self")


def _ctrl_c_at(db, at: int, where: list[str]) -> int:
    """Run findings() and raise KeyboardInterrupt (as Ctrl+C would) at its `at`-th line
    of Python in audit_tool/findings/aggregate.py; return the lines run, note where it fell."""
    source = aggregate.__file__
    lines = [0]

    def on_line(frame, event, arg):
        if event == "line":
            lines[0] += 1
            if lines[0] == at:
                where.append(linecache.getline(source, frame.f_lineno).strip())
                raise KeyboardInterrupt  # also ends tracing
        return on_line

    def on_call(frame, event, arg):
        code = frame.f_code
        return on_line if code.co_filename == source and code.co_name not in _CLEAN_UP else None

    sys.settrace(on_call)
    try:
        findings(db, MINI)
    finally:
        sys.settrace(None)
    return lines[0]


def test_ctrl_c_at_any_line_leaves_no_temp_tables(db, tag_sample):
    """Ctrl+C at every line findings() runs: no temp table stays (at most the two handover
    points leave them to the next build, which sweeps them)."""
    expected = findings(db, MINI)
    total = _ctrl_c_at(db, 0, [])
    assert total > 50
    handovers = 0
    for at in range(1, total + 1):
        where: list[str] = []
        with pytest.raises(KeyboardInterrupt):
            _ctrl_c_at(db, at, where)
        if where[0].startswith(_HANDOVER) and _temp_tables(db):
            handovers += 1
            assert findings(db, MINI) == expected  # swept by the next build
        assert _temp_tables(db) == [], f"temp tables left after Ctrl+C at line {at}: {where}"
    assert handovers <= 2
    assert findings(db, MINI) == expected


def test_failed_create_leaves_no_temp_tables(db, tag_sample):
    """A CREATE that fails part-way (here the third one, on a missing table) drops the
    tables made before it."""
    db.conn.execute("ALTER TABLE answers RENAME TO answers_away")
    try:
        with pytest.raises(Exception, match="answers"):
            findings(db, MINI)
        assert _temp_tables(db) == []
    finally:
        db.conn.execute("ALTER TABLE answers_away RENAME TO answers")
    assert findings(db, MINI).audits == 5
