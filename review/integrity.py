"""Integrity at the model layer: version counters (no lost updates) and sealed tallies.

Session and mapper events, so that no write path can forget them:

- every editable record carries a ``version`` (the mapper's ``version_id_col``): bumped on
  each change, its own columns or the rows it owns (a review's feedback, a meeting's guests,
  a tally's rows). A form carries the version it was loaded with; :func:`check_version`
  refuses a save over a newer one with :class:`Conflict`;
- a form that carries no version, or one that is not a version, is refused like a conflict
  (the page is stale): a save is never let through unchecked;
- the tallies of a meeting whose current seal is not reopened are read-only: any insert,
  update or delete of a tally, its rows, the committee, a counter code or a seal approval is
  refused with :class:`SealedError`, except in the transaction that seals or reopens. So is
  every change of what the seal covers and fingerprints (``sealdata.sealed_payload``, SPEC
  5.7a): the meeting's date, each participant's row (name, standing, position, admission
  date, attendance, flags, order) and a self-assessed score; the minutes' content (review
  texts, guests, location, chair, minute-taker, closing) stays editable, audited;
- bulk UPDATE and DELETE statements run by the session (ORM or Core), which skip the mapper
  events and so both guards above and the audit trail, are refused on every audited or
  sealed table.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC
from itertools import chain
from typing import Any

from flask import Flask, g, render_template
from sqlalchemy import event, exists, inspect, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Mapper, Session, object_session
from sqlalchemy.orm.attributes import get_history
from sqlalchemy.orm.exc import StaleDataError

from .audit import AUDITED, history_of, meeting_id_of
from .extensions import db
from .meeting_edits import Refused
from .models import (
    BallotCounter,
    CollectiveReview,
    CounterCode,
    Feedback,
    Guest,
    IndividualReview,
    Meeting,
    Member,
    Participant,
    Seal,
    SealApproval,
    Tally,
    TallyRow,
    User,
)
from .text import format_when

VERSIONED = (Meeting, Participant, Guest, IndividualReview, CollectiveReview, Member, Tally, BallotCounter)
# Rows a record owns: changing them changes the record (and its version).
OWNED = {Meeting: ("guests",), IndividualReview: ("feedback",), CollectiveReview: ("feedback",), Tally: ("rows",)}
OWNER = {Feedback: ("individual_review", "collective_review"), TallyRow: ("tally",), Guest: ("meeting",)}
SEALED_TABLES = (Tally, TallyRow, BallotCounter, CounterCode, SealApproval)
# What sealdata.sealed_payload reads of these rows (what a seal covers, SPEC 5.7a; see
# review/sealdata.py): a change of any of these columns changes the fingerprint. The meeting's
# location, chair, minute-taker, closing and guests are the minutes' content: editable after
# the seal (audited), and no longer in the payload.
PAYLOAD_COLUMNS = {
    Meeting: frozenset({"cell_id", "review_year_id", "starts_at"}),
    Participant: frozenset(
        {
            "meeting_id",
            "member_id",
            "roll_order",
            "name",
            "standing",
            "position",
            "admitted_on",
            "attendance",
            "absence_reason",
            "exempt",
            "suspended",
            "temporary_elsewhere",
            "sick_leave_months",
            "disciplined_in_year",
            "previous_level",
        }
    ),
    # Not in SPEC 5.7a's list, but under a scored profile the self-assessed score caps the level,
    # so it decides the results the seal covers: frozen with them.
    IndividualReview: frozenset({"self_score"}),
}
# Rows whose very presence is in the payload: a participant is a member of the file.
PAYLOAD_ROWS = (Participant,)
SEAL_OPS = "sealing_meetings"
BUMPED = "versions_bumped"
SEALED_CACHE = "sealed_meetings"  # meeting id -> sealed, asked once a flush
VERSION_FIELD = "version"

SEALED_MESSAGE = "Kết quả kiểm phiếu đã niêm phong: không thể sửa. Muốn sửa, phải mở niêm phong và ghi rõ lý do."
BULK_MESSAGE = "Không được sửa hay xóa hàng loạt dữ liệu của hội nghị: mỗi thay đổi phải qua từng bản ghi để được ghi nhật ký và kiểm tra niêm phong."
STALE_PAGE_MESSAGE = (
    "Trang đã cũ, hãy tải lại: biểu mẫu không mang phiên bản của nội dung nên chưa lưu gì. "
    "Nội dung hiện tại như dưới đây; hãy xem lại rồi lưu lại."
)
CONFLICT_MESSAGE = "{who} đã sửa nội dung này lúc {when}; nội dung hiện tại như dưới đây, hãy xem lại rồi lưu lại."
STALE_MESSAGE = "Nội dung này vừa được người khác sửa cùng lúc: tải lại trang để xem nội dung hiện tại, rồi lưu lại."


class SealedError(Refused):
    """A write to tallies that are sealed, refused at the model layer."""

    def __init__(self, message: str = SEALED_MESSAGE) -> None:
        super().__init__("csrf_token", message)


class BulkWriteRefused(Exception):
    """A bulk UPDATE or DELETE on a table whose every change is audited or sealed."""

    def __init__(self, table_name: str) -> None:
        super().__init__(f"{BULK_MESSAGE} ({table_name})")
        self.table_name = table_name


@dataclass(eq=False)
class Conflict(Exception):
    """A save over a record someone else changed after the form was loaded."""

    message: str
    version: int
    current: list[tuple[str, str]] = field(default_factory=list)  # (label, the other's text)

    def __str__(self) -> str:
        return self.message


# ---------------------------------------------------------------------------
# Version counters


def _owner_changes(obj: Any) -> bool:
    return any(get_history(obj, key).has_changes() for key in OWNED.get(type(obj), ()))


@event.listens_for(Session, "before_flush")
def bump_versions(session: Session, flush_context: Any, instances: Any) -> None:
    """Add one to the version of every record changed in this flush, owned rows included."""
    session.info[SEALED_CACHE] = {}
    with session.no_autoflush:
        bump: dict[int, Any] = {}
        for obj in session.dirty:
            if isinstance(obj, VERSIONED) and (
                session.is_modified(obj, include_collections=False) or _owner_changes(obj)
            ):
                bump[id(obj)] = obj
        for obj in chain(session.new, session.dirty, session.deleted):
            for key in OWNER.get(type(obj), ()):
                owner = getattr(obj, key, None)
                if owner is not None and owner not in session.new and owner not in session.deleted and owner in session:
                    bump[id(owner)] = owner
        bumped: set[Any] = session.info.setdefault(BUMPED, set())
        for obj in bump.values():
            key = inspect(obj).key  # one step a transaction, however many flushes it takes
            if key in bumped or get_history(obj, VERSION_FIELD).has_changes():
                continue
            obj.version = (obj.version or 0) + 1
            bumped.add(key)
        note_seal_operations(session)


def submitted_version(raw: str | None) -> int | None:
    """Return the version a form was loaded with, or None when it carried none or not a number."""
    raw = (raw or "").strip()
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 10 else None


def last_change(table_name: str, row_id: int | None) -> tuple[str, str]:
    """Return who last changed a row and when, in Vietnamese, from the audit trail."""
    entry = history_of(db.session.connection(), table_name, row_id) if row_id is not None else None
    if entry is None:
        return "Một người khác", "vừa rồi"
    when = format_when(entry.at.replace(tzinfo=UTC).astimezone(), "second")  # stored in UTC, shown local
    if entry.actor_id is not None:
        user = db.session.get(User, entry.actor_id)
        name = (user.display_name or user.username) if user is not None else entry.actor
        return f"Đồng chí {name}", when
    return ("Một người khác (qua dòng lệnh)" if entry.actor == "cli" else "Một người khác"), when


def check_version(record: Any, raw: str | None, current: Callable[[], list[tuple[str, str]]] = lambda: []) -> None:
    """Refuse to save over ``record`` when it changed after the form was loaded at version ``raw``.

    A record not stored yet is version 0. A form that carried no version, or not a number,
    comes from a stale or forged page: refused too, with the current version to save again.
    ``current`` gives the record's current text, shown beside the user's own.
    """
    loaded = submitted_version(raw)
    stored = 0 if record is None else record.version
    if loaded is None:
        raise Conflict(STALE_PAGE_MESSAGE, stored, current())
    if loaded == stored:
        return
    who, when = last_change(record.__table__.name, record.id) if record is not None else ("Một người khác", "vừa rồi")
    raise Conflict(CONFLICT_MESSAGE.format(who=who, when=when), stored, current())


VERSIONS_TOKEN = re.compile(r"none|[0-9]{1,9}:[0-9]{1,9}(,[0-9]{1,9}:[0-9]{1,9})*", re.ASCII)


def versions_token(records: list[Any]) -> str:
    """Return the versions of several records a form saves together, as one hidden value."""
    return ",".join(f"{r.id}:{r.version}" for r in sorted(records, key=lambda r: r.id)) or "none"


def check_versions(
    records: list[Any], raw: str | None, current: Callable[[], list[tuple[str, str]]] = lambda: []
) -> None:
    """Refuse to save a form over several records when any changed after it was loaded.

    ``raw`` is the :func:`versions_token` the form was loaded with; a missing or malformed
    token (a stale or forged page) is refused too, with the current token to save again.
    """
    raw = (raw or "").strip()
    if raw == versions_token(records):
        return
    if not VERSIONS_TOKEN.fullmatch(raw):
        raise VersionsConflict(STALE_PAGE_MESSAGE, 0, current(), versions_token(records))
    loaded = dict(part.split(":", 1) for part in raw.split(",") if part.count(":") == 1)
    changed = [r for r in records if loaded.get(str(r.id)) != str(r.version)]
    latest = max(changed or records, key=lambda r: r.version)
    who, when = last_change(latest.__table__.name, latest.id)
    raise VersionsConflict(CONFLICT_MESSAGE.format(who=who, when=when), 0, current(), versions_token(records))


class VersionsConflict(Conflict):
    """A conflict over several records: the form carries their versions as one token."""

    def __init__(self, message: str, version: int, current: list[tuple[str, str]], token: str) -> None:
        super().__init__(message, version, current)
        self.token = token


# ---------------------------------------------------------------------------
# Sealed tallies


def note_seal_operations(session: Session) -> None:
    """Remember the seals this transaction makes or reopens: their meetings' tallies may change in it."""
    ops: list[Seal] = session.info.setdefault(SEAL_OPS, [])
    for obj in chain(session.new, session.dirty):
        if (
            isinstance(obj, Seal)
            and (obj in session.new or get_history(obj, "reopened_at").has_changes())
            and not any(obj is seal for seal in ops)
        ):
            ops.append(obj)


