"""The roster from a spreadsheet in the browser and on the command line (SPEC 10): upload, preview, confirm; export."""

from __future__ import annotations

import io
import json
import re
from datetime import date, datetime
from html import unescape

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from review.database import write_transaction
from review.extensions import db
from review.meeting_edits import start_meeting
from review.models import Cell, Member, Participant

from helpers import csrf_token, form_values

CELL = "Chi bộ Trường Mầm non Thượng Thanh"
OTHER_CELL = "Chi bộ Khu dân cư số 5"
HEADER = ["STT", "Họ và tên", "Ngày sinh", "Ngày vào Đảng", "Ngày chính thức", "Chức vụ", "Số thẻ đảng viên", "Ghi chú"]


def cell_id(app, name: str = CELL) -> int:  # type: ignore[no-untyped-def]
    with app.app_context():
        return db.session.scalar(select(Cell.id).where(Cell.name == name))


@pytest.fixture
def seeded(app, runner, seed_path, make_user, login):  # type: ignore[no-untyped-def]
    result = runner.invoke(args=["meeting", "import", str(seed_path)])
    assert result.exit_code == 0, result.output
    cid = cell_id(app)
    make_user("bithu", "secretary", cell_id=cid)
    login("bithu")
    return cid


def roster(app, cid: int) -> list[tuple]:  # type: ignore[no-untyped-def]
    with app.app_context():
        members = db.session.scalars(select(Member).where(Member.cell_id == cid).order_by(Member.id))
        return [
            (m.code, m.name, m.standing, m.position, m.admitted_on, m.official_on, m.card_number, m.born_on, m.note)
            for m in members
        ]


