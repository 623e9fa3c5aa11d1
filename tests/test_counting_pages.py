"""The ballot-counting committee's pages: the committee, one-time codes, double entry, comparison."""

from __future__ import annotations

import html
import json
import re

import pytest
from sqlalchemy import func, select

from review.counting import SEALED_MESSAGE, set_committee
from review.extensions import db
from review.models import BallotCounter, Cell, CounterCode, Meeting, Member, Participant, Tally, User
from review.versioning import versions_token

from helpers import csrf_token, form_values

ERROR = re.compile(r'<p class="error[^"]*"[^>]*>([^<]*)</p>')
PROBLEM = re.compile(r'<li id="check-\d+">([^<]*)</li>')
CODE = re.compile(r"\b([A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4})\b")
OTHER_CELL = "Chi bộ Khu dân cư số 2"


def write_copy(seed_path, tmp_path, name: str, *, year: int | None = None, cell: str | None = None):  # type: ignore[no-untyped-def]
    """Write the seed without its ballot (a meeting still to count), for another year or cell."""
    data = json.loads(seed_path.read_text(encoding="utf-8"))
    del data["ballot"]
    if year is not None:
        shift = year - data["year"]
        data["year"] = year
        for key in ("starts_at", "ends_at"):
            data["meeting"][key] = str(int(data["meeting"][key][:4]) + shift) + data["meeting"][key][4:]
    if cell is not None:
        data["organization"]["cell"] = cell
    path = tmp_path / name
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.fixture
def world(app, runner, seed_path, tmp_path, make_user):  # type: ignore[no-untyped-def]
    """Three meetings and their people.

    Cell A holds the seed's 2020 meeting (imported, so sealed, counters m06 m07 m08) and a 2021
    meeting still to count (committee m06 m07 m08 m09, chief m06). Another cell holds a meeting
    to count (committee m06 m07 m08). Accounts: A's secretary ``bithu``; counters ``kp1`` (m06),
    ``kp2`` (m07), ``kp3`` (m08), ``kp-ngoai`` (m01, not on any committee); the other cell's
    secretary ``bithu2`` and counter ``kp-khac`` (its m06); the ward's ``danguy``.
    """
    assert runner.invoke(args=["meeting", "import", str(seed_path)]).exit_code == 0
    for path in (
        write_copy(seed_path, tmp_path, "2021.json", year=2021),
        write_copy(seed_path, tmp_path, "other.json", cell=OTHER_CELL),
    ):
        result = runner.invoke(args=["meeting", "import", str(path)])
        assert result.exit_code == 0, result.output
    with app.app_context():
        cell_a = db.session.scalar(select(Cell).where(Cell.name != OTHER_CELL))
        cell_b = db.session.scalar(select(Cell).where(Cell.name == OTHER_CELL))
        meetings = {(m.cell_id, m.year): m for m in db.session.scalars(select(Meeting))}
        sealed, counting, other = meetings[(cell_a.id, 2020)], meetings[(cell_a.id, 2021)], meetings[(cell_b.id, 2020)]
        assert sealed.sealed and not counting.sealed and not other.sealed
        members_a = {m.code: m.id for m in cell_a.members}
        members_b = {m.code: m.id for m in cell_b.members}
        set_committee(counting, [members_a[c] for c in ("m06", "m07", "m08", "m09")], members_a["m06"])
        set_committee(other, [members_b[c] for c in ("m06", "m07", "m08")], members_b["m06"])
        db.session.commit()
        ids = {
            "sealed": sealed.id,
            "meeting": counting.id,
            "other": other.id,
            "cell": cell_a.id,
            "other_cell": cell_b.id,
            "organization": cell_a.organization_id,
            "members": members_a,
            "members_b": members_b,
        }
    make_user("bithu", "secretary", cell_id=ids["cell"])
    make_user("bithu2", "secretary", cell_id=ids["other_cell"])
    make_user("danguy", "ward", organization_id=ids["organization"])
    accounts = {
        "kp1": (ids["cell"], members_a["m06"]),
        "kp2": (ids["cell"], members_a["m07"]),
        "kp3": (ids["cell"], members_a["m08"]),
        "kp-ngoai": (ids["cell"], members_a["m01"]),
        "kp-khac": (ids["other_cell"], members_b["m06"]),
    }
    for username, (cell_id, member_id) in accounts.items():
        user_id = make_user(username, "counter", cell_id=cell_id)
        with app.app_context():
            user = db.session.get(User, user_id)
            user.member_id = member_id
            db.session.commit()
    return ids


