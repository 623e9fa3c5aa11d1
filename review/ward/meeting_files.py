"""The ward's meeting files: upload one (SPEC 8), see every problem or what it holds, confirm; the history.

The file is checked whole as ``meeting import`` checks it (review/meetingfile.py), then placed:
its organisation must be this one and its cell one of this organisation's cells, not archived
(review/meetingfile.placement_problems). The same import path as the command line then runs
as a dry run (review/meeting_store.upload_meeting), so the problems the database finds (a
member id of someone else, other rules for the year, a sealed meeting of the same cell and
year) are listed before anything is stored. A good file waits in review/upload_stash.py until
the ward confirms it; the confirmation stores it, replacing a meeting of the same cell and
year (not sealed) only with a written reason, and records the upload (review/models.MeetingUpload).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from flask import abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import ObjectDeletedError

from .. import clock, upload_stash
from ..access import import_required, importing_organization, visible_upload
from ..downloads import json_download
from ..extensions import db
from ..history.routes import history_view
from ..i18n import translate
from ..meeting_store import ImportRefused, server_meeting, upload_meeting
from ..meetingfile import MeetingFile, format_path, loads, placement_problems
from ..models import Cell, MeetingUpload, Organization
from ..rules import LEVEL_LABELS, LEVELS, Attendance, Problem
from ..text import file_stamp, mib_text, nfc, slug
from ..translatable import N_
from . import bp
from .forms import (
    MEETING_FILE_MAX_BYTES,
    REASON_REQUIRED,
    ConfirmMeetingFileForm,
    MeetingFileForm,
)
from .overview import SUMMARY_EXTRA_LABELS

KIND = "meeting-file"
TOO_BIG = N_("Tệp lớn quá %(size)s: không phải một tệp hội nghị.")
EXPIRED = N_("Tệp chờ xác nhận không còn (quá một giờ, hoặc đã nhập): tải tệp lên lại.")
STORED_MEANWHILE = N_(
    "Trong lúc nhập, một tệp khác đã được nhập cho chi bộ và năm này: tệp của bạn chưa được lưu. "
    "Xem danh sách các tệp đã nhận bên dưới, rồi tải tệp lên lại nếu vẫn cần thay."
)
FILENAME_MAX = 200


@dataclass(frozen=True)
class Replaced:
    """The server's meeting that a file would replace."""

    meeting_id: int
    participants: int


@dataclass
class Checked:
    """What a meeting file is, as this organisation would store it."""

    mf: MeetingFile | None
    problems: list[Problem] = field(default_factory=list)
    cell: Cell | None = None
    replaced: Replaced | None = None
    sealed_meeting_id: int | None = None  # the server's sealed meeting that refuses the file

    @property
    def file_problems(self) -> list[str]:
        """The problems of the file as a whole (not JSON, not UTF-8): shown next to the field, translated."""
        return [translate(p.message) for p in self.problems if not p.path]

    @property
    def rows(self) -> list[dict[str, str]]:
        """The problems at a path in the file, each with its path."""
        return [{"path": format_path(p.path), "message": translate(p.message)} for p in self.problems if p.path]


def _scope(organization: Organization) -> str:
    return f"organization:{organization.id}"


def check(organization: Organization, data: bytes) -> Checked:
    """Check a meeting file whole for ``organization``; store nothing."""
    mf, problems = loads(data)
    if mf is None:
        return Checked(None, problems)
    cells = {cell.name: cell for cell in organization.cells}
    problems = placement_problems(mf, organization.name, {n: c.archived_at is not None for n, c in cells.items()})
    if problems:
        return Checked(mf, problems)
    cell = cells[mf.cell]
    cell_id = cell.id
    try:
        upload_meeting(mf, cell_id, filename="", sha256="", user_id=None, reason=None, dry_run=True)
    except ImportRefused as refused:
        existing = server_meeting(cell_id, mf.year)
        sealed_id = existing.id if existing is not None and existing.sealed else None
        return Checked(mf, refused.problems, db.session.get(Cell, cell_id), sealed_meeting_id=sealed_id)
    cell = db.session.get(Cell, cell_id)  # the dry run's rollback expired what was loaded
    assert cell is not None
    existing = server_meeting(cell_id, mf.year)
    replaced = Replaced(existing.id, len(existing.participants)) if existing is not None else None
    return Checked(mf, [], cell, replaced)


