"""The committee's decision page (SPEC 9): decided levels, the binding quota, issuing, reopening; what the cells see.

Two example cells of one organisation (the seed and Tổ dân phố số 3, tests/data/ward-thuong-thanh-2020):
the members' quota is kept (2 excellent, at most 3 of 15 good), the cells' is not (the seed cell
excellent, with one good cell as the pool: at most 0), so the committee must lower the seed cell
with a reason before it can issue.
"""

from __future__ import annotations

import html as html_lib
import json
import re
import unicodedata
from pathlib import Path

import pytest
from sqlalchemy import select

from review.decision_rules import NUMBER_MESSAGE
from review.extensions import db
from review.models import Cell, Decision, DecisionSeal, Meeting, Member, MemberDecision
from review.text import CONTROL_MESSAGE

from helpers import SECOND_CELL_FILE, csrf_token, signed_in

WARD = "danguy"
ORGANIZATION = 1
YEAR = 2020
SEED_CELL = "Chi bộ Trường Mầm non Thượng Thanh"
SECOND_CELL = "Chi bộ Tổ dân phố số 3"
SECOND_FILE = SECOND_CELL_FILE
PAGE = f"/organizations/{ORGANIZATION}/decision/{YEAR}"
REASON = "Đảng ủy xét thành tích cả năm của đồng chí."
CELL_REASON = "Tỉ lệ chi bộ Hoàn thành xuất sắc trên toàn đảng bộ chỉ cho phép 0 chi bộ."
INPUT = re.compile(r"<input\b[^>]*>")
ATTRIBUTE = re.compile(r'([\w-]+)="([^"]*)"')


# ---------------------------------------------------------------------------
# Helpers


def text(response) -> str:  # type: ignore[no-untyped-def]
    return unicodedata.normalize("NFC", html_lib.unescape(response.get_data(as_text=True)))


def import_file(runner, path: Path) -> None:  # type: ignore[no-untyped-def]
    result = runner.invoke(args=["meeting", "import", str(path)])
    assert result.exit_code == 0, result.output


def hidden(client, action: str, url: str = PAGE) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Return the hidden values (CSRF token, version...) of the form posting to ``action`` on the page at ``url``."""
    page = client.get(url).get_data(as_text=True)
    match = re.search(rf'<form[^>]*action="{re.escape(action)}"[^>]*>(.*?)</form>', page, re.S)
    assert match, f"no form posting to {action}"
    values = {}
    for tag in INPUT.findall(match.group(1)):
        attributes = dict(ATTRIBUTE.findall(tag))
        if attributes.get("type") == "hidden":
            values[attributes["name"]] = html_lib.unescape(attributes.get("value", ""))
    return values


def member_url(member_id: int) -> str:
    return f"{PAGE}/members/{member_id}"


def cell_url(cell_id: int) -> str:
    return f"{PAGE}/cells/{cell_id}"


def choose(client, url: str, prefix: str, level: str, reason: str = "", **extra: str):  # type: ignore[no-untyped-def]
    data = hidden(client, url) | {"level": level, "reason": reason} | extra
    return client.post(url, data=data)


def issue(client, **fields: str):  # type: ignore[no-untyped-def]
    url = f"{PAGE}/issue"
    data = hidden(client, url) | {
        "number": "15-QĐ/ĐU",
        "issued_on": "2020-12-10",
        "place": "Thượng Thanh",
        "signer_name": "Nguyễn Văn Bình",
        "signer_title": "secretary",
    }
    return client.post(url, data=data | fields)


@pytest.fixture
def committee(app, runner, seed_path, make_user):  # type: ignore[no-untyped-def]
    """The two example cells sealed in one organisation; the ward, the seed's secretary. Returns ids."""
    import_file(runner, seed_path)
    import_file(runner, SECOND_FILE)
    with app.app_context():
        cells = {c.name: c for c in db.session.scalars(select(Cell))}
        assert {c.organization_id for c in cells.values()} == {ORGANIZATION}
        members = {m.name: m.id for m in db.session.scalars(select(Member))}
        ids = {
            "cells": {name: c.id for name, c in cells.items()},
            "meetings": {name: c.meetings[0].id for name, c in cells.items()},
            "members": members,
        }
    make_user(WARD, "ward", organization_id=ORGANIZATION)
    make_user("danguy2", "ward", organization_id=ORGANIZATION)
    make_user("bithu", "secretary", cell_id=ids["cells"][SEED_CELL])
    return ids


