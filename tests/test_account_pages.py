"""The account pages (review/accounts): an organisation's and a cell's accounts, their links and states.

The world: the seed's cell (ten official members, and a probationary one added here) and a
second cell of the same ward; another ward with a cell of its own. The ward ``danguy`` creates
and manages its cells' accounts; the secretary ``bithu`` its own cell's counters only; every
other ward's or cell's account, page and action is a 404.
"""

from __future__ import annotations

import re
from datetime import date
from html import unescape

import pytest
from sqlalchemy import select

from review.clock import when
from review.extensions import db
from review.models import Cell, Member, Organization, PasswordLink, User

from helpers import csrf_token, form_values, sign_in, signed_in

NEW_PASSWORD = "chi bộ họp cuối năm ở nhà văn hóa"
LINK = re.compile(r'<code class="link-text" data-link>([^<]+)</code>')


@pytest.fixture
def world(app, runner, seed_path, make_user):  # type: ignore[no-untyped-def]
    assert runner.invoke(args=["meeting", "import", str(seed_path)]).exit_code == 0
    with app.app_context():
        cell = db.session.scalar(select(Cell))
        probationary = Member(
            cell_id=cell.id,
            code="m11",
            name="Đinh Văn Dự Bị",
            standing="probationary",
            position="member",
            admitted_on=date(2020, 5, 19),
        )
        second = Cell(organization_id=cell.organization_id, name="Chi bộ Tổ dân phố 2")
        other_org = Organization(name="Đảng bộ phường Khác", place="Hà Nội")
        other_cell = Cell(organization=other_org, name="Chi bộ Khác")
        db.session.add_all([probationary, second, other_org, other_cell])
        db.session.commit()
        members = {m.code: m.id for m in cell.members}
        ids = {
            "cell": cell.id,
            "second": second.id,
            "organization": cell.organization_id,
            "other_org": other_org.id,
            "other_cell": other_cell.id,
            "members": members,
        }
    make_user("quantri", "admin")
    make_user("danguy", "ward", organization_id=ids["organization"])
    make_user("danguy2", "ward", organization_id=ids["other_org"])
    ids["bithu"] = make_user("bithu", "secretary", cell_id=ids["cell"])
    ids["bithu2"] = make_user("bithu2", "secretary", cell_id=ids["second"])
    ids["other_secretary"] = make_user("bithukhac", "secretary", cell_id=ids["other_cell"])
    ids["other_counter"] = make_user("kpkhac", "counter", cell_id=ids["other_cell"])
    return ids


def create(client, url: str, **fields: str):  # type: ignore[no-untyped-def]
    data = {"csrf_token": csrf_token(client, url), "display_name": "", "member": "0", **fields}
    return client.post(url, data=data)


def account_id(app, username: str) -> int:  # type: ignore[no-untyped-def]
    with app.app_context():
        return db.session.scalar(select(User.id).where(User.username == username))


def link_of(response) -> str:  # type: ignore[no-untyped-def]
    match = LINK.search(response.get_data(as_text=True))
    assert match, response.get_data(as_text=True)[:3000]
    return unescape(match.group(1))


def use(app, link: str, password: str = NEW_PASSWORD) -> None:  # type: ignore[no-untyped-def]
    """Set the password through ``link`` in a browser of its own."""
    client = app.test_client()
    path = "/" + link.split("/", 3)[3]
    assert client.get(path).status_code == 200
    data = {"csrf_token": csrf_token(client, path), "new_password": password, "confirm": password}
    assert client.post(path, data=data).status_code == 302


def action(client, page: str, url: str):  # type: ignore[no-untyped-def]
    return client.post(url, data={"csrf_token": csrf_token(client, page), "next": page})


