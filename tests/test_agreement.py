"""Agreement between readers (issue 10, item 7).

Every coefficient and interval is pinned against the reference packages irrCAC (Gwet's own
formulas) and krippendorff, both test-only dependencies, on fixed, published, edge-case and
hypothesis-made data; one example is worked by hand. Double readings come from a real
encrypted database built through the core API; the command line and the report are read
back as a user gets them. All data is synthetic and fictional.
"""

from __future__ import annotations

import json
import math
import uuid
import warnings

import krippendorff
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from irrCAC.datasets import raw_4raters
from irrCAC.raw import CAC
from irrCAC.table import CAC as TableCAC
from pypdf import PdfReader

from audit_tool import audits
from audit_tool.export import export_report
from audit_tool.filters import AuditFilter
from audit_tool.findings.agreement import (
    NOMINAL,
    QUADRATIC,
    agreement,
    coefficients,
    double_readings,
    identity_weights,
    quadratic_weights,
    t_quantile,
    two_reader_pairs,
)
from audit_tool.store import now

TOL = 1e-7


# -- the reference packages -----------------------------------------------------------------------


def _frame(rows, q):
    """irrCAC's raw layout: a row per unit, a column per reader, categories 1..q, NaN missing."""
    return pd.DataFrame([[np.nan if v is None else float(v + 1) for v in row] for row in rows])


