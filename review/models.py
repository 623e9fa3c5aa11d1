"""Typed SQLAlchemy models: organisations, cells, members, meetings, reviews, ballots, users.

Values the rules core knows as enums (levels, standing, attendance, ...) are stored through
SQLAlchemy's ``Enum`` (:func:`enum_column`): a short string, the enum's value (never its
name), checked by a CHECK constraint named after the column; the attribute holds the enum
member (a ``StrEnum``, equal to its value), and a string that is not a value is refused
before it reaches the database. Uniqueness and foreign keys are the database's job, not
only the forms'.

Stored times, one convention: every instant the software records is UTC. An instant is read
from ``review.clock.now()`` (never ``datetime.now()`` directly), an aware UTC datetime, and
kept in a naive ``DateTime`` column as UTC:

- the meeting's record (the roll call, the counting's entries, codes and approvals, the seals
  and their reopening, the exports' finishing) through :class:`Instant`, which stores an aware
  datetime as naive UTC, refuses a naive one, and gives back aware UTC datetimes;
- the audit trail's ``at`` and the sign-in failures' ``failed_at`` as plain ``DateTime`` holding
  naive UTC (``clock.utc_naive(clock.now())``): the audit's text, which its hashes cover, writes
  ``at`` naive, as it always has;
- the ``created_at`` the database fills in itself (CURRENT_TIMESTAMP: UTC on SQLite; on
  PostgreSQL the session's time zone, which ``review.config.engine_options`` sets to UTC),
  read back through :class:`Instant`.

Pages and documents show an instant in the server's local wall-clock time (``clock.local``, the
templates' ``when`` filter). A meeting's start and end (``starts_at``, ``ends_at``) are not
instants but civil times: naive, the local wall-clock time as typed and as the minutes, the
meeting file and the seal's payload write them, never converted.

Dates (``Date``) are calendar dates with no time zone: admission, retirement.
"""

from __future__ import annotations

import hmac
import secrets
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

from flask import current_app, has_app_context
from flask_login import UserMixin
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
    func,
    text,
)
from sqlalchemy import Enum as SQLEnum
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship
from sqlalchemy.types import TypeDecorator
from werkzeug.security import check_password_hash, generate_password_hash

from . import vocabulary
from .decision_rules import SignerTitle
from .extensions import db
from .rules import OVERRIDE_KEYS, AgreeCap, Attendance, BallotMode, Level, Position, QuotaPool, Standing
from .text import NAME_MAX

NAME = NAME_MAX  # longest name or title we store (one home: text.NAME_MAX)


def enum_values(enum: type[StrEnum]) -> list[str]:
    """Return the values an enum is stored as (its members' values, not their names)."""
    return [member.value for member in enum]


def enum_column(enum: type[StrEnum], name: str, length: int = 16) -> SQLEnum:
    """Return the column type storing ``enum``'s values as VARCHAR(``length``), with a CHECK named ``name``.

    Not a native (PostgreSQL) enum type: a plain string column and a CHECK constraint, the same
    on SQLite and PostgreSQL, named ``ck_<table>_<name>`` by the metadata's naming convention.
    """
    return SQLEnum(
        enum,
        name=name,
        native_enum=False,
        create_constraint=True,
        values_callable=enum_values,
        validate_strings=True,
        length=length,
    )


class Instant(TypeDecorator[datetime]):
    """An instant: an aware datetime in Python, stored as naive UTC in a ``DateTime`` column.

    Binding a naive datetime is refused (it could be a local time read from the wrong clock:
    use ``review.clock.now()``); a value read back is aware, in UTC.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Return an aware datetime as naive UTC, for the column."""
        if value is None:
            return None
        if not isinstance(value, datetime) or value.utcoffset() is None:
            raise ValueError(f"an Instant column takes an aware datetime (review.clock.now()), not {value!r}")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Return the column's naive UTC as an aware datetime."""
        return None if value is None else value.replace(tzinfo=UTC)


class ReviewSubject(StrEnum):
    """Whose collective review (kiểm điểm tập thể)."""

    CELL = "cell"  # chi bộ
    COMMITTEE = "committee"  # chi ủy


class TallyEntry(StrEnum):
    """Which entry of the counted ballot a tally is (see :class:`Tally`)."""

    FIRST = "first"
    SECOND = "second"
    FINAL = "final"


class ApprovalRole(StrEnum):
    """Who agrees to a seal."""

    CHIEF = "chief"  # trưởng ban kiểm phiếu
    SECRETARY = "secretary"


