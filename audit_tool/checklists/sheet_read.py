"""Reading a checklist workbook (XLSX) into validated TOML text (see spreadsheet.py).

Import turns the workbook into the TOML text the rest of the tool reads, then validates
that text with the ordinary loader, so a spreadsheet can never hold a checklist that a
TOML file could not. Every problem names the sheet, row and column it came from; nothing
is written unless the whole workbook is valid.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import tomllib
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ChecklistError
from .loader import LoadedChecklist, parse
from .sheet_layout import CHECKLIST_FIELDS, COLUMNS, IGNORED_SHEETS, PHASE_FIELDS, REQUIRED
from .sheet_toml import to_toml

MAX_FILE_BYTES = 5_000_000
MAX_UNPACKED_BYTES = 100_000_000  # a zip bomb is refused before openpyxl unpacks it


@dataclass(frozen=True)
class Cell:
    sheet: str
    row: int | None = None
    column: int | None = None
    header: str = ""

    def describe(self) -> str:
        from openpyxl.utils import get_column_letter

        out = f"sheet '{self.sheet}'"
        if self.row is not None:
            out += f", row {self.row}"
        if self.column is not None:
            out += f", column {get_column_letter(self.column)}"
            if self.header:
                out += f" ({self.header})"
        return out


class SpreadsheetError(ChecklistError):
    """One or more problems in a checklist workbook; the message is the first, on one line."""

    def __init__(self, name: str, problems: list[str]) -> None:
        self.problems = problems
        more = f" (and {len(problems) - 1} more problem(s))" if len(problems) > 1 else ""
        super().__init__(f"{name}: {problems[0]}{more}")


@dataclass
class _Row:
    number: int
    values: dict[str, str]
    cols: dict[str, int]

    def get(self, name: str) -> str:
        return self.values.get(name, "")

    def cell(self, sheet: str, name: str) -> Cell:
        return Cell(sheet, self.number, self.cols.get(name), name)


@dataclass
class _Import:
    name: str
    problems: list[str] = field(default_factory=list)
    where: dict[str, Cell] = field(default_factory=dict)  # TOML path -> cell it came from

    def problem(self, cell: Cell, message: str) -> None:
        self.problems.append(f"{cell.describe()}: {message}")


# -- reading the workbook ----------------------------------------------------------


def _open_workbook(path: Path):
    """The workbook, or a one-line ChecklistError for a file that is not a usable XLSX."""
    from openpyxl import load_workbook

    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise ChecklistError(f"{path}: file not found") from None
    except OSError as exc:
        raise ChecklistError(f"{path}: cannot be read ({exc.strerror})") from None
    if size > MAX_FILE_BYTES:
        raise ChecklistError(f"{path}: file is larger than {MAX_FILE_BYTES // 1_000_000} MB")
    not_xlsx = (
        f"{path}: not an Excel workbook (.xlsx); save it as 'Excel Workbook (.xlsx)' and try again"
    )
    try:
        with zipfile.ZipFile(path) as zf:
            if sum(i.file_size for i in zf.infolist()) > MAX_UNPACKED_BYTES:
                raise ChecklistError(f"{path}: the workbook unpacks to more than 100 MB")
        # not read_only: a read-only sheet does not report merged cells, which must be refused
        return load_workbook(path, data_only=True)
    except ChecklistError:
        raise
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, EOFError):
        raise ChecklistError(not_xlsx) from None
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise ChecklistError(f"{not_xlsx} ({type(exc).__name__})") from None


def _text(value: object) -> str:
    """A cell's value as the text a person typed (numbers without a stray '.0')."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dt.date, dt.time, dt.datetime)):
        raise ValueError("holds a date or time; format the cell as text and type the value")
    return str(value).replace("\r\n", "\n").replace("\r", "\n").strip()


def _norm_header(value: object) -> str:
    return re.sub(r"[\s-]+", "_", str(value or "").strip().lower())


def _sheets(wb, imp: _Import) -> dict[str, object]:
    """The checklist's sheets by lower-case name; other sheets are an error unless notes."""
    found: dict[str, object] = {}
    for ws in wb.worksheets:
        key = ws.title.strip().lower()
        if key in COLUMNS:
            found[key] = ws
        elif key not in IGNORED_SHEETS:
            close = difflib.get_close_matches(key, list(COLUMNS), n=1, cutoff=0.6)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            imp.problems.append(
                f"sheet '{ws.title}' is not one of {', '.join(COLUMNS)}{hint}; rename or remove it"
            )
    for name in ("checklist", "scales", "items"):
        if name not in found:
            imp.problems.append(
                f"no sheet named '{name}' (the workbook needs checklist, scales and items)"
            )
    return found


