"""Sessions that can be ended: the per-account session token in the session and remember-me cookies.

A copied cookie is the same bytes as the browser's own, so only a change on the server can
end it: the account's session token, rotated on sign-out, on a password change and when the
account is disabled (User.end_sessions).
"""

from __future__ import annotations

from functools import partial

import pytest
from sqlalchemy import inspect, select, text

from review import create_app
from review.extensions import db
from review.models import AuditEntry, User, parse_session_identity

import helpers
from helpers import PASSWORD, sign_out

NEW_PASSWORD = "một mật khẩu mới rất dài"


# The sign-in form posted for the secretary unless the test names another account.
sign_in = partial(helpers.sign_in, username="bithu")


def signed_in(client) -> bool:  # type: ignore[no-untyped-def]
    response = client.get("/")
    assert response.status_code in (200, 302)
    return response.status_code == 200


def copy_of(app, client, *names: str):  # type: ignore[no-untyped-def]
    """Return a new browser holding copies of ``client``'s cookies ``names`` (a stolen cookie)."""
    thief = app.test_client()
    for name in names:
        stolen = client.get_cookie(name)
        assert stolen is not None, f"no {name} cookie to copy"
        thief.set_cookie(name, stolen.value)
    return thief


@pytest.fixture
def owner(app, client, make_user):  # type: ignore[no-untyped-def]
    """Sign the secretary ``bithu`` in with "remember me"; return a copy of the session cookie and one of the remember cookie."""
    make_user("bithu", "admin")
    assert sign_in(client, remember=True).status_code == 302
    session_copy = copy_of(app, client, "session")
    remember_copy = copy_of(app, client, "remember_token")
    # Both copies work before anything ends the sessions.
    assert signed_in(session_copy) and signed_in(remember_copy)
    return session_copy, remember_copy


def fresh_copies(app, client):  # type: ignore[no-untyped-def]
    return copy_of(app, client, "session"), copy_of(app, client, "remember_token")


def test_the_identity_in_the_cookies_carries_the_session_token(app, make_user):
    user_id, other_id = make_user("bithu", "admin"), make_user("khac", "admin")
    with app.app_context():
        user = db.session.get(User, user_id)
        account, token = parse_session_identity(user.get_id())
        assert account == user_id and token == user.session_token and len(token) >= 40
        assert db.session.get(User, other_id).session_token != user.session_token


@pytest.mark.parametrize(
    "identity", ["5", "5:", ":abc", "x:abc", "٣:abc", "-1:abc", "99999999999:abc", "2147483648:abc"]
)
def test_a_malformed_identity_is_refused(identity):
    assert parse_session_identity(identity) is None


def test_an_identity_without_the_token_does_not_sign_in(app, client, make_user):
    """A session made before the tokens ("<id>" alone), or with a wrong token, is signed out."""
    user_id = make_user("bithu", "admin")
    for identity in (str(user_id), f"{user_id}:not-the-token"):
        with client.session_transaction() as session:
            session["_user_id"] = identity
            session["_fresh"] = True
        assert not signed_in(client)


def test_a_copied_session_cookie_stops_working_after_sign_out(app, client, owner):
    session_copy, remember_copy = owner
    sign_out(client)
    assert not signed_in(client)
    assert not signed_in(session_copy)
    assert not signed_in(remember_copy)
    # Signing in again gives new cookies; the old copies stay dead.
    assert sign_in(client, remember=True).status_code == 302
    assert signed_in(client) and not signed_in(session_copy) and not signed_in(remember_copy)


def test_sign_out_ends_the_accounts_other_browsers_too(app, make_user):
    make_user("bithu", "admin")
    office, home = app.test_client(), app.test_client()
    assert sign_in(office).status_code == 302 and sign_in(home, remember=True).status_code == 302
    sign_out(office)
    assert not signed_in(home)


def test_a_password_change_ends_every_session(app, client, runner, owner, monkeypatch):
    session_copy, remember_copy = owner
    monkeypatch.setenv("REVIEW_PASSWORD", NEW_PASSWORD)
    result = runner.invoke(args=["user", "password", "bithu"])
    assert result.exit_code == 0, result.output
    assert "Đã đổi mật khẩu tài khoản bithu" in result.output
    for browser in (client, session_copy, remember_copy):
        assert not signed_in(browser)
    assert sign_in(client, password=PASSWORD).status_code == 422
    assert sign_in(client, password=NEW_PASSWORD).status_code == 302


