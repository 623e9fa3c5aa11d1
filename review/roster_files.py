"""Roster spreadsheet files: an XLSX (openpyxl) or CSV file read into a :class:`roster_sheet.Sheet`, and the export written.

No Flask, no database: the pages and the command line share it. Readings:

- The kind is decided by the content: a zip is an XLSX workbook, an OLE file (D0 CF 11 E0) is an
  encrypted XLSX or an old .xls (refused with a message), anything else is read as CSV text.
- XLSX: the first sheet, with ``data_only=True``: a formula reads as the value the spreadsheet
  program cached when it saved the file; a formula with no cached value (a file written by a
  script) is an unreadable cell, refused at its row and column when the column is used.
- Merged cells: above the header (titles) they are read as their top-left value, and so are the
  header's (a header cell merged down over a second header row leaves that row's cells empty);
  below the header, every cell of a range merged there is an unreadable cell naming the range
  (the row is refused when the range covers a column the roster uses).
- Hidden rows and columns are read like the others and named in a notice.
- CSV export: a cell a spreadsheet would run as a formula (starting with ``= + - @``, tab, CR) is
  written after a ``'``; the import takes that ``'`` off again (an export read back changes nothing).
- CSV: UTF-8 with or without a byte-order mark; the separator is the one of ``;``, ``,`` or tab
  that splits the header line most (semicolon when none does); another encoding is refused,
  asking for the file to be saved as UTF-8.
- Refused: a file over 5 MiB (``text.UPLOAD_MAX_BYTES``), or one whose workbook declares more than 10 MiB unpacked (checked before
  anything is inflated); more than
  2,000 member rows (checked by ``roster_sheet``, the reading stops early beyond that).
"""

from __future__ import annotations

import bisect
import csv
import io
import zipfile
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import IO, Any, Final

from .roster_sheet import ALIASES, MAX_ROWS, NAME, CellValue, Sheet, Unreadable, column_letter, header_key
from .text import UPLOAD_MAX_BYTES, mib_text
from .translatable import N_, msg

MIB = 1024 * 1024
MAX_BYTES = UPLOAD_MAX_BYTES
MAX_UNPACKED = 10 * MIB  # 2,000 members fit in well under 2 MiB of XML
MAX_READ_ROWS = MAX_ROWS + 200  # room for titles and blank rows; the core counts the members
MAX_SHEET_ROWS = MAX_READ_ROWS * 50  # rows (empty ones too) a sheet may run to
MAX_COLUMNS = 100  # columns read; a roster has 8
MAX_MERGED = 10_000
NOT_WORKBOOK = N_(
    "Tệp không phải là bảng tính Excel (.xlsx) hoặc đã bị hỏng: lưu lại từ Excel dạng .xlsx hoặc CSV UTF-8."
)
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"
CSV_UNREADABLE = N_(
    "Không đọc được tệp CSV (có ô quá dài hoặc dấu ngoặc kép không đóng): lưu lại từ Excel dạng CSV UTF-8."
)


class FileRefused(Exception):
    """A file that cannot be read as a roster, with the Vietnamese reason (a marked text or ``Message``)."""

    @property
    def message(self) -> str:
        """Return the reason as it was given (the shell translates it; ``str()`` would lose its template)."""
        return self.args[0] if self.args and isinstance(self.args[0], str) else str(self)


def read_file(data: bytes) -> Sheet:
    """Return the sheet of an XLSX or CSV file's bytes; raise :class:`FileRefused` with the reason."""
    if len(data) > MAX_BYTES:
        raise FileRefused(msg("Tệp lớn {size}, tối đa {limit}.", size=mib_text(len(data)), limit=mib_text(MAX_BYTES)))
    if not data.strip():
        raise FileRefused(N_("Tệp trống."))
    if data.startswith(OLE_MAGIC) or data.startswith(OLE_MAGIC[:4]):
        raise FileRefused(
            N_(
                "Tệp có mật khẩu hoặc là tệp .xls cũ: mở tệp, bỏ mật khẩu rồi lưu lại dạng Excel Workbook (.xlsx) "
                "hoặc CSV UTF-8."
            )
        )
    if data.startswith(ZIP_MAGIC):
        return read_xlsx(data)
    return read_csv(data)


# ---------------------------------------------------------------------------
# XLSX


