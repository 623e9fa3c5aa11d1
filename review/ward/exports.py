"""One ZIP of an organisation's sealed documents for a year, built in the background.

The request creates an :class:`ExportJob` and starts :func:`run_export`, which renders the
minutes and the vote-count minutes of every sealed cell (PDF and the Word copy; under two
ballots also ballot 2's paper, which names the candidates, SPEC 5.8), and the
committee's decision (its two decisions and the summary table as PDF and Word, the summary
also as XLSX: issued, or drafts), writes them into
``<EXPORT_DIR>/<job id>.zip`` and counts each document in its own short transaction, so the
status page can show the progress. The worker runs in a thread with its own application
context, hence its own database session; ``EXPORT_RUN_INLINE`` runs it in the request
instead (tests).
"""

from __future__ import annotations

import os
import threading
import zipfile
from collections.abc import Callable
from pathlib import Path

from flask import Flask, current_app
from flask_babel import gettext as _
from sqlalchemy import select

from .. import clock, jobs
from ..database import write_transaction
from ..decision_documents import FILE_COUNT as DECISION_FILES
from ..decision_documents import all_files as decision_files
from ..documents import FORMATS, SECOND_PAPER, available, file_name, render_document, render_docx
from ..extensions import db
from ..meeting_store import load_meeting
from ..models import Cell, ExportJob, Meeting, Organization, ReviewYear, Seal
from ..translatable import N_
from .overview import WARD_DOCUMENTS

QUEUED = "queued"
RUNNING = "running"
DONE = "done"
FAILED = "failed"
FINISHED = (DONE, FAILED)

# Translated in the request that shows them (routes, progress): never in the worker's thread.
STATUS_LABELS = {
    QUEUED: N_("Đang chờ"),
    RUNNING: N_("Đang tạo tệp"),
    DONE: N_("Đã xong"),
    FAILED: N_("Không tạo được"),
}

ERROR_LIMIT = 2000  # characters of an error kept on the job


def export_dir(app: Flask | None = None) -> Path:
    """Return the folder of the ZIP files: ``EXPORT_DIR``, or ``instance/exports``."""
    app = app or current_app
    configured = app.config.get("EXPORT_DIR")
    return Path(configured) if configured else Path(app.instance_path) / "exports"


def sealed_meeting_ids(organization_id: int, year: int) -> list[int]:
    """Return the organisation's meetings of ``year`` whose tallies are sealed, by cell name."""
    query = (
        select(Meeting)
        .join(ReviewYear, Meeting.review_year_id == ReviewYear.id)
        .join(Cell, Meeting.cell_id == Cell.id)
        .where(ReviewYear.organization_id == organization_id, ReviewYear.year == year)
        .where(Meeting.seals.any(Seal.reopened_at.is_(None)))
        .order_by(Cell.name, Meeting.id)
    )
    return [m.id for m in db.session.scalars(query) if m.sealed]


def create_job(organization_id: int, year: int, user_id: int | None) -> ExportJob:
    """Store a queued job for the organisation's sealed documents of ``year``."""
    with write_transaction():
        total = export_total(sealed_meeting_ids(organization_id, year))
        job = ExportJob(organization_id=organization_id, year=year, user_id=user_id, status=QUEUED, total=total, done=0)
        db.session.add(job)
    return job


# A sealed meeting's documents in the ZIP beyond WARD_DOCUMENTS, when the meeting has them
# (review.documents.available): ballot 2's paper of a two-ballot meeting (SPEC 5.8).
EXTRA_DOCUMENTS = (SECOND_PAPER,)


def meeting_documents(meeting: Meeting) -> tuple[str, ...]:
    """Return the keys of a sealed meeting's documents in the ZIP, in the order they are written."""
    return WARD_DOCUMENTS + tuple(key for key in EXTRA_DOCUMENTS if available(meeting, key))


def export_total(meeting_ids: list[int]) -> int:
    """Return the files of a ZIP: each sealed cell's documents (PDF and Word), and the decision's files."""
    if not meeting_ids:
        return 0
    documents = 0
    for meeting_id in meeting_ids:
        meeting = db.session.get(Meeting, meeting_id)  # its rules tell a single-ballot meeting apart
        if meeting is None:
            raise LookupError(f"meeting {meeting_id} is gone")
        documents += len(meeting_documents(meeting))
    return documents * len(FORMATS) + DECISION_FILES


