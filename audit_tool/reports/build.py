"""Build the neutral report model from the core's findings (no rendering here).

Two reports: one audit, and an anonymised aggregate for a steering group. Small numbers
can identify people, so aggregate cells counting fewer than SUPPRESS_BELOW audits are
shown as "<5" and left out of charts.
"""

from __future__ import annotations

from datetime import UTC, datetime

from ..audits import get_audit, progress, status_text
from ..domain import Phase, Status
from ..findings import Findings, GroupFinding, findings
from ..findings.language import scanner, summarise
from ..selection import AuditFilter
from ..store import Database
from .model import BarChart, Heading, KeyValue, PageBreak, Paragraph, Report, Series, Table
from .redact import Redactor, all_references, keep

SUPPRESS_BELOW = 5
SUPPRESSED = "<5"


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"


def _date(stamp: str | None) -> str:
    return stamp[:10] if stamp else "—"


def _distribution(g: GroupFinding) -> str:
    return ", ".join(f"{b.label} {b.count}" for b in g.distribution) or "—"




# -- one audit ---------------------------------------------------------------------------------

def audit_report(db: Database, audit_id: str, include_identifiers: bool = False) -> Report:
    audit = get_audit(db, audit_id)
    d = audit.checklist.definition
    ref = audit.case.reference
    f = findings(db, AuditFilter(audit_id=audit_id))
    scrub = keep if include_identifiers else Redactor(all_references(db))
    answered, applicable = progress(audit)
    case_label = f"{ref} ({audit.case.pseudonym})" if include_identifiers else audit.case.pseudonym
    reviewer = audit.reviewer.role or "Reviewer"
    if include_identifiers:
        reviewer = f"{audit.reviewer.name}, {reviewer}"
    concern = (
        f"Yes: {len(audit.concerns)} matter(s) of concern raised and recorded separately "
        "(details are not part of the audit)."
        if audit.concerns
        else "No matter of concern was recorded."
    )
    meta = [
        ("Case", case_label),
        ("Area", audit.case.area),
        ("Agency", audit.case.agency or "—"),
        ("Checklist", f"{d.title}, version {d.version}"),
        ("Audit type", audit.audit_type.label),
        ("Phase", audit.phase.label),
        ("Reviewer", reviewer),
        ("Started", _date(audit.created_at)),
        ("Last changed", _date(audit.updated_at)),
        ("Status", scrub(status_text(audit))),  # an amendment's reason may name the case
        ("Items answered", f"{answered} of {applicable}"),
        ("Matter of concern", concern),
    ]
    if include_identifiers and audit.case.team:
        meta.insert(3, ("Team", audit.case.team))
    blocks: list = [Heading("About this audit", 1), KeyValue(meta)]
    if audit.summary.strip():
        blocks += [Heading("Overall summary", 2), Paragraph(scrub(audit.summary))]

    blocks.append(Heading("Summary by theme", 1))
    blocks.append(
        Table(
            ["Theme", "Rated items", "Meeting the standard", "Share", "Ratings given"],
            [[g.label, str(g.rated), str(g.meets), _pct(g.share), _distribution(g)] for g in f.by_theme],
            align=["l", "r", "r", "r", "l"],
            widths=[3, 1, 1.2, 1, 3.5],
        )
    )
    charted = [g for g in f.by_theme if g.share is not None]
    if charted:
        blocks.append(
            BarChart(
                "Share of rated items meeting the standard, by theme",
                [g.label for g in charted],
                [Series("Meeting the standard", [g.share * 100 for g in charted])],
                unit="%",
                max_value=100,
                alt_text="Share meeting the standard by theme: "
                + "; ".join(f"{g.label} {_pct(g.share)}" for g in charted) + ".",
            )
        )
    blocks.append(
        Paragraph(
            "The share counts rated items only; answers of 'Not applicable' are left out. "
            "Items hidden by a condition are not counted.",
            "note",
        )
    )

    blocks.append(Heading("Ratings and evidence", 1))
    blocks.append(Paragraph(
        f"The Ref column points to the item's guidance on good practice in the checklist "
        f"'{d.title}', version {d.version}.", "note"))
    ratings = audit.ratings
    for theme in d.themes:
        rows = []
        for item in theme.items:
            if not d.visible(item, ratings):
                continue
            ans = audit.answers.get(item.id)
            scale = d.scale_of(item)
            level = scale.level(ans.rating) if ans and ans.rating else None
            rating = level.label if level else ("Not answered" if item.required else "Not answered (optional)")
            note = scrub(ans.note) if ans and ans.note else "—"
            rows.append([item.id, item.question, rating, note])
        if rows:
            blocks.append(Heading(theme.title, 2))
            blocks.append(Table(["Ref", "Question", "Rating", "Evidence"], rows, widths=[0.8, 4.2, 1.3, 3.7]))

    blocks += _audit_language(audit)
    blocks.append(Heading("Strengths, areas for improvement and recommendations", 1))
    blocks.append(Heading("Strengths", 2))
    blocks.append(Paragraph(scrub(audit.strengths) or "None recorded."))
    blocks.append(Heading("Areas for improvement", 2))
    blocks.append(Paragraph(scrub(audit.improvements) or "None recorded."))
    blocks.append(Heading("Recommendations", 2))
    if audit.recommendations:
        blocks.append(
            Table(
                ["Recommendation", "Owner", "By when"],
                [[scrub(r.text), scrub(r.owner) or "Not assigned", r.due or "—"]
                 for r in audit.recommendations],
                widths=[5, 2, 1.2],
            )
        )
    else:
        blocks.append(Paragraph("No recommendations recorded."))
    return Report(
        title=f"{audit.audit_type.label}: {d.title}",
        subtitle=f"{audit.phase.label} · {audit.case.area}" + (" · DRAFT" if audit.status is Status.DRAFT else ""),
        author=reviewer,
        subject="Audit findings",
        created=datetime.now(UTC),
        identifiable=include_identifiers,
        draft=audit.status is Status.DRAFT,
        blocks=blocks,
    )