def seed_ballot(seed_path) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Return the seed's ballot as the tally form posts it."""
    ballot = json.loads(seed_path.read_text(encoding="utf-8"))["ballot"]
    data = {name: str(ballot[name]) for name in ("issued", "returned", "invalid")}
    data["invalid_reasons"] = ballot["invalid_reasons"]
    for key, row in ballot["rows"].items():
        for field, value in row.items():
            data[f"rows-{key}-{field}"] = str(value)
    return data


def post(client, url: str, data: dict[str, object], form_url: str | None = None, **kw):  # type: ignore[no-untyped-def]
    """Post a form with the CSRF token and the version of the page at ``form_url`` (default: ``url``)."""
    return client.post(url, data=form_values(client, form_url or url) | data, **kw)


def text(response) -> str:  # type: ignore[no-untyped-def]
    return html.unescape(response.get_data(as_text=True))


def plain(response) -> str:  # type: ignore[no-untyped-def]
    """Return the page's text without tags, white space collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", text(response)).split())


def errors(response) -> list[str]:  # type: ignore[no-untyped-def]
    return [html.unescape(e) for e in ERROR.findall(response.get_data(as_text=True))]


def problems(response) -> list[str]:  # type: ignore[no-untyped-def]
    return [html.unescape(p) for p in PROBLEM.findall(response.get_data(as_text=True))]


def counter_ids(app, meeting_id: int) -> list[int]:  # type: ignore[no-untyped-def]
    with app.app_context():
        return [c.member_id for c in db.session.get(Meeting, meeting_id).counters]


def tallies(app, meeting_id: int) -> dict[str, dict]:  # type: ignore[no-untyped-def]
    """Return the meeting's stored entries as plain data, by entry."""
    with app.app_context():
        found = {}
        for t in db.session.scalars(select(Tally).where(Tally.meeting_id == meeting_id)):
            rows = {
                (r.participant.member.code if r.participant else "cell"): (
                    r.excellent,
                    r.good,
                    r.completed,
                    r.not_completed,
                    r.blank,
                )
                for r in t.rows
            }
            found[t.entry] = {
                "issued": t.issued,
                "returned": t.returned,
                "invalid": t.invalid,
                "user": t.user.username if t.user else None,
                "rows": rows,
            }
        return found


def input_tag(page: str, name: str) -> str:
    match = re.search(rf'<input[^>]*name="{re.escape(name)}"[^>]*>', page)
    assert match, f"no input {name}"
    return match.group(0)


def row_tag(page: str, key: str) -> str:
    match = re.search(rf'<tr data-row="{key}"[^>]*>', page)
    assert match, f"no row {key}"
    return match.group(0)


# ---------------------------------------------------------------------------
# The committee


def test_committee_is_saved_with_its_chief_first(app, client, login, world):
    login("bithu")
    url = f"/meetings/{world['meeting']}/committee"
    page = text(client.get(url))
    assert "Ban kiểm phiếu" in page and 'aria-current="step"' in page
    m = world["members"]
    response = post(client, url, {"members": [str(m["m02"]), str(m["m04"]), str(m["m09"])], "chief": str(m["m04"])})
    assert response.status_code == 302 and response.headers["Location"].endswith(url)
    assert counter_ids(app, world["meeting"]) == [m["m04"], m["m02"], m["m09"]]
    page = text(client.get(url))
    assert "Đã lưu ban kiểm phiếu." in page
    assert re.search(rf'value="{m["m02"]}" id="member-{m["m02"]}" checked', page)
    assert re.search(rf'<option selected value="{m["m04"]}">Nguyễn Thị Hồng Dung</option>', page)


