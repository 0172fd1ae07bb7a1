"""Cases and audits: case add, list; audit new, answer, finalise, amend, delete, show, list,
history."""

from __future__ import annotations

import argparse

from .. import audits
from ..cases import add_case, list_cases
from ..domain import AuditType, Phase
from ..formatting import day
from ..history import entries as history_entries
from ..jsonout import audit_to_json, case_to_json, history_to_json, row_to_json
from ..records import get_audit, new_audit, status_text
from ..selection import list_audits
from .common import Add, UsageError, add_filters, audit_filter, group, open_db, plain, print_json


def cmd_case_add(args: argparse.Namespace) -> int:
    with open_db(args) as db:
        case = add_case(db, args.ref, args.area, args.agency or "", args.team or "")
    print(case.id)
    return 0


def cmd_case_list(args: argparse.Namespace) -> int:
    with open_db(args) as db:
        cases = list_cases(db)
    if args.json:
        print_json([case_to_json(c) for c in cases])
    else:
        for c in cases:
            print(plain(f"{c.id}  {c.pseudonym}  {c.reference}  {c.area}  {c.agency}"))
    return 0


def cmd_audit_new(args: argparse.Namespace) -> int:
    with open_db(args) as db:
        audit_id = new_audit(db, args.case, args.checklist, args.type, args.phase)
    print(audit_id)
    return 0


def cmd_audit_answer(args: argparse.Namespace) -> int:
    if args.rating is None and args.note is None:
        raise UsageError("give --rating and/or --note")
    with open_db(args) as db:
        rating = audits.UNSET if args.rating is None else (None if args.rating == "" else args.rating)
        note = audits.UNSET if args.note is None else args.note
        change = audits.answer(db, args.audit_id, args.item_id, rating, note)
    extra = ""
    if change.shown:
        extra += f"; now shown: {', '.join(change.shown)}"
    if change.hidden:
        extra += f"; now hidden: {', '.join(change.hidden)}"
    print(f"Saved {args.item_id}{extra}" if change.changed else f"{args.item_id} unchanged")
    return 0


def cmd_audit_finalise(args: argparse.Namespace) -> int:
    with open_db(args) as db:
        audits.finalise(db, args.audit_id)
    print("Finalised: the audit is now read-only.")
    return 0


def cmd_audit_amend(args: argparse.Namespace) -> int:
    with open_db(args) as db:
        audits.amend(db, args.audit_id, args.reason)
    print("Reopened for amendment; the reason is in the history.")
    return 0


def cmd_audit_delete(args: argparse.Namespace) -> int:
    with open_db(args) as db:
        audits.delete_draft(db, args.audit_id)
    print("Draft deleted.")
    return 0


def cmd_audit_show(args: argparse.Namespace) -> int:
    with open_db(args) as db:
        audit = get_audit(db, args.audit_id)
    data = audit_to_json(audit)
    if args.json:
        print_json(data)
        return 0
    print(plain(f"{data['checklist']['title']} (version {data['checklist']['version']})"))
    print(plain(f"Case {audit.case.reference} [{audit.case.pseudonym}], {audit.case.area}"))
    print(plain(f"{audit.audit_type.label}, {audit.phase.label}, {status_text(audit)}; "
          f"{data['progress']['answered']} of {data['progress']['applicable']} items answered"))
    for theme in data["themes"]:
        print(plain(f"\n{theme['title']}"))
        for item in theme["items"]:
            if not item["visible"] and item["counts_as"] != "fails":
                continue
            label = "; ".join(
                lv["label"] for lv in item["levels"]
                if lv["value"] in (item["ticked"] or [item["rating"]])
            ) or "—"
            if not item["visible"]:  # not asked after a failing answer
                label = "Not asked (counts as not met)"
            req = "*" if item["required"] else " "
            print(plain(f" {req}{item['id']:<8} {label:<15} {item['text']}"))
            if item["note"]:
                indent = " " * 12
                print(indent + plain(item["note"]).replace("\n", "\n" + indent))
    return 0


def cmd_audit_list(args: argparse.Namespace) -> int:
    with open_db(args) as db:
        rows = list_audits(db, audit_filter(args), args.limit)
    if args.json:
        print_json([row_to_json(r) for r in rows])
        return 0
    if not rows:
        print("No audits match.")
    for r in rows:
        print(plain(f"{r.id}  {r.status:<9} {r.phase:<13} {r.checklist_id:<36} {r.area:<24} "
                     f"{r.answered}/{r.total}  {day(r.updated_at)}"))
    return 0


def cmd_audit_history(args: argparse.Namespace) -> int:
    with open_db(args) as db:
        entries = history_entries(db, args.audit_id, args.item)
    if args.json:
        print_json([history_to_json(e) for e in entries])
        return 0
    for e in entries:
        print(f"{e.at}  {e.who:<20} {e.action:<15} {e.field:<10} {e.old!r} -> {e.new!r}")
    return 0


def register(sub, add: Add) -> None:
    case = group(sub, "case", "cases")
    p = add("add", cmd_case_add, "add a case; prints its id", case)
    p.add_argument("--ref", required=True, help="local case reference (kept encrypted)")
    p.add_argument("--area", required=True)
    p.add_argument("--agency")
    p.add_argument("--team")
    p = add("list", cmd_case_list, "list cases", case)
    p.add_argument("--json", action="store_true")

    audit = group(sub, "audit", "audits")
    p = add("new", cmd_audit_new, "start an audit; prints its id", audit)
    p.add_argument("--case", required=True)
    p.add_argument("--checklist", required=True)
    p.add_argument("--phase", default=Phase.BASELINE.value, choices=[x.value for x in Phase])
    p.add_argument("--type", choices=[x.value for x in AuditType])
    p = add("answer", cmd_audit_answer, "rate an item and/or record its evidence note", audit)
    p.add_argument("audit_id")
    p.add_argument("item_id")
    p.add_argument(
        "--rating",
        help="a level value or label; empty to clear. On a multiple-choice item the options "
        "ticked, comma separated (e.g. opioids,alcohol); this replaces the earlier set",
    )
    p.add_argument("--note")
    p = add("finalise", cmd_audit_finalise, "finalise (read-only from then on)", audit)
    p.add_argument("audit_id")
    p = add("amend", cmd_audit_amend, "reopen a finalised audit, with a reason", audit)
    p.add_argument("audit_id")
    p.add_argument("--reason", required=True)
    p = add("delete", cmd_audit_delete, "delete a draft audit", audit)
    p.add_argument("audit_id")
    p = add("show", cmd_audit_show, "show an audit", audit)
    p.add_argument("audit_id")
    p.add_argument("--json", action="store_true")
    p = add("list", cmd_audit_list, "list audits", audit)
    p.add_argument("--json", action="store_true")
    p.add_argument("--limit", type=int)
    add_filters(p)
    p = add("history", cmd_audit_history, "an audit's change history", audit)
    p.add_argument("audit_id")
    p.add_argument("--item")
    p.add_argument("--json", action="store_true")
