"""Store meeting files in the database and read meetings back as meeting files."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import func, inspect, select
from sqlalchemy.orm import selectinload

from . import clock
from .database import lock_row, write_transaction
from .extensions import db
from .meetingfile import (
    PLACE_HINT,
    BallotData,
    CollectiveData,
    FeedbackEntry,
    GuestData,
    MeetingFile,
    MeetingInfo,
    MemberData,
    ReviewData,
    SecondBallotData,
    dump,
    dumps,
)
from .models import (
    AuditEntry,
    BallotCounter,
    Cell,
    CollectiveReview,
    CounterCode,
    Feedback,
    Guest,
    IndividualReview,
    Meeting,
    MeetingUpload,
    Member,
    Organization,
    Participant,
    ReviewYear,
    Seal,
    SealSummary,
    Tally,
    TallyRow,
    User,
)
from .rules import (
    CELL_ROW,
    Level,
    MeetingResult,
    Problem,
    Rules,
    SecondVotes,
    Votes,
    resolve_rules,
    rules_overrides,
)
from .seal_guard import allow_replacing
from .sealdata import covered_part, differences, fingerprint, read_payload, sealed_document, sealed_payload
from .translatable import N_, msg

FINAL_TALLY = "final"
# Tally.ballot: the single ballot or ballot 1 of two, and ballot 2 (SPEC 5.8).
FIRST_BALLOT = 1
SECOND_BALLOT = 2


class ImportRefused(Exception):
    """The meeting file conflicts with what the database holds; nothing was stored."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems


# Where a cell's meeting for the year stands, as the ward and its committee follow it.
NO_MEETING = "none"
RECORDING = "recording"
COUNTING = "counting"
SEALED = "sealed"


def meeting_state(meeting: Meeting | None) -> str:
    """Return where the cell's meeting stands: none, recording, counting or sealed."""
    if meeting is None:
        return NO_MEETING
    if meeting.sealed:
        return SEALED
    if meeting.counters or meeting.tallies:
        return COUNTING
    return RECORDING


def review_year_rules(review_year: ReviewYear) -> Rules:
    """Return the rules in force for a review year."""
    resolved, problems = resolve_rules(review_year.profile, review_year.overrides())
    if resolved is None:  # the database holds only what resolve_rules accepted
        raise ValueError(f"review year {review_year.id}: {problems}")
    return resolved


def _store_overrides(review_year: ReviewYear, rules: Rules) -> None:
    for key, value in rules_overrides(rules).items():
        setattr(review_year, key, value)


def import_meeting(mf: MeetingFile) -> Meeting:
    """Store a checked meeting file as a new meeting, all of it or nothing.

    Raise :class:`ImportRefused` when the file conflicts with the database: the cell
    already has a meeting that year, the year's rules differ, a member id belongs to
    someone else.
    """
    with write_transaction():
        return _store_meeting(mf)


def date_line_place(cell: Cell) -> str:
    """Return the place of the cell's documents' date line: its own, else its organisation's."""
    return cell.place or cell.organization.place


