"""The audit trail: every change of the record, appended to a SHA-256 hash chain.

Mapper events note each row the unit of work inserts, updates or deletes in an audited
table (so no write path can forget it, cascades and orphans included); the session's
``after_flush`` event appends them to ``audit_entry`` on the same connection, in the same
transaction as the change. Each entry's hash is ``sha256(prev_hash + canonical JSON of the
entry)``; the chain is serialised by the write lock (SQLite's ``BEGIN IMMEDIATE``, and a
flush holds the write lock anyway) or ``pg_advisory_xact_lock`` on PostgreSQL.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import click
from flask import has_request_context
from flask.cli import with_appcontext
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import DDL, event, func, insert, inspect, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Mapper, Session, object_session
from sqlalchemy.orm.attributes import get_history
from sqlalchemy.orm.util import identity_key

from . import clock
from .models import AuditEntry, CollectiveReview, IndividualReview, Participant, Seal, Tally

# The tables of a meeting's record and everything that decides it.
AUDITED = frozenset(
    {
        "organization",
        "cell",
        "member",
        "review_year",
        "meeting",
        "guest",
        "participant",
        "individual_review",
        "collective_review",
        "feedback",
        "ballot_counter",
        "tally",
        "tally_row",
        "counter_code",
        "seal_approval",
        "seal",
        "user_account",
        "password_link",
        "meeting_upload",
        "decision",
        "member_decision",
        "cell_decision",
        "decision_seal",
    }
)
# Secrets are never copied into the log: only that they changed.
REDACTED = frozenset(
    {
        ("user_account", "password_hash"),
        ("user_account", "session_token"),
        ("counter_code", "code_hash"),
        ("password_link", "token_hash"),
        ("counter_code", "lookup_key"),  # with SECRET_KEY, it would let the 8-letter code be tried offline
    }
)
GENESIS = "0" * 64
CHAIN_LOCK = 0x41554454  # "AUDT": the PostgreSQL advisory lock key of the chain
PENDING = "audit_pending"
MEETING_CACHE = "audit_meeting_of"  # (parent table, id) -> meeting id, for one flush
ACTOR = "audit_actor"
CONTEXT = "audit_context"  # the step writing the changes being flushed (audit_context)
SEAL_CONTEXT = "seal"  # the rows the sealing writes (the final tally, the seal)

AUDIT_TABLE = AuditEntry.__table__


class AuditRefused(Exception):
    """The application never updates or deletes an audit entry, nor writes one by hand."""


# ---------------------------------------------------------------------------
# Canonical form and hashes


def canonical(value: Any) -> str:
    """Return ``value`` as canonical JSON: sorted keys, no spaces, Unicode kept."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def plain(value: Any) -> Any:
    """Return a column value as JSON can carry it."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.hex()
    return value


def entry_payload(
    entry_id: int,
    at: datetime,
    actor_id: int | None,
    actor: str,
    table_name: str,
    row_id: int | None,
    action: str,
    meeting_id: int | None,
    before: str | None,
    after: str | None,
    context: str | None = None,
) -> str:
    """Return the canonical JSON of an entry, as its hash covers it.

    The context is hashed only when there is one: entries written before it existed (0017)
    keep the hashes they were chained with.
    """
    extra = {} if context is None else {"context": context}
    return canonical(
        {
            **extra,
            "id": entry_id,
            "at": at.isoformat(),
            "actor_id": actor_id,
            "actor": actor,
            "table": table_name,
            "row_id": row_id,
            "action": action,
            "meeting_id": meeting_id,
            "before": before,
            "after": after,
        }
    )


def chain_hash(prev_hash: str, payload: str) -> str:
    """Return the SHA-256 link: the previous hash followed by the entry's canonical JSON."""
    return hashlib.sha256((prev_hash + payload).encode("utf-8")).hexdigest()


def stored_hash(entry: Any) -> str:
    """Return the hash an entry (a row of ``audit_entry``) must have after its ``prev_hash``."""
    payload = entry_payload(
        entry.id,
        entry.at,
        entry.actor_id,
        entry.actor,
        entry.table_name,
        entry.row_id,
        entry.action,
        entry.meeting_id,
        entry.before,
        entry.after,
        getattr(entry, "context", None),
    )
    return chain_hash(entry.prev_hash, payload)


# ---------------------------------------------------------------------------
# Which meeting a row belongs to


def _value(target: Any, key: str) -> Any:
    """Return an attribute already loaded, or load it."""
    state_dict = inspect(target).dict
    return state_dict[key] if key in state_dict else getattr(target, key)


