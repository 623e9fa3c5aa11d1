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
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Any

import click
from flask import has_request_context
from flask.cli import with_appcontext
from sqlalchemy import DDL, event, insert, inspect, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Mapper, Session, object_session
from sqlalchemy.orm.attributes import get_history

from .models import AuditEntry, CollectiveReview, IndividualReview, Participant, Tally

# The tables of a meeting's record and everything that decides it.
AUDITED = frozenset({
    "organization", "cell", "member", "review_year", "meeting", "guest", "participant",
    "individual_review", "collective_review", "feedback", "ballot_counter", "tally", "tally_row",
    "counter_code", "seal_approval", "seal", "user_account",
})
# Secrets are never copied into the log: only that they changed.
REDACTED = frozenset({("user_account", "password_hash"), ("counter_code", "code_hash")})
GENESIS = "0" * 64
CHAIN_LOCK = 0x41554454  # "AUDT": the PostgreSQL advisory lock key of the chain
PENDING = "audit_pending"
MEETING_CACHE = "audit_meeting_of"  # (parent table, id) -> meeting id, for one flush
ACTOR = "audit_actor"

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
    entry_id: int, at: datetime, actor_id: int | None, actor: str, table_name: str,
    row_id: int | None, action: str, meeting_id: int | None, before: str | None, after: str | None,
) -> str:
    """Return the canonical JSON of an entry, as its hash covers it."""
    return canonical({
        "id": entry_id, "at": at.isoformat(), "actor_id": actor_id, "actor": actor, "table": table_name,
        "row_id": row_id, "action": action, "meeting_id": meeting_id, "before": before, "after": after,
    })


def chain_hash(prev_hash: str, payload: str) -> str:
    """Return the SHA-256 link: the previous hash followed by the entry's canonical JSON."""
    return hashlib.sha256((prev_hash + payload).encode("utf-8")).hexdigest()


def stored_hash(entry: Any) -> str:
    """Return the hash an entry (a row of ``audit_entry``) must have after its ``prev_hash``."""
    payload = entry_payload(
        entry.id, entry.at, entry.actor_id, entry.actor, entry.table_name, entry.row_id,
        entry.action, entry.meeting_id, entry.before, entry.after,
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


def _parent_meeting(connection: Connection, target: Any, parent: str, parent_id: int | None) -> int | None:
    """Return the meeting of a parent row, asked once a flush (a review's many feedback rows)."""
    if parent_id is None:
        return None
    session = object_session(target)
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
    after = {col: _shown(table_name, col, state_dict[key]) for key, col in _columns(mapper) if key in state_dict}
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
        _note(target, Change(_row_id(mapper, target), table_name, "update", meeting_id_of(connection, target), before, after))


@event.listens_for(Mapper, "before_delete")
def note_delete(mapper: Mapper, connection: Connection, target: Any) -> None:
    """Note a deleted row, with the columns it had."""
    if not _audited(mapper):
        return
    table_name = mapper.local_table.name
    state_dict = inspect(target).dict
    before = {col: _shown(table_name, col, state_dict[key]) for key, col in _columns(mapper) if key in state_dict}
    _note(target, Change(_row_id(mapper, target), table_name, "delete", meeting_id_of(connection, target), before, None))


def refuse_audit_write(mapper: Mapper, connection: Connection, target: Any) -> None:
    """Refuse any write of an audit entry through the ORM: the log is append-only."""
    raise AuditRefused("Nhật ký thay đổi chỉ được ghi thêm, không được sửa hay xóa.")


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
        raise AuditRefused("Nhật ký thay đổi chỉ được ghi thêm, không được sửa hay xóa.")


@event.listens_for(Session, "before_flush")
def start_flush(session: Session, flush_context: Any, instances: Any) -> None:
    """Forget changes noted by a failed flush; learn who is changing the record."""
    session.info[PENDING] = []
    session.info[MEETING_CACHE] = {}
    if session.new or session.dirty or session.deleted:
        with session.no_autoflush:
            session.info[ACTOR] = session.info.get("audit_actor_override") or current_actor()


@event.listens_for(Session, "after_flush")
def append_entries(session: Session, flush_context: Any) -> None:
    """Append the flush's changes to the chain, in the flush's transaction."""
    changes: list[Change] = session.info.pop(PENDING, [])
    if not changes:
        return
    actor_id, actor = session.info.get(ACTOR) or current_actor()
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CHAIN_LOCK})
    last = connection.execute(
        select(AUDIT_TABLE.c.id, AUDIT_TABLE.c.hash).order_by(AUDIT_TABLE.c.id.desc()).limit(1)
    ).first()
    entry_id, prev_hash = (last.id, last.hash) if last is not None else (0, GENESIS)
    at = datetime.now(timezone.utc).replace(tzinfo=None)
    rows = []
    for change in changes:
        entry_id += 1
        row = {
            "id": entry_id, "at": at, "actor_id": actor_id, "actor": actor, "table_name": change.table_name,
            "row_id": change.row_id,
            "action": change.action, "meeting_id": change.meeting_id,
            "before": None if change.before is None else canonical(change.before),
            "after": None if change.after is None else canonical(change.after),
            "prev_hash": prev_hash,
        }
        payload = entry_payload(
            row["id"], at, actor_id, actor, row["table_name"], row["row_id"], row["action"],
            row["meeting_id"], row["before"], row["after"],
        )
        row["hash"] = prev_hash = chain_hash(prev_hash, payload)
        rows.append(row)
    connection.execute(insert(AUDIT_TABLE), rows)


