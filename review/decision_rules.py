"""The ward committee's decision (SPEC 9): decided levels, the binding quota, issuing. Pure.

The cell only proposes; the committee (*đảng ủy cơ sở*) decides every rated member's level and
every cell's level for the year, checks the quota on ``excellent`` across all its cells, and
issues its decisions. This module holds those rules as functions over plain data; the shell
(``review.decisions``) gathers the cells' sealed results and the committee's choices, asks here,
and stores what is decided. The documents (``reports.decision``) print a :class:`DecisionPaper`.

Readings (SPEC 9 leaves them open; the examples support them):

- *Default.* A member's decided level is the cell's proposed level unless the committee chose
  another one (with a written reason); an undecided member (no majority) has none until the
  committee gives one. The same for a cell as an organisation.
- *The ratio.* The binding ratio is the year's ratio, but never above the profile's own
  (1/5), unless the committee recorded the number and date of its decision allowing the
  profile's higher ratio (1/4 from ``hd43-2025``): a ward rule override of 1/4 alone does not
  raise the binding limit.
- *The pool for cells* follows the same option as for members (SPEC 9: "with the same pool
  option"): cells decided ``good`` (or ``good`` or ``excellent``).
- *Not reviewed.* A cell recorded as not reviewed this year (newly formed, merged, dissolved)
  has no level and no members in the decision; only a cell without a sealed meeting can be
  recorded so (review.decisions refuses it for a sealed one: the committee decides its levels).
  A record made before the cell sealed keeps the cell out of the decision.
- *A choice and a new proposal.* A choice remembers the proposal it was made against; when the
  cell reopens and seals again with another proposal, the choice is stale and blocks the issue
  until the committee saves it again. A level equal to the proposal is no choice (the default).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum
from fractions import Fraction
from typing import Any

from .rules import LEVELS, PROFILES, UNDECIDED, Level, Quota, QuotaPool, Rules, format_ratio
from .text import CONTROL_MESSAGE, LINE_BREAK_MESSAGE, NAME_MAX, day_text, nfc, text_problem
from .translatable import N_, msg
from .vocabulary import LEVEL_LABELS

# ---------------------------------------------------------------------------
# What the committee records


class SignerTitle(StrEnum):
    """Who signs "T/M ĐẢNG ỦY" (SPEC 9)."""

    SECRETARY = "secretary"  # Bí thư
    DEPUTY_SECRETARY = "deputy_secretary"  # Phó Bí thư


SIGNER_TITLE_LABELS = {SignerTitle.SECRETARY: N_("Bí thư"), SignerTitle.DEPUTY_SECRETARY: N_("Phó Bí thư")}


class CellState(StrEnum):
    """Where a cell's meeting stands for the year, as SPEC 11's summary names it."""

    NO_MEETING = "no_meeting"
    RECORDING = "recording"
    COUNTING = "counting"
    SEALED = "sealed"


# Beside the four levels in the counts (SPEC 11).
NOT_RATED = "not_rated"
NOT_REVIEWED = "not_reviewed"

REASON_MIN = 5  # a written reason: at least a few letters
REASON_MAX = 2000
# The number is the document's, written the Vietnamese way in every language.
NUMBER_EXAMPLE = "15-QĐ/ĐU"  # i18n: vi-only
# "15-QĐ/ĐU": the number, "QĐ" (quyết định), the issuer's abbreviation "ĐU" (đảng ủy).
DECISION_NUMBER = re.compile(r"(?!0+-)([0-9]{1,5})-QĐ/ĐU")  # not "0-QĐ/ĐU"  # i18n: vi-only
NUMBER_SUFFIX = "QĐ/ĐU"  # i18n: vi-only
NUMBER_MESSAGE = msg(
    "Số quyết định viết theo mẫu “{example}”: số, gạch nối, “{suffix}”.", example=NUMBER_EXAMPLE, suffix=NUMBER_SUFFIX
)


@dataclass(frozen=True)
class Choice:
    """What the committee recorded for one member or one cell: a level, and why it differs."""

    level: Level | None
    reason: str = ""
    # The cell's proposal has changed since the committee chose (the cell reopened and sealed
    # again): the committee looks at the choice again before the decision can be issued.
    stale: bool = False


@dataclass(frozen=True)
class Allowance:
    """The committee's own decision allowing the profile's higher ratio (1/4 from hd43-2025)."""

    number: str
    day: date


@dataclass(frozen=True)
class MemberCase:
    """One member of a sealed cell, as the committee decides: the cell's proposal and its choice."""

    key: str  # the member's id in the database, as text
    name: str
    rated: bool
    not_rated_reason: str | None = None  # a NotRatedReason value, when not rated
    self_level: Level | None = None
    self_score: int | None = None
    proposed_level: Level | None = None  # None for a rated member: no majority (undecided)
    flags: tuple[str, ...] = ()
    choice: Choice | None = None

    @property
    def decided_level(self) -> Level | None:
        """Return the committee's level: its choice, or else the cell's proposal (None: undecided)."""
        return decided_level(self.proposed_level, self.choice) if self.rated else None

    @property
    def changed(self) -> bool:
        """Return whether the committee decided another level than the cell proposed."""
        return self.rated and self.decided_level is not None and self.decided_level != self.proposed_level


