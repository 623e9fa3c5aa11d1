"""The health check a load balancer, systemd or a container engine asks (``GET /healthz``)."""

from flask import Blueprint

bp = Blueprint("health", __name__)

from . import routes  # noqa: E402,F401
