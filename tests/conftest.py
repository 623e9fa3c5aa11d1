"""Fixtures: the application on SQLite and on PostgreSQL, its client and CLI runner."""

from __future__ import annotations

import json
import os
import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from review import create_app
from review.extensions import db

# The administrative connection to the PostgreSQL server; the suite creates and drops
# its own database there. bin/test makes sure a server is reachable.
POSTGRES_ADMIN_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
BACKENDS = ("sqlite", "postgresql")
DATA = Path(__file__).resolve().parent / "data"


def create_postgres_database(prefix: str) -> str:
    """Create an empty PostgreSQL database and return its URL."""
    name = f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)


def drop_postgres_database(url: str) -> None:
    """Drop a database made by :func:`create_postgres_database`."""
    name = make_url(url).database
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


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
        db.engine.dispose()
    return postgres_url


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Return a database URL: each database test runs on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'test.sqlite3'}"
    return request.getfixturevalue("postgres_schema")


@pytest.fixture
def app(database_url: str):  # type: ignore[no-untyped-def]
    """Create an application with an empty schema; CSRF stays on, as in production."""
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url})
    with app.app_context():
        if database_url.startswith("sqlite"):
            db.create_all()
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


CSRF_INPUT = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token(client, url: str) -> str:  # type: ignore[no-untyped-def]
    """Return the CSRF token of the form on the page at ``url``."""
    page = client.get(url)
    match = CSRF_INPUT.search(page.get_data(as_text=True))
    assert match, f"no CSRF token in the form at {url}"
    return match.group(1)


VERSION_INPUT = re.compile(r'<input[^>]*name="version"[^>]*value="([^"]*)"|<input[^>]*value="([^"]*)"[^>]*name="version"')


def form_values(client, url: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Return the hidden values a form on the page at ``url`` posts back: its CSRF token and its version."""
    page = client.get(url).get_data(as_text=True)
    match = CSRF_INPUT.search(page)
    assert match, f"no CSRF token in the form at {url}"
    values = {"csrf_token": match.group(1)}
    version = VERSION_INPUT.search(page)
    if version is not None:
        values["version"] = version.group(1) or version.group(2) or ""
    return values


@pytest.fixture
def make_user(app):  # type: ignore[no-untyped-def]
    """Return a function creating an account with a known password."""
    from review.cli import create_user
    from review.models import Role

    def make(username: str, role: str, password: str = "mật-khẩu-đủ-dài", **scope: int):  # type: ignore[no-untyped-def]
        with app.app_context():
            user = create_user(username, Role(role), password, **scope)
            db.session.commit()
            return user.id

    return make


@pytest.fixture
def login(client):  # type: ignore[no-untyped-def]
    """Return a function signing the test client in through the sign-in form."""

    def do(username: str, password: str = "mật-khẩu-đủ-dài", next_url: str | None = None):  # type: ignore[no-untyped-def]
        token = csrf_token(client, "/auth/login")
        url = "/auth/login" + (f"?next={next_url}" if next_url else "")
        return client.post(url, data={"csrf_token": token, "username": username, "password": password})

    return do


@pytest.fixture
def seed_path() -> Path:
    """Return the seed meeting file shipped inside the project."""
    return Path(__file__).resolve().parent.parent / "review" / "data" / "thuong-thanh-2020.json"


def write_2021_copy(seed_path: Path, tmp_path: Path) -> Path:
    """Write the seed a year later and without its ballot: a meeting still being recorded."""
    data = json.loads(seed_path.read_text(encoding="utf-8"))
    del data["ballot"]
    data["year"] = 2021
    for key in ("starts_at", "ends_at"):
        data["meeting"][key] = "2021" + data["meeting"][key][4:]
    path = tmp_path / "2021.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path
