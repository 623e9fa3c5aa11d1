"""The roster spreadsheet (SPEC 10): reading its rows, checking them, planning the import, writing the export.

Pure: no Flask, no database, no file formats (``roster_files`` turns an XLSX or CSV file into a
:class:`Sheet`; the shell stores the :class:`Plan`). The member form checks a member with
:func:`member_problems`, the same rules as a row of the file.

Readings this module decides (SPEC 10 leaves them open):

- A data row is empty, and skipped, when every *known* column of it is empty (a template with the
  STT column numbered ahead of the names reads as empty rows). The STT column is known and ignored
  without a notice (the export writes it); any other column is ignored and named in a notice.
- Standing follows ``Ngày chính thức``: a date means official, empty means probationary; except
  that a matched member already official whose date the roster never had (members entered before
  the column existed) stays official when the file leaves the date empty too (an export read back
  changes nothing).
- A second Bí thư (or Phó Bí thư) counts the whole roster after the import: the rows of the file
  and the current members the file does not name (they are kept). The row is refused, naming the
  other holder.
- Card numbers are text: a cell holding a number (the spreadsheet dropped its leading zeros) is
  refused, asking for the column to be formatted as text; nothing is guessed.
- Names match (name and admission date, when a card number does not decide) whatever their case
  and spacing (``text.name_key``, the set-up's rule for names of cells too); the stored name becomes the file's text.
- Dates: besides the future, a date of admission before the Party's founding (03/02/1930) and a
  birth date on or after the date of admission are refused (as the member form does).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Final

from . import vocabulary
from .rules import COMMITTEE_SEATS, SINGLE_POSITIONS, Position, Standing
from .text import NAME_MAX, day_text, fold_diacritics, name_key, nfc, one_line_break, text_problem
from .translatable import N_, Message, msg

PARTY_FOUNDED: Final = date(1930, 2, 3)
MAX_ROWS: Final = 2000
CARD_LENGTH: Final = 32  # models.Member.card_number
NOTE_LENGTH: Final = 2000


class Verbatim:
    """A value of a message that is the file's or the user's text: the shell shows it untranslated.

    ``i18n.translate`` translates a message's ``str`` values (a vocabulary word); this is no ``str``,
    and formats as its text, so a header or a name that happens to be a catalog text stays as written.
    """

    __slots__ = ("text",)

    def __init__(self, text: object) -> None:
        self.text = "" if text is None else str(text)

    def __format__(self, spec: str) -> str:
        return format(self.text, spec)

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return f"Verbatim({self.text!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Verbatim) and other.text == self.text

    def __hash__(self) -> int:
        return hash(self.text)

    def __reduce__(self) -> tuple[object, ...]:
        return (Verbatim, (self.text,))


# The fields of a member the spreadsheet carries, in the export's order (after STT).
NAME, BORN, ADMITTED, OFFICIAL, POSITION, CARD, NOTE = (
    "name",
    "born_on",
    "admitted_on",
    "official_on",
    "position",
    "card_number",
    "note",
)
FIELDS: Final = (NAME, BORN, ADMITTED, OFFICIAL, POSITION, CARD, NOTE)
STT: Final = "stt"

# The export's headers (SPEC 10), which are also the names the messages give the fields. The
# file always has them in Vietnamese (the export writes them untranslated); marked, the pages'
# messages that name a field translate them.
HEADERS: Final = {
    STT: "STT",
    NAME: N_("Họ và tên"),
    BORN: N_("Ngày sinh"),
    ADMITTED: N_("Ngày vào Đảng"),
    OFFICIAL: N_("Ngày chính thức"),
    POSITION: N_("Chức vụ"),
    CARD: N_("Số thẻ đảng viên"),
    NOTE: N_("Ghi chú"),
}
EXPORT_COLUMNS: Final = (STT, *FIELDS)
# What each field's label is, in the changes a preview lists.
CHANGE_LABELS: Final = {**{key: HEADERS[key] for key in FIELDS}, "standing": N_("Chính thức / dự bị")}


def header_key(text: str) -> str:
    """Return a header (or a position) as it is compared: no case, diacritics, extra spaces or trailing punctuation."""
    bare = re.sub(r"\s+", " ", fold_diacritics(text)).strip().casefold()
    return re.sub(r"[\s:.;,*?!()\-–]+$", "", bare).strip()


ALIASES: Final = {
    "stt": STT,
    "ho va ten": NAME,
    "ngay vao dang": ADMITTED,
    "ngay chinh thuc": OFFICIAL,
    "chuc vu": POSITION,
    "chuc vu dang": POSITION,
    "so the dang vien": CARD,
    "so the": CARD,
    "ngay sinh": BORN,
    "ghi chu": NOTE,
}
POSITION_NAMES: Final = {
    "bi thu": Position.SECRETARY,
    "pho bi thu": Position.DEPUTY_SECRETARY,
    "chi uy vien": Position.COMMITTEE,
    "cap uy vien": Position.COMMITTEE,
    "dang vien": Position.MEMBER,
    "": Position.MEMBER,
}
COMMITTEE_POSITIONS: Final = frozenset({Position.SECRETARY, *COMMITTEE_SEATS})
# The positions as a file writes them, named in a message: the file's words, never translated.
POSITION_WORDS: Final = {
    "secretary": Verbatim(vocabulary.POSITION_LABELS[Position.SECRETARY]),
    "deputy": Verbatim(vocabulary.POSITION_LABELS[Position.DEPUTY_SECRETARY]),
    "committee": Verbatim(vocabulary.POSITION_LABELS[Position.COMMITTEE]),
    "committee_alt": Verbatim("Cấp ủy viên"),  # i18n: vi-only (a word of the file)
    "member": Verbatim(vocabulary.POSITION_LABELS[Position.MEMBER]),
}


def column_letter(index: int) -> str:
    """Return the spreadsheet's letter of the 0-based column ``index``: A, B, ..., Z, AA, ..."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


