"""The ballot counters' work: the committee, one-time codes, double entry, approvals, seals.

The imperative shell around the rules core: every check of the numbers is
``rules.check_ballot`` / ``rules.evaluate``, every comparison ``rules.compare_ballots``.
Nothing here writes to a meeting whose tallies are sealed.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from . import clock
from .audit import SEAL_CONTEXT, audit_context
from .database import lock_row
from .extensions import db
from .i18n import translate
from .meeting_edits import Refused
from .meeting_store import FINAL_TALLY, FIRST_BALLOT, SECOND_BALLOT, meeting_file, review_year_rules, seal_meeting
from .meetingfile import BallotData, MeetingFile, SecondBallotData
from .models import (
    BallotCounter,
    CounterCode,
    Meeting,
    Organization,
    Participant,
    Role,
    Seal,
    SealApproval,
    Tally,
    TallyRow,
    User,
)
from .rules import (
    CELL_ROW,
    FIRST_BALLOT_FIELDS,
    MIN_COUNTERS,
    SECOND_BALLOT_FIELDS,
    VOTE_FIELDS,
    BallotCount,
    BallotMode,
    CounterBar,
    Difference,
    MeetingResult,
    Problem,
    SecondBallotCount,
    SecondVotes,
    Votes,
    compare_ballots,
    counter_bar,
    counter_refusal,
)
from .seal_guard import SEALED_MESSAGE  # the one wording, shared with the model layer
from .sealdata import fingerprint, sealed_payload
from .text import nfc, one_line_break, text_problem
from .translatable import N_
from .trust import Origin, Provenance, provenance

ENTRIES = ("first", "second")
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read out loud in a meeting room
CODE_LENGTH = 8
CODE_LIFETIME = timedelta(hours=12)


@dataclass(frozen=True)
class Source:
    """Where a save or an approval came from: the browser session's random id and the client's address.

    The pages take it from the request (``review.provenance.request_source``); the command
    line and the tests may leave it unknown.
    """

    sign_in_id: str | None = None
    address: str | None = None


UNKNOWN_SOURCE = Source()


def refuse_if_sealed(meeting: Meeting, field: str = "csrf_token") -> None:
    """Refuse a write to what a seal in force covers (SPEC 5.7a): once the ballot is sealed, and
    under two ballots once ballot 1 is (ballot 2 is counted over the same record)."""
    if meeting.first_ballot_sealed:
        raise Refused(field, _(SEALED_MESSAGE))


# ---------------------------------------------------------------------------
# Two ballots (SPEC 5.8): ballot 1 is counted and sealed, then ballot 2.

FIRST_BALLOT_SEALED_MESSAGE = N_(
    "Phiếu vòng 1 đã niêm phong: không thể sửa. Muốn sửa, phải mở niêm phong (mở cả vòng 2) và ghi rõ lý do."
)
SECOND_BEFORE_FIRST_MESSAGE = N_("Phiếu vòng 2 chỉ nhập được sau khi kết quả vòng 1 đã niêm phong.")
NO_SECOND_BALLOT_MESSAGE = N_("Hội nghị này bỏ phiếu một lần: không có phiếu vòng 2.")


def two_ballots(meeting: Meeting) -> bool:
    """Return whether the meeting rates in two ballots (its year's ``ballot_mode``)."""
    return review_year_rules(meeting.review_year).ballot_mode is BallotMode.TWO_PHASE


def ballot_in_progress(meeting: Meeting) -> int:
    """Return the ballot being counted or last counted: 2 once ballot 1 of two is sealed, else 1."""
    return SECOND_BALLOT if meeting.first_ballot_sealed and two_ballots(meeting) else FIRST_BALLOT


def refuse_ballot_write(meeting: Meeting, ballot: int, field: str = "csrf_token") -> None:
    """Refuse a write to a ballot's entries or approvals when that ballot cannot change now.

    The single ballot or ballot 1: refused once sealed (under two ballots, once ballot 1 is).
    Ballot 2: only under two ballots, only after ballot 1 is sealed, and not once it is sealed itself.
    """
    if ballot == FIRST_BALLOT:
        if meeting.sealed:
            raise Refused(field, _(SEALED_MESSAGE))
        if meeting.first_ballot_sealed:
            raise Refused(field, _(FIRST_BALLOT_SEALED_MESSAGE))
        return
    if not two_ballots(meeting):
        raise Refused(field, _(NO_SECOND_BALLOT_MESSAGE))
    if meeting.sealed:
        raise Refused(field, _(SEALED_MESSAGE))
    if not meeting.first_ballot_sealed:
        raise Refused(field, _(SECOND_BEFORE_FIRST_MESSAGE))


def ballot_fields(meeting: Meeting, ballot: int) -> tuple[str, ...]:
    """Return the numbers a row of the ballot's entry holds (SPEC 5.7, 5.8)."""
    if ballot == SECOND_BALLOT:
        return SECOND_BALLOT_FIELDS
    return FIRST_BALLOT_FIELDS if two_ballots(meeting) else VOTE_FIELDS


# ---------------------------------------------------------------------------
# The committee (ban kiểm phiếu)


def eligible_counters(meeting: Meeting) -> list[Participant]:
    """Return the participants who may sit on the committee: official members present who vote."""
    return [p for p in meeting.participants if counter_bar_of(p) is None]


def counter_bar_of(participant: Participant) -> CounterBar | None:
    """Return why a participant may not count the ballots, or None when they may (``rules.counter_bar``)."""
    return counter_bar(participant.standing, participant.attendance, participant.suspended)


def set_committee(meeting: Meeting, member_ids: list[int], chief_id: int) -> None:
    """Replace the committee: ``member_ids`` in order, the chief first."""
    refuse_ballot_write(meeting, FIRST_BALLOT, "members")  # one committee counts both ballots
    by_member = {p.member_id: p for p in meeting.participants}
    for member_id in member_ids:
        participant = by_member.get(member_id)
        if participant is None:
            raise Refused("members", _("Chỉ chọn đảng viên của hội nghị này."))
        bar = counter_bar_of(participant)
        if bar is not None:
            raise Refused("members", translate(counter_refusal(participant.name, bar)))
    if len(set(member_ids)) < MIN_COUNTERS:
        raise Refused(
            "members",
            ngettext(
                "Ban kiểm phiếu cần ít nhất %(num)d đồng chí để nhập kết quả hai lần độc lập.",
                "Ban kiểm phiếu cần ít nhất %(num)d đồng chí để nhập kết quả hai lần độc lập.",
                MIN_COUNTERS,
            ),
        )
    if chief_id not in member_ids:
        raise Refused("chief", _("Trưởng ban phải là một thành viên ban kiểm phiếu."))
    ordered = [chief_id] + [m for m in dict.fromkeys(member_ids) if m != chief_id]
    meeting.counters.clear()
    db.session.flush()
    for position, member_id in enumerate(ordered):
        meeting.counters.append(BallotCounter(member_id=member_id, position=position))


def participant_names(meeting: Meeting) -> dict[int, str]:
    """Return the meeting's own copy of each member's name, by member id (never the roster's:
    a sealed meeting keeps the names as they stood at the meeting)."""
    return {p.member_id: p.name for p in meeting.participants}


def chief_member_id(meeting: Meeting) -> int | None:
    """Return the chief counter's member id (trưởng ban kiểm phiếu)."""
    return meeting.counters[0].member_id if meeting.counters else None


# ---------------------------------------------------------------------------
# Who may count


def counts_for(user: User, meeting: Meeting) -> bool:
    """Return whether ``user`` is a counter of ``meeting``: own account or one-time code."""
    if user.role is not Role.COUNTER or user.cell_id != meeting.cell_id:
        return False
    if user.meeting_id is not None and user.meeting_id != meeting.id:
        return False
    if not user.active:  # a code account replaced by a re-issued code (its sessions ended too)
        return False
    return user.member_id is not None and any(c.member_id == user.member_id for c in meeting.counters)


def is_chief(user: User, meeting: Meeting) -> bool:
    """Return whether ``user`` is the chief of the meeting's committee."""
    return counts_for(user, meeting) and user.member_id == chief_member_id(meeting)


def normalized_code(code: str) -> str:
    """Return a code as it is hashed: upper case, without the dash and spaces a reader adds."""
    return code.strip().upper().replace("-", "").replace(" ", "")


def code_lookup_key(code: str) -> str:
    """Return the key that finds a code's row: an HMAC-SHA256 of the normalised code.

    The key is SECRET_KEY, used here as a pepper: without it the lookup keys say nothing,
    and what a stolen database faces without the key is ``code_hash``, a salted scrypt hash
    (as passwords). The lookup spares redeeming a scan of every code's slow hash. Changing
    SECRET_KEY makes the outstanding codes (12 hours at most) unusable: issue new ones.
    """
    secret = str(current_app.config["SECRET_KEY"]).encode("utf-8")
    return hmac.new(secret, normalized_code(code).encode("utf-8"), hashlib.sha256).hexdigest()


def issue_code(meeting: Meeting, member_id: int, now: datetime | None = None, issued_by: User | None = None) -> str:
    """Return a new one-time sign-in code for a counter of the meeting (only its hashes are kept).

    The member's earlier codes for the meeting not used yet are revoked: only the newest
    opens anything.
    """
    if meeting.sealed:  # between two ballots a counter may still need a code for ballot 2
        raise Refused("member", _(SEALED_MESSAGE))
    if not any(c.member_id == member_id for c in meeting.counters):
        raise Refused("member", _("Chỉ cấp mã cho thành viên ban kiểm phiếu."))
    now = now or clock.now()
    earlier = db.session.scalars(
        select(CounterCode).where(
            CounterCode.meeting_id == meeting.id,
            CounterCode.member_id == member_id,
            CounterCode.used_at.is_(None),
            CounterCode.revoked_at.is_(None),
        )
    )
    for record in earlier:
        record.revoked_at = now
    code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    method = current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")  # as User.set_password
    db.session.add(
        CounterCode(
            meeting_id=meeting.id,
            member_id=member_id,
            code_hash=generate_password_hash(normalized_code(code), method=method),
            lookup_key=code_lookup_key(code),
            created_at=now,
            expires_at=now + CODE_LIFETIME,
            issued_by_id=issued_by.id if issued_by is not None else None,
        )
    )
    return f"{code[:4]}-{code[4:]}"


def outstanding_codes(meeting: Meeting, now: datetime | None = None) -> dict[int, CounterCode]:
    """Return the meeting's one-time codes that still open something (not used, revoked nor
    expired), by member id: the newest of each member (issuing revokes the older ones)."""
    now = now or clock.now()
    records = db.session.scalars(
        select(CounterCode)
        .where(
            CounterCode.meeting_id == meeting.id,
            CounterCode.used_at.is_(None),
            CounterCode.revoked_at.is_(None),
        )
        .order_by(CounterCode.created_at, CounterCode.id)
    )
    return {record.member_id: record for record in records if record.expires_at >= now}  # as redeem_code reads it


def revoke_codes(meeting: Meeting, member_id: int, now: datetime | None = None) -> int:
    """Revoke the member's codes for the meeting not used yet (the audit log records it); return how many.

    An account a code has already opened is not touched here (it is the cell's accounts' to disable).
    """
    now = now or clock.now()
    records = db.session.scalars(
        select(CounterCode).where(
            CounterCode.meeting_id == meeting.id,
            CounterCode.member_id == member_id,
            CounterCode.used_at.is_(None),
            CounterCode.revoked_at.is_(None),
        )
    ).all()
    for record in records:
        record.revoked_at = now
    return len(records)


def retire_code_account(meeting: Meeting, account: User, now: datetime) -> None:
    """Replace a code account by the one a re-issued code opens: it is disabled (its sessions
    end), its entry kept for the record only (superseded), its approval withdrawn."""
    account.disable()
    superseded = False
    for tally in meeting.tallies:
        if tally.ballot == FIRST_BALLOT and meeting.first_ballot_sealed:
            continue  # a sealed ballot's entries stay as they were sealed (ballot 2 may still be counted)
        if tally.entry in ENTRIES and tally.user_id == account.id and tally.superseded_at is None:
            tally.superseded_at = now
            superseded = True
    for approval in list(meeting.seal_approvals):
        if superseded or approval.user_id == account.id:  # what was approved is not in force any more
            meeting.seal_approvals.remove(approval)


def code_account_name(meeting: Meeting, member_code: str) -> str:
    """Return a free username for a code account of the meeting: kp-<meeting>-<member>, then -2, -3..."""
    base = f"kp-{meeting.id}-{member_code}"[:56]
    taken = set(db.session.scalars(select(User.username).where(User.username.startswith(base, autoescape=True))))
    number = 1
    while (name := base if number == 1 else f"{base}-{number}") in taken:
        number += 1
    return name


def redeem_code(code: str, now: datetime | None = None) -> User | None:
    """Return the new meeting-scoped counter account a valid unused code opens, or None.

    Each code opens an account of its own: a re-issued code never hands over the account an
    earlier code opened, nor its entry; that account is retired (:func:`retire_code_account`).
    """
    now = now or clock.now()
    record = db.session.scalar(select(CounterCode).where(CounterCode.lookup_key == code_lookup_key(code)))
    if record is None or record.used_at is not None or record.revoked_at is not None or record.expires_at < now:
        return None
    if not check_password_hash(record.code_hash, normalized_code(code)):
        return None
    meeting = record.meeting
    if meeting.sealed or not any(c.member_id == record.member_id for c in meeting.counters):
        return None
    record.used_at = now
    member = record.member
    earlier = db.session.scalars(
        select(User).where(User.meeting_id == meeting.id, User.member_id == member.id, User.role == Role.COUNTER)
    ).all()
    for account in earlier:
        if account.active:
            retire_code_account(meeting, account, now)
    user = User(
        username=code_account_name(meeting, member.code),
        display_name=participant_names(meeting).get(member.id, member.name),  # as at the meeting
        role=Role.COUNTER,
        cell_id=meeting.cell_id,
        meeting_id=meeting.id,
        member_id=member.id,
        active=True,
    )
    user.set_password(secrets.token_urlsafe(32))  # never told to anyone: codes only
    db.session.add(user)
    record.account = user
    return user


# ---------------------------------------------------------------------------
# Double entry


def current_entries(meeting: Meeting, ballot: int = FIRST_BALLOT) -> list[Tally]:
    """Return the ballot's two entries in force (none superseded), first then second."""
    return [t for e in ENTRIES if (t := meeting.tally(e, ballot)) is not None]


def entry_of(meeting: Meeting, user: User, ballot: int = FIRST_BALLOT) -> Tally | None:
    """Return the entry in force ``user`` typed for the meeting's ballot, if any."""
    return next((t for t in current_entries(meeting, ballot) if t.user_id == user.id), None)


def claim_entry(meeting: Meeting, user: User, ballot: int = FIRST_BALLOT) -> Tally:
    """Return the user's entry of the ballot, or its free one of the two (first, then second).

    Holds the meeting's row first, so two first saves cannot both claim the same entry.
    """
    lock_row(Meeting, meeting.id)
    refuse_ballot_write(meeting, ballot)
    existing = entry_of(meeting, user, ballot)
    if existing is not None:
        return existing
    current = current_entries(meeting, ballot)
    if user.member_id is not None and any(t.user is not None and t.user.member_id == user.member_id for t in current):
        # The same counter through another account (their own and a code): not independent.
        raise Refused(
            "csrf_token",
            _("Đồng chí đã nhập một bản bằng tài khoản khác; hai bản nhập phải của hai đồng chí khác nhau."),
        )
    taken = {t.entry for t in current}
    free = next((e for e in ENTRIES if e not in taken), None)
    if free is None:
        raise Refused(
            "csrf_token", _("Đã có hai bản nhập của hai đồng chí khác; mỗi cuộc kiểm phiếu chỉ nhập hai lần.")
        )
    tally = Tally(entry=free, user_id=user.id, ballot=ballot)
    meeting.tallies.append(tally)
    return tally


def ballot_of(tally: Tally) -> BallotCount:
    """Return a tally of the single ballot or ballot 1 as the rules core counts it, rows keyed by member code and 'cell'."""
    rows = {
        (r.participant.member.code if r.participant else CELL_ROW): Votes(
            r.excellent, r.good, r.completed, r.not_completed, r.blank
        )
        for r in tally.rows
    }
    return BallotCount(tally.issued, tally.returned, tally.invalid, rows, tally.invalid_reasons)


def second_ballot_of(tally: Tally) -> SecondBallotCount:
    """Return a tally of ballot 2 as the rules core counts it, rows keyed by member code and 'cell'."""
    rows = {
        (r.participant.member.code if r.participant else CELL_ROW): SecondVotes(r.agree, r.disagree, r.blank)
        for r in tally.rows
    }
    return SecondBallotCount(tally.issued, tally.returned, tally.invalid, rows, tally.invalid_reasons)


def count_of(tally: Tally) -> BallotCount | SecondBallotCount:
    """Return a tally as the rules core counts it: ballot 2's, or the single ballot's / ballot 1's."""
    return second_ballot_of(tally) if tally.ballot == SECOND_BALLOT else ballot_of(tally)


def save_entry(
    meeting: Meeting, tally: Tally, ballot: BallotCount | SecondBallotCount, source: Source = UNKNOWN_SOURCE
) -> None:
    """Store a counter's entry whole with where it came from, and withdraw any approval of what it replaces."""
    refuse_ballot_write(meeting, tally.ballot)
    by_code = {p.member.code: p for p in meeting.participants}
    tally.issued, tally.returned, tally.invalid = ballot.issued, ballot.returned, ballot.invalid
    tally.invalid_reasons = ballot.invalid_reasons
    tally.updated_at = clock.now()
    tally.sign_in_id, tally.address = source.sign_in_id, source.address
    tally.rows.clear()
    db.session.flush()
    for key, votes in ballot.rows.items():
        tally.rows.append(TallyRow(participant=None if key == CELL_ROW else by_code[key], **votes.as_dict()))
    meeting.seal_approvals.clear()


def with_ballot(meeting: Meeting, ballot: BallotCount) -> MeetingFile:
    """Return the meeting file of ``meeting`` with ``ballot`` as its counted ballot (ballot 1 of two: no ballot 2)."""
    mf = meeting_file(meeting)
    order = [m.id for m in mf.members] + [CELL_ROW]
    rows = {k: ballot.rows[k] for k in order if k in ballot.rows}
    rows |= {k: v for k, v in ballot.rows.items() if k not in rows}  # unknown rows: the checks name them
    mf.ballot = BallotData(
        counters=[c.member.code for c in meeting.counters],
        issued=ballot.issued,
        returned=ballot.returned,
        invalid=ballot.invalid,
        invalid_reasons=ballot.invalid_reasons,
        rows=rows,
    )
    return mf


def with_second_ballot(meeting: Meeting, second: SecondBallotCount) -> MeetingFile:
    """Return the meeting file of ``meeting`` (ballot 1 sealed) with ``second`` as its ballot 2."""
    mf = meeting_file(meeting)
    if mf.ballot is None:
        # Ballot 1 reopened (or not sealed yet): ballot 2's entry is shown beside ballot 1's first
        # entry, read-only; with no entry of ballot 1 there are no candidates to check it against.
        first = meeting.tally("first", FIRST_BALLOT)
        if first is None or first.updated_at is None:
            return mf
        mf = with_ballot(meeting, ballot_of(first))
        assert mf.ballot is not None
    order = [m.id for m in mf.members] + [CELL_ROW]
    rows = {k: second.rows[k] for k in order if k in second.rows}
    rows |= {k: v for k, v in second.rows.items() if k not in rows}  # unknown rows: the checks name them
    mf.ballot.second = SecondBallotData(
        issued=second.issued,
        returned=second.returned,
        invalid=second.invalid,
        invalid_reasons=second.invalid_reasons,
        rows=rows,
    )
    return mf


def entry_file(meeting: Meeting, tally: Tally) -> MeetingFile:
    """Return the meeting file with one entry as its ballot (ballot 2's entry beside the sealed ballot 1)."""
    if tally.ballot == SECOND_BALLOT:
        return with_second_ballot(meeting, second_ballot_of(tally))
    return with_ballot(meeting, ballot_of(tally))


def entry_result(meeting: Meeting, tally: Tally) -> MeetingResult:
    """Return the results the rules core computes from one entry, with its ballot checks."""
    return entry_file(meeting, tally).evaluate()


def entry_problems(result: MeetingResult, ballot: int) -> tuple[Problem, ...]:
    """Return the checks of one ballot's entry (SPEC 5.7, 5.8): ballot 2's, or the single / ballot 1's."""
    return result.second_ballot_problems if ballot == SECOND_BALLOT else result.ballot_problems


def differences(meeting: Meeting, ballot: int = FIRST_BALLOT) -> list[Difference] | None:
    """Return where the ballot's two entries differ, or None while one of them is missing."""
    first, second = meeting.tally("first", ballot), meeting.tally("second", ballot)
    if first is None or second is None or first.updated_at is None or second.updated_at is None:
        return None
    return compare_ballots(count_of(first), count_of(second))


# ---------------------------------------------------------------------------
# Sealing (niêm phong) and reopening


def seal_blockers(meeting: Meeting) -> list[str]:
    """Return, in the request's language, every reason the ballot in progress cannot be sealed yet (none: it can)."""
    if meeting.sealed:
        return [_("Đã niêm phong.")]
    if len(meeting.counters) < MIN_COUNTERS:
        return [_("Chưa chọn ban kiểm phiếu.")]
    ballot = ballot_in_progress(meeting)
    found = differences(meeting, ballot)
    if found is None:
        return [_("Cần đủ hai bản nhập độc lập của hai thành viên ban kiểm phiếu.")]
    blockers = []
    if found:
        blockers.append(
            ngettext(
                "Hai bản nhập còn khác nhau ở %(num)d chỗ.", "Hai bản nhập còn khác nhau ở %(num)d chỗ.", len(found)
            )
        )
    result = entry_result(meeting, meeting.tally("first", ballot))  # type: ignore[arg-type]
    problems = entry_problems(result, ballot)
    if problems:
        blockers.append(
            ngettext(
                "Số liệu chưa khớp: %(num)d lỗi kiểm tra.", "Số liệu chưa khớp: %(num)d lỗi kiểm tra.", len(problems)
            )
        )
    if not result.quorum_met:
        blockers.append(_("Hội nghị không đủ số lượng đảng viên có mặt: không thể niêm phong."))
    return blockers


def candidate(meeting: Meeting) -> tuple[MeetingFile, str]:
    """Return what would be sealed now (the ballot in progress) and its SHA-256 fingerprint."""
    mf = entry_file(meeting, meeting.tally("first", ballot_in_progress(meeting)))  # type: ignore[arg-type]
    return mf, fingerprint(sealed_payload(mf))


def approve(meeting: Meeting, user: User, role: str, shown_fingerprint: str, source: Source = UNKNOWN_SOURCE) -> bool:
    """Record the chief's or the secretary's approval of exactly what they saw, with where it came
    from; seal when both agree, the seal keeping its provenance and warnings (``review.trust``).

    Under two ballots this seals ballot 1 first, then (a new version covering both) ballot 2.
    Return whether the ballot in progress is now sealed. Holds the meeting's row first (sealing
    and the year's rules queue up on it).
    """
    lock_row(Meeting, meeting.id)
    refuse_ballot_write(meeting, ballot_in_progress(meeting))
    blockers = seal_blockers(meeting)
    if blockers:
        raise Refused("csrf_token", " ".join(blockers))
    mf, current = candidate(meeting)
    if shown_fingerprint != current:
        raise Refused("csrf_token", _("Số liệu vừa thay đổi: xem lại kết quả rồi xác nhận lần nữa."))
    approval = next((a for a in meeting.seal_approvals if a.role == role), None)
    if approval is None:
        approval = SealApproval(role=role, user_id=user.id, fingerprint=current, approved_at=clock.now())
        meeting.seal_approvals.append(approval)
    else:
        approval.user_id, approval.fingerprint, approval.approved_at = user.id, current, clock.now()
    approval.user = user
    approval.sign_in_id, approval.address = source.sign_in_id, source.address
    roles = {a.role: a for a in meeting.seal_approvals if a.fingerprint == current}
    if set(roles) != {"chief", "secretary"}:
        return False
    with audit_context(db.session, SEAL_CONTEXT):  # the final tally and the seal: written by the sealing
        _seal(meeting, mf, roles)
    return True


def _seal(meeting: Meeting, mf: MeetingFile, roles: dict[str, SealApproval]) -> None:
    """Copy the ballot's first entry as its final tally and seal what both approved."""
    ballot = ballot_in_progress(meeting)
    recorded = meeting_provenance(meeting, list(roles.values()), ballot)
    first = meeting.tally("first", ballot)
    assert first is not None
    meeting.tallies.append(
        Tally(
            entry=FINAL_TALLY,
            ballot=ballot,
            issued=first.issued,
            returned=first.returned,
            invalid=first.invalid,
            invalid_reasons=first.invalid_reasons,
            updated_at=clock.now(),
            rows=[
                TallyRow(
                    participant=r.participant,
                    excellent=r.excellent,
                    good=r.good,
                    completed=r.completed,
                    not_completed=r.not_completed,
                    blank=r.blank,
                    agree=r.agree,
                    disagree=r.disagree,
                )
                for r in first.rows
            ],
        )
    )
    seal = seal_meeting(
        meeting,
        mf,
        chief_id=roles["chief"].user_id,
        secretary_id=roles["secretary"].user_id,
        # Ballot 1 with no candidate (no one reached good): no ballot 2 is held, the seal covers all.
        first_ballot_only=two_ballots(meeting) and ballot == FIRST_BALLOT and mf.evaluate().awaiting_second_ballot,
    )
    seal.provenance = recorded.to_json()
    meeting.seal_approvals.clear()


# ---------------------------------------------------------------------------
# Provenance: where the entries and the approvals came from (the rules: review.trust)


# The name an entry or approval shows once its account is deleted (kept in a seal's provenance:
# translated where a page shows it).
DELETED_ACCOUNT = N_("(tài khoản đã xóa)")


def origin(account: User | None, sign_in_id: str | None, address: str | None, at: datetime | None) -> Origin:
    """Return the origin of an entry or approval made by ``account``, with the code that opened it."""
    if account is None:
        return Origin(account_id=None, account_name=DELETED_ACCOUNT, sign_in=sign_in_id, address=address, at=at)
    code = None
    if account.meeting_id is not None:
        code = db.session.scalar(select(CounterCode).where(CounterCode.account_id == account.id))
    issuer = code.issued_by if code is not None else None
    return Origin(
        account_id=account.id,
        account_name=account.person_name,  # one name on every page: the linked member's
        username=account.username,
        member_id=account.member_id,
        via_code=account.meeting_id is not None,
        code_issued_by=code.issued_by_id if code is not None else None,
        code_issued_by_name=issuer.person_name if issuer is not None else "",
        sign_in=sign_in_id,
        address=address,
        at=at,
    )


def meeting_provenance(
    meeting: Meeting, approvals: list[SealApproval] | None = None, ballot: int | None = None
) -> Provenance:
    """Return where the entries in force of a ballot (default: the one in progress) and its
    approvals (default: all recorded) came from, with the warnings they raise."""
    ballot = ballot_in_progress(meeting) if ballot is None else ballot
    entries = {
        t.entry: origin(t.user, t.sign_in_id, t.address, t.updated_at)
        for t in current_entries(meeting, ballot)
        if t.updated_at is not None
    }
    approved = {
        a.role: origin(a.user, a.sign_in_id, a.address, a.approved_at)
        for a in (meeting.seal_approvals if approvals is None else approvals)
    }
    return provenance(entries, approved)


def seal_provenance(seal: Seal) -> Provenance | None:
    """Return what a seal recorded of its provenance, or None (a meeting file's seal, or an older one)."""
    return Provenance.from_json(seal.provenance) if seal.provenance else None


def seal_warning_count(seal: Seal) -> int:
    """Return how many warnings a seal recorded (0 for a seal without provenance)."""
    recorded = seal_provenance(seal)
    return len(recorded.warnings) if recorded is not None else 0


MIN_REASON = 10


def reopen(meeting: Meeting, user: User, reason: str) -> int:
    """Open the seal again for a written reason; the sealed version stays on record.

    Holds the meeting's row first; return the version reopened.
    """
    # The organisation's row first, as the committee's issue takes it (review.decisions.issue):
    # a reopening and an issue resting on this seal never pass each other.
    lock_row(Organization, meeting.cell.organization_id)
    lock_row(Meeting, meeting.id)
    seal = meeting.current_seal
    if seal is None:
        raise Refused("reason", _("Kết quả chưa niêm phong."))
    if len(reason.strip()) < MIN_REASON:
        raise Refused(
            "reason",
            ngettext(
                "Ghi rõ lý do mở niêm phong (ít nhất %(num)d ký tự).",
                "Ghi rõ lý do mở niêm phong (ít nhất %(num)d ký tự).",
                MIN_REASON,
            ),
        )
    # An issued committee decision rests on this seal: it is reopened first (SPEC 9). Imported
    # here: review.decisions reads the ward's overview, which reads this module.
    from .decisions import refuse_reopening_under_decision

    refuse_reopening_under_decision(meeting)
    user_id = user.id  # read before changing the seal: loading it may flush
    now = clock.now()
    # Under two ballots reopening ballot 1 reopens ballot 2 too: every version in force is
    # reopened (ballot 1's and the one covering both), and both final tallies go.
    for in_force in [s for s in meeting.seals if s.reopened_at is None]:
        in_force.reopened_by_id = user_id
        in_force.reopen_reason = reason.strip()
        in_force.reopened_at = now
    for final in [t for t in meeting.tallies if t.entry == FINAL_TALLY]:
        meeting.tallies.remove(final)
    return seal.version


def parse_entry(
    form: Mapping[str, str], keys: list[str], fields: tuple[str, ...] = VOTE_FIELDS
) -> tuple[BallotCount | SecondBallotCount | None, dict[str, str]]:
    """Return the entry typed in a tally form (fields ``issued``, ``rows-<key>-<field>``), or errors.

    ``fields``: a row's numbers (ballot_fields): the single ballot's, ballot 1's (no excellent) or
    ballot 2's (agree, disagree, blank), which gives a SecondBallotCount.
    """
    errors: dict[str, str] = {}

    def number(name: str) -> int:
        raw = (form.get(name) or "").strip()
        if not raw:
            errors[name] = _("Nhập một số (0 nếu không có).")
            return 0
        if not raw.isascii() or not raw.isdigit() or len(raw) > 6:
            errors[name] = _("Cần một số nguyên không âm.")
            return 0
        return int(raw)

    issued, returned, invalid = number("issued"), number("returned"), number("invalid")
    typed = {key: {f: number(f"rows-{key}-{f}") for f in fields} for key in keys}
    reasons = nfc(one_line_break(form.get("invalid_reasons") or "").strip())
    if len(reasons) > 2000:
        errors["invalid_reasons"] = _("Tối đa %(max)d ký tự.", max=2000)
    elif (problem := text_problem(reasons, multiline=True)) is not None:
        errors["invalid_reasons"] = translate(problem)
    if errors:
        return None, errors
    if fields == SECOND_BALLOT_FIELDS:
        second_rows = {key: SecondVotes(**values) for key, values in typed.items()}
        return SecondBallotCount(issued, returned, invalid, second_rows, reasons), {}
    rows = {key: Votes(**values) for key, values in typed.items()}
    return BallotCount(issued, returned, invalid, rows, reasons), {}
