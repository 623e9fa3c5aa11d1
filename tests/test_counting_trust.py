"""Counting that one person cannot do alone: re-issued codes, provenance, the warnings, codes kept safe.

The pure rules of the warnings (``review.trust``) first, exhaustively; then the pages on both
databases: a re-issued code starts a new account and entry, each entry and approval records
where it came from, the seal one person made alone is sealed but shown as such to the ward,
a one-time code never reaches a cookie nor the database in clear or as a bare SHA-256, and the
code sign-in link comes from REVIEW_BASE_URL, not from the Host header.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import UTC, datetime
from itertools import combinations

import pytest
from flask.sessions import SecureCookieSessionInterface
from sqlalchemy import select

from review.config import ConfigError, base_url, load_config
from review.extensions import db
from review.models import CounterCode, Meeting, Member, Participant, Seal, SealApproval, Tally, User
from review.trust import APPROVALS, ENTRIES, Origin, Provenance, SealWarning, WarningKind, provenance, seal_warnings

from helpers import signed_in, write_2021_copy
from test_counting_pages import CODE, plain, post, seed_ballot, text, world  # noqa: F401  (world: a fixture)

SUBJECTS = ENTRIES + APPROVALS
FINGERPRINT = re.compile(r'name="fingerprint" type="hidden" value="([0-9a-f]{64})"')


# ---------------------------------------------------------------------------
# The warnings: pure rules


def apart(account_id: int, **changes: object) -> Origin:
    """Return an origin from an own account, its own browser session and address (nothing shared)."""
    values: dict[str, object] = {
        "account_id": account_id,
        "member_id": 100 + account_id,
        "sign_in": f"s{account_id}",
        "address": f"10.0.0.{account_id}",
    }
    return Origin(**(values | changes))  # type: ignore[arg-type]


def everyone_apart() -> dict[str, Origin]:
    return {key: apart(i) for i, key in enumerate(SUBJECTS, start=1)}


def split(origins: dict[str, Origin]) -> tuple[dict[str, Origin], dict[str, Origin]]:
    return {k: v for k, v in origins.items() if k in ENTRIES}, {k: v for k, v in origins.items() if k in APPROVALS}


def warnings_of(origins: dict[str, Origin]) -> tuple[SealWarning, ...]:
    return seal_warnings(*split(origins))


def test_no_warning_when_four_accounts_sign_in_apart():
    assert warnings_of(everyone_apart()) == ()
    assert seal_warnings({}, {}) == ()


@pytest.mark.parametrize("pair", list(combinations(SUBJECTS, 2)))
def test_every_pair_sharing_a_sign_in_is_named(pair):
    origins = everyone_apart()
    a, b = pair
    origins[b] = Origin(**{**origins[b].__dict__, "sign_in": origins[a].sign_in, "address": origins[a].address})
    found = warnings_of(origins)
    # A shared browser session says it all: the shared address is not named again.
    assert found == (SealWarning(WarningKind.SAME_SIGN_IN, pair),)
    assert "cùng một trình duyệt, trong cùng một phiên làm việc" in found[0].message


@pytest.mark.parametrize("pair", list(combinations(SUBJECTS, 2)))
def test_every_pair_sharing_an_address_is_named_with_it(pair):
    origins = everyone_apart()
    a, b = pair
    origins[b] = Origin(**{**origins[b].__dict__, "address": "203.0.113.7"})
    origins[a] = Origin(**{**origins[a].__dict__, "address": "203.0.113.7"})
    found = warnings_of(origins)
    assert found == (SealWarning(WarningKind.SAME_ADDRESS, pair, "203.0.113.7"),)
    assert "203.0.113.7" in found[0].message and "phòng họp" in found[0].message


def test_everything_from_one_address_names_all_six_pairs_in_order():
    origins = {k: Origin(**{**v.__dict__, "address": "192.0.2.1"}) for k, v in everyone_apart().items()}
    found = warnings_of(origins)
    assert [w.subjects for w in found] == list(combinations(SUBJECTS, 2))
    assert {w.kind for w in found} == {WarningKind.SAME_ADDRESS}


@pytest.mark.parametrize("pair", list(combinations(SUBJECTS, 2)))
def test_one_account_in_two_places_is_not_compared_with_itself(pair):
    # The chief counter who typed an entry approves it: one person in one role of the committee.
    origins = everyone_apart()
    a, b = pair
    origins[b] = origins[a]
    assert warnings_of(origins) == ()


@pytest.mark.parametrize("field", ["sign_in", "address"])
def test_unknown_values_match_nothing(field):
    origins = {k: Origin(**{**v.__dict__, field: None}) for k, v in everyone_apart().items()}
    assert warnings_of(origins) == ()


def issued_by_secretary(origins: dict[str, Origin], key: str, **changes: object) -> None:
    """Make ``key`` an origin through a code the approving secretary issued."""
    secretary = origins["secretary"].account_id
    origins[key] = Origin(**{**origins[key].__dict__, "via_code": True, "code_issued_by": secretary, **changes})


@pytest.mark.parametrize("entry", ENTRIES)
def test_an_entry_from_a_code_the_approving_secretary_issued(entry):
    origins = everyone_apart()
    issued_by_secretary(origins, entry)
    found = warnings_of(origins)
    assert found == (SealWarning(WarningKind.CODE_FROM_APPROVER, (entry, "secretary")),)
    assert "mã đăng nhập một lần do chính người xác nhận với tư cách bí thư cấp" in found[0].message


@pytest.mark.parametrize("entry", ENTRIES)
def test_a_code_entry_confirmed_by_the_counter_own_account_as_chief_is_not_warned(entry):
    origins = everyone_apart()
    issued_by_secretary(origins, entry)
    # The same member approved as chief through their own account: a counter confirmed.
    origins["chief"] = Origin(**{**origins["chief"].__dict__, "member_id": origins[entry].member_id})
    assert warnings_of(origins) == ()


def test_a_code_entry_confirmed_only_by_a_code_or_by_the_secretary_is_warned():
    origins = everyone_apart()
    issued_by_secretary(origins, "first")
    member = origins["first"].member_id
    # The chief's approval by the same member, but through a code too: no confirmation.
    issued_by_secretary(origins, "chief", member_id=member)
    # The secretary's account names the member: the secretary is not a counter confirming.
    origins["secretary"] = Origin(**{**origins["secretary"].__dict__, "member_id": member})
    kinds = [w.kind for w in warnings_of(origins)]
    assert kinds == [WarningKind.CODE_FROM_APPROVER, WarningKind.CHIEF_CODE_FROM_APPROVER]


@pytest.mark.parametrize("issuer", [None, 99])
def test_a_code_issued_by_someone_else_or_unknown_is_not_warned(issuer):
    origins = everyone_apart()
    for key in ("first", "second", "chief"):
        origins[key] = Origin(**{**origins[key].__dict__, "via_code": True, "code_issued_by": issuer})
    assert warnings_of(origins) == ()


def test_a_code_entry_of_a_member_unknown_is_never_confirmed():
    origins = everyone_apart()
    issued_by_secretary(origins, "second", member_id=None)
    origins["chief"] = Origin(**{**origins["chief"].__dict__, "member_id": None})
    assert [w.kind for w in warnings_of(origins)] == [WarningKind.CODE_FROM_APPROVER]


def test_without_the_secretary_approval_no_code_warning():
    origins = everyone_apart()
    issued_by_secretary(origins, "first")
    issued_by_secretary(origins, "chief")
    del origins["secretary"]
    assert warnings_of(origins) == ()


def test_the_one_person_seal_raises_every_warning():
    secretary = Origin(account_id=1, member_id=None, sign_in="sec", address="198.51.100.2")
    first = Origin(account_id=2, member_id=6, via_code=True, code_issued_by=1, sign_in="a", address="198.51.100.2")
    second = Origin(account_id=3, member_id=7, via_code=True, code_issued_by=1, sign_in="b", address="198.51.100.2")
    chief = first  # the chief's code account typed the first entry
    found = seal_warnings({"first": first, "second": second}, {"chief": chief, "secretary": secretary})
    assert [(w.kind, w.subjects) for w in found] == [
        (WarningKind.SAME_ADDRESS, ("first", "second")),
        (WarningKind.SAME_ADDRESS, ("first", "secretary")),
        (WarningKind.SAME_ADDRESS, ("second", "chief")),
        (WarningKind.SAME_ADDRESS, ("second", "secretary")),
        (WarningKind.SAME_ADDRESS, ("chief", "secretary")),
        (WarningKind.CODE_FROM_APPROVER, ("first", "secretary")),
        (WarningKind.CODE_FROM_APPROVER, ("second", "secretary")),
        (WarningKind.CHIEF_CODE_FROM_APPROVER, ("chief", "secretary")),
    ]
    assert all(w.message and w.message[0].isupper() for w in found)


def test_provenance_round_trips_through_json():
    at = datetime(2021, 12, 20, 2, 30, 5, tzinfo=UTC)  # an instant, as review.clock.now() gives it
    entries = {"first": Origin(2, "Hoàng Thị Lệ Quyên", "kp-2-m08", 8, True, 1, "Nguyễn Thị Ngọc Hân", "x", "::1", at)}
    approvals = {"secretary": Origin(1, "Nguyễn Thị Ngọc Hân", "bithu", None, False, None, "", "y", "::1", at)}
    recorded = provenance(entries, approvals)
    assert recorded.warnings == (
        SealWarning(WarningKind.SAME_ADDRESS, ("first", "secretary"), "::1"),
        SealWarning(WarningKind.CODE_FROM_APPROVER, ("first", "secretary")),
    )
    text_ = recorded.to_json()
    assert "Hoàng Thị Lệ Quyên" in text_  # readable UTF-8, not escapes
    assert Provenance.from_json(text_) == recorded


# ---------------------------------------------------------------------------
# Pages: helpers


def csrf_token_at(client, url: str, base: str) -> str:  # type: ignore[no-untyped-def]
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', client.get(url, base_url=base).get_data(as_text=True))
    assert match, url
    return match.group(1)


def plain_text(page: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", page).split()).replace(" .", ".")


def issue(client, world, member: str = "m08") -> str:  # type: ignore[no-untyped-def]
    """Issue a code from the committee page; return it as the POST's answer shows it."""
    committee = f"/meetings/{world['meeting']}/committee"
    response = post(client, f"{committee}/code/{world['members'][member]}", {}, form_url=committee)
    assert response.status_code == 200
    found = set(CODE.findall(text(response)))
    assert len(found) == 1, found
    return found.pop()


