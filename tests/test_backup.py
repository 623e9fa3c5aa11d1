"""`flask backup` and `flask restore`: a populated database round-trips; a backup taken during writes is consistent."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from review import create_app, meetingfile
from review.cli import create_user
from review.database import write_transaction
from review.extensions import db
from review.meeting_store import import_meeting
from review.models import IndividualReview, Meeting, Participant, Role

from helpers import BACKENDS, create_postgres_database, drop_postgres_database, postgresql_only
from workload import (
    Browser,
    Log,
    build_world,
    flask,
    invariant_problems,
    orphans,
    save_round,
    seed_document,
    sqlite_checks,
    start_server,
    stored_marks,
    stored_round,
)

SEED_MEMBERS = len(seed_document()["members"])
SEED_REVIEWS = sum(1 for member in seed_document()["members"] if member.get("review") is not None)


class Databases:
    """Empty databases with the schema, of this test alone, on one backend; dropped at the end."""

    def __init__(self, backend: str, folder: Path) -> None:
        self.backend, self.folder, self.made = backend, folder, []

    def new(self) -> str:
        if self.backend == "sqlite":
            url = f"sqlite:///{self.folder / f'db{len(self.made)}.sqlite3'}"
        else:
            url = create_postgres_database("review_backup")
        self.made.append(url)
        return url

    def app(self, url: str | None = None, schema: bool = True):  # type: ignore[no-untyped-def]
        app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url or self.new()})
        if schema:
            with app.app_context():
                db.create_all()
                db.engine.dispose()
        return app

    def drop(self) -> None:
        if self.backend != "sqlite":
            for url in self.made:
                drop_postgres_database(url)


@pytest.fixture(params=BACKENDS)
def databases(request: pytest.FixtureRequest, tmp_path: Path):  # type: ignore[no-untyped-def]
    made = Databases(request.param, tmp_path)
    yield made
    made.drop()


def row_counts(app) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """Return the rows of every table of the models."""
    with app.app_context():
        counts = {t.name: db.session.scalar(select(func.count()).select_from(t)) for t in db.metadata.sorted_tables}
        db.session.remove()
        db.engine.dispose()
    return counts


def exports(app) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Return every meeting's canonical meeting file, as `meeting export` writes it, by id."""
    runner = app.test_cli_runner()
    listed = runner.invoke(args=["meeting", "list"])
    assert listed.exit_code == 0, listed.output
    files = {}
    for line in listed.output.splitlines():
        meeting_id = line.split("\t")[0]
        exported = runner.invoke(args=["meeting", "export", meeting_id])
        assert exported.exit_code == 0, exported.output
        files[meeting_id] = exported.output
    with app.app_context():
        db.engine.dispose()
    return files


def invoke(app, *args: str, input: str | None = None):  # type: ignore[no-untyped-def]
    result = app.test_cli_runner().invoke(args=list(args), input=input)
    with app.app_context():
        db.engine.dispose()
    return result


def test_round_trip(databases: Databases, tmp_path: Path) -> None:
    app = databases.app()
    build_world(app, 2)
    before_rows, before_files = row_counts(app), exports(app)
    assert before_rows["meeting"] == 3 and before_rows["tally_row"] > 0 and before_rows["user_account"] == 6
    path = tmp_path / "review.backup"

    result = invoke(app, "backup", str(path))
    assert result.exit_code == 0, result.output
    total = sum(before_rows.values())
    assert f"{total:,}".replace(",", ".") + " dòng" in result.output
    assert path.stat().st_size > 0
    again = invoke(app, "backup", str(path))
    assert again.exit_code == 1 and "đã có" in again.output  # an existing backup is kept

    # Change and delete: one review rewritten, every feedback gone, a new account.
    with app.app_context():
        with write_transaction():
            db.session.execute(text("UPDATE individual_review SET summary = 'Đã sửa sau khi sao lưu'"))
            db.session.execute(text("DELETE FROM feedback"))
            create_user("sau-sao-luu", Role.ADMIN, "mật-khẩu-đủ-dài")
        db.engine.dispose()
    changed_rows, changed_files = row_counts(app), exports(app)
    assert changed_rows != before_rows and changed_files != before_files

    refused = invoke(app, "restore", str(path), input="n\n")
    assert refused.exit_code == 1
    assert "Chưa phục hồi" in refused.output
    assert (row_counts(app), exports(app)) == (changed_rows, changed_files)

    restored = invoke(app, "restore", str(path), "--yes")
    assert restored.exit_code == 0, restored.output
    assert "Đã phục hồi" in restored.output
    assert row_counts(app) == before_rows
    assert exports(app) == before_files
    assert orphans(app) == [] and invariant_problems(app) == []