class ExportState(StrEnum):
    """The state of a background export."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class FailureKind(StrEnum):
    """What a failed sign-in tried."""

    PASSWORD = "password"
    CODE = "code"


class Versioned:
    """An editable record's version, for optimistic locking (the mapper's ``version_id_col``).

    Bumped by ``review.versioning`` on every change of the record or of the rows it owns (not
    by SQLAlchemy: ``version_id_generator`` is False), and checked against the version a form
    was loaded with.
    """

    @declared_attr
    def version(cls) -> Mapped[int]:
        return mapped_column(Integer, default=1, server_default="1")

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        return {"version_id_col": cls.__table__.c.version, "version_id_generator": False}


class Organization(db.Model):
    """A ward party organisation (đảng bộ phường / đảng ủy cơ sở)."""

    __tablename__ = "organization"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(NAME), unique=True)
    place: Mapped[str] = mapped_column(String(NAME))  # for the date line: "Thượng Thanh, ngày ..."
    # The superior organisation, for the documents' header ("Đảng bộ quận Long Biên"); "" unknown.
    superior: Mapped[str] = mapped_column(String(NAME), default="", server_default="")
    # Archived organisations keep every record; they leave the lists and take no new meetings.
    archived_at: Mapped[datetime | None] = mapped_column(Instant)

    cells: Mapped[list[Cell]] = relationship(back_populates="organization", order_by="Cell.name")
    review_years: Mapped[list[ReviewYear]] = relationship(back_populates="organization")


class Cell(db.Model):
    """A party cell (chi bộ) of a ward organisation."""

    __tablename__ = "cell"
    __table_args__ = (UniqueConstraint("organization_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id", ondelete="RESTRICT"), index=True)
    name: Mapped[str] = mapped_column(String(NAME))
    place: Mapped[str] = mapped_column(String(NAME), default="", server_default="")  # "" = the organisation's
    has_committee: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))  # có chi ủy
    # Archived cells keep every record; they leave the lists and take no new meetings.
    archived_at: Mapped[datetime | None] = mapped_column(Instant)

    organization: Mapped[Organization] = relationship(back_populates="cells")
    members: Mapped[list[Member]] = relationship(back_populates="cell", order_by="Member.id")
    meetings: Mapped[list[Meeting]] = relationship(back_populates="cell")


class Member(Versioned, db.Model):
    """A party member of a cell, as the cell's roster knows them now."""

    __tablename__ = "member"
    __table_args__ = (
        UniqueConstraint("cell_id", "code"),
        UniqueConstraint("cell_id", "card_number"),
        CheckConstraint("code <> 'cell'", name="code_not_cell"),
        CheckConstraint("official_on IS NULL OR official_on >= admitted_on", name="official_after_admission"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cell_id: Mapped[int] = mapped_column(ForeignKey("cell.id", ondelete="RESTRICT"), index=True)
    code: Mapped[str] = mapped_column(String(32))  # the member's id in meeting files, e.g. "m01"
    name: Mapped[str] = mapped_column(String(NAME))
    standing: Mapped[Standing] = mapped_column(enum_column(Standing, "standing"))
    position: Mapped[Position] = mapped_column(enum_column(Position, "position", 24))
    admitted_on: Mapped[date] = mapped_column(Date)  # ngày vào Đảng
    retired_on: Mapped[date | None] = mapped_column(Date)  # left the cell (moved, died, removed)
    # The roster spreadsheet's columns (SPEC 10), kept as the cell writes them.
    official_on: Mapped[date | None] = mapped_column(Date)  # ngày chính thức; None: not yet official
    card_number: Mapped[str | None] = mapped_column(String(32))  # số thẻ đảng viên, leading zeros kept
    born_on: Mapped[date | None] = mapped_column(Date)  # ngày sinh
    note: Mapped[str] = mapped_column(Text, default="", server_default="")  # ghi chú

    cell: Mapped[Cell] = relationship(back_populates="members")


class ReviewYear(db.Model):
    """A ward organisation's review year with its rule profile and overrides (SPEC 6).

    An override column is NULL when the profile's own value applies.
    """

    __tablename__ = "review_year"
    __table_args__ = (UniqueConstraint("organization_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id", ondelete="RESTRICT"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    profile: Mapped[str] = mapped_column(String(32))
    quorum: Mapped[str | None] = mapped_column(String(16))  # "2/3"
    excellent_threshold: Mapped[str | None] = mapped_column(String(16))
    cumulative: Mapped[bool | None] = mapped_column(Boolean)
    ballot_mode: Mapped[BallotMode | None] = mapped_column(enum_column(BallotMode, "ballot_mode"))
    quota_ratio: Mapped[str | None] = mapped_column(String(16))
    quota_pool: Mapped[QuotaPool | None] = mapped_column(enum_column(QuotaPool, "quota_pool"))
    agree_cap: Mapped[AgreeCap | None] = mapped_column(enum_column(AgreeCap, "agree_cap"))  # two ballots only

    organization: Mapped[Organization] = relationship(back_populates="review_years")

    OVERRIDES = OVERRIDE_KEYS  # the rules core's: what a review year keeps over its profile

    def overrides(self) -> dict[str, object]:
        """Return the overrides that are set, as a meeting file writes them."""
        return {key: getattr(self, key) for key in self.OVERRIDES if getattr(self, key) is not None}


class Meeting(Versioned, db.Model):
    """A cell's year-end review meeting: one per cell and review year."""

    __tablename__ = "meeting"
    __table_args__ = (
        UniqueConstraint("cell_id", "review_year_id"),
        CheckConstraint("minutes_approved_by IS NULL OR minutes_approved_by >= 0", name="approved_non_negative"),
        CheckConstraint("ends_at IS NULL OR starts_at IS NULL OR ends_at >= starts_at", name="ends_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cell_id: Mapped[int] = mapped_column(ForeignKey("cell.id", ondelete="RESTRICT"), index=True)
    review_year_id: Mapped[int] = mapped_column(ForeignKey("review_year.id", ondelete="RESTRICT"), index=True)
    # Civil times, not instants: the start and end as typed and as the minutes write them (naive, local).
    starts_at: Mapped[datetime | None] = mapped_column(DateTime)
    ends_at: Mapped[datetime | None] = mapped_column(DateTime)
    location: Mapped[str] = mapped_column(String(NAME), default="")
    chair_id: Mapped[int | None] = mapped_column(ForeignKey("member.id", ondelete="RESTRICT"))  # chủ trì
    minute_taker_id: Mapped[int | None] = mapped_column(ForeignKey("member.id", ondelete="RESTRICT"))  # thư ký
    minutes_approved_by: Mapped[int | None] = mapped_column(Integer)
    roll_called_at: Mapped[datetime | None] = mapped_column(Instant)  # when the roll call was recorded
    created_at: Mapped[datetime] = mapped_column(Instant, server_default=func.now())  # the database's (UTC)

    cell: Mapped[Cell] = relationship(back_populates="meetings")
    review_year: Mapped[ReviewYear] = relationship()
    chair: Mapped[Member | None] = relationship(foreign_keys=[chair_id])
    minute_taker: Mapped[Member | None] = relationship(foreign_keys=[minute_taker_id])
    guests: Mapped[list[Guest]] = relationship(
        back_populates="meeting", order_by="Guest.position", cascade="all, delete-orphan"
    )
    participants: Mapped[list[Participant]] = relationship(
        back_populates="meeting", order_by="Participant.roll_order", cascade="all, delete-orphan"
    )
    collective_reviews: Mapped[list[CollectiveReview]] = relationship(
        back_populates="meeting", order_by="CollectiveReview.position", cascade="all, delete-orphan"
    )
    counters: Mapped[list[BallotCounter]] = relationship(
        back_populates="meeting", order_by="BallotCounter.position", cascade="all, delete-orphan"
    )
    tallies: Mapped[list[Tally]] = relationship(back_populates="meeting", cascade="all, delete-orphan")
    seals: Mapped[list[Seal]] = relationship(order_by="Seal.version", cascade="all, delete-orphan")
    seal_approvals: Mapped[list[SealApproval]] = relationship(cascade="all, delete-orphan")

    @property
    def year(self) -> int:
        """Return the review year."""
        return self.review_year.year

    @property
    def current_seal(self) -> Seal | None:
        """Return the seal in force: the latest version not reopened, or None."""
        latest = self.seals[-1] if self.seals else None
        return latest if latest is not None and latest.reopened_at is None else None

    @property
    def sealed(self) -> bool:
        """Return whether the results are sealed (read-only): the ballot, or under two ballots both.

        A seal of ballot 1 alone (:attr:`first_ballot_sealed`) leaves ballot 2 to count.
        """
        seal = self.current_seal
        return seal is not None and not seal.first_ballot_only

    @property
    def first_ballot_sealed(self) -> bool:
        """Return whether ballot 1 (or the single ballot) is sealed: a seal in force of either kind."""
        return self.current_seal is not None

    def tally(self, entry: str, ballot: int = 1) -> Tally | None:
        """Return one tally of the meeting in force: 'first', 'second' or 'final' (never a superseded one),
        of the single ballot or ballot 1 (``ballot`` 1), or of ballot 2 (``ballot`` 2, SPEC 5.8)."""
        return next(
            (t for t in self.tallies if t.entry == entry and t.ballot == ballot and t.superseded_at is None), None
        )

    @property
    def roll_called(self) -> bool:
        """Return whether the roll call has been recorded."""
        return self.roll_called_at is not None


class Guest(Versioned, db.Model):
    """A guest of the meeting, e.g. the ward committee's representative."""

    __tablename__ = "guest"
    __table_args__ = (UniqueConstraint("meeting_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(NAME))
    title: Mapped[str] = mapped_column(String(NAME), default="")

    meeting: Mapped[Meeting] = relationship(back_populates="guests")


class Participant(Versioned, db.Model):
    """A member as summoned to one year's meeting: attendance, the year's flags, the review.

    Name, standing, position and admission date are the meeting's own copy, as they stood at
    the meeting (SPEC 5.7a): a roster edit updates the copies of the meetings not sealed, never
    a sealed one's, so a sealed meeting reads the same after the roster changes.
    """

    __tablename__ = "participant"
    __table_args__ = (
        UniqueConstraint("meeting_id", "member_id"),
        UniqueConstraint("meeting_id", "roll_order"),
        CheckConstraint("sick_leave_months BETWEEN 0 AND 12", name="sick_leave_months"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id", ondelete="RESTRICT"), index=True)
    roll_order: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(NAME))
    standing: Mapped[Standing] = mapped_column(enum_column(Standing, "standing"))
    position: Mapped[Position] = mapped_column(enum_column(Position, "position", 24))
    admitted_on: Mapped[date] = mapped_column(Date)  # ngày vào Đảng, as at the meeting
    attendance: Mapped[Attendance] = mapped_column(enum_column(Attendance, "attendance"), default=Attendance.PRESENT)
    absence_reason: Mapped[str] = mapped_column(Text, default="")
    exempt: Mapped[bool] = mapped_column(Boolean, default=False)  # miễn công tác và sinh hoạt đảng
    suspended: Mapped[bool] = mapped_column(Boolean, default=False)  # đình chỉ sinh hoạt đảng
    temporary_elsewhere: Mapped[bool] = mapped_column(Boolean, default=False)  # sinh hoạt tạm thời nơi khác
    sick_leave_months: Mapped[int] = mapped_column(Integer, default=0)
    disciplined_in_year: Mapped[bool] = mapped_column(Boolean, default=False)
    # Last year's decided level.
    previous_level: Mapped[Level | None] = mapped_column(enum_column(Level, "previous_level"))
    # The committee's issued decision the previous level was taken from (SPEC 9, "next year"), or
    # None when typed by hand (or when the decision has since been removed).
    previous_level_seal_id: Mapped[int | None] = mapped_column(ForeignKey("decision_seal.id", ondelete="SET NULL"))

    meeting: Mapped[Meeting] = relationship(back_populates="participants")
    member: Mapped[Member] = relationship()
    previous_level_seal: Mapped[DecisionSeal | None] = relationship()
    review: Mapped[IndividualReview | None] = relationship(
        back_populates="participant", cascade="all, delete-orphan", uselist=False
    )


class IndividualReview(Versioned, db.Model):
    """A member's self-criticism (tự kiểm điểm) at the meeting, with feedback and conclusion."""

    __tablename__ = "individual_review"
    __table_args__ = (CheckConstraint("self_score IS NULL OR self_score BETWEEN 0 AND 100", name="self_score"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participant.id", ondelete="CASCADE"), unique=True)
    summary: Mapped[str] = mapped_column(Text, default="")
    self_level: Mapped[Level | None] = mapped_column(enum_column(Level, "self_level"))
    self_score: Mapped[int | None] = mapped_column(Integer)  # out of 100, from the 2025 profile
    response: Mapped[str] = mapped_column(Text, default="")
    conclusion: Mapped[str] = mapped_column(Text, default="")  # the chair's kết luận

    participant: Mapped[Participant] = relationship(back_populates="review")
    feedback: Mapped[list[Feedback]] = relationship(
        back_populates="individual_review",
        order_by="Feedback.position",
        cascade="all, delete-orphan",
        foreign_keys="Feedback.individual_review_id",
    )


class CollectiveReview(Versioned, db.Model):
    """The collective review of the cell or of its committee (kiểm điểm tập thể)."""

    __tablename__ = "collective_review"
    __table_args__ = (UniqueConstraint("meeting_id", "subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"), index=True)
    subject: Mapped[ReviewSubject] = mapped_column(enum_column(ReviewSubject, "subject"))
    position: Mapped[int] = mapped_column(Integer, default=0)
    report: Mapped[str] = mapped_column(Text, default="")
    self_level: Mapped[Level | None] = mapped_column(enum_column(Level, "self_level"))
    conclusion: Mapped[str] = mapped_column(Text, default="")
    remedy_plan: Mapped[str] = mapped_column(Text, default="")

    meeting: Mapped[Meeting] = relationship(back_populates="collective_reviews")
    feedback: Mapped[list[Feedback]] = relationship(
        back_populates="collective_review",
        order_by="Feedback.position",
        cascade="all, delete-orphan",
        foreign_keys="Feedback.collective_review_id",
    )


class Feedback(db.Model):
    """A named speaker's feedback (ý kiến góp ý) on an individual or a collective review.

    The speaker is a member present at the meeting (``speaker``) or one of its guests
    (``guest``, e.g. the ward's representative): exactly one of the two (SPEC 8).
    """

    __tablename__ = "feedback"
    __table_args__ = (
        CheckConstraint("(individual_review_id IS NULL) <> (collective_review_id IS NULL)", name="one_review"),
        CheckConstraint("(speaker_id IS NULL) <> (guest_id IS NULL)", name="one_speaker"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    individual_review_id: Mapped[int | None] = mapped_column(
        ForeignKey("individual_review.id", ondelete="CASCADE"), index=True
    )
    collective_review_id: Mapped[int | None] = mapped_column(
        ForeignKey("collective_review.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    speaker_id: Mapped[int | None] = mapped_column(ForeignKey("member.id", ondelete="RESTRICT"), index=True)
    guest_id: Mapped[int | None] = mapped_column(ForeignKey("guest.id", ondelete="RESTRICT"), index=True)
    text: Mapped[str] = mapped_column(Text)

    individual_review: Mapped[IndividualReview | None] = relationship(
        back_populates="feedback", foreign_keys=[individual_review_id]
    )
    collective_review: Mapped[CollectiveReview | None] = relationship(
        back_populates="feedback", foreign_keys=[collective_review_id]
    )
    speaker: Mapped[Member | None] = relationship()
    guest: Mapped[Guest | None] = relationship()


class BallotCounter(Versioned, db.Model):
    """A member of the ballot-counting committee (ban kiểm phiếu); position 0 is the chief."""

    __tablename__ = "ballot_counter"
    __table_args__ = (
        UniqueConstraint("meeting_id", "member_id"),
        UniqueConstraint("meeting_id", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id", ondelete="RESTRICT"), index=True)
    position: Mapped[int] = mapped_column(Integer)

    meeting: Mapped[Meeting] = relationship(back_populates="counters")
    member: Mapped[Member] = relationship()


class Tally(Versioned, db.Model):
    """One entry of the counted ballot: papers issued, returned and invalid, and its rows.

    ``entry`` tells which: ``first`` and ``second`` are two counters' independent entries of
    the same ballots; ``final`` is the meeting's counted ballot (an imported file's, or the
    agreed entry, copied when the tallies are sealed). ``ballot`` tells of which ballot: 1 for
    the single ballot or ballot 1 of two, 2 for ballot 2 (SPEC 5.8), whose rows carry
    ``agree``, ``disagree`` and ``blank``.
    """

    __tablename__ = "tally"
    __table_args__ = (
        # One entry of each kind in force; an entry superseded by a re-issued code stays for the record.
        Index(
            "uq_tally_meeting_id_ballot_entry_current",
            "meeting_id",
            "ballot",
            "entry",
            unique=True,
            sqlite_where=text("superseded_at IS NULL"),
            postgresql_where=text("superseded_at IS NULL"),
        ),
        CheckConstraint("issued >= 0 AND returned >= 0 AND invalid >= 0", name="non_negative"),
        CheckConstraint("ballot IN (1, 2)", name="ballot"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"), index=True)
    entry: Mapped[TallyEntry] = mapped_column(enum_column(TallyEntry, "entry"), default=TallyEntry.FINAL)
    ballot: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))
    issued: Mapped[int] = mapped_column(Integer, default=0)
    returned: Mapped[int] = mapped_column(Integer, default=0)
    invalid: Mapped[int] = mapped_column(Integer, default=0)
    invalid_reasons: Mapped[str] = mapped_column(Text, default="")
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))  # who typed it
    updated_at: Mapped[datetime | None] = mapped_column(Instant)  # the last save
    # Where the last save came from (review.trust.Origin): the browser session's random id
    # (review.provenance: kept across sign-ins in one browser) and the client's address.
    sign_in_id: Mapped[str | None] = mapped_column(String(64))
    address: Mapped[str | None] = mapped_column(String(64))
    # Set when a re-issued one-time code replaced the account that typed it: kept for the record only.
    superseded_at: Mapped[datetime | None] = mapped_column(Instant)

    meeting: Mapped[Meeting] = relationship(back_populates="tallies")
    user: Mapped[User | None] = relationship()
    rows: Mapped[list[TallyRow]] = relationship(back_populates="tally", cascade="all, delete-orphan")


class TallyRow(db.Model):
    """One row of a tally: a rated member's votes per level, or the cell's (no participant)."""

    __tablename__ = "tally_row"
    __table_args__ = (
        UniqueConstraint("tally_id", "participant_id"),
        # One cell row a tally: NULLs are distinct in a unique constraint, so a partial index.
        Index(
            "uq_tally_row_cell",
            "tally_id",
            unique=True,
            sqlite_where=text("participant_id IS NULL"),
            postgresql_where=text("participant_id IS NULL"),
        ),
        CheckConstraint(
            "excellent >= 0 AND good >= 0 AND completed >= 0 AND not_completed >= 0 AND blank >= 0"
            " AND agree >= 0 AND disagree >= 0",
            name="non_negative",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tally_id: Mapped[int] = mapped_column(ForeignKey("tally.id", ondelete="CASCADE"), index=True)
    participant_id: Mapped[int | None] = mapped_column(ForeignKey("participant.id", ondelete="CASCADE"))
    excellent: Mapped[int] = mapped_column(Integer, default=0)
    good: Mapped[int] = mapped_column(Integer, default=0)
    completed: Mapped[int] = mapped_column(Integer, default=0)
    not_completed: Mapped[int] = mapped_column(Integer, default=0)
    blank: Mapped[int] = mapped_column(Integer, default=0)
    # Ballot 2 of two (SPEC 5.8): agree or disagree that the candidate is excellent (blank above).
    agree: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    disagree: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))

    tally: Mapped[Tally] = relationship(back_populates="rows")
    participant: Mapped[Participant | None] = relationship()


class Role(StrEnum):
    ADMIN = "admin"  # quản trị hệ thống
    WARD = "ward"  # đảng ủy phường: reads its organisation's cells
    SECRETARY = "secretary"  # bí thư hoặc thư ký hội nghị of one cell
    COUNTER = "counter"  # thành viên ban kiểm phiếu of one cell


ROLE_LABELS = {role: vocabulary.ROLE_LABELS[role] for role in Role}  # the words: review/vocabulary.py


SESSION_TOKEN = 64  # the column's length; a token is 43 characters
DEVICE_ID = 32  # a known device's id (review/auth/devices.py): 22 characters


def new_session_token() -> str:
    """Return a fresh random session token (256 bits)."""
    return secrets.token_urlsafe(32)


def parse_session_identity(identity: str) -> tuple[int, str] | None:
    """Return the account id and session token of a ``User.get_id`` value, or None if malformed."""
    account, separator, token = identity.partition(":")
    if not separator or not token or not account.isascii() or not account.isdigit() or len(account) > 10:
        return None
    return (int(account), token) if int(account) < 2**31 else None  # an INTEGER id on PostgreSQL


class User(UserMixin, db.Model):
    """An account, scoped by its role to an organisation or to a cell."""

    __tablename__ = "user_account"
    __table_args__ = (
        CheckConstraint(
            "(role = 'admin' AND organization_id IS NULL AND cell_id IS NULL)"
            " OR (role = 'ward' AND organization_id IS NOT NULL AND cell_id IS NULL)"
            " OR (role IN ('secretary', 'counter') AND cell_id IS NOT NULL AND organization_id IS NULL)",
            name="scope",
        ),
        CheckConstraint("meeting_id IS NULL OR role = 'counter'", name="meeting_scope"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(NAME), default="")
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[Role] = mapped_column(enum_column(Role, "role"))
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organization.id", ondelete="RESTRICT"))
    cell_id: Mapped[int | None] = mapped_column(ForeignKey("cell.id", ondelete="RESTRICT"))
    # The party member behind the account, if any (a counter must be one to count).
    member_id: Mapped[int | None] = mapped_column(ForeignKey("member.id", ondelete="SET NULL"))
    # A one-time-code counter account reaches this meeting's tallies and nothing else.
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(Instant, server_default=func.now())  # the database's (UTC)
    # Part of every session and remember-me cookie (see get_id): a new value ends them all.
    session_token: Mapped[str] = mapped_column(String(SESSION_TOKEN), default=new_session_token)
    last_sign_in_at: Mapped[datetime | None] = mapped_column(Instant)  # shown to the ward and the administrator
    # The interface language the account chose with the menu's switch (review/i18n.py); None: not chosen.
    language: Mapped[str | None] = mapped_column(String(8))

    organization: Mapped[Organization | None] = relationship()
    cell: Mapped[Cell | None] = relationship()
    member: Mapped[Member | None] = relationship()

    def set_password(self, password: str) -> None:
        """Store a salted scrypt hash of ``password`` (config PASSWORD_HASH_METHOD); end every session."""
        method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt") if has_app_context() else "scrypt"
        self.password_hash = generate_password_hash(password, method=method)
        self.end_sessions()

    def get_id(self) -> str:
        """Return the identity kept in the session and the remember-me cookie: ``"<id>:<session token>"``."""
        return f"{self.id}:{self.session_token}"

    def holds_session(self, token: str) -> bool:
        """Return whether ``token`` is the account's current session token (compared in constant time)."""
        return hmac.compare_digest(self.session_token.encode("utf-8"), token.encode("utf-8"))

    def end_sessions(self) -> None:
        """End every session of the account: its session and remember-me cookies stop working.

        The one way sessions end (sign-out, password change, disabling, revoking): the
        next request of any browser signed in before is signed out.
        """
        self.session_token = new_session_token()

    def disable(self) -> None:
        """Refuse the account's sign-ins and end its sessions at once."""
        self.active = False
        self.end_sessions()

    def enable(self) -> None:
        """Let the account sign in again (its old sessions stay ended)."""
        self.active = True

    def check_password(self, password: str) -> bool:
        """Return whether ``password`` matches the stored hash."""
        return check_password_hash(self.password_hash, password)

    @property
    def is_active(self) -> bool:  # type: ignore[override]
        """Return whether the account may sign in."""
        return self.active

    @property
    def person_name(self) -> str:
        """Return the name of the person behind the account, one name on every page: the linked
        party member's, if any, else the account's display name (its username without one)."""
        if self.member is not None and self.member.name:
            return self.member.name
        return self.display_name or self.username

    @property
    def role_label(self) -> str:
        """Return the role's Vietnamese name."""
        return ROLE_LABELS[self.role]


class CounterCode(db.Model):
    """A one-time sign-in code the secretary issues to a counter for one meeting.

    ``code_hash`` is a salted scrypt hash of the code (as passwords); ``lookup_key`` finds the
    row without trying every hash: an HMAC-SHA256 of the code keyed with SECRET_KEY (see
    ``review.counting.code_lookup_key``).
    """

    __tablename__ = "counter_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id", ondelete="CASCADE"))
    code_hash: Mapped[str] = mapped_column(String(256))
    lookup_key: Mapped[str] = mapped_column(String(64), unique=True)
    # Issued, expires, used, revoked.
    created_at: Mapped[datetime] = mapped_column(Instant)
    expires_at: Mapped[datetime] = mapped_column(Instant)
    used_at: Mapped[datetime | None] = mapped_column(Instant)
    revoked_at: Mapped[datetime | None] = mapped_column(Instant)  # a newer code was issued before this one was used
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    account_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))  # what it opened

    meeting: Mapped[Meeting] = relationship()
    member: Mapped[Member] = relationship()
    issued_by: Mapped[User | None] = relationship(foreign_keys=[issued_by_id])
    account: Mapped[User | None] = relationship(foreign_keys=[account_id])


class SealApproval(db.Model):
    """The chief counter's or the secretary's agreement to seal exactly this data (its fingerprint)."""

    __tablename__ = "seal_approval"
    __table_args__ = (UniqueConstraint("meeting_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"), index=True)
    role: Mapped[ApprovalRole] = mapped_column(enum_column(ApprovalRole, "role"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    fingerprint: Mapped[str] = mapped_column(String(64))
    approved_at: Mapped[datetime] = mapped_column(Instant)
    # Where the approval came from (review.trust.Origin): the browser session's random id
    # (review.provenance: kept across sign-ins in one browser) and the client's address.
    sign_in_id: Mapped[str | None] = mapped_column(String(64))
    address: Mapped[str | None] = mapped_column(String(64))

    user: Mapped[User] = relationship()


class Seal(db.Model):
    """A sealed version of a meeting's tallies and results (niêm phong), kept after reopening."""

    __tablename__ = "seal"
    __table_args__ = (
        UniqueConstraint("meeting_id", "version"),
        CheckConstraint("version >= 1", name="version"),
        CheckConstraint(
            "(reopened_at IS NULL AND reopen_reason IS NULL) OR (reopened_at IS NOT NULL AND reopen_reason IS NOT NULL)",
            name="reopen_reason",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    payload: Mapped[str] = mapped_column(Text)  # canonical JSON of what was sealed
    fingerprint: Mapped[str] = mapped_column(String(64))  # SHA-256 of the payload
    # The audit log's last hash when the seal was written (review.audit sets it at insert;
    # the chain's genesis on an empty log); None only for seals made before anchors existed.
    audit_anchor: Mapped[str | None] = mapped_column(String(64))
    sealed_at: Mapped[datetime] = mapped_column(Instant)
    chief_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    secretary_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    reopened_at: Mapped[datetime | None] = mapped_column(Instant)
    reopened_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    reopen_reason: Mapped[str | None] = mapped_column(Text)
    # JSON (review.trust.Provenance): where the entries and the approvals came from, and the
    # warnings the ward should see; None for a seal from a meeting file or made before it existed.
    provenance: Mapped[str | None] = mapped_column(Text)
    # Under two ballots (SPEC 5.8): this version seals ballot 1 only (its payload has no ballot 2);
    # ballot 2 is then counted and sealed in the next version, which covers both.
    first_ballot_only: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))

    chief: Mapped[User | None] = relationship(foreign_keys=[chief_id])
    secretary: Mapped[User | None] = relationship(foreign_keys=[secretary_id])
    reopened_by: Mapped[User | None] = relationship(foreign_keys=[reopened_by_id])
    # What its results say, in rows the ward and the province count (written with the seal).
    summary: Mapped[SealSummary | None] = relationship(
        back_populates="seal", cascade="all, delete-orphan", uselist=False, passive_deletes=True
    )


class SealSummary(db.Model):
    """The counts a seal's results recorded (its payload's ``results``), as columns.

    Written in the sealing transaction (``meeting_store.seal_meeting``) from the payload just
    sealed, never changed after (a sealed payload never changes): the ward's dashboard and the
    province add these up in the database instead of reading every payload (the committee's
    decision reads its own ward's payloads: it needs each member's proposal, not counts). Derived data, not audited; ``flask --app review summaries rebuild`` recomputes them
    from the payloads and reports any difference.
    """

    __tablename__ = "seal_summary"

    seal_id: Mapped[int] = mapped_column(ForeignKey("seal.id", ondelete="CASCADE"), primary_key=True)
    # The members proposed at each level, those not rated and those no level reached (SPEC 5).
    excellent: Mapped[int] = mapped_column(Integer)
    good: Mapped[int] = mapped_column(Integer)
    completed: Mapped[int] = mapped_column(Integer)
    not_completed: Mapped[int] = mapped_column(Integer)
    not_rated: Mapped[int] = mapped_column(Integer)
    undecided: Mapped[int] = mapped_column(Integer)
    # The cell's own row: the level its votes reached, the level proposed, its flags (JSON list).
    cell_vote_level: Mapped[str] = mapped_column(String(20))
    cell_proposed_level: Mapped[str] = mapped_column(String(20))
    cell_flags: Mapped[str] = mapped_column(Text, default="[]")
    # The cell's own quota line (SPEC 5.6): its pool, its limit, its excellent proposals.
    quota_pool: Mapped[int] = mapped_column(Integer)
    quota_limit: Mapped[int] = mapped_column(Integer)
    quota_excellent: Mapped[int] = mapped_column(Integer)

    seal: Mapped[Seal] = relationship(back_populates="summary")


class ExportJob(db.Model):
    """A ZIP of an organisation's sealed documents for one year, built in the background.

    ``done`` counts the documents written so far out of ``total``; ``file_path`` is the
    finished ZIP (set only when ``status`` is ``done`` and there was something to write).
    """

    __tablename__ = "export_job"
    __table_args__ = (CheckConstraint("total >= 0 AND done >= 0 AND done <= total", name="progress"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id", ondelete="CASCADE"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))  # who asked
    status: Mapped[ExportState] = mapped_column(
        enum_column(ExportState, "status"), default=ExportState.QUEUED, index=True
    )
    total: Mapped[int] = mapped_column(Integer, default=0)  # documents to write
    done: Mapped[int] = mapped_column(Integer, default=0)  # documents written
    error: Mapped[str] = mapped_column(Text, default="")
    file_path: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(Instant, server_default=func.now())  # the database's (UTC)
    finished_at: Mapped[datetime | None] = mapped_column(Instant)
    # The job table's claim (review/jobs.py): the worker running it ("host:pid"), its last sign of
    # life (a job whose worker fell silent past the lease is taken up again), how often it was taken.
    claimed_by: Mapped[str | None] = mapped_column(String(200))
    heartbeat_at: Mapped[datetime | None] = mapped_column(Instant)
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    organization: Mapped[Organization] = relationship()
    user: Mapped[User | None] = relationship()


class Decision(Versioned, db.Model):
    """The ward committee's decision for one organisation and year (SPEC 9), as it is being drafted.

    The committee's choices are its rows (``MemberDecision``, ``CellDecision``); what it issued
    is a ``DecisionSeal`` (kept after a reopening, like a meeting's seals). The header fields
    hold what was last typed on the issue form, so a draft's documents print it.
    """

    __tablename__ = "decision"
    __table_args__ = (
        UniqueConstraint("organization_id", "year"),
        CheckConstraint(
            "(allowance_number IS NULL) = (allowance_date IS NULL)",
            name="allowance_number_and_date",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id", ondelete="RESTRICT"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    # The committee's own decision allowing the profile's higher ratio (1/4 from hd43-2025).
    allowance_number: Mapped[str | None] = mapped_column(String(32))
    allowance_date: Mapped[date | None] = mapped_column(Date)
    number: Mapped[str] = mapped_column(String(32), default="", server_default="")
    issued_on: Mapped[date | None] = mapped_column(Date)
    place: Mapped[str] = mapped_column(String(NAME), default="", server_default="")
    signer_name: Mapped[str] = mapped_column(String(NAME), default="", server_default="")
    signer_title: Mapped[SignerTitle | None] = mapped_column(enum_column(SignerTitle, "signer_title", 24))

    organization: Mapped[Organization] = relationship()
    member_decisions: Mapped[list[MemberDecision]] = relationship(
        back_populates="decision", cascade="all, delete-orphan"
    )
    cell_decisions: Mapped[list[CellDecision]] = relationship(back_populates="decision", cascade="all, delete-orphan")
    seals: Mapped[list[DecisionSeal]] = relationship(
        back_populates="decision", order_by="DecisionSeal.version", cascade="all, delete-orphan"
    )

    @property
    def current_seal(self) -> DecisionSeal | None:
        """Return the issued version in force: the latest not reopened, or None (a draft)."""
        latest = self.seals[-1] if self.seals else None
        return latest if latest is not None and latest.reopened_at is None else None

    @property
    def issued(self) -> bool:
        return self.current_seal is not None


class MemberDecision(Versioned, db.Model):
    """The committee's level for one rated member, where it chose one (default: the cell's proposal)."""

    __tablename__ = "member_decision"
    __table_args__ = (UniqueConstraint("decision_id", "member_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("decision.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("member.id", ondelete="RESTRICT"), index=True)
    level: Mapped[Level] = mapped_column(enum_column(Level, "level"))
    reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    # The cell's proposal when the committee chose (None: undecided), to show when it changed since.
    proposed_level: Mapped[Level | None] = mapped_column(enum_column(Level, "proposed_level"))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(Instant)

    decision: Mapped[Decision] = relationship(back_populates="member_decisions")
    member: Mapped[Member] = relationship()
    decided_by: Mapped[User | None] = relationship()


class CellDecision(Versioned, db.Model):
    """The committee's level for one cell as an organisation, or its record that the cell was not reviewed."""

    __tablename__ = "cell_decision"
    __table_args__ = (
        UniqueConstraint("decision_id", "cell_id"),
        CheckConstraint("level IS NOT NULL OR not_reviewed_reason IS NOT NULL", name="level_or_not_reviewed"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("decision.id", ondelete="CASCADE"), index=True)
    cell_id: Mapped[int] = mapped_column(ForeignKey("cell.id", ondelete="RESTRICT"), index=True)
    level: Mapped[Level | None] = mapped_column(enum_column(Level, "level"))
    reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    proposed_level: Mapped[Level | None] = mapped_column(enum_column(Level, "proposed_level"))
    # Not reviewed this year (newly formed, merged, dissolved): why.
    not_reviewed_reason: Mapped[str | None] = mapped_column(Text)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(Instant)

    decision: Mapped[Decision] = relationship(back_populates="cell_decisions")
    cell: Mapped[Cell] = relationship()
    decided_by: Mapped[User | None] = relationship()


class DecisionSeal(db.Model):
    """An issued version of the committee's decision: what it decides, fingerprinted (SPEC 9)."""

    __tablename__ = "decision_seal"
    __table_args__ = (
        UniqueConstraint("decision_id", "version"),
        CheckConstraint("version >= 1", name="version"),
        CheckConstraint(
            "(reopened_at IS NULL AND reopen_reason IS NULL) OR (reopened_at IS NOT NULL AND reopen_reason IS NOT NULL)",
            name="reopen_reason",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("decision.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    payload: Mapped[str] = mapped_column(Text)  # canonical JSON (decision_rules.payload_document)
    fingerprint: Mapped[str] = mapped_column(String(64))  # SHA-256 of the payload
    number: Mapped[str] = mapped_column(String(32))
    issued_on: Mapped[date] = mapped_column(Date)
    issued_at: Mapped[datetime] = mapped_column(Instant)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    reopened_at: Mapped[datetime | None] = mapped_column(Instant)
    reopened_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    reopen_reason: Mapped[str | None] = mapped_column(Text)

    decision: Mapped[Decision] = relationship(back_populates="seals")
    issued_by: Mapped[User | None] = relationship(foreign_keys=[issued_by_id])
    reopened_by: Mapped[User | None] = relationship(foreign_keys=[reopened_by_id])
    # What it decided, in a row the province counts (written when it is issued).
    summary: Mapped[DecisionSummary | None] = relationship(
        back_populates="seal", cascade="all, delete-orphan", uselist=False, passive_deletes=True
    )


class DecisionSummary(db.Model):
    """The counts an issued decision decided (its payload's ``members`` and ``cell_levels``), as columns.

    Written in the issuing transaction (``decisions.issue``) from the payload just sealed, never
    changed after: the province adds these up instead of reading every decision's payload.
    Derived data, not audited; ``flask --app review summaries rebuild`` recomputes them.
    """

    __tablename__ = "decision_summary"

    decision_seal_id: Mapped[int] = mapped_column(ForeignKey("decision_seal.id", ondelete="CASCADE"), primary_key=True)
    # Members decided at each level, and those not rated; cells decided at each level.
    member_excellent: Mapped[int] = mapped_column(Integer)
    member_good: Mapped[int] = mapped_column(Integer)
    member_completed: Mapped[int] = mapped_column(Integer)
    member_not_completed: Mapped[int] = mapped_column(Integer)
    member_not_rated: Mapped[int] = mapped_column(Integer)
    cell_excellent: Mapped[int] = mapped_column(Integer)
    cell_good: Mapped[int] = mapped_column(Integer)
    cell_completed: Mapped[int] = mapped_column(Integer)
    cell_not_completed: Mapped[int] = mapped_column(Integer)

    seal: Mapped[DecisionSeal] = relationship(back_populates="summary")


class PasswordLink(db.Model):
    """A one-time set-password link for a new account or a reset (no e-mail: the creator hands it over).

    The link carries a random token (256 bits) shown once; only its SHA-256 is stored
    (``token_hash``), so the database never holds a usable link. Single use, expires
    (48 hours), and a newer link for the same account revokes the older one.
    """

    __tablename__ = "password_link"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(Instant)
    expires_at: Mapped[datetime] = mapped_column(Instant)
    used_at: Mapped[datetime | None] = mapped_column(Instant)
    revoked_at: Mapped[datetime | None] = mapped_column(Instant)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))

    user: Mapped[User] = relationship(foreign_keys=[user_id])
    issued_by: Mapped[User | None] = relationship(foreign_keys=[issued_by_id])


class MeetingUpload(db.Model):
    """A meeting file the ward uploaded in the browser, kept as the history of what arrived.

    When the upload replaced the server's meeting of the same cell and year (never a sealed
    one), ``reason`` says why and ``replaced_file`` keeps the replaced meeting's file
    (SPEC 8 JSON), so the replaced meeting stays readable in the history.
    """

    __tablename__ = "meeting_upload"

    id: Mapped[int] = mapped_column(primary_key=True)
    cell_id: Mapped[int] = mapped_column(ForeignKey("cell.id", ondelete="RESTRICT"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meeting.id", ondelete="SET NULL"))  # what it made
    uploaded_at: Mapped[datetime] = mapped_column(Instant)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    filename: Mapped[str] = mapped_column(String(NAME), default="")
    file_sha256: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str | None] = mapped_column(Text)  # required when it replaced a meeting
    replaced_meeting_id: Mapped[int | None] = mapped_column(Integer)  # the replaced row's id (gone since)
    replaced_file: Mapped[str | None] = mapped_column(Text)

    cell: Mapped[Cell] = relationship()
    meeting: Mapped[Meeting | None] = relationship()
    uploaded_by: Mapped[User | None] = relationship()


class LoginFailure(db.Model):
    """A failed sign-in (password or one-time code), kept a while to throttle guessing.

    ``account`` is the username tried (None for a one-time code); ``address`` is the
    client's address as the application sees it (see REVIEW_PROXY_COUNT); ``device`` the
    known device of that account the browser held (review/auth/devices.py), if any.
    """

    __tablename__ = "login_failure"
    __table_args__ = (
        Index("ix_login_failure_account_failed_at", "account", "failed_at"),
        Index("ix_login_failure_address_failed_at", "address", "failed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[FailureKind] = mapped_column(enum_column(FailureKind, "kind"))
    account: Mapped[str | None] = mapped_column(String(64))
    address: Mapped[str] = mapped_column(String(64))
    device: Mapped[str | None] = mapped_column(String(DEVICE_ID))
    failed_at: Mapped[datetime] = mapped_column(DateTime)  # naive UTC (clock.utc_naive(clock.now()))


class AuditEntry(db.Model):
    """One change of the record in the append-only audit trail, chained to the previous by SHA-256.

    Written only by ``review.audit`` in the transaction of the change; never updated or
    deleted (the model layer refuses it, and triggers in the database too). No foreign keys:
    an entry outlives the rows and accounts it names.
    """

    __tablename__ = "audit_entry"
    # The latest entry of one row (who last changed it, for a save conflict).
    __table_args__ = (Index("ix_audit_entry_table_name_row_id", "table_name", "row_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)  # 1, 2, ... in chain order
    at: Mapped[datetime] = mapped_column(DateTime)  # naive UTC (clock.utc_naive(clock.now())), as hashed
    actor_id: Mapped[int | None] = mapped_column(Integer)  # user_account.id, when a signed-in user
    actor: Mapped[str] = mapped_column(String(64))  # the username, or "cli" / "system"
    table_name: Mapped[str] = mapped_column(String(64))
    row_id: Mapped[int | None] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(8))
    meeting_id: Mapped[int | None] = mapped_column(Integer, index=True)
    before: Mapped[str | None] = mapped_column(Text)  # canonical JSON of the changed columns
    after: Mapped[str | None] = mapped_column(Text)
    # The step that wrote it, when it is not the actor's own edit ("seal": the sealing's final tally).
    context: Mapped[str | None] = mapped_column(String(32))
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


def _enum_setter(enum: type[StrEnum]) -> Any:
    values = frozenset(enum_values(enum))

    def to_member(target: Any, value: Any, oldvalue: Any, initiator: Any) -> Any:
        # A string that is one of the values is the member; another string is left for the
        # Enum type to refuse at the flush (LookupError), as any value not of the enum.
        return enum(value) if isinstance(value, str) and not isinstance(value, enum) and value in values else value

    return to_member


def _members_on_set() -> None:
    """Make an enumerated attribute hold the enum's member even when set to its value (a form's string).

    Loaded rows hold members already; so every enumerated attribute is a member, whoever set it.
    """
    for mapper in db.Model.registry.mappers:
        for prop in mapper.column_attrs:
            column_type = prop.columns[0].type
            if isinstance(column_type, SQLEnum) and column_type.enum_class is not None:
                event.listen(getattr(mapper.class_, prop.key), "set", _enum_setter(column_type.enum_class), retval=True)


_members_on_set()
