"""The meeting's own steps: start a year, opening, roll call with its figures, ballot summary, closing."""

from __future__ import annotations

import re
from datetime import datetime

import pytest
from sqlalchemy import func, select

from review.extensions import db
from review.models import Cell, Guest, Meeting, Participant

from helpers import csrf_token, form_values

ERROR = re.compile(r'<p class="error"[^>]*>([^<]*)</p>')


@pytest.fixture
def secretary(app, runner, seed_path, make_user, login):  # type: ignore[no-untyped-def]
    """Import the seed, sign in as its cell's secretary and open an empty 2021 meeting."""
    assert runner.invoke(args=["meeting", "import", str(seed_path)]).exit_code == 0
    with app.app_context():
        cell_id = db.session.scalar(select(Cell.id))
    make_user("bithu", "secretary", cell_id=cell_id)
    login("bithu")
    return cell_id


def post(client, url: str, data: dict[str, str], **kw):  # type: ignore[no-untyped-def]
    """Post a form with the CSRF token and the version of the page at ``url``."""
    return client.post(url, data=form_values(client, url) | data, **kw)


def open_2021(client, cell_id: int) -> int:  # type: ignore[no-untyped-def]
    response = post(client, f"/cells/{cell_id}/meetings/new", {"year": "2021"})
    assert response.status_code == 302
    return int(re.search(r"/meetings/(\d+)/opening", response.headers["Location"]).group(1))


def errors(response) -> list[str]:  # type: ignore[no-untyped-def]
    return ERROR.findall(response.get_data(as_text=True))


def test_new_meeting_summons_every_current_member_head_first(app, client, secretary):
    meeting_id = open_2021(client, secretary)
    with app.app_context():
        meeting = db.session.get(Meeting, meeting_id)
        assert meeting.year == 2021 and meeting.review_year.profile == "hd21-2019"
        assert [p.member.code for p in meeting.participants] == [f"m{i:02}" for i in range(1, 11)]
        assert all(p.attendance == "present" and p.review is None for p in meeting.participants)


def test_new_meeting_refuses_a_second_meeting_for_a_year(app, client, secretary):
    response = post(client, f"/cells/{secretary}/meetings/new", {"year": "2020"})
    assert response.status_code == 422
    assert "Chi bộ đã có hội nghị năm 2020." in errors(response)
    assert 'value="2020"' in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count(Meeting.id))) == 1


@pytest.mark.parametrize(
    "year, message",
    [
        ("2018", "quy định cho các năm 2019–"),
        ("9999", "Chưa có quy định đánh giá, xếp loại cho năm 9999"),
        ("abc", "Cần một số nguyên."),
        ("", "Nhập năm"),
    ],
)
def test_new_meeting_bad_year(app, client, secretary, year, message):
    response = post(client, f"/cells/{secretary}/meetings/new", {"year": year})
    assert response.status_code == 422
    assert any(message in e for e in errors(response))
    with app.app_context():
        assert db.session.scalar(select(func.count(Meeting.id))) == 1


def opening_data(**changes: str) -> dict[str, str]:
    data = {
        "starts_at": "2021-12-10T14:00",
        "location": "Phòng họp Trường Mầm non Thượng Thanh",
        "chair_id": "1",
        "minute_taker_id": "2",
        "guests-0-name": "Nguyễn Văn Khách",
        "guests-0-title": "Đảng ủy viên, Đảng ủy phường Thượng Thanh",
        "guests-1-name": "",
        "guests-1-title": "",
    }
    return data | changes


