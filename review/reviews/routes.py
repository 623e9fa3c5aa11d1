"""Routes of the reviews: the collective reviews first, then each member's self-criticism."""

from __future__ import annotations

from flask import abort, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy import select

from .. import vocabulary
from ..access import editable_meeting, meeting_participant, secretary_required
from ..agenda import Agenda, agenda
from ..counting import refuse_if_sealed
from ..database import lock_row
from ..extensions import db
from ..form_saving import loaded_version, save_form
from ..i18n import translate
from ..layout import frozen_notice, next_step_url, render_step
from ..meetingfile import POSITION_LABELS
from ..models import CollectiveReview, Feedback, IndividualReview, Meeting, Participant
from ..rules import LEVEL_LABELS, Attendance, Level
from ..translatable import N_
from ..versioning import check_version
from . import bp
from .forms import NO_SPEAKER, ReviewForm, collective_form, individual_form

SUBJECTS = {
    "cell": {
        "position": 0,
        "title": N_("Kiểm điểm tập thể chi bộ"),
        "tab": N_("Tập thể chi bộ"),
        "saved": N_("Đã lưu phần kiểm điểm tập thể chi bộ."),
    },
    "committee": {
        "position": 1,
        "title": N_("Kiểm điểm tập thể chi ủy"),
        "tab": N_("Tập thể chi ủy"),
        "saved": N_("Đã lưu phần kiểm điểm tập thể chi ủy."),
    },
}
STANDING_LABELS = vocabulary.STANDING_LABELS


def speakers_of(meeting: Meeting, leave_out: Participant | None = None) -> dict[str, str]:
    """Return who may speak (SPEC 8): the members present in roll order, then the guests.

    Keys are the select's values (:func:`speaker_key`): ``m:<member id>`` and ``g:<guest id>``;
    a guest is labelled as a guest, with their title.
    """
    members = {
        speaker_key(member_id=p.member_id): p.name
        for p in meeting.participants
        if p.attendance is Attendance.PRESENT and (leave_out is None or p.id != leave_out.id)
    }
    return members | {speaker_key(guest_id=g.id): guest_label(g.name, g.title) for g in meeting.guests}


def absent_of(meeting: Meeting) -> dict[str, str]:
    """Return the members not present, keyed as :func:`speakers_of` keys them: they may not speak."""
    return {
        speaker_key(member_id=p.member_id): p.name
        for p in meeting.participants
        if p.attendance is not Attendance.PRESENT
    }


def guest_label(name: str, title: str) -> str:
    """Return a guest as the speaker select lists them: "Name (Khách mời, title)"."""
    guest = translate(vocabulary.GUEST_LABEL)
    return f"{name} ({guest}, {title})" if title.strip() else f"{name} ({guest})"


def speaker_key(member_id: int | None = None, guest_id: int | None = None) -> str:
    """Return a speaker's value in the select: ``m:<member id>`` or ``g:<guest id>``."""
    return f"g:{guest_id}" if guest_id is not None else f"m:{member_id}"


def stored_speaker(f: Feedback) -> str:
    """Return a stored feedback's speaker as the select's value."""
    return speaker_key(guest_id=f.guest_id) if f.guest_id is not None else speaker_key(member_id=f.speaker_id)


def stored_feedback(feedback: list[Feedback]) -> list[dict[str, object]]:
    """Return stored feedback as form rows, plus one blank row to add to."""
    return [{"speaker": stored_speaker(f), "text": f.text} for f in feedback] + [{}]


def updated_feedback(existing: list[Feedback], entries: list[tuple[str, str]]) -> list[Feedback]:
    """Return the feedback rows for ``entries`` (speaker's key, text), reusing the stored rows in place."""
    rows: list[Feedback] = []
    for position, (speaker, text) in enumerate(entries):
        row = existing[position] if position < len(existing) else Feedback()
        kind, _, number = speaker.partition(":")
        row.position = position
        row.speaker_id = int(number) if kind == "m" else None
        row.guest_id = int(number) if kind == "g" else None
        row.text = text
        rows.append(row)
    return rows  # rows no longer listed are deleted with the relationship's delete-orphan


def feedback_speaker_name(f: Feedback, names: dict[str, str]) -> str:
    """Return the name a stored feedback's speaker is shown by."""
    known = names.get(stored_speaker(f))
    if known is not None:
        return known
    if f.guest is not None:
        return guest_label(f.guest.name, f.guest.title)
    return f.speaker.name if f.speaker is not None else ""


