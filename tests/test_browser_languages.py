"""In Chromium, with the English interface: every page each role reaches reads as English and passes axe;
and the roll call and a tally entry done with the keyboard alone, with a visible focus ring.

The cell is tests/test_browser_phones.py's (the seed sealed in 2020, its 2021 meeting being counted).
"Reads as English": once the cell's data are taken out (every text stored in the database: names,
places, what the meeting recorded), the page holds no Vietnamese letter — not in its text, its
title, its options, nor in the attributes a reader hears (``aria-label``, ``title``, ``placeholder``,
``alt``, a button's value). The language switch's "Tiếng Việt" is marked ``lang="vi"`` and left out.
The Party's regulations keep their names (132-QĐ/TW). The Vietnamese pages are
test_browser_phones.py's (axe at three widths there).
"""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import String, Text, select

from review.counting import set_committee
from review.extensions import db
from review.models import Meeting, Participant, Tally

from browser import live_server
from helpers import PASSWORD, SEED, write_2021_copy
from test_browser_phones import USERS, browser, cell, pages_of  # noqa: F401  (browser, cell: fixtures)

pytestmark = pytest.mark.browser

VIETNAMESE = re.compile("[àáảãạăắằẳẵặâấầẩẫậèéẻẽẹêếềểễệìíỉĩịòóỏõọôốồổỗộơớờởỡợùúủũụưứừửữựỳýỷỹỵđ]", re.IGNORECASE)
REGULATION = re.compile(r"\d+-[A-ZĐ]+/[A-ZĐ]+")  # 132-QĐ/TW, 21-HD/BTCTW, 15-QĐ/ĐU: the Party's numbering

# Everything the page says: its title, its text (scripts and styles aside, and what is marked
# lang="vi"), its options and the attributes a screen reader reads out.
PAGE_WORDS = """() => {
  const body = document.body.cloneNode(true);
  body.querySelectorAll('script, style, [lang="vi"]').forEach(el => el.remove());
  const said = [document.title, body.textContent];
  for (const el of body.querySelectorAll('[title], [aria-label], [placeholder], [alt], input[type=submit], input[type=button]')) {
    for (const name of ['title', 'aria-label', 'placeholder', 'alt']) if (el.hasAttribute(name)) said.push(el.getAttribute(name));
    if (el.matches('input[type=submit], input[type=button]')) said.push(el.value);
  }
  return said.join('\\n');
}"""


def stored_texts(app) -> list[str]:  # type: ignore[no-untyped-def]
    """Every text the database holds (the cell's data), JSON unpacked, longest first."""
    found: set[str] = set()

    def collect(value: object) -> None:
        if isinstance(value, str):
            text = value.strip()
            if text.startswith(("{", "[")):
                try:
                    collect(json.loads(text))
                    return
                except ValueError:
                    pass
            if VIETNAMESE.search(text):
                found.add(text)
                found.update(line.strip() for line in text.splitlines() if line.strip())
        elif isinstance(value, dict):
            for item in value.values():
                collect(item)
        elif isinstance(value, list):
            for item in value:
                collect(item)

    with app.app_context():
        for table in db.metadata.sorted_tables:
            columns = [c for c in table.columns if isinstance(c.type, String | Text)]
            if columns:
                for row in db.session.execute(select(*columns)):
                    for value in row:
                        collect(value)
    collect(json.loads(SEED.read_text(encoding="utf-8")))
    return sorted(found, key=len, reverse=True)


def vietnamese_left(said: str, data: list[str]) -> list[str]:
    """Return the pieces of ``said`` still Vietnamese once the data are taken out."""
    for text in data:
        said = said.replace(text, " ")
    said = REGULATION.sub(" ", said)
    return sorted({line.strip()[:80] for line in said.splitlines() if VIETNAMESE.search(line)})[:8]


def sign_in_by_name(page, base: str, username: str, password: str = PASSWORD) -> None:  # type: ignore[no-untyped-def]
    """Sign in through the form's fields by name (whatever the language of their labels)."""
    page.goto(f"{base}/auth/login")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(password)
    page.locator("main button[type=submit]").click()
    page.wait_for_url(f"{base}/")


