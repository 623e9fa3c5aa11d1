"""Counting a meeting in two ballots (SPEC 5.8): ballot 1 entered twice, compared and sealed, then
ballot 2 over its candidates, entered twice, compared and sealed; reopening ballot 1 reopens both.

The meeting is the seed voted in two ballots (tests/data/thuong-thanh-2020-two-ballots.json)
imported without its ballot, so it is still to count.
"""

from __future__ import annotations

import html
import json
import re

import pytest
from sqlalchemy import select

from review.counting import (
    FIRST_BALLOT_SEALED_MESSAGE,
    SECOND_BEFORE_FIRST_MESSAGE,
    candidate,
    claim_entry,
    set_committee,
)
from review.extensions import db
from review.meeting_edits import Refused
from review.meeting_store import FINAL_TALLY, SECOND_BALLOT, export_text
from review.models import Cell, Meeting, Seal, Tally, User

from helpers import DATA, form_values, signed_in

TWO_BALLOTS = DATA / "thuong-thanh-2020-two-ballots.json"
FINGERPRINT = re.compile(r'name="fingerprint" type="hidden" value="([0-9a-f]{64})"')
PROBLEM = re.compile(r'<li id="check-\d+">([^<]*)</li>')


@pytest.fixture
def two(app, runner, tmp_path, make_user):  # type: ignore[no-untyped-def]
    """The two-ballot meeting still to count: committee m06 (chief), m07, m08; accounts bithu, kp1 (m06), kp2 (m07)."""
    data = json.loads(TWO_BALLOTS.read_text(encoding="utf-8"))
    del data["ballot"]
    path = tmp_path / "two.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    result = runner.invoke(args=["meeting", "import", str(path)])
    assert result.exit_code == 0, result.output
    with app.app_context():
        meeting = db.session.scalar(select(Meeting))
        members = {m.code: m.id for m in db.session.scalar(select(Cell)).members}
        set_committee(meeting, [members[c] for c in ("m06", "m07", "m08")], members["m06"])
        db.session.commit()
        ids = {"meeting": meeting.id, "cell": meeting.cell_id, "members": members}
    make_user("bithu", "secretary", cell_id=ids["cell"])
    for username, code in (("kp1", "m06"), ("kp2", "m07")):
        user_id = make_user(username, "counter", cell_id=ids["cell"])
        with app.app_context():
            db.session.get(User, user_id).member_id = members[code]
            db.session.commit()
    return ids


def ballots() -> dict:  # type: ignore[type-arg]
    return json.loads(TWO_BALLOTS.read_text(encoding="utf-8"))["ballot"]


def form_of(ballot: dict) -> dict[str, str]:  # type: ignore[type-arg]
    """Return one ballot of the file as the tally form posts it."""
    data = {name: str(ballot[name]) for name in ("issued", "returned", "invalid")}
    data["invalid_reasons"] = ballot["invalid_reasons"]
    for key, row in ballot["rows"].items():
        for field, value in row.items():
            data[f"rows-{key}-{field}"] = str(value)
    return data


def post(client, url: str, data: dict[str, str]):  # type: ignore[no-untyped-def]
    return client.post(url, data=form_values(client, url) | data)


def page(client, url: str) -> str:  # type: ignore[no-untyped-def]
    return html.unescape(client.get(url).get_data(as_text=True))


def approve(client, meeting_id: int):  # type: ignore[no-untyped-def]
    """Approve the seal with the fingerprint the results page shows."""
    url = f"/meetings/{meeting_id}/results"
    shown = FINGERPRINT.search(client.get(url).get_data(as_text=True))
    assert shown, "no approval form on the results page"
    return client.post(f"{url}/approve", data=form_values(client, url) | {"fingerprint": shown.group(1)})


def seals(app, meeting_id: int) -> list[tuple[int, bool, bool]]:  # type: ignore[no-untyped-def]
    """Return each seal as (version, first ballot only, in force)."""
    with app.app_context():
        return [
            (s.version, s.first_ballot_only, s.reopened_at is None)
            for s in db.session.scalars(select(Seal).where(Seal.meeting_id == meeting_id).order_by(Seal.version))
        ]


