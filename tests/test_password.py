"""Changing one's own password (GET/POST /auth/password) and the password rules at the command line."""

from __future__ import annotations

from functools import partial

import pytest
from sqlalchemy import select

from review.auth.password_rules import SAME_AS_USERNAME, TOO_COMMON, TOO_SHORT
from review.auth.routes import PASSWORD_CHANGED, WRONG_CURRENT_PASSWORD
from review.counting import issue_code, set_committee
from review.database import write_transaction
from review.extensions import db
from review.models import AuditEntry, LoginFailure, Meeting, User

import helpers
from helpers import PASSWORD, csrf_token, write_2021_copy

NEW_PASSWORD = "chi bộ họp cuối năm ở nhà văn hóa"
URL = "/auth/password"

sign_in = partial(helpers.sign_in, username="bithu")


def signed_in(client) -> bool:  # type: ignore[no-untyped-def]
    response = client.get("/")
    assert response.status_code in (200, 302)
    return response.status_code == 200


def change(client, current: str = PASSWORD, new: str = NEW_PASSWORD, confirm: str | None = None, **extra):  # type: ignore[no-untyped-def]
    """Post the password form; return the response."""
    data = {
        "csrf_token": csrf_token(client, URL),
        "current_password": current,
        "new_password": new,
        "confirm": new if confirm is None else confirm,
    }
    return client.post(URL, data=data, **extra)


def account(app) -> User:  # type: ignore[no-untyped-def]
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "bithu"))
        db.session.expunge(user)
        return user


def has_password(app, password: str) -> bool:  # type: ignore[no-untyped-def]
    with app.app_context():
        return db.session.scalar(select(User).where(User.username == "bithu")).check_password(password)


def error_of(html: str, field: str) -> str:
    """Return the error text shown next to ``field`` ('' if none)."""
    marker = f'id="{field}-error">'
    if marker not in html:
        return ""
    return html.split(marker, 1)[1].split("</p>", 1)[0]


@pytest.fixture
def secretary(app, client, make_user):  # type: ignore[no-untyped-def]
    """The account ``bithu`` (an admin: no cell needed), signed in with ``client``."""
    make_user("bithu", "admin")
    assert sign_in(client).status_code == 302
    return client


def test_the_page_asks_the_current_password_and_the_new_one_twice(app, secretary):
    response = secretary.get(URL)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Đổi mật khẩu" in html and "bithu" in html
    for name, autocomplete in (
        ("current_password", "current-password"),
        ("new_password", "new-password"),
        ("confirm", "new-password"),
    ):
        assert f'name="{name}"' in html
        assert f'autocomplete="{autocomplete}"' in html
    assert 'type="password"' in html


def test_a_change_stores_the_new_password_and_keeps_this_session(app, secretary):
    before = account(app)
    response = change(secretary)
    assert response.status_code == 302 and response.headers["Location"].endswith("/")
    assert has_password(app, NEW_PASSWORD) and not has_password(app, PASSWORD)
    after = account(app)
    assert after.session_token != before.session_token
    home = secretary.get("/")
    assert home.status_code == 200, "the browser that changed the password stays signed in"
    assert PASSWORD_CHANGED in home.get_data(as_text=True)
    # The new password signs in, the old one no more.
    other = app.test_client()
    assert sign_in(other, password=PASSWORD).status_code == 422
    assert sign_in(other, password=NEW_PASSWORD).status_code == 302


def test_a_change_ends_every_other_session(app, secretary):
    office, home = app.test_client(), app.test_client()
    assert sign_in(office).status_code == 302 and sign_in(home, remember=True).status_code == 302
    stolen = app.test_client()
    stolen.set_cookie("remember_token", home.get_cookie("remember_token").value)
    assert signed_in(office) and signed_in(home) and signed_in(stolen)
    assert change(secretary).status_code == 302
    assert signed_in(secretary)
    for browser in (office, home, stolen):
        assert not signed_in(browser)


def test_a_remembered_browser_stays_remembered(app, client, make_user):
    make_user("bithu", "admin")
    assert sign_in(client, remember=True).status_code == 302
    assert change(client).status_code == 302
    remember = client.get_cookie("remember_token")
    assert remember is not None
    fresh = app.test_client()
    fresh.set_cookie("remember_token", remember.value)
    assert signed_in(fresh), "the remember-me cookie is given again with the new session token"


