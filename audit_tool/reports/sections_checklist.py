"""The aggregate report's section for one checklist (no SQL: it takes the findings).

Every figure resting on fewer than SUPPRESS_BELOW audits is hidden, with any figure that
would give it back (rules in disclosure/rules.py).
"""

from __future__ import annotations

from ..checklists.model import Scale
from ..checklists.phases import DEFAULT, PhaseWords
from ..disclosure.rules import HIDDEN, SUPPRESS_BELOW, Line, label, small, suppress
from ..findings import Comparison, Findings, GroupFinding
from ..findings.audit_level import TAG_KINDS, AuditLevel
from ..findings.census import Behind
from ..findings.clustered import Interval, change_interval, share_interval
from ..findings.order import in_report_order
from ..formatting import NO_VALUE, percent
from .messages import MIN_A_SIDE, TOO_FEW, enough, one_item
from .model import BarChart, Heading, Paragraph, Series, Table
from .scales import column_label, column_order, key_line
from .sections_area import interval_cell

# Tag kinds reported (findings.audit_level.TAG_KINDS: principles, components, practice areas,
# then quality indicators, in that order); each table's first column names its kind.
TAG_KIND_NAMES = {
    "principle": "Principle",
    "component": "Critical component",
    "practice_area": "Practice area",
    "quality_indicator": "Quality indicator",
}

def _group_table(groups: list[GroupFinding], first: str, hidden: list[bool],
                 intervals: dict[str, Interval | None]) -> Table:
    """One row per group; a hidden row shows nothing but '<5' or 'suppressed' for its audits
    (its rated items would give the audit count back). Intervals: audit-level, by group key."""
    return Table(
        [first, "Audits", "Rated items", "Meeting the standard", "95% interval"],
        [[g.label, label(g.audits, True), HIDDEN, HIDDEN, NO_VALUE] if h
         else [g.label, str(g.audits), str(g.rated), percent(g.share), interval_cell(intervals.get(g.key))]
         for g, h in zip(groups, hidden, strict=True)],
        align=["l", "r", "r", "r", "r"],
        widths=[4, 1, 1.2, 1.5, 1.5],
    )


def _group_chart(title: str, groups: list[GroupFinding], hidden: list[bool],
                 intervals: dict[str, Interval | None]) -> BarChart | None:
    shown = [g for g, h in zip(groups, hidden, strict=True) if g.share is not None and not h]
    if not shown:
        return None
    ivs = [intervals.get(g.key) for g in shown]
    return BarChart(
        title,
        [g.label for g in shown],
        [Series("Meeting the standard", [g.share * 100 for g in shown])],
        unit="%",
        max_value=100,
        intervals=[(iv.low * 100, iv.high * 100) if iv and iv.estimable else None for iv in ivs],
        alt_text=title + ": " + "; ".join(f"{g.label} {percent(g.share)}" for g in shown) + ".",
    )



def _hidden_groups(groups: list[GroupFinding]) -> list[bool]:
    """A theme or tag is hidden when its share rests on fewer than SUPPRESS_BELOW audits
    (the findings count distinct audits with a rated answer)."""
    return [small(g.audits) for g in groups]


def _shared_cases_text(shared: int, words: PhaseWords = DEFAULT) -> str:
    """Whether baseline and post-training read the same case files (counted by case id)."""
    if not shared:
        return (f"No case file was read at both {words.pair}: the two phases are "
                "separate groups of case files.")
    files = f"Fewer than {SUPPRESS_BELOW} case files were" if small(shared) else f"{shared:,} case files were"
    return (f"{files} read at both {words.pair}. The interval for each change takes "
            "all audits of one case file together, so these pairs are allowed for rather than "
            "treated as independent.")


def _comparison_hidden(c: Comparison, theme: GroupFinding | None, theme_hidden: bool) -> tuple[bool, bool] | None:
    """Which of a theme's baseline and post-training audit counts to hide. With the theme's
    audits shown, baseline + post-training + the rest (follow-up) add up to it. None: hide
    both counts, labels and all."""
    if theme is None or theme_hidden:
        return None
    cells = [c.base_audits, c.post_audits, max(0, theme.audits - c.base_audits - c.post_audits)]
    hidden = suppress(cells, [small(x) for x in cells], [Line((0, 1, 2), tuple(cells))])
    return None if hidden is None else (hidden[0], hidden[1])


