"""Routes of the ballot-counting committee (ban kiểm phiếu).

Every number check is the rules core's (through ``review.counting``); these views only gather
the form, call the service and show what it answers, naming each row by the member's name.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import abort, current_app, flash, g, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required, login_user
from sqlalchemy import select

from ..access import editable_meeting, may_edit_cell, secretary_required
from ..auth import throttle
from ..counting import (
    ENTRIES,
    SEALED_MESSAGE,
    chief_member_id,
    claim_entry,
    counts_for,
    current_entries,
    differences,
    eligible_counters,
    entry_of,
    entry_result,
    issue_code,
    parse_entry,
    participant_names,
    redeem_code,
    save_entry,
    set_committee,
    with_ballot,
)
from ..database import write_transaction
from ..extensions import db
from ..form_saving import save_form
from ..meeting.steps import render_step
from ..meeting_edits import Refused
from ..meeting_store import FINAL_TALLY, meeting_file
from ..models import Meeting, Participant, Role, Tally, User
from ..provenance import request_source
from ..rules import CELL_ROW, LEVEL_LABELS, LEVEL_SHORT, VOTE_FIELDS, Attendance, Difference, Level, Problem, Standing
from ..versioning import Conflict, check_version, check_versions, versions_token
from . import bp
from .forms import CodeForm, CommitteeForm, IssueCodeForm, TallyForm
from .provenance_view import when

ENTRY_LABELS = {"first": "Bản nhập thứ nhất", "second": "Bản nhập thứ hai"}
CELL_LABEL = "Tập thể chi bộ"
COUNT_FIELDS = ("issued", "returned", "invalid")
COUNT_LABELS = {
    "issued": "Số phiếu phát ra",
    "returned": "Số phiếu thu vào",
    "invalid": "Số phiếu không hợp lệ",
}
FIELD_LABELS = {**{level.value: LEVEL_LABELS[level] for level in Level}, "blank": "Bỏ trống, hỏng"}
FIELD_SHORT = {**{level.value: LEVEL_SHORT[level] for level in Level}, "blank": "Bỏ trống, hỏng"}
BAD_CODE = "Mã không đúng, đã dùng hoặc đã hết hạn. Đề nghị đồng chí bí thư cấp mã mới."


# ---------------------------------------------------------------------------
# Who may reach what (in this blueprint only)


def counted_meeting(meeting_id: int) -> Meeting:
    """Return the meeting if the signed-in user counts its ballots; 404 for everyone else."""
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None or not counts_for(current_user, meeting):
        abort(404)
    return meeting


def compared_meeting(meeting_id: int) -> Meeting:
    """Return the meeting for its counters and its cell's secretary (or an admin); 404 otherwise."""
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None or not (counts_for(current_user, meeting) or may_edit_cell(meeting.cell_id)):
        abort(404)
    return meeting


def lock_meeting(meeting: Meeting) -> None:
    """Hold the meeting's row for the write transaction, so two first saves cannot both claim an entry."""
    db.session.execute(select(Meeting.id).where(Meeting.id == meeting.id).with_for_update())


# ---------------------------------------------------------------------------
# The ballot's rows, and the checks named by row


@dataclass(frozen=True)
class BallotRow:
    key: str  # member code, or "cell"
    name: str
    number: int | None  # the member's number on the paper; None for the cell


def ballot_rows(meeting: Meeting) -> list[BallotRow]:
    """Return the rows of the ballot paper: the rated members in meeting order, then the cell."""
    result = meeting_file(meeting).evaluate()
    names = {p.member.code: p.name for p in meeting.participants}  # the meeting's own copy of the names
    rated = [r.key for r in result.members if r.rated]
    return [BallotRow(key, names[key], i) for i, key in enumerate(rated, start=1)] + [
        BallotRow(CELL_ROW, CELL_LABEL, None)
    ]


