"""Page 2 of the steering-group report: the patterns, the language in the record and the
outcomes, item by item, in the checklist's two phases and the change between them.

Every figure is a released one. The pattern items' counts of audits go through the report's
Tally (reports/tally.py: the same cell-key noise as every count of audits in an anonymised
report); a share is withheld by the rule of every other share (disclosure/suppress.py). The
outcome and language facts are the facts tables' own released counts, hidden exactly where
the facts table hides them (reports/facts_section.py), so the two never disagree. No SQL here:
the items and answers come from findings/honesty.py, gathered by build.py.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..checklists.phases import PhaseWords
from ..disclosure.suppress import suppression_reason
from ..domain import Phase
from ..findings.facts import ALL_PHASES, FactCount, FactFindings
from ..findings.honesty import ChecklistHonesty
from ..findings.stats import newcombe
from ..formatting import NO_VALUE, percent
from .facts_section import _fact_table  # the facts table's own hiding: the same cells hidden
from .model import Heading, Paragraph, Table
from .tally import EXACT, Tally

MIN_A_SIDE = 10  # audits in each phase before a change is judged at all
TOO_FEW = "too few to judge"
BASE, POST = Phase.BASELINE.value, Phase.POST_TRAINING.value
AFTER_FAILING_MARK = "†"
AFTER_FAILING_NOTE = (
    f"{AFTER_FAILING_MARK} Asked only where an earlier answer fell short: the share describes "
    "those files, not all files.")


@dataclass(frozen=True)
class Side:
    """One phase of a row as released: audits in the base, and the count (None: hidden)."""

    audits: int
    count: int | None

    @property
    def share(self) -> float | None:
        return None if self.count is None or not self.audits else self.count / self.audits


@dataclass(frozen=True)
class Row:
    item_id: str
    label: str
    kind: str  # "pattern" (share avoiding it), "language" or "outcome" (share of audits)
    base: Side | None
    post: Side | None

    @property
    def judged(self) -> bool:
        """Both shares shown and each resting on MIN_A_SIDE or more audits."""
        return (self.base is not None and self.post is not None
                and self.base.share is not None and self.post.share is not None
                and self.base.audits >= MIN_A_SIDE and self.post.audits >= MIN_A_SIDE)

    def change(self) -> tuple[float, float, float] | None:
        """(post - base, low, high) with its 95% interval (Newcombe), when judged."""
        if not self.judged:
            return None
        assert self.base and self.post and self.base.count is not None and self.post.count is not None
        return newcombe(self.base.count, self.base.audits, self.post.count, self.post.audits)


def _pattern_side(rated: frozenset[str], met: frozenset[str], tally: Tally) -> Side:
    """A single item's audits and audits meeting, released as a single item's cell is
    (reports/release.py cell_counts: its items are its audits)."""
    n = tally.audits(rated)
    if suppression_reason(len(met), len(rated) - len(met), len(rated)) is not None:
        return Side(n, None)
    return Side(n, min(n, tally.audits(met)))


def pattern_rows(h: ChecklistHonesty, tally: Tally = EXACT) -> list[Row]:
    by = {(a.item_id, a.phase): a for a in h.answers}
    rows = []
    for item in h.patterns:
        sides = []
        for phase in (BASE, POST):
            a = by.get((item, phase))
            sides.append(None if a is None else _pattern_side(a.rated, a.met, tally))
        rows.append(Row(item, h.questions.get(item, item), "pattern", *sides))
    return rows


def _fact_sides(counts: list[FactCount], phases: list[str]) -> dict[str, list[Side | None]]:
    """Per answer, the baseline and post-training sides, hidden where the facts table hides
    the count (and a share that says all but 1 to 4 audits, by the share rule)."""
    table = _fact_table(counts, phases)
    out: dict[str, list[Side | None]] = {}
    for r, v in enumerate(counts[0].values):
        sides: list[Side | None] = []
        for phase in (BASE, POST):
            if phase not in phases:
                sides.append(None)
                continue
            col = phases.index(phase)
            audits = counts[col].audits
            text = table.rows[r][col + 1].replace(",", "")
            n = int(text) if text.isdigit() else None
            if n is not None and suppression_reason(n, audits - n, audits) is not None:
                n = None
            sides.append(Side(audits, n) if audits else None)
        out[v.value] = sides
    return out


def fact_rows(h: ChecklistHonesty, found: tuple[FactFindings, ...]) -> list[Row]:
    """The outcome facts (each answer a row) and the language item ('None of these': the
    record uses none of the framings listed), as shares of each phase's audits."""
    every = next((f for f in found if f.phase == ALL_PHASES), None)
    if every is None:
        return []
    per_phase = [f for f in found if f.phase != ALL_PHASES]
    sets = [every] + (per_phase if len(per_phase) > 1 else [])
    phases = [s.phase for s in sets]
    rows = []
    for i, fact in enumerate(every.facts):
        kind = ("outcome" if fact.item_id in h.outcomes
                else "language" if fact.item_id in h.record_language else "")
        if not kind:
            continue
        sides = _fact_sides([s.facts[i] for s in sets], phases)
        for v in fact.values:
            if not v.value:  # "No answer"
                continue
            label = (("The record uses none of the framings listed" if v.value == "none" else v.label)
                     if kind == "language"
                     else f"{h.scale_titles.get(fact.item_id) or _short(fact.question)}: {v.label}")
            rows.append(Row(fact.item_id, label, kind, *sides[v.value]))
    return rows


