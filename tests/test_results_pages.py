"""The results pages: results by the rules core, sealing by two approvals, reopening, papers, the year's rules."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from sqlalchemy import func, select

from review import counting
from review.extensions import db
from review.models import Cell, Meeting, Member, Participant, ReviewYear, SealApproval, User
from review.rules import FLAG_LABELS, NOT_RATED_LABELS, BallotCount, NotRatedReason, Votes

from helpers import DATA, csrf_token, signed_in

FINGERPRINT = re.compile(r'name="fingerprint" type="hidden" value="([0-9a-f]{64})"')
CANDIDATE = re.compile(r"data-candidate-fingerprint>([0-9a-f]{64})<")
SEALED_FINGERPRINT = re.compile(r"data-fingerprint>([0-9a-f]{64})<")
ERROR = re.compile(r'<p class="error" id="([a-z_]+)-error">([^<]*)</p>')
ALERT = re.compile(r'<p class="error" role="alert">([^<]*)</p>')


# ---------------------------------------------------------------------------
# Set-up helpers


def post(client, url: str, data: dict[str, str], page: str | None = None):  # type: ignore[no-untyped-def]
    """Post a form with the CSRF token of the page at ``page`` (default: ``url``)."""
    return client.post(url, data={"csrf_token": csrf_token(client, page or url)} | data)


def write_copy(seed_path: Path, tmp_path: Path, name: str, change) -> Path:  # type: ignore[no-untyped-def]
    """Write a changed copy of the seed meeting file."""
    document = json.loads(seed_path.read_text(encoding="utf-8"))
    change(document)
    path = tmp_path / name
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return path


def import_file(runner, path: Path) -> int:  # type: ignore[no-untyped-def]
    result = runner.invoke(args=["meeting", "import", str(path)])
    assert result.exit_code == 0, result.output
    return int(result.output.strip().splitlines()[-1])


def seed_ballot(seed_path: Path) -> BallotCount:
    """Return the seed's counted ballot as the rules core counts it."""
    ballot = json.loads(seed_path.read_text(encoding="utf-8"))["ballot"]
    return BallotCount(
        ballot["issued"],
        ballot["returned"],
        ballot["invalid"],
        {key: Votes(**row) for key, row in ballot["rows"].items()},
        ballot["invalid_reasons"],
    )


def member_id(cell_id: int, code: str) -> int:
    return db.session.scalar(select(Member.id).where(Member.cell_id == cell_id, Member.code == code))


def make_counter(app, make_user, username: str, cell_id: int, code: str) -> int:  # type: ignore[no-untyped-def]
    """Create a counter account for the member ``code`` of the cell."""
    user_id = make_user(username, "counter", cell_id=cell_id)
    with app.app_context():
        db.session.get(User, user_id).member_id = member_id(cell_id, code)
        db.session.commit()
    return user_id


def count(app, meeting_id: int, entries: list[tuple[int, BallotCount]]) -> None:  # type: ignore[no-untyped-def]
    """Set the committee (m06 chief, m07, m08) and store each counter's entry."""
    with app.app_context():
        meeting = db.session.get(Meeting, meeting_id)
        ids = [member_id(meeting.cell_id, code) for code in ("m06", "m07", "m08")]
        counting.set_committee(meeting, ids, ids[0])
        db.session.flush()
        for user_id, ballot in entries:
            user = db.session.get(User, user_id)
            counting.save_entry(meeting, counting.claim_entry(meeting, user), ballot)
            db.session.flush()
        db.session.commit()


@pytest.fixture
def people(app, make_user):  # type: ignore[no-untyped-def]
    """Return a function making the accounts of a cell: secretary, ward, chief counter m06, counter m07."""

    def make(cell_id: int) -> dict[str, int]:
        with app.app_context():
            organization_id = db.session.get(Cell, cell_id).organization_id
        return {
            "bithu": make_user("bithu", "secretary", cell_id=cell_id, display_name="Nguyễn Thị Ngọc Hân"),
            "danguy": make_user("danguy", "ward", organization_id=organization_id),
            "truongban": make_counter(app, make_user, "truongban", cell_id, "m06"),
            "kiemphieu": make_counter(app, make_user, "kiemphieu", cell_id, "m07"),
            "organization_id": organization_id,
            "cell_id": cell_id,
        }

    return make


@pytest.fixture
def sealed_seed(app, runner, seed_path, people):  # type: ignore[no-untyped-def]
    """Import the seed (sealed by import, version 1) with its cell's accounts."""
    meeting_id = import_file(runner, seed_path)
    with app.app_context():
        cell_id = db.session.get(Meeting, meeting_id).cell_id
    return {"meeting_id": meeting_id} | people(cell_id)


