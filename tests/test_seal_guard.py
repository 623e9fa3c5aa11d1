"""Sealed means sealed at the model layer: direct ORM writes to what the seal covers are refused."""

from __future__ import annotations

import html
import json
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import delete, func, select, update

from review.counting import reopen
from review.extensions import db
from review.meeting_edits import Refused
from review.meeting_store import FINAL_TALLY, meeting_file, seal_meeting
from review.models import (
    AuditEntry,
    BallotCounter,
    CollectiveReview,
    CounterCode,
    Feedback,
    Guest,
    IndividualReview,
    LoginFailure,
    Meeting,
    Member,
    Participant,
    Seal,
    SealApproval,
    Tally,
    TallyRow,
    User,
)
from review.seal_guard import SEALED_MESSAGE, BulkWriteRefused, SealedError
from review.sealdata import sealed_payload

from helpers import form_values


@pytest.fixture
def sealed(app, runner, seed_path, make_user, tmp_path):  # type: ignore[no-untyped-def]
    """Import the seed meeting with a guest: a meeting file with a counted ballot arrives sealed."""
    document = json.loads(seed_path.read_text(encoding="utf-8"))
    document["meeting"]["guests"] = [{"name": "Lê Văn Khách", "title": "Đảng ủy viên phường"}]
    path = tmp_path / "with-guest.json"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    result = runner.invoke(args=["meeting", "import", str(path)])
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
        select(TallyRow.id, TallyRow.excellent, TallyRow.good, TallyRow.completed, TallyRow.not_completed).order_by(
            TallyRow.id
        )
    ).all()
    tallies = db.session.execute(select(Tally.id, Tally.issued, Tally.returned, Tally.invalid).order_by(Tally.id)).all()
    counters = db.session.execute(select(BallotCounter.id, BallotCounter.member_id).order_by(BallotCounter.id)).all()
    return (
        tuple(rows),
        tuple(tallies),
        tuple(counters),
        db.session.scalar(select(func.count()).select_from(SealApproval)),
    )


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
            db.session.add(
                SealApproval(
                    meeting_id=meeting.id,
                    role="chief",
                    user_id=user.id,
                    fingerprint="0" * 64,
                    approved_at=datetime.now(UTC),
                )
            )

        def issue_code(meeting: Meeting) -> None:
            now = datetime.now(UTC)
            db.session.add(
                CounterCode(
                    meeting_id=meeting.id,
                    member_id=meeting.counters[0].member_id,
                    code_hash="a" * 64,
                    created_at=now,
                    expires_at=now + timedelta(hours=1),
                )
            )

        for change in (
            change_figures,
            change_votes,
            add_row,
            drop_rows,
            delete_tally,
            new_entry,
            change_committee,
            drop_committee,
            approve,
            issue_code,
        ):
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
            select(AuditEntry.action, AuditEntry.table_name).where(
                AuditEntry.meeting_id == 1, AuditEntry.table_name == "seal"
            )
        ).all()
        assert ("update", "seal") in logged and logged.count(("insert", "seal")) == 2


def sealed_fingerprint_holds() -> bool:
    """Return whether meeting 1, as the database holds it now, still gives its seal's payload."""
    db.session.expire_all()
    meeting = db.session.get(Meeting, 1)
    return sealed_payload(meeting_file(meeting)) == meeting.current_seal.payload


def payload_snapshot() -> tuple:
    """Return what the seal fingerprints of meeting 1's own rows: the meeting, its guests, its participants."""
    meeting = db.session.execute(
        select(
            Meeting.starts_at,
            Meeting.ends_at,
            Meeting.location,
            Meeting.chair_id,
            Meeting.minute_taker_id,
            Meeting.minutes_approved_by,
        ).where(Meeting.id == 1)
    ).one()
    guests = db.session.execute(select(Guest.id, Guest.position, Guest.name, Guest.title).order_by(Guest.id)).all()
    participants = db.session.execute(
        select(
            Participant.id,
            Participant.roll_order,
            Participant.standing,
            Participant.attendance,
            Participant.absence_reason,
            Participant.exempt,
            Participant.sick_leave_months,
            Participant.previous_level,
        )
        .where(Participant.meeting_id == 1)
        .order_by(Participant.id)
    ).all()
    return tuple(meeting), tuple(guests), tuple(participants)


def participant(code: str) -> Participant:
    return db.session.scalar(
        select(Participant).join(Participant.member).where(Participant.meeting_id == 1, Member.code == code)
    )


