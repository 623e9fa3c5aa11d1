"""The sealed tallies' guard at the model layer: mapper and session events no write path can forget.

- the tallies of a meeting whose current seal is not reopened are read-only: any insert,
  update or delete of a tally, its rows, the committee, a counter code or a seal approval is
  refused with :class:`SealedError`, except in the transaction that seals or reopens. So is
  every change of what the seal covers and fingerprints (``sealdata.sealed_payload``, SPEC
  5.7a): the meeting's date, each participant's row (name, standing, position, admission
  date, attendance, flags, order) and a self-assessed score; the minutes' content (review
  texts, guests, location, chair, minute-taker, closing) stays editable, audited;
- bulk UPDATE and DELETE statements run by the session (ORM or Core), which skip the mapper
  events and so the guard above, the version counters (``review.versioning``) and the audit
  trail, are refused on every audited or sealed table.
"""

from __future__ import annotations

from itertools import chain
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import event, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Mapper, Session, object_session
from sqlalchemy.orm.attributes import get_history

from .audit import AUDITED, meeting_id_of
from .meeting_edits import Refused
from .models import (
    BallotCounter,
    CounterCode,
    DecisionSeal,
    IndividualReview,
    Meeting,
    Participant,
    Seal,
    SealApproval,
    Tally,
    TallyRow,
)
from .translatable import N_

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
SEALED_CACHE = "sealed_meetings"  # meeting id -> seal_state, asked once a flush
SECOND_BALLOT = 2  # Tally.ballot of ballot 2 (meeting_store.SECOND_BALLOT; that module imports this one)

SEALED_MESSAGE = N_("Kết quả kiểm phiếu đã niêm phong: không thể sửa. Muốn sửa, phải mở niêm phong và ghi rõ lý do.")
BULK_MESSAGE = N_(
    "Không được sửa hay xóa hàng loạt dữ liệu của hội nghị: mỗi thay đổi phải qua từng bản ghi để được ghi nhật ký và kiểm tra niêm phong."
)


class SealedError(Refused):
    """A write to tallies that are sealed, refused at the model layer.

    ``message`` is one of the module's marked texts, kept translated into the request's language
    (Vietnamese outside a request: the command line).
    """

    def __init__(self, message: str = SEALED_MESSAGE) -> None:
        super().__init__("csrf_token", _(message))


class BulkWriteRefused(Exception):
    """A bulk UPDATE or DELETE on a table whose every change is audited or sealed."""

    def __init__(self, table_name: str) -> None:
        super().__init__(f"{_(BULK_MESSAGE)} ({table_name})")
        self.table_name = table_name


@event.listens_for(Session, "before_flush")
def note_flush(session: Session, flush_context: Any, instances: Any) -> None:
    """Ask again whether a meeting is sealed in this flush, and remember the seals it makes or reopens."""
    session.info[SEALED_CACHE] = {}
    with session.no_autoflush:
        note_seal_operations(session)


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
    """Forget the sealing or reopening (and the replacement) when its transaction ends."""
    if transaction.parent is None:
        session.info.pop(SEAL_OPS, None)
        session.info.pop(REPLACING, None)


# session.info: the id of the meeting (not sealed) that an uploaded meeting file replaces in
# this transaction (meeting_store.upload_meeting); its reopened seals go with it.
REPLACING = "replacing_meeting"


def allow_replacing(session: Session, meeting_id: int) -> None:
    """Let this transaction delete the reopened seals of ``meeting_id``, which a meeting file replaces.

    Only reopened versions: a seal in force is never deleted (the meeting must be reopened
    first), and the replaced meeting's file is kept in ``MeetingUpload.replaced_file``; the
    audit trail keeps every seal's insert and delete.
    """
    session.info[REPLACING] = meeting_id


# What a meeting's seal in force covers, as seal_state reads it from the database.
NOT_SEALED = "none"
FIRST_BALLOT = "first_ballot"  # under two ballots: ballot 1 sealed, ballot 2 still to count (SPEC 5.8)
FULLY_SEALED = "sealed"


def seal_state(connection: Connection, meeting_id: int) -> str:
    """Return what the meeting's seal in force covers, as the database holds it: nothing, ballot 1, or all."""
    first_ballot_only = connection.scalar(
        select(Seal.first_ballot_only)
        .where(Seal.meeting_id == meeting_id, Seal.reopened_at.is_(None))
        .order_by(Seal.version.desc())
        .limit(1)
    )
    if first_ballot_only is None:
        return NOT_SEALED
    return FIRST_BALLOT if first_ballot_only else FULLY_SEALED


