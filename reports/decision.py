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

from reportlab.lib.enums import TA_CENTER
from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, KeepTogether, PageBreak, Paragraph, Spacer

from review.decision_rules import NOT_RATED, SIGNER_TITLE_LABELS, DecisionPaper, PaperCell, PaperMember
from review.rules import LEVELS, NOT_RATED_LABELS, UNDECIDED
from review.text import day_text
from review.vocabulary import LEVEL_LABELS, LEVEL_SHORT, NOT_RATED_LABEL, committee_name

from .common import (
    BODY,
    CELL,
    CELL_CENTER,
    CELL_HEAD,
    FAMILY,
    LANDSCAPE_PAGE,
    LANDSCAPE_TEXT_WIDTH,
    SECTION,
    SIGN_HINT_STAMPED,
    SUBJECT,
    TEXT_WIDTH,
    TITLE,
    Heading,
    RuleUnder,
    Stamp,
    build_pdf,
    esc,
    grid_table,
    markup,
    party_header,
    recipients_and_signature,
    style,
    upper,
)

DRAFT_NOTE = "DỰ THẢO – quyết định của đảng ủy chưa ban hành"
UNDECIDED_TEXT = "Chưa quyết định"
NUMBER_BLANK = "\u00a0" * 8  # the number's blank in a draft: "Số        -QĐ/ĐU"
NUMBER_SUFFIX = "-QĐ/ĐU"
LIST_DAY_BLANK = "..../..../"
DEFAULT_TITLE = "BÍ THƯ"
CENTER_ITALIC = style("decision-italic", 13, fontName=f"{FAMILY}-Italic", alignment=TA_CENTER, spaceAfter=6)
ISSUER = style("decision-issuer", 14, fontName=f"{FAMILY}-Bold", alignment=TA_CENTER, spaceBefore=8, spaceAfter=6)
LIST_TITLE = style("decision-list-title", 14, fontName=f"{FAMILY}-Bold", alignment=TA_CENTER)
CELL_SMALL = style("decision-cell-small", 11, leading=13.5)
GROUP = style("decision-group", 12, leading=15, fontName=f"{FAMILY}-Bold")
TOTAL = style("decision-total", 12, leading=15, fontName=f"{FAMILY}-Bold", alignment=TA_CENTER)


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


def grounds(paper: DecisionPaper) -> list[Flowable]:
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
    return [markup(f"<i>{esc(line)}</i>", BODY) for line in lines]


def opening(paper: DecisionPaper, subject: str) -> list[Flowable]:
    """Return the header, the title "QUYẾT ĐỊNH" with its subject, the grounds and "... QUYẾT ĐỊNH"."""
    return [
        party_header(heading_of(paper)),
        Spacer(1, 6 * mm),
        markup("QUYẾT ĐỊNH", TITLE),
        markup(esc(subject), style("decision-subject", 14, fontName=f"{FAMILY}-Bold", alignment=TA_CENTER)),
        Spacer(1, 1.5 * mm),
        RuleUnder(30 * mm, TEXT_WIDTH),
        Spacer(1, 4 * mm),
        markup(esc(upper(committee_of(paper))), ISSUER),
        *grounds(paper),
        markup("QUYẾT ĐỊNH:", ISSUER),
    ]


def signature(paper: DecisionPaper, width: float = TEXT_WIDTH) -> Flowable:
    """Return "Nơi nhận:" on the left and "T/M ĐẢNG ỦY" / the title / the name on the right."""
    title = upper(SIGNER_TITLE_LABELS[paper.title]) if paper.title is not None else DEFAULT_TITLE
    recipients = ["Như Điều 2,"]
    if paper.superior:
        recipients.append(f"{paper.superior} (để báo cáo),")
    recipients.append(f"Lưu Văn phòng {committee_of(paper)}.")
    return KeepTogether(
        [
            Spacer(1, 4 * mm),
            recipients_and_signature(
                recipients, "T/M ĐẢNG ỦY", title, paper.signer, hint=SIGN_HINT_STAMPED, width=width
            ),
        ]
    )


