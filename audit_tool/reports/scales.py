"""What each scale of a report's checklists means, read from the stored checklist copies.

A local checklist can define its own scales (a reverse-scored "No" that meets the standard,
a four-point scale, a fact scale), so the report never describes scales from fixed text: the
column order, the mark on the levels that meet the standard and the method note all come
from the definition the audits were done against (the newest copy in the selection, read by
findings/records.scales_in_use).
"""

from __future__ import annotations

from ..checklists.model import Scale

MEETS_MARK = "\u2713"  # ✓ after a level that meets the standard
MEETS_KEY = f"{MEETS_MARK} meets the standard."


def column_label(scale: Scale | None, value: str, text: str) -> str:
    """A distribution column's header: the level's label, marked when it meets the standard."""
    if scale is not None and not scale.is_fact and value in scale.meets_standard:
        return f"{text} {MEETS_MARK}"
    return text


def column_order(scale: Scale | None, present: dict[str, int]) -> list[str]:
    """The values of `present` (value -> place in the file) best first, as the scale orders
    them; a value the newest copy no longer has goes last, in its old place."""
    if scale is None:
        return sorted(present, key=present.get)
    rank = {lv.value: i for i, lv in enumerate(scale.ordered_levels())}
    return sorted(present, key=lambda v: (rank.get(v, len(rank)), present[v]))


def key_line(scale: Scale | None) -> str:
    """The note under a distribution table."""
    if scale is None:
        return ""
    if scale.is_fact:
        return "These answers record facts: they are counts only and never scored."
    out = MEETS_KEY
    left_out = [lv.label for lv in scale.levels if lv.value in scale.not_rated]
    if left_out:
        out += f" {_join(left_out)} {'is' if len(left_out) == 1 else 'are'} left out of the shares."
    return out


def _join(words: list[str]) -> str:
    quoted = [f"'{w}'" for w in words]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " and " + quoted[-1]


def describe_scale(scale: Scale) -> str:
    """One sentence on what a scale counts, e.g. "Evidence in the record: 'Yes' meets the
    standard; 'Partly' and 'No' do not; 'Not applicable' is left out of the shares."."""
    if scale.is_fact:
        labels = _join([lv.label for lv in scale.levels])
        return (
            f"{scale.title}: records a fact ({labels}); reported as counts only, never as a share."
        )
    meets = [lv.label for lv in scale.ordered_levels() if lv.value in scale.meets_standard]
    fails = [
        lv.label
        for lv in scale.ordered_levels()
        if lv.value not in scale.meets_standard and lv.value not in scale.not_rated
    ]
    out = [f"{_join(meets)} {'meets' if len(meets) == 1 else 'meet'} the standard"]
    if fails:
        out.append(f"{_join(fails)} {'does' if len(fails) == 1 else 'do'} not")
    left = [lv.label for lv in scale.levels if lv.value in scale.not_rated]
    if left:
        out.append(f"{_join(left)} {'is' if len(left) == 1 else 'are'} left out of the shares")
    return f"{scale.title}: " + "; ".join(out) + "."


def method_notes(in_use: dict[str, dict[str, Scale]], titles: dict[str, str]) -> list[str]:
    """One note per distinct scale across the report's checklists; a scale shared by several
    checklists (same title and levels) is described once, naming them when they differ."""
    seen: dict[str, list[str]] = {}
    for cid, scales in in_use.items():
        for scale in scales.values():
            seen.setdefault(describe_scale(scale), []).append(titles.get(cid, cid))
    several = len(in_use) > 1
    notes = []
    for text, used_by in seen.items():
        if several and len(used_by) < len(in_use):
            text += f" (Used in: {'; '.join(used_by)}.)"
        notes.append(text)
    return notes
