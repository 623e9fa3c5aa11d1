"""What a seal covers (SPEC 5.7a): the closing after the seal, the meeting's own copy of its members,
sealed documents built from the seal, and differences reported by the pages and ``audit verify``."""

from __future__ import annotations

import html
import io
import json
import re
import unicodedata
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import select, text

from review import create_app
from review.documents import render_document
from review.extensions import db
from review.meeting_store import (
    load_meeting,
    meeting_file,
    record_file,
    seal_differences,
    sealed_meeting_file,
)
from review.meetingfile import dump
from review.models import AuditEntry, Meeting, Member, Participant, Seal
from review.sealdata import covered_part, differences, fingerprint, sealed_payload

from helpers import form_values, write_2021_copy

M10 = "Phạm Thị Xuân Mai"  # the seed's m10: official, admitted 2018-12-22, rated in 2020
M10_AFTER = "Phạm Thị Xuân Mai Anh"


def pdf_text(data: bytes) -> str:
    """Return the text of every page, NFC, whitespace runs folded (as tests/test_reports.py reads it)."""
    reader = PdfReader(io.BytesIO(data))
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", "\n".join(p.extract_text() for p in reader.pages)))


def page_text(response) -> str:  # type: ignore[no-untyped-def]
    return html.unescape(response.get_data(as_text=True))


@pytest.fixture
def sealed(app, runner, seed_path, tmp_path, make_user, login):  # type: ignore[no-untyped-def]
    """Import the seed without its closing (sealed as it arrives) and sign in as the cell's secretary."""
    document = json.loads(seed_path.read_text(encoding="utf-8"))
    document["meeting"]["ends_at"] = None
    document["meeting"]["minutes_approved_by"] = None
    path = tmp_path / "unclosed.json"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    result = runner.invoke(args=["meeting", "import", str(path)])
    assert result.exit_code == 0, result.output
    make_user("bithu", "secretary", cell_id=1)
    assert login("bithu").status_code == 302
    with app.app_context():
        assert db.session.get(Meeting, 1).sealed
    return 1


def post(client, url: str, data: dict[str, str]):  # type: ignore[no-untyped-def]
    return client.post(url, data=form_values(client, url) | data)


def snapshot(app, runner, tmp_path: Path, meeting_id: int = 1) -> dict[str, object]:  # type: ignore[no-untyped-def]
    """Return what a sealed meeting shows: its fingerprint check, the minutes' text, the export, the results page."""
    with app.app_context():
        meeting = load_meeting(meeting_id)
        seal = meeting.current_seal
        holds = sealed_payload(meeting_file(meeting)) == seal.payload and fingerprint(seal.payload) == seal.fingerprint
        minutes = pdf_text(render_document(meeting, "minutes"))
        count_minutes = pdf_text(render_document(meeting, "count-minutes"))
    out = tmp_path / f"export-{meeting_id}.json"
    result = runner.invoke(args=["meeting", "export", str(meeting_id), "-o", str(out)])
    assert result.exit_code == 0, result.output
    return {
        "holds": holds,
        "minutes": minutes,
        "count_minutes": count_minutes,
        "export": json.loads(out.read_text(encoding="utf-8")),
    }


def m10_of(export: dict) -> tuple[dict, dict]:
    member = next(m for m in export["members"] if m["id"] == "m10")
    result = next(r for r in export["results"]["members"] if r["id"] == "m10")
    return member, result


# ---------------------------------------------------------------------------
# The closing after the seal


