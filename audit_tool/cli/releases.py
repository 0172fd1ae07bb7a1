"""`audit-tool releases [--json]`: the release register (issue 18), oldest first."""

from __future__ import annotations

import argparse
from collections.abc import Callable

from ..disclosure.register import releases
from ..disclosure.review import reviews
from ..jsonout import releases_to_json
from ..store import Database
from .common import open_db, plain, print_json


def show_releases(args: argparse.Namespace, db: Database) -> int:
    """Print the register: a table, or JSON (a list of objects) with --json."""
    found = releases(db)
    read = reviews(db)  # the free text a person read before release (issue 18 item 5)
    if args.json:
        rows = releases_to_json(found)
        for row in rows:
            rev = read.get(row["id"])
            row["free_text_review"] = None if rev is None else {
                "who": rev.who, "reviewed_at": rev.reviewed_at, "texts": rev.texts,
                "texts_sha256": rev.texts_sha256, "how": rev.how}
        print_json(rows)
        return 0
    if not found:
        print("No releases recorded.")
        return 0
    for r in found:
        flag = "  RESTRICTED" if r.restricted else ""
        if (rev := read.get(r.id)) is not None:
            flag += f"  free text: {rev.texts:,} read by {rev.who}"
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
