"""Bad input to every form: never a 500, never a partial write, always a clear message.

The forms are found from the application's URL map (every rule that takes POST), so a new
form cannot be forgotten: ``FORMS`` must name it, with the role that uses it. For each, the
fields are read from the page that holds the form (its inputs, selects, text areas and
buttons), and hypothesis posts random values for every one of them, with a valid CSRF token,
as a signed-in user of the right role: the page's own choices, random Unicode, combining
marks, right-to-left marks, control characters, markup, very long text, numbers out of
range, negative and non-ASCII digits, empty strings, fields left out.

What the form layer does with text (review/forms.py, review/text.py): it stores NFC; it
refuses, with a message next to the field, a text with control characters other than tab and
line feed (NUL, carriage return inside one line, ESC, DEL, C1, U+2028/2029) and a line break
in a one-line field. Nothing is stripped silently: the record is the minutes of a meeting.
"""

from __future__ import annotations

import json
import os
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from html import unescape
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from review import ERRORS, clock, meetingfile
from review.auth.password_links import issue_link
from review.counting import set_committee
from review.extensions import db
from review.models import Cell, Meeting, Member, Organization, User
from review.text import CONTROL, CONTROL_MESSAGE, DIGITS_MESSAGE, LINE_BREAK_MESSAGE

from helpers import PASSWORD, csrf_token, write_2021_copy

# Examples a form; BAD_INPUT_EXAMPLES=200 for a deeper run by hand.
EXAMPLES = int(os.environ.get("BAD_INPUT_EXAMPLES", "25"))
VIETNAMESE = re.compile(r"[àáạảãâầấậẩẫăằắặẳẵèéẹẻẽêềếệểễìíịỉĩòóọỏõôồốộổỗơờớợởỡùúụủũưừứựửữỳýỵỷỹđ]", re.I)
MESSAGE = re.compile(r'<(p|div|section)\b[^>]*class="(?:error|flash flash-)[^"]*"[^>]*>(.*?)</\1>', re.S)
# Markup that must never reach a page as it was typed.
RAW_MARKUP = (
    "<script>alert(1)</script>",
    "<b>đậm</b>",
    "<font size=40>",
    "<img src=x onerror=alert(1)>",
)
# Sign-in throttling records every failed attempt, by design (the only write of a refusal).
VOLATILE_TABLES = {"login_failure"}


# ---------------------------------------------------------------------------
# Every form of the application, with the role that uses it


@dataclass(frozen=True)
class FormSpec:
    role: str  # "anonymous", or the account's role
    url: Callable[[dict[str, Any]], str]  # where the form posts
    page: Callable[[dict[str, Any]], str] | None = None  # the page holding the form (default: url)
    fields_of: Callable[[dict[str, Any]], str] | None = None  # whose fields to post (default: url)
    # A saved result shown in answer to the POST itself, never through the session (a one-time code).
    answers_with_page: bool = False


