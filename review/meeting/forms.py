"""Forms of the meeting's steps: new meeting, opening, roll call, closing."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from markupsafe import Markup
from wtforms import (
    DateTimeLocalField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, ValidationError

from .. import clock, vocabulary
from ..form_saving import version_field
from ..forms import BaseForm
from ..i18n import translate, when_text
from ..models import NAME, Participant
from ..rules import Attendance
from ..text import fold_diacritics, name_key, strip_nfc

DATETIME_FORMAT = "%Y-%m-%dT%H:%M"
ATTENDANCE_LABELS = {attendance: vocabulary.ATTENDANCE_LABELS[attendance] for attendance in Attendance}


class NewMeetingForm(BaseForm):
    year = IntegerField(_l("Năm kiểm điểm"), validators=[InputRequired(_l("Nhập năm kiểm điểm."))])

    def validate_year(self, field: IntegerField) -> None:
        # The years come from the rules core: a year no rule profile covers cannot be rated.
        from ..rules import default_profile, profiled_years

        years = profiled_years(clock.today().year)
        if field.data is not None and (field.data not in years or default_profile(field.data) is None):
            raise ValidationError(
                _(
                    "Chưa có quy định đánh giá, xếp loại cho năm %(year)s: "
                    "phần mềm có quy định cho các năm %(first)s–%(last)s.",
                    year=field.data,
                    first=years[0],
                    last=years[-1],
                )
            )


class GuestForm(Form):
    """One guest row; a row left blank is ignored (or removes the guest it held).

    ``guest_id`` is the stored guest the row shows (hidden): a guest keeps its row, and the
    feedback it gave, when the rows above it are removed. A new row has none.
    """

    guest_id = HiddenField()
    name = StringField(_l("Họ và tên khách mời"), filters=[strip_nfc], validators=[Length(max=NAME)])
    title = StringField(_l("Chức vụ, đơn vị"), filters=[strip_nfc], validators=[Length(max=NAME)])

    def validate_name(self, field: StringField) -> None:
        if self.title.data and not field.data:
            raise ValidationError(_("Nhập họ tên khách mời (hoặc xóa chức vụ)."))


@dataclass(frozen=True)
class StoredGuest:
    """A guest as the meeting stores it, for matching the opening's rows to it."""

    id: int
    name: str
    spoke: bool  # some feedback of the meeting names this guest as its speaker


def same_person_key(name: str) -> str:
    """Return what a guest's name keeps through a correction: letters, not diacritics, case or spacing."""
    return name_key(fold_diacritics(name))


def guest_removed_message(name: str) -> str:
    return _(
        "Khách mời %(name)s đã góp ý tại hội nghị nên không xóa được. Muốn xóa, chọn lại người góp ý "
        "của các ý kiến đó ở phần kiểm điểm trước.",
        name=name,
    )


def guest_replaced_message(name: str) -> str:
    return _(
        "Khách mời %(name)s đã góp ý tại hội nghị: chỉ sửa được dấu, chữ hoa của tên, không thay bằng "
        "người khác. Thêm khách mời mới ở một dòng trống; muốn bỏ khách mời này, chọn lại người góp ý "
        "ở phần kiểm điểm trước.",
        name=name,
    )


