"""Organisations and cells written from the pages and the command line: one home for both.

Each function runs inside the caller's write transaction and raises :class:`Refused` (the
field to blame and a message in the interface's language, review.i18n.translate of the rules'
Vietnamese) on a name that is wrong or taken, or on an archived organisation; the caller rolls
back. The rules are review/setup_rules.py's.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from . import clock
from .extensions import db
from .i18n import translate
from .meeting_edits import Refused
from .models import Cell, Member, Organization, Role, User
from .setup_rules import (
    CELL,
    ORGANIZATION,
    archive_problem,
    clean,
    duplicate_message,
    name_problem,
    new_cell_problem,
    place_problem,
    text_field_problem,
)


def _check_text(field: str, value: str) -> str:
    problem = text_field_problem(value)
    if problem is not None:
        raise Refused(field, translate(problem))
    return clean(value)


def _check_place(value: str, *, required: bool) -> str:
    problem = place_problem(value, required=required)
    if problem is not None:
        raise Refused("place", translate(problem))
    return clean(value)


def _flush(kind: str, name: str) -> None:
    """Write now, so the database's unique constraint answers here (a name taken meanwhile)."""
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError as error:
        raise Refused("name", translate(duplicate_message(kind, name))) from error


def organization_names(except_id: int | None = None) -> list[str]:
    """Return the names of every organisation (archived ones included) but ``except_id``."""
    query = select(Organization.name)
    if except_id is not None:
        query = query.where(Organization.id != except_id)
    return list(db.session.scalars(query))


def cell_names(organization_id: int, except_id: int | None = None) -> list[str]:
    """Return the names of the organisation's cells (archived ones included) but ``except_id``."""
    query = select(Cell.name).where(Cell.organization_id == organization_id)
    if except_id is not None:
        query = query.where(Cell.id != except_id)
    return list(db.session.scalars(query))


def _check_name(kind: str, name: str, taken: Iterable[str]) -> str:
    problem = name_problem(kind, name, taken)
    if problem is not None:
        raise Refused("name", translate(problem))
    return clean(name)


def create_organization(name: str, place: str, superior: str = "") -> Organization:
    """Create a ward organisation; refuse a wrong or taken name."""
    name = _check_name(ORGANIZATION, name, organization_names())
    organization = Organization(
        name=name, place=_check_place(place, required=True), superior=_check_text("superior", superior)
    )
    db.session.add(organization)
    _flush(ORGANIZATION, name)
    return organization


def update_organization(organization: Organization, name: str, place: str, superior: str) -> None:
    """Rename an organisation, change its place and its superior."""
    organization.name = _check_name(ORGANIZATION, name, organization_names(organization.id))
    organization.place = _check_place(place, required=True)
    organization.superior = _check_text("superior", superior)
    _flush(ORGANIZATION, organization.name)


def set_organization_archived(organization: Organization, archived: bool) -> None:
    """Archive (or restore) an organisation: every record kept (review/setup_rules.py)."""
    problem = archive_problem(ORGANIZATION, organization.archived_at is not None, archiving=archived)
    if problem is not None:
        raise Refused("confirm", translate(problem))
    organization.archived_at = clock.now() if archived else None


def create_cell(organization: Organization, name: str, place: str = "", has_committee: bool = False) -> Cell:
    """Create a cell of the organisation; refuse a wrong or taken name, or an archived organisation."""
    problem = new_cell_problem(organization.archived_at is not None)
    if problem is not None:
        raise Refused("name", translate(problem))
    name = _check_name(CELL, name, cell_names(organization.id))
    cell = Cell(
        organization_id=organization.id,
        name=name,
        place=_check_place(place, required=False),
        has_committee=has_committee,
    )
    db.session.add(cell)
    _flush(CELL, name)
    return cell


def update_cell(cell: Cell, name: str, place: str, has_committee: bool) -> None:
    """Rename a cell, change its place and whether it has a committee."""
    cell.name = _check_name(CELL, name, cell_names(cell.organization_id, cell.id))
    cell.place = _check_place(place, required=False)
    cell.has_committee = has_committee
    _flush(CELL, cell.name)


def set_cell_archived(cell: Cell, archived: bool) -> None:
    """Archive (or restore) a cell: every record kept (review/setup_rules.py)."""
    problem = archive_problem(CELL, cell.archived_at is not None, archiving=archived)
    if problem is not None:
        raise Refused("confirm", translate(problem))
    cell.archived_at = clock.now() if archived else None


# ---------------------------------------------------------------------------
# What the lists show


@dataclass(frozen=True)
class CellAccounts:
    """What the ward's list of cells shows of a cell besides its own columns."""

    members: int  # on the roster now (not retired)
    secretary: str | None  # the secretary account's display name, or its username
    counters: int  # counter accounts of its own (not one-time codes)


def cell_accounts(cell_ids: list[int]) -> dict[int, CellAccounts]:
    """Return each cell's members on the roster, secretary account and counter accounts (three queries)."""
    if not cell_ids:
        return {}
    members: dict[int, int] = {
        cell_id: count
        for cell_id, count in db.session.execute(
            select(Member.cell_id, func.count())
            .where(Member.cell_id.in_(cell_ids), Member.retired_on.is_(None))
            .group_by(Member.cell_id)
        )
    }
    secretaries: dict[int, str] = {}
    for cell_id, display_name, username in db.session.execute(
        select(User.cell_id, User.display_name, User.username)
        .where(User.cell_id.in_(cell_ids), User.role == Role.SECRETARY)
        .order_by(User.id)
    ):
        secretaries.setdefault(cell_id, display_name or username)
    counters: dict[int, int] = {
        cell_id: count
        for cell_id, count in db.session.execute(
            select(User.cell_id, func.count())
            .where(User.cell_id.in_(cell_ids), User.role == Role.COUNTER, User.meeting_id.is_(None))
            .group_by(User.cell_id)
        )
    }
    return {
        cell_id: CellAccounts(members.get(cell_id, 0), secretaries.get(cell_id), counters.get(cell_id, 0))
        for cell_id in cell_ids
    }


def cell_counts(organization_ids: list[int]) -> dict[int, int]:
    """Return how many cells (not archived) each organisation has."""
    if not organization_ids:
        return {}
    counts: dict[int, int] = {
        organization_id: count
        for organization_id, count in db.session.execute(
            select(Cell.organization_id, func.count())
            .where(Cell.organization_id.in_(organization_ids), Cell.archived_at.is_(None))
            .group_by(Cell.organization_id)
        )
    }
    return {oid: counts.get(oid, 0) for oid in organization_ids}
