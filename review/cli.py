"""Command-line interface: meeting files, accounts, demo data.

The commands' messages go through gettext (they run in an application context) and core texts
through ``review.i18n.translate``: Vietnamese, or the interface's other language when chosen.
The commands' --help stays English; the documents they write are always Vietnamese.
"""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path
from typing import NoReturn

import click
from flask import url_for
from flask.cli import with_appcontext
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select

from . import meetingfile
from .accounts.service import link_member
from .auth.account_rules import link_refusal
from .auth.password_links import issue_link
from .auth.password_rules import password_problems
from .clock import local
from .database import write_transaction
from .documents import DOCUMENTS, SECOND_PAPER, DocumentUnavailable, render_as
from .extensions import db
from .i18n import translate, when_text
from .meeting_edits import Refused
from .meeting_store import ImportRefused, export_text, import_meeting, load_meeting
from .models import Cell, Meeting, Member, Organization, ReviewYear, Role, User
from .roster_sheet import Plan
from .rules import Problem
from .setup_store import create_cell
from .translatable import N_

SEED_FILE = Path(__file__).resolve().parent / "data" / "thuong-thanh-2020.json"
# A second cell of the seed's ward, sealed too (SPEC 11's example): the committee's decision
# page has two cells to decide, the seed over its quota alone, the organisation within it.
SECOND_CELL_FILE = Path(__file__).resolve().parent / "data" / "chi-bo-to-dan-pho-3-2020.json"
PASSWORD_ENV = "REVIEW_PASSWORD"


def _print_problems(problems: list[Problem]) -> None:
    click.echo(_not_imported(len(problems)), err=True)
    for p in problems:
        click.echo(f"{meetingfile.format_path(p.path)}: {translate(p.message)}", err=True)


def _not_imported(count: int) -> str:
    return ngettext(
        "Tệp không được nhập: %(num)d lỗi, không lưu gì.", "Tệp không được nhập: %(num)d lỗi, không lưu gì.", count
    )


def _unreadable(path: Path, exc: OSError) -> click.ClickException:
    return click.ClickException(_("Không đọc được tệp %(path)s: %(reason)s", path=path, reason=exc.strerror))


def _reason(error: Exception) -> str:
    """Return an exception's message in the interface's language (a core ``Message`` is translated)."""
    return str(translate(error.args[0])) if len(error.args) == 1 and isinstance(error.args[0], str) else str(error)


def _no_meeting(meeting_id: int) -> click.ClickException:
    return click.ClickException(_("Không có hội nghị mã %(id)s.", id=meeting_id))


def _read_and_import(path: Path) -> Meeting:
    """Import a meeting file, or print every problem and exit non-zero."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise _unreadable(path, exc) from exc
    parsed, problems = meetingfile.loads(data)
    if parsed is None:
        _print_problems(problems)
        sys.exit(1)
    try:
        return import_meeting(parsed)
    except ImportRefused as refused:
        _print_problems(refused.problems)
        sys.exit(1)


@click.group("meeting")
def meeting_cli() -> None:
    """Import, export and list meetings (meeting file format 1)."""


@meeting_cli.command("import")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def import_command(path: Path) -> None:
    """Check a meeting file whole, store it, and print the new meeting's id last."""
    meeting = _read_and_import(path)
    click.echo(
        ngettext(
            "Đã nhập hội nghị năm %(year)s của %(cell)s: %(num)d đảng viên.",
            "Đã nhập hội nghị năm %(year)s của %(cell)s: %(num)d đảng viên.",
            len(meeting.participants),
            year=meeting.year,
            cell=meeting.cell.name,
        )
    )
    click.echo(meeting.id)


