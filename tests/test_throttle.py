"""Sign-in throttling: per account and per address, for passwords and one-time codes, in the database.

The clock is injected through ``REVIEW_CLOCK``: no test sleeps.
"""

from __future__ import annotations

import html
import json
import re
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from review import create_app
from review.counting import issue_code, set_committee
from review.database import write_transaction
from review.extensions import db
from review.models import LoginFailure, Meeting, User

from conftest import csrf_token

START = datetime(2026, 11, 28, 20, 0, 0)
REFUSED = "Đăng nhập sai quá nhiều lần"
WRONG = "Tên đăng nhập hoặc mật khẩu không đúng."
PASSWORD = "mật-khẩu-đủ-dài"


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.moment = START

    def __call__(self) -> datetime:
        return self.moment

    def advance(self, **delta: float) -> None:
        self.moment += timedelta(**delta)


@pytest.fixture
def clock(app) -> Clock:  # type: ignore[no-untyped-def]
    clock = Clock()
    app.config["REVIEW_CLOCK"] = clock
    return clock


def sign_in(client, username: str, password: str, address: str = "192.0.2.1", headers=None):  # type: ignore[no-untyped-def]
    """Post the sign-in form from ``address``."""
    token = csrf_token(client, "/auth/login")
    return client.post(
        "/auth/login",
        data={"csrf_token": token, "username": username, "password": password},
        environ_base={"REMOTE_ADDR": address},
        headers=headers or {},
    )


def page(response) -> str:  # type: ignore[no-untyped-def]
    return html.unescape(response.get_data(as_text=True))


def without_token(body: str) -> str:
    return re.sub(r'name="csrf_token"[^>]*>', "", body)


def sign_out(client) -> None:  # type: ignore[no-untyped-def]
    token = csrf_token(client, "/")
    assert client.post("/auth/logout", data={"csrf_token": token}).status_code == 302


def failures(app, **where: str | None) -> int:  # type: ignore[no-untyped-def]
    with app.app_context():
        query = select(func.count()).select_from(LoginFailure)
        for column, value in where.items():
            query = query.where(getattr(LoginFailure, column) == value)
        return db.session.scalar(query)


def test_five_failures_lock_the_account_even_for_the_right_password(app, client, make_user, clock):
    make_user("bithu", "admin")
    for _ in range(5):
        response = sign_in(client, "bithu", "sai mật khẩu")
        assert response.status_code == 422 and WRONG in page(response)
        clock.advance(seconds=30)
    refused = sign_in(client, "bithu", PASSWORD)
    assert refused.status_code == 429
    body = page(refused)
    assert REFUSED in body and "thử lại sau khoảng 13 phút" in body  # the first failure ages out at 15 min
    assert 'value="bithu"' in body  # what the user typed is kept
    assert 0 < int(refused.headers["Retry-After"]) <= 15 * 60
    assert client.get("/").status_code == 302  # not signed in


def test_the_lock_ends_on_its_own_and_refused_tries_do_not_extend_it(app, client, make_user, clock):
    make_user("bithu", "admin")
    for _ in range(5):
        sign_in(client, "bithu", "sai")
    for _ in range(10):  # hammering during the lock is neither checked nor counted
        clock.advance(minutes=1)
        assert sign_in(client, "bithu", PASSWORD).status_code == 429
    assert failures(app, account="bithu") == 5
    clock.advance(minutes=4, seconds=59)
    assert sign_in(client, "bithu", PASSWORD).status_code == 429
    clock.advance(seconds=2)
    assert sign_in(client, "bithu", PASSWORD).status_code == 302


def test_a_locked_unknown_account_looks_like_a_locked_real_one(app, client, make_user, clock):
    make_user("bithu", "admin")
    answers = {}
    for username in ("bithu", "khong-co-ai"):
        for _ in range(5):
            wrong = sign_in(client, username, "sai")
            assert wrong.status_code == 422 and WRONG in page(wrong)
        refused = sign_in(client, username, PASSWORD)
        answers[username] = (refused.status_code, refused.headers["Retry-After"], without_token(page(refused)).replace(username, "X"))
    assert answers["bithu"] == answers["khong-co-ai"]


def test_success_clears_the_accounts_failures(app, client, make_user, clock):
    make_user("bithu", "admin")
    for _ in range(4):
        sign_in(client, "bithu", "sai")
    assert failures(app, account="bithu") == 4
    assert sign_in(client, "bithu", PASSWORD).status_code == 302
    assert failures(app, account="bithu") == 0
    sign_out(client)
    for _ in range(4):
        assert sign_in(client, "bithu", "sai").status_code == 422
    assert sign_in(client, "bithu", PASSWORD).status_code == 302


def test_failures_from_other_accounts_do_not_lock_this_one(app, client, make_user, clock):
    make_user("bithu", "admin")
    for _ in range(5):
        sign_in(client, "nguoi-khac", "sai")
    assert sign_in(client, "nguoi-khac", "sai").status_code == 429
    assert sign_in(client, "bithu", PASSWORD).status_code == 302


def test_twenty_failures_from_one_address_lock_it_for_every_account(app, client, make_user, clock):
    make_user("bithu", "admin")
    for i in range(20):
        assert sign_in(client, f"doan-{i}", "sai", address="198.51.100.7").status_code == 422
    refused = sign_in(client, "bithu", PASSWORD, address="198.51.100.7")
    assert refused.status_code == 429 and REFUSED in page(refused)
    # Another address is not held back, and the account itself has no failure.
    assert sign_in(client, "bithu", PASSWORD, address="198.51.100.8").status_code == 302
    sign_out(client)
    clock.advance(minutes=15, seconds=1)
    assert sign_in(client, "bithu", PASSWORD, address="198.51.100.7").status_code == 302


