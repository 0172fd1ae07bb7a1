"""What the bundled checklists say: rules that measure practice, not paperwork (issue 9).

Each test pins one content rule on the bundled files: skip logic never rewards a file for
leaving someone out or for not knowing, facts are recorded as facts, every rating scale
reads best first, and the wording asks how, names who did what and uses relative periods.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from audit_tool.checklists.loader import load_file
from audit_tool.checklists.model import FAILS, SHOWN, Checklist

ROOT = Path(__file__).resolve().parent.parent / "checklists"
ST = "safe_together_case_file_audit.toml"
DEATH = "gendered_drug_alcohol_death_review.toml"
THEMATIC = "thematic_perpetrators_as_parents.toml"
FILES = (ST, DEATH, THEMATIC)


def _load(name: str) -> Checklist:
    return load_file(ROOT / name, origin="bundled").definition


def _value(d: Checklist, item_id: str, label: str) -> str:
    """The value of the level an auditor sees as `label` on an item's scale."""
    scale = d.scale_of(d.item(item_id))
    found = [lv.value for lv in scale.levels if lv.label == label]
    assert found, f"{item_id}: no level labelled {label!r}"
    return found[0]


# -- versions and the file format ------------------------------------------------------------


def test_versions_are_bumped():
    assert {name: _load(name).version for name in FILES} == {
        ST: "2.0",
        DEATH: "2.0",
        THEMATIC: "1.1",
    }


def test_no_level_sets_a_shortcut_key():
    """Shortcuts come from best-first order now (1 best, 0 not applicable)."""
    keyed = [
        f"{name}: {scale_id}.{level['value']}"
        for name in FILES
        for scale_id, scale in tomllib.loads((ROOT / name).read_text("utf-8"))["scales"].items()
        for level in scale["levels"]
        if "key" in level
    ]
    assert keyed == []


# -- scales read best first ---------------------------------------------------------------------


def test_every_rating_scale_lists_meeting_levels_first_and_not_applicable_last():
    wrong = []
    for name in FILES:
        for scale_id, scale in _load(name).scales.items():
            if scale.is_fact:
                continue
            values = [lv.value for lv in scale.levels]
            first = values[: len(scale.meets_standard)]
            last = values[len(values) - len(scale.not_rated) :]
            if set(first) != set(scale.meets_standard) or set(last) != set(scale.not_rated):
                wrong.append(f"{name}: {scale_id} {values}")
    assert wrong == []


def test_reverse_scored_scale_says_no_meets_the_standard():
    concern = _load(ST).scales["concern"]
    assert [lv.label for lv in concern.levels] == [
        "No",
        "Partly",
        "Yes",
        "Not recorded",
        "Not applicable",
    ]
    assert concern.meets_standard == ("no",)
    assert "No" in concern.title and "meets the standard" in concern.title
    descriptions = {lv.value: lv.description for lv in concern.levels}
    assert descriptions["no"].endswith("meets the standard")
    for value in ("partly", "yes", "not_recorded"):
        assert descriptions[value].endswith("does not meet the standard"), value


def test_quality_scale_has_a_not_applicable_level_left_out_of_the_share():
    for name in FILES:
        quality = _load(name).scales["quality"]
        na = [lv for lv in quality.levels if lv.label == "Not applicable"]
        assert len(na) == 1, name
        assert quality.meets(na[0].value) is None, name  # left out of the share
        assert quality.key_of(na[0].value) == "0", name


def test_no_quality_question_is_a_yes_or_no_question():
    yes_no = {"is", "does", "was", "has", "do", "did", "are", "were", "have"}
    found = [
        f"{name}: {item.id}: {item.question}"
        for name in FILES
        for d in [_load(name)]
        for _, item in d.items()
        if item.scale == "quality" and item.question.split()[0].lower() in yes_no
    ]
    assert found == []


# -- skip logic never rewards a file for leaving the perpetrator out -------------------------------


