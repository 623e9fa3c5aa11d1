"""In a real browser: a new ward sets itself up from an empty database, up to a counter on the tally page.

Debian's Chromium, headless, driven by Playwright; the application served on loopback. The
database is empty but for the first administrator's account (created as the other tests create
users). Everything else is done through the pages, each person in a browser context of their
own: the administrator creates the ward organisation and its committee's account; the ward sets
its password through the one-time link read off the printed card, creates two cells and a
secretary for each; a secretary sets a password, imports a 40-member roster from an XLSX file
(a title row above the header, dates as text and as date cells, card numbers with leading zeros),
first a version with errors, then the fixed one; creates a counter account linked to a member;
starts the meeting, calls the roll and chooses the ballot committee; the counter sets a password,
signs in and reaches the meeting's tally page. The second cell's secretary cannot see the first
cell's members. Key pages are photographed at 390 px and 1280 px into test-artifacts/screenshots/.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook
from playwright.sync_api import expect
from sqlalchemy import func, select

from review import clock
from review.extensions import db
from review.models import Member, Organization

from browser import chromium, live_server, photograph, sign_in

pytestmark = pytest.mark.browser

ORGANIZATION = "Đảng bộ phường Ngọc Thụy"
PLACE = "Ngọc Thụy"
SUPERIOR = "Đảng bộ quận Long Biên"
CELLS = ("Chi bộ Khu dân cư số 1", "Chi bộ Khu dân cư số 2")
ADMIN = "quantri"
ADMIN_PASSWORD = "quản-trị-hệ-thống-2026"
WARD = "danguy.ngocthuy"
PASSWORDS = {
    WARD: "đảng-ủy-phường-ngọc-thụy",
    "bithu.kdc1": "bí-thư-khu-dân-cư-một",
    "bithu.kdc2": "bí-thư-khu-dân-cư-hai",
    "kiemphieu.kdc1": "kiểm-phiếu-khu-dân-cư-một",
}

SURNAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi")
MIDDLES = ("Văn", "Thị", "Đức", "Minh", "Thu")
GIVEN = ("An", "Bình", "Chi", "Dũng", "Giang", "Hà", "Hùng", "Lan", "Long", "Mai")
TITLE = "DANH SÁCH ĐẢNG VIÊN CHI BỘ KHU DÂN CƯ SỐ 1"
HEADER = ("STT", "Họ và tên", "Ngày sinh", "Ngày vào Đảng", "Ngày chính thức", "Chức vụ", "Số thẻ đảng viên", "Ghi chú")
FIRST_DATA_ROW = 4  # row 1 the title, row 2 empty, row 3 the header
PROBATIONARY = (36, 37, 38, 39)  # indexes of the members admitted this year, not yet official
LEADING_ZERO_CARD = "00012345"
CARD_COLUMN = HEADER.index("Số thẻ đảng viên") + 1


def roster_members() -> list[dict[str, object]]:
    """Return the 40 members of the roster: a Bí thư, a Phó Bí thư, two Chi ủy viên, the rest Đảng viên."""
    members = []
    for i in range(40):
        name = f"{SURNAMES[i % 8]} {MIDDLES[i % 5]} {GIVEN[i // 4]}"
        position = {0: "Bí thư", 1: "Phó Bí thư", 2: "Chi ủy viên", 3: "Chi ủy viên"}.get(i, "Đảng viên")
        if i in PROBATIONARY:
            admitted, official = date(2026, 3, 1 + i - 36), None
        else:
            admitted = date(1975 + i, 1 + i % 12, 1 + i % 28)
            official = date(admitted.year + 1, admitted.month, admitted.day)
        members.append(
            {
                "name": name,
                "born_on": date(admitted.year - 25, 1 + (i * 5) % 12, 1 + (i * 3) % 28),
                "admitted_on": admitted,
                "official_on": official,
                "position": position,
                "card_number": LEADING_ZERO_CARD if i == 5 else f"{i * 7919 % 100000000:08d}",
                "note": "Đảng viên miễn sinh hoạt" if i == 30 else "",
            }
        )
    return members


def write_roster(path: Path, members: list[dict[str, object]], broken: dict[tuple[int, int], object]) -> Path:
    """Write the roster as a cell keeps it, with ``broken`` (member index, column index: value) over it.

    Even members' dates are text "dd/mm/yyyy", odd members' date cells; card numbers are text cells.
    """
    book = Workbook()
    sheet = book.active
    sheet.title = "Danh sách"
    sheet.cell(row=1, column=1, value=TITLE)
    for column, header in enumerate(HEADER, start=1):
        sheet.cell(row=3, column=column, value=header)
    for i, member in enumerate(members):
        row = FIRST_DATA_ROW + i
        values: list[object] = [i + 1, member["name"]]
        for key in ("born_on", "admitted_on", "official_on"):
            day = member[key]
            values.append(None if day is None else (day.strftime("%d/%m/%Y") if i % 2 == 0 else day))  # type: ignore[attr-defined]
        values += [member["position"], member["card_number"], member["note"] or None]
        for column, value in enumerate(values, start=1):
            value = broken.get((i, column), value)
            written = sheet.cell(row=row, column=column, value=value)
            if isinstance(value, date):
                written.number_format = "DD/MM/YYYY"
            if column == CARD_COLUMN:
                written.number_format = "@"  # the card number: a text cell, its leading zeros kept
    book.save(path)
    return path


def read_card(page, username: str) -> str:  # type: ignore[no-untyped-def]
    """Return the set-password link printed on the card just shown for ``username``."""
    card = page.locator("[data-link-card]")
    card.wait_for()
    assert card.locator("[data-username]").inner_text() == username
    link = card.locator("[data-link]").inner_text().strip()
    assert re.fullmatch(r"http://127\.0\.0\.1:[0-9]+/auth/set-password/[A-Za-z0-9_-]{20,}", link), link
    return link


def create_account(page, username: str, name: str, role: str, member: str | None = None) -> str:  # type: ignore[no-untyped-def]
    """Fill the new-account form (already open) and return the link read off its card."""
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Họ và tên (hoặc tên đơn vị)").fill(name)
    page.get_by_label("Vai trò").select_option(label=role)
    if member is not None:
        page.get_by_label("Đảng viên (với tài khoản ban kiểm phiếu)").select_option(label=member)
    page.get_by_role("button", name="Tạo tài khoản").click()
    return read_card(page, username)


def set_password(page, link: str, username: str, password: str, bad: str | None = None, rule: str = "") -> None:  # type: ignore[no-untyped-def]
    """Open the one-time link, try ``bad`` first (refused with ``rule`` next to the field), then set ``password``."""
    page.goto(link)
    assert page.locator("[data-username]").inner_text() == username
    if bad is not None:
        page.get_by_label("Mật khẩu mới", exact=True).fill(bad)
        page.get_by_label("Nhập lại mật khẩu mới").fill(bad)
        page.get_by_role("button", name="Đặt mật khẩu").click()
        error = page.locator("#new_password-error")
        error.wait_for()
        assert rule in error.inner_text()
        assert page.get_by_label("Mật khẩu mới", exact=True).get_attribute("aria-invalid") == "true"
        photograph(page, f"setup-password-refused-{username}")
    page.get_by_label("Mật khẩu mới", exact=True).fill(password)
    page.get_by_label("Nhập lại mật khẩu mới").fill(password)
    page.get_by_role("button", name="Đặt mật khẩu").click()
    page.wait_for_url(re.compile(r".*/auth/login$"))
    sign_in(page, page.url.rsplit("/auth/", 1)[0], username, password)


def test_a_new_ward_sets_itself_up_in_the_browser(app, make_user, tmp_path):
    make_user(ADMIN, "admin", password=ADMIN_PASSWORD)
    members = roster_members()
    admitted_column, position_column = HEADER.index("Ngày vào Đảng") + 1, HEADER.index("Chức vụ") + 1
    bad_file = write_roster(
        tmp_path / "danh-sach-loi.xlsx",
        members,
        {(7, admitted_column): "31/13/1990", (12, position_column): "Bí thư"},
    )
    good_file = write_roster(tmp_path / "danh-sach.xlsx", members, {})

    with live_server(app) as base, chromium() as browser:

        def person():  # type: ignore[no-untyped-def]
            return browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN").new_page()

        # 1. The administrator creates the ward organisation and its committee's account.
        admin = person()
        sign_in(admin, base, ADMIN, ADMIN_PASSWORD)
        admin.get_by_role("link", name="Các đảng bộ").first.click()
        admin.get_by_role("link", name="Thêm đảng bộ").click()
        admin.get_by_label("Tên đảng bộ").fill(ORGANIZATION)
        admin.get_by_label("Địa danh").fill(PLACE)
        admin.get_by_label("Cấp ủy cấp trên").fill(SUPERIOR)
        admin.get_by_role("button", name="Tạo đảng bộ").click()
        admin.get_by_text("Đã tạo đảng bộ.").wait_for()
        row = admin.locator("tr[data-organization]").filter(has_text=ORGANIZATION)
        assert SUPERIOR in row.inner_text() and PLACE in row.inner_text()
        organization_id = int(row.get_attribute("data-organization") or "0")
        with app.app_context():
            stored = db.session.get(Organization, organization_id)
            assert (stored.name, stored.place, stored.superior) == (ORGANIZATION, PLACE, SUPERIOR)
        row.get_by_role("link", name=f"Tài khoản của {ORGANIZATION}").click()
        admin.get_by_role("link", name="Tạo tài khoản").click()
        ward_link = create_account(admin, WARD, "Đảng ủy phường Ngọc Thụy", "Đảng ủy phường")
        photograph(admin, "setup-1-ward-card")

        # 2. The ward sets its password (a short one first), signs in, creates two cells and their secretaries.
        ward = person()
        set_password(ward, ward_link, WARD, PASSWORDS[WARD], bad="ngắn-quá", rule="Mật khẩu cần ít nhất 10 ký tự.")
        ward.get_by_role("link", name="Chi bộ", exact=True).first.click()
        ward.wait_for_url(f"{base}/organizations/{organization_id}/cells")
        cell_ids = []
        for index, cell_name in enumerate(CELLS):
            ward.get_by_role("link", name="Thêm chi bộ").click()
            ward.get_by_label("Tên chi bộ").fill(cell_name)
            if index == 0:
                ward.get_by_label("Có chi ủy").check()
            ward.get_by_role("button", name="Tạo chi bộ").click()
            ward.get_by_text("Đã tạo chi bộ.").wait_for()
            cell_row = ward.locator("tr[data-cell]").filter(has_text=cell_name)
            cell_ids.append(int(cell_row.get_attribute("data-cell") or "0"))
        first_cell, second_cell = cell_ids
        secretary_links = {}
        for cell_name, username in zip(CELLS, ("bithu.kdc1", "bithu.kdc2"), strict=True):
            ward.goto(f"{base}/organizations/{organization_id}/cells")
            ward.get_by_role("link", name=f"Tài khoản của {cell_name}").click()
            ward.get_by_role("link", name="Tạo tài khoản").click()
            secretary_links[username] = create_account(ward, username, f"Bí thư {cell_name}", "Bí thư chi bộ")
        photograph(ward, "setup-2-secretary-card")
        ward.goto(f"{base}/organizations/{organization_id}/cells")
        for cell_name, username in zip(CELLS, ("bithu.kdc1", "bithu.kdc2"), strict=True):
            row_text = ward.locator("tr[data-cell]").filter(has_text=cell_name).inner_text()
            assert f"Bí thư {cell_name}" in row_text or username in row_text, row_text
        photograph(ward, "setup-3-cells")

        # 3. The first cell's secretary sets a password (a common one first) and imports the roster.
        secretary = person()
        set_password(
            secretary,
            secretary_links["bithu.kdc1"],
            "bithu.kdc1",
            PASSWORDS["bithu.kdc1"],
            bad="matkhau123",
            rule="Mật khẩu này quá phổ biến",
        )
        secretary.get_by_role("link", name="Danh sách đảng viên").first.click()
        secretary.wait_for_url(f"{base}/cells/{first_cell}/members")
        secretary.get_by_label("Tệp bảng tính (.xlsx hoặc .csv)").set_input_files(str(bad_file))
        secretary.get_by_role("button", name="Xem trước").click()
        errors = secretary.locator("[data-import-errors]")
        errors.wait_for()
        problems = errors.locator("li").all_inner_texts()
        bad_date_row, second_secretary_row = FIRST_DATA_ROW + 7, FIRST_DATA_ROW + 12
        assert any(p.startswith(f"dòng {bad_date_row}, cột Ngày vào Đảng:") for p in problems), problems
        assert any(p.startswith(f"dòng {second_secretary_row}, cột Chức vụ:") and "Bí thư" in p for p in problems), (
            problems
        )
        assert len(problems) == 2, problems
        assert "chưa lưu gì" in errors.inner_text()
        assert secretary.get_by_role("button", name="Xác nhận, lưu danh sách").count() == 0
        assert secretary.locator(f"#row{bad_date_row} .row-problems").count() == 1
        photograph(secretary, "setup-4-roster-errors")
        with app.app_context():
            assert db.session.scalar(select(func.count(Member.id))) == 0  # nothing stored

        secretary.get_by_label("Tệp bảng tính (.xlsx hoặc .csv)").set_input_files(str(good_file))
        secretary.get_by_role("button", name="Xem trước").click()
        confirm = secretary.get_by_role("button", name="Xác nhận, lưu danh sách")
        confirm.wait_for()
        assert secretary.locator("[data-import-errors]").count() == 0
        assert secretary.locator('tr[data-status="new"]').count() == 40
        assert "Thêm mới 40, thay đổi 0, không đổi 0 đảng viên" in secretary.locator("main").inner_text()
        card_row = secretary.locator(f"#row{FIRST_DATA_ROW + 5}")
        assert LEADING_ZERO_CARD in card_row.inner_text()
        photograph(secretary, "setup-5-roster-preview")
        confirm.click()
        secretary.wait_for_url(f"{base}/cells/{first_cell}/members")
        assert "Đã nhập danh sách từ bảng tính: thêm 40" in secretary.locator(".flash-success").inner_text()
        roster = secretary.locator("table.roster").first
        assert roster.locator("tbody tr").count() == 40
        assert secretary.get_by_role("heading", name="Đảng viên đang sinh hoạt (40)").is_visible()
        rows = {r.locator("td").nth(1).inner_text(): r for r in roster.locator("tbody tr").all()}
        fifth = next(text for text in rows if text.startswith(str(members[5]["name"])))
        assert rows[fifth].locator("td").nth(6).inner_text() == LEADING_ZERO_CARD
        first_name = str(members[0]["name"])
        assert rows[next(t for t in rows if t.startswith(first_name))].locator("td").nth(3).inner_text() == "Bí thư"
        for i in (6, 7):  # a date written as text and a date cell read alike
            shown = rows[next(t for t in rows if t.startswith(str(members[i]["name"])))].locator("td")
            assert shown.nth(4).inner_text() == members[i]["admitted_on"].strftime("%d/%m/%Y")  # type: ignore[attr-defined]
            assert shown.nth(5).inner_text() == members[i]["official_on"].strftime("%d/%m/%Y")  # type: ignore[attr-defined]
        probationary = str(members[PROBATIONARY[0]]["name"])
        assert "Dự bị" in rows[next(t for t in rows if t.startswith(probationary))].inner_text()
        photograph(secretary, "setup-6-roster")

        # 4. The secretary creates a counter account linked to an official member, on the cell's accounts page.
        counter_member, other_counter = str(members[3]["name"]), str(members[10]["name"])
        secretary.get_by_role("link", name="Tài khoản của chi bộ").first.click()
        secretary.wait_for_url(f"{base}/cells/{first_cell}/accounts")
        secretary.get_by_role("link", name="Tạo tài khoản").click()
        choice = secretary.get_by_label("Đảng viên (với tài khoản ban kiểm phiếu)")
        option = choice.locator("option").filter(has_text=counter_member)
        counter_label = option.inner_text().strip()
        assert counter_label.startswith(f"{counter_member} (m") and "không được" not in counter_label
        counter_link = create_account(secretary, "kiemphieu.kdc1", counter_member, "Ban kiểm phiếu", counter_label)
        photograph(secretary, "setup-7-counter-card")
        secretary.get_by_role("link", name="Quay lại danh sách tài khoản").click()
        counter_row = secretary.locator('tr[data-account="kiemphieu.kdc1"]')
        assert counter_member in counter_row.inner_text()

        counter = person()
        set_password(counter, counter_link, "kiemphieu.kdc1", PASSWORDS["kiemphieu.kdc1"])

        # 5. The secretary starts the meeting, calls the roll (everyone present) and chooses the committee.
        secretary.goto(f"{base}/")
        secretary.get_by_role("link", name="Mở hội nghị mới").first.click()
        secretary.get_by_role("button", name="Mở hội nghị").click()
        secretary.wait_for_url(re.compile(r".*/meetings/[0-9]+/opening$"))
        meeting_id = int(secretary.url.rsplit("/", 2)[1])
        secretary.goto(f"{base}/meetings/{meeting_id}/roll-call")
        secretary.get_by_role("button", name="Lưu", exact=True).click()
        secretary.get_by_text("Đã lưu kết quả kiểm diện.").wait_for()
        secretary.goto(f"{base}/meetings/{meeting_id}/committee")
        assert secretary.get_by_role("checkbox", name=probationary).is_disabled()
        for name in (counter_member, other_counter):
            secretary.get_by_role("checkbox", name=name).check()
        secretary.get_by_label("Trưởng ban kiểm phiếu").select_option(label=counter_member)
        secretary.get_by_role("button", name="Lưu ban kiểm phiếu").click()
        secretary.get_by_text("Đã lưu ban kiểm phiếu.").wait_for()
        chief = secretary.locator(".counter-item").filter(has_text=counter_member).inner_text()
        assert "Trưởng ban" in chief and "Có tài khoản riêng: kiemphieu.kdc1" in chief

        # The counter reaches the meeting's tally page from the menu.
        counter.goto(f"{base}/")
        counter.get_by_role("link", name="Nhập kết quả kiểm phiếu").first.click()
        counter.wait_for_url(f"{base}/meetings/{meeting_id}/tally")
        expect(counter.get_by_role("heading", level=1)).to_have_text("Nhập kết quả kiểm phiếu")
        assert f"Hội nghị năm {clock.today().year}" in counter.locator(".step-head .eyebrow").inner_text()
        assert CELLS[0] in counter.locator(".step-head .eyebrow").inner_text()
        assert "Đồng chí chưa lưu lần nào" in counter.locator(".entry-label").inner_text()
        for field in ("issued", "returned", "invalid"):
            assert counter.locator(f"#{field}").is_editable()
        assert counter.get_by_role("button", name="Lưu bản nhập").is_visible()
        # Every member is rated (the probationary ones were admitted more than six months ago), and the cell.
        assert counter.locator("tr[data-row]").count() == len(members) + 1
        photograph(counter, "setup-8-tally")

        # Nothing leaks: the second cell's secretary cannot see the first cell's members or accounts.
        other = person()
        set_password(other, secretary_links["bithu.kdc2"], "bithu.kdc2", PASSWORDS["bithu.kdc2"])
        for path in (f"/cells/{first_cell}/members", f"/cells/{first_cell}/accounts", f"/meetings/{meeting_id}"):
            response = other.goto(f"{base}{path}")
            assert response is not None and response.status == 404, path
        response = other.goto(f"{base}/cells/{second_cell}/members")
        assert response is not None and response.status == 200
        assert other.get_by_role("heading", name="Đảng viên đang sinh hoạt (0)").is_visible()
        # A link once used is used: opening it again is refused.
        response = other.goto(secretary_links["bithu.kdc2"])
        assert response is not None and response.status == 410