# ---------------------------------------------------------------------------
# What the file layer gives


@dataclass(frozen=True)
class Unreadable:
    """A cell the file layer could not give a value for (a formula never calculated, a merged cell)."""

    message: str
    value: object = None  # the value it shows, if any (a merged range's top-left cell)


CellValue = str | int | float | date | datetime | bool | Unreadable | None


@dataclass(frozen=True)
class Sheet:
    """A spreadsheet's rows as the file holds them: (row number as the spreadsheet numbers it, cells)."""

    rows: tuple[tuple[int, tuple[CellValue, ...]], ...]
    notices: tuple[str, ...] = ()


@dataclass(frozen=True)
class Problem:
    """A refusal, with the row as the spreadsheet numbers it and the column as its header is written."""

    message: str
    row: int | None = None
    column: str | None = None

    def __str__(self) -> str:
        return self.text()

    def text(self, column: object = None) -> str:
        """Return the problem with where it is (a ``Message``); the header as the file writes it, untranslated."""
        column = Verbatim(self.column) if column is None else column
        if self.row is not None and self.column is not None:
            return msg("dòng {row}, cột {column}: {message}", row=self.row, column=column, message=self.message)
        if self.row is not None:
            return msg("dòng {row}: {message}", row=self.row, message=self.message)
        if self.column is not None:
            return msg("cột {column}: {message}", column=column, message=self.message)
        return self.message


def joined(parts: Sequence[str], separator: str = ", ") -> str:
    """Return ``parts`` joined, each still translatable: a ``Message`` whose template is only the separators."""
    if not parts:
        return ""
    fields = {f"part{index}": part for index, part in enumerate(parts)}
    return Message(separator.join("{" + name + "}" for name in fields), fields)


@dataclass(frozen=True)
class MemberData:
    """A member as the roster stores them (the fields of the spreadsheet, and the standing)."""

    name: str
    admitted_on: date
    official_on: date | None = None
    position: Position = Position.MEMBER
    card_number: str | None = None
    born_on: date | None = None
    note: str = ""
    standing: Standing = Standing.PROBATIONARY


@dataclass(frozen=True)
class Existing:
    """A member already on the roster: who they are, and whether they left the cell."""

    id: int
    data: MemberData
    retired_on: date | None = None


@dataclass(frozen=True)
class RowReading:
    """One data row: what was written (by field), the member it stores, and its problems."""

    row: int
    written: Mapping[str, str]
    member: MemberData | None
    problems: tuple[Problem, ...] = ()


