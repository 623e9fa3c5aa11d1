"""Forms of the account pages: a new account, a counter's member, and the one-button actions."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length

from ..auth.account_rules import USERNAME_MAX
from ..forms import BaseForm
from ..models import NAME
from ..text import strip_nfc

NO_MEMBER = 0  # the member select's "none" choice
NO_CELL = 0


class AccountForm(BaseForm):
    """A new account: username, name, role, cell (a secretary's or counter's), member (a counter's)."""

    username = StringField(
        _l("Tên đăng nhập"),
        filters=[strip_nfc],
        validators=[
            DataRequired(_l("Nhập tên đăng nhập.")),
            Length(max=USERNAME_MAX * 4, message=_l("Tên đăng nhập quá dài.")),
        ],
        render_kw={"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false", "maxlength": USERNAME_MAX},
    )
    display_name = StringField(
        _l("Họ và tên (hoặc tên đơn vị)"),
        filters=[strip_nfc],
        validators=[Length(max=NAME, message=_l("Tối đa %(max)d ký tự."))],
        render_kw={"autocomplete": "off", "maxlength": NAME},
    )
    role = SelectField(_l("Vai trò"), validators=[InputRequired(_l("Chọn vai trò."))])
    cell = SelectField(_l("Chi bộ"), coerce=int, default=NO_CELL)
    member = SelectField(_l("Đảng viên (với tài khoản ban kiểm phiếu)"), coerce=int, default=NO_MEMBER)


class MemberForm(BaseForm):
    """The member a counter account stands for (or none)."""

    member = SelectField(_l("Đảng viên"), coerce=int, default=NO_MEMBER)


class ActionForm(BaseForm):
    """A one-button action on an account (disable, enable, new link): CSRF, and where to go back to."""

    next = HiddenField()
