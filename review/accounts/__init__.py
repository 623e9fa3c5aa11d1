"""Account pages: an organisation's and a cell's accounts, creating them, disabling them,
linking a counter to a member, and one-time set-password links (review/auth/password_links.py)."""

from flask import Blueprint

bp = Blueprint("accounts", __name__)

from . import routes  # noqa: E402,F401
