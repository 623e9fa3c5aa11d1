"""The meeting minutes (biên bản hội nghị) and the vote-count minutes (biên bản kiểm phiếu).

Both are built from plain data: the meeting file (``review.meetingfile.MeetingFile``), the
results the rules core computed from it, and the seal (version and fingerprint) if any, as one
description (``reports.document.Document``) that the PDF writer (``reports.pdf_writer``) and
the Word writer both render.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import cast

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
    passes_threshold,
    review_order_key,
    vote_level,
)
from review.text import clock_words, long_day_text
from review.vocabulary import (
    BALLOT_COUNT_LABELS,
    BALLOT_NAMES,
    BLANK_LABEL,
    CELL_ROW_LABEL,
    NOT_RATED_LABEL,
    SECOND_BALLOT_COLUMN_LABELS,
    STANDING_LABELS,
    UNDECIDED_LABEL,
    lower_first,
)

from . import pdf_writer
from .ballot import heading_of
from .document import (
    BODY,
    BODY_PLAIN,
    CELL,
    CELL_CENTER,
    CELL_HEAD,
    CELL_HEAD_SMALL,
    CELL_NUMBER,
    CELL_SMALL,
    LABEL,
    LEGEND,
    MEMBER_HEAD,
    SECTION,
    SUBJECT,
    SUBSECTION,
    TITLE,
    Block,
    Document,
    Para,
    PartyHeader,
    Room,
    Run,
    Signatures,
    Signer,
    Space,
    Stamp,
    Table,
    bold,
    italic,
    para,
)

TEXT_WIDTH_MM = 165  # A4 (210 mm) less the margins (30 + 15 mm)
# Where a numbered part starts: room enough that it does not begin at a page's foot.
PART_ROOM_MM = 45
RESULTS_ROOM_MM = 60
NOT_WRITTEN = "(chưa ghi)"


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


def differences_note(seal: SealInfo | None) -> list[Block]:
    """Return the note a sealed document prints when the stored data differs from the seal, or nothing."""
    if seal is None or not seal.differences:
        return []
    return [
        para(bold(DIFFERENCES_NOTE.format(count=len(seal.differences))), style=BODY_PLAIN),
        *[para(f"– {line}", style=BODY_PLAIN) for line in seal.differences],
        Space(3),
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


def _feedback(mf: MeetingFile, entries: list[FeedbackEntry]) -> list[Block]:
    """Each feedback by its speaker: "Đồng chí <name>", a guest with their title in brackets."""
    if not entries:
        return [para(italic("Không có ý kiến góp ý."), style=BODY_PLAIN)]
    return [para("– Đồng chí ", bold(mf.speaker_name(e)), f": {e.text}", style=BODY_PLAIN) for e in entries]


def _labelled(label: str, value: str) -> Para:
    shown: Run = Run(value) if value.strip() else italic(NOT_WRITTEN)
    return para(bold(f"{label}:"), " ", shown, style=BODY_PLAIN)


def _feedback_label() -> Para:
    return para(bold("Ý kiến góp ý:"), style=LABEL)


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
    return pdf_writer.render(minutes_document(mf, result, seal))


def _title_lines(*lines: str) -> str:
    return "\n".join(lines)


def minutes_document(mf: MeetingFile, result: MeetingResult, seal: SealInfo | None) -> Document:
    """Return the meeting minutes of SPEC 7 as the documents' one description."""
    names = _names(mf.members)
    by_key = {r.key: r for r in result.members}
    day = mf.meeting.starts_at
    story: list[Block] = [
        PartyHeader(heading_of(mf)),
        Space(5),
        para("BIÊN BẢN", style=TITLE),
        para(
            _title_lines(
                "Hội nghị kiểm điểm, đánh giá, xếp loại chất lượng", f"tổ chức đảng và đảng viên năm {mf.year}"
            ),
            style=SUBJECT,
        ),
        *differences_note(seal),
        para("I- THỜI GIAN, ĐỊA ĐIỂM, THÀNH PHẦN", style=SECTION),
    ]
    when = long_day_text(day)
    story.append(para(f"Hội nghị bắt đầu lúc {_time(mf, 'starts_at')}, {when}.", style=BODY))
    story.append(para(f"Địa điểm: {mf.meeting.location}.", style=BODY))
    chair = names.get(mf.meeting.chair or "", "...")
    taker = names.get(mf.meeting.minute_taker or "", "...")
    story.append(para(f"Chủ trì hội nghị: đồng chí {chair}. Thư ký hội nghị: đồng chí {taker}.", style=BODY))
    if mf.meeting.guests:
        guests = "; ".join(f"đồng chí {g.name}" + (f", {g.title}" if g.title else "") for g in mf.meeting.guests)
        story.append(para(f"Khách mời: {guests}.", style=BODY))
    official = sum(1 for m in mf.members if m.standing is Standing.OFFICIAL)
    story.append(
        para(
            f"Tổng số đảng viên của chi bộ: {len(mf.members)} đồng chí "
            f"({lower_first(STANDING_LABELS['official'])}: {official}, "
            f"{lower_first(STANDING_LABELS['probationary'])}: {len(mf.members) - official}).",
            style=BODY,
        )
    )
    not_rated = [m for m in mf.members if by_key[m.id].not_rated_reason]
    if not_rated:
        # lower_first, not lower(): "vào Đảng chưa đủ 6 tháng" keeps the Party's capital.
        listed = "; ".join(
            f"đồng chí {m.name} ({lower_first(NOT_RATED_LABELS[cast(NotRatedReason, by_key[m.id].not_rated_reason)])})"
            for m in not_rated
        )
        story.append(para(f"Không đánh giá, xếp loại: {len(not_rated)} đồng chí: {listed}.", style=BODY))
    present = [m for m in mf.members if m.attendance is Attendance.PRESENT]
    absent = [m for m in mf.members if m.attendance is not Attendance.PRESENT]
    story.append(para(f"Có mặt: {len(present)} đồng chí. Vắng mặt: {len(absent)} đồng chí.", style=BODY))
    for m in absent:
        why = "có lý do: " + m.absence_reason if m.attendance is Attendance.ABSENT_EXCUSED else "không có lý do"
        story.append(para(f"– Đồng chí {m.name}: vắng {why}.", style=BODY_PLAIN))
    verdict = "đủ" if result.quorum_met else "KHÔNG đủ"
    story.append(
        para(
            f"Số thành viên để tính tỉ lệ: {result.base}; đảng viên chính thức có mặt biểu quyết: "
            f"{result.voters_present}; cần ít nhất {result.quorum_required} ({format_ratio(mf.rules.quorum)}). "
            "Hội nghị ",
            bold(verdict),
            " số lượng theo quy định" + ("." if result.quorum_met else ": không thể niêm phong kết quả bỏ phiếu."),
            style=BODY,
        )
    )

    story.append(para("II- NỘI DUNG", style=SECTION))
    number = 1
    for review in mf.collective_reviews:
        whose = "tập thể chi bộ" if review.subject == "cell" else "tập thể chi ủy"
        story.append(Room(PART_ROOM_MM))
        story.append(para(f"{number}. Kiểm điểm {whose}", style=SUBSECTION))
        story.append(para(review.report) if review.report.strip() else para(italic(NOT_WRITTEN)))
        story.append(_feedback_label())
        story.extend(_feedback(mf, review.feedback))
        story.append(_labelled("Kết luận của chủ trì", review.conclusion))
        story.append(_labelled("Tự đánh giá, xếp loại", level_label(review.self_level)))
        if review.subject != "cell" and review.remedy_plan.strip():
            # The committee's own plan prints here; the cell's under its level (below).
            story.append(_labelled("Kế hoạch khắc phục hạn chế, khuyết điểm của chi ủy", review.remedy_plan))
        number += 1

    story.append(Room(PART_ROOM_MM))
    story.append(para(f"{number}. Kiểm điểm cá nhân đảng viên", style=SUBSECTION))
    number += 1
    reviewed = sorted(
        (m for m in mf.members if m.review is not None),
        key=lambda m: review_order_key(m.position, mf.members.index(m)),
    )
    for i, m in enumerate(reviewed, 1):
        r = m.review
        assert r is not None
        score = f" – tự chấm {r.self_score} điểm" if r.self_score is not None else ""
        story.append(para(f"{number - 1}.{i}. Đồng chí {m.name}", style=MEMBER_HEAD))
        story.append(_labelled("Tự kiểm điểm", r.summary))
        story.append(para(bold("Tự đánh giá, xếp loại:"), f" {level_label(r.self_level)}{score}.", style=BODY_PLAIN))
        story.append(_feedback_label())
        story.extend(_feedback(mf, r.feedback))
        story.append(_labelled("Ý kiến tiếp thu, giải trình", r.response))
        story.append(_labelled("Kết luận của chủ trì", r.conclusion))

    story.append(Room(PART_ROOM_MM))
    story.append(para(f"{number}. Bầu ban kiểm phiếu và kết quả bỏ phiếu", style=SUBSECTION))
    number += 1
    if mf.ballot is not None and mf.ballot.counters:
        chief, *others = mf.ballot.counters
        members = ", ".join(f"đồng chí {names[c]}" for c in others)
        story.append(
            para(
                f"Hội nghị biểu quyết thống nhất ban kiểm phiếu gồm: đồng chí {names[chief]} (trưởng ban)"
                + (f"; {members}" if members else "")
                + ". Kết quả kiểm phiếu có biên bản kiểm phiếu kèm theo.",
                style=BODY,
            )
        )
    else:
        story.append(para(italic("Chưa có kết quả kiểm phiếu.")))
    if mf.two_ballots and mf.ballot is not None:
        story.append(para(two_ballots_sentence(result)))

    story.append(Room(RESULTS_ROOM_MM))
    story.append(para(f"{number}. Kết quả đánh giá, xếp loại chất lượng đảng viên", style=SUBSECTION))
    number += 1
    story.append(results_table(mf, result))

    cell_review = next((c for c in mf.collective_reviews if c.subject == "cell"), None)
    story.append(Room(PART_ROOM_MM))
    story.append(para(f"{number}. Xếp loại tập thể chi bộ và kế hoạch khắc phục", style=SUBSECTION))
    cell_vote = result.cell.proposed_level
    story.append(
        para(
            "Chi bộ tự đánh giá: ",
            bold(level_label(cell_review.self_level if cell_review else None)),
            ". Kết quả biểu quyết, chi bộ đề nghị xếp loại: ",
            bold(level_label(cell_vote)),
            (" (không mức nào được quá nửa số thành viên)" if result.cell.vote_level == UNDECIDED else "") + ".",
        )
    )
    for flag in result.cell.flags:
        story.append(para(f"– Lưu ý: {flag_label(flag, mf.rules)}.", style=BODY_PLAIN))
    if result.quota.exceeded:
        story.append(
            para(
                f"– Lưu ý: số đảng viên đề nghị Hoàn thành xuất sắc nhiệm vụ ({result.quota.excellent}) vượt tỉ lệ "
                f"{format_ratio(mf.rules.quota_ratio)} (tối đa {result.quota.limit} trên {result.quota.pool}); "
                "đảng ủy cơ sở xem xét, quyết định.",
                style=BODY_PLAIN,
            )
        )
    if cell_review is not None and cell_review.remedy_plan.strip():
        story.append(_labelled("Kế hoạch khắc phục hạn chế, khuyết điểm", cell_review.remedy_plan))

    story.append(para("III- BẾ MẠC", style=SECTION))
    approved = mf.meeting.minutes_approved_by
    approved_text = f"{approved}/{len(present)}" if approved is not None else f".../{len(present)}"
    closing = (
        para(f"Biên bản được đọc lại trước hội nghị và được {approved_text} đồng chí có mặt nhất trí thông qua."),
        para(f"Hội nghị kết thúc lúc {_time(mf, 'ends_at')} cùng ngày."),
    )
    story.append(
        Signatures(
            (Signer("THƯ KÝ HỘI NGHỊ", name=taker), Signer("CHỦ TRÌ HỘI NGHỊ", name=chair)),
            closing=closing,
        )
    )
    return Document(f"Biên bản hội nghị năm {mf.year} – {mf.cell}", tuple(story), stamp_for(seal))