@dataclass(frozen=True)
class CellCase:
    """One cell of the organisation for the year, with its sealed proposal and the committee's choice."""

    key: str  # the cell's id in the database, as text
    name: str
    state: CellState
    members: tuple[MemberCase, ...] = ()
    proposed_level: Level | None = None  # the cell as an organisation; None: undecided or not sealed
    has_cell_vote: bool = False  # the sealed ballot had the cell's row
    flags: tuple[str, ...] = ()
    self_level: Level | None = None  # the cell's self-assessment (its collective review)
    choice: Choice | None = None
    not_reviewed_reason: str | None = None  # recorded as not reviewed this year
    meeting_id: int | None = None
    seal_version: int | None = None
    seal_fingerprint: str | None = None

    @property
    def sealed(self) -> bool:
        return self.state is CellState.SEALED

    @property
    def not_reviewed(self) -> bool:
        return self.not_reviewed_reason is not None

    @property
    def in_decision(self) -> bool:
        """Return whether the decision decides this cell and its members (sealed, not set aside)."""
        return self.sealed and not self.not_reviewed

    @property
    def decided_level(self) -> Level | None:
        return decided_level(self.proposed_level, self.choice) if self.in_decision else None

    @property
    def changed(self) -> bool:
        return self.in_decision and self.decided_level is not None and self.decided_level != self.proposed_level

    @property
    def rated_members(self) -> tuple[MemberCase, ...]:
        return tuple(m for m in self.members if m.rated)


def decided_level(proposed: Level | None, choice: Choice | None) -> Level | None:
    """Return the decided level: the committee's chosen level, or else the proposal (SPEC 9)."""
    if choice is not None and choice.level is not None:
        return choice.level
    return proposed


REASON_TOO_LONG = N_("Lý do dài quá {limit} ký tự.")


def clean_reason(raw: str | None) -> str:
    """Return a typed reason in NFC with its outer spaces removed."""
    return nfc(raw or "").strip()


def choice_problem(proposed: Level | None, level: Level | None, reason: str) -> str | None:
    """Return why a choice cannot be saved, in Vietnamese, or None (SPEC 9).

    A member (or a cell) without a majority needs a level; a level other than the cell's
    proposal needs a written reason.
    """
    if level is None:
        return (
            N_("Chi bộ không đề nghị được mức (chưa đủ quá nửa): chọn mức đảng ủy quyết định.")
            if proposed is None
            else None
        )
    text = clean_reason(reason)
    problem = text_problem(text, multiline=True)
    if problem is not None:
        return problem
    if len(text) > REASON_MAX:
        return msg(REASON_TOO_LONG, limit=REASON_MAX)
    if level != proposed and len(text) < REASON_MIN:
        if proposed is None:
            return N_("Ghi lý do đảng ủy quyết định mức này khi chi bộ chưa đề nghị được (ít nhất vài chữ).")
        return msg(
            "Mức {level} khác đề nghị của chi bộ ({proposed}): ghi lý do đảng ủy quyết định khác (ít nhất vài chữ).",
            level=LEVEL_LABELS[level],
            proposed=LEVEL_LABELS[proposed],
        )
    return None


def written_reason_problem(reason: str, missing: str) -> str | None:
    """Return why a required written reason cannot be saved (``missing``: what to write), or None."""
    text = clean_reason(reason)
    problem = text_problem(text, multiline=True)
    if problem is not None:
        return problem
    if len(text) < REASON_MIN:
        return missing
    if len(text) > REASON_MAX:
        return msg(REASON_TOO_LONG, limit=REASON_MAX)
    return None