def test_the_closing_guests_and_location_are_saved_after_the_seal_and_printed(app, client, sealed, runner, tmp_path):
    before = snapshot(app, runner, tmp_path)
    assert "được .../10 đồng chí" in before["minutes"] and "... giờ ... phút" in before["minutes"]

    page = client.get("/meetings/1/closing")
    assert page.status_code == 200 and 'type="submit"' in page.get_data(as_text=True)
    response = post(client, "/meetings/1/closing", {"minutes_approved_by": "9", "ends_at": "2020-11-27T17:30"})
    assert response.status_code == 302, page_text(response)

    opening = page_text(client.get("/meetings/1/opening"))
    assert "data-frozen-notice" in opening and "thời gian khai mạc (ngày họp) thuộc dữ liệu niêm phong" in opening
    assert re.search(r'<input[^>]*id="starts_at"[^>]*readonly', opening)
    values = {
        "starts_at": "2020-11-27T14:00",
        "location": "Hội trường Tổ dân phố 3",
        "chair_id": "",
        "minute_taker_id": "",
        "guests-0-name": "Lê Văn Khách",
        "guests-0-title": "Đảng ủy viên phường",
    }
    with app.app_context():
        meeting = db.session.get(Meeting, 1)
        values["chair_id"], values["minute_taker_id"] = str(meeting.chair_id), str(meeting.minute_taker_id)
    assert post(client, "/meetings/1/opening", values).status_code == 302
    # The meeting's date is sealed: refused on the server too, nothing saved.
    moved = post(client, "/meetings/1/opening", values | {"starts_at": "2020-11-28T14:00"})
    assert moved.status_code == 422 and "niêm phong" in page_text(moved)

    after = snapshot(app, runner, tmp_path)
    assert after["holds"] and before["holds"]
    assert "được 9/10 đồng chí có mặt nhất trí thông qua" in after["minutes"]
    assert "Hội nghị kết thúc lúc 17 giờ 30 phút" in after["minutes"]
    assert "Hội trường Tổ dân phố 3" in after["minutes"] and "Lê Văn Khách" in after["minutes"]
    assert "LƯU Ý" not in after["minutes"]
    assert after["export"]["meeting"]["minutes_approved_by"] == 9
    assert after["export"]["meeting"]["guests"] == [{"name": "Lê Văn Khách", "title": "Đảng ủy viên phường"}]
    with app.app_context():
        assert db.session.get(Meeting, 1).starts_at.day == 27
        assert seal_differences(db.session.get(Meeting, 1)) == []
        logged = db.session.scalars(
            select(AuditEntry.after).where(AuditEntry.meeting_id == 1, AuditEntry.table_name == "meeting")
        ).all()
        assert any('"minutes_approved_by":9' in (entry or "") for entry in logged)  # audited
    results = page_text(client.get("/meetings/1/results"))
    assert "data-seal-intact" in results and "data-seal-difference" not in results


def test_the_sealed_roll_call_and_flags_pages_say_so_before_anyone_types(app, client, sealed):
    roll = page_text(client.get("/meetings/1/roll-call"))
    notice = roll.index("data-frozen-notice")
    assert notice < roll.index('name="attendance_')
    assert "kết quả kiểm diện thuộc dữ liệu niêm phong nên chỉ xem" in roll
    radios = re.findall(r'<input[^>]*name="attendance_[0-9]+"[^>]*>', roll)
    assert radios and all("disabled" in r for r in radios)
    reasons = re.findall(r'<(?:input|textarea)[^>]*name="reason_[0-9]+"[^>]*>', roll)
    assert reasons and all("readonly" in r for r in reasons)
    assert 'type="submit"' not in roll[notice:].split("<form", 1)[1].split("</form>", 1)[0]
    # The server still refuses as a second line.
    with app.app_context():
        ids = [p.id for p in db.session.get(Meeting, 1).participants]
    data = {f"attendance_{pid}": "present" for pid in ids} | {f"reason_{pid}": "" for pid in ids}
    assert post(client, "/meetings/1/roll-call", data).status_code == 422

    with app.app_context():
        pid = db.session.get(Meeting, 1).participants[0].id
    flags = page_text(client.get(f"/meetings/1/participants/{pid}/flags"))
    assert "tình trạng trong năm của đảng viên thuộc dữ liệu niêm phong" in flags
    assert flags.index("data-frozen-notice") < flags.index('name="exempt"')
    assert re.search(r"<fieldset disabled>", flags)
    months = re.search(r'<input[^>]*name="sick_leave_months"[^>]*>', flags)
    assert months and "disabled" in months.group(0)
    assert 'type="submit"' not in flags[flags.index("data-frozen-notice") :].split("<form", 1)[1].split("</form>", 1)[0]
    # The unsealed closing page carries no such notice: what is editable is not marked frozen.
    assert "data-frozen-notice" not in page_text(client.get("/meetings/1/closing"))


# ---------------------------------------------------------------------------
# Members edited after the seal


