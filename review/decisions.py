"""The ward committee's decision, in the database: gather, record choices, issue, reopen (SPEC 9).

The shell around ``review.decision_rules``: it reads each cell's sealed results (the seal's
payload: what the cell proposed) and the committee's recorded choices, asks the rules core,
and stores what the committee decides. Every write holds the decision's row first
(``lock_row``), so two committee members saving at once are serialised, and a save carries
the version of the row it was loaded with (``review.versioning``): the second save over a
changed choice is refused showing the other's choice.

A refusal (``Refused``) carries its message in the interface's language: the rules core's
Vietnamese messages are translated here (``review.i18n.translate``), as this module's own are.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from . import clock
from .database import lock_row
from .decision_rules import (
    NOT_RATED,
    NUMBER_MESSAGE,
    PLACE_NAME,
    Allowance,
    Assessment,
    CellCase,
    CellState,
    Choice,
    DecisionPaper,
    Issue,
    MemberCase,
    allowance_problems,
    assess,
    basis_token,
    choice_problem,
    clean_reason,
    date_problem,
    name_problem,
    normalize_number,
    not_reviewed_problem,
    paper,
    payload_document,
    reopen_problem,
    with_choices,
)
from .extensions import db
from .i18n import translate, when_text
from .meeting_edits import Refused
from .meeting_store import (
    COUNTING,
    NO_MEETING,
    RECORDING,
    SEALED,
    level_of,
    meeting_state,
    rebuild_summary_rows,
    review_year_rules,
)
from .models import (
    Cell,
    CellDecision,
    Decision,
    DecisionSeal,
    DecisionSummary,
    Meeting,
    MemberDecision,
    Organization,
    Participant,
    ReviewSubject,
    ReviewYear,
    Seal,
    User,
)
from .rules import LEVELS, Level, Rules, default_profile
from .sealdata import canonical_payload, fingerprint, read_payload
from .translatable import N_
from .versioning import check_version

STATES = {
    NO_MEETING: CellState.NO_MEETING,
    RECORDING: CellState.RECORDING,
    COUNTING: CellState.COUNTING,
    SEALED: CellState.SEALED,
}

ISSUED_MESSAGE = N_(
    "Quyết định đã ban hành (số %(number)s, phiên bản %(version)s): muốn sửa, đảng ủy mở lại quyết định trước, "
    "ghi rõ lý do."
)
BASIS_MESSAGE = N_(
    "Kết quả của các chi bộ vừa thay đổi (một chi bộ niêm phong, mở niêm phong hoặc được ghi không đánh giá): "
    "chưa ban hành. Tải lại trang, xem lại rồi ban hành."
)
RESTING_MESSAGE = N_(
    "Đảng ủy đã ban hành Quyết định số %(number)s (phiên bản %(version)s) dựa trên kết quả niêm phong này: "
    "muốn mở niêm phong, đảng ủy mở lại quyết định trước."
)


@dataclass(frozen=True)
class Gathered:
    """One organisation's year as the committee decides it: the cases, the rules, the assessment."""

    organization: Organization
    year: int
    rules: Rules
    decision: Decision | None
    cells: tuple[CellCase, ...]
    allowance: Allowance | None
    assessment: Assessment
    latest_meeting_day: date | None  # the last day a cell of the year met (a decision's date is not before it)
    member_rows: dict[int, MemberDecision]  # the committee's recorded choices, by member id
    cell_rows: dict[int, CellDecision]  # by cell id

    @property
    def issued_seal(self) -> DecisionSeal | None:
        return self.decision.current_seal if self.decision is not None else None

    def cell(self, cell_id: int) -> CellCase | None:
        return next((c for c in self.cells if c.key == str(cell_id)), None)

    def member(self, member_id: int) -> tuple[CellCase, MemberCase] | None:
        for cell in self.cells:
            for member in cell.members:
                if member.key == str(member_id):
                    return cell, member
        return None


