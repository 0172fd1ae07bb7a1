"""The release register (issue 18, items 3 and 4): every anonymised release, and the check
that stops two releases from being subtracted to give back a few audits.

Checking a new selection against one wider selection cannot stop differencing: any two
releases whose audit sets differ by a handful of audits (neither wider than the other) give
those audits back when subtracted. So every release's exact audit set is kept (encrypted,
in release_audits) and a new anonymised release is refused when its set differs from ANY
earlier anonymised release's set by 1 to MIN_DIFFERENCE-1 audits (symmetric difference).
The same set again is fine: it shows the same figures (cell-key perturbation).

Restricted (identifiable, record-level) releases are recorded but not compared: their
recipient already holds every record.

Release periods: anonymised releases filter dates in whole months (or quarters), so that
"to 3 March" and "to 5 March" are the same release (snap_period).
"""

from __future__ import annotations

import hashlib
import json
import uuid
from calendar import monthrange
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, replace
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..errors import AuditToolError, InvalidInput
from ..filters import AuditFilter
from ..reports.notes import ReleaseNotes

if TYPE_CHECKING:
    from ..store import Database

T = TypeVar("T")
MIN_DIFFERENCE = 5  # two anonymised releases differ by no audits, or by at least this many
KINDS = ("report", "dataset", "bundle", "restricted dataset", "restricted report", "audit report")
PERIODS = ("month", "quarter")


class ReleaseRefused(AuditToolError):
    """A release that could be subtracted from an earlier one (one line, what to do). Not
    a usage error: the command was right, the data says no (exit code 1)."""

    exit_code = 1


@dataclass(frozen=True)
class Release:
    id: str
    released_at: str
    who: str
    recipient: str
    kind: str
    selection: str
    audit_count: int
    audits_sha256: str
    restricted: bool


_COLUMNS = "id, released_at, who, recipient, kind, selection, audit_count, audits_sha256, restricted"


def audits_digest(audit_ids: Iterable[str]) -> str:
    """sha256 of the sorted audit ids, one per line: the same set, the same digest."""
    return hashlib.sha256("\n".join(sorted(set(audit_ids))).encode()).hexdigest()


def releases(db: Database) -> list[Release]:
    """Every release, oldest first."""
    return [
        Release(*r[:8], bool(r[8]))
        for r in db.query(f"SELECT {_COLUMNS} FROM releases ORDER BY released_at, rowid")  # noqa: S608
    ]


def _day(stamp: str) -> str:
    return stamp[:10]


def check_release(db: Database, audit_ids: Iterable[str], restricted: bool = False) -> None:
    """Raise ReleaseRefused when `audit_ids` differ from an earlier anonymised release's set
    by 1 to MIN_DIFFERENCE-1 audits. A restricted release is not compared."""
    new = set(audit_ids)
    if restricted or not new:  # nothing released, nothing to subtract
        return
    digest = audits_digest(new)
    members: dict[str, set[str]] = {}
    for rid, aid in db.iterate(
        "SELECT ra.release_id, ra.audit_id FROM release_audits ra"
        " JOIN releases r ON r.id = ra.release_id WHERE r.restricted = 0"
    ):
        members.setdefault(rid, set()).add(aid)
    for rel in releases(db):
        if rel.restricted or rel.audits_sha256 == digest:
            continue
        diff = len(new ^ members.get(rel.id, set()))
        if 0 < diff < MIN_DIFFERENCE:
            more = MIN_DIFFERENCE - diff
            raise ReleaseRefused(
                f"Refused: these {len(new):,} audits differ by {diff} from the {rel.kind} "
                f"released on {_day(rel.released_at)} to {rel.recipient} ({rel.selection}), "
                f"so the two could be subtracted to identify {'it' if diff == 1 else 'them'}: "
                f"release the same selection, or wait until {more} more audit"
                f"{'s are' if more > 1 else ' is'} finalised."
            )


