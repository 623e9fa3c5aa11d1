"""Web hardening: CSRF on every POST route, security headers, cookies, proxies, passwords, redirects."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from review import create_app
from review.auth.routes import safe_next
from review.config import ConfigError
from review.extensions import db
from review.models import User

from helpers import PASSWORD, csrf_token

TEMPLATES = Path(__file__).resolve().parent.parent / "review" / "templates"


def policy(response) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Return the response's Content-Security-Policy as directive -> sources."""
    header = response.headers.get("Content-Security-Policy", "")
    directives = {}
    for part in header.split(";"):
        if part.strip():
            name, _, sources = part.strip().partition(" ")
            directives[name] = sources.strip()
    return directives


def post_routes(app) -> list[str]:  # type: ignore[no-untyped-def]
    """Return a URL for every route that takes POST (any ids: CSRF is checked before the view runs)."""
    urls = []
    for rule in app.url_map.iter_rules():
        if "POST" in rule.methods:
            values = {
                name: "minutes" if name == "key" else ("committee" if name == "subject" else 1)
                for name in rule.arguments
            }
            urls.append(rule.build(values, append_unknown=False)[1])
    return urls


# ---------------------------------------------------------------------------
# CSRF


def test_every_post_route_without_a_token_gets_400(app, client, make_user, login):
    urls = post_routes(app)
    assert len(urls) >= 20
    for url in urls:
        assert client.post(url, data={}).status_code == 400, f"anonymous POST {url}"
    make_user("quantri", "admin")
    assert login("quantri").status_code == 302
    for url in urls:
        response = client.post(url, data={"anything": "1"})
        assert response.status_code == 400, f"POST {url} without a token gave {response.status_code}"
        assert "Yêu cầu không hợp lệ" in response.get_data(as_text=True)


def test_a_token_from_another_session_is_refused(app, client, make_user, login):
    make_user("quantri", "admin")
    stranger = app.test_client()
    foreign = csrf_token(stranger, "/auth/login")
    assert login("quantri").status_code == 302
    for url in post_routes(app):
        assert client.post(url, data={"csrf_token": foreign}).status_code == 400, url
    assert client.post(post_routes(app)[0], data={"csrf_token": "not-a-token"}).status_code == 400


def test_the_sign_in_form_itself_needs_the_token(client, make_user):
    make_user("quantri", "admin")
    response = client.post("/auth/login", data={"username": "quantri", "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/").status_code == 302  # not signed in


# ---------------------------------------------------------------------------
# Headers


def test_pages_get_a_strict_content_security_policy(client):
    response = client.get("/auth/login")
    assert response.status_code == 200
    csp = policy(response)
    assert csp["default-src"] == "'self'"
    assert csp["script-src"] == "'self'"  # no 'unsafe-inline', no 'unsafe-eval'
    assert csp["style-src"] == "'self'"
    assert csp["object-src"] == "'none'"
    assert csp["base-uri"] == "'self'"
    assert csp["frame-ancestors"] == "'none'"
    assert csp["form-action"] == "'self'"
    assert "unsafe" not in response.headers["Content-Security-Policy"]


@pytest.mark.parametrize("url", ["/auth/login", "/", "/no-such-page", "/static/css/app.css", "/static/js/app.js"])
def test_every_response_gets_the_security_headers(client, url):
    response = client.get(url)
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "camera=()" in response.headers["Permissions-Policy"]
    assert policy(response)["frame-ancestors"] == "'none'"
    assert "Strict-Transport-Security" not in response.headers  # plain HTTP here


def test_error_pages_and_refusals_get_them_too(client, app):
    for response in (client.get("/meetings/999/results"), client.post("/auth/logout")):
        assert response.status_code in (302, 400)
        assert response.headers["X-Frame-Options"] == "DENY"
    assert policy(client.get("/no-such-page"))["script-src"] == "'self'"


def test_non_html_responses_may_load_nothing(client):
    css = client.get("/static/css/app.css")
    assert policy(css)["default-src"] == "'none'"
    assert css.headers["X-Content-Type-Options"] == "nosniff"


def test_pages_are_not_kept_in_caches_but_static_files_are(client):
    assert client.get("/auth/login").headers["Cache-Control"] == "no-store"
    assert "no-store" not in client.get("/static/css/app.css").headers.get("Cache-Control", "")


def test_pdf_documents_get_no_policy_that_would_stop_the_browsers_viewer():
    from review.security import content_security_policy

    assert content_security_policy("application/pdf") is None
    assert "object-src 'none'" in content_security_policy("text/html")
    assert "default-src 'none'" in content_security_policy("application/json")


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"<[^>]+\sstyle\s*=", re.IGNORECASE)
STYLE_ELEMENT = re.compile(r"<style[\s>]", re.IGNORECASE)
JAVASCRIPT_URL = re.compile(r"javascript:", re.IGNORECASE)


