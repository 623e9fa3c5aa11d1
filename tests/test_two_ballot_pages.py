"""Two ballots on the pages (SPEC 5.8, 9): the ward's rule page, the results page, the committee's decision.

The two-ballot example (/work/shared/examples/thuong-thanh-2020-two-ballots.json: ballot 1 gives
every row good, ballot 2 makes m03, m04 and the cell excellent) and, for the decision, the ward
example's second cell (Tổ dân phố số 3) moved to two ballots with the same levels.
"""

from __future__ import annotations

import html as html_lib
import itertools
import json
import re
import unicodedata
from fractions import Fraction
from pathlib import Path

import pytest
from sqlalchemy import select

from review.extensions import db
from review.models import Cell, DecisionSeal, Meeting, ReviewYear
from review.rules import UNDECIDED, BallotCount, Level, SecondVotes, Votes, combined_level, level_steps, resolve_rules

from helpers import SECOND_CELL_FILE, SEED, signed_in
from test_results_pages import count, make_counter, post, row

EXAMPLES = Path("/work/shared/examples")
TWO_BALLOTS = EXAMPLES / "thuong-thanh-2020-two-ballots.json"
ERROR = re.compile(r'<p class="error" id="([a-z_]+)-error">([^<]*)</p>')
YEAR = 2020
ORGANIZATION = 1
DECISION = f"/organizations/{ORGANIZATION}/decision/{YEAR}"
SEED_CELL = "Chi bộ Trường Mầm non Thượng Thanh"
SECOND_CELL = "Chi bộ Tổ dân phố số 3"
CELL_REASON = "Tỉ lệ chi bộ Hoàn thành xuất sắc trên toàn đảng bộ chỉ cho phép 0 chi bộ."


def text(response) -> str:  # type: ignore[no-untyped-def]
    return unicodedata.normalize("NFC", html_lib.unescape(response.get_data(as_text=True)))


def import_document(runner, tmp_path: Path, name: str, document: dict) -> int:  # type: ignore[no-untyped-def,type-arg]
    path = tmp_path / name
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    result = runner.invoke(args=["meeting", "import", str(path)])
    assert result.exit_code == 0, result.output
    return int(result.output.strip().splitlines()[-1])


def example() -> dict:  # type: ignore[type-arg]
    return json.loads(TWO_BALLOTS.read_text(encoding="utf-8"))


def expected_results() -> dict:  # type: ignore[type-arg]
    return json.loads(TWO_BALLOTS.with_suffix(".results.json").read_text(encoding="utf-8"))


def rules_data(**changes: str) -> dict[str, str]:
    data = {
        "profile": "hd21-2019",
        "quorum": "",
        "excellent_threshold": "",
        "cumulative": "",
        "ballot_mode": "",
        "quota_ratio": "",
        "quota_pool": "",
        "agree_cap": "none",
    }
    return data | changes


def stored_rules(app, year: int) -> tuple | None:  # type: ignore[no-untyped-def,type-arg]
    with app.app_context():
        review_year = db.session.scalar(
            select(ReviewYear).where(ReviewYear.organization_id == ORGANIZATION, ReviewYear.year == year)
        )
        return None if review_year is None else (review_year.profile, review_year.overrides())


# ---------------------------------------------------------------------------
# The ward's rule page


@pytest.fixture
def ward(app, runner, make_user):  # type: ignore[no-untyped-def]
    """The seed imported (its organisation, year 2020 sealed) and the organisation's ward account."""
    assert runner.invoke(args=["meeting", "import", str(SEED)]).exit_code == 0
    make_user("danguy", "ward", organization_id=ORGANIZATION)
    return signed_in(app, "danguy")


