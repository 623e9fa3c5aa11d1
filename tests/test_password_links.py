"""One-time set-password links (review/auth/password_links.py) and their page, /auth/set-password/<token>."""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from review import clock
from review.auth import password_links
from review.auth.password_links import LINK_LIFETIME, find_link, issue_link, use_link
from review.auth.password_rules import SAME_AS_USERNAME, TOO_COMMON, TOO_SHORT
from review.auth.routes import PASSWORD_SET
from review.database import write_transaction
from review.extensions import db
from review.models import AuditEntry, Cell, Organization, PasswordLink, Role, User

from helpers import csrf_token, sign_in

NEW_PASSWORD = "chi bộ họp cuối năm ở nhà văn hóa"
NO_GOOD = "Đường dẫn đặt mật khẩu này không đúng, đã dùng, đã hết hạn"


@pytest.fixture
def account(app):  # type: ignore[no-untyped-def]
    """A new secretary account with no usable password; return its id."""
    from review.accounts.service import create_account

    with app.app_context():
        organization = Organization(name="Đảng bộ phường Thử", place="Hà Nội")
        cell = Cell(organization=organization, name="Chi bộ Thử")
        db.session.add_all([organization, cell])
        db.session.commit()
        with write_transaction():
            user, _ = create_account("bithu.moi", Role.SECRETARY, cell=cell)
        return user.id


def newest() -> PasswordLink:
    """Return the newest link (the account's creation issued one before the test's)."""
    return db.session.scalar(select(PasswordLink).order_by(PasswordLink.id.desc()).limit(1))


def issue(app, user_id: int) -> str:  # type: ignore[no-untyped-def]
    with app.app_context(), write_transaction():
        return issue_link(db.session.get(User, user_id), None).token


def set_password(client, token: str, new: str = NEW_PASSWORD, confirm: str | None = None):  # type: ignore[no-untyped-def]
    url = f"/auth/set-password/{token}"
    data = {"csrf_token": csrf_token(client, "/auth/login"), "new_password": new, "confirm": confirm or new}
    return client.post(url, data=data)


def test_the_lifetime_is_48_hours_said_in_one_place():
    assert timedelta(hours=48) == LINK_LIFETIME


def test_a_new_account_has_no_usable_password_until_its_link_is_used(app, client, account):
    token = issue(app, account)
    with app.app_context():
        user = db.session.get(User, account)
        assert not user.check_password("") and not user.check_password(NEW_PASSWORD)
    assert sign_in(client, "bithu.moi", NEW_PASSWORD).status_code == 422  # refused: the form again
    response = set_password(client, token)
    assert response.status_code == 302 and response.headers["Location"].endswith("/auth/login")
    page = client.get("/auth/login").get_data(as_text=True)
    assert PASSWORD_SET.format(username="bithu.moi") in page
    assert sign_in(client, "bithu.moi", NEW_PASSWORD).status_code == 302


def test_the_page_shows_the_username_and_sends_no_referrer(app, client, account):
    token = issue(app, account)
    response = client.get(f"/auth/set-password/{token}")
    assert response.status_code == 200
    assert response.headers["Referrer-Policy"] == "no-referrer"
    html = response.get_data(as_text=True)
    assert "bithu.moi" in html and 'name="new_password"' in html and 'name="confirm"' in html


def test_the_token_is_not_stored_in_clear(app, account):
    token = issue(app, account)
    with app.app_context():
        link = newest()
        assert link.token_hash == hashlib.sha256(token.encode()).hexdigest()
        assert len(token) >= 43
        for entry in db.session.scalars(select(AuditEntry)):
            assert token not in (entry.after or "") and link.token_hash not in (entry.after or "")
        with db.engine.connect() as connection:
            for table in db.metadata.sorted_tables:
                for row in connection.execute(table.select()):
                    assert token not in repr(tuple(row)), table.name


def test_a_link_is_single_use(app, client, account):
    token = issue(app, account)
    assert set_password(client, token).status_code == 302
    again = client.get(f"/auth/set-password/{token}")
    assert again.status_code == 410 and NO_GOOD in again.get_data(as_text=True)
    with app.app_context():
        before = db.session.get(User, account).password_hash
    assert set_password(client, token, "một mật khẩu khác hẳn đủ dài").status_code == 410
    with app.app_context():
        assert db.session.get(User, account).password_hash == before
        assert newest().used_at is not None


def test_using_a_link_ends_the_accounts_sessions(app, account):
    token = issue(app, account)
    with app.app_context():
        session_token = db.session.get(User, account).session_token
        with write_transaction():
            assert use_link(token, NEW_PASSWORD) is not None
        assert db.session.get(User, account).session_token != session_token


def test_a_link_expires_after_48_hours(app, client, account, monkeypatch):
    token = issue(app, account)
    start = clock.now()
    monkeypatch.setattr(clock, "now", lambda: start + LINK_LIFETIME - timedelta(minutes=1))
    assert client.get(f"/auth/set-password/{token}").status_code == 200
    monkeypatch.setattr(clock, "now", lambda: start + LINK_LIFETIME + timedelta(seconds=1))
    response = client.get(f"/auth/set-password/{token}")
    assert response.status_code == 410 and NO_GOOD in response.get_data(as_text=True)
    assert set_password(client, token).status_code == 410
    with app.app_context():
        assert newest().used_at is None


