"""The review pages: collective reviews, the list of members in order, each member's review."""

from __future__ import annotations

import html
import json
import re
import unicodedata

import pytest
from sqlalchemy import func, select

from review import meetingfile
from review.counting import reopen
from review.extensions import db
from review.meeting_store import load_meeting, meeting_file
from review.models import Cell, CollectiveReview, Feedback, IndividualReview, Meeting, Member, Participant, User

from helpers import csrf_token, form_values

SECRETARY = "bithu"


# ---------------------------------------------------------------------------
# Helpers


@pytest.fixture
def seeded(app, runner, seed_path, make_user, login):  # type: ignore[no-untyped-def]
    """Import the seed meeting (meeting 1, cell 1) and sign its secretary in."""
    result = runner.invoke(args=["meeting", "import", str(seed_path)])
    assert result.exit_code == 0, result.output
    make_user(SECRETARY, "secretary", cell_id=1)
    assert login(SECRETARY).status_code == 302
    return 1


def new_meeting(client, year: int) -> int:  # type: ignore[no-untyped-def]
    """Open the cell's meeting for ``year`` through its page; return its id."""
    url = "/cells/1/meetings/new"
    response = client.post(url, data={"csrf_token": csrf_token(client, url), "year": str(year)})
    assert response.status_code == 302, response.get_data(as_text=True)
    match = re.search(r"/meetings/(\d+)/opening$", response.headers["Location"])
    assert match
    return int(match.group(1))


def ids(app, meeting_id: int) -> dict[str, tuple[int, int]]:  # type: ignore[no-untyped-def]
    """Return member code -> (participant id, member id) for a meeting."""
    with app.app_context():
        rows = db.session.execute(
            select(Member.code, Participant.id, Member.id)
            .join(Participant.member)
            .where(Participant.meeting_id == meeting_id)
        )
        return {code: (pid, mid) for code, pid, mid in rows}


def counts(app) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """Return the number of stored collective reviews, individual reviews and feedback rows."""
    with app.app_context():
        return {
            model.__name__: db.session.scalar(select(func.count()).select_from(model))
            for model in (CollectiveReview, IndividualReview, Feedback)
        }


def set_participant(app, meeting_id: int, code: str, **values: object) -> None:  # type: ignore[no-untyped-def]
    """Change a participant's facts for the year directly in the database, opening its seal first."""
    with app.app_context():
        meeting = db.session.get(Meeting, meeting_id)
        if meeting.sealed:  # the seal guards these facts: open it, with a reason, as the secretary would
            secretary = db.session.scalar(select(User).where(User.username == SECRETARY))
            reopen(meeting, secretary, "Sửa tình trạng trong năm của một đồng chí.")
        participant = db.session.scalar(
            select(Participant)
            .join(Participant.member)
            .where(Participant.meeting_id == meeting_id, Member.code == code)
        )
        for key, value in values.items():
            setattr(participant, key, value)
        db.session.commit()


def post(client, url: str, data: dict[str, str], autosave: bool = False):  # type: ignore[no-untyped-def]
    """Post a form with the page's CSRF token, as the browser or the page's script would."""
    headers = {"X-Autosave": "1"} if autosave else {}
    return client.post(url, data={**form_values(client, url), **data}, headers=headers)


def feedback_fields(rows: list[tuple[object, str]]) -> dict[str, str]:
    """Return form fields for feedback rows given as (speaker's member id or "", text)."""
    out: dict[str, str] = {}
    for i, (speaker, text) in enumerate(rows):
        out[f"feedback-{i}-speaker"] = f"m:{speaker}" if str(speaker) not in ("", "0") else str(speaker)
        out[f"feedback-{i}-text"] = text
    return out


def list_order(page: str) -> list[str]:
    """Return the member codes of the self-criticism list, in the page's order."""
    return re.findall(r'<li class="review-item" data-member="([^"]+)"', page)


def item(page: str, code: str) -> str:
    """Return the HTML of one member's item on the list page."""
    match = re.search(rf'<li class="review-item" data-member="{code}">(.*?)</li>', page, re.S)
    assert match, code
    return match.group(1)


def collective_data(**overrides: str) -> dict[str, str]:
    data = {
        "report": "Ưu điểm: chi bộ lãnh đạo hoàn thành nhiệm vụ.\r\nHạn chế: sinh hoạt chuyên đề chưa sâu.",
        "conclusion": "Chi bộ hoàn thành tốt nhiệm vụ.",
        "self_level": "good",
        "remedy_plan": "Đổi mới sinh hoạt chuyên đề.",
        "then": "stay",
    }
    data.update(overrides)
    return data


def individual_data(**overrides: str) -> dict[str, str]:
    data = {
        "summary": "Tự kiểm điểm: hoàn thành nhiệm vụ được giao.",
        "self_level": "good",
        "response": "Xin tiếp thu.",
        "conclusion": "Đồng chí hoàn thành tốt nhiệm vụ.",
        "then": "stay",
    }
    data.update(overrides)
    return data