def _store_meeting(mf: MeetingFile, meeting_id: int | None = None) -> Meeting:
    """Add the meeting file's meeting in the current write transaction (import_meeting's body).

    ``meeting_id``: the new meeting's id, when the database would otherwise give it one used before.
    """
    problems: list[Problem] = []
    organization = db.session.scalar(select(Organization).where(Organization.name == mf.parent))
    if organization is None:
        organization = Organization(name=mf.parent, place=mf.place)
        db.session.add(organization)
    cell = None
    review_year = None
    if organization.id is not None:
        cell = db.session.scalar(select(Cell).where(Cell.organization_id == organization.id, Cell.name == mf.cell))
        review_year = db.session.scalar(
            select(ReviewYear).where(ReviewYear.organization_id == organization.id, ReviewYear.year == mf.year)
        )
    if review_year is None:
        review_year = ReviewYear(organization=organization, year=mf.year, profile=mf.rules.profile)
        _store_overrides(review_year, mf.rules)
        db.session.add(review_year)
    elif review_year_rules(review_year) != mf.rules:
        problems.append(
            Problem(
                ("rules",),
                msg(
                    "Đảng bộ đã định quy định năm {year} ({profile}), khác với tệp.",
                    year=mf.year,
                    profile=review_year.profile + "".join(f", {k}={v}" for k, v in review_year.overrides().items()),
                ),
            )
        )
    if cell is None:
        # A cell the file brings: it has a committee when the file reviews one, and its own
        # place when the file's date line is not the organisation's.
        has_committee = any(review.subject == "committee" for review in mf.collective_reviews)
        own_place = "" if mf.place == organization.place else mf.place
        cell = Cell(organization=organization, name=mf.cell, place=own_place, has_committee=has_committee)
        db.session.add(cell)
    elif review_year.id is not None:
        existing = db.session.scalar(
            select(Meeting.id).where(Meeting.cell_id == cell.id, Meeting.review_year_id == review_year.id)
        )
        if existing is not None:
            problems.append(
                Problem(("year",), msg("Chi bộ đã có hội nghị năm {year} (mã {id}).", year=mf.year, id=existing))
            )

    if cell.id is not None and date_line_place(cell) != mf.place:
        problems.append(
            Problem(
                ("organization", "place"),
                msg(
                    'Địa danh trong tệp: "{file_place}"; địa danh của chi bộ trên máy chủ: "{server_place}". {hint}',
                    file_place=mf.place,
                    server_place=date_line_place(cell),
                    hint=PLACE_HINT,
                ),
            )
        )
    roster = {m.code: m for m in cell.members} if cell.id is not None else {}
    members: dict[str, Member] = {}
    for i, data in enumerate(mf.members):
        member = roster.get(data.id)
        if member is None:
            member = new_member(cell, data)
            db.session.add(member)
        elif member.name != data.name:
            problems.append(
                Problem(
                    ("members", i, "id"),
                    msg(
                        "Mã {code} trong chi bộ là của đồng chí {member}, không phải {name}.",
                        code=data.id,
                        member=member.name,
                        name=data.name,
                    ),
                )
            )
        members[data.id] = member
    if problems:
        raise ImportRefused(problems)

    meeting = meeting_graph(mf, cell, review_year, members, meeting_id)
    db.session.add(meeting)
    db.session.flush()
    return meeting


def new_member(cell: Cell, data: MemberData) -> Member:
    """Return a new roster member of ``cell`` as a meeting file names them."""
    return Member(
        cell=cell,
        code=data.id,
        name=data.name,
        standing=data.standing,
        position=data.position,
        admitted_on=data.admitted_on,
    )


