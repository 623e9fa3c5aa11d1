"""``flask --app review worker``: run the background jobs of the job table (review/jobs.py)."""

from __future__ import annotations

import logging
import sys

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import ngettext


@click.command("worker")
@click.option("--once", is_flag=True, help="Run the jobs waiting now, then stop (no waiting for new ones).")
@click.option("--poll", default=1.0, show_default=True, help="Seconds between two looks at an empty job table.")
@with_appcontext
def worker_command(once: bool, poll: float) -> None:
    """Claim and run background jobs (the ward's ZIP exports) until stopped (SIGTERM, Ctrl-C)."""
    from .jobs import run_worker
    from .ward.exports import run_export

    log = logging.getLogger("review.jobs")
    if not log.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        log.addHandler(handler)
        log.setLevel(logging.INFO)
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    ran = run_worker(app, lambda app, job_id, worker: run_export(app, job_id, worker), once=once, poll=poll)
    click.echo(ngettext("Đã chạy %(num)d việc.", "Đã chạy %(num)d việc.", ran))
