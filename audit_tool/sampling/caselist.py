"""Read a council's list of eligible case files (CSV or XLSX) into headings and rows.

Every problem is one message naming the row (as a spreadsheet numbers it: the heading row
is row 1 in a file without blank lines before it) or the column; nothing is kept half-read.
The rows hold case references: they stay in memory, never in a log or a temporary file.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InvalidInput

MAX_BYTES = 200 * 1024 * 1024  # far above any council's list; refuses a wrong file early
MAX_ROWS = 1_000_000
PROGRESS_EVERY = 5_000

Progress = Callable[[int], None]  # rows read so far; may raise Cancelled


@dataclass(frozen=True)
class CaseList:
    source_name: str  # the file's name, never its folder
    sha256: str
    encoding: str  # "utf-8", "utf-8-sig", "utf-16", "cp1252", "latin-1" or "xlsx"
    sheet: str | None
    headers: tuple[str, ...]
    rows: tuple[tuple[int, tuple[str, ...]], ...]  # (row number in the file, values)
    empty_rows: int = 0
    delimiter: str | None = None
    notes: tuple[str, ...] = field(default=())

    def column(self, heading: str) -> int:
        """Index of a column by its heading (exact, else ignoring case and spaces)."""
        if heading in self.headers:
            return self.headers.index(heading)
        wanted = _key(heading)
        for i, h in enumerate(self.headers):
            if _key(h) == wanted:
                return i
        raise InvalidInput(
            f"The list has no column '{heading}'. Its columns: {', '.join(self.headers)}."
        )


def _key(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().casefold()


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA: how a spreadsheet names the column."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def read_case_list(
    path: str | Path, sheet: str | None = None, progress: Progress | None = None
) -> CaseList:
    """Headings and non-empty rows of a CSV or XLSX case list (blank rows skipped, counted)."""
    path = Path(path)
    try:
        size = path.stat().st_size
    except OSError:
        raise InvalidInput(f"The case list {path.name} cannot be opened.") from None
    if path.is_dir():
        raise InvalidInput(f"{path.name} is a folder, not a case list.")
    if size == 0:
        raise InvalidInput(f"The case list {path.name} is empty.")
    if size > MAX_BYTES:
        raise InvalidInput(
            f"The case list {path.name} is {size / 1e6:,.0f} MB; the limit is "
            f"{MAX_BYTES / 1e6:,.0f} MB. Is it the right file?"
        )
    try:
        data = path.read_bytes()
    except OSError:
        raise InvalidInput(f"The case list {path.name} cannot be read.") from None
    digest = hashlib.sha256(data).hexdigest()
    if data[:4] == b"PK\x03\x04":
        return _read_xlsx(path, data, digest, sheet, progress)
    if path.suffix.lower() in (".xls", ".xlsm", ".xlsb", ".ods"):
        raise InvalidInput(
            f"{path.name} is not a CSV or XLSX file; save it from the spreadsheet as XLSX or CSV."
        )
    if sheet:
        raise InvalidInput(f"{path.name} is a CSV file: it has no sheets to choose from.")
    return _read_csv(path.name, data, digest, progress)


# -- CSV ----------------------------------------------------------------------------------


def _decode(name: str, data: bytes) -> tuple[str, str]:
    """The text and the name of the encoding it was read in. UTF-8 first (with or without
    Excel's byte-order mark), then UTF-16 with a mark, then Windows-1252 (what Excel on a
    UK Windows laptop saves as "CSV"), and Latin-1 for the five bytes cp1252 leaves out."""
    if data.startswith(codecs.BOM_UTF8):
        try:
            return data.decode("utf-8-sig"), "utf-8-sig"
        except UnicodeDecodeError as exc:
            raise InvalidInput(
                f"{name} says it is UTF-8 but is not ({_where(data, exc)})."
            ) from None
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            raise InvalidInput(
                f"{name} says it is UTF-16 but is not ({_where(data, exc)})."
            ) from None
    if b"\x00" in data[:4096]:
        raise InvalidInput(f"{name} is not a text (CSV) file.")
    for encoding in ("utf-8", "cp1252", "latin-1"):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise AssertionError("latin-1 decodes any bytes")


def _where(data: bytes, exc: UnicodeDecodeError) -> str:
    line = data[: exc.start].count(b"\n") + 1
    return f"row {line}"


def _sniff(text: str) -> str:
    sample = "\n".join(text[:64_000].splitlines()[:50])
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:  # one column, or too little to tell: the usual comma
        return ","


def _read_csv(name: str, data: bytes, digest: str, progress: Progress | None) -> CaseList:
    text, encoding = _decode(name, data)
    if "\x00" in text:
        raise InvalidInput(f"{name} is not a text (CSV) file.")
    delimiter = _sniff(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    records = _numbered_csv(name, reader)
    headers, rows, empty = _collect(name, records, progress)
    notes = ()
    if encoding in ("cp1252", "latin-1"):
        notes = (f"read as Windows-1252 ({encoding}) text: the file is not UTF-8",)
    return CaseList(name, digest, encoding, None, headers, rows, empty, delimiter, notes)


def _numbered_csv(name: str, reader) -> Iterator[tuple[int, list[str]]]:
    number = 0
    while True:
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise InvalidInput(
                f"{name}, row {number + 1}: the CSV cannot be read ({exc}); "
                "check the quotes on that row."
            ) from None
        number += 1
        yield number, record


# -- XLSX ---------------------------------------------------------------------------------


def _read_xlsx(
    path: Path, data: bytes, digest: str, sheet: str | None, progress: Progress | None
) -> CaseList:
    import openpyxl  # only when a spreadsheet is read

    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a damaged or foreign file
        raise InvalidInput(f"{path.name} cannot be read as an XLSX workbook.") from None
    try:
        if sheet:
            if sheet not in wb.sheetnames:
                raise InvalidInput(
                    f"{path.name} has no sheet '{sheet}'. Its sheets: {', '.join(wb.sheetnames)}."
                )
            ws = wb[sheet]
        else:
            ws = wb[wb.sheetnames[0]]
        title = ws.title
        merged = _merged_ranges(ws)
        if merged:
            more = f" (and {len(merged) - 1} more)" if len(merged) > 1 else ""
            raise InvalidInput(
                f"{path.name}, sheet '{title}': cells {merged[0]}{more} are merged. A merged "
                "cell leaves the rows under it blank, so the list could be read wrongly: unmerge "
                "them, fill in each row, and save again."
            )
        records = (
            (number, [_cell_text(v) for v in values])
            for number, values in enumerate(ws.iter_rows(values_only=True), start=1)
        )
        headers, rows, empty = _collect(f"{path.name}, sheet '{title}'", records, progress)
    finally:
        wb.close()
    return CaseList(path.name, digest, "xlsx", title, headers, rows, empty)


def _merged_ranges(ws) -> list[str]:
    """Merged ranges of a read-only sheet: openpyxl's streaming reader skips them, so the
    sheet's own XML is scanned for <mergeCell ref="A5:A9"/> (after the rows, at its end)."""
    from xml.etree.ElementTree import iterparse

    found: list[str] = []
    try:
        source = ws._get_source()  # openpyxl's read-only sheet: the XML part in the zip
    except AttributeError:
        return found
    with source:
        for _event, elem in iterparse(source, events=("end",)):
            tag = elem.tag.rsplit("}", 1)[-1]
            if tag == "mergeCell":
                found.append(elem.get("ref", "?"))
            elif tag in ("row", "c"):
                elem.clear()  # keep memory flat on a long sheet
    return found


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # 123.0 as Excel shows it: 123
    if hasattr(value, "isoformat"):
        return value.isoformat()[:10] if str(value).endswith("00:00:00") else value.isoformat()
    return str(value)