def meeting_graph(
    mf: MeetingFile, cell: Cell, review_year: ReviewYear, members: Mapping[str, Member], meeting_id: int | None = None
) -> Meeting:
    """Return the meeting file's meeting as new rows (not yet in a session): guests, participants,
    reviews with their feedback, the counted ballot and its seal.

    ``members``: the cell's member of each id in the file. The import adds the result to the
    session; the benchmark's bulk loader (bench/bulk.py) writes the same rows a table at a time.
    """
    meeting = Meeting(
        id=meeting_id,
        cell=cell,
        review_year=review_year,
        starts_at=mf.meeting.starts_at,
        ends_at=mf.meeting.ends_at,
        location=mf.meeting.location,
        chair=members.get(mf.meeting.chair) if mf.meeting.chair else None,
        minute_taker=members.get(mf.meeting.minute_taker) if mf.meeting.minute_taker else None,
        minutes_approved_by=mf.meeting.minutes_approved_by,
        roll_called_at=clock.now(),
        guests=[Guest(position=i, name=g.name, title=g.title) for i, g in enumerate(mf.meeting.guests)],
    )
    participants: dict[str, Participant] = {}
    for order, data in enumerate(mf.members):
        participant = Participant(
            member=members[data.id],
            roll_order=order,
            name=data.name,  # the meeting keeps its own copy, as the file records it
            admitted_on=data.admitted_on,
            standing=data.standing,
            position=data.position,
            attendance=data.attendance,
            absence_reason=data.absence_reason,
            exempt=data.exempt,
            suspended=data.suspended,
            temporary_elsewhere=data.temporary_elsewhere,
            sick_leave_months=data.sick_leave_months,
            disciplined_in_year=data.disciplined_in_year,
            previous_level=data.previous_level,
        )
        if data.review is not None:
            participant.review = IndividualReview(
                summary=data.review.summary,
                self_level=data.review.self_level,
                self_score=data.review.self_score,
                response=data.review.response,
                conclusion=data.review.conclusion,
                feedback=_feedback_rows(data.review.feedback, members, meeting.guests),
            )
        meeting.participants.append(participant)
        participants[data.id] = participant
    for position, data in enumerate(mf.collective_reviews):
        meeting.collective_reviews.append(
            CollectiveReview(
                subject=data.subject,
                position=position,
                report=data.report,
                self_level=data.self_level,
                conclusion=data.conclusion,
                remedy_plan=data.remedy_plan,
                feedback=_feedback_rows(data.feedback, members, meeting.guests),
            )
        )
    if mf.ballot is not None:
        _store_ballot(meeting, mf.ballot, members, participants)
    if mf.ballot is not None:
        # A meeting file carries a counted ballot: it arrives sealed, by nobody in this system.
        seal_meeting(meeting, mf, chief_id=None, secretary_id=None)
    return meeting


def _store_ballot(
    meeting: Meeting, ballot: BallotData, members: Mapping[str, Member], participants: Mapping[str, Participant]
) -> None:
    """Add a meeting file's counted ballot (both ballots under two) as the meeting's final tallies."""
    meeting.counters = [BallotCounter(member=members[ref], position=i) for i, ref in enumerate(ballot.counters)]
    meeting.tallies.append(
        Tally(
            entry=FINAL_TALLY,
            issued=ballot.issued,
            returned=ballot.returned,
            invalid=ballot.invalid,
            invalid_reasons=ballot.invalid_reasons,
            rows=[
                TallyRow(participant=None if key == CELL_ROW else participants[key], **votes.as_dict())
                for key, votes in ballot.rows.items()
            ],
        )
    )
    second = ballot.second
    if second is not None:  # ballot 2 of two (SPEC 5.8)
        meeting.tallies.append(
            Tally(
                entry=FINAL_TALLY,
                ballot=SECOND_BALLOT,
                issued=second.issued,
                returned=second.returned,
                invalid=second.invalid,
                invalid_reasons=second.invalid_reasons,
                rows=[
                    TallyRow(participant=None if key == CELL_ROW else participants[key], **votes.as_dict())
                    for key, votes in second.rows.items()
                ],
            )
        )


# ---------------------------------------------------------------------------
# A meeting file uploaded by the ward (review/ward/meeting_files.py): the same import, in the
# same transaction as the replacement of the server's meeting and the upload's record.

SEALED_ON_SERVER = N_(
    "Máy chủ đã có hội nghị năm {year} của chi bộ này và đã niêm phong kết quả (mã {id}): "
    "phải mở niêm phong hội nghị đó trước rồi mới thay bằng tệp được."
)
REASON_MISSING = N_("Tệp thay hội nghị đã có trên máy chủ: cần ghi lý do thay.")
REPLACED_MEANWHILE = N_(
    "Hội nghị năm {year} của chi bộ này (mã {id}) vừa được thay hoặc xóa trong lúc nhập: "
    "chưa lưu gì; tải tệp lên lại để xem hội nghị trên máy chủ bây giờ."
)


