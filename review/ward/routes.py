"""Routes of the ward committee: the organisation's dashboard, documents, and the ZIP of a year.

Read-only for the meetings: nothing here writes to a cell's records. The only rows written
are the export jobs. Another organisation's pages are a 404, so nothing leaks.
"""

from __future__ import annotations

from pathlib import Path

from flask import Response, abort, flash, jsonify, redirect, render_template, send_file, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..access import (
    COUNTING_PAPERS,
    may_read_document,
    viewed_meeting,
    visible_job,
    visible_organization,
    ward_required,
)
from ..documents import DOCUMENTS, file_name, render_document, render_docx
from ..downloads import NO_STORE, download, named
from ..i18n import translate, translate_all
from ..models import Meeting
from ..rules import FIRST_REVIEW_YEAR, LAST_REVIEW_YEAR, LEVEL_LABELS, LEVEL_SHORT, LEVELS, UNDECIDED
from ..security import query_int
from . import bp
from .exports import (
    DONE,
    FAILED,
    FINISHED,
    STATUS_LABELS,
    create_job,
    no_sealed_text,
    progress,
    progress_text,
    sealed_meeting_ids,
    start_job,
    zip_name,
)
from .forms import ExportForm
from .overview import (
    CHART_BAR_AREA,
    CHART_LABEL,
    CHART_ROW,
    CHART_VALUE,
    NOT_RATED,
    STATE_LABELS,
    SUMMARY_EXTRA_LABELS,
    WARD_DOCUMENTS,
    build_overview,
    chart_bars,
    percent,
)


def level_columns() -> list[dict[str, str]]:
    """Return the four levels as the tables head them: key, abbreviation, full name."""
    return [
        {"key": str(level), "short": translate(LEVEL_SHORT[level]), "label": translate(LEVEL_LABELS[level])}
        for level in LEVELS
    ]


@bp.route("/organizations/<int:organization_id>")
@ward_required
def dashboard(organization_id: int) -> ResponseReturnValue:
    """Show every cell of the organisation for a year, the totals and the quota across cells."""
    organization = visible_organization(organization_id)
    year = query_int("year", FIRST_REVIEW_YEAR, LAST_REVIEW_YEAR)  # a wrong year shows the default year
    overview = build_overview(organization, year)
    form = ExportForm(data={"year": overview.year})
    state_counts = {state: sum(1 for row in overview.rows if row.state == state) for state in STATE_LABELS}
    return render_template(
        "ward/dashboard.html",
        organization=organization,
        ov=overview,
        form=form,
        levels=level_columns(),
        extra_labels=translate_all(SUMMARY_EXTRA_LABELS),
        not_rated_key=NOT_RATED,
        undecided_key=UNDECIDED,
        state_labels=translate_all(STATE_LABELS),
        state_counts=state_counts,
        documents=[(key, translate(DOCUMENTS[key][0])) for key in WARD_DOCUMENTS],  # the page's words for their titles
        bars=chart_bars(overview.totals),
        chart={"label": CHART_LABEL, "area": CHART_BAR_AREA, "value": CHART_VALUE, "row": CHART_ROW},
        ratio_text=percent(overview.quota_ratio) if overview.quota_ratio is not None else "",
    )


@bp.route("/meetings/<int:meeting_id>/documents/<key>.pdf")
@login_required
def document(meeting_id: int, key: str) -> ResponseReturnValue:
    """Send one of the meeting's documents as PDF (a draft while the tallies are not sealed).

    The one URL of each document, for everyone who may read it (access.DOCUMENT_PERMISSIONS):
    the cell's secretary and its ward (every document), the chief counter (the vote-count
    minutes they sign), the meeting's counters (the ballot paper and the tally sheet).
    """
    meeting = _readable_document(meeting_id, key)
    # The browser shows the counting papers to print; the others are files the ward keeps.
    inline = key in COUNTING_PAPERS
    return download(render_document(meeting, key), file_name(meeting, key), "application/pdf", inline=inline)


@bp.route("/meetings/<int:meeting_id>/documents/<key>.docx")
@login_required
def document_docx(meeting_id: int, key: str) -> ResponseReturnValue:
    """Send one of the meeting's documents as a Word file (SPEC 7's editable copy), to the same readers as the PDF."""
    meeting = _readable_document(meeting_id, key)
    from reports.docx_writer import MIMETYPE  # python-docx only when a Word file is asked for

    return download(render_docx(meeting, key), file_name(meeting, key, "docx"), MIMETYPE)


def _readable_document(meeting_id: int, key: str) -> Meeting:
    """Return the meeting whose document ``key`` the viewer may read: 404 for an unknown key or meeting, else 403."""
    if key not in DOCUMENTS:
        abort(404)
    meeting, _viewer = viewed_meeting(meeting_id)  # 404 for anyone else's meeting
    if not may_read_document(None, meeting, key):
        abort(403)
    return meeting


@bp.route("/organizations/<int:organization_id>/exports", methods=["POST"])
@ward_required
def start_export(organization_id: int) -> ResponseReturnValue:
    """Start building the ZIP of the year's sealed documents; show its progress."""
    organization = visible_organization(organization_id)
    form = ExportForm()
    if not form.validate():
        flash(_("Năm không hợp lệ: chọn lại năm trên trang rồi thử lại."), "error")
        return redirect(url_for("ward.dashboard", organization_id=organization.id))
    year = form.year.data
    if not sealed_meeting_ids(organization.id, year):
        flash(no_sealed_text(year), "error")
        return redirect(url_for("ward.dashboard", organization_id=organization.id, year=year))
    job = create_job(organization.id, year, current_user.id)
    job_id = job.id
    start_job(job_id)
    return redirect(url_for("ward.export_status", job_id=job_id), code=303)


@bp.route("/exports/<int:job_id>")
@login_required
def export_status(job_id: int) -> ResponseReturnValue:
    """Show the export's progress; the page refreshes itself until the ZIP is ready."""
    job = visible_job(job_id)
    response = Response(
        render_template(
            "ward/export.html",
            job=job,
            organization=job.organization,
            status_label=_(STATUS_LABELS[job.status]),
            text=progress_text(job),
            finished=job.status in FINISHED,
            done=job.status == DONE,
            failed=job.status == FAILED,
        )
    )
    response.headers["Cache-Control"] = NO_STORE
    return response


@bp.route("/exports/<int:job_id>.json")
@login_required
def export_progress(job_id: int) -> ResponseReturnValue:
    """Return the export's progress for the status page's script."""
    job = visible_job(job_id)
    data = progress(job)
    data["download_url"] = (
        url_for("ward.export_download", job_id=job.id) if job.status == DONE and job.file_path else None
    )
    response = jsonify(data)
    response.headers["Cache-Control"] = NO_STORE
    return response


@bp.route("/exports/<int:job_id>/download")
@login_required
def export_download(job_id: int) -> ResponseReturnValue:
    """Send the finished ZIP."""
    job = visible_job(job_id)
    if job.status != DONE or not job.file_path or not Path(job.file_path).is_file():
        abort(404)
    return named(send_file(job.file_path, mimetype="application/zip"), zip_name(job))
