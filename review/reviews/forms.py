"""Forms of the reviews: the collective reviews (cell, committee) and each member's review.

Every text is kept as typed, apart from Unicode NFC, one kind of line break and the white
space around it; a text the meeting file could not carry (too long, control characters)
is refused. Feedback rows left blank are ignored; a half-filled row is an error on that row.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from flask_babel import gettext as _
from wtforms import Field, FieldList, Form, FormField, IntegerField, SelectField, TextAreaField
from wtforms.validators import Optional, StopValidation, ValidationError

from ..form_saving import version_field
from ..forms import VIETNAMESE, BaseForm
from ..i18n import number_text, translate
from ..meetingfile import TEXT_MAX, absent_speaker_message
from ..rules import LEVEL_LABELS, LEVELS
from ..text import CONTROL, CONTROL_MESSAGE, one_line_break, strip_nfc
from ..translatable import N_

NO_CHOICE = N_("— Chưa chọn —")
NO_SPEAKER = N_("— Chọn người góp ý —")
LEVEL_CHOICES = [("", NO_CHOICE)] + [
    (level.value, LEVEL_LABELS[level]) for level in LEVELS
]  # translated by level_field
LONG_TEXT_ROWS = 7


TEXT_FILTERS = [strip_nfc, one_line_break]


def fits_meeting_file(form: Form, field: Field) -> None:
    """Refuse a text the meeting file cannot carry: too long, or with control characters."""
    value = field.data or ""
    if len(value) > TEXT_MAX:
        raise ValidationError(
            _("Dài %(length)s ký tự, tối đa %(max)s ký tự.", length=number_text(len(value)), max=number_text(TEXT_MAX))
        )
    if CONTROL.search(value):
        raise ValidationError(translate(CONTROL_MESSAGE))


def long_text(label: str, description: str = "", rows: int = LONG_TEXT_ROWS) -> TextAreaField:
    """Return a long text field: kept as typed, checked against the meeting file's limits."""
    return TextAreaField(
        label, description=description, filters=TEXT_FILTERS, validators=[fits_meeting_file], render_kw={"rows": rows}
    )


def level_field(label: str) -> SelectField:
    """Return a select of the four levels, or none chosen yet (in the request's language)."""
    return SelectField(label, choices=[(value, translate(text)) for value, text in LEVEL_CHOICES], default="")


SPEAKER_VALUE = re.compile(r"[mg]:[0-9]{1,18}", re.ASCII)
ABSENT_MARK = N_("vắng mặt")


def speaker_value(value: Any) -> str:
    """Coerce a speaker choice to its key (``m:<member id>``, ``g:<guest id>``); no choice is "".

    A bare number, as the select sent before guests could speak, names a member.
    """
    if value is None:
        return ""
    text = str(value).strip()
    if text in ("", "0"):
        return ""
    if text.isascii() and text.isdigit() and len(text) <= 18:
        return f"m:{int(text)}"
    if not SPEAKER_VALUE.fullmatch(text):
        raise ValueError(text)  # WTForms answers "Lựa chọn không hợp lệ."
    return text


def feedback_entry_form(
    speakers: Mapping[str, str], reviewed_member_id: int | None, absent: Mapping[str, str] | None = None
) -> type[Form]:
    """Return the form of one feedback row for the given speakers (key -> label).

    The speakers are the members present and the guests (SPEC 8), keyed ``m:<member id>`` and
    ``g:<guest id>``. ``absent`` names the members not present: a row naming one (recorded before
    the roll call changed) shows them, marked, and is refused until another speaker is chosen.
    ``reviewed_member_id`` is the member under review: they cannot give feedback on themselves.
    """
    absent = dict(absent or {})
    reviewed = f"m:{reviewed_member_id}" if reviewed_member_id is not None else None

    class FeedbackEntryForm(Form):
        class Meta:
            def get_translations(self, form: Form) -> Any:
                return VIETNAMESE

        speaker = SelectField(
            _("Người góp ý"),
            coerce=speaker_value,
            choices=[("", _(NO_SPEAKER))] + list(speakers.items()),
            validate_choice=False,  # checked below, with messages that say what is wrong
            default="",
        )
        text = long_text(_("Nội dung ý kiến"), rows=3)

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            chosen = self.speaker.data
            if chosen in absent:  # show who the row names, so the refusal can be read beside it
                self.speaker.choices = [*self.speaker.choices, (chosen, f"{absent[chosen]} ({_(ABSENT_MARK)})")]

        def validate_speaker(self, field: SelectField) -> None:
            if field.process_errors:
                return
            if not field.data:
                if self.text.data:
                    raise ValidationError(_("Chọn đồng chí phát biểu ý kiến này."))
                return
            if reviewed is not None and field.data == reviewed:
                raise ValidationError(_("Đồng chí đang tự kiểm điểm không góp ý cho chính mình: chọn đồng chí khác."))
            if field.data in absent:
                raise ValidationError(translate(absent_speaker_message(absent[field.data])))
            if field.data not in speakers:
                raise ValidationError(
                    _("Người góp ý không có trong danh sách đảng viên có mặt và khách mời của hội nghị.")
                )

        def validate_text(self, field: TextAreaField) -> None:
            if self.speaker.data and not self.speaker.process_errors and not field.data:
                raise ValidationError(_("Ghi nội dung ý kiến (hoặc bỏ chọn người góp ý để bỏ dòng này)."))

    return FeedbackEntryForm