def not_reviewed_problem(reason: str) -> str | None:
    """Return why a 'not reviewed this year' reason cannot be saved, or None."""
    return written_reason_problem(
        reason, N_("Ghi lý do chi bộ không đánh giá năm nay (mới thành lập, sáp nhập, giải thể...).")
    )


def reopen_problem(reason: str) -> str | None:
    """Return why a reopening's reason cannot be saved, or None."""
    return written_reason_problem(reason, N_("Ghi rõ lý do mở lại quyết định đã ban hành."))


# ---------------------------------------------------------------------------
# The binding quota across the organisation's cells (SPEC 9)


def binding_ratio(rules: Rules, allowance: Allowance | None) -> Fraction:
    """Return the ratio the binding quota applies.

    The year's ratio, never above its profile's own, unless the committee recorded its
    decision allowing the profile's higher ratio (``max_quota_ratio``, 1/4 from hd43-2025).
    """
    profile_ratio = PROFILES[rules.profile].quota_ratio
    if allowance is not None and allowance_allowed(rules):
        return rules.max_quota_ratio
    return min(rules.quota_ratio, profile_ratio)


def allowance_allowed(rules: Rules) -> bool:
    """Return whether the year's profile lets the committee allow a higher ratio by its decision."""
    return rules.max_quota_ratio > PROFILES[rules.profile].quota_ratio


def allowance_problems(rules: Rules, number: str, day: date | None, today: date) -> dict[str, str]:
    """Return the problems of a typed allowance (its decision's number and date), by field."""
    problems: dict[str, str] = {}
    if not allowance_allowed(rules):
        problems["allowance_number"] = msg(
            "Quy định năm nay ({profile}) không cho phép đảng ủy nâng tỉ lệ Hoàn thành xuất sắc.", profile=rules.profile
        )
        return problems
    if normalize_number(number) is None:
        problems["allowance_number"] = NUMBER_MESSAGE
    if day is None:
        problems["allowance_date"] = N_("Nhập ngày của quyết định cho phép (dd/mm/yyyy).")
    elif day > today:
        problems["allowance_date"] = N_("Ngày quyết định cho phép không thể ở tương lai.")
    return problems


def quota_of(counts: Mapping[str, int], pool_option: QuotaPool, ratio: Fraction) -> Quota:
    """Return the quota line for counts of decided levels: the pool, the limit, the excellent."""
    pool = counts.get(Level.GOOD, 0)
    if pool_option is QuotaPool.GOOD_OR_ABOVE:
        pool += counts.get(Level.EXCELLENT, 0)
    return Quota(pool=pool, limit=math.floor(ratio * pool), excellent=counts.get(Level.EXCELLENT, 0))


def empty_counts() -> dict[str, int]:
    """Return zero counts for the four levels and undecided."""
    return {str(level): 0 for level in LEVELS} | {UNDECIDED: 0}


def member_counts(cells: Iterable[CellCase], *, decided: bool = True) -> dict[str, int]:
    """Return the members per level (decided, or proposed), plus ``undecided`` and ``not_rated``."""
    counts = empty_counts() | {NOT_RATED: 0}
    for cell in cells:
        if not cell.in_decision:
            continue
        for member in cell.members:
            if not member.rated:
                counts[NOT_RATED] += 1
                continue
            level = member.decided_level if decided else member.proposed_level
            counts[str(level) if level is not None else UNDECIDED] += 1
    return counts


def cell_counts(cells: Iterable[CellCase], *, decided: bool = True) -> dict[str, int]:
    """Return the cells per level (decided, or proposed), plus ``undecided`` and ``not_reviewed``."""
    counts = empty_counts() | {NOT_REVIEWED: 0}
    for cell in cells:
        if cell.not_reviewed:
            counts[NOT_REVIEWED] += 1
        elif cell.sealed:
            level = cell.decided_level if decided else cell.proposed_level
            counts[str(level) if level is not None else UNDECIDED] += 1
    return counts


class BlockerKind(StrEnum):
    MEMBER_QUOTA = "member_quota"
    CELL_QUOTA = "cell_quota"
    UNDECIDED_MEMBER = "undecided_member"
    UNDECIDED_CELL = "undecided_cell"
    UNSEALED_CELL = "unsealed_cell"
    NO_CELL = "no_cell"
    STALE_CHOICE = "stale_choice"
    MISSING_REASON = "missing_reason"


