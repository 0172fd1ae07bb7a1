"""What importing a checked bundle would do, read from this laptop's database only.

An audit's version is its history: the set of history rows (each with a uid that travels
with it). Against this laptop's copy a received audit is
  new        not here yet;
  unchanged  its history is already all here (the same version, or an older one);
  updated    this laptop's history is all in it: a fast-forward, taken whole;
  conflict   each side has changes the other has not seen: both versions are kept, the
             received one set aside in exchange_conflicts, until a person chooses.
A fast-forward over an audit finalised here must be explained by an amendment in the
history it carries (amendment.check); otherwise the file is refused.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass, field

from ..store import Database
from . import amendment, checks, precision
from .bundle import canonical, columns
from .crypto import BundleRefused, refused
from .links import CaseLink, find_links, linked_payload
from .links import lines as link_lines
from .local_columns import without_local
from .parse import Bundle
from .schema import audit_name


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
    # received cases matching a case here typed another way (links.py), and the payload as
    # this laptop takes it (audits of a linked case name the case here)
    links: list[CaseLink] = field(default_factory=list)
    payload: dict = field(default_factory=dict, repr=False)
    # finalised audits here received earlier without identifiers, now with them: their
    # exact times and text are taken (precision.py); and the reverse, where all is kept
    refined: list[str] = field(default_factory=list)
    kept_named: list[str] = field(default_factory=list)

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
            *self._precision_lines(),
            *link_lines(self.links),
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

    def _precision_lines(self) -> list[str]:
        def many(n: int, one: str, more: str) -> str:
            return one if n == 1 else more

        apart = {x.received_id for x in self.links if x.known}  # links.py: not joined
        cases = {e["audit"]["id"]: e["audit"]["case_id"] for e in self.payload.get("audits", [])}
        kept_apart = sum(1 for a in self.refined if cases.get(a) in apart)
        out = []
        for n, what, then in (
            (len(self.refined) - kept_apart, "references and times", "."),
            (kept_apart, "times", "; {} case stays apart, see below."),
        ):
            if n:
                its = many(n, "its", "their")
                out.append(
                    f"{n:,} finalised {many(n, 'audit', 'audits')} received earlier without "
                    f"identifiers: {its} {what} added (the same {many(n, 'audit', 'audits')}, "
                    f"not a change){then.format(its)}"
                )
        if n := len(self.kept_named):
            out.append(
                f"{n:,} finalised {many(n, 'audit', 'audits')} here with identifiers came again "
                "without them: the references and times here are kept."
            )
        return out


def ids_param(ids: list[str]) -> str:
    return json.dumps(ids)


def local_state(db: Database, ids: list[str]) -> tuple[dict[str, dict], dict[str, set[str]]]:
    cur = db.conn.execute(
        "SELECT * FROM audits WHERE id IN (SELECT value FROM json_each(?))", (ids_param(ids),)
    )
    names = [d[0] for d in cur.description]
    rows = {r[0]: without_local(dict(zip(names, r, strict=True))) for r in cur}
    uids: dict[str, set[str]] = defaultdict(set)
    for audit_id, uid in db.conn.execute(  # this laptop's own entries are no part of a version
        "SELECT audit_id, uid FROM history WHERE audit_id IN (SELECT value FROM json_each(?))"
        " AND action <> ?",
        (ids_param(ids), precision.REFINED),
    ):
        uids[audit_id].add(uid)
    return rows, uids


def version_of(entry: dict) -> str:
    return hashlib.sha256(canonical(entry)).hexdigest()


def known(db: Database, table: str, key: str, ids: set[str]) -> set[str]:
    if not ids:
        return set()
    found = db.conn.execute(
        f"SELECT {key} FROM {table} WHERE {key} IN (SELECT value FROM json_each(?))",  # noqa: S608
        (ids_param(sorted(ids)),),
    )
    return {r[0] for r in found}


def check_against(db: Database, bundle: Bundle) -> None:
    """What only this database can tell: replay, unknown columns, missing parents (of the
    payload as linked to the cases here)."""
    done = db.query_one(
        "SELECT imported_at FROM exchange_imports WHERE bundle_id = ?", (bundle.bundle_id,)
    )
    if done:
        raise BundleRefused(
            f"This file was already imported on {done[0][:10]} (bundle {bundle.bundle_id[:8]}); nothing was changed."
        )
    p = linked_payload(bundle.payload, find_links(db, bundle.payload))
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
        unknown = set().union(*rows) - allowed if rows else set()
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
        missing -= known(db, table, key, missing)
        if missing:
            raise refused(f"it refers to a {what} it does not carry ({sorted(missing)[0][:16]})")
    # audits whose checklist copy stayed at home: their answers against this laptop's copy
    here = {a["checklist_sha"] for a in audits} - set(bundle.checklists)
    checks.check_answers(p, {sha: db.checklist(sha) for sha in here})
    _check_readings(db, p)
    # a history entry's id names one entry of one audit, everywhere
    owner = {h["uid"]: e["audit"]["id"] for e in p["audits"] for h in e["history"]}
    for uid, audit_id in db.conn.execute(
        "SELECT uid, audit_id FROM history WHERE uid IN (SELECT value FROM json_each(?))",
        (ids_param(list(owner)),),
    ):
        if owner[uid] != audit_id:
            raise refused("its history entries clash with this laptop's")


def _check_readings(db: Database, p: dict) -> None:
    """A moderation's readings not in the file must be here, readings of the same case file."""
    in_file = {e["audit"]["id"] for e in p["audits"]}
    for n, e in enumerate(p["audits"]):
        away = [r["reading_id"] for r in e.get("readings", []) if r["reading_id"] not in in_file]
        if not away:
            continue
        found = dict(
            db.conn.execute(
                "SELECT id, case_id FROM audits WHERE id IN (SELECT value FROM json_each(?))",
                (ids_param(away),),
            ).fetchall()
        )
        for rid in away:
            if rid not in found:
                raise refused(
                    f"{audit_name(e, n)} is a moderation of audit {rid[:8]}, "
                    "which is neither in the file nor on this laptop"
                )
            if found[rid] != e["audit"]["case_id"]:
                raise refused(
                    f"{audit_name(e, n)} names a reading of another case file ({rid[:8]})"
                )


