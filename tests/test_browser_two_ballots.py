"""In a real browser: a meeting voted in two ballots (SPEC 5.8), from the roll call to both seals.

Debian's Chromium, headless, driven by Playwright; the application served on loopback, on each
database of the suite. The meeting is the seed voted in two ballots
(tests/data/thuong-thanh-2020-two-ballots.json) imported without its ballot: the secretary calls
the roll and chooses the committee; two counters enter ballot 1, the chief and the secretary seal
it; ballot 2 opens with its candidates, the second counter makes a slip that the comparison shows,
fixes it, and both ballots are sealed. The vote-count minutes then carry both ballots. Every step
is photographed at 390 px and 1280 px wide into test-artifacts/screenshots/.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader
from sqlalchemy import select

from review.extensions import db
from review.meeting_store import export_text
from review.models import Meeting, Member, Seal, User

from browser import chromium, live_server, photograph, sign_in
from helpers import DATA

pytestmark = pytest.mark.browser

TWO_BALLOTS = DATA / "thuong-thanh-2020-two-ballots.json"
EXPECTED = DATA / "thuong-thanh-2020-two-ballots.results.json"
FIRST_COLUMNS = ("good", "completed", "not_completed", "blank")
SECOND_COLUMNS = ("agree", "disagree", "blank")
SLIP = ("m04", {"agree": "6", "disagree": "4"})  # counter B's slip: the row adds up, only the comparison sees it


def uncounted_copy(tmp_path: Path) -> Path:
    document = json.loads(TWO_BALLOTS.read_text(encoding="utf-8"))
    del document["ballot"]
    path = tmp_path / "two-ballots-uncounted.json"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return path


def fill(page, ballot: dict, columns: tuple[str, ...], changes: dict | None = None) -> None:  # type: ignore[type-arg,no-untyped-def]
    changes = changes or {}
    for name in ("issued", "returned", "invalid"):
        page.locator(f"#{name}").fill(str(ballot[name]))
    for key, row in ballot["rows"].items():
        for field in columns:
            page.locator(f"#rows-{key}-{field}").fill(changes.get(key, {}).get(field, str(row[field])))


def save(page, label: str) -> None:  # type: ignore[no-untyped-def]
    page.get_by_role("button", name="Lưu bản nhập").click()
    page.get_by_text(f"Đã lưu {label}.").wait_for()


def seals(app, meeting_id: int) -> list[tuple[int, bool]]:  # type: ignore[no-untyped-def]
    with app.app_context():
        return [
            (s.version, s.first_ballot_only)
            for s in db.session.scalars(select(Seal).where(Seal.meeting_id == meeting_id, Seal.reopened_at.is_(None)))
        ]


def test_a_two_ballot_meeting_from_the_roll_call_to_both_seals(app, runner, make_user, tmp_path):
    document = json.loads(TWO_BALLOTS.read_text(encoding="utf-8"))
    first, second = document["ballot"]["first"], document["ballot"]["second"]
    names = {m["id"]: m["name"] for m in document["members"]}
    chief_code, other_code = document["ballot"]["counters"][:2]

    result = runner.invoke(args=["meeting", "import", str(uncounted_copy(tmp_path))])
    assert result.exit_code == 0, result.output
    meeting_id = int(result.output.strip().splitlines()[-1])
    with app.app_context():
        cell_id = db.session.get(Meeting, meeting_id).cell_id
        member_ids = dict(db.session.execute(select(Member.code, Member.id).where(Member.cell_id == cell_id)).all())
    make_user("bithu", "secretary", cell_id=cell_id, display_name=names["m01"])
    for username, code in (("kiemphieu", chief_code), ("kiemphieu2", other_code)):
        user_id = make_user(username, "counter", cell_id=cell_id, display_name=names[code])
        with app.app_context():
            db.session.get(User, user_id).member_id = member_ids[code]
            db.session.commit()

    url = f"/meetings/{meeting_id}"
    with live_server(app) as base, chromium() as browser:

        def person():  # type: ignore[no-untyped-def]
            return browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN").new_page()

        secretary, counter_a, counter_b = person(), person(), person()

        # The roll call (everyone present, as recorded) and the committee.
        sign_in(secretary, base, "bithu")
        secretary.goto(f"{base}{url}/roll-call")
        secretary.get_by_role("button", name="Lưu", exact=True).click()
        secretary.get_by_text("Đã lưu kết quả kiểm diện.").wait_for()
        secretary.goto(f"{base}{url}/committee")
        for code in document["ballot"]["counters"]:  # the file's committee, the chief first
            secretary.get_by_role("checkbox", name=names[code]).check()
        secretary.get_by_label("Trưởng ban kiểm phiếu").select_option(label=names[chief_code])
        secretary.get_by_role("button", name="Lưu ban kiểm phiếu").click()
        secretary.get_by_text("Đã lưu ban kiểm phiếu.").wait_for()

        # Ballot 1: three levels a row, no excellent; ballot 2 is not open yet.
        sign_in(counter_a, base, "kiemphieu")
        sign_in(counter_b, base, "kiemphieu2")
        counter_a.goto(f"{base}{url}/tally")
        assert counter_a.locator("#rows-m01-excellent").count() == 0
        assert "mở khi vòng 1 đã niêm phong" in counter_a.locator(".ballot-tabs").inner_text()
        fill(counter_a, first, FIRST_COLUMNS)
        counter_a.get_by_text("Số liệu khớp: mọi kiểm tra đều đạt (chưa lưu).").wait_for()
        photograph(counter_a, "two-ballots-1-ballot-one")
        save(counter_a, "bản nhập thứ nhất")
        counter_b.goto(f"{base}{url}/tally")
        fill(counter_b, first, FIRST_COLUMNS)
        save(counter_b, "bản nhập thứ hai")
        counter_b.goto(f"{base}{url}/tally/compare")
        assert counter_b.locator(".match").inner_text() == "Hai bản nhập khớp nhau."

        # The chief and the secretary seal ballot 1.
        counter_a.goto(f"{base}{url}/results")
        assert "vòng 1" in counter_a.locator("[data-sealing-ballot]").inner_text()
        counter_a.get_by_role("button", name="Trưởng ban kiểm phiếu xác nhận niêm phong").click()
        counter_a.get_by_text("Đã ghi xác nhận của trưởng ban kiểm phiếu.", exact=False).wait_for()
        secretary.goto(f"{base}{url}/results")
        secretary.get_by_role("button", name="Bí thư xác nhận niêm phong").click()
        secretary.locator("[data-first-ballot-sealed]").wait_for()
        assert seals(app, meeting_id) == [(1, True)]
        photograph(secretary, "two-ballots-2-ballot-one-sealed")

        # Ballot 2 lists the candidates; counter B makes a slip that still adds up.
        counter_a.goto(f"{base}{url}/tally?ballot=2")
        assert counter_a.locator("#rows-m03-agree").count() == 1 and counter_a.locator("#rows-m03-good").count() == 0
        fill(counter_a, second, SECOND_COLUMNS)
        counter_a.get_by_text("Số liệu khớp: mọi kiểm tra đều đạt (chưa lưu).").wait_for()
        photograph(counter_a, "two-ballots-3-ballot-two")
        save(counter_a, "bản nhập thứ nhất")
        key, slip = SLIP
        counter_b.goto(f"{base}{url}/tally?ballot=2")
        fill(counter_b, second, SECOND_COLUMNS, {key: {"agree": slip["agree"]}})
        problem = counter_b.locator("[data-checks] ul.problems li")
        expect(problem).to_have_text(
            [f"Dòng đồng chí {names[key]}: Tổng các ô 6 + 3 + 0 = 9, khác số phiếu hợp lệ 10."], use_inner_text=True
        )
        counter_b.locator(f"#rows-{key}-disagree").fill(slip["disagree"])
        counter_b.get_by_text("Số liệu khớp: mọi kiểm tra đều đạt (chưa lưu).").wait_for()
        save(counter_b, "bản nhập thứ hai")

        counter_b.goto(f"{base}{url}/tally/compare?ballot=2")
        lines = [
            [cell.strip() for cell in row.locator("th, td").all_inner_texts()]
            for row in counter_b.locator("table.compare-table tbody tr").all()
        ]
        assert lines == [
            [names[key], "Đồng ý", str(second["rows"][key]["agree"]), slip["agree"]],
            [names[key], "Không đồng ý", str(second["rows"][key]["disagree"]), slip["disagree"]],
        ]
        photograph(counter_b, "two-ballots-4-ballot-two-compare-differs")
        secretary.goto(f"{base}{url}/results")
        assert secretary.locator("[data-blocker]").all_inner_texts() == ["Hai bản nhập còn khác nhau ở 2 chỗ."]

        counter_b.goto(f"{base}{url}/tally?ballot=2")
        for field in slip:
            counter_b.locator(f"#rows-{key}-{field}").fill(str(second["rows"][key][field]))
        save(counter_b, "bản nhập thứ hai")
        counter_b.goto(f"{base}{url}/tally/compare?ballot=2")
        assert counter_b.locator(".match").inner_text() == "Hai bản nhập khớp nhau."

        # Both seal ballot 2: the second version covers both ballots.
        counter_a.goto(f"{base}{url}/results")
        assert "vòng 2" in counter_a.locator("[data-sealing-ballot]").inner_text()
        counter_a.get_by_role("button", name="Trưởng ban kiểm phiếu xác nhận niêm phong").click()
        counter_a.get_by_text("Đã ghi xác nhận của trưởng ban kiểm phiếu.", exact=False).wait_for()
        secretary.goto(f"{base}{url}/results")
        secretary.get_by_role("button", name="Bí thư xác nhận niêm phong").click()
        secretary.get_by_text("Đã niêm phong kết quả kiểm phiếu – phiên bản 2.").wait_for()
        assert seals(app, meeting_id) == [(1, True), (2, False)]
        photograph(secretary, "two-ballots-5-both-sealed")

        # The vote-count minutes, read back, carry both ballots.
        pdf = secretary.request.get(f"{base}{url}/documents/count-minutes.pdf")
        assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
        pdf_path = tmp_path / "count-minutes.pdf"
        pdf_path.write_bytes(pdf.body())

    text = " ".join(" ".join(page.extract_text().split()) for page in PdfReader(pdf_path).pages)
    assert "vòng 1" in text.lower() and "vòng 2" in text.lower(), text[:2000]
    with app.app_context():
        exported = json.loads(export_text(db.session.get(Meeting, meeting_id)))
    assert exported.pop("results") == json.loads(EXPECTED.read_text(encoding="utf-8"))
    assert exported == document
