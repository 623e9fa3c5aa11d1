"""Command line for a scripted set-up: ward organisations and their cells.

Each ``create`` prints the new id alone on its last line; any problem (an empty or taken name,
control characters, an unknown or archived organisation) is a message and exit 1, with nothing
stored. The messages are Vietnamese, or in the language REVIEW_LANGUAGE names (review/i18n.py). The checks are the pages' own (review/setup_store.py, review/setup_rules.py).
"""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from flask_babel import gettext as _
from sqlalchemy import select

from .database import write_transaction
from .extensions import db
from .i18n import translate
from .meeting_edits import Refused
from .models import Cell, Organization
from .setup_rules import new_cell_problem
from .setup_store import create_cell, create_organization
from .translatable import N_

# What each refused field is called in a message of the command line.
FIELD_NAMES = {"name": N_("Tên"), "place": N_("Địa danh (--place)"), "superior": N_("Cấp ủy cấp trên (--superior)")}


def _refused(refused: Refused) -> click.ClickException:
    field = FIELD_NAMES.get(refused.field)
    return click.ClickException(f"{_(field) if field else refused.field}: {translate(refused.message)}")


@click.group("organization")
def organization_cli() -> None:
    """Create and list ward organisations."""


@organization_cli.command("create")
@click.argument("name")
@click.option(
    "--place",
    default="",
    help="The place of the documents' date line, e.g. Thượng Thanh (required).",  # i18n: vi-only
)
@click.option("--superior", default="", help="The superior organisation, e.g. Đảng bộ quận Long Biên.")  # i18n: vi-only
@with_appcontext
def create_organization_command(name: str, place: str, superior: str) -> None:
    """Create a ward organisation; print its id last."""
    try:
        with write_transaction():
            organization = create_organization(name, place, superior)
    except Refused as refused:
        raise _refused(refused) from refused
    click.echo(_("Đã tạo đảng bộ %(name)s.", name=organization.name))
    click.echo(organization.id)


@organization_cli.command("list")
@with_appcontext
def list_organizations_command() -> None:
    """Print one line an organisation, archived ones included: id, a tab, the name."""
    for organization in db.session.scalars(select(Organization).order_by(Organization.id)):
        click.echo(f"{organization.id}\t{organization.name}")


@click.group("cell")
def cell_cli() -> None:
    """Create and list the cells of ward organisations."""


@cell_cli.command("create")
@click.option("--organization", "organization_id", type=int, required=True, help="The ward organisation's id.")
@click.argument("name")
@click.option("--place", default="", help="The cell's own place for the date line (default: the organisation's).")
@click.option("--committee", is_flag=True, help="The cell has a committee (chi ủy).")  # i18n: vi-only
@with_appcontext
def create_cell_command(organization_id: int, name: str, place: str, committee: bool) -> None:
    """Create a cell of an organisation; print its id last."""
    organization = db.session.get(Organization, organization_id)
    if organization is None:
        raise click.ClickException(_("Không có đảng bộ mã %(id)s.", id=organization_id))
    archived = new_cell_problem(organization.archived_at is not None)
    if archived is not None:
        raise click.ClickException(translate(archived))
    try:
        with write_transaction():
            organization = db.session.get(Organization, organization_id)
            assert organization is not None
            cell = create_cell(organization, name, place, committee)
    except Refused as refused:
        raise _refused(refused) from refused
    click.echo(_("Đã tạo chi bộ %(cell)s của %(organization)s.", cell=cell.name, organization=organization.name))
    click.echo(cell.id)


@cell_cli.command("list")
@click.option("--organization", "organization_id", type=int, help="Only this organisation's cells.")
@with_appcontext
def list_cells_command(organization_id: int | None) -> None:
    """Print one line a cell, archived ones included: id, name, organisation id, tab-separated."""
    query = select(Cell).order_by(Cell.id)
    if organization_id is not None:
        if db.session.get(Organization, organization_id) is None:
            raise click.ClickException(_("Không có đảng bộ mã %(id)s.", id=organization_id))
        query = query.where(Cell.organization_id == organization_id)
    for cell in db.session.scalars(query):
        click.echo(f"{cell.id}\t{cell.name}\t{cell.organization_id}")