def test_the_ward_creates_a_secretary_and_a_counter_who_set_their_passwords(app, world):
    app.config["REVIEW_BASE_URL"] = "https://kiemdiem.example.vn"
    ward = signed_in(app, "danguy")
    url = f"/organizations/{world['organization']}/accounts/new"
    page = ward.get(url).get_data(as_text=True)
    assert 'value="ward"' not in page  # a ward creates no ward account
    response = create(
        ward, url, username="BiThu.TDP2", display_name="Trần Văn Hai", role="secretary", cell=str(world["second"])
    )
    assert response.status_code == 200, response.get_data(as_text=True)[:3000]
    assert response.headers["Referrer-Policy"] == "no-referrer"
    html = response.get_data(as_text=True)
    link = link_of(response)
    assert link.startswith("https://kiemdiem.example.vn/auth/set-password/")
    assert "bithu.tdp2" in html and "Trần Văn Hai" in html  # the username lowercased
    with app.app_context():
        expires = db.session.scalar(select(PasswordLink).order_by(PasswordLink.id.desc())).expires_at
    assert when(expires, "minute") in html
    # Shown once: the list (and the session) never shows the token again.
    token = link.rsplit("/", 1)[1]
    listing = ward.get(f"/organizations/{world['organization']}/accounts").get_data(as_text=True)
    assert token not in listing and "bithu.tdp2" in listing and "chưa đăng nhập" in listing
    assert f"hết hạn {when(expires, 'minute')}" in listing
    assert token not in str(ward.get_cookie("session").value if ward.get_cookie("session") else "")

    counter = create(ward, url, username="kp.tdp1", role="counter", cell=str(world["cell"]))
    assert counter.status_code == 200
    use(app, link)
    use(app, link_of(counter))
    assert sign_in(app.test_client(), "bithu.tdp2", NEW_PASSWORD).status_code == 302
    assert sign_in(app.test_client(), "kp.tdp1", NEW_PASSWORD).status_code == 302
    listing = ward.get(f"/organizations/{world['organization']}/accounts").get_data(as_text=True)
    with app.app_context():
        signed = db.session.get(User, account_id(app, "kp.tdp1")).last_sign_in_at
    assert signed is not None and when(signed, "minute") in listing
    assert token not in listing


def test_a_new_account_has_no_password_until_its_link(app, world):
    ward = signed_in(app, "danguy")
    url = f"/cells/{world['cell']}/accounts/new"
    assert create(ward, url, username="kp.moi", role="counter", cell=str(world["cell"])).status_code == 200
    for password in ("", NEW_PASSWORD, "mật-khẩu-đủ-dài"):
        assert sign_in(app.test_client(), "kp.moi", password).status_code == 422


@pytest.mark.parametrize(
    ("username", "message"),
    [
        ("ab", "Tên đăng nhập cần từ 3 đến 64 ký tự."),
        ("a" * 65, "Tên đăng nhập cần từ 3 đến 64 ký tự."),
        ("nguyễn", "chỉ gồm chữ cái không dấu"),
        ("bi thu", "chỉ gồm chữ cái không dấu"),
        ("BITHU", "đã có tài khoản khác dùng"),
    ],
)
def test_a_bad_username_is_a_message_next_to_the_field(app, world, username, message):
    ward = signed_in(app, "danguy")
    url = f"/organizations/{world['organization']}/accounts/new"
    with app.app_context():
        before = db.session.scalar(select(db.func.count()).select_from(User))
    response = create(ward, url, username=username, role="secretary", cell=str(world["second"]))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    error = html.split('id="username-error">', 1)[1].split("</p>", 1)[0]
    assert message in error
    assert f'value="{username}"' in html  # what was typed is kept
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(User)) == before


def test_the_admin_creates_a_ward_account(app, world):
    admin = signed_in(app, "quantri")
    url = f"/organizations/{world['organization']}/accounts/new"
    response = create(admin, url, username="danguy.moi", role="ward", cell="0")
    assert response.status_code == 200
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "danguy.moi"))
        assert user.organization_id == world["organization"] and user.cell_id is None
    ward = signed_in(app, "danguy")
    assert create(ward, url, username="danguy.khac", role="ward", cell="0").status_code == 422
    # The ward sees its ward account but may not act on it.
    assert (
        action(ward, f"/organizations/{world['organization']}/accounts", f"/accounts/{user.id}/disable").status_code
        == 404
    )