@dataclass(frozen=True)
class Reading:
    """The whole file read: its rows, the problems (of the file, the header and the rows), the notices."""

    rows: tuple[RowReading, ...]
    problems: tuple[Problem, ...]
    notices: tuple[str, ...]
    headers: Mapping[str, str] = field(default_factory=dict)  # field -> header as written

    @property
    def ok(self) -> bool:
        return not self.problems and all(not r.problems for r in self.rows)

    def all_problems(self) -> list[Problem]:
        return [*self.problems, *(p for r in self.rows for p in r.problems)]


# ---------------------------------------------------------------------------
# Values


def cell_text(value: CellValue) -> str:
    """Return a cell as the preview shows what was written."""
    if value is None:
        return ""
    if isinstance(value, Unreadable):
        return "" if value.value is None else cell_text(value.value)  # type: ignore[arg-type]
    if isinstance(value, datetime):
        return day_text(value.date())
    if isinstance(value, date):
        return day_text(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return nfc(str(value)).strip()


def is_empty(value: CellValue) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


DMY = re.compile(r"([0-9]{1,2})([/.\-])([0-9]{1,2})\2([0-9]{4})", re.ASCII)
YMD = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})", re.ASCII)
DATE_FORMS = N_("ngày/tháng/năm, ví dụ 19/05/2008")


def parse_date(value: CellValue) -> date:
    """Return the date of a cell: dd/mm/yyyy (d/m/yyyy, with - or .), yyyy-mm-dd, or a date cell.

    Raises ValueError with the Vietnamese reason.
    """
    if isinstance(value, datetime):
        if value.time() != datetime.min.time():
            raise ValueError(N_("Ô ghi cả giờ: chỉ ghi ngày."))
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (bool, int, float)):
        raise ValueError(
            msg(
                "Ô là một số ({value}), không phải ngày: ghi ngày dạng {forms}.",
                value=cell_text(value),
                forms=DATE_FORMS,
            )
        )
    text = cell_text(value)
    if match := DMY.fullmatch(text):
        day, month, year = int(match.group(1)), int(match.group(3)), int(match.group(4))
    elif match := YMD.fullmatch(text):
        year, month, day = (int(match.group(i)) for i in (1, 2, 3))
    else:
        raise ValueError(msg("Không đọc được ngày “{text}”: ghi dạng {forms}.", text=Verbatim(text), forms=DATE_FORMS))
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueError(msg("Ngày “{text}” không có trên lịch.", text=Verbatim(text))) from None


def parse_position(text: str) -> Position:
    """Return the position a cell names (Bí thư, Phó Bí thư, Chi ủy viên or Cấp ủy viên, Đảng viên, empty)."""
    try:
        return POSITION_NAMES[header_key(text)]
    except KeyError:
        raise ValueError(
            msg(
                "Chức vụ “{text}” không rõ: ghi {secretary}, {deputy}, {committee} (hoặc {committee_alt}), {member} "
                "hoặc để trống.",
                text=Verbatim(text),
                **POSITION_WORDS,
            )
        ) from None


def derive_standing(official_on: date | None, before: MemberData | None) -> Standing:
    """Return the standing a row stores: official with a date; kept official if it never had one."""
    if official_on is not None:
        return Standing.OFFICIAL
    if before is not None and before.standing == Standing.OFFICIAL and before.official_on is None:
        return Standing.OFFICIAL
    return Standing.PROBATIONARY


# ---------------------------------------------------------------------------
# One member's rules (the file's rows and the member form share them)


