"""Routes of the results: the results page with its seal, the ballot papers, the ward's rules.

Every figure on these pages comes from the rules core (``rules.evaluate`` through
``records`` and ``counting``); the views only arrange what it returns for the templates.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from .. import counting
from ..access import may_edit_cell
from ..counting_pages.provenance_view import provenance_section
from ..database import write_transaction
from ..extensions import db
from ..meeting.steps import render_step
from ..meeting_edits import Refused
from ..meeting_store import load_meeting, meeting_file, record_file, review_year_rules, seal_differences
from ..meetingfile import MeetingFile
from ..models import Cell, Meeting, Organization, ReviewYear, Role, Seal, User
from ..provenance import request_source
from ..rules import (
    CELL_ROW,
    FLAG_LABELS,
    LEVEL_LABELS,
    LEVELS,
    NOT_RATED_LABELS,
    PROFILES,
    UNDECIDED,
    BallotCount,
    Level,
    MeetingResult,
    Problem,
    Rules,
    Votes,
    default_profile,
    format_ratio,
)
from . import bp
from .forms import (
    BALLOT_MODE_LABELS,
    MAX_YEAR,
    MIN_YEAR,
    OVERRIDE_LABELS,
    PROFILE_BASIS,
    QUOTA_POOL_LABELS,
    ApproveForm,
    ReopenForm,
    RulesForm,
    YearForm,
)

PROVISIONAL = "Kết quả tạm tính (chưa niêm phong)"
NO_MAJORITY = "Không đủ quá nửa"
BY_IMPORT = "nhập từ tệp"
ROLE_NAMES = {"chief": "Trưởng ban kiểm phiếu", "secretary": "Bí thư chi bộ"}
APPROVE_LABELS = {
    "chief": "Trưởng ban kiểm phiếu xác nhận niêm phong",
    "secretary": "Bí thư xác nhận niêm phong",
}
BALLOT_FIELDS = {
    "issued": "Số phiếu phát ra",
    "returned": "Số phiếu thu vào",
    "invalid": "Số phiếu không hợp lệ",
}
VOTE_FIELD_LABELS = {**{str(level): LEVEL_LABELS[level] for level in LEVELS}, "blank": "Bỏ trống, gạch xóa"}


# ---------------------------------------------------------------------------
# Who may reach what (in this blueprint only)

SECRETARY, COUNTER, WARD = "secretary", "counter", "ward"


def viewed_meeting(meeting_id: int) -> tuple[Meeting, str]:
    """Return the meeting and how the signed-in user sees it: as its secretary, a counter or the ward.

    The cell's secretary or an administrator: ``secretary``; a counter of this meeting:
    ``counter``; a ward account of the cell's organisation: ``ward`` (read only). Anyone
    else gets a 404, so nothing of another cell leaks.
    """
    meeting = load_meeting(meeting_id)
    if meeting is None:
        abort(404)
    role = current_user.role
    if role is Role.WARD:
        if current_user.organization_id != meeting.cell.organization_id:
            abort(404)
        return meeting, WARD
    if may_edit_cell(meeting.cell_id):
        return meeting, SECRETARY
    if counting.counts_for(current_user, meeting):
        return meeting, COUNTER
    abort(404)


def seal_role(meeting: Meeting, viewer: str) -> str | None:
    """Return the role in which the user approves a seal: the chief counter, the secretary, or none."""
    if viewer == COUNTER and counting.is_chief(current_user, meeting):
        return "chief"
    if viewer == SECRETARY:
        return "secretary"
    return None


def may_reopen(meeting: Meeting, viewer: str) -> bool:
    """Return whether the user may reopen the seal: the secretary (or an admin), or the chief counter."""
    return viewer == SECRETARY or (viewer == COUNTER and counting.is_chief(current_user, meeting))


def ruled_organization(organization_id: int) -> Organization:
    """Return the organisation whose rules the user sets: its ward account or an admin; 404 for anyone else.

    A secretary or counter gets 404 for every organisation's rules, their own cell's included:
    the rules are no page of theirs (they read the rules applied on the results page), and one
    answer for all keeps the pages from telling which organisation a cell belongs to.
    """
    organization = db.session.get(Organization, organization_id)
    if organization is None:
        abort(404)
    role = current_user.role
    if role is Role.ADMIN:
        return organization
    if role is Role.WARD and current_user.organization_id == organization.id:
        return organization
    abort(404)


def lock_meeting(meeting_id: int) -> None:
    """Hold the meeting's row for the write transaction (PostgreSQL; SQLite's write lock does it)."""
    db.session.execute(select(Meeting.id).where(Meeting.id == meeting_id).with_for_update())


def acting_user() -> User:
    """Return the signed-in user, loaded in the current transaction.

    The write transaction begins by committing the request's read transaction, which
    expires every loaded object; loading the account again here keeps its refresh (and the
    autoflush that comes with it) from landing in the middle of a half-made change.
    """
    user = db.session.get(User, current_user.id)  # get_id() is "<id>:<session token>"
    assert user is not None
    return user


def run_action(
    form: FlaskForm, action: Callable[[], str], render: Callable[[], str], next_url: str
) -> ResponseReturnValue:
    """Validate ``form`` and run ``action`` in one write transaction; show the page again on refusal.

    ``action`` returns the message to flash. Nothing is written when the form is wrong or
    ``action`` raises :class:`Refused` (the transaction is rolled back).
    """
    if form.validate():
        try:
            with write_transaction():
                message = action()
        except Refused as refused:
            name = refused.field if refused.field in form else "csrf_token"
            form[name].errors = list(form[name].errors) + [refused.message]
            return render(), 422
        flash(message, "success")
        return redirect(next_url)
    return render(), 422


# ---------------------------------------------------------------------------
# What the results page shows, arranged from the rules core's results


def when(moment: datetime | None) -> str:
    """Return a moment as the pages write it."""
    return moment.strftime("%d/%m/%Y %H:%M") if moment else ""


def person(user: User | None) -> str:
    """Return the name of an account as the pages write it."""
    if user is None:
        return "(tài khoản đã xóa)"
    return user.display_name or user.username


def level_label(level: Level | str | None) -> str:
    """Return a vote level or a proposed level in Vietnamese."""
    if level is None:
        return "—"
    if level == UNDECIDED:
        return NO_MAJORITY
    return LEVEL_LABELS[Level(level)]


def describe_problem(problem: Problem, names: dict[str, str]) -> str:
    """Return a ballot check's problem naming its row in Vietnamese."""
    path = problem.path
    if path and path[0] in BALLOT_FIELDS:
        where = BALLOT_FIELDS[str(path[0])]
    elif len(path) >= 2 and path[0] == "rows":
        key = str(path[1])
        where = "Dòng tập thể chi bộ" if key == CELL_ROW else f"Dòng đồng chí {names.get(key, key)}"
        if len(path) >= 3:
            where += f", ô {VOTE_FIELD_LABELS.get(str(path[2]), str(path[2]))}"
    else:
        where = "Phiếu"
    return f"{where}: {problem.message}"