@meeting_cli.command("export")
@click.argument("meeting_id", type=int)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write to this file.")
@with_appcontext
def export_command(meeting_id: int, output: Path | None) -> None:
    """Write the meeting as format 1, with results computed by the rules core."""
    meeting = load_meeting(meeting_id)
    if meeting is None:
        raise _no_meeting(meeting_id)
    if meeting.starts_at is None:
        raise click.ClickException(_("Chưa xuất được hội nghị %(id)s: chưa ghi thời gian khai mạc.", id=meeting_id))
    text = export_text(meeting)  # a sealed meeting as it was sealed; the download of the meeting's pages too
    if output is None:
        click.echo(text)
    else:
        output.write_text(text, encoding="utf-8")
        click.echo(_("Đã ghi %(path)s", path=output), err=True)


@meeting_cli.command("list")
@with_appcontext
def list_command() -> None:
    """Print one line a meeting: id, year, cell, organisation."""
    rows = db.session.execute(
        select(Meeting.id, ReviewYear.year, Cell.name, Organization.name)
        .join(Meeting.review_year)
        .join(Meeting.cell)
        .join(Cell.organization)
        .order_by(Meeting.id)
    )
    for meeting_id, year, cell, organization in rows:
        click.echo(f"{meeting_id}\t{year}\t{cell}\t{organization}")


def output_format(output: Path) -> str:
    """Return the format a document is written in for an output file name: 'docx' for '.docx', else 'pdf'."""
    return "docx" if output.suffix.lower() == ".docx" else "pdf"


def _document_command(key: str, help_text: str) -> click.Command:
    @click.argument("meeting_id", type=int)
    @click.option(
        "-o",
        "--output",
        type=click.Path(dir_okay=False, path_type=Path),
        required=True,
        help="Write the PDF to this file (a Word file when its name ends in .docx).",
    )
    @with_appcontext
    def command(meeting_id: int, output: Path, ballot: int = 1) -> None:
        meeting = load_meeting(meeting_id)
        if meeting is None:
            raise _no_meeting(meeting_id)
        which = SECOND_PAPER if ballot == 2 else key
        try:
            data = render_as(meeting, which, output_format(output))
        except DocumentUnavailable as error:
            raise click.ClickException(str(translate(error.description))) from None
        output.write_bytes(data)
        state = _("đã niêm phong") if meeting.sealed else _("DỰ THẢO (chưa niêm phong)")
        document = translate(DOCUMENTS[which][0])
        click.echo(_("Đã ghi %(path)s (%(document)s, %(state)s).", path=output, document=document, state=state))

    command.__doc__ = help_text
    if key == "ballot-paper":
        # Two ballots (SPEC 5.8): --ballot 2 writes ballot 2's paper, once ballot 1 is counted.
        command = click.option(
            "--ballot",
            type=click.IntRange(1, 2),
            default=1,
            show_default=True,
            # i18n: vi-only (the commands' help is English and names the document in Vietnamese)
            help="Under two ballots: 2 writes ballot 2's paper (phiếu biểu quyết vòng 2).",
        )(command)
    return meeting_cli.command(key)(command)


# i18n: vi-only: the commands' help (English, made at import) names each document in Vietnamese.
_document_command("minutes", "Write the meeting minutes (biên bản hội nghị) as PDF (Word if the file ends in .docx).")
_document_command(  # i18n: vi-only
    "count-minutes", "Write the vote-count minutes (biên bản kiểm phiếu) as PDF (Word if the file ends in .docx)."
)
_document_command(
    "ballot-paper",  # i18n: vi-only
    "Write the ballot paper (phiếu xếp loại) as PDF (Word if the file ends in .docx).",
)


@click.group("user")
def user_cli() -> None:
    """Manage accounts."""


def create_user(
    username: str,
    role: Role,
    password: str,
    *,
    cell_id: int | None = None,
    organization_id: int | None = None,
    display_name: str = "",
) -> User:
    """Create an account scoped to its cell or organisation."""
    user = User(
        username=username,
        role=role,
        cell_id=cell_id,
        organization_id=organization_id,
        display_name=display_name or username,
    )
    user.set_password(password)
    db.session.add(user)
    return user