def row_label(key: str, names: dict[str, str]) -> str:
    """Return how a message names a row: "đồng chí <name>", "Tập thể chi bộ", or the raw key."""
    if key == CELL_ROW:
        return CELL_LABEL
    if key in names:
        return f"đồng chí {names[key]}"
    return key


def describe(problems: tuple[Problem, ...] | list[Problem], rows: list[BallotRow]) -> list[dict[str, object]]:
    """Return the rules core's ballot problems as the page shows them: row, input, full message."""
    names = {r.key: r.name for r in rows if r.key != CELL_ROW}
    described: list[dict[str, object]] = []
    for index, problem in enumerate(problems):
        item: dict[str, object] = {"id": f"check-{index}", "row": None, "input": None, "path": list(problem.path)}
        if problem.path and problem.path[0] == "rows" and len(problem.path) >= 2:
            key = str(problem.path[1])
            field = str(problem.path[2]) if len(problem.path) > 2 else None
            where = f"Dòng {row_label(key, names)}" + (f", cột {FIELD_SHORT.get(field, field)}" if field else "")
            item |= {
                "row": key,
                "input": f"rows-{key}-{field}" if field else None,
                "message": f"{where}: {problem.message}",
            }
        else:
            name = str(problem.path[0]) if problem.path else ""
            item |= {"input": name if name in COUNT_FIELDS else None, "message": problem.message}
        described.append(item)
    return described


def marks(described: list[dict[str, object]]) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """Return the problem ids by row key and by input name, to mark what is wrong."""
    by_row: dict[str, list[str]] = {}
    by_input: dict[str, list[str]] = {}
    for item in described:
        if item["row"]:
            by_row.setdefault(str(item["row"]), []).append(str(item["id"]))
        if item["input"]:
            by_input.setdefault(str(item["input"]), []).append(str(item["id"]))
    return by_row, by_input


def tally_values(tally: Tally | None, rows: list[BallotRow]) -> dict[str, str]:
    """Return a stored entry as the form's values; a new entry starts at 0 except issued and returned."""
    if tally is None:
        values = {"issued": "", "returned": "", "invalid": "0", "invalid_reasons": ""}
        values |= {f"rows-{r.key}-{f}": "0" for r in rows for f in VOTE_FIELDS}
        return values
    stored = {(r.participant.member.code if r.participant else CELL_ROW): r for r in tally.rows}
    values = {name: str(getattr(tally, name)) for name in COUNT_FIELDS} | {"invalid_reasons": tally.invalid_reasons}
    for row in rows:
        found = stored.get(row.key)
        for field in VOTE_FIELDS:
            values[f"rows-{row.key}-{field}"] = str(getattr(found, field)) if found is not None else ""
    return values


def entry_lines(tally: Tally | None, rows: list[BallotRow]) -> list[tuple[str, str]]:
    """Return a stored entry as label and text, shown after a save conflict."""
    if tally is None:
        return []
    stored = tally_values(tally, rows)
    lines = [(COUNT_LABELS[name], stored[name]) for name in COUNT_FIELDS]
    for row in rows:
        votes = ", ".join(f"{FIELD_SHORT[f]} {stored[f'rows-{row.key}-{f}'] or '—'}" for f in VOTE_FIELDS)
        lines.append((row.name, votes))
    if tally.invalid_reasons:
        lines.append(("Lý do phiếu không hợp lệ", tally.invalid_reasons))
    return lines


def posted_values(rows: list[BallotRow]) -> dict[str, str]:
    """Return the values as typed, to show them again."""
    names = [*COUNT_FIELDS, "invalid_reasons"] + [f"rows-{r.key}-{f}" for r in rows for f in VOTE_FIELDS]
    return {name: request.form.get(name, "") for name in names}


def as_number(text: str) -> int | None:
    text = (text or "").strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 6 else None