def count_and_seal_first(app, two) -> None:  # type: ignore[no-untyped-def]
    meeting_id = two["meeting"]
    first = form_of(ballots()["first"])
    for username in ("kp1", "kp2"):
        response = post(signed_in(app, username), f"/meetings/{meeting_id}/tally", first)
        assert response.status_code == 302, response.get_data(as_text=True)
    assert approve(signed_in(app, "kp1"), meeting_id).status_code == 302
    assert approve(signed_in(app, "bithu"), meeting_id).status_code == 302


def test_ballot_two_waits_for_the_seal_of_ballot_one(app, two) -> None:  # type: ignore[no-untyped-def]
    meeting_id = two["meeting"]
    kp1 = signed_in(app, "kp1")
    text = page(kp1, f"/meetings/{meeting_id}/tally?ballot=2")
    assert SECOND_BEFORE_FIRST_MESSAGE in text
    assert "Lưu bản nhập" not in text  # no form to save before ballot 1 is sealed
    response = post(kp1, f"/meetings/{meeting_id}/tally?ballot=2", form_of(ballots()["second"]))
    assert response.status_code == 422
    assert SECOND_BEFORE_FIRST_MESSAGE in html.unescape(response.get_data(as_text=True))
    with app.app_context():
        assert db.session.scalars(select(Tally).where(Tally.ballot == SECOND_BALLOT)).all() == []
        meeting = db.session.get(Meeting, meeting_id)
        with pytest.raises(Refused, match="vòng 2 chỉ nhập được"):
            claim_entry(meeting, db.session.scalar(select(User).where(User.username == "kp1")), SECOND_BALLOT)


def test_ballot_one_offers_three_levels_and_no_excellent(app, two) -> None:  # type: ignore[no-untyped-def]
    text = page(signed_in(app, "kp1"), f"/meetings/{two['meeting']}/tally")
    assert 'name="rows-m01-good"' in text and 'name="rows-cell-not_completed"' in text
    assert "rows-m01-excellent" not in text
    assert "Vòng 1: phiếu xếp loại" in text


def test_two_ballots_from_entry_to_both_seals(app, two) -> None:  # type: ignore[no-untyped-def]
    meeting_id = two["meeting"]
    count_and_seal_first(app, two)
    assert seals(app, meeting_id) == [(1, True, True)]
    with app.app_context():
        meeting = db.session.get(Meeting, meeting_id)
        assert meeting.first_ballot_sealed and not meeting.sealed
        assert meeting.tally(FINAL_TALLY) is not None and meeting.tally(FINAL_TALLY, SECOND_BALLOT) is None

    # Ballot 1 is read-only now, its page says so; ballot 2's page lists the candidates.
    kp1, kp2 = signed_in(app, "kp1"), signed_in(app, "kp2")
    refused = post(kp1, f"/meetings/{meeting_id}/tally", form_of(ballots()["first"]))
    assert refused.status_code == 422
    assert FIRST_BALLOT_SEALED_MESSAGE in html.unescape(refused.get_data(as_text=True))
    second_page = page(kp1, f"/meetings/{meeting_id}/tally?ballot=2")
    assert 'name="rows-m03-agree"' in second_page and 'name="rows-cell-disagree"' in second_page
    assert "rows-m03-good" not in second_page

    # Two entries of ballot 2, the second with a slip on m03 that the comparison shows.
    second = form_of(ballots()["second"])
    assert post(kp1, f"/meetings/{meeting_id}/tally?ballot=2", second).status_code == 302
    slip = second | {"rows-m03-agree": "7", "rows-m03-disagree": "3"}
    assert post(kp2, f"/meetings/{meeting_id}/tally?ballot=2", slip).status_code == 302
    compared = page(kp1, f"/meetings/{meeting_id}/tally/compare?ballot=2")
    assert "khác nhau ở 2 chỗ" in compared
    assert re.search(r'data-entry="first">8<', compared) and re.search(r'data-entry="second">7<', compared)
    results = page(signed_in(app, "bithu"), f"/meetings/{meeting_id}/results")
    assert "Hai bản nhập còn khác nhau ở 2 chỗ." in results
    assert post(kp2, f"/meetings/{meeting_id}/tally?ballot=2", second).status_code == 302
    assert "Hai bản nhập khớp nhau." in page(kp1, f"/meetings/{meeting_id}/tally/compare?ballot=2")

    # Both approve what they see: the second version seals both ballots.
    assert approve(kp1, meeting_id).status_code == 302
    assert approve(signed_in(app, "bithu"), meeting_id).status_code == 302
    assert seals(app, meeting_id) == [(1, True, True), (2, False, True)]
    with app.app_context():
        meeting = db.session.get(Meeting, meeting_id)
        assert meeting.sealed
        exported = json.loads(export_text(meeting))
    expected = json.loads((DATA / "thuong-thanh-2020-two-ballots.results.json").read_text(encoding="utf-8"))
    assert exported.pop("results") == expected
    assert exported == json.loads(TWO_BALLOTS.read_text(encoding="utf-8"))
    sealed_page = page(kp1, f"/meetings/{meeting_id}/tally?ballot=2")
    assert "Lưu bản nhập" not in sealed_page


