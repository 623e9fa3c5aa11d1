"""The navigation bar: each kind of user sees exactly the links the policy lets them follow.

The accounts stand to one cell as in tests/test_access_table.py: the seed's sealed 2020 meeting
and its 2021 meeting being counted (committee m06, the chief, m07, m08). Every link of a menu
answers 200 for its user; anonymous pages carry no menu. One browser test folds the bar on a
phone's width and opens it.
"""

from __future__ import annotations

import os
import re
from html import unescape
from pathlib import Path

import pytest
from sqlalchemy import select

from review import access
from review.counting import set_committee
from review.extensions import db
from review.menu import PASSWORD_ENDPOINT, Here, menu_for
from review.models import Cell, Meeting, User

from helpers import csrf_token, one_account_per_kind, signed_in, write_2021_copy

# Screenshots to look at: REVIEW_SHOTS names a folder to keep them in, else the test's own tmp folder.
SHOTS_DIR = os.environ.get("REVIEW_SHOTS")
NAV = re.compile(r'<nav class="menu-links"[^>]*>(.*?)</nav>', re.S)
LINK = re.compile(r'<a href="([^"]*)"(?: aria-current="([a-z]+)")?><bdi>([^<]*)</bdi></a>')


@pytest.fixture
def world(app, runner, seed_path, tmp_path, make_user):  # type: ignore[no-untyped-def]
    """The seed (2020, sealed) and its 2021 meeting with a committee; one account per kind of user."""
    assert runner.invoke(args=["meeting", "import", str(seed_path)]).exit_code == 0
    result = runner.invoke(args=["meeting", "import", str(write_2021_copy(seed_path, tmp_path))])
    assert result.exit_code == 0, result.output
    with app.app_context():
        meetings = {m.review_year.year: m for m in db.session.scalars(select(Meeting))}
        meeting = meetings[2021]
        members = {m.code: m.id for m in meeting.cell.members}
        set_committee(meeting, [members[c] for c in ("m06", "m07", "m08")], members["m06"])
        db.session.commit()
        ids = {
            "meeting": meeting.id,
            "cell": meeting.cell_id,
            "organization": meeting.cell.organization_id,
            "organization_name": meeting.cell.organization.name,
        }
    ids["code"] = one_account_per_kind(
        app,
        make_user,
        organization_id=ids["organization"],
        cell_id=ids["cell"],
        meeting_id=ids["meeting"],
        counter_member_id=members["m06"],
        code_member_id=members["m08"],
    )
    return ids


def client_of(app, who: str, world):  # type: ignore[no-untyped-def]
    """Return a test client signed in as ``who`` (``code``: the one-time code of m08)."""
    if who == "code":
        client = app.test_client()
        response = client.post("/code", data={"csrf_token": csrf_token(client, "/code"), "code": world["code"]})
        assert response.status_code == 302
        return client
    return signed_in(app, who)


def menu_of(html: str) -> list[tuple[str, str, str]]:
    """Return the menu's links on a page: (label, href, its aria-current or "")."""
    navs = NAV.findall(html)
    assert len(navs) == 1, "one navigation bar a page"
    return [(unescape(label), unescape(href), current) for href, current, label in LINK.findall(navs[0])]


def expected(app, world) -> dict[str, list[tuple[str, str]]]:  # type: ignore[no-untyped-def]
    """Return each user's menu as the policy allows it: (label, href)."""
    m, c, o = world["meeting"], world["cell"], world["organization"]
    password = [("Đổi mật khẩu", "/auth/password")]
    home = [("Trang chủ", "/")]
    return {
        # One link to the organisations' index, however many organisations there are.
        "quantri": home + [("Toàn tỉnh", "/province"), ("Các đảng bộ", "/admin/organizations")] + password,
        "danguy": home
        + [
            ("Theo dõi các chi bộ", f"/organizations/{o}"),
            ("Chi bộ", f"/organizations/{o}/cells"),
            ("Quy định đánh giá, xếp loại", f"/organizations/{o}/rules"),
            ("Quyết định của Đảng ủy", f"/organizations/{o}/decision"),
            ("Tải toàn bộ tài liệu", f"/organizations/{o}#export-title"),
            ("Tài khoản", f"/organizations/{o}/accounts"),
            ("Nhận tệp hội nghị", f"/organizations/{o}/meeting-files"),
        ]
        + password,
        "bithu": home
        + [
            ("Hội nghị năm 2021", f"/meetings/{m}"),
            ("Danh sách đảng viên", f"/cells/{c}/members"),
            ("Kết quả", f"/meetings/{m}/results"),
            ("Tài khoản của chi bộ", f"/cells/{c}/accounts"),
        ]
        + password,
        "kiemphieu": home
        + [("Nhập kết quả kiểm phiếu", f"/meetings/{m}/tally"), ("Kết quả", f"/meetings/{m}/results")]
        + password,
        # A one-time code has no password to change.
        "code": home + [("Nhập kết quả kiểm phiếu", f"/meetings/{m}/tally"), ("Kết quả", f"/meetings/{m}/results")],
    }


