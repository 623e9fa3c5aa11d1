"""Helpers the test files share: the backends, throwaway PostgreSQL databases, forms, signing in.

Fixtures live in conftest.py; everything a test file imports by name lives here.
"""

from __future__ import annotations

import json
import os
import re
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

PROJECT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
SEED = PROJECT / "review" / "data" / "thuong-thanh-2020.json"
# The seed ward's second cell (SPEC 11's example, shipped for the demo): with the seed, the
# organisation is within its quota (tests/data/ward-thuong-thanh-2020/summary.json).
SECOND_CELL_FILE = PROJECT / "review" / "data" / "chi-bo-to-dan-pho-3-2020.json"
PASSWORD = "mật-khẩu-đủ-dài"

# The administrative connection to the PostgreSQL server; the suite creates and drops
# its own databases there. bin/test makes sure a server is reachable.
POSTGRES_ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")

ALL_BACKENDS = ("sqlite", "postgresql")


def backends(value: str | None) -> tuple[str, ...]:
    """Return the backends named in REVIEW_TEST_BACKENDS ("sqlite", "postgresql", both with a comma); unset: both."""
    if not value or value.strip() in ("all", "both"):
        return ALL_BACKENDS
    named = tuple(dict.fromkeys(name.strip() for name in value.split(",") if name.strip()))
    unknown = [name for name in named if name not in ALL_BACKENDS]
    if unknown or not named:
        raise pytest.UsageError(f"REVIEW_TEST_BACKENDS={value!r}: name sqlite, postgresql or both")
    return named


# The backends every database test runs on (bin/test --backend sqlite runs SQLite alone).
BACKENDS = backends(os.environ.get("REVIEW_TEST_BACKENDS"))

# A test that needs PostgreSQL whatever its parameters.
postgresql_only = pytest.mark.skipif(
    "postgresql" not in BACKENDS, reason="PostgreSQL is not among REVIEW_TEST_BACKENDS"
)


def create_postgres_database(prefix: str) -> str:
    """Create an empty PostgreSQL database and return its URL (named by process: one per xdist worker)."""
    name = f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(POSTGRES_ADMIN_URL).set(database=name).render_as_string(hide_password=False)


def drop_postgres_database(url: str) -> None:
    """Drop a database made by :func:`create_postgres_database`."""
    name = make_url(url).database
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


CSRF_INPUT = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token(client, url: str) -> str:  # type: ignore[no-untyped-def]
    """Return the CSRF token of the form on the page at ``url``."""
    page = client.get(url)
    match = CSRF_INPUT.search(page.get_data(as_text=True))
    assert match, f"no CSRF token in the form at {url}"
    return match.group(1)


VERSION_INPUT = re.compile(
    r'<input[^>]*name="version"[^>]*value="([^"]*)"|<input[^>]*value="([^"]*)"[^>]*name="version"'
)


def form_values(client, url: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Return the hidden values a form on the page at ``url`` posts back: its CSRF token and its version."""
    page = client.get(url).get_data(as_text=True)
    match = CSRF_INPUT.search(page)
    assert match, f"no CSRF token in the form at {url}"
    values = {"csrf_token": match.group(1)}
    version = VERSION_INPUT.search(page)
    if version is not None:
        values["version"] = version.group(1) or version.group(2) or ""
    return values


def sign_in(  # type: ignore[no-untyped-def]
    client,
    username: str,
    password: str = PASSWORD,
    *,
    remember: bool = False,
    next_url: str | None = None,
    address: str | None = None,
    headers: dict[str, str] | None = None,
):
    """Post the sign-in form with the test client (from ``address``, if given); return the response."""
    data = {"csrf_token": csrf_token(client, "/auth/login"), "username": username, "password": password}
    if remember:
        data["remember"] = "y"
    url = "/auth/login" + (f"?next={next_url}" if next_url else "")
    extra = {"environ_base": {"REMOTE_ADDR": address}} if address is not None else {}
    return client.post(url, data=data, headers=headers or {}, **extra)


def signed_in(app, username: str, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    """Return a new test client signed in as ``username`` (one client per person)."""
    client = app.test_client()
    response = sign_in(client, username, password)
    assert response.status_code == 302, (username, response.get_data(as_text=True))
    return client


def sign_out(client) -> None:  # type: ignore[no-untyped-def]
    """Sign the test client out through the form on the home page."""
    assert client.post("/auth/logout", data={"csrf_token": csrf_token(client, "/")}).status_code == 302


def write_2021_copy(seed_path: Path, tmp_path: Path) -> Path:
    """Write the seed a year later and without its ballot: a meeting still being recorded."""
    data = json.loads(seed_path.read_text(encoding="utf-8"))
    del data["ballot"]
    data["year"] = 2021
    for key in ("starts_at", "ends_at"):
        data["meeting"][key] = "2021" + data["meeting"][key][4:]
    path = tmp_path / "2021.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def one_account_per_kind(  # type: ignore[no-untyped-def]
    app, make_user, *, organization_id: int, cell_id: int, meeting_id: int, counter_member_id: int, code_member_id: int
) -> str:
    """Create one account per kind of user of a cell, return a one-time code of its meeting.

    quantri (admin), danguy (the organisation's ward), bithu (the cell's secretary), kiemphieu (a
    counter with an account of its own, linked to ``counter_member_id``); the code is issued to
    ``code_member_id``. The members must sit on the meeting's committee.
    """
    from review.counting import issue_code
    from review.database import write_transaction
    from review.extensions import db
    from review.models import Meeting, User

    make_user("quantri", "admin")
    make_user("danguy", "ward", organization_id=organization_id)
    make_user("bithu", "secretary", cell_id=cell_id)
    counter = make_user("kiemphieu", "counter", cell_id=cell_id)
    with app.app_context():
        db.session.get(User, counter).member_id = counter_member_id
        db.session.commit()
        with write_transaction():
            return issue_code(db.session.get(Meeting, meeting_id), code_member_id)


# What the seed meeting's minutes say, whichever writer printed them (tests/test_reports.py, tests/test_docx.py).
SEED_MINUTES_PHRASES = (
    "BIÊN BẢN",
    "I- THỜI GIAN, ĐỊA ĐIỂM, THÀNH PHẦN",
    "II- NỘI DUNG",
    "III- BẾ MẠC",
    "Hội nghị bắt đầu lúc 14 giờ 00 phút",
    "Kiểm điểm tập thể chi bộ",
    "Kiểm điểm tập thể chi ủy",
    "Tự đánh giá",
    "Chi bộ đề nghị",
    "10/10 đồng chí có mặt nhất trí thông qua",
    "Hội nghị kết thúc lúc 17 giờ 00 phút",
    "THƯ KÝ HỘI NGHỊ",
    "CHỦ TRÌ HỘI NGHỊ",
)
