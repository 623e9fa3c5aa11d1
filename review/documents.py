"""The meeting's documents as PDF or Word bytes: gather plain data, call reports/, nothing else.

One description (reports.document.Document) per document, built here from the meeting's record;
either writer renders it (SPEC 7: the PDF, and the editable Word copy), so the two cannot drift.
"""

from __future__ import annotations

from collections.abc import Callable

from werkzeug.exceptions import NotFound

from reports import pdf_writer
from reports.ballot import (
    ballot_paper_document,
    second_ballot_paper_document,
    second_paper_missing,
    tally_sheet_document,
)
from reports.document import Document
from reports.minutes import SealInfo, count_minutes_document, minutes_document

from . import clock
from .i18n import in_vietnamese
from .meeting_store import FINAL_TALLY, FIRST_BALLOT, record_file, review_year_rules, seal_differences
from .meetingfile import MeetingFile
from .models import Meeting
from .rules import BallotMode
from .translatable import N_

SECOND_PAPER = "ballot-paper-2"  # ballot 2's paper (phiếu biểu quyết đề nghị Hoàn thành xuất sắc nhiệm vụ)


class DocumentUnavailable(NotFound):
    """A document the meeting does not have (yet): ballot 2's paper of a single-ballot meeting, or
    before ballot 1 is counted. A page answers 404; the command line prints ``description``."""


DOCUMENTS: dict[str, tuple[str, str]] = {
    # key: (Vietnamese title, file name stem)
    "minutes": (N_("Biên bản hội nghị"), "bien-ban-hoi-nghi"),
    "count-minutes": (N_("Biên bản kiểm phiếu"), "bien-ban-kiem-phieu"),
    "ballot-paper": (N_("Phiếu xếp loại"), "phieu-xep-loai"),
    "tally-sheet": (N_("Bảng kiểm phiếu"), "bang-kiem-phieu"),
    # Two ballots only (SPEC 5.8), once ballot 1 is counted: see ``available``.
    SECOND_PAPER: (N_("Phiếu biểu quyết vòng 2"), "phieu-bieu-quyet-vong-2"),
}


def seal_info(meeting: Meeting) -> SealInfo | None:
    """Return the seal in force as the documents print it, with any difference of the stored data, or None (a draft)."""
    seal = meeting.current_seal
    if seal is None:
        return None
    return SealInfo(
        seal.version,
        seal.fingerprint,
        clock.when(seal.sealed_at, "minute"),  # an instant, in local time
        tuple(seal_differences(meeting)),
    )


def _minutes(mf: MeetingFile, meeting: Meeting) -> Document:
    return minutes_document(mf, mf.evaluate(), seal_info(meeting))


def _count_minutes(mf: MeetingFile, meeting: Meeting) -> Document:
    return count_minutes_document(mf, mf.evaluate(), seal_info(meeting))


def _second_paper(mf: MeetingFile, meeting: Meeting) -> Document:
    result = mf.evaluate()
    missing = second_paper_missing(mf, result)
    if missing is not None:
        raise DocumentUnavailable(missing)
    return second_ballot_paper_document(mf, result)


# The one table of builders: each document's description, rendered by either writer.
BUILDERS: dict[str, Callable[[MeetingFile, Meeting], Document]] = {
    "minutes": _minutes,
    "count-minutes": _count_minutes,
    "ballot-paper": lambda mf, meeting: ballot_paper_document(mf),
    "tally-sheet": lambda mf, meeting: tally_sheet_document(mf),
    SECOND_PAPER: _second_paper,
}
FORMATS = ("pdf", "docx")  # the file name extensions, the PDF first


def available(meeting: Meeting, key: str) -> bool:
    """Return whether the meeting has the document ``key`` now: every one does, but ballot 2's paper
    only a two-ballot meeting whose ballot 1 is counted and gave it candidates (SPEC 5.8).

    A single-ballot meeting is told apart by its rules alone, without reading its records.
    """
    if key != SECOND_PAPER:
        return key in DOCUMENTS
    if review_year_rules(meeting.review_year).ballot_mode is not BallotMode.TWO_PHASE:
        return False
    if meeting.tally(FINAL_TALLY, FIRST_BALLOT) is None and not meeting.sealed:
        return False
    mf = record_file(meeting)
    return second_paper_missing(mf, mf.evaluate()) is None


@in_vietnamese  # a Party document: Vietnamese whatever the interface's language
def describe(meeting: Meeting, key: str) -> Document:
    """Return one document of the meeting as its description: a sealed meeting's from what was sealed (SPEC 5.7a)."""
    return BUILDERS[key](record_file(meeting), meeting)


def render_document(meeting: Meeting, key: str) -> bytes:
    """Return one document of the meeting as PDF bytes."""
    return pdf_writer.render(describe(meeting, key))


def render_docx(meeting: Meeting, key: str) -> bytes:
    """Return one document of the meeting as a Word file (DOCX bytes): the same description as the PDF."""
    # python-docx is imported only here: starting the application does not need it.
    from reports import docx_writer

    return docx_writer.render(describe(meeting, key))


def render_as(meeting: Meeting, key: str, extension: str) -> bytes:
    """Return one document of the meeting in the format named by a file extension ('pdf' or 'docx')."""
    return render_docx(meeting, key) if extension == "docx" else render_document(meeting, key)


def file_name(meeting: Meeting, key: str, extension: str = "pdf") -> str:
    """Return an ASCII file name for a document, e.g. 'bien-ban-hoi-nghi-2020-chi-bo-12.pdf' (or '.docx')."""
    return f"{DOCUMENTS[key][1]}-{meeting.year}-chi-bo-{meeting.cell_id}.{extension}"
