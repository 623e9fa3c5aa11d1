"""The rating rules of the year-end review: the functional core.

Pure functions over plain values, with no Flask or database imports. Every ratio
is a ``fractions.Fraction`` and every comparison is an exact integer one
(SPEC 4, 5 and 6). The views, the command line and the documents gather data,
call :func:`evaluate` and render what it returns; no rule lives anywhere else.

Readings of points SPEC leaves open (each is written down where it is made):

* a threshold is "more than half of the base" for every level (SPEC 5.2); the
  ``excellent_threshold`` override adds "at least that share of the base" on top,
  so ``1/2`` (the default) changes nothing and ``2/3`` reads as SPEC's
  ``3 x votes >= 2 x base``;
* "less than 6 months before the meeting" adds six calendar months to the
  admission date (the day clamped to the month's end); admitted exactly six
  months before the meeting day is rated;
* a cap is flagged only when it lowered the level; ``disciplined`` is flagged
  whenever it sets the level, and sets it even without a majority;
* the quorum cannot be met with a base of zero.
"""

from __future__ import annotations

import calendar
import math
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from enum import StrEnum
from fractions import Fraction
from typing import Any, cast

from . import vocabulary
from .translatable import N_, msg


class Level(StrEnum):
    """A rating level, best first (SPEC 2)."""

    EXCELLENT = "excellent"  # Hoàn thành xuất sắc nhiệm vụ
    GOOD = "good"  # Hoàn thành tốt nhiệm vụ
    COMPLETED = "completed"  # Hoàn thành nhiệm vụ
    NOT_COMPLETED = "not_completed"  # Không hoàn thành nhiệm vụ

    @property
    def rank(self) -> int:
        """Return 0 for the best level, 3 for the lowest."""
        return LEVELS.index(self)

    @property
    def label(self) -> str:
        """Return the Vietnamese name of the level."""
        return LEVEL_LABELS[self]

    @property
    def short(self) -> str:
        """Return the Vietnamese abbreviation of the level."""
        return LEVEL_SHORT[self]


LEVELS: tuple[Level, ...] = tuple(Level)
# The words live in review/vocabulary.py; these enum-keyed views keep the historical names.
LEVEL_LABELS = {level: vocabulary.LEVEL_LABELS[level] for level in LEVELS}
LEVEL_SHORT = {level: vocabulary.LEVEL_SHORT[level] for level in LEVELS}
UNDECIDED = "undecided"  # no majority: the cell votes again or the ward decides


class Standing(StrEnum):
    OFFICIAL = "official"  # đảng viên chính thức
    PROBATIONARY = "probationary"  # đảng viên dự bị


class Position(StrEnum):
    SECRETARY = "secretary"  # bí thư
    DEPUTY_SECRETARY = "deputy_secretary"  # phó bí thư
    COMMITTEE = "committee"  # chi ủy viên
    MEMBER = "member"  # đảng viên


class Attendance(StrEnum):
    PRESENT = "present"  # có mặt
    ABSENT_EXCUSED = "absent_excused"  # vắng có lý do
    ABSENT = "absent"  # vắng không lý do


class NotRatedReason(StrEnum):
    EXEMPT = "exempt"  # miễn công tác và sinh hoạt đảng
    SUSPENDED = "suspended"  # đình chỉ sinh hoạt đảng
    NEW_MEMBER = "new_member"  # vào Đảng chưa đủ 6 tháng


class BallotMode(StrEnum):
    SINGLE = "single"
    TWO_PHASE = "two_phase"


class QuotaPool(StrEnum):
    GOOD_ONLY = "good_only"
    GOOD_OR_ABOVE = "good_or_above"


class AgreeCap(StrEnum):
    """The cap on a ballot-2 paper's agree marks (SPEC 5.8, option ``agree_cap``)."""

    NONE = "none"
    QUOTA = "quota"  # at most floor(quota_ratio x member candidates) agree marks a paper


# Flags beside a member's result (SPEC 5.4, 5.9) and beside the cell's (SPEC 5.5).
FLAG_DISCIPLINED = "disciplined"
FLAG_SICK_LEAVE_CAP = "sick_leave_cap"
FLAG_SCORE_CAP = "score_cap"
FLAG_NO_MAJORITY = "no_majority"
FLAG_TWO_YEARS = "two_years_not_completed"
FLAG_MEMBER_NOT_COMPLETED = "member_not_completed"
FLAG_MANY_NOT_COMPLETED = "many_not_completed"

# The profiles' sick-leave cap (SPEC 6: "sick-leave cap at 3 months", none in hd43-2025).
SICK_LEAVE_CAP_MONTHS = 3
# The months of the new-member rule (SPEC 3: admitted less than 6 months before the meeting).
NEW_MEMBER_MONTHS = 6


# The flags' wordings; the sick-leave cap's names the profiles' default cap: :func:`flag_label`
# names the cap of the rules in force.
FLAG_LABELS = {
    FLAG_DISCIPLINED: vocabulary.FLAG_LABELS[FLAG_DISCIPLINED],
    FLAG_SICK_LEAVE_CAP: vocabulary.sick_leave_cap_label(SICK_LEAVE_CAP_MONTHS),
    **{
        flag: vocabulary.FLAG_LABELS[flag]
        for flag in (
            FLAG_SCORE_CAP,
            FLAG_NO_MAJORITY,
            FLAG_TWO_YEARS,
            FLAG_MEMBER_NOT_COMPLETED,
            FLAG_MANY_NOT_COMPLETED,
        )
    },
}

NOT_RATED_LABELS = {
    NotRatedReason.EXEMPT: vocabulary.NOT_RATED_LABELS[NotRatedReason.EXEMPT],
    NotRatedReason.SUSPENDED: vocabulary.NOT_RATED_LABELS[NotRatedReason.SUSPENDED],
    NotRatedReason.NEW_MEMBER: vocabulary.new_member_label(NEW_MEMBER_MONTHS),
}


# ---------------------------------------------------------------------------
# Rule profiles (SPEC 6)


