"""The bundle: versioned JSON (a manifest line, then the payload) built in memory, then sealed.

Audit and case rows travel as every column their table has (PRAGMA table_info), so a
column added by a later schema step travels without a change here. Case references travel
only when asked for; a concern travels as when, and to whom, it was raised.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from .. import __version__
from ..actions import actions_for_bundle
from ..disclosure.register import Planned, guarded_release, register_for_bundle
from ..errors import InvalidInput
from ..fileio import write_atomic
from ..filters import AuditFilter
from ..findings.records import all_references
from ..store import Database, now
from .anonymise import anonymise, to_day
from .crypto import seal
from .local_columns import without_local
from .precision import REFINED

FORMAT = "case-file-audit-tool bundle"
VERSION = 1
CONCERN_COLUMNS = ("raised_on", "raised_to", "recorded_at")  # when and to whom; nothing else


@dataclass(frozen=True)
class Sent:
    path: Path
    bundle_id: str
    audits: int
    cases: int
    checklists: int


def columns(db: Database, table: str) -> list[str]:
    return [r[1] for r in db.query(f"PRAGMA table_info({table})")]


def canonical(data: object) -> bytes:
    """The one serialisation the payload's sha256 is taken over."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode(
        "utf-8"
    )


def _rows_plain(db: Database, sql: str, params: list) -> list[tuple]:
    return list(db.conn.execute(sql, params))


def _rows(db: Database, sql: str, params: list) -> list[dict]:
    cur = db.conn.execute(sql, params)
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r, strict=True)) for r in cur]


def collect(
    db: Database,
    flt: AuditFilter | None = None,
    include_identifiers: bool = False,
    progress: Callable[[float], None] | None = None,
) -> dict:
    """The bundle document for the audits the filter selects (read in one snapshot)."""
    # every reading travels, also those a finalised moderation stands in for: the receiving
    # laptop needs them for agreement figures, and counts the moderation in their place
    where, params = replace(flt or AuditFilter(), include_superseded=True).where()
    # and the readings of each moderation chosen, whatever the filter says: a receiving
    # laptop refuses a moderation whose readings it has nowhere
    chosen = (
        f"SELECT a.id FROM audits a JOIN cases c ON c.id = a.case_id WHERE {where}"  # noqa: S608
        " UNION SELECT ms.reading_id FROM moderation_sources ms JOIN audits r ON r.id = ms.reading_id"
        " JOIN audits a ON a.id = ms.moderation_id JOIN cases c ON c.id = a.case_id"
        f" WHERE {where}"
    )
    params = params + params
    db.conn.execute("BEGIN")  # one consistent read: a write elsewhere lands before or after
    try:
        audits = [without_local(a) for a in  # noqa: S608
                  _rows(db, f"SELECT * FROM audits WHERE id IN ({chosen}) ORDER BY id", params)]
        if progress:
            progress(0.2)
        children: dict[str, dict[str, list]] = {a["id"]: {} for a in audits}
        specs = {
            "answers": "SELECT * FROM answers WHERE audit_id IN ({q}) ORDER BY audit_id, item_id",
            "recommendations": "SELECT audit_id, pos, text, owner, due FROM recommendations"
            " WHERE audit_id IN ({q}) ORDER BY audit_id, pos",
            "concerns": "SELECT audit_id, " + ", ".join(CONCERN_COLUMNS) + " FROM concerns"
            " WHERE audit_id IN ({q}) ORDER BY audit_id, id",
            # without this laptop's own entries (exchange.precision.REFINED)
            "history": "SELECT * FROM history WHERE audit_id IN ({q})"
            f" AND action <> '{REFINED}' ORDER BY audit_id, id",
            "readings": "SELECT moderation_id AS audit_id, reading_id FROM moderation_sources"
            " WHERE moderation_id IN ({q}) ORDER BY moderation_id, reading_id",
        }
        for n, (name, sql) in enumerate(specs.items()):
            for row in _rows(db, sql.format(q=chosen), params):
                audit_id = row.pop("audit_id")
                row.pop("id", None)  # local row numbers mean nothing elsewhere
                children[audit_id].setdefault(name, []).append(row)
            if progress:
                progress(0.2 + 0.15 * (n + 1))
        case_ids = sorted({a["case_id"] for a in audits})
        ids = json.dumps(case_ids)
        cases = _rows(
            db,
            "SELECT * FROM cases WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id",
            [ids],
        )
        if not include_identifiers:
            for c in cases:
                c.pop("reference", None)
        sampling_ids = json.dumps(sorted({c["sampling_id"] for c in cases if c.get("sampling_id")}))
        samplings = (
            _rows(
                db,
                "SELECT * FROM samplings WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id",
                [sampling_ids],
            )
            if "sampling_id" in columns(db, "cases")
            else []
        )
        reviewer_ids = json.dumps(sorted({a["reviewer_id"] for a in audits}))
        reviewers = _rows(
            db,
            "SELECT id, name, role, agency, created_at FROM reviewers"
            " WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id",
            [reviewer_ids],
        )
        shas = json.dumps(sorted({a["checklist_sha"] for a in audits}))
        checklists = _rows(
            db,
            "SELECT sha256, checklist_id, version, title, source FROM checklist_defs"
            " WHERE sha256 IN (SELECT value FROM json_each(?)) ORDER BY sha256",
            [shas],
        )
        keys = dict(_rows_plain(db, "SELECT audit_id, record_key FROM audit_keys WHERE audit_id IN"
                                " (SELECT value FROM json_each(?))", [json.dumps([a["id"] for a in audits])]))
        releases = register_for_bundle(db)
    finally:
        db.conn.execute("COMMIT")
    payload = {
        "audits": [
            {
                "audit": a,
                "answers": children[a["id"]].get("answers", []),
                "recommendations": children[a["id"]].get("recommendations", []),
                "concerns": children[a["id"]].get("concerns", []),
                "history": children[a["id"]].get("history", []),
                # a moderation names the readings it agrees (absent on other audits, so their
                # versions and older files read the same)
                **({"readings": r} if (r := children[a["id"]].get("readings")) else {}),
            }
            for a in audits
        ],
        "cases": cases,
        "samplings": samplings,
        "reviewers": reviewers,
        "checklists": checklists,
        # each audit's record key (never exported elsewhere): the same audit gives the same
        # perturbed figures on every laptop; and the release register, so a lead sees what
        # other laptops released (issue 18)
        "keys": {a["id"]: keys[a["id"]] for a in audits if a["id"] in keys},
        "releases": releases,
        "actions": actions_for_bundle(db, [a["id"] for a in audits], not include_identifiers),
    }
    if not include_identifiers:
        anonymise(payload, all_references(db))
    manifest = {
        "format": FORMAT,
        "version": VERSION,
        "bundle_id": str(uuid.uuid4()),
        "created_at": now() if include_identifiers else str(to_day(now())),
        "tool_version": __version__,
        "schema": db.schema_version(),
        "identifiers": include_identifiers,
        "counts": {k: len(v) for k, v in payload.items()},
    }
    body = canonical(payload)
    manifest["payload_sha256"] = hashlib.sha256(body).hexdigest()
    if progress:
        progress(0.9)
    return {"manifest": manifest, "payload": payload, "body": body}


