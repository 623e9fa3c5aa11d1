"""Who may reach what: every view asks here, and another cell's data is a 404."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort
from flask_login import current_user, login_required

from .extensions import db
from .models import Cell, Meeting, Member, Participant, Role

F = TypeVar("F", bound=Callable[..., Any])


def roles_required(*roles: Role) -> Callable[[F], F]:
    """Let only signed-in users with one of ``roles`` through; others get 403."""

    def decorate(view: F) -> F:
        @wraps(view)
        @login_required
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if Role(current_user.role) not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorate


# The secretary (or the minute-taker on the secretary's account) records the meeting; an
# administrator may help any cell.
secretary_required = roles_required(Role.SECRETARY, Role.ADMIN)


def may_edit_cell(cell_id: int) -> bool:
    """Return whether the signed-in user may change the cell's records."""
    role = Role(current_user.role)
    return role is Role.ADMIN or (role is Role.SECRETARY and current_user.cell_id == cell_id)


def may_view_cell(cell: Cell) -> bool:
    """Return whether the signed-in user may read the cell's records."""
    role = Role(current_user.role)
    if role is Role.ADMIN:
        return True
    if role is Role.WARD:
        return current_user.organization_id == cell.organization_id
    return current_user.cell_id == cell.id


def editable_cell(cell_id: int) -> Cell:
    """Return the cell if the user may change it; 404 otherwise, so nothing leaks."""
    cell = db.session.get(Cell, cell_id)
    if cell is None or not may_edit_cell(cell.id):
        abort(404)
    return cell


def editable_meeting(meeting_id: int) -> Meeting:
    """Return the meeting if the user may change it; 404 otherwise."""
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None or not may_edit_cell(meeting.cell_id):
        abort(404)
    return meeting


def editable_member(member_id: int) -> Member:
    """Return the roster member if the user may change them; 404 otherwise."""
    member = db.session.get(Member, member_id)
    if member is None or not may_edit_cell(member.cell_id):
        abort(404)
    return member


def meeting_participant(meeting: Meeting, participant_id: int) -> Participant:
    """Return a participant of ``meeting``; 404 for anyone else's."""
    participant = db.session.get(Participant, participant_id)
    if participant is None or participant.meeting_id != meeting.id:
        abort(404)
    return participant
