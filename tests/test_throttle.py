"""Sign-in throttling: per account and address together, for passwords and one-time codes, in the database.

The numbers (review/auth/throttle_rules.py): 5 failures for an account from one address; 20
for an account from every address (browsers without its known-device cookie); from 10
failures at one address a try waits 90 s after the latest, so no window holds more than 20.
The clock (``review.clock``) is moved by hand: no test sleeps.
"""

from __future__ import annotations

import html
import json
import re
from datetime import UTC, datetime, timedelta
from functools import partial

import pytest
from sqlalchemy import func, select

import review.clock
from review import create_app
from review.counting import issue_code, set_committee
from review.database import write_transaction
from review.extensions import db
from review.models import LoginFailure, Meeting, User

import helpers
from helpers import PASSWORD, csrf_token, sign_out

START = datetime(2026, 11, 28, 20, 0, 0)
REFUSED = "Đăng nhập sai quá nhiều lần"
SLOWED = "mỗi lần thử phải cách nhau một lúc"
WRONG = "Tên đăng nhập hoặc mật khẩu không đúng."


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.moment = START

    def __call__(self) -> datetime:
        return self.moment.replace(tzinfo=UTC)  # review.clock.instant: aware; the throttle keeps naive UTC

    def advance(self, **delta: float) -> None:
        self.moment += timedelta(**delta)


@pytest.fixture
def clock(app, monkeypatch) -> Clock:  # type: ignore[no-untyped-def]
    clock = Clock()
    monkeypatch.setattr(review.clock, "instant", clock)
    return clock


# The sign-in form posted from 192.0.2.1 unless the test names another address.
sign_in = partial(helpers.sign_in, address="192.0.2.1")


def known_browser(app, username: str, address: str = "192.0.2.50"):  # type: ignore[no-untyped-def]
    """Return a browser that signed in to ``username`` once (it holds the known-device cookie), signed out."""
    browser = app.test_client()
    assert sign_in(browser, username, PASSWORD, address=address).status_code == 302
    assert browser.get_cookie("known_device", path="/auth/") is not None
    browser.delete_cookie("session")
    browser.delete_cookie("remember_token")
    return browser


def page(response) -> str:  # type: ignore[no-untyped-def]
    return html.unescape(response.get_data(as_text=True))


def without_token(body: str) -> str:
    return re.sub(r'name="csrf_token"[^>]*>', "", body)


def failures(app, **where: str | None) -> int:  # type: ignore[no-untyped-def]
    with app.app_context():
        query = select(func.count()).select_from(LoginFailure)
        for column, value in where.items():
            query = query.where(getattr(LoginFailure, column) == value)
        return db.session.scalar(query)


def test_five_failures_lock_the_account_at_that_address_even_for_the_right_password(app, client, make_user, clock):
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


def test_the_owner_gets_in_from_another_address_while_an_attacker_fails_on_the_account(app, make_user, clock):
    make_user("bithu", "admin")
    attacker, owner = app.test_client(), app.test_client()
    for _ in range(5):
        assert sign_in(attacker, "bithu", "đoán", address="203.0.113.66").status_code == 422
        clock.advance(seconds=10)
    assert sign_in(attacker, "bithu", "đoán tiếp", address="203.0.113.66").status_code == 429
    # The owner, from an address without failures, is let through at once ...
    assert sign_in(owner, "bithu", PASSWORD, address="192.0.2.10").status_code == 302
    assert owner.get("/").status_code == 200
    # ... and that clears only the owner's pair: the attacker stays refused, not one guess more.
    assert sign_in(attacker, "bithu", PASSWORD, address="203.0.113.66").status_code == 429
    assert failures(app, account="bithu", address="203.0.113.66") == 5


def test_the_account_wide_ceiling_holds_spread_guessers_but_not_a_known_browser(app, make_user, clock):
    """20 failures from many addresses refuse unknown browsers everywhere; the owner's known browser gets in."""
    make_user("bithu", "admin")
    known = known_browser(app, "bithu")
    for i in range(20):  # four guesses from each of five addresses: under the pair's limit everywhere
        assert sign_in(app.test_client(), "bithu", f"đoán-{i}", address=f"203.0.113.{i // 4}").status_code == 422
    new_address = app.test_client()
    refused = sign_in(new_address, "bithu", PASSWORD, address="198.51.100.99")
    assert refused.status_code == 429 and REFUSED in page(refused)
    assert failures(app, account="bithu") == 20
    # The owner's browser that signed in before counts its own failures only, at any address.
    assert sign_in(known, "bithu", PASSWORD, address="198.51.100.99").status_code == 302
    # The same answers for an account that does not exist (no browser can be known to it).
    for i in range(20):
        sign_in(app.test_client(), "khong-co-ai", f"đoán-{i}", address=f"203.0.113.{i // 4}")
    ghost = sign_in(app.test_client(), "khong-co-ai", PASSWORD, address="198.51.100.99")
    assert ghost.status_code == 429 and ghost.headers["Retry-After"] == refused.headers["Retry-After"]


