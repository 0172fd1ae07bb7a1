"""Pages 1 and 2 of the steering-group report: what a chair reads in a minute.

Page 1: three to five key messages drawn from the data (reports/messages.py), the lead's
commentary and decisions sought when written (reports/notes.py), how many files over which
months, how they were chosen, how many were read twice and how far the readers agreed; for
each checklist the change between its phases in the checklist's own words
(checklists/phases.py), how many files were read in both, and the items least often meeting
the standard. A headline resting on one item or on fewer than 10 audits a side reads "too
few to judge". Page 1 is laid out and measured (fit_first_page) and gives up optional parts
until it fits one page. Page 2: the patterns, language and outcomes by phase
(reports/patterns.py). Every figure is a released one (the Tally, reports/release.py) and
obeys the small-number rules (disclosure/rules.py); recommendation texts appear only when
the report is built with free text. A death review's page 1 is built elsewhere: call
first_pages(data, ...) only for the checklists it suits.
"""

from __future__ import annotations

import re
from calendar import monthrange
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING

from ..checklists.phases import DEFAULT as DEFAULT_WORDS
from ..checklists.phases import PhaseWords
from ..disclosure.rules import SUPPRESS_BELOW, Census, label, small, suppress_counts
from ..domain import Phase
from ..findings import Comparison, Findings, GroupFinding
from ..findings.agreement import MIN_FILES, Agreement
from ..findings.clustered import Interval, PairMoments, change_interval
from ..findings.records import Recommendation
from ..formatting import NO_VALUE, long_date, percent
from .agreement_section import sentence as agreement_sentence
from .messages import (
    MAX_MESSAGES,
    MIN_MESSAGES,
    Message,
    change_messages,
    enough,
    gap_messages,
    key_messages,
    pattern_messages,
)
from .model import Heading, KeyValue, PageBreak, Paragraph, Report, Table
from .notes import ReleaseNotes
from .patterns import (
    AFTER_FAILING_MARK,
    AFTER_FAILING_NOTE,
    BASE,
    MIN_A_SIDE,
    POST,
    TOO_FEW,
    fact_rows,
    pattern_rows,
    patterns_blocks,
)
from .tally import DATED, EXACT, OVERDUE, OWNED, RECORDED, UNREAD, Tally

if TYPE_CHECKING:
    from .aggregate import AggregateFindings

