"""A meeting's history as people read it: cards by step of the meeting and by person, names not ids.

Pure: the route gathers the audit entries of one page (:class:`Entry`) and what names them
(:class:`Directory`, built from the meeting's own trail, so a replaced meeting is named too) and
hands them here; this module returns plain cards for the template. No Flask, no database.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final

from ..translatable import N_, msg
from ..vocabulary import (
    APPROVER_LABELS,
    ATTENDANCE_LABELS,
    GUEST_LABEL,
    LEVEL_LABELS,
    POSITION_LABELS,
    SECOND_BALLOT_COLUMN_LABELS,
    STANDING_LABELS,
    TALLY_ENTRY_LABELS,
    VOTE_COLUMN_LABELS,
)

SEAL_CONTEXT: Final = "seal"  # as review.audit.SEAL_CONTEXT (the sealing's rows)


class Word(str):
    """A shown value that is a word of the interface ("(không rõ)", a level's name), not data.

    The page translates a ``Word`` (the ``history_value`` filter, review/history/routes.py) and
    shows any other value (a name, a typed text, a number) as it was logged.
    """


# The steps of the meeting, in the order the meeting runs them (the filter's choices too).
STEPS: Final = {
    "roll_call": N_("Kiểm diện, thành phần dự"),
    "collective": N_("Kiểm điểm tập thể"),
    "individual": N_("Kiểm điểm cá nhân"),
    "tally": N_("Bỏ phiếu, kiểm phiếu"),
    "seal": N_("Niêm phong"),
    "closing": N_("Bế mạc, thông qua biên bản"),
    "other": N_("Thông tin hội nghị, tài khoản"),
}
ROLL_CALL_TABLES: Final = frozenset({"participant", "guest"})
TALLY_TABLES: Final = frozenset({"ballot_counter", "tally", "tally_row", "counter_code"})
SEAL_TABLES: Final = frozenset({"seal", "seal_approval"})
ROLL_CALL_COLUMN: Final = "roll_called_at"  # an update of the meeting that is the roll call
CLOSING_COLUMNS: Final = ("minutes_approved_by", "ends_at")  # an update of the meeting that is its closing

TABLE_LABELS: Final = {
    "meeting": N_("Hội nghị"),
    "guest": N_("Khách mời"),
    "participant": N_("Đảng viên dự hội nghị"),
    "individual_review": N_("Tự kiểm điểm"),
    "collective_review": N_("Kiểm điểm tập thể"),
    "feedback": N_("Ý kiến góp ý"),
    "ballot_counter": N_("Ban kiểm phiếu"),
    "tally": N_("Bản nhập kiểm phiếu"),
    "tally_row": N_("Dòng kiểm phiếu"),
    "counter_code": N_("Mã đăng nhập một lần"),
    "seal_approval": N_("Xác nhận niêm phong"),
    "seal": N_("Niêm phong"),
    "user_account": N_("Tài khoản"),
}
COLUMN_LABELS: Final = {
    "summary": N_("Tóm tắt tự kiểm điểm"),
    "self_level": N_("Tự xếp loại"),
    "self_score": N_("Điểm tự chấm"),
    "response": N_("Tiếp thu, giải trình"),
    "conclusion": N_("Kết luận"),
    "report": N_("Báo cáo"),
    "remedy_plan": N_("Kế hoạch khắc phục"),
    "text": N_("Nội dung ý kiến"),
    "speaker_id": N_("Người góp ý"),
    "guest_id": N_("Khách mời góp ý"),
    "position": N_("Thứ tự"),
    "roll_order": N_("Thứ tự điểm danh"),
    "attendance": N_("Kiểm diện"),
    "absence_reason": N_("Lý do vắng"),
    "exempt": N_("Miễn sinh hoạt"),
    "suspended": N_("Đình chỉ sinh hoạt"),
    "temporary_elsewhere": N_("Sinh hoạt tạm thời nơi khác"),
    "sick_leave_months": N_("Tháng nghỉ ốm"),
    "disciplined_in_year": N_("Bị kỷ luật trong năm"),
    "previous_level": N_("Xếp loại năm trước"),
    "standing": N_("Đảng viên"),
    "starts_at": N_("Khai mạc"),
    "ends_at": N_("Bế mạc"),
    "location": N_("Địa điểm"),
    "chair_id": N_("Chủ trì"),
    "minute_taker_id": N_("Thư ký"),
    "minutes_approved_by": N_("Số tán thành biên bản"),
    "roll_called_at": N_("Kiểm diện lúc"),
    "name": N_("Họ tên"),
    "admitted_on": N_("Ngày vào Đảng"),
    "title": N_("Chức vụ"),
    "member_id": N_("Đảng viên"),
    "subject": N_("Kiểm điểm của"),
    "issued": N_("Phát ra"),
    "returned": N_("Thu vào"),
    "invalid": N_("Không hợp lệ"),
    "invalid_reasons": N_("Lý do không hợp lệ"),
    **VOTE_COLUMN_LABELS,  # a tally row's votes, by level in full words
    **SECOND_BALLOT_COLUMN_LABELS,  # ballot 2's agree and disagree (SPEC 5.8)
    "ballot": N_("Vòng bỏ phiếu"),
    "first_ballot_only": N_("Chỉ niêm phong vòng 1"),
    "entry": N_("Bản nhập"),
    "reopened_at": N_("Mở niêm phong lúc"),
    "reopened_by_id": N_("Người mở niêm phong"),
    "reopen_reason": N_("Lý do mở niêm phong"),
    "sealed_at": N_("Niêm phong lúc"),
    "chief_id": N_("Trưởng ban kiểm phiếu"),
    "secretary_id": N_("Bí thư chi bộ"),
    "individual_review_id": N_("Bản tự kiểm điểm của"),
    "collective_review_id": N_("Kiểm điểm tập thể"),
    "participant_id": N_("Đảng viên"),
    "tally_id": N_("Bản nhập"),
    "user_id": N_("Tài khoản"),
    "fingerprint": N_("Dấu SHA-256"),
    "audit_anchor": N_("Mốc nhật ký"),
    "approved_at": N_("Xác nhận lúc"),
    "role": N_("Vai trò"),
    "updated_at": N_("Lưu lúc"),
    "created_at": N_("Tạo lúc"),
    "expires_at": N_("Hết hạn lúc"),
    "used_at": N_("Dùng lúc"),
    "superseded_at": N_("Thay thế lúc"),
    "sign_in_id": N_("Phiên trình duyệt"),
    "address": N_("Địa chỉ mạng"),
    "revoked_at": N_("Hủy lúc"),
    "issued_by_id": N_("Người cấp"),
    "account_id": N_("Tài khoản mở bằng mã"),
    "provenance": N_("Nguồn gốc và cảnh báo"),
    "payload": N_("Nội dung niêm phong"),
    "username": N_("Tên đăng nhập"),
    "display_name": N_("Tên hiển thị"),
    "active": N_("Đang dùng"),
}
# Columns every entry of a meeting carries and nobody reads (the row's own id, its version, the meeting).
HIDDEN_COLUMNS: Final = frozenset({"id", "version", "meeting_id", "code_hash", "lookup_key", "password_hash"})
ACTION_LABELS: Final = {"insert": N_("thêm"), "update": N_("sửa"), "delete": N_("xóa")}
ACTOR_LABELS: Final = {"cli": N_("Dòng lệnh"), "system": N_("Hệ thống"), "anonymous": N_("Chưa đăng nhập")}
SUBJECT_LABELS: Final = {"cell": N_("Tập thể chi bộ"), "committee": N_("Tập thể chi ủy")}
ENTRY_LABELS: Final = {**TALLY_ENTRY_LABELS, "final": N_("Bản kiểm phiếu cuối cùng")}
# The entries' words inside a line's sentence ("Dòng kiểm phiếu (bản nhập thứ nhất): sửa"): ENTRY_LABELS lowered.
ENTRY_WORDS: Final = {
    "first": N_("bản nhập thứ nhất"),
    "second": N_("bản nhập thứ hai"),
    "final": N_("bản kiểm phiếu cuối cùng"),
}
UNKNOWN: Final = Word(N_("(không rõ)"))  # a row the meeting's trail does not name
DELETED_ACCOUNT: Final = Word(N_("(tài khoản đã xóa)"))
MEETING_PERSON: Final = N_("Hội nghị")
SEAL_PERSON: Final = N_("Niêm phong")
TALLY_ROW_OF: Final = N_("Phiếu của đồng chí")  # followed by the participant's name
CELL_ROW: Final = N_("Dòng chi bộ")
POSITION_COLUMN: Final = N_("Chức vụ")  # a participant's position (a guest's or a feedback's is an order)
YES: Final = Word(N_("có"))
NO: Final = Word(N_("không"))
SHOWN_CHARS: Final = 300  # a long text is cut on this page; the trail keeps it whole

# Columns whose values are coded words, and the words.
VALUE_WORDS: Final[Mapping[str, Mapping[str, str]]] = {
    "attendance": ATTENDANCE_LABELS,
    "standing": STANDING_LABELS,
    "position": POSITION_LABELS,
    "self_level": LEVEL_LABELS,
    "previous_level": LEVEL_LABELS,
    "entry": ENTRY_LABELS,
    "role": APPROVER_LABELS,
    "subject": SUBJECT_LABELS,
}
MEMBER_COLUMNS: Final = frozenset({"speaker_id", "member_id", "chair_id", "minute_taker_id"})
ACCOUNT_COLUMNS: Final = frozenset(
    {"user_id", "issued_by_id", "account_id", "reopened_by_id", "chief_id", "secretary_id"}
)


@dataclass(frozen=True)
class Name:
    """Words and a name: the page writes the name alone inside <bdi> ("Phiếu của đồng chí" <bdi>An</bdi>)."""

    words: str = ""
    name: str = ""

    def __str__(self) -> str:
        return " ".join(part for part in (self.words, self.name) if part)


@dataclass(frozen=True)
class Entry:
    """One audit entry as the route read it: times already local, the JSON already parsed."""

    id: int
    at: datetime
    actor_id: int | None
    actor: str  # the username, or "cli" / "system"
    table: str
    action: str
    row_id: int | None
    before: Mapping[str, Any]
    after: Mapping[str, Any]
    context: str | None = None
    hash: str = ""


@dataclass
class Directory:
    """What names the rows of a meeting's trail, gathered from the trail itself (and the accounts)."""

    participants: dict[int, str] = field(default_factory=dict)  # participant id -> name, as at the meeting
    participant_members: dict[int, int] = field(default_factory=dict)  # participant id -> member id
    members: dict[int, str] = field(default_factory=dict)  # member id -> name, as at the meeting
    guests: dict[int, str] = field(default_factory=dict)
    accounts: dict[int, str] = field(default_factory=dict)  # account id -> the person's name
    reviews: dict[int, int] = field(default_factory=dict)  # individual review id -> participant id
    collective: dict[int, str] = field(default_factory=dict)  # collective review id -> subject
    feedback: dict[int, tuple[str, int]] = field(default_factory=dict)  # id -> ("individual"|"collective", review)
    tallies: dict[int, str] = field(default_factory=dict)  # tally id -> entry ("first", "second", "final")
    tally_rows: dict[int, int | None] = field(default_factory=dict)  # tally row id -> participant id (None: cell)
    row_tallies: dict[int, int] = field(default_factory=dict)  # tally row id -> tally id
    counters: dict[int, int] = field(default_factory=dict)  # ballot counter id -> member id
    codes: dict[int, int] = field(default_factory=dict)  # counter code id -> member id
    approvals: list[tuple[int, str, int]] = field(default_factory=list)  # (entry id, role, account id)

    def note(self, entry_id: int, table: str, row_id: int | None, values: Mapping[str, Any]) -> None:
        """Learn what an insert (or an update) of the trail says about the row it names."""
        if row_id is None:
            return
        if table == "participant":
            self._participant(row_id, values)
        elif table == "guest" and "name" in values:
            self.guests[row_id] = str(values["name"])
        elif table == "individual_review" and isinstance(values.get("participant_id"), int):
            self.reviews[row_id] = values["participant_id"]
        elif table == "collective_review" and "subject" in values:
            self.collective[row_id] = str(values["subject"])
        elif table == "feedback":
            if isinstance(values.get("individual_review_id"), int):
                self.feedback[row_id] = ("individual", values["individual_review_id"])
            elif isinstance(values.get("collective_review_id"), int):
                self.feedback[row_id] = ("collective", values["collective_review_id"])
        elif table == "tally" and "entry" in values:
            self.tallies[row_id] = str(values["entry"])
        elif table == "tally_row":
            self._tally_row(row_id, values)
        elif table == "ballot_counter" and isinstance(values.get("member_id"), int):
            self.counters[row_id] = values["member_id"]
        elif table == "counter_code" and isinstance(values.get("member_id"), int):
            self.codes[row_id] = values["member_id"]
        elif table == "seal_approval" and isinstance(values.get("user_id"), int):
            self.approvals.append((entry_id, str(values.get("role", "")), values["user_id"]))

    def _participant(self, row_id: int, values: Mapping[str, Any]) -> None:
        if "name" in values:
            self.participants[row_id] = str(values["name"])
        member_id = values.get("member_id", self.participant_members.get(row_id))
        if isinstance(member_id, int):
            self.participant_members[row_id] = member_id
            if row_id in self.participants:
                self.members[member_id] = self.participants[row_id]

    def _tally_row(self, row_id: int, values: Mapping[str, Any]) -> None:
        if "participant_id" in values:
            participant = values["participant_id"]
            self.tally_rows[row_id] = participant if isinstance(participant, int) else None
        if isinstance(values.get("tally_id"), int):
            self.row_tallies[row_id] = values["tally_id"]

    def participant(self, participant_id: Any) -> str:
        return self.participants.get(participant_id, UNKNOWN) if isinstance(participant_id, int) else UNKNOWN

    def member(self, member_id: Any) -> str:
        return self.members.get(member_id, UNKNOWN) if isinstance(member_id, int) else UNKNOWN

    def account(self, account_id: Any) -> str:
        return self.accounts.get(account_id, DELETED_ACCOUNT) if isinstance(account_id, int) else UNKNOWN

    def approvers(self, before_entry: int) -> list[tuple[str, str]]:
        """Return (role word, name) of the latest approval of each role written before ``before_entry``."""
        latest: dict[str, int] = {}
        for entry_id, role, account_id in self.approvals:
            if entry_id < before_entry:
                latest[role] = account_id
        return [
            (APPROVER_LABELS.get(role, role), self.account(latest[role])) for role in APPROVER_LABELS if role in latest
        ]


def directory_of(entries: Iterable[Entry], accounts: Mapping[int, tuple[str, int | None]]) -> Directory:
    """Build the directory from a meeting's naming entries (oldest first) and its accounts.

    ``accounts`` maps an account id to (its person's name, the member it is linked to): an account
    linked to a member of the meeting is named as the meeting names that member (one person, one name).
    """
    found = Directory()
    for e in sorted(entries, key=lambda e: e.id):
        found.note(e.id, e.table, e.row_id, e.after or {})
    for account_id, (name, member_id) in accounts.items():
        found.accounts[account_id] = found.members.get(member_id, name) if member_id is not None else name
    return found


# ---------------------------------------------------------------------------
# Where an entry belongs


def step_of(entry: Entry, directory: Directory) -> str:
    """Return the step of the meeting an entry belongs to (a key of :data:`STEPS`)."""
    table = entry.table
    if entry.context == SEAL_CONTEXT or table in SEAL_TABLES:
        return "seal"
    if table in ROLL_CALL_TABLES:
        return "roll_call"
    if table == "collective_review":
        return "collective"
    if table == "individual_review":
        return "individual"
    if table == "feedback":
        kind = directory.feedback.get(entry.row_id or 0, (None, 0))[0]
        return "collective" if kind == "collective" else "individual"
    if table in TALLY_TABLES:
        return "tally"
    if table == "meeting" and entry.action == "update":
        if ROLL_CALL_COLUMN in entry.after:
            return "roll_call"
        if any(c in entry.after for c in CLOSING_COLUMNS):
            return "closing"
    return "other"


def person_of(entry: Entry, directory: Directory) -> Name:
    """Return whom (or what) an entry is about, by name: the heading of its group in the card."""
    table, row_id = entry.table, entry.row_id or 0
    if entry.context == SEAL_CONTEXT or table == "seal":
        return Name(SEAL_PERSON)
    if table in ("participant", "individual_review", "feedback", "collective_review"):
        return review_person(table, row_id, directory)
    if table == "guest":
        return Name(GUEST_LABEL, directory.guests.get(row_id, UNKNOWN))
    if table == "tally_row":
        if row_id not in directory.tally_rows:
            return Name(UNKNOWN)
        participant = directory.tally_rows[row_id]
        return Name(TALLY_ROW_OF, directory.participant(participant)) if participant is not None else Name(CELL_ROW)
    if table == "tally":
        return Name(ENTRY_LABELS.get(directory.tallies.get(row_id, ""), TABLE_LABELS["tally"]))
    if table == "ballot_counter":
        return Name(name=directory.member(directory.counters.get(row_id)))
    if table == "counter_code":
        return Name(name=directory.member(directory.codes.get(row_id)))
    if table == "seal_approval":
        role = str((entry.after or entry.before).get("role", ""))
        account = (entry.after or entry.before).get("user_id")
        return Name(APPROVER_LABELS.get(role, role), directory.account(account))
    if table == "user_account":
        return Name(name=directory.account(row_id))
    if table == "meeting":
        return Name(MEETING_PERSON)
    return Name(TABLE_LABELS.get(table, table))


def review_person(table: str, row_id: int, directory: Directory) -> Name:
    """Return whom a roll call, review or feedback entry is about: the member, or the collective."""
    if table == "participant":
        return Name(name=directory.participant(row_id))
    if table == "individual_review":
        return Name(name=directory.participant(directory.reviews.get(row_id)))
    if table == "collective_review":
        return Name(SUBJECT_LABELS.get(directory.collective.get(row_id, ""), UNKNOWN))
    kind, review = directory.feedback.get(row_id, ("", 0))
    if kind == "collective":
        return Name(SUBJECT_LABELS.get(directory.collective.get(review, ""), UNKNOWN))
    return Name(name=directory.participant(directory.reviews.get(review)))


def who_of(entry: Entry, directory: Directory) -> Name:
    """Return who wrote an entry: the account's person; for the sealing's rows, the seal (see :func:`approvers_of`)."""
    if entry.context == SEAL_CONTEXT:
        return Name(SEAL_PERSON)
    if entry.actor_id is not None and entry.actor_id in directory.accounts:
        return Name(name=directory.accounts[entry.actor_id])
    if entry.actor_id is not None:
        return Name(DELETED_ACCOUNT)
    return Name(ACTOR_LABELS.get(entry.actor, entry.actor))


def approvers_of(entry: Entry, directory: Directory) -> list[Name]:
    """Return who approved the sealing that wrote ``entry`` (none for an entry not written by it)."""
    if entry.context != SEAL_CONTEXT:
        return []
    return [Name(role, name) for role, name in directory.approvers(entry.id)]


# ---------------------------------------------------------------------------
# Values


def shown(value: Any) -> str:
    """Return a logged value as the page writes it (a long text cut)."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return YES if value else NO
    text = str(value)
    return text if len(text) <= SHOWN_CHARS else text[:SHOWN_CHARS] + "…"


def value_of(table: str, column: str, value: Any, directory: Directory) -> str:
    """Return a logged value in words: ids as names, codes as words."""
    if value is None:
        return shown(None)
    if column in MEMBER_COLUMNS:
        return directory.member(value)
    if column in ACCOUNT_COLUMNS:
        return directory.account(value)
    if column == "guest_id":
        return directory.guests.get(value, UNKNOWN)
    if column == "participant_id":
        return directory.participant(value)
    if column == "individual_review_id":
        return directory.participant(directory.reviews.get(value))
    if column == "collective_review_id":
        return Word(SUBJECT_LABELS.get(directory.collective.get(value, ""), UNKNOWN))
    if column == "tally_id":
        return Word(ENTRY_LABELS.get(directory.tallies.get(value, ""), UNKNOWN))
    if column == "position" and table != "participant":
        return shown(value)  # a guest's or a feedback's order, not a post
    words = VALUE_WORDS.get(column)
    if words is not None and isinstance(value, str):
        return Word(words[value]) if value in words else value
    return shown(value)


@dataclass(frozen=True)
class Change:
    """One column of an entry: its name (a word to translate), before and after, in words (a :class:`Word` or data)."""

    column: str
    before: str
    after: str


def changes_of(entry: Entry, directory: Directory) -> list[Change]:
    """Return an entry's columns as the page shows them (the row's ids and versions left out)."""
    keys = [k for k in (entry.after or entry.before) if k not in HIDDEN_COLUMNS]
    if entry.table == "tally_row" and entry.action == "insert":
        keys = [k for k in keys if k not in ("tally_id", "participant_id")]  # the group and the line say it
    return [
        Change(
            column=POSITION_COLUMN if k == "position" and entry.table == "participant" else COLUMN_LABELS.get(k, k),
            before=value_of(entry.table, k, entry.before[k], directory) if k in entry.before else "",
            after=value_of(entry.table, k, entry.after[k], directory) if k in entry.after else "",
        )
        for k in keys
    ]


# ---------------------------------------------------------------------------
# The cards


@dataclass(frozen=True)
class Line:
    """One entry as the page shows it."""

    id: int
    at: datetime
    who: Name
    approvers: list[Name]  # for a row the sealing wrote: who approved it
    what: str  # what changed and how, in words (a Message): "Dòng kiểm phiếu (bản nhập thứ nhất): sửa"
    action: str  # "thêm", "sửa", "xóa"
    changes: list[Change]
    hash: str
    sealed: bool  # written by the sealing
    kind: str = ""  # the entry's action: "insert", "update", "delete"


@dataclass(frozen=True)
class Group:
    """The entries of one step about one person (or one thing), newest first."""

    person: Name
    lines: list[Line]


@dataclass(frozen=True)
class Card:
    """One step of the meeting and its groups, in the order their newest entry came."""

    step: str
    title: str
    groups: list[Group]
    approvers: list[Name] = field(default_factory=list)  # for the seal: who approved the sealing


def what_of(entry: Entry, directory: Directory) -> str:
    """Return what an entry changed and how, in words, without an id (a Message the page translates)."""
    label: str = TABLE_LABELS.get(entry.table, entry.table)
    if entry.table == "tally_row":
        tally = entry.after.get("tally_id", entry.before.get("tally_id", directory.row_tallies.get(entry.row_id or 0)))
        entry_word = ENTRY_WORDS.get(directory.tallies.get(tally, ""), "") if isinstance(tally, int) else ""
        if entry_word:
            label = msg("{label} ({entry})", label=label, entry=entry_word)
    action = ACTION_LABELS.get(entry.action, entry.action)
    return msg("{label}: {action}", label=label, action=action)


def line_of(entry: Entry, directory: Directory) -> Line:
    return Line(
        id=entry.id,
        at=entry.at,
        who=who_of(entry, directory),
        approvers=approvers_of(entry, directory),
        what=what_of(entry, directory),
        action=ACTION_LABELS.get(entry.action, entry.action),
        changes=changes_of(entry, directory),
        hash=entry.hash[:12],
        sealed=entry.context == SEAL_CONTEXT,
        kind=entry.action,
    )


def cards(entries: Iterable[Entry], directory: Directory) -> list[Card]:
    """Return the entries of one page as cards: by step in the meeting's order, then by person.

    Within a step the groups come in the order of their newest entry, and a group's lines newest
    first, as the page's entries are. The seal's card says who approved the sealing.
    """
    by_step: dict[str, dict[Name, list[Line]]] = {}
    seal_ids: list[int] = []
    for entry in sorted(entries, key=lambda e: e.id, reverse=True):
        step = step_of(entry, directory)
        by_step.setdefault(step, {}).setdefault(person_of(entry, directory), []).append(line_of(entry, directory))
        if entry.context == SEAL_CONTEXT:
            seal_ids.append(entry.id)
    result = []
    for step, title in STEPS.items():
        if step not in by_step:
            continue
        approvers = [Name(r, n) for r, n in directory.approvers(max(seal_ids))] if step == "seal" and seal_ids else []
        groups = [Group(p, lines) for p, lines in by_step[step].items()]
        result.append(Card(step=step, title=title, groups=groups, approvers=approvers))
    return result


def people_in_log(actors: Iterable[tuple[int | None, str]], directory: Directory) -> list[tuple[str, str]]:
    """Return the filter's choices of who: (value, name) of each distinct writer of the log, by name.

    The value is the account id, or for an entry without an account the actor word ("cli"); a
    name that is a word of the interface ("Dòng lệnh") is a :class:`Word`, for the route to translate.
    """
    choices: dict[str, str] = {}
    for actor_id, actor in actors:
        if actor_id is not None:
            choices[str(actor_id)] = directory.accounts.get(actor_id, DELETED_ACCOUNT)
        else:
            choices[actor] = Word(ACTOR_LABELS[actor]) if actor in ACTOR_LABELS else actor
    return sorted(choices.items(), key=lambda c: (c[1].casefold(), c[0]))