# ---------------------------------------------------------------------------
# The list of members


def test_list_follows_the_head_first_order_with_done_badges(app, client, seeded):
    meeting_id = new_meeting(client, 2021)
    # m10 (last on the roll) sits on the committee: after the deputy, before every member.
    set_participant(app, meeting_id, "m10", position="committee")
    people = ids(app, meeting_id)
    url = f"/meetings/{meeting_id}/reviews"
    page = client.get(url).get_data(as_text=True)
    assert list_order(page) == ["m01", "m02", "m03", "m10", "m04", "m05", "m06", "m07", "m08", "m09"]
    assert "Đã ghi 0/10" in page
    assert "Chưa ghi" in item(page, "m04") and "Chi ủy viên" in item(page, "m10")

    # A summary alone is not done; summary and conclusion are.
    m04 = f"/meetings/{meeting_id}/reviews/{people['m04'][0]}"
    assert post(client, m04, individual_data(conclusion="")).status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert "Chưa ghi" in item(page, "m04") and "Đã ghi 0/10" in page
    assert post(client, m04, individual_data(self_level="excellent")).status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert "Đã ghi" in item(page, "m04") and "Chưa ghi" not in item(page, "m04")
    assert "Tự xếp loại: Hoàn thành xuất sắc nhiệm vụ" in item(page, "m04")
    assert "Đã ghi 1/10" in page
    # Each name links to the member's page.
    assert f'href="{m04}"' in item(page, "m04")


def test_members_who_do_not_review_are_listed_with_the_reason(app, client, seeded):
    set_participant(app, 1, "m05", exempt=True)
    set_participant(app, 1, "m07", suspended=True)
    page = client.get("/meetings/1/reviews").get_data(as_text=True)
    assert list_order(page) == ["m01", "m02", "m03", "m04", "m06", "m08", "m09", "m10"]
    assert "Đã ghi 8/8" in page  # the seed's reviews are complete
    assert "Không tự kiểm điểm" in page
    assert re.search(
        r'data-member="m05"><bdi>Trần Thị Minh Nguyệt</bdi> \(Đảng viên\): Miễn công tác và sinh hoạt đảng<', page
    )
    assert re.search(r'data-member="m07"><bdi>Vũ Thị Ngọc Ánh</bdi> \(Đảng viên\): Bị đình chỉ sinh hoạt đảng<', page)
    # Their page does not exist.
    people = ids(app, 1)
    assert client.get(f"/meetings/1/reviews/{people['m05'][0]}").status_code == 404


def set_meeting_copies(member: Member) -> None:
    """Give the member's unsealed meetings the roster's admission date (each meeting keeps its own copy)."""
    for participant in db.session.scalars(select(Participant).where(Participant.member_id == member.id)):
        if not participant.meeting.sealed:
            participant.admitted_on = member.admitted_on


def test_new_members_review_themselves_before_2023_but_not_from_2023(app, client, seeded):
    meeting_2021 = new_meeting(client, 2021)
    meeting_2023 = new_meeting(client, 2023)
    with app.app_context():
        member = db.session.scalar(select(Member).where(Member.code == "m10"))
        member.admitted_on = member.admitted_on.replace(year=2021, month=9, day=1)
        set_meeting_copies(member)
        db.session.commit()
    # hd21-2019: reviewed, not rated.
    page = client.get(f"/meetings/{meeting_2021}/reviews").get_data(as_text=True)
    assert "m10" in list_order(page)
    assert "Không xếp loại: Vào Đảng chưa đủ 6 tháng" in item(page, "m10")
    # hd25-2023: neither (admitted 1/9/2021 is long before 2023, so move the date on).
    with app.app_context():
        member = db.session.scalar(select(Member).where(Member.code == "m10"))
        member.admitted_on = member.admitted_on.replace(year=2023)
        set_meeting_copies(member)
        db.session.commit()
    page = client.get(f"/meetings/{meeting_2023}/reviews").get_data(as_text=True)
    assert "m10" not in list_order(page)
    assert re.search(r'data-member="m10"><bdi>Phạm Thị Xuân Mai</bdi> \(Đảng viên\): Vào Đảng chưa đủ 6 tháng<', page)
    people = ids(app, meeting_2023)
    assert client.get(f"/meetings/{meeting_2023}/reviews/{people['m10'][0]}").status_code == 404


# ---------------------------------------------------------------------------
# Collective reviews