def _ref_raw(rows, q, weights):
    cats = [float(c) for c in range(1, q + 1)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        gwet = CAC(_frame(rows, q), weights=weights, categories=cats, digits=12).gwet()["est"]
        try:
            kripp = CAC(
                _frame(rows, q), weights=weights, categories=cats, digits=12
            ).krippendorff()["est"]
        except ZeroDivisionError:  # every rating the same: alpha is undefined
            kripp = None
    return gwet, kripp


def _ref_alpha(rows, q, level):
    data = [[np.nan if row[j] is None else row[j] + 1 for row in rows] for j in range(len(rows[0]))]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return krippendorff.alpha(
            reliability_data=data, level_of_measurement=level, value_domain=list(range(1, q + 1))
        )


def _ref_cohen(rows, q, weights):
    table = np.zeros((q, q))
    for row in rows:
        a, b = row[0], row[1]
        if a is not None and b is not None:
            table[a][b] += 1
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return TableCAC(pd.DataFrame(table), weights=weights, digits=12).cohen()["est"]


def _same(mine, ref, lowest=-1.0):
    """Value and interval as irrCAC gives them (its interval is clipped at 1 above; ours also at
    the coefficient's floor below)."""
    assert mine.value == pytest.approx(ref["coefficient_value"], abs=TOL)
    low, high = ref["confidence_interval"]
    if not (math.isnan(low) or math.isnan(high)):
        assert mine.low == pytest.approx(max(lowest, low), abs=1e-6)
        assert mine.high == pytest.approx(min(1.0, high), abs=1e-6)


def check_against_references(rows, q, weights=NOMINAL):
    """Every coefficient from `coefficients` against irrCAC and krippendorff."""
    ordinal = weights == QUADRATIC
    mine = coefficients(rows, q, weights)
    gwet, kripp = _ref_raw(rows, q, "quadratic" if ordinal else "identity")
    _same(mine.ac, gwet)
    alpha = _ref_alpha(rows, q, "interval" if ordinal else "nominal")
    if mine.alpha is None:
        assert kripp is None or math.isnan(alpha)
    else:
        assert mine.alpha.value == pytest.approx(alpha, abs=TOL)
        _same(mine.alpha, kripp)
    if not ordinal:  # percent agreement: irrCAC's p_a with identity weights
        assert mine.percent.value == pytest.approx(gwet["pa"], abs=TOL)
    if any(sum(v is not None for v in r) > 2 for r in rows):
        assert mine.kappa is None  # Cohen's kappa is for two readers
        return mine
    # each unit's two ratings, in reader order, as irrCAC's two-rater table
    pairs = [[v for v in r if v is not None] for r in rows]
    cohen = _ref_cohen(
        [p for p in pairs if len(p) == 2] or [[None, None]],
        q,
        "quadratic" if ordinal else "identity",
    )
    if mine.kappa is None:
        assert math.isnan(cohen["coefficient_value"])
    else:
        _same(mine.kappa, cohen)
    return mine


# -- by hand --------------------------------------------------------------------------------------


def test_worked_example_ten_items_two_readers():
    """10 items, 2 readers, yes (0) / no (1). Table: both yes 4, both no 3, first yes and second
    no 2, first no and second yes 1. p_a = 7/10; margins first 6/4, second 5/5, so
    p_e = .6 x .5 + .4 x .5 = .5 and kappa = (.7 - .5) / .5 = 0.4 exactly. AC1: pi = (.55, .45),
    p_e = 2 x .55 x .45 = .495, AC1 = .205 / .505 = 41/101. Krippendorff: 11 yes and 9 no among
    20 values, 3 disagreeing units: alpha = 1 - 19 x 6 / (2 x 11 x 9) = 14/33. Percent agreement
    interval: se = sqrt((7 x .09 + 3 x .49) / 90) = sqrt(2.1/90); t(.975, 9) = 2.2622 (tables)."""
    rows = [(0, 0)] * 4 + [(1, 1)] * 3 + [(0, 1)] * 2 + [(1, 0)]
    c = coefficients(rows, 2)
    assert c.kappa.value == pytest.approx(0.4, abs=1e-12)
    assert c.ac.value == pytest.approx(41 / 101, abs=1e-12)
    assert c.alpha.value == pytest.approx(14 / 33, abs=1e-12)
    assert c.percent.value == pytest.approx(0.7, abs=1e-12)
    se = math.sqrt(2.1 / 90)
    assert c.percent.se == pytest.approx(se, abs=1e-12)
    assert c.percent.low == pytest.approx(0.7 - 2.2622 * se, abs=1e-4)
    assert c.percent.high == 1.0  # 0.7 + 0.345 is past 1: clipped
    assert c.units == 10


def test_t_quantile_matches_tables():
    # two-sided 95% critical values from printed t tables
    for df, t in ((1, 12.706), (2, 4.303), (5, 2.571), (9, 2.262), (30, 2.042), (120, 1.980)):
        assert t_quantile(0.975, df) == pytest.approx(t, abs=5e-4)


def test_quadratic_weights_of_the_six_point_scale():
    w = quadratic_weights(6)
    assert w[0] == pytest.approx([1, 1 - 1 / 25, 1 - 4 / 25, 1 - 9 / 25, 1 - 16 / 25, 0])
    assert identity_weights(3) == ((1, 0, 0), (0, 1, 0), (0, 0, 1))


# -- against the packages ---------------------------------------------------------------------------


def test_gwets_published_four_rater_example():
    """irrCAC's raw_4raters (Gwet's handbook): AC1 0.77544 (0.46081 to 1), as its docs print."""
    df = raw_4raters()
    rows = [[None if math.isnan(v) else int(v) - 1 for v in r] for r in df.values.tolist()]
    c = check_against_references(rows, 5)
    assert round(c.ac.value, 5) == 0.77544
    assert (round(c.ac.low, 5), c.ac.high) == (0.46081, 1.0)
    assert c.kappa is None  # four readers: Cohen's kappa is for two
    check_against_references(rows, 5, QUADRATIC)


SETS = {
    "perfect": ([(0, 0), (1, 1), (2, 2), (3, 3), (4, 4), (5, 5), (2, 2)], 6),
    "total disagreement": ([(0, 1), (1, 0), (0, 1), (1, 0), (0, 1)], 2),
    "total disagreement, six levels": ([(0, 5), (5, 0), (1, 4), (2, 3), (3, 1), (4, 2)], 6),
    "single category": ([(2, 2)] * 8, 6),
    "missing ratings": (
        [
            (0, 0),
            (1, None),
            (None, 2),
            (2, 2),
            (3, 2),
            (1, 1),
            (None, None),
            (4, 3),
            (5, 5),
            (0, 1),
        ],
        6,
    ),
    "three readers with gaps": (
        [
            (0, 0, 1),
            (1, None, 1),
            (2, 2, 2),
            (None, 3, 3),
            (0, 1, 2),
            (4, 4, None),
            (5, 5, 5),
            (3, 2, 3),
        ],
        6,
    ),
    "prevalent category": ([(0, 0)] * 17 + [(0, 1), (1, 0), (1, 1)], 2),
}


@pytest.mark.parametrize("name", list(SETS))
@pytest.mark.parametrize("weights", [NOMINAL, QUADRATIC])
def test_fixed_data_sets_match_the_packages(name, weights):
    rows, q = SETS[name]
    c = check_against_references([list(r) for r in rows], q, weights)
    if name == "perfect":
        assert c.ac.value == pytest.approx(1) and c.alpha.value == pytest.approx(1)
        assert c.kappa.value == pytest.approx(1) and c.kappa.high == 1.0
    if name == "single category":  # chance agreement is total: kappa and alpha undefined
        assert c.kappa is None and c.alpha is None and c.ac.value == pytest.approx(1)
    if name == "prevalent category" and weights == NOMINAL:  # the kappa paradox AC1 avoids
        assert c.percent.value == pytest.approx(0.9) and c.ac.value > 0.8 > c.kappa.value + 0.3


@st.composite
def rating_sets(draw):
    q = draw(st.integers(2, 6))
    readers = draw(st.integers(2, 4))
    cell = (
        st.one_of(st.none(), st.integers(0, q - 1))
        if draw(st.booleans())
        else st.integers(0, q - 1)
    )
    rows = draw(
        st.lists(st.lists(cell, min_size=readers, max_size=readers), min_size=3, max_size=30)
    )
    return rows, q


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rating_sets(), st.sampled_from([NOMINAL, QUADRATIC]))
def test_generated_data_match_the_packages(data, weights):
    rows, q = data
    assume(sum(1 for r in rows if sum(v is not None for v in r) >= 2) >= 2)
    check_against_references(rows, q, weights)


