"""The one clock of the application shell: every current time and date is read here.

The functional core (``rules``, ``meetingfile``, ``trust``, ...) reads no clock: the shell
passes it the times it needs. Everything below derives from :func:`instant`, so a test that
replaces it (``monkeypatch.setattr(clock, "instant", ...)``) freezes or moves every reading.

One convention (see ``review.models``): every instant the software records (the roll call,
the counting, the codes, the approvals, the seals, the exports, the audit trail, the sign-in
failures) is read from :func:`now`, an aware UTC datetime, and stored as UTC. It is shown in
the server's local wall-clock time (:func:`local`, the templates' ``when`` filter). Civil
times people type (a meeting's start and end, as the minutes write them) are not instants:
they stay naive, as typed; :func:`civil_now` and :func:`today` give the local wall-clock time
and date where a civil default is needed.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import overload

from .text import format_when


def instant() -> datetime:
    """Return the current moment, aware (UTC): the one reading every other function derives from."""
    return datetime.now(UTC)


def now() -> datetime:
    """Return the current instant, aware, in UTC: the time every record keeps."""
    return instant()


def utc_naive(moment: datetime) -> datetime:
    """Return an aware instant as naive UTC: the columns that keep naive UTC (audit trail, throttle)."""
    if moment.utcoffset() is None:
        raise ValueError(f"not an instant (a naive datetime has no time zone): {moment!r}")
    return moment.astimezone(UTC).replace(tzinfo=None)


@overload
def local(value: datetime) -> datetime: ...
@overload
def local(value: date) -> date: ...
@overload
def local(value: None) -> None: ...
def local(value: date | None) -> date | None:
    """Return an aware instant in the server's local wall-clock time, naive; anything else as is.

    A naive datetime is a civil time (as typed) and a date a calendar date: neither is converted.
    """
    if isinstance(value, datetime) and value.utcoffset() is not None:
        return value.astimezone().replace(tzinfo=None)
    return value


def when(value: date | None, form: str = "date") -> str:
    """Write a date, a civil time or an instant (in local time) as the templates' ``when`` filter does."""
    return format_when(local(value), form)


def civil_now() -> datetime:
    """Return the server's local wall-clock time, naive: a civil time, for a civil default."""
    return local(instant())


def today() -> date:
    """Return the server's local date."""
    return civil_now().date()
