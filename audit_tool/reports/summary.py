"""Page 1 of the steering-group report: what a chair reads in a minute.

How many files, over which months, how they were chosen, what was left out; for each
checklist the change from baseline to post-training in plain words; the items least often
meeting the standard; and where the recommendations stand. Every figure obeys the same
small-number rules as the rest of the report (disclosure/rules.py), and recommendation texts
appear only when the report is built with free text.
"""

from __future__ import annotations

import re
from calendar import monthrange
from datetime import date

from ..disclosure.rules import SUPPRESS_BELOW, Census, label, small, suppress_counts
from ..domain import Phase
from ..filters import AuditFilter  # a value: the selection the page describes
from ..findings import Comparison, Findings, GroupFinding
from ..findings.audit_level import AuditLevel
from ..findings.clustered import Interval, PairMoments, change_interval
from ..findings.records import Recommendation
from ..formatting import NO_VALUE, long_date, percent
from .model import Heading, KeyValue, PageBreak, Paragraph, Table
from .tally import DATED, EXACT, OVERDUE, OWNED, RECORDED, UNREAD, Tally

GAPS_PER_CHECKLIST = 3
METHOD_NOTE = (
    "Page 1: the change compares post-training with baseline audits over all of a checklist's "
    "rated items; the items least often meeting the standard take all phases together, and only "
    f"items rated in {SUPPRESS_BELOW} or more audits. The period runs from the first to the last "
    "month in which an audit in the report was finalised. Recommendation texts, when asked for, "
    f"are those recorded in {SUPPRESS_BELOW} or more audits, with case references removed; an owner "
    f"or due date is named where {SUPPRESS_BELOW} or more of those audits agree on it."
)


def _count(n: int) -> str:
    return label(n, small(n))


# -- period ------------------------------------------------------------------------------------


def period(months: tuple[str, str] | None) -> str:
    """'November 2024 to October 2026 (24 months)', from the first and last month in which an
    audit was finalised (findings.records.months_spanned)."""
    if not months:
        return NO_VALUE
    first, last = months
    (y1, m1), (y2, m2) = (map(int, s.split("-")) for s in (first, last))
    months_n = (y2 - y1) * 12 + (m2 - m1) + 1
    start, end = date(y1, m1, 1).strftime("%B %Y"), date(y2, m2, 1).strftime("%B %Y")
    if months_n == 1:
        return f"{start} (1 month)"
    return f"{start} to {end} ({months_n} months)"


def how_chosen(note: str | None) -> str:
    """The sampling note (record.sampling_note) as the answer to "how were the files chosen"."""
    if not note:
        return "Not recorded"
    lead = "Case files were chosen as "
    rest = note.removeprefix(lead)
    return rest[:1].upper() + rest[1:] if rest != note else note


# -- change after training ------------------------------------------------------------------------


def checklist_comparison(f: Findings, cen: Census, cid: str, title: str,
                         pair: PairMoments | None = None) -> Comparison:
    """Baseline against post-training over all of a checklist's themes. Each item sits in
    one theme, so the themes' rated items add up exactly; the audits are the checklist's
    audits in each phase. `pair`: the checklist's own sums over case files (the same totals;
    in an anonymised release, perturbed as one cell rather than added up from the themes)."""
    comps = [c for c in f.theme_change if c.checklist_id == cid]
    per: dict[str, int] = {}
    for c, p, _, n in cen.rows:
        if c == cid:
            per[p] = per.get(p, 0) + n
    sums = [sum(c.base_rated for c in comps), sum(c.base_meets for c in comps),
            sum(c.post_rated for c in comps), sum(c.post_meets for c in comps)]
    if pair is not None:
        sums = [round(pair.x1), round(pair.y1), round(pair.x2), round(pair.y2)]
    return Comparison(
        "all", title, cid,
        per.get(Phase.BASELINE.value, 0), sums[0], sums[1],
        per.get(Phase.POST_TRAINING.value, 0), sums[2], sums[3],
    )


def _change_sentence(c: Comparison, iv: Interval | None) -> str:
    """The change in plain words, with its audit-level 95% interval (case files as clusters,
    so items of one file are not treated as independent: findings/clustered.py)."""
    before, after = percent(c.base_share), percent(c.post_share)
    if before == after:
        move = f"stayed at {before} from baseline to post-training"
    else:
        move = f"{'rose' if c.post_share > c.base_share else 'fell'} from {before} at baseline to {after} after training"
    d = c.post_share - c.base_share
    if iv is None or not iv.estimable:
        return f"Items meeting the standard {move} (change {d * 100:+.0f} points; too little variation for an interval)."
    return (
        f"Items meeting the standard {move} "
        f"(change {d * 100:+.0f} points, 95% interval {iv.low * 100:+.0f} to {iv.high * 100:+.0f})."
    )