@user_cli.command("create")
@click.argument("username")
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--cell", "cell_id", type=int, help="The cell of a secretary or ballot counter.")
@click.option("--organization", "organization_id", type=int, help="The ward organisation of a ward account.")
@click.option("--name", "display_name", default="", help="Full name shown in the application.")
@click.option("--member", "member_id", type=int, help="The roster member a ballot counter's account stands for.")
@with_appcontext
def create_user_command(
    username: str,
    role: str,
    cell_id: int | None,
    organization_id: int | None,
    display_name: str,
    member_id: int | None,
) -> None:
    """Create an account; the password is asked, or read from REVIEW_PASSWORD."""
    scope = Role(role)
    if scope in (Role.SECRETARY, Role.COUNTER) and (cell_id is None or organization_id is not None):
        raise click.UsageError(_("Tài khoản bí thư và ban kiểm phiếu cần --cell (và không có --organization)."))
    if scope is Role.WARD and (organization_id is None or cell_id is not None):
        raise click.UsageError(_("Tài khoản đảng ủy cần --organization (và không có --cell)."))
    if scope is Role.ADMIN and (cell_id is not None or organization_id is not None):
        raise click.UsageError(_("Tài khoản quản trị không gắn với chi bộ hay đảng bộ."))
    if cell_id is not None and db.session.get(Cell, cell_id) is None:
        raise click.UsageError(_("Không có chi bộ mã %(id)s.", id=cell_id))
    if organization_id is not None and db.session.get(Organization, organization_id) is None:
        raise click.UsageError(_("Không có đảng bộ mã %(id)s.", id=organization_id))
    if db.session.scalar(select(User.id).where(User.username == username)) is not None:
        raise click.UsageError(_("Tên đăng nhập %(username)s đã có.", username=username))
    password = read_password(_("Mật khẩu"), username)
    try:
        with write_transaction():
            user = create_user(
                username, scope, password, cell_id=cell_id, organization_id=organization_id, display_name=display_name
            )
            if member_id is not None:
                db.session.flush()
                link_member(user, member_id)  # the page's rule: a counter, a member of its cell who may count
    except Refused as refused:
        raise click.ClickException(str(translate(refused.message))) from None
    click.echo(_("Đã tạo tài khoản %(username)s (%(role)s).", username=user.username, role=translate(user.role_label)))
    if member_id is not None and user.member is not None:
        click.echo(_("Tài khoản đứng tên đồng chí %(name)s.", name=user.member.name))
    click.echo(user.id)


@user_cli.command("link")
@click.argument("username")
@with_appcontext
def link_command(username: str) -> None:
    """Issue a one-time set-password link (48 hours); print it last. The account's older unused links stop working."""
    from flask import current_app

    from .counting_pages.routes import link_for_others

    if account_named(username).meeting_id is not None:
        raise click.ClickException(
            _("Tài khoản %(username)s là phiên đăng nhập bằng mã một lần, không có mật khẩu.", username=username)
        )
    with write_transaction():
        account = account_named(username)
        refusal = link_refusal(account.username, account.active)
        if refusal is not None:
            raise click.ClickException(str(translate(refusal)))
        issued = issue_link(account, None)
    with current_app.test_request_context("/"):
        link = link_for_others("auth.set_password", token=issued.token)
        path = url_for("auth.set_password", token=issued.token)
    click.echo(
        _(
            "Đường dẫn đặt mật khẩu cho tài khoản %(username)s, dùng một lần, hết hạn lúc %(expires)s:",
            username=username,
            expires=when_text(local(issued.expires_at), "minute"),
        )
    )
    if link is None:
        click.echo(
            _("Chưa cấu hình REVIEW_BASE_URL: dưới đây chỉ có phần đường dẫn, ghép sau địa chỉ của ứng dụng."), err=True
        )
    click.echo(link or path)