def read_xlsx(data: bytes) -> Sheet:
    """Return the first sheet of an XLSX workbook.

    The sizes the zip declares are checked before anything is inflated (the zip reader stops at the
    declared size); the cells are read in openpyxl's read-only mode, stopping at the row limit; the
    merged ranges, hidden rows and columns and formulas with no cached value come from one streaming
    pass over the sheet's XML. The whole workbook is never built in memory.
    """
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, OSError, EOFError, ValueError, NotImplementedError):
        raise FileRefused(NOT_WORKBOOK) from None
    if "xl/workbook.xml" not in {info.filename for info in infos}:
        raise FileRefused(NOT_WORKBOOK)
    if sum(info.file_size for info in infos) > MAX_UNPACKED:
        raise FileRefused(msg("Bảng tính quá lớn khi giải nén: tối đa {limit}.", limit=mib_text(MAX_UNPACKED)))
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 (openpyxl raises many kinds on a damaged workbook)
        raise FileRefused(NOT_WORKBOOK) from None
    try:
        if not book.worksheets:
            raise FileRefused(N_("Bảng tính không có trang tính nào."))
        ws = book.worksheets[0]
        rows = sheet_rows(ws)
        with zipfile.ZipFile(io.BytesIO(data)) as archive, archive.open(ws._worksheet_path) as source:
            layout = read_layout(source)
        return sheet_from(rows, layout)
    except FileRefused:
        raise
    except Exception:  # noqa: BLE001 (a damaged sheet may fail only while its cells are read)
        raise FileRefused(NOT_WORKBOOK) from None
    finally:
        book.close()


def too_many_rows(count: int | str) -> FileRefused:
    return FileRefused(
        msg(
            "Bảng tính có {count} dòng, quá nhiều cho một danh sách đảng viên (tối đa {limit}).",
            count=count,
            limit=MAX_ROWS,
        )
    )


def sheet_rows(ws: Any) -> list[tuple[int, list[object]]]:
    """Return the non-empty rows of a read-only worksheet (number, values), stopping at the limits."""
    if ws.max_row is not None and ws.max_row > MAX_SHEET_ROWS:  # the sheet's declared dimension
        raise too_many_rows(ws.max_row)
    ws.reset_dimensions()  # read what the sheet holds, not what its dimension claims
    rows: list[tuple[int, list[object]]] = []
    for number, cells in enumerate(ws.iter_rows(max_col=MAX_COLUMNS, values_only=True), start=1):
        if number > MAX_SHEET_ROWS:
            raise too_many_rows(msg("hơn {count}", count=MAX_SHEET_ROWS))
        if any(value is not None for value in cells):
            rows.append((number, list(cells)))  # trailing empty cells kept: a merged range may cover them
            if len(rows) > MAX_READ_ROWS:
                raise FileRefused(msg("Bảng tính có hơn {limit} dòng đảng viên, tối đa {limit} dòng.", limit=MAX_ROWS))
    return rows


@dataclass(frozen=True)
class Layout:
    """What the values leave out: merged ranges, hidden rows and columns, formulas never calculated."""

    merged: tuple[tuple[str, int, int, int, int], ...] = ()  # (range, min col, min row, max col, max row)
    hidden_rows: tuple[int, ...] = ()
    hidden_columns: tuple[str, ...] = ()
    uncalculated: frozenset[tuple[int, int]] = frozenset()  # (row, column) of a formula with no cached value


def read_layout(source: IO[bytes]) -> Layout:
    """Return the layout of a worksheet's XML, read in one streaming pass."""
    from openpyxl.utils.cell import column_index_from_string, coordinate_from_string, range_boundaries
    from openpyxl.xml.functions import iterparse

    merged: list[tuple[str, int, int, int, int]] = []
    hidden_rows: list[int] = []
    hidden_columns: list[str] = []
    uncalculated: set[tuple[int, int]] = set()
    row = 0
    for event, element in iterparse(source, events=("start", "end")):
        tag = element.tag.rpartition("}")[2]
        if event == "start":
            if tag == "row":
                row = int(element.get("r") or row + 1)
                if element.get("hidden") in ("1", "true"):
                    hidden_rows.append(row)
            continue
        if tag == "c":
            formula = value = None
            for child in element:
                name = child.tag.rpartition("}")[2]
                if name == "f":
                    formula = child
                elif name == "v":
                    value = child
            if formula is not None and (value is None or value.text is None) and element.get("r"):
                letters, number = coordinate_from_string(element.get("r"))
                uncalculated.add((number, column_index_from_string(letters)))
            element.clear()
        elif tag == "row":
            element.clear()
        elif tag == "col" and element.get("hidden") in ("1", "true"):
            low, high = int(element.get("min", "1")), int(element.get("max", "1"))
            hidden_columns.append(column_letter(low - 1) + ("" if high == low else ":" + column_letter(high - 1)))
        elif tag == "mergeCell" and element.get("ref"):
            if len(merged) >= MAX_MERGED:
                raise FileRefused(msg("Bảng tính có hơn {limit} vùng ô gộp: bỏ gộp ô rồi lưu lại.", limit=MAX_MERGED))
            ref = element.get("ref")
            min_col, min_row, max_col, max_row = range_boundaries(ref)
            merged.append((ref, min_col, min_row, max_col, max_row))
    return Layout(tuple(merged), tuple(hidden_rows), tuple(hidden_columns), frozenset(uncalculated))


