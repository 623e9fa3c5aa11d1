"""instants stored in UTC: the meeting's record moves from the server's local time to UTC

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 01:00:00.000000

One convention for stored times (``review.models``): every instant the software records is
UTC. The audit trail, the sign-in failures and the database's ``created_at`` defaults already
were; the meeting's record (roll call, counting entries, one-time codes, approvals, seals and
their reopening, exports) was the server's local wall-clock time. This migration rewrites
those columns' values from local time to UTC (upgrade) and back (downgrade), each at the
offset of the local zone at the row's own time, and the times a seal's provenance (JSON)
recorded likewise (``"at"``: naive local before, ISO with ``+00:00`` after).

It assumes that the database was written by a server in the time zone of the one running the
migration (the process's local zone: ``TZ``, else the system's). Vietnam has no daylight
saving time, so every local time has exactly one UTC instant. The columns stay ``DateTime``
without a time zone: no type changes, only data. A meeting's start and end (``starts_at``,
``ends_at``) are civil times, not instants, and are not touched. Nor are the ``created_at``
defaults the database filled in: UTC on SQLite; on PostgreSQL in the session's time zone,
which was the server's own before ``review.config`` set it to UTC (UTC on the machines this
was written on); nothing reads them.
"""

import json
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


# (table, the columns that hold an instant the software recorded)
INSTANTS = (
    ("meeting", ("roll_called_at",)),
    ("tally", ("updated_at", "superseded_at")),
    ("counter_code", ("created_at", "expires_at", "used_at", "revoked_at")),
    ("seal_approval", ("approved_at",)),
    ("seal", ("sealed_at", "reopened_at")),
    ("export_job", ("finished_at",)),
)


def to_utc(value):
    """Return a naive local time as naive UTC (the local zone's offset at that time)."""
    return value.astimezone(UTC).replace(tzinfo=None)


def to_local(value):
    """Return a naive UTC time as the naive local time."""
    return value.replace(tzinfo=UTC).astimezone().replace(tzinfo=None)


def as_datetime(value):
    """Return a column's value as a datetime (SQLite's driver may give text)."""
    return datetime.fromisoformat(value) if isinstance(value, str) else value


def provenance_at(text, upgrade):
    """Return a seal's provenance JSON with each origin's time in UTC (upgrade) or local (downgrade)."""
    document = json.loads(text)
    for group in ("entries", "approvals"):
        for origin in (document.get(group) or {}).values():
            at = origin.get("at")
            if not isinstance(at, str):
                continue
            moment = datetime.fromisoformat(at)
            if upgrade and moment.tzinfo is None:
                origin["at"] = moment.astimezone(UTC).isoformat(timespec="seconds")
            elif not upgrade and moment.tzinfo is not None:
                origin["at"] = moment.astimezone().replace(tzinfo=None).isoformat(timespec="seconds")
    # As review.trust.Provenance.to_json writes it.
    return json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def convert(upgrade):
    """Rewrite every recorded instant: local to UTC, or UTC to local."""
    connection = op.get_bind()
    shift = to_utc if upgrade else to_local
    for table_name, columns in INSTANTS:
        table = sa.table(table_name, sa.column("id", sa.Integer), *(sa.column(c, sa.DateTime) for c in columns))
        for row in connection.execute(sa.select(table)).all():
            values = {c: shift(as_datetime(getattr(row, c))) for c in columns if getattr(row, c) is not None}
            if values:
                connection.execute(sa.update(table).where(table.c.id == row.id).values(**values))
    seal = sa.table("seal", sa.column("id", sa.Integer), sa.column("provenance", sa.Text))
    for row in connection.execute(sa.select(seal).where(seal.c.provenance.is_not(None))).all():
        rewritten = provenance_at(row.provenance, upgrade)
        if rewritten != row.provenance:
            connection.execute(sa.update(seal).where(seal.c.id == row.id).values(provenance=rewritten))


def upgrade():
    convert(upgrade=True)


def downgrade():
    convert(upgrade=False)