def test_the_change_is_audited_without_the_secrets(app, secretary):
    user_id = account(app).id
    assert change(secretary).status_code == 302
    with app.app_context():
        entries = list(
            db.session.scalars(
                select(AuditEntry).where(
                    AuditEntry.table_name == "user_account", AuditEntry.row_id == user_id, AuditEntry.action == "update"
                )
            )
        )
        user = db.session.get(User, user_id)
        assert entries and entries[-1].actor_id == user_id
        text = entries[-1].after or ""
        assert "password_hash" in text and user.password_hash not in text and user.session_token not in text


def test_a_wrong_current_password_changes_nothing(app, secretary):
    office = app.test_client()
    assert sign_in(office).status_code == 302
    token = account(app).session_token
    response = change(secretary, current="không phải mật khẩu này")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert error_of(html, "current_password") == WRONG_CURRENT_PASSWORD
    assert has_password(app, PASSWORD) and account(app).session_token == token
    assert signed_in(secretary) and signed_in(office)


def test_wrong_current_passwords_are_throttled_as_sign_ins(app, secretary):
    for _ in range(app.config["LOGIN_MAX_FAILURES_PER_PAIR"]):
        assert change(secretary, current="không phải mật khẩu này").status_code == 422
    response = change(secretary)  # even the right one is refused now
    assert response.status_code == 429 and int(response.headers["Retry-After"]) > 0
    assert "Đăng nhập sai quá nhiều lần" in error_of(response.get_data(as_text=True), "current_password")
    assert has_password(app, PASSWORD)
    # They are the account's sign-in failures, from this browser (its known device): signing in
    # there is refused too.
    with app.app_context():
        failures = db.session.scalars(select(LoginFailure)).all()
        assert len(failures) == app.config["LOGIN_MAX_FAILURES_PER_PAIR"]
        assert {(f.kind, f.account) for f in failures} == {("password", "bithu")}
    same_browser = app.test_client()
    device = secretary.get_cookie("known_device", path="/auth/")
    same_browser.set_cookie("known_device", device.value, path="/auth/")
    assert sign_in(same_browser).status_code == 429


def test_a_successful_change_forgets_the_failures(app, secretary):
    assert change(secretary, current="không phải mật khẩu này").status_code == 422
    assert change(secretary).status_code == 302
    with app.app_context():
        assert db.session.scalars(select(LoginFailure)).all() == []


def test_a_mismatch_changes_nothing(app, secretary):
    response = change(secretary, confirm=NEW_PASSWORD + "!")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert error_of(html, "confirm") == "Hai lần nhập mật khẩu mới không giống nhau."
    assert error_of(html, "current_password") == "" and error_of(html, "new_password") == ""
    assert has_password(app, PASSWORD)


@pytest.mark.parametrize(
    ("new", "messages"),
    [
        ("ngắn quá", [TOO_SHORT]),
        ("BiThu", [TOO_SHORT, SAME_AS_USERNAME, TOO_COMMON]),  # "bithu" is a common password too
        (" bithu ", [TOO_SHORT, SAME_AS_USERNAME, TOO_COMMON]),
        ("matkhau123", [TOO_COMMON]),
        ("123456789A", [TOO_COMMON]),
        ("123456", [TOO_SHORT, TOO_COMMON]),
    ],
)
def test_each_rule_refuses_with_its_message_next_to_the_field(app, secretary, new, messages):
    response = change(secretary, new=new)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert error_of(html, "new_password") == " ".join(messages)
    assert has_password(app, PASSWORD)
    with app.app_context():
        assert db.session.scalars(select(LoginFailure)).all() == [], "the current password was not even tried"


def test_the_username_rule_when_the_username_is_long_enough(app, client, make_user):
    make_user("nguyenvanbinh", "admin")
    assert helpers.sign_in(client, "nguyenvanbinh").status_code == 302
    response = change(client, new="NguyenVanBinh")
    assert response.status_code == 422
    assert error_of(response.get_data(as_text=True), "new_password") == SAME_AS_USERNAME


def test_empty_fields_are_refused_each_with_a_message(app, secretary):
    response = secretary.post(URL, data={"csrf_token": csrf_token(secretary, URL)})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert error_of(html, "current_password") == "Nhập mật khẩu hiện tại."
    assert error_of(html, "new_password") == "Nhập mật khẩu mới."
    assert error_of(html, "confirm") == "Nhập lại mật khẩu mới."


