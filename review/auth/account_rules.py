"""The account rules: the functional core, over plain values alone.

Pure functions with no Flask or database imports; the account pages (``review.accounts``) and
the command line (``user create``) ask them.

- A username is 3 to 64 characters of ASCII letters, digits, ``.``, ``_`` and ``-``, stored
  lowercased (typed ``NguyenVanA`` is the account ``nguyenvana``); unique (the database says so).
- A set-password link stays good for :data:`LINK_LIFETIME` (48 hours); none is issued for a
  disabled account (it would never work): unlock it first.
- A counter account is linked only to a member of its own cell who may count the ballots: an
  official member still on the roster (``rules.counter_bar``, as the committee form asks it; a
  member's attendance and suspension belong to a meeting, so the roster reads them as present
  and not suspended, and the committee form asks again at the meeting).
"""

from __future__ import annotations

import re
from datetime import timedelta

from ..rules import Attendance, Standing, counter_bar, counter_refusal
from ..translatable import N_, msg

USERNAME_MIN, USERNAME_MAX = 3, 64
# How long a set-password link stays good (review.auth.password_links): the one place it is said.
LINK_LIFETIME = timedelta(hours=48)
USERNAME_PATTERN = re.compile(r"[a-z0-9._-]+")

USERNAME_LENGTH = msg("Tên đăng nhập cần từ {low} đến {high} ký tự.", low=USERNAME_MIN, high=USERNAME_MAX)
USERNAME_CHARACTERS = N_(
    "Tên đăng nhập chỉ gồm chữ cái không dấu (a–z), chữ số và các dấu chấm (.), gạch dưới (_), gạch ngang (-)."
)
USERNAME_TAKEN = N_("Tên đăng nhập này đã có tài khoản khác dùng: chọn tên khác.")
MEMBER_ELSEWHERE = N_("Chỉ liên kết được với đảng viên của chi bộ của tài khoản.")
COUNTER_ONLY = N_("Chỉ tài khoản ban kiểm phiếu được liên kết với một đảng viên.")
DISABLED_NO_LINK = N_("Tài khoản {username} đang khóa: mở khóa trước rồi cấp đường dẫn đặt mật khẩu mới.")


def normal_username(text: str) -> str:
    """Return a typed username as stored: without surrounding spaces, lowercased."""
    return text.strip().lower()


def username_problems(username: str) -> list[str]:
    """Return the Vietnamese message of every rule ``username`` (as stored: :func:`normal_username`) fails."""
    problems: list[str] = []
    if not USERNAME_MIN <= len(username) <= USERNAME_MAX:
        problems.append(USERNAME_LENGTH)
    if username and not (username.isascii() and USERNAME_PATTERN.fullmatch(username)):
        problems.append(USERNAME_CHARACTERS)
    return problems


def username_hint() -> str:
    """Return the hint next to a new account's username field, from the rules' own limits."""
    return msg(
        "Từ {low} đến {high} ký tự: chữ cái không dấu, chữ số, dấu chấm, gạch dưới, gạch ngang."
        " Chữ hoa được đổi thành chữ thường.",
        low=USERNAME_MIN,
        high=USERNAME_MAX,
    )


def lifetime_text(lifetime: timedelta = LINK_LIFETIME) -> str:
    """Return how long a set-password link stays good, as the pages say it ("48 giờ")."""
    hours, rest = divmod(int(lifetime.total_seconds()), 3600)
    if not rest:
        return msg("{hours} giờ", hours=hours)
    return msg("{hours} giờ {minutes} phút", hours=hours, minutes=rest // 60)


def link_refusal(username: str, active: bool) -> str | None:
    """Return why no set-password link is issued for an account, or None: a disabled one's would never work."""
    return None if active else msg(DISABLED_NO_LINK, username=username)


def member_label(name: str, code: str, refusal: str | None) -> str:
    """Return how a member is offered to a counter account: name, code, and whether they may not count."""
    if refusal:
        return msg("{name} ({code}) — không được kiểm phiếu", name=name, code=code)
    return f"{name} ({code})"


def member_refusal(name: str, standing: Standing | str, retired: bool) -> str | None:
    """Return why a roster member may not be a counter account's member, or None when they may."""
    if retired:
        return msg("Đồng chí {name} đã rời chi bộ, không thể kiểm phiếu.", name=name)
    bar = counter_bar(standing, Attendance.PRESENT, False)
    return counter_refusal(name, bar) if bar is not None else None
