"""What a seal covers (SPEC 5.7a), as pure functions over payload documents.

A seal's payload is a meeting file document (``meetingfile.dump``) cut down to what decides
the results, and the results: the organisation, the year and the rules, the meeting's date
(``meeting.starts_at``), every member's name, standing, position, admission date, flags and
attendance (with the reason of an absence), the ballot (its counters are the committee) and
``results``. The rest of a meeting file is the minutes' content, editable after the seal:
the review texts, the collective reviews, the guests, the location, the closing (``ends_at``,
``minutes_approved_by``), and the chair and the minute-taker.

Reading: SPEC 5.7a's list does not name the chair or the minute-taker, and neither decides a
result (a counter's eligibility is the ballot's, checked when the ballot is sealed): they are
read as the minutes' content, like the location.

Seals made before this reading carry a larger payload (the whole ``meeting`` object, guests
included). They are never rewritten: :func:`covered_part` projects any payload, old or new,
onto what is covered, and comparisons are made on that projection.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from contextlib import suppress
from datetime import date, datetime
from typing import Any

from .meetingfile import MeetingFile, dump
from .rules import NOT_RATED_LABELS
from .text import format_when
from .vocabulary import (
    ATTENDANCE_LABELS,
    BALLOT_COUNT_LABELS,
    BALLOT_NAMES,
    BLANK_LABEL,
    CELL_ROW_LABEL,
    LEVEL_LABELS,
    POSITION_LABELS,
    SECOND_BALLOT_COLUMN_LABELS,
    STANDING_LABELS,
    UNDECIDED_LABEL,
    lower_first,
)

# The covered keys of the meeting's own object; its other keys are the minutes' content.
COVERED_MEETING_KEYS = ("starts_at",)
# The minutes' content a sealed meeting file takes from the current records.
MINUTES_MEETING_KEYS = ("ends_at", "location", "chair", "minute_taker", "guests", "minutes_approved_by")
# The covered keys of a member (a payload member never carries its review).
MEMBER_FLAG_KEYS = (
    "exempt",
    "suspended",
    "temporary_elsewhere",
    "disciplined_in_year",
    "sick_leave_months",
    "previous_level",
)
MEMBER_DEFAULTS: dict[str, Any] = {
    "exempt": False,
    "suspended": False,
    "temporary_elsewhere": False,
    "disciplined_in_year": False,
    "sick_leave_months": 0,
    "previous_level": None,
    "absence_reason": "",
}
TOP_COVERED_KEYS = ("format", "organization", "year", "rules", "ballot", "results")

# Vietnamese names of the covered values, for the differences.
MEMBER_FIELD_LABELS = {
    "name": "họ và tên",
    "standing": "đảng viên chính thức/dự bị",
    "position": "chức vụ",
    "admitted_on": "ngày vào Đảng",
    "attendance": "kiểm diện",
    "absence_reason": "lý do vắng",
    "exempt": "miễn công tác và sinh hoạt đảng",
    "suspended": "bị đình chỉ sinh hoạt đảng",
    "temporary_elsewhere": "sinh hoạt tạm thời nơi khác",
    "disciplined_in_year": "bị kỷ luật trong năm",
    "sick_leave_months": "số tháng nghỉ ốm",
    "previous_level": "xếp loại năm trước",
}
ORGANIZATION_LABELS = {"parent": "tên đảng bộ", "cell": "tên chi bộ", "place": "địa danh"}
BALLOT_LABELS = {
    "counters": "ban kiểm phiếu",
    # "thu vào" as every page and document writes it (this one said "thu về").
    **{name: lower_first(BALLOT_COUNT_LABELS[name]) for name in ("issued", "returned", "invalid")},
    "invalid_reasons": "lý do phiếu không hợp lệ",
}
RESULT_LABELS = {
    "candidates": "người được đưa vào phiếu vòng 2",
    "base": "cơ sở tính (số thành viên)",
    "voters_present": "số đảng viên có mặt biểu quyết",
    "quorum_required": "số có mặt cần để hội nghị hợp lệ",
    "quorum_met": "hội nghị đủ số lượng",
    "rated": "được xếp loại",
    "not_rated_reason": "lý do không xếp loại",
    "vote_level": "mức đạt theo phiếu",
    "proposed_level": "mức đề nghị",
    "flags": "ghi chú",
    "pool": "số đảng viên trong diện tính tỉ lệ",
    "limit": "số Hoàn thành xuất sắc tối đa",
    "excellent": "số Hoàn thành xuất sắc",
    "exceeded": "vượt tỉ lệ",
}
VALUE_LABELS: dict[Any, str] = {
    True: "có",
    False: "không",
    None: "(không có)",
    "": "(trống)",
    # The shared words (review/vocabulary.py), inside a sentence: only the first letter lowered
    # ("vào Đảng ...": the Party keeps its capital).
    **{key: lower_first(label) for key, label in STANDING_LABELS.items()},
    **{key: lower_first(label) for key, label in ATTENDANCE_LABELS.items()},
    "undecided": lower_first(UNDECIDED_LABEL),
    **LEVEL_LABELS,
    **POSITION_LABELS,
    **{key: lower_first(label) for key, label in NOT_RATED_LABELS.items()},
}
VOTE_LABELS = {
    "excellent": "phiếu Hoàn thành xuất sắc",
    "good": "phiếu Hoàn thành tốt",
    "completed": "phiếu Hoàn thành",
    "not_completed": "phiếu Không hoàn thành",
    "blank": f"phiếu {lower_first(BLANK_LABEL)}",  # the one wording of the blank marks (was "để trống")
}
# Two ballots (SPEC 5.8, format 2): a ballot's name in a difference, and ballot 2's columns.
# "Phiếu vòng 1" / "Phiếu vòng 2": the first words of BALLOT_NAMES ("Vòng 1: phiếu xếp loại", ...).
BALLOT_PART_NAMES = {"first": BALLOT_NAMES[1].split(":")[0], "second": BALLOT_NAMES[2].split(":")[0]}
CELL_LABEL = lower_first(CELL_ROW_LABEL)
SECOND_VOTE_LABELS = {name: f"phiếu {lower_first(label)}" for name, label in SECOND_BALLOT_COLUMN_LABELS.items()}


# ---------------------------------------------------------------------------
# The payload a seal stores, and its fingerprint


def sealed_payload(mf: MeetingFile) -> str:
    """Return the canonical text that a seal fingerprints: what decides the results, and the results.

    That is what SPEC 5.7a says a seal covers (:func:`covered_part` of the meeting file):
    organisation, year, rules, the meeting's date, every member's name, standing, position,
    admission date, flags and attendance, the ballot with its committee, and the results the
    rules core computes from them; not the minutes' content (review texts, guests, location,
    chair, minute-taker, closing). Keys sorted, no spaces, UTF-8 after NFC.
    """
    return canonical_payload(covered_part(dump(mf)))


def canonical_payload(document: dict[str, Any]) -> str:
    """Return a payload document as the canonical text a seal stores and fingerprints."""
    return json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def fingerprint(payload: str) -> str:
    """Return the SHA-256 of a sealed payload, in hexadecimal."""
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def read_payload(payload: str) -> dict[str, Any] | None:
    """Return a stored payload text as a document, or None when it cannot be read."""
    try:
        document = json.loads(payload)
    except (ValueError, RecursionError):
        return None
    return document if isinstance(document, dict) else None


# ---------------------------------------------------------------------------
# What a payload covers, and how two payloads differ


def covered_member(member: Mapping[str, Any]) -> dict[str, Any]:
    """Return a payload member's covered values (everything but its review), defaults written out."""
    return {key: value for key, value in member.items() if key != "review"}


