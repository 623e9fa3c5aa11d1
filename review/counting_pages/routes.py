"""Routes of the ballot-counting committee (ban kiểm phiếu).

Every number check is the rules core's (through ``review.counting``); these views only gather
the form, call the service and show what it answers. What the pages show is arranged in
``presenters``, naming each row by the member's name; who may reach what is ``review.access``.
"""

from __future__ import annotations

from flask import abort, current_app, flash, g, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user

from ..access import COUNT, allows, compared_meeting, counted_meeting, editable_meeting, secretary_required
from ..auth import throttle
from ..auth.sign_ins import record_sign_in
from ..counting import (
    ENTRIES,
    FIRST_BALLOT_SEALED_MESSAGE,
    SEALED_MESSAGE,
    SECOND_BEFORE_FIRST_MESSAGE,
    ballot_fields,
    chief_member_id,
    claim_entry,
    current_entries,
    eligible_counters,
    entry_of,
    entry_problems,
    entry_result,
    issue_code,
    outstanding_codes,
    parse_entry,
    participant_names,
    redeem_code,
    revoke_codes,
    save_entry,
    set_committee,
    two_ballots,
    with_ballot,
    with_second_ballot,
)
from ..database import write_transaction
from ..extensions import db
from ..form_saving import save_form
from ..i18n import translate, translate_all
from ..layout import document_links, render_step
from ..meeting_edits import Refused
from ..meeting_store import FINAL_TALLY, FIRST_BALLOT, SECOND_BALLOT
from ..models import Meeting, User
from ..provenance import request_source
from ..rules import MIN_COUNTERS, BallotCount, MeetingResult, SecondBallotCount
from ..translatable import N_
from ..versioning import Conflict, check_version, check_versions, versions_token
from ..vocabulary import BALLOT_NAMES
from . import bp
from .forms import CodeForm, CommitteeForm, IssueCodeForm, TallyForm
from .presenters import (
    COUNT_FIELDS,
    COUNT_LABELS,
    ENTRY_LABELS,
    FIELD_LABELS,
    FIELD_SHORT,
    BallotRow,
    account_name,
    ballot_rows,
    committee_candidates,
    counter_accounts,
    describe,
    difference_lines,
    entries_by_member,
    entry_lines,
    entry_summaries,
    figures,
    marks,
    tally_values,
)

BAD_CODE = N_("Mã không đúng, đã dùng hoặc đã hết hạn. Đề nghị đồng chí bí thư cấp mã mới.")


def posted_values(rows: list[BallotRow], fields: tuple[str, ...]) -> dict[str, str]:
    """Return the values as typed, to show them again."""
    names = [*COUNT_FIELDS, "invalid_reasons"] + [f"rows-{r.key}-{f}" for r in rows for f in fields]
    return {name: request.form.get(name, "") for name in names}


# ---------------------------------------------------------------------------
# Two ballots (SPEC 5.8): the same pages for ballot 1 (/tally) and ballot 2 (/tally/2).


def asked_ballot(meeting: Meeting) -> int:
    """Return the ballot a page asks for (``?ballot=2``; none or 1: the single ballot or ballot 1),
    when the meeting has it (ballot 2: only under two ballots); else 404."""
    asked = request.args.get("ballot", "1")
    if asked not in ("1", "2"):
        abort(404)
    ballot = int(asked)
    if ballot == SECOND_BALLOT and not two_ballots(meeting):
        abort(404)
    return ballot


def ballot_arg(ballot: int) -> int | None:
    """Return the ``ballot`` query value of a page's links: 2 for ballot 2, none for ballot 1."""
    return SECOND_BALLOT if ballot == SECOND_BALLOT else None


def ballot_closed(meeting: Meeting, ballot: int) -> bool:
    """Return whether a ballot's entries are read-only: it is sealed (ballot 1 of two: once ballot 1 is)."""
    return meeting.sealed if ballot == SECOND_BALLOT else meeting.first_ballot_sealed


