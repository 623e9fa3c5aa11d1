"""In Chromium at 360, 390 and 1280 px: every page a secretary, counter, ward and administrator reach.

The cell is the seed's: its 2020 meeting sealed (results, decided levels, documents, history) and
its 2021 meeting being counted (committee m06 chief, m07, m08; an outstanding one-time code for
m08; the chief's first entry of the seed's ballot). Each user's pages are the application's GET
routes that answer them with an HTML page (read from the URL map, so a new page is checked too).

On every page, at every width: the page does not scroll sideways, no visible element reaches past
the viewport's right edge except inside a declared scroll region (app.js's focusable, labelled
``role=region`` box around a wide table), and on the tally page every row's total is inside the
viewport. At 360 and 390 px the tables that reflow (REFLOWED) do not scroll at all and label each
cell; at 1280 px the results table fits its box (its notes wrap, none is clipped). axe-core finds no serious or critical violation (KNOWN_AXE lists what fails today, and
why). Screenshots of the changed pages go to /tmp/phones-*.png.
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from review.counting import set_committee
from review.extensions import db
from review.models import Meeting

from browser import CHROMIUM, CHROMIUM_ARGS, live_server, sign_in
from helpers import PASSWORD, SEED, csrf_token, one_account_per_kind, write_2021_copy

pytestmark = pytest.mark.browser

PHONE_WIDTHS = (360, 390, 1280)
USERS = {"secretary": "bithu", "counter": "kiemphieu", "ward": "danguy", "admin": "quantri"}
VOTE_COLUMNS = ("excellent", "good", "completed", "not_completed", "blank")
# Every HTML page is visited but these: signing in and out, and a set-password link's page.
SKIPPED = {"auth.login", "auth.logout", "auth.set_password", "counting.code_login", "static"}
# (endpoint, axe rule) -> why it fails today. Empty: every page passes.
KNOWN_AXE: dict[tuple[str, str], str] = {}
SCREENSHOTS = {
    "counting.tally",
    "results.results",
    "roster.members",
    "accounts.cell",
    "ward.dashboard",
    "province.index",
    "counting.committee",
    "history.meeting",
}

# Every visible element whose right edge is past the viewport, unless a declared scroll region
# (or a box that clips it, such as the screen-reader-only text) holds it.
OVERFLOWING = """() => {
  const width = document.documentElement.clientWidth;
  const out = [];
  for (const el of document.body.querySelectorAll('*')) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0 || box.right <= width + 1) continue;
    if (!el.checkVisibility({visibilityProperty: true})) continue;  // a closed menu's links too
    let held = false;
    for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
      if (up.matches('[role=region][tabindex="0"]')) { held = true; break; }
      const s = getComputedStyle(up);
      if ((s.overflowX === 'hidden' || s.overflowX === 'clip') && up.getBoundingClientRect().right <= width + 1) {
        held = true; break;
      }
    }
    if (el.closest('.sr-only')) held = true;
    if (!held) out.push(`${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}.${el.className} right=${Math.round(box.right)}`);
  }
  return out.slice(0, 5);
}"""

# The tables that reflow on a phone (table.reflow, app.css): at 360 and 390 px each row is a card,
# so their box never scrolls sideways and never becomes a scroll region.
REFLOWED = "table.reflow"
# The pages whose main table reflows (results, decided levels, roster, accounts, ward, province).
REFLOWING_PAGES = {"results.results", "roster.members", "accounts.cell", "ward.dashboard", "province.index"}

# Each reflowed table whose box scrolls sideways (or was declared a scroll region), with the
# first element inside it that reaches past the box's right edge.
SCROLLING_TABLES = """(selector) => [...document.querySelectorAll(selector)].filter(table => {
  const wrap = table.closest('.table-wrap');
  return wrap && (wrap.scrollWidth > wrap.clientWidth + 1 || wrap.matches('[role=region]'));
}).map(table => {
  const edge = table.closest('.table-wrap').getBoundingClientRect().right + 1;
  const wide = [...table.querySelectorAll('*')].find(el => el.getBoundingClientRect().right > edge && !el.closest('.sr-only'));
  return `${table.className}: ${wide ? wide.tagName.toLowerCase() + '.' + wide.className : '?'}`;
})"""

# In a reflowed table on a phone: the header row is out of sight and each shown cell carries its
# column's name (data-label), unless it is the row's title, its actions or a whole-row message.
UNLABELLED_CELLS = """(selector) => {
  const out = [];
  for (const table of document.querySelectorAll(selector)) {
    const head = table.tHead;
    if (head && head.getBoundingClientRect().width > 1) out.push(`${table.className}: header row shown`);
    for (const cell of table.querySelectorAll('tbody td, tfoot td')) {
      if (!cell.checkVisibility() || cell.colSpan > 1) continue;
      if (cell.matches('[data-label], .title, .row-links')) continue;
      out.push(`${table.className}: cell "${cell.textContent.trim().slice(0, 30)}" has no label`);
    }
  }
  return out.slice(0, 5);
}"""

# The results table's box at a desktop width: it fits, nothing in it is clipped in a scroll box.
RESULTS_OVERFLOW = """() => [...document.querySelectorAll('table.results-table')].map(table => {
  const wrap = table.closest('.table-wrap');
  return wrap.scrollWidth - wrap.clientWidth;
}).filter(extra => extra > 1)"""

# The tally rows whose total is not wholly inside the viewport.
HIDDEN_TOTALS = """() => {
  const width = document.documentElement.clientWidth;
  return [...document.querySelectorAll('tr[data-row]')].filter(row => {
    const total = row.querySelector('[data-row-total]');
    const box = total.getBoundingClientRect();
    return box.width === 0 || box.left < 0 || box.right > width + 1;
  }).map(row => row.dataset.row);
}"""


@pytest.fixture
def cell(app, runner, seed_path, tmp_path, make_user):  # type: ignore[no-untyped-def]
    """The seed sealed (2020) and its 2021 meeting being counted, with one entry; return URL values."""
    assert runner.invoke(args=["meeting", "import", str(seed_path)]).exit_code == 0
    result = runner.invoke(args=["meeting", "import", str(write_2021_copy(seed_path, tmp_path))])
    assert result.exit_code == 0, result.output
    with app.app_context():
        meetings = {m.review_year.year: m for m in db.session.scalars(select(Meeting))}
        meeting, sealed = meetings[2021], meetings[2020]
        members = {m.code: m for m in meeting.cell.members}
        set_committee(meeting, [members[c].id for c in ("m06", "m07", "m08")], members["m06"].id)
        db.session.commit()
        participant = next(p for p in meeting.participants if p.member_id == members["m01"].id)
        values = {
            "cell_id": meeting.cell_id,
            "organization_id": meeting.cell.organization_id,
            "meeting_id": meeting.id,
            "sealed_meeting_id": sealed.id,
            "member_id": members["m07"].id,
            "participant_id": participant.id,
            "year": 2020,
            "m06": members["m06"].id,
            "m08": members["m08"].id,
        }
    one_account_per_kind(
        app,
        make_user,
        organization_id=values["organization_id"],
        cell_id=values["cell_id"],
        meeting_id=values["meeting_id"],
        counter_member_id=values["m06"],
        code_member_id=values["m08"],
    )
    # The chief's first entry: the seed's ballot, typed into the tally form.
    ballot = json.loads(SEED.read_text(encoding="utf-8"))["ballot"]
    client = app.test_client()
    client.post(
        "/auth/login",
        data={"csrf_token": csrf_token(client, "/auth/login"), "username": "kiemphieu", "password": PASSWORD},
    )
    tally = f"/meetings/{values['meeting_id']}/tally"
    page = client.get(tally).get_data(as_text=True)
    version = page.split('name="version" value="', 1)[1].split('"', 1)[0]
    data = {"csrf_token": csrf_token(client, tally), "version": version}
    data |= {name: str(ballot[name]) for name in ("issued", "returned", "invalid")}
    data["invalid_reasons"] = ballot["invalid_reasons"]
    for key, row in ballot["rows"].items():
        data |= {f"rows-{key}-{f}": str(row[f]) for f in VOTE_COLUMNS}
    assert client.post(tally, data=data).status_code in (200, 302, 303)
    return values


def pages_of(app, username: str, values: dict) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    """Return (endpoint, URL) of every GET page that answers ``username`` with HTML, both meetings'."""
    client = app.test_client()
    client.post(
        "/auth/login",
        data={"csrf_token": csrf_token(client, "/auth/login"), "username": username, "password": PASSWORD},
    )
    found = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if "GET" not in rule.methods or rule.endpoint in SKIPPED:
            continue
        choices = [values]
        if "meeting_id" in rule.arguments:
            choices.append(values | {"meeting_id": values["sealed_meeting_id"]})
        for chosen in choices:
            if set(rule.arguments) - set(chosen) - {"subject"}:
                continue
            arguments = {name: chosen.get(name, "committee") for name in rule.arguments}
            url = rule.build(arguments, append_unknown=False)[1]
            response = client.get(url)
            if response.status_code == 200 and response.mimetype == "text/html":
                found.append((rule.endpoint, url))
    return found