def seals_or_reopens(session: Session | None, meeting_id: int) -> bool:
    """Return whether the session's transaction seals or reopens the meeting."""
    # A seal's meeting_id is set when it is flushed; until then its meeting cannot be sealed.
    return session is not None and any(seal.meeting_id == meeting_id for seal in session.info.get(SEAL_OPS, ()))


@event.listens_for(Session, "after_transaction_end")
def forget_seal_operations(session: Session, transaction: Any) -> None:
    """Forget the sealing or reopening when its transaction ends."""
    if transaction.parent is None:
        session.info.pop(SEAL_OPS, None)
        session.info.pop(BUMPED, None)


def is_sealed(connection: Connection, meeting_id: int) -> bool:
    """Return whether the meeting has a seal in force (not reopened), as the database holds it."""
    return bool(connection.scalar(select(exists().where(Seal.meeting_id == meeting_id, Seal.reopened_at.is_(None)))))


def refuse_sealed_write(mapper: Mapper, connection: Connection, target: Any) -> None:
    """Refuse a write to the tallies of a sealed meeting, unless this transaction seals or reopens it."""
    session = object_session(target)
    meeting_id = meeting_id_of(connection, target)
    if meeting_id is None:
        return
    if seals_or_reopens(session, meeting_id):
        return
    cache: dict[int, bool] = session.info.setdefault(SEALED_CACHE, {}) if session is not None else {}
    if meeting_id not in cache:
        cache[meeting_id] = is_sealed(connection, meeting_id)
    if cache[meeting_id]:
        raise SealedError()


