"""What every Party document shares: the font family, the styles, the header and the page.

Party documents follow 36-HD/VPTW (2018), as SPEC 7 summarises it: A4; a Times New Roman
style Unicode font; margins top 20, bottom 20, left 30, right 15 mm; page numbers from page 2;
the two-column header with the superior organisation and the cell on the left and
"ĐẢNG CỘNG SẢN VIỆT NAM" on the right.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from datetime import date
from itertools import combinations, pairwise
from pathlib import Path
from typing import Any

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfmetrics import registerFontFamily
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Table, TableStyle

from review.text import long_day_text

from .document import DRAFT_NOTE_MINUTES, SIGN_HINT, SIGN_HINT_STAMPED, Heading, Stamp
from .markup import para_text

__all__ = ["DRAFT_NOTE_MINUTES", "SIGN_HINT", "SIGN_HINT_STAMPED", "Heading", "Stamp"]  # re-exported

FONT_DIR = Path(__file__).resolve().parent / "fonts"
FAMILY = "LiberationSerif"  # metric-compatible with Times New Roman; Vietnamese complete
FACES = {
    FAMILY: "LiberationSerif-Regular.ttf",
    f"{FAMILY}-Bold": "LiberationSerif-Bold.ttf",
    f"{FAMILY}-Italic": "LiberationSerif-Italic.ttf",
    f"{FAMILY}-BoldItalic": "LiberationSerif-BoldItalic.ttf",
}

PAGE = A4
MARGINS = {"top": 20 * mm, "bottom": 20 * mm, "left": 30 * mm, "right": 15 * mm}
TEXT_WIDTH = PAGE[0] - MARGINS["left"] - MARGINS["right"]
# A wide table (the committee's summary, Biểu tổng hợp) goes on A4 landscape, with the same margins.
LANDSCAPE_PAGE = landscape(A4)
LANDSCAPE_TEXT_WIDTH = LANDSCAPE_PAGE[0] - MARGINS["left"] - MARGINS["right"]


def register_fonts() -> None:
    """Register the serif family once, so that <b> and <i> pick the right faces."""
    if FAMILY in pdfmetrics.getRegisteredFontNames():
        return
    for name, filename in FACES.items():
        pdfmetrics.registerFont(TTFont(name, str(FONT_DIR / filename)))
    registerFontFamily(
        FAMILY, normal=FAMILY, bold=f"{FAMILY}-Bold", italic=f"{FAMILY}-Italic", boldItalic=f"{FAMILY}-BoldItalic"
    )


def style(name: str, size: float = 14, **kw: object) -> ParagraphStyle:
    """Return a paragraph style of the family, 14 pt body text by default."""
    register_fonts()
    values: dict[str, object] = {"fontName": FAMILY, "fontSize": size, "leading": size * 1.3}
    values.update(kw)
    return ParagraphStyle(name, **values)  # type: ignore[arg-type]


BODY = style("body", alignment=TA_JUSTIFY, spaceAfter=4, firstLineIndent=10 * mm)
BODY_PLAIN = style("body-plain", alignment=TA_JUSTIFY, spaceAfter=3)
TITLE = style("title", 16, fontName=f"{FAMILY}-Bold", alignment=TA_CENTER, spaceBefore=8, spaceAfter=2)
SUBJECT = style("subject", 14, fontName=f"{FAMILY}-Bold", alignment=TA_CENTER, spaceAfter=10)
SECTION = style(
    "section", 14, fontName=f"{FAMILY}-Bold", alignment=TA_LEFT, spaceBefore=8, spaceAfter=4, keepWithNext=1
)
CELL = style("cell", 12, leading=15)
CELL_CENTER = style("cell-center", 12, leading=15, alignment=TA_CENTER)
CELL_HEAD = style("cell-head", 11, leading=13.5, fontName=f"{FAMILY}-Bold", alignment=TA_CENTER)
SIGN_TITLE = style("sign-title", 14, fontName=f"{FAMILY}-Bold", alignment=TA_CENTER)
SIGN_NAME = style("sign-name", 14, fontName=f"{FAMILY}-Bold", alignment=TA_CENTER)
NOTE = style("note", 12, fontName=f"{FAMILY}-Italic", alignment=TA_LEFT)


def text(value: str, paragraph_style: ParagraphStyle = BODY) -> Paragraph:
    """Return a paragraph of user text, printed literally (escaped, NFC, line breaks kept)."""
    return Paragraph(para_text(value), paragraph_style)


def markup(value: str, paragraph_style: ParagraphStyle = BODY) -> Paragraph:
    """Return a paragraph of the document's own markup; user text inside must come through ``esc``."""
    return Paragraph(value, paragraph_style)


esc = para_text