def closed_message(meeting: Meeting, ballot: int) -> str:
    """Return why a ballot's entries are read-only, in the request's language."""
    return _(FIRST_BALLOT_SEALED_MESSAGE if ballot == FIRST_BALLOT and not meeting.sealed else SEALED_MESSAGE)


def ballot_tabs(meeting: Meeting, ballot: int, endpoint: str) -> list[dict[str, object]] | None:
    """Return the links between the two ballots' pages, or None under a single ballot."""
    if not two_ballots(meeting):
        return None
    return [
        {
            "label": translate(BALLOT_NAMES[number]),
            "url": url_for(endpoint, meeting_id=meeting.id, ballot=ballot_arg(number))
            if number == FIRST_BALLOT or meeting.first_ballot_sealed
            else None,
            "current": number == ballot,
        }
        for number in (FIRST_BALLOT, SECOND_BALLOT)
    ]


def typed_result(meeting: Meeting, typed: BallotCount | SecondBallotCount) -> MeetingResult:
    """Return the results of the numbers as typed, beside the sealed ballot 1 for ballot 2."""
    if isinstance(typed, SecondBallotCount):
        return with_second_ballot(meeting, typed).evaluate()
    return with_ballot(meeting, typed).evaluate()


def typed_problems(meeting: Meeting, typed: BallotCount | SecondBallotCount, ballot: int) -> tuple:
    """Return the rules core's checks of the numbers as typed, for the ballot's own page."""
    return entry_problems(typed_result(meeting, typed), ballot)


# ---------------------------------------------------------------------------
# The committee (secretary)


def link_for_others(endpoint: str, **values: object) -> str | None:
    """Return the full address of a page, to be handed to someone else (read out, written down).

    It is built from REVIEW_BASE_URL, never from the request's Host header (which whoever
    sends the request chooses). Reading of "when it is not set": in development and tests the
    request's own root serves; in production there is no link (None), and the page shows the
    path with a notice asking the administrator to set REVIEW_BASE_URL.
    """
    path = url_for(endpoint, **values)  # includes the application's root path (SCRIPT_NAME)
    base = current_app.config.get("REVIEW_BASE_URL")
    if base:
        root = request.script_root
        return base + (path[len(root) :] if root and path.startswith(root) else path)
    if current_app.config.get("TESTING") or current_app.config.get("REVIEW_DEVELOPMENT"):
        return url_for(endpoint, _external=True, **values)
    return None


def render_committee(
    meeting: Meeting, form: CommitteeForm, new_code: dict | None = None, code_error: str | None = None
) -> str:
    candidates = committee_candidates(meeting)
    accounts, by_code = counter_accounts(meeting)
    ticked = set(form.members.data or [])
    return render_step(
        "counting/committee.html",
        meeting,
        "ballot",
        form=form,
        candidates=candidates,
        ticked=ticked,
        counters=list(meeting.counters),
        min_counters=MIN_COUNTERS,
        names=participant_names(meeting),
        chief_id=chief_member_id(meeting),
        accounts=accounts,
        code_accounts=by_code,
        codes=outstanding_codes(meeting),
        typed=entries_by_member(meeting),
        code_form=IssueCodeForm(),
        new_code=new_code,
        code_error=code_error,
        code_url=link_for_others("counting.code_login"),
        code_path=url_for("counting.code_login"),
        sealed_message=_(SEALED_MESSAGE),
    )


def committee_form(meeting: Meeting, stored: bool = False) -> CommitteeForm:
    """Return the committee form: as posted, or as stored (on a GET, or when ``stored``)."""
    if stored or request.method != "POST":
        data = {
            "members": [c.member_id for c in meeting.counters],
            "chief": chief_member_id(meeting) or 0,
            "version": versions_token(list(meeting.counters)),
        }
        form = CommitteeForm(formdata=None, data=data)
    else:
        form = CommitteeForm()
    eligible = eligible_counters(meeting)
    form.members.choices = [(p.member_id, p.name) for p in meeting.participants]
    form.chief.choices = [(0, _("— Chọn trưởng ban —"))] + [(p.member_id, p.name) for p in eligible]
    return form


