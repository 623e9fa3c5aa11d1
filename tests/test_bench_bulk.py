"""The benchmarks' bulk loader (bench/bulk.py) writes what ``import_meeting`` writes.

The large province of bench/scale.py is built with it; this is the check on a sample: the same
meeting files, bulk-loaded into one database and imported one by one into another, export to
the same files with the same seals and summaries, and leave the same audit entries (but for
the clock's values) in a chain that verifies. After a bulk load the application goes on: the
next import takes the next ids.
"""

from __future__ import annotations

import json
import random
from collections import Counter
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import select, text

from bench.bulk import bulk_load
from bench.generate import ward_cells
from review import audit, create_app, meetingfile
from review.extensions import db
from review.meeting_store import import_meeting, load_meeting, meeting_file, summary_values
from review.models import Meeting

from helpers import create_postgres_database, drop_postgres_database

CLOCK_VALUES = {"created_at", "roll_called_at", "sealed_at", "audit_anchor"}  # the anchor: a hash over the clock


def without_clock(values: dict[str, Any]) -> dict[str, Any]:
    """Return an entry's columns with the clock's values blanked (the columns themselves kept)."""
    return {key: "<clock>" if key in CLOCK_VALUES else value for key, value in values.items()}


def recorded(meeting_ids: list[int]) -> dict[str, Any]:
    """Return what the database holds of the meetings: exports, seals, summaries, audit entries."""
    meetings = []
    for meeting_id in meeting_ids:
        meeting = load_meeting(meeting_id)
        assert meeting is not None and meeting.current_seal is not None
        seal = meeting.current_seal
        meetings.append(
            (
                meetingfile.dumps(meetingfile.dump(meeting_file(meeting))),
                seal.fingerprint,
                summary_values(seal.summary),
            )
        )
    with db.engine.connect() as connection:
        verdict = audit.verify_chain(connection)
        entries = connection.execute(text("SELECT table_name, action, row_id, meeting_id, after FROM audit_entry"))
        shapes = Counter(
            (table, action, row_id, meeting_id, json.dumps(without_clock(json.loads(after)), sort_keys=True))
            for table, action, row_id, meeting_id, after in entries
        )
        anchors = [audit.anchor_problem(seal) for seal in audit.seal_anchors(connection)]
    assert anchors and not any(anchors), anchors  # each seal anchored where the chain stood before it
    assert verdict.broken_at is None, verdict.problem
    return {"meetings": meetings, "entries": shapes, "count": verdict.count}


def imported_elsewhere(files: list[meetingfile.MeetingFile], database_url: str, tmp_path: Path) -> dict[str, Any]:
    """Import the files one by one into a second, empty database of the same kind."""
    other = (
        f"sqlite:///{tmp_path / 'imported.sqlite3'}"
        if database_url.startswith("sqlite")
        else create_postgres_database("review_bulk")
    )
    try:
        app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": other})
        with app.app_context():
            db.create_all()
            ids = [import_meeting(mf).id for mf in files]
            db.session.expunge_all()
            found = recorded(ids)
            db.session.remove()
            db.engine.dispose()
        return found
    finally:
        if not database_url.startswith("sqlite"):
            drop_postgres_database(other)


def test_the_bulk_loader_writes_what_import_meeting_writes(app: Flask, tmp_path: Path) -> None:
    files = list(ward_cells(random.Random(7), 0, 5, lambda rng: rng.randint(8, 30)))
    with app.app_context():
        with db.engine.connect() as connection:
            ids = bulk_load(connection, files, batch=2)  # three batches: two, two and one meeting
        bulk = recorded(ids)
        database_url = str(db.engine.url.render_as_string(hide_password=False))
    imported = imported_elsewhere(files, database_url, tmp_path)
    assert bulk["meetings"] == imported["meetings"]
    assert bulk["count"] == imported["count"] > 5 * 8
    assert bulk["entries"] == imported["entries"]


def test_the_application_goes_on_after_a_bulk_load(app: Flask) -> None:
    first, second = list(ward_cells(random.Random(8), 0, 2, lambda rng: 9))
    with app.app_context():
        with db.engine.connect() as connection:
            (bulk_id,) = bulk_load(connection, [first])
        meeting = import_meeting(second)  # the id sequences were moved past the bulk rows
        assert meeting.id > bulk_id
        assert db.session.scalars(select(Meeting.id).order_by(Meeting.id)).all() == [bulk_id, meeting.id]
        with db.engine.connect() as connection:
            assert audit.verify_chain(connection).broken_at is None


def test_the_generated_ward_committee_issues_its_decision(app: Flask) -> None:
    from bench.generate import YEAR, decide_ward
    from review import decisions
    from review.models import DecisionSeal, Organization

    files = list(ward_cells(random.Random(9), 0, 12, lambda rng: rng.randint(8, 20)))
    with app.app_context():
        with db.engine.connect() as connection:
            bulk_load(connection, files)
        organization_id = db.session.scalar(select(Organization.id))
        assert organization_id is not None
        decide_ward(organization_id, YEAR, 1)
        seal = db.session.scalar(select(DecisionSeal))
        assert seal is not None and seal.number == "1-QĐ/ĐU"
        document = decisions.issued_payload(seal)
        assert len(document["cells"]) == 12
        organization = db.session.get(Organization, organization_id)
        assert not decisions.gather(organization, YEAR).assessment.blockers
