"""meeting keeps its members: each participant's name and admission date as at the meeting

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 22:00:00.000000

"""
from alembic import op  # noqa: F401
import sqlalchemy as sa  # noqa: F401


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