def current_text(review: IndividualReview | CollectiveReview | None, names: dict[int, str]) -> list[tuple[str, str]]:
    """Return a stored review as label and text, shown beside the user's own after a conflict."""
    if review is None:
        return []
    lines: list[tuple[str, str]] = []
    if isinstance(review, IndividualReview):
        lines.append((_("Tóm tắt bản tự kiểm điểm"), review.summary))
    else:
        lines.append((_("Báo cáo kiểm điểm"), review.report))
    level = translate(LEVEL_LABELS[review.self_level]) if review.self_level else _("chưa chọn")
    lines.append((_("Tự đánh giá, xếp loại"), level))
    if isinstance(review, IndividualReview) and review.self_score is not None:
        lines.append((_("Điểm tự chấm"), str(review.self_score)))
    for f in review.feedback:
        lines.append((_("Ý kiến của đồng chí %(name)s", name=feedback_speaker_name(f, names)), f.text))
    if isinstance(review, IndividualReview):
        lines.append((_("Ý kiến tiếp thu, giải trình"), review.response))
    else:
        lines.append((_("Kế hoạch khắc phục"), review.remedy_plan))
    lines.append((_("Kết luận của chủ trì"), review.conclusion))
    return lines


def level_or_none(value: str) -> Level | None:
    """Return the level a select chose, or None when none was chosen."""
    return Level(value) if value else None


def wants_next() -> bool:
    """Return whether the "save and go on" button was pressed."""
    return request.form.get("then") == "next"


# ---------------------------------------------------------------------------
# Collective reviews (SPEC 1.3)


@bp.route("/meetings/<int:meeting_id>/collective", methods=["GET", "POST"], defaults={"subject": "cell"})
@bp.route("/meetings/<int:meeting_id>/collective/<any(committee):subject>", methods=["GET", "POST"])
@secretary_required
def collective(meeting_id: int, subject: str) -> ResponseReturnValue:
    """Record a collective review: the report, feedback, conclusion, level and remedy plan."""
    meeting = editable_meeting(meeting_id)
    plan = agenda(meeting)
    if subject == "committee" and not plan.has_committee:
        abort(404)
    review = next((c for c in meeting.collective_reviews if c.subject == subject), None)
    speakers = speakers_of(meeting)
    absent = absent_of(meeting)
    data = None
    if request.method == "GET" and review is not None:
        data = {
            "report": review.report,
            "feedback": stored_feedback(review.feedback),
            "conclusion": review.conclusion,
            "self_level": review.self_level or "",
            "remedy_plan": review.remedy_plan,
        }
    if request.method == "GET":
        data = (data or {}) | {"version": loaded_version(review)}
    form = collective_form(subject, speakers, data, absent=absent)

    def save() -> None:
        # Hold the meeting's row, so two saves of a page queue up: without it, two first saves of
        # the same review (a background one and the button) could both find none and both create one.
        lock_row(Meeting, meeting.id)
        stored = db.session.scalar(
            select(CollectiveReview).where(
                CollectiveReview.meeting_id == meeting.id, CollectiveReview.subject == subject
            )
        )
        check_version(stored, form.version.data, lambda: current_text(stored, speakers))
        if stored is None:
            stored = CollectiveReview(subject=subject, position=SUBJECTS[subject]["position"])
            meeting.collective_reviews.append(stored)
        stored.report = form.report.data
        stored.conclusion = form.conclusion.data
        stored.self_level = level_or_none(form.self_level.data)
        stored.remedy_plan = form.remedy_plan.data
        stored.feedback = updated_feedback(list(stored.feedback), form.feedback_entries())
        return stored

    go_committee = subject == "cell" and plan.has_committee
    after = (
        url_for("reviews.collective", meeting_id=meeting.id, subject="committee")
        if go_committee
        else url_for("reviews.individual_list", meeting_id=meeting.id)
    )

    def render() -> str:
        return render_step(
            "reviews/collective.html",
            meeting,
            "collective",
            form=form,
            subject=subject,
            title=_(SUBJECTS[subject]["title"]),
            tabs=[
                {
                    "label": _(SUBJECTS[key]["tab"]),
                    "url": url_for("reviews.collective", meeting_id=meeting.id, subject=key),
                    "current": key == subject,
                }
                for key in SUBJECTS
            ]
            if plan.has_committee
            else [],
            speakers=speakers,
            no_speaker=_(NO_SPEAKER),
            next_label=_("Lưu và sang tập thể chi ủy") if go_committee else _("Lưu và sang kiểm điểm cá nhân"),
        )

    return save_form(
        form,
        save,
        render,
        lambda: after if wants_next() else url_for("reviews.collective", meeting_id=meeting.id, subject=subject),
        _(SUBJECTS[subject]["saved"]),
    )


# ---------------------------------------------------------------------------
# Individual self-criticism (SPEC 1.4)


def is_done(participant: Participant) -> bool:
    """Return whether the member's review is recorded: the summary and the chair's conclusion."""
    review = participant.review
    return review is not None and bool(review.summary.strip()) and bool(review.conclusion.strip())


def position_label(participant: Participant) -> str:
    """Return the participant's position that year, in the request's language."""
    return translate(POSITION_LABELS[participant.position])


