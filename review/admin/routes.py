"""The administrator's ward organisations: the index, create, edit, archive and restore.

Archiving keeps every record (review/setup_rules.py says what it means); nothing here deletes.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy import select

from ..access import MANAGE_ORGANIZATIONS, cells_organization, permission_required
from ..database import write_transaction
from ..extensions import db
from ..form_saving import refused_button, save_form
from ..i18n import translate
from ..meeting_edits import Refused
from ..models import Organization
from ..setup_store import (
    cell_counts,
    create_organization,
    set_organization_archived,
    update_organization,
)
from ..translatable import N_
from . import bp
from .forms import ArchiveForm, OrganizationForm, RestoreForm

admin_required = permission_required(MANAGE_ORGANIZATIONS)


def _organization(organization_id: int) -> Organization:
    return cells_organization(organization_id, MANAGE_ORGANIZATIONS)


@bp.route("/organizations")
@admin_required
def organizations() -> ResponseReturnValue:
    """List the ward organisations: the active ones, then the archived ones."""
    rows = list(db.session.scalars(select(Organization).order_by(Organization.name, Organization.id)))
    counts = cell_counts([o.id for o in rows])
    return render_template(
        "admin/organizations.html",
        active=[o for o in rows if o.archived_at is None],
        archived=[o for o in rows if o.archived_at is not None],
        counts=counts,
        restore_form=RestoreForm(),
    )


@bp.route("/organizations/new", methods=["GET", "POST"])
@admin_required
def new_organization() -> ResponseReturnValue:
    """Create a ward organisation."""
    form = OrganizationForm()

    def save() -> None:
        create_organization(form.name.data or "", form.place.data or "", form.superior.data or "")

    return save_form(
        form,
        save,
        lambda: render_template("admin/organization_form.html", form=form, organization=None),
        lambda: url_for("admin.organizations"),
        N_("Đã tạo đảng bộ."),
    )


@bp.route("/organizations/<int:organization_id>/edit", methods=["GET", "POST"])
@admin_required
def edit_organization(organization_id: int) -> ResponseReturnValue:
    """Rename an organisation, change its place and its superior organisation."""
    organization = _organization(organization_id)
    form = OrganizationForm(obj=None if request.method == "POST" else organization)

    def save() -> None:
        update_organization(organization, form.name.data or "", form.place.data or "", form.superior.data or "")

    return save_form(
        form,
        save,
        lambda: render_template("admin/organization_form.html", form=form, organization=organization),
        lambda: url_for("admin.organizations"),
        N_("Đã lưu thông tin đảng bộ."),
    )


@bp.route("/organizations/<int:organization_id>/archive", methods=["GET", "POST"])
@admin_required
def archive_organization(organization_id: int) -> ResponseReturnValue:
    """Archive an organisation after a confirmation: every record is kept."""
    organization = _organization(organization_id)
    form = ArchiveForm()
    return save_form(
        form,
        lambda: set_organization_archived(organization, True),
        lambda: render_template("admin/organization_archive.html", form=form, organization=organization),
        lambda: url_for("admin.organizations"),
        N_("Đã lưu trữ đảng bộ: mọi hồ sơ được giữ nguyên."),
    )


@bp.route("/organizations/<int:organization_id>/restore", methods=["POST"])
@admin_required
def restore_organization(organization_id: int) -> ResponseReturnValue:
    """Bring an archived organisation back to the active ones."""
    organization = _organization(organization_id)
    form = RestoreForm()
    if not form.validate():
        return refused_button(form, url_for("admin.organizations"))
    try:
        with write_transaction():
            set_organization_archived(organization, False)
    except Refused as refused:
        flash(translate(refused.message), "error")
    else:
        flash(_("Đã khôi phục đảng bộ."), "success")
    return redirect(url_for("admin.organizations"))