def test_the_form_needs_its_csrf_token(app, secretary):
    data = {"current_password": PASSWORD, "new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD}
    for token in (None, "not-a-token"):
        response = secretary.post(URL, data=data if token is None else {**data, "csrf_token": token})
        assert response.status_code in (400, 422)
        assert has_password(app, PASSWORD)
    assert signed_in(secretary)


def test_anonymous_users_are_sent_to_sign_in(app, client):
    response = client.get(URL)
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_every_role_with_a_password_reaches_the_page(app, client, make_user, seed_path, runner):
    assert runner.invoke(args=["meeting", "import", str(seed_path)]).exit_code == 0
    with app.app_context():
        meeting = db.session.scalar(select(Meeting))
        cell_id, organization_id = meeting.cell_id, meeting.cell.organization_id
    make_user("danguy", "ward", organization_id=organization_id)
    make_user("thuky", "secretary", cell_id=cell_id)
    make_user("kiemphieu", "counter", cell_id=cell_id)
    for username in ("danguy", "thuky", "kiemphieu"):
        browser = app.test_client()
        assert helpers.sign_in(browser, username).status_code == 302
        assert browser.get(URL).status_code == 200
        assert change(browser).status_code == 302, username
        assert signed_in(browser)


def test_a_one_time_code_account_is_refused(app, client, runner, seed_path, tmp_path):
    """A counter signed in with a one-time code has no password of its own: 403, nothing changes."""
    assert runner.invoke(args=["meeting", "import", str(write_2021_copy(seed_path, tmp_path))]).exit_code == 0
    with app.app_context():
        meeting = db.session.scalar(select(Meeting))
        members = {m.code: m.id for m in meeting.cell.members}
        set_committee(meeting, [members[c] for c in ("m06", "m07", "m08")], members["m06"])
        db.session.commit()
        with write_transaction():
            code = issue_code(db.session.get(Meeting, meeting.id), members["m08"])
    response = client.post("/code", data={"csrf_token": csrf_token(client, "/code"), "code": code})
    assert response.status_code == 302
    assert client.get(URL).status_code == 403
    with app.app_context():
        before = db.session.scalar(select(User).where(User.meeting_id.is_not(None))).password_hash
    response = client.post(
        URL,
        data={
            "csrf_token": csrf_token(client, "/"),  # the sign-out form's
            "current_password": "x" * 12,
            "new_password": NEW_PASSWORD,
            "confirm": NEW_PASSWORD,
        },
    )
    assert response.status_code == 403
    with app.app_context():
        assert db.session.scalar(select(User).where(User.meeting_id.is_not(None))).password_hash == before


# ---------------------------------------------------------------------------
# The command line applies the same rules


@pytest.mark.parametrize(
    ("password", "messages"),
    [
        ("ngắn", [TOO_SHORT]),
        ("matkhau123", [TOO_COMMON]),
        ("Quantri2", [TOO_SHORT, SAME_AS_USERNAME]),
    ],
)
def test_user_create_refuses_a_bad_password_with_every_message(app, runner, monkeypatch, password, messages):
    monkeypatch.setenv("REVIEW_PASSWORD", password)
    result = runner.invoke(args=["user", "create", "quantri2", "--role", "admin"])
    assert result.exit_code == 1, result.output
    for message in messages:
        assert message in result.output
    with app.app_context():
        assert db.session.scalar(select(User).where(User.username == "quantri2")) is None


def test_user_create_refuses_the_username_as_password(app, runner, monkeypatch):
    monkeypatch.setenv("REVIEW_PASSWORD", "Nguyenvanbinh")
    result = runner.invoke(args=["user", "create", "nguyenvanbinh", "--role", "admin"])
    assert result.exit_code == 1 and SAME_AS_USERNAME in result.output
    assert TOO_SHORT not in result.output and TOO_COMMON not in result.output


def test_user_password_refuses_a_bad_password_and_changes_nothing(app, secretary, runner, monkeypatch):
    token = account(app).session_token
    monkeypatch.setenv("REVIEW_PASSWORD", "1234567890")
    result = runner.invoke(args=["user", "password", "bithu"])
    assert result.exit_code == 1 and TOO_COMMON in result.output
    assert has_password(app, PASSWORD) and account(app).session_token == token and signed_in(secretary)


def test_user_password_takes_a_good_one(app, secretary, runner, monkeypatch):
    monkeypatch.setenv("REVIEW_PASSWORD", NEW_PASSWORD)
    result = runner.invoke(args=["user", "password", "bithu"])
    assert result.exit_code == 0, result.output
    assert has_password(app, NEW_PASSWORD) and not signed_in(secretary)