FORMS: dict[str, FormSpec] = {
    # The language switch of every page's bar (base.html): a stray value changes nothing and says so.
    "/language": FormSpec("anonymous", lambda w: "/language", page=lambda w: "/auth/login"),
    "/accounts/<int:user_id>/disable": FormSpec(
        "ward", lambda w: f"/accounts/{w['kp1']}/disable", page=lambda w: f"/organizations/{w['organization']}/accounts"
    ),
    "/accounts/<int:user_id>/enable": FormSpec(
        "ward", lambda w: f"/accounts/{w['kp1']}/enable", page=lambda w: f"/organizations/{w['organization']}/accounts"
    ),
    "/accounts/<int:user_id>/link": FormSpec(
        "secretary",
        lambda w: f"/accounts/{w['kp1']}/link",
        page=lambda w: f"/cells/{w['cell']}/accounts",
        answers_with_page=True,
    ),
    "/accounts/<int:user_id>/member": FormSpec("secretary", lambda w: f"/accounts/{w['kp1']}/member"),
    "/auth/set-password/<token>": FormSpec("anonymous", lambda w: f"/auth/set-password/{w['link_token']}"),
    "/cells/<int:cell_id>/accounts/new": FormSpec(
        "secretary", lambda w: f"/cells/{w['cell']}/accounts/new", answers_with_page=True
    ),
    "/organizations/<int:organization_id>/accounts/new": FormSpec(
        "ward", lambda w: f"/organizations/{w['organization']}/accounts/new", answers_with_page=True
    ),
    "/admin/organizations/new": FormSpec("admin", lambda w: "/admin/organizations/new"),
    "/admin/organizations/<int:organization_id>/edit": FormSpec(
        "admin", lambda w: f"/admin/organizations/{w['organization']}/edit"
    ),
    "/admin/organizations/<int:organization_id>/archive": FormSpec(
        "admin", lambda w: f"/admin/organizations/{w['organization']}/archive"
    ),
    "/admin/organizations/<int:organization_id>/restore": FormSpec(
        "admin",
        lambda w: f"/admin/organizations/{w['archived_organization']}/restore",
        page=lambda w: "/admin/organizations",
    ),
    "/organizations/<int:organization_id>/cells/new": FormSpec(
        "ward", lambda w: f"/organizations/{w['organization']}/cells/new"
    ),
    "/cells/<int:cell_id>/edit": FormSpec("ward", lambda w: f"/cells/{w['cell']}/edit"),
    "/cells/<int:cell_id>/archive": FormSpec("ward", lambda w: f"/cells/{w['cell']}/archive"),
    "/cells/<int:cell_id>/restore": FormSpec(
        "ward",
        lambda w: f"/cells/{w['archived_cell']}/restore",
        page=lambda w: f"/organizations/{w['organization']}/cells",
    ),
    "/auth/login": FormSpec("anonymous", lambda w: "/auth/login"),
    "/auth/logout": FormSpec("secretary", lambda w: "/auth/logout", page=lambda w: f"/cells/{w['cell']}/members"),
    "/auth/password": FormSpec("secretary", lambda w: "/auth/password"),
    "/cells/<int:cell_id>/meetings/new": FormSpec("secretary", lambda w: f"/cells/{w['cell']}/meetings/new"),
    "/cells/<int:cell_id>/members/new": FormSpec("secretary", lambda w: f"/cells/{w['cell']}/members/new"),
    "/cells/<int:cell_id>/members/import": FormSpec("secretary", lambda w: f"/cells/{w['cell']}/members/import"),
    # The confirmation is on the preview (the answer to an upload): fuzzed with the upload page's fields.
    "/cells/<int:cell_id>/members/import/confirm": FormSpec(
        "secretary",
        lambda w: f"/cells/{w['cell']}/members/import/confirm",
        page=lambda w: f"/cells/{w['cell']}/members/import",
        fields_of=lambda w: f"/cells/{w['cell']}/members/import",
    ),
    "/code": FormSpec("anonymous", lambda w: "/code"),
    "/meetings/<int:meeting_id>/closing": FormSpec("secretary", lambda w: f"/meetings/{w['meeting']}/closing"),
    "/meetings/<int:meeting_id>/collective": FormSpec("secretary", lambda w: f"/meetings/{w['meeting']}/collective"),
    "/meetings/<int:meeting_id>/collective/<any(committee):subject>": FormSpec(
        "secretary", lambda w: f"/meetings/{w['meeting']}/collective/committee"
    ),
    "/meetings/<int:meeting_id>/committee": FormSpec("secretary", lambda w: f"/meetings/{w['meeting']}/committee"),
    "/meetings/<int:meeting_id>/committee/code/<int:member_id>": FormSpec(
        "secretary",
        lambda w: f"/meetings/{w['meeting']}/committee/code/{w['counter_member']}",
        page=lambda w: f"/meetings/{w['meeting']}/committee",
        answers_with_page=True,
    ),
    "/meetings/<int:meeting_id>/committee/code/<int:member_id>/revoke": FormSpec(
        "secretary",
        lambda w: f"/meetings/{w['meeting']}/committee/code/{w['counter_member']}/revoke",
        page=lambda w: f"/meetings/{w['meeting']}/committee",
    ),
    "/meetings/<int:meeting_id>/opening": FormSpec("secretary", lambda w: f"/meetings/{w['meeting']}/opening"),
    "/meetings/<int:meeting_id>/participants/<int:participant_id>/flags": FormSpec(
        "secretary", lambda w: f"/meetings/{w['meeting']}/participants/{w['participant']}/flags"
    ),
    "/meetings/<int:meeting_id>/results/approve": FormSpec(
        "secretary",
        lambda w: f"/meetings/{w['meeting']}/results/approve",
        page=lambda w: f"/meetings/{w['meeting']}/results",
    ),
    "/meetings/<int:meeting_id>/results/reopen": FormSpec(
        "secretary",
        lambda w: f"/meetings/{w['sealed']}/results/reopen",
        page=lambda w: f"/meetings/{w['sealed']}/results",
    ),
    "/meetings/<int:meeting_id>/reviews/<int:participant_id>": FormSpec(
        "secretary", lambda w: f"/meetings/{w['meeting']}/reviews/{w['participant']}"
    ),
    "/meetings/<int:meeting_id>/roll-call": FormSpec("secretary", lambda w: f"/meetings/{w['meeting']}/roll-call"),
    "/meetings/<int:meeting_id>/roll-call/figures": FormSpec(
        "secretary",
        lambda w: f"/meetings/{w['meeting']}/roll-call/figures",
        page=lambda w: f"/meetings/{w['meeting']}/roll-call",
        fields_of=lambda w: f"/meetings/{w['meeting']}/roll-call",
    ),
    "/meetings/<int:meeting_id>/tally": FormSpec("counter", lambda w: f"/meetings/{w['meeting']}/tally"),
    "/meetings/<int:meeting_id>/tally/check": FormSpec(
        "counter",
        lambda w: f"/meetings/{w['meeting']}/tally/check",
        page=lambda w: f"/meetings/{w['meeting']}/tally",
        fields_of=lambda w: f"/meetings/{w['meeting']}/tally",
    ),
    "/members/<int:member_id>/edit": FormSpec("secretary", lambda w: f"/members/{w['member']}/edit"),
    "/members/<int:member_id>/retire": FormSpec("secretary", lambda w: f"/members/{w['leaver']}/retire"),
    "/organizations/<int:organization_id>/exports": FormSpec(
        "ward",
        lambda w: f"/organizations/{w['organization']}/exports",
        page=lambda w: f"/organizations/{w['organization']}",
    ),
    # Posted as a form, the file field holds no file: refused next to the field. The files
    # themselves are fuzzed in tests/test_meeting_file_pages.py (upload fuzz).
    "/organizations/<int:organization_id>/meeting-files": FormSpec(
        "ward", lambda w: f"/organizations/{w['organization']}/meeting-files"
    ),
    # Without a stashed file of this account the confirmation stores nothing and says so.
    "/organizations/<int:organization_id>/meeting-files/confirm": FormSpec(
        "ward",
        lambda w: f"/organizations/{w['organization']}/meeting-files/confirm",
        page=lambda w: f"/organizations/{w['organization']}/meeting-files",
        fields_of=lambda w: f"/organizations/{w['organization']}/meeting-files",
    ),
    "/organizations/<int:organization_id>/rules/<int:year>": FormSpec(
        "ward", lambda w: f"/organizations/{w['organization']}/rules/2021"
    ),
    # The committee's decision: 2020 has the seed sealed, 2021 its meeting being recorded (a cell
    # to record as not reviewed), 2025 a profile with the higher ratio (the allowance).
    "/organizations/<int:organization_id>/decision/<int:year>/members/<int:member_id>": FormSpec(
        "ward",
        lambda w: f"/organizations/{w['organization']}/decision/2020/members/{w['member']}",
        page=lambda w: f"/organizations/{w['organization']}/decision/2020",
    ),
    "/organizations/<int:organization_id>/decision/<int:year>/cells/<int:cell_id>": FormSpec(
        "ward",
        lambda w: f"/organizations/{w['organization']}/decision/2020/cells/{w['cell']}",
        page=lambda w: f"/organizations/{w['organization']}/decision/2020",
    ),
    "/organizations/<int:organization_id>/decision/<int:year>/cells/<int:cell_id>/not-reviewed": FormSpec(
        "ward",
        lambda w: f"/organizations/{w['organization']}/decision/2021/cells/{w['cell']}/not-reviewed",
        page=lambda w: f"/organizations/{w['organization']}/decision/2021",
    ),
    "/organizations/<int:organization_id>/decision/<int:year>/allowance": FormSpec(
        "ward",
        lambda w: f"/organizations/{w['organization']}/decision/2025/allowance",
        page=lambda w: f"/organizations/{w['organization']}/decision/2025",
    ),
    "/organizations/<int:organization_id>/decision/<int:year>/issue": FormSpec(
        "ward",
        lambda w: f"/organizations/{w['organization']}/decision/2020/issue",
        page=lambda w: f"/organizations/{w['organization']}/decision/2020",
    ),
    # Nothing issued: refused with a message (the form is on the page once issued; its field untouched here).
    "/organizations/<int:organization_id>/decision/<int:year>/reopen": FormSpec(
        "ward",
        lambda w: f"/organizations/{w['organization']}/decision/2020/reopen",
        page=lambda w: f"/organizations/{w['organization']}/decision/2020",
    ),
}
USERNAMES = {"secretary": "bithu", "counter": "kp1", "ward": "danguy", "admin": "quantri"}


