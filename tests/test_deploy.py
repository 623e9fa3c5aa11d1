"""The deployment recipe (deploy/), run on this machine without containers, all on loopback.

PostgreSQL (a database of its own, migrated with ``flask db upgrade``), gunicorn with
deploy/gunicorn.conf.py, a worker (``flask --app review worker``) and Debian's nginx with
deploy/nginx-party-review.conf in front, over HTTPS with a self-signed certificate. The only
changes made to the recipe's files are the machine's own: ports, paths, the certificate, the
server's name. Through nginx: /healthz, a ward committee signs in, has the worker build its ZIP,
downloads it; static files come from nginx itself; a body over the limit is refused by nginx.
``nginx -t`` checks the site and ``systemd-analyze verify`` the units; the container image is
built where a container engine runs (README says when it was not).
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import shutil
import socket
import ssl
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from helpers import SEED, backends, create_postgres_database, drop_postgres_database

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
PASSWORD = "mật-khẩu-triển-khai"
VENV_BIN = Path(sys.executable).parent

pytestmark = pytest.mark.skipif("postgresql" not in backends(None), reason="the recipe runs on PostgreSQL")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for_port(port: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise AssertionError(f"nothing listens on {port}")


def static_folder() -> Path:
    import review

    return Path(review.__file__).resolve().parent / "static"


def site_config(http_port: int, https_port: int, app_port: int, certificate: Path, key: Path) -> str:
    """Return deploy/nginx-party-review.conf with this machine's ports, paths and certificate."""
    site = (DEPLOY / "nginx-party-review.conf").read_text(encoding="utf-8")
    replacements = [
        ("server 127.0.0.1:8000", f"server 127.0.0.1:{app_port}"),
        ("    listen [::]:80;\n", ""),
        ("    listen [::]:443 ssl http2;\n", ""),
        ("listen 80;", f"listen 127.0.0.1:{http_port};"),
        ("listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;"),
        ("return 301 https://$host$request_uri;", f"return 301 https://$host:{https_port}$request_uri;"),
        ("server_name kiemdiem.example.vn;", "server_name localhost;"),
        ("/etc/ssl/party-review/fullchain.pem", str(certificate)),
        ("/etc/ssl/party-review/privkey.pem", str(key)),
        ("alias /opt/party-review/static/;", f"alias {static_folder()}/;"),
        # The test's HTTPS port is not 443: the host the browser names carries it ($http_host).
        ("proxy_set_header Host $host;", "proxy_set_header Host $http_host;"),
        ("proxy_set_header X-Forwarded-Host $host;", "proxy_set_header X-Forwarded-Host $http_host;"),
    ]
    for old, new in replacements:
        assert old in site, f"deploy/nginx-party-review.conf no longer has {old!r}: update this test"
        site = site.replace(old, new)
    return site


def nginx_main(prefix: Path, site: Path) -> str:
    """The main nginx.conf around the site: everything under ``prefix``, in the foreground."""
    return f"""
user root;
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log;
events {{ worker_connections 64; }}
http {{
    include /etc/nginx/mime.types;
    access_log {prefix}/access.log;
    client_body_temp_path {prefix}/body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    include {site};
}}
"""


def flask(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "review", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )


class Browser:
    """A cookie-keeping HTTPS client that trusts the test's certificate only."""

    def __init__(self, base: str, certificate: Path) -> None:
        self.base = base
        context = ssl.create_default_context(cafile=str(certificate))
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPSHandler(context=context), urllib.request.HTTPCookieProcessor(self.cookies)
        )

    def open(self, path: str, data: dict[str, str] | bytes | None = None, **headers: str):  # type: ignore[no-untyped-def]
        body = urllib.parse.urlencode(data).encode() if isinstance(data, dict) else data
        if body is not None:  # as a browser does: CSRF's strict check on HTTPS wants the page it came from
            headers.setdefault("Referer", self.base + "/")
        request = urllib.request.Request(self.base + path, data=body, headers=headers)
        try:
            return self.opener.open(request, timeout=60)
        except urllib.error.HTTPError as error:
            return error

    def token(self, path: str) -> str:
        page = self.open(path).read().decode()
        return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