def test_cohen_pairs_need_two_readers():
    assert two_reader_pairs([(0, 1, None), (None, 1, 1)]) == [(0, 1), (1, 1)]
    assert two_reader_pairs([(0, 1, 1)]) is None


# -- double readings from a real database -------------------------------------------------------------

# Two readers of six fictional files on the mini checklist. Missing values: q2 is optional, p3
# shows only when p2 is yes or partly. Reader A's audit is started first.
FILES = [
    (
        {"p1": "5", "p2": "yes", "p3": "4", "q1": "3", "q2": "na"},
        {"p1": "5", "p2": "yes", "p3": "3", "q1": "3"},
    ),
    (
        {"p1": "2", "p2": "no", "q1": "2", "q2": "no"},
        {"p1": "3", "p2": "no", "q1": "2", "q2": "no"},
    ),
    ({"p1": "6", "p2": "na", "q1": "5"}, {"p1": "6", "p2": "no", "q1": "4", "q2": "yes"}),
    (
        {"p1": "1", "p2": "partly", "p3": "2", "q1": "1", "q2": "partly"},
        {"p1": "2", "p2": "partly", "p3": "2", "q1": "1", "q2": "partly"},
    ),
    (
        {"p1": "4", "p2": "not_recorded", "q1": "4", "q2": "no"},
        {"p1": "4", "p2": "no", "q1": "5", "q2": "no"},
    ),
    (
        {"p1": "3", "p2": "yes", "p3": "5", "q1": "6"},
        {"p1": "3", "p2": "partly", "p3": "5", "q1": "6", "q2": "na"},
    ),
]
QUALITY = ["6", "5", "4", "3", "2", "1"]  # best first, as Scale.ordered_levels()
EVIDENCE = ["yes", "partly", "no", "not_recorded", "na"]
SCALE = {"p1": "quality", "p2": "evidence", "p3": "quality", "q1": "quality", "q2": "evidence"}
POOLED = [f"quality:{v}" for v in QUALITY] + [f"evidence:{v}" for v in EVIDENCE]


