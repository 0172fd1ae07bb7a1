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
        ST: "3.1",  # 3.1, 2.1: what the phases mean ([phases]), a display setting
        DEATH: "3.1",
        THEMATIC: "2.1",
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
    "pe-12": "living circumstances",
    "pe-13": "bereaved children",
    "pe-14": "harmed others",
    "de-12": "substances implicated (multiple choice)",
    "de-13": "toxicology findings (multiple choice)",
    "de-14": "injecting history",
    "de-15": "medical conditions (multiple choice)",
    "ab-09": "ever recorded as the suspect",
    "ab-10": "current risk from the partner",
    "de-06": "toxicology",
    "de-07": "prescribing",
    "de-09": "where the death happened",
    "de-10": "who was present",
    "ab-01": "domestic abuse history recorded",
    "ab-02": "police reports",
    "cs-02": "use controlled by a partner",
    "cs-03": "sexual exploitation",
    "cs-04": "homelessness linked to abuse",
    "sv-25": "services in the 12 months before death (multiple choice)",
    "sv-07": "justice services",
    "sv-15": "previous non-fatal overdoses",
    "la-05": "framings the records use (multiple choice)",
    "vw-01": "violence against women a factor",
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

# old id -> the ids that replace it (a split question, one whose meaning or scale changed,
# or, since 3.0, one merged into another so that each thing is asked once)
SPLIT = {
    ST: {
        "as-01": ("as-06",),
        "as-03": ("as-07", "as-08"),
        "en-05": ("en-07", "co-07"),
        "pl-01": ("pl-08", "pl-09"),
        "pl-07": ("pl-15", "pl-16", "pl-08"),
        # 3.0: double questions split, "how well" questions on the quality scale
        "bl-03": ("bl-06", "en-02"),
        "bl-04": ("bl-08", "pl-08"),
        "co-05": ("co-08",),
        "pl-10": ("pl-15", "pl-16"),
        "as-05": ("as-09",),
        "pl-06": ("pl-13",),
        # 3.0: merged, so that protective efforts, the survivor's burden and seeing the
        # parent alone are each rated once
        "co-03": ("co-07",),
        "en-08": ("co-07",),
        "do-01": ("co-02", "co-07"),
        "pl-02": ("pr-03",),
        "pr-02": ("pr-01",),
        "pr-04": ("bl-06", "pl-08"),
        "en-04": ("en-02",),
        "do-02": ("co-01",),
        "bl-01": ("co-01",),
        "bl-05": ("pl-05",),
        "pl-04": ("co-06",),
        "pl-11": ("pl-08",),
        "as-02": ("co-02",),
    },
    THEMATIC: {
        "pp-01": ("pp-16", "pp-17"),
        "pp-09": ("pp-20",),
        "pp-13": ("pp-21", "pp-22"),
    },
    DEATH: {
        "de-02": ("de-12",),
        "de-03": ("de-12",),
        "de-04": ("de-12",),
        "de-05": ("de-12",),
        "sv-01": ("sv-25",),
        "sv-02": ("sv-25",),
        "sv-04": ("sv-25",),
        "sv-05": ("sv-25",),
        "sv-06": ("sv-25",),
        "sv-09": ("sv-25",),
        "sv-10": ("sv-25",),
        "sv-17": ("sv-25",),
        "sv-18": ("sv-25",),
        "pe-01": ("pe-08", "pe-09"),
        "pe-02": ("pe-10",),
        "pe-05": ("pe-11",),
        "ab-04": ("ab-07", "ab-08"),
        "cs-01": ("cs-07", "cs-08"),
        "sv-03": ("sv-25",),
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


# -- Checklists 3.0 (issue 19) ----------------------------------------------------------------------

MULTI = "multi_agency_case_file_review.toml"
ALL_FILES = (*FILES, MULTI)
MISIDENTIFIED = "Names the non-offending parent as the perpetrator without analysing the context"


@pytest.mark.parametrize(("name", "gate"), [(ST, "en-01"), (THEMATIC, "pp-16")])
def test_misidentifying_the_non_offending_parent_does_not_meet_the_standard(name, gate):
    d = _load(name)
    value = _value(d, gate, MISIDENTIFIED)
    assert d.scale_of(d.item(gate)).meets(value) is False
    ratings = {gate: value}
    assert {d.hidden_effect(dep, ratings) for dep in d.dependents(gate)} == {FAILS}
    guidance = d.item(gate).guidance
    assert "retaliat" in guidance
    if name == ST:  # linked to the analysis of context the assessment asks for
        assert "as-04" in guidance and "en-01" in d.item("as-04").guidance


@pytest.mark.parametrize("name", ALL_FILES)
def test_silence_in_the_record_is_weak_or_unsatisfactory_never_not_applicable(name):
    quality = _load(name).scales["quality"]
    text = {lv.label: lv.description for lv in quality.levels}
    assert "little of it" in text["Weak"] and "not show it at all" in text["Unsatisfactory"]
    assert "Never for practice" in text["Not applicable"] and "silent" in text["Not applicable"]


def test_seen_alone_is_rated_once_and_silence_there_is_not_not_applicable():
    d = _load(ST)
    en07 = d.item("en-07").guidance
    assert "not visible in a file" in en07 and "never 'Not applicable'" in en07
    assert "seen alone" not in d.item("as-06").guidance.replace("seen alone and", "")


def test_language_items_use_a_four_level_anchored_scale():
    d = _load(ST)
    for item_id in ("la-01", "la-02", "la-03", "la-04"):
        scale = d.scale_of(d.item(item_id))
        assert [lv.label for lv in scale.levels] == ["Strong", "Adequate", "Weak", "Unsatisfactory"]
        assert all(lv.anchor for lv in scale.levels), item_id
        assert scale.meets_standard == ("4", "3") and scale.not_rated == ()


def _term_phrases() -> list[str]:
    terms = tomllib.loads((ROOT.parent / "resources" / "language_terms.toml").read_text("utf-8"))
    return [t["phrase"] for t in terms["terms"]]


@pytest.mark.parametrize("name", [ST, DEATH])
def test_which_framings_the_record_uses_covers_every_term_once(name):
    d = _load(name)
    item = d.item("la-05")
    scale = d.scale_of(item)
    assert scale.is_multiple and "record" in item.question and "Tick all" in item.question
    listed = [
        p.strip() for lv in scale.levels if not lv.exclusive for p in lv.description.split(";")
    ]
    assert sorted(listed) == sorted(_term_phrases())  # each phrase of the term list, once
    assert [lv.label for lv in scale.levels if lv.exclusive] == ["None of these"]


def test_death_review_asks_the_overall_judgement_with_five_answers():
    d = _load(DEATH)
    item = d.item("vw-01")
    assert item.question == "Was violence against women a factor in this death?"
    scale = d.scale_of(item)
    assert scale.is_fact and item.required and item.show_when is None
    assert [lv.label for lv in scale.levels] == [
        "Established",
        "Probable",
        "Possible",
        "No evidence after checking",
        "Could not be established",
    ]


def test_death_review_strings_of_yes_no_facts_are_multiple_choice():
    d = _load(DEATH)
    for item_id, option in (("de-12", "Opioids"), ("de-13", "Benzodiazepines"),
                            ("sv-25", "Alcohol and drug service"), ("de-15", "Liver disease")):
        scale = d.scale_of(d.item(item_id))
        assert scale.is_multiple and option in [lv.label for lv in scale.levels], item_id
        assert any(lv.exclusive for lv in scale.levels), item_id  # "none"/"not known" alone


def test_death_review_new_facts_and_guidance():
    d = _load(DEATH)
    assert "matter of concern" in d.item("ab-10").guidance  # current risk from the partner
    assert "suspect" in d.item("ab-09").question and "retaliat" in d.item("ab-09").guidance
    assert "harmed others" in d.item("pe-14").question and "men's deaths" in d.item("pe-14").guidance
    for item_id in ("rv-04", "rv-05"):
        assert "someone other than the review's author" in d.item(item_id).guidance, item_id
    for item_id in ("ab-03", "ab-07"):
        guidance = d.item(item_id).guidance
        assert "no service knew" in guidance and "sv-20" in guidance, item_id
        assert "na" in d.scale_of(d.item(item_id)).not_rated


def test_scottish_vocabulary_in_every_checklist():
    texts = {name: (ROOT / name).read_text("utf-8") for name in ALL_FILES}
    assert [n for n, t in texts.items() if re.search(r"case conference", t, re.I)] == []
    for name, text in texts.items():
        assert "child protection planning meeting" in text, name
    together = "\n".join(texts.values())
    for term in ("interagency referral discussion (IRD)", "child's plan", "lead professional"):
        assert term in together, term
    st = texts[ST]
    assert "interagency referral discussion (IRD)" in st and "lead professional" in st


@pytest.mark.parametrize("name", [ST, THEMATIC])
def test_questions_about_the_person_who_harmed_are_gender_neutral(name):
    gendered = [
        f"{item.id}: {item.question}"
        for _, item in _load(name).items()
        if re.search(r"\b(he|him|his)\b", item.question, re.IGNORECASE)
    ]
    assert gendered == []
