"""session tokens: sessions that can be ended, accounts that can be disabled

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 22:00:00.000000

"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
