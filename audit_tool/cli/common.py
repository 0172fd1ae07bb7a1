"""What every command group shares: the passphrase prompt, opening the database, exit
codes (UsageError), safe printing, JSON printing, and the audit filter options."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable
from getpass import getpass

from ..domain import AuditType, Phase, Status
from ..errors import InvalidInput
from ..filters import AuditFilter
from ..passphrase import MIN_LENGTH
from ..passphrase import check as check_passphrase
from ..store import Database

PASS_ENV = "AUDIT_TOOL_PASSPHRASE"

# add(name, func, help, parent=the top-level subcommands) -> the new subcommand's parser
Add = Callable[..., argparse.ArgumentParser]


class UsageError(Exception):
    """Wrong usage the parser cannot see: exit code 2 with a one-line message."""


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # exit code 2 with a one-line message
        self.exit(2, f"{self.prog}: {message}\n")


def group(sub, name: str, help: str, dest: str = "sub"):
    """A command with subcommands of its own (`audit-tool NAME SUBCOMMAND`): pass what
    this returns as `parent` to `add`."""
    return sub.add_parser(name, help=help).add_subparsers(dest=dest, required=True, parser_class=Parser)


def ask_passphrase(prompt: str = "Passphrase: ") -> str:
    env = os.environ.get(PASS_ENV)
    if env is not None:
        return env
    if not sys.stdin.isatty():
        raise InvalidInput(f"No passphrase: set {PASS_ENV} or run in a terminal to be asked.")
    return getpass(prompt)


def new_passphrase(env_name: str = PASS_ENV) -> str:
    """A new passphrase from the environment or typed twice at a prompt."""
    env = os.environ.get(env_name)
    if env is not None:
        return check_passphrase(env)
    if not sys.stdin.isatty():
        raise InvalidInput(f"No new passphrase: set {env_name} or run in a terminal to be asked.")
    first = check_passphrase(getpass(f"New passphrase (at least {MIN_LENGTH} characters; three or four random words): "))
    if check_passphrase(getpass("Type it again: ")) != first:
        raise InvalidInput("The two passphrases do not match; nothing was changed.")
    return first


def open_db(args: argparse.Namespace) -> Database:
    db = Database.open(args.db, ask_passphrase())
    if db.read_only_notice:  # said once, on stderr: stdout stays what scripts parse
        print(f"audit-tool: {db.read_only_notice}", file=sys.stderr)
    return db


# Control characters (ESC, BEL, CR, the C1 CSI...) and bidi overrides in stored text could
# recolour, retitle or rewrite the terminal; plain output shows them as escapes instead.
# Newline and tab are kept. JSON output is escaped by json itself.
_BIDI = [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]
_SHOWN = {
    c: (f"\\x{c:02x}" if c < 0x100 else f"\\u{c:04x}")
    for c in (*range(0x20), *range(0x7F, 0xA0), *_BIDI)
    if c not in (0x09, 0x0A)
}


def plain(text: object) -> str:
    """`text` safe to print to a terminal: control characters shown as e.g. \\x1b."""
    return str(text).translate(_SHOWN)


def not_text(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Refuse an argument that is not valid text (undecodable bytes, a lone surrogate):
    it could never be stored. File paths are exempt: such names are valid on Linux."""
    for dest, value in vars(args).items():
        if isinstance(value, str) and not _encodes(value):
            name = _option_names(parser).get(dest, dest)
            raise InvalidInput(f"{name} contains characters that are not valid text (invalid UTF-8).")


def _encodes(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _option_names(parser: argparse.ArgumentParser) -> dict[str, str]:
    """dest -> what the user typed (--from for date_from, audit_id for a positional)."""
    names: dict[str, str] = {}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                names.update(_option_names(sub))
        elif action.option_strings:
            names[action.dest] = max(action.option_strings, key=len)
        else:
            names[action.dest] = action.dest
    return names


def print_json(data: object) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2))


def iso_date(text: str) -> str:
    """--from/--to: a calendar date, YYYY-MM-DD."""
    from datetime import date

    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date like 2026-03-31") from None


def audit_filter(args: argparse.Namespace) -> AuditFilter:
    return AuditFilter(
        area=getattr(args, "area", None),
        agency=getattr(args, "agency", None),
        checklist_id=getattr(args, "checklist", None),
        phase=getattr(args, "phase", None),
        audit_type=getattr(args, "type", None),
        status=getattr(args, "status", None),
        date_from=getattr(args, "date_from", None),
        date_to=getattr(args, "date_to", None),
    )


def add_filters(p: argparse.ArgumentParser) -> None:
    p.add_argument("--area")
    p.add_argument("--agency")
    p.add_argument("--checklist", help="checklist id")
    p.add_argument("--phase", choices=[x.value for x in Phase])
    p.add_argument("--type", choices=[x.value for x in AuditType])
    p.add_argument("--status", choices=[x.value for x in Status])
    p.add_argument("--from", dest="date_from", metavar="YYYY-MM-DD", type=iso_date)
    p.add_argument("--to", dest="date_to", metavar="YYYY-MM-DD", type=iso_date)