def refuse_sealed_update(mapper: Mapper, connection: Connection, target: Any) -> None:
    """Refuse an update with net changes to the tallies of a sealed meeting."""
    session = object_session(target)
    if session is not None and not session.is_modified(target, include_collections=False):
        return
    refuse_sealed_write(mapper, connection, target)


def changed_columns(mapper: Mapper, target: Any) -> set[str]:
    """Return the attribute keys of the columns an update really changes (not set to the same value)."""
    changed = set()
    for prop in mapper.column_attrs:
        history = get_history(target, prop.key)
        if history.added and not (history.deleted and list(history.deleted) == list(history.added)):
            changed.add(prop.key)
    return changed


def refuse_payload_update(mapper: Mapper, connection: Connection, target: Any) -> None:
    """Refuse a change of a column the seal fingerprints, while the meeting is sealed."""
    if changed_columns(mapper, target) & PAYLOAD_COLUMNS[mapper.class_]:
        refuse_sealed_write(mapper, connection, target)


for _model in SEALED_TABLES:
    event.listen(_model, "before_insert", refuse_sealed_write)
    event.listen(_model, "before_update", refuse_sealed_update)
    event.listen(_model, "before_delete", refuse_sealed_write)

for _model in PAYLOAD_COLUMNS:
    event.listen(_model, "before_update", refuse_payload_update)
