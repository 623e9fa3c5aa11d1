"""Routes of the roster: the cell's members, and each member's standing for the review year."""

from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from .. import clock, upload_stash
from ..access import (
    editable_cell,
    editable_meeting,
    editable_member,
    may_edit_cell,
    may_view_cell,
    meeting_participant,
    records_required,
    secretary_required,
)
from ..downloads import download
from ..extensions import db
from ..form_saving import acting_user, loaded_version, save_form
from ..i18n import translate, when_text
from ..layout import frozen_notice
from ..meeting_edits import (
    COPIED_FIELDS,
    Refused,
    follow_roster_edit,
    is_counted,
    latest_meeting,
    next_code,
    next_roll_order,
    open_meeting,
    roster_order_key,
    summon,
)
from ..meeting_store import meeting_file
from ..meetingfile import POSITION_LABELS
from ..member_history import member_history, recent_levels
from ..models import Cell, IndividualReview, Meeting, Member, Participant, ReviewYear, Seal, TallyRow
from ..roster_files import CSV_TYPE, MAX_BYTES, XLSX_TYPE, FileRefused
from ..roster_sheet import CHANGE_LABELS, HEADERS, POSITION, Plan, Problem, shown_value
from ..rules import LEVEL_LABELS, NOT_RATED_LABELS, MeetingResult, Position
from ..text import day_text
from ..translatable import N_
from ..versioning import check_version
from ..vocabulary import DECISION_SOURCE, UNDECIDED_LABEL
from . import bp
from .forms import (
    SINGLE_POSITIONS,
    STANDING_LABELS,
    FlagsForm,
    MemberForm,
    RetireForm,
    RosterConfirmForm,
    RosterUploadForm,
    position_taken_message,
)
from .importing import ImportRefused, export_bytes, import_file, read_plan, template_bytes

# ---------------------------------------------------------------------------
# Queries


def participations(member: Member) -> list[tuple[Meeting, Participant]]:
    """Return every meeting the member was summoned to, with their participant row, oldest year first."""
    rows = db.session.execute(
        select(Meeting, Participant)
        .join(Participant, Participant.meeting_id == Meeting.id)
        .join(ReviewYear, Meeting.review_year_id == ReviewYear.id)
        .where(Participant.member_id == member.id)
        .options(selectinload(Meeting.seals).defer(Seal.payload), selectinload(Meeting.review_year))
        .order_by(ReviewYear.year)
    ).all()
    return [(meeting, participant) for meeting, participant in rows]


def sealed_copies(member: Member) -> list[dict[str, object]]:
    """Return the meetings that keep the member's details as they stood then, and what they keep.

    Every meeting but the one being recorded (``meeting_edits.follow_roster_edit``): the sealed or
    counted ones, and earlier years'.
    """
    kept = []
    following = open_meeting(member.cell_id)
    for meeting, p in participations(member):
        if following is not None and meeting.id == following.id:
            continue
        differing = [
            f"{label}: {shown}"
            for key, label, shown in (
                ("name", _("họ và tên"), p.name),
                ("standing", _("đảng viên"), translate(STANDING_LABELS.get(p.standing, p.standing)).lower()),
                ("position", _("chức vụ"), translate(POSITION_LABELS[p.position])),
                ("admitted_on", _("ngày vào Đảng"), day_text(p.admitted_on)),
            )
            if getattr(p, key) != getattr(member, key)
        ]
        kept.append({"year": meeting.year, "meeting_id": meeting.id, "differing": differing})
    return kept


def participant_of(meeting: Meeting, member: Member) -> Participant | None:
    """Return the member as summoned to the meeting, or None."""
    return db.session.scalar(
        select(Participant).where(Participant.meeting_id == meeting.id, Participant.member_id == member.id)
    )


def position_holder(cell_id: int, position: Position, except_member_id: int | None) -> Member | None:
    """Return the current member (other than ``except_member_id``) holding ``position``."""
    query = select(Member).where(Member.cell_id == cell_id, Member.position == position, Member.retired_on.is_(None))
    if except_member_id is not None:
        query = query.where(Member.id != except_member_id)
    return db.session.scalars(query.order_by(Member.id)).first()