def test_a_newer_link_revokes_the_older(app, client, account):
    old = issue(app, account)
    new = issue(app, account)
    assert client.get(f"/auth/set-password/{old}").status_code == 410
    assert client.get(f"/auth/set-password/{new}").status_code == 200
    with app.app_context():
        links = list(db.session.scalars(select(PasswordLink).order_by(PasswordLink.id)))
        assert len(links) == 3  # the account's creation issued the first
        assert links[0].revoked_at is not None and links[1].revoked_at is not None and links[2].revoked_at is None


def test_a_disabled_accounts_link_does_not_work(app, client, account):
    token = issue(app, account)
    with app.app_context():
        db.session.get(User, account).disable()
        db.session.commit()
    assert client.get(f"/auth/set-password/{token}").status_code == 410


@pytest.mark.parametrize(
    "token",
    ["x", "A" * 43, "%00", "..%2F..%2Fetc", "ễễễễ", "a" * 500, "<script>alert(1)</script>", " "],
)
def test_unknown_and_garbage_tokens_get_the_same_page(app, client, account, token):
    issue(app, account)
    response = client.get(f"/auth/set-password/{token}")
    assert response.status_code in (404, 410)
    if response.status_code == 410:
        assert NO_GOOD in response.get_data(as_text=True)
    with app.app_context():
        assert find_link(token) is None


def test_an_unknown_token_stores_nothing(app, client, account):
    issue(app, account)
    with app.app_context():
        before = db.session.scalar(select(db.func.count()).select_from(AuditEntry))
    assert set_password(client, "A" * 43).status_code == 410
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(AuditEntry)) == before


@pytest.mark.parametrize(
    ("new", "messages"),
    [
        ("ngắn", [TOO_SHORT]),
        ("bithu.moi", [TOO_SHORT, SAME_AS_USERNAME]),
        ("BITHU.MOI.", []),  # not the username: 10 characters
        ("1234567890", [TOO_COMMON]),
    ],
)
def test_each_password_rule_refuses_with_its_message_next_to_the_field(app, client, account, new, messages):
    token = issue(app, account)
    with app.app_context():
        before = db.session.get(User, account).password_hash
    response = set_password(client, token, new)
    if not messages:
        assert response.status_code == 302
        return
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    error = html.split('id="new_password-error">', 1)[1].split("</p>", 1)[0]
    for message in messages:
        assert message in error
    with app.app_context():
        assert db.session.get(User, account).password_hash == before
        assert newest().used_at is None


def test_two_different_passwords_are_refused(app, client, account):
    token = issue(app, account)
    response = set_password(client, token, NEW_PASSWORD, "một câu khác hẳn đủ dài")
    assert response.status_code == 422
    assert "Hai lần nhập mật khẩu mới không giống nhau." in response.get_data(as_text=True)


def test_the_form_needs_its_csrf_token(app, client, account):
    token = issue(app, account)
    response = client.post(f"/auth/set-password/{token}", data={"new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code in (400, 422)
    with app.app_context():
        assert newest().used_at is None


def test_issuing_records_who_issued(app, account, make_user):
    admin_id = make_user("quantri", "admin")
    with app.app_context(), write_transaction():
        issued = issue_link(db.session.get(User, account), db.session.get(User, admin_id))
    with app.app_context():
        link = db.session.get(PasswordLink, issued.link_id)
        assert link.issued_by_id == admin_id
        assert link.expires_at - link.created_at == LINK_LIFETIME
    assert password_links.token_hash(issued.token) == link.token_hash


def held_then_raced(app, first: Callable[[], Any], second: Callable[[], Any]) -> tuple[Any, Any]:  # type: ignore[no-untyped-def]
    """Run ``first`` in a write transaction kept open while ``second`` starts its own; return both results.

    Two sessions on two connections: the second starts once the first has done its work, and the
    first commits half a second later, so the second reads before that commit (PostgreSQL, READ
    COMMITTED) or waits for the database (SQLite's immediate write transaction).
    """
    done, release = threading.Event(), threading.Event()
    results: dict[str, Any] = {}

    def run(key: str, action: Callable[[], Any], hold: bool) -> None:
        try:
            with app.app_context(), write_transaction():
                results[key] = action()
                if hold:
                    done.set()
                    release.wait(30)
        except BaseException as error:  # noqa: BLE001  (the test reports it)
            results[key] = error
            done.set()

    one = threading.Thread(target=run, args=("first", first, True))
    one.start()
    assert done.wait(30)
    two = threading.Thread(target=run, args=("second", second, False))
    two.start()
    time.sleep(0.5)
    release.set()
    one.join(60)
    two.join(60)
    assert not one.is_alive() and not two.is_alive()
    return results["first"], results["second"]


def test_two_requests_with_one_link_at_once_set_one_password(app, client, account):
    token = issue(app, account)

    def use(password: str) -> Callable[[], int | None]:
        def action() -> int | None:
            user = use_link(token, password)
            return user.id if user is not None else None

        return action

    first, second = held_then_raced(app, use(NEW_PASSWORD), use("một mật khẩu khác hẳn đủ dài"))
    assert (first, second) == (account, None)
    with app.app_context():
        assert db.session.get(User, account).check_password(NEW_PASSWORD)
    assert sign_in(client, "bithu.moi", NEW_PASSWORD).status_code == 302


def test_two_resets_at_once_leave_one_good_link(app, account):
    def reset() -> str:
        return issue_link(db.session.get(User, account), None).token

    first, second = held_then_raced(app, reset, reset)
    with app.app_context():
        assert find_link(first) is None and find_link(second) is not None
        good = db.session.scalars(
            select(PasswordLink).where(PasswordLink.used_at.is_(None), PasswordLink.revoked_at.is_(None))
        ).all()
        assert len(good) == 1