def year_rules(organization: Organization, year: int) -> tuple[ReviewYear | None, Rules | None]:
    """Return the organisation's review year (if stored) and the rules in force for it."""
    review_year = db.session.scalar(
        select(ReviewYear).where(ReviewYear.organization_id == organization.id, ReviewYear.year == year)
    )
    rules = review_year_rules(review_year) if review_year is not None else default_profile(year)
    return review_year, rules


def decision_of(organization_id: int, year: int) -> Decision | None:
    """Return the organisation's decision for the year, if the committee started one."""
    return db.session.scalar(
        select(Decision)
        .where(Decision.organization_id == organization_id, Decision.year == year)
        # Read again, not from the session's identity map: after a lock, the row as committed.
        .execution_options(populate_existing=True)
        .options(
            selectinload(Decision.member_decisions),
            selectinload(Decision.cell_decisions),
            selectinload(Decision.seals),
        )
    )


def _sealed_case(cell: Cell, meeting: Meeting, seal: Seal) -> CellCase:
    """Return a sealed cell's case: its members as sealed, their proposals, their self-assessments."""
    document = read_payload(seal.payload) or {}
    results = document.get("results") or {}
    by_code = {p.member.code: p for p in meeting.participants}
    result_of = {r.get("id"): r for r in results.get("members", [])}
    members = []
    for sealed_member in document.get("members", []):
        code = sealed_member.get("id")
        participant = by_code.get(code)
        if participant is None:
            continue  # the seal keeps every member; a participant row cannot go while it stands
        result = result_of.get(code) or {}
        review = participant.review
        members.append(
            MemberCase(
                key=str(participant.member_id),
                name=sealed_member.get("name") or participant.name,
                rated=bool(result.get("rated")),
                not_rated_reason=result.get("not_rated_reason"),
                self_level=review.self_level if review is not None else None,
                self_score=review.self_score if review is not None else None,
                proposed_level=level_of(result.get("proposed_level")),
                flags=tuple(result.get("flags") or ()),
            )
        )
    cell_result = results.get("cell") or {}
    collective = next((r for r in meeting.collective_reviews if r.subject is ReviewSubject.CELL), None)
    return CellCase(
        key=str(cell.id),
        name=cell.name,
        state=CellState.SEALED,
        members=tuple(members),
        proposed_level=level_of(cell_result.get("proposed_level")),
        has_cell_vote=cell_result.get("vote_level") is not None,
        flags=tuple(cell_result.get("flags") or ()),
        self_level=collective.self_level if collective is not None else None,
        meeting_id=meeting.id,
        seal_version=seal.version,
        seal_fingerprint=seal.fingerprint,
    )


