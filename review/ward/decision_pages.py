"""Routes of the committee's decision (SPEC 9): the page, each decided level, issuing and reopening.

The view gathers (``decisions.gather``), the rules core decides what is allowed and what the
quota is, the presenter arranges it. Every save goes through ``decisions`` in one write
transaction and carries the version of what the form was loaded with: a save over another
committee member's change is refused showing theirs. Who may do it: ``access.DECIDE``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import abort, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import login_required
from flask_wtf import FlaskForm

from .. import clock, decisions
from ..access import deciding_organization
from ..decision_documents import DOCUMENTS, SUMMARY_XLSX_TITLE
from ..decision_rules import NUMBER_MESSAGE, Issue, SignerTitle, allowance_allowed, basis_token, normalize_number
from ..downloads import NO_STORE
from ..form_saving import acting_user, loaded_version, save_form
from ..i18n import translate
from ..meeting_edits import Refused
from ..models import Organization
from ..rules import is_review_year
from . import bp
from .decision_forms import (
    AllowanceForm,
    ChoiceForm,
    DecisionReopenForm,
    IssueForm,
    NotReviewedForm,
    cell_prefix,
    member_prefix,
    not_reviewed_prefix,
    with_ids,
)
from .decision_presenter import decision_view, preview
from .overview import meeting_years


def _gathered(organization: Organization, year: int) -> decisions.Gathered:
    if not is_review_year(year):
        abort(404)
    try:
        return decisions.gather(organization, year)
    except Refused:  # no rules for that year
        abort(404)


def _page_url(organization: Organization, year: int, anchor: str = "") -> str:
    url = url_for("ward.decision", organization_id=organization.id, year=year)
    return url + (f"#{anchor}" if anchor else "")


def _forms(gathered: decisions.Gathered) -> dict[str, Any]:
    """Return the forms the page shows, filled from what is recorded (an issued decision: the reopening only)."""
    forms: dict[str, FlaskForm] = {}
    if gathered.issued_seal is not None:
        forms["reopen"] = DecisionReopenForm(formdata=None)
        return forms
    for cell in gathered.cells:
        row = gathered.cell_rows.get(int(cell.key))
        if cell.in_decision:
            for member in cell.rated_members:
                member_row = gathered.member_rows.get(int(member.key))
                data = {
                    "level": str(member.decided_level or ""),
                    "reason": member_row.reason if member_row is not None else "",
                    "version": loaded_version(member_row),
                }
                prefix = member_prefix(int(member.key))
                forms[prefix] = with_ids(ChoiceForm(formdata=None, data=data), prefix)
            data = {
                "level": str(cell.decided_level or ""),
                "reason": row.reason if row is not None and row.level is not None else "",
                "version": loaded_version(row),
            }
            prefix = cell_prefix(int(cell.key))
            forms[prefix] = with_ids(ChoiceForm(formdata=None, data=data), prefix)
        if cell.not_reviewed or not cell.sealed:
            prefix = not_reviewed_prefix(int(cell.key))
            data = {"reason": cell.not_reviewed_reason or "", "version": loaded_version(row)}
            forms[prefix] = with_ids(NotReviewedForm(formdata=None, data=data), prefix)
    decision = gathered.decision
    version = loaded_version(decision)
    allowance = gathered.allowance
    if allowance_allowed(gathered.rules):
        data = {
            "allowance_number": allowance.number if allowance else "",
            "allowance_date": allowance.day if allowance else None,
            "version": version,
        }
        forms["allowance"] = AllowanceForm(formdata=None, data=data)
    title = decision.signer_title if decision is not None else None
    data = {
        "number": decision.number if decision is not None else "",
        "issued_on": decision.issued_on if decision is not None else None,
        "place": (decision.place if decision is not None else "") or gathered.organization.place,
        "signer_name": decision.signer_name if decision is not None else "",
        "signer_title": str(title or SignerTitle.SECRETARY),
        "version": version,
        "basis": basis_token(gathered.cells),
    }
    forms["issue"] = IssueForm(formdata=None, data=data)
    return forms


def render_decision(
    organization: Organization, year: int, posted: FlaskForm | None = None, posted_prefix: str = ""
) -> str:
    """Render the decision page (with the posted form as typed, and its errors, when there is one)."""
    gathered = _gathered(organization, year)
    years = meeting_years(organization.id)
    forms = _forms(gathered)
    # A refusal of a form the page does not show (a member no longer in the decision, the
    # allowance in a year without it) is said at the top of the page.
    elsewhere: list[str] = []
    if posted is not None:
        if posted_prefix not in forms:
            elsewhere = [message for errors in posted.errors.values() for message in errors]
        forms[posted_prefix] = posted
    return render_template(
        "ward/decision.html",
        organization=organization,
        d=decision_view(gathered),
        ov={"years": years, "year": year},
        forms=forms,
        elsewhere=elsewhere,
        posted_prefix=posted_prefix,
        # The titles as the page names them; the documents keep their Vietnamese ones.
        documents={key: (translate(title), stem) for key, (title, stem) in DOCUMENTS.items()},
        summary_xlsx_title=translate(SUMMARY_XLSX_TITLE),
        today=clock.today(),
    )


def _refusing_into(form: FlaskForm, save: Callable[[], Any]) -> Callable[[], Any]:
    """Return ``save`` with a refusal about no field of ``form`` (the decision as a whole) put on its CSRF field.

    The refusal's message (the core's) is translated into the request's language on the way.
    """

    def wrapped() -> Any:
        try:
            return save()
        except Refused as refused:
            refused.message = translate(refused.message)
            if refused.field in form:
                raise
            raise Refused("csrf_token", refused.message) from refused

    return wrapped


# ---------------------------------------------------------------------------
# The page


@bp.route("/organizations/<int:organization_id>/decision")
@login_required
def decision_index(organization_id: int) -> ResponseReturnValue:
    """Send the committee to its decision of the latest year a cell met (or of this year)."""
    organization = deciding_organization(organization_id)
    years = meeting_years(organization.id)
    year = years[0] if years else clock.today().year
    return redirect(url_for("ward.decision", organization_id=organization.id, year=year))


@bp.route("/organizations/<int:organization_id>/decision/<int:year>")
@login_required
def decision(organization_id: int, year: int) -> ResponseReturnValue:
    """Show the organisation's year for the committee: every cell, every member, the quotas, issuing."""
    organization = deciding_organization(organization_id)
    return render_decision(organization, year)


