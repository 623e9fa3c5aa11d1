"""The paths between the meeting's steps (issue 15): the documents each viewer may read linked from
every meeting page, the compare page's way on, the committee's codes and their revoking, a member's
status for the year from the roll call and the review, and one name per person.

The world is tests/test_counting_pages.py's: cell A's 2021 meeting being counted (committee m06
chief, m07, m08, m09), its secretary ``bithu``, counters ``kp1`` (m06, the chief) and ``kp2`` (m07).
"""

from __future__ import annotations

import re

from sqlalchemy import select

from review.access import DOCUMENT_PERMISSIONS
from review.documents import DOCUMENTS, SECOND_PAPER
from review.extensions import db
from review.models import AuditEntry, CounterCode, Meeting, Participant, User
from review.vocabulary import quota_badge

from helpers import form_values, signed_in
from test_counting_pages import CODE, plain, post, seed_ballot, text, world  # noqa: F401  (world: a fixture)

# A single-ballot meeting's documents: every one but ballot 2's paper (SPEC 5.8).
SINGLE_BALLOT_DOCUMENTS = set(DOCUMENTS) - {SECOND_PAPER}
DOCUMENT_LINK = re.compile(r'href="/meetings/(\d+)/documents/([a-z-]+)\.pdf"')


def linked_documents(response, meeting_id: int) -> set[str]:  # type: ignore[no-untyped-def]
    """Return the keys of the meeting's documents the page links."""
    return {key for mid, key in DOCUMENT_LINK.findall(response.get_data(as_text=True)) if int(mid) == meeting_id}


def document_status(client, meeting_id: int, key: str) -> int:  # type: ignore[no-untyped-def]
    return client.get(f"/meetings/{meeting_id}/documents/{key}.pdf").status_code


def test_every_document_has_its_permission():
    assert set(DOCUMENT_PERMISSIONS) == set(DOCUMENTS)


def test_the_secretary_finds_every_document_on_every_step(app, world):
    client = signed_in(app, "bithu")
    meeting = world["meeting"]
    for page in ("opening", "roll-call", "reviews", "ballot", "closing", "committee", "results"):
        response = client.get(f"/meetings/{meeting}/{page}")
        assert response.status_code == 200, page
        assert linked_documents(response, meeting) == SINGLE_BALLOT_DOCUMENTS, page
        assert 'aria-label="Tài liệu của hội nghị"' in response.get_data(as_text=True)
    minutes = client.get(f"/meetings/{meeting}/documents/minutes.pdf")
    assert minutes.status_code == 200 and minutes.data.startswith(b"%PDF")
    assert document_status(client, meeting, "count-minutes") == 200


def test_the_chief_counter_reads_the_vote_count_minutes_other_counters_do_not(app, world):
    meeting = world["meeting"]
    chief, other = signed_in(app, "kp1"), signed_in(app, "kp2")
    assert document_status(chief, meeting, "count-minutes") == 200
    assert document_status(chief, meeting, "minutes") == 403
    assert document_status(other, meeting, "count-minutes") == 403
    assert document_status(other, meeting, "minutes") == 403
    for key in ("ballot-paper", "tally-sheet"):
        assert document_status(chief, meeting, key) == 200
        assert document_status(other, meeting, key) == 200
    # The pages link exactly what each may read.
    assert linked_documents(chief.get(f"/meetings/{meeting}/tally"), meeting) == {
        "count-minutes",
        "ballot-paper",
        "tally-sheet",
    }
    assert linked_documents(other.get(f"/meetings/{meeting}/tally"), meeting) == {"ballot-paper", "tally-sheet"}
    assert linked_documents(other.get(f"/meetings/{meeting}/results"), meeting) == {"ballot-paper", "tally-sheet"}
    # A counter of another cell reaches nothing of this meeting.
    assert document_status(signed_in(app, "kp-khac"), meeting, "count-minutes") == 404


def test_the_ward_reads_every_document_from_the_results(app, world):
    ward = signed_in(app, "danguy")
    meeting = world["meeting"]
    assert linked_documents(ward.get(f"/meetings/{meeting}/results"), meeting) == SINGLE_BALLOT_DOCUMENTS


