"""Audits in conflict: listing them, comparing the two versions, and a person's choice.

A received version that clashes with this laptop's (each side changed what the other has
not seen) waits in exchange_conflicts, as received, until a person keeps one of the two.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from .. import history as history_log
from ..errors import NotFound
from ..store import Database, now
from .apply import drop_settled, fast_forward, insert, with_audit
from .plan import local_state


@dataclass(frozen=True)
class Conflict:
    audit_id: str
    version: str
    received_at: str
    pseudonym: str
    area: str
    checklist: str
    local_status: str
    received_status: str


@dataclass(frozen=True)
class Difference:
    section: str  # "Audit", a theme's title, or "Recommendations"
    label: str
    here: str
    received: str

    @property
    def differs(self) -> bool:
        return self.here != self.received


def conflicts(db: Database) -> list[Conflict]:
    out = []
    for aid, version, received_at, incoming, pseudonym, area, title, status in db.query(
        "SELECT x.audit_id, x.version, x.received_at, x.incoming, c.pseudonym, c.area, d.title, a.status"
        " FROM exchange_conflicts x JOIN audits a ON a.id = x.audit_id JOIN cases c ON c.id = a.case_id"
        " JOIN checklist_defs d ON d.sha256 = a.checklist_sha ORDER BY x.received_at, x.audit_id"
    ):
        out.append(
            Conflict(
                aid,
                version,
                received_at,
                pseudonym,
                area,
                title,
                status,
                json.loads(incoming)["audit"]["status"],
            )
        )
    return out


def _pending(db: Database, audit_id: str, version: str | None) -> tuple[str, dict]:
    sql = "SELECT version, incoming FROM exchange_conflicts WHERE audit_id = ?"
    rows = db.query(sql + " ORDER BY received_at", (audit_id,))
    if version:
        rows = [r for r in rows if r[0].startswith(version)]
    if not rows:
        raise NotFound(f"Audit {audit_id} has no received version waiting for a choice.")
    return rows[0][0], json.loads(rows[0][1])


def compare(db: Database, audit_id: str, version: str | None = None) -> list[Difference]:
    """The two versions side by side, item by item, in the checklist's order."""
    from ..audits import get_audit

    _, entry = _pending(db, audit_id, version)
    audit = get_audit(db, audit_id)
    d = audit.checklist.definition
    got = entry["audit"]
    answers = {r["item_id"]: r for r in entry["answers"]}

    def label(item, value) -> str:
        if value is None:
            return "—"
        return d.scale_of(item).label_of(value)

    out = [
        Difference("Audit", "Status", audit.status.label, str(got.get("status", "")).capitalize()),
        Difference(
            "Audit",
            "Last changed",
            audit.updated_at[:16].replace("T", " "),
            str(got.get("updated_at", ""))[:16].replace("T", " "),
        ),
        Difference("Audit", "Overall summary", audit.summary, str(got.get("summary") or "")),
        Difference("Audit", "Strengths", audit.strengths, str(got.get("strengths") or "")),
        Difference(
            "Audit", "Areas for improvement", audit.improvements, str(got.get("improvements") or "")
        ),
    ]
    for theme, item in d.items():
        mine = audit.answers.get(item.id)
        theirs = answers.get(item.id, {})
        out.append(
            Difference(
                theme.title,
                f"{item.id}: {item.question}",
                label(item, mine.rating if mine else None),
                label(item, theirs.get("rating")),
            )
        )
        if (mine and mine.note) or theirs.get("note"):
            out.append(
                Difference(
                    theme.title,
                    f"{item.id}: evidence",
                    mine.note if mine else "",
                    str(theirs.get("note") or ""),
                )
            )
    here_recs = "\n".join(r.text for r in audit.recommendations)
    their_recs = "\n".join(
        str(r.get("text", ""))
        for r in sorted(entry["recommendations"], key=lambda r: r.get("pos", 0))
    )
    out.append(Difference("Audit", "Recommendations", here_recs, their_recs))
    return out


def resolve(
    db: Database,
    audit_id: str,
    take_received: bool,
    version: str | None = None,
    who: str | None = None,
) -> None:
    """A person's choice between this laptop's version and a received one; recorded in the
    history. Either way the other side's history is united, so the choice travels onward:
    a laptop that receives this audit next sees a version that includes its own."""
    from ..reviewers import local_reviewer

    version, entry = _pending(db, audit_id, version)
    who = who or local_reviewer(db).name
    with db.atomic() as c:
        local, _ = local_state(db, [audit_id])
        stamp = now()
        if take_received:
            reason = "Took the version received from another laptop (exchange conflict)."
            if fast_forward(c, local[audit_id], entry, (stamp, reason)):
                history_log.append(
                    c, audit_id, stamp, who, "amended", "status", "finalised", reason
                )
            what = "took the received version"
        else:
            insert(c, "history", with_audit(entry, "history"), verb="INSERT OR IGNORE")
            what = "kept this laptop's version"
        history_log.append(
            c,
            audit_id,
            stamp,
            who,
            "conflict resolved",
            "",
            f"received version {version[:12]}",
            what,
        )
        c.execute(
            "DELETE FROM exchange_conflicts WHERE audit_id = ? AND version = ?", (audit_id, version)
        )
        drop_settled(c, [audit_id])
