"""The server killed (SIGKILL) in the middle of saves: the database is consistent, nothing acknowledged is lost.

The application runs as a process of its own (werkzeug's threaded server, production
settings) on a SQLite file or a PostgreSQL database of this test. Counters and secretaries
save round after round; once enough saves are acknowledged the server is killed while others
are in flight. Then the database must pass its own checks and the application's invariants,
and hold each person's last acknowledged save (or the one in flight after it, if that one
committed before the kill); the audit trail's hash chain must be unbroken and record exactly
the saves that committed.
"""

from __future__ import annotations

import os
import signal
import threading
from pathlib import Path

import pytest

from review import create_app
from review.extensions import db

from helpers import BACKENDS, create_postgres_database, drop_postgres_database
from workload import (
    LOCKED,
    Browser,
    Log,
    audit_chain,
    audited_rounds,
    build_world,
    invariant_problems,
    orphans,
    save_round,
    sqlite_checks,
    start_server,
    stored_marks,
    stored_round,
)

MEETINGS = 2  # two counters and a secretary each: six people saving
KILL_AFTER = 30  # acknowledged saves before the kill
MAX_ROUNDS = 500  # a bound, should the kill never come


@pytest.fixture(params=BACKENDS)
def crash_database(request: pytest.FixtureRequest, tmp_path: Path):  # type: ignore[no-untyped-def]
    """Return the URL of an empty database with the schema, of this test alone."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'crash.sqlite3'}"
    else:
        url = create_postgres_database("review_crash")
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        db.create_all()
        db.engine.dispose()
    yield url
    if request.param != "sqlite":
        drop_postgres_database(url)


def test_sigkill_in_the_middle_of_saves(crash_database: str, tmp_path: Path) -> None:
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": crash_database})
    world = build_world(app, MEETINGS)
    with app.app_context():
        db.engine.dispose()
    server_log = tmp_path / "server.log"
    process, base = start_server(crash_database, server_log)

    logs = [Log(person) for person in world.people]
    acknowledged = threading.Condition()
    signed_in = threading.Barrier(len(logs) + 1, timeout=120)

    def work(log: Log) -> None:
        browser = Browser(base, timeout=60)
        try:
            browser.sign_in(log.person.username)
        finally:
            signed_in.wait()
        for round_ in range(1, MAX_ROUNDS + 1):
            alive = save_round(browser, log.person, round_, log)
            with acknowledged:
                acknowledged.notify_all()
            if not alive:
                return

    def total() -> int:
        return sum(len(log.acknowledged) for log in logs)

    threads = [threading.Thread(target=work, args=(log,)) for log in logs]
    try:
        for thread in threads:
            thread.start()
        signed_in.wait()
        with acknowledged:
            reached = acknowledged.wait_for(lambda: total() >= KILL_AFTER, timeout=600)
        in_flight = sum(1 for log in logs if len(log.attempted) > len(log.acknowledged) + len(log.failures))
        os.kill(process.pid, signal.SIGKILL)
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()
        for thread in threads:
            thread.join(timeout=120)
    assert reached, "the saves never reached the kill point"
    assert process.returncode == -signal.SIGKILL
    assert in_flight >= 1, "the kill did not land in the middle of a save"

    # Every answer before the kill was an acknowledgement; after it, only a lost connection.
    for log in logs:
        answered = [f for f in log.failures if "HTTP" in f or LOCKED in f]
        assert answered == [], (log.person.username, answered)
        assert len(log.failures) <= 1, (log.person.username, log.failures)
    server_output = server_log.read_text(encoding="utf-8", errors="replace")
    assert LOCKED not in server_output
    assert "Traceback" not in server_output

    # The database holds together.
    if crash_database.startswith("sqlite"):
        integrity, foreign = sqlite_checks(Path(crash_database.removeprefix("sqlite:///")))
        assert integrity == ["ok"]
        assert foreign == []
    assert orphans(app) == []
    assert invariant_problems(app) == []
    chain = audit_chain(app)
    assert chain.ok, chain.problem

    # Every acknowledged save is there: each person's record holds their last acknowledged
    # round, or a later one that was in flight and committed before the kill.
    marks = stored_marks(app, world)
    for log in logs:
        stored = stored_round(marks[log.person.username])
        last = max(log.acknowledged, default=None)
        if last is None:
            assert stored is None or stored in log.attempted
        else:
            assert stored is not None and stored >= last and stored in log.attempted, (
                log.person.username,
                stored,
                last,
                log.attempted[-3:],
            )

    # The audit trail holds every committed save and nothing else: each acknowledged round, in
    # order, perhaps the one in flight that committed, and last the round the record holds.
    trail = audited_rounds(app, world)
    for log in logs:
        rounds = trail[log.person.username]
        assert rounds == sorted(set(rounds)), (log.person.username, rounds)
        assert set(log.acknowledged) <= set(rounds) <= set(log.attempted), (
            log.person.username,
            rounds[-3:],
            log.acknowledged[-3:],
            log.attempted[-3:],
        )
        assert (rounds[-1] if rounds else None) == stored_round(marks[log.person.username]), log.person.username
