"""The meeting file export of a meeting counted in the application: the sealed tally and its results.

The seed meeting is imported without its ballot, counted twice, sealed by the chief counter and
the secretary (the counting service, as the pages call it), then exported with the command line.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from review import counting, meetingfile
from review.extensions import db
from review.models import Meeting, Member, User
from review.rules import BallotCount, Votes
from review.sealdata import fingerprint, sealed_payload

from helpers import DATA


def seed_ballot(document: dict) -> BallotCount:
    ballot = document["ballot"]
    rows = {key: Votes(**row) for key, row in ballot["rows"].items()}
    return BallotCount(ballot["issued"], ballot["returned"], ballot["invalid"], rows, ballot["invalid_reasons"])


def with_row(ballot: BallotCount, key: str, **votes: int) -> BallotCount:
    """Return the ballot with one row changed."""
    row = ballot.rows[key].as_dict() | votes
    return BallotCount(
        ballot.issued, ballot.returned, ballot.invalid, ballot.rows | {key: Votes(**row)}, ballot.invalid_reasons
    )


@pytest.fixture
def counted(app, runner, make_user, seed_path, tmp_path):  # type: ignore[no-untyped-def]
    """Import the seed without its ballot; make its secretary and two counters (m06 chief, m07)."""
    document = json.loads(seed_path.read_text(encoding="utf-8"))
    uncounted = {k: v for k, v in document.items() if k != "ballot"}
    path = tmp_path / "uncounted.json"
    path.write_text(json.dumps(uncounted, ensure_ascii=False), encoding="utf-8")
    result = runner.invoke(args=["meeting", "import", str(path)])
    assert result.exit_code == 0, result.output
    meeting_id = int(result.output.strip().splitlines()[-1])
    with app.app_context():
        cell_id = db.session.get(Meeting, meeting_id).cell_id
        members = dict(db.session.execute(select(Member.code, Member.id).where(Member.cell_id == cell_id)).all())
    users = {"secretary": make_user("bithu", "secretary", cell_id=cell_id)}
    for name, code in (("chief", "m06"), ("second", "m07")):
        users[name] = make_user(f"kp-{code}", "counter", cell_id=cell_id)
        with app.app_context():
            db.session.get(User, users[name]).member_id = members[code]
            db.session.commit()
    with app.app_context():
        meeting = db.session.get(Meeting, meeting_id)
        counting.set_committee(meeting, [members[c] for c in document["ballot"]["counters"]], members["m06"])
        db.session.commit()
    return {"meeting_id": meeting_id, "users": users, "document": document, "ballot": seed_ballot(document)}


def enter(app, counted, first: BallotCount, second: BallotCount) -> None:  # type: ignore[no-untyped-def]
    """Store (or replace) the two counters' entries."""
    with app.app_context():
        meeting = db.session.get(Meeting, counted["meeting_id"])
        for name, ballot in (("chief", first), ("second", second)):
            user = db.session.get(User, counted["users"][name])
            counting.save_entry(meeting, counting.claim_entry(meeting, user), ballot)
            db.session.flush()
        db.session.commit()


def seal(app, counted) -> str:  # type: ignore[no-untyped-def]
    """Approve as the chief, then as the secretary, the data shown; return the seal's fingerprint."""
    with app.app_context():
        meeting = db.session.get(Meeting, counted["meeting_id"])
        _, shown = counting.candidate(meeting)
        for role, name in (("chief", "chief"), ("secretary", "secretary")):
            counting.approve(meeting, db.session.get(User, counted["users"][name]), role, shown)
            db.session.flush()
        db.session.commit()
        assert meeting.sealed and meeting.current_seal.fingerprint == shown
        return shown


def export(runner, meeting_id: int, tmp_path: Path) -> dict:  # type: ignore[no-untyped-def]
    out = tmp_path / "export.json"
    result = runner.invoke(args=["meeting", "export", str(meeting_id), "-o", str(out)])
    assert result.exit_code == 0, result.output
    return json.loads(out.read_text(encoding="utf-8"))


def test_entries_are_not_exported_until_sealed(app, runner, counted, tmp_path):
    enter(app, counted, counted["ballot"], counted["ballot"])  # agreed, checked, but not sealed
    exported = export(runner, counted["meeting_id"], tmp_path)
    assert "ballot" not in exported
    assert {(m["rated"], m["vote_level"]) for m in exported["results"]["members"]} == {
        (True, None)
    }  # nothing counted yet


def test_the_export_carries_the_sealed_tally_and_gives_back_the_seed(app, runner, counted, seed_path, tmp_path):
    ballot = counted["ballot"]
    enter(app, counted, ballot, with_row(ballot, "m04", excellent=6, good=4))
    enter(app, counted, ballot, ballot)  # the second counter fixes the slip
    sealed = seal(app, counted)

    exported = export(runner, counted["meeting_id"], tmp_path)
    assert exported["ballot"] == counted["document"]["ballot"]  # the counters with the chief first
    results = exported.pop("results")
    assert results == json.loads((DATA / "thuong-thanh-2020.results.json").read_text(encoding="utf-8"))
    # Counted in the application, the meeting exports as the seed file, byte for byte.
    assert json.dumps(exported, ensure_ascii=False, indent=2).encode() == seed_path.read_bytes()
    # What the file carries is exactly what was sealed.
    parsed, problems = meetingfile.loads(json.dumps(exported, ensure_ascii=False).encode())
    assert problems == [] and fingerprint(sealed_payload(parsed)) == sealed


def test_a_reopened_seal_exports_no_ballot_and_the_next_seal_exports_its_own(app, runner, counted, tmp_path):
    ballot = counted["ballot"]
    enter(app, counted, ballot, ballot)
    first_seal = seal(app, counted)
    with app.app_context():
        meeting = db.session.get(Meeting, counted["meeting_id"])
        counting.reopen(
            meeting,
            db.session.get(User, counted["users"]["secretary"]),
            "Kiểm lại phiếu của đồng chí Hồng Dung theo đề nghị của hội nghị.",
        )
        db.session.commit()
    assert "ballot" not in export(runner, counted["meeting_id"], tmp_path)  # no tally in force

    recounted = with_row(ballot, "m04", excellent=4, good=6)  # 4 of 10: good, no longer excellent
    enter(app, counted, recounted, recounted)
    second_seal = seal(app, counted)
    assert second_seal != first_seal
    exported = export(runner, counted["meeting_id"], tmp_path)
    assert exported["ballot"]["rows"]["m04"] == recounted.rows["m04"].as_dict()
    assert exported["ballot"]["rows"] == {k: v.as_dict() for k, v in recounted.rows.items()}
    m04 = next(m for m in exported["results"]["members"] if m["id"] == "m04")
    assert (m04["vote_level"], m04["proposed_level"]) == ("good", "good")
    assert exported["results"]["summary"]["excellent"] == 1 and exported["results"]["quota"]["exceeded"] is False
    parsed, _ = meetingfile.loads(json.dumps(exported, ensure_ascii=False).encode())
    assert fingerprint(sealed_payload(parsed)) == second_seal
    with app.app_context():
        assert [s.version for s in db.session.get(Meeting, counted["meeting_id"]).seals] == [1, 2]
