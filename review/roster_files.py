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
- CSV: UTF-8 with or without a byte-order mark; the separator is the one of ``;``, ``,`` or tab
  that splits the header line most (semicolon when none does); another encoding is refused,
  asking for the file to be saved as UTF-8.
- Refused: a file over 5 MiB, or one whose workbook unpacks to more than 50 MiB; more than
  2,000 member rows (checked by ``roster_sheet``, the reading stops early beyond that).
"""

from __future__ import annotations

import csv
import io
import zipfile
import zlib
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from .roster_sheet import ALIASES, MAX_ROWS, NAME, CellValue, Sheet, Unreadable, column_letter, header_key

MAX_BYTES = 5 * 1024 * 1024
MAX_UNPACKED = 50 * 1024 * 1024
MAX_READ_ROWS = MAX_ROWS + 200  # room for titles and blank rows; the core counts the members
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"


class FileRefused(Exception):
    """A file that cannot be read as a roster, with the Vietnamese reason."""


def read_file(data: bytes) -> Sheet:
    """Return the sheet of an XLSX or CSV file's bytes; raise :class:`FileRefused` with the reason."""
    if len(data) > MAX_BYTES:
        raise FileRefused(f"Tệp lớn {len(data) / 1024 / 1024:.1f} MiB, tối đa 5 MiB.".replace(".", ",", 1))
    if not data.strip():
        raise FileRefused("Tệp trống.")
    if data.startswith(OLE_MAGIC) or data.startswith(OLE_MAGIC[:4]):
        raise FileRefused(
            "Tệp có mật khẩu hoặc là tệp .xls cũ: mở tệp, bỏ mật khẩu rồi lưu lại dạng Excel Workbook (.xlsx) "
            "hoặc CSV UTF-8."
        )
    if data.startswith(ZIP_MAGIC):
        return read_xlsx(data)
    return read_csv(data)


# ---------------------------------------------------------------------------
# XLSX


def read_xlsx(data: bytes) -> Sheet:
    """Return the first sheet of an XLSX workbook."""
    from openpyxl import load_workbook

    not_workbook = (
        "Tệp không phải là bảng tính Excel (.xlsx) hoặc đã bị hỏng: lưu lại từ Excel dạng .xlsx hoặc CSV UTF-8."
    )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            unpacked = sum(info.file_size for info in archive.infolist())
            if archive.testzip() is not None:
                raise FileRefused(not_workbook)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, OSError, EOFError, ValueError, NotImplementedError):
        raise FileRefused(not_workbook) from None
    if "xl/workbook.xml" not in names:
        raise FileRefused(not_workbook)
    if unpacked > MAX_UNPACKED:
        raise FileRefused("Bảng tính quá lớn khi giải nén: tối đa 50 MiB.")
    try:
        values = load_workbook(io.BytesIO(data), data_only=True)
        formulas = load_workbook(io.BytesIO(data), data_only=False)
    except FileRefused:
        raise
    except Exception:  # noqa: BLE001 (openpyxl raises many kinds on a damaged workbook)
        raise FileRefused(not_workbook) from None
    try:
        if not values.worksheets:
            raise FileRefused("Bảng tính không có trang tính nào.")
        return sheet_from(values.worksheets[0], formulas.worksheets[0])
    except FileRefused:
        raise
    except Exception:  # noqa: BLE001 (a damaged sheet may fail only while its cells are read)
        raise FileRefused(not_workbook) from None
    finally:
        values.close()
        formulas.close()