def _audit_language(audit) -> list:
    sc = scanner()
    found: dict[str, tuple] = {}
    texts = [a.note for a in audit.answers.values()] + [audit.summary, audit.strengths, audit.improvements]
    for text in texts:
        for f in sc.scan(text):
            term, n = found.get(f.term.phrase, (f.term, 0))
            found[f.term.phrase] = (term, n + 1)
    out: list = [Heading("Language to look at again", 1)]
    if not found:
        out.append(Paragraph("No wording from the language list was found in this audit's notes."))
        return out
    out.append(Paragraph(
        "These phrases in the evidence notes can hide who did what. A flag is a prompt to look "
        "again, not a finding: the phrase may be quoted from the file."
    ))
    out.append(Table(
        ["Phrase", "Times", "Why it matters", "Suggested reframe"],
        [[t.phrase, str(n), t.why, t.reframe] for t, n in sorted(found.values(), key=lambda x: -x[1])],
        align=["l", "r", "l", "l"], widths=[1.6, 0.6, 3, 3.5],
    ))
    return out


def _language_section(db: Database, flt: AuditFilter) -> list:
    lang = summarise(db, flt)
    order = [p.value for p in Phase]
    phases = sorted(lang.by_phase, key=lambda p: order.index(p.phase) if p.phase in order else len(order))
    out: list = [Heading("Language", 1)]
    if not lang.by_phase:
        return out + [Paragraph("No evidence notes in this selection.")]
    out.append(Paragraph(
        "Evidence notes and summaries were scanned for wording that hides who did what "
        "(for example 'volatile relationship' or 'failure to protect'). Fewer flags per 1,000 "
        "words after training suggests records that name the person who harmed and the behaviour."
    ))
    out.append(Table(
        ["Phase", "Audits", "Words read", "Flags", "Flags per 1,000 words"],
        [[Phase(p.phase).label, SUPPRESSED, "suppressed", "suppressed", "suppressed"] if _small(p.audits)
         else [Phase(p.phase).label, str(p.audits), f"{p.words:,}", f"{p.flags:,}",
               f"{p.per_thousand:.1f}" if p.per_thousand is not None else "—"]
         for p in phases],
        align=["l", "r", "r", "r", "r"],
    ))
    shown = [p for p in phases if p.per_thousand is not None and not _small(p.audits)]
    if shown:
        out.append(BarChart(
            "Language flags per 1,000 words, by phase", [Phase(p.phase).label for p in shown],
            [Series("Flags per 1,000 words", [p.per_thousand for p in shown])],
            alt_text="Language flags per 1,000 words: " + "; ".join(
                f"{Phase(p.phase).label} {p.per_thousand:.1f}" for p in shown) + ".",
        ))
    if lang.top_terms:
        out.append(Table(
            ["Most flagged wording", "Times", "Suggested reframe"],
            [[t.phrase, f"{n:,}", t.reframe] for t, n in lang.top_terms],
            align=["l", "r", "l"], widths=[2, 0.8, 5],
        ))
    return out