def xlsx(rows, title: bool = True) -> bytes:  # type: ignore[no-untyped-def]
    wb = Workbook()
    ws = wb.active
    if title:
        ws.append(["DANH SÁCH ĐẢNG VIÊN CHI BỘ TRƯỜNG MẦM NON THƯỢNG THANH"])
        ws.append([])
    ws.append(HEADER)
    for r in rows:
        ws.append(r)
        ws.cell(row=ws.max_row, column=7).number_format = "@"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def upload(client, cid: int, data: bytes, filename: str = "danh-sach.xlsx"):  # type: ignore[no-untyped-def]
    url = f"/cells/{cid}/members/import"
    return client.post(
        url,
        data={"csrf_token": csrf_token(client, url), "file": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
    )


def hidden(html: str, name: str) -> str:
    match = re.search(rf'<input[^>]*name="{name}"[^>]*value="([^"]*)"', html) or re.search(
        rf'<input[^>]*value="([^"]*)"[^>]*name="{name}"', html
    )
    assert match, f"no {name} in the page"
    return unescape(match.group(1))


def confirm(client, cid: int, preview_html: str, **override: str):  # type: ignore[no-untyped-def]
    data = {
        "csrf_token": hidden(preview_html, "csrf_token"),
        "token": hidden(preview_html, "token"),
        "roster": hidden(preview_html, "roster"),
    }
    data.update(override)
    return client.post(f"/cells/{cid}/members/import/confirm", data=data)


NEW_ROWS = [
    [1, "Nguyễn Thị Ngọc Hân", None, datetime(2008, 5, 19), "19/05/2009", "Bí thư", "00079137", None],
    [2, "Bùi Văn Khánh", "02/01/1985", "15/01/2019", "", "", "00012345", "chuyển đến"],
    [3, "Đinh Thị Lan", None, datetime(2018, 3, 1), datetime(2019, 3, 1), "Đảng viên", "", None],
]


def test_upload_preview_confirm(app, client, seeded):
    before = roster(app, seeded)
    response = upload(client, seeded, xlsx(NEW_ROWS))
    assert response.status_code == 200, response.get_data(as_text=True)[:3000]
    page = response.get_data(as_text=True)
    assert roster(app, seeded) == before  # nothing stored before the confirmation
    assert "Thêm mới 2, thay đổi 1, không đổi 0 đảng viên; 9 đảng viên không có trong tệp vẫn được giữ" in page
    row = page.split('id="row4"')[1].split("</tr>")[0]  # the title and the blank row: data from row 4
    assert 'data-status="changed"' in page.split('id="row4"')[0][-40:] + page.split('id="row4"')[1][:40]
    assert "Ngày chính thức: — → 19/05/2009" in row and "Số thẻ đảng viên: — → 00079137" in row
    row = page.split('id="row5"')[1].split("</tr>")[0]
    assert "Bùi Văn Khánh" in row and "00012345" in row and "Dự bị" in row and "Thêm mới" in row
    assert "Lê Thị Thu Hương" in page.split("data-missing")[1]
    assert "Xác nhận, lưu danh sách" in page

    response = confirm(client, seeded, page)
    assert response.status_code == 302 and response.headers["Location"] == f"/cells/{seeded}/members"
    listing = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Đã nhập danh sách từ bảng tính: thêm 2, cập nhật 1, giữ nguyên 0 đảng viên." in listing
    assert "00012345" in listing and "19/05/2009" in listing
    after = roster(app, seeded)
    assert len(after) == 12
    assert after[0][5:7] == (date(2009, 5, 19), "00079137")
    assert after[10] == (
        "m11",
        "Bùi Văn Khánh",
        "probationary",
        "member",
        date(2019, 1, 15),
        None,
        "00012345",
        date(1985, 1, 2),
        "chuyển đến",
    )
    assert after[11][:2] == ("m12", "Đinh Thị Lan")
    # The stashed file is gone: confirming twice stores nothing more.
    again = confirm(client, seeded, page)
    assert again.status_code == 422 and "Không còn tệp đã xem trước" in again.get_data(as_text=True)
    assert roster(app, seeded) == after


def test_a_file_with_one_bad_row_stores_nothing_and_lists_every_problem(app, client, seeded):
    before = roster(app, seeded)
    rows = [*NEW_ROWS, [4, "", None, "01/01/2020"], [5, "Trần Văn Tú", None, "31/02/2020", "", "Trưởng ban"]]
    response = upload(client, seeded, xlsx(rows))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Tệp có 3 lỗi nên không nhập được; chưa lưu gì." in page
    assert "dòng 7, cột Họ và tên: Thiếu họ và tên." in page
    assert "dòng 8, cột Ngày vào Đảng: Ngày “31/02/2020” không có trên lịch." in page
    row = page.split('id="row8"')[1].split("</tr>")[0]
    assert "Trưởng ban" in row and "dòng 8, cột Chức vụ: Chức vụ “Trưởng ban” không rõ" in unescape(row)
    assert "Xác nhận, lưu danh sách" not in page and 'name="token"' not in page
    assert roster(app, seeded) == before


def test_files_that_are_not_spreadsheets_get_a_message_not_a_500(client, seeded):
    for data, expected in (
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512, "Tệp có mật khẩu hoặc là tệp .xls cũ"),
        (b"PK\x03\x04garbage", "không phải là bảng tính Excel"),
        ("Họ và tên;Ngày vào Đảng\n".encode("utf-16"), "UTF-8"),
        (b"", "Tệp trống."),
    ):
        response = upload(client, seeded, data, "x.xlsx")
        assert response.status_code == 422
        assert expected in unescape(response.get_data(as_text=True))
    url = f"/cells/{seeded}/members/import"
    response = client.post(url, data={"csrf_token": csrf_token(client, url)})
    assert response.status_code == 422 and "Chọn tệp bảng tính" in response.get_data(as_text=True)


def test_reimporting_the_export_changes_nothing(app, client, seeded):
    for kind in ("xlsx", "csv"):
        before = roster(app, seeded)
        exported = client.get(f"/cells/{seeded}/members/export.{kind}")
        assert exported.status_code == 200 and "attachment" in exported.headers["Content-Disposition"]
        response = upload(client, seeded, exported.data, f"export.{kind}")
        page = response.get_data(as_text=True)
        assert response.status_code == 200, page[:2000]
        assert "Thêm mới 0, thay đổi 0, không đổi 10 đảng viên." in page
        assert confirm(client, seeded, page).status_code == 302
        assert roster(app, seeded) == before


def test_the_export_has_spec_10s_columns_in_order(client, seeded):
    exported = client.get(f"/cells/{seeded}/members/export.xlsx")
    ws = load_workbook(io.BytesIO(exported.data)).worksheets[0]
    rows = [[c.value for c in r] for r in ws.iter_rows()]
    at = next(i for i, r in enumerate(rows) if r[:2] == ["STT", "Họ và tên"])
    assert rows[at] == HEADER
    assert rows[at + 1][:6] == ["1", "Nguyễn Thị Ngọc Hân", None, "19/05/2008", None, "Bí thư"] or rows[at + 1][:6] == [
        "1",
        "Nguyễn Thị Ngọc Hân",
        "",
        "19/05/2008",
        "",
        "Bí thư",
    ]
    csv_text = client.get(f"/cells/{seeded}/members/export.csv").data.decode("utf-8-sig")
    assert csv_text.splitlines()[0] == ";".join(HEADER)
    assert client.get(f"/cells/{seeded}/members/export.pdf").status_code == 404


