"""Window geometry, splitter and column layout, kept apart from the settings registry
(QSettings, an INI file next to settings.json). Never holds case data."""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QSettings

from audit_tool import paths

FOLDER = None  # set by the smoke test so it leaves nothing in the user's config folder


def store() -> QSettings:
    folder = FOLDER or paths.config_dir()
    return QSettings(str(folder / "window.ini"), QSettings.Format.IniFormat)


def save(key: str, value: QByteArray) -> None:
    s = store()
    s.setValue(key, value)
    s.sync()


def load(key: str) -> QByteArray | None:
    value = store().value(key)
    return value if isinstance(value, QByteArray) and not value.isEmpty() else None