class _DryRun(Exception):
    """Raised at the end of a dry run, so its write transaction is rolled back."""


def export_text(meeting: Meeting) -> str:
    """Return the meeting file's JSON text as ``meeting export`` writes it: a sealed meeting as it was sealed."""
    return dumps(dump(record_file(meeting)))


def server_meeting(cell_id: int, year: int) -> Meeting | None:
    """Return the cell's meeting of ``year`` on the server, if any."""
    return db.session.scalar(
        select(Meeting)
        .join(ReviewYear, Meeting.review_year_id == ReviewYear.id)
        .where(Meeting.cell_id == cell_id, ReviewYear.year == year)
    )


def _fresh_meeting_id() -> int | None:
    """Return an id no meeting ever had, on SQLite; None on PostgreSQL (its sequence never repeats one).

    SQLite gives a new row the largest id + 1: once the replaced meeting (often the newest) is
    deleted, the new one would take its id, and the audit trail and the upload history, which
    keep the old id, would mix the two meetings.
    """
    if db.session.get_bind().dialect.name != "sqlite":
        return None
    used = (
        db.session.scalar(select(func.max(Meeting.id))),
        db.session.scalar(select(func.max(AuditEntry.meeting_id))),
        db.session.scalar(select(func.max(MeetingUpload.replaced_meeting_id))),
    )
    return max((value for value in used if value is not None), default=0) + 1


def _remove_replaced(meeting: Meeting) -> None:
    """Delete a meeting (not sealed) that an uploaded file replaces, row by row so the audit notes each."""
    allow_replacing(db.session(), meeting.id)
    for upload in db.session.scalars(select(MeetingUpload).where(MeetingUpload.meeting_id == meeting.id)):
        upload.meeting_id = None  # the history keeps the upload; its meeting is gone
    for code in db.session.scalars(select(CounterCode).where(CounterCode.meeting_id == meeting.id)):
        db.session.delete(code)
    db.session.flush()
    for account in db.session.scalars(select(User).where(User.meeting_id == meeting.id)):
        db.session.delete(account)  # one-time-code accounts of that meeting
    db.session.flush()
    db.session.delete(meeting)
    db.session.flush()  # before the new meeting of the same cell and year is inserted


def upload_meeting(
    mf: MeetingFile,
    cell_id: int,
    *,
    filename: str,
    sha256: str,
    user_id: int | None,
    reason: str | None,
    dry_run: bool = False,
) -> MeetingUpload | None:
    """Store an uploaded meeting file for ``cell_id`` and record the upload, in one transaction.

    A meeting of the same cell and year on the server is replaced, when it is not sealed and
    ``reason`` says why: its file (as ``meeting export`` writes it) is kept on the upload's
    row. Raise :class:`ImportRefused` with every problem (nothing stored). ``dry_run`` checks
    everything (the reason excepted) and stores nothing; it returns None.
    """
    try:
        with write_transaction():
            upload = _upload(mf, cell_id, filename, sha256, user_id, reason, dry_run)
            if dry_run:
                raise _DryRun()
            return upload
    except _DryRun:
        return None