def test_the_template_reads_as_an_empty_roster(client, seeded):
    from review.roster_files import read_file
    from review.roster_sheet import read_sheet

    response = client.get(f"/cells/{seeded}/members/template.xlsx")
    assert response.status_code == 200
    reading = read_sheet(read_file(response.data), date(2026, 1, 1))
    assert reading.ok and reading.rows == ()


def test_the_roster_changed_since_the_preview_is_refused(app, client, seeded):
    response = upload(client, seeded, xlsx(NEW_ROWS))
    page = response.get_data(as_text=True)
    with app.app_context():
        member = db.session.scalar(select(Member).where(Member.cell_id == seeded, Member.code == "m05"))
        with write_transaction():
            member.note = "sửa trong lúc xem trước"
    before = roster(app, seeded)
    response = confirm(client, seeded, page)
    assert response.status_code == 409
    assert "Danh sách chi bộ đã thay đổi từ lúc xem trước" in response.get_data(as_text=True)
    assert roster(app, seeded) == before
    # The page shown again carries the new versions: confirming it stores.
    assert confirm(client, seeded, response.get_data(as_text=True)).status_code == 302


def test_a_token_of_another_cell_or_a_forged_one_opens_nothing(app, client, seeded):
    response = upload(client, seeded, xlsx(NEW_ROWS))
    page = response.get_data(as_text=True)
    refused = confirm(client, seeded, page, token="A" * 32)
    assert refused.status_code == 422
    assert len(roster(app, seeded)) == 10


@pytest.fixture
def other_cell(app, runner, seed_path, tmp_path):  # type: ignore[no-untyped-def]
    doc = json.loads(seed_path.read_text(encoding="utf-8"))
    doc["organization"]["cell"] = OTHER_CELL
    path = tmp_path / "other.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    assert runner.invoke(args=["meeting", "import", str(path)]).exit_code == 0
    return cell_id(app, OTHER_CELL)


