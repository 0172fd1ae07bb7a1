"""The analyst dataset written for size (issue 22): one XLSX workbook, or CSV text.

A sheet (`Sheet`, from Dataset.parts()) gives each row as codes of the parts that make it up
(an answers row: the audit, the item with its rating, the note), and each part is formatted
once per code: the XML or CSV of an audit's columns is made for its first answer and reused
for the other thirty-odd, that of an item and rating once for the whole file.

Each sheet's XML is written straight into its entry of the zip archive in the atomic writer's
temporary file (fileio.write_atomic): no other file holds a byte of it, so a killed export
leaves nothing behind but that temporary, which the writer removes. openpyxl built each cell
as an object and serialised it through lxml (52 s for 390,000 answer rows); here a row is one
joined string and every distinct text is escaped once. openpyxl still writes the small parts
around the sheets (styles, workbook, content types), so the package is the one it wrote.

The cells are those openpyxl's write-only mode wrote: text as inline strings (never a formula,
whatever it starts with), numbers as numbers, None as no cell.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import Any, BinaryIO
from zipfile import ZIP_DEFLATED, ZipFile

_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # XML 1.0 cannot hold these
_EXCEL_TEXT = 32_767
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})
_CACHE_MAX = 100_000  # distinct values (and row parts) kept formatted, per column (part)
_BATCH = 500  # rows formatted and joined before each write


@dataclass
class Part:
    """A part of every row of a sheet: `values(code)` gives its cells, `width` of them."""

    values: Callable[[int], Sequence[Any]]
    width: int
    keep: int = _CACHE_MAX  # formatted texts kept: few when codes come in runs, 0 when unique


@dataclass
class Sheet:
    """A table: each of `rows()` is a tuple of codes, one for each of `parts`."""

    title: str
    header: list[str]
    rows: Callable[[], Iterator[tuple[int, ...]]]
    parts: list[Part]
    count: int


def whole_rows(title: str, header: list[str], rows: Sequence[Sequence[Any]]) -> Sheet:
    """A sheet of rows given whole (one part, code = row number)."""
    return Sheet(title, header, lambda: ((i,) for i in range(len(rows))),
                 [Part(rows.__getitem__, len(header), 0)], len(rows))


class _Texts(dict):
    """code -> a part's formatted text, made when first asked; at most `keep` are kept
    (all dropped when full: codes that come in runs, as an audit's, still hit)."""

    def __init__(self, make: Callable[[int], str], keep: int) -> None:
        super().__init__()
        self.make, self.keep = make, keep

    def __missing__(self, code: int) -> str:
        text = self.make(code)
        if self.keep:
            if len(self) >= self.keep:
                self.clear()
            self[code] = text
        return text


def _batches(rows: Iterator[tuple[int, ...]]) -> Iterator[list[tuple[int, ...]]]:
    while batch := list(islice(rows, _BATCH)):
        yield batch
_WIDE = {
    "question": 60,
    "theme_title": 32,
    "note": 60,
    "meaning": 70,
    "allowed_values": 40,
    "checklist_title": 40,
    "checklist_id": 30,
    "audit_key": 20,
    "pseudonym": 16,
    "area": 26,
    "agency": 30,
    "section": 12,
}


def widths(header: list[str]) -> list[float]:
    return [_WIDE.get(h, max(10, len(h) + 3)) for h in header]


def text_xml(value: str) -> str:
    """The <is> element of a text cell: characters XML cannot hold are dropped, text is cut
    at Excel's limit of a cell, and space at either end is kept (as openpyxl did)."""
    if _ILLEGAL.search(value):
        value = _ILLEGAL.sub("", value)
    if len(value) > _EXCEL_TEXT:
        value = value[: _EXCEL_TEXT - 1] + "…"
    escaped = value.translate(_ESCAPES)
    if value != value.strip():
        return f'<is><t xml:space="preserve">{escaped}</t></is>'
    return f"<is><t>{escaped}</t></is>"


class _Cells:
    """Turns rows into <row> XML. Each column keeps the XML of every distinct value it has
    held, the row number left as a mark (NUL, which no text can hold: _ILLEGAL drops it)
    put in once per row: the same area, question or label is escaped and formatted once."""

    def __init__(self, columns: int) -> None:
        from openpyxl.utils import get_column_letter

        self.letters = [get_column_letter(i) for i in range(1, columns + 1)]
        self.columns: list[dict] = [{} for _ in self.letters]  # per column: value -> XML
        self.parts: list[dict] = [{} for _ in self.letters]  # per part of a row: part -> XML

    @staticmethod
    def fragment(letter: str, v, style: str) -> str:
        ref = f'<c r="{letter}\0"{style}'
        if v is None:
            return ""
        if isinstance(v, str):
            return f'{ref} t="inlineStr"></c>' if v == "" else f'{ref} t="inlineStr">{text_xml(v)}</c>'
        if isinstance(v, bool):
            return f'{ref} t="b"><v>{int(v)}</v></c>'
        return f'{ref} t="n"><v>{v}</v></c>'

    def cells(self, col: int, values) -> str:
        parts = []
        for letter, cache, v in zip(self.letters[col:], self.columns[col:], values, strict=False):
            if v is True or v is False:  # True == 1: never looked up among the numbers
                parts.append(self.fragment(letter, v, ""))
                continue
            xml = cache.get(v)
            if xml is None:
                xml = self.fragment(letter, v, "")
                if len(cache) < _CACHE_MAX:
                    cache[v] = xml
            parts.append(xml)
        return "".join(parts)

    def texts(self, parts: list[Part]) -> list[_Texts]:
        """Per part, its cells' XML by code (the row number left as a mark)."""
        out, col = [], 0
        for part in parts:
            out.append(_Texts(lambda code, c=col, v=part.values: self.cells(c, v(code)), part.keep))
            col += part.width
        return out

    def header(self, names: list[str], style: str) -> str:
        return '<row r="1">' + "".join(
            self.fragment(letter, v, style) for letter, v in zip(self.letters, names, strict=False)
        ).replace(chr(0), "1") + "</row>"


def _top(size: str, header: list[str]) -> str:
    cols = "".join(
        f'<col width="{w:g}" customWidth="1" min="{i}" max="{i}"/>'
        for i, w in enumerate(widths(header), 1)
    )
    return (
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<sheetPr><outlinePr summaryBelow="1" summaryRight="1"/><pageSetUpPr/></sheetPr>'
        f'<dimension ref="{size}"/>'
        '<sheetViews><sheetView workbookViewId="0">'
        '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
        '<selection pane="bottomLeft" activeCell="A1" sqref="A1"/></sheetView></sheetViews>'
        '<sheetFormatPr baseColWidth="8" defaultRowHeight="15"/>'
        f"<cols>{cols}</cols><sheetData>"
    )


def _tail(size: str) -> str:
    return (
        f'</sheetData><autoFilter ref="{size}"/>'
        '<pageMargins left="0.75" right="0.75" top="1" bottom="1" header="0.5" footer="0.5"/>'
        "</worksheet>"
    )


def write_xlsx(sheets: list[Sheet], f: BinaryIO, step: Callable[[int], None]) -> None:
    """Write `sheets` as one workbook to `f`; `step(n)` after each n rows."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.packaging.relationship import RelationshipList
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    archive = ZipFile(f, "w", ZIP_DEFLATED, allowZip64=True, compresslevel=1)
    wb = Workbook(write_only=True)
    for index, sheet in enumerate(sheets, 1):
        header, count = sheet.header, sheet.count
        ws = wb.create_sheet(sheet.title)
        ws._id = index  # the sheet's part name (xl/worksheets/sheetN.xml)
        bold = WriteOnlyCell(ws, "")
        bold.font = Font(bold=True)  # registers the header's style in the workbook
        size = f"A1:{get_column_letter(len(header))}{count + 1}"
        ws.auto_filter.ref = size  # the workbook part names it (_xlnm._FilterDatabase)
        ws._rels = RelationshipList()
        cells = _Cells(len(header))
        texts = cells.texts(sheet.parts)
        with archive.open(ws.path[1:], "w", force_zip64=True) as entry:
            entry.write(_top(size, header).encode())
            entry.write(cells.header(header, f' s="{bold.style_id}"').encode())
            r = 1
            for batch in _batches(sheet.rows()):
                out = []
                for codes in batch:
                    r += 1
                    n = str(r)
                    xml = "".join([t[c] for t, c in zip(texts, codes)])  # noqa: B905 (speed)
                    out.append(f'<row r="{n}">{xml.replace(chr(0), n)}</row>')
                entry.write("".join(out).encode())
                step(len(batch))
            entry.write(_tail(size).encode())
    _finish_workbook(wb, archive)


def _finish_workbook(wb, archive) -> None:
    """The rest of the workbook (styles, workbook part, content types) as openpyxl writes it;
    the sheets themselves are already in the archive."""
    from openpyxl.drawing.spreadsheet_drawing import SpreadsheetDrawing
    from openpyxl.writer.excel import ExcelWriter

    class StreamedSheets(ExcelWriter):
        def write_worksheet(self, ws) -> None:
            ws._drawing = SpreadsheetDrawing()
            ws._drawing.charts = ws._charts
            ws._drawing.images = ws._images
            self.manifest.append(ws)

    StreamedSheets(wb, archive).save()



# -- CSV -------------------------------------------------------------------------------------------

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> Any:
    """A text that a spreadsheet would run as a formula gets a ' before it."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return "" if value is None else value


class _CsvRows:
    """csv.writer's text of a row, or of a part of one."""

    def __init__(self) -> None:
        self.buffer = io.StringIO()
        self.writer = csv.writer(self.buffer)

    def text(self, values: Sequence[Any]) -> str:
        """A whole row, without its line end."""
        buf = self.buffer
        buf.seek(0)
        buf.truncate()
        self.writer.writerow([csv_cell(v) for v in values])
        return buf.getvalue()[:-2]

    def piece(self, values: Sequence[Any]) -> str:
        """A part of a row: csv.writer quotes a lone empty field (""), not one among others."""
        return "" if len(values) == 1 and csv_cell(values[0]) == "" else self.text(values)

    def texts(self, parts: list[Part]) -> list[_Texts]:
        if len(parts) == 1:  # whole rows
            return [_Texts(lambda code, v=parts[0].values: self.text(v(code)), parts[0].keep)]
        return [_Texts(lambda code, v=p.values: self.piece(v(code)), p.keep) for p in parts]


def write_csv(f: BinaryIO, sheet: Sheet, step: Callable[[int], None]) -> None:
    """One table as CSV (UTF-8 with a byte-order mark, so Excel reads the characters right);
    `step(n)` after each n rows."""
    text = io.TextIOWrapper(f, encoding="utf-8-sig", newline="")
    out = _CsvRows()
    text.write(out.text(sheet.header) + "\r\n")
    texts = out.texts(sheet.parts)
    for batch in _batches(sheet.rows()):
        if len(texts) == 2:
            a, b = texts
            lines = [f"{a[x]},{b[y]}\r\n" for x, y in batch]
        elif len(texts) == 3:
            a, b, c = texts
            lines = [f"{a[x]},{b[y]},{c[z]}\r\n" for x, y, z in batch]
        else:
            lines = [",".join([t[c] for t, c in zip(texts, codes)]) + "\r\n"  # noqa: B905
                     for codes in batch]
        text.write("".join(lines))
        step(len(batch))
    text.flush()
    text.detach()  # the atomic writer owns and closes the file