@dataclass(frozen=True)
class Rules:
    """The parameters in force for one ward organisation and year."""

    profile: str
    first_year: int
    last_year: int | None
    quorum: Fraction = Fraction(2, 3)
    excellent_threshold: Fraction = Fraction(1, 2)
    cumulative: bool = True
    ballot_mode: BallotMode = BallotMode.SINGLE
    quota_ratio: Fraction = Fraction(1, 5)
    quota_pool: QuotaPool = QuotaPool.GOOD_ONLY
    agree_cap: AgreeCap = AgreeCap.NONE
    max_quota_ratio: Fraction = Fraction(1, 5)
    sick_leave_cap_months: int | None = SICK_LEAVE_CAP_MONTHS
    new_members_reviewed: bool = True
    scored: bool = False
    basis: str = ""  # the central texts behind the profile, as the results page cites them

    def applies_to(self, year: int) -> bool:
        """Return whether the profile is meant for the review year."""
        return self.first_year <= year and (self.last_year is None or year <= self.last_year)

    @property
    def years(self) -> str:
        """Return the profile's years as Vietnamese text, e.g. '2019–2022'."""
        return f"{self.first_year}–{self.last_year}" if self.last_year else msg("từ {year}", year=self.first_year)


PROFILES: dict[str, Rules] = {
    # 132-QĐ/TW (2018), 21-HD/BTCTW (2019): new members reviewed but not rated.
    "hd21-2019": Rules(
        profile="hd21-2019",
        first_year=2019,
        last_year=2022,
        # The Party texts it follows; their numbers (132-QĐ/TW) are names, kept as they are in English.
        basis=N_("Quy định 132-QĐ/TW (2018), Hướng dẫn 21-HD/BTCTW (2019)"),
    ),
    # 124-QĐ/TW (2023), 25-HD/BTCTW (2023): new members neither reviewed nor rated.
    "hd25-2023": Rules(
        profile="hd25-2023",
        first_year=2023,
        last_year=2024,
        new_members_reviewed=False,
        basis=N_("Quy định 124-QĐ/TW (2023), Hướng dẫn 25-HD/BTCTW (2023)"),
    ),
    # 366-QĐ/TW (2025), 43-HD/BTCTW (2025): 100-point score, no sick-leave cap,
    # the deciding committee may allow a quota of 1/4.
    "hd43-2025": Rules(
        profile="hd43-2025",
        first_year=2025,
        last_year=None,
        new_members_reviewed=False,
        sick_leave_cap_months=None,
        scored=True,
        max_quota_ratio=Fraction(1, 4),
        basis=N_("Quy định 366-QĐ/TW (2025), Hướng dẫn 43-HD/BTCTW (2025)"),
    ),
}
# The texts each profile rests on (SPEC 6), by profile name.
PROFILE_BASIS: dict[str, str] = {name: profile.basis for name, profile in PROFILES.items()}

# The first year a profile scores the self-review (SPEC 2: the 100-point score, from 2025).
FIRST_SCORED_YEAR = min(p.first_year for p in PROFILES.values() if p.scored)

# The parameters a ward organisation may set for a review year over its profile (SPEC 6): what
# a meeting file's ``rules`` and a stored review year (models.ReviewYear.OVERRIDES) keep besides
# the profile's name.
OVERRIDE_KEYS = (
    "quorum",
    "excellent_threshold",
    "cumulative",
    "ballot_mode",
    "quota_ratio",
    "quota_pool",
    "agree_cap",
)
# The overrides written as a ratio ("2/3").
RATIO_OVERRIDE_KEYS = ("quorum", "excellent_threshold", "quota_ratio")

# The review years every form, the rule pages and the meeting file (so the command line's
# import too) accept. From 2019: SPEC 6's first profile, hd21-2019, makes 2019 the first year the
# software rates, and a year no profile covers cannot be rated (the seed example is 2020). Up to
# 2100: the profile in force (hd43-2025) has no last year, so the bound only refuses a mistyped
# year (9999, 20200) and leaves room for the profiles to come; it was the rule pages' bound already.
# (Before: 2019-2100 on the rule pages, 2000-9999 in the ward's export form, 1930-2200 in the
# meeting file.)
FIRST_REVIEW_YEAR = 2019
LAST_REVIEW_YEAR = 2100


def is_review_year(year: int) -> bool:
    """Return whether ``year`` is one the software reviews (FIRST_REVIEW_YEAR to LAST_REVIEW_YEAR)."""
    return FIRST_REVIEW_YEAR <= year <= LAST_REVIEW_YEAR


@dataclass(frozen=True)
class Problem:
    """One thing wrong, at a path of keys under the checked value."""

    path: tuple[str | int, ...]
    message: str


RATIO = re.compile(r"\s*([0-9]{1,6})\s*(?:/\s*([0-9]{1,6})\s*)?", re.ASCII)


def parse_ratio(text: object) -> Fraction | None:
    """Return the fraction written as 'p/q' (or an integer), or None if it is not one."""
    if not isinstance(text, str):
        return None
    match = RATIO.fullmatch(text)
    if match is None:
        return None
    numerator = int(match.group(1))
    denominator = int(match.group(2)) if match.group(2) is not None else 1
    if denominator == 0:
        return None
    return Fraction(numerator, denominator)


def format_ratio(value: Fraction) -> str:
    """Return a fraction written as 'p/q'."""
    return f"{value.numerator}/{value.denominator}"