def _reviewer(db, name: str) -> str:
    """A second reader on this laptop's database, as the demo data adds them (the core has no
    call for it yet)."""
    rid = str(uuid.uuid4())
    with db.atomic() as c:
        c.execute("INSERT INTO reviewers VALUES (?, ?, '', '', 0, ?)", (rid, name, now()))
    return rid


def _audit(
    db, case_id, mini, reviewer, ratings, *, phase="baseline", finalise=True, audit_type=None
) -> str:
    audit_id = audits.new_audit(db, case_id, mini, audit_type, phase, reviewer_id=reviewer)
    for item, value in ratings.items():
        audits.answer(db, audit_id, item, value)
    if finalise:
        audits.finalise(db, audit_id)
    return audit_id


@pytest.fixture
def readers(db):
    return (
        _reviewer(db, "Reader A (fictional)"),
        _reviewer(db, "Reader B (fictional)"),
        _reviewer(db, "Lead reader (fictional)"),
    )


@pytest.fixture
def double_read(db, mini, readers):
    """The six files read twice, plus readings that must not count."""
    a, b, lead = readers
    cases = []
    for i, (ra, rb) in enumerate(FILES):
        case = audits.add_case(db, f"FICT-AGR-{i:03d}", "Glenmorven (fictional)")
        cases.append(case.id)
        if i == 1:  # reader A's earlier reading of this file: their latest one counts
            _audit(db, case.id, mini, a, {"p1": "6", "p2": "yes", "p3": "6", "q1": "6"})
        _audit(db, case.id, mini, a, ra)
        _audit(db, case.id, mini, b, rb)
    # moderation by the lead reader is not a reading
    _audit(db, cases[0], mini, lead, {"p1": "1", "p2": "na", "q1": "1"}, audit_type="moderation")
    # another phase of a file, read once: not paired with the baseline readings
    _audit(db, cases[2], mini, lead, {"p1": "1", "p2": "na", "q1": "1"}, phase="post_training")
    # a file read by one reader only
    lone = audits.add_case(db, "FICT-AGR-LONE", "Glenmorven (fictional)")
    _audit(db, lone.id, mini, a, {"p1": "1", "p2": "na", "q1": "1"})
    # a file read twice in drafts: left out unless drafts are asked for
    draft = audits.add_case(db, "FICT-AGR-DRAFT", "Glenmorven (fictional)")
    _audit(db, draft.id, mini, a, {"p1": "1"}, finalise=False)
    _audit(db, draft.id, mini, b, {"p1": "6"}, finalise=False)
    return cases


def _rows(item):
    levels = QUALITY if SCALE[item] == "quality" else EVIDENCE
    return [
        [None if r.get(item) is None else levels.index(r[item]) for r in pair] for pair in FILES
    ]


def _pooled(items):
    return [
        [None if r.get(i) is None else POOLED.index(f"{SCALE[i]}:{r[i]}") for r in pair]
        for i in items
        for pair in FILES
    ]


def _ordinal(items):
    return [row for i in items if SCALE[i] == "quality" for row in _rows(i)]


def _est(mine, ref):
    assert mine.value == pytest.approx(ref["coefficient_value"], abs=TOL)
    low, high = ref["confidence_interval"]
    assert (mine.low, mine.high) == (
        pytest.approx(max(-1, low), abs=1e-6),
        pytest.approx(min(1, high), abs=1e-6),
    )


def test_double_readings_follow_the_definition(db, double_read):
    found = double_readings(db, AuditFilter())
    assert found.files == {"mini-test": 6} and found.readings == {"mini-test": 12}
    p1 = next(it for it in found.items if it.item_id == "p1")
    assert sorted(p1.rows) == sorted(tuple(r.get("p1") for r in pair) for pair in FILES)
    with_drafts = double_readings(db, AuditFilter(), finalised_only=False)
    assert with_drafts.files == {"mini-test": 7}
    assert double_readings(db, AuditFilter(phase="post_training")).files == {}
    assert double_readings(db, AuditFilter(area="Nowhere (fictional)")).items == ()


