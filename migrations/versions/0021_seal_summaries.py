"""seal summaries: each seal's counts, cell row and quota line as columns, filled from the payloads

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-03 07:20:00.000000

"""

import json

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

COUNTS = ("excellent", "good", "completed", "not_completed", "not_rated", "undecided")


def upgrade():
    summary = op.create_table(
        "seal_summary",
        sa.Column("seal_id", sa.Integer(), nullable=False),
        *(sa.Column(name, sa.Integer(), nullable=False) for name in COUNTS),
        sa.Column("cell_vote_level", sa.String(length=20), nullable=False),
        sa.Column("cell_proposed_level", sa.String(length=20), nullable=False),
        sa.Column("cell_flags", sa.Text(), nullable=False),
        sa.Column("quota_pool", sa.Integer(), nullable=False),
        sa.Column("quota_limit", sa.Integer(), nullable=False),
        sa.Column("quota_excellent", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["seal_id"], ["seal.id"], name=op.f("fk_seal_summary_seal_id_seal"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("seal_id", name=op.f("pk_seal_summary")),
    )
    # The seals made before: their summaries from their payloads (what seal_meeting now writes).
    connection = op.get_bind()
    rows = []
    for seal_id, payload in connection.execute(sa.text("SELECT id, payload FROM seal ORDER BY id")):
        results = json.loads(payload)["results"]
        counts, cell, quota = results["summary"], results["cell"], results["quota"]
        rows.append(
            {"seal_id": seal_id}
            | {name: int(counts.get(name, 0)) for name in COUNTS}
            | {
                "cell_vote_level": str(cell["vote_level"]),
                "cell_proposed_level": str(cell["proposed_level"]),
                "cell_flags": json.dumps(list(cell["flags"]), ensure_ascii=False),
                "quota_pool": int(quota["pool"]),
                "quota_limit": int(quota["limit"]),
                "quota_excellent": int(quota["excellent"]),
            }
        )
    if rows:
        op.bulk_insert(summary, rows)


def downgrade():
    op.drop_table("seal_summary")