@pytest.fixture
def ward_client(app, committee):  # type: ignore[no-untyped-def]
    return signed_in(app, WARD)


def member_id(committee, name: str) -> int:  # type: ignore[no-untyped-def]
    return committee["members"][name]


def seed_excellent(app, committee) -> list[int]:  # type: ignore[no-untyped-def]
    """Return the seed's two members proposed excellent (from the sealed results)."""
    from review.decisions import gather
    from review.models import Organization

    with app.app_context():
        gathered = gather(db.session.get(Organization, ORGANIZATION), YEAR)
        cell = gathered.cell(committee["cells"][SEED_CELL])
        assert cell is not None
        return [int(m.key) for m in cell.members if str(m.proposed_level) == "excellent"]


def lower_seed_cell(client, committee):  # type: ignore[no-untyped-def]
    cell_id = committee["cells"][SEED_CELL]
    response = choose(client, cell_url(cell_id), f"cell-{cell_id}", "good", CELL_REASON)
    assert response.status_code == 302, text(response)


# ---------------------------------------------------------------------------
# The page


def test_page_shows_every_cell_member_and_the_binding_quotas(app, committee, ward_client):
    response = ward_client.get(PAGE)
    assert response.status_code == 200
    page = text(response)
    for name in (SEED_CELL, SECOND_CELL):
        cell_id = committee["cells"][name]
        assert f'id="cell-{cell_id}"' in page and f'data-cell="{cell_id}" data-state="sealed"' in page
    # Every member of both cells has a form with the proposal as the default.
    for name, member in committee["members"].items():
        assert f'data-member="{member}"' in page, name
        assert f'action="{member_url(member)}"' in page, name
    second = page[page.index(f'id="cell-{committee["cells"][SECOND_CELL]}"') :]
    loi = member_id(committee, "Đặng Văn Lợi")
    block = second[second.index(f'id="member-{loi}"') :][:4000]
    assert 'data-proposed="good"' in block and "Hoàn thành tốt nhiệm vụ" in block
    assert re.search(r'<option selected value="good">|<option value="good" selected>', block)
    # The quotas: members within (2 of at most 3 of 15), cells over (1 of at most 0 of 1).
    members = re.search(
        r'data-quota="members" data-pool="(\d+)" data-limit="(\d+)" data-excellent="(\d+)" data-exceeded="(\w+)"', page
    )
    cells = re.search(
        r'data-quota="cells" data-pool="(\d+)" data-limit="(\d+)" data-excellent="(\d+)" data-exceeded="(\w+)"', page
    )
    assert members and members.groups() == ("15", "3", "2", "false")
    assert cells and cells.groups() == ("1", "0", "1", "true")
    assert "Để ban hành, Đảng ủy hạ mức của 1 chi bộ ở trên, ghi rõ lý do." in page
    assert 'data-blocker="cell_quota"' in page and 'data-blocker="member_quota"' not in page
    # The cells contributing excellent members; the excellent cell.
    excellent = re.search(r"data-excellent-members>(.*?)</ul>", page, re.S)
    assert excellent and SEED_CELL in excellent.group(1) and "2 đồng chí" in excellent.group(1)
    assert SECOND_CELL not in excellent.group(1)
    assert SEED_CELL in re.search(r"data-excellent-cells>(.*?)</ul>", page, re.S).group(1)  # type: ignore[union-attr]
    # No allowance form for 2020 (hd21-2019 has no higher ratio); no documents link yet on this branch
    assert "/allowance" not in page
    assert "Trong khi quyết định còn hiệu lực" not in page  # not issued
    assert "style=" not in page


