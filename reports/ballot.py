"""The ballot paper (phiếu xếp loại) and the tally sheet for counting marks by hand.

Each is built as one description (``reports.document.Document``) that the PDF writer
(``reports.pdf_writer``) and the Word writer both render.
"""

from __future__ import annotations

from review.meetingfile import MeetingFile
from review.rules import CELL_ROW, LEVEL_LABELS, LEVEL_SHORT, LEVELS, Level, MeetingResult, agree_cap
from review.vocabulary import (
    BALLOT_COUNT_LABELS,
    BLANK_LABEL,
    CELL_ROW_LABEL,
    SECOND_BALLOT_COLUMN_LABELS,
    lower_first,
)

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
# Under two ballots (SPEC 5.8): which paper this is, under the cell's name.
PAPER_NOTE = ParaStyle("paper-note", 13, bold=True, align="center", space_after=4)
FIRST_PAPER_NOTE = "Phiếu vòng 1: xếp loại chất lượng"
SECOND_PAPER_NOTE = "Phiếu vòng 2: biểu quyết đề nghị Hoàn thành xuất sắc nhiệm vụ"
SECOND_INSTRUCTION_TEXT = "Đánh dấu X vào một ô duy nhất trên mỗi dòng: ô “Đồng ý” hoặc ô “Không đồng ý”"
SECOND_PAPER_MISSING = {
    "single": "Hội nghị bỏ phiếu một lần: không có phiếu vòng 2.",
    "not_counted": "Chưa có kết quả kiểm phiếu vòng 1: phiếu vòng 2 chỉ lập được sau khi kiểm phiếu vòng 1.",
    "no_candidates": (
        "Vòng 1 không có đảng viên, chi bộ nào đạt Hoàn thành tốt nhiệm vụ: không có ai để biểu quyết ở vòng 2."
    ),
}


def heading_of(mf: MeetingFile) -> Heading:
    """Return the document heading of a meeting."""
    return Heading(parent=mf.parent, cell=mf.cell, place=mf.place, day=mf.meeting_day if mf.meeting.starts_at else None)


def rated_names(mf: MeetingFile) -> list[str]:
    """Return the names on the ballot: the rated members, in meeting order (rules core)."""
    results = mf.evaluate()
    rated = {r.key for r in results.members if r.rated}
    return [m.name for m in mf.members if m.id in rated]


# Ballot 1 of two (SPEC 5.8) offers the levels below excellent (rules.FIRST_BALLOT_FIELDS).
FIRST_BALLOT_LEVELS: tuple[Level, ...] = tuple(level for level in LEVELS if level is not Level.EXCELLENT)


def paper_levels(mf: MeetingFile) -> tuple[Level, ...]:
    """Return the levels the (first) ballot paper offers: all four, or three under two ballots."""
    return FIRST_BALLOT_LEVELS if mf.two_ballots else LEVELS


def _level_heads(levels: tuple[Level, ...] = LEVELS) -> list[Para]:
    return [para(f"{LEVEL_LABELS[level]}\n({LEVEL_SHORT[level]})", style=CELL_HEAD) for level in levels]


def _empty(count: int) -> list[Para]:
    return [Para((), CELL) for _ in range(count)]


def ballot_paper(mf: MeetingFile) -> bytes:
    """Return the ballot paper of SPEC 7 as PDF bytes: one row per rated member, one for the cell. Unsigned."""
    return pdf_writer.render(ballot_paper_document(mf))


def ballot_paper_document(mf: MeetingFile) -> Document:
    """Return the ballot paper as the documents' one description."""
    names = rated_names(mf)
    levels = paper_levels(mf)
    story: list[Block] = [
        PartyHeader(heading_of(mf), with_date=False),
        Space(6),
        para(f"PHIẾU ĐÁNH GIÁ, XẾP LOẠI CHẤT LƯỢNG\nĐẢNG VIÊN VÀ TỔ CHỨC ĐẢNG NĂM {mf.year}", style=TITLE),
        para(mf.cell, style=SUBJECT),
    ]
    if mf.two_ballots:
        story.append(para(FIRST_PAPER_NOTE, style=PAPER_NOTE))
    story.append(para(INSTRUCTION_TEXT, style=INSTRUCTION))
    count = len(levels)
    rows: list[tuple[Para, ...]] = [
        (para("STT", style=CELL_HEAD), para("Họ và tên", style=CELL_HEAD), *_level_heads(levels))
    ]
    rows += [
        (para(str(i), style=CELL_CENTER), para(name, style=CELL), *_empty(count)) for i, name in enumerate(names, 1)
    ]
    rows.append((para(str(len(names) + 1), style=CELL_CENTER), para(bold(CELL_ROW_LABEL), style=CELL), *_empty(count)))
    box = (TEXT_WIDTH_MM - 12 - 58) / count
    story.append(Table((12, 58, *[box] * count), tuple(rows)))
    story.append(Space(4))
    story.append(
        para(
            "Phiếu đánh dấu nhiều hơn một ô trên một dòng, hoặc không đánh dấu ô nào, thì dòng đó không được tính.",
            style=NOTE,
        )
    )
    return Document(f"Phiếu xếp loại năm {mf.year} – {mf.cell}", tuple(story), Stamp(draft=False))


def second_paper_missing(mf: MeetingFile, result: MeetingResult) -> str | None:
    """Return why the meeting has no ballot-2 paper (SPEC 5.8), in Vietnamese, or None when it has one.

    Ballot 2 is held only under two ballots, after ballot 1 is counted, and only when ballot 1
    gave it candidates (``result.candidates``: None before ballot 1 is counted).
    """
    if not mf.two_ballots:
        return SECOND_PAPER_MISSING["single"]
    if result.candidates is None:
        return SECOND_PAPER_MISSING["not_counted"]
    if not result.candidates:
        return SECOND_PAPER_MISSING["no_candidates"]
    return None


