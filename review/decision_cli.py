"""Command line for the ward committee's year: the organisation's summary and its decision (SPEC 9, 11).

``ward summary`` prints SPEC 11's JSON; ``decision ...`` issues the decision and writes its
documents. Every refusal is a Vietnamese message and exit 1, nothing stored; the checks are
the pages' own (review/decisions.py, review/decision_rules.py).
"""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext


@click.group("ward")
def ward_cli() -> None:
    """The ward organisation's year: its summary."""


@click.group("decision")
def decision_cli() -> None:
    """The ward committee's decision: issue it, write its documents."""


# ---------------------------------------------------------------------------
# The decision's documents: `decision pdf`, `cells-pdf`, `summary-pdf`, `summary-xlsx`
# (their imports stay inside: this part of the file is added beside the commands above)


def _write_decision_file(organization_id: int, year: int, output: Path, key: str | None) -> None:
    """Write one of the decision's documents (``key`` None: the summary workbook) and say what was written."""
    from .decision_documents import DOCUMENTS, SUMMARY_XLSX_TITLE, render, summary_xlsx
    from .decisions import issued_seal_of
    from .extensions import db
    from .meeting_edits import Refused
    from .models import Organization

    organization = db.session.get(Organization, organization_id)
    if organization is None:
        raise click.ClickException(f"Không có đảng bộ mã {organization_id}.")
    try:
        data = summary_xlsx(organization, year) if key is None else render(organization, year, key)
    except Refused as refused:
        raise click.ClickException(refused.message) from None
    try:
        output.write_bytes(data)
    except OSError as error:
        raise click.ClickException(f"Không ghi được tệp {output}: {error.strerror}") from None
    seal = issued_seal_of(organization.id, year)
    state = f"đã ban hành, phiên bản {seal.version}" if seal is not None else "DỰ THẢO (chưa ban hành)"
    title = SUMMARY_XLSX_TITLE if key is None else DOCUMENTS[key][0]
    click.echo(f"Đã ghi {output} ({title} năm {year}, {state}).")


def _decision_file_command(name: str, key: str | None, help_text: str) -> None:
    @click.argument("organization_id", type=int)
    @click.argument("year", type=int)
    @click.option(
        "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True, help="Write to this file."
    )
    @with_appcontext
    def command(organization_id: int, year: int, output: Path) -> None:
        _write_decision_file(organization_id, year, output, key)

    command.__doc__ = help_text
    decision_cli.command(name)(command)


_decision_file_command(
    "pdf", "members", "Write the decision recognising the members' levels, with its list by cell, as PDF."
)
_decision_file_command("cells-pdf", "cells", "Write the decision on the cells' levels, with its list, as PDF.")
_decision_file_command("summary-pdf", "summary", "Write the summary table (Biểu tổng hợp) as PDF.")
_decision_file_command("summary-xlsx", None, "Write the summary table (Biểu tổng hợp) as an XLSX spreadsheet.")
