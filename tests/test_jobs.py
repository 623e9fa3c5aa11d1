"""The job table (review/jobs.py): claims that never collide, a silent worker's job taken up again,
and a worker killed in the middle of a ZIP export replaced by a new one that finishes it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select, text

from review import clock, jobs
from review.extensions import db
from review.models import ExportJob, ExportState, Organization

ROOT = Path(__file__).resolve().parent.parent


def queued(app, count: int = 2) -> list[int]:  # type: ignore[no-untyped-def]
    with app.app_context():
        organization = Organization(name="Đảng bộ phường Thử", place="Thử")
        db.session.add(organization)
        db.session.flush()
        made = [ExportJob(organization_id=organization.id, year=2020, status=ExportState.QUEUED) for _ in range(count)]
        db.session.add_all(made)
        db.session.commit()
        return [job.id for job in made]


def state(app, job_id: int) -> ExportJob:  # type: ignore[no-untyped-def]
    with app.app_context():
        job = db.session.get(ExportJob, job_id)
        db.session.expunge(job)
        return job


def test_each_job_goes_to_one_worker_oldest_first(app):
    first, second = queued(app)
    with app.app_context():
        assert jobs.claim_next(app, "a:1") == first
        assert jobs.claim_next(app, "b:2") == second
        assert jobs.claim_next(app, "c:3") is None
        assert not jobs.claim(app, first, "c:3")  # held, and its worker is alive
    taken = state(app, first)
    assert taken.status == ExportState.RUNNING and taken.claimed_by == "a:1" and taken.attempts == 1


def test_a_silent_workers_job_is_taken_up_again_and_fails_after_too_many_takings(app):
    (job_id,) = queued(app, 1)
    app.config["JOB_LEASE_SECONDS"] = 60
    app.config["JOB_MAX_ATTEMPTS"] = 2
    with app.app_context():
        assert jobs.claim_next(app, "a:1") == job_id

        def fall_silent() -> None:
            db.session.get(ExportJob, job_id).heartbeat_at = clock.now() - timedelta(seconds=61)
            db.session.commit()

        fall_silent()
        assert jobs.claim_next(app, "b:2") == job_id
        assert not jobs.still_ours(job_id, "a:1") and jobs.still_ours(job_id, "b:2")
        fall_silent()
        assert jobs.claim_next(app, "c:3") is None  # a third taking: the job fails instead
    failed = state(app, job_id)
    assert failed.status == ExportState.FAILED and "2 attempts" in failed.error and failed.finished_at is not None


def test_a_locked_job_is_skipped_not_waited_for(app, database_url):
    if database_url.startswith("sqlite"):
        pytest.skip("SKIP LOCKED is PostgreSQL's; SQLite's write transaction holds the whole database")
    first, second = queued(app)
    engine = create_engine(database_url)
    with engine.connect() as other:
        other.execute(text("BEGIN"))
        other.execute(text("SELECT id FROM export_job WHERE id = :id FOR UPDATE"), {"id": first})
        claimed: list[int | None] = []

        def claim() -> None:
            with app.app_context():
                claimed.append(jobs.claim_next(app, "b:2"))

        worker = threading.Thread(target=claim)
        worker.start()
        worker.join(timeout=10)
        assert not worker.is_alive(), "the claim waited for the other transaction's lock"
        other.execute(text("ROLLBACK"))
    engine.dispose()
    assert claimed == [second]


def test_the_worker_runs_what_is_queued_and_stops(app):
    first, second = queued(app)
    ran: list[tuple[int, str]] = []
    count = jobs.run_worker(app, lambda _app, job_id, worker: ran.append((job_id, worker)), once=True, name="w:1")
    assert count == 2 and ran == [(first, "w:1"), (second, "w:1")]


def sealed_cells(runner, seed_path: Path, tmp_path: Path, count: int) -> None:  # type: ignore[no-untyped-def]
    """Import the seed meeting into ``count`` cells of its ward (each sealed)."""
    seed = json.loads(seed_path.read_text(encoding="utf-8"))
    for number in range(1, count + 1):
        seed["organization"]["cell"] = f"Chi bộ số {number}"
        path = tmp_path / f"cell-{number}.json"
        path.write_text(json.dumps(seed, ensure_ascii=False), encoding="utf-8")
        result = runner.invoke(args=["meeting", "import", str(path)])
        assert result.exit_code == 0, result.output


def start_worker(database_url: str, app, tmp_path: Path) -> subprocess.Popen:  # type: ignore[no-untyped-def,type-arg]
    env = os.environ | {
        "DATABASE_URL": database_url,
        "SECRET_KEY": "worker-test-secret",
        "REVIEW_INSTANCE_PATH": str(tmp_path / "worker-instance"),
        "EXPORT_DIR": app.config["EXPORT_DIR"],
        "REVIEW_JOB_LEASE_SECONDS": "2",
        "PYTHONPATH": str(ROOT),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "review", "worker", "--poll", "0.2"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


def test_a_worker_killed_during_a_zip_export_is_replaced_and_the_job_completes(
    app, runner, seed_path, tmp_path, database_url
):
    if database_url.startswith("sqlite"):
        pytest.skip("worker processes are PostgreSQL's (JOB_RUNNER=worker); SQLite runs jobs in the web process")
    from review.ward.exports import create_job

    sealed_cells(runner, seed_path, tmp_path, 6)
    with app.app_context():
        organization_id = db.session.scalar(select(Organization.id))
        job_id = create_job(organization_id, 2020, None).id
        total = db.session.get(ExportJob, job_id).total
    assert total > 20  # six cells, two documents each in two formats, and the decision's files

    def job() -> ExportJob:
        return state(app, job_id)

    first = start_worker(database_url, app, tmp_path)
    try:
        assert jobs.wait_until(lambda: job().done >= 3, timeout=120), first.stdout.read1().decode()  # type: ignore[union-attr]
        first.send_signal(signal.SIGKILL)  # no goodbye: its claim stays, its heartbeat stops
        first.wait(timeout=10)
    finally:
        if first.poll() is None:
            first.kill()
    halfway = job()
    assert halfway.status == ExportState.RUNNING and 3 <= halfway.done < total and halfway.attempts == 1
    dead = halfway.claimed_by

    second = start_worker(database_url, app, tmp_path)
    try:
        assert jobs.wait_until(lambda: job().status == ExportState.DONE, timeout=180)
    finally:
        second.terminate()
        output = second.communicate(timeout=30)[0].decode()
    done = job()
    assert done.attempts == 2 and done.claimed_by != dead and done.done == done.total == total
    assert "takes it up again" in output
    with zipfile.ZipFile(done.file_path) as archive:
        assert archive.testzip() is None and len(archive.namelist()) == total
    assert not list(Path(app.config["EXPORT_DIR"]).glob("*.part"))  # the dead worker's partial file aside