@pytest.fixture
def unsealed(app, runner, seed_path, tmp_path, people):  # type: ignore[no-untyped-def]
    """Import the seed without its ballot: a meeting still to count, with its cell's accounts."""
    path = write_copy(seed_path, tmp_path, "unsealed.json", lambda d: d.pop("ballot"))
    meeting_id = import_file(runner, path)
    with app.app_context():
        cell_id = db.session.get(Meeting, meeting_id).cell_id
    return {"meeting_id": meeting_id, "ballot": seed_ballot(seed_path)} | people(cell_id)


def agreed(app, unsealed) -> None:  # type: ignore[no-untyped-def]
    """Store two equal entries of the seed's ballot."""
    ballot = unsealed["ballot"]
    count(app, unsealed["meeting_id"], [(unsealed["truongban"], ballot), (unsealed["kiemphieu"], ballot)])


def approve(client, meeting_id: int):  # type: ignore[no-untyped-def]
    """Approve the seal with the fingerprint the results page shows."""
    page = client.get(f"/meetings/{meeting_id}/results").get_data(as_text=True)
    shown = FINGERPRINT.search(page)
    assert shown, "no approval form on the results page"
    return post(
        client,
        f"/meetings/{meeting_id}/results/approve",
        {"fingerprint": shown.group(1)},
        page=f"/meetings/{meeting_id}/results",
    )


def seal_by_both(app, meeting_id: int) -> None:  # type: ignore[no-untyped-def]
    assert approve(signed_in(app, "truongban"), meeting_id).status_code == 302
    assert approve(signed_in(app, "bithu"), meeting_id).status_code == 302


def row(page: str, key: str) -> str:
    """Return the HTML of one row of the results table."""
    match = re.search(rf'<tr id="member-{key}".*?</tr>', page, re.S)
    assert match, key
    return match.group(0)


# ---------------------------------------------------------------------------
# The results page


def test_sealed_seed_shows_every_member_the_quota_the_rules_and_the_seal(app, sealed_seed):
    client = signed_in(app, "bithu")
    response = client.get(f"/meetings/{sealed_seed['meeting_id']}/results")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    expected = json.loads((DATA / "thuong-thanh-2020.results.json").read_text(encoding="utf-8"))
    assert 'data-result-source="sealed"' in page and "tạm tính" not in page
    assert 'data-summary="base">10<' in page and 'data-summary="voters_present">10<' in page
    assert 'data-summary="quorum_required">7<' in page and "Đủ số lượng" in page
    with app.app_context():
        names = dict(db.session.execute(select(Member.code, Member.name)).all())
    for member in expected["members"]:
        html = row(page, member["id"])
        assert names[member["id"]] in html
        assert f'data-vote-level="{member["vote_level"]}"' in html
        assert f'data-proposed-level="{member["proposed_level"]}"' in html
        label = "Hoàn thành xuất sắc nhiệm vụ" if member["id"] in ("m03", "m04") else "Hoàn thành tốt nhiệm vụ"
        assert f"<strong>{label}</strong>" in html
    # Votes per level from the ballot row, each cell labelled with its level (a card line on a phone).
    assert (
        '<td class="num" data-label="Hoàn thành xuất sắc nhiệm vụ">8</td>'
        '<td class="num" data-label="Hoàn thành tốt nhiệm vụ">2</td>'
    ) in row(page, "m03")
    assert 'data-proposed-level="excellent"' in row(page, "cell")
    assert (
        '<tr data-summary-level="excellent"><th scope="row">Hoàn thành xuất sắc nhiệm vụ</th><td class="num">2</td>'
        in page
    )
    assert '<tr data-summary-level="good"><th scope="row">Hoàn thành tốt nhiệm vụ</th><td class="num">8</td>' in page
    # The quota: pool 8 members proposed good, limit 1, 2 excellent: over.
    assert 'data-quota-pool="8" data-quota-limit="1" data-quota-excellent="2" data-quota-exceeded="true"' in page
    assert "Tỉ lệ xuất sắc: cơ sở tính <strong>8</strong> (số đảng viên được đề nghị Hoàn thành tốt nhiệm vụ)" in page
    assert "vượt giới hạn" in page
    # The rules applied.
    assert re.search(
        r'data-rule="profile">hd21-2019 \(năm 2019–2022\): [^<]*132-QĐ/TW \(2018\), [^<]*21-HD/BTCTW \(2019\)<', page
    )
    assert 'data-rule="quorum">2/3 số thành viên<' in page
    assert 'data-rule="excellent_threshold">quá nửa (1/2)' in page
    assert 'data-rule="cumulative">Có' in page
    assert 'data-rule="ballot_mode">Bỏ phiếu một lần<' in page
    assert 'data-rule="quota">1/5 số đảng viên được đề nghị Hoàn thành tốt nhiệm vụ' in page
    assert 'data-rule="sick_leave_cap">Nghỉ ốm từ 3 tháng trở lên' in page
    assert 'data-rule="new_members">Được kiểm điểm nhưng không xếp loại<' in page
    # The seal: version 1 by import, its full fingerprint.
    with app.app_context():
        seal = db.session.get(Meeting, sealed_seed["meeting_id"]).current_seal
        stored = seal.fingerprint
    assert "Đã niêm phong – phiên bản 1" in page and "nhập từ tệp" in page
    assert SEALED_FINGERPRINT.search(page).group(1) == stored
    assert "Cảnh báo: dữ liệu hiện lưu không còn khớp" not in page
    # The secretary may reopen, not approve; and may print the papers.
    assert 'action="/meetings/{}/results/reopen"'.format(sealed_seed["meeting_id"]) in page
    assert "xác nhận niêm phong</button>" not in page
    assert "ballot-paper.pdf" in page and "tally-sheet.pdf" in page


