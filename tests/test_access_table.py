"""Every route, from the URL map, against one declared access table, for every kind of user.

ACCESS says, for each endpoint and method, which users reach it, read from the policy in
review/access.py (ENDPOINTS: the permission each route asks; PERMISSIONS: the relations to the
cell, its meeting or its organisation that grant it; USER_RELATIONS here: how each user of
this test stands to the cell's objects). Those users get the page (200),
a redirect to a page of the application, or 422 for the empty form this test posts. Every
other signed-in user gets 403 or 404; anonymous users get 302 to the sign-in page, except on
the public endpoints. A route added to the application without a line in ENDPOINTS fails the
test, and so does a line left there for a route that is gone.

The objects are all of one cell (another cell's data is tests/test_access.py's concern): its
2021 meeting, still being counted, with committee m06 (chief), m07, m08. The users:

- ``admin``: the system administrator;
- ``ward``: the ward committee of the cell's organisation;
- ``secretary``: the cell's secretary;
- ``counter``: a counter with an account of their own, m06, the committee's chief;
- ``code``: a counter signed in with a one-time code for the 2021 meeting, m08 (not chief).
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from reports import docx_writer
from review import clock
from review.access import DOCUMENT_PERMISSIONS, ENDPOINTS, PERMISSIONS, Permission, Relation
from review.auth.password_links import issue_link
from review.counting import set_committee
from review.documents import SECOND_PAPER
from review.extensions import db
from review.models import ExportJob, Meeting, MeetingUpload, User

from helpers import csrf_token, one_account_per_kind, write_2021_copy

ADMIN, WARD, SECRETARY, COUNTER, CODE = "admin", "ward", "secretary", "counter", "code"
SIGNED_IN = frozenset({ADMIN, WARD, SECRETARY, COUNTER, CODE})
ANONYMOUS = "anonymous"
EVERYONE = SIGNED_IN | {ANONYMOUS}


# How each user stands to the cell's objects (review.access.Relation): the admin to every cell,
# the ward to its organisation's, the secretary to its cell's, the counters to the 2021 meeting.
USER_RELATIONS: dict[str, frozenset[Relation]] = {
    ADMIN: frozenset({Relation.ADMIN}),
    WARD: frozenset({Relation.WARD}),
    SECRETARY: frozenset({Relation.SECRETARY}),
    COUNTER: frozenset({Relation.COUNTER, Relation.CHIEF}),
    CODE: frozenset({Relation.COUNTER}),
}


def holders(permission: Permission) -> frozenset[str]:
    """Return the users of this test who hold ``permission`` on the cell's objects."""
    if permission.public:
        return EVERYONE
    if permission.any_account:
        return SIGNED_IN
    if permission.password_account:  # every account but the one-time code's (it has no password)
        return SIGNED_IN - {CODE}
    return frozenset(user for user, held in USER_RELATIONS.items() if held & permission.relations)


# endpoint -> method -> who reaches it, read from the policy (review/access.py)
ACCESS: dict[str, dict[str, frozenset[str]]] = {
    endpoint: {method: holders(PERMISSIONS[name]) for method, name in methods.items()}
    for endpoint, methods in ENDPOINTS.items()
}


def declared_routes(app) -> list[tuple[str, str, object]]:  # type: ignore[no-untyped-def]
    """Return (endpoint, method, rule) for every route and method of the application."""
    routes = []
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            routes.append((rule.endpoint, method, rule))
    return routes


def test_every_route_is_in_the_access_table(app):
    in_app = {(endpoint, method) for endpoint, method, _ in declared_routes(app)}
    in_table = {(endpoint, method) for endpoint, methods in ACCESS.items() for method in methods}
    assert not in_app - in_table, f"say in review.access.ENDPOINTS who may reach {sorted(in_app - in_table)}"
    assert not in_table - in_app, f"review.access.ENDPOINTS names routes that are gone: {sorted(in_table - in_app)}"


