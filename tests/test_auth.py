"""Accounts: the sign-in page, the user command and the demo accounts."""

from __future__ import annotations

import re

from sqlalchemy import select

from review.extensions import db
from review.models import Cell, Organization, User

from helpers import csrf_token


def test_sign_in_page_is_vietnamese_and_has_csrf(client):
    page = client.get("/auth/login").get_data(as_text=True)
    assert '<html lang="vi">' in page
    assert "Đăng nhập" in page and "Tên đăng nhập" in page and "Mật khẩu" in page
    assert 'name="csrf_token"' in page
    assert '<label for="username">' in page


def test_anonymous_users_are_sent_to_sign_in(client):
    response = client.get("/")
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


def test_sign_in_without_csrf_token_is_refused(client, make_user):
    make_user("quantri", "admin")
    response = client.post("/auth/login", data={"username": "quantri", "password": "mật-khẩu-đủ-dài"})
    assert response.status_code == 400


def test_wrong_password_keeps_the_username_and_says_why(client, make_user, login):
    make_user("quantri", "admin")
    response = login("quantri", "sai-mật-khẩu")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Tên đăng nhập hoặc mật khẩu không đúng." in page
    assert 'value="quantri"' in page
    assert client.get("/").status_code == 302


def test_empty_fields_are_named(client, login):
    page = login("", "").get_data(as_text=True)
    assert "Nhập tên đăng nhập." in page and "Nhập mật khẩu." in page


def test_sign_in_and_out(client, make_user, login):
    make_user("quantri", "admin")
    response = login("quantri")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert client.get("/").status_code == 200
    token = csrf_token(client, "/")
    assert client.post("/auth/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/").status_code == 302


def test_next_goes_only_to_this_site(client, make_user, login):
    make_user("quantri", "admin")
    assert login("quantri", next_url="https://evil.example/").headers["Location"] == "/"


def test_inactive_accounts_cannot_sign_in(app, client, make_user, login):
    user_id = make_user("quantri", "admin")
    with app.app_context():
        db.session.get(User, user_id).active = False
        db.session.commit()
    assert login("quantri").status_code == 422


def test_passwords_are_hashed_with_scrypt(app, make_user):
    user_id = make_user("quantri", "admin", password="một mật khẩu dài")
    with app.app_context():
        user = db.session.get(User, user_id)
        assert user.password_hash.startswith("scrypt:")
        assert "một mật khẩu dài" not in user.password_hash
        assert user.check_password("một mật khẩu dài") and not user.check_password("khác")


def test_user_create_reads_the_password_from_the_environment(app, runner, seed_path, monkeypatch):
    runner.invoke(args=["meeting", "import", str(seed_path)])
    with app.app_context():
        cell_id = db.session.scalar(select(Cell.id))
    monkeypatch.setenv("REVIEW_PASSWORD", "mật-khẩu-từ-môi-trường")
    result = runner.invoke(args=["user", "create", "thuky", "--role", "secretary", "--cell", str(cell_id)])
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "thuky"))
        assert user.cell_id == cell_id and user.check_password("mật-khẩu-từ-môi-trường")