def record_release(
    db: Database,
    audit_ids: Iterable[str],
    *,
    kind: str,
    selection: str,
    recipient: str,
    who: str,
    restricted: bool = False,
    at: str | None = None,
    review: Any = None,
    notes: ReleaseNotes | None = None,
    checklist_id: str = "",
) -> Release:
    """Check and record one release in one transaction; returns it. Raises ReleaseRefused
    (nothing recorded) for a near-duplicate, InvalidInput for a blank recipient. `review`
    (review.FreeTextReview): a person read the free text it prints; recorded with it. An
    anonymised report keeps the lead's `notes` (and the checklist it covers, '' for all)
    with it, so the next release of that checklist starts from them."""
    if kind not in KINDS:
        raise InvalidInput(f"Unknown kind of release '{kind}': use one of {', '.join(KINDS)}.")
    if not recipient.strip():
        raise InvalidInput("Say who the release is for (recipient): the register records it.")
    ids = sorted(set(audit_ids))
    check_release(db, ids, restricted)
    stamp = at or datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    rel = Release(
        str(uuid.uuid4()), stamp, who.strip() or "unknown", recipient.strip(), kind,
        selection, len(ids), audits_digest(ids), restricted,
    )
    with db.atomic() as c:
        c.execute(
            f"INSERT INTO releases ({_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?)",  # noqa: S608
            (*asdict(rel).values(),),
        )
        c.executemany("INSERT INTO release_audits VALUES (?, ?)", [(rel.id, a) for a in ids])
        if review is not None:
            from .review import write_review

            write_review(c, rel.id, review)
        if kind == "report":
            _keep_notes(c, rel.id, checklist_id, notes or ReleaseNotes())
    return rel


def _keep_notes(c, release_id: str, checklist_id: str, notes: ReleaseNotes) -> None:
    c.execute(
        "INSERT INTO release_notes (release_id, checklist_id, commentary, decisions,"
        " deaths_in_period) VALUES (?,?,?,?,?)",
        (release_id, checklist_id or "", notes.commentary, json.dumps(list(notes.decisions)),
         notes.deaths_in_period),
    )


def last_report(db: Database, checklist_id: str | None) -> tuple[Release, ReleaseNotes] | None:
    """The latest anonymised report released on `checklist_id` (None or '': over every
    checklist) with the notes kept with it; None when there is none yet."""
    row = db.query_one(
        f"SELECT {', '.join('r.' + c.strip() for c in _COLUMNS.split(','))},"  # noqa: S608
        " n.commentary, n.decisions, n.deaths_in_period"
        " FROM release_notes n JOIN releases r ON r.id = n.release_id"
        " WHERE n.checklist_id = ? AND r.kind = 'report'"
        " ORDER BY r.released_at DESC, r.rowid DESC LIMIT 1",
        (checklist_id or "",),
    )
    if row is None:
        return None
    rel = Release(*row[:8], bool(row[8]))
    return rel, ReleaseNotes.kept(row[9], tuple(json.loads(row[10])), row[11])  # earlier limits


def guarded_release(
    db: Database, audit_ids: Iterable[str], write: Callable[[], T], **record: Any
) -> T:
    """The one way an output leaves: check the register, write, then record (record_release
    keywords: kind, selection, recipient, who, restricted). Nothing is recorded when the
    writing fails; nothing is written when the release is refused."""
    ids = sorted(set(audit_ids))
    check_release(db, ids, record.get("restricted", False))
    written = write()
    record_release(db, ids, **record)
    return written


@dataclass(frozen=True)
class Planned:
    """A release decided on but not yet written: checked before the (slow) writing and
    recorded after it succeeds, possibly on another connection (a window builds on a
    reader connection and records on its own)."""

    audit_ids: tuple[str, ...]
    kind: str
    selection: str
    recipient: str
    who: str
    restricted: bool = False
    period_note: str = ""  # the release-period sentence the output prints ("" none)
    review: Any = None  # review.FreeTextReview: the free text it prints, read by a person
    notes: ReleaseNotes | None = None  # an anonymised report: the lead's words, kept with it
    checklist_id: str = ""  # the checklist the report covers ('' every checklist)

    def check(self, db: Database) -> None:
        if not self.recipient.strip():
            raise InvalidInput("Say who the release is for (recipient): the register records it.")
        check_release(db, self.audit_ids, self.restricted)

    def record(self, db: Database) -> Release:
        return record_release(
            db, self.audit_ids, kind=self.kind, selection=self.selection,
            recipient=self.recipient, who=self.who, restricted=self.restricted,
            review=self.review, notes=self.notes, checklist_id=self.checklist_id,
        )


