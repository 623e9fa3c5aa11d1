"""Configuration: secrets, database URLs and SQLite connection settings."""

from __future__ import annotations

import sqlite3
import threading

import pytest
from sqlalchemy import text

from review import create_app
from review.config import ConfigError, normalize_database_url
from review.database import write_transaction
from review.extensions import db


def test_secret_key_is_required_outside_development(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("REVIEW_ENV", raising=False)
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app()


def test_secret_key_from_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_KEY", "from-the-environment")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'x.sqlite3'}")
    monkeypatch.delenv("REVIEW_ENV", raising=False)
    app = create_app()
    assert app.config["SECRET_KEY"] == "from-the-environment"
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True


def test_development_gets_a_throwaway_secret(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("REVIEW_ENV", "development")
    app = create_app()
    assert app.config["SECRET_KEY"]
    assert app.config["SESSION_COOKIE_SECURE"] is False


def test_default_database_is_sqlite_in_the_instance_folder(monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    app = create_app({"TESTING": True})
    with app.app_context():
        assert db.engine.url.drivername == "sqlite"
        assert db.engine.url.database.startswith(app.instance_path)


@pytest.mark.parametrize(
    "url, expected",
    [
        ("postgres://u@h/d", "postgresql+psycopg://u@h/d"),
        ("postgresql://u@h:5432/d", "postgresql+psycopg://u@h:5432/d"),
        ("postgresql+psycopg://u@h/d", "postgresql+psycopg://u@h/d"),
        ("sqlite:///x.db", "sqlite:///x.db"),
    ],
)
def test_postgres_urls_use_psycopg_3(url, expected):
    assert normalize_database_url(url) == expected


def test_sqlite_connection_settings_on_every_connection(tmp_path):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'p.sqlite3'}"})
    with app.app_context():
        for _ in range(2):  # a fresh connection each time
            with db.engine.connect() as connection:
                assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
                assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
                assert connection.execute(text("PRAGMA busy_timeout")).scalar() == 15000
            db.engine.dispose()


def test_write_transaction_holds_the_write_lock_from_its_start(tmp_path):
    path = tmp_path / "lock.sqlite3"
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}"})
    with app.app_context():
        db.create_all()
        with write_transaction():
            # Nothing written yet, but another writer must already be kept out.
            other = sqlite3.connect(path, timeout=0, isolation_level=None)
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
            other.close()
        other = sqlite3.connect(path, timeout=0, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")  # free again after the commit
        other.execute("ROLLBACK")
        other.close()


def test_concurrent_read_then_write_transactions_do_not_fail(tmp_path):
    from review.models import Organization

    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'c.sqlite3'}"})
    with app.app_context():
        db.create_all()
        with write_transaction():
            db.session.add(Organization(name="Đảng bộ phường A", place="A"))
    errors: list[BaseException] = []

    def bump(n: int) -> None:
        with app.app_context():
            try:
                for _ in range(n):
                    with write_transaction():
                        org = db.session.scalars(db.select(Organization)).one()
                        org.place = org.place + "x"
            except BaseException as exc:  # noqa: BLE001
                errors.append(exc)

    threads = [threading.Thread(target=bump, args=(15,)) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with app.app_context():
        assert db.session.scalars(db.select(Organization)).one().place == "A" + "x" * 60