def _upload(
    mf: MeetingFile,
    cell_id: int,
    filename: str,
    sha256: str,
    user_id: int | None,
    reason: str | None,
    dry_run: bool,
) -> MeetingUpload:
    replaced = server_meeting(cell_id, mf.year)
    replaced_id = replaced_file = None
    if replaced is not None:
        lock_row(Meeting, replaced.id)
        # Another upload may have replaced it while this one waited for the lock (PostgreSQL).
        if db.session.scalar(select(Meeting.id).where(Meeting.id == replaced.id)) is None:
            raise ImportRefused([Problem(("year",), msg(REPLACED_MEANWHILE, year=mf.year, id=replaced.id))])
        db.session.refresh(replaced)
        if replaced.sealed:
            raise ImportRefused([Problem(("year",), msg(SEALED_ON_SERVER, year=mf.year, id=replaced.id))])
        if not dry_run and not (reason or "").strip():
            raise ImportRefused([Problem((), REASON_MISSING)])
        replaced_id, replaced_file = replaced.id, export_text(replaced)
        fresh_id = _fresh_meeting_id()
        _remove_replaced(replaced)
    meeting = _store_meeting(mf, fresh_id if replaced is not None else None)
    upload = MeetingUpload(
        cell_id=meeting.cell_id,
        year=mf.year,
        meeting_id=meeting.id,
        uploaded_at=clock.now(),
        uploaded_by_id=user_id,
        filename=filename,
        file_sha256=sha256,
        reason=reason if replaced_id is not None else None,
        replaced_meeting_id=replaced_id,
        replaced_file=replaced_file,
    )
    db.session.add(upload)
    db.session.flush()
    return upload


def _feedback_rows(entries: list[FeedbackEntry], members: dict[str, Member], guests: list[Guest]) -> list[Feedback]:
    """Return the feedback rows of a file's entries: a member (``by``) or a guest (its position) speaks."""
    return [
        Feedback(position=i, guest=guests[e.guest], text=e.text)
        if e.guest is not None
        else Feedback(position=i, speaker=members[str(e.by)], text=e.text)
        for i, e in enumerate(entries)
    ]


def load_meeting(meeting_id: int) -> Meeting | None:
    """Return a meeting with everything a meeting file needs, in few queries."""
    return db.session.scalar(
        select(Meeting)
        .where(Meeting.id == meeting_id)
        .options(
            selectinload(Meeting.cell).selectinload(Cell.organization),
            selectinload(Meeting.review_year),
            selectinload(Meeting.guests),
            selectinload(Meeting.participants).selectinload(Participant.member),
            selectinload(Meeting.participants)
            .selectinload(Participant.review)
            .selectinload(IndividualReview.feedback)
            .selectinload(Feedback.speaker),
            selectinload(Meeting.collective_reviews)
            .selectinload(CollectiveReview.feedback)
            .selectinload(Feedback.speaker),
            selectinload(Meeting.counters).selectinload(BallotCounter.member),
            selectinload(Meeting.tallies).selectinload(Tally.rows).selectinload(TallyRow.participant),
        )
    )


def level_of(value: str | None) -> Level | None:
    """Return the level a stored value names, or None."""
    return Level(value) if value is not None else None


def _entries(feedback: list[Feedback], guests: list[Guest]) -> list[FeedbackEntry]:
    """Return stored feedback as the file's entries: a guest by its place in the meeting's guests."""
    entries = []
    for f in feedback:
        if f.speaker_id is None and f.speaker is None:
            guest = next(i for i, g in enumerate(guests) if (g.id is not None and g.id == f.guest_id) or g is f.guest)
            entries.append(FeedbackEntry(by=None, guest=guest, text=f.text))
        else:
            assert f.speaker is not None
            entries.append(FeedbackEntry(by=f.speaker.code, text=f.text))
    return entries


def _graph_loaded(meeting: Meeting) -> bool:
    """Return whether everything :func:`meeting_file` reads of ``meeting`` is loaded already."""
    if inspect(meeting).unloaded & {
        "cell",
        "review_year",
        "guests",
        "participants",
        "collective_reviews",
        "counters",
        "tallies",
    }:
        return False
    for p in meeting.participants:
        if inspect(p).unloaded & {"member", "review"} or (
            p.review is not None and "feedback" in inspect(p.review).unloaded
        ):
            return False
    return not any("rows" in inspect(t).unloaded for t in meeting.tallies)


def preload(meeting: Meeting) -> Meeting:
    """Load the meeting's whole record in a fixed number of queries, unless it is loaded (no N+1).

    Attributes already loaded, and changes not yet flushed, are left as they are.
    """
    if meeting.id is not None and not _graph_loaded(meeting):
        with db.session.no_autoflush:
            load_meeting(meeting.id)
    return meeting