def figures(values: dict[str, str], rows: list[BallotRow]) -> tuple[int | None, dict[str, int | None]]:
    """Return the valid ballots (returned − invalid) and each row's total, where the numbers are readable."""
    returned, invalid = as_number(values.get("returned", "")), as_number(values.get("invalid", ""))
    valid = returned - invalid if returned is not None and invalid is not None else None
    totals: dict[str, int | None] = {}
    for row in rows:
        numbers = [as_number(values.get(f"rows-{row.key}-{f}", "")) for f in VOTE_FIELDS]
        totals[row.key] = sum(n for n in numbers if n is not None) if all(n is not None for n in numbers) else None
    return valid, totals


def typist(tally: Tally) -> str:
    """Return who typed an entry."""
    if tally.user is None:
        return "(tài khoản đã xóa)"
    return account_name(tally.user, tally.meeting)


def account_name(user: User, meeting: Meeting) -> str:
    """Return the name of the member behind an account as the meeting has it, or the account's own name.

    The meeting's own copy (Participant.name), never the roster's: a member renamed after
    the seal is still named as at the meeting.
    """
    if user.member_id is not None:
        name = participant_names(meeting).get(user.member_id)
        if name is not None:
            return name
        if user.member is not None:  # a member not summoned to this meeting (an admin's account...)
            return user.member.name
    return user.display_name or user.username


# ---------------------------------------------------------------------------
# The committee (secretary)


NOT_ELIGIBLE_ATTENDANCE = {
    Attendance.ABSENT_EXCUSED: "Vắng có lý do: không tham gia ban kiểm phiếu.",
    Attendance.ABSENT: "Vắng mặt: không tham gia ban kiểm phiếu.",
}


def why_not_eligible(participant: Participant) -> str:
    """Return why a participant cannot sit on the committee."""
    if participant.standing == Standing.PROBATIONARY:
        return "Đảng viên dự bị: không được tham gia ban kiểm phiếu."
    if participant.suspended:
        return "Bị đình chỉ sinh hoạt đảng: không có quyền biểu quyết."
    if participant.attendance in NOT_ELIGIBLE_ATTENDANCE:
        return NOT_ELIGIBLE_ATTENDANCE[participant.attendance]
    return "Không có mặt với quyền biểu quyết."


def own_accounts(meeting: Meeting) -> dict[int, User]:
    """Return the counters' own accounts (not code accounts), by member id."""
    member_ids = [c.member_id for c in meeting.counters]
    if not member_ids:
        return {}
    users = db.session.scalars(
        select(User)
        .where(
            User.role == Role.COUNTER,
            User.cell_id == meeting.cell_id,
            User.meeting_id.is_(None),
            User.member_id.in_(member_ids),
        )
        .order_by(User.id)
    )
    accounts: dict[int, User] = {}
    for user in users:
        accounts.setdefault(user.member_id, user)  # type: ignore[arg-type]
    return accounts


