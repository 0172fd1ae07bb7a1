"""Setting up and looking after the database: init, demo, reviewer, check, passphrase
change, selftest."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..errors import AuditToolError, InvalidInput
from ..reviewers import local_reviewer, set_local_reviewer
from ..store import SCHEMA_VERSION, Database
from ..store.connection import check_writable
from .common import PASS_ENV, Add, group, new_passphrase, open_db, plain


def cmd_init(args: argparse.Namespace) -> int:
    db = Database.create(args.db, new_passphrase())
    local_reviewer(db)
    db.close()
    print(f"Created an encrypted audit database at {args.db}")
    print("Keep the passphrase safe: nobody can recover it or the records without it.")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from ..demo import generate

    if args.audits < 1 or args.audits > 1_000_000:
        raise InvalidInput("--audits must be between 1 and 1,000,000.")
    if Path(args.db).exists():
        db = open_db(args)
    else:
        db = Database.create(args.db, new_passphrase())
        print(f"Created an encrypted audit database at {args.db}", file=sys.stderr)
    with db:
        def show(done: int, total: int) -> None:
            if sys.stderr.isatty():
                print(f"\r{done:,} of {total:,} fictional audits", end="", file=sys.stderr, flush=True)

        n = generate(db, args.audits, args.seed, show)
        if sys.stderr.isatty():
            print(file=sys.stderr)
    print(f"Added {n:,} fictional demo audits (seed {args.seed}).")
    return 0


def cmd_reviewer(args: argparse.Namespace) -> int:
    with open_db(args) as db:
        if args.name or args.role is not None or args.agency is not None:
            me = local_reviewer(db)
            me = set_local_reviewer(
                db, args.name or me.name,
                me.role if args.role is None else args.role,
                me.agency if args.agency is None else args.agency,
            )
        else:
            me = local_reviewer(db)
    print(plain(f"{me.name}, {me.role or 'no role set'}, {me.agency or 'no agency set'}"))
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    with open_db(args) as db:
        problems = db.integrity_problems()
        version = db.schema_version()
    if problems:
        for p in problems[:20]:
            print(p, file=sys.stderr)
        raise AuditToolError(f"Integrity check failed: {len(problems)} problem(s). Restore from a backup.")
    print(f"OK: encryption and database structure intact; schema version {version} "
          f"(this tool: {SCHEMA_VERSION}).")
    return 0


def cmd_passphrase_change(args: argparse.Namespace) -> int:
    check_writable(Path(args.db))  # before opening: a read-only file is left as it is
    db = open_db(args)
    with db:
        db.change_passphrase(new_passphrase(PASS_ENV + "_NEW"))
    print("Passphrase changed. Use the new one from now on.")
    return 0


def cmd_selftest(args: argparse.Namespace) -> int:
    from ..selftest import run

    return run(print)


def register(sub, add: Add) -> None:
    add("init", cmd_init, "create a new encrypted database")
    p = add("demo", cmd_demo, "fill with synthetic, clearly fictional audits")
    p.add_argument("--audits", type=int, required=True)
    p.add_argument("--seed", type=int, default=1)

    p = add("reviewer", cmd_reviewer, "show or set the reviewer profile for this laptop")
    p.add_argument("--name")
    p.add_argument("--role")
    p.add_argument("--agency")


def register_checks(sub, add: Add) -> None:
    add("check", cmd_check, "integrity: encryption, database structure, schema version")
    pw = group(sub, "passphrase", "passphrase")
    add("change", cmd_passphrase_change, f"change the passphrase (new one from {PASS_ENV}_NEW or a prompt)", pw)
    add("selftest", cmd_selftest, "round trip in a temporary encrypted database")
