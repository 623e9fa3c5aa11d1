"""The roster pages: the member list, adding, editing, retiring members, and the year's flags."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from review.database import write_transaction
from review.extensions import db
from review.meeting_edits import start_meeting
from review.models import Cell, IndividualReview, Meeting, Member, Organization, Participant, ReviewYear

from helpers import csrf_token, form_values

CELL = "Chi bộ Trường Mầm non Thượng Thanh"
OTHER_CELL = "Chi bộ Khu dân cư số 5"
SEED_NAMES = [
    "Nguyễn Thị Ngọc Hân",
    "Lê Thị Thu Hương",
    "Phan Thị Hòa",
    "Nguyễn Thị Hồng Dung",
    "Trần Thị Minh Nguyệt",
    "Đỗ Thị Thanh Thủy",
    "Vũ Thị Ngọc Ánh",
    "Hoàng Thị Lệ Quyên",
    "Ngô Thị Bích Ngọc",
    "Phạm Thị Xuân Mai",
]
SICK_LEAVE_MESSAGE = "Số tháng nghỉ ốm phải là một số nguyên từ 0 đến 12."


# ---------------------------------------------------------------------------
# Set-up helpers


def import_file(runner, path) -> None:  # type: ignore[no-untyped-def]
    result = runner.invoke(args=["meeting", "import", str(path)])
    assert result.exit_code == 0, result.output


def cell_id(app, name: str = CELL) -> int:  # type: ignore[no-untyped-def]
    with app.app_context():
        return db.session.scalar(select(Cell.id).where(Cell.name == name))


def member_id(app, code: str, name: str = CELL) -> int:  # type: ignore[no-untyped-def]
    with app.app_context():
        return db.session.scalar(select(Member.id).join(Cell).where(Cell.name == name, Member.code == code))


def participant(app, year: int, code: str):  # type: ignore[no-untyped-def]
    """Return (meeting id, participant id) of a seed member in the cell's meeting of ``year``, or None."""
    with app.app_context():
        row = db.session.execute(
            select(Meeting.id, Participant.id)
            .join(Participant, Participant.meeting_id == Meeting.id)
            .join(Member, Participant.member_id == Member.id)
            .join(ReviewYear, Meeting.review_year_id == ReviewYear.id)
            .join(Cell, Meeting.cell_id == Cell.id)
            .where(Cell.name == CELL, ReviewYear.year == year, Member.code == code)
        ).first()
        return tuple(row) if row else None


def open_2021_meeting(app) -> int:  # type: ignore[no-untyped-def]
    """Start the seed cell's 2021 meeting (ballot not counted yet) and return its id."""
    with app.app_context():
        cell = db.session.scalar(select(Cell).where(Cell.name == CELL))
        with write_transaction():
            meeting = start_meeting(cell, 2021)
        return meeting.id


def member_count(app) -> int:  # type: ignore[no-untyped-def]
    with app.app_context():
        return db.session.scalar(select(func.count(Member.id)))


def form_data(**values: str) -> dict[str, str]:
    data = {"name": "Đinh Thị Lan", "standing": "probationary", "position": "member", "admitted_on": "2019-09-02"}
    data.update(values)
    return data


@pytest.fixture
def seeded(app, runner, seed_path, make_user, login):  # type: ignore[no-untyped-def]
    """Import the seed meeting and sign in as the cell's secretary; return the cell's id."""
    import_file(runner, seed_path)
    cid = cell_id(app)
    make_user("bithu", "secretary", cell_id=cid)
    login("bithu")
    return cid


@pytest.fixture
def other_cell(app, runner, seed_path, tmp_path):  # type: ignore[no-untyped-def]
    """Import a copy of the seed meeting as another cell's; return that cell's id."""
    doc = json.loads(seed_path.read_text(encoding="utf-8"))
    doc["organization"]["cell"] = OTHER_CELL
    path = tmp_path / "other.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    import_file(runner, path)
    return cell_id(app, OTHER_CELL)


