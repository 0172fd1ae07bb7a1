"""Exports: build the report from findings, then render it atomically to DOCX or PDF.

Releases (issue 18): what a user exports for someone (the CLI's `export report` and
`export dataset`, the export dialog) goes through `prepare_report` / `prepare_dataset`: the
dates snap to whole release periods, the register is checked (register.ReleaseRefused names
the earlier release) before anything is built, and `Planned.record` enters the release in
the register once the file is written (`release_report` / `release_dataset` do all three).
One audit's report (`prepare_audit` / `release_audit`) is recorded too, as an "audit
report": record-level, so never compared. A release that prints free text needs a person's
review of the texts (disclosure/review.py), recorded with it.

The CLI and the GUI both call these, and both check the format with `check_format`. The
GUI builds the report on its own thread (fast, needs the database) and renders it in a
worker with `render_report` (slow, needs no database).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, cast

from .disclosure.register import Planned, snap_filter
from .disclosure.review import FreeTextReview, dataset_texts, report_texts
from .domain import Status
from .errors import InvalidInput
from .filters import AuditFilter
from .progress import Progress
from .reports import FORMATS, Format, render
from .reports.build import aggregate_report, audit_report
from .reports.model import Report
from .reports.notes import ReleaseNotes
from .store import Database

if TYPE_CHECKING:
    from .dataset import Dataset


def check_format(fmt: str) -> Format:
    """The report format asked for, 'PDF' read as 'pdf'; InvalidInput naming the choices for
    anything else. The one check of a report format (the dataset's: dataset.check_format)."""
    if fmt.lower() not in FORMATS:
        raise InvalidInput(f"Unknown format '{fmt.lower()}': use pdf or docx.")
    return cast(Format, fmt.lower())


def render_report(
    report: Report, fmt: str, out: str | Path, progress: Progress | None = None
) -> Path:
    """Render a built report to `out` as `fmt`, atomically; returns the path written."""
    return render(report, check_format(fmt), Path(out), progress)


def _write(build: Callable[[], Report], fmt: str, out: str | Path, progress: Progress | None) -> Path:
    fmt = check_format(fmt)  # before the build: a wrong format costs nothing
    return render_report(build(), fmt, out, progress)


def export_audit(
    db: Database, audit_id: str, fmt: str, out: str | Path, include_identifiers: bool = False,
    progress: Progress | None = None,
) -> Path:
    return _write(lambda: audit_report(db, audit_id, include_identifiers), fmt, out, progress)


def export_report(
    db: Database, flt: AuditFilter, fmt: str, out: str | Path, include_identifiers: bool = False,
    progress: Progress | None = None, include_free_text: bool = False,
) -> Path:
    return _write(
        lambda: aggregate_report(db, flt, include_identifiers, include_free_text), fmt, out, progress
    )


# -- releases (issue 18) -------------------------------------------------------------------------


def report_audit_ids(db: Database, flt: AuditFilter) -> list[str]:
    """The audits an anonymised aggregate report covers: the finalised audits the filter
    selects, a moderated file counted once (AuditFilter.where, as reports/build.py's
    _finalised_only + findings). The one call to switch to the set the report build exposes."""
    where, params = replace(flt, status=Status.FINALISED.value).where()
    return [r[0] for r in db.query(
        f"SELECT a.id FROM audits a JOIN cases c ON c.id = a.case_id WHERE {where}", params  # noqa: S608
    )]


def _identified_ids(db: Database, flt: AuditFilter) -> list[str]:
    where, params = flt.where()
    return [r[0] for r in db.query(
        f"SELECT a.id FROM audits a JOIN cases c ON c.id = a.case_id WHERE {where}", params  # noqa: S608
    )]


def _who(db: Database, who: str | None) -> str:
    if who:
        return who
    from .reviewers import local_reviewer

    return local_reviewer(db).name


def _with_period_note(report: Report, sentence: str) -> Report:
    """The release-period sentence at the top of the method notes. (Hook for the report
    builder: once aggregate_report takes a period note, pass `sentence` to it instead.)"""
    if not sentence or not isinstance(report, Report):
        return report
    from .reports.model import Heading, Paragraph

    blocks = list(report.blocks)
    at = next((i + 1 for i, b in enumerate(blocks)
               if isinstance(b, Heading) and b.text == "Method notes"), len(blocks))
    blocks.insert(at, Paragraph(sentence, "note"))
    return replace(report, blocks=blocks)


def prepare_report(
    db: Database, flt: AuditFilter, *, recipient: str, who: str | None = None,
    include_identifiers: bool = False, include_free_text: bool = False, period: str = "month",
    build: Callable[[Database, AuditFilter], Report] | None = None,
    notes: ReleaseNotes | None = None,
) -> tuple[Report, Planned]:
    """Check the register, then build the report (not yet written or recorded). Anonymised:
    dates snapped to whole periods, the report says so. With identifiers: a "restricted
    report" for its named recipient, recorded but not compared. `build(db, flt)` replaces
    aggregate_report (the window passes its own). `notes`: the lead's commentary, decisions
    sought and deaths in the period, printed and (anonymised) kept with the release."""
    if include_identifiers:
        plan = Planned(tuple(_identified_ids(db, flt)), "restricted report", flt.describe(),
                       recipient, _who(db, who), restricted=True)
    else:
        flt, said = snap_filter(flt, period)
        plan = Planned(tuple(report_audit_ids(db, flt)), "report", flt.describe(), recipient,
                       _who(db, who), period_note=said, notes=notes,
                       checklist_id=flt.checklist_id or "")
    plan.check(db)
    if build is None:
        report = aggregate_report(db, flt, include_identifiers, include_free_text, notes)
    else:
        report = build(db, flt)
    return _with_period_note(report, plan.period_note), plan


Review = Callable[[list[str]], FreeTextReview]


def free_texts(built: Report | Dataset) -> list[str]:
    """The typed texts a built report or dataset prints, each once (for a person's review)."""
    return report_texts(built) if isinstance(built, Report) else dataset_texts(built)


def reviewed(plan: Planned, texts: list[str], review: Review | None) -> Planned:
    """The plan with the person's review of `texts` (none to review: as it was). Without a
    way to review them, InvalidInput: free text is never released unread."""
    if not texts:
        return plan
    if review is None:
        raise InvalidInput(
            f"This release would print {len(texts):,} free texts: a person must read them "
            "before they are released; nothing was written."
        )
    return replace(plan, review=review(texts))


def release_report(
    db: Database, flt: AuditFilter, fmt: str, out: str | Path, *, recipient: str,
    who: str | None = None, include_identifiers: bool = False, include_free_text: bool = False,
    period: str = "month", progress: Progress | None = None, review: Review | None = None,
    notes: ReleaseNotes | None = None,
) -> Path:
    """Build, write and record an aggregate report for `recipient` (see prepare_report).
    Anonymised with free text: `review(texts)` is the person's confirmation (or raises)."""
    fmt = check_format(fmt)
    report, plan = prepare_report(db, flt, recipient=recipient, who=who, period=period,
                                  include_identifiers=include_identifiers,
                                  include_free_text=include_free_text, notes=notes)
    if include_free_text and not include_identifiers:
        plan = reviewed(plan, free_texts(report), review)
    path = render_report(report, fmt, out, progress)
    plan.record(db)
    return path


def prepare_dataset(
    db: Database, flt: AuditFilter, *, recipient: str, who: str | None = None,
    include_free_text: bool = False, restricted: bool = False, period: str = "month",
    build: Callable[[Database, AuditFilter], Dataset] | None = None,
) -> tuple[Dataset, Planned]:
    """Check the register, then build the dataset: k-anonymous by default, dates snapped to
    whole periods; `restricted`: the record-level file, recorded as such (never compared).
    `build(db, flt)` replaces build_dataset (the window passes its own)."""
    from .dataset import build_dataset

    said = ""
    if not restricted:
        flt, said = snap_filter(flt, period)
    kind = "restricted dataset" if restricted else "dataset"
    plan = Planned((), kind, flt.describe(), recipient, _who(db, who), restricted, said)
    if build is None:
        ds = build_dataset(db, flt, include_free_text, restricted=restricted)
    else:
        ds = build(db, flt)
    # checked on what the file holds: audits withheld by k-anonymity are not released
    plan = replace(plan, audit_ids=tuple(ds.audit_ids))
    plan.check(db)
    if said:
        ds.notes.insert(1, said)
    return ds, plan


def release_dataset(
    db: Database, flt: AuditFilter, fmt: str, out: str | Path, *, recipient: str,
    who: str | None = None, include_free_text: bool = False, restricted: bool = False,
    period: str = "month", progress: Progress | None = None, review: Review | None = None,
) -> list[Path]:
    """Build, write and record the analyst dataset for `recipient` (see prepare_dataset).
    With free text: `review(texts)` is the person's confirmation (or raises)."""
    from .dataset import check_format as check_data_format
    from .dataset import write_dataset

    fmt = check_data_format(fmt)
    ds, plan = prepare_dataset(db, flt, recipient=recipient, who=who, period=period,
                               include_free_text=include_free_text, restricted=restricted)
    if include_free_text:
        plan = reviewed(plan, free_texts(ds), review)
    written = write_dataset(ds, fmt, Path(out), progress)  # checked in prepare_dataset
    plan.record(db)
    return written


# -- one audit's report --------------------------------------------------------------------------


def prepare_audit(
    db: Database, audit_id: str, *, recipient: str, who: str | None = None,
    include_identifiers: bool = False,
    build: Callable[[Database, str, bool], Report] | None = None,
) -> tuple[Report, Planned]:
    """One audit's report and its register entry (kind "audit report"): it is about one case
    file, so it is record-level (never compared), and named by pseudonym, never reference
    (the register travels in bundles without identifiers)."""
    from .vocabulary import Phase

    row = db.query_one(
        "SELECT c.pseudonym, d.title, a.phase FROM audits a JOIN cases c ON c.id = a.case_id"
        " JOIN checklist_defs d ON d.sha256 = a.checklist_sha WHERE a.id = ?", (audit_id,))
    said = f"{row[0]}, {row[1]}, {Phase(row[2]).label}" if row else audit_id  # build says why
    selection = f"one audit: {said}" + (", with identifiers" if include_identifiers else "")
    plan = Planned((audit_id,), "audit report", selection, recipient, _who(db, who),
                   restricted=True)
    plan.check(db)
    report = (build or audit_report)(db, audit_id, include_identifiers)
    return report, plan


def release_audit(
    db: Database, audit_id: str, fmt: str, out: str | Path, *, recipient: str,
    who: str | None = None, include_identifiers: bool = False, progress: Progress | None = None,
) -> Path:
    """Build, write and record one audit's report for `recipient` (see prepare_audit)."""
    fmt = check_format(fmt)
    report, plan = prepare_audit(db, audit_id, recipient=recipient, who=who,
                                 include_identifiers=include_identifiers)
    path = render_report(report, fmt, out, progress)
    plan.record(db)
    return path


__all__ = [
    "FORMATS", "check_format", "export_audit", "export_report", "free_texts", "prepare_audit",
    "prepare_dataset", "prepare_report", "release_audit", "release_dataset", "release_report",
    "render_report", "report_audit_ids", "reviewed",
]
