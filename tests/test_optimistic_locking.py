"""No lost updates: a save over someone else's change is refused, their text shown, ours kept."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import select

from review.extensions import db
from review.models import CollectiveReview, IndividualReview, Member, Participant
from review.versioning import (
    STALE_MESSAGE,
    STALE_PAGE_MESSAGE,
    Conflict,
    VersionsConflict,
    check_version,
    check_versions,
)

from helpers import csrf_token, sign_in
from test_counting_pages import world  # noqa: F401  (the fixture of the counting tests)

VERSION_INPUT = re.compile(r'name="version"[^>]*value="(\d*)"')
FIRST, SECOND = "bithu", "thuky"


@pytest.fixture
def two_secretaries(app, runner, seed_path, make_user):  # type: ignore[no-untyped-def]
    """Import the seed meeting and sign two secretaries of its cell in, each in a browser of their own."""
    result = runner.invoke(args=["meeting", "import", str(seed_path)])
    assert result.exit_code == 0, result.output
    make_user(FIRST, "secretary", cell_id=1, display_name="Nguyễn Thị Ngọc Hân")
    make_user(SECOND, "secretary", cell_id=1, display_name="Trần Văn Bình")
    first, second = app.test_client(), app.test_client()
    assert sign_in(first, FIRST).status_code == 302
    assert sign_in(second, SECOND).status_code == 302
    return first, second


def participant_id(app, code: str) -> int:  # type: ignore[no-untyped-def]
    """Return the participant id of a member of meeting 1."""
    with app.app_context():
        return db.session.scalar(
            select(Participant.id).join(Participant.member).where(Participant.meeting_id == 1, Member.code == code)
        )


def load(client, url: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Load a form page; return its CSRF token and the version it carries."""
    page = client.get(url)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    match = VERSION_INPUT.search(text)
    assert match, f"no version field in the form at {url}"
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', text)
    assert token
    return {"csrf_token": token.group(1), "version": match.group(1)}


def review_data(summary: str, conclusion: str = "Kết luận của chủ trì.") -> dict[str, str]:
    """Return an individual review form's fields."""
    return {
        "summary": summary,
        "self_level": "good",
        "feedback-0-speaker": "0",
        "feedback-0-text": "",
        "response": "",
        "conclusion": conclusion,
    }


def stored_review(app, pid: int) -> IndividualReview | None:  # type: ignore[no-untyped-def]
    with app.app_context():
        review = db.session.scalar(select(IndividualReview).where(IndividualReview.participant_id == pid))
        if review is not None:
            db.session.expunge(review)
        return review


def test_second_save_of_a_review_is_refused_with_the_others_text(app, two_secretaries):
    first, second = two_secretaries
    pid = participant_id(app, "m02")
    url = f"/meetings/1/reviews/{pid}"
    loaded_first, loaded_second = load(first, url), load(second, url)
    assert loaded_first["version"] == loaded_second["version"]

    saved = first.post(url, data={**loaded_first, **review_data("Bản của đồng chí Hân: <b>ưu điểm</b>.")})
    assert saved.status_code == 302
    after_first = stored_review(app, pid)
    assert after_first is not None and after_first.version == int(loaded_first["version"]) + 1

    refused = second.post(url, data={**loaded_second, **review_data("Bản của đồng chí Bình, gõ cùng lúc.")})
    assert refused.status_code == 409
    page = html.unescape(refused.get_data(as_text=True))
    assert "Đồng chí Nguyễn Thị Ngọc Hân đã sửa nội dung này lúc" in page
    assert "hãy xem lại rồi lưu lại" in page
    assert "Bản của đồng chí Hân: <b>ưu điểm</b>." in page  # the other's current text, escaped
    assert "<b>ưu điểm</b>" not in refused.get_data(as_text=True)
    assert "Bản của đồng chí Bình, gõ cùng lúc." in page  # our own text kept in the form
    # Nothing was overwritten.
    assert stored_review(app, pid).summary == "Bản của đồng chí Hân: <b>ưu điểm</b>."
    # The page now carries the current version: saving again, having seen it, overwrites.
    again = VERSION_INPUT.search(refused.get_data(as_text=True))
    assert again and int(again.group(1)) == after_first.version
    token = csrf_token(second, url)
    resaved = second.post(
        url, data={"csrf_token": token, "version": again.group(1), **review_data("Bản của đồng chí Bình.")}
    )
    assert resaved.status_code == 302
    assert stored_review(app, pid).summary == "Bản của đồng chí Bình."