def test_failures_are_kept_in_the_database_for_every_server_process(app, client, make_user, clock, database_url):
    make_user("bithu", "admin")
    for _ in range(5):
        sign_in(client, "bithu", "sai")
    other = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url, "REVIEW_CLOCK": clock})
    other_client = other.test_client()
    assert sign_in(other_client, "bithu", PASSWORD, address="203.0.113.9").status_code == 429
    with other.app_context():
        db.engine.dispose()


def test_old_failures_are_forgotten(app, client, clock):
    for _ in range(3):
        sign_in(client, "ai-do", "sai")
    clock.advance(minutes=16)
    sign_in(client, "nguoi-khac", "sai")
    assert failures(app, account="ai-do") == 0 and failures(app) == 1


def test_the_address_is_the_connections_unless_proxies_are_configured(app, client, make_user, clock, database_url):
    make_user("bithu", "admin")
    # Without REVIEW_PROXY_COUNT a forged X-Forwarded-For changes nothing.
    for i in range(20):
        sign_in(client, f"doan-{i}", "sai", address="198.51.100.7", headers={"X-Forwarded-For": f"10.0.0.{i}"})
    assert failures(app, address="198.51.100.7") == 20
    assert sign_in(client, "bithu", PASSWORD, address="198.51.100.7", headers={"X-Forwarded-For": "10.9.9.9"}).status_code == 429
    # Behind one proxy, the address is the one the proxy reports.
    proxied = create_app({
        "TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url, "REVIEW_CLOCK": clock, "REVIEW_PROXY_COUNT": 1,
    })
    proxied_client = proxied.test_client()
    response = sign_in(proxied_client, "ai-do", "sai", address="198.51.100.7", headers={"X-Forwarded-For": "10.1.2.3"})
    assert response.status_code == 422
    with proxied.app_context():
        assert db.session.scalar(select(LoginFailure.address).where(LoginFailure.account == "ai-do")) == "10.1.2.3"
        db.engine.dispose()


@pytest.fixture
def code_meeting(app, runner, seed_path, tmp_path) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """Import the seed without its ballot (a meeting still to count) with a committee; return ids."""
    data = json.loads(seed_path.read_text(encoding="utf-8"))
    del data["ballot"]
    path = tmp_path / "to-count.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    assert runner.invoke(args=["meeting", "import", str(path)]).exit_code == 0
    with app.app_context():
        meeting = db.session.scalar(select(Meeting))
        members = {m.code: m.id for m in meeting.cell.members}
        set_committee(meeting, [members["m06"], members["m07"], members["m08"]], members["m06"])
        db.session.commit()
        return {"meeting": meeting.id, "member": members["m07"]}


def new_code(app, ids: dict[str, int]) -> str:  # type: ignore[no-untyped-def]
    with app.app_context():
        with write_transaction():
            return issue_code(db.session.get(Meeting, ids["meeting"]), ids["member"])


def code_sign_in(client, code: str, address: str = "192.0.2.1"):  # type: ignore[no-untyped-def]
    token = csrf_token(client, "/code")
    return client.post("/code", data={"csrf_token": token, "code": code}, environ_base={"REMOTE_ADDR": address})


def test_wrong_codes_lock_the_address_out_of_code_sign_in(app, client, code_meeting, clock):
    code = new_code(app, code_meeting)
    for _ in range(20):
        assert code_sign_in(client, "ABCD-EFGH", address="198.51.100.7").status_code == 422
    assert failures(app, kind="code", address="198.51.100.7") == 20
    refused = code_sign_in(client, code, address="198.51.100.7")
    assert refused.status_code == 429 and REFUSED in page(refused) and "Retry-After" in refused.headers
    with app.app_context():  # the right code was not even tried: still unused
        assert db.session.scalar(select(func.count()).select_from(User).where(User.meeting_id.isnot(None))) == 0
    # The password page from that address is locked too: the guesses were made from there.
    assert sign_in(client, "bithu", PASSWORD, address="198.51.100.7").status_code == 429
    # Another address signs in with the code.
    response = code_sign_in(client, code, address="198.51.100.8")
    assert response.status_code == 302 and f"/meetings/{code_meeting['meeting']}/tally" in response.headers["Location"]


def test_a_code_counter_sign_in_does_not_count_as_a_failure(app, client, code_meeting, clock):
    code = new_code(app, code_meeting)
    assert code_sign_in(client, code).status_code == 302
    assert failures(app) == 0



def test_parallel_guesses_are_all_counted(app, make_user, clock):
    """Ten guesses at once for one account: five are checked and fail, the other five are refused."""
    import threading

    make_user("bithu", "admin")
    clients = [app.test_client() for _ in range(10)]
    tokens = [csrf_token(c, "/auth/login") for c in clients]
    barrier = threading.Barrier(len(clients))
    statuses: list[int] = []

    def guess(i: int) -> None:
        barrier.wait()
        response = clients[i].post(
            "/auth/login",
            data={"csrf_token": tokens[i], "username": "bithu", "password": f"sai-{i}"},
            environ_base={"REMOTE_ADDR": f"198.51.100.{i}"},
        )
        statuses.append(response.status_code)

    threads = [threading.Thread(target=guess, args=(i,)) for i in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(statuses) == [422] * 5 + [429] * 5
    assert failures(app, account="bithu") == 5