@event.listens_for(Session, "after_soft_rollback")
def forget_pending(session: Session, previous_transaction: Any) -> None:
    """Drop changes noted by a flush that was rolled back."""
    session.info.pop(PENDING, None)


# ---------------------------------------------------------------------------
# The database refuses UPDATE and DELETE of entries too

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
SQLITE_TRIGGERS = (
    "CREATE TRIGGER audit_entry_no_update BEFORE UPDATE ON audit_entry "
    "BEGIN SELECT RAISE(ABORT, 'audit_entry is append-only'); END",
    "CREATE TRIGGER audit_entry_no_delete BEFORE DELETE ON audit_entry "
    "BEGIN SELECT RAISE(ABORT, 'audit_entry is append-only'); END",
)
APPEND_ONLY_DDL = {"postgresql": (PG_FUNCTION, PG_TRIGGER), "sqlite": SQLITE_TRIGGERS}

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
                    count, prev_hash, expected_id,
                    f"mục {expected_id} không còn (sau mục {expected_id - 1} là mục {row.id}): đã bị xóa.",
                )
            if row.prev_hash != prev_hash:
                return Verdict(
                    count, prev_hash, row.id,
                    f"mục {row.id} không nối với mục trước (mã băm trước ghi {row.prev_hash[:12]}…, "
                    f"thực tế {prev_hash[:12]}…).",
                )
            if stored_hash(row) != row.hash:
                return Verdict(
                    count, prev_hash, row.id,
                    f"mục {row.id} ({row.action} {row.table_name} #{row.row_id}) không khớp mã băm: "
                    "nội dung đã bị sửa.",
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


@click.group("audit")
def audit_cli() -> None:
    """Check the audit trail (nhật ký thay đổi)."""


@audit_cli.command("verify")
@with_appcontext
def verify_command() -> None:
    """Walk the hash chain; print OK with the count, or the first broken link and exit 1."""
    from .extensions import db

    with db.engine.connect() as connection:
        verdict = verify_chain(connection)
    if verdict.ok:
        click.echo(f"OK: {verdict.count} mục nhật ký, chuỗi mã băm khớp. Mã băm cuối: {verdict.last_hash}")
        return
    click.echo(f"Chuỗi nhật ký bị đứt ở mục {verdict.broken_at}: {verdict.problem}", err=True)
    click.echo(f"{verdict.count} mục đầu khớp; mã băm cuối còn đúng: {verdict.last_hash}", err=True)
    raise SystemExit(1)
