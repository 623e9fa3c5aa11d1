"""The words of the domain: every Vietnamese label the pages and the documents share, in one place.

Pure: no Flask, no database, and no import of the rules either (the rules core imports this
module, so it stays at the bottom). The dictionaries are keyed by the stored values, the keys
SPEC uses (``"excellent"``, ``"official"``, ``"present"``...); the enumerations of
:mod:`review.rules` are ``StrEnum`` members, equal to those strings, so ``LEVEL_LABELS[Level.GOOD]``
works as well as ``LEVEL_LABELS["good"]``. ``rules`` and ``meetingfile`` keep enum-keyed views of the
same words under their historical names (``rules.LEVEL_LABELS``, ``meetingfile.POSITION_LABELS``).

A heading or sentence one page uses once is not vocabulary and stays in its template.
Dates and times are written by :mod:`review.text` (``format_when`` and its forms).
"""

from __future__ import annotations

import unicodedata
from typing import Final

# ---------------------------------------------------------------------------
# Levels (xếp loại, SPEC 2), best first.

LEVEL_LABELS: Final = {
    "excellent": "Hoàn thành xuất sắc nhiệm vụ",
    "good": "Hoàn thành tốt nhiệm vụ",
    "completed": "Hoàn thành nhiệm vụ",
    "not_completed": "Không hoàn thành nhiệm vụ",
}
LEVEL_SHORT: Final = {
    "excellent": "HTXSNV",
    "good": "HTTNV",
    "completed": "HTNV",
    "not_completed": "KHTNV",
}
# No level reached more than half of the base (rules.UNDECIDED): the cell votes again or the ward decides.
UNDECIDED_LABEL: Final = "Chưa đủ quá nửa"
# A member left out of the ballot (any of NOT_RATED_LABELS).
NOT_RATED_LABEL: Final = "Không xếp loại"

# ---------------------------------------------------------------------------
# Flags beside a result (SPEC 5.4, 5.5, 5.9), keyed by rules.FLAG_*.
# A wording that names a rule parameter's value (months) is a function of that value: the rules
# core owns the value and builds the complete dictionaries (rules.FLAG_LABELS, rules.NOT_RATED_LABELS,
# rules.flag_label for the profile in force).


def sick_leave_cap_label(months: int) -> str:
    """Return the sick-leave cap flag's wording for a cap of ``months`` (the rule profile's)."""
    return f"Nghỉ ốm từ {months} tháng trở lên: xếp loại tối đa Hoàn thành nhiệm vụ"


def new_member_label(months: int) -> str:
    """Return the not-rated reason of a member admitted less than ``months`` before the meeting."""
    return f"Vào Đảng chưa đủ {months} tháng"


# The flags' fixed wordings (the sick-leave cap's is sick_leave_cap_label).
FLAG_LABELS: Final = {
    "disciplined": "Bị kỷ luật trong năm: xếp loại Không hoàn thành nhiệm vụ",
    "score_cap": "Điểm tự chấm giới hạn mức xếp loại",
    "no_majority": "Không mức nào được quá nửa số thành viên: biểu quyết lại hoặc đảng ủy quyết định",
    "two_years_not_completed": "Hai năm liền Không hoàn thành nhiệm vụ: chi bộ xem xét đề nghị xóa tên",
    "member_not_completed": "Chi bộ đề nghị Hoàn thành tốt trở lên trong khi có đảng viên Không hoàn thành nhiệm vụ",
    "many_not_completed": "Hơn 20% đảng viên được xếp loại Không hoàn thành nhiệm vụ",
}

# Why a member is not rated (SPEC 3), keyed by rules.NotRatedReason (the new member's is
# new_member_label).
NOT_RATED_LABELS: Final = {
    "exempt": "Miễn công tác và sinh hoạt đảng",
    "suspended": "Bị đình chỉ sinh hoạt đảng",
}

# ---------------------------------------------------------------------------
# Members (SPEC 3) and the roll call.

