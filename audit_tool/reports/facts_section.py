"""Report blocks for facts (items on a fact scale): counted, never scored.

In the aggregate report, per checklist: each fact item as a table of audits per answer
(all phases, then each phase); then, for a fact item that splits the report (breakdown),
each of its groups ("women's deaths") with the other facts and the rated items' shares
inside it. Every count goes through disclosure control: a count of 1 to 4 audits reads
'<5', and where counts add up to a total the reader can see (a row, a column, a group) the
next-smallest is held back too, so that no hidden count can be worked out.

In the one-audit report: the audit's facts read as facts ("Sex: Female"); the answer text of
the ratings table says what a hidden item counts as.
"""

from __future__ import annotations

from ..checklists.phases import DEFAULT, PhaseWords
from ..disclosure.rules import HIDDEN, SUPPRESS_BELOW, Line, label, small, suppress
from ..domain import Audit
from ..findings.facts import ALL_PHASES, FactCount, FactFindings, audit_facts
from .model import Heading, KeyValue, Paragraph, Table

NOT_ASKED = "Not asked: counts as not meeting the standard (an earlier answer fell short)"


# -- one audit -------------------------------------------------------------------------------------


def audit_facts_blocks(audit: Audit) -> list:
    """'Facts recorded' with each fact as question and answer; nothing for a checklist
    without facts."""
    rows = audit_facts(audit.checklist.definition, audit.ratings)
    return [Heading("Facts recorded", 1), KeyValue(rows)] if rows else []


def rating_text(audit: Audit, item) -> str | None:
    """The Rating cell of the one-audit ratings table, or None to leave the item out (a fact,
    listed under "Facts recorded"; or hidden and not counted)."""
    from ..checklists.model import FAILS, SHOWN

    d = audit.checklist.definition
    scale = d.scale_of(item)
    if scale.is_fact:
        return None
    effect = d.hidden_effect(item, audit.ratings)
    if effect == FAILS:
        return NOT_ASKED
    if effect != SHOWN:
        return None
    ans = audit.answers.get(item.id)
    level = scale.level(ans.rating) if ans and ans.rating else None
    if level is not None:
        return level.label
    return "Not answered" if item.required else "Not answered (optional)"


# -- aggregate -------------------------------------------------------------------------------------


