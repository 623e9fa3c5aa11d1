"""Routes of the account pages: an organisation's accounts (its ward, an admin), a cell's (also its secretary).

Who may act on which account is ``review.access`` (``managed_*``, ``may_manage_account``,
``creatable_roles``); what is done, ``service``; the link itself, ``review.auth.password_links``.
A new account's link, and a reset's, is shown once: in the answer to the POST that made it,
never through the session, so reloading the list or going back shows no link.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from .. import vocabulary
from ..access import (
    MANAGE_ACCOUNTS,
    MANAGE_CELL_ACCOUNTS,
    accounts_cell,
    accounts_organization,
    creatable_roles,
    managed_account,
    may_manage_account,
    permission_required,
)
from ..auth.account_rules import lifetime_text, link_refusal, member_label, username_hint
from ..auth.password_links import IssuedLink, issue_link
from ..auth.password_rules import password_hint
from ..auth.routes import safe_next
from ..counting_pages.routes import link_for_others
from ..database import write_transaction
from ..extensions import db
from ..form_saving import refused_button
from ..i18n import translate
from ..meeting_edits import Refused
from ..models import Cell, Organization, Role, User
from ..translatable import N_
from . import bp
from .forms import NO_CELL, NO_MEMBER, AccountForm, ActionForm, MemberForm
from .service import (
    CHOOSE_CELL,
    Candidate,
    account_rows,
    cell_accounts,
    counter_candidates,
    create_account,
    link_member,
    organization_accounts,
)

NO_MEMBER_LABEL = N_("— Chưa liên kết —")
ARCHIVED_CELL = N_("Chi bộ này đã lưu trữ: không tạo tài khoản mới cho chi bộ.")
DISABLED = N_("Đã khóa tài khoản {username}; mọi phiên đăng nhập của tài khoản đã kết thúc.")
ENABLED = N_("Đã mở khóa tài khoản {username}: tài khoản đăng nhập lại được (bằng mật khẩu cũ, hoặc đường dẫn mới).")
LINKED = N_("Đã liên kết tài khoản {username} với đồng chí {name}.")
UNLINKED = N_("Tài khoản {username} không còn liên kết với đảng viên nào.")


def role_label(role: Role) -> str:
    return str(translate(vocabulary.ROLE_LABELS[role.value]))


def member_choices(candidates: list[Candidate]) -> list[tuple[int, str]]:
    """Return the member select's choices: none, then each candidate (account_rules.member_label)."""
    return [(NO_MEMBER, _(NO_MEMBER_LABEL))] + [
        (m.id, translate(member_label(m.name, m.code, m.refusal))) for m in candidates
    ]


def open_cells(organization_id: int) -> list[Cell]:
    """Return the organisation's cells that are not archived, by name."""
    return list(
        db.session.scalars(
            select(Cell)
            .where(Cell.organization_id == organization_id, Cell.archived_at.is_(None))
            .order_by(Cell.name, Cell.id)
        )
    )


def list_page(
    template: str, accounts: list[User], *, organization: Organization, cell: Cell | None = None
) -> ResponseReturnValue:
    rows = account_rows(accounts)
    managed = {a.id for a in accounts if may_manage_account(a)}
    return render_template(
        template,
        organization=organization,
        cell=cell,
        rows=rows,
        managed=managed,
        action_form=ActionForm(),
        here=request.path,
        lifetime=translate(lifetime_text()),
    )


@bp.route("/organizations/<int:organization_id>/accounts")
@permission_required(MANAGE_ACCOUNTS)
def organization(organization_id: int) -> ResponseReturnValue:
    """List every account of the organisation: its ward committee's and each cell's."""
    org = accounts_organization(organization_id)
    return list_page("accounts/organization.html", organization_accounts(org), organization=org)


@bp.route("/cells/<int:cell_id>/accounts")
@permission_required(MANAGE_CELL_ACCOUNTS)
def cell(cell_id: int) -> ResponseReturnValue:
    """List the cell's accounts: its secretary's and its counters'."""
    the_cell = accounts_cell(cell_id)
    return list_page("accounts/cell.html", cell_accounts(the_cell), organization=the_cell.organization, cell=the_cell)


