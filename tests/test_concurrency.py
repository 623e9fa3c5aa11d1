"""Several counters and secretaries saving at once, through a real threaded server.

On SQLite (a file, in WAL mode) a transaction that reads and then writes must start with
BEGIN IMMEDIATE, or two of them deadlock and one fails at once with "database is locked".
Every save here reads the meeting and then writes: all of them must be acknowledged, none may
answer 500, and the database must end holding each person's last save, and the audit
trail's hash chain every save, once each, unbroken. Then, in every
meeting at once, both counters type the same ballot and the chief counter and the secretary
approve it at the same moment: each meeting is sealed exactly once.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import func, select

from review.extensions import db
from review.models import Meeting, Seal

from browser import live_server
from workload import (
    LOCKED,
    Answer,
    Browser,
    Log,
    Person,
    audit_chain,
    audited_rounds,
    build_world,
    invariant_problems,
    orphans,
    save_round,
    sqlite_checks,
    stored_marks,
    stored_round,
    tally_form,
)

MEETINGS = 3  # each with two counters and a secretary: nine people saving at once
ROUNDS = 10
T = TypeVar("T")


def together(actions: list[Callable[[], T]]) -> list[T | BaseException]:
    """Run the actions in threads released at the same moment; return what each returned or raised."""
    start = threading.Barrier(len(actions), timeout=120)
    results: list[T | BaseException] = [RuntimeError("never ran")] * len(actions)

    def run(index: int) -> None:
        try:
            start.wait()
            results[index] = actions[index]()
        except BaseException as error:  # noqa: BLE001  (returned, the test reports it)
            results[index] = error

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(actions))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=600)
    assert not any(thread.is_alive() for thread in threads), "a worker never finished"
    return results


def wrong(answers: list[Answer | BaseException]) -> list[str]:
    """Return every answer that is not an acknowledgement (a redirect after the save)."""
    return [
        repr(a) if isinstance(a, BaseException) else f"HTTP {a.status}: {a.body[:300]}"
        for a in answers
        if isinstance(a, BaseException) or a.status != 302 or LOCKED in a.body
    ]


def test_counters_and_secretaries_save_at_once(app, caplog) -> None:  # type: ignore[no-untyped-def]
    world = build_world(app, MEETINGS)
    logs = [Log(person) for person in world.people]

    with live_server(app) as base:
        browsers: dict[str, Browser] = {}
        for person in world.people:
            browsers[person.username] = Browser(base)
            browsers[person.username].sign_in(person.username)

        def rounds(log: Log) -> None:
            for round_ in range(1, ROUNDS + 1):
                save_round(browsers[log.person.username], log.person, round_, log)

        together([lambda log=log: rounds(log) for log in logs])
        failures = [f"{log.person.username}: {failure}" for log in logs for failure in log.failures]
        assert failures == []
        assert all(log.acknowledged == list(range(1, ROUNDS + 1)) for log in logs)
        marks = stored_marks(app, world)
        assert {name: stored_round(mark) for name, mark in marks.items()} == {
            log.person.username: ROUNDS for log in logs
        }
        # The audit trail chained every save of the nine writers, each exactly once and in order.
        chain = audit_chain(app)
        assert chain.ok, chain.problem
        assert audited_rounds(app, world) == {log.person.username: list(range(1, ROUNDS + 1)) for log in logs}
        assert chain.count >= len(logs) * ROUNDS

        # Every counter types the same ballot at once; then every chief and secretary approve at once.
        counters = [p for p in world.people if p.kind == "counter"]
        typed = together(
            [lambda p=p: browsers[p.username].submit(p.path, tally_form(None, p.username)) for p in counters]
        )
        assert wrong(typed) == []

        def approve(person: Person) -> Answer:
            results = f"/meetings/{person.meeting_id}/results"
            return browsers[person.username].submit(results + "/approve", {}, form_path=results)

        chiefs = [p for p in counters if p.username.endswith("a")]  # m06 chairs each committee
        secretaries = [p for p in world.people if p.kind == "secretary"]
        approved = together([lambda p=p: approve(p) for p in chiefs + secretaries])
        assert wrong(approved) == []

    assert not [r.getMessage() for r in caplog.records if LOCKED in r.getMessage()]
    with app.app_context():
        seals = dict(db.session.execute(select(Seal.meeting_id, func.count()).group_by(Seal.meeting_id)).all())
        sealed = {m.id: m.sealed for m in db.session.scalars(select(Meeting))}
        db.session.remove()
    assert seals == {m: 1 for m in [world.sealed_meeting_id, *world.counted_meeting_ids]}
    assert all(sealed.values())
    assert invariant_problems(app) == []
    assert orphans(app) == []
    chain = audit_chain(app)  # the ballots and the approvals at once too
    assert chain.ok, chain.problem
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    if url.startswith("sqlite"):
        integrity, foreign = sqlite_checks(url.removeprefix("sqlite:///"))
        assert (integrity, foreign) == (["ok"], [])
