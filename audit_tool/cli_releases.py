"""`audit-tool releases [--json]`: the release register (issue 18), oldest first.

A self-contained command: the CLI wires it in with `register(sub, open_db)`, where open_db
is its own `_open(args) -> Database` (so the passphrase is asked for the one usual way).
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from dataclasses import asdict
from typing import TYPE_CHECKING

from .disclosure.register import releases

if TYPE_CHECKING:
    from .store import Database


def show_releases(args: argparse.Namespace, db: Database) -> int:
    """Print the register: a table, or JSON (a list of objects) with --json."""
    found = releases(db)
    if args.json:
        print(json.dumps([asdict(r) for r in found], ensure_ascii=False, indent=2))
        return 0
    if not found:
        print("No releases recorded.")
        return 0
    for r in found:
        flag = "  RESTRICTED" if r.restricted else ""
        line = (f"{r.released_at[:16].replace('T', ' ')}  {r.kind:<18} {r.audit_count:>6,} audits  "
                f"to {r.recipient}  by {r.who}  ({r.selection}){flag}")
        # stored text could hold terminal control characters: show them as escapes
        print(line.encode("unicode_escape").decode("ascii").replace("\\\\", "\\")
              if any(ord(ch) < 32 for ch in line) else line)
    return 0


def register(sub: argparse._SubParsersAction, open_db: Callable[[argparse.Namespace], Database]) -> argparse.ArgumentParser:
    """Add `releases [--json]` to the CLI's subparsers."""
    help = "list the release register: every anonymised or restricted release"
    p = sub.add_parser("releases", help=help, description=help)
    p.add_argument("--json", action="store_true")

    def run(args: argparse.Namespace) -> int:
        with open_db(args) as db:
            return show_releases(args, db)

    p.set_defaults(func=run)
    return p