@bp.route("/organizations/<int:organization_id>/decision/<int:year>/preview")
@login_required
def decision_preview(organization_id: int, year: int) -> ResponseReturnValue:
    """Return both quotas as they would be with the levels the page's selects show now (nothing saved)."""
    organization = deciding_organization(organization_id)
    gathered = _gathered(organization, year)
    levels = {key: value for key, value in request.args.items() if key.startswith(("member-", "cell-"))}
    response = jsonify(preview(gathered, levels))
    response.headers["Cache-Control"] = NO_STORE
    return response


# ---------------------------------------------------------------------------
# The committee's choices


@bp.route("/organizations/<int:organization_id>/decision/<int:year>/members/<int:member_id>", methods=["POST"])
@login_required
def decision_member(organization_id: int, year: int, member_id: int) -> ResponseReturnValue:
    """Record the committee's level for one rated member (a different level needs a reason)."""
    organization = deciding_organization(organization_id)
    _gathered(organization, year)  # 404 for a year without rules
    prefix = member_prefix(member_id)
    form = with_ids(ChoiceForm(), prefix)

    def save() -> None:
        decisions.choose_member_level(
            organization, year, member_id, form.chosen_level(), form.reason.data or "", form.version.data, acting_user()
        )

    return save_form(
        form,
        _refusing_into(form, save),
        lambda: render_decision(organization, year, form, prefix),
        lambda: _page_url(organization, year, prefix),
        _("Đã lưu mức đảng ủy quyết định."),
    )


@bp.route("/organizations/<int:organization_id>/decision/<int:year>/cells/<int:cell_id>", methods=["POST"])
@login_required
def decision_cell(organization_id: int, year: int, cell_id: int) -> ResponseReturnValue:
    """Record the committee's level for one sealed cell as an organisation."""
    organization = deciding_organization(organization_id)
    _gathered(organization, year)  # 404 for a year without rules
    prefix = cell_prefix(cell_id)
    form = with_ids(ChoiceForm(), prefix)

    def save() -> None:
        decisions.choose_cell_level(
            organization, year, cell_id, form.chosen_level(), form.reason.data or "", form.version.data, acting_user()
        )

    return save_form(
        form,
        _refusing_into(form, save),
        lambda: render_decision(organization, year, form, prefix),
        lambda: _page_url(organization, year, prefix),
        _("Đã lưu mức đảng ủy quyết định cho chi bộ."),
    )


