"""Forms of the sign-in pages and of the password page."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, PasswordField, StringField, SubmitField
from wtforms.validators import DataRequired, EqualTo, Length

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


class NewPasswordForm(BaseForm):
    """The new password, twice (the rules: ``password_rules``): what changing and setting share."""

    new_password = PasswordField(
        _l("Mật khẩu mới"),
        validators=[DataRequired(_l("Nhập mật khẩu mới.")), Length(max=256, message=_l("Mật khẩu quá dài."))],
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("Nhập lại mật khẩu mới"),
        validators=[
            DataRequired(_l("Nhập lại mật khẩu mới.")),
            EqualTo("new_password", message=_l("Hai lần nhập mật khẩu mới không giống nhau.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )


class PasswordForm(NewPasswordForm):
    """Change one's own password: the current one, the new one twice (the rules: ``password_rules``)."""

    current_password = PasswordField(
        _l("Mật khẩu hiện tại"),
        validators=[DataRequired(_l("Nhập mật khẩu hiện tại.")), Length(max=256, message=_l("Mật khẩu quá dài."))],
        render_kw={"autocomplete": "current-password"},
    )
    submit = SubmitField(_l("Đổi mật khẩu"))


class SetPasswordForm(NewPasswordForm):
    """Set the password through a one-time link: the new one twice (the rules: ``password_rules``)."""

    submit = SubmitField(_l("Đặt mật khẩu"))
