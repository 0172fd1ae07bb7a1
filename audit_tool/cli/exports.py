"""Exports: export audit, report (DOCX or PDF) and dataset (analyst data)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

# the formats the renderers take (reports.FORMATS; importing audit_tool.export here would
# load every report builder, about a second, before each command)
from ..reports import FORMATS
from ..reports.notes import MAX_COMMENTARY, MAX_DECISION, MAX_DECISIONS
from .common import Add, UsageError, add_filters, audit_filter, group, open_db, plain


def release_period() -> str:
    """Whole months or quarters (the release_period setting)."""
    from ..settings import Settings

    return Settings.load().get("release_period")


def need_recipient(args: argparse.Namespace, what: str) -> str:
    """--recipient is required for every release: the register records who it is for."""
    recipient = (getattr(args, "recipient", None) or "").strip()
    if not recipient:
        raise UsageError(f"{what} needs --recipient NAME: the release register records who it is for.")
    return recipient


def free_text_review(args: argparse.Namespace, kind: str):
    """How the command line confirms free text (issue 18 item 5): --free-text-reviewed CODE
    (the code printed with the texts); in a terminal, the texts and a question; else the
    texts are printed with their code and nothing is written."""
    from ..disclosure.review import confirmed, confirmed_by_code, listing
    from ..errors import InvalidInput

    def review(texts: list[str], who: str) -> object:
        if args.free_text_reviewed:
            return confirmed_by_code(texts, args.free_text_reviewed, who)
        for line in listing(texts, kind):
            print(plain(line))
        if sys.stdin.isatty():
            answer = input(f"Release these {len(texts):,} {kind}? Type yes to go on: ")
            if answer.strip().lower() == "yes":
                return confirmed(texts, who, "listed and confirmed with yes on the command line")
        raise InvalidInput(
            f"The {len(texts):,} {kind} were listed, not confirmed; nothing was written."
        )

    return review


def _who(db) -> str:
    from ..reviewers import local_reviewer

    return local_reviewer(db).name


def release_notes(args: argparse.Namespace):
    """The lead's notes from --commentary-file, --decision and --deaths-in-period."""
    from ..notes_input import make_notes, read_commentary

    text = read_commentary(args.commentary_file) if args.commentary_file else ""
    return make_notes(text, args.decision or (), args.deaths_in_period)


def cmd_export(args: argparse.Namespace) -> int:
    from ..export import release_audit, release_report

    def progress(fraction: float) -> None:
        if sys.stderr.isatty():
            print(f"\rExporting… {fraction:.0%}", end="", file=sys.stderr, flush=True)

    if args.what == "dataset":
        return cmd_export_dataset(args)
    recipient = need_recipient(args, f"export {args.what}")
    notes = release_notes(args) if args.what == "report" else None  # before the passphrase
    with open_db(args) as db:
        if args.what == "audit":  # recorded in the register too (an "audit report")
            out = release_audit(db, args.audit_id, args.format, args.out, recipient=recipient,
                                include_identifiers=args.include_identifiers, progress=progress)
        else:
            check = free_text_review(args, "recommendation texts")
            out = release_report(db, audit_filter(args), args.format, args.out, recipient=recipient,
                                 include_identifiers=args.include_identifiers,
                                 include_free_text=args.include_free_text, period=release_period(),
                                 progress=progress, review=lambda t: check(t, _who(db)),
                                 notes=notes)
    if sys.stderr.isatty():
        print(file=sys.stderr)
    print(f"Wrote {out}")
    return 0


ANONYMISED_LINE = ("Anonymised: no area, agency or team in this file (they are released only in "
                   "a restricted dataset, --restricted).")


def cmd_export_dataset(args: argparse.Namespace) -> int:
    from ..dataset import check_format
    from ..export import release_dataset

    check_format(args.format)  # before the passphrase prompt
    recipient = need_recipient(args, "export dataset")
    check = free_text_review(args, "evidence notes")
    with open_db(args) as db:
        written = release_dataset(db, audit_filter(args), args.format, args.out, recipient=recipient,
                                  include_free_text=args.include_free_text,
                                  restricted=args.restricted, period=release_period(),
                                  review=lambda t: check(t, _who(db)))
    for path in written:
        print(f"Wrote {path}")
    if not args.restricted:
        print(ANONYMISED_LINE)
    return 0


def register(sub, add: Add) -> None:
    exp = group(sub, "export", "DOCX or PDF reports, analyst dataset", dest="what")
    p = add("audit", cmd_export, "one audit", exp)
    p.add_argument("audit_id")
    p.add_argument("--recipient", metavar="NAME",
                   help="who the report is for (required: the release register records it)")
    for q in (p, add("report", cmd_export, "aggregate report for a steering group", exp)):
        q.add_argument("--format", required=True, choices=FORMATS)
        q.add_argument("--out", required=True, type=Path)
        q.add_argument("--include-identifiers", action="store_true",
                       help="include case references (only for a named recipient)")
    q.add_argument("--recipient", metavar="NAME",
                   help="who the report is for (required: the release register records it)")
    q.add_argument("--include-free-text", action="store_true",
                   help="show recommendation texts recorded in 5 or more audits, references removed "
                        "(they are listed for you to read first)")
    q.add_argument("--free-text-reviewed", metavar="CODE",
                   help="with --include-free-text: the code printed with the texts once you have "
                        "read them (without it the texts are listed and nothing is written)")
    q.add_argument("--commentary-file", metavar="PATH", type=Path,
                   help=f"the lead's commentary for page 1 (UTF-8 text, at most {MAX_COMMENTARY:,} characters); "
                        "kept with the release in the register")
    q.add_argument("--decision", metavar="TEXT", action="append",
                   help=f"a decision sought from the group, at most {MAX_DECISION} characters "
                        f"(repeat for up to {MAX_DECISIONS})")
    q.add_argument("--deaths-in-period", metavar="N",
                   help="death reviews: the number of deaths in the period (the denominator)")
    add_filters(q)
    p = add("dataset", cmd_export, "anonymised analyst dataset (no area, agency or team): answers, audits, codebook", exp)
    p.add_argument("--format", required=True, help="xlsx (one workbook), csv (a file per table, with .sps/.do label files), sav (SPSS) or dta (Stata)")
    p.add_argument("--out", required=True, type=Path)
    p.add_argument("--include-free-text", action="store_true",
                   help="add evidence notes, case references removed (they are listed for you "
                        "to read first)")
    p.add_argument("--free-text-reviewed", metavar="CODE",
                   help="with --include-free-text: the code printed with the notes once you have "
                        "read them (without it the notes are listed and nothing is written)")
    p.add_argument("--recipient", metavar="NAME",
                   help="who the dataset is for (required: the release register records it)")
    p.add_argument("--restricted", action="store_true",
                   help="record-level data with area and agency, not k-anonymous: only for a named "
                        "analyst under a data-sharing agreement (recorded; every sheet and the file "
                        "name say Restricted)")
    add_filters(p)