def enter(client, meeting_id: int, seed_path, **changes: str) -> None:  # type: ignore[no-untyped-def]
    url = f"/meetings/{meeting_id}/tally"
    response = post(client, url, seed_ballot(seed_path) | changes)
    assert response.status_code == 302, text(response)


def test_the_compare_page_links_on_to_the_results_and_the_seal_when_the_entries_agree(app, world, seed_path):
    meeting = world["meeting"]
    secretary = signed_in(app, "bithu")
    url = f"/meetings/{meeting}/tally/compare"
    enter(signed_in(app, "kp1"), meeting, seed_path)
    one = secretary.get(url).get_data(as_text=True)
    assert "data-onward" not in one  # one entry: nothing to agree yet
    kp2 = signed_in(app, "kp2")
    enter(kp2, meeting, seed_path, issued="99")  # a number the first entry does not have
    differ = secretary.get(url).get_data(as_text=True)
    assert "Hai bản nhập khác nhau" in differ and "data-onward" not in differ
    enter(kp2, meeting, seed_path)  # corrected: the two agree
    for client in (secretary, kp2):
        agreed = client.get(url).get_data(as_text=True)
        assert "Hai bản nhập khớp nhau." in agreed and "data-onward" in agreed
        assert f'href="/meetings/{meeting}/results"' in agreed
        assert f'href="/meetings/{meeting}/results#seal"' in agreed
    assert 'id="seal"' in secretary.get(f"/meetings/{meeting}/results").get_data(as_text=True)


def test_the_committee_page_shows_an_outstanding_code_and_revokes_it(app, world):
    meeting = world["meeting"]
    m09 = world["members"]["m09"]  # no account of their own
    secretary = signed_in(app, "bithu")
    committee = f"/meetings/{meeting}/committee"
    before = secretary.get(committee).get_data(as_text=True)
    assert "data-outstanding-code" not in before and "/revoke" not in before
    assert before.count("data-no-login") == 1  # m09: no account, no code
    issued = post(secretary, f"{committee}/code/{m09}", {}, form_url=committee)
    code = CODE.search(issued.get_data(as_text=True)).group(1)
    page = secretary.get(committee).get_data(as_text=True)
    assert code not in page  # shown once, in answer to the POST
    assert page.count("data-outstanding-code") == 1 and "data-no-login" not in page
    with app.app_context():
        record = db.session.scalar(select(CounterCode).where(CounterCode.member_id == m09))
        expires = record.expires_at
    from review.clock import when

    assert f"hết hạn lúc {when(expires, 'minute')}" in page
    revoke = f"{committee}/code/{m09}/revoke"
    assert f'action="{revoke}"' in page
    response = post(secretary, revoke, {}, form_url=committee)
    assert response.status_code == 303
    after = secretary.get(response.headers["Location"])
    shown = plain(after)
    assert "Đã thu hồi mã đăng nhập một lần của đồng chí" in shown
    assert "data-outstanding-code" not in after.get_data(as_text=True)
    with app.app_context():
        record = db.session.scalar(select(CounterCode).where(CounterCode.member_id == m09))
        assert record.revoked_at is not None and record.used_at is None
        audited = db.session.scalars(
            select(AuditEntry).where(AuditEntry.table_name == "counter_code", AuditEntry.action == "update")
        ).all()
        assert any("revoked_at" in (e.after or "") for e in audited)
    # The revoked code opens nothing.
    anonymous = app.test_client()
    refused = post(anonymous, "/code", {"code": code})
    assert refused.status_code == 422
    # Nothing left to revoke: said, nothing saved.
    again = post(secretary, revoke, {}, form_url=committee)
    assert "Không có mã đăng nhập một lần nào đang chờ dùng" in plain(secretary.get(again.headers["Location"]))