def checklists_to_add(db: Database, bundle: Bundle) -> list:
    """The carried checklist copies this laptop does not have yet (checked when read)."""
    wanted = set(bundle.checklists)
    return [
        bundle.checklists[sha]
        for sha in sorted(wanted - known(db, "checklist_defs", "sha256", wanted))
    ]


def classify(
    c,
    entry: dict,
    local: dict | None,
    local_uids: set[str],
    pending: set[tuple[str, str]],
    name: str = "an audit",
) -> str:
    a = entry["audit"]
    incoming = {h["uid"] for h in entry["history"]}
    if incoming <= local_uids:
        return "unchanged"  # seen already (here, or deleted here as a draft)
    if local is None:
        return "new"
    if local_uids <= incoming:
        if local["status"] == "finalised" and not same_content(c, local, entry):
            amendment.check(c, local, entry, local_uids, name)  # refuses what it cannot explain
        return "updated"
    return "unchanged" if (a["id"], version_of(entry)) in pending else "conflict"


def same_content(c, local: dict, entry: dict) -> bool:
    """Does the received version change nothing here but history and concerns? The same
    audit with or without its identifiers (precision.py) changes nothing either."""
    return precision.relation(c, local, entry) is not None


def plan(db: Database, bundle: Bundle) -> Plan:
    """What importing would do; reads only."""
    check_against(db, bundle)
    return make_plan(db, bundle, checklists_to_add(db, bundle))


def make_plan(db: Database, bundle: Bundle, checklists: list) -> Plan:
    found = find_links(db, bundle.payload)
    p = linked_payload(bundle.payload, found)
    ids = [e["audit"]["id"] for e in p["audits"]]
    local, uids = local_state(db, ids)
    pending = set(
        db.conn.execute(
            "SELECT audit_id, version FROM exchange_conflicts WHERE audit_id IN (SELECT value FROM json_each(?))",
            (ids_param(ids),),
        )
    )
    out = Plan(bundle, links=found, payload=p)
    for n, e in enumerate(p["audits"]):
        aid = e["audit"]["id"]
        out.kinds[aid] = kind = classify(
            db.conn, e, local.get(aid), uids.get(aid, set()), pending, audit_name(e, n)
        )
        here = local.get(aid)
        # a copy without identifiers has its times cut to the day: the audit row tells (and
        # an unchanged one costs no read of its answers)
        if (
            kind in ("unchanged", "updated")
            and here
            and here["status"] == "finalised"
            and any(here.get(k) != v for k, v in e["audit"].items())
        ):
            way = precision.relation(db.conn, here, e)
            if way == "named":
                out.refined.append(aid)
            elif way == "unnamed":
                out.kept_named.append(aid)
    case_ids = {c["id"] for c in p["cases"]}
    known_cases = known(db, "cases", "id", case_ids)
    out.new_cases = len(case_ids - known_cases)
    with_ref = [c["id"] for c in p["cases"] if c.get("reference") and c["id"] in known_cases]
    if with_ref:
        out.references_added = db.query_one(
            "SELECT count(*) FROM cases WHERE reference = '' AND id IN (SELECT value FROM json_each(?))",
            (ids_param(with_ref),),
        )[0]
    rev = {r["id"] for r in p["reviewers"]}
    out.new_reviewers = len(rev - known(db, "reviewers", "id", rev))
    out.new_checklists = [f"{c.id} {c.version}" for c in checklists]
    return out