def test_agreement_per_item_theme_and_overall(db, double_read):
    result = agreement(db, AuditFilter())
    (c,) = result.checklists
    assert (c.checklist_id, c.files, c.readings, c.most_readers) == ("mini-test", 6, 12, 2)
    items = {g.key: g for g in c.items}
    # per item, against irrCAC on matrices built here from FILES
    for item in ("p1", "p2", "q1"):
        q = 6 if SCALE[item] == "quality" else 5
        gwet, _ = _ref_raw(_rows(item), q, "identity")
        _est(items[item].nominal.ac, gwet)
        _est(items[item].nominal.kappa, _ref_cohen(_rows(item), q, "identity"))
        assert items[item].files == 6
    gwet_w, kripp_w = _ref_raw(_rows("p1"), 6, "quadratic")
    _est(items["p1"].weighted.ac, gwet_w)
    _est(items["p1"].weighted.kappa, _ref_cohen(_rows("p1"), 6, "quadratic"))
    assert items["p1"].weighted.alpha.value == pytest.approx(_ref_alpha(_rows("p1"), 6, "interval"))
    assert items["p2"].weighted is None  # the evidence scale is nominal
    # p3 and q2 were rated by both readers in only 3 files: no figures
    assert items["p3"].too_few and items["p3"].nominal is None and items["p3"].files == 3
    assert items["q2"].too_few and items["q2"].files == 3
    # themes and overall pool the items' units
    themes = {g.key: g for g in c.themes}
    for group, members in (
        (themes["pattern"], ["p1", "p2", "p3"]),
        (themes["planning"], ["q1", "q2"]),
        (c.overall, ["p1", "p2", "p3", "q1", "q2"]),
    ):
        rows = _pooled(members)
        gwet, kripp = _ref_raw(rows, len(POOLED), "identity")
        _est(group.nominal.ac, gwet)
        assert group.nominal.percent.value == pytest.approx(gwet["pa"], abs=TOL)
        _est(group.nominal.alpha, kripp)
        assert group.nominal.alpha.value == pytest.approx(_ref_alpha(rows, len(POOLED), "nominal"))
        _est(group.nominal.kappa, _ref_cohen(rows, len(POOLED), "identity"))
        ordinal = _ordinal(members)
        gwet_w, _ = _ref_raw(ordinal, 6, "quadratic")
        _est(group.weighted.ac, gwet_w)
    # by hand from FILES: units rated by both readers p1 6, p2 6, p3 3, q1 6, q2 3 = 24; the
    # same rating in p1 4, p2 3, p3 2, q1 4, q2 3 = 16
    assert c.overall.nominal.units == 24
    assert c.overall.nominal.percent.value == pytest.approx(16 / 24)


def test_more_than_two_readers_give_alpha_not_kappa(db, mini, readers):
    a, b, lead = readers
    data = [("5", "5", "4"), ("2", "3", "2"), ("6", "6", "6"), ("1", "2", "1"), ("4", "4", "5")]
    for i, values in enumerate(data):
        case = audits.add_case(db, f"FICT-AGR3-{i}", "Glenmorven (fictional)")
        for who, v in zip((a, b, lead), values, strict=True):
            _audit(db, case.id, mini, who, {"p1": v, "p2": "no", "q1": v})
    (c,) = agreement(db).checklists
    assert c.most_readers == 3
    p1 = next(g for g in c.items if g.key == "p1")
    rows = [[QUALITY.index(v) for v in values] for values in data]
    assert p1.nominal.kappa is None
    assert p1.nominal.alpha.value == pytest.approx(_ref_alpha(rows, 6, "nominal"))
    assert p1.weighted.alpha.value == pytest.approx(_ref_alpha(rows, 6, "interval"))
    gwet, _ = _ref_raw(rows, 6, "quadratic")
    _est(p1.weighted.ac, gwet)


# -- the command line -------------------------------------------------------------------------------