def post(client, url: str, data: dict[str, str], follow: bool = False):  # type: ignore[no-untyped-def]
    return client.post(url, data={**form_values(client, url), **data}, follow_redirects=follow)


# ---------------------------------------------------------------------------
# The list


def test_list_shows_current_members_in_summoning_order(client, seeded):
    # A committee member admitted last still comes before the ordinary members.
    response = post(
        client,
        f"/cells/{seeded}/members/new",
        form_data(name="Bùi Văn Khánh", standing="official", position="committee", admitted_on="2019-01-15"),
    )
    assert response.status_code == 302
    response = client.get(f"/cells/{seeded}/members")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    current = page.split('id="current-heading"')[1].split('id="year-heading"')[0]
    expected = SEED_NAMES[:3] + ["Bùi Văn Khánh"] + SEED_NAMES[3:]
    positions = [current.index(name) for name in expected]
    assert positions == sorted(positions)
    assert "Đảng viên đang sinh hoạt (11)" in current
    assert "19/05/2008" in current and "15/01/2019" in current
    for label in (
        '<td data-label="Chức vụ">Bí thư</td>',
        '<td data-label="Chức vụ">Phó Bí thư</td>',
        '<td data-label="Chức vụ">Chi ủy viên</td>',
        '<td data-label="Chức vụ">Đảng viên</td>',
        '<td data-label="Chính thức / dự bị">Chính thức</td>',
    ):
        assert label in current
    assert "Thêm đảng viên" in page and f'href="/cells/{seeded}/members/new"' in page
    assert f'href="/members/{member_id(client.application, "m01")}/edit"' in current
    assert f'href="/members/{member_id(client.application, "m01")}/retire"' in current


def test_list_shows_the_latest_years_status_from_the_rules_core(app, client, seeded):
    page = client.get(f"/cells/{seeded}/members").get_data(as_text=True)
    year = page.split('id="year-heading"')[1]
    assert "Tình trạng trong năm 2020" in page
    assert year.count("Được xếp loại") == 10 and "Không xếp loại" not in year
    assert "đã kiểm phiếu" in year  # the seed meeting's ballot is counted: flags are only shown
    meeting_id, participant_id = participant(app, 2020, "m05")
    assert f'href="/meetings/{meeting_id}/participants/{participant_id}/flags"' in year


def test_exempt_flag_shows_the_not_rated_reason_at_once(app, client, seeded):
    open_2021_meeting(app)
    meeting_id, participant_id = participant(app, 2021, "m05")
    url = f"/meetings/{meeting_id}/participants/{participant_id}/flags"
    response = post(client, url, {"exempt": "y", "sick_leave_months": "0", "previous_level": "good"})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/cells/{seeded}/members#p{participant_id}"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Tình trạng trong năm 2021" in page
    row = page.split(f'id="p{participant_id}"')[1].split("</tr>")[0]
    assert "Trần Thị Minh Nguyệt" in row
    assert "Không xếp loại" in row and "Miễn công tác và sinh hoạt đảng" in row
    assert "Năm trước: Hoàn thành tốt nhiệm vụ" in row
    year = page.split('id="year-heading"')[1]
    assert year.count("Được xếp loại") == 9
    with app.app_context():
        p = db.session.get(Participant, participant_id)
        assert p.exempt and not p.suspended and p.previous_level == "good" and p.sick_leave_months == 0