@bp.route("/meetings/<int:meeting_id>/committee", methods=["GET", "POST"])
@secretary_required
def committee(meeting_id: int) -> ResponseReturnValue:
    """Choose the ballot-counting committee and its chief; issue one-time codes to the counters."""
    meeting = editable_meeting(meeting_id)
    form = committee_form(meeting)

    def save() -> None:
        names = participant_names(meeting)
        check_versions(
            list(meeting.counters),
            form.version.data,
            lambda: [
                (
                    _("Ban kiểm phiếu"),
                    ", ".join(
                        _("Trưởng ban %(name)s", name=names.get(c.member_id, c.member.name))
                        if c.position == 0
                        else names.get(c.member_id, c.member.name)
                        for c in meeting.counters
                    )
                    or _("chưa chọn"),
                ),
            ],
        )
        set_committee(meeting, list(form.members.data or []), form.chief.data)

    def render() -> str:
        return render_committee(meeting, form)

    return save_form(
        form, save, render, lambda: url_for("counting.committee", meeting_id=meeting.id), _("Đã lưu ban kiểm phiếu.")
    )


@bp.route("/meetings/<int:meeting_id>/committee/code/<int:member_id>", methods=["POST"], endpoint="issue_code")
@secretary_required
def issue_code_view(meeting_id: int, member_id: int) -> ResponseReturnValue:
    """Issue a counter a new one-time sign-in code, shown once: in this response, and nowhere else.

    The code is never put in the session (its cookie is only signed, not encrypted) nor
    flashed across a redirect: the committee page is rendered in answer to the POST, not
    to be cached; reloading it asks to post again, which issues another code.
    """
    meeting = editable_meeting(meeting_id)
    form = IssueCodeForm()
    if not form.validate():
        abort(400)
    try:
        with write_transaction():
            issuer = db.session.get(User, current_user.id)
            code = issue_code(meeting, member_id, issued_by=issuer)
    except Refused as refused:
        return render_committee(meeting, committee_form(meeting, stored=True), code_error=refused.message), 422
    new_code = {
        "meeting_id": meeting.id,
        "member_id": member_id,
        "name": participant_names(meeting)[member_id],
        "code": code,
    }
    page = render_committee(meeting, committee_form(meeting, stored=True), new_code=new_code)
    return page, 200, {"Cache-Control": "no-store"}


@bp.route("/meetings/<int:meeting_id>/committee/code/<int:member_id>/revoke", methods=["POST"], endpoint="revoke_code")
@secretary_required
def revoke_code_view(meeting_id: int, member_id: int) -> ResponseReturnValue:
    """Revoke a counter's one-time code not used yet (a code given to the wrong person, or not needed)."""
    meeting = editable_meeting(meeting_id)
    name = participant_names(meeting).get(member_id)
    if name is None:  # no member of this meeting: nothing of anyone else's answered
        abort(404)
    if not IssueCodeForm().validate():
        abort(400)
    with write_transaction():
        revoked = revoke_codes(meeting, member_id)
    if revoked:
        flash(
            _("Đã thu hồi mã đăng nhập một lần của đồng chí %(name)s: mã ấy không dùng được nữa.", name=name), "success"
        )
    else:
        flash(_("Không có mã đăng nhập một lần nào đang chờ dùng để thu hồi."), "error")
    return redirect(url_for("counting.committee", meeting_id=meeting.id, _anchor="codes-title"), code=303)


# ---------------------------------------------------------------------------
# Signing in with a one-time code (public)