def _whom(members: int, cell: bool) -> str:
    """Return "3 đồng chí và tập thể chi bộ", "3 đồng chí", "tập thể chi bộ" or "không trường hợp nào"."""
    parts = ([f"{members} đồng chí"] if members else []) + ([lower_first(CELL_ROW_LABEL)] if cell else [])
    return " và ".join(parts) or "không trường hợp nào"


def two_ballots_sentence(result: MeetingResult) -> str:
    """Return the minutes' sentence on the two ballots (SPEC 5.8): what each decided, the candidates, who reached excellent."""
    first = (
        "Hội nghị bỏ phiếu hai lần: lần thứ nhất (phiếu vòng 1) xếp loại chất lượng đảng viên và tập thể chi bộ "
        f"ở các mức {LEVEL_LABELS[Level.GOOD]}, {LEVEL_LABELS[Level.COMPLETED]}, {LEVEL_LABELS[Level.NOT_COMPLETED]}"
    )
    candidates = result.candidates or ()
    if not candidates:
        return first + f"; không có trường hợp nào đạt {LEVEL_LABELS[Level.GOOD]} nên không biểu quyết vòng 2."
    members = [key for key in candidates if key != CELL_ROW]
    cell = CELL_ROW in candidates
    second = (
        f"; lần thứ hai (phiếu vòng 2) biểu quyết đề nghị {LEVEL_LABELS[Level.EXCELLENT]} đối với "
        f"{len(candidates)} trường hợp đạt {LEVEL_LABELS[Level.GOOD]} ở vòng 1 ({_whom(len(members), cell)})"
    )
    if result.awaiting_second_ballot:
        return first + second + ". Phiếu vòng 2 chưa có kết quả kiểm phiếu."
    by_key = {r.key: r for r in result.members}
    excellent = sum(1 for key in members if by_key[key].vote_level == Level.EXCELLENT)
    cell_excellent = cell and result.cell.vote_level == Level.EXCELLENT
    return (
        first + second + f". Kết quả: {_whom(excellent, cell_excellent)} đạt số phiếu đề nghị "
        f"{LEVEL_LABELS[Level.EXCELLENT]}."
    )