def article(number: int, text: str) -> Paragraph:
    """Return "Điều N. ..." (the article's name in bold, its text as given: document markup)."""
    return markup(f"<b>Điều {number}.</b> {text}", BODY)


def list_heading(paper: DecisionPaper, what: str) -> list[Flowable]:
    """Return the attached list's title: "DANH SÁCH", what it lists, the reference to the decision."""
    return [
        PageBreak(),
        markup("DANH SÁCH", TITLE),
        markup(esc(what), LIST_TITLE),
        markup(f"<i>{esc(list_reference(paper))}</i>", CENTER_ITALIC),
        Spacer(1, 2 * mm),
    ]


def _group_row(text: str, columns: int) -> list[object]:
    return [Paragraph(esc(text), GROUP)] + [""] * (columns - 1)


def _span_groups(table, rows: list[int], columns: int) -> None:  # type: ignore[no-untyped-def]
    table.setStyle([("SPAN", (0, row), (columns - 1, row)) for row in rows])


# ---------------------------------------------------------------------------
# The members' decision


def members_decision(paper: DecisionPaper) -> bytes:
    """Return "Quyết định công nhận kết quả xếp loại chất lượng đảng viên năm N" with its list, as PDF."""
    committee = committee_of(paper)
    subject = f"công nhận kết quả xếp loại chất lượng đảng viên năm {paper.year}"
    rated = paper.rated_count
    story: list[Flowable] = opening(paper, subject)
    story.append(
        article(
            1,
            esc(
                f"Công nhận kết quả xếp loại chất lượng năm {paper.year} đối với {rated} đảng viên thuộc các chi bộ "
                f"trực thuộc {committee} (có danh sách kèm theo), trong đó: "
                f"{counts_sentence(paper.members, 'đồng chí')}."
            ),
        )
    )
    story.append(
        article(
            2,
            esc(
                "Các chi bộ trực thuộc và các đồng chí đảng viên có tên trong danh sách tại Điều 1 "
                "chịu trách nhiệm thi hành Quyết định này. Quyết định có hiệu lực kể từ ngày ký."
            ),
        )
    )
    story.append(signature(paper))

    story += list_heading(paper, f"đảng viên được công nhận kết quả xếp loại chất lượng năm {paper.year}")
    story.append(member_list(paper))
    story.append(
        markup(
            f"<b>Tổng số:</b> {rated} đồng chí; {esc(counts_sentence(paper.members, 'đồng chí'))}.",
            style("decision-list-total", 12, leading=15, spaceBefore=4),
        )
    )
    story += not_rated_section(paper)
    return build_pdf(
        story, title=f"Quyết định xếp loại đảng viên năm {paper.year} – {committee}", stamp=stamp_of(paper)
    )


def member_list(paper: DecisionPaper):  # type: ignore[no-untyped-def]
    """Return the list TT | Họ và tên | Chi bộ | Xếp loại | Ghi chú, every rated member, by cell."""
    head: list[object] = [Paragraph(h, CELL_HEAD) for h in ("TT", "Họ và tên", "Chi bộ", "Xếp loại", "Ghi chú")]
    rows: list[list[object]] = [head]
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
                [
                    Paragraph(str(number), CELL_CENTER),
                    Paragraph(esc(member.name), CELL),
                    Paragraph(esc(cell.name), CELL_SMALL),
                    Paragraph(esc(level_text(member.level)), CELL_SMALL),
                    Paragraph(esc(member.reason), CELL_SMALL),
                ]
            )
    if number == 0:
        rows.append([Paragraph("<i>Chưa có đảng viên nào được xếp loại.</i>", CELL)] + [""] * 4)
        groups.append(len(rows) - 1)
    table = grid_table(rows, [10 * mm, 44 * mm, 38 * mm, 33 * mm, TEXT_WIDTH - 125 * mm])
    _span_groups(table, groups, 5)
    return table


