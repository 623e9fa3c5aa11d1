"""The rules of a ward's set-up: the names of organisations and cells, and what archiving means.

Pure: no Flask, no database. The pages (review/admin, review/ward/cells.py) and the command
line (review/setup_cli.py) ask the same functions, through review/setup_store.py.

Names. A name is stored as typed, in NFC, without surrounding spaces. Two names are the same
name when they are equal once NFC-normalised, case-folded and with their runs of white space
made one space (``text.name_key``): "Chi bộ Khu dân cư số 1" and "CHI BỘ KHU DÂN CƯ  SỐ 1" are
one cell. An organisation's name is unique in the whole database; a cell's, in its
organisation (archived ones included: an archived cell keeps its name, so its documents stay
unambiguous). The database's unique constraints stand behind the exact spelling.

Places. An organisation needs a place (its documents' date line: "Thượng Thanh, ngày ..."):
an empty one is refused (:func:`place_problem`), on the page and on the command line alike. A
cell's place may be empty.

Archiving (``archived_at``) keeps every record; nothing is deleted:

- an archived cell keeps its members, meetings, documents and accounts; it leaves the ward's
  list of cells (shown under "Đã lưu trữ") and the dashboard's list, unless it has a meeting
  in the year shown; it takes no new meeting (``meeting.new`` refuses with a message); its
  existing pages keep working as before. Restoring it undoes all of that.
- an archived organisation keeps its cells and their records; it is listed apart on the
  administrator's index; it takes no new cell, and its cells take no new meeting. Its pages
  keep working as before.
"""

from __future__ import annotations

from collections.abc import Iterable

from .text import NAME_MAX, name_key, nfc, text_problem
from .translatable import N_, msg

ORGANIZATION = "organization"
CELL = "cell"

# How each kind of name is asked for and refused.
_EMPTY = {
    ORGANIZATION: N_("Nhập tên đảng bộ."),
    CELL: N_("Nhập tên chi bộ."),
}
PLACE_MISSING = N_("Nhập địa danh ghi ở dòng ngày tháng của tài liệu.")


def clean(value: str) -> str:
    """Return a typed name or place as it is stored: NFC, without surrounding white space."""
    return nfc(value).strip()


def too_long(value: str, limit: int = NAME_MAX) -> str | None:
    """Return the message for a text longer than ``limit``, or None."""
    if len(value) > limit:
        return msg("Tối đa {limit} ký tự (đang có {length} ký tự).", limit=limit, length=len(value))
    return None


def text_field_problem(value: str, *, required_message: str | None = None) -> str | None:
    """Return why a one-line text (a name, a place) cannot be stored, or None.

    ``required_message``: the message for an empty text; None lets it be empty.
    """
    value = clean(value)
    if not value:
        return required_message
    return text_problem(value, multiline=False) or too_long(value)


def place_problem(place: str, *, required: bool) -> str | None:
    """Return why ``place`` cannot be stored, or None: an organisation's (``required``) may not be empty."""
    return text_field_problem(place, required_message=PLACE_MISSING if required else None)


def duplicate_message(kind: str, name: str) -> str:
    """Return the message for a name already taken."""
    if kind == ORGANIZATION:
        return msg("Đã có đảng bộ tên “{name}” (không phân biệt chữ hoa, chữ thường): chọn tên khác.", name=name)
    return msg("Đảng bộ đã có chi bộ tên “{name}” (không phân biệt chữ hoa, chữ thường): chọn tên khác.", name=name)


def name_problem(kind: str, name: str, taken: Iterable[str]) -> str | None:
    """Return why ``name`` cannot name an organisation or a cell (``kind``), or None.

    ``taken``: the names of the others it must differ from (every other organisation; the
    other cells of the same organisation, archived ones included).
    """
    problem = text_field_problem(name, required_message=_EMPTY[kind])
    if problem is not None:
        return problem
    key = name_key(name)
    for other in taken:
        if name_key(other) == key:
            return duplicate_message(kind, other)
    return None


def archive_problem(kind: str, archived: bool, *, archiving: bool) -> str | None:
    """Return why an organisation or cell cannot be archived (or restored), or None."""
    organization = kind == ORGANIZATION
    if archiving and archived:
        return N_("Đảng bộ đã được lưu trữ từ trước.") if organization else N_("Chi bộ đã được lưu trữ từ trước.")
    if not archiving and not archived:
        if organization:
            return N_("Đảng bộ đang hoạt động, không ở trong lưu trữ.")
        return N_("Chi bộ đang hoạt động, không ở trong lưu trữ.")
    return None


def new_meeting_problem(cell_archived: bool, organization_archived: bool) -> str | None:
    """Return why a cell may not start a new meeting (archiving), or None."""
    if cell_archived:
        return N_("Chi bộ đã được lưu trữ: không mở hội nghị mới. Đảng ủy phường khôi phục chi bộ nếu cần họp.")
    if organization_archived:
        return N_("Đảng bộ của chi bộ đã được lưu trữ: không mở hội nghị mới.")
    return None


def new_cell_problem(organization_archived: bool) -> str | None:
    """Return why an organisation may not take a new cell, or None."""
    if organization_archived:
        return N_("Đảng bộ đã được lưu trữ: không thêm chi bộ mới.")
    return None
