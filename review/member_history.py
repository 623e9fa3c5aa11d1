"""A member's levels year by year: the cell's proposal and the ward committee's decision (SPEC 9).

The shell reads what each year's seal recorded (the cell's proposal) and what the committee's
issued decision of that year decided; it decides nothing. The roster shows the last two
years of each member, the member's history page every year.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from .decisions import issued_payload, issued_seal_of
from .extensions import db
from .models import Cell, Meeting, Member, Participant, ReviewYear
from .rules import UNDECIDED
from .sealdata import read_payload


@dataclass(frozen=True)
class YearLevels:
    """One member in one year's meeting: the self-assessment, the proposal, the decision."""

    year: int
    cell: str
    meeting_id: int
    sealed: bool
    self_level: str | None = None
    self_score: int | None = None
    rated: bool | None = None  # None: not sealed yet
    not_rated_reason: str | None = None
    proposed_level: str | None = None  # a level key, "undecided", or None (not sealed, not rated)
    decided_level: str | None = None  # the committee's issued decision, or None
    decided_reason: str = ""
    decision_number: str | None = None
    decision_day: date | None = None
    decision_version: int | None = None

    @property
    def shown_level(self) -> str | None:
        """Return the decided level, or else the proposed one (see :attr:`only_proposed`)."""
        return self.decided_level or (self.proposed_level if self.proposed_level != UNDECIDED else None)

    @property
    def only_proposed(self) -> bool:
        """Return whether the level shown is the cell's proposal, the committee not having decided yet."""
        return self.decided_level is None and self.shown_level is not None


@dataclass(frozen=True)
class _Year:
    """What one meeting's seal and its year's decision say of every member (by code, by member id)."""

    sealed: bool
    results: dict[str, dict[str, Any]]
    decided: dict[str, dict[str, Any]]
    number: str | None = None
    day: date | None = None
    version: int | None = None


def _year_of(meeting: Meeting, decisions: dict[tuple[int, int], Any]) -> _Year:
    seal = meeting.current_seal
    if seal is None:
        return _Year(False, {}, {})
    document = read_payload(seal.payload) or {}
    results = {r.get("id"): r for r in (document.get("results") or {}).get("members", [])}
    key = (meeting.cell.organization_id, meeting.year)
    if key not in decisions:
        decisions[key] = issued_seal_of(*key)
    decision = decisions[key]
    if decision is None:
        return _Year(True, results, {})
    decided = {
        str(m.get("id")): m
        for c in issued_payload(decision).get("cells", [])
        if c.get("meeting_id") == meeting.id
        for m in c.get("members", [])
    }
    return _Year(True, results, decided, decision.number, decision.issued_on, decision.version)


def _levels(meeting: Meeting, participant: Participant, year: _Year, *, reviews: bool = True) -> YearLevels:
    review = participant.review if reviews else None
    result = year.results.get(participant.member.code)
    decided = year.decided.get(str(participant.member_id))
    proposed = None
    if result is not None and result.get("rated"):
        proposed = result.get("proposed_level") or UNDECIDED
    return YearLevels(
        year=meeting.year,
        cell=meeting.cell.name,
        meeting_id=meeting.id,
        sealed=year.sealed,
        self_level=review.self_level if review is not None else None,
        self_score=review.self_score if review is not None else None,
        rated=bool(result.get("rated")) if result is not None else None,
        not_rated_reason=result.get("not_rated_reason") if result is not None else None,
        proposed_level=proposed,
        decided_level=decided.get("level") if decided is not None else None,
        decided_reason=(decided.get("reason") or "") if decided is not None else "",
        decision_number=year.number if decided is not None else None,
        decision_day=year.day if decided is not None else None,
        decision_version=year.version if decided is not None else None,
    )


def _meetings(query: Any, *, reviews: bool = True) -> list[Meeting]:
    participants = selectinload(Meeting.participants)
    options: list[Any] = [selectinload(Meeting.seals), participants]
    if reviews:  # the roster has its cell's members and no need of the reviews
        options += [participants.selectinload(Participant.member), participants.selectinload(Participant.review)]
    return list(
        db.session.scalars(
            query.join(ReviewYear, Meeting.review_year_id == ReviewYear.id).options(*options).order_by(ReviewYear.year)
        )
    )


def member_history(member: Member) -> list[YearLevels]:
    """Return the member's levels in every meeting they were summoned to, oldest year first."""
    query = select(Meeting).where(Meeting.participants.any(Participant.member_id == member.id))
    decisions: dict[tuple[int, int], Any] = {}
    rows = []
    for meeting in _meetings(query):
        participant = next(p for p in meeting.participants if p.member_id == member.id)
        rows.append(_levels(meeting, participant, _year_of(meeting, decisions)))
    return rows


def recent_levels(cell: Cell, years: int = 2) -> dict[int, list[YearLevels]]:
    """Return, by member id, the members' levels in the cell's last ``years`` meetings, oldest first."""
    latest = (
        select(Meeting.id)
        .join(ReviewYear, Meeting.review_year_id == ReviewYear.id)
        .where(Meeting.cell_id == cell.id)
        .order_by(ReviewYear.year.desc())
        .limit(years)
    )
    decisions: dict[tuple[int, int], Any] = {}
    found: dict[int, list[YearLevels]] = {}
    # Without the self-assessments: the roster shows only the levels (a fixed few statements).
    for meeting in _meetings(select(Meeting).where(Meeting.id.in_(latest.scalar_subquery())), reviews=False):
        year = _year_of(meeting, decisions)
        for participant in meeting.participants:
            levels = _levels(meeting, participant, year, reviews=False)
            found.setdefault(participant.member_id, []).append(levels)
    return found