def test_the_rule_page_stores_two_ballots_and_the_agree_cap(app, ward):
    url = f"/organizations/{ORGANIZATION}/rules/2021"
    page = text(ward.get(url))
    assert "chưa hỗ trợ" not in page.lower()
    assert '<option value="two_phase">Bỏ phiếu hai vòng</option>' in page
    assert '<option selected value="none">Không giới hạn</option>' in page
    # What each option does, beside its field.
    assert "được biểu quyết đồng ý hay không ở vòng 2" in page
    assert "phiếu đồng ý quá số đó là phiếu không hợp lệ" in page
    response = post(ward, url, rules_data(ballot_mode="two_phase", agree_cap="quota"))
    assert response.status_code == 302, text(response)
    assert stored_rules(app, 2021) == ("hd21-2019", {"ballot_mode": "two_phase", "agree_cap": "quota"})
    page = text(ward.get(url))
    assert '<option selected value="two_phase">' in page and '<option selected value="quota">' in page
    assert 'data-rule="ballot_mode">Bỏ phiếu hai vòng<' in page
    assert 'data-rule="agree_cap">Mỗi phiếu vòng 2 đồng ý tối đa 1/5 số đảng viên được biểu quyết' in page
    index = text(ward.get(f"/organizations/{ORGANIZATION}/rules"))
    assert "Giới hạn phiếu đồng ý ở vòng 2: theo tỉ lệ xuất sắc" in index
    # Two ballots without a cap: "none" stores no override.
    assert post(ward, url, rules_data(ballot_mode="two_phase")).status_code == 302
    assert stored_rules(app, 2021) == ("hd21-2019", {"ballot_mode": "two_phase"})
    assert 'data-rule="agree_cap">Không giới hạn' in text(ward.get(url))


@pytest.mark.parametrize("ballot_mode", ["single", ""])
def test_the_agree_cap_is_refused_with_a_single_ballot_next_to_its_field(app, ward, ballot_mode):
    url = f"/organizations/{ORGANIZATION}/rules/2021"
    response = post(ward, url, rules_data(ballot_mode=ballot_mode, agree_cap="quota", quorum="3/4"))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    errors = dict(ERROR.findall(page))
    assert list(errors) == ["agree_cap"], errors
    assert "Giới hạn phiếu đồng ý chỉ áp dụng khi bỏ phiếu hai vòng" in errors["agree_cap"]
    # What was typed and chosen is kept.
    assert 'value="3/4"' in page and '<option selected value="quota">' in page
    if ballot_mode:
        assert f'<option selected value="{ballot_mode}">' in page
    assert stored_rules(app, 2021) is None


def test_a_single_ballot_lists_no_agree_cap(app, ward):
    page = text(ward.get(f"/organizations/{ORGANIZATION}/rules/2020"))
    assert 'data-rule="ballot_mode">Bỏ phiếu một lần<' in page and 'data-rule="agree_cap"' not in page


# ---------------------------------------------------------------------------
# The core's steps behind a two-ballot level


@pytest.mark.parametrize("threshold, cumulative", [("1/2", True), ("2/3", True), ("1/2", False)])
def test_level_steps_end_where_the_combined_level_does(threshold, cumulative):
    rules, problems = resolve_rules(
        "hd21-2019", {"ballot_mode": "two_phase", "excellent_threshold": threshold, "cumulative": cumulative}
    )
    assert rules is not None, problems
    base = 6
    for good, completed, not_completed in itertools.product(range(base + 1), repeat=3):
        if good + completed + not_completed > base:
            continue
        first = Votes(0, good, completed, not_completed, base - good - completed - not_completed)
        for agree in (None, *range(base + 1)):
            second = None if agree is None else SecondVotes(agree, base - agree, 0)
            steps = level_steps(first, second, base, rules)
            level = combined_level(first, second, base, rules)
            last = steps[-1]
            if last.passed:
                assert level == last.level
            elif last.ballot == 2:
                assert level == steps[0].level
            else:
                assert level == UNDECIDED
            assert (len(steps) == 2) == (second is not None and steps[0].passed and steps[0].level is Level.GOOD)
            if len(steps) == 2:
                assert last.share == (None if threshold == "1/2" else Fraction(threshold))


# ---------------------------------------------------------------------------
# The results page


@pytest.fixture
def two_ballots(app, runner, tmp_path, make_user):  # type: ignore[no-untyped-def]
    """The two-ballot example imported (sealed), with its secretary's and the ward's accounts."""
    meeting_id = import_document(runner, tmp_path, "two.json", example())
    with app.app_context():
        cell_id = db.session.get(Meeting, meeting_id).cell_id
    make_user("bithu", "secretary", cell_id=cell_id)
    make_user("danguy", "ward", organization_id=ORGANIZATION)
    return meeting_id


