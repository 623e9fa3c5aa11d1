"""The interface's languages: which one a request is shown in, and the translation of core texts.

The source texts are Vietnamese and the catalogs are ``review/translations/<language>/``
(README, "Languages"). A request is shown in the language of, in order: the signed-in account's
choice (``User.language``), the ``lang`` cookie (the switch in the menu sets both, and the cookie
alone before signing in), the browser's ``Accept-Language``, Vietnamese.

The documents (minutes, vote-count minutes, ballot papers, decisions) are the Party's and are always
Vietnamese: they are built from the untranslated vocabulary and under ``documents_locale()``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import date, datetime
from functools import wraps
from typing import Any, Final, TypeVar, cast

from babel import dates as babel_dates
from babel import numbers as babel_numbers
from flask import Flask, current_app, has_app_context, has_request_context, request
from flask_babel import force_locale, get_locale, gettext, pgettext
from flask_login import current_user

from .translatable import N_, Message

F = TypeVar("F", bound=Callable[..., Any])

DEFAULT_LANGUAGE: Final = "vi"
# Each language of the interface and its name, written in that language (the switch shows it so).
LANGUAGES: Final = {"vi": "Tiếng Việt", "en": "English"}  # i18n: vi-only (a language's own name)
LANGUAGE_COOKIE: Final = "lang"
LANGUAGE_COOKIE_MAX_AGE: Final = 365 * 24 * 3600

# The ``when`` filter's forms in each language, as Babel (CLDR) patterns. Vietnamese keeps the
# pages' historical writing (review/text.py format_when: 27/11/2020, 14:05 ngày 27/11/2020).
WHEN_PATTERNS: Final = {  # i18n: vi-only (the Vietnamese patterns are the Vietnamese forms)
    "vi": {
        "date": "dd/MM/yyyy",
        "minute": "HH:mm 'ngày' dd/MM/yyyy",
        "second": "HH:mm:ss 'ngày' dd/MM/yyyy",
        "long": "'ngày' dd 'tháng' MM 'năm' y",
        "time": "HH:mm:ss",
    },
    "en": {
        "date": "d MMM yyyy",
        "minute": "HH:mm, d MMM yyyy",
        "second": "HH:mm:ss, d MMM yyyy",
        "long": "d MMMM yyyy",
        "time": "HH:mm:ss",
    },
}


def is_language(value: str | None) -> bool:
    """Return whether ``value`` is one of the interface's languages."""
    return value in LANGUAGES


def select_language() -> str:
    """Return the language of the current request (the module's order).

    Outside a request (a command, a background job): ``REVIEW_LANGUAGE`` if it names a language,
    else Vietnamese. A background job writes nothing a person reads in its language later (the
    ZIP's documents are Vietnamese; its progress is worded by the page that shows it).
    """
    if not has_request_context():
        chosen_here = current_app.config.get("CLI_LANGUAGE") if has_app_context() else None
        return str(chosen_here) if is_language(chosen_here) else DEFAULT_LANGUAGE
    chosen = getattr(current_user, "language", None) if current_user.is_authenticated else None
    if is_language(chosen):
        return str(chosen)
    cookie = request.cookies.get(LANGUAGE_COOKIE)
    if is_language(cookie):
        return str(cookie)
    return request.accept_languages.best_match(tuple(LANGUAGES), default=DEFAULT_LANGUAGE) or DEFAULT_LANGUAGE


def current_language() -> str:
    """Return the language the current request (or command) is shown in: Flask-Babel's locale."""
    if not has_app_context():
        return DEFAULT_LANGUAGE
    locale = get_locale()
    return locale.language if locale is not None else DEFAULT_LANGUAGE


def translate(text: Any, context: str | None = None) -> Any:
    """Translate a core text into the request's language: a vocabulary word or a ``Message``.

    A ``Message`` has its template translated and its values (translated in turn) filled in; any
    other ``str`` is looked up as it is (a vocabulary word), in ``context`` first when given (a word
    marked ``NP_(context, ...)``); None and non-texts pass through.
    """
    if isinstance(text, Message):
        params = {name: translate(value) for name, value in text.params.items()}
        return gettext(text.template).format(**params)
    if isinstance(text, str) and text:
        if context is not None:
            translated = pgettext(context, text)
            if translated != text:
                return translated
        return gettext(text)
    return text


def translate_all(texts: Mapping[Any, str]) -> dict[Any, str]:
    """Return a vocabulary dictionary with its words translated (its keys kept)."""
    return {key: translate(value) for key, value in texts.items()}


