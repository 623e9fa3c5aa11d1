"""job claims: which worker holds an export job, its last sign of life, how often it was taken

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-03 06:20:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("export_job", sa.Column("claimed_by", sa.String(length=200), nullable=True))
    op.add_column("export_job", sa.Column("heartbeat_at", sa.DateTime(), nullable=True))
    op.add_column("export_job", sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"))
    op.create_index("ix_export_job_status", "export_job", ["status"])


def downgrade():
    op.drop_index("ix_export_job_status", table_name="export_job")
    op.drop_column("export_job", "attempts")
    op.drop_column("export_job", "heartbeat_at")
    op.drop_column("export_job", "claimed_by")
