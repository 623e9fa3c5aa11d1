"""Version counters at the model layer: no lost updates.

Session events, so that no write path can forget them:

- every editable record carries a ``version`` (the mapper's ``version_id_col``, declared by
  ``review.models.Versioned``): bumped on each change, its own columns or the rows it owns (a
  review's feedback, a meeting's guests, a tally's rows). A form carries the version it was
  loaded with; :func:`check_version` refuses a save over a newer one with :class:`Conflict`;
- a form that carries no version, or one that is not a version, is refused like a conflict
  (the page is stale): a save is never let through unchecked.

The sealed tallies' guard is ``review.seal_guard``; the pages answering a conflict no form
caught are ``review.errors``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC
from itertools import chain
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import get_history

from . import clock
from .audit import history_of
from .extensions import db
from .i18n import when_text
from .models import (
    BallotCounter,
    CellDecision,
    CollectiveReview,
    Decision,
    Feedback,
    Guest,
    IndividualReview,
    Meeting,
    Member,
    MemberDecision,
    Participant,
    Tally,
    TallyRow,
    User,
)
from .translatable import N_

VERSIONED = (
    Meeting,
    Participant,
    Guest,
    IndividualReview,
    CollectiveReview,
    Member,
    Tally,
    BallotCounter,
    Decision,
    MemberDecision,
    CellDecision,
)
# Rows a record owns: changing them changes the record (and its version).
OWNED = {Meeting: ("guests",), IndividualReview: ("feedback",), CollectiveReview: ("feedback",), Tally: ("rows",)}
OWNER = {
    Feedback: ("individual_review", "collective_review"),
    TallyRow: ("tally",),
    Guest: ("meeting",),
    # A choice saved changes the decision: an issue form loaded before it is refused.
    MemberDecision: ("decision",),
    CellDecision: ("decision",),
}
BUMPED = "versions_bumped"
VERSION_FIELD = "version"

STALE_PAGE_MESSAGE = N_(
    "Trang đã cũ, hãy tải lại: biểu mẫu không mang phiên bản của nội dung nên chưa lưu gì. "
    "Nội dung hiện tại như dưới đây; hãy xem lại rồi lưu lại."
)
CONFLICT_MESSAGE = N_("{who} đã sửa nội dung này lúc {when}; nội dung hiện tại như dưới đây, hãy xem lại rồi lưu lại.")
STALE_MESSAGE = N_(
    "Nội dung này vừa được người khác sửa cùng lúc: tải lại trang để xem nội dung hiện tại, rồi lưu lại."
)


@dataclass(eq=False)
class Conflict(Exception):
    """A save over a record someone else changed after the form was loaded."""

    message: str
    version: int
    current: list[tuple[str, str]] = field(default_factory=list)  # (label, the other's text)

    def __post_init__(self) -> None:
        # The message is one of the module's marked texts or already translated: shown in the
        # request's language (an already translated text is left as it is).
        self.message = _(self.message)

    def __str__(self) -> str:
        return self.message


def _owner_changes(obj: Any) -> bool:
    return any(get_history(obj, key).has_changes() for key in OWNED.get(type(obj), ()))


@event.listens_for(Session, "before_flush")
def bump_versions(session: Session, flush_context: Any, instances: Any) -> None:
    """Add one to the version of every record changed in this flush, owned rows included."""
    with session.no_autoflush:
        bump: dict[int, Any] = {}
        for obj in session.dirty:
            if isinstance(obj, VERSIONED) and (
                session.is_modified(obj, include_collections=False) or _owner_changes(obj)
            ):
                bump[id(obj)] = obj
        for obj in chain(session.new, session.dirty, session.deleted):
            for key in OWNER.get(type(obj), ()):
                owner = getattr(obj, key, None)
                if owner is not None and owner not in session.new and owner not in session.deleted and owner in session:
                    bump[id(owner)] = owner
        bumped: set[Any] = session.info.setdefault(BUMPED, set())
        for obj in bump.values():
            key = inspect(obj).key  # one step a transaction, however many flushes it takes
            if key in bumped or get_history(obj, VERSION_FIELD).has_changes():
                continue
            obj.version = (obj.version or 0) + 1
            bumped.add(key)


@event.listens_for(Session, "after_transaction_end")
def forget_bumped(session: Session, transaction: Any) -> None:
    """Forget the records bumped when their transaction ends."""
    if transaction.parent is None:
        session.info.pop(BUMPED, None)


def submitted_version(raw: str | None) -> int | None:
    """Return the version a form was loaded with, or None when it carried none or not a number."""
    raw = (raw or "").strip()
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 10 else None


def last_change(table_name: str, row_id: int | None) -> tuple[str, str]:
    """Return who last changed a row and when, in the request's language, from the audit trail."""
    entry = history_of(db.session.connection(), table_name, row_id) if row_id is not None else None
    if entry is None:
        return _("Một người khác"), _("vừa rồi")
    when = when_text(clock.local(entry.at.replace(tzinfo=UTC)), "second")  # stored as naive UTC, shown local
    if entry.actor_id is not None:
        user = db.session.get(User, entry.actor_id)
        name = (user.display_name or user.username) if user is not None else entry.actor
        return _("Đồng chí %(name)s", name=name), when
    return (_("Một người khác (qua dòng lệnh)") if entry.actor == "cli" else _("Một người khác")), when