def redeem(app, code: str):  # type: ignore[no-untyped-def]
    """Return a new client (another browser) signed in with ``code``."""
    client = app.test_client()
    response = post(client, "/code", {"code": code})
    assert response.status_code == 302, text(response)
    return client


def enter(client, world, seed_path, **changes: str):  # type: ignore[no-untyped-def]
    url = f"/meetings/{world['meeting']}/tally"
    response = post(client, url, seed_ballot(seed_path) | changes)
    assert response.status_code == 302, text(response)


def approve(client, meeting_id: int):  # type: ignore[no-untyped-def]
    url = f"/meetings/{meeting_id}/results"
    shown = FINGERPRINT.search(client.get(url).get_data(as_text=True))
    assert shown, "no approval form"
    response = post(client, f"{url}/approve", {"fingerprint": shown.group(1)}, form_url=url)
    assert response.status_code == 302, text(response)


def stored_entries(app, meeting_id: int) -> list[dict]:  # type: ignore[no-untyped-def]
    with app.app_context():
        return [
            {
                "entry": t.entry,
                "user": t.user.username if t.user else None,
                "superseded": t.superseded_at is not None,
                "sign_in": t.sign_in_id,
                "address": t.address,
                "good": {r.participant.member.code: r.good for r in t.rows if r.participant},
            }
            for t in db.session.scalars(select(Tally).where(Tally.meeting_id == meeting_id).order_by(Tally.id))
        ]