def meeting_id_of(connection: Connection, target: Any) -> int | None:
    """Return the id of the meeting a row of the record belongs to, or None."""
    table = target.__table__
    if table.name == "meeting":
        return _value(target, "id")
    if "meeting_id" in table.c:
        return _value(target, "meeting_id")
    if table.name == "individual_review":
        return _parent_meeting(connection, target, "participant", _value(target, "participant_id"))
    if table.name == "feedback":
        individual = _value(target, "individual_review_id")
        if individual is not None:
            return _parent_meeting(connection, target, "individual_review", individual)
        return _parent_meeting(connection, target, "collective_review", _value(target, "collective_review_id"))
    if table.name == "tally_row":
        return _parent_meeting(connection, target, "tally", _value(target, "tally_id"))
    return None


PARENT_MEETING = {
    "participant": lambda parent_id: select(Participant.meeting_id).where(Participant.id == parent_id),
    "individual_review": lambda parent_id: (
        select(Participant.meeting_id)
        .join(IndividualReview, IndividualReview.participant_id == Participant.id)
        .where(IndividualReview.id == parent_id)
    ),
    "collective_review": lambda parent_id: select(CollectiveReview.meeting_id).where(CollectiveReview.id == parent_id),
    "tally": lambda parent_id: select(Tally.meeting_id).where(Tally.id == parent_id),
}


PARENT_MODEL = {
    "participant": Participant,
    "individual_review": IndividualReview,
    "collective_review": CollectiveReview,
    "tally": Tally,
}
# The relationship from a row to its parent, by the parent's table.
PARENT_ATTRIBUTE = {
    "participant": "participant",
    "individual_review": "individual_review",
    "collective_review": "collective_review",
    "tally": "tally",
}


def _held_parent(session: Session, target: Any, parent: str, parent_id: int) -> Any:
    """Return the parent row as the session already holds it (the row's loaded relationship, or the
    identity map), or None: no query."""
    held = inspect(target).dict.get(PARENT_ATTRIBUTE[parent])
    if held is not None and inspect(held).dict.get("id") == parent_id:
        return held
    return session.identity_map.get(identity_key(PARENT_MODEL[parent], parent_id))


def _known_meeting(session: Session, target: Any, parent: str, parent_id: int) -> int | None:
    """Return the parent row's meeting as the session already holds it, without a query, or None.

    The rows an import inserts arrive in one flush with their parents: asking the database
    for each row's meeting would be one query a row (N+1).
    """
    row = _held_parent(session, target, parent, parent_id)
    if row is None:
        return None
    loaded = inspect(row).dict
    if parent == "individual_review":
        participant_id = loaded.get("participant_id")
        if participant_id is None:
            return None
        return _known_meeting(session, row, "participant", participant_id)
    meeting_id = loaded.get("meeting_id")
    return meeting_id if isinstance(meeting_id, int) else None


def _parent_meeting(connection: Connection, target: Any, parent: str, parent_id: int | None) -> int | None:
    """Return the meeting of a parent row: from the session when it holds the parent, else asked
    once a flush (a review's many feedback rows)."""
    if parent_id is None:
        return None
    session = object_session(target)
    if session is not None:
        known = _known_meeting(session, target, parent, parent_id)
        if known is not None:
            return known
    cache: dict[tuple[str, int], int | None] = session.info.setdefault(MEETING_CACHE, {}) if session else {}
    key = (parent, parent_id)
    if key not in cache:
        cache[key] = connection.scalar(PARENT_MEETING[parent](parent_id))
    return cache[key]


# ---------------------------------------------------------------------------
# Who


def current_actor() -> tuple[int | None, str]:
    """Return who is changing the record: the signed-in user, or "cli", or "system"."""
    if has_request_context():
        from flask_login import current_user

        if current_user and current_user.is_authenticated:
            return current_user.id, current_user.username
        return None, "anonymous"
    if click.get_current_context(silent=True) is not None:
        return None, "cli"
    return None, "system"


# ---------------------------------------------------------------------------
# Noting changes (mapper events) and appending them (session events)


@contextmanager
def audit_context(session: Session, context: str) -> Iterator[None]:
    """Write the changes made inside the block with ``context`` (e.g. "seal") on their entries.

    What was changed before the block is flushed first, without it; the block's changes are
    flushed at its end, so the entries they make carry it whoever's click triggered them.
    """
    session.flush()
    previous = session.info.get(CONTEXT)
    session.info[CONTEXT] = context
    try:
        yield
        session.flush()
    finally:
        if previous is None:
            session.info.pop(CONTEXT, None)
        else:
            session.info[CONTEXT] = previous