def _distribution_hidden(g: GroupFinding, bh: Behind, cid: str) -> dict[tuple[str, str], bool] | None:
    """Which rating counts of a theme to hide: those given in fewer than SUPPRESS_BELOW audits,
    and more where the theme's rated items (and, from its share, those meeting and not meeting
    the standard) minus the shown counts would give one back. None: hide the whole row."""
    buckets = list(g.distribution)
    facts = [bh.level.get((cid, g.key, b.scale, b.value), (b.count, None)) for b in buckets]
    sizes = [a for a, _ in facts]

    def line(pick) -> Line:
        idx = tuple(i for i, (_, m) in enumerate(facts) if pick(m))
        return Line(idx, tuple(buckets[i].count for i in idx))

    lines = [line(lambda m: m is not None), line(lambda m: m == 1), line(lambda m: m == 0)]
    hidden = suppress(sizes, [small(a) for a in sizes], lines)
    return None if hidden is None else {(b.scale, b.value): h for b, h in zip(buckets, hidden, strict=True)}


def checklist_section(f: Findings, bh: Behind, cid: str, title: str, several: bool,
                      phase_floor: tuple[bool, bool], scales: dict[str, Scale],
                      level: AuditLevel, words: PhaseWords = DEFAULT) -> list:
    """One checklist's findings in the aggregate report: key findings, themes, tags, quality
    indicators, baseline against post-training, rating distributions and
    recurring strengths and gaps. level: the per-audit counts behind the intervals; words:
    what the checklist's phases mean (checklists/phases.py)."""
    theme_iv = {k: share_interval(m) for (c, k), m in level.theme.items() if c == cid}
    tag_iv = {k: share_interval(m) for (c, k), m in level.tag.items() if c == cid}
    change_iv = {k: change_interval(m) for (c, k), m in level.change.items() if c == cid}
    lvl = 2 if several else 1
    out: list = [Heading(title, 1)] if several else []
    themes = [g for g in f.by_theme if g.checklist_id == cid]
    theme_hidden = _hidden_groups(themes)
    shown_themes = [g for g, h in zip(themes, theme_hidden, strict=True) if not h]
    out.append(Heading("Key findings", lvl))
    rated = sum(g.rated for g in shown_themes)
    meets = sum(g.meets for g in shown_themes)
    lines = []
    if rated:
        scope = "all themes" if len(shown_themes) == len(themes) else "the themes shown"
        lines.append(f"Across {scope}, {meets / rated:.0%} of rated items met the standard.")
        # no headline on a theme of one rated item or of fewer than MIN_A_SIDE audits
        ranked = [g for g in shown_themes if g.share is not None and not one_item(g)
                  and g.audits >= MIN_A_SIDE]
        best = max(ranked, key=lambda g: g.share, default=None)
        worst = min(ranked, key=lambda g: g.share, default=None)
        if best and best.share != worst.share:
            lines.append(f"Strongest theme: {best.label} ({percent(best.share)}). "
                         f"Weakest theme: {worst.label} ({percent(worst.share)}).")
        elif len(ranked) < 2 <= len(shown_themes):
            lines.append(f"Strongest and weakest theme: {TOO_FEW} (a theme needs more than one "
                         f"rated item and {MIN_A_SIDE} or more audits).")
    by_key = {g.key: (g, h) for g, h in zip(themes, theme_hidden, strict=True)}
    comp = [c for c in f.theme_change if c.checklist_id == cid]
    comp_hidden = [_comparison_hidden(c, *by_key.get(c.key, (None, True))) for c in comp]
    comp_hidden = [None if h is None else (h[0] or phase_floor[0], h[1] or phase_floor[1]) for h in comp_hidden]
    changes = [c for c, h in zip(comp, comp_hidden, strict=True)
               if change_iv.get(c.key) and h and not any(h)]
    if changes and not any(enough(c) for c in changes):
        lines.append(f"Largest {words.change_lower}: {TOO_FEW} (fewer than {MIN_A_SIDE} audits in "
                     "a phase).")
    changes = [c for c in changes if enough(c)]
    if changes:
        up = max(changes, key=lambda c: change_iv[c.key].estimate)
        ch = change_iv[up.key]
        span = (f"95% interval {ch.low * 100:+.0f} to {ch.high * 100:+.0f}" if ch.estimable
                else "no interval: every rated item or none met the standard")
        lines.append(f"Largest {words.change_lower}: {up.label}, {ch.estimate * 100:+.0f} points "
                     f"({span}).")
    out += [Paragraph(s) for s in lines] or [Paragraph("No rated items in this selection.")]

    out.append(Heading("By theme", lvl))
    out.append(_group_table(themes, "Theme", theme_hidden, theme_iv))
    chart = _group_chart("Share meeting the standard, by theme", themes, theme_hidden, theme_iv)
    if chart:
        out.append(chart)

    out += _tag_section(f, cid, lvl, tag_iv)

    out += _quality_indicator_section(f, cid, lvl, tag_iv)

    if any(c.base_rated and c.post_rated for c in comp):
        base_name, post_name = words.name("baseline"), words.name("post_training")
        out.append(Heading(f"{base_name} and {words.lower('post_training')}", lvl))
        rows, cats, base, post = [], [], [], []
        for c, h in zip(comp, comp_hidden, strict=True):
            hb, hp = h if h is not None else (True, True)
            hide = hb or hp
            ch = None if hide else change_iv.get(c.key)
            rows.append([
                c.label, label(c.base_audits, hb) if h is not None else HIDDEN,
                HIDDEN if hide else percent(c.base_share),
                label(c.post_audits, hp) if h is not None else HIDDEN,
                HIDDEN if hide else percent(c.post_share),
                NO_VALUE if ch is None else f"{ch.estimate * 100:+.0f}",
                NO_VALUE if ch is None or not ch.estimable else f"{ch.low * 100:+.0f} to {ch.high * 100:+.0f}",
            ])
            if not hide and c.base_share is not None and c.post_share is not None:
                cats.append(c.label)
                base.append(c.base_share * 100)
                post.append(c.post_share * 100)
        out.append(Table(
            ["Theme", f"{base_name} audits" if words.training else f"Audits, {words.lower('baseline')}",
             base_name,
             f"{post_name} audits" if words.training else f"Audits, {words.lower('post_training')}",
             post_name,
             "Change (points)", "95% interval"],
            rows, align=["l", "r", "r", "r", "r", "r", "r"], widths=[3, 1, 1, 1.1, 1.1, 1, 1.7],
        ))
        out.append(Paragraph(_shared_cases_text(level.shared_cases.get(cid, 0), words), "note"))
        if any(h is None or any(h) for h in comp_hidden):
            out.append(Paragraph(
                f"'suppressed': a phase with fewer than {SUPPRESS_BELOW} audits on the theme, or one "
                "that would give such a count away from the theme's total (see the method notes).",
                "note"))
        if cats:
            out.append(BarChart(
                "Meeting the standard before and after training" if words.training
                else f"Meeting the standard: {words.pair}", cats,
                [Series(base_name, base), Series(post_name, post)], unit="%", max_value=100,
                alt_text=f"{base_name} against {words.lower('post_training')} by theme: " + "; ".join(
                    f"{c} {b:.0f}% then {p:.0f}%" for c, b, p in zip(cats, base, post, strict=True)) + ".",
            ))

    out += _distribution_section(themes, theme_hidden, bh, cid, lvl, scales)

    items = [g for g in f.by_item if g.checklist_id == cid and g.share is not None
             and not small(g.audits)]
    if len(items) >= 2:
        out.append(Heading("Recurring strengths and gaps", lvl))
        ordered = sorted(items, key=lambda g: g.share)
        gaps, strengths = ordered[:5], ordered[::-1][:5]
        out.append(Table(["Most often below the standard", "Meeting the standard", "Audits"],
                         [[g.label, percent(g.share), str(g.audits)] for g in gaps],
                         align=["l", "r", "r"], widths=[6, 1.5, 1]))
        out.append(Table(["Most often meeting the standard", "Meeting the standard", "Audits"],
                         [[g.label, percent(g.share), str(g.audits)] for g in strengths],
                         align=["l", "r", "r"], widths=[6, 1.5, 1]))
    return out