def test_menu_and_dashboard_link_to_the_page(app, committee, ward_client):
    home = text(ward_client.get("/"))
    assert f'href="/organizations/{ORGANIZATION}/decision"' in home
    dashboard = text(ward_client.get(f"/organizations/{ORGANIZATION}"))
    assert f'href="{PAGE}"' in dashboard
    response = ward_client.get(f"/organizations/{ORGANIZATION}/decision")
    assert response.status_code == 302 and response.headers["Location"].endswith(PAGE)


def test_only_the_organisations_committee_and_admins(app, committee, make_user):
    secretary = signed_in(app, "bithu")
    assert secretary.get(PAGE).status_code == 404
    make_user("quantri", "admin")
    assert signed_in(app, "quantri").get(PAGE).status_code == 200
    assert app.test_client().get(PAGE).status_code in (302, 401)
    ward = signed_in(app, WARD)
    assert ward.get(f"/organizations/{ORGANIZATION}/decision/1900").status_code == 404
    # Another organisation's committee: 404 for the page and for every save.
    with app.app_context():
        from review.database import write_transaction
        from review.models import Organization

        with write_transaction():
            other = Organization(name="Đảng bộ phường Đức Giang", place="Đức Giang")
            db.session.add(other)
        other_id = other.id
    make_user("danguy-khac", "ward", organization_id=other_id)
    stranger = signed_in(app, "danguy-khac")
    assert stranger.get(PAGE).status_code == 404
    loi = member_id(committee, "Đặng Văn Lợi")
    token = csrf_token(stranger, "/")
    response = stranger.post(member_url(loi), data={"csrf_token": token, "level": "excellent", "reason": REASON})
    assert response.status_code == 404
    with app.app_context():
        assert db.session.scalars(select(MemberDecision)).all() == []
    # On the page, the menu marks its link as the section shown.
    assert re.search(r'<a href="/organizations/1/decision" aria-current="true">', text(ward.get(PAGE)))


# ---------------------------------------------------------------------------
# Deciding levels


def test_raising_a_member_needs_a_reason_typed_reason_kept(app, committee, ward_client):
    loi = member_id(committee, "Đặng Văn Lợi")
    prefix = f"member-{loi}"
    response = choose(ward_client, member_url(loi), prefix, "excellent", "tốt")
    assert response.status_code == 422
    page = text(response)
    error = re.search(rf'<p class="error" id="{prefix}-reason-error">(.*?)</p>', page, re.S)
    assert error and "khác đề nghị của chi bộ" in error.group(1) and "ghi lý do" in error.group(1)
    assert re.search(rf'<textarea[^>]*id="{prefix}-reason"[^>]*>\s*tốt</textarea>', page)
    with app.app_context():
        assert db.session.scalars(select(MemberDecision)).all() == []
    # With a reason: saved, and the quota counts it at once.
    response = choose(ward_client, member_url(loi), prefix, "excellent", REASON)
    assert response.status_code == 302 and response.headers["Location"].endswith(f"#{prefix}")
    page = text(ward_client.get(PAGE))
    assert re.search(
        r'data-quota="members" data-pool="14" data-limit="2" data-excellent="3" data-exceeded="true"', page
    )
    assert 'data-blocker="member_quota"' in page
    with app.app_context():
        row = db.session.scalars(select(MemberDecision)).one()
        assert (row.member_id, str(row.level), row.reason, str(row.proposed_level)) == (
            loi,
            "excellent",
            REASON,
            "good",
        )


