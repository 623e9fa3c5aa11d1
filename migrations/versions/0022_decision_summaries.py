"""decision summaries: each issued decision's decided counts as columns, filled from the payloads

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-03 14:40:00.000000

"""

import json

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

LEVELS = ("excellent", "good", "completed", "not_completed")
MEMBER_COLUMNS = (*(f"member_{level}" for level in LEVELS), "member_not_rated")
CELL_COLUMNS = tuple(f"cell_{level}" for level in LEVELS)


def upgrade():
    summary = op.create_table(
        "decision_summary",
        sa.Column("decision_seal_id", sa.Integer(), nullable=False),
        *(sa.Column(name, sa.Integer(), nullable=False) for name in MEMBER_COLUMNS + CELL_COLUMNS),
        sa.ForeignKeyConstraint(
            ["decision_seal_id"],
            ["decision_seal.id"],
            name=op.f("fk_decision_summary_decision_seal_id_decision_seal"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("decision_seal_id", name=op.f("pk_decision_summary")),
    )
    # The decisions issued before: their summaries from their payloads (what decisions.issue now writes).
    connection = op.get_bind()
    rows = []
    for seal_id, payload in connection.execute(sa.text("SELECT id, payload FROM decision_seal ORDER BY id")):
        try:
            document = json.loads(payload)
            members, cells = document["members"], document["cell_levels"]
        except (ValueError, KeyError, TypeError):
            continue  # left without a row: `flask --app review summaries rebuild` reports it
        rows.append(
            {"decision_seal_id": seal_id}
            | {f"member_{level}": int(members.get(level, 0)) for level in LEVELS}
            | {"member_not_rated": int(members.get("not_rated", 0))}
            | {f"cell_{level}": int(cells.get(level, 0)) for level in LEVELS}
        )
    if rows:
        op.bulk_insert(summary, rows)


def downgrade():
    op.drop_table("decision_summary")