def test_committee_refuses_a_probationary_member_and_keeps_the_ticks(app, client, login, world):
    with app.app_context():
        participant = db.session.scalar(
            select(Participant)
            .join(Participant.member)
            .where(Participant.meeting_id == world["meeting"], Member.code == "m05")
        )
        participant.standing = "probationary"
        absent = db.session.scalar(
            select(Participant)
            .join(Participant.member)
            .where(Participant.meeting_id == world["meeting"], Member.code == "m10")
        )
        absent.attendance = "absent_excused"
        absent.absence_reason = "Ốm"
        db.session.commit()
    login("bithu")
    url = f"/meetings/{world['meeting']}/committee"
    m = world["members"]
    page = text(client.get(url))
    assert re.search(rf'<input type="checkbox" name="members" value="{m["m05"]}"[^>]*disabled', page)
    assert "Đảng viên dự bị: không được tham gia ban kiểm phiếu." in page
    assert (
        re.search(rf'value="{m["m10"]}"[^>]*disabled', page) and "Vắng có lý do: không tham gia ban kiểm phiếu." in page
    )
    assert not re.search(rf'value="{m["m09"]}"[^>]*disabled', page)
    response = post(client, url, {"members": [str(m["m02"]), str(m["m05"]), str(m["m09"])], "chief": str(m["m02"])})
    assert response.status_code == 422
    assert "Đồng chí Trần Thị Minh Nguyệt là đảng viên dự bị, không được tham gia ban kiểm phiếu." in errors(response)
    page = text(response)
    assert re.search(rf'value="{m["m09"]}" id="member-{m["m09"]}" checked', page)  # the ticks are kept
    assert counter_ids(app, world["meeting"]) == [m["m06"], m["m07"], m["m08"], m["m09"]]  # nothing saved


@pytest.mark.parametrize(
    "ticked, chief, message, field",
    [
        (["m02"], "m02", "Ban kiểm phiếu cần ít nhất 2 đồng chí để nhập kết quả hai lần độc lập.", "members"),
        ([], "0", "Ban kiểm phiếu cần ít nhất 2 đồng chí để nhập kết quả hai lần độc lập.", "members"),
        (["m02", "m03"], "m09", "Trưởng ban phải là một thành viên ban kiểm phiếu.", "chief"),
        (["m02", "m03"], "0", "Trưởng ban phải là một thành viên ban kiểm phiếu.", "chief"),
        (["m02", "x"], "m02", "Lựa chọn không hợp lệ.", "members"),
    ],
)
def test_committee_refusals_name_the_field_and_save_nothing(app, client, login, world, ticked, chief, message, field):
    login("bithu")
    url = f"/meetings/{world['meeting']}/committee"
    m = world["members"]
    response = post(client, url, {"members": [str(m.get(t, t)) for t in ticked], "chief": str(m.get(chief, chief))})
    assert response.status_code == 422
    assert re.search(rf'<p class="error" id="{field}-error">{re.escape(message)}</p>', text(response)), errors(response)
    assert counter_ids(app, world["meeting"]) == [m["m06"], m["m07"], m["m08"], m["m09"]]


def test_committee_of_a_sealed_meeting_is_read_only(app, client, login, world):
    login("bithu")
    url = f"/meetings/{world['sealed']}/committee"
    page = text(client.get(url))
    assert SEALED_MESSAGE in page and 'name="members"' not in page and "Cấp mã đăng nhập một lần" not in page
    assert "Đỗ Thị Thanh Thủy" in page and "Trưởng ban" in page
    token = csrf_token(client, f"/meetings/{world['meeting']}/committee")
    m = world["members"]
    with app.app_context():  # the read-only page has no form: a forged post with the current version
        version = versions_token(list(db.session.get(Meeting, world["sealed"]).counters))
    response = client.post(
        url,
        data={
            "csrf_token": token,
            "version": version,
            "members": [str(m["m02"]), str(m["m03"])],
            "chief": str(m["m02"]),
        },
    )
    assert response.status_code == 422 and SEALED_MESSAGE in text(response)
    before = [m["m06"], m["m07"], m["m08"]]
    assert counter_ids(app, world["sealed"]) == before
    response = client.post(f"{url}/code/{m['m06']}", data={"csrf_token": token})
    assert response.status_code == 422 and f"Chưa cấp mã: {SEALED_MESSAGE}" in errors(response)
    with app.app_context():
        assert db.session.scalar(select(func.count(CounterCode.id))) == 0


@pytest.mark.parametrize("username, status", [("kp1", 403), ("danguy", 403), ("bithu2", 404)])
def test_committee_is_the_cell_secretarys(app, client, login, world, username, status):
    login(username)
    assert client.get(f"/meetings/{world['meeting']}/committee").status_code == status
    token = csrf_token(client, "/")
    response = client.post(
        f"/meetings/{world['meeting']}/committee/code/{world['members']['m08']}", data={"csrf_token": token}
    )
    assert response.status_code == status


