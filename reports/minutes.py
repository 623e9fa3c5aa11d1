"""The meeting minutes (biên bản hội nghị) and the vote-count minutes (biên bản kiểm phiếu).

Both are built from plain data: the meeting file (``review.meetingfile.MeetingFile``), the
results the rules core computed from it, and the seal (version and fingerprint) if any.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import cast

from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Flowable, KeepTogether, Paragraph, Spacer

from review.meetingfile import FeedbackEntry, MeetingFile, MemberData
from review.rules import (
    CELL_ROW,
    LEVEL_LABELS,
    LEVEL_SHORT,
    LEVELS,
    NOT_RATED_LABELS,
    UNDECIDED,
    Attendance,
    Level,
    MeetingResult,
    NotRatedReason,
    Standing,
    flag_label,
    format_ratio,
    review_order_key,
)
from review.text import clock_words, long_day_text
from review.vocabulary import (
    BALLOT_COUNT_LABELS,
    BLANK_LABEL,
    CELL_ROW_LABEL,
    NOT_RATED_LABEL,
    STANDING_LABELS,
    UNDECIDED_LABEL,
    lower_first,
)

from .ballot import heading_of
from .common import (
    BODY,
    BODY_PLAIN,
    CELL,
    CELL_CENTER,
    CELL_HEAD,
    SECTION,
    SUBJECT,
    TEXT_WIDTH,
    TITLE,
    Stamp,
    build_pdf,
    esc,
    grid_table,
    markup,
    party_header,
    signature_block,
    style,
    text,
)

SUBSECTION = style("subsection", 14, fontName="LiberationSerif-BoldItalic", spaceBefore=6, spaceAfter=3, keepWithNext=1)
# A member's heading never ends a page: a conditional page break before it leaves room for the
# heading and the first lines of the self-review. (keepWithNext would do it too, but it lays out
# each self-review twice, once inside the group and once on the page: a quarter of the time of
# the minutes of a large cell, bench/RESULTS.md.)
MEMBER_HEAD = style("member-head", 14, fontName="LiberationSerif-Bold", spaceBefore=6, spaceAfter=2)
MEMBER_HEAD_ROOM = 35 * mm
CELL_LEFT_SMALL = style("cell-small", 11, leading=13.5)


@dataclass(frozen=True)
class SealInfo:
    """The sealed version a document shows, or none (a draft)."""

    version: int
    fingerprint: str
    sealed_at: str  # already formatted (review.text), e.g. "16:45 ngày 27/11/2020"
    # What the stored data holds otherwise than the seal (Vietnamese lines); the document is
    # built from what was sealed and says so at its top.
    differences: tuple[str, ...] = ()


DIFFERENCES_NOTE = (
    "LƯU Ý: dữ liệu hiện lưu khác với dữ liệu đã niêm phong ở {count} chỗ. Văn bản này được lập theo "
    "dữ liệu đã niêm phong; các chỗ khác:"
)


def differences_note(seal: SealInfo | None) -> list[Flowable]:
    """Return the note a sealed document prints when the stored data differs from the seal, or nothing."""
    if seal is None or not seal.differences:
        return []
    return [
        markup(f"<b>{esc(DIFFERENCES_NOTE.format(count=len(seal.differences)))}</b>", BODY_PLAIN),
        *[markup(f"– {esc(line)}", BODY_PLAIN) for line in seal.differences],
        Spacer(1, 3 * mm),
    ]


def stamp_for(seal: SealInfo | None) -> Stamp:
    """Return the page marks: 'DỰ THẢO' before sealing, the version and fingerprint after."""
    if seal is None:
        return Stamp(draft=True)
    return Stamp(
        draft=False,
        footer=f"Niêm phong phiên bản {seal.version} lúc {seal.sealed_at} · SHA-256: {seal.fingerprint}",
    )


def level_label(level: str | None) -> str:
    """Return a level's Vietnamese name, or a dash."""
    return LEVEL_LABELS[Level(level)] if level else "—"


def _time(mf: MeetingFile, which: str) -> str:
    return clock_words(getattr(mf.meeting, which))


def _names(members: list[MemberData]) -> dict[str, str]:
    return {m.id: m.name for m in members}


