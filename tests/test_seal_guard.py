"""Sealed means sealed at the model layer: direct ORM writes to sealed tallies are refused."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from review.counting import reopen
from review.extensions import db
from review.integrity import SealedError
from review.models import (
    AuditEntry,
    BallotCounter,
    CounterCode,
    Meeting,
    Participant,
    Seal,
    SealApproval,
    Tally,
    TallyRow,
    User,
)
from review.records import FINAL_TALLY, meeting_file, seal_meeting
from review.recording import Refused


@pytest.fixture
def sealed(app, runner, seed_path, make_user):  # type: ignore[no-untyped-def]
    """Import the seed meeting: a meeting file with a counted ballot arrives sealed."""
    result = runner.invoke(args=["meeting", "import", str(seed_path)])
    assert result.exit_code == 0, result.output
    user_id = make_user("bithu", "secretary", cell_id=1)
    with app.app_context():
        assert db.session.get(Meeting, 1).sealed
    return user_id


def final_tally(meeting: Meeting) -> Tally:
    tally = meeting.tally(FINAL_TALLY)
    assert tally is not None
    return tally


def refused(change) -> None:  # type: ignore[no-untyped-def]
    """Make ``change`` to meeting 1 and flush: the guard must refuse it and nothing be written."""
    meeting = db.session.get(Meeting, 1)
    change(meeting)
    with pytest.raises(SealedError) as raised:
        db.session.flush()
    assert "niêm phong" in raised.value.message
    assert isinstance(raised.value, Refused)  # the pages show it like any refusal
    db.session.rollback()


def snapshot() -> tuple:
    """Return what the sealed tallies hold now."""
    rows = db.session.execute(
        select(TallyRow.id, TallyRow.excellent, TallyRow.good, TallyRow.completed, TallyRow.not_completed)
        .order_by(TallyRow.id)
    ).all()
    tallies = db.session.execute(select(Tally.id, Tally.issued, Tally.returned, Tally.invalid).order_by(Tally.id)).all()
    counters = db.session.execute(select(BallotCounter.id, BallotCounter.member_id).order_by(BallotCounter.id)).all()
    return tuple(rows), tuple(tallies), tuple(counters), db.session.scalar(select(func.count()).select_from(SealApproval))


def test_direct_orm_writes_to_sealed_tallies_are_refused(app, sealed):
    with app.app_context():
        before = snapshot()

        def change_figures(meeting: Meeting) -> None:
            final_tally(meeting).issued += 1

        def change_votes(meeting: Meeting) -> None:
            final_tally(meeting).rows[0].excellent += 1

        def add_row(meeting: Meeting) -> None:
            final_tally(meeting).rows.append(TallyRow(participant=None, excellent=0))

        def drop_rows(meeting: Meeting) -> None:  # orphans deleted by the flush
            final_tally(meeting).rows.clear()

        def delete_tally(meeting: Meeting) -> None:
            db.session.delete(final_tally(meeting))

        def new_entry(meeting: Meeting) -> None:
            db.session.add(Tally(meeting_id=meeting.id, entry="first", issued=1, returned=1, invalid=0))

        def change_committee(meeting: Meeting) -> None:
            meeting.counters[0].position = 99

        def drop_committee(meeting: Meeting) -> None:
            meeting.counters.clear()

        def approve(meeting: Meeting) -> None:
            user = db.session.scalar(select(User).where(User.username == "bithu"))
            db.session.add(SealApproval(meeting_id=meeting.id, role="chief", user_id=user.id, fingerprint="0" * 64,
                                        approved_at=datetime.now()))

        def issue_code(meeting: Meeting) -> None:
            now = datetime.now()
            db.session.add(CounterCode(meeting_id=meeting.id, member_id=meeting.counters[0].member_id,
                                       code_hash="a" * 64, created_at=now, expires_at=now + timedelta(hours=1)))

        for change in (change_figures, change_votes, add_row, drop_rows, delete_tally, new_entry,
                       change_committee, drop_committee, approve, issue_code):
            refused(change)
        assert snapshot() == before


def test_reopening_unlocks_the_tallies_and_sealing_again_locks_them(app, sealed):
    with app.app_context():
        meeting = db.session.get(Meeting, 1)
        user = db.session.get(User, sealed)
        reopen(meeting, user, "Nhập nhầm số phiếu của một đồng chí.")  # removes the final tally
        db.session.commit()
        meeting = db.session.get(Meeting, 1)
        assert not meeting.sealed and meeting.tally(FINAL_TALLY) is None

        # Open: the committee can change again, directly too.
        counter = meeting.counters[-1]
        counter.position = 50
        db.session.commit()

        # The sealing transaction itself writes the final tally beside the new seal.
        meeting = db.session.get(Meeting, 1)
        mf = meeting_file(meeting)
        rows = [TallyRow(participant=p, excellent=1) for p in meeting.participants[:2]]
        meeting.tallies.append(Tally(entry=FINAL_TALLY, issued=3, returned=3, invalid=0, rows=rows))
        seal = seal_meeting(meeting, mf, chief_id=None, secretary_id=user.id)
        db.session.commit()
        assert db.session.get(Meeting, 1).sealed and seal.version == 2

        refused(lambda m: setattr(final_tally(m), "invalid", 1))
        refused(lambda m: setattr(m.counters[-1], "position", 51))

        # Both the reopening and the new seal are on the audit trail.
        logged = db.session.execute(
            select(AuditEntry.action, AuditEntry.table_name).where(AuditEntry.meeting_id == 1, AuditEntry.table_name == "seal")
        ).all()
        assert ("update", "seal") in logged and logged.count(("insert", "seal")) == 2


def test_other_meetings_and_the_record_stay_writable(app, sealed):
    """The guard covers the tallies only: the minutes' text of a sealed meeting is not part of it."""
    with app.app_context():
        participant = db.session.scalar(select(Participant).where(Participant.meeting_id == 1).limit(1))
        participant.absence_reason = "Ghi chú thêm."
        db.session.commit()
        assert db.session.get(Participant, participant.id).absence_reason == "Ghi chú thêm."
        assert db.session.scalar(select(func.count()).select_from(Seal).where(Seal.reopened_at.is_(None))) == 1


def test_a_sealed_version_is_kept_as_it_was(app, sealed):
    with app.app_context():
        def tamper(meeting: Meeting) -> None:
            meeting.seals[0].payload = meeting.seals[0].payload.replace("good", "excellent", 1)
            assert db.session.is_modified(meeting.seals[0]), "unchanged"

        def move_date(meeting: Meeting) -> None:
            meeting.seals[0].sealed_at = datetime(2020, 1, 1)

        def drop(meeting: Meeting) -> None:
            db.session.delete(meeting.seals[0])

        for change in (tamper, move_date, drop):
            refused(change)

        # Reopening is the one change a seal takes, once.
        meeting = db.session.get(Meeting, 1)
        reopen(meeting, db.session.get(User, sealed), "Nhập nhầm số phiếu của một đồng chí.")
        db.session.commit()
        refused(lambda m: setattr(m.seals[0], "reopen_reason", "Lý do khác, viết lại sau."))
        refused(lambda m: setattr(m.seals[0], "reopened_at", None))
        seal = db.session.get(Meeting, 1).seals[0]
        assert seal.reopen_reason == "Nhập nhầm số phiếu của một đồng chí." and seal.reopened_at is not None