def test_background_saves_carry_the_version_and_a_stale_one_gets_409_json(app, two_secretaries):
    first, second = two_secretaries
    pid = participant_id(app, "m03")
    url = f"/meetings/1/reviews/{pid}"
    loaded_first, loaded_second = load(first, url), load(second, url)
    autosave = {"X-Autosave": "1"}

    one = first.post(url, data={**loaded_first, **review_data("Lần một.")}, headers=autosave)
    assert one.status_code == 200 and one.json["ok"]
    version = one.json["version"]
    assert version == int(loaded_first["version"]) + 1
    # The page's script puts the new version in the form: the next background save goes through.
    two = first.post(url, data={**loaded_first, "version": str(version), **review_data("Lần hai.")}, headers=autosave)
    assert two.status_code == 200 and two.json["version"] == version + 1

    stale = second.post(url, data={**loaded_second, **review_data("Bản cũ của người thứ hai.")}, headers=autosave)
    assert stale.status_code == 409
    body = stale.json
    assert body["ok"] is False
    assert "Đồng chí Nguyễn Thị Ngọc Hân đã sửa nội dung này lúc" in body["conflict"]
    assert {"label": "Tóm tắt bản tự kiểm điểm", "text": "Lần hai."} in body["current"]
    assert body["version"] == version + 1
    assert stored_review(app, pid).summary == "Lần hai."


def test_feedback_alone_changes_the_version(app, two_secretaries):
    first, second = two_secretaries
    url = "/meetings/1/collective"
    loaded_first = load(first, url)
    data = {
        "report": "Báo cáo.",
        "conclusion": "Kết luận.",
        "self_level": "good",
        "remedy_plan": "",
        "feedback-0-speaker": "0",
        "feedback-0-text": "",
    }
    assert first.post(url, data={**loaded_first, **data}).status_code == 302
    loaded_first, loaded_second = load(first, url), load(second, url)
    with app.app_context():
        speaker = db.session.scalar(select(Member.id).where(Member.code == "m04"))
    # Only a feedback row changes: the review's own columns stay the same.
    changed = {**data, "feedback-0-speaker": f"m:{speaker}", "feedback-0-text": "Ý kiến mới của đồng chí."}
    assert first.post(url, data={**loaded_first, **changed}).status_code == 302
    refused = second.post(url, data={**loaded_second, **data})
    assert refused.status_code == 409
    assert "Ý kiến mới của đồng chí." in html.unescape(refused.get_data(as_text=True))
    with app.app_context():
        review = db.session.scalar(select(CollectiveReview).where(CollectiveReview.meeting_id == 1))
        assert [f.text for f in review.feedback] == ["Ý kiến mới của đồng chí."]


def test_two_first_saves_of_a_new_review_conflict(app, two_secretaries):
    first, second = two_secretaries
    pid = participant_id(app, "m04")
    url = f"/meetings/1/reviews/{pid}"
    with app.app_context():  # start from no review at all
        review = db.session.scalar(select(IndividualReview).where(IndividualReview.participant_id == pid))
        if review is not None:
            db.session.delete(review)
            db.session.commit()
    loaded_first, loaded_second = load(first, url), load(second, url)
    assert loaded_first["version"] == loaded_second["version"] == "0"
    assert first.post(url, data={**loaded_first, **review_data("Bản thứ nhất.")}).status_code == 302
    refused = second.post(url, data={**loaded_second, **review_data("Bản thứ hai.")})
    assert refused.status_code == 409
    assert stored_review(app, pid).summary == "Bản thứ nhất."


