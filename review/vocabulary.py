"""The words of the domain: every Vietnamese label the pages and the documents share, in one place.

Pure: no Flask, no database, and no import of the rules either (the rules core imports this
module, so it stays at the bottom). The dictionaries are keyed by the stored values, the keys
SPEC uses (``"excellent"``, ``"official"``, ``"present"``...); the enumerations of
:mod:`review.rules` are ``StrEnum`` members, equal to those strings, so ``LEVEL_LABELS[Level.GOOD]``
works as well as ``LEVEL_LABELS["good"]``. ``rules`` and ``meetingfile`` keep enum-keyed views of the
same words under their historical names (``rules.LEVEL_LABELS``, ``meetingfile.POSITION_LABELS``).

A heading or sentence one page uses once is not vocabulary and stays in its template.

The words are Vietnamese, marked for the catalogs (``N_``; a wording with a value is a ``msg``,
which is its Vietnamese ``str``): the documents use them as they are, always Vietnamese, and a
page shows them through ``review.i18n.translate`` (the ``|t`` filter), in the page's language.
Dates and times are written by :mod:`review.text` (``format_when`` and its forms).
"""

from __future__ import annotations

import unicodedata
from typing import Final

from .translatable import N_, NP_, msg

# ---------------------------------------------------------------------------
# Levels (xếp loại, SPEC 2), best first.

LEVEL_LABELS: Final = {
    "excellent": N_("Hoàn thành xuất sắc nhiệm vụ"),
    "good": N_("Hoàn thành tốt nhiệm vụ"),
    "completed": N_("Hoàn thành nhiệm vụ"),
    "not_completed": N_("Không hoàn thành nhiệm vụ"),
}
LEVEL_SHORT: Final = {
    "excellent": N_("HTXSNV"),
    "good": N_("HTTNV"),
    "completed": N_("HTNV"),
    "not_completed": N_("KHTNV"),
}
# No level reached more than half of the base (rules.UNDECIDED): the cell votes again or the ward decides.
UNDECIDED_LABEL: Final = N_("Chưa đủ quá nửa")
# A member left out of the ballot (any of NOT_RATED_LABELS).
NOT_RATED_LABEL: Final = N_("Không xếp loại")

# ---------------------------------------------------------------------------
# Flags beside a result (SPEC 5.4, 5.5, 5.9), keyed by rules.FLAG_*.
# A wording that names a rule parameter's value (months) is a function of that value: the rules
# core owns the value and builds the complete dictionaries (rules.FLAG_LABELS, rules.NOT_RATED_LABELS,
# rules.flag_label for the profile in force).


def sick_leave_cap_label(months: int) -> str:
    """Return the sick-leave cap flag's wording for a cap of ``months`` (the rule profile's)."""
    return msg("Nghỉ ốm từ {months} tháng trở lên: xếp loại tối đa Hoàn thành nhiệm vụ", months=months)


def new_member_label(months: int) -> str:
    """Return the not-rated reason of a member admitted less than ``months`` before the meeting."""
    return msg("Vào Đảng chưa đủ {months} tháng", months=months)


# The flags' fixed wordings (the sick-leave cap's is sick_leave_cap_label).
FLAG_LABELS: Final = {
    "disciplined": N_("Bị kỷ luật trong năm: xếp loại Không hoàn thành nhiệm vụ"),
    "score_cap": N_("Điểm tự chấm giới hạn mức xếp loại"),
    "no_majority": N_("Không mức nào được quá nửa số thành viên: biểu quyết lại hoặc đảng ủy quyết định"),
    "two_years_not_completed": N_("Hai năm liền Không hoàn thành nhiệm vụ: chi bộ xem xét đề nghị xóa tên"),
    "member_not_completed": N_(
        "Chi bộ đề nghị Hoàn thành tốt trở lên trong khi có đảng viên Không hoàn thành nhiệm vụ"
    ),
    "many_not_completed": N_("Hơn 20% đảng viên được xếp loại Không hoàn thành nhiệm vụ"),
}

# Why a member is not rated (SPEC 3), keyed by rules.NotRatedReason (the new member's is
# new_member_label).
NOT_RATED_LABELS: Final = {
    "exempt": N_("Miễn công tác và sinh hoạt đảng"),
    "suspended": N_("Bị đình chỉ sinh hoạt đảng"),
}

# ---------------------------------------------------------------------------
# Members (SPEC 3) and the roll call.

STANDING_LABELS: Final = {"official": N_("Chính thức"), "probationary": N_("Dự bị")}
# A guest of the meeting (khách mời, SPEC 1.1), e.g. the ward committee's representative.
GUEST_LABEL: Final = N_("Khách mời")
POSITION_LABELS: Final = {
    "secretary": N_("Bí thư"),
    "deputy_secretary": N_("Phó Bí thư"),
    "committee": N_("Chi ủy viên"),
    "member": N_("Đảng viên"),
}
ATTENDANCE_LABELS: Final = {
    "present": N_("Có mặt"),
    "absent_excused": N_("Vắng có lý do"),
    "absent": N_("Vắng không lý do"),
}

