"""The ward pages' one form: ask for the ZIP of a year's sealed documents."""

from __future__ import annotations

from wtforms import IntegerField
from wtforms.validators import InputRequired, NumberRange

from ..forms import BaseForm


class ExportForm(BaseForm):
    """The year whose sealed documents go into one ZIP."""

    year = IntegerField("Năm", validators=[InputRequired(), NumberRange(min=2000, max=9999)])
