"""The committee's summary table (Biểu tổng hợp, SPEC 9) as a spreadsheet (XLSX, openpyxl).

The same columns and rows as the PDF (``reports.decision.summary_table``): title rows, the
header, one row per cell, the totals row. A draft says "DỰ THẢO" in its first title cell; an
issued decision's sheet names its number, version and fingerprint under the title.

Every text cell is stored as text (``data_type = "s"``, with the quote prefix a spreadsheet
program shows as a leading ``'``): a name starting with ``=``, ``+``, ``-`` or ``@`` is never
read as a formula. Counts are numbers.
"""

from __future__ import annotations

import io

# openpyxl ships no type information (mypy checks reports/ strictly).
from openpyxl import Workbook  # type: ignore[import-untyped]
from openpyxl.styles import Alignment, Border, Font, Side  # type: ignore[import-untyped]
from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]
from openpyxl.worksheet.worksheet import Worksheet  # type: ignore[import-untyped]

from review.decision_rules import DecisionPaper

from .decision import SUMMARY_LEVEL_HEAD, committee_of, list_reference, summary_legend, summary_table

SHEET_TITLE = "Biểu tổng hợp"
THIN = Side(style="thin")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
WRAP = Alignment(wrap_text=True, vertical="center")
CENTER = Alignment(wrap_text=True, vertical="center", horizontal="center")


def _text(ws: Worksheet, row: int, column: int, value: str, *, bold: bool = False) -> None:
    """Write a text cell that a spreadsheet never runs as a formula."""
    cell = ws.cell(row=row, column=column)
    cell.value = value
    cell.data_type = "s"
    cell.quotePrefix = True
    if bold:
        cell.font = Font(bold=True)


def _number(ws: Worksheet, row: int, column: int, value: int, *, bold: bool = False) -> None:
    cell = ws.cell(row=row, column=column, value=value)
    cell.alignment = CENTER
    if bold:
        cell.font = Font(bold=True)


def summary_xlsx(paper: DecisionPaper) -> bytes:
    """Return the summary table as an XLSX workbook."""
    table = summary_table(paper)
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = SHEET_TITLE
    titles = [
        ("DỰ THẢO – " if paper.draft else "") + f"{table.title} {table.subtitle.upper()}",
        committee_of(paper),
        list_reference(paper),
    ]
    if not paper.draft:
        titles.append(f"Quyết định số {paper.number}, phiên bản {paper.version} · SHA-256: {paper.fingerprint}")
    line = 1
    for i, title in enumerate(titles):
        _text(ws, line, 1, title, bold=i == 0)
        line += 1
    line += 1
    header = ["TT", "Chi bộ", *(label for _, label in table.columns), SUMMARY_LEVEL_HEAD]
    for column, value in enumerate(header, 1):
        _text(ws, line, column, value, bold=True)
        ws.cell(row=line, column=column).alignment = CENTER
    line += 1
    for number, row in enumerate(table.rows, 1):
        _number(ws, line, 1, number)
        _text(ws, line, 2, row.name)
        for column, (key, _) in enumerate(table.columns, 3):
            if row.counts is None:
                _text(ws, line, column, "—")
                ws.cell(row=line, column=column).alignment = CENTER
            else:
                _number(ws, line, column, row.counts[key])
        _text(ws, line, len(header), row.level)
        line += 1
    _text(ws, line, 2, table.totals.name, bold=True)
    assert table.totals.counts is not None
    for column, (key, _) in enumerate(table.columns, 3):
        _number(ws, line, column, table.totals.counts[key], bold=True)
    _text(ws, line, len(header), table.totals.level)
    first_row = line - len(table.rows) - 1
    for r in range(first_row, line + 1):
        for c in range(1, len(header) + 1):
            cell = ws.cell(row=r, column=c)
            cell.border = BOX
            if cell.alignment.horizontal != "center":
                cell.alignment = WRAP
    line += 2
    _text(ws, line, 1, summary_legend())
    widths = [6, 40, *([14] * len(table.columns)), 34]
    for index, width in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(index)].width = width
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
