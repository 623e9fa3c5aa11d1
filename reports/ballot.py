"""The ballot paper (phiếu xếp loại) and the tally sheet for counting marks by hand.

Each is built as one description (``reports.document.Document``) that the PDF writer
(``reports.pdf_writer``) and the Word writer both render.
"""

from __future__ import annotations

from review.meetingfile import MeetingFile
from review.rules import LEVEL_LABELS, LEVEL_SHORT, LEVELS
from review.vocabulary import BALLOT_COUNT_LABELS, BLANK_LABEL, CELL_ROW_LABEL, lower_first

from . import pdf_writer
from .document import (
    CELL,
    CELL_CENTER,
    CELL_HEAD,
    INSTRUCTION,
    NOTE,
    SUBJECT,
    TITLE,
    Block,
    Document,
    Heading,
    Para,
    ParaStyle,
    PartyHeader,
    Space,
    Stamp,
    Table,
    bold,
    para,
)

INSTRUCTION_TEXT = "Đánh dấu X vào một ô duy nhất trên mỗi dòng"
TEXT_WIDTH_MM = 165  # A4 (210 mm) less the margins (30 + 15 mm)
COUNTS = ParaStyle("counts", 12, align="justify", space_after=8)
TALLY_HEAD = ParaStyle("tally-head", 9.5, bold=True, align="center", leading=13.5)


def heading_of(mf: MeetingFile) -> Heading:
    """Return the document heading of a meeting."""
    return Heading(parent=mf.parent, cell=mf.cell, place=mf.place, day=mf.meeting_day if mf.meeting.starts_at else None)


def rated_names(mf: MeetingFile) -> list[str]:
    """Return the names on the ballot: the rated members, in meeting order (rules core)."""
    results = mf.evaluate()
    rated = {r.key for r in results.members if r.rated}
    return [m.name for m in mf.members if m.id in rated]


def _level_heads() -> list[Para]:
    return [para(f"{LEVEL_LABELS[level]}\n({LEVEL_SHORT[level]})", style=CELL_HEAD) for level in LEVELS]


def _empty(count: int) -> list[Para]:
    return [Para((), CELL) for _ in range(count)]


def ballot_paper(mf: MeetingFile) -> bytes:
    """Return the ballot paper of SPEC 7 as PDF bytes: one row per rated member, one for the cell. Unsigned."""
    return pdf_writer.render(ballot_paper_document(mf))


def ballot_paper_document(mf: MeetingFile) -> Document:
    """Return the ballot paper as the documents' one description."""
    names = rated_names(mf)
    story: list[Block] = [
        PartyHeader(heading_of(mf), with_date=False),
        Space(6),
        para(f"PHIẾU ĐÁNH GIÁ, XẾP LOẠI CHẤT LƯỢNG\nĐẢNG VIÊN VÀ TỔ CHỨC ĐẢNG NĂM {mf.year}", style=TITLE),
        para(mf.cell, style=SUBJECT),
        para(INSTRUCTION_TEXT, style=INSTRUCTION),
    ]
    rows: list[tuple[Para, ...]] = [(para("STT", style=CELL_HEAD), para("Họ và tên", style=CELL_HEAD), *_level_heads())]
    rows += [(para(str(i), style=CELL_CENTER), para(name, style=CELL), *_empty(4)) for i, name in enumerate(names, 1)]
    rows.append((para(str(len(names) + 1), style=CELL_CENTER), para(bold(CELL_ROW_LABEL), style=CELL), *_empty(4)))
    box = (TEXT_WIDTH_MM - 12 - 58) / 4
    story.append(Table((12, 58, box, box, box, box), tuple(rows)))
    story.append(Space(4))
    story.append(
        para(
            "Phiếu đánh dấu nhiều hơn một ô trên một dòng, hoặc không đánh dấu ô nào, thì dòng đó không được tính.",
            style=NOTE,
        )
    )
    return Document(f"Phiếu xếp loại năm {mf.year} – {mf.cell}", tuple(story), Stamp(draft=False))


def tally_sheet(mf: MeetingFile) -> bytes:
    """Return the tally sheet as PDF bytes: wide boxes to count each level's marks by hand, then totals."""
    return pdf_writer.render(tally_sheet_document(mf))


def tally_sheet_document(mf: MeetingFile) -> Document:
    """Return the tally sheet as the documents' one description."""
    names = rated_names(mf)
    story: list[Block] = [
        PartyHeader(heading_of(mf), with_date=False),
        Space(6),
        para(f"BẢNG KIỂM PHIẾU XẾP LOẠI CHẤT LƯỢNG NĂM {mf.year}", style=TITLE),
        para(mf.cell, style=SUBJECT),
        para(" ".join(f"{label}: ........" for label in BALLOT_COUNT_LABELS.values()), style=COUNTS),
    ]
    head = (
        para("STT", style=CELL_HEAD),
        para("Họ và tên", style=CELL_HEAD),
        *(para(LEVEL_SHORT[level], style=TALLY_HEAD) for level in LEVELS),
        para(BLANK_LABEL, style=CELL_HEAD),
        para("Cộng", style=CELL_HEAD),
    )
    rows: list[tuple[Para, ...]] = [head]
    for i, name in enumerate([*names, CELL_ROW_LABEL], 1):
        label = para(bold(CELL_ROW_LABEL), style=CELL) if i == len(names) + 1 else para(name, style=CELL)
        rows.append((para(str(i), style=CELL_CENTER), label, *_empty(6)))
    mark = (TEXT_WIDTH_MM - 12 - 42 - 18 - 14) / 4
    story.append(Table((12, 42, mark, mark, mark, mark, 18, 14), tuple(rows), row_height_mm=13))
    story.append(Space(3))
    story.append(
        para(
            f"Mỗi dòng: tổng các ô (kể cả {lower_first(BLANK_LABEL)}) phải bằng "
            f"{lower_first(BALLOT_COUNT_LABELS['valid'])}. "
            + " · ".join(f"{LEVEL_SHORT[level]}: {LEVEL_LABELS[level]}" for level in LEVELS),
            style=NOTE,
        )
    )
    return Document(f"Bảng kiểm phiếu năm {mf.year} – {mf.cell}", tuple(story), Stamp(draft=False))
