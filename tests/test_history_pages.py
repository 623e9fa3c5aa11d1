"""A meeting's history: the sealing's rows carry the audit context "seal"."""

from __future__ import annotations

import html
import json
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from review import clock
from review.audit import SEAL_CONTEXT, audit_context
from review.extensions import db
from review.history.forms import BAD_DAY
from review.history.presenters import STEPS
from review.history.routes import PAGE
from review.models import AuditEntry, User

from helpers import signed_in
from test_browser_phones import browser, cell  # noqa: F401  (fixtures)
from test_results_pages import agreed, people, seal_by_both, unsealed  # noqa: F401  (fixtures)

CHIEF = "Đỗ Thị Thanh Thủy"  # m06 of the seed, the chief counter's member
SECRETARY = "Nguyễn Thị Ngọc Hân"  # the secretary account's display name


def sealed_history(app, unsealed):  # type: ignore[no-untyped-def]
    """Count and seal the seed's meeting by both; return the secretary's client and the history URL."""
    agreed(app, unsealed)
    seal_by_both(app, unsealed["meeting_id"])
    return signed_in(app, "bithu"), f"/meetings/{unsealed['meeting_id']}/history"


def cards_of(page: str) -> dict[str, str]:
    """Return the HTML of each step card of a history page, by step."""
    return dict(re.findall(r'<section class="card history-step" data-step="(\w+)".*?>(.*?)</section>', page, re.S))


def lines_of(page: str) -> list[str]:
    return re.findall(r'<li id="e\d+".*?</li>', page, re.S)


def entries_of(app, meeting_id: int) -> int:  # type: ignore[no-untyped-def]
    with app.app_context():
        return db.session.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.meeting_id == meeting_id)
        )


def test_the_final_tally_and_the_seal_are_written_under_the_seal_context(app, runner, unsealed):
    meeting_id = unsealed["meeting_id"]
    agreed(app, unsealed)
    seal_by_both(app, meeting_id)
    with app.app_context():
        entries = list(db.session.scalars(select(AuditEntry).where(AuditEntry.meeting_id == meeting_id)))
        sealing = [e for e in entries if e.context == SEAL_CONTEXT]
        tables = {e.table_name for e in sealing}
        assert {"tally", "tally_row", "seal"} <= tables
        final = [e for e in sealing if e.table_name == "tally" and e.action == "insert"]
        assert len(final) == 1 and json.loads(final[0].after)["entry"] == "final"
        # The approval itself is the clicking person's own act, written without the context.
        approvals = [e for e in entries if e.table_name == "seal_approval" and e.action == "insert"]
        assert approvals and all(e.context is None for e in approvals)
        # Nothing else of the meeting carries it: the entries typed before are the typists'.
        assert all(e.context is None for e in entries if e.table_name == "tally_row" and e not in sealing)
        bithu = db.session.scalar(select(User).where(User.username == "bithu"))
        assert all(e.actor_id == bithu.id for e in sealing)  # the last to approve triggered it
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0  # the context is hashed, the chain holds


def test_audit_context_is_restored_after_the_block_and_on_failure(app):
    with app.app_context():
        session = db.session
        with audit_context(session, "outer"):
            with audit_context(session, "inner"):
                assert session.info["audit_context"] == "inner"
            assert session.info["audit_context"] == "outer"
        assert "audit_context" not in session.info
        try:
            with audit_context(session, SEAL_CONTEXT):
                raise RuntimeError
        except RuntimeError:
            pass
        assert "audit_context" not in session.info