STEP_M03 = (
    "Vòng 1: 10/10 phiếu Hoàn thành tốt nhiệm vụ trở lên → Hoàn thành tốt nhiệm vụ; "
    "vòng 2: 8/10 đồng ý, quá nửa số thành viên → Hoàn thành xuất sắc nhiệm vụ"
)
STEP_M01 = (
    "Vòng 1: 10/10 phiếu Hoàn thành tốt nhiệm vụ trở lên → Hoàn thành tốt nhiệm vụ; "
    "vòng 2: 4/10 đồng ý, không quá nửa số thành viên → giữ mức vòng 1: Hoàn thành tốt nhiệm vụ"
)
STEP_CELL = (
    "Vòng 1: 10/10 phiếu Hoàn thành tốt nhiệm vụ trở lên → Hoàn thành tốt nhiệm vụ; "
    "vòng 2: 9/10 đồng ý, quá nửa số thành viên → Hoàn thành xuất sắc nhiệm vụ"
)


def test_the_results_page_shows_both_ballots_the_candidates_and_how_each_level_came(app, two_ballots):
    for username in ("bithu", "danguy"):
        response = signed_in(app, username).get(f"/meetings/{two_ballots}/results")
        assert response.status_code == 200
        page = text(response)
        assert 'data-result-source="sealed"' in page and "data-awaiting-second-ballot" not in page
        # Ballot 1: its papers, its rows with their shares of the base, its level.
        one = page[page.index('id="ballot-1"') : page.index('id="ballot-2"')]
        for name, value in (("issued", 10), ("returned", 10), ("valid", 10), ("invalid", 0)):
            assert f'data-count="first-{name}">{value}<' in one
        assert 'data-label="Hoàn thành xuất sắc nhiệm vụ"' not in one  # no excellent box on ballot 1
        m03 = re.search(r'<tr data-first-row="m03".*?</tr>', one, re.S)
        assert m03 and 'data-first-level="good"' in m03.group(0)
        assert '<td class="num" data-label="Hoàn thành tốt nhiệm vụ" data-field="good">10 (100%)</td>' in m03.group(0)
        assert '<td class="num" data-label="Bỏ trống, hỏng" data-field="blank">0 (0%)</td>' in m03.group(0)
        assert '<tr data-first-row="cell"' in one
        # The candidates and ballot 2.
        two = page[page.index('id="ballot-2"') :]
        candidates = re.findall(r'data-candidate="([a-z0-9]+)"', two)
        assert sorted(candidates) == expected_results()["candidates"]
        for name, value in (("issued", 10), ("returned", 10), ("valid", 10), ("invalid", 0)):
            assert f'data-count="second-{name}">{value}<' in two
        m03 = re.search(r'<tr data-second-row="m03".*?</tr>', two, re.S)
        assert m03
        assert '<td class="num" data-label="Đồng ý" data-field="agree">8 (80%)</td>' in m03.group(0)
        assert '<td class="num" data-label="Không đồng ý" data-field="disagree">2 (20%)</td>' in m03.group(0)
        # Each member and the cell: the level, and how it came about.
        for member in expected_results()["members"]:
            html = row(page, member["id"])
            assert f'data-vote-level="{member["vote_level"]}"' in html
            assert f'data-proposed-level="{member["proposed_level"]}"' in html
        assert STEP_M03 in row(page, "m03") and STEP_M01 in row(page, "m01")
        assert STEP_CELL in row(page, "cell") and 'data-proposed-level="excellent"' in row(page, "cell")
        assert len(re.findall(r"data-explanation>Vòng 1: ", page)) == 11
        # The rules: two ballots, no cap; the quota follows the combined levels.
        assert 'data-rule="ballot_mode">Bỏ phiếu hai vòng<' in page
        assert 'data-rule="agree_cap">Không giới hạn số phiếu đồng ý trên mỗi phiếu vòng 2<' in page
        assert 'data-quota-pool="8" data-quota-limit="1" data-quota-excellent="2" data-quota-exceeded="true"' in page