def sheet_from(ws: Any, wf: Any) -> Sheet:
    """Return the rows of a worksheet (values) and its twin read with formulas."""
    if ws.max_row > MAX_READ_ROWS * 50:
        raise FileRefused(f"Bảng tính có {ws.max_row} dòng, quá nhiều cho một danh sách đảng viên (tối đa {MAX_ROWS}).")
    merged: dict[tuple[int, int], tuple[str, bool, int]] = {}  # (row, column) -> (range, is top-left, first row)
    for rng in ws.merged_cells.ranges:
        for row in range(rng.min_row, rng.max_row + 1):
            for col in range(rng.min_col, rng.max_col + 1):
                merged[(row, col)] = (rng.coord, (row, col) == (rng.min_row, rng.min_col), rng.min_row)
    hidden_rows = [n for n, dim in ws.row_dimensions.items() if dim.hidden]
    hidden_cols = [key for key, dim in ws.column_dimensions.items() if dim.hidden]
    rows: list[tuple[int, tuple[CellValue, ...]]] = []
    header_seen = False
    header_row = 0
    for row_cells, formula_cells in zip(ws.iter_rows(), wf.iter_rows(), strict=False):
        if not row_cells:
            continue
        number = row_cells[0].row
        values: list[CellValue] = []
        for cell, fcell in zip(row_cells, formula_cells, strict=False):
            value: CellValue = plain(cell.value)
            if value is None and fcell.data_type == "f":
                value = Unreadable(
                    f"Ô {fcell.coordinate} là công thức chưa có giá trị (tệp chưa được tính lại trong Excel): "
                    "mở tệp trong Excel rồi lưu lại, hoặc chép giá trị thay cho công thức."
                )
            where = merged.get((number, cell.column))
            if where is not None and header_seen and where[2] <= header_row:
                value = None  # a header cell merged down (a header of two rows): part of the header
            elif where is not None and header_seen:
                value = Unreadable(
                    f"Ô nằm trong vùng ô gộp {where[0]}: bỏ gộp ô và ghi giá trị vào từng ô.",
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
                    f"Ô tiêu đề nằm trong vùng ô gộp {merged[(number, i + 1)][0]}: bỏ gộp ô tiêu đề.",
                    value=v,
                )
                if (number, i + 1) in merged and not merged[(number, i + 1)][1]
                else v
                for i, v in enumerate(values)
            ]
        rows.append((number, tuple(values)))
        if len(rows) > MAX_READ_ROWS:
            raise FileRefused(f"Bảng tính có hơn {MAX_ROWS} dòng đảng viên, tối đa {MAX_ROWS} dòng.")
    notices = []
    if hidden_rows:
        notices.append(
            "Các dòng bị ẩn vẫn được đọc như các dòng khác: " + ", ".join(str(n) for n in sorted(hidden_rows)) + "."
        )
    if hidden_cols:
        notices.append("Các cột bị ẩn vẫn được đọc như các cột khác: " + ", ".join(sorted(hidden_cols)) + ".")
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
            "Tệp CSV không phải mã UTF-8 (có thể là Windows-1258 hoặc một bảng mã cũ) hoặc không phải bảng tính: "
            "trong Excel chọn Lưu thành (Save As) → “CSV UTF-8 (Comma delimited)”, hoặc lưu dạng .xlsx."
        ) from None
    if "\x00" in text:
        raise FileRefused("Tệp không phải bảng tính CSV hay XLSX (có ký tự NUL): lưu lại dạng .xlsx hoặc CSV UTF-8.")
    lines = text.splitlines()
    first = next((line for line in lines if line.strip()), "")
    header = next((line for line in lines if "ho va ten" in header_key(line)), first)
    delimiter = max((";", ",", "\t"), key=lambda d: (header.count(d), d == ";"))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[tuple[int, tuple[CellValue, ...]]] = []
    try:
        for number, record in enumerate(reader, start=1):
            cells: list[CellValue] = [value for value in record]
            while cells and not str(cells[-1]).strip():
                cells.pop()
            if cells:
                rows.append((number, tuple(cells)))
            if len(rows) > MAX_READ_ROWS:
                raise FileRefused(f"Tệp có hơn {MAX_ROWS} dòng đảng viên, tối đa {MAX_ROWS} dòng.")
    except csv.Error as error:
        raise FileRefused(f"Không đọc được tệp CSV ({error}): lưu lại từ Excel dạng CSV UTF-8.") from None
    return Sheet(rows=tuple(rows))


# ---------------------------------------------------------------------------
# Writing


def write_xlsx(rows: Sequence[Sequence[str]], *, title: str | None = None, notes: Sequence[str] = ()) -> bytes:
    """Return an XLSX workbook of ``rows`` (the first is the header), every cell text."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    ws = wb.active
    ws.title = "Danh sách"
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


def write_csv(rows: Sequence[Sequence[str]]) -> bytes:
    """Return a CSV file of ``rows``: UTF-8 with a byte-order mark, semicolons, CRLF (as Excel opens it)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerows(rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")
