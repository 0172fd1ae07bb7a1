"""Start the desktop window: python main.py [--db PATH] [--smoke-test]."""

import sys

from ui.app import run

if __name__ == "__main__":
    sys.exit(run(sys.argv))
