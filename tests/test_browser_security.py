"""In Chromium: every kind of page works under the Content-Security-Policy, with no violation.

The pages' own scripts (app.js, tally.js, ward.js) must keep working with ``script-src 'self'``
and ``style-src 'self'``; a ``securitypolicyviolation`` listener and the console catch anything
the policy blocks. A control shows the listener works: an inline script added by hand is blocked.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from review.counting import set_committee
from review.extensions import db
from review.models import ExportJob, Meeting, User

from browser import chromium, live_server, sign_in
from helpers import write_2021_copy

pytestmark = pytest.mark.browser

LISTEN = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__violations.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " + (e.sourceFile || "") + ":" + e.lineNumber);
});
"""


@pytest.fixture
def world(app, runner, seed_path, tmp_path, make_user):  # type: ignore[no-untyped-def]
    """The sealed seed meeting, a 2021 meeting being counted, a queued export, one account per role."""
    assert runner.invoke(args=["meeting", "import", str(seed_path)]).exit_code == 0
    path = write_2021_copy(seed_path, tmp_path)
    assert runner.invoke(args=["meeting", "import", str(path)]).exit_code == 0
    with app.app_context():
        meetings = {m.review_year.year: m for m in db.session.scalars(select(Meeting))}
        meeting = meetings[2021]
        members = {m.code: m.id for m in meeting.cell.members}
        set_committee(meeting, [members["m06"], members["m07"], members["m08"]], members["m06"])
        participant = next(p.id for p in meeting.participants if p.member_id == members["m01"])
        job = ExportJob(organization_id=meeting.cell.organization_id, year=2020, status="queued")
        db.session.add(job)
        db.session.commit()
        ids = {
            "meeting": meeting.id,
            "sealed": meetings[2020].id,
            "cell": meeting.cell_id,
            "organization": meeting.cell.organization_id,
            "participant": participant,
            "job": job.id,
            "m06": members["m06"],
        }
    make_user("quantri", "admin")
    make_user("danguy", "ward", organization_id=ids["organization"])
    make_user("bithu", "secretary", cell_id=ids["cell"])
    counter = make_user("kiemphieu", "counter", cell_id=ids["cell"])
    with app.app_context():
        db.session.get(User, counter).member_id = ids["m06"]
        db.session.commit()
    return ids


def pages(ids: dict[str, int]) -> dict[str | None, list[str]]:
    """Return the pages each user visits (None: anonymous)."""
    m, s = ids["meeting"], ids["sealed"]
    return {
        None: ["/auth/login", "/code"],
        "bithu": [
            "/",
            f"/meetings/{m}/opening",
            f"/meetings/{m}/roll-call",
            f"/meetings/{m}/collective",
            f"/meetings/{m}/reviews",
            f"/meetings/{m}/reviews/{ids['participant']}",
            f"/meetings/{m}/ballot",
            f"/meetings/{m}/closing",
            f"/meetings/{m}/committee",
            f"/meetings/{m}/tally/compare",
            f"/meetings/{s}/results",
            f"/cells/{ids['cell']}/members",
            f"/cells/{ids['cell']}/members/new",
        ],
        "kiemphieu": ["/", f"/meetings/{m}/tally", f"/meetings/{m}/results", f"/meetings/{s}/tally"],
        "danguy": [
            "/",
            f"/organizations/{ids['organization']}",
            f"/organizations/{ids['organization']}/rules",
            f"/organizations/{ids['organization']}/rules/2021",
            f"/exports/{ids['job']}",
            f"/meetings/{s}/results",
        ],
        "quantri": ["/", "/no-such-page"],
    }


def test_every_kind_of_page_runs_under_the_policy_without_violations(app, world):
    visited = 0
    with live_server(app) as base, chromium() as browser:
        for username, urls in pages(world).items():
            context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
            context.add_init_script(LISTEN)
            console: list[str] = []
            page = context.new_page()
            page.on("console", lambda message: console.append(message.text))  # noqa: B023  (this context's list)
            if username is not None:
                sign_in(page, base, username)
            for url in urls:
                response = page.goto(base + url)
                assert response is not None and response.status in (200, 404), f"{username} {url}: {response.status}"
                assert "script-src 'self'" in response.headers["content-security-policy"], url
                page.wait_for_load_state("networkidle")
                violations = page.evaluate("window.__violations")
                assert violations == [], f"{username} {url}: {violations}"
                visited += 1
            csp_messages = [m for m in console if "Content Security Policy" in m or "Refused to" in m]
            assert csp_messages == [], f"{username}: {csp_messages}"
            context.close()
    assert visited >= 25


def test_the_pages_scripts_work_and_inline_script_is_blocked(app, world):
    with live_server(app) as base, chromium() as browser:
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
        context.add_init_script(LISTEN)
        page = context.new_page()
        sign_in(page, base, "bithu")
        # app.js: the button adds a blank feedback row from its <template>.
        page.goto(f"{base}/meetings/{world['meeting']}/reviews/{world['participant']}")
        rows = page.locator("[data-row]").count()
        page.get_by_role("button", name="+ Thêm ý kiến góp ý").click()
        assert page.locator("[data-row]").count() == rows + 1
        # The policy is enforced: an inline script added to the page does not run, and is reported.
        page.evaluate(
            "() => { const s = document.createElement('script'); s.textContent = 'window.__ran = true'; document.body.appendChild(s); }"
        )
        assert page.evaluate("window.__ran === undefined")
        violations = page.evaluate("window.__violations")
        assert any(v.startswith("script-src") for v in violations), violations
        context.close()

        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
        context.add_init_script(LISTEN)
        page = context.new_page()
        sign_in(page, base, "kiemphieu")
        # tally.js: the valid ballots follow what is typed, and the server's checks come back.
        page.goto(f"{base}/meetings/{world['meeting']}/tally")
        page.locator("input[name=returned]").fill("9")
        page.locator("input[name=invalid]").fill("1")
        page.locator("input[name=invalid]").dispatch_event("input")
        page.wait_for_function("document.querySelector('[data-valid]').textContent.trim() === '8'")
        page.wait_for_load_state("networkidle")
        assert page.evaluate("window.__violations") == []
        context.close()
