"""Load and validate checklist definitions from TOML.

Every error names the file, a line (exact for syntax errors, best effort for fields) and
the field path. TOML has no tags or code execution, so a hostile file can only be refused.
"""

from __future__ import annotations

import difflib
import hashlib
import re
import tomllib
import types
import typing
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from pydantic import BaseModel, ValidationError

from ..errors import ChecklistError
from ..paths import user_checklists_dir
from .model import Checklist

MAX_FILE_BYTES = 2_000_000


@dataclass(frozen=True)
class LoadedChecklist:
    definition: Checklist
    source: str  # the exact text, stored with each audit so it stays readable
    sha256: str
    origin: str  # "bundled", "user" or "database"
    path: str = ""

    @property
    def id(self) -> str:
        return self.definition.id

    @property
    def version(self) -> str:
        return self.definition.version

    @property
    def title(self) -> str:
        return self.definition.title


def sha256_text(source: str) -> str:
    return hashlib.sha256(source.encode("utf-8")).hexdigest()


def parse(source: str, name: str = "<checklist>", origin: str = "user", path: str = "") -> LoadedChecklist:
    """Validate TOML text into a LoadedChecklist or raise ChecklistError (one line)."""
    source = source.removeprefix("\ufeff")  # Notepad's byte-order mark is not TOML
    try:
        data = tomllib.loads(source)
    except tomllib.TOMLDecodeError as exc:
        detail = str(exc).replace("at end of document", f"at end of document, line {source.count(chr(10)) + 1}")
        raise ChecklistError(f"{name}: not valid TOML: {detail}") from None
    except RecursionError:  # tomllib recurses once per nested array or inline table
        raise ChecklistError(f"{name}: not valid TOML: values are nested too deeply") from None
    except ValueError:  # Python reads no integer over 4,300 digits (a guard against DoS)
        raise ChecklistError(f"{name}: a number in it is too long to be read") from None
    try:
        definition = Checklist.model_validate(data)
    except ValidationError as exc:
        errors = exc.errors()
        # a misspelt key also makes the right one "missing": name the typo, the cause, first
        err = next((e for e in errors if e["type"] == "extra_forbidden"), errors[0])
        loc = [p for p in err["loc"]]
        field = _format_loc(loc)
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            field = _format_loc(loc[:-1])
            msg = _unknown_key(loc)
        if not loc:  # a whole-definition check names its field path at the start of msg
            loc = _parse_path(msg)
        line = _line_of(source, loc)
        where = f"{name}: line {line}" if line else name
        more = f" (and {exc.error_count() - 1} more problem(s))" if exc.error_count() > 1 else ""
        if field:
            raise ChecklistError(f"{where}: {field}: {msg}{more}") from None
        raise ChecklistError(f"{where}: {msg}{more}") from None
    return LoadedChecklist(definition, source, sha256_text(source), origin, path)


def load_file(path: str | Path, origin: str = "user") -> LoadedChecklist:
    p = Path(path)
    try:
        raw = p.read_bytes()
    except FileNotFoundError:
        raise ChecklistError(f"{p}: file not found") from None
    except OSError as exc:
        raise ChecklistError(f"{p}: cannot be read ({exc.strerror})") from None
    if len(raw) > MAX_FILE_BYTES:
        raise ChecklistError(f"{p}: file is larger than {MAX_FILE_BYTES // 1_000_000} MB")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ChecklistError(f"{p}: line {line}: not UTF-8 text") from None
    return parse(text, str(p), origin, str(p))


def bundled() -> list[LoadedChecklist]:
    """The checklists shipped in the checklists/ package (found via importlib.resources)."""
    out = []
    for entry in sorted(resources.files("checklists").iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".toml"):
            out.append(parse(entry.read_text("utf-8"), entry.name, "bundled", entry.name))
    return out


def user_defined(folder: Path | None = None) -> tuple[list[LoadedChecklist], list[str]]:
    """Checklists a local area dropped into the user folder, plus one message per bad file."""
    folder = folder or user_checklists_dir()
    found, problems = [], []
    if folder.is_dir():
        for path in sorted(folder.glob("*.toml")):
            try:
                found.append(load_file(path))
            except ChecklistError as exc:
                problems.append(str(exc))
    return found, problems