for _model in PAYLOAD_ROWS:
    event.listen(_model, "before_insert", refuse_sealed_write)
    event.listen(_model, "before_delete", refuse_sealed_write)


@event.listens_for(IndividualReview, "before_insert")
def refuse_scored_review(mapper: Mapper, connection: Connection, target: IndividualReview) -> None:
    """Refuse a self-assessed score written after the seal (it would change the sealed results)."""
    if target.self_score is not None:
        refuse_sealed_write(mapper, connection, target)


event.listen(Meeting, "before_delete", refuse_sealed_write)

GUARDED_TABLES = AUDITED | {model.__table__.name for model in (*SEALED_TABLES, *PAYLOAD_COLUMNS, Seal)}


@event.listens_for(Session, "do_orm_execute")
def refuse_bulk_write(orm_execute_state: Any) -> None:
    """Refuse bulk UPDATE and DELETE through the session on audited or sealed tables: they skip every mapper event.

    ORM statements (``update(Participant)``) and Core ones run by the session
    (``update(Participant.__table__)``) alike; a change must load its rows and flush them.
    """
    if not (orm_execute_state.is_update or orm_execute_state.is_delete):
        return
    table = getattr(orm_execute_state.statement, "table", None)
    name = getattr(table, "name", None)
    if name is None and orm_execute_state.bind_mapper is not None:
        name = orm_execute_state.bind_mapper.local_table.name
    if name in GUARDED_TABLES:
        raise BulkWriteRefused(name)


REOPEN_COLUMNS = frozenset({"reopened_at", "reopened_by_id", "reopen_reason"})
SEAL_KEPT_MESSAGE = (
    "Bản niêm phong được giữ nguyên làm hồ sơ: không sửa, không xóa được; chỉ được mở niêm phong, có ghi lý do."
)


@event.listens_for(Seal, "before_update")
def refuse_seal_change(mapper: Mapper, connection: Connection, target: Seal) -> None:
    """Let a sealed version change only once, by its reopening; what was sealed stays as it was."""
    changed = {prop.key for prop in mapper.column_attrs if get_history(target, prop.key).has_changes()}
    if not changed:
        return
    reopened = get_history(target, "reopened_at")
    was_reopened = (list(reopened.deleted) or list(reopened.unchanged) or [None])[0] is not None
    if changed - REOPEN_COLUMNS or was_reopened:
        raise SealedError(SEAL_KEPT_MESSAGE)


@event.listens_for(Seal, "before_delete")
def refuse_seal_delete(mapper: Mapper, connection: Connection, target: Seal) -> None:
    """Keep every sealed version on record."""
    raise SealedError(SEAL_KEPT_MESSAGE)


# ---------------------------------------------------------------------------
# Pages


def init_app(app: Flask) -> None:
    """Show a save conflict on the page that caused it; answer a conflict no form caught with 409."""

    @app.context_processor
    def conflict_context() -> dict[str, Any]:
        return {"conflict": g.get("conflict")}

    @app.errorhandler(StaleDataError)
    def stale_data(error: StaleDataError) -> tuple[str, int]:
        """Answer a write over a row changed at the same time (outside a form's save) with 409."""
        db.session.rollback()
        return render_template("errors/error.html", title="Nội dung vừa bị sửa cùng lúc", message=STALE_MESSAGE), 409

    @app.errorhandler(SealedError)
    def sealed(error: SealedError) -> tuple[str, int]:
        """Answer a write refused by the seal (outside a form's save) with 422, nothing saved."""
        db.session.rollback()
        return render_template("errors/error.html", title="Đã niêm phong", message=error.message), 422
