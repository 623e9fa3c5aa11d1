"""Routes of the results: the results page with its seal, approvals and reopening.

The pages' data is arranged in ``presenters``; who may see and do what is ``review.access``.
"""

from __future__ import annotations

from flask import abort, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import login_required

from .. import counting, decisions
from ..access import SECRETARY, may_print, may_reopen, may_set_rules_of, seal_role, viewed_meeting
from ..counting_pages.provenance_view import provenance_section
from ..form_saving import acting_user, run_action
from ..i18n import translate
from ..layout import document_links, render_step
from ..models import Meeting
from ..provenance import request_source
from . import bp
from .forms import ApproveForm, ReopenForm
from .presenters import PROVISIONAL, ROLE_NAMES, decided_view, results_view, seal_view


def render_results(
    meeting: Meeting, viewer: str, approve_form: ApproveForm | None = None, reopen_form: ReopenForm | None = None
) -> str:
    """Render the results page, inside the meeting's steps for its secretary."""
    shown = results_view(meeting)
    seal = seal_view(meeting, seal_role(meeting, viewer), may_reopen(meeting, viewer))
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
        provisional_label=_(PROVISIONAL),
        may_print=may_print(viewer),
        may_set_rules=may_set_rules_of(meeting),
        provenance=provenance_section(meeting),  # where the entries and approvals came from
        # An issued decision of the committee resting on the seal: no reopening offered until it is reopened.
        resting_on=decisions.resting_on(meeting) if meeting.sealed else None,
        decided=decided_view(meeting) if meeting.sealed else None,  # what the committee decided, once issued
    )
    if viewer == SECRETARY:
        return render_step("results/results.html", meeting, "ballot", layout="meeting/_layout.html", **context)
    return render_template(
        "results/results.html",
        meeting=meeting,
        layout="results/_plain.html",
        meeting_documents=document_links(meeting),
        **context,
    )


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
        sealed = counting.approve(meeting, acting_user(), role, shown, request_source())
        if sealed and meeting.current_seal.first_ballot_only:
            return _(
                "Đã niêm phong kết quả vòng 1 – phiên bản %(version)s. Ban kiểm phiếu nhập kết quả phiếu vòng 2.",
                version=meeting.current_seal.version,
            )
        if sealed:
            return _("Đã niêm phong kết quả kiểm phiếu – phiên bản %(version)s.", version=meeting.current_seal.version)
        who = translate(ROLE_NAMES[role]).lower()
        if role == "chief":
            return _("Đã ghi xác nhận của %(who)s. Chờ bí thư xác nhận cùng số liệu này.", who=who)
        return _("Đã ghi xác nhận của %(who)s. Chờ trưởng ban kiểm phiếu xác nhận cùng số liệu này.", who=who)

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
        version = counting.reopen(meeting, acting_user(), form.reason.data or "")  # holds the meeting's row
        return _("Đã mở niêm phong phiên bản %(version)s. Phiên bản này vẫn được lưu cùng lý do mở.", version=version)

    return run_action(
        form,
        action,
        lambda: render_results(meeting, viewer, reopen_form=form),
        url_for("results.results", meeting_id=meeting.id),
    )
