"""The PDF writer: a ``reports.document.Document`` laid out with ReportLab (SPEC 7's page).

What it does beyond mapping blocks to flowables:

- Runs become Paragraph markup only through ``reports.markup.para_text`` (user text prints
  literally); a paragraph of one regular run is one markup fragment, the cheapest to lay out.
- A paragraph that opens with a bold (or italic) label and goes on in the regular face ("Tự
  đánh giá, xếp loại: ...", "– Đồng chí <name>: ...") would leave ReportLab's one-fragment fast
  path for its whole length (about 3x the cost of breaking and drawing it). When the label fits
  well within the first line, the regular text is laid out alone (one fragment), its first line
  indented by the label's width, and the label is drawn in that room (``LabelledParagraph``):
  the same words in the same faces at the same places, the first gap not stretched by justification.
- A table cell whose text is one regular run and fits its column on one line is a plain string,
  styled by the table (a Paragraph per cell is most of a long table's time).
- A heading (a style with ``keep_with_next``) is never the last thing on a page: a conditional
  page break before it asks for its own height and the first two lines of what follows (or the
  table's header and first row). Nothing long is wrapped in KeepTogether, which lays its content
  out twice; headings directly before a signature block or a ``Together`` join that group.
- ``Signatures`` with their ``closing`` lines are kept on one page, so the signatures never
  stand alone on the last page.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Sequence
from functools import cache
from typing import Any

from reportlab import rl_config
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import getAscentDescent, stringWidth
from reportlab.platypus import CondPageBreak, Flowable, KeepTogether, Paragraph, Spacer

from . import common
from .document import (
    Block,
    Document,
    Para,
    ParaStyle,
    PartyHeader,
    Room,
    Signatures,
    Space,
    Table,
    Together,
)
from .markup import para_text

ALIGNMENTS = {"left": TA_LEFT, "center": TA_CENTER, "justify": TA_JUSTIFY, "right": TA_RIGHT}
CELL_PADDING = 6 + 6  # ReportLab's default left and right cell padding, in points
ROW_PADDING = 3 + 4  # grid_table's top and bottom padding
KEEP_TABLE_ROWS = 25  # a table with text kept under it is kept whole up to this many rows
SLACK = 2  # points added to a heading's room, against rounding


def font_of(style: ParaStyle) -> str:
    """Return the face of the family a style is set in."""
    suffix = {(False, False): "", (True, False): "-Bold", (False, True): "-Italic", (True, True): "-BoldItalic"}
    return common.FAMILY + suffix[(style.bold, style.italic)]


@cache
def paragraph_style(style: ParaStyle) -> ParagraphStyle:
    """Return the ReportLab style of a named style (one per style, cached)."""
    common.register_fonts()
    return ParagraphStyle(
        f"doc-{style.name}",
        fontName=font_of(style),
        fontSize=style.size,
        leading=style.line,
        alignment=ALIGNMENTS[style.align],  # type: ignore[arg-type]
        firstLineIndent=style.first_line_indent_mm * mm,
        spaceBefore=style.space_before,
        spaceAfter=style.space_after,
    )


def markup_of(paragraph: Para) -> str:
    """Return a paragraph's runs as Paragraph markup: each run escaped, bold and italic as tags."""
    parts = []
    for run in paragraph.runs:
        text = para_text(run.text)
        if run.bold and not paragraph.style.bold:
            text = f"<b>{text}</b>"
        if run.italic and not paragraph.style.italic:
            text = f"<i>{text}</i>"
        parts.append(text)
    return "".join(parts) or "&nbsp;"


LABEL_SHARE = 0.6  # a label is drawn apart only when it takes at most this share of the first line


class LabelledParagraph(Paragraph):
    """A one-fragment paragraph with its leading label drawn in the room of its first-line indent.

    ``label``: the label's pieces as (text, font name); the paragraph's style indents its first
    line by their width. When ReportLab splits the paragraph over a page, the first part keeps the
    label (``split`` builds the parts with this class; the second part has no label).
    """

    label: tuple[tuple[str, str], ...] = ()
    label_x: float = 0

    def split(self, availWidth: float, availHeight: float) -> list[Any]:
        parts = super().split(availWidth, availHeight)
        first = parts[0] if parts else None
        if isinstance(first, LabelledParagraph) and first is not self:
            first.label, first.label_x = self.label, self.label_x
        return parts

    def draw(self) -> None:
        if self.label:  # drawn first: text extraction reads the label before the text it opens
            style = self.style
            size = style.fontSize
            top = size if rl_config.paraFontSizeHeightOffset else getAscentDescent(style.fontName, size)[0]
            text = self.canv.beginText(self.label_x, self.height - top)
            text.setFillColor(style.textColor)
            for piece, font in self.label:
                text.setFont(font, size)
                text.textOut(piece)
            self.canv.drawText(text)
        super().draw()


@cache
def _indented_style(style: ParaStyle, indent: float) -> ParagraphStyle:
    return ParagraphStyle(f"doc-{style.name}-{indent:.2f}", parent=paragraph_style(style), firstLineIndent=indent)


