"""What a Party document says, apart from how it is written: one description, two writers.

Every document (the minutes, the vote-count minutes, the ballot paper and tally sheet, the
committee's decisions and summary) is built once as a ``Document``: a list of blocks (paragraphs
of runs, tables, the two-column header, signature blocks, spaces, page-room hints). The PDF
writer (``reports.pdf_writer``, ReportLab) and the Word writer (``reports.docx_writer``,
python-docx) both render that description, so the two copies cannot drift: the same words, the
same order, the same tables. Styles are named here with their sizes and spacing; each writer maps
them to its own means. Nothing here imports ReportLab or python-docx.

User text enters a ``Run`` as plain text (no markup): each writer escapes it its own way
(``reports.markup.para_text`` for ReportLab), after NFC normalisation.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

Align = Literal["left", "center", "justify", "right"]


@dataclass(frozen=True)
class ParaStyle:
    """A paragraph style both writers honour: size in points, spacing in points, indent in mm."""

    name: str
    size: float = 14
    bold: bool = False
    italic: bool = False
    align: Align = "justify"
    leading: float | None = None  # line distance in points; None: 1.3 x size
    first_line_indent_mm: float = 0
    space_before: float = 0
    space_after: float = 0
    keep_with_next: bool = False  # a heading: never the last thing on a page

    @property
    def line(self) -> float:
        return self.leading if self.leading is not None else self.size * 1.3


# The styles of the documents (36-HD/VPTW 2018 as SPEC 7 summarises it): 14 pt body text.
BODY = ParaStyle("body", first_line_indent_mm=10, space_after=4)
BODY_PLAIN = ParaStyle("body-plain", space_after=3)
TITLE = ParaStyle("title", 16, bold=True, align="center", space_before=8, space_after=2)
SUBJECT = ParaStyle("subject", 14, bold=True, align="center", space_after=10)
SECTION = ParaStyle("section", 14, bold=True, align="left", space_before=8, space_after=4, keep_with_next=True)
SUBSECTION = ParaStyle(
    "subsection", 14, bold=True, italic=True, align="left", space_before=6, space_after=3, keep_with_next=True
)
MEMBER_HEAD = ParaStyle("member-head", 14, bold=True, align="left", space_before=6, space_after=2, keep_with_next=True)
LABEL = ParaStyle("label", 14, align="left", space_after=3, keep_with_next=True)  # "Ý kiến góp ý:"
NOTE = ParaStyle("note", 12, italic=True, align="left")
INSTRUCTION = ParaStyle("instruction", 13, italic=True, align="center", space_after=8)
LEGEND = ParaStyle("legend", 11, italic=True, align="left", space_before=3)
CELL = ParaStyle("cell", 12, align="left", leading=15)
CELL_CENTER = ParaStyle("cell-center", 12, align="center", leading=15)
CELL_SMALL = ParaStyle("cell-small", 11, align="left", leading=13.5)
CELL_HEAD = ParaStyle("cell-head", 11, bold=True, align="center", leading=13.5)
CELL_HEAD_SMALL = ParaStyle("cell-head-small", 9, bold=True, align="center", leading=11)
CELL_NUMBER = ParaStyle("cell-number", 10.5, align="center", leading=12.5)


@dataclass(frozen=True)
class Run:
    """A stretch of text in one face. ``text`` is plain user or document text, never markup."""

    text: str
    bold: bool = False
    italic: bool = False


def runs(*parts: str | Run) -> tuple[Run, ...]:
    """Return runs from plain strings (regular face) and runs."""
    return tuple(part if isinstance(part, Run) else Run(part) for part in parts if part != "")


def bold(text: str) -> Run:
    return Run(text, bold=True)


def italic(text: str) -> Run:
    return Run(text, italic=True)


@dataclass(frozen=True)
class Para:
    """A paragraph: runs in a style. A line break inside a run's text is kept as a line break."""

    runs: tuple[Run, ...]
    style: ParaStyle = BODY

    @property
    def plain(self) -> str:
        return "".join(run.text for run in self.runs)


def para(*parts: str | Run, style: ParaStyle = BODY) -> Para:
    """Return a paragraph of plain strings and runs in ``style``."""
    return Para(runs(*parts), style)