def _grid_hidden(
    grid: list[list[int]], unseen: frozenset[int] = frozenset(), keep: frozenset[int] = frozenset(),
    noise: int = 0, totals: list[int] | None = None, col_totals: list[int] | None = None,
) -> list[list[bool]] | None:
    """Which cells of a table of audit counts to hide: each row adds up to a total the reader
    sees (or can work out), and so does each column. Rows in `unseen` are never shown (a group
    held back, or the audits outside every group): all their cells count as hidden, so the
    rows shown cannot give them back through a column's total. `noise`, `totals`: a perturbed
    release's bound and each row's printed total (see disclosure.rules.Line). None: hide it all."""
    width = len(grid[0]) if grid else 0
    cells = [n for row in grid for n in row]
    primary = [small(n) or (i // width in unseen) for i, n in enumerate(cells)]
    silent = frozenset(i for i in range(len(cells)) if i // width in unseen)
    # a line of one cell is no line: its "total" is the cell itself
    lines = [
        Line(tuple(range(r * width, (r + 1) * width)), tuple(row), noise=noise,
             total=totals[r] if totals else None)
        for r, row in enumerate(grid)
        if width > 1 and r not in unseen  # an unseen row's total is not shown either
    ]
    lines += [
        Line(
            tuple(r * width + c for r in range(len(grid))),
            tuple(row[c] for row in grid),
            silent=silent,
            noise=noise,
            total=col_totals[c] if col_totals else None,
        )
        for c in range(width)
        if len(grid) > 1
    ]
    hidden = suppress(cells, primary, lines, keep)
    if hidden is None:
        return None
    return [hidden[r * width : (r + 1) * width] for r in range(len(grid))]


# The first answer of a fact that splits the report (women's deaths, listed first by the
# death review) is the group the review exists to see: secondary suppression hides another
# group before it, where that protects the table as well.
FIRST = frozenset({0})


def _fact_table(counts: list[FactCount], phases: list[str], keep_first: bool = False,
                noise: int = 0, words: PhaseWords = DEFAULT) -> Table:
    """One fact item: a row per answer, a column for all phases, then one per phase. First
    the all-phases column (its answers add up to the audits); then the phases, whose answers
    add up to each phase's audits and whose cells add up to the row's first cell. Where that
    first cell is hidden, the row's phases are too: shown, they would add up to it.
    keep_first (the item that splits the report: sex): the first group stays in view, and
    in a perturbed release (`noise`, the most a printed count moves) the lines are read as
    an attacker reads them, printed totals within the noise: a 'not known' group of 1 to 4
    is then protected by the noise of the totals and the groups around it, and the second
    group (men's deaths) is not hidden for it unless the noise could not cover it."""
    first = counts[0]
    grid = [[c.count(v.value) for c in counts] for v in first.values]
    total = [row[0] for row in grid]
    noise = noise if keep_first else 0  # elsewhere, as before: exact arithmetic
    whole = suppress(
        total,
        [small(n) for n in total],
        [Line(tuple(range(len(total))), tuple(total), noise=noise,
              total=first.audits if noise else None)],
        FIRST if keep_first else frozenset(),
    )
    hidden = None
    if whole is not None and len(counts) > 1:
        width = len(counts) - 1
        cells = [n for row in grid for n in row[1:]]
        primary = [small(n) or (whole[i // width] and n > 0) for i, n in enumerate(cells)]
        lines = [
            Line(col, tuple(cells[i] for i in col), noise=noise,
                 total=counts[c + 1].audits if noise else None)
            for c, col in enumerate(
                tuple(r * width + c for r in range(len(grid))) for c in range(width))
        ] + [
            Line(tuple(range(r * width, (r + 1) * width)), tuple(row[1:]), noise=noise,
                 total=row[0] if noise else None)
            for r, row in enumerate(grid)
            if not whole[r]
        ]
        phased = suppress(cells, primary, lines, frozenset(range(width)) if keep_first else frozenset())
        if phased is not None:
            hidden = [[whole[r], *phased[r * width : (r + 1) * width]] for r in range(len(grid))]
    elif whole is not None:
        hidden = [[h] for h in whole]
    heads = ["All audits" if p == ALL_PHASES else words.name(p) for p in phases]
    rows = []
    for r, v in enumerate(first.values):
        if hidden is None:
            row = [HIDDEN] * len(counts)
        else:
            row = [label(n, h) for n, h in zip(grid[r], hidden[r], strict=True)]
        rows.append([v.label, *row])
    # a phase of 1-4 audits reads '<5', as every count of so few does
    rows.append(["Audits", *[label(c.audits, small(c.audits)) for c in counts]])
    return Table(
        ["Option ticked" if first.multiple else "Answer", *heads],
        rows,
        # an audit can tick several options: the option counts do not add up to the audits
        caption=_tick_all(first.question) if first.multiple else first.question,
        align=["l"] + ["r"] * len(counts),
    )


def _tick_all(question: str) -> str:
    """The caption of a multiple-choice item, saying once that several options count."""
    if "tick all that apply" in question.lower():
        return question
    return f"{question} (tick all that apply)"


def aggregate_facts_blocks(
    found: tuple[FactFindings, ...], level: int = 1, noise: int = 0,
    words: PhaseWords = DEFAULT,
) -> list:
    """The facts section of one checklist in the aggregate report (nothing without facts).
    found: the checklist's fact findings (findings.facts.fact_findings), all phases first.
    `level`: the heading level the checklist's own sections use. `noise`: in a perturbed
    release, the most a printed count moves (0: exact); `words`: the checklist's phase names."""
    if not found:
        return []
    every = next(f for f in found if f.phase == ALL_PHASES)
    per_phase = [f for f in found if f.phase != ALL_PHASES]
    sets = [every] + (per_phase if len(per_phase) > 1 else [])
    out: list = [
        Heading("Facts recorded", level),
        Paragraph(
            "Facts are what happened, not how well it was recorded: they are counted, never "
            "scored, and are left out of every share meeting the standard. Each table shows "
            "how many audits gave each answer.",
            "note",
        ),
    ]
    for i in range(len(every.facts)):
        splits = any(bd.item_id == every.facts[i].item_id for bd in every.breakdowns)
        out.append(_fact_table([s.facts[i] for s in sets], [s.phase for s in sets], splits,
                               noise, words))
    for bd in every.breakdowns:
        out += _breakdown_blocks(every, bd, level, noise)
    return out


def breakdown_cells(every: FactFindings, bd, noise: int = 0) -> tuple[list[bool] | None, dict]:
    """What a split (women's and men's deaths) may show, one rule for the facts section and
    the death-review page: which groups' sizes are hidden (None: all), and for every other
    fact its grid (groups x answers, then the audits outside every group) with the cells to
    hide. The group sizes add up to the audits printed: in a perturbed release they are read
    within the noise (see _fact_table), as the table of the split item reads them."""
    overall = next(f for f in every.facts if f.item_id == bd.item_id)
    sizes = [g.audits for g in bd.groups]
    missing = overall.count("")  # "No answer": audits outside every group
    row = [*sizes, missing] if missing else sizes
    hidden = _grid_hidden([row], keep=FIRST, noise=noise, totals=[every.audits] if noise else None)
    if hidden is None:
        return None, {}
    size_hidden = hidden[0]
    # every other fact, counted within each group: groups x answers, rows add up to the
    # group, columns to the overall count shown in the table above
    other = [f for f in every.facts if f.item_id != bd.item_id]
    grids = {}
    for f in other:
        grid = [
            [
                g.facts[[o.item_id for o in g.facts].index(f.item_id)].count(v.value)
                for v in f.values
            ]
            for g in bd.groups
        ]
        if missing:  # the audits outside every group, never shown: counted as hidden
            grid.append(
                [f.count(v.value) - sum(row[c] for row in grid) for c, v in enumerate(f.values)]
            )
        unseen = {gi for gi in range(len(bd.groups)) if size_hidden[gi]}
        if missing:
            unseen.add(len(bd.groups))
        # perturbed: each row adds up to its printed group, each column to the printed count
        # of the answer (the table above), every figure within the noise
        grids[f.item_id] = (grid, _grid_hidden(
            grid, frozenset(unseen), noise=noise,
            # (a multiple-choice row is no sum of its group: its own cells' sum, as before)
            totals=[g.audits for g in bd.groups] + ([missing] if missing else [])
            if noise and not f.multiple else None,
            col_totals=[f.count(v.value) for v in f.values] if noise else None))
    return size_hidden, grids


def _breakdown_blocks(every: FactFindings, bd, level: int, noise: int = 0) -> list:
    overall = next(f for f in every.facts if f.item_id == bd.item_id)
    missing = overall.count("")
    out: list = [
        Heading(f"By {bd.title[:1].lower()}{bd.title[1:]}", min(level + 1, 3)),
        Paragraph(f"Split by the answer to: {overall.question}", "note"),
    ]
    size_hidden, grids = breakdown_cells(every, bd, noise)
    if size_hidden is None:
        return out + [Paragraph(f"Not shown: some groups hold fewer than {SUPPRESS_BELOW} audits.")]
    other = [f for f in every.facts if f.item_id != bd.item_id]
    for gi, g in enumerate(bd.groups):
        if not g.audits:
            continue
        # three heading levels only: under a checklist heading, groups share the level above
        out.append(Heading(f"{g.noun[:1].upper()}{g.noun[1:]}", min(level + 2, 3)))
        if size_hidden[gi]:
            out.append(
                Paragraph(
                    f"Fewer than {SUPPRESS_BELOW} audits, or a count that would give such a "
                    "group away: not shown.",
                    "note",
                )
            )
            continue
        # a table rather than a sentence each: a death review holds dozens of facts
        rows = []
        for f in other:
            grid, hidden = grids[f.item_id]
            shown = [
                (v, grid[gi][c])
                for c, v in enumerate(f.values)
                if hidden is not None and not hidden[gi][c] and grid[gi][c]
            ]
            rows += [
                [f.question if i == 0 else "", v.label, f"{n} of {g.audits}"]
                for i, (v, n) in enumerate(shown)
            ]
        out.append(
            Paragraph(
                f"Within the {g.audits} {g.noun}:"
                if rows
                else f"{g.audits} {g.noun}: no other fact can be shown for them."
            )
        )
        if rows:
            out.append(
                Table(
                    ["Fact", "Answer", f"Of the {g.noun}"],
                    rows,
                    caption=f"Facts within {g.noun}",
                    align=["l", "l", "r"],
                    widths=[5, 2.2, 1.4],
                )
            )
        if any(hidden is None or any(hidden[gi]) for _, hidden in grids.values()):
            out.append(
                Paragraph(
                    f"Counts resting on fewer than {SUPPRESS_BELOW} audits, and any that would "
                    "give one away, are not listed.",
                    "note",
                )
            )
        shares = group_shares(bd, gi) if not small(missing) else []
        if shares:
            out.append(
                Table(
                    ["Rated item", "Audits", "Meeting the standard"],
                    shares,
                    caption=f"Practice within {g.noun}",
                    align=["l", "r", "r"],
                    widths=[6, 1, 1.5],
                )
            )
    return out


def share_hidden(bd, i: int) -> bool:
    """Whether the groups' shares of rated item i are held back: some group rests on 1 to 4
    audits for it, and the overall share would give that group's share away."""
    return any(small(other.shares[i].audits) for other in bd.groups)


def group_shares(bd, gi: int) -> list[list[str]]:
    """Rows of a group's rated items: shown only where every group rests on 0 or at least
    SUPPRESS_BELOW audits for the item, so the overall share cannot give a small one away."""
    rows = []
    g = bd.groups[gi]
    for i, s in enumerate(g.shares):
        if s.share is None:
            continue
        if share_hidden(bd, i):
            continue
        rows.append([s.question, f"{s.audits:,}", f"{s.share:.0%}"])
    return rows


__all__ = ["NOT_ASKED", "aggregate_facts_blocks", "audit_facts_blocks", "breakdown_cells", "group_shares",
           "rating_text", "share_hidden"]
