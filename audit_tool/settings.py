"""User settings: each one declared once (key, type, default, one-line doc), kept as JSON.

Qt-free, so the CLI and tests can read them too. Only preferences live here: the
reviewer's name, role and agency are kept in the encrypted database
(reviewers.set_local_reviewer), and window geometry is kept by the GUI separately.
Nothing here may hold case data: the file is not encrypted.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import paths
from .errors import ExportProblem, InvalidInput, StorageProblem

FILE_NAME = "settings.json"


def _default_export_folder() -> str:
    docs = Path.home() / "Documents"
    return str(docs if docs.is_dir() else Path.home())


@dataclass(frozen=True)
class Setting:
    key: str
    type: type
    default: Callable[[], Any]
    doc: str
    minimum: int | None = None
    maximum: int | None = None
    choices: tuple[str, ...] | None = None  # a text setting that takes only these

    def validate(self, value: Any) -> Any:
        """The value in its declared type, or InvalidInput with a one-line reason."""
        if self.type is bool:
            if not isinstance(value, bool):
                raise InvalidInput(f"Setting '{self.key}' must be true or false.")
            return value
        if self.type is int:
            if isinstance(value, bool) or not isinstance(value, int):
                raise InvalidInput(f"Setting '{self.key}' must be a whole number.")
            if self.minimum is not None and value < self.minimum:
                raise InvalidInput(f"Setting '{self.key}' must be at least {self.minimum}.")
            if self.maximum is not None and value > self.maximum:
                raise InvalidInput(f"Setting '{self.key}' must be at most {self.maximum}.")
            return value
        if not isinstance(value, str):
            raise InvalidInput(f"Setting '{self.key}' must be text.")
        if self.choices and value not in self.choices:
            raise InvalidInput(f"Setting '{self.key}' must be one of {', '.join(self.choices)}.")
        return value


REGISTRY: dict[str, Setting] = {
    s.key: s
    for s in (
        Setting(
            "idle_lock_minutes",
            int,
            lambda: 10,
            "Lock the database after this many minutes without keyboard or mouse use.",
            minimum=1,
            maximum=240,
        ),
        Setting(
            "export_folder",
            str,
            _default_export_folder,
            "Folder offered first when saving a DOCX or PDF export.",
        ),
        Setting(
            "show_identifiers",
            bool,
            lambda: False,
            "Show case references on screen instead of pseudonyms (exports ask separately).",
        ),
        Setting(
            "release_period",
            str,
            lambda: "month",
            "Anonymised releases filter dates in whole months or whole quarters (issue 18).",
            choices=("month", "quarter"),
        ),
    )
}


def settings_path() -> Path:
    return paths.config_dir() / FILE_NAME


class Settings:
    """The current values. Unknown or invalid stored values fall back to the default."""

    def __init__(self, path: Path | None = None, values: dict[str, Any] | None = None) -> None:
        self.path = path or settings_path()
        self._values: dict[str, Any] = {}
        for key, value in (values or {}).items():
            setting = REGISTRY.get(key)
            if setting is None:
                continue  # a setting from another version: ignored, not fatal
            with contextlib.suppress(InvalidInput):
                self._values[key] = setting.validate(value)

    @classmethod
    def load(cls, path: Path | None = None) -> Settings:
        path = path or settings_path()
        try:
            data = json.loads(path.read_text("utf-8"))
        except (OSError, ValueError):
            data = {}  # missing or unreadable: defaults (never stop the app over preferences)
        return cls(path, data if isinstance(data, dict) else {})

    def get(self, key: str) -> Any:
        setting = REGISTRY[key]
        if key in self._values:
            return self._values[key]
        return setting.default()

    def set(self, key: str, value: Any) -> None:
        if key not in REGISTRY:
            raise InvalidInput(f"There is no setting called '{key}'.")
        self._values[key] = REGISTRY[key].validate(value)

    def as_dict(self) -> dict[str, Any]:
        return {key: self.get(key) for key in REGISTRY}

    def save(self) -> None:
        """Write atomically (fileio.write_atomic), readable by the user only."""
        data = json.dumps(self._values, indent=2, sort_keys=True)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageProblem(
                f"Settings could not be saved in {self.path.parent}: {exc.strerror or exc}."
            ) from None
        try:
            from .fileio import write_atomic  # on save only: not loaded at start (issue 22)

            write_atomic(self.path, lambda f: f.write(data.encode("utf-8")))
        except ExportProblem as exc:
            raise StorageProblem(f"Settings could not be saved: {exc}") from None