def check_version(record: Any, raw: str | None, current: Callable[[], list[tuple[str, str]]] = lambda: []) -> None:
    """Refuse to save over ``record`` when it changed after the form was loaded at version ``raw``.

    A record not stored yet is version 0. A form that carried no version, or not a number,
    comes from a stale or forged page: refused too, with the current version to save again.
    ``current`` gives the record's current text, shown beside the user's own.
    """
    loaded = submitted_version(raw)
    stored = 0 if record is None else record.version
    if loaded is None:
        raise Conflict(_(STALE_PAGE_MESSAGE), stored, current())
    if loaded == stored:
        return
    who, when = (
        last_change(record.__table__.name, record.id) if record is not None else (_("Một người khác"), _("vừa rồi"))
    )
    raise Conflict(_(CONFLICT_MESSAGE).format(who=who, when=when), stored, current())


VERSIONS_TOKEN = re.compile(r"none|[0-9]{1,9}:[0-9]{1,9}(,[0-9]{1,9}:[0-9]{1,9})*", re.ASCII)


def versions_token(records: list[Any]) -> str:
    """Return the versions of several records a form saves together, as one hidden value."""
    return ",".join(f"{r.id}:{r.version}" for r in sorted(records, key=lambda r: r.id)) or "none"


def check_versions(
    records: list[Any], raw: str | None, current: Callable[[], list[tuple[str, str]]] = lambda: []
) -> None:
    """Refuse to save a form over several records when any changed after it was loaded.

    ``raw`` is the :func:`versions_token` the form was loaded with; a missing or malformed
    token (a stale or forged page) is refused too, with the current token to save again.
    """
    raw = (raw or "").strip()
    if raw == versions_token(records):
        return
    if not VERSIONS_TOKEN.fullmatch(raw):
        raise VersionsConflict(STALE_PAGE_MESSAGE, 0, current(), versions_token(records))
    loaded = dict(part.split(":", 1) for part in raw.split(",") if part.count(":") == 1)
    changed = [r for r in records if loaded.get(str(r.id)) != str(r.version)]
    latest = max(changed or records, key=lambda r: r.version)
    who, when = last_change(latest.__table__.name, latest.id)
    raise VersionsConflict(_(CONFLICT_MESSAGE).format(who=who, when=when), 0, current(), versions_token(records))


class VersionsConflict(Conflict):
    """A conflict over several records: the form carries their versions as one token."""

    def __init__(self, message: str, version: int, current: list[tuple[str, str]], token: str) -> None:
        super().__init__(message, version, current)
        self.token = token