def test_cell_review_is_saved_with_feedback_in_order(app, client, seeded):
    meeting_id = new_meeting(client, 2021)
    people = ids(app, meeting_id)
    m03, m05 = people["m03"][1], people["m05"][1]
    url = f"/meetings/{meeting_id}/collective"
    page = client.get(url).get_data(as_text=True)
    assert "Tập thể chi bộ" in page and "Tập thể chi ủy" in page  # the sub-navigation
    assert 'aria-current="page"' in page and "data-autosave" in page and "data-warn-unsaved" in page
    assert '<label for="report">' in page and '<label for="feedback-0-speaker">' in page
    assert "— Chưa chọn —" in page and "Hoàn thành tốt nhiệm vụ" in page

    rows = [(m05, "Ý kiến thứ nhất."), ("", ""), (m03, "Ý kiến thứ hai,\r\nhai dòng."), (m05, "Ý kiến thứ ba.")]
    response = post(client, url, collective_data(**feedback_fields(rows)))
    assert response.status_code == 302 and response.headers["Location"] == url
    with app.app_context():
        review = db.session.scalar(select(CollectiveReview).where(CollectiveReview.meeting_id == meeting_id))
        assert (review.subject, review.position, review.self_level) == ("cell", 0, "good")
        assert review.report == "Ưu điểm: chi bộ lãnh đạo hoàn thành nhiệm vụ.\nHạn chế: sinh hoạt chuyên đề chưa sâu."
        assert review.remedy_plan == "Đổi mới sinh hoạt chuyên đề."
        assert [(f.position, f.speaker_id, f.text) for f in review.feedback] == [
            (0, m05, "Ý kiến thứ nhất."),
            (1, m03, "Ý kiến thứ hai,\nhai dòng."),
            (2, m05, "Ý kiến thứ ba."),
        ]

    # The page shows what is stored, plus one blank row; saving again with fewer rows drops the rest.
    page = client.get(url).get_data(as_text=True)
    assert 'name="feedback-3-text"' in page and 'name="feedback-4-text"' not in page
    assert "Ý kiến thứ hai,\nhai dòng." in page
    response = post(client, url, collective_data(self_level="", **feedback_fields([(m03, "Chỉ còn một ý kiến.")])))
    assert response.status_code == 302
    with app.app_context():
        review = db.session.scalar(select(CollectiveReview).where(CollectiveReview.meeting_id == meeting_id))
        assert review.self_level is None
        assert [(f.position, f.speaker_id, f.text) for f in review.feedback] == [(0, m03, "Chỉ còn một ý kiến.")]
    assert counts(app)["Feedback"] == 1 + 10 + 1  # the seed's 11 plus this one

    # "Next" goes to the committee's review.
    response = post(client, url, collective_data(then="next"))
    assert response.headers["Location"] == f"/meetings/{meeting_id}/collective/committee"


def test_committee_review_is_saved_apart_and_goes_on_to_the_members(app, client, seeded):
    meeting_id = new_meeting(client, 2021)
    url = f"/meetings/{meeting_id}/collective/committee"
    page = client.get(url).get_data(as_text=True)
    assert "Kiểm điểm tập thể chi ủy" in page
    response = post(client, url, collective_data(report="Chi ủy kiểm điểm.", then="next"))
    assert response.status_code == 302
    assert response.headers["Location"] == f"/meetings/{meeting_id}/reviews"
    with app.app_context():
        reviews = db.session.scalars(select(CollectiveReview).where(CollectiveReview.meeting_id == meeting_id)).all()
        assert [(r.subject, r.position, r.report, r.feedback) for r in reviews] == [
            ("committee", 1, "Chi ủy kiểm điểm.", [])
        ]
    # The cell's review, saved afterwards, still comes first in the meeting file.
    assert post(client, f"/meetings/{meeting_id}/collective", collective_data()).status_code == 302
    with app.app_context():
        mf = meeting_file(load_meeting(meeting_id))
        assert [c.subject for c in mf.collective_reviews] == ["cell", "committee"]


def set_declared_committee(app, meeting_id: int, declared: bool) -> None:  # type: ignore[no-untyped-def]
    """Record on the meeting's cell whether its ward says it has a committee (the cells page's "Có chi ủy")."""
    with app.app_context():
        db.session.get(Meeting, meeting_id).cell.has_committee = declared
        db.session.commit()


def test_committee_page_is_404_without_a_committee(app, client, seeded):
    meeting_id = new_meeting(client, 2021)
    set_declared_committee(app, meeting_id, False)  # the seed's file reviews one: its cell says so
    set_participant(app, meeting_id, "m02", position="member")
    set_participant(app, meeting_id, "m03", position="member")
    assert client.get(f"/meetings/{meeting_id}/collective/committee").status_code == 404
    url = f"/meetings/{meeting_id}/collective"
    page = client.get(url).get_data(as_text=True)
    assert "Tập thể chi ủy" not in page
    response = post(client, url, collective_data(then="next"))
    assert response.headers["Location"] == f"/meetings/{meeting_id}/reviews"
    assert client.get(f"/meetings/{meeting_id}/collective/other").status_code == 404


