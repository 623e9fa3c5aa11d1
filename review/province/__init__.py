"""The province's view (toàn tỉnh): every ward organisation's totals for a year, read-only."""

from flask import Blueprint

bp = Blueprint("province", __name__)

from . import routes  # noqa: E402,F401
