"""Routes of the home page."""

from __future__ import annotations

from flask import render_template
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..access import may_edit_cell
from ..counting import counts_for
from ..extensions import db
from ..models import Cell, Meeting, Organization, Role, Seal
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
    role = current_user.role
    if role is Role.WARD:
        query = query.where(Cell.organization_id == current_user.organization_id)
    elif role in (Role.SECRETARY, Role.COUNTER):
        query = query.where(Cell.id == current_user.cell_id)
    return list(db.session.scalars(query))


@bp.route("/")
@login_required
def index():  # type: ignore[no-untyped-def]
    """Show the cells of the signed-in user and their meetings, newest year first."""
    return render_template(
        "main/index.html",
        cells=visible_cells(),
        can_edit=lambda cell: may_edit_cell(cell.id),
        counts=lambda meeting: counts_for(current_user, meeting),
    )
