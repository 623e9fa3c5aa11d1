"""What the account pages and the command line do with accounts (the shell around account_rules).

Every change runs in the caller's transaction and raises :class:`Refused` (the field to blame,
a Vietnamese message) before writing anything when it is not allowed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select

from ..auth.account_rules import (
    COUNTER_ONLY,
    MEMBER_ELSEWHERE,
    USERNAME_TAKEN,
    member_refusal,
    normal_username,
    username_problems,
)
from ..auth.password_links import IssuedLink, issue_link, outstanding_links, set_unusable_password
from ..extensions import db
from ..i18n import translate
from ..meeting_edits import Refused
from ..models import Cell, Member, Organization, Role, User
from ..translatable import N_

CHOOSE_CELL = N_("Chọn chi bộ của tài khoản.")


@dataclass(frozen=True)
class AccountRow:
    """One account as the pages list it (plain data)."""

    id: int
    username: str
    display_name: str
    role: str
    cell_name: str | None
    member_name: str | None
    active: bool
    last_sign_in_at: datetime | None
    link_expires_at: datetime | None


@dataclass(frozen=True)
class Candidate:
    """A roster member a counter account may be linked to, or why not."""

    id: int
    name: str
    code: str
    refusal: str | None


def username_errors(typed: str) -> tuple[str, list[str]]:
    """Return the username as stored and every problem with it (its rules, then whether it is taken)."""
    username = normal_username(typed)
    problems = username_problems(username)
    if not problems and db.session.scalar(select(User.id).where(func.lower(User.username) == username)) is not None:
        problems.append(USERNAME_TAKEN)
    return username, problems


def organization_accounts(organization: Organization) -> list[User]:
    """Return the organisation's accounts: its ward committee's, then its cells' (no one-time-code sessions)."""
    cell_ids = select(Cell.id).where(Cell.organization_id == organization.id)
    return list(
        db.session.scalars(
            select(User)
            .outerjoin(Cell, User.cell_id == Cell.id)
            .where(
                or_(User.organization_id == organization.id, User.cell_id.in_(cell_ids)),
                User.meeting_id.is_(None),
            )
            .order_by(User.cell_id.is_not(None), Cell.name, User.role, User.username)
        )
    )


def cell_accounts(cell: Cell) -> list[User]:
    """Return the cell's accounts: its secretaries', then its counters' (no one-time-code sessions)."""
    return list(
        db.session.scalars(
            select(User)
            .where(User.cell_id == cell.id, User.meeting_id.is_(None))
            .order_by(User.role.desc(), User.username)
        )
    )


def account_rows(accounts: list[User]) -> list[AccountRow]:
    """Return the accounts as the pages list them, with each one's outstanding link."""
    links = outstanding_links([a.id for a in accounts])
    return [
        AccountRow(
            id=a.id,
            username=a.username,
            display_name=a.display_name,
            role=a.role.value,
            cell_name=a.cell.name if a.cell is not None else None,
            member_name=a.member.name if a.member is not None else None,
            active=a.active,
            last_sign_in_at=a.last_sign_in_at,
            link_expires_at=links.get(a.id),
        )
        for a in accounts
    ]


def counter_candidates(cell_id: int, current: int | None = None) -> list[Candidate]:
    """Return the cell's roster members (still in the cell), each with why they may not count, if so.

    ``current`` is the member the account is linked to now: kept among them even when they have
    left the cell since (shown with why they may not count), so the page shows the link as it is.
    """
    kept = Member.retired_on.is_(None) if current is None else or_(Member.retired_on.is_(None), Member.id == current)
    members = db.session.scalars(select(Member).where(Member.cell_id == cell_id, kept).order_by(Member.code, Member.id))
    return [
        Candidate(m.id, m.name, m.code, member_refusal(m.name, m.standing, m.retired_on is not None)) for m in members
    ]


def link_member(account: User, member_id: int | None) -> None:
    """Link a counter account to a member of its cell who may count, or unlink it (None).

    The member it is linked to already stays linked (saving the page unchanged), even one who
    has left the cell since.
    """
    if member_id is None:
        account.member_id = None
        return
    if account.role is not Role.COUNTER:
        raise Refused("member", COUNTER_ONLY)
    if member_id == account.member_id:
        return
    member = db.session.get(Member, member_id)
    if member is None or member.cell_id != account.cell_id:
        raise Refused("member", MEMBER_ELSEWHERE)
    refusal = member_refusal(member.name, member.standing, member.retired_on is not None)
    if refusal is not None:
        raise Refused("member", refusal)
    account.member_id = member.id


def create_account(
    typed_username: str,
    role: Role,
    *,
    display_name: str = "",
    cell: Cell | None = None,
    organization: Organization | None = None,
    member_id: int | None = None,
    issued_by: User | None = None,
) -> tuple[User, IssuedLink]:
    """Create an account with no usable password and issue its set-password link (caller's transaction)."""
    username, problems = username_errors(typed_username)
    if problems:
        raise Refused("username", " ".join(translate(problem) for problem in problems))
    if role in (Role.SECRETARY, Role.COUNTER):
        if cell is None:
            raise Refused("cell", CHOOSE_CELL)
        organization = None
    elif role is Role.WARD:
        if organization is None:
            raise Refused("role", N_("Tài khoản đảng ủy cần một đảng bộ."))
        cell = None
    else:
        raise Refused("role", N_("Không tạo tài khoản quản trị ở đây."))
    user = User(
        username=username,
        role=role,
        cell_id=cell.id if cell is not None else None,
        organization_id=organization.id if organization is not None else None,
        display_name=display_name or username,
    )
    set_unusable_password(user)
    db.session.add(user)
    db.session.flush()
    if member_id is not None:
        link_member(user, member_id)
    return user, issue_link(user, issued_by)
