"""feedback from guests: a feedback's speaker is a member present or a guest of the meeting

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-02 17:30:00

A feedback (ý kiến góp ý) names its speaker: a member (``speaker_id``, now nullable) or one of
the meeting's guests (``guest_id``, new; the ward's representative often speaks), exactly one
of the two (SPEC 8). A guest who spoke cannot be deleted while the feedback is recorded.

The downgrade refuses while any feedback comes from a guest: the older schema has no way to
record it, and dropping it silently would lose part of the minutes.
"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

feedback = sa.table("feedback", sa.column("id", sa.Integer()), sa.column("guest_id", sa.Integer()))

DOWNGRADE_REFUSED = (
    "Không hạ được cơ sở dữ liệu xuống phiên bản 0015: còn {count} ý kiến góp ý của khách mời, "
    "phiên bản cũ không ghi được. Xuất các hội nghị ra tệp (hoặc sửa người góp ý) trước khi hạ. "
    "Cannot downgrade to 0015: {count} feedback row(s) come from guests, which 0015 cannot record."
)


def upgrade():
    # On SQLite the batch rebuilds feedback (nothing references it); migrations/env.py turns
    # foreign-key enforcement off around the rebuild and checks the keys afterwards.
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.alter_column("speaker_id", existing_type=sa.Integer(), nullable=True)
        batch_op.add_column(sa.Column("guest_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_feedback_guest_id_guest"), "guest", ["guest_id"], ["id"], ondelete="RESTRICT"
        )
        batch_op.create_check_constraint(
            batch_op.f("ck_feedback_one_speaker"), "(speaker_id IS NULL) <> (guest_id IS NULL)"
        )
        batch_op.create_index(batch_op.f("ix_feedback_guest_id"), ["guest_id"], unique=False)


def downgrade():
    connection = op.get_bind()
    count = connection.execute(
        sa.select(sa.func.count()).select_from(feedback).where(feedback.c.guest_id.is_not(None))
    ).scalar_one()
    if count:
        raise RuntimeError(DOWNGRADE_REFUSED.format(count=count))
    with op.batch_alter_table("feedback", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_feedback_guest_id"))
        batch_op.drop_constraint(batch_op.f("ck_feedback_one_speaker"), type_="check")
        batch_op.drop_constraint(batch_op.f("fk_feedback_guest_id_guest"), type_="foreignkey")
        batch_op.drop_column("guest_id")
        batch_op.alter_column("speaker_id", existing_type=sa.Integer(), nullable=False)
