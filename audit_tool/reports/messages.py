"""Page 1's key messages, and the honesty rules every headline on it obeys.

Three to five messages drawn from the released figures: the items least often meeting the
standard, the largest changes whose 95% interval excludes zero, and the patterns still
common in the later phase. A headline never rests on one rated item or on fewer than
MIN_A_SIDE audits a side: it reads "too few to judge" instead. No SQL here.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..checklists.phases import PhaseWords
from ..disclosure.rules import small
from ..findings import Comparison, Findings, GroupFinding
from ..findings.clustered import Interval
from ..formatting import percent
from .patterns import BASE, MIN_A_SIDE, POST, TOO_FEW, Row

MAX_MESSAGES, MIN_MESSAGES = 5, 3
STILL_COMMON = 0.25  # a pattern not avoided in a quarter or more of the later phase's files


def one_item(g: GroupFinding) -> bool:
    """A theme whose share rests on one rated item per audit: no headline of its own."""
    return g.rated <= g.audits


def enough(c: Comparison) -> bool:
    """A change judged at all: MIN_A_SIDE or more audits in each phase."""
    return c.base_audits >= MIN_A_SIDE and c.post_audits >= MIN_A_SIDE


@dataclass(frozen=True)
class Message:
    kind: str  # "gap", "change", "pattern", "none"
    text: str
    size: float  # how large: for ranking within a kind


def _points(d: float) -> str:
    return f"{d * 100:+.0f} points"


def gap_messages(f: Findings, cid: str, marked: frozenset[str]) -> list[Message]:
    items = [g for g in f.by_item if g.checklist_id == cid and g.share is not None
             and not small(g.audits) and g.audits >= MIN_A_SIDE and not g.withheld]
    out = []
    for g in sorted(items, key=lambda g: (g.share, -g.audits, g.label))[:2]:
        where = " (asked only where an earlier answer fell short)" if g.key in marked else ""
        out.append(Message("gap", f"Least often meeting the standard: {percent(g.share)} of "
                           f"{g.audits:,} audits on '{g.label}'{where}.", 1 - g.share))
    return out


def change_messages(themes: list[tuple[Comparison, Interval]], rows: list[Row],
                    words: PhaseWords) -> list[Message]:
    """Theme changes (audit-level intervals) and item changes (Newcombe) whose interval
    excludes zero, largest first."""
    b, p = words.name(BASE).lower(), words.name(POST).lower()
    found = []
    for c, iv in themes:
        if not iv.estimable or iv.low <= 0 <= iv.high or c.base_share is None or c.post_share is None:
            continue
        found.append(Message("change", (
            f"{c.label}: items meeting the standard {percent(c.base_share)} ({b}, "
            f"{c.base_audits:,} audits) and {percent(c.post_share)} ({p}, {c.post_audits:,} "
            f"audits), {_points(iv.estimate)} (95% interval {iv.low * 100:+.0f} to "
            f"{iv.high * 100:+.0f})."), abs(iv.estimate)))
    for r in rows:
        ch = r.change()
        if ch is None or ch[1] <= 0 <= ch[2]:
            continue
        assert r.base and r.post
        what = "files avoiding the pattern" if r.kind == "pattern" else "audits"
        found.append(Message("change", (
            f"{r.label}: {percent(r.base.share)} of {b} {what} and {percent(r.post.share)} of "
            f"{p} {what}, {_points(ch[0])} (95% interval {ch[1] * 100:+.0f} to {ch[2] * 100:+.0f})."),
            abs(ch[0])))
    return sorted(found, key=lambda m: -m.size)


def pattern_messages(rows: list[Row], words: PhaseWords) -> list[Message]:
    p = words.name(POST).lower()
    out = []
    for r in rows:
        if r.kind != "pattern" or r.post is None or r.post.share is None or r.post.audits < MIN_A_SIDE:
            continue
        seen = 1 - r.post.share
        if seen >= STILL_COMMON:
            out.append(Message("pattern", (
                f"Still common: in {percent(seen)} of {r.post.audits:,} {p} audits the record "
                f"did not avoid the pattern '{r.label}'"), seen))
    return [Message(m.kind, m.text + ".", m.size) for m in sorted(out, key=lambda m: -m.size)]


def key_messages(gaps: list[Message], changes: list[Message], patterns: list[Message],
                 limit: int = MAX_MESSAGES) -> list[Message]:
    """Up to `limit` messages: the largest gap, change and pattern first, then the next of
    each, so that a shorter list still has one of each kind. None at all: 'too few to judge'."""
    order = []
    for rank in range(max(len(gaps), len(changes), len(patterns))):
        for kind in (gaps, changes, patterns):
            if rank < len(kind):
                order.append(kind[rank])
    if not order:
        return [Message("none", (
            f"Too few to judge: no item or change rests on {MIN_A_SIDE} or more audits in each "
            "phase, so there are no key messages yet."), 0)]
    return order[:limit]


__all__ = ["MAX_MESSAGES", "MIN_MESSAGES", "Message", "TOO_FEW", "change_messages", "enough",
           "gap_messages", "key_messages", "one_item", "pattern_messages"]
