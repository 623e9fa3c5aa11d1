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


# ---------------------------------------------------------------------------
# Guests who spoke (SPEC 8): kept by their row, never removed or replaced under their feedback

GUEST_A = ("Nguyễn Văn Khách", "Đảng ủy viên, Đảng ủy phường Thượng Thanh")
GUEST_B = ("Lê Thị Mời", "Bí thư Đoàn phường")
GUEST_C = ("Phạm Văn Dự", "")


def with_guests(app, client, secretary, *guests: tuple[str, str]) -> tuple[int, list[int]]:  # type: ignore[no-untyped-def]
    """Open a 2021 meeting whose opening lists ``guests``; return its id and the guests' ids."""
    meeting_id = open_2021(client, secretary)
    rows: dict[str, str] = {}
    for i, (name, title) in enumerate([*guests, ("", "")]):
        rows[f"guests-{i}-name"], rows[f"guests-{i}-title"] = name, title
    data = {k: v for k, v in opening_data().items() if not k.startswith("guests-")} | rows
    assert post(client, f"/meetings/{meeting_id}/opening", data).status_code == 302
    return meeting_id, guest_rows(app, meeting_id)[1]


def guest_rows(app, meeting_id: int) -> tuple[list[tuple[str, str]], list[int]]:  # type: ignore[no-untyped-def]
    with app.app_context():
        guests = db.session.scalars(select(Guest).where(Guest.meeting_id == meeting_id).order_by(Guest.position))
        rows = [(g.position, g.id, g.name, g.title) for g in guests]
    assert [r[0] for r in rows] == list(range(len(rows)))
    return [(name, title) for _, _, name, title in rows], [gid for _, gid, _, _ in rows]


def guest_speaks(client, meeting_id: int, guest_id: int) -> None:  # type: ignore[no-untyped-def]
    """Record a feedback of the guest on the cell's review, through its page."""
    data = {
        "report": "Báo cáo kiểm điểm.",
        "feedback-0-speaker": f"g:{guest_id}",
        "feedback-0-text": "Chi bộ cần phát huy.",
    }
    assert post(client, f"/meetings/{meeting_id}/collective", data).status_code == 302


def feedback_speakers(app, meeting_id: int) -> list[tuple[int | None, str]]:  # type: ignore[no-untyped-def]
    from review.models import CollectiveReview, Feedback

    with app.app_context():
        rows = db.session.execute(
            select(Feedback.guest_id, Guest.name)
            .join(Guest, Feedback.guest_id == Guest.id)
            .join(CollectiveReview, Feedback.collective_review_id == CollectiveReview.id)
            .where(CollectiveReview.meeting_id == meeting_id)
        )
        return [(gid, name) for gid, name in rows]


def opening_rows(client, url: str, rows: list[tuple[str | None, str, str]]) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Return the opening page's values with the guest rows replaced by (guest id or None, name, title)."""
    opening = {k: v for k, v in opening_data().items() if not k.startswith("guests-")}
    values = form_values(client, url) | opening
    for i, (gid, name, title) in enumerate(rows):
        values[f"guests-{i}-name"], values[f"guests-{i}-title"] = name, title
        if gid is not None:
            values[f"guests-{i}-guest_id"] = gid
    return values


def test_the_opening_page_carries_each_guests_id(app, client, secretary):
    meeting_id, (a, b) = with_guests(app, client, secretary, GUEST_A, GUEST_B)
    page = client.get(f"/meetings/{meeting_id}/opening").get_data(as_text=True)
    assert f'name="guests-0-guest_id" type="hidden" value="{a}"' in page
    assert f'name="guests-1-guest_id" type="hidden" value="{b}"' in page
    assert 'name="guests-2-guest_id" type="hidden" value=""' in page  # the blank row is a new guest


def test_removing_a_guest_above_one_who_spoke_keeps_the_speaker(app, client, secretary):
    # Rows were reused by position: removing A gave A's row B's name and deleted B's, under B's feedback.
    meeting_id, (a, b, c) = with_guests(app, client, secretary, GUEST_A, GUEST_B, GUEST_C)
    guest_speaks(client, meeting_id, b)
    url = f"/meetings/{meeting_id}/opening"
    values = opening_rows(client, url, [(str(a), "", ""), (str(b), *GUEST_B), (str(c), *GUEST_C), (None, "", "")])
    response = client.post(url, data=values)
    assert response.status_code == 302, errors(response)
    assert guest_rows(app, meeting_id) == ([GUEST_B, GUEST_C], [b, c])
    assert feedback_speakers(app, meeting_id) == [(b, GUEST_B[0])]