def post_rules(app) -> set[str]:  # type: ignore[no-untyped-def]
    """Return every URL rule of the application that takes POST."""
    return {rule.rule for rule in app.url_map.iter_rules() if "POST" in (rule.methods or ())}


# ---------------------------------------------------------------------------
# The world the forms work on


@pytest.fixture
def world(app, runner, seed_path, tmp_path, make_user):  # type: ignore[no-untyped-def]
    """The seed's 2020 meeting (sealed), its 2021 meeting being recorded, and one account a role.

    The 2021 committee is m06 (chief), m07, m08; the counter ``kp1`` is m06. ``leaver`` is a
    member on the roster but not summoned to 2021, so leaving the cell can be saved.
    """
    for path in (seed_path, write_2021_copy(seed_path, tmp_path)):
        result = runner.invoke(args=["meeting", "import", str(path)])
        assert result.exit_code == 0, result.output
    with app.app_context():
        cell = db.session.scalar(select(Cell))
        meetings = {m.year: m for m in db.session.scalars(select(Meeting))}
        members = {m.code: m for m in cell.members}
        set_committee(meetings[2021], [members[c].id for c in ("m06", "m07", "m08")], members["m06"].id)
        leaver = Member(
            cell_id=cell.id,
            code="m11",
            name="Đinh Văn Rời",
            standing="official",
            position="member",
            admitted_on=date(2001, 5, 19),
        )
        db.session.add(leaver)
        # An archived organisation and an archived cell, to restore.
        archived_organization = Organization(name="Đảng bộ phường Cũ", place="Cũ", archived_at=clock.now())
        archived_cell = Cell(organization_id=cell.organization_id, name="Chi bộ Đã lưu trữ", archived_at=clock.now())
        db.session.add_all([archived_organization, archived_cell])
        db.session.commit()
        participant = next(p for p in meetings[2021].participants if p.member.code == "m05")
        ids = {
            "cell": cell.id,
            "organization": cell.organization_id,
            "meeting": meetings[2021].id,
            "sealed": meetings[2020].id,
            "participant": participant.id,
            "member": members["m05"].id,
            "leaver": leaver.id,
            "counter_member": members["m07"].id,
            "kp1_member": members["m06"].id,
            "archived_organization": archived_organization.id,
            "archived_cell": archived_cell.id,
        }
    make_user("bithu", "secretary", cell_id=ids["cell"])
    make_user("danguy", "ward", organization_id=ids["organization"])
    make_user("quantri", "admin")
    user_id = make_user("kp1", "counter", cell_id=ids["cell"])
    ids["kp1"] = user_id
    newcomer = make_user("nguoi-moi", "secretary", cell_id=ids["cell"])
    with app.app_context():
        db.session.get(User, user_id).member_id = ids["kp1_member"]
        ids["link_token"] = issue_link(db.session.get(User, newcomer), None).token
        db.session.commit()
    # The ZIP export's worker is not what is tested here: record the job, build nothing.
    app.config["EXPORT_STARTER"] = lambda _app, _job_id: None
    return ids