def test_user_password_asks_twice(app, client, runner, owner):
    result = runner.invoke(args=["user", "password", "bithu"], input=f"{NEW_PASSWORD}\n{NEW_PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert "Mật khẩu mới" in result.output and "Nhập lại mật khẩu mới" in result.output
    assert not signed_in(client)
    with app.app_context():
        assert db.session.scalar(select(User).where(User.username == "bithu")).check_password(NEW_PASSWORD)


def test_user_password_refuses_a_short_one_and_changes_nothing(app, client, runner, owner, monkeypatch):
    session_copy, _ = owner
    monkeypatch.setenv("REVIEW_PASSWORD", "ngắn")
    result = runner.invoke(args=["user", "password", "bithu"])
    assert result.exit_code != 0 and "ít nhất 10 ký tự" in result.output
    assert signed_in(client) and signed_in(session_copy)
    with app.app_context():
        assert db.session.scalar(select(User).where(User.username == "bithu")).check_password(PASSWORD)


def test_disabling_an_account_ends_its_sessions_at_once(app, client, runner, owner):
    session_copy, remember_copy = owner
    result = runner.invoke(args=["user", "disable", "bithu"])
    assert result.exit_code == 0, result.output
    assert "Đã khóa tài khoản bithu" in result.output
    for browser in (client, session_copy, remember_copy):
        assert not signed_in(browser)
    refused = sign_in(client)
    assert refused.status_code == 422 and "Tên đăng nhập hoặc mật khẩu không đúng." in refused.get_data(as_text=True)
    # Enabled again, the account signs in anew; the old cookies stay ended.
    result = runner.invoke(args=["user", "enable", "bithu"])
    assert result.exit_code == 0 and "Đã mở khóa tài khoản bithu" in result.output
    assert not signed_in(session_copy) and not signed_in(remember_copy)
    assert sign_in(client).status_code == 302 and signed_in(client)


@pytest.mark.parametrize("command", ["password", "disable", "enable"])
def test_an_unknown_account_is_named_and_exits_1(app, runner, command, monkeypatch):
    monkeypatch.setenv("REVIEW_PASSWORD", NEW_PASSWORD)
    result = runner.invoke(args=["user", command, "khong-co-ai"])
    assert result.exit_code == 1
    assert "Không có tài khoản tên đăng nhập khong-co-ai." in result.output


def test_the_session_token_never_enters_the_audit_log(app, client, make_user):
    make_user("bithu", "admin")
    assert sign_in(client).status_code == 302
    sign_out(client)
    with app.app_context():
        token = db.session.scalar(select(User.session_token).where(User.username == "bithu"))
        entries = db.session.scalars(select(AuditEntry).where(AuditEntry.table_name == "user_account")).all()
        assert entries, "creating and signing out the account is audited"
        assert any("session_token" in (e.after or "") for e in entries)  # the change is recorded ...
        assert all(token not in (e.before or "") + (e.after or "") for e in entries)  # ... never the value


# ---------------------------------------------------------------------------
# Migration 0010 on a database that holds accounts


def test_migration_gives_each_account_its_own_token_and_keeps_what_refers_to_it(empty_database):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": empty_database})
    runner = app.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade", "0009"]).exit_code == 0
    with app.app_context():
        with db.engine.begin() as connection:
            connection.execute(
                text("INSERT INTO organization (id, name, place) VALUES (1, 'Đảng ủy phường', 'Hà Nội')")
            )
            for account_id in (1, 2):
                connection.execute(
                    text(
                        "INSERT INTO user_account (id, username, display_name, password_hash, role, active) "
                        f"VALUES ({account_id}, 'u{account_id}', 'U', 'h', 'admin', TRUE)"
                    )
                )
            # A row that refers to an account with ON DELETE SET NULL: a rebuilt user_account
            # table (SQLite's batch "move and copy", foreign keys on) would null it.
            connection.execute(
                text(
                    "INSERT INTO export_job (organization_id, year, user_id, status, total, done, error) "
                    "VALUES (1, 2025, 2, 'done', 0, 0, '')"
                )
            )
        db.engine.dispose()
    result = runner.invoke(args=["db", "upgrade", "0010"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        with db.engine.connect() as connection:
            tokens = [row[0] for row in connection.execute(text("SELECT session_token FROM user_account ORDER BY id"))]
            assert len(tokens) == 2 and len(set(tokens)) == 2 and all(len(t) >= 40 for t in tokens)
            assert connection.execute(text("SELECT user_id FROM export_job")).scalar() == 2
        columns = {c["name"]: c for c in inspect(db.engine).get_columns("user_account")}
        assert columns["session_token"]["nullable"] is False
        assert "device" in {c["name"] for c in inspect(db.engine).get_columns("login_failure")}
        db.engine.dispose()
    assert runner.invoke(args=["db", "downgrade", "0009"]).exit_code == 0
    with app.app_context():
        assert "session_token" not in {c["name"] for c in inspect(db.engine).get_columns("user_account")}
        assert "device" not in {c["name"] for c in inspect(db.engine).get_columns("login_failure")}
        with db.engine.connect() as connection:
            assert connection.execute(text("SELECT user_id FROM export_job")).scalar() == 2
        db.engine.dispose()