@pytest.fixture
def recipe(tmp_path: Path) -> Iterator[dict[str, object]]:
    """Start PostgreSQL's database, gunicorn, a worker and nginx from deploy/; stop them after."""
    if shutil.which("nginx") is None and not Path("/usr/sbin/nginx").exists():
        pytest.fail("Debian's nginx is missing: bin/test installs it")
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    database = create_postgres_database("review_deploy")
    processes: list[subprocess.Popen[bytes]] = []
    app_port, http_port, https_port = free_port(), free_port(), free_port()
    instance = tmp_path / "instance"
    env = os.environ | {
        "DATABASE_URL": database,
        "SECRET_KEY": "deploy-test-secret-key-0123456789abcdef",
        "REVIEW_INSTANCE_PATH": str(instance),
        "EXPORT_DIR": str(tmp_path / "shared-exports"),
        "REVIEW_BASE_URL": f"https://localhost:{https_port}",
        "REVIEW_PROXY_COUNT": "1",
        "REVIEW_JOB_RUNNER": "worker",
        "REVIEW_BIND": f"127.0.0.1:{app_port}",
        "REVIEW_WEB_WORKERS": "2",
        "REVIEW_PASSWORD": PASSWORD,
        "PYTHONPATH": str(ROOT),
    }
    env.pop("REVIEW_ENV", None)
    env.pop("FLASK_DEBUG", None)
    try:
        for command in (
            ("db", "upgrade"),
            ("meeting", "import", str(SEED)),
            ("user", "create", "danguy", "--role", "ward", "--organization", "1", "--name", "Đảng ủy"),
        ):
            result = flask(env, *command)
            assert result.returncode == 0, result.stdout + result.stderr
        certificate, key = tmp_path / "cert.pem", tmp_path / "key.pem"
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
             "-addext", "subjectAltName=DNS:localhost", "-keyout", str(key), "-out", str(certificate)],
            check=True, capture_output=True,
        )  # fmt: skip
        prefix = tmp_path / "nginx"
        for folder in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (prefix / folder).mkdir(parents=True)
        site = prefix / "party-review.conf"
        site.write_text(site_config(http_port, https_port, app_port, certificate, key), encoding="utf-8")
        main = prefix / "nginx.conf"
        main.write_text(nginx_main(prefix, site), encoding="utf-8")
        checked = subprocess.run([nginx, "-t", "-p", str(prefix), "-c", str(main)], capture_output=True, text=True)
        assert checked.returncode == 0, checked.stderr

        web_log = (tmp_path / "web.log").open("wb")
        processes.append(
            subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "-c", str(DEPLOY / "gunicorn.conf.py"), "review:create_app()"],
                cwd=ROOT, env=env, stdout=web_log, stderr=subprocess.STDOUT,
            )
        )  # fmt: skip
        worker_log = (tmp_path / "worker.log").open("wb")
        processes.append(
            subprocess.Popen(
                [sys.executable, "-m", "flask", "--app", "review", "worker", "--poll", "0.2"],
                cwd=ROOT, env=env, stdout=worker_log, stderr=subprocess.STDOUT,
            )
        )  # fmt: skip
        processes.append(
            subprocess.Popen([nginx, "-p", str(prefix), "-c", str(main), "-g", "daemon off;"], stderr=subprocess.PIPE)
        )
        wait_for_port(app_port)
        wait_for_port(https_port)
        yield {
            "base": f"https://localhost:{https_port}",
            "http": f"http://127.0.0.1:{http_port}",
            "certificate": certificate,
            "web_log": tmp_path / "web.log",
            "worker_log": tmp_path / "worker.log",
        }
    finally:
        for process in reversed(processes):
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        drop_postgres_database(database)