def test_a_counter_is_linked_to_a_member_who_may_count(app, world, make_user):
    counter_id = make_user("kp1", "counter", cell_id=world["cell"])
    ward = signed_in(app, "danguy")
    url = f"/accounts/{counter_id}/member"
    page = ward.get(url).get_data(as_text=True)
    assert "Đinh Văn Dự Bị" in page and "đảng viên dự bị, không được tham gia ban kiểm phiếu" in page
    refused = ward.post(url, data=form_values(ward, url) | {"member": str(world["members"]["m11"])})
    assert refused.status_code == 422
    assert "đảng viên dự bị" in refused.get_data(as_text=True).split('id="member-error">', 1)[1]
    linked = ward.post(url, data=form_values(ward, url) | {"member": str(world["members"]["m06"])})
    assert linked.status_code == 302
    listing = ward.get(f"/organizations/{world['organization']}/accounts").get_data(as_text=True)
    assert "Đã liên kết tài khoản kp1 với đồng chí Đỗ Thị Thanh Thủy." in listing
    with app.app_context():
        assert db.session.get(User, counter_id).member_id == world["members"]["m06"]
    changed = ward.post(url, data=form_values(ward, url) | {"member": str(world["members"]["m07"])})
    assert changed.status_code == 302
    # A member of another cell is no choice of this account's.
    with app.app_context():
        stranger = Member(
            cell_id=world["second"],
            code="x1",
            name="Người Ngoài",
            standing="official",
            position="member",
            admitted_on=date(2000, 1, 1),
        )
        db.session.add(stranger)
        db.session.commit()
        stranger_id = stranger.id
    assert ward.post(url, data=form_values(ward, url) | {"member": str(stranger_id)}).status_code == 422
    unlinked = ward.post(url, data=form_values(ward, url) | {"member": "0"})
    assert unlinked.status_code == 302
    with app.app_context():
        assert db.session.get(User, counter_id).member_id is None


def test_creating_a_counter_linked_to_a_probationary_member_is_refused(app, world):
    secretary = signed_in(app, "bithu")
    url = f"/cells/{world['cell']}/accounts/new"
    response = create(
        secretary, url, username="kp.dubi", role="counter", cell=str(world["cell"]), member=str(world["members"]["m11"])
    )
    assert response.status_code == 422 and "đảng viên dự bị" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(User).where(User.username == "kp.dubi")) is None


def test_disabling_signs_the_account_out_at_once_and_enabling_lets_it_in(app, world, make_user):
    counter_id = make_user("kp1", "counter", cell_id=world["cell"])
    victim = signed_in(app, "kp1")
    assert victim.get("/").status_code == 200
    ward = signed_in(app, "danguy")
    page = f"/organizations/{world['organization']}/accounts"
    response = action(ward, page, f"/accounts/{counter_id}/disable")
    assert response.status_code == 302 and response.headers["Location"].endswith(page)
    assert "Đã khóa tài khoản kp1" in ward.get(page).get_data(as_text=True)
    following = victim.get("/")
    assert following.status_code == 302 and "/auth/login" in following.headers["Location"]
    assert sign_in(app.test_client(), "kp1").status_code == 422
    assert "Đã khóa" in ward.get(page).get_data(as_text=True)
    assert action(ward, page, f"/accounts/{counter_id}/enable").status_code == 302
    assert sign_in(app.test_client(), "kp1").status_code == 302


def test_a_reset_link_replaces_the_old_one(app, world, make_user):
    ward = signed_in(app, "danguy")
    page = f"/organizations/{world['organization']}/accounts"
    first = action(ward, page, f"/accounts/{world['bithu']}/link")
    assert first.status_code == 200 and "Đã cấp đường dẫn mới cho tài khoản bithu" in first.get_data(as_text=True)
    old = link_of(first)
    second = action(ward, page, f"/accounts/{world['bithu']}/link")
    new = link_of(second)
    assert old != new
    client = app.test_client()
    assert client.get("/" + old.split("/", 3)[3]).status_code == 410
    use(app, new)
    assert sign_in(app.test_client(), "bithu", NEW_PASSWORD).status_code == 302
    assert sign_in(app.test_client(), "bithu").status_code == 422  # the old password is gone