@pytest.mark.parametrize("who", ["quantri", "danguy", "bithu", "kiemphieu", "code"])
def test_each_user_sees_exactly_the_links_the_policy_allows_and_each_answers(app, world, who):
    client = client_of(app, who, world)
    home = client.get("/")
    assert home.status_code == 200
    links = menu_of(home.get_data(as_text=True))
    assert [(label, href) for label, href, _ in links] == expected(app, world)[who]
    assert [(label, current) for label, _, current in links if current] == [("Trang chủ", "page")]
    for label, href, _ in links:
        path = href.split("#")[0]
        response = client.get(path, follow_redirects=True)
        assert response.status_code == 200, (who, label, href, response.status_code)
        marked = [(h, current) for _, h, current in menu_of(response.get_data(as_text=True)) if current]
        if response.history:  # the meeting's link leads to its first step not recorded: its section
            assert marked == [(href, "true")], (who, href, marked)
        else:  # the page it leads to is marked as the current one
            assert marked == [(path, "page")], (who, href, marked)
    page = home.get_data(as_text=True)
    assert 'action="/auth/logout"' in page and 'name="csrf_token"' in page  # signing out stays a form


def test_anonymous_pages_have_no_menu(app, world):
    client = app.test_client()
    for url in ("/auth/login", "/code"):
        page = client.get(url).get_data(as_text=True)
        assert "data-menu" not in page and "menu-links" not in page and "/auth/logout" not in page
    assert client.get("/").status_code == 302


def test_the_menu_links_only_what_the_policy_lets_follow(app, world):
    """Each link is the policy's: an endpoint whose GET the account may not follow is never offered."""
    with app.test_request_context("/"):
        for username in ("quantri", "danguy", "bithu", "kiemphieu"):
            user = db.session.scalar(select(User).where(User.username == username))
            menu = menu_for(user, Here("/", "main.index"))
            assert menu is not None and menu.items[0].label == "Trang chủ"
        assert menu_for(None) is None
        assert not access.may_follow("no.such_endpoint", user)
        assert not access.may_follow("results.approve", user)  # a POST only: never a link


def test_a_secretary_without_a_meeting_is_offered_to_open_one(app, world, make_user):
    with app.app_context():
        cell = Cell(organization_id=world["organization"], name="Chi bộ mới")
        db.session.add(cell)
        db.session.commit()
        cell_id = cell.id
    make_user("bithu2", "secretary", cell_id=cell_id)
    client = signed_in(app, "bithu2")
    links = menu_of(client.get("/").get_data(as_text=True))
    assert [(label, href) for label, href, _ in links][:3] == [
        ("Trang chủ", "/"),
        ("Mở hội nghị mới", f"/cells/{cell_id}/meetings/new"),
        ("Danh sách đảng viên", f"/cells/{cell_id}/members"),
    ]
    for _, href, _ in links:
        assert client.get(href).status_code == 200, href


def test_the_administrators_menu_stays_one_link_with_many_organizations(app, world):
    from review.models import Organization

    with app.app_context():
        db.session.add_all(Organization(name=f"Đảng bộ phường số {i}", place="Hà Nội") for i in range(40))
        db.session.commit()
    client = signed_in(app, "quantri")
    links = menu_of(client.get("/").get_data(as_text=True))
    assert [label for label, _, _ in links] == ["Trang chủ", "Toàn tỉnh", "Các đảng bộ", "Đổi mật khẩu"]
    index = client.get("/admin/organizations").get_data(as_text=True)
    assert index.count('href="/organizations/') >= 41 * 2  # each one's dashboard and cells
    assert [(label, current) for label, _, current in menu_of(index) if current] == [("Các đảng bộ", "page")]
    # On one organisation's page, the administrator's menu offers that organisation's cells too.
    o = world["organization"]
    links = menu_of(client.get(f"/organizations/{o}").get_data(as_text=True))
    assert [(label, href) for label, href, _ in links][2:4] == [
        ("Các đảng bộ", "/admin/organizations"),
        ("Chi bộ", f"/organizations/{o}/cells"),
    ]
    cells = client.get(f"/organizations/{o}/cells")
    assert [(label, current) for label, _, current in menu_of(cells.get_data(as_text=True)) if current] == [
        ("Chi bộ", "page")
    ]
    missing = client.get("/organizations/999999/cells")
    assert missing.status_code == 404
    assert "/organizations/999999/cells" not in missing.get_data(as_text=True)