def covered_part(document: Mapping[str, Any]) -> dict[str, Any]:
    """Return what a seal covers of a payload or meeting file document, old or new payloads alike."""
    covered: dict[str, Any] = {key: document[key] for key in TOP_COVERED_KEYS if key in document}
    meeting = document.get("meeting") or {}
    covered["meeting"] = {key: meeting.get(key) for key in COVERED_MEETING_KEYS}
    covered["members"] = [covered_member(m) for m in document.get("members", [])]
    return covered


def sealed_document(sealed: Mapping[str, Any], current: Mapping[str, Any]) -> dict[str, Any]:
    """Return a meeting file document: the covered part from ``sealed``, the minutes' content from ``current``.

    ``current`` is the meeting file document of the records as they are now. A member's review
    is taken from the current member of the same id (the seal keeps every member, so each has one).
    """
    document = covered_part(sealed)
    document.pop("results", None)  # computed again from what was sealed
    current_meeting = current.get("meeting") or {}
    document["meeting"] |= {key: current_meeting.get(key) for key in MINUTES_MEETING_KEYS}
    document["meeting"].setdefault("guests", [])
    document["meeting"]["guests"] = list(document["meeting"]["guests"] or [])
    document["meeting"]["location"] = document["meeting"]["location"] or ""
    reviews = {m.get("id"): m.get("review") for m in current.get("members", [])}
    for member in document["members"]:
        if reviews.get(member.get("id")) is not None:
            member["review"] = reviews[member["id"]]
    document["collective_reviews"] = list(current.get("collective_reviews", []))
    ballot = document.get("ballot")
    order = {m.get("id"): i for i, m in enumerate(document["members"])}
    # A payload's keys are sorted: give the rows back in the meeting's order, the cell last;
    # under two ballots (format 2) the rows of each ballot, ``first`` and ``second``.
    parts: list[Any] = [ballot] if isinstance(ballot, dict) else []
    if isinstance(ballot, dict) and ("first" in ballot or "second" in ballot):
        parts = [ballot.get(name) for name in BALLOT_PART_NAMES]
    for part in parts:
        if isinstance(part, dict) and isinstance(part.get("rows"), dict):
            part["rows"] = dict(sorted(part["rows"].items(), key=lambda item: order.get(item[0], len(order))))
    return document