def upper(value: str) -> str:
    """Return Vietnamese text in capitals (đ becomes Đ)."""
    return value.upper()


def date_line(place: str, day: date | None) -> str:
    """Return the place-and-date line: 'Thượng Thanh, ngày 27 tháng 11 năm 2020'."""
    return f"{place}, {long_day_text(day)}"


class RuleUnder(Flowable):
    """A solid line as long as a given text, centred: the rule under 'ĐẢNG CỘNG SẢN VIỆT NAM'."""

    def __init__(self, length: float, width: float) -> None:
        super().__init__()
        self.length, self.box = length, width

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return self.box, 3

    def draw(self) -> None:
        start = (self.box - self.length) / 2
        self.canv.setLineWidth(0.8)
        self.canv.line(start, 1.5, start + self.length, 1.5)


HEADER_SIZE = 14


def balanced_lines(words: Sequence[str], width: float, measure: Callable[[str], float]) -> list[str]:
    """Return words on as few lines as fit ``width``, broken between words so the lines are balanced.

    Among the breaks with the fewest lines, the one whose longest line is shortest wins, and a
    break between the last two words (a place name's, "THƯỢNG / THANH") is avoided when another
    fits. A word longer than the width stands on its own line.
    """
    words = [w for w in words if w]
    if not words:
        return []
    n = len(words)
    best: tuple[tuple[int, float], list[str]] | None = None
    for lines in range(1, n + 1):
        for cuts in combinations(range(1, n), lines - 1):
            bounds = (0, *cuts, n)
            parts = [" ".join(words[a:b]) for a, b in pairwise(bounds)]
            widths = [measure(part) for part in parts]
            if max(widths) > width and not all(b - a == 1 for a, b in pairwise(bounds)):
                continue
            split_last = 1 if n >= 3 and (n - 1) in cuts else 0
            key = (split_last, max(widths))
            if best is None or key < best[0]:
                best = (key, parts)
        if best is not None:
            return best[1]
    return words


def header_lines(value: str, font: str, width: float, size: float = HEADER_SIZE) -> str:
    """Return an organisation's name for the header's left column: capitals, balanced lines, as markup."""
    words = upper(value).split()
    lines = balanced_lines(words, width - 2, lambda line: pdfmetrics.stringWidth(line, font, size))
    return "<br/>".join(esc(line) for line in lines)


def party_header(heading: Heading, with_date: bool = True, *, width: float = TEXT_WIDTH) -> Table:
    """Return the two-column header of a Party document (SPEC 7), as wide as the text (``width``)."""
    register_fonts()
    left_width, right_width = width * 0.46, width * 0.54
    center14 = style("h-left", 14, alignment=TA_CENTER, leading=17)
    center14b = style("h-left-b", 14, alignment=TA_CENTER, leading=17, fontName=f"{FAMILY}-Bold")
    party = "ĐẢNG CỘNG SẢN VIỆT NAM"
    party_style = style("h-right", 15, alignment=TA_CENTER, leading=18, fontName=f"{FAMILY}-Bold")
    party_width = pdfmetrics.stringWidth(party, f"{FAMILY}-Bold", 15)
    left = [Paragraph(header_lines(heading.parent, FAMILY, left_width), center14)] if heading.parent else []
    left += [Paragraph(header_lines(heading.cell, f"{FAMILY}-Bold", left_width), center14b), Paragraph("*", center14)]
    if heading.number:
        left.append(Paragraph(esc(heading.number), style("h-number", 14, alignment=TA_CENTER, leading=17)))
    right: list[Flowable] = [Paragraph(party, party_style), RuleUnder(party_width, right_width - 4)]
    if with_date:
        right.append(
            Paragraph(
                f"<i>{esc(date_line(heading.place, heading.day))}</i>",
                style("h-date", 14, alignment=TA_CENTER, spaceBefore=6),
            )
        )
    table = Table([[left, right]], colWidths=[left_width, right_width])
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("FONTNAME", (0, 0), (-1, -1), FAMILY),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return table


def signature_block(
    columns: Sequence[tuple[str, str, str]], *, hint: str = SIGN_HINT, width: float = TEXT_WIDTH
) -> Table:
    """Return signature blocks side by side: (title, subtitle, typed name) for each column."""
    cells = []
    for title, subtitle, name in columns:
        block: list[Flowable] = [Paragraph(esc(title), SIGN_TITLE)]
        if subtitle:
            block.append(Paragraph(esc(subtitle), SIGN_TITLE))
        block.append(Paragraph(f"<i>{esc(hint)}</i>", style("sign-hint", 12, alignment=TA_CENTER)))
        block.append(Paragraph("&nbsp;", style("sign-space", 14, leading=60)))
        block.append(Paragraph(esc(name), SIGN_NAME))
        cells.append(block)
    table = Table([cells], colWidths=[width / len(columns)] * len(columns))
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("FONTNAME", (0, 0), (-1, -1), FAMILY)]))
    table.keepWithNext = False
    return table


