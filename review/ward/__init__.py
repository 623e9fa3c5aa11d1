"""The ward committee's pages (đảng ủy phường): its cells' meetings, results and documents (read-only), and the rules of each review year."""

from flask import Blueprint

bp = Blueprint("ward", __name__)

from . import cells, decision_downloads, decision_pages, meeting_files, routes, rules_pages  # noqa: E402,F401