def test_a_known_browser_has_its_own_limit_of_five(app, make_user, clock):
    make_user("bithu", "admin")
    known = known_browser(app, "bithu")
    for _ in range(5):
        assert sign_in(known, "bithu", "gõ nhầm", address="192.0.2.50").status_code == 422
    assert sign_in(known, "bithu", PASSWORD, address="192.0.2.60").status_code == 429  # wherever it is
    # Those failures were the device's: an unknown browser at that address is not held by them.
    assert sign_in(app.test_client(), "bithu", PASSWORD, address="192.0.2.50").status_code == 302


def test_the_known_device_cookie_cannot_be_forged_and_ends_with_the_password(
    app, runner, make_user, clock, monkeypatch
):
    make_user("bithu", "admin")
    known = known_browser(app, "bithu")
    set_cookie = [c for c in known.get("/auth/login").headers.getlist("Set-Cookie") if c.startswith("known_device=")]
    assert set_cookie == []  # set at a sign-in only
    forged = app.test_client()
    forged.set_cookie("known_device", "W1sxLCJhYmMiLCJ4eXoiXV0.forged.signature", path="/auth/")
    for i in range(20):
        sign_in(app.test_client(), "bithu", f"đoán-{i}", address=f"203.0.113.{i // 4}")
    assert sign_in(forged, "bithu", PASSWORD, address="198.51.100.1").status_code == 429
    monkeypatch.setenv("REVIEW_PASSWORD", "mật-khẩu-mới-đủ-dài")
    assert runner.invoke(args=["user", "password", "bithu"]).exit_code == 0
    # A new password voids the account's known devices (a stolen browser's too).
    assert sign_in(known, "bithu", "mật-khẩu-mới-đủ-dài", address="198.51.100.1").status_code == 429


def test_the_known_device_cookie_is_httponly_samesite_and_kept_under_auth(app, client, make_user, clock):
    make_user("bithu", "admin")
    response = sign_in(client, "bithu", PASSWORD)
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("known_device="))
    parts = {part.strip().lower() for part in cookie.split(";")[1:]}
    assert {"httponly", "samesite=lax", "path=/auth/"} <= parts
    assert any(part.startswith("max-age=") for part in parts)


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
        answers[username] = (
            refused.status_code,
            refused.headers["Retry-After"],
            without_token(page(refused)).replace(username, "X"),
        )
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


def test_an_address_gets_ten_quick_failures_then_one_every_ninety_seconds(app, client, make_user, clock):
    make_user("bithu", "admin")
    for i in range(10):
        assert sign_in(client, f"doan-{i}", "sai", address="198.51.100.7").status_code == 422
    slowed = sign_in(client, "bithu", PASSWORD, address="198.51.100.7")
    assert slowed.status_code == 429 and slowed.headers["Retry-After"] == "90"
    body = page(slowed)
    assert SLOWED in body and "chờ khoảng 90 giây" in body and 'value="bithu"' in body
    clock.advance(seconds=89)
    assert sign_in(client, "doan-10", "sai", address="198.51.100.7").headers["Retry-After"] == "1"
    clock.advance(seconds=1)
    assert sign_in(client, "doan-10", "sai", address="198.51.100.7").status_code == 422
    assert sign_in(client, "doan-11", "sai", address="198.51.100.7").status_code == 429
    assert failures(app, address="198.51.100.7") == 11
    # Another address is not held back, and the account itself has no failure.
    assert sign_in(client, "bithu", PASSWORD, address="198.51.100.8").status_code == 302
    sign_out(client)
    clock.advance(minutes=15, seconds=1)
    assert sign_in(client, "bithu", PASSWORD, address="198.51.100.7").status_code == 302


def test_an_office_address_with_many_failures_does_not_shut_out_a_user_who_has_not_failed(app, make_user, clock):
    office = "198.51.100.20"
    make_user("bithu", "admin")
    make_user("ketoan", "admin")
    known = known_browser(app, "ketoan", address=office)
    for i in range(12):  # colleagues' typos and a guesser at the office: 12 failures over 12 accounts
        if i >= 10:
            clock.advance(seconds=90)
        assert sign_in(app.test_client(), f"dong-nghiep-{i}", "sai", address=office).status_code == 422
    clock.advance(seconds=30)
    # A user who has not failed is slowed, not refused: told how long, then let in.
    browser = app.test_client()
    slowed = sign_in(browser, "bithu", PASSWORD, address=office)
    assert slowed.status_code == 429 and SLOWED in page(slowed)
    wait = int(slowed.headers["Retry-After"])
    assert wait == 60
    clock.advance(seconds=wait)
    assert sign_in(browser, "bithu", PASSWORD, address=office).status_code == 302
    # A user at a browser that signed in before is not held back at all.
    assert sign_in(known, "ketoan", PASSWORD, address=office).status_code == 302