@contextmanager
def documents_locale() -> Iterator[None]:
    """Build a document inside this: whatever the interface's language, the document is Vietnamese."""
    with force_locale(DEFAULT_LANGUAGE):
        yield


def in_vietnamese(build: F) -> F:
    """Decorate a document builder: it runs under ``documents_locale`` (a Party document is Vietnamese)."""

    @wraps(build)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        with documents_locale():
            return build(*args, **kwargs)

    return cast(F, wrapped)


def when_text(value: date | datetime | None, form: str = "date") -> str:
    """Write a (local, naive) date or moment in one of text.WHEN_FORMS for the request's language."""
    from .text import format_when

    if value is None:
        return ""
    language = current_language()  # a request's, or a command's (REVIEW_LANGUAGE)
    format_when(value, form)  # the same checks (aware instants, unknown forms, a date for a time form)
    pattern = WHEN_PATTERNS.get(language, WHEN_PATTERNS[DEFAULT_LANGUAGE])[form]
    if isinstance(value, datetime):
        return babel_dates.format_datetime(value, pattern, locale=language)
    return babel_dates.format_date(value, pattern, locale=language)


def number_text(value: int) -> str:
    """Write a whole number with the language's grouping: 1.234 (Vietnamese), 1,234 (English)."""
    return babel_numbers.format_decimal(value, locale=current_language())


# The texts app.js, tally.js, ward.js and decision.js write into the page, translated on the server
# and handed to the scripts as JSON (base.html, #ui-texts): the scripts hold no words of their own.
SCRIPT_TEXTS: Final = {
    "unsaved": N_("Chưa lưu. "),
    "empty": N_("(để trống)"),
    "kept_typed": N_("Nội dung đồng chí vừa gõ vẫn còn trong mẫu: sửa lại nếu cần, rồi bấm Lưu để ghi đè."),
    "saving": N_("Đang lưu…"),
    "saved_at": N_("Đã lưu lúc "),
    "conflict": N_("Chưa lưu: người khác vừa sửa nội dung này (xem bên trên)."),
    "invalid": N_("Chưa lưu: kiểm tra các ô báo lỗi."),
    "offline": N_("Chưa lưu được (mất kết nối?). Nội dung vẫn còn trên trang."),
    "dirty": N_("Có thay đổi chưa lưu."),
    "leave": N_("Có nội dung chưa lưu."),
    "swipe": N_("Vuốt sang ngang để xem thêm cột →"),
    "table": N_("Bảng"),
    "quota_over": N_("Vượt tỉ lệ"),
    "quota_within": N_("Trong tỉ lệ"),
    "quota_over_by": N_(" Vượt {over} so với mức tối đa {limit}: chưa ban hành được."),
    "quota_not_over": N_(" Không vượt mức tối đa {limit}."),
    "decision_preview": N_("Xem trước theo các mức đang chọn (chưa lưu): bấm Lưu ở từng đảng viên, chi bộ để ghi lại."),
    "decision_no_preview": N_("Không xem trước được tỉ lệ; các mức vẫn lưu được bằng nút Lưu."),
    "tally_ok": N_("Số liệu khớp: mọi kiểm tra đều đạt (chưa lưu)."),
    "tally_problems": N_("Có {count} chỗ chưa khớp (vẫn lưu được để nhập tiếp, nhưng chưa thể niêm phong):"),
    "tally_bad_cells": N_("Chưa kiểm tra được: {count} ô chưa đúng. Sửa các ô được đánh dấu."),
    "tally_offline": N_("Chưa kiểm tra được (mất kết nối hoặc phiên hết hạn). Số liệu sẽ được kiểm tra khi lưu."),
    "progress_offline": N_("Chưa lấy được tiến độ (mất kết nối?). Đang thử lại…"),
}


def script_texts() -> dict[str, str]:
    """Return SCRIPT_TEXTS in the request's language (their ``{name}`` fields left for the script)."""
    return {key: gettext(text) for key, text in SCRIPT_TEXTS.items()}


def register_i18n(app: Flask) -> None:
    """Bind Flask-Babel with the language selection, and give templates the language helpers."""
    from .clock import local
    from .extensions import babel

    babel.init_app(app, locale_selector=select_language, default_locale=DEFAULT_LANGUAGE)

    def when(value: date | datetime | None, form: str = "date") -> str:
        return when_text(local(value), form)

    app.jinja_env.filters["when"] = when
    app.jinja_env.filters["t"] = translate
    app.jinja_env.filters["number"] = number_text
    app.jinja_env.globals["current_language"] = current_language
    app.jinja_env.globals["LANGUAGES"] = LANGUAGES
    app.jinja_env.globals["script_texts"] = script_texts
