"""The ward committee's documents (SPEC 9): its two decisions with their lists, and the summary table.

Built from a :class:`review.decision_rules.DecisionPaper` (plain data read from the decision's
payload: the issued version's seal, or the current state for a draft), in the Party format of
the minutes (``reports.common``): the committee's header, the title, the grounds, the articles,
"Nơi nhận:" and the signature "T/M ĐẢNG ỦY".

Readings:

- *Members not rated* (SPEC 9: "listed with their reason and never counted") appear in the
  members' decision after its list, in a short section of their own ("Đảng viên không đánh
  giá, xếp loại"), with the cell and the reason; they are in no count of Điều 1 nor of the list.
- *Cells not reviewed* this year appear after the cells' list with their reason, and in the
  summary table as a row with its reason and no counts; they are in no count either.
- *A draft* (before issuing) prints what is decided so far: a member or a cell with no level
  yet reads "Chưa quyết định" and is counted apart; the number, the date and the signer's
  name are left blank when not recorded, and the title is "BÍ THƯ" unless another was
  recorded. Every page is marked DỰ THẢO. An issued decision prints its version and
  fingerprint at the foot of every page, as a sealed meeting's minutes do.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from review.decision_rules import NOT_RATED, SIGNER_TITLE_LABELS, DecisionPaper, PaperCell, PaperMember
from review.rules import LEVELS, NOT_RATED_LABELS, UNDECIDED
from review.text import day_text
from review.vocabulary import LEVEL_LABELS, LEVEL_SHORT, NOT_RATED_LABEL, committee_name

from . import pdf_writer
from .common import upper
from .document import (
    CELL,
    CELL_CENTER,
    CELL_HEAD,
    CELL_SMALL,
    SECTION,
    SIGN_HINT_STAMPED,
    SUBJECT,
    TITLE,
    Block,
    Document,
    Heading,
    Para,
    ParaStyle,
    PartyHeader,
    Room,
    Signatures,
    Signer,
    Space,
    Stamp,
    Table,
    bold,
    italic,
    para,
)

DRAFT_NOTE = "DỰ THẢO – quyết định của đảng ủy chưa ban hành"
UNDECIDED_TEXT = "Chưa quyết định"
NUMBER_BLANK = "\u00a0" * 8  # the number's blank in a draft: "Số        -QĐ/ĐU"
NUMBER_SUFFIX = "-QĐ/ĐU"
LIST_DAY_BLANK = "..../..../"
DEFAULT_TITLE = "BÍ THƯ"
TEXT_WIDTH_MM = 165  # A4 portrait (210 mm) less the margins (30 + 15 mm)
LANDSCAPE_WIDTH_MM = 252  # A4 landscape (297 mm) less the margins
CENTER_ITALIC = ParaStyle("decision-italic", 13, italic=True, align="center", space_after=6)
ISSUER = ParaStyle("decision-issuer", 14, bold=True, align="center", space_before=8, space_after=6)
DECISION_SUBJECT = ParaStyle("decision-subject", 14, bold=True, align="center")
RULE = ParaStyle("decision-rule", 10, align="center", leading=10, space_after=6)
LIST_TITLE = ParaStyle("decision-list-title", 14, bold=True, align="center")
GROUP = ParaStyle("decision-group", 12, bold=True, align="left", leading=15)
TOTAL = ParaStyle("decision-total", 12, bold=True, align="center", leading=15)
LIST_TOTAL = ParaStyle("decision-list-total", 12, align="left", leading=15, space_before=4)
SUMMARY_HEAD = ParaStyle("summary-head", 11, bold=True, align="center", leading=13)
SUMMARY_NUMBER = ParaStyle("summary-number", 11, align="center", leading=13)
SUMMARY_LEGEND = ParaStyle("summary-legend", 10.5, italic=True, align="left", space_before=3)
PAGE_BREAK_ROOM_MM = 400  # more than a page: a Room that always starts a new page


# ---------------------------------------------------------------------------
# The words every document of the decision shares


def committee_of(paper: DecisionPaper) -> str:
    """Return the committee that issues the decision, e.g. "Đảng ủy phường Thượng Thanh"."""
    return committee_name(paper.organization)


def number_text(paper: DecisionPaper) -> str:
    """Return the decision's number as printed, or its blank in a draft not yet numbered."""
    return paper.number or f"{NUMBER_BLANK}{NUMBER_SUFFIX}"


def heading_of(paper: DecisionPaper) -> Heading:
    """Return the committee's header (SPEC 9): its superior, itself in bold, "*", the number."""
    return Heading(
        parent=paper.superior,
        cell=committee_of(paper),
        place=paper.place,
        day=paper.day,
        number=f"Số {number_text(paper)}",
    )