def resolve_rules(profile: str, overrides: Mapping[str, object]) -> tuple[Rules | None, list[Problem]]:
    """Return the profile with its overrides applied, or the problems that prevent it."""
    base = PROFILES.get(profile)
    if base is None:
        known = ", ".join(PROFILES)
        return None, [
            Problem(
                ("profile",),
                msg("Hồ sơ quy định không có: '{profile}'. Chọn một trong: {known}.", profile=profile, known=known),
            )
        ]
    problems: list[Problem] = []
    changes: dict[str, Any] = {}  # Rules' fields, checked one by one below
    for key, value in overrides.items():
        if key not in OVERRIDE_KEYS:
            problems.append(Problem((key,), msg("Không có tham số quy định '{key}'.", key=key)))
            continue
        if key in RATIO_OVERRIDE_KEYS:
            ratio = parse_ratio(value)
            if ratio is None:
                problems.append(Problem((key,), msg('Cần một tỉ lệ dạng "2/3", nhận được {value}.', value=repr(value))))
                continue
            low = {"quorum": Fraction(0), "excellent_threshold": Fraction(1, 2), "quota_ratio": Fraction(0)}[key]
            high = base.max_quota_ratio if key == "quota_ratio" else Fraction(1)
            low_ok = ratio >= low if key == "excellent_threshold" else ratio > low
            if not (low_ok and ratio <= high):
                bound = N_("từ 1/2") if key == "excellent_threshold" else N_("lớn hơn 0")
                problems.append(
                    Problem(
                        (key,),
                        msg(
                            "Tỉ lệ {ratio} không hợp lệ: cần {bound} và không quá {high}.",
                            ratio=format_ratio(ratio),
                            bound=bound,
                            high=format_ratio(high),
                        ),
                    )
                )
                continue
            changes[key] = ratio
        elif key == "cumulative":
            if not isinstance(value, bool):
                problems.append(Problem((key,), msg("Cần true hoặc false, nhận được {value}.", value=repr(value))))
                continue
            changes[key] = value
        elif key == "ballot_mode":
            if value not in tuple(BallotMode):
                problems.append(
                    Problem((key,), msg('Cần "single" hoặc "two_phase", nhận được {value}.', value=repr(value)))
                )
                continue
            changes[key] = BallotMode(cast(str, value))
        elif key == "agree_cap":
            if value not in tuple(AgreeCap):
                problems.append(Problem((key,), msg('Cần "none" hoặc "quota", nhận được {value}.', value=repr(value))))
                continue
            changes[key] = AgreeCap(cast(str, value))
        else:  # quota_pool
            if value not in tuple(QuotaPool):
                problems.append(
                    Problem((key,), msg('Cần "good_only" hoặc "good_or_above", nhận được {value}.', value=repr(value)))
                )
                continue
            changes[key] = QuotaPool(cast(str, value))
    # The agree cap is an option of the second ballot (SPEC 8: "under two ballots"): with a
    # single ballot it would silently mean nothing, so it is refused.
    if (
        not problems
        and changes.get("agree_cap", base.agree_cap) is not AgreeCap.NONE
        and changes.get("ballot_mode", base.ballot_mode) is not BallotMode.TWO_PHASE
    ):
        problems.append(
            Problem(("agree_cap",), N_('Giới hạn phiếu đồng ý chỉ áp dụng khi bỏ phiếu hai vòng ("two_phase").'))
        )
    if problems:
        return None, problems
    return replace(base, **changes), []


def rules_overrides(rules: Rules) -> dict[str, object]:
    """Return the parameters of ``rules`` that differ from its profile, as a meeting file writes them."""
    base = PROFILES[rules.profile]
    out: dict[str, object] = {}
    for key in OVERRIDE_KEYS:
        value = getattr(rules, key)
        if value != getattr(base, key):
            out[key] = (
                format_ratio(value)
                if isinstance(value, Fraction)
                else str(value)
                if isinstance(value, StrEnum)
                else value
            )
    return out


def default_profile(year: int) -> Rules | None:
    """Return the profile meant for ``year`` (SPEC 6), or None before 2019 (FIRST_REVIEW_YEAR)."""
    return next((p for p in PROFILES.values() if p.applies_to(year)), None)


def meeting_day_fits_year(review_year: int, day: date) -> bool:
    """Return whether a review meeting on ``day`` can be that year's (December, or January after)."""
    return day.year in (review_year, review_year + 1)


# A review meeting lasts hours; one that goes on past midnight still ends the next day. Its
# end is refused when it comes more than this after its start (an end typed as 9999).
MAX_MEETING_LENGTH = timedelta(days=2)


def meeting_end_fits(review_year: int, starts_at: datetime | None, ends_at: datetime) -> bool:
    """Return whether a meeting that started at ``starts_at`` can have ended at ``ends_at``.

    No earlier than the start and at most MAX_MEETING_LENGTH after it; with no start recorded
    yet, on a day that fits the review year (:func:`meeting_day_fits_year`).
    """
    if starts_at is None:
        return meeting_day_fits_year(review_year, ends_at.date())
    return starts_at <= ends_at <= starts_at + MAX_MEETING_LENGTH


def profiled_years(current_year: int) -> range:
    """Return the review years a rule profile covers, as of ``current_year``.

    From the first profile's first year to the last one's last year; the profile still in
    force (no last year) covers up to the year after ``current_year``: the guidance for later
    years is not written yet, and a meeting is recorded in its year (or the January after).
    """
    first = min(p.first_year for p in PROFILES.values())
    last = max(current_year + 1 if p.last_year is None else p.last_year for p in PROFILES.values())
    return range(first, min(last, LAST_REVIEW_YEAR) + 1)


def flag_label(flag: str, rules: Rules) -> str:
    """Return a flag's Vietnamese wording under ``rules``: the sick-leave cap names the profile's months."""
    if flag == FLAG_SICK_LEAVE_CAP and rules.sick_leave_cap_months is not None:
        return vocabulary.sick_leave_cap_label(rules.sick_leave_cap_months)
    return FLAG_LABELS[flag]


# ---------------------------------------------------------------------------
# Members, the base and the quorum (SPEC 3, 4, 5.1)


@dataclass(frozen=True)
class MemberFacts:
    """What the rules need to know of one member for one review year."""

    key: str
    standing: Standing
    admitted_on: date
    attendance: Attendance = Attendance.PRESENT
    exempt: bool = False
    suspended: bool = False
    temporary_elsewhere: bool = False
    sick_leave_months: int = 0
    disciplined_in_year: bool = False
    previous_level: Level | None = None
    self_score: int | None = None

    def __post_init__(self) -> None:
        # Accept plain strings too (e.g. straight from JSON): the rules compare enum members.
        object.__setattr__(self, "standing", Standing(self.standing))
        object.__setattr__(self, "attendance", Attendance(self.attendance))
        if self.previous_level is not None:
            object.__setattr__(self, "previous_level", Level(self.previous_level))


