"""Double reading and moderation: reading second; moderation start, show."""

from __future__ import annotations

import argparse

from ..jsonout import moderation_to_json
from ..records import get_audit, status_text
from ..reviewers import local_reviewer
from .common import Add, group, open_db, plain, print_json


def cmd_reading_second(args: argparse.Namespace) -> int:
    from ..moderation import reviewer_named, start_second_reading

    with open_db(args) as db:
        reader = reviewer_named(db, args.reviewer) if args.reviewer else local_reviewer(db)
        new_id = start_second_reading(db, args.audit_id, reader.id)
    print(new_id)
    return 0


def cmd_moderation_start(args: argparse.Namespace) -> int:
    from ..moderation import reviewer_named, start_moderation

    with open_db(args) as db:
        lead = reviewer_named(db, args.lead) if args.lead else local_reviewer(db)
        mod_id = start_moderation(db, args.audit_ids, lead.id)
    print(mod_id)
    return 0


def cmd_moderation_show(args: argparse.Namespace) -> int:
    from ..moderation import get_moderation

    with open_db(args) as db:
        m = get_moderation(db, args.moderation_id)
        audit = get_audit(db, args.moderation_id)
    if args.json:
        print_json(moderation_to_json(m, audit))
        return 0
    print(plain(f"Moderation of {audit.case.pseudonym}, {audit.checklist.title}, {audit.phase.label}: "
                 f"{status_text(audit)}; lead reader {m.lead.name}"))
    letters = [chr(ord("A") + n) for n in range(len(m.readings))]
    for letter, r in zip(letters, m.readings, strict=True):
        print(plain(f"  Reading {letter}: {r.reviewer.name} ({r.audit_id}, {r.status})"))
    print(f"{m.disagreements} item(s) where the readings differ (marked DIFFERS)\n")
    for i in m.items:
        side = "  ".join(f"{x}: {lab:<15}" for x, lab in zip(letters, i.labels, strict=True))
        mark = "DIFFERS" if i.disagree else "same   "
        print(plain(f" {i.item_id:<8} {mark} {side} agreed: {i.agreed_label}"))
        if i.reason:
            print(plain(f"          reason: {i.reason}"))
        elif i.needs_reason:
            print("          reason: (needed before finalising)")
    return 0


def register(sub, add: Add) -> None:
    rd = group(sub, "reading", "double reading of a case file")
    p = add("second", cmd_reading_second, "start a second, blind reading of an audit's case file "
            "by another reader; prints its id", rd)
    p.add_argument("audit_id")
    p.add_argument("--reviewer", metavar="NAME",
                   help="the second reader (a new profile if nobody has this name; "
                        "default: this laptop's reviewer)")
    md = group(sub, "moderation", "moderate two or more readings of a case file")
    p = add("start", cmd_moderation_start, "start a moderation of finalised readings; prints its id "
            "(answer it with `audit answer ... --note REASON`, then `audit finalise`)", md)
    p.add_argument("audit_ids", nargs="+", metavar="AUDIT_ID")
    p.add_argument("--lead", metavar="NAME", help="the lead reader (default: this laptop's reviewer)")
    p = add("show", cmd_moderation_show, "a moderation's items: each reading side by side, "
            "differences marked", md)
    p.add_argument("moderation_id")
    p.add_argument("--json", action="store_true")
