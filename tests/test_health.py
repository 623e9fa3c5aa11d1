"""``GET /healthz``: 200 when the database answers and is migrated to the head, 503 otherwise; no data."""

from __future__ import annotations

from sqlalchemy import text

from review.app import create_app
from review.extensions import db
from review.health.routes import head_revision


def test_a_migrated_database_is_healthy(empty_database, tmp_path):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": empty_database})
    runner = app.test_cli_runner()
    client = app.test_client()
    answer = client.get("/healthz")
    assert answer.status_code == 503 and answer.get_json() == {
        "status": "unavailable",
        "database": "reachable",
        "migrations": "behind",
    }
    result = runner.invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    answer = client.get("/healthz")
    assert answer.status_code == 200
    assert answer.get_json() == {"status": "ok", "database": "reachable", "migrations": "current"}
    assert answer.headers["Cache-Control"].startswith("no-store") or "no-store" in answer.headers["Cache-Control"]
    with app.app_context():
        db.session.execute(text("UPDATE alembic_version SET version_num = '0001'"))
        db.session.commit()
    assert client.get("/healthz").status_code == 503
    with app.app_context():
        db.engine.dispose()


def test_an_unreachable_database_is_unhealthy(tmp_path):
    app = create_app(
        {"TESTING": True, "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=1"}
    )
    answer = app.test_client().get("/healthz")
    assert answer.status_code == 503
    assert answer.get_json() == {"status": "unavailable", "database": "unreachable"}


def test_the_head_is_the_last_migration():
    assert head_revision() is not None and head_revision().isdigit()
