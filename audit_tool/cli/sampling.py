"""Sampling case files from a council's case list: sample draw, list."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..domain import Phase
from ..errors import InvalidInput
from ..formatting import day
from ..jsonout import sampling_to_json
from .common import Add, group, open_db, plain, print_json


def cmd_sample_draw(args: argparse.Namespace) -> int:
    """Draw a sample from a case list; create its cases and draft audits (unless --dry-run).
    References reach stdout only with --show-references."""
    from ..sampling import Columns, create_sample, draw, eligible_files, read_case_list

    if args.size < 1:
        raise InvalidInput("--size must be at least 1.")
    cols = Columns(args.ref_column, args.area_column, args.agency_column, args.team_column,
                   args.strata)
    caselist = read_case_list(args.list, args.sheet)
    elig = eligible_files(caselist, cols)
    drawn = draw(elig, args.size, args.seed, stratified=bool(args.strata))
    where = caselist.source_name + (f", sheet '{caselist.sheet}'" if caselist.sheet else "")
    print(plain(f"{where}: {len(caselist.rows):,} rows ({caselist.encoding}"
                 f"{'; ' + str(caselist.empty_rows) + ' blank rows skipped' if caselist.empty_rows else ''})"))
    if elig.excluded:
        print(plain("Left out: " + ", ".join(f"{n:,} with {r}" for r, n in elig.exclusions.items())))
    print(plain(f"Sample: {drawn.summary(args.strata)} (seed {args.seed})"))
    if args.show_references:
        for f in drawn.chosen:
            print(plain(f"  row {f.row}: {f.reference}"))
    if args.dry_run:
        print("Dry run: nothing was created.")
        return 0
    with open_db(args) as db:
        made = create_sample(db, caselist, cols, elig, drawn, args.checklist, args.phase)
    print(plain(f"Created {len(made.case_ids):,} cases with draft audits ({made.sampling.checklist_id}, "
                 f"{made.sampling.phase}); sampling record {made.sampling.id}."))
    return 0


def cmd_sample_list(args: argparse.Namespace) -> int:
    from ..sampling import list_samplings

    with open_db(args) as db:
        found = list_samplings(db)
    if args.json:
        print_json([sampling_to_json(s) for s in found])
        return 0
    if not found:
        print("No samples drawn yet.")
    for s in found:
        print(plain(f"{s.id}  {day(s.created_at)}  {s.who}  {s.source_name}: {s.describe()}; "
                     f"{s.checklist_id}, {s.phase}, {s.cases} cases"))
    return 0


def register(sub, add: Add) -> None:
    smp = group(sub, "sample", "sample case files from a case list")
    p = add("draw", cmd_sample_draw, "draw a sample from a CSV/XLSX case list; create its cases "
            "and draft audits", smp)
    p.add_argument("--list", required=True, type=Path, help="the case list (CSV or XLSX)")
    p.add_argument("--sheet", help="XLSX: the sheet (default: the first)")
    p.add_argument("--ref-column", required=True, help="heading of the case reference column")
    p.add_argument("--area-column", required=True)
    p.add_argument("--agency-column")
    p.add_argument("--team-column")
    p.add_argument("--strata", metavar="COLUMN", help="stratify by this column (e.g. the team)")
    p.add_argument("--size", type=int, required=True)
    p.add_argument("--seed", type=int, required=True, help="record it: the same seed draws the same files")
    p.add_argument("--checklist", required=True, help="checklist id for the draft audits")
    p.add_argument("--phase", default=Phase.BASELINE.value, choices=[x.value for x in Phase])
    p.add_argument("--dry-run", action="store_true", help="show the sample; create nothing")
    p.add_argument("--show-references", action="store_true", help="print the drawn references")
    p = add("list", cmd_sample_list, "list sampling records", smp)
    p.add_argument("--json", action="store_true")

