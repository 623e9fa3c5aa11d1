"""The year after the committee's decision: previous levels, the two-years flag, the member's history (SPEC 9)."""

from __future__ import annotations

import html
import re
from datetime import date
from pathlib import Path

from sqlalchemy import select

from review import decisions
from review.database import write_transaction
from review.decision_rules import Issue, SignerTitle
from review.extensions import db
from review.meeting_edits import start_meeting
from review.meeting_store import meeting_file
from review.models import Cell, DecisionSeal, Meeting, Member, Organization, Participant
from review.rules import FLAG_TWO_YEARS, Level, Votes, member_result

from helpers import SECOND_CELL_FILE, form_values, sign_out

WARD = Path(__file__).resolve().parent / "data" / "ward-thuong-thanh-2020"
SEED_CELL = "Chi bộ Trường Mầm non Thượng Thanh"
LOWERED = "m05"  # proposed good by the seed; the committee decides not_completed
REASON = "Vi phạm quy định sinh hoạt, đảng ủy xem xét"


def issue_2020(app, runner, seed_path: Path) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """Import the two example cells, lower the seed cell and one member, issue 2020's decision."""
    for path in (seed_path, SECOND_CELL_FILE):
        assert runner.invoke(args=["meeting", "import", str(path)]).exit_code == 0
    with app.app_context():
        organization = db.session.scalar(select(Organization))
        cell = db.session.scalar(select(Cell).where(Cell.name == SEED_CELL))
        member = db.session.scalar(select(Member).where(Member.cell_id == cell.id, Member.code == LOWERED))
        assert organization is not None and cell is not None and member is not None
        with write_transaction():
            decisions.choose_cell_level(organization, 2020, cell.id, Level.GOOD, "Tỉ lệ chi bộ đã đủ", "0", None)
            decisions.choose_member_level(organization, 2020, member.id, Level.NOT_COMPLETED, REASON, "0", None)
        with write_transaction():
            version = str(decisions.decision_of(organization.id, 2020).version)  # type: ignore[union-attr]
            header = Issue("15-QĐ/ĐU", date(2021, 1, 15), "Thượng Thanh", "Nguyễn Văn Bình", SignerTitle.SECRETARY)
            seal = decisions.issue(organization, 2020, header, None, version)
        return {"organization": organization.id, "cell": cell.id, "member": member.id, "seal": seal.id}


def start_2021(app, cell_id: int) -> int:  # type: ignore[no-untyped-def]
    with app.app_context(), write_transaction():
        meeting = start_meeting(db.session.get(Cell, cell_id), 2021)
        return meeting.id


def test_next_years_meeting_carries_the_decided_levels_and_their_source(app, runner, seed_path):
    ids = issue_2020(app, runner, seed_path)
    meeting_id = start_2021(app, ids["cell"])
    with app.app_context():
        seal = db.session.get(DecisionSeal, ids["seal"])
        decided = {
            m["id"]: m["level"]
            for c in decisions.issued_payload(seal)["cells"]
            for m in c["members"]  # type: ignore[arg-type]
        }
        participants = db.session.scalars(select(Participant).where(Participant.meeting_id == meeting_id)).all()
        assert participants
        for p in participants:
            assert p.previous_level == decided[str(p.member_id)]
            assert p.previous_level_seal_id == ids["seal"]
        lowered = next(p for p in participants if p.member_id == ids["member"])
        assert lowered.previous_level is Level.NOT_COMPLETED
        # SPEC 5.9: not completed in 2020 (the committee's decision) and proposed not completed in
        # 2021 (disciplined in the year) flags the member; the others are not flagged.
        document = meeting_file(db.session.get(Meeting, meeting_id))
        facts = next(m for m in document.members if m.id == LOWERED).facts()
        assert facts.previous_level is Level.NOT_COMPLETED
        from dataclasses import replace

        result = member_result(
            replace(facts, disciplined_in_year=True), Votes(good=9), 10, date(2021, 12, 10), document.rules
        )
        assert result.proposed_level is Level.NOT_COMPLETED and FLAG_TWO_YEARS in result.flags
        other = next(m for m in document.members if m.id == "m01").facts()
        result = member_result(
            replace(other, disciplined_in_year=True), Votes(good=9), 10, date(2021, 12, 10), document.rules
        )
        assert FLAG_TWO_YEARS not in result.flags


def test_without_an_issued_decision_there_is_no_previous_level(app, runner, seed_path):
    assert runner.invoke(args=["meeting", "import", str(seed_path)]).exit_code == 0
    with app.app_context():
        cell_id = db.session.scalar(select(Cell.id))
    meeting_id = start_2021(app, cell_id)
    with app.app_context():
        participants = db.session.scalars(select(Participant).where(Participant.meeting_id == meeting_id)).all()
        assert participants and all(p.previous_level is None and p.previous_level_seal_id is None for p in participants)


