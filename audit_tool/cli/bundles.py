"""Sending audits between laptops: bundle export, import, keygen, conflicts, resolve."""

from __future__ import annotations

import argparse
import os
import sys
from getpass import getpass
from pathlib import Path

from ..errors import InvalidInput
from ..jsonout import conflict_to_json
from ..passphrase import MIN_LENGTH
from ..passphrase import check as check_passphrase
from .common import Add, add_filters, audit_filter, group, open_db, plain, print_json
from .exports import need_recipient

BUNDLE_PASS_ENV = "AUDIT_TOOL_BUNDLE_PASSPHRASE"


def _bundle_passphrase(new: bool) -> str:
    """The passphrase that protects a bundle file: from the environment or a prompt."""
    env = os.environ.get(BUNDLE_PASS_ENV)
    if env is not None:
        return check_passphrase(env) if new else env
    if not sys.stdin.isatty():
        raise InvalidInput(
            f"No passphrase for the file: set {BUNDLE_PASS_ENV} or run in a terminal to be asked."
        )
    if not new:
        return getpass("Passphrase for the file: ")
    first = check_passphrase(
        getpass(f"Passphrase for the file (at least {MIN_LENGTH} characters; tell the receiver another way): ")
    )
    if check_passphrase(getpass("Type it again: ")) != first:
        raise InvalidInput("The two passphrases do not match; no file was written.")
    return first


def cmd_bundle_export(args: argparse.Namespace) -> int:
    from ..exchange import export_bundle, read_recipients, release_bundle

    # a bundle without case references is a release (the register records it, for whom)
    recipient = None if args.include_identifiers else need_recipient(args, "bundle export")
    recipients = read_recipients(args.recipients) if args.recipients else None
    passphrase = None if recipients else _bundle_passphrase(new=True)
    with open_db(args) as db:
        if recipient is None:
            sent = export_bundle(db, args.out, audit_filter(args), True, passphrase, recipients)
        else:
            sent = release_bundle(db, args.out, audit_filter(args), passphrase, recipients,
                                  recipient=recipient)
    ids = "with case references" if args.include_identifiers else "without case references"
    print(
        f"Wrote {sent.path}: {sent.audits:,} audits of {sent.cases:,} cases, {ids} (bundle {sent.bundle_id[:8]})"
    )
    return 0


def cmd_bundle_import(args: argparse.Namespace) -> int:
    from ..exchange import import_bundle, plan, read_bundle, read_identities

    identities = read_identities(args.identity) if args.identity else None
    passphrase = None if identities else _bundle_passphrase(new=False)
    bundle = read_bundle(args.file, passphrase, identities)
    with open_db(args) as db:
        result = plan(db, bundle) if args.dry_run else import_bundle(db, bundle)
    for line in result.lines():
        print(plain(line))
    for audit_id in result.ids("conflict"):
        print(plain(f"  conflict: {audit_id}"))
    print("Dry run: nothing was changed." if args.dry_run else "Imported.")
    return 0


def cmd_bundle_keygen(args: argparse.Namespace) -> int:
    from ..exchange import keygen

    public = keygen(args.out)
    print(
        f"Wrote a private key to {args.out}: keep it on this laptop. Give senders this public key:"
    )
    print(public)
    return 0


def cmd_bundle_conflicts(args: argparse.Namespace) -> int:
    from ..exchange import conflicts

    with open_db(args) as db:
        found = conflicts(db)
    if args.json:
        print_json([conflict_to_json(c) for c in found])
        return 0
    if not found:
        print("No conflicts.")
    for c in found:
        print(
            plain(
                f"{c.audit_id}  {c.version[:12]}  {c.pseudonym}  {c.area}  {c.checklist}  "
                f"here: {c.local_status}, received: {c.received_status}"
            )
        )
    return 0


def cmd_bundle_resolve(args: argparse.Namespace) -> int:
    from ..exchange import resolve

    with open_db(args) as db:
        resolve(db, args.audit_id, args.take_received, args.version)
    print("Took the received version." if args.take_received else "Kept this laptop's version.")
    return 0


def register(sub, add: Add) -> None:
    bnd = group(sub, "bundle", "send audits to another laptop in one encrypted file")
    p = add(
        "export",
        cmd_bundle_export,
        f"write the chosen audits to one encrypted file (passphrase from "
        f"{BUNDLE_PASS_ENV} or a prompt, or --recipients)",
        bnd,
    )
    p.add_argument("--out", required=True, type=Path)
    p.add_argument("--recipients", type=Path, help="file of public keys (age1...), one a line")
    p.add_argument(
        "--include-identifiers",
        action="store_true",
        help="include case references (only for a named recipient)",
    )
    p.add_argument("--recipient", metavar="NAME",
                   help="who the file is for (required without --include-identifiers: the "
                        "release register records it)")
    add_filters(p)
    p = add(
        "import", cmd_bundle_import, "merge a received file (shows what it adds and changes)", bnd
    )
    p.add_argument("file", type=Path)
    p.add_argument("--identity", type=Path, help="private key file (from bundle keygen)")
    p.add_argument("--dry-run", action="store_true", help="show what would change; change nothing")
    p = add(
        "keygen",
        cmd_bundle_keygen,
        "make a key pair for receiving files; prints the public key",
        bnd,
    )
    p.add_argument("--out", required=True, type=Path)
    p = add(
        "conflicts",
        cmd_bundle_conflicts,
        "audits changed here and elsewhere, waiting for a choice",
        bnd,
    )
    p.add_argument("--json", action="store_true")
    p = add(
        "resolve",
        cmd_bundle_resolve,
        "choose between this laptop's version and the received one",
        bnd,
    )
    p.add_argument("audit_id")
    p.add_argument("--version", help="which received version (when more than one waits)")
    way = p.add_mutually_exclusive_group(required=True)
    way.add_argument("--keep-local", dest="take_received", action="store_false")
    way.add_argument("--take-received", dest="take_received", action="store_true")
