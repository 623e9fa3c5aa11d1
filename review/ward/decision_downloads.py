"""Downloads of the committee's decision: its two decisions, the summary table (PDF, DOCX and XLSX).

Drafts (marked DỰ THẢO) until the decision is issued, then the issued version's documents,
from its seal. The committee's pages link here; the ward's ZIP carries the same files.
Another organisation's decision is a 404, a cell's account gets 403 (review/access.py).
"""

from __future__ import annotations

from flask import abort
from flask.typing import ResponseReturnValue

from ..access import decide_required, deciding_organization
from ..decision_documents import DOCUMENTS, XLSX_MIMETYPE, file_name, render_as, summary_xlsx, xlsx_name
from ..downloads import download
from ..meeting_edits import Refused
from ..rules import FIRST_REVIEW_YEAR, LAST_REVIEW_YEAR
from . import bp


def _checked_year(year: int) -> None:
    if not FIRST_REVIEW_YEAR <= year <= LAST_REVIEW_YEAR:
        abort(404)


def _decision_file(organization_id: int, year: int, decision_key: str, extension: str) -> ResponseReturnValue:
    """Send one of the decision's documents in one format ('pdf' or 'docx'): one body for both routes."""
    organization = deciding_organization(organization_id)
    _checked_year(year)
    if decision_key not in DOCUMENTS:
        abort(404)
    try:
        data = render_as(organization, year, decision_key, extension)
    except Refused:  # a year no rules apply to
        abort(404)
    if extension == "docx":
        from reports.docx_writer import MIMETYPE as mimetype  # python-docx only when a Word file is asked for
    else:
        mimetype = "application/pdf"
    return download(data, file_name(organization, year, decision_key, extension), mimetype)


@bp.route("/organizations/<int:organization_id>/decision/<int:year>/<decision_key>.pdf")
@decide_required
def decision_document(organization_id: int, year: int, decision_key: str) -> ResponseReturnValue:
    """Send one of the decision's documents as PDF: the members' decision, the cells', the summary."""
    return _decision_file(organization_id, year, decision_key, "pdf")


@bp.route("/organizations/<int:organization_id>/decision/<int:year>/<decision_key>.docx")
@decide_required
def decision_document_docx(organization_id: int, year: int, decision_key: str) -> ResponseReturnValue:
    """Send one of the decision's documents as a Word file (SPEC 7's editable copy), to the same readers as the PDF."""
    return _decision_file(organization_id, year, decision_key, "docx")


@bp.route("/organizations/<int:organization_id>/decision/<int:year>/summary.xlsx")
@decide_required
def decision_summary_xlsx(organization_id: int, year: int) -> ResponseReturnValue:
    """Send the summary table (Biểu tổng hợp) as a spreadsheet."""
    organization = deciding_organization(organization_id)
    _checked_year(year)
    try:
        data = summary_xlsx(organization, year)
    except Refused:
        abort(404)
    return download(data, xlsx_name(organization, year), XLSX_MIMETYPE)
