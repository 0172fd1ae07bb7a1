"""Issue 20, item 2: each checklist says what its phases mean ([phases] in its file), and
reports word them so: a death review compares earlier and later reviews and never reads as
a training evaluation. The setting survives a stored copy in the database and a bundle; a
copy stored before it existed keeps the training wording. Reports read back from real PDFs.

All data here is synthetic and clearly fictional.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from audit_tool import audits
from audit_tool.checklists.loader import bundled, parse
from audit_tool.checklists.phases import DEFAULT, MIXED, common_words, phase_words
from audit_tool.checklists.sheet_read import import_xlsx
from audit_tool.checklists.sheet_write import to_spreadsheet
from audit_tool.errors import ChecklistError
from audit_tool.exchange import import_bundle, read_bundle
from audit_tool.exchange.bundle import export_bundle
from audit_tool.export import export_audit, export_report
from audit_tool.filters import AuditFilter
from audit_tool.store import Database
from tests.death_helpers import add_death

DEATH, ST, MULTI = ("gendered-drug-alcohol-death-review", "safe-together-case-file-audit",
                    "multi-agency-case-file-review")
AREA = "Glen Fictional (demo)"
PASS = "fictional heather lantern phrase"


def _bundled(cid: str):
    return next(c for c in bundled() if c.id == cid)


def _without_phases(source: str) -> str:
    """The checklist text as stored before the setting existed: no [phases] table."""
    head, _, rest = source.partition("[phases]")
    return head + rest[rest.index("\n[", 1) + 1:]


def test_the_bundled_checklists_say_what_their_phases_mean():
    words = {c.id: phase_words(c.definition) for c in bundled()}
    assert words[DEATH].names == {"baseline": "Earlier reviews", "post_training": "Later reviews",
                                  "follow_up": "Most recent reviews"}
    assert (words[DEATH].change, words[DEATH].training) == (
        "Change between earlier and later reviews", False)
    assert words[MULTI].training is False and words[MULTI].name("post_training") == "Later reviews"
    assert words[ST] == DEFAULT and words[ST].change == "Change after training"
    assert words[DEATH].pair == "earlier reviews and later reviews"
    assert DEFAULT.pair == "baseline and post-training"


def test_a_copy_without_the_setting_keeps_the_training_wording():
    old = parse(_without_phases(_bundled(DEATH).source), "old copy", "database")
    assert old.definition.phases is None and phase_words(old.definition) == DEFAULT
    assert phase_words(None) == DEFAULT
    # two checklists whose phases differ: neither reading is implied
    assert common_words([old.definition, _bundled(DEATH).definition]) == MIXED
    assert common_words([_bundled(DEATH).definition] * 2) == phase_words(_bundled(DEATH).definition)


def test_training_words_are_refused_where_it_is_no_training_evaluation():
    source = _bundled(DEATH).source.replace('post_training = "Later reviews"',
                                            'post_training = "Post-training"')
    with pytest.raises(ChecklistError) as err:
        parse(source, "local.toml")
    msg = str(err.value)
    assert "\n" not in msg and msg.startswith("local.toml: line ")
    assert "phases: post_training: 'Post-training' speaks of training" in msg
    typo = _bundled(DEATH).source.replace("training_evaluation =", "training_evalution =")
    with pytest.raises(ChecklistError, match="did you mean 'training_evaluation'"):
        parse(typo, "local.toml")


def test_the_setting_survives_the_spreadsheet(tmp_path):
    original = _bundled(DEATH).definition
    to_spreadsheet(original, tmp_path / "d.xlsx")
    text, back = import_xlsx(tmp_path / "d.xlsx")
    assert back.definition.phases == original.phases
    assert "[phases]" in text and "training_evaluation = false" in text


def _deaths(db: Database, loaded, n: int = 12) -> list[str]:
    return [add_death(db, loaded, f"FICT-PW-{i:03d}", AREA,
                      "baseline" if i < n // 2 else "post_training",
                      {"pe-08": "female" if i % 2 else "male", "rv-01": "yes" if i % 3 else "no"})
            for i in range(n)]


def test_the_setting_survives_the_database_and_a_bundle(db, tmp_path, passphrase):
    _deaths(db, _bundled(DEATH))
    sha = db.query_one("SELECT sha256 FROM checklist_defs WHERE checklist_id = ?", (DEATH,))[0]
    db._checklists.clear()  # read the stored copy back from the file
    assert phase_words(db.checklist(sha).definition).name("baseline") == "Earlier reviews"
    export_bundle(db, tmp_path / "b.bundle", passphrase=PASS)
    other = Database.create(tmp_path / "other.db", passphrase)
    try:
        import_bundle(other, read_bundle(tmp_path / "b.bundle", PASS))
        other._checklists.clear()
        assert not phase_words(other.checklist(sha).definition).training
    finally:
        other.close()


def _pdf(path: Path) -> str:
    return " ".join(" ".join((p.extract_text() or "").split()) for p in PdfReader(path).pages)


def test_a_death_review_report_never_speaks_of_training(db, tmp_path):
    _deaths(db, _bundled(DEATH))
    text = _pdf(export_report(db, AuditFilter(checklist_id=DEATH), "pdf", tmp_path / "d.pdf"))
    assert "Earlier reviews" in text and "Later reviews" in text
    for word in ("training", "Training", "Baseline", "baseline"):
        assert word not in text, text[max(0, text.find(word) - 200):text.find(word) + 80]


def test_an_old_copy_reports_with_the_training_wording(db, tmp_path):
    old = parse(_without_phases(_bundled(DEATH).source), "old copy", "database")
    _deaths(db, old)
    text = _pdf(export_report(db, AuditFilter(checklist_id=DEATH), "pdf", tmp_path / "o.pdf"))
    assert re.search(r"Phases Baseline \d+, Post-training \d+", text) and "Earlier reviews" not in text


def test_one_audit_report_words_its_phase(db, tmp_path):
    (first, *_), st = _deaths(db, _bundled(DEATH), 2), _bundled(ST)
    text = _pdf(export_audit(db, first, "pdf", tmp_path / "one.pdf"))
    assert "Phase Earlier reviews" in text and "Baseline" not in text
    case = audits.add_case(db, "FICT-PW-ST", AREA)
    other = audits.new_audit(db, case.id, st, phase="post_training")
    assert "Phase Post-training" in _pdf(export_audit(db, other, "pdf", tmp_path / "st.pdf"))
