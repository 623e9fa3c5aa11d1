"""Command-line interface: meeting files, accounts, demo data."""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path
from typing import NoReturn

import click
from flask import url_for
from flask.cli import with_appcontext
from sqlalchemy import select

from . import meetingfile
from .accounts.service import link_member
from .auth.account_rules import link_refusal
from .auth.password_links import issue_link
from .auth.password_rules import password_problems
from .clock import when
from .database import write_transaction
from .documents import DOCUMENTS, SECOND_PAPER, DocumentUnavailable, render_as
from .extensions import db
from .meeting_edits import Refused
from .meeting_store import ImportRefused, export_text, import_meeting, load_meeting
from .models import Cell, Meeting, Member, Organization, ReviewYear, Role, User
from .roster_sheet import Plan
from .rules import Problem
from .setup_store import create_cell

SEED_FILE = Path(__file__).resolve().parent / "data" / "thuong-thanh-2020.json"
# A second cell of the seed's ward, sealed too (SPEC 11's example): the committee's decision
# page has two cells to decide, the seed over its quota alone, the organisation within it.
SECOND_CELL_FILE = Path(__file__).resolve().parent / "data" / "chi-bo-to-dan-pho-3-2020.json"
PASSWORD_ENV = "REVIEW_PASSWORD"


def _print_problems(problems: list[Problem]) -> None:
    click.echo(f"Tệp không được nhập: {len(problems)} lỗi, không lưu gì.", err=True)
    for p in problems:
        click.echo(f"{meetingfile.format_path(p.path)}: {p.message}", err=True)


def _read_and_import(path: Path) -> Meeting:
    """Import a meeting file, or print every problem and exit non-zero."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise click.ClickException(f"Không đọc được tệp {path}: {exc.strerror}") from exc
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
    click.echo(f"Đã nhập hội nghị năm {meeting.year} của {meeting.cell.name}: {len(meeting.participants)} đảng viên.")
    click.echo(meeting.id)


@meeting_cli.command("export")
@click.argument("meeting_id", type=int)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write to this file.")
@with_appcontext
def export_command(meeting_id: int, output: Path | None) -> None:
    """Write the meeting as format 1, with results computed by the rules core."""
    meeting = load_meeting(meeting_id)
    if meeting is None:
        raise click.ClickException(f"Không có hội nghị mã {meeting_id}.")
    if meeting.starts_at is None:
        raise click.ClickException(f"Chưa xuất được hội nghị {meeting_id}: chưa ghi thời gian khai mạc.")
    text = export_text(meeting)  # a sealed meeting as it was sealed; the download of the meeting's pages too
    if output is None:
        click.echo(text)
    else:
        output.write_text(text, encoding="utf-8")
        click.echo(f"Đã ghi {output}", err=True)


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
            raise click.ClickException(f"Không có hội nghị mã {meeting_id}.")
        which = SECOND_PAPER if ballot == 2 else key
        try:
            data = render_as(meeting, which, output_format(output))
        except DocumentUnavailable as error:
            raise click.ClickException(str(error.description)) from None
        output.write_bytes(data)
        state = "đã niêm phong" if meeting.sealed else "DỰ THẢO (chưa niêm phong)"
        click.echo(f"Đã ghi {output} ({DOCUMENTS[which][0]}, {state}).")

    command.__doc__ = help_text
    if key == "ballot-paper":
        # Two ballots (SPEC 5.8): --ballot 2 writes ballot 2's paper, once ballot 1 is counted.
        command = click.option(
            "--ballot",
            type=click.IntRange(1, 2),
            default=1,
            show_default=True,
            help="Under two ballots: 2 writes ballot 2's paper (phiếu biểu quyết vòng 2).",
        )(command)
    return meeting_cli.command(key)(command)


_document_command("minutes", "Write the meeting minutes (biên bản hội nghị) as PDF (Word if the file ends in .docx).")
_document_command(
    "count-minutes", "Write the vote-count minutes (biên bản kiểm phiếu) as PDF (Word if the file ends in .docx)."
)
_document_command("ballot-paper", "Write the ballot paper (phiếu xếp loại) as PDF (Word if the file ends in .docx).")


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
        raise click.UsageError("Tài khoản bí thư và ban kiểm phiếu cần --cell (và không có --organization).")
    if scope is Role.WARD and (organization_id is None or cell_id is not None):
        raise click.UsageError("Tài khoản đảng ủy cần --organization (và không có --cell).")
    if scope is Role.ADMIN and (cell_id is not None or organization_id is not None):
        raise click.UsageError("Tài khoản quản trị không gắn với chi bộ hay đảng bộ.")
    if cell_id is not None and db.session.get(Cell, cell_id) is None:
        raise click.UsageError(f"Không có chi bộ mã {cell_id}.")
    if organization_id is not None and db.session.get(Organization, organization_id) is None:
        raise click.UsageError(f"Không có đảng bộ mã {organization_id}.")
    if db.session.scalar(select(User.id).where(User.username == username)) is not None:
        raise click.UsageError(f"Tên đăng nhập {username} đã có.")
    password = read_password("Mật khẩu", username)
    try:
        with write_transaction():
            user = create_user(
                username, scope, password, cell_id=cell_id, organization_id=organization_id, display_name=display_name
            )
            if member_id is not None:
                db.session.flush()
                link_member(user, member_id)  # the page's rule: a counter, a member of its cell who may count
    except Refused as refused:
        raise click.ClickException(refused.message) from None
    click.echo(f"Đã tạo tài khoản {user.username} ({user.role_label}).")
    if member_id is not None and user.member is not None:
        click.echo(f"Tài khoản đứng tên đồng chí {user.member.name}.")
    click.echo(user.id)


@user_cli.command("link")
@click.argument("username")
@with_appcontext
def link_command(username: str) -> None:
    """Issue a one-time set-password link (48 hours); print it last. The account's older unused links stop working."""
    from flask import current_app

    from .counting_pages.routes import link_for_others

    if account_named(username).meeting_id is not None:
        raise click.ClickException(f"Tài khoản {username} là phiên đăng nhập bằng mã một lần, không có mật khẩu.")
    with write_transaction():
        account = account_named(username)
        refusal = link_refusal(account.username, account.active)
        if refusal is not None:
            raise click.ClickException(refusal)
        issued = issue_link(account, None)
    with current_app.test_request_context("/"):
        link = link_for_others("auth.set_password", token=issued.token)
        path = url_for("auth.set_password", token=issued.token)
    click.echo(
        f"Đường dẫn đặt mật khẩu cho tài khoản {username}, dùng một lần, hết hạn lúc {when(issued.expires_at, 'minute')}:"
    )
    if link is None:
        click.echo(
            "Chưa cấu hình REVIEW_BASE_URL: dưới đây chỉ có phần đường dẫn, ghép sau địa chỉ của ứng dụng.", err=True
        )
    click.echo(link or path)


