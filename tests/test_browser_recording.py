"""In a real browser: the demo secretary records the seed meeting from an empty year.

Debian's Chromium, headless, driven by Playwright; the application served on loopback.
Every step is photographed at 390 px and 1280 px wide into test-artifacts/screenshots/.
"""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import Error as PlaywrightError
from sqlalchemy import select

from review.extensions import db
from review.models import IndividualReview, Meeting

from browser import WIDTHS, chromium, live_server, screenshot, sign_in
from helpers import SEED

pytestmark = pytest.mark.browser


def demo_password(runner, username: str) -> str:  # type: ignore[no-untyped-def]
    result = runner.invoke(args=["demo", "--empty-cell"])
    assert result.exit_code == 0, result.output
    return re.search(rf"^\s+\w+\s+{username}\s+(\S+)$", result.output, re.MULTILINE).group(1)


def names(seed: dict) -> dict[str, str]:
    return {m["id"]: m["name"] for m in seed["members"]}


def fill_feedback(page, entries: list[dict], who: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    for i, entry in enumerate(entries):
        if i > 0:
            page.get_by_role("button", name="+ Thêm ý kiến góp ý").click()
        page.locator(f"#feedback-{i}-speaker").select_option(label=who[entry["by"]])
        page.locator(f"#feedback-{i}-text").fill(entry["text"])


def record_seed(page, base: str, seed: dict) -> int:  # type: ignore[no-untyped-def]
    """Record the seed meeting through the pages only; return its id."""
    who = names(seed)
    # The roster: ten members, in the seed's order, so that they get codes m01..m10.
    page.locator("main").get_by_role("link", name="Danh sách đảng viên").click()  # not the menu's
    for member in seed["members"]:
        page.get_by_role("link", name="Thêm đảng viên").click()
        page.get_by_label("Họ và tên").fill(member["name"])
        page.locator("#standing").select_option(member["standing"])
        page.locator("#position").select_option(member["position"])
        page.locator("#admitted_on").fill(member["admitted_on"])
        page.get_by_role("button", name="Thêm vào danh sách").click()
        page.get_by_text(member["name"]).first.wait_for()
    page.goto(f"{base}/")
    # A new meeting for 2020, then the steps in the meeting's order.
    page.locator("main").get_by_role("link", name="Mở hội nghị mới").click()  # not the menu's
    page.get_by_label("Năm kiểm điểm").fill(str(seed["year"]))
    page.get_by_role("button", name="Mở hội nghị").click()
    page.wait_for_url(re.compile(r"/meetings/\d+/opening$"))
    meeting_id = int(re.search(r"/meetings/(\d+)/", page.url).group(1))

    m = seed["meeting"]
    page.get_by_label("Thời gian khai mạc").fill(m["starts_at"])
    page.get_by_label("Địa điểm").fill(m["location"])
    page.get_by_label("Chủ trì hội nghị").select_option(label=who[m["chair"]])
    page.get_by_label("Thư ký hội nghị").select_option(label=who[m["minute_taker"]])
    page.get_by_role("button", name="Lưu và sang bước tiếp").click()

    page.wait_for_url(re.compile(r"/roll-call$"))
    assert page.locator('[data-summary="base"]').inner_text() == "10"
    assert page.locator('[data-summary="quorum_met"]').inner_text() == "Đủ số lượng"
    page.get_by_role("button", name="Lưu và sang bước tiếp").click()

    for review in seed["collective_reviews"]:
        page.wait_for_url(re.compile(r"/collective(/committee)?$"))
        page.locator("#report").fill(review["report"])
        fill_feedback(page, review["feedback"], who)
        page.locator("#conclusion").fill(review["conclusion"])
        page.locator("#self_level").select_option(review["self_level"])
        page.locator("#remedy_plan").fill(review["remedy_plan"])
        page.get_by_role("button", name=re.compile(r"^Lưu và sang")).click()

    page.wait_for_url(re.compile(r"/reviews$"))
    page.get_by_role("link", name=re.compile(r"^Ghi tự kiểm điểm của đồng chí")).click()
    for member in seed["members"]:  # the seed is already in the head-first order
        page.wait_for_url(re.compile(r"/reviews/\d+$"))
        assert member["name"] in page.locator("h1").inner_text()
        r = member["review"]
        page.locator("#summary").fill(r["summary"])
        page.locator("#self_level").select_option(r["self_level"])
        fill_feedback(page, r["feedback"], who)
        page.locator("#response").fill(r["response"])
        page.locator("#conclusion").fill(r["conclusion"])
        page.get_by_role("button", name=re.compile(r"^Lưu và sang")).click()

    page.wait_for_url(re.compile(r"/ballot$"))
    assert "Đảng viên có tên trên phiếu (10)" in page.content()
    page.get_by_role("link", name="Sang bước bế mạc →").click()
    page.get_by_label("Số đồng chí biểu quyết thông qua biên bản").fill(str(m["minutes_approved_by"]))
    page.get_by_label("Thời gian bế mạc").fill(m["ends_at"])
    page.get_by_role("button", name="Lưu", exact=True).click()
    page.get_by_text("Đã lưu phần bế mạc.").wait_for()
    return meeting_id


STEP_PAGES = ("opening", "roll-call", "collective", "collective/committee", "reviews", "ballot", "closing")


def test_secretary_records_the_seed_meeting_from_an_empty_year(app, runner):
    seed = json.loads(SEED.read_text(encoding="utf-8"))
    password = demo_password(runner, "bithu")
    with live_server(app) as base, chromium() as browser:
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
        page = context.new_page()
        sign_in(page, base, "bithu", password)
        meeting_id = record_seed(page, base, seed)
        with app.app_context():
            first_review = db.session.scalar(
                select(IndividualReview).join(IndividualReview.participant).order_by(IndividualReview.id)
            )
            participant_id = first_review.participant_id
        pages = [*STEP_PAGES, f"reviews/{participant_id}"]
        for width in WIDTHS:
            shot = browser.new_context(viewport={"width": width, "height": 900}, locale="vi-VN").new_page()
            sign_in(shot, base, "bithu", password)
            screenshot(shot, f"home-{width}")
            shot.goto(f"{base}/cells/1/members")
            screenshot(shot, f"roster-{width}")
            for step in pages:
                shot.goto(f"{base}/meetings/{meeting_id}/{step}")
                assert shot.evaluate("document.documentElement.scrollWidth") <= width, f"{step} overflows at {width}px"
                screenshot(shot, f"step-{step.replace('/', '-')}-{width}")
            shot.context.close()
        context.close()

    exported = json.loads(runner.invoke(args=["meeting", "export", str(meeting_id)]).output)
    exported.pop("results")
    expected = dict(seed)
    expected.pop("ballot")
    assert exported == expected
    with app.app_context():
        assert db.session.get(Meeting, meeting_id).minutes_approved_by == 10


def test_long_text_is_saved_in_the_background_and_leaving_unsaved_text_warns(app, runner, seed_path):
    password = demo_password(runner, "bithu")
    with app.app_context():
        cell_id = db.session.scalar(select(Meeting.cell_id)) if db.session.scalar(select(Meeting.id)) else 1
    with live_server(app) as base, chromium() as browser:
        page = browser.new_page(viewport={"width": 390, "height": 800})
        sign_in(page, base, "bithu", password)
        # One member and a 2020 meeting, through the pages.
        page.goto(f"{base}/cells/{cell_id}/members/new")
        page.get_by_label("Họ và tên").fill("Nguyễn Thị Ngọc Hân")
        page.locator("#position").select_option("secretary")
        page.locator("#admitted_on").fill("2008-05-19")
        page.get_by_role("button", name="Thêm vào danh sách").click()
        page.goto(f"{base}/cells/{cell_id}/meetings/new")
        page.get_by_label("Năm kiểm điểm").fill("2020")
        page.get_by_role("button", name="Mở hội nghị").click()
        page.wait_for_url(re.compile(r"/opening$"))
        meeting_id = int(re.search(r"/meetings/(\d+)/", page.url).group(1))
        # The roll call's figures follow the ticks, computed by the rules core, before saving.
        page.goto(f"{base}/meetings/{meeting_id}/roll-call")
        assert page.locator('[data-summary="quorum_met"]').inner_text() == "Đủ số lượng"
        page.get_by_label("Vắng không lý do").check()
        page.locator('[data-summary="quorum_met"]').filter(has_text="Chưa đủ số lượng").wait_for(timeout=5_000)
        assert page.locator('[data-summary="voters_present"]').inner_text() == "0"
        page.get_by_label("Có mặt").check()
        page.locator('[data-summary="quorum_met"]').filter(has_text="Đủ số lượng").wait_for(timeout=5_000)
        page.get_by_role("button", name="Lưu", exact=True).click()
        page.goto(f"{base}/meetings/{meeting_id}/collective")
        page.locator("#report").fill("Báo cáo kiểm điểm tập thể: ưu điểm, hạn chế, khuyết điểm.")
        page.locator("[data-save-status]").filter(has_text="Đã lưu lúc").wait_for(timeout=10_000)
        assert page.url.endswith("/collective")  # no reload
        with app.app_context():
            meeting = db.session.get(Meeting, meeting_id)
            assert meeting.collective_reviews[0].report == "Báo cáo kiểm điểm tập thể: ưu điểm, hạn chế, khuyết điểm."
        # Unsaved text: leaving the page asks first.
        page.locator("#conclusion").type("Chưa lưu")
        asked: list[str] = []
        page.on("dialog", lambda dialog: (asked.append(dialog.type), dialog.dismiss()))
        with pytest.raises(PlaywrightError):  # the navigation is cancelled: the user stays
            page.goto(f"{base}/", timeout=5_000)
        assert asked == ["beforeunload"]
        assert page.url.endswith("/collective") and page.locator("#conclusion").input_value() == "Chưa lưu"
