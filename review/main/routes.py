"""Routes of the home page."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..access import COUNT, allows, home_links, listed_scope, lists_meeting, may_edit_cell
from ..auth.routes import safe_next
from ..extensions import db
from ..i18n import LANGUAGE_COOKIE, LANGUAGE_COOKIE_MAX_AGE, is_language
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


@bp.route("/language", methods=["POST"])
def language() -> ResponseReturnValue:
    """Switch the interface's language (the menu's switch): kept in a cookie, and in the account."""
    chosen = request.form.get("language")
    home = url_for("main.index") if current_user.is_authenticated else url_for("auth.login")
    response = redirect(safe_next(request.form.get("next")) or home)
    if not is_language(chosen):  # not one of ours (a stale page, a hand-made request): nothing changes
        flash(_("Chưa đổi ngôn ngữ: chọn một ngôn ngữ của giao diện."), "error")
        return response
    response.set_cookie(
        LANGUAGE_COOKIE,
        str(chosen),
        max_age=LANGUAGE_COOKIE_MAX_AGE,
        secure=current_app.config["SESSION_COOKIE_SECURE"],
        httponly=True,
        samesite="Lax",
    )
    with force_locale(str(chosen)):  # said in the language chosen, as the next page will be
        flash(_("Đã chuyển giao diện sang tiếng Việt."), "info")
    if current_user.is_authenticated and current_user.language != chosen:
        current_user.language = chosen
        db.session.commit()
    return response
