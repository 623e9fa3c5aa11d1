"""Load the configuration from the environment."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit


class ConfigError(RuntimeError):
    """A setting the application cannot start without is missing or wrong."""


TESTING_SECRET = "testing-only-not-secret"


def development_secret(instance: Path) -> str:
    """Return this machine's development secret, made once and kept in the instance folder."""
    path = instance / "development-secret-key"
    if not path.exists():
        instance.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32), encoding="ascii")
        path.chmod(0o600)
    return path.read_text(encoding="ascii").strip()


def flag(value: str | None, *, default: bool) -> bool:
    """Read an on/off setting: 1, true, yes, on (any case) or 0, false, no, off; unset: ``default``."""
    if value is None or not value.strip():
        return default
    word = value.strip().lower()
    if word in ("1", "true", "yes", "on"):
        return True
    if word in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"expected on or off (1/0, true/false), got {value!r}")


def job_runner(value: str | None, database_url: str, testing: bool) -> str:
    """Return JOB_RUNNER: as set (worker or thread), else worker on PostgreSQL outside the tests."""
    if value:
        if value not in ("worker", "thread"):
            raise ConfigError(f"REVIEW_JOB_RUNNER must be worker or thread, not {value!r}")
        return value
    return "worker" if database_url.startswith("postgres") and not testing else "thread"