def rules_lines(rules: Rules) -> list[dict[str, str]]:
    """Return the rules applied, one line each: what, the value, and its key for the page."""
    threshold = rules.excellent_threshold
    if threshold <= PROFILES[rules.profile].excellent_threshold:
        excellent = f"quá nửa ({format_ratio(threshold)}) số thành viên, như các mức khác"
    else:
        excellent = f"từ {format_ratio(threshold)} số thành viên trở lên (và quá nửa)"
    if rules.sick_leave_cap_months is None:
        sick = "Không giới hạn: đánh giá theo kết quả công việc thực tế"
    else:
        sick = f"Nghỉ ốm từ {rules.sick_leave_cap_months} tháng trở lên trong năm: tối đa Hoàn thành nhiệm vụ"
    return [
        {
            "key": "profile",
            "what": "Hồ sơ quy định",
            "value": f"{rules.profile} (năm {rules.years}): {PROFILE_BASIS.get(rules.profile, '')}",
        },
        {
            "key": "quorum",
            "what": "Tỉ lệ có mặt để hội nghị hợp lệ",
            "value": f"{format_ratio(rules.quorum)} số thành viên",
        },
        {"key": "threshold", "what": "Ngưỡng mỗi mức", "value": "quá nửa số thành viên (cơ sở tính)"},
        {"key": "excellent_threshold", "what": "Ngưỡng Hoàn thành xuất sắc nhiệm vụ", "value": excellent},
        {
            "key": "cumulative",
            "what": "Cộng dồn phiếu",
            "value": "Có: phiếu mức cao hơn được tính cho các mức thấp hơn"
            if rules.cumulative
            else "Không: mỗi mức chỉ tính phiếu của chính mức đó",
        },
        {"key": "ballot_mode", "what": "Hình thức bỏ phiếu", "value": BALLOT_MODE_LABELS[rules.ballot_mode]},
        {
            "key": "quota",
            "what": "Tỉ lệ xuất sắc tối đa",
            "value": f"{format_ratio(rules.quota_ratio)} {QUOTA_POOL_LABELS[rules.quota_pool]}, làm tròn xuống",
        },
        {"key": "sick_leave_cap", "what": "Nghỉ ốm dài ngày", "value": sick},
        {
            "key": "new_members",
            "what": "Đảng viên vào Đảng chưa đủ 6 tháng",
            "value": "Được kiểm điểm nhưng không xếp loại"
            if rules.new_members_reviewed
            else "Không kiểm điểm, không xếp loại",
        },
        {
            "key": "scored",
            "what": "Chấm điểm (thang 100)",
            "value": "Có: mức xếp loại không cao hơn mức của điểm tự chấm" if rules.scored else "Không",
        },
    ]