def _tag_section(f: Findings, cid: str, lvl: int, intervals: dict[str, Interval | None]) -> list:
    """Principles, then critical components and practice areas: one table
    per kind, each headed by the kind's name, in the checklist's own order within a kind."""
    # quality indicators get their own section (_quality_indicator_section)
    tags = [g for g in f.by_tag if g.checklist_id == cid and g.kind in TAG_KINDS[:3]]
    if not tags:
        return []
    tags = in_report_order(tags)  # principles first; the checklist's order within a kind
    kinds = [k for k in TAG_KINDS if any(g.kind == k for g in tags)]
    names = [TAG_KIND_NAMES[k].lower() + "s" for k in kinds]
    title = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    out: list = [Heading(f"By {title}", lvl)]
    hidden = _hidden_groups(tags)
    for kind in kinds:
        picked = [(g, h) for g, h in zip(tags, hidden, strict=True) if g.kind == kind]
        out.append(_group_table([g for g, _ in picked], TAG_KIND_NAMES[kind], [h for _, h in picked],
                                intervals))
    chart = _group_chart(f"Share meeting the standard, by {title}", tags, hidden, intervals)
    if chart:
        out.append(chart)
    return out



def _quality_indicator_section(f: Findings, cid: str, lvl: int,
                               intervals: dict[str, Interval | None]) -> list:
    """Care Inspectorate quality indicators: their own table, after the Safe & Together tags.
    Each item usually carries one indicator, so their rated items and items meeting the
    standard add up to the themes': a small row takes the next-smallest with it."""
    qis = [g for g in f.by_tag if g.checklist_id == cid and g.kind == "quality_indicator"]
    if not qis:
        return []
    qi_rows = tuple(range(len(qis)))
    qi_hidden = suppress(
        [g.audits for g in qis],
        _hidden_groups(qis),
        [
            Line(qi_rows, tuple(g.rated for g in qis), labelled=False),
            Line(qi_rows, tuple(g.meets for g in qis), labelled=False),
        ],
    ) or [True] * len(qis)
    out: list = [Heading("By quality indicator", lvl)]
    out.append(_group_table(qis, "Quality indicator", qi_hidden, intervals))
    chart = _group_chart("Share meeting the standard, by quality indicator", qis, qi_hidden, intervals)
    if chart:
        out.append(chart)
    return out