def _short(question: str) -> str:
    """'Where was the child living at the end of the period read?' -> 'Where was the child
    living' (the row names the answer; the table's caption says when)."""
    q = question.rstrip("?")
    for tail in (" at the end of the period read", " by the end of the period read"):
        q = q.replace(tail, "")
    return q


def _cell(s: Side | None, hidden: bool = False) -> str:
    if s is None:
        return NO_VALUE
    if hidden or s.share is None:
        return f"{NO_VALUE} of {s.audits:,}" if s.audits >= 5 else NO_VALUE
    return f"{percent(s.share)} of {s.audits:,}"


def change_cells(r: Row) -> list[str]:
    if r.base is None or r.post is None:
        return [NO_VALUE, NO_VALUE]
    ch = r.change()
    if ch is None:
        few = min(r.base.audits, r.post.audits) < MIN_A_SIDE
        return [TOO_FEW if few else NO_VALUE, NO_VALUE]
    d, lo, hi = ch
    return [f"{d * 100:+.0f}", f"{lo * 100:+.0f} to {hi * 100:+.0f}"]


def _withheld(r: Row) -> bool:
    """Nothing to show in either phase: the row is left out (a note says how many)."""
    return all(s is None or s.share is None for s in (r.base, r.post))


def _table(rows: list[Row], words: PhaseWords, first: str, caption: str) -> Table:
    return Table(
        [first, words.name(BASE), words.name(POST), "Change (points)", "95% interval"],
        [[r.label, _cell(r.base), _cell(r.post), *change_cells(r)] for r in rows],
        caption=caption,
        align=["l", "r", "r", "r", "r"],
        widths=[4.3, 1.15, 1.25, 1.1, 1.2],
    )


def patterns_blocks(h: ChecklistHonesty, found: tuple[FactFindings, ...], tally: Tally,
                    title: str = "", level: int = 1, one_phase: bool = False) -> list:
    """The patterns, language and outcomes tables of one checklist (nothing without any)."""
    pats = pattern_rows(h, tally)
    facts = fact_rows(h, found)
    if not pats and not facts:
        return []
    w = h.words
    head = f"Patterns and outcomes: {w.name(BASE).lower()} and {w.name(POST).lower()}"
    out: list = [Heading(f"{title}: {head}" if title else head[:1].upper() + head[1:], level)]
    if one_phase:
        return out + [Paragraph("One phase only in this selection, so no change to show.")]
    out.append(Paragraph(
        f"Each figure is the share of the phase's audits, with the number of audits it rests "
        f"on. A change is judged only with {MIN_A_SIDE} or more audits in each phase; "
        f"'{TOO_FEW}' otherwise. {NO_VALUE}: withheld because it rests on fewer than 5 audits "
        "or would give such a count away.", "note"))
    if pats:
        out.append(_table(pats, w, "Pattern (share of files avoiding it)",
                          "Patterns seen at baseline: files whose record avoids the pattern"))
    left_out = 0
    for kind, first, caption in (
            ("language", "Framing (share of audits whose record uses it)", "Language in the record"),
            ("outcome", "Outcome (share of audits)", "Outcomes at the end of the period read")):
        rows = [r for r in facts if r.kind == kind]
        shown = [r for r in rows if not _withheld(r)]
        left_out += len(rows) - len(shown)
        if shown:
            out.append(_table(shown, w, first, caption))
    if left_out:
        out.append(Paragraph(
            f"{left_out} answer{'s' if left_out > 1 else ''} withheld in both phases (small numbers) "
            f"{'are' if left_out > 1 else 'is'} not listed; the facts tables give their counts where "
            "they can be shown.", "note"))
    out.append(Paragraph(
        "The intervals treat the two phases as separate groups of files (Newcombe's method). "
        "A change describes the files read; it does not show on its own what caused it.",
        "note"))
    return out


__all__ = ["MIN_A_SIDE", "TOO_FEW", "Row", "Side", "fact_rows", "pattern_rows", "patterns_blocks"]
