"""The command line: `audit-tool [--db PATH] COMMAND ...` (see README and docs/cli-json.md).

Exit codes: 0 success; 1 a clear one-line error on stderr; 2 wrong usage;
3 wrong passphrase or not an audit database. The passphrase comes from
AUDIT_TOOL_PASSPHRASE or a prompt, never from an argument.

Adding a command group: write one module here (say `releases.py`) with its `cmd_*`
functions and a `register(sub, add)` that declares its commands, then add its `register`
to GROUPS below, in the place where its commands should appear in `--help`. `add(name,
func, help)` adds a top-level command whose handler is `func(args) -> int`; for a command
with subcommands (`audit-tool releases list`), make the parent with `common.group(sub,
"releases", help)` and pass it as `add`'s fourth argument. Take shared pieces from
`common` (open_db, plain, print_json, add_filters and audit_filter, UsageError) and build
any `--json` document in `audit_tool.jsonout`, where every documented shape is declared
once; handlers only print and return an exit code, the rules live in audit_tool.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from .. import APP_NAME, __version__
from ..errors import AuditToolError
from ..paths import default_db_path
from . import (
    actions,
    bundles,
    cases_audits,
    checklists,
    exports,
    findings,
    formats,
    maintenance,
    moderation,
    releases,
    sampling,
)
from .common import Parser, UsageError, not_text

# Each group's register(sub, add), in the order `audit-tool --help` lists the commands.
GROUPS: tuple[Callable[..., None], ...] = (
    maintenance.register,  # init, demo, reviewer
    checklists.register,
    cases_audits.register,
    actions.register,  # audit recommendation (into the audit group)
    moderation.register,
    findings.register,
    exports.register,
    sampling.register,
    bundles.register,
    releases.register,
    formats.register,  # checklist print (into the checklist group), history export
    maintenance.register_checks,  # check, passphrase, selftest
)


def cmd_gui(args: argparse.Namespace) -> int:
    """No command: open the desktop window, through the launcher the caller passed in
    (the core never imports the GUI itself)."""
    if args.open_gui is None:
        raise UsageError("give a command (see --help); `audit-tool` alone or `python main.py` opens the window")
    return args.open_gui([sys.argv[0], "--db", str(args.db)])


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="audit-tool", description=f"{APP_NAME} (offline, encrypted).")
    parser.add_argument("--db", type=Path, default=None, help="database file (default: user data folder or $AUDIT_TOOL_DB)")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", parser_class=Parser)

    def add(name: str, func: Callable, help: str, parent=sub) -> argparse.ArgumentParser:
        p = parent.add_parser(name, help=help, description=help)
        p.set_defaults(func=func)
        return p

    for register in GROUPS:
        register(sub, add)
    return parser


def main(
    argv: Sequence[str] | None = None, open_gui: Callable[[list[str]], int] | None = None
) -> int:
    """Run the command line. open_gui starts the window when no command is given."""
    # JSON and names in any script reach a pipe or file intact, whatever the console's code page
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(encoding="utf-8", errors="replace")
    parser = build_parser()
    args = parser.parse_args(argv)
    args.open_gui = open_gui
    if args.db is None:
        args.db = default_db_path()
    func = getattr(args, "func", cmd_gui)
    try:
        not_text(parser, args)
        return func(args)
    except AuditToolError as exc:
        print(f"audit-tool: {exc}", file=sys.stderr)
        return exc.exit_code
    except UsageError as exc:
        print(f"audit-tool: {exc}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # e.g. `audit list --json | head`: the reader has all it wanted
        with contextlib.suppress(OSError):
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 (stdout must stay open at exit)
        return 0
    except KeyboardInterrupt:
        print("audit-tool: interrupted; everything saved before this point is kept.", file=sys.stderr)
        return 130
    except Exception as exc:  # a bug: one line for the user, no traceback
        print(f"audit-tool: unexpected error (please report it): {type(exc).__name__}: {exc}", file=sys.stderr)
        if os.environ.get("AUDIT_TOOL_DEBUG"):
            raise
        return 1