def gather(organization: Organization, year: int) -> Gathered:
    """Return the organisation's year for the committee: every cell, with the choices it recorded."""
    review_year, rules = year_rules(organization, year)
    if rules is None:
        raise Refused("year", _("Năm %(year)s không có quy định đánh giá nào áp dụng.", year=year))
    decision = decision_of(organization.id, year)
    meetings: dict[int, Meeting] = {}
    if review_year is not None:
        query = (
            select(Meeting)
            .where(Meeting.review_year_id == review_year.id)
            .options(
                selectinload(Meeting.seals),
                selectinload(Meeting.counters),
                selectinload(Meeting.tallies),
                selectinload(Meeting.collective_reviews),
                selectinload(Meeting.participants).selectinload(Participant.member),
                selectinload(Meeting.participants).selectinload(Participant.review),
            )
        )
        meetings = {m.cell_id: m for m in db.session.scalars(query)}
    cells = db.session.scalars(select(Cell).where(Cell.organization_id == organization.id)).all()
    member_rows = {row.member_id: row for row in decision.member_decisions} if decision is not None else {}
    cell_rows = {row.cell_id: row for row in decision.cell_decisions} if decision is not None else {}
    cases = []
    for cell in sorted(cells, key=lambda c: c.name):  # code point order, the same on every database
        meeting = meetings.get(cell.id)
        if meeting is None and cell.archived_at is not None:
            continue  # an archived cell without a meeting that year is not one of the year's cells
        state = STATES[meeting_state(meeting)]
        seal = meeting.current_seal if meeting is not None else None
        if state is CellState.SEALED and meeting is not None and seal is not None:
            case = _sealed_case(cell, meeting, seal)
        else:
            case = CellCase(key=str(cell.id), name=cell.name, state=state, meeting_id=meeting and meeting.id)
        row = cell_rows.get(cell.id)
        member_choices = {
            m.key: Choice(
                member_rows[int(m.key)].level,
                member_rows[int(m.key)].reason,
                stale=member_rows[int(m.key)].proposed_level != m.proposed_level,
            )
            for m in case.members
            if int(m.key) in member_rows
        }
        cell_choice = (
            Choice(row.level, row.reason, stale=row.proposed_level != case.proposed_level)
            if row is not None and row.level is not None and case.sealed
            else None
        )
        case = with_choices(case, member_choices, cell_choice, row.not_reviewed_reason if row is not None else None)
        cases.append(case)
    allowance = None
    if decision is not None and decision.allowance_number and decision.allowance_date:
        allowance = Allowance(decision.allowance_number, decision.allowance_date)
    days = [m.starts_at.date() for m in meetings.values() if m.starts_at is not None]
    return Gathered(
        organization=organization,
        year=year,
        rules=rules,
        decision=decision,
        cells=tuple(cases),
        allowance=allowance,
        assessment=assess(cases, rules, allowance),
        latest_meeting_day=max(days) if days else None,
        member_rows=member_rows,
        cell_rows=cell_rows,
    )


# ---------------------------------------------------------------------------
# Recording the committee's choices


def _locked_decision(organization: Organization, year: int) -> Decision:
    """Return the year's decision row, created if missing, held for the transaction."""
    lock_row(Organization, organization.id)  # serialises the creation of the row too
    decision = decision_of(organization.id, year)
    if decision is None:
        decision = Decision(organization_id=organization.id, year=year, place=organization.place)
        db.session.add(decision)
        db.session.flush()
    else:
        lock_row(Decision, decision.id)
        db.session.refresh(decision)
    seal = decision.current_seal
    if seal is not None:
        raise Refused("decision", _(ISSUED_MESSAGE, number=seal.number, version=seal.version))
    return decision


# The version check of a form's choice: ``CHECK_NONE`` skips it (many choices at once, no form).
CHECK_NONE = object()


def _choose_member(
    gathered: Gathered,
    decision: Decision,
    member_id: int,
    level: Level | None,
    reason: str,
    version: Any,
    user: User | None,
) -> None:
    """Check and record the committee's level for one rated member of ``gathered``."""
    found = gathered.member(member_id)
    if found is None or not found[1].rated or not found[0].in_decision:
        raise Refused("level", _("Đảng viên này không thuộc danh sách xếp loại của quyết định."))
    member = found[1]
    row = gathered.member_rows.get(member_id)
    if version is not CHECK_NONE:
        check_version(row, version, lambda: _member_choice_text(row))
    problem = choice_problem(member.proposed_level, level, reason)
    if problem is not None:
        raise Refused("reason" if level is not None else "level", translate(problem))
    _record_choice(
        row, lambda: MemberDecision(decision=decision, member_id=member_id), member.proposed_level, level, reason, user
    )


def _choose_cell(
    gathered: Gathered,
    decision: Decision,
    cell_id: int,
    level: Level | None,
    reason: str,
    version: Any,
    user: User | None,
) -> None:
    """Check and record the committee's level for one sealed cell of ``gathered``."""
    cell = gathered.cell(cell_id)
    if cell is None or not cell.in_decision:
        raise Refused("level", _("Chi bộ này chưa niêm phong kết quả hoặc đã ghi là không đánh giá năm nay."))
    row = gathered.cell_rows.get(cell_id)
    if version is not CHECK_NONE:
        check_version(row, version, lambda: _cell_choice_text(row))
    problem = choice_problem(cell.proposed_level, level, reason)
    if problem is not None:
        raise Refused("reason" if level is not None else "level", translate(problem))
    _record_choice(
        row, lambda: CellDecision(decision=decision, cell_id=cell_id), cell.proposed_level, level, reason, user
    )


