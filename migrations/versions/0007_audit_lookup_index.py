"""audit lookup index: find the latest entry of one row without scanning the log

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28 21:35:00.000000

"""

from alembic import op


# revision identifiers, used by Alembic.
revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.create_index("ix_audit_entry_table_name_row_id", ["table_name", "row_id"], unique=False)


def downgrade():
    with op.batch_alter_table("audit_entry", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_entry_table_name_row_id")