def account_named(username: str) -> User:
    """Return the account named ``username``, or print a Vietnamese message and exit 1."""
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        raise click.ClickException(_("Không có tài khoản tên đăng nhập %(username)s.", username=username))
    return user


def read_password(label: str, username: str) -> str:
    """Return a password: REVIEW_PASSWORD, or asked twice; exit 1 with every rule it fails (password_rules)."""
    again = _("Nhập lại %(what)s", what=label[:1].lower() + label[1:])  # "Nhập lại mật khẩu"
    password = os.environ.get(PASSWORD_ENV) or click.prompt(label, hide_input=True, confirmation_prompt=again)
    problems = password_problems(password, username)
    if problems:
        raise click.ClickException(
            _("Mật khẩu không được nhận:") + "\n" + "\n".join(f"- {translate(p)}" for p in problems)
        )
    return password


@user_cli.command("password")
@click.argument("username")
@with_appcontext
def password_command(username: str) -> None:
    """Set a new password (asked twice, or REVIEW_PASSWORD); every session of the account ends."""
    account_named(username)
    password = read_password(_("Mật khẩu mới"), username)
    with write_transaction():
        user = account_named(username)
        user.set_password(password)  # ends every session and remember-me cookie (User.end_sessions)
    click.echo(
        _("Đã đổi mật khẩu tài khoản %(username)s; mọi phiên đăng nhập của tài khoản đã kết thúc.", username=username)
    )


@user_cli.command("disable")
@click.argument("username")
@with_appcontext
def disable_command(username: str) -> None:
    """Refuse the account's sign-ins and end its sessions at once."""
    with write_transaction():
        account_named(username).disable()
    click.echo(_("Đã khóa tài khoản %(username)s; mọi phiên đăng nhập của tài khoản đã kết thúc.", username=username))


@user_cli.command("enable")
@click.argument("username")
@with_appcontext
def enable_command(username: str) -> None:
    """Let a disabled account sign in again (its old sessions stay ended)."""
    with write_transaction():
        account_named(username).enable()
    click.echo(_("Đã mở khóa tài khoản %(username)s: tài khoản đăng nhập lại được.", username=username))


# What the demo prints for an account that keeps its password.
KEPT = N_("(mật khẩu giữ nguyên)")
# The demo accounts' names are data (people, offices), not the interface's words.
DEMO_ACCOUNTS = (
    ("quantri", Role.ADMIN, "Quản trị hệ thống", None),  # i18n: vi-only
    ("danguy", Role.WARD, "Văn phòng Đảng ủy phường Thượng Thanh", None),  # i18n: vi-only
    ("bithu", Role.SECRETARY, "Nguyễn Thị Ngọc Hân", "m01"),  # i18n: vi-only
    ("kiemphieu", Role.COUNTER, "Đỗ Thị Thanh Thủy", "m06"),  # i18n: vi-only (the seed's chief counter)
)
# ``demo --empty-cell`` on a database that already holds the demo: a second cell of the demo
# organisation, without members or meeting, and its secretary's account.
EMPTY_CELL_NAME = "Chi bộ Khu dân cư số 1"  # i18n: vi-only (a cell's name: data)
EMPTY_CELL_SECRETARY = ("bithu2", "Bí thư Chi bộ Khu dân cư số 1")  # i18n: vi-only (an account's name: data)


def _demo_empty_cell(organization: Organization) -> Cell:
    """Return the demo organisation's extra empty cell, created if missing (with its secretary's account)."""
    cell = db.session.scalar(select(Cell).where(Cell.organization_id == organization.id, Cell.name == EMPTY_CELL_NAME))
    if cell is not None:
        click.echo(_("Chi bộ thử chưa có đảng viên đã có: %(cell)s (mã %(id)s).", cell=cell.name, id=cell.id))
        return cell
    with write_transaction():
        cell = create_cell(organization, EMPTY_CELL_NAME)
    click.echo(
        _(
            "Đã tạo chi bộ thử chưa có đảng viên: %(cell)s (mã %(id)s), thuộc %(organization)s.",
            cell=cell.name,
            id=cell.id,
            organization=organization.name,
        )
    )
    return cell