def account_form(roles: tuple[Role, ...], cells: list[Cell], member_cell: Cell | None) -> AccountForm:
    form = AccountForm()
    form.role.choices = [(r.value, role_label(r)) for r in roles]
    if len(cells) == 1:
        form.cell.choices = [(cells[0].id, cells[0].name)]
    else:
        form.cell.choices = [(NO_CELL, _("— Chọn chi bộ (tài khoản bí thư, ban kiểm phiếu) —"))] + [
            (c.id, c.name) for c in cells
        ]
    form.member.choices = member_choices(counter_candidates(member_cell.id) if member_cell is not None else [])
    return form


def create(
    form: AccountForm, *, organization: Organization, cells: list[Cell], back: str, cell: Cell | None = None
) -> ResponseReturnValue:
    """Create the account the form describes, and answer with its link (once); or the form with its messages."""
    template = "accounts/new.html"

    def again(status: int) -> ResponseReturnValue:
        return render_template(
            template,
            form=form,
            organization=organization,
            cell=cell,
            back=back,
            username_hint=translate(username_hint()),
            lifetime=translate(lifetime_text()),
        ), status

    if request.method != "POST":
        return again(200)
    if not form.validate_on_submit():
        return again(422)
    role = Role(form.role.data)
    chosen = next((c for c in cells if c.id == form.cell.data), None)
    if role in (Role.SECRETARY, Role.COUNTER) and chosen is None:
        form.cell.errors = [*form.cell.errors, _(CHOOSE_CELL)]
        return again(422)
    if role in (Role.SECRETARY, Role.COUNTER) and chosen is not None and chosen.archived_at is not None:
        form.cell.errors = [*form.cell.errors, _(ARCHIVED_CELL)]
        return again(422)
    member_id = form.member.data or None  # a member for another role: service.link_member refuses it
    issuer_id = current_user.id
    try:
        with write_transaction():
            user, issued = create_account(
                form.username.data or "",
                role,
                display_name=form.display_name.data or "",
                cell=db.session.get(Cell, chosen.id) if chosen is not None else None,
                organization=db.session.get(Organization, organization.id),
                member_id=member_id,
                issued_by=db.session.get(User, issuer_id),
            )
    except Refused as refused:
        getattr(form, refused.field).errors = [*getattr(form, refused.field).errors, translate(refused.message)]
        return again(422)
    return link_card(user, issued, back, new=True)


def link_card(user: User, issued: IssuedLink, back: str, *, new: bool) -> ResponseReturnValue:
    """Answer with the printable card of a link just issued: shown this once, never kept."""
    link = link_for_others("auth.set_password", token=issued.token)
    page = render_template(
        "accounts/card.html",
        account=user,
        role=role_label(user.role),
        link=link,
        path=url_for("auth.set_password", token=issued.token),
        expires_at=issued.expires_at,
        lifetime=translate(lifetime_text()),
        password_hint=translate(password_hint()),
        new=new,
        back=back,
    )
    return page, 200, {"Referrer-Policy": "no-referrer"}


@bp.route("/organizations/<int:organization_id>/accounts/new", methods=["GET", "POST"])
@permission_required(MANAGE_ACCOUNTS)
def new_in_organization(organization_id: int) -> ResponseReturnValue:
    """Create an account of the organisation: a cell's secretary or counter (an admin: a ward account too)."""
    org = accounts_organization(organization_id)
    cells = open_cells(org.id)
    form = account_form(creatable_roles(current_user, organization=True), cells, None)
    back = url_for("accounts.organization", organization_id=org.id)
    return create(form, organization=org, cells=cells, back=back)


@bp.route("/cells/<int:cell_id>/accounts/new", methods=["GET", "POST"])
@permission_required(MANAGE_CELL_ACCOUNTS)
def new_in_cell(cell_id: int) -> ResponseReturnValue:
    """Create an account of the cell: its secretary's (the ward, an admin) or a counter's (its secretary too)."""
    the_cell = accounts_cell(cell_id)
    form = account_form(creatable_roles(current_user, organization=False), [the_cell], the_cell)
    back = url_for("accounts.cell", cell_id=the_cell.id)
    return create(form, organization=the_cell.organization, cells=[the_cell], back=back, cell=the_cell)


