"""Text from users and for them: one Unicode form (NFC) everywhere, no control characters, numbers the Vietnamese way.

Pure: no Flask, no database (the meeting file reads its texts with these too)."""

from __future__ import annotations

import re
import unicodedata

# Characters no text of the record may hold: C0 and C1 controls other than tab and line feed
# (NUL among them, which PostgreSQL refuses), DEL, the Unicode line and paragraph separators,
# and lone surrogates. The meeting file refuses the same set (it imports this one).
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")
# An integer as the forms read it: ASCII digits only, an optional minus sign.
ASCII_INTEGER = re.compile(r"\s*-?[0-9]+\s*", re.ASCII)

CONTROL_MESSAGE = "Có ký tự điều khiển không hợp lệ (thường do dán từ phần mềm khác): xóa ký tự đó rồi lưu lại."
LINE_BREAK_MESSAGE = "Trường này chỉ ghi trên một dòng: bỏ dấu xuống dòng rồi lưu lại."
DIGITS_MESSAGE = "Cần một số nguyên viết bằng chữ số 0–9."


def nfc(value: str) -> str:
    """Return ``value`` in Unicode NFC."""
    return unicodedata.normalize("NFC", value)


def strip_nfc(value: str | None) -> str | None:
    """Return a form value in NFC with surrounding white space removed (a WTForms filter)."""
    return nfc(value).strip() if isinstance(value, str) else value


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


def thousands(number: int) -> str:
    """Write a number as Vietnamese text does: 1.234.567."""
    return f"{number:,}".replace(",", ".")
