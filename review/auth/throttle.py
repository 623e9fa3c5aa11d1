"""Sign-in throttling: failures counted per account and address together, in the database.

The rules are in :mod:`review.auth.throttle_rules` (pure); this module gathers the recent
failures from ``login_failure`` (so every server process sees them), takes the locks and
records the failures. The numbers, within LOGIN_FAILURE_WINDOW (15 minutes):

* an account from one address (the pair): refused after LOGIN_MAX_FAILURES_PER_PAIR (5)
  failures; a successful sign-in clears that pair's failures only;
* an account from every address, for browsers without its known-device cookie: refused
  after LOGIN_MAX_FAILURES_PER_ACCOUNT (20);
* one address, every account and one-time codes together: from
  LOGIN_SLOW_AFTER_FAILURES_PER_ADDRESS (10) failures each try waits 90 seconds after the
  address's latest failure (429 with Retry-After), so no window holds more than
  LOGIN_MAX_FAILURES_PER_ADDRESS (20) failures from one address, as before; at 20, accounts
  that already failed from there, and one-time codes, are refused;
* a browser holding the account's known-device cookie (``review.auth.devices``, set at a
  successful sign-in) counts only its own failures: refused after 5; the address and the
  account-wide ceiling do not hold it back.

An attacker at one address thus gets at most 5 guesses per account and 20 in all per
window, as before; the owner is not locked out by someone else's failures at another
address (or, at a known browser, at any address), and an office address with many
failures slows its users down instead of shutting them out. A refused try is not checked
and not counted, so every wait ends on its own. The same answer is given whether the
account exists or not. The clock is ``review.clock`` (UTC), which tests move by
hand.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app, request
from sqlalchemy import ColumnElement, delete, select, text

from .. import clock
from ..extensions import db
from ..models import LoginFailure
from .throttle_rules import Limits, Recent, Refusal, code_refusal, password_refusal

__all__ = ["CODE", "PASSWORD", "Refusal", "forget_failures", "record_failure", "refusal"]

PASSWORD, CODE = "password", "code"
ADDRESS_LENGTH = LoginFailure.__table__.c.address.type.length
ACCOUNT_LENGTH = LoginFailure.__table__.c.account.type.length


def limits() -> Limits:
    """Return the configured throttling numbers."""
    config = current_app.config
    return Limits(
        window=config["LOGIN_FAILURE_WINDOW"],
        per_pair=config["LOGIN_MAX_FAILURES_PER_PAIR"],
        per_account=config["LOGIN_MAX_FAILURES_PER_ACCOUNT"],
        per_address=config["LOGIN_MAX_FAILURES_PER_ADDRESS"],
        slow_after=config["LOGIN_SLOW_AFTER_FAILURES_PER_ADDRESS"],
    )


def now() -> datetime:
    """Return the current time (naive UTC): failures are kept in UTC (``review.clock``)."""
    return clock.utc_naive(clock.now())


def client_address() -> str:
    """Return the client's address (behind REVIEW_PROXY_COUNT proxies, the one they report)."""
    return (request.remote_addr or "unknown")[:ADDRESS_LENGTH]


def account_key(username: str | None) -> str:
    """Return the username as failures are counted under it."""
    return (username or "")[:ACCOUNT_LENGTH]


def _recent(*conditions: ColumnElement[bool], moment: datetime, window: timedelta, limit: int) -> list[datetime]:
    """Return the times of the latest ``limit`` failures within the window that meet ``conditions``."""
    if limit <= 0:
        return []
    query = (
        select(LoginFailure.failed_at)
        .where(*conditions, LoginFailure.failed_at > moment - window)
        .order_by(LoginFailure.failed_at.desc())
        .limit(limit)
    )
    return list(db.session.scalars(query))


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


def refusal(username: str | None, device: str | None = None) -> Refusal | None:
    """Return the refusal of a sign-in from this address, or None to check it.

    ``username`` is the name typed (None for a one-time code); ``device`` the known device
    of that account the browser holds (``review.auth.devices``), if any. Call it inside the
    write transaction that records the failure (see :func:`hold`).
    """
    rules = limits()
    address = client_address()
    hold([f"login-address:{address}"] + ([f"login-account:{account_key(username)}"] if username is not None else []))
    moment = now()
    window = rules.window
    from_address = _recent(
        LoginFailure.address == address, moment=moment, window=window, limit=max(rules.per_address, rules.slow_after)
    )
    if username is None:
        return code_refusal(from_address, rules, moment)
    account = LoginFailure.account == account_key(username)
    if device is not None:
        recent = Recent(
            device=_recent(account, LoginFailure.device == device, moment=moment, window=window, limit=rules.per_pair)
        )
    else:
        unknown = LoginFailure.device.is_(None)
        recent = Recent(
            pair=_recent(
                account, unknown, LoginFailure.address == address, moment=moment, window=window, limit=rules.per_pair
            ),
            account=_recent(account, unknown, moment=moment, window=window, limit=rules.per_account),
            address=from_address,
        )
    return password_refusal(recent, rules, moment)


def record_failure(kind: str, username: str | None = None, device: str | None = None) -> None:
    """Add a failed sign-in (inside the caller's write transaction); forget failures out of the window."""
    moment = now()
    window: timedelta = current_app.config["LOGIN_FAILURE_WINDOW"]
    db.session.execute(delete(LoginFailure).where(LoginFailure.failed_at <= moment - window))
    db.session.add(
        LoginFailure(
            kind=kind,
            account=account_key(username) if username is not None else None,
            address=client_address(),
            device=device,
            failed_at=moment,
        )
    )


def forget_failures(username: str, device: str | None = None) -> None:
    """Clear the failures of this pair after it signed in (inside the caller's write transaction).

    The pair is the account with the known device the browser holds, or else with this
    address: failures of the account elsewhere stay counted (someone else's guesses).
    """
    origin = (
        LoginFailure.device == device
        if device is not None
        else ((LoginFailure.device.is_(None)) & (LoginFailure.address == client_address()))
    )
    db.session.execute(delete(LoginFailure).where(LoginFailure.account == account_key(username), origin))
