"""The account rules: the functional core, over plain values alone.

Pure functions with no Flask or database imports; the account pages (``review.accounts``) and
the command line (``user create``) ask them.

- A username is 3 to 64 characters of ASCII letters, digits, ``.``, ``_`` and ``-``, stored
  lowercased (typed ``NguyenVanA`` is the account ``nguyenvana``); unique (the database says so).
- A counter account is linked only to a member of its own cell who may count the ballots: an
  official member still on the roster (``rules.counter_bar``, as the committee form asks it; a
  member's attendance and suspension belong to a meeting, so the roster reads them as present
  and not suspended, and the committee form asks again at the meeting).
"""

from __future__ import annotations

import re

from ..rules import Attendance, Standing, counter_bar, counter_refusal

USERNAME_MIN, USERNAME_MAX = 3, 64
USERNAME_PATTERN = re.compile(r"[a-z0-9._-]+")

USERNAME_LENGTH = f"Tên đăng nhập cần từ {USERNAME_MIN} đến {USERNAME_MAX} ký tự."
USERNAME_CHARACTERS = (
    "Tên đăng nhập chỉ gồm chữ cái không dấu (a–z), chữ số và các dấu chấm (.), gạch dưới (_), gạch ngang (-)."
)
USERNAME_TAKEN = "Tên đăng nhập này đã có tài khoản khác dùng: chọn tên khác."
MEMBER_ELSEWHERE = "Chỉ liên kết được với đảng viên của chi bộ của tài khoản."


def normal_username(text: str) -> str:
    """Return a typed username as stored: without surrounding spaces, lowercased."""
    return text.strip().lower()


def username_problems(username: str) -> list[str]:
    """Return the Vietnamese message of every rule ``username`` (as stored: :func:`normal_username`) fails."""
    problems = []
    if not USERNAME_MIN <= len(username) <= USERNAME_MAX:
        problems.append(USERNAME_LENGTH)
    if username and not (username.isascii() and USERNAME_PATTERN.fullmatch(username)):
        problems.append(USERNAME_CHARACTERS)
    return problems


def member_refusal(name: str, standing: Standing | str, retired: bool) -> str | None:
    """Return why a roster member may not be a counter account's member, or None when they may."""
    if retired:
        return f"Đồng chí {name} đã rời chi bộ, không thể kiểm phiếu."
    bar = counter_bar(standing, Attendance.PRESENT, False)
    return counter_refusal(name, bar) if bar is not None else None