def test_templates_have_no_inline_script_or_style():
    """The policy allows no inline script and no inline style: nothing in a template may need them."""
    found = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        source = path.read_text(encoding="utf-8")
        for name, pattern in (
            ("inline <script>", INLINE_SCRIPT),
            ("event handler attribute", EVENT_HANDLER),
            ("style attribute", STYLE_ATTRIBUTE),
            ("<style> element", STYLE_ELEMENT),
            ("javascript: URL", JAVASCRIPT_URL),
        ):
            found.extend(f"{path.relative_to(TEMPLATES)}: {name}" for _ in pattern.findall(source))
    assert len(list(TEMPLATES.rglob("*.html"))) >= 20
    assert not found, "\n".join(found)


def test_hsts_and_the_clients_address_come_from_a_configured_proxy_only(database_url):
    plain = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url})
    forged = plain.test_client().get("/auth/login", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" not in forged.headers
    proxied = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url, "REVIEW_PROXY_COUNT": 1})
    response = proxied.test_client().get("/auth/login", headers={"X-Forwarded-Proto": "https"})
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    for app in (plain, proxied):
        with app.app_context():
            db.engine.dispose()


@pytest.mark.parametrize("value", ["-1", "one", "1.5", "²"])
def test_a_wrong_proxy_count_stops_the_start(monkeypatch, value):
    monkeypatch.setenv("REVIEW_PROXY_COUNT", value)
    with pytest.raises(ConfigError, match="REVIEW_PROXY_COUNT"):
        create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"})


# ---------------------------------------------------------------------------
# Cookies


def cookie(response, name: str) -> str:  # type: ignore[no-untyped-def]
    """Return the Set-Cookie header of cookie ``name``."""
    found = [c for c in response.headers.getlist("Set-Cookie") if c.startswith(f"{name}=")]
    assert found, f"no {name} cookie in {response.headers.getlist('Set-Cookie')}"
    return found[-1]


def attributes(set_cookie: str) -> set[str]:
    return {part.strip().split("=")[0].lower() for part in set_cookie.split(";")[1:]} | {
        part.strip().lower() for part in set_cookie.split(";")[1:] if part.strip().lower().startswith("samesite")
    }


@pytest.fixture
def production_app(monkeypatch, tmp_path):  # type: ignore[no-untyped-def]
    """Return the application configured as in production (no TESTING, no development), on SQLite."""
    for name in ("REVIEW_ENV", "FLASK_DEBUG", "REVIEW_PROXY_COUNT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SECRET_KEY", "a-production-secret-of-enough-length-0123456789")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'production.sqlite3'}")
    app = create_app()
    assert not app.testing
    with app.app_context():
        db.create_all()
    yield app
    with app.app_context():
        db.engine.dispose()


def sign_in_remembered(app, username: str, password: str):  # type: ignore[no-untyped-def]
    client = app.test_client()
    first = client.get("/auth/login")
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', first.get_data(as_text=True)).group(1)
    response = client.post(
        "/auth/login",
        data={"csrf_token": token, "username": username, "password": password, "remember": "y"},
    )
    return first, response


def test_cookies_are_secure_httponly_and_samesite_in_production(production_app):
    from review.cli import create_user
    from review.models import Role

    with production_app.app_context():
        create_user("quantri", Role.ADMIN, PASSWORD)
        db.session.commit()
    first, response = sign_in_remembered(production_app, "quantri", PASSWORD)
    assert response.status_code == 302
    for set_cookie in (cookie(first, "session"), cookie(response, "session"), cookie(response, "remember_token")):
        assert {"secure", "httponly", "samesite=lax"} <= attributes(set_cookie), set_cookie