def client_for(app, role: str):  # type: ignore[no-untyped-def]
    """Return a test client signed in as the world's account of ``role`` (or anonymous)."""
    client = app.test_client()
    if role != "anonymous":
        token = csrf_token(client, "/auth/login")
        response = client.post(
            "/auth/login", data={"csrf_token": token, "username": USERNAMES[role], "password": PASSWORD}
        )
        assert response.status_code == 302, response.get_data(as_text=True)
    return client


# ---------------------------------------------------------------------------
# Reading the forms of a page


class PostForms(HTMLParser):
    """Collect a page's POST forms: the action, and each field's name with the values the page offers."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[dict[str, Any]] = []
        self.current: dict[str, Any] | None = None
        self.select: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "form":
            self.current = None
            if (a.get("method") or "get").lower() == "post":
                self.current = {"action": a.get("action") or "", "fields": {}}
                self.forms.append(self.current)
            return
        if self.current is None:
            return
        fields = self.current["fields"]
        name = a.get("name")
        if tag in ("input", "button") and name:
            values = fields.setdefault(name, [])
            if a.get("value"):
                values.append(a["value"])
            if a.get("type") == "checkbox" and not a.get("value"):
                values.append("y")
        elif tag == "select" and name:
            self.select = fields.setdefault(name, [])
        elif tag == "option" and self.select is not None and a.get("value") is not None:
            self.select.append(a["value"])
        elif tag == "textarea" and name:
            fields.setdefault(name, [])

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.current = None
        elif tag == "select":
            self.select = None


def form_fields(html: str, page: str, target: str) -> tuple[dict[str, list[str]], str | None]:
    """Return the fields of the page's forms posting to ``target`` (name -> offered values), and the CSRF token."""
    parser = PostForms()
    parser.feed(html)
    fields: dict[str, list[str]] = {}
    token = None
    for form in parser.forms:
        values = form["fields"].get("csrf_token")
        if values:
            token = values[0]
        if (urlsplit(form["action"]).path or urlsplit(page).path) != target:
            continue
        for name, offered in form["fields"].items():
            fields.setdefault(name, []).extend(v for v in offered if v not in fields[name])
    fields.pop("csrf_token", None)
    return fields, token