GAPS_PER_CHECKLIST = 3
METHOD_NOTE = (
    "Page 1: the change compares the later phase with the earlier one (post-training with "
    "baseline) over all of a checklist's rated items, and is judged only with 10 or more audits "
    "in each phase; the items least often meeting the standard take all phases together, and only "
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


def _change_sentence(c: Comparison, iv: Interval | None, words: PhaseWords = DEFAULT_WORDS) -> str:
    """The change in plain words, with its audit-level 95% interval (case files as clusters,
    so items of one file are not treated as independent: findings/clustered.py)."""
    before, after = percent(c.base_share), percent(c.post_share)
    b, p = words.name(BASE).lower(), words.name(POST).lower()
    if before == after:
        move = f"stayed at {before} ({b} and {p})"
    else:
        move = f"{'rose' if c.post_share > c.base_share else 'fell'} from {before} ({b}) to {after} ({p})"
    d = c.post_share - c.base_share
    if iv is None or not iv.estimable:
        return f"Items meeting the standard {move} (change {d * 100:+.0f} points; too little variation for an interval)."
    return (
        f"Items meeting the standard {move} "
        f"(change {d * 100:+.0f} points, 95% interval {iv.low * 100:+.0f} to {iv.high * 100:+.0f})."
    )


def change_line(c: Comparison, hidden: tuple[bool, bool], iv: Interval | None,
                words: PhaseWords = DEFAULT_WORDS) -> str:
    """A checklist's change between its two phases, or why there is none.
    hidden: whether its baseline and post-training audit counts are suppressed."""
    b, p = words.name(BASE).lower(), words.name(POST).lower()
    if not c.base_audits and not c.post_audits:
        return f"No {b} or {p} files yet."
    if not c.base_audits:
        return f"No {b} files yet, so no change to report."
    if not c.post_audits:
        return f"No {p} files yet."
    if hidden[0] or hidden[1]:
        which = " and ".join(n for n, h in zip((b, p), hidden, strict=True) if h)
        return (
            f"Too few {which} files to show the change (fewer than {SUPPRESS_BELOW}, or "
            "held back so that a small count cannot be worked out)."
        )
    if not enough(c):
        return (f"{TOO_FEW.capitalize()}: {c.base_audits:,} {b} and {c.post_audits:,} {p} audits; "
                f"a change is judged only with {MIN_A_SIDE} or more audits in each phase.")
    if c.base_share is None or c.post_share is None:  # its interval comes from audit_level
        return "No rated items to compare yet."
    return (
        _change_sentence(c, iv, words)[:-2]
        + f"; {c.base_audits:,} {b} and {c.post_audits:,} {p} audits)."
    )


def same_files_line(shared: int, c: Comparison, words: PhaseWords = DEFAULT_WORDS) -> str:
    """How many case files were read in both phases, and what that means for the change: a
    change between different files does not show what caused it."""
    b, p = words.name(BASE).lower(), words.name(POST).lower()
    cause = "it does not show on its own what caused the change."
    if not shared:
        return f"No case file was read in both phases: the {b} and {p} files are different files, so {cause}"
    n = f"Fewer than {SUPPRESS_BELOW}" if small(shared) else f"{shared:,}"
    if 2 * shared < min(c.base_audits, c.post_audits):
        return (f"{n} case files were read in both phases; most {b} and {p} files are different "
                f"files, so {cause}")
    return f"{n} case files were read in both phases. The change describes the files read; {cause}"


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

# What page 1 gives up, in turn, until it fits on one page: (messages, gap rows per checklist,
# whether the figures behind the messages move to page 2). The gap rows go first: the top
# gaps are messages already. The lead's commentary and the
# decisions sought are never cut: with long notes the figures go to page 2 before the
# messages drop below three.
TRIMS = ((MAX_MESSAGES, GAPS_PER_CHECKLIST, False), (MAX_MESSAGES, 2, False),
         (MAX_MESSAGES, 1, False), (MAX_MESSAGES, 0, False), (4, 0, False),
         (MIN_MESSAGES, 0, False), (MAX_MESSAGES, GAPS_PER_CHECKLIST, True),
         (4, GAPS_PER_CHECKLIST, True), (MIN_MESSAGES, GAPS_PER_CHECKLIST, True),
         (2, GAPS_PER_CHECKLIST, True), (1, GAPS_PER_CHECKLIST, True))


def reliability_line(found: Agreement | None, cid: str, tally: Tally = EXACT, short: bool = False) -> str:
    """How many case files were read twice and how far the readers agreed, or that no file
    was (findings/agreement.py; the count of files released like the agreement section's).
    short: a clause for one checklist among several."""
    c = next((c for c in found.checklists if c.checklist_id == cid), None) if found else None
    if c is None or not c.files:
        return "no file read twice" if short else NOT_READ_TWICE
    n = tally.files(c.readers.values()) if c.readers else c.files
    files = f"Fewer than {MIN_FILES}" if n < MIN_FILES else f"{n:,}"
    g = c.overall.nominal
    if g is None or g.percent is None:
        if short:
            return f"{files.lower()} files read twice, too few for agreement figures"
        return f"{files} case files were read by two or more readers: too few for agreement figures."
    if short:
        ac = f", AC1 {g.ac.value:.2f}" if g.ac is not None else ""
        return f"{files} files read twice, readers agreed on {percent(g.percent.value)}{ac}"
    return f"{files} case files were read by two or more readers. " + agreement_sentence(c.overall)


NOT_READ_TWICE = "No file was read twice: ratings have not been checked between readers."


def _notes_blocks(notes: ReleaseNotes | None) -> list:
    """The lead's commentary and the decisions sought: nothing, not even a heading, when the
    lead wrote none."""
    out: list = []
    if notes is None:
        return out
    paras = [" ".join(p.split()) for p in notes.commentary.split("\n\n") if p.strip()]
    if paras:
        out += [Heading("Commentary", 2), *[Paragraph(p) for p in paras]]
    decisions = [" ".join(d.split()) for d in notes.decisions if d.strip()]
    if decisions:
        out += [Heading("Decisions sought", 2),
                *[Paragraph(f"{i}. {d}") for i, d in enumerate(decisions, 1)]]
    return out


def _words(data: AggregateFindings, cid: str) -> PhaseWords:
    h = data.honesty.checklists.get(cid) if data.honesty else None
    return h.words if h else DEFAULT_WORDS


def _messages(data: AggregateFindings, covered: list[str], titles: dict[str, str]
              ) -> tuple[list[Message], list[Message], list[Message]]:
    """The candidates for the key messages over the checklists reported (each named when
    there are several): gaps, changes and patterns, largest first, for key_messages."""
    f, level = data.findings, data.level
    gaps, changes, patterns = [], [], []
    for cid in covered:
        h = data.honesty.checklists.get(cid) if data.honesty else None
        words = _words(data, cid)
        name = f"{titles.get(cid, cid)}: " if len(covered) > 1 else ""
        rows = (pattern_rows(h, data.tally) + fact_rows(h, data.facts.get(cid, ()))) if h else []
        themes = []
        if not data.filter.phase:
            hidden = phase_hidden(data.census, cid)
            for c in f.theme_change:
                m = level.change.get((cid, c.key))
                if c.checklist_id != cid or m is None or any(hidden) or not enough(c):
                    continue
                iv = change_interval(m)
                if iv is not None:
                    themes.append((c, iv))
        else:
            rows = []
        for kind, found in ((gaps, gap_messages(f, cid, h.after_failing if h else frozenset())),
                            (changes, change_messages(themes, rows, words)),
                            (patterns, pattern_messages(rows, words))):
            kind += [Message(m.kind, name + m.text, m.size) for m in found]
    return (sorted(gaps, key=lambda m: -m.size), sorted(changes, key=lambda m: -m.size),
            sorted(patterns, key=lambda m: -m.size))


def first_pages(data: AggregateFindings, drafts: str, titles: dict[str, str], scrub,
                include_free_text: bool, today: date, trim: int = 0,
                memo: dict[str, object] | None = None) -> list:
    """Page 1 (the summary: key messages, the lead's notes, the figures behind them, the
    change and the gaps), a page break, then page 2 (patterns and outcomes by phase).
    drafts: what the report says of drafts; trim: how much optional content page 1 gives up
    to fit on one page (TRIMS; see fit_first_page). memo: a dict kept across the calls for
    one report (fit_first_page tries up to len(TRIMS) trims), in which what does not depend
    on the trim is kept, worked out once."""
    f, cen, flt, level, tally = data.findings, data.census, data.filter, data.level, data.tally
    memo = {} if memo is None else memo

    def once(key: str, make: Callable[[], object]):
        if key not in memo:
            memo[key] = make()
        return memo[key]

    covered = sorted(cen.reported(), key=lambda c: titles.get(c, c))
    n_messages, per_checklist, moved = TRIMS[min(trim, len(TRIMS) - 1)]
    recs = data.recommendations
    per_checklist = min(per_checklist, gaps_per_checklist(len(covered), include_free_text and bool(recs)))
    n = cen.total(set(covered))
    out: list = [Heading("Summary", 1), Heading("Key messages", 2)]
    pools = once("messages", lambda: _messages(data, covered, titles))
    out += [Paragraph(f"\u2022 {m.text}") for m in key_messages(*pools, n_messages)]
    out += _notes_blocks(data.notes)
    rows = [
        ("Files audited", f"{n:,} audits of {_count(data.cases)} case files"),
        ("Period", period(data.months)),
        ("How files were chosen", how_chosen(data.sampled)),
        ("Drafts", drafts),
        ("Recommendations", once("counts", lambda: recommendation_counts(recs, today, tally))),
    ]
    if len(covered) == 1:
        rows.append(("Read twice", reliability_line(data.agreement, covered[0], tally)))
    else:  # one clause per checklist, in one row
        clauses = [f"{titles.get(c, c)}: {reliability_line(data.agreement, c, tally, True)}"
                   for c in covered]
        rows.append(("Read twice", "; ".join(clauses) + "."))
    if moved:  # long notes: the figures follow on page 2, the honesty line stays
        out += [KeyValue([rows[0], *rows[5:]]), PageBreak(), Heading("Summary figures", 2)]
    out.append(KeyValue(rows[1:5] if moved else rows))
    several = len(covered) > 1
    marked_any = False
    for cid in covered:
        words = _words(data, cid)
        c = checklist_comparison(f, cen, cid, titles.get(cid, cid), level.change_overall.get(cid))
        out.append(Heading(f"{c.label}: {words.change.lower()}" if several else words.change, 2))
        if flt.phase:  # one phase chosen: its absence of a change says nothing
            out.append(Paragraph(f"{words.name(flt.phase)} audits only in this selection, so no change to show."))
        else:
            iv = change_interval(level.change_overall[cid]) if cid in level.change_overall else None
            hidden = phase_hidden(cen, cid)
            out.append(Paragraph(change_line(c, hidden, iv, words)))
            if c.base_audits and c.post_audits and not any(hidden):
                out.append(Paragraph(same_files_line(level.shared_cases.get(cid, 0), c, words), "note"))
        h = data.honesty.checklists.get(cid) if data.honesty else None
        marked = h.after_failing if h else frozenset()
        gaps = top_gaps(f, cid, per_checklist) if per_checklist else []
        if gaps:
            marked_any |= any(g.key in marked for g in gaps)
            out.append(
                Table(
                    ["Least often meeting the standard (all phases)", "Meeting", "Audits"],
                    [[g.label + (f" {AFTER_FAILING_MARK}" if g.key in marked else ""),
                      percent(g.share), f"{g.audits:,}"] for g in gaps],
                    align=["l", "r", "r"],
                    widths=[6.6, 0.9, 0.7],
                )
            )
    if marked_any:
        out.append(Paragraph(AFTER_FAILING_NOTE, "note"))
    if include_free_text and recs:
        out += once("texts", lambda: recommendation_texts(recs, scrub, 3 if len(covered) == 1 else 2,
                                                          tally))
    if not moved:  # else the break came before the figures
        out.append(PageBreak())
    return out + once("page 2", lambda: _page2(data, covered, titles))


def _page2(data: AggregateFindings, covered: list[str], titles: dict[str, str]) -> list:
    """Page 2: the patterns and outcomes by phase of each checklist reported."""
    out: list = []
    for cid in covered:
        h = data.honesty.checklists.get(cid) if data.honesty else None
        if h is not None:
            out += patterns_blocks(h, data.facts.get(cid, ()), data.tally,
                                   titles.get(cid, cid) if len(covered) > 1 else "", 1,
                                   bool(data.filter.phase))
    return out


def fit_first_page(report: Report, page1: Callable[[int], list] | None) -> Report:
    """The report with page 1 on one page: lay out the title and page 1 alone (up to its
    page break, with a few lines' room to spare for the DOCX) and, while they run over, rebuild
    page 1 with less of its optional content (TRIMS). `page1(trim)`: first_pages' blocks,
    which start report.blocks."""
    if page1 is None:
        return report
    from . import fonts
    from .pdf import fits_one_page  # the renderers are imported on first use

    blocks = list(report.blocks)
    current = page1(0)
    rest = blocks[len(current):]
    with fonts.measuring():  # the tries lay out much the same text
        for trim in range(len(TRIMS)):
            if trim:
                current = page1(trim)
            end = next((i for i, b in enumerate(current) if isinstance(b, PageBreak)), len(current))
            probe = replace(report, blocks=[*current[:end], Paragraph(SPARE)], draft=report.draft)
            if fits_one_page(probe):  # the PDF's own layout is the only honest measure
                break
    return replace(report, blocks=[*current, *rest])


SPARE = "\n" * 3  # room kept on page 1 for a word processor's slightly different layout


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
