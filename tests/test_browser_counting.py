"""In a real browser: the ballot counters count the seed ballot twice, the chief and the secretary seal.

Debian's Chromium, headless, driven by Playwright; the application served on loopback. The
meeting is the seed meeting recorded but not counted (its file imported without its ``ballot``:
importing a ballot seals it), plus one probationary member admitted two months before the
meeting, so that the committee page has someone to refuse. That member is not rated (admitted
less than six months before), so the ballot, the base and every result of the seed's members
stay the seed's. Every step is photographed at 390 px and 1280 px wide into
test-artifacts/screenshots/.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from review import meetingfile
from review.counting import SEALED_MESSAGE, ballot_of
from review.extensions import db
from review.models import Meeting, Member, User
from review.rules import FLAG_LABELS, LEVEL_LABELS, LEVELS, NOT_RATED_LABELS, Level, NotRatedReason
from review.sealdata import fingerprint, sealed_payload

from browser import chromium, live_server, photograph, sign_in
from helpers import DATA, SEED

pytestmark = pytest.mark.browser

EXPECTED = DATA / "thuong-thanh-2020.results.json"
VOTE_COLUMNS = (*(str(level) for level in LEVELS), "blank")
PROBATIONARY = {
    "id": "m11",
    "name": "Trịnh Thị Thu Trang",
    "standing": "probationary",
    "position": "member",
    "admitted_on": "2020-09-25",
    "attendance": "present",
    "review": {
        "summary": "Đồng chí Trịnh Thị Thu Trang, đảng viên dự bị, tự kiểm điểm: chấp hành tốt nhiệm vụ được giao.",
        "self_level": "good",
        "response": "",
        "feedback": [],
        "conclusion": "Đồng chí mới được kết nạp, chưa đủ 6 tháng: kiểm điểm, không xếp loại.",
    },
}
WRONG = ("m04", {"excellent": "6", "good": "4"})  # counter B's slip: a consistent row, so only the comparison sees it


def uncounted_copy(tmp_path: Path) -> Path:
    """Write the seed without its ballot and with one new probationary member."""
    document = json.loads(SEED.read_text(encoding="utf-8"))
    del document["ballot"]
    document["members"].append(PROBATIONARY)
    path = tmp_path / "uncounted.json"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return path


def fill_tally(page, ballot: dict, changes: dict[str, dict[str, str]] | None = None) -> None:  # type: ignore[no-untyped-def]
    """Type a ballot into the tally page, with ``changes`` (row key: field: text) over the seed's numbers."""
    changes = changes or {}
    for name in ("issued", "returned", "invalid"):
        page.locator(f"#{name}").fill(str(ballot[name]))
    page.locator("#invalid_reasons").fill(ballot["invalid_reasons"])
    for key, row in ballot["rows"].items():
        for field in VOTE_COLUMNS:
            page.locator(f"#rows-{key}-{field}").fill(changes.get(key, {}).get(field, str(row[field])))


def save_tally(page, label: str) -> None:  # type: ignore[no-untyped-def]
    page.get_by_role("button", name="Lưu bản nhập").click()
    page.get_by_text(f"Đã lưu {label}.").wait_for()


def stored_tallies(app, meeting_id: int) -> dict[str, object]:  # type: ignore[no-untyped-def]
    """Return every stored entry and the final tally as the rules core counts them, and the seals."""
    with app.app_context():
        meeting = db.session.get(Meeting, meeting_id)
        return {
            "tallies": {t.entry: ballot_of(t) for t in meeting.tallies},
            "seals": [(s.version, s.fingerprint, s.reopened_at) for s in meeting.seals],
            "counters": [c.member.code for c in meeting.counters],
        }