# ---------------------------------------------------------------------------
# A re-issued code starts a new account and a new entry


def test_a_reissued_code_starts_a_new_account_and_entry(app, client, login, world, seed_path):
    login("bithu")
    old = redeem(app, issue(client, world))
    enter(old, world, seed_path)
    before = stored_entries(app, world["meeting"])
    assert [(e["entry"], e["user"], e["superseded"]) for e in before] == [
        ("first", f"kp-{world['meeting']}-m08", False)
    ]

    new = redeem(app, issue(client, world))  # the same member's code, again
    with app.app_context():
        accounts = db.session.scalars(select(User).where(User.meeting_id == world["meeting"]).order_by(User.id)).all()
        assert [(u.username, u.active) for u in accounts] == [
            (f"kp-{world['meeting']}-m08", False),
            (f"kp-{world['meeting']}-m08-2", True),
        ]
    # The old account is refused from now on: its session ended.
    tally_url = f"/meetings/{world['meeting']}/tally"
    response = old.get(tally_url)
    assert response.status_code in (302, 404) and "Nhập kết quả kiểm phiếu" not in text(response)
    response = old.post(tally_url, data={"csrf_token": "x"} | seed_ballot(seed_path))
    assert response.status_code in (302, 400, 404)
    # The new account does not inherit the old entry: it starts one of its own.
    page = text(new.get(tally_url))
    assert "Đồng chí chưa lưu lần nào. Khi lưu lần đầu, đây sẽ là bản nhập thứ nhất." in plain_text(page)
    enter(new, world, seed_path, **{"rows-m05-good": "8"})
    after = stored_entries(app, world["meeting"])
    assert [(e["entry"], e["user"], e["superseded"]) for e in after] == [
        ("first", f"kp-{world['meeting']}-m08", True),
        ("first", f"kp-{world['meeting']}-m08-2", False),
    ]
    assert after[0]["good"] == before[0]["good"]  # the old entry is kept as it was, for the record
    # The comparison and the history read the entries in force only, and still work.
    kp1 = signed_in(app, "kp1")
    enter(kp1, world, seed_path)
    compare = plain(kp1.get(f"/meetings/{world['meeting']}/tally/compare"))
    assert "Hai bản nhập khác nhau ở 1 chỗ" in compare and "kp-" not in compare.split("Những chỗ khác nhau")[1]
    history = client.get(f"/meetings/{world['meeting']}/history")
    assert history.status_code == 200 and "Thay thế lúc" in text(history)
    results = plain(client.get(f"/meetings/{world['meeting']}/results"))
    assert "Bản nhập đã được thay thế" in results and f"kp-{world['meeting']}-m08 )" in results