def holder_lookup(cell_id: int, except_member_id: int | None):  # type: ignore[no-untyped-def]
    """Return the form's look-up of who else holds a position, by name."""

    def lookup(position: Position) -> str | None:
        holder = position_holder(cell_id, position, except_member_id)
        return holder.name if holder is not None else None

    return lookup


def check_single_position(cell_id: int, position: Position, except_member_id: int | None) -> None:
    """Refuse a second secretary or deputy secretary (checked again inside the write)."""
    if position not in SINGLE_POSITIONS:
        return
    holder = position_holder(cell_id, position, except_member_id)
    if holder is not None:
        raise Refused("position", position_taken_message(position, holder.name))


def check_card_number(cell_id: int, card_number: str | None, except_member_id: int | None) -> None:
    """Refuse a card number another member of the cell (current or gone) already has."""
    if not card_number:
        return
    query = select(Member).where(Member.cell_id == cell_id, Member.card_number == card_number)
    if except_member_id is not None:
        query = query.where(Member.id != except_member_id)
    other = db.session.scalars(query).first()
    if other is not None:
        raise Refused(
            "card_number", _("Số thẻ %(card)s đã là của đồng chí %(name)s.", card=card_number, name=other.name)
        )


def extra_values(form: MemberForm) -> dict[str, object]:
    """Return the spreadsheet's columns as the member form gives them."""
    return {
        "official_on": form.official_on.data,
        "card_number": form.card_number.data or None,
        "born_on": form.born_on.data,
        "note": form.note.data or "",
    }


# ---------------------------------------------------------------------------
# What the pages show


def flag_texts(p: Participant) -> list[str]:
    """Return the participant's flags for the year, as the list writes them (in the request's language)."""
    texts = []
    if p.exempt:
        texts.append(_("Miễn công tác và sinh hoạt đảng"))
    if p.suspended:
        texts.append(_("Bị đình chỉ sinh hoạt đảng"))
    if p.temporary_elsewhere:
        texts.append(_("Sinh hoạt tạm thời nơi khác"))
    if p.sick_leave_months:
        texts.append(ngettext("Nghỉ ốm %(num)d tháng", "Nghỉ ốm %(num)d tháng", p.sick_leave_months))
    if p.disciplined_in_year:
        texts.append(_("Bị kỷ luật trong năm"))
    if p.previous_level:
        texts.append(_("Năm trước: %(level)s", level=translate(LEVEL_LABELS[p.previous_level])))
    return texts


def flag_lines(p: Participant) -> list[tuple[str, str]]:
    """Return a participant's stored flags as label and text, shown after a save conflict."""
    level = translate(LEVEL_LABELS[p.previous_level]) if p.previous_level else _("không có / chưa biết")
    return [
        (_("Tình trạng trong năm"), "; ".join(flag_texts(p)) or _("không có")),
        (_("Xếp loại năm trước"), level),
    ]


def previous_source(p: Participant) -> str | None:
    """Return where the participant's previous level comes from, when it is the committee's decision."""
    seal = p.previous_level_seal
    if seal is None or p.previous_level is None:
        return None
    return translate(DECISION_SOURCE).format(number=seal.number, day=day_text(seal.issued_on))


def rating_status(result: MeetingResult, participant: Participant) -> dict[str, object]:
    """Return whether the rules core rates the participant this year and, if not, why."""
    member_result = result.member(participant.member.code)
    reason = member_result.not_rated_reason
    return {"rated": member_result.rated, "reason": translate(NOT_RATED_LABELS[reason]) if reason is not None else None}


def labels() -> dict[str, object]:
    """Return the labels the roster's templates use, in the request's language."""
    return {
        "standing_labels": {s.value: translate(label) for s, label in STANDING_LABELS.items()},
        "position_labels": {p.value: translate(label) for p, label in POSITION_LABELS.items()},
    }


@bp.context_processor
def spreadsheet_headers() -> dict[str, object]:
    """Give the roster's templates the spreadsheet's headers (SPEC 10): the file's words, shown untranslated."""
    return {"sheet_headers": HEADERS}


