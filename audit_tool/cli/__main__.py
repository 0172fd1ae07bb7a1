"""`python -m audit_tool.cli ARGS`: the command line without the installed script."""

import sys

from ..hardening import no_core_dumps
from . import main

if __name__ == "__main__":
    no_core_dumps()  # as main.cli does: a core file would hold the passphrase
    sys.exit(main())