def _labelled(paragraph: Para, width: float) -> Paragraph | None:
    """Return the paragraph as a ``LabelledParagraph`` when its label can be drawn apart, else None."""
    runs = paragraph.runs
    cut = max((i + 1 for i, run in enumerate(runs) if run.bold or run.italic), default=0)
    if cut == 0 or cut == len(runs) or paragraph.style.bold or paragraph.style.italic:
        return None
    head = [(unicodedata.normalize("NFC", run.text), font_of(_face(paragraph.style, run))) for run in runs[:cut]]
    tail = unicodedata.normalize("NFC", "".join(run.text for run in runs[cut:]))
    if any("\n" in text or "\r" in text for text, _ in head) or not tail.strip():
        return None
    if not tail.startswith(" "):  # "name: text": the label takes the text up to the first space
        glued, space, rest = tail.partition(" ")
        if not space:
            return None
        head.append((glued, font_of(paragraph.style)))
        tail = space + rest
    size = paragraph.style.size
    start = paragraph.style.first_line_indent_mm * mm
    label_width = sum(stringWidth(text, font, size) for text, font in head)
    stripped = tail.lstrip(" ")  # the space after the label: one space of the text's face
    label_width += stringWidth(" ", font_of(paragraph.style), size)
    if start + label_width > LABEL_SHARE * width:
        return None
    flowable = LabelledParagraph(para_text(stripped), _indented_style(paragraph.style, round(start + label_width, 2)))
    flowable.label, flowable.label_x = tuple(head), start
    return flowable


def _face(style: ParaStyle, run: Any) -> ParaStyle:
    return ParaStyle("face", bold=style.bold or run.bold, italic=style.italic or run.italic)


def flowable_paragraph(paragraph: Para, width: float | None = None) -> Paragraph:
    """Return a paragraph's flowable; given the frame's ``width``, a labelled paragraph may draw its label apart."""
    if width is not None and len(paragraph.runs) > 1:
        labelled = _labelled(paragraph, width)
        if labelled is not None:
            return labelled
    return Paragraph(markup_of(paragraph), paragraph_style(paragraph.style))


# ---------------------------------------------------------------------------
# Tables


def _plain(cell: Para, width: float) -> bool:
    """Whether a cell prints as a plain string: one regular run, one line that fits its column."""
    if len(cell.runs) != 1:
        return False
    run = cell.runs[0]
    if run.bold or run.italic or "\n" in run.text or "\r" in run.text:
        return False
    return stringWidth(run.text, font_of(cell.style), cell.style.size) <= width - CELL_PADDING


def _style_commands(style: ParaStyle, first: tuple[int, int], last: tuple[int, int]) -> list[Any]:
    align = {"left": "LEFT", "center": "CENTER", "justify": "LEFT", "right": "RIGHT"}[style.align]
    return [
        ("FONTNAME", first, last, font_of(style)),
        ("FONTSIZE", first, last, style.size),
        ("LEADING", first, last, style.line),
        ("ALIGN", first, last, align),
    ]


def flowable_table(table: Table, widths: Sequence[float]) -> Flowable:
    """Return a table: plain strings where they fit, Paragraphs elsewhere, groups spanning the row."""
    plain_styles: dict[tuple[int, int], ParaStyle] = {}
    rows: list[list[object]] = []
    for r, row in enumerate(table.rows):
        cells: list[object] = []
        for c, cell in enumerate(row):
            span = r in table.full_rows and c == 0
            width = sum(widths) if span else widths[c]
            if not cell.runs:
                cells.append("")
            elif _plain(cell, width):
                cells.append(unicodedata.normalize("NFC", cell.runs[0].text))
                plain_styles[(r, c)] = cell.style
            else:
                cells.append(flowable_paragraph(cell))
        cells += [""] * (len(widths) - len(cells))
        rows.append(cells)
    row_height = None if table.row_height_mm is None else table.row_height_mm * mm
    if table.bordered:
        grid = common.grid_table(rows, widths, header_rows=table.header_rows, row_height=row_height)
    else:
        grid = common.plain_table(rows, widths)
    commands: list[Any] = []
    # One command per run of rows in a column that share a style (not one per cell).
    for c in range(len(widths)):
        start, current = 0, None
        for r in range(len(rows) + 1):
            here = plain_styles.get((r, c)) if r < len(rows) else None
            if here == current:
                continue
            if current is not None:
                commands += _style_commands(current, (c, start), (c, r - 1))
            start, current = r, here
    commands += [("SPAN", (0, r), (len(widths) - 1, r)) for r in table.full_rows]
    if commands:
        grid.setStyle(commands)
    return grid


def _cell_lines(cell: Para, width: float) -> int:
    text = cell.plain
    lines = 0
    for piece in text.split("\n"):
        measured = stringWidth(piece, font_of(cell.style), cell.style.size)
        lines += max(1, math.ceil(measured / max(width - CELL_PADDING, 1)))
    return lines