def test_issuing_again_revokes_the_unused_code(app, client, login, world):
    login("bithu")
    first = issue(client, world)
    second = issue(client, world)
    assert first != second
    refused = post(app.test_client(), "/code", {"code": first})
    assert refused.status_code == 422 and "Mã không đúng, đã dùng hoặc đã hết hạn." in text(refused)
    redeem(app, second)
    with app.app_context():
        codes = db.session.scalars(select(CounterCode).order_by(CounterCode.id)).all()
        assert [(c.revoked_at is not None, c.used_at is not None) for c in codes] == [(True, False), (False, True)]


def test_one_member_cannot_type_both_entries(app, client, login, world, seed_path):
    kp3 = signed_in(app, "kp3")  # m08's own account
    enter(kp3, world, seed_path)
    login("bithu")
    through_code = redeem(app, issue(client, world, "m08"))
    response = post(through_code, f"/meetings/{world['meeting']}/tally", seed_ballot(seed_path))
    assert response.status_code == 422
    assert "hai bản nhập phải của hai đồng chí khác nhau" in text(response)
    assert [e["user"] for e in stored_entries(app, world["meeting"])] == ["kp3"]


# ---------------------------------------------------------------------------
# Provenance


def test_each_entry_and_approval_records_where_it_came_from(app, client, login, world, seed_path):
    login("bithu")
    code = issue(client, world, "m07")
    kp1 = signed_in(app, "kp1")  # the chief, own account
    enter(kp1, world, seed_path)
    coded = redeem(app, code)
    enter(coded, world, seed_path)
    entries = stored_entries(app, world["meeting"])
    assert all(e["address"] == "127.0.0.1" and e["sign_in"] for e in entries)
    assert entries[0]["sign_in"] != entries[1]["sign_in"]
    again = signed_in(app, "kp1")  # the same account in another browser: another id
    enter(again, world, seed_path)
    assert stored_entries(app, world["meeting"])[0]["sign_in"] not in (entries[0]["sign_in"], None)
    with app.app_context():
        record = db.session.scalar(select(CounterCode))
        bithu = db.session.scalar(select(User).where(User.username == "bithu"))
        assert record.issued_by_id == bithu.id and record.account.username == f"kp-{world['meeting']}-m07"
    approve(again, world["meeting"])
    with app.app_context():
        approval = db.session.scalar(select(SealApproval))
        assert approval.role == "chief" and approval.address == "127.0.0.1" and approval.sign_in_id
    # Before the seal, the page shows what sealing now would record.
    page = plain(client.get(f"/meetings/{world['meeting']}/results"))
    assert "Nguồn gốc số liệu kiểm phiếu" in page and "Cảnh báo nếu niêm phong với số liệu này" in page
    assert "bằng mã đăng nhập một lần do" in page and "bằng tài khoản riêng" in page


