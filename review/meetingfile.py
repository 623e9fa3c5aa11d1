"""The meeting file, formats 1 and 2 (SPEC 8): read and check it whole, write it back.

Format 2 differs from format 1 only under two ballots (``ballot_mode`` ``two_phase``, SPEC
5.8): its ``ballot`` holds the counters and two ballots, ``first`` and ``second``. A single-ballot
meeting is written in format 1 and a two-ballot one in format 2; both are read.

Pure functions over plain data, no Flask or database: :func:`parse` turns a decoded JSON
document into a :class:`MeetingFile`, or returns every problem with its path in the file;
:func:`dump` writes a :class:`MeetingFile` back, with ``results`` from the rules core.

The written form is canonical: every key SPEC 8 lists, in SPEC's order, except the optional
member keys (``exempt``, ``suspended``, ``temporary_elsewhere``, ``disciplined_in_year``,
``sick_leave_months``, ``previous_level``, ``absence_reason``, ``self_score``), which are
written only when they differ from their default. The seed example is in this form, so it
comes back byte for byte.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any, TypeVar

from . import rules, vocabulary
from .rules import (
    CELL_ROW,
    FIRST_BALLOT_FIELDS,
    SECOND_BALLOT_FIELDS,
    VOTE_FIELDS,
    Attendance,
    BallotCount,
    BallotMode,
    Level,
    MeetingResult,
    MemberFacts,
    NotRatedReason,
    Position,
    Problem,
    Rules,
    SecondBallotCount,
    SecondVotes,
    Standing,
    Votes,
)
from .text import CONTROL, NAME_MAX, day_text, nfc, one_line_break
from .translatable import N_, msg

FORMAT = "party-review/1"
FORMAT_2 = "party-review/2"  # two ballots (SPEC 8, format 2)
FORMATS = (FORMAT, FORMAT_2)
TEXT_MAX = 20_000
MEMBER_ID = re.compile(r"^[A-Za-z0-9_.-]{1,32}$")

E = TypeVar("E", bound=StrEnum)
Path = tuple[str | int, ...]


# ---------------------------------------------------------------------------
# The data a meeting file carries


@dataclass
class FeedbackEntry:
    """One feedback: its speaker is a member (``by``, their id) or a guest (``guest``, the
    guest's position in ``meeting.guests``, from 0), exactly one of the two (SPEC 8)."""

    by: str | None
    text: str
    guest: int | None = None


@dataclass
class ReviewData:
    summary: str = ""
    self_level: Level | None = None
    self_score: int | None = None
    response: str = ""
    feedback: list[FeedbackEntry] = field(default_factory=list)
    conclusion: str = ""


@dataclass
class MemberData:
    id: str
    name: str
    standing: Standing
    position: Position
    admitted_on: date
    attendance: Attendance
    exempt: bool = False
    suspended: bool = False
    temporary_elsewhere: bool = False
    disciplined_in_year: bool = False
    sick_leave_months: int = 0
    previous_level: Level | None = None
    absence_reason: str = ""
    review: ReviewData | None = None

    def facts(self) -> MemberFacts:
        """Return what the rules core needs of this member."""
        return MemberFacts(
            key=self.id,
            standing=self.standing,
            admitted_on=self.admitted_on,
            attendance=self.attendance,
            exempt=self.exempt,
            suspended=self.suspended,
            temporary_elsewhere=self.temporary_elsewhere,
            sick_leave_months=self.sick_leave_months,
            disciplined_in_year=self.disciplined_in_year,
            previous_level=self.previous_level,
            self_score=self.review.self_score if self.review else None,
        )


@dataclass
class CollectiveData:
    subject: str  # "cell" or "committee"
    report: str = ""
    self_level: Level | None = None
    feedback: list[FeedbackEntry] = field(default_factory=list)
    conclusion: str = ""
    remedy_plan: str = ""


@dataclass
class GuestData:
    name: str
    title: str = ""


@dataclass
class MeetingInfo:
    starts_at: datetime | None  # None only while a meeting is being recorded; files always have it
    ends_at: datetime | None = None
    location: str = ""
    chair: str | None = None
    minute_taker: str | None = None
    guests: list[GuestData] = field(default_factory=list)
    minutes_approved_by: int | None = None


@dataclass
class SecondBallotData:
    """Ballot 2 of two (SPEC 5.8): its papers and one row per candidate."""

    issued: int
    returned: int
    invalid: int
    invalid_reasons: str
    rows: dict[str, SecondVotes]

    def count(self) -> SecondBallotCount:
        """Return ballot 2 as the rules core counts it."""
        return SecondBallotCount(self.issued, self.returned, self.invalid, self.rows, self.invalid_reasons)


@dataclass
class BallotData:
    """The counted ballot: the single one, or under two ballots ballot 1 (``rows`` without
    excellent marks) with ballot 2 in ``second`` (None while it is not counted yet)."""

    counters: list[str]
    issued: int
    returned: int
    invalid: int
    invalid_reasons: str
    rows: dict[str, Votes]
    second: SecondBallotData | None = None

    def count(self) -> BallotCount:
        """Return the ballot (ballot 1 under two ballots) as the rules core counts it."""
        return BallotCount(self.issued, self.returned, self.invalid, self.rows, self.invalid_reasons)


@dataclass
class MeetingFile:
    parent: str
    cell: str
    place: str
    year: int
    rules: Rules
    meeting: MeetingInfo
    members: list[MemberData]
    collective_reviews: list[CollectiveData]
    ballot: BallotData | None = None

    @property
    def meeting_day(self) -> date:
        """Return the day of the meeting, the reference for the six-month rule.

        Before the opening is recorded, the last day of the review year stands in for it.
        """
        if self.meeting.starts_at is None:
            return date(self.year, 12, 31)
        return self.meeting.starts_at.date()

    def speaker_name(self, entry: FeedbackEntry) -> str:
        """Return who spoke, as the documents name them: a member's name, or a guest's name
        with their title in brackets ("Nguyễn Văn A (Phó Bí thư Đảng ủy phường)")."""
        if entry.guest is not None:
            if not 0 <= entry.guest < len(self.meeting.guests):
                return f"{vocabulary.GUEST_LABEL} {entry.guest + 1}"
            guest = self.meeting.guests[entry.guest]
            return f"{guest.name} ({guest.title})" if guest.title.strip() else guest.name
        member = next((m for m in self.members if m.id == entry.by), None)
        return member.name if member is not None else str(entry.by)

    def evaluate(self) -> MeetingResult:
        """Return the results computed by the rules core."""
        second = self.ballot.second if self.ballot is not None else None
        return rules.evaluate(
            self.rules,
            self.meeting_day,
            [m.facts() for m in self.members],
            self.ballot.count() if self.ballot else None,
            second.count() if second is not None else None,
        )

    @property
    def two_ballots(self) -> bool:
        """Return whether the meeting rates in two ballots (SPEC 5.8)."""
        return self.rules.ballot_mode is BallotMode.TWO_PHASE

    @property
    def format(self) -> str:
        """Return the format the meeting is written in: 2 under two ballots, else 1."""
        return FORMAT_2 if self.two_ballots else FORMAT


# ---------------------------------------------------------------------------
# Reading


def format_path(path: Path) -> str:
    """Return a path as SPEC 8 writes it: ``members[3].review.feedback[0].by``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out or N_("(tệp)")


class _Reader:
    """Collect every problem of a document while reading its values."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.format = FORMAT  # the format the document says it is in, once read

    def fail(self, path: Path, message: str) -> None:
        self.problems.append(Problem(path, message))

    def obj(
        self, value: Any, path: Path, required: tuple[str, ...], optional: tuple[str, ...] = ()
    ) -> dict[str, Any] | None:
        if not isinstance(value, dict):
            self.fail(path, msg("Cần một đối tượng JSON {{...}}, nhận được {kind}.", kind=_kind(value)))
            return None
        for key in required:
            if key not in value:
                self.fail(path + (key,), N_("Thiếu trường bắt buộc."))
        for key in value:
            if key not in required and key not in optional:
                self.fail(
                    path + (key,), msg('Trường "{key}" không có trong định dạng {format}.', key=key, format=self.format)
                )
        return value

    def array(self, value: Any, path: Path) -> list[Any]:
        if not isinstance(value, list):
            self.fail(path, msg("Cần một danh sách [...], nhận được {kind}.", kind=_kind(value)))
            return []
        return value

    def text(self, value: Any, path: Path, *, line: bool = False, required: bool = False) -> str | None:
        if not isinstance(value, str):
            self.fail(path, msg("Cần một chuỗi văn bản, nhận được {kind}.", kind=_kind(value)))
            return None
        text = nfc(one_line_break(value))
        limit = NAME_MAX if line else TEXT_MAX
        if line and "\n" in text:
            self.fail(path, N_("Không được xuống dòng trong trường này."))
            return None
        if CONTROL.search(text):
            self.fail(path, N_("Có ký tự điều khiển không hợp lệ."))
            return None
        if len(text) > limit:
            self.fail(path, msg("Dài {length} ký tự, tối đa {limit}.", length=len(text), limit=limit))
            return None
        if required and not text.strip():
            self.fail(path, N_("Không được để trống."))
            return None
        return text.strip() if line else text

    def integer(self, value: Any, path: Path, low: int, high: int) -> int | None:
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(path, msg("Cần một số nguyên, nhận được {kind}.", kind=_kind(value)))
            return None
        if not low <= value <= high:
            self.fail(
                path, msg("Giá trị {value} nằm ngoài khoảng {low}–{high}.", value=_show(value), low=low, high=high)
            )
            return None
        return value

    def boolean(self, value: Any, path: Path) -> bool | None:
        if not isinstance(value, bool):
            self.fail(path, msg("Cần true hoặc false, nhận được {kind}.", kind=_kind(value)))
            return None
        return value

    def choice(self, value: Any, path: Path, enum: type[E]) -> E | None:
        if not isinstance(value, str) or value not in {e.value for e in enum}:
            options = ", ".join(e.value for e in enum)
            self.fail(path, msg(CHOOSE_ONE, value=_show(value), options=options))
            return None
        return enum(value)

    def day(self, value: Any, path: Path) -> date | None:
        if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            try:
                return date.fromisoformat(value)
            except ValueError:
                pass
        self.fail(path, msg("Cần một ngày dạng YYYY-MM-DD, nhận được {value}.", value=_show(value)))
        return None

    def moment(self, value: Any, path: Path) -> datetime | None:
        if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?", value):
            try:
                return datetime.fromisoformat(value)
            except ValueError:
                pass
        self.fail(path, msg("Cần giờ địa phương dạng YYYY-MM-DDTHH:MM, nhận được {value}.", value=_show(value)))
        return None

    def optional(
        self, data: dict[str, Any], key: str, path: Path, read: Callable[[Any, Path], Any], default: Any
    ) -> Any:
        if key not in data:
            return default
        return read(data[key], path + (key,))


HUGE = 10**18
CHOOSE_ONE = N_("Giá trị {value} không hợp lệ; chọn một trong: {options}.")


def _kind(value: Any) -> str:
    """Return what a value is, for a problem's "nhận được ..." (a translatable text)."""
    names = {
        dict: N_("một đối tượng"),
        list: N_("một danh sách"),
        str: N_("một chuỗi"),
        bool: "true/false",
        type(None): "null",
    }
    if isinstance(value, bool):
        return msg("giá trị {value}", value=str(value).lower())
    if isinstance(value, int) and abs(value) >= HUGE:
        return N_("một số quá lớn")
    if isinstance(value, (int, float)):
        return msg("số {value}", value=value)
    return names.get(type(value), type(value).__name__)


def _show(value: Any) -> str:
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= HUGE:
        return N_("(số quá lớn)")
    try:
        text = json.dumps(value, ensure_ascii=False)
    except (ValueError, RecursionError):
        return N_("(giá trị không hiển thị được)")
    return text if len(text) <= 60 else text[:57] + "..."


def loads(data: str | bytes) -> tuple[MeetingFile | None, list[Problem]]:
    """Return the meeting file decoded from JSON text, or the problems found."""
    try:
        if isinstance(data, bytes):
            data = data.decode("utf-8")
        if data.startswith("\ufeff"):
            data = data[1:]
        document = json.loads(data)
    except UnicodeDecodeError as exc:
        return None, [Problem((), msg("Tệp không phải văn bản UTF-8 (byte {start}).", start=exc.start))]
    except json.JSONDecodeError as exc:
        problem = msg(
            "JSON không hợp lệ ở dòng {line}, cột {column}: {error}.", line=exc.lineno, column=exc.colno, error=exc.msg
        )
        return None, [Problem((), problem)]
    except (ValueError, RecursionError):
        return None, [Problem((), N_("JSON không đọc được: có số quá lớn hoặc lồng nhau quá sâu."))]
    return parse(document)


MEMBER_KEYS = ("id", "name", "standing", "position", "admitted_on", "attendance")
MEMBER_OPTIONAL = (
    "exempt",
    "suspended",
    "temporary_elsewhere",
    "disciplined_in_year",
    "sick_leave_months",
    "previous_level",
    "absence_reason",
    "review",
)
REVIEW_KEYS = ("summary", "self_level", "self_score", "response", "feedback", "conclusion")
COLLECTIVE_KEYS = ("subject", "report", "self_level", "feedback", "conclusion", "remedy_plan")


def parse(document: Any, cross_checked: bool = True) -> tuple[MeetingFile | None, list[Problem]]:
    """Return the meeting file a decoded JSON document holds, or every problem in it.

    ``cross_checked=False`` reads a document the application wrote itself (a sealed meeting
    rebuilt from its seal) without checking its parts against each other: the record is shown
    as it stands, differences and all.
    """
    r = _Reader()
    top = r.obj(
        document,
        (),
        ("format", "organization", "year", "rules", "meeting", "members", "collective_reviews"),
        ("ballot", "results"),  # results are computed, never read back
    )
    if top is None:
        return None, r.problems
    if "format" in top and top["format"] not in FORMATS:
        r.fail(
            ("format",),
            msg(
                'Định dạng {value} không được hỗ trợ; cần "{format_1}" hoặc "{format_2}".',
                value=_show(top["format"]),
                format_1=FORMAT,
                format_2=FORMAT_2,
            ),
        )
    elif "format" in top:
        r.format = top["format"]

    parent = cell = place = None
    org = (
        r.obj(top.get("organization"), ("organization",), ("parent", "cell", "place"))
        if "organization" in top
        else None
    )
    if org is not None:
        parent = (
            r.text(org.get("parent"), ("organization", "parent"), line=True, required=True) if "parent" in org else None
        )
        cell = r.text(org.get("cell"), ("organization", "cell"), line=True, required=True) if "cell" in org else None
        place = (
            r.text(org.get("place"), ("organization", "place"), line=True, required=True) if "place" in org else None
        )

    year = r.integer(top["year"], ("year",), rules.FIRST_REVIEW_YEAR, rules.LAST_REVIEW_YEAR) if "year" in top else None
    resolved = _read_rules(r, top, year)
    info = _read_meeting_info(r, top, year)
    members = _read_members(r, top)
    collective = _read_collective(r, top)
    # The format decides the ballot's layout: format 1's is flat (a two_phase mode in it is
    # refused at rules.ballot_mode); format 2's holds two ballots under two_phase.
    two = r.format == FORMAT_2 and (
        resolved.ballot_mode is BallotMode.TWO_PHASE if resolved is not None else _looks_two(top.get("ballot"))
    )
    ballot = (_read_two_ballots(r, top) if two else _read_ballot(r, top)) if "ballot" in top else None

    if r.problems or None in (parent, cell, place, year, resolved, info) or members is None:
        return None, r.problems
    assert parent is not None and cell is not None and place is not None
    assert resolved is not None and info is not None and year is not None
    meeting_file = MeetingFile(
        parent=parent,
        cell=cell,
        place=place,
        year=year,
        rules=resolved,
        meeting=info,
        members=members,
        collective_reviews=collective,
        ballot=ballot,
    )
    problems = cross_check(meeting_file) if cross_checked else []
    return (None, problems) if problems else (meeting_file, [])


def _read_rules(r: _Reader, top: dict[str, Any], year: int | None) -> Rules | None:
    if "rules" not in top:
        return None
    data = r.obj(top["rules"], ("rules",), ("profile",), rules.OVERRIDE_KEYS)
    if data is None or "profile" not in data:
        return None
    profile = data["profile"]
    if not isinstance(profile, str):
        r.fail(("rules", "profile"), msg("Cần tên hồ sơ quy định, nhận được {kind}.", kind=_kind(profile)))
        return None
    overrides = {k: v for k, v in data.items() if k in rules.OVERRIDE_KEYS}  # others reported above
    resolved, problems = rules.resolve_rules(profile, overrides)
    for p in problems:
        r.fail(("rules",) + p.path, p.message)
    if resolved is None:
        return None
    if year is not None and not resolved.applies_to(year):
        r.fail(
            ("rules", "profile"),
            msg(
                "Hồ sơ {profile} áp dụng cho các năm {years}, không cho năm {year}.",
                profile=resolved.profile,
                years=resolved.years,
                year=year,
            ),
        )
    if resolved.ballot_mode is not BallotMode.SINGLE and r.format == FORMAT:
        r.fail(
            ("rules", "ballot_mode"),
            msg(
                'Định dạng {format_1} chỉ mang kết quả bỏ phiếu một vòng ("single"); '
                'bỏ phiếu hai vòng dùng định dạng "{format_2}".',
                format_1=FORMAT,
                format_2=FORMAT_2,
            ),
        )
    return resolved


def _read_meeting_info(r: _Reader, top: dict[str, Any], year: int | None) -> MeetingInfo | None:
    if "meeting" not in top:
        return None
    path: Path = ("meeting",)
    data = r.obj(
        top["meeting"],
        path,
        ("starts_at", "ends_at", "location", "chair", "minute_taker", "guests", "minutes_approved_by"),
    )
    if data is None:
        return None
    starts_at = r.moment(data["starts_at"], path + ("starts_at",)) if "starts_at" in data else None
    ends_at = None
    if data.get("ends_at") is not None:
        ends_at = r.moment(data["ends_at"], path + ("ends_at",))
    location = r.text(data["location"], path + ("location",), line=True) if "location" in data else ""
    chair = _member_ref(r, data.get("chair"), path + ("chair",), nullable=True)
    minute_taker = _member_ref(r, data.get("minute_taker"), path + ("minute_taker",), nullable=True)
    guests: list[GuestData] = []
    for i, item in enumerate(r.array(data.get("guests", []), path + ("guests",))):
        gpath = path + ("guests", i)
        g = r.obj(item, gpath, ("name",), ("title",))
        if g is None or "name" not in g:
            continue
        name = r.text(g["name"], gpath + ("name",), line=True, required=True)
        title = r.optional(g, "title", gpath, lambda v, p: r.text(v, p, line=True), "")
        if name is not None and title is not None:
            guests.append(GuestData(name, title))
    approved = None
    if data.get("minutes_approved_by") is not None:
        approved = r.integer(data["minutes_approved_by"], path + ("minutes_approved_by",), 0, 100_000)
    if starts_at is not None and year is not None and not rules.meeting_day_fits_year(year, starts_at.date()):
        r.fail(
            path + ("starts_at",),
            msg("Hội nghị kiểm điểm năm {year} không thể họp vào năm {held}.", year=year, held=starts_at.year),
        )
    if starts_at is not None and ends_at is not None and ends_at < starts_at:
        r.fail(path + ("ends_at",), N_("Giờ kết thúc sớm hơn giờ khai mạc."))
    elif (
        starts_at is not None
        and ends_at is not None
        and not rules.meeting_end_fits(year or starts_at.year, starts_at, ends_at)
    ):
        r.fail(
            path + ("ends_at",),
            msg("Giờ kết thúc chậm hơn {days} ngày sau giờ khai mạc.", days=rules.MAX_MEETING_LENGTH.days),
        )
    if starts_at is None or location is None:
        return None
    return MeetingInfo(starts_at, ends_at, location, chair, minute_taker, guests, approved)


SPEAKER_TWICE = N_(
    "Một ý kiến có một người góp ý: ghi by (mã đảng viên) hoặc guest (số thứ tự khách mời), không ghi cả hai."
)
SPEAKER_MISSING = N_(
    "Thiếu trường bắt buộc: by (mã đảng viên góp ý) hoặc guest (số thứ tự khách mời trong meeting.guests, từ 0)."
)


def _member_ref(r: _Reader, value: Any, path: Path, nullable: bool = False) -> str | None:
    if value is None and nullable:
        return None
    if not isinstance(value, str) or not MEMBER_ID.match(value):
        r.fail(path, msg('Cần mã đảng viên trong tệp (ví dụ "m01"), nhận được {value}.', value=_show(value)))
        return None
    return value


def _read_feedback(r: _Reader, value: Any, path: Path) -> list[FeedbackEntry]:
    """Read feedback entries: each with ``text`` and either ``by`` (a member) or ``guest``."""
    entries: list[FeedbackEntry] = []
    for i, item in enumerate(r.array(value, path)):
        fpath = path + (i,)
        data = r.obj(item, fpath, ("text",), ("by", "guest"))
        if data is None:
            continue
        if "by" in data and "guest" in data:
            r.fail(fpath + ("guest",), SPEAKER_TWICE)
            continue
        if "by" not in data and "guest" not in data:
            r.fail(fpath + ("by",), SPEAKER_MISSING)
            continue
        text = r.text(data["text"], fpath + ("text",), required=True) if "text" in data else None
        if "guest" in data:
            guest = r.integer(data["guest"], fpath + ("guest",), 0, HUGE - 1)
            if guest is not None and text is not None:
                entries.append(FeedbackEntry(None, text, guest=guest))
            continue
        by = _member_ref(r, data["by"], fpath + ("by",))
        if by is not None and text is not None:
            entries.append(FeedbackEntry(by, text))
    return entries


def _read_level(r: _Reader, data: dict[str, Any], key: str, path: Path) -> Level | None:
    value = data.get(key)
    return None if value is None else r.choice(value, path + (key,), Level)


def _read_review(r: _Reader, value: Any, path: Path) -> ReviewData | None:
    data = r.obj(value, path, (), REVIEW_KEYS)
    if data is None:
        return None
    return ReviewData(
        summary=r.optional(data, "summary", path, r.text, "") or "",
        self_level=_read_level(r, data, "self_level", path),
        self_score=None
        if data.get("self_score") is None
        else r.integer(data["self_score"], path + ("self_score",), 0, 100),
        response=r.optional(data, "response", path, r.text, "") or "",
        feedback=_read_feedback(r, data.get("feedback", []), path + ("feedback",)),
        conclusion=r.optional(data, "conclusion", path, r.text, "") or "",
    )


def _read_members(r: _Reader, top: dict[str, Any]) -> list[MemberData] | None:
    if "members" not in top:
        return None
    members: list[MemberData] = []
    items = r.array(top["members"], ("members",))
    if isinstance(top["members"], list) and not items:
        r.fail(("members",), N_("Danh sách đảng viên trống."))
    complete = True
    for i, item in enumerate(items):
        path: Path = ("members", i)
        data = r.obj(item, path, MEMBER_KEYS, MEMBER_OPTIONAL)
        if data is None or any(k not in data for k in MEMBER_KEYS):
            complete = False
            continue
        before = len(r.problems)
        member = MemberData(
            id=_member_ref(r, data["id"], path + ("id",)) or "",
            name=r.text(data["name"], path + ("name",), line=True, required=True) or "",
            standing=r.choice(data["standing"], path + ("standing",), Standing),  # type: ignore[arg-type]
            position=r.choice(data["position"], path + ("position",), Position),  # type: ignore[arg-type]
            admitted_on=r.day(data["admitted_on"], path + ("admitted_on",)),  # type: ignore[arg-type]
            attendance=r.choice(data["attendance"], path + ("attendance",), Attendance),  # type: ignore[arg-type]
            exempt=bool(r.optional(data, "exempt", path, r.boolean, False)),
            suspended=bool(r.optional(data, "suspended", path, r.boolean, False)),
            temporary_elsewhere=bool(r.optional(data, "temporary_elsewhere", path, r.boolean, False)),
            disciplined_in_year=bool(r.optional(data, "disciplined_in_year", path, r.boolean, False)),
            sick_leave_months=r.optional(data, "sick_leave_months", path, lambda v, p: r.integer(v, p, 0, 12), 0) or 0,
            previous_level=_read_level(r, data, "previous_level", path),
            absence_reason=r.optional(data, "absence_reason", path, r.text, "") or "",
            review=_read_review(r, data["review"], path + ("review",)) if data.get("review") is not None else None,
        )
        if member.id == CELL_ROW:
            r.fail(path + ("id",), N_('Mã "cell" dành cho dòng của chi bộ trên phiếu, không dùng cho đảng viên.'))
        if len(r.problems) > before:
            complete = False
        members.append(member)
    return members if complete else None


def _read_collective(r: _Reader, top: dict[str, Any]) -> list[CollectiveData]:
    reviews: list[CollectiveData] = []
    for i, item in enumerate(r.array(top.get("collective_reviews", []), ("collective_reviews",))):
        path: Path = ("collective_reviews", i)
        data = r.obj(item, path, ("subject",), COLLECTIVE_KEYS[1:])
        if data is None or "subject" not in data:
            continue
        subject = data["subject"]
        if subject not in ("cell", "committee"):
            r.fail(path + ("subject",), msg(CHOOSE_ONE, value=_show(subject), options="cell, committee"))
            continue
        reviews.append(
            CollectiveData(
                subject=subject,
                report=r.optional(data, "report", path, r.text, "") or "",
                self_level=_read_level(r, data, "self_level", path),
                feedback=_read_feedback(r, data.get("feedback", []), path + ("feedback",)),
                conclusion=r.optional(data, "conclusion", path, r.text, "") or "",
                remedy_plan=r.optional(data, "remedy_plan", path, r.text, "") or "",
            )
        )
    return reviews


def _looks_two(ballot: Any) -> bool:
    """Return whether a ballot whose rules could not be read holds two ballots (to name its problems)."""
    return isinstance(ballot, dict) and ("first" in ballot or "second" in ballot)


def _read_counters(r: _Reader, data: dict[str, Any], path: Path) -> list[str | None]:
    return [
        _member_ref(r, c, path + ("counters", i))
        for i, c in enumerate(r.array(data.get("counters", []), path + ("counters",)))
    ]


def _read_papers(r: _Reader, data: dict[str, Any], path: Path) -> tuple[int | None, int | None, int | None, str]:
    """Return one ballot's issued, returned and invalid papers and the reasons for the invalid ones."""
    numbers = {
        key: r.integer(data[key], path + (key,), 0, 1_000_000) if key in data else None
        for key in ("issued", "returned", "invalid")
    }
    reasons = r.optional(data, "invalid_reasons", path, r.text, "") or ""
    return numbers["issued"], numbers["returned"], numbers["invalid"], reasons


def _read_rows(r: _Reader, data: dict[str, Any], path: Path, fields: tuple[str, ...]) -> dict[str, dict[str, int]]:
    """Return a ballot's rows, each a map of ``fields`` to its numbers; every problem named."""
    rows: dict[str, dict[str, int]] = {}
    raw_rows = data.get("rows", {})
    if not isinstance(raw_rows, dict):
        r.fail(
            path + ("rows",),
            msg(
                'Cần một đối tượng từ mã đảng viên (hoặc "cell") đến số phiếu, nhận được {kind}.', kind=_kind(raw_rows)
            ),
        )
        raw_rows = {}
    for key, row in raw_rows.items():
        rpath = path + ("rows", key)
        values = r.obj(row, rpath, fields)
        if values is None or any(f not in values for f in fields):
            continue
        numbers = {f: r.integer(values[f], rpath + (f,), 0, 1_000_000) for f in fields}
        if all(v is not None for v in numbers.values()):
            rows[key] = {f: v for f, v in numbers.items() if v is not None}
    return rows


def _read_ballot(r: _Reader, top: dict[str, Any]) -> BallotData | None:
    path: Path = ("ballot",)
    data = r.obj(top["ballot"], path, ("counters", "issued", "returned", "invalid", "rows"), ("invalid_reasons",))
    if data is None:
        return None
    counters = _read_counters(r, data, path)
    issued, returned, invalid, reasons = _read_papers(r, data, path)
    rows = {key: Votes(**values) for key, values in _read_rows(r, data, path, VOTE_FIELDS).items()}
    if issued is None or returned is None or invalid is None or None in counters:
        return None
    return BallotData(
        counters=[c for c in counters if c is not None],
        issued=issued,
        returned=returned,
        invalid=invalid,
        invalid_reasons=reasons,
        rows=rows,
    )


PAPER_KEYS = ("issued", "returned", "invalid", "rows")


def _read_two_ballots(r: _Reader, top: dict[str, Any]) -> BallotData | None:
    """Read format 2's ballot: the counters, ballot 1 (``first``) and ballot 2 (``second``).

    ``second`` may be missing only in a document the application wrote itself between the two
    ballots (a seal of ballot 1), or when ballot 1 gave no candidate (no ballot 2 is then held);
    otherwise cross_check refuses a file without it.
    """
    path: Path = ("ballot",)
    data = r.obj(top["ballot"], path, ("counters", "first"), ("second",))
    if data is None:
        return None
    counters = _read_counters(r, data, path)
    first = r.obj(data["first"], path + ("first",), PAPER_KEYS, ("invalid_reasons",)) if "first" in data else None
    second = r.obj(data["second"], path + ("second",), PAPER_KEYS, ("invalid_reasons",)) if "second" in data else None
    ballot: BallotData | None = None
    if first is not None:
        issued, returned, invalid, reasons = _read_papers(r, first, path + ("first",))
        rows = {
            key: Votes(**values) for key, values in _read_rows(r, first, path + ("first",), FIRST_BALLOT_FIELDS).items()
        }
        if issued is not None and returned is not None and invalid is not None and None not in counters:
            ballot = BallotData(
                counters=[c for c in counters if c is not None],
                issued=issued,
                returned=returned,
                invalid=invalid,
                invalid_reasons=reasons,
                rows=rows,
            )
    if second is not None:
        issued, returned, invalid, reasons = _read_papers(r, second, path + ("second",))
        second_rows = {
            key: SecondVotes(**values)
            for key, values in _read_rows(r, second, path + ("second",), SECOND_BALLOT_FIELDS).items()
        }
        if ballot is not None and issued is not None and returned is not None and invalid is not None:
            ballot.second = SecondBallotData(issued, returned, invalid, reasons, second_rows)
    return ballot


def cross_check(mf: MeetingFile) -> list[Problem]:
    """Return the problems between parts of a well-formed file (references, roles, ballot).

    Each named check returns its problems; they come in this order: the member ids, the single
    positions, the meeting's roles, each member's record and review, the collective reviews,
    then the ballot (its committee, then its counts), when the ballot can be checked.
    """
    by_id = {m.id: m for m in mf.members}
    problems = [
        *_check_member_ids(mf),
        *_check_single_positions(mf),
        *_check_meeting_roles(mf, by_id),
        *_check_members(mf, by_id),
        *_check_collective_reviews(mf, by_id),
    ]
    # Ballot 2 is held only when ballot 1 gave a candidate (SPEC 5.8): without one, no ``second``.
    if mf.ballot is not None and mf.two_ballots and mf.ballot.second is None and mf.evaluate().candidates:
        problems.append(
            Problem(("ballot", "second"), N_("Thiếu kết quả phiếu vòng 2 (biểu quyết Hoàn thành xuất sắc nhiệm vụ)."))
        )
    if mf.ballot is not None and _ballot_checkable(mf):
        problems += _check_committee(mf.ballot, by_id)
        problems += _check_ballot_counts(mf)
    return problems


def _check_member_ids(mf: MeetingFile) -> list[Problem]:
    """Each member id is unique in the file."""
    problems: list[Problem] = []
    index: dict[str, int] = {}
    for i, m in enumerate(mf.members):
        if m.id in index:
            problems.append(
                Problem(("members", i, "id"), msg("Mã {id} trùng với members[{first}].", id=m.id, first=index[m.id]))
            )
        else:
            index[m.id] = i
    return problems


def _check_single_positions(mf: MeetingFile) -> list[Problem]:
    """A cell has one secretary and one deputy secretary at most (rules.SINGLE_POSITIONS)."""
    problems: list[Problem] = []
    for position in rules.SINGLE_POSITIONS:
        holders = [i for i, m in enumerate(mf.members) if m.position is position]
        for i in holders[1:]:
            problems.append(
                Problem(
                    ("members", i, "position"),
                    msg(
                        "Chi bộ chỉ có một {position}; đã có members[{first}].",
                        position=POSITION_IN_SENTENCE[position],
                        first=holders[0],
                    ),
                )
            )
    return problems


def _check_meeting_roles(mf: MeetingFile, by_id: Mapping[str, MemberData]) -> list[Problem]:
    """The chair and the minute-taker are members present; no more approve the minutes than are present."""
    problems: list[Problem] = []
    for ref, key, absent in (
        (mf.meeting.chair, "chair", N_("Chủ trì hội nghị phải có mặt tại hội nghị.")),
        (mf.meeting.minute_taker, "minute_taker", N_("Thư ký hội nghị phải có mặt tại hội nghị.")),
    ):
        if ref is None:
            continue
        if ref not in by_id:
            problems.append(Problem(("meeting", key), unknown_member_message(ref)))
        elif by_id[ref].attendance is not Attendance.PRESENT:
            problems.append(Problem(("meeting", key), absent))
    present = sum(1 for m in mf.members if m.attendance is Attendance.PRESENT)
    if mf.meeting.minutes_approved_by is not None and mf.meeting.minutes_approved_by > present:
        problems.append(
            Problem(
                ("meeting", "minutes_approved_by"),
                msg(
                    "{approved} người biểu quyết thông qua biên bản, nhưng chỉ có {present} đảng viên có mặt.",
                    approved=mf.meeting.minutes_approved_by,
                    present=present,
                ),
            )
        )
    return problems


def _check_members(mf: MeetingFile, by_id: Mapping[str, MemberData]) -> list[Problem]:
    """Each member: admitted before the meeting, the absence reason as the attendance needs, the review."""
    problems: list[Problem] = []
    day = mf.meeting_day
    for i, m in enumerate(mf.members):
        path: Path = ("members", i)
        if m.admitted_on > day:
            problems.append(
                Problem(
                    path + ("admitted_on",),
                    msg(
                        "Ngày vào Đảng {admitted} sau ngày họp {day}.",
                        admitted=day_text(m.admitted_on),
                        day=day_text(day),
                    ),
                )
            )
            continue
        if m.attendance is Attendance.ABSENT_EXCUSED and not m.absence_reason.strip():
            problems.append(Problem(path + ("absence_reason",), N_("Vắng có lý do: cần ghi lý do.")))
        if m.attendance is Attendance.PRESENT and m.absence_reason.strip():
            problems.append(Problem(path + ("absence_reason",), N_("Đảng viên có mặt không có lý do vắng.")))
        problems += _check_review(mf, m, path, by_id)
    return problems


def _check_review(mf: MeetingFile, m: MemberData, path: Path, by_id: Mapping[str, MemberData]) -> list[Problem]:
    """A member's review: a self-score only where the profile scores, none for a new member the profile skips, feedback by others."""
    if m.review is None:
        return []
    problems: list[Problem] = []
    if m.review.self_score is not None and not mf.rules.scored:
        problems.append(
            Problem(
                path + ("review", "self_score"),
                msg(
                    "Hồ sơ {profile} không chấm điểm; điểm tự chấm áp dụng từ năm {year}.",
                    profile=mf.rules.profile,
                    year=rules.FIRST_SCORED_YEAR,
                ),
            )
        )
    if (
        rules.not_rated_reason(m.facts(), mf.meeting_day) is NotRatedReason.NEW_MEMBER
        and not mf.rules.new_members_reviewed
    ):
        problems.append(
            Problem(
                path + ("review",),
                msg(
                    "Theo hồ sơ {profile}, đảng viên vào Đảng chưa đủ {months} tháng không kiểm điểm.",
                    profile=mf.rules.profile,
                    months=rules.NEW_MEMBER_MONTHS,
                ),
            )
        )
    for j, entry in enumerate(m.review.feedback):
        problems += _check_speaker(mf, entry, path + ("review", "feedback", j), by_id, m.id)
    return problems


def _check_speaker(
    mf: MeetingFile, entry: FeedbackEntry, path: Path, by_id: Mapping[str, MemberData], reviewed: str | None
) -> list[Problem]:
    """A feedback's speaker: a guest of the meeting, or a member of the list present at the
    meeting (SPEC 8), not the member under review."""
    if entry.guest is not None:
        count = len(mf.meeting.guests)
        if entry.guest >= count:
            return [
                Problem(
                    path + ("guest",),
                    msg("Không có khách mời số {guest}: {guests}.", guest=entry.guest, guests=guest_count_text(count)),
                )
            ]
        return []
    if entry.by is None or entry.by not in by_id:
        return [Problem(path + ("by",), unknown_member_message(entry.by))]
    if entry.by == reviewed:
        return [Problem(path + ("by",), N_("Người góp ý phải là đồng chí khác, không phải người tự kiểm điểm."))]
    speaker = by_id[entry.by]
    if speaker.attendance is not Attendance.PRESENT:
        return [Problem(path + ("by",), absent_speaker_message(speaker.name))]
    return []


def unknown_member_message(ref: object) -> str:
    """Return the refusal of a reference to a member id the file's list does not have."""
    return msg("Không có đảng viên mã {ref} trong danh sách.", ref=str(ref))


def absent_speaker_message(name: str) -> str:
    """Return the refusal of a feedback attributed to a member absent from the meeting."""
    return msg(
        "Đồng chí {name} vắng mặt tại hội nghị nên không ghi là người góp ý: "
        "người góp ý là đảng viên có mặt hoặc khách mời của hội nghị.",
        name=name,
    )


def guest_count_text(count: int) -> str:
    """Return how many guests the meeting file lists, for a guest reference out of range."""
    if count == 0:
        return N_("meeting.guests không có khách mời nào")
    if count == 1:  # its own text: one guest reads otherwise than several in other languages
        return N_("meeting.guests có 1 khách mời, đánh số từ 0 đến 0")
    return msg("meeting.guests có {count} khách mời, đánh số từ 0 đến {last}", count=count, last=count - 1)


def _check_collective_reviews(mf: MeetingFile, by_id: Mapping[str, MemberData]) -> list[Problem]:
    """Each collective review's subject once; its feedback by members present or guests."""
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for i, review in enumerate(mf.collective_reviews):
        if review.subject in seen:
            problems.append(
                Problem(
                    ("collective_reviews", i, "subject"),
                    msg(
                        'Đã có bản kiểm điểm "{subject}" ở collective_reviews[{first}].',
                        subject=review.subject,
                        first=seen[review.subject],
                    ),
                )
            )
        seen.setdefault(review.subject, i)
        for j, entry in enumerate(review.feedback):
            problems += _check_speaker(mf, entry, ("collective_reviews", i, "feedback", j), by_id, None)
    return problems


def _ballot_checkable(mf: MeetingFile) -> bool:
    """Return whether the ballot can be checked.

    Whether a member is rated depends on their id and admission date: with those wrong (an id
    twice, an admission after the meeting), the ballot's rows cannot be checked.
    """
    duplicate_ids = len({m.id for m in mf.members}) < len(mf.members)
    admitted_later = any(m.admitted_on > mf.meeting_day for m in mf.members)
    return not duplicate_ids and not admitted_later


def _check_committee(ballot: BallotData, by_id: Mapping[str, MemberData]) -> list[Problem]:
    """The counters: members of the list, each once, each one who may count (rules.counter_bar)."""
    problems: list[Problem] = []
    seen: set[str] = set()
    for i, ref in enumerate(ballot.counters):
        path: Path = ("ballot", "counters", i)
        member = by_id.get(ref)
        if member is None:
            problems.append(Problem(path, unknown_member_message(ref)))
        elif ref in seen:
            problems.append(Problem(path, msg("Đồng chí {name} đã có trong ban kiểm phiếu.", name=member.name)))
        else:
            bar = rules.counter_bar(member.standing, member.attendance, member.suspended)
            if bar is not None:
                problems.append(Problem(path, rules.counter_refusal(member.name, bar)))
        seen.add(ref)
    return problems


def _check_ballot_counts(mf: MeetingFile) -> list[Problem]:
    """The ballot's numbers as the rules core checks them (SPEC 5.7, 5.8), a not-rated member's row named so.

    Under two ballots the paths are ``ballot.first...`` and ``ballot.second...``.
    """
    problems: list[Problem] = []
    result = mf.evaluate()
    reasons = {m.key: m.not_rated_reason for m in result.members}
    first: Path = ("ballot", "first") if mf.two_ballots else ("ballot",)
    for p in result.ballot_problems:
        message = p.message
        if len(p.path) == 2 and p.path[0] == "rows" and reasons.get(str(p.path[1])) is not None:
            reason = reasons[str(p.path[1])]
            assert reason is not None
            message = msg(
                "Đảng viên này không được xếp loại ({reason}): không có dòng trên phiếu.",
                reason=NOT_RATED_IN_SENTENCE[NotRatedReason(reason)],
            )
        problems.append(Problem(first + p.path, message))
    problems += [Problem(("ballot", "second") + p.path, p.message) for p in result.second_ballot_problems]
    return problems


# The words live in review/vocabulary.py; the enum-keyed view keeps its historical name.
POSITION_LABELS = {position: vocabulary.POSITION_LABELS[position] for position in Position}

# The single positions and the reasons not to rate as a problem names them inside a sentence
# (vocabulary.lower_first of their labels), each marked with its own translation; the tests
# check that they are the vocabulary's labels lowered.
POSITION_IN_SENTENCE = {Position.SECRETARY: N_("bí thư"), Position.DEPUTY_SECRETARY: N_("phó Bí thư")}
NOT_RATED_IN_SENTENCE = {
    NotRatedReason.EXEMPT: N_("miễn công tác và sinh hoạt đảng"),
    NotRatedReason.SUSPENDED: N_("bị đình chỉ sinh hoạt đảng"),
    NotRatedReason.NEW_MEMBER: msg("vào Đảng chưa đủ {months} tháng", months=rules.NEW_MEMBER_MONTHS),
}


# ---------------------------------------------------------------------------
# Writing


def _moment(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.isoformat(timespec="seconds" if value.second else "minutes")


def _feedback(entries: list[FeedbackEntry]) -> list[dict[str, Any]]:
    return [
        {"guest": e.guest, "text": e.text} if e.guest is not None else {"by": e.by, "text": e.text} for e in entries
    ]


def _member(m: MemberData) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": m.id,
        "name": m.name,
        "standing": str(m.standing),
        "position": str(m.position),
        "admitted_on": m.admitted_on.isoformat(),
    }
    for key in ("exempt", "suspended", "temporary_elsewhere", "disciplined_in_year"):
        if getattr(m, key):
            out[key] = True
    if m.sick_leave_months:
        out["sick_leave_months"] = m.sick_leave_months
    if m.previous_level is not None:
        out["previous_level"] = str(m.previous_level)
    out["attendance"] = str(m.attendance)
    if m.absence_reason:
        out["absence_reason"] = m.absence_reason
    if m.review is not None:
        review: dict[str, Any] = {
            "summary": m.review.summary,
            "self_level": m.review.self_level and str(m.review.self_level),
        }
        if m.review.self_score is not None:
            review["self_score"] = m.review.self_score
        review |= {
            "response": m.review.response,
            "feedback": _feedback(m.review.feedback),
            "conclusion": m.review.conclusion,
        }
        out["review"] = review
    return out


def _papers(issued: int, returned: int, invalid: int, invalid_reasons: str) -> dict[str, Any]:
    return {"issued": issued, "returned": returned, "invalid": invalid, "invalid_reasons": invalid_reasons}


def _ballot(ballot: BallotData, two: bool) -> dict[str, Any]:
    """Return the ballot as format 1 writes it, or under two ballots as format 2 does."""
    papers = _papers(ballot.issued, ballot.returned, ballot.invalid, ballot.invalid_reasons)
    if not two:
        return (
            {"counters": list(ballot.counters)}
            | papers
            | {"rows": {key: votes.as_dict() for key, votes in ballot.rows.items()}}
        )
    out: dict[str, Any] = {
        "counters": list(ballot.counters),
        "first": papers
        | {"rows": {key: {f: getattr(v, f) for f in FIRST_BALLOT_FIELDS} for key, v in ballot.rows.items()}},
    }
    second = ballot.second
    if second is not None:
        out["second"] = _papers(second.issued, second.returned, second.invalid, second.invalid_reasons) | {
            "rows": {key: votes.as_dict() for key, votes in second.rows.items()}
        }
    return out


def dump(mf: MeetingFile, with_results: bool = True) -> dict[str, Any]:
    """Return the meeting as a format 1 document (format 2 under two ballots), with ``results`` from the rules core."""
    doc: dict[str, Any] = {
        "format": mf.format,
        "organization": {"parent": mf.parent, "cell": mf.cell, "place": mf.place},
        "year": mf.year,
        "rules": {"profile": mf.rules.profile} | rules.rules_overrides(mf.rules),
        "meeting": {
            "starts_at": _moment(mf.meeting.starts_at),
            "ends_at": _moment(mf.meeting.ends_at),
            "location": mf.meeting.location,
            "chair": mf.meeting.chair,
            "minute_taker": mf.meeting.minute_taker,
            "guests": [{"name": g.name, "title": g.title} for g in mf.meeting.guests],
            "minutes_approved_by": mf.meeting.minutes_approved_by,
        },
        "members": [_member(m) for m in mf.members],
        "collective_reviews": [
            {
                "subject": c.subject,
                "report": c.report,
                "self_level": c.self_level and str(c.self_level),
                "feedback": _feedback(c.feedback),
                "conclusion": c.conclusion,
                "remedy_plan": c.remedy_plan,
            }
            for c in mf.collective_reviews
        ],
    }
    if mf.ballot is not None:
        doc["ballot"] = _ballot(mf.ballot, mf.two_ballots)
    if with_results:
        doc["results"] = mf.evaluate().as_dict()
    return doc


def dumps(document: Mapping[str, Any]) -> str:
    """Return a document as the meeting file's JSON text (UTF-8 text, two-space indent)."""
    return json.dumps(document, ensure_ascii=False, indent=2)


# ---------------------------------------------------------------------------
# An uploaded file's place: the ward's organisation and one of its cells


RENAMED_HINT = N_(
    "Nếu {what} đã đổi tên trên máy chủ sau khi tệp được ghi, sửa tên trong tệp ({path}) "
    "cho đúng tên trên máy chủ rồi tải lên lại."
)
PLACE_HINT = N_(
    "Nếu địa danh đã sửa trên máy chủ sau khi tệp được ghi, sửa địa danh trong tệp (organization.place) "
    "cho đúng địa danh trên máy chủ rồi nhập lại."
)


def placement_problems(mf: MeetingFile, organization: str, cells: Mapping[str, bool]) -> list[Problem]:
    """Return why a meeting file does not belong to ``organization`` (its name) and one of its ``cells``.

    ``cells`` maps each cell's name to whether it is archived. The file names its cell by
    name (``organization.cell``): a name that is not one of the organisation's cells is
    refused (no cell is made from a file), and so is an archived cell.
    """
    problems = []
    if mf.parent != organization:
        problems.append(
            Problem(
                ("organization", "parent"),
                msg(
                    'Tên đảng bộ trong tệp không khớp với đảng bộ này. Tên trong tệp: "{in_file}"; '
                    'tên trên máy chủ: "{on_server}". {hint}',
                    in_file=mf.parent,
                    on_server=organization,
                    hint=msg(RENAMED_HINT, what=N_("đảng bộ"), path="organization.parent"),
                ),
            )
        )
        return problems
    if mf.cell not in cells:
        known = ", ".join(f'"{name}"' for name in sorted(cells)) or N_("(chưa có chi bộ nào)")
        problems.append(
            Problem(
                ("organization", "cell"),
                msg(
                    'Đảng bộ không có chi bộ "{in_file}" (tên trong tệp). Tên các chi bộ trên máy chủ: {known}. '
                    "{hint} Nếu là chi bộ mới, tạo chi bộ trước.",
                    in_file=mf.cell,
                    known=known,
                    hint=msg(RENAMED_HINT, what=N_("chi bộ"), path="organization.cell"),
                ),
            )
        )
    elif cells[mf.cell]:
        problems.append(
            Problem(("organization", "cell"), msg('Chi bộ "{cell}" đã lưu trữ: không nhận hội nghị mới.', cell=mf.cell))
        )
    return problems
