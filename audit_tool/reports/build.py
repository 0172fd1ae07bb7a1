"""Build the neutral report model from the core's findings (no rendering here).

Two reports: one audit, and an anonymised aggregate for a steering group. Small numbers
can identify people, so in the aggregate every figure resting on fewer than SUPPRESS_BELOW
audits is hidden, with any figure that would give it back (rules in disclosure.py).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from ..audits import get_audit, progress, status_text
from ..checklists.model import Scale
from ..domain import Phase, Status
from ..findings import Comparison, Findings, GroupFinding, findings
from ..findings.audit_level import TAG_KINDS, AuditLevel, audit_level
from ..findings.clustered import METHOD as INTERVAL_METHOD
from ..findings.clustered import Interval, change_interval, share_interval
from ..findings.language import LanguageSummary, PhaseLanguage, scanner, summarise
from ..findings.over_time import over_time
from ..sampling.record import sampling_note
from ..selection import AuditFilter
from ..store import Database
from .agreement_section import agreement_section
from .disclosure import (
    HIDDEN,
    LESS,
    METHOD_NOTE,
    SUPPRESS_BELOW,
    Behind,
    Census,
    DisclosureRisk,
    Line,
    behind,
    cases_of,
    census,
    label,
    refuse_differencing,
    small,
    suppress,
    suppress_counts,
)
from .facts_section import aggregate_facts_blocks, audit_facts_blocks, rating_text
from .model import BarChart, Heading, KeyValue, PageBreak, Paragraph, Report, Series, Table
from .redact import Redactor, all_references, keep
from .scales import column_label, column_order, key_line, method_notes, scales_in_use
from .sections_area import area_agency_sections, interval_cell
from .sections_time import time_section
from .summary import METHOD_NOTE as SUMMARY_NOTE
from .summary import phase_hidden, summary_section

SUPPRESSED = LESS  # what a hidden count of 1 to 4 reads as
# Tag kinds reported (findings.audit_level.TAG_KINDS: principles, components, practice areas,
# then quality indicators, in that order); each table's first column names its kind.
TAG_KIND_NAMES = {
    "principle": "Principle",
    "component": "Critical component",
    "practice_area": "Practice area",
    "quality_indicator": "Quality indicator",
}


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
    blocks += audit_facts_blocks(audit)  # facts read as facts: "Sex: Female"
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
            "The share counts rated items only; answers of 'Not applicable' and facts are left "
            "out. An item not asked because an earlier answer fell short counts as not meeting "
            "the standard; other items hidden by a condition are not counted.",
            "note",
        )
    )

    blocks.append(Heading("Ratings and evidence", 1))
    blocks.append(Paragraph(
        f"The Ref column points to the item's guidance on good practice in the checklist "
        f"'{d.title}', version {d.version}.", "note"))
    for theme in d.themes:
        rows = []
        for item in theme.items:
            rating = rating_text(audit, item)  # None: a fact, or hidden and not counted
            if rating is None:
                continue
            ans = audit.answers.get(item.id)
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
        "again, not a finding. Uses in quotation marks (quoted from the file), or negated or "
        "challenged in the same sentence, are not counted."
    ))
    out.append(Table(
        ["Phrase", "Times", "Why it matters", "Suggested reframe"],
        [[t.phrase, str(n), t.why, t.reframe] for t, n in sorted(found.values(), key=lambda x: -x[1])],
        align=["l", "r", "l", "l"], widths=[1.6, 0.6, 3, 3.5],
    ))
    return out


def _language(db: Database, flt: AuditFilter, covered: set[str], whole: bool) -> LanguageSummary:
    """The language summary over the audits the report covers: every checklist of the
    selection (whole), or only those with enough audits to be reported."""
    if whole:
        return summarise(db, flt, limit=10_000)
    phases: dict[str, list[int]] = {}
    terms: dict[str, list] = {}
    term_audits: dict[str, int] = {}
    per_audit: dict[str, list[int]] = {}
    for cid in sorted(covered):  # an audit has one checklist: its parts add up exactly
        part = summarise(db, replace(flt, checklist_id=cid), limit=10_000)
        for p in part.by_phase:
            acc = phases.setdefault(p.phase, [0, 0, 0, 0])
            for i, v in enumerate((p.audits, p.words, p.flags, p.flagged_audits)):
                acc[i] += v
        for term, n in part.top_terms:
            terms.setdefault(term.phrase.lower(), [term, 0])[1] += n
        for k, n in part.term_audits.items():
            term_audits[k] = term_audits.get(k, 0) + n
        per_audit.update(part.per_audit)
    return LanguageSummary(
        tuple(PhaseLanguage(p, *v) for p, v in phases.items()),
        tuple(sorted(((t, n) for t, n in terms.values()), key=lambda x: (-x[1], x[0].phrase))),
        term_audits,
        per_audit,
    )


def _language_section(lang: LanguageSummary) -> list:
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
    # every audit is in one phase row, so the rows add up to the report's audits: the same
    # rows are hidden here as in "About this report"
    withheld = suppress_counts([p.audits for p in phases])
    hidden = withheld or [True] * len(phases)
    rows = []
    for p, h in zip(phases, hidden, strict=True):
        if h:
            rows.append([Phase(p.phase).label, label(p.audits, True) if withheld else HIDDEN] + [HIDDEN] * 3)
        elif small(p.flagged_audits):  # the flags come from the notes of 1 to 4 audits
            rows.append([Phase(p.phase).label, str(p.audits), f"{p.words:,}", HIDDEN, HIDDEN])
        else:
            rows.append([Phase(p.phase).label, str(p.audits), f"{p.words:,}", f"{p.flags:,}",
                         f"{p.per_thousand:.1f}" if p.per_thousand is not None else "—"])
    out.append(Table(["Phase", "Audits", "Words read", "Flags", "Flags per 1,000 words"], rows,
                     align=["l", "r", "r", "r", "r"]))
    hidden = [h or small(p.flagged_audits) for p, h in zip(phases, hidden, strict=True)]
    shown = [p for p, h in zip(phases, hidden, strict=True) if p.per_thousand is not None and not h]
    if shown:
        out.append(BarChart(
            "Language flags per 1,000 words, by phase", [Phase(p.phase).label for p in shown],
            [Series("Flags per 1,000 words", [p.per_thousand for p in shown])],
            alt_text="Language flags per 1,000 words: " + "; ".join(
                f"{Phase(p.phase).label} {p.per_thousand:.1f}" for p in shown) + ".",
        ))
    if lang.top_terms:
        top = [(t, n) for t, n in lang.top_terms
               if lang.term_audits.get(t.phrase.lower(), 0) >= SUPPRESS_BELOW][:8]
        if top:
            out.append(Table(
                ["Most flagged wording", "Times", "Suggested reframe"],
                [[t.phrase, f"{n:,}", t.reframe] for t, n in top],
                align=["l", "r", "l"], widths=[2, 0.8, 5],
            ))
        if len(top) < min(8, len(lang.top_terms)):
            out.append(Paragraph(
                f"Wording flagged in fewer than {SUPPRESS_BELOW} audits is not listed.", "note"))
    return out


# -- aggregate for a steering group --------------------------------------------------------------

def _count(n: int) -> str:
    return label(n, small(n))


def _group_table(groups: list[GroupFinding], first: str, hidden: list[bool],
                 intervals: dict[str, Interval | None]) -> Table:
    """One row per group; a hidden row shows nothing but '<5' or 'suppressed' for its audits
    (its rated items would give the audit count back). Intervals: audit-level, by group key."""
    return Table(
        [first, "Audits", "Rated items", "Meeting the standard", "95% interval"],
        [[g.label, label(g.audits, True), HIDDEN, HIDDEN, "—"] if h
         else [g.label, str(g.audits), str(g.rated), _pct(g.share), interval_cell(intervals.get(g.key))]
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
        alt_text=title + ": " + "; ".join(f"{g.label} {_pct(g.share)}" for g in shown) + ".",
    )


def _line_text(names: list[str], counts: list[int]) -> str:
    """'Baseline 12, Post-training <5, ...' for counts adding up to a shown total."""
    hidden = suppress_counts(counts)
    if hidden is None:
        return ", ".join(names) + f" (counts not shown: fewer than {SUPPRESS_BELOW} in some)"
    return ", ".join(f"{n} {label(c, h)}" for n, c, h in zip(names, counts, hidden, strict=True))


def _recommendations(db: Database, flt: AuditFilter, scrub, include_identifiers: bool,
                     include_free_text: bool, covered: set[str]) -> list:
    """Counts only by default: recommendations and their owners are free text and can name
    people. Texts are shown for a named recipient, or when the reviewer has read them and
    asks for them; then each is redacted and shown only when 5 or more audits hold it.
    Over the checklists reported (covered), like every other count: page 1 counts the same."""
    where, params = flt.where()
    marks = ",".join("?" * len(covered)) or "NULL"
    where += f" AND a.checklist_id IN ({marks})"
    params = [*params, *sorted(covered)]
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


def _about(f: Findings, cen: Census, covered: set[str], cases: int,
           drafts_left_out: int | None = None) -> tuple[list, str, str]:
    """The 'About this report' rows over the audits reported, with the status line and the
    draft note. Counts under SUPPRESS_BELOW, and any count that would give one back, are hidden.
    drafts_left_out: for a finalised-only (anonymised) report, the drafts it leaves out."""
    n = cen.total(covered)
    everything = cen.total()
    status = cen.by(2, covered)
    fin, drafts = status.get(Status.FINALISED.value, 0), status.get(Status.DRAFT.value, 0)
    versions: dict[str, list[str]] = {}
    titles: dict[str, str] = {}
    for cid, version, title, _ in f.checklists:
        versions.setdefault(cid, []).append(version)
        titles[cid] = title
    per = cen.by(0)
    checklists = "; ".join(
        f"{titles.get(c, c)} v{', v'.join(versions.get(c, ['?']))} "
        + (f"({per[c]:,} audits)" if c in covered else f"({LESS} audits: not reported)")
        for c in sorted(per)
    ) or "—"
    left_out = None if drafts_left_out is None else _drafts_left_out(drafts_left_out)
    if not covered:
        audits_text = label(everything, small(everything))
        if everything >= SUPPRESS_BELOW:
            audits_text += f" (each checklist was used in fewer than {SUPPRESS_BELOW}: none reported)"
        status_row = [("Status", left_out)] if left_out else []
        return [("Audits", audits_text), *status_row, ("Checklists", checklists)], "", left_out or ""
    phase_counts = cen.by(1, covered)
    present = [p for p in Phase if p.value in phase_counts]
    status_hidden = suppress_counts([fin, drafts])
    if left_out is not None:
        status_text = left_out
    elif status_hidden is None:
        status_text = "not shown (small numbers)"
    else:
        status_text = f"Finalised {label(fin, status_hidden[0])}, draft {label(drafts, status_hidden[1])}"
    if not drafts:
        draft_note = ""
    elif status_hidden and not status_hidden[1]:
        draft_note = f"{drafts} of these audits are drafts, still being completed."
    else:
        draft_note = f"Some of these audits (fewer than {SUPPRESS_BELOW}) are drafts, still being completed."
    rows = [
        ("Audits", f"{n:,}"),
        ("Case files", label(cases, small(cases))),
        ("Status", status_text),
        ("Checklists", checklists),
        ("Phases", _line_text([p.label for p in present], [phase_counts[p.value] for p in present]) or "—"),
    ]
    return rows, draft_note, status_text


def _drafts_left_out(drafts: int) -> str:
    """The status line of a finalised-only report; a count of 1 to 4 drafts shows as '<5'."""
    if not drafts:
        return "Finalised audits only"
    return (f"Finalised audits only; {label(drafts, small(drafts))} draft(s) in this selection are "
            "left out while they are being completed")


def _drafts_row(drafts: int) -> str:
    """Page 1's short word on the drafts a finalised-only report leaves out."""
    if not drafts:
        return "None in this selection (the report covers finalised audits only)"
    return f"{label(drafts, small(drafts))} left out (the report covers finalised audits only)"


