"""Forms of the results pages: approve a seal, reopen it."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, TextAreaField
from wtforms.validators import InputRequired, Length

from ..forms import BaseForm
from ..text import strip_nfc


class ApproveForm(BaseForm):
    """The chief counter's or the secretary's agreement to seal exactly what they saw."""

    fingerprint = HiddenField(validators=[InputRequired(_l("Tải lại trang rồi xác nhận lại."))])


class ReopenForm(BaseForm):
    reason = TextAreaField(
        _l("Lý do mở niêm phong"),
        filters=[strip_nfc],
        validators=[InputRequired(_l("Ghi rõ lý do mở niêm phong.")), Length(max=2000)],
    )
