"""Who reviews themselves at the meeting, and in which order: asked of the rules core.

The imperative shell around :mod:`review.rules`: it reads the meeting as a meeting file,
asks the core who takes part in the self-criticism (``is_reviewed``), why the others do
not (``not_rated_reason``), and sorts the reviewed by ``review_order_key`` (the head first).
"""

from __future__ import annotations

from dataclasses import dataclass

from .meeting_store import meeting_file
from .models import Meeting, Participant
from .rules import (
    NOT_RATED_LABELS,
    Rules,
    has_committee,
    is_reviewed,
    not_rated_reason,
    review_order_key,
)


@dataclass(frozen=True)
class Agenda:
    """The self-criticism part of one meeting."""

    rules: Rules
    reviewed: tuple[Participant, ...]  # in SPEC 1.4's order: the head first
    not_rated: dict[int, str]  # participant id -> why they are not rated (reviewed or not)
    not_reviewed: tuple[tuple[Participant, str], ...]  # with the reason, in the same order
    has_committee: bool

    def position_of(self, participant: Participant) -> int | None:
        """Return the participant's index in the review order, or None if they do not review."""
        ids = [p.id for p in self.reviewed]
        return ids.index(participant.id) if participant.id in ids else None

    def after(self, participant: Participant) -> Participant | None:
        """Return the member who reviews after ``participant``, or None after the last."""
        index = self.position_of(participant)
        if index is None or index + 1 >= len(self.reviewed):
            return None
        return self.reviewed[index + 1]

    def before(self, participant: Participant) -> Participant | None:
        """Return the member who reviews before ``participant``, or None for the first."""
        index = self.position_of(participant)
        if not index:
            return None
        return self.reviewed[index - 1]


def agenda(meeting: Meeting) -> Agenda:
    """Return who reviews themselves at ``meeting``, in order, and who does not and why."""
    mf = meeting_file(meeting)
    day = mf.meeting_day
    participants = list(meeting.participants)
    reviewed: list[Participant] = []
    skipped: list[tuple[Participant, str]] = []
    not_rated: dict[int, str] = {}
    for participant, data in zip(participants, mf.members, strict=True):
        facts = data.facts()
        reason = not_rated_reason(facts, day)
        if reason is not None:
            not_rated[participant.id] = NOT_RATED_LABELS[reason]
        if is_reviewed(facts, day, mf.rules):
            reviewed.append(participant)
        else:
            assert reason is not None  # the core reviews everyone it rates
            skipped.append((participant, NOT_RATED_LABELS[reason]))

    def order(p: Participant) -> tuple[int, int]:
        return review_order_key(p.position, p.roll_order)

    return Agenda(
        rules=mf.rules,
        reviewed=tuple(sorted(reviewed, key=order)),
        not_rated=not_rated,
        not_reviewed=tuple(sorted(skipped, key=lambda item: order(item[0]))),
        has_committee=has_committee((p.position for p in participants), declared=meeting.cell.has_committee),
    )
