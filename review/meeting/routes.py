"""Routes of the meeting's steps: start, opening, roll call, ballot summary, closing."""

from __future__ import annotations

from flask import jsonify, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy import select

from .. import clock
from ..access import editable_cell, editable_meeting, secretary_required
from ..clock import local
from ..counting import refuse_if_sealed
from ..extensions import db
from ..form_saving import loaded_version, save_form
from ..forms import BaseForm
from ..i18n import translate, translate_all, when_text
from ..layout import STEP_KEYS, done_steps, frozen_notice, next_step_url, render_step, step_url
from ..meeting_edits import start_meeting
from ..meeting_store import meeting_file, preload
from ..models import Feedback, Guest, Meeting
from ..rules import NOT_RATED_LABELS, Attendance, BallotMode, MeetingResult, Rules, format_ratio
from ..versioning import check_version, check_versions, versions_token
from . import bp
from .forms import ATTENDANCE_LABELS, ClosingForm, NewMeetingForm, OpeningForm, StoredGuest, roll_call_form


def go_on(meeting: Meeting, key: str) -> str:
    """Return where a saved step goes: the next step, or back to the same page."""
    if request.form.get("then") == "next":
        return next_step_url(meeting, key)
    return step_url(meeting, key)


@bp.route("/cells/<int:cell_id>/meetings/new", methods=["GET", "POST"])
@secretary_required
def new(cell_id: int) -> ResponseReturnValue:
    """Start the cell's meeting for a review year."""
    cell = editable_cell(cell_id)
    form = NewMeetingForm(data=None if request.method == "POST" else {"year": clock.today().year})
    created: list[Meeting] = []

    def save() -> None:
        created.append(start_meeting(cell, form.year.data))

    from flask import render_template

    return save_form(
        form,
        save,
        lambda: render_template("meeting/new.html", form=form, cell=cell),
        lambda: step_url(created[0], "opening"),
        _("Đã mở hội nghị. Bắt đầu bằng phần khai mạc."),
    )


@bp.route("/meetings/<int:meeting_id>")
@secretary_required
def overview(meeting_id: int) -> ResponseReturnValue:
    """Go to the first step not yet recorded."""
    meeting = editable_meeting(meeting_id)
    done = done_steps(meeting)
    key = next((k for k in STEP_KEYS if k not in done), STEP_KEYS[-1])
    return redirect(step_url(meeting, key))


@bp.route("/meetings/<int:meeting_id>/opening", methods=["GET", "POST"])
@secretary_required
def opening(meeting_id: int) -> ResponseReturnValue:
    """Record the opening: time, place, chair, minute-taker, guests."""
    meeting = preload(editable_meeting(meeting_id))
    data = None
    if request.method == "GET":
        data = {
            "starts_at": meeting.starts_at,
            "location": meeting.location,
            "chair_id": meeting.chair_id or 0,
            "minute_taker_id": meeting.minute_taker_id or 0,
            "guests": [{"guest_id": str(g.id), "name": g.name, "title": g.title} for g in meeting.guests] + [{}],
            "version": loaded_version(meeting),
        }
    form = OpeningForm(
        data=data, participants=meeting.participants, review_year=meeting.year, stored_guests=stored_guests(meeting)
    )
    if meeting.first_ballot_sealed:  # the date is sealed; location, chair, minute-taker, guests are the minutes'
        form.starts_at.render_kw = {"readonly": True, "aria-readonly": "true"}

    def save() -> Meeting:
        if meeting.first_ballot_sealed:
            # The meeting day decides who is rated (SPEC 5.7a): sealed (with ballot 1 under two ballots). The form holds minutes
            # only while a meeting file may carry seconds, so compare to the minute and keep the
            # stored value.
            stored = meeting.starts_at.replace(second=0, microsecond=0) if meeting.starts_at else None
            if form.starts_at.data != stored:
                refuse_if_sealed(meeting, "starts_at")
        check_version(meeting, form.version.data, lambda: opening_text(meeting))
        if not meeting.first_ballot_sealed:
            meeting.starts_at = form.starts_at.data
        meeting.location = form.location.data
        meeting.chair_id = form.chair_id.data
        meeting.minute_taker_id = form.minute_taker_id.data
        update_guests(
            meeting, [(kept, g["name"], g["title"]) for kept, g in zip(form.kept_guests, form.guests.data, strict=True)]
        )
        return meeting

    return save_form(
        form,
        save,
        lambda: render_step(
            "meeting/opening.html", meeting, "opening", form=form, frozen_notice=frozen_notice(meeting, "opening")
        ),
        lambda: go_on(meeting, "opening"),
        _("Đã lưu phần khai mạc."),
    )


