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


def test_migration_0016_lets_guests_speak_and_refuses_to_go_down_while_one_has(empty_database, seed_path):
    import sqlalchemy as sa

    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": empty_database})
    runner = app.test_cli_runner()

    def feedback_columns() -> dict[str, bool]:
        with app.app_context():
            found = {c["name"]: c["nullable"] for c in inspect(db.engine).get_columns("feedback")}
            db.engine.dispose()
            return found

    def revision() -> str:
        with app.app_context(), db.engine.connect() as connection:
            version = connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalar_one()
        with app.app_context():
            db.engine.dispose()
        return str(version)

    # Up to 0016, down to 0015, up again: the column comes and goes, the speaker's nullability with it.
    assert runner.invoke(args=["db", "upgrade", "0016"]).exit_code == 0
    assert revision() == "0016"
    columns = feedback_columns()
    assert columns["guest_id"] is True and columns["speaker_id"] is True
    result = runner.invoke(args=["db", "downgrade", "0015"])
    assert result.exit_code == 0, result.output
    columns = feedback_columns()
    assert "guest_id" not in columns and columns["speaker_id"] is False
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    assert "guest_id" in feedback_columns()
    check = runner.invoke(args=["db", "check"])
    assert check.exit_code == 0, check.output

    # A guest's feedback, which 0015 cannot record: the downgrade is refused, nothing lost.
    assert runner.invoke(args=["meeting", "import", str(seed_path)]).exit_code == 0
    with app.app_context():
        from review.models import CollectiveReview, Feedback, Guest, Meeting

        meeting = db.session.scalar(sa.select(Meeting))
        guest = Guest(meeting=meeting, position=len(meeting.guests), name="Nguyễn Văn Khách", title="Đảng ủy viên")
        db.session.add(guest)
        review = db.session.scalar(sa.select(CollectiveReview).where(CollectiveReview.position == 0))
        db.session.add(Feedback(collective_review=review, position=len(review.feedback), guest=guest, text="Ý kiến."))
        db.session.commit()
        feedback_count = db.session.scalar(sa.select(sa.func.count()).select_from(Feedback))
        db.session.remove()
        db.engine.dispose()
    result = runner.invoke(args=["db", "downgrade", "0015"])
    assert result.exit_code != 0
    message = str(result.exception) + result.output
    assert "Không hạ được cơ sở dữ liệu xuống phiên bản 0015: còn 1 ý kiến góp ý của khách mời" in message
    assert "Cannot downgrade to 0015: 1 feedback row(s) come from guests" in message
    with app.app_context(), db.engine.connect() as connection:
        rows = connection.execute(sa.text("SELECT COUNT(*) FROM feedback WHERE guest_id IS NOT NULL")).scalar_one()
        total = connection.execute(sa.text("SELECT COUNT(*) FROM feedback")).scalar_one()
        assert (rows, total) == (1, feedback_count)
    with app.app_context():
        db.engine.dispose()
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0  # back at the head, whatever was undone
    check = runner.invoke(args=["db", "check"])
    assert check.exit_code == 0, check.output

    # Once that feedback is given to a member (or removed), the way down is open again.
    with app.app_context(), db.engine.begin() as connection:
        connection.execute(sa.text("DELETE FROM feedback WHERE guest_id IS NOT NULL"))
    with app.app_context():
        db.engine.dispose()
    result = runner.invoke(args=["db", "downgrade", "0015"])
    assert result.exit_code == 0, result.output
    assert revision() == "0015"
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    check = runner.invoke(args=["db", "check"])
    assert check.exit_code == 0, check.output