def choose_member_level(
    organization: Organization,
    year: int,
    member_id: int,
    level: Level | None,
    reason: str,
    version: str | None,
    user: User | None,
) -> None:
    """Record the committee's level for one rated member (``version``: the choice's, as the form was loaded).

    A level equal to the cell's proposal goes back to the default (the row is removed). Raises ``Refused`` (field ``level`` or ``reason``) or ``versioning.Conflict``.
    """
    decision = _locked_decision(organization, year)
    _choose_member(gather(organization, year), decision, member_id, level, reason, version, user)


def _record_choice(
    row: MemberDecision | CellDecision | None,
    new_row: Callable[[], MemberDecision | CellDecision],
    proposed: Level | None,
    level: Level | None,
    reason: str,
    user: User | None,
) -> None:
    """Store a checked choice on its row: a level equal to the proposal is the default (no row kept)."""
    if level is None or level == proposed:
        if row is not None:
            db.session.delete(row)
        return
    if row is None:
        row = new_row()
        db.session.add(row)
    row.level = level
    row.reason = clean_reason(reason)
    row.proposed_level = proposed  # what the choice was made against (a later re-seal makes it stale)
    row.decided_at = clock.now()
    row.decided_by_id = user.id if user is not None else None


def choose_cell_level(
    organization: Organization,
    year: int,
    cell_id: int,
    level: Level | None,
    reason: str,
    version: str | None,
    user: User | None,
) -> None:
    """Record the committee's level for one sealed cell as an organisation (as for a member)."""
    decision = _locked_decision(organization, year)
    _choose_cell(gather(organization, year), decision, cell_id, level, reason, version, user)


def choose_levels(
    organization: Organization,
    year: int,
    members: Mapping[int, Level],
    cells: Mapping[int, Level],
    reason: str,
    user: User | None,
) -> None:
    """Record many of the committee's choices at once (members and cells by id), each checked as
    :func:`choose_member_level` and :func:`choose_cell_level` check one, under one gathering.

    For the command line and the benchmarks' generator (no page version to check). Raises
    ``Refused`` at the first choice that cannot be recorded; the caller's transaction then stores none.
    """
    decision = _locked_decision(organization, year)
    gathered = gather(organization, year)
    for member_id, level in members.items():
        _choose_member(gathered, decision, member_id, level, reason, CHECK_NONE, user)
    for cell_id, level in cells.items():
        _choose_cell(gathered, decision, cell_id, level, reason, CHECK_NONE, user)


def record_not_reviewed(
    organization: Organization, year: int, cell_id: int, reason: str | None, version: str | None, user: User | None
) -> None:
    """Record a cell as not reviewed this year, with a reason (None: withdraw the record)."""
    decision = _locked_decision(organization, year)
    gathered = gather(organization, year)
    cell = gathered.cell(cell_id)
    if cell is None:
        raise Refused("reason", _("Chi bộ này không thuộc đảng bộ trong năm."))
    if cell.sealed and reason is not None:
        raise Refused(
            "reason",
            _(
                "Chi bộ đã niêm phong kết quả: Đảng ủy quyết định mức của chi bộ và đảng viên, "
                "không ghi là không đánh giá."
            ),
        )
    row = gathered.cell_rows.get(cell_id)
    check_version(row, version, lambda: _cell_choice_text(row))
    if reason is None:
        if row is not None:
            if row.level is None:
                db.session.delete(row)
            else:
                row.not_reviewed_reason = None
        return
    problem = not_reviewed_problem(reason)
    if problem is not None:
        raise Refused("reason", translate(problem))
    if row is None:
        row = CellDecision(decision=decision, cell_id=cell_id)
        db.session.add(row)
    row.not_reviewed_reason = clean_reason(reason)
    row.decided_at = clock.now()
    row.decided_by_id = user.id if user is not None else None