# ---------------------------------------------------------------------------
# One-time codes


def issue(client, world, code: str = "m08"):  # type: ignore[no-untyped-def]
    """Issue a code: the POST's answer shows it, once (never through the session and a redirect)."""
    committee = f"/meetings/{world['meeting']}/committee"
    response = post(client, f"{committee}/code/{world['members'][code]}", {}, form_url=committee)
    assert response.status_code == 200
    page = text(response)
    found = CODE.findall(page)
    assert len(set(found)) == 1, found
    return found[0], page


def test_a_code_is_shown_once_with_where_to_enter_it(app, client, login, world):
    login("bithu")
    code, page = issue(client, world)
    assert "Mã đăng nhập một lần của đồng chí <bdi>Hoàng Thị Lệ Quyên</bdi>" in page
    assert "http://localhost/code" in page
    assert all(f"Có tài khoản riêng: <bdi>kp{i}</bdi>" in page for i in (1, 2, 3))
    assert page.count("Chưa có tài khoản riêng") == 1  # m09 has none
    again = text(client.get(f"/meetings/{world['meeting']}/committee"))
    assert code not in again and not CODE.search(again)
    with app.app_context():  # only the hashes are kept
        stored = db.session.scalars(select(CounterCode)).all()
        assert len(stored) == 1 and code.replace("-", "") not in stored[0].code_hash + stored[0].lookup_key


def test_a_code_signs_in_to_the_tally_page_only(app, client, login, world, seed_path):
    login("bithu")
    code, _ = issue(client, world)
    client.post("/auth/logout", data={"csrf_token": csrf_token(client, "/")})
    response = post(client, "/code", {"code": code.lower().replace("-", " - ")})
    tally_url = f"/meetings/{world['meeting']}/tally"
    assert response.status_code == 302 and response.headers["Location"].endswith(tally_url)
    page = text(client.get(tally_url))
    assert "Nhập kết quả kiểm phiếu" in page and "Đã đăng nhập bằng mã một lần." in page
    with app.app_context():
        user = db.session.scalar(select(User).where(User.meeting_id == world["meeting"]))
        assert user.role == "counter" and user.member.code == "m08" and user.display_name == "Hoàng Thị Lệ Quyên"
    # The code account reaches this meeting's counting and nothing else.
    assert client.get(f"/meetings/{world['meeting']}/tally/compare").status_code == 200
    for url in (
        f"/meetings/{world['meeting']}/opening",
        f"/meetings/{world['meeting']}/committee",
        f"/cells/{world['cell']}/members",
    ):
        assert client.get(url).status_code == 403, url
    # m08 counts the sealed 2020 meeting too, but the code opened the 2021 one only.
    assert client.get(f"/meetings/{world['sealed']}/tally").status_code == 404
    assert client.get(f"/meetings/{world['sealed']}/tally/compare").status_code == 404
    assert client.get(f"/meetings/{world['other']}/tally").status_code == 404
    # The entry is the code account's own.
    assert post(client, tally_url, seed_ballot(seed_path)).status_code == 302
    assert tallies(app, world["meeting"])["first"]["user"] == f"kp-{world['meeting']}-m08"


def test_a_code_sign_in_is_noted_as_a_password_one(app, client, login, world):
    from review.auth import routes as auth_routes
    from review.auth import sign_ins
    from review.counting_pages import routes as counting_routes

    assert counting_routes.record_sign_in is sign_ins.record_sign_in is auth_routes.record_sign_in  # one way
    login("bithu")
    code, _ = issue(client, world)
    client.post("/auth/logout", data={"csrf_token": csrf_token(client, "/")})
    assert post(client, "/code", {"code": code}).status_code == 302
    with app.app_context():
        user = db.session.scalar(select(User).where(User.meeting_id == world["meeting"]))
        assert user.last_sign_in_at is not None


def test_a_code_is_used_once(app, client, login, world):
    login("bithu")
    code, _ = issue(client, world)
    client.post("/auth/logout", data={"csrf_token": csrf_token(client, "/")})
    assert post(client, "/code", {"code": code}).status_code == 302
    client.post("/auth/logout", data={"csrf_token": csrf_token(client, "/")})
    response = post(client, "/code", {"code": code})
    assert response.status_code == 422
    assert "Mã không đúng, đã dùng hoặc đã hết hạn. Đề nghị đồng chí bí thư cấp mã mới." in errors(response)
    assert f'value="{code}"' in text(response)  # the code field keeps what was typed
    assert client.get(f"/meetings/{world['meeting']}/tally").status_code == 302  # not signed in


