"""Printing a blank checklist and exporting the audit trail (issue 23).

    audit-tool checklist print ID --format pdf|docx --out FILE   (no passphrase needed)
    audit-tool history export --out FILE.csv|xlsx [filters]      (Restricted: identifiable)

`export dataset --format sav|dta` needs nothing here: audit_tool.dataset accepts the formats.
"""

from __future__ import annotations

import argparse
from datetime import date
from pathlib import Path

from .common import open_db


def _iso_date(text: str) -> str:
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date like 2026-03-31") from None


def cmd_checklist_print(args: argparse.Namespace) -> int:
    from ..reports.blank import find_checklist, write_blank

    checklist = find_checklist(args.id)
    out = write_blank(checklist, args.format, args.out)
    print(f"Wrote {out}: blank {checklist.id} version {checklist.version}, "
          f"{checklist.definition.item_count()} items")
    return 0


def cmd_history_export(args: argparse.Namespace) -> int:
    from ..history_export import MARK, HistoryFilter, export_history

    flt = HistoryFilter(
        audit_id=args.audit, case_reference=args.case_ref, area=args.area,
        checklist_id=args.checklist, who=args.who, date_from=args.date_from,
        date_to=args.date_to,
    )
    if args.out.suffix.lower() not in (".csv", ".xlsx"):  # before the passphrase prompt
        from ..errors import InvalidInput

        raise InvalidInput(f"Name the file .csv or .xlsx (not '{args.out.name}').")
    with open_db(args) as db:
        path, count = export_history(db, args.out, flt)
    print(f"Wrote {path}: {count:,} changes ({MARK}). It names cases and reviewers: "
          "keep it as you keep the case files.")
    return 0


def _subparsers(parser: argparse.ArgumentParser) -> argparse._SubParsersAction:
    return next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))


def register(sub: argparse._SubParsersAction, add=None) -> None:
    """Add `checklist print` (to the existing `checklist` group) and `history export`."""
    from ..history_export import suggested_name

    parser_class = type(next(iter(sub.choices.values())))
    checklist = _subparsers(sub.choices["checklist"])
    p = checklist.add_parser(
        "print", help="a blank checklist to print (PDF or DOCX): numbered questions, guidance, "
        "scale, evidence boxes", description="a blank checklist to print",
    )
    p.set_defaults(func=cmd_checklist_print)
    p.add_argument("id")
    p.add_argument("--format", required=True, choices=["pdf", "docx"])
    p.add_argument("--out", required=True, type=Path)

    hist = sub.add_parser("history", help="the audit trail").add_subparsers(
        dest="sub", required=True, parser_class=parser_class)
    help_ = ("every change (who, when, which audit and item, old -> new) as CSV or XLSX; "
             f"Restricted: identifiable. Suggested name: '{suggested_name()}'")
    p = hist.add_parser("export", help=help_, description=help_)
    p.set_defaults(func=cmd_history_export)
    p.add_argument("--out", required=True, type=Path, help="FILE.csv or FILE.xlsx")
    p.add_argument("--audit", metavar="AUDIT_ID")
    p.add_argument("--case-ref", metavar="REF", help="one case's changes (subject-access request)")
    p.add_argument("--area")
    p.add_argument("--checklist", help="checklist id")
    p.add_argument("--who", help="changes by this reviewer name")
    p.add_argument("--from", dest="date_from", metavar="YYYY-MM-DD", type=_iso_date,
                   help="changes on or after this date")
    p.add_argument("--to", dest="date_to", metavar="YYYY-MM-DD", type=_iso_date,
                   help="changes on or before this date")
