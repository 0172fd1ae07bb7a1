"""Writing a checklist held as plain data out as TOML text, and saving that text."""

from __future__ import annotations

import re
from pathlib import Path

from ..errors import ChecklistError, ExportProblem
from ..fileio import write_atomic
from .sheet_layout import CHECKLIST_FIELDS

_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def toml_string(text: str) -> str:
    """A TOML basic string: quotes, backslashes, line breaks and control characters escaped."""
    out = []
    for ch in text:
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _key(key: str) -> str:
    return key if _BARE_KEY.match(key) else toml_string(key)


def _value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return toml_string(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{_key(k)} = {_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(f"cannot write {type(value).__name__} as TOML")


def to_toml(data: dict, source: str = "") -> str:
    """TOML text for a checklist held as plain data (the shape of the TOML format)."""
    lines = [
        f"# Imported from {source} by `audit-tool checklist import`."
        if source
        else "# Written by audit-tool."
    ]
    lines.append("")
    for key in CHECKLIST_FIELDS:
        if key in data:
            lines.append(f"{key} = {_value(data[key])}")
    if data.get("phases"):  # what the phases mean
        lines += ["", "[phases]"]
        lines += [f"{k} = {_value(v)}" for k, v in data["phases"].items()]
    for name, scale in data.get("scales", {}).items():
        lines += ["", f"[scales.{_key(name)}]"]
        for key in ("title", "kind", "meets_standard", "not_rated"):
            if key in scale:
                lines.append(f"{key} = {_value(scale[key])}")
        lines.append("levels = [")
        lines += [f"  {_value(level)}," for level in scale.get("levels", [])]
        lines.append("]")
    for name, tag in data.get("tags", {}).items():
        lines += ["", f"[tags.{_key(name)}]"]
        lines += [f"{k} = {_value(v)}" for k, v in tag.items()]
    for theme in data.get("themes", []):
        lines += ["", "[[themes]]"]
        lines += [f"{k} = {_value(v)}" for k, v in theme.items() if k != "items"]
        for item in theme.get("items", []):
            lines += ["", "[[themes.items]]"]
            lines += [f"{k} = {_value(v)}" for k, v in item.items()]
    return "\n".join(lines) + "\n"


def write_text_atomic(text: str, out: Path, force: bool = False) -> None:
    """Write text (UTF-8, newlines as given) to out: the old file or the whole new one."""
    if out.exists() and not force:
        raise ChecklistError(f"{out}: already exists; use --force to replace it")
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ChecklistError(f"{out.parent}: cannot write here ({exc.strerror})") from None
    try:
        write_atomic(out, lambda f: f.write(text.encode("utf-8")))
    except ExportProblem as exc:
        raise ChecklistError(str(exc)) from None