def stamp_of(paper: DecisionPaper) -> Stamp:
    """Return the page marks: DỰ THẢO on a draft, the version and fingerprint on an issued decision."""
    if paper.draft:
        return Stamp(draft=True, draft_note=DRAFT_NOTE)
    return Stamp(
        draft=False,
        footer=f"Quyết định số {paper.number}, phiên bản {paper.version} · SHA-256: {paper.fingerprint}",
    )


def level_text(level: str | None) -> str:
    """Return a decided level's full name, or "Chưa quyết định"."""
    return LEVEL_LABELS.get(level or "", UNDECIDED_TEXT)


def not_rated_text(member: PaperMember) -> str:
    """Return why a member is not rated, in words."""
    reason = member.not_rated_reason
    return NOT_RATED_LABELS.get(reason, NOT_RATED_LABEL) if reason else NOT_RATED_LABEL  # type: ignore[call-overload]


def list_reference(paper: DecisionPaper) -> str:
    """Return "(Kèm theo Quyết định số 15-QĐ/ĐU, ngày 05/12/2020 của Đảng ủy phường ...)"."""
    day = day_text(paper.day) if paper.day is not None else f"{LIST_DAY_BLANK}{paper.year}"
    return f"(Kèm theo Quyết định số {number_text(paper)}, ngày {day} của {committee_of(paper)})"


def counts_sentence(counts: dict[str, int], unit: str) -> str:
    """Return "Hoàn thành xuất sắc nhiệm vụ: 2 đồng chí; ..." for the four levels (and the undecided, if any)."""
    parts = [f"{LEVEL_LABELS[level]}: {counts.get(str(level), 0)} {unit}" for level in LEVELS]
    if counts.get(UNDECIDED, 0):
        parts.append(f"{UNDECIDED_TEXT.lower()}: {counts[UNDECIDED]} {unit}")
    return "; ".join(parts)


def grounds(paper: DecisionPaper) -> list[Block]:
    """Return the "Căn cứ ..." lines: the Party's Statute, the profile's texts, the allowance, the cells' results."""
    lines = ["Căn cứ Điều lệ Đảng Cộng sản Việt Nam;"]
    for text in (part.strip() for part in paper.basis.split(",")):
        if text:
            lines.append(f"Căn cứ {text} về kiểm điểm, đánh giá, xếp loại chất lượng tổ chức đảng và đảng viên;")
    if paper.allowance is not None:
        lines.append(
            f"Căn cứ Quyết định số {paper.allowance.number}, ngày {day_text(paper.allowance.day)} của "
            f"{committee_of(paper)} về tỉ lệ Hoàn thành xuất sắc nhiệm vụ năm {paper.year};"
        )
    lines.append(
        f"Căn cứ kết quả kiểm điểm, đánh giá, xếp loại chất lượng tổ chức đảng và đảng viên năm {paper.year} "
        "của các chi bộ trực thuộc,"
    )
    return [para(italic(line)) for line in lines]


def opening(paper: DecisionPaper, subject: str) -> list[Block]:
    """Return the header, the title "QUYẾT ĐỊNH" with its subject, the grounds and "... QUYẾT ĐỊNH"."""
    return [
        PartyHeader(heading_of(paper)),
        Space(6),
        para("QUYẾT ĐỊNH", style=TITLE),
        para(subject, style=DECISION_SUBJECT),
        para("―――――", style=RULE),
        para(upper(committee_of(paper)), style=ISSUER),
        *grounds(paper),
        para("QUYẾT ĐỊNH:", style=ISSUER),
    ]


def signature(paper: DecisionPaper) -> Signatures:
    """Return "Nơi nhận:" on the left and "T/M ĐẢNG ỦY" / the title / the name on the right."""
    title = upper(SIGNER_TITLE_LABELS[paper.title]) if paper.title is not None else DEFAULT_TITLE
    recipients = ["Như Điều 2,"]
    if paper.superior:
        recipients.append(f"{paper.superior} (để báo cáo),")
    recipients.append(f"Lưu Văn phòng {committee_of(paper)}.")
    return Signatures(
        (Signer("T/M ĐẢNG ỦY", title, paper.signer),), hint=SIGN_HINT_STAMPED, recipients=tuple(recipients)
    )


def article(number: int, text: str) -> Para:
    """Return "Điều N. ..." (the article's name in bold, its text plain)."""
    return para(bold(f"Điều {number}."), f" {text}")