def _feedback(mf: MeetingFile, entries: list[FeedbackEntry]) -> list[Paragraph]:
    """Each feedback by its speaker: "Đồng chí <name>", a guest with their title in brackets."""
    if not entries:
        return [markup("<i>Không có ý kiến góp ý.</i>", BODY_PLAIN)]
    return [markup(f"– Đồng chí <b>{esc(mf.speaker_name(e))}</b>: {esc(e.text)}", BODY_PLAIN) for e in entries]


def _labelled(label: str, value: str) -> Paragraph:
    return markup(f"<b>{esc(label)}:</b> {esc(value) if value.strip() else '<i>(chưa ghi)</i>'}", BODY_PLAIN)


def _percent(votes: int, base: int) -> str:
    if base == 0:
        return "—"
    share = round(Fraction(votes * 100, base), 1)  # display only, never a rule
    shown = (
        f"{share.numerator // share.denominator}" if share.denominator == 1 else f"{float(share):.1f}".replace(".", ",")
    )
    return shown + "%"


def meeting_minutes(mf: MeetingFile, result: MeetingResult, seal: SealInfo | None) -> bytes:
    """Return the meeting minutes of SPEC 7 as PDF bytes."""
    names = _names(mf.members)
    by_key = {r.key: r for r in result.members}
    day = mf.meeting.starts_at
    story: list[Flowable] = [
        party_header(heading_of(mf)),
        Spacer(1, 5 * mm),
        markup("BIÊN BẢN", TITLE),
        markup(
            f"Hội nghị kiểm điểm, đánh giá, xếp loại chất lượng<br/>tổ chức đảng và đảng viên năm {mf.year}", SUBJECT
        ),
        *differences_note(seal),
        markup("I- THỜI GIAN, ĐỊA ĐIỂM, THÀNH PHẦN", SECTION),
    ]
    when = long_day_text(day)
    story.append(markup(f"Hội nghị bắt đầu lúc {_time(mf, 'starts_at')}, {when}.", BODY))
    story.append(markup(f"Địa điểm: {esc(mf.meeting.location)}.", BODY))
    chair = names.get(mf.meeting.chair or "", "...")
    taker = names.get(mf.meeting.minute_taker or "", "...")
    story.append(markup(f"Chủ trì hội nghị: đồng chí {esc(chair)}. Thư ký hội nghị: đồng chí {esc(taker)}.", BODY))
    if mf.meeting.guests:
        guests = "; ".join(
            f"đồng chí {esc(g.name)}" + (f", {esc(g.title)}" if g.title else "") for g in mf.meeting.guests
        )
        story.append(markup(f"Khách mời: {guests}.", BODY))
    official = sum(1 for m in mf.members if m.standing is Standing.OFFICIAL)
    story.append(
        markup(
            f"Tổng số đảng viên của chi bộ: {len(mf.members)} đồng chí "
            f"({lower_first(STANDING_LABELS['official'])}: {official}, "
            f"{lower_first(STANDING_LABELS['probationary'])}: {len(mf.members) - official}).",
            BODY,
        )
    )
    not_rated = [m for m in mf.members if by_key[m.id].not_rated_reason]
    if not_rated:
        listed = "; ".join(
            f"đồng chí {esc(m.name)} ({esc(NOT_RATED_LABELS[cast(NotRatedReason, by_key[m.id].not_rated_reason)].lower())})"
            for m in not_rated
        )
        story.append(markup(f"Không đánh giá, xếp loại: {len(not_rated)} đồng chí: {listed}.", BODY))
    present = [m for m in mf.members if m.attendance is Attendance.PRESENT]
    absent = [m for m in mf.members if m.attendance is not Attendance.PRESENT]
    story.append(markup(f"Có mặt: {len(present)} đồng chí. Vắng mặt: {len(absent)} đồng chí.", BODY))
    for m in absent:
        why = "có lý do: " + m.absence_reason if m.attendance is Attendance.ABSENT_EXCUSED else "không có lý do"
        story.append(markup(f"– Đồng chí {esc(m.name)}: vắng {esc(why)}.", BODY_PLAIN))
    verdict = "đủ" if result.quorum_met else "KHÔNG đủ"
    story.append(
        markup(
            f"Số thành viên để tính tỉ lệ: {result.base}; đảng viên chính thức có mặt biểu quyết: "
            f"{result.voters_present}; cần ít nhất {result.quorum_required} ({format_ratio(mf.rules.quorum)}). "
            f"Hội nghị <b>{verdict}</b> số lượng theo quy định"
            + ("." if result.quorum_met else ": không thể niêm phong kết quả bỏ phiếu."),
            BODY,
        )
    )

    story.append(markup("II- NỘI DUNG", SECTION))
    number = 1
    for review in mf.collective_reviews:
        whose = "tập thể chi bộ" if review.subject == "cell" else "tập thể chi ủy"
        story.append(markup(f"{number}. Kiểm điểm {whose}", SUBSECTION))
        story.append(text(review.report, BODY) if review.report.strip() else markup("<i>(chưa ghi)</i>", BODY))
        story.append(markup("<b>Ý kiến góp ý:</b>", BODY_PLAIN))
        story.extend(_feedback(mf, review.feedback))
        story.append(_labelled("Kết luận của chủ trì", review.conclusion))
        story.append(_labelled("Tự đánh giá, xếp loại", level_label(review.self_level)))
        number += 1

    story.append(CondPageBreak(MEMBER_HEAD_ROOM + 10 * mm))
    story.append(markup(f"{number}. Kiểm điểm cá nhân đảng viên", SUBSECTION))
    number += 1
    reviewed = sorted(
        (m for m in mf.members if m.review is not None),
        key=lambda m: review_order_key(m.position, mf.members.index(m)),
    )
    for i, m in enumerate(reviewed, 1):
        r = m.review
        assert r is not None
        score = f" – tự chấm {r.self_score} điểm" if r.self_score is not None else ""
        if i > 1:  # the first sits under its section's heading, kept with it
            story.append(CondPageBreak(MEMBER_HEAD_ROOM))
        story.append(markup(f"{number - 1}.{i}. Đồng chí {esc(m.name)}", MEMBER_HEAD))
        story.append(_labelled("Tự kiểm điểm", r.summary))
        story.append(markup(f"<b>Tự đánh giá, xếp loại:</b> {esc(level_label(r.self_level))}{score}.", BODY_PLAIN))
        story.append(markup("<b>Ý kiến góp ý:</b>", BODY_PLAIN))
        story.extend(_feedback(mf, r.feedback))
        story.append(_labelled("Ý kiến tiếp thu, giải trình", r.response))
        story.append(_labelled("Kết luận của chủ trì", r.conclusion))

    story.append(markup(f"{number}. Bầu ban kiểm phiếu và kết quả bỏ phiếu", SUBSECTION))
    number += 1
    if mf.ballot is not None and mf.ballot.counters:
        chief, *others = mf.ballot.counters
        members = ", ".join(f"đồng chí {esc(names[c])}" for c in others)
        story.append(
            markup(
                f"Hội nghị biểu quyết thống nhất ban kiểm phiếu gồm: đồng chí {esc(names[chief])} (trưởng ban)"
                + (f"; {members}" if members else "")
                + ". Kết quả kiểm phiếu có biên bản kiểm phiếu kèm theo.",
                BODY,
            )
        )
    else:
        story.append(markup("<i>Chưa có kết quả kiểm phiếu.</i>", BODY))

    story.append(CondPageBreak(60 * mm))
    story.append(markup(f"{number}. Kết quả đánh giá, xếp loại chất lượng đảng viên", SUBSECTION))
    number += 1
    story.append(results_table(mf, result))

    cell_review = next((c for c in mf.collective_reviews if c.subject == "cell"), None)
    story.append(markup(f"{number}. Xếp loại tập thể chi bộ và kế hoạch khắc phục", SUBSECTION))
    cell_vote = result.cell.proposed_level
    story.append(
        markup(
            f"Chi bộ tự đánh giá: <b>{esc(level_label(cell_review.self_level if cell_review else None))}</b>. "
            f"Kết quả biểu quyết, chi bộ đề nghị xếp loại: <b>{esc(level_label(cell_vote))}</b>"
            + (" (không mức nào được quá nửa số thành viên)" if result.cell.vote_level == UNDECIDED else "")
            + ".",
            BODY,
        )
    )
    for flag in result.cell.flags:
        story.append(markup(f"– Lưu ý: {esc(flag_label(flag, mf.rules))}.", BODY_PLAIN))
    if result.quota.exceeded:
        story.append(
            markup(
                f"– Lưu ý: số đảng viên đề nghị Hoàn thành xuất sắc nhiệm vụ ({result.quota.excellent}) vượt tỉ lệ "
                f"{format_ratio(mf.rules.quota_ratio)} (tối đa {result.quota.limit} trên {result.quota.pool}); "
                "đảng ủy cơ sở xem xét, quyết định.",
                BODY_PLAIN,
            )
        )
    if cell_review is not None and cell_review.remedy_plan.strip():
        story.append(_labelled("Kế hoạch khắc phục hạn chế, khuyết điểm", cell_review.remedy_plan))

    story.append(markup("III- BẾ MẠC", SECTION))
    approved = mf.meeting.minutes_approved_by
    approved_text = f"{approved}/{len(present)}" if approved is not None else f".../{len(present)}"
    story.append(
        markup(
            f"Biên bản được đọc lại trước hội nghị và được {approved_text} đồng chí có mặt nhất trí thông qua.", BODY
        )
    )
    story.append(markup(f"Hội nghị kết thúc lúc {_time(mf, 'ends_at')} cùng ngày.", BODY))
    story.append(Spacer(1, 6 * mm))
    story.append(KeepTogether([signature_block([("THƯ KÝ HỘI NGHỊ", "", taker), ("CHỦ TRÌ HỘI NGHỊ", "", chair)])]))
    return build_pdf(story, title=f"Biên bản hội nghị năm {mf.year} – {mf.cell}", stamp=stamp_for(seal))