def quota_line(result: MeetingResult, rules: Rules) -> dict[str, object]:
    """Return the quota on excellent as the page states it (a warning at cell level, SPEC 5.6)."""
    q = result.quota
    return {
        "pool": q.pool,
        "limit": q.limit,
        "excellent": q.excellent,
        "exceeded": q.exceeded,
        "ratio": format_ratio(rules.quota_ratio),
        "pool_label": QUOTA_POOL_LABELS[rules.quota_pool],
        "pool_kind": str(rules.quota_pool),
    }


def results_view(meeting: Meeting) -> dict[str, Any]:
    """Return the results to show: from the sealed final tally, else from the first entry, else none."""
    first = meeting.tally("first")
    count: BallotCount | None = None
    if meeting.sealed:
        source = "sealed"
        mf = record_file(meeting)  # what was sealed, not the records as they may have changed since
        result = mf.evaluate()
        count = mf.ballot.count() if mf.ballot is not None else None
    elif first is not None and first.updated_at is not None:
        source = "provisional"
        mf = meeting_file(meeting)
        result = counting.entry_result(meeting, first)
        count = counting.ballot_of(first)
    else:
        source = "none"
        mf = meeting_file(meeting)
        result = mf.evaluate()
    names = {m.id: m.name for m in mf.members}
    rows: dict[str, Votes] = dict(count.rows) if count is not None else {}
    rated, not_rated = [], []
    for r in result.members:
        if not r.rated:
            not_rated.append({"key": r.key, "name": names[r.key], "reason": NOT_RATED_LABELS[r.not_rated_reason]})
            continue
        rated.append(
            {
                "key": r.key,
                "name": names[r.key],
                "votes": rows.get(r.key),
                "vote_key": str(r.vote_level) if r.vote_level is not None else "",
                "vote_level": level_label(r.vote_level),
                "proposed_key": str(r.proposed_level) if r.proposed_level is not None else "",
                "proposed_level": level_label(r.proposed_level) if r.vote_level is not None else "—",
                "flags": [FLAG_LABELS[f] for f in r.flags],
            }
        )
    cell = {
        "votes": rows.get(CELL_ROW),
        "vote_key": str(result.cell.vote_level) if result.cell.vote_level is not None else "",
        "vote_level": level_label(result.cell.vote_level),
        "proposed_key": str(result.cell.proposed_level) if result.cell.proposed_level is not None else "",
        "proposed_level": level_label(result.cell.proposed_level) if result.cell.vote_level is not None else "—",
        "flags": [FLAG_LABELS[f] for f in result.cell.flags],
    }
    summary = [
        {"key": str(level), "label": LEVEL_LABELS[level], "count": result.summary[str(level)]} for level in LEVELS
    ]
    summary += [
        {
            "key": "undecided",
            "label": "Chưa đủ quá nửa (biểu quyết lại hoặc đảng ủy quyết định)",
            "count": result.summary["undecided"],
        },
        {"key": "not_rated", "label": "Không xếp loại", "count": result.summary["not_rated"]},
    ]
    return {
        "source": source,
        "mf": mf,
        "result": result,
        "count": count,
        "valid": count.valid if count is not None else None,
        "members": rated,
        "not_rated": not_rated,
        "cell": cell,
        "summary": summary,
        "quota": quota_line(result, mf.rules),
        "rules": rules_lines(mf.rules),
        "problems": [describe_problem(p, names) for p in result.ballot_problems],
        "vote_fields": [(str(level), level.short, LEVEL_LABELS[level]) for level in LEVELS],
    }


