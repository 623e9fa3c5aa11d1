"""The frame of the interface in English: sign-in, password, error, account and organisation pages.

A browser asking for English (``Accept-Language``) gets the English catalog's texts, the core's
messages (password rules, throttling, text checks) translated with their values; one asking for
nothing gets the Vietnamese, as before.
"""

from __future__ import annotations

from helpers import csrf_token, sign_in

ENGLISH = {"Accept-Language": "en"}


def test_sign_in_page_in_english(client) -> None:  # type: ignore[no-untyped-def]
    page = client.get("/auth/login", headers=ENGLISH).get_data(as_text=True)
    assert "<h1>Sign in</h1>" in page
    assert "Username" in page and "Keep me signed in on this computer" in page
    assert "Đăng nhập" not in page.split("<main", 1)[-1]


def test_sign_in_page_stays_vietnamese_by_default(client) -> None:  # type: ignore[no-untyped-def]
    page = client.get("/auth/login").get_data(as_text=True)
    assert "<h1>Đăng nhập</h1>" in page and "Sign in" not in page


def test_wrong_password_and_missing_fields_in_english(client, make_user) -> None:  # type: ignore[no-untyped-def]
    make_user("quantri", "admin")
    wrong = sign_in(client, "quantri", "not the password at all", headers=ENGLISH)
    assert wrong.status_code == 422
    assert "Wrong username or password." in wrong.get_data(as_text=True)
    token = csrf_token(client, "/auth/login")
    empty = client.post("/auth/login", data={"csrf_token": token}, headers=ENGLISH)
    text = empty.get_data(as_text=True)
    assert "Enter your username." in text and "Enter your password." in text


def test_password_rules_in_english(client, make_user) -> None:  # type: ignore[no-untyped-def]
    make_user("quantri", "admin")
    assert sign_in(client, "quantri").status_code == 302
    client.set_cookie("lang", "en")
    page = client.get("/auth/password").get_data(as_text=True)
    assert "<h1>Change password</h1>" in page and "At least 10 characters, not the username" in page
    answer = client.post(
        "/auth/password",
        data={
            "csrf_token": csrf_token(client, "/auth/password"),
            "current_password": "whatever it is",
            "new_password": "short",
            "confirm": "short",
        },
    )
    assert answer.status_code == 422
    assert "The password needs at least 10 characters." in answer.get_data(as_text=True)


def test_error_page_in_english(client) -> None:  # type: ignore[no-untyped-def]
    answer = client.get("/no/such/page", headers=ENGLISH)
    assert answer.status_code == 404
    text = answer.get_data(as_text=True)
    assert "<h1>Not found</h1>" in text and "Back to the home page" in text


def test_organisations_page_in_english(app, make_user) -> None:  # type: ignore[no-untyped-def]
    make_user("quantri", "admin")
    client = app.test_client()
    assert sign_in(client, "quantri", headers=ENGLISH).status_code == 302
    page = client.get("/admin/organizations", headers=ENGLISH).get_data(as_text=True)
    assert "<h1>Ward party organisations</h1>" in page and "Add a party organisation" in page
