"""Build the neutral report model from the core's findings (no rendering here).

Two reports: one audit, and an anonymised aggregate for a steering group. The entry points
below gather what a report shows from the findings (audit_tool/findings) and hand it to the
builders, which run no SQL: one_audit.py, and aggregate.py with sections_checklist.py and the
other sections. Small numbers can identify people, so in the aggregate every figure resting
on fewer than SUPPRESS_BELOW audits is hidden (rules in disclosure/rules.py).
"""

from __future__ import annotations

from dataclasses import replace

from ..audits import get_audit
from ..disclosure.cellkey import default_table, load_keys
from ..disclosure.register import last_report
from ..disclosure.rules import LESS, DisclosureRisk
from ..domain import Status
from ..filters import AuditFilter
from ..findings import findings
from ..findings.agreement import agreement
from ..findings.answer_pass import AnswerPass
from ..findings.audit_level import audit_level
from ..findings.cells import selected_ids
from ..findings.census import behind, cases_of, census, refuse_differencing
from ..findings.definitions import newest_definitions
from ..findings.facts import fact_findings
from ..findings.honesty import honesty
from ..findings.language import summarise_covered
from ..findings.over_time import over_time
from ..findings.record_language import record_language
from ..findings.records import all_references, months_spanned, recommendations, scales_in_use
from ..sampling.record import sampling_note
from ..selection import list_audits
from ..store import Database
from .aggregate import AggregateFindings, build_aggregate_report
from .model import Report
from .notes import ReleaseNotes
from .one_audit import build_audit_report
from .release import perturb_findings
from .tally import Tally

SUPPRESSED = LESS  # what a hidden count of 1 to 4 reads as
REPORT_CACHE_KIB = 64 * 1024  # the page cache while an aggregate report is built


def audit_report(db: Database, audit_id: str, include_identifiers: bool = False) -> Report:
    """The report on one audit; case references are removed from its free text unless
    identifiers are included."""
    audit = get_audit(db, audit_id)
    f = findings(db, AuditFilter(audit_id=audit_id))
    references = [] if include_identifiers else all_references(db)
    return build_audit_report(audit, f, references, include_identifiers)


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
                     include_free_text: bool = False, notes: ReleaseNotes | None = None) -> Report:
    """Findings over the audits the filter selects. Anonymised, over its finalised audits only
    (the status row says how many drafts are left out; a draft-only selection is refused with
    DisclosureRisk); identifiable, over all of them, drafts counted. Figures resting on fewer than
    SUPPRESS_BELOW audits are hidden (see disclosure/rules.py); an anonymised report on a
    selection that differs from a wider one by fewer than SUPPRESS_BELOW audits is refused with
    DisclosureRisk. Free text (recommendations) only with `include_free_text`, for texts
    recorded in SUPPRESS_BELOW or more audits. `notes`: the lead's words for this release."""
    flt = flt or AuditFilter()
    drafts_left_out = None
    if not include_identifiers:  # an identifiable report names every audit: nothing to difference
        flt, drafts_left_out = _finalised_only(db, flt)
        refuse_differencing(db, flt)
    tally = Tally() if include_identifiers else _publish(db)
    shown = len if include_identifiers else tally.audits
    # the sections read the answers' pages more than once: decrypted once (10,000 audits:
    # about 12% less time for about 60 MB more memory while the report is built)
    with db.page_cache(REPORT_CACHE_KIB), AnswerPass(
        db, flt, keyed=_keyed(include_identifiers)
    ) as answers:  # read once for all
        data = _gather(db, flt, include_identifiers, drafts_left_out, tally, answers)
    data = replace(data, notes=notes)
    ids = selected_ids(db, flt)
    if not include_identifiers:  # every figure of an anonymised release is perturbed
        data = replace(_released(db, flt, data, shown), tally=tally)
    report = build_aggregate_report(data, include_identifiers, include_free_text)
    return replace(report, audit_ids=ids, perturbed=not include_identifiers)


def _gather(db: Database, flt: AuditFilter, include_identifiers: bool, drafts_left_out: int | None,
            tally: Tally, answers: AnswerPass) -> AggregateFindings:
    """What the sections show, exact, every figure from the selection's one pass over the
    answers: per-audit counts behind the audit-level intervals (anonymised, with the cells
    behind every figure, findings/cells.py), findings, facts."""
    level = audit_level(db, flt, keyed=_keyed(include_identifiers), answers=answers)
    f = findings(db, flt, answers=answers, level=level)
    cen = census(db, flt)
    covered = cen.reported()
    data = AggregateFindings(
        filter=flt,
        drafts_left_out=drafts_left_out,
        findings=f,
        level=level,
        census=cen,
        cases=cases_of(db, flt, covered) if covered else 0,
        references=[] if include_identifiers else all_references(db),
        sampled=sampling_note(db, flt),
        appendix=list_audits(db, flt) if include_identifiers else [],
        last_release=_last_release(db, flt),
    )
    if covered:  # the sections: only when some checklist has enough audits to be reported
        lang = summarise_covered(db, flt, covered, whole=len(covered) == len(cen.by(0)))
        data = replace(
            data,
            recommendations=recommendations(db, flt, covered),
            honesty=honesty(db, flt, covered, answers),
            months=months_spanned(db, flt, covered),
            behind=behind(db, flt, f.answer_counts, answers=answers),
            scales=scales_in_use(db, flt, covered),
            language=lang,
            definitions=newest_definitions(db, flt, covered),
            record_language=record_language(db, flt, covered),
            quarters=over_time(db, flt, level, lang.per_audit),
            # an anonymised release counts facts with their perturbation, from the keyed pass
            facts={cid: fact_findings(db, replace(flt, checklist_id=cid),
                                      tally.audits_of if tally.perturbed else None, answers=answers)
                   for cid in sorted(covered)},
            # drafts are never compared: their ratings may change
            agreement=None if flt.status == Status.DRAFT.value else agreement(
                db, replace(flt, status=Status.FINALISED.value), finalised_only=True),
        )
    return data


def _last_release(db: Database, flt: AuditFilter) -> str | None:
    """When the previous report on this checklist was released (the register), or None."""
    last = last_report(db, flt.checklist_id)
    return last[0].released_at if last else None


def _keyed(include_identifiers: bool) -> bool:
    """Whether the findings pass also reads the cells behind each figure (anonymised)."""
    return not include_identifiers


def _publish(db: Database) -> Tally:
    """How counts are released: cell-key perturbation with every audit's record key."""
    return Tally(load_keys(db), default_table())


def _released(db: Database, flt: AuditFilter, data: AggregateFindings, shown) -> AggregateFindings:
    """The findings as an anonymised release prints them (reports/release.py): the cells
    behind every figure are read here, the builders run no SQL. Facts were counted with
    `shown` already."""
    drafts = sorted(selected_ids(db, replace(flt, status=Status.DRAFT.value)))
    data = replace(data, drafts_left_out=shown(drafts))  # the drafts left out: a count too
    found = data.level.cells if data.level.cells is not None else audit_level(db, flt, keyed=True).cells
    return perturb_findings(data, found, None, default_table())


__all__ = ["SUPPRESSED", "DisclosureRisk", "aggregate_report", "audit_report"]
