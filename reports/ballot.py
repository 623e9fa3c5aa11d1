"""The ballot paper (phiếu xếp loại) and the tally sheet for counting marks by hand."""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer

from review.meetingfile import MeetingFile
from review.rules import LEVEL_LABELS, LEVEL_SHORT, LEVELS
from review.vocabulary import BALLOT_COUNT_LABELS, BLANK_LABEL, CELL_ROW_LABEL, lower_first

from .common import (
    CELL,
    CELL_CENTER,
    CELL_HEAD,
    NOTE,
    SUBJECT,
    TEXT_WIDTH,
    TITLE,
    Heading,
    Stamp,
    build_pdf,
    esc,
    grid_table,
    markup,
    party_header,
    style,
)

INSTRUCTION = "Đánh dấu X vào một ô duy nhất trên mỗi dòng"


def heading_of(mf: MeetingFile) -> Heading:
    """Return the document heading of a meeting."""
    return Heading(parent=mf.parent, cell=mf.cell, place=mf.place, day=mf.meeting_day if mf.meeting.starts_at else None)


def rated_names(mf: MeetingFile) -> list[str]:
    """Return the names on the ballot: the rated members, in meeting order (rules core)."""
    results = mf.evaluate()
    rated = {r.key for r in results.members if r.rated}
    return [m.name for m in mf.members if m.id in rated]


def _level_heads() -> list[Paragraph]:
    return [Paragraph(f"{esc(LEVEL_LABELS[level])}<br/>({LEVEL_SHORT[level]})", CELL_HEAD) for level in LEVELS]


def ballot_paper(mf: MeetingFile) -> bytes:
    """Return the ballot paper of SPEC 7: one row per rated member, one for the cell. Unsigned."""
    names = rated_names(mf)
    story = [
        party_header(heading_of(mf), with_date=False),
        Spacer(1, 6 * mm),
        markup(f"PHIẾU ĐÁNH GIÁ, XẾP LOẠI CHẤT LƯỢNG<br/>ĐẢNG VIÊN VÀ TỔ CHỨC ĐẢNG NĂM {mf.year}", TITLE),
        markup(esc(mf.cell), SUBJECT),
        markup(f"<i>{INSTRUCTION}</i>", style("instruction", 13, alignment=1, spaceAfter=8)),
    ]
    head: list[object] = [Paragraph("STT", CELL_HEAD), Paragraph("Họ và tên", CELL_HEAD), *_level_heads()]
    rows: list[list[object]] = [head]
    rows += [
        [Paragraph(str(i), CELL_CENTER), Paragraph(esc(name), CELL), "", "", "", ""] for i, name in enumerate(names, 1)
    ]
    rows.append(
        [Paragraph(str(len(names) + 1), CELL_CENTER), Paragraph(f"<b>{CELL_ROW_LABEL}</b>", CELL), "", "", "", ""]
    )
    box = (TEXT_WIDTH - 12 * mm - 58 * mm) / 4
    story.append(grid_table(rows, [12 * mm, 58 * mm] + [box] * 4))
    story.append(Spacer(1, 4 * mm))
    story.append(
        markup(
            "Phiếu đánh dấu nhiều hơn một ô trên một dòng, hoặc không đánh dấu ô nào, thì dòng đó không được tính.",
            NOTE,
        )
    )
    return build_pdf(story, title=f"Phiếu xếp loại năm {mf.year} – {mf.cell}", stamp=Stamp(draft=False))


def tally_sheet(mf: MeetingFile) -> bytes:
    """Return the tally sheet: wide boxes to count each level's marks by hand, then totals."""
    names = rated_names(mf)
    story = [
        party_header(heading_of(mf), with_date=False),
        Spacer(1, 6 * mm),
        markup(f"BẢNG KIỂM PHIẾU XẾP LOẠI CHẤT LƯỢNG NĂM {mf.year}", TITLE),
        markup(esc(mf.cell), SUBJECT),
        markup(
            " ".join(f"{label}: ........" for label in BALLOT_COUNT_LABELS.values()),
            style("counts", 12, spaceAfter=8),
        ),
    ]
    heads = [
        Paragraph(f"{LEVEL_SHORT[level]}", style("tally-head", 9.5, fontName=CELL_HEAD.fontName, alignment=1))
        for level in LEVELS
    ]
    head: list[object] = [
        Paragraph("STT", CELL_HEAD),
        Paragraph("Họ và tên", CELL_HEAD),
        *heads,
        Paragraph(BLANK_LABEL, CELL_HEAD),
        Paragraph("Cộng", CELL_HEAD),
    ]
    rows: list[list[object]] = [head]
    for i, name in enumerate([*names, CELL_ROW_LABEL], 1):
        label = f"<b>{CELL_ROW_LABEL}</b>" if i == len(names) + 1 else esc(name)
        rows.append([Paragraph(str(i), CELL_CENTER), Paragraph(label, CELL), "", "", "", "", "", ""])
    mark = (TEXT_WIDTH - 12 * mm - 42 * mm - 18 * mm - 14 * mm) / 4
    story.append(grid_table(rows, [12 * mm, 42 * mm] + [mark] * 4 + [18 * mm, 14 * mm], row_height=13 * mm))
    story.append(Spacer(1, 3 * mm))
    story.append(
        markup(
            f"Mỗi dòng: tổng các ô (kể cả {lower_first(BLANK_LABEL)}) phải bằng {lower_first(BALLOT_COUNT_LABELS['valid'])}. "
            + " · ".join(f"{LEVEL_SHORT[level]}: {esc(LEVEL_LABELS[level])}" for level in LEVELS),
            NOTE,
        )
    )
    return build_pdf(story, title=f"Bảng kiểm phiếu năm {mf.year} – {mf.cell}", stamp=Stamp(draft=False))