def default_back(account: User) -> str:
    """Return the list an action on ``account`` goes back to: the cell's for its secretary, else the organisation's."""
    if current_user.role is Role.SECRETARY and account.cell_id is not None:
        return url_for("accounts.cell", cell_id=account.cell_id)
    organization_id = account.organization_id or (account.cell.organization_id if account.cell else None)
    return url_for("accounts.organization", organization_id=organization_id)


def back_to(account: User) -> str:
    form = ActionForm()
    return safe_next(form.next.data) or default_back(account)


def _switch(user_id: int, turn_on: bool, done: str) -> ResponseReturnValue:
    """Disable or enable a managed account, then go back to the list it was shown in."""
    account = managed_account(user_id)
    form = ActionForm()
    if not form.validate_on_submit():
        return refused_button(form, back_to(account))
    username, back = account.username, back_to(account)
    with write_transaction():
        account = managed_account(user_id)
        account.enable() if turn_on else account.disable()
    flash(_(done).format(username=username), "success")
    return redirect(back)


@bp.route("/accounts/<int:user_id>/disable", methods=["POST"])
@permission_required(MANAGE_CELL_ACCOUNTS)
def disable(user_id: int) -> ResponseReturnValue:
    """Disable the account: its sign-ins are refused and its sessions end at once."""
    return _switch(user_id, False, DISABLED)


@bp.route("/accounts/<int:user_id>/enable", methods=["POST"])
@permission_required(MANAGE_CELL_ACCOUNTS)
def enable(user_id: int) -> ResponseReturnValue:
    """Let a disabled account sign in again (its old sessions stay ended)."""
    return _switch(user_id, True, ENABLED)


@bp.route("/accounts/<int:user_id>/link", methods=["POST"])
@permission_required(MANAGE_CELL_ACCOUNTS)
def new_link(user_id: int) -> ResponseReturnValue:
    """Issue a new set-password link (a reset): the older unused ones stop working; shown once."""
    account = managed_account(user_id)
    form = ActionForm()
    if not form.validate_on_submit():
        return refused_button(form, back_to(account))
    back = back_to(account)
    refusal = link_refusal(account.username, account.active)  # a disabled account's link would never work
    if refusal is not None:
        flash(translate(refusal), "error")
        return redirect(back)
    issuer_id = current_user.id
    with write_transaction():
        account = managed_account(user_id)
        issued = issue_link(account, db.session.get(User, issuer_id))
    return link_card(account, issued, back, new=False)


@bp.route("/accounts/<int:user_id>/member", methods=["GET", "POST"])
@permission_required(MANAGE_CELL_ACCOUNTS)
def member(user_id: int) -> ResponseReturnValue:
    """Link a counter account to a member of its cell who may count, change the link, or unlink it."""
    account = managed_account(user_id)
    if account.role is not Role.COUNTER or account.cell_id is None:
        return redirect(default_back(account))
    back = default_back(account)
    candidates = counter_candidates(account.cell_id, current=account.member_id)
    form = (
        MemberForm() if request.method == "POST" else MemberForm(formdata=None, data={"member": account.member_id or 0})
    )
    form.member.choices = member_choices(candidates)

    def page(status: int) -> ResponseReturnValue:
        return (
            render_template("accounts/member.html", form=form, account=account, candidates=candidates, back=back),
            status,
        )

    if request.method != "POST":
        return page(200)
    if not form.validate_on_submit():
        return page(422)
    member_id = form.member.data or None
    username = account.username
    try:
        with write_transaction():
            fresh = managed_account(user_id)
            link_member(fresh, member_id)
            name = fresh.member.name if fresh.member is not None else None
    except Refused as refused:
        form.member.errors = [*form.member.errors, translate(refused.message)]
        return page(422)
    done = _(LINKED).format(username=username, name=name) if name else _(UNLINKED).format(username=username)
    flash(done, "success")
    return redirect(back)
