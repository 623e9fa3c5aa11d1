"""The meeting's steps and the reviews in English: the page's words translated, the data left as typed."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from review.extensions import db
from review.models import Cell, Meeting

EN = {"Accept-Language": "en"}
VIETNAMESE_LETTER = re.compile("[ăâđêôơưàáảãạèéẻẽẹìíỉĩịòóỏõọùúủũụỳýỷỹỵ]", re.IGNORECASE)


@pytest.fixture
def meeting_id(app, runner, seed_path, make_user, login):  # type: ignore[no-untyped-def]
    """Import the seed, sign in as its cell's secretary; return the seed's meeting."""
    assert runner.invoke(args=["meeting", "import", str(seed_path)]).exit_code == 0
    with app.app_context():
        cell_id = db.session.scalar(select(Cell.id))
        found = db.session.scalar(select(Meeting.id))
    make_user("bithu", "secretary", cell_id=cell_id)
    login("bithu")
    return found


def page(client, url: str, headers: dict[str, str] | None = None) -> str:  # type: ignore[no-untyped-def]
    response = client.get(url, headers=headers or {})
    assert response.status_code == 200
    return response.get_data(as_text=True)


@pytest.mark.parametrize(
    "step, english, vietnamese",
    [
        ("opening", "Download the meeting file (JSON)", "Tải tệp hội nghị (JSON)"),
        ("roll-call", "Base (members counted)", "Số thành viên (cơ sở tính)"),
        ("collective", "Review report of the cell as a whole", "Báo cáo kiểm điểm tập thể chi bộ"),
        ("reviews", "Order of self-criticism", "Thứ tự tự kiểm điểm"),
        ("ballot", "Secret ballot", "Bỏ phiếu kín"),
        ("closing", "Members approving the minutes", "Số đồng chí biểu quyết thông qua biên bản"),
    ],
)
def test_a_step_reads_in_english_and_stays_vietnamese_by_default(client, meeting_id, step, english, vietnamese):
    url = f"/meetings/{meeting_id}/{step}"
    shown = page(client, url, EN)
    assert english in shown and vietnamese not in shown
    assert "Steps of the meeting" in shown  # the progress strip
    default = page(client, url)
    assert vietnamese in default and english not in default


def test_the_step_strip_has_no_vietnamese_words_in_english(client, meeting_id):
    shown = page(client, f"/meetings/{meeting_id}/reviews", EN)
    strip = re.search(r'<nav class="steps".*?</nav>', shown, re.DOTALL).group(0)
    words = re.sub(r"<[^>]*>", " ", strip)
    assert not VIETNAMESE_LETTER.search(words), words
    assert "Roll call" in words and "Individual reviews" in words


def test_a_refused_form_says_why_in_english(app, client, meeting_id):
    from helpers import form_values

    with app.app_context():
        cell_id = db.session.scalar(select(Cell.id))
    url = f"/cells/{cell_id}/meetings/new"
    response = client.post(url, data=form_values(client, url) | {"year": "9999"}, headers=EN)
    assert response.status_code == 422
    shown = response.get_data(as_text=True)
    assert "There are no review and rating rules for 9999 yet: the software has rules for 2019–" in shown
    assert "Open a review meeting" in shown
