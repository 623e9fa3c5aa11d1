"""The filters of a meeting's history page: who, which step, from and to which day (a GET form)."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField
from wtforms.validators import Length, ValidationError

from ..forms import BaseForm
from ..i18n import translate
from ..text import strip_nfc
from ..translatable import N_
from .presenters import STEPS

DAY_FORMS = (
    re.compile(r"(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})"),  # as a date input sends it
    re.compile(r"(?P<d>\d{1,2})/(?P<m>\d{1,2})/(?P<y>\d{4})"),  # as people write it
)
BAD_DAY = N_("Ngày không hợp lệ: nhập ngày/tháng/năm, ví dụ 02/12/2026.")
EXAMPLE_DAY = _l("ví dụ 02/12/2026")
FILTER_KEYS = ("who", "step", "since", "until")


def parse_day(text: str) -> date | None:
    """Return the day typed ("2026-12-02" or "02/12/2026"), None if it is no day of the calendar."""
    for form in DAY_FORMS:
        found = form.fullmatch(text.strip())
        if found:
            try:
                return date(int(found["y"]), int(found["m"]), int(found["d"]))
            except ValueError:
                return None
    return None


class HistoryFilterForm(BaseForm):
    """Who, what and when of a meeting's history (GET: nothing is written, no CSRF token)."""

    class Meta:
        csrf = False

    who = SelectField(_l("Người sửa"), choices=[], default="")
    step = SelectField(_l("Bước"), choices=[], default="")
    since = StringField(
        _l("Từ ngày"), filters=[strip_nfc], validators=[Length(max=10)], render_kw={"placeholder": EXAMPLE_DAY}
    )
    until = StringField(
        _l("Đến ngày"), filters=[strip_nfc], validators=[Length(max=10)], render_kw={"placeholder": EXAMPLE_DAY}
    )

    def __init__(self, *args: Any, people: list[tuple[str, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.who.choices = [("", _("Mọi người")), *(people or [])]
        self.step.choices = [("", _("Mọi bước")), *((step, translate(title)) for step, title in STEPS.items())]

    def validate_since(self, field: StringField) -> None:
        if field.data and parse_day(field.data) is None:
            raise ValidationError(_(BAD_DAY))

    def validate_until(self, field: StringField) -> None:
        if not field.data:
            return
        until = parse_day(field.data)
        if until is None:
            raise ValidationError(_(BAD_DAY))
        since = parse_day(self.since.data or "")
        if since is not None and until < since:
            raise ValidationError(_("Ngày cuối phải từ ngày đầu trở đi."))

    def day(self, name: str) -> date | None:
        """Return the valid day of the field ``name`` ("since", "until"), or None."""
        field = self[name]
        return parse_day(field.data) if field.data and not field.errors else None