def stored_guests(meeting: Meeting) -> list[StoredGuest]:
    """Return the meeting's guests for the opening form, each marked if some feedback names it."""
    ids = [g.id for g in meeting.guests]
    spoke = set(db.session.scalars(select(Feedback.guest_id).where(Feedback.guest_id.in_(ids)))) if ids else set()
    return [StoredGuest(g.id, g.name, g.id in spoke) for g in meeting.guests]


def update_guests(meeting: Meeting, rows: list[tuple[int | None, str, str]]) -> None:
    """Store the opening's guest rows (stored guest kept or None, name, title), blank rows left out.

    A kept guest keeps its row (and the feedback naming it), moved to its new place; the
    guests no row keeps are deleted. The unique (meeting, position) holds at every flush:
    removed rows go first, then each row moves to a place no other row holds any more.
    """
    by_id = {g.id: g for g in meeting.guests}
    wanted = [(by_id.get(kept) if kept is not None else None, name, title) for kept, name, title in rows if name]
    keep = {id(row) for row, _, _ in wanted if row is not None}
    meeting.guests = [g for g in meeting.guests if id(g) in keep]  # delete-orphan removes the rest
    db.session.flush()
    placed: list[Guest] = []
    for position, (row, name, title) in enumerate(wanted):
        if row is None:
            row = Guest()  # joins the meeting, and the session, with the list below
        holder = next((g for g in meeting.guests if g is not row and g.position == position), None)
        if holder is not None:  # a row kept further down still sits here (rows posted out of order)
            holder.position = -1 - holder.id
            db.session.flush()
        row.position, row.name, row.title = position, name, title
        if row.id is not None:
            db.session.flush()
        placed.append(row)
    meeting.guests = placed  # new rows at places the kept ones left free


def opening_text(meeting: Meeting) -> list[tuple[str, str]]:
    """Return the stored opening as label and text, shown after a save conflict."""
    return [
        (_("Thời gian khai mạc"), when_text(local(meeting.starts_at), "minute")),
        (_("Địa điểm"), meeting.location),
        (_("Chủ trì hội nghị"), meeting.chair.name if meeting.chair else ""),
        (_("Thư ký hội nghị"), meeting.minute_taker.name if meeting.minute_taker else ""),
        (_("Khách mời"), "\n".join(f"{g.name}, {g.title}" if g.title else g.name for g in meeting.guests)),
    ]


def tentative_result(meeting: Meeting, form: BaseForm | None = None) -> tuple[MeetingResult, Rules]:
    """Return the rules core's results, with the attendance as ticked in ``form`` (not saved)."""
    mf = meeting_file(meeting)
    if form is not None:
        by_code = {p.member.code: p for p in meeting.participants}
        for member in mf.members:
            value = form[f"attendance_{by_code[member.id].id}"].data
            if value in {a.value for a in Attendance}:
                member.attendance = Attendance(value)
    return mf.evaluate(), mf.rules


def quorum_figures(result: MeetingResult, rules: Rules) -> dict[str, object]:
    """Return the roll call's figures as the page shows them."""
    return {
        "quorum_ratio": format_ratio(rules.quorum),
        "base": result.base,
        "voters_present": result.voters_present,
        "quorum_required": result.quorum_required,
        "quorum_met": _("Đủ số lượng") if result.quorum_met else _("Chưa đủ số lượng"),
        "quorum_met_flag": result.quorum_met,
    }


