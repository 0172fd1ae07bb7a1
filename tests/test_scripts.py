"""./scripts/run installs the project only when it must (issue 23 item 6).

The real scripts/run and scripts/venv.sh run in a temporary copy whose pyproject.toml and
main.py are a stand-in project of the same name with no dependencies, so the test makes a
real .venv and a real editable pip install without the app's 300 MB of wheels. It checks
what can really go wrong: a second launch that still runs pip (slow, and setuptools'
"Editable installation" warning on every start), a changed pyproject.toml or a removed
install that is NOT reinstalled, and a checkout copied elsewhere whose .venv still points at
the old folder."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# scripts/run is the Linux and macOS way in (README); Windows uses the PowerShell lines there
pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="scripts/run is for Linux and macOS")
PYPROJECT = """[build-system]
requires = ["setuptools>=68", "wheel"]
build-backend = "setuptools.build_meta"

[project]
name = "case-file-audit-tool"
version = "{version}"
requires-python = ">=3.11"
dependencies = []

[tool.setuptools]
py-modules = ["main"]
"""
MAIN = 'import sys\nprint("app started", *sys.argv[1:])\n'


def _project(folder: Path, version: str = "0.1.0") -> Path:
    (folder / "scripts").mkdir(parents=True)
    for name in ("run", "venv.sh"):
        shutil.copy2(ROOT / "scripts" / name, folder / "scripts" / name)
    (folder / "pyproject.toml").write_text(PYPROJECT.format(version=version))
    (folder / "main.py").write_text(MAIN)
    return folder


def _run(folder: Path) -> tuple[str, float]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VIRTUAL_ENV", "PIP_"))}
    env |= {"QT_QPA_PLATFORM": "offscreen", "PYTHON": sys.executable}
    t = time.perf_counter()
    done = subprocess.run(
        ["bash", "scripts/run", "--smoke-test"], cwd=folder, env=env, capture_output=True,
        text=True, timeout=300,
    )
    took = time.perf_counter() - t
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout + done.stderr, took


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> tuple[Path, str, float]:
    folder = _project(tmp_path_factory.mktemp("checkout") / "repo")
    if subprocess.run([sys.executable, "-c", "import ensurepip"]).returncode:
        pytest.fail("this Python has no ensurepip: scripts/run could not make .venv either")
    out, took = _run(folder)
    return folder, out, took


def test_first_launch_installs_then_starts(installed):
    folder, out, _took = installed
    assert "Installing the project into .venv" in out
    assert out.rstrip().endswith("app started --smoke-test")
    assert "Editable installation" not in out  # pip's notices are in the log
    assert len(list((folder / ".venv").glob(".installed-app-*"))) == 1


def test_second_launch_runs_no_pip_and_prints_only_the_app(installed):
    folder, _out, first = installed
    out, second = _run(folder)
    assert out == "app started --smoke-test\n"
    assert second < first / 3, (first, second)


def test_changed_pyproject_reinstalls(installed):
    folder, _out, _took = installed
    (folder / "pyproject.toml").write_text(PYPROJECT.format(version="0.2.0"))
    out, _t = _run(folder)
    assert "Installing the project" in out
    version = subprocess.run(
        [folder / ".venv/bin/python", "-I", "-c",
         "import importlib.metadata as m; print(m.version('case-file-audit-tool'))"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()
    assert version == "0.2.0"
    assert _run(folder)[0] == "app started --smoke-test\n"


def test_removed_install_is_put_back(installed):
    folder, _out, _took = installed
    subprocess.run([folder / ".venv/bin/python", "-m", "pip", "uninstall", "-q", "-y",
                    "case-file-audit-tool"], check=True, capture_output=True)
    out, _t = _run(folder)
    assert "Installing the project" in out
    assert _run(folder)[0] == "app started --smoke-test\n"


def test_a_test_install_serves_the_app_but_not_the_reverse(installed):
    folder, _out, _took = installed
    stamp = next((folder / ".venv").glob(".installed-app-*"))
    stamp.rename(stamp.with_name(stamp.name.replace("-app-", "-test-")))
    assert _run(folder)[0] == "app started --smoke-test\n"  # [test] includes the app


def test_checkout_moved_elsewhere_reinstalls_from_the_new_folder(installed, tmp_path):
    folder, _out, _took = installed
    moved = tmp_path / "moved"
    shutil.copytree(folder, moved, symlinks=True)
    out, _t = _run(moved)
    assert "Installing the project" in out  # the old install points at the old folder
    assert _run(moved)[0] == "app started --smoke-test\n"