def summary(mf: MeetingFile) -> dict[str, Any]:
    """Return what the preview shows of a good file: its meeting, members, seal and proposed levels."""
    sealed = mf.ballot is not None
    levels: list[tuple[str, int]] = []
    if sealed:
        counts = mf.evaluate().summary
        levels = [(translate(LEVEL_LABELS[level]), counts.get(str(level), 0)) for level in LEVELS]
        levels += [(translate(label), counts.get(key, 0)) for key, label in SUMMARY_EXTRA_LABELS.items()]
    return {
        "cell": mf.cell,
        "year": mf.year,
        "starts_at": mf.meeting.starts_at,
        "members": len(mf.members),
        "present": sum(1 for m in mf.members if m.attendance == Attendance.PRESENT),
        "guests": len(mf.meeting.guests),
        "sealed": sealed,
        "levels": levels,
    }


def history(organization: Organization) -> list[MeetingUpload]:
    """Return every upload into the organisation's cells, the newest first."""
    return list(
        db.session.scalars(
            select(MeetingUpload)
            .join(Cell, MeetingUpload.cell_id == Cell.id)
            .where(Cell.organization_id == organization.id)
            .options(selectinload(MeetingUpload.cell), selectinload(MeetingUpload.uploaded_by))
            .order_by(MeetingUpload.uploaded_at.desc(), MeetingUpload.id.desc())
        )
    )


def render_page(organization: Organization, form: MeetingFileForm, checked: Checked | None = None) -> str:
    return render_template(
        "ward/meeting_files.html",
        organization=organization,
        form=form,
        checked=checked,
        uploads=history(organization),
    )


def render_preview(organization: Organization, form: ConfirmMeetingFileForm, checked: Checked, filename: str) -> str:
    assert checked.mf is not None
    return render_template(
        "ward/meeting_file_preview.html",
        organization=organization,
        form=form,
        checked=checked,
        filename=filename,
        shown=summary(checked.mf),
    )


def _filename(raw: str | None) -> str:
    name = (raw or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in nfc(name) if ch.isprintable())
    return name[:FILENAME_MAX] or "meeting.json"


@bp.route("/organizations/<int:organization_id>/meeting-files", methods=["GET", "POST"])
@import_required
def meeting_files(organization_id: int) -> ResponseReturnValue:
    """Upload a meeting file and see every problem or what it holds; the history of uploads."""
    organization = importing_organization(organization_id)
    form = MeetingFileForm()
    if not form.is_submitted():
        return render_page(organization, form)
    if not form.validate():
        return render_page(organization, form), 422
    data = form.file.data.read(MEETING_FILE_MAX_BYTES + 1)
    if len(data) > MEETING_FILE_MAX_BYTES:
        form.file.errors = [_(TOO_BIG, size=mib_text(MEETING_FILE_MAX_BYTES))]
        return render_page(organization, form), 422
    filename = _filename(form.file.data.filename)
    checked = check(organization, data)
    if checked.problems:
        form.file.errors = checked.file_problems
        return render_page(organization, form, checked), 422
    token = upload_stash.stash(data, filename=filename, kind=KIND, owner_id=current_user.id, scope=_scope(organization))
    confirm = ConfirmMeetingFileForm(formdata=None, data={"token": token})
    return render_preview(organization, confirm, checked, filename)


