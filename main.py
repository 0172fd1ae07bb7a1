"""Start the desktop window: python main.py [--db PATH] [--smoke-test].

Also the `audit-tool` command (cli below): the command line, which opens this window when
it is given no command. Imports are lazy so that a command-line call never loads Qt.
"""

import sys


def gui(argv: list[str]) -> int:
    from audit_tool.hardening import no_core_dumps

    no_core_dumps()
    from ui.app import run

    return run(argv)


def cli() -> int:
    from audit_tool.hardening import no_core_dumps

    no_core_dumps()
    from audit_tool.cli import main

    return main(open_gui=gui)


if __name__ == "__main__":
    sys.exit(gui(sys.argv))