# ---------------------------------------------------------------------------
# Pages


@bp.route("/cells/<int:cell_id>/members")
@secretary_required
def members(cell_id: int) -> ResponseReturnValue:
    """List the cell's members in summoning order, and who is rated in the latest year and why not."""
    cell = editable_cell(cell_id)
    current = sorted((m for m in cell.members if m.retired_on is None), key=roster_order_key)
    retired = sorted((m for m in cell.members if m.retired_on is not None), key=lambda m: (m.retired_on, m.id))
    meeting = latest_meeting(cell.id)
    year_rows = []
    if meeting is not None:
        result = meeting_file(meeting).evaluate()
        year_rows = [
            {"participant": p, "flags": flag_texts(p), **rating_status(result, p)} for p in meeting.participants
        ]
    return render_template(
        "roster/members.html",
        cell=cell,
        current=current,
        recent=recent_levels(cell),
        retired=retired,
        meeting=meeting,
        counted=meeting is not None and is_counted(meeting),
        year_rows=year_rows,
        form=RosterUploadForm(formdata=None),
        **labels(),
    )


@bp.route("/cells/<int:cell_id>/members/<int:member_id>/history")
@records_required
def member_history_page(cell_id: int, member_id: int) -> ResponseReturnValue:
    """Show one member's levels year by year: self-assessment, the cell's proposal, the committee's decision."""
    cell = db.session.get(Cell, cell_id)
    member = db.session.get(Member, member_id)
    if cell is None or member is None or member.cell_id != cell.id or not may_view_cell(cell):
        abort(404)
    return render_template(
        "roster/history.html",
        cell=cell,
        member=member,
        rows=member_history(member),
        may_edit=may_edit_cell(cell.id),
        not_rated_labels={key: translate(label) for key, label in NOT_RATED_LABELS.items()},
        undecided_label=translate(UNDECIDED_LABEL),
        **labels(),
    )


@bp.route("/cells/<int:cell_id>/members/new", methods=["GET", "POST"])
@secretary_required
def new_member(cell_id: int) -> ResponseReturnValue:
    """Add a member to the cell; summon them to the meeting being recorded, if any."""
    cell = editable_cell(cell_id)
    form = MemberForm(holder=holder_lookup(cell.id, None))
    added: list[tuple[Member, Meeting | None]] = []

    def save() -> None:
        check_single_position(cell.id, Position(form.position.data), None)
        check_card_number(cell.id, form.card_number.data, None)
        meeting = open_meeting(cell.id)
        # Two secretaries adding at once may pick the same code or roll order (PostgreSQL does not
        # serialise the read as SQLite's immediate transaction does): the unique constraints
        # refuse the second, which tries again with the next free ones.
        for _attempt in range(3):
            try:
                with db.session.begin_nested():
                    member = Member(
                        cell_id=cell.id,
                        code=next_code(cell.id),
                        name=form.name.data,
                        standing=form.standing.data,
                        position=form.position.data,
                        admitted_on=form.admitted_on.data,
                        **extra_values(form),
                    )
                    db.session.add(member)
                    if meeting is not None:
                        summon(meeting, member, next_roll_order(meeting))
                    db.session.flush()
            except IntegrityError:
                continue
            added.append((member, meeting))
            return
        raise Refused("name", _("Không ghi được vì có người khác đang thêm đảng viên cùng lúc. Bấm lưu lại."))

    def after() -> str:
        member, meeting = added[0]
        if meeting is not None:
            flash(
                _(
                    "Đồng chí %(name)s đã được triệu tập vào hội nghị năm %(year)d.",
                    name=member.name,
                    year=meeting.year,
                ),
                "success",
            )
        return url_for("roster.members", cell_id=cell.id)

    return save_form(
        form,
        save,
        lambda: render_template("roster/member_form.html", form=form, cell=cell, member=None),
        after,
        _("Đã thêm đảng viên vào danh sách chi bộ."),
    )