def available(folder: Path | None = None) -> tuple[list[LoadedChecklist], list[str]]:
    """Bundled plus user checklists; a user file may not shadow a bundled id."""
    items = bundled()
    ids = {c.id for c in items}
    extra, problems = user_defined(folder)
    for c in extra:
        if c.id in ids:
            problems.append(f"{c.path}: checklist id '{c.id}' is already in use; file ignored")
            continue
        ids.add(c.id)
        items.append(c)
    return items, problems


def bundled_clash(checklist: LoadedChecklist) -> LoadedChecklist | None:
    """The bundled checklist whose id `checklist` takes, unless it is that very file."""
    for c in bundled():
        if c.id == checklist.id and c.sha256 != checklist.sha256:
            return c
    return None


def validate_local(path: str | Path) -> LoadedChecklist:
    """Load a file meant for the local checklists folder, refusing what that folder would
    ignore: an id that a bundled checklist already uses."""
    c = load_file(path)
    clash = bundled_clash(c)
    if clash is not None:
        raise ChecklistError(
            f"{path}: id '{c.id}' is already used by the bundled checklist '{clash.title}'; "
            "a local checklist with the same id is ignored. Choose another id."
        )
    return c


# -- error locations ---------------------------------------------------------------

def _unknown_key(loc: list) -> str:
    """"unknown key 'guidence' (did you mean 'guidance'?)" for an extra key at `loc`."""
    key = str(loc[-1])
    known = _fields_at(loc[:-1])
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    return f"unknown key '{key}'" + (f" (did you mean '{close[0]}'?)" if close else "")


def _model_of(annotation: object) -> object:
    """Unwrap Annotated[...] and X | None down to the type that holds the next step."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            annotation = args[0]
        else:
            return annotation


def _fields_at(loc: list) -> list[str]:
    """The keys allowed at a location such as ['themes', 0, 'items', 1] (else [])."""
    here: object = Checklist
    for part in loc:
        here = _model_of(here)
        origin = typing.get_origin(here)
        if isinstance(here, type) and issubclass(here, BaseModel) and isinstance(part, str):
            field = here.model_fields.get(part)
            if field is None:
                return []
            here = field.annotation
        elif origin is tuple:
            here = typing.get_args(here)[0]
        elif origin is dict:
            here = typing.get_args(here)[1]
        else:
            return []
    here = _model_of(here)
    if isinstance(here, type) and issubclass(here, BaseModel):
        return list(here.model_fields)
    return []


def _format_loc(loc: list) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


_PATH = re.compile(r"^([A-Za-z_][\w-]*(?:\[\d+\])*(?:\.[A-Za-z_][\w-]*(?:\[\d+\])*)*):\s")


def _parse_path(msg: str) -> list:
    """'themes[0].items[1].scale: ...' -> ['themes', 0, 'items', 1, 'scale'] (else [])."""
    m = _PATH.match(msg)
    if not m:
        return []
    out: list = []
    for part in m.group(1).split("."):
        name, *indexes = part.split("[")
        out.append(name)
        out.extend(int(i.rstrip("]")) for i in indexes)
    return out


def _line_of(source: str, loc: list) -> int | None:
    """Best-effort line for a field path like themes[2].items[0].question."""
    lines = source.splitlines()
    start, table = 0, ""
    i = 0
    while i < len(loc):
        part = loc[i]
        nxt = loc[i + 1] if i + 1 < len(loc) else None
        if isinstance(part, str) and isinstance(nxt, int):
            table = f"{table}.{part}" if table else part
            pattern = re.compile(r"^\s*\[\[\s*" + re.escape(table) + r"\s*\]\]")
            count = -1
            for n in range(start, len(lines)):
                if pattern.match(lines[n]):
                    count += 1
                    if count == nxt:
                        start = n
                        break
            else:
                return None
            i += 2
            continue
        if isinstance(part, str):
            key = re.compile(r"^\s*" + re.escape(part) + r"\s*=|^\s*\[\s*[\w.]*" + re.escape(part) + r"[\].]")
            for n in range(start, len(lines)):
                if key.match(lines[n]):
                    start = n
                    break
                if n > start and lines[n].lstrip().startswith("[[") and table:
                    break
        i += 1
    return start + 1 if loc else None
