"""One-time set-password links: issue, find, use (no e-mail server: the creator hands the link over).

A link carries a random token (``secrets.token_urlsafe(32)``, 256 bits) shown once, in the
answer that creates it; only its SHA-256 (hex) is stored in ``PasswordLink.token_hash``, so the
database never holds a usable link. A link is good for :data:`LINK_LIFETIME` (48 hours), once; a
newer link for the same account revokes its older unused ones. Finding a link looks it up by
the token's hash (no comparison of secrets in Python, so nothing to time), and every way a link
is no good (unknown, garbage, expired, used, revoked) answers the same: None.

Using a link sets the password and marks the link used in the caller's one transaction, and
ends every session of the account (``User.set_password``). The page then sends the user to the
sign-in page (they type the new password once more, and learn their username there).

Concurrency. Using a link holds the account's row, then the link's, and reads the link again
under the lock: of two requests with one token at once, the second waits for the first and
finds the link used, the same "no good" answer (PostgreSQL runs READ COMMITTED; SQLite's
immediate write transaction already holds the database). Issuing holds the account's row
too, before revoking the older links, so two resets at once leave one good link.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from .. import clock
from ..database import lock_row
from ..extensions import db
from ..models import PasswordLink, User
from .account_rules import LINK_LIFETIME

TOKEN_BYTES = 32  # secrets.token_urlsafe(32): 43 URL-safe characters
MAX_TOKEN_LENGTH = 128  # anything longer is garbage: never hashed, never looked up


@dataclass(frozen=True)
class IssuedLink:
    """A link just issued: the token (shown once, never stored) and when it expires."""

    token: str
    expires_at: datetime
    link_id: int


def set_unusable_password(user: User) -> None:
    """Give a new account a password nobody knows, until its link is used.

    A real scrypt hash of a random secret thrown away at once, not a marker string: a sign-in
    attempt against the account takes as long as against any other (no telling by the time
    which accounts wait for their link), and no password matches it.
    """
    user.set_password(secrets.token_urlsafe(TOKEN_BYTES))


def token_hash(token: str) -> str:
    """Return the SHA-256 (hex) of a token, as stored."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_link(user: User, issued_by: User | None) -> IssuedLink:
    """Issue a new link for ``user`` (in the caller's transaction); revoke its older unused links."""
    lock_row(User, user.id)  # two resets at once: the second revokes the first's link
    now = clock.now()
    revoke_unused(user, now)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    link = PasswordLink(
        user_id=user.id,
        token_hash=token_hash(token),
        created_at=now,
        expires_at=now + LINK_LIFETIME,
        issued_by_id=issued_by.id if issued_by is not None else None,
    )
    db.session.add(link)
    db.session.flush()
    return IssuedLink(token, link.expires_at, link.id)


def revoke_unused(user: User, now: datetime) -> None:
    """Revoke the account's links not used nor revoked yet (row by row: the audit trail sees each)."""
    for link in db.session.scalars(
        select(PasswordLink).where(
            PasswordLink.user_id == user.id, PasswordLink.used_at.is_(None), PasswordLink.revoked_at.is_(None)
        )
    ):
        link.revoked_at = now


def is_good(link: PasswordLink, now: datetime | None = None) -> bool:
    """Return whether a link may still be used: not used, not revoked, not expired."""
    now = now or clock.now()
    return link.used_at is None and link.revoked_at is None and now < link.expires_at


def find_link(token: str) -> PasswordLink | None:
    """Return the good link of ``token`` with an active account, or None for every other case alike."""
    if not token or len(token) > MAX_TOKEN_LENGTH or not token.isascii():
        return None
    link = db.session.scalar(select(PasswordLink).where(PasswordLink.token_hash == token_hash(token)))
    if link is None or not is_good(link) or not link.user.active:
        return None
    return link


def use_link(token: str, password: str) -> User | None:
    """Set the password of the token's account and mark the link used (caller's transaction).

    Returns the account, or None when the link is no good (nothing changed). Every session of
    the account ends (``User.set_password``); so do its other outstanding links (revoked).
    """
    found = find_link(token)
    if found is None:
        return None
    # The account first, as issue_link does (one order: no deadlock), then the link, read again
    # under its lock: a request with the same token that got there first has used it meanwhile.
    lock_row(User, found.user_id)
    link = db.session.scalar(
        select(PasswordLink)
        .where(PasswordLink.id == found.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    now = clock.now()
    if link is None or not is_good(link, now):
        return None
    db.session.refresh(link.user)
    if not link.user.active:
        return None
    link.used_at = now
    user = link.user
    user.set_password(password)
    revoke_unused(user, now)
    return user


def outstanding_links(user_ids: list[int]) -> dict[int, datetime]:
    """Return, for each account that has one, the expiry of its good link (the newest)."""
    if not user_ids:
        return {}
    now = clock.now()
    rows = db.session.execute(
        select(PasswordLink.user_id, PasswordLink.expires_at)
        .where(
            PasswordLink.user_id.in_(user_ids),
            PasswordLink.used_at.is_(None),
            PasswordLink.revoked_at.is_(None),
        )
        .order_by(PasswordLink.id)
    )
    found: dict[int, datetime] = {}
    for user_id, expires_at in rows:
        if now < expires_at:
            found[user_id] = expires_at
    return found
