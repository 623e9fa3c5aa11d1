"""The base of every form: CSRF through Flask-WTF, WTForms' own messages in the page's language (Vietnamese first).

Every text field of every form (nested rows included) is checked here, in one place: its
text is normalised to NFC (line breaks to ``\\n`` in a text area), and a text with control
characters, or a line break in a one-line field, is refused with a message next to the field
(never silently changed, never stored: PostgreSQL refuses NUL outright). An integer field
takes ASCII digits only, like the tally and the self-score. A field whose bytes were not UTF-8
is refused with a message (never stored with U+FFFD), whatever its kind. A text longer than
its limit is refused; a refused field far over its limit is shown again cut to it (a text, with
a message saying so) or to a short preview (any other), never as the megabytes that were sent.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from flask_babel import gettext
from flask_wtf import FlaskForm
from wtforms import Field, FieldList, FormField, HiddenField, IntegerField, PasswordField, StringField, TextAreaField
from wtforms.validators import Length, StopValidation

from .i18n import translate
from .meetingfile import TEXT_MAX
from .security import undecodable_fields
from .text import (
    ASCII_INTEGER,
    DIGITS_MESSAGE,
    UNDECODABLE_MESSAGE,
    echo_cut_message,
    nfc,
    one_line_break,
    text_problem,
    too_long_message,
)
from .translatable import N_

# How much of a refused value that is not a text (a number, a date, a choice) is shown again,
# and how far over its limit a refused text is still shown again whole.
ECHO_PREVIEW = 100
ECHO_FACTOR = 2

# WTForms ships no Vietnamese catalogue; these are the messages its fields and validators
# can produce in this application, in Vietnamese (the catalogs translate them in turn).
MESSAGES = {
    "This field is required.": N_("Trường này bắt buộc."),
    "Invalid input.": N_("Giá trị không hợp lệ."),
    "Not a valid choice.": N_("Lựa chọn không hợp lệ."),
    "Invalid Choice: could not coerce.": N_("Lựa chọn không hợp lệ."),
    "Not a valid datetime value.": N_("Ngày giờ không hợp lệ."),
    "Not a valid date value.": N_("Ngày không hợp lệ (dạng ngày/tháng/năm)."),
    "Not a valid time value.": N_("Giờ không hợp lệ."),
    "Not a valid integer value.": N_("Cần một số nguyên."),
    "Number must be at least %(min)s.": N_("Số nhỏ nhất là %(min)s."),
    "Number must be at most %(max)s.": N_("Số lớn nhất là %(max)s."),
    "Number must be between %(min)s and %(max)s.": N_("Cần một số từ %(min)s đến %(max)s."),
    "Field cannot be longer than %(max)d character.": N_("Tối đa %(max)d ký tự."),
    "Field cannot be longer than %(max)d characters.": N_("Tối đa %(max)d ký tự."),
    "Field must be at least %(min)d character long.": N_("Cần ít nhất %(min)d ký tự."),
    "Field must be at least %(min)d characters long.": N_("Cần ít nhất %(min)d ký tự."),
    "Field must be between %(min)d and %(max)d characters long.": N_("Cần từ %(min)d đến %(max)d ký tự."),
    "Invalid CSRF Token.": N_("Phiên làm việc không hợp lệ: tải lại trang rồi thử lại."),
    "CSRF token missing.": N_("Phiên làm việc không hợp lệ: tải lại trang rồi thử lại."),
    "CSRF failed.": N_("Phiên làm việc không hợp lệ: tải lại trang rồi thử lại."),
    "CSRF token expired.": N_("Phiên làm việc đã hết hạn: tải lại trang rồi thử lại."),
    # Flask-WTF's own (its CSRF check raises them untranslated: form_saving.refused_button asks here).
    "The CSRF token is missing.": N_("Phiên làm việc không hợp lệ: tải lại trang rồi thử lại."),
    "The CSRF session token is missing.": N_("Phiên làm việc không hợp lệ: tải lại trang rồi thử lại."),
    "The CSRF token is invalid.": N_("Phiên làm việc không hợp lệ: tải lại trang rồi thử lại."),
    "The CSRF tokens do not match.": N_("Phiên làm việc không hợp lệ: tải lại trang rồi thử lại."),
    "The CSRF token has expired.": N_("Phiên làm việc đã hết hạn: tải lại trang rồi thử lại."),
}


class VietnameseMessages:
    """WTForms translations object answering in the request's language (Vietnamese: MESSAGES)."""

    def gettext(self, string: str) -> str:
        return str(gettext(MESSAGES.get(string, string)))

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.gettext(singular if n == 1 else plural)