def change_line(c: Comparison, hidden: tuple[bool, bool], iv: Interval | None) -> str:
    """A checklist's baseline to post-training line, or why there is none.
    hidden: whether its baseline and post-training audit counts are suppressed."""
    if not c.base_audits and not c.post_audits:
        return "No baseline or post-training files yet."
    if not c.base_audits:
        return "No baseline files yet, so no change to report."
    if not c.post_audits:
        return "No post-training files yet."
    if hidden[0] or hidden[1]:
        which = " and ".join(
            n for n, h in zip(("baseline", "post-training"), hidden, strict=True) if h
        )
        return (
            f"Too few {which} files to show the change (fewer than {SUPPRESS_BELOW}, or "
            "held back so that a small count cannot be worked out)."
        )
    if c.base_share is None or c.post_share is None:  # its interval comes from audit_level
        return "No rated items to compare yet."
    return (
        _change_sentence(c, iv)[:-2]
        + f"; {c.base_audits:,} baseline and {c.post_audits:,} post-training audits)."
    )


# -- gaps -----------------------------------------------------------------------------------------


def top_gaps(f: Findings, cid: str, n: int = GAPS_PER_CHECKLIST) -> list[GroupFinding]:
    """The items least often meeting the standard, among those rated in SUPPRESS_BELOW or
    more audits (an item's rated answers are its audits)."""
    items = [
        g
        for g in f.by_item
        if g.checklist_id == cid and g.share is not None and not small(g.audits)
    ]
    return sorted(items, key=lambda g: (g.share, -g.audits, g.label))[:n]


# -- recommendations ------------------------------------------------------------------------------

_ISO = re.compile(r"^(\d{4})-(\d{1,2})(?:-(\d{1,2}))?$")
_UK = re.compile(r"^(\d{1,2})[/.](\d{1,2})[/.](\d{4})$")


def due_date(text: str) -> date | None:
    """A due date as typed: 2026-03-31, 2026-03 (the month's end) or 31/03/2026; None when
    it cannot be read as a date ('next quarter')."""
    text = text.strip()
    try:
        if m := _ISO.match(text):
            y, mo = int(m[1]), int(m[2])
            return date(y, mo, int(m[3]) if m[3] else monthrange(y, mo)[1])
        if m := _UK.match(text):
            return date(int(m[3]), int(m[2]), int(m[1]))
    except ValueError:
        return None
    return None


def _common(values: list[tuple[str, str]], none: str, mixed: str) -> str:
    """The value (of (audit, value) pairs) recorded in SUPPRESS_BELOW or more audits and most
    often; `none` when nothing was recorded, `mixed` when no value is that common."""
    audits_of: dict[str, set[str]] = {}
    for audit, v in values:
        if v:
            audits_of.setdefault(v, set()).add(audit)
    if not audits_of:
        return none
    best = max(audits_of.items(), key=lambda kv: (len(kv[1]), kv[0]))
    return best[0] if len(best[1]) >= SUPPRESS_BELOW else mixed


