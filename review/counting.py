"""The ballot counters' work: the committee, one-time codes, double entry, approvals, seals.

The imperative shell around the rules core: every check of the numbers is
``rules.check_ballot`` / ``rules.evaluate``, every comparison ``rules.compare_ballots``.
Nothing here writes to a meeting whose tallies are sealed.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
from datetime import datetime, timedelta

from sqlalchemy import select

from .extensions import db
from .integrity import SEALED_MESSAGE  # the one wording, shared with the model layer
from .meetingfile import BallotData, MeetingFile
from .models import BallotCounter, CounterCode, Meeting, Participant, Role, SealApproval, Tally, TallyRow, User
from .records import FINAL_TALLY, fingerprint, meeting_file, seal_meeting, sealed_payload
from .recording import Refused
from .text import nfc, one_line_break, text_problem
from .rules import CELL_ROW, BallotCount, Difference, MeetingResult, Standing, Votes, compare_ballots, is_voter

ENTRIES = ("first", "second")
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read out loud in a meeting room
CODE_LENGTH = 8
CODE_LIFETIME = timedelta(hours=12)
MIN_COUNTERS = 2  # two independent entries need two counters


def refuse_if_sealed(meeting: Meeting, field: str = "csrf_token") -> None:
    """Refuse any write to a meeting whose tallies are sealed."""
    if meeting.sealed:
        raise Refused(field, SEALED_MESSAGE)


# ---------------------------------------------------------------------------
# The committee (ban kiểm phiếu)


def eligible_counters(meeting: Meeting) -> list[Participant]:
    """Return the participants who may sit on the committee: official members present who vote."""
    mf = meeting_file(meeting)
    voters = {m.id for m in mf.members if is_voter(m.facts())}
    return [p for p in meeting.participants if p.member.code in voters]


def set_committee(meeting: Meeting, member_ids: list[int], chief_id: int) -> None:
    """Replace the committee: ``member_ids`` in order, the chief first."""
    refuse_if_sealed(meeting, "members")
    by_member = {p.member_id: p for p in meeting.participants}
    eligible = {p.member_id for p in eligible_counters(meeting)}
    for member_id in member_ids:
        participant = by_member.get(member_id)
        if participant is None:
            raise Refused("members", "Chỉ chọn đảng viên của hội nghị này.")
        if participant.standing != Standing.OFFICIAL.value:
            raise Refused(
                "members", f"Đồng chí {participant.member.name} là đảng viên dự bị, không được tham gia ban kiểm phiếu."
            )
        if member_id not in eligible:
            raise Refused("members", f"Đồng chí {participant.member.name} không có mặt với quyền biểu quyết.")
    if len(set(member_ids)) < MIN_COUNTERS:
        raise Refused("members", f"Ban kiểm phiếu cần ít nhất {MIN_COUNTERS} đồng chí để nhập kết quả hai lần độc lập.")
    if chief_id not in member_ids:
        raise Refused("chief", "Trưởng ban phải là một thành viên ban kiểm phiếu.")
    ordered = [chief_id] + [m for m in dict.fromkeys(member_ids) if m != chief_id]
    meeting.counters.clear()
    db.session.flush()
    for position, member_id in enumerate(ordered):
        meeting.counters.append(BallotCounter(member_id=member_id, position=position))


def chief_member_id(meeting: Meeting) -> int | None:
    """Return the chief counter's member id (trưởng ban kiểm phiếu)."""
    return meeting.counters[0].member_id if meeting.counters else None


# ---------------------------------------------------------------------------
# Who may count


def counts_for(user: User, meeting: Meeting) -> bool:
    """Return whether ``user`` is a counter of ``meeting``: own account or one-time code."""
    if Role(user.role) is not Role.COUNTER or user.cell_id != meeting.cell_id:
        return False
    if user.meeting_id is not None and user.meeting_id != meeting.id:
        return False
    return user.member_id is not None and any(c.member_id == user.member_id for c in meeting.counters)


def is_chief(user: User, meeting: Meeting) -> bool:
    """Return whether ``user`` is the chief of the meeting's committee."""
    return counts_for(user, meeting) and user.member_id == chief_member_id(meeting)


def _hash_code(code: str) -> str:
    return hashlib.sha256(code.strip().upper().replace("-", "").replace(" ", "").encode()).hexdigest()


def issue_code(meeting: Meeting, member_id: int, now: datetime | None = None) -> str:
    """Return a new one-time sign-in code for a counter of the meeting (only its hash is kept)."""
    refuse_if_sealed(meeting, "member")
    if not any(c.member_id == member_id for c in meeting.counters):
        raise Refused("member", "Chỉ cấp mã cho thành viên ban kiểm phiếu.")
    now = now or datetime.now()
    code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    db.session.add(
        CounterCode(
            meeting_id=meeting.id, member_id=member_id, code_hash=_hash_code(code),
            created_at=now, expires_at=now + CODE_LIFETIME,
        )
    )
    return f"{code[:4]}-{code[4:]}"


