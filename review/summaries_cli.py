"""``flask --app review summaries rebuild``: the seals' and the issued decisions' summary rows
recomputed from their payloads."""

from __future__ import annotations

import click
from flask.cli import with_appcontext
from flask_babel import gettext as _
from flask_babel import ngettext


@click.group("summaries")
def summaries_cli() -> None:
    """The seals' and decisions' summary rows (what the ward's dashboard and the province add up)."""


@summaries_cli.command("rebuild")
@click.option("--dry-run", is_flag=True, help="Only report the differences; write nothing.")
@with_appcontext
def rebuild_command(dry_run: bool) -> None:
    """Recompute every seal's and issued decision's summary row from its payload; report and repair each difference."""
    from .database import write_transaction
    from .decisions import rebuild_decision_summaries
    from .meeting_store import rebuild_summaries

    with write_transaction():
        differences = rebuild_summaries(repair=not dry_run) + rebuild_decision_summaries(repair=not dry_run)
        if dry_run:
            from .extensions import db

            db.session.rollback()
    for line in differences:
        click.echo(line)
    if not differences:
        click.echo(_("Mọi bản tóm tắt khớp với dữ liệu đã niêm phong."))
        return
    if dry_run:
        click.echo(ngettext("%(num)d chỗ khác, chưa sửa.", "%(num)d chỗ khác, chưa sửa.", len(differences)))
        raise SystemExit(1)
    click.echo(ngettext("Đã sửa %(num)d chỗ khác.", "Đã sửa %(num)d chỗ khác.", len(differences)))