def test_an_attacker_at_one_address_gets_no_more_guesses_than_before(app, make_user, clock):
    """For an hour, guess as fast as the answers allow over six accounts: no 15-minute window
    holds more than 20 failures from the address or 5 for one account (the old numbers)."""
    make_user("bithu", "admin")
    attacker = app.test_client()
    token = csrf_token(attacker, "/auth/login")
    targets = ["bithu", "danguy", "quantri", "ketoan", "kiemphieu", "thuky"]
    guesses: list[tuple[datetime, str]] = []
    tries = 0
    while clock.moment < START + timedelta(hours=1):
        target = targets[tries % len(targets)]
        tries += 1
        response = attacker.post(
            "/auth/login",
            data={"csrf_token": token, "username": target, "password": f"đoán-{tries}"},
            environ_base={"REMOTE_ADDR": "203.0.113.13"},
        )
        if response.status_code == 422:
            guesses.append((clock.moment, target))
        else:
            assert response.status_code == 429
            clock.advance(seconds=int(response.headers["Retry-After"]))
    window = timedelta(minutes=15)
    for start, _ in guesses:
        inside = [target for moment, target in guesses if start <= moment < start + window]
        assert len(inside) <= 20
        assert max(inside.count(t) for t in targets) <= 5
    # It kept guessing at the pace allowed: 10 at once, then one each 90 s (fewer than the 80
    # an hour that 20 a window allowed before).
    assert 45 <= len(guesses) <= 51


def test_failures_are_kept_in_the_database_for_every_server_process(app, client, make_user, clock, database_url):
    make_user("bithu", "admin")
    for _ in range(5):
        sign_in(client, "bithu", "sai")
    other = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url})
    other_client = other.test_client()
    assert sign_in(other_client, "bithu", PASSWORD).status_code == 429
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
    for i in range(10):
        sign_in(client, f"doan-{i}", "sai", address="198.51.100.7", headers={"X-Forwarded-For": f"10.0.0.{i}"})
    assert failures(app, address="198.51.100.7") == 10
    assert (
        sign_in(client, "bithu", PASSWORD, address="198.51.100.7", headers={"X-Forwarded-For": "10.9.9.9"}).status_code
        == 429
    )
    # Behind one proxy, the address is the one the proxy reports.
    proxied = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": database_url,
            "REVIEW_PROXY_COUNT": 1,
        }
    )
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
    with app.app_context(), write_transaction():
        return issue_code(db.session.get(Meeting, ids["meeting"]), ids["member"])


def code_sign_in(client, code: str, address: str = "192.0.2.1"):  # type: ignore[no-untyped-def]
    token = csrf_token(client, "/code")
    return client.post("/code", data={"csrf_token": token, "code": code}, environ_base={"REMOTE_ADDR": address})


def test_wrong_codes_slow_the_address_down_for_code_sign_in(app, client, code_meeting, clock):
    code = new_code(app, code_meeting)
    for _ in range(10):
        assert code_sign_in(client, "ABCD-EFGH", address="198.51.100.7").status_code == 422
    assert failures(app, kind="code", address="198.51.100.7") == 10
    refused = code_sign_in(client, code, address="198.51.100.7")
    assert refused.status_code == 429 and SLOWED in page(refused) and refused.headers["Retry-After"] == "90"
    with app.app_context():  # the right code was not even tried: still unused
        assert db.session.scalar(select(func.count()).select_from(User).where(User.meeting_id.isnot(None))) == 0
    # The password page from that address is slowed too: the guesses were made from there.
    assert sign_in(client, "bithu", PASSWORD, address="198.51.100.7").status_code == 429
    # Another address signs in with the code.
    response = code_sign_in(client, code, address="198.51.100.8")
    assert response.status_code == 302 and f"/meetings/{code_meeting['meeting']}/tally" in response.headers["Location"]


def test_a_code_counter_sign_in_does_not_count_as_a_failure(app, client, code_meeting, clock):
    code = new_code(app, code_meeting)
    assert code_sign_in(client, code).status_code == 302
    assert failures(app) == 0