def test_the_secretary_manages_the_counters_of_their_own_cell_only(app, world):
    secretary = signed_in(app, "bithu")
    own = f"/cells/{world['cell']}/accounts"
    assert secretary.get(own).status_code == 200
    url = f"/cells/{world['cell']}/accounts/new"
    page = secretary.get(url).get_data(as_text=True)
    assert 'value="counter"' in page and 'value="secretary"' not in page
    assert create(secretary, url, username="kp.chibo", role="secretary", cell=str(world["cell"])).status_code == 422
    response = create(
        secretary,
        url,
        username="kp.chibo",
        role="counter",
        cell=str(world["cell"]),
        member=str(world["members"]["m06"]),
    )
    assert response.status_code == 200
    with app.app_context():
        made = db.session.scalar(select(User).where(User.username == "kp.chibo"))
        assert made.cell_id == world["cell"] and made.member_id == world["members"]["m06"]
        made_id = made.id
    assert action(secretary, own, f"/accounts/{made_id}/link").status_code == 200
    assert action(secretary, own, f"/accounts/{made_id}/disable").status_code == 302
    assert action(secretary, own, f"/accounts/{made_id}/enable").status_code == 302
    assert secretary.get(f"/accounts/{made_id}/member").status_code == 200
    # Not a secretary's account (their own included), not another cell's.
    for user_id in (world["bithu"], world["bithu2"], world["other_counter"]):
        for verb in ("disable", "enable", "link"):
            assert action(secretary, own, f"/accounts/{user_id}/{verb}").status_code == 404, (user_id, verb)
        assert secretary.get(f"/accounts/{user_id}/member").status_code == 404
    for cell in (world["second"], world["other_cell"]):
        assert secretary.get(f"/cells/{cell}/accounts").status_code == 404
        assert secretary.get(f"/cells/{cell}/accounts/new").status_code == 404
    assert secretary.get(f"/organizations/{world['organization']}/accounts").status_code == 403


def test_a_ward_gets_404_for_another_wards_accounts(app, world):
    ward = signed_in(app, "danguy")
    own = f"/organizations/{world['organization']}/accounts"
    listing = ward.get(own).get_data(as_text=True)
    assert "bithu" in listing and "bithukhac" not in listing and "danguy2" not in listing
    assert ward.get(f"/organizations/{world['other_org']}/accounts").status_code == 404
    assert ward.get(f"/organizations/{world['other_org']}/accounts/new").status_code == 404
    assert ward.get(f"/cells/{world['other_cell']}/accounts").status_code == 404
    assert ward.get(f"/cells/{world['other_cell']}/accounts/new").status_code == 404
    for user_id in (world["other_secretary"], world["other_counter"]):
        for verb in ("disable", "enable", "link"):
            assert action(ward, own, f"/accounts/{user_id}/{verb}").status_code == 404
        assert ward.get(f"/accounts/{user_id}/member").status_code == 404
    # A cell of another organisation is no choice on the ward's own form.
    url = f"/organizations/{world['organization']}/accounts/new"
    assert create(ward, url, username="xam.nhap", role="secretary", cell=str(world["other_cell"])).status_code == 422
    with app.app_context():
        assert db.session.scalar(select(User).where(User.username == "xam.nhap")) is None


def test_the_cell_page_lists_the_cells_accounts_for_its_ward(app, world, make_user):
    make_user("kp1", "counter", cell_id=world["cell"])
    ward = signed_in(app, "danguy")
    page = ward.get(f"/cells/{world['cell']}/accounts").get_data(as_text=True)
    assert "bithu" in page and "kp1" in page and "bithu2" not in page


def test_a_sign_in_is_recorded_once_in_the_audit_trail(app, world):
    from review.models import AuditEntry

    with app.app_context():
        before = db.session.scalar(select(db.func.count()).select_from(AuditEntry))
    signed_in(app, "bithu")
    with app.app_context():
        entries = list(db.session.scalars(select(AuditEntry).order_by(AuditEntry.id).offset(before)))
        assert [(e.table_name, e.action) for e in entries] == [("user_account", "update")]
        assert "last_sign_in_at" in entries[0].after and db.session.get(User, world["bithu"]).last_sign_in_at


def test_an_archived_cell_gets_no_new_account(app, world):
    from review import clock

    with app.app_context():
        db.session.get(Cell, world["second"]).archived_at = clock.now()
        db.session.commit()
    ward = signed_in(app, "danguy")
    page = ward.get(f"/organizations/{world['organization']}/accounts/new").get_data(as_text=True)
    assert "Chi bộ Tổ dân phố 2" not in page  # not offered on the organisation's form
    url = f"/cells/{world['second']}/accounts/new"
    response = create(ward, url, username="kp.luutru", role="counter", cell=str(world["second"]))
    assert response.status_code == 422 and "đã lưu trữ" in response.get_data(as_text=True)


