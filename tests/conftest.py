"""Fixtures: the application on SQLite and on PostgreSQL, its client and CLI runner.

Only fixtures and the suite's settings live here; test files import helpers from helpers.py.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings
from hypothesis.database import DirectoryBasedExampleDatabase
from sqlalchemy import text

from review import create_app
from review.extensions import db

from helpers import BACKENDS, PASSWORD, PROJECT, SEED, create_postgres_database, drop_postgres_database, sign_in

# The suite runs in the server's time zone in Vietnam, not UTC (which would hide a local time stored
# where UTC belongs, or a UTC time shown where local belongs), set before any test reads the zone.
# REVIEW_TEST_TZ chooses another (e.g. UTC, or one with daylight saving time).
os.environ["TZ"] = os.environ.get("REVIEW_TEST_TZ", "Asia/Ho_Chi_Minh")
time.tzset()


@pytest.fixture
def vietnam_time(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Run the test in Asia/Ho_Chi_Minh (UTC+7, no daylight saving time) whatever REVIEW_TEST_TZ says."""
    monkeypatch.setenv("TZ", "Asia/Ho_Chi_Minh")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


# Hypothesis: on CI (CI=true) the examples that failed are kept in .hypothesis/ of the checkout
# (gitignored; a CI cache can carry it from run to run) and replayed first, every test may take its
# time on a busy machine, and a failure prints the blob that reproduces it (@reproduce_failure).
# Locally the default profile; HYPOTHESIS_PROFILE=ci chooses the CI one by hand.
settings.register_profile(
    "ci",
    database=DirectoryBasedExampleDatabase(PROJECT / ".hypothesis" / "examples"),
    deadline=None,
    print_blob=True,
)
settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI", "").lower() == "true" else "default")
)


def stamp_head() -> None:
    """Record the schema create_all made as the migrations' head (tests/test_migrations.py checks that
    the two are the same schema), so that /healthz finds the database current."""
    from review.health.routes import head_revision

    with db.engine.begin() as connection:
        connection.execute(text("CREATE TABLE IF NOT EXISTS alembic_version (version_num VARCHAR(32) PRIMARY KEY)"))
        connection.execute(text("DELETE FROM alembic_version"))
        connection.execute(text("INSERT INTO alembic_version (version_num) VALUES (:head)"), {"head": head_revision()})


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """Return the URL of a database of this test session, dropped at its end."""
    url = create_postgres_database("review_test")
    yield url
    drop_postgres_database(url)


@pytest.fixture(scope="session")
def postgres_schema(postgres_url: str) -> str:
    """Create the schema once in the session's PostgreSQL database."""
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": postgres_url})
    with app.app_context():
        db.create_all()
        stamp_head()
        db.engine.dispose()
    return postgres_url


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Return a database URL: each database test runs on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'test.sqlite3'}"
    return request.getfixturevalue("postgres_schema")


@pytest.fixture(params=BACKENDS)
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Return the URL of an empty database of each kind, without a schema (migration tests)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.sqlite3'}"
        return
    url = create_postgres_database("review_migrate")
    yield url
    drop_postgres_database(url)


@pytest.fixture
def app(database_url: str, tmp_path: Path):  # type: ignore[no-untyped-def]
    """Create an application with an empty schema; CSRF stays on, as in production.

    Its exports go under the test's own folder, never the shared instance folder (parallel workers).
    """
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "EXPORT_DIR": str(tmp_path / "exports"),
            "UPLOAD_DIR": str(tmp_path / "uploads"),
        }
    )
    with app.app_context():
        if database_url.startswith("sqlite"):
            db.create_all()
            stamp_head()
    yield app
    with app.app_context():
        db.session.remove()
        if not database_url.startswith("sqlite"):
            tables = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
            with db.engine.begin() as connection:
                # The log refuses TRUNCATE (a trigger). The suite, connected as the superuser,
                # lets the emptying through by switching ordinary triggers off for this one
                # transaction only (SET LOCAL); the trigger itself stays in force for every test.
                connection.execute(text("SET LOCAL session_replication_role = replica"))
                connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        db.engine.dispose()


@pytest.fixture
def client(app):  # type: ignore[no-untyped-def]
    """Return a test client of the application."""
    return app.test_client()


@pytest.fixture
def runner(app):  # type: ignore[no-untyped-def]
    """Return a runner of the application's commands."""
    return app.test_cli_runner()


@pytest.fixture
def make_user(app):  # type: ignore[no-untyped-def]
    """Return a function creating an account with a known password."""
    from review.cli import create_user
    from review.models import Role

    def make(username: str, role: str, password: str = PASSWORD, **scope: int):  # type: ignore[no-untyped-def]
        with app.app_context():
            user = create_user(username, Role(role), password, **scope)
            db.session.commit()
            return user.id

    return make


@pytest.fixture
def login(client):  # type: ignore[no-untyped-def]
    """Return a function signing the test client in through the sign-in form."""

    def do(username: str, password: str = PASSWORD, next_url: str | None = None):  # type: ignore[no-untyped-def]
        return sign_in(client, username, password, next_url=next_url)

    return do


@pytest.fixture
def seed_path() -> Path:
    """Return the seed meeting file shipped inside the project."""
    return SEED