def test_a_cell_its_ward_says_has_a_committee_reviews_it_without_committee_seats(app, client, seeded):
    meeting_id = new_meeting(client, 2021)
    set_declared_committee(app, meeting_id, True)
    set_participant(app, meeting_id, "m02", position="member")
    set_participant(app, meeting_id, "m03", position="member")
    assert client.get(f"/meetings/{meeting_id}/collective/committee").status_code == 200


# ---------------------------------------------------------------------------
# Individual reviews


def test_individual_review_is_saved_and_next_goes_to_the_next_member(app, client, seeded):
    meeting_id = new_meeting(client, 2021)
    people = ids(app, meeting_id)
    url = f"/meetings/{meeting_id}/reviews/{people['m01'][0]}"
    page = client.get(url).get_data(as_text=True)
    assert "Nguyễn Thị Ngọc Hân" in page and "Bí thư" in page
    assert 'name="self_score"' not in page  # no score before 2025
    # The member cannot pick themself as a speaker.
    assert f'<option value="m:{people["m01"][1]}">' not in page and f'<option value="m:{people["m02"][1]}">' in page

    rows = [(people["m03"][1], "Góp ý của đồng chí Hòa."), (people["m02"][1], "Góp ý của đồng chí Hương.")]
    # Typed in decomposed Unicode (as some keyboards send it): stored in NFC.
    typed = unicodedata.normalize("NFD", "Tự kiểm điểm: hoàn thành nhiệm vụ được giao.")
    response = post(client, url, individual_data(summary=typed, then="next", **feedback_fields(rows)))
    assert response.status_code == 302
    assert response.headers["Location"] == f"/meetings/{meeting_id}/reviews/{people['m02'][0]}"
    with app.app_context():
        review = db.session.scalar(select(IndividualReview).where(IndividualReview.participant_id == people["m01"][0]))
        assert (review.summary, review.self_level, review.self_score) == (
            "Tự kiểm điểm: hoàn thành nhiệm vụ được giao.",
            "good",
            None,
        )
        assert (review.response, review.conclusion) == ("Xin tiếp thu.", "Đồng chí hoàn thành tốt nhiệm vụ.")
        assert [(f.position, f.speaker_id, f.text) for f in review.feedback] == [
            (0, people["m03"][1], "Góp ý của đồng chí Hòa."),
            (1, people["m02"][1], "Góp ý của đồng chí Hương."),
        ]
    # After the last member, "next" goes to the ballot step.
    last = f"/meetings/{meeting_id}/reviews/{people['m10'][0]}"
    response = post(client, last, individual_data(then="next"))
    assert response.headers["Location"] == f"/meetings/{meeting_id}/ballot"
    assert "Lưu và sang bước bỏ phiếu" in client.get(last).get_data(as_text=True)


def test_self_score_from_2025(app, client, seeded):
    meeting_id = new_meeting(client, 2025)
    people = ids(app, meeting_id)
    url = f"/meetings/{meeting_id}/reviews/{people['m01'][0]}"
    page = client.get(url).get_data(as_text=True)
    assert 'name="self_score"' in page and '<label for="self_score">' in page
    for bad in ("101", "abc", "-1", "7.5"):
        before = counts(app)
        response = post(client, url, individual_data(self_score=bad))
        page = response.get_data(as_text=True)
        assert response.status_code == 422, bad
        assert "Điểm tự chấm là số nguyên từ 0 đến 100." in page
        assert f'value="{bad}"' in page
        assert counts(app) == before
    assert post(client, url, individual_data(self_score="87")).status_code == 302
    with app.app_context():
        review = db.session.scalar(select(IndividualReview).where(IndividualReview.participant_id == people["m01"][0]))
        assert review.self_score == 87
    assert 'value="87"' in client.get(url).get_data(as_text=True)
    # A blank score is no score.
    assert post(client, url, individual_data(self_score="")).status_code == 302
    with app.app_context():
        review = db.session.scalar(select(IndividualReview).where(IndividualReview.participant_id == people["m01"][0]))
        assert review.self_score is None


# ---------------------------------------------------------------------------
# Bad input: the message next to the field, the input kept, 422, nothing stored

TYPED = "Nội dung đã gõ <b>không mất</b>"


def bad_collective_cases(people):  # type: ignore[no-untyped-def]
    m05 = people["m05"][1]
    return [
        (feedback_fields([(m05, "")]), "Ghi nội dung ý kiến (hoặc bỏ chọn người góp ý để bỏ dòng này)."),
        (feedback_fields([("0", "Ai nói?")]), "Chọn đồng chí phát biểu ý kiến này."),
        (feedback_fields([("", "Ai nói?")]), "Chọn đồng chí phát biểu ý kiến này."),
        (
            feedback_fields([("99999", "Người lạ.")]),
            "Người góp ý không có trong danh sách đảng viên có mặt và khách mời của hội nghị.",
        ),
        (feedback_fields([("abc", "Người lạ.")]), "Lựa chọn không hợp lệ."),
        ({"conclusion": "a" * 20_001}, "Dài 20.001 ký tự, tối đa 20.000 ký tự."),
        ({"remedy_plan": "Có ký tự lạ \x0b ở đây."}, "Có ký tự điều khiển không hợp lệ"),
        ({"self_level": "tot"}, "Lựa chọn không hợp lệ."),
    ]