def axe_problems(axe, page, where: str) -> list[str]:  # type: ignore[no-untyped-def]
    return [
        f"{where}: axe {v['id']} ({v['impact']}) {[n['target'] for n in v['nodes']][:3]}"
        for v in axe.run(page).response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize("role", [*USERS, "anonymous"])
def test_every_page_reads_as_english_and_passes_axe(app, cell, browser, role):
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    if role == "anonymous":
        pages = [("auth.login", "/auth/login"), ("counting.code_login", "/code"), ("404", "/no-such-page")]
    else:
        pages = pages_of(app, USERS[role], cell)
        assert len(pages) >= 5, pages
    data = stored_texts(app)
    problems: list[str] = []
    with live_server(app) as base:
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
        page = context.new_page()
        if role != "anonymous":
            sign_in_by_name(page, base, USERS[role])
        for endpoint, url in pages:
            page.goto(base + url)
            where = f"{url} ({endpoint})"
            if page.locator("html").get_attribute("lang") != "en":
                problems.append(f"{where}: <html lang> is not en")
            if left := vietnamese_left(page.evaluate(PAGE_WORDS), data):
                problems.append(f"{where}: Vietnamese left: {left}")
            for width in (390, 1280):
                page.set_viewport_size({"width": width, "height": 900})
                for _ in range(100):
                    if page.evaluate("() => window.innerWidth") == width:
                        break
                    page.wait_for_timeout(50)
                if width == 390:  # axe at the phone's width (test_browser_phones.py runs it at three in Vietnamese)
                    problems += axe_problems(axe, page, f"{where} at {width}px")
                scroll = page.evaluate("document.documentElement.scrollWidth")
                if scroll > width:
                    problems.append(f"{where} at {width}px: the page scrolls sideways ({scroll}px)")
                if width == 390 and endpoint in {"counting.tally", "results.results", "ward.dashboard", "auth.login"}:
                    slug = url.strip("/").replace("/", "-") or "home"
                    page.screenshot(path=f"/tmp/english-{role}-{slug}-{width}.png", full_page=True)
        context.close()
    assert not problems, f"{role}:\n" + "\n".join(problems)


# ---------------------------------------------------------------------------
# The keyboard alone: Tab to move, Space and the arrow keys to choose, Enter to save.

FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  const ring = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2;
  return {tag: el.tagName.toLowerCase(), name: el.name || '', type: el.type || '', value: el.value || '',
          text: (el.textContent || '').trim().slice(0, 40), ring: ring || style.boxShadow !== 'none'};
}"""


def tab_to(page, wanted, limit: int = 400) -> dict:  # type: ignore[no-untyped-def]
    """Press Tab until the focused element satisfies ``wanted``; check its focus ring; return it."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused and wanted(focused):
            assert focused["ring"], f"no visible focus ring on {focused}"
            return focused
    raise AssertionError("Tab never reached the element wanted")


def keyboard_sign_in(page, base: str, username: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base}/auth/login")
    tab_to(page, lambda f: f["name"] == "username")
    page.keyboard.type(username)
    tab_to(page, lambda f: f["name"] == "password")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/")


@pytest.fixture
def recording(app, runner, seed_path, tmp_path, make_user):  # type: ignore[no-untyped-def]
    """The seed's 2021 meeting, being recorded (its roll call open), and its accounts; return ids."""
    assert runner.invoke(args=["meeting", "import", str(write_2021_copy(seed_path, tmp_path))]).exit_code == 0
    with app.app_context():
        meeting = db.session.scalar(select(Meeting))
        members = {m.code: m.id for m in meeting.cell.members}
        ids = {"meeting": meeting.id, "cell": meeting.cell_id} | members
    make_user("bithu", "secretary", cell_id=ids["cell"])
    counter = make_user("kiemphieu", "counter", cell_id=ids["cell"])
    with app.app_context():
        from review.models import User

        db.session.get(User, counter).member_id = ids["m06"]
        db.session.commit()
    return ids


def test_the_roll_call_and_a_tally_entry_with_the_keyboard_alone(app, browser, recording):
    ballot = json.loads(SEED.read_text(encoding="utf-8"))["ballot"]
    meeting_id = recording["meeting"]
    with app.app_context():
        last = db.session.scalar(
            select(Participant).where(Participant.meeting_id == meeting_id, Participant.member_id == recording["m10"])
        )
        last_id, was = last.id, last.attendance
    with live_server(app) as base:
        context = browser.new_context(viewport={"width": 390, "height": 900}, locale="en-US")
        page = context.new_page()
        keyboard_sign_in(page, base, "bithu")

        # The roll call: the last member goes from present to the next choice (excused), with a reason.
        page.goto(f"{base}/meetings/{meeting_id}/roll-call")
        tab_to(page, lambda f: f["name"] == f"attendance_{last_id}")
        page.keyboard.press("ArrowRight")  # a radio group: the arrow moves the choice
        page.keyboard.press("Space")
        tab_to(page, lambda f: f["name"] == f"reason_{last_id}")
        page.keyboard.type("Công tác đột xuất")
        tab_to(page, lambda f: f["tag"] == "button" and f["type"] == "submit" and "next" not in f["value"])
        with page.expect_navigation():
            page.keyboard.press("Enter")
        with app.app_context():
            saved = db.session.get(Participant, last_id)
            assert saved.attendance != was and saved.absence_reason == "Công tác đột xuất"
            meeting = db.session.get(Meeting, meeting_id)
            members = recording
            set_committee(meeting, [members[c] for c in ("m06", "m07", "m08")], members["m06"])
            db.session.commit()
        context.close()

        # One tally entry: the chief counter types the seed's ballot, field after field, and saves.
        context = browser.new_context(viewport={"width": 390, "height": 900}, locale="en-US")
        page = context.new_page()
        keyboard_sign_in(page, base, "kiemphieu")
        page.goto(f"{base}/meetings/{meeting_id}/tally")
        for name in ("issued", "returned", "invalid"):
            tab_to(page, lambda f, name=name: f["name"] == name, limit=60)
            page.keyboard.press("Control+A")
            page.keyboard.type(str(ballot[name]))
        for code, row in ballot["rows"].items():
            for column in ("excellent", "good", "completed", "not_completed", "blank"):
                field = f"rows-{code}-{column}"
                tab_to(page, lambda f, field=field: f["name"] == field, limit=20)
                page.keyboard.press("Control+A")
                page.keyboard.type(str(row[column]))
        tab_to(page, lambda f: f["tag"] == "button" and f["type"] == "submit", limit=20)
        with page.expect_navigation():
            page.keyboard.press("Enter")
        context.close()
    with app.app_context():
        entry = db.session.scalar(select(Tally).where(Tally.meeting_id == meeting_id))
        assert entry is not None and entry.issued == ballot["issued"] and entry.returned == ballot["returned"]