def load_config(instance_path: str, overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Return the settings: defaults, then the environment, then ``overrides`` (tests)."""
    overrides = dict(overrides or {})
    env = os.environ
    testing = bool(overrides.get("TESTING"))
    development = env.get("FLASK_DEBUG") == "1" or env.get("REVIEW_ENV") == "development"
    config: dict[str, Any] = {
        # Embedded default: SQLite in the instance folder (a relative path resolves there).
        "SQLALCHEMY_DATABASE_URI": normalize_database_url(env.get("DATABASE_URL", "sqlite:///review.sqlite3")),
        "SECRET_KEY": env.get("SECRET_KEY"),
        "SQLITE_BUSY_TIMEOUT_MS": int(env.get("SQLITE_BUSY_TIMEOUT_MS", "15000")),
        "BABEL_DEFAULT_LOCALE": "vi",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Ho_Chi_Minh",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": not (development or testing),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": not (development or testing),
        "REMEMBER_COOKIE_DURATION": timedelta(days=14),
        # How many proxies in front of the application set X-Forwarded-For/-Proto/-Host
        # (0: none; the client's address is the connection's).
        "REVIEW_PROXY_COUNT": proxy_count(env.get("REVIEW_PROXY_COUNT", "0")),
        # Sign-in throttling (review/auth/throttle.py): failures within the window.
        # The rules and why these numbers are in review/auth/throttle_rules.py.
        "LOGIN_FAILURE_WINDOW": timedelta(minutes=15),
        "LOGIN_MAX_FAILURES_PER_PAIR": 5,  # one account from one address (or one known device)
        "LOGIN_MAX_FAILURES_PER_ACCOUNT": 20,  # one account from every address, unknown browsers
        "LOGIN_MAX_FAILURES_PER_ADDRESS": 20,  # one address, every account and one-time codes
        "LOGIN_SLOW_AFTER_FAILURES_PER_ADDRESS": 10,  # then one try per window / (20 - 10) = 90 s
        # The known-device cookie (review/auth/devices.py) lasts this long after a sign-in.
        "LOGIN_KNOWN_DEVICE_DURATION": timedelta(days=180),
        "WTF_CSRF_TIME_LIMIT": None,
        # No request body over 8 MiB is read (413): Werkzeug sets no limit on a form-encoded
        # body by itself, and the largest form (a review with many 20,000-character texts)
        # stays well under it.
        "MAX_CONTENT_LENGTH": 8 * 1024 * 1024,
        # scrypt with werkzeug's parameters (N=2^15, r=8, p=1); the test suite, which creates
        # hundreds of accounts, uses scrypt with a small N so that hashing does not dominate it.
        "PASSWORD_HASH_METHOD": "scrypt:1024:8:1" if testing else "scrypt",
        "REVIEW_DEVELOPMENT": development,
        # The application's public address (https://host[/prefix]): links handed to others
        # (the one-time code sign-in page) are built from it, never from the request's Host.
        "REVIEW_BASE_URL": env.get("REVIEW_BASE_URL") or None,
        # One JSON line per request on standard error (review/request_log.py); off in tests and development.
        # Where the background jobs write their files (the ward's ZIPs) and where uploads wait for
        # their confirmation: folders every web server of a deployment must see (default: in the
        # instance folder, review/ward/exports.py, review/upload_stash.py).
        "EXPORT_DIR": env.get("EXPORT_DIR") or None,
        "UPLOAD_DIR": env.get("UPLOAD_DIR") or None,
        # Who runs the long jobs (review/jobs.py): "worker" processes (flask --app review worker),
        # PostgreSQL's default outside the tests, or a "thread" of the web process (SQLite, tests).
        "JOB_RUNNER": job_runner(env.get("REVIEW_JOB_RUNNER"), env.get("DATABASE_URL", ""), testing),
        "JOB_LEASE_SECONDS": int(env.get("REVIEW_JOB_LEASE_SECONDS", "60")),
        "JOB_MAX_ATTEMPTS": int(env.get("REVIEW_JOB_MAX_ATTEMPTS", "3")),
        # The commands' language (review/i18n.py); pages choose theirs per request.
        "CLI_LANGUAGE": env.get("REVIEW_LANGUAGE") or None,
        "REQUEST_LOG": flag(env.get("REVIEW_REQUEST_LOG"), default=not (testing or development)),
    }
    config.update(overrides)
    config["REVIEW_BASE_URL"] = base_url(config.get("REVIEW_BASE_URL"))
    if not config["SECRET_KEY"]:
        if config.get("TESTING"):
            config["SECRET_KEY"] = TESTING_SECRET
        elif development:
            config["SECRET_KEY"] = development_secret(Path(instance_path))
        else:
            raise ConfigError(
                "SECRET_KEY is not set. Set it in the environment to a long random value "
                "(python -c 'import secrets; print(secrets.token_hex(32))'), "
                "or set REVIEW_ENV=development for a development server."
            )
    config["SQLALCHEMY_DATABASE_URI"] = normalize_database_url(config["SQLALCHEMY_DATABASE_URI"])
    config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(config["SQLALCHEMY_DATABASE_URI"])
    return config


def proxy_count(value: str) -> int:
    """Return REVIEW_PROXY_COUNT as a number of trusted proxies."""
    if not (value.strip().isascii() and value.strip().isdigit()):
        raise ConfigError(f"REVIEW_PROXY_COUNT must be a whole number of proxies (0 for none), not {value!r}.")
    return int(value)


def base_url(value: str | None) -> str | None:
    """Return REVIEW_BASE_URL checked (an absolute http(s) URL, no query or fragment), without a
    trailing slash; None when it is not set."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    parts = urlsplit(value)
    try:
        parts.port  # noqa: B018  (a port that is not a number raises)
    except ValueError:
        parts = urlsplit("")  # refused below
    if (
        parts.scheme not in ("http", "https")
        or not parts.hostname
        or parts.query
        or parts.fragment
        or "?" in value
        or "#" in value
        or parts.username is not None
        or parts.password is not None
        or any(c.isspace() or ord(c) < 0x20 for c in value)
    ):
        raise ConfigError(
            f"REVIEW_BASE_URL must be the application's absolute http(s) address without query, "
            f"fragment or credentials (https://kiemdiem.example.vn), not {value!r}."
        )
    return value.rstrip("/")


def normalize_database_url(url: str) -> str:
    """Return the URL with PostgreSQL pointed at psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def engine_options(url: str) -> dict[str, Any]:
    """Return the engine options for the database behind ``url``."""
    if url.startswith("sqlite"):
        return {}
    # The session's time zone UTC: the CURRENT_TIMESTAMP defaults (created_at) store UTC, as on SQLite.
    return {"pool_pre_ping": True, "connect_args": {"options": "-c timezone=UTC"}}