def meeting_file(meeting: Meeting) -> MeetingFile:
    """Return the meeting as a meeting file (plain data for the core and the documents)."""
    preload(meeting)
    members = []
    for p in meeting.participants:
        review = None
        if p.review is not None:
            review = ReviewData(
                summary=p.review.summary,
                self_level=p.review.self_level,
                self_score=p.review.self_score,
                response=p.review.response,
                feedback=_entries(p.review.feedback, meeting.guests),
                conclusion=p.review.conclusion,
            )
        members.append(
            MemberData(
                id=p.member.code,
                name=p.name,  # the meeting's own copy: a later roster edit does not reach a sealed meeting
                standing=p.standing,
                position=p.position,
                admitted_on=p.admitted_on,
                attendance=p.attendance,
                exempt=p.exempt,
                suspended=p.suspended,
                temporary_elsewhere=p.temporary_elsewhere,
                disciplined_in_year=p.disciplined_in_year,
                sick_leave_months=p.sick_leave_months,
                previous_level=p.previous_level,
                absence_reason=p.absence_reason,
                review=review,
            )
        )
    ballot = None
    final = meeting.tally(FINAL_TALLY, FIRST_BALLOT)
    order = {p.id: i for i, p in enumerate(meeting.participants)}
    if final is not None:
        rows = sorted(final.rows, key=lambda r: order[r.participant_id] if r.participant_id else len(order))
        ballot = BallotData(
            counters=[c.member.code for c in meeting.counters],
            issued=final.issued,
            returned=final.returned,
            invalid=final.invalid,
            invalid_reasons=final.invalid_reasons,
            rows={
                (r.participant.member.code if r.participant else CELL_ROW): Votes(
                    r.excellent, r.good, r.completed, r.not_completed, r.blank
                )
                for r in rows
            },
        )
        final_second = meeting.tally(FINAL_TALLY, SECOND_BALLOT)
        if final_second is not None:
            ballot.second = second_ballot_data(final_second, order)
    organization = meeting.cell.organization
    return MeetingFile(
        parent=organization.name,
        cell=meeting.cell.name,
        place=date_line_place(meeting.cell),
        year=meeting.review_year.year,
        rules=review_year_rules(meeting.review_year),
        meeting=MeetingInfo(
            starts_at=meeting.starts_at,
            ends_at=meeting.ends_at,
            location=meeting.location,
            chair=meeting.chair.code if meeting.chair else None,
            minute_taker=meeting.minute_taker.code if meeting.minute_taker else None,
            guests=[GuestData(g.name, g.title) for g in meeting.guests],
            minutes_approved_by=meeting.minutes_approved_by,
        ),
        members=members,
        collective_reviews=[
            CollectiveData(
                subject=c.subject,
                report=c.report,
                self_level=c.self_level,
                feedback=_entries(c.feedback, meeting.guests),
                conclusion=c.conclusion,
                remedy_plan=c.remedy_plan,
            )
            for c in meeting.collective_reviews
        ],
        ballot=ballot,
    )


def second_ballot_data(tally: Tally, order: Mapping[int, int]) -> SecondBallotData:
    """Return a tally of ballot 2 as the meeting file holds it, rows in the roll's order (the cell's last)."""
    rows = sorted(tally.rows, key=lambda r: order[r.participant_id] if r.participant_id else len(order))
    return SecondBallotData(
        issued=tally.issued,
        returned=tally.returned,
        invalid=tally.invalid,
        invalid_reasons=tally.invalid_reasons,
        rows={
            (r.participant.member.code if r.participant else CELL_ROW): SecondVotes(r.agree, r.disagree, r.blank)
            for r in rows
        },
    )


def evaluate_meeting(meeting: Meeting) -> MeetingResult:
    """Return the meeting's results as the rules core computes them."""
    return meeting_file(meeting).evaluate()