def test_check_version_refuses_a_stale_version_and_passes_the_current(app):
    class Record:
        __table__ = IndividualReview.__table__
        id = None
        version = 3

    with app.app_context():
        check_version(Record(), "3")
        with pytest.raises(Conflict) as refused:
            check_version(Record(), "2", lambda: [("Tóm tắt", "Nội dung hiện tại")])
        assert refused.value.version == 3
        assert refused.value.current == [("Tóm tắt", "Nội dung hiện tại")]
        assert "hãy xem lại rồi lưu lại" in refused.value.message


@pytest.mark.parametrize("raw", [None, "", "  ", "abc", "-1", "3.0", "٣", "1" * 12])
def test_a_missing_or_malformed_version_is_refused_not_let_through(app, raw):
    class Record:
        __table__ = IndividualReview.__table__
        id = None
        version = 3

    with app.app_context():
        with pytest.raises(Conflict) as refused:
            check_version(Record(), raw, lambda: [("Tóm tắt", "Nội dung hiện tại")])
        assert refused.value.message == STALE_PAGE_MESSAGE and "Trang đã cũ, hãy tải lại" in refused.value.message
        assert refused.value.version == 3  # saving again from the answer goes over the current version
        assert refused.value.current == [("Tóm tắt", "Nội dung hiện tại")]
        with pytest.raises(Conflict):
            check_version(None, raw)  # a record not stored yet too


@pytest.mark.parametrize("raw", [None, "", "abc", "1:x", "1:2,", "1=2", "1:2;3:4"])
def test_a_missing_or_malformed_versions_token_is_refused(app, raw):
    class Record:
        __table__ = Participant.__table__

        def __init__(self, id: int, version: int) -> None:
            self.id, self.version = id, version

    records = [Record(1, 2), Record(2, 5)]
    with app.app_context():
        check_versions(records, "1:2,2:5")
        with pytest.raises(VersionsConflict) as refused:
            check_versions(records, raw)
        assert refused.value.message == STALE_PAGE_MESSAGE
        assert refused.value.token == "1:2,2:5"
        check_versions([], "none")


def test_a_concurrent_update_below_the_forms_is_refused_by_the_version_column(app, runner, seed_path):
    """Two sessions change the same row: the second flush finds the version moved on."""
    from sqlalchemy.orm import Session
    from sqlalchemy.orm.exc import StaleDataError

    assert runner.invoke(args=["meeting", "import", str(seed_path)]).exit_code == 0
    pid = participant_id(app, "m02")
    with app.app_context():
        with Session(db.engine, expire_on_commit=False) as one, Session(db.engine, expire_on_commit=False) as two:
            a = one.scalar(select(IndividualReview).where(IndividualReview.participant_id == pid))
            b = two.scalar(select(IndividualReview).where(IndividualReview.participant_id == pid))
            two.commit()
            a.summary = "Phiên một thắng."
            one.commit()
            b.summary = "Phiên hai ghi đè?"
            with pytest.raises(StaleDataError):
                two.commit()
        review = db.session.scalar(select(IndividualReview).where(IndividualReview.participant_id == pid))
        assert review.summary == "Phiên một thắng."


def open_2021(app, client) -> int:  # type: ignore[no-untyped-def]
    """Open the cell's 2021 meeting through its page; return its id."""
    url = "/cells/1/meetings/new"
    response = client.post(url, data={"csrf_token": csrf_token(client, url), "year": "2021"})
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(re.search(r"/meetings/(\d+)/opening$", response.headers["Location"]).group(1))


def member_ids(app) -> dict[str, int]:  # type: ignore[no-untyped-def]
    with app.app_context():
        return dict(db.session.execute(select(Member.code, Member.id).where(Member.cell_id == 1)).all())