def test_lowering_with_a_reason_and_back_to_the_proposal(app, committee, ward_client):
    first = seed_excellent(app, committee)[0]
    prefix = f"member-{first}"
    assert choose(ward_client, member_url(first), prefix, "good", "  ").status_code == 422
    assert choose(ward_client, member_url(first), prefix, "good", REASON).status_code == 302
    page = text(ward_client.get(PAGE))
    assert re.search(
        r'data-quota="members" data-pool="16" data-limit="3" data-excellent="1" data-exceeded="false"', page
    )
    block = page[page.index(f'id="member-{first}"') :][:3000]
    assert 'data-decided="good"' in block and REASON in block
    # The proposal again, no reason: back to the default (no row).
    assert choose(ward_client, member_url(first), prefix, "excellent", "").status_code == 302
    with app.app_context():
        assert db.session.scalars(select(MemberDecision)).all() == []


def test_an_undecided_member_needs_a_level(app, runner, seed_path, make_user, tmp_path):
    document = json.loads(SECOND_FILE.read_text(encoding="utf-8"))
    document["ballot"]["rows"]["t02"] = {"excellent": 0, "good": 0, "completed": 0, "not_completed": 4, "blank": 4}
    path = tmp_path / "undecided.json"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    import_file(runner, path)
    make_user(WARD, "ward", organization_id=ORGANIZATION)
    client = signed_in(app, WARD)
    with app.app_context():
        nga = db.session.scalar(select(Member.id).where(Member.name == "Trịnh Thị Nga"))
    page = text(client.get(PAGE))
    assert 'data-blocker="undecided_member"' in page and "Trịnh Thị Nga chưa có mức xếp loại" in page
    prefix = f"member-{nga}"
    response = choose(client, member_url(nga), prefix, "")
    assert response.status_code == 422
    error = re.search(rf'<p class="error" id="{prefix}-level-error">(.*?)</p>', text(response), re.S)
    assert error and "chọn mức đảng ủy quyết định" in error.group(1)
    assert choose(client, member_url(nga), prefix, "good", "").status_code == 422  # no proposal: a reason too
    assert choose(client, member_url(nga), prefix, "good", REASON).status_code == 302
    assert 'data-blocker="undecided_member"' not in text(client.get(PAGE))


def test_cells_without_a_sealed_meeting_recorded_not_reviewed(app, committee, ward_client):
    with app.app_context():
        from review.database import write_transaction

        with write_transaction():
            db.session.add(Cell(organization_id=ORGANIZATION, name="Chi bộ Tổ dân phố số 9"))
        new_id = db.session.scalar(select(Cell.id).where(Cell.name == "Chi bộ Tổ dân phố số 9"))
    page = text(ward_client.get(PAGE))
    assert f'data-cell="{new_id}" data-state="no_meeting"' in page
    assert "Chi bộ Tổ dân phố số 9: chưa niêm phong kết quả" in page
    url = f"{PAGE}/cells/{new_id}/not-reviewed"
    prefix = f"not-reviewed-{new_id}"
    response = ward_client.post(url, data=hidden(ward_client, url) | {"reason": " "})
    assert response.status_code == 422 and f'id="{prefix}-reason-error"' in text(response)
    reason = "Chi bộ mới thành lập tháng 11/2020."
    assert ward_client.post(url, data=hidden(ward_client, url) | {"reason": reason}).status_code == 302
    page = text(ward_client.get(PAGE))
    assert f'data-cell="{new_id}" data-state="not_reviewed"' in page and reason in page
    assert "chưa niêm phong kết quả, cũng chưa ghi" not in page
    # Withdrawn: blocking again.
    assert ward_client.post(url, data=hidden(ward_client, url)).status_code == 302
    assert f'data-cell="{new_id}" data-state="no_meeting"' in text(ward_client.get(PAGE))


# ---------------------------------------------------------------------------
# Issuing