def plaintext(doc: dict) -> bytes:
    """What is sealed: the manifest on the first line, then the payload exactly as hashed
    (compact JSON never holds a raw newline, so the first one ends the manifest)."""
    return canonical(doc["manifest"]) + b"\n" + doc["body"]


def export_bundle(
    db: Database,
    out: str | Path,
    flt: AuditFilter | None = None,
    include_identifiers: bool = False,
    passphrase: str | None = None,
    recipients: list[str] | None = None,
    progress: Callable[[float], None] | None = None,
) -> Sent:
    """Build the bundle in memory, seal it, and write only the sealed bytes (atomically)."""
    if not passphrase and not recipients:
        raise InvalidInput("Give a passphrase or a recipients file to protect the file.")
    doc = collect(db, flt, include_identifiers, progress)
    return write_bundle(doc, out, passphrase, recipients, progress)


def write_bundle(
    doc: dict,
    out: str | Path,
    passphrase: str | None = None,
    recipients: list[str] | None = None,
    progress: Callable[[float], None] | None = None,
) -> Sent:
    """Seal a collected bundle and write only the sealed bytes (atomically). Needs no
    database, so a window can do it on another thread."""
    if not passphrase and not recipients:
        raise InvalidInput("Give a passphrase or a recipients file to protect the file.")
    counts, bundle_id = doc["manifest"]["counts"], doc["manifest"]["bundle_id"]
    if not counts["audits"]:
        raise InvalidInput("No audits match; no file was written.")
    sealed = seal(plaintext(doc), passphrase, recipients)
    path = write_atomic(out, lambda f: f.write(sealed))
    if progress:
        progress(1.0)
    return Sent(path, bundle_id, counts["audits"], counts["cases"], counts["checklists"])


def release_bundle(
    db: Database,
    out: str | Path,
    flt: AuditFilter | None = None,
    passphrase: str | None = None,
    recipients: list[str] | None = None,
    progress: Callable[[float], None] | None = None,
    *,
    recipient: str,
    who: str | None = None,
) -> Sent:
    """A bundle without case references is a release: checked against the register,
    written, then recorded (kind "bundle", its audits, for `recipient`)."""
    if not passphrase and not recipients:
        raise InvalidInput("Give a passphrase or a recipients file to protect the file.")
    doc = collect(db, flt, False, progress)
    plan = plan_bundle_release(db, doc, flt, recipient, who)
    assert plan is not None  # collected without identifiers
    return guarded_release(
        db, plan.audit_ids, lambda: write_bundle(doc, out, passphrase, recipients, progress),
        kind=plan.kind, selection=plan.selection, recipient=plan.recipient, who=plan.who,
    )


def plan_bundle_release(
    db: Database, doc: dict, flt: AuditFilter | None, recipient: str, who: str | None = None
) -> Planned | None:
    """The release a collected bundle without identifiers is (checked against the register;
    Planned.record once written); None for one with identifiers (a transfer between a
    team's laptops, not a release)."""
    if doc["manifest"]["identifiers"]:
        return None
    if not recipient.strip():
        raise InvalidInput("Say who the file is for (recipient): the register records it.")
    if not who:
        from ..reviewers import local_reviewer

        who = local_reviewer(db).name
    ids = tuple(e["audit"]["id"] for e in doc["payload"]["audits"])
    if not ids:
        raise InvalidInput("No audits match; no file was written.")
    plan = Planned(ids, "bundle", (flt or AuditFilter()).describe(), recipient.strip(), who)
    plan.check(db)
    return plan