def redeem_code(code: str, now: datetime | None = None) -> User | None:
    """Return the meeting-scoped counter account a valid unused code opens, or None."""
    now = now or datetime.now()
    record = db.session.scalar(select(CounterCode).where(CounterCode.code_hash == _hash_code(code)))
    if record is None or record.used_at is not None or record.expires_at < now:
        return None
    meeting = record.meeting
    if meeting.sealed or not any(c.member_id == record.member_id for c in meeting.counters):
        return None
    record.used_at = now
    member = record.member
    user = db.session.scalar(
        select(User).where(User.meeting_id == meeting.id, User.member_id == member.id, User.role == Role.COUNTER.value)
    )
    if user is None:
        user = User(
            username=f"kp-{meeting.id}-{member.code}",
            display_name=member.name,
            role=Role.COUNTER.value,
            cell_id=meeting.cell_id,
            meeting_id=meeting.id,
            member_id=member.id,
        )
        user.set_password(secrets.token_urlsafe(32))  # never told to anyone: codes only
        db.session.add(user)
    user.active = True
    return user


# ---------------------------------------------------------------------------
# Double entry


def entry_of(meeting: Meeting, user: User) -> Tally | None:
    """Return the entry ``user`` typed for the meeting, if any."""
    return next((t for t in meeting.tallies if t.entry in ENTRIES and t.user_id == user.id), None)


def claim_entry(meeting: Meeting, user: User) -> Tally:
    """Return the user's entry, or the free one of the two (first, then second)."""
    existing = entry_of(meeting, user)
    if existing is not None:
        return existing
    refuse_if_sealed(meeting)
    taken = {t.entry for t in meeting.tallies}
    free = next((e for e in ENTRIES if e not in taken), None)
    if free is None:
        raise Refused("csrf_token", "Đã có hai bản nhập của hai đồng chí khác; mỗi cuộc kiểm phiếu chỉ nhập hai lần.")
    tally = Tally(entry=free, user_id=user.id)
    meeting.tallies.append(tally)
    return tally


def ballot_of(tally: Tally) -> BallotCount:
    """Return a tally as the rules core counts it, rows keyed by member code and 'cell'."""
    rows = {
        (r.participant.member.code if r.participant else CELL_ROW): Votes(
            r.excellent, r.good, r.completed, r.not_completed, r.blank
        )
        for r in tally.rows
    }
    return BallotCount(tally.issued, tally.returned, tally.invalid, rows, tally.invalid_reasons)


def save_entry(meeting: Meeting, tally: Tally, ballot: BallotCount) -> None:
    """Store a counter's entry whole, and withdraw any approval of what it replaces."""
    refuse_if_sealed(meeting)
    by_code = {p.member.code: p for p in meeting.participants}
    tally.issued, tally.returned, tally.invalid = ballot.issued, ballot.returned, ballot.invalid
    tally.invalid_reasons = ballot.invalid_reasons
    tally.updated_at = datetime.now()
    tally.rows.clear()
    db.session.flush()
    for key, votes in ballot.rows.items():
        tally.rows.append(TallyRow(participant=None if key == CELL_ROW else by_code[key], **votes.as_dict()))
    meeting.seal_approvals.clear()


def with_ballot(meeting: Meeting, ballot: BallotCount) -> MeetingFile:
    """Return the meeting file of ``meeting`` with ``ballot`` as its counted ballot."""
    mf = meeting_file(meeting)
    order = [m.id for m in mf.members] + [CELL_ROW]
    rows = {k: ballot.rows[k] for k in order if k in ballot.rows}
    rows |= {k: v for k, v in ballot.rows.items() if k not in rows}  # unknown rows: the checks name them
    mf.ballot = BallotData(
        counters=[c.member.code for c in meeting.counters],
        issued=ballot.issued, returned=ballot.returned, invalid=ballot.invalid,
        invalid_reasons=ballot.invalid_reasons, rows=rows,
    )
    return mf


def entry_result(meeting: Meeting, tally: Tally) -> MeetingResult:
    """Return the results the rules core computes from one entry, with its ballot checks."""
    return with_ballot(meeting, ballot_of(tally)).evaluate()


def differences(meeting: Meeting) -> list[Difference] | None:
    """Return where the two entries differ, or None while one of them is missing."""
    first, second = meeting.tally("first"), meeting.tally("second")
    if first is None or second is None or first.updated_at is None or second.updated_at is None:
        return None
    return compare_ballots(ballot_of(first), ballot_of(second))


# ---------------------------------------------------------------------------
# Sealing (niêm phong) and reopening