def test_bad_collective_input_is_refused_whole(app, client, seeded):
    meeting_id = new_meeting(client, 2021)
    people = ids(app, meeting_id)
    url = f"/meetings/{meeting_id}/collective"
    before = counts(app)
    for fields, message in bad_collective_cases(people):
        # Good rows around the bad one are not saved either.
        data = collective_data(report=TYPED, **feedback_fields([(people["m02"][1], "Ý kiến hợp lệ.")]))
        data.update({k.replace("feedback-0", "feedback-1"): v for k, v in fields.items()})
        response = post(client, url, data)
        page = response.get_data(as_text=True)
        assert response.status_code == 422, message
        assert message in page, message
        assert 'class="error"' in page and 'aria-invalid="true"' in page
        assert "Chưa lưu: kiểm tra các ô báo lỗi bên dưới." in page
        assert html.escape(TYPED, quote=False) in page and TYPED not in page  # kept, and escaped
        assert "Ý kiến hợp lệ." in page
        assert counts(app) == before, message


def test_bad_individual_input_is_refused_whole(app, client, seeded):
    meeting_id = new_meeting(client, 2021)
    people = ids(app, meeting_id)
    url = f"/meetings/{meeting_id}/reviews/{people['m04'][0]}"
    cases = bad_collective_cases(people)[:6] + [
        (
            feedback_fields([(people["m04"][1], "Tự khen mình.")]),
            "Đồng chí đang tự kiểm điểm không góp ý cho chính mình",
        ),
        ({"summary": "x" * 20_001}, "Dài 20.001 ký tự, tối đa 20.000 ký tự."),
        ({"self_score": "90"}, None),  # no score field before 2025: ignored, not stored
    ]
    before = counts(app)
    for fields, message in cases:
        data = individual_data(response=TYPED, **feedback_fields([("", ""), (people["m02"][1], "Ý kiến hợp lệ.")]))
        data.update({k.replace("feedback-0", "feedback-2"): v for k, v in fields.items()})
        response = post(client, url, data)
        if message is None:
            assert response.status_code == 302
            continue
        page = response.get_data(as_text=True)
        assert response.status_code == 422, message
        assert message in page, message
        assert html.escape(TYPED, quote=False) in page and "Ý kiến hợp lệ." in page
        assert counts(app) == before, message
    with app.app_context():
        review = db.session.scalar(select(IndividualReview).where(IndividualReview.participant_id == people["m04"][0]))
        assert review.self_score is None


def test_error_rows_keep_their_place(app, client, seeded):
    meeting_id = new_meeting(client, 2021)
    people = ids(app, meeting_id)
    url = f"/meetings/{meeting_id}/collective"
    rows = [(people["m02"][1], "Một."), (people["m03"][1], ""), (people["m04"][1], "Ba.")]
    page = post(client, url, collective_data(**feedback_fields(rows))).get_data(as_text=True)
    assert re.search(r'id="feedback-1-text"[^>]*>\s*</textarea>\s*<p class="error" id="feedback-1-text-error">', page)
    assert re.search(rf'<option selected value="m:{people["m04"][1]}">', page)
    assert page.index("Một.") < page.index("Ba.")


# ---------------------------------------------------------------------------
# Background saves


def test_autosave_answers_json_and_saves(app, client, seeded):
    meeting_id = new_meeting(client, 2021)
    people = ids(app, meeting_id)
    url = f"/meetings/{meeting_id}/reviews/{people['m02'][0]}"
    response = post(client, url, individual_data(summary="Đang gõ dở…"), autosave=True)
    assert response.status_code == 200
    assert response.json["ok"] is True and re.fullmatch(r"\d\d:\d\d:\d\d", response.json["saved_at"])
    with app.app_context():
        review = db.session.scalar(select(IndividualReview).where(IndividualReview.participant_id == people["m02"][0]))
        assert review.summary == "Đang gõ dở…"
    # The collective page saves in the background too.
    response = post(client, f"/meetings/{meeting_id}/collective", collective_data(), autosave=True)
    assert response.status_code == 200 and response.json["ok"] is True


def test_autosave_with_an_error_answers_422_json_and_saves_nothing(app, client, seeded):
    meeting_id = new_meeting(client, 2021)
    people = ids(app, meeting_id)
    url = f"/meetings/{meeting_id}/reviews/{people['m02'][0]}"
    before = counts(app)
    data = individual_data(summary="Không được lưu.", **feedback_fields([(people["m03"][1], "")]))
    response = post(client, url, data, autosave=True)
    assert response.status_code == 422
    assert response.json["ok"] is False
    # Errors are keyed by the input's name, so the page's script can show them in place.
    assert response.json["errors"] == {
        "feedback-0-text": ["Ghi nội dung ý kiến (hoặc bỏ chọn người góp ý để bỏ dòng này)."]
    }
    assert counts(app) == before
    response = post(client, f"/meetings/{meeting_id}/collective", collective_data(report="x" * 20_001), autosave=True)
    assert response.status_code == 422 and "report" in response.json["errors"]
    assert counts(app) == before


