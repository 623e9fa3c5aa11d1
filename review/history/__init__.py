"""A meeting's history: the audit trail of its record, read-only, for its secretary and its ward."""

from flask import Blueprint

bp = Blueprint("history", __name__)

from . import routes  # noqa: E402,F401
