"""Forms of the roster: a member's details, leaving the cell, and the year's flags."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from markupsafe import Markup, escape
from wtforms import BooleanField, DateField, HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from .. import clock, vocabulary
from ..form_saving import version_field
from ..forms import BaseForm
from ..i18n import translate
from ..meetingfile import POSITION_LABELS
from ..models import NAME
from ..roster_sheet import ADMITTED, BORN, CARD_LENGTH, NOTE_LENGTH, OFFICIAL, POSITION, member_problems
from ..rules import LEVEL_LABELS, SINGLE_POSITIONS, Position, Standing
from ..text import day_text, strip_nfc
from ..translatable import N_

DATE_FORMAT = "%Y-%m-%d"  # what <input type=date> sends
STANDING_LABELS = {standing: vocabulary.STANDING_LABELS[standing] for standing in Standing}

# Looks up who else currently holds a position in the cell: returns their name, or None.
HolderLookup = Callable[[Position], str | None]


def position_taken_message(position: Position, holder: str) -> str:
    """Return the message refusing a second secretary or deputy secretary (in the request's language)."""
    return _(
        "Chi bộ đã có %(position)s: đồng chí %(name)s. Đổi chức vụ của đồng chí ấy trước.",
        position=translate(POSITION_LABELS[position]),
        name=holder,
    )


INVALID_DATE = N_("Ngày không hợp lệ.")


class MemberForm(BaseForm):
    """A roster member's details, for a new member and for an edit."""

    name = StringField(
        _l("Họ và tên"),
        filters=[strip_nfc],
        validators=[
            DataRequired(_l("Nhập họ và tên.")),
            Length(max=NAME, message=_l("Họ và tên tối đa %(max)d ký tự.")),
        ],
        render_kw={"autocomplete": "off", "maxlength": NAME},
    )
    standing = SelectField(
        _l("Chính thức hay dự bị"),
        choices=[(s.value, _l(label)) for s, label in STANDING_LABELS.items()],
        default=Standing.OFFICIAL.value,
        validators=[InputRequired(_l("Chọn chính thức hay dự bị."))],
    )
    position = SelectField(
        _l("Chức vụ trong chi bộ"),
        choices=[(p.value, _l(label)) for p, label in POSITION_LABELS.items()],
        default=Position.MEMBER.value,
        validators=[InputRequired(_l("Chọn chức vụ."))],
    )
    admitted_on = DateField(
        _l("Ngày vào Đảng"),
        format=DATE_FORMAT,
        invalid_value_message=_l(INVALID_DATE),
        validators=[InputRequired(_l("Nhập ngày vào Đảng."))],
    )
    official_on = DateField(
        _l("Ngày chính thức"),
        format=DATE_FORMAT,
        invalid_value_message=_l(INVALID_DATE),
        validators=[Optional()],
    )
    card_number = StringField(
        _l("Số thẻ đảng viên"),
        filters=[strip_nfc],
        validators=[Length(max=CARD_LENGTH, message=_l("Số thẻ tối đa %(max)d ký tự."))],
        render_kw={"autocomplete": "off", "maxlength": CARD_LENGTH},
    )
    born_on = DateField(
        _l("Ngày sinh"),
        format=DATE_FORMAT,
        invalid_value_message=_l(INVALID_DATE),
        validators=[Optional()],
    )
    note = TextAreaField(
        _l("Ghi chú"),
        filters=[strip_nfc],
        validators=[Length(max=NOTE_LENGTH, message=_l("Ghi chú tối đa %(max)d ký tự."))],
        render_kw={"rows": 2, "maxlength": NOTE_LENGTH},
    )
    version = version_field()  # of the member the form was loaded with

    def __init__(self, *args: object, holder: HolderLookup, retired_on: date | None = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.holder = holder
        self.retired_on = retired_on

    def validate(self, extra_validators: object = None) -> bool:
        valid = super().validate(extra_validators)
        # The rules of a member the roster spreadsheet's rows follow too (one home: roster_sheet).
        fields = {ADMITTED: self.admitted_on, OFFICIAL: self.official_on, BORN: self.born_on, POSITION: self.position}
        if self.standing.data not in {s.value for s in Standing} or self.position.data not in {
            p.value for p in Position
        }:
            return valid
        for key, message in member_problems(
            admitted_on=self.admitted_on.data,
            official_on=self.official_on.data,
            born_on=self.born_on.data,
            standing=self.standing.data,
            position=self.position.data,
            today=clock.today(),
        ):
            target = fields[key]
            shown = translate(message)
            if shown not in target.errors and not (key == ADMITTED and target.errors):
                target.errors = [*target.errors, shown]
                valid = False
        return valid

    def validate_admitted_on(self, field: DateField) -> None:
        if field.data is None:
            return
        if field.data > clock.today():
            raise ValidationError(_("Ngày vào Đảng không thể sau hôm nay."))
        # Before the Party's founding: roster_sheet.member_problems (run by validate) says it.
        if self.retired_on is not None and field.data > self.retired_on:
            raise ValidationError(
                _("Ngày vào Đảng không thể sau ngày ra khỏi chi bộ (%(day)s).", day=day_text(self.retired_on))
            )

    def validate_position(self, field: SelectField) -> None:
        if field.data not in {p.value for p in SINGLE_POSITIONS}:
            return
        position = Position(field.data)
        holder = self.holder(position)
        if holder is not None:
            raise ValidationError(position_taken_message(position, holder))


class RosterUploadForm(BaseForm):
    """A roster spreadsheet to check and preview (nothing is stored yet)."""

    file = FileField(_l("Tệp bảng tính (.xlsx hoặc .csv)"), render_kw={"accept": ".xlsx,.csv"})


class RosterConfirmForm(BaseForm):
    """Store the previewed spreadsheet: the stashed file, and the roster's versions when it was shown."""

    token = HiddenField()
    roster = HiddenField()


class RetireForm(BaseForm):
    """A member leaves the cell's roster (moved away, died, removed)."""

    retired_on = DateField(
        _l("Ngày ra khỏi chi bộ"),
        format=DATE_FORMAT,
        invalid_value_message=_l(INVALID_DATE),
        validators=[InputRequired(_l("Nhập ngày ra khỏi chi bộ."))],
    )
    confirm = BooleanField(
        _l("Tôi xác nhận đồng chí này không còn sinh hoạt tại chi bộ."),
        validators=[DataRequired(_l("Đánh dấu ô xác nhận để tiếp tục."))],
    )

    def __init__(self, *args: object, name: str, admitted_on: date, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.admitted_on = admitted_on
        # The name isolated (<bdi>, escaped by Markup.format): a right-to-left mark in it stays in it.
        self.confirm.label.text = Markup(
            _("Tôi xác nhận đồng chí <bdi>%(name)s</bdi> không còn sinh hoạt tại chi bộ.", name=escape(name))
        )

    def validate_retired_on(self, field: DateField) -> None:
        if field.data is None:
            return
        if field.data > clock.today():
            raise ValidationError(_("Ngày ra khỏi chi bộ không thể sau hôm nay."))
        if field.data < self.admitted_on:
            raise ValidationError(
                _("Ngày ra khỏi chi bộ không thể trước ngày vào Đảng (%(day)s).", day=day_text(self.admitted_on))
            )


NO_LEVEL = ""
SICK_LEAVE_MESSAGE = N_("Số tháng nghỉ ốm phải là một số nguyên từ 0 đến 12.")


class FlagsForm(BaseForm):
    """One participant's flags for the review year (SPEC 3)."""

    exempt = BooleanField(_l("Miễn công tác và sinh hoạt đảng"))
    suspended = BooleanField(_l("Bị đình chỉ sinh hoạt đảng"))
    temporary_elsewhere = BooleanField(_l("Sinh hoạt tạm thời nơi khác"))
    sick_leave_months = IntegerField(
        _l("Số tháng nghỉ ốm trong năm"),
        invalid_value_message=_l(SICK_LEAVE_MESSAGE),
        validators=[InputRequired(_l("Nhập số tháng nghỉ ốm (0 nếu không nghỉ)."))],
        render_kw={"min": 0, "max": 12, "step": 1, "inputmode": "numeric"},
    )
    disciplined_in_year = BooleanField(_l("Bị kỷ luật trong năm"))
    version = version_field()  # of the participant the form was loaded with
    previous_level = SelectField(
        _l("Xếp loại năm trước"),
        choices=[(NO_LEVEL, _l("— Không có / chưa biết —"))]
        + [(level.value, _l(label)) for level, label in LEVEL_LABELS.items()],
        default=NO_LEVEL,
    )

    def validate_sick_leave_months(self, field: IntegerField) -> None:
        # Not NumberRange: text that is no number already has its message, once.
        if field.data is not None and not 0 <= field.data <= 12:
            raise ValidationError(_(SICK_LEAVE_MESSAGE))
