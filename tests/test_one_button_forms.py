"""One-button forms (restore an organisation or a cell, disable, a new link) answer a bad CSRF token alike.

CSRFProtect refuses the request before any view: 400, the error page saying why. Should a
form's own check be what refuses it (``WTF_CSRF_CHECK_DEFAULT`` off, or another field of the
form wrong), each goes back to the page it came from, where a fresh token waits, with why in a
flash (``form_saving.refused_button``). Either way nothing is done.
"""

from __future__ import annotations

from html import unescape

import pytest
from sqlalchemy import select

from review import clock
from review.errors import ERRORS
from review.extensions import db
from review.forms import MESSAGES
from review.models import Cell, Organization, PasswordLink, User

from helpers import signed_in

MISSING = MESSAGES["The CSRF token is missing."]  # Flask-WTF's own messages, in Vietnamese
WRONG = MESSAGES["The CSRF token is invalid."]


@pytest.fixture
def world(app, make_user):  # type: ignore[no-untyped-def]
    with app.app_context():
        organization = Organization(name="Đảng bộ phường Thử", place="Hà Nội", archived_at=clock.now())
        open_one = Organization(name="Đảng bộ phường Mở", place="Hà Nội")
        db.session.add_all([organization, open_one])
        db.session.flush()
        cell = Cell(organization_id=open_one.id, name="Chi bộ Thử", archived_at=clock.now())
        db.session.add(cell)
        db.session.commit()
        ids = {"archived": organization.id, "organization": open_one.id, "cell": cell.id}
    make_user("quantri", "admin")
    make_user("danguy", "ward", organization_id=ids["organization"])
    ids["bithu"] = make_user("bithu", "secretary", cell_id=ids["cell"])
    return ids


def buttons(world):  # type: ignore[no-untyped-def]
    """(who, the page the button is on, the button's URL) of each kind of one-button form."""
    accounts = f"/organizations/{world['organization']}/accounts"
    return [
        ("quantri", "/admin/organizations", f"/admin/organizations/{world['archived']}/restore"),
        ("danguy", f"/organizations/{world['organization']}/cells", f"/cells/{world['cell']}/restore"),
        ("danguy", accounts, f"/accounts/{world['bithu']}/disable"),
        ("danguy", accounts, f"/accounts/{world['bithu']}/link"),
    ]


def state(app):  # type: ignore[no-untyped-def]
    with app.app_context():
        return (
            [o.archived_at is not None for o in db.session.scalars(select(Organization).order_by(Organization.id))],
            [c.archived_at is not None for c in db.session.scalars(select(Cell).order_by(Cell.id))],
            [u.active for u in db.session.scalars(select(User).order_by(User.id))],
            db.session.scalar(select(db.func.count()).select_from(PasswordLink)),
        )


@pytest.mark.parametrize("token", [None, "forged"])
def test_a_bad_csrf_token_is_refused_before_every_one_button_form(app, world, token):
    before = state(app)
    for username, page, url in buttons(world):
        client = signed_in(app, username)
        data = {"next": page} | ({"csrf_token": token} if token else {})
        response = client.post(url, data=data)
        assert response.status_code == 400, (url, response.status_code)
        assert ERRORS[400][1] in unescape(response.get_data(as_text=True)), url
    assert state(app) == before


@pytest.mark.parametrize(("token", "message"), [(None, MISSING), ("forged", WRONG)])
def test_a_bad_csrf_token_is_answered_alike_by_every_one_button_forms_view(app, world, token, message):
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False  # the views' own check answers
    before = state(app)
    for username, page, url in buttons(world):
        client = signed_in(app, username)
        assert client.get(page).status_code == 200
        data = {"next": page} | ({"csrf_token": token} if token else {})
        response = client.post(url, data=data)
        assert response.status_code == 302, (url, response.status_code)
        assert response.headers["Location"].endswith(page), url
        shown = unescape(client.get(page).get_data(as_text=True))
        assert message in shown, url
    assert state(app) == before