def list_heading(paper: DecisionPaper, what: str) -> list[Block]:
    """Return the attached list's title on a new page: "DANH SÁCH", what it lists, the reference."""
    return [
        Room(PAGE_BREAK_ROOM_MM),
        para("DANH SÁCH", style=TITLE),
        para(what, style=LIST_TITLE),
        para(list_reference(paper), style=CENTER_ITALIC),
        Space(2),
    ]


def _group_row(text: str, columns: int) -> tuple[Para, ...]:
    return (para(text, style=GROUP), *(Para((), CELL) for _ in range(columns - 1)))


def _empty(count: int) -> tuple[Para, ...]:
    return tuple(Para((), CELL) for _ in range(count))


# ---------------------------------------------------------------------------
# The members' decision


def members_decision(paper: DecisionPaper) -> bytes:
    """Return "Quyết định công nhận kết quả xếp loại chất lượng đảng viên năm N" with its list, as PDF."""
    return pdf_writer.render(members_decision_document(paper))


def members_decision_document(paper: DecisionPaper) -> Document:
    """Return the members' decision with its list as the documents' one description."""
    committee = committee_of(paper)
    subject = f"công nhận kết quả xếp loại chất lượng đảng viên năm {paper.year}"
    rated = paper.rated_count
    story: list[Block] = opening(paper, subject)
    story.append(
        article(
            1,
            f"Công nhận kết quả xếp loại chất lượng năm {paper.year} đối với {rated} đảng viên thuộc các chi bộ "
            f"trực thuộc {committee} (có danh sách kèm theo), trong đó: "
            f"{counts_sentence(paper.members, 'đồng chí')}.",
        )
    )
    story.append(
        article(
            2,
            "Các chi bộ trực thuộc và các đồng chí đảng viên có tên trong danh sách tại Điều 1 "
            "chịu trách nhiệm thi hành Quyết định này. Quyết định có hiệu lực kể từ ngày ký.",
        )
    )
    story.append(signature(paper))

    story += list_heading(paper, f"đảng viên được công nhận kết quả xếp loại chất lượng năm {paper.year}")
    story.append(member_list(paper))
    story.append(
        para(bold("Tổng số:"), f" {rated} đồng chí; {counts_sentence(paper.members, 'đồng chí')}.", style=LIST_TOTAL)
    )
    story += not_rated_section(paper)
    return Document(f"Quyết định xếp loại đảng viên năm {paper.year} – {committee}", tuple(story), stamp_of(paper))


def member_list(paper: DecisionPaper) -> Table:
    """Return the list TT | Họ và tên | Chi bộ | Xếp loại | Ghi chú, every rated member, by cell."""
    rows: list[tuple[Para, ...]] = [
        tuple(para(h, style=CELL_HEAD) for h in ("TT", "Họ và tên", "Chi bộ", "Xếp loại", "Ghi chú"))
    ]
    groups: list[int] = []
    number = 0
    for cell in paper.reviewed_cells:
        members = [m for m in cell.members if m.rated]
        if not members:
            continue
        groups.append(len(rows))
        rows.append(_group_row(f"{cell.name} ({len(members)} đồng chí)", 5))
        for member in members:
            number += 1
            rows.append(
                (
                    para(str(number), style=CELL_CENTER),
                    para(member.name, style=CELL),
                    para(cell.name, style=CELL_SMALL),
                    para(level_text(member.level), style=CELL_SMALL),
                    para(member.reason, style=CELL_SMALL),
                )
            )
    if number == 0:
        rows.append((para(italic("Chưa có đảng viên nào được xếp loại."), style=CELL), *_empty(4)))
        groups.append(len(rows) - 1)
    return Table((10, 44, 38, 33, TEXT_WIDTH_MM - 125), tuple(rows), full_rows=tuple(groups))


def not_rated_members(paper: DecisionPaper) -> list[tuple[PaperCell, PaperMember]]:
    """Return every member not rated, with their cell, in the list's order."""
    return [(cell, m) for cell in paper.reviewed_cells for m in cell.members if not m.rated]


def not_rated_section(paper: DecisionPaper) -> list[Block]:
    """Return the members not rated, with their reasons (never counted), or nothing."""
    found = not_rated_members(paper)
    if not found:
        return []
    rows: list[tuple[Para, ...]] = [tuple(para(h, style=CELL_HEAD) for h in ("TT", "Họ và tên", "Chi bộ", "Lý do"))]
    for i, (cell, member) in enumerate(found, 1):
        rows.append(
            (
                para(str(i), style=CELL_CENTER),
                para(member.name, style=CELL),
                para(cell.name, style=CELL_SMALL),
                para(not_rated_text(member), style=CELL_SMALL),
            )
        )
    return [
        Room(40),
        para(
            f"Đảng viên không đánh giá, xếp loại năm {paper.year} ({len(found)} đồng chí, không tính vào số lượng trên)",
            style=SECTION,
        ),
        Table((10, 50, 50, TEXT_WIDTH_MM - 110), tuple(rows)),
    ]