def sealed_meeting_file(meeting: Meeting) -> MeetingFile:
    """Return the meeting as its seal in force fixed it, with the minutes' content as it stands now.

    What the seal covers (members as they stood at the meeting, their flags and attendance,
    the meeting's date, the ballot) comes from the seal's payload, old and new payloads alike;
    the review texts, guests, location, chair, minute-taker and closing from the current
    records. An unsealed meeting, or a payload that cannot be read, gives the current records.
    """
    current = meeting_file(meeting)
    rebuilt = rebuilt_from_seal(meeting, current)
    # A payload that cannot be read gives the current records; seal_differences says so
    # (UNREADABLE_SEAL) on the results page, in the documents and in `audit verify`.
    return rebuilt if rebuilt is not None else current


def rebuilt_from_seal(meeting: Meeting, current: MeetingFile) -> MeetingFile | None:
    """Return the meeting file its seal in force fixed, with ``current``'s minutes' content; None if unreadable."""
    from .meetingfile import dump, parse

    seal = meeting.current_seal
    sealed = read_payload(seal.payload) if seal is not None else None
    if sealed is None:
        return None
    try:
        rebuilt, _problems = parse(sealed_document(sealed, dump(current, with_results=False)), cross_checked=False)
    except (KeyError, TypeError, ValueError, AttributeError):
        return None
    return rebuilt


def record_file(meeting: Meeting) -> MeetingFile:
    """Return the meeting file the documents, pages and exports show: the sealed data when sealed."""
    return sealed_meeting_file(meeting) if meeting.sealed else meeting_file(meeting)


UNREADABLE_SEAL = N_("Bản niêm phong đã lưu không đọc được: không so sánh được với dữ liệu hiện lưu.")
BROKEN_SEAL = N_("Bản niêm phong đã lưu không còn khớp mã SHA-256 ghi khi niêm phong: chính bản niêm phong đã bị sửa.")


def seal_differences(meeting: Meeting) -> list[str]:
    """Return, in Vietnamese, every difference between what the seal in force covers and what is stored.

    Empty when nothing differs or the meeting is not sealed. The stored payload's own fingerprint
    is checked too (fingerprint(stored payload) == stored fingerprint).
    """
    seal = meeting.current_seal
    if seal is None:
        return []
    found = [] if fingerprint(seal.payload) == seal.fingerprint else [BROKEN_SEAL]
    sealed = read_payload(seal.payload)
    current = meeting_file(meeting)
    if sealed is None or rebuilt_from_seal(meeting, current) is None:
        return found + [UNREADABLE_SEAL]
    try:
        stored = covered_part(json.loads(sealed_payload(current)))
        # The organisation's and the cell's names and place are the set-up pages' to change
        # (a rename is the ward's or the administrator's act, audited); a seal keeps those it was
        # made under, which its documents print, and a later rename is no difference.
        stored["organization"] = covered_part(sealed).get("organization", stored.get("organization"))
        return found + differences(sealed, stored)
    except (KeyError, TypeError, ValueError, AttributeError):
        return found + [UNREADABLE_SEAL]


def sealed_data_problems() -> list[str]:
    """Return, for every meeting with a seal in force, each difference between its stored data and its seal."""
    meeting_ids = sorted(set(db.session.scalars(select(Seal.meeting_id).where(Seal.reopened_at.is_(None)))))
    problems = []
    for meeting_id in meeting_ids:
        meeting = load_meeting(meeting_id)
        if meeting is None or not meeting.sealed:
            continue
        where = msg(
            "Hội nghị {id} ({cell}, năm {year}), phiên bản niêm phong {version}",
            id=meeting.id,
            cell=meeting.cell.name,
            year=meeting.year,
            version=meeting.current_seal.version,
        )
        problems += [f"{where}: {line}" for line in seal_differences(meeting)]
    return problems


