"""The ward's cells: list, create, edit, archive, restore; another ward's cells are a 404.

The seed (2020, sealed) is the first organisation's cell, with its ten members; a second
organisation has a cell and a ward of its own.
"""

from __future__ import annotations

import re
import unicodedata

import pytest
from sqlalchemy import select

from review.extensions import db
from review.models import Cell, Meeting, Organization, User
from review.setup_rules import NAME_MAX
from review.text import CONTROL_MESSAGE

from helpers import csrf_token, signed_in


@pytest.fixture
def world(app, runner, seed_path, make_user):  # type: ignore[no-untyped-def]
    assert runner.invoke(args=["meeting", "import", str(seed_path)]).exit_code == 0
    with app.app_context():
        seed = db.session.scalar(select(Cell))
        other = Organization(name="Đảng bộ phường Ngọc Thụy", place="Ngọc Thụy")
        db.session.add(other)
        db.session.flush()
        foreign = Cell(organization_id=other.id, name="Chi bộ Khu dân cư số 1")
        db.session.add(foreign)
        db.session.commit()
        members = {m.code: m.id for m in seed.members}
        ids = {"cell": seed.id, "organization": seed.organization_id, "other": other.id, "foreign": foreign.id}
    make_user("quantri", "admin")
    make_user("danguy", "ward", organization_id=ids["organization"])
    make_user("danguy2", "ward", organization_id=ids["other"])
    make_user("bithu", "secretary", cell_id=ids["cell"], display_name="Nguyễn Thị Ngọc Hân")
    counter = make_user("kiemphieu", "counter", cell_id=ids["cell"])
    with app.app_context():
        db.session.get(User, counter).member_id = members["m06"]
        db.session.commit()
    return ids


def cells_of(app, organization_id: int) -> dict[str, Cell]:  # type: ignore[no-untyped-def]
    with app.app_context():
        rows = {c.name: c for c in db.session.scalars(select(Cell).where(Cell.organization_id == organization_id))}
        db.session.expunge_all()
        return rows


def post(client, url: str, page: str | None = None, **data: str):  # type: ignore[no-untyped-def]
    return client.post(url, data={"csrf_token": csrf_token(client, page or url), **data})


def field_error(html: str, field: str) -> str:
    match = re.search(rf'<p class="error" id="{field}-error">(.*?)</p>', html, re.S)
    assert match, f"no message next to {field}"
    return match.group(1)


def test_the_list_shows_each_cells_roster_and_accounts(app, world):
    client = signed_in(app, "danguy")
    html = client.get(f"/organizations/{world['organization']}/cells").get_data(as_text=True)
    row = re.search(rf'<tr data-cell="{world["cell"]}">(.*?)</tr>', html, re.S).group(1)
    cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)]
    assert cells[0] == "Chi bộ Trường Mầm non Thượng Thanh"
    assert cells[1] == "như đảng bộ (Thượng Thanh)"
    assert cells[3:6] == ["10", "Nguyễn Thị Ngọc Hân", "1"]
    assert "Chi bộ Khu dân cư số 1" not in html  # the other organisation's


def test_the_ward_creates_a_cell_and_an_empty_place_is_the_organizations(app, world):
    client = signed_in(app, "danguy")
    url = f"/organizations/{world['organization']}/cells/new"
    typed = unicodedata.normalize("NFD", " Chi bộ Khu dân cư số 1 ")  # the other organisation's name: allowed here
    response = post(client, url, name=typed, place="", has_committee="y")
    assert response.status_code == 302
    assert "Đã tạo chi bộ." in client.get(response.headers["Location"]).get_data(as_text=True)
    created = cells_of(app, world["organization"])["Chi bộ Khu dân cư số 1"]
    assert (created.place, created.has_committee, created.archived_at) == ("", True, None)
    html = client.get(f"/organizations/{world['organization']}/cells").get_data(as_text=True)
    row = re.search(rf'<tr data-cell="{created.id}">(.*?)</tr>', html, re.S).group(1)
    assert "Có chi ủy" in row


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("", "Nhập tên chi bộ."),
        ("CHI BỘ TRƯỜNG MẦM NON THƯỢNG THANH", "Đảng bộ đã có chi bộ tên “Chi bộ Trường Mầm non Thượng Thanh”"),
        ("chi bộ trường mầm non  thượng thanh", "Đảng bộ đã có chi bộ tên"),
        ("a" * (NAME_MAX + 1), "Tối đa 200 ký tự."),
        ("Chi bộ\x00số 3", CONTROL_MESSAGE),
    ],
)
def test_a_wrong_name_is_a_message_next_to_the_field_and_nothing_is_stored(app, world, name, message):
    client = signed_in(app, "danguy")
    before = cells_of(app, world["organization"]).keys()
    response = post(client, f"/organizations/{world['organization']}/cells/new", name=name, place="Tổ 5")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in field_error(html, "name")
    assert 'value="Tổ 5"' in html
    assert cells_of(app, world["organization"]).keys() == before


