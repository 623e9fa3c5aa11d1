"""Routes of the rules the ward committee sets for each review year (SPEC 6), and what they show.

The ward works here: the organisation's review years, the rule profile of each, and its overrides.
A sealed meeting of the year stops every change. Who may set them is ``review.access`` (set_rules).
"""

from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..access import ruled_organization
from ..extensions import db
from ..form_saving import run_action
from ..i18n import translate, translate_all
from ..meeting_edits import Refused
from ..meeting_store import review_year_rules
from ..models import Cell, Meeting, Organization, ReviewYear, Seal
from ..results.presenters import rules_lines
from ..rules import PROFILE_BASIS, PROFILES, default_profile, format_ratio, is_review_year, quota_ratio_may_rise
from ..translatable import N_
from ..vocabulary import AGREE_CAP_LABELS, BALLOT_MODE_LABELS, QUOTA_POOL_LABELS
from . import bp
from .forms import OVERRIDE_LABELS, RulesForm, YearForm


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
    """Return why the year's rules cannot change (a sealed meeting), or None; in the request's language."""
    sealed = [m.cell.name for m in meetings if m.sealed]
    if not sealed:
        return None
    return _(
        "Năm %(year)d đã có kết quả kiểm phiếu đã niêm phong (%(cells)s): không đổi được quy định. "
        "Muốn đổi, chi bộ phải mở niêm phong và ghi rõ lý do trước.",
        year=year,
        cells=", ".join(sealed),
    )


# What each ballot option does (SPEC 5.8), beside its field.
RULE_HINTS = {
    "ballot_mode": N_(
        "Một lần (theo hồ sơ): mỗi dòng có đủ bốn mức. Hai vòng: vòng 1 xếp từ Hoàn thành tốt nhiệm vụ trở "
        "xuống; ai đạt Hoàn thành tốt nhiệm vụ (cả tập thể chi bộ) được biểu quyết đồng ý hay không ở vòng 2, "
        "đồng ý đạt ngưỡng Hoàn thành xuất sắc nhiệm vụ thì được đề nghị Hoàn thành xuất sắc nhiệm vụ."
    ),
    "agree_cap": N_(
        "Chỉ khi bỏ phiếu hai vòng. Theo tỉ lệ xuất sắc: mỗi phiếu vòng 2 đồng ý tối đa tỉ lệ xuất sắc × số "
        "đảng viên được biểu quyết (làm tròn xuống); phiếu đồng ý quá số đó là phiếu không hợp lệ."
    ),
}


def overrides_text(review_year: ReviewYear) -> str:
    """Return a review year's overrides in the request's language, or that the profile applies as it is."""
    parts = []
    for key, value in review_year.overrides().items():
        if key == "cumulative":
            value = _("có") if value else _("không")
        elif key == "ballot_mode":
            value = translate(BALLOT_MODE_LABELS.get(value, value)).lower()  # type: ignore[call-overload]
        elif key == "quota_pool":
            value = translate(QUOTA_POOL_LABELS.get(value, value))  # type: ignore[call-overload]
        elif key == "agree_cap":
            value = translate(AGREE_CAP_LABELS.get(value, value)).lower()  # type: ignore[call-overload]
        parts.append(f"{translate(OVERRIDE_LABELS[key])}: {value}")
    return "; ".join(parts) if parts else _("Theo hồ sơ, không điều chỉnh")


@bp.route("/organizations/<int:organization_id>/rules")
@login_required
def rules_index(organization_id: int) -> ResponseReturnValue:
    """List the organisation's review years and their rules; pick a year to set."""
    organization = ruled_organization(organization_id)
    form = YearForm(request.args if "year" in request.args else None)
    if "year" in request.args and form.validate():
        return redirect(url_for("ward.rules", organization_id=organization.id, year=form.year.data))
    years = []
    for review_year in sorted(organization.review_years, key=lambda y: y.year, reverse=True):
        meetings = year_meetings(organization, review_year.year)
        years.append(
            {
                "year": review_year.year,
                "profile": review_year.profile,
                "basis": translate(PROFILE_BASIS.get(review_year.profile, "")),
                "overrides": overrides_text(review_year),
                "meetings": len(meetings),
                "sealed": sum(1 for m in meetings if m.sealed),
            }
        )
    page = render_template("ward/rules_index.html", organization=organization, years=years, form=form)
    return page, (422 if form.errors else 200)


@bp.route("/organizations/<int:organization_id>/rules/<int:year>", methods=["GET", "POST"])
@login_required
def rules(organization_id: int, year: int) -> ResponseReturnValue:
    """Set the rule profile of the organisation's review year and its overrides (SPEC 6)."""
    organization = ruled_organization(organization_id)
    if not is_review_year(year):
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
        return _("Đã lưu quy định đánh giá, xếp loại năm %(year)d.", year=year)

    def render() -> str:
        meetings = year_meetings(organization, year)
        applied = review_year_rules(review_year) if review_year is not None else None
        shown = PROFILES.get(form.profile.data or "") or default_profile(year) or PROFILES["hd21-2019"]
        defaults = {
            "quorum": format_ratio(shown.quorum),
            "excellent_threshold": format_ratio(shown.excellent_threshold),
            "quota_ratio": format_ratio(shown.quota_ratio)
            + (
                " "
                + _(
                    "(hồ sơ cho phép đến %(ratio)s theo quyết định của Đảng ủy)",
                    ratio=format_ratio(shown.max_quota_ratio),
                )
                if quota_ratio_may_rise(shown)
                else ""
            ),
        }
        return render_template(
            "ward/rules.html",
            organization=organization,
            year=year,
            form=form,
            meetings=meetings,
            refusal=sealed_refusal(meetings, year),
            applied=rules_lines(applied) if applied else None,
            defaults=defaults,
            hints=translate_all(RULE_HINTS),
        )

    if request.method == "GET":
        return render()
    return run_action(form, action, render, url_for("ward.rules", organization_id=organization.id, year=year))