def add_months(day: date, months: int) -> date:
    """Return the same day ``months`` calendar months later, clamped to the month's end."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def is_new_member(admitted_on: date, meeting_day: date) -> bool:
    """Return whether the member was admitted less than six months before the meeting."""
    try:
        six_months_on = add_months(admitted_on, NEW_MEMBER_MONTHS)
    except ValueError:  # past year 9999: certainly not six months before any meeting
        return True
    return six_months_on > meeting_day


def not_rated_reason(member: MemberFacts, meeting_day: date) -> NotRatedReason | None:
    """Return why the member is not rated this year, or None when they are (SPEC 3)."""
    if member.exempt:
        return NotRatedReason.EXEMPT
    if member.suspended:
        return NotRatedReason.SUSPENDED
    if is_new_member(member.admitted_on, meeting_day):
        return NotRatedReason.NEW_MEMBER
    return None


def is_reviewed(member: MemberFacts, meeting_day: date, rules: Rules) -> bool:
    """Return whether the member takes part in the self-criticism (SPEC 3, 6)."""
    reason = not_rated_reason(member, meeting_day)
    return reason is None or (reason is NotRatedReason.NEW_MEMBER and rules.new_members_reviewed)


def is_voter(member: MemberFacts) -> bool:
    """Return whether the member votes: official, present, not suspended (SPEC 4)."""
    return member.standing is Standing.OFFICIAL and member.attendance is Attendance.PRESENT and not member.suspended


# ---------------------------------------------------------------------------
# The counting committee (ban kiểm phiếu, SPEC 1.5): official members present who vote.

# Two independent entries of the ballots need two counters.
MIN_COUNTERS = 2


class CounterBar(StrEnum):
    """Why a member may not sit on the counting committee."""

    PROBATIONARY = "probationary"  # đảng viên dự bị
    SUSPENDED = "suspended"  # đình chỉ sinh hoạt đảng: no vote
    ABSENT_EXCUSED = "absent_excused"  # vắng có lý do
    ABSENT = "absent"  # vắng không lý do


# The committee page's wording, beside the member's name.
COUNTER_BAR_LABELS = {
    CounterBar.PROBATIONARY: N_("Đảng viên dự bị: không được tham gia ban kiểm phiếu."),
    CounterBar.SUSPENDED: N_("Bị đình chỉ sinh hoạt đảng: không có quyền biểu quyết."),
    CounterBar.ABSENT_EXCUSED: N_("Vắng có lý do: không tham gia ban kiểm phiếu."),
    CounterBar.ABSENT: N_("Vắng mặt: không tham gia ban kiểm phiếu."),
}


def counter_bar(standing: Standing | str, attendance: Attendance | str, suspended: bool) -> CounterBar | None:
    """Return why a member may not count the ballots, or None when they may (exactly the voters, :func:`is_voter`)."""
    if Standing(standing) is not Standing.OFFICIAL:
        return CounterBar.PROBATIONARY
    if suspended:
        return CounterBar.SUSPENDED
    if Attendance(attendance) is Attendance.ABSENT_EXCUSED:
        return CounterBar.ABSENT_EXCUSED
    if Attendance(attendance) is Attendance.ABSENT:
        return CounterBar.ABSENT
    return None


def counter_refusal(name: str, bar: CounterBar) -> str:
    """Return the sentence refusing member ``name`` a seat on the committee (the meeting file, the committee form)."""
    if bar is CounterBar.PROBATIONARY:
        return msg("Đồng chí {name} là đảng viên dự bị, không được tham gia ban kiểm phiếu.", name=name)
    return msg("Đồng chí {name} không có mặt với quyền biểu quyết, không thể kiểm phiếu.", name=name)


def in_base(member: MemberFacts) -> bool:
    """Return whether the member counts in the base, the denominator of every rule (SPEC 4)."""
    if member.standing is not Standing.OFFICIAL:
        return False
    if member.temporary_elsewhere or member.suspended:
        return False
    if member.exempt and member.attendance is not Attendance.PRESENT:
        return False
    return member.attendance is not Attendance.ABSENT_EXCUSED


def vote_base(members: Iterable[MemberFacts]) -> int:
    """Return the base (số thành viên): official members summoned, less those SPEC 4 removes."""
    return sum(1 for m in members if in_base(m))


def voters_present(members: Iterable[MemberFacts]) -> int:
    """Return the number of voters present."""
    return sum(1 for m in members if is_voter(m))


def quorum_required(base: int, quorum: Fraction) -> int:
    """Return the smallest number of voters present that makes the quorum."""
    return -((-quorum.numerator * base) // quorum.denominator)


def quorum_met(present: int, base: int, quorum: Fraction) -> bool:
    """Return whether ``present / base >= quorum``; never with a base of zero (SPEC 5.1)."""
    return base > 0 and present * quorum.denominator >= quorum.numerator * base


# ---------------------------------------------------------------------------
# Votes and levels (SPEC 5.2, 5.3)


@dataclass(frozen=True)
class Votes:
    """One ballot row: the votes per level and the blank or spoilt marks."""

    excellent: int = 0
    good: int = 0
    completed: int = 0
    not_completed: int = 0
    blank: int = 0

    def for_level(self, level: Level) -> int:
        """Return the votes for one level."""
        votes: int = getattr(self, level.value)
        return votes

    @property
    def total(self) -> int:
        """Return all marks on the row, blanks included."""
        return self.excellent + self.good + self.completed + self.not_completed + self.blank

    def as_dict(self) -> dict[str, int]:
        """Return the row as a meeting file writes it."""
        return {name: getattr(self, name) for name in VOTE_FIELDS}


VOTE_FIELDS = ("excellent", "good", "completed", "not_completed", "blank")
# Ballot 1 of two (SPEC 5.8, phiếu xếp loại): no excellent box.
FIRST_BALLOT_FIELDS = ("good", "completed", "not_completed", "blank")


def passes_majority(votes: int, base: int) -> bool:
    """Return whether ``votes`` are more than half of the base (SPEC 5.2)."""
    return 2 * votes > base


def passes_threshold(level: Level, votes: int, base: int, rules: Rules) -> bool:
    """Return whether ``votes`` reach ``level``: a majority, and for excellent its share too."""
    if not passes_majority(votes, base):
        return False
    if level is Level.EXCELLENT:
        share = rules.excellent_threshold
        return votes * share.denominator >= share.numerator * base
    return True


def vote_level(votes: Votes, base: int, rules: Rules) -> Level | str:
    """Return the level the row reaches, or ``UNDECIDED`` (SPEC 5.3)."""
    running = 0
    for level in LEVELS:
        counted = votes.for_level(level)
        if rules.cumulative:
            running += counted  # cộng dồn: a vote for a higher level supports every lower one
            counted = running
        if passes_threshold(level, counted, base, rules):
            return level
    return UNDECIDED


def score_band(score: int) -> Level:
    """Return the level a 100-point score bands to (SPEC 2, from 2025)."""
    if score >= 90:
        return Level.EXCELLENT
    if score >= 70:
        return Level.GOOD
    if score >= 50:
        return Level.COMPLETED
    return Level.NOT_COMPLETED


def lower(a: Level, b: Level) -> Level:
    """Return the lower of two levels."""
    return a if a.rank >= b.rank else b


# ---------------------------------------------------------------------------
# Ballot consistency (SPEC 5.7)


@dataclass(frozen=True)
class BallotCount:
    """The counted ballot: papers issued, returned, invalid, and one row per subject."""

    issued: int
    returned: int
    invalid: int
    rows: Mapping[str, Votes]
    invalid_reasons: str = ""

    @property
    def valid(self) -> int:
        """Return the valid ballots: returned less invalid."""
        return self.returned - self.invalid


CELL_ROW = "cell"


def paper_problems(issued: int, returned: int, invalid: int, voters: int) -> list[Problem]:
    """Return what is wrong with a ballot's paper counts (SPEC 5.7): negatives, returned <= issued <= voters, invalid <= returned."""
    problems: list[Problem] = []
    for name, value in (("issued", issued), ("returned", returned), ("invalid", invalid)):
        if value < 0:
            problems.append(Problem((name,), msg("Số âm không hợp lệ: {value}.", value=value)))
    if returned > issued:
        problems.append(
            Problem(
                ("returned",),
                msg(
                    "Số phiếu thu vào ({returned}) lớn hơn số phiếu phát ra ({issued}).",
                    returned=returned,
                    issued=issued,
                ),
            )
        )
    if issued > voters:
        problems.append(
            Problem(
                ("issued",),
                msg(
                    "Số phiếu phát ra ({issued}) lớn hơn số đảng viên có quyền biểu quyết có mặt ({voters}).",
                    issued=issued,
                    voters=voters,
                ),
            )
        )
    if invalid > returned:
        problems.append(
            Problem(
                ("invalid",),
                msg(
                    "Số phiếu không hợp lệ ({invalid}) lớn hơn số phiếu thu vào ({returned}).",
                    invalid=invalid,
                    returned=returned,
                ),
            )
        )
    return problems


