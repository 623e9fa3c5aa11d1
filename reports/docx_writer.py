"""The Word writer: a ``reports.document.Document`` written with python-docx (SPEC 7's editable copy).

A4 (or landscape), the Party margins, Times New Roman (ascii, hAnsi, eastAsia and cs fonts)
with Vietnamese text; one Word paragraph style per named style; the two-column header and the
signature blocks as borderless tables; bordered tables whose header rows repeat on every page;
page numbers from page 2 (a different first-page header); the draft note or the seal line in the
footer of every page. ``Room`` hints have no Word equivalent: headings keep with what follows
(keep_with_next) and signature blocks keep with their closing lines instead. The output is
deterministic (fixed core properties and zip dates). Import this module lazily: python-docx is
not needed to start the application.
"""

from __future__ import annotations

import io
import unicodedata
import zipfile
from datetime import datetime
from typing import Any

import docx
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_ROW_HEIGHT_RULE, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from .document import (
    Block,
    Document,
    Para,
    ParaStyle,
    PartyHeader,
    Room,
    Run,
    Signatures,
    Space,
    Table,
    Together,
)

FONT = "Times New Roman"
MIMETYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
MARGINS_MM = {"top": 20, "bottom": 20, "left": 30, "right": 15}
A4_MM = (210, 297)
FIXED_TIME = datetime(2020, 1, 1)
PARTY = "ĐẢNG CỘNG SẢN VIỆT NAM"
PARTY_WIDTH_MM = 73  # its width in Times New Roman bold 15 pt: the rule under it is as long
ALIGN = {
    "left": WD_ALIGN_PARAGRAPH.LEFT,
    "center": WD_ALIGN_PARAGRAPH.CENTER,
    "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
    "right": WD_ALIGN_PARAGRAPH.RIGHT,
}
HEADER_LEFT = ParaStyle("header-left", 14, align="center", leading=17)
HEADER_LEFT_BOLD = ParaStyle("header-left-bold", 14, bold=True, align="center", leading=17)
HEADER_PARTY = ParaStyle("header-party", 15, bold=True, align="center", leading=18)
HEADER_DATE = ParaStyle("header-date", 14, italic=True, align="center", space_before=6)
SIGN_TITLE = ParaStyle("sign-title", 14, bold=True, align="center")
SIGN_HINT = ParaStyle("sign-hint", 12, italic=True, align="center")
SIGN_SPACE = ParaStyle("sign-space", 14, align="center", leading=60)
RECIPIENTS_HEAD = ParaStyle("recipients-head", 12, bold=True, italic=True, align="left", leading=15)
RECIPIENTS = ParaStyle("recipients", 11, align="left", leading=13.5)


def _set_fonts(r_pr: Any) -> None:
    """Set Times New Roman for every script (ascii, hAnsi, eastAsia, cs) on an rPr element."""
    fonts = r_pr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        r_pr.insert(0, fonts)
    for key in list(fonts.attrib):
        del fonts.attrib[key]
    for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attribute), FONT)