@dataclass(frozen=True)
class Blocker:
    """One reason the decision cannot be issued, in Vietnamese, with what it is about."""

    kind: BlockerKind
    text: str
    cell_key: str | None = None
    member_key: str | None = None


@dataclass(frozen=True)
class Assessment:
    """Everything the committee's page and the issuing ask of the rules, for one organisation and year."""

    ratio: Fraction
    pool_option: QuotaPool
    members: dict[str, int]  # decided members per level, undecided, not rated
    cells: dict[str, int]  # decided cells per level, undecided, not reviewed
    member_quota: Quota
    cell_quota: Quota
    blockers: tuple[Blocker, ...] = field(default=())

    @property
    def can_issue(self) -> bool:
        return not self.blockers


def assess(cells: Sequence[CellCase], rules: Rules, allowance: Allowance | None) -> Assessment:
    """Return the decided counts, both binding quotas and every reason the decision cannot be issued."""
    ratio = binding_ratio(rules, allowance)
    members = member_counts(cells)
    cell_levels = cell_counts(cells)
    member_quota = quota_of(members, rules.quota_pool, ratio)
    cell_quota = quota_of(cell_levels, rules.quota_pool, ratio)
    blockers: list[Blocker] = []
    if not cells:
        blockers.append(Blocker(BlockerKind.NO_CELL, N_("Đảng bộ chưa có chi bộ nào.")))
    for cell in cells:
        if not cell.sealed and not cell.not_reviewed:
            blockers.append(
                Blocker(
                    BlockerKind.UNSEALED_CELL,
                    msg("{cell}: chưa niêm phong kết quả, cũng chưa ghi là không đánh giá năm nay.", cell=cell.name),
                    cell.key,
                )
            )
            continue
        if not cell.in_decision:
            continue
        for member in cell.members:
            if member.rated and member.choice is not None and member.choice.stale:
                blockers.append(
                    Blocker(
                        BlockerKind.STALE_CHOICE,
                        msg(
                            "{cell}: đề nghị của chi bộ cho đồng chí {name} đã thay đổi sau khi Đảng ủy chọn "
                            "mức (chi bộ niêm phong lại): xem lại và lưu lại mức Đảng ủy quyết định.",
                            cell=cell.name,
                            name=member.name,
                        ),
                        cell.key,
                        member.key,
                    )
                )
            elif member.changed and member.choice is not None and len(clean_reason(member.choice.reason)) < REASON_MIN:
                blockers.append(
                    Blocker(
                        BlockerKind.MISSING_REASON,
                        msg(
                            "{cell}: đồng chí {name} được quyết định khác đề nghị của chi bộ nhưng chưa ghi lý do.",
                            cell=cell.name,
                            name=member.name,
                        ),
                        cell.key,
                        member.key,
                    )
                )
            if member.rated and member.decided_level is None:
                blockers.append(
                    Blocker(
                        BlockerKind.UNDECIDED_MEMBER,
                        msg(
                            "{cell}: đồng chí {name} chưa có mức xếp loại (chi bộ chưa đủ quá nửa).",
                            cell=cell.name,
                            name=member.name,
                        ),
                        cell.key,
                        member.key,
                    )
                )
        if cell.choice is not None and cell.choice.stale:
            blockers.append(
                Blocker(
                    BlockerKind.STALE_CHOICE,
                    msg(
                        "{cell}: đề nghị của chi bộ (tập thể) đã thay đổi sau khi Đảng ủy chọn mức: xem lại và lưu lại.",
                        cell=cell.name,
                    ),
                    cell.key,
                )
            )
        elif cell.changed and cell.choice is not None and len(clean_reason(cell.choice.reason)) < REASON_MIN:
            blockers.append(
                Blocker(
                    BlockerKind.MISSING_REASON,
                    msg("{cell}: chi bộ được quyết định khác đề nghị nhưng chưa ghi lý do.", cell=cell.name),
                    cell.key,
                )
            )
        if cell.decided_level is None:
            blockers.append(
                Blocker(
                    BlockerKind.UNDECIDED_CELL,
                    msg("{cell}: chưa có mức xếp loại của chi bộ (tập thể).", cell=cell.name),
                    cell.key,
                )
            )
    share = format_ratio(ratio)
    if member_quota.exceeded:
        blockers.append(
            Blocker(
                BlockerKind.MEMBER_QUOTA,
                msg(
                    "Vượt tỉ lệ đảng viên Hoàn thành xuất sắc: {excellent} đảng viên, "
                    "tối đa {limit} ({share} của {pool}).",
                    excellent=member_quota.excellent,
                    limit=member_quota.limit,
                    share=share,
                    pool=member_quota.pool,
                ),
            )
        )
    if cell_quota.exceeded:
        blockers.append(
            Blocker(
                BlockerKind.CELL_QUOTA,
                msg(
                    "Vượt tỉ lệ chi bộ Hoàn thành xuất sắc: {excellent} chi bộ, tối đa {limit} ({share} của {pool}).",
                    excellent=cell_quota.excellent,
                    limit=cell_quota.limit,
                    share=share,
                    pool=cell_quota.pool,
                ),
            )
        )
    return Assessment(
        ratio=ratio,
        pool_option=rules.quota_pool,
        members=members,
        cells=cell_levels,
        member_quota=member_quota,
        cell_quota=cell_quota,
        blockers=tuple(blockers),
    )