@dataclass
class Change:
    """A row changed by a flush, waiting for its audit entry."""

    row_id: int | None
    table_name: str
    action: str
    meeting_id: int | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None


def _columns(mapper: Mapper) -> Iterator[tuple[str, str]]:
    """Yield (attribute key, column name) of a mapper's columns."""
    for prop in mapper.column_attrs:
        yield prop.key, prop.columns[0].name


def _shown(table_name: str, column: str, value: Any) -> Any:
    return "<redacted>" if (table_name, column) in REDACTED and value is not None else plain(value)


def inserted_columns(table_name: str, values: dict[str, Any]) -> dict[str, Any]:
    """Return what an insert entry records of a row's column values (secrets redacted)."""
    return {column: _shown(table_name, column, value) for column, value in values.items()}


def _row_id(mapper: Mapper, target: Any) -> int | None:
    key = mapper.primary_key_from_instance(target)
    return key[0] if len(key) == 1 and isinstance(key[0], int) else None


def _note(target: Any, change: Change) -> None:
    session = object_session(target)
    if session is not None:
        session.info.setdefault(PENDING, []).append(change)


def _audited(mapper: Mapper) -> bool:
    return mapper.local_table.name in AUDITED


@event.listens_for(Mapper, "after_insert")
def note_insert(mapper: Mapper, connection: Connection, target: Any) -> None:
    """Note an inserted row, with every column it was given."""
    if not _audited(mapper):
        return
    table_name = mapper.local_table.name
    state_dict = inspect(target).dict
    after = inserted_columns(table_name, {col: state_dict[key] for key, col in _columns(mapper) if key in state_dict})
    _note(target, Change(_row_id(mapper, target), table_name, "insert", meeting_id_of(connection, target), None, after))


@event.listens_for(Mapper, "before_update")
def note_update(mapper: Mapper, connection: Connection, target: Any) -> None:
    """Note an updated row: the changed columns, before and after."""
    if not _audited(mapper):
        return
    table_name = mapper.local_table.name
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    for key, col in _columns(mapper):
        history = get_history(target, key)
        if not history.added:
            continue
        old = history.deleted[0] if history.deleted else None
        new = history.added[0]
        if history.deleted and old == new:
            continue
        before[col] = _shown(table_name, col, old)
        after[col] = _shown(table_name, col, new)
    if after:
        _note(
            target,
            Change(_row_id(mapper, target), table_name, "update", meeting_id_of(connection, target), before, after),
        )


@event.listens_for(Mapper, "before_delete")
def note_delete(mapper: Mapper, connection: Connection, target: Any) -> None:
    """Note a deleted row, with the columns it had."""
    if not _audited(mapper):
        return
    table_name = mapper.local_table.name
    state_dict = inspect(target).dict
    before = {col: _shown(table_name, col, state_dict[key]) for key, col in _columns(mapper) if key in state_dict}
    _note(
        target, Change(_row_id(mapper, target), table_name, "delete", meeting_id_of(connection, target), before, None)
    )


def refuse_audit_write(mapper: Mapper, connection: Connection, target: Any) -> None:
    """Refuse any write of an audit entry through the ORM: the log is append-only."""
    raise AuditRefused(_("Nhật ký thay đổi chỉ được ghi thêm, không được sửa hay xóa."))


for _kind in ("before_insert", "before_update", "before_delete"):
    event.listen(AuditEntry, _kind, refuse_audit_write)


@event.listens_for(Session, "do_orm_execute")
def refuse_bulk_audit_write(orm_execute_state: Any) -> None:
    """Refuse UPDATE and DELETE statements on the audit log through the session, ORM or Core."""
    if not (orm_execute_state.is_update or orm_execute_state.is_delete):
        return
    mapper = orm_execute_state.bind_mapper
    table = getattr(orm_execute_state.statement, "table", None)
    if getattr(table, "name", None) == AUDIT_TABLE.name or (mapper is not None and mapper.local_table is AUDIT_TABLE):
        raise AuditRefused(_("Nhật ký thay đổi chỉ được ghi thêm, không được sửa hay xóa."))


