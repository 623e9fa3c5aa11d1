"""The base of every form: CSRF through Flask-WTF, WTForms' own messages in Vietnamese."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm

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


class BaseForm(FlaskForm):
    """A form with CSRF protection and Vietnamese messages."""

    class Meta:
        def get_translations(self, form: Any) -> VietnameseMessages:
            return VIETNAMESE