def test_the_recipe_serves_through_nginx_and_the_worker_builds_the_zip(recipe):
    browser = Browser(str(recipe["base"]), recipe["certificate"])  # type: ignore[arg-type]

    health = browser.open("/healthz")
    assert health.status == 200 and json.loads(health.read()) == {
        "status": "ok",
        "database": "reachable",
        "migrations": "current",
    }
    # Plain HTTP is sent to HTTPS.
    redirect = subprocess.run(
        ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code} %{redirect_url}", str(recipe["http"]) + "/auth/login"],
        capture_output=True, text=True,
    )  # fmt: skip
    code, location = redirect.stdout.split(" ", 1)
    assert code == "301" and location.startswith("https://127.0.0.1:") and location.endswith("/auth/login")

    # Static files are nginx's own: no application header on them.
    css = browser.open("/static/css/app.css")
    assert (
        css.status == 200 and css.headers["Server"].startswith("nginx") and "Content-Security-Policy" not in css.headers
    )

    # Sign in; the session cookie is Secure and the application saw HTTPS through X-Forwarded-Proto.
    answer = browser.open(
        "/auth/login", {"csrf_token": browser.token("/auth/login"), "username": "danguy", "password": PASSWORD}
    )
    assert answer.status == 200 and answer.url == str(recipe["base"]) + "/"
    assert all(cookie.secure for cookie in browser.cookies)
    dashboard = browser.open("/organizations/1").read().decode()
    assert "Chi bộ Trường Mầm non Thượng Thanh" in dashboard

    # The ZIP: queued by the web, built by the worker, downloaded through nginx.
    token = re.search(r'action="/organizations/1/exports".*?name="csrf_token"[^>]*value="([^"]+)"', dashboard, re.S)
    started = browser.open("/organizations/1/exports", {"csrf_token": token.group(1), "year": "2020"})
    job_path = urllib.parse.urlsplit(started.url).path
    assert re.fullmatch(r"/exports/\d+", job_path), started.url
    deadline = time.monotonic() + 180
    progress: dict[str, object] = {}
    while time.monotonic() < deadline:
        progress = json.loads(browser.open(job_path + ".json").read())
        if progress["finished"]:
            break
        time.sleep(0.5)
    assert progress.get("status") == "done", progress
    download = browser.open(str(progress["download_url"]))
    assert download.status == 200 and download.headers["Content-Type"] == "application/zip"
    archive = Path(str(recipe["web_log"])).parent / "download.zip"
    archive.write_bytes(download.read())
    with zipfile.ZipFile(archive) as files:
        names = files.namelist()
        assert (
            files.testzip() is None and any(name.endswith(".pdf") for name in names) and len(names) == progress["total"]
        )
    worker_log = Path(str(recipe["worker_log"])).read_text(encoding="utf-8", errors="replace")
    assert "runs job" in worker_log

    # nginx refuses a body over the limit before it reaches the application.
    big = browser.open("/auth/login", b"x" * (9 * 1024 * 1024), **{"Content-Type": "application/octet-stream"})
    assert big.status == 413 and "nginx" in big.read().decode().lower()

    # The request log: JSON lines with the route's pattern, from behind the proxy.
    lines = [json.loads(line) for line in Path(str(recipe["web_log"])).read_text().splitlines() if line.startswith("{")]
    assert any(line["route"] == "/exports/<int:job_id>/download" and line["status"] == 200 for line in lines)


def test_the_systemd_units_verify(tmp_path):
    """``systemd-analyze verify`` on the units, with their paths made this machine's."""
    if shutil.which("systemd-analyze") is None:
        pytest.fail("systemd-analyze is missing (Debian's systemd package)")
    folder = tmp_path / "units"
    folder.mkdir()
    for unit in DEPLOY.glob("*.service"):
        text = unit.read_text(encoding="utf-8").replace("/opt/party-review/venv/bin", str(VENV_BIN))
        text = text.replace("/opt/party-review/deploy", str(DEPLOY)).replace("User=party-review", "User=root")
        text = text.replace("Group=party-review", "Group=root").replace(
            "/etc/party-review/env", "-/etc/party-review/env"
        )
        (folder / unit.name).write_text(text, encoding="utf-8")
    units = sorted(str(path) for path in folder.glob("*.service"))
    assert len(units) == 2
    checked = subprocess.run(["systemd-analyze", "verify", *units], capture_output=True, text=True)
    problems = [
        line
        for line in (checked.stdout + checked.stderr).splitlines()
        if line.strip() and "party-review" in line and "Documentation" not in line
    ]
    assert checked.returncode == 0 and not problems, checked.stdout + checked.stderr


def test_the_container_image_builds_where_an_engine_runs(tmp_path):
    engine = next((name for name in ("podman", "docker") if shutil.which(name)), None)
    if engine is None or subprocess.run([engine, "info"], capture_output=True).returncode != 0:
        pytest.skip("no container engine runs here: the image build is not checked (README says so)")
    built = subprocess.run(
        [engine, "build", "-f", str(DEPLOY / "Containerfile"), "-t", "party-review-test", str(ROOT)],
        capture_output=True, text=True, timeout=1200,
    )  # fmt: skip
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