def test_who_reads_the_results_page(app, runner, seed_path, tmp_path, make_user, sealed_seed):
    url = f"/meetings/{sealed_seed['meeting_id']}/results"
    ward = signed_in(app, "danguy").get(url)
    assert ward.status_code == 200
    page = ward.get_data(as_text=True)
    assert "Đã niêm phong – phiên bản 1" in page and "Mở niêm phong</button>" not in page
    # No papers to print (the counting section), but every document linked with the meeting's.
    assert "<h2>In phiếu</h2>" not in page and 'class="steps"' not in page
    assert f"/meetings/{sealed_seed['meeting_id']}/documents/minutes.pdf" in page
    assert f"/organizations/{sealed_seed['organization_id']}/rules/2020" in page
    counter = signed_in(app, "kiemphieu").get(url)
    assert counter.status_code == 200 and "Mở niêm phong</button>" not in counter.get_data(as_text=True)
    chief = signed_in(app, "truongban").get(url).get_data(as_text=True)
    assert "Mở niêm phong</button>" in chief and 'class="steps"' not in chief
    # A counter of the cell who is not on this meeting's committee, another cell, another organisation.
    make_counter(app, make_user, "khac", sealed_seed["cell_id"], "m01")
    assert signed_in(app, "khac").get(url).status_code == 404
    other_cell = import_file(
        runner,
        write_copy(
            seed_path, tmp_path, "cell2.json", lambda d: d["organization"].update(cell="Chi bộ Khu dân cư số 2")
        ),
    )
    other_org = import_file(
        runner,
        write_copy(
            seed_path,
            tmp_path,
            "org2.json",
            lambda d: d["organization"].update(
                parent="Đảng bộ phường Giang Biên", place="Giang Biên", cell="Chi bộ Khu dân cư số 5"
            ),
        ),
    )
    with app.app_context():
        cell2 = db.session.get(Meeting, other_cell).cell_id
        org2 = db.session.get(Meeting, other_org).cell.organization_id
    make_user("bithu2", "secretary", cell_id=cell2)
    make_user("danguy2", "ward", organization_id=org2)
    assert signed_in(app, "bithu2").get(url).status_code == 404
    assert signed_in(app, "danguy2").get(url).status_code == 404
    assert signed_in(app, "danguy").get(f"/meetings/{other_org}/results").status_code == 404
    assert signed_in(app, "danguy").get(f"/meetings/{other_cell}/results").status_code == 200  # same ward
    assert signed_in(app, "bithu").get("/meetings/999/results").status_code == 404
    anonymous = app.test_client().get(url)
    assert anonymous.status_code == 302 and "/auth/login" in anonymous.headers["Location"]


def test_before_any_entry_the_page_says_there_is_no_result_yet(app, unsealed):
    page = signed_in(app, "bithu").get(f"/meetings/{unsealed['meeting_id']}/results").get_data(as_text=True)
    assert 'data-result-source="none"' in page and "Chưa niêm phong." in page
    assert "Chưa chọn ban kiểm phiếu." in page
    assert 'data-summary="base">10<' in page and "data-candidate-fingerprint" not in page


