"""In Chromium, the committee's year from the sealed cells to next year's meeting (issue 14).

Three cells of one organisation are sealed: the seed (2 excellent, 8 good: over its own quota
alone, limit 1), Tổ dân phố số 3 (7 good, 1 completed) and Tổ dân phố số 5 (made here from the
second: its 8 members completed), so the organisation is within the quota together (2 excellent,
pool 15, limit 3). The committee raises a member to excellent and sees the quota exceeded and the
issue refused; lowers another with a reason (and, by SPEC 9's cells' quota, the seed cell); issues
the decision after a badly written number is refused; downloads its PDFs and the XLSX. The seed's
secretary sees the decided levels, and next year's meeting carries them as the previous levels.
"""

from __future__ import annotations

import io
import json
import unicodedata
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect
from pypdf import PdfReader
from sqlalchemy import select

from review.extensions import db
from review.models import Cell, Meeting, Member, Participant

from browser import chromium, live_server, screenshot, sign_in
from helpers import SECOND_CELL_FILE

pytestmark = pytest.mark.browser

SEED_CELL = "Chi bộ Trường Mầm non Thượng Thanh"
SECOND_CELL = "Chi bộ Tổ dân phố số 3"
THIRD_CELL = "Chi bộ Tổ dân phố số 5"
THIRD_NAMES = {
    "Đặng Văn Lợi": "Hồ Văn An",
    "Trịnh Thị Nga": "Văn Thị Bình",
    "Lương Văn Phú": "Tô Văn Cường",
    "Mai Thị Quế": "Lại Thị Dung",
    "Tạ Văn Sang": "Khổng Văn Em",
    "Kiều Thị Tâm": "Triệu Thị Gấm",
    "Lò Văn Út": "Phùng Văn Hải",
    "Chu Thị Vân": "Mạc Thị Hoa",
}
RAISE_REASON = "Đồng chí có thành tích nổi bật trong công tác dân vận của tổ dân phố."
LOWER_REASON = "Cân đối tỉ lệ Hoàn thành xuất sắc trên toàn đảng bộ."
CELL_REASON = "Tỉ lệ chi bộ Hoàn thành xuất sắc trên toàn đảng bộ chỉ cho phép 0 chi bộ."


def nfc(value: str) -> str:
    return unicodedata.normalize("NFC", value)


def third_cell_file(tmp_path: Path) -> Path:
    """Return the second cell's meeting file, as a third cell whose members were all voted completed."""
    text = SECOND_CELL_FILE.read_text(encoding="utf-8")
    for old, new in THIRD_NAMES.items():
        text = text.replace(old, new)
    document = json.loads(text)
    document["organization"]["cell"] = THIRD_CELL
    valid = document["ballot"]["returned"] - document["ballot"]["invalid"]
    for key, row in document["ballot"]["rows"].items():
        if key != "cell":
            row.update(excellent=0, good=0, completed=valid, not_completed=0, blank=0)
    path = tmp_path / "chi-bo-to-dan-pho-5.json"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.fixture
def three_cells(app, runner, seed_path, tmp_path, make_user):  # type: ignore[no-untyped-def]
    for path in (seed_path, SECOND_CELL_FILE, third_cell_file(tmp_path)):
        result = runner.invoke(args=["meeting", "import", str(path)])
        assert result.exit_code == 0, result.output
    with app.app_context():
        cells = {c.name: c for c in db.session.scalars(select(Cell))}
        assert len({c.organization_id for c in cells.values()}) == 1
        assert all(c.meetings[0].sealed for c in cells.values())
        organization_id = cells[SEED_CELL].organization_id
        ids = {
            "organization": organization_id,
            "cells": {name: c.id for name, c in cells.items()},
            "meetings": {name: c.meetings[0].id for name, c in cells.items()},
            "members": {m.name: m.id for m in db.session.scalars(select(Member))},
        }
    make_user("danguy", "ward", organization_id=organization_id)
    make_user("bithu", "secretary", cell_id=ids["cells"][SEED_CELL])
    return ids


def save_choice(page, form_name: str, level: str, reason: str) -> None:  # type: ignore[no-untyped-def]
    form = page.locator(f'form[data-choice="{form_name}"]')
    form.locator("select").select_option(level)
    form.locator("textarea").fill(reason)
    form.get_by_role("button", name="Lưu").click()
    page.wait_for_load_state()


def fill_issue(page, number: str) -> None:  # type: ignore[no-untyped-def]
    issue = page.locator("form.issue")
    issue.get_by_label("Số quyết định").fill(number)
    issue.get_by_label("Ngày ban hành").fill("2020-12-10")
    issue.get_by_label("Họ và tên người ký").fill("Nguyễn Văn Bình")
    issue.get_by_role("button", name="Ban hành quyết định").click()
    page.wait_for_load_state()


def download(page, name: str) -> bytes:  # type: ignore[no-untyped-def]
    with page.expect_download() as info:
        page.locator("#documents").get_by_role("link", name=name).click()
    return Path(info.value.path()).read_bytes()


