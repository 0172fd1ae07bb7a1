"""Shared fixtures for the core tests: real encrypted databases in tmp_path, never mocks.

All data here is synthetic and clearly fictional.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
if str(ROOT) not in sys.path:  # tests run from a checkout, installed or not
    sys.path.insert(0, str(ROOT))

PASSPHRASE = "fictional tartan kettle harbour"  # >= 15 characters, test only
_ENV_VARS = (
    "AUDIT_TOOL_PASSPHRASE",
    "AUDIT_TOOL_PASSPHRASE_NEW",
    "AUDIT_TOOL_DB",
    "AUDIT_TOOL_DEBUG",
)


@pytest.fixture(autouse=True)
def _isolated_user_folders(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
):
    """Keep the real user's data/config folders (and their local checklists) out of every test."""
    home = tmp_path_factory.mktemp("user-home")
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    for name in _ENV_VARS:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="session")
def passphrase() -> str:
    return PASSPHRASE


@pytest.fixture(scope="session")
def mini_path() -> Path:
    return FIXTURES / "mini.toml"


@pytest.fixture
def mini(mini_path: Path):
    from audit_tool.checklists.loader import load_file

    return load_file(mini_path)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "audits.db"


@pytest.fixture
def db(db_path: Path) -> Iterator:
    """A fresh, open, encrypted database; closed at the end of the test."""
    from audit_tool.store import Database

    database = Database.create(db_path, PASSPHRASE)
    try:
        yield database
    finally:
        if database.is_open:
            database.close()


@dataclass
class CliResult:
    returncode: int
    stdout: str
    stderr: str

    def __repr__(self) -> str:  # readable assertion failures
        return f"CliResult(rc={self.returncode}, stdout={self.stdout[-800:]!r}, stderr={self.stderr[-800:]!r})"


def child_env(**extra: str | None) -> dict[str, str]:
    """Environment for a child process: the checkout importable, the user folders isolated."""
    env = {k: v for k, v in os.environ.items() if k not in _ENV_VARS}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env["PYTHONIOENCODING"] = "utf-8"
    env.pop("PYTHONSTARTUP", None)
    for key, value in extra.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return env


@pytest.fixture(scope="session")
def cli(tmp_path_factory: pytest.TempPathFactory) -> Callable[..., CliResult]:
    """Run `python -m audit_tool.cli ARGS` in a subprocess (stdin is never a terminal).

    passphrase=... sets AUDIT_TOOL_PASSPHRASE (None leaves it unset); env adds variables.
    The child's user data and config folders are a private temporary folder.
    """
    home = tmp_path_factory.mktemp("cli-home")

    def run(
        *args: str | Path,
        passphrase: str | None = PASSPHRASE,
        env: dict | None = None,
        timeout: float = 120,
    ) -> CliResult:
        extra = {"XDG_DATA_HOME": str(home / "data"), "XDG_CONFIG_HOME": str(home / "config")}
        extra.update(env or {})
        extra.setdefault("AUDIT_TOOL_PASSPHRASE", passphrase)
        proc = subprocess.run(
            [sys.executable, "-m", "audit_tool.cli", *map(str, args)],
            cwd=ROOT,
            env=child_env(**extra),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=timeout,
        )
        return CliResult(proc.returncode, proc.stdout, proc.stderr)

    return run


@pytest.fixture(scope="session")
def child_environment() -> Callable[..., dict[str, str]]:
    return child_env


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture
def no_noise(monkeypatch: pytest.MonkeyPatch):
    """Anonymised reports built with a p-table that moves no count of 5 or more, and the
    census behind the totals left exact: for tests of the small-number
    rules themselves, whose attacks on perturbed figures are in test_attack_reports.py."""
    from audit_tool.disclosure import cellkey
    from audit_tool.reports import build, release

    text = (cellkey.resources.files("resources") / "perturbation.toml").read_text("utf-8")
    head, _, _ = text.partition("[[row]]\ncount = 5")
    rows = "".join(f"[[row]]\ncount = {c}\nperturbation = [0]\nslots = [250]\n\n" for c in (5, 6, 7, 8))
    table = cellkey.parse_table(head + rows)
    monkeypatch.setattr(build, "default_table", lambda: table)
    monkeypatch.setattr(release, "default_table", lambda: table)
    monkeypatch.setattr(release, "_census", lambda cen, cells, t: cen)  # totals exact too
    return table
