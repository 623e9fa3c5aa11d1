"""enumerations stored through SQLAlchemy Enum types: their CHECKs as the types write them

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 01:00:00.000000

The models store every enumerated value (levels, standing, position, attendance, roles,
states, ...) through ``review.models.enum_column``: a non-native ``Enum`` whose CHECK
constraint is named as the hand-written one was (``ck_<table>_<column>``), over the same
values, in a VARCHAR of the same length. Only the CHECKs of the nullable columns read
differently: the type writes ``x IN (...)`` where the hand-written one said ``x IS NULL OR
x IN (...)`` (the same rule: a CHECK that yields NULL holds). They are written again as the
type writes them, so that an upgraded database and a new one hold the same schema. No data
changes.
"""

from alembic import op


# revision identifiers, used by Alembic.
revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


LEVELS = "('excellent', 'good', 'completed', 'not_completed')"
# (table, column, the values): the nullable enumerated columns.
NULLABLE = (
    ("review_year", "ballot_mode", "('single', 'two_phase')"),
    ("review_year", "quota_pool", "('good_only', 'good_or_above')"),
    ("participant", "previous_level", LEVELS),
    ("individual_review", "self_level", LEVELS),
    ("collective_review", "self_level", LEVELS),
)


def rewrite_checks(as_type):
    """Write each nullable column's CHECK again: as the Enum type writes it, or as 0001 did."""
    for table in dict.fromkeys(table for table, _, _ in NULLABLE):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for _, column, values in (entry for entry in NULLABLE if entry[0] == table):
                name = op.f(f"ck_{table}_{column}")
                condition = f"{column} IN {values}"
                batch_op.drop_constraint(name, type_="check")
                batch_op.create_check_constraint(name, condition if as_type else f"{column} IS NULL OR {condition}")


def upgrade():
    rewrite_checks(as_type=True)


def downgrade():
    rewrite_checks(as_type=False)
