"""Language flags kept per note (issue 22): scanned once per text and term list, kept in the
encrypted file, scanned again when the note or the term list changes. Real SQLCipher files;
no timings here (benchmarks/bench_language.py measures them)."""

from __future__ import annotations

from audit_tool import audits
from audit_tool.findings.language import scanner, summarise
from audit_tool.findings.language_cache import SUMMARY, audit_flags
from audit_tool.paths import data_dir
from audit_tool.store import Database

AREA = "Glenmorven (fictional)"


def _kept(db) -> dict[tuple[str, str], tuple[str, int, str]]:
    return {(a, p): (v, w, f) for a, p, v, w, f in db.query(
        "SELECT audit_id, part, version, words, flags FROM language_flags")}


def test_every_trigger_that_keeps_the_flags_true_is_in_a_new_file(db):
    """A later schema step that rebuilds answers or audits must recreate them (TRIGGERS)."""
    from audit_tool.findings.language_cache import can_keep
    from audit_tool.store.step_language import TRIGGER_NAMES

    names = {r[0] for r in db.query("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
    assert set(TRIGGER_NAMES) <= names and can_keep(db)


def _two_audits(db, mini) -> list[str]:
    ids = []
    for i, note in enumerate(["A volatile relationship, then an argument.", "Nothing to flag."]):
        case = audits.add_case(db, f"FICT-CACHE-{i}", AREA)
        audit_id = audits.new_audit(db, case.id, mini, phase="baseline")
        audits.answer(db, audit_id, "p1", note=note)
        ids.append(audit_id)
    return ids


def test_a_report_scan_keeps_each_texts_flags_and_the_next_reads_them(db, mini):
    a, b = _two_audits(db, mini)
    first = summarise(db)
    kept = _kept(db)
    # one row per evidence note and one per audit's summary fields, all with this term list
    assert set(kept) == {(a, "p1"), (b, "p1"), (a, SUMMARY), (b, SUMMARY)}
    assert {v for v, _, _ in kept.values()} == {scanner().version}
    assert kept[a, "p1"][1] == 6 and kept[b, "p1"][1] == 3  # words
    assert first.by_phase[0].flags == 2 and first.term_audits == {"volatile relationship": 1,
                                                                   "argument": 1}
    # the next report reads the kept flags and scans nothing: a kept row changed behind the
    # scanner's back shows through (the note itself is unchanged)
    db.conn.execute("UPDATE language_flags SET flags = '0,1,argument', n = 1 "
                    "WHERE audit_id = ? AND part = 'p1'", (b,))
    db.conn.commit()
    again = summarise(db)
    assert again.by_phase[0].flags == 3 and again.term_audits["argument"] == 2


def test_a_changed_note_is_scanned_again(db, mini):
    a, b = _two_audits(db, mini)
    summarise(db)
    audits.answer(db, b, "p1", note="Mother was described as hysterical.")
    result = summarise(db)
    assert result.term_audits == {"volatile relationship": 1, "argument": 1, "hysterical": 1}
    assert _kept(db)[b, "p1"][2] == "24,34,hysterical"
    assert audit_flags(db, scanner(), b)["p1"].flags == (("hysterical", 24, 34),)  # "Mother was described as " is 24 characters


def test_a_changed_term_list_scans_every_note_again_and_drops_the_old_rows(db, mini):
    a, _ = _two_audits(db, mini)
    summarise(db)
    old = scanner().version
    local = data_dir() / "language_terms.toml"
    local.parent.mkdir(parents=True, exist_ok=True)
    local.write_text('version = "local"\n[[terms]]\nphrase = "argument"\nwhy = "w"\nreframe = "r"\n',
                     "utf-8")
    assert scanner().version != old
    result = summarise(db)
    assert result.term_audits == {"argument": 1}  # 'volatile relationship' is not in this list
    assert {v for v, _, _ in _kept(db).values()} == {scanner().version}


def test_the_kept_flags_are_inside_the_encrypted_file(db, db_path, mini, passphrase):
    _two_audits(db, mini)
    summarise(db)
    db.close()
    raw = db_path.read_bytes() + b"".join(
        p.read_bytes() for p in db_path.parent.glob(db_path.name + "-*"))
    assert b"volatile" not in raw and b"argument" not in raw
    with Database.open(db_path, passphrase) as again:  # and they survive a reopen
        assert len(_kept(again)) == 4


def test_a_read_only_file_is_scanned_without_keeping(db, db_path, mini, passphrase):
    _two_audits(db, mini)
    db.close()
    with Database.open(db_path, passphrase) as ro:
        ro.read_only = "opened for reading in this test"
        assert summarise(ro).by_phase[0].flags == 2
        assert _kept(ro) == {}


def test_without_its_triggers_the_file_is_scanned_and_nothing_kept_is_trusted(db, db_path, mini,
                                                                              passphrase):
    a, b = _two_audits(db, mini)
    summarise(db)
    db.close()
    with Database.open(db_path, passphrase) as again:  # as if a later step rebuilt answers
        again.conn.execute("DROP TRIGGER language_flags_answer_update")
        again.conn.execute("UPDATE answers SET note = 'Plainly worded.' WHERE audit_id = ?", (a,))
        again.conn.commit()
        assert summarise(again).term_audits == {}  # the stale row for a's note is not used
        assert "volatile relationship" in _kept(again)[a, "p1"][2]  # left there, not read