def results_table(mf: MeetingFile, result: MeetingResult):  # type: ignore[no-untyped-def]
    """Return the table No. | Full name | Self-assessed | Cell proposes | Notes, and the totals."""
    by_key = {r.key: r for r in result.members}
    head: list[object] = [
        Paragraph(h, CELL_HEAD) for h in ("STT", "Họ và tên", "Tự đánh giá", "Chi bộ đề nghị", "Ghi chú")
    ]
    rows: list[list[object]] = [head]
    for i, m in enumerate(mf.members, 1):
        r = by_key[m.id]
        own = LEVEL_SHORT[Level(m.review.self_level)] if m.review and m.review.self_level else "—"
        if not r.rated:
            proposed, notes = "—", NOT_RATED_LABELS[cast(NotRatedReason, r.not_rated_reason)]
        else:
            proposed = LEVEL_SHORT[r.proposed_level] if r.proposed_level else UNDECIDED_LABEL
            notes = "; ".join(flag_label(f, mf.rules) for f in r.flags)
        rows.append(
            [
                Paragraph(str(i), CELL_CENTER),
                Paragraph(esc(m.name), CELL),
                Paragraph(own, CELL_CENTER),
                Paragraph(esc(proposed), CELL_CENTER),
                Paragraph(esc(notes), CELL_LEFT_SMALL),
            ]
        )
    table = grid_table(rows, [12 * mm, 50 * mm, 24 * mm, 27 * mm, TEXT_WIDTH - 113 * mm])
    totals = ", ".join(f"{LEVEL_LABELS[level]}: {result.summary[level.value]}" for level in LEVELS)
    extra = []
    if result.summary["not_rated"]:
        extra.append(f"{lower_first(NOT_RATED_LABEL)}: {result.summary['not_rated']}")
    if result.summary["undecided"]:
        extra.append(f"{lower_first(UNDECIDED_LABEL)}: {result.summary['undecided']}")
    summary = markup(
        f"<b>Tổng hợp:</b> {esc(totals)}" + (f"; {esc(', '.join(extra))}" if extra else "") + ".", BODY_PLAIN
    )
    return KeepTogether([table, Spacer(1, 2 * mm), summary]) if len(rows) <= 25 else table