def _demo_account(
    username: str, role: Role, name: str, *, cell_id: int | None, organization_id: int | None, new_password: bool
) -> tuple[User, str | None]:
    """Return the demo account and the password to print: a new one only if created, or if asked."""
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        password = secrets.token_urlsafe(9)
        user = create_user(
            username, role, password, display_name=name, cell_id=cell_id, organization_id=organization_id
        )
        return user, password
    if new_password:
        password = secrets.token_urlsafe(9)
        user.set_password(password)  # ends the account's sessions
        return user, password
    return user, None


@click.command("demo")
@click.option(
    "--empty-cell",
    is_flag=True,
    help=(
        "Create a cell without members or meeting, to record a meeting from scratch: the seed's cell on an "
        f"empty database, else {EMPTY_CELL_NAME} beside it (with the account bithu2)."
    ),
)
@click.option(
    "--new-passwords",
    is_flag=True,
    help="Give the existing demo accounts new passwords (their sessions end); without it they keep theirs.",
)
@with_appcontext
def demo_command(empty_cell: bool, new_passwords: bool) -> None:
    """Load the seed meeting and one demo account per role; print how to sign in.

    Run again, it loads nothing twice and changes no password unless --new-passwords asks:
    only the accounts it creates get a password, printed once.
    """
    parsed, problems = meetingfile.loads(SEED_FILE.read_bytes())
    assert parsed is not None, problems
    cell = db.session.scalar(
        select(Cell).join(Cell.organization).where(Cell.name == parsed.cell, Organization.name == parsed.parent)
    )
    extra: Cell | None = None
    if cell is not None:
        click.echo(_("Chi bộ mẫu đã có: %(cell)s.", cell=parsed.cell))
        if empty_cell and (cell.members or cell.meetings):
            extra = _demo_empty_cell(cell.organization)
        elif empty_cell:
            click.echo(_("Chi bộ mẫu chưa có đảng viên, chưa có hội nghị: dùng chi bộ này (mã %(id)s).", id=cell.id))
    elif empty_cell:
        with write_transaction():
            organization = db.session.scalar(select(Organization).where(Organization.name == parsed.parent))
            if organization is None:
                organization = Organization(name=parsed.parent, place=parsed.place)
            cell = Cell(organization=organization, name=parsed.cell)
            db.session.add(cell)
        click.echo(_("Đã tạo chi bộ mẫu chưa có đảng viên: %(cell)s.", cell=parsed.cell))
    else:
        meeting = import_meeting(parsed)
        cell = meeting.cell
        click.echo(
            _(
                "Đã nạp hội nghị mẫu (mã %(id)s): %(cell)s, năm %(year)s.",
                id=meeting.id,
                cell=parsed.cell,
                year=parsed.year,
            )
        )
        second, problems = meetingfile.loads(SECOND_CELL_FILE.read_bytes())
        assert second is not None, problems
        other = import_meeting(second)
        click.echo(
            _(
                "Đã nạp hội nghị mẫu thứ hai (mã %(id)s): %(cell)s, năm %(year)s.",
                id=other.id,
                cell=second.cell,
                year=second.year,
            )
        )
    organization_id, cell_id = cell.organization_id, cell.id
    extra_id = extra.id if extra is not None else None
    accounts = [
        (username, role, name, code, cell_id if role in (Role.SECRETARY, Role.COUNTER) else None)
        for username, role, name, code in DEMO_ACCOUNTS
    ]
    if extra_id is not None:
        accounts.append((EMPTY_CELL_SECRETARY[0], Role.SECRETARY, EMPTY_CELL_SECRETARY[1], None, extra_id))
    click.echo(
        _("Tài khoản thử (mật khẩu được in một lần, khi tạo tài khoản; tài khoản đã có giữ nguyên mật khẩu):")
        if new_passwords
        else _(
            "Tài khoản thử (mật khẩu được in một lần, khi tạo tài khoản; tài khoản đã có giữ nguyên mật khẩu, "
            "trừ khi chạy với --new-passwords):"
        )
    )
    with write_transaction():
        for username, role, name, code, account_cell_id in accounts:
            user, password = _demo_account(
                username,
                role,
                name,
                cell_id=account_cell_id,
                organization_id=organization_id if role is Role.WARD else None,
                new_password=new_passwords,
            )
            if code is not None and user.member_id is None and user.cell_id == cell_id:
                # Linked to the roster member with that code, once the roster has one.
                user.member_id = db.session.scalar(
                    select(Member.id).where(Member.cell_id == cell_id, Member.code == code)
                )
            shown = password if password is not None else _(KEPT)
            disabled = "  " + _("(tài khoản đang khóa: mở bằng flask user enable)") if user.active is False else ""
            click.echo(f"  {role.value:10} {username:10} {shown}{disabled}")


