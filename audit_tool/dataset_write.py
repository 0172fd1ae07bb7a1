"""The analyst dataset written for size (issue 22): one XLSX workbook, or CSV text.

Rows come in parts (Dataset.parts(): an answers row is the audit's columns, the item's and
the rating's), and each part is formatted once: the XML or CSV of an audit's columns is made
for its first answer and reused for the other thirty-odd.

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
from typing import Any, BinaryIO
from zipfile import ZIP_DEFLATED, ZipFile

_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # XML 1.0 cannot hold these
_EXCEL_TEXT = 32_767
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})
_CACHE_MAX = 100_000  # distinct values (and row parts) kept formatted, per column (part)
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

    def row(self, r: int, parts: Sequence[tuple]) -> str:
        """One row from its parts; a part is cached whole unless it is the whole row."""
        if len(parts) == 1:
            xml = self.cells(0, parts[0])
        else:
            pieces, col = [], 0
            for part, cache in zip(parts, self.parts, strict=False):
                piece = cache.get(part)
                if piece is None:
                    piece = self.cells(col, part)
                    if len(cache) < _CACHE_MAX:
                        cache[part] = piece
                pieces.append(piece)
                col += len(part)
            xml = "".join(pieces)
        n = str(r)
        return f'<row r="{n}">{xml.replace(chr(0), n)}</row>'

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


_BATCH = 500  # rows joined before each write into the zip entry


def write_xlsx(sheets: list, f: BinaryIO, step: Callable[[], None]) -> None:
    """Write `sheets` ((title, header, rows in parts, count) as Dataset.parts()) as one
    workbook to `f`."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.packaging.relationship import RelationshipList
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    archive = ZipFile(f, "w", ZIP_DEFLATED, allowZip64=True, compresslevel=1)
    wb = Workbook(write_only=True)
    for index, (title, header, rows, count) in enumerate(sheets, 1):
        ws = wb.create_sheet(title)
        ws._id = index  # the sheet's part name (xl/worksheets/sheetN.xml)
        bold = WriteOnlyCell(ws, "")
        bold.font = Font(bold=True)  # registers the header's style in the workbook
        size = f"A1:{get_column_letter(len(header))}{count + 1}"
        ws.auto_filter.ref = size  # the workbook part names it (_xlnm._FilterDatabase)
        ws._rels = RelationshipList()
        cells = _Cells(len(header))
        with archive.open(ws.path[1:], "w", force_zip64=True) as entry:
            entry.write(_top(size, header).encode())
            entry.write(cells.header(header, f' s="{bold.style_id}"').encode())
            batch, r = [], 1
            for parts in rows():
                r += 1
                batch.append(cells.row(r, parts))
                if len(batch) == _BATCH:
                    entry.write("".join(batch).encode())
                    batch = []
                step()
            entry.write(("".join(batch) + _tail(size)).encode())
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
    """csv.writer's text for each part of a row, made once per distinct part."""

    def __init__(self) -> None:
        self.buffer = io.StringIO()
        self.writer = csv.writer(self.buffer)
        self.parts: list[dict] = []

    def text(self, part: tuple) -> str:
        buf = self.buffer
        buf.seek(0)
        buf.truncate()
        self.writer.writerow([csv_cell(v) for v in part])
        return buf.getvalue()[:-2]  # without its line end

    def row(self, parts: Sequence[tuple]) -> str:
        if len(parts) == 1:
            return self.text(parts[0]) + "\r\n"
        while len(self.parts) < len(parts):
            self.parts.append({})
        pieces = []
        for part, cache in zip(parts, self.parts, strict=False):
            piece = cache.get(part)
            if piece is None:
                # csv.writer quotes a lone empty field (""), but not one among others
                piece = "" if len(part) == 1 and csv_cell(part[0]) == "" else self.text(part)
                if len(cache) < _CACHE_MAX:
                    cache[part] = piece
            pieces.append(piece)
        return ",".join(pieces) + "\r\n"


def write_csv(f: BinaryIO, header: list[str], rows: Iterator[Sequence[tuple]], step) -> None:
    """One table as CSV (UTF-8 with a byte-order mark, so Excel reads the characters right)."""
    text = io.TextIOWrapper(f, encoding="utf-8-sig", newline="")
    out = _CsvRows()
    text.write(out.row([tuple(header)]))
    batch: list[str] = []
    for parts in rows:
        batch.append(out.row(parts))
        if len(batch) == _BATCH:
            text.write("".join(batch))
            batch = []
        step()
    text.write("".join(batch))
    text.flush()
    text.detach()  # the atomic writer owns and closes the file