def test_the_one_person_seal_is_sealed_but_shown_as_such(app, client, login, world, seed_path):
    login("bithu")  # the secretary does everything herself, from one address
    as_chief = redeem(app, issue(client, world, "m06"))
    as_second = redeem(app, issue(client, world, "m07"))
    enter(as_chief, world, seed_path)
    enter(as_second, world, seed_path)
    approve(as_chief, world["meeting"])
    approve(client, world["meeting"])
    with app.app_context():
        meeting = db.session.get(Meeting, world["meeting"])
        assert meeting.sealed
        seal = db.session.scalar(select(Seal).where(Seal.meeting_id == world["meeting"]))
        recorded = json.loads(seal.provenance)
        kinds = [w["kind"] for w in recorded["warnings"]]
        assert kinds.count("code_from_approver") == 2 and "chief_code_from_approver" in kinds
        assert "same_address" in kinds
        assert set(recorded["entries"]) == {"first", "second"} and set(recorded["approvals"]) == {"chief", "secretary"}
    ward = signed_in(app, "danguy")
    page = ward.get(f"/meetings/{world['meeting']}/results")
    assert page.status_code == 200
    shown = plain(page)
    assert "Cảnh báo ghi cùng niêm phong" in shown
    assert (
        "Bản nhập thứ nhất được nhập bằng mã đăng nhập một lần do chính người xác nhận với tư cách bí thư cấp" in shown
    )
    assert "Trưởng ban kiểm phiếu xác nhận niêm phong bằng mã đăng nhập một lần do chính người xác nhận" in shown
    assert f'data-seal-warning-count="{len(kinds)}"' in text(page)
    dashboard = text(ward.get(f"/organizations/{world['organization']}"))
    assert f'data-seal-warnings="{len(kinds)}"' in dashboard and f"{len(kinds)} cảnh báo khi niêm phong" in dashboard


