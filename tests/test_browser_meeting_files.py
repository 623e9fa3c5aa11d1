"""In a real browser: the ward uploads a meeting file, sees what it holds and confirms; a bad one shows its problems.

Debian's Chromium, headless, driven by Playwright; the application served on loopback.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from review.extensions import db
from review.models import Cell, Meeting, MeetingUpload, Organization

from browser import chromium, live_server, screenshot, sign_in

pytestmark = pytest.mark.browser

ORGANIZATION = "Đảng bộ phường Thượng Thanh"
CELL = "Chi bộ Trường Mầm non Thượng Thanh"


def test_the_ward_uploads_a_good_meeting_file_and_a_bad_one(app, runner, seed_path, make_user, tmp_path):
    app.config["UPLOAD_DIR"] = str(tmp_path / "uploads")
    with app.app_context():
        organization = Organization(name=ORGANIZATION, place="Thượng Thanh")
        db.session.add_all([organization, Cell(organization=organization, name=CELL)])
        db.session.commit()
        organization_id = organization.id
    make_user("danguy", "ward", organization_id=organization_id)
    document = json.loads(seed_path.read_text(encoding="utf-8"))
    bad = json.loads(json.dumps(document))
    bad["members"][3]["attendance"] = "maybe"
    bad["ballot"]["rows"]["m05"]["good"] = -1
    bad_path = tmp_path / "hong.json"
    bad_path.write_text(json.dumps(bad, ensure_ascii=False), encoding="utf-8")

    with live_server(app) as base, chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        sign_in(page, base, "danguy")
        page.get_by_role("link", name="Nhận tệp hội nghị").first.click()
        page.wait_for_url(f"{base}/organizations/{organization_id}/meeting-files")

        # A bad file: every problem with its path, nothing stored.
        page.get_by_label("Tệp hội nghị (JSON)").set_input_files(str(bad_path))
        page.get_by_role("button", name="Kiểm tra tệp").click()
        problems = page.locator("[data-problems]")
        problems.wait_for()
        paths = page.locator("[data-problem-path]").evaluate_all("rows => rows.map(r => r.dataset.problemPath)")
        assert {"members[3].attendance", "ballot.rows.m05.good"} <= set(paths)
        assert "chưa lưu gì" in problems.inner_text()
        screenshot(page, "meeting-file-problems")

        # The good file: what it holds, then the confirmation.
        page.get_by_label("Tệp hội nghị (JSON)").set_input_files(str(seed_path))
        page.get_by_role("button", name="Kiểm tra tệp").click()
        preview = page.locator("[data-preview]")
        preview.wait_for()
        assert CELL in preview.inner_text()
        assert page.locator("[data-preview-members]").inner_text() == str(len(document["members"]))
        assert page.locator("[data-preview-sealed]").get_attribute("data-preview-sealed") == "yes"
        assert page.locator("[data-preview-levels]").is_visible()
        screenshot(page, "meeting-file-preview")
        with app.app_context():
            assert db.session.scalar(select(Meeting)) is None  # nothing before the confirmation
        page.get_by_role("button", name="Xác nhận nhập").click()
        page.wait_for_url(f"{base}/organizations/{organization_id}/meeting-files")
        assert "Đã nhập hội nghị năm 2020" in page.locator(".flash-success").inner_text()
        assert page.locator("[data-uploads] tbody tr").count() == 1
        assert seed_path.name in page.locator("[data-uploads]").inner_text()
        with app.app_context():
            (upload,) = db.session.scalars(select(MeetingUpload))
            meeting = db.session.get(Meeting, upload.meeting_id)
            assert meeting.sealed and len(meeting.participants) == len(document["members"])
            meeting_id = meeting.id

        # The ward takes the meeting file back from the results page: what `meeting export` writes.
        page.goto(f"{base}/meetings/{meeting_id}/results")
        with page.expect_download() as info:
            page.get_by_role("link", name="Tải tệp hội nghị (JSON)").click()
        downloaded = Path(info.value.path()).read_bytes()
        exported = tmp_path / "export.json"
        assert runner.invoke(args=["meeting", "export", str(meeting_id), "-o", str(exported)]).exit_code == 0
        assert downloaded == exported.read_bytes()
        assert info.value.suggested_filename == "hoi-nghi-chi-bo-truong-mam-non-thuong-thanh-2020.json"
