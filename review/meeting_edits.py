"""Changes to a meeting's record made from the pages (the imperative shell around the rules)."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import func, select

from .extensions import db
from .models import Cell, Meeting, Member, Participant, ReviewYear
from .rules import POSITION_ORDER, default_profile
from .setup_rules import new_meeting_problem
from .translatable import msg


class Refused(Exception):
    """A change the database state does not allow, with the form field to blame."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def roster_order_key(member: Member) -> tuple[int, date, int]:
    """Return the order members are summoned in: the head first, then by seniority."""
    return (POSITION_ORDER[member.position], member.admitted_on, member.id)


def review_year_for(cell: Cell, year: int) -> ReviewYear:
    """Return the ward organisation's review year, made with the year's default profile if new."""
    review_year = db.session.scalar(
        select(ReviewYear).where(ReviewYear.organization_id == cell.organization_id, ReviewYear.year == year)
    )
    if review_year is not None:
        return review_year
    profile = default_profile(year)
    if profile is None:
        raise Refused("year", msg("Chưa có quy định đánh giá, xếp loại cho năm {year}.", year=year))
    review_year = ReviewYear(organization_id=cell.organization_id, year=year, profile=profile.profile)
    db.session.add(review_year)
    return review_year


def summon(meeting: Meeting, member: Member, roll_order: int) -> Participant:
    """Add a roster member to the meeting, with their name, standing, position and admission date as of now."""
    participant = Participant(
        member=member,
        roll_order=roll_order,
        name=member.name,
        standing=member.standing,
        position=member.position,
        admitted_on=member.admitted_on,
    )
    meeting.participants.append(participant)
    return participant


def start_meeting(cell: Cell, year: int) -> Meeting:
    """Create the cell's meeting for ``year`` and summon every current member.

    Each member's previous level comes from the ward committee's issued decision of the year
    before (SPEC 9), with the decision's seal as its source; the secretary may still change it
    (the flags page), which clears the source. An archived cell (or a cell of an archived organisation) takes no new meeting (review/setup_rules.py).
    """
    problem = new_meeting_problem(cell.archived_at is not None, cell.organization.archived_at is not None)
    if problem is not None:
        raise Refused("year", problem)
    review_year = review_year_for(cell, year)
    if review_year.id is not None:
        existing = db.session.scalar(
            select(Meeting.id).where(Meeting.cell_id == cell.id, Meeting.review_year_id == review_year.id)
        )
        if existing is not None:
            raise Refused("year", msg("Chi bộ đã có hội nghị năm {year}.", year=year))
    meeting = Meeting(cell=cell, review_year=review_year, location="")
    db.session.add(meeting)
    from .decisions import previous_levels  # decisions imports this module (Refused)

    previous = previous_levels(cell.organization_id, year)
    current = [m for m in cell.members if m.retired_on is None]
    for order, member in enumerate(sorted(current, key=roster_order_key)):
        participant = summon(meeting, member, order)
        decided = previous.get(member.id)
        if decided is not None:
            participant.previous_level = decided.level
            participant.previous_level_seal = decided.seal
    db.session.flush()
    return meeting


# The member's details each meeting keeps its own copy of (Participant), as they stood at it.
COPIED_FIELDS = ("name", "standing", "position", "admitted_on")


def follow_roster_edit(open_meeting: Meeting | None, member: Member, changed: dict[str, object]) -> None:
    """Copy a roster edit of ``member`` into the meeting being recorded, if they are summoned to it.

    Each meeting keeps its own copy of the member (SPEC 5.7a): a sealed or counted meeting keeps
    what it recorded, and so does every earlier year's meeting (its record is history); only the
    meeting being recorded (the latest, its ballot not counted) follows, each change audited under
    it (its history page). Reading: only the fields the edit changes are copied, so a meeting's
    standing as it stood that year is not overwritten by an edit of the name.
    """
    if open_meeting is None or open_meeting.first_ballot_sealed:
        return
    participant = next((p for p in open_meeting.participants if p.member_id == member.id), None)
    if participant is None:
        return
    for key, value in changed.items():
        if key in COPIED_FIELDS:
            setattr(participant, key, value)


# ---------------------------------------------------------------------------
# The meeting the roster's edits follow, and the next member code and roll order
# (the roster's pages and its import, on the page and the command line, share them)

CODE = re.compile(r"m([0-9]+)", re.ASCII)


def latest_meeting(cell_id: int) -> Meeting | None:
    """Return the cell's meeting of the latest review year, or None."""
    return db.session.scalar(
        select(Meeting)
        .join(ReviewYear, Meeting.review_year_id == ReviewYear.id)
        .where(Meeting.cell_id == cell_id)
        .order_by(ReviewYear.year.desc())
        .limit(1)
    )


def is_counted(meeting: Meeting) -> bool:
    """Return whether the meeting's ballot has been counted (its final tally is recorded)."""
    from .meeting_store import FINAL_TALLY  # meeting_store imports seal_guard, which imports this module

    return any(t.entry == FINAL_TALLY for t in meeting.tallies)


def open_meeting(cell_id: int) -> Meeting | None:
    """Return the meeting being recorded: the latest one, while its ballot is not counted."""
    meeting = latest_meeting(cell_id)
    return meeting if meeting is not None and not is_counted(meeting) else None


def next_code(cell_id: int) -> str:
    """Return the next free member code of the cell: m01, m02, ..., m99, m100, ...

    Codes of members who left stay taken, so a code never names two people.
    """
    codes = db.session.scalars(select(Member.code).where(Member.cell_id == cell_id))
    numbers = [int(match.group(1)) for code in codes if (match := CODE.fullmatch(code))]
    return f"m{max(numbers, default=0) + 1:02d}"


def next_roll_order(meeting: Meeting) -> int:
    """Return the roll order after the meeting's last participant."""
    last = db.session.scalar(select(func.max(Participant.roll_order)).where(Participant.meeting_id == meeting.id))
    return 0 if last is None else last + 1