@bp.route("/members/<int:member_id>/edit", methods=["GET", "POST"])
@secretary_required
def edit_member(member_id: int) -> ResponseReturnValue:
    """Change a member's details; standing and position also change in the meeting being recorded."""
    member = editable_member(member_id)
    data = None
    if request.method == "GET":
        data = {
            "name": member.name,
            "standing": member.standing,
            "position": member.position,
            "admitted_on": member.admitted_on,
            "official_on": member.official_on,
            "card_number": member.card_number or "",
            "born_on": member.born_on,
            "note": member.note,
            "version": loaded_version(member),
        }
    current = member.retired_on is None
    form = MemberForm(
        data=data,
        holder=holder_lookup(member.cell_id, member.id) if current else (lambda position: None),
        retired_on=member.retired_on,
    )

    def save() -> Member:
        check_version(
            member,
            form.version.data,
            lambda: [
                (_("Họ và tên"), member.name),
                (_("Đảng viên"), translate(STANDING_LABELS.get(member.standing, member.standing))),
                (_("Chức vụ"), translate(POSITION_LABELS[member.position])),
                (_("Ngày vào Đảng"), day_text(member.admitted_on)),
            ],
        )
        if current:
            check_single_position(member.cell_id, Position(form.position.data), member.id)
        check_card_number(member.cell_id, form.card_number.data, member.id)
        changed = {
            key: getattr(form, key).data for key in COPIED_FIELDS if getattr(member, key) != getattr(form, key).data
        }
        for key, value in changed.items():
            setattr(member, key, value)
        for key, value in extra_values(form).items():
            if getattr(member, key) != value:
                setattr(member, key, value)
        follow_roster_edit(open_meeting(member.cell_id), member, changed)
        return member

    return save_form(
        form,
        save,
        lambda: render_template(
            "roster/member_form.html",
            form=form,
            cell=member.cell,
            member=member,
            kept=sealed_copies(member),
        ),
        lambda: url_for("roster.members", cell_id=member.cell_id),
        _("Đã lưu thông tin đảng viên."),
    )


def review_has_content(review: IndividualReview | None) -> bool:
    """Return whether anything of the member's self-criticism has been recorded."""
    if review is None:
        return False
    texts = (review.summary, review.response, review.conclusion)
    return (
        any(t.strip() for t in texts)
        or review.self_level is not None
        or review.self_score is not None
        or bool(review.feedback)
    )


def why_kept(meeting: Meeting, participant: Participant) -> str | None:
    """Return why the participant cannot be taken out of the meeting, or None if they can."""
    member = participant.member
    year = meeting.year
    name = member.name
    if review_has_content(participant.review):
        return _(
            "Đồng chí %(name)s đã có nội dung kiểm điểm trong hội nghị năm %(year)d, "
            "nên không thể bỏ khỏi hội nghị. Ghi ngày ra khỏi chi bộ sau khi kiểm phiếu xong.",
            name=name,
            year=year,
        )
    if member.id in (meeting.chair_id, meeting.minute_taker_id):
        role = _("chủ trì") if member.id == meeting.chair_id else _("thư ký")
        return _(
            "Đồng chí %(name)s là %(role)s hội nghị năm %(year)d: chọn đồng chí khác ở phần khai mạc trước.",
            name=name,
            role=role,
            year=year,
        )
    if any(c.member_id == member.id for c in meeting.counters):
        return _(
            "Đồng chí %(name)s ở trong ban kiểm phiếu hội nghị năm %(year)d: đổi ban kiểm phiếu trước.",
            name=name,
            year=year,
        )
    reviews = [p.review for p in meeting.participants if p.review is not None] + list(meeting.collective_reviews)
    if any(f.speaker_id == member.id for r in reviews for f in r.feedback):
        return _(
            "Đồng chí %(name)s đã góp ý trong hội nghị năm %(year)d, nên không thể bỏ khỏi hội nghị.",
            name=name,
            year=year,
        )
    if db.session.scalar(select(TallyRow.id).where(TallyRow.participant_id == participant.id).limit(1)) is not None:
        return _(
            "Đã ghi số phiếu cho đồng chí %(name)s trong hội nghị năm %(year)d: xóa các dòng phiếu đó trước.",
            name=name,
            year=year,
        )
    return None


