"""login throttle: failed sign-ins kept per account and address

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28 20:20:00

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "login_failure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("account", sa.String(length=64), nullable=True),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("failed_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("kind IN ('password', 'code')", name=op.f("ck_login_failure_kind")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_failure")),
    )
    with op.batch_alter_table("login_failure", schema=None) as batch_op:
        batch_op.create_index("ix_login_failure_account_failed_at", ["account", "failed_at"], unique=False)
        batch_op.create_index("ix_login_failure_address_failed_at", ["address", "failed_at"], unique=False)


def downgrade():
    with op.batch_alter_table("login_failure", schema=None) as batch_op:
        batch_op.drop_index("ix_login_failure_address_failed_at")
        batch_op.drop_index("ix_login_failure_account_failed_at")

    op.drop_table("login_failure")