def test_user_create_asks_for_the_password(app, runner):
    result = runner.invoke(
        args=["user", "create", "quantri2", "--role", "admin"], input="mật khẩu rất dài\nmật khẩu rất dài\n"
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.scalar(select(User).where(User.username == "quantri2")).check_password("mật khẩu rất dài")


def test_user_password_wants_the_same_password_twice(app, runner, make_user):
    make_user("quantri", "admin")
    result = runner.invoke(args=["user", "password", "quantri"], input="mật khẩu rất dài\nmật khẩu khác hẳn\n")
    assert result.exit_code != 0
    with app.app_context():
        assert db.session.scalar(select(User).where(User.username == "quantri")).check_password("mật-khẩu-đủ-dài")


def test_sign_in_gives_the_browser_a_known_device_cookie_that_survives_sign_out(client, make_user, login):
    make_user("quantri", "admin")
    assert login("quantri").status_code == 302
    device = client.get_cookie("known_device", path="/auth/")
    assert device is not None and "quantri" not in device.value
    token = csrf_token(client, "/")
    assert client.post("/auth/logout", data={"csrf_token": token}).status_code == 302
    assert client.get_cookie("known_device", path="/auth/") is not None
    assert login("quantri", "sai-mật-khẩu").status_code == 422  # still an ordinary sign-in page


def test_user_create_refuses_a_wrong_scope(app, runner, monkeypatch):
    monkeypatch.setenv("REVIEW_PASSWORD", "mật-khẩu-đủ-dài")
    assert runner.invoke(args=["user", "create", "a", "--role", "secretary"]).exit_code != 0
    assert runner.invoke(args=["user", "create", "b", "--role", "ward", "--cell", "1"]).exit_code != 0
    assert runner.invoke(args=["user", "create", "c", "--role", "counter", "--cell", "77"]).exit_code != 0
    monkeypatch.setenv("REVIEW_PASSWORD", "ngắn")
    assert runner.invoke(args=["user", "create", "d", "--role", "admin"]).exit_code != 0
    with app.app_context():
        assert db.session.scalars(select(User)).all() == []


def test_no_account_exists_before_demo(app, runner):
    with app.app_context():
        assert db.session.scalars(select(User)).all() == []


def test_demo_loads_the_seed_and_prints_working_accounts(app, runner, client, login):
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    accounts = dict(re.findall(r"^\s+\w+\s+(\w+)\s+(\S+)$", result.output, re.MULTILINE))
    assert set(accounts) == {"quantri", "danguy", "bithu", "kiemphieu"}
    with app.app_context():
        users = {u.username: u for u in db.session.scalars(select(User))}
        organization = db.session.scalar(select(Organization))
        cell = db.session.scalar(select(Cell).where(Cell.name == "Chi bộ Trường Mầm non Thượng Thanh"))
        # The ward's second cell (SPEC 11's example) comes with it, in the same organisation.
        second = db.session.scalar(select(Cell).where(Cell.name == "Chi bộ Tổ dân phố số 3"))
        assert second.organization_id == organization.id and second.meetings[0].sealed
        assert users["danguy"].organization_id == organization.id
        assert users["bithu"].cell_id == cell.id and users["kiemphieu"].cell_id == cell.id
    assert login("bithu", accounts["bithu"]).status_code == 302
    home = client.get("/").get_data(as_text=True)
    assert "Chi bộ Trường Mầm non Thượng Thanh" in home and "Hội nghị năm 2020" in home
    # Running it again loads nothing twice and keeps every password (printed once, when created).
    again = runner.invoke(args=["demo"])
    assert again.exit_code == 0
    assert "Chi bộ mẫu đã có" in again.output
    assert re.findall(r"^\s+\w+\s+(\w+)\s+\(mật khẩu giữ nguyên\)$", again.output, re.MULTILINE) == [
        "quantri",
        "danguy",
        "bithu",
        "kiemphieu",
    ]
    assert not set(accounts.values()) & set(again.output.split())
    assert runner.invoke(args=["meeting", "list"]).output.count("\n") == 2


def test_home_shows_only_the_users_own_cell(app, runner, client, seed_path, tmp_path, make_user, login):
    import json

    runner.invoke(args=["meeting", "import", str(seed_path)])
    doc = json.loads(seed_path.read_text(encoding="utf-8"))
    doc["organization"]["cell"] = "Chi bộ Khu dân cư số 2"
    other = tmp_path / "other.json"
    other.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    assert runner.invoke(args=["meeting", "import", str(other)]).exit_code == 0
    with app.app_context():
        first = db.session.scalar(select(Cell).where(Cell.name == "Chi bộ Trường Mầm non Thượng Thanh"))
        make_user("bithu", "secretary", cell_id=first.id)
        make_user("danguy", "ward", organization_id=first.organization_id)
    login("bithu")
    page = client.get("/").get_data(as_text=True)
    assert "Chi bộ Trường Mầm non Thượng Thanh" in page and "Khu dân cư số 2" not in page
    client.post("/auth/logout", data={"csrf_token": csrf_token(client, "/")})
    login("danguy")
    page = client.get("/").get_data(as_text=True)
    assert "Chi bộ Trường Mầm non Thượng Thanh" in page and "Khu dân cư số 2" in page


def test_demo_can_start_from_an_empty_cell(app, runner):
    result = runner.invoke(args=["demo", "--empty-cell"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        cell = db.session.scalar(select(Cell))
        assert cell.name == "Chi bộ Trường Mầm non Thượng Thanh" and cell.members == [] and cell.meetings == []
        assert db.session.scalar(select(User).where(User.username == "bithu")).cell_id == cell.id
