"""The meeting, step by step: opening, roll call, ballot summary, closing."""

from flask import Blueprint

bp = Blueprint("meeting", __name__)

from . import files, routes  # noqa: E402,F401