# -- aggregate for a steering group --------------------------------------------------------------

def _small(n: int) -> bool:
    return 0 < n < SUPPRESS_BELOW


def _count(n: int) -> str:
    return SUPPRESSED if _small(n) else str(n)


def _share_cell(g: GroupFinding) -> str:
    return "suppressed" if _small(g.audits) else _pct(g.share)


def _interval_cell(g: GroupFinding) -> str:
    if _small(g.audits) or g.interval is None:
        return "—"
    lo, hi = g.interval
    return f"{lo * 100:.0f}–{hi * 100:.0f}%"


def _group_table(groups: list[GroupFinding], first: str) -> Table:
    return Table(
        [first, "Audits", "Rated items", "Meeting the standard", "95% interval"],
        [[g.label, _count(g.audits), _count(g.rated) if _small(g.audits) else str(g.rated),
          _share_cell(g), _interval_cell(g)] for g in groups],
        align=["l", "r", "r", "r", "r"],
        widths=[4, 1, 1.2, 1.5, 1.5],
    )


def _group_chart(title: str, groups: list[GroupFinding]) -> BarChart | None:
    shown = [g for g in groups if g.share is not None and not _small(g.audits)]
    if not shown:
        return None
    return BarChart(
        title,
        [g.label for g in shown],
        [Series("Meeting the standard", [g.share * 100 for g in shown])],
        unit="%",
        max_value=100,
        intervals=[(g.interval[0] * 100, g.interval[1] * 100) for g in shown],
        alt_text=title + ": " + "; ".join(f"{g.label} {_pct(g.share)}" for g in shown) + ".",
    )