def test_a_member_edited_and_retired_after_the_seal_leaves_the_sealed_meeting_as_sealed(
    app, client, sealed, runner, tmp_path
):
    before = snapshot(app, runner, tmp_path)
    member_before, result_before = m10_of(before["export"])
    assert result_before["rated"] and M10 in before["minutes"]
    results_before = page_text(client.get("/meetings/1/results"))
    with app.app_context():
        m10 = db.session.scalar(select(Member.id).where(Member.code == "m10"))

    # Admitted within six months of the meeting, probationary, renamed: were it to follow, m10 would not be rated.
    response = post(
        client,
        f"/members/{m10}/edit",
        {
            "name": M10_AFTER,
            "standing": "probationary",
            "position": "member",
            "admitted_on": "2020-10-01",
        },
    )
    assert response.status_code == 302, page_text(response)
    edit_page = page_text(client.get(f"/members/{m10}/edit"))
    assert "data-sealed-copies" in edit_page and "Hội nghị năm 2020: giữ họ và tên: " + M10 in edit_page
    assert "ngày vào Đảng: 22/12/2018" in edit_page
    retired = post(client, f"/members/{m10}/retire", {"retired_on": "2021-01-05", "confirm": "y"})
    assert retired.status_code == 302, page_text(retired)

    after = snapshot(app, runner, tmp_path)
    assert after["holds"]
    assert after["export"] == before["export"]
    member_after, result_after = m10_of(after["export"])
    assert member_after == member_before and result_after == result_before and result_after["rated"]
    assert after["minutes"] == before["minutes"] and after["count_minutes"] == before["count_minutes"]
    assert M10_AFTER not in after["minutes"]
    results_after = page_text(client.get("/meetings/1/results"))
    assert M10_AFTER not in results_after and "data-seal-intact" in results_after
    assert results_after.count(M10) == results_before.count(M10)
    with app.app_context():
        member = db.session.get(Member, m10)
        assert (member.name, member.standing, member.admitted_on) == (M10_AFTER, "probationary", date(2020, 10, 1))
        assert member.retired_on == date(2021, 1, 5)
        copy = db.session.scalar(select(Participant).where(Participant.member_id == m10, Participant.meeting_id == 1))
        assert (copy.name, copy.standing, copy.admitted_on) == (M10, "official", date(2018, 12, 22))


def test_an_unsealed_meeting_follows_the_roster_edit_and_shows_it_in_its_history(
    app, client, sealed, runner, seed_path, tmp_path
):
    result = runner.invoke(args=["meeting", "import", str(write_2021_copy(seed_path, tmp_path))])
    assert result.exit_code == 0, result.output
    meeting_2021 = int(result.output.strip().splitlines()[-1])
    with app.app_context():
        m10 = db.session.scalar(select(Member.id).where(Member.code == "m10"))
        assert not db.session.get(Meeting, meeting_2021).sealed
    response = post(
        client,
        f"/members/{m10}/edit",
        {
            "name": M10_AFTER,
            "standing": "official",
            "position": "committee",
            "admitted_on": "2018-12-20",
        },
    )
    assert response.status_code == 302, page_text(response)
    with app.app_context():
        copies = {p.meeting_id: p for p in db.session.scalars(select(Participant).where(Participant.member_id == m10))}
        now = copies[meeting_2021]
        assert (now.name, now.position, now.admitted_on) == (M10_AFTER, "committee", date(2018, 12, 20))
        then = copies[1]
        assert (then.name, then.position, then.admitted_on) == (M10, "member", date(2018, 12, 22))
        assert seal_differences(db.session.get(Meeting, 1)) == []
        assert [m.name for m in meeting_file(db.session.get(Meeting, meeting_2021)).members if m.id == "m10"] == [
            M10_AFTER
        ]
    history = page_text(client.get(f"/meetings/{meeting_2021}/history"))
    assert M10_AFTER in history and "Ngày vào Đảng" in history
    assert M10_AFTER not in page_text(client.get("/meetings/1/history"))


# ---------------------------------------------------------------------------
# Differences behind the guards