def test_a_secretary_of_another_cell_gets_404(app, client, seeded, other_cell):
    for url in (
        f"/cells/{other_cell}/members/import",
        f"/cells/{other_cell}/members/export.xlsx",
        f"/cells/{other_cell}/members/export.csv",
        f"/cells/{other_cell}/members/template.xlsx",
    ):
        assert client.get(url).status_code == 404, url
    response = client.post(
        f"/cells/{other_cell}/members/import",
        data={
            "csrf_token": csrf_token(client, f"/cells/{seeded}/members/import"),
            "file": (io.BytesIO(xlsx(NEW_ROWS)), "a.xlsx"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 404
    # A preview of one's own cell does not confirm into another's.
    page = upload(client, seeded, xlsx(NEW_ROWS)).get_data(as_text=True)
    before = roster(app, other_cell)
    response = client.post(
        f"/cells/{other_cell}/members/import/confirm",
        data={
            "csrf_token": hidden(page, "csrf_token"),
            "token": hidden(page, "token"),
            "roster": hidden(page, "roster"),
        },
    )
    assert response.status_code == 404
    assert roster(app, other_cell) == before


def test_new_members_join_the_meeting_being_recorded(app, client, seeded):
    with app.app_context():
        cell = db.session.get(Cell, seeded)
        with write_transaction():
            meeting = start_meeting(cell, 2021)
        meeting_id = meeting.id
    page = upload(client, seeded, xlsx(NEW_ROWS)).get_data(as_text=True)
    assert confirm(client, seeded, page).status_code == 302
    with app.app_context():
        names = set(db.session.scalars(select(Participant.name).where(Participant.meeting_id == meeting_id)))
    assert {"Bùi Văn Khánh", "Đinh Thị Lan"} <= names


def test_the_members_page_offers_the_import_and_the_exports(client, seeded):
    page = client.get(f"/cells/{seeded}/members").get_data(as_text=True)
    for href in ("members/import", "members/export.xlsx", "members/export.csv", "members/template.xlsx"):
        assert f'href="/cells/{seeded}/{href}"' in page
    assert "Số thẻ đảng viên" in page and "Ngày chính thức" in page


# ---------------------------------------------------------------------------
# The member form's new fields


def test_the_member_form_keeps_the_new_fields_with_the_imports_checks(app, client, seeded):
    url = f"/cells/{seeded}/members/new"
    data = {
        **form_values(client, url),
        "name": "Bùi Văn Khánh",
        "standing": "official",
        "position": "member",
        "admitted_on": "2019-01-15",
        "official_on": "2018-01-15",
        "card_number": "00079137",  # m01's, once imported below
        "born_on": "2020-01-01",
        "note": "chuyển đến",
    }
    response = client.post(url, data=data)
    assert response.status_code == 422
    page = unescape(response.get_data(as_text=True))
    assert "Ngày chính thức (15/01/2018) trước ngày vào Đảng (15/01/2019)." in page
    assert "Ngày sinh (01/01/2020) phải trước ngày vào Đảng (15/01/2019)." in page
    assert 'value="chuyển đến"' in page or "chuyển đến</textarea>" in page
    page = upload(client, seeded, xlsx(NEW_ROWS[:1])).get_data(as_text=True)
    assert confirm(client, seeded, page).status_code == 302
    data.update(form_values(client, url), official_on="2020-01-15", born_on="1985-01-02")
    response = client.post(url, data=data)
    assert response.status_code == 422
    assert "Số thẻ 00079137 đã là của đồng chí Nguyễn Thị Ngọc Hân." in response.get_data(as_text=True)
    data.update(form_values(client, url), card_number="00012345")
    assert client.post(url, data=data).status_code == 302
    added = roster(app, seeded)[-1]
    assert added[1:] == (
        "Bùi Văn Khánh",
        "official",
        "member",
        date(2019, 1, 15),
        date(2020, 1, 15),
        "00012345",
        date(1985, 1, 2),
        "chuyển đến",
    )
    with app.app_context():
        mid = db.session.scalar(select(Member.id).where(Member.card_number == "00012345"))
    edit = client.get(f"/members/{mid}/edit").get_data(as_text=True)
    assert 'value="00012345"' in edit and 'value="2020-01-15"' in edit and 'value="1985-01-02"' in edit


# ---------------------------------------------------------------------------
# The command line


def test_cli_import_dry_run_import_and_export(app, runner, seeded, tmp_path):
    path = tmp_path / "ds.xlsx"
    path.write_bytes(xlsx(NEW_ROWS))
    before = roster(app, seeded)
    result = runner.invoke(args=["roster", "import", str(seeded), str(path), "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "Chạy thử, không lưu gì: sẽ thêm 2, cập nhật 1, giữ nguyên 0 đảng viên." in result.output
    assert roster(app, seeded) == before
    result = runner.invoke(args=["roster", "import", str(seeded), str(path)])
    assert result.exit_code == 0, result.output
    assert "Đã thêm: m11 Bùi Văn Khánh" in result.output
    assert "Đã nhập: thêm 2, cập nhật 1, giữ nguyên 0 đảng viên." in result.output
    assert "Không có trong tệp, vẫn giữ: Lê Thị Thu Hương" in result.output
    after = roster(app, seeded)
    assert len(after) == 12
    for suffix in ("xlsx", "csv"):
        out = tmp_path / f"export.{suffix}"
        result = runner.invoke(args=["roster", "export", str(seeded), "-o", str(out)])
        assert result.exit_code == 0, result.output
        again = runner.invoke(args=["roster", "import", str(seeded), str(out)])
        assert again.exit_code == 0 and "thêm 0, cập nhật 0, giữ nguyên 12 đảng viên" in again.output
    assert roster(app, seeded) == after
    bad = runner.invoke(args=["roster", "export", str(seeded), "-o", str(tmp_path / "x.pdf")])
    assert bad.exit_code == 1 and ".xlsx hoặc .csv" in bad.output


def test_cli_import_prints_every_problem_and_stores_nothing(app, runner, seeded, tmp_path):
    path = tmp_path / "ds.csv"
    path.write_text(
        "\ufeffHọ và tên;Ngày vào Đảng;Chức vụ\r\nNguyễn Văn An;19/05/2030;\r\n;01/01/2000;Bí thư\r\n", encoding="utf-8"
    )
    before = roster(app, seeded)
    result = runner.invoke(args=["roster", "import", str(seeded), str(path)])
    assert result.exit_code == 1
    assert "dòng 2, cột Ngày vào Đảng: Ngày vào Đảng (19/05/2030) là một ngày trong tương lai." in result.output
    assert "dòng 3, cột Họ và tên: Thiếu họ và tên." in result.output
    assert roster(app, seeded) == before
    missing = runner.invoke(args=["roster", "import", "9999", str(path)])
    assert missing.exit_code == 1 and "Không có chi bộ mã 9999" in missing.output


def test_cli_import_plans_again_inside_the_locked_transaction(app, runner, seeded, tmp_path, monkeypatch):
    from review.roster import importing

    path = tmp_path / "ds.xlsx"
    path.write_bytes(xlsx(NEW_ROWS))
    real_lock = importing.lock_row
    locked = []

    def lock_and_race(model, row_id):  # type: ignore[no-untyped-def]
        real_lock(model, row_id)
        locked.append((model, row_id))
        # A page adds the file's Bùi Văn Khánh between the CLI's check and its transaction.
        db.session.add(
            Member(
                cell_id=seeded,
                code="m50",
                name="Bùi Văn Khánh",
                standing="probationary",
                position="member",
                admitted_on=date(2019, 1, 15),
                card_number="00012345",
            )
        )
        db.session.flush()

    monkeypatch.setattr(importing, "lock_row", lock_and_race)
    result = runner.invoke(args=["roster", "import", str(seeded), str(path)])
    assert result.exit_code == 0, result.output
    assert locked == [(Cell, seeded)]
    assert "Đã cập nhật: m50 Bùi Văn Khánh" in result.output  # matched by its card, not added twice
    assert "thêm 1, cập nhật 2, giữ nguyên 0" in result.output


def test_cli_import_answers_a_clash_in_vietnamese_with_exit_1(app, runner, seeded, tmp_path, monkeypatch):
    from sqlalchemy.exc import IntegrityError

    from review.roster import importing

    path = tmp_path / "ds.xlsx"
    path.write_bytes(xlsx(NEW_ROWS))

    def clash(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise IntegrityError("INSERT INTO member ...", {}, Exception("UNIQUE constraint failed"))

    monkeypatch.setattr(importing, "store_plan", clash)
    before = roster(app, seeded)
    result = runner.invoke(args=["roster", "import", str(seeded), str(path)])
    assert result.exit_code == 1
    assert "Danh sách chi bộ vừa thay đổi trong lúc nhập" in result.output
    assert "Traceback" not in result.output and "IntegrityError" not in result.output
    assert not isinstance(result.exception, IntegrityError)
    assert roster(app, seeded) == before


def test_the_preview_carries_the_roster_token_read_with_its_plan(app, client, seeded, monkeypatch):
    from review.roster import importing

    calls = []
    real = importing.cell_members

    def counting(cell_id):  # type: ignore[no-untyped-def]
        calls.append(cell_id)
        return real(cell_id)

    monkeypatch.setattr(importing, "cell_members", counting)
    page = upload(client, seeded, xlsx(NEW_ROWS)).get_data(as_text=True)
    assert calls == [seeded]  # one read of the roster gives the plan and the token
    with app.app_context():
        assert hidden(page, "roster") == importing.versions_token(real(seeded))


def test_the_import_is_audited_like_other_member_changes(app, client, seeded):
    from review.models import AuditEntry

    page = upload(client, seeded, xlsx(NEW_ROWS)).get_data(as_text=True)
    with app.app_context():
        last = db.session.scalar(select(func.max(AuditEntry.id))) or 0
    assert confirm(client, seeded, page).status_code == 302
    with app.app_context():
        entries = db.session.scalars(
            select(AuditEntry).where(AuditEntry.id > last, AuditEntry.table_name == "member")
        ).all()
        assert sorted(e.action for e in entries).count("insert") == 2
        assert {e.actor for e in entries} == {"bithu"}
        assert any(e.action == "update" and "00079137" in (e.after or "") for e in entries)


def test_markup_in_a_file_is_shown_as_text(app, client, seeded):
    rows = [[1, "<script>alert(1)</script>", None, "19/05/2008", "", "<b>x</b>", "<i>", "<img src=x>"]]
    page = upload(client, seeded, xlsx(rows)).get_data(as_text=True)
    for raw in ("<script>alert(1)</script>", "<b>x</b>", "<img src=x>"):
        assert raw not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