def _row_height(row: Sequence[Para], widths: Sequence[float], fixed: float | None) -> float:
    if fixed is not None:
        return fixed
    tallest = max(
        (_cell_lines(cell, widths[c]) * cell.style.line for c, cell in enumerate(row) if c < len(widths)), default=0
    )
    return tallest + ROW_PADDING


# ---------------------------------------------------------------------------
# Headings kept with what follows


def _first_room(block: Block, width: float) -> float:
    """Return the height a heading must see under it: two lines of a paragraph, a table's head and first row."""
    if isinstance(block, Para):
        return block.style.space_before + 2 * block.style.line
    if isinstance(block, Table):
        widths = _widths(block, width)
        fixed = None if block.row_height_mm is None else block.row_height_mm * mm
        shown = block.rows[: block.header_rows + 1]
        return sum(_row_height(row, widths, fixed if i >= block.header_rows else None) for i, row in enumerate(shown))
    if isinstance(block, Space):
        return block.mm * mm
    return 0


def _heading_height(paragraph: Para, width: float) -> float:
    style = paragraph.style
    lines = _cell_lines(paragraph, width + CELL_PADDING)
    return style.space_before + lines * style.line + style.space_after


def _widths(table: Table, width: float) -> list[float]:
    return [w * mm for w in table.widths_mm]


# ---------------------------------------------------------------------------
# Blocks


def _signatures(block: Signatures, width: float) -> Flowable:
    if block.recipients:
        signer = block.signers[0]
        foot = common.recipients_and_signature(
            block.recipients, signer.title, signer.subtitle, signer.name, hint=block.hint, width=width
        )
    else:
        foot = common.signature_block(
            [(s.title, s.subtitle, s.name) for s in block.signers], hint=block.hint, width=width
        )
    return foot


def _flowables(blocks: Sequence[Block], width: float) -> list[Flowable]:
    story: list[Flowable] = []
    held: list[Flowable] = []  # headings waiting to join a group that follows them
    for i, block in enumerate(blocks):
        if isinstance(block, Para) and block.style.keep_with_next:
            heading = flowable_paragraph(block)
            first = i == 0 or not (isinstance(blocks[i - 1], Para) and blocks[i - 1].style.keep_with_next)  # type: ignore[union-attr]
            if isinstance(_chain_end(blocks, i), (Signatures, Together)):
                held.append(heading)  # the group's KeepTogether carries the headings with it
            else:
                if first:
                    story.append(CondPageBreak(_chain_room(blocks, i, width)))
                story.append(heading)
            continue
        if isinstance(block, Para):
            story.append(flowable_paragraph(block, width))
        elif isinstance(block, PartyHeader):
            story.append(common.party_header(block.heading, block.with_date, width=width))
        elif isinstance(block, Table):
            grid = flowable_table(block, _widths(block, width))
            if block.keep_with:
                under = [Spacer(1, 2 * mm), *(flowable_paragraph(p) for p in block.keep_with)]
                story += [KeepTogether([grid, *under])] if len(block.rows) <= KEEP_TABLE_ROWS else [grid, *under]
            else:
                story.append(grid)
        elif isinstance(block, Signatures):
            closing = [flowable_paragraph(p) for p in block.closing]
            space = [Spacer(1, 6 * mm)] if closing or held else [Spacer(1, 4 * mm)]
            story.append(KeepTogether([*held, *closing, *space, _signatures(block, width)]))
            held = []
        elif isinstance(block, Space):
            (held if held else story).append(Spacer(1, block.mm * mm))
        elif isinstance(block, Room):
            story.append(CondPageBreak(block.mm * mm))
        elif isinstance(block, Together):
            story.append(KeepTogether([*held, *_flowables(block.blocks, width)]))
            held = []
    story += held
    return story


def _chain_end(blocks: Sequence[Block], start: int) -> Block | None:
    """Return the block a run of headings from ``start`` leads to (past spaces), or None at the end."""
    for block in blocks[start:]:
        if not (isinstance(block, Space) or (isinstance(block, Para) and block.style.keep_with_next)):
            return block
    return None


def _chain_room(blocks: Sequence[Block], start: int, width: float) -> float:
    """Return the room a run of headings from ``start`` needs: their heights and what follows them."""
    room = 0.0
    i = start
    while i < len(blocks):
        block = blocks[i]
        if isinstance(block, Para) and block.style.keep_with_next:
            room += _heading_height(block, width)
            i += 1
            continue
        if isinstance(block, Space):
            room += block.mm * mm
            i += 1
            continue
        if isinstance(block, (Signatures, Together)):
            return room  # the group's KeepTogether carries the headings with it
        room += _first_room(block, width)
        break
    return room + SLACK


def render(document: Document) -> bytes:
    """Return the document as PDF bytes: A4 (or landscape), the Party margins, the page marks."""
    page = common.LANDSCAPE_PAGE if document.landscape else common.PAGE
    width = common.LANDSCAPE_TEXT_WIDTH if document.landscape else common.TEXT_WIDTH
    story = _flowables(document.blocks, width)
    return common.build_pdf(story, title=document.title, stamp=document.stamp, page=page)