def results_table(mf: MeetingFile, result: MeetingResult) -> Table:
    """Return the table No. | Full name | Self-assessed | Cell proposes | Notes, with the totals under it."""
    by_key = {r.key: r for r in result.members}
    head = tuple(para(h, style=CELL_HEAD) for h in ("STT", "Họ và tên", "Tự đánh giá", "Chi bộ đề nghị", "Ghi chú"))
    rows: list[tuple[Para, ...]] = [head]
    for i, m in enumerate(mf.members, 1):
        r = by_key[m.id]
        own = LEVEL_SHORT[Level(m.review.self_level)] if m.review and m.review.self_level else "—"
        if not r.rated:
            proposed, notes = "—", NOT_RATED_LABELS[cast(NotRatedReason, r.not_rated_reason)]
        else:
            proposed = LEVEL_SHORT[r.proposed_level] if r.proposed_level else UNDECIDED_LABEL
            notes = "; ".join(flag_label(f, mf.rules) for f in r.flags)
        rows.append(
            (
                para(str(i), style=CELL_CENTER),
                para(m.name, style=CELL),
                para(own, style=CELL_CENTER),
                para(proposed, style=CELL_CENTER),
                para(notes, style=CELL_SMALL),
            )
        )
    totals = ", ".join(f"{LEVEL_LABELS[level]}: {result.summary[level.value]}" for level in LEVELS)
    extra = []
    if result.summary["not_rated"]:
        extra.append(f"{lower_first(NOT_RATED_LABEL)}: {result.summary['not_rated']}")
    if result.summary["undecided"]:
        extra.append(f"{lower_first(UNDECIDED_LABEL)}: {result.summary['undecided']}")
    summary = para(bold("Tổng hợp:"), f" {totals}" + (f"; {', '.join(extra)}" if extra else "") + ".", style=BODY_PLAIN)
    return Table((12, 50, 24, 27, TEXT_WIDTH_MM - 113), tuple(rows), keep_with=(summary,))