def seal_view(meeting: Meeting, viewer: str, mf: MeetingFile) -> dict[str, Any]:
    """Return the seal section: the seal in force and earlier versions, or what sealing still needs."""
    current = meeting.current_seal
    history = [
        {
            "version": s.version,
            "sealed_at": when(s.sealed_at),
            "by": sealed_by(s),
            "fingerprint": s.fingerprint,
            "reopened_at": when(s.reopened_at),
            "reopened_by": person(s.reopened_by) if s.reopened_by_id else "",
            "reason": s.reopen_reason or "",
        }
        for s in meeting.seals
        if s is not current
    ]
    view: dict[str, Any] = {
        "history": history,
        "role": seal_role(meeting, viewer),
        "may_reopen": may_reopen(meeting, viewer),
    }
    if current is not None:
        view["seal"] = {
            "version": current.version,
            "sealed_at": when(current.sealed_at),
            "by": sealed_by(current),
            "fingerprint": current.fingerprint,
            # The data now against what was sealed: they differ only if something changed underneath
            # (old seals carry a larger payload: only what a seal covers is compared).
            "differences": (found := seal_differences(meeting)),
            "intact": not found,
        }
        return view
    blockers = counting.seal_blockers(meeting)
    view["blockers"] = blockers
    if not blockers:
        _, candidate_fingerprint = counting.candidate(meeting)
        view["candidate"] = candidate_fingerprint
        approvals = []
        for role in ("chief", "secretary"):
            approval = next((a for a in meeting.seal_approvals if a.role == role), None)
            approvals.append(
                {
                    "role": role,
                    "label": ROLE_NAMES[role],
                    "by": person(approval.user) if approval else "",
                    "at": when(approval.approved_at) if approval else "",
                    "current": approval is not None and approval.fingerprint == candidate_fingerprint,
                    "stale": approval is not None and approval.fingerprint != candidate_fingerprint,
                }
            )
        view["approvals"] = approvals
        mine = next((a for a in approvals if a["role"] == view["role"]), None)
        view["may_approve"] = mine is not None and not mine["current"]
        view["approve_label"] = APPROVE_LABELS.get(view["role"] or "", "")
    return view


def sealed_by(seal: Seal) -> str:
    """Return who sealed a version: the chief counter and the secretary, or the import."""
    if seal.chief_id is None and seal.secretary_id is None:
        return BY_IMPORT
    # Each name isolated (<bdi>; Markup.format escapes them): a right-to-left mark stays in its name.
    return Markup("Trưởng ban kiểm phiếu <bdi>{}</bdi>; Bí thư <bdi>{}</bdi>").format(
        person(seal.chief), person(seal.secretary)
    )


def render_results(
    meeting: Meeting, viewer: str, approve_form: ApproveForm | None = None, reopen_form: ReopenForm | None = None
) -> str:
    """Render the results page, inside the meeting's steps for its secretary."""
    shown = results_view(meeting)
    seal = seal_view(meeting, viewer, shown["mf"])
    if approve_form is None:
        approve_form = ApproveForm(formdata=None, data={"fingerprint": seal.get("candidate", "")})
    else:
        approve_form.fingerprint.data = seal.get("candidate", "")  # always approve what is shown now
    context = dict(
        shown=shown,
        seal=seal,
        viewer=viewer,
        approve_form=approve_form,
        reopen_form=reopen_form or ReopenForm(formdata=None),
        provisional_label=PROVISIONAL,
        may_print=viewer in (SECRETARY, COUNTER),
        may_set_rules=current_user.role in (Role.WARD, Role.ADMIN),
        provenance=provenance_section(meeting),  # where the entries and approvals came from
    )
    if viewer == SECRETARY:
        return render_step("results/results.html", meeting, "ballot", layout="meeting/_layout.html", **context)
    return render_template("results/results.html", meeting=meeting, layout="results/_plain.html", **context)


