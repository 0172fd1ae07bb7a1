"""`audit-tool releases [--json]`: the release register (issue 18), oldest first."""

from __future__ import annotations

import argparse
from collections.abc import Callable

from ..disclosure.register import releases
from ..jsonout import releases_to_json
from ..store import Database
from .common import open_db, plain, print_json


def show_releases(args: argparse.Namespace, db: Database) -> int:
    """Print the register: a table, or JSON (a list of objects) with --json."""
    found = releases(db)
    if args.json:
        print_json(releases_to_json(found))
        return 0
    if not found:
        print("No releases recorded.")
        return 0
    for r in found:
        flag = "  RESTRICTED" if r.restricted else ""
        print(plain(
            f"{r.released_at[:16].replace('T', ' ')}  {r.kind:<18} {r.audit_count:>6,} audits  "
            f"to {r.recipient}  by {r.who}  ({r.selection}){flag}"
        ))
    return 0


def cmd_releases(args: argparse.Namespace) -> int:
    with open_db(args) as db:
        return show_releases(args, db)


def register(sub: argparse._SubParsersAction, add: Callable[..., argparse.ArgumentParser]) -> None:
    p = add("releases", cmd_releases,
            "list the release register: every anonymised or restricted release")
    p.add_argument("--json", action="store_true")