@event.listens_for(Session, "before_flush")
def start_flush(session: Session, flush_context: Any, instances: Any) -> None:
    """Forget changes noted by a failed flush; learn who is changing the record."""
    session.info[PENDING] = []
    session.info[MEETING_CACHE] = {}
    if session.new or session.dirty or session.deleted:
        with session.no_autoflush:
            session.info[ACTOR] = session.info.get("audit_actor_override") or current_actor()


def chain_head(connection: Connection) -> tuple[int, str]:
    """Take the chain's lock for the transaction; return the last entry's id and hash (0 and genesis when empty)."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CHAIN_LOCK})
    last = connection.execute(
        select(AUDIT_TABLE.c.id, AUDIT_TABLE.c.hash).order_by(AUDIT_TABLE.c.id.desc()).limit(1)
    ).first()
    return (last.id, last.hash) if last is not None else (0, GENESIS)


@event.listens_for(Seal, "before_insert")
def anchor_seal(mapper: Mapper, connection: Connection, target: Seal) -> None:
    """Record the chain's head as the seal's anchor, whatever the caller gave: no sealing path forgets it.

    The head is taken under the chain's lock, which the transaction then holds, so the only
    entries between the anchor and the seal's own entry are those of the sealing flush.
    seal_guard.refuse_seal_change keeps it unchanged afterwards.
    """
    target.audit_anchor = chain_head(connection)[1]


@event.listens_for(Session, "after_flush")
def append_entries(session: Session, flush_context: Any) -> None:
    """Append the flush's changes to the chain, in the flush's transaction."""
    changes: list[Change] = session.info.pop(PENDING, [])
    if not changes:
        return
    actor_id, actor = session.info.get(ACTOR) or current_actor()
    context = session.info.get(CONTEXT)
    connection = session.connection()
    entry_id, prev_hash = chain_head(connection)
    at = clock.utc_naive(clock.now())  # naive UTC: the hashed text writes it so, as it always has
    rows = []
    for change in changes:
        entry_id += 1
        row = {
            "id": entry_id,
            "at": at,
            "actor_id": actor_id,
            "actor": actor,
            "table_name": change.table_name,
            "row_id": change.row_id,
            "action": change.action,
            "meeting_id": change.meeting_id,
            "before": None if change.before is None else canonical(change.before),
            "after": None if change.after is None else canonical(change.after),
            "context": context,
            "prev_hash": prev_hash,
        }
        payload = entry_payload(
            row["id"],
            at,
            actor_id,
            actor,
            row["table_name"],
            row["row_id"],
            row["action"],
            row["meeting_id"],
            row["before"],
            row["after"],
            context,
        )
        row["hash"] = prev_hash = chain_hash(prev_hash, payload)
        rows.append(row)
    write_entries(connection, rows)


COPY_FROM = 20  # from this many entries, a flush appends them with COPY rather than one INSERT (PostgreSQL)


def write_entries(connection: Connection, rows: list[dict[str, Any]]) -> None:
    """Insert the entries, in the flush's transaction.

    On PostgreSQL a flush of many rows (an import: two hundred entries a meeting) goes through
    ``COPY``: one multi-row INSERT of that size costs psycopg more to parse than the server to run.
    """
    if connection.dialect.driver != "psycopg" or len(rows) < COPY_FROM:  # COPY: psycopg 3's cursor.copy
        connection.execute(insert(AUDIT_TABLE), rows)
        return
    columns = [column.name for column in AUDIT_TABLE.c]
    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        with cursor.copy(f"COPY {AUDIT_TABLE.name} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([row[column] for column in columns])
    finally:
        cursor.close()


@event.listens_for(Session, "after_soft_rollback")
def forget_pending(session: Session, previous_transaction: Any) -> None:
    """Drop changes noted by a flush that was rolled back."""
    session.info.pop(PENDING, None)


# ---------------------------------------------------------------------------
# The database refuses UPDATE, DELETE and TRUNCATE of entries too

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION audit_entry_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit_entry is append-only';
END;
$$ LANGUAGE plpgsql
"""
PG_TRIGGER = (
    "CREATE TRIGGER audit_entry_append_only BEFORE UPDATE OR DELETE ON audit_entry "
    "FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only()"
)
# TRUNCATE fires no row trigger: a statement trigger refuses it (SQLite has no TRUNCATE).
PG_TRUNCATE_TRIGGER = (
    "CREATE TRIGGER audit_entry_no_truncate BEFORE TRUNCATE ON audit_entry "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_entry_append_only()"
)
SQLITE_TRIGGERS = (
    "CREATE TRIGGER audit_entry_no_update BEFORE UPDATE ON audit_entry "
    "BEGIN SELECT RAISE(ABORT, 'audit_entry is append-only'); END",
    "CREATE TRIGGER audit_entry_no_delete BEFORE DELETE ON audit_entry "
    "BEGIN SELECT RAISE(ABORT, 'audit_entry is append-only'); END",
)
APPEND_ONLY_DDL = {"postgresql": (PG_FUNCTION, PG_TRIGGER, PG_TRUNCATE_TRIGGER), "sqlite": SQLITE_TRIGGERS}