def set_allowance(
    organization: Organization, year: int, number: str | None, day: date | None, version: str | None
) -> None:
    """Record (or, with no number, remove) the committee's decision allowing the higher ratio.

    ``version``: the decision's, as the form was loaded (checked under the lock). Raises
    ``Refused`` naming the field, or ``versioning.Conflict``.
    """
    lock_row(Organization, organization.id)
    stored = decision_of(organization.id, year)
    check_version(stored, version, lambda: _allowance_text(stored))
    decision = _locked_decision(organization, year)
    if not (number or "").strip() and day is None:
        decision.allowance_number = None
        decision.allowance_date = None
        return
    rules = year_rules(organization, year)[1]
    assert rules is not None
    problems = allowance_problems(rules, number or "", day, clock.today())
    if problems:
        field, message = next(iter(problems.items()))
        raise Refused(field, translate(message))
    decision.allowance_number = normalize_number(number)
    decision.allowance_date = day


def _allowance_text(decision: Decision | None) -> list[tuple[str, str]]:
    label = _("Quyết định cho phép nâng tỉ lệ")
    if decision is None or not decision.allowance_number:
        return [(label, _("(chưa ghi)"))]
    day = when_text(decision.allowance_date) if decision.allowance_date else ""
    return [(label, _("Số %(number)s ngày %(day)s", number=decision.allowance_number, day=day))]


def _level_texts(row: MemberDecision | CellDecision) -> list[tuple[str, str]]:
    """Return a recorded choice as a conflict shows it: the level decided and the reason."""
    from .vocabulary import LEVEL_LABELS

    return [
        (_("Mức đảng ủy quyết định"), translate(LEVEL_LABELS[row.level])),
        (_("Lý do"), row.reason or _("(không ghi)")),
    ]


def _member_choice_text(row: MemberDecision | None) -> list[tuple[str, str]]:
    if row is None:
        return [(_("Mức đảng ủy quyết định"), _("theo đề nghị của chi bộ"))]
    return _level_texts(row)


def _cell_choice_text(row: CellDecision | None) -> list[tuple[str, str]]:
    if row is None:
        return [(_("Mức đảng ủy quyết định"), _("theo đề nghị của chi bộ"))]
    texts = []
    if row.not_reviewed_reason is not None:
        texts.append((_("Không đánh giá năm nay"), row.not_reviewed_reason))
    if row.level is not None:
        texts += _level_texts(row)
    return texts


# ---------------------------------------------------------------------------
# Issuing and reopening


def issue_problems(
    gathered: Gathered, number: str, day: date | None, place: str, signer: str, title: str | None
) -> dict[str, str]:
    """Return the problems of the issue form's fields, by field name (empty: the header is good).

    The messages are in the interface's language.
    """
    problems: dict[str, str] = {}
    if normalize_number(number) is None:
        problems["number"] = translate(NUMBER_MESSAGE)
    problem = date_problem(day, gathered.latest_meeting_day, clock.today())
    if problem is not None:
        problems["issued_on"] = translate(problem)
    problem = name_problem(place, PLACE_NAME)
    if problem is not None:
        problems["place"] = translate(problem)
    problem = name_problem(signer)
    if problem is not None:
        problems["signer_name"] = translate(problem)
    if title not in ("secretary", "deputy_secretary"):
        problems["signer_title"] = _("Chọn chức vụ người ký: Bí thư hoặc Phó Bí thư.")
    return problems