# ---------------------------------------------------------------------------
# Hostile values

PIECES = [
    "",
    " ",
    "Nguyễn Văn Hòa",
    "Hoàng Thị Lệ Quyên",
    "Nguye\u0302\u0303n",  # NFD: decomposed marks
    "e\u0301\u0301\u0301",
    "\u0301",
    "\u202e",
    "\u202d",
    "\u200f",
    "\u200e",
    "\u2066",
    "שלום",
    "مرحبا",
    "\x00",
    "\r",
    "\n",
    "\r\n",
    "\t",
    "\x0b",
    "\x0c",
    "\x1b",
    "\x7f",
    "\x85",
    "\u2028",
    "\u2029",
    "\ufeff",
    "\ufffe",
    "\U0001f600",
    *RAW_MARKUP,
    "&amp;",
    "&",
    "&lt;",
    "{{ 7*7 }}",
    "{% if %}",
    "'",
    '"',
    "\\",
    "A <0.9",
    "S&P",
    "٣",
    "٢٠٢١",
    "２０２１",
    "１２",
    "߃",
    "-1",
    "0",
    "12",
    "100",
    "2021",
    "99999999999999999999",
    "1e3",
    "1.5",
    "1_000",
    "+5",
    "2/3",
    "0/0",
    "9999-12-31",
    "2021-11-27T14:00",
    "0000-00-00",
    "2021-02-30",
]
texts = st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=12)), max_size=6).map("".join)
numbers = st.one_of(
    st.integers(min_value=-(10**20), max_value=10**20).map(str),
    st.integers(min_value=-5, max_value=120).map(str),
    st.sampled_from(["٣", "٢٠٢١", "２０２１", "１２", "߃", "৩", "1_000", "+5", " 7 ", "-0", "0x10", "1e3", "1.5", ""]),
)
long_texts = st.builds(
    lambda piece, n: (piece * n)[:n],
    st.sampled_from(["a", "ễ", "e\u0301", "<b>đậm</b>", "\u202e", "Hội nghị "]),
    st.sampled_from([201, 2_001, 20_001, 100_000]),
)


@st.composite
def posted_values(draw: st.DrawFn, fields: dict[str, list[str]]) -> dict[str, list[str]]:
    """Return values for the fields: the page's own choices, hostile text and numbers; some left out."""
    names = sorted(fields)
    long_field = draw(st.sampled_from(names)) if names and draw(st.integers(0, 7)) == 0 else None
    data: dict[str, list[str]] = {}
    for name in names:
        offered = fields[name]
        if name == long_field:
            data[name] = [draw(long_texts)]
            continue
        if draw(st.integers(0, 6)) == 0:
            continue  # left out, as an unticked box or a hand-made request
        choices = [st.sampled_from(offered)] * 3 if offered else []
        value = st.one_of(*choices, texts, texts, numbers)
        data[name] = draw(st.lists(value, min_size=1, max_size=2 if draw(st.integers(0, 5)) == 0 else 1))
    return data


# ---------------------------------------------------------------------------
# What must hold


