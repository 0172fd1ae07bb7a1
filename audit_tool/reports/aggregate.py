"""The anonymised aggregate report for a steering group (no SQL: it takes the findings).

Small numbers can identify people, so every figure resting on fewer than SUPPRESS_BELOW
audits is hidden, with any figure that would give it back (rules in disclosure/rules.py).
The findings are gathered by build.aggregate_report into an AggregateFindings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial

from .. import APP_NAME
from ..checklists.model import Checklist, Scale
from ..checklists.phases import DEFAULT, PhaseWords, common_words, phase_words
from ..disclosure.cellkey import method_note
from ..disclosure.rules import (
    LESS,
    METHOD_NOTE,
    SUPPRESS_BELOW,
    Census,
    label,
    small,
    suppress_counts,
)
from ..domain import AuditRow, Phase, Status
from ..filters import AuditFilter
from ..findings import Findings
from ..findings.agreement import Agreement
from ..findings.audit_level import AuditLevel
from ..findings.census import Behind
from ..findings.clustered import METHOD as INTERVAL_METHOD
from ..findings.facts import FactFindings
from ..findings.honesty import Honesty
from ..findings.language import LanguageSummary
from ..findings.over_time import QuarterRow
from ..findings.record_language import RecordLanguage
from ..findings.records import Recommendation
from ..formatting import NO_VALUE, long_date
from .actions import actions_section
from .agreement_section import agreement_section
from .death_page import METHOD_NOTE as DEATH_NOTE
from .death_page import death_page, noise_of
from .facts_section import aggregate_facts_blocks
from .language_section import language_section
from .model import Heading, KeyValue, PageBreak, Paragraph, Report, Table
from .notes import ReleaseNotes
from .redact import Redactor, keep
from .scales import method_notes
from .sections_area import area_agency_appendix
from .sections_checklist import checklist_section
from .sections_time import time_section
from .summary import METHOD_NOTE as SUMMARY_NOTE
from .summary import first_pages, fit_first_page, phase_hidden
from .tally import DATED, EXACT, OWNED, RECORDED, Tally


@dataclass(frozen=True)
class AggregateFindings:
    """Everything the aggregate report shows, read from the database beforehand. The section
    findings (behind to agreement) are gathered only when some checklist is reported."""

    filter: AuditFilter  # the selection reported (finalised only when anonymised)
    drafts_left_out: int | None  # anonymised: drafts in the selection, left out
    findings: Findings
    level: AuditLevel  # per-audit counts behind the audit-level intervals
    census: Census
    cases: int  # case files behind the checklists reported
    references: list[str]  # every case reference, removed from free text when anonymised
    sampled: str | None  # how the case files were chosen (sampling.record.sampling_note)
    recommendations: list[Recommendation] = field(default_factory=list)
    months: tuple[str, str] | None = None  # first and last month finalised
    behind: Behind | None = None
    scales: dict[str, dict[str, Scale]] = field(default_factory=dict)
    language: LanguageSummary | None = None  # the note scan, for the over-time rates only
    record_language: tuple[RecordLanguage, ...] = ()  # the language section
    quarters: dict[str, list[QuarterRow]] = field(default_factory=dict)
    facts: dict[str, tuple[FactFindings, ...]] = field(default_factory=dict)
    agreement: Agreement | None = None
    appendix: list[AuditRow] = field(default_factory=list)  # identifiable: the audits included
    tally: Tally = EXACT  # how counted records are released (anonymised: perturbed)
    notes: ReleaseNotes | None = None  # what the lead writes for this release (page 1)
    definitions: dict[str, Checklist] = field(default_factory=dict)  # newest copy per checklist
    honesty: Honesty | None = None  # page 1's items and pattern answers by phase
    last_release: str | None = None  # the previous report on this checklist (register), ISO


NOT_PERTURBED = (
    "This report is for a named recipient and names the audits it covers, so its figures are "
    "exact: they are not perturbed, unlike those of an anonymised report.")
PERTURBED_DETAIL = (
    "Counts of items (rated, meeting the standard, answers on a rating) are changed by the "
    "same rule, in steps of the most items one audit adds, so that no single audit's answers "
    "can be worked out by comparing reports. Intervals are worked out from the changed figures. "
    "In the tables, a row resting on 1 to 4 audits is still shown as '<5', with nothing else.")


def _count(n: int) -> str:
    return label(n, small(n))


def _line_text(names: list[str], counts: list[int]) -> str:
    """'Baseline 12, Post-training <5, ...' for counts adding up to a shown total."""
    hidden = suppress_counts(counts)
    if hidden is None:
        return ", ".join(names) + f" (counts not shown: fewer than {SUPPRESS_BELOW} in some)"
    return ", ".join(f"{n} {label(c, h)}" for n, c, h in zip(names, counts, hidden, strict=True))



def _recommendations(recs: list[Recommendation], scrub, include_identifiers: bool,
                     include_free_text: bool, tally: Tally = EXACT) -> list:
    """Counts only by default: recommendations and their owners are free text and can name
    people. Texts are shown for a named recipient, or when the reviewer has read them and
    asks for them; then each is redacted and shown only when SUPPRESS_BELOW or more audits
    hold it. Over the checklists reported, like every other count: page 1 counts the same."""
    out: list = [Heading("Recommendations gathered from the audits", 1)]
    if not recs:
        return out + [Paragraph("No recommendations were recorded in these audits.")]
    out.append(KeyValue([
        ("Recommendations recorded", _count(tally.records([r.audit_id for r in recs], RECORDED))),
        ("Audits with a recommendation", _count(tally.audits(r.audit_id for r in recs))),
        # as SQL's trim() reads them: spaces only
        ("With an owner", _count(tally.records(
            [r.audit_id for r in recs if r.owner.strip(" ") != ""], OWNED))),
        ("With a date to be done by", _count(tally.records(
            [r.audit_id for r in recs if r.due.strip(" ") != ""], DATED))),
    ]))
    if include_identifiers:
        pairs: dict[tuple[str, str], int] = {}
        for r in recs:
            pairs[r.text, r.owner] = pairs.get((r.text, r.owner), 0) + 1
        rows = sorted(pairs.items(), key=lambda kv: (-kv[1], kv[0]))[:30]
        return out + [Table(["Recommendation", "Owner", "Audits"],
                            [[t, o or "Not assigned", _count(n)] for (t, o), n in rows],
                            align=["l", "l", "r"], widths=[5, 2, 0.8])]
    if not include_free_text:
        return out + [Paragraph(
            "The texts of the recommendations and their owners are left out: free text can "
            "name people. Export with 'Include recommendation texts' to show the texts "
            f"recorded in {SUPPRESS_BELOW} or more audits.", "note")]
    audits_of: dict[str, set[str]] = {}
    for r in recs:
        # the same words once the references are out count as one recommendation
        audits_of.setdefault(" ".join(scrub(r.text).split()), set()).add(r.audit_id)
    shown = sorted(((tally.audits(a), t) for t, a in audits_of.items() if len(a) >= SUPPRESS_BELOW), key=lambda x: (-x[0], x[1]))
    if shown:
        out.append(Table(["Recommendation", "Audits"], [[t, str(n)] for n, t in shown[:30]],
                         align=["l", "r"], widths=[6, 0.8]))
    out.append(Paragraph(
        f"Only recommendations recorded in {SUPPRESS_BELOW} or more audits are shown, with case "
        "references removed; owners are left out. The texts are as reviewers wrote them.", "note"))
    return out


def _about(f: Findings, cen: Census, covered: set[str], cases: int,
           drafts_left_out: int | None = None, words: PhaseWords = DEFAULT) -> tuple[list, str, str]:
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
    ) or NO_VALUE
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
        ("Phases", _line_text([words.name(p.value) for p in present],
                              [phase_counts[p.value] for p in present]) or NO_VALUE),
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



def build_aggregate_report(data: AggregateFindings, include_identifiers: bool = False,
                           include_free_text: bool = False) -> Report:
    """The steering group's report from the findings gathered for it (build.aggregate_report
    gathers them). Figures resting on fewer than SUPPRESS_BELOW audits are hidden, with any
    figure that would give one back (disclosure/rules.py). Free text (recommendations) only
    with `include_free_text` or `include_identifiers`."""
    flt, f, level, cen = data.filter, data.findings, data.level, data.census
    drafts_left_out = data.drafts_left_out
    covered = cen.reported()
    n = cen.total(covered)
    everything = cen.total()
    cases = data.cases
    scrub = keep if include_identifiers else Redactor(data.references)
    checklist_ids = sorted(cen.by(0))
    titles = {c[0]: c[2] for c in f.checklists}
    title = titles[checklist_ids[0]] if len(checklist_ids) == 1 else "All checklists"
    words = common_words([data.definitions.get(c) for c in sorted(covered)])  # what phases mean
    about, draft_note, status_line = _about(f, cen, covered, cases, drafts_left_out, words)
    produced = datetime.now(UTC)
    sampled = data.sampled
    blocks: list = []
    scales: dict[str, dict[str, Scale]] = {}
    dead = page1 = None
    if covered and not small(everything):
        drafts_row = status_line if drafts_left_out is None else _drafts_row(drafts_left_out)
        dead = death_page(data, drafts_row, produced.date())  # a death review's own page 1
        if dead is not None:
            blocks += dead
            page1 = partial(death_page, data, drafts_row, produced.date())  # fitted too
        else:
            page1 = partial(first_pages, data, drafts_row, titles, scrub,
                            include_free_text or include_identifiers, produced.date(),
                            memo={})  # what every trim shows is worked out once
            blocks += page1(0)
    blocks.append(Heading("About this report", 1))
    blocks.append(KeyValue([*about[:3], ("Selection", flt.describe()), *about[3:],
                            ("Produced", long_date(produced))]))
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
        assert data.behind is not None and data.language is not None  # gathered when covered
        bh, scales = data.behind, data.scales
        for cid in checklist_ids:
            if cid not in covered:
                blocks += [Heading(titles[cid], 1), Paragraph(
                    f"Fewer than {SUPPRESS_BELOW} audits used this checklist; they are left out of "
                    "this report, because small numbers can identify the people in a case.")]
                continue
            blocks += checklist_section(f, bh, cid, titles[cid], len(checklist_ids) > 1,
                                        phase_hidden(cen, cid), scales.get(cid, {}), level,
                                        phase_words(data.definitions.get(cid)))
            blocks += aggregate_facts_blocks(data.facts.get(cid, ()), 2 if len(checklist_ids) > 1 else 1,
                                             noise_of(data), phase_words(data.definitions.get(cid)))
            blocks += time_section(data.quarters.get(cid, []), 2 if len(checklist_ids) > 1 else 1,
                                   titles[cid] if len(checklist_ids) > 1 else "")
        blocks += language_section(data.record_language, data.tally, cen)
        blocks += _recommendations(data.recommendations, scrub, include_identifiers, include_free_text,
                                   data.tally)
        blocks += actions_section(data.recommendations, data.last_release, produced.date(), data.tally)
        blocks += agreement_section(data.agreement, data.tally)  # only when some files were read twice
        # by area and by agency: an appendix, after what the group meets to ask (sections_area.py)
        blocks += area_agency_appendix(level, [(c, titles[c]) for c in checklist_ids if c in covered],
                                        {c: phase_words(data.definitions.get(c)) for c in covered})

    if include_identifiers:
        blocks.append(PageBreak())
        blocks.append(Heading("Appendix: audits included (identifiable)", 1))
        rows = data.appendix
        blocks.append(Table(
            ["Case reference", "Area", "Checklist", "Phase", "Status"],
            [[r.reference, r.area, r.checklist_id, phase_words(data.definitions.get(r.checklist_id)).name(r.phase),
              Status(r.status).label] for r in rows],
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
        "independent): " + INTERVAL_METHOD.replace("baseline and post-training", words.pair),
        NOT_PERTURBED if include_identifiers else method_note() + " " + PERTURBED_DETAIL,
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
        blocks.append(Paragraph(DEATH_NOTE if dead is not None else SUMMARY_NOTE, "note"))
        blocks += [Paragraph(t, "note") for t in method_notes(scales, titles)]
    subtitle_n = f"{n:,} audits" if covered else (
        f"fewer than {SUPPRESS_BELOW} audits" if small(everything) else f"{everything:,} audits, none reported")
    subtitle_n += " · exact figures, not perturbed" if include_identifiers else (
        " · figures slightly changed to protect individuals")
    return fit_first_page(Report(
        title=f"Steering group report: {title}",
        subtitle=f"{subtitle_n} · {flt.describe()}",
        author=APP_NAME,
        subject="Aggregate audit findings for a steering group",
        created=datetime.now(UTC),
        identifiable=include_identifiers,
        draft=False,
        blocks=blocks,
        free_text=include_identifiers or include_free_text,
    ), page1)


__all__ = ["AggregateFindings", "build_aggregate_report"]