@pytest.mark.parametrize(
    "typed, message",
    [
        ("ABCD-EFGH", "Mã không đúng, đã dùng hoặc đã hết hạn."),
        ("", "Nhập mã đăng nhập một lần."),
    ],
)
def test_a_wrong_code_is_refused(app, client, world, typed, message):
    response = post(client, "/code", {"code": typed})
    assert response.status_code == 422
    assert any(message in e for e in errors(response))
    assert f'value="{typed}"' in text(response) or not typed


def test_a_code_is_only_for_a_counter_of_the_meeting(app, client, login, world):
    login("bithu")
    committee = f"/meetings/{world['meeting']}/committee"
    response = post(client, f"{committee}/code/{world['members']['m01']}", {}, form_url=committee)
    assert response.status_code == 422
    assert "Chưa cấp mã: Chỉ cấp mã cho thành viên ban kiểm phiếu." in errors(response)
    m = world["members"]
    assert re.search(rf'value="{m["m07"]}" id="member-{m["m07"]}" checked', text(response))  # the stored committee
    response = post(client, f"{committee}/code/{world['members_b']['m06']}", {}, form_url=committee)
    assert response.status_code == 422
    with app.app_context():
        assert db.session.scalar(select(func.count(CounterCode.id))) == 0


# ---------------------------------------------------------------------------
# The tally entry


def test_the_full_seed_ballot_saves_with_no_problem(app, client, login, world, seed_path):
    login("kp1")
    url = f"/meetings/{world['meeting']}/tally"
    assert "Khi lưu lần đầu, đây sẽ là bản nhập thứ nhất ." in plain(client.get(url))
    page = text(client.get(url))
    names = re.findall(r'<th scope="row">(?:\d+\. )?(?:<bdi>)?([^<]+)(?:</bdi>)?</th>', page)
    assert names[0] == "Nguyễn Thị Ngọc Hân" and names[2] == "Phan Thị Hòa" and names[-1] == "Tập thể chi bộ"
    assert len(names) == 11
    tag = input_tag(page, "rows-m03-good")
    assert (
        'inputmode="numeric"' in tag
        and 'type="text"' in tag
        and 'aria-label="Phan Thị Hòa: Hoàn thành tốt nhiệm vụ"' in tag
    )
    response = post(client, url, seed_ballot(seed_path))
    assert response.status_code == 302 and response.headers["Location"].endswith(url)
    page = text(client.get(url))
    assert "Đã lưu bản nhập thứ nhất." in page and "Bản nhập thứ nhất" in page
    assert "Số liệu khớp: mọi kiểm tra đều đạt." in page and not problems(client.get(url))
    assert "aria-invalid" not in page and "has-problem" not in page
    assert re.search(r"data-valid>10<", page) and re.search(r'data-row-total="m03">10<', page)
    stored = tallies(app, world["meeting"])
    assert set(stored) == {"first"} and stored["first"]["user"] == "kp1"
    assert stored["first"]["rows"]["m03"] == (8, 2, 0, 0, 0) and stored["first"]["rows"]["cell"] == (9, 1, 0, 0, 0)
    assert len(stored["first"]["rows"]) == 11