def _recommendations(db: Database, flt: AuditFilter, scrub, include_identifiers: bool,
                     include_free_text: bool) -> list:
    """Counts only by default: recommendations and their owners are free text and can name
    people. Texts are shown for a named recipient, or when the reviewer has read them and
    asks for them; then each is redacted and shown only when 5 or more audits hold it."""
    where, params = flt.where()
    joined = f"FROM recommendations r JOIN audits a ON a.id = r.audit_id JOIN cases c ON c.id = a.case_id WHERE {where}"
    recs, in_audits, owned, dated = db.query_one(
        f"""SELECT count(*), count(DISTINCT r.audit_id), coalesce(sum(trim(r.owner) <> ''), 0),
                   coalesce(sum(trim(r.due) <> ''), 0) {joined}""", params)
    out: list = [Heading("Recommendations gathered from the audits", 1)]
    if not recs:
        return out + [Paragraph("No recommendations were recorded in these audits.")]
    out.append(KeyValue([
        ("Recommendations recorded", _count(recs)),
        ("Audits with a recommendation", _count(in_audits)),
        ("With an owner", _count(owned)),
        ("With a date to be done by", _count(dated)),
    ]))
    if include_identifiers:
        rows = db.query(f"SELECT r.text, r.owner, count(*) {joined} GROUP BY r.text, r.owner "
                        "ORDER BY count(*) DESC, r.text LIMIT 30", params)
        return out + [Table(["Recommendation", "Owner", "Audits"], [[t, o or "Not assigned", _count(n)] for t, o, n in rows],
                            align=["l", "l", "r"], widths=[5, 2, 0.8])]
    if not include_free_text:
        return out + [Paragraph(
            "The texts of the recommendations and their owners are left out: free text can "
            "name people. Export with 'Include recommendation texts' to show the texts "
            f"recorded in {SUPPRESS_BELOW} or more audits.", "note")]
    audits_of: dict[str, set[str]] = {}
    for text, ids in db.query(f"SELECT r.text, group_concat(DISTINCT r.audit_id) {joined} GROUP BY r.text", params):
        # the same words once the references are out count as one recommendation
        audits_of.setdefault(" ".join(scrub(text).split()), set()).update(ids.split(","))
    shown = sorted(((len(a), t) for t, a in audits_of.items() if len(a) >= SUPPRESS_BELOW), key=lambda x: (-x[0], x[1]))
    if shown:
        out.append(Table(["Recommendation", "Audits"], [[t, str(n)] for n, t in shown[:30]],
                         align=["l", "r"], widths=[6, 0.8]))
    out.append(Paragraph(
        f"Only recommendations recorded in {SUPPRESS_BELOW} or more audits are shown, with case "
        "references removed; owners are left out. The texts are as reviewers wrote them.", "note"))
    return out