# ---------------------------------------------------------------------------
# Who may reach the pages


def page_urls(app, meeting_id: int) -> list[str]:  # type: ignore[no-untyped-def]
    people = ids(app, meeting_id)
    return [
        f"/meetings/{meeting_id}/collective",
        f"/meetings/{meeting_id}/collective/committee",
        f"/meetings/{meeting_id}/reviews",
        f"/meetings/{meeting_id}/reviews/{people['m01'][0]}",
    ]


def test_another_cells_secretary_gets_404(app, client, seeded, make_user, login):
    with app.app_context():
        other = Cell(organization_id=1, name="Chi bộ Tổ dân phố số 5")
        db.session.add(other)
        db.session.commit()
        other_id = other.id
    make_user("bithu-khac", "secretary", cell_id=other_id)
    urls = page_urls(app, 1)
    client.post("/auth/logout", data={"csrf_token": csrf_token(client, "/")})
    assert login("bithu-khac").status_code == 302
    token = csrf_token(client, "/")
    before = counts(app)
    for url in urls:
        assert client.get(url).status_code == 404, url
        if url.endswith("/reviews"):
            continue
        response = client.post(url, data={"csrf_token": token, **collective_data(), **individual_data()})
        assert response.status_code == 404, url
    assert counts(app) == before


def test_a_participant_of_another_meeting_is_404(app, client, seeded):
    meeting_id = new_meeting(client, 2021)
    other = ids(app, 1)["m01"][0]
    assert client.get(f"/meetings/{meeting_id}/reviews/{other}").status_code == 404
    assert client.get(f"/meetings/{meeting_id}/reviews/999999").status_code == 404
    assert client.get("/meetings/999999/reviews").status_code == 404


def test_anonymous_users_are_sent_to_sign_in(app, client, seeded):
    urls = page_urls(app, 1)
    client.post("/auth/logout", data={"csrf_token": csrf_token(client, "/")})
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and "/auth/login" in response.headers["Location"], url
    response = client.post(urls[0], data=collective_data())
    assert response.status_code in (302, 400)


def test_post_without_csrf_token_is_400(app, client, seeded):
    people = ids(app, 1)
    before = counts(app)
    response = client.post("/meetings/1/collective", data=collective_data())
    assert response.status_code == 400
    response = client.post(
        f"/meetings/1/reviews/{people['m01'][0]}", data=individual_data(), headers={"X-Autosave": "1"}
    )
    assert response.status_code == 400
    assert counts(app) == before


# ---------------------------------------------------------------------------
# The seed, typed in through the pages, exports as the seed


def test_seed_typed_through_the_pages_exports_as_the_seed(app, client, runner, seeded, seed_path):
    seed = json.loads(seed_path.read_text(encoding="utf-8"))
    # Empty meeting 1's reviews: an empty 2020 meeting with the seed's members and facts.
    with app.app_context():
        # One by one, not in bulk: every delete goes through the audit trail (feedback by cascade).
        for review in [*db.session.scalars(select(IndividualReview)), *db.session.scalars(select(CollectiveReview))]:
            db.session.delete(review)
        db.session.commit()
    page = client.get("/meetings/1/reviews").get_data(as_text=True)
    assert "Đã ghi 0/10" in page
    people = ids(app, 1)

    def rows(feedback: list[dict[str, str]]) -> dict[str, str]:
        # Each text as the browser sends a typed text: line breaks as \r\n.
        return feedback_fields([(people[f["by"]][1], f["text"].replace("\n", "\r\n")) for f in feedback])

    # Committee first: the meeting file still lists the cell first.
    for collective in reversed(seed["collective_reviews"]):
        url = "/meetings/1/collective" + ("/committee" if collective["subject"] == "committee" else "")
        data = {key: collective[key] or "" for key in ("report", "conclusion", "self_level", "remedy_plan")}
        response = post(client, url, {**data, **rows(collective["feedback"])})
        assert response.status_code == 302, response.get_data(as_text=True)
    for member in seed["members"]:
        review = member["review"]
        url = f"/meetings/1/reviews/{people[member['id']][0]}"
        data = {key: review[key] or "" for key in ("summary", "self_level", "response", "conclusion")}
        response = post(client, url, {**data, **rows(review["feedback"]), "then": "next"})
        assert response.status_code == 302, response.get_data(as_text=True)

    with app.app_context():
        document = meetingfile.dump(meeting_file(load_meeting(1)), with_results=False)
    assert document["collective_reviews"] == seed["collective_reviews"]
    assert document["collective_reviews"][1]["feedback"] == []
    for exported, original in zip(document["members"], seed["members"], strict=True):
        assert exported["review"] == original["review"]
        assert "self_score" not in exported["review"]

    # And the command line's export gives back the seed file, byte for byte apart from results.
    result = runner.invoke(args=["meeting", "export", "1"])
    assert result.exit_code == 0, result.output
    exported = json.loads(result.output)
    exported.pop("results")
    assert json.dumps(exported, ensure_ascii=False, indent=2).encode() == seed_path.read_bytes()