@pytest.mark.parametrize(
    "changes, expected, marked",
    [
        ({"issued": "9"}, "Số phiếu thu vào (10) lớn hơn số phiếu phát ra (9).", "returned"),
        (
            {"issued": "11", "returned": "11", "invalid": "1"},
            "Số phiếu phát ra (11) lớn hơn số đảng viên có quyền biểu quyết có mặt (10).",
            "issued",
        ),
        ({"invalid": "11"}, "Số phiếu không hợp lệ (11) lớn hơn số phiếu thu vào (10).", "invalid"),
        (
            {"rows-m03-good": "3"},
            "Dòng đồng chí Phan Thị Hòa: Tổng các ô 8 + 3 + 0 + 0 + 0 = 11, khác số phiếu hợp lệ 10.",
            "rows-m03-good",
        ),
        (
            {"rows-cell-blank": "1"},
            "Dòng Tập thể chi bộ: Tổng các ô 9 + 1 + 0 + 0 + 1 = 11, khác số phiếu hợp lệ 10.",
            "rows-cell-excellent",
        ),
    ],
)
def test_every_check_is_shown_naming_the_row_and_numbers(
    app, client, login, world, seed_path, changes, expected, marked
):
    login("kp1")
    url = f"/meetings/{world['meeting']}/tally"
    response = post(client, url, seed_ballot(seed_path) | changes)
    assert response.status_code == 302  # work in progress is saved even while a check fails
    page_response = client.get(url)
    assert expected in problems(page_response), problems(page_response)
    page = text(page_response)
    assert 'aria-invalid="true"' in input_tag(page, marked)
    if marked.startswith("rows-"):
        key = marked.split("-")[1]
        assert "has-problem" in row_tag(page, key)
        assert "has-problem" not in row_tag(page, "m01")
        assert "aria-invalid" not in input_tag(page, "rows-m01-good")
    stored = tallies(app, world["meeting"])["first"]
    for name, value in changes.items():
        if name in ("issued", "returned", "invalid"):
            assert stored[name] == int(value)


def test_a_row_sum_problem_names_the_member_and_both_numbers(app, client, login, world, seed_path):
    login("kp1")
    url = f"/meetings/{world['meeting']}/tally"
    post(client, url, seed_ballot(seed_path) | {"rows-m03-good": "3"})
    found = problems(client.get(url))
    assert len(found) == 1
    assert "Phan Thị Hòa" in found[0] and "11" in found[0] and "10" in found[0]


@pytest.mark.parametrize(
    "value, message",
    [
        ("-1", "Cần một số nguyên không âm."),
        ("ba", "Cần một số nguyên không âm."),
        ("2,5", "Cần một số nguyên không âm."),
        ("", "Nhập một số (0 nếu không có)."),
    ],
)
def test_an_unreadable_number_is_refused_and_nothing_is_saved(app, client, login, world, seed_path, value, message):
    login("kp1")
    url = f"/meetings/{world['meeting']}/tally"
    assert post(client, url, seed_ballot(seed_path)).status_code == 302
    response = post(client, url, seed_ballot(seed_path) | {"rows-m03-good": value, "issued": "9"})
    assert response.status_code == 422
    page = text(response)
    assert re.search(rf'<p class="error" id="rows-m03-good-error" data-input-error>{re.escape(message)}</p>', page)
    tag = input_tag(page, "rows-m03-good")
    assert 'aria-invalid="true"' in tag and f'value="{value}"' in tag  # kept as typed
    assert 'value="9"' in input_tag(page, "issued")
    stored = tallies(app, world["meeting"])["first"]
    assert stored["issued"] == 10 and stored["rows"]["m03"] == (8, 2, 0, 0, 0)  # nothing saved


def test_an_unreadable_first_entry_claims_nothing(app, client, login, world, seed_path):
    login("kp1")
    response = post(client, f"/meetings/{world['meeting']}/tally", seed_ballot(seed_path) | {"returned": "mười"})
    assert response.status_code == 422
    assert tallies(app, world["meeting"]) == {}


def test_the_check_answers_json_without_saving(app, client, login, world, seed_path):
    login("kp1")
    url = f"/meetings/{world['meeting']}/tally"
    check = f"{url}/check"
    response = post(
        client, check, seed_ballot(seed_path) | {"rows-m03-good": "3"}, form_url=url, headers={"X-Autosave": "1"}
    )
    assert response.status_code == 200 and response.json["ok"] is True and response.json["valid"] == 10
    [problem] = response.json["problems"]
    assert problem["row"] == "m03" and problem["path"] == ["rows", "m03"]
    assert (
        problem["message"] == "Dòng đồng chí Phan Thị Hòa: Tổng các ô 8 + 3 + 0 + 0 + 0 = 11, khác số phiếu hợp lệ 10."
    )
    ok = post(client, check, seed_ballot(seed_path), form_url=url, headers={"X-Autosave": "1"})
    assert ok.status_code == 200 and ok.json["problems"] == []
    bad = post(client, check, seed_ballot(seed_path) | {"issued": "-3"}, form_url=url, headers={"X-Autosave": "1"})
    assert bad.status_code == 422 and bad.json["ok"] is False
    assert bad.json["errors"] == {"issued": ["Cần một số nguyên không âm."]}
    assert tallies(app, world["meeting"]) == {}  # nothing saved, no entry claimed


