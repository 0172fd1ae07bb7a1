"""Receive a bundle: check it, show what it would change, then merge it by uuid in ONE transaction.

An audit's version is its history: the set of history rows (each with a uid that travels
with it). Against this laptop's copy a received audit is
  new        not here yet;
  unchanged  its history is already all here (the same version, or an older one);
  updated    this laptop's history is all in it: a fast-forward, taken whole;
  conflict   each side has changes the other has not seen: both versions are kept, the
             received one set aside in exchange_conflicts, until a person chooses.
Nothing is ever silently overwritten, and importing the same data again changes nothing.

The read-only triggers on finalised audits are never bypassed. A finalised audit arrives by
the route the core itself uses: its row goes in as a draft, then its answers and
recommendations, then its status is set to finalised. A finalised audit here is changed
only when the received version carries a later amendment (reopened with a reason): that
amendment is replayed as the same UPDATE audits.amend() makes, which the triggers allow.
A received version that changed a finalised audit without an amendment is a conflict.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import sqlcipher3

from .. import history as history_log
from ..errors import NotFound
from ..store import Database, now
from .bundle import CONCERN_COLUMNS, FORMAT, VERSION, canonical, columns
from .crypto import BundleRefused, read_file, unseal

MAX_STR = 200_000  # an evidence note is at most 20,000 characters; a history entry may hold a list
MAX_ID = 200
RECEIVED_CONCERN_BY = "(recorded on another laptop)"
IMPORT_CACHE_KIB = 64 * 1024
_SECTIONS = ("audits", "cases", "samplings", "reviewers", "checklists")


@dataclass
class Bundle:
    manifest: dict
    payload: dict
    source: str = ""

    @property
    def bundle_id(self) -> str:
        return self.manifest["bundle_id"]


@dataclass
class Plan:
    bundle: Bundle
    kinds: dict[str, str] = field(
        default_factory=dict
    )  # audit id -> new/updated/unchanged/conflict
    new_cases: int = 0
    references_added: int = 0
    new_checklists: list[str] = field(default_factory=list)  # "id version"
    new_reviewers: int = 0

    def ids(self, kind: str) -> list[str]:
        return [a for a, k in self.kinds.items() if k == kind]

    def count(self, kind: str) -> int:
        return sum(1 for k in self.kinds.values() if k == kind)

    def lines(self) -> list[str]:
        m = self.bundle.manifest
        out = [
            f"A file made on {m['created_at'][:10]} with audit-tool {m['tool_version']}, holding "
            f"{len(self.kinds):,} audit(s){' with case references' if m.get('identifiers') else ''}.",
            f"Audits: {self.count('new'):,} new, {self.count('updated'):,} updated, "
            f"{self.count('unchanged'):,} unchanged, {self.count('conflict'):,} in conflict.",
            f"Cases: {self.new_cases:,} new"
            + (
                f", {self.references_added:,} case reference(s) added"
                if self.references_added
                else ""
            )
            + f". Reviewers: {self.new_reviewers:,} new.",
            "Checklists: "
            + (", ".join(self.new_checklists) + " new" if self.new_checklists else "none new")
            + ".",
        ]
        if self.count("conflict"):
            out.append(
                "Audits in conflict were changed both here and on the other laptop: both versions "
                "are kept, and you choose which to keep under Conflicts."
            )
        return out


# -- reading and checking ------------------------------------------------------------------


def read_bundle(
    path: str | Path, passphrase: str | None = None, identities: list[str] | None = None
) -> Bundle:
    """Decrypt and check a bundle file; touches no database."""
    plain = unseal(read_file(Path(path)), passphrase, identities)
    return parse(plain, Path(path).name)


def _refuse(why: str) -> BundleRefused:
    return BundleRefused(f"This file cannot be imported: {why}; nothing was changed.")


def parse(plain: bytes, source: str = "") -> Bundle:
    head, newline, body = plain.partition(b"\n")
    try:
        m = json.loads(head.decode("utf-8"))
    except (ValueError, RecursionError):
        raise _refuse("its contents are not audit data") from None
    if not isinstance(m, dict) or not newline:
        raise _refuse("it has no manifest")
    if m.get("format") != FORMAT:
        raise _refuse("it is not an audit bundle")
    version = m.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise _refuse("its format version is not a number")
    if version > VERSION:
        raise BundleRefused(
            f"This file was made by a newer version of the tool (bundle format {version}; this "
            f"version reads up to {VERSION}). Update the tool, then import it; nothing was changed."
        )
    for key in ("bundle_id", "created_at", "tool_version", "payload_sha256"):
        _text(m.get(key), f"manifest {key}", MAX_ID)
    if hashlib.sha256(body).hexdigest() != m["payload_sha256"]:
        raise _refuse("its contents do not match their checksum")
    try:
        payload = json.loads(body.decode("utf-8"))
    except (ValueError, RecursionError):
        raise _refuse("its contents are not audit data") from None
    if not isinstance(payload, dict):
        raise _refuse("it has no payload")
    for section in _SECTIONS:
        if not isinstance(payload.get(section), list):
            raise _refuse(f"its {section} are not a list")
    bundle = Bundle(m, payload, source)
    _check_shapes(bundle)
    return bundle


def _text(value: object, what: str, limit: int = MAX_STR) -> str:
    if not isinstance(value, str):
        raise _refuse(f"{what} is not text")
    if len(value) > limit:
        raise _refuse(f"{what} is too long ({len(value):,} characters)")
    return value


def _row(obj: object, what: str, required: tuple[str, ...] = ("id",)) -> dict:
    return _rows([obj], what, required)[0]


def _rows(rows: list, what: str, required: tuple[str, ...] = ("id",)) -> list[dict]:
    """Each a flat record of text and numbers (the hot loop of a large file: kept lean)."""
    names: set[str] = set()
    for obj in rows:
        if type(obj) is not dict:
            raise _refuse(f"a record in {what} is not a record")
        names.update(obj)
        for value in obj.values():
            kind = type(value)
            if kind is str:
                if len(value) > MAX_STR:
                    raise _refuse(
                        f"{what} has a field that is too long ({len(value):,} characters)"
                    )
            elif value is not None and kind is not int and kind is not float:
                raise _refuse(f"{what} has a field that is not text or a number")
        for key in required:
            _text(obj.get(key), f"{what} {key}", MAX_ID)
    for key in names:
        if not isinstance(key, str) or len(key) > 64 or not key.replace("_", "").isalnum():
            raise _refuse(f"{what} has a field with an impossible name")
    return rows


def _check_shapes(bundle: Bundle) -> None:
    p = bundle.payload
    _rows(p["cases"], "cases", ("id", "pseudonym", "area"))
    _rows(p["samplings"], "samplings")
    _rows(p["reviewers"], "reviewers", ("id", "name"))
    for c in _rows(p["checklists"], "checklists", ("sha256", "checklist_id", "version")):
        _text(c.get("source"), "a checklist copy")
    seen: set[str] = set()
    for entry in p["audits"]:
        if not isinstance(entry, dict):
            raise _refuse("an audit is not a record")
        a = _row(
            entry.get("audit"),
            "audits",
            ("id", "case_id", "checklist_sha", "reviewer_id", "status"),
        )
        if a["id"] in seen:
            raise _refuse(f"audit {a['id'][:40]} appears twice")
        seen.add(a["id"])
        if a["status"] not in ("draft", "finalised"):
            raise _refuse("an audit has an unknown status")
        for name, required in (
            ("answers", ("item_id",)),
            ("recommendations", ()),
            ("concerns", CONCERN_COLUMNS),
            ("history", ("uid",)),
        ):
            rows = entry.get(name)
            if not isinstance(rows, list):
                raise _refuse(f"an audit's {name} are not a list")
            _rows(rows, name, required)
        if not entry["history"]:
            raise _refuse("an audit has no history")
        if "readings" in entry:  # a moderation's readings
            if not isinstance(entry["readings"], list):
                raise _refuse("a moderation's readings are not a list")
            for r in entry["readings"]:
                if not isinstance(r, dict) or set(r) != {"reading_id"}:
                    raise _refuse("a moderation's reading is not a reading id")
                _text(r["reading_id"], "a reading id")


# -- planning ------------------------------------------------------------------------------


def _ids_param(ids: list[str]) -> str:
    return json.dumps(ids)


def _local_state(db: Database, ids: list[str]) -> tuple[dict[str, dict], dict[str, set[str]]]:
    cur = db.conn.execute(
        "SELECT * FROM audits WHERE id IN (SELECT value FROM json_each(?))", (_ids_param(ids),)
    )
    names = [d[0] for d in cur.description]
    rows = {r[0]: dict(zip(names, r, strict=True)) for r in cur}
    uids: dict[str, set[str]] = defaultdict(set)
    for audit_id, uid in db.conn.execute(
        "SELECT audit_id, uid FROM history WHERE audit_id IN (SELECT value FROM json_each(?))",
        (_ids_param(ids),),
    ):
        uids[audit_id].add(uid)
    return rows, uids


def version_of(entry: dict) -> str:
    return hashlib.sha256(canonical(entry)).hexdigest()


def _known(db: Database, table: str, key: str, ids: set[str]) -> set[str]:
    if not ids:
        return set()
    found = db.conn.execute(
        f"SELECT {key} FROM {table} WHERE {key} IN (SELECT value FROM json_each(?))",  # noqa: S608
        (_ids_param(sorted(ids)),),
    )
    return {r[0] for r in found}


def _check_against(db: Database, bundle: Bundle) -> None:
    """What only this database can tell: replay, unknown columns, missing parents."""
    done = db.query_one(
        "SELECT imported_at FROM exchange_imports WHERE bundle_id = ?", (bundle.bundle_id,)
    )
    if done:
        raise BundleRefused(
            f"This file was already imported on {done[0][:10]} (bundle {bundle.bundle_id[:8]}); nothing was changed."
        )
    p = bundle.payload
    for table, rows, skip in (
        ("audits", [e["audit"] for e in p["audits"]], ()),
        ("cases", p["cases"], ()),
        ("samplings", p["samplings"], ()),
        ("answers", [r for e in p["audits"] for r in e["answers"]], ("audit_id",)),
        (
            "recommendations",
            [r for e in p["audits"] for r in e["recommendations"]],
            ("audit_id", "id"),
        ),
        ("history", [r for e in p["audits"] for r in e["history"]], ("audit_id", "id")),
    ):
        allowed = set(columns(db, table)) - set(skip)
        unknown = {k for r in rows for k in r} - allowed
        if unknown:
            raise BundleRefused(
                f"This file holds {table} details this version of the tool does not know "
                f"({', '.join(sorted(unknown)[:3])}); update the tool, then import it. Nothing was changed."
            )
    audits = [e["audit"] for e in p["audits"]]
    for what, table, key, wanted, carried in (
        ("case", "cases", "id", {a["case_id"] for a in audits}, {c["id"] for c in p["cases"]}),
        (
            "reviewer",
            "reviewers",
            "id",
            {a["reviewer_id"] for a in audits},
            {r["id"] for r in p["reviewers"]},
        ),
        (
            "checklist",
            "checklist_defs",
            "sha256",
            {a["checklist_sha"] for a in audits},
            {c["sha256"] for c in p["checklists"]},
        ),
        (
            "sampling",
            "samplings",
            "id",
            {c["sampling_id"] for c in p["cases"] if c.get("sampling_id")},
            {s["id"] for s in p["samplings"]},
        ),
    ):
        missing = wanted - carried
        missing -= _known(db, table, key, missing)
        if missing:
            raise _refuse(f"it refers to a {what} it does not carry ({sorted(missing)[0][:16]})")
    # a history entry's id names one entry of one audit, everywhere
    owner = {h["uid"]: e["audit"]["id"] for e in p["audits"] for h in e["history"]}
    if len(owner) != sum(len(e["history"]) for e in p["audits"]):
        raise _refuse("two of its history entries share an id")
    for uid, audit_id in db.conn.execute(
        "SELECT uid, audit_id FROM history WHERE uid IN (SELECT value FROM json_each(?))",
        (_ids_param(list(owner)),),
    ):
        if owner[uid] != audit_id:
            raise _refuse("its history entries clash with this laptop's")


def _checklists_to_add(db: Database, bundle: Bundle) -> list:
    from ..checklists.loader import parse as parse_checklist
    from ..checklists.loader import sha256_text
    from ..errors import ChecklistError

    p = bundle.payload
    wanted = {c["sha256"]: c for c in p["checklists"]}
    new = set(wanted) - _known(db, "checklist_defs", "sha256", set(wanted))
    loaded = []
    for sha in sorted(new):
        c = wanted[sha]
        if sha256_text(c["source"]) != sha:
            raise _refuse(
                f"the copy of checklist {c['checklist_id'][:40]} does not match its checksum"
            )
        try:
            loaded.append(
                parse_checklist(
                    c["source"], f"received copy of {c['checklist_id'][:40]}", "database"
                )
            )
        except ChecklistError as exc:
            raise _refuse(
                f"its copy of checklist {c['checklist_id'][:40]} is not valid ({exc})"
            ) from None
    return loaded


def _classify(
    c, entry: dict, local: dict | None, local_uids: set[str], pending: set[tuple[str, str]]
) -> str:
    a = entry["audit"]
    incoming = {h["uid"] for h in entry["history"]}
    if incoming <= local_uids:
        return "unchanged"  # seen already (here, or deleted here as a draft)
    if local is None:
        return "new"
    if local_uids <= incoming:
        if local["status"] != "finalised" or _same_content(c, local, entry):
            return "updated"
        if _reopened(local, entry):
            return "updated"
    return "unchanged" if (a["id"], version_of(entry)) in pending else "conflict"


def _reopened(local: dict, entry: dict) -> bool:
    """The received version carries an amendment this laptop has not seen."""
    a = entry["audit"]
    when = a.get("amended_at")
    return (
        bool(when)
        and when != local.get("amended_at")
        and bool(str(a.get("amend_reason") or "").strip())
    )


def _same_content(c, local: dict, entry: dict) -> bool:
    """Does the received version change nothing here but history and concerns?"""
    if any(local.get(k) != v for k, v in entry["audit"].items()):
        return False
    return _same_children(c, local["id"], entry)


def plan(db: Database, bundle: Bundle) -> Plan:
    """What importing would do; reads only."""
    _check_against(db, bundle)
    return _plan(db, bundle, _checklists_to_add(db, bundle))


def _plan(db: Database, bundle: Bundle, checklists: list) -> Plan:
    p = bundle.payload
    ids = [e["audit"]["id"] for e in p["audits"]]
    local, uids = _local_state(db, ids)
    pending = set(
        db.conn.execute(
            "SELECT audit_id, version FROM exchange_conflicts WHERE audit_id IN (SELECT value FROM json_each(?))",
            (_ids_param(ids),),
        )
    )
    out = Plan(bundle)
    for e in p["audits"]:
        aid = e["audit"]["id"]
        out.kinds[aid] = _classify(db.conn, e, local.get(aid), uids.get(aid, set()), pending)
    case_ids = {c["id"] for c in p["cases"]}
    known_cases = _known(db, "cases", "id", case_ids)
    out.new_cases = len(case_ids - known_cases)
    with_ref = [c["id"] for c in p["cases"] if c.get("reference") and c["id"] in known_cases]
    if with_ref:
        out.references_added = db.query_one(
            "SELECT count(*) FROM cases WHERE reference = '' AND id IN (SELECT value FROM json_each(?))",
            (_ids_param(with_ref),),
        )[0]
    rev = {r["id"] for r in p["reviewers"]}
    out.new_reviewers = len(rev - _known(db, "reviewers", "id", rev))
    out.new_checklists = [f"{c.id} {c.version}" for c in checklists]
    return out


# -- writing -------------------------------------------------------------------------------


def import_bundle(
    db: Database, bundle: Bundle, progress: Callable[[float], None] | None = None
) -> Plan:
    """Merge the bundle in one transaction; return what was done (the same as plan() said)."""
    _check_against(db, bundle)
    checklists = _checklists_to_add(db, bundle)
    # a merge touches pages all over a large database (ids are random): a bigger page cache
    # for its length saves decrypting the same pages again and again (the default is 2 MB)
    cache = db.conn.execute("PRAGMA cache_size").fetchone()[0]
    db.conn.execute(f"PRAGMA cache_size = {-IMPORT_CACHE_KIB}")
    try:
        with db.atomic() as c:
            c.execute("PRAGMA defer_foreign_keys = ON")  # a row may name another audit in the file
            done = _plan(db, bundle, checklists)  # again, under the write lock
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
        raise _refuse(f"its records do not fit together ({exc})") from None
    except BaseException:
        for loaded in checklists:
            db._checklists.pop(loaded.sha256, None)
        raise
    finally:
        db.conn.execute(f"PRAGMA cache_size = {int(cache)}")
    return done


def _insert(
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
    p = done.bundle.payload
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
    _insert(c, "samplings", p["samplings"], verb="INSERT OR IGNORE")
    _insert(c, "cases", [{"reference": "", **k} for k in p["cases"]], verb="INSERT OR IGNORE")
    c.executemany(
        "UPDATE cases SET reference = ? WHERE id = ? AND reference = ''",
        [(k["reference"], k["id"]) for k in p["cases"] if k.get("reference")],
    )
    entries = {e["audit"]["id"]: e for e in p["audits"]}
    new = [entries[a] for a in done.ids("new")]
    # new audits in bulk, in the core's order: row as a draft, its contents, then its status
    _insert(c, "audits", [{**e["audit"], "status": "draft"} for e in new])
    _contents(c, new)
    c.executemany(
        "UPDATE audits SET status = 'finalised' WHERE id = ?",
        [(e["audit"]["id"],) for e in new if e["audit"]["status"] == "finalised"],
    )
    if progress:
        progress(0.6)
    updated = done.ids("updated")
    local, _ = _local_state(db, updated)
    for n, aid in enumerate(updated):
        _fast_forward(c, local[aid], entries[aid])
        if progress and n % 200 == 0:
            progress(0.6 + 0.3 * n / max(1, len(updated)))
    _insert(
        c, "history", [h for e in new for h in _with_audit(e, "history")], verb="INSERT OR IGNORE"
    )
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
    _drop_settled(c, updated)


def _with_audit(entry: dict, name: str) -> list[dict]:
    return [{**r, "audit_id": entry["audit"]["id"]} for r in entry[name]]


def _contents(c, entries: list[dict]) -> None:
    """Answers, recommendations and a moderation's links to its readings, written while the
    audit is still a draft (the read-only triggers then let them in)."""
    c.executemany(
        "INSERT OR IGNORE INTO moderation_sources (moderation_id, reading_id) VALUES (?, ?)",
        [(e["audit"]["id"], r["reading_id"]) for e in entries for r in e.get("readings", [])],
    )
    _insert(c, "answers", [r for e in entries for r in _with_audit(e, "answers")])
    _insert(c, "recommendations", [r for e in entries for r in _with_audit(e, "recommendations")])


def _fast_forward(c, local: dict, entry: dict, reopen: tuple[str, str] | None = None) -> bool:
    """Make this laptop's audit the received version (whose history holds all of ours).
    True when a finalised audit here was reopened for it."""
    a = dict(entry["audit"])
    aid = a["id"]
    _insert(c, "history", _with_audit(entry, "history"), verb="INSERT OR IGNORE")
    reopened = False
    if local["status"] == "finalised":
        if _same_content(c, local, entry):
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
    _contents(c, [entry])
    if final:
        c.execute("UPDATE audits SET status = 'finalised' WHERE id = ?", (aid,))
    return reopened


def _same_children(c, audit_id: str, entry: dict) -> bool:
    def rows(table: str, order: str) -> list[dict]:
        cur = c.execute(f"SELECT * FROM {table} WHERE audit_id = ? ORDER BY {order}", (audit_id,))  # noqa: S608
        names = [d[0] for d in cur.description]
        return [
            {k: v for k, v in zip(names, r, strict=True) if k not in ("audit_id", "id")}
            for r in cur
        ]

    def norm(items: list[dict], keys: list[str]) -> list[dict]:
        return [{k: i.get(k) for k in keys} for i in items]

    ans = rows("answers", "item_id")
    recs = rows("recommendations", "pos")
    got = sorted(entry["answers"], key=lambda r: r["item_id"])
    return (
        norm(ans, list(ans[0]) if ans else []) == norm(got, list(ans[0]) if ans else [])
        and len(ans) == len(got)
        and norm(recs, ["pos", "text", "owner", "due"])
        == norm(entry["recommendations"], ["pos", "text", "owner", "due"])
    )


def _drop_settled(c, audit_ids: list[str]) -> None:
    """A received version set aside earlier whose history is now all here is settled."""
    for aid, version, incoming in c.execute(
        "SELECT audit_id, version, incoming FROM exchange_conflicts WHERE audit_id IN (SELECT value FROM json_each(?))",
        (_ids_param(audit_ids),),
    ).fetchall():
        here = {r[0] for r in c.execute("SELECT uid FROM history WHERE audit_id = ?", (aid,))}
        if {h["uid"] for h in json.loads(incoming)["history"]} <= here:
            c.execute(
                "DELETE FROM exchange_conflicts WHERE audit_id = ? AND version = ?", (aid, version)
            )


# -- conflicts: listing, comparing, resolving ------------------------------------------------


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
        level = d.scale_of(item).level(value)
        return level.label if level else str(value)

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
    from ..audits import local_reviewer

    version, entry = _pending(db, audit_id, version)
    who = who or local_reviewer(db).name
    with db.atomic() as c:
        local, _ = _local_state(db, [audit_id])
        stamp = now()
        if take_received:
            reason = "Took the version received from another laptop (exchange conflict)."
            if _fast_forward(c, local[audit_id], entry, (stamp, reason)):
                history_log.append(c, audit_id, stamp, who, "amended", "status", "finalised", reason)
            what = "took the received version"
        else:
            _insert(c, "history", _with_audit(entry, "history"), verb="INSERT OR IGNORE")
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
        _drop_settled(c, [audit_id])

