"""two ballots (SPEC 5.8): a tally's ballot, ballot 2's agree and disagree, a seal of ballot 1, the agree cap

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-02 21:10:00.000000

"""

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

CURRENT_ENTRY = sa.text("superseded_at IS NULL")
ROW_NON_NEGATIVE = "excellent >= 0 AND good >= 0 AND completed >= 0 AND not_completed >= 0 AND blank >= 0"
TWO_BALLOTS_REFUSED = (
    "A meeting voted in two ballots, or a review year set to the agree cap, cannot be kept by the"
    " older schema: export its meeting file (format 2) and remove it first."
)


def upgrade():
    op.drop_index(
        "uq_tally_meeting_id_entry_current",
        table_name="tally",
        sqlite_where=CURRENT_ENTRY,
        postgresql_where=CURRENT_ENTRY,
    )
    with op.batch_alter_table("tally", schema=None) as batch_op:
        batch_op.add_column(sa.Column("ballot", sa.Integer(), server_default=sa.text("1"), nullable=False))
        batch_op.create_check_constraint(batch_op.f("ck_tally_ballot"), "ballot IN (1, 2)")
    # One entry of each kind in force, per ballot.
    op.create_index(
        "uq_tally_meeting_id_ballot_entry_current",
        "tally",
        ["meeting_id", "ballot", "entry"],
        unique=True,
        sqlite_where=CURRENT_ENTRY,
        postgresql_where=CURRENT_ENTRY,
    )
    with op.batch_alter_table("tally_row", schema=None) as batch_op:
        batch_op.add_column(sa.Column("agree", sa.Integer(), server_default=sa.text("0"), nullable=False))
        batch_op.add_column(sa.Column("disagree", sa.Integer(), server_default=sa.text("0"), nullable=False))
        batch_op.drop_constraint(batch_op.f("ck_tally_row_non_negative"), type_="check")
        batch_op.create_check_constraint(
            batch_op.f("ck_tally_row_non_negative"), ROW_NON_NEGATIVE + " AND agree >= 0 AND disagree >= 0"
        )
    with op.batch_alter_table("seal", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("first_ballot_only", sa.Boolean(), server_default=sa.text("false"), nullable=False)
        )
    with op.batch_alter_table("review_year", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "agree_cap",
                sa.Enum("none", "quota", name="agree_cap", native_enum=False, create_constraint=True, length=16),
                nullable=True,
            )
        )


def downgrade():
    bind = op.get_bind()
    two = bind.scalar(sa.text("SELECT count(*) FROM tally WHERE ballot = 2"))
    two += bind.scalar(sa.text("SELECT count(*) FROM seal WHERE first_ballot_only"))
    two += bind.scalar(sa.text("SELECT count(*) FROM review_year WHERE agree_cap IS NOT NULL"))
    if two:
        raise RuntimeError(TWO_BALLOTS_REFUSED)
    with op.batch_alter_table("review_year", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_review_year_agree_cap"), type_="check")
        batch_op.drop_column("agree_cap")
    with op.batch_alter_table("seal", schema=None) as batch_op:
        batch_op.drop_column("first_ballot_only")
    with op.batch_alter_table("tally_row", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_tally_row_non_negative"), type_="check")
        batch_op.create_check_constraint(batch_op.f("ck_tally_row_non_negative"), ROW_NON_NEGATIVE)
        batch_op.drop_column("disagree")
        batch_op.drop_column("agree")
    op.drop_index(
        "uq_tally_meeting_id_ballot_entry_current",
        table_name="tally",
        sqlite_where=CURRENT_ENTRY,
        postgresql_where=CURRENT_ENTRY,
    )
    with op.batch_alter_table("tally", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_tally_ballot"), type_="check")
        batch_op.drop_column("ballot")
    op.create_index(
        "uq_tally_meeting_id_entry_current",
        "tally",
        ["meeting_id", "entry"],
        unique=True,
        sqlite_where=CURRENT_ENTRY,
        postgresql_where=CURRENT_ENTRY,
    )