@bp.route("/organizations/<int:organization_id>/meeting-files/confirm", methods=["POST"])
@import_required
def confirm_meeting_file(organization_id: int) -> ResponseReturnValue:
    """Store the previewed meeting file (the same import as the command line), and record the upload."""
    organization = importing_organization(organization_id)
    form = ConfirmMeetingFileForm()
    valid = form.validate()
    if form.csrf_token.errors:  # a cross-site or stale post: nothing read, nothing checked
        page = MeetingFileForm(formdata=None)
        page.csrf_token.errors = list(form.csrf_token.errors)
        return render_page(organization, page), 400
    token = form.token.data or ""
    stashed = upload_stash.fetch(token, kind=KIND, owner_id=current_user.id, scope=_scope(organization))
    if stashed is None:  # expired, confirmed already, or someone else's token
        flash(_(EXPIRED), "error")
        return redirect(url_for("ward.meeting_files", organization_id=organization.id), code=303)
    checked = check(organization, stashed.data)
    if checked.problems:  # the server changed since the preview (a meeting sealed, a cell archived)
        upload_stash.discard(token)
        upload = MeetingFileForm(formdata=None)
        upload.file.errors = checked.file_problems
        return render_page(organization, upload, checked), 422
    reason = (form.reason.data or "").strip()
    if checked.replaced is not None and not reason:
        form.reason.errors = list(form.reason.errors) + [_(REASON_REQUIRED)]
        valid = False
    if not valid:
        return render_preview(organization, form, checked, stashed.filename), 422
    assert checked.mf is not None and checked.cell is not None
    # Claimed in one step: of two confirmations of this token (a double click), one stores it.
    if upload_stash.take(token, kind=KIND, owner_id=current_user.id, scope=_scope(organization)) is None:
        flash(_(EXPIRED), "error")
        return redirect(url_for("ward.meeting_files", organization_id=organization.id), code=303)
    try:
        upload = upload_meeting(
            checked.mf,
            checked.cell.id,
            filename=stashed.filename,
            sha256=hashlib.sha256(stashed.data).hexdigest(),
            user_id=current_user.id,
            reason=reason or None,
        )
    except ImportRefused as refused:
        checked.problems = refused.problems
        page = MeetingFileForm(formdata=None)
        page.file.errors = checked.file_problems
        return render_page(organization, page, checked), 422
    except (IntegrityError, ObjectDeletedError):  # another upload of this cell and year stored meanwhile
        flash(_(STORED_MEANWHILE), "error")
        return redirect(url_for("ward.meeting_files", organization_id=organization.id), code=303)
    assert upload is not None
    shown = {
        "year": checked.mf.year,
        "cell": checked.mf.cell,
        "members": len(checked.mf.members),
        "meeting": upload.meeting_id,
    }
    if upload.replaced_meeting_id is not None:
        text = _(
            "Đã thay hội nghị năm %(year)d của %(cell)s: %(members)d đảng viên (hội nghị mã %(meeting)d).", **shown
        )
    else:
        text = _(
            "Đã nhập hội nghị năm %(year)d của %(cell)s: %(members)d đảng viên (hội nghị mã %(meeting)d).", **shown
        )
    flash(text, "success")
    return redirect(url_for("ward.meeting_files", organization_id=organization.id), code=303)


@bp.route("/meeting-uploads/<int:upload_id>/replaced.json")
@import_required
def replaced_meeting_file(upload_id: int) -> ResponseReturnValue:
    """Send the file of the meeting an upload replaced, as it was kept."""
    upload = visible_upload(upload_id)
    if upload.replaced_file is None:
        abort(404)
    stamp = file_stamp(clock.local(upload.uploaded_at))  # the day in the server's time zone, not UTC's
    name = f"hoi-nghi-{slug(upload.cell.name) or upload.cell_id}-{upload.year}-bi-thay-{stamp}.json"
    return json_download(upload.replaced_file, name)


@bp.route("/meeting-uploads/<int:upload_id>/history")
@import_required
def replaced_meeting_history(upload_id: int) -> ResponseReturnValue:
    """Show what stays of the meeting an upload replaced: its kept file's summary and its audit trail."""
    upload = visible_upload(upload_id)
    if upload.replaced_meeting_id is None:
        abort(404)
    mf = loads(upload.replaced_file.encode("utf-8"))[0] if upload.replaced_file else None
    values, status = history_view(upload.replaced_meeting_id, "ward.replaced_meeting_history", upload_id=upload.id)
    page = render_template(
        "ward/replaced_meeting_history.html",
        upload=upload,
        organization=upload.cell.organization,
        shown=summary(mf) if mf is not None else None,
        **values,
    )
    return page, status
