"""Language scan: variants, context rules (negated, challenged, quoted), the death-review
terms, the term file format, and precision/recall on the labelled sentences."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from collections import Counter
from pathlib import Path

import pytest

from audit_tool import audits
from audit_tool.errors import ChecklistError
from audit_tool.findings.language import Scanner, Term, load_scanner, scanner, summarise
from audit_tool.paths import data_dir

ROOT = Path(__file__).resolve().parent.parent
LABELLED = ROOT / "tests" / "data" / "language_labelled.toml"


def flagged(text: str, sc: Scanner | None = None) -> list[tuple[str, str]]:
    """(words in the note, term phrase) for each flag."""
    return [(text[f.start : f.end], f.term.phrase) for f in (sc or scanner()).scan(text)]


# --- the labelled set ---------------------------------------------------------------------


def _cases() -> list[tuple[str, list[str]]]:
    data = tomllib.loads(LABELLED.read_text("utf-8"))
    return [(c["text"], [p.lower() for p in c["expect"]]) for c in data["cases"]]


def test_labelled_set_is_large_and_names_real_terms():
    cases = _cases()
    assert len(cases) >= 60
    assert sum(1 for _, e in cases if not e) >= 20  # plenty of sentences that must stay quiet
    known = set(scanner().terms)
    assert {p for _, e in cases for p in e} <= known  # a typo in a label would count as a miss


def test_labelled_set_precision_and_recall_above_0_95():
    tp = fp = fn = 0
    sc = scanner()
    for text, expect in _cases():
        want, got = Counter(expect), Counter(f.term.phrase.lower() for f in sc.scan(text))
        for phrase in want.keys() | got.keys():
            tp += min(want[phrase], got[phrase])
            fp += max(0, got[phrase] - want[phrase])
            fn += max(0, want[phrase] - got[phrase])
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    assert precision > 0.95, (tp, fp, fn)
    assert recall > 0.95, (tp, fp, fn)


def test_benchmark_command_prints_precision_recall_and_throughput():
    out = subprocess.run(
        [sys.executable, "-m", "benchmarks.bench_language", "--notes", "300"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    assert "precision" in out and "recall" in out and "F1" in out
    assert "notes/s" in out and "baseline" in out and "x the baseline" in out


def test_benchmark_scores_a_tiny_set_as_counted_by_hand(tmp_path):
    from benchmarks.bench_language import evaluate, labelled

    path = tmp_path / "set.toml"
    path.write_text(
        '[[cases]]\ntext = "A volatile relationship and an argument."\n'
        'expect = ["volatile relationship"]\n'  # the argument flag is a false positive
        '[[cases]]\ntext = "Nothing here."\nexpect = ["mutual violence"]\n',  # a miss
        "utf-8",
    )
    score, _ = evaluate(scanner(), labelled(path))
    assert (score.tp, score.fp, score.fn) == (1, 1, 1)
    assert score.precision == 0.5 and score.recall == 0.5


# --- variants -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "words", "term"),
    [
        ("Two arguments were logged.", "arguments", "argument"),  # plural -s
        ("Neighbours heard altercations.", "altercations", "altercation"),
        ("Police logged domestic disputes.", "domestic disputes", "domestic dispute"),
        ("It was mutual-violence, said the log.", "mutual-violence", "mutual violence"),  # hyphen
        ("She was non compliant with her script.", "non compliant", "non-compliant"),  # space
        ("Described as hard-to-reach.", "hard-to-reach", "hard to reach"),
        ("He said she didn’t engage.", "didn’t engage", "did not engage"),  # curly apostrophe
        ("He said she didn't engage.", "didn't engage", "did not engage"),
        (
            "The relationship is volatile, the report says.",
            "relationship is volatile",
            "volatile relationship",
        ),
        ("She chose to remain at home.", "chose to remain", "chose to stay"),
        ("The plan speaks of failing to protect.", "failing to protect", "failed to protect"),
        (
            "Exposure to domestic violence noted.",
            "Exposure to domestic violence",
            "exposed to domestic violence",
        ),
        (
            "A VOLATILE\n  Relationship.",
            "VOLATILE\n  Relationship",
            "volatile relationship",
        ),  # case, line break
    ],
)
def test_each_variant_kind_is_flagged_as_its_term(text, words, term):
    assert flagged(text) == [(words, term)]


def test_plurals_in_es_and_ies_are_generated_and_can_be_turned_off():
    sc = Scanner(
        [
            Term("bus clash", "", ""),
            Term("family difficulty", "", ""),
            Term("new", "", "", inflect=False),
        ]
    )
    assert flagged("Two bus clashes and family difficulties.", sc) == [
        ("bus clashes", "bus clash"),
        ("family difficulties", "family difficulty"),
    ]
    assert flagged("The news was new.", sc) == [("new", "new")]  # "news" is another word


def test_near_misses_are_not_flagged():
    for text in (
        "Volatile compounds were cleared from the flat.",
        "Mother took protective steps every day.",
        "She engaged well with the service.",
        "A counterargument was put by the father's solicitor.",
        "He was exposed as having lied about contact.",
    ):
        assert flagged(text) == [], text


def test_an_overlap_counts_once_and_the_longer_later_phrase_wins():
    assert flagged("Notes say she failed to protect the baby.") == [
        ("failed to protect", "failed to protect")
    ]
    assert flagged("Notes say she failed to engage.") == [("failed to engage", "failed to engage")]
    assert flagged("Notes say she failed to tell the worker.") == [
        ("she failed to", "she failed to")
    ]


def test_offsets_hold_when_lower_casing_changes_the_length():
    text = "İ. A volatile relationship."  # "İ".lower() is two characters
    assert flagged(text) == [("volatile relationship", "volatile relationship")]


# --- context: negated, challenged, quoted ---------------------------------------------------


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("This was not a volatile relationship: he controlled her.", "negated"),
        ("There was no mutual violence.", "negated"),
        ("It wasn't simply an argument; he blocked the door.", "negated"),
        ("Rather than failure to protect, the plan records her efforts.", "challenged"),
        (
            "Instead of describing it as a volatile relationship, the worker named him.",
            "challenged",
        ),
        ("The earlier report was wrongly described as mutual violence.", "challenged"),
        ("Reviewers should avoid using chaotic lifestyle.", "challenged"),
        ('The log reads "domestic dispute, no action".', "quoted"),
        ("The file calls it a “toxic relationship” twice.", "quoted"),
        ("The file uses the words 'failure to protect' often.", "quoted"),
        ("He said: “It was an argument.\nThen”", "quoted"),
    ],
)
def test_negated_challenged_and_quoted_uses_are_skipped(text, reason):
    sc = scanner()
    assert sc.scan(text) == []
    start = sc.pattern.search(text).start()
    assert sc.why_skipped(text, start) == reason


@pytest.mark.parametrize(
    ("text", "term"),
    [
        (
            "Mother could not leave the volatile relationship as he threatened her.",
            "volatile relationship",
        ),
        (
            "It was not mutual violence. The later note calls it a volatile relationship.",
            "volatile relationship",
        ),
        (
            "Rather than working with the father, the plan says she failed to protect the baby.",
            "failed to protect",
        ),
        ("The parents' volatile relationship is cited.", "volatile relationship"),  # not a quote
        ("The mother’s volatile relationship is cited.", "volatile relationship"),
        ('He said "no". It was a volatile relationship.\nNext "line".', "volatile relationship"),
    ],
)
def test_a_cue_elsewhere_does_not_hide_the_phrase(text, term):
    assert [t for _, t in flagged(text)] == [term]


# --- death-review wording ------------------------------------------------------------------


def test_death_review_terms_are_flagged_with_why_and_reframe():
    sc = scanner()
    for phrase in (
        "chaotic lifestyle",
        "failed to engage",
        "did not engage",
        "non-compliant",
        "refused services",
    ):
        found = sc.scan(f"The review found she {phrase} in the last year.")
        assert [f.term.phrase for f in found] == [phrase]
        assert found[0].term.why and found[0].term.reframe


# --- the term file ------------------------------------------------------------------------

OLD_FORMAT = """version = "1.0"