def member_problems(
    *,
    admitted_on: date | None,
    official_on: date | None,
    born_on: date | None,
    standing: Standing | str | None,
    position: Position | str,
    today: date,
) -> list[tuple[str, str]]:
    """Return (field, message) for every rule of SPEC 10 one member breaks on their own.

    ``standing`` None leaves out the rules of the standing (a row's is known once it is matched).
    """
    problems: list[tuple[str, str]] = []
    for key, value in ((ADMITTED, admitted_on), (OFFICIAL, official_on), (BORN, born_on)):
        if value is not None and value > today:
            problems.append(
                (key, msg("{field} ({day}) là một ngày trong tương lai.", field=HEADERS[key], day=day_text(value)))
            )
    if admitted_on is not None and admitted_on < PARTY_FOUNDED:
        problems.append(
            (ADMITTED, msg("Ngày vào Đảng không thể trước ngày thành lập Đảng ({day}).", day=day_text(PARTY_FOUNDED)))
        )
    if admitted_on is not None and official_on is not None and official_on < admitted_on:
        problems.append(
            (
                OFFICIAL,
                msg(
                    "Ngày chính thức ({official}) trước ngày vào Đảng ({admitted}).",
                    official=day_text(official_on),
                    admitted=day_text(admitted_on),
                ),
            )
        )
    if admitted_on is not None and born_on is not None and born_on >= admitted_on:
        problems.append(
            (
                BORN,
                msg(
                    "Ngày sinh ({born}) phải trước ngày vào Đảng ({admitted}).",
                    born=day_text(born_on),
                    admitted=day_text(admitted_on),
                ),
            )
        )
    if standing is None:
        return problems
    if official_on is not None and Standing(standing) == Standing.PROBATIONARY:
        problems.append((OFFICIAL, N_("Đảng viên dự bị chưa có ngày chính thức: xóa ngày hoặc chọn chính thức.")))
    if Standing(standing) == Standing.PROBATIONARY and Position(position) in COMMITTEE_POSITIONS:
        problems.append((POSITION, probationary_seat_message(Position(position))))
    return problems


def probationary_seat_message(position: Position) -> str:
    """Return the refusal of a probationary member holding a committee position."""
    return msg("Đảng viên dự bị không giữ chức vụ {position}.", position=vocabulary.POSITION_LABELS[position])


def card_problem(value: CellValue) -> str | None:
    """Return why a card number cell cannot be kept, or None."""
    if isinstance(value, (bool, int, float)):
        return msg(
            "Số thẻ được ghi dạng số ({value}) nên có thể đã mất các số 0 ở đầu: "
            "định dạng cột là Văn bản (Text) rồi ghi lại số thẻ đúng như trên thẻ.",
            value=cell_text(value),
        )
    if isinstance(value, (date, datetime)):
        return N_("Ô số thẻ là một ngày: ghi số thẻ dạng văn bản.")
    return None


# ---------------------------------------------------------------------------
# Reading the sheet


def find_header(sheet: Sheet) -> int | None:
    """Return the index in ``sheet.rows`` of the header: the first row with a cell reading "Họ và tên"."""
    for index, (_number, cells) in enumerate(sheet.rows):
        for value in cells:
            shown = value.value if isinstance(value, Unreadable) else value
            if isinstance(shown, str) and ALIASES.get(header_key(shown)) == NAME:
                return index
    return None


def read_sheet(sheet: Sheet, today: date) -> Reading:
    """Read a sheet: find the header, map the columns, read and check every row (SPEC 10)."""
    notices = list(sheet.notices)
    at = find_header(sheet)
    if at is None:
        problem = Problem(
            msg(
                "Không tìm thấy dòng tiêu đề: cần một dòng có ô “{name}” (và ô “{admitted}”) phía trên danh sách.",
                name=Verbatim(HEADERS[NAME]),
                admitted=Verbatim(HEADERS[ADMITTED]),
            )
        )
        return Reading(rows=(), problems=(problem,), notices=tuple(notices))
    header_number, header_cells = sheet.rows[at]
    problems: list[Problem] = []
    columns: dict[str, int] = {}
    written: dict[str, str] = {}
    ignored: list[str] = []
    for index, value in enumerate(header_cells):
        text = cell_text(value)
        if not text:
            continue
        key = ALIASES.get(header_key(text))
        if key is None:
            ignored.append(msg("“{header}” (cột {letter})", header=Verbatim(text), letter=column_letter(index)))
            continue
        if key in columns:
            problems.append(
                Problem(
                    msg(
                        "Có hai cột “{header}” (cột {first} và cột {second}): giữ một cột.",
                        header=Verbatim(written[key]),
                        first=column_letter(columns[key]),
                        second=column_letter(index),
                    ),
                    row=header_number,
                )
            )
            continue
        columns[key] = index
        written[key] = text
    if ADMITTED not in columns:
        problems.append(Problem(msg("Thiếu cột “{header}”.", header=Verbatim(HEADERS[ADMITTED])), row=header_number))
    if ignored:
        notices.append(msg("Các cột không dùng đến, bỏ qua: {columns}.", columns=joined(ignored)))
    data_rows = []
    for number, cells in sheet.rows[at + 1 :]:
        known = [cells[i] if i < len(cells) else None for key, i in columns.items() if key != STT]
        if all(is_empty(v) for v in known):
            stray = [column_letter(i) for i, v in enumerate(cells) if not is_empty(v) and i not in columns.values()]
            if stray:
                notices.append(
                    msg(
                        "Dòng {row} không có thông tin đảng viên nên bỏ qua (có chữ ở cột {columns}).",
                        row=number,
                        columns=", ".join(stray),
                    )
                )
            continue
        data_rows.append((number, cells))
    if len(data_rows) > MAX_ROWS:
        problems.append(
            Problem(msg("Tệp có {count} dòng đảng viên, tối đa {limit} dòng.", count=len(data_rows), limit=MAX_ROWS))
        )
        return Reading(rows=(), problems=tuple(problems), notices=tuple(notices), headers=written)
    if problems:
        return Reading(rows=(), problems=tuple(problems), notices=tuple(notices), headers=written)
    rows = tuple(read_row(number, cells, columns, written, today) for number, cells in data_rows)
    rows = check_duplicates(rows, written)
    return Reading(rows=rows, problems=(), notices=tuple(notices), headers=written)