@bp.route("/members/<int:member_id>/retire", methods=["GET", "POST"])
@secretary_required
def retire_member(member_id: int) -> ResponseReturnValue:
    """Record that a member left the cell; take them out of the meeting being recorded."""
    member = editable_member(member_id)
    form = RetireForm(
        data=None if request.method == "POST" else {"retired_on": clock.today()},
        name=member.name,
        admitted_on=member.admitted_on,
    )
    already = member.retired_on

    def save() -> None:
        if member.retired_on is not None:
            raise Refused(
                "retired_on",
                _(
                    "Đồng chí %(name)s đã ra khỏi chi bộ ngày %(day)s.",
                    name=member.name,
                    day=day_text(member.retired_on),
                ),
            )
        meeting = open_meeting(member.cell_id)
        participant = participant_of(meeting, member) if meeting is not None else None
        if meeting is not None and participant is not None:
            reason = why_kept(meeting, participant)
            if reason is not None:
                raise Refused("confirm", reason)
            meeting.participants.remove(participant)  # delete-orphan: the row goes
        member.retired_on = form.retired_on.data

    return save_form(
        form,
        save,
        lambda: render_template(
            "roster/retire.html",
            form=form,
            member=member,
            cell=member.cell,
            already=already,
            meeting=open_meeting(member.cell_id),
        ),
        lambda: url_for("roster.members", cell_id=member.cell_id),
        _("Đã ghi đảng viên ra khỏi danh sách chi bộ."),
    )


# The pages that link a member's status for the year (?back=...), and the way back to each.
FLAGS_BACK = {
    "roll_call": ("meeting.roll_call", N_("Về bước kiểm diện")),
    "review": ("reviews.individual", N_("Về trang tự kiểm điểm của đồng chí")),
}


def flags_back(meeting: Meeting, participant: Participant) -> tuple[str, str]:
    """Return the URL and label of the page the status page goes back to (``?back=``); the roster by default."""
    back = request.args.get("back", "")
    if back == "roll_call":
        endpoint, label = FLAGS_BACK[back]
        return url_for(endpoint, meeting_id=meeting.id, _anchor=f"p{participant.id}"), _(label)
    if back == "review":
        endpoint, label = FLAGS_BACK[back]
        return url_for(endpoint, meeting_id=meeting.id, participant_id=participant.id), _(label)
    return url_for("roster.members", cell_id=meeting.cell_id, _anchor=f"p{participant.id}"), _("Về danh sách đảng viên")


@bp.route("/meetings/<int:meeting_id>/participants/<int:participant_id>/flags", methods=["GET", "POST"])
@secretary_required
def flags(meeting_id: int, participant_id: int) -> ResponseReturnValue:
    """Record one participant's flags for the review year (SPEC 3)."""
    meeting = editable_meeting(meeting_id)
    participant = meeting_participant(meeting, participant_id)
    counted = is_counted(meeting)
    data = None
    if request.method == "GET":
        data = {
            "exempt": participant.exempt,
            "suspended": participant.suspended,
            "temporary_elsewhere": participant.temporary_elsewhere,
            "sick_leave_months": participant.sick_leave_months,
            "disciplined_in_year": participant.disciplined_in_year,
            "previous_level": participant.previous_level or "",
            "version": loaded_version(participant),
        }
    form = FlagsForm(data=data)
    back_url, back_label = flags_back(meeting, participant)
    if counted:  # said before anyone types; the save below still refuses
        for frozen in (form.sick_leave_months, form.previous_level):
            frozen.render_kw = {**(frozen.render_kw or {}), "disabled": True}

    def save() -> Participant:
        check_version(participant, form.version.data, lambda: flag_lines(participant))
        if is_counted(meeting):
            raise Refused(
                "exempt",
                _(
                    "Hội nghị năm %(year)d đã kiểm phiếu: không sửa được tình trạng trong năm của đảng viên.",
                    year=meeting.year,
                ),
            )
        participant.exempt = form.exempt.data
        participant.suspended = form.suspended.data
        participant.temporary_elsewhere = form.temporary_elsewhere.data
        participant.sick_leave_months = form.sick_leave_months.data
        participant.disciplined_in_year = form.disciplined_in_year.data
        previous_level = form.previous_level.data or None
        if previous_level != participant.previous_level:
            participant.previous_level_seal = None  # typed by hand: no longer the committee's decision
        participant.previous_level = previous_level
        return participant

    def render() -> str:
        status = rating_status(meeting_file(meeting).evaluate(), participant)
        return render_template(
            "roster/flags.html",
            form=form,
            meeting=meeting,
            participant=participant,
            counted=counted,
            status=status,
            cell=meeting.cell,
            previous_source=previous_source(participant),
            frozen_notice=frozen_notice(meeting, "flags"),
            back_url=back_url,
            back_label=back_label,
            **labels(),
        )

    return save_form(
        form,
        save,
        render,
        lambda: back_url,
        _("Đã lưu tình trạng năm %(year)d của đồng chí %(name)s.", year=meeting.year, name=participant.name),
    )