def issue(
    organization: Organization,
    year: int,
    header: Issue,
    user: User | None,
    version: str | None,
    basis: str | None = None,
) -> DecisionSeal:
    """Issue the decision: seal what it decides under the header, as a new version (SPEC 9).

    ``version``: the decision row's version as the page was loaded (a choice saved meanwhile
    by another committee member refuses the issue: the page must show what is issued);
    ``basis``: the page's :func:`decision_rules.basis_token` (a cell sealed or reopened
    meanwhile refuses it too; None, the command line: what is current). The header is checked
    again here, under the lock.
    Raises ``Refused`` (field ``decision``) naming every reason it cannot be issued.
    """
    lock_row(Organization, organization.id)  # counting.reopen takes it too, before the meeting's row
    check_version(decision_of(organization.id, year), version)  # before the row is made: a new one is version 0
    decision = _locked_decision(organization, year)
    gathered = gather(organization, year)
    if basis is not None and basis != basis_token(gathered.cells):
        raise Refused("decision", _(BASIS_MESSAGE))
    problems = issue_problems(
        gathered, header.number, header.day, header.place, header.signer_name, str(header.signer_title)
    )
    if problems:
        field, message = next(iter(problems.items()))
        raise Refused(field, message)
    if gathered.assessment.blockers:
        raise Refused("decision", " ".join(translate(b.text) for b in gathered.assessment.blockers))
    decision.number = header.number
    decision.issued_on = header.day
    decision.place = header.place
    decision.signer_name = header.signer_name
    decision.signer_title = header.signer_title
    document = payload_document(
        organization=organization.name,
        superior=organization.superior,
        year=year,
        rules=gathered.rules,
        allowance=gathered.allowance,
        issue=header,
        cells=gathered.cells,
    )
    text = canonical_payload(document)
    seal = DecisionSeal(
        decision=decision,
        version=(decision.seals[-1].version + 1) if decision.seals else 1,
        payload=text,
        fingerprint=fingerprint(text),
        number=header.number,
        issued_on=header.day,
        issued_at=clock.now(),
        issued_by_id=user.id if user is not None else None,
    )
    seal.summary = decision_summary_row(json.loads(text))
    db.session.add(seal)
    decision.version += 1  # the issue changes the decision (the page's version must move)
    db.session.flush()
    return seal


DECIDED_LEVELS = tuple(str(level) for level in LEVELS)


def decision_summary_row(document: Mapping[str, Any]) -> DecisionSummary:
    """Return the summary row of an issued decision's payload: members and cells decided at each level."""
    members, cells = document["members"], document["cell_levels"]
    return DecisionSummary(
        **{f"member_{level}": int(members.get(level, 0)) for level in DECIDED_LEVELS},
        member_not_rated=int(members.get(NOT_RATED, 0)),
        **{f"cell_{level}": int(cells.get(level, 0)) for level in DECIDED_LEVELS},
    )


def decision_summary_values(row: DecisionSummary) -> dict[str, int]:
    """Return what a decision summary row holds, to compare two rows (``summaries rebuild``)."""
    return {
        column.name: getattr(row, column.name)
        for column in DecisionSummary.__table__.c
        if column.name != "decision_seal_id"
    }


def rebuild_decision_summaries(*, repair: bool) -> list[str]:
    """Recompute every issued decision's summary row from its payload; return each difference found."""
    return rebuild_summary_rows(
        db.session.scalars(select(DecisionSeal).options(selectinload(DecisionSeal.summary)).order_by(DecisionSeal.id)),
        lambda seal: decision_summary_row(json.loads(seal.payload)),
        decision_summary_values,
        lambda seal: f"decision seal {seal.id} (decision {seal.decision_id})",
        repair=repair,
    )


def reopen(organization: Organization, year: int, reason: str, user: User | None) -> int:
    """Reopen the issued decision for a written reason; the issued version stays on record. Return its version."""
    lock_row(Organization, organization.id)
    decision = decision_of(organization.id, year)
    seal = decision.current_seal if decision is not None else None
    if decision is None or seal is None:
        raise Refused("reason", _("Quyết định chưa ban hành."))
    lock_row(Decision, decision.id)
    problem = reopen_problem(reason)
    if problem is not None:
        raise Refused("reason", translate(problem))
    seal.reopen_reason = clean_reason(reason)
    seal.reopened_at = clock.now()
    seal.reopened_by_id = user.id if user is not None else None
    decision.version += 1
    return seal.version