def test_the_history_is_grouped_by_step_and_person_with_names_not_ids(app, unsealed):
    client, url = sealed_history(app, unsealed)
    response = client.get(url)
    assert response.status_code == 200
    page = html.unescape(response.text)
    cards = cards_of(page)
    assert list(cards) == [step for step in STEPS if step in cards]  # the meeting's order
    assert {"tally", "seal"} <= set(cards)  # the newest entries: the counting and the seal
    steps, older = set(), html.unescape(client.get(f"{url}?page=2").text)
    for number in range(2, 20):
        older = html.unescape(client.get(f"{url}?page={number}").text)
        steps |= set(cards_of(older))
        assert not re.search(r"#\d", older.split("<main", 1)[1]) and "(mã)" not in older
        if 'rel="next"' not in older:
            break
    assert {"roll_call", "individual", "collective"} <= steps
    assert "<h3><bdi>Nguyễn Thị Ngọc Hân</bdi></h3>" in older  # the roll call's participant, by name
    tally = cards["tally"]
    assert "<h3>Phiếu của đồng chí <bdi>Nguyễn Thị Ngọc Hân</bdi></h3>" in tally
    assert "<h3>Dòng chi bộ</h3>" in tally and "Bản nhập thứ nhất" in tally
    # No internal ids: neither "Dòng kiểm phiếu #33" nor "Người dự (mã) 11".
    assert not re.search(r"#\d", page.split("<main", 1)[1]) and "(mã)" not in page
    assert "Hoàn thành tốt nhiệm vụ" in tally  # fields in words


def test_the_rows_written_at_sealing_are_the_seals_with_who_approved(app, unsealed):
    client, url = sealed_history(app, unsealed)
    page = html.unescape(client.get(url).text)
    seal = cards_of(page)["seal"]
    assert "<h3>Niêm phong</h3>" in seal
    approved = f"Trưởng ban kiểm phiếu <bdi>{CHIEF}</bdi>, Bí thư chi bộ <bdi>{SECRETARY}</bdi>"
    assert f"khi {approved} đã xác nhận" in seal
    sealed = [line for line in lines_of(seal) if "data-sealed" in line]
    assert sealed and all(f'history-who">Niêm phong (xác nhận: {approved})</span>' in line for line in sealed)
    assert any("Bản kiểm phiếu cuối cùng" in line for line in sealed)
    # The final tally's rows are not in the counters' card, nor attributed to the last to click.
    assert not any("data-sealed" in line for line in lines_of(cards_of(page)["tally"]))
    assert not any(f'history-who"><bdi>{SECRETARY}</bdi></span> · Dòng kiểm phiếu' in line for line in sealed)


