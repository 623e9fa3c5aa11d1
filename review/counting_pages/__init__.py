"""The ballot-counting committee's pages: the committee, one-time codes, double entry, comparison."""

from flask import Blueprint

bp = Blueprint("counting", __name__)

from .. import provenance  # noqa: E402,F401  (every sign-in gets its id: flask_login's signals)
from . import routes  # noqa: E402,F401
