"""A sign-in noted on the account, whatever way it signed in (a password, a one-time code)."""

from __future__ import annotations

from .. import clock
from ..models import User


def record_sign_in(account: User | None) -> None:
    """Note the account's sign-in time (User.last_sign_in_at, shown to its ward), in the caller's transaction.

    user_account is an audited table, and no column of an audited table is left out of the
    trail (review/audit.py has no such exception, on purpose: the chain records every change of
    the record). So each sign-in writes one audit entry, ``last_sign_in_at`` before and after:
    accepted as the sign-in record it is (who signed in, when), in the same hash chain as the
    changes that account then makes. It costs one INSERT per sign-in, not per page. A new
    one-time-code account is noted before its first flush: its INSERT carries the time.
    """
    if account is not None:
        account.last_sign_in_at = clock.now()