@pytest.fixture(scope="module")
def browser():  # type: ignore[no-untyped-def]
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.mark.parametrize("role", list(USERS))
def test_every_page_fits_a_phone_and_passes_axe(app, cell, browser, role):
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    pages = pages_of(app, USERS[role], cell)
    assert len(pages) >= 5, pages
    problems: list[str] = []
    with live_server(app) as base:
        context = browser.new_context(viewport={"width": PHONE_WIDTHS[0], "height": 800}, locale="vi-VN")
        page = context.new_page()
        sign_in(page, base, USERS[role])
        for endpoint, url in pages:
            page.goto(base + url)
            for width in PHONE_WIDTHS:
                page.set_viewport_size({"width": width, "height": 800})
                page.wait_for_function(f"window.innerWidth === {width}")
                page.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")
                where = f"{url} ({endpoint}) at {width}px"
                scroll = page.evaluate("document.documentElement.scrollWidth")
                if scroll > width:
                    problems.append(f"{where}: the page scrolls sideways ({scroll}px)")
                if outside := page.evaluate(OVERFLOWING):
                    problems.append(f"{where}: past the right edge: {outside}")
                if endpoint in REFLOWING_PAGES and not page.locator(REFLOWED).count():
                    problems.append(f"{where}: no table reflows on this page")
                if width < 640 and (scrolling := page.evaluate(SCROLLING_TABLES, REFLOWED)):
                    problems.append(f"{where}: tables that should reflow scroll sideways: {scrolling}")
                if width < 640 and (unlabelled := page.evaluate(UNLABELLED_CELLS, REFLOWED)):
                    problems.append(f"{where}: reflowed cells without a label: {unlabelled}")
                if width == 1280 and (extra := page.evaluate(RESULTS_OVERFLOW)):
                    problems.append(f"{where}: the results table overflows its box by {extra}px")
                if endpoint == "counting.tally" and (hidden := page.evaluate(HIDDEN_TOTALS)):
                    problems.append(f"{where}: row totals not in view: {hidden}")
                if width in (360, 1280):
                    for violation in axe.run(page).response["violations"]:
                        if violation["impact"] not in ("serious", "critical"):
                            continue
                        if (endpoint, violation["id"]) in KNOWN_AXE:
                            continue
                        targets = [n["target"] for n in violation["nodes"]][:3]
                        problems.append(f"{where}: axe {violation['id']} ({violation['impact']}) {targets}")
                if endpoint in SCREENSHOTS and width in (390, 1280):
                    slug = url.strip("/").replace("/", "-")
                    page.screenshot(path=f"/tmp/phones-{role}-{slug}-{width}.png", full_page=True)
        context.close()
    assert not problems, f"{role}:\n" + "\n".join(problems)