@bp.route("/meetings/<int:meeting_id>/reviews")
@secretary_required
def individual_list(meeting_id: int) -> ResponseReturnValue:
    """List the members in the order they review themselves, and those who do not, with why."""
    meeting = editable_meeting(meeting_id)
    plan = agenda(meeting)
    rows = [
        {
            "participant": p,
            "number": number,
            "position": position_label(p),
            "standing": translate(STANDING_LABELS[p.standing]),
            "done": is_done(p),
            "level": translate(LEVEL_LABELS[p.review.self_level]) if p.review and p.review.self_level else None,
            "score": p.review.self_score if p.review and plan.rules.scored else None,
            "not_rated": translate(plan.not_rated.get(p.id)),
            "url": url_for("reviews.individual", meeting_id=meeting.id, participant_id=p.id),
        }
        for number, p in enumerate(plan.reviewed, start=1)
    ]
    first_open = next((row for row in rows if not row["done"]), None)
    return render_step(
        "reviews/individual_list.html",
        meeting,
        "individual",
        rows=rows,
        done_count=sum(1 for row in rows if row["done"]),
        first_open=first_open,
        not_reviewed=[(p, position_label(p), translate(why)) for p, why in plan.not_reviewed],
    )


def review_data(review: IndividualReview | None) -> dict[str, object] | None:
    """Return the stored review as the form's data, or None to start blank."""
    if review is None:
        return None
    return {
        "summary": review.summary,
        "self_level": review.self_level or "",
        "self_score": review.self_score,
        "feedback": stored_feedback(review.feedback),
        "response": review.response,
        "conclusion": review.conclusion,
    }


@bp.route("/meetings/<int:meeting_id>/reviews/<int:participant_id>", methods=["GET", "POST"])
@secretary_required
def individual(meeting_id: int, participant_id: int) -> ResponseReturnValue:
    """Record one member's self-criticism: summary, level, feedback, response, conclusion."""
    meeting = editable_meeting(meeting_id)
    participant = meeting_participant(meeting, participant_id)
    plan: Agenda = agenda(meeting)
    index = plan.position_of(participant)
    if index is None:
        abort(404)  # exempt, suspended, or (from 2023) a new member: no self-criticism
    speakers = speakers_of(meeting, leave_out=participant)
    scored = plan.rules.scored
    data = None
    if request.method == "GET":
        data = (review_data(participant.review) or {}) | {"version": loaded_version(participant.review)}
    form: ReviewForm = individual_form(speakers, participant.member_id, scored, data, absent=absent_of(meeting))
    score_frozen = scored and meeting.first_ballot_sealed  # the score caps the level: sealed (SPEC 5.4, 5.7a)
    if score_frozen:
        form.self_score.render_kw = {"readonly": True, "aria-readonly": "true"}
    following = plan.after(participant)
    previous = plan.before(participant)

    def save() -> None:
        # Hold the meeting's row, so two saves of a page queue up: without it, two first saves of
        # the same review (a background one and the button) could both find none and both create one.
        lock_row(Meeting, meeting.id)
        stored = db.session.scalar(select(IndividualReview).where(IndividualReview.participant_id == participant.id))
        check_version(stored, form.version.data, lambda: current_text(stored, speakers_of(meeting)))
        if stored is None:
            stored = IndividualReview()
            participant.review = stored
        stored.summary = form.summary.data
        stored.self_level = level_or_none(form.self_level.data)
        if score_frozen:
            if form.self_score.data != stored.self_score:
                refuse_if_sealed(meeting, "self_score")
        elif scored:
            stored.self_score = form.self_score.data
        stored.response = form.response.data
        stored.conclusion = form.conclusion.data
        stored.feedback = updated_feedback(list(stored.feedback), form.feedback_entries())
        return stored

    def member_url(p: Participant) -> str:
        return url_for("reviews.individual", meeting_id=meeting.id, participant_id=p.id)

    after = member_url(following) if following is not None else next_step_url(meeting, "individual")

    def render() -> str:
        return render_step(
            "reviews/individual.html",
            meeting,
            "individual",
            form=form,
            participant=participant,
            number=index + 1,
            total=len(plan.reviewed),
            position=position_label(participant),
            frozen_notice=frozen_notice(meeting, "individual") if score_frozen else None,
            standing=translate(STANDING_LABELS[participant.standing]),
            not_rated=translate(plan.not_rated.get(participant.id)),
            previous=(previous.name, member_url(previous)) if previous else None,
            following=(following.name, member_url(following)) if following else None,
            speakers=speakers,
            no_speaker=_(NO_SPEAKER),
            next_label=_("Lưu và sang đồng chí %(name)s", name=following.name)
            if following
            else _("Lưu và sang bước bỏ phiếu"),
        )

    return save_form(
        form,
        save,
        render,
        lambda: after if wants_next() else member_url(participant),
        _("Đã lưu phần tự kiểm điểm của đồng chí %(name)s.", name=participant.name),
    )