def test_direct_orm_writes_to_the_sealed_payload_are_refused(app, sealed):
    """What the seal fingerprints besides the tallies: the meeting's own columns, guests, participants."""
    with app.app_context():
        before = payload_snapshot()
        assert sealed_fingerprint_holds()

        def attendance(meeting: Meeting) -> None:
            participant("m02").attendance = "absent_excused"

        def absence_reason(meeting: Meeting) -> None:
            participant("m04").absence_reason = "Ghi chú thêm."

        def exempt(meeting: Meeting) -> None:
            participant("m05").exempt = not participant("m05").exempt

        def sick_leave(meeting: Meeting) -> None:
            participant("m06").sick_leave_months = 5

        def roll_order(meeting: Meeting) -> None:
            participant("m10").roll_order = 99

        def starts_at(meeting: Meeting) -> None:
            meeting.starts_at = meeting.starts_at + timedelta(days=1)

        def name(meeting: Meeting) -> None:
            participant("m03").name = "Tên khác"

        def admitted_on(meeting: Meeting) -> None:
            participant("m03").admitted_on = date(2020, 10, 1)

        def standing(meeting: Meeting) -> None:
            participant("m03").standing = "probationary"

        def add_participant(meeting: Meeting) -> None:
            member = Member(
                cell_id=meeting.cell_id,
                code="m99",
                name="Người mới",
                standing="official",
                position="member",
                admitted_on=date(2001, 1, 1),
            )
            meeting.participants.append(
                Participant(
                    member=member,
                    roll_order=99,
                    name="Người mới",
                    standing="official",
                    position="member",
                    admitted_on=date(2001, 1, 1),
                )
            )

        def drop_participant(meeting: Meeting) -> None:
            db.session.delete(participant("m10"))

        def drop_meeting(meeting: Meeting) -> None:
            db.session.delete(meeting)

        assert db.session.get(Meeting, 1).guests, "the seed meeting has guests"
        for change in (
            attendance,
            absence_reason,
            exempt,
            sick_leave,
            roll_order,
            starts_at,
            name,
            admitted_on,
            standing,
            add_participant,
            drop_participant,
            drop_meeting,
        ):
            refused(change)
        assert payload_snapshot() == before
        assert sealed_fingerprint_holds()


def test_review_texts_and_what_the_seal_does_not_cover_stay_writable(app, sealed):
    """The minutes' content is not in the sealed payload (SPEC 5.7a): it stays editable, and the fingerprint holds."""
    with app.app_context():
        meeting = db.session.get(Meeting, 1)
        meeting.location = "Nơi khác"
        meeting.ends_at = meeting.ends_at + timedelta(minutes=30)
        meeting.minutes_approved_by = (meeting.minutes_approved_by or 0) - 1
        meeting.chair_id = participant("m03").member_id
        meeting.guests[0].name = "Khách khác"
        meeting.guests.append(Guest(position=len(meeting.guests), name="Khách thêm", title=""))
        db.session.commit()
        assert [g.name for g in db.session.get(Meeting, 1).guests] == ["Khách khác", "Khách thêm"]
        assert sealed_fingerprint_holds()
        db.session.get(Meeting, 1).guests.pop()
        db.session.commit()
        assert sealed_fingerprint_holds()
        review = next(p.review for p in db.session.get(Meeting, 1).participants if p.review and p.review.feedback)
        review.summary = "Tóm tắt sửa sau niêm phong."
        review.feedback[0].text = "Ý kiến sửa lại."
        review_id = review.id
        collective = db.session.scalar(select(CollectiveReview).where(CollectiveReview.meeting_id == 1).limit(1))
        collective.report = "Báo cáo sửa sau niêm phong."
        meeting = db.session.get(Meeting, 1)
        meeting.roll_called_at = datetime(
            2020, 12, 20, 1, 0, tzinfo=UTC
        )  # when the roll call was typed: not in the file
        participant("m03").attendance = participant("m03").attendance  # set to what it is: no change
        db.session.commit()
        assert db.session.get(IndividualReview, review_id).summary == "Tóm tắt sửa sau niêm phong."
        assert db.session.get(IndividualReview, review_id).feedback[0].text == "Ý kiến sửa lại."
        assert sealed_fingerprint_holds()
        assert db.session.scalar(select(func.count()).select_from(Seal).where(Seal.reopened_at.is_(None))) == 1


def test_reopening_lets_the_payload_change(app, sealed):
    with app.app_context():
        meeting = db.session.get(Meeting, 1)
        reopen(meeting, db.session.get(User, sealed), "Ghi nhầm kiểm diện của một đồng chí.")
        db.session.commit()
        participant("m02").attendance = "absent_excused"
        participant("m02").absence_reason = "Ốm, có giấy."
        db.session.get(Meeting, 1).location = "Hội trường khu phố 2"
        db.session.commit()
        assert participant("m02").attendance == "absent_excused"
        assert db.session.get(Meeting, 1).location == "Hội trường khu phố 2"


