"""Every Safe & Together principle, critical component and practice area a bundled checklist
uses is still evidenced by enough questions after Checklists 3.0 merged repeats (issue 19).

Counts come from the items' tags (checklists/README.md: a tag's kind says whether it is a
principle, component or practice area). Only rated items count: a fact or a multiple-choice
item is never scored, so it gives no evidence of practice.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from audit_tool.checklists.loader import load_file
from audit_tool.checklists.model import Checklist

ROOT = Path(__file__).resolve().parent.parent / "checklists"
KINDS = ("principle", "component", "practice_area")
MIN_ITEMS = 3
# The files that read practice against the whole model: every principle, component and
# practice area they define must be evidenced. The thematic review reads one principle only.
WHOLE_MODEL = ("safe_together_case_file_audit.toml", "multi_agency_case_file_review.toml")


def _load(name: str) -> Checklist:
    return load_file(ROOT / name, origin="bundled").definition


def coverage(d: Checklist) -> dict[str, int]:
    """Rated items per principle, component and practice area tag the checklist defines."""
    counts = Counter(
        tag
        for _, item in d.items()
        if not d.scale_of(item).is_fact
        for tag in item.tags
        if d.tags[tag].kind in KINDS
    )
    return {tag: counts.get(tag, 0) for tag, t in d.tags.items() if t.kind in KINDS}


@pytest.mark.parametrize("name", WHOLE_MODEL)
def test_every_principle_component_and_area_has_at_least_three_rated_items(name):
    d = _load(name)
    counts = coverage(d)
    kinds = Counter(d.tags[t].kind for t in counts)
    assert kinds == {"principle": 3, "component": 5, "practice_area": 4}
    thin = {t: n for t, n in counts.items() if n < MIN_ITEMS}
    assert thin == {}


def test_tags_the_thematic_review_uses_have_at_least_three_rated_items():
    d = _load("thematic_perpetrators_as_parents.toml")
    counts = coverage(d)
    used = {t: n for t, n in counts.items() if n}
    assert set(used) == set(counts)  # it defines only the tags it uses
    thin = {t: n for t, n in used.items() if n < MIN_ITEMS and t != "component-5"}
    assert thin == {}
    # component 5 (substance use, mental health) is read in this review by one question
    assert used["component-5"] == 1


def test_the_safe_together_audit_is_shorter_without_losing_coverage():
    d = _load("safe_together_case_file_audit.toml")
    rated = [i for _, i in d.items() if not d.scale_of(i).is_fact]
    assert d.item_count() == 40 and len(rated) == 36  # was 48 items, 45 rated
    # the two things the Year One report names that no item asked before
    assert "supervision or management oversight" in d.item("ov-01").question
    assert "spared" in d.item("en-09").question


def test_coverage_counts_only_rated_items():
    d = _load("safe_together_case_file_audit.toml")
    # la-05 (which framings the record uses) is multiple choice: it must not count
    assert d.scale_of(d.item("la-05")).is_fact
    with_facts = Counter(t for _, i in d.items() for t in i.tags if t in coverage(d))
    assert sum(with_facts.values()) >= sum(coverage(d).values())