def test_the_ward_edits_a_cell_but_not_to_another_cells_name(app, world):
    client = signed_in(app, "danguy")
    new = f"/organizations/{world['organization']}/cells/new"
    assert post(client, new, name="Chi bộ Khu dân cư số 2", place="").status_code == 302
    url = f"/cells/{world['cell']}/edit"
    assert 'value="Chi bộ Trường Mầm non Thượng Thanh"' in client.get(url).get_data(as_text=True)
    response = post(client, url, name="chi bộ khu dân cư số 2", place="")
    assert response.status_code == 422
    assert "Đảng bộ đã có chi bộ tên" in field_error(response.get_data(as_text=True), "name")
    response = post(
        client, url, name="Chi bộ Trường Mầm non Thượng Thanh", place="Phường Thượng Thanh", has_committee="y"
    )
    assert response.status_code == 302
    cell = cells_of(app, world["organization"])["Chi bộ Trường Mầm non Thượng Thanh"]
    assert (cell.place, cell.has_committee) == ("Phường Thượng Thanh", True)


def test_an_archived_cell_keeps_its_records_opens_no_meeting_and_leaves_the_dashboard(app, world):
    ward = signed_in(app, "danguy")
    new = f"/organizations/{world['organization']}/cells/new"
    assert post(ward, new, name="Chi bộ Khu dân cư số 2", place="").status_code == 302
    empty = cells_of(app, world["organization"])["Chi bộ Khu dân cư số 2"].id
    dashboard = f"/organizations/{world['organization']}?year=2020"
    assert "Chi bộ Khu dân cư số 2" in ward.get(dashboard).get_data(as_text=True)
    for cell_id in (world["cell"], empty):
        response = post(ward, f"/cells/{cell_id}/archive")
        assert response.status_code == 422
        assert "Đánh dấu ô xác nhận" in field_error(response.get_data(as_text=True), "confirm")
        assert post(ward, f"/cells/{cell_id}/archive", confirm="y").status_code == 302
    listed = ward.get(f"/organizations/{world['organization']}/cells").get_data(as_text=True)
    active, archived = listed.split('id="archived-heading"')
    assert "Chi bộ Trường Mầm non Thượng Thanh" in archived and "Chi bộ Khu dân cư số 2" in archived
    assert "Chi bộ Trường Mầm non Thượng Thanh" not in active
    # The dashboard: the archived cell with a meeting that year still shows; the one without is not "no meeting".
    page = ward.get(dashboard).get_data(as_text=True)
    assert "Chi bộ Trường Mầm non Thượng Thanh" in page and "Chi bộ Khu dân cư số 2" not in page
    # Its records are kept and its pages work as before; a new meeting is refused with a message.
    with app.app_context():
        cell = db.session.get(Cell, world["cell"])
        assert len(cell.members) == 10 and len(cell.meetings) == 1
    secretary = signed_in(app, "bithu")
    assert secretary.get(f"/cells/{world['cell']}/members").status_code == 200
    with app.app_context():
        meeting_id = db.session.scalar(select(Meeting.id))
    assert secretary.get(f"/meetings/{meeting_id}/results").status_code == 200
    response = post(secretary, f"/cells/{world['cell']}/meetings/new", year="2021")
    assert response.status_code == 422
    assert "Chi bộ đã được lưu trữ: không mở hội nghị mới." in field_error(response.get_data(as_text=True), "year")
    with app.app_context():
        assert len(db.session.scalars(select(Meeting)).all()) == 1
    # Restored, it opens a meeting again.
    token = csrf_token(ward, f"/organizations/{world['organization']}/cells")
    response = ward.post(f"/cells/{world['cell']}/restore", data={"csrf_token": token})
    assert response.status_code == 302
    assert "Đã khôi phục chi bộ." in ward.get(response.headers["Location"]).get_data(as_text=True)
    assert post(secretary, f"/cells/{world['cell']}/meetings/new", year="2021").status_code == 302


def test_a_name_of_an_archived_cell_stays_taken(app, world):
    ward = signed_in(app, "danguy")
    assert post(ward, f"/cells/{world['cell']}/archive", confirm="y").status_code == 302
    response = post(
        ward, f"/organizations/{world['organization']}/cells/new", name="Chi bộ Trường Mầm non Thượng Thanh"
    )
    assert response.status_code == 422