@pytest.fixture
def cell(app, runner, seed_path, tmp_path, make_user):  # type: ignore[no-untyped-def]
    """Load the seed (2020, sealed) and its 2021 meeting to count; create the accounts; return URL values."""
    assert runner.invoke(args=["meeting", "import", str(seed_path)]).exit_code == 0
    path = write_2021_copy(seed_path, tmp_path)
    result = runner.invoke(args=["meeting", "import", str(path)])
    assert result.exit_code == 0, result.output
    archive = tmp_path / "export.zip"
    archive.write_bytes(b"PK\x05\x06" + bytes(18))  # an empty ZIP
    with app.app_context():
        meetings = {m.review_year.year: m for m in db.session.scalars(select(Meeting))}
        meeting, sealed = meetings[2021], meetings[2020]
        members = {m.code: m for m in meeting.cell.members}
        set_committee(meeting, [members[c].id for c in ("m06", "m07", "m08")], members["m06"].id)
        participant = next(p for p in meeting.participants if p.member_id == members["m01"].id)
        job = ExportJob(
            organization_id=meeting.cell.organization_id,
            year=2020,
            status="done",
            total=1,
            done=1,
            file_path=str(archive),
        )
        db.session.add(job)
        # A meeting file the ward uploaded, which replaced a meeting: its replaced file downloads.
        upload = MeetingUpload(
            cell_id=meeting.cell_id,
            year=2021,
            meeting_id=meeting.id,
            uploaded_at=clock.now(),
            filename="hoi-nghi.json",
            file_sha256="0" * 64,
            reason="Tệp đúng của chi bộ.",
            replaced_meeting_id=meeting.id + 100,
            replaced_file="{}",
        )
        db.session.add(upload)
        db.session.commit()
        values = {
            "cell_id": meeting.cell_id,
            "organization_id": meeting.cell.organization_id,
            "meeting_id": meeting.id,
            "sealed_meeting_id": sealed.id,
            "member_id": members["m07"].id,
            "participant_id": participant.id,
            "job_id": job.id,
            "upload_id": upload.id,
            "year": 2021,
            "key": "minutes",
            "decision_key": "members",  # the committee's decision documents
            "subject": "committee",
            "filename": "css/app.css",
            "kind": "xlsx",  # the roster export's format
            "m06": members["m06"].id,
            "m08": members["m08"].id,
        }
    values["code"] = one_account_per_kind(
        app,
        make_user,
        organization_id=values["organization_id"],
        cell_id=values["cell_id"],
        meeting_id=values["meeting_id"],
        counter_member_id=values["m06"],
        code_member_id=values["m08"],
    )
    # The account pages act on a spare counter account of the cell (disabling it signs nobody
    # of this test out); the set-password link is another account's (a reset of the spare one
    # does not revoke it), and the empty form posted to it sets no password.
    values["user_id"] = make_user("kp-du-phong", "counter", cell_id=values["cell_id"])
    newcomer = make_user("nguoi-moi", "secretary", cell_id=values["cell_id"])
    with app.app_context():
        values["token"] = issue_link(db.session.get(User, newcomer), None).token
        db.session.commit()
    return values


def signed_in_client(app, role: str, cell):  # type: ignore[no-untyped-def]
    """Return a test client signed in as ``role`` (None for anonymous)."""
    client = app.test_client()
    if role == ANONYMOUS:
        return client
    if role == CODE:
        response = client.post("/code", data={"csrf_token": csrf_token(client, "/code"), "code": cell["code"]})
    else:
        username = {ADMIN: "quantri", WARD: "danguy", SECRETARY: "bithu", COUNTER: "kiemphieu"}[role]
        response = client.post(
            "/auth/login",
            data={"csrf_token": csrf_token(client, "/auth/login"), "username": username, "password": "mật-khẩu-đủ-dài"},
        )
    assert response.status_code == 302, f"{role} could not sign in"
    return client