@bp.route("/organizations/<int:organization_id>/decision/<int:year>/cells/<int:cell_id>/not-reviewed", methods=["POST"])
@login_required
def decision_not_reviewed(organization_id: int, year: int, cell_id: int) -> ResponseReturnValue:
    """Record a cell as not reviewed this year with a reason, or withdraw the record."""
    organization = deciding_organization(organization_id)
    _gathered(organization, year)  # 404 for a year without rules
    prefix = not_reviewed_prefix(cell_id)
    form = with_ids(NotReviewedForm(), prefix)
    withdraw = form.withdraw.data == "1"

    def save() -> None:
        reason = None if withdraw else (form.reason.data or "")
        decisions.record_not_reviewed(organization, year, cell_id, reason, form.version.data, acting_user())

    return save_form(
        form,
        _refusing_into(form, save),
        lambda: render_decision(organization, year, form, prefix),
        lambda: _page_url(organization, year, f"cell-{cell_id}"),
        _("Đã bỏ ghi chú không đánh giá năm nay.") if withdraw else _("Đã ghi chi bộ không đánh giá năm nay."),
    )


@bp.route("/organizations/<int:organization_id>/decision/<int:year>/allowance", methods=["POST"])
@login_required
def decision_allowance(organization_id: int, year: int) -> ResponseReturnValue:
    """Record (or remove) the number and date of the committee's decision allowing the higher ratio."""
    organization = deciding_organization(organization_id)
    _gathered(organization, year)  # 404 for a year without rules
    form = AllowanceForm()

    def save() -> None:
        decisions.set_allowance(
            organization, year, form.allowance_number.data, form.allowance_date.data, form.version.data
        )

    return save_form(
        form,
        _refusing_into(form, save),
        lambda: render_decision(organization, year, form, "allowance"),
        lambda: _page_url(organization, year, "quota"),
        _("Đã lưu quyết định cho phép nâng tỉ lệ."),
    )


# ---------------------------------------------------------------------------
# Issuing and reopening


@bp.route("/organizations/<int:organization_id>/decision/<int:year>/issue", methods=["POST"])
@login_required
def decision_issue(organization_id: int, year: int) -> ResponseReturnValue:
    """Issue the decision: seal what it decides under its number, date and signer (SPEC 9)."""
    organization = deciding_organization(organization_id)
    gathered = _gathered(organization, year)
    form = IssueForm()

    def render() -> str:
        # The page shown again shows the cells as they are now: the issue rests on that.
        form.basis.data = basis_token(decisions.gather(organization, year).cells)
        return render_decision(organization, year, form, "issue")

    def problems_of(shown: decisions.Gathered) -> dict[str, str]:
        return decisions.issue_problems(
            shown,
            form.number.data or "",
            form.issued_on.data,
            form.place.data or "",
            form.signer_name.data or "",
            form.signer_title.data,
        )

    if not form.validate():
        return render(), 422
    problems = problems_of(gathered)  # every field's message at once
    if problems:
        for name, message in problems.items():
            form[name].errors = list(form[name].errors) + [translate(message)]
        return render(), 422

    def save() -> None:
        # Again in the write transaction: a cell's meeting may have been sealed meanwhile (the date's bound).
        problems = problems_of(decisions.gather(organization, year))
        number = normalize_number(form.number.data)
        if problems or number is None or form.issued_on.data is None:
            name, message = next(iter(problems.items()), ("number", NUMBER_MESSAGE))
            raise Refused(name, message)
        header = Issue(
            number,
            form.issued_on.data,
            (form.place.data or "").strip(),
            (form.signer_name.data or "").strip(),
            SignerTitle(form.signer_title.data),
        )
        decisions.issue(organization, year, header, acting_user(), form.version.data, form.basis.data or "")

    return save_form(
        form,
        _refusing_into(form, save),
        render,
        lambda: _page_url(organization, year, "issued"),
        _("Đã ban hành quyết định."),
    )


@bp.route("/organizations/<int:organization_id>/decision/<int:year>/reopen", methods=["POST"])
@login_required
def decision_reopen(organization_id: int, year: int) -> ResponseReturnValue:
    """Reopen the issued decision for a written reason; the issued version stays on record."""
    organization = deciding_organization(organization_id)
    _gathered(organization, year)
    form = DecisionReopenForm()

    def save() -> None:
        decisions.reopen(organization, year, form.reason.data or "", acting_user())

    return save_form(
        form,
        _refusing_into(form, save),
        lambda: render_decision(organization, year, form, "reopen"),
        lambda: _page_url(organization, year, "issue"),
        _("Đã mở lại quyết định. Phiên bản đã ban hành vẫn được lưu cùng lý do mở."),
    )
