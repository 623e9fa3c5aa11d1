"""Set up connections: SQLite pragmas, immediate write transactions, row locks."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.engine import Engine

from .extensions import db

IMMEDIATE = "review_immediate"


def configure_engine(engine: Engine, busy_timeout_ms: int) -> None:
    """Install the SQLite connection set-up on ``engine``; do nothing for other databases."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        # The pysqlite recipe: let SQLAlchemy, not the driver, emit BEGIN (see on_begin).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection) -> None:  # type: ignore[no-untyped-def]
        # A transaction that reads and then writes must hold the write lock from its start,
        # or two of them deadlock and one fails at once with "database is locked".
        immediate = connection.get_execution_options().get(IMMEDIATE, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


@contextmanager
def write_transaction() -> Iterator[None]:
    """Run the block in one write transaction: all of it is committed, or none of it."""
    session = db.session()
    if session.in_transaction():
        # End the read transaction the request opened, so the write one starts with the lock.
        session.commit()
    session.connection(execution_options={IMMEDIATE: True})
    try:
        yield
        session.commit()
    except BaseException:
        session.rollback()
        raise


def lock_row(model: Any, row_id: int) -> None:
    """Hold one row (``model`` with primary key ``id``) for the rest of the write transaction.

    PostgreSQL locks the row (``SELECT ... FOR UPDATE``), so two writes of the same meeting
    queue up instead of both acting on what they read; SQLite's immediate write transaction
    already holds the whole database (SQLAlchemy leaves FOR UPDATE out there).
    """
    db.session.execute(select(model.id).where(model.id == row_id).with_for_update())
