"""Exports: export audit, report (DOCX or PDF) and dataset (analyst data)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

# the formats the renderers take (reports.FORMATS; importing audit_tool.export here would
# load every report builder, about a second, before each command)
from ..reports import FORMATS
from .common import Add, add_filters, audit_filter, group, open_db


def cmd_export(args: argparse.Namespace) -> int:
    from ..export import export_audit, export_report

    def progress(fraction: float) -> None:
        if sys.stderr.isatty():
            print(f"\rExporting… {fraction:.0%}", end="", file=sys.stderr, flush=True)

    if args.what == "dataset":
        return cmd_export_dataset(args)
    with open_db(args) as db:
        if args.what == "audit":
            out = export_audit(db, args.audit_id, args.format, args.out, args.include_identifiers, progress)
        else:
            out = export_report(db, audit_filter(args), args.format, args.out, args.include_identifiers, progress,
                                include_free_text=args.include_free_text)
    if sys.stderr.isatty():
        print(file=sys.stderr)
    print(f"Wrote {out}")
    return 0


def cmd_export_dataset(args: argparse.Namespace) -> int:
    from ..dataset import check_format, export_dataset

    check_format(args.format)  # before the passphrase prompt
    with open_db(args) as db:
        written = export_dataset(db, audit_filter(args), args.format, args.out, args.include_free_text)
    for path in written:
        print(f"Wrote {path}")
    return 0


def register(sub, add: Add) -> None:
    exp = group(sub, "export", "DOCX or PDF reports, analyst dataset", dest="what")
    p = add("audit", cmd_export, "one audit", exp)
    p.add_argument("audit_id")
    for q in (p, add("report", cmd_export, "aggregate report for a steering group", exp)):
        q.add_argument("--format", required=True, choices=FORMATS)
        q.add_argument("--out", required=True, type=Path)
        q.add_argument("--include-identifiers", action="store_true",
                       help="include case references (only for a named recipient)")
    q.add_argument("--include-free-text", action="store_true",
                   help="show recommendation texts recorded in 5 or more audits, references removed "
                        "(read them for names first)")
    add_filters(q)
    p = add("dataset", cmd_export, "anonymised analyst dataset: answers, audits, codebook", exp)
    p.add_argument("--format", required=True, help="xlsx (one workbook), csv (a file per table, with .sps/.do label files), sav (SPSS) or dta (Stata)")
    p.add_argument("--out", required=True, type=Path)
    p.add_argument("--include-free-text", action="store_true",
                   help="add evidence notes, case references removed (read them for names first)")
    add_filters(p)

