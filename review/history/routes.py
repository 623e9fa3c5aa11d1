"""The page of a meeting's history (nhật ký thay đổi), newest first, from the audit trail."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from flask import abort, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import select

from .. import clock
from ..access import may_view_cell, records_required
from ..extensions import db
from ..models import AuditEntry, Meeting, User
from ..security import query_int
from ..vocabulary import BLANK_LABEL, LEVEL_SHORT
from . import bp

PAGE = 100
TABLE_LABELS = {
    "meeting": "Hội nghị",
    "guest": "Khách mời",
    "participant": "Đảng viên dự hội nghị",
    "individual_review": "Tự kiểm điểm",
    "collective_review": "Kiểm điểm tập thể",
    "feedback": "Ý kiến góp ý",
    "ballot_counter": "Ban kiểm phiếu",
    "tally": "Bản nhập kiểm phiếu",
    "tally_row": "Dòng kiểm phiếu",
    "counter_code": "Mã đăng nhập một lần",
    "seal_approval": "Xác nhận niêm phong",
    "seal": "Niêm phong",
    "user_account": "Tài khoản",
}
COLUMN_LABELS = {
    "summary": "Tóm tắt tự kiểm điểm",
    "self_level": "Tự xếp loại",
    "self_score": "Điểm tự chấm",
    "response": "Tiếp thu, giải trình",
    "conclusion": "Kết luận",
    "report": "Báo cáo",
    "remedy_plan": "Kế hoạch khắc phục",
    "text": "Nội dung ý kiến",
    "speaker_id": "Người góp ý (mã)",
    "guest_id": "Khách mời góp ý (mã)",
    "position": "Thứ tự",
    "attendance": "Kiểm diện",
    "absence_reason": "Lý do vắng",
    "exempt": "Miễn sinh hoạt",
    "suspended": "Đình chỉ sinh hoạt",
    "temporary_elsewhere": "Sinh hoạt tạm thời nơi khác",
    "sick_leave_months": "Tháng nghỉ ốm",
    "disciplined_in_year": "Bị kỷ luật trong năm",
    "previous_level": "Xếp loại năm trước",
    "standing": "Đảng viên",
    "starts_at": "Khai mạc",
    "ends_at": "Bế mạc",
    "location": "Địa điểm",
    "chair_id": "Chủ trì (mã)",
    "minute_taker_id": "Thư ký (mã)",
    "minutes_approved_by": "Số tán thành biên bản",
    "roll_called_at": "Kiểm diện lúc",
    "name": "Họ tên",
    "admitted_on": "Ngày vào Đảng",
    "title": "Chức vụ",
    "member_id": "Đảng viên (mã)",
    "issued": "Phát ra",
    "returned": "Thu vào",
    "invalid": "Không hợp lệ",
    "invalid_reasons": "Lý do không hợp lệ",
    **LEVEL_SHORT,
    "blank": BLANK_LABEL,
    "entry": "Bản nhập",
    "reopened_at": "Mở niêm phong lúc",
    "reopen_reason": "Lý do mở niêm phong",
    "sealed_at": "Niêm phong lúc",
    "individual_review_id": "Bản tự kiểm điểm (mã)",
    "collective_review_id": "Kiểm điểm tập thể (mã)",
    "participant_id": "Người dự (mã)",
    "tally_id": "Bản nhập (mã)",
    "user_id": "Tài khoản (mã)",
    "fingerprint": "Dấu SHA-256",
    "audit_anchor": "Mốc nhật ký",
    "approved_at": "Xác nhận lúc",
    "role": "Vai trò",
    "used_at": "Dùng lúc",
    "superseded_at": "Thay thế lúc",
    "sign_in_id": "Phiên trình duyệt",
    "address": "Địa chỉ mạng",
    "revoked_at": "Hủy lúc",
    "issued_by_id": "Người cấp (mã)",
    "account_id": "Tài khoản mở bằng mã (mã)",
    "provenance": "Nguồn gốc và cảnh báo",
}
ACTION_LABELS = {"insert": "thêm", "update": "sửa", "delete": "xóa"}
ACTOR_LABELS = {"cli": "Dòng lệnh", "system": "Hệ thống", "anonymous": "Chưa đăng nhập"}
SHOWN_CHARS = 300  # a long text is cut on this page; the trail keeps it whole


def local_instant(value: Any) -> Any:
    """Return a logged instant (ISO text with an offset: UTC, since migration 0013) as local ISO text.

    The page shows every logged time on the server's wall clock, as the trail wrote it before
    instants were stored in UTC; a naive time (logged before, or a civil time) is shown as it is.
    """
    if isinstance(value, str) and len(value) >= 19 and value[4] == "-" and value[10] == "T":
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return value
        if moment.utcoffset() is not None:
            return clock.local(moment).isoformat()
    return value


def shown(value: Any) -> str:
    """Return a logged value as the page writes it."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "có" if value else "không"
    text = str(value)
    return text if len(text) <= SHOWN_CHARS else text[:SHOWN_CHARS] + "…"


