"""Every route, from the URL map: nobody reaches another ward's or cell's data.

The data to protect belongs to a cell of another ward organisation. A secretary gets 404 on
every page about another cell, and 403 or 404 on pages about another organisation (the
ward's pages are not for secretaries at all); every other role gets 403 or 404; anonymous
users sign in first. A new route is picked up automatically; a route with a parameter this
test does not know fails it, so whoever adds one says here how to reach the other object.
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from review import clock
from review.access import ENDPOINTS, PERMISSIONS
from review.database import write_transaction
from review.extensions import db
from review.models import Cell, ExportJob, Meeting, MeetingUpload, Member, Participant, Role

from helpers import csrf_token

PUBLIC = {"static", "auth.login", "counting.code_login", "auth.set_password", "main.language", "health.healthz"}
NOT_SCOPED = {"main.index", "auth.logout", "auth.password"}  # pages about the user, not about a cell
# Province-wide totals for administrators only (tests/test_query_budgets.py checks the roles).
NOT_SCOPED.add("province.index")


@pytest.fixture
def two_cells(app, runner, seed_path, tmp_path, make_user):  # type: ignore[no-untyped-def]
    """Load the seed into two cells; return the objects of the second, the one to protect."""
    assert runner.invoke(args=["meeting", "import", str(seed_path)]).exit_code == 0
    other = json.loads(seed_path.read_text(encoding="utf-8"))
    other["organization"]["parent"] = "Đảng bộ phường Giang Biên"
    other["organization"]["place"] = "Giang Biên"
    other["organization"]["cell"] = "Chi bộ Khu dân cư số 2"
    path = tmp_path / "other.json"
    path.write_text(json.dumps(other, ensure_ascii=False), encoding="utf-8")
    assert runner.invoke(args=["meeting", "import", str(path)]).exit_code == 0
    with app.app_context():
        mine, theirs = db.session.scalars(select(Cell).order_by(Cell.id)).all()
        meeting = db.session.scalar(select(Meeting).where(Meeting.cell_id == theirs.id))
        participant = db.session.scalar(select(Participant).where(Participant.meeting_id == meeting.id))
        member = db.session.scalar(select(Member).where(Member.cell_id == theirs.id))
        make_user("bithu", "secretary", cell_id=mine.id)
        make_user("kiemphieu", "counter", cell_id=mine.id)
        make_user("danguy", "ward", organization_id=mine.organization_id)
        their_counter = make_user("kpkhac", "counter", cell_id=theirs.id)  # the account pages' object
        with write_transaction():
            job = ExportJob(organization_id=theirs.organization_id, year=2020, status="done")
            upload = MeetingUpload(
                cell_id=theirs.id, year=2020, uploaded_at=clock.now(), file_sha256="0" * 64, replaced_file="{}"
            )
            db.session.add_all([job, upload])
        return {
            "organization_id": theirs.organization_id,
            "year": 2020,
            "key": "minutes",
            "decision_key": "members",  # the committee's decision documents
            "job_id": job.id,
            "cell_id": theirs.id,
            "meeting_id": meeting.id,
            "participant_id": participant.id,
            "member_id": member.id,
            "subject": "committee",
            "user_id": their_counter,
            "upload_id": upload.id,
            "kind": "xlsx",
        }


def scoped_routes(app):  # type: ignore[no-untyped-def]
    """Return (endpoint, rule, methods) of every route that reaches a cell's data."""
    routes = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC or rule.endpoint in NOT_SCOPED:
            continue
        methods = sorted(m for m in rule.methods if m in {"GET", "POST"})
        routes.append((rule.endpoint, rule, methods))
    return routes


def url_for_other_cell(rule, objects) -> str:  # type: ignore[no-untyped-def]
    unknown = set(rule.arguments) - set(objects)
    assert not unknown, f"{rule.endpoint}: say in test_access.py how to reach another cell's {unknown}"
    return rule.build({name: objects[name] for name in rule.arguments})[1]


def test_another_cells_secretary_gets_404_everywhere(app, client, login, two_cells):
    login("bithu")
    token = csrf_token(client, "/")
    checked = 0
    for endpoint, rule, methods in scoped_routes(app):
        url = url_for_other_cell(rule, two_cells)
        for method in methods:
            response = client.open(url, method=method, data={"csrf_token": token} if method == "POST" else None)
            # Pages about an organisation, and pages whose permission no secretary holds (the
            # administrator's, the ward's cells): 403 by role is as good as 404.
            not_for_secretaries = Role.SECRETARY not in PERMISSIONS[ENDPOINTS[endpoint][method]].roles
            about_organizations = {"organization_id", "job_id"} & set(rule.arguments)
            expected = (403, 404) if about_organizations or not_for_secretaries else (404,)
            assert response.status_code in expected, f"{method} {url} ({endpoint}) gave {response.status_code}"
            checked += 1
    assert checked >= 10


@pytest.mark.parametrize("username", ["kiemphieu", "danguy"])
def test_other_roles_cannot_use_the_secretarys_pages(app, client, login, two_cells, username):
    login(username)
    token = csrf_token(client, "/")
    for endpoint, rule, methods in scoped_routes(app):
        url = url_for_other_cell(rule, two_cells)
        for method in methods:
            response = client.open(url, method=method, data={"csrf_token": token} if method == "POST" else None)
            assert response.status_code in (403, 404), f"{method} {url} ({endpoint}) gave {response.status_code}"


def test_anonymous_users_are_sent_to_sign_in_everywhere(app, client, two_cells):
    for endpoint, rule, methods in scoped_routes(app):
        url = url_for_other_cell(rule, two_cells)
        response = client.get(url) if "GET" in methods else client.post(url)
        if "GET" in methods:
            assert response.status_code == 302 and "/auth/login" in response.headers["Location"], endpoint
        else:  # a POST without a CSRF token stops before anything else
            assert response.status_code in (302, 400), endpoint