def test_cli_json_and_table(cli, db, db_path, double_read):
    db.close()
    res = cli("--db", db_path, "agreement", "--json")
    assert res.returncode == 0, res
    data = json.loads(res.stdout)
    assert data["files"] == 6 and data["finalised_only"] is True and data["min_files"] == 5
    (c,) = data["checklists"]
    assert (c["checklist"], c["files"], c["readings"], c["most_readers"]) == ("mini-test", 6, 12, 2)
    gwet, _ = _ref_raw(_pooled(["p1", "p2", "p3", "q1", "q2"]), len(POOLED), "identity")
    ac = c["overall"]["nominal"]["gwet_ac"]
    assert ac["value"] == round(gwet["coefficient_value"], 4)
    assert ac["interval95"] == [round(v, 4) for v in gwet["confidence_interval"]]
    assert c["overall"]["nominal"]["percent_agreement"]["value"] == round(16 / 24, 4)
    p3 = next(g for g in c["items"] if g["id"] == "p3")
    assert p3["too_few_files"] is True and p3["nominal"] is None

    res = cli("--db", db_path, "agreement")
    assert res.returncode == 0, res
    assert "6 case file(s) read by two or more readers" in res.stdout
    overall = next(line for line in res.stdout.splitlines() if line.strip().startswith("All items"))
    assert f"{16 / 24:.0%}" in overall and f"{gwet['coefficient_value']:.2f}" in overall
    assert "fewer than 5 files: no figures" in res.stdout

    drafts = json.loads(cli("--db", db_path, "agreement", "--json", "--include-drafts").stdout)
    assert drafts["files"] == 7 and drafts["finalised_only"] is False


def test_cli_without_double_readings(cli, db, db_path, mini):
    case = audits.add_case(db, "FICT-AGR-ONE", "Glenmorven (fictional)")
    _audit(db, case.id, mini, None, {"p1": "4", "p2": "no", "q1": "4"})
    db.close()
    res = cli("--db", db_path, "agreement", "--area", "Glenmorven (fictional)")
    assert res.returncode == 0, res
    assert res.stdout.startswith("No case files were read by two or more readers in this selection")
    assert json.loads(cli("--db", db_path, "agreement", "--json").stdout)["checklists"] == []


# -- the report ----------------------------------------------------------------------------------------


def _pdf(db, tmp_path, include_identifiers: bool = False) -> str:
    out = export_report(db, AuditFilter(), "pdf", tmp_path / "report.pdf", include_identifiers)
    return "\n".join(p.extract_text() for p in PdfReader(str(out)).pages)


def test_report_section_states_the_figures(db, double_read, tmp_path):
    with db.atomic() as c:  # keys 0: the released count of files by hand
        c.execute("UPDATE audit_keys SET record_key = 0")
    text = _pdf(db, tmp_path)
    flat = " ".join(text.split())
    assert "Agreement between readers" in text
    # 6 files, keyed by their readers' keys (0) shifted by FILES = 199 (reports/tally.py):
    # row 6 slots [-1: 0-84, 0: 85-189, +1: 190-229] -> 7. The coefficients are not counts.
    assert "7 case files were read independently by two or more readers" in flat
    exact = " ".join(_pdf(db, tmp_path, include_identifiers=True).split())
    assert "6 case files were read independently by two or more readers" in exact
    gwet, _ = _ref_raw(_pooled(["p1", "p2", "p3", "q1", "q2"]), len(POOLED), "identity")
    low, high = gwet["confidence_interval"]
    assert (
        f"Readers agreed on {16 / 24 * 100:.0f}% of ratings; AC1 "
        f"{gwet['coefficient_value']:.2f} ({low:.2f} to {high:.2f})"
    ) in flat
    cohen = _ref_cohen(_pooled(["p1", "p2", "p3", "q1", "q2"]), len(POOLED), "identity")
    assert f"{cohen['coefficient_value']:.2f} ({cohen['confidence_interval'][0]:.2f} to" in flat
    assert "Gwet's variance formulas" in flat


def test_report_small_number_rule(db, mini, readers, tmp_path):
    a, b, _ = readers
    for i, (ra, rb) in enumerate(FILES[:3]):  # three files read twice, plus others read once
        case = audits.add_case(db, f"FICT-AGR-S{i}", "Glenmorven (fictional)")
        _audit(db, case.id, mini, a, ra)
        _audit(db, case.id, mini, b, rb)
    flat = " ".join(_pdf(db, tmp_path).split())
    assert "Agreement between readers" in flat
    assert "Fewer than 5 case files were read by two readers, so no agreement figures" in flat
    assert "AC1 0." not in flat and "Readers agreed on" not in flat


