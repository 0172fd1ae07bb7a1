"""Multiple choice and anchored scales (issue 19, items 1 and 2): the syntax, the write
path and the round trips, against real encrypted databases and real files read back."""

from __future__ import annotations

from pathlib import Path

import pytest

from audit_tool import audits
from audit_tool.checklists.loader import load_file, parse
from audit_tool.domain import Phase
from audit_tool.errors import ChecklistError, InvalidInput

DATA = Path(__file__).resolve().parent / "data"
AREA = "Glenmorven (fictional)"


@pytest.fixture
def ma():
    return load_file(DATA / "multi_anchor.toml")


@pytest.fixture
def audit_id(db, ma):
    case = audits.add_case(db, "FICTIONAL-CASE-0019", AREA, "Drug death review (fictional)")
    return audits.new_audit(db, case.id, ma, phase=Phase.BASELINE)


def test_syntax_multiple_choice_and_anchors(ma):
    d = ma.definition
    subs = d.scales["substances"]
    assert subs.is_multiple and subs.is_fact
    assert [lv.value for lv in subs.levels][-1] == "none" and subs.levels[-1].exclusive
    assert d.scales["language4"].levels[0].anchor.startswith("The record names who harmed")
    assert subs.meets("opioids") is None  # counted, never scored


@pytest.mark.parametrize(
    "scale, message",
    [
        ('kind = "multiple"\nmeets_standard = ["a"]', "never scored"),
        ('kind = "fact"', ""),
        ('kind = "rating"\nmeets_standard = ["a"]', "only an option of a multiple-choice"),
    ],
)
def test_exclusive_only_on_multiple_choice_and_mc_never_scored(scale, message):
    src = f"""
id = "x"
version = "1.0"
title = "X (fictional)"
purpose = "Test."
[scales.s]
title = "S"
{scale}
levels = [{{ value = "a", label = "A" }}, {{ value = "b", label = "B", exclusive = true }}]
[[themes]]
id = "t"
title = "T"
[[themes.items]]
id = "i"
question = "Q?"
guidance = "G."
scale = "s"
"""
    if scale.startswith('kind = "fact"'):
        with pytest.raises(ChecklistError, match="only an option of a multiple-choice"):
            parse(src)
        return
    with pytest.raises(ChecklistError, match=message):
        parse(src)


def test_answer_stores_the_ticked_set_canonically(db, audit_id):
    # any order, values or labels, text or a list: one canonical form in the scale's order
    change = audits.answer(db, audit_id, "subs", "Alcohol, opioids")
    assert change.answer.rating == "opioids,alcohol"
    assert audits.answer(db, audit_id, "subs", ["alcohol", "opioids"]).changed is False
    audit = audits.get_audit(db, audit_id)
    assert audit.ratings["subs"] == "opioids,alcohol"
    # the follow-up shows because opioids is among the ticked options
    assert audit.answers.get("opi") is None
    audits.answer(db, audit_id, "opi", "3")
    assert audits.get_audit(db, audit_id).answers["opi"].applies
    audits.answer(db, audit_id, "subs", ["alcohol"])
    assert not audits.get_audit(db, audit_id).answers["opi"].applies
    # nothing ticked is unanswered
    assert audits.answer(db, audit_id, "subs", []).answer.rating is None


@pytest.mark.parametrize(
    "bad, message",
    [
        ("opioids,heroin", "'heroin' is not an option of the Substances found"),
        (["none", "alcohol"], "'None of these' cannot be ticked together"),
    ],
)
def test_a_bogus_or_contradictory_set_is_refused_and_nothing_written(db, audit_id, bad, message):
    audits.answer(db, audit_id, "subs", "alcohol")
    with pytest.raises(InvalidInput, match=message):
        audits.answer(db, audit_id, "subs", bad)
    assert audits.get_audit(db, audit_id).ratings["subs"] == "alcohol"
