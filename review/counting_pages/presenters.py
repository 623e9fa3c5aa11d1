"""What the counting committee's pages show: the ballot's rows, the checks named by row, the
entries and their differences, the committee's candidates, arranged as plain data.

Every number check is the rules core's (through ``review.counting``); nothing here decides
who may see a page (``review.access``) or reads the request.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import and_, or_, select

from ..counting import (
    DELETED_ACCOUNT,
    ENTRIES,
    ballot_of,
    counter_bar_of,
    differences,
    eligible_counters,
    participant_names,
    with_ballot,
)
from ..extensions import db
from ..i18n import translate
from ..meeting_store import FINAL_TALLY, SECOND_BALLOT, meeting_file
from ..models import Meeting, Participant, Role, Tally, User
from ..rules import CELL_ROW, COUNTER_BAR_LABELS, SECOND_BALLOT_FIELDS, VOTE_FIELDS, Difference, Problem
from ..vocabulary import (
    BALLOT_COUNT_LABELS,
    CELL_ROW_LABEL,
    SECOND_BALLOT_COLUMN_LABELS,
    TALLY_ENTRY_LABELS,
    VOTE_COLUMN_LABELS,
    VOTE_COLUMN_SHORT,
)

ENTRY_LABELS = TALLY_ENTRY_LABELS
CELL_LABEL = CELL_ROW_LABEL
COUNT_FIELDS = ("issued", "returned", "invalid")
COUNT_LABELS = {name: BALLOT_COUNT_LABELS[name] for name in COUNT_FIELDS}
FIELD_LABELS = VOTE_COLUMN_LABELS | SECOND_BALLOT_COLUMN_LABELS
FIELD_SHORT = VOTE_COLUMN_SHORT | SECOND_BALLOT_COLUMN_LABELS
ALL_FIELDS = VOTE_FIELDS + tuple(f for f in SECOND_BALLOT_FIELDS if f not in VOTE_FIELDS)


@dataclass(frozen=True)
class BallotRow:
    key: str  # member code, or "cell"
    name: str
    number: int | None  # the member's number on the paper; None for the cell


def ballot_rows(meeting: Meeting, ballot: int = 1) -> list[BallotRow]:
    """Return the rows of the ballot paper: the rated members in meeting order, then the cell
    (named in the request's language).

    Ballot 2 (SPEC 5.8): its candidates only, in the same order, numbered on their paper; none
    before ballot 1 is sealed (the candidates are ballot 1's sealed result).
    """
    names = {p.member.code: p.name for p in meeting.participants}  # the meeting's own copy of the names
    if ballot == SECOND_BALLOT:
        final = meeting.tally(FINAL_TALLY)
        if final is None:
            return []
        candidates = set(with_ballot(meeting, ballot_of(final)).evaluate().candidates or ())
        ordered = [p.member.code for p in meeting.participants if p.member.code in candidates]
        rows = [BallotRow(key, names[key], i) for i, key in enumerate(ordered, start=1)]
        return rows + ([BallotRow(CELL_ROW, translate(CELL_LABEL), None)] if CELL_ROW in candidates else [])
    result = meeting_file(meeting).evaluate()
    rated = [r.key for r in result.members if r.rated]
    return [BallotRow(key, names[key], i) for i, key in enumerate(rated, start=1)] + [
        BallotRow(CELL_ROW, translate(CELL_LABEL), None)
    ]


def row_label(key: str, names: dict[str, str]) -> str:
    """Return how a message names a row: "đồng chí <name>", "Tập thể chi bộ", or the raw key."""
    if key == CELL_ROW:
        return translate(CELL_LABEL)
    if key in names:
        return _("đồng chí %(name)s", name=names[key])
    return key


def describe(problems: tuple[Problem, ...] | list[Problem], rows: list[BallotRow]) -> list[dict[str, object]]:
    """Return the rules core's ballot problems as the page shows them: row, input, full message."""
    names = {r.key: r.name for r in rows if r.key != CELL_ROW}
    described: list[dict[str, object]] = []
    for index, problem in enumerate(problems):
        item: dict[str, object] = {"id": f"check-{index}", "row": None, "input": None, "path": list(problem.path)}
        if problem.path and problem.path[0] == "rows" and len(problem.path) >= 2:
            key = str(problem.path[1])
            field = str(problem.path[2]) if len(problem.path) > 2 else None
            row = row_label(key, names)
            where = (
                _("Dòng %(row)s, cột %(column)s", row=row, column=translate(FIELD_SHORT.get(field, field)))
                if field
                else _("Dòng %(row)s", row=row)
            )
            item |= {
                "row": key,
                "input": f"rows-{key}-{field}" if field else None,
                "message": _("%(where)s: %(message)s", where=where, message=translate(problem.message)),
            }
        else:
            name = str(problem.path[0]) if problem.path else ""
            item |= {"input": name if name in COUNT_FIELDS else None, "message": translate(problem.message)}
        described.append(item)
    return described


def marks(described: list[dict[str, object]]) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """Return the problem ids by row key and by input name, to mark what is wrong."""
    by_row: dict[str, list[str]] = {}
    by_input: dict[str, list[str]] = {}
    for item in described:
        if item["row"]:
            by_row.setdefault(str(item["row"]), []).append(str(item["id"]))
        if item["input"]:
            by_input.setdefault(str(item["input"]), []).append(str(item["id"]))
    return by_row, by_input


def tally_values(tally: Tally | None, rows: list[BallotRow], fields: tuple[str, ...] = VOTE_FIELDS) -> dict[str, str]:
    """Return a stored entry as the form's values; a new entry starts at 0 except issued and returned."""
    if tally is None:
        values = {"issued": "", "returned": "", "invalid": "0", "invalid_reasons": ""}
        values |= {f"rows-{r.key}-{f}": "0" for r in rows for f in fields}
        return values
    stored = {(r.participant.member.code if r.participant else CELL_ROW): r for r in tally.rows}
    values = {name: str(getattr(tally, name)) for name in COUNT_FIELDS} | {"invalid_reasons": tally.invalid_reasons}
    for row in rows:
        found = stored.get(row.key)
        for field in fields:
            values[f"rows-{row.key}-{field}"] = str(getattr(found, field)) if found is not None else ""
    return values


def entry_lines(
    tally: Tally | None, rows: list[BallotRow], fields: tuple[str, ...] = VOTE_FIELDS
) -> list[tuple[str, str]]:
    """Return a stored entry as label and text, shown after a save conflict."""
    if tally is None:
        return []
    stored = tally_values(tally, rows, fields)
    lines = [(translate(COUNT_LABELS[name]), stored[name]) for name in COUNT_FIELDS]
    for row in rows:
        votes = ", ".join(f"{translate(FIELD_SHORT[f])} {stored[f'rows-{row.key}-{f}'] or '—'}" for f in fields)
        lines.append((row.name, votes))
    if tally.invalid_reasons:
        lines.append((_("Lý do phiếu không hợp lệ"), tally.invalid_reasons))
    return lines


def as_number(text: str) -> int | None:
    text = (text or "").strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 6 else None


def figures(
    values: dict[str, str], rows: list[BallotRow], fields: tuple[str, ...] = VOTE_FIELDS
) -> tuple[int | None, dict[str, int | None]]:
    """Return the valid ballots (returned − invalid) and each row's total, where the numbers are readable."""
    returned, invalid = as_number(values.get("returned", "")), as_number(values.get("invalid", ""))
    valid = returned - invalid if returned is not None and invalid is not None else None
    totals: dict[str, int | None] = {}
    for row in rows:
        numbers = [as_number(values.get(f"rows-{row.key}-{f}", "")) for f in fields]
        totals[row.key] = sum(n for n in numbers if n is not None) if all(n is not None for n in numbers) else None
    return valid, totals


def typist(tally: Tally) -> str:
    """Return who typed an entry."""
    if tally.user is None:
        return _(DELETED_ACCOUNT)
    return account_name(tally.user, tally.meeting)


def account_name(user: User, meeting: Meeting) -> str:
    """Return the name of the member behind an account as the meeting has it, or the account's own name.

    The meeting's own copy (Participant.name), never the roster's: a member renamed after
    the seal is still named as at the meeting.
    """
    if user.member_id is not None:
        name = participant_names(meeting).get(user.member_id)
        if name is not None:
            return name
    return user.person_name  # a member not summoned to this meeting: the roster's name


# ---------------------------------------------------------------------------
# The committee


def why_not_eligible(participant: Participant) -> str:
    """Return why a participant cannot sit on the committee."""
    bar = counter_bar_of(participant)
    return translate(COUNTER_BAR_LABELS[bar]) if bar is not None else _("Không có mặt với quyền biểu quyết.")


def counter_accounts(meeting: Meeting) -> tuple[dict[int, User], dict[int, User]]:
    """Return the counters' own accounts, and the active accounts one-time codes opened for the
    meeting, each by member id (one query for both)."""
    member_ids = [c.member_id for c in meeting.counters]
    if not member_ids:
        return {}, {}
    users = db.session.scalars(
        select(User)
        .where(
            User.role == Role.COUNTER,
            User.cell_id == meeting.cell_id,
            or_(User.meeting_id.is_(None), and_(User.meeting_id == meeting.id, User.active.is_(True))),
            User.member_id.in_(member_ids),
        )
        .order_by(User.id)
    )
    own: dict[int, User] = {}
    by_code: dict[int, User] = {}
    for user in users:
        (own if user.meeting_id is None else by_code).setdefault(user.member_id, user)  # type: ignore[arg-type]
    return own, by_code


def entries_by_member(meeting: Meeting) -> dict[int, str]:
    """Return which entry each counter has typed, by member id."""
    typed: dict[int, str] = {}
    for entry in ENTRIES:
        tally = meeting.tally(entry)
        if tally is not None and tally.user is not None and tally.user.member_id is not None:
            typed[tally.user.member_id] = translate(ENTRY_LABELS[entry])
    return typed


def committee_candidates(meeting: Meeting) -> list[dict[str, object]]:
    """Return each participant as the committee page lists them: eligible, or why not."""
    eligible = {p.member_id for p in eligible_counters(meeting)}
    return [
        {
            "participant": p,
            "eligible": p.member_id in eligible,
            "why": None if p.member_id in eligible else why_not_eligible(p),
        }
        for p in meeting.participants
    ]


# ---------------------------------------------------------------------------
# Comparing the two entries


def difference_line(difference: Difference, rows: list[BallotRow]) -> dict[str, object]:
    """Return one difference as the comparison table shows it."""
    names = {r.key: r.name for r in rows}
    if difference.path[0] == "rows":
        key, field = difference.path[1], difference.path[2]
        row = names.get(key, key)
        column = translate(FIELD_LABELS.get(field, field))
        short = translate(FIELD_SHORT.get(field, field))
    else:
        row = translate(COUNT_LABELS.get(difference.path[0], difference.path[0]))
        column = short = _("Số phiếu")
    return {"row": row, "column": column, "short": short, "first": difference.first, "second": difference.second}


def difference_order(rows: list[BallotRow]):  # type: ignore[no-untyped-def]
    order = {r.key: i for i, r in enumerate(rows)}

    def key(difference: Difference) -> tuple[int, int, int]:
        if difference.path[0] != "rows":
            return (0, COUNT_FIELDS.index(difference.path[0]) if difference.path[0] in COUNT_FIELDS else 9, 0)
        field = difference.path[2]
        return (1, order.get(difference.path[1], len(order)), ALL_FIELDS.index(field) if field in ALL_FIELDS else 9)

    return key


def entry_summaries(meeting: Meeting, ballot: int = 1) -> list[dict[str, object]]:
    """Return the ballot's two entries as the comparison page heads them: saved or not, by whom, when."""
    entries = []
    for entry in ENTRIES:
        tally_ = meeting.tally(entry, ballot)
        saved = tally_ is not None and tally_.updated_at is not None
        entries.append(
            {
                "label": translate(ENTRY_LABELS[entry]),
                "saved": saved,
                "who": typist(tally_) if saved else None,  # type: ignore[arg-type]
                "when": tally_.updated_at if saved else None,  # type: ignore[union-attr]
            }
        )
    return entries


def difference_lines(meeting: Meeting, rows: list[BallotRow], ballot: int = 1) -> list[dict[str, object]] | None:
    """Return every number on which the ballot's two entries differ, in the paper's order; None without two entries."""
    found = differences(meeting, ballot)
    if found is None:
        return None
    return [difference_line(d, rows) for d in sorted(found, key=difference_order(rows))]