def test_report_without_double_readings_has_no_section(db, mini, tmp_path):
    for i in range(5):
        case = audits.add_case(db, f"FICT-AGR-N{i}", "Glenmorven (fictional)")
        _audit(db, case.id, mini, None, {"p1": "4", "p2": "no", "q1": "4"})
    assert "Agreement between readers" not in _pdf(db, tmp_path)


def test_weighted_figures_need_five_files_of_their_own(db, mini, readers):
    """Five drafts read twice on the evidence items, but the six-point items rated by both
    readers in only three: nominal figures, no weighted ones."""
    a, b, _ = readers
    for i in range(5):
        case = audits.add_case(db, f"FICT-AGR-W{i}", "Glenmorven (fictional)")
        both = {"p2": "no", "q2": "yes" if i % 2 else "no"}
        quality = {"p1": "4", "q1": "3"} if i < 3 else {}
        _audit(db, case.id, mini, a, {**both, "p1": "5", "q1": "2"}, finalise=False)
        _audit(db, case.id, mini, b, {**both, **quality}, finalise=False)
    assert agreement(db).checklists == ()  # drafts only: nothing by default
    (c,) = agreement(db, finalised_only=False).checklists
    assert c.overall.files == 5 and c.overall.nominal is not None and c.overall.weighted is None
    planning = next(g for g in c.themes if g.key == "planning")
    # q2 the same in 5 of 5 files; q1 (2 against 3) in none of 3
    assert planning.nominal.percent.value == pytest.approx(5 / 8)
    assert planning.weighted is None


# -- issue 17 item 13: categories of different scales, as the README codes them ------------------


def _coded_reference(items, members):
    """irrCAC and krippendorff on the README's coding: a category is a (scale, level) pair,
    and the categories of a pooled figure are every level of every scale pooled."""
    cats = sorted({f"{it.scale}:{v}" for it in items if it.item_id in members for v in it.levels})
    rows = [
        [None if v is None else cats.index(f"{it.scale}:{v}") for v in row]
        for it in items
        if it.item_id in members
        for row in it.rows
    ]
    return rows, len(cats)


def test_pooled_figures_over_scales_sharing_level_names(db, readers):
    """The Safe & Together checklist: 'yes', 'no' and 'na' are levels of several scales. Overall,
    theme and item figures equal irrCAC's and krippendorff's on the (scale, level) coding."""
    import random

    from audit_tool.checklists.loader import bundled

    st = next(c for c in bundled() if c.id == "safe-together-case-file-audit")
    rng = random.Random(17)
    a, b, _ = readers
    for i in range(6):
        case = audits.add_case(db, f"FICT-AGR13-{i:03d}", "Glenmorven (fictional)")
        first: dict[str, str] = {}
        for who in (a, b):
            audit_id = audits.new_audit(db, case.id, st, phase="baseline", reviewer_id=who)
            for _, item in st.definition.items():
                scale = st.definition.scale_of(item)
                if scale.is_fact:
                    continue
                values = [lv.value for lv in scale.levels]
                value = first.get(item.id) if who == b and rng.random() < 0.6 else None
                value = value or rng.choice(values)
                first.setdefault(item.id, value)
                audits.answer(db, audit_id, item.id, value)
    found = double_readings(db, AuditFilter(), finalised_only=False)
    items = [it for it in found.items if it.checklist_id == st.id]
    shared = {v for it in items for v in it.levels}
    assert {"yes", "no", "na"} <= shared and len({it.scale for it in items}) >= 3
    (c,) = agreement(db, AuditFilter(), finalised_only=False).checklists
    themes: dict[str, list[str]] = {}
    for it in items:
        themes.setdefault(it.theme_id, []).append(it.item_id)
    groups = [(c.overall, [it.item_id for it in items])]
    groups += [(g, themes[g.key]) for g in c.themes if not g.too_few]
    groups += [(g, [g.key]) for g in c.items if not g.too_few]
    assert len(groups) > 10
    for group, members in groups:
        rows, q = _coded_reference(items, set(members))
        gwet, kripp = _ref_raw(rows, q, "identity")
        _same(group.nominal.ac, gwet)
        assert group.nominal.percent.value == pytest.approx(gwet["pa"], abs=TOL)
        if group.nominal.alpha is not None:
            _same(group.nominal.alpha, kripp)
            assert group.nominal.alpha.value == pytest.approx(_ref_alpha(rows, q, "nominal"))
        if group.nominal.kappa is not None:
            _same(group.nominal.kappa, _ref_cohen(rows, q, "identity"))  # NaN: se 0
    # the coding matters: merging same-named levels of different scales gives other figures
    merged = sorted({v for it in items for v in it.levels})
    rows = [[None if v is None else merged.index(v) for v in row] for it in items for row in it.rows]
    assert coefficients(rows, len(merged)).ac.value != pytest.approx(c.overall.nominal.ac.value)


