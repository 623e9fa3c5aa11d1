"""The database itself enforces uniqueness, foreign keys and allowed values.

An enumerated value (standing, position, role, ...) is refused by the model's ``Enum`` type
before it reaches the database, and by the database's CHECK constraint when written past it.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, StatementError

from review.extensions import db
from review.models import (
    Cell,
    Meeting,
    Member,
    Organization,
    Participant,
    ReviewYear,
    Tally,
    TallyRow,
    User,
)


@pytest.fixture
def cell(app):  # type: ignore[no-untyped-def]
    with app.app_context():
        org = Organization(name="Đảng bộ phường Thượng Thanh", place="Thượng Thanh")
        cell = Cell(organization=org, name="Chi bộ Trường Mầm non Thượng Thanh")
        db.session.add(cell)
        db.session.commit()
        return cell.id


def refused(app, *objects) -> None:  # type: ignore[no-untyped-def]
    """Assert that adding ``objects`` is refused by the database (or a value not of its enum by the model), and roll back."""
    with app.app_context():
        db.session.add_all(objects)
        with pytest.raises(StatementError) as refusal:  # an IntegrityError is a StatementError
            db.session.commit()
        assert isinstance(refusal.value, IntegrityError) or isinstance(refusal.value.orig, LookupError)
        db.session.rollback()


def member(cell_id: int, code: str = "m01", **kw) -> Member:  # type: ignore[no-untyped-def]
    values = (
        dict(
            cell_id=cell_id,
            code=code,
            name="Nguyễn Văn Ánh",
            standing="official",
            position="member",
            admitted_on=date(2010, 1, 1),
        )
        | kw
    )
    return Member(**values)


def test_cell_names_are_unique_in_an_organisation(app, cell):
    with app.app_context():
        org_id = db.session.get(Cell, cell).organization_id
    refused(app, Cell(organization_id=org_id, name="Chi bộ Trường Mầm non Thượng Thanh"))


def test_member_codes_are_unique_in_a_cell(app, cell):
    with app.app_context():
        db.session.add(member(cell))
        db.session.commit()
    refused(app, member(cell, name="Người khác"))


@pytest.mark.parametrize(
    "field, value",
    [("standing", "candidate"), ("position", "chair"), ("code", "cell")],
)
def test_member_values_are_checked(app, cell, field, value):
    refused(app, member(cell, **{field: value}))


@pytest.mark.parametrize("column, value", [("standing", "candidate"), ("position", "chair")])
def test_enum_values_are_checked_by_the_database_too(app, cell, column, value):
    with app.app_context():
        db.session.add(member(cell))
        db.session.commit()
        with db.engine.connect() as connection, pytest.raises(IntegrityError):
            connection.execute(text(f"UPDATE member SET {column} = :value"), {"value": value})


def test_foreign_keys_are_enforced(app):
    refused(app, member(cell_id=999))


def test_one_meeting_per_cell_and_year(app, cell):
    with app.app_context():
        org_id = db.session.get(Cell, cell).organization_id
        year = ReviewYear(organization_id=org_id, year=2020, profile="hd21-2019")
        db.session.add_all([year, Meeting(cell_id=cell, review_year=year)])
        db.session.commit()
        year_id = year.id
    refused(app, Meeting(cell_id=cell, review_year_id=year_id))


def test_one_review_year_per_organisation_and_year(app, cell):
    with app.app_context():
        org_id = db.session.get(Cell, cell).organization_id
        db.session.add(ReviewYear(organization_id=org_id, year=2021, profile="hd21-2019"))
        db.session.commit()
    refused(app, ReviewYear(organization_id=org_id, year=2021, profile="hd21-2019"))


def _participant_and_tally(app, cell):  # type: ignore[no-untyped-def]
    with app.app_context():
        org_id = db.session.get(Cell, cell).organization_id
        year = ReviewYear(organization_id=org_id, year=2020, profile="hd21-2019")
        meeting = Meeting(cell_id=cell, review_year=year)
        person = member(cell)
        participant = Participant(
            meeting=meeting,
            member=person,
            roll_order=0,
            name=person.name,
            admitted_on=person.admitted_on,
            standing="official",
            position="member",
        )
        tally = Tally(meeting=meeting)
        db.session.add_all([participant, tally])
        db.session.commit()
        return participant.id, tally.id, meeting.id


def test_one_cell_row_and_one_row_per_member_in_a_tally(app, cell):
    participant_id, tally_id, _ = _participant_and_tally(app, cell)
    with app.app_context():
        db.session.add_all([TallyRow(tally_id=tally_id), TallyRow(tally_id=tally_id, participant_id=participant_id)])
        db.session.commit()
    refused(app, TallyRow(tally_id=tally_id))
    refused(app, TallyRow(tally_id=tally_id, participant_id=participant_id))


def test_votes_cannot_be_negative(app, cell):
    _, tally_id, _ = _participant_and_tally(app, cell)
    refused(app, TallyRow(tally_id=tally_id, good=-1))


def test_attendance_and_sick_leave_are_checked(app, cell):
    participant_id, _, meeting_id = _participant_and_tally(app, cell)
    with app.app_context():
        member_id = db.session.get(Participant, participant_id).member_id
    refused(
        app,
        Participant(
            meeting_id=meeting_id,
            member_id=member_id,
            roll_order=1,
            name="Nguyễn Văn A",
            admitted_on=date(2010, 1, 1),
            standing="official",
            position="member",
            attendance="late",
        ),
    )


@pytest.mark.parametrize(
    "role, scope",
    [("secretary", {}), ("ward", {}), ("counter", {"organization": True}), ("admin", {"cell": True}), ("boss", {})],
)
def test_user_roles_are_scoped_by_the_database(app, cell, role, scope):
    with app.app_context():
        org_id = db.session.get(Cell, cell).organization_id
    user = User(
        username="x",
        password_hash="h",
        role=role,
        cell_id=cell if scope.get("cell") else None,
        organization_id=org_id if scope.get("organization") else None,
    )
    refused(app, user)


def test_usernames_are_unique(app, make_user):
    make_user("quantri", "admin")
    with pytest.raises(IntegrityError):
        make_user("quantri", "admin")