@dataclass(frozen=True)
class Heading:
    """Who issues the document and where: the header's left column and the date line."""

    parent: str  # the ward organisation, e.g. "Đảng bộ phường Thượng Thanh"; "" prints no line
    cell: str  # e.g. "Chi bộ Trường Mầm non Thượng Thanh" (the committee's documents: "Đảng ủy phường ...")
    place: str  # e.g. "Thượng Thanh"
    day: date | None
    number: str = ""  # the document's number line under the "*", e.g. "Số 15-QĐ/ĐU"; "" prints none


@dataclass(frozen=True)
class PartyHeader:
    """The two-column header of SPEC 7: the organisations left, "ĐẢNG CỘNG SẢN VIỆT NAM" right."""

    heading: Heading
    with_date: bool = True


@dataclass(frozen=True)
class Table:
    """A bordered table. ``widths_mm``: the column widths; the header rows repeat on every page.

    ``full_rows``: indexes (in ``rows``, header rows included) of rows whose first cell spans the
    whole width (a group heading). ``row_height_mm``: a fixed height for body rows (tally boxes).
    ``keep_with``: paragraphs printed right under the table and kept with its last rows.
    """

    widths_mm: tuple[float, ...]
    rows: tuple[tuple[Para, ...], ...]
    header_rows: int = 1
    full_rows: tuple[int, ...] = ()
    row_height_mm: float | None = None
    bordered: bool = True
    keep_with: tuple[Para, ...] = ()


@dataclass(frozen=True)
class Signer:
    """One signature column: title lines, the hint, the space to sign, the typed name."""

    title: str
    subtitle: str = ""
    name: str = ""


SIGN_HINT = "(Ký, ghi rõ họ tên)"
# A committee signs for itself and puts its stamp (a cell has none, SPEC 7).
SIGN_HINT_STAMPED = "(Ký tên, đóng dấu)"


@dataclass(frozen=True)
class Signatures:
    """Signature columns side by side, kept on one page with ``closing`` (the lines before them)."""

    signers: tuple[Signer, ...]
    hint: str = SIGN_HINT
    closing: tuple[Para, ...] = ()
    recipients: tuple[str, ...] = ()  # a decision's "Nơi nhận:" lines, printed left of one signer


@dataclass(frozen=True)
class Space:
    """Vertical space, in millimetres."""

    mm: float


@dataclass(frozen=True)
class Room:
    """Start a new page unless ``mm`` millimetres are left (a section never starts at a foot)."""

    mm: float


@dataclass(frozen=True)
class Together:
    """Blocks kept on one page when they fit on one."""

    blocks: tuple[Block, ...]


Block = Para | PartyHeader | Table | Signatures | Space | Room | Together

DRAFT_NOTE_MINUTES = "DỰ THẢO – chưa niêm phong kết quả kiểm phiếu"


@dataclass(frozen=True)
class Stamp:
    """What each page carries beyond the text: the draft mark, or the sealed version's fingerprint.

    ``draft_note``: the draft's footer line, which says what is not final yet (the tallies'
    seal for a cell's documents, the issuing for the committee's decision).
    """

    draft: bool = True
    footer: str = ""
    draft_note: str = DRAFT_NOTE_MINUTES


@dataclass(frozen=True)
class Document:
    """A whole document: its title (the file's metadata), its blocks, its page marks, its page."""

    title: str
    blocks: tuple[Block, ...]
    stamp: Stamp = field(default_factory=Stamp)
    landscape: bool = False


def paragraphs(document: Document) -> Iterable[Para]:
    """Yield every paragraph of a document in reading order (tables row by row): for tests and checks."""

    def walk(blocks: Iterable[Block]) -> Iterable[Para]:
        for block in blocks:
            if isinstance(block, Para):
                yield block
            elif isinstance(block, Table):
                for row in block.rows:
                    yield from row
                yield from block.keep_with
            elif isinstance(block, Signatures):
                yield from block.closing
            elif isinstance(block, Together):
                yield from walk(block.blocks)

    yield from walk(document.blocks)