STANDING_LABELS: Final = {"official": "Chính thức", "probationary": "Dự bị"}
# A guest of the meeting (khách mời, SPEC 1.1), e.g. the ward committee's representative.
GUEST_LABEL: Final = "Khách mời"
POSITION_LABELS: Final = {
    "secretary": "Bí thư",
    "deputy_secretary": "Phó Bí thư",
    "committee": "Chi ủy viên",
    "member": "Đảng viên",
}
ATTENDANCE_LABELS: Final = {
    "present": "Có mặt",
    "absent_excused": "Vắng có lý do",
    "absent": "Vắng không lý do",
}

# ---------------------------------------------------------------------------
# The ballot and its count (SPEC 1.6, 7).

# The row of the cell as an organisation, on the ballot and in every count.
CELL_ROW_LABEL: Final = "Tập thể chi bộ"
BALLOT_COUNT_LABELS: Final = {
    "issued": "Số phiếu phát ra",
    "returned": "Số phiếu thu vào",
    "valid": "Số phiếu hợp lệ",
    "invalid": "Số phiếu không hợp lệ",
}
# The blank-marks column: a valid ballot with no box ticked on a row, or more than one (spoiled).
# It was written three ways ("Bỏ trống, hỏng" on the counting page and the vote-count minutes,
# "Bỏ trống, gạch xóa" on the results page, "Bỏ trống / hỏng" on the tally sheet). Neither SPEC
# nor the examples name it (their key is only "blank"); the wording of the vote-count minutes,
# the signed document, wins, and is the one used everywhere.
BLANK_LABEL: Final = "Bỏ trống, hỏng"
# The columns of a count row: the four levels, then the blank marks (rules.VOTE_FIELDS).
VOTE_COLUMN_LABELS: Final = {**LEVEL_LABELS, "blank": BLANK_LABEL}
VOTE_COLUMN_SHORT: Final = {**LEVEL_SHORT, "blank": BLANK_LABEL}

# Two ballots (SPEC 5.8): the two papers, and ballot 2's boxes (rules.SECOND_BALLOT_FIELDS), the
# blank one worded as ballot 1's.
FIRST_BALLOT_TITLE: Final = "Vòng 1: phiếu xếp loại"
SECOND_BALLOT_TITLE: Final = "Vòng 2: phiếu biểu quyết đề nghị Hoàn thành xuất sắc nhiệm vụ"
BALLOT_NAMES: Final = {1: FIRST_BALLOT_TITLE, 2: SECOND_BALLOT_TITLE}  # by Tally.ballot
SECOND_BALLOT_COLUMN_LABELS: Final = {"agree": "Đồng ý", "disagree": "Không đồng ý", "blank": BLANK_LABEL}

# The two independent entries of a count, and the two confirmations of a seal.
TALLY_ENTRY_LABELS: Final = {"first": "Bản nhập thứ nhất", "second": "Bản nhập thứ hai"}
APPROVER_LABELS: Final = {"chief": "Trưởng ban kiểm phiếu", "secretary": "Bí thư chi bộ"}

# ---------------------------------------------------------------------------
# Where a cell's meeting stands (the ward's and the province's pages).

MEETING_STATE_LABELS: Final = {
    "none": "Chưa có hội nghị",
    "recording": "Đang ghi biên bản",
    "counting": "Đang kiểm phiếu",
    "sealed": "Đã niêm phong",
}

# ---------------------------------------------------------------------------
# The rule parameters (SPEC 6), as the results page and the ward's rule pages name them.

