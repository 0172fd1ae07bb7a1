"""Frozen entry point of the console executable `audit-tool` (see build.spec).

The same command line as the `audit-tool` script that pip installs (main.cli): selftest,
init, exports, scripting, and the window when no command is given. Kept apart from
main.py so that the console and windowed executables can share one bundle folder.
"""

import sys

from audit_tool.cli import main
from audit_tool.hardening import no_core_dumps


def _gui(argv: list[str]) -> int:
    from ui.app import run

    return run(argv)


if __name__ == "__main__":
    no_core_dumps()
    sys.exit(main(open_gui=_gui))