def row_total_problem(key: str, row: Any, fields: Sequence[str], valid: int) -> Problem:
    """Return the problem of a ballot row whose cells do not add up to the valid papers (either ballot)."""
    parts = " + ".join(str(getattr(row, name)) for name in fields)
    return Problem(
        ("rows", key),
        msg("Tổng các ô {parts} = {total}, khác số phiếu hợp lệ {valid}.", parts=parts, total=row.total, valid=valid),
    )


def check_ballot(
    ballot: BallotCount, voters: int, rated_keys: Sequence[str], first_of_two: bool = False
) -> list[Problem]:
    """Return every inconsistency of the ballot, each naming its row and numbers (SPEC 5.7).

    ``first_of_two``: the ballot is ballot 1 of two (SPEC 5.8), whose paper has no excellent box.
    """
    problems = paper_problems(ballot.issued, ballot.returned, ballot.invalid, voters)
    expected = list(rated_keys) + [CELL_ROW]
    for key in expected:
        if key not in ballot.rows:
            problems.append(Problem(("rows", key), N_("Thiếu dòng kết quả kiểm phiếu.")))
    for key, row in ballot.rows.items():
        if key not in expected:
            problems.append(Problem(("rows", key), N_("Dòng này không thuộc phiếu: đảng viên không được xếp loại.")))
            continue
        fields = FIRST_BALLOT_FIELDS if first_of_two else VOTE_FIELDS
        if first_of_two and row.excellent:
            problems.append(
                Problem(
                    ("rows", key, "excellent"),
                    msg(
                        "Phiếu vòng 1 không có ô Hoàn thành xuất sắc nhiệm vụ, nhận được {count} phiếu.",
                        count=row.excellent,
                    ),
                )
            )
            continue
        negative = [name for name in fields if getattr(row, name) < 0]
        for name in negative:
            problems.append(Problem(("rows", key, name), msg("Số âm không hợp lệ: {value}.", value=getattr(row, name))))
        if not negative and row.total != ballot.valid:
            problems.append(row_total_problem(key, row, fields, ballot.valid))
    return problems


# ---------------------------------------------------------------------------
# Ballot 2 of two (SPEC 5.8, phiếu biểu quyết đề nghị Hoàn thành xuất sắc nhiệm vụ)
#
# Ballot 1 is a BallotCount whose rows' ``excellent`` is 0 (FIRST_BALLOT_FIELDS): the levels it
# reaches are found by vote_level itself, cumulative from good down. Its candidates (each rated
# member, and the cell, whose ballot-1 level is good) are asked agree or disagree on ballot 2.


@dataclass(frozen=True)
class SecondVotes:
    """One row of ballot 2: agree, disagree, and the blank or spoilt marks."""

    agree: int = 0
    disagree: int = 0
    blank: int = 0

    @property
    def total(self) -> int:
        """Return all marks on the row, blanks included."""
        return self.agree + self.disagree + self.blank

    def as_dict(self) -> dict[str, int]:
        """Return the row as a meeting file writes it."""
        return {name: getattr(self, name) for name in SECOND_BALLOT_FIELDS}


SECOND_BALLOT_FIELDS = ("agree", "disagree", "blank")


@dataclass(frozen=True)
class SecondBallotCount:
    """Ballot 2 counted: its own papers issued, returned, invalid, and one row per candidate."""

    issued: int
    returned: int
    invalid: int
    rows: Mapping[str, SecondVotes]
    invalid_reasons: str = ""

    @property
    def valid(self) -> int:
        """Return the valid ballots: returned less invalid."""
        return self.returned - self.invalid


def candidates_of(first_levels: Mapping[str, Level | str | None]) -> tuple[str, ...]:
    """Return ballot 2's candidates, sorted: the rows whose ballot-1 vote level is good (SPEC 5.8).

    ``first_levels``: each rated member's key, and CELL_ROW, to its ballot-1 vote level (before
    the caps of SPEC 5.4: the vote decides who is asked; a cap lowers the proposed level after).
    """
    return tuple(sorted(key for key, level in first_levels.items() if level == Level.GOOD))


def agree_cap(rules: Rules, member_candidates: int) -> int | None:
    """Return the most agree marks one ballot-2 paper may carry over the members, or None (no cap).

    ``agree_cap = quota``: floor(quota_ratio x member candidates), the cell's row not counted.
    """
    if rules.agree_cap is AgreeCap.NONE:
        return None
    return math.floor(rules.quota_ratio * member_candidates)