def _merged(ws, sheet: str, imp: _Import) -> None:
    for rng in sorted(ws.merged_cells.ranges, key=lambda r: (r.min_row, r.min_col)):
        imp.problems.append(
            f"sheet '{sheet}', cells {rng.coord} are merged; unmerge them: each row needs its own value"
        )


def _rows(ws, sheet: str, imp: _Import) -> list[_Row]:
    """The sheet's non-empty rows under its header row (the first non-empty row)."""
    rows = list(ws.iter_rows(values_only=True))
    start = next((i for i, r in enumerate(rows) if any(_filled(v) for v in r)), None)
    if start is None:
        if sheet != "tags":
            imp.problems.append(f"sheet '{sheet}' is empty")
        return []
    header_row = start + 1
    cols: dict[str, int] = {}
    known = COLUMNS[sheet]
    for col, raw in enumerate(rows[start], start=1):
        if not _filled(raw):
            continue
        name = _norm_header(raw)
        cell = Cell(sheet, header_row, col)
        if name not in known:
            close = difflib.get_close_matches(name, known, n=1, cutoff=0.6)
            hint = f" (did you mean '{close[0]}'?)" if close else f" (use: {', '.join(known)})"
            imp.problem(cell, f"unknown column '{raw}'{hint}")
        elif name in cols:
            imp.problem(cell, f"column '{name}' appears twice")
        else:
            cols[name] = col
    missing = [c for c in REQUIRED[sheet] if c not in cols]
    if missing and not (sheet == "checklist" and not cols):
        imp.problem(Cell(sheet, header_row), f"no '{missing[0]}' column in the header row")
    out = []
    for offset, raw_row in enumerate(rows[start + 1 :], start=header_row + 1):
        values: dict[str, str] = {}
        for col, value in enumerate(raw_row, start=1):
            if not _filled(value):
                continue
            name = next((n for n, c in cols.items() if c == col), None)
            if name is None:
                if _norm_header(rows[start][col - 1] if col <= len(rows[start]) else None) == "":
                    imp.problem(Cell(sheet, offset, col), "a value in a column with no header")
                continue
            try:
                values[name] = _text(value)
            except ValueError as exc:
                imp.problem(Cell(sheet, offset, col, name), str(exc))
        if any(values.values()):
            out.append(_Row(offset, values, cols))
    return out


def _filled(value: object) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


# -- building the definition -----------------------------------------------------


def _checklist_sheet(ws, imp: _Import) -> dict:
    """The 'checklist' sheet: field/value rows (a header row 'field | value' is optional)."""
    data: dict = {}
    rows = [r for r in _kv_rows(ws)]
    for number, key_raw, value_raw in rows:
        key = _norm_header(key_raw)
        if key == "field" and _norm_header(value_raw) == "value":
            continue
        cell = Cell("checklist", number, 2, key)
        if key not in CHECKLIST_FIELDS and key not in PHASE_FIELDS:
            close = difflib.get_close_matches(key, [*CHECKLIST_FIELDS, *PHASE_FIELDS], n=1, cutoff=0.6)
            hint = (
                f" (did you mean '{close[0]}'?)"
                if close
                else f" (use: {', '.join(CHECKLIST_FIELDS)})"
            )
            imp.problem(Cell("checklist", number, 1), f"unknown field '{key_raw}'{hint}")
            continue
        if key in data:
            imp.problem(Cell("checklist", number, 1), f"field '{key}' appears twice")
            continue
        try:
            value = _text(value_raw)
        except ValueError as exc:
            imp.problem(cell, str(exc))
            continue
        if not value:
            imp.problem(cell, f"'{key}' is empty")
            continue
        if key in PHASE_FIELDS:  # the [phases] table
            phases = data.setdefault("phases", {})
            if key == "training_evaluation":
                flag = {"yes": True, "y": True, "true": True, "no": False, "n": False, "false": False}
                if value.lower() not in flag:
                    imp.problem(cell, "training_evaluation: write yes or no")
                    continue
                phases[PHASE_FIELDS[key]] = flag[value.lower()]
            else:
                phases[PHASE_FIELDS[key]] = value
            imp.where[f"phases.{PHASE_FIELDS[key]}"] = cell
            continue
        data[key] = _split(value) if key == "audit_types" else value
        imp.where[key] = cell
    for key in ("id", "version", "title", "purpose"):
        if key not in data and not any(_norm_header(k) == key for _, k, _ in rows):
            imp.problem(Cell("checklist"), f"no '{key}' row (add a row with '{key}' in column A)")
    return data


