"""counting provenance: where each entry and approval came from; slow hashes of one-time codes

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 22:00:00.000000

"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


CURRENT_ENTRY = sa.text("superseded_at IS NULL")


def upgrade():
    # Where each entry's last save and each approval came from: the browser session's id, the address.
    with op.batch_alter_table("tally", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sign_in_id", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("address", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("superseded_at", sa.DateTime(), nullable=True))
        # One entry of each kind in force; superseded ones (a re-issued code) stay for the record.
        batch_op.drop_constraint("uq_tally_meeting_id_entry", type_="unique")
    op.create_index(
        "uq_tally_meeting_id_entry_current",
        "tally",
        ["meeting_id", "entry"],
        unique=True,
        sqlite_where=CURRENT_ENTRY,
        postgresql_where=CURRENT_ENTRY,
    )

    with op.batch_alter_table("seal_approval", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sign_in_id", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("address", sa.String(length=64), nullable=True))

    with op.batch_alter_table("seal", schema=None) as batch_op:
        batch_op.add_column(sa.Column("provenance", sa.Text(), nullable=True))

    # One-time codes: a salted scrypt hash and an HMAC lookup key in place of a bare SHA-256.
    with op.batch_alter_table("counter_code", schema=None) as batch_op:
        batch_op.add_column(sa.Column("lookup_key", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("revoked_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("issued_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("account_id", sa.Integer(), nullable=True))
        batch_op.drop_constraint("uq_counter_code_code_hash", type_="unique")  # salted hashes: never equal
    # The codes stored so far cannot be rehashed (only their SHA-256 is known): they are made
    # unusable (revoked, as a newer code would; they expire 12 hours after issue anyway), and
    # their SHA-256, which a stolen database could reverse by trying every 8-letter code, is
    # replaced by a value that matches no code.
    op.execute(
        "UPDATE counter_code SET lookup_key = 'legacy-' || id, code_hash = '!',"
        " revoked_at = CASE WHEN used_at IS NULL THEN CURRENT_TIMESTAMP ELSE revoked_at END"
    )
    with op.batch_alter_table("counter_code", schema=None) as batch_op:
        batch_op.alter_column(
            "code_hash", existing_type=sa.String(length=64), type_=sa.String(length=256), existing_nullable=False
        )
        batch_op.alter_column("lookup_key", existing_type=sa.String(length=64), nullable=False)
        batch_op.create_unique_constraint(batch_op.f("uq_counter_code_lookup_key"), ["lookup_key"])
        batch_op.create_foreign_key(
            batch_op.f("fk_counter_code_issued_by_id_user_account"),
            "user_account",
            ["issued_by_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_counter_code_account_id_user_account"),
            "user_account",
            ["account_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade():
    # The older schema compares SHA-256 hashes: every code stored since is unusable there
    # (marked used, its HMAC lookup key kept as an unmatchable, unique hash).
    op.execute("UPDATE counter_code SET code_hash = lookup_key, used_at = COALESCE(used_at, CURRENT_TIMESTAMP)")
    with op.batch_alter_table("counter_code", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_counter_code_account_id_user_account"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("fk_counter_code_issued_by_id_user_account"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("uq_counter_code_lookup_key"), type_="unique")
        batch_op.alter_column(
            "code_hash", existing_type=sa.String(length=256), type_=sa.String(length=64), existing_nullable=False
        )
        batch_op.create_unique_constraint("uq_counter_code_code_hash", ["code_hash"])
        batch_op.drop_column("account_id")
        batch_op.drop_column("issued_by_id")
        batch_op.drop_column("revoked_at")
        batch_op.drop_column("lookup_key")

    with op.batch_alter_table("seal", schema=None) as batch_op:
        batch_op.drop_column("provenance")

    with op.batch_alter_table("seal_approval", schema=None) as batch_op:
        batch_op.drop_column("address")
        batch_op.drop_column("sign_in_id")

    # The older schema holds one entry of each kind: the superseded entries (kept for the
    # record only) are dropped with their rows.
    op.execute("DELETE FROM tally_row WHERE tally_id IN (SELECT id FROM tally WHERE superseded_at IS NOT NULL)")
    op.execute("DELETE FROM tally WHERE superseded_at IS NOT NULL")
    op.drop_index(
        "uq_tally_meeting_id_entry_current",
        table_name="tally",
        sqlite_where=CURRENT_ENTRY,
        postgresql_where=CURRENT_ENTRY,
    )
    with op.batch_alter_table("tally", schema=None) as batch_op:
        batch_op.create_unique_constraint("uq_tally_meeting_id_entry", ["meeting_id", "entry"])
        batch_op.drop_column("superseded_at")
        batch_op.drop_column("address")
        batch_op.drop_column("sign_in_id")
