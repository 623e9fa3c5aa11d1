"""``GET /healthz``: the database answers and its schema is at the migrations' head.

No sign-in and no data: the answer names no cell, no person and no count, only whether this
server can serve (200) or not (503), so that a load balancer takes it out of rotation and a
deployment waits for its migrations. Each check is one cheap statement.
"""

from __future__ import annotations

from functools import lru_cache

from flask import jsonify
from flask.typing import ResponseReturnValue
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from ..extensions import db
from . import bp


@lru_cache(maxsize=1)
def head_revision() -> str | None:
    """Return the head revision of the migrations shipped with this copy (read once a process)."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from ..app import MIGRATIONS

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return ScriptDirectory.from_config(config).get_current_head()


def database_revision() -> str | None:
    """Return the revision the database's schema is at (None: never migrated)."""
    try:
        return db.session.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except SQLAlchemyError:  # no alembic_version table: a schema not made by the migrations
        db.session.rollback()
        return None


@bp.route("/healthz")
def healthz() -> ResponseReturnValue:
    """Answer 200 when the database is reachable and migrated to the head, else 503, as JSON."""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return jsonify(status="unavailable", database="unreachable"), 503
    current, head = database_revision(), head_revision()
    if current != head:
        return jsonify(status="unavailable", database="reachable", migrations="behind"), 503
    return jsonify(status="ok", database="reachable", migrations="current")
