"""The meeting's documents as PDF bytes: gather plain data, call reports/, nothing else."""

from __future__ import annotations

from collections.abc import Callable

from reports.ballot import ballot_paper, tally_sheet
from reports.minutes import SealInfo, count_minutes, meeting_minutes

from . import clock
from .meeting_store import record_file, seal_differences
from .meetingfile import MeetingFile
from .models import Meeting

DOCUMENTS: dict[str, tuple[str, str]] = {
    # key: (Vietnamese title, file name stem)
    "minutes": ("Biên bản hội nghị", "bien-ban-hoi-nghi"),
    "count-minutes": ("Biên bản kiểm phiếu", "bien-ban-kiem-phieu"),
    "ballot-paper": ("Phiếu xếp loại", "phieu-xep-loai"),
    "tally-sheet": ("Bảng kiểm phiếu", "bang-kiem-phieu"),
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


def _minutes(mf: MeetingFile, meeting: Meeting) -> bytes:
    return meeting_minutes(mf, mf.evaluate(), seal_info(meeting))


def _count_minutes(mf: MeetingFile, meeting: Meeting) -> bytes:
    return count_minutes(mf, mf.evaluate(), seal_info(meeting))


BUILDERS: dict[str, Callable[[MeetingFile, Meeting], bytes]] = {
    "minutes": _minutes,
    "count-minutes": _count_minutes,
    "ballot-paper": lambda mf, meeting: ballot_paper(mf),
    "tally-sheet": lambda mf, meeting: tally_sheet(mf),
}


def render_document(meeting: Meeting, key: str) -> bytes:
    """Return one document of the meeting as PDF bytes: a sealed meeting's from what was sealed (SPEC 5.7a)."""
    return BUILDERS[key](record_file(meeting), meeting)


def file_name(meeting: Meeting, key: str) -> str:
    """Return an ASCII file name for a document, e.g. 'bien-ban-hoi-nghi-2020-chi-bo-12.pdf'."""
    return f"{DOCUMENTS[key][1]}-{meeting.year}-chi-bo-{meeting.cell_id}.pdf"
