"""Cell-key perturbation (issue 18): the p-table as validated data, pinned by hand; the same
audits give the same figures every time; differencing two allowed releases recovers the
wrong value in most seeded trials; record keys set by the database on every insert.

All data is synthetic and clearly fictional.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from audit_tool import audits, demo
from audit_tool.disclosure import cellkey
from audit_tool.disclosure.cellkey import (
    AUDITS_MET,
    ITEMS_MET,
    ITEMS_RATED,
    audit_count,
    audit_share,
    cell_key,
    default_table,
    interval,
    item_share,
    load_keys,
    parse_table,
)
from audit_tool.disclosure.suppress import suppression_reason
from audit_tool.errors import InvalidInput
from audit_tool.store import Database, connection, schema

PASSPHRASE = "fictional tartan kettle harbour"
TABLE_FILE = Path(__file__).resolve().parents[1] / "resources" / "perturbation.toml"


# -- the table ----------------------------------------------------------------------------------


def test_worked_example_by_hand():
    """Nine audits with record keys 10, 20, ..., 90: cell key (10+...+90) mod 250 = 450 mod
    250 = 200. Count 9 uses the top row (counts 8 and up): slots 12, 25, 50, 76, 50, 25, 12
    for -3..+3, so keys 0-11 give -3, 12-36 -2, 37-86 -1, 87-162 0, 163-212 +1, 213-237 +2,
    238-249 +3. Key 200 falls in 163-212: +1, published 10."""
    keys = {f"a{i}": 10 * i for i in range(1, 10)}
    assert cell_key(keys, keys) == 200
    assert audit_count(keys, keys).value == 10
    # six audits keyed 1..6: key 21; row 6 gives -1 to keys 0-84: published 5
    six = {f"b{i}": i for i in range(1, 7)}
    assert audit_count(six, six).value == 5
    # three audits keyed 100, 100, 100: key 50; row 3 gives -3 to keys 0-99: published 0
    assert audit_count({"x": 100, "y": 100, "z": 100}, "xyz").value == 0
    # three keyed 100, 100, 150: key 100; row 3 gives +2 to keys 100-249: published 5
    assert audit_count({"x": 100, "y": 100, "z": 150}, "xyz").value == 5
    # another kind of count on the same audits shifts the key: items rated add 83
    assert cell_key(keys, keys, ITEMS_RATED) == (450 + 83) % 250 == 33


def test_every_row_is_unbiased_never_shows_1_to_4_and_moves_at_most_3():
    t = default_table()
    r = t.parameters.key_range
    for count in range(0, 60):
        shown = [count + t.noise(count, k) for k in range(r)]
        assert sum(shown) == count * r  # exactly right on average over the keys
        assert not any(1 <= s <= 4 for s in shown)
        if count == 0:
            assert set(shown) == {0}
        elif count >= 5:
            assert max(abs(s - count) for s in shown) <= 3
        else:
            assert set(shown) == {0, 5}


def _table_with(old: str, new: str) -> str:
    text = TABLE_FILE.read_text("utf-8")
    assert old in text
    return text.replace(old, new, 1)


@pytest.mark.parametrize(
    ("old", "new", "said"),
    [
        ("slots = [12, 25, 50, 76, 50, 25, 12]", "slots = [12, 25, 50, 76, 50, 20, 17]", "unbiased"),
        ("perturbation = [-4, 1]", "perturbation = [-1, 1]", "would show 3"),
        ("slots = [250]", "slots = [249]", "sum to 250"),
        ("max_perturbation = 3", "max_perturbation = 2", "max_perturbation"),
        ("key_range = 250", "key_range = 250\nsurprise = 1", "parameters.surprise"),
    ],
)
def test_a_wrong_table_is_refused_with_one_line(old, new, said):
    with pytest.raises(InvalidInput) as e:
        parse_table(_table_with(old, new))
    assert said in str(e.value) and "\n" not in str(e.value)


def test_method_note_says_by_how_much():
    note = cellkey.method_note()
    assert "slightly changed" in note and "at most 3" in note and "0 or 5" in note


# -- small numerators and all-or-none -----------------------------------------------------------


def test_suppression_rules():
    assert suppression_reason(3, 20, 23) == "rests on fewer than 5 audits"
    assert suppression_reason(20, 2, 22) == "all but fewer than 5 audits"
    assert suppression_reason(0, 6, 6) == "all or none of fewer than 10 audits"
    assert suppression_reason(6, 0, 6) == "all or none of fewer than 10 audits"
    assert suppression_reason(5, 0, 5) == "all or none of fewer than 10 audits"
    assert suppression_reason(0, 12, 12) is None  # none of 12 may be said
    assert suppression_reason(5, 5, 10) is None
    assert suppression_reason(2, 1, 3) == "fewer than 5 audits"
    keys = {f"a{i}": i for i in range(8)}
    shown = audit_share(keys, ["a0", "a1"], keys)
    assert shown.percent is None and shown.text == "–" and shown.reason


# -- shares and intervals -----------------------------------------------------------------------


def test_share_and_interval_come_from_perturbed_counts():
    rng = random.Random(5)
    keys = {f"a{i}": rng.randrange(250) for i in range(40)}
    base, met = list(keys), list(keys)[:22]
    s = audit_share(keys, met, base)
    n = 22 + default_table().noise(22, cell_key(keys, met, AUDITS_MET))
    b = 40 + default_table().noise(40, cell_key(keys, base))
    assert (s.numerator, s.base) == (n, b) and s.percent == round(100 * n / b)
    low, high = interval(s)
    assert low <= s.percent <= high and isinstance(low, int)
    # items: 22 audits with an item meeting, 40 rated, at most 6 items per audit
    i = item_share(keys, 100, met, 180, base, per_audit=6, short_ids=list(keys)[10:])
    d_rated = default_table().noise(40, cell_key(keys, base, ITEMS_RATED))
    d_met = default_table().noise(22, cell_key(keys, met, ITEMS_MET))
    assert (i.numerator, i.base) == (100 + 6 * d_met, 180 + 6 * d_rated)
    lo, hi = interval(i)
    assert hi - lo > 20  # read as about 40 audits, not 180 independent items


# -- the same audits, the same figures ----------------------------------------------------------


@pytest.fixture
def demo_db(tmp_path: Path):
    db = Database.create(tmp_path / "demo.db", PASSPHRASE)
    demo.generate(db, 120, seed=4)
    yield db
    db.close()


def test_same_selection_same_figures_every_time(demo_db, tmp_path):
    finalised = [r[0] for r in demo_db.query(
        "SELECT id FROM audits WHERE status = 'finalised' ORDER BY id")]
    baseline = [r[0] for r in demo_db.query(
        "SELECT id FROM audits WHERE status = 'finalised' AND phase = 'baseline'")]
    keys = load_keys(demo_db)
    first = (audit_count(keys, finalised), audit_share(keys, baseline, finalised))
    demo_db.close()
    with Database.open(tmp_path / "demo.db", PASSPHRASE) as again:
        keys2 = load_keys(again)
        shuffled = list(reversed(finalised))
        assert (audit_count(keys2, shuffled), audit_share(keys2, baseline, shuffled)) == first
    assert keys2 == keys and len(keys) == 120


def test_differencing_two_allowed_releases_recovers_the_wrong_value():
    """Release 1: 40 audits; release 2: the same plus 5 more (allowed: they differ by 5).
    The attacker knows four of the five new audits (worst case) and subtracts to learn the
    fifth's 0/1 'meets'. Without perturbation that is right every time; with it, wrong in
    most of 2,000 seeded trials of fresh random keys."""
    t = default_table()
    wrong = exact_wrong = 0
    trials = 2000
    for seed in range(trials):
        rng = random.Random(seed)
        ids = [f"a{i}" for i in range(45)]
        keys = {a: rng.randrange(250) for a in ids}
        meets = {a: rng.random() < 0.6 for a in ids}
        met1 = [a for a in ids[:40] if meets[a]]
        met2 = [a for a in ids if meets[a]]
        shown1 = len(met1) + t.noise(len(met1), cell_key(keys, met1, AUDITS_MET))
        shown2 = len(met2) + t.noise(len(met2), cell_key(keys, met2, AUDITS_MET))
        known = sum(meets[a] for a in ids[40:44])
        wrong += (shown2 - shown1 - known) != meets["a44"]
        exact_wrong += (len(met2) - len(met1) - known) != meets["a44"]
    assert exact_wrong == 0  # the attack works on exact counts
    assert wrong / trials > 0.7  # about 80%: the noise of two unrelated cell keys


# -- record keys in the database ----------------------------------------------------------------


def test_every_new_audit_gets_a_key_and_keeps_it(db, mini):
    case = audits.add_case(db, "FICTIONAL-KEY-0001", "Glenmorven (fictional)")
    a = audits.new_audit(db, case.id, mini)
    key = load_keys(db)[a]
    assert 0 <= key < 250
    with db.atomic() as c:
        cellkey.set_record_key(c, a, 17)  # a received audit keeps the sender's key
    assert load_keys(db)[a] == 17
    with pytest.raises(InvalidInput), db.atomic() as c:
        cellkey.set_record_key(c, a, 250)


def test_keys_are_spread_over_the_range(demo_db):
    keys = list(load_keys(demo_db).values())
    assert len(set(keys)) > 60 and min(keys) >= 0 and max(keys) <= 249


def test_an_older_database_gets_random_keys_on_upgrade(tmp_path, monkeypatch, mini):
    shipped = list(schema.MIGRATIONS)
    older = shipped[: shipped.index(schema.DISCLOSURE_STEP)]
    for module in (schema, connection):
        monkeypatch.setattr(module, "MIGRATIONS", older)
        monkeypatch.setattr(module, "SCHEMA_VERSION", len(older))
    path = tmp_path / "old.db"
    with Database.create(path, PASSPHRASE) as db:
        case = audits.add_case(db, "FICTIONAL-OLD-0001", "Glenmorven (fictional)")
        made = [audits.new_audit(db, case.id, mini) for _ in range(3)]
        with db.conn as conn:  # as the tool of that schema wrote them (today's writer keeps
            # columns a later step adds)
            conn.executemany(
                "INSERT INTO answers (audit_id, item_id, rating, updated_at) VALUES (?, ?, ?, ?)",
                [(made[0], item, rating, "2026-01-05T10:00:00+00:00")
                 for item, rating in (("p1", "4"), ("p2", "na"), ("q1", "5"))])
        audits.finalise(db, made[0])
    monkeypatch.undo()
    with Database.open(path, PASSPHRASE) as db:
        keys = load_keys(db)
        assert set(keys) == set(made) and all(0 <= k < 250 for k in keys.values())
        assert db.query_one("SELECT count(*) FROM releases")[0] == 0


def test_key_sums_from_sql_give_the_same_figures(demo_db):
    """The fast path for report queries: counts and key sums in one SQL pass."""
    keys = load_keys(demo_db)
    rows = demo_db.query(
        f"""SELECT a.phase, count(*), {cellkey.KEY_SUM},
                   sum(a.checklist_id LIKE 'safe%'),
                   sum(CASE WHEN a.checklist_id LIKE 'safe%' THEN k.record_key END)
            FROM audits a {cellkey.KEY_JOIN} WHERE a.status = 'finalised' GROUP BY a.phase"""
    )
    assert rows
    for phase, n, key_sum, met, met_sum in rows:
        ids = [r[0] for r in demo_db.query(
            "SELECT id FROM audits WHERE status = 'finalised' AND phase = ?", (phase,))]
        met_ids = [r[0] for r in demo_db.query(
            "SELECT id FROM audits WHERE status = 'finalised' AND phase = ?"
            " AND checklist_id LIKE 'safe%'", (phase,))]
        assert cellkey.count_from_sum(n, key_sum) == audit_count(keys, ids).value
        assert cellkey.share_from_sums(met, met_sum, n, key_sum) == audit_share(keys, met_ids, ids)