def read_row(
    number: int, cells: Sequence[CellValue], columns: Mapping[str, int], written: Mapping[str, str], today: date
) -> RowReading:
    """Read one data row; its member is None when any problem prevents it."""

    def cell(key: str) -> CellValue:
        index = columns.get(key)
        return cells[index] if index is not None and index < len(cells) else None

    problems: list[Problem] = []

    def refuse(key: str, message: str) -> None:
        problems.append(Problem(message, row=number, column=written.get(key, HEADERS[key])))

    shown = {key: cell_text(cell(key)) for key in FIELDS if key in columns}
    values: dict[str, object] = {}
    for key in FIELDS:
        value = cell(key)
        if isinstance(value, str):
            value = one_line_break(value)  # "\r\n" in a quoted CSV field, "\r" from old Macs
        try:
            values[key] = read_value(key, value)
        except ValueError as error:
            refuse(key, error.args[0] if error.args and isinstance(error.args[0], str) else str(error))
    if problems:
        return RowReading(row=number, written=shown, member=None, problems=tuple(problems))
    official_on = values.get(OFFICIAL)
    member = MemberData(
        name=str(values[NAME]),
        admitted_on=values[ADMITTED],  # type: ignore[arg-type]
        official_on=official_on,  # type: ignore[arg-type]
        position=values.get(POSITION, Position.MEMBER),  # type: ignore[arg-type]
        card_number=values.get(CARD),  # type: ignore[arg-type]
        born_on=values.get(BORN),  # type: ignore[arg-type]
        note=str(values.get(NOTE, "")),
        standing=derive_standing(official_on, None),  # type: ignore[arg-type]
    )
    return RowReading(
        row=number, written=shown, member=member, problems=row_rule_problems(number, member, written, today)
    )


def read_value(key: str, value: CellValue) -> object:
    """Return one cell's value for the field ``key``; raise ValueError with the reason it is refused."""
    if isinstance(value, Unreadable):
        raise ValueError(value.message)
    if key in (NAME, POSITION, CARD, NOTE) and isinstance(value, str):
        problem = text_problem(nfc(value).strip(), multiline=key == NOTE)
        if problem is not None:
            raise ValueError(problem)
    if key in (ADMITTED, OFFICIAL, BORN):
        if is_empty(value):
            if key == ADMITTED:
                raise ValueError(N_("Thiếu ngày vào Đảng."))
            return None
        return parse_date(value)
    if key == POSITION:
        return parse_position(cell_text(value))
    if key == CARD:
        problem = card_problem(value)
        if problem is not None:
            raise ValueError(problem)
        card = cell_text(value)
        if len(card) > CARD_LENGTH:
            raise ValueError(
                msg("Số thẻ dài {length} ký tự, tối đa {limit} ký tự.", length=len(card), limit=CARD_LENGTH)
            )
        return card or None
    text = nfc(value).strip() if isinstance(value, str) else cell_text(value)
    if key == NAME:
        if not text:
            raise ValueError(N_("Thiếu họ và tên."))
        if len(text) > NAME_MAX:
            raise ValueError(
                msg("Họ và tên dài {length} ký tự, tối đa {limit} ký tự.", length=len(text), limit=NAME_MAX)
            )
        return text
    if len(text) > NOTE_LENGTH:
        raise ValueError(msg("Ghi chú dài {length} ký tự, tối đa {limit} ký tự.", length=len(text), limit=NOTE_LENGTH))
    return text


