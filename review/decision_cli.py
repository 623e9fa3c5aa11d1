"""Command line for the ward committee's year: the organisation's summary and its decision (SPEC 9, 11).

``ward summary`` prints SPEC 11's JSON; ``decision ...`` issues the decision and writes its
documents. Every refusal is a message and exit 1, nothing stored; the checks are the pages' own
(review/decisions.py, review/decision_rules.py). The messages are Vietnamese, or in the language
REVIEW_LANGUAGE names (review/i18n.py); the documents are always Vietnamese.
"""

from __future__ import annotations

import json
import re
import sys
from datetime import date
from pathlib import Path
from typing import Any, NoReturn

import click
from flask.cli import with_appcontext
from flask_babel import gettext as _

from .database import write_transaction
from .extensions import db
from .i18n import translate
from .models import Organization

ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)


def _fail(*lines: str) -> NoReturn:
    """Print the reasons to standard error, one a line, and exit 1."""
    for line in lines:
        click.echo(line, err=True)
    sys.exit(1)


def _organization(organization_id: int) -> Organization:
    organization = db.session.get(Organization, organization_id)
    if organization is None:
        _fail(_("Không có đảng bộ mã %(id)s.", id=organization_id))
    return organization


def summary_document(organization: Organization, year: int) -> dict[str, Any] | None:
    """Return SPEC 11's summary of the organisation's year, or None when no rules apply to the year."""
    from .decision_rules import SummaryCell, organization_summary
    from .decisions import STATES, issued_payload, issued_seal_of, year_rules
    from .ward.overview import build_overview

    rules = year_rules(organization, year)[1]
    if rules is None:
        return None
    overview = build_overview(organization, year)
    cells = [
        SummaryCell(
            name=row.cell.name,
            state=STATES[row.state],
            proposed=row.result.summary if row.result is not None else None,
            cell_level=row.cell_level,
        )
        for row in overview.rows
    ]
    seal = issued_seal_of(organization.id, year)
    decided = decision = None
    if seal is not None:
        decided = issued_payload(seal)["members"]
        decision = {"number": seal.number, "date": seal.issued_on.isoformat(), "version": seal.version}
    return organization_summary(organization.name, year, cells, rules, decided, decision)


@click.group("ward")
def ward_cli() -> None:
    """The ward organisation's year: its summary."""


@ward_cli.command("summary")
@click.argument("organization_id", type=int)
@click.argument("year", type=int)
@with_appcontext
def summary_command(organization_id: int, year: int) -> None:
    """Print the organisation's summary for the year as JSON (SPEC 11)."""
    organization = _organization(organization_id)
    document = summary_document(organization, year)
    if document is None:
        _fail(_("Năm %(year)s không có quy định đánh giá, xếp loại nào áp dụng.", year=year))
    click.echo(json.dumps(document, ensure_ascii=False, indent=2))


@click.group("decision")
def decision_cli() -> None:
    """The ward committee's decision: issue it, write its documents."""


# The titles --title takes: the keys, or the Vietnamese titles as typed (in any language).
TITLES = {
    "secretary": "secretary",
    "deputy_secretary": "deputy_secretary",
    "bí thư": "secretary",  # i18n: vi-only
    "phó bí thư": "deputy_secretary",  # i18n: vi-only
}


def read_title(raw: str) -> str | None:
    """Return the signer's title key for "secretary"/"Bí thư" or "deputy_secretary"/"Phó Bí thư", or None."""
    from .text import nfc

    return TITLES.get(" ".join(nfc(raw).split()).lower())


def read_iso_date(raw: str) -> date | None:
    """Return the date written YYYY-MM-DD, or None."""
    raw = raw.strip()
    if not ISO_DATE.fullmatch(raw):
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        return None


