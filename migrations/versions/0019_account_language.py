"""account language: the interface language an account chose (NULL: the browser's, else Vietnamese)

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-03 06:10:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


# A plain ADD/DROP COLUMN (SQLite has both since 3.35): user_account keeps its constraints.


def upgrade():
    op.add_column("user_account", sa.Column("language", sa.String(length=8), nullable=True))


def downgrade():
    op.drop_column("user_account", "language")