def not_rated_members(paper: DecisionPaper) -> list[tuple[PaperCell, PaperMember]]:
    """Return every member not rated, with their cell, in the list's order."""
    return [(cell, m) for cell in paper.reviewed_cells for m in cell.members if not m.rated]


def not_rated_section(paper: DecisionPaper) -> list[Flowable]:
    """Return the members not rated, with their reasons (never counted), or nothing."""
    found = not_rated_members(paper)
    if not found:
        return []
    head: list[object] = [Paragraph(h, CELL_HEAD) for h in ("TT", "Họ và tên", "Chi bộ", "Lý do")]
    rows: list[list[object]] = [head]
    for i, (cell, member) in enumerate(found, 1):
        rows.append(
            [
                Paragraph(str(i), CELL_CENTER),
                Paragraph(esc(member.name), CELL),
                Paragraph(esc(cell.name), CELL_SMALL),
                Paragraph(esc(not_rated_text(member)), CELL_SMALL),
            ]
        )
    return [
        CondPageBreak(40 * mm),
        markup(
            f"Đảng viên không đánh giá, xếp loại năm {paper.year} ({len(found)} đồng chí, không tính vào số lượng trên)",
            SECTION,
        ),
        grid_table(rows, [10 * mm, 50 * mm, 50 * mm, TEXT_WIDTH - 110 * mm]),
    ]


# ---------------------------------------------------------------------------
# The cells' decision


