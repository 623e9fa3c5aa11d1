"""The committee's documents as bytes: gather the decision's paper, call reports/, nothing else (SPEC 9).

The issued version's documents come from its seal alone; before issuing, drafts of the
current state (marked DỰ THẢO). The pages, the ward's ZIP and the command line share this.
"""

from __future__ import annotations

from collections.abc import Callable

from reports.decision import cells_decision, members_decision, summary_pdf

# The module, not its function: review.decisions imports review.ward, whose routes import this module.
from . import decisions
from .decision_rules import DecisionPaper
from .models import Organization

DOCUMENTS: dict[str, tuple[str, str]] = {
    # key: (Vietnamese title, file name stem)
    "members": ("Quyết định công nhận kết quả xếp loại chất lượng đảng viên", "quyet-dinh-xep-loai-dang-vien"),
    "cells": ("Quyết định xếp loại chất lượng các chi bộ trực thuộc", "quyet-dinh-xep-loai-chi-bo"),
    "summary": ("Biểu tổng hợp", "bieu-tong-hop"),
}
SUMMARY_XLSX_TITLE = "Biểu tổng hợp (bảng tính)"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

BUILDERS: dict[str, Callable[[DecisionPaper], bytes]] = {
    "members": members_decision,
    "cells": cells_decision,
    "summary": summary_pdf,
}


def render(organization: Organization, year: int, key: str) -> bytes:
    """Return one of the decision's documents as PDF bytes (``key``: one of DOCUMENTS)."""
    return BUILDERS[key](decisions.decision_paper(organization, year))


def summary_workbook(paper: DecisionPaper) -> bytes:
    """Return the summary table of a decision paper as XLSX bytes (reports.summary_sheet)."""
    # openpyxl is imported only here (about 0.1 s of every start-up otherwise).
    from reports.summary_sheet import summary_xlsx

    return summary_xlsx(paper)


def summary_xlsx(organization: Organization, year: int) -> bytes:
    """Return the summary table as an XLSX workbook."""
    return summary_workbook(decisions.decision_paper(organization, year))


def file_name(organization: Organization, year: int, key: str) -> str:
    """Return an ASCII file name, e.g. 'quyet-dinh-xep-loai-dang-vien-2020-dang-bo-1.pdf'."""
    return f"{DOCUMENTS[key][1]}-{year}-dang-bo-{organization.id}.pdf"


def xlsx_name(organization: Organization, year: int) -> str:
    """Return the summary workbook's ASCII file name, e.g. 'bieu-tong-hop-2020-dang-bo-1.xlsx'."""
    return f"{DOCUMENTS['summary'][1]}-{year}-dang-bo-{organization.id}.xlsx"


def all_files(organization: Organization, year: int) -> list[tuple[str, Callable[[], bytes]]]:
    """Return every file of the decision (the three PDFs, the workbook) as (name, builder), in order.

    The builders print one paper, read once: the four files show the same state of the decision.
    """
    paper = decisions.decision_paper(organization, year)

    def builder(build: Callable[[DecisionPaper], bytes]) -> Callable[[], bytes]:
        return lambda: build(paper)

    files = [(file_name(organization, year, key), builder(BUILDERS[key])) for key in DOCUMENTS]
    files.append((xlsx_name(organization, year), builder(summary_workbook)))
    return files


FILE_COUNT = len(DOCUMENTS) + 1  # the PDFs and the workbook