# ---------------------------------------------------------------------------
# Speakers (SPEC 8): the members present and the guests; an absent member is refused

WARD_GUEST = ("Nguyễn Văn Khách", "Đảng ủy viên, Đảng ủy phường Thượng Thanh")


def add_guests(app, meeting_id: int, *guests: tuple[str, str]) -> list[int]:  # type: ignore[no-untyped-def]
    """Give the meeting guests, as the opening page records them; return their ids in order."""
    from review.models import Guest

    with app.app_context():
        meeting = db.session.get(Meeting, meeting_id)
        start = len(meeting.guests)
        rows = [Guest(position=start + i, name=name, title=title) for i, (name, title) in enumerate(guests)]
        meeting.guests = [*meeting.guests, *rows]
        db.session.commit()
        return [row.id for row in rows]


def stored_speakers(review) -> list[tuple[int, int | None, int | None, str]]:  # type: ignore[no-untyped-def]
    return [(f.position, f.speaker_id, f.guest_id, f.text) for f in review.feedback]


def test_a_guest_speaks_on_the_cells_review(app, client, seeded):
    meeting_id = new_meeting(client, 2021)
    (guest,) = add_guests(app, meeting_id, WARD_GUEST)
    people = ids(app, meeting_id)
    url = f"/meetings/{meeting_id}/collective"
    page = client.get(url).get_data(as_text=True)
    # Guests follow the members present, labelled as guests with their title.
    assert f'<option value="g:{guest}">Nguyễn Văn Khách (Khách mời, Đảng ủy viên, Đảng ủy phường Thượng Thanh)' in page
    assert page.index(f'value="m:{people["m10"][1]}"') < page.index(f'value="g:{guest}"')

    data = collective_data(
        **{
            "feedback-0-speaker": f"g:{guest}",
            "feedback-0-text": "Chi bộ cần phát huy vai trò hạt nhân.",
            "feedback-1-speaker": f"m:{people['m03'][1]}",
            "feedback-1-text": "Đồng ý với báo cáo.",
        }
    )
    response = post(client, url, data)
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        review = db.session.scalar(select(CollectiveReview).where(CollectiveReview.meeting_id == meeting_id))
        assert stored_speakers(review) == [
            (0, None, guest, "Chi bộ cần phát huy vai trò hạt nhân."),
            (1, people["m03"][1], None, "Đồng ý với báo cáo."),
        ]
    # The page shows the guest chosen again.
    page = client.get(url).get_data(as_text=True)
    assert f'<option selected value="g:{guest}">' in page


def test_a_guest_speaks_on_a_members_review(app, client, seeded):
    meeting_id = new_meeting(client, 2021)
    guests = add_guests(app, meeting_id, WARD_GUEST, ("Lê Văn Tư", ""))
    people = ids(app, meeting_id)
    url = f"/meetings/{meeting_id}/reviews/{people['m04'][0]}"
    page = client.get(url).get_data(as_text=True)
    assert f'<option value="g:{guests[1]}">Lê Văn Tư (Khách mời)</option>' in page
    data = individual_data(**{"feedback-0-speaker": f"g:{guests[1]}", "feedback-0-text": "Đồng chí cần cố gắng hơn."})
    assert post(client, url, data).status_code == 302
    with app.app_context():
        review = db.session.scalar(select(IndividualReview).where(IndividualReview.participant_id == people["m04"][0]))
        assert stored_speakers(review) == [(0, None, guests[1], "Đồng chí cần cố gắng hơn.")]


def test_a_guest_of_another_meeting_is_refused(app, client, seeded):
    meeting_id = new_meeting(client, 2021)
    (other_guest,) = add_guests(app, 1, WARD_GUEST)  # a guest of the seed's meeting, not of this one
    url = f"/meetings/{meeting_id}/collective"
    before = counts(app)
    data = collective_data(**{"feedback-0-speaker": f"g:{other_guest}", "feedback-0-text": "Người lạ."})
    response = post(client, url, data)
    assert response.status_code == 422
    assert "Người góp ý không có trong danh sách đảng viên có mặt và khách mời của hội nghị." in response.get_data(
        as_text=True
    )
    assert counts(app) == before