def test_provisional_results_and_blockers_while_the_entries_differ(app, unsealed):
    ballot = unsealed["ballot"]
    typo = BallotCount(
        ballot.issued,
        ballot.returned,
        ballot.invalid,
        dict(ballot.rows) | {"m05": Votes(excellent=1, good=8, blank=1)},
        ballot.invalid_reasons,
    )
    count(app, unsealed["meeting_id"], [(unsealed["truongban"], ballot), (unsealed["kiemphieu"], typo)])
    page = signed_in(app, "truongban").get(f"/meetings/{unsealed['meeting_id']}/results").get_data(as_text=True)
    assert "Kết quả tạm tính (chưa niêm phong)" in page and 'data-result-source="provisional"' in page
    assert 'data-proposed-level="excellent"' in row(page, "m03")  # from the first entry
    assert "<li data-blocker>Hai bản nhập còn khác nhau ở 2 chỗ.</li>" in page
    assert "data-candidate-fingerprint" not in page and "xác nhận niêm phong</button>" not in page
    assert approve_refused(app, unsealed)


def approve_refused(app, unsealed) -> bool:  # type: ignore[no-untyped-def]
    """Post an approval anyway: refused with the blockers, nothing stored."""
    client = signed_in(app, "truongban")
    url = f"/meetings/{unsealed['meeting_id']}/results"
    response = post(client, url + "/approve", {"fingerprint": "0" * 64}, page=url)
    with app.app_context():
        stored = db.session.scalar(select(func.count(SealApproval.id)))
    return (
        response.status_code == 422 and "Hai bản nhập còn khác nhau" in response.get_data(as_text=True) and stored == 0
    )


def test_both_approvals_seal_version_1_with_the_entry_as_final_tally(app, unsealed):
    agreed(app, unsealed)
    meeting_id = unsealed["meeting_id"]
    chief = signed_in(app, "truongban")
    page = chief.get(f"/meetings/{meeting_id}/results").get_data(as_text=True)
    candidate = CANDIDATE.search(page).group(1)
    assert "Trưởng ban kiểm phiếu xác nhận niêm phong</button>" in page and "Bí thư xác nhận" not in page
    response = approve(chief, meeting_id)
    assert response.status_code == 302
    with app.app_context():
        meeting = db.session.get(Meeting, meeting_id)
        assert not meeting.sealed and [(a.role, a.fingerprint) for a in meeting.seal_approvals] == [
            ("chief", candidate)
        ]
    page = chief.get(f"/meetings/{meeting_id}/results").get_data(as_text=True)
    assert (
        'data-approval="chief" data-approved="true"' in page
        and 'data-approval="secretary" data-approved="false"' in page
    )
    assert "xác nhận niêm phong</button>" not in page  # already approved this very data

    secretary = signed_in(app, "bithu")
    page = secretary.get(f"/meetings/{meeting_id}/results").get_data(as_text=True)
    assert "Bí thư xác nhận niêm phong</button>" in page and 'data-approval="chief" data-approved="true"' in page
    response = approve(secretary, meeting_id)
    assert response.status_code == 302
    with app.app_context():
        meeting = db.session.get(Meeting, meeting_id)
        assert meeting.sealed and [s.version for s in meeting.seals] == [1]
        seal = meeting.current_seal
        assert seal.fingerprint == candidate
        assert (seal.chief_id, seal.secretary_id) == (unsealed["truongban"], unsealed["bithu"])
        assert counting.ballot_of(meeting.tally("final")) == counting.ballot_of(meeting.tally("first"))
        assert counting.ballot_of(meeting.tally("final")) == unsealed["ballot"]
    page = secretary.get(f"/meetings/{meeting_id}/results").get_data(as_text=True)
    assert "Đã niêm phong kết quả kiểm phiếu – phiên bản 1." in page  # the flash
    assert "Đã niêm phong – phiên bản 1" in page and 'data-result-source="sealed"' in page
    assert SEALED_FINGERPRINT.search(page).group(1) == candidate
    assert "Cảnh báo: dữ liệu hiện lưu không còn khớp" not in page
    late = post(
        chief,
        f"/meetings/{meeting_id}/results/approve",
        {"fingerprint": candidate},
        page=f"/meetings/{meeting_id}/results",
    )
    assert late.status_code == 422 and "đã niêm phong" in " ".join(ALERT.findall(late.get_data(as_text=True)))
    # One person, one name: the chief counter by the member their account is linked to (m06).
    assert "Trưởng ban kiểm phiếu <bdi>Đỗ Thị Thanh Thủy</bdi>; Bí thư <bdi>Nguyễn Thị Ngọc Hân</bdi>" in page