# ---------------------------------------------------------------------------
# The cells' decision


def cells_decision(paper: DecisionPaper) -> bytes:
    """Return "Quyết định xếp loại chất lượng các chi bộ trực thuộc năm N" with its list, as PDF."""
    return pdf_writer.render(cells_decision_document(paper))


def cells_decision_document(paper: DecisionPaper) -> Document:
    """Return the cells' decision with its list as the documents' one description."""
    committee = committee_of(paper)
    subject = f"xếp loại chất lượng các chi bộ trực thuộc năm {paper.year}"
    reviewed = paper.reviewed_cells
    story: list[Block] = opening(paper, subject)
    story.append(
        article(
            1,
            f"Công nhận kết quả xếp loại chất lượng năm {paper.year} đối với {len(reviewed)} chi bộ trực thuộc "
            f"{committee} (có danh sách kèm theo), trong đó: {counts_sentence(paper.cell_levels, 'chi bộ')}.",
        )
    )
    story.append(
        article(
            2,
            "Các chi bộ có tên trong danh sách tại Điều 1 chịu trách nhiệm thi hành Quyết định này. "
            "Quyết định có hiệu lực kể từ ngày ký.",
        )
    )
    story.append(signature(paper))

    story += list_heading(paper, f"chi bộ trực thuộc được xếp loại chất lượng năm {paper.year}")
    rows: list[tuple[Para, ...]] = [tuple(para(h, style=CELL_HEAD) for h in ("TT", "Chi bộ", "Xếp loại", "Ghi chú"))]
    for i, cell in enumerate(reviewed, 1):
        rows.append(
            (
                para(str(i), style=CELL_CENTER),
                para(cell.name, style=CELL),
                para(level_text(cell.level), style=CELL_SMALL),
                para(cell.reason, style=CELL_SMALL),
            )
        )
    if not reviewed:
        rows.append((para(italic("Chưa có chi bộ nào được xếp loại."), style=CELL), *_empty(3)))
    story.append(Table((10, 62, 40, TEXT_WIDTH_MM - 112), tuple(rows), full_rows=(1,) if not reviewed else ()))
    story.append(
        para(
            bold("Tổng số:"),
            f" {len(reviewed)} chi bộ; {counts_sentence(paper.cell_levels, 'chi bộ')}.",
            style=LIST_TOTAL,
        )
    )
    left_out = [c for c in paper.cells if c.not_reviewed_reason is not None]
    if left_out:
        out_rows: list[tuple[Para, ...]] = [tuple(para(h, style=CELL_HEAD) for h in ("TT", "Chi bộ", "Lý do"))]
        for i, cell in enumerate(left_out, 1):
            out_rows.append(
                (
                    para(str(i), style=CELL_CENTER),
                    para(cell.name, style=CELL),
                    para(cell.not_reviewed_reason or "", style=CELL_SMALL),
                )
            )
        story += [
            Room(40),
            para(f"Chi bộ không đánh giá, xếp loại năm {paper.year} (không tính vào số lượng trên)", style=SECTION),
            Table((10, 62, TEXT_WIDTH_MM - 72), tuple(out_rows)),
        ]
    return Document(f"Quyết định xếp loại chi bộ năm {paper.year} – {committee}", tuple(story), stamp_of(paper))


# ---------------------------------------------------------------------------
# The summary table (Biểu tổng hợp), shared with the spreadsheet (reports.summary_sheet)


@dataclass(frozen=True)
class SummaryRow:
    """One row of the summary: a cell (or the totals), its counts by column key, its level's text."""

    name: str
    counts: dict[str, int] | None  # None: a cell not reviewed (no counts)
    level: str  # the cell's decided level in words, or why it is not reviewed; the totals: the cells per level


@dataclass(frozen=True)
class SummaryTable:
    """The summary as both the PDF and the spreadsheet print it."""

    title: str
    subtitle: str
    columns: tuple[tuple[str, str], ...]  # (count key, header) between the cell's name and its level
    rows: tuple[SummaryRow, ...]
    totals: SummaryRow


RATED = "rated"
SUMMARY_LEVEL_HEAD = "Xếp loại chi bộ"