@pytest.mark.parametrize("attendance", ["absent_excused", "absent"])
@pytest.mark.parametrize("where", ["collective", "individual"])
def test_an_absent_member_is_refused_as_speaker_with_the_text_kept(app, client, seeded, attendance, where):
    from review.rules import Attendance

    meeting_id = new_meeting(client, 2021)
    set_participant(app, meeting_id, "m05", attendance=Attendance(attendance))
    people = ids(app, meeting_id)
    absent = f"m:{people['m05'][1]}"
    if where == "collective":
        url, fill = f"/meetings/{meeting_id}/collective", collective_data
    else:
        url, fill = f"/meetings/{meeting_id}/reviews/{people['m04'][0]}", individual_data
    # The absent member is not offered.
    assert f'value="{absent}"' not in client.get(url).get_data(as_text=True)
    before = counts(app)
    typed = "Ý kiến của đồng chí <vắng> mặt."
    data = fill(
        **{
            "feedback-0-speaker": f"m:{people['m02'][1]}",
            "feedback-0-text": "Ý kiến hợp lệ.",
            "feedback-1-speaker": absent,
            "feedback-1-text": typed,
        }
    )
    response = post(client, url, data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    message = (
        "Đồng chí Trần Thị Minh Nguyệt vắng mặt tại hội nghị nên không ghi là người góp ý: "
        "người góp ý là đảng viên có mặt hoặc khách mời của hội nghị."
    )
    # The message sits next to the row's speaker select, which still shows whom the row named.
    match = re.search(r'<p class="error" id="feedback-1-speaker-error">(.*?)</p>', page, re.S)
    assert match and html.unescape(match.group(1)).strip() == message
    assert re.search(rf'<option selected value="{absent}">Trần Thị Minh Nguyệt \(vắng mặt\)</option>', page)
    assert html.escape(typed, quote=False) in page and "Ý kiến hợp lệ." in page
    assert counts(app) == before
    # Autosave refuses it the same way, keyed by the input's name.
    response = post(client, url, data, autosave=True)
    assert response.status_code == 422 and response.json["errors"] == {"feedback-1-speaker": [message]}
    assert counts(app) == before


def test_guest_feedback_goes_out_to_the_meeting_file_and_back_equal(app, client, seeded):
    from datetime import datetime

    from review.meeting_store import export_text, upload_meeting

    meeting_id = new_meeting(client, 2021)
    guests = add_guests(app, meeting_id, WARD_GUEST, ("Lê Văn Tư", ""))
    with app.app_context():  # a file names its meeting's day
        meeting = db.session.get(Meeting, meeting_id)
        meeting.starts_at, meeting.location = datetime(2021, 12, 20, 8, 0), "Hội trường tổ dân phố"
        db.session.commit()
    people = ids(app, meeting_id)
    cell = {"feedback-0-speaker": f"g:{guests[0]}", "feedback-0-text": "Chi bộ cần phát huy."}
    assert post(client, f"/meetings/{meeting_id}/collective", collective_data(**cell)).status_code == 302
    member = {
        "feedback-0-speaker": f"m:{people['m02'][1]}",
        "feedback-0-text": "Góp ý của đồng chí Hương.",
        "feedback-1-speaker": f"g:{guests[1]}",
        "feedback-1-text": "Đồng chí cần cố gắng hơn.",
    }
    url = f"/meetings/{meeting_id}/reviews/{people['m03'][0]}"
    assert post(client, url, individual_data(**member)).status_code == 302

    with app.app_context():
        meeting = load_meeting(meeting_id)
        cell_id = meeting.cell_id
        text = export_text(meeting)
    document = json.loads(text)
    assert document["meeting"]["guests"] == [
        {"name": WARD_GUEST[0], "title": WARD_GUEST[1]},
        {"name": "Lê Văn Tư", "title": ""},
    ]
    assert document["collective_reviews"][0]["feedback"] == [{"guest": 0, "text": "Chi bộ cần phát huy."}]
    m03 = next(m for m in document["members"] if m["id"] == "m03")
    assert m03["review"]["feedback"] == [
        {"by": "m02", "text": "Góp ý của đồng chí Hương."},
        {"guest": 1, "text": "Đồng chí cần cố gắng hơn."},
    ]

    # Uploaded back in place of the meeting: stored again, and exported the same.
    mf, problems = meetingfile.loads(text)
    assert mf is not None and problems == [], problems
    with app.app_context():
        upload = upload_meeting(
            mf, cell_id, filename="hoi-nghi.json", sha256="0" * 64, user_id=None, reason="Nạp lại để kiểm tra."
        )
        assert upload is not None and upload.replaced_meeting_id == meeting_id
        reloaded = load_meeting(upload.meeting_id)
        assert export_text(reloaded) == text
        review = db.session.scalar(
            select(CollectiveReview).where(
                CollectiveReview.meeting_id == upload.meeting_id, CollectiveReview.position == 0
            )
        )
        assert [f.guest.name for f in review.feedback] == [WARD_GUEST[0]]
