"""Background jobs that survive their process: the job table, claimed by workers.

A job is a row of ``export_job`` (today's one kind of long job: a ward's ZIP). The web process
stores it queued; who runs it depends on ``JOB_RUNNER``:

- ``worker`` (PostgreSQL's default): ``flask --app review worker`` processes, on any machine that
  reaches the database, claim queued jobs with ``SELECT ... FOR UPDATE SKIP LOCKED`` (two workers
  never take the same job, and neither waits for the other's lock), mark them running with their
  name and a heartbeat, and beat while they work. A job whose worker fell silent for longer than
  ``JOB_LEASE_SECONDS`` (killed, its machine gone) is claimed again and rebuilt from the start;
  after ``JOB_MAX_ATTEMPTS`` takings it is marked failed.
- ``thread`` (SQLite's default, a laptop, and the tests): the request starts a thread of the web
  process, as before; it claims the job the same way, so nothing runs twice.

The files a job builds go to ``EXPORT_DIR``, which every web server of a deployment must see (a
shared folder): the status page and the download read the job's row, then the file.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from flask import Flask
from sqlalchemy import or_, select, update

from . import clock
from .database import lock_row, write_transaction
from .extensions import db
from .models import ExportJob, ExportState

log = logging.getLogger("review.jobs")

DEFAULT_LEASE_SECONDS = 60
DEFAULT_MAX_ATTEMPTS = 3
DEFAULT_POLL_SECONDS = 1.0


def worker_name() -> str:
    """Return this process's name in the job table: ``host:pid``."""
    return f"{socket.gethostname()}:{os.getpid()}"


def lease(app: Flask) -> timedelta:
    return timedelta(seconds=int(app.config.get("JOB_LEASE_SECONDS", DEFAULT_LEASE_SECONDS)))


def _claimable(app: Flask) -> Any:
    """The condition of a job a worker may take: queued, or running with a silent worker."""
    stale = clock.now() - lease(app)
    return or_(
        ExportJob.status == ExportState.QUEUED,
        (ExportJob.status == ExportState.RUNNING) & (ExportJob.heartbeat_at < stale),
    )


def _take(app: Flask, job: ExportJob, worker: str) -> int | None:
    """Mark ``job`` (locked, claimable) as ``worker``'s; a job taken too often fails instead."""
    if job.attempts >= int(app.config.get("JOB_MAX_ATTEMPTS", DEFAULT_MAX_ATTEMPTS)):
        job.status = ExportState.FAILED
        job.error = f"abandoned after {job.attempts} attempts: each worker stopped before the end"
        job.finished_at = clock.now()
        log.warning("job %s failed: %s", job.id, job.error)
        return None
    if job.status == ExportState.RUNNING:
        log.warning("job %s: worker %s fell silent; %s takes it up again", job.id, job.claimed_by, worker)
    job.status = ExportState.RUNNING
    job.claimed_by = worker
    job.heartbeat_at = clock.now()
    job.attempts += 1
    job.done = 0
    return job.id


def claim_next(app: Flask, worker: str) -> int | None:
    """Claim the oldest claimable job for ``worker``; return its id, or None when there is none."""
    with write_transaction():
        job = db.session.scalar(
            select(ExportJob)
            .where(_claimable(app))
            .order_by(ExportJob.id)
            .limit(1)
            .with_for_update(skip_locked=True)  # PostgreSQL; SQLite's immediate transaction holds all
        )
        return _take(app, job, worker) if job is not None else None


def claim(app: Flask, job_id: int, worker: str) -> bool:
    """Claim one job (the web process's own thread); return whether it was claimable and is now ours."""
    with write_transaction():
        job = db.session.scalar(
            select(ExportJob).where(ExportJob.id == job_id, _claimable(app)).with_for_update(skip_locked=True)
        )
        return job is not None and _take(app, job, worker) is not None


def lock_job(job_id: int) -> None:
    """Hold the job's row for the rest of the write transaction (its worker's counts, its end)."""
    lock_row(ExportJob, job_id)


def beat(job_id: int) -> None:
    """Record a sign of life of the job's worker (inside the caller's write transaction)."""
    db.session.execute(update(ExportJob).where(ExportJob.id == job_id).values(heartbeat_at=clock.now()))


def still_ours(job_id: int, worker: str) -> bool:
    """Return whether ``worker`` still holds the job (another may have taken it after a long silence)."""
    return db.session.scalar(select(ExportJob.claimed_by).where(ExportJob.id == job_id)) == worker


def runner(app: Flask) -> str:
    """Return who runs the jobs: ``worker`` processes or a ``thread`` of the web process."""
    return str(app.config.get("JOB_RUNNER") or "thread")


def run_worker(
    app: Flask,
    handle: Callable[[Flask, int, str], None],
    *,
    once: bool = False,
    poll: float = DEFAULT_POLL_SECONDS,
    stop: threading.Event | None = None,
    name: str | None = None,
) -> int:
    """Claim and run jobs until stopped (SIGTERM, SIGINT, ``stop``) or, with ``once``, none is left.

    ``handle(app, job_id, worker)`` runs one claimed job. Returns how many jobs were run.
    """
    stop = stop or threading.Event()
    worker = name or worker_name()
    if threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stop.set())
    ran = 0
    log.info("worker %s started", worker)
    while not stop.is_set():
        with app.app_context():
            job_id = claim_next(app, worker)
            db.session.remove()
        if job_id is None:
            if once:
                break
            stop.wait(poll)
            continue
        log.info("worker %s runs job %s", worker, job_id)
        handle(app, job_id, worker)
        ran += 1
    log.info("worker %s stopped after %s job(s)", worker, ran)
    return ran


def wait_until(check: Callable[[], bool], timeout: float, step: float = 0.1) -> bool:
    """Poll ``check`` until it holds or ``timeout`` seconds pass (tests and the worker's callers)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(step)
    return check()