def test_a_covered_value_changed_behind_the_guards_is_reported(app, client, sealed, runner, tmp_path):
    before = snapshot(app, runner, tmp_path)
    with app.app_context():
        with db.engine.begin() as connection:  # straight SQL: no mapper event, no audit, no guard
            connection.execute(
                text(
                    "UPDATE participant SET name = 'Người Đã Sửa', attendance = 'absent' "
                    "WHERE meeting_id = 1 AND roll_order = 9"
                )
            )
        meeting = load_meeting(1)
        found = seal_differences(meeting)
        assert f"Đồng chí {M10}, họ và tên: khi niêm phong là “{M10}”, dữ liệu hiện lưu là “Người Đã Sửa”." in found
        assert f"Đồng chí {M10}, kiểm diện: khi niêm phong là có mặt, dữ liệu hiện lưu là vắng không lý do." in found
        assert "Kết quả, số đảng viên có mặt biểu quyết: khi niêm phong là 10, dữ liệu hiện lưu là 9." in found
        # The documents are still built from what was sealed, and say there are differences.
        sealed_file = sealed_meeting_file(meeting)
        assert [m.name for m in sealed_file.members][-1] == M10
        assert sealed_file.evaluate().as_dict() == json.loads(meeting.current_seal.payload)["results"]
        minutes = pdf_text(render_document(meeting, "minutes"))
        count_minutes = pdf_text(render_document(meeting, "count-minutes"))
    for document in (minutes, count_minutes):
        assert "LƯU Ý: dữ liệu hiện lưu khác với dữ liệu đã niêm phong" in document
        assert "Người Đã Sửa" in document  # named in the note, as the stored value
    assert before["export"] == snapshot(app, runner, tmp_path)["export"]  # the export is what was sealed

    results = page_text(client.get("/meetings/1/results"))
    assert "data-seal-differences" in results and "data-seal-differences-top" in results
    assert f"Đồng chí {M10}, họ và tên: khi niêm phong là “{M10}”, dữ liệu hiện lưu là “Người Đã Sửa”." in results

    verify = runner.invoke(args=["audit", "verify"])
    assert verify.exit_code == 1
    assert (
        f"Hội nghị 1 (Chi bộ Trường Mầm non Thượng Thanh, năm 2020), phiên bản niêm phong 1: Đồng chí {M10}, họ và tên"
        in verify.output
    )


def test_a_changed_payload_is_reported_against_its_own_fingerprint(app, sealed, runner):
    with app.app_context():
        with db.engine.begin() as connection:
            payload = connection.scalar(text("SELECT payload FROM seal WHERE meeting_id = 1"))
            connection.execute(
                text("UPDATE seal SET payload = :p WHERE meeting_id = 1"),
                {"p": payload.replace('"issued":10', '"issued":11')},
            )
        found = seal_differences(load_meeting(1))
    assert found[0].startswith("Bản niêm phong đã lưu không còn khớp mã SHA-256")
    assert "Phiếu, số phiếu phát ra: khi niêm phong là 11, dữ liệu hiện lưu là 10." in found
    verify = runner.invoke(args=["audit", "verify"])
    assert verify.exit_code == 1 and "không còn khớp mã SHA-256" in verify.output


# ---------------------------------------------------------------------------
# Seals stored before this change


def old_payload(meeting: Meeting) -> str:
    """Return the payload as seals made before SPEC 5.7a stored it: the whole meeting object, guests included."""
    document = dump(meeting_file(meeting))
    document.pop("collective_reviews")
    for member in document["members"]:
        member.pop("review", None)
    return json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def test_an_older_larger_payload_is_compared_on_what_a_seal_covers(app, client, sealed, runner, tmp_path):
    with app.app_context():
        older = old_payload(load_meeting(1))
        with db.engine.begin() as connection:  # a seal stored before this change, never rewritten
            connection.execute(
                text("UPDATE seal SET payload = :p, fingerprint = :f WHERE meeting_id = 1"),
                {"p": older, "f": fingerprint(older)},
            )
        db.session.rollback()  # end the session's read, which still sees the seal as it was
        meeting = load_meeting(1)
        assert json.loads(meeting.current_seal.payload)["meeting"]["location"]  # the older payload has it
        assert covered_part(json.loads(older)) == json.loads(sealed_payload(meeting_file(meeting)))
        assert seal_differences(meeting) == []
        assert dump(record_file(meeting)) == dump(meeting_file(meeting))
    assert (
        post(client, "/meetings/1/closing", {"minutes_approved_by": "8", "ends_at": "2020-11-27T17:10"}).status_code
        == 302
    )
    with app.app_context():
        meeting = load_meeting(1)
        assert seal_differences(meeting) == []  # the closing is not covered, even by an older payload
        assert record_file(meeting).meeting.minutes_approved_by == 8
        assert db.session.scalar(select(Seal.payload).where(Seal.meeting_id == 1)) == older  # kept as stored
    assert runner.invoke(args=["audit", "verify"]).exit_code in (0, 1)  # H4's checks aside, no seal-data line:
    assert "dữ liệu niêm phong:" not in runner.invoke(args=["audit", "verify"]).output