def summary_table(paper: DecisionPaper) -> SummaryTable:
    """Return the summary: one row per cell (members rated, per level, not rated, its level) and the totals.

    The "Chưa quyết định" column shows only while a member is undecided (a draft).
    """
    columns: list[tuple[str, str]] = [(RATED, "Số đảng viên được xếp loại")]
    columns += [(str(level), LEVEL_SHORT[level]) for level in LEVELS]
    if paper.members.get(UNDECIDED, 0):
        columns.append((UNDECIDED, UNDECIDED_TEXT))
    columns.append((NOT_RATED, NOT_RATED_LABEL))

    def counts_of(values: dict[str, int]) -> dict[str, int]:
        rated = sum(values.get(str(level), 0) for level in LEVELS) + values.get(UNDECIDED, 0)
        return {RATED: rated} | {key: values.get(key, 0) for key, _ in columns if key != RATED}

    rows = []
    for cell in paper.cells:
        if cell.not_reviewed_reason is not None:
            rows.append(SummaryRow(cell.name, None, f"Không đánh giá: {cell.not_reviewed_reason}"))
        else:
            rows.append(SummaryRow(cell.name, counts_of(cell.counts), level_text(cell.level)))
    cells_per_level = [
        f"{LEVEL_SHORT[level]}: {paper.cell_levels.get(str(level), 0)}"
        for level in LEVELS
        if paper.cell_levels.get(str(level), 0)
    ]
    if paper.cell_levels.get(UNDECIDED, 0):
        cells_per_level.append(f"{UNDECIDED_TEXT}: {paper.cell_levels[UNDECIDED]}")
    return SummaryTable(
        title="BIỂU TỔNG HỢP",
        subtitle=f"kết quả xếp loại chất lượng đảng viên và chi bộ trực thuộc năm {paper.year}",
        columns=tuple(columns),
        rows=tuple(rows),
        totals=SummaryRow("Tổng cộng", counts_of(paper.members), "; ".join(cells_per_level)),
    )


def summary_legend() -> str:
    """Return the legend of the level abbreviations."""
    return " · ".join(f"{LEVEL_SHORT[level]}: {LEVEL_LABELS[level]}" for level in LEVELS)


def summary_pdf(paper: DecisionPaper) -> bytes:
    """Return the summary table (Biểu tổng hợp) as PDF, on A4 landscape."""
    return pdf_writer.render(summary_document(paper))


def summary_document(paper: DecisionPaper) -> Document:
    """Return the summary table (Biểu tổng hợp) as the documents' one description, on A4 landscape.

    Attached to the decision like its lists ("Kèm theo Quyết định số ..."), it carries the
    committee's header and no signature of its own.
    """
    table = summary_table(paper)
    head = (
        para("TT", style=SUMMARY_HEAD),
        para("Chi bộ", style=SUMMARY_HEAD),
        *(para(label, style=SUMMARY_HEAD) for _, label in table.columns),
        para(SUMMARY_LEVEL_HEAD, style=SUMMARY_HEAD),
    )
    rows: list[tuple[Para, ...]] = [head]
    width = len(table.columns) + 3
    for i, row in enumerate(table.rows, 1):
        rows.append(
            (
                para(str(i), style=CELL_CENTER),
                para(row.name, style=CELL_SMALL),
                *_count_cells(row, table.columns, SUMMARY_NUMBER),
                para(row.level, style=CELL_SMALL),
            )
        )
    rows.append(
        (
            Para((), CELL),
            para(table.totals.name, style=TOTAL),
            *_count_cells(table.totals, table.columns, TOTAL),
            para(table.totals.level, style=CELL_SMALL),
        )
    )
    count_width = 22  # "HTXSNV" in 11 pt bold on one line
    first = 24  # the members rated
    level_width = 44
    fixed = 10 + first + count_width * (len(table.columns) - 1) + level_width
    widths = (10, LANDSCAPE_WIDTH_MM - fixed, first, *[count_width] * (len(table.columns) - 1), level_width)
    assert len(widths) == width
    story: list[Block] = [
        PartyHeader(heading_of(paper)),
        Space(6),
        para(table.title, style=TITLE),
        para(table.subtitle, style=SUBJECT),
        para(list_reference(paper), style=CENTER_ITALIC),
        Table(widths, tuple(rows)),
        para(summary_legend(), style=SUMMARY_LEGEND),
    ]
    return Document(
        f"Biểu tổng hợp năm {paper.year} – {committee_of(paper)}", tuple(story), stamp_of(paper), landscape=True
    )


def _count_cells(row: SummaryRow, columns: Sequence[tuple[str, str]], style: ParaStyle) -> list[Para]:
    if row.counts is None:
        return [para("—", style=style) for _ in columns]
    return [para(str(row.counts[key]), style=style) for key, _ in columns]
