"""The sign-in throttling rules: the functional core, over failure times only.

Pure functions with no Flask or database imports; ``review.auth.throttle`` gathers the
recent failures from ``login_failure`` and asks :func:`refusal`. Every count is of failures
within the window (15 minutes by default) before the moment of the try.

A password try for account A from address X, by a browser that holds no known-device
cookie of A (an *unknown* browser), is

1. refused when the pair (A, X) has ``per_pair`` (5) failures: the same five guesses an
   account got from one address before, and a typo-prone owner elsewhere is not touched;
2. refused when A has ``per_account`` (20) failures from unknown browsers, all addresses
   together: the ceiling against guessers spread over many addresses;
3. refused when X has ``per_address`` (20) failures, all accounts together, and A already
   failed from X;
4. slowed when X has ``slow_after`` (10) failures: a try waits until ``interval``
   (window / (per_address - slow_after) = 90 s) has passed since X's latest failure.

Rule 4 is what keeps an office usable and the guessing bound as it was: at most
``slow_after`` failures from X can happen while X has fewer than ``slow_after`` in the
window, and the slowed ones are ``interval`` apart, so no window ever holds more than
``slow_after + window / interval = per_address`` (20) failures from one address; a person
at that address who has not failed waits at most ``interval`` instead of being shut out.

A try by a browser holding a valid known-device cookie of A (set at a successful sign-in,
OWASP's device-cookie advice) counts only that device's failures for A: refused at
``per_pair`` (5). Neither the address nor the account-wide ceiling holds it back, so the
owner at a known browser gets in while others guess at the account or from the office.

A one-time code (no account) follows rules 3 and 4 with "already failed" always true:
refused at ``per_address`` failures from X, slowed from ``slow_after``.

A refused or slowed try is neither checked nor counted, so every wait ends on its own.
The rules see only failure times keyed by the name typed, never whether the account
exists, so an unknown name gets the same answers as a real one.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from review.translatable import msg  # absolute: review.auth (a blueprint) is not imported


@dataclass(frozen=True)
class Limits:
    """The throttling numbers (config LOGIN_*)."""

    window: timedelta
    per_pair: int
    per_account: int
    per_address: int
    slow_after: int

    @property
    def interval(self) -> timedelta:
        """Return the wait between failures from a slowed address (90 s with the defaults).

        ``window / (per_address - slow_after)``: the slowed failures of one window stay at
        ``per_address - slow_after``, so an address never gets more than ``per_address``.
        """
        slowed = self.per_address - self.slow_after
        return self.window / slowed if slowed > 0 else self.window


@dataclass(frozen=True)
class Recent:
    """The failures within the window before a try, each sequence latest first.

    ``pair``: of the account from this address by unknown browsers; ``account``: of the
    account by unknown browsers from every address; ``address``: from this address, every
    account and one-time codes included; ``device``: of the account by the known device
    the browser holds, or None when it holds none. A sequence may be cut after the count
    its rule needs (the latest ones kept).
    """

    pair: Sequence[datetime] = ()
    account: Sequence[datetime] = ()
    address: Sequence[datetime] = ()
    device: Sequence[datetime] | None = None


@dataclass(frozen=True)
class Refusal:
    """A sign-in refused (or slowed) for too many failures, and when to try again."""

    retry_after: timedelta
    slowed: bool = False

    @property
    def seconds(self) -> int:
        """Return the wait in whole seconds, at least one."""
        return max(1, math.ceil(self.retry_after.total_seconds()))

    @property
    def message(self) -> str:
        """Return the Vietnamese message, the same whether the account exists or not."""
        if self.slowed:
            return msg(
                "Có nhiều lần đăng nhập sai từ địa chỉ mạng này. Để chống dò mật khẩu, mỗi lần thử "
                "phải cách nhau một lúc; vui lòng chờ khoảng {seconds} giây rồi thử lại.",
                seconds=self.seconds,
            )
        minutes = max(1, math.ceil(self.seconds / 60))
        return msg(
            "Đăng nhập sai quá nhiều lần. Để bảo vệ tài khoản, tạm thời không nhận đăng nhập; "
            "vui lòng thử lại sau khoảng {minutes} phút.",
            minutes=minutes,
        )


def _refused_for(times: Sequence[datetime], limit: int, moment: datetime, window: timedelta) -> timedelta | None:
    """Return how long a key with these failures stays refused, or None below ``limit``."""
    if limit <= 0 or len(times) < limit:
        return None
    # Free again once the limit-th latest failure is older than the window.
    return max(times[limit - 1] + window - moment, timedelta(0)) or None


def _slowed_for(address: Sequence[datetime], limits: Limits, moment: datetime) -> timedelta | None:
    """Return how long a slowed address must still wait, or None when it is not slowed."""
    if limits.slow_after <= 0 or len(address) < limits.slow_after:
        return None
    wait = address[0] + limits.interval - moment
    return wait if wait > timedelta(0) else None


def _first(*refusals: timedelta | None) -> timedelta | None:
    return max((r for r in refusals if r is not None), default=None)


def password_refusal(recent: Recent, limits: Limits, moment: datetime) -> Refusal | None:
    """Return the refusal of a password try (see the module's rules), or None to check it."""
    window = limits.window
    if recent.device is not None:
        wait = _refused_for(recent.device, limits.per_pair, moment, window)
        return Refusal(wait) if wait is not None else None
    refused = _first(
        _refused_for(recent.pair, limits.per_pair, moment, window),
        _refused_for(recent.account, limits.per_account, moment, window),
        _refused_for(recent.address, limits.per_address, moment, window) if recent.pair else None,
    )
    if refused is not None:
        return Refusal(refused)
    slowed = _slowed_for(recent.address, limits, moment)
    return Refusal(slowed, slowed=True) if slowed is not None else None


def code_refusal(address: Sequence[datetime], limits: Limits, moment: datetime) -> Refusal | None:
    """Return the refusal of a one-time code try from an address with these failures, or None."""
    refused = _refused_for(address, limits.per_address, moment, limits.window)
    if refused is not None:
        return Refusal(refused)
    slowed = _slowed_for(address, limits, moment)
    return Refusal(slowed, slowed=True) if slowed is not None else None