# ---------------------------------------------------------------------------
# The ballot and its count (SPEC 1.6, 7).

# The row of the cell as an organisation, on the ballot and in every count.
CELL_ROW_LABEL: Final = N_("Tập thể chi bộ")
BALLOT_COUNT_LABELS: Final = {
    "issued": N_("Số phiếu phát ra"),
    "returned": N_("Số phiếu thu vào"),
    "valid": N_("Số phiếu hợp lệ"),
    "invalid": N_("Số phiếu không hợp lệ"),
}
# The blank-marks column: a valid ballot with no box ticked on a row, or more than one (spoiled).
# It was written three ways ("Bỏ trống, hỏng" on the counting page and the vote-count minutes,
# "Bỏ trống, gạch xóa" on the results page, "Bỏ trống / hỏng" on the tally sheet). Neither SPEC
# nor the examples name it (their key is only "blank"); the wording of the vote-count minutes,
# the signed document, wins, and is the one used everywhere.
BLANK_LABEL: Final = N_("Bỏ trống, hỏng")
# The columns of a count row: the four levels, then the blank marks (rules.VOTE_FIELDS).
VOTE_COLUMN_LABELS: Final = {**LEVEL_LABELS, "blank": BLANK_LABEL}
VOTE_COLUMN_SHORT: Final = {**LEVEL_SHORT, "blank": BLANK_LABEL}

# Two ballots (SPEC 5.8): the two papers, and ballot 2's boxes (rules.SECOND_BALLOT_FIELDS), the
# blank one worded as ballot 1's.
FIRST_BALLOT_TITLE: Final = N_("Vòng 1: phiếu xếp loại")
SECOND_BALLOT_TITLE: Final = N_("Vòng 2: phiếu biểu quyết đề nghị Hoàn thành xuất sắc nhiệm vụ")
BALLOT_NAMES: Final = {1: FIRST_BALLOT_TITLE, 2: SECOND_BALLOT_TITLE}  # by Tally.ballot
SECOND_BALLOT_COLUMN_LABELS: Final = {"agree": N_("Đồng ý"), "disagree": N_("Không đồng ý"), "blank": BLANK_LABEL}

# The two independent entries of a count, and the two confirmations of a seal.
TALLY_ENTRY_LABELS: Final = {"first": N_("Bản nhập thứ nhất"), "second": N_("Bản nhập thứ hai")}
APPROVER_LABELS: Final = {"chief": N_("Trưởng ban kiểm phiếu"), "secretary": N_("Bí thư chi bộ")}

# ---------------------------------------------------------------------------
# Where a cell's meeting stands (the ward's and the province's pages).

MEETING_STATE_LABELS: Final = {
    "none": N_("Chưa có hội nghị"),
    "recording": N_("Đang ghi biên bản"),
    "counting": N_("Đang kiểm phiếu"),
    "sealed": N_("Đã niêm phong"),
}

# ---------------------------------------------------------------------------
# The rule parameters (SPEC 6), as the results page and the ward's rule pages name them.

RULE_PARAMETER_LABELS: Final = {
    "quorum": N_("Tỉ lệ có mặt để hội nghị hợp lệ"),
    "excellent_threshold": N_("Ngưỡng phiếu Hoàn thành xuất sắc nhiệm vụ"),
    "cumulative": N_("Cộng dồn phiếu"),
    "ballot_mode": N_("Hình thức bỏ phiếu"),
    "quota_ratio": N_("Tỉ lệ xuất sắc tối đa"),
    "quota_pool": N_("Cơ sở tính tỉ lệ xuất sắc"),
}
# Keyed by rules.BallotMode.
BALLOT_MODE_LABELS: Final = {"single": N_("Bỏ phiếu một lần"), "two_phase": N_("Bỏ phiếu hai vòng")}
# What the quota on excellent is a share of, inside a sentence; keyed by rules.QuotaPool.
QUOTA_POOL_LABELS: Final = {
    "good_only": N_("số đảng viên được đề nghị Hoàn thành tốt nhiệm vụ"),
    "good_or_above": N_("số đảng viên được đề nghị Hoàn thành tốt nhiệm vụ trở lên (kể cả xuất sắc)"),
}

# ---------------------------------------------------------------------------
# The tasks the menus and the home page link to, keyed by the endpoint they open.

# The menu's words: in the "menu" context (the menu's "Chi bộ" is the list of cells).
TASK_LABELS: Final = {
    "main.index": NP_("menu", "Trang chủ"),
    "province.index": NP_("menu", "Toàn tỉnh"),
    "ward.dashboard": NP_("menu", "Theo dõi các chi bộ"),
    "ward.rules_index": NP_("menu", "Quy định đánh giá, xếp loại"),
    "ward.decision_index": NP_("menu", "Quyết định của Đảng ủy"),
    "ward.export": NP_("menu", "Tải toàn bộ tài liệu"),
    "ward.meeting_files": NP_("menu", "Nhận tệp hội nghị"),
    "ward.cells": NP_("menu", "Chi bộ"),
    "admin.organizations": NP_("menu", "Các đảng bộ"),
    "meeting.new": NP_("menu", "Mở hội nghị mới"),
    "roster.members": NP_("menu", "Danh sách đảng viên"),
    "results.results": NP_("menu", "Kết quả"),
    "counting.tally": NP_("menu", "Nhập kết quả kiểm phiếu"),
    "auth.password": NP_("menu", "Đổi mật khẩu"),
    "accounts.organization": NP_("menu", "Tài khoản"),
    "accounts.cell": NP_("menu", "Tài khoản của chi bộ"),
}