# ---------------------------------------------------------------------------
# Issuing: the number, the date, the signer (SPEC 9)


def basis_token(cells: Sequence[CellCase]) -> str:
    """Return a short text naming what the decision rests on: each cell's state and seal in force.

    The issue form carries it as the page showed it; a cell sealed, reopened or added meanwhile
    changes it, and the issue is refused so that the committee issues what it saw.
    """
    parts = [
        f"{c.key}:{c.state}:{c.seal_version or 0}:{(c.seal_fingerprint or '')[:12]}:{int(c.not_reviewed)}"
        for c in sorted(cells, key=lambda c: int(c.key) if c.key.isdigit() else 0)
    ]
    return ",".join(parts) or "none"


def normalize_number(raw: str | None) -> str | None:
    """Return a decision number as it is printed ("15-QĐ/ĐU"), or None when it does not look like one.

    Spaces are dropped and letters put in capitals (so "15 - qđ/đu" is read); a leading zero
    of the number is kept as typed.
    """
    text = unicodedata.normalize("NFC", raw or "")
    text = "".join(text.split()).upper()
    return text if DECISION_NUMBER.fullmatch(text) else None


def date_problem(day: date | None, latest_meeting: date | None, today: date) -> str | None:
    """Return why a decision's date cannot be used, or None: not before the cells' meetings, not in the future."""
    if day is None:
        return N_("Nhập ngày ban hành (dd/mm/yyyy).")
    if day > today:
        return N_("Ngày ban hành không thể ở tương lai.")
    if latest_meeting is not None and day < latest_meeting:
        return msg(
            "Ngày ban hành phải từ ngày hội nghị chi bộ cuối cùng ({day}) trở đi: "
            "đảng ủy quyết định sau khi các chi bộ họp.",
            day=day_text(latest_meeting),
        )
    return None


# The one-line names of the issue form, and how their problems ask for them (missing, too long).
SIGNER_NAME = N_("Họ và tên người ký")
PLACE_NAME = N_("Địa danh")
NAME_MESSAGES = {
    SIGNER_NAME: (N_("Nhập họ và tên người ký."), N_("Họ và tên người ký dài quá {limit} ký tự.")),
    PLACE_NAME: (N_("Nhập địa danh."), N_("Địa danh dài quá {limit} ký tự.")),
}


def name_problem(raw: str | None, what: str = SIGNER_NAME) -> str | None:
    """Return why a signer's name (or a place: ``what`` PLACE_NAME) cannot be used, or None."""
    text = nfc(raw or "")
    if "\n" in text or "\r" in text:
        return LINE_BREAK_MESSAGE
    if text_problem(text, multiline=False) is not None:
        return CONTROL_MESSAGE
    text = text.strip()
    missing, too_long = NAME_MESSAGES.get(what, (N_("Nhập {what}."), N_("{what} dài quá {limit} ký tự.")))
    if not text:
        return msg(missing, what=what[:1].lower() + what[1:])
    if len(text) > NAME_MAX:
        return msg(too_long, what=what, limit=NAME_MAX)
    return None


@dataclass(frozen=True)
class Issue:
    """What issuing records beside the decided levels."""

    number: str
    day: date
    place: str
    signer_name: str
    signer_title: SignerTitle