def test_the_cells_quota_blocks_the_issue_until_the_seed_cell_is_lowered(app, committee, ward_client):
    response = issue(ward_client)
    assert response.status_code == 422
    assert "Vượt tỉ lệ chi bộ Hoàn thành xuất sắc: 1 chi bộ, tối đa 0" in text(response)
    with app.app_context():
        assert db.session.scalars(select(DecisionSeal)).all() == []
    cell_id = committee["cells"][SEED_CELL]
    response = choose(ward_client, cell_url(cell_id), f"cell-{cell_id}", "good", "")
    assert response.status_code == 422 and "khác đề nghị của chi bộ" in text(response)
    lower_seed_cell(ward_client, committee)
    page = text(ward_client.get(PAGE))
    assert "data-ready" in page and "data-blockers" not in page
    response = issue(ward_client)
    assert response.status_code == 302, text(response)
    page = text(ward_client.get(PAGE))
    assert "Đã ban hành" in page and "data-issued-number>15-QĐ/ĐU<" in page
    assert "10/12/2020" in page and "Nguyễn Văn Bình" in page and "Bí thư" in page
    with app.app_context():
        seal = db.session.scalars(select(DecisionSeal)).one()
        assert seal.version == 1 and seal.number == "15-QĐ/ĐU"
        assert f"data-fingerprint>{seal.fingerprint[:12]}<" in page
    # Read-only: no choice form, no issue form; the reopen form and the note on the cells' seals.
    assert "/members/" not in page and f'action="{PAGE}/issue"' not in page
    assert f'action="{PAGE}/reopen"' in page
    assert "không mở lại được niêm phong kết quả mà quyết định dựa vào" in page
    assert CELL_REASON in page


@pytest.mark.parametrize(
    ("fields", "name", "message"),
    [
        ({"number": "15/QĐ"}, "number", NUMBER_MESSAGE),
        ({"number": "QĐ-15"}, "number", "15-QĐ/ĐU"),
        ({"issued_on": "2020-11-30"}, "issued_on", "Ngày ban hành phải từ ngày hội nghị chi bộ cuối cùng (02/12/2020)"),
        ({"issued_on": "2999-01-01"}, "issued_on", "Ngày ban hành không thể ở tương lai."),
        ({"issued_on": ""}, "issued_on", "Nhập ngày ban hành"),
        ({"signer_name": "Nguyễn\x1bVăn"}, "signer_name", CONTROL_MESSAGE),
        ({"signer_name": "  "}, "signer_name", "Nhập họ và tên người ký."),
        ({"signer_title": "chairman"}, "signer_title", ""),
    ],
)
def test_bad_issue_fields_refused_next_to_the_field(app, committee, ward_client, fields, name, message):
    lower_seed_cell(ward_client, committee)
    response = issue(ward_client, **fields)
    assert response.status_code == 422
    page = text(response)
    error = re.search(rf'<p class="error" id="{name}-error">(.*?)</p>', page, re.S)
    assert error and message in error.group(1), page[page.find('id="issue"') :][:3000]
    if name == "number":
        assert f'value="{fields["number"]}"' in page  # what was typed kept
    with app.app_context():
        assert db.session.scalars(select(DecisionSeal)).all() == []


def test_a_number_typed_loosely_is_printed_normalised(app, committee, ward_client):
    lower_seed_cell(ward_client, committee)
    assert issue(ward_client, number=" 15 - qđ/đu ").status_code == 302
    with app.app_context():
        assert db.session.scalars(select(DecisionSeal.number)).one() == "15-QĐ/ĐU"


def test_reopening_needs_a_reason_and_keeps_the_version(app, committee, ward_client):
    lower_seed_cell(ward_client, committee)
    assert issue(ward_client).status_code == 302
    url = f"{PAGE}/reopen"
    response = ward_client.post(url, data=hidden(ward_client, url) | {"reason": "   "})
    assert response.status_code == 422 and "Ghi rõ lý do mở lại quyết định đã ban hành." in text(response)
    reason = "Chi bộ Tổ dân phố số 3 cần sửa biên bản kiểm phiếu."
    assert ward_client.post(url, data=hidden(ward_client, url) | {"reason": reason}).status_code == 302
    page = text(ward_client.get(PAGE))
    assert "data-issued=" not in page and 'data-decision-version="1"' in page and reason in page
    assert f'action="{PAGE}/issue"' in page  # a draft again
    assert issue(ward_client, number="16-QĐ/ĐU").status_code == 302
    with app.app_context():
        assert [
            (s.version, s.number) for s in db.session.scalars(select(DecisionSeal).order_by(DecisionSeal.version))
        ] == [
            (1, "15-QĐ/ĐU"),
            (2, "16-QĐ/ĐU"),
        ]


