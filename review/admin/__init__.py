"""The system administrator's pages: the ward organisations (create, rename, archive, restore)."""

from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")

from . import routes  # noqa: E402,F401