def test_one_browser_switching_accounts_is_one_browser_session(app, client, login, world, seed_path):
    """The secretary redeems both codes in her own browser, types both entries, approves as chief
    through the code and as secretary: every pair by two accounts is named as one browser session."""
    login("bithu")
    chief_code, second_code = issue(client, world, "m06"), issue(client, world, "m07")
    tally_url = f"/meetings/{world['meeting']}/tally"
    # The same test client is the same browser: each code switches the account, the session stays.
    assert post(client, "/code", {"code": second_code}).status_code == 302
    enter(client, world, seed_path)
    assert post(client, "/code", {"code": chief_code}).status_code == 302
    enter(client, world, seed_path)
    approve(client, world["meeting"])  # as the chief, through the chief's code
    entries = stored_entries(app, world["meeting"])
    assert [e["user"] for e in entries] == [f"kp-{world['meeting']}-m07", f"kp-{world['meeting']}-m06"]
    assert entries[0]["sign_in"] and entries[0]["sign_in"] == entries[1]["sign_in"]
    # Signing out and in again as the secretary, in the same browser, keeps the session's id.
    assert post(client, "/auth/logout", {}, form_url=tally_url).status_code == 302
    assert login("bithu").status_code == 302
    before = plain(client.get(f"/meetings/{world['meeting']}/results"))
    same_session = (
        "được thực hiện từ cùng một trình duyệt, trong cùng một phiên làm việc, dù bằng hai tài khoản khác nhau."
    )
    assert "Cảnh báo nếu niêm phong với số liệu này" in before
    assert f"Bản nhập thứ nhất và bản nhập thứ hai {same_session}" in before
    approve(client, world["meeting"])
    with app.app_context():
        assert db.session.get(Meeting, world["meeting"]).sealed
        seal = db.session.scalar(select(Seal).where(Seal.meeting_id == world["meeting"]))
        recorded = json.loads(seal.provenance)
        sessions = {e["sign_in"] for e in [*recorded["entries"].values(), *recorded["approvals"].values()]}
        assert sessions == {entries[0]["sign_in"]}
        same = [tuple(w["subjects"]) for w in recorded["warnings"] if w["kind"] == "same_sign_in"]
        # Every pair but the chief's own entry and approval (one account): ("second", "chief").
        assert same == [
            ("first", "second"),
            ("first", "chief"),
            ("first", "secretary"),
            ("second", "secretary"),
            ("chief", "secretary"),
        ]
        assert "same_address" not in {w["kind"] for w in recorded["warnings"]}  # the session says it all
    shown = plain(signed_in(app, "danguy").get(f"/meetings/{world['meeting']}/results"))
    assert "Cảnh báo ghi cùng niêm phong" in shown
    assert f"Bản nhập thứ nhất và bản nhập thứ hai {same_session}" in shown
    assert f"Xác nhận niêm phong của trưởng ban kiểm phiếu và xác nhận niêm phong của bí thư {same_session}" in shown


def test_counting_pages_of_a_sealed_meeting_keep_the_names_as_sealed(app, client, login, world, seed_path):
    for name in ("kp1", "kp2"):
        enter(signed_in(app, name), world, seed_path)
    approve(signed_in(app, "kp1"), world["meeting"])
    login("bithu")
    approve(client, world["meeting"])
    with app.app_context():
        assert db.session.get(Meeting, world["meeting"]).sealed
        sealed = {
            code: db.session.scalar(
                select(Participant.name).where(
                    Participant.meeting_id == world["meeting"], Participant.member_id == world["members"][code]
                )
            )
            for code in ("m05", "m06")
        }
        for code in ("m05", "m06"):  # renamed on the roster after the seal
            db.session.get(Member, world["members"][code]).name = f"Tên đổi sau niêm phong {code}"
        db.session.commit()
    meeting = world["meeting"]

    def content(response) -> str:  # type: ignore[no-untyped-def]
        """The page's own content: the header names the signed-in person as the roster has them now."""
        html = response.get_data(as_text=True)
        return plain_text(html[html.index('<main id="main"') :])

    tally = content(signed_in(app, "kp1").get(f"/meetings/{meeting}/tally"))
    compare = content(client.get(f"/meetings/{meeting}/tally/compare"))
    committee = content(client.get(f"/meetings/{meeting}/committee"))
    assert sealed["m05"] in tally and sealed["m06"] in compare and sealed["m06"] in committee
    for page in (tally, compare, committee):
        assert "Tên đổi sau niêm phong" not in page