# ---------------------------------------------------------------------------
# Two committee members at once


def test_the_second_save_of_the_same_member_is_refused_showing_the_others(app, committee, ward_client):
    other = signed_in(app, "danguy2")
    loi = member_id(committee, "Đặng Văn Lợi")
    prefix = f"member-{loi}"
    stale = hidden(other, member_url(loi))
    assert choose(ward_client, member_url(loi), prefix, "excellent", REASON).status_code == 302
    response = other.post(member_url(loi), data=stale | {"level": "completed", "reason": "Đồng chí còn hạn chế."})
    assert response.status_code == 409
    page = text(response)
    conflict = re.search(r"data-conflict>(.*?)</section>", page, re.S)
    assert conflict and "Hoàn thành xuất sắc nhiệm vụ" in conflict.group(1) and REASON in conflict.group(1)
    assert "Đồng chí còn hạn chế." in page  # what they typed kept
    with app.app_context():
        assert str(db.session.scalars(select(MemberDecision.level)).one()) == "excellent"


def test_the_issue_is_refused_when_the_decision_moved(app, committee, ward_client):
    lower_seed_cell(ward_client, committee)
    other = signed_in(app, "danguy2")
    stale = hidden(other, f"{PAGE}/issue")
    first = seed_excellent(app, committee)[0]
    assert choose(ward_client, member_url(first), f"member-{first}", "good", REASON).status_code == 302
    data = stale | {
        "number": "15-QĐ/ĐU",
        "issued_on": "2020-12-10",
        "place": "Thượng Thanh",
        "signer_name": "Nguyễn Văn Bình",
        "signer_title": "secretary",
    }
    response = other.post(f"{PAGE}/issue", data=data)
    assert response.status_code == 409 and "data-conflict" in text(response)
    with app.app_context():
        assert db.session.scalars(select(DecisionSeal)).all() == []
    assert other.post(f"{PAGE}/issue", data=data | hidden(other, f"{PAGE}/issue")).status_code == 302


# ---------------------------------------------------------------------------
# What the cells see


def test_the_cells_seal_cannot_be_reopened_under_an_issued_decision(app, committee, ward_client):
    lower_seed_cell(ward_client, committee)
    first = seed_excellent(app, committee)[0]
    assert choose(ward_client, member_url(first), f"member-{first}", "good", REASON).status_code == 302
    assert issue(ward_client).status_code == 302
    meeting_id = committee["meetings"][SEED_CELL]
    secretary = signed_in(app, "bithu")
    page = text(secretary.get(f"/meetings/{meeting_id}/results"))
    assert "data-resting-on" in page and "Quyết định số 15-QĐ/ĐU" in page
    assert f'action="/meetings/{meeting_id}/results/reopen"' not in page
    token = csrf_token(secretary, "/")  # the session's token (the sign-out form)
    response = secretary.post(
        f"/meetings/{meeting_id}/results/reopen",
        data={"csrf_token": token, "reason": "Sửa số liệu kiểm phiếu bị nhầm."},
    )
    assert response.status_code == 422 and "đảng ủy mở lại quyết định trước" in text(response)
    with app.app_context():
        assert db.session.get(Meeting, meeting_id).sealed
    # The secretary sees the committee's levels, with the reason where it differs.
    decided = re.search(r"data-decided-levels>(.*?)</section>", page, re.S)
    assert decided, page
    block = decided.group(1)
    row = re.search(rf'<tr data-decided-member="[^"]*"[^>]*>((?:(?!</tr>).)*{REASON}(?:(?!</tr>).)*)</tr>', block, re.S)
    assert row and "Hoàn thành tốt nhiệm vụ" in row.group(1)
    assert CELL_REASON in block
    with app.app_context():
        names = [m.name for m in db.session.get(Meeting, meeting_id).participants]
    assert all(name in block for name in names)
    # Before the decision is issued, none of it.
    url = f"{PAGE}/reopen"
    assert ward_client.post(url, data=hidden(ward_client, url) | {"reason": "Sửa lại mức xếp loại."}).status_code == 302
    page = text(secretary.get(f"/meetings/{meeting_id}/results"))
    assert "data-decided-levels" not in page and "data-resting-on" not in page
    assert f'action="/meetings/{meeting_id}/results/reopen"' in page