def test_flags_are_saved_and_shown_back(app, client, seeded):
    open_2021_meeting(app)
    meeting_id, participant_id = participant(app, 2021, "m07")
    url = f"/meetings/{meeting_id}/participants/{participant_id}/flags"
    data = {
        "suspended": "y",
        "temporary_elsewhere": "y",
        "disciplined_in_year": "y",
        "sick_leave_months": "4",
        "previous_level": "",
    }
    assert post(client, url, data).status_code == 302
    with app.app_context():
        p = db.session.get(Participant, participant_id)
        assert (p.exempt, p.suspended, p.temporary_elsewhere, p.disciplined_in_year) == (False, True, True, True)
        assert p.sick_leave_months == 4 and p.previous_level is None
    page = client.get(url).get_data(as_text=True)
    assert 'value="4"' in page and "Bị đình chỉ sinh hoạt đảng" in page
    assert '<label for="sick_leave_months">' in page
    listing = client.get(f"/cells/{seeded}/members").get_data(as_text=True)
    row = listing.split(f'id="p{participant_id}"')[1].split("</tr>")[0]
    assert "Nghỉ ốm 4 tháng" in row and "Bị kỷ luật trong năm" in row and "Sinh hoạt tạm thời nơi khác" in row


def test_new_member_admitted_less_than_six_months_before_is_not_rated(app, client, seeded):
    open_2021_meeting(app)  # not opened yet: the last day of 2021 stands in for the meeting day
    response = post(client, f"/cells/{seeded}/members/new", form_data(admitted_on="2021-08-01"))
    assert response.status_code == 302
    page = client.get(f"/cells/{seeded}/members").get_data(as_text=True)
    year = page.split('id="year-heading"')[1]
    row = year.split("Đinh Thị Lan")[1].split("</tr>")[0]
    assert "Không xếp loại" in row and "Vào Đảng chưa đủ 6 tháng" in row


# ---------------------------------------------------------------------------
# Adding members


def test_add_member_gets_the_next_code_and_is_summoned_to_the_open_meeting(app, client, seeded):
    meeting_id = open_2021_meeting(app)
    response = post(client, f"/cells/{seeded}/members/new", form_data(name="  Đinh Thị Lan  "), follow=True)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Đã thêm đảng viên vào danh sách chi bộ." in page
    assert "đã được triệu tập vào hội nghị năm 2021" in page
    with app.app_context():
        member = db.session.scalar(select(Member).where(Member.code == "m11"))
        assert member.name == "Đinh Thị Lan" and member.cell_id == seeded
        assert (member.standing, member.position, member.admitted_on) == ("probationary", "member", date(2019, 9, 2))
        summoned = db.session.scalar(
            select(Participant).where(Participant.meeting_id == meeting_id, Participant.member_id == member.id)
        )
        assert summoned is not None and summoned.roll_order == 10
        assert (summoned.standing, summoned.position) == ("probationary", "member")
        # not summoned to the 2020 meeting, whose ballot is counted
        assert db.session.scalar(select(func.count(Participant.id)).where(Participant.member_id == member.id)) == 1


def test_add_member_when_the_latest_meeting_is_counted_does_not_summon(app, client, seeded):
    assert post(client, f"/cells/{seeded}/members/new", form_data()).status_code == 302
    with app.app_context():
        member = db.session.scalar(select(Member).where(Member.code == "m11"))
        assert member is not None
        assert db.session.scalar(select(func.count(Participant.id)).where(Participant.member_id == member.id)) == 0


def test_entering_the_seed_members_into_an_empty_cell_gives_m01_to_m10(app, client, make_user, login, seed_path):
    with app.app_context():
        with write_transaction():
            organization = Organization(name="Đảng bộ phường Thượng Thanh", place="Thượng Thanh")
            cell = Cell(organization=organization, name=CELL)
            db.session.add(cell)
        cid = cell.id
    make_user("bithu", "secretary", cell_id=cid)
    login("bithu")
    assert "Chi bộ chưa có đảng viên nào." in client.get(f"/cells/{cid}/members").get_data(as_text=True)
    seed = json.loads(seed_path.read_text(encoding="utf-8"))
    for m in seed["members"]:
        data = {
            "name": m["name"],
            "standing": m["standing"],
            "position": m["position"],
            "admitted_on": m["admitted_on"],
        }
        response = post(client, f"/cells/{cid}/members/new", data)
        assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        rows = db.session.execute(
            select(Member.code, Member.name).where(Member.cell_id == cid).order_by(Member.id)
        ).all()
        assert [tuple(r) for r in rows] == [(m["id"], m["name"]) for m in seed["members"]]
    page = client.get(f"/cells/{cid}/members").get_data(as_text=True)
    positions = [page.index(name) for name in SEED_NAMES]
    assert positions == sorted(positions)
    assert 'id="year-heading"' not in page  # no meeting yet