# -- both ---------------------------------------------------------------------------------


def _collect(
    where: str, records: Iterable[tuple[int, list[str]]], progress: Progress | None
) -> tuple[tuple[str, ...], tuple[tuple[int, tuple[str, ...]], ...], int]:
    """The first non-blank row is the headings; later blank rows are skipped and counted."""
    headers: tuple[str, ...] | None = None
    rows: list[tuple[int, tuple[str, ...]]] = []
    empty = 0
    for number, record in records:
        values = [v.replace("\x00", "").strip() for v in record]
        if not any(values):
            if headers is not None:
                empty += 1
            continue
        if headers is None:
            headers = _headings(where, number, values)
            continue
        if len(rows) >= MAX_ROWS:
            raise InvalidInput(f"{where} has more than {MAX_ROWS:,} rows; split the list.")
        rows.append((number, _fit(where, number, values, len(headers))))
        if progress is not None and len(rows) % PROGRESS_EVERY == 0:
            progress(len(rows))
    if headers is None:
        raise InvalidInput(f"{where} has no rows.")
    if not rows:
        raise InvalidInput(f"{where} has a heading row but no cases under it.")
    if progress is not None:
        progress(len(rows))
    return headers, tuple(rows), empty


def _headings(where: str, number: int, values: list[str]) -> tuple[str, ...]:
    while values and not values[-1]:
        values.pop()
    named = [v or f"Column {column_letter(i)}" for i, v in enumerate(values)]
    seen: dict[str, int] = {}
    for i, h in enumerate(named):
        k = _key(h)
        if k in seen:
            raise InvalidInput(
                f"{where}, row {number}: columns {column_letter(seen[k])} and {column_letter(i)} "
                f"both have the heading '{h}'; rename one."
            )
        seen[k] = i
    return tuple(named)


def _fit(where: str, number: int, values: list[str], width: int) -> tuple[str, ...]:
    if len(values) > width:
        extra = [i for i in range(width, len(values)) if values[i]]
        if extra:
            raise InvalidInput(
                f"{where}, row {number}: a value in column {column_letter(extra[0])}, which "
                "has no heading; give the column a heading or remove the value."
            )
        values = values[:width]
    elif len(values) < width:
        values = values + [""] * (width - len(values))
    return tuple(values)