# ---------------------------------------------------------------------------
# Accounts (models.Role).

ROLE_LABELS: Final = {
    "admin": N_("Quản trị hệ thống"),
    "ward": N_("Đảng ủy phường"),
    "secretary": N_("Bí thư chi bộ"),
    "counter": N_("Ban kiểm phiếu"),
}


def lower_first(label: str) -> str:
    """Return a label as it reads inside a sentence: only the first letter lowered.

    "Vào Đảng chưa đủ 6 tháng" becomes "vào Đảng chưa đủ 6 tháng": the Party keeps its capital.
    """
    return label[:1].lower() + label[1:]


# The committee of a ward organisation (đảng ủy cơ sở, SPEC 9): the organisation's name with
# "Đảng bộ" turned into "Đảng ủy" ("Đảng bộ phường Thượng Thanh" -> "Đảng ủy phường Thượng Thanh").
# Words of a name (data, and the decision document's), not of the interface: never translated.
ORGANIZATION_WORD: Final = "Đảng bộ"  # i18n: vi-only
COMMITTEE_WORD: Final = "Đảng ủy"  # i18n: vi-only


def committee_name(organization: str) -> str:
    """Return the name of a ward organisation's committee, which issues the decision (SPEC 9).

    "Đảng bộ phường Thượng Thanh" gives "Đảng ủy phường Thượng Thanh" (whatever the case of
    "Đảng bộ"); a name that does not start with it gives "Đảng ủy " before it ("Phường X" ->
    "Đảng ủy phường X").
    """
    name = unicodedata.normalize("NFC", organization).strip()
    head = name[: len(ORGANIZATION_WORD)]
    if head.lower() == ORGANIZATION_WORD.lower() and name[len(ORGANIZATION_WORD) : len(ORGANIZATION_WORD) + 1] in (
        "",
        " ",
    ):
        return (COMMITTEE_WORD + name[len(ORGANIZATION_WORD) :]).strip()
    return f"{COMMITTEE_WORD} {lower_first(name)}".strip()


# A quota badge (the province's table of wards): the proposals of HTXSNV against the most the
# quota allows, in words, not "2/1".
QUOTA_BADGES: Final = {
    "exceeded": N_("Vượt tỉ lệ: {excellent} đề nghị HTXSNV, tối đa {limit}"),
    "within": N_("Trong tỉ lệ: {excellent} đề nghị HTXSNV, tối đa {limit}"),
}


def quota_badge(excellent: int, limit: int) -> str:
    """Return a quota's badge in words: "Vượt tỉ lệ: 2 đề nghị HTXSNV, tối đa 1"."""
    key = "exceeded" if excellent > limit else "within"
    return msg(QUOTA_BADGES[key], excellent=excellent, limit=limit)


# What templates see as globals (registered once by the app factory).
TEMPLATE_GLOBALS: Final = {
    "LEVEL_LABELS": LEVEL_LABELS,
    "LEVEL_SHORT": LEVEL_SHORT,
    "STANDING_LABELS": STANDING_LABELS,
    "POSITION_LABELS": POSITION_LABELS,
    "ATTENDANCE_LABELS": ATTENDANCE_LABELS,
    "ROLE_LABELS": ROLE_LABELS,
    "BLANK_LABEL": BLANK_LABEL,
    "CELL_ROW_LABEL": CELL_ROW_LABEL,
    "NOT_RATED_LABEL": NOT_RATED_LABEL,
    "MEETING_STATE_LABELS": MEETING_STATE_LABELS,
    "BALLOT_COUNT_LABELS": BALLOT_COUNT_LABELS,
    "TASK_LABELS": TASK_LABELS,
    "quota_badge": quota_badge,
}


# ---------------------------------------------------------------------------
# The ward committee's decision (SPEC 9), where a page cites it.

# The source of a level the committee decided, e.g. of next year's "previous level".
DECISION_SOURCE: Final = N_("Theo Quyết định số {number} ngày {day} của Đảng ủy")


# ---------------------------------------------------------------------------
# Two ballots (SPEC 5.8): the ward's rule page and the results page.

AGREE_CAP_LABEL: Final = N_("Giới hạn phiếu đồng ý ở vòng 2")
# Keyed by rules.AgreeCap: the form's choices and the results page's rule line.
AGREE_CAP_LABELS: Final = {
    "none": N_("Không giới hạn"),
    "quota": N_("Theo tỉ lệ xuất sắc"),
}
# The two papers' titles and ballot 2's boxes: FIRST_BALLOT_TITLE, SECOND_BALLOT_TITLE and
# SECOND_BALLOT_COLUMN_LABELS above, with the counting committee's words.
