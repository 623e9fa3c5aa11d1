"""session tokens: sessions that can be ended, accounts that can be disabled

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 22:00:00.000000

"""

import secrets

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


# On SQLite nothing here may rebuild user_account (a batch "move and copy"): the connection
# runs with foreign_keys=ON, and SQLite's DROP TABLE of the old copy then deletes or nulls
# every row that references an account (tallies, approvals, seals, exports). So the column
# comes in NOT NULL with a server default in one ALTER TABLE ADD COLUMN, each row gets its
# own random token, and the default is dropped where that is a plain ALTER (PostgreSQL).
# On SQLite the default '' stays: an empty token never matches a session (models.
# parse_session_identity refuses it), so a row written without one holds no session.
# The downgrade drops columns with SQLite's own ALTER TABLE DROP COLUMN (3.35+), no rebuild.

user_account = sa.table("user_account", sa.column("id", sa.Integer()), sa.column("session_token", sa.String()))


def upgrade():
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.add_column(sa.Column("session_token", sa.String(length=64), server_default="", nullable=False))
    connection = op.get_bind()
    for (account_id,) in connection.execute(sa.select(user_account.c.id)).all():
        connection.execute(
            user_account.update().where(user_account.c.id == account_id).values(session_token=secrets.token_urlsafe(32))
        )
    if connection.dialect.name != "sqlite":
        op.alter_column("user_account", "session_token", existing_type=sa.String(length=64), server_default=None)

    with op.batch_alter_table("login_failure", schema=None) as batch_op:
        batch_op.add_column(sa.Column("device", sa.String(length=32), nullable=True))


def downgrade():
    op.drop_column("login_failure", "device")
    op.drop_column("user_account", "session_token")
