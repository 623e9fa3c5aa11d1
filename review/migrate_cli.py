"""The ``flask db`` commands (Flask-Migrate, Alembic), imported only when a db command runs.

Flask-Migrate imports Alembic and every SQL dialect's DDL (about 0.2 s): the web application and
the other commands never need them. This group stands for ``flask_migrate.cli.db``: asked for
its commands, it binds Flask-Migrate to the application (the migrations in ``MIGRATIONS``,
batch mode for SQLite) and hands over Flask-Migrate's own group.
"""

from __future__ import annotations

from typing import Any

import click
from flask import g
from flask.cli import ScriptInfo, with_appcontext


class LazyMigrateGroup(click.Group):
    """``flask db ...``: Flask-Migrate's group, loaded on first use."""

    def _real(self, ctx: click.Context) -> click.Group:
        from flask_migrate import Migrate
        from flask_migrate.cli import db as real

        from .app import MIGRATIONS
        from .extensions import db

        app = ctx.ensure_object(ScriptInfo).load_app()
        if "migrate" not in app.extensions:
            Migrate(app, db, directory=str(MIGRATIONS), render_as_batch=True)
        return real

    def list_commands(self, ctx: click.Context) -> list[str]:
        return self._real(ctx).list_commands(ctx)

    def get_command(self, ctx: click.Context, cmd_name: str) -> Any:
        return self._real(ctx).get_command(ctx, cmd_name)


@click.group(cls=LazyMigrateGroup)
@click.option("-d", "--directory", default=None, help='Migration script directory (default is "migrations")')
@click.option("-x", "--x-arg", multiple=True, help="Additional arguments consumed by custom env.py scripts")
@with_appcontext
def migrate_cli(directory: str | None, x_arg: tuple[str, ...]) -> None:
    """Perform database migrations (Flask-Migrate, Alembic)."""
    # What flask_migrate.cli.db does: Migrate.get_config() reads them.
    g.directory = directory
    g.x_arg = x_arg


migrate_cli.name = "db"
