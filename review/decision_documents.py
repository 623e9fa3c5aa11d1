"""The committee's documents as bytes: gather the decision's paper, call reports/, nothing else (SPEC 9).

Each document has one description (reports.document.Document), rendered as PDF or as the
editable Word copy (SPEC 7) from the same paper.

The issued version's documents come from its seal alone; before issuing, drafts of the
current state (marked DỰ THẢO). The pages, the ward's ZIP and the command line share this.
"""

from __future__ import annotations

from collections.abc import Callable

from reports import pdf_writer
from reports.decision import cells_decision_document, members_decision_document, summary_document
from reports.document import Document

from . import decisions
from .decision_rules import DecisionPaper

# The module, not its function: review.decisions imports review.ward, whose routes import this module.
from .i18n import in_vietnamese
from .models import Organization
from .translatable import N_

DOCUMENTS: dict[str, tuple[str, str]] = {
    # key: (Vietnamese title, file name stem)
    "members": (N_("Quyết định công nhận kết quả xếp loại chất lượng đảng viên"), "quyet-dinh-xep-loai-dang-vien"),
    "cells": (N_("Quyết định xếp loại chất lượng các chi bộ trực thuộc"), "quyet-dinh-xep-loai-chi-bo"),
    "summary": (N_("Biểu tổng hợp"), "bieu-tong-hop"),
}
SUMMARY_XLSX_TITLE = N_("Biểu tổng hợp (bảng tính)")
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# The one table of builders: each document's description, rendered by either writer.
BUILDERS: dict[str, Callable[[DecisionPaper], Document]] = {
    "members": members_decision_document,
    "cells": cells_decision_document,
    "summary": summary_document,
}
FORMATS = ("pdf", "docx")  # the file name extensions, the PDF first


@in_vietnamese  # a Party document: Vietnamese whatever the interface's language
def pdf_of(paper: DecisionPaper, key: str) -> bytes:
    """Return one document of a decision paper as PDF bytes."""
    return pdf_writer.render(BUILDERS[key](paper))


@in_vietnamese  # a Party document: Vietnamese whatever the interface's language
def docx_of(paper: DecisionPaper, key: str) -> bytes:
    """Return one document of a decision paper as a Word file (DOCX bytes), from the same description as the PDF."""
    # python-docx is imported only here: starting the application does not need it.
    from reports import docx_writer

    return docx_writer.render(BUILDERS[key](paper))


@in_vietnamese  # a Party document: Vietnamese whatever the interface's language
def render(organization: Organization, year: int, key: str) -> bytes:
    """Return one of the decision's documents as PDF bytes (``key``: one of DOCUMENTS)."""
    return pdf_of(decisions.decision_paper(organization, year), key)


@in_vietnamese  # a Party document: Vietnamese whatever the interface's language
def render_docx(organization: Organization, year: int, key: str) -> bytes:
    """Return one of the decision's documents as a Word file (DOCX bytes)."""
    return docx_of(decisions.decision_paper(organization, year), key)


@in_vietnamese  # a Party document: Vietnamese whatever the interface's language
def render_as(organization: Organization, year: int, key: str, extension: str) -> bytes:
    """Return one of the decision's documents in the format named by a file extension ('pdf' or 'docx')."""
    build = docx_of if extension == "docx" else pdf_of
    return build(decisions.decision_paper(organization, year), key)


@in_vietnamese  # a Party document: Vietnamese whatever the interface's language
def summary_workbook(paper: DecisionPaper) -> bytes:
    """Return the summary table of a decision paper as XLSX bytes (reports.summary_sheet)."""
    # openpyxl is imported only here (about 0.1 s of every start-up otherwise).
    from reports.summary_sheet import summary_xlsx

    return summary_xlsx(paper)


@in_vietnamese  # a Party document: Vietnamese whatever the interface's language
def summary_xlsx(organization: Organization, year: int) -> bytes:
    """Return the summary table as an XLSX workbook."""
    return summary_workbook(decisions.decision_paper(organization, year))


def file_name(organization: Organization, year: int, key: str, extension: str = "pdf") -> str:
    """Return an ASCII file name, e.g. 'quyet-dinh-xep-loai-dang-vien-2020-dang-bo-1.pdf' (or '.docx')."""
    return f"{DOCUMENTS[key][1]}-{year}-dang-bo-{organization.id}.{extension}"


def xlsx_name(organization: Organization, year: int) -> str:
    """Return the summary workbook's ASCII file name, e.g. 'bieu-tong-hop-2020-dang-bo-1.xlsx'."""
    return f"{DOCUMENTS['summary'][1]}-{year}-dang-bo-{organization.id}.xlsx"


def all_files(organization: Organization, year: int) -> list[tuple[str, Callable[[], bytes]]]:
    """Return every file of the decision (each document as PDF then Word, the workbook) as (name, builder), in order.

    The builders print one paper, read once: the files show the same state of the decision.
    """
    paper = decisions.decision_paper(organization, year)

    def builder(key: str, extension: str) -> Callable[[], bytes]:
        build = docx_of if extension == "docx" else pdf_of
        return lambda: build(paper, key)

    files = [
        (file_name(organization, year, key, extension), builder(key, extension))
        for key in DOCUMENTS
        for extension in FORMATS
    ]
    files.append((xlsx_name(organization, year), lambda: summary_workbook(paper)))
    return files


FILE_COUNT = len(DOCUMENTS) * len(FORMATS) + 1  # the PDFs, their Word copies and the workbook
