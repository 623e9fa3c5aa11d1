"""Forms of the ward pages: the ZIP of a year's sealed documents, a cell, a review year, its rules (SPEC 6)."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange

from ..forms import BaseForm
from ..i18n import translate
from ..rules import (
    FIRST_REVIEW_YEAR,
    LAST_REVIEW_YEAR,
    OVERRIDE_KEYS,
    PROFILE_BASIS,
    PROFILES,
    RATIO_OVERRIDE_KEYS,
    AgreeCap,
    BallotMode,
    Rules,
    format_ratio,
    resolve_rules,
)
from ..setup_rules import NAME_MAX
from ..text import UPLOAD_MAX_BYTES, strip_nfc
from ..translatable import N_
from ..vocabulary import (
    AGREE_CAP_LABEL,
    AGREE_CAP_LABELS,
    BALLOT_MODE_LABELS,
    QUOTA_POOL_LABELS,
    RULE_PARAMETER_LABELS,
)

PROFILE_DEFAULT = ""  # an override left at "theo hồ sơ"
OVERRIDE_LABELS = RULE_PARAMETER_LABELS | {"agree_cap": AGREE_CAP_LABEL}


def profile_label(rules: Rules) -> str:
    """Return a profile as the select shows it: name, years, basis (in the request's language)."""
    return _(
        "%(profile)s · năm %(years)s · %(basis)s",
        profile=rules.profile,
        years=translate(rules.years),
        basis=translate(PROFILE_BASIS.get(rules.profile, "")),
    )


def _capitalized(label: str) -> str:
    """Return a label with its first letter capital (a vocabulary phrase made a choice)."""
    return label[:1].upper() + label[1:]


class ExportForm(BaseForm):
    """The year whose sealed documents go into one ZIP."""

    year = IntegerField(
        _l("Năm"), validators=[InputRequired(), NumberRange(min=FIRST_REVIEW_YEAR, max=LAST_REVIEW_YEAR)]
    )


class CellForm(BaseForm):
    """A cell of the organisation: its name, its place (empty: the organisation's), whether it has a committee.

    The name is checked by review/setup_rules.py (through review/setup_store.py) when saved:
    empty, or already another cell's of the organisation (NFC, case-folded), it is refused
    next to the field.
    """

    name = StringField(_l("Tên chi bộ"), filters=[strip_nfc], validators=[Length(max=NAME_MAX)])
    place = StringField(_l("Địa danh"), filters=[strip_nfc], validators=[Length(max=NAME_MAX)])
    has_committee = BooleanField(_l("Có chi ủy"))


class YearForm(BaseForm):
    """Pick a review year (a GET form: nothing is written)."""

    class Meta:
        csrf = False

    year = IntegerField(
        _l("Năm kiểm điểm"),
        validators=[
            InputRequired(_l("Nhập năm kiểm điểm.")),
            # NumberRange fills %(min)s and %(max)s in.
            NumberRange(FIRST_REVIEW_YEAR, LAST_REVIEW_YEAR, _l("Cần một năm từ %(min)s đến %(max)s.")),
        ],
    )


class RulesForm(BaseForm):
    """The rule profile of a ward organisation's review year and its overrides (SPEC 6)."""

    profile = SelectField(_l("Hồ sơ quy định"))
    quorum = StringField(_l(OVERRIDE_LABELS["quorum"]), filters=[strip_nfc], validators=[Length(max=16)])
    excellent_threshold = StringField(
        _l(OVERRIDE_LABELS["excellent_threshold"]), filters=[strip_nfc], validators=[Length(max=16)]
    )
    cumulative = SelectField(
        _l(OVERRIDE_LABELS["cumulative"]),
        choices=[(PROFILE_DEFAULT, N_("Theo hồ sơ")), ("yes", N_("Có cộng dồn")), ("no", N_("Không cộng dồn"))],
    )
    ballot_mode = SelectField(
        _l(OVERRIDE_LABELS["ballot_mode"]),
        choices=[
            (PROFILE_DEFAULT, N_("Theo hồ sơ")),
            (BallotMode.SINGLE.value, BALLOT_MODE_LABELS[BallotMode.SINGLE]),
            (BallotMode.TWO_PHASE.value, BALLOT_MODE_LABELS[BallotMode.TWO_PHASE]),
        ],
    )
    # Every profile's cap is "none": that choice stores no override (SPEC 5.8, two ballots only).
    agree_cap = SelectField(
        _l(OVERRIDE_LABELS["agree_cap"]),
        choices=[(cap.value, AGREE_CAP_LABELS[cap]) for cap in AgreeCap],
        default=AgreeCap.NONE.value,
    )
    quota_ratio = StringField(_l(OVERRIDE_LABELS["quota_ratio"]), filters=[strip_nfc], validators=[Length(max=16)])
    quota_pool = SelectField(
        _l(OVERRIDE_LABELS["quota_pool"]),
        choices=[(PROFILE_DEFAULT, N_("Theo hồ sơ"))] + list(QUOTA_POOL_LABELS.items()),
    )
    # The selects whose choices' words are translated when the form is made (in the request).
    TRANSLATED_CHOICES = ("cumulative", "ballot_mode", "agree_cap", "quota_pool")

    def __init__(self, *args: Any, year: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.year = year
        self.profile.choices = [(key, profile_label(rules)) for key, rules in PROFILES.items()]
        for name in self.TRANSLATED_CHOICES:
            field = self[name]
            field.choices = [(value, _capitalized(translate(label))) for value, label in field.choices]
        self.resolved: Rules | None = None

    def overrides(self) -> dict[str, object]:
        """Return the overrides set in the form (the ones not left at "theo hồ sơ")."""
        out: dict[str, object] = {}
        for key in OVERRIDE_KEYS:
            value = self[key].data
            if value in (None, PROFILE_DEFAULT):
                continue
            if key == "agree_cap" and value == AgreeCap.NONE:
                continue  # the profiles' own value: nothing to override
            out[key] = value == "yes" if key == "cumulative" else value
        return out

    def stored_overrides(self) -> dict[str, object]:
        """Return the override columns to store: normalised values, None for "theo hồ sơ"."""
        assert self.resolved is not None
        given = self.overrides()
        out: dict[str, object] = {}
        for key in OVERRIDE_KEYS:
            if key not in given:
                out[key] = None
            elif key in RATIO_OVERRIDE_KEYS:
                out[key] = format_ratio(getattr(self.resolved, key))  # " 4/6 " is stored as "2/3"
            else:
                value = getattr(self.resolved, key)
                out[key] = value if isinstance(value, bool) else str(value)
        return out

    def _add_error(self, name: str, message: str) -> None:
        self[name].errors = list(self[name].errors) + [message]

    def validate(self, extra_validators: Any = None) -> bool:
        """Check the fields, then the rules as the core resolves them, and the profile's years."""
        if not super().validate(extra_validators):
            return False
        resolved, problems = resolve_rules(self.profile.data, self.overrides())
        for problem in problems:
            name = str(problem.path[0]) if problem.path and problem.path[0] in self._fields else "profile"
            self._add_error(name, translate(problem.message))
        if resolved is not None and not resolved.applies_to(self.year):
            self._add_error(
                "profile",
                _(
                    "Hồ sơ %(profile)s áp dụng cho năm %(years)s, không dùng cho năm %(year)d.",
                    profile=resolved.profile,
                    years=translate(resolved.years),
                    year=self.year,
                ),
            )
        if any(field.errors for field in self):
            return False
        self.resolved = resolved
        return True


MEETING_FILE_MAX_BYTES = UPLOAD_MAX_BYTES  # the seed's file is 20 KiB
REASON_MAX = 2000
NO_FILE = N_("Chọn tệp hội nghị (JSON) để tải lên.")
REASON_REQUIRED = N_("Ghi lý do thay hội nghị đã có trên máy chủ.")


class MeetingFileForm(BaseForm):
    """A meeting file (SPEC 8 JSON) uploaded by the ward."""

    file = FileField(_l("Tệp hội nghị (JSON)"), validators=[FileRequired(_l(NO_FILE))])


class ConfirmMeetingFileForm(BaseForm):
    """The confirmation of a previewed meeting file: its stash token, and why it replaces a meeting."""

    token = HiddenField(validators=[InputRequired()])
    reason = TextAreaField(_l("Lý do thay hội nghị trên máy chủ"), validators=[Length(max=REASON_MAX)])
