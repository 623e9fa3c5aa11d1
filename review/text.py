"""Text from users and for them: one Unicode form (NFC) everywhere, no control characters, numbers
and dates the Vietnamese way.

Pure: no Flask, no database (the meeting file reads its texts with these too). The one home of the
date and time formats: the pages use them through the ``when`` template filter (registered by the
app factory), the documents and the messages call them directly."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from typing import Final, overload

from .translatable import N_, msg

# Characters no text of the record may hold: C0 and C1 controls other than tab and line feed
# (NUL among them, which PostgreSQL refuses), DEL, the Unicode line and paragraph separators,
# and lone surrogates. The meeting file refuses the same set (it imports this one).
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")
# An integer as the forms read it: ASCII digits only, an optional minus sign.
ASCII_INTEGER = re.compile(r"\s*-?[0-9]+\s*", re.ASCII)

CONTROL_MESSAGE = N_("Có ký tự điều khiển không hợp lệ (thường do dán từ phần mềm khác): xóa ký tự đó rồi lưu lại.")
LINE_BREAK_MESSAGE = N_("Trường này chỉ ghi trên một dòng: bỏ dấu xuống dòng rồi lưu lại.")
DIGITS_MESSAGE = N_("Cần một số nguyên viết bằng chữ số 0–9.")
# The longest name (of a member, a cell, an organisation, a place) the record stores: models.NAME,
# the set-up rules, the roster spreadsheet and the meeting file all take this one.
NAME_MAX: Final = 200
# The largest file a page takes (a roster spreadsheet, a meeting file): well under the request limit
# (config.MAX_CONTENT_LENGTH, 8 MiB). Texts say it with :func:`mib_text`.
UPLOAD_MAX_BYTES: Final = 5 * 1024 * 1024
_WHITESPACE = re.compile(r"\s+")

UNDECODABLE_MESSAGE = N_(
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
    return msg("Dài {length} ký tự, tối đa {limit} ký tự.", length=thousands(length), limit=thousands(limit))


def echo_cut_message(limit: int) -> str:
    """Return the message for a refused text shown again cut to its first ``limit`` characters."""
    return msg(
        "Nội dung gửi lên quá dài nên ô này chỉ hiện lại {limit} ký tự đầu: kiểm tra lại trước khi lưu.",
        limit=thousands(limit),
    )


def thousands(number: int) -> str:
    """Write a number as Vietnamese text does: 1.234.567."""
    return f"{number:,}".replace(",", ".")


# ---------------------------------------------------------------------------
# Dates and times. A moment is formatted as given, a naive wall-clock time: a stored instant (aware,
# UTC) is converted to the server's local time by the shell first (``review.clock.local``, which the
# templates' ``when`` filter applies); a date-only value is a ``date`` or a ``datetime``.


def day_text(value: date) -> str:
    """Write a date as the pages and messages do: 05/03/2020."""
    return f"{value.day:02d}/{value.month:02d}/{value.year:04d}"


def moment_text(value: datetime, *, seconds: bool = False) -> str:
    """Write a moment as the pages do: 14:05 ngày 27/11/2020, or 14:05:09 ngày 27/11/2020."""
    clock = f"{value.hour:02d}:{value.minute:02d}" + (f":{value.second:02d}" if seconds else "")
    return f"{clock} ngày {day_text(value)}"  # i18n: vi-only (the pages write moments with i18n.when_text)


# The documents' blanks, filled in by hand when the record has no value (documents are Vietnamese).
# i18n: vi-only
LONG_DAY_BLANK: Final = "ngày ... tháng ... năm ......"
CLOCK_WORDS_BLANK: Final = "... giờ ... phút"  # i18n: vi-only


def long_day_text(value: date | None) -> str:
    """Write a date as the documents' date line does: ngày 27 tháng 11 năm 2020 (SPEC 7), or the blank."""
    if value is None:
        return LONG_DAY_BLANK
    return f"ngày {value.day:02d} tháng {value.month:02d} năm {value.year}"  # i18n: vi-only (documents)


def clock_words(value: datetime | None) -> str:
    """Write a time as the minutes do: 14 giờ 00 phút, or the blank."""
    return f"{value.hour} giờ {value.minute:02d} phút" if value is not None else CLOCK_WORDS_BLANK  # i18n: vi-only


def time_of_day_text(value: datetime) -> str:
    """Write the time of day with seconds, as the autosave's "Đã lưu lúc" does: 14:05:09."""
    return f"{value.hour:02d}:{value.minute:02d}:{value.second:02d}"


# The forms of the ``when`` filter: {{ member.admitted_on|when }}, {{ seal.sealed_at|when("minute") }}.
WHEN_FORMS: Final = ("date", "minute", "second", "long", "time")


def format_when(value: date | datetime | None, form: str = "date") -> str:
    """Write a date or a naive (wall-clock) moment in one of WHEN_FORMS; nothing (an empty text) for None.

    ``date`` 27/11/2020; ``minute`` 14:05 ngày 27/11/2020; ``second`` 14:05:09 ngày 27/11/2020;
    ``long`` ngày 27 tháng 11 năm 2020; ``time`` 14:05:09. An aware datetime (an instant) is
    refused: which wall clock to read it on is the shell's choice (``review.clock.local``).
    """
    if value is None:
        return ""
    if isinstance(value, datetime) and value.utcoffset() is not None:
        raise TypeError(f"an aware datetime is an instant: convert it to local time first (clock.local): {value!r}")
    if form == "date":
        return day_text(value)
    if form == "long":
        return long_day_text(value)
    if form in ("minute", "second", "time"):
        if not isinstance(value, datetime):
            raise TypeError(f"the {form!r} form needs a datetime, not {type(value).__name__}")
        return time_of_day_text(value) if form == "time" else moment_text(value, seconds=form == "second")
    raise ValueError(f"unknown date form {form!r}: one of {', '.join(WHEN_FORMS)}")


def file_stamp(value: date) -> str:
    """Write a local date as a file name's stamp: 20201127 (an instant: convert it first, clock.local)."""
    if isinstance(value, datetime) and value.utcoffset() is not None:
        raise TypeError(f"an aware datetime is an instant: convert it to local time first (clock.local): {value!r}")
    return f"{value.year:04d}{value.month:02d}{value.day:02d}"


def mib_text(size: int) -> str:
    """Return a size in bytes as the messages write it: "5 MiB", "1,5 MiB"."""
    mib = size / 1024 / 1024
    return f"{mib:.0f} MiB" if mib.is_integer() else f"{mib:.1f} MiB".replace(".", ",")


def name_key(name: str) -> str:
    """Return what two names must share to be the same name: NFC, case-folded, one space between words.

    "Chi bộ Khu dân cư số 1" and "CHI BỘ KHU DÂN CƯ  SỐ 1" give one key. NFC again after case
    folding, which may leave a letter decomposed ("ΐ").
    """
    return nfc(_WHITESPACE.sub(" ", nfc(name).casefold())).strip()


def fold_diacritics(text: str) -> str:
    """Return ``text`` without its diacritics, đ and Đ read as d and D: "Đảng viên" gives "Dang vien"."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))  # i18n: vi-only
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def slug(name: str) -> str:
    """Return a name as an ASCII piece of a file name: "Chi bộ Thượng Thanh" gives "chi-bo-thuong-thanh"."""
    ascii_text = fold_diacritics(name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