def start_job(job_id: int) -> None:
    """Have the job's ZIP built: by a worker process (``JOB_RUNNER=worker``: the job stays queued
    for one to claim, review/jobs.py), else in a background thread of this process, or at once
    when ``EXPORT_RUN_INLINE`` is set (tests)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    starter: Callable[[Flask, int], None] | None = app.config.get("EXPORT_STARTER")
    if starter is not None:
        starter(app, job_id)
    elif app.config.get("EXPORT_RUN_INLINE"):
        run_export(app, job_id)
    elif jobs.runner(app) == "worker":
        return
    else:
        threading.Thread(target=run_export, args=(app, job_id), name=f"export-{job_id}", daemon=True).start()


def run_export(app: Flask, job_id: int, worker: str | None = None) -> None:
    """Build the job's ZIP in a fresh application context; record the failure if any.

    ``worker``: the worker that claimed it (review/jobs.py); without one, this process claims it
    first (a job another process holds, or one already finished, is left alone).
    """
    with app.app_context():
        if worker is None:
            worker = f"{jobs.worker_name()}:thread"
            if not jobs.claim(app, job_id, worker):
                return
        try:
            build(job_id, worker)
        except JobTaken:
            db.session.rollback()
            app.logger.warning("export job %s was taken up by another worker: %s stops", job_id, worker)
        except Exception as error:  # any failure is the job's, shown on its page
            db.session.rollback()
            app.logger.exception("export job %s failed", job_id)
            with write_transaction():
                job = db.session.get(ExportJob, job_id)
                if job is not None:
                    job.status = FAILED
                    job.error = f"{type(error).__name__}: {error}"[:ERROR_LIMIT]
                    job.finished_at = clock.now()


def zip_name(job: ExportJob) -> str:
    """Return the ASCII name of the job's ZIP as the browser saves it."""
    return f"tai-lieu-{job.year}-dang-bo-{job.organization_id}.zip"


def build(job_id: int, worker: str) -> None:
    """Render every sealed cell's documents into the job's ZIP, counting each one.

    The job is ``worker``'s (claimed, running): each count is also its heartbeat, and a worker
    that finds the job taken from it (it fell silent past the lease) stops.
    """
    with write_transaction():
        job = db.session.get(ExportJob, job_id)
        if job is None or job.status != RUNNING or job.claimed_by != worker:
            return
        meeting_ids = sealed_meeting_ids(job.organization_id, job.year)
        organization_id, year = job.organization_id, job.year
        job.total = export_total(meeting_ids)
        job.done = 0
    if not meeting_ids:
        with write_transaction():
            job = db.session.get(ExportJob, job_id)
            job.status = DONE
            job.finished_at = clock.now()
        return

    folder = export_dir()
    folder.mkdir(parents=True, exist_ok=True)
    final = folder / f"{job_id}.zip"
    partial = folder / f"{job_id}.{os.getpid()}.zip.part"  # a second taker never writes into the first's
    for stale in folder.glob(f"{job_id}.*.zip.part"):  # a silent worker's, left where it stopped
        stale.unlink(missing_ok=True)
    try:
        with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for meeting_id in meeting_ids:
                first = load_meeting(meeting_id)
                if first is None:
                    raise LookupError(f"meeting {meeting_id} is gone")
                for key in meeting_documents(first):
                    meeting = load_meeting(meeting_id)
                    if meeting is None:
                        raise LookupError(f"meeting {meeting_id} is gone")
                    archive.writestr(file_name(meeting, key), render_document(meeting, key))
                    _count_one(job_id, worker)
                    # The editable Word copy beside the PDF (SPEC 7).
                    archive.writestr(file_name(meeting, key, "docx"), render_docx(meeting, key))
                    _count_one(job_id, worker)
            organization = db.session.get(Organization, organization_id)
            if organization is None:
                raise LookupError(f"organization {organization_id} is gone")
            for name, render in decision_files(organization, year):
                archive.writestr(name, render())
                _count_one(job_id, worker)
        with write_transaction():
            jobs.lock_job(job_id)
            if not jobs.still_ours(job_id, worker):
                raise JobTaken(job_id)
            os.replace(partial, final)
            job = db.session.get(ExportJob, job_id)
            job.status = DONE
            job.file_path = str(final)
            job.finished_at = clock.now()
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


class JobTaken(Exception):
    """Another worker took the job up (this one fell silent past the lease): this one stops."""


def _count_one(job_id: int, worker: str) -> None:
    """Count one more file written into the job's ZIP, in its own short transaction (a heartbeat)."""
    with write_transaction():
        jobs.lock_job(job_id)
        if not jobs.still_ours(job_id, worker):
            raise JobTaken(job_id)
        job = db.session.get(ExportJob, job_id)
        job.done += 1
        jobs.beat(job_id)


def progress(job: ExportJob) -> dict[str, object]:
    """Return the job's progress as the status page's script reads it."""
    return {
        "id": job.id,
        "status": job.status,
        "status_label": _(STATUS_LABELS[job.status]),
        "done": job.done,
        "total": job.total,
        "finished": job.status in FINISHED,
        "text": progress_text(job),
    }


def no_sealed_text(year: int) -> str:
    """Return, in the request's language, that no cell sealed its results in ``year``."""
    return _("Năm %(year)d chưa có chi bộ nào niêm phong kết quả: không có tài liệu để tải.", year=year)


def progress_text(job: ExportJob) -> str:
    """Return the progress in words, e.g. 'Đã tạo 2/4 tài liệu.', in the request's language.

    Called by the requests that show the progress (the page, its JSON), never by the worker:
    the ZIP's contents stay Vietnamese whatever the language of the page.
    """
    if job.status == FAILED:
        return _("Không tạo được tệp ZIP. Vui lòng thử lại.")
    if job.status == DONE and job.total == 0:
        return no_sealed_text(job.year)
    if job.status == DONE:
        return _("Đã tạo xong %(done)d/%(total)d tài liệu.", done=job.done, total=job.total)
    if job.status == QUEUED:
        return _("Đang chờ bắt đầu…")
    return _("Đã tạo %(done)d/%(total)d tài liệu…", done=job.done, total=job.total)
