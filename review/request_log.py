"""One JSON line per request on the ``review.requests`` logger: what a server's operators read.

Each line has the time (UTC), the method, the route's pattern (``/meetings/<int:meeting_id>/tally``,
never the address itself, which may hold a set-password token), the endpoint, the status, the
duration in milliseconds and the signed-in account's id (``null`` when none). No query string, no
form field, no name: nothing personal. ``REQUEST_LOG`` (``REVIEW_REQUEST_LOG``) turns it on or off;
it is on by default outside the tests. The lines go to standard error, which gunicorn and systemd
(journald) or the container engine collect.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from datetime import UTC, datetime

from flask import Flask, Response, g, request
from flask_login import current_user

LOGGER = "review.requests"


def request_line(response: Response, started: float) -> dict[str, object]:
    """Return the log entry of the request being answered with ``response``."""
    rule = request.url_rule
    user_id = current_user.get_id().split(":", 1)[0] if current_user and current_user.is_authenticated else None
    return {
        "time": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "method": request.method,
        "route": rule.rule if rule is not None else None,
        "endpoint": request.endpoint,
        "status": response.status_code,
        "duration_ms": round((time.perf_counter() - started) * 1000, 1),
        "user_id": int(user_id) if user_id is not None and user_id.isdigit() else None,
    }


def register_request_log(app: Flask) -> None:
    """Log every request as one JSON line when ``REQUEST_LOG`` is set."""
    if not app.config.get("REQUEST_LOG"):
        return
    logger = logging.getLogger(LOGGER)
    if not logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False

    @app.before_request
    def start_clock() -> None:
        g.request_started = time.perf_counter()

    @app.after_request
    def log_request(response: Response) -> Response:
        started = g.get("request_started")
        if started is not None:
            logger.info(json.dumps(request_line(response, started), ensure_ascii=True))
        return response
