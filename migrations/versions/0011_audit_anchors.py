"""audit anchors: each seal records the audit log's last hash; TRUNCATE refused

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 22:00:00.000000

"""

import json

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


# PostgreSQL refuses TRUNCATE of the log as it refuses UPDATE and DELETE (0006), with the
# same trigger function; SQLite has no TRUNCATE (its DELETE trigger already holds).
PG_TRUNCATE_TRIGGER = (
    "CREATE TRIGGER audit_entry_no_truncate BEFORE TRUNCATE ON audit_entry "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_entry_append_only()"
)


def restore_recorded_anchors(connection):
    """Give each seal back the anchor its own audit entry recorded (after a downgrade and upgrade).

    A seal made before this migration recorded none and keeps none: `audit verify` lists it
    as sealed before anchors existed.
    """
    seals = connection.execute(sa.text("SELECT id FROM seal")).scalars().all()
    for seal_id in seals:
        recorded = connection.execute(
            sa.text(
                "SELECT after FROM audit_entry WHERE table_name = 'seal' AND row_id = :id "
                "AND action = 'insert' ORDER BY id DESC LIMIT 1"
            ),
            {"id": seal_id},
        ).scalar()
        anchor = json.loads(recorded).get("audit_anchor") if recorded else None
        if anchor is not None:
            connection.execute(
                sa.text("UPDATE seal SET audit_anchor = :anchor WHERE id = :id"), {"anchor": anchor, "id": seal_id}
            )


def upgrade():
    with op.batch_alter_table("seal", schema=None) as batch_op:
        batch_op.add_column(sa.Column("audit_anchor", sa.String(length=64), nullable=True))
    restore_recorded_anchors(op.get_bind())

    if op.get_bind().dialect.name == "postgresql":
        op.execute(PG_TRUNCATE_TRIGGER)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_entry_no_truncate ON audit_entry")

    with op.batch_alter_table("seal", schema=None) as batch_op:
        batch_op.drop_column("audit_anchor")