# ---------------------------------------------------------------------------
# The results page, approvals and reopening


@bp.route("/meetings/<int:meeting_id>/results")
@login_required
def results(meeting_id: int) -> ResponseReturnValue:
    """Show the results as the rules core computes them, the rules applied, and the seal."""
    meeting, viewer = viewed_meeting(meeting_id)
    return render_results(meeting, viewer)


@bp.route("/meetings/<int:meeting_id>/results/approve", methods=["POST"])
@login_required
def approve(meeting_id: int) -> ResponseReturnValue:
    """Record the chief counter's or the secretary's approval of what they saw; seal when both agree."""
    meeting, viewer = viewed_meeting(meeting_id)
    role = seal_role(meeting, viewer)
    if role is None:
        abort(403)
    form = ApproveForm()
    shown = form.fingerprint.data or ""

    def action() -> str:
        lock_meeting(meeting.id)
        sealed = counting.approve(meeting, acting_user(), role, shown, request_source())
        if sealed:
            return f"Đã niêm phong kết quả kiểm phiếu – phiên bản {meeting.current_seal.version}."
        other = "bí thư" if role == "chief" else "trưởng ban kiểm phiếu"
        return f"Đã ghi xác nhận của {ROLE_NAMES[role].lower()}. Chờ {other} xác nhận cùng số liệu này."

    return run_action(
        form,
        action,
        lambda: render_results(meeting, viewer, approve_form=form),
        url_for("results.results", meeting_id=meeting.id),
    )


@bp.route("/meetings/<int:meeting_id>/results/reopen", methods=["POST"])
@login_required
def reopen(meeting_id: int) -> ResponseReturnValue:
    """Open the seal again for a written reason; the sealed version stays on record."""
    meeting, viewer = viewed_meeting(meeting_id)
    if not may_reopen(meeting, viewer):
        abort(403)
    form = ReopenForm()

    def action() -> str:
        lock_meeting(meeting.id)
        version = meeting.current_seal.version if meeting.current_seal else None
        counting.reopen(meeting, acting_user(), form.reason.data or "")
        return f"Đã mở niêm phong phiên bản {version}. Phiên bản này vẫn được lưu cùng lý do mở."

    return run_action(
        form,
        action,
        lambda: render_results(meeting, viewer, reopen_form=form),
        url_for("results.results", meeting_id=meeting.id),
    )


# ---------------------------------------------------------------------------
# The ward committee's rules for a year


def year_meetings(organization: Organization, year: int, lock: bool = False) -> list[Meeting]:
    """Return the meetings of the organisation's cells in the review year.

    With ``lock``, hold their rows for the write transaction (PostgreSQL), so no meeting is
    sealed between the check and the change of the rules (sealing locks the same row).
    """
    query = (
        select(Meeting)
        .join(Meeting.review_year)
        .join(Meeting.cell)
        .where(ReviewYear.organization_id == organization.id, ReviewYear.year == year)
        .order_by(Cell.name)
        .options(selectinload(Meeting.cell), selectinload(Meeting.seals).defer(Seal.payload))  # no query a meeting
    )
    if lock:
        query = query.with_for_update(of=Meeting)
    return list(db.session.scalars(query))


def sealed_refusal(meetings: list[Meeting], year: int) -> str | None:
    """Return why the year's rules cannot change (a sealed meeting), or None."""
    sealed = [m.cell.name for m in meetings if m.sealed]
    if not sealed:
        return None
    return (
        f"Năm {year} đã có kết quả kiểm phiếu đã niêm phong ({', '.join(sealed)}): không đổi được quy định. "
        "Muốn đổi, chi bộ phải mở niêm phong và ghi rõ lý do trước."
    )