def row_rule_problems(number: int, member: MemberData, written: Mapping[str, str], today: date) -> tuple[Problem, ...]:
    """Return the member rules a read row breaks, placed at its row and columns."""
    found = member_problems(
        admitted_on=member.admitted_on,
        official_on=member.official_on,
        born_on=member.born_on,
        standing=None,  # checked by plan_import, once the row is matched
        position=member.position,
        today=today,
    )
    return tuple(Problem(message, row=number, column=written.get(key, HEADERS[key])) for key, message in found)


def check_duplicates(rows: tuple[RowReading, ...], written: Mapping[str, str]) -> tuple[RowReading, ...]:
    """Refuse two rows with the same card number (the later row is blamed)."""
    first: dict[str, int] = {}
    checked = []
    for reading in rows:
        card = reading.member.card_number if reading.member is not None else None
        if card is not None:
            if card in first:
                problem = Problem(
                    msg("Số thẻ {card} đã có ở dòng {row}.", card=Verbatim(card), row=first[card]),
                    row=reading.row,
                    column=written.get(CARD, HEADERS[CARD]),
                )
                reading = replace(reading, problems=(*reading.problems, problem))
            else:
                first[card] = reading.row
        checked.append(reading)
    return tuple(checked)


# ---------------------------------------------------------------------------
# The plan against the roster


@dataclass(frozen=True)
class Planned:
    """A row of the file and what it does: add a member, change one (which fields), or nothing."""

    row: int
    member: MemberData
    existing_id: int | None
    changes: tuple[tuple[str, str, str], ...] = ()  # (label, before, after)

    @property
    def status(self) -> str:
        if self.existing_id is None:
            return "new"
        return "changed" if self.changes else "unchanged"


@dataclass(frozen=True)
class Plan:
    """What the import does to the roster; stored only when :attr:`ok`."""

    reading: Reading
    planned: tuple[Planned, ...]
    missing: tuple[Existing, ...]  # current members the file does not name: listed, kept
    problems: tuple[Problem, ...]  # of the roster as a whole (a second Bí thư...), beside the rows'

    @property
    def ok(self) -> bool:
        return self.reading.ok and not self.problems

    def all_problems(self) -> list[Problem]:
        return sorted([*self.reading.all_problems(), *self.problems], key=lambda p: (p.row or 0, p.column or ""))

    def problems_of(self, row: int) -> list[Problem]:
        return [p for p in self.all_problems() if p.row == row]

    def count(self, status: str) -> int:
        return sum(1 for p in self.planned if p.status == status)


def shown_value(key: str, value: object) -> str:
    """Return a stored value as the preview writes it."""
    if value is None or value == "":
        return "—"
    if isinstance(value, date):
        return day_text(value)
    if key == POSITION:
        return vocabulary.POSITION_LABELS[str(value)]
    if key == "standing":
        return vocabulary.STANDING_LABELS[str(value)]
    return str(value)


def differences(before: MemberData, after: MemberData) -> tuple[tuple[str, str, str], ...]:
    """Return (label, before, after) for each field the import changes."""
    changes = []
    for key in (NAME, BORN, ADMITTED, OFFICIAL, "standing", POSITION, CARD, NOTE):
        old, new = getattr(before, key), getattr(after, key)
        if key in (CARD,) and (old or None) == (new or None):
            continue
        if old != new:
            changes.append((CHANGE_LABELS[key], shown_value(key, old), shown_value(key, new)))
    return tuple(changes)