def test_ballot_two_checks_name_the_row_and_figures(app, two) -> None:  # type: ignore[no-untyped-def]
    meeting_id = two["meeting"]
    count_and_seal_first(app, two)
    kp1 = signed_in(app, "kp1")
    wrong = form_of(ballots()["second"]) | {"rows-m03-agree": "9"}  # 9 + 2 + 0 = 11, valid 10
    response = post(kp1, f"/meetings/{meeting_id}/tally?ballot=2", wrong)
    assert response.status_code == 302  # an entry that does not add up is kept, to be corrected
    found = [
        html.unescape(p)
        for p in PROBLEM.findall(kp1.get(f"/meetings/{meeting_id}/tally?ballot=2").get_data(as_text=True))
    ]
    assert any("9 + 2 + 0 = 11" in p and "10" in p for p in found), found
    with app.app_context():
        meeting = db.session.get(Meeting, meeting_id)
        _mf, fingerprint = candidate(meeting)
        assert fingerprint  # what would be sealed is computed, but the blockers refuse it


def test_reopening_ballot_one_reopens_ballot_two(app, two) -> None:  # type: ignore[no-untyped-def]
    meeting_id = two["meeting"]
    count_and_seal_first(app, two)
    second = form_of(ballots()["second"])
    for username in ("kp1", "kp2"):
        assert post(signed_in(app, username), f"/meetings/{meeting_id}/tally?ballot=2", second).status_code == 302
    assert approve(signed_in(app, "kp1"), meeting_id).status_code == 302
    assert approve(signed_in(app, "bithu"), meeting_id).status_code == 302
    bithu = signed_in(app, "bithu")
    url = f"/meetings/{meeting_id}/results"
    response = bithu.post(
        f"{url}/reopen", data=form_values(bithu, url) | {"reason": "Kiểm lại phiếu vòng 1 theo đề nghị."}
    )
    assert response.status_code == 302
    assert seals(app, meeting_id) == [(1, True, False), (2, False, False)]
    with app.app_context():
        meeting = db.session.get(Meeting, meeting_id)
        assert not meeting.first_ballot_sealed
        assert [t for t in meeting.tallies if t.entry == FINAL_TALLY] == []
    assert SECOND_BEFORE_FIRST_MESSAGE in page(signed_in(app, "kp1"), f"/meetings/{meeting_id}/tally?ballot=2")
    # The entries are kept: approving again seals ballot 1, then ballot 2, as new versions.
    assert approve(signed_in(app, "kp1"), meeting_id).status_code == 302
    assert approve(signed_in(app, "bithu"), meeting_id).status_code == 302
    assert seals(app, meeting_id)[-1] == (3, True, True)