# ---------------------------------------------------------------------------
# The decision as a document: the payload the seal fingerprints, the paper the reports print

PAYLOAD_FORMAT = "party-review-decision/1"


def payload_document(
    *,
    organization: str,
    superior: str,
    year: int,
    rules: Rules,
    allowance: Allowance | None,
    issue: Issue | None,
    cells: Sequence[CellCase],
) -> dict[str, Any]:
    """Return what a decision decides, as a JSON-ready document (the seal's payload, SPEC 9).

    Cells in name order as given; members in their meeting's order. Everything the documents
    print comes from here, so an issued decision's documents come from its seal alone.
    """
    assessment = assess(cells, rules, allowance)

    def level(value: Level | None) -> str | None:
        return str(value) if value is not None else None

    return {
        "format": PAYLOAD_FORMAT,
        "organization": organization,
        "superior": superior,
        "year": year,
        "rules": {
            "profile": rules.profile,
            "basis": rules.basis,
            "quota_ratio": format_ratio(assessment.ratio),
            "quota_pool": str(rules.quota_pool),
        },
        "allowance": None if allowance is None else {"number": allowance.number, "date": allowance.day.isoformat()},
        "issue": None
        if issue is None
        else {
            "number": issue.number,
            "date": issue.day.isoformat(),
            "place": issue.place,
            "signer": issue.signer_name,
            "title": str(issue.signer_title),
        },
        "cells": [
            {
                "id": cell.key,
                "name": cell.name,
                "state": str(cell.state),
                "not_reviewed_reason": cell.not_reviewed_reason,
                # The seal the decision rests on: only for a cell it decides.
                "meeting_id": cell.meeting_id if cell.in_decision else None,
                "seal_version": cell.seal_version if cell.in_decision else None,
                "seal_fingerprint": cell.seal_fingerprint if cell.in_decision else None,
                "proposed_level": level(cell.proposed_level) if cell.in_decision else None,
                "level": level(cell.decided_level),
                "reason": cell.choice.reason if cell.changed and cell.choice is not None else "",
                "members": [
                    {
                        "id": m.key,
                        "name": m.name,
                        "rated": m.rated,
                        "not_rated_reason": m.not_rated_reason,
                        "self_level": level(m.self_level),
                        "proposed_level": level(m.proposed_level),
                        "flags": list(m.flags),
                        "level": level(m.decided_level),
                        "reason": m.choice.reason if m.changed and m.choice is not None else "",
                    }
                    for m in cell.members
                ]
                if cell.in_decision
                else [],
            }
            for cell in cells
        ],
        "members": assessment.members,
        "cell_levels": assessment.cells,
        "member_quota": assessment.member_quota.as_dict(),
        "cell_quota": assessment.cell_quota.as_dict(),
    }


@dataclass(frozen=True)
class PaperMember:
    name: str
    level: str | None  # a level key; None: not decided (a draft)
    reason: str  # the committee's reason where it changed the proposal
    rated: bool = True
    not_rated_reason: str | None = None
    proposed_level: str | None = None


@dataclass(frozen=True)
class PaperCell:
    name: str
    level: str | None
    reason: str
    members: tuple[PaperMember, ...]
    not_reviewed_reason: str | None = None
    proposed_level: str | None = None
    counts: dict[str, int] = field(default_factory=dict)  # rated members per decided level, undecided, not rated


@dataclass(frozen=True)
class DecisionPaper:
    """What the committee's documents print: plain data read from a decision payload."""

    organization: str
    superior: str
    year: int
    profile: str
    basis: str
    number: str  # "" in a draft
    day: date | None
    place: str
    signer: str
    title: SignerTitle | None
    cells: tuple[PaperCell, ...]
    members: dict[str, int]
    cell_levels: dict[str, int]
    allowance: Allowance | None = None
    draft: bool = True
    version: int | None = None
    fingerprint: str | None = None

    @property
    def rated_count(self) -> int:
        return sum(self.members.get(str(level), 0) for level in LEVELS) + self.members.get(UNDECIDED, 0)

    @property
    def reviewed_cells(self) -> tuple[PaperCell, ...]:
        return tuple(c for c in self.cells if c.not_reviewed_reason is None)