VIETNAMESE = VietnameseMessages()


def all_fields(fields: Any) -> Iterator[Field]:
    """Yield every field of a form, the fields of its nested rows included."""
    for field in fields:
        if isinstance(field, FieldList):
            yield from all_fields(field.entries)
        elif isinstance(field, FormField):
            yield from all_fields(field.form)
        else:
            yield field


def declared_length(field: Field) -> int | None:
    """Return the maximum length a field's Length validator declares, or None."""
    limits = [v.max for v in field.validators if isinstance(v, Length) and v.max is not None and v.max >= 0]
    return min(limits) if limits else None


def text_limit(field: Field) -> int:
    """Return how long a text field's value may be: its Length, else the longest text of the record."""
    declared = declared_length(field)
    return TEXT_MAX if declared is None else declared


def storable_text(form: Any, field: Field) -> None:
    """Normalise a text field's value to NFC; refuse control characters (and line breaks on one line).

    A text field left out of the request altogether (no browser does it) is an empty text. A
    field without a Length of its own takes no text longer than the meeting file's (TEXT_MAX).
    """
    if field.data is None:
        field.data = ""
    if not isinstance(field.data, str):
        return
    multiline = isinstance(field, TextAreaField)
    value = nfc(one_line_break(field.data) if multiline else field.data)
    field.data = value
    if declared_length(field) is None and len(value) > TEXT_MAX:
        raise StopValidation(translate(too_long_message(len(value), TEXT_MAX)))
    problem = text_problem(value, multiline=multiline)
    if problem is not None:
        raise StopValidation(translate(problem))


def decodable(form: Any, field: Field) -> None:
    """Refuse a field whose bytes in the request were not UTF-8 (see review/security.py)."""
    if field.name in undecodable_fields():
        raise StopValidation(gettext(UNDECODABLE_MESSAGE))


def cut_echo(field: Field) -> None:
    """Cut a refused field's value that is far over its limit to what the page shows again.

    A text a little too long (up to ECHO_FACTOR times its limit) is shown again whole, so the
    user shortens it themselves and nothing is cut silently; a longer one (pasted megabytes)
    is shown cut to its limit, with a message saying so. Any other field (a number, a date)
    shows at most a short preview of what was sent.
    """
    limit = text_limit(field) if isinstance(field, StringField) else ECHO_PREVIEW
    if isinstance(field.data, str) and len(field.data) > ECHO_FACTOR * limit:
        field.data = field.data[:limit]
        field.errors = [*field.errors, translate(echo_cut_message(limit))]
    if field.raw_data:
        field.raw_data = [
            v[:limit] if isinstance(v, str) and len(v) > ECHO_FACTOR * limit else v for v in field.raw_data
        ]


def ascii_integer(form: Any, field: Field) -> None:
    """Refuse an integer typed with other digits than 0-9 (Python's int() reads "٣" and "１")."""  # noqa: RUF002  (on purpose)
    raw = field.raw_data[0] if field.raw_data else None
    if field.process_errors or not isinstance(raw, str) or not raw.strip() or ASCII_INTEGER.fullmatch(raw):
        return
    field.data = None
    raise StopValidation(gettext(DIGITS_MESSAGE))


def guard(field: Field) -> None:
    """Put the form layer's own checks first in the field's validators.

    Every field refuses bytes that were not UTF-8. The text check is not on a password (never
    stored nor shown) nor on a hidden field: a hidden field carries a value the application
    wrote (a version, a fingerprint), which its view compares and refuses with a message of
    its own; an error on it would have nowhere to be shown.
    """
    checks: list[Any] = [decodable]
    if isinstance(field, StringField) and not isinstance(field, (PasswordField, HiddenField)):
        checks.append(storable_text)
    elif isinstance(field, IntegerField):
        checks.append(ascii_integer)
    validators = list(field.validators)
    field.validators = [check for check in checks if check not in validators] + validators


class BaseForm(FlaskForm):
    """A form with CSRF protection and messages in the page's language; its text is NFC and free of control characters."""

    class Meta:
        def get_translations(self, form: Any) -> VietnameseMessages:
            return VIETNAMESE

    def validate(self, extra_validators: Any = None) -> bool:
        """Validate the form, every text field checked first by :func:`storable_text`."""
        for field in all_fields(self):
            guard(field)
        valid = super().validate(extra_validators)
        for field in all_fields(self):
            if field.errors:
                cut_echo(field)
        return valid