def _kv_rows(ws):
    for number, row in enumerate(
        ws.iter_rows(values_only=True, max_col=max(ws.max_column, 2)), start=1
    ):
        if not any(_filled(v) for v in row):
            continue
        for col, extra in enumerate(row[2:], start=3):
            if _filled(extra):
                from openpyxl.utils import get_column_letter

                raise _Stop(
                    f"sheet 'checklist', row {number}, column {get_column_letter(col)}: "
                    "only columns A (field) and B (value) are read; move this value"
                )
        yield number, row[0], row[1] if len(row) > 1 else None


class _Stop(Exception):
    pass


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


_KINDS = ("rating", "fact", "multiple")
_MEETS = {
    "yes": "yes",
    "y": "yes",
    "true": "yes",
    "no": "no",
    "n": "no",
    "false": "no",
    "": "not rated",
    "not rated": "not rated",
    "not_rated": "not rated",
    "na": "not rated",
    "n/a": "not rated",
}


def _scales_sheet(rows: list[_Row], imp: _Import) -> dict:
    scales: dict[str, dict] = {}
    current = ""
    for row in rows:
        name = row.get("scale") or current
        if not name:
            imp.problem(row.cell("scales", "scale"), "no scale name on the first level row")
            continue
        if row.get("scale") and row.get("scale") != current and name in scales:
            imp.problem(
                row.cell("scales", "scale"),
                f"scale '{name}' appears again after another scale; keep its rows together",
            )
            continue
        current = name
        first = name not in scales
        scale = scales.setdefault(name, {"levels": [], "meets_standard": [], "not_rated": []})
        base = f"scales.{name}"
        if first:
            imp.where[base] = row.cell("scales", "scale")
            imp.where[f"{base}.levels"] = row.cell("scales", "value")
            imp.where[f"{base}.meets_standard"] = row.cell("scales", "meets")
            imp.where[f"{base}.not_rated"] = row.cell("scales", "meets")
        _same_or_blank(scale, "title", row, "scale_title", "scales", imp, f"scale '{name}'", base)
        _same_or_blank(scale, "kind", row, "kind", "scales", imp, f"scale '{name}'", base)
        if row.get("kind") and row.get("kind").lower() not in _KINDS:
            imp.problem(
                row.cell("scales", "kind"), f"'{row.get('kind')}' is not rating, fact or multiple"
            )
        level: dict[str, str] = {}
        path = f"{base}.levels[{len(scale['levels'])}]"
        imp.where[path] = row.cell("scales", "value")
        for col in ("value", "label", "key", "description", "group_label", "anchor"):
            if row.get(col):
                level[col] = row.get(col)
            imp.where[f"{path}.{col}"] = row.cell("scales", col)
        imp.where[f"{path}.exclusive"] = row.cell("scales", "exclusive")
        if row.get("exclusive"):
            flag = _YES_NO.get(row.get("exclusive").lower())
            if flag is None:
                imp.problem(row.cell("scales", "exclusive"), f"'{row.get('exclusive')}' is not yes or no")
            elif flag:
                level["exclusive"] = True  # type: ignore[assignment]
        meets = _MEETS.get(row.get("meets").lower())
        if scale.get("kind", "").lower() in ("fact", "multiple"):
            if row.get("meets"):
                imp.problem(
                    row.cell("scales", "meets"),
                    f"scale '{name}' records a fact, which is never scored: leave meets blank",
                )
        elif meets is None:
            imp.problem(
                row.cell("scales", "meets"),
                f"'{row.get('meets')}' is not yes, no or 'not rated' (blank also means not rated)",
            )
        elif meets == "yes":
            scale["meets_standard"].append(level.get("value", ""))
        elif meets == "not rated":
            scale["not_rated"].append(level.get("value", ""))
        scale["levels"].append(level)
    for name, scale in scales.items():
        if scale.get("kind", "").lower() in _KINDS:
            scale["kind"] = scale["kind"].lower()
        if scale.get("kind") in ("fact", "multiple"):
            del scale["meets_standard"], scale["not_rated"]
            continue
        if not scale["meets_standard"]:
            imp.problem(
                imp.where[f"scales.{name}.meets_standard"],
                f"no level of scale '{name}' meets the standard; put yes in the meets column of at least one",
            )
    return scales


