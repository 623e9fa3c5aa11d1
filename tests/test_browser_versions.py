"""In a real browser: the background save carries the record's version, and a conflict shows.

Debian's Chromium, headless, driven by Playwright; the application served on loopback.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from review.extensions import db
from review.models import IndividualReview, Member, Participant

from browser import chromium, live_server, screenshot, sign_in
from helpers import PASSWORD, csrf_token

pytestmark = pytest.mark.browser


def stored(app, pid: int) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    """Return the stored review's version and summary."""
    with app.app_context():
        review = db.session.scalar(select(IndividualReview).where(IndividualReview.participant_id == pid))
        return review.version, review.summary


def test_autosave_keeps_the_version_and_shows_anothers_change(app, runner, seed_path, make_user):
    assert runner.invoke(args=["meeting", "import", str(seed_path)]).exit_code == 0
    make_user("bithu", "secretary", cell_id=1, display_name="Nguyễn Thị Ngọc Hân")
    make_user("thuky", "secretary", cell_id=1, display_name="Trần Văn Bình")
    with app.app_context():
        pid = db.session.scalar(
            select(Participant.id).join(Participant.member).where(Participant.meeting_id == 1, Member.code == "m02")
        )
    path = f"/meetings/1/reviews/{pid}"
    version, _ = stored(app, pid)

    with live_server(app) as base, chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        sign_in(page, base, "bithu")
        page.goto(base + path)
        autosaves: list[str] = []  # every background save the page sends (app.js marks them X-Autosave)
        page.on(
            "request", lambda r: autosaves.append(r.url) if r.method == "POST" and r.headers.get("x-autosave") else None
        )
        hidden = page.locator('input[name="version"]')
        assert hidden.input_value() == str(version)
        status = page.locator("[data-save-status]")

        # Two background saves in a row: the second goes through only if the first's version was kept.
        page.locator("#summary").fill("Lần một.")
        status.filter(has_text="Đã lưu lúc").wait_for(timeout=10_000)
        page.wait_for_function("v => document.querySelector('input[name=version]').value === v", arg=str(version + 1))
        page.locator("#summary").type(" Lần hai.")
        page.wait_for_function("v => document.querySelector('input[name=version]').value === v", arg=str(version + 2))
        assert stored(app, pid) == (version + 2, "Lần một. Lần hai.")

        # Someone else saves the same review meanwhile.
        other = app.test_client()
        token = csrf_token(other, "/auth/login")
        other.post("/auth/login", data={"csrf_token": token, "username": "thuky", "password": PASSWORD})
        saved = other.post(
            path,
            data={
                "csrf_token": csrf_token(other, path),
                "version": str(version + 2),
                "summary": "Bản của đồng chí Bình.",
                "self_level": "good",
                "feedback-0-speaker": "0",
                "feedback-0-text": "",
                "response": "",
                "conclusion": "Kết luận.",
            },
        )
        assert saved.status_code == 302
        assert stored(app, pid) == (version + 3, "Bản của đồng chí Bình.")

        # Our next background save is refused: their text is shown, ours stays in the form.
        page.locator("#summary").type(" Lần ba.")
        box = page.locator("[data-conflict]")
        box.wait_for(timeout=10_000)
        assert "Đồng chí Trần Văn Bình đã sửa nội dung này lúc" in box.inner_text()
        assert "Bản của đồng chí Bình." in box.inner_text()
        assert "người khác vừa sửa" in status.inner_text()
        assert page.locator("#summary").input_value() == "Lần một. Lần hai. Lần ba."
        assert hidden.input_value() == str(version + 3)
        screenshot(page, "conflict-review-1280")
        assert stored(app, pid)[1] == "Bản của đồng chí Bình."  # never silently overwritten

        # No more background saves until the user saves by hand, having seen the other's text:
        # typing arms the timer as before; when it fires, the page decides to skip (and says so).
        sent = len(autosaves)
        assert sent >= 3  # "Lần một.", "Lần hai.", "Lần ba." (refused)
        assert page.locator("form[data-autosave]").get_attribute("data-autosave-skipped") is None
        page.locator("#summary").type(" Thêm.")
        page.wait_for_function(
            "() => Number(document.querySelector('form[data-autosave]').dataset.autosaveSkipped || 0) >= 1",
            timeout=10_000,
        )
        assert len(autosaves) == sent
        assert stored(app, pid) == (version + 3, "Bản của đồng chí Bình.")
        page.get_by_role("button", name="Lưu", exact=True).click()
        page.wait_for_url(re.compile(re.escape(path) + "$"))
        assert "Đã lưu phần tự kiểm điểm" in page.locator("main").inner_text()
        assert stored(app, pid) == (version + 4, "Lần một. Lần hai. Lần ba. Thêm.")
        assert len(autosaves) == sent  # the save by hand is an ordinary form post
