"""Forms of the counting pages.

The tally's numbers are not WTForms fields: ``counting.parse_entry`` reads them straight from
the posted form (its input names depend on who is on the ballot). The tally form only carries
the CSRF token.
"""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length

from ..form_saving import version_field
from ..forms import BaseForm
from ..text import strip_nfc


class MemberIdsField(SelectMultipleField):
    """Ticked member ids; their eligibility is the counting service's to judge."""

    def process_formdata(self, valuelist: list[str]) -> None:
        try:
            self.data = [int(v) for v in valuelist]
        except ValueError as exc:
            self.data = []
            raise ValueError(_("Lựa chọn không hợp lệ.")) from exc

    def pre_validate(self, form: object) -> None:
        """Accept any id: ``set_committee`` refuses the wrong ones with a message that says why."""


class CommitteeForm(BaseForm):
    members = MemberIdsField(_l("Thành viên ban kiểm phiếu"), coerce=int, validate_choice=False)
    chief = SelectField(_l("Trưởng ban kiểm phiếu"), coerce=int, validate_choice=False)
    version = version_field()  # the committee's versions the form was loaded with


class IssueCodeForm(BaseForm):
    """The button that issues a one-time code: the CSRF token only."""


class CodeForm(BaseForm):
    code = StringField(
        _l("Mã đăng nhập một lần"),
        filters=[strip_nfc],
        validators=[DataRequired(_l("Nhập mã đăng nhập một lần.")), Length(max=32, message=_l("Mã quá dài."))],
        render_kw={
            "autocomplete": "one-time-code",
            "autocapitalize": "characters",
            "spellcheck": "false",
            "placeholder": "ABCD-EFGH",
        },
    )


class TallyForm(BaseForm):
    """The tally entry: the CSRF token (the numbers are read by ``parse_entry``)."""