def merged_cells(layout: Layout, numbers: Sequence[int]) -> dict[tuple[int, int], tuple[str, bool, int]]:
    """Return (row, column) -> (range, is top-left, first row) for the cells of the rows read."""
    merged: dict[tuple[int, int], tuple[str, bool, int]] = {}
    budget = (len(numbers) + 1) * MAX_COLUMNS  # ranges do not overlap in a sound workbook
    for ref, min_col, min_row, max_col, max_row in layout.merged:
        for row in numbers[bisect.bisect_left(numbers, min_row) : bisect.bisect_right(numbers, max_row)]:
            for col in range(min_col, min(max_col, MAX_COLUMNS) + 1):
                merged[(row, col)] = (ref, (row, col) == (min_row, min_col), min_row)
                budget -= 1
                if budget < 0:
                    raise FileRefused(NOT_WORKBOOK)
    return merged


def sheet_from(read: Sequence[tuple[int, Sequence[object]]], layout: Layout) -> Sheet:
    """Return the rows of a worksheet (its non-empty rows' values and its layout)."""
    merged = merged_cells(layout, [number for number, _ in read])
    rows: list[tuple[int, tuple[CellValue, ...]]] = []
    header_seen = False
    header_row = 0
    for number, cells in read:
        values: list[CellValue] = []
        for column, raw in enumerate(cells, start=1):
            value: CellValue = plain(raw)
            if value is None and (number, column) in layout.uncalculated:
                value = Unreadable(
                    msg(
                        "Ô {cell} là công thức chưa có giá trị (tệp chưa được tính lại "
                        "trong Excel): mở tệp trong Excel rồi lưu lại, hoặc chép giá trị thay cho công thức.",
                        cell=column_letter(column - 1) + str(number),
                    )
                )
            where = merged.get((number, column))
            if where is not None and header_seen and where[2] <= header_row:
                value = None  # a header cell merged down (a header of two rows): part of the header
            elif where is not None and header_seen:
                value = Unreadable(
                    msg("Ô nằm trong vùng ô gộp {range}: bỏ gộp ô và ghi giá trị vào từng ô.", range=where[0]),
                    value=value if where[1] else None,
                )
            values.append(value)
        while values and values[-1] is None:
            values.pop()
        if not values:
            continue
        if not header_seen and any(is_name_header(v) for v in values):
            header_seen = True
            header_row = number
            values = [  # the header's own merged cells
                Unreadable(
                    msg("Ô tiêu đề nằm trong vùng ô gộp {range}: bỏ gộp ô tiêu đề.", range=merged[(number, i + 1)][0]),
                    value=v,
                )
                if (number, i + 1) in merged and not merged[(number, i + 1)][1]
                else v
                for i, v in enumerate(values)
            ]
        rows.append((number, tuple(values)))
    notices = []
    if layout.hidden_rows:
        hidden = ", ".join(str(n) for n in sorted(layout.hidden_rows)[:50]) + (
            ", …" if len(layout.hidden_rows) > 50 else ""
        )
        notices.append(msg("Các dòng bị ẩn vẫn được đọc như các dòng khác: {rows}.", rows=hidden))
    if layout.hidden_columns:
        notices.append(
            msg("Các cột bị ẩn vẫn được đọc như các cột khác: {columns}.", columns=", ".join(layout.hidden_columns))
        )
    return Sheet(rows=tuple(rows), notices=tuple(notices))


def is_name_header(value: CellValue) -> bool:
    return isinstance(value, str) and ALIASES.get(header_key(value)) == NAME


