"""Text from users and for them: one Unicode form (NFC) everywhere, no control characters, numbers the Vietnamese way.

Pure: no Flask, no database (the meeting file reads its texts with these too)."""

from __future__ import annotations

import re
import unicodedata
from typing import overload

# Characters no text of the record may hold: C0 and C1 controls other than tab and line feed
# (NUL among them, which PostgreSQL refuses), DEL, the Unicode line and paragraph separators,
# and lone surrogates. The meeting file refuses the same set (it imports this one).
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")
# An integer as the forms read it: ASCII digits only, an optional minus sign.
ASCII_INTEGER = re.compile(r"\s*-?[0-9]+\s*", re.ASCII)

CONTROL_MESSAGE = "Có ký tự điều khiển không hợp lệ (thường do dán từ phần mềm khác): xóa ký tự đó rồi lưu lại."
LINE_BREAK_MESSAGE = "Trường này chỉ ghi trên một dòng: bỏ dấu xuống dòng rồi lưu lại."
DIGITS_MESSAGE = "Cần một số nguyên viết bằng chữ số 0–9."
UNDECODABLE_MESSAGE = (
    "Có ký tự không đọc được (nội dung gửi lên không phải mã UTF-8), đánh dấu bằng �: gõ lại phần đó rồi lưu lại."
)


def nfc(value: str) -> str:
    """Return ``value`` in Unicode NFC."""
    return unicodedata.normalize("NFC", value)


def strip_nfc(value: str | None) -> str | None:
    """Return a form value in NFC with surrounding white space removed (a WTForms filter)."""
    return nfc(value).strip() if isinstance(value, str) else value


@overload
def one_line_break(value: str) -> str: ...


@overload
def one_line_break(value: None) -> None: ...


def one_line_break(value: str | None) -> str | None:
    """Return the text with every line break as ``\\n`` (browsers send ``\\r\\n``)."""
    return value.replace("\r\n", "\n").replace("\r", "\n") if isinstance(value, str) else value


def text_problem(value: str, *, multiline: bool) -> str | None:
    """Return why a text from a user cannot be stored, in Vietnamese, or None if it can."""
    if not multiline and ("\n" in value or "\r" in value):
        return LINE_BREAK_MESSAGE
    if CONTROL.search(value):
        return CONTROL_MESSAGE
    return None


def too_long_message(length: int, limit: int) -> str:
    """Return the message for a text of ``length`` characters over its ``limit``."""
    return f"Dài {thousands(length)} ký tự, tối đa {thousands(limit)} ký tự."


def echo_cut_message(limit: int) -> str:
    """Return the message for a refused text shown again cut to its first ``limit`` characters."""
    return f"Nội dung gửi lên quá dài nên ô này chỉ hiện lại {thousands(limit)} ký tự đầu: kiểm tra lại trước khi lưu."


def thousands(number: int) -> str:
    """Write a number as Vietnamese text does: 1.234.567."""
    return f"{number:,}".replace(",", ".")
