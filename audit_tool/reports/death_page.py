"""Page 1 of a death-review report: what a VAWP and an ADP meet to ask (no SQL).

"n of N women's deaths" had a recorded history of abuse, had violence against women as a
factor (by each of the five answers of the overall judgement), had a specialist VAW agency
in the review, with men's deaths beside them; the deaths in the period when the lead
recorded how many there were; and how well the reviews themselves were done, apart from
the services' practice. A death review compares earlier and later reviews: nothing here
speaks of training.

Every count is the one the facts section prints, hidden by the same rule
(facts_section.breakdown_cells, share_hidden), so the page gives nothing away that the
tables behind it hold back; in an anonymised release the counts are already perturbed.
"""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING

from ..checklists.model import Checklist
from ..disclosure.rules import HIDDEN, SUPPRESS_BELOW, Line, label, small
from ..findings import GroupFinding
from ..findings.facts import ALL_PHASES, Breakdown, FactFindings
from ..formatting import percent
from ..vocabulary import AuditType
from .facts_section import breakdown_cells, share_hidden
from .model import Heading, KeyValue, PageBreak, Paragraph, Table
from .summary import _notes_blocks, how_chosen, period, recommendation_counts

if TYPE_CHECKING:
    from .aggregate import AggregateFindings

ABUSE, FACTOR, SPECIALIST = "ab-01", "vw-01", "rv-01"  # the items the group asks about
REVIEW_PREFIX, LEARNING_THEME = "rv-", "learning"  # the review's own quality
SIDE_BY_SIDE = 2  # women's and men's deaths: the first two answers of the split
SERVICE_GAPS = REVIEW_GAPS = 2  # rows each: page 1 stays one page
METHOD_NOTE = (
    "Page 1: each death is one review. Women's and men's deaths are counted from the sex the "
    "review recorded; deaths whose sex is not known are in the totals only. Every count there "
    "is the one the facts tables print, held back by the same rules; in an anonymised report "
    "it is perturbed, and a group of 1 to 4 deaths whose sex is not known is protected by the "
    "perturbation of the totals around it rather than by holding back men's deaths, where that "
    "perturbation cannot be undone by subtraction. The items on the review itself (its "
    "specialist input, equality impact, national return, gendered lens and learning) are "
    f"listed apart from the services' practice, each over the reviews that rated it, only "
    f"where {SUPPRESS_BELOW} or more did. The deaths in the period are the lead's figure "
    "for this release, not counted from the reviews."
)


def is_death_review(definition: Checklist | None) -> bool:
    """A checklist for reviewing deaths that splits its counts (by sex)."""
    return (definition is not None
            and AuditType.DRUG_ALCOHOL_DEATH_REVIEW.value in definition.audit_types
            and any(item.breakdown for _, item in definition.items()))


def noise_of(data: AggregateFindings) -> int:
    """The most a printed count of SUPPRESS_BELOW or more moves in this release, read from
    the p-table's rows (0: exact figures, or a table that moves no such count)."""
    t = data.tally
    if not t.perturbed or t.table is None:
        return 0
    return max((abs(p) for r in t.table.row if r.count >= SUPPRESS_BELOW for p in r.perturbation),
               default=0)


def review_items(definition: Checklist) -> set[str]:
    """The rated items on the quality of the review itself (rv-*, and the learning)."""
    return {item.id for theme, item in definition.items()
            if not definition.scale_of(item).is_fact
            and (item.id.startswith(REVIEW_PREFIX) or theme.id == LEARNING_THEME)}


def death_page(data: AggregateFindings, drafts: str, today: date, trim: int = 0) -> list | None:
    """Page 1 for a report on one death-review checklist; None for any other report (the
    general summary serves it). drafts: what the report says of its drafts. The lead's
    commentary and decisions sought follow women's and men's deaths; `trim`
    (summary.fit_first_page): 1, the review-quality table moves to page 2; from 2, women's and
    men's deaths too, so that page 1 stays one page with long notes."""
    covered = data.census.reported()
    if len(covered) != 1:
        return None
    cid = next(iter(covered))
    d = data.definitions.get(cid)
    if not is_death_review(d):
        return None
    assert d is not None
    every = next((f for f in data.facts.get(cid, ()) if f.phase == ALL_PHASES), None)
    n = data.census.total(covered)
    out: list = [Heading("Deaths reviewed", 1), KeyValue([
        ("Deaths reviewed", deaths_in_period(data, n)),
        ("Period", period(data.months)),
        ("How deaths were chosen", how_chosen(data.sampled)),
        ("Drafts", drafts),
        ("Recommendations", recommendation_counts(data.recommendations, today, data.tally)),
    ])]
    sides: list = []  # women's and men's deaths side by side
    bd = every.breakdowns[0] if every is not None and every.breakdowns else None
    if every is None or bd is None:
        sides.append(Paragraph("No fact splits these reviews, so women's and men's deaths cannot "
                              "be set side by side."))
    else:
        specialist = next((g for g in data.findings.by_item
                           if g.checklist_id == cid and g.key == SPECIALIST), None)
        sides += side_by_side(every, bd, noise_of(data), specialist)
    notes = _notes_blocks(data.notes)  # after the deaths, as the summary's after its messages
    quality = review_quality(data, cid, d)
    if not trim:
        return [*out, *sides, *notes, *quality, PageBreak()]
    if trim == 1:
        return [*out, *sides, *notes, PageBreak(), *quality]
    return [*out, *notes, PageBreak(), *sides, *quality]  # the lead's words are never cut