def count_minutes(mf: MeetingFile, result: MeetingResult, seal: SealInfo | None) -> bytes:
    """Return the vote-count minutes of SPEC 7 as PDF bytes."""
    return pdf_writer.render(count_minutes_document(mf, result, seal))


def count_minutes_document(mf: MeetingFile, result: MeetingResult, seal: SealInfo | None) -> Document:
    """Return the vote-count minutes of SPEC 7 as the documents' one description."""
    names = _names(mf.members)
    story: list[Block] = [
        PartyHeader(heading_of(mf)),
        Space(5),
        para("BIÊN BẢN KIỂM PHIẾU", style=TITLE),
        para(
            _title_lines("Đánh giá, xếp loại chất lượng đảng viên", f"và tập thể chi bộ năm {mf.year}"), style=SUBJECT
        ),
        *differences_note(seal),
    ]
    ballot = mf.ballot
    if ballot is None:
        story.append(para(italic("Chưa có kết quả kiểm phiếu.")))
        return Document(f"Biên bản kiểm phiếu năm {mf.year}", tuple(story), stamp_for(seal))
    chief, *others = ballot.counters or [""]
    story.append(para("Ban kiểm phiếu gồm các đồng chí:"))
    story.append(para(f"1. Đồng chí {names.get(chief, chief)} – Trưởng ban", style=BODY_PLAIN))
    for i, code in enumerate(others, 2):
        story.append(para(f"{i}. Đồng chí {names.get(code, code)} – Thành viên", style=BODY_PLAIN))
    official = sum(1 for m in mf.members if m.standing is Standing.OFFICIAL)
    absent = sum(1 for m in mf.members if m.attendance is not Attendance.PRESENT)
    story.append(
        para(
            f"Tổng số đảng viên chính thức được triệu tập: {official}; số thành viên để tính tỉ lệ: {result.base}; "
            f"đảng viên chính thức có mặt biểu quyết: {result.voters_present}; vắng mặt: {absent}."
        )
    )
    if mf.two_ballots:
        story.extend(_two_ballot_counts(mf, result, names))
        return _count_minutes_end(mf, story, names.get(chief, ""), seal)
    story.append(_paper_counts(ballot.issued, ballot.returned, ballot.invalid, ballot.invalid_reasons))
    story.append(para("Kết quả kiểm phiếu (tỉ lệ % tính trên số thành viên):"))
    head = (
        para("STT", style=CELL_HEAD_SMALL),
        para("Họ và tên", style=CELL_HEAD_SMALL),
        *(para(LEVEL_SHORT[level], style=CELL_HEAD_SMALL) for level in LEVELS),
        para(BLANK_LABEL, style=CELL_HEAD_SMALL),
        para("Mức đạt", style=CELL_HEAD_SMALL),
    )
    rows: list[tuple[Para, ...]] = [head]
    by_key = {r.key: r for r in result.members}
    keys = [m.id for m in mf.members if by_key[m.id].rated] + [CELL_ROW]
    for i, key in enumerate(keys, 1):
        votes = ballot.rows.get(key)
        if votes is None:
            continue
        reached = result.cell.vote_level if key == CELL_ROW else by_key[key].vote_level
        label = CELL_ROW_LABEL if key == CELL_ROW else names[key]
        cells = [
            para(f"{votes.for_level(level)}\n({_percent(votes.for_level(level), result.base)})", style=CELL_NUMBER)
            for level in LEVELS
        ]
        reached_text = UNDECIDED_LABEL if reached == UNDECIDED else LEVEL_SHORT[Level(reached)] if reached else "—"
        rows.append(
            (
                para(str(i), style=CELL_CENTER),
                para(bold(label), style=CELL) if key == CELL_ROW else para(label, style=CELL),
                *cells,
                para(str(votes.blank), style=CELL_NUMBER),
                para(reached_text, style=CELL_NUMBER),
            )
        )
    level_width = 19
    story.append(Table((11, TEXT_WIDTH_MM - 11 - 4 * level_width - 16 - 22, *[level_width] * 4, 16, 22), tuple(rows)))
    story.append(para(" · ".join(f"{LEVEL_SHORT[level]}: {LEVEL_LABELS[level]}" for level in LEVELS), style=LEGEND))
    return _count_minutes_end(mf, story, names.get(chief, ""), seal)