def test_cookies_are_httponly_and_samesite_but_not_secure_in_tests(app, client, make_user):
    make_user("quantri", "admin")
    first, response = sign_in_remembered(app, "quantri", PASSWORD)
    for set_cookie in (cookie(first, "session"), cookie(response, "remember_token")):
        assert {"httponly", "samesite=lax"} <= attributes(set_cookie)
        assert "secure" not in attributes(set_cookie)
    remember = cookie(response, "remember_token")
    assert "Expires=" in remember or "Max-Age=" in remember


def test_development_cookies_are_not_secure(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("REVIEW_ENV", "development")
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert app.config["SESSION_COOKIE_SECURE"] is False and app.config["REMEMBER_COOKIE_SECURE"] is False
    assert app.config["SESSION_COOKIE_HTTPONLY"] and app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


# ---------------------------------------------------------------------------
# Passwords and accounts


def test_production_hashes_passwords_with_scrypt_at_full_cost(production_app):
    from review.cli import create_user
    from review.models import Role

    with production_app.app_context():
        user = create_user("quantri", Role.ADMIN, PASSWORD)
        db.session.commit()
        stored = user.password_hash
    assert stored.startswith("scrypt:32768:8:1$")  # werkzeug's scrypt: N=2^15, r=8, p=1
    assert PASSWORD not in stored and PASSWORD.encode().hex() not in stored
    salt, digest = stored.split("$")[1:]
    assert len(salt) >= 16 and len(digest) == 128


def test_user_create_stores_a_named_salted_hash(app, runner, monkeypatch):
    monkeypatch.setenv("REVIEW_PASSWORD", PASSWORD)
    for username in ("quantri", "quantri2"):
        assert runner.invoke(args=["user", "create", username, "--role", "admin"]).exit_code == 0
    with app.app_context():
        hashes = [u.password_hash for u in db.session.scalars(select(User).order_by(User.id))]
    assert all(h.startswith("scrypt:") and PASSWORD not in h for h in hashes)
    assert hashes[0] != hashes[1]  # salted: the same password, two hashes


def test_a_migrated_database_has_no_account(tmp_path):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'fresh.sqlite3'}"})
    result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 0
        db.engine.dispose()


def demo_accounts(runner, *args: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    result = runner.invoke(args=["demo", *args])
    assert result.exit_code == 0, result.output
    return dict(re.findall(r"^\s+\w+\s+(\S+)\s+(\S+)$", result.output, re.MULTILINE))


def test_demo_prints_random_passwords_once_and_keeps_them_unless_asked(app, runner, client, login):
    first = demo_accounts(runner)
    assert set(first) == {"quantri", "danguy", "bithu", "kiemphieu"}
    assert len(set(first.values())) == 4  # no shared password
    assert all(len(password) >= 12 for password in first.values())
    # Run again (bin/serve does, each start): no password changes, none is printed.
    assert demo_accounts(runner) == {}
    assert login("bithu", first["bithu"]).status_code == 302
    client.post("/auth/logout", data={"csrf_token": csrf_token(client, "/")})
    # Asked for: new random passwords, and the old ones stop working.
    second = demo_accounts(runner, "--new-passwords")
    assert set(second) == set(first)
    for username in first:
        assert first[username] != second[username]
        assert len(second[username]) >= 12
    assert login("bithu", first["bithu"]).status_code == 422
    assert login("bithu", second["bithu"]).status_code == 302


# ---------------------------------------------------------------------------
# Redirects after sign-in


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example/",
        "\\\\evil.example",
        "/\t/evil.example",
        "/\n/evil.example",
        "javascript:alert(1)",
        "evil.example",
        "/\u3000/evil.example",
    ],
)
def test_sign_in_never_redirects_off_the_site(target):
    assert safe_next(target) is None


@pytest.mark.parametrize("target", ["/", "/meetings/3/results", "/cells/1/members?x=1"])
def test_sign_in_redirects_to_pages_of_the_site(target):
    assert safe_next(target) == target


def test_sign_in_with_a_backslash_next_goes_home(client, make_user):
    make_user("quantri", "admin")
    token = csrf_token(client, "/auth/login")
    response = client.post(
        "/auth/login?next=/%5Cevil.example/", data={"csrf_token": token, "username": "quantri", "password": PASSWORD}
    )
    assert response.status_code == 302 and response.headers["Location"] == "/"