def opening_page(app, client):  # type: ignore[no-untyped-def]
    meeting_id = open_2021(app, client)
    ids = member_ids(app)

    def data(mark: str) -> dict[str, str]:
        return {
            "starts_at": "2021-12-10T14:00",
            "location": f"Hội trường {mark}",
            "chair_id": str(ids["m01"]),
            "minute_taker_id": str(ids["m02"]),
            "guests-0-name": "",
            "guests-0-title": "",
        }

    return f"/meetings/{meeting_id}/opening", data, "Địa điểm"


def closing_page(app, client):  # type: ignore[no-untyped-def]
    meeting_id = open_2021(app, client)

    def data(mark: str) -> dict[str, str]:
        return {"minutes_approved_by": "0", "ends_at": "2021-12-10T17:00" if mark == "một" else "2021-12-10T18:00"}

    return f"/meetings/{meeting_id}/closing", data, "Thời gian bế mạc"


def member_page(app, client):  # type: ignore[no-untyped-def]
    ids = member_ids(app)

    def data(mark: str) -> dict[str, str]:
        return {
            "name": f"Đinh Thị Lan {mark}",
            "standing": "official",
            "position": "member",
            "admitted_on": "2001-09-02",
        }

    return f"/members/{ids['m09']}/edit", data, "Họ và tên"


def flags_page(app, client):  # type: ignore[no-untyped-def]
    meeting_id = open_2021(app, client)
    with app.app_context():
        pid = db.session.scalar(
            select(Participant.id)
            .join(Participant.member)
            .where(Participant.meeting_id == meeting_id, Member.code == "m05")
        )

    def data(mark: str) -> dict[str, str]:
        return {"sick_leave_months": "3" if mark == "một" else "4", "previous_level": "good"}

    return f"/meetings/{meeting_id}/participants/{pid}/flags", data, "Tình trạng trong năm"


@pytest.mark.parametrize("page", [opening_page, closing_page, member_page, flags_page], ids=lambda f: f.__name__)
def test_every_edit_page_refuses_a_save_over_anothers_change(app, two_secretaries, page):
    first, second = two_secretaries
    url, data, label = page(app, first)
    loaded_first, loaded_second = load(first, url), load(second, url)
    assert first.post(url, data={**loaded_first, **data("một")}).status_code == 302
    refused = second.post(url, data={**loaded_second, **data("hai")})
    assert refused.status_code == 409, refused.get_data(as_text=True)
    text = html.unescape(refused.get_data(as_text=True))
    assert "Đồng chí Nguyễn Thị Ngọc Hân đã sửa nội dung này lúc" in text
    assert f"<dt>{label}</dt>" in text
    after_first = first.get(url).get_data(as_text=True)
    # The first save stands; the second, made again over the version now shown, goes through.
    version = VERSION_INPUT.search(refused.get_data(as_text=True)).group(1)
    assert version == VERSION_INPUT.search(after_first).group(1)
    again = second.post(url, data={"csrf_token": csrf_token(second, url), "version": version, **data("hai")})
    assert again.status_code == 302