def test_the_two_thirds_threshold_is_named_in_the_explanation(app, runner, tmp_path, make_user):
    document = example()
    document["rules"]["excellent_threshold"] = "2/3"
    meeting_id = import_document(runner, tmp_path, "two-thirds.json", document)
    with app.app_context():
        make_user("bithu", "secretary", cell_id=db.session.get(Meeting, meeting_id).cell_id)
    page = text(signed_in(app, "bithu").get(f"/meetings/{meeting_id}/results"))
    # m04: 7/10 agree reaches 2/3; the cell 9/10 too; m01 4/10 is not a majority.
    assert "vòng 2: 7/10 đồng ý, từ 2/3 số thành viên trở lên → Hoàn thành xuất sắc nhiệm vụ" in row(page, "m04")
    assert "vòng 2: 4/10 đồng ý, không quá nửa số thành viên → giữ mức vòng 1" in row(page, "m01")


def test_before_ballot_2_the_levels_are_ballot_1s_and_the_candidates_are_named(app, runner, tmp_path, make_user):
    document = example()
    first = document.pop("ballot")["first"]
    meeting_id = import_document(runner, tmp_path, "uncounted.json", document)
    with app.app_context():
        cell_id = db.session.get(Meeting, meeting_id).cell_id
    make_user("bithu", "secretary", cell_id=cell_id)
    chief = make_counter(app, make_user, "truongban", cell_id, "m06")
    other = make_counter(app, make_user, "kiemphieu", cell_id, "m07")
    ballot = BallotCount(
        first["issued"],
        first["returned"],
        first["invalid"],
        {key: Votes(excellent=0, **votes) for key, votes in first["rows"].items()},
        first["invalid_reasons"],
    )
    page = text(signed_in(app, "bithu").get(f"/meetings/{meeting_id}/results"))
    assert 'data-result-source="none"' in page and "Chưa có kết quả kiểm phiếu vòng 1." in page
    assert "Vòng 2 diễn ra sau khi kiểm phiếu vòng 1." in page and "data-candidate=" not in page
    count(app, meeting_id, [(chief, ballot), (other, ballot)])
    page = text(signed_in(app, "bithu").get(f"/meetings/{meeting_id}/results"))
    assert 'data-result-source="provisional"' in page
    assert "data-awaiting-second-ballot" in page and "Các mức dưới đây là kết quả vòng 1" in page
    assert "data-second-ballot-pending" in page
    assert sorted(re.findall(r'data-candidate="([a-z0-9]+)"', page)) == expected_results()["candidates"]
    for key in ("m03", "m04", "cell"):
        html = row(page, key)
        assert 'data-vote-level="good"' in html and 'data-proposed-level="good"' in html
        assert (
            "Vòng 1: 10/10 phiếu Hoàn thành tốt nhiệm vụ trở lên → Hoàn thành tốt nhiệm vụ; vòng 2: chưa kiểm phiếu"
            in html
        )
    assert 'data-quota-excellent="0"' in page


def test_a_typed_ballot_2_shows_provisionally_with_the_combined_levels(app, runner, tmp_path, make_user):
    """Ballot 1 typed twice and a first entry of ballot 2 (stored as the counting pages store it)."""
    from datetime import UTC, datetime

    from review.models import Participant, Tally, TallyEntry, TallyRow

    document = example()
    ballots = document.pop("ballot")
    meeting_id = import_document(runner, tmp_path, "uncounted.json", document)
    with app.app_context():
        cell_id = db.session.get(Meeting, meeting_id).cell_id
    make_user("bithu", "secretary", cell_id=cell_id)
    chief = make_counter(app, make_user, "truongban", cell_id, "m06")
    other = make_counter(app, make_user, "kiemphieu", cell_id, "m07")
    first = ballots["first"]
    ballot = BallotCount(
        first["issued"],
        first["returned"],
        first["invalid"],
        {key: Votes(excellent=0, **votes) for key, votes in first["rows"].items()},
        first["invalid_reasons"],
    )
    count(app, meeting_id, [(chief, ballot), (other, ballot)])
    second = ballots["second"]
    with app.app_context():
        meeting = db.session.get(Meeting, meeting_id)
        participants = {
            p.member.code: p
            for p in db.session.scalars(select(Participant).where(Participant.meeting_id == meeting_id))
        }
        tally = Tally(
            entry=TallyEntry.FIRST,
            ballot=2,
            user_id=chief,
            issued=second["issued"],
            returned=second["returned"],
            invalid=second["invalid"],
            invalid_reasons="",
            updated_at=datetime.now(UTC),
            rows=[
                TallyRow(participant=None if key == "cell" else participants[key], **votes)
                for key, votes in second["rows"].items()
            ],
        )
        meeting.tallies.append(tally)
        db.session.commit()
    page = text(signed_in(app, "bithu").get(f"/meetings/{meeting_id}/results"))
    assert 'data-result-source="provisional"' in page and "data-awaiting-second-ballot" not in page
    assert 'data-count="second-valid">10<' in page
    assert STEP_M03 in row(page, "m03") and 'data-proposed-level="excellent"' in row(page, "m03")
    assert STEP_M01 in row(page, "m01") and 'data-proposed-level="good"' in row(page, "m01")
    assert 'data-quota-excellent="2"' in page