def aggregate_report(db: Database, flt: AuditFilter | None = None, include_identifiers: bool = False,
                     include_free_text: bool = False) -> Report:
    """Anonymised findings over exactly the audits the filter selects (what the reviewer
    sees in the list); the report says how many are drafts. Free text (recommendations)
    only with `include_free_text`, for texts recorded in SUPPRESS_BELOW or more audits."""
    flt = flt or AuditFilter()
    f = findings(db, flt)
    scrub = keep if include_identifiers else Redactor(all_references(db))
    drafts = f.status_counts.get(Status.DRAFT.value, 0)
    checklist_ids = sorted({c[0] for c in f.checklists})
    titles = {c[0]: c[2] for c in f.checklists}
    title = titles[checklist_ids[0]] if len(checklist_ids) == 1 else "All checklists"
    blocks: list = [Heading("About this report", 1)]
    blocks.append(
        KeyValue([
            ("Audits", str(f.audits)),
            ("Case files", str(f.cases)),
            ("Status", f"{f.status_counts.get(Status.FINALISED.value, 0)} finalised, {drafts} draft(s)"),
            ("Selection", flt.describe()),
            ("Checklists", "; ".join(f"{t} v{v} ({_count(n)} audits)" for _, v, t, n in f.checklists) or "—"),
            ("Phases", ", ".join(
                f"{p.label} {_count(f.phase_counts[p.value])}" for p in Phase if p.value in f.phase_counts
            ) or "—"),
            ("Produced", datetime.now(UTC).strftime("%d %B %Y")),
        ])
    )
    if f.audits == 0:
        blocks.append(Paragraph("No audits match this selection, so there are no findings to report."))
    elif _small(f.audits):
        blocks.append(Paragraph(
            f"Fewer than {SUPPRESS_BELOW} audits match this selection. Findings over so few case "
            "files could identify the people in them, so none are shown. Widen the selection."
        ))
    else:
        audits_of = {c[0]: 0 for c in f.checklists}
        for c in f.checklists:
            audits_of[c[0]] += c[3]
        for cid in checklist_ids:
            if _small(audits_of[cid]):
                blocks += [Heading(titles[cid], 1), Paragraph(
                    f"Fewer than {SUPPRESS_BELOW} audits used this checklist; its findings are not "
                    "shown, because small numbers can identify the people in a case.")]
                continue
            blocks += _checklist_section(db, f, cid, titles[cid], len(checklist_ids) > 1)
        blocks += _language_section(db, flt)
        blocks += _recommendations(db, flt, scrub, include_identifiers, include_free_text)

    if include_identifiers:
        from ..selection import list_audits

        blocks.append(PageBreak())
        blocks.append(Heading("Appendix: audits included (identifiable)", 1))
        rows = list_audits(db, flt)
        blocks.append(Table(
            ["Case reference", "Area", "Checklist", "Phase", "Status"],
            [[r.reference, r.area, r.checklist_id, Phase(r.phase).label, Status(r.status).label] for r in rows],
        ))

    blocks.append(Heading("Method notes", 1))
    notes = [
        f"This report covers {f.audits} audit(s) of {f.cases} case file(s) ({flt.describe()}).",
        "Each item was rated on the scale its checklist names. On the six-point quality scale, "
        "Excellent, Very good and Good meet the standard; on the evidence scale, Yes meets it. "
        "For items describing a poor practice seen at baseline, No meets the standard. "
        "'Not applicable' answers and items hidden by a condition are left out of every share.",
        f"Cells counting fewer than {SUPPRESS_BELOW} audits are shown as '{SUPPRESSED}' and left out "
        "of the charts, because small numbers can identify the people in a case.",
        "95% intervals are Wilson score intervals for a share and Newcombe's hybrid score interval "
        "for a change between phases. They treat each rated item as independent; items from the "
        "same audit are related, so the true uncertainty is somewhat wider.",
        "Audit counts for a principle or component are those of its most-answered item.",
    ]
    if drafts:
        notes.append(f"{drafts} of these audits are drafts, still being completed. Choose the "
                     "status Finalised to leave them out.")
    blocks += [Paragraph(n, "note") for n in notes]
    return Report(
        title=f"Steering group report: {title}",
        subtitle=f"{f.audits} audits · {flt.describe()}",
        author="Case File Audit Tool",
        subject="Aggregate audit findings for a steering group",
        created=datetime.now(UTC),
        identifiable=include_identifiers,
        draft=False,
        blocks=blocks,
        free_text=include_identifiers or include_free_text,
    )