def changes(entry: AuditEntry) -> list[dict[str, str]]:
    """Return an entry's columns: before and after, as the page shows them."""
    before = json.loads(entry.before) if entry.before else {}
    after = json.loads(entry.after) if entry.after else {}
    keys = [k for k in (after or before) if k not in ("id", "version")]
    return [
        {
            "column": COLUMN_LABELS.get(k, k),
            "before": shown(local_instant(before.get(k)) if k.endswith("_at") else before.get(k)) if before else "",
            "after": shown(local_instant(after.get(k)) if k.endswith("_at") else after.get(k)) if after else "",
        }
        for k in keys
    ]


def entries_page(meeting_id: int) -> tuple[list[dict[str, Any]], int | None]:
    """Return one page of the audit entries of ``meeting_id`` (before the ``before`` argument), newest first.

    The rows are what the history table shows; the second value is the ``before`` of the next,
    older page (None on the last). It reads the trail only: the meeting's row may be gone (a
    meeting replaced by an uploaded file keeps its entries under its id).
    """
    before_id = query_int("before")
    if before_id is None and "before" in request.args:
        abort(404)  # no entry has that id (2^31 and more, or not a number): as a wrong id in the path
    query = select(AuditEntry).where(AuditEntry.meeting_id == meeting_id).order_by(AuditEntry.id.desc()).limit(PAGE + 1)
    if before_id is not None:
        query = query.where(AuditEntry.id < before_id)
    entries = list(db.session.scalars(query))
    more = len(entries) > PAGE
    entries = entries[:PAGE]
    users = {
        u.id: u
        for u in db.session.scalars(select(User).where(User.id.in_({e.actor_id for e in entries if e.actor_id})))
    }
    rows = [
        {
            "id": e.id,
            "at": e.at.replace(tzinfo=UTC),  # stored as naive UTC; the when filter shows it local
            "who": (users[e.actor_id].display_name or users[e.actor_id].username)
            if e.actor_id in users
            else ACTOR_LABELS.get(e.actor, e.actor),
            "what": TABLE_LABELS.get(e.table_name, e.table_name),
            "action": ACTION_LABELS.get(e.action, e.action),
            "row_id": e.row_id,
            "changes": changes(e),
            "hash": e.hash[:12],
        }
        for e in entries
    ]
    return rows, entries[-1].id if more else None


@bp.route("/meetings/<int:meeting_id>/history")
@records_required
def meeting(meeting_id: int) -> ResponseReturnValue:
    """Show who changed what in the meeting's record, and when, newest first."""
    found = db.session.get(Meeting, meeting_id)
    if found is None or not may_view_cell(found.cell):
        abort(404)
    rows, older = entries_page(meeting_id)
    return render_template(
        "history/meeting.html",
        meeting=found,
        rows=rows,
        older_url=url_for("history.meeting", meeting_id=meeting_id, before=older) if older else None,
    )