def test_decision_rows_stay_with_the_organisation(app, committee, ward_client):
    cell_id = committee["cells"][SEED_CELL]
    lower_seed_cell(ward_client, committee)
    with app.app_context():
        decision = db.session.scalars(select(Decision)).one()
        assert (decision.organization_id, decision.year) == (ORGANIZATION, YEAR)
        assert [c.cell_id for c in decision.cell_decisions] == [cell_id]


def test_the_preview_counts_the_levels_shown_without_saving(app, committee, ward_client):
    loi = member_id(committee, "Đặng Văn Lợi")
    seed_cell = committee["cells"][SEED_CELL]
    response = ward_client.get(f"{PAGE}/preview?member-{loi}=excellent&cell-{seed_cell}=good")
    assert response.status_code == 200 and "no-store" in response.headers["Cache-Control"]
    figures = response.get_json()
    assert figures["members"] == {"pool": 14, "limit": 2, "excellent": 3, "exceeded": True, "over": 1}
    assert figures["cells"] == {"pool": 2, "limit": 0, "excellent": 0, "exceeded": False, "over": 0}
    assert ward_client.get(f"{PAGE}/preview").get_json()["cells"]["exceeded"] is True  # as recorded
    with app.app_context():
        assert db.session.scalars(select(MemberDecision)).all() == []
    page = text(ward_client.get(PAGE))
    assert '<script src="/static/js/decision.js" defer></script>' in page
    assert not re.search(r"<script(?![^>]*\bsrc=)", page)  # no inline script (CSP)


def test_the_allowance_of_the_higher_ratio_from_2025(app, committee, ward_client):
    page_2025 = f"/organizations/{ORGANIZATION}/decision/2025"
    page = text(ward_client.get(page_2025))
    assert f'action="{page_2025}/allowance"' in page and "(1/5)" in page
    url = f"{page_2025}/allowance"

    def post(**fields: str):  # type: ignore[no-untyped-def]
        return ward_client.post(url, data=hidden(ward_client, url, page_2025) | fields)

    response = post(allowance_number="12/QĐ", allowance_date="2025-06-01")
    assert response.status_code == 422
    error = re.search(r'<p class="error" id="allowance_number-error">(.*?)</p>', text(response), re.S)
    assert error and NUMBER_MESSAGE in error.group(1) and 'value="12/QĐ"' in text(response)
    response = post(allowance_number="12-QĐ/ĐU", allowance_date="2999-01-01")
    assert response.status_code == 422 and "không thể ở tương lai" in text(response)
    assert post(allowance_number="12-QĐ/ĐU", allowance_date="2025-06-01").status_code == 302
    page = text(ward_client.get(page_2025))
    assert "(1/4)" in page and 'value="12-QĐ/ĐU"' in page
    with app.app_context():
        decision = db.session.scalar(select(Decision).where(Decision.year == 2025))
        assert decision is not None and decision.allowance_number == "12-QĐ/ĐU"
    # Both emptied: removed, back to the profile's own ratio.
    assert post(allowance_number="", allowance_date="").status_code == 302
    assert "(1/5)" in text(ward_client.get(page_2025))