def _checklist_section(db: Database, f: Findings, cid: str, title: str, several: bool) -> list:
    lvl = 2 if several else 1
    out: list = [Heading(title, 1)] if several else []
    themes = [g for g in f.by_theme if g.checklist_id == cid]
    out.append(Heading("Key findings", lvl))
    rated = sum(g.rated for g in themes)
    meets = sum(g.meets for g in themes)
    lines = []
    if rated:
        lines.append(f"Across all themes, {meets / rated:.0%} of rated items met the standard.")
        ranked = [g for g in themes if g.share is not None and not _small(g.audits)]
        if ranked:
            best = max(ranked, key=lambda g: g.share)
            worst = min(ranked, key=lambda g: g.share)
            lines.append(f"Strongest theme: {best.label} ({_pct(best.share)}). "
                         f"Weakest theme: {worst.label} ({_pct(worst.share)}).")
    changes = [c for c in f.theme_change if c.checklist_id == cid and c.change
               and not _small(c.base_audits) and not _small(c.post_audits)]
    if changes:
        up = max(changes, key=lambda c: c.change[0])
        lines.append(f"Largest change after training: {up.label}, {up.change[0] * 100:+.0f} points "
                     f"(95% interval {up.change[1] * 100:+.0f} to {up.change[2] * 100:+.0f}).")
    out += [Paragraph(s) for s in lines] or [Paragraph("No rated items in this selection.")]

    out.append(Heading("By theme", lvl))
    out.append(_group_table(themes, "Theme"))
    chart = _group_chart("Share meeting the standard, by theme", themes)
    if chart:
        out.append(chart)

    # fact groups mirror the themes of the death review, so they are not repeated here
    tags = [g for g in f.by_tag if g.checklist_id == cid and g.kind in ("principle", "component", "practice_area")]
    if tags:
        out.append(Heading("By principle, critical component and practice area", lvl))
        out.append(_group_table(tags, "Principle, component or area"))
        chart = _group_chart("Share meeting the standard, by principle and component", tags)
        if chart:
            out.append(chart)

    for name, groups in (("area", f.by_area), ("agency", f.by_agency)):
        gs = [g for g in groups if g.checklist_id == cid]
        if gs:
            out.append(Heading(f"By {name}", lvl))
            out.append(_group_table(gs, name.capitalize()))

    comp = [c for c in f.theme_change if c.checklist_id == cid]
    if any(c.base_rated and c.post_rated for c in comp):
        out.append(Heading("Baseline and post-training", lvl))
        rows, cats, base, post = [], [], [], []
        for c in comp:
            hide = _small(c.base_audits) or _small(c.post_audits)
            ch = None if hide else c.change
            rows.append([
                c.label, _count(c.base_audits), "suppressed" if hide else _pct(c.base_share),
                _count(c.post_audits), "suppressed" if hide else _pct(c.post_share),
                "—" if ch is None else f"{ch[0] * 100:+.0f}",
                "—" if ch is None else f"{ch[1] * 100:+.0f} to {ch[2] * 100:+.0f}",
            ])
            if not hide and c.base_share is not None and c.post_share is not None:
                cats.append(c.label)
                base.append(c.base_share * 100)
                post.append(c.post_share * 100)
        out.append(Table(
            ["Theme", "Baseline audits", "Baseline", "Post-training audits", "Post-training",
             "Change (points)", "95% interval"],
            rows, align=["l", "r", "r", "r", "r", "r", "r"], widths=[3.2, 1, 1, 1, 1, 1, 1.4],
        ))
        if cats:
            out.append(BarChart(
                "Meeting the standard before and after training", cats,
                [Series("Baseline", base), Series("Post-training", post)], unit="%", max_value=100,
                alt_text="Baseline against post-training by theme: " + "; ".join(
                    f"{c} {b:.0f}% then {p:.0f}%" for c, b, p in zip(cats, base, post, strict=True)) + ".",
            ))

    out.append(Heading("Rating distributions", lvl))
    scales: dict[str, list[str]] = {}
    for g in themes:
        for b in g.distribution:
            labels = scales.setdefault(b.scale, [])
            if b.label not in labels:
                labels.append(b.label)
    for scale, labels in scales.items():
        rows = []
        for g in themes:
            counts = {b.label: b.count for b in g.distribution if b.scale == scale}
            if counts and _small(g.audits):
                rows.append([g.label] + ["suppressed"] * len(labels))
            elif counts:
                rows.append([g.label] + [_count(counts.get(lab, 0)) for lab in labels])
        out.append(Table(["Theme", *labels], rows, caption=f"Answers on the {scale} scale",
                         align=["l"] + ["r"] * len(labels)))

    items = [g for g in f.by_item if g.checklist_id == cid and g.share is not None and not _small(g.audits)]
    if len(items) >= 2:
        out.append(Heading("Recurring strengths and gaps", lvl))
        ordered = sorted(items, key=lambda g: g.share)
        gaps, strengths = ordered[:5], ordered[::-1][:5]
        out.append(Table(["Most often below the standard", "Meeting the standard", "Audits"],
                         [[g.label, _pct(g.share), str(g.audits)] for g in gaps],
                         align=["l", "r", "r"], widths=[6, 1.5, 1]))
        out.append(Table(["Most often meeting the standard", "Meeting the standard", "Audits"],
                         [[g.label, _pct(g.share), str(g.audits)] for g in strengths],
                         align=["l", "r", "r"], widths=[6, 1.5, 1]))
    return out


__all__ = ["aggregate_report", "audit_report"]
