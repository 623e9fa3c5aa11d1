"""Routes of the home page."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..access import COUNT, allows, home_links, listed_scope, lists_meeting, may_edit_cell
from ..extensions import db
from ..models import Cell, Meeting, Organization, Seal
from . import bp


def visible_cells() -> list[Cell]:
    """Return the cells the signed-in user may see, with their meetings."""
    query = (
        select(Cell)
        .options(
            selectinload(Cell.organization),
            selectinload(Cell.meetings).selectinload(Meeting.review_year),
            selectinload(Cell.meetings).selectinload(Meeting.seals).defer(Seal.payload),
        )
        .join(Cell.organization)
        .order_by(Organization.name, Cell.name)
    )
    scope, scope_id = listed_scope(current_user)
    if scope == "organization":
        query = query.where(Cell.organization_id == scope_id)
    elif scope == "cell":
        query = query.where(Cell.id == scope_id)
    return list(db.session.scalars(query))


@bp.route("/")
@login_required
def index():  # type: ignore[no-untyped-def]
    """Show the cells of the signed-in user and their meetings, newest year first."""
    return render_template(
        "main/index.html",
        cells=visible_cells(),
        can_edit=lambda cell: may_edit_cell(cell.id),
        counts=lambda meeting: allows(COUNT, meeting=meeting),
        listed=lambda meeting: lists_meeting(current_user, meeting),
        links=home_links(current_user),
    )