def paper(
    document: Mapping[str, Any], *, draft: bool, version: int | None = None, fingerprint: str | None = None
) -> DecisionPaper:
    """Return the documents' plain data from a payload document (see :func:`payload_document`)."""
    issue = document.get("issue") or {}
    allowance = document.get("allowance")
    cells = []
    for cell in document["cells"]:
        members = tuple(
            PaperMember(
                name=m["name"],
                level=m["level"],
                reason=m.get("reason") or "",
                rated=m["rated"],
                not_rated_reason=m.get("not_rated_reason"),
                proposed_level=m.get("proposed_level"),
            )
            for m in cell["members"]
        )
        counts = empty_counts() | {NOT_RATED: 0}
        for m in members:
            counts[NOT_RATED if not m.rated else (m.level or UNDECIDED)] += 1
        cells.append(
            PaperCell(
                name=cell["name"],
                level=cell["level"],
                reason=cell.get("reason") or "",
                members=members,
                not_reviewed_reason=cell.get("not_reviewed_reason"),
                proposed_level=cell.get("proposed_level"),
                counts=counts,
            )
        )
    day = issue.get("date")
    return DecisionPaper(
        organization=document["organization"],
        superior=document.get("superior") or "",
        year=document["year"],
        profile=document["rules"]["profile"],
        basis=document["rules"].get("basis") or "",
        number=issue.get("number") or "",
        day=date.fromisoformat(day) if day else None,
        place=issue.get("place") or "",
        signer=issue.get("signer") or "",
        title=SignerTitle(issue["title"]) if issue.get("title") else None,
        cells=tuple(cells),
        members=dict(document["members"]),
        cell_levels=dict(document["cell_levels"]),
        allowance=Allowance(allowance["number"], date.fromisoformat(allowance["date"])) if allowance else None,
        draft=draft,
        version=version,
        fingerprint=fingerprint,
    )


# ---------------------------------------------------------------------------
# The organisation's summary (SPEC 11)


@dataclass(frozen=True)
class SummaryCell:
    """One cell as the summary counts it: its state and, when sealed, its sealed results."""

    name: str
    state: CellState
    proposed: Mapping[str, int] | None = None  # the seal's summary: levels, undecided, not_rated
    cell_level: str | None = None  # the cell's proposed level, or "undecided"


SUMMARY_KEYS = (*(str(level) for level in LEVELS), NOT_RATED, UNDECIDED)


def organization_summary(
    organization: str,
    year: int,
    cells: Sequence[SummaryCell],
    rules: Rules,
    decided: Mapping[str, int] | None = None,
    decision: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Return SPEC 11's summary document: cells by name in code point order, totals, the quota.

    The quota is SPEC 5.6 counted across the sealed cells' proposals, by the year's rules.
    ``decided`` (the counts of an issued decision) and ``decision`` (number, date, version)
    are added once the committee has decided.
    """
    rows: list[dict[str, Any]] = []
    totals = dict.fromkeys(SUMMARY_KEYS, 0)
    for cell in sorted(cells, key=lambda c: c.name):
        row: dict[str, Any] = {"cell": cell.name, "state": str(cell.state)}
        if cell.state is CellState.SEALED and cell.proposed is not None:
            proposed = {key: int(cell.proposed.get(key, 0)) for key in SUMMARY_KEYS}
            row["proposed"] = proposed
            row["cell_level"] = cell.cell_level
            for key in SUMMARY_KEYS:
                totals[key] += proposed[key]
        rows.append(row)
    quota = quota_of(totals, rules.quota_pool, rules.quota_ratio)
    document: dict[str, Any] = {
        "organization": organization,
        "year": year,
        "cells": rows,
        "totals": totals,
        "quota": quota.as_dict(),
    }
    if decided is not None:
        document["decided"] = {key: int(decided.get(key, 0)) for key in SUMMARY_KEYS}
    if decision is not None:
        document["decision"] = dict(decision)
    return document


def cells_in_order(cells: Iterable[CellCase]) -> list[CellCase]:
    """Return cells in name order, code point order (the same on every database)."""
    return sorted(cells, key=lambda c: c.name)


def with_choices(
    cell: CellCase, member_choices: Mapping[str, Choice], cell_choice: Choice | None, not_reviewed: str | None
) -> CellCase:
    """Return a cell with the committee's recorded choices applied."""
    members = tuple(replace(m, choice=member_choices.get(m.key)) for m in cell.members)
    return replace(cell, members=members, choice=cell_choice, not_reviewed_reason=not_reviewed)