def test_restore_asks_then_restores(databases: Databases, tmp_path: Path) -> None:
    app = databases.app()
    build_world(app, 1)
    before = exports(app)
    path = tmp_path / "review.backup"
    assert invoke(app, "backup", str(path)).exit_code == 0
    with app.app_context():
        with write_transaction():
            db.session.execute(text("DELETE FROM feedback"))
        db.engine.dispose()
    result = invoke(app, "restore", str(path), input="y\n")
    assert result.exit_code == 0, result.output
    assert "Tiếp tục?" in result.output
    assert exports(app) == before


def test_refuses_what_is_not_its_backup(databases: Databases, tmp_path: Path) -> None:
    app = databases.app()
    build_world(app, 1)
    before = row_counts(app)
    for content in (b"", b"not a backup\n", b"SQLite format 3\x00" + b"\x00" * 200):
        path = tmp_path / "bad.backup"
        path.write_bytes(content)
        result = invoke(app, "restore", str(path), "--yes")
        assert result.exit_code == 1, result.output
        assert "Error:" in result.output and "Traceback" not in result.output
        assert row_counts(app) == before
    missing = invoke(app, "restore", str(tmp_path / "none.backup"), "--yes")
    assert missing.exit_code == 1 and "Không có tệp sao lưu" in missing.output
    folder = invoke(app, "backup", str(tmp_path / "no-such-folder" / "x.backup"))
    assert folder.exit_code == 1 and "Không có thư mục" in folder.output
    if databases.backend == "sqlite":
        live = app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")
        for command in ("backup", "restore"):
            itself = invoke(app, command, live, "--yes")
            assert itself.exit_code == 1 and "chính tệp cơ sở dữ liệu" in itself.output
    assert row_counts(app) == before


def test_backup_restores_into_an_empty_database(databases: Databases, tmp_path: Path) -> None:
    source = databases.app()
    build_world(source, 1)
    path = tmp_path / "review.backup"
    assert invoke(source, "backup", str(path)).exit_code == 0
    target = databases.app(schema=False)  # nothing there yet: no question asked
    result = invoke(target, "restore", str(path))
    assert result.exit_code == 0, result.output
    assert row_counts(target) == row_counts(source)
    assert exports(target) == exports(source)