RECIPIENTS_HEAD = style("recipients-head", 12, fontName=f"{FAMILY}-BoldItalic", leading=15)
RECIPIENTS = style("recipients", 11, leading=13.5)


def recipients_and_signature(
    recipients: Sequence[str], title: str, subtitle: str, name: str, *, hint: str, width: float = TEXT_WIDTH
) -> Table:
    """Return the foot of a decision: "Nơi nhận:" and its lines on the left, the signature on the right."""
    left_width = min(width * 0.45, TEXT_WIDTH * 0.45)
    left: list[Flowable] = [Paragraph("Nơi nhận:", RECIPIENTS_HEAD)]
    left += [Paragraph(esc(f"- {line}"), RECIPIENTS) for line in recipients]
    right_width = min(width - left_width, TEXT_WIDTH * 0.55)
    right = signature_block([(title, subtitle, name)], hint=hint, width=right_width)
    table = Table([[left, right]], colWidths=[left_width, width - left_width])
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("FONTNAME", (0, 0), (-1, -1), FAMILY),
                ("ALIGN", (1, 0), (1, 0), "RIGHT"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return table


def grid_table(
    rows: list[list[object]], col_widths: Sequence[float], header_rows: int = 1, row_height: float | None = None
) -> Table:
    """Return a bordered table whose header repeats on every page and never sits alone at a foot."""
    heights = None if row_height is None else [None] * header_rows + [row_height] * (len(rows) - header_rows)
    table = Table(rows, colWidths=list(col_widths), rowHeights=heights, repeatRows=header_rows, splitByRow=True)
    commands: list[Any] = [
        ("GRID", (0, 0), (-1, -1), 0.6, colors.black),
        ("FONTNAME", (0, 0), (-1, -1), FAMILY),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
    ]
    if header_rows:
        commands.append(("BACKGROUND", (0, 0), (-1, header_rows - 1), colors.Color(0.93, 0.93, 0.93)))
    table.setStyle(TableStyle(commands))
    return table


def plain_table(rows: list[list[object]], col_widths: Sequence[float]) -> Table:
    """Return a table without borders (cells aligned to the top, no side padding)."""
    table = Table(rows, colWidths=list(col_widths))
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), FAMILY),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return table


def _decorate(stamp: Stamp, page: tuple[float, float]):  # type: ignore[no-untyped-def]
    def on_page(canvas, doc) -> None:  # type: ignore[no-untyped-def]
        canvas.saveState()
        width, height = page
        text_width = width - MARGINS["left"] - MARGINS["right"]
        if doc.page >= 2:  # page numbers from page 2, at the top centre
            canvas.setFont(FAMILY, 12)
            canvas.drawCentredString(MARGINS["left"] + text_width / 2, height - 12 * mm, str(doc.page))
        if stamp.draft:
            canvas.setFillColor(colors.Color(0.75, 0.1, 0.1, alpha=0.18))
            canvas.setFont(f"{FAMILY}-Bold", 72)
            canvas.translate(width / 2, height / 2)
            canvas.rotate(40)
            canvas.drawCentredString(0, 0, "DỰ THẢO")
            canvas.rotate(-40)
            canvas.translate(-width / 2, -height / 2)
            canvas.setFillColor(colors.Color(0.6, 0, 0))
            canvas.setFont(f"{FAMILY}-Bold", 10)
            canvas.drawString(MARGINS["left"], 10 * mm, stamp.draft_note)
        elif stamp.footer:
            canvas.setFillColor(colors.Color(0.25, 0.25, 0.25))
            canvas.setFont(FAMILY, 8)
            canvas.drawString(MARGINS["left"], 10 * mm, stamp.footer)
        canvas.restoreState()

    return on_page


def build_pdf(story: list[Flowable], *, title: str, stamp: Stamp, page: tuple[float, float] = PAGE) -> bytes:
    """Lay out ``story`` on A4 (``page``: or LANDSCAPE_PAGE) with the Party margins and return the PDF bytes."""
    register_fonts()
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=page,
        leftMargin=MARGINS["left"],
        rightMargin=MARGINS["right"],
        topMargin=MARGINS["top"],
        bottomMargin=MARGINS["bottom"],
        title=title,
        author="",
        creator="party-review",
        initialFontName=FAMILY,
        initialFontSize=14,
    )
    decorate = _decorate(stamp, page)
    document.build(story, onFirstPage=decorate, onLaterPages=decorate)
    return buffer.getvalue()
