"""The page of a meeting's history (nhật ký thay đổi), newest first, from the audit trail."""

from __future__ import annotations

import json
from datetime import UTC, datetime, time, timedelta
from typing import Any

from flask import abort, render_template, request, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy import ColumnElement, and_, func, not_, or_, select
from sqlalchemy.orm import selectinload

from .. import clock
from ..access import may_view_cell, records_required
from ..clock import utc_naive
from ..extensions import db
from ..i18n import translate
from ..models import AuditEntry, Meeting, User
from ..security import query_int
from . import bp
from .forms import FILTER_KEYS, HistoryFilterForm
from .presenters import (
    ACCOUNT_COLUMNS,
    CLOSING_COLUMNS,
    ROLL_CALL_COLUMN,
    ROLL_CALL_TABLES,
    SEAL_CONTEXT,
    SEAL_TABLES,
    TALLY_TABLES,
    Directory,
    Entry,
    Word,
    cards,
    directory_of,
    people_in_log,
)

PAGE = 50  # entries a page
# The tables whose inserts name the rows of the others (see presenters.Directory.note).
NAMING_TABLES = (
    "participant",
    "guest",
    "individual_review",
    "collective_review",
    "feedback",
    "tally",
    "tally_row",
    "ballot_counter",
    "counter_code",
    "seal_approval",
)


@bp.app_template_filter("history_value")
def history_value(value: Any) -> Any:
    """Show a name or a logged value: a :class:`presenters.Word` translated, data as it was logged."""
    return translate(value) if isinstance(value, Word) else value


def local_instant(value: Any) -> Any:
    """Return a logged instant (ISO text with an offset: UTC, since migration 0013) as local ISO text.

    The page shows every logged time on the server's wall clock, as the trail wrote it before
    instants were stored in UTC; a naive time (logged before, or a civil time) is shown as it is.
    """
    if isinstance(value, str) and len(value) >= 19 and value[4] == "-" and value[10] == "T":
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return value
        if moment.utcoffset() is not None:
            return clock.local(moment).isoformat()
    return value


def parsed(text: str | None) -> dict[str, Any]:
    """Return a logged row's JSON with its instants as local ISO text."""
    values = json.loads(text) if text else {}
    return {k: local_instant(v) if k.endswith("_at") else v for k, v in values.items()}


def plain_entry(e: AuditEntry) -> Entry:
    """Return an audit entry as the presenter takes it."""
    return Entry(
        id=e.id,
        at=e.at.replace(tzinfo=UTC),  # stored as naive UTC; the when filter shows it local
        actor_id=e.actor_id,
        actor=e.actor,
        table=e.table_name,
        action=e.action,
        row_id=e.row_id,
        before=parsed(e.before),
        after=parsed(e.after),
        context=e.context,
        hash=e.hash,
    )


def naming_entries(meeting_id: int) -> list[Entry]:
    """Return the entries of the meeting's trail that name its rows (inserts and updates, oldest first)."""
    rows = db.session.execute(
        select(AuditEntry.id, AuditEntry.table_name, AuditEntry.row_id, AuditEntry.after)
        .where(
            AuditEntry.meeting_id == meeting_id,
            AuditEntry.table_name.in_(NAMING_TABLES),
            AuditEntry.action != "delete",
        )
        .order_by(AuditEntry.id)
    )
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    return [
        Entry(
            id=i,
            at=epoch,
            actor_id=None,
            actor="",
            table=t,
            action="",
            row_id=r,
            before={},
            after=json.loads(a or "{}"),
        )
        for i, t, r, a in rows
    ]


def accounts_named(ids: set[int]) -> dict[int, tuple[str, int | None]]:
    """Return (person name, linked member) of the accounts ``ids`` (one query with their members)."""
    if not ids:
        return {}
    users = db.session.scalars(select(User).where(User.id.in_(ids)).options(selectinload(User.member)))
    return {u.id: (u.person_name, u.member_id) for u in users}


def step_condition(step: str, directory: Directory) -> ColumnElement[bool]:
    """Return the SQL condition of the entries :func:`presenters.step_of` puts in ``step``."""
    entry = AuditEntry
    sealing = entry.context == SEAL_CONTEXT
    not_sealing = or_(entry.context.is_(None), entry.context != SEAL_CONTEXT)
    meeting_update = and_(entry.table_name == "meeting", entry.action == "update")
    roll_call = and_(meeting_update, entry.after.contains(f'"{ROLL_CALL_COLUMN}":'))
    closing = and_(
        meeting_update,
        not_(entry.after.contains(f'"{ROLL_CALL_COLUMN}":')),
        or_(*(entry.after.contains(f'"{c}":') for c in CLOSING_COLUMNS)),
    )
    collective_feedback = [i for i, (kind, _) in directory.feedback.items() if kind == "collective"]
    feedback = entry.table_name == "feedback"
    known = ROLL_CALL_TABLES | TALLY_TABLES | SEAL_TABLES | {"collective_review", "individual_review", "feedback"}
    conditions: dict[str, ColumnElement[bool]] = {
        "seal": or_(sealing, entry.table_name.in_(SEAL_TABLES)),
        "roll_call": or_(entry.table_name.in_(ROLL_CALL_TABLES), roll_call),
        "collective": or_(
            entry.table_name == "collective_review", and_(feedback, entry.row_id.in_(collective_feedback))
        ),
        "individual": or_(
            entry.table_name == "individual_review",
            and_(feedback, or_(entry.row_id.is_(None), entry.row_id.not_in(collective_feedback))),
        ),
        "tally": entry.table_name.in_(TALLY_TABLES),
        "closing": closing,
        "other": and_(entry.table_name.not_in(known), not_(roll_call), not_(closing)),
    }
    if step == "seal":
        return conditions["seal"]
    return and_(not_sealing, entry.table_name.not_in(SEAL_TABLES), conditions[step])


