"""Where the tool keeps its files: only in the user's data and config folders."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

from . import APP_SLUG

DB_ENV = "AUDIT_TOOL_DB"
_APP_AUTHOR = False  # no vendor folder level on Windows


def data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_SLUG, _APP_AUTHOR))


def config_dir() -> Path:
    return Path(platformdirs.user_config_dir(APP_SLUG, _APP_AUTHOR))


def default_db_path() -> Path:
    """The database used when no --db is given: $AUDIT_TOOL_DB or the user data folder."""
    env = os.environ.get(DB_ENV)
    if env:
        return Path(env).expanduser()
    return data_dir() / "audits.db"


def user_checklists_dir() -> Path:
    """Local areas drop their own checklist files here."""
    return data_dir() / "checklists"
