"""Serve pages in-process and count the SQL statements each request sends.

Shared by the benchmarks and by ``tests/test_query_budgets.py``: a statement is one
``before_cursor_execute`` event of the application's engine (SQLite's ``BEGIN`` emitted by
``review.database`` is a statement too, on both sides of a comparison).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from flask import Flask
from sqlalchemy import event, select

CSRF_INPUT = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
PASSWORD = "mật-khẩu-đủ-dài-để-đo"


@dataclass
class StatementCounter:
    """Count the statements the engine sends while ``counting`` is on; keep their text."""

    count: int = 0
    statements: list[str] = field(default_factory=list)

    def __call__(self, conn, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
        self.count += 1
        self.statements.append(statement)

    def reset(self) -> None:
        self.count = 0
        self.statements = []


@contextmanager
def counting_statements(app: Flask) -> Iterator[StatementCounter]:
    """Count the statements of the app's engine inside the block."""
    from review.extensions import db

    counter = StatementCounter()
    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", counter)
    try:
        yield counter
    finally:
        event.remove(engine, "before_cursor_execute", counter)


def ensure_user(app: Flask, username: str, role: str, **scope: int) -> None:
    """Create an account with the harness password unless it exists."""
    from review.cli import create_user
    from review.extensions import db
    from review.models import Role, User

    with app.app_context():
        if db.session.scalar(select(User.id).where(User.username == username)) is None:
            create_user(username, Role(role), PASSWORD, **scope)
            db.session.commit()


def signed_in(app: Flask, username: str):  # type: ignore[no-untyped-def]
    """Return a test client signed in through the sign-in form (CSRF on)."""
    client = app.test_client()
    page = client.get("/auth/login").get_data(as_text=True)
    match = CSRF_INPUT.search(page)
    assert match, "no CSRF token on the sign-in page"
    response = client.post(
        "/auth/login", data={"csrf_token": match.group(1), "username": username, "password": PASSWORD}
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return client


def statements_for(app: Flask, client, url: str) -> tuple[int, int, list[str]]:  # type: ignore[no-untyped-def]
    """Return the status, the number of statements and their text for one GET of ``url``."""
    with counting_statements(app) as counter:
        response = client.get(url)
    return response.status_code, counter.count, counter.statements