def history_view(trail_id: int, endpoint: str, **url_args: Any) -> tuple[dict[str, Any], int]:
    """Gather one page of the meeting's history as cards, with its filter form and its pager.

    The entries are filtered and paged in SQL (``PAGE`` a page, newest first); the cards name
    everyone from the meeting's own trail, so it reads the trail only: the meeting's row may be
    gone (a meeting replaced by an uploaded file keeps its entries under its id). Returns the
    template's values and the status (422 when the filter has a bad value).
    """
    before_id = query_int("before")
    if before_id is None and "before" in request.args:
        abort(404)  # no entry has that id (2^31 and more, or not a number): as a wrong id in the path
    directory_entries = naming_entries(trail_id)
    actors: list[tuple[int | None, str]] = [
        (actor_id, actor)
        for actor_id, actor in db.session.execute(
            select(AuditEntry.actor_id, AuditEntry.actor).where(AuditEntry.meeting_id == trail_id).distinct()
        )
    ]
    account_ids = {a for a, _ in actors if a is not None}
    account_ids |= {
        v
        for e in directory_entries
        for k, v in e.after.items()
        if k in ("user_id", "issued_by_id", "account_id") and isinstance(v, int)
    }
    directory = directory_of(directory_entries, accounts_named(account_ids))
    filtering = any(k in request.args for k in FILTER_KEYS)
    # The words among the names translated, then sorted again by name (the same order in Vietnamese).
    people = sorted(
        ((value, history_value(name)) for value, name in people_in_log(actors, directory)),
        key=lambda choice: (choice[1].casefold(), choice[0]),
    )
    form = HistoryFilterForm(request.args if filtering else None, people=people)
    valid = form.validate() if filtering else True

    conditions: list[ColumnElement[bool]] = [AuditEntry.meeting_id == trail_id]
    if before_id is not None:
        conditions.append(AuditEntry.id < before_id)
    if filtering and valid:
        if form.who.data:
            who = form.who.data
            conditions.append(
                AuditEntry.actor_id == int(who)
                if who.isdigit()
                else and_(AuditEntry.actor_id.is_(None), AuditEntry.actor == who)
            )
        if form.step.data:
            conditions.append(step_condition(form.step.data, directory))
        since, until = form.day("since"), form.day("until")
        if since is not None:
            conditions.append(AuditEntry.at >= utc_naive(datetime.combine(since, time()).astimezone()))
        if until is not None:
            next_day = datetime.combine(until + timedelta(days=1), time()).astimezone()
            conditions.append(AuditEntry.at < utc_naive(next_day))
    total = db.session.scalar(select(func.count()).select_from(AuditEntry).where(*conditions)) or 0
    pages = max(1, -(-total // PAGE))
    page = query_int("page", 1, pages) or 1
    found = list(
        db.session.scalars(
            select(AuditEntry).where(*conditions).order_by(AuditEntry.id.desc()).limit(PAGE).offset((page - 1) * PAGE)
        )
    )
    entries = [plain_entry(e) for e in found]
    missing = {
        v
        for e in entries
        for k, v in (*e.before.items(), *e.after.items())
        if k in ACCOUNT_COLUMNS and isinstance(v, int)
    } - set(directory.accounts)
    for account_id, (name, member_id) in accounts_named(missing).items():
        directory.accounts[account_id] = directory.members.get(member_id, name) if member_id is not None else name
    kept = {k: request.args[k] for k in (*FILTER_KEYS, "before") if request.args.get(k)}

    def page_url(number: int) -> str:
        return url_for(endpoint, **url_args, **kept, page=number)

    values = {
        "cards": cards(entries, directory),
        "form": form,
        "total": total,
        "page": page,
        "pages": pages,
        "newer_url": page_url(page - 1) if page > 1 else None,
        "older_url": page_url(page + 1) if page < pages else None,
        "filtered": filtering and valid and any(request.args.get(k) for k in FILTER_KEYS),
        "reset_url": url_for(endpoint, **url_args),
    }
    return values, (422 if form.errors else 200)


@bp.route("/meetings/<int:meeting_id>/history")
@records_required
def meeting(meeting_id: int) -> ResponseReturnValue:
    """Show who changed what in the meeting's record, and when, by step and by person, newest first."""
    found = db.session.get(Meeting, meeting_id)
    if found is None or not may_view_cell(found.cell):
        abort(404)
    values, status = history_view(meeting_id, "history.meeting", meeting_id=meeting_id)
    return render_template("history/meeting.html", meeting=found, **values), status