def _same_or_blank(
    target: dict, key: str, row: _Row, col: str, sheet: str, imp: _Import, what: str, base: str
) -> None:
    """A group's title or description: given once, later rows blank or the same text."""
    value = row.get(col)
    if not value:
        return
    if key not in target:
        target[key] = value
        imp.where[f"{base}.{key}"] = row.cell(sheet, col)
    elif target[key] != value:
        first = imp.where[f"{base}.{key}"]
        imp.problem(
            row.cell(sheet, col),
            f"{what} already has {col} '{target[key]}' (row {first.row}); "
            "leave this cell blank or repeat it exactly",
        )


def _tags_sheet(rows: list[_Row], imp: _Import) -> dict:
    tags: dict[str, dict] = {}
    for row in rows:
        tag_id = row.get("id")
        if not tag_id:
            imp.problem(row.cell("tags", "id"), "the tag has no id")
            continue
        if tag_id in tags:
            imp.problem(row.cell("tags", "id"), f"tag id '{tag_id}' is used twice")
            continue
        base = f"tags.{tag_id}"
        imp.where[base] = row.cell("tags", "id")
        tags[tag_id] = {k: row.get(k) for k in ("kind", "label", "number") if row.get(k)}
        for k in ("kind", "label", "number"):
            imp.where[f"{base}.{k}"] = row.cell("tags", k)
    return tags


_CONDITION = re.compile(r"^\s*([^\s=]+)\s*(?:=|\bis\b|\bin\b)\s*(.+?)\s*$", re.IGNORECASE)


def parse_condition(text: str) -> dict:
    """'ch-01 = yes, partly' (or 'ch-01 is yes or partly', or the TOML form
    '{ item = "ch-01", any_of = ["yes", "partly"] }') -> {"item": ..., "any_of": [...]}."""
    text = text.strip()
    if text.startswith("{"):
        try:
            value = tomllib.loads(f"x = {text}")["x"]
        except tomllib.TOMLDecodeError:
            raise ValueError("not a valid { item = ..., any_of = [...] } condition") from None
        if not isinstance(value, dict):
            raise ValueError("not a valid { item = ..., any_of = [...] } condition")
        return value
    m = _CONDITION.match(text)
    values = re.split(r"\s*,\s*|\s+or\s+", m.group(2), flags=re.IGNORECASE) if m else []
    values = [v.strip().strip("'\"").lower() for v in values if v.strip().strip("'\"")]
    if not m or not values:
        raise ValueError(
            f"'{text}' is not a condition; write ITEM = value, value (e.g. ch-01 = yes, partly)"
        )
    return {"item": m.group(1), "any_of": values}


_YES_NO = {
    "yes": True,
    "y": True,
    "true": True,
    "1": True,
    "no": False,
    "n": False,
    "false": False,
    "0": False,
}


def _items_sheet(rows: list[_Row], imp: _Import) -> list[dict]:
    themes: list[dict] = []
    seen_themes: dict[str, int] = {}
    for row in rows:
        theme_id = row.get("theme_id") or (themes[-1]["id"] if themes else "")
        if not theme_id:
            imp.problem(row.cell("items", "theme_id"), "no theme_id on the first item row")
            continue
        if not themes or themes[-1]["id"] != theme_id:
            if theme_id in seen_themes:
                imp.problem(
                    row.cell("items", "theme_id"),
                    f"theme '{theme_id}' appears again after another theme (it starts at row "
                    f"{seen_themes[theme_id]}); keep a theme's rows together",
                )
                continue
            seen_themes[theme_id] = row.number
            themes.append({"id": theme_id, "items": []})
            base = f"themes[{len(themes) - 1}]"
            imp.where[base] = imp.where[f"{base}.id"] = row.cell("items", "theme_id")
            imp.where[f"{base}.title"] = row.cell("items", "theme_title")
            imp.where[f"{base}.items"] = row.cell("items", "id")
        t = len(themes) - 1
        theme = themes[t]
        for key in ("title", "description"):
            _same_or_blank(
                theme, key, row, f"theme_{key}", "items", imp, f"theme '{theme_id}'", f"themes[{t}]"
            )
        theme["items"].append(_item(row, imp, f"themes[{t}].items[{len(theme['items'])}]"))
    return themes


