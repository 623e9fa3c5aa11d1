"""meeting keeps its members: each participant's name and admission date as at the meeting

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 22:00:00.000000

"""

from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


# revision identifiers, used by Alembic.
revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade():
    # Nullable first, filled from the roster as it stands, then NOT NULL; the UPDATE with a
    # correlated subquery runs on SQLite and PostgreSQL alike. A meeting sealed before this
    # revision keeps the names and admission dates in its seal's payload: its documents are
    # built from that, and a roster edited since shows as a difference (review.sealdata).
    with op.batch_alter_table("participant", schema=None) as batch_op:
        batch_op.add_column(sa.Column("name", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("admitted_on", sa.Date(), nullable=True))
    op.execute(
        "UPDATE participant SET "
        "name = (SELECT member.name FROM member WHERE member.id = participant.member_id), "
        "admitted_on = (SELECT member.admitted_on FROM member WHERE member.id = participant.member_id)"
    )
    with op.batch_alter_table("participant", schema=None) as batch_op:
        batch_op.alter_column("name", existing_type=sa.String(length=200), nullable=False)
        batch_op.alter_column("admitted_on", existing_type=sa.Date(), nullable=False)


def downgrade():
    with op.batch_alter_table("participant", schema=None) as batch_op:
        batch_op.drop_column("admitted_on")
        batch_op.drop_column("name")