def match_guests(
    rows: Sequence[tuple[str, str]], stored: Sequence[StoredGuest]
) -> tuple[list[int | None], dict[int, str]]:
    """Match the opening's guest rows (posted guest id, name) to the stored guests.

    Return, per row, the stored guest it keeps (None: a new guest, or a blank row), and the
    refusals by row index. A row keeps the guest whose id it carries; a row without one (or
    with an id not of this meeting) keeps an unclaimed guest of the same name (NFC, case and
    spacing aside), else it is new. A stored guest no row keeps is removed. A guest who spoke
    may be neither removed nor renamed into someone else (only diacritics, case and spacing
    may change): the feedback would silently move to another person.
    """
    by_id = {g.id: g for g in stored}
    kept: list[int | None] = [None] * len(rows)
    claimed: set[int] = set()
    for i, (posted, _name) in enumerate(rows):
        number = int(posted) if posted.isascii() and posted.isdigit() and len(posted) <= 18 else None
        if number in by_id and number not in claimed:
            kept[i] = number
            claimed.add(number)
    for i, (_posted, name) in enumerate(rows):
        if kept[i] is None and name:
            same = next((g for g in stored if g.id not in claimed and name_key(g.name) == name_key(name)), None)
            if same is not None:
                kept[i] = same.id
                claimed.add(same.id)
    errors: dict[int, str] = {}
    for i, (_posted, name) in enumerate(rows):
        kept_id = kept[i]
        guest = by_id.get(kept_id) if kept_id is not None else None
        if guest is None:
            continue
        if not name:
            kept[i] = None  # a row emptied removes the guest it held
            claimed.discard(guest.id)
            if guest.spoke:
                errors[i] = guest_removed_message(guest.name)
        elif guest.spoke and same_person_key(name) != same_person_key(guest.name):
            errors[i] = guest_replaced_message(guest.name)
    for guest in stored:
        if (
            guest.spoke
            and guest.id not in claimed
            and not any(message == guest_removed_message(guest.name) for message in errors.values())
        ):
            last = len(rows) - 1  # its row is gone: say so on the last row
            errors[last] = " ".join(filter(None, [errors.get(last), guest_removed_message(guest.name)]))
    return kept, errors