def test_an_archived_organization_takes_no_new_cell(app, world):
    with app.app_context():
        from review import clock

        db.session.get(Organization, world["organization"]).archived_at = clock.now()
        db.session.commit()
    ward = signed_in(app, "danguy")
    url = f"/organizations/{world['organization']}/cells/new"
    response = post(ward, url, name="Chi bộ Khu dân cư số 9")
    assert response.status_code == 422
    assert "Đảng bộ đã được lưu trữ: không thêm chi bộ mới." in response.get_data(as_text=True)


def test_another_ward_gets_404_and_a_secretary_403(app, world):
    mine = world["organization"]
    urls = [
        f"/organizations/{mine}/cells",
        f"/organizations/{mine}/cells/new",
        f"/cells/{world['cell']}/edit",
        f"/cells/{world['cell']}/archive",
    ]
    stranger = signed_in(app, "danguy2")
    token = csrf_token(stranger, f"/organizations/{world['other']}/cells")
    for url in urls:
        assert stranger.get(url).status_code == 404, url
    for url in urls[1:]:
        assert stranger.post(url, data={"csrf_token": token, "name": "X", "confirm": "y"}).status_code == 404, url
    assert stranger.post(f"/cells/{world['cell']}/restore", data={"csrf_token": token}).status_code == 404
    assert cells_of(app, mine).keys() == {"Chi bộ Trường Mầm non Thượng Thanh"}
    assert cells_of(app, mine)["Chi bộ Trường Mầm non Thượng Thanh"].archived_at is None
    # The ward's own pages and its own cell are reached; the secretary's role is refused.
    assert signed_in(app, "danguy").get(f"/cells/{world['cell']}/edit").status_code == 200
    secretary = signed_in(app, "bithu")
    for url in urls:
        assert secretary.get(url).status_code == 403, url
    admin = signed_in(app, "quantri")
    for url in urls + [f"/organizations/{world['other']}/cells", f"/cells/{world['foreign']}/edit"]:
        assert admin.get(url).status_code == 200, url
    assert admin.get("/cells/999999/edit").status_code == 404


def test_renaming_a_sealed_meetings_cell_and_organisation_is_no_seal_difference(app, runner, seed_path) -> None:
    """A seal keeps the names it was made under; renaming the cell or its organisation later,
    or changing their places, does not show as a change to the sealed record."""
    from review.database import write_transaction
    from review.meeting_store import seal_differences, sealed_meeting_file
    from review.setup_store import update_cell, update_organization

    assert runner.invoke(args=["meeting", "import", str(seed_path)]).exit_code == 0
    with app.app_context():
        meeting = db.session.scalar(select(Meeting))
        old_cell, old_parent = meeting.cell.name, meeting.cell.organization.name
        assert meeting.sealed and seal_differences(meeting) == []
        with write_transaction():
            update_cell(meeting.cell, old_cell + " (đổi tên)", "Long Biên", True)
            organization = meeting.cell.organization
            update_organization(organization, old_parent + " (đổi tên)", "Long Biên", organization.superior)
        db.session.expire_all()
        meeting = db.session.scalar(select(Meeting))
        assert seal_differences(meeting) == []
        sealed = sealed_meeting_file(meeting)  # what the sealed documents print: the names of the day
        assert (sealed.cell, sealed.parent) == (old_cell, old_parent)


def test_a_cells_own_place_is_its_documents_date_line_and_a_file_brings_it(app, runner, seed_path, tmp_path) -> None:
    import json

    from review.meeting_store import meeting_file

    assert runner.invoke(args=["meeting", "import", str(seed_path)]).exit_code == 0  # Thượng Thanh
    data = json.loads(seed_path.read_text(encoding="utf-8"))
    data["organization"] |= {"cell": "Chi bộ Khu dân cư số 3", "place": "Phúc Lợi"}  # dated elsewhere
    path = tmp_path / "elsewhere.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    result = runner.invoke(args=["meeting", "import", str(path)])
    assert result.exit_code == 0, result.output
    with app.app_context():
        cell = db.session.scalar(select(Cell).where(Cell.name == "Chi bộ Khu dân cư số 3"))
        assert (cell.place, cell.organization.place, cell.has_committee) == ("Phúc Lợi", "Thượng Thanh", True)
        meeting = db.session.scalar(select(Meeting).where(Meeting.cell_id == cell.id))
        assert meeting_file(meeting).place == "Phúc Lợi"  # what the minutes' date line prints
    data["organization"]["place"] = "Thượng Thanh"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    again = runner.invoke(args=["meeting", "import", str(path)])
    assert again.exit_code == 1 and 'địa danh của chi bộ trên máy chủ: "Phúc Lợi"' in again.output