def _distribution_section(themes: list[GroupFinding], theme_hidden: list[bool], bh: Behind, cid: str,
                          lvl: int, scales: dict[str, Scale]) -> list:
    """One table per scale: a row per theme, columns in the scale's best-first order, the
    levels meeting the standard marked (so a reverse-scored 'No' is plain to see)."""
    out: list = [Heading("Rating distributions", lvl)]
    places: dict[str, dict[str, int]] = {}  # scale -> value -> its place in the file
    names: dict[tuple[str, str], str] = {}
    for g in themes:
        for b in g.distribution:
            places.setdefault(b.scale, {}).setdefault(b.value, b.pos)
            names.setdefault((b.scale, b.value), b.label)
    dist_hidden = [None if h else _distribution_hidden(g, bh, cid) for g, h in zip(themes, theme_hidden, strict=True)]
    for scale_id, present in places.items():
        scale = scales.get(scale_id)
        values = column_order(scale, present)
        rows = []
        for g, hidden in zip(themes, dist_hidden, strict=True):
            counts = {b.value: b.count for b in g.distribution if b.scale == scale_id}
            if counts and hidden is None:
                rows.append([g.label] + [HIDDEN] * len(values))
            elif counts:
                rows.append([g.label] + [label(counts.get(v, 0), hidden.get((scale_id, v), False))
                                         for v in values])
        title = scale.title if scale else scale_id
        out.append(Table(["Theme", *(column_label(scale, v, names[scale_id, v]) for v in values)], rows,
                         caption=f"Answers on the scale '{title}'", align=["l"] + ["r"] * len(values),
                         widths=[2.6] + [1.0] * len(values)))
        if key := key_line(scale):
            out.append(Paragraph(key, "note"))
    return out


__all__ = ["TAG_KIND_NAMES", "checklist_section"]