def test_an_approval_of_stale_numbers_is_refused(app, unsealed):
    agreed(app, unsealed)
    meeting_id = unsealed["meeting_id"]
    chief = signed_in(app, "truongban")
    url = f"/meetings/{meeting_id}/results"
    seen = CANDIDATE.search(chief.get(url).get_data(as_text=True)).group(1)
    with app.app_context():  # something sealed changes after the chief looked (the location would not: SPEC 5.7a)
        db.session.get(Meeting, meeting_id).participants[0].name = "Nguyễn Thị Ngọc Hân (sửa)"
        db.session.commit()
    response = post(chief, url + "/approve", {"fingerprint": seen}, page=url)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Số liệu vừa thay đổi: xem lại kết quả rồi xác nhận lần nữa." in ALERT.findall(page)
    now = FINGERPRINT.search(page).group(1)
    assert now != seen and CANDIDATE.search(page).group(1) == now  # the form now carries what is shown
    with app.app_context():
        assert db.session.scalar(select(func.count(SealApproval.id))) == 0
        assert not db.session.get(Meeting, meeting_id).sealed
    assert approve(chief, meeting_id).status_code == 302  # approving what is shown now works


def test_only_the_chief_and_the_secretary_approve(app, unsealed):
    agreed(app, unsealed)
    url = f"/meetings/{unsealed['meeting_id']}/results"
    counter = signed_in(app, "kiemphieu")
    page = counter.get(url).get_data(as_text=True)
    candidate = CANDIDATE.search(page).group(1)
    assert "xác nhận niêm phong</button>" not in page
    assert post(counter, url + "/approve", {"fingerprint": candidate}, page=url).status_code == 403
    ward = signed_in(app, "danguy")
    assert "xác nhận niêm phong</button>" not in ward.get(url).get_data(as_text=True)
    assert post(ward, url + "/approve", {"fingerprint": candidate}, page=url).status_code == 403
    assert app.test_client().post(url + "/approve", data={"fingerprint": candidate}).status_code == 400  # no CSRF
    with app.app_context():
        assert db.session.scalar(select(func.count(SealApproval.id))) == 0


def test_reopen_needs_a_reason_keeps_version_1_and_sealing_again_makes_version_2(app, unsealed):
    agreed(app, unsealed)
    meeting_id = unsealed["meeting_id"]
    seal_by_both(app, meeting_id)
    url = f"/meetings/{meeting_id}/results"
    secretary = signed_in(app, "bithu")
    for reason, message in [("", "Ghi rõ lý do mở niêm phong."), ("  sửa  ", "ít nhất 10 ký tự")]:
        response = post(secretary, url + "/reopen", {"reason": reason}, page=url)
        assert response.status_code == 422
        errors = dict(ERROR.findall(response.get_data(as_text=True)))
        assert message in errors["reason"]
        with app.app_context():
            meeting = db.session.get(Meeting, meeting_id)
            assert meeting.sealed and meeting.current_seal.reopen_reason is None
    assert (
        post(
            signed_in(app, "kiemphieu"), url + "/reopen", {"reason": "Lý do đủ dài nhưng không có quyền"}, page=url
        ).status_code
        == 403
    )
    assert (
        post(
            signed_in(app, "danguy"), url + "/reopen", {"reason": "Lý do đủ dài nhưng không có quyền"}, page=url
        ).status_code
        == 403
    )

    reason = "Ban kiểm phiếu cộng nhầm phiếu của đồng chí Nguyệt"
    assert post(secretary, url + "/reopen", {"reason": reason}, page=url).status_code == 302
    with app.app_context():
        meeting = db.session.get(Meeting, meeting_id)
        assert not meeting.sealed and meeting.tally("final") is None
        first = meeting.seals[0]
        assert (first.version, first.reopen_reason, first.reopened_by_id) == (1, reason, unsealed["bithu"])
    again = post(secretary, url + "/reopen", {"reason": reason}, page=url)
    assert again.status_code == 422 and "Kết quả chưa niêm phong." in ALERT.findall(again.get_data(as_text=True))
    page = secretary.get(url).get_data(as_text=True)
    assert "Chưa niêm phong." in page and "Kết quả tạm tính (chưa niêm phong)" in page
    assert 'data-history-version="1"' in page and f"<q data-reopen-reason>{reason}</q>" in page

    seal_by_both(app, meeting_id)
    with app.app_context():
        meeting = db.session.get(Meeting, meeting_id)
        assert meeting.sealed and [s.version for s in meeting.seals] == [1, 2]
        assert meeting.seals[0].reopen_reason == reason and meeting.current_seal.version == 2
    page = secretary.get(url).get_data(as_text=True)
    assert "Đã niêm phong – phiên bản 2" in page and f"<q data-reopen-reason>{reason}</q>" in page
    # The chief counter may reopen too.
    chief = signed_in(app, "truongban")
    assert (
        post(chief, url + "/reopen", {"reason": "Trưởng ban phát hiện sai sót khi đối chiếu"}, page=url).status_code
        == 302
    )
    with app.app_context():
        assert not db.session.get(Meeting, meeting_id).sealed


