"""audit context: an entry may say in which step it was written (e.g. "seal")

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-02 17:30:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


# A plain ADD/DROP COLUMN (SQLite has both since 3.35): a batch rebuild of audit_entry would
# drop its append-only triggers with the old table. Entries written before keep NULL, and their
# hashes stay valid (the hashed text names the context only when there is one).


def upgrade():
    op.add_column("audit_entry", sa.Column("context", sa.String(length=32), nullable=True))


def downgrade():
    op.drop_column("audit_entry", "context")