@bp.route("/meetings/<int:meeting_id>/roll-call", methods=["GET", "POST"])
@secretary_required
def roll_call(meeting_id: int) -> ResponseReturnValue:
    """Record who is present, who is absent and why; show the base and the quorum."""
    meeting = preload(editable_meeting(meeting_id))
    participants = list(meeting.participants)
    form = roll_call_form(participants, request.form if request.method == "POST" else None)
    if request.method == "GET":
        form.version.data = versions_token(participants)

    def save() -> None:
        refuse_if_sealed(meeting)  # attendance decides the base and the quorum
        check_versions(
            participants,
            form.version.data,
            lambda: [
                (
                    p.name,
                    translate(ATTENDANCE_LABELS[p.attendance]) + (f": {p.absence_reason}" if p.absence_reason else ""),
                )
                for p in participants
            ],
        )
        for p in participants:
            p.attendance = form[f"attendance_{p.id}"].data
            reason = form[f"reason_{p.id}"].data or ""
            p.absence_reason = "" if p.attendance == Attendance.PRESENT else reason
        meeting.roll_called_at = clock.now()

    def render() -> str:
        result, rules = tentative_result(meeting, form if request.method == "POST" else None)
        reasons = {r.key: r.not_rated_reason for r in result.members}
        return render_step(
            "meeting/roll_call.html",
            meeting,
            "roll_call",
            form=form,
            participants=participants,
            figures=quorum_figures(result, rules),
            not_rated={k: translate(NOT_RATED_LABELS[v]) for k, v in reasons.items() if v},
            attendance_labels=translate_all(ATTENDANCE_LABELS),
            frozen_notice=frozen_notice(meeting, "roll_call"),
        )

    return save_form(form, save, render, lambda: go_on(meeting, "roll_call"), _("Đã lưu kết quả kiểm diện."))


@bp.route("/meetings/<int:meeting_id>/roll-call/figures", methods=["POST"])
@secretary_required
def roll_call_figures(meeting_id: int) -> ResponseReturnValue:
    """Return the base and quorum for the attendance as ticked, without saving it."""
    meeting = editable_meeting(meeting_id)
    form = roll_call_form(list(meeting.participants), request.form)
    return jsonify(quorum_figures(*tentative_result(meeting, form)))


@bp.route("/meetings/<int:meeting_id>/ballot")
@secretary_required
def ballot(meeting_id: int) -> ResponseReturnValue:
    """Show who is on the ballot paper, who is not and why, and whether a ballot may be held."""
    meeting = editable_meeting(meeting_id)
    result, rules = tentative_result(meeting)
    by_code = {p.member.code: p for p in meeting.participants}
    rated = [by_code[r.key] for r in result.members if r.rated]
    not_rated = [
        (by_code[r.key], translate(NOT_RATED_LABELS[r.not_rated_reason])) for r in result.members if r.not_rated_reason
    ]
    return render_step(
        "meeting/ballot.html",
        meeting,
        "ballot",
        result=result,
        figures=quorum_figures(result, rules),
        rated=rated,
        not_rated=not_rated,
        two_ballots=rules.ballot_mode is BallotMode.TWO_PHASE,
    )


@bp.route("/meetings/<int:meeting_id>/closing", methods=["GET", "POST"])
@secretary_required
def closing(meeting_id: int) -> ResponseReturnValue:
    """Record the closing: minutes approved by N of those present, closing time."""
    meeting = editable_meeting(meeting_id)
    present = sum(1 for p in meeting.participants if p.attendance == Attendance.PRESENT)
    data = None
    if request.method == "GET":
        data = {
            "minutes_approved_by": meeting.minutes_approved_by,
            "ends_at": meeting.ends_at,
            "version": loaded_version(meeting),
        }
    form = ClosingForm(data=data, present=present, starts_at=meeting.starts_at, review_year=meeting.year)

    def save() -> Meeting:
        # The closing is the minutes' content (SPEC 5.7a): the minutes are read out and approved
        # after the results are announced, so it is saved after the seal too (audited).
        check_version(
            meeting,
            form.version.data,
            lambda: [
                (_("Số đồng chí biểu quyết thông qua biên bản"), str(meeting.minutes_approved_by or "")),
                (_("Thời gian bế mạc"), when_text(local(meeting.ends_at), "minute")),
            ],
        )
        meeting.minutes_approved_by = form.minutes_approved_by.data
        meeting.ends_at = form.ends_at.data
        return meeting

    return save_form(
        form,
        save,
        lambda: render_step("meeting/closing.html", meeting, "closing", form=form, present=present),
        lambda: url_for("meeting.closing", meeting_id=meeting.id),
        _("Đã lưu phần bế mạc."),
    )