def test_the_roll_call_refuses_a_save_over_anothers_roll_call(app, two_secretaries):
    first, second = two_secretaries
    meeting_id = open_2021(app, first)
    url = f"/meetings/{meeting_id}/roll-call"
    with app.app_context():
        pids = dict(
            db.session.execute(
                select(Member.code, Participant.id).join(Participant.member).where(Participant.meeting_id == meeting_id)
            ).all()
        )
    token = re.compile(r'name="version"[^>]*value="([0-9:,]*)"')

    def loaded(client) -> dict[str, str]:  # type: ignore[no-untyped-def]
        page = client.get(url).get_data(as_text=True)
        return {"csrf_token": csrf_token(client, url), "version": token.search(page).group(1)}

    def roll(absent: str, reason: str) -> dict[str, str]:
        data = {f"attendance_{pid}": "present" for pid in pids.values()} | {
            f"reason_{pid}": "" for pid in pids.values()
        }
        return data | {f"attendance_{pids[absent]}": "absent_excused", f"reason_{pids[absent]}": reason}

    loaded_first, loaded_second = loaded(first), loaded(second)
    assert loaded_first["version"] == loaded_second["version"] != ""
    assert first.post(url, data={**loaded_first, **roll("m03", "Ốm, có giấy")}).status_code == 302
    refused = second.post(url, data={**loaded_second, **roll("m04", "Đi công tác")})
    assert refused.status_code == 409
    page = html.unescape(refused.get_data(as_text=True))
    assert "Đồng chí Nguyễn Thị Ngọc Hân đã sửa nội dung này lúc" in page
    assert "Vắng có lý do: Ốm, có giấy" in page  # the other's roll call
    assert 'value="Đi công tác"' in page  # ours, kept
    with app.app_context():
        attendance = dict(
            db.session.execute(
                select(Participant.id, Participant.attendance).where(Participant.meeting_id == meeting_id)
            ).all()
        )
    assert attendance[pids["m03"]] == "absent_excused" and attendance[pids["m04"]] == "present"
    again = token.search(refused.get_data(as_text=True)).group(1)
    assert again == loaded(first)["version"]
    resaved = second.post(
        url, data={"csrf_token": csrf_token(second, url), "version": again, **roll("m04", "Đi công tác")}
    )
    assert resaved.status_code == 302


def test_a_counters_entry_saved_in_another_tab_is_not_overwritten(app, world, seed_path):
    """The same counter in two tabs: the second save of an older page is refused, both numbers shown."""
    from test_counting_pages import seed_ballot, tallies

    one, two = app.test_client(), app.test_client()
    assert sign_in(one, "kp1").status_code == 302
    assert sign_in(two, "kp1").status_code == 302
    url = f"/meetings/{world['meeting']}/tally"
    loaded_one, loaded_two = load(one, url), load(two, url)
    assert loaded_one["version"] == loaded_two["version"] == "0"
    assert one.post(url, data={**loaded_one, **seed_ballot(seed_path)}).status_code == 302

    typed = seed_ballot(seed_path) | {"issued": "11", "returned": "11", "invalid": "1"}
    refused = two.post(url, data={**loaded_two, **typed})
    assert refused.status_code == 409
    page = html.unescape(refused.get_data(as_text=True))
    assert "Đồng chí kp1 đã sửa nội dung này lúc" in page
    assert "<dt>Số phiếu phát ra</dt>" in page and "<dd>10</dd>" in page  # the stored entry
    assert re.search(r'name="issued"[^>]*value="11"', page)  # the numbers as typed, kept
    assert tallies(app, world["meeting"])["first"]["issued"] == 10
    version = VERSION_INPUT.search(refused.get_data(as_text=True)).group(1)
    assert version == load(one, url)["version"] != "0"


def test_the_committee_refuses_a_save_over_anothers_choice(app, world):
    from test_counting_pages import counter_ids

    one, two = app.test_client(), app.test_client()
    assert sign_in(one, "bithu").status_code == 302
    assert sign_in(two, "bithu").status_code == 302
    url = f"/meetings/{world['meeting']}/committee"
    token = re.compile(r'name="version"[^>]*value="([0-9:,]*|none)"')

    def loaded(client) -> dict[str, str]:  # type: ignore[no-untyped-def]
        page = client.get(url).get_data(as_text=True)
        return {"csrf_token": csrf_token(client, url), "version": token.search(page).group(1)}

    m = world["members"]
    loaded_one, loaded_two = loaded(one), loaded(two)
    chosen = {"members": [str(m["m02"]), str(m["m04"]), str(m["m09"])], "chief": str(m["m04"])}
    assert one.post(url, data={**loaded_one, **chosen}).status_code == 302
    refused = two.post(url, data={**loaded_two, "members": [str(m["m06"]), str(m["m07"])], "chief": str(m["m07"])})
    assert refused.status_code == 409
    page = html.unescape(refused.get_data(as_text=True))
    assert "đã sửa nội dung này lúc" in page and "Trưởng ban Nguyễn Thị Hồng Dung" in page
    assert counter_ids(app, world["meeting"]) == [m["m04"], m["m02"], m["m09"]]