def entries_by_member(meeting: Meeting) -> dict[int, str]:
    """Return which entry each counter has typed, by member id."""
    typed: dict[int, str] = {}
    for entry in ENTRIES:
        tally = meeting.tally(entry)
        if tally is not None and tally.user is not None and tally.user.member_id is not None:
            typed[tally.user.member_id] = ENTRY_LABELS[entry]
    return typed


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
    eligible = {p.member_id for p in eligible_counters(meeting)}
    candidates = [
        {
            "participant": p,
            "eligible": p.member_id in eligible,
            "why": None if p.member_id in eligible else why_not_eligible(p),
        }
        for p in meeting.participants
    ]
    ticked = set(form.members.data or [])
    return render_step(
        "counting/committee.html",
        meeting,
        "ballot",
        form=form,
        candidates=candidates,
        ticked=ticked,
        counters=list(meeting.counters),
        names=participant_names(meeting),
        chief_id=chief_member_id(meeting),
        accounts=own_accounts(meeting),
        typed=entries_by_member(meeting),
        code_form=IssueCodeForm(),
        new_code=new_code,
        code_error=code_error,
        code_url=link_for_others("counting.code_login"),
        code_path=url_for("counting.code_login"),
        sealed_message=SEALED_MESSAGE,
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
    form.chief.choices = [(0, "— Chọn trưởng ban —")] + [(p.member_id, p.name) for p in eligible]
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
                    "Ban kiểm phiếu",
                    ", ".join(
                        ("Trưởng ban " if c.position == 0 else "") + names.get(c.member_id, c.member.name)
                        for c in meeting.counters
                    )
                    or "chưa chọn",
                ),
            ],
        )
        set_committee(meeting, list(form.members.data or []), form.chief.data)

    def render() -> str:
        return render_committee(meeting, form)

    return save_form(
        form, save, render, lambda: url_for("counting.committee", meeting_id=meeting.id), "Đã lưu ban kiểm phiếu."
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
                db.session.flush()
                user_id, meeting_id = user.id, user.meeting_id
            elif refusal is None:
                throttle.record_failure(throttle.CODE)
        if refusal is not None:
            form.code.errors.append(refusal.message)
            return render_template("counting/code.html", form=form), 429, {"Retry-After": str(refusal.seconds)}
        if user is not None:
            login_user(db.session.get(User, user_id))
            flash("Đã đăng nhập bằng mã một lần. Mời đồng chí nhập kết quả kiểm phiếu.", "success")
            return redirect(url_for("counting.tally", meeting_id=meeting_id))
        form.code.errors.append(BAD_CODE)
    status = 422 if form.errors else 200
    return render_template("counting/code.html", form=form), status


# ---------------------------------------------------------------------------
# The tally entry (counters)


def render_tally(
    meeting: Meeting,
    rows: list[BallotRow],
    values: dict[str, str],
    *,
    errors: dict[str, str] | None = None,
    form_error: str | None = None,
    checked: list[dict[str, object]] | None = None,
    version: str | None = None,
) -> str:
    own = entry_of(meeting, current_user)
    if version is None:  # the version of the entry the page is loaded with; 0: none stored yet
        version = str(own.version) if own is not None and own.id is not None else "0"
    taken = {t.entry for t in current_entries(meeting)}  # a superseded entry leaves its place free
    next_entry = next((e for e in ENTRIES if e not in taken), None)
    valid, totals = figures(values, rows)
    by_row, by_input = marks(checked or [])
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
        own_label=ENTRY_LABELS.get(own.entry) if own else None,
        next_label=ENTRY_LABELS.get(next_entry) if next_entry else None,
        sealed=meeting.sealed,
        sealed_message=SEALED_MESSAGE,
        fields=VOTE_FIELDS,
        field_labels=FIELD_LABELS,
        field_short=FIELD_SHORT,
        count_labels=COUNT_LABELS,
        when=when,
        typed_by=account_name(current_user, meeting),
        version=version,
    )


def render_stored(meeting: Meeting, rows: list[BallotRow], form_error: str | None = None) -> str:
    """Render the tally page with the user's stored entry, or the sealed result, and its checks."""
    own = entry_of(meeting, current_user)
    shown = own if own is not None and own.updated_at is not None else None
    if shown is None and meeting.sealed:
        shown = meeting.tally(FINAL_TALLY)  # the sealed result, read-only
    checked = describe(entry_result(meeting, shown).ballot_problems, rows) if shown is not None else None
    return render_tally(meeting, rows, tally_values(shown, rows), form_error=form_error, checked=checked)