def test_flags_and_not_rated_members_in_plain_vietnamese(app, unsealed):
    meeting_id = unsealed["meeting_id"]
    with app.app_context():
        by_code = {
            p.member.code: p
            for p in db.session.scalars(select(Participant).where(Participant.meeting_id == meeting_id))
        }
        by_code["m05"].disciplined_in_year = True
        by_code["m03"].sick_leave_months = 4
        by_code["m10"].exempt = True
        db.session.commit()
    ballot = unsealed["ballot"]
    rows = {k: v for k, v in ballot.rows.items() if k != "m10"}  # an exempt member has no ballot row
    entry = BallotCount(ballot.issued, ballot.returned, ballot.invalid, rows, ballot.invalid_reasons)
    count(app, meeting_id, [(unsealed["truongban"], entry), (unsealed["kiemphieu"], entry)])
    page = signed_in(app, "bithu").get(f"/meetings/{meeting_id}/results").get_data(as_text=True)
    m05 = row(page, "m05")
    assert 'data-vote-level="good" data-proposed-level="not_completed"' in m05
    assert f"<li data-flag>{FLAG_LABELS['disciplined']}</li>" in m05
    m03 = row(page, "m03")
    assert 'data-vote-level="excellent" data-proposed-level="completed"' in m03
    assert f"<li data-flag>{FLAG_LABELS['sick_leave_cap']}</li>" in m03
    assert f"<li data-flag>{FLAG_LABELS['member_not_completed']}</li>" in row(page, "cell")
    assert f'<li class="badge warn" data-cell-flag>{FLAG_LABELS["member_not_completed"]}</li>' in page
    assert 'id="member-m10"' not in page
    assert (
        f'<li data-not-rated="m10"><bdi>Phạm Thị Xuân Mai</bdi>: {NOT_RATED_LABELS[NotRatedReason.EXEMPT]}</li>' in page
    )
    assert 'data-quota-pool="6" data-quota-limit="1" data-quota-excellent="1" data-quota-exceeded="false"' in page
    assert "trong giới hạn" in page


def test_inconsistent_entry_is_named_by_row(app, unsealed):
    ballot = unsealed["ballot"]
    wrong = BallotCount(
        ballot.issued, ballot.returned, ballot.invalid, dict(ballot.rows) | {"m02": Votes(excellent=2, good=9)}, ""
    )
    count(app, unsealed["meeting_id"], [(unsealed["truongban"], wrong), (unsealed["kiemphieu"], wrong)])
    page = signed_in(app, "bithu").get(f"/meetings/{unsealed['meeting_id']}/results").get_data(as_text=True)
    assert "Dòng đồng chí Lê Thị Thu Hương: Tổng các ô 2 + 9 + 0 + 0 + 0 = 11, khác số phiếu hợp lệ 10." in page
    assert "<li data-blocker>Số liệu chưa khớp: 1 lỗi kiểm tra.</li>" in page


# ---------------------------------------------------------------------------
# Ballot papers