def test_opening_is_saved_and_goes_on_to_the_roll_call(app, client, secretary):
    meeting_id = open_2021(client, secretary)
    response = post(client, f"/meetings/{meeting_id}/opening", opening_data(then="next"))
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/meetings/{meeting_id}/roll-call")
    with app.app_context():
        meeting = db.session.get(Meeting, meeting_id)
        assert meeting.starts_at == datetime(2021, 12, 10, 14, 0)
        assert meeting.chair.code == "m01" and meeting.minute_taker.code == "m02"
        assert [(g.name, g.title) for g in meeting.guests] == [
            ("Nguyễn Văn Khách", "Đảng ủy viên, Đảng ủy phường Thượng Thanh")
        ]
    page = client.get(f"/meetings/{meeting_id}/opening").get_data(as_text=True)
    assert 'value="Nguyễn Văn Khách"' in page and 'aria-current="step"' in page


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"starts_at": ""}, "Nhập ngày giờ khai mạc."),
        ({"starts_at": "10/12/2021 14h"}, "Ngày giờ không hợp lệ."),
        ({"starts_at": "2023-12-10T14:00"}, "Hội nghị kiểm điểm năm 2021 họp trong năm 2021"),
        ({"location": "   "}, "Nhập địa điểm họp."),
        ({"chair_id": "0"}, "Chọn đồng chí chủ trì hội nghị."),
        ({"chair_id": "999"}, "Chọn đồng chí chủ trì hội nghị."),
        ({"minute_taker_id": "1"}, "Thư ký hội nghị phải là đồng chí khác chủ trì."),
        ({"guests-0-name": "", "guests-0-title": "Bí thư Đảng ủy"}, "Nhập họ tên khách mời"),
        ({"location": "x" * 201}, "Tối đa 200 ký tự."),
    ],
)
def test_opening_bad_input_keeps_what_was_typed_and_saves_nothing(app, client, secretary, changes, message):
    meeting_id = open_2021(client, secretary)
    response = post(client, f"/meetings/{meeting_id}/opening", opening_data(**changes))
    assert response.status_code == 422
    assert any(message in e for e in errors(response)), errors(response)
    page = response.get_data(as_text=True)
    assert "Đảng ủy viên, Đảng ủy phường Thượng Thanh" in page or "Bí thư Đảng ủy" in page
    with app.app_context():
        meeting = db.session.get(Meeting, meeting_id)
        assert meeting.starts_at is None and meeting.location == "" and meeting.chair_id is None
        assert db.session.scalar(select(func.count(Guest.id))) == 0


def test_opening_autosave_answers_json(app, client, secretary):
    meeting_id = open_2021(client, secretary)
    url = f"/meetings/{meeting_id}/opening"
    ok = post(client, url, opening_data(), headers={"X-Autosave": "1"})
    assert ok.status_code == 200 and ok.json["ok"] is True
    bad = post(client, url, opening_data(location="Nơi khác", chair_id="0"), headers={"X-Autosave": "1"})
    assert bad.status_code == 422 and bad.json["ok"] is False and "chair_id" in bad.json["errors"]
    with app.app_context():
        assert db.session.get(Meeting, meeting_id).location == "Phòng họp Trường Mầm non Thượng Thanh"


def roll_call_data(app, meeting_id: int, **changes: str) -> dict[str, str]:
    with app.app_context():
        ids = {p.member.code: p.id for p in db.session.get(Meeting, meeting_id).participants}
    data = {f"attendance_{pid}": "present" for pid in ids.values()}
    for key, value in changes.items():
        code, field = key.split("__")
        data[f"{field}_{ids[code]}"] = value
    return data


def test_roll_call_figures_follow_the_rules_core(app, client, secretary):
    meeting_id = open_2021(client, secretary)
    url = f"/meetings/{meeting_id}/roll-call"
    page = client.get(url).get_data(as_text=True)
    assert re.search(r'data-summary="base">10<', page) and re.search(r'data-summary="quorum_required">7<', page)
    # Two absent with reasons leave the base; two absent without reason stay in it:
    # base 8, 6 present, and 6 are needed (3 × 6 ≥ 2 × 8).
    absences = dict(
        m03__attendance="absent_excused",
        m03__reason="Ốm",
        m04__attendance="absent_excused",
        m04__reason="Đi công tác",
        m05__attendance="absent",
        m06__attendance="absent",
    )
    data = roll_call_data(app, meeting_id, **absences)
    figures = client.post(f"{url}/figures", data={"csrf_token": csrf_token(client, url)} | data).json
    assert (figures["base"], figures["voters_present"], figures["quorum_required"]) == (8, 6, 6)
    assert figures["quorum_met_flag"] is True
    data = roll_call_data(app, meeting_id, m07__attendance="absent", **absences)
    figures = client.post(f"{url}/figures", data={"csrf_token": csrf_token(client, url)} | data).json
    assert (figures["base"], figures["voters_present"], figures["quorum_met_flag"]) == (8, 5, False)
    with app.app_context():  # figures are not saved
        assert all(p.attendance == "present" for p in db.session.get(Meeting, meeting_id).participants)


