"""Synthetic demo data: plausible, varied, reproducible and clearly fictional."""

from __future__ import annotations

from collections import Counter

import pytest

from audit_tool import demo
from audit_tool.filters import AuditFilter
from audit_tool.findings import findings
from audit_tool.selection import distinct_values
from audit_tool.store import Database

PASSPHRASE = "fictional tartan kettle harbour"


def _ratings(db) -> Counter:
    return Counter(
        db.query(
            "SELECT a.checklist_id, a.phase, an.item_id, an.rating FROM answers an"
            " JOIN audits a ON a.id = an.audit_id"
        )
    )


@pytest.fixture(scope="module")
def demo_dbs(tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo")
    out = {}
    for name, seed in (("a", 1), ("b", 1), ("c", 2)):
        db = Database.create(folder / f"{name}.db", PASSPHRASE)
        assert demo.generate(db, 200, seed) == 200
        out[name] = db
    yield out
    for db in out.values():
        db.close()


def test_post_training_beats_baseline(demo_dbs):
    db = demo_dbs["a"]
    base = findings(db, AuditFilter(phase="baseline")).overall
    post = findings(db, AuditFilter(phase="post_training")).overall
    assert base.rated > 500 and post.rated > 500
    assert post.share > base.share + 0.05, (base.share, post.share)
    change = [c for c in findings(db).theme_change if c.change is not None]
    assert change and sum(c.change[0] > 0 for c in change) > len(change) / 2


def test_varied_and_some_drafts(demo_dbs):
    db = demo_dbs["a"]
    f = findings(db)
    assert f.audits == 200
    assert 0 < f.status_counts.get("draft", 0) < 100
    assert f.status_counts.get("finalised", 0) > 100
    assert set(f.phase_counts) == {"baseline", "post_training", "follow_up"}
    values = distinct_values(db)
    assert len(values["area"]) >= 4
    assert len(values["agency"]) >= 4
    assert len(values["checklist_id"]) >= 3
    assert f.cases < f.audits  # some files are read more than once


def test_clearly_fictional(demo_dbs):
    db = demo_dbs["a"]
    assert all("(demo)" in r[0] for r in db.query("SELECT DISTINCT area FROM cases"))
    assert all(r[0].startswith("DEMO-") for r in db.query("SELECT reference FROM cases"))
    assert all("Demo" in r[0] or r[0] == "Reviewer" for r in db.query("SELECT name FROM reviewers"))
    assert db.integrity_problems() == []


def test_same_seed_same_ratings(demo_dbs):
    a, b, c = (_ratings(demo_dbs[k]) for k in "abc")
    assert sum(a.values()) > 1000
    assert a == b
    assert a != c  # and the seed matters


def test_demo_data_keeps_the_derived_counts_right(demo_dbs):
    db = demo_dbs["a"]
    wrong = db.query(
        "SELECT a.id FROM audits a WHERE a.answered <> (SELECT count(*) FROM answers an"
        " WHERE an.audit_id = a.id AND an.rating IS NOT NULL AND an.applies = 1)"
    )
    assert wrong == []
    unanswered_finalised = db.query(
        "SELECT count(*) FROM audits WHERE status = 'finalised' AND answered = 0"
    )[0][0]
    assert unanswered_finalised == 0


def test_demo_answers_follow_the_conditions(demo_dbs):
    """Every answered item applies given the audit's other answers, and the perpetrator
    outcome says 'not identified' exactly when the file did not identify him."""
    from collections import defaultdict

    from audit_tool.checklists.loader import bundled

    definitions = {c.id: c.definition for c in bundled()}
    per_audit: dict[tuple[str, str], dict[str, str]] = defaultdict(dict)
    for audit_id, checklist_id, item_id, rating in demo_dbs["a"].query(
        "SELECT a.id, a.checklist_id, an.item_id, an.rating FROM answers an"
        " JOIN audits a ON a.id = an.audit_id WHERE an.rating IS NOT NULL"
    ):
        per_audit[(audit_id, checklist_id)][item_id] = rating
    checked = 0
    for (_, checklist_id), ratings in per_audit.items():
        d = definitions[checklist_id]
        for item_id in ratings:
            assert d.visible(d.item(item_id), ratings), (checklist_id, item_id, ratings)
            checked += 1
        for gate, outcome in (("en-01", "oc-03"), ("pp-16", "pp-18")):
            if gate in ratings and outcome in ratings:
                failed = ratings[gate] in ("no", "not_recorded")
                assert failed == (ratings[outcome] == "not_identified"), ratings
    assert checked > 1000


def test_demo_death_reviews_count_women_and_men(demo_dbs):
    sex = Counter(
        r[0]
        for r in demo_dbs["a"].query(
            "SELECT an.rating FROM answers an JOIN audits a ON a.id = an.audit_id"
            " WHERE a.checklist_id = 'gendered-drug-alcohol-death-review' AND an.item_id = 'pe-08'"
        )
    )
    # both groups big enough to report, men the larger as in Scotland's drug deaths
    assert 5 <= sex["female"] < sex["male"], sex
    facts = demo_dbs["a"].query(
        "SELECT count(*) FROM answers WHERE item_id IN ('pe-08', 'oc-01', 'de-01') AND note <> ''"
    )
    assert facts == [(0,)]  # no practice note on a fact