def gaps_per_checklist(checklists: int, free_text: bool) -> int:
    """How many gaps each checklist lists, so that page 1 stays one page: about six rows
    in all, three when the recommendation texts take their share of the page."""
    if checklists == 1:
        return GAPS_PER_CHECKLIST
    return min(GAPS_PER_CHECKLIST, (3 if free_text else 6) // checklists)


def recommendation_counts(recs: list[Recommendation], today: date, tally: Tally = EXACT) -> str:
    """'12 in 9 audits: 10 with an owner, 7 with a due date, 2 overdue at 2 December 2026.'
    Counts of 1 to 4 read '<5'. `tally`: how counts are released (reports/tally.py)."""
    if not recs:
        return "None recorded in these audits."
    owned = [r.audit_id for r in recs if r.owner.strip()]
    dated = [(r.audit_id, due_date(r.due)) for r in recs if r.due.strip()]
    overdue = [a for a, d in dated if d is not None and d < today]
    unread = [a for a, d in dated if d is None]
    total = tally.records([r.audit_id for r in recs], RECORDED)

    def part(ids: list[str], kind: int) -> str:  # perturbed, a part never reads above the whole
        return _count(min(tally.records(ids, kind), total))

    text = (
        f"{_count(total)} in {_count(tally.audits(r.audit_id for r in recs))} audits: "
        f"{part(owned, OWNED)} with an owner, {part([a for a, _ in dated], DATED)} with a due "
        f"date, {part(overdue, OVERDUE)} overdue at {long_date(today)}."
    )
    if unread:
        text += f" {_count(tally.records(unread, UNREAD))} due dates could not be read as dates."
    return text


def recommendation_texts(recs: list[Recommendation], scrub, limit: int = 3,
                         tally: Tally = EXACT) -> list:
    """With free text only: the (redacted) texts held by SUPPRESS_BELOW or more audits, each
    with the owner and due date SUPPRESS_BELOW or more of those audits agree on."""
    groups: dict[str, list[Recommendation]] = {}
    for r in recs:  # the same words once the references are out count as one recommendation
        groups.setdefault(" ".join(scrub(r.text).split()), []).append(r)
    rows = []
    for words, rs in groups.items():
        audits = {r.audit_id for r in rs}
        if len(audits) < SUPPRESS_BELOW:
            continue
        owner = _common(
            [(r.audit_id, " ".join(scrub(r.owner).split())) for r in rs], "Not assigned", "Various"
        )
        due = _common([(r.audit_id, r.due.strip()) for r in rs], "Not set", "Various dates")
        rows.append((tally.audits(audits), words, owner, due))
    rows.sort(key=lambda r: (-r[0], r[1]))
    if not rows:
        return [
            Paragraph(f"No recommendation was recorded in {SUPPRESS_BELOW} or more audits.", "note")
        ]
    most = f"The {limit} most frequent recommendations" if len(rows) > limit else "Recommendations"
    return [
        Table(
            ["Recommendation", "Owner", "Due", "Audits"],
            [[w, o, d, f"{n:,}"] for n, w, o, d in rows[:limit]],
            caption=f"{most} recorded in {SUPPRESS_BELOW} or more audits, as written",
            align=["l", "l", "l", "r"],
            widths=[5, 2, 1.2, 0.7],
        )
    ]


# -- the page -------------------------------------------------------------------------------------


def summary_section(
    f: Findings,
    cen: Census,
    flt: AuditFilter,
    covered: set[str],
    cases: int,
    drafts: str,
    sampled: str | None,
    titles: dict[str, str],
    scrub,
    include_free_text: bool,
    today: date,
    level: AuditLevel,
    recs: list[Recommendation],
    months: tuple[str, str] | None,
    tally: Tally = EXACT,
) -> list:
    """The executive summary, then a page break: the first page of the report.
    drafts: what the report says of drafts (left out, or how many are included);
    recs, months: the selection's recommendations and the months it spans (findings.records)."""
    n = cen.total(covered)
    out: list = [Heading("Summary", 1)]
    out.append(
        KeyValue(
            [
                ("Files audited", f"{n:,} audits of {_count(cases)} case files"),
                ("Period", period(months)),
                ("How files were chosen", how_chosen(sampled)),
                ("Drafts", drafts),
                ("Recommendations", recommendation_counts(recs, today, tally)),
            ]
        )
    )
    several = len(covered) > 1
    per_checklist = gaps_per_checklist(len(covered), include_free_text and bool(recs))
    for cid in sorted(covered, key=lambda c: titles.get(c, c)):
        c = checklist_comparison(f, cen, cid, titles.get(cid, cid), level.change_overall.get(cid))
        out.append(Heading(c.label if several else "Change after training", 2))
        if flt.phase:  # one phase chosen: its absence of a change says nothing
            line = f"{Phase(flt.phase).label} audits only in this selection, so no change to show."
        else:
            iv = change_interval(level.change_overall[cid]) if cid in level.change_overall else None
            line = change_line(c, phase_hidden(cen, cid), iv)
        out.append(Paragraph(line))
        gaps = top_gaps(f, cid, per_checklist)
        if gaps:
            out.append(
                Table(
                    ["Least often meeting the standard (all phases)", "Meeting", "Audits"],
                    [[g.label, percent(g.share), f"{g.audits:,}"] for g in gaps],
                    align=["l", "r", "r"],
                    widths=[6.6, 0.9, 0.7],
                )
            )
    if include_free_text and recs:
        out += recommendation_texts(recs, scrub, 3 if len(covered) == 1 else 2, tally)
    out.append(PageBreak())
    return out


def phase_hidden(cen: Census, cid: str) -> tuple[bool, bool]:
    """Whether a checklist's baseline and post-training audit counts are hidden in the line of
    its phases (they add up to its audits, which the report shows)."""
    per: dict[str, int] = {}
    for c, p, _, n in cen.rows:
        if c == cid:
            per[p] = per.get(p, 0) + n
    present = [p.value for p in Phase if per.get(p.value)]
    hidden = suppress_counts([per[p] for p in present]) or [True] * len(present)
    gone = {p for p, h in zip(present, hidden, strict=True) if h}
    return Phase.BASELINE.value in gone, Phase.POST_TRAINING.value in gone
