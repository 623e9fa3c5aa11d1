"""The navigation bar: each account's tasks, as plain data for base.html.

The candidates are each role's pages; a link is offered only when the policy lets the account
follow it (``access.may_follow``: the endpoint's GET permission in ``access.ENDPOINTS``). The
template receives what it may show (labels, URLs, which one is the current page) and never asks
``current_user`` itself. Registered once, as a context processor, in the application factory.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, has_request_context, request, url_for
from flask_login import current_user
from sqlalchemy import select

from .access import may_follow
from .extensions import db
from .i18n import translate
from .layout import STEPS
from .models import BallotCounter, Meeting, Organization, ReviewYear, Role
from .translatable import msg
from .vocabulary import TASK_LABELS

# The change-password page (built apart): offered once the application has it.
PASSWORD_ENDPOINT = "auth.password"


@dataclass(frozen=True)
class MenuItem:
    """One link of the bar: its words, where it leads, whether it is the page being shown."""

    label: str
    url: str
    # aria-current: "page" on the link to the page shown, "true" on the section it is a page of
    # (the meeting's link on each of its steps); None elsewhere.
    current: str | None = None


@dataclass(frozen=True)
class Menu:
    """What the bar shows a signed-in account: its tasks, who is signed in, the sign-out form."""

    items: tuple[MenuItem, ...]
    who: str
    role: str


@dataclass(frozen=True)
class _Link:
    label: str
    endpoint: str
    values: dict[str, Any]
    objects: dict[str, Any]
    anchor: str = ""
    section: frozenset[str] = frozenset()  # the endpoints (of the same object) it is the section of


# The pages of a meeting's steps, the section of the secretary's "Hội nghị" link (it leads to the
# first step not yet recorded).
MEETING_SECTION = frozenset(
    {step.endpoint for step in STEPS}
    | {"meeting.overview", "reviews.individual", "roster.flags", "counting.committee", "counting.compare"}
)


@dataclass(frozen=True)
class Here:
    """The page being shown: its path, endpoint and URL values."""

    path: str = ""
    endpoint: str | None = None
    values: dict[str, Any] = field(default_factory=dict)

    def within(self, link: _Link) -> bool:
        """Return whether the page is one of the link's section (same endpoint family, same object)."""
        return self.endpoint in link.section and all(self.values.get(k) == v for k, v in link.values.items())


def _newest_meeting(cell_id: int) -> Meeting | None:
    """Return the cell's meeting of the newest review year (the one the secretary works on)."""
    query = (
        select(Meeting)
        .join(Meeting.review_year)
        .where(Meeting.cell_id == cell_id)
        .order_by(ReviewYear.year.desc())
        .limit(1)
    )
    return db.session.scalar(query)


def _counted_meeting(user: Any) -> Meeting | None:
    """Return the meeting a counter counts: the code's meeting, or the newest whose committee they sit on."""
    if user.meeting_id is not None:
        return db.session.get(Meeting, user.meeting_id)
    if user.member_id is None or user.cell_id is None:
        return None
    query = (
        select(Meeting)
        .join(Meeting.review_year)
        .join(BallotCounter, BallotCounter.meeting_id == Meeting.id)
        .where(Meeting.cell_id == user.cell_id, BallotCounter.member_id == user.member_id)
        .order_by(ReviewYear.year.desc())
        .limit(1)
    )
    return db.session.scalar(query)


