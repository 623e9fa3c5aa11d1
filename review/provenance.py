"""Which browser session a request belongs to: a random id kept in the Flask session.

The first sign-in in a browser (a password or a one-time code: both go through
``flask_login.login_user``; a session restored from the remember-me cookie counts too)
gives that browser's session a random id, and later sign-ins in the same browser keep it:
``login_user`` and ``logout_user`` only replace flask_login's own keys (``_user_id``,
``_fresh``, ``_id``...), so switching accounts in one browser (the secretary redeeming a
counter's code, signing out, signing in again) keeps the id. Entries and seal approvals
record it with the client's address (``review.counting.Source``), so that the results page
and the seal can say when two of them, even by different accounts, came from one browser
session (``review.trust``). The id is no secret and proves nothing by itself: it only tells
browser sessions apart, and a browser whose cookies were cleared starts a new one.
"""

from __future__ import annotations

import secrets
from typing import Any

from flask import session
from flask_login import user_loaded_from_cookie, user_logged_in

from .auth.throttle import client_address
from .counting import Source

SIGN_IN_KEY = "sign_in_id"


def name_browser_session(sender: Any = None, **extra: Any) -> None:
    """Give the browser session an id at its first sign-in (flask_login's signals call this).

    A session that has an id keeps it: the id names the browser session, not the account
    signed in, so that one person switching accounts in one browser is still seen as one.
    """
    current = session.get(SIGN_IN_KEY)
    if not isinstance(current, str) or not current:
        session[SIGN_IN_KEY] = secrets.token_urlsafe(12)


user_logged_in.connect(name_browser_session)
user_loaded_from_cookie.connect(name_browser_session)


def sign_in_id() -> str:
    """Return the browser session's id; a session signed in before ids existed gets one now."""
    name_browser_session()
    return session[SIGN_IN_KEY]


def request_source() -> Source:
    """Return where the current request comes from: its browser session and the client's address."""
    return Source(sign_in_id=sign_in_id(), address=client_address())