@pytest.mark.parametrize(("name", "gate"), [(ST, "en-01"), (THEMATIC, "pp-16")])
def test_items_about_the_perpetrator_fail_when_he_is_not_identified(name, gate):
    d = _load(name)
    dependents = d.dependents(gate)
    assert len(dependents) >= 4
    scale = d.scale_of(d.item(gate))
    assert scale.not_rated == ()  # no "not applicable" way round identifying him
    for label in ("No", "Not recorded"):
        ratings = {gate: _value(d, gate, label)}
        effects = {dep.id: d.hidden_effect(dep, ratings) for dep in dependents}
        assert set(effects.values()) == {FAILS}, (label, effects)
    ratings = {gate: _value(d, gate, "Partly")}
    direct = [dep for dep in dependents if dep.show_when.item == gate]
    assert all(d.hidden_effect(dep, ratings) == SHOWN for dep in direct)


@pytest.mark.parametrize(
    ("name", "engaged", "why_not"), [(ST, "en-02", "en-03"), (THEMATIC, "pp-03", "pp-04")]
)
def test_engagement_rated_not_applicable_still_asks_why(name, engaged, why_not):
    d = _load(name)
    gate = d.item(engaged).show_when.item
    ratings = {gate: "yes", engaged: _value(d, engaged, "Not applicable")}
    assert d.visible(d.item(why_not), ratings)
    ratings[engaged] = _value(d, engaged, "Good")
    assert not d.visible(d.item(why_not), ratings)  # a good answer needs no excuse


# -- the death review: "not known" never hides the questions that follow --------------------------


def test_abuse_follow_ups_show_when_the_history_is_not_known():
    d = _load(DEATH)
    not_known = {"ab-01": _value(d, "ab-01", "Not known")}
    for item_id in ("ab-02", "ab-03", "ab-07"):  # police reports, risk assessment, MARAC
        assert d.visible(d.item(item_id), not_known), item_id
    no = {"ab-01": _value(d, "ab-01", "No")}
    assert not d.visible(d.item("ab-02"), no)  # checked, and none recorded


def test_release_planning_shows_unless_custody_is_ruled_out():
    d = _load(DEATH)
    release = d.item("sv-08")
    hidden_by = [
        lv.label
        for lv in d.scale_of(d.item("sv-07")).levels
        if not d.visible(release, {"sv-07": lv.value})
    ]
    assert sorted(hidden_by) == ["No", "Yes, in the community only"]


def test_no_fact_answered_not_known_hides_a_follow_up():
    d = _load(DEATH)
    checked = 0
    for _, item in d.items():
        cond = item.show_when
        if cond is None:
            continue
        parent = d.scale_of(d.item(cond.item))
        unknown = [lv.value for lv in parent.levels if lv.label in ("Not known", "Not yet known")]
        if parent.is_fact and unknown:
            assert unknown[0] in cond.any_of, item.id
            checked += 1
    assert checked >= 10


# -- the death review records facts as facts ---------------------------------------------------------

FACTS = {
    "pe-08": "sex",
    "pe-10": "age band",
    "pe-03": "parent or carer",
    "pe-04": "children living with them",
    "pe-11": "child protection involvement or removal",
    "de-02": "opioids",
    "de-03": "benzodiazepines",
    "de-06": "toxicology",
    "de-07": "prescribing",
    "de-09": "where the death happened",
    "de-10": "who was present",
    "ab-01": "domestic abuse history recorded",
    "ab-02": "police reports",
    "cs-02": "use controlled by a partner",
    "cs-03": "sexual exploitation",
    "cs-04": "homelessness linked to abuse",
    "sv-01": "alcohol and drug service",
    "sv-02": "specialist VAW service",
    "sv-07": "justice services",
    "sv-10": "children's services",
    "sv-15": "previous non-fatal overdoses",
}


def test_death_review_records_what_happened_as_facts():
    d = _load(DEATH)
    not_facts = [f"{i} ({what})" for i, what in FACTS.items() if not d.scale_of(d.item(i)).is_fact]
    assert not_facts == []
    for item_id in FACTS:
        scale = d.scale_of(d.item(item_id))
        assert all(scale.meets(lv.value) is None for lv in scale.levels), item_id