def _shown(value: Any) -> str:
    if isinstance(value, (bool, type(None))) or (isinstance(value, str) and value in VALUE_LABELS):
        return VALUE_LABELS[value]
    if isinstance(value, list):
        return ", ".join(_shown(v) for v in value) or "(không có)"
    # A date or a moment of the payload (ISO text), as the pages write it (review/text.py).
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        with suppress(ValueError):
            return format_when(date.fromisoformat(value), "date")
    if isinstance(value, str) and len(value) >= 16 and value[10] == "T":
        with suppress(ValueError):
            moment = datetime.fromisoformat(value)
            if moment.tzinfo is None:  # the payload's moments are civil times (starts_at): naive
                return format_when(moment, "minute")
    return f"“{value}”" if isinstance(value, str) else str(value)


def _line(what: str, sealed: Any, stored: Any) -> str:
    return f"{what}: khi niêm phong là {_shown(sealed)}, dữ liệu hiện lưu là {_shown(stored)}."


def _compare(what: str, sealed: Any, stored: Any, out: list[str]) -> None:
    if sealed != stored:
        out.append(_line(what, sealed, stored))


def _compare_dicts(
    prefix: str, labels: Mapping[str, str], sealed: Mapping[str, Any], stored: Mapping[str, Any], out: list[str]
) -> None:
    for key in dict.fromkeys([*sealed, *stored]):
        label = labels.get(key, key)
        _compare(f"{prefix}{label}", sealed.get(key), stored.get(key), out)


def differences(sealed_payload: Mapping[str, Any], stored_payload: Mapping[str, Any]) -> list[str]:
    """Return, in Vietnamese, each covered value that differs between what was sealed and what is stored.

    Both arguments are payload documents (any payload: only :func:`covered_part` is compared).
    A member is named by the name the seal recorded.
    """
    sealed, stored = covered_part(sealed_payload), covered_part(stored_payload)
    out: list[str] = []
    _compare_dicts(
        "Tổ chức, ", ORGANIZATION_LABELS, sealed.get("organization", {}), stored.get("organization", {}), out
    )
    _compare("Năm đánh giá", sealed.get("year"), stored.get("year"), out)
    _compare("Quy định áp dụng", _rules_text(sealed.get("rules")), _rules_text(stored.get("rules")), out)
    _compare(
        "Thời gian khai mạc (ngày họp)", sealed["meeting"].get("starts_at"), stored["meeting"].get("starts_at"), out
    )

    sealed_members = {m.get("id"): m for m in sealed["members"]}
    stored_members = {m.get("id"): m for m in stored["members"]}
    names = {key: m.get("name", key) for key, m in {**stored_members, **sealed_members}.items()}
    for key, member in sealed_members.items():
        other = stored_members.get(key)
        if other is None:
            out.append(f"Đồng chí {names[key]}: có trong bản niêm phong nhưng không còn trong dữ liệu hiện lưu.")
            continue
        for field in dict.fromkeys([*member, *other]):
            if field == "id":
                continue
            default = MEMBER_DEFAULTS.get(field)
            _compare(
                f"Đồng chí {names[key]}, {MEMBER_FIELD_LABELS.get(field, field)}",
                member.get(field, default),
                other.get(field, default),
                out,
            )
    for key in stored_members.keys() - sealed_members.keys():
        out.append(f"Đồng chí {names[key]}: có trong dữ liệu hiện lưu nhưng không có trong bản niêm phong.")
    if [m.get("id") for m in sealed["members"]] != [
        m.get("id") for m in stored["members"]
    ] and sealed_members.keys() == stored_members.keys():
        out.append("Thứ tự đảng viên trong danh sách khác với bản niêm phong.")

    _ballot_differences(sealed.get("ballot"), stored.get("ballot"), names, out)
    _result_differences(sealed.get("results"), stored.get("results"), names, out)
    return out


def _rules_text(rules: Any) -> str | None:
    if not isinstance(rules, Mapping):
        return None
    return ", ".join(f"{k}={rules[k]}" for k in sorted(rules))