def account_named(username: str) -> User:
    """Return the account named ``username``, or print a Vietnamese message and exit 1."""
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        raise click.ClickException(f"Không có tài khoản tên đăng nhập {username}.")
    return user


def read_password(label: str, username: str) -> str:
    """Return a password: REVIEW_PASSWORD, or asked twice; exit 1 with every rule it fails (password_rules)."""
    password = os.environ.get(PASSWORD_ENV) or click.prompt(
        label, hide_input=True, confirmation_prompt=f"Nhập lại {label[0].lower()}{label[1:]}"
    )
    problems = password_problems(password, username)
    if problems:
        raise click.ClickException("Mật khẩu không được nhận:\n" + "\n".join(f"- {p}" for p in problems))
    return password


@user_cli.command("password")
@click.argument("username")
@with_appcontext
def password_command(username: str) -> None:
    """Set a new password (asked twice, or REVIEW_PASSWORD); every session of the account ends."""
    account_named(username)
    password = read_password("Mật khẩu mới", username)
    with write_transaction():
        user = account_named(username)
        user.set_password(password)  # ends every session and remember-me cookie (User.end_sessions)
    click.echo(f"Đã đổi mật khẩu tài khoản {username}; mọi phiên đăng nhập của tài khoản đã kết thúc.")


@user_cli.command("disable")
@click.argument("username")
@with_appcontext
def disable_command(username: str) -> None:
    """Refuse the account's sign-ins and end its sessions at once."""
    with write_transaction():
        account_named(username).disable()
    click.echo(f"Đã khóa tài khoản {username}; mọi phiên đăng nhập của tài khoản đã kết thúc.")