def _finalised_only(db: Database, flt: AuditFilter) -> tuple[AuditFilter, int]:
    """Anonymised reports describe finalised audits only, with the drafts they leave out.
    Drafts are unfinished findings; and if a report could include them, it and the same report
    without them would describe the drafts by difference."""
    if flt.status == Status.DRAFT.value:
        raise DisclosureRisk(
            "Anonymised reports cover finalised audits only; draft audits are still being "
            "completed. Choose the status Finalised or all statuses, or include identifiers for a "
            "named recipient.")
    drafts = census(db, replace(flt, status=Status.DRAFT.value)).total()
    return replace(flt, status=Status.FINALISED.value), drafts


def aggregate_report(db: Database, flt: AuditFilter | None = None, include_identifiers: bool = False,
                     include_free_text: bool = False) -> Report:
    """Findings over the audits the filter selects. Anonymised, over its finalised audits only
    (the status row says how many drafts are left out; a draft-only selection is refused with
    DisclosureRisk); identifiable, over all of them, drafts counted. Figures resting on fewer than
    SUPPRESS_BELOW audits are hidden (see disclosure.py); an anonymised report on a selection
    that differs from a wider one by fewer than SUPPRESS_BELOW audits is refused with
    DisclosureRisk. Free text (recommendations) only with `include_free_text`, for texts
    recorded in SUPPRESS_BELOW or more audits."""
    flt = flt or AuditFilter()
    drafts_left_out = None
    if not include_identifiers:  # an identifiable report names every audit: nothing to difference
        flt, drafts_left_out = _finalised_only(db, flt)
        refuse_differencing(db, flt)
    f = findings(db, flt)
    level = audit_level(db, flt)  # per-audit counts behind the audit-level intervals
    cen = census(db, flt)
    covered = cen.reported()
    n = cen.total(covered)
    everything = cen.total()
    cases = cases_of(db, flt, covered) if covered else 0
    scrub = keep if include_identifiers else Redactor(all_references(db))
    checklist_ids = sorted(cen.by(0))
    titles = {c[0]: c[2] for c in f.checklists}
    title = titles[checklist_ids[0]] if len(checklist_ids) == 1 else "All checklists"
    about, draft_note, status_line = _about(f, cen, covered, cases, drafts_left_out)
    produced = datetime.now(UTC)
    sampled = sampling_note(db, flt)
    blocks: list = []
    scales: dict[str, dict[str, Scale]] = {}
    if covered and not small(everything):
        drafts_row = status_line if drafts_left_out is None else _drafts_row(drafts_left_out)
        blocks += summary_section(db, f, cen, flt, covered, cases, drafts_row, sampled, titles, scrub,
                                  include_free_text or include_identifiers, produced.date(), level)
    blocks.append(Heading("About this report", 1))
    blocks.append(KeyValue([*about[:3], ("Selection", flt.describe()), *about[3:],
                            ("Produced", f"{produced.day} {produced.strftime('%B %Y')}")]))
    which = "finalised audits" if drafts_left_out is not None else "audits"
    if everything == 0:
        blocks.append(Paragraph(f"No {which} match this selection, so there are no findings to report."))
    elif small(everything):
        blocks.append(Paragraph(
            f"Fewer than {SUPPRESS_BELOW} {which} match this selection. Findings over so few case "
            "files could identify the people in them, so none are shown. Widen the selection."
        ))
    elif not covered:
        blocks.append(Paragraph(
            f"No checklist was used in {SUPPRESS_BELOW} or more of these audits. Findings over so few "
            "case files could identify the people in them, so none are shown. Widen the selection."
        ))
    else:
        bh = behind(db, flt, f.answer_counts)
        scales = scales_in_use(db, flt, covered)
        lang = _language(db, flt, covered, whole=len(covered) == len(checklist_ids))
        quarters = over_time(db, flt, level, lang.per_audit)
        for cid in checklist_ids:
            if cid not in covered:
                blocks += [Heading(titles[cid], 1), Paragraph(
                    f"Fewer than {SUPPRESS_BELOW} audits used this checklist; they are left out of "
                    "this report, because small numbers can identify the people in a case.")]
                continue
            blocks += _checklist_section(db, f, bh, cid, titles[cid], len(checklist_ids) > 1,
                                         phase_hidden(cen, cid), scales.get(cid, {}), level)
            blocks += aggregate_facts_blocks(db, flt, cid, 2 if len(checklist_ids) > 1 else 1)
            blocks += time_section(quarters.get(cid, []), 2 if len(checklist_ids) > 1 else 1,
                                   titles[cid] if len(checklist_ids) > 1 else "")
        blocks += _language_section(lang)
        blocks += _recommendations(db, flt, scrub, include_identifiers, include_free_text, covered)
        blocks += agreement_section(db, flt)  # only when some files were read twice

    if include_identifiers:
        from ..selection import list_audits

        blocks.append(PageBreak())
        blocks.append(Heading("Appendix: audits included (identifiable)", 1))
        rows = list_audits(db, flt)
        blocks.append(Table(
            ["Case reference", "Area", "Checklist", "Phase", "Status"],
            [[r.reference, r.area, r.checklist_id, Phase(r.phase).label, Status(r.status).label] for r in rows],
        ))

    how_many = f"{n:,} audit(s) of {label(cases, small(cases))} case file(s)" if covered else (
        f"fewer than {SUPPRESS_BELOW} audits" if small(everything) else f"{everything:,} audits")
    blocks.append(Heading("Method notes", 1))
    notes = [
        f"This report covers {how_many} ({flt.describe()}).",
        "Each item was rated on the scale its checklist names; the scales are described below, "
        "as the checklists used define them. 'Not applicable' answers and facts are left out of "
        "every share; an item not asked because an earlier answer fell short counts as not "
        "meeting the standard, and other items hidden by a condition are left out.",
        "Figures are held back where small numbers can identify the people in a case: " + METHOD_NOTE + " Hidden figures are "
        "left out of the charts.",
        "95% intervals are at the audit level (items in the same file are not treated as "
        "independent): " + INTERVAL_METHOD,
    ]
    if covered and len(covered) < len(checklist_ids):
        notes.append(f"Audits on a checklist used fewer than {SUPPRESS_BELOW} times in this selection "
                     "are left out of every count, so that they cannot be worked out from the totals.")
    if draft_note:
        notes.append(draft_note + " Choose the status Finalised to leave them out.")
    if drafts_left_out is not None:  # next to what the report covers
        notes.insert(1, "Only finalised audits are reported: drafts are left out until they are "
                        "finalised, because their ratings may still change.")
    if sampled:  # how the case files were chosen
        notes.append(sampled)
    blocks += [Paragraph(t, "note") for t in notes]
    if scales:  # the scales of the checklists reported, as their stored copies define them
        blocks.append(Paragraph(SUMMARY_NOTE, "note"))
        blocks += [Paragraph(t, "note") for t in method_notes(scales, titles)]
    subtitle_n = f"{n:,} audits" if covered else (
        f"fewer than {SUPPRESS_BELOW} audits" if small(everything) else f"{everything:,} audits, none reported")
    return Report(
        title=f"Steering group report: {title}",
        subtitle=f"{subtitle_n} · {flt.describe()}",
        author="Case File Audit Tool",
        subject="Aggregate audit findings for a steering group",
        created=datetime.now(UTC),
        identifiable=include_identifiers,
        draft=False,
        blocks=blocks,
        free_text=include_identifiers or include_free_text,
    )