@click.command("backup")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--yes", is_flag=True, help="Overwrite PATH if it exists.")
@with_appcontext
def backup_command(path: Path, yes: bool) -> None:
    """Write a consistent snapshot of the database to PATH, while the application runs."""
    from flask import current_app

    from . import backup

    if path.exists() and not yes:
        raise click.ClickException(_("Tệp %(path)s đã có. Thêm --yes để ghi đè, hoặc chọn tên khác.", path=path))
    db.session.remove()
    try:
        summary = backup.backup(db.engine, path, current_app.config["SQLITE_BUSY_TIMEOUT_MS"])
    except backup.BackupError as error:
        raise click.ClickException(_reason(error)) from error
    click.echo(_("Đã sao lưu %(database)s vào:", database=backup.describe(db.engine)))
    for line in backup.report(summary):
        click.echo(translate(line))  # a core message (review/backup.py) in the interface's language


@click.command("restore")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Overwrite the configured database without asking.")
@with_appcontext
def restore_command(path: Path, yes: bool) -> None:
    """Replace the configured database with the backup at PATH (asks first unless --yes)."""
    from flask import current_app

    from . import backup

    if not path.is_file():
        raise click.ClickException(_("Không có tệp sao lưu %(path)s.", path=path))
    db.session.remove()
    target = backup.describe(db.engine)
    if (
        not yes
        and backup.has_data(db.engine)
        and not click.confirm(
            _(
                "Cơ sở dữ liệu %(database)s đang có dữ liệu; phục hồi sẽ thay toàn bộ bằng bản sao lưu %(path)s. "
                "Tiếp tục?",
                database=target,
                path=path,
            )
        )
    ):
        raise click.ClickException(_("Chưa phục hồi: cơ sở dữ liệu giữ nguyên."))
    try:
        summary = backup.restore(db.engine, path, current_app.config["SQLITE_BUSY_TIMEOUT_MS"])
    except backup.BackupError as error:
        raise click.ClickException(_reason(error)) from error
    click.echo(_("Đã phục hồi %(database)s từ:", database=target))
    for line in backup.report(summary):
        click.echo(translate(line))  # a core message (review/backup.py) in the interface's language


# ---------------------------------------------------------------------------
# The roster spreadsheet (SPEC 10)


@click.group("roster")
def roster_cli() -> None:
    """Import a cell's roster from a spreadsheet (XLSX or CSV), or export it."""


def _roster_cell(cell_id: int) -> Cell:
    cell = db.session.get(Cell, cell_id)
    if cell is None:
        raise click.ClickException(_("Không có chi bộ mã %(id)s.", id=cell_id))
    return cell