class OpeningForm(BaseForm):
    starts_at = DateTimeLocalField(
        _l("Thời gian khai mạc"),
        format=DATETIME_FORMAT,
        validators=[InputRequired(_l("Nhập ngày giờ khai mạc."))],
    )
    location = StringField(
        _l("Địa điểm"),
        filters=[strip_nfc],
        validators=[DataRequired(_l("Nhập địa điểm họp.")), Length(max=NAME)],
    )
    chair_id = SelectField(_l("Chủ trì hội nghị"), coerce=int, validate_choice=False)
    minute_taker_id = SelectField(_l("Thư ký hội nghị"), coerce=int, validate_choice=False)
    guests = FieldList(FormField(GuestForm), min_entries=1)
    version = version_field()  # of the meeting the form was loaded with

    def __init__(
        self,
        *args: object,
        participants: list[Participant],
        review_year: int,
        stored_guests: Sequence[StoredGuest] = (),
        **kwargs: object,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.review_year = review_year
        self.stored_guests = list(stored_guests)
        self.kept_guests: list[int | None] = []
        self.member_ids = {p.member_id for p in participants}
        choices = [(0, _("— Chọn đồng chí —"))] + [(p.member_id, p.name) for p in participants]
        self.chair_id.choices = choices
        self.minute_taker_id.choices = choices

    def validate(self, extra_validators: object = None) -> bool:
        ok = super().validate(extra_validators)  # type: ignore[arg-type]
        entries = list(self.guests)
        rows = [(str(e.form.guest_id.data or "").strip(), e.form.name.data or "") for e in entries]
        self.kept_guests, refusals = match_guests(rows, self.stored_guests)
        for i, message in refusals.items():
            name = entries[i].form.name
            name.errors = [*name.errors, message]
        return ok and not refusals

    def validate_starts_at(self, field: DateTimeLocalField) -> None:
        from ..rules import meeting_day_fits_year

        if field.data and not meeting_day_fits_year(self.review_year, field.data.date()):
            raise ValidationError(
                _(
                    "Hội nghị kiểm điểm năm %(year)s họp trong năm %(year)s (hoặc tháng đầu năm %(next)s).",
                    year=self.review_year,
                    next=self.review_year + 1,
                )
            )

    def validate_chair_id(self, field: SelectField) -> None:
        if field.data not in self.member_ids:
            raise ValidationError(_("Chọn đồng chí chủ trì hội nghị."))

    def validate_minute_taker_id(self, field: SelectField) -> None:
        if field.data not in self.member_ids:
            raise ValidationError(_("Chọn đồng chí thư ký hội nghị."))
        if field.data == self.chair_id.data:
            raise ValidationError(_("Thư ký hội nghị phải là đồng chí khác chủ trì."))


def roll_call_form(participants: list[Participant], formdata: object = None) -> BaseForm:
    """Return the roll-call form: attendance and absence reason for every participant."""

    class RollCallForm(BaseForm):
        version = version_field()  # the participants' versions the form was loaded with

    for p in participants:
        setattr(
            RollCallForm,
            f"attendance_{p.id}",
            RadioField(
                p.name,
                choices=[(a.value, translate(label)) for a, label in ATTENDANCE_LABELS.items()],
                default=p.attendance,
                validators=[InputRequired(_("Chọn có mặt hay vắng cho đồng chí %(name)s.", name=p.name))],
            ),
        )
        setattr(
            RollCallForm,
            f"reason_{p.id}",
            StringField(
                Markup(
                    _("Lý do vắng của đồng chí %(name)s", name=Markup("<bdi>{}</bdi>").format(p.name))
                ),  # the name isolated (escaped)
                filters=[strip_nfc],
                default=p.absence_reason,
                validators=[Length(max=NAME)],
            ),
        )

    def validate(self: BaseForm, extra_validators: object = None) -> bool:
        ok = BaseForm.validate(self, extra_validators)
        for p in participants:
            attendance = self[f"attendance_{p.id}"]
            reason = self[f"reason_{p.id}"]
            if attendance.data == Attendance.ABSENT_EXCUSED and not reason.data:
                reason.errors = list(reason.errors) + [_("Vắng có lý do: ghi lý do (ví dụ: ốm, công tác).")]
                ok = False
        return ok

    RollCallForm.validate = validate  # type: ignore[method-assign]
    return RollCallForm(formdata=formdata) if formdata is not None else RollCallForm()


class ClosingForm(BaseForm):
    minutes_approved_by = IntegerField(
        _l("Số đồng chí biểu quyết thông qua biên bản"),
        validators=[
            InputRequired(_l("Nhập số đồng chí tán thành.")),
            NumberRange(min=0, message=_l("Không thể là số âm.")),
        ],
    )
    ends_at = DateTimeLocalField(
        _l("Thời gian bế mạc"), format=DATETIME_FORMAT, validators=[InputRequired(_l("Nhập ngày giờ bế mạc."))]
    )
    version = version_field()  # of the meeting the form was loaded with

    def __init__(self, *args: object, present: int, starts_at: object, review_year: int, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.present = present
        self.starts_at_value = starts_at
        self.review_year = review_year

    def validate_minutes_approved_by(self, field: IntegerField) -> None:
        if field.data is not None and field.data > self.present:
            raise ValidationError(
                ngettext("Chỉ có %(num)d đồng chí có mặt.", "Chỉ có %(num)d đồng chí có mặt.", self.present)
            )

    def validate_ends_at(self, field: DateTimeLocalField) -> None:
        from ..rules import MAX_MEETING_LENGTH, meeting_end_fits

        start = self.starts_at_value
        if not field.data or meeting_end_fits(self.review_year, start, field.data):  # type: ignore[arg-type]
            return
        if start is None:
            raise ValidationError(
                _(
                    "Hội nghị kiểm điểm năm %(year)s bế mạc trong năm %(year)s (hoặc tháng đầu năm %(next)s).",
                    year=self.review_year,
                    next=self.review_year + 1,
                )
            )
        if field.data < start:  # type: ignore[operator]
            raise ValidationError(_("Giờ bế mạc phải sau giờ khai mạc."))
        raise ValidationError(
            ngettext(
                "Hội nghị khai mạc lúc %(start)s: giờ bế mạc chậm nhất %(num)d ngày sau đó. Kiểm tra lại ngày bế mạc.",
                "Hội nghị khai mạc lúc %(start)s: giờ bế mạc chậm nhất %(num)d ngày sau đó. Kiểm tra lại ngày bế mạc.",
                MAX_MEETING_LENGTH.days,
                start=when_text(start, "minute"),  # type: ignore[arg-type]
            )
        )