def deaths_in_period(data: AggregateFindings, reviewed: int) -> str:
    """The reviews reported against the deaths in the period, when the lead recorded them
    for this release (the lead's figure, not counted from the audits)."""
    notes = data.notes
    if notes is None or notes.deaths_in_period is None:
        return f"{reviewed:,} (deaths in the period: not recorded for this release)"
    dead = notes.deaths_in_period
    return f"{reviewed:,} of the {label(dead, small(dead))} deaths in the period, as the lead recorded it"


def side_by_side(every: FactFindings, bd: Breakdown, noise: int = 0,
                 overall: GroupFinding | None = None) -> list:
    """The table of women's and men's deaths: each group's size, then "n of N" for the
    abuse history, each answer of the overall judgement and the specialist agency.
    overall: the specialist item's row over every review, as the report prints it."""
    sizes_hidden, grids = breakdown_cells(every, bd, noise)
    groups = list(bd.groups[:SIDE_BY_SIDE])
    heads = [g.noun[:1].upper() + g.noun[1:] for g in groups]
    if sizes_hidden is None:
        return [Heading("Women's and men's deaths", 2), Paragraph(
            f"Not shown: some groups hold fewer than {SUPPRESS_BELOW} deaths.")]
    rows = [["Deaths reviewed", *[label(g.audits, sizes_hidden[gi]) for gi, g in enumerate(groups)]]]
    facts = {f.item_id: f for f in every.facts}

    def counts(item_id: str, values: list[tuple[str, str]]) -> None:
        if item_id not in grids:
            return
        grid, hidden = grids[item_id]
        fact = facts[item_id]
        for value, text in values:
            c = [v.value for v in fact.values].index(value) if value in [v.value for v in fact.values] else None
            if c is None:
                continue
            cells = []
            for gi, g in enumerate(groups):
                if sizes_hidden[gi] or hidden is None:
                    cells.append(HIDDEN)
                elif hidden[gi][c]:
                    cells.append(f"{label(grid[gi][c], True)} of {g.audits}")
                else:
                    cells.append(f"{grid[gi][c]} of {g.audits}")
            rows.append([text, *cells])

    counts(ABUSE, [("yes", "A history of domestic abuse recorded by a service")])
    if FACTOR in facts:
        vw = facts[FACTOR]
        counts(FACTOR, [(v.value, f"Violence against women a factor: {v.label[:1].lower()}{v.label[1:]}")
                        for v in vw.values])
    missing = facts[bd.item_id].count("")  # reviews with no answer to the split
    rows.append(specialist_row(bd, groups, sizes_hidden, overall, noise, missing))
    out: list = [
        Heading("Women's and men's deaths", 2),
        Table(["", *heads], rows, align=["l"] + ["r"] * len(groups), widths=[4.6] + [1.6] * len(groups)),
    ]
    rest = [g for gi, g in enumerate(bd.groups) if gi >= SIDE_BY_SIDE and g.audits]
    note = f"'{label(1, True)}': 1 to {SUPPRESS_BELOW - 1} deaths; 'suppressed': held back."
    if rest or missing:
        note += " Deaths whose sex is not known are in the totals only."
    out.append(Paragraph(note, "note"))
    return out