def _count_minutes_end(mf: MeetingFile, story: list[Block], chief: str, seal: SealInfo | None) -> Document:
    """Close the vote-count minutes: the chief counter's signature, the document."""
    story.append(
        Signatures(
            (Signer("T/M BAN KIỂM PHIẾU", "TRƯỞNG BAN", chief),),
            closing=(para("Ban kiểm phiếu lập biên bản này và công bố kết quả trước hội nghị."),),
        )
    )
    return Document(f"Biên bản kiểm phiếu năm {mf.year} – {mf.cell}", tuple(story), stamp_for(seal))


def _paper_counts(issued: int, returned: int, invalid: int, invalid_reasons: str) -> Para:
    """Return the sentence of a ballot's papers: issued, returned, valid, invalid (with the reasons)."""
    reasons = f" (lý do: {invalid_reasons})" if invalid and invalid_reasons else ""
    # One sentence: the first label as written, the others inside it.
    counted = {name: label if name == "issued" else lower_first(label) for name, label in BALLOT_COUNT_LABELS.items()}
    return para(
        f"{counted['issued']}: {issued}; {counted['returned']}: {returned}; "
        f"{counted['valid']}: {returned - invalid}; {counted['invalid']}: {invalid}{reasons}."
    )


def _count_cell(votes: int, base: int) -> Para:
    """Return a count table's cell: the votes and, under them, their share of the base."""
    return para(f"{votes}\n({_percent(votes, base)})", style=CELL_NUMBER)