def test_a_single_ballot_meeting_has_no_ballot_two(app, client, runner, seed_path, make_user) -> None:  # type: ignore[no-untyped-def]
    assert runner.invoke(args=["meeting", "import", str(seed_path)]).exit_code == 0
    with app.app_context():
        meeting = db.session.scalar(select(Meeting))
        meeting_id, cell_id = meeting.id, meeting.cell_id
    make_user("bithu", "secretary", cell_id=cell_id)
    bithu = signed_in(app, "bithu")
    assert bithu.get(f"/meetings/{meeting_id}/tally/compare?ballot=2").status_code == 404
    assert "Vòng 1" not in page(bithu, f"/meetings/{meeting_id}/tally/compare")


def test_a_code_reissued_between_the_ballots_keeps_ballot_one_sealed(app, two) -> None:  # type: ignore[no-untyped-def]
    """A counter who typed ballot 1 through a one-time code gets a new code for ballot 2: the old
    account is retired, its sealed entry of ballot 1 stays as sealed, the new one types ballot 2."""
    from review.counting import issue_code

    meeting_id, m08 = two["meeting"], two["members"]["m08"]
    with app.app_context():
        code = issue_code(db.session.get(Meeting, meeting_id), m08)
        db.session.commit()
    first = form_of(ballots()["first"])
    assert post(signed_in(app, "kp1"), f"/meetings/{meeting_id}/tally", first).status_code == 302
    code_client = app.test_client()
    assert code_client.post("/code", data=form_values(code_client, "/code") | {"code": code}).status_code == 302
    assert post(code_client, f"/meetings/{meeting_id}/tally", first).status_code == 302
    assert approve(signed_in(app, "kp1"), meeting_id).status_code == 302
    assert approve(signed_in(app, "bithu"), meeting_id).status_code == 302
    with app.app_context():
        again = issue_code(db.session.get(Meeting, meeting_id), m08)
        db.session.commit()
    new_client = app.test_client()
    assert new_client.post("/code", data=form_values(new_client, "/code") | {"code": again}).status_code == 302
    with app.app_context():
        meeting = db.session.get(Meeting, meeting_id)
        accounts = db.session.scalars(select(User).where(User.meeting_id == meeting_id).order_by(User.id)).all()
        assert [a.active for a in accounts] == [False, True]  # the first code's account retired
        assert meeting.first_ballot_sealed
        assert all(t.superseded_at is None for t in meeting.tallies if t.ballot == 1)
    second = form_of(ballots()["second"])
    assert post(new_client, f"/meetings/{meeting_id}/tally?ballot=2", second).status_code == 302
    assert post(signed_in(app, "kp1"), f"/meetings/{meeting_id}/tally?ballot=2", second).status_code == 302
    assert "Hai bản nhập khớp nhau." in page(signed_in(app, "kp1"), f"/meetings/{meeting_id}/tally/compare?ballot=2")


def test_no_candidate_after_ballot_one_seals_the_meeting_whole(app, two) -> None:  # type: ignore[no-untyped-def]
    """Nobody (and not the cell) reached good on ballot 1: there is no ballot 2 to hold (SPEC 5.8)."""
    meeting_id = two["meeting"]
    first = ballots()["first"]
    for row in first["rows"].values():
        row.update(good=0, completed=10)
    typed = form_of(first)
    for username in ("kp1", "kp2"):
        assert post(signed_in(app, username), f"/meetings/{meeting_id}/tally", typed).status_code == 302
    assert approve(signed_in(app, "kp1"), meeting_id).status_code == 302
    assert approve(signed_in(app, "bithu"), meeting_id).status_code == 302
    assert seals(app, meeting_id) == [(1, False, True)]
    with app.app_context():
        meeting = db.session.get(Meeting, meeting_id)
        assert meeting.sealed
        exported = json.loads(export_text(meeting))
    assert "second" not in exported["ballot"] and exported["results"]["candidates"] == []
    assert exported["results"]["summary"]["completed"] == 10
