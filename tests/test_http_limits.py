"""HTTP limits: numbers too large for an id, request bodies over the limit, forms that do not echo them back.

Every database test runs on SQLite and on PostgreSQL (whose ``integer`` ids stop at 2^31 - 1).
"""

from __future__ import annotations

import http.client
import json
import re
from html import escape
from http.cookiejar import CookieJar
from pathlib import Path
from urllib.parse import urlencode, urlsplit
from urllib.request import HTTPCookieProcessor, build_opener

import pytest
from sqlalchemy import select

from review.extensions import db
from review.meetingfile import TEXT_MAX
from review.meetingfile import parse as parse_meeting_file
from review.models import Meeting, Member
from review.text import UNDECODABLE_MESSAGE

from browser import live_server
from helpers import CSRF_INPUT, VERSION_INPUT, csrf_token, write_2021_copy
from test_access_table import ADMIN, CODE, COUNTER, SECRETARY, WARD, build, cell, checks, signed_in_client  # noqa: F401
from test_bad_input import client_for, page_values, snapshot, world  # noqa: F401

TOO_LARGE = (2**31, 2**63, 10**30)
LARGEST_ID = 2**31 - 1


def int_arguments(rule) -> list[str]:  # type: ignore[no-untyped-def]
    """Return the names of the rule's ``int`` segments."""
    return [
        name
        for name, converter in rule._converters.items()
        if converter.__class__.__name__.endswith("IntegerConverter")
    ]


@pytest.mark.parametrize("role", [ADMIN, WARD, SECRETARY, COUNTER, CODE])
def test_every_int_segment_answers_404_to_a_number_beyond_an_id(app, cell, role):
    client = signed_in_client(app, role, cell)
    token = csrf_token(client, "/code")
    wrong, tried = [], 0
    for endpoint, method, rule in checks(app):
        if endpoint == "auth.logout":
            continue
        for name in int_arguments(rule):
            for number in (*TOO_LARGE, LARGEST_ID):
                url = build(
                    rule, {**cell, name: number, "meeting_id": number if name == "meeting_id" else cell["meeting_id"]}
                )
                response = client.open(url, method=method, data={"csrf_token": token} if method == "POST" else None)
                tried += 1
                # 2^31 - 1 still reaches the view (and the database): nothing has that id, or, for
                # a year, a page with no data; never a 500.
                expected = {404} if number in TOO_LARGE else {200, 403, 404, 422}
                if response.status_code not in expected:
                    wrong.append(f"{method} {url} ({endpoint}): {response.status_code}")
    assert tried > 100
    assert not wrong, f"{role}:\n" + "\n".join(wrong)


@pytest.mark.parametrize("number", ["2147483648", "9223372036854775808", "-1", "1_000", "٣", "1e3", ""])
def test_the_history_page_answers_404_to_a_before_that_is_no_id(app, cell, number):
    client = signed_in_client(app, SECRETARY, cell)
    url = f"/meetings/{cell['meeting_id']}/history"
    assert client.get(url).status_code == 200
    assert client.get(f"{url}?before={LARGEST_ID}").status_code == 200
    assert client.get(f"{url}?before={number}").status_code == 404


@pytest.mark.parametrize("number", ["2147483648", "9223372036854775808", "99999", "-2020", "٢٠٢٠", "abc"])
def test_a_year_parameter_out_of_range_shows_the_default_year(app, cell, number):
    ward = signed_in_client(app, WARD, cell)
    page = ward.get(f"/organizations/{cell['organization_id']}?year={number}")
    assert page.status_code == 200
    admin = signed_in_client(app, ADMIN, cell)
    assert admin.get(f"/province?year={number}").status_code == 200
    assert admin.get(f"/organizations/{cell['organization_id']}/rules?year={number}").status_code in (200, 422)


# ---------------------------------------------------------------------------
# Request bodies: a chunked body over the limit is refused whole, never cut


LIMIT = 8 * 1024 * 1024


