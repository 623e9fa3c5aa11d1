"""The committee's decision page in Chromium: at a phone's width and a desktop's, the live quota preview.

The two example cells (the seed and Tổ dân phố số 3): the committee raises a member to
excellent in the select and sees the members' quota preview move before saving, lowers the
seed cell with a reason, and the page never scrolls sideways.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from browser import WIDTHS, chromium, live_server, screenshot, sign_in
from test_decision_pages import CELL_REASON, PAGE, SEED_CELL, WARD, committee, member_id  # noqa: F401

pytestmark = pytest.mark.browser


def test_the_decision_page_at_both_widths_with_the_live_preview(app, committee):
    loi = member_id(committee, "Đặng Văn Lợi")
    seed_cell = committee["cells"][SEED_CELL]
    with live_server(app) as base, chromium() as browser:
        for width in WIDTHS:
            page = browser.new_page(viewport={"width": width, "height": 900})
            sign_in(page, base, WARD)
            page.goto(base + PAGE)
            expect(page.locator('[data-quota="cells"]')).to_have_attribute("data-exceeded", "true")
            assert page.evaluate("document.documentElement.scrollWidth") <= width, f"the page overflows at {width}px"
            screenshot(page, f"decision-{width}")
            page.close()
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        sign_in(page, base, WARD)
        page.goto(base + PAGE)
        members = page.locator('[data-quota="members"]')
        page.locator(f'form[data-choice="member-{loi}"] select').select_option("excellent")
        expect(members.locator('[data-value="excellent"]')).to_have_text("3")
        expect(members.locator('[data-value="limit"]')).to_have_text("2")
        expect(members).to_have_attribute("data-exceeded", "true")
        expect(page.get_by_role("status")).to_contain_text("chưa lưu")
        page.locator(f'form[data-choice="member-{loi}"] select').select_option("good")
        expect(members).to_have_attribute("data-exceeded", "false")
        # Lower the seed cell with a reason: saved, and the cells' quota kept.
        form = page.locator(f'form[data-choice="cell-{seed_cell}"]')
        form.locator("select").select_option("good")
        form.locator("textarea").fill(CELL_REASON)
        form.get_by_role("button", name="Lưu").click()
        page.wait_for_url(f"{base}{PAGE}#cell-{seed_cell}")
        expect(page.locator('[data-quota="cells"]')).to_have_attribute("data-exceeded", "false")
        expect(page.locator("[data-ready]")).to_be_visible()
        screenshot(page, "decision-ready-1280")
        # Issue it; the issued page, read-only, at a phone's width too.
        issue = page.locator("form.issue")
        issue.get_by_label("Số quyết định").fill("15-QĐ/ĐU")
        issue.get_by_label("Ngày ban hành").fill("2020-12-10")
        issue.get_by_label("Họ và tên người ký").fill("Nguyễn Văn Bình")
        issue.get_by_role("button", name="Ban hành quyết định").click()
        page.wait_for_url(f"{base}{PAGE}#issued")
        expect(page.locator("[data-issued-number]")).to_have_text("15-QĐ/ĐU")
        expect(page.locator("form[data-choice]")).to_have_count(0)
        page.set_viewport_size({"width": 390, "height": 900})
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, "the issued page overflows at 390px"
        screenshot(page, "decision-issued-390")