def test_a_counter_on_no_committee_sees_only_the_home_page(app, world, make_user):
    make_user("kiemphieu2", "counter", cell_id=world["cell"])
    links = menu_of(signed_in(app, "kiemphieu2").get("/").get_data(as_text=True))
    assert [label for label, _, _ in links if label != "Đổi mật khẩu"] == ["Trang chủ"]


def test_the_password_page_is_offered_to_every_account_but_a_one_time_code(app, world):
    assert access.ENDPOINTS[PASSWORD_ENDPOINT]["GET"] == "own_password"
    for who in ("quantri", "danguy", "bithu", "kiemphieu"):
        links = menu_of(client_of(app, who, world).get("/").get_data(as_text=True))
        assert links[-1][:2] == ("Đổi mật khẩu", "/auth/password"), who
    links = menu_of(client_of(app, "code", world).get("/").get_data(as_text=True))
    assert "Đổi mật khẩu" not in [label for label, _, _ in links]


def test_a_server_error_page_asks_nothing_for_a_menu(app, world):
    from flask import abort

    app.add_url_rule("/boom", "boom", lambda: abort(500))
    client = signed_in(app, "bithu")
    response = client.get("/boom")
    assert response.status_code == 500
    assert "menu-links" not in response.get_data(as_text=True)


WIDEST = """() => {
  const width = document.documentElement.clientWidth;
  const wide = [...document.querySelectorAll('body *')]
    .filter(el => el.getBoundingClientRect().right > width + 0.5 || el.getBoundingClientRect().width > width + 0.5)
    .map(el => el.tagName + '.' + el.className);
  return {width, scroll: document.documentElement.scrollWidth, wide};
}"""


@pytest.mark.browser
def test_the_bar_folds_into_one_menu_on_a_phone(app, world, tmp_path):
    from browser import chromium, live_server, sign_in

    SHOTS = Path(SHOTS_DIR) if SHOTS_DIR else tmp_path
    SHOTS.mkdir(parents=True, exist_ok=True)
    with live_server(app) as base, chromium() as browser:
        for username in ("danguy", "bithu"):
            # A phone: the bar is one folded menu that opens by keyboard and by touch.
            context = browser.new_context(viewport={"width": 390, "height": 844}, locale="vi-VN")
            page = context.new_page()
            sign_in(page, base, username)
            menu = page.locator("details[data-menu]")
            links = page.locator("nav.menu-links a")
            assert menu.get_attribute("open") is None
            assert not links.first.is_visible()
            assert not page.get_by_role("button", name="Đăng xuất").is_visible()
            page.screenshot(path=str(SHOTS / f"{username}-390-folded.png"), full_page=True)
            summary = page.locator("details[data-menu] > summary")
            summary.focus()
            page.keyboard.press("Enter")
            assert menu.get_attribute("open") is not None
            for i in range(links.count()):
                assert links.nth(i).is_visible()
            assert page.get_by_role("button", name="Đăng xuất").is_visible()
            layout = page.evaluate(WIDEST)
            assert layout["scroll"] <= layout["width"] and layout["wide"] == [], layout
            page.screenshot(path=str(SHOTS / f"{username}-390-open.png"), full_page=True)
            page.keyboard.press("Enter")
            assert menu.get_attribute("open") is None
            summary.click()
            links.nth(1).click()
            page.wait_for_load_state()
            assert page.locator("nav.menu-links a[aria-current]").count() == 1
            layout = page.evaluate(WIDEST)
            assert layout["scroll"] <= layout["width"], layout
            context.close()

            # A wide screen: the bar shows its links, no menu button.
            context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
            page = context.new_page()
            sign_in(page, base, username)
            assert not page.locator("details[data-menu] > summary").is_visible()
            links = page.locator("nav.menu-links a")
            for i in range(links.count()):
                assert links.nth(i).is_visible()
            assert page.get_by_role("button", name="Đăng xuất").is_visible()
            page.screenshot(path=str(SHOTS / f"{username}-1280.png"))
            context.close()

        # Without scripts the menu is served open: every link is there at a phone's width.
        context = browser.new_context(viewport={"width": 360, "height": 740}, java_script_enabled=False, locale="vi-VN")
        page = context.new_page()
        sign_in(page, base, "bithu")
        links = page.locator("nav.menu-links a")
        assert links.count() == 6  # home, the meeting, the roster, the results, the cell's accounts, the password
        for i in range(links.count()):
            assert links.nth(i).is_visible()
        page.screenshot(path=str(SHOTS / "bithu-360-no-script.png"), full_page=True)
        context.close()