class ReviewForm(BaseForm):
    """A review form: its errors are keyed by the inputs' names, feedback rows included.

    The page's script shows an autosave's errors next to the input of that name, so a
    feedback row's error is reported as ``feedback-2-text``, not nested under ``feedback``.
    """

    version = version_field()  # of the stored review the form was loaded with

    @property
    def errors(self) -> dict[str, list[str]]:  # type: ignore[override]
        out: dict[str, list[str]] = {}
        for name, field in self._fields.items():
            if isinstance(field, FieldList):
                for entry in field.entries:
                    for sub in entry.form:
                        if sub.errors:
                            out[sub.name] = list(sub.errors)
            elif field.errors:
                out[name] = list(field.errors)
        return out

    def feedback_entries(self) -> list[tuple[str, str]]:
        """Return the filled feedback rows, in order, as (speaker's key, text): ``m:<member id>`` or ``g:<guest id>``."""
        rows = []
        for entry in self["feedback"].entries:
            speaker, text = entry.form.speaker.data, entry.form.text.data
            if speaker or text:
                rows.append((speaker, text))
        return rows


def collective_form(
    subject: str,
    speakers: Mapping[str, str],
    data: Mapping[str, Any] | None = None,
    absent: Mapping[str, str] | None = None,
) -> ReviewForm:
    """Return the form of the cell's (``subject`` "cell") or the committee's collective review."""
    cell = subject == "cell"

    class CollectiveForm(ReviewForm):
        report = long_text(
            _("Báo cáo kiểm điểm tập thể chi bộ") if cell else _("Báo cáo kiểm điểm tập thể chi ủy"),
            _(
                "Ưu điểm; hạn chế, khuyết điểm và nguyên nhân; kết quả khắc phục hạn chế, khuyết điểm năm trước; "
                "phương hướng, biện pháp năm tới."
            ),
            rows=10,
        )
        feedback = FieldList(FormField(feedback_entry_form(speakers, None, absent)), min_entries=1)
        conclusion = long_text(_("Kết luận của chủ trì hội nghị"))
        self_level = level_field(
            _("Mức tập thể chi bộ tự đánh giá, xếp loại") if cell else _("Mức tập thể chi ủy tự đánh giá, xếp loại")
        )
        remedy_plan = long_text(_("Kế hoạch khắc phục hạn chế, khuyết điểm"))

    return CollectiveForm(data=data)


SCORE = re.compile(r"\s*[0-9]{1,3}\s*", re.ASCII)
SCORE_MESSAGE = N_("Điểm tự chấm là số nguyên từ 0 đến 100.")


def individual_form(
    speakers: Mapping[str, str],
    reviewed_member_id: int,
    scored: bool,
    data: Mapping[str, Any] | None = None,
    absent: Mapping[str, str] | None = None,
) -> ReviewForm:
    """Return the form of one member's review; the self-score only when the rules score."""

    class IndividualForm(ReviewForm):
        summary = long_text(
            _("Tóm tắt bản tự kiểm điểm"),
            _(
                "Ưu điểm; hạn chế, khuyết điểm và nguyên nhân; kết quả khắc phục hạn chế năm trước; biện pháp khắc phục."
            ),
            rows=10,
        )
        self_level = level_field(_("Tự đánh giá, xếp loại"))
        self_score = IntegerField(
            _("Điểm tự chấm (thang 100)"),
            description=_("Số nguyên từ 0 đến 100: tiêu chí chung (30 điểm) và kết quả thực hiện nhiệm vụ (70 điểm)."),
            validators=[Optional()],
            render_kw={"min": 0, "max": 100, "step": 1, "inputmode": "numeric"},
        )
        feedback = FieldList(FormField(feedback_entry_form(speakers, reviewed_member_id, absent)), min_entries=1)
        response = long_text(_("Ý kiến tiếp thu, giải trình của đảng viên"))
        conclusion = long_text(_("Kết luận của chủ trì hội nghị"))

        def validate_self_score(self, field: IntegerField) -> None:
            # Reached only with something typed (Optional stops at a blank): one clear message
            # in place of WTForms' own, for "abc", "7.5", "٧" and "101" alike.  # noqa: RUF003  (on purpose)
            raw = field.raw_data[0] if field.raw_data else ""
            if not (isinstance(raw, str) and SCORE.fullmatch(raw) and 0 <= int(raw) <= 100):
                field.errors[:] = []
                raise StopValidation(_(SCORE_MESSAGE))

    form = IndividualForm(data=data)
    if not scored:
        del form.self_score
    return form