def test_differences_name_members_fields_and_both_values():
    sealed = {
        "year": 2020,
        "meeting": {"starts_at": "2020-11-27T14:00", "location": "A"},
        "members": [
            {
                "id": "m01",
                "name": "Nguyễn Văn A",
                "standing": "official",
                "admitted_on": "2008-05-19",
                "attendance": "present",
            }
        ],
    }
    stored = {
        "year": 2020,
        "meeting": {"starts_at": "2020-11-27T14:00", "location": "B"},
        "members": [
            {
                "id": "m01",
                "name": "Nguyễn Văn A",
                "standing": "probationary",
                "admitted_on": "2020-10-01",
                "attendance": "present",
                "exempt": True,
            }
        ],
    }
    assert differences(sealed, stored) == [
        "Đồng chí Nguyễn Văn A, đảng viên chính thức/dự bị: khi niêm phong là chính thức, dữ liệu hiện lưu là dự bị.",
        "Đồng chí Nguyễn Văn A, ngày vào Đảng: khi niêm phong là 19/05/2008, dữ liệu hiện lưu là 01/10/2020.",
        "Đồng chí Nguyễn Văn A, miễn công tác và sinh hoạt đảng: khi niêm phong là không, dữ liệu hiện lưu là có.",
    ]  # the location is the minutes' content: not compared


# ---------------------------------------------------------------------------
# Migration 0008


def test_migration_0008_fills_the_copies_from_the_roster_and_goes_back(empty_database):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": empty_database})
    runner = app.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade", "0007"]).exit_code == 0
    with app.app_context():
        with db.engine.begin() as connection:
            for statement in (
                "INSERT INTO organization (id, name, place) VALUES (1, 'Đảng bộ phường X', 'X')",
                "INSERT INTO cell (id, organization_id, name) VALUES (1, 1, 'Chi bộ 1')",
                "INSERT INTO review_year (id, organization_id, year, profile) VALUES (1, 1, 2020, 'hd21-2019')",
                "INSERT INTO member (id, cell_id, code, name, standing, position, admitted_on, version) "
                "VALUES (1, 1, 'm01', 'Nguyễn Thị Hân', 'official', 'secretary', '2008-05-19', 1)",
                "INSERT INTO meeting (id, cell_id, review_year_id, location, version) VALUES (1, 1, 1, '', 1)",
                "INSERT INTO participant (id, meeting_id, member_id, roll_order, standing, position, attendance, "
                "absence_reason, exempt, suspended, temporary_elsewhere, sick_leave_months, disciplined_in_year, version) "
                "VALUES (1, 1, 1, 0, 'official', 'secretary', 'present', '', false, false, false, 0, false, 1)",
            ):
                connection.execute(text(statement))
        db.engine.dispose()
    assert runner.invoke(args=["db", "upgrade", "0008"]).exit_code == 0
    with app.app_context():
        with db.engine.connect() as connection:
            name, admitted = connection.execute(text("SELECT name, admitted_on FROM participant")).one()
        assert name == "Nguyễn Thị Hân" and str(admitted) == "2008-05-19"
        db.engine.dispose()
    assert runner.invoke(args=["db", "downgrade", "0007"]).exit_code == 0
    with app.app_context():
        columns = {c["name"] for c in db.inspect(db.engine).get_columns("participant")}
        assert "name" not in columns and "admitted_on" not in columns and "standing" in columns
        db.engine.dispose()