def overrides_text(review_year: ReviewYear) -> str:
    """Return a review year's overrides in Vietnamese, or that the profile applies as it is."""
    parts = []
    for key, value in review_year.overrides().items():
        if key == "cumulative":
            value = "có" if value else "không"
        elif key == "ballot_mode":
            value = BALLOT_MODE_LABELS.get(value, value).lower()  # type: ignore[call-overload]
        elif key == "quota_pool":
            value = QUOTA_POOL_LABELS.get(value, value)  # type: ignore[call-overload]
        parts.append(f"{OVERRIDE_LABELS[key]}: {value}")
    return "; ".join(parts) if parts else "Theo hồ sơ, không điều chỉnh"


@bp.route("/organizations/<int:organization_id>/rules")
@login_required
def rules_index(organization_id: int) -> ResponseReturnValue:
    """List the organisation's review years and their rules; pick a year to set."""
    organization = ruled_organization(organization_id)
    form = YearForm(request.args if "year" in request.args else None)
    if "year" in request.args and form.validate():
        return redirect(url_for("results.rules", organization_id=organization.id, year=form.year.data))
    years = []
    for review_year in sorted(organization.review_years, key=lambda y: y.year, reverse=True):
        meetings = year_meetings(organization, review_year.year)
        years.append(
            {
                "year": review_year.year,
                "profile": review_year.profile,
                "basis": PROFILE_BASIS.get(review_year.profile, ""),
                "overrides": overrides_text(review_year),
                "meetings": len(meetings),
                "sealed": sum(1 for m in meetings if m.sealed),
            }
        )
    page = render_template("results/rules_index.html", organization=organization, years=years, form=form)
    return page, (422 if form.errors else 200)


@bp.route("/organizations/<int:organization_id>/rules/<int:year>", methods=["GET", "POST"])
@login_required
def rules(organization_id: int, year: int) -> ResponseReturnValue:
    """Set the rule profile of the organisation's review year and its overrides (SPEC 6)."""
    organization = ruled_organization(organization_id)
    if not MIN_YEAR <= year <= MAX_YEAR:
        abort(404)
    review_year = db.session.scalar(
        select(ReviewYear).where(ReviewYear.organization_id == organization.id, ReviewYear.year == year)
    )
    data = None
    if request.method == "GET":
        if review_year is not None:
            data = {"profile": review_year.profile}
            for key, value in review_year.overrides().items():
                data[key] = ("yes" if value else "no") if key == "cumulative" else value
        else:
            profile = default_profile(year)
            data = {"profile": profile.profile if profile else ""}
    form = RulesForm(data=data, year=year)

    def action() -> str:
        # Inside the write transaction: a meeting sealed meanwhile still stops the change.
        refusal = sealed_refusal(year_meetings(organization, year, lock=True), year)
        if refusal:
            raise Refused("csrf_token", refusal)
        target = db.session.scalar(
            select(ReviewYear).where(ReviewYear.organization_id == organization.id, ReviewYear.year == year)
        )
        if target is None:
            target = ReviewYear(organization_id=organization.id, year=year)
            db.session.add(target)
        target.profile = form.profile.data
        for key, value in form.stored_overrides().items():
            setattr(target, key, value)
        return f"Đã lưu quy định đánh giá, xếp loại năm {year}."

    def render() -> str:
        meetings = year_meetings(organization, year)
        applied = review_year_rules(review_year) if review_year is not None else None
        shown = PROFILES.get(form.profile.data or "") or default_profile(year) or PROFILES["hd21-2019"]
        defaults = {
            "quorum": format_ratio(shown.quorum),
            "excellent_threshold": format_ratio(shown.excellent_threshold),
            "quota_ratio": format_ratio(shown.quota_ratio)
            + (
                f" (hồ sơ cho phép đến {format_ratio(shown.max_quota_ratio)} theo quyết định của Đảng ủy)"
                if shown.max_quota_ratio != shown.quota_ratio
                else ""
            ),
        }
        return render_template(
            "results/rules.html",
            organization=organization,
            year=year,
            form=form,
            meetings=meetings,
            refusal=sealed_refusal(meetings, year),
            applied=rules_lines(applied) if applied else None,
            defaults=defaults,
        )

    if request.method == "GET":
        return render()
    return run_action(form, action, render, url_for("results.rules", organization_id=organization.id, year=year))