def candidate_rows(mf: MeetingFile, result: MeetingResult) -> list[tuple[str, str]]:
    """Return ballot 2's rows as (key, name): the member candidates in meeting order, then the cell if it is one."""
    candidates = set(result.candidates or ())
    rows = [(m.id, m.name) for m in mf.members if m.id in candidates]
    if CELL_ROW in candidates:
        rows.append((CELL_ROW, CELL_ROW_LABEL))
    return rows


def agree_cap_text(cap: int, cell_candidate: bool) -> str:
    """Return the paper's line on the agree cap (SPEC 5.8, ``agree_cap``)."""
    where = " (không tính dòng tập thể chi bộ)" if cell_candidate else ""
    return (
        f"Mỗi phiếu được đánh dấu “Đồng ý” cho nhiều nhất {cap} đảng viên{where}; "
        "phiếu đánh dấu “Đồng ý” quá số này là phiếu không hợp lệ."
    )


def second_ballot_paper_document(mf: MeetingFile, result: MeetingResult | None = None) -> Document:
    """Return ballot 2's paper (phiếu biểu quyết đề nghị Hoàn thành xuất sắc nhiệm vụ, SPEC 5.8) as the
    documents' one description: one row per candidate, "Đồng ý" and "Không đồng ý" boxes. Unsigned.

    Raises ValueError (its message in Vietnamese: ``second_paper_missing``) when there is no ballot 2.
    """
    result = result if result is not None else mf.evaluate()
    missing = second_paper_missing(mf, result)
    if missing is not None:
        raise ValueError(missing)
    rows_of = candidate_rows(mf, result)
    story: list[Block] = [
        PartyHeader(heading_of(mf), with_date=False),
        Space(6),
        para(f"PHIẾU BIỂU QUYẾT\nĐỀ NGHỊ HOÀN THÀNH XUẤT SẮC NHIỆM VỤ NĂM {mf.year}", style=TITLE),
        para(mf.cell, style=SUBJECT),
        para(SECOND_PAPER_NOTE, style=PAPER_NOTE),
        para(SECOND_INSTRUCTION_TEXT, style=INSTRUCTION),
    ]
    heads = [para(SECOND_BALLOT_COLUMN_LABELS[name], style=CELL_HEAD) for name in ("agree", "disagree")]
    rows: list[tuple[Para, ...]] = [(para("STT", style=CELL_HEAD), para("Họ và tên", style=CELL_HEAD), *heads)]
    for i, (key, name) in enumerate(rows_of, 1):
        label = para(bold(name), style=CELL) if key == CELL_ROW else para(name, style=CELL)
        rows.append((para(str(i), style=CELL_CENTER), label, *_empty(2)))
    box = (TEXT_WIDTH_MM - 12 - 81) / 2
    story.append(Table((12, 81, box, box), tuple(rows)))
    story.append(Space(4))
    members = sum(1 for key, _ in rows_of if key != CELL_ROW)
    cap = agree_cap(mf.rules, members)
    if cap is not None:
        story.append(para(agree_cap_text(cap, any(key == CELL_ROW for key, _ in rows_of)), style=NOTE))
        story.append(Space(2))
    story.append(
        para(
            "Dòng đánh dấu cả hai ô, hoặc không đánh dấu ô nào, thì dòng đó không được tính. "
            f"Người được đề nghị là đảng viên, chi bộ đạt {LEVEL_LABELS[Level.GOOD]} ở phiếu vòng 1.",
            style=NOTE,
        )
    )
    return Document(f"Phiếu biểu quyết vòng 2 năm {mf.year} – {mf.cell}", tuple(story), Stamp(draft=False))


def tally_sheet(mf: MeetingFile) -> bytes:
    """Return the tally sheet as PDF bytes: wide boxes to count each level's marks by hand, then totals."""
    return pdf_writer.render(tally_sheet_document(mf))


def tally_sheet_document(mf: MeetingFile) -> Document:
    """Return the tally sheet as the documents' one description."""
    names = rated_names(mf)
    levels = paper_levels(mf)
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
        *(para(LEVEL_SHORT[level], style=TALLY_HEAD) for level in levels),
        para(BLANK_LABEL, style=CELL_HEAD),
        para("Cộng", style=CELL_HEAD),
    )
    rows: list[tuple[Para, ...]] = [head]
    for i, name in enumerate([*names, CELL_ROW_LABEL], 1):
        label = para(bold(CELL_ROW_LABEL), style=CELL) if i == len(names) + 1 else para(name, style=CELL)
        rows.append((para(str(i), style=CELL_CENTER), label, *_empty(len(levels) + 2)))
    mark = (TEXT_WIDTH_MM - 12 - 42 - 18 - 14) / len(levels)
    story.append(Table((12, 42, *[mark] * len(levels), 18, 14), tuple(rows), row_height_mm=13))
    story.append(Space(3))
    story.append(
        para(
            f"Mỗi dòng: tổng các ô (kể cả {lower_first(BLANK_LABEL)}) phải bằng "
            f"{lower_first(BALLOT_COUNT_LABELS['valid'])}. "
            + " · ".join(f"{LEVEL_SHORT[level]}: {LEVEL_LABELS[level]}" for level in levels),
            style=NOTE,
        )
    )
    return Document(f"Bảng kiểm phiếu năm {mf.year} – {mf.cell}", tuple(story), Stamp(draft=False))