def test_a_guest_who_spoke_cannot_be_removed(app, client, secretary):
    meeting_id, (a, b) = with_guests(app, client, secretary, GUEST_A, GUEST_B)
    guest_speaks(client, meeting_id, a)
    url = f"/meetings/{meeting_id}/opening"
    values = opening_rows(client, url, [(str(a), "", ""), (str(b), *GUEST_B), (None, "", "")])
    values["location"] = "Hội trường mới"
    response = client.post(url, data=values)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    message = (
        "Khách mời Nguyễn Văn Khách đã góp ý tại hội nghị nên không xóa được. Muốn xóa, chọn lại người góp ý "
        "của các ý kiến đó ở phần kiểm điểm trước."
    )
    # Next to the row's name, which stays as typed (blank); the rest of the form kept too.
    assert re.search(r'<p class="error" id="guests-0-name-error">' + re.escape(message) + "</p>", page)
    assert re.search(
        r'aria-invalid="true" id="guests-0-name" maxlength="200" name="guests-0-name" type="text" value=""', page
    )
    assert 'value="Hội trường mới"' in page and f'value="{GUEST_B[0]}"' in page
    # Nothing saved: the guests, the location, the feedback as they were.
    assert guest_rows(app, meeting_id) == ([GUEST_A, GUEST_B], [a, b])
    with app.app_context():
        assert db.session.get(Meeting, meeting_id).location == opening_data()["location"]
    assert feedback_speakers(app, meeting_id) == [(a, GUEST_A[0])]

    # A row left out altogether (a form without it) is refused the same way, on the last row.
    values = opening_rows(client, url, [(str(b), *GUEST_B), (None, "", "")])
    response = client.post(url, data=values)
    assert response.status_code == 422
    assert re.search(
        r'<p class="error" id="guests-1-name-error">' + re.escape(message), response.get_data(as_text=True)
    )
    assert guest_rows(app, meeting_id) == ([GUEST_A, GUEST_B], [a, b])

    # Once nobody's feedback names them, the guest goes.
    data = {"feedback-0-speaker": "", "feedback-0-text": ""}
    assert post(client, f"/meetings/{meeting_id}/collective", data).status_code == 302
    values = opening_rows(client, url, [(str(a), "", ""), (str(b), *GUEST_B), (None, "", "")])
    assert client.post(url, data=values).status_code == 302
    assert guest_rows(app, meeting_id) == ([GUEST_B], [b])


def test_a_guest_who_spoke_is_not_replaced_by_someone_else_but_the_name_may_be_corrected(app, client, secretary):
    meeting_id, (a,) = with_guests(app, client, secretary, ("Nguyen Van Khach", GUEST_A[1]))
    guest_speaks(client, meeting_id, a)
    url = f"/meetings/{meeting_id}/opening"
    response = client.post(url, data=opening_rows(client, url, [(str(a), "Trần Văn Mới", GUEST_A[1])]))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Khách mời Nguyen Van Khach đã góp ý tại hội nghị: chỉ sửa được dấu, chữ hoa của tên" in page
    assert 'value="Trần Văn Mới"' in page  # kept as typed
    assert guest_rows(app, meeting_id) == ([("Nguyen Van Khach", GUEST_A[1])], [a])
    # Diacritics, case and spacing put right: the same guest, the feedback with them.
    values = opening_rows(client, url, [(str(a), "Nguyễn Văn KHÁCH", "Đảng ủy viên")])
    assert client.post(url, data=values).status_code == 302
    assert guest_rows(app, meeting_id) == ([("Nguyễn Văn KHÁCH", "Đảng ủy viên")], [a])
    assert feedback_speakers(app, meeting_id) == [(a, "Nguyễn Văn KHÁCH")]


def test_guest_rows_without_ids_are_matched_by_name(app, client, secretary):
    # A form without the hidden ids (an older page, a script): the guest of the same name is kept.
    meeting_id, (a, _b, c) = with_guests(app, client, secretary, GUEST_A, GUEST_B, GUEST_C)
    guest_speaks(client, meeting_id, c)
    url = f"/meetings/{meeting_id}/opening"
    values = opening_rows(client, url, [(None, GUEST_C[0].upper(), "Trưởng ban"), (None, *GUEST_A), (None, "", "")])
    response = client.post(url, data=values)
    assert response.status_code == 302, errors(response)
    assert guest_rows(app, meeting_id) == ([(GUEST_C[0].upper(), "Trưởng ban"), GUEST_A], [c, a])
    assert feedback_speakers(app, meeting_id) == [(c, GUEST_C[0].upper())]


def test_guest_rows_posted_in_another_order_keep_their_ids(app, client, secretary):
    meeting_id, (a, b, c) = with_guests(app, client, secretary, GUEST_A, GUEST_B, GUEST_C)
    guest_speaks(client, meeting_id, b)
    url = f"/meetings/{meeting_id}/opening"
    new = ("Đỗ Văn Mới", "Khách mời")
    rows = [(str(c), *GUEST_C), (None, *new), (str(a), *GUEST_A), (str(b), *GUEST_B), ("999999", "", "")]
    response = client.post(url, data=opening_rows(client, url, rows))
    assert response.status_code == 302, errors(response)
    names, ids = guest_rows(app, meeting_id)
    assert names == [GUEST_C, new, GUEST_A, GUEST_B]
    assert [ids[0], ids[2], ids[3]] == [c, a, b] and ids[1] not in (a, b, c)
    assert feedback_speakers(app, meeting_id) == [(b, GUEST_B[0])]