[[terms]]
phrase = "volatile relationship"
why = "Describes the relationship, not a person."
reframe = "[The perpetrator's role] has a pattern of [behaviours]."
"""


def test_an_old_format_term_file_still_loads_with_the_default_cues():
    sc = load_scanner(OLD_FORMAT, "old.toml")
    assert flagged("A volatile relationship and volatile relationships.", sc) == [
        ("volatile relationship", "volatile relationship"),
        ("volatile relationships", "volatile relationship"),
    ]
    assert sc.scan("It was not a volatile relationship.") == []


def test_a_local_term_file_replaces_the_bundled_one(tmp_path):
    local = data_dir() / "language_terms.toml"
    local.parent.mkdir(parents=True, exist_ok=True)
    local.write_text(
        OLD_FORMAT + 'variants = ["stormy relationship"]\n[context]\nnegations = []\n', "utf-8"
    )
    sc = scanner()
    assert list(sc.terms) == ["volatile relationship"]
    assert [t for _, t in flagged("Not a stormy relationship.", sc)] == ["volatile relationship"]


@pytest.mark.parametrize(
    "variants", ['"relationship is volatile"', '[""]', "[1, 2]", '["ok", "  "]']
)
def test_a_bad_variants_entry_names_the_term(variants):
    local = data_dir() / "language_terms.toml"
    local.parent.mkdir(parents=True, exist_ok=True)
    local.write_text(OLD_FORMAT + f"variants = {variants}\n", "utf-8")
    with pytest.raises(ChecklistError) as err:
        scanner()
    message = str(err.value)
    assert "term 'volatile relationship'" in message and "variants" in message
    assert str(local) in message and "\n" not in message


def test_a_bad_context_entry_is_a_clear_error():
    with pytest.raises(ChecklistError, match=r"x\.toml: \[context\] negations must be a list"):
        load_scanner(OLD_FORMAT + '[context]\nnegations = "not"\n', "x.toml")


@pytest.mark.parametrize(
    "text, terms",
    [
        ("The father did not engage with the programme.", []),  # the perpetrator's
        ("He was non-compliant with bail.", []),
        ("Non-compliant with bail twice.", []),  # what follows says whose
        ("He disengaged from the programme in May.", []),
        ("There is a strong argument for a joint visit.", []),  # a point made
        ("The argument that she could leave was not tested.", []),
        ("The worker failed to protect the baby by closing the case.", []),  # a worker's
        ("She refused support from the women's service and then refused help.",
         ["refused services", "refused services"]),  # 'service' after 'from' is no subject
        ("Mother did not engage with the service.", ["did not engage"]),
        ("The worker said she did not engage.", ["did not engage"]),  # the nearest subject
        ("Domestic abuse between the parents.", ["domestic abuse between the parents"]),
        ("The parents' domestic abuse.", ["domestic abuse between the parents"]),
        ("She lacks protective capacity.", ["lacks protective capacity"]),
        ("She prioritised the relationship.", ["prioritised the relationship"]),
        ("Mother is not protective.", ["not protective"]),
        ("Mother was unable to protect him.", ["unable to protect"]),
        ("A high-conflict home.", ["high conflict"]),
        ("Called an addict and a prostitute.", ["addict", "prostitute"]),
        ("Her addiction worker called.", []),
    ],
)
def test_the_sense_of_a_phrase_decides_whether_it_is_flagged(text, terms):
    assert [f.term.phrase for f in scanner().scan(text)] == terms


def test_a_local_file_sets_its_own_subjects_and_senses():
    sc = load_scanner(
        'version = "9"\n[[terms]]\nphrase = "did not engage"\nnot_by = ["carer"]\n'
        'not_after = ["with the review"]\nnot_before = ["who"]\n'
        '[context.subjects]\ncarer = ["grandmother"]\nsurvivor = ["she"]\n', "x.toml")
    assert sc.scan("The grandmother did not engage.") == []
    assert sc.scan("She did not engage with the review.") == []
    assert sc.scan("A parent who did not engage.") == []
    assert len(sc.scan("She did not engage.")) == 1
    assert len(sc.scan("The father did not engage.")) == 1  # 'father' is no group here


@pytest.mark.parametrize(
    "extra, message",
    [
        ('not_by = "worker"\n', r"term 'volatile relationship': not_by must be a list"),
        ('not_by = ["carers"]\n', r"not_by names 'carers', which is not a group"),
        ('[context.subjects]\nworker = "gp"\n', r"\[context.subjects\] must name groups"),
    ],
)
def test_a_bad_sense_entry_is_one_clear_line(extra, message):
    with pytest.raises(ChecklistError, match=message) as err:
        load_scanner(OLD_FORMAT + extra, "x.toml")
    assert "\n" not in str(err.value)


# --- summarise goes through the same rules --------------------------------------------------


def test_summarise_counts_only_the_uses_that_are_not_negated_or_quoted(db, mini):
    notes = [
        "Chronology shows a volatile relationship and arguments.",  # 2 flags
        "This was not a volatile relationship.",  # 0: negated
        'Police log says "domestic dispute".',  # 0: quoted
        "The relationship was volatile.",  # 1: reordered form
    ]
    for i, note in enumerate(notes):
        case = audits.add_case(db, f"LANG-{i}", "Glenmorven (fictional)")
        audit_id = audits.new_audit(db, case.id, mini, phase="baseline")
        audits.answer(db, audit_id, "p1", note=note)
    result = summarise(db)
    (phase,) = result.by_phase
    assert (phase.audits, phase.flags, phase.flagged_audits) == (4, 3, 2)
    assert result.term_audits == {"volatile relationship": 2, "argument": 1}


def test_one_audit_report_lists_only_the_uses_that_count(db, mini):
    from audit_tool.reports.build import audit_report
    from audit_tool.reports.model import Heading, Paragraph, Table

    case = audits.add_case(db, "LANG-R", "Glenmorven (fictional)")
    audit_id = audits.new_audit(db, case.id, mini, phase="baseline")
    audits.answer(
        db,
        audit_id,
        "p1",
        note='Police log: "domestic dispute". Two arguments, then another argument.',
    )
    blocks = audit_report(db, audit_id).blocks
    at = next(
        i
        for i, b in enumerate(blocks)
        if isinstance(b, Heading) and b.text == "Language to look at again"
    )
    table = next(b for b in blocks[at:] if isinstance(b, Table))
    assert [row[:2] for row in table.rows] == [["argument", "2"]]  # the quoted dispute is not there
    said = next(b for b in blocks[at:] if isinstance(b, Paragraph)).text
    assert "quotation marks" in said and "not counted" in said


def test_the_editor_hint_names_each_term_once_as_written_with_why_the_first_matters():
    from audit_tool.findings.language import hint

    sc = load_scanner(OLD_FORMAT, "x.toml")
    assert hint("Nothing here.", sc) == ""
    assert hint("A Volatile Relationship; volatile relationships again.", sc) == (
        "Wording to look at again: 'Volatile Relationship'. Describes the relationship, not a "
        "person. A prompt, not a finding: say who did what.")