def test_new_member_bad_input_is_shown_kept_and_not_stored(app, client, seeded):
    before = member_count(app)
    url = f"/cells/{seeded}/members/new"
    future = (date.today() + timedelta(days=1)).isoformat()
    cases = [
        (form_data(name="   "), "Nhập họ và tên."),
        (form_data(name="Đ" * 201), "Họ và tên tối đa 200 ký tự."),
        (form_data(admitted_on=""), "Nhập ngày vào Đảng."),
        (form_data(admitted_on="02/09/2019"), "Ngày không hợp lệ."),
        (form_data(admitted_on=future), "Ngày vào Đảng không thể sau hôm nay."),
        (form_data(admitted_on="1930-02-02"), "Ngày vào Đảng không thể trước ngày thành lập Đảng (03/02/1930)."),
        (form_data(standing="honorary"), "Lựa chọn không hợp lệ."),
    ]
    for data, message in cases:
        response = post(client, url, data)
        assert response.status_code == 422, message
        page = response.get_data(as_text=True)
        assert message in page
        assert 'class="error"' in page and 'aria-invalid="true"' in page
        if data["name"].strip():
            assert f'value="{data["name"]}"' in page  # what was typed is kept
        if data["admitted_on"]:
            assert f'value="{data["admitted_on"]}"' in page
    # the valid fields are kept too, with the choices as typed
    page = post(client, url, form_data(name="", position="committee")).get_data(as_text=True)
    assert '<option selected value="committee">' in page and '<option selected value="probationary">' in page
    assert member_count(app) == before


def test_a_second_secretary_or_deputy_is_refused(app, client, seeded):
    before = member_count(app)
    url = f"/cells/{seeded}/members/new"
    response = post(client, url, form_data(name="Bùi Văn Khánh", position="secretary"))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Chi bộ đã có Bí thư: đồng chí Nguyễn Thị Ngọc Hân." in page and 'value="Bùi Văn Khánh"' in page
    response = post(client, url, form_data(position="deputy_secretary"))
    assert response.status_code == 422
    assert "Chi bộ đã có Phó Bí thư: đồng chí Lê Thị Thu Hương." in response.get_data(as_text=True)
    assert member_count(app) == before
    # an edit is refused the same way; the holder may keep their own position
    m04 = member_id(app, "m04")
    response = post(
        client,
        f"/members/{m04}/edit",
        form_data(name="Nguyễn Thị Hồng Dung", standing="official", position="secretary", admitted_on="2012-12-22"),
    )
    assert response.status_code == 422
    assert "Chi bộ đã có Bí thư" in response.get_data(as_text=True)
    m01 = member_id(app, "m01")
    response = post(
        client,
        f"/members/{m01}/edit",
        form_data(name="Nguyễn Thị Ngọc Hân", standing="official", position="secretary", admitted_on="2008-05-19"),
    )
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Member, m04).position == "member"


def test_a_retired_secretary_leaves_the_position_free(app, client, seeded):
    m01 = member_id(app, "m01")
    assert post(client, f"/members/{m01}/retire", {"retired_on": "2021-03-01", "confirm": "y"}).status_code == 302
    response = post(
        client,
        f"/cells/{seeded}/members/new",
        form_data(name="Bùi Văn Khánh", standing="official", position="secretary"),
    )
    assert response.status_code == 302


# ---------------------------------------------------------------------------
# Editing