# ---------------------------------------------------------------------------
# What an issue rests on (the review of issue 14)


def test_a_choice_made_against_an_older_proposal_blocks_the_issue(app, committee, ward_client):
    """A cell that reopened and sealed again with another proposal: the committee's choice is looked at again."""
    lower_seed_cell(ward_client, committee)
    loi = member_id(committee, "Đặng Văn Lợi")  # Tổ dân phố số 3, proposed good
    assert choose(ward_client, member_url(loi), f"member-{loi}", "completed", REASON).status_code == 302
    with app.app_context():
        from review.database import write_transaction

        with write_transaction():
            row = db.session.scalars(select(MemberDecision).where(MemberDecision.member_id == loi)).one()
            row.proposed_level = "excellent"  # as if chosen when the cell had proposed excellent
    response = issue(ward_client)
    assert response.status_code == 422
    assert "đã thay đổi sau khi Đảng ủy chọn" in text(response) and "Đặng Văn Lợi" in text(response)
    with app.app_context():
        assert db.session.scalars(select(DecisionSeal)).all() == []
    # Saved again against the proposal in force: the decision can be issued.
    assert choose(ward_client, member_url(loi), f"member-{loi}", "completed", REASON).status_code == 302
    assert issue(ward_client).status_code == 302


def test_the_issue_is_refused_when_the_cells_changed_since_the_page(app, committee, ward_client):
    lower_seed_cell(ward_client, committee)
    data = hidden(ward_client, f"{PAGE}/issue")
    assert data["basis"].count(":sealed:1:") == 2  # both cells, sealed, version 1
    fields = {
        "number": "15-QĐ/ĐU",
        "issued_on": "2020-12-10",
        "place": "Thượng Thanh",
        "signer_name": "Nguyễn Văn Bình",
        "signer_title": "secretary",
    }
    response = ward_client.post(f"{PAGE}/issue", data=data | fields | {"basis": data["basis"].replace(":1:", ":2:", 1)})
    assert response.status_code == 422 and "Kết quả của các chi bộ vừa thay đổi" in text(response)
    with app.app_context():
        assert db.session.scalars(select(DecisionSeal)).all() == []
    # The page shown again carries the basis of now: issuing from it succeeds.
    again = re.search(r'name="basis" type="hidden" value="([^"]*)"', response.get_data(as_text=True))
    assert again is not None and html_lib.unescape(again.group(1)) == data["basis"]
    assert issue(ward_client).status_code == 302


def test_an_issued_version_is_kept_as_it_was(app, committee, ward_client):
    from review.database import write_transaction
    from review.seal_guard import SealedError

    lower_seed_cell(ward_client, committee)
    assert issue(ward_client).status_code == 302
    with app.app_context():
        seal = db.session.scalars(select(DecisionSeal)).one()
        with pytest.raises(SealedError), write_transaction():
            seal.number = "16-QĐ/ĐU"
        db.session.rollback()
        seal = db.session.scalars(select(DecisionSeal)).one()
        with pytest.raises(SealedError), write_transaction():
            db.session.delete(seal)
        db.session.rollback()
        assert db.session.scalars(select(DecisionSeal)).one().number == "15-QĐ/ĐU"


def test_a_sealed_cell_is_never_recorded_as_not_reviewed(app, committee, ward_client):
    cell_id = committee["cells"][SEED_CELL]
    url = f"{PAGE}/cells/{cell_id}/not-reviewed"
    data = {"csrf_token": csrf_token(ward_client, PAGE), "reason": "Chi bộ sáp nhập trong năm", "version": "0"}
    response = ward_client.post(url, data=data)
    assert response.status_code == 422 and "đã niêm phong kết quả" in text(response)
    with app.app_context():
        from review.models import CellDecision

        assert db.session.scalars(select(CellDecision)).all() == []