for _dialect, _statements in APPEND_ONLY_DDL.items():
    for _statement in _statements:
        event.listen(AUDIT_TABLE, "after_create", DDL(_statement).execute_if(dialect=_dialect))


# ---------------------------------------------------------------------------
# Verification


@dataclass
class Verdict:
    """What walking the chain found: the number of entries, the last hash, the first break."""

    count: int
    last_hash: str
    broken_at: int | None = None
    problem: str = ""

    @property
    def ok(self) -> bool:
        """Return whether every link holds."""
        return self.broken_at is None


def verify_chain(connection: Connection, batch: int = 1000) -> Verdict:
    """Walk the chain in id order; return the first broken link, or the count and last hash."""
    expected_id, prev_hash, count = 1, GENESIS, 0
    after_id = 0
    while True:
        rows = connection.execute(
            select(AUDIT_TABLE).where(AUDIT_TABLE.c.id > after_id).order_by(AUDIT_TABLE.c.id).limit(batch)
        ).all()
        if not rows:
            return Verdict(count, prev_hash)
        for row in rows:
            if row.id != expected_id:
                return Verdict(
                    count,
                    prev_hash,
                    expected_id,
                    _(
                        "mục %(id)d không còn (sau mục %(previous)d là mục %(next)d): đã bị xóa.",
                        id=expected_id,
                        previous=expected_id - 1,
                        next=row.id,
                    ),
                )
            if row.prev_hash != prev_hash:
                return Verdict(
                    count,
                    prev_hash,
                    row.id,
                    _(
                        "mục %(id)d không nối với mục trước (mã băm trước ghi %(written)s…, thực tế %(actual)s…).",
                        id=row.id,
                        written=row.prev_hash[:12],
                        actual=prev_hash[:12],
                    ),
                )
            if stored_hash(row) != row.hash:
                return Verdict(
                    count,
                    prev_hash,
                    row.id,
                    _(
                        "mục %(id)d (%(action)s %(table)s #%(row)s) không khớp mã băm: nội dung đã bị sửa.",
                        id=row.id,
                        action=row.action,
                        table=row.table_name,
                        row=row.row_id,
                    ),
                )
            prev_hash = row.hash
            expected_id += 1
            count += 1
        after_id = rows[-1].id


def history_of(connection: Connection, table_name: str, row_id: int) -> Any:
    """Return the latest audit entry of one row, or None."""
    return connection.execute(
        select(AUDIT_TABLE)
        .where(AUDIT_TABLE.c.table_name == table_name, AUDIT_TABLE.c.row_id == row_id)
        .order_by(AUDIT_TABLE.c.id.desc())
        .limit(1)
    ).first()


# ---------------------------------------------------------------------------
# Anchors: each seal records the chain's head when it was made (review.audit.anchor_seal)

# Every record hangs on one of these: when all are empty there is nothing the log should cover.
# Each table's rows, counted in words ("10 đảng viên").
RECORD_TABLES: dict[str, Callable[[int], str]] = {
    "organization": lambda n: ngettext("%(num)d đảng bộ", "%(num)d đảng bộ", n),
    "cell": lambda n: ngettext("%(num)d chi bộ", "%(num)d chi bộ", n),
    "member": lambda n: ngettext("%(num)d đảng viên", "%(num)d đảng viên", n),
    "meeting": lambda n: ngettext("%(num)d hội nghị", "%(num)d hội nghị", n),
    "user_account": lambda n: ngettext("%(num)d tài khoản", "%(num)d tài khoản", n),
}
HASH_FORM = frozenset("0123456789abcdef")


def records_without_log(connection: Connection) -> dict[str, int]:
    """Return the rows of the record's root tables, by table, leaving out the empty ones."""
    counts = {table: connection.scalar(text(f'SELECT count(*) FROM "{table}"')) or 0 for table in RECORD_TABLES}
    return {table: count for table, count in counts.items() if count}