def results_as_shown(page) -> dict[str, dict]:  # type: ignore[no-untyped-def]
    """Read every row of the results table: its votes, its levels in words, and its flags."""
    shown = {}
    for row in page.locator("tr[data-member]").all():
        cells = row.locator("td.num").all_inner_texts()
        shown[row.get_attribute("data-member")] = {
            "votes": dict(zip(VOTE_COLUMNS, (int(c) for c in cells), strict=True)),
            "vote_level": row.locator("td.vote-level").inner_text().strip(),
            "proposed_level": row.locator("td.proposed-level").inner_text().strip(),
            "flags": row.locator("td.flags li").all_inner_texts(),
        }
    return shown


def in_words(level: str | None) -> str:
    return LEVEL_LABELS[Level(level)] if level else "—"


def test_two_counters_enter_the_seed_ballot_compare_fix_and_seal(app, runner, make_user, tmp_path):
    seed = json.loads(SEED.read_text(encoding="utf-8"))
    ballot = seed["ballot"]
    expected = json.loads(EXPECTED.read_text(encoding="utf-8"))
    names = {m["id"]: m["name"] for m in [*seed["members"], PROBATIONARY]}
    chief_code, second_code = ballot["counters"][0], ballot["counters"][1]

    result = runner.invoke(args=["meeting", "import", str(uncounted_copy(tmp_path))])
    assert result.exit_code == 0, result.output
    meeting_id = int(result.output.strip().splitlines()[-1])
    with app.app_context():
        cell_id = db.session.get(Meeting, meeting_id).cell_id
        member_ids = dict(db.session.execute(select(Member.code, Member.id).where(Member.cell_id == cell_id)).all())
    make_user("bithu", "secretary", cell_id=cell_id, display_name=names["m01"])
    chief_user = make_user("kiemphieu", "counter", cell_id=cell_id, display_name=names[chief_code])
    with app.app_context():
        db.session.get(User, chief_user).member_id = member_ids[chief_code]
        db.session.commit()

    meeting_url = f"/meetings/{meeting_id}"
    with live_server(app) as base, chromium() as browser:

        def person():  # type: ignore[no-untyped-def]
            return browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN").new_page()

        secretary, counter_a, counter_b = person(), person(), person()

        # The secretary chooses the committee. The probationary member cannot be ticked, says why,
        # and a forged tick is refused by the server with the same reason, saving nothing.
        sign_in(secretary, base, "bithu")
        secretary.goto(f"{base}{meeting_url}/committee")
        probationary = secretary.get_by_role("checkbox", name=PROBATIONARY["name"])
        assert probationary.is_disabled()
        assert (
            secretary.locator(f"#why-{member_ids['m11']}").inner_text()
            == "Đảng viên dự bị: không được tham gia ban kiểm phiếu."
        )
        photograph(secretary, "counting-1-committee")
        for code in ballot["counters"]:
            secretary.get_by_role("checkbox", name=names[code]).check()
        secretary.get_by_label("Trưởng ban kiểm phiếu").select_option(label=names[chief_code])
        probationary.evaluate("box => { box.disabled = false; box.checked = true; }")
        secretary.get_by_role("button", name="Lưu ban kiểm phiếu").click()
        refusal = secretary.locator("#members-error")
        refusal.wait_for()
        assert refusal.inner_text() == (
            f"Đồng chí {PROBATIONARY['name']} là đảng viên dự bị, không được tham gia ban kiểm phiếu."
        )
        for code in ballot["counters"]:  # what the secretary ticked is kept
            assert secretary.get_by_role("checkbox", name=names[code]).is_checked()
        assert secretary.get_by_label("Trưởng ban kiểm phiếu").input_value() == str(member_ids[chief_code])
        photograph(secretary, "counting-2-committee-refused")
        assert stored_tallies(app, meeting_id)["counters"] == []

        secretary.get_by_role("button", name="Lưu ban kiểm phiếu").click()
        secretary.get_by_text("Đã lưu ban kiểm phiếu.").wait_for()
        assert stored_tallies(app, meeting_id)["counters"] == ballot["counters"]  # the chief first
        chief_item = secretary.locator(".counter-item").filter(has_text=names[chief_code])
        assert "Trưởng ban" in chief_item.inner_text() and "Có tài khoản riêng: kiemphieu" in chief_item.inner_text()

        # A one-time code for the second counter, shown once.
        secretary.get_by_role("button", name=f"Cấp mã đăng nhập một lần cho đồng chí {names[second_code]}").click()
        code = secretary.locator(".code-value strong").inner_text()
        assert re.fullmatch(r"[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}", code), code
        photograph(secretary, "counting-3-code-issued")
        # Shown in answer to the POST only: the committee page, opened again, no longer has it.
        secretary.goto(f"{base}{meeting_url}/committee")
        assert secretary.locator(".code-value").count() == 0

        # Counter A (the chief) with an own account: the seed ballot, as counted.
        sign_in(counter_a, base, "kiemphieu")
        counter_a.goto(f"{base}{meeting_url}/tally")
        fill_tally(counter_a, ballot)
        counter_a.get_by_text("Số liệu khớp: mọi kiểm tra đều đạt (chưa lưu).").wait_for()
        photograph(counter_a, "counting-4-tally-first")
        save_tally(counter_a, "bản nhập thứ nhất")
        assert counter_a.locator("[data-checks] .ok").inner_text() == "Số liệu khớp: mọi kiểm tra đều đạt."

        # Counter B with the code. First a row that does not add up: the live check names it.
        counter_b.goto(f"{base}/code")
        counter_b.get_by_label("Mã đăng nhập một lần").fill(code.lower())
        counter_b.get_by_role("button", name="Đăng nhập").click()
        counter_b.wait_for_url(f"{base}{meeting_url}/tally")
        key, slip = WRONG
        fill_tally(counter_b, ballot, {key: {"excellent": slip["excellent"]}})
        problem = counter_b.locator("[data-checks] ul.problems li")
        # Waits until the live check has caught up with the last field typed (a busy machine lags).
        expect(problem).to_have_text(
            [f"Dòng đồng chí {names[key]}: Tổng các ô 6 + 3 + 0 + 0 + 0 = 9, khác số phiếu hợp lệ 10."],
            use_inner_text=True,
        )
        assert counter_b.locator(f'tr[data-row="{key}"]').get_attribute("class").split()[0] == "has-problem"
        photograph(counter_b, "counting-5-tally-second-live-check")
        # Then B "fixes" the sum the wrong way: the row adds up, but differs from A's.
        counter_b.locator(f"#rows-{key}-good").fill(slip["good"])
        counter_b.get_by_text("Số liệu khớp: mọi kiểm tra đều đạt (chưa lưu).").wait_for()
        save_tally(counter_b, "bản nhập thứ hai")

        # The comparison shows that row side by side, and nothing else.
        counter_b.goto(f"{base}{meeting_url}/tally/compare")
        lines = [
            [cell.strip() for cell in row.locator("th, td").all_inner_texts()]
            for row in counter_b.locator("table.compare-table tbody tr").all()
        ]
        assert lines == [
            [
                names[key],
                f"{LEVEL_LABELS[Level.EXCELLENT]} (HTXSNV)",
                str(ballot["rows"][key]["excellent"]),
                slip["excellent"],
            ],
            [names[key], f"{LEVEL_LABELS[Level.GOOD]} (HTTNV)", str(ballot["rows"][key]["good"]), slip["good"]],
        ]
        assert (
            "Hai bản nhập khác nhau ở 2 chỗ."
            in counter_b.locator(".card").filter(has_text="Những chỗ khác nhau").inner_text()
        )
        photograph(counter_b, "counting-6-compare-differs")
        secretary.goto(f"{base}{meeting_url}/results")
        assert secretary.locator("[data-blocker]").all_inner_texts() == ["Hai bản nhập còn khác nhau ở 2 chỗ."]
        assert secretary.get_by_role("button", name="Bí thư xác nhận niêm phong").count() == 0

        # B fixes the entry; the two entries agree.
        counter_b.goto(f"{base}{meeting_url}/tally")
        for field in slip:
            counter_b.locator(f"#rows-{key}-{field}").fill(str(ballot["rows"][key][field]))
        save_tally(counter_b, "bản nhập thứ hai")
        counter_b.goto(f"{base}{meeting_url}/tally/compare")
        assert counter_b.locator(".match").inner_text() == "Hai bản nhập khớp nhau."
        assert counter_b.locator("table.compare-table").count() == 0
        photograph(counter_b, "counting-7-compare-agrees")

        # The chief, then the secretary approve the seal of the same numbers.
        counter_a.goto(f"{base}{meeting_url}/results")
        candidate = counter_a.locator("[data-candidate-fingerprint]").inner_text()
        assert counter_a.get_by_role("button", name="Bí thư xác nhận niêm phong").count() == 0
        counter_a.get_by_role("button", name="Trưởng ban kiểm phiếu xác nhận niêm phong").click()
        counter_a.get_by_text("Đã ghi xác nhận của trưởng ban kiểm phiếu.", exact=False).wait_for()
        assert counter_a.locator('[data-approval="chief"]').get_attribute("data-approved") == "true"
        photograph(counter_a, "counting-8-results-chief-approved")
        assert stored_tallies(app, meeting_id)["seals"] == []
        secretary.goto(f"{base}{meeting_url}/results")
        assert secretary.locator("[data-candidate-fingerprint]").inner_text() == candidate
        secretary.get_by_role("button", name="Bí thư xác nhận niêm phong").click()
        secretary.get_by_text("Đã niêm phong kết quả kiểm phiếu – phiên bản 1.").wait_for()

        # The results shown are the seed's expected results, member by member.
        assert secretary.locator("[data-result-source]").get_attribute("data-result-source") == "sealed"
        shown = results_as_shown(secretary)
        for member in expected["members"]:
            row = shown[member["id"]]
            assert row["votes"] == ballot["rows"][member["id"]], member["id"]
            assert row["vote_level"] == in_words(member["vote_level"]), member["id"]
            assert row["proposed_level"] == in_words(member["proposed_level"]), member["id"]
            assert row["flags"] == [FLAG_LABELS[f] for f in member["flags"]], member["id"]
        assert shown["cell"] == {
            "votes": ballot["rows"]["cell"],
            "vote_level": in_words(expected["cell"]["vote_level"]),
            "proposed_level": in_words(expected["cell"]["proposed_level"]),
            "flags": [FLAG_LABELS[f] for f in expected["cell"]["flags"]],
        }
        assert set(shown) == {*ballot["rows"]}  # one row a rated member, and the cell
        assert secretary.locator("[data-not-rated]").all_inner_texts() == [
            f"{PROBATIONARY['name']}: {NOT_RATED_LABELS[NotRatedReason.NEW_MEMBER]}"
        ]
        for name in ("base", "voters_present", "quorum_required"):
            assert secretary.locator(f'[data-summary="{name}"]').inner_text() == str(expected[name])
        assert secretary.locator('[data-summary="quorum_met"]').inner_text() == "Đủ số lượng"
        summary = {
            row.get_attribute("data-summary-level"): int(row.locator("td").inner_text())
            for row in secretary.locator("tr[data-summary-level]").all()
        }
        assert summary == expected["summary"] | {"not_rated": expected["summary"]["not_rated"] + 1}  # + the new member
        quota = secretary.locator("[data-quota-pool]")
        assert {k: quota.get_attribute(f"data-quota-{k}") for k in ("pool", "limit", "excellent", "exceeded")} == {
            k: str(v).lower() for k, v in expected["quota"].items()
        }
        for name, count in (
            ("issued", ballot["issued"]),
            ("returned", ballot["returned"]),
            ("invalid", ballot["invalid"]),
        ):
            assert secretary.locator(f'[data-count="{name}"]').inner_text() == str(count)

        # The fingerprint is shown: the one approved, the stored seal's, the SHA-256 of its data.
        sealed = secretary.locator("[data-fingerprint]").inner_text()
        assert re.fullmatch(r"[0-9a-f]{64}", sealed) and sealed == candidate
        assert "Đã niêm phong – phiên bản 1" in secretary.locator("#seal").inner_text()
        photograph(secretary, "counting-9-results-sealed")
        with app.app_context():
            meeting = db.session.get(Meeting, meeting_id)
            assert meeting.current_seal.fingerprint == sealed == fingerprint(meeting.current_seal.payload)
        before = stored_tallies(app, meeting_id)
        assert before["tallies"]["final"] == before["tallies"]["first"] == before["tallies"]["second"]

        # A later edit is refused: the tally page is read-only, and a POST with a valid token is refused.
        for counter in (counter_a, counter_b):
            counter.goto(f"{base}{meeting_url}/tally")
            numbers = counter.locator("input.num")
            assert numbers.count() == 3 + 5 * len(ballot["rows"])
            assert all(
                flag is not None
                for flag in numbers.evaluate_all("inputs => inputs.map(i => i.getAttribute('readonly'))")
            )
            assert counter.get_by_role("button", name="Lưu bản nhập").count() == 0
            assert counter.locator(f"#rows-{key}-excellent").input_value() == str(ballot["rows"][key]["excellent"])
        photograph(counter_a, "counting-10-tally-sealed")
        form = "document.getElementById('issued').form"
        counter_a.evaluate(
            f"""() => {{
                const form = {form};
                form.querySelectorAll('[readonly]').forEach(input => input.removeAttribute('readonly'));
                form.elements['rows-{key}-excellent'].value = '{slip["excellent"]}';
                form.elements['rows-{key}-good'].value = '{slip["good"]}';
            }}"""
        )
        with counter_a.expect_response(lambda r: r.request.method == "POST" and r.url.endswith("/tally")) as answer:
            counter_a.evaluate(f"{form}.submit()")
        assert answer.value.status == 422
        counter_a.wait_for_load_state()
        assert counter_a.locator("main").inner_text().count(SEALED_MESSAGE) == 1
        # The refused page shows the sealed numbers again, read-only, not the ones it refused.
        assert counter_a.locator(f"#rows-{key}-excellent").input_value() == str(ballot["rows"][key]["excellent"])
        assert counter_a.locator(f"#rows-{key}-excellent").get_attribute("readonly") is not None
        photograph(counter_a, "counting-11-tally-edit-refused")
        token = counter_b.locator("input[name=csrf_token]").first.input_value()
        version = counter_b.locator("input[name=version]").first.input_value()  # a forgery of the current page
        data = {
            "csrf_token": token,
            "version": version,
            "issued": "10",
            "returned": "10",
            "invalid": "0",
            "invalid_reasons": "",
        }
        for row_key, row in ballot["rows"].items():
            data |= {f"rows-{row_key}-{f}": str(row[f]) for f in VOTE_COLUMNS}
        data[f"rows-{key}-excellent"], data[f"rows-{key}-good"] = slip["excellent"], slip["good"]
        forged = counter_b.request.post(f"{base}{meeting_url}/tally", form=data)
        assert forged.status == 422 and SEALED_MESSAGE in forged.text()
        assert stored_tallies(app, meeting_id) == before

    # The meeting file carries the sealed tally and the results.
    exported = json.loads(runner.invoke(args=["meeting", "export", str(meeting_id)]).output)
    assert exported["ballot"] == ballot
    results = exported.pop("results")
    assert [m for m in results["members"] if m["id"] != PROBATIONARY["id"]] == expected["members"]
    assert {k: results[k] for k in ("base", "voters_present", "quorum_required", "quorum_met", "cell", "quota")} == {
        k: expected[k] for k in ("base", "voters_present", "quorum_required", "quorum_met", "cell", "quota")
    }
    parsed, problems = meetingfile.loads(json.dumps(exported, ensure_ascii=False).encode())
    assert problems == [] and fingerprint(sealed_payload(parsed)) == sealed