def build(rule, values, meeting_key: str = "meeting_id") -> str:  # type: ignore[no-untyped-def]
    unknown = set(rule.arguments) - set(values)
    assert not unknown, f"{rule.endpoint}: say in test_access_table.py which {unknown} to use"
    chosen = {name: values[meeting_key if name == "meeting_id" else name] for name in rule.arguments}
    return rule.build(chosen, append_unknown=False)[1]


def outcome(response) -> str:  # type: ignore[no-untyped-def]
    """Return ``allowed``, ``denied`` or ``sign-in`` for a response; anything else as its status."""
    status = response.status_code
    if status in (301, 302, 303):
        # Flask-Login sends anonymous users to sign in with the page they wanted as ``next``
        # (signing out also ends on the sign-in page, without it).
        location = urlsplit(response.headers["Location"])
        return "sign-in" if location.path == "/auth/login" and "next=" in location.query else "allowed"
    if status in (200, 409, 422):  # 409: reached, but the empty form carried no version (a stale page)
        return "allowed"
    if status in (403, 404):
        return "denied"
    return f"status {status}"


# The pages whose address holds a set-password token (every answer), or whose content does
# (the card of a new link), send no Referer at all.
NO_REFERRER = {"auth.set_password": range(100, 600), "accounts.new_link": range(200, 201)}


def header_problems(response, endpoint: str = "") -> list[str]:  # type: ignore[no-untyped-def]
    """Return what is missing of the security headers every response carries (tests/test_security.py has the details)."""
    problems = []
    referrer = "no-referrer" if response.status_code in NO_REFERRER.get(endpoint, ()) else "same-origin"
    for name, value in (
        ("X-Content-Type-Options", "nosniff"),
        ("X-Frame-Options", "DENY"),
        ("Referrer-Policy", referrer),
    ):
        if response.headers.get(name) != value:
            problems.append(f"{name} is {response.headers.get(name)!r}")
    policy = response.headers.get("Content-Security-Policy", "")
    if response.mimetype != "application/pdf" and "frame-ancestors 'none'" not in policy:
        problems.append(f"Content-Security-Policy is {policy!r}")
    return problems


def checks(app):  # type: ignore[no-untyped-def]
    """Return the routes in the order to try them: reading first, then posting, signing out last."""
    return sorted(declared_routes(app), key=lambda r: (r[0] == "auth.logout", r[1] != "GET", r[0]))


@pytest.mark.parametrize("role", [ANONYMOUS, ADMIN, WARD, SECRETARY, COUNTER, CODE])
def test_each_user_reaches_exactly_what_the_table_says(app, cell, role):
    client = signed_in_client(app, role, cell)
    token = csrf_token(client, "/code")
    wrong = []
    for endpoint, method, rule in checks(app):
        url = build(rule, cell)
        response = client.open(url, method=method, data={"csrf_token": token} if method == "POST" else None)
        got = outcome(response)
        wrong.extend(f"{method} {url} ({endpoint}): {problem}" for problem in header_problems(response, endpoint))
        if method not in ACCESS.get(endpoint, {}):
            wrong.append(f"{method} {url} ({endpoint}): not in ACCESS")
        elif role in ACCESS[endpoint][method]:
            expected = "allowed"
        else:
            expected = "sign-in" if role == ANONYMOUS else "denied"
        if got != expected:
            wrong.append(f"{method} {url} ({endpoint}): {got}, expected {expected}")
    assert not wrong, f"{role}:\n" + "\n".join(wrong)