def without_version(data: dict[str, str]) -> dict[str, str]:
    return {key: value for key, value in data.items() if key != "version"}


def stored_page(client, url: str) -> str:  # type: ignore[no-untyped-def]
    """Return the form page as stored values show it, CSRF tokens (which carry a timestamp) left out."""
    return re.sub(r'name="csrf_token"[^>]*value="[^"]*"', "", client.get(url).get_data(as_text=True))


@pytest.mark.parametrize("posted", [None, "", "abc"], ids=["absent", "empty", "not-a-number"])
@pytest.mark.parametrize("page", [opening_page, closing_page, member_page, flags_page], ids=lambda f: f.__name__)
def test_every_edit_page_refuses_a_post_without_its_version(app, two_secretaries, page, posted):
    first, _ = two_secretaries
    url, data, label = page(app, first)
    loaded = load(first, url)
    before = stored_page(first, url)
    sent = without_version(loaded) | ({} if posted is None else {"version": posted})
    refused = first.post(url, data={**sent, **data("một")})
    assert refused.status_code == 409, refused.get_data(as_text=True)
    text = html.unescape(refused.get_data(as_text=True))
    assert "Trang đã cũ, hãy tải lại" in text and f"<dt>{label}</dt>" in text
    assert stored_page(first, url) == before  # nothing saved
    # The answer carries the current version: saving again from it goes through.
    version = VERSION_INPUT.search(refused.get_data(as_text=True)).group(1)
    assert version == loaded["version"]
    again = first.post(url, data={"csrf_token": csrf_token(first, url), "version": version, **data("một")})
    assert again.status_code == 302


def test_a_review_posted_without_its_version_is_refused_and_autosave_keeps_working(app, two_secretaries):
    first, _ = two_secretaries
    pid = participant_id(app, "m06")
    url = f"/meetings/1/reviews/{pid}"
    loaded = load(first, url)
    stored = stored_review(app, pid)
    autosave = {"X-Autosave": "1"}
    refused = first.post(
        url, data={**without_version(loaded), **review_data("Không mang phiên bản.")}, headers=autosave
    )
    assert refused.status_code == 409
    assert refused.json["ok"] is False and refused.json["conflict"] == STALE_PAGE_MESSAGE
    assert refused.json["version"] == int(loaded["version"])
    assert stored_review(app, pid).summary == stored.summary and stored_review(app, pid).version == stored.version
    page = first.post(url, data={**without_version(loaded), **review_data("Không mang phiên bản.")})
    assert page.status_code == 409 and "Trang đã cũ, hãy tải lại" in html.unescape(page.get_data(as_text=True))
    # Background saves carry the version the page's script keeps up to date: they go on.
    one = first.post(url, data={**loaded, **review_data("Lần một.")}, headers=autosave)
    assert one.status_code == 200 and one.json["version"] == stored.version + 1
    two = first.post(
        url, data={**loaded, "version": str(one.json["version"]), **review_data("Lần hai.")}, headers=autosave
    )
    assert two.status_code == 200 and stored_review(app, pid).summary == "Lần hai."