def test_the_closing_of_a_sealed_meeting_is_saved_and_its_roll_call_refused_with_a_message(app, client, login, sealed):
    assert login("bithu").status_code == 302
    url = "/meetings/1/closing"
    assert client.get(url).status_code == 200
    # The closing is the minutes' content (SPEC 5.7a): saved after the seal, the fingerprint holds.
    data = form_values(client, url) | {"minutes_approved_by": "9", "ends_at": "2020-11-27T17:30"}
    response = client.post(url, data=data)
    assert response.status_code == 302, html.unescape(response.get_data(as_text=True))
    with app.app_context():
        assert db.session.get(Meeting, 1).minutes_approved_by == 9
        assert sealed_fingerprint_holds()
        before = payload_snapshot()
    # The roll call is sealed: refused, its message shown above the rows, never a 500.
    with app.app_context():
        ids = [p.id for p in db.session.get(Meeting, 1).participants]
    roll = {f"attendance_{pid}": "present" for pid in ids} | {f"reason_{pid}": "" for pid in ids}
    roll[f"attendance_{ids[1]}"], roll[f"reason_{ids[1]}"] = "absent_excused", "Ốm, có giấy."
    answer = client.post("/meetings/1/roll-call", data=form_values(client, "/meetings/1/roll-call") | roll)
    assert answer.status_code == 422
    assert f'<p class="error" role="alert">{SEALED_MESSAGE}</p>' in html.unescape(answer.get_data(as_text=True))
    with app.app_context():
        assert payload_snapshot() == before


def test_a_sealed_refusal_no_form_catches_is_a_422_page(app, client, sealed):
    """A write refused by the seal outside a form's save answers 422 with the message, not 500."""

    def tamper() -> str:
        participant("m02").attendance = "absent_unexcused"
        db.session.commit()
        return "saved"

    app.add_url_rule("/test-only/tamper", "tamper", tamper)
    response = client.get("/test-only/tamper")
    assert response.status_code == 422
    assert SEALED_MESSAGE in html.unescape(response.get_data(as_text=True))
    with app.app_context():
        assert participant("m02").attendance == "present" and sealed_fingerprint_holds()


BULK_STATEMENTS = {
    "participant attendance": lambda: update(Participant).values(attendance="absent_unexcused"),
    "participant through its table": lambda: update(Participant.__table__).values(exempt=True),
    "meeting place": lambda: update(Meeting).where(Meeting.id == 1).values(location="Nơi khác"),
    "guests": lambda: delete(Guest),
    "tally figures": lambda: update(Tally).values(issued=0),
    "tally rows": lambda: delete(TallyRow),
    "committee": lambda: delete(BallotCounter),
    "review text": lambda: update(IndividualReview).values(summary="Sửa hàng loạt."),
    "feedback": lambda: delete(Feedback),
    "seal": lambda: update(Seal).values(reopen_reason="x"),
    "member": lambda: update(Member).values(name="Tên khác"),
    "accounts": lambda: delete(User),
}


@pytest.mark.parametrize("statement", BULK_STATEMENTS.values(), ids=BULK_STATEMENTS.keys())
def test_bulk_update_and_delete_are_refused_on_audited_and_sealed_tables(app, sealed, statement):
    """Bulk statements skip the mapper events (seal guard and audit trail): the session refuses them."""
    with app.app_context():
        before = payload_snapshot(), snapshot()
        entries = db.session.scalar(select(func.count()).select_from(AuditEntry))
        with pytest.raises(BulkWriteRefused) as raised:
            db.session.execute(statement())
        assert "hàng loạt" in str(raised.value)
        db.session.rollback()
        assert (payload_snapshot(), snapshot()) == before
        assert db.session.scalar(select(func.count()).select_from(AuditEntry)) == entries
        assert db.session.scalar(select(func.count()).select_from(User)) == 1
        assert sealed_fingerprint_holds()


def test_bulk_statements_on_other_tables_still_run(app, sealed):
    """Sign-in failures are neither audited nor sealed: the throttle deletes them in bulk."""
    with app.app_context():
        db.session.add(
            LoginFailure(
                kind="password", account="x", address="127.0.0.1", failed_at=datetime.now(UTC).replace(tzinfo=None)
            )
        )
        db.session.commit()
        db.session.execute(delete(LoginFailure))
        db.session.commit()
        assert db.session.scalar(select(func.count()).select_from(LoginFailure)) == 0
        # Reading stays free too.
        assert db.session.scalar(select(func.count()).select_from(Participant)) > 0


def test_a_sealed_version_is_kept_as_it_was(app, sealed):
    with app.app_context():

        def tamper(meeting: Meeting) -> None:
            meeting.seals[0].payload = meeting.seals[0].payload.replace("good", "excellent", 1)
            assert db.session.is_modified(meeting.seals[0]), "unchanged"

        def move_date(meeting: Meeting) -> None:
            meeting.seals[0].sealed_at = datetime(2020, 1, 1, tzinfo=UTC)

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
