"""`python -m audit_tool.cli ARGS`: the command line without the installed script."""

import sys

from . import main

if __name__ == "__main__":
    sys.exit(main())