def pdf_text(data: bytes) -> str:
    return nfc("\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages))


def test_the_committee_decides_issues_and_next_year_carries_its_levels(app, three_cells):
    ids = three_cells
    raised = ids["members"]["Đặng Văn Lợi"]  # Tổ dân phố số 3, proposed good
    lowered = ids["members"]["Phan Thị Hòa"]  # the seed, proposed excellent
    seed_cell = ids["cells"][SEED_CELL]
    with live_server(app) as base, chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        sign_in(page, base, "danguy")
        page.get_by_role("link", name="Quyết định của Đảng ủy").first.click()
        page.wait_for_url(f"{base}/organizations/{ids['organization']}/decision/2020")
        members = page.locator('[data-quota="members"]')
        # Together within the quota (2 excellent, pool 15, limit 3) though the seed alone is over its own.
        expect(members.locator('[data-value="excellent"]')).to_have_text("2")
        expect(members.locator('[data-value="limit"]')).to_have_text("3")
        expect(members).to_have_attribute("data-exceeded", "false")
        for name in (SEED_CELL, SECOND_CELL, THIRD_CELL):
            expect(page.get_by_role("heading", name=name)).to_be_visible()
        screenshot(page, "decision-year-draft-1280")

        # The committee raises a member: 3 excellent over a pool of 14, limit 2: exceeded.
        save_choice(page, f"member-{raised}", "excellent", RAISE_REASON)
        expect(members.locator('[data-value="excellent"]')).to_have_text("3")
        expect(members.locator('[data-value="limit"]')).to_have_text("2")
        expect(members).to_have_attribute("data-exceeded", "true")
        # A badly written number is refused with the example, what was typed kept.
        fill_issue(page, "15/QĐ")
        issue = page.locator("form.issue")
        expect(issue).to_contain_text("15-QĐ/ĐU")
        expect(issue.get_by_label("Số quyết định")).to_have_value("15/QĐ")
        expect(issue.get_by_label("Họ và tên người ký")).to_have_value("Nguyễn Văn Bình")
        # A good number, but the quota is exceeded: refused, saying why.
        fill_issue(page, "15-QĐ/ĐU")
        expect(page.locator("body")).to_contain_text("Vượt tỉ lệ đảng viên Hoàn thành xuất sắc")
        expect(page.locator("[data-issued-number]")).to_have_count(0)

        # Lower another member, and the seed cell (the cells' quota: 1 excellent cell of 3, limit 0).
        save_choice(page, f"member-{lowered}", "good", LOWER_REASON)
        expect(members).to_have_attribute("data-exceeded", "false")
        save_choice(page, f"cell-{seed_cell}", "good", CELL_REASON)
        expect(page.locator('[data-quota="cells"]')).to_have_attribute("data-exceeded", "false")
        fill_issue(page, "15-QĐ/ĐU")
        expect(page.locator("[data-issued-number]")).to_have_text("15-QĐ/ĐU")
        screenshot(page, "decision-year-issued-1280")

        # Its documents, issued: the header, the decision's parts, every member and cell.
        members_pdf = pdf_text(download(page, "Quyết định công nhận kết quả xếp loại chất lượng đảng viên (PDF)"))
        cells_pdf = pdf_text(download(page, "Quyết định xếp loại chất lượng các chi bộ trực thuộc (PDF)"))
        summary_pdf = pdf_text(download(page, "Biểu tổng hợp (PDF)"))
        for text in (members_pdf, cells_pdf):
            for expected in (
                "ĐẢNG ỦY PHƯỜNG THƯỢNG THANH",
                "ĐẢNG CỘNG SẢN VIỆT NAM",
                "QUYẾT ĐỊNH",
                "Điều 1",
                "T/M ĐẢNG ỦY",
            ):
                assert expected in text, expected
            assert "15-QĐ/ĐU" in text and "DỰ THẢO" not in text
        flat = " ".join(members_pdf.split())
        for name in ids["members"]:
            assert name in flat, name
        assert LOWER_REASON in flat and RAISE_REASON in flat
        for name in (SEED_CELL, SECOND_CELL, THIRD_CELL):
            assert name in " ".join(cells_pdf.split()) and name in " ".join(summary_pdf.split())
        sheet = load_workbook(io.BytesIO(download(page, "Biểu tổng hợp (bảng tính) (XLSX)")), read_only=True).active
        rows = [[c for c in row if c is not None] for row in sheet.iter_rows(values_only=True)]
        cell_rows = [row for row in rows if any(str(v) in (SEED_CELL, SECOND_CELL, THIRD_CELL) for v in row)]
        assert len(cell_rows) == 3
        assert any(str(v).startswith("Tổng") for row in rows for v in row)
        page.close()

        # The seed's secretary sees the committee's levels and the reason where they differ.
        page = browser.new_page(viewport={"width": 390, "height": 900})
        sign_in(page, base, "bithu")
        page.goto(f"{base}/meetings/{ids['meetings'][SEED_CELL]}/results")
        decided = page.locator("[data-decided-levels]")
        expect(decided).to_contain_text("15-QĐ/ĐU")
        expect(decided).to_contain_text("Phan Thị Hòa")
        expect(decided).to_contain_text(LOWER_REASON)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        screenshot(page, "decision-year-results-390")

        # Next year: the meeting opened in the browser carries the decided levels as previous levels.
        page.goto(f"{base}/cells/{seed_cell}/meetings/new")
        page.locator("input[name=year]").fill("2021")
        page.get_by_role("button", name="Mở hội nghị").click()
        page.wait_for_url("**/opening")
        with app.app_context():
            meeting = db.session.scalar(
                select(Meeting).where(Meeting.cell_id == seed_cell).order_by(Meeting.id.desc()).limit(1)
            )
            participant = db.session.scalar(
                select(Participant).where(Participant.meeting_id == meeting.id, Participant.member_id == lowered)
            )
            assert str(participant.previous_level) == "good"  # the decided level, not the proposal
            assert participant.previous_level_seal_id is not None
            flags_url = f"/meetings/{meeting.id}/participants/{participant.id}/flags"
        page.goto(base + flags_url)
        expect(page.locator("body")).to_contain_text("Theo Quyết định số 15-QĐ/ĐU")
        expect(page.locator("select[name=previous_level]")).to_have_value("good")
        screenshot(page, "decision-year-flags-390")