def test_an_honest_seal_records_no_code_warning(app, client, login, world, seed_path):
    for name in ("kp1", "kp2"):
        enter(signed_in(app, name), world, seed_path)
    approve(signed_in(app, "kp1"), world["meeting"])
    login("bithu")
    approve(client, world["meeting"])
    with app.app_context():
        seal = db.session.scalar(select(Seal).where(Seal.meeting_id == world["meeting"]))
        kinds = {w["kind"] for w in json.loads(seal.provenance)["warnings"]}
    # One test machine is one address: only address warnings, no code or browser-session warning.
    assert kinds <= {"same_address"}
    page = plain(signed_in(app, "danguy").get(f"/meetings/{world['meeting']}/results"))
    assert "do chính người xác nhận" not in page


def test_a_seal_from_a_meeting_file_says_it_has_no_provenance(app, client, login, world):
    login("bithu")
    page = plain(client.get(f"/meetings/{world['sealed']}/results"))
    assert "Kết quả niêm phong khi nhập từ tệp hội nghị" in page


# ---------------------------------------------------------------------------
# The code is never in a cookie, and never stored in a form a stolen database gives back


def session_cookies(app, response) -> list[dict]:  # type: ignore[no-untyped-def]
    """Return the decoded contents of every session cookie the response sets."""
    serializer = SecureCookieSessionInterface().get_signing_serializer(app)
    found = []
    for header in response.headers.getlist("Set-Cookie"):
        name, _, rest = header.partition("=")
        if name == app.config.get("SESSION_COOKIE_NAME", "session"):
            value = rest.split(";", 1)[0]
            found.append(serializer.loads(value) if value else {})
    return found


def test_the_code_never_reaches_a_cookie(app, client, login, world):
    login("bithu")
    committee = f"/meetings/{world['meeting']}/committee"
    response = post(client, f"{committee}/code/{world['members']['m08']}", {}, form_url=committee)
    code = CODE.search(text(response)).group(1)
    assert response.headers["Cache-Control"] == "no-store"
    for header in response.headers.getlist("Set-Cookie"):
        assert code not in header and code.replace("-", "") not in header
    for content in session_cookies(app, response):
        dumped = json.dumps(content, default=str)
        assert code not in dumped and code.replace("-", "") not in dumped
    # Nor in the session kept by the client, nor on the next page.
    with client.session_transaction() as session:
        assert code not in json.dumps(dict(session), default=str)
    again = text(client.get(committee))
    assert code not in again and not CODE.search(again)
    # The committee form on the answer still saves the committee (it posts to its own page).
    assert f'action="{committee}"' in text(response)


def test_codes_are_stored_as_salted_slow_hashes_and_redeem(app, client, login, world):
    login("bithu")
    code = issue(client, world)
    normalized = code.replace("-", "")
    with app.app_context():
        record = db.session.scalar(select(CounterCode))
        sha = hashlib.sha256(normalized.encode()).hexdigest()
        assert record.code_hash.startswith("scrypt:") and sha not in (record.code_hash, record.lookup_key)
        assert normalized not in record.code_hash and normalized not in record.lookup_key
        assert len(record.lookup_key) == 64
    coded = redeem(app, code.lower())
    assert coded.get(f"/meetings/{world['meeting']}/tally").status_code == 200


# ---------------------------------------------------------------------------
# REVIEW_BASE_URL


def test_the_code_link_comes_from_review_base_url_not_the_host_header(app, client, login, world):
    app.config["REVIEW_BASE_URL"] = base_url("https://kiemdiem.example.vn/")
    forged = "http://ke-gia-mao.example/"  # every request of this browser names another host
    token = csrf_token_at(client, "/auth/login", forged)
    client.post(
        "/auth/login", data={"csrf_token": token, "username": "bithu", "password": "mật-khẩu-đủ-dài"}, base_url=forged
    )
    committee = f"/meetings/{world['meeting']}/committee"
    page = text(client.get(committee, base_url=forged))
    assert 'href="https://kiemdiem.example.vn/code"' in page and "ke-gia-mao" not in page
    token = csrf_token_at(client, committee, forged)
    answer = text(
        client.post(f"{committee}/code/{world['members']['m08']}", data={"csrf_token": token}, base_url=forged)
    )
    assert CODE.search(answer) and "https://kiemdiem.example.vn/code" in answer and "ke-gia-mao" not in answer