class _Writer:
    def __init__(self, document: Document) -> None:
        self.source = document
        self.doc = docx.Document()
        self.styles: dict[str, Any] = {}
        self.collecting: list[list[Any]] = []
        landscape = document.landscape
        self.width_mm = (A4_MM[1] if landscape else A4_MM[0]) - MARGINS_MM["left"] - MARGINS_MM["right"]
        self._page(landscape)
        self._defaults()

    # -- page, defaults, marks ------------------------------------------------------------
    def _page(self, landscape: bool) -> None:
        section = self.doc.sections[0]
        width, height = (A4_MM[1], A4_MM[0]) if landscape else A4_MM
        section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Mm(width), Mm(height)
        section.top_margin, section.bottom_margin = Mm(MARGINS_MM["top"]), Mm(MARGINS_MM["bottom"])
        section.left_margin, section.right_margin = Mm(MARGINS_MM["left"]), Mm(MARGINS_MM["right"])
        section.header_distance, section.footer_distance = Mm(10), Mm(8)
        section.different_first_page_header_footer = True

    def _defaults(self) -> None:
        styles = self.doc.styles
        defaults = styles.element.find(qn("w:docDefaults"))
        r_pr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
        _set_fonts(r_pr)
        lang = r_pr.find(qn("w:lang"))
        if lang is not None:
            lang.set(qn("w:val"), "vi-VN")
        normal = styles["Normal"]
        normal.font.name = FONT
        normal.font.size = Pt(14)
        _set_fonts(normal.element.get_or_add_rPr())
        normal.paragraph_format.space_after = Pt(0)
        normal.paragraph_format.line_spacing = 1.0

    def marks(self) -> None:
        section = self.doc.sections[0]
        header = section.header.paragraphs[0]
        header.alignment = WD_ALIGN_PARAGRAPH.CENTER
        self._page_field(header)
        stamp = self.source.stamp
        for footer in (section.footer, section.first_page_footer):
            line = footer.paragraphs[0]
            if stamp.draft:
                note = stamp.draft_note if stamp.draft_note.startswith("DỰ THẢO") else f"DỰ THẢO – {stamp.draft_note}"
                run = line.add_run(note)
                run.bold = True
                run.font.size = Pt(10)
                run.font.color.rgb = RGBColor(0x99, 0, 0)
            elif stamp.footer:
                run = line.add_run(stamp.footer)
                run.font.size = Pt(8)
                run.font.color.rgb = RGBColor(0x40, 0x40, 0x40)

    @staticmethod
    def _page_field(paragraph: Any) -> None:
        """Append a PAGE field (begin, instruction, separate, a shown number, end)."""
        for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "2"), ("end", None)):
            run = paragraph.add_run()
            run.font.size = Pt(12)
            if kind is not None:
                char = OxmlElement("w:fldChar")
                char.set(qn("w:fldCharType"), kind)
                run._r.append(char)
            elif text == " PAGE ":
                instruction = OxmlElement("w:instrText")
                instruction.set(qn("xml:space"), "preserve")
                instruction.text = text
                run._r.append(instruction)
            else:
                run.text = text or ""

    # -- paragraphs -----------------------------------------------------------------------
    def _style(self, style: ParaStyle) -> Any:
        known = self.styles.get(style.name)
        if known is not None:
            return known
        word = self.doc.styles.add_style(f"Party {style.name}", 1)  # WD_STYLE_TYPE.PARAGRAPH
        word.base_style = self.doc.styles["Normal"]
        word.font.size = Pt(style.size)
        word.font.bold = style.bold
        word.font.italic = style.italic
        fmt = word.paragraph_format
        fmt.alignment = ALIGN[style.align]
        fmt.first_line_indent = Mm(style.first_line_indent_mm) if style.first_line_indent_mm else None
        fmt.space_before = Pt(style.space_before)
        fmt.space_after = Pt(style.space_after)
        fmt.line_spacing = Pt(style.line)
        fmt.line_spacing_rule = WD_LINE_SPACING.AT_LEAST
        fmt.keep_with_next = style.keep_with_next
        self.styles[style.name] = word
        return word

    def paragraph(self, container: Any, para: Para, paragraph: Any = None) -> Any:
        if paragraph is None:
            paragraph = container.add_paragraph()
        # What ``paragraph.style = style`` does, less python-docx's look-up of the default style
        # (a scan of every style, each paragraph: most of a ward ZIP's time): ours are added
        # styles, never the default, so their id is the one to write.
        paragraph._p.style = self._style(para.style).style_id
        for run in para.runs:
            self._run(paragraph, run)
        for group in self.collecting:
            group.append(paragraph)
        return paragraph

    @staticmethod
    def _run(paragraph: Any, run: Run) -> None:
        text = unicodedata.normalize("NFC", run.text).replace("\r\n", "\n").replace("\r", "\n")
        word = paragraph.add_run(text)  # python-docx turns "\n" into w:br
        if run.bold:
            word.bold = True
        if run.italic:
            word.italic = True

    # -- tables ---------------------------------------------------------------------------
    @staticmethod
    def _widths(table: Any, widths_mm: tuple[float, ...] | list[float]) -> None:
        table.autofit = False
        for column, width in zip(table.columns, widths_mm, strict=True):
            column.width = Mm(width)
        for row in table.rows:
            for cell, width in zip(row.cells, widths_mm, strict=True):
                cell.width = Mm(width)

    @staticmethod
    def _row_flag(row: Any, name: str) -> None:
        flag = OxmlElement(name)
        row._tr.get_or_add_trPr().append(flag)

    @staticmethod
    def _no_padding(table: Any) -> None:
        margins = OxmlElement("w:tblCellMar")
        for side in ("left", "right"):
            edge = OxmlElement(f"w:{side}")
            edge.set(qn("w:w"), "0")
            edge.set(qn("w:type"), "dxa")
            margins.append(edge)
        table._tbl.tblPr.append(margins)

    def table(self, container: Any, block: Table) -> None:
        columns = len(block.widths_mm)
        table = container.add_table(rows=len(block.rows), cols=columns)
        if block.bordered:
            table.style = self.doc.styles["Table Grid"]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        self._widths(table, block.widths_mm)
        last_kept = len(block.rows) - 2 if block.keep_with else len(block.rows)
        for index, (row, word_row) in enumerate(zip(block.rows, table.rows, strict=True)):
            self._row_flag(word_row, "w:cantSplit")
            if index < block.header_rows:
                self._row_flag(word_row, "w:tblHeader")
                for cell in word_row.cells:
                    shade = OxmlElement("w:shd")
                    shade.set(qn("w:val"), "clear")
                    shade.set(qn("w:fill"), "EDEDED")
                    cell._tc.get_or_add_tcPr().append(shade)
            elif block.row_height_mm is not None:
                word_row.height = Mm(block.row_height_mm)
                word_row.height_rule = WD_ROW_HEIGHT_RULE.EXACTLY
            cells = word_row.cells
            if index in block.full_rows:
                merged = cells[0].merge(cells[-1])
                made = [self.paragraph(merged, row[0], merged.paragraphs[0])]
            else:
                made = [self.paragraph(cell, para, cell.paragraphs[0]) for cell, para in zip(cells, row, strict=False)]
            if index >= last_kept or index < block.header_rows:
                for paragraph in made:
                    paragraph.paragraph_format.keep_with_next = True
        if block.keep_with:
            space = container.add_paragraph()
            self._space(space, 2)
            space.paragraph_format.keep_with_next = True
            for i, para in enumerate(block.keep_with):
                made_para = self.paragraph(container, para)
                if i < len(block.keep_with) - 1:
                    made_para.paragraph_format.keep_with_next = True
        else:
            self._after_table(container)

    @staticmethod
    def _after_table(container: Any) -> None:
        """A small empty paragraph, so that two tables never merge and the text never ends in a table."""
        paragraph = container.add_paragraph()
        paragraph.paragraph_format.space_after = Pt(0)
        paragraph.paragraph_format.line_spacing = Pt(4)
        paragraph.paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY

    @staticmethod
    def _space(paragraph: Any, mm: float) -> None:
        fmt = paragraph.paragraph_format
        fmt.space_before = fmt.space_after = Pt(0)
        fmt.line_spacing = Mm(max(mm, 0.5))
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY

    def header(self, container: Any, block: PartyHeader) -> None:
        heading = block.heading
        left_mm, right_mm = self.width_mm * 0.46, self.width_mm * 0.54
        table = container.add_table(rows=1, cols=2)
        self._widths(table, [left_mm, right_mm])
        self._no_padding(table)
        left, right = table.rows[0].cells
        lines = [Para((Run(heading.parent.upper()),), HEADER_LEFT)] if heading.parent else []
        lines.append(Para((Run(heading.cell.upper()),), HEADER_LEFT_BOLD))
        lines.append(Para((Run("*"),), HEADER_LEFT))
        if heading.number:
            lines.append(Para((Run(heading.number),), HEADER_LEFT))
        for i, line in enumerate(lines):
            self.paragraph(left, line, left.paragraphs[0] if i == 0 else None)
        party = self.paragraph(right, Para((Run(PARTY),), HEADER_PARTY), right.paragraphs[0])
        indent = Mm(max((right_mm - PARTY_WIDTH_MM) / 2, 0))
        party.paragraph_format.left_indent = party.paragraph_format.right_indent = indent
        borders = OxmlElement("w:pBdr")
        bottom = OxmlElement("w:bottom")
        for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
            bottom.set(qn(key), value)
        borders.append(bottom)
        party._p.get_or_add_pPr().append(borders)
        if block.with_date:
            from review.text import long_day_text

            self.paragraph(right, Para((Run(f"{heading.place}, {long_day_text(heading.day)}"),), HEADER_DATE))
        self._after_table(container)

    def _signer_cell(self, cell: Any, title: str, subtitle: str, name: str, hint: str, first: bool) -> None:
        lines = [Para((Run(title),), SIGN_TITLE)]
        if subtitle:
            lines.append(Para((Run(subtitle),), SIGN_TITLE))
        lines += [Para((Run(hint),), SIGN_HINT), Para((Run("\u00a0"),), SIGN_SPACE), Para((Run(name),), SIGN_TITLE)]
        for i, line in enumerate(lines):
            self.paragraph(cell, line, cell.paragraphs[0] if i == 0 and first else None)

    def signatures(self, container: Any, block: Signatures) -> None:
        for para in block.closing:
            self.paragraph(container, para).paragraph_format.keep_with_next = True
        space = container.add_paragraph()
        self._space(space, 6 if block.closing else 4)
        space.paragraph_format.keep_with_next = True
        if block.recipients:
            table = container.add_table(rows=1, cols=2)
            left_mm = self.width_mm * 0.45
            self._widths(table, [left_mm, self.width_mm - left_mm])
            left, right = table.rows[0].cells
            self.paragraph(left, Para((Run("Nơi nhận:"),), RECIPIENTS_HEAD), left.paragraphs[0])
            for line in block.recipients:
                self.paragraph(left, Para((Run(f"- {line}"),), RECIPIENTS))
            signer = block.signers[0]
            self._signer_cell(right, signer.title, signer.subtitle, signer.name, block.hint, True)
        else:
            count = len(block.signers)
            table = container.add_table(rows=1, cols=count)
            self._widths(table, [self.width_mm / count] * count)
            for cell, signer in zip(table.rows[0].cells, block.signers, strict=True):
                self._signer_cell(cell, signer.title, signer.subtitle, signer.name, block.hint, True)
        self._row_flag(table.rows[0], "w:cantSplit")
        self._after_table(container)

    # -- blocks ---------------------------------------------------------------------------
    def blocks(self, container: Any, blocks: tuple[Block, ...]) -> None:
        for block in blocks:
            if isinstance(block, Para):
                self.paragraph(container, block)
            elif isinstance(block, PartyHeader):
                self.header(container, block)
            elif isinstance(block, Table):
                self.table(container, block)
            elif isinstance(block, Signatures):
                self.signatures(container, block)
            elif isinstance(block, Space):
                self._space(container.add_paragraph(), block.mm)
            elif isinstance(block, Room):
                continue  # Word has no conditional page break; headings keep with what follows
            elif isinstance(block, Together):
                group: list[Any] = []
                self.collecting.append(group)
                self.blocks(container, block.blocks)
                self.collecting.pop()
                for paragraph in group[:-1]:
                    paragraph.paragraph_format.keep_with_next = True

    def save(self) -> bytes:
        core = self.doc.core_properties
        core.title = self.source.title
        core.author = core.last_modified_by = ""
        core.comments = ""
        core.created = core.modified = core.last_printed = FIXED_TIME
        core.revision = 1
        buffer = io.BytesIO()
        self.doc.save(buffer)
        return _fixed_dates(buffer.getvalue())


def _fixed_dates(data: bytes) -> bytes:
    """Return the package with every zip entry dated alike, so that the same document gives the same bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(entry, source.read(info.filename))
    return out.getvalue()


def render(document: Document) -> bytes:
    """Return the document as DOCX bytes: A4 (or landscape), the Party margins, the page marks."""
    writer = _Writer(document)
    writer.blocks(writer.doc, document.blocks)
    writer.marks()
    return writer.save()