@roster_cli.command("import")
@click.argument("cell_id", type=int)
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check the file and print what it would do; store nothing.")
@with_appcontext
def roster_import_command(cell_id: int, path: Path, dry_run: bool) -> None:
    """Check a roster spreadsheet whole; store it unless it has a problem (or --dry-run)."""
    from .roster.importing import ImportRefused as RosterRefused
    from .roster.importing import import_file, read_plan
    from .roster_files import FileRefused

    cell = _roster_cell(cell_id)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise _unreadable(path, exc) from exc

    def refuse(plan: Plan) -> NoReturn:
        problems = plan.all_problems()
        click.echo(_not_imported(len(problems)), err=True)
        for problem in problems:
            click.echo(str(translate(str(problem))), err=True)
        sys.exit(1)

    try:
        plan, _roster = read_plan(cell.id, data)
        if not plan.ok:
            refuse(plan)
        if not dry_run:  # planned again inside the transaction, the cell locked (as the page does)
            plan, stored = import_file(cell, data)
    except FileRefused as refused:
        raise click.ClickException(_reason(refused)) from refused
    except RosterRefused as refused:
        if refused.plan is not None:
            refuse(refused.plan)
        raise click.ClickException(str(translate(refused.message))) from refused
    for notice in plan.reading.notices:
        click.echo(_("Lưu ý: %(notice)s", notice=translate(notice)))
    if dry_run:
        for planned in plan.planned:
            if planned.status == "new":
                click.echo(_("Sẽ thêm: %(name)s (dòng %(row)s)", name=planned.member.name, row=planned.row))
            elif planned.status == "changed":
                what = "; ".join(
                    f"{translate(label)}: {translate(before)} → {translate(after)}"
                    for label, before, after in planned.changes
                )
                click.echo(
                    _(
                        "Sẽ cập nhật: %(name)s (dòng %(row)s): %(changes)s",
                        name=planned.member.name,
                        row=planned.row,
                        changes=what,
                    )
                )
        click.echo(
            _(
                "Chạy thử, không lưu gì: sẽ thêm %(new)d, cập nhật %(changed)d, giữ nguyên %(unchanged)d đảng viên.",
                new=plan.count("new"),
                changed=plan.count("changed"),
                unchanged=plan.count("unchanged"),
            )
        )
    else:
        for member in stored.added:
            click.echo(_("Đã thêm: %(code)s %(name)s", code=member.code, name=member.name))
        for member in stored.updated:
            click.echo(_("Đã cập nhật: %(code)s %(name)s", code=member.code, name=member.name))
        click.echo(
            _(
                "Đã nhập: thêm %(new)d, cập nhật %(changed)d, giữ nguyên %(unchanged)d đảng viên.",
                new=len(stored.added),
                changed=len(stored.updated),
                unchanged=stored.unchanged,
            )
        )
    for existing in plan.missing:
        click.echo(_("Không có trong tệp, vẫn giữ: %(name)s", name=existing.data.name))


@roster_cli.command("export")
@click.argument("cell_id", type=int)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True, help=".xlsx or .csv")
@with_appcontext
def roster_export_command(cell_id: int, output: Path) -> None:
    """Write the cell's current roster in SPEC 10's columns (.xlsx or .csv by the suffix)."""
    from .roster.importing import export_bytes

    kind = output.suffix.lower().lstrip(".")
    if kind not in ("xlsx", "csv"):
        raise click.ClickException(
            _("Không biết ghi dạng “%(kind)s”: tên tệp cần đuôi .xlsx hoặc .csv.", kind=output.suffix or output.name)
        )
    cell = _roster_cell(cell_id)
    try:
        output.write_bytes(export_bytes(cell, kind))
    except OSError as exc:
        raise click.ClickException(
            _("Không ghi được tệp %(path)s: %(reason)s", path=output, reason=exc.strerror)
        ) from exc
    click.echo(
        ngettext(
            "Đã ghi danh sách %(num)d đảng viên của %(cell)s vào %(path)s.",
            "Đã ghi danh sách %(num)d đảng viên của %(cell)s vào %(path)s.",
            sum(1 for m in cell.members if m.retired_on is None),
            cell=cell.name,
            path=output,
        )
    )