def plain(value: object) -> CellValue:
    """Return a cell's value as the core takes it (strings, numbers, dates, None)."""
    if value is None or isinstance(value, (str, int, float, bool, date, datetime)):
        return value
    return str(value)  # a time, a timedelta, an error value: its text


# ---------------------------------------------------------------------------
# CSV


def read_csv(data: bytes) -> Sheet:
    """Return the rows of a CSV file in UTF-8 (with or without a byte-order mark)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FileRefused(
            N_(
                "Tệp CSV không phải mã UTF-8 (có thể là Windows-1258 hoặc một bảng mã cũ) hoặc không phải bảng tính: "
                "trong Excel chọn Lưu thành (Save As) → “CSV UTF-8 (Comma delimited)”, hoặc lưu dạng .xlsx."
            )
        ) from None
    if "\x00" in text:
        raise FileRefused(
            N_("Tệp không phải bảng tính CSV hay XLSX (có ký tự NUL): lưu lại dạng .xlsx hoặc CSV UTF-8.")
        )
    lines = text.splitlines()
    first = next((line for line in lines if line.strip()), "")
    header = next((line for line in lines if "ho va ten" in header_key(line)), first)
    delimiter = max((";", ",", "\t"), key=lambda d: (header.count(d), d == ";"))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[tuple[int, tuple[CellValue, ...]]] = []
    try:
        for number, record in enumerate(reader, start=1):
            cells: list[CellValue] = [csv_value(value) for value in record]
            while cells and not str(cells[-1]).strip():
                cells.pop()
            if cells:
                rows.append((number, tuple(cells)))
            if len(rows) > MAX_READ_ROWS:
                raise FileRefused(msg("Tệp có hơn {limit} dòng đảng viên, tối đa {limit} dòng.", limit=MAX_ROWS))
    except csv.Error:  # its text is English ("field larger than field limit"): not for the user
        raise FileRefused(CSV_UNREADABLE) from None
    return Sheet(rows=tuple(rows))


# ---------------------------------------------------------------------------
# Writing


def write_xlsx(rows: Sequence[Sequence[str]], *, title: str | None = None, notes: Sequence[str] = ()) -> bytes:
    """Return an XLSX workbook of ``rows`` (the first is the header), every cell text."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = "Danh sách"  # i18n: vi-only (the file is Vietnamese, SPEC 10)
    line = 1
    if title:
        ws.cell(row=line, column=1, value=title).font = Font(bold=True)
        line += 1
    for note in notes:  # above the header: the import skips them
        cell = ws.cell(row=line, column=1)
        cell.value = note
        cell.data_type = "s"
        line += 1
    if title or notes:
        line += 1
    for r_index, row in enumerate(rows):
        for c_index, value in enumerate(row, start=1):
            cell = ws.cell(row=line, column=c_index)
            cell.value = value
            cell.data_type = "s"  # text even when it starts with "=": never a formula
            cell.number_format = "@"
            if r_index == 0:
                cell.font = Font(bold=True)
        line += 1
    widths = [6, 28, 12, 14, 15, 14, 17, 30]
    for index, width in enumerate(widths):
        ws.column_dimensions[column_letter(index)].width = width
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


FORMULA_STARTS: Final = frozenset("=+-@\t\r")


def is_quoted_formula(text: str) -> bool:
    """Return whether ``text`` is a cell the CSV export protected with a leading ``'`` (see :func:`csv_cell`)."""
    return text.startswith("'") and text.lstrip("'")[:1] in FORMULA_STARTS


def csv_cell(text: str) -> str:
    """Return a cell as the CSV export writes it: ``'`` before a text a spreadsheet would run as a formula.

    A text already starting with ``'`` before such a character gets one more, so that the import,
    which takes one ``'`` off (:func:`csv_value`), reads back what was written.
    """
    return "'" + text if text[:1] in FORMULA_STARTS or is_quoted_formula(text) else text


def csv_value(text: str) -> str:
    """Return a CSV cell as the import reads it: the export's protecting ``'`` taken off."""
    return text[1:] if is_quoted_formula(text) else text


def write_csv(rows: Sequence[Sequence[str]]) -> bytes:
    """Return a CSV file of ``rows``: UTF-8 with a byte-order mark, semicolons, CRLF (as Excel opens it).

    A cell starting with ``= + - @``, a tab or a carriage return is written after a ``'``, so that a
    spreadsheet program opening the file shows it as text, never runs it as a formula.
    """
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerows([csv_cell(value) for value in row] for row in rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")