def seal_meeting(
    meeting: Meeting,
    mf: MeetingFile,
    chief_id: int | None,
    secretary_id: int | None,
    first_ballot_only: bool = False,
) -> Seal:
    """Add the next sealed version of ``mf`` (whose ballot is the meeting's final tally).

    ``first_ballot_only``: under two ballots, the version seals ballot 1 alone (SPEC 5.8).
    """
    payload = sealed_payload(mf)
    version = (meeting.seals[-1].version + 1) if meeting.seals else 1
    seal = Seal(
        version=version,
        payload=payload,
        fingerprint=fingerprint(payload),
        sealed_at=clock.now(),
        chief_id=chief_id,
        secretary_id=secretary_id,
        first_ballot_only=first_ballot_only,
    )
    seal.summary = summary_row(json.loads(payload)["results"])
    meeting.seals.append(seal)
    return seal


SUMMARY_COUNTS = ("excellent", "good", "completed", "not_completed", "not_rated", "undecided")


def summary_row(results: Mapping[str, Any]) -> SealSummary:
    """Return the summary row of a sealed payload's ``results`` (SPEC 8): its counts, cell row, quota."""
    summary, cell, quota = results["summary"], results["cell"], results["quota"]
    return SealSummary(
        **{key: int(summary.get(key, 0)) for key in SUMMARY_COUNTS},
        cell_vote_level=str(cell["vote_level"]),
        cell_proposed_level=str(cell["proposed_level"]),
        cell_flags=json.dumps(list(cell["flags"]), ensure_ascii=False),
        quota_pool=int(quota["pool"]),
        quota_limit=int(quota["limit"]),
        quota_excellent=int(quota["excellent"]),
    )


def summary_values(row: SealSummary) -> dict[str, Any]:
    """Return what a summary row holds, to compare two rows (``summaries rebuild``)."""
    values: dict[str, Any] = {key: getattr(row, key) for key in SUMMARY_COUNTS}
    values |= {
        "cell_vote_level": row.cell_vote_level,
        "cell_proposed_level": row.cell_proposed_level,
        "cell_flags": json.loads(row.cell_flags),
        "quota": (row.quota_pool, row.quota_limit, row.quota_excellent),
    }
    return values


def rebuild_summary_rows(
    seals: Any,
    wanted_of: Callable[[Any], Any],
    values_of: Callable[[Any], Any],
    name: Callable[[Any], str],
    *,
    repair: bool,
) -> list[str]:
    """Recompute each sealed row's ``summary`` (``wanted_of``: from its payload); return each difference.

    ``values_of``: what a summary row holds, to compare two; ``name``: how a difference names the
    sealed row. ``repair``: write the recomputed rows (inside the caller's write transaction).
    Shared by the seals' and the issued decisions' summaries.
    """
    differences = []
    for seal in seals:
        try:
            wanted = wanted_of(seal)
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            differences.append(f"{name(seal)}: its payload gives no summary ({type(error).__name__}: {error})")
            continue
        if seal.summary is None:
            differences.append(f"{name(seal)}: no summary row")
        elif values_of(seal.summary) != values_of(wanted):
            differences.append(f"{name(seal)}: stored {values_of(seal.summary)}, payload {values_of(wanted)}")
        else:
            continue
        if repair:
            if seal.summary is not None:
                db.session.delete(seal.summary)
                db.session.flush()
            seal.summary = wanted
    return differences


def rebuild_summaries(*, repair: bool) -> list[str]:
    """Recompute every seal's summary row from its payload; return each difference found."""
    return rebuild_summary_rows(
        db.session.scalars(select(Seal).options(selectinload(Seal.summary)).order_by(Seal.id)),
        lambda seal: summary_row(json.loads(seal.payload)["results"]),
        summary_values,
        lambda seal: f"seal {seal.id} (meeting {seal.meeting_id})",
        repair=repair,
    )