def test_a_disabled_account_gets_no_reset_link_and_no_button(app, world):
    from review.auth.account_rules import DISABLED_NO_LINK

    ward = signed_in(app, "danguy")
    page = f"/organizations/{world['organization']}/accounts"
    with app.app_context():
        db.session.get(User, world["bithu"]).disable()
        db.session.commit()
        links = db.session.scalar(select(db.func.count()).select_from(PasswordLink))
    listing = ward.get(page).get_data(as_text=True)
    assert f'action="/accounts/{world["bithu"]}/link"' not in listing  # no button on the disabled row
    assert f'action="/accounts/{world["bithu2"]}/link"' in listing
    response = action(ward, page, f"/accounts/{world['bithu']}/link")
    assert response.status_code == 302 and response.headers["Location"].endswith(page)
    assert DISABLED_NO_LINK.format(username="bithu") in unescape(ward.get(page).get_data(as_text=True))
    with app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(PasswordLink)) == links


def test_the_pages_say_the_rules_limits_from_their_constants(app, world):
    from review.auth.account_rules import USERNAME_MAX, USERNAME_MIN, lifetime_text, username_hint
    from review.auth.password_rules import MIN_LENGTH, password_hint

    assert lifetime_text() == "48 giờ" and password_hint() == f"ít nhất {MIN_LENGTH} ký tự"
    assert f"Từ {USERNAME_MIN} đến {USERNAME_MAX} ký tự" in username_hint()
    for name in ("new.html", "organization.html", "card.html", "cell.html", "_table.html"):
        source = (app.root_path + "/templates/accounts/" + name, name)
        with open(source[0], encoding="utf-8") as template:
            text = template.read()
        assert "48 giờ" not in text and "10 ký tự" not in text and "64 ký tự" not in text, name
    ward = signed_in(app, "danguy")
    url = f"/organizations/{world['organization']}/accounts/new"
    new = unescape(ward.get(url).get_data(as_text=True))
    assert username_hint() in new and f"hết hạn sau {lifetime_text()}" in new
    listing = ward.get(f"/organizations/{world['organization']}/accounts").get_data(as_text=True)
    assert f"hết hạn sau {lifetime_text()}" in listing
    card = unescape(
        create(ward, url, username="bithu.moi", role="secretary", cell=str(world["second"])).get_data(as_text=True)
    )
    assert f"({password_hint()})" in card and f"hết hạn sau {lifetime_text()};" in card


def test_a_counter_linked_to_a_member_who_left_keeps_the_link_when_saved_unchanged(app, world, make_user):
    from review.auth.account_rules import member_label

    counter_id = make_user("kp1", "counter", cell_id=world["cell"])
    ward = signed_in(app, "danguy")
    url = f"/accounts/{counter_id}/member"
    linked = ward.post(url, data=form_values(ward, url) | {"member": str(world["members"]["m06"])})
    assert linked.status_code == 302
    with app.app_context():
        member = db.session.get(Member, world["members"]["m06"])
        member.retired_on = date(2026, 11, 1)
        db.session.commit()
        label = member_label(member.name, member.code, "đã rời chi bộ")
    page = unescape(ward.get(url).get_data(as_text=True))
    assert re.search(rf'<option selected value="{world["members"]["m06"]}">{re.escape(label)}</option>', page), page
    again = ward.post(url, data=form_values(ward, url) | {"member": str(world["members"]["m06"])})  # as shown
    assert again.status_code == 302, again.get_data(as_text=True)[:3000]
    with app.app_context():
        assert db.session.get(User, counter_id).member_id == world["members"]["m06"]
    # Another counter is not linked to the member who left.
    other_id = make_user("kp2", "counter", cell_id=world["cell"])
    other = f"/accounts/{other_id}/member"
    refused = ward.post(other, data=form_values(ward, other) | {"member": str(world["members"]["m06"])})
    assert refused.status_code == 422


def test_the_counter_only_rule_is_said_once(app, world):
    from review.auth.account_rules import COUNTER_ONLY

    ward = signed_in(app, "danguy")
    url = f"/cells/{world['cell']}/accounts/new"
    response = create(
        ward, url, username="bt.moi", role="secretary", cell=str(world["cell"]), member=str(world["members"]["m06"])
    )
    assert response.status_code == 422 and COUNTER_ONLY in unescape(response.get_data(as_text=True))
    with app.app_context():
        assert db.session.scalar(select(User).where(User.username == "bt.moi")) is None