def test_a_finalised_moderation_leaves_agreement_as_it_was(db, double_read, readers):
    """Issue 17 item 14: agreement compares the readings; a moderation finalised in place of
    a file's readings (so findings count the file once) must not take them out of it."""
    from audit_tool import moderation
    from audit_tool.findings import findings
    from audit_tool.jsonout import agreement_to_json as to_json

    a, b, lead = readers
    before = to_json(agreement(db, AuditFilter()))
    counted = findings(db).audits
    ids = [
        r[0]
        for r in db.query(
            "SELECT id FROM audits WHERE case_id = ? AND reviewer_id IN (?, ?) "
            "ORDER BY created_at DESC LIMIT 2",
            (double_read[0], a, b),
        )
    ]
    mod = moderation.start_moderation(db, ids, lead)
    audits.answer(db, mod, "p3", "4", "fictional reason: the record shows contact attempts")
    audits.answer(db, mod, "q2", "na", "fictional reason: no plan was needed")
    audits.finalise(db, mod)
    assert to_json(agreement(db, AuditFilter())) == before
    # and the findings do count the moderation in place of the two readings
    assert findings(db).audits == counted - 2 + 1


def test_report_withholds_a_theme_on_too_few_files_and_releases_file_counts():
    """The section's counts of files go through the tally (perturbed, keyed by the readers'
    audits); a theme on fewer than MIN_FILES files shows no figures and the note says why."""
    from audit_tool.disclosure.cellkey import default_table
    from audit_tool.findings.agreement import (
        Agreement,
        ChecklistAgreement,
        Coefficients,
        Estimate,
        GroupAgreement,
    )
    from audit_tool.formatting import NO_VALUE
    from audit_tool.reports.agreement_section import agreement_section
    from audit_tool.reports.model import Paragraph, Table
    from audit_tool.reports.tally import EXACT, Tally

    readers = {f"case{i}:baseline": (f"a{i}", f"b{i}") for i in range(6)}
    coeff = Coefficients("nominal", 30, Estimate(0.8), Estimate(0.6), Estimate(0.7), None)
    overall = GroupAgreement("overall", "All items", 6, coeff, units=frozenset(readers))
    few = GroupAgreement("t2", "Safety", 3, None, units=frozenset(sorted(readers)[:3]))
    found = Agreement(AuditFilter(), True, (ChecklistAgreement(
        "mini", "Mini", 6, 12, 2, overall, (overall, few), (), readers),))
    keys = {a: 0 for r in readers.values() for a in r}
    released = agreement_section(found, Tally(keys, default_table()))
    exact = agreement_section(found, EXACT)
    table = next(b for b in released if isinstance(b, Table))
    # 6 files, keys 0 + FILES 199 -> row 6 slot +1 -> 7; 3 files stay 'fewer than 5'
    assert [r[1] for r in table.rows] == ["7", "7", "fewer than 5"]
    assert table.rows[2][2:] == [NO_VALUE] * 3
    assert released[1].text.startswith("7 case files")
    assert exact[1].text.startswith("6 case files")
    notes = [b.text for b in released if isinstance(b, Paragraph)]
    assert any("fewer than 5 case files has no agreement figures" in n for n in notes)