def parallel_guesses(app, attempts: list[tuple[str, str]]) -> list[int]:  # type: ignore[no-untyped-def]
    """Post wrong passwords for ``attempts`` (username, address) all at once; return the statuses."""
    import threading

    clients = [app.test_client() for _ in attempts]
    tokens = [csrf_token(c, "/auth/login") for c in clients]
    barrier = threading.Barrier(len(clients))
    statuses: list[int] = []

    def guess(i: int) -> None:
        username, address = attempts[i]
        barrier.wait()
        response = clients[i].post(
            "/auth/login",
            data={"csrf_token": tokens[i], "username": username, "password": f"sai-{i}"},
            environ_base={"REMOTE_ADDR": address},
        )
        statuses.append(response.status_code)

    threads = [threading.Thread(target=guess, args=(i,)) for i in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return sorted(statuses)


def test_parallel_guesses_are_all_counted(app, make_user, clock):
    """Ten guesses at once for one account from one address: five are checked and fail, five are refused."""
    make_user("bithu", "admin")
    assert parallel_guesses(app, [("bithu", "198.51.100.1")] * 10) == [422] * 5 + [429] * 5
    assert failures(app, account="bithu") == 5


def test_parallel_guesses_over_many_addresses_or_accounts_are_all_counted(app, make_user, clock):
    """24 addresses at one account at once: 20 checked (the ceiling), 4 refused; one address at
    14 accounts at once: 10 checked, 4 slowed."""
    make_user("bithu", "admin")
    assert parallel_guesses(app, [("bithu", f"198.51.100.{i}") for i in range(24)]) == [422] * 20 + [429] * 4
    assert failures(app, account="bithu") == 20
    assert parallel_guesses(app, [(f"doan-{i}", "203.0.113.7") for i in range(14)]) == [422] * 10 + [429] * 4
    assert failures(app, address="203.0.113.7") == 10


# ---------------------------------------------------------------------------
# The rules alone (review/auth/throttle_rules.py): the bound for any guessing strategy


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from review.auth.throttle_rules import Limits, Recent, code_refusal, password_refusal  # noqa: E402

LIMITS = Limits(window=timedelta(minutes=15), per_pair=5, per_account=20, per_address=20, slow_after=10)


def within(times: list[datetime], moment: datetime) -> list[datetime]:
    """The failures of the window before ``moment``, latest first."""
    return sorted((t for t in times if t > moment - LIMITS.window), reverse=True)


@settings(max_examples=200, deadline=None, database=None)
@given(
    plan=st.lists(
        st.tuples(st.integers(0, 7), st.integers(0, 200), st.booleans()),
        min_size=1,
        max_size=150,
    ),
)
def test_no_strategy_from_one_address_beats_the_old_numbers(plan):
    """Any order of accounts, codes and pauses: at most 20 failures from the address and 5 a
    account in any 15-minute window."""
    moment = START
    failed: list[tuple[datetime, int | None]] = []
    for account, pause, is_code in plan:
        moment += timedelta(seconds=pause)
        address = within([t for t, _ in failed], moment)
        if is_code:
            refusal = code_refusal(address, LIMITS, moment)
        else:
            mine = within([t for t, a in failed if a == account], moment)
            refusal = password_refusal(Recent(pair=mine, account=mine, address=address), LIMITS, moment)
        if refusal is None:
            failed.append((moment, None if is_code else account))
        else:
            assert refusal.retry_after > timedelta(0)
    for start, _ in failed:
        inside = [a for t, a in failed if start <= t < start + LIMITS.window]
        assert len(inside) <= LIMITS.per_address
        assert all(inside.count(a) <= LIMITS.per_pair for a in set(inside) if a is not None)


def test_a_full_address_refuses_the_accounts_that_failed_there_and_codes():
    """20 failures at an address (the owner's typos at known devices may add to an attacker's):
    an account that failed from there and a code are refused; a fresh account waits 90 s."""
    moment = START + timedelta(minutes=10)
    address = [moment - timedelta(seconds=10 * i) for i in range(1, 21)]
    refused = password_refusal(Recent(pair=address[:1], account=address[:1], address=address), LIMITS, moment)
    assert refused is not None and not refused.slowed
    assert refused.retry_after == address[19] + LIMITS.window - moment
    fresh = password_refusal(Recent(address=address), LIMITS, moment)
    assert fresh is not None and fresh.slowed and fresh.retry_after == timedelta(seconds=80)
    code = code_refusal(address, LIMITS, moment)
    assert code is not None and not code.slowed
    known = password_refusal(Recent(address=address, device=()), LIMITS, moment)
    assert known is None  # a known device counts its own failures only
    assert LIMITS.interval == timedelta(seconds=90)
