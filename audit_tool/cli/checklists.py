"""Checklist commands: checklists (the list), checklist validate, import, export, template."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..checklists.loader import available, validate_local
from ..checklists.local import install_from_spreadsheet
from ..checklists.sheet_write import save_workbook, to_spreadsheet, write_template
from ..errors import NotFound
from ..jsonout import checklists_to_json
from ..paths import user_checklists_dir
from .common import Add, group, plain, print_json


def cmd_checklists(args: argparse.Namespace) -> int:
    items, problems = available()
    if args.json:
        print_json(checklists_to_json(items))
    else:
        width = max(len(c.id) for c in items)
        for c in items:
            print(plain(f"{c.id:<{width}}  {c.version:<6} {c.definition.item_count():>3} items  {c.title}"))
        print(f"\nLocal checklists folder: {user_checklists_dir()}")
    for p in problems:
        print(f"warning: {p}", file=sys.stderr)
    return 0


def cmd_checklist_validate(args: argparse.Namespace) -> int:
    c = validate_local(args.file)
    d = c.definition
    print(f"{args.file}: valid. {d.id} version {d.version}, {len(d.themes)} themes, "
          f"{d.item_count()} items, sha256 {c.sha256[:12]}")
    return 0


def cmd_checklist_import(args: argparse.Namespace) -> int:
    plan = install_from_spreadsheet(args.file, args.out, force=args.force)
    d = plan.checklist.definition
    print(f"Wrote {plan.out}: {d.id} version {d.version}, {len(d.themes)} themes, {d.item_count()} items")
    return 0


def cmd_checklist_export(args: argparse.Namespace) -> int:
    items, _ = available()
    c = next((x for x in items if x.id == args.id), None)
    if c is None:
        raise NotFound(f"no checklist with id '{args.id}' (see `audit-tool checklists`)")
    save_workbook(args.out, lambda path: to_spreadsheet(c.definition, path), args.force)
    print(f"Wrote {args.out}: {c.id} version {c.version}, {c.definition.item_count()} items")
    return 0


def cmd_checklist_template(args: argparse.Namespace) -> int:
    save_workbook(args.out, write_template, args.force)
    print(f"Wrote {args.out}: fill it in, then run `audit-tool checklist import {args.out}`")
    return 0


def register(sub, add: Add) -> None:
    p = add("checklists", cmd_checklists, "list checklists: id, version, title, item count")
    p.add_argument("--json", action="store_true")
    cl = group(sub, "checklist", "checklist files: validate, import, export, template")
    p = add("validate", cmd_checklist_validate, "validate a checklist definition file", cl)
    p.add_argument("file", type=Path)
    p = add("import", cmd_checklist_import, "check a checklist spreadsheet (XLSX) and write it as TOML", cl)
    p.add_argument("file", type=Path)
    p.add_argument("--out", type=Path, default=None, help="TOML file (default: the local checklists folder)")
    p.add_argument("--force", action="store_true", help="replace an existing file")
    p = add("export", cmd_checklist_export, "write a checklist as a spreadsheet (XLSX) to start from", cl)
    p.add_argument("id")
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--force", action="store_true", help="replace an existing file")
    p = add("template", cmd_checklist_template, "write the checklist spreadsheet template (XLSX)", cl)
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--force", action="store_true", help="replace an existing file")
