"""The application factory: create_app and what it registers."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask
from flask_babel import gettext

from .config import load_config
from .errors import ERRORS, register_error_handlers
from .request_log import register_request_log
from .security import register_converters, register_security
from .translatable import N_

PACKAGE = Path(__file__).resolve().parent
# The Alembic chain lives in the checkout's top-level migrations/; a built wheel carries it
# inside the package as review/migrations (pyproject.toml maps the one onto the other).
__all__ = ["ERRORS", "MIGRATIONS", "PACKAGE", "create_app"]  # ERRORS: review.errors', reached from the package

MIGRATIONS = PACKAGE / "migrations" if (PACKAGE / "migrations").is_dir() else PACKAGE.parent / "migrations"


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Create and configure the application."""
    # The package's name, not __name__ (review.app): Flask derives the root path, the
    # templates (review/templates), the logger's name and the instance folder from it.
    # The instance folder is Flask's default (instance/ beside a checkout's package,
    # <prefix>/var/review-instance for an installed copy) unless REVIEW_INSTANCE_PATH names one.
    instance_path = os.environ.get("REVIEW_INSTANCE_PATH")
    app = Flask(
        "review",
        instance_path=os.path.abspath(instance_path) if instance_path else None,
        instance_relative_config=True,
    )
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.from_mapping(load_config(app.instance_path, test_config))
    register_extensions(app)
    register_converters(app)  # before the blueprints: their rules take the converters when added
    register_blueprints(app)
    register_template_helpers(app)
    register_error_handlers(app)
    register_security(app)
    register_request_log(app)
    register_commands(app)
    return app


def register_extensions(app: Flask) -> None:
    """Bind the extensions and set up database connections."""
    from . import (  # noqa: F401  (the audit trail, versions and seal guard: session events)
        audit,
        models,
        seal_guard,
        versioning,
    )
    from .database import configure_engine
    from .extensions import csrf, db, login_manager

    db.init_app(app)
    csrf.init_app(app)
    from .i18n import register_i18n

    register_i18n(app)  # Flask-Babel, the language of each request, the when/t/number filters
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = N_("Vui lòng đăng nhập để tiếp tục.")
    login_manager.localize_callback = gettext  # flashed in the request's language
    login_manager.login_message_category = "info"

    @login_manager.user_loader
    def load_user(identity: str) -> models.User | None:
        # The session and the remember-me cookie carry "<id>:<session token>" (User.get_id):
        # once the account's token changes (sign-out, password change, disabling) every copy
        # of either cookie is refused, and a deactivated account is signed out.
        parsed = models.parse_session_identity(identity)
        user = db.session.get(models.User, parsed[0]) if parsed is not None else None
        if user is None or not user.active or not user.holds_session(parsed[1]):  # type: ignore[index]
            return None
        return user

    with app.app_context():
        configure_engine(db.engine, app.config["SQLITE_BUSY_TIMEOUT_MS"])


def register_blueprints(app: Flask) -> None:
    """Register one blueprint a concern."""
    from .accounts import bp as accounts_bp
    from .admin import bp as admin_bp
    from .auth import bp as auth_bp
    from .counting_pages import bp as counting_bp
    from .health import bp as health_bp
    from .history import bp as history_bp
    from .main import bp as main_bp
    from .meeting import bp as meeting_bp
    from .province import bp as province_bp
    from .results import bp as results_bp
    from .reviews import bp as reviews_bp
    from .roster import bp as roster_bp
    from .ward import bp as ward_bp

    app.register_blueprint(admin_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(counting_bp)
    app.register_blueprint(main_bp)
    app.register_blueprint(meeting_bp)
    app.register_blueprint(results_bp)
    app.register_blueprint(reviews_bp)
    app.register_blueprint(roster_bp)
    app.register_blueprint(ward_bp)
    app.register_blueprint(history_bp)
    app.register_blueprint(province_bp)
    app.register_blueprint(accounts_bp)
    app.register_blueprint(health_bp)


def register_template_helpers(app: Flask) -> None:
    """Expose the domain's words (review/vocabulary.py), the one date filter and the menu to templates.

    ``when`` (registered with the languages, review/i18n.py) writes a date in the request's
    language on the server's local wall clock: an instant (aware) in local time, a civil time
    (naive) or a date as it is.
    """
    from .text import UPLOAD_MAX_BYTES, mib_text
    from .vocabulary import TEMPLATE_GLOBALS

    app.jinja_env.globals.update(TEMPLATE_GLOBALS)
    app.jinja_env.globals["UPLOAD_MAX"] = mib_text(UPLOAD_MAX_BYTES)  # "5 MiB", the largest file a page takes

    from .menu import register_menu

    register_menu(app)


def register_commands(app: Flask) -> None:
    """Register the command-line groups."""
    from .cli import demo_command, meeting_cli, roster_cli, user_cli
    from .decision_cli import decision_cli, ward_cli
    from .migrate_cli import migrate_cli
    from .setup_cli import cell_cli, organization_cli
    from .summaries_cli import summaries_cli
    from .worker_cli import worker_command

    app.cli.add_command(migrate_cli)  # flask db ...: Flask-Migrate imported only then

    app.cli.add_command(organization_cli)
    app.cli.add_command(worker_command)
    app.cli.add_command(summaries_cli)
    app.cli.add_command(cell_cli)
    app.cli.add_command(meeting_cli)
    app.cli.add_command(user_cli)
    app.cli.add_command(roster_cli)
    app.cli.add_command(demo_command)
    app.cli.add_command(ward_cli)
    app.cli.add_command(decision_cli)

    from .audit import audit_cli

    app.cli.add_command(audit_cli)

    from .cli import backup_command, restore_command

    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
