"""Sign-in throttling: too many failures for one account or from one address stop further tries.

Failures are rows of ``login_failure`` (so every server process sees them). Within the
window (LOGIN_FAILURE_WINDOW, 15 minutes), LOGIN_MAX_FAILURES_PER_ACCOUNT failures for one
username, or LOGIN_MAX_FAILURES_PER_ADDRESS failures from one address (passwords and
one-time codes together), refuse every further try until enough of them are older than the
window. A refused try is not checked and not counted, so the wait ends on its own. The same
answer is given whether the account exists or not. A successful sign-in clears the account's
failures. The clock is ``app.config["REVIEW_CLOCK"]`` when set (tests), UTC otherwise.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask import current_app, request
from sqlalchemy import delete, select, text

from ..extensions import db
from ..models import LoginFailure

PASSWORD, CODE = "password", "code"
ADDRESS_LENGTH = LoginFailure.__table__.c.address.type.length
ACCOUNT_LENGTH = LoginFailure.__table__.c.account.type.length


@dataclass(frozen=True)
class Refusal:
    """A sign-in refused for too many failures, and when to try again."""

    retry_after: timedelta

    @property
    def seconds(self) -> int:
        """Return the wait in whole seconds, at least one."""
        return max(1, math.ceil(self.retry_after.total_seconds()))

    @property
    def message(self) -> str:
        """Return the Vietnamese message, the same whether the account exists or not."""
        minutes = max(1, math.ceil(self.seconds / 60))
        return (
            "Đăng nhập sai quá nhiều lần. Để bảo vệ tài khoản, tạm thời không nhận đăng nhập; "
            f"vui lòng thử lại sau khoảng {minutes} phút."
        )


def now() -> datetime:
    """Return the current time (naive UTC), from the configured clock if there is one."""
    clock = current_app.config.get("REVIEW_CLOCK")
    if clock is not None:
        return clock()
    return datetime.now(UTC).replace(tzinfo=None)


def client_address() -> str:
    """Return the client's address (behind REVIEW_PROXY_COUNT proxies, the one they report)."""
    return (request.remote_addr or "unknown")[:ADDRESS_LENGTH]


def account_key(username: str | None) -> str:
    """Return the username as failures are counted under it."""
    return (username or "")[:ACCOUNT_LENGTH]


def _wait(column, value: str, limit: int, moment: datetime, window: timedelta) -> timedelta | None:  # type: ignore[no-untyped-def]
    """Return how long ``value`` stays refused, or None when it has fewer than ``limit`` recent failures."""
    if limit <= 0:
        return None
    recent = (
        select(LoginFailure.failed_at)
        .where(column == value, LoginFailure.failed_at > moment - window)
        .order_by(LoginFailure.failed_at.desc())
        .limit(limit)
    )
    times = list(db.session.scalars(recent))
    if len(times) < limit:
        return None
    # Free again once the limit-th latest failure is older than the window.
    return times[-1] + window - moment


def hold(keys: list[str]) -> None:
    """Serialise sign-ins with the same address or account until the transaction ends.

    SQLite's immediate write transaction already holds the whole database; PostgreSQL takes
    a transaction-level advisory lock per key, addresses first, so that parallel guesses
    cannot all read the count before any of them adds to it.
    """
    if db.session.get_bind().dialect.name != "postgresql":
        return
    for key in keys:
        db.session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": key})


def refusal(username: str | None) -> Refusal | None:
    """Return the refusal of a sign-in for ``username`` (None for a code) from this address, if any.

    Call it inside the write transaction that records the failure (see :func:`hold`).
    """
    config = current_app.config
    window: timedelta = config["LOGIN_FAILURE_WINDOW"]
    hold([f"login-address:{client_address()}"] + ([f"login-account:{account_key(username)}"] if username is not None else []))
    moment = now()
    waits = [_wait(LoginFailure.address, client_address(), config["LOGIN_MAX_FAILURES_PER_ADDRESS"], moment, window)]
    if username is not None:
        waits.append(
            _wait(LoginFailure.account, account_key(username), config["LOGIN_MAX_FAILURES_PER_ACCOUNT"], moment, window)
        )
    longest = max((w for w in waits if w is not None), default=None)
    return Refusal(longest) if longest is not None else None


def record_failure(kind: str, username: str | None = None) -> None:
    """Add a failed sign-in (inside the caller's write transaction); forget failures out of the window."""
    moment = now()
    window: timedelta = current_app.config["LOGIN_FAILURE_WINDOW"]
    db.session.execute(delete(LoginFailure).where(LoginFailure.failed_at <= moment - window))
    db.session.add(
        LoginFailure(
            kind=kind,
            account=account_key(username) if username is not None else None,
            address=client_address(),
            failed_at=moment,
        )
    )


def forget_failures(username: str) -> None:
    """Clear the account's failures after it signed in (inside the caller's write transaction)."""
    db.session.execute(delete(LoginFailure).where(LoginFailure.account == account_key(username)))