# ---------------------------------------------------------------------------
# The roster from a spreadsheet (SPEC 10): upload, preview, confirm; the template and the export

STASH_KIND = "roster"
STATUS_LABELS = {"new": N_("Thêm mới"), "changed": N_("Thay đổi"), "unchanged": N_("Không đổi")}
# The changes whose values are vocabulary words (translated); the others are the members' data.
VOCABULARY_CHANGES = frozenset({CHANGE_LABELS["standing"], CHANGE_LABELS[POSITION]})


def stash_scope(cell_id: int) -> str:
    return f"cell:{cell_id}"


def problem_text(problem: Problem) -> str:
    """Return a problem of the file in the request's language (the header as the file writes it)."""
    return str(translate(problem.text()))


def change_texts(changes: tuple[tuple[str, str, str], ...]) -> list[tuple[str, str, str]]:
    """Return the changes a row makes, their labels (and vocabulary values) in the request's language."""
    return [
        (translate(label), *((translate(before), translate(after)) if label in VOCABULARY_CHANGES else (before, after)))
        for label, before, after in changes
    ]


def preview_value(key: str, value: object) -> str:
    """Return a stored value as the preview shows it: a date in the request's language, else as the core writes it."""
    return when_text(value) if isinstance(value, date) else shown_value(key, value)


def preview_rows(plan: Plan) -> list[dict[str, object]]:
    """Return every data row of the file as the preview shows it, in the file's order."""
    planned = {p.row: p for p in plan.planned}
    rows = []
    for reading in plan.reading.rows:
        p = planned.get(reading.row)
        member = p.member if p is not None else reading.member
        problems = plan.problems_of(reading.row)
        rows.append(
            {
                "row": reading.row,
                "status": "error" if problems else (p.status if p is not None else "error"),
                "changes": change_texts(p.changes) if p is not None else [],
                "problems": [problem_text(problem) for problem in problems],
                "member": (
                    {key: preview_value(key, getattr(member, key)) for key in (*HEADERS.keys() - {"stt"}, "standing")}
                    if member is not None
                    else None
                ),
                "written": reading.written,
            }
        )
    return rows


def render_preview(
    cell: Cell, plan: Plan | None, token: str | None, refused: str | None, status: int, roster: str = ""
) -> ResponseReturnValue:
    """Show the upload's preview (or why the file was refused) with the confirmation when it may be stored.

    ``roster`` is the roster's token read with the plan (:func:`importing.read_plan`).
    """
    problems = [problem_text(problem) for problem in plan.all_problems()] if plan is not None else []
    return (
        render_template(
            "roster/import_preview.html",
            cell=cell,
            plan=plan,
            rows=preview_rows(plan) if plan is not None else [],
            problems=problems,
            refused=translate(refused),
            notices=[translate(notice) for notice in plan.reading.notices] if plan is not None else [],
            upload=RosterUploadForm(formdata=None),
            confirm=RosterConfirmForm(formdata=None, data={"token": token, "roster": roster}),
            token=token,
            status_labels={key: _(label) for key, label in STATUS_LABELS.items()},
        ),
        status,
    )