@bp.route("/meetings/<int:meeting_id>/tally", methods=["GET", "POST"])
@login_required
def tally(meeting_id: int) -> ResponseReturnValue:
    """A counter's own entry of the ballots, with every consistency check of the rules core."""
    meeting = counted_meeting(meeting_id)
    rows = ballot_rows(meeting)
    keys = [r.key for r in rows]
    if request.method == "POST":
        if not TallyForm().validate():
            abort(400)
        values = posted_values(rows)
        posted_version = request.form.get("version")
        ballot, errors = parse_entry(request.form, keys)
        if ballot is None:
            return render_tally(meeting, rows, values, errors=errors, version=posted_version), 422
        try:
            with write_transaction():
                lock_meeting(meeting)
                entry = claim_entry(meeting, current_user)
                stored = entry if entry.id is not None else None
                check_version(stored, posted_version, lambda: entry_lines(stored, rows))
                save_entry(meeting, entry, ballot, request_source())
                label = ENTRY_LABELS[entry.entry]
        except Conflict as conflict:
            g.conflict = conflict  # the stored entry shown above, the numbers as typed kept below
            return render_tally(meeting, rows, values, version=str(conflict.version)), 409
        except Refused as refused:
            if meeting.sealed:  # a read-only page shows what is stored, never the numbers it refused
                return render_stored(meeting, rows, form_error=refused.message), 422
            checked = describe(with_ballot(meeting, ballot).evaluate().ballot_problems, rows)
            return render_tally(meeting, rows, values, form_error=refused.message, checked=checked), 422
        flash(f"Đã lưu {label.lower()}.", "success")
        return redirect(url_for("counting.tally", meeting_id=meeting.id))
    return render_stored(meeting, rows)


@bp.route("/meetings/<int:meeting_id>/tally/check", methods=["POST"])
@login_required
def tally_check(meeting_id: int) -> ResponseReturnValue:
    """Return the checks of the numbers as typed, without saving them (the page's script asks)."""
    meeting = counted_meeting(meeting_id)
    if not TallyForm().validate():
        abort(400)
    rows = ballot_rows(meeting)
    ballot, errors = parse_entry(request.form, [r.key for r in rows])
    if ballot is None:
        return jsonify(ok=False, errors={name: [message] for name, message in errors.items()}), 422
    problems = describe(with_ballot(meeting, ballot).evaluate().ballot_problems, rows)
    return jsonify(ok=True, valid=ballot.valid, problems=problems)


# ---------------------------------------------------------------------------
# Comparing the two entries


def difference_line(difference: Difference, rows: list[BallotRow]) -> dict[str, object]:
    """Return one difference as the comparison table shows it."""
    names = {r.key: r.name for r in rows}
    if difference.path[0] == "rows":
        key, field = difference.path[1], difference.path[2]
        row = names.get(key, key)
        column = FIELD_LABELS.get(field, field)
        short = FIELD_SHORT.get(field, field)
    else:
        row = COUNT_LABELS.get(difference.path[0], difference.path[0])
        column = short = "Số phiếu"
    return {"row": row, "column": column, "short": short, "first": difference.first, "second": difference.second}


def difference_order(rows: list[BallotRow]):  # type: ignore[no-untyped-def]
    order = {r.key: i for i, r in enumerate(rows)}

    def key(difference: Difference) -> tuple[int, int, int]:
        if difference.path[0] != "rows":
            return (0, COUNT_FIELDS.index(difference.path[0]) if difference.path[0] in COUNT_FIELDS else 9, 0)
        field = difference.path[2]
        return (1, order.get(difference.path[1], len(order)), VOTE_FIELDS.index(field) if field in VOTE_FIELDS else 9)

    return key


@bp.route("/meetings/<int:meeting_id>/tally/compare")
@login_required
def compare(meeting_id: int) -> ResponseReturnValue:
    """Show side by side every number on which the two entries differ."""
    meeting = compared_meeting(meeting_id)
    rows = ballot_rows(meeting)
    found = differences(meeting)
    lines = None
    if found is not None:
        lines = [difference_line(d, rows) for d in sorted(found, key=difference_order(rows))]
    entries = []
    for entry in ENTRIES:
        tally_ = meeting.tally(entry)
        saved = tally_ is not None and tally_.updated_at is not None
        entries.append(
            {
                "label": ENTRY_LABELS[entry],
                "saved": saved,
                "who": typist(tally_) if saved else None,
                "when": when(tally_.updated_at) if saved else None,
            }
        )
    return render_template(
        "counting/compare.html",
        meeting=meeting,
        lines=lines,
        entries=entries,
        is_counter=counts_for(current_user, meeting),
        sealed=meeting.sealed,
    )