@dataclass(frozen=True)
class SealAnchor:
    """One seal, its anchor and where the chain holds them, as gathered for checking."""

    seal_id: int
    meeting_id: int
    cell: str
    year: int
    version: int
    fingerprint: str
    anchor: str | None
    in_force: bool
    entry_id: int | None = None  # the entry recording the seal's insert
    recorded_anchor: str | None = None  # the anchor that entry recorded
    anchor_position: int | None = None  # the id of the entry whose hash the anchor is; 0 for genesis
    foreign_between: int = 0  # entries between the anchor and the seal's entry not of the sealing flush
    before_log: bool = False  # made before the log's first entry (sealed_before_log); meaningful without an entry


def sealed_before_log(
    sealed_at_utc: datetime,
    seal_id: int,
    log_began_at: datetime | None,
    first_logged_seal_id: int | None,
) -> bool:
    """Return whether a seal was made before the audit log began (migration 0006 created it).

    Both must hold: it was sealed before the log's first entry, and its id is lower than that
    of every seal whose insert the log recorded (ids only grow, so a seal written into the
    database later, even with a back-dated time, has a higher id). An empty log has not begun.
    """
    if log_began_at is None or sealed_at_utc >= log_began_at:
        return False
    return first_logged_seal_id is None or seal_id < first_logged_seal_id


def anchor_problem(seal: SealAnchor) -> str | None:
    """Return what is wrong with a seal's anchor, in the interface's language, or None when it holds.

    A seal made before anchors existed has none, and its own entry recorded none: that is
    not a fault (it is listed without an anchor). A seal made before the log itself has
    neither an anchor nor an entry: not a fault either (listed as sealed before the log);
    without an entry, any other seal is one. Otherwise the anchor must be the one the
    seal's entry recorded, a hash of the chain (or the genesis of an empty log), and the head
    just before the sealing flush: only that flush's entries lie between it and the seal's.
    """
    name = _("Niêm phong phiên bản %(version)d của hội nghị %(meeting)d", version=seal.version, meeting=seal.meeting_id)
    if seal.entry_id is None:
        if seal.anchor is None and seal.before_log:
            return None
        return _("%(seal)s: nhật ký không có mục ghi việc niêm phong (mục đó đã bị xóa hoặc chuỗi bị cắt).", seal=name)
    if seal.recorded_anchor != seal.anchor:
        return _(
            "%(seal)s: mốc trên bản niêm phong khác mốc ghi trong nhật ký (mục %(entry)d).",
            seal=name,
            entry=seal.entry_id,
        )
    if seal.anchor is None:
        return None
    if seal.anchor_position is None:
        return _(
            "%(seal)s: mốc %(anchor)s không có trong chuỗi nhật ký: "
            "phần nhật ký trước lúc niêm phong đã bị xóa hoặc viết lại.",
            seal=name,
            anchor=seal.anchor,
        )
    if seal.anchor_position >= seal.entry_id:
        return _(
            "%(seal)s: mốc nằm ở mục %(position)d, không trước mục niêm phong %(entry)d.",
            seal=name,
            position=seal.anchor_position,
            entry=seal.entry_id,
        )
    if seal.foreign_between:
        return ngettext(
            "%(seal)s: mốc (mục %(position)d) không phải mã băm cuối của nhật ký lúc niêm phong: "
            "%(num)d mục khác nằm giữa nó và mục niêm phong %(entry)d.",
            "%(seal)s: mốc (mục %(position)d) không phải mã băm cuối của nhật ký lúc niêm phong: "
            "%(num)d mục khác nằm giữa nó và mục niêm phong %(entry)d.",
            seal.foreign_between,
            seal=name,
            position=seal.anchor_position,
            entry=seal.entry_id,
        )
    return None


def entry_position(connection: Connection, chain_hash_value: str) -> int | None:
    """Return the id of the entry with this hash, 0 for the genesis, None when the chain lacks it."""
    if chain_hash_value == GENESIS:
        return 0
    return connection.scalar(select(AUDIT_TABLE.c.id).where(AUDIT_TABLE.c.hash == chain_hash_value))


