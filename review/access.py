"""Who may reach what: one declarative policy every view asks; another cell's data is a 404.

The policy has three parts, read from top to bottom:

- :class:`Relation`: how an account stands to the object a page is about (the cell, its
  meeting, the organisation): its administrator, its ward, its secretary, a counter of the
  meeting, the committee's chief; :data:`HOLDS` has each one's predicate.
- :data:`PERMISSIONS`: each named permission and the relations that grant it.
- :data:`ENDPOINTS`: each route (endpoint and method) and the permission it asks.

A view asks through the helpers below (``permission_required`` for the account's role, 403;
``allows`` / the ``*_meeting`` loaders for the object, 404 so nothing of another cell leaks).
tests/test_access_table.py reads ``ENDPOINTS`` and ``PERMISSIONS`` and checks every route
for every kind of user against them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import wraps
from typing import Any, TypeVar

from flask import abort
from flask_login import current_user, login_required

from .counting import counts_for, is_chief
from .extensions import db
from .meeting_store import load_meeting
from .models import Cell, ExportJob, Meeting, MeetingUpload, Member, Organization, Participant, Role, User

F = TypeVar("F", bound=Callable[..., Any])


class Relation(StrEnum):
    """How an account stands to the object of a page."""

    ADMIN = "admin"  # a system administrator: every cell
    WARD = "ward"  # the ward committee of the object's organisation
    SECRETARY = "secretary"  # the secretary of the object's cell (or the minute-taker on that account)
    COUNTER = "counter"  # a counter of the meeting: own account or one-time code
    CHIEF = "chief"  # the chief of the meeting's counting committee


# The role an account holds to stand in each relation.
RELATION_ROLES: dict[Relation, Role] = {
    Relation.ADMIN: Role.ADMIN,
    Relation.WARD: Role.WARD,
    Relation.SECRETARY: Role.SECRETARY,
    Relation.COUNTER: Role.COUNTER,
    Relation.CHIEF: Role.COUNTER,
}


@dataclass(frozen=True)
class Permission:
    """A named permission: who holds it (``public``: anyone, signed in or not; ``any_account``: every
    account; ``password_account``: every account that signs in with a password of its own, not a
    one-time-code counter account, ``User.meeting_id``).
    """

    name: str
    what: str
    relations: frozenset[Relation] = frozenset()
    public: bool = False
    any_account: bool = False
    password_account: bool = False

    @property
    def roles(self) -> tuple[Role, ...]:
        """Return the roles that may hold the permission, in the order of ``Role``."""
        if self.public or self.any_account or self.password_account:
            return tuple(Role)
        held = {RELATION_ROLES[r] for r in self.relations}
        return tuple(role for role in Role if role in held)


def _permission(
    name: str,
    what: str,
    *relations: Relation,
    public: bool = False,
    any_account: bool = False,
    password_account: bool = False,
) -> Permission:
    return Permission(name, what, frozenset(relations), public, any_account, password_account)


A, W, S, C, CH = Relation.ADMIN, Relation.WARD, Relation.SECRETARY, Relation.COUNTER, Relation.CHIEF

PUBLIC = _permission("public", "Public pages: signing in, with a password or a one-time code", public=True)
SIGNED_IN = _permission("signed_in", "Pages about the account itself: the home page, signing out", any_account=True)
OWN_PASSWORD = _permission(
    "own_password",
    "Change the account's own password (not a one-time-code account: it has none)",
    password_account=True,
)
EDIT_CELL = _permission("edit_cell", "Record the cell's meeting and keep its roster", A, S)
COUNT = _permission("count", "Type a tally entry (only the committee types the tallies)", C)
COMPARE = _permission("compare", "Compare the two tally entries", A, S, C)
READ_RESULTS = _permission("read_results", "Read the results and the seal (the ward reads only)", A, S, W, C)
SEAL = _permission("seal", "Approve the seal and reopen it: the secretary and the chief counter", A, S, CH)
READ_RECORDS = _permission("read_records", "Read the meeting's documents and history", A, W, S)
READ_COUNTING_PAPERS = _permission("read_counting_papers", "Print the ballot paper and the tally sheet", A, W, S, C)
READ_COUNT_MINUTES = _permission(
    "read_count_minutes",
    "Read the vote-count minutes: the cell's records, and the chief counter who signs them",
    A,
    W,
    S,
    CH,
)
WARD_PAGES = _permission("ward_pages", "The organisation's dashboard and exports", A, W)
SET_RULES = _permission("set_rules", "Set the rules of the organisation's review years", A, W)
IMPORT_MEETINGS = _permission(
    "import_meetings",
    "Upload meeting files into the organisation's cells (replacing a meeting not sealed, with a reason); their history",
    A,
    W,
)
PROVINCE = _permission("province", "The province's totals (there is no province role)", A)
MANAGE_ACCOUNTS = _permission(
    "manage_accounts", "The organisation's accounts: create, disable, enable, new set-password links", A, W
)
MANAGE_CELL_ACCOUNTS = _permission(
    "manage_cell_accounts",
    "A cell's accounts (its secretary: the cell's counter accounts only; see managed_account)",
    A,
    W,
    S,
)
MANAGE_ORGANIZATIONS = _permission(
    "manage_organizations", "Create, rename, archive and restore the ward organisations", A
)
MANAGE_CELLS = _permission("manage_cells", "Create, rename, archive and restore the organisation's cells", A, W)
DECIDE = _permission("decide", "The committee's decision: decide levels, issue, reopen, its documents", A, W)

PERMISSIONS: dict[str, Permission] = {
    p.name: p
    for p in (
        PUBLIC,
        SIGNED_IN,
        OWN_PASSWORD,
        EDIT_CELL,
        COUNT,
        COMPARE,
        READ_RESULTS,
        SEAL,
        READ_RECORDS,
        READ_COUNTING_PAPERS,
        READ_COUNT_MINUTES,
        WARD_PAGES,
        SET_RULES,
        DECIDE,
        IMPORT_MEETINGS,
        PROVINCE,
        MANAGE_ACCOUNTS,
        MANAGE_CELL_ACCOUNTS,
        MANAGE_ORGANIZATIONS,
        MANAGE_CELLS,
    )
}

# The documents the counters print for the vote (a counter reaches these, not the minutes).
COUNTING_PAPERS = ("ballot-paper", "tally-sheet")

# Each of a meeting's documents (review.documents.DOCUMENTS, documents/<key>.pdf and .docx) and the
# permission that reads it: the minutes are the cell's records; the vote-count minutes also
# reach the chief counter, who signs them; the counting papers every counter of the meeting.
DOCUMENT_PERMISSIONS: dict[str, Permission] = {
    "minutes": READ_RECORDS,
    "count-minutes": READ_COUNT_MINUTES,
    "ballot-paper": READ_COUNTING_PAPERS,
    "tally-sheet": READ_COUNTING_PAPERS,
    # Two ballots (SPEC 5.8): ballot 2's paper, read like the ballot paper; only a two-ballot
    # meeting whose ballot 1 is counted has it (review.documents.available).
    "ballot-paper-2": READ_COUNTING_PAPERS,
}

# endpoint -> method -> the permission it asks. A route missing here fails tests/test_access_table.py.
ENDPOINTS: dict[str, dict[str, str]] = {
    "static": {"GET": "public"},
    "auth.login": {"GET": "public", "POST": "public"},  # signed in: sent on to the home page
    "auth.logout": {"POST": "signed_in"},
    "auth.password": {"GET": "own_password", "POST": "own_password"},
    # A one-time set-password link (the token is the key; a bad one gets one answer, 410)
    "auth.set_password": {"GET": "public", "POST": "public"},
    "main.index": {"GET": "signed_in"},
    "health.healthz": {"GET": "public"},  # the load balancer's check: no data
    "main.language": {"POST": "public"},  # the language switch: a cookie, and the account's choice
    # The counters' pages
    "counting.code_login": {"GET": "public", "POST": "public"},
    "counting.committee": {"GET": "edit_cell", "POST": "edit_cell"},
    "counting.issue_code": {"POST": "edit_cell"},
    "counting.revoke_code": {"POST": "edit_cell"},
    "counting.tally": {"GET": "count", "POST": "count"},
    "counting.tally_check": {"POST": "count"},
    "counting.compare": {"GET": "compare"},
    # The secretary's record of the meeting
    "meeting.new": {"GET": "edit_cell", "POST": "edit_cell"},
    "meeting.overview": {"GET": "edit_cell"},
    "meeting.opening": {"GET": "edit_cell", "POST": "edit_cell"},
    "meeting.roll_call": {"GET": "edit_cell", "POST": "edit_cell"},
    "meeting.roll_call_figures": {"POST": "edit_cell"},
    "meeting.ballot": {"GET": "edit_cell"},
    "meeting.closing": {"GET": "edit_cell", "POST": "edit_cell"},
    # The meeting file (SPEC 8) as `meeting export` writes it: the secretary carries it, the ward keeps it
    "meeting.download_file": {"GET": "read_records"},
    "reviews.collective": {"GET": "edit_cell", "POST": "edit_cell"},
    "reviews.individual_list": {"GET": "edit_cell"},
    "reviews.individual": {"GET": "edit_cell", "POST": "edit_cell"},
    "roster.members": {"GET": "edit_cell"},
    "roster.new_member": {"GET": "edit_cell", "POST": "edit_cell"},
    "roster.edit_member": {"GET": "edit_cell", "POST": "edit_cell"},
    "roster.retire_member": {"GET": "edit_cell", "POST": "edit_cell"},
    "roster.flags": {"GET": "edit_cell", "POST": "edit_cell"},
    "roster.member_history_page": {"GET": "read_records"},
    "roster.import_roster": {"GET": "edit_cell", "POST": "edit_cell"},
    "roster.confirm_roster_import": {"POST": "edit_cell"},
    "roster.roster_template": {"GET": "edit_cell"},
    "roster.export_roster": {"GET": "edit_cell"},
    # Results and seal
    "results.results": {"GET": "read_results"},
    "results.approve": {"POST": "seal"},
    "results.reopen": {"POST": "seal"},
    # The ward committee's pages
    "ward.rules_index": {"GET": "set_rules"},
    "ward.rules": {"GET": "set_rules", "POST": "set_rules"},
    "ward.dashboard": {"GET": "ward_pages"},
    # The committee's decision (SPEC 9): the page, each choice, the allowance, issuing and reopening
    "ward.decision_index": {"GET": "decide"},
    "ward.decision": {"GET": "decide"},
    "ward.decision_member": {"POST": "decide"},
    "ward.decision_cell": {"POST": "decide"},
    "ward.decision_not_reviewed": {"POST": "decide"},
    "ward.decision_allowance": {"POST": "decide"},
    "ward.decision_issue": {"POST": "decide"},
    "ward.decision_reopen": {"POST": "decide"},
    "ward.decision_preview": {"GET": "decide"},
    # Every document has one URL (documents/<key>.pdf); each key asks its own permission
    # (DOCUMENT_PERMISSIONS; this line is the minutes'): may_read_document
    "ward.document": {"GET": "read_records"},
    "ward.document_docx": {"GET": "read_records"},  # the same readers as the PDF
    "ward.start_export": {"POST": "ward_pages"},
    "ward.export_status": {"GET": "ward_pages"},
    "ward.export_progress": {"GET": "ward_pages"},
    "ward.export_download": {"GET": "ward_pages"},
    # Meeting files uploaded by the ward: check, preview, confirm; the history and the replaced files
    "ward.meeting_files": {"GET": "import_meetings", "POST": "import_meetings"},
    "ward.confirm_meeting_file": {"POST": "import_meetings"},
    "ward.replaced_meeting_file": {"GET": "import_meetings"},
    "ward.replaced_meeting_history": {"GET": "import_meetings"},  # the replaced meeting's audit trail
    # A meeting's history (the audit trail)
    "history.meeting": {"GET": "read_records"},
    "province.index": {"GET": "province"},
    # Accounts: the organisation's (its ward, an admin) and a cell's (also its secretary); the
    # actions on one account ask manage_cell_accounts, and managed_account says whose
    "accounts.organization": {"GET": "manage_accounts"},
    "accounts.new_in_organization": {"GET": "manage_accounts", "POST": "manage_accounts"},
    "accounts.cell": {"GET": "manage_cell_accounts"},
    "accounts.new_in_cell": {"GET": "manage_cell_accounts", "POST": "manage_cell_accounts"},
    "accounts.disable": {"POST": "manage_cell_accounts"},
    "accounts.enable": {"POST": "manage_cell_accounts"},
    "accounts.new_link": {"POST": "manage_cell_accounts"},
    "accounts.member": {"GET": "manage_cell_accounts", "POST": "manage_cell_accounts"},
    # The administrator's ward organisations
    "admin.organizations": {"GET": "manage_organizations"},
    "admin.new_organization": {"GET": "manage_organizations", "POST": "manage_organizations"},
    "admin.edit_organization": {"GET": "manage_organizations", "POST": "manage_organizations"},
    "admin.archive_organization": {"GET": "manage_organizations", "POST": "manage_organizations"},
    "admin.restore_organization": {"POST": "manage_organizations"},
    # The organisation's cells (its ward, an admin)
    "ward.cells": {"GET": "manage_cells"},
    "ward.new_cell": {"GET": "manage_cells", "POST": "manage_cells"},
    "ward.edit_cell": {"GET": "manage_cells", "POST": "manage_cells"},
    "ward.archive_cell": {"GET": "manage_cells", "POST": "manage_cells"},
    "ward.restore_cell": {"POST": "manage_cells"},
    # The committee's decision: its documents (drafts before issuing)
    "ward.decision_document": {"GET": "decide"},
    "ward.decision_document_docx": {"GET": "decide"},
    "ward.decision_summary_xlsx": {"GET": "decide"},
}


# ---------------------------------------------------------------------------
# The predicates


@dataclass(frozen=True)
class Target:
    """What a page is about: a meeting, a cell (or its id), or an organisation's id.

    Its ids are read only when a predicate needs them, so asking costs no query a view
    did not already make.
    """

    meeting: Meeting | None = None
    cell: Cell | None = None
    cell_id: int | None = None
    organization_id: int | None = None

    def the_cell_id(self) -> int | None:
        if self.cell_id is not None:
            return self.cell_id
        if self.cell is not None:
            return self.cell.id
        return self.meeting.cell_id if self.meeting is not None else None

    def the_organization_id(self) -> int | None:
        if self.organization_id is not None:
            return self.organization_id
        cell = self.cell if self.cell is not None else (self.meeting.cell if self.meeting is not None else None)
        return cell.organization_id if cell is not None else None


def _is_admin(user: Any, target: Target) -> bool:
    return user.role is Role.ADMIN


def _is_ward(user: Any, target: Target) -> bool:
    if user.role is not Role.WARD:
        return False
    organization_id = target.the_organization_id()
    return organization_id is not None and user.organization_id == organization_id


def _is_secretary(user: Any, target: Target) -> bool:
    if user.role is not Role.SECRETARY:
        return False
    cell_id = target.the_cell_id()
    return cell_id is not None and user.cell_id == cell_id


def _is_counter(user: Any, target: Target) -> bool:
    return user.role is Role.COUNTER and target.meeting is not None and counts_for(user, target.meeting)


def _is_chief(user: Any, target: Target) -> bool:
    return user.role is Role.COUNTER and target.meeting is not None and is_chief(user, target.meeting)


# Each relation's predicate: the account, the object of the page.
HOLDS: dict[Relation, Callable[[Any, Target], bool]] = {
    Relation.ADMIN: _is_admin,
    Relation.WARD: _is_ward,
    Relation.SECRETARY: _is_secretary,
    Relation.COUNTER: _is_counter,
    Relation.CHIEF: _is_chief,
}


def holds(relation: Relation, user: Any = None, **objects: Any) -> bool:
    """Return whether ``user`` (the signed-in user by default) stands in ``relation`` to the objects."""
    user = current_user if user is None else user
    if not getattr(user, "is_authenticated", False):
        return False
    return HOLDS[relation](user, Target(**objects))


def relations(user: Any = None, **objects: Any) -> frozenset[Relation]:
    """Return every relation in which ``user`` stands to a meeting, a cell or an organisation."""
    return frozenset(r for r in Relation if holds(r, user, **objects))


def allows(permission: Permission, user: Any = None, **objects: Any) -> bool:
    """Return whether ``user`` (the signed-in user by default) holds ``permission`` on the objects."""
    user = current_user if user is None else user
    if permission.public:
        return True
    if permission.any_account:
        return bool(getattr(user, "is_authenticated", False))
    if permission.password_account:
        return bool(getattr(user, "is_authenticated", False)) and has_own_password(user)
    return any(holds(r, user, **objects) for r in Relation if r in permission.relations)


def has_own_password(user: Any) -> bool:
    """Return whether the account signs in with a password of its own (a one-time-code account has none)."""
    return getattr(user, "meeting_id", None) is None


def permission_required(permission: Permission) -> Callable[[F], F]:
    """Let through only signed-in users whose role may hold ``permission``; others get 403.

    A ``password_account`` permission refuses a one-time-code account (403) too. The object
    itself is checked in the view (a 404 for anyone else's).
    """
    by_role = roles_required(*permission.roles)
    if not permission.password_account:
        return by_role

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not has_own_password(current_user):
                abort(403)
            return view(*args, **kwargs)

        return by_role(wrapped)  # type: ignore[arg-type]

    return decorate


def roles_required(*roles: Role) -> Callable[[F], F]:
    """Let only signed-in users with one of ``roles`` through; others get 403."""

    def decorate(view: F) -> F:
        @wraps(view)
        @login_required
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorate


# The secretary (or the minute-taker on the secretary's account) records the meeting; an
# administrator may help any cell.
secretary_required = permission_required(EDIT_CELL)
ward_required = permission_required(WARD_PAGES)
province_required = permission_required(PROVINCE)
import_required = permission_required(IMPORT_MEETINGS)
records_required = permission_required(READ_RECORDS)
decide_required = permission_required(DECIDE)


def may_edit_cell(cell_id: int) -> bool:
    """Return whether the signed-in user may change the cell's records."""
    return allows(EDIT_CELL, cell_id=cell_id)


def may_view_cell(cell: Cell) -> bool:
    """Return whether the signed-in user may read the cell's records (documents, history)."""
    return allows(READ_RECORDS, cell=cell)


def editable_cell(cell_id: int) -> Cell:
    """Return the cell if the user may change it; 404 otherwise, so nothing leaks."""
    cell = db.session.get(Cell, cell_id)
    if cell is None or not allows(EDIT_CELL, cell=cell):
        abort(404)
    return cell


def editable_meeting(meeting_id: int) -> Meeting:
    """Return the meeting if the user may change it; 404 otherwise."""
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None or not allows(EDIT_CELL, cell_id=meeting.cell_id):
        abort(404)
    return meeting


def editable_member(member_id: int) -> Member:
    """Return the roster member if the user may change them; 404 otherwise."""
    member = db.session.get(Member, member_id)
    if member is None or not allows(EDIT_CELL, cell_id=member.cell_id):
        abort(404)
    return member


def meeting_participant(meeting: Meeting, participant_id: int) -> Participant:
    """Return a participant of ``meeting``; 404 for anyone else's."""
    participant = db.session.get(Participant, participant_id)
    if participant is None or participant.meeting_id != meeting.id:
        abort(404)
    return participant


# ---------------------------------------------------------------------------
# The counters' pages


def counted_meeting(meeting_id: int) -> Meeting:
    """Return the meeting if the signed-in user counts its ballots; 404 for everyone else."""
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None or not allows(COUNT, meeting=meeting):
        abort(404)
    return meeting


def compared_meeting(meeting_id: int) -> Meeting:
    """Return the meeting for its counters and its cell's secretary (or an admin); 404 otherwise."""
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None or not allows(COMPARE, meeting=meeting):
        abort(404)
    return meeting


# ---------------------------------------------------------------------------
# The results and the documents: how the user sees the meeting

SECRETARY, COUNTER, WARD = "secretary", "counter", "ward"


def viewer_of(meeting: Meeting) -> str | None:
    """Return how the signed-in user reads a meeting (READ_RESULTS): as its ward, as its secretary
    (an administrator too), as a counter; None for anyone else.
    """
    if holds(Relation.WARD, meeting=meeting):
        return WARD
    if holds(Relation.ADMIN, meeting=meeting) or holds(Relation.SECRETARY, meeting=meeting):
        return SECRETARY
    if holds(Relation.COUNTER, meeting=meeting):
        return COUNTER
    return None


def viewed_meeting(meeting_id: int) -> tuple[Meeting, str]:
    """Return the meeting and how the signed-in user sees it: ``secretary``, ``counter`` or ``ward``
    (read only). Anyone else gets a 404, so nothing of another cell leaks.
    """
    meeting = load_meeting(meeting_id)
    if meeting is None:
        abort(404)
    viewer = viewer_of(meeting)
    if viewer is None:
        abort(404)
    return meeting, viewer


def seal_role(meeting: Meeting, viewer: str) -> str | None:
    """Return the role in which the user approves a seal (SEAL): the chief counter, the secretary, or none."""
    if viewer == COUNTER and holds(Relation.CHIEF, meeting=meeting):
        return "chief"
    if viewer == SECRETARY:
        return "secretary"
    return None


def may_reopen(meeting: Meeting, viewer: str) -> bool:
    """Return whether the user may reopen the seal (SEAL): the secretary (or an admin), or the chief counter."""
    return seal_role(meeting, viewer) is not None


def may_print(viewer: str) -> bool:
    """Return whether the results page offers the counting papers to print: its secretary and counters."""
    return viewer in (SECRETARY, COUNTER)


def may_set_rules_of(meeting: Meeting) -> bool:
    """Return whether the user may set the rules of the meeting's year (SET_RULES)."""
    return allows(SET_RULES, organization_id=meeting.cell.organization_id)


def may_read_document(user: Any, meeting: Meeting, key: str) -> bool:
    """Return whether ``user`` (the signed-in user if None) may read the meeting's document ``key``
    (DOCUMENT_PERMISSIONS); an unknown key: never."""
    permission = DOCUMENT_PERMISSIONS.get(key)
    return permission is not None and allows(permission, user, meeting=meeting)


def readable_documents(user: Any, meeting: Meeting) -> tuple[str, ...]:
    """Return the keys of the meeting's documents ``user`` may read, in DOCUMENT_PERMISSIONS' order."""
    return tuple(key for key in DOCUMENT_PERMISSIONS if may_read_document(user, meeting, key))


# ---------------------------------------------------------------------------
# The organisation's pages (ward)


def may_view_organization(organization_id: int) -> bool:
    """Return whether the signed-in user may read the organisation's pages (WARD_PAGES): its ward, an admin."""
    return allows(WARD_PAGES, organization_id=organization_id)


def visible_organization(organization_id: int) -> Organization:
    """Return the organisation if the user may read it; 404 otherwise."""
    organization = db.session.get(Organization, organization_id)
    if organization is None or not may_view_organization(organization.id):
        abort(404)
    return organization


def importing_organization(organization_id: int) -> Organization:
    """Return the organisation if the user uploads its meeting files (IMPORT_MEETINGS); 404 otherwise."""
    organization = db.session.get(Organization, organization_id)
    if organization is None or not allows(IMPORT_MEETINGS, organization_id=organization.id):
        abort(404)
    return organization


def cells_organization(organization_id: int, permission: Permission | None = None) -> Organization:
    """Return the organisation whose cells the user keeps (MANAGE_CELLS: its ward, an admin); 404 otherwise.

    ``permission``: another one to ask instead (MANAGE_ORGANIZATIONS for the administrator's pages).
    """
    organization = db.session.get(Organization, organization_id)
    if organization is None or not allows(permission or MANAGE_CELLS, organization_id=organization.id):
        abort(404)
    return organization


def visible_upload(upload_id: int) -> MeetingUpload:
    """Return an uploaded meeting file's record if the user may read it (IMPORT_MEETINGS on its cell); 404 otherwise."""
    upload = db.session.get(MeetingUpload, upload_id)
    if upload is None or not allows(IMPORT_MEETINGS, cell=upload.cell):
        abort(404)
    return upload


def kept_cell(cell_id: int) -> Cell:
    """Return the cell if the user keeps its organisation's cells (MANAGE_CELLS); 404 otherwise."""
    cell = db.session.get(Cell, cell_id)
    if cell is None or not allows(MANAGE_CELLS, cell=cell):
        abort(404)
    return cell


def deciding_organization(organization_id: int) -> Organization:
    """Return the organisation whose decision the user makes (DECIDE: its ward, an admin); 404 otherwise."""
    organization = db.session.get(Organization, organization_id)
    if organization is None or not allows(DECIDE, organization_id=organization.id):
        abort(404)
    return organization


def visible_job(job_id: int) -> ExportJob:
    """Return the export job if the user may see it (its organisation's ward, an admin); 404 otherwise."""
    job = db.session.get(ExportJob, job_id)
    if job is None or not may_view_organization(job.organization_id):
        abort(404)
    return job


def ruled_organization(organization_id: int) -> Organization:
    """Return the organisation whose rules the user sets (SET_RULES): its ward or an admin; 404 for anyone else.

    A secretary or counter gets 404 for every organisation's rules, their own cell's included:
    the rules are no page of theirs (they read the rules applied on the results page), and one
    answer for all keeps the pages from telling which organisation a cell belongs to.
    """
    organization = db.session.get(Organization, organization_id)
    if organization is None or not allows(SET_RULES, organization_id=organization.id):
        abort(404)
    return organization


# ---------------------------------------------------------------------------
# Accounts


def accounts_organization(organization_id: int) -> Organization:
    """Return the organisation whose accounts the user manages (MANAGE_ACCOUNTS); 404 otherwise."""
    organization = db.session.get(Organization, organization_id)
    if organization is None or not allows(MANAGE_ACCOUNTS, organization_id=organization.id):
        abort(404)
    return organization


def accounts_cell(cell_id: int) -> Cell:
    """Return the cell whose accounts the user manages (MANAGE_CELL_ACCOUNTS); 404 otherwise."""
    cell = db.session.get(Cell, cell_id)
    if cell is None or not allows(MANAGE_CELL_ACCOUNTS, cell=cell):
        abort(404)
    return cell


def may_manage_account(account: User, user: Any = None) -> bool:
    """Return whether ``user`` (the signed-in user by default) may act on ``account``.

    A ward committee account: an administrator only. A secretary's: the cell's ward or an
    administrator (MANAGE_ACCOUNTS). A counter's: also the cell's secretary
    (MANAGE_CELL_ACCOUNTS). Never an administrator's, nor a one-time-code session's (it is no
    account anyone hands over). So nobody acts on their own account here.
    """
    if account.meeting_id is not None or account.role is Role.ADMIN:
        return False
    if account.role is Role.WARD:
        return holds(Relation.ADMIN, user)
    cell = account.cell
    if cell is None:
        return False
    if account.role is Role.SECRETARY:
        return allows(MANAGE_ACCOUNTS, user, cell=cell)
    return allows(MANAGE_CELL_ACCOUNTS, user, cell=cell)


def managed_account(user_id: int) -> User:
    """Return the account the signed-in user may act on (:func:`may_manage_account`); 404 otherwise."""
    account = db.session.get(User, user_id)
    if account is None or not may_manage_account(account):
        abort(404)
    return account


def creatable_roles(user: Any, *, organization: bool) -> tuple[Role, ...]:
    """Return the roles of the accounts ``user`` may create: on an organisation's page or a cell's.

    An administrator: a ward committee account too (on the organisation's page). The ward: its
    cells' secretaries and counters. A secretary (on their cell's page): counters.
    """
    if user.role is Role.ADMIN:
        return (Role.WARD, Role.SECRETARY, Role.COUNTER) if organization else (Role.SECRETARY, Role.COUNTER)
    if user.role is Role.WARD:
        return (Role.SECRETARY, Role.COUNTER)
    if user.role is Role.SECRETARY and not organization:
        return (Role.COUNTER,)
    return ()


# ---------------------------------------------------------------------------
# The home page: what it lists and links


def listed_scope(user: User | Any) -> tuple[str, int | None]:
    """Return which cells the home page lists: ("all", None), ("organization", id) or ("cell", id)."""
    role = user.role
    if role is Role.WARD:
        return "organization", user.organization_id
    if role in (Role.SECRETARY, Role.COUNTER):
        return "cell", user.cell_id
    return "all", None


def home_links(user: User | Any) -> Mapping[str, Any]:
    """Return what the home page offers the account beyond its cells' meetings."""
    role = user.role
    return {
        # The ward: its organisation's dashboard and rules (WARD_PAGES, SET_RULES), and each
        # meeting's results and minutes (READ_RESULTS, READ_RECORDS).
        "ward": role is Role.WARD,
        "organization": user.organization if role is Role.WARD else None,
        "province": allows(PROVINCE, user),
        "own_cell": role in (Role.SECRETARY, Role.COUNTER),
    }


def may_follow(endpoint: str, user: User | Any = None, **objects: Any) -> bool:
    """Return whether ``user`` may follow a link to ``endpoint`` (its GET permission in ENDPOINTS) on the objects.

    An endpoint missing from ENDPOINTS, or without a GET, is never offered (the menus ask this).
    """
    name = ENDPOINTS.get(endpoint, {}).get("GET")
    return name is not None and allows(PERMISSIONS[name], user, **objects)


def lists_meeting(user: User | Any, meeting: Meeting) -> bool:
    """Return whether the home page lists the meeting: a one-time code shows only its own meeting."""
    return user.meeting_id is None or user.meeting_id == meeting.id
