"""The migration chain builds the schema from empty, and matches the models."""

from __future__ import annotations

from sqlalchemy import inspect

from review import create_app
from review.extensions import db


def test_upgrade_from_empty_then_no_drift(empty_database):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": empty_database})
    runner = app.test_cli_runner()
    result = runner.invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        tables = set(inspect(db.engine).get_table_names())
        assert {t.name for t in db.metadata.sorted_tables} <= tables
    check = runner.invoke(args=["db", "check"])
    assert check.exit_code == 0, check.output
    with app.app_context():
        db.engine.dispose()


def test_downgrade_to_empty_and_up_again(empty_database):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": empty_database})
    runner = app.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    assert runner.invoke(args=["db", "downgrade", "base"]).exit_code == 0
    with app.app_context():
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    with app.app_context():
        db.engine.dispose()


def row_counts(app) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """Return the number of rows of every table of the models."""
    from sqlalchemy import text

    with app.app_context(), db.engine.connect() as connection:
        return {
            t.name: connection.execute(text(f'SELECT COUNT(*) FROM "{t.name}"')).scalar_one()
            for t in db.metadata.sorted_tables
        }


def test_going_down_and_up_again_keeps_every_row_of_a_sealed_meeting(empty_database, seed_path):
    # On SQLite a batch migration rebuilds a table; with foreign keys enforced, dropping the
    # old table would cascade into the rows that reference it (reviews, tally rows).
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": empty_database})
    runner = app.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    assert runner.invoke(args=["meeting", "import", str(seed_path)]).exit_code == 0
    before = row_counts(app)
    assert before["individual_review"] > 0 and before["tally_row"] > 0 and before["feedback"] > 0
    result = runner.invoke(args=["db", "downgrade", "0007"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    after = row_counts(app)
    assert {k: v for k, v in after.items() if k != "audit_entry"} == {
        k: v for k, v in before.items() if k != "audit_entry"
    }
    verdict = runner.invoke(args=["audit", "verify"])
    assert verdict.exit_code == 0, verdict.output
    with app.app_context():
        db.engine.dispose()
