"""Routes of the province's view: read-only, for administrators (there is no province role)."""

from __future__ import annotations

from flask import render_template
from flask.typing import ResponseReturnValue

from ..access import province_required
from ..i18n import translate, translate_all
from ..rules import FIRST_REVIEW_YEAR, LAST_REVIEW_YEAR, LEVEL_LABELS, LEVEL_SHORT, LEVELS, UNDECIDED
from ..security import query_int
from ..vocabulary import NOT_RATED_LABEL, UNDECIDED_LABEL
from ..ward.overview import NOT_RATED
from . import bp
from .overview import build_province

EXTRA_LABELS = {NOT_RATED: NOT_RATED_LABEL, UNDECIDED: UNDECIDED_LABEL}


@bp.route("/province")
@province_required
def index() -> ResponseReturnValue:
    """Show every ward organisation's cells, seals and totals per level for a year."""
    year = query_int("year", FIRST_REVIEW_YEAR, LAST_REVIEW_YEAR)  # a wrong year shows the default year
    overview = build_province(year)
    response = render_template(
        "province/index.html",
        ov=overview,
        levels=[
            {"key": str(level), "short": translate(LEVEL_SHORT[level]), "label": translate(LEVEL_LABELS[level])}
            for level in LEVELS
        ],
        extra_labels=translate_all(EXTRA_LABELS),
    )
    return response, 200, {"Cache-Control": "private, no-store"}