def check_second_ballot(
    ballot: SecondBallotCount,
    voters: int,
    candidates: Sequence[str],
    rules: Rules,
    undetermined: Collection[str] = (),
) -> list[Problem]:
    """Return every inconsistency of ballot 2, each naming its row and numbers (SPEC 5.7, 5.8).

    ``undetermined``: rows whose ballot-1 row is itself refused (missing, or not adding up), so
    whether they are candidates is not known: a ballot-2 row for one is neither required nor
    refused as a non-candidate's (ballot 1's problem is named; naming it twice would mislead),
    but its own numbers are still checked.
    """
    problems = paper_problems(ballot.issued, ballot.returned, ballot.invalid, voters)
    for key in candidates:
        if key not in ballot.rows:
            problems.append(Problem(("rows", key), N_("Thiếu dòng của người được đề nghị ở phiếu vòng 2.")))
    sound_rows = True
    for key, row in ballot.rows.items():
        if key not in candidates and key not in undetermined:
            problems.append(
                Problem(
                    ("rows", key),
                    N_(
                        "Dòng này không thuộc phiếu vòng 2: chỉ ai đạt Hoàn thành tốt nhiệm vụ ở vòng 1 mới được biểu quyết."
                    ),
                )
            )
            sound_rows = False
            continue
        negative = [name for name in SECOND_BALLOT_FIELDS if getattr(row, name) < 0]
        for name in negative:
            problems.append(Problem(("rows", key, name), msg("Số âm không hợp lệ: {value}.", value=getattr(row, name))))
        if negative:
            sound_rows = False
        elif row.total != ballot.valid:
            problems.append(row_total_problem(key, row, SECOND_BALLOT_FIELDS, ballot.valid))
    members = [key for key in candidates if key != CELL_ROW]
    cap = agree_cap(rules, len(members))
    if cap is not None and sound_rows and ballot.valid >= 0:
        agreed = sum(ballot.rows[key].agree for key in members if key in ballot.rows)
        if agreed > ballot.valid * cap:
            problems.append(
                Problem(
                    ("rows",),
                    msg(
                        "Tổng phiếu đồng ý của các đảng viên ({agreed}) vượt quá {valid} phiếu hợp lệ × "
                        "{cap} ô đồng ý tối đa mỗi phiếu = {allowed}: phiếu đồng ý quá số cho phép "
                        "là phiếu không hợp lệ.",
                        agreed=agreed,
                        valid=ballot.valid,
                        cap=cap,
                        allowed=ballot.valid * cap,
                    ),
                )
            )
    return problems


def first_ballot_level(votes: Votes, base: int, rules: Rules) -> Level | str:
    """Return a row's ballot-1 level under two ballots: ``vote_level``, never above good.

    Ballot 1 has no excellent box (SPEC 5.8): excellent marks on it are refused by
    check_ballot(first_of_two=True), and until they are corrected they make no one excellent
    (nor keep anyone from ballot 2: the row reaches good, the most ballot 1 gives).
    """
    reached = vote_level(votes, base, rules)
    return Level.GOOD if reached == Level.EXCELLENT else reached


def combined_level(first: Votes, second: SecondVotes | None, base: int, rules: Rules) -> Level | str:
    """Return a row's vote level: ballot 2's excellent when its agree marks reach the excellent
    threshold of a candidate (ballot-1 level good), else ballot 1's level (SPEC 5.8).

    With ``second`` None (a single ballot, or a row not on ballot 2) it is ``vote_level``,
    under two ballots never above good (:func:`first_ballot_level`).
    """
    two = rules.ballot_mode is BallotMode.TWO_PHASE
    reached = first_ballot_level(first, base, rules) if two else vote_level(first, base, rules)
    if reached == Level.GOOD and second is not None and passes_threshold(Level.EXCELLENT, second.agree, base, rules):
        return Level.EXCELLENT
    return reached


@dataclass(frozen=True)
class LevelStep:
    """One comparison behind a row's combined level, as the results page explains it (SPEC 5.2, 5.3, 5.8).

    ``votes``: on ballot 1 the votes counted for ``level`` (the running total from good down
    under cumulative counting), on ballot 2 the agree marks. ``share``: the excellent threshold
    asked on top of the majority, None when the majority alone is asked. ``majority`` and
    ``passed`` are the core's own comparisons (passes_majority, passes_threshold).
    """

    ballot: int  # 1 or 2
    level: Level
    votes: int
    base: int
    cumulative: bool
    share: Fraction | None
    majority: bool
    passed: bool


def level_steps(first: Votes, second: SecondVotes | None, base: int, rules: Rules) -> tuple[LevelStep, ...]:
    """Return the comparisons that give a two-ballot row its combined level (:func:`combined_level`).

    Ballot 1's deciding step: the first level from good down whose votes pass, or the last one
    tried when none does (no majority); then, when the row reached good and ballot 2 is given,
    ballot 2's agree marks against the excellent threshold.
    """
    steps: list[LevelStep] = []
    running = 0
    for level in LEVELS[1:]:  # ballot 1 has no excellent box (FIRST_BALLOT_FIELDS)
        counted = first.for_level(level)
        if rules.cumulative:
            running += counted
            counted = running
        passed = passes_threshold(level, counted, base, rules)
        step = LevelStep(1, level, counted, base, rules.cumulative, None, passes_majority(counted, base), passed)
        if passed or level is LEVELS[-1]:
            steps.append(step)
            break
    if steps[0].passed and steps[0].level is Level.GOOD and second is not None:
        share = None if excellent_is_majority_only(rules) else rules.excellent_threshold
        steps.append(
            LevelStep(
                2,
                Level.EXCELLENT,
                second.agree,
                base,
                rules.cumulative,
                share,
                passes_majority(second.agree, base),
                passes_threshold(Level.EXCELLENT, second.agree, base, rules),
            )
        )
    return tuple(steps)


# ---------------------------------------------------------------------------
# Results (SPEC 5.4 to 5.6, 5.9)


@dataclass(frozen=True)
class MemberResult:
    key: str
    rated: bool
    not_rated_reason: NotRatedReason | None
    vote_level: Level | str | None
    proposed_level: Level | None
    flags: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, object]:
        """Return the result as a meeting file's ``results.members`` writes it."""
        return {
            "id": self.key,
            "rated": self.rated,
            "not_rated_reason": self.not_rated_reason and str(self.not_rated_reason),
            "vote_level": self.vote_level and str(self.vote_level),
            "proposed_level": self.proposed_level and str(self.proposed_level),
            "flags": list(self.flags),
        }


@dataclass(frozen=True)
class CellResult:
    vote_level: Level | str | None
    proposed_level: Level | None
    flags: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, object]:
        """Return the result as a meeting file's ``results.cell`` writes it."""
        return {
            "vote_level": self.vote_level and str(self.vote_level),
            "proposed_level": self.proposed_level and str(self.proposed_level),
            "flags": list(self.flags),
        }


