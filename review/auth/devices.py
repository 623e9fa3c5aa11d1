"""The known-device cookie: a browser that signed in to an account before (OWASP's device cookie).

At each successful sign-in the browser gets (or keeps) a random device id for that account
in a cookie signed with SECRET_KEY. A later password try for that account from that browser
counts only that device's failures (review/auth/throttle_rules.py): someone guessing at the
account from elsewhere, or from the same office address, does not hold the owner back.

Chosen over "an address that signed in to the account before": an address is shared (an
office behind one router, where the guesser may sit too) and changes (mobile networks), so
it neither tells the owner from the guesser nor follows the owner; a cookie only a browser
that knew the password was given does both. Each entry carries a keyed digest of the
account's password hash, so a password change (``user password``) voids every device of
the account, a stolen browser's included. The cookie lives under /auth/ only, HttpOnly,
SameSite=Lax, Secure as the session cookie; it survives sign-out (that is its purpose) and
holds the last few accounts signed in from the browser.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from flask import Response, current_app, request
from itsdangerous import BadData, URLSafeTimedSerializer
from sqlalchemy import select

from ..extensions import db
from ..models import DEVICE_ID, User

COOKIE = "known_device"
COOKIE_PATH = "/auth/"
SALT = "review-known-device"
MAX_ACCOUNTS = 8  # accounts remembered by one browser (a shared office computer)

Entry = tuple[int, str, str]  # account id, device id, password mark


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def _duration() -> timedelta:
    return current_app.config["LOGIN_KNOWN_DEVICE_DURATION"]


def password_mark(user: User) -> str:
    """Return a keyed digest of the account's password hash: a new password voids its devices."""
    key = str(current_app.config["SECRET_KEY"]).encode("utf-8")
    message = f"{SALT}:{user.id}:{user.password_hash}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:32]


def _entries() -> list[Entry]:
    """Return the entries of the request's cookie: none when it is missing, forged, old or malformed."""
    raw = request.cookies.get(COOKIE)
    if not raw:
        return []
    try:
        data = _serializer().loads(raw, max_age=int(_duration().total_seconds()))
    except BadData:
        return []
    if not isinstance(data, list):
        return []
    entries: list[Entry] = []
    for item in data[:MAX_ACCOUNTS]:
        if (
            isinstance(item, list)
            and len(item) == 3
            and isinstance(item[0], int)
            and isinstance(item[1], str)
            and 0 < len(item[1]) <= DEVICE_ID
            and isinstance(item[2], str)
        ):
            entries.append((item[0], item[1], item[2]))
    return entries


def known_device(username: str) -> str | None:
    """Return the device id this browser holds for the account named ``username``, if valid."""
    entries = _entries()
    if not entries:
        return None
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None or not user.active:
        return None
    mark = password_mark(user)
    return next(
        (
            device
            for account_id, device, entry_mark in entries
            if account_id == user.id and hmac.compare_digest(entry_mark, mark)
        ),
        None,
    )


def remember_device(response: Response, user: User, device: str | None) -> None:
    """Set the cookie on ``response`` after ``user`` signed in: this browser is a known device of theirs."""
    entries = [entry for entry in _entries() if entry[0] != user.id]
    entries.insert(0, (user.id, device or secrets.token_urlsafe(16), password_mark(user)))
    config = current_app.config
    response.set_cookie(
        COOKIE,
        _serializer().dumps([list(entry) for entry in entries[:MAX_ACCOUNTS]]),
        max_age=int(_duration().total_seconds()),
        path=COOKIE_PATH,
        secure=bool(config["SESSION_COOKIE_SECURE"]),
        httponly=True,
        samesite="Lax",
    )
