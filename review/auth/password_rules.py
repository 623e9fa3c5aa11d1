"""The password rules: the functional core, over the texts alone.

Pure functions with no Flask or database imports; the password page (``review.auth.routes``)
and the command line (``user create``, ``user password``) ask :func:`password_problems` and
refuse a new password with every message it returns. A new password must

1. have at least :data:`MIN_LENGTH` (10) characters, counted in NFC (a letter with its marks
   is one character however it was typed);
2. not be the username, ignoring case and surrounding spaces (compared in NFC);
3. not be in the list of common passwords shipped in ``review/data/common-passwords.txt``,
   ignoring case and surrounding spaces as well.

The password itself is stored as typed (only its hash): the rules only read it.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Collection
from functools import cache
from importlib import resources

from review.translatable import N_, msg  # absolute: review.auth (a blueprint) is not imported

MIN_LENGTH = 10
COMMON_FILE = "common-passwords.txt"  # in the package's data/ directory

TOO_SHORT = msg("Mật khẩu cần ít nhất {count} ký tự.", count=MIN_LENGTH)
SAME_AS_USERNAME = N_("Mật khẩu không được trùng tên đăng nhập.")
TOO_COMMON = N_("Mật khẩu này quá phổ biến, dễ bị đoán: chọn mật khẩu khác.")

# Every message, in the order the rules are checked and their messages returned.
MESSAGES = (TOO_SHORT, SAME_AS_USERNAME, TOO_COMMON)


def password_hint() -> str:
    """Return the rule a new password is told to follow, from :data:`MIN_LENGTH` ("ít nhất 10 ký tự")."""
    return msg("ít nhất {count} ký tự", count=MIN_LENGTH)


def new_password_hint() -> str:
    """Return the hint beside a new password's field: every rule of this module, in one sentence."""
    return msg(
        "Ít nhất {count} ký tự, khác tên đăng nhập, không phải mật khẩu phổ biến (như matkhau123). "
        "Nên dùng một câu dễ nhớ.",
        count=MIN_LENGTH,
    )


def folded(text: str) -> str:
    """Return ``text`` as the rules compare it: NFC, without surrounding spaces, case folded."""
    return unicodedata.normalize("NFC", unicodedata.normalize("NFC", text).strip().casefold())


def read_common(text: str) -> frozenset[str]:
    """Return the passwords of a list in the file's format: one a line, ``#`` comments, blank lines skipped."""
    return frozenset(folded(line) for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#"))


@cache
def common_passwords() -> frozenset[str]:
    """Return the shipped list of common passwords, folded (read once)."""
    data = resources.files("review").joinpath("data", COMMON_FILE).read_text(encoding="utf-8")
    return read_common(data)


def password_problems(password: str, username: str = "", common: Collection[str] | None = None) -> list[str]:
    """Return the Vietnamese message of every rule ``password`` fails, in rule order; none when it is good.

    ``username`` is the account's (empty: no account to compare with); ``common`` a folded
    list of common passwords (default: the shipped one, :func:`common_passwords`).
    """
    refused = common_passwords() if common is None else common
    key = folded(password)
    problems: list[str] = []
    if len(unicodedata.normalize("NFC", password)) < MIN_LENGTH:
        problems.append(TOO_SHORT)
    if folded(username) and key == folded(username):
        problems.append(SAME_AS_USERNAME)
    if key in refused:
        problems.append(TOO_COMMON)
    return problems
