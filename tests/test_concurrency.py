"""Several counters and secretaries saving at once, through a real threaded server.

On SQLite (a file, in WAL mode) a transaction that reads and then writes must start with
BEGIN IMMEDIATE, or two of them deadlock and one fails at once with "database is locked".
Every save here reads the meeting and then writes: all of them must be acknowledged, none may
answer 500, and the database must end holding each person's last save.
"""

from __future__ import annotations

import threading

from browser import live_server
from workload import LOCKED, Browser, Log, build_world, invariant_problems, orphans, save_round, stored_marks, stored_round, sqlite_checks

MEETINGS = 3  # each with two counters and a secretary: nine people saving at once
ROUNDS = 10


def test_counters_and_secretaries_save_at_once(app, caplog) -> None:  # type: ignore[no-untyped-def]
    world = build_world(app, MEETINGS)
    logs = [Log(person) for person in world.people]
    start = threading.Barrier(len(logs), timeout=120)

    def work(base: str, log: Log) -> None:
        browser = Browser(base)
        try:
            browser.sign_in(log.person.username)
        except Exception as error:  # noqa: BLE001  (reported below, with the person's name)
            log.failures.append(f"sign-in: {error}")
            start.abort()
            return
        for round_ in range(1, ROUNDS + 1):
            try:
                start.wait()  # every round, everyone posts at the same moment
            except threading.BrokenBarrierError:
                log.failures.append(f"round {round_}: another worker stopped")
                return
            save_round(browser, log.person, round_, log)

    with live_server(app) as base:
        threads = [threading.Thread(target=work, args=(base, log)) for log in logs]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=600)
        assert not any(thread.is_alive() for thread in threads), "a worker never finished"

    failures = [f"{log.person.username}: {failure}" for log in logs for failure in log.failures]
    assert failures == []
    assert all(log.acknowledged == list(range(1, ROUNDS + 1)) for log in logs)
    assert not [r.getMessage() for r in caplog.records if LOCKED in r.getMessage()]

    marks = stored_marks(app, world)
    assert {name: stored_round(mark) for name, mark in marks.items()} == {log.person.username: ROUNDS for log in logs}
    assert invariant_problems(app) == []
    assert orphans(app) == []
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if url.startswith("sqlite"):
        integrity, foreign = sqlite_checks(url.removeprefix("sqlite:///"))
        assert (integrity, foreign) == (["ok"], [])
