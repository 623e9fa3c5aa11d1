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


def test_migration_0013_moves_recorded_instants_from_local_time_to_utc_and_back(
    empty_database, seed_path, vietnam_time
):
    # In Asia/Ho_Chi_Minh (the vietnam_time fixture): local time is UTC+7.
    import json
    from datetime import UTC, datetime

    import sqlalchemy as sa

    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": empty_database})
    runner = app.test_cli_runner()
    # The seed is imported by today's models (at the head), then the schema steps back to 0012.
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    assert runner.invoke(args=["meeting", "import", str(seed_path)]).exit_code == 0
    with app.app_context():
        db.engine.dispose()
    assert runner.invoke(args=["db", "downgrade", "0012"]).exit_code == 0
    seal = sa.table("seal", sa.column("id"), sa.column("sealed_at", sa.DateTime), sa.column("provenance", sa.Text))
    local = datetime(2021, 1, 10, 15, 0, 30)  # as a server in Hà Nội wrote it before 0013
    origin = {"account_id": 1, "at": "2021-01-10T14:59:00"}
    recorded = {"approvals": {"chief": origin}, "entries": {}, "warnings": []}

    def stored() -> tuple[datetime, dict]:  # type: ignore[type-arg]
        with app.app_context(), db.engine.connect() as connection:
            row = connection.execute(sa.select(seal.c.sealed_at, seal.c.provenance)).one()
            return row.sealed_at, json.loads(row.provenance)

    with app.app_context(), db.engine.begin() as connection:
        connection.execute(sa.update(seal).values(sealed_at=local, provenance=json.dumps(recorded)))
        db.engine.dispose()
    result = runner.invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    sealed_at, provenance = stored()
    assert sealed_at == datetime(2021, 1, 10, 8, 0, 30) == local.astimezone(UTC).replace(tzinfo=None)
    assert provenance["approvals"]["chief"]["at"] == "2021-01-10T07:59:00+00:00"
    with app.app_context():
        from review.models import Seal

        assert db.session.scalar(sa.select(Seal)).sealed_at == local.astimezone()  # the same instant
        db.session.remove()
        db.engine.dispose()
    result = runner.invoke(args=["db", "downgrade", "0012"])
    assert result.exit_code == 0, result.output
    assert stored() == (local, recorded)
    with app.app_context():
        db.engine.dispose()


def test_migration_0017_adds_and_drops_the_context(empty_database):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": empty_database})
    runner = app.test_cli_runner()

    def columns() -> set[str]:
        with app.app_context():
            found = {c["name"] for c in inspect(db.engine).get_columns("audit_entry")}
            db.engine.dispose()
            return found

    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    assert "context" in columns()
    result = runner.invoke(args=["db", "downgrade", "0016"])
    assert result.exit_code == 0, result.output
    assert "context" not in columns()
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    assert "context" in columns()
    assert runner.invoke(args=["db", "check"]).exit_code == 0