def test_edit_updates_the_member_and_the_open_meetings_snapshot(app, client, seeded):
    open_2021_meeting(app)
    m10 = member_id(app, "m10")
    url = f"/members/{m10}/edit"
    page = client.get(url).get_data(as_text=True)
    assert 'value="Phạm Thị Xuân Mai"' in page and 'value="2018-12-22"' in page
    assert '<label for="admitted_on">' in page and 'type="date"' in page
    # A probationary member holds no committee seat (SPEC 10, the same rule as the spreadsheet's rows).
    data = form_data(name="Phạm Thị Xuân Mai", standing="probationary", position="committee", admitted_on="2018-12-20")
    refused = post(client, url, data)
    assert refused.status_code == 422
    assert "Đảng viên dự bị không giữ chức vụ Chi ủy viên." in refused.get_data(as_text=True)
    data = form_data(name="Phạm Thị Xuân Mai", standing="official", position="committee", admitted_on="2018-12-20")
    response = post(client, url, data)
    assert response.status_code == 302 and response.headers["Location"] == f"/cells/{seeded}/members"
    _, p2021 = participant(app, 2021, "m10")
    _, p2020 = participant(app, 2020, "m10")
    with app.app_context():
        member = db.session.get(Member, m10)
        assert (member.standing, member.position, member.admitted_on) == (
            "official",
            "committee",
            date(2018, 12, 20),
        )
        now = db.session.get(Participant, p2021)
        assert (now.standing, now.position) == ("official", "committee")
        then = db.session.get(Participant, p2020)  # the counted meeting reads as it was
        assert (then.standing, then.position) == ("official", "member")