def _role_links(user: Any, here: Here) -> Iterator[_Link]:
    """Yield the candidate links of the account's role (the policy then keeps those it may follow)."""
    role = user.role
    if role is Role.ADMIN:
        yield _Link(TASK_LABELS["province.index"], "province.index", {}, {})
        # One link to the index of the organisations (however many there are): each row leads
        # to its dashboard and its cells.
        yield _Link(TASK_LABELS["admin.organizations"], "admin.organizations", {}, {})
        # On a page of one organisation (its dashboard, rules, cells...), that one's cells, accounts, files.
        organization_id = here.values.get("organization_id")
        if isinstance(organization_id, int) and db.session.get(Organization, organization_id) is not None:
            ids = {"organization_id": organization_id}
            yield _Link(TASK_LABELS["ward.cells"], "ward.cells", ids, ids)
            yield _Link(
                TASK_LABELS["ward.decision_index"],
                "ward.decision_index",
                ids,
                ids,
                section=frozenset({"ward.decision"}),
            )
            yield _Link(TASK_LABELS["accounts.organization"], "accounts.organization", ids, ids)
            yield _Link(TASK_LABELS["ward.meeting_files"], "ward.meeting_files", ids, ids)
    elif role is Role.WARD and user.organization_id is not None:
        ids = {"organization_id": user.organization_id}
        yield _Link(TASK_LABELS["ward.dashboard"], "ward.dashboard", ids, ids)
        yield _Link(TASK_LABELS["ward.cells"], "ward.cells", ids, ids)
        yield _Link(TASK_LABELS["ward.rules_index"], "ward.rules_index", ids, ids)
        yield _Link(
            TASK_LABELS["ward.decision_index"], "ward.decision_index", ids, ids, section=frozenset({"ward.decision"})
        )
        yield _Link(TASK_LABELS["ward.export"], "ward.dashboard", ids, ids, anchor="export-title")
        yield _Link(TASK_LABELS["accounts.organization"], "accounts.organization", ids, ids)
        yield _Link(TASK_LABELS["ward.meeting_files"], "ward.meeting_files", ids, ids)
    elif role is Role.SECRETARY and user.cell_id is not None:
        cell = {"cell_id": user.cell_id}
        meeting = _newest_meeting(user.cell_id)
        if meeting is None:
            yield _Link(TASK_LABELS["meeting.new"], "meeting.new", cell, cell)
        else:
            ids = {"meeting_id": meeting.id}
            yield _Link(
                msg("Hội nghị năm {year}", year=meeting.review_year.year),
                "meeting.overview",
                ids,
                {"meeting": meeting},
                section=MEETING_SECTION,
            )
        yield _Link(TASK_LABELS["roster.members"], "roster.members", cell, cell)
        if meeting is not None:
            yield _Link(TASK_LABELS["results.results"], "results.results", ids, {"meeting": meeting})
        yield _Link(TASK_LABELS["accounts.cell"], "accounts.cell", cell, cell)
    elif role is Role.COUNTER:
        meeting = _counted_meeting(user)
        if meeting is not None:
            ids = {"meeting_id": meeting.id}
            yield _Link(TASK_LABELS["counting.tally"], "counting.tally", ids, {"meeting": meeting})
            yield _Link(TASK_LABELS["results.results"], "results.results", ids, {"meeting": meeting})


def _links(user: Any, here: Here) -> Iterator[_Link]:
    yield _Link(TASK_LABELS["main.index"], "main.index", {}, {})
    yield from _role_links(user, here)
    # Every account with a password of its own (the policy's own_password: not a one-time code).
    yield _Link(TASK_LABELS[PASSWORD_ENDPOINT], PASSWORD_ENDPOINT, {}, {})


def menu_for(user: Any, here: Here | None = None) -> Menu | None:
    """Return the bar of ``user`` (None when not signed in); ``here``, the page shown, is marked."""
    if not getattr(user, "is_authenticated", False):
        return None
    here = here or Here()
    followed = [link for link in _links(user, here) if may_follow(link.endpoint, user, **link.objects)]
    urls = [url_for(link.endpoint, **link.values) for link in followed]
    on_page = any(url == here.path and not link.anchor for link, url in zip(followed, urls, strict=True))
    items = []
    for link, url in zip(followed, urls, strict=True):
        current = None
        if on_page and url == here.path and not link.anchor:
            current = "page"
        elif not on_page and here.within(link):
            current = "true"
        items.append(
            MenuItem(str(translate(link.label, "menu")), url + (f"#{link.anchor}" if link.anchor else ""), current)
        )
    who = user.person_name
    # The role after the name, unless the name is the role's (the administrator's account "Quản trị hệ thống"):
    # then the name is the role's, in the page's language.
    if user.role_label == who:
        return Menu(tuple(items), str(translate(who)), "")
    return Menu(tuple(items), who, str(translate(user.role_label)))


def no_menu() -> None:
    """Stand for the bar where a page must send no query for it (a server error's page)."""
    return None


def register_menu(app: Flask) -> None:
    """Give every template ``menu()``: the signed-in account's bar, or None.

    A function, asked by base.html only: a page that shows no bar sends no query for it, and the
    error page of a server error (review/errors.py) passes :func:`no_menu` instead.
    """

    def current_menu() -> Menu | None:
        if not has_request_context():
            return None
        return menu_for(current_user, Here(request.path, request.endpoint, dict(request.view_args or {})))

    @app.context_processor
    def inject_menu() -> dict[str, Any]:
        return {"menu": current_menu}