@dataclass(frozen=True)
class Quota:
    pool: int
    limit: int
    excellent: int

    @property
    def exceeded(self) -> bool:
        """Return whether more members are proposed excellent than the quota allows."""
        return self.excellent > self.limit

    def as_dict(self) -> dict[str, object]:
        """Return the quota line as a meeting file writes it."""
        return {"pool": self.pool, "limit": self.limit, "excellent": self.excellent, "exceeded": self.exceeded}


def member_result(
    member: MemberFacts,
    votes: Votes | None,
    base: int,
    meeting_day: date,
    rules: Rules,
    second: SecondVotes | None = None,
) -> MemberResult:
    """Return the member's vote level, proposed level and flags (SPEC 5.3, 5.4, 5.8, 5.9).

    ``second``: the member's row of ballot 2, when they are a candidate and it is counted.
    """
    reason = not_rated_reason(member, meeting_day)
    if reason is not None:
        return MemberResult(member.key, False, reason, None, None)
    if votes is None:
        return MemberResult(member.key, True, None, None, None)
    flags: set[str] = set()
    reached = combined_level(votes, second, base, rules)
    proposed: Level | None = None if reached == UNDECIDED else Level(reached)
    if reached == UNDECIDED:
        flags.add(FLAG_NO_MAJORITY)
    if member.disciplined_in_year:
        proposed = Level.NOT_COMPLETED  # one disciplinary case counts in one year only
        flags.add(FLAG_DISCIPLINED)
    elif proposed is not None:
        caps: list[tuple[Level, str]] = []
        if rules.sick_leave_cap_months is not None and member.sick_leave_months >= rules.sick_leave_cap_months:
            caps.append((Level.COMPLETED, FLAG_SICK_LEAVE_CAP))
        if rules.scored and member.self_score is not None:
            caps.append((score_band(member.self_score), FLAG_SCORE_CAP))
        for cap, flag in caps:
            if proposed.rank < cap.rank:
                proposed = cap
                flags.add(flag)
    if proposed is Level.NOT_COMPLETED and member.previous_level is Level.NOT_COMPLETED:
        flags.add(FLAG_TWO_YEARS)  # only a flag: the cell considers xóa tên
    return MemberResult(member.key, True, None, reached, proposed, tuple(sorted(flags)))


def cell_result(
    votes: Votes | None,
    base: int,
    members: Sequence[MemberResult],
    rules: Rules,
    second: SecondVotes | None = None,
) -> CellResult:
    """Return the cell's level as an organisation and its warnings (SPEC 5.5, 5.8)."""
    if votes is None:
        return CellResult(None, None)
    flags: set[str] = set()
    reached = combined_level(votes, second, base, rules)
    proposed = None if reached == UNDECIDED else Level(reached)
    if proposed is None:
        flags.add(FLAG_NO_MAJORITY)
    rated = [m for m in members if m.rated]
    not_completed = sum(1 for m in rated if m.proposed_level is Level.NOT_COMPLETED)
    if proposed is not None and proposed.rank <= Level.GOOD.rank and not_completed:
        flags.add(FLAG_MEMBER_NOT_COMPLETED)
    if proposed is not None and proposed is not Level.NOT_COMPLETED and 5 * not_completed > len(rated):
        flags.add(FLAG_MANY_NOT_COMPLETED)
    return CellResult(reached, proposed, tuple(sorted(flags)))


def quota(counts: Mapping[str, int], rules: Rules) -> Quota:
    """Return the quota on excellent for counts of proposed levels (SPEC 5.6)."""
    pool = counts.get(Level.GOOD, 0)
    if rules.quota_pool is QuotaPool.GOOD_OR_ABOVE:
        pool += counts.get(Level.EXCELLENT, 0)
    limit = math.floor(rules.quota_ratio * pool)
    return Quota(pool=pool, limit=limit, excellent=counts.get(Level.EXCELLENT, 0))


def summarize(members: Sequence[MemberResult]) -> dict[str, int]:
    """Return the counts of proposed levels, plus ``not_rated`` and ``undecided``."""
    counts = {str(level): 0 for level in LEVELS} | {"not_rated": 0, "undecided": 0}
    for m in members:
        if not m.rated:
            counts["not_rated"] += 1
        elif m.proposed_level is None:
            if m.vote_level is not None:
                counts["undecided"] += 1
        else:
            counts[str(m.proposed_level)] += 1
    return counts


@dataclass(frozen=True)
class MeetingResult:
    base: int
    voters_present: int
    quorum_required: int
    quorum_met: bool
    members: tuple[MemberResult, ...]
    cell: CellResult
    summary: dict[str, int]
    quota: Quota
    ballot_problems: tuple[Problem, ...] = field(default=())
    # Two ballots (SPEC 5.8): ballot 2's candidates (sorted, CELL_ROW among them when it is one),
    # None under a single ballot or before ballot 1 is counted; ballot 2's own checks; and
    # whether ballot 2 is still to be counted (the levels are then ballot 1's; never when
    # ballot 1 gave no candidate).
    candidates: tuple[str, ...] | None = None
    second_ballot_problems: tuple[Problem, ...] = field(default=())
    awaiting_second_ballot: bool = False

    def member(self, key: str) -> MemberResult:
        """Return one member's result by key."""
        return next(m for m in self.members if m.key == key)

    def as_dict(self) -> dict[str, object]:
        """Return the results as a meeting file's ``results`` writes them (SPEC 8; format 2 adds ``candidates``)."""
        head: dict[str, object] = {} if self.candidates is None else {"candidates": list(self.candidates)}
        return head | {
            "base": self.base,
            "voters_present": self.voters_present,
            "quorum_required": self.quorum_required,
            "quorum_met": self.quorum_met,
            "members": [m.as_dict() for m in self.members],
            "cell": self.cell.as_dict(),
            "summary": dict(self.summary),
            "quota": self.quota.as_dict(),
        }