def is_sealed(connection: Connection, meeting_id: int) -> bool:
    """Return whether the meeting has a seal in force (not reopened), of either kind, as the database holds it."""
    return seal_state(connection, meeting_id) != NOT_SEALED


def second_ballot_work(connection: Connection, target: Any) -> bool:
    """Return whether ``target`` is part of ballot 2's counting, which a seal of ballot 1 leaves open:
    ballot 2's tallies and their rows, the approvals of its seal, the counters' one-time codes."""
    if isinstance(target, (SealApproval, CounterCode)):
        return True
    if isinstance(target, Tally):
        return target.ballot == SECOND_BALLOT
    if isinstance(target, TallyRow):
        tally = target.tally
        if tally is not None:
            return tally.ballot == SECOND_BALLOT
        return connection.scalar(select(Tally.ballot).where(Tally.id == target.tally_id)) == SECOND_BALLOT
    return False


def refuse_sealed_write(mapper: Mapper, connection: Connection, target: Any) -> None:
    """Refuse a write to the tallies of a sealed meeting, unless this transaction seals or reopens it.

    A seal of ballot 1 alone (two ballots, SPEC 5.8) leaves ballot 2's counting open and freezes the rest.
    """
    session = object_session(target)
    meeting_id = meeting_id_of(connection, target)
    if meeting_id is None:
        return
    if seals_or_reopens(session, meeting_id):
        return
    cache: dict[int, str] = session.info.setdefault(SEALED_CACHE, {}) if session is not None else {}
    if meeting_id not in cache:
        cache[meeting_id] = seal_state(connection, meeting_id)
    state = cache[meeting_id]
    if state == FULLY_SEALED or (state == FIRST_BALLOT and not second_ballot_work(connection, target)):
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
SEAL_KEPT_MESSAGE = N_(
    "Bản niêm phong được giữ nguyên làm hồ sơ: không sửa, không xóa được; chỉ được mở niêm phong, có ghi lý do."
)


def _refuse_all_but_one_reopening(mapper: Mapper, target: Any, message: str) -> None:
    """Refuse a change of a sealed version other than its one reopening (the reopen columns, once)."""
    changed = {prop.key for prop in mapper.column_attrs if get_history(target, prop.key).has_changes()}
    if not changed:
        return
    reopened = get_history(target, "reopened_at")
    was_reopened = (list(reopened.deleted) or list(reopened.unchanged) or [None])[0] is not None
    if changed - REOPEN_COLUMNS or was_reopened:
        raise SealedError(message)


@event.listens_for(Seal, "before_update")
def refuse_seal_change(mapper: Mapper, connection: Connection, target: Seal) -> None:
    """Let a sealed version change only once, by its reopening; what was sealed stays as it was."""
    _refuse_all_but_one_reopening(mapper, target, SEAL_KEPT_MESSAGE)


@event.listens_for(Seal, "before_delete")
def refuse_seal_delete(mapper: Mapper, connection: Connection, target: Seal) -> None:
    """Keep every sealed version on record, except a reopened one of a meeting being replaced (allow_replacing)."""
    session = object_session(target)
    if target.reopened_at is not None and session is not None and session.info.get(REPLACING) == target.meeting_id:
        return
    raise SealedError(SEAL_KEPT_MESSAGE)


DECISION_KEPT_MESSAGE = N_(
    "Quyết định đã ban hành được giữ nguyên làm hồ sơ: không sửa, không xóa được; chỉ được mở lại, có ghi lý do."
)


@event.listens_for(DecisionSeal, "before_update")
def refuse_decision_seal_change(mapper: Mapper, connection: Connection, target: DecisionSeal) -> None:
    """Let an issued version of the committee's decision change only once, by its reopening (as a meeting's seal)."""
    _refuse_all_but_one_reopening(mapper, target, DECISION_KEPT_MESSAGE)


@event.listens_for(DecisionSeal, "before_delete")
def refuse_decision_seal_delete(mapper: Mapper, connection: Connection, target: DecisionSeal) -> None:
    """Keep every issued version of the committee's decision on record."""
    raise SealedError(DECISION_KEPT_MESSAGE)