def test_the_history_is_paged_in_sql_and_the_pager_keeps_the_filter(app, unsealed):
    client, url = sealed_history(app, unsealed)
    total = entries_of(app, unsealed["meeting_id"])
    assert total > PAGE
    first = client.get(url).text
    pages = -(-total // PAGE)
    assert len(lines_of(first)) == PAGE and f"Trang 1/{pages}" in first and f"{total} mục" in first
    assert f'href="{url}?page=2" rel="next"' in first and 'rel="prev"' not in first
    second = client.get(f"{url}?page=2").text
    assert 'rel="prev"' in second and not set(lines_of(first)) & set(lines_of(second))
    last = client.get(f"{url}?page={pages}").text
    assert len(lines_of(last)) == total - PAGE * (pages - 1) and 'rel="next"' not in last
    assert client.get(f"{url}?page=999999").status_code == 200  # out of range: the first page
    tally = client.get(f"{url}?step=tally").text
    if 'rel="next"' in tally:
        assert "step=tally" in re.search(r'href="([^"]+)" rel="next"', tally).group(1)


@pytest.mark.parametrize("step", list(STEPS))
def test_the_step_filter_shows_that_step_only(app, unsealed, step):
    client, url = sealed_history(app, unsealed)
    response = client.get(f"{url}?step={step}")
    assert response.status_code == 200
    assert set(cards_of(response.text)) <= {step}
    # What SQL picks is what the page groups: every entry of the step, on every page, once.
    shown = 0
    for number in range(1, 20):
        page = client.get(f"{url}?step={step}&page={number}").text
        shown += len(lines_of(page))
        if 'rel="next"' not in page:
            break
    everything = 0
    for number in range(1, 20):
        page = client.get(f"{url}?page={number}").text
        everything += len(lines_of(cards_of(page).get(step, "")))
        if 'rel="next"' not in page:
            break
    assert shown == everything


def test_the_who_and_when_filters(app, unsealed):
    client, url = sealed_history(app, unsealed)
    with app.app_context():
        chief = db.session.scalar(select(User.id).where(User.username == "truongban"))
    page = html.unescape(client.get(url).text)
    assert f'<option value="{chief}">{CHIEF}</option>' in page  # the people of the log, by name
    mine = html.unescape(client.get(f"{url}?who={chief}").text)
    whos = set(re.findall(r'class="history-who">(.*?)</span>', mine))
    assert whos == {f"<bdi>{CHIEF}</bdi>"}  # her approval of the seal, by the member her account is linked to
    assert "Xác nhận niêm phong: thêm" in mine
    assert f'<option selected value="{chief}">' in mine or f'<option value="{chief}" selected>' in mine
    today = clock.today()
    assert len(lines_of(client.get(f"{url}?since={today.isoformat()}").text)) == PAGE
    later = (today + timedelta(days=1)).strftime("%d/%m/%Y")
    nothing = client.get(f"{url}?since={later}").text
    assert not lines_of(nothing) and "Không có thay đổi nào khớp bộ lọc." in nothing and "Bỏ lọc" in nothing
    before = (today - timedelta(days=1)).isoformat()
    assert not lines_of(client.get(f"{url}?until={before}").text)


@pytest.mark.parametrize("typed", ["31/02/2026", "hôm qua", "2026-13-01"])
def test_a_bad_day_is_answered_next_to_the_field_and_kept(app, unsealed, typed):
    client, url = sealed_history(app, unsealed)
    response = client.get(url, query_string={"since": typed})
    assert response.status_code == 422
    page = html.unescape(response.text)
    assert f'<p class="error" id="since-error">{BAD_DAY}</p>' in page
    assert f'value="{typed}"' in page and 'aria-invalid="true"' in page
    reversed_days = client.get(url, query_string={"since": "02/12/2026", "until": "01/12/2026"})
    assert reversed_days.status_code == 422 and "Ngày cuối phải từ ngày đầu trở đi." in reversed_days.text


@pytest.mark.browser
@pytest.mark.parametrize("username", ["bithu", "danguy"])
def test_the_history_page_reads_on_a_phone(app, cell, browser, username):
    from axe_playwright_python.sync_playwright import Axe

    from browser import live_server, sign_in
    from test_browser_phones import OVERFLOWING, PHONE_WIDTHS

    axe, problems = Axe(), []
    url = f"/meetings/{cell['sealed_meeting_id']}/history"
    with live_server(app) as base:
        context = browser.new_context(viewport={"width": PHONE_WIDTHS[0], "height": 800}, locale="vi-VN")
        page = context.new_page()
        sign_in(page, base, username)
        for shown in (url, f"{url}?step=seal", f"{url}?page=2", f"{url}?since=31/02/2026"):
            page.goto(base + shown)
            for width in PHONE_WIDTHS:
                page.set_viewport_size({"width": width, "height": 800})
                page.wait_for_function(f"window.innerWidth === {width}")
                page.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")
                if (scroll := page.evaluate("document.documentElement.scrollWidth")) > width:
                    problems.append(f"{shown} at {width}px: the page scrolls sideways ({scroll}px)")
                if outside := page.evaluate(OVERFLOWING):
                    problems.append(f"{shown} at {width}px: past the right edge: {outside}")
                if width in (360, 1280):
                    for violation in axe.run(page).response["violations"]:
                        if violation["impact"] in ("serious", "critical"):
                            problems.append(f"{shown} at {width}px: axe {violation['id']}")
            assert page.locator(".history-step").count() or "since" in shown
        page.set_viewport_size({"width": 390, "height": 800})
        page.goto(base + url)
        page.screenshot(path=f"/tmp/history2-{username}-390.png", full_page=False)
        context.close()
    assert not problems, "\n".join(problems)
