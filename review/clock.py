"""The one clock of the application shell: every current time and date is read here.

The functional core (``rules``, ``meetingfile``, ``trust``, ...) reads no clock: the shell
passes it the times it needs. Everything below derives from :func:`instant`, so a test that
replaces it (``monkeypatch.setattr(clock, "instant", ...)``) freezes or moves every reading.

Stored times are naive (``DateTime`` without a time zone), in one of two kinds, as they have
been stored from the start (see ``review.models``):

- :func:`now`: the server's local wall-clock time, for the meeting's record (roll call,
  counting, codes, approvals, seals, exports): what the minutes and the pages show;
- :func:`utcnow`: UTC, for the audit trail and the sign-in throttle (and the database's own
  ``created_at`` defaults, CURRENT_TIMESTAMP).
"""

from __future__ import annotations

from datetime import UTC, date, datetime


def instant() -> datetime:
    """Return the current moment, aware (UTC): the one reading every other function derives from."""
    return datetime.now(UTC)


def now() -> datetime:
    """Return the server's local time, naive: the time the meeting's records keep."""
    return instant().astimezone().replace(tzinfo=None)


def utcnow() -> datetime:
    """Return the time in UTC, naive: the time the audit trail and the sign-in throttle keep."""
    return instant().replace(tzinfo=None)


def today() -> date:
    """Return the server's local date."""
    return now().date()
