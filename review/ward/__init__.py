"""The ward committee's pages (đảng ủy phường): its cells' meetings, results and documents, read-only."""

from flask import Blueprint

bp = Blueprint("ward", __name__)

from . import routes  # noqa: E402,F401