def _item(row: _Row, imp: _Import, base: str) -> dict:
    item: dict = {}
    imp.where[base] = row.cell("items", "id")
    for col in COLUMNS["items"][3:]:  # the item's own columns, after the theme's
        cell = row.cell("items", col)
        imp.where[f"{base}.{col}"] = cell
        value = row.get(col)
        if not value:
            continue
        if col in ("required", "breakdown"):
            if value.lower() not in _YES_NO:
                imp.problem(cell, f"'{value}' is not yes or no")
                continue
            item[col] = _YES_NO[value.lower()]
        elif col == "tags":
            item[col] = _split(value)
        elif col == "show_when":
            try:
                item[col] = parse_condition(value)
            except ValueError as exc:
                imp.problem(cell, str(exc))
        else:
            item[col] = value
    return item


# -- import ------------------------------------------------------------------------

_LOADER_PATH = re.compile(r"^([A-Za-z_][\w-]*(?:\[\d+\])*(?:\.[\w-]+(?:\[\d+\])*)*): (.*)$")
_MORE = re.compile(r" \(and \d+ more problem\(s\)\)$")
_FRIENDLY = {
    "Field required": "this cell is empty but must be filled in",
    "Input should be a valid string": "must be text",
}


def _map_loader_error(message: str, name: str, imp: _Import) -> str:
    """'<name>: line 9: themes[0].items[1].scale: unknown scale ...' -> the cell it came from."""
    rest = message.removeprefix(f"{name}: ")
    rest = re.sub(r"^line \d+: ", "", rest)
    rest = _MORE.sub("", rest)
    m = _LOADER_PATH.match(rest)
    if not m:
        return rest
    path, msg = m.group(1), m.group(2)
    msg = _FRIENDLY.get(msg, msg)
    probe = path
    while probe:
        if probe in imp.where:
            return f"{imp.where[probe].describe()}: {msg}"
        probe = (
            re.sub(r"(\.[^.\[]+|\[\d+\])$", "", probe)
            if re.search(r"(\.[^.\[]+|\[\d+\])$", probe)
            else ""
        )
    sheet = "items" if path.startswith("themes") else path.split(".")[0].split("[")[0]
    sheet = sheet if sheet in COLUMNS else "checklist"
    return f"sheet '{sheet}': {path}: {msg}"


def _cross_check(data: dict, imp: _Import) -> None:
    """Empty required item cells and unknown scales, found cell by cell: the loader stops
    at the first of these, and a person fixing a workbook needs every one at once. The
    loader still validates everything afterwards."""
    scales = list(data.get("scales", {}))
    for t, theme in enumerate(data.get("themes", [])):
        for n, item in enumerate(theme["items"]):
            base = f"themes[{t}].items[{n}]"
            empty = [k for k in ("id", "question", "guidance", "scale") if not item.get(k)]
            if len(empty) == 4:  # a stray value on an otherwise empty row: one line, not four
                imp.problem(
                    imp.where[f"{base}.id"],
                    "this row has no id, question, guidance or scale: fill them in or clear "
                    "the row",
                )
                continue
            for key in empty:
                imp.problem(imp.where[f"{base}.{key}"], _FRIENDLY["Field required"])
            scale = item.get("scale")
            if scale and scale not in scales:
                imp.problem(
                    imp.where[f"{base}.scale"],
                    f"unknown scale '{scale}' (defined: {', '.join(scales)})",
                )


def import_xlsx(path: str | Path) -> tuple[str, LoadedChecklist]:
    """Read a checklist workbook: (TOML text, validated checklist) or SpreadsheetError."""
    path = Path(path)
    name = str(path)
    wb = _open_workbook(path)
    imp = _Import(name)
    try:
        sheets = _sheets(wb, imp)
        for sheet, ws in sheets.items():
            _merged(ws, sheet, imp)
        if imp.problems:  # merged cells or missing sheets make every later message doubtful
            raise SpreadsheetError(name, imp.problems)
        try:
            data = _checklist_sheet(sheets["checklist"], imp)
        except _Stop as exc:
            raise SpreadsheetError(name, [str(exc)]) from None
        data["scales"] = _scales_sheet(_rows(sheets["scales"], "scales", imp), imp)
        if "tags" in sheets:
            data["tags"] = _tags_sheet(_rows(sheets["tags"], "tags", imp), imp)
        data["themes"] = _items_sheet(_rows(sheets["items"], "items", imp), imp)
        _cross_check(data, imp)
    finally:
        wb.close()
    if imp.problems:
        raise SpreadsheetError(name, imp.problems)
    text = to_toml(data, path.name)
    try:
        loaded = parse(text, name)
    except ChecklistError as exc:
        raise SpreadsheetError(name, [_map_loader_error(str(exc), name, imp)]) from None
    return text, loaded