# ---------------------------------------------------------------------------
# The committee's decision with a two-ballot cell


def second_cell_in_two_ballots() -> dict:  # type: ignore[type-arg]
    """Return the ward example's second cell in format 2: ballot 1 folds excellent into good, ballot 2
    asks each candidate, its agree marks the excellent marks it had (none reaches a majority)."""
    document = json.loads(SECOND_CELL_FILE.read_text(encoding="utf-8"))
    document["format"] = "party-review/2"
    document["rules"]["ballot_mode"] = "two_phase"
    ballot = document["ballot"]
    valid = ballot["returned"] - ballot["invalid"]
    first_rows, second_rows = {}, {}
    for key, votes in ballot["rows"].items():
        first_rows[key] = {
            "good": votes["excellent"] + votes["good"],
            "completed": votes["completed"],
            "not_completed": votes["not_completed"],
            "blank": votes["blank"],
        }
        if 2 * (votes["excellent"] + votes["good"]) > valid:  # ballot 1 good (the base is the valid ballots here)
            second_rows[key] = {"agree": votes["excellent"], "disagree": valid - votes["excellent"], "blank": 0}
    papers = {name: ballot[name] for name in ("issued", "returned", "invalid", "invalid_reasons")}
    document["ballot"] = {
        "counters": ballot["counters"],
        "first": papers | {"rows": first_rows},
        "second": papers | {"rows": second_rows},
    }
    return document


def hidden(client, action: str, url: str = DECISION) -> dict[str, str]:  # type: ignore[no-untyped-def]
    page = client.get(url).get_data(as_text=True)
    match = re.search(rf'<form[^>]*action="{re.escape(action)}"[^>]*>(.*?)</form>', page, re.S)
    assert match, f"no form posting to {action}"
    values = {}
    for tag in re.findall(r"<input\b[^>]*>", match.group(1)):
        attributes = dict(re.findall(r'([\w-]+)="([^"]*)"', tag))
        if attributes.get("type") == "hidden":
            values[attributes["name"]] = html_lib.unescape(attributes.get("value", ""))
    return values