def test_the_flags_page_shows_the_source_and_a_hand_edit_clears_it(app, runner, seed_path, client, make_user, login):
    ids = issue_2020(app, runner, seed_path)
    meeting_id = start_2021(app, ids["cell"])
    make_user("bithu", "secretary", cell_id=ids["cell"])
    login("bithu")
    with app.app_context():
        participant = db.session.scalar(
            select(Participant).where(Participant.meeting_id == meeting_id, Participant.member_id == ids["member"])
        )
        assert participant is not None
        participant_id = participant.id
    url = f"/meetings/{meeting_id}/participants/{participant_id}/flags"
    page = html.unescape(client.get(url).get_data(as_text=True))
    assert "Theo Quyết định số 15-QĐ/ĐU ngày 15/01/2021 của Đảng ủy năm 2020" in page
    assert re.search(
        r'<option[^>]*selected[^>]*value="not_completed"|<option[^>]*value="not_completed"[^>]*selected', page
    )
    values = form_values(client, url) | {"sick_leave_months": "0"}
    # Saving the flags without touching the level keeps the source.
    response = client.post(url, data=values | {"exempt": "y", "previous_level": "not_completed"})
    assert response.status_code == 302
    with app.app_context():
        participant = db.session.get(Participant, participant_id)
        assert participant.exempt and participant.previous_level_seal_id == ids["seal"]
    values = form_values(client, url) | {"sick_leave_months": "0"}
    response = client.post(url, data=values | {"previous_level": "completed"})
    assert response.status_code == 302
    with app.app_context():
        participant = db.session.get(Participant, participant_id)
        assert participant.previous_level is Level.COMPLETED and participant.previous_level_seal_id is None
    page = html.unescape(client.get(url).get_data(as_text=True))
    assert "Theo Quyết định số" not in page


def test_the_history_page_and_the_roster_show_the_years(app, runner, seed_path, client, make_user, login):
    ids = issue_2020(app, runner, seed_path)
    start_2021(app, ids["cell"])
    make_user("bithu", "secretary", cell_id=ids["cell"])
    make_user("danguy", "ward", organization_id=ids["organization"])
    login("bithu")
    roster = html.unescape(client.get(f"/cells/{ids['cell']}/members").get_data(as_text=True))
    history_url = f"/cells/{ids['cell']}/members/{ids['member']}/history"
    assert history_url in roster
    assert "2020: Không hoàn thành nhiệm vụ" in roster  # the decided level, not the proposal
    assert "2020: Hoàn thành tốt nhiệm vụ" in roster  # the others' decided level (their proposal)
    assert "(chi bộ đề nghị)" not in roster  # every 2020 level is decided; 2021 has none yet

    response = client.get(history_url)
    assert response.status_code == 200
    page = html.unescape(response.get_data(as_text=True))
    with app.app_context():
        meeting_2020 = db.session.scalar(select(Meeting.id).where(Meeting.cell_id == ids["cell"]).order_by(Meeting.id))
    row = page[page.index('id="y2020"') :]
    row = row[: row.index("</tr>")]
    assert SEED_CELL in row
    assert "Hoàn thành tốt nhiệm vụ" in row  # the cell proposed good
    assert "Không hoàn thành nhiệm vụ" in row and "Quyết định số 15-QĐ/ĐU ngày 15/01/2021" in row
    assert f"Lý do: {REASON}" in row
    assert f"/meetings/{meeting_2020}/documents/minutes.pdf" in row
    assert f"/meetings/{meeting_2020}/documents/count-minutes.pdf" in row
    assert 'id="y2021"' in page and "Chưa niêm phong kết quả" in page

    sign_out(client)
    login("danguy")
    assert client.get(history_url).status_code == 200  # the ward reads it
    assert client.get(f"/cells/{ids['cell']}/members/{ids['member'] + 999}/history").status_code == 404


def test_the_roster_marks_a_level_only_proposed(app, runner, seed_path, client, make_user, login):
    assert runner.invoke(args=["meeting", "import", str(seed_path)]).exit_code == 0
    with app.app_context():
        cell_id = db.session.scalar(select(Cell.id))
    make_user("bithu", "secretary", cell_id=cell_id)
    login("bithu")
    roster = html.unescape(client.get(f"/cells/{cell_id}/members").get_data(as_text=True))
    assert '2020: Hoàn thành xuất sắc nhiệm vụ <span class="hint">(chi bộ đề nghị)</span>' in roster