def seal_anchors(connection: Connection) -> list[SealAnchor]:
    """Gather every seal with its anchor and what the chain holds of it, by meeting and version."""
    from .models import Cell, Meeting, ReviewYear

    rows = connection.execute(
        select(
            Seal.id,
            Seal.meeting_id,
            Cell.name,
            ReviewYear.year,
            Seal.version,
            Seal.fingerprint,
            Seal.audit_anchor,
            Seal.reopened_at,
            Seal.sealed_at,
        )
        .join(Meeting, Meeting.id == Seal.meeting_id)
        .join(Cell, Cell.id == Meeting.cell_id)
        .join(ReviewYear, ReviewYear.id == Meeting.review_year_id)
        .order_by(Seal.meeting_id, Seal.version)
    ).all()
    log_began_at = connection.scalar(select(AUDIT_TABLE.c.at).order_by(AUDIT_TABLE.c.id).limit(1))
    first_logged_seal_id = connection.scalar(
        select(func.min(AUDIT_TABLE.c.row_id)).where(
            AUDIT_TABLE.c.table_name == "seal", AUDIT_TABLE.c.action == "insert"
        )
    )
    found = []
    for row in rows:
        entry = connection.execute(
            select(AUDIT_TABLE.c.id, AUDIT_TABLE.c.at, AUDIT_TABLE.c.after)
            .where(AUDIT_TABLE.c.table_name == "seal", AUDIT_TABLE.c.row_id == row.id, AUDIT_TABLE.c.action == "insert")
            .order_by(AUDIT_TABLE.c.id.desc())
            .limit(1)
        ).first()
        recorded = json.loads(entry.after or "{}").get("audit_anchor") if entry is not None else None
        position = entry_position(connection, row.audit_anchor) if row.audit_anchor is not None else None
        between = 0
        if entry is not None and position is not None and position < entry.id:
            between = (
                connection.scalar(
                    select(func.count())
                    .select_from(AUDIT_TABLE)
                    .where(
                        AUDIT_TABLE.c.id > position,
                        AUDIT_TABLE.c.id < entry.id,
                        AUDIT_TABLE.c.at != entry.at,
                    )
                )
                or 0
            )
        found.append(
            SealAnchor(
                row.id,
                row.meeting_id,
                row.name,
                row.year,
                row.version,
                row.fingerprint,
                row.audit_anchor,
                row.reopened_at is None,
                None if entry is None else entry.id,
                recorded,
                position,
                between,
                # Both UTC: sealed_at an aware instant, audit_entry.at naive (append_entries).
                sealed_before_log(
                    clock.utc_naive(row.sealed_at),
                    row.id,
                    log_began_at,
                    first_logged_seal_id,
                ),
            )
        )
    return found


def without_anchor(seal: SealAnchor) -> str:
    """Return why a seal has no anchor, as `audit verify --anchors` lists it."""
    if seal.entry_id is None and seal.before_log:
        return _("không có (niêm phong trước khi có nhật ký)")
    return _("không có (niêm phong trước khi có mốc)")