def test_the_committee_decides_and_issues_with_a_two_ballot_cell(app, runner, tmp_path, make_user):
    import_document(runner, tmp_path, "two.json", example())
    import_document(runner, tmp_path, "second.json", second_cell_in_two_ballots())
    make_user("danguy", "ward", organization_id=ORGANIZATION)
    ward = signed_in(app, "danguy")
    with app.app_context():
        cells = {c.name: c.id for c in db.session.scalars(select(Cell))}
    assert set(cells) == {SEED_CELL, SECOND_CELL}
    # The dashboard: both cells sealed, the two-ballot cell's excellent members counted.
    dashboard = text(ward.get(f"/organizations/{ORGANIZATION}"))
    for cell_id in cells.values():
        assert f'data-cell="{cell_id}" data-state="sealed"' in dashboard
    assert re.search(r'data-quota data-pool="15" data-limit="3" data-excellent="2" data-exceeded="false"', dashboard)
    # The decision page: the quota across cells, as with one ballot.
    page = text(ward.get(DECISION))
    members = re.search(
        r'data-quota="members" data-pool="(\d+)" data-limit="(\d+)" data-excellent="(\d+)" data-exceeded="(\w+)"', page
    )
    cells_quota = re.search(
        r'data-quota="cells" data-pool="(\d+)" data-limit="(\d+)" data-excellent="(\d+)" data-exceeded="(\w+)"', page
    )
    assert members and members.groups() == ("15", "3", "2", "false")
    assert cells_quota and cells_quota.groups() == ("1", "0", "1", "true")
    excellent = re.search(r"data-excellent-members>(.*?)</ul>", page, re.S)
    assert excellent and SEED_CELL in excellent.group(1) and "2 đồng chí" in excellent.group(1)
    # The cells' quota: the committee lowers the two-ballot cell, with a reason, then issues.
    url = f"{DECISION}/cells/{cells[SEED_CELL]}"
    response = ward.post(url, data=hidden(ward, url) | {"level": "good", "reason": CELL_REASON})
    assert response.status_code == 302, text(response)
    url = f"{DECISION}/issue"
    response = ward.post(
        url,
        data=hidden(ward, url)
        | {
            "number": "15-QĐ/ĐU",
            "issued_on": "2020-12-10",
            "place": "Thượng Thanh",
            "signer_name": "Nguyễn Văn Bình",
            "signer_title": "secretary",
        },
    )
    assert response.status_code == 302, text(response)
    page = text(ward.get(DECISION))
    assert "Đã ban hành" in page and "data-issued-number>15-QĐ/ĐU<" in page
    with app.app_context():
        seal = db.session.scalars(select(DecisionSeal)).one()
        assert seal.number == "15-QĐ/ĐU"
        meeting_id = db.session.scalar(select(Meeting.id).where(Meeting.cell_id == cells[SEED_CELL]))
    # What the two-ballot cell sees: its excellent members decided as proposed.
    make_user("bithu", "secretary", cell_id=cells[SEED_CELL])
    results = text(signed_in(app, "bithu").get(f"/meetings/{meeting_id}/results"))
    decided = re.findall(r'<tr data-decided-member="(\w+)"[^>]*>.*?<strong>([^<]*)</strong>', results, re.S)
    assert sum(1 for _, level in decided if level == "Hoàn thành xuất sắc nhiệm vụ") == 2
    assert CELL_REASON in results
    # The second cell's one member at completed was no candidate of ballot 2, and the page says so.
    with app.app_context():
        second_id = db.session.scalar(select(Meeting.id).where(Meeting.cell_id == cells[SECOND_CELL]))
    second = text(ward.get(f"/meetings/{second_id}/results"))
    not_asked = re.findall(r"data-explanation>([^<]*không biểu quyết ở vòng 2[^<]*)<", second)
    assert len(not_asked) == 1 and "→ Hoàn thành nhiệm vụ;" in not_asked[0], not_asked


# ---------------------------------------------------------------------------
# On a phone and a desktop (Chromium)


@pytest.mark.browser
def test_the_two_ballot_results_page_fits_a_phone_and_passes_axe(app, two_ballots):
    from axe_playwright_python.sync_playwright import Axe

    from browser import chromium, live_server, screenshot, sign_in

    axe = Axe()

    with live_server(app) as base, chromium() as browser:
        context = browser.new_context(viewport={"width": 390, "height": 800}, locale="vi-VN")  # type: ignore[attr-defined]
        page = context.new_page()
        sign_in(page, base, "bithu")
        page.goto(f"{base}/meetings/{two_ballots}/results")
        for width in (390, 1280):
            page.set_viewport_size({"width": width, "height": 800})
            page.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")
            assert page.evaluate("() => window.innerWidth") == width
            assert page.evaluate("document.documentElement.scrollWidth") <= width
            tables = page.locator("table.reflow")
            assert tables.count() >= 3  # ballot 1, ballot 2, the levels
            wide = page.evaluate(
                """() => [...document.querySelectorAll('table.reflow')].map(t => t.closest('.table-wrap'))
                    .filter(w => w.scrollWidth > w.clientWidth + 1).length"""
            )
            assert wide == 0, f"{wide} tables scroll sideways at {width}px"
            if width == 390:
                # Each row a card: the explanation is labelled as its column.
                assert page.locator('#member-m03 td[data-label="Cách tính"]').is_visible()
            violations = [
                (v["id"], [n["target"] for n in v["nodes"]][:3])
                for v in axe.run(page).response["violations"]
                if v["impact"] in ("serious", "critical")
            ]
            assert not violations, f"axe at {width}px: {violations}"
            screenshot(page, f"two-ballot-results-{width}")
        context.close()
