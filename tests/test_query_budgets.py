"""Query budgets: each main page sends a fixed number of SQL statements, whatever the size.

Every page is measured twice: on a small ward organisation (cells of a few members), then
on a larger one (more cells, more members a cell, more feedback); the province view before
and after the second ward. The counts must be equal (no query a member, a cell or a ward:
no N+1) and within the page's budget. The sealed cells' counts come from the seals' summary
rows (``models.SealSummary``), the same statements on a process's first request as on the
next ones. Statements are counted with SQLAlchemy's
``before_cursor_execute`` event (bench/harness.py); on SQLite the ``BEGIN`` that
review/database.py emits counts too, so the budgets hold on both databases.
"""

from __future__ import annotations

import random

import pytest
from sqlalchemy import select

from bench.generate import store, ward_cells
from bench.harness import ensure_user, signed_in, statements_for
from review.extensions import db
from review.models import Cell, Meeting, Organization, Participant

# Budget per page: the most statements one GET may send. The pages send a few less today;
# the margin leaves room for a check or two, never for a query a member.
BUDGETS = {
    "home": 10,
    "meeting_overview": 26,
    "opening": 26,
    "roll_call": 26,
    "collective": 26,
    "reviews": 26,
    "review": 27,
    "ballot": 27,
    "closing": 27,
    "committee": 28,
    "history": 12,
    "roster": 27,
    "results": 25,
    "results_ward": 25,
    "ward_dashboard": 12,
    "rules_index": 10,
    "province": 9,
}


def add_ward(app, ward_index: int, cells: int, size: int) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """Store a ward organisation of ``cells`` cells of ``size`` members; return the ids the pages need."""
    with app.app_context():
        ids = store(ward_cells(random.Random(ward_index), ward_index, cells, lambda rng: size))
        meeting = db.session.get(Meeting, ids[0])
        assert meeting is not None and len(meeting.participants) == size
        participant = db.session.scalar(
            select(Participant.id).where(Participant.meeting_id == meeting.id).order_by(Participant.roll_order)
        )
        organization_id = db.session.scalar(select(Cell.organization_id).where(Cell.id == meeting.cell_id))
        return {
            "meeting": meeting.id,
            "cell": meeting.cell_id,
            "organization": organization_id,
            "participant": participant,
        }


def urls(ids: dict[str, int]) -> dict[str, str]:
    """Return the main pages of one ward organisation and its first cell's meeting."""
    m = ids["meeting"]
    return {
        "home": "/",
        "meeting_overview": f"/meetings/{m}",
        "opening": f"/meetings/{m}/opening",
        "roll_call": f"/meetings/{m}/roll-call",
        "collective": f"/meetings/{m}/collective",
        "reviews": f"/meetings/{m}/reviews",
        "review": f"/meetings/{m}/reviews/{ids['participant']}",
        "ballot": f"/meetings/{m}/ballot",
        "closing": f"/meetings/{m}/closing",
        "committee": f"/meetings/{m}/committee",
        "history": f"/meetings/{m}/history",
        "roster": f"/cells/{ids['cell']}/members",
        "results": f"/meetings/{m}/results",
        "ward_dashboard": f"/organizations/{ids['organization']}",
        "rules_index": f"/organizations/{ids['organization']}/rules",
        "province": "/province",
    }


def measure(app, ids: dict[str, int]) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """Return the statements each main page sends, as an administrator and as the ward."""
    admin = signed_in(app, "admin")
    counts = {}
    for page, url in urls(ids).items():
        status, count, _ = statements_for(app, admin, url)
        assert status in (200, 302), (page, url, status)
        counts[page] = count
    ward = f"ward-{ids['organization']}"
    ensure_user(app, ward, "ward", organization_id=ids["organization"])
    status, counts["results_ward"], _ = statements_for(app, signed_in(app, ward), f"/meetings/{ids['meeting']}/results")
    assert status == 200
    return counts


def test_main_pages_send_a_fixed_number_of_statements(app):  # type: ignore[no-untyped-def]
    ensure_user(app, "admin", "admin")
    small = add_ward(app, 0, cells=2, size=5)
    small_counts = measure(app, small)
    small_province = small_counts["province"]

    large = add_ward(app, 1, cells=5, size=14)
    large_counts = measure(app, large)
    again = measure(app, small)  # the province now has two wards, the home page more cells

    assert large_counts == small_counts, {
        k: (small_counts[k], large_counts[k]) for k in small_counts if small_counts[k] != large_counts[k]
    }
    assert again == small_counts
    assert again["province"] == small_province
    admin = signed_in(app, "admin")
    for page in ("ward_dashboard", "province"):  # no store in memory: the second request sends the same
        assert statements_for(app, admin, urls(large)[page])[1] == large_counts[page]
    over = {page: (count, BUDGETS[page]) for page, count in large_counts.items() if count > BUDGETS[page]}
    assert not over, f"over budget (sent, budget): {over}"


def test_province_totals_match_the_ward_dashboards(app):  # type: ignore[no-untyped-def]
    import re

    ensure_user(app, "admin", "admin")
    first = add_ward(app, 0, cells=3, size=9)
    second = add_ward(app, 1, cells=2, size=16)
    admin = signed_in(app, "admin")
    province = admin.get("/province")
    assert province.status_code == 200
    html = province.get_data(as_text=True)
    rows = dict(re.findall(r'<tr data-organization="(\d+)">(.*?)</tr>', html, re.S))
    total_cells = 0
    for ids in (first, second):
        dashboard = admin.get(f"/organizations/{ids['organization']}").get_data(as_text=True)
        expected = dict(re.findall(r'data-total="(\w+)"[^>]*>(\d+)<', dashboard))
        shown = dict(re.findall(r'data-total="(\w+)"[^>]*>(\d+)<', rows[str(ids["organization"])]))
        assert expected and all(shown[key] == value for key, value in expected.items()), (expected, shown)
        total_cells += 3 if ids is first else 2
    assert f'data-count="sealed">{total_cells}<' in html
    with app.app_context():
        assert db.session.scalar(select(db.func.count(Organization.id))) == 2


@pytest.mark.parametrize("role", ["ward", "secretary"])
def test_province_is_for_administrators_only(app, role):  # type: ignore[no-untyped-def]
    ids = add_ward(app, 0, cells=1, size=4)
    scope = {"organization_id": ids["organization"]} if role == "ward" else {"cell_id": ids["cell"]}
    ensure_user(app, role, role, **scope)
    assert signed_in(app, role).get("/province").status_code == 403
    assert app.test_client().get("/province").status_code == 302


def test_importing_a_meeting_sends_as_many_statements_whatever_its_size(app) -> None:  # type: ignore[no-untyped-def]
    """The write path has no query a row: the audit trail finds each row's meeting in the session."""
    from bench.harness import counting_statements
    from review.meeting_store import import_meeting

    counts, reads = {}, {}
    for ward, size in ((60, 10), (61, 40)):
        (mf,) = ward_cells(random.Random(ward), ward, 1, lambda rng, size=size: size)  # type: ignore[misc]
        with counting_statements(app) as counter, app.app_context():
            import_meeting(mf)
            postgresql = db.engine.dialect.name == "postgresql"
        counts[size] = counter.count
        reads[size] = sum(1 for statement in counter.statements if not statement.lstrip().startswith("INSERT"))
    assert reads[10] == reads[40], reads
    if postgresql:  # one INSERT a table (insertmanyvalues; the audit entries by COPY, not counted here)
        assert counts[10] == counts[40], counts
    # SQLite: SQLAlchemy inserts the rows whose ids it needs one by one there (no N+1 of reads, though).
