"""The organisation's cells, kept by its ward (and the administrator): list, create, edit, archive, restore.

Another ward's organisation or cell is a 404 (access.cells_organization, access.kept_cell).
Archiving keeps every record; what it means is written in review/setup_rules.py: the cell
leaves the list (shown under "Đã lưu trữ"), takes no new meeting, and its pages keep working.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy import select

from ..access import MANAGE_CELLS, cells_organization, kept_cell, permission_required
from ..admin.forms import ArchiveForm, RestoreForm
from ..database import write_transaction
from ..extensions import db
from ..form_saving import refused_button, save_form
from ..i18n import translate
from ..meeting_edits import Refused
from ..models import Cell
from ..setup_store import cell_accounts, create_cell, set_cell_archived, update_cell
from . import bp
from .forms import CellForm

cells_required = permission_required(MANAGE_CELLS)


@bp.route("/organizations/<int:organization_id>/cells")
@cells_required
def cells(organization_id: int) -> ResponseReturnValue:
    """List the organisation's cells with their roster and accounts; the archived ones apart."""
    organization = cells_organization(organization_id)
    rows = list(
        db.session.scalars(select(Cell).where(Cell.organization_id == organization.id).order_by(Cell.name, Cell.id))
    )
    return render_template(
        "ward/cells.html",
        organization=organization,
        active=[c for c in rows if c.archived_at is None],
        archived=[c for c in rows if c.archived_at is not None],
        accounts=cell_accounts([c.id for c in rows]),
        restore_form=RestoreForm(),
    )


@bp.route("/organizations/<int:organization_id>/cells/new", methods=["GET", "POST"])
@cells_required
def new_cell(organization_id: int) -> ResponseReturnValue:
    """Create a cell of the organisation."""
    organization = cells_organization(organization_id)
    form = CellForm()

    def save() -> None:
        create_cell(organization, form.name.data or "", form.place.data or "", bool(form.has_committee.data))

    return save_form(
        form,
        save,
        lambda: render_template("ward/cell_form.html", form=form, organization=organization, cell=None),
        lambda: url_for("ward.cells", organization_id=organization.id),
        _("Đã tạo chi bộ."),
    )


@bp.route("/cells/<int:cell_id>/edit", methods=["GET", "POST"])
@cells_required
def edit_cell(cell_id: int) -> ResponseReturnValue:
    """Rename a cell, change its place and whether it has a committee."""
    cell = kept_cell(cell_id)
    form = CellForm(obj=None if request.method == "POST" else cell)

    def save() -> None:
        update_cell(cell, form.name.data or "", form.place.data or "", bool(form.has_committee.data))

    return save_form(
        form,
        save,
        lambda: render_template("ward/cell_form.html", form=form, organization=cell.organization, cell=cell),
        lambda: url_for("ward.cells", organization_id=cell.organization_id),
        _("Đã lưu thông tin chi bộ."),
    )


@bp.route("/cells/<int:cell_id>/archive", methods=["GET", "POST"])
@cells_required
def archive_cell(cell_id: int) -> ResponseReturnValue:
    """Archive a cell after a confirmation: its members, meetings and documents are kept."""
    cell = kept_cell(cell_id)
    form = ArchiveForm()
    return save_form(
        form,
        lambda: set_cell_archived(cell, True),
        lambda: render_template("ward/cell_archive.html", form=form, cell=cell, organization=cell.organization),
        lambda: url_for("ward.cells", organization_id=cell.organization_id),
        _("Đã lưu trữ chi bộ: mọi hồ sơ được giữ nguyên."),
    )


@bp.route("/cells/<int:cell_id>/restore", methods=["POST"])
@cells_required
def restore_cell(cell_id: int) -> ResponseReturnValue:
    """Bring an archived cell back to the organisation's list."""
    cell = kept_cell(cell_id)
    back = url_for("ward.cells", organization_id=cell.organization_id)
    form = RestoreForm()
    if not form.validate():
        return refused_button(form, back)
    try:
        with write_transaction():
            set_cell_archived(cell, False)
    except Refused as refused:
        flash(translate(refused.message), "error")
    else:
        flash(_("Đã khôi phục chi bộ."), "success")
    return redirect(back)