def test_each_document_reaches_exactly_the_users_its_permission_names(app, cell):
    """ward.document asks each key's own permission (DOCUMENT_PERMISSIONS): the vote-count minutes
    also reach the chief counter (``counter``), not the other counters (``code``). The Word copy
    (ward.document_docx) reaches exactly the PDF's readers."""
    mimetypes = {"pdf": "application/pdf", "docx": docx_writer.MIMETYPE}
    wrong = []
    for role in (ANONYMOUS, ADMIN, WARD, SECRETARY, COUNTER, CODE):
        client = signed_in_client(app, role, cell)
        for key, permission in DOCUMENT_PERMISSIONS.items():
            for extension, mimetype in mimetypes.items():
                response = client.get(f"/meetings/{cell['meeting_id']}/documents/{key}.{extension}")
                got = outcome(response)
                refused = "sign-in" if role == ANONYMOUS else "denied"
                expected = "allowed" if role in holders(permission) else refused
                if key == SECOND_PAPER and expected == "allowed":
                    # A single-ballot meeting has no ballot-2 paper: its readers get 404, the others
                    # are refused as for the ballot paper (tests/test_two_ballot_documents.py reads it).
                    if response.status_code != 404:
                        wrong.append(f"{role} {key}.{extension}: {response.status_code}, expected 404")
                    continue
                if got != expected:
                    wrong.append(f"{role} {key}.{extension}: {got}, expected {expected}")
                elif got == "allowed" and response.mimetype != mimetype:
                    wrong.append(f"{role} {key}.{extension}: sent as {response.mimetype}")
    assert not wrong, "\n".join(wrong)


def test_a_code_counter_reaches_nothing_of_another_meeting_of_the_cell(app, cell):
    client = signed_in_client(app, CODE, cell)
    token = csrf_token(client, "/code")
    checked = 0
    for endpoint, method, rule in checks(app):
        if "meeting_id" not in rule.arguments:
            continue
        url = build(rule, cell, meeting_key="sealed_meeting_id")
        response = client.open(url, method=method, data={"csrf_token": token} if method == "POST" else None)
        assert outcome(response) == "denied", f"{method} {url} ({endpoint}) gave {response.status_code}"
        checked += 1
    assert checked >= 20
    # The home page lists only the code's meeting.
    home = client.get("/").get_data(as_text=True)
    assert "Hội nghị năm 2021" in home and "Hội nghị năm 2020" not in home


def test_a_deactivated_account_is_signed_out_at_once(app, cell):
    client = signed_in_client(app, SECRETARY, cell)
    assert client.get("/").status_code == 200
    with app.app_context():
        db.session.scalar(select(User).where(User.username == "bithu")).active = False
        db.session.commit()
    response = client.get(f"/cells/{cell['cell_id']}/members")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]


def test_denied_pages_show_nothing_of_the_meeting(app, cell):
    """A refused user sees the generic error page, not one name from the roster."""
    client = signed_in_client(app, WARD, cell)
    with app.app_context():
        names = [m.name for m in db.session.get(Meeting, cell["meeting_id"]).cell.members]
    for url in (f"/meetings/{cell['meeting_id']}/reviews", f"/meetings/{cell['meeting_id']}/tally"):
        response = client.get(url)
        assert response.status_code in (403, 404)
        body = response.get_data(as_text=True)
        assert not any(name in body for name in names), url


def database_rows(app) -> dict[str, list[tuple]]:  # type: ignore[no-untyped-def]
    """Return every row of every table, in a stable order."""
    with app.app_context():
        rows = {}
        for table in db.metadata.sorted_tables:
            query = select(table).order_by(*table.primary_key.columns)
            rows[table.name] = [tuple(row) for row in db.session.execute(query)]
        db.session.remove()
        return rows


@pytest.mark.parametrize("role", [ANONYMOUS, ADMIN, WARD, SECRETARY, COUNTER, CODE])
def test_reading_a_page_changes_nothing(app, cell, role):
    """GET is never state-changing (CSRF protects POST only): every GET route leaves the database as it was."""
    client = signed_in_client(app, role, cell)
    before = database_rows(app)
    for endpoint, method, rule in checks(app):
        if method == "GET":
            assert client.get(build(rule, cell)).status_code < 500, endpoint
    assert database_rows(app) == before