class LiveSession:
    """A signed-in session on a served application: cookies from a real sign-in, raw posts by http.client."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = CookieJar()
        self.opener = build_opener(HTTPCookieProcessor(self.jar))

    def page(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=60) as response:
            return response.read().decode("utf-8")

    def token(self, path: str) -> str:
        match = CSRF_INPUT.search(self.page(path))
        assert match, path
        return match.group(1)

    def version(self, path: str) -> str:
        match = VERSION_INPUT.search(self.page(path))
        assert match, path
        return match.group(1) or match.group(2) or ""

    def sign_in(self, username: str) -> None:
        data = urlencode({"csrf_token": self.token("/auth/login"), "username": username, "password": "mật-khẩu-đủ-dài"})
        with self.opener.open(self.base + "/auth/login", data=data.encode(), timeout=60) as response:
            assert urlsplit(response.geturl()).path != "/auth/login", "could not sign in"

    def post_chunked(self, path: str, chunks) -> tuple[int, bytes]:  # type: ignore[no-untyped-def]
        """POST a form-encoded body with Transfer-Encoding: chunked (no Content-Length)."""
        host, port = urlsplit(self.base).hostname, urlsplit(self.base).port
        connection = http.client.HTTPConnection(host, port, timeout=120)
        cookies = "; ".join(f"{c.name}={c.value}" for c in self.jar)
        connection.request(
            "POST",
            path,
            body=chunks,
            encode_chunked=True,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": cookies,
            },
        )
        response = connection.getresponse()
        body = response.read()
        connection.close()
        return response.status, body


def chunked(head: bytes, filler: bytes, total: int, size: int = 64 * 1024):  # type: ignore[no-untyped-def]
    """Yield ``head`` then ``filler`` repeated up to ``total`` bytes, in chunks of ``size``."""
    yield head
    sent = len(head)
    while sent < total:
        piece = filler * max(1, min(size, total - sent) // len(filler))
        yield piece
        sent += len(piece)


def collective_report(app, meeting_id: int) -> str | None:  # type: ignore[no-untyped-def]
    with app.app_context():
        meeting = db.session.get(Meeting, meeting_id)
        stored = next((c for c in meeting.collective_reviews if c.subject == "cell"), None)
        report = stored.report if stored is not None else None
        db.session.remove()
        return report


def test_a_chunked_body_over_the_limit_gets_413_and_one_under_it_is_read_whole(app, world):
    url = f"/meetings/{world['meeting']}/collective"
    with live_server(app) as base:
        session = LiveSession(base)
        session.sign_in("bithu")
        head = urlencode({"csrf_token": session.token(url), "version": "0", "report": "Báo cáo: "}).encode()
        before = snapshot(app)
        # 9 MiB, chunked: refused whole with the Vietnamese page (Werkzeug alone read the first 8 MiB).
        status, body = session.post_chunked(url, chunked(head, b"a", 9 * 1024 * 1024))
        assert status == 413
        assert "Nội dung quá lớn" in body.decode("utf-8")
        assert snapshot(app) == before
        # Just over the limit by one byte: refused too.
        status, _ = session.post_chunked(url, chunked(head, b"a", LIMIT + 1))
        assert status == 413
        # A chunked body under the limit is read to its end: the text is stored whole.
        text = "Ưu điểm: " + "đoàn kết " * 1500
        small = urlencode({"csrf_token": session.token(url), "version": session.version(url), "report": text}).encode()
        status, body = session.post_chunked(url, (small[i : i + 1000] for i in range(0, len(small), 1000)))
        assert status in (200, 302, 303), body[:500]
    assert collective_report(app, world["meeting"]) == text.strip()


def test_a_body_of_exactly_the_limit_is_not_refused_for_its_size(app):
    import io

    from review.security import BodyLimit

    assert BodyLimit(io.BytesIO(b"x" * 10), 10, is_max=True).read() == b"x" * 10
    from werkzeug.exceptions import RequestEntityTooLarge

    with pytest.raises(RequestEntityTooLarge):
        BodyLimit(io.BytesIO(b"x" * 11), 10, is_max=True).read()


# ---------------------------------------------------------------------------
# A refused form does not echo megabytes back


def test_a_name_far_over_its_limit_is_refused_without_echoing_it(app, world):
    client = client_for(app, "secretary")
    url = f"/cells/{world['cell']}/members/new"
    before = snapshot(app)
    response = client.post(
        url, data=page_values(client, url) | {"name": "Nguyễn " * 500_000, "admitted_on": "2010-05-19"}
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert re.search(r'id="name-error">[^<]*tối đa', html)
    assert len(response.data) < 100_000  # the page, not the 3.5 MB that were typed
    value = re.search(r'<input[^>]*name="name"[^>]*value="([^"]*)"', html) or re.search(
        r'<input[^>]*value="([^"]*)"[^>]*name="name"', html
    )
    assert value is not None and 0 < len(value.group(1)) <= 200
    assert snapshot(app) == before


def test_a_review_text_of_megabytes_is_refused_with_its_length_and_cut_to_the_limit(app, world):
    client = client_for(app, "secretary")
    url = f"/meetings/{world['meeting']}/collective"
    before = snapshot(app)
    response = client.post(url, data=page_values(client, url) | {"report": "a" * 7_000_000})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Dài 7.000.000 ký tự, tối đa 20.000 ký tự." in html
    assert len(response.data) < TEXT_MAX + 100_000
    assert "a" * TEXT_MAX in html and "a" * (TEXT_MAX + 1) not in html
    assert snapshot(app) == before


def test_a_number_of_a_million_digits_is_refused_with_a_short_preview(app, world):
    client = client_for(app, "secretary")
    url = f"/cells/{world['cell']}/meetings/new"
    before = snapshot(app)
    response = client.post(url, data=page_values(client, url) | {"year": "9" * 1_000_000})
    assert response.status_code == 422
    assert len(response.data) < 100_000
    assert snapshot(app) == before


# ---------------------------------------------------------------------------
# Bytes that are not UTF-8


def raw_post(client, url: str, values: dict[str, str], raw: dict[str, bytes]):  # type: ignore[no-untyped-def]
    """POST a form-encoded body: ``values`` encoded as browsers do, ``raw`` as the bytes given, percent-encoded."""
    body = urlencode(values).encode("ascii")
    for name, value in raw.items():
        body += b"&" + name.encode() + b"=" + b"".join(b"%%%02X" % byte for byte in value)
    return client.post(url, data=body, content_type="application/x-www-form-urlencoded")


@pytest.mark.parametrize("raw", [b"Nguy\xe1n V\xff", b"\xc3\x28", b"\xed\xa0\x80", b"\xf8\x88\x80\x80\x80"])
def test_a_name_that_is_not_utf8_is_refused_next_to_the_field(app, world, raw: bytes):
    client = client_for(app, "secretary")
    url = f"/cells/{world['cell']}/members/new"
    before = snapshot(app)
    values = page_values(client, url) | {"admitted_on": "2010-05-19"}
    values.pop("name", None)
    response = raw_post(client, url, values, {"name": raw})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert re.search(r'<p class="error" id="name-error">\s*' + re.escape(UNDECODABLE_MESSAGE), html)
    assert snapshot(app) == before
    with app.app_context():
        assert not db.session.scalars(select(Member).where(Member.name.contains("\ufffd"))).all()


def test_raw_bytes_that_are_not_utf8_are_refused_alike(app, world):
    client = client_for(app, "secretary")
    url = f"/meetings/{world['meeting']}/collective"
    before = snapshot(app)
    values = page_values(client, url)
    values.pop("report", None)
    body = urlencode(values).encode("ascii") + b"&report=" + "Báo cáo ".encode() + b"\xff\xfe"
    response = client.post(url, data=body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 422
    assert UNDECODABLE_MESSAGE in response.get_data(as_text=True)
    assert snapshot(app) == before


def test_a_multipart_body_that_is_not_utf8_is_refused(app, world):
    client = client_for(app, "secretary")
    url = f"/meetings/{world['meeting']}/collective"
    before = snapshot(app)
    values = page_values(client, url)
    values.pop("report", None)
    parts = b"".join(
        b'--B\r\nContent-Disposition: form-data; name="' + k.encode() + b'"\r\n\r\n' + v.encode() + b"\r\n"
        for k, v in values.items()
    )
    parts += b'--B\r\nContent-Disposition: form-data; name="report"\r\n\r\nB\xe1o c\xe1o\r\n--B--\r\n'
    response = client.post(url, data=parts, content_type="multipart/form-data; boundary=B")
    assert response.status_code == 422
    assert UNDECODABLE_MESSAGE in response.get_data(as_text=True)
    assert snapshot(app) == before
    # The pages' background saves post FormData (multipart): a U+FFFD typed as such is a character like any other.
    typed = "Báo cáo có ký tự \ufffd dán từ tệp khác"
    response = client.post(url, data=page_values(client, url) | {"report": typed}, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)
    assert collective_report(app, world["meeting"]) == typed


def test_a_password_or_a_sign_in_name_that_is_not_utf8_is_refused_not_a_500(app, world):
    client = client_for(app, "anonymous")
    token = csrf_token(client, "/auth/login")
    for raw in ({"password": b"m\xe1t"}, {"username": b"bi\xffthu"}):
        values = {"csrf_token": token, "username": "bithu", "password": "x"}
        for name in raw:
            values.pop(name)
        response = raw_post(client, "/auth/login", values, raw)
        assert response.status_code == 422, raw
        assert UNDECODABLE_MESSAGE in response.get_data(as_text=True)


# ---------------------------------------------------------------------------
# A meeting's times and year


def test_a_closing_far_in_the_future_is_refused(app, world):
    client = client_for(app, "secretary")
    url = f"/meetings/{world['meeting']}/closing"
    before = snapshot(app)
    for ends_at in ("9999-12-31T17:00", "2021-11-30T17:00", "2022-11-27T17:00"):
        response = client.post(url, data=page_values(client, url) | {"ends_at": ends_at, "minutes_approved_by": "5"})
        assert response.status_code == 422, ends_at
        html = response.get_data(as_text=True)
        assert re.search(r'id="ends_at-error">[^<]*chậm nhất 2 ngày sau đó', html), ends_at
    assert snapshot(app) == before
    # The seed's meeting opened on 27/11/2021 at 14:00 (its 2021 copy): closing past midnight is fine.
    response = client.post(
        url, data=page_values(client, url) | {"ends_at": "2021-11-28T00:30", "minutes_approved_by": "5"}
    )
    assert response.status_code == 302, response.get_data(as_text=True)


def test_an_opening_far_in_the_future_is_refused(app, world):
    client = client_for(app, "secretary")
    url = f"/meetings/{world['meeting']}/opening"
    before = snapshot(app)
    response = client.post(url, data=page_values(client, url) | {"starts_at": "9999-11-27T14:00"})
    assert response.status_code == 422
    assert re.search(
        r'id="starts_at-error">[^<]*Hội nghị kiểm điểm năm 2021 họp trong năm 2021', response.get_data(as_text=True)
    )
    assert snapshot(app) == before


@pytest.mark.parametrize("year", ["9999", "2147483648", "2018", "2100"])
def test_a_meeting_year_without_a_rule_profile_is_refused(app, world, year: str):
    from datetime import date

    from review.rules import profiled_years

    client = client_for(app, "secretary")
    url = f"/cells/{world['cell']}/meetings/new"
    before = snapshot(app)
    response = client.post(url, data=page_values(client, url) | {"year": year})
    assert response.status_code == 422
    years = profiled_years(date.today().year)
    assert f"phần mềm có quy định cho các năm 2019–{years[-1]}" in response.get_data(as_text=True)
    assert snapshot(app) == before


def test_the_years_with_a_rule_profile_come_from_the_rules_core():
    from review.rules import PROFILES, default_profile, profiled_years

    years = profiled_years(2026)
    assert years[0] == min(p.first_year for p in PROFILES.values()) == 2019 and years[-1] == 2027
    assert all(default_profile(y) is not None for y in years)


def test_a_meeting_file_whose_end_is_days_after_its_start_is_refused(seed_path):
    document = json.loads(seed_path.read_text(encoding="utf-8"))
    document["meeting"]["ends_at"] = "9999-12-31T17:00"
    _, problems = parse_meeting_file(document)
    assert [p for p in problems if p.path == ("meeting", "ends_at") and "2 ngày" in p.message]


# ---------------------------------------------------------------------------
# Rule pages: a secretary or counter gets 404 for every organisation's


def test_a_secretary_gets_404_for_any_organisations_rules(app, world, runner, seed_path, tmp_path):
    document = json.loads(seed_path.read_text(encoding="utf-8"))
    document["organization"].update(parent="Đảng bộ phường Giang Biên", place="Giang Biên")
    path = tmp_path / "org2.json"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    assert runner.invoke(args=["meeting", "import", str(path)]).exit_code == 0
    with app.app_context():
        other = max(m.cell.organization_id for m in db.session.scalars(select(Meeting)))
    own = world["organization"]
    for role in ("secretary", "counter"):
        client = client_for(app, role)
        for organization in (own, other, 999):
            for url in (f"/organizations/{organization}/rules", f"/organizations/{organization}/rules/2021"):
                assert client.get(url).status_code == 404, (role, url)
            token = csrf_token(client, "/code")
            assert (
                client.post(f"/organizations/{organization}/rules/2021", data={"csrf_token": token}).status_code == 404
            )


# ---------------------------------------------------------------------------
# One URL a document


def test_each_document_has_one_url_for_everyone(app, cell):
    meeting = cell["meeting_id"]
    for old in ("ballot-paper.pdf", "tally-sheet.pdf"):
        assert signed_in_client(app, SECRETARY, cell).get(f"/meetings/{meeting}/{old}").status_code == 404
    for role in (ADMIN, WARD, SECRETARY, COUNTER, CODE):
        client = signed_in_client(app, role, cell)
        for key in ("ballot-paper", "tally-sheet", "minutes", "count-minutes"):
            response = client.get(f"/meetings/{meeting}/documents/{key}.pdf")
            # The counters: not the minutes; the vote-count minutes only for the chief (COUNTER), who signs them.
            if (role in (COUNTER, CODE) and key == "minutes") or (role == CODE and key == "count-minutes"):
                assert response.status_code == 403, (role, key)
                continue
            assert response.status_code == 200 and response.data.startswith(b"%PDF"), (role, key)
    # The secretary's pages link the papers at that one URL.
    ballot = signed_in_client(app, SECRETARY, cell).get(f"/meetings/{meeting}/ballot").get_data(as_text=True)
    assert f'href="/meetings/{meeting}/documents/ballot-paper.pdf"' in ballot
    assert f'href="/meetings/{meeting}/documents/tally-sheet.pdf"' in ballot


# ---------------------------------------------------------------------------
# Right-to-left marks in names are isolated on every page

RTL = "\u202e"
MEMBER = f"Nguyễn {RTL}Văn Ngược"
CELL = f"Chi bộ {RTL}Khu ngược"
WARD_NAME = f"Đảng bộ phường {RTL}Ngược"
GUEST = f"Khách {RTL}mời ngược"
ACCOUNT = f"Bí thư {RTL}ngược"


def isolation_problems(html: str, name: str) -> tuple[int, list[str]]:
    """Return how often the page shows ``name`` as text, and each place where it is not inside <bdi>.

    Attribute values, the page's <title>, options and text areas are not text beside other
    text (a browser shows them apart), so they are left out.
    """
    body = html.split("<body", 1)[1]
    body = re.sub(r"<(option|textarea)\b[^>]*>.*?</\1>", "", body, flags=re.S)
    body = re.sub(r'"[^"]*"', '""', body)  # attribute values
    shown = escape(name, quote=False)
    problems, count = [], 0
    for match in re.finditer(re.escape(shown), body):
        count += 1
        before, after = body[: match.start()], body[match.end() :]
        if not (before.endswith("<bdi>") and after.startswith("</bdi>")):
            problems.append(body[max(0, match.start() - 80) : match.end() + 20])
    return count, problems


@pytest.fixture
def rtl_world(app, runner, seed_path, tmp_path, make_user):  # type: ignore[no-untyped-def]
    """The seed with a right-to-left override in a member's, the cell's, the ward's and a guest's names."""
    from review.counting import set_committee

    document = json.loads(seed_path.read_text(encoding="utf-8"))
    document["organization"].update(parent=WARD_NAME, cell=CELL)
    document["members"][0]["name"] = MEMBER
    document["meeting"]["guests"] = [{"name": GUEST, "title": "Đại diện Đảng ủy"}]
    sealed = tmp_path / "rtl-2020.json"
    sealed.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    for path in (sealed, write_2021_copy(sealed, tmp_path)):
        result = runner.invoke(args=["meeting", "import", str(path)])
        assert result.exit_code == 0, result.output
    with app.app_context():
        meetings = {m.year: m for m in db.session.scalars(select(Meeting))}
        members = {m.code: m for m in meetings[2021].cell.members}
        set_committee(meetings[2021], [members[c].id for c in ("m06", "m07", "m08")], members["m06"].id)
        participant = next(p for p in meetings[2021].participants if p.member_id == members["m01"].id)
        ids = {
            "cell": meetings[2021].cell_id,
            "organization": meetings[2021].cell.organization_id,
            "meeting": meetings[2021].id,
            "sealed": meetings[2020].id,
            "participant": participant.id,
            "member": members["m01"].id,
            "m06": members["m06"].id,
        }
        db.session.commit()
    make_user("bithu", "secretary", cell_id=ids["cell"], display_name=ACCOUNT)
    make_user("danguy", "ward", organization_id=ids["organization"])
    make_user("quantri", "admin")
    counter_id = make_user("kp1", "counter", cell_id=ids["cell"])
    with app.app_context():
        from review.models import User

        db.session.get(User, counter_id).member_id = ids["m06"]
        db.session.commit()
    return ids


def signed_in_as(app, username: str):  # type: ignore[no-untyped-def]
    client = app.test_client()
    response = client.post(
        "/auth/login",
        data={"csrf_token": csrf_token(client, "/auth/login"), "username": username, "password": "mật-khẩu-đủ-dài"},
    )
    assert response.status_code == 302
    return client


def test_names_with_a_right_to_left_override_are_isolated_on_every_page(app, rtl_world):
    w = rtl_world
    pages = {
        "bithu": [
            "/",
            f"/cells/{w['cell']}/members",
            f"/members/{w['member']}/edit",
            f"/members/{w['member']}/retire",
            f"/meetings/{w['meeting']}/roll-call",
            f"/meetings/{w['meeting']}/opening",
            f"/meetings/{w['meeting']}/closing",
            f"/meetings/{w['meeting']}/reviews",
            f"/meetings/{w['meeting']}/reviews/{w['participant']}",
            f"/meetings/{w['meeting']}/collective",
            f"/meetings/{w['meeting']}/participants/{w['participant']}/flags",
            f"/meetings/{w['meeting']}/ballot",
            f"/meetings/{w['meeting']}/committee",
            f"/meetings/{w['meeting']}/results",
            f"/meetings/{w['sealed']}/results",
            f"/meetings/{w['sealed']}/history",
            f"/meetings/{w['meeting']}/history",
            f"/cells/{w['cell']}/meetings/new",
            f"/meetings/{w['meeting']}/tally/compare",
        ],
        "kp1": [
            f"/meetings/{w['meeting']}/tally",
            f"/meetings/{w['meeting']}/tally/compare",
            f"/meetings/{w['meeting']}/results",
        ],
        "danguy": [
            "/",
            f"/organizations/{w['organization']}",
            f"/organizations/{w['organization']}/rules",
            f"/organizations/{w['organization']}/rules/2021",
            f"/meetings/{w['sealed']}/results",
            f"/meetings/{w['sealed']}/history",
        ],
        "quantri": ["/province", f"/organizations/{w['organization']}"],
    }
    seen = {MEMBER: 0, CELL: 0, WARD_NAME: 0, GUEST: 0, ACCOUNT: 0}
    wrong = []
    for username, urls in pages.items():
        client = signed_in_as(app, username)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, (username, url, response.status_code)
            html = response.get_data(as_text=True)
            for name in seen:
                count, problems = isolation_problems(html, name)
                seen[name] += count
                wrong.extend(f"{username} {url}: …{p}…" for p in problems)
    assert not wrong, "\n".join(wrong)
    assert all(seen.values()), seen  # each name was shown somewhere (and isolated there)
    assert "bdi" in Path("review/static/css/app.css").read_text(encoding="utf-8")