def test_edit_bad_input_is_shown_kept_and_not_stored(app, client, seeded):
    m10 = member_id(app, "m10")
    url = f"/members/{m10}/edit"
    response = post(
        client, url, form_data(name="", standing="official", position="committee", admitted_on="1929-12-31")
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Nhập họ và tên." in page and "trước ngày thành lập Đảng" in page
    assert 'value="1929-12-31"' in page and '<option selected value="committee">' in page
    with app.app_context():
        member = db.session.get(Member, m10)
        assert (member.name, member.position, member.admitted_on) == ("Phạm Thị Xuân Mai", "member", date(2018, 12, 22))


# ---------------------------------------------------------------------------
# Retiring


def test_retire_takes_the_member_out_of_the_open_meeting(app, client, seeded):
    open_2021_meeting(app)
    m10 = member_id(app, "m10")
    url = f"/members/{m10}/retire"
    page = client.get(url).get_data(as_text=True)
    assert "Ra khỏi danh sách: đồng chí <bdi>Phạm Thị Xuân Mai</bdi>" in page and '<label for="retired_on">' in page
    response = post(client, url, {"retired_on": "2021-06-30", "confirm": "y"}, follow=True)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Đã ghi đảng viên ra khỏi danh sách chi bộ." in page
    retired = page.split('id="retired-heading"')[1]
    assert "Phạm Thị Xuân Mai" in retired and "30/06/2021" in retired
    current = page.split('id="current-heading"')[1].split('id="year-heading"')[0]
    assert "Phạm Thị Xuân Mai" not in current and "(9)" in current
    with app.app_context():
        assert db.session.get(Member, m10).retired_on == date(2021, 6, 30)
    assert participant(app, 2021, "m10") is None
    assert participant(app, 2020, "m10") is not None  # the counted meeting keeps its record
    # a retired member is no longer summoned, and cannot be retired twice
    with app.app_context():
        cell = db.session.get(Cell, seeded)
        with write_transaction():
            meeting = start_meeting(cell, 2022)
        assert "Phạm Thị Xuân Mai" not in [p.member.name for p in meeting.participants]
    response = post(client, url, {"retired_on": "2021-07-01", "confirm": "y"})
    assert response.status_code == 422
    assert "đã ra khỏi chi bộ ngày 30/06/2021" in response.get_data(as_text=True)


def test_retire_is_refused_when_the_member_has_a_review(app, client, seeded):
    open_2021_meeting(app)
    _, participant_id = participant(app, 2021, "m09")
    with app.app_context(), write_transaction():
        db.session.add(IndividualReview(participant_id=participant_id, summary="Đồng chí tự kiểm điểm."))
    m09 = member_id(app, "m09")
    response = post(client, f"/members/{m09}/retire", {"retired_on": "2021-06-30", "confirm": "y"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Đồng chí Ngô Thị Bích Ngọc đã có nội dung kiểm điểm trong hội nghị năm 2021" in page
    assert 'value="2021-06-30"' in page
    with app.app_context():
        assert db.session.get(Member, m09).retired_on is None
    assert participant(app, 2021, "m09")[1] == participant_id  # still summoned


def test_retire_bad_input_is_shown_kept_and_not_stored(app, client, seeded):
    m08 = member_id(app, "m08")
    url = f"/members/{m08}/retire"
    future = (date.today() + timedelta(days=3)).isoformat()
    cases = [
        ({"retired_on": "2021-06-30"}, "Đánh dấu ô xác nhận để tiếp tục."),
        ({"retired_on": "", "confirm": "y"}, "Nhập ngày ra khỏi chi bộ."),
        ({"retired_on": future, "confirm": "y"}, "Ngày ra khỏi chi bộ không thể sau hôm nay."),
        (
            {"retired_on": "2015-01-01", "confirm": "y"},
            "Ngày ra khỏi chi bộ không thể trước ngày vào Đảng (01/06/2016).",
        ),
    ]
    for data, message in cases:
        response = post(client, url, data)
        assert response.status_code == 422, message
        page = response.get_data(as_text=True)
        assert message in page
        if data["retired_on"]:
            assert f'value="{data["retired_on"]}"' in page
        assert "Tôi xác nhận đồng chí <bdi>Hoàng Thị Lệ Quyên</bdi> không còn sinh hoạt tại chi bộ." in page
        if "confirm" in data:
            assert 'checked id="confirm"' in page
    with app.app_context():
        assert db.session.get(Member, m08).retired_on is None


# ---------------------------------------------------------------------------
# The year's flags


@pytest.mark.parametrize("months", ["13", "-1", "abc", "2.5"])
def test_flags_bad_sick_leave_is_shown_kept_and_not_stored(app, client, seeded, months):
    open_2021_meeting(app)
    meeting_id, participant_id = participant(app, 2021, "m06")
    url = f"/meetings/{meeting_id}/participants/{participant_id}/flags"
    response = post(client, url, {"exempt": "y", "sick_leave_months": months, "previous_level": "completed"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert page.count(SICK_LEAVE_MESSAGE) == 1
    assert f'value="{months}"' in page
    assert 'checked id="exempt"' in page  # the ticked box stays ticked
    assert '<option selected value="completed">' in page
    with app.app_context():
        p = db.session.get(Participant, participant_id)
        assert not p.exempt and p.sick_leave_months == 0 and p.previous_level is None


def test_flags_missing_months_and_bad_level_are_named(app, client, seeded):
    open_2021_meeting(app)
    meeting_id, participant_id = participant(app, 2021, "m06")
    url = f"/meetings/{meeting_id}/participants/{participant_id}/flags"
    response = post(client, url, {"sick_leave_months": "", "previous_level": "perfect"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Nhập số tháng nghỉ ốm (0 nếu không nghỉ)." in page and "Lựa chọn không hợp lệ." in page


def test_flags_of_a_counted_meeting_cannot_change(app, client, seeded):
    meeting_id, participant_id = participant(app, 2020, "m05")
    url = f"/meetings/{meeting_id}/participants/{participant_id}/flags"
    page = client.get(url).get_data(as_text=True)
    assert "tình trạng trong năm của đảng viên thuộc dữ liệu niêm phong nên chỉ xem" in page  # said before a save
    response = post(client, url, {"exempt": "y", "sick_leave_months": "0", "previous_level": ""})
    assert response.status_code == 422
    assert "Hội nghị năm 2020 đã kiểm phiếu" in response.get_data(as_text=True)
    with app.app_context():
        assert not db.session.get(Participant, participant_id).exempt


def test_flags_of_another_meetings_participant_is_404(app, client, seeded):
    meeting_2021 = open_2021_meeting(app)
    _, participant_2020 = participant(app, 2020, "m05")
    assert client.get(f"/meetings/{meeting_2021}/participants/{participant_2020}/flags").status_code == 404


# ---------------------------------------------------------------------------
# Protection


def test_a_post_without_csrf_token_is_refused(app, client, seeded):
    before = member_count(app)
    response = client.post(f"/cells/{seeded}/members/new", data=form_data())
    assert response.status_code == 400
    m10 = member_id(app, "m10")
    response = client.post(f"/members/{m10}/retire", data={"retired_on": "2021-06-30", "confirm": "y"})
    assert response.status_code == 400
    assert member_count(app) == before
    with app.app_context():
        assert db.session.get(Member, m10).retired_on is None


def roster_urls(app, cid: int) -> list[str]:  # type: ignore[no-untyped-def]
    m05 = member_id(app, "m05")
    meeting_id, participant_id = participant(app, 2020, "m05")
    return [
        f"/cells/{cid}/members",
        f"/cells/{cid}/members/new",
        f"/members/{m05}/edit",
        f"/members/{m05}/retire",
        f"/meetings/{meeting_id}/participants/{participant_id}/flags",
    ]


def test_another_cells_secretary_gets_404_on_every_roster_page(
    app, client, runner, seed_path, other_cell, make_user, login
):
    import_file(runner, seed_path)
    cid = cell_id(app)
    make_user("bithu2", "secretary", cell_id=other_cell)
    login("bithu2")
    assert client.get(f"/cells/{other_cell}/members").status_code == 200  # their own cell works
    token = csrf_token(client, f"/cells/{other_cell}/members/new")
    before = member_count(app)
    for url in roster_urls(app, cid):
        assert client.get(url).status_code == 404, url
    for url in roster_urls(app, cid)[1:]:  # every form refuses the POST too
        assert client.post(url, data={"csrf_token": token, **form_data()}).status_code == 404, url
    assert member_count(app) == before


@pytest.mark.parametrize("role", ["ward", "counter"])
def test_ward_and_counter_accounts_get_403(app, client, runner, seed_path, make_user, login, role):
    import_file(runner, seed_path)
    cid = cell_id(app)
    with app.app_context():
        organization_id = db.session.get(Cell, cid).organization_id
    scope = {"organization_id": organization_id} if role == "ward" else {"cell_id": cid}
    make_user("khach", role, **scope)
    login("khach")
    for url in roster_urls(app, cid):
        assert client.get(url).status_code == 403, url


def test_anonymous_users_are_sent_to_sign_in(app, client, runner, seed_path):
    import_file(runner, seed_path)
    cid = cell_id(app)
    for url in roster_urls(app, cid):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response.headers["Location"].startswith("/auth/login"), url


def test_pages_have_no_inline_script_or_style(app, client, seeded):
    open_2021_meeting(app)
    meeting_id, participant_id = participant(app, 2021, "m05")
    m05 = member_id(app, "m05")
    for url in [
        f"/cells/{seeded}/members",
        f"/cells/{seeded}/members/new",
        f"/members/{m05}/edit",
        f"/members/{m05}/retire",
        f"/meetings/{meeting_id}/participants/{participant_id}/flags",
    ]:
        page = client.get(url).get_data(as_text=True)
        assert "style=" not in page and "<script>" not in page, url
        assert "css/roster.css" in page