def snapshot(app) -> dict[str, list[tuple[Any, ...]]]:  # type: ignore[no-untyped-def]
    """Return every row of every table, in a stable order."""
    with app.app_context(), db.engine.connect() as connection:
        return {
            table.name: sorted((tuple(row) for row in connection.execute(table.select())), key=repr)
            for table in db.metadata.sorted_tables
            if table.name not in VOLATILE_TABLES
        }


def stored_texts(table: str, value: str) -> list[str]:
    """Return the texts a stored string holds: itself, or the values of an audit entry's JSON.

    The audit log's before/after columns are JSON, whose escapes are not text: a typed line
    break followed by a combining mark, NFC as typed, is written ``\\n`` + the mark, and the
    JSON as a whole is then not NFC. What must be clean is each text it records.
    """
    if table != "audit_entry" or value[:1] not in "{[":
        return [value]
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, str):
            found.append(node)
        elif isinstance(node, dict):
            for key, item in node.items():
                walk(key)
                walk(item)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(json.loads(value))
    return found


def assert_stored_text_is_clean(snap: dict[str, list[tuple[Any, ...]]]) -> None:
    """Every stored text is NFC and free of control characters."""
    for table, rows in snap.items():
        for row in rows:
            for value in row:
                if isinstance(value, str):
                    for text in stored_texts(table, value):
                        assert unicodedata.is_normalized("NFC", text), (table, text[:80])
                        assert not CONTROL.search(text), (table, text[:80])


def assert_escaped(html: str) -> None:
    """No markup typed by a user reaches the page as markup."""
    for raw in RAW_MARKUP:
        assert raw not in html, raw


def messages(html: str) -> list[str]:
    """Return the error and flash messages of a page."""
    return [re.sub(r"<[^>]+>", "", m.group(2)).strip() for m in MESSAGE.finditer(html)]


def assert_clear_refusal(response) -> None:  # type: ignore[no-untyped-def]
    """A refusal says why, in Vietnamese: next to a field, in a flash, or on an error page."""
    if response.is_json:
        errors = response.get_json().get("errors") or {}
        texts_ = [m for ms in errors.values() for m in (ms if isinstance(ms, list) else [ms])]
        assert texts_ and all(VIETNAMESE.search(m) for m in texts_), errors
        return
    html = response.get_data(as_text=True)
    found = [m for m in messages(html) if m]
    if response.status_code in ERRORS:
        found.append(ERRORS[response.status_code][1]) if ERRORS[response.status_code][1] in html else None
    assert found, f"{response.status_code} without a message: {html[:2000]}"
    assert any(VIETNAMESE.search(m) for m in found), found


def check_post(app, client, url: str, data: dict[str, list[str]], answers_with_page: bool = False) -> str:  # type: ignore[no-untyped-def]
    """Post ``data``; check no 500, no partial write, a clear message, clean stored text. Return the outcome."""
    before = snapshot(app)
    response = client.post(url, data=data)
    after = snapshot(app)
    assert response.status_code < 500, response.get_data(as_text=True)[:3000]
    if not response.is_json:
        assert_escaped(response.get_data(as_text=True))
    if response.status_code >= 400:
        assert after == before, "a refused form changed the database"
        assert_clear_refusal(response)
        return "refused"
    if 300 <= response.status_code < 400:
        page = client.get(response.headers["Location"])
        assert page.status_code < 500
        html = page.get_data(as_text=True)
        assert_escaped(html)
        # A saved result speaks for itself (a flash, the one-time code); anything else must say why.
        assert after != before or any(messages(html)), f"a redirect without a message: {html[:2000]}"
    elif answers_with_page and not response.is_json:
        assert after != before, "a page shown in answer to a POST that saved nothing"
    else:
        assert response.is_json, "a POST answered with a page that is neither a refusal nor a redirect"
        assert after == before, "a check without saving changed the database"
    if after != before:
        assert_stored_text_is_clean(after)
        return "saved"
    return "answered"


# ---------------------------------------------------------------------------
# The tests


def test_every_post_route_is_fuzzed(app) -> None:
    assert post_rules(app) == set(FORMS), "add the new form to FORMS, with the role that uses it"