def test_the_page_carries_the_live_check_without_inline_script(app, client, login, world):
    login("kp1")
    page = text(client.get(f"/meetings/{world['meeting']}/tally"))
    assert f'data-check-url="/meetings/{world["meeting"]}/tally/check"' in page
    assert "js/tally.js" in page and "aria-live" in page
    assert not re.search(r"<script>|<script [^>]*>[^<]|\sstyle=|\son[a-z]+=", page)


# ---------------------------------------------------------------------------
# Double entry and the comparison


def test_two_entries_compare_and_show_exactly_the_difference(app, client, login, world, seed_path):
    compare = f"/meetings/{world['meeting']}/tally/compare"
    url = f"/meetings/{world['meeting']}/tally"
    login("kp1")
    assert post(client, url, seed_ballot(seed_path)).status_code == 302
    assert "Cần đủ hai bản nhập" in text(client.get(compare))
    client.post("/auth/logout", data={"csrf_token": csrf_token(client, "/")})
    login("kp2")
    assert "Khi lưu lần đầu, đây sẽ là bản nhập thứ hai ." in plain(client.get(url))
    assert post(client, url, seed_ballot(seed_path) | {"rows-m05-good": "8"}).status_code == 302
    assert "Bản nhập thứ hai , do đồng chí Vũ Thị Ngọc Ánh nhập" in plain(client.get(url))
    page = text(client.get(compare))
    body = re.search(r"<tbody>(.*?)</tbody>", page, re.S).group(1)
    rows = re.findall(r"<tr>.*?</tr>", body, re.S)
    assert len(rows) == 1
    cells = [c.strip() for c in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", rows[0], re.S)]
    assert cells == ["Trần Thị Minh Nguyệt", "Hoàn thành tốt nhiệm vụ (HTTNV)", "9", "8"]
    assert "Hai bản nhập khác nhau ở 1 chỗ." in page
    assert "đồng chí <bdi>Đỗ Thị Thanh Thủy</bdi> nhập" in page and "đồng chí <bdi>Vũ Thị Ngọc Ánh</bdi> nhập" in page
    # The secretary sees the same; the second counter fixes the mistake and the entries agree.
    client.post("/auth/logout", data={"csrf_token": csrf_token(client, "/")})
    login("bithu")
    assert "Trần Thị Minh Nguyệt" in text(client.get(compare))
    client.post("/auth/logout", data={"csrf_token": csrf_token(client, "/")})
    login("kp2")
    assert post(client, url, seed_ballot(seed_path)).status_code == 302
    assert "Hai bản nhập khớp nhau." in text(client.get(compare))
    assert set(tallies(app, world["meeting"])) == {"first", "second"}


def test_differences_in_the_paper_counts_are_named(app, client, login, world, seed_path):
    url = f"/meetings/{world['meeting']}/tally"
    login("kp1")
    post(client, url, seed_ballot(seed_path))
    client.post("/auth/logout", data={"csrf_token": csrf_token(client, "/")})
    login("kp2")
    post(client, url, seed_ballot(seed_path) | {"issued": "9"})
    page = text(client.get(f"{url}/compare"))
    assert re.search(
        r'<th scope="row">Số phiếu phát ra</th>\s*<td>Số phiếu</td>\s*<td[^>]*>10</td>\s*<td[^>]*>9</td>', page
    )


def test_a_third_counter_cannot_add_a_third_entry(app, client, login, world, seed_path):
    url = f"/meetings/{world['meeting']}/tally"
    for username in ("kp1", "kp2"):
        login(username)
        assert post(client, url, seed_ballot(seed_path)).status_code == 302
        client.post("/auth/logout", data={"csrf_token": csrf_token(client, "/")})
    login("kp3")
    assert "Đã có hai bản nhập của hai đồng chí khác" in text(client.get(url))
    response = post(client, url, seed_ballot(seed_path))
    assert response.status_code == 422
    assert "Đã có hai bản nhập của hai đồng chí khác; mỗi cuộc kiểm phiếu chỉ nhập hai lần." in errors(response)
    assert {v["user"] for v in tallies(app, world["meeting"]).values()} == {"kp1", "kp2"}


def test_a_sealed_meeting_refuses_the_save(app, client, login, world, seed_path):
    login("kp1")  # m06 sat on the 2020 committee: the seed's counted ballot is sealed
    url = f"/meetings/{world['sealed']}/tally"
    page = text(client.get(url))
    assert SEALED_MESSAGE in page and "Lưu bản nhập" not in page and "data-tally" not in page
    assert "readonly" in input_tag(page, "rows-m03-good") and 'value="8"' in input_tag(page, "rows-m03-excellent")
    response = post(client, url, seed_ballot(seed_path))
    assert response.status_code == 422 and SEALED_MESSAGE in text(response)
    assert set(tallies(app, world["sealed"])) == {"final"}


def test_a_refused_save_of_sealed_tallies_shows_the_sealed_numbers(app, client, login, world, seed_path):
    login("kp1")
    url = f"/meetings/{world['sealed']}/tally"
    before = tallies(app, world["sealed"])
    forged = seed_ballot(seed_path) | {"rows-m03-excellent": "6", "rows-m03-good": "4"}
    response = post(client, url, forged)
    assert response.status_code == 422
    page = text(response)
    assert page.count(SEALED_MESSAGE) == 1  # said once, not as a banner and again as an error
    # The read-only page shows what is sealed, never the numbers it just refused.
    assert 'value="8"' in input_tag(page, "rows-m03-excellent") and 'value="2"' in input_tag(page, "rows-m03-good")
    assert "readonly" in input_tag(page, "rows-m03-excellent") and "Lưu bản nhập" not in page
    assert tallies(app, world["sealed"]) == before


# ---------------------------------------------------------------------------
# Who reaches what


@pytest.mark.parametrize("username", ["bithu", "bithu2", "kp-khac", "kp-ngoai", "danguy"])
def test_only_the_meetings_counters_reach_the_tally(app, client, login, world, seed_path, username):
    login(username)
    url = f"/meetings/{world['meeting']}/tally"
    assert client.get(url).status_code == 404
    token = csrf_token(client, "/")
    assert client.post(url, data={"csrf_token": token} | seed_ballot(seed_path)).status_code == 404
    assert client.post(f"{url}/check", data={"csrf_token": token} | seed_ballot(seed_path)).status_code == 404
    expected = 200 if username == "bithu" else 404
    assert client.get(f"{url}/compare").status_code == expected
    assert tallies(app, world["meeting"]) == {}


def test_another_cells_counter_reaches_only_their_own_meeting(app, client, login, world, seed_path):
    login("kp-khac")
    assert client.get(f"/meetings/{world['other']}/tally").status_code == 200
    assert client.get(f"/meetings/{world['meeting']}/tally").status_code == 404


def test_anonymous_users_are_sent_to_sign_in(app, client, world):
    for url in (
        f"/meetings/{world['meeting']}/tally",
        f"/meetings/{world['meeting']}/tally/compare",
        f"/meetings/{world['meeting']}/committee",
    ):
        response = client.get(url)
        assert response.status_code == 302 and "/auth/login" in response.headers["Location"], url
    assert client.get("/code").status_code == 200  # the code page is public


def test_posts_without_the_csrf_token_are_refused(app, client, login, world, seed_path):
    assert client.post("/code", data={"code": "ABCD-EFGH"}).status_code == 400
    login("bithu")
    m = world["members"]
    committee = f"/meetings/{world['meeting']}/committee"
    assert (
        client.post(committee, data={"members": [str(m["m02"]), str(m["m03"])], "chief": str(m["m02"])}).status_code
        == 400
    )
    assert client.post(f"{committee}/code/{m['m08']}").status_code == 400
    assert counter_ids(app, world["meeting"]) == [m["m06"], m["m07"], m["m08"], m["m09"]]
    client.post("/auth/logout", data={"csrf_token": csrf_token(client, "/")})
    login("kp1")
    url = f"/meetings/{world['meeting']}/tally"
    assert client.post(url, data=seed_ballot(seed_path)).status_code == 400
    assert client.post(f"{url}/check", data=seed_ballot(seed_path)).status_code == 400
    assert tallies(app, world["meeting"]) == {}
    with app.app_context():
        assert db.session.scalar(select(func.count(CounterCode.id))) == 0
        assert db.session.scalar(select(func.count(BallotCounter.id))) >= 9