@bp.route("/code", methods=["GET", "POST"])
def code_login() -> ResponseReturnValue:
    """Sign a counter in with the one-time code the secretary gave them."""
    form = CodeForm()
    if form.validate_on_submit():
        with write_transaction():
            # Too many wrong codes from this address: refused unchecked (review/auth/throttle.py).
            refusal = throttle.refusal(None)
            user = None if refusal is not None else redeem_code(form.code.data or "")
            if user is not None:
                record_sign_in(user)  # as a password sign-in
                db.session.flush()
                user_id, meeting_id = user.id, user.meeting_id
            elif refusal is None:
                throttle.record_failure(throttle.CODE)
        if refusal is not None:
            form.code.errors.append(translate(refusal.message))
            return render_template("counting/code.html", form=form), 429, {"Retry-After": str(refusal.seconds)}
        if user is not None:
            login_user(db.session.get(User, user_id))
            flash(_("Đã đăng nhập bằng mã một lần. Mời đồng chí nhập kết quả kiểm phiếu."), "success")
            return redirect(url_for("counting.tally", meeting_id=meeting_id))
        form.code.errors.append(_(BAD_CODE))
    status = 422 if form.errors else 200
    return render_template("counting/code.html", form=form), status


# ---------------------------------------------------------------------------
# The tally entry (counters)


def render_tally(
    meeting: Meeting,
    rows: list[BallotRow],
    values: dict[str, str],
    *,
    ballot: int = FIRST_BALLOT,
    errors: dict[str, str] | None = None,
    form_error: str | None = None,
    checked: list[dict[str, object]] | None = None,
    version: str | None = None,
) -> str:
    own = entry_of(meeting, current_user, ballot)
    if version is None:  # the version of the entry the page is loaded with; 0: none stored yet
        version = str(own.version) if own is not None and own.id is not None else "0"
    taken = {t.entry for t in current_entries(meeting, ballot)}  # a superseded entry leaves its place free
    next_entry = next((e for e in ENTRIES if e not in taken), None)
    fields = ballot_fields(meeting, ballot)
    valid, totals = figures(values, rows, fields)
    by_row, by_input = marks(checked or [])
    closed = ballot_closed(meeting, ballot)
    return render_template(
        "counting/tally.html",
        meeting=meeting,
        form=TallyForm(),
        rows=rows,
        values=values,
        errors=errors or {},
        form_error=form_error,
        checked=checked,
        by_row=by_row,
        by_input=by_input,
        valid=valid,
        totals=totals,
        own=own,
        own_label=translate(ENTRY_LABELS.get(own.entry)) if own else None,
        next_label=translate(ENTRY_LABELS.get(next_entry)) if next_entry else None,
        sealed=closed,
        sealed_message=closed_message(meeting, ballot),
        not_yet=_(SECOND_BEFORE_FIRST_MESSAGE) if ballot == SECOND_BALLOT and not meeting.first_ballot_sealed else None,
        ballot=ballot,
        ballot_query=ballot_arg(ballot),
        ballot_name=translate(BALLOT_NAMES[ballot]) if two_ballots(meeting) else None,
        tabs=ballot_tabs(meeting, ballot, "counting.tally"),
        fields=fields,
        field_labels=translate_all(FIELD_LABELS),
        field_short=translate_all(FIELD_SHORT),
        count_labels=translate_all(COUNT_LABELS),
        typed_by=account_name(current_user, meeting),
        version=version,
        meeting_documents=document_links(meeting),
    )


def render_stored(meeting: Meeting, rows: list[BallotRow], ballot: int, form_error: str | None = None) -> str:
    """Render the tally page with the user's stored entry, or the sealed result, and its checks."""
    own = entry_of(meeting, current_user, ballot)
    shown = own if own is not None and own.updated_at is not None else None
    if shown is None and ballot_closed(meeting, ballot):
        shown = meeting.tally(FINAL_TALLY, ballot)  # the sealed result, read-only
    checked = describe(entry_problems(entry_result(meeting, shown), ballot), rows) if shown is not None else None
    fields = ballot_fields(meeting, ballot)
    return render_tally(
        meeting, rows, tally_values(shown, rows, fields), ballot=ballot, form_error=form_error, checked=checked
    )


