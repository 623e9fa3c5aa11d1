"""The meeting file (SPEC 8) of a meeting, downloaded from its pages: what `meeting export` writes."""

from __future__ import annotations

from flask import abort, render_template
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from ..access import may_view_cell, records_required
from ..downloads import json_download
from ..meeting_store import export_text, load_meeting
from ..models import Meeting
from ..text import slug
from ..translatable import N_
from . import bp

NOT_OPENED = N_("Chưa tải được tệp hội nghị: hội nghị chưa ghi thời gian khai mạc.")


def meeting_file_name(meeting: Meeting) -> str:
    """Return the download's file name, e.g. "hoi-nghi-chi-bo-thuong-thanh-2020.json"."""
    return f"hoi-nghi-{slug(meeting.cell.name) or meeting.cell_id}-{meeting.year}.json"


@bp.route("/meetings/<int:meeting_id>/meeting-file.json")
@records_required
def download_file(meeting_id: int) -> ResponseReturnValue:
    """Send the meeting file: the cell's secretary carries it from a laptop, the ward keeps it."""
    meeting = load_meeting(meeting_id)
    if meeting is None or not may_view_cell(meeting.cell):
        abort(404)
    if meeting.starts_at is None:  # as `meeting export` refuses it
        return render_template("errors/error.html", title=_("Chưa có tệp hội nghị"), message=_(NOT_OPENED)), 409
    return json_download(export_text(meeting), meeting_file_name(meeting))