def test_death_review_keeps_practice_on_rating_scales():
    d = _load(DEATH)
    for item_id in ("sv-20", "rv-01", "ab-03", "ab-07", "sv-14", "rv-04"):
        assert not d.scale_of(d.item(item_id)).is_fact, item_id
    enquiry = d.item("sv-20")  # routine enquiry: how well, not whether
    assert enquiry.scale == "quality" and enquiry.question.startswith("How well")
    assert "routine enquiry" in enquiry.question


def test_death_review_splits_reports_by_sex():
    d = _load(DEATH)
    split = [item for _, item in d.items() if item.breakdown]
    assert [item.id for item in split] == ["pe-08"]
    scale = d.scale_of(split[0])
    assert scale.is_fact
    labels = {lv.label: lv.group_label for lv in scale.levels}
    assert labels["Female"] == "women's deaths" and labels["Male"] == "men's deaths"
    assert all(labels.values())  # every group has a name in reports


# -- outcomes ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "lives", "work"), [(ST, "oc-01", "oc-03"), (THEMATIC, "pp-19", "pp-18")]
)
def test_outcomes_are_recorded_as_facts(name, lives, work):
    d = _load(name)
    where = d.scale_of(d.item(lives))
    assert where.is_fact
    assert {
        "With the non-offending parent",
        "With both parents",
        "With the perpetrator",
        "Kinship care",
        "Looked after away from home",
    } <= {lv.label for lv in where.levels}
    result = d.scale_of(d.item(work))
    assert result.is_fact
    assert {
        "Change in behaviour evidenced",
        "Taking part in a programme",
        "Refused or stopped",
        "Nothing offered",
    } <= {lv.label for lv in result.levels}
    for item_id in (lives, work):
        assert d.item(item_id).required and d.item(item_id).show_when is None


def test_safe_together_records_child_protection_registration():
    d = _load(ST)
    scale = d.scale_of(d.item("oc-02"))
    assert scale.is_fact and "registration" in d.item("oc-02").question
    assert {"Registered at the end", "Not registered in the period"} <= {
        lv.label for lv in scale.levels
    }


# -- wording ---------------------------------------------------------------------------------------------

# old id -> the ids that replace it (a split question, or one whose meaning changed)
SPLIT = {
    ST: {
        "as-01": ("as-06",),
        "as-03": ("as-07", "as-08"),
        "en-05": ("en-07", "en-08"),
        "pl-01": ("pl-08", "pl-09"),
        "pl-07": ("pl-10", "pl-11"),
    },
    THEMATIC: {"pp-01": ("pp-16", "pp-17")},
    DEATH: {
        "pe-01": ("pe-08", "pe-09"),
        "pe-02": ("pe-10",),
        "pe-05": ("pe-11",),
        "ab-04": ("ab-07", "ab-08"),
        "cs-01": ("cs-07", "cs-08"),
        "sv-03": ("sv-17", "sv-18"),
        "sv-11": ("sv-20",),
        "sv-16": ("sv-23", "sv-24"),
        "le-02": ("le-05", "le-06"),
        "le-03": ("le-07", "le-08"),
    },
}


@pytest.mark.parametrize("name", FILES)
def test_double_questions_are_split_under_new_ids(name):
    ids = {item.id for _, item in _load(name).items()}
    for old, new in SPLIT[name].items():
        assert old not in ids, f"{old} changed meaning: it keeps no id"
        assert set(new) <= ids, old


def test_prompts_use_periods_relative_to_the_death_or_the_file():
    dated = re.compile(r"\bdates?\b(?! of birth)|\brange\b|\blast 12 months\b", re.IGNORECASE)
    found = [
        f"{name}: {item.id}: {text}"
        for name in FILES
        for _, item in _load(name).items()
        for text in (item.question, item.evidence_prompt)
        if dated.search(text)
    ]
    assert found == []


def test_wording_names_who_did_what():
    death = _load(DEATH)
    exploitation = death.item("cs-03").question
    assert exploitation.startswith("Did a partner or anyone else sexually exploit the person")
    responsible = _load(THEMATIC).item("pp-17").question
    assert "perpetrator as the person responsible" in responsible
    enquiry = _load(ST).item("as-06")
    assert enquiry.question.startswith("How well") and enquiry.scale == "quality"