def _ballot_differences(sealed: Any, stored: Any, names: Mapping[str, str], out: list[str]) -> None:
    if sealed is None or stored is None:
        if sealed is not stored:
            out.append(_line("Kết quả kiểm phiếu", True if sealed else None, True if stored else None))
        return
    counters_a = [names.get(c, c) for c in sealed.get("counters") or []]
    counters_b = [names.get(c, c) for c in stored.get("counters") or []]
    _compare(f"Phiếu, {BALLOT_LABELS['counters']}", counters_a, counters_b, out)
    two_a, two_b = _two_ballots(sealed), _two_ballots(stored)
    if not two_a and not two_b:
        _paper_differences("Phiếu", "Phiếu của", VOTE_LABELS, sealed, stored, names, out)
        return
    if two_a != two_b:  # one ballot against two: the ballot mode differs, said once
        out.append(_line("Số vòng bỏ phiếu", 2 if two_a else 1, 2 if two_b else 1))
        return
    # Two ballots (format 2): each ballot's papers and rows, named by its ballot.
    for part, labels in (("first", VOTE_LABELS), ("second", SECOND_VOTE_LABELS)):
        a, b = sealed.get(part), stored.get(part)
        name = BALLOT_PART_NAMES[part]
        if not isinstance(a, Mapping) or not isinstance(b, Mapping):
            if (a is None) != (b is None):
                out.append(_line(f"Kết quả kiểm phiếu {lower_first(name)}", True if a else None, True if b else None))
            continue
        _paper_differences(f"Phiếu {lower_first(name)}", f"Phiếu {lower_first(name)} của", labels, a, b, names, out)


def _two_ballots(ballot: Mapping[str, Any]) -> bool:
    """Return whether a payload's ballot holds two ballots (format 2's ``first`` and ``second``)."""
    return "first" in ballot or "second" in ballot


def _paper_differences(
    prefix: str,
    row_prefix: str,
    labels: Mapping[str, str],
    sealed: Mapping[str, Any],
    stored: Mapping[str, Any],
    names: Mapping[str, str],
    out: list[str],
) -> None:
    """Compare one ballot's papers (issued, returned, invalid, the reasons) and its rows."""
    for key, label in BALLOT_LABELS.items():
        if key != "counters":
            _compare(f"{prefix}, {label}", sealed.get(key), stored.get(key), out)
    rows_a, rows_b = sealed.get("rows") or {}, stored.get("rows") or {}
    for key in dict.fromkeys([*rows_a, *rows_b]):
        who = "chi bộ" if key == "cell" else f"đồng chí {names.get(key, key)}"
        _compare_dicts(f"{row_prefix} {who}, ", labels, rows_a.get(key) or {}, rows_b.get(key) or {}, out)


def _result_differences(sealed: Any, stored: Any, names: Mapping[str, str], out: list[str]) -> None:
    if not isinstance(sealed, Mapping) or not isinstance(stored, Mapping):
        _compare("Kết quả", sealed, stored, out)
        return
    for key in ("candidates", "base", "voters_present", "quorum_required", "quorum_met"):
        a, b = sealed.get(key), stored.get(key)
        if key == "candidates":  # format 2: ballot 2's candidates, named as the seal recorded them
            a = a if a is None else [names.get(c, CELL_LABEL if c == "cell" else c) for c in a]
            b = b if b is None else [names.get(c, CELL_LABEL if c == "cell" else c) for c in b]
        _compare(f"Kết quả, {RESULT_LABELS[key]}", a, b, out)
    by_id_a = {m.get("id"): m for m in sealed.get("members", [])}
    by_id_b = {m.get("id"): m for m in stored.get("members", [])}
    for key in dict.fromkeys([*by_id_a, *by_id_b]):
        a, b = by_id_a.get(key) or {}, by_id_b.get(key) or {}
        _compare_dicts(
            f"Kết quả của đồng chí {names.get(key, key)}, ",
            RESULT_LABELS,
            {k: v for k, v in a.items() if k != "id"},
            {k: v for k, v in b.items() if k != "id"},
            out,
        )
    _compare_dicts("Kết quả của chi bộ, ", RESULT_LABELS, sealed.get("cell") or {}, stored.get("cell") or {}, out)
    _compare_dicts("Tỉ lệ xuất sắc, ", RESULT_LABELS, sealed.get("quota") or {}, stored.get("quota") or {}, out)
    _compare_dicts(
        "Tổng hợp, số ",
        {**VALUE_LABELS, "not_rated": "không xếp loại"},
        sealed.get("summary") or {},
        stored.get("summary") or {},
        out,
    )