def kept_hash(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> tuple[str, ...]:
    """Check that each hash given with --expect is a SHA-256 in hexadecimal."""
    hashes = tuple(value.strip().lower() for value in values)
    for value in hashes:
        if len(value) != 64 or not set(value) <= HASH_FORM:
            raise click.BadParameter(
                _("%(value)s không phải mã băm SHA-256 (64 chữ số hệ mười sáu).", value=repr(value))
            )
    return hashes


@click.group("audit")
def audit_cli() -> None:
    """Check the audit trail (nhật ký thay đổi)."""


@audit_cli.command("verify")
@click.option(
    "--anchors",
    "show_anchors",
    is_flag=True,
    help="List each seal in force with what the ward keeps of it (meeting, cell, version, SHA-256, anchor).",
)
@click.option(
    "--expect",
    "expected",
    multiple=True,
    metavar="HASH",
    callback=kept_hash,
    help="A hash kept elsewhere (an earlier last hash, a seal's anchor): pass only if the chain holds it.",
)
@with_appcontext
def verify_command(show_anchors: bool, expected: tuple[str, ...]) -> None:
    """Walk the hash chain and check the seals' anchors; print OK, or each problem and exit 1."""
    from .extensions import db

    with db.engine.connect() as connection:
        verdict = verify_chain(connection)
        # Checked only on an unbroken chain: then every stored entry is a link of it.
        records = records_without_log(connection) if verdict.ok and verdict.count == 0 else {}
        seals = seal_anchors(connection) if verdict.ok else []
        positions = {value: entry_position(connection, value) for value in expected} if verdict.ok else {}
    if not verdict.ok:
        click.echo(
            _("Chuỗi nhật ký bị đứt ở mục %(entry)s: %(problem)s", entry=verdict.broken_at, problem=verdict.problem),
            err=True,
        )
        click.echo(
            ngettext(
                "%(num)d mục đầu khớp; mã băm cuối còn đúng: %(hash)s",
                "%(num)d mục đầu khớp; mã băm cuối còn đúng: %(hash)s",
                verdict.count,
                hash=verdict.last_hash,
            ),
            err=True,
        )
        raise SystemExit(1)
    problems = [problem for problem in map(anchor_problem, seals) if problem is not None]
    if records:
        # Exit 1, not a mere warning: an emptied log vouches for nothing, and a script that
        # checks the exit status must not read "OK" over records whose every change is gone
        # from the log (or that predate it: then any first change starts the log).
        held = ", ".join(RECORD_TABLES[table](count) for table, count in records.items())
        problems.insert(
            0,
            _(
                "Cảnh báo: nhật ký thay đổi trống trong khi cơ sở dữ liệu có %(held)s: "
                "nhật ký đã bị xóa hết, hoặc dữ liệu có từ trước khi có nhật ký. Không xác minh được gì.",
                held=held,
            ),
        )
    problems += [
        _(
            "Mã băm đã giữ %(hash)s không có trong chuỗi nhật ký: phần cuối của nhật ký đã bị cắt đi, "
            "hoặc chuỗi đã bị viết lại.",
            hash=value,
        )
        for value, position in positions.items()
        if position is None
    ]
    # --- Seal data (issue 11, H1's block): every sealed meeting's stored data against what its
    # seal covers (SPEC 5.7a), and each seal's payload against its own fingerprint.
    from .meeting_store import sealed_data_problems

    problems += sealed_data_problems()
    # --- end of the seal-data block.
    if show_anchors:
        in_force = [seal for seal in seals if seal.in_force]
        click.echo(_("Niêm phong đang có hiệu lực (%(count)d), đơn vị cấp trên giữ lại mỗi dòng:", count=len(in_force)))
        for seal in in_force:
            click.echo(
                _(
                    "  hội nghị %(meeting)d · %(cell)s · năm %(year)d · phiên bản %(version)d · "
                    "SHA-256: %(fingerprint)s · mốc nhật ký: %(anchor)s",
                    meeting=seal.meeting_id,
                    cell=seal.cell,
                    year=seal.year,
                    version=seal.version,
                    fingerprint=seal.fingerprint,
                    anchor=seal.anchor or without_anchor(seal),
                )
            )
    for problem in problems:
        click.echo(problem, err=True)
    if problems:
        click.echo(
            ngettext(
                "%(entries)d mục nhật ký, chuỗi mã băm khớp, nhưng có %(num)d vấn đề ở trên.",
                "%(entries)d mục nhật ký, chuỗi mã băm khớp, nhưng có %(num)d vấn đề ở trên.",
                len(problems),
                entries=verdict.count,
            ),
            err=True,
        )
        raise SystemExit(1)
    click.echo(
        ngettext(
            "OK: %(num)d mục nhật ký, chuỗi mã băm khớp. Mã băm cuối: %(hash)s",
            "OK: %(num)d mục nhật ký, chuỗi mã băm khớp. Mã băm cuối: %(hash)s",
            verdict.count,
            hash=verdict.last_hash,
        )
    )
    anchored = sum(1 for seal in seals if seal.anchor is not None)
    before_log = sum(1 for seal in seals if seal.anchor is None and seal.entry_id is None)  # passed: before the log
    click.echo(
        ngettext(
            "Mốc của %(num)d bản niêm phong có trong chuỗi, ngay trước lúc niêm phong.",
            "Mốc của %(num)d bản niêm phong có trong chuỗi, ngay trước lúc niêm phong.",
            anchored,
        )
    )
    if anchored + before_log < len(seals):
        click.echo(
            ngettext(
                "%(num)d bản niêm phong làm trước khi có mốc: không có mốc để kiểm tra.",
                "%(num)d bản niêm phong làm trước khi có mốc: không có mốc để kiểm tra.",
                len(seals) - anchored - before_log,
            )
        )
    if before_log:
        click.echo(
            ngettext(
                "%(num)d bản niêm phong trước khi có nhật ký: nhật ký không ghi việc niêm phong, "
                "không có mốc để kiểm tra.",
                "%(num)d bản niêm phong trước khi có nhật ký: nhật ký không ghi việc niêm phong, "
                "không có mốc để kiểm tra.",
                before_log,
            )
        )
    for value, position in positions.items():
        click.echo(_("Mã băm đã giữ %(hash)s có trong chuỗi (mục %(entry)s).", hash=value, entry=position))
