"""A bounded load test: gunicorn on loopback, a fixed number of requests, then it stops.

gunicorn (the optional ``bench`` extra) serves ``review:create_app()`` on 127.0.0.1 with
2 workers x 4 threads (gthread) on a SQLite file. One administrator signs in once through
the sign-in form; then ``concurrency`` client threads share that session and request the
main pages in turn until ``requests`` answers have come back. Any answer other than 200,
and any connection error or timeout, counts as an error.
"""

from __future__ import annotations

import http.client
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
WORKERS, THREADS = 2, 4
PHASES = ((16, 400), (100, 300))  # (clients at once, requests): a few hundred, then it stops
TIMEOUT = 30


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def request(
    port: int, method: str, path: str, cookie: str = "", body: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    """Send one request; return the status, the headers (lower-case names) and the body."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
    headers = {"Cookie": cookie} if cookie else {}
    data = None
    if body is not None:
        data = urlencode(body).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    try:
        connection.request(method, path, body=data, headers=headers)
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def session_cookie(headers: dict[str, str]) -> str:
    raw = headers.get("set-cookie", "")
    match = re.search(r"(session=[^;]+)", raw)
    return match.group(1) if match else ""


def sign_in(port: int, username: str, password: str) -> str:
    """Sign in through the form; return the session cookie."""
    status, headers, body = request(port, "GET", "/auth/login")
    token = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', body)
    assert status == 200 and token, status
    cookie = session_cookie(headers)
    status, headers, _ = request(
        port,
        "POST",
        "/auth/login",
        cookie,
        {"csrf_token": token.group(1).decode(), "username": username, "password": password},
    )
    assert status == 302, status
    return session_cookie(headers) or cookie


def wait_until_up(port: int, process: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}")
        try:
            request(port, "GET", "/auth/login")
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("gunicorn did not answer in time")


def phase(port: int, cookie: str, paths: list[str], concurrency: int, total: int) -> dict[str, Any]:
    """Run ``total`` requests from ``concurrency`` threads; return throughput and latency."""
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    issued = iter(range(total))

    def client() -> None:
        while True:
            with lock:
                n = next(issued, None)
            if n is None:
                return
            path = paths[n % len(paths)]
            started = time.perf_counter()
            try:
                status, _, _ = request(port, "GET", path, cookie)
                problem = None if status == 200 else f"{status} {path}"
            except Exception as exc:  # noqa: BLE001  (counted as an error, the run goes on)
                problem = f"{exc.__class__.__name__} {path}"
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                if problem:
                    errors.append(problem)

    threads = [threading.Thread(target=client) for _ in range(concurrency)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    ordered = sorted(latencies)

    def pct(share: float) -> float:
        return ordered[max(0, min(len(ordered) - 1, round(share * len(ordered) + 0.5) - 1))]

    return {
        "concurrency": concurrency,
        "requests": len(latencies),
        "errors": len(errors),
        "error_samples": errors[:5],
        "seconds": wall,
        "throughput": len(latencies) / wall,
        "p50": pct(0.5),
        "p90": pct(0.9),
        "p99": pct(0.99),
        "max": ordered[-1],
    }


def run_load(database_url: str, ids: dict[str, int], say: Callable[[str], None]) -> dict[str, Any]:
    """Serve the database with gunicorn, run the phases, stop the server; return the figures."""
    from review import create_app

    from .harness import PASSWORD, ensure_user

    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url})
    ensure_user(app, "bench-admin", "admin")
    port = free_port()
    env = dict(
        os.environ,
        DATABASE_URL=database_url,
        SECRET_KEY=secrets.token_hex(32),
        PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""),
    )
    gunicorn = Path(sys.executable).with_name("gunicorn")
    command = [
        str(gunicorn),
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(WORKERS),
        "--threads",
        str(THREADS),
        "--worker-class",
        "gthread",
        "--log-level",
        "warning",
        "--timeout",
        "60",
        "review:create_app()",
    ]
    # gunicorn's log (the request log included, as in production) goes to a file: a pipe nobody
    # reads fills up after a few hundred requests and blocks the workers writing to it.
    log = tempfile.TemporaryFile()  # noqa: SIM115  (closed in the finally below)
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log)
    try:
        wait_until_up(port, process)
        cookie = sign_in(port, "bench-admin", PASSWORD)
        m = ids["meeting"]
        paths = [
            f"/organizations/{ids['organization']}",
            f"/meetings/{m}/results",
            f"/meetings/{m}/reviews",
            f"/meetings/{m}/closing",
            "/province",
        ]
        for path in paths:  # every page answers before the clock starts
            status, _, _ = request(port, "GET", path, cookie)
            assert status == 200, (path, status)
        phases = []
        for concurrency, total in PHASES:
            figures = phase(port, cookie, paths, concurrency, total)
            phases.append(figures)
            say(
                f"  {concurrency} máy khách cùng lúc, {figures['requests']} yêu cầu: {figures['throughput']:.1f} yêu cầu/s, "
                f"p50 {figures['p50'] * 1000:.0f} ms, p99 {figures['p99'] * 1000:.0f} ms, lỗi {figures['errors']}"
                + (f" ({figures['error_samples']})" if figures["errors"] else "")
            )
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
    setup = (
        f"gunicorn {WORKERS} workers x {THREADS} threads (gthread) on 127.0.0.1, SQLite file, a ward of 30 cells"
        f" x 60 members; one signed-in administrator; clients cycle through {len(paths)} pages: the ward"
        " dashboard, the results page, the reviews list, the closing step and the province view."
    )
    return {"setup": setup, "phases": phases, "paths": paths}
