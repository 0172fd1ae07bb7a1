"""`audit recommendation list|status`: recommendations tracked as actions (issue 20,
item 6). Status, body and link stay changeable after the audit is finalised."""

from __future__ import annotations

import argparse

from .common import open_db, plain, print_json


def cmd_recommendation_list(args: argparse.Namespace) -> int:
    from ..actions import actions_of
    from ..records import get_audit

    with open_db(args) as db:
        audit = get_audit(db, args.audit_id)
        acts = actions_of(db, args.audit_id)
    rows = [
        {"number": i + 1, "text": r.text, "owner": r.owner, "due": r.due, "status": acts[i].status,
         "body": acts[i].body, "link": acts[i].link, "status_at": acts[i].status_at}
        for i, r in enumerate(audit.recommendations)
    ]
    if args.json:
        print_json(rows)
        return 0
    if not rows:
        print("No recommendations recorded in this audit.")
    for r in rows:
        print(plain(f"{r['number']:>2}. [{r['status']}] {r['text']}"))
        print(plain(f"    body: {r['body'] or 'not given'}; answers: {r['link'] or 'no item'}; "
                    f"owner: {r['owner'] or 'not assigned'}; due: {r['due'] or 'no date'}"))
    return 0


def cmd_recommendation_status(args: argparse.Namespace) -> int:
    from ..actions import actions_of, set_action
    from .common import UsageError

    if args.status is None and args.body is None and args.link is None:
        raise UsageError("give --status, --body or --link (or more than one)")
    with open_db(args) as db:
        changes = set_action(db, args.audit_id, args.number - 1, status=args.status,
                             body=args.body, link=args.link)
        now = actions_of(db, args.audit_id)[args.number - 1]
    said = now.describe() if changes.any else f"{now.describe()} (unchanged)"
    print(plain(f"Recommendation {args.number}: {said}"))
    return 0


def _number(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a recommendation number (1, 2, ...)") from None
    if n < 1:
        raise argparse.ArgumentTypeError("recommendations are numbered from 1")
    return n


def register(sub, add) -> None:
    """Add `audit recommendation ...` to the existing `audit` group."""
    from ..actions import BODIES, STATUSES
    from .common import group

    audit = next(a for a in sub.choices["audit"]._actions if isinstance(a, argparse._SubParsersAction))
    rec = group(audit, "recommendation", "recommendations tracked as actions: status, body, link")
    p = add("list", cmd_recommendation_list, "an audit's recommendations with their status", rec)
    p.add_argument("audit_id")
    p.add_argument("--json", action="store_true")
    p = add("status", cmd_recommendation_status,
            "set a recommendation's status, body responsible or the item it answers "
            "(allowed after the audit is finalised; logged in its history)", rec)
    p.add_argument("audit_id")
    p.add_argument("number", type=_number, help="the recommendation's number (1 is the first)")
    p.add_argument("--status", help=f"one of: {', '.join(STATUSES)}")
    p.add_argument("--body", help=f"one of: {', '.join(BODIES)}; '' to clear")
    p.add_argument("--link", metavar="ITEM_ID", help="the checklist item it answers; '' to clear")