@decision_cli.command("issue")
@click.argument("organization_id", type=int)
@click.argument("year", type=int)
@click.option("--number", required=True, help='The decision\'s number, e.g. "15-QĐ/ĐU".')  # i18n: vi-only
@click.option("--date", "day_text", required=True, help="The date of issue, YYYY-MM-DD.")
@click.option("--signer", required=True, help="The signer's full name.")
@click.option("--title", required=True, help='secretary or deputy_secretary ("Bí thư", "Phó Bí thư").')  # i18n: vi-only
@click.option("--place", default=None, help="The place of the date line (default: the organisation's).")
@with_appcontext
def issue_command(
    organization_id: int, year: int, number: str, day_text: str, signer: str, title: str, place: str | None
) -> None:
    """Issue the committee's decision, every cell's proposal taken as the decided level where none was chosen."""
    from .decision_rules import Issue, SignerTitle, normalize_number
    from .decisions import gather, issue, issue_problems
    from .meeting_edits import Refused
    from .text import nfc
    from .versioning import Conflict

    day = read_iso_date(day_text)
    title_key = read_title(title)
    with write_transaction():
        organization = _organization(organization_id)
        try:
            gathered = gather(organization, year)
        except Refused as refused:
            _fail(refused.message)
        seal = gathered.issued_seal
        if seal is not None:
            _fail(
                _(
                    "Quyết định năm %(year)s đã ban hành (số %(number)s, phiên bản %(version)s): "
                    "muốn ban hành lại, mở lại quyết định trước (decision reopen).",
                    year=year,
                    number=seal.number,
                    version=seal.version,
                )
            )
        place_text = organization.place if place is None else place
        problems = issue_problems(gathered, number, day, place_text, signer, title_key)
        if day is None and day_text.strip():
            problems["issued_on"] = _(
                "Ngày “%(text)s” không đọc được: viết theo dạng YYYY-MM-DD, ví dụ 2021-01-15.", text=day_text
            )
        lines = [f"--{_OPTION[field]}: {message}" for field, message in problems.items()]
        lines += [translate(blocker.text) for blocker in gathered.assessment.blockers]
        if lines:
            _fail(_("Chưa ban hành được quyết định, không lưu gì:"), *lines)
        assert day is not None and title_key is not None
        header = Issue(
            number=normalize_number(number) or "",
            day=day,
            place=nfc(place_text).strip(),
            signer_name=nfc(signer).strip(),
            signer_title=SignerTitle(title_key),
        )
        version = str(gathered.decision.version) if gathered.decision is not None else "0"  # none stored yet
        try:
            issued = issue(organization, year, header, None, version)
        except (Refused, Conflict) as refused:
            _fail(refused.message if isinstance(refused, Refused) else str(refused))
        number_text, version_number, fingerprint = issued.number, issued.version, issued.fingerprint
    click.echo(
        _("Đã ban hành Quyết định số %(number)s (phiên bản %(version)s).", number=number_text, version=version_number)
    )
    click.echo(_("Số: %(number)s", number=number_text))
    click.echo(_("Phiên bản: %(version)s", version=version_number))
    click.echo(_("Dấu xác thực: %(fingerprint)s", fingerprint=fingerprint))


_OPTION = {
    "number": "number",
    "issued_on": "date",
    "place": "place",
    "signer_name": "signer",
    "signer_title": "title",
}


@decision_cli.command("reopen")
@click.argument("organization_id", type=int)
@click.argument("year", type=int)
@click.option("--reason", required=True, help="Why the issued decision is reopened (kept with its version).")
@with_appcontext
def reopen_command(organization_id: int, year: int, reason: str) -> None:
    """Reopen the issued decision for a written reason; the issued version stays on record."""
    from .decisions import reopen
    from .meeting_edits import Refused

    with write_transaction():
        organization = _organization(organization_id)
        try:
            version = reopen(organization, year, reason, None)
        except Refused as refused:
            _fail(refused.message)
    click.echo(
        _("Đã mở lại quyết định năm %(year)s (phiên bản %(version)s vẫn lưu trong hồ sơ).", year=year, version=version)
    )


# ---------------------------------------------------------------------------
# The decision's documents: `decision pdf`, `cells-pdf`, `summary-pdf`, `summary-xlsx`
# (their imports stay inside: this part of the file is added beside the commands above)


def _write_decision_file(organization_id: int, year: int, output: Path, key: str | None) -> None:
    """Write one of the decision's documents (``key`` None: the summary workbook) and say what was written."""
    from .cli import output_format
    from .decision_documents import DOCUMENTS, SUMMARY_XLSX_TITLE, render_as, summary_xlsx
    from .decisions import issued_seal_of
    from .extensions import db
    from .meeting_edits import Refused
    from .models import Organization

    organization = db.session.get(Organization, organization_id)
    if organization is None:
        raise click.ClickException(_("Không có đảng bộ mã %(id)s.", id=organization_id))
    try:
        if key is None:
            data = summary_xlsx(organization, year)
        else:  # a PDF, or the Word file when the output's name ends in .docx
            data = render_as(organization, year, key, output_format(output))
    except Refused as refused:
        raise click.ClickException(refused.message) from None
    try:
        output.write_bytes(data)
    except OSError as error:
        raise click.ClickException(
            _("Không ghi được tệp %(path)s: %(error)s", path=output, error=error.strerror)
        ) from None
    seal = issued_seal_of(organization.id, year)
    if seal is not None:
        state = _("đã ban hành, phiên bản %(version)s", version=seal.version)
    else:
        state = _("DỰ THẢO (chưa ban hành)")
    title = SUMMARY_XLSX_TITLE if key is None else DOCUMENTS[key][0]  # the document's own (Vietnamese) title
    click.echo(
        _("Đã ghi %(path)s (%(title)s năm %(year)s, %(state)s).", path=output, title=title, year=year, state=state)
    )


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
    "pdf",
    "members",
    "Write the decision recognising the members' levels, with its list by cell, as PDF (Word if the file ends in .docx).",
)
_decision_file_command(
    "cells-pdf",
    "cells",
    "Write the decision on the cells' levels, with its list, as PDF (Word if the file ends in .docx).",
)
_decision_file_command(
    "summary-pdf",
    "summary",
    "Write the summary table (Biểu tổng hợp) as PDF (Word if the file ends in .docx).",  # i18n: vi-only
)
_decision_file_command(
    "summary-xlsx",
    None,
    "Write the summary table (Biểu tổng hợp) as an XLSX spreadsheet.",  # i18n: vi-only
)
