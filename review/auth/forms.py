"""Forms of the sign-in pages."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, Length

from ..forms import BaseForm
from ..text import strip_nfc


class LoginForm(BaseForm):
    username = StringField(
        _l("Tên đăng nhập"),
        filters=[strip_nfc],
        validators=[
            DataRequired(_l("Nhập tên đăng nhập.")),
            Length(max=64, message=_l("Tên đăng nhập tối đa 64 ký tự.")),
        ],
        render_kw={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"},
    )
    password = PasswordField(
        _l("Mật khẩu"),
        validators=[DataRequired(_l("Nhập mật khẩu.")), Length(max=256, message=_l("Mật khẩu quá dài."))],
        render_kw={"autocomplete": "current-password"},
    )
    remember = BooleanField(_l("Ghi nhớ đăng nhập trên máy này"))
    submit = SubmitField(_l("Đăng nhập"))