def _hidden_groups(groups: list[GroupFinding]) -> list[bool]:
    """A theme or tag is hidden when its share rests on fewer than SUPPRESS_BELOW audits
    (the findings count distinct audits with a rated answer)."""
    return [small(g.audits) for g in groups]


def _shared_cases_text(shared: int) -> str:
    """Whether baseline and post-training read the same case files (counted by case id)."""
    if not shared:
        return ("No case file was read at both baseline and post-training: the two phases are "
                "separate groups of case files.")
    files = f"Fewer than {SUPPRESS_BELOW} case files were" if small(shared) else f"{shared:,} case files were"
    return (f"{files} read at both baseline and post-training. The interval for each change takes "
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


def _checklist_section(db: Database, f: Findings, bh: Behind, cid: str, title: str, several: bool,
                       phase_floor: tuple[bool, bool] = (False, False),
                       scales: dict[str, Scale] | None = None,
                       level: AuditLevel | None = None) -> list:
    level = level or audit_level(db, f.filter)
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
        ranked = [g for g in shown_themes if g.share is not None]
        best = max(ranked, key=lambda g: g.share, default=None)
        worst = min(ranked, key=lambda g: g.share, default=None)
        if best and best.share != worst.share:
            lines.append(f"Strongest theme: {best.label} ({_pct(best.share)}). "
                         f"Weakest theme: {worst.label} ({_pct(worst.share)}).")
    by_key = {g.key: (g, h) for g, h in zip(themes, theme_hidden, strict=True)}
    comp = [c for c in f.theme_change if c.checklist_id == cid]
    comp_hidden = [_comparison_hidden(c, *by_key.get(c.key, (None, True))) for c in comp]
    comp_hidden = [None if h is None else (h[0] or phase_floor[0], h[1] or phase_floor[1]) for h in comp_hidden]
    changes = [c for c, h in zip(comp, comp_hidden, strict=True)
               if change_iv.get(c.key) and h and not any(h)]
    if changes:
        up = max(changes, key=lambda c: change_iv[c.key].estimate)
        ch = change_iv[up.key]
        span = (f"95% interval {ch.low * 100:+.0f} to {ch.high * 100:+.0f}" if ch.estimable
                else "no interval: every rated item or none met the standard")
        lines.append(f"Largest change after training: {up.label}, {ch.estimate * 100:+.0f} points "
                     f"({span}).")
    out += [Paragraph(s) for s in lines] or [Paragraph("No rated items in this selection.")]

    out.append(Heading("By theme", lvl))
    out.append(_group_table(themes, "Theme", theme_hidden, theme_iv))
    chart = _group_chart("Share meeting the standard, by theme", themes, theme_hidden, theme_iv)
    if chart:
        out.append(chart)

    out += _tag_section(f, cid, lvl, tag_iv)

    out += _quality_indicator_section(f, cid, lvl, tag_iv)

    out += area_agency_sections(level, cid, lvl)  # by area / agency and phase (sections_area.py)

    if any(c.base_rated and c.post_rated for c in comp):
        out.append(Heading("Baseline and post-training", lvl))
        rows, cats, base, post = [], [], [], []
        for c, h in zip(comp, comp_hidden, strict=True):
            hb, hp = h if h is not None else (True, True)
            hide = hb or hp
            ch = None if hide else change_iv.get(c.key)
            rows.append([
                c.label, label(c.base_audits, hb) if h is not None else HIDDEN,
                HIDDEN if hide else _pct(c.base_share),
                label(c.post_audits, hp) if h is not None else HIDDEN,
                HIDDEN if hide else _pct(c.post_share),
                "—" if ch is None else f"{ch.estimate * 100:+.0f}",
                "—" if ch is None or not ch.estimable else f"{ch.low * 100:+.0f} to {ch.high * 100:+.0f}",
            ])
            if not hide and c.base_share is not None and c.post_share is not None:
                cats.append(c.label)
                base.append(c.base_share * 100)
                post.append(c.post_share * 100)
        out.append(Table(
            ["Theme", "Baseline audits", "Baseline", "Post-training audits", "Post-training",
             "Change (points)", "95% interval"],
            rows, align=["l", "r", "r", "r", "r", "r", "r"], widths=[3, 1, 1, 1.1, 1.1, 1, 1.7],
        ))
        out.append(Paragraph(_shared_cases_text(level.shared_cases.get(cid, 0)), "note"))
        if any(h is None or any(h) for h in comp_hidden):
            out.append(Paragraph(
                f"'suppressed': a phase with fewer than {SUPPRESS_BELOW} audits on the theme, or one "
                "that would give such a count away from the theme's total (see the method notes).",
                "note"))
        if cats:
            out.append(BarChart(
                "Meeting the standard before and after training", cats,
                [Series("Baseline", base), Series("Post-training", post)], unit="%", max_value=100,
                alt_text="Baseline against post-training by theme: " + "; ".join(
                    f"{c} {b:.0f}% then {p:.0f}%" for c, b, p in zip(cats, base, post, strict=True)) + ".",
            ))

    out += _distribution_section(themes, theme_hidden, bh, cid, lvl, scales or {})

    items = [g for g in f.by_item if g.checklist_id == cid and g.share is not None
             and not small(g.audits)]
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


def _tag_section(f: Findings, cid: str, lvl: int, intervals: dict[str, Interval | None]) -> list:
    """Principles, then critical components and practice areas: one table
    per kind, each headed by the kind's name, in the checklist's own order within a kind."""
    # quality indicators get their own section (_quality_indicator_section)
    tags = [g for g in f.by_tag if g.checklist_id == cid and g.kind in TAG_KINDS[:3]]
    if not tags:
        return []
    tags.sort(key=lambda g: TAG_KINDS.index(g.kind))  # stable: the checklist's order within a kind
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


__all__ = ["SUPPRESSED", "DisclosureRisk", "aggregate_report", "audit_report"]
