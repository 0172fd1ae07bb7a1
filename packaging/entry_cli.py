"""Frozen entry point of the console executable `audit-tool` (see build.spec).

The same command line as the `audit-tool` script that pip installs: selftest, init,
exports, scripting. Kept apart from main.py so that the console and windowed
executables can share one bundle folder.
"""

import sys

from audit_tool.cli import main

if __name__ == "__main__":
    sys.exit(main())