def test_without_review_base_url_production_shows_the_path_and_a_notice(app, client, login, world):
    login("bithu")
    committee = f"/meetings/{world['meeting']}/committee"
    assert "http://localhost/code" in text(client.get(committee))  # tests and development: the request's root
    app.config["TESTING"] = False
    try:
        page = text(client.get(committee))
    finally:
        app.config["TESTING"] = True
    assert "http://localhost/code" not in page and "data-base-url-missing" in page
    assert "REVIEW_BASE_URL" in page and "<code>/code</code>" in page


@pytest.mark.parametrize(
    "value",
    [
        "kiemdiem.example.vn",
        "/code",
        "ftp://kiemdiem.example.vn",
        "https://kiemdiem.example.vn/?a=1",
        "https://kiemdiem.example.vn/#x",
        "https://user:pass@kiemdiem.example.vn",
        "https://kiemdiem.example.vn:cổng",
        "https:///code",
    ],
)
def test_review_base_url_is_checked_at_start(value, tmp_path):
    with pytest.raises(ConfigError, match="REVIEW_BASE_URL"):
        load_config(str(tmp_path), {"TESTING": True, "REVIEW_BASE_URL": value})


def test_review_base_url_keeps_a_path_prefix(tmp_path):
    config = load_config(str(tmp_path), {"TESTING": True, "REVIEW_BASE_URL": " https://example.vn/kiem-diem/ "})
    assert config["REVIEW_BASE_URL"] == "https://example.vn/kiem-diem"
    assert load_config(str(tmp_path), {"TESTING": True})["REVIEW_BASE_URL"] is None


# ---------------------------------------------------------------------------
# Migration 0009 with data: codes stored before it are made unusable, both ways


def test_codes_and_superseded_entries_across_migration_0009(empty_database, seed_path, tmp_path):
    from sqlalchemy import text as sql

    from review import counting, create_app

    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": empty_database})
    runner = app.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    result = runner.invoke(args=["meeting", "import", str(write_2021_copy(seed_path, tmp_path))])
    assert result.exit_code == 0, result.output
    with app.app_context():
        meeting = db.session.scalar(select(Meeting))
        members = [p.member_id for p in counting.eligible_counters(meeting)][:3]
        counting.set_committee(meeting, members, members[0])
        db.session.commit()
        counter = members[1]
        with app.test_request_context():
            code = counting.issue_code(meeting, counter)
            db.session.commit()
            account = counting.redeem_code(code)
            assert account is not None
            db.session.flush()
            meeting.tallies.append(Tally(entry="first", user_id=account.id, updated_at=datetime.now(UTC)))
            db.session.commit()
            unused = counting.issue_code(meeting, counter)
            db.session.commit()
            account = counting.redeem_code(counting.issue_code(meeting, counter))  # supersedes the first entry
            db.session.commit()
        meeting_id = meeting.id
        db.engine.dispose()
    assert runner.invoke(args=["db", "downgrade", "0008"]).exit_code == 0
    with app.app_context():
        with db.engine.connect() as connection:
            hashes = connection.execute(sql("SELECT code_hash, used_at FROM counter_code")).all()
            assert all(len(h) == 64 and used is not None for h, used in hashes)  # none usable there
            entries = connection.execute(sql("SELECT entry FROM tally WHERE meeting_id = :m"), {"m": meeting_id}).all()
            assert entries == []  # the superseded entry went: the older schema holds one entry a kind
        db.engine.dispose()
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    with app.app_context():
        codes = db.session.scalars(select(CounterCode).order_by(CounterCode.id)).all()
        assert [c.lookup_key for c in codes] == [f"legacy-{c.id}" for c in codes]
        assert all(c.code_hash == "!" for c in codes)
        with app.test_request_context():
            assert counting.redeem_code(unused) is None  # stored before the migration: unusable
        db.engine.dispose()
