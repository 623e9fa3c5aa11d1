"""The layout the meeting's pages share: the steps in SPEC 1's order (progress strip, "next" links), the seal notices.

Used by every blueprint whose pages sit inside the meeting's steps (meeting, reviews, roster, counting, results).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import url_for

from .access import readable_documents
from .agenda import agenda
from .documents import DOCUMENTS, available
from .i18n import translate
from .models import Meeting
from .translatable import N_


@dataclass(frozen=True)
class Step:
    key: str
    label: str
    endpoint: str


STEPS = (
    Step("opening", N_("Khai mạc"), "meeting.opening"),
    Step("roll_call", N_("Kiểm diện"), "meeting.roll_call"),
    Step("collective", N_("Kiểm điểm tập thể"), "reviews.collective"),
    Step("individual", N_("Kiểm điểm cá nhân"), "reviews.individual_list"),
    Step("ballot", N_("Bỏ phiếu"), "meeting.ballot"),
    Step("closing", N_("Bế mạc"), "meeting.closing"),
)
STEP_KEYS = tuple(step.key for step in STEPS)


def step_url(meeting: Meeting, key: str) -> str:
    """Return the URL of one step of the meeting."""
    step = STEPS[STEP_KEYS.index(key)]
    return url_for(step.endpoint, meeting_id=meeting.id)


def next_step_url(meeting: Meeting, key: str) -> str:
    """Return the URL of the step after ``key`` (the closing step stays put)."""
    index = min(STEP_KEYS.index(key) + 1, len(STEPS) - 1)
    return step_url(meeting, STEP_KEYS[index])


def done_steps(meeting: Meeting) -> set[str]:
    """Return the steps whose record is complete enough to mark as done on the strip."""
    done: set[str] = set()
    if meeting.starts_at and meeting.location and meeting.chair_id and meeting.minute_taker_id:
        done.add("opening")
    if meeting.roll_called:
        done.add("roll_call")
    cell_review = next((c for c in meeting.collective_reviews if c.subject == "cell"), None)
    if cell_review is not None and cell_review.report.strip() and cell_review.conclusion.strip():
        done.add("collective")
    reviewed = agenda(meeting).reviewed
    if reviewed and all(p.review and p.review.summary.strip() and p.review.conclusion.strip() for p in reviewed):
        done.add("individual")
    if any(t.entry == "final" for t in meeting.tallies):
        done.add("ballot")
    if meeting.ends_at and meeting.minutes_approved_by is not None:
        done.add("closing")
    return done


# What a page cannot change while the tallies are sealed (SPEC 5.7a), said before anyone types.
FROZEN_NOTICES = {
    "opening": N_(
        "Kết quả kiểm phiếu đã niêm phong: thời gian khai mạc (ngày họp) thuộc dữ liệu niêm phong nên không sửa "
        "được. Địa điểm, chủ trì, thư ký và khách mời là nội dung biên bản, vẫn sửa được; mọi thay đổi được ghi nhật ký."
    ),
    "roll_call": N_(
        "Kết quả kiểm phiếu đã niêm phong: kết quả kiểm diện thuộc dữ liệu niêm phong nên chỉ xem, không sửa được. "
        "Muốn sửa, phải mở niêm phong và ghi rõ lý do."
    ),
    "flags": N_(
        "Kết quả kiểm phiếu đã niêm phong: tình trạng trong năm của đảng viên thuộc dữ liệu niêm phong nên chỉ xem, "
        "không sửa được. Muốn sửa, phải mở niêm phong và ghi rõ lý do."
    ),
    "individual": N_(
        "Kết quả kiểm phiếu đã niêm phong: điểm tự chấm giới hạn mức xếp loại nên thuộc dữ liệu niêm phong, chỉ xem, "
        "không sửa được. Nội dung tự kiểm điểm, ý kiến góp ý và kết luận vẫn sửa được; mọi thay đổi được ghi nhật ký."
    ),
}


def frozen_notice(meeting: Meeting, key: str) -> str | None:
    """Return the notice of what the seal in force freezes on one page, or None when not sealed."""
    return translate(FROZEN_NOTICES[key]) if meeting.first_ballot_sealed else None


def strip(meeting: Meeting, current: str) -> list[dict[str, object]]:
    """Return the progress strip: each step's label, URL, and whether it is done or current."""
    done = done_steps(meeting)
    return [
        {
            "key": step.key,
            "number": number,
            "label": translate(step.label),
            "url": url_for(step.endpoint, meeting_id=meeting.id),
            "done": step.key in done,
            "current": step.key == current,
        }
        for number, step in enumerate(STEPS, start=1)
    ]


def document_links(meeting: Meeting, user: Any = None) -> list[dict[str, Any]]:
    """Return the meeting's documents ``user`` (the signed-in user if None) may read, as the pages link them.

    Only the documents the meeting has (review.documents.available). Each: its key, its title, whether it is a draft (the tallies not sealed), and its formats
    (a label and a URL each: the PDF, and the editable Word copy beside it, SPEC 7).
    """
    return [
        {
            "key": key,
            "title": translate(DOCUMENTS[key][0]),
            "draft": not meeting.sealed,
            "formats": [
                {"label": "PDF", "url": url_for("ward.document", meeting_id=meeting.id, key=key)},
                {"label": "Word", "url": url_for("ward.document_docx", meeting_id=meeting.id, key=key)},
            ],
        }
        for key in readable_documents(user, meeting)
        if available(meeting, key)  # ballot 2's paper only once ballot 1 is counted (SPEC 5.8)
    ]


def render_step(template: str, meeting: Meeting, key: str, **context: object) -> str:
    """Render one step's page with the progress strip and the next step's link."""
    from flask import render_template

    return render_template(
        template,
        meeting=meeting,
        strip=strip(meeting, key),
        step_key=key,
        next_url=next_step_url(meeting, key) if key != STEP_KEYS[-1] else None,
        meeting_documents=document_links(meeting),
        **context,
    )