def test_backup_during_writes_is_consistent(databases: Databases, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A writer commits meetings before, during and after the backup; the backup holds a whole prefix of them.

    Overlap is made, not hoped for: once the backup holds its snapshot (when it counts the
    snapshot's rows), it waits until the writer has committed two more meetings, then copies.
    """
    from review import backup as backup_module

    app = databases.app()
    build_world(app, 0)
    stop, imported, failures = threading.Event(), [], []
    committed = threading.Condition()

    def write() -> None:
        # Each import writes a cell, its members, a meeting, its participants and reviews in one
        # transaction: a backup that caught one half-way would show a meeting short of members.
        with app.app_context():
            try:
                index = 0
                while not stop.is_set() and index < 500:
                    index += 1
                    document = seed_document()
                    del document["ballot"]
                    document["organization"]["cell"] = f"Chi bộ ghi trong lúc sao lưu {index}"
                    parsed, problems = meetingfile.loads(json.dumps(document, ensure_ascii=False).encode())
                    assert parsed is not None, problems
                    import_meeting(parsed)
                    db.session.remove()
                    with committed:
                        imported.append(index)
                        committed.notify_all()
            except Exception as error:  # noqa: BLE001  (reported by the test)
                failures.append(repr(error))
            finally:
                db.session.remove()
                with committed:
                    committed.notify_all()

    def more_than(count: int) -> bool:
        """Wait until the writer has committed more than ``count`` meetings; False if it stopped first."""
        with committed:
            return committed.wait_for(lambda: len(imported) > count or not writer.is_alive(), timeout=300) and (
                len(imported) > count
            )

    snapshot: dict[str, int] = {}
    count_rows = backup_module.sqlite_rows if databases.backend == "sqlite" else backup_module.pg_rows

    def count_then_wait(connection):  # type: ignore[no-untyped-def]
        """Count the snapshot's rows, then hold the snapshot until two more meetings are committed."""
        rows = count_rows(connection)
        if not snapshot:  # the backup's first count is the one in its snapshot
            snapshot["meetings"] = rows["meeting"]
            snapshot["imported"] = len(imported)
            snapshot["waited"] = more_than(snapshot["imported"] + 1)
            snapshot["imported_after_wait"] = len(imported)
        return rows

    monkeypatch.setattr(backup_module, "sqlite_rows" if databases.backend == "sqlite" else "pg_rows", count_then_wait)
    writer = threading.Thread(target=write)
    path = tmp_path / "during.backup"
    writer.start()
    try:
        assert more_than(0), failures
        before = len(imported)
        result = invoke(app, "backup", str(path))
        after = len(imported)
        assert more_than(after), failures  # and the writer kept writing after the backup too
    finally:
        stop.set()
        writer.join(timeout=120)
    monkeypatch.undo()
    assert failures == []
    assert result.exit_code == 0, result.output
    # Writes committed before the backup, while it held its snapshot, and after it.
    assert snapshot["waited"], snapshot
    assert 1 <= before <= snapshot["imported"]
    assert snapshot["imported_after_wait"] >= snapshot["imported"] + 2
    assert snapshot["imported_after_wait"] <= after < len(imported)
    # The snapshot holds the seed meeting and the imports committed before it: at least those
    # seen before the backup began, and none of the two or more committed while it was held
    # (a commit may be counted in it a moment before the writer noted it: hence the + 1).
    assert 1 + before <= snapshot["meetings"] <= 1 + snapshot["imported"] + 1
    assert snapshot["meetings"] < 1 + snapshot["imported_after_wait"]

    if databases.backend == "sqlite":
        assert sqlite_checks(path) == (["ok"], [])
    copy = databases.app(schema=False)
    assert invoke(copy, "restore", str(path), "--yes").exit_code == 0
    assert orphans(copy) == [] and invariant_problems(copy) == []
    with copy.app_context():
        meetings = db.session.scalars(select(Meeting.id)).all()
        members = db.session.execute(
            select(Participant.meeting_id, func.count()).group_by(Participant.meeting_id)
        ).all()
        reviews = db.session.execute(
            select(Participant.meeting_id, func.count(IndividualReview.id))
            .join(IndividualReview, IndividualReview.participant_id == Participant.id)
            .group_by(Participant.meeting_id)
        ).all()
        db.engine.dispose()
    # The backup is exactly the snapshot, and every meeting in it is whole.
    assert len(meetings) == snapshot["meetings"]
    assert {meeting_id: count for meeting_id, count in members} == {m: SEED_MEMBERS for m in meetings}
    assert {meeting_id: count for meeting_id, count in reviews} == {m: SEED_REVIEWS for m in meetings}


@postgresql_only
def test_pg_dump_missing_is_said_clearly(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    databases = Databases("postgresql", tmp_path)  # SQLite backs up through its own API, without pg_dump
    try:
        app = databases.app()
        monkeypatch.setenv("PATH", str(tmp_path / "empty"))
        for command in ("backup", "restore"):
            path = tmp_path / f"{command}.backup"
            if command == "restore":
                path.write_bytes(b"PGDMP")
            result = invoke(app, command, str(path), "--yes")
            assert result.exit_code == 1
            tool = "pg_dump" if command == "backup" else "pg_restore"
            assert f"Không tìm thấy lệnh {tool}" in result.output and "postgresql-client" in result.output
        assert not (tmp_path / "backup.backup").exists()
    finally:
        monkeypatch.undo()
        databases.drop()


def test_command_line_backup_of_a_running_server(databases: Databases, tmp_path: Path) -> None:
    """`flask --app review backup` beside a served application taking saves: every save acknowledged
    before the backup began is in it, and the backup restores (by the command line) whole."""
    url = databases.new()
    app = databases.app(url)
    world = build_world(app, 1)
    process, base = start_server(url, tmp_path / "server.log")
    logs = [Log(person) for person in world.people]
    stop = threading.Event()
    acknowledged = threading.Condition()

    def work(log: Log) -> None:
        browser = Browser(base)
        browser.sign_in(log.person.username)
        round_ = 0
        while not stop.is_set() and round_ < 300:
            round_ += 1
            save_round(browser, log.person, round_, log)
            with acknowledged:
                acknowledged.notify_all()

    threads = [threading.Thread(target=work, args=(log,)) for log in logs]
    path = tmp_path / "running.backup"
    try:
        for thread in threads:
            thread.start()
        with acknowledged:
            assert acknowledged.wait_for(lambda: all(len(log.acknowledged) >= 2 for log in logs), timeout=600)
        before = {log.person.username: max(log.acknowledged) for log in logs}
        result = flask(url, "backup", str(path))
        with acknowledged:
            acknowledged.wait_for(
                lambda: all(len(log.acknowledged) >= before[log.person.username] + 2 for log in logs), timeout=600
            )
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=120)
        process.terminate()
        process.wait(timeout=60)
    assert result.returncode == 0, result.stderr
    assert "Đã sao lưu" in result.stdout and " bảng, " in result.stdout
    assert [f for log in logs for f in log.failures] == []
    assert all(max(log.acknowledged) > before[log.person.username] for log in logs)  # saves went on

    copy = databases.new()
    restored = flask(copy, "restore", str(path))
    assert restored.returncode == 0, restored.stderr
    assert "Đã phục hồi" in restored.stdout
    copy_app = databases.app(copy, schema=False)
    assert orphans(copy_app) == [] and invariant_problems(copy_app) == []
    marks = stored_marks(copy_app, world)
    for log in logs:
        stored = stored_round(marks[log.person.username])
        assert stored is not None and before[log.person.username] <= stored < max(log.acknowledged) + 1
