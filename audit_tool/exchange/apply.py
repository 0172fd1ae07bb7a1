"""Writing a checked, planned bundle: ONE transaction, the core's own route for each record.

The read-only triggers on finalised audits are never bypassed. A finalised audit arrives by
the route the core itself uses: its row goes in as a draft, then its answers and
recommendations, then its status is set to finalised. A finalised audit here is changed
only when the received version carries a later amendment that explains the change
(amendment.check, at planning): that amendment is replayed as the same UPDATE
audits.amend() makes, which the triggers allow. The one exception is not a change: the
same finalised audit received earlier without identifiers and now with them gets its
exact times and text (precision.refine: only values the plan found to be the unnamed
form of the received ones, guarded, and recorded in its history). Nothing is ever
silently overwritten, and importing the same data again changes nothing.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable

import sqlcipher3

from ..actions import merge_actions
from ..disclosure.cellkey import set_record_key
from ..disclosure.register import merge_register
from ..store import Database, now
from .crypto import refused
from .parse import Bundle
from .plan import (
    Plan,
    check_against,
    checklists_to_add,
    ids_param,
    local_state,
    make_plan,
    same_content,
    version_of,
)
from .precision import keep_named, named_rows, refine

RECEIVED_CONCERN_BY = "(recorded on another laptop)"
IMPORT_CACHE_KIB = 64 * 1024


def import_bundle(
    db: Database, bundle: Bundle, progress: Callable[[float], None] | None = None
) -> Plan:
    """Merge the bundle in one transaction; return what was done (the same as plan() said)."""
    check_against(db, bundle)
    checklists = checklists_to_add(db, bundle)
    # a merge touches pages all over a large database (ids are random): a bigger page cache
    # for its length saves decrypting the same pages again and again
    with db.page_cache(IMPORT_CACHE_KIB):
        return _import(db, bundle, checklists, progress)


def _import(db: Database, bundle: Bundle, checklists: list, progress: Callable[[float], None] | None
            ) -> Plan:
    try:
        with db.atomic() as c:
            c.execute("PRAGMA defer_foreign_keys = ON")  # a row may name another audit in the file
            done = make_plan(db, bundle, checklists)  # again, under the write lock
            for loaded in checklists:
                db.store_checklist(loaded)
            _write(db, c, done, progress)
            c.execute(
                "INSERT INTO exchange_imports VALUES (?, ?, ?, ?, ?)",
                (
                    bundle.bundle_id,
                    now(),
                    bundle.manifest["created_at"],
                    bundle.manifest["tool_version"],
                    len(done.kinds),
                ),
            )
    except sqlcipher3.IntegrityError as exc:
        for loaded in checklists:
            db._checklists.pop(loaded.sha256, None)
        raise refused(f"its records do not fit together ({exc})") from None
    except BaseException:
        for loaded in checklists:
            db._checklists.pop(loaded.sha256, None)
        raise
    return done


def insert(
    c, table: str, rows: list[dict], extra: dict | None = None, verb: str = "INSERT"
) -> None:
    groups: dict[tuple, list[tuple]] = defaultdict(list)
    for r in rows:
        row = {**r, **(extra or {})}
        groups[tuple(row)].append(tuple(row.values()))
    for keys, values in groups.items():
        cols = ", ".join(f'"{k}"' for k in keys)
        marks = ", ".join("?" * len(keys))
        c.executemany(f"{verb} INTO {table} ({cols}) VALUES ({marks})", values)  # noqa: S608


def _write(db: Database, c, done: Plan, progress: Callable[[float], None] | None) -> None:
    p = done.payload  # as linked to the cases here (links.py)
    c.executemany(
        "INSERT OR IGNORE INTO reviewers (id, name, role, agency, is_local, created_at) VALUES (?, ?, ?, ?, 0, ?)",
        [
            (
                r["id"],
                r["name"],
                r.get("role") or "",
                r.get("agency") or "",
                r.get("created_at") or now(),
            )
            for r in p["reviewers"]
        ],
    )
    insert(c, "samplings", p["samplings"], verb="INSERT OR IGNORE")
    insert(c, "cases", [{"reference": "", **k} for k in p["cases"]], verb="INSERT OR IGNORE")
    c.executemany(
        "UPDATE cases SET reference = ? WHERE id = ? AND reference = ''",
        [(k["reference"], k["id"]) for k in p["cases"] if k.get("reference")],
    )
    entries = {e["audit"]["id"]: e for e in p["audits"]}
    new = [entries[a] for a in done.ids("new")]
    # new audits in bulk, in the core's order: row as a draft, its contents, then its status
    insert(c, "audits", [{**e["audit"], "status": "draft"} for e in new])
    keys = p.get("keys", {})  # the sender's record keys: the same audit, the same figures
    for e in new:
        if (key := keys.get(e["audit"]["id"])) is not None:
            set_record_key(c, e["audit"]["id"], key)
    contents(c, new)
    c.executemany(
        "UPDATE audits SET status = 'finalised' WHERE id = ?",
        [(e["audit"]["id"],) for e in new if e["audit"]["status"] == "finalised"],
    )
    if progress:
        progress(0.6)
    updated = done.ids("updated")
    local, _ = local_state(db, updated)
    for n, aid in enumerate(updated):
        fast_forward(c, local[aid], entries[aid])
        if progress and n % 200 == 0:
            progress(0.6 + 0.3 * n / max(1, len(updated)))
    insert(
        c, "history", [h for e in new for h in with_audit(e, "history")], verb="INSERT OR IGNORE"
    )
    if done.bundle.manifest.get("identifiers"):
        named_rows(c, p)
    if done.refined:  # received earlier without identifiers: the same audits, made precise
        from ..reviewers import local_reviewer

        who, stamp = local_reviewer(db).name, now()
        here, _ = local_state(db, done.refined)
        for aid in done.refined:
            refine(c, here[aid], entries[aid], who, stamp, done.bundle.bundle_id)
    # concerns are facts that must never wait: united for every audit here, conflicts too
    present = done.ids("new") + updated + done.ids("conflict") + done.ids("unchanged")
    rows = [
        (
            aid,
            r["raised_on"],
            r["raised_to"],
            RECEIVED_CONCERN_BY,
            r["recorded_at"],
            aid,
            r["raised_on"],
            r["raised_to"],
            r["recorded_at"],
        )
        for aid in present
        for r in entries[aid]["concerns"]
    ]
    c.executemany(
        "INSERT INTO concerns (audit_id, raised_on, raised_to, raised_by, recorded_at)"
        " SELECT ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM audits WHERE id = ?) AND NOT EXISTS"
        " (SELECT 1 FROM concerns WHERE audit_id = ?6 AND raised_on = ? AND raised_to = ? AND recorded_at = ?)",
        rows,
    )
    stamp = now()
    c.executemany(
        "INSERT OR IGNORE INTO exchange_conflicts VALUES (?, ?, ?, ?, ?)",
        [
            (aid, version_of(entries[aid]), done.bundle.bundle_id, stamp, json.dumps(entries[aid]))
            for aid in done.ids("conflict")
        ],
    )
    drop_settled(c, updated)
    merge_register(c, p.get("releases", []))  # checked with the payload; known ones skipped
    merge_actions(c, p.get("actions", []))  # the newer tracking of each recommendation wins


def with_audit(entry: dict, name: str) -> list[dict]:
    return [{**r, "audit_id": entry["audit"]["id"]} for r in entry[name]]


def contents(c, entries: list[dict]) -> None:
    """Answers, recommendations and a moderation's links to its readings, written while the
    audit is still a draft (the read-only triggers then let them in)."""
    c.executemany(
        "INSERT OR IGNORE INTO moderation_sources (moderation_id, reading_id) VALUES (?, ?)",
        [(e["audit"]["id"], r["reading_id"]) for e in entries for r in e.get("readings", [])],
    )
    insert(c, "answers", [r for e in entries for r in with_audit(e, "answers")])
    insert(c, "recommendations", [r for e in entries for r in with_audit(e, "recommendations")])


def fast_forward(c, local: dict, entry: dict, reopen: tuple[str, str] | None = None) -> bool:
    """Make this laptop's audit the received version (whose history holds all of ours).
    True when a finalised audit here was reopened for it. Without `reopen` (a person's
    choice), the amendment replayed is the one amendment.check found in its history."""
    insert(c, "history", with_audit(entry, "history"), verb="INSERT OR IGNORE")
    entry = keep_named(c, local, entry)  # a file without identifiers takes none away
    a = dict(entry["audit"])
    aid = a["id"]
    reopened = False
    if local["status"] == "finalised":
        if same_content(c, local, entry):
            return False  # only history (a concern raised) came in
        reopened = True
        when, reason = reopen or (a["amended_at"], a["amend_reason"])
        c.execute(
            "UPDATE audits SET status = 'draft', amended_at = ?, amend_reason = ?,"
            " first_finalised_at = coalesce(first_finalised_at, finalised_at, ?), finalised_at = NULL"
            " WHERE id = ? AND status = 'finalised'",
            (when, reason, when, aid),
        )
        local = {
            **local,
            "first_finalised_at": local.get("first_finalised_at")
            or local.get("finalised_at")
            or when,
        }
        if reopen:  # reopened here, by a person's choice: the audit says so
            a.update(amended_at=when, amend_reason=reason)
    final = a.pop("status") == "finalised"
    a.pop("id")
    if local.get("first_finalised_at"):
        a["first_finalised_at"] = local[
            "first_finalised_at"
        ]  # the first finalisation is never rewritten
    sets = ", ".join(f'"{k}" = ?' for k in a)
    c.execute(f"UPDATE audits SET {sets} WHERE id = ?", (*a.values(), aid))  # noqa: S608
    c.execute("DELETE FROM answers WHERE audit_id = ?", (aid,))
    c.execute("DELETE FROM recommendations WHERE audit_id = ?", (aid,))
    contents(c, [entry])
    if final:
        c.execute("UPDATE audits SET status = 'finalised' WHERE id = ?", (aid,))
    return reopened


def drop_settled(c, audit_ids: list[str]) -> None:
    """A received version set aside earlier whose history is now all here is settled."""
    for aid, version, incoming in c.execute(
        "SELECT audit_id, version, incoming FROM exchange_conflicts WHERE audit_id IN (SELECT value FROM json_each(?))",
        (ids_param(audit_ids),),
    ).fetchall():
        here = {r[0] for r in c.execute("SELECT uid FROM history WHERE audit_id = ?", (aid,))}
        if {h["uid"] for h in json.loads(incoming)["history"]} <= here:
            c.execute(
                "DELETE FROM exchange_conflicts WHERE audit_id = ? AND version = ?", (aid, version)
            )