@bp.route("/meetings/<int:meeting_id>/tally", methods=["GET", "POST"])
@login_required
def tally(meeting_id: int) -> ResponseReturnValue:
    """A counter's own entry of the ballots (ballot 1 or 2 under two), with every consistency check of the rules core."""
    meeting = counted_meeting(meeting_id)
    ballot = asked_ballot(meeting)
    rows = ballot_rows(meeting, ballot)
    keys = [r.key for r in rows]
    fields = ballot_fields(meeting, ballot)
    if request.method == "POST":
        if not TallyForm().validate():
            abort(400)
        values = posted_values(rows, fields)
        posted_version = request.form.get("version")
        typed, errors = parse_entry(request.form, keys, fields)
        if typed is None:
            return render_tally(meeting, rows, values, ballot=ballot, errors=errors, version=posted_version), 422
        try:
            with write_transaction():
                entry = claim_entry(meeting, current_user, ballot)  # holds the meeting's row first
                stored = entry if entry.id is not None else None
                check_version(stored, posted_version, lambda: entry_lines(stored, rows, fields))
                save_entry(meeting, entry, typed, request_source())
                label = ENTRY_LABELS[entry.entry]
        except Conflict as conflict:
            g.conflict = conflict  # the stored entry shown above, the numbers as typed kept below
            return render_tally(meeting, rows, values, ballot=ballot, version=str(conflict.version)), 409
        except Refused as refused:
            if ballot_closed(meeting, ballot) or (ballot == SECOND_BALLOT and not meeting.first_ballot_sealed):
                # a read-only page shows what is stored, never the numbers it refused
                return render_stored(meeting, rows, ballot, form_error=refused.message), 422
            checked = describe(typed_problems(meeting, typed, ballot), rows)
            return render_tally(meeting, rows, values, ballot=ballot, form_error=refused.message, checked=checked), 422
        flash(_("Đã lưu %(entry)s.", entry=translate(label).lower()), "success")
        return redirect(url_for("counting.tally", meeting_id=meeting.id, ballot=ballot_arg(ballot)))
    return render_stored(meeting, rows, ballot)


@bp.route("/meetings/<int:meeting_id>/tally/check", methods=["POST"])
@login_required
def tally_check(meeting_id: int) -> ResponseReturnValue:
    """Return the checks of the numbers as typed, without saving them (the page's script asks)."""
    meeting = counted_meeting(meeting_id)
    ballot = asked_ballot(meeting)
    if not TallyForm().validate():
        abort(400)
    if ballot == SECOND_BALLOT and not meeting.first_ballot_sealed:
        return jsonify(ok=False, errors={"csrf_token": [_(SECOND_BEFORE_FIRST_MESSAGE)]}), 422
    rows = ballot_rows(meeting, ballot)
    typed, errors = parse_entry(request.form, [r.key for r in rows], ballot_fields(meeting, ballot))
    if typed is None:
        return jsonify(ok=False, errors={name: [message] for name, message in errors.items()}), 422
    problems = describe(typed_problems(meeting, typed, ballot), rows)
    return jsonify(ok=True, valid=typed.valid, problems=problems)


# ---------------------------------------------------------------------------
# Comparing the two entries


@bp.route("/meetings/<int:meeting_id>/tally/compare")
@login_required
def compare(meeting_id: int) -> ResponseReturnValue:
    """Show side by side every number on which the ballot's two entries differ."""
    meeting = compared_meeting(meeting_id)
    ballot = asked_ballot(meeting)
    lines = difference_lines(meeting, ballot_rows(meeting, ballot), ballot)
    entries = entry_summaries(meeting, ballot)
    closed = ballot_closed(meeting, ballot)
    return render_template(
        "counting/compare.html",
        meeting=meeting,
        lines=lines,
        entries=entries,
        is_counter=allows(COUNT, meeting=meeting),
        sealed=closed,
        ballot=ballot,
        ballot_query=ballot_arg(ballot),
        ballot_name=translate(BALLOT_NAMES[ballot]) if two_ballots(meeting) else None,
        tabs=ballot_tabs(meeting, ballot, "counting.compare"),
        # When the two entries agree, the way on: the results, then the seal (both on one page).
        onward=(
            {
                "results": url_for("results.results", meeting_id=meeting.id),
                "seal": url_for("results.results", meeting_id=meeting.id, _anchor="seal"),
            }
            if lines == []
            else None
        ),
        meeting_documents=document_links(meeting),
    )