def evaluate(
    rules: Rules,
    meeting_day: date,
    members: Sequence[MemberFacts],
    ballot: BallotCount | None,
    second: SecondBallotCount | None = None,
) -> MeetingResult:
    """Return every result of the meeting, computed in full even without quorum (SPEC 5, 8).

    Under two ballots (SPEC 5.8) ``ballot`` is ballot 1 (no excellent marks) and ``second``
    ballot 2, or None while it is not counted yet: the levels are then ballot 1's.
    """
    base = vote_base(members)
    present = voters_present(members)
    two = rules.ballot_mode is BallotMode.TWO_PHASE
    rows = ballot.rows if ballot is not None else {}
    counted = ballot is not None
    candidates: tuple[str, ...] | None = None
    second_rows: Mapping[str, SecondVotes] = {}
    if two and counted:
        first_levels = {
            m.key: first_ballot_level(rows[m.key], base, rules)
            for m in members
            if not_rated_reason(m, meeting_day) is None and m.key in rows
        }
        if CELL_ROW in rows:
            first_levels[CELL_ROW] = first_ballot_level(rows[CELL_ROW], base, rules)
        candidates = candidates_of(first_levels)
        if second is not None:
            second_rows = {k: v for k, v in second.rows.items() if k in candidates}
    results = tuple(
        member_result(m, rows.get(m.key) if counted else None, base, meeting_day, rules, second_rows.get(m.key))
        for m in members
    )
    problems: tuple[Problem, ...] = ()
    second_problems: tuple[Problem, ...] = ()
    if ballot is not None:
        rated_keys = [r.key for r in results if r.rated]
        problems = tuple(check_ballot(ballot, present, rated_keys, first_of_two=two))
    if two and second is not None and candidates is not None:
        # A row refused on ballot 1 leaves its candidacy unknown (see check_second_ballot).
        # Only a rated member's row or the cell's: a not-rated member is never a candidate.
        rows_of_rated = {r.key for r in results if r.rated} | {CELL_ROW}
        undetermined = {str(p.path[1]) for p in problems if len(p.path) >= 2 and p.path[0] == "rows"}
        undetermined = (undetermined & rows_of_rated) - set(candidates)
        second_problems = tuple(check_second_ballot(second, present, candidates, rules, undetermined))
    summary = summarize(results)
    return MeetingResult(
        base=base,
        voters_present=present,
        quorum_required=quorum_required(base, rules.quorum),
        quorum_met=quorum_met(present, base, rules.quorum),
        members=results,
        cell=cell_result(rows.get(CELL_ROW) if counted else None, base, results, rules, second_rows.get(CELL_ROW)),
        summary=summary,
        quota=quota(summary, rules),
        ballot_problems=problems,
        candidates=candidates,
        second_ballot_problems=second_problems,
        # No candidate: no ballot 2 is held (SPEC 5.8 asks it only of the candidates).
        awaiting_second_ballot=two and counted and second is None and bool(candidates),
    )


def quota_across(summaries: Iterable[Mapping[str, int]], rules: Rules) -> Quota:
    """Return the binding quota check across all cells of a ward organisation (SPEC 5.6)."""
    totals: dict[str, int] = {}
    for summary in summaries:
        for key, count in summary.items():
            totals[key] = totals.get(key, 0) + count
    return quota(totals, rules)


def can_seal(result: MeetingResult) -> bool:
    """Return whether the ballot may be sealed: every check passes and the quorum is met.

    Under two ballots, with ballot 2 counted, its checks must pass too; before, ballot 1's
    alone decide whether ballot 1 may be sealed.
    """
    return result.quorum_met and not result.ballot_problems and not result.second_ballot_problems


# ---------------------------------------------------------------------------
# Order of the individual reviews (SPEC 1.4): the head first.

POSITION_ORDER = {
    Position.SECRETARY: 0,
    Position.DEPUTY_SECRETARY: 1,
    Position.COMMITTEE: 2,
    Position.MEMBER: 3,
}


# The positions a cell has at most one of, at any time (the roster and the meeting file refuse a second).
SINGLE_POSITIONS = (Position.SECRETARY, Position.DEPUTY_SECRETARY)

# The cell has a committee (chi ủy) when its ward says so (the cell's "Có chi ủy") or when
# someone besides the secretary holds a committee seat.
COMMITTEE_SEATS = frozenset({Position.DEPUTY_SECRETARY, Position.COMMITTEE})


def has_committee(positions: Iterable[Position | str], declared: bool = False) -> bool:
    """Return whether a cell whose members hold ``positions`` has a committee to review itself.

    ``declared``: the ward recorded that the cell has a committee (Cell.has_committee).
    """
    return declared or any(Position(position) in COMMITTEE_SEATS for position in positions)


def review_order_key(position: Position, roll_order: int) -> tuple[int, int]:
    """Return the sort key of a member in the self-criticism order."""
    return (POSITION_ORDER[position], roll_order)


# ---------------------------------------------------------------------------
# Double entry (standard remedy for typing errors in tallying)


@dataclass(frozen=True)
class Difference:
    """A number two independent entries of the same ballots disagree on."""

    path: tuple[str, ...]  # ("issued",) or ("rows", key, field)
    first: int | None
    second: int | None


def compare_ballots(
    first: BallotCount | SecondBallotCount, second: BallotCount | SecondBallotCount
) -> list[Difference]:
    """Return every number on which two entries differ, row by row, in the first entry's order.

    Two entries of one ballot: a single ballot or ballot 1 (rows of Votes), or ballot 2 (rows
    of SecondVotes). Only numbers are compared: the reasons for invalid ballots are free text,
    taken from the first entry.
    """
    fields = SECOND_BALLOT_FIELDS if isinstance(first, SecondBallotCount) else VOTE_FIELDS
    differences = [
        Difference((name,), getattr(first, name), getattr(second, name))
        for name in ("issued", "returned", "invalid")
        if getattr(first, name) != getattr(second, name)
    ]
    keys = list(first.rows) + [k for k in second.rows if k not in first.rows]
    for key in keys:
        a, b = first.rows.get(key), second.rows.get(key)
        for name in fields:
            x = getattr(a, name) if a is not None else None
            y = getattr(b, name) if b is not None else None
            if x != y:
                differences.append(Difference(("rows", key, name), x, y))
    return differences


# ---------------------------------------------------------------------------
# Threshold comparisons the pages state (once made in the views)


def excellent_is_majority_only(rules: Rules) -> bool:
    """Return whether excellent asks no more than its profile's threshold: a majority, as every level.

    Otherwise the excellent level asks its own share of the base on top of the majority
    (``passes_threshold``), and the pages say so.
    """
    return rules.excellent_threshold <= PROFILES[rules.profile].excellent_threshold


def quota_ratio_may_rise(rules: Rules) -> bool:
    """Return whether the profile lets the party committee raise the quota ratio above the one applied."""
    return rules.max_quota_ratio != rules.quota_ratio