def test_roll_call_is_saved(app, client, secretary):
    meeting_id = open_2021(client, secretary)
    data = roll_call_data(
        app,
        meeting_id,
        m05__attendance="absent_excused",
        m05__reason="Ốm, có đơn xin phép",
        m06__attendance="absent",
        m01__reason="ignored when present",
    )
    response = post(client, f"/meetings/{meeting_id}/roll-call", data | {"then": "next"})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/meetings/{meeting_id}/collective")
    with app.app_context():
        by_code = {p.member.code: p for p in db.session.get(Meeting, meeting_id).participants}
        assert by_code["m05"].attendance == "absent_excused" and by_code["m05"].absence_reason == "Ốm, có đơn xin phép"
        assert by_code["m06"].attendance == "absent" and by_code["m01"].absence_reason == ""
        assert db.session.get(Meeting, meeting_id).roll_called


def test_roll_call_excused_absence_needs_a_reason(app, client, secretary):
    meeting_id = open_2021(client, secretary)
    data = roll_call_data(app, meeting_id, m05__attendance="absent_excused", m06__attendance="absent")
    response = post(client, f"/meetings/{meeting_id}/roll-call", data)
    assert response.status_code == 422
    assert "Vắng có lý do: ghi lý do (ví dụ: ốm, công tác)." in errors(response)
    page = response.get_data(as_text=True)
    assert re.search(r'<input checked[^>]*value="absent"', page)  # the ticks are kept
    with app.app_context():
        assert all(p.attendance == "present" for p in db.session.get(Meeting, meeting_id).participants)
        assert not db.session.get(Meeting, meeting_id).roll_called


def test_roll_call_refuses_an_unknown_attendance(app, client, secretary):
    meeting_id = open_2021(client, secretary)
    data = roll_call_data(app, meeting_id, m05__attendance="late")
    response = post(client, f"/meetings/{meeting_id}/roll-call", data)
    assert response.status_code == 422
    with app.app_context():
        assert db.session.scalar(select(func.count()).where(Participant.attendance != "present")) == 0


def test_ballot_step_lists_who_is_on_the_paper_and_who_is_not(app, client, secretary):
    meeting_id = open_2021(client, secretary)
    with app.app_context():
        participant = db.session.get(Meeting, meeting_id).participants[9]
        participant.exempt = True
        db.session.commit()
    page = client.get(f"/meetings/{meeting_id}/ballot").get_data(as_text=True)
    assert "Đảng viên có tên trên phiếu (9)" in page
    assert "<bdi>Phạm Thị Xuân Mai</bdi>: Miễn công tác và sinh hoạt đảng" in page


def test_closing_is_saved_and_checked(app, client, secretary):
    meeting_id = open_2021(client, secretary)
    post(client, f"/meetings/{meeting_id}/opening", opening_data())
    url = f"/meetings/{meeting_id}/closing"
    too_many = post(client, url, {"minutes_approved_by": "11", "ends_at": "2021-12-10T17:00"})
    assert too_many.status_code == 422 and "Chỉ có 10 đồng chí có mặt." in errors(too_many)
    assert 'value="11"' in too_many.get_data(as_text=True)
    early = post(client, url, {"minutes_approved_by": "10", "ends_at": "2021-12-10T13:00"})
    assert early.status_code == 422 and "Giờ bế mạc phải sau giờ khai mạc." in errors(early)
    for bad in ("-1", "mười"):
        assert post(client, url, {"minutes_approved_by": bad, "ends_at": "2021-12-10T17:00"}).status_code == 422
    with app.app_context():
        meeting = db.session.get(Meeting, meeting_id)
        assert meeting.minutes_approved_by is None and meeting.ends_at is None
    assert post(client, url, {"minutes_approved_by": "10", "ends_at": "2021-12-10T17:00"}).status_code == 302
    with app.app_context():
        meeting = db.session.get(Meeting, meeting_id)
        assert meeting.minutes_approved_by == 10 and meeting.ends_at == datetime(2021, 12, 10, 17, 0)


def test_overview_goes_to_the_first_step_not_recorded(client, secretary):
    meeting_id = open_2021(client, secretary)
    assert client.get(f"/meetings/{meeting_id}").headers["Location"].endswith("/opening")
    post(client, f"/meetings/{meeting_id}/opening", opening_data())
    assert client.get(f"/meetings/{meeting_id}").headers["Location"].endswith("/roll-call")


def test_step_forms_need_the_csrf_token(client, secretary):
    response = client.post(f"/cells/{secretary}/meetings/new", data={"year": "2021"})
    assert response.status_code == 400
    assert "Phiên làm việc" in response.get_data(as_text=True)