def count_minutes(mf: MeetingFile, result: MeetingResult, seal: SealInfo | None) -> bytes:
    """Return the vote-count minutes of SPEC 7 as PDF bytes."""
    names = _names(mf.members)
    story: list[Flowable] = [
        party_header(heading_of(mf)),
        Spacer(1, 5 * mm),
        markup("BIÊN BẢN KIỂM PHIẾU", TITLE),
        markup(f"Đánh giá, xếp loại chất lượng đảng viên<br/>và tập thể chi bộ năm {mf.year}", SUBJECT),
        *differences_note(seal),
    ]
    ballot = mf.ballot
    if ballot is None:
        story.append(markup("<i>Chưa có kết quả kiểm phiếu.</i>", BODY))
        return build_pdf(story, title=f"Biên bản kiểm phiếu năm {mf.year}", stamp=stamp_for(seal))
    chief, *others = ballot.counters or [""]
    story.append(markup("Ban kiểm phiếu gồm các đồng chí:", BODY))
    story.append(markup(f"1. Đồng chí {esc(names.get(chief, chief))} – Trưởng ban", BODY_PLAIN))
    for i, code in enumerate(others, 2):
        story.append(markup(f"{i}. Đồng chí {esc(names.get(code, code))} – Thành viên", BODY_PLAIN))
    official = sum(1 for m in mf.members if m.standing is Standing.OFFICIAL)
    absent = sum(1 for m in mf.members if m.attendance is not Attendance.PRESENT)
    story.append(
        markup(
            f"Tổng số đảng viên chính thức được triệu tập: {official}; số thành viên để tính tỉ lệ: {result.base}; "
            f"đảng viên chính thức có mặt biểu quyết: {result.voters_present}; vắng mặt: {absent}.",
            BODY,
        )
    )
    valid = ballot.returned - ballot.invalid
    reasons = f" (lý do: {esc(ballot.invalid_reasons)})" if ballot.invalid and ballot.invalid_reasons else ""
    # One sentence: the first label as written, the others inside it.
    counted = {name: label if name == "issued" else lower_first(label) for name, label in BALLOT_COUNT_LABELS.items()}
    story.append(
        markup(
            f"{counted['issued']}: {ballot.issued}; {counted['returned']}: {ballot.returned}; "
            f"{counted['valid']}: {valid}; {counted['invalid']}: {ballot.invalid}{reasons}.",
            BODY,
        )
    )
    story.append(markup("Kết quả kiểm phiếu (tỉ lệ % tính trên số thành viên):", BODY))
    small_head = style("count-head", 9, leading=11, fontName="LiberationSerif-Bold", alignment=1)
    head: list[object] = [Paragraph("STT", small_head), Paragraph("Họ và tên", small_head)]
    head += [Paragraph(LEVEL_SHORT[level], small_head) for level in LEVELS]
    head += [Paragraph(BLANK_LABEL, small_head), Paragraph("Mức đạt", small_head)]
    rows: list[list[object]] = [head]
    by_key = {r.key: r for r in result.members}
    keys = [m.id for m in mf.members if by_key[m.id].rated] + [CELL_ROW]
    small = style("count-cell", 10.5, leading=12.5, alignment=1)
    for i, key in enumerate(keys, 1):
        votes = ballot.rows.get(key)
        if votes is None:
            continue
        reached = result.cell.vote_level if key == CELL_ROW else by_key[key].vote_level
        label = CELL_ROW_LABEL if key == CELL_ROW else names[key]
        cells = [
            Paragraph(f"{votes.for_level(level)}<br/>({_percent(votes.for_level(level), result.base)})", small)
            for level in LEVELS
        ]
        reached_text = UNDECIDED_LABEL if reached == UNDECIDED else LEVEL_SHORT[Level(reached)] if reached else "—"
        rows.append(
            [
                Paragraph(str(i), CELL_CENTER),
                Paragraph(f"<b>{esc(label)}</b>" if key == CELL_ROW else esc(label), CELL),
                *cells,
                Paragraph(str(votes.blank), small),
                Paragraph(esc(reached_text), small),
            ]
        )
    level_width = 19 * mm
    story.append(
        grid_table(
            rows,
            [11 * mm, TEXT_WIDTH - 11 * mm - 4 * level_width - 16 * mm - 22 * mm]
            + [level_width] * 4
            + [16 * mm, 22 * mm],
        )
    )
    story.append(
        markup(
            " · ".join(f"{LEVEL_SHORT[level]}: {esc(LEVEL_LABELS[level])}" for level in LEVELS),
            style("legend", 11, fontName="LiberationSerif-Italic", spaceBefore=3),
        )
    )
    story.append(markup("Ban kiểm phiếu lập biên bản này và công bố kết quả trước hội nghị.", BODY))
    story.append(Spacer(1, 6 * mm))
    story.append(
        KeepTogether(
            [
                signature_block(
                    [
                        ("T/M BAN KIỂM PHIẾU", "TRƯỞNG BAN", names.get(chief, "")),
                    ]
                )
            ]
        )
    )
    return build_pdf(story, title=f"Biên bản kiểm phiếu năm {mf.year} – {mf.cell}", stamp=stamp_for(seal))