def test_ballot_paper_and_tally_sheet_pdfs(app, runner, seed_path, tmp_path, make_user, sealed_seed):
    meeting_id = sealed_seed["meeting_id"]
    for username in ("bithu", "truongban"):
        client = signed_in(app, username)
        for path, stem in (
            ("documents/ballot-paper.pdf", "phieu-xep-loai"),
            ("documents/tally-sheet.pdf", "bang-kiem-phieu"),
        ):
            response = client.get(f"/meetings/{meeting_id}/{path}")
            assert response.status_code == 200, (username, path)
            assert response.headers["Content-Type"] == "application/pdf"
            assert response.data.startswith(b"%PDF")
            disposition = response.headers["Content-Disposition"]
            assert disposition.isascii() and disposition.startswith(f'inline; filename="{stem}-2020')
            assert disposition.endswith(".pdf") and "filename*=UTF-8''" in disposition
    # One URL a document: the ward reads the ballot paper where the secretary prints it.
    assert signed_in(app, "danguy").get(f"/meetings/{meeting_id}/documents/ballot-paper.pdf").status_code == 200
    assert signed_in(app, "danguy").get(f"/meetings/{meeting_id}/ballot-paper.pdf").status_code == 404
    assert signed_in(app, "bithu").get(f"/meetings/{meeting_id}/tally-sheet.pdf").status_code == 404
    other = import_file(
        runner,
        write_copy(
            seed_path, tmp_path, "cell2.json", lambda d: d["organization"].update(cell="Chi bộ Khu dân cư số 2")
        ),
    )
    with app.app_context():
        make_user("bithu2", "secretary", cell_id=db.session.get(Meeting, other).cell_id)
    other_secretary = signed_in(app, "bithu2")
    assert other_secretary.get(f"/meetings/{meeting_id}/documents/ballot-paper.pdf").status_code == 404
    assert other_secretary.get(f"/meetings/{meeting_id}/documents/tally-sheet.pdf").status_code == 404
    assert signed_in(app, "bithu").get(f"/meetings/{other}/documents/tally-sheet.pdf").status_code == 404
    anonymous = app.test_client().get(f"/meetings/{meeting_id}/documents/ballot-paper.pdf")
    assert anonymous.status_code == 302 and "/auth/login" in anonymous.headers["Location"]


# ---------------------------------------------------------------------------
# The ward committee's rules for a year


def rules_data(**changes: str) -> dict[str, str]:
    data = {
        "profile": "hd21-2019",
        "quorum": "",
        "excellent_threshold": "",
        "cumulative": "",
        "ballot_mode": "",
        "quota_ratio": "",
        "quota_pool": "",
    }
    return data | changes


def stored_rules(app, organization_id: int, year: int) -> tuple | None:  # type: ignore[no-untyped-def]
    with app.app_context():
        review_year = db.session.scalar(
            select(ReviewYear).where(ReviewYear.organization_id == organization_id, ReviewYear.year == year)
        )
        return None if review_year is None else (review_year.profile, review_year.overrides())


def test_ward_sets_overrides_and_the_results_page_follows(app, unsealed):
    agreed(app, unsealed)
    organization_id = unsealed["organization_id"]
    url = f"/organizations/{organization_id}/rules/2020"
    ward = signed_in(app, "danguy")
    page = ward.get(url).get_data(as_text=True)
    assert '<option selected value="hd21-2019">' in page
    assert "hd43-2025 · năm từ 2025 · Quy định 366-QĐ/TW (2025), Hướng dẫn 43-HD/BTCTW (2025)" in page
    response = post(ward, url, rules_data(excellent_threshold=" 4/6 ", quota_pool="good_or_above", cumulative="yes"))
    assert response.status_code == 302
    assert stored_rules(app, organization_id, 2020) == (
        "hd21-2019",
        {"excellent_threshold": "2/3", "cumulative": True, "quota_pool": "good_or_above"},
    )
    page = ward.get(url).get_data(as_text=True)
    assert 'id="excellent_threshold" maxlength="16" name="excellent_threshold" type="text" value="2/3"' in page
    assert '<option selected value="good_or_above">' in page and '<option selected value="yes">' in page
    results = signed_in(app, "bithu").get(f"/meetings/{unsealed['meeting_id']}/results").get_data(as_text=True)
    assert 'data-rule="excellent_threshold">từ 2/3 số thành viên trở lên' in results
    assert 'data-rule="quota">1/5 số đảng viên được đề nghị Hoàn thành tốt nhiệm vụ trở lên' in results
    assert 'data-quota-pool="10" data-quota-limit="2" data-quota-excellent="2" data-quota-exceeded="false"' in results
    index = ward.get(f"/organizations/{organization_id}/rules").get_data(as_text=True)
    assert '<tr data-year="2020">' in index and "Ngưỡng phiếu Hoàn thành xuất sắc nhiệm vụ: 2/3" in index
    # Back to the profile's own values.
    assert post(ward, url, rules_data()).status_code == 302
    assert stored_rules(app, organization_id, 2020) == ("hd21-2019", {})


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"excellent_threshold": "3/2"}, "excellent_threshold", "Tỉ lệ 3/2 không hợp lệ"),
        ({"quorum": "abc"}, "quorum", 'Cần một tỉ lệ dạng "2/3"'),
        ({"quota_ratio": "1/4"}, "quota_ratio", "không quá 1/5"),
        ({"agree_cap": "quota"}, "agree_cap", "Giới hạn phiếu đồng ý chỉ áp dụng khi bỏ phiếu hai vòng"),
        ({"profile": "hd43-2025"}, "profile", "không dùng cho năm 2020"),
        ({"profile": "hd99"}, "profile", "Lựa chọn không hợp lệ."),
    ],
)
def test_bad_rules_are_refused_next_to_the_field_and_nothing_is_saved(app, unsealed, changes, field, message):
    organization_id = unsealed["organization_id"]
    before = stored_rules(app, organization_id, 2020)
    url = f"/organizations/{organization_id}/rules/2020"
    response = post(signed_in(app, "danguy"), url, rules_data(**changes))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    errors = dict(ERROR.findall(page))
    assert field in errors and message.replace('"', "&#34;") in errors[field], errors
    for name, value in changes.items():
        if name in ("quorum", "excellent_threshold", "quota_ratio"):
            assert f'value="{value}"' in page  # what was typed is kept
    assert stored_rules(app, organization_id, 2020) == before


