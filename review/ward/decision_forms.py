"""Forms of the committee's decision page (SPEC 9): a decided level, a cell not reviewed, the allowance, issuing.

The fields only read what was typed; the rules (a different level needs a reason, the number's
pattern, the date's bounds, the signer's name) are ``review.decision_rules``, asked by
``review.decisions`` when saving, and their messages come back next to the field.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, Optional

from ..decision_rules import NUMBER_EXAMPLE, REASON_MAX, SIGNER_TITLE_LABELS, SignerTitle
from ..form_saving import version_field
from ..forms import BaseForm
from ..rules import LEVELS, Level
from ..setup_rules import NAME_MAX
from ..text import strip_nfc
from ..translatable import N_
from ..vocabulary import LEVEL_LABELS

DATE_FORMAT = "%Y-%m-%d"  # what <input type=date> sends
NUMBER_MAX = 32  # the stored column
# The choices' words are translated when a page shows them (lazy: made at import, read in a request).
LEVEL_CHOICES = [("", _l("— Chưa chọn —"))] + [(str(level), _l(LEVEL_LABELS[level])) for level in LEVELS]
TITLE_CHOICES = [(str(title), _l(label)) for title, label in SIGNER_TITLE_LABELS.items()]
DATE_MESSAGE = N_("Ngày không hợp lệ (ngày/tháng/năm).")


def with_ids(form: BaseForm, prefix: str) -> BaseForm:
    """Give the fields of one of the page's many like forms their own element ids (``<prefix>-<name>``).

    The names stay plain (``level``, ``reason``, ``version``, ``csrf_token``): each form posts
    to its own URL, and the page's labels and messages still point at the right field.
    """
    for field in form:
        field.id = f"{prefix}-{field.name}"
        field.label.field_id = field.id
    return form


def member_prefix(member_id: int) -> str:
    """Return the id prefix of one member's form (every member has one on the page)."""
    return f"member-{member_id}"


def cell_prefix(cell_id: int) -> str:
    return f"cell-{cell_id}"


def not_reviewed_prefix(cell_id: int) -> str:
    return f"not-reviewed-{cell_id}"


class ChoiceForm(BaseForm):
    """The committee's level for one member or one cell, and why it differs from the proposal."""

    level = SelectField(_l("Mức đảng ủy quyết định"), choices=LEVEL_CHOICES, default="")
    reason = TextAreaField(_l("Lý do (khi khác đề nghị)"), filters=[strip_nfc], validators=[Length(max=REASON_MAX)])
    version = version_field()

    def chosen_level(self) -> Level | None:
        return Level(self.level.data) if self.level.data else None


class NotReviewedForm(BaseForm):
    """Record a cell as not reviewed this year, with a reason; or (``withdraw``) withdraw the record."""

    reason = TextAreaField(_l("Lý do không đánh giá năm nay"), filters=[strip_nfc], validators=[Length(max=REASON_MAX)])
    withdraw = HiddenField()
    version = version_field()


class AllowanceForm(BaseForm):
    """The number and date of the committee's decision allowing the profile's higher ratio (1/4)."""

    allowance_number = StringField(
        _l("Số quyết định cho phép"),
        filters=[strip_nfc],
        validators=[Length(max=NUMBER_MAX)],
        render_kw={"placeholder": NUMBER_EXAMPLE, "autocomplete": "off"},
    )
    allowance_date = DateField(
        _l("Ngày quyết định cho phép"),
        format=DATE_FORMAT,
        invalid_value_message=_l(DATE_MESSAGE),
        validators=[Optional()],
    )
    version = version_field()


class IssueForm(BaseForm):
    """The decision's header: number, date, place, who signs (SPEC 9)."""

    number = StringField(
        _l("Số quyết định"),
        filters=[strip_nfc],
        validators=[Length(max=NUMBER_MAX)],
        render_kw={"placeholder": NUMBER_EXAMPLE, "autocomplete": "off"},
    )
    issued_on = DateField(
        _l("Ngày ban hành"), format=DATE_FORMAT, invalid_value_message=_l(DATE_MESSAGE), validators=[Optional()]
    )
    place = StringField(_l("Địa danh"), filters=[strip_nfc], validators=[Length(max=NAME_MAX)])
    signer_name = StringField(_l("Họ và tên người ký"), filters=[strip_nfc], validators=[Length(max=NAME_MAX)])
    signer_title = SelectField(
        _l("Chức vụ người ký (T/M Đảng ủy)"), choices=TITLE_CHOICES, default=SignerTitle.SECRETARY
    )
    version = version_field()
    # What the page showed the decision rests on (decision_rules.basis_token): a cell sealed or
    # reopened since refuses the issue.
    basis = HiddenField()


class DecisionReopenForm(BaseForm):
    """Reopen the issued decision, for a written reason."""

    reason = TextAreaField(_l("Lý do mở lại quyết định"), filters=[strip_nfc], validators=[Length(max=REASON_MAX)])