def seal_blockers(meeting: Meeting) -> list[str]:
    """Return, in Vietnamese, every reason the tallies cannot be sealed yet (none: they can)."""
    if meeting.sealed:
        return ["Đã niêm phong."]
    if len(meeting.counters) < MIN_COUNTERS:
        return ["Chưa chọn ban kiểm phiếu."]
    found = differences(meeting)
    if found is None:
        return ["Cần đủ hai bản nhập độc lập của hai thành viên ban kiểm phiếu."]
    blockers = []
    if found:
        blockers.append(f"Hai bản nhập còn khác nhau ở {len(found)} chỗ.")
    result = entry_result(meeting, meeting.tally("first"))  # type: ignore[arg-type]
    if result.ballot_problems:
        blockers.append(f"Số liệu chưa khớp: {len(result.ballot_problems)} lỗi kiểm tra.")
    if not result.quorum_met:
        blockers.append("Hội nghị không đủ số lượng đảng viên có mặt: không thể niêm phong.")
    return blockers


def candidate(meeting: Meeting) -> tuple[MeetingFile, str]:
    """Return what would be sealed now and its SHA-256 fingerprint."""
    mf = with_ballot(meeting, ballot_of(meeting.tally("first")))  # type: ignore[arg-type]
    return mf, fingerprint(sealed_payload(mf))


def approve(meeting: Meeting, user: User, role: str, shown_fingerprint: str) -> bool:
    """Record the chief's or the secretary's approval of exactly what they saw; seal when both agree.

    Return whether the tallies are now sealed.
    """
    refuse_if_sealed(meeting)
    blockers = seal_blockers(meeting)
    if blockers:
        raise Refused("csrf_token", " ".join(blockers))
    mf, current = candidate(meeting)
    if shown_fingerprint != current:
        raise Refused("csrf_token", "Số liệu vừa thay đổi: xem lại kết quả rồi xác nhận lần nữa.")
    approval = next((a for a in meeting.seal_approvals if a.role == role), None)
    if approval is None:
        approval = SealApproval(role=role, user_id=user.id, fingerprint=current, approved_at=datetime.now())
        meeting.seal_approvals.append(approval)
    else:
        approval.user_id, approval.fingerprint, approval.approved_at = user.id, current, datetime.now()
    roles = {a.role: a for a in meeting.seal_approvals if a.fingerprint == current}
    if set(roles) != {"chief", "secretary"}:
        return False
    first = meeting.tally("first")
    assert first is not None
    meeting.tallies.append(
        Tally(
            entry=FINAL_TALLY, issued=first.issued, returned=first.returned, invalid=first.invalid,
            invalid_reasons=first.invalid_reasons, updated_at=datetime.now(),
            rows=[TallyRow(participant=r.participant, excellent=r.excellent, good=r.good, completed=r.completed,
                           not_completed=r.not_completed, blank=r.blank) for r in first.rows],
        )
    )
    seal_meeting(meeting, mf, chief_id=roles["chief"].user_id, secretary_id=roles["secretary"].user_id)
    meeting.seal_approvals.clear()
    return True


MIN_REASON = 10


def reopen(meeting: Meeting, user: User, reason: str) -> None:
    """Open the seal again for a written reason; the sealed version stays on record."""
    seal = meeting.current_seal
    if seal is None:
        raise Refused("reason", "Kết quả chưa niêm phong.")
    if len(reason.strip()) < MIN_REASON:
        raise Refused("reason", f"Ghi rõ lý do mở niêm phong (ít nhất {MIN_REASON} ký tự).")
    user_id = user.id  # read before changing the seal: loading it may flush
    seal.reopened_by_id = user_id
    seal.reopen_reason = reason.strip()
    seal.reopened_at = datetime.now()
    final = meeting.tally(FINAL_TALLY)
    if final is not None:
        meeting.tallies.remove(final)


def parse_entry(form: Mapping[str, str], keys: list[str]) -> tuple[BallotCount | None, dict[str, str]]:
    """Return the entry typed in a tally form (fields ``issued``, ``rows-<key>-<level>``), or errors."""
    errors: dict[str, str] = {}

    def number(name: str) -> int:
        raw = (form.get(name) or "").strip()
        if not raw:
            errors[name] = "Nhập một số (0 nếu không có)."
            return 0
        if not raw.isascii() or not raw.isdigit() or len(raw) > 6:
            errors[name] = "Cần một số nguyên không âm."
            return 0
        return int(raw)

    issued, returned, invalid = number("issued"), number("returned"), number("invalid")
    rows = {key: Votes(**{f: number(f"rows-{key}-{f}") for f in ("excellent", "good", "completed", "not_completed", "blank")}) for key in keys}
    reasons = nfc(one_line_break(form.get("invalid_reasons") or "").strip())
    if len(reasons) > 2000:
        errors["invalid_reasons"] = "Tối đa 2000 ký tự."
    elif (problem := text_problem(reasons, multiline=True)) is not None:
        errors["invalid_reasons"] = problem
    if errors:
        return None, errors
    return BallotCount(issued, returned, invalid, rows, reasons), {}