def plan_import(reading: Reading, roster: Iterable[Existing]) -> Plan:
    """Match the file's rows to the roster (card number when both have one, else name and admission date)."""
    roster = list(roster)
    current = [e for e in roster if e.retired_on is None]
    by_card = {e.data.card_number: e for e in roster if e.data.card_number}
    by_name: dict[tuple[str, date], list[Existing]] = {}
    for e in current:
        by_name.setdefault((name_key(e.data.name), e.data.admitted_on), []).append(e)
    card_header = reading.headers.get(CARD, HEADERS[CARD])
    name_header = reading.headers.get(NAME, HEADERS[NAME])
    position_header = reading.headers.get(POSITION, HEADERS[POSITION])
    problems: list[Problem] = []
    planned: list[Planned] = []
    matched: dict[int, int] = {}  # existing id -> row
    for r in reading.rows:
        if r.member is None:
            continue
        member = r.member
        found: Existing | None = None
        if member.card_number and member.card_number in by_card:
            found = by_card[member.card_number]
            if found.retired_on is not None:
                problems.append(
                    Problem(
                        msg(
                            "Số thẻ {card} là của đồng chí {name}, đã ra khỏi chi bộ ngày {day}.",
                            card=Verbatim(member.card_number),
                            name=Verbatim(found.data.name),
                            day=day_text(found.retired_on),
                        ),
                        row=r.row,
                        column=card_header,
                    )
                )
                continue
        else:
            candidates = [
                e
                for e in by_name.get((name_key(member.name), member.admitted_on), [])
                if not (member.card_number and e.data.card_number)
            ]
            found = candidates[0] if candidates else None
        if found is not None:
            if found.id in matched:
                problems.append(
                    Problem(
                        msg(
                            "Dòng {row} và dòng này cùng là đồng chí {name}.",
                            row=matched[found.id],
                            name=Verbatim(found.data.name),
                        ),
                        row=r.row,
                        column=name_header,
                    )
                )
                continue
            matched[found.id] = r.row
            member = replace(member, standing=derive_standing(member.official_on, found.data))
            planned.append(Planned(r.row, member, found.id, differences(found.data, member)))
        else:
            planned.append(Planned(r.row, member, None))
        if member.standing == Standing.PROBATIONARY and member.position in COMMITTEE_POSITIONS:
            problems.append(Problem(probationary_seat_message(member.position), row=r.row, column=position_header))
    missing = tuple(e for e in current if e.id not in matched)
    for position in SINGLE_POSITIONS:
        holders = [(p.row, p.member.name) for p in planned if p.member.position == position]
        kept = [e for e in missing if e.data.position == position]
        label = vocabulary.POSITION_LABELS[position]
        for row, _name in holders[1:]:
            problems.append(
                Problem(
                    msg(
                        "Chi bộ chỉ có một {position}: dòng {row} đã là {position} (đồng chí {name}).",
                        position=label,
                        row=holders[0][0],
                        name=Verbatim(holders[0][1]),
                    ),
                    row=row,
                    column=position_header,
                )
            )
        if holders and kept:
            problems.append(
                Problem(
                    msg(
                        "Chi bộ chỉ có một {position}: đồng chí {name} đang là {position} và không có trong tệp "
                        "nên vẫn ở trong danh sách. Đổi chức vụ của đồng chí ấy trước, hoặc thêm đồng chí ấy vào tệp.",
                        position=label,
                        name=Verbatim(kept[0].data.name),
                    ),
                    row=holders[0][0],
                    column=position_header,
                )
            )
    return Plan(reading=reading, planned=tuple(planned), missing=missing, problems=tuple(problems))


# ---------------------------------------------------------------------------
# The export


def export_rows(members: Iterable[MemberData]) -> list[list[str]]:
    """Return the export's rows, the header first: STT, Họ và tên, Ngày sinh, ... (SPEC 10)."""
    rows = [[HEADERS[key] for key in EXPORT_COLUMNS]]
    for number, m in enumerate(members, start=1):
        rows.append(
            [
                str(number),
                m.name,
                day_text(m.born_on) if m.born_on else "",
                day_text(m.admitted_on),
                day_text(m.official_on) if m.official_on else "",
                vocabulary.POSITION_LABELS[m.position],
                m.card_number or "",
                m.note,
            ]
        )
    return rows


def sheet_of(rows: Sequence[Sequence[CellValue]], first_row: int = 1) -> Sheet:
    """Return rows as a :class:`Sheet` numbered from ``first_row`` (tests and the export read back)."""
    return Sheet(rows=tuple((first_row + i, tuple(r)) for i, r in enumerate(rows)))


__all__ = [
    "Existing",
    "MemberData",
    "Plan",
    "Planned",
    "Problem",
    "Reading",
    "RowReading",
    "Sheet",
    "Unreadable",
    "export_rows",
    "member_problems",
    "plan_import",
    "read_sheet",
]
