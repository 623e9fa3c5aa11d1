"""The roster spreadsheet in the shell: the roster read for the core, the core's plan stored, the export.

The pages and the command line share it. Rules live in :mod:`review.roster_sheet`, files in
:mod:`review.roster_files`; this module only reads and writes the database.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from .. import clock
from ..database import lock_row, write_transaction
from ..extensions import db
from ..meeting_edits import (
    COPIED_FIELDS,
    follow_roster_edit,
    next_code,
    next_roll_order,
    open_meeting,
    roster_order_key,
    summon,
)
from ..models import Cell, Member
from ..roster_files import read_file, write_csv, write_xlsx
from ..roster_sheet import Existing, MemberData, Plan, export_rows, plan_import, read_sheet
from ..rules import Position, Standing
from ..translatable import N_, msg
from ..versioning import versions_token

STORED_FIELDS = ("name", "standing", "position", "admitted_on", "official_on", "card_number", "born_on", "note")


def member_data(member: Member) -> MemberData:
    """Return a stored member as the core reads them."""
    return MemberData(
        name=member.name,
        admitted_on=member.admitted_on,
        official_on=member.official_on,
        position=Position(member.position),
        card_number=member.card_number or None,
        born_on=member.born_on,
        note=member.note or "",
        standing=Standing(member.standing),
    )


def cell_members(cell_id: int) -> list[Member]:
    """Return every member of the cell (those who left too), by id."""
    return list(db.session.scalars(select(Member).where(Member.cell_id == cell_id).order_by(Member.id)))


def existing_of(members: list[Member]) -> list[Existing]:
    """Return members as the core plans against them."""
    return [Existing(id=m.id, data=member_data(m), retired_on=m.retired_on) for m in members]


def read_plan(cell_id: int, data: bytes) -> tuple[Plan, str]:
    """Read a file and plan its import into the cell's roster; raise roster_files.FileRefused.

    Returns the plan and the roster's token, both from one read of the roster: confirming with the
    token stores only if nobody changed the roster since (:func:`import_file`).
    """
    reading = read_sheet(read_file(data), clock.today())
    members = cell_members(cell_id)
    return plan_import(reading, existing_of(members)), versions_token(members)


# The refusals' texts are marked, not translated: the page and the command line show them
# (i18n.translate), each in its language.
CHANGED_MESSAGE = N_(
    "Danh sách chi bộ đã thay đổi từ lúc xem trước (có người vừa sửa): "
    "kiểm tra lại bản xem trước bên dưới rồi xác nhận lần nữa."
)
CLASH_MESSAGE = N_(
    "Danh sách chi bộ vừa thay đổi trong lúc nhập (một số thẻ vừa được dùng hoặc một đảng viên vừa được thêm): "
    "không lưu gì, hãy kiểm tra lại rồi nhập lần nữa."
)


class ImportRefused(Exception):
    """An import not stored: the roster changed, or the file has problems against it (``plan``)."""

    def __init__(self, message: str, plan: Plan | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.plan = plan


@dataclass
class Stored:
    """What an import stored."""

    added: list[Member]
    updated: list[Member]
    unchanged: int


def import_file(cell: Cell, data: bytes, expected_token: str | None = None) -> tuple[Plan, Stored]:
    """Read a file and store its import into the cell's roster in one write transaction.

    The cell is locked (two imports, or an import and a page edit, queue up on PostgreSQL) and the
    plan is made inside the transaction against the roster as it is then. With ``expected_token``
    (the preview's), a roster changed since is refused. Raises roster_files.FileRefused, or
    :class:`ImportRefused` (with the plan when the file has problems); nothing is stored then.
    """
    reading = read_sheet(read_file(data), clock.today())
    try:
        with write_transaction():
            lock_row(Cell, cell.id)
            members = cell_members(cell.id)
            if expected_token is not None and versions_token(members) != expected_token:
                raise ImportRefused(CHANGED_MESSAGE)
            plan = plan_import(reading, existing_of(members))
            if not plan.ok:
                raise ImportRefused(msg("Tệp có {count} lỗi, không lưu gì.", count=len(plan.all_problems())), plan)
            stored = store_plan(cell, plan, members)
    except IntegrityError:  # a card number or a code taken at the same moment (outside the cell's lock)
        raise ImportRefused(CLASH_MESSAGE) from None
    return plan, stored


def store_plan(cell: Cell, plan: Plan, members: list[Member]) -> Stored:
    """Store an error-free plan of the cell's ``members`` (in the caller's write transaction).

    New members join the open meeting.
    """
    assert plan.ok
    meeting = open_meeting(cell.id)
    by_id = {m.id: m for m in members}
    stored = Stored(added=[], updated=[], unchanged=0)
    new_members = []
    for planned in plan.planned:
        values = {key: getattr(planned.member, key) for key in STORED_FIELDS}
        if planned.existing_id is None:
            member = Member(cell_id=cell.id, code=next_code(cell.id), **values)
            db.session.add(member)
            db.session.flush()  # the next code sees this one
            new_members.append(member)
            stored.added.append(member)
        elif planned.changes:
            member = by_id[planned.existing_id]
            changed = {key: value for key, value in values.items() if getattr(member, key) != value}
            for key, value in changed.items():
                setattr(member, key, value)
            follow_roster_edit(meeting, member, {k: v for k, v in changed.items() if k in COPIED_FIELDS})
            stored.updated.append(member)
        else:
            stored.unchanged += 1
    if meeting is not None and not meeting.first_ballot_sealed:
        for member in sorted(new_members, key=roster_order_key):
            summon(meeting, member, next_roll_order(meeting))
            db.session.flush()
    return stored


def export_members(cell_id: int) -> list[MemberData]:
    """Return the cell's current members in summoning order, as the export writes them."""
    current = [m for m in cell_members(cell_id) if m.retired_on is None]
    return [member_data(m) for m in sorted(current, key=roster_order_key)]


def export_bytes(cell: Cell, kind: str) -> bytes:
    """Return the roster's export as ``xlsx`` or ``csv`` bytes (SPEC 10's columns)."""
    rows = export_rows(export_members(cell.id))
    if kind == "csv":
        return write_csv(rows)
    return write_xlsx(rows, title=f"DANH SÁCH ĐẢNG VIÊN {cell.name.upper()}")  # i18n: vi-only (the file)


# The template's explanations, above its header: the file is Vietnamese (SPEC 10).
TEMPLATE_NOTES = (  # i18n: vi-only (each line)
    "Mỗi đảng viên một dòng, bên dưới dòng tiêu đề. Bắt buộc: Họ và tên, Ngày vào Đảng.",
    # i18n: vi-only
    "Ngày ghi dạng ngày/tháng/năm (19/05/2008) hoặc là ô ngày của Excel. Để trống Ngày chính thức: đảng viên dự bị.",
    # i18n: vi-only
    "Chức vụ: Bí thư, Phó Bí thư, Chi ủy viên, Đảng viên (hoặc để trống). Số thẻ ghi dạng văn bản, giữ các số 0 ở đầu.",
    # i18n: vi-only
    "Ví dụ một dòng: 1 | Nguyễn Văn An | 02/01/1980 | 19/05/2008 | 19/05/2009 | Bí thư | 00079137 | ",
)


def template_bytes() -> bytes:
    """Return the template: the header row under explanations (which the import skips)."""
    return write_xlsx(export_rows([]), title="DANH SÁCH ĐẢNG VIÊN CHI BỘ ...", notes=TEMPLATE_NOTES)  # i18n: vi-only
