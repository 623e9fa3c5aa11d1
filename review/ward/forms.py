"""The ward pages' one form: ask for the ZIP of a year's sealed documents."""

from __future__ import annotations

from wtforms import IntegerField
from wtforms.validators import InputRequired, NumberRange

from ..forms import BaseForm
from ..rules import FIRST_REVIEW_YEAR, LAST_REVIEW_YEAR


class ExportForm(BaseForm):
    """The year whose sealed documents go into one ZIP."""

    year = IntegerField("Năm", validators=[InputRequired(), NumberRange(min=FIRST_REVIEW_YEAR, max=LAST_REVIEW_YEAR)])