@pytest.mark.parametrize("rule", sorted(FORMS))
def test_bad_input_to_every_form(app, world, rule: str) -> None:
    spec = FORMS[rule]
    client = client_for(app, spec.role)
    url = spec.url(world)
    page_url = (spec.page or spec.url)(world)
    fields_of = (spec.fields_of or spec.url)(world)

    # The fields as the page first shows them: the values drawn must not depend on what
    # earlier examples saved (hypothesis replays examples).
    first = client.get(page_url)
    assert first.status_code == 200, first.status_code
    fields, _ = form_fields(first.get_data(as_text=True), page_url, fields_of)

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture],
    )
    @given(data=st.data())
    def run(data: st.DataObject) -> None:
        page = client.get(page_url)
        assert page.status_code < 500
        _, token = form_fields(page.get_data(as_text=True), page_url, fields_of)
        values = data.draw(posted_values(fields), label="values")
        values["csrf_token"] = [token or csrf_token(client, "/auth/login")]
        check_post(app, client, url, values, spec.answers_with_page)

    run()


# ---------------------------------------------------------------------------
# The decisions, one example each


def page_values(client, url: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Return the form's values as the page offers them (the first option of each field), with its CSRF token."""
    page = client.get(url)
    assert page.status_code == 200, page.status_code
    html = page.get_data(as_text=True)
    fields, token = form_fields(html, url, url)
    values = {name: (offered[0] if offered else "") for name, offered in fields.items()}
    for match in re.finditer(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', html, re.S):
        values[match.group(1)] = unescape(match.group(2)).lstrip("\n")  # keep what is stored
    for match in re.finditer(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', html, re.S):
        for option in re.findall(r"<option\b([^>]*)>", match.group(2)):
            value = re.search(r'value="([^"]*)"', option)
            if re.search(r"\bselected\b", option) and value:
                values[match.group(1)] = unescape(value.group(1))
    values["csrf_token"] = token or ""
    return values


def member_names(app) -> list[str]:  # type: ignore[no-untyped-def]
    with app.app_context():
        return sorted(db.session.scalars(select(Member.name)))


def test_the_forms_refuse_the_same_control_characters_as_the_meeting_file() -> None:
    assert CONTROL.pattern == meetingfile.CONTROL.pattern


@pytest.mark.parametrize("name", ["Nguyễn\x00Văn Hòa", "Nguyễn\x1bVăn", "Nguyễn\u2028Văn", "Lê\x7fVăn"])
def test_a_control_character_in_a_name_is_a_message_next_to_the_field(app, world, name: str) -> None:
    # PostgreSQL refuses NUL in text outright: the form must stop it first.
    client = client_for(app, "secretary")
    url = f"/cells/{world['cell']}/members/new"
    before = snapshot(app)
    values = page_values(client, url) | {"name": name, "admitted_on": "2010-05-19"}
    response = client.post(url, data=values)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert re.search(r'<p class="error" id="name-error">\s*' + re.escape(CONTROL_MESSAGE), html)
    assert snapshot(app) == before


def test_a_line_break_in_a_one_line_field_is_refused(app, world) -> None:
    client = client_for(app, "secretary")
    url = f"/cells/{world['cell']}/members/new"
    values = page_values(client, url) | {"name": "Nguyễn Văn\r\nHòa", "admitted_on": "2010-05-19"}
    response = client.post(url, data=values)
    assert response.status_code == 422
    assert LINE_BREAK_MESSAGE in response.get_data(as_text=True)
    assert "Nguyễn Văn\nHòa" not in member_names(app)


def test_right_to_left_marks_and_markup_are_stored_nfc_and_shown_escaped(app, world) -> None:
    client = client_for(app, "secretary")
    url = f"/cells/{world['cell']}/members/new"
    typed = unicodedata.normalize("NFD", "  Nguyễn Thị Ánh \u202eevil <script>alert(1)</script> &amp; {{ 7*7 }}  ")
    values = page_values(client, url) | {"name": typed, "position": "member", "admitted_on": "2010-05-19"}
    response = client.post(url, data=values)
    assert response.status_code == 302, response.get_data(as_text=True)
    stored = unicodedata.normalize("NFC", typed).strip()
    assert stored in member_names(app)
    html = client.get(f"/cells/{world['cell']}/members").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert "Nguyễn Thị Ánh \u202eevil &lt;script&gt;alert(1)&lt;/script&gt; &amp;amp; {{ 7*7 }}" in html


@pytest.mark.parametrize("year", ["２０２２", "٢٠٢٢", "2_022", "+2022"])
def test_an_integer_takes_ascii_digits_only(app, world, year: str) -> None:
    client = client_for(app, "secretary")
    url = f"/cells/{world['cell']}/meetings/new"
    before = snapshot(app)
    response = client.post(url, data=page_values(client, url) | {"year": year})
    assert response.status_code == 422
    assert DIGITS_MESSAGE in response.get_data(as_text=True)
    assert snapshot(app) == before


def test_a_long_text_keeps_its_line_breaks_and_tabs_as_one_kind(app, world) -> None:
    client = client_for(app, "secretary")
    url = f"/meetings/{world['meeting']}/collective"
    report = "Ưu điểm:\r\n\t- đoàn kết\rHạn chế: chưa có"
    response = client.post(url, data=page_values(client, url) | {"report": report})
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        meeting = db.session.get(Meeting, world["meeting"])
        stored = next(c for c in meeting.collective_reviews if c.subject == "cell")
        assert stored.report == "Ưu điểm:\n\t- đoàn kết\nHạn chế: chưa có"


def test_a_very_long_text_is_refused_with_its_length(app, world) -> None:
    client = client_for(app, "secretary")
    url = f"/meetings/{world['meeting']}/collective"
    before = snapshot(app)
    response = client.post(url, data=page_values(client, url) | {"report": "a" * 100_000})
    assert response.status_code == 422
    assert "Dài 100.000 ký tự, tối đa 20.000 ký tự." in response.get_data(as_text=True)
    assert snapshot(app) == before


def test_a_request_too_large_to_read_gets_a_vietnamese_page(app, world) -> None:
    # A million "ễ" are 9 MB once form-encoded: over MAX_CONTENT_LENGTH (413), read no further.
    client = client_for(app, "secretary")
    url = f"/meetings/{world['meeting']}/collective"
    before = snapshot(app)
    response = client.post(url, data=page_values(client, url) | {"report": "ễ" * 1_000_000})
    assert response.status_code == 413
    assert ERRORS[413][1] in response.get_data(as_text=True)
    assert snapshot(app) == before


def test_a_nul_in_the_invalid_ballots_reasons_is_a_message(app, world) -> None:
    client = client_for(app, "counter")
    url = f"/meetings/{world['meeting']}/tally"
    before = snapshot(app)
    response = client.post(url, data=page_values(client, url) | {"invalid_reasons": "Phiếu gạch\x00xóa"})
    assert response.status_code == 422
    assert re.search(
        r'id="invalid_reasons-error"[^>]*>\s*' + re.escape(CONTROL_MESSAGE), response.get_data(as_text=True)
    )
    assert snapshot(app) == before


def test_a_nul_in_the_sign_in_name_is_a_message(app, world) -> None:
    client = client_for(app, "anonymous")
    response = client.post(
        "/auth/login", data={"csrf_token": csrf_token(client, "/auth/login"), "username": "bi\x00thu", "password": "x"}
    )
    assert response.status_code == 422
    assert CONTROL_MESSAGE in response.get_data(as_text=True)


@pytest.mark.parametrize("year", ["\x00", "٢٠٢١", "２０２１", "-1", "1" * 60, "<script>alert(1)</script>", ""])
def test_the_year_picker_a_get_form_answers_bad_input_with_a_message(app, world, year: str) -> None:
    client = client_for(app, "ward")
    before = snapshot(app)
    response = client.get(f"/organizations/{world['organization']}/rules", query_string={"year": year})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert_escaped(html)
    assert any(VIETNAMESE.search(m) for m in messages(html)), html
    assert snapshot(app) == before


def test_the_opening_saves_a_changed_list_of_guests(app, world) -> None:
    # Found by the fuzz on PostgreSQL: replacing the guests inserted the new row at position 0
    # before deleting the old one, against the unique (meeting, position).
    client = client_for(app, "secretary")
    url = f"/meetings/{world['meeting']}/opening"
    for names in (["Trần Văn Khách"], ["Lê Thị Mời", "Phạm Văn Dự"], ["Phạm Văn Dự"], []):
        values = page_values(client, url)
        values = {k: v for k, v in values.items() if not k.startswith("guests-")}
        for i, name in enumerate(names + [""]):
            values[f"guests-{i}-name"], values[f"guests-{i}-title"] = name, ""
        response = client.post(url, data=values)
        assert response.status_code == 302, response.get_data(as_text=True)[:3000]
        with app.app_context():
            meeting = db.session.get(Meeting, world["meeting"])
            assert [g.name for g in sorted(meeting.guests, key=lambda g: g.position)] == names