def cells_decision(paper: DecisionPaper) -> bytes:
    """Return "Quyết định xếp loại chất lượng các chi bộ trực thuộc năm N" with its list, as PDF."""
    committee = committee_of(paper)
    subject = f"xếp loại chất lượng các chi bộ trực thuộc năm {paper.year}"
    reviewed = paper.reviewed_cells
    story: list[Flowable] = opening(paper, subject)
    story.append(
        article(
            1,
            esc(
                f"Công nhận kết quả xếp loại chất lượng năm {paper.year} đối với {len(reviewed)} chi bộ trực thuộc "
                f"{committee} (có danh sách kèm theo), trong đó: {counts_sentence(paper.cell_levels, 'chi bộ')}."
            ),
        )
    )
    story.append(
        article(
            2,
            esc(
                "Các chi bộ có tên trong danh sách tại Điều 1 chịu trách nhiệm thi hành Quyết định này. "
                "Quyết định có hiệu lực kể từ ngày ký."
            ),
        )
    )
    story.append(signature(paper))

    story += list_heading(paper, f"chi bộ trực thuộc được xếp loại chất lượng năm {paper.year}")
    head: list[object] = [Paragraph(h, CELL_HEAD) for h in ("TT", "Chi bộ", "Xếp loại", "Ghi chú")]
    rows: list[list[object]] = [head]
    for i, cell in enumerate(reviewed, 1):
        rows.append(
            [
                Paragraph(str(i), CELL_CENTER),
                Paragraph(esc(cell.name), CELL),
                Paragraph(esc(level_text(cell.level)), CELL_SMALL),
                Paragraph(esc(cell.reason), CELL_SMALL),
            ]
        )
    if not reviewed:
        rows.append([Paragraph("<i>Chưa có chi bộ nào được xếp loại.</i>", CELL), "", "", ""])
    table = grid_table(rows, [10 * mm, 62 * mm, 40 * mm, TEXT_WIDTH - 112 * mm])
    if not reviewed:
        _span_groups(table, [1], 4)
    story.append(table)
    story.append(
        markup(
            f"<b>Tổng số:</b> {len(reviewed)} chi bộ; {esc(counts_sentence(paper.cell_levels, 'chi bộ'))}.",
            style("decision-cells-total", 12, leading=15, spaceBefore=4),
        )
    )
    left_out = [c for c in paper.cells if c.not_reviewed_reason is not None]
    if left_out:
        rows = [[Paragraph(h, CELL_HEAD) for h in ("TT", "Chi bộ", "Lý do")]]
        for i, cell in enumerate(left_out, 1):
            rows.append(
                [
                    Paragraph(str(i), CELL_CENTER),
                    Paragraph(esc(cell.name), CELL),
                    Paragraph(esc(cell.not_reviewed_reason or ""), CELL_SMALL),
                ]
            )
        story += [
            CondPageBreak(40 * mm),
            markup(f"Chi bộ không đánh giá, xếp loại năm {paper.year} (không tính vào số lượng trên)", SECTION),
            grid_table(rows, [10 * mm, 62 * mm, TEXT_WIDTH - 72 * mm]),
        ]
    return build_pdf(story, title=f"Quyết định xếp loại chi bộ năm {paper.year} – {committee}", stamp=stamp_of(paper))


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
    """Return the summary table (Biểu tổng hợp) as PDF, on A4 landscape.

    Attached to the decision like its lists ("Kèm theo Quyết định số ..."), it carries the
    committee's header and no signature of its own.
    """
    table = summary_table(paper)
    small_head = style("summary-head", 11, leading=13, fontName=f"{FAMILY}-Bold", alignment=TA_CENTER)
    number_style = style("summary-number", 11, leading=13, alignment=TA_CENTER)
    head: list[object] = [Paragraph("TT", small_head), Paragraph("Chi bộ", small_head)]
    head += [Paragraph(esc(label), small_head) for _, label in table.columns]
    head.append(Paragraph(SUMMARY_LEVEL_HEAD, small_head))
    rows: list[list[object]] = [head]
    width = len(table.columns) + 3
    for i, row in enumerate(table.rows, 1):
        cells: list[object] = [Paragraph(str(i), CELL_CENTER), Paragraph(esc(row.name), CELL_SMALL)]
        cells += _count_cells(row, table.columns, number_style)
        cells.append(Paragraph(esc(row.level), CELL_SMALL))
        rows.append(cells)
    totals: list[object] = [Paragraph("", CELL), Paragraph(esc(table.totals.name), TOTAL)]
    totals += _count_cells(table.totals, table.columns, TOTAL)
    totals.append(Paragraph(esc(table.totals.level), CELL_SMALL))
    rows.append(totals)
    count_width = 22 * mm  # "HTXSNV" in 11 pt bold on one line
    first = 24 * mm  # the members rated
    level_width = 44 * mm
    fixed = 10 * mm + first + count_width * (len(table.columns) - 1) + level_width
    page_width = LANDSCAPE_TEXT_WIDTH
    widths = [10 * mm, page_width - fixed, first] + [count_width] * (len(table.columns) - 1) + [level_width]
    assert len(widths) == width
    grid = grid_table(rows, widths)
    story: list[Flowable] = [
        party_header(heading_of(paper), width=page_width),
        Spacer(1, 6 * mm),
        markup(table.title, TITLE),
        markup(esc(table.subtitle), SUBJECT),
        markup(f"<i>{esc(list_reference(paper))}</i>", CENTER_ITALIC),
        grid,
        markup(esc(summary_legend()), style("summary-legend", 10.5, fontName=f"{FAMILY}-Italic", spaceBefore=3)),
    ]
    return build_pdf(
        story,
        title=f"Biểu tổng hợp năm {paper.year} – {committee_of(paper)}",
        stamp=stamp_of(paper),
        page=LANDSCAPE_PAGE,
    )


def _count_cells(row: SummaryRow, columns: Sequence[tuple[str, str]], cell_style) -> list[object]:  # type: ignore[no-untyped-def]
    if row.counts is None:
        return [Paragraph("—", cell_style) for _ in columns]
    return [Paragraph(str(row.counts[key]), cell_style) for key, _ in columns]