@bp.route("/cells/<int:cell_id>/members/import", methods=["GET", "POST"])
@secretary_required
def import_roster(cell_id: int) -> ResponseReturnValue:
    """Upload a roster spreadsheet: check it whole and show what it would store (nothing is stored)."""
    cell = editable_cell(cell_id)
    form = RosterUploadForm()
    if request.method == "GET":
        return render_template("roster/import.html", cell=cell, form=form)
    if not form.validate():
        return render_template("roster/import.html", cell=cell, form=form), 422
    upload = request.files.get(form.file.name)
    if upload is None or not upload.filename:
        form.file.errors = [_("Chọn tệp bảng tính (.xlsx hoặc .csv) để nhập.")]
        return render_template("roster/import.html", cell=cell, form=form), 422
    data = upload.stream.read(MAX_BYTES + 1)
    try:
        plan, roster = read_plan(cell.id, data)
    except FileRefused as refused:
        form.file.errors = [translate(refused.message)]
        return render_template("roster/import.html", cell=cell, form=form), 422
    if not plan.ok:
        return render_preview(cell, plan, None, None, 422, roster)
    token = upload_stash.stash(
        data, filename=upload.filename, kind=STASH_KIND, owner_id=acting_user().id, scope=stash_scope(cell.id)
    )
    return render_preview(cell, plan, token, None, 200, roster)


@bp.route("/cells/<int:cell_id>/members/import/confirm", methods=["POST"])
@secretary_required
def confirm_roster_import(cell_id: int) -> ResponseReturnValue:
    """Store the previewed spreadsheet in one transaction, unless the roster changed since the preview."""
    cell = editable_cell(cell_id)
    form = RosterConfirmForm()
    stashed = None
    if form.validate():
        stashed = upload_stash.fetch(
            form.token.data or "", kind=STASH_KIND, owner_id=acting_user().id, scope=stash_scope(cell.id)
        )
    if stashed is None:
        upload = RosterUploadForm(formdata=None)
        upload.file.errors = [
            _(
                "Không còn tệp đã xem trước (quá một giờ, đã nhập rồi, hoặc trang cũ): chọn lại tệp và xem trước lần nữa."
            )
        ]
        return render_template("roster/import.html", cell=cell, form=upload), 422
    try:
        _plan, stored = import_file(cell, stashed.data, expected_token=form.roster.data or "")
    except FileRefused as refused:
        return render_preview(cell, None, None, refused.message, 422)
    except ImportRefused as refused:
        if refused.plan is not None:  # the file's problems against the roster as it is
            return render_preview(cell, refused.plan, None, None, 422)
        plan, roster = read_plan(cell.id, stashed.data)  # the roster changed: preview it again
        return render_preview(cell, plan, form.token.data if plan.ok else None, refused.message, 409, roster)
    upload_stash.discard(form.token.data)
    flash(
        _(
            "Đã nhập danh sách từ bảng tính: thêm %(added)d, cập nhật %(updated)d, giữ nguyên %(unchanged)d đảng viên.",
            added=len(stored.added),
            updated=len(stored.updated),
            unchanged=stored.unchanged,
        ),
        "success",
    )
    return redirect(url_for("roster.members", cell_id=cell.id))


@bp.route("/cells/<int:cell_id>/members/template.xlsx")
@secretary_required
def roster_template(cell_id: int) -> ResponseReturnValue:
    """Download an empty roster spreadsheet: the header row under explanations."""
    editable_cell(cell_id)
    return download(template_bytes(), "mau-danh-sach-dang-vien.xlsx", XLSX_TYPE)


@bp.route("/cells/<int:cell_id>/members/export.<kind>")
@secretary_required
def export_roster(cell_id: int, kind: str) -> ResponseReturnValue:
    """Download the cell's current roster in SPEC 10's columns, as XLSX or CSV."""
    cell = editable_cell(cell_id)
    if kind not in ("xlsx", "csv"):
        abort(404)
    mimetype = XLSX_TYPE if kind == "xlsx" else CSV_TYPE
    return download(export_bytes(cell, kind), f"danh-sach-dang-vien-{cell.id}.{kind}", mimetype)