@user_cli.command("enable")
@click.argument("username")
@with_appcontext
def enable_command(username: str) -> None:
    """Let a disabled account sign in again (its old sessions stay ended)."""
    with write_transaction():
        account_named(username).enable()
    click.echo(f"Đã mở khóa tài khoản {username}: tài khoản đăng nhập lại được.")


DEMO_ACCOUNTS = (
    ("quantri", Role.ADMIN, "Quản trị hệ thống", None),
    ("danguy", Role.WARD, "Văn phòng Đảng ủy phường Thượng Thanh", None),
    ("bithu", Role.SECRETARY, "Nguyễn Thị Ngọc Hân", "m01"),
    ("kiemphieu", Role.COUNTER, "Đỗ Thị Thanh Thủy", "m06"),  # the seed's chief counter
)
# ``demo --empty-cell`` on a database that already holds the demo: a second cell of the demo
# organisation, without members or meeting, and its secretary's account.
EMPTY_CELL_NAME = "Chi bộ Khu dân cư số 1"
EMPTY_CELL_SECRETARY = ("bithu2", "Bí thư Chi bộ Khu dân cư số 1")
KEPT = "(mật khẩu giữ nguyên)"


def _demo_empty_cell(organization: Organization) -> Cell:
    """Return the demo organisation's extra empty cell, created if missing (with its secretary's account)."""
    cell = db.session.scalar(select(Cell).where(Cell.organization_id == organization.id, Cell.name == EMPTY_CELL_NAME))
    if cell is not None:
        click.echo(f"Chi bộ thử chưa có đảng viên đã có: {cell.name} (mã {cell.id}).")
        return cell
    with write_transaction():
        cell = create_cell(organization, EMPTY_CELL_NAME)
    click.echo(f"Đã tạo chi bộ thử chưa có đảng viên: {cell.name} (mã {cell.id}), thuộc {organization.name}.")
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
        click.echo(f"Chi bộ mẫu đã có: {parsed.cell}.")
        if empty_cell and (cell.members or cell.meetings):
            extra = _demo_empty_cell(cell.organization)
        elif empty_cell:
            click.echo(f"Chi bộ mẫu chưa có đảng viên, chưa có hội nghị: dùng chi bộ này (mã {cell.id}).")
    elif empty_cell:
        with write_transaction():
            organization = db.session.scalar(select(Organization).where(Organization.name == parsed.parent))
            if organization is None:
                organization = Organization(name=parsed.parent, place=parsed.place)
            cell = Cell(organization=organization, name=parsed.cell)
            db.session.add(cell)
        click.echo(f"Đã tạo chi bộ mẫu chưa có đảng viên: {parsed.cell}.")
    else:
        meeting = import_meeting(parsed)
        cell = meeting.cell
        click.echo(f"Đã nạp hội nghị mẫu (mã {meeting.id}): {parsed.cell}, năm {parsed.year}.")
        second, problems = meetingfile.loads(SECOND_CELL_FILE.read_bytes())
        assert second is not None, problems
        other = import_meeting(second)
        click.echo(f"Đã nạp hội nghị mẫu thứ hai (mã {other.id}): {second.cell}, năm {second.year}.")
    organization_id, cell_id = cell.organization_id, cell.id
    extra_id = extra.id if extra is not None else None
    accounts = [
        (username, role, name, code, cell_id if role in (Role.SECRETARY, Role.COUNTER) else None)
        for username, role, name, code in DEMO_ACCOUNTS
    ]
    if extra_id is not None:
        accounts.append((EMPTY_CELL_SECRETARY[0], Role.SECRETARY, EMPTY_CELL_SECRETARY[1], None, extra_id))
    click.echo(
        "Tài khoản thử (mật khẩu được in một lần, khi tạo tài khoản; tài khoản đã có giữ nguyên mật khẩu"
        + (", trừ khi chạy với --new-passwords" if not new_passwords else "")
        + "):"
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
            shown = password if password is not None else KEPT
            disabled = "  (tài khoản đang khóa: mở bằng flask user enable)" if user.active is False else ""
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
        raise click.ClickException(f"Tệp {path} đã có. Thêm --yes để ghi đè, hoặc chọn tên khác.")
    db.session.remove()
    try:
        summary = backup.backup(db.engine, path, current_app.config["SQLITE_BUSY_TIMEOUT_MS"])
    except backup.BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Đã sao lưu {backup.describe(db.engine)} vào:")
    for line in backup.report(summary):
        click.echo(line)


@click.command("restore")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Overwrite the configured database without asking.")
@with_appcontext
def restore_command(path: Path, yes: bool) -> None:
    """Replace the configured database with the backup at PATH (asks first unless --yes)."""
    from flask import current_app

    from . import backup

    if not path.is_file():
        raise click.ClickException(f"Không có tệp sao lưu {path}.")
    db.session.remove()
    target = backup.describe(db.engine)
    if (
        not yes
        and backup.has_data(db.engine)
        and not click.confirm(
            f"Cơ sở dữ liệu {target} đang có dữ liệu; phục hồi sẽ thay toàn bộ bằng bản sao lưu {path}. Tiếp tục?"
        )
    ):
        raise click.ClickException("Chưa phục hồi: cơ sở dữ liệu giữ nguyên.")
    try:
        summary = backup.restore(db.engine, path, current_app.config["SQLITE_BUSY_TIMEOUT_MS"])
    except backup.BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Đã phục hồi {target} từ:")
    for line in backup.report(summary):
        click.echo(line)


# ---------------------------------------------------------------------------
# The roster spreadsheet (SPEC 10)


@click.group("roster")
def roster_cli() -> None:
    """Import a cell's roster from a spreadsheet (XLSX or CSV), or export it."""


def _roster_cell(cell_id: int) -> Cell:
    cell = db.session.get(Cell, cell_id)
    if cell is None:
        raise click.ClickException(f"Không có chi bộ mã {cell_id}.")
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
        raise click.ClickException(f"Không đọc được tệp {path}: {exc.strerror}") from exc

    def refuse(plan: Plan) -> NoReturn:
        problems = plan.all_problems()
        click.echo(f"Tệp không được nhập: {len(problems)} lỗi, không lưu gì.", err=True)
        for problem in problems:
            click.echo(str(problem), err=True)
        sys.exit(1)

    try:
        plan, _roster = read_plan(cell.id, data)
        if not plan.ok:
            refuse(plan)
        if not dry_run:  # planned again inside the transaction, the cell locked (as the page does)
            plan, stored = import_file(cell, data)
    except FileRefused as refused:
        raise click.ClickException(str(refused)) from refused
    except RosterRefused as refused:
        if refused.plan is not None:
            refuse(refused.plan)
        raise click.ClickException(refused.message) from refused
    for notice in plan.reading.notices:
        click.echo(f"Lưu ý: {notice}")
    if dry_run:
        for planned in plan.planned:
            if planned.status == "new":
                click.echo(f"Sẽ thêm: {planned.member.name} (dòng {planned.row})")
            elif planned.status == "changed":
                what = "; ".join(f"{label}: {before} → {after}" for label, before, after in planned.changes)
                click.echo(f"Sẽ cập nhật: {planned.member.name} (dòng {planned.row}): {what}")
        click.echo(
            f"Chạy thử, không lưu gì: sẽ thêm {plan.count('new')}, cập nhật {plan.count('changed')}, "
            f"giữ nguyên {plan.count('unchanged')} đảng viên."
        )
    else:
        for member in stored.added:
            click.echo(f"Đã thêm: {member.code} {member.name}")
        for member in stored.updated:
            click.echo(f"Đã cập nhật: {member.code} {member.name}")
        click.echo(
            f"Đã nhập: thêm {len(stored.added)}, cập nhật {len(stored.updated)}, "
            f"giữ nguyên {stored.unchanged} đảng viên."
        )
    for existing in plan.missing:
        click.echo(f"Không có trong tệp, vẫn giữ: {existing.data.name}")


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
            f"Không biết ghi dạng “{output.suffix or output.name}”: tên tệp cần đuôi .xlsx hoặc .csv."
        )
    cell = _roster_cell(cell_id)
    try:
        output.write_bytes(export_bytes(cell, kind))
    except OSError as exc:
        raise click.ClickException(f"Không ghi được tệp {output}: {exc.strerror}") from exc
    click.echo(
        f"Đã ghi danh sách {sum(1 for m in cell.members if m.retired_on is None)} đảng viên của {cell.name} vào {output}."
    )
