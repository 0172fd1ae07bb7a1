"""The process holds the passphrase and case data: no core dump may write them to disk.

Each entry point (the window, the `audit-tool` script, the frozen console executable) is
started in a fresh process, and the process's own limits are read back afterwards.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

PROBE = textwrap.dedent(
    """
    import ctypes, resource, sys
    def report():
        soft, hard = resource.getrlimit(resource.RLIMIT_CORE)
        libc = ctypes.CDLL(None, use_errno=True)
        dumpable = libc.prctl(3, 0, 0, 0, 0)  # PR_GET_DUMPABLE
        print(f"core={soft},{hard} dumpable={dumpable}", flush=True)
    """
)

STARTS = {
    "window": "import main\ntry:\n    main.gui(['main.py', '--smoke-test'])\nfinally:\n    report()\n",
    "audit-tool": (
        "import main\nsys.argv = ['audit-tool', 'checklists']\n"
        "try:\n    main.cli()\nfinally:\n    report()\n"
    ),
    "frozen console": (
        "import runpy\nsys.argv = ['audit-tool', 'checklists']\n"
        "try:\n    runpy.run_path('packaging/entry_cli.py', run_name='__main__')\n"
        "except SystemExit:\n    pass\nfinally:\n    report()\n"
    ),
}


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="prctl is Linux only")
@pytest.mark.parametrize("entry", sorted(STARTS))
def test_entry_points_turn_core_dumps_off(tmp_path, entry):
    env = {k: v for k, v in os.environ.items() if not k.startswith("AUDIT_TOOL_")}
    env.update(PYTHONPATH=str(ROOT), QT_QPA_PLATFORM="offscreen", XDG_DATA_HOME=str(tmp_path))
    env["XDG_CONFIG_HOME"] = str(tmp_path / "config")
    before = subprocess.run(
        [sys.executable, "-c", PROBE + "report()"], capture_output=True, text=True, env=env
    ).stdout
    assert "dumpable=1" in before  # the probe can tell: a normal process may dump
    run = subprocess.run(
        [sys.executable, "-c", PROBE + STARTS[entry]],
        capture_output=True, text=True, env=env, cwd=ROOT, timeout=120,
    )
    assert "core=0,0 dumpable=0" in run.stdout, run.stdout + run.stderr


def test_hardening_is_safe_to_call_twice():
    from audit_tool import hardening

    hardening.no_core_dumps()
    hardening.no_core_dumps()  # the GUI started from the CLI calls it again