def test_a_year_with_a_sealed_meeting_keeps_its_rules(app, sealed_seed):
    organization_id = sealed_seed["organization_id"]
    url = f"/organizations/{organization_id}/rules/2020"
    ward = signed_in(app, "danguy")
    page = ward.get(url).get_data(as_text=True)
    assert "data-refusal" in page and "đã niêm phong" in page and "Lưu quy định năm 2020</button>" not in page
    response = post(ward, url, rules_data(excellent_threshold="2/3"))
    assert response.status_code == 422
    assert any("đã niêm phong" in e for e in ALERT.findall(response.get_data(as_text=True)))
    assert stored_rules(app, organization_id, 2020) == ("hd21-2019", {})


def test_a_new_year_is_created_and_the_index_picks_years(app, make_user, sealed_seed):
    organization_id = sealed_seed["organization_id"]
    ward = signed_in(app, "danguy")
    index = f"/organizations/{organization_id}/rules"
    picked = ward.get(index + "?year=2025")
    assert picked.status_code == 302 and picked.headers["Location"].endswith(f"{index}/2025")
    bad = ward.get(index + "?year=abc")
    assert bad.status_code == 422 and "Cần một số nguyên." in bad.get_data(as_text=True)
    assert ward.get(index + "?year=2017").status_code == 422
    page = ward.get(f"{index}/2025").get_data(as_text=True)
    assert '<option selected value="hd43-2025">' in page and "chưa có quy định riêng" in page
    assert post(ward, f"{index}/2025", rules_data(profile="hd43-2025", quota_ratio="1/4")).status_code == 302
    assert stored_rules(app, organization_id, 2025) == ("hd43-2025", {"quota_ratio": "1/4"})
    listing = ward.get(index).get_data(as_text=True)
    assert '<tr data-year="2025">' in listing and '<tr data-year="2020">' in listing
    assert "1 đã niêm phong" in listing
    make_user("quantri", "admin")
    assert signed_in(app, "quantri").get(f"{index}/2025").status_code == 200


def test_who_may_set_the_rules(app, runner, seed_path, tmp_path, make_user, sealed_seed):
    organization_id = sealed_seed["organization_id"]
    other = import_file(
        runner,
        write_copy(
            seed_path,
            tmp_path,
            "org2.json",
            lambda d: d["organization"].update(parent="Đảng bộ phường Giang Biên", place="Giang Biên"),
        ),
    )
    with app.app_context():
        make_user("danguy2", "ward", organization_id=db.session.get(Meeting, other).cell.organization_id)
    for url in (f"/organizations/{organization_id}/rules", f"/organizations/{organization_id}/rules/2021"):
        assert signed_in(app, "danguy2").get(url).status_code == 404
        # Their own organisation's rules are no page of a secretary or counter: 404, as any other's.
        assert signed_in(app, "bithu").get(url).status_code == 404
        assert signed_in(app, "truongban").get(url).status_code == 404
        anonymous = app.test_client().get(url)
        assert anonymous.status_code == 302 and "/auth/login" in anonymous.headers["Location"]
    assert signed_in(app, "danguy").get("/organizations/999/rules").status_code == 404
    url = f"/organizations/{organization_id}/rules/2021"
    ward = signed_in(app, "danguy")
    assert ward.post(url, data=rules_data()).status_code == 400  # no CSRF token
    secretary = signed_in(app, "bithu")
    assert secretary.post(url, data={"csrf_token": csrf_token(secretary, "/")} | rules_data()).status_code == 404
    assert stored_rules(app, organization_id, 2021) is None