# -- travelling in bundles ----------------------------------------------------------------------


class ReceivedRelease(BaseModel):
    """A register row as it travels in an exchange bundle (validated before it is written)."""

    model_config = ConfigDict(extra="forbid")
    id: str = Field(min_length=1, max_length=64)
    released_at: str = Field(min_length=10, max_length=40)
    who: str = Field(max_length=200)
    recipient: str = Field(min_length=1, max_length=500)
    kind: str
    selection: str = Field(max_length=2000)
    audit_count: int = Field(ge=0)
    audits_sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    restricted: bool
    audit_ids: list[str]


def register_for_bundle(db: Database) -> list[dict]:
    """Every release with its audit ids, for an exchange bundle (the exchange wiring)."""
    ids: dict[str, list[str]] = {}
    for rid, aid in db.iterate("SELECT release_id, audit_id FROM release_audits ORDER BY 1, 2"):
        ids.setdefault(rid, []).append(aid)
    return [{**asdict(r), "audit_ids": ids.get(r.id, [])} for r in releases(db)]


def check_register(rows: object) -> list[ReceivedRelease]:
    """Received register rows, each checked (InvalidInput, one line, for the first wrong)."""
    if not isinstance(rows, list):
        raise InvalidInput("The file's release register is not valid: not a list.")
    try:
        parsed = [ReceivedRelease.model_validate(r) for r in rows]
    except ValidationError as e:
        raise InvalidInput(f"The file's release register is not valid: {e.errors()[0]['msg']}.") from None
    for r in parsed:
        if r.kind not in KINDS or audits_digest(r.audit_ids) != r.audits_sha256:
            raise InvalidInput(f"The file's release register is not valid (release {r.id}).")
    return parsed


def merge_register(conn, rows: list[dict]) -> int:
    """Add received releases not yet known (inside the caller's import transaction). Every
    row is validated first; nothing is written when one is wrong. Returns how many were new."""
    parsed = check_register(rows)
    added = 0
    for r in parsed:
        if conn.execute("SELECT 1 FROM releases WHERE id = ?", (r.id,)).fetchone():
            continue
        row = r.model_dump(exclude={"audit_ids"})
        conn.execute(
            f"INSERT INTO releases ({_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?)",  # noqa: S608
            (*row.values(),),
        )
        conn.executemany(
            "INSERT INTO release_audits VALUES (?, ?)", [(r.id, a) for a in sorted(set(r.audit_ids))]
        )
        added += 1
    return added


# -- release periods ----------------------------------------------------------------------------


def snap_filter(flt: AuditFilter, period: str = "month") -> tuple[AuditFilter, str]:
    """The filter with its dates snapped to whole periods (snap_period), and the sentence."""
    start, end, said = snap_period(
        date.fromisoformat(flt.date_from) if flt.date_from else None,
        date.fromisoformat(flt.date_to) if flt.date_to else None,
        period,
    )
    return replace(
        flt, date_from=start.isoformat() if start else None, date_to=end.isoformat() if end else None
    ), said


def snap_period(
    date_from: date | None, date_to: date | None, period: str = "month"
) -> tuple[date | None, date | None, str]:
    """Widen a date filter to whole months (or quarters): (from, to, a sentence for the
    output). An open end stays open. Two filters within the same periods give one release."""
    if period not in PERIODS:
        raise InvalidInput(f"Unknown release period '{period}': use month or quarter.")
    span = 1 if period == "month" else 3
    start = end = None
    if date_from:
        start = date(date_from.year, (date_from.month - 1) // span * span + 1, 1)
    if date_to:
        last = (date_to.month - 1) // span * span + span
        end = date(date_to.year, last, monthrange(date_to.year, last)[1])
    if start == date_from and end == date_to:
        return start, end, ""
    asked = f"{date_from or 'the start'} to {date_to or 'the end'}"
    shown = f"{start or 'the start'} to {end or 'the end'}"
    return start, end, (
        f"Dates are released in whole {period}s: the dates asked for ({asked}) were widened "
        f"to {shown}."
    )