def specialist_row(bd: Breakdown, groups: list, sizes_hidden: list[bool],
                   overall: GroupFinding | None = None, noise: int = 0, missing: int = 0) -> list[str]:
    """A specialist VAW agency involved in the review: reviews meeting the standard of rv-01
    among those rated, per group; held back where the facts section holds the share back,
    unless (perturbed) no small group's count follows from the printed ones (_pinned)."""
    text = "A specialist VAW agency involved in the review"
    ids = [s.item_id for s in bd.groups[0].shares] if bd.groups else []
    if SPECIALIST not in ids:
        return [text, *[HIDDEN] * len(groups)]
    i = ids.index(SPECIALIST)
    cells = []
    for gi, g in enumerate(groups):
        s = g.shares[i]
        # perturbed apart, a part never reads above its whole (reviews rated, the group)
        s = replace(s, audits=min(s.audits, g.audits), meets=min(s.meets, s.audits, g.audits))
        if sizes_hidden[gi] or (share_hidden(bd, i) and _pinned(bd, i, overall, noise, missing)):
            cells.append(HIDDEN)
        elif not s.audits:
            cells.append("not rated")
        elif small(s.meets):
            cells.append(f"{label(s.meets, True)} of {s.audits}")
        elif small(s.audits - s.meets):  # the rest would be a count of 1 to 4
            cells.append(f"all but {label(s.audits - s.meets, True)} of {s.audits}")
        else:
            cells.append(f"{s.meets} of {s.audits}")
    return [text, *cells]


def _pinned(bd: Breakdown, i: int, overall: GroupFinding | None, noise: int,
            missing: int = 0) -> bool:
    """Whether printing the groups' counts of rated item i would let an attacker pin a group
    not set out (1 to 4 reviews whose sex is not known): its reviews rated are the printed
    total for the item less the groups printed, and so are its reviews meeting the standard,
    every printed figure within the noise. Exact figures, reviews with no answer to the
    split, or no printed total to read them against: assume pinned, as the facts section does."""
    if not noise or missing or overall is None or overall.share is None:
        return True
    rated = [g.shares[i].audits for g in bd.groups]
    met = [g.shares[i].meets for g in bd.groups]
    for values, total in ((rated, overall.audits), (met, overall.meets)):
        line = Line(tuple(range(len(values))), tuple(values), noise=noise, total=total)
        spans = []  # (low, high) of each cell the page does not print exactly
        exact_lo = exact_hi = 0.0
        for gi, v in enumerate(values):
            if gi >= SIDE_BY_SIDE:  # not set out: up to its group's rated reviews (1-4 if small)
                spans.append((0, SUPPRESS_BELOW - 1 if small(rated[gi]) else math.inf))
            elif small(rated[gi]) or small(v):  # printed '<5'
                spans.append((1, SUPPRESS_BELOW - 1))
            else:
                lo, hi = line.bounds(v)
                exact_lo, exact_hi = exact_lo + lo, exact_hi + hi
        t_lo, t_hi = line.bounds(total)
        rest_lo, rest_hi = t_lo - exact_hi, t_hi - exact_lo
        for k, (lo, hi) in enumerate(spans):
            others_lo = sum(sp[0] for j, sp in enumerate(spans) if j != k)
            others_hi = sum(sp[1] for j, sp in enumerate(spans) if j != k)
            if max(lo, rest_lo - others_hi) >= min(hi, rest_hi - others_lo):
                return True  # this cell could take one value only
    return False


def review_quality(data: AggregateFindings, cid: str, d: Checklist) -> list:
    """How well the reviews were done (rv-*, learning), apart from the services' practice:
    shares meeting the standard over every review, as the checklist section prints them."""
    own = review_items(d)
    items = [g for g in data.findings.by_item
             if g.checklist_id == cid and g.share is not None and not small(g.audits)]
    review = sorted((g for g in items if g.key in own),
                    key=lambda g: (g.share, -g.audits, g.label))[:REVIEW_GAPS]
    services = sorted((g for g in items if g.key not in own),
                      key=lambda g: (g.share, -g.audits, g.label))[:SERVICE_GAPS]
    out: list = [Heading("The review itself, apart from what services did", 2)]
    if not review and not services:
        return out + [Paragraph(f"No item was rated in {SUPPRESS_BELOW} or more reviews.", "note")]
    # one table, two parts: the quality of the review, then the services' practice
    rows = [[f"Review: {g.label}", percent(g.share), f"{g.audits:,}"] for g in review]
    rows += [[f"Services: {g.label}", percent(g.share), f"{g.audits:,}"] for g in services]
    out.append(Table(["Least often meeting the standard (review, then services)", "Meeting",
                      "Reviews"], rows,
                     align=["l", "r", "r"], widths=[6.6, 0.9, 0.7]))
    return out


__all__ = ["METHOD_NOTE", "death_page", "is_death_review", "noise_of", "review_items"]