RULE_PARAMETER_LABELS: Final = {
    "quorum": "Tỉ lệ có mặt để hội nghị hợp lệ",
    "excellent_threshold": "Ngưỡng phiếu Hoàn thành xuất sắc nhiệm vụ",
    "cumulative": "Cộng dồn phiếu",
    "ballot_mode": "Hình thức bỏ phiếu",
    "quota_ratio": "Tỉ lệ xuất sắc tối đa",
    "quota_pool": "Cơ sở tính tỉ lệ xuất sắc",
}
# Keyed by rules.BallotMode.
BALLOT_MODE_LABELS: Final = {"single": "Bỏ phiếu một lần", "two_phase": "Bỏ phiếu hai vòng"}
# What the quota on excellent is a share of, inside a sentence; keyed by rules.QuotaPool.
QUOTA_POOL_LABELS: Final = {
    "good_only": "số đảng viên được đề nghị Hoàn thành tốt nhiệm vụ",
    "good_or_above": "số đảng viên được đề nghị Hoàn thành tốt nhiệm vụ trở lên (kể cả xuất sắc)",
}

# ---------------------------------------------------------------------------
# The tasks the menus and the home page link to, keyed by the endpoint they open.

TASK_LABELS: Final = {
    "main.index": "Trang chủ",
    "province.index": "Toàn tỉnh",
    "ward.dashboard": "Theo dõi các chi bộ",
    "ward.rules_index": "Quy định đánh giá, xếp loại",
    "ward.decision_index": "Quyết định của Đảng ủy",
    "ward.export": "Tải toàn bộ tài liệu",
    "ward.meeting_files": "Nhận tệp hội nghị",
    "ward.cells": "Chi bộ",
    "admin.organizations": "Các đảng bộ",
    "meeting.new": "Mở hội nghị mới",
    "roster.members": "Danh sách đảng viên",
    "results.results": "Kết quả",
    "counting.tally": "Nhập kết quả kiểm phiếu",
    "auth.password": "Đổi mật khẩu",
    "accounts.organization": "Tài khoản",
    "accounts.cell": "Tài khoản của chi bộ",
}

# ---------------------------------------------------------------------------
# Accounts (models.Role).

ROLE_LABELS: Final = {
    "admin": "Quản trị hệ thống",
    "ward": "Đảng ủy phường",
    "secretary": "Bí thư chi bộ",
    "counter": "Ban kiểm phiếu",
}


def lower_first(label: str) -> str:
    """Return a label as it reads inside a sentence: only the first letter lowered.

    "Vào Đảng chưa đủ 6 tháng" becomes "vào Đảng chưa đủ 6 tháng": the Party keeps its capital.
    """
    return label[:1].lower() + label[1:]


# The committee of a ward organisation (đảng ủy cơ sở, SPEC 9): the organisation's name with
# "Đảng bộ" turned into "Đảng ủy" ("Đảng bộ phường Thượng Thanh" -> "Đảng ủy phường Thượng Thanh").
ORGANIZATION_WORD: Final = "Đảng bộ"
COMMITTEE_WORD: Final = "Đảng ủy"


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
    "exceeded": "Vượt tỉ lệ: {excellent} đề nghị HTXSNV, tối đa {limit}",
    "within": "Trong tỉ lệ: {excellent} đề nghị HTXSNV, tối đa {limit}",
}


def quota_badge(excellent: int, limit: int) -> str:
    """Return a quota's badge in words: "Vượt tỉ lệ: 2 đề nghị HTXSNV, tối đa 1"."""
    key = "exceeded" if excellent > limit else "within"
    return QUOTA_BADGES[key].format(excellent=excellent, limit=limit)


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
DECISION_SOURCE: Final = "Theo Quyết định số {number} ngày {day} của Đảng ủy"


# ---------------------------------------------------------------------------
# Two ballots (SPEC 5.8): the ward's rule page and the results page.

AGREE_CAP_LABEL: Final = "Giới hạn phiếu đồng ý ở vòng 2"
# Keyed by rules.AgreeCap: the form's choices and the results page's rule line.
AGREE_CAP_LABELS: Final = {
    "none": "Không giới hạn",
    "quota": "Theo tỉ lệ xuất sắc",
}
# The two papers' titles and ballot 2's boxes: FIRST_BALLOT_TITLE, SECOND_BALLOT_TITLE and
# SECOND_BALLOT_COLUMN_LABELS above, with the counting committee's words.