def test_the_roll_call_committee_and_tally_refuse_a_post_without_their_version(app, world, seed_path):
    from test_counting_pages import counter_ids, seed_ballot, tallies

    secretary, counter = app.test_client(), app.test_client()
    assert sign_in(secretary, "bithu").status_code == 302
    assert sign_in(counter, "kp1").status_code == 302
    m = world["members"]
    url = f"/meetings/{world['meeting']}/committee"
    before = counter_ids(app, world["meeting"])
    chosen = {"members": [str(m["m02"]), str(m["m04"]), str(m["m09"])], "chief": str(m["m04"])}
    refused = secretary.post(url, data={"csrf_token": csrf_token(secretary, url), **chosen})
    assert refused.status_code == 409 and "Trang đã cũ, hãy tải lại" in html.unescape(refused.get_data(as_text=True))
    assert counter_ids(app, world["meeting"]) == before

    url = f"/meetings/{world['meeting']}/tally"
    refused = counter.post(url, data={"csrf_token": csrf_token(counter, url), "version": "x", **seed_ballot(seed_path)})
    assert refused.status_code == 409 and "Trang đã cũ, hãy tải lại" in html.unescape(refused.get_data(as_text=True))
    assert "first" not in tallies(app, world["meeting"])
    version = VERSION_INPUT.search(refused.get_data(as_text=True)).group(1)
    assert version == "0"
    saved = counter.post(
        url, data={"csrf_token": csrf_token(counter, url), "version": version, **seed_ballot(seed_path)}
    )
    assert saved.status_code == 302 and tallies(app, world["meeting"])["first"]["issued"] == 10


def test_the_roll_call_refuses_a_post_without_its_version(app, two_secretaries):
    first, _ = two_secretaries
    meeting_id = open_2021(app, first)
    url = f"/meetings/{meeting_id}/roll-call"
    with app.app_context():
        pids = list(db.session.scalars(select(Participant.id).where(Participant.meeting_id == meeting_id)))
    roll = {f"attendance_{pid}": "present" for pid in pids} | {f"reason_{pid}": "" for pid in pids}
    roll[f"attendance_{pids[2]}"], roll[f"reason_{pids[2]}"] = "absent_excused", "Ốm, có giấy"
    refused = first.post(url, data={"csrf_token": csrf_token(first, url), **roll})
    assert refused.status_code == 409 and "Trang đã cũ, hãy tải lại" in html.unescape(refused.get_data(as_text=True))
    with app.app_context():
        assert db.session.get(Participant, pids[2]).attendance == "present"
    token = re.search(r'name="version"[^>]*value="([0-9:,]+)"', refused.get_data(as_text=True)).group(1)
    again = first.post(url, data={"csrf_token": csrf_token(first, url), "version": token, **roll})
    assert again.status_code == 302


def test_a_concurrent_change_no_form_catches_is_a_409_page(app, client, runner, seed_path):
    """StaleDataError outside a form's save: the app answers 409 with the conflict message, rolled back."""
    from sqlalchemy import update as sql_update

    assert runner.invoke(args=["meeting", "import", str(seed_path)]).exit_code == 0
    pid = participant_id(app, "m02")

    def save_over_a_change() -> str:
        review = db.session.scalar(select(IndividualReview).where(IndividualReview.participant_id == pid))
        db.session.expunge(review)
        db.session.rollback()  # end the read, as a long request would between loading and saving
        with db.engine.begin() as other:  # someone else saves the same review meanwhile
            other.execute(
                sql_update(IndividualReview.__table__)
                .where(IndividualReview.__table__.c.id == review.id)
                .values(summary="Bản của người khác.", version=review.version + 1)
            )
        review = db.session.merge(review, load=False)
        review.summary = "Bản ghi đè?"
        db.session.commit()
        return "saved"

    app.add_url_rule("/test-only/stale", "stale", save_over_a_change)
    response = client.get("/test-only/stale")
    assert response.status_code == 409
    assert STALE_MESSAGE in html.unescape(response.get_data(as_text=True))
    with app.app_context():
        review = db.session.scalar(select(IndividualReview).where(IndividualReview.participant_id == pid))
        assert review.summary == "Bản của người khác."
    assert client.get("/auth/login").status_code == 200  # the session was rolled back: the next request is fine