def issued_payload(seal: DecisionSeal) -> dict[str, Any]:
    """Return an issued version's payload document."""
    document = read_payload(seal.payload)
    if document is None:
        raise ValueError(f"decision seal {seal.id}: unreadable payload")
    return document


def decision_paper(organization: Organization, year: int) -> DecisionPaper:
    """Return what the committee's documents print: the issued version, or else a draft of the current state."""
    gathered = gather(organization, year)
    seal = gathered.issued_seal
    if seal is not None:
        return paper(issued_payload(seal), draft=False, version=seal.version, fingerprint=seal.fingerprint)
    decision = gathered.decision
    header = None
    if decision is not None and decision.issued_on is not None and decision.signer_title is not None:
        header = Issue(decision.number, decision.issued_on, decision.place, decision.signer_name, decision.signer_title)
    document = payload_document(
        organization=organization.name,
        superior=organization.superior,
        year=year,
        rules=gathered.rules,
        allowance=gathered.allowance,
        issue=header,
        cells=gathered.cells,
    )
    document = json.loads(canonical_payload(document))  # the same plain data an issued one reads back
    if header is None:
        document["issue"] = {"place": (decision.place if decision is not None else "") or organization.place}
    return paper(document, draft=True)


# ---------------------------------------------------------------------------
# What rests on an issued decision


def issued_seal_of(organization_id: int, year: int) -> DecisionSeal | None:
    """Return the organisation's issued decision for the year (its version in force), or None.

    One query (the roster and the history pages ask it for each year they show): the latest
    version, in force unless it was reopened (``Decision.current_seal``).
    """
    latest = db.session.scalar(
        select(DecisionSeal)
        .join(Decision, DecisionSeal.decision_id == Decision.id)
        .where(Decision.organization_id == organization_id, Decision.year == year)
        .order_by(DecisionSeal.version.desc())
        .limit(1)
    )
    return latest if latest is not None and latest.reopened_at is None else None


def resting_on(meeting: Meeting) -> DecisionSeal | None:
    """Return the issued decision that rests on the meeting's seal in force, or None.

    While it stands, the seal cannot be reopened: the committee reopens its decision first.
    """
    seal = issued_seal_of(meeting.cell.organization_id, meeting.year)
    if seal is None:
        return None
    current = meeting.current_seal
    if current is None:
        return None
    document = issued_payload(seal)
    rests = any(
        c.get("meeting_id") == meeting.id and c.get("seal_version") == current.version and c.get("level") is not None
        for c in document.get("cells", [])
    )
    return seal if rests else None


def refuse_reopening_under_decision(meeting: Meeting) -> None:
    """Refuse to reopen a meeting's seal while an issued decision rests on it (``Refused``, field ``reason``)."""
    seal = resting_on(meeting)
    if seal is not None:
        raise Refused("reason", _(RESTING_MESSAGE, number=seal.number, version=seal.version))


@dataclass(frozen=True)
class PreviousLevel:
    """A member's level decided by the previous year's issued decision."""

    level: Level
    seal: DecisionSeal


def previous_levels(organization_id: int, year: int) -> dict[int, PreviousLevel]:
    """Return, by member id, each member's level in the organisation's issued decision of ``year - 1``."""
    seal = issued_seal_of(organization_id, year - 1)
    if seal is None:
        return {}
    found: dict[int, PreviousLevel] = {}
    for cell in issued_payload(seal).get("cells", []):
        for member in cell.get("members", []):
            level = level_of(member.get("level"))
            if level is not None and str(member.get("id", "")).isdigit():
                found[int(member["id"])] = PreviousLevel(level, seal)
    return found
