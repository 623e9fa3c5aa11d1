"""The base of every form: CSRF through Flask-WTF, WTForms' own messages in Vietnamese.

Every text field of every form (nested rows included) is checked here, in one place: its
text is normalised to NFC (line breaks to ``\\n`` in a text area), and a text with control
characters, or a line break in a one-line field, is refused with a message next to the field
(never silently changed, never stored: PostgreSQL refuses NUL outright). An integer field
takes ASCII digits only, like the tally and the self-score.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from flask_wtf import FlaskForm
from wtforms import Field, FieldList, FormField, HiddenField, IntegerField, PasswordField, StringField, TextAreaField
from wtforms.validators import StopValidation

from .text import ASCII_INTEGER, DIGITS_MESSAGE, nfc, one_line_break, text_problem

# WTForms ships no Vietnamese catalogue; these are the messages its fields and validators
# can produce in this application.
MESSAGES = {
    "This field is required.": "Trường này bắt buộc.",
    "Invalid input.": "Giá trị không hợp lệ.",
    "Not a valid choice.": "Lựa chọn không hợp lệ.",
    "Invalid Choice: could not coerce.": "Lựa chọn không hợp lệ.",
    "Not a valid datetime value.": "Ngày giờ không hợp lệ.",
    "Not a valid date value.": "Ngày không hợp lệ (dạng ngày/tháng/năm).",
    "Not a valid time value.": "Giờ không hợp lệ.",
    "Not a valid integer value.": "Cần một số nguyên.",
    "Number must be at least %(min)s.": "Số nhỏ nhất là %(min)s.",
    "Number must be at most %(max)s.": "Số lớn nhất là %(max)s.",
    "Number must be between %(min)s and %(max)s.": "Cần một số từ %(min)s đến %(max)s.",
    "Field cannot be longer than %(max)d character.": "Tối đa %(max)d ký tự.",
    "Field cannot be longer than %(max)d characters.": "Tối đa %(max)d ký tự.",
    "Field must be at least %(min)d character long.": "Cần ít nhất %(min)d ký tự.",
    "Field must be at least %(min)d characters long.": "Cần ít nhất %(min)d ký tự.",
    "Field must be between %(min)d and %(max)d characters long.": "Cần từ %(min)d đến %(max)d ký tự.",
    "Invalid CSRF Token.": "Phiên làm việc không hợp lệ: tải lại trang rồi thử lại.",
    "CSRF token missing.": "Phiên làm việc không hợp lệ: tải lại trang rồi thử lại.",
    "CSRF failed.": "Phiên làm việc không hợp lệ: tải lại trang rồi thử lại.",
    "CSRF token expired.": "Phiên làm việc đã hết hạn: tải lại trang rồi thử lại.",
}


class VietnameseMessages:
    """WTForms translations object answering in Vietnamese."""

    def gettext(self, string: str) -> str:
        return MESSAGES.get(string, string)

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


def storable_text(form: Any, field: Field) -> None:
    """Normalise a text field's value to NFC; refuse control characters (and line breaks on one line).

    A text field left out of the request altogether (no browser does it) is an empty text.
    """
    if field.data is None:
        field.data = ""
    if not isinstance(field.data, str):
        return
    multiline = isinstance(field, TextAreaField)
    value = nfc(one_line_break(field.data) if multiline else field.data)
    field.data = value
    problem = text_problem(value, multiline=multiline)
    if problem is not None:
        raise StopValidation(problem)


def ascii_integer(form: Any, field: Field) -> None:
    """Refuse an integer typed with other digits than 0-9 (Python's int() reads "٣" and "１")."""
    raw = field.raw_data[0] if field.raw_data else None
    if field.process_errors or not isinstance(raw, str) or not raw.strip() or ASCII_INTEGER.fullmatch(raw):
        return
    field.data = None
    raise StopValidation(DIGITS_MESSAGE)


def guard(field: Field) -> None:
    """Put the form layer's own check first in the field's validators.

    Not on a password (never stored nor shown) nor on a hidden field: a hidden field carries
    a value the application wrote (a version, a fingerprint), which its view compares and
    refuses with a message of its own; an error on it would have nowhere to be shown.
    """
    if isinstance(field, (PasswordField, HiddenField)):
        return
    if isinstance(field, StringField):
        check = storable_text
    elif isinstance(field, IntegerField):
        check = ascii_integer
    else:
        return
    validators = list(field.validators)
    if check not in validators:
        field.validators = [check, *validators]


class BaseForm(FlaskForm):
    """A form with CSRF protection and Vietnamese messages; its text is NFC and free of control characters."""

    class Meta:
        def get_translations(self, form: Any) -> VietnameseMessages:
            return VIETNAMESE

    def validate(self, extra_validators: Any = None) -> bool:
        """Validate the form, every text field checked first by :func:`storable_text`."""
        for field in all_fields(self):
            guard(field)
        return super().validate(extra_validators)