def _reached_text(reached: Level | str | None) -> str:
    return UNDECIDED_LABEL if reached == UNDECIDED else LEVEL_SHORT[Level(reached)] if reached else "—"


def _row_label(key: str, names: dict[str, str]) -> Para:
    return para(bold(CELL_ROW_LABEL), style=CELL) if key == CELL_ROW else para(names[key], style=CELL)


def _count_head(*labels: str) -> tuple[Para, ...]:
    return tuple(para(label, style=CELL_HEAD_SMALL) for label in ("STT", "Họ và tên", *labels))


SECOND_REACHED = {True: "Đạt", False: "Không đạt"}


def _two_ballot_counts(mf: MeetingFile, result: MeetingResult, names: dict[str, str]) -> list[Block]:
    """Return the counts of both ballots (SPEC 5.8): each ballot's papers and rows, then the level reached."""
    ballot = mf.ballot
    assert ballot is not None
    base = result.base
    by_key = {r.key: r for r in result.members}
    keys = [m.id for m in mf.members if by_key[m.id].rated] + [CELL_ROW]
    story: list[Block] = [
        Room(PART_ROOM_MM),
        para(f"1. {BALLOT_NAMES[1]}", style=SUBSECTION),
        _paper_counts(ballot.issued, ballot.returned, ballot.invalid, ballot.invalid_reasons),
        para("Kết quả kiểm phiếu vòng 1 (tỉ lệ % tính trên số thành viên):"),
    ]
    levels = tuple(level for level in LEVELS if level is not Level.EXCELLENT)
    rows: list[tuple[Para, ...]] = [_count_head(*(LEVEL_SHORT[level] for level in levels), BLANK_LABEL, "Mức vòng 1")]
    for i, key in enumerate(keys, 1):
        votes = ballot.rows.get(key)
        if votes is None:
            continue
        rows.append(
            (
                para(str(i), style=CELL_CENTER),
                _row_label(key, names),
                *(_count_cell(votes.for_level(level), base) for level in levels),
                para(str(votes.blank), style=CELL_NUMBER),
                para(_reached_text(vote_level(votes, base, mf.rules)), style=CELL_NUMBER),
            )
        )
    width = 20
    story.append(Table((11, TEXT_WIDTH_MM - 11 - 3 * width - 18 - 24, *[width] * 3, 18, 24), tuple(rows)))
    story.append(para(" · ".join(f"{LEVEL_SHORT[level]}: {LEVEL_LABELS[level]}" for level in levels), style=LEGEND))

    story.append(Room(PART_ROOM_MM))
    story.append(para(f"2. {BALLOT_NAMES[2]}", style=SUBSECTION))
    second = ballot.second
    candidates = result.candidates or ()
    if not candidates:
        story.append(
            para(italic("Vòng 1 không có đảng viên, chi bộ nào đạt Hoàn thành tốt nhiệm vụ: không biểu quyết vòng 2."))
        )
    elif second is None:
        story.append(para(italic("Chưa có kết quả kiểm phiếu vòng 2.")))
    else:
        story.append(
            para(
                f"Biểu quyết đề nghị {LEVEL_LABELS[Level.EXCELLENT]} đối với {len(candidates)} trường hợp đạt "
                f"{LEVEL_LABELS[Level.GOOD]} ở vòng 1."
            )
        )
        story.append(_paper_counts(second.issued, second.returned, second.invalid, second.invalid_reasons))
        story.append(para("Kết quả kiểm phiếu vòng 2 (tỉ lệ % tính trên số thành viên):"))
        fields = ("agree", "disagree")
        rows = [_count_head(*(SECOND_BALLOT_COLUMN_LABELS[name] for name in fields), BLANK_LABEL, "Đạt HTXSNV")]
        number = 0
        for key in [k for k in keys if k in candidates]:
            row = second.rows.get(key)
            if row is None:
                continue
            number += 1
            agreed = passes_threshold(Level.EXCELLENT, row.agree, base, mf.rules)
            rows.append(
                (
                    para(str(number), style=CELL_CENTER),
                    _row_label(key, names),
                    *(_count_cell(getattr(row, name), base) for name in fields),
                    para(str(row.blank), style=CELL_NUMBER),
                    para(SECOND_REACHED[agreed], style=CELL_NUMBER),
                )
            )
        width = 24
        story.append(Table((11, TEXT_WIDTH_MM - 11 - 2 * width - 18 - 24, *[width] * 2, 18, 24), tuple(rows)))
        story.append(
            para(
                f"HTXSNV: {LEVEL_LABELS[Level.EXCELLENT]}; đạt khi số phiếu đồng ý "
                f"{'từ' if mf.rules.excellent_threshold > Fraction(1, 2) else 'quá'} "
                f"{format_ratio(mf.rules.excellent_threshold)} số thành viên.",
                style=LEGEND,
            )
        )

    story.append(Room(PART_ROOM_MM))
    story.append(para("3. Mức đạt qua hai vòng bỏ phiếu", style=SUBSECTION))
    rows = [_count_head("Mức vòng 1", "Vòng 2", "Mức đạt")]
    for i, key in enumerate(keys, 1):
        votes = ballot.rows.get(key)
        if votes is None:
            continue
        reached = result.cell.vote_level if key == CELL_ROW else by_key[key].vote_level
        if key not in candidates:
            second_text = "—"
        elif second is None or key not in second.rows:
            second_text = "Chưa kiểm"
        else:
            second_text = SECOND_REACHED[passes_threshold(Level.EXCELLENT, second.rows[key].agree, base, mf.rules)]
        rows.append(
            (
                para(str(i), style=CELL_CENTER),
                _row_label(key, names),
                para(_reached_text(vote_level(votes, base, mf.rules)), style=CELL_NUMBER),
                para(second_text, style=CELL_NUMBER),
                para(_reached_text(reached), style=CELL_NUMBER),
            )
        )
    story.append(Table((11, TEXT_WIDTH_MM - 11 - 3 * 26, 26, 26, 26), tuple(rows)))
    story.append(para(" · ".join(f"{LEVEL_SHORT[level]}: {LEVEL_LABELS[level]}" for level in LEVELS), style=LEGEND))
    return story