def test_the_revoke_form_is_the_secretarys(app, world):
    meeting = world["meeting"]
    m09 = world["members"]["m09"]
    counter = signed_in(app, "kp1")
    token = form_values(counter, f"/meetings/{meeting}/tally")["csrf_token"]
    assert (
        counter.post(f"/meetings/{meeting}/committee/code/{m09}/revoke", data={"csrf_token": token}).status_code == 403
    )
    other = signed_in(app, "bithu2")
    token = form_values(other, f"/cells/{world['other_cell']}/members")["csrf_token"]
    assert other.post(f"/meetings/{meeting}/committee/code/{m09}/revoke", data={"csrf_token": token}).status_code == 404


def participant_id(app, meeting_id: int, member_id: int) -> int:  # type: ignore[no-untyped-def]
    with app.app_context():
        return db.session.scalar(
            select(Participant.id).where(Participant.meeting_id == meeting_id, Participant.member_id == member_id)
        )


def test_a_members_status_is_reached_from_the_roll_call_and_the_review_and_leads_back(app, world):
    meeting = world["meeting"]
    pid = participant_id(app, meeting, world["members"]["m05"])
    secretary = signed_in(app, "bithu")
    flags = f"/meetings/{meeting}/participants/{pid}/flags"
    roll_call = secretary.get(f"/meetings/{meeting}/roll-call").get_data(as_text=True)
    assert f'href="{flags}?back=roll_call"' in roll_call and f'id="p{pid}"' in roll_call
    review = secretary.get(f"/meetings/{meeting}/reviews/{pid}").get_data(as_text=True)
    assert f'href="{flags}?back=review"' in review
    from_roll_call = secretary.get(f"{flags}?back=roll_call").get_data(as_text=True)
    assert f'href="/meetings/{meeting}/roll-call#p{pid}" data-back>Về bước kiểm diện' in from_roll_call
    from_review = secretary.get(f"{flags}?back=review").get_data(as_text=True)
    assert f'href="/meetings/{meeting}/reviews/{pid}" data-back>' in from_review
    default = secretary.get(flags).get_data(as_text=True)
    assert "Về danh sách đảng viên" in default
    # Saving goes back where the secretary came from.
    saved = post(secretary, f"{flags}?back=review", {"sick_leave_months": "2"})
    assert saved.status_code in (302, 303), text(saved)
    assert saved.headers["Location"].endswith(f"/meetings/{meeting}/reviews/{pid}")
    with app.app_context():
        assert db.session.get(Participant, pid).sick_leave_months == 2


def header_who(response) -> str:  # type: ignore[no-untyped-def]
    found = re.search(r'<span class="who">(.*?)</span>', response.get_data(as_text=True))
    assert found, "no header"
    return re.sub(r"<[^>]+>", "", found.group(1))


def test_one_person_one_name(app, world, make_user, seed_path):
    meeting = world["meeting"]
    with app.app_context():
        m06 = db.session.get(Meeting, meeting).cell.members
        chief_name = next(m.name for m in m06 if m.id == world["members"]["m06"])
        kp1 = db.session.scalar(select(User).where(User.username == "kp1"))
        kp1.display_name = "Tên tài khoản khác"
        db.session.commit()
    chief = signed_in(app, "kp1")
    tally = chief.get(f"/meetings/{meeting}/tally")
    assert header_who(tally) == f"{chief_name} · Ban kiểm phiếu"
    enter(chief, meeting, seed_path)
    page = chief.get(f"/meetings/{meeting}/tally").get_data(as_text=True)
    assert f"do đồng chí <bdi>{chief_name}</bdi> nhập" in page
    assert "Tên tài khoản khác" not in page
    # An account with no member: its display name; the administrator's role said once.
    make_user("quantri", "admin", display_name="Quản trị hệ thống")  # type: ignore[arg-type]
    assert header_who(signed_in(app, "quantri").get("/")) == "Quản trị hệ thống"
    assert header_who(signed_in(app, "bithu").get("/")) == "bithu · Bí thư chi bộ"


def test_the_quota_badge_says_it_in_words():
    assert quota_badge(2, 1) == "Vượt tỉ lệ: 2 đề nghị HTXSNV, tối đa 1"
    assert quota_badge(1, 1) == "Trong tỉ lệ: 1 đề nghị HTXSNV, tối đa 1"
