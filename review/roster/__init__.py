"""The cell's roster: members, and their standing for the year."""

from flask import Blueprint

bp = Blueprint("roster", __name__)

from . import routes  # noqa: E402,F401
