"""Tests of the meeting file, format 1 (review/meetingfile.py, SPEC 8).

Only ``review.meetingfile`` and ``review.rules`` are imported: no Flask, no database.
The seed meeting is read from the copy shipped inside the package
(``review/data/thuong-thanh-2020.json``); its expected results from
``tests/data/thuong-thanh-2020.results.json``.

Bad documents are made by editing a fresh copy of the seed with :func:`put` and
:func:`drop`, which take paths in SPEC 8's notation (``members[2].review.feedback[0].by``),
so every expected problem is named by the exact path string :func:`format_path` writes.

"""

from __future__ import annotations

import contextlib
import copy
import json
import re
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from review import meetingfile
from review.meetingfile import MeetingFile, dump, dumps, format_path, loads, parse
from review.rules import Problem

SEED_PATH = Path(meetingfile.__file__).resolve().parent / "data" / "thuong-thanh-2020.json"
RESULTS_PATH = Path(__file__).resolve().parent / "data" / "thuong-thanh-2020.results.json"
SEED_BYTES = SEED_PATH.read_bytes()
SEED_TEXT = SEED_BYTES.decode("utf-8")

# A Vietnamese message has at least one letter of the Vietnamese alphabet beyond ASCII.
VIETNAMESE = re.compile(r"[àáạảãâầấậẩẫăằắặẳẵèéẹẻẽêềếệểễìíịỉĩòóọỏõôồốộổỗơờớợởỡùúụủũưừứựửữỳýỵỷỹđ]")


# ---------------------------------------------------------------------------
# Helpers


def seed() -> dict[str, Any]:
    """Return a fresh deep copy of the seed document."""
    return json.loads(SEED_TEXT)


def problems_of(doc: Any) -> dict[str, str]:
    """Return the problems ``parse`` finds in ``doc``, as {path string: message}."""
    mf, problems = parse(doc)
    if problems:
        assert mf is None, "a file with problems must not be returned"
    return {format_path(p.path): p.message for p in problems}


_STEP = re.compile(r"\[(\d+)\]|\.?([^.\[\]]+)")


def steps(path: str) -> tuple[str | int, ...]:
    """Return the keys of a path written as SPEC 8 writes it."""
    out: list[str | int] = []
    for index, key in _STEP.findall(path):
        out.append(int(index) if index else key)
    return tuple(out)


def get(doc: Any, path: str) -> Any:
    for step in steps(path):
        doc = doc[step]
    return doc


def put(doc: Any, path: str, value: Any) -> None:
    *head, last = steps(path)
    target = doc
    for step in head:
        target = target[step]
    target[last] = value


def drop(doc: Any, path: str) -> None:
    *head, last = steps(path)
    target = doc
    for step in head:
        target = target[step]
    del target[last]


def rename(doc: Any, path: str, new_key: str) -> None:
    """Rename the last key of ``path``, keeping its value (a typo in the file)."""
    value = get(doc, path)
    drop(doc, path)
    put(doc, path.rsplit(".", 1)[0] + "." + new_key if "." in path else new_key, value)


def member(doc: dict[str, Any], member_id: str) -> dict[str, Any]:
    return next(m for m in doc["members"] if m["id"] == member_id)


def drop_feedback_by(doc: dict[str, Any], member_id: str) -> None:
    """Drop the feedback a member gave: an absent member is no speaker (SPEC 8)."""
    reviews = [m["review"] for m in doc["members"] if m.get("review")] + doc["collective_reviews"]
    for review in reviews:
        review["feedback"] = [f for f in review["feedback"] if f.get("by") != member_id]


def make_exempt_m10(doc: dict[str, Any]) -> None:
    """Make m10 exempt, as a well-formed file has it: no review, no ballot row."""
    m10 = member(doc, "m10")
    m10["exempt"] = True
    del m10["review"]
    del doc["ballot"]["rows"]["m10"]


def add_probationary_m11(doc: dict[str, Any]) -> None:
    """Add a probationary member, rated (admitted 9 months before), present, with a ballot row."""
    doc["members"].append(
        {
            "id": "m11",
            "name": "Đinh Thị Lan",
            "standing": "probationary",
            "position": "member",
            "admitted_on": "2020-02-03",
            "attendance": "present",
        }
    )
    doc["ballot"]["rows"]["m11"] = {"excellent": 0, "good": 10, "completed": 0, "not_completed": 0, "blank": 0}


def strip_results(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if k != "results"}


def map_strings(value: Any, f: Callable[[str], str]) -> Any:
    """Return ``value`` with ``f`` applied to every string value (not to keys)."""
    if isinstance(value, str):
        return f(value)
    if isinstance(value, list):
        return [map_strings(v, f) for v in value]
    if isinstance(value, dict):
        return {k: map_strings(v, f) for k, v in value.items()}
    return value


def test_helpers_write_paths_as_format_path_does() -> None:
    for path in ("format", "members[3].attendance", "ballot.rows.m05.good", "members[2].review.feedback[0].by"):
        assert format_path(steps(path)) == path
    assert format_path(("members", 3, "review", "feedback", 0, "by")) == "members[3].review.feedback[0].by"
    assert format_path(("ballot", "rows", "m05", "good")) == "ballot.rows.m05.good"
    assert format_path(("ballot", "counters", 0)) == "ballot.counters[0]"
    assert format_path(()) == "(tệp)"


# ---------------------------------------------------------------------------
# 1. The seed example


def test_seed_loads_without_problems() -> None:
    mf, problems = loads(SEED_BYTES)
    assert problems == []
    assert isinstance(mf, MeetingFile)
    assert (mf.parent, mf.cell, mf.place, mf.year) == (
        "Đảng bộ phường Thượng Thanh",
        "Chi bộ Trường Mầm non Thượng Thanh",
        "Thượng Thanh",
        2020,
    )
    assert [m.id for m in mf.members] == [f"m{i:02d}" for i in range(1, 11)]
    assert mf.rules.profile == "hd21-2019"
    assert mf.ballot is not None and mf.ballot.counters == ["m06", "m07", "m08"]


def test_seed_loads_from_text_too() -> None:
    mf, problems = loads(SEED_TEXT)
    assert problems == [] and mf is not None


def test_seed_comes_back_byte_for_byte() -> None:
    mf, problems = loads(SEED_BYTES)
    assert problems == [] and mf is not None
    doc = dump(mf)
    assert dumps(strip_results(doc)).encode("utf-8") == SEED_BYTES
    assert dumps(dump(mf, with_results=False)).encode("utf-8") == SEED_BYTES


def test_seed_results_are_the_expected_ones() -> None:
    mf, problems = loads(SEED_BYTES)
    assert problems == [] and mf is not None
    expected = json.loads(RESULTS_PATH.read_text(encoding="utf-8"))
    results = dump(mf)["results"]
    assert results == expected
    # Same keys in the same order, as the export writes them.
    assert json.dumps(results, ensure_ascii=False, indent=2) == json.dumps(expected, ensure_ascii=False, indent=2)
    assert list(dump(mf))[-1] == "results"


def test_results_in_the_input_are_never_read_back() -> None:
    doc = seed()
    doc["results"] = {"base": 99, "members": "anything", "cell": None}
    mf, problems = parse(doc)
    assert problems == [] and mf is not None
    assert dump(mf)["results"] == json.loads(RESULTS_PATH.read_text(encoding="utf-8"))


def test_utf8_byte_order_mark_is_accepted() -> None:
    mf, problems = loads(b"\xef\xbb\xbf" + SEED_BYTES)
    assert problems == [] and mf is not None


def test_parse_does_not_change_its_input() -> None:
    doc = seed()
    before = copy.deepcopy(doc)
    parse(doc)
    assert doc == before


def test_file_without_ballot_has_no_ballot_and_no_vote_levels() -> None:
    doc = seed()
    del doc["ballot"]
    mf, problems = parse(doc)
    assert problems == [] and mf is not None
    out = dump(mf)
    assert "ballot" not in out
    assert all(m["vote_level"] is None and m["rated"] for m in out["results"]["members"])
    assert out["results"]["cell"] == {"vote_level": None, "proposed_level": None, "flags": []}


# ---------------------------------------------------------------------------
# 2. Unicode normalisation (NFC)


def test_nfd_copy_parses_to_nfc_and_dumps_the_nfc_seed() -> None:
    nfd = map_strings(seed(), lambda s: unicodedata.normalize("NFD", s))
    assert nfd != seed(), "the seed has precomposed Vietnamese letters to decompose"
    assert nfd["members"][0]["name"] != "Nguyễn Thị Ngọc Hân"
    mf, problems = parse(nfd)
    assert problems == [] and mf is not None
    assert mf.members[0].name == "Nguyễn Thị Ngọc Hân"
    assert mf.parent == "Đảng bộ phường Thượng Thanh"
    assert mf.members[0].review is not None
    assert mf.members[0].review.summary == seed()["members"][0]["review"]["summary"]
    assert mf.collective_reviews[0].remedy_plan == seed()["collective_reviews"][0]["remedy_plan"]
    assert dumps(dump(mf, with_results=False)).encode("utf-8") == SEED_BYTES


def test_nfd_bytes_through_loads_give_the_nfc_seed() -> None:
    text = unicodedata.normalize("NFD", SEED_TEXT)
    assert text != SEED_TEXT
    mf, problems = loads(text.encode("utf-8"))
    assert problems == [] and mf is not None
    assert dumps(dump(mf, with_results=False)) == SEED_TEXT


def test_windows_line_ends_in_texts_become_newlines() -> None:
    doc = seed()
    put(doc, "members[0].review.summary", "Ưu điểm.\r\nHạn chế.\rKhắc phục.")
    mf, problems = parse(doc)
    assert problems == [] and mf is not None and mf.members[0].review is not None
    assert mf.members[0].review.summary == "Ưu điểm.\nHạn chế.\nKhắc phục."


# ---------------------------------------------------------------------------
# 3. Bad input: each problem named with its exact path


DELETE = object()


def bad(
    case_id: str,
    changes: dict[str, Any] | Callable[[dict[str, Any]], None],
    expected: dict[str, str | tuple[str, ...]],
    exact: bool = True,
) -> Any:
    """A bad-input case: edits of the seed, and the problems expected {path: message fragments}.

    ``changes`` maps paths to new values (``DELETE`` removes the key), or is a function
    editing the document. With ``exact`` the problems are exactly those expected.
    """
    return pytest.param(changes, expected, exact, id=case_id)


BAD_CASES = [
    # format and top level
    bad("format-3", {"format": "party-review/3"}, {"format": ("party-review/3", "party-review/1", "party-review/2")}),
    bad("format-number", {"format": 1}, {"format": "party-review/1"}),
    *[
        bad(f"missing-{key}", {key: DELETE}, {key: "Thiếu trường bắt buộc"})
        for key in ("format", "organization", "year", "rules", "meeting", "members", "collective_reviews")
    ],
    bad("missing-organization.cell", {"organization.cell": DELETE}, {"organization.cell": "Thiếu"}),
    bad("year-string", {"year": "2020"}, {"year": "số nguyên"}),
    bad("year-float", {"year": 2020.0}, {"year": "số nguyên"}),
    bad("members-not-a-list", {"members": {"m01": {}}}, {"members": "danh sách"}),
    bad("members-empty", {"members": []}, {"members": "trống"}),
    bad("member-not-an-object", {"members[3]": "m04"}, {"members[3]": "đối tượng"}),
    # enums
    bad(
        "attendance-enum",
        {"members[4].attendance": "here"},
        {"members[4].attendance": ('"here"', "present", "absent_excused", "absent")},
    ),
    bad("attendance-null", {"members[4].attendance": None}, {"members[4].attendance": "null"}),
    bad("standing-enum", {"members[1].standing": "chính thức"}, {"members[1].standing": ("official", "probationary")}),
    bad("position-enum", {"members[2].position": "chairman"}, {"members[2].position": ("secretary", "committee")}),
    bad("position-second-secretary", {"members[3].position": "secretary"}, {"members[3].position": "members[0]"}),
    bad("self-level-enum", {"members[0].review.self_level": "HTTNV"}, {"members[0].review.self_level": "excellent"}),
    bad("previous-level-enum", {"members[0].previous_level": "tốt"}, {"members[0].previous_level": "not_completed"}),
    bad(
        "collective-subject",
        {"collective_reviews[1].subject": "ward"},
        {"collective_reviews[1].subject": ("cell", "committee")},
    ),
    bad(
        "collective-subject-twice",
        {"collective_reviews[1].subject": "cell"},
        {"collective_reviews[1].subject": "collective_reviews[0]"},
    ),
    # dates and times
    bad("admitted-feb-30", {"members[0].admitted_on": "2020-02-30"}, {"members[0].admitted_on": "YYYY-MM-DD"}),
    bad("admitted-dd/mm/yyyy", {"members[0].admitted_on": "20/11/2020"}, {"members[0].admitted_on": "YYYY-MM-DD"}),
    bad("admitted-number", {"members[0].admitted_on": 20081905}, {"members[0].admitted_on": "YYYY-MM-DD"}),
    bad("admitted-with-time", {"members[0].admitted_on": "2008-05-19T00:00"}, {"members[0].admitted_on": "YYYY-MM-DD"}),
    bad(
        "admitted-after-meeting",
        {"members[0].admitted_on": "2020-11-28"},
        {"members[0].admitted_on": ("28/11/2020", "27/11/2020")},
    ),
    bad("starts-at-bad", {"meeting.starts_at": "27/11/2020 14:00"}, {"meeting.starts_at": "YYYY-MM-DDTHH:MM"}),
    bad(
        "starts-at-time-zone",
        {"meeting.starts_at": "2020-11-27T14:00+07:00"},
        {"meeting.starts_at": "YYYY-MM-DDTHH:MM"},
    ),
    bad(
        "starts-at-wrong-year",
        {"meeting.starts_at": "2023-11-27T14:00", "meeting.ends_at": None},
        {"meeting.starts_at": "2023"},
    ),
    bad("ends-before-start", {"meeting.ends_at": "2020-11-27T13:00"}, {"meeting.ends_at": "sớm hơn"}),
    # member ids and references
    bad(
        "duplicate-id",
        lambda d: d["members"].append({k: v for k, v in member(d, "m10").items() if k != "review"}),
        {"members[10].id": ("m10", "members[9]")},
    ),
    bad("id-cell", {"members[9].id": "cell"}, {"members[9].id": '"cell"'}),
    bad("id-with-space", {"members[0].id": "m 01"}, {"members[0].id": "m01"}),
    bad("id-number", {"members[0].id": 1}, {"members[0].id": "mã đảng viên"}),
    bad(
        "feedback-by-unknown", {"members[2].review.feedback[0].by": "m99"}, {"members[2].review.feedback[0].by": "m99"}
    ),
    bad("feedback-by-self", {"members[2].review.feedback[0].by": "m03"}, {"members[2].review.feedback[0].by": "khác"}),
    bad(
        "feedback-text-empty",
        {"members[2].review.feedback[0].text": "  "},
        {"members[2].review.feedback[0].text": "trống"},
    ),
    bad(
        "collective-feedback-by-unknown",
        {"collective_reviews[0].feedback[0].by": "m99"},
        {"collective_reviews[0].feedback[0].by": "m99"},
    ),
    bad("chair-unknown", {"meeting.chair": "m99"}, {"meeting.chair": "m99"}),
    bad("chair-key-absent", {"meeting.chair": DELETE}, {"meeting.chair": "Thiếu trường bắt buộc"}),
    bad(
        "chair-absent-from-meeting",
        {"members[0].attendance": "absent", "meeting.minutes_approved_by": 9},
        {"meeting.chair": "có mặt"},
        exact=False,  # the ballot then also has one voter too few
    ),
    bad("minute-taker-unknown", {"meeting.minute_taker": "m99"}, {"meeting.minute_taker": "m99"}),
    bad(
        "minutes-approved-by-too-many",
        {"meeting.minutes_approved_by": 11},
        {"meeting.minutes_approved_by": ("11", "10")},
    ),
    bad("minutes-approved-by-negative", {"meeting.minutes_approved_by": -1}, {"meeting.minutes_approved_by": "-1"}),
    # attendance and absence reasons
    bad(
        "absent-excused-without-reason",
        {"members[4].attendance": "absent_excused", "meeting.minutes_approved_by": 9},
        {"members[4].absence_reason": "lý do"},
        exact=False,  # the ballot then also has one voter too few
    ),
    bad(
        "absent-excused-blank-reason",
        {
            "members[4].attendance": "absent_excused",
            "members[4].absence_reason": "  ",
            "meeting.minutes_approved_by": 9,
        },
        {"members[4].absence_reason": "lý do"},
        exact=False,  # the ballot then also has one voter too few
    ),
    bad("present-with-absence-reason", {"members[0].absence_reason": "Ốm"}, {"members[0].absence_reason": "có mặt"}),
    # unknown keys (typos) at several levels
    bad("typo-top", lambda d: rename(d, "year", "yaer"), {"yaer": "party-review/1", "year": "Thiếu"}),
    bad("typo-organization", {"organization.citi": "Hà Nội"}, {"organization.citi": "không có"}),
    bad("typo-meeting", {"meeting.chiar": "m01"}, {"meeting.chiar": "không có"}),
    bad(
        "typo-guest",
        {"meeting.guests": [{"name": "Nguyễn Văn A", "tittle": "Đảng ủy viên"}]},
        {"meeting.guests[0].tittle": "không có"},
    ),
    bad(
        "typo-member",
        lambda d: rename(d, "members[0].attendance", "attendence"),
        {"members[0].attendence": "không có", "members[0].attendance": "Thiếu"},
    ),
    bad(
        "typo-review",
        lambda d: rename(d, "members[0].review.summary", "sumary"),
        {"members[0].review.sumary": "không có"},
    ),
    bad("typo-feedback", {"members[0].review.feedback[0].bi": "m02"}, {"members[0].review.feedback[0].bi": "không có"}),
    bad("typo-collective", {"collective_reviews[0].remedy": "x"}, {"collective_reviews[0].remedy": "không có"}),
    bad("typo-rules", {"rules.quorom": "2/3"}, {"rules.quorom": "quorom"}),
    bad("typo-ballot", {"ballot.isued": 10}, {"ballot.isued": "không có"}),
    bad(
        "typo-ballot-row",
        lambda d: rename(d, "ballot.rows.m05.excellent", "excelent"),
        {"ballot.rows.m05.excelent": "không có", "ballot.rows.m05.excellent": "Thiếu"},
    ),
    # booleans and integers of the wrong type
    bad("exempt-yes", {"members[9].exempt": "yes"}, {"members[9].exempt": "true hoặc false"}),
    bad("exempt-1", {"members[9].exempt": 1}, {"members[9].exempt": "true hoặc false"}),
    bad("exempt-0", {"members[9].exempt": 0}, {"members[9].exempt": "true hoặc false"}),
    bad("suspended-string-false", {"members[9].suspended": "false"}, {"members[9].suspended": "true hoặc false"}),
    bad(
        "disciplined-null",
        {"members[9].disciplined_in_year": None},
        {"members[9].disciplined_in_year": "true hoặc false"},
    ),
    bad("sick-leave-13", {"members[3].sick_leave_months": 13}, {"members[3].sick_leave_months": ("13", "0–12")}),
    bad("sick-leave-minus-1", {"members[3].sick_leave_months": -1}, {"members[3].sick_leave_months": ("-1", "0–12")}),
    bad("sick-leave-float", {"members[3].sick_leave_months": 2.5}, {"members[3].sick_leave_months": "số nguyên"}),
    bad("sick-leave-true", {"members[3].sick_leave_months": True}, {"members[3].sick_leave_months": "số nguyên"}),
    bad("sick-leave-string", {"members[3].sick_leave_months": "3"}, {"members[3].sick_leave_months": "số nguyên"}),
    # profiles and overrides
    bad(
        "self-score-unscored-profile",
        {"members[0].review.self_score": 85},
        {"members[0].review.self_score": ("hd21-2019", "2025")},
    ),
    bad("self-score-101", {"members[0].review.self_score": 101}, {"members[0].review.self_score": "0–100"}),
    bad("profile-unknown", {"rules.profile": "hd99-2030"}, {"rules.profile": ("hd99-2030", "hd21-2019", "hd43-2025")}),
    bad("profile-number", {"rules.profile": 2019}, {"rules.profile": "hồ sơ"}),
    bad("profile-missing", {"rules.profile": DELETE}, {"rules.profile": "Thiếu"}),
    bad("profile-2025-for-2020", {"rules.profile": "hd43-2025"}, {"rules.profile": ("hd43-2025", "2020")}),
    bad("profile-2023-for-2020", {"rules.profile": "hd25-2023"}, {"rules.profile": ("hd25-2023", "2020")}),
    bad("quorum-word", {"rules.quorum": "two thirds"}, {"rules.quorum": "2/3"}),
    bad("quorum-zero-denominator", {"rules.quorum": "2/0"}, {"rules.quorum": "2/3"}),
    bad("quorum-zero", {"rules.quorum": "0/3"}, {"rules.quorum": "0"}),
    bad("quorum-above-one", {"rules.quorum": "4/3"}, {"rules.quorum": "4/3"}),
    bad("quorum-three-parts", {"rules.quorum": "2/3/4"}, {"rules.quorum": "2/3"}),
    bad("quorum-negative", {"rules.quorum": "-2/3"}, {"rules.quorum": "2/3"}),
    bad("quorum-float", {"rules.quorum": 0.66}, {"rules.quorum": "2/3"}),
    bad("quorum-superscript-digit", {"rules.quorum": "²/3"}, {"rules.quorum": "2/3"}),
    bad("excellent-threshold-below-half", {"rules.excellent_threshold": "1/3"}, {"rules.excellent_threshold": "1/3"}),
    bad("quota-ratio-above-profile-max", {"rules.quota_ratio": "1/4"}, {"rules.quota_ratio": ("1/4", "1/5")}),
    bad("cumulative-string", {"rules.cumulative": "yes"}, {"rules.cumulative": "true hoặc false"}),
    bad("quota-pool-enum", {"rules.quota_pool": "all"}, {"rules.quota_pool": "good_or_above"}),
    bad("ballot-mode-two-phase", {"rules.ballot_mode": "two_phase"}, {"rules.ballot_mode": '"single"'}),
    bad("ballot-mode-enum", {"rules.ballot_mode": "three"}, {"rules.ballot_mode": "single"}),
    # the ballot
    bad("row-sum-off", {"ballot.rows.m03.good": 3}, {"ballot.rows.m03": ("8 + 3 + 0 + 0 + 0 = 11", "10")}),
    bad("row-blank-makes-sum-off", {"ballot.rows.m03.blank": 1}, {"ballot.rows.m03": ("= 11", "10")}),
    bad("row-negative", {"ballot.rows.m05.good": -1}, {"ballot.rows.m05.good": "-1"}),
    bad("row-string", {"ballot.rows.m05.good": "9"}, {"ballot.rows.m05.good": "số nguyên"}),
    bad("row-not-an-object", {"ballot.rows.m05": [1, 9, 0, 0, 0]}, {"ballot.rows.m05": "đối tượng"}),
    bad("rows-not-an-object", {"ballot.rows": []}, {"ballot.rows": "đối tượng"}),
    bad("row-missing", {"ballot.rows.m07": DELETE}, {"ballot.rows.m07": "Thiếu"}),
    bad("row-cell-missing", {"ballot.rows.cell": DELETE}, {"ballot.rows.cell": "Thiếu"}),
    bad(
        "row-unknown-member",
        {"ballot.rows.m99": {"excellent": 0, "good": 10, "completed": 0, "not_completed": 0, "blank": 0}},
        {"ballot.rows.m99": "không"},
    ),
    bad(
        "row-for-exempt-member",
        lambda d: (make_exempt_m10(d), put(d, "ballot.rows.m10", copy.deepcopy(get(d, "ballot.rows.m08")))),
        {"ballot.rows.m10": ("miễn", "không được xếp loại")},
    ),
    bad(
        "row-for-new-member",
        {"members[9].admitted_on": "2020-06-01"},
        {"ballot.rows.m10": ("6 tháng", "không được xếp loại")},
    ),
    bad("returned-above-issued", {"ballot.issued": 9}, {"ballot.returned": ("(10)", "(9)")}),
    bad("issued-above-voters", {"ballot.issued": 11}, {"ballot.issued": ("(11)", "(10)")}),
    bad(
        "issued-above-voters-when-absent",
        {"members[4].attendance": "absent", "meeting.minutes_approved_by": 9},
        {
            "ballot.issued": ("(10)", "(9)"),
            # m05 spoke in the seed: an absent member is no speaker (SPEC 8)
            "members[3].review.feedback[0].by": ("Trần Thị Minh Nguyệt", "vắng mặt"),
            "collective_reviews[0].feedback[0].by": ("Trần Thị Minh Nguyệt", "vắng mặt"),
        },
    ),
    bad("invalid-above-returned", {"ballot.invalid": 11}, {"ballot.invalid": ("(11)", "(10)")}, exact=False),
    bad("issued-negative", {"ballot.issued": -1}, {"ballot.issued": "-1"}),
    bad(
        "counter-probationary",
        lambda d: (add_probationary_m11(d), put(d, "ballot.counters[0]", "m11")),
        {"ballot.counters[0]": ("Đinh Thị Lan", "dự bị")},
    ),
    bad("counter-unknown", {"ballot.counters[0]": "m99"}, {"ballot.counters[0]": "m99"}),
    bad("counter-twice", {"ballot.counters[2]": "m06"}, {"ballot.counters[2]": "Đỗ Thị Thanh Thủy"}),
    bad(
        "counter-absent",
        lambda d: (
            put(d, "members[8].attendance", "absent"),
            put(d, "meeting.minutes_approved_by", 9),
            put(d, "ballot.counters[2]", "m09"),
            drop_feedback_by(d, "m09"),
        ),
        {"ballot.counters[2]": ("Ngô Thị Bích Ngọc", "có mặt"), "ballot.issued": ("(10)", "(9)")},
    ),
    bad("counters-not-a-list", {"ballot.counters": "m06"}, {"ballot.counters": "danh sách"}),
    # names and texts
    bad("name-bell", {"members[0].name": "Nguyễn\x07 Thị Ngọc Hân"}, {"members[0].name": "điều khiển"}),
    bad("name-nul", {"members[0].name": "Nguyễn\x00"}, {"members[0].name": "điều khiển"}),
    bad("name-escape", {"members[0].name": "\x1b[31mHân"}, {"members[0].name": "điều khiển"}),
    bad("name-c1-control", {"members[0].name": "Hân\x85"}, {"members[0].name": "điều khiển"}),
    bad("name-line-separator", {"members[0].name": "Hân\u2028Hương"}, {"members[0].name": "điều khiển"}),
    bad("name-newline", {"members[0].name": "Nguyễn Thị\nNgọc Hân"}, {"members[0].name": "xuống dòng"}),
    bad("name-carriage-return", {"members[0].name": "Nguyễn Thị\rNgọc Hân"}, {"members[0].name": "xuống dòng"}),
    bad("name-empty", {"members[0].name": " "}, {"members[0].name": "trống"}),
    bad("name-number", {"members[0].name": 42}, {"members[0].name": "chuỗi"}),
    bad("name-too-long", {"members[0].name": "Ạ" * 201}, {"members[0].name": ("201", "200")}),
    bad("cell-name-newline", {"organization.cell": "Chi bộ\nTrường"}, {"organization.cell": "xuống dòng"}),
    bad("summary-control", {"members[0].review.summary": "Tốt\x1b."}, {"members[0].review.summary": "điều khiển"}),
    bad(
        "summary-too-long",
        {"members[0].review.summary": "ư" * 20_001},
        {"members[0].review.summary": ("20001", "20000")},
    ),
    bad(
        "remedy-too-long",
        {"collective_reviews[0].remedy_plan": "a" * 20_001},
        {"collective_reviews[0].remedy_plan": "20000"},
    ),
    bad("guest-without-name", {"meeting.guests": [{"title": "Đảng ủy viên"}]}, {"meeting.guests[0].name": "Thiếu"}),
    bad("guests-not-a-list", {"meeting.guests": "Nguyễn Văn A"}, {"meeting.guests": "danh sách"}),
]


@pytest.mark.parametrize(("changes", "expected", "exact"), BAD_CASES)
def test_bad_input_names_the_problem_by_path(
    changes: dict[str, Any] | Callable[[dict[str, Any]], None],
    expected: dict[str, str | tuple[str, ...]],
    exact: bool,
) -> None:
    doc = seed()
    if callable(changes):
        changes(doc)
    else:
        for path, value in changes.items():
            if value is DELETE:
                drop(doc, path)
            else:
                put(doc, path, value)
    mf, problem_list = parse(doc)
    assert mf is None
    problems = problems_of(doc)
    if exact:
        assert set(problems) == set(expected), problems
    else:
        assert set(expected) <= set(problems), problems
    for path, fragments in expected.items():
        for fragment in (fragments,) if isinstance(fragments, str) else fragments:
            assert fragment in problems[path], (path, problems[path])
    for p in problem_list:
        assert isinstance(p, Problem)
        assert VIETNAMESE.search(p.message.lower()), p.message


@pytest.mark.parametrize(
    "document",
    [[], [seed()], "party-review/1", 2020, None, True],
    ids=["empty-list", "list-of-seed", "string", "number", "null", "true"],
)
def test_top_level_not_an_object_is_a_file_level_problem(document: Any) -> None:
    mf, problems = parse(document)
    assert mf is None
    assert len(problems) == 1
    assert problems[0].path == ()
    assert format_path(problems[0].path) == "(tệp)"
    assert "đối tượng JSON" in problems[0].message


def test_top_level_list_via_loads() -> None:
    mf, problems = loads("[" + SEED_TEXT + "]")
    assert mf is None
    assert [p.path for p in problems] == [()]


@pytest.mark.parametrize(
    "data",
    ["", "{", "not json", '{"format": "party-review/1",}', SEED_TEXT[:-1], b"{'format': 1}"],
    ids=["empty", "open-brace", "words", "trailing-comma", "truncated", "single-quotes"],
)
def test_non_json_text_is_one_problem_with_empty_path(data: str | bytes) -> None:
    mf, problems = loads(data)
    assert mf is None
    assert len(problems) == 1
    assert problems[0].path == ()
    assert "JSON" in problems[0].message
    assert "dòng" in problems[0].message  # names the line


@pytest.mark.parametrize(
    "data",
    [b"\xff\xfe{}", SEED_TEXT.encode("utf-16"), SEED_TEXT.encode("cp1258", errors="replace"), b'{"format": "\xc3"}'],
    ids=["bad-bytes", "utf-16", "windows-1258", "truncated-sequence"],
)
def test_non_utf8_bytes_are_one_problem_with_empty_path(data: bytes) -> None:
    mf, problems = loads(data)
    assert mf is None
    assert len(problems) == 1
    assert problems[0].path == ()
    assert "UTF-8" in problems[0].message


# ---------------------------------------------------------------------------
# Limits that are accepted


def test_texts_at_their_limits_are_accepted() -> None:
    doc = seed()
    put(doc, "members[0].name", "Ạ" * 200)
    put(doc, "members[0].review.summary", "ư" * 20_000)
    mf, problems = parse(doc)
    assert problems == [] and mf is not None


def test_sick_leave_bounds_and_tabs_are_accepted() -> None:
    doc = seed()
    put(doc, "members[3].sick_leave_months", 12)
    put(doc, "members[4].sick_leave_months", 0)
    put(doc, "members[0].review.summary", "Ưu điểm:\n\t- tốt")
    mf, problems = parse(doc)
    assert problems == [] and mf is not None
    assert mf.members[3].sick_leave_months == 12


def test_markup_and_right_to_left_marks_are_kept_as_text() -> None:
    doc = seed()
    put(doc, "members[0].review.summary", "<b>Tốt</b> <script>alert(1)</script> \u200f")
    mf, problems = parse(doc)
    assert problems == [] and mf is not None and mf.members[0].review is not None
    assert mf.members[0].review.summary == "<b>Tốt</b> <script>alert(1)</script> \u200f"


def test_names_are_trimmed() -> None:
    doc = seed()
    put(doc, "members[0].name", "  Nguyễn Thị Ngọc Hân ")
    mf, problems = parse(doc)
    assert problems == [] and mf is not None
    assert mf.members[0].name == "Nguyễn Thị Ngọc Hân"


def test_valid_overrides_are_read_and_written_back() -> None:
    doc = seed()
    doc["rules"] |= {"quorum": "3/4", "excellent_threshold": "2/3", "cumulative": False, "quota_pool": "good_or_above"}
    mf, problems = parse(doc)
    assert problems == [] and mf is not None
    assert dump(mf)["rules"] == {
        "profile": "hd21-2019",
        "quorum": "3/4",
        "excellent_threshold": "2/3",
        "cumulative": False,
        "quota_pool": "good_or_above",
    }


def test_overrides_equal_to_the_profile_are_not_written() -> None:
    doc = seed()
    doc["rules"] |= {"quorum": "2/3", "ballot_mode": "single", "quota_ratio": "1/5"}
    mf, problems = parse(doc)
    assert problems == [] and mf is not None
    assert dumps(dump(mf, with_results=False)) == SEED_TEXT


# ---------------------------------------------------------------------------
# 4. Several independent problems, one call


def test_three_bad_members_give_three_problems() -> None:
    doc = seed()
    put(doc, "members[1].standing", "official ")
    put(doc, "members[4].attendance", "present!")
    put(doc, "members[7].sick_leave_months", 13)
    assert set(problems_of(doc)) == {"members[1].standing", "members[4].attendance", "members[7].sick_leave_months"}


def test_problems_at_every_level_are_reported_together() -> None:
    doc = seed()
    put(doc, "format", "party-review/0")
    put(doc, "organization.place", "")
    put(doc, "rules.ballot_mode", "two_phase")
    put(doc, "meeting.starts_at", "hôm nay")
    put(doc, "members[0].exempt", "yes")
    put(doc, "members[2].review.feedback[0].text", 7)
    put(doc, "collective_reviews[0].self_level", "best")
    put(doc, "ballot.rows.m05.good", -1)
    put(doc, "ballot.returned", "10")
    assert set(problems_of(doc)) == {
        "format",
        "organization.place",
        "rules.ballot_mode",
        "meeting.starts_at",
        "members[0].exempt",
        "members[2].review.feedback[0].text",
        "collective_reviews[0].self_level",
        "ballot.rows.m05.good",
        "ballot.returned",
    }


def test_cross_references_are_all_reported_together() -> None:
    doc = seed()
    put(doc, "meeting.chair", "m99")
    put(doc, "meeting.minutes_approved_by", 12)
    put(doc, "members[2].review.feedback[0].by", "m03")
    put(doc, "members[5].review.feedback[0].by", "m42")
    put(doc, "members[6].admitted_on", "2021-01-01")
    put(doc, "collective_reviews[0].feedback[0].by", "m00")
    assert set(problems_of(doc)) == {
        "meeting.chair",
        "meeting.minutes_approved_by",
        "members[2].review.feedback[0].by",
        "members[5].review.feedback[0].by",
        "members[6].admitted_on",
        "collective_reviews[0].feedback[0].by",
    }


def test_ballot_problems_are_all_reported_together() -> None:
    doc = seed()
    put(doc, "ballot.rows.m03.good", 3)
    drop(doc, "ballot.rows.m07")
    drop(doc, "ballot.rows.cell")
    put(doc, "ballot.counters[1]", "m99")
    put(doc, "ballot.issued", 11)
    assert set(problems_of(doc)) == {
        "ballot.rows.m03",
        "ballot.rows.m07",
        "ballot.rows.cell",
        "ballot.counters[1]",
        "ballot.issued",
    }


def test_ballot_problem_is_reported_beside_an_unrelated_cross_check_problem() -> None:
    doc = seed()
    put(doc, "meeting.minutes_approved_by", 11)
    put(doc, "ballot.rows.m03.good", 3)
    assert set(problems_of(doc)) == {"meeting.minutes_approved_by", "ballot.rows.m03"}


# ---------------------------------------------------------------------------
# 6. Optional member keys: written only when they differ from their default


def test_exempt_member_round_trips_with_the_key_present() -> None:
    doc = seed()
    make_exempt_m10(doc)
    mf, problems = parse(doc)
    assert problems == [] and mf is not None
    out = dump(mf)
    m10 = member(out, "m10")
    assert m10["exempt"] is True
    assert list(m10) == ["id", "name", "standing", "position", "admitted_on", "exempt", "attendance"]
    assert strip_results(out) == doc
    assert out["results"]["members"][9] == {
        "id": "m10",
        "rated": False,
        "not_rated_reason": "exempt",
        "vote_level": None,
        "proposed_level": None,
        "flags": [],
    }
    assert out["results"]["summary"]["not_rated"] == 1
    again, problems = parse(strip_results(out))
    assert problems == [] and again is not None
    assert dump(again) == out


@pytest.mark.parametrize(
    ("path", "default"),
    [
        ("members[0].exempt", False),
        ("members[0].suspended", False),
        ("members[0].temporary_elsewhere", False),
        ("members[0].disciplined_in_year", False),
        ("members[0].sick_leave_months", 0),
        ("members[0].previous_level", None),
        ("members[0].absence_reason", ""),
        ("members[0].review.self_score", None),
    ],
)
def test_optional_key_at_its_default_is_omitted_on_export(path: str, default: Any) -> None:
    doc = seed()
    put(doc, path, default)
    mf, problems = parse(doc)
    assert problems == [] and mf is not None
    out = dump(mf)
    assert steps(path)[-1] not in get(out, path.rsplit(".", 1)[0])
    assert dumps(strip_results(out)) == SEED_TEXT


def test_every_optional_member_key_is_written_in_spec_order() -> None:
    doc = seed()
    del doc["ballot"]
    put(doc, "meeting.minutes_approved_by", 9)
    m10 = member(doc, "m10")
    del m10["review"]
    drop_feedback_by(doc, "m10")
    m10.update(
        exempt=True,
        suspended=True,
        temporary_elsewhere=True,
        disciplined_in_year=True,
        sick_leave_months=4,
        previous_level="completed",
        attendance="absent_excused",
        absence_reason="Ốm dài ngày",
    )
    mf, problems = parse(doc)
    assert problems == [] and mf is not None
    written = member(dump(mf), "m10")
    assert list(written) == [
        "id",
        "name",
        "standing",
        "position",
        "admitted_on",
        "exempt",
        "suspended",
        "temporary_elsewhere",
        "disciplined_in_year",
        "sick_leave_months",
        "previous_level",
        "attendance",
        "absence_reason",
    ]
    assert written["sick_leave_months"] == 4 and written["previous_level"] == "completed"


def test_self_score_is_kept_under_a_scored_profile() -> None:
    doc = seed()
    put(doc, "year", 2025)
    put(doc, "rules.profile", "hd43-2025")
    put(doc, "meeting.starts_at", "2025-12-15T14:00")
    put(doc, "meeting.ends_at", "2025-12-15T17:00")
    put(doc, "members[0].review.self_score", 85)
    mf, problems = parse(doc)
    assert problems == [] and mf is not None
    out = dump(mf)
    assert list(out["members"][0]["review"]) == [
        "summary",
        "self_level",
        "self_score",
        "response",
        "feedback",
        "conclusion",
    ]
    assert out["members"][0]["review"]["self_score"] == 85
    assert "self_score" not in out["members"][1]["review"]
    assert strip_results(out) == doc


# ---------------------------------------------------------------------------
# Inputs that once crashed the reader, and other fixed bugs


def test_loads_huge_integer_literal_is_a_problem_not_a_crash() -> None:
    text = SEED_TEXT.replace('"year": 2020', '"year": 1' + "0" * 5000)
    mf, problems = loads(text)
    assert mf is None and problems


def test_loads_deeply_nested_json_is_a_problem_not_a_crash() -> None:
    mf, problems = loads("[" * 100_000 + "]" * 100_000)
    assert mf is None and problems


@pytest.mark.parametrize("path", ["year", "members[0].name", "members[0].standing", "ballot.issued"])
def test_parse_huge_integer_value_is_a_problem_not_a_crash(path: str) -> None:
    doc = seed()
    put(doc, path, 10**5000)
    assert path in problems_of(doc)


def test_admission_in_year_9999_is_a_problem_not_a_crash() -> None:
    doc = seed()
    put(doc, "members[0].admitted_on", "9999-12-31")
    assert "members[0].admitted_on" in problems_of(doc)


def test_lone_surrogate_is_refused_or_the_export_is_utf8() -> None:
    text = SEED_TEXT.replace("Phan Thị Hòa", "Phan \\ud800 Hòa")
    mf, problems = loads(text)
    if mf is None:
        assert "members[2].name" in {format_path(p.path) for p in problems}
    else:
        dumps(dump(mf)).encode("utf-8")


@pytest.mark.parametrize("flag", ["exempt", "suspended"])
def test_exempt_or_suspended_member_may_keep_a_review(flag: str) -> None:
    # Only new members under a profile from 2023 are left out of the review (SPEC 3);
    # an exempt or suspended member is not rated, but a recorded review is kept.
    doc = seed()
    put(doc, f"members[9].{flag}", True)
    drop(doc, "ballot.rows.m10")
    problems = problems_of(doc)
    assert "members[9].review" not in problems
    # A suspended member does not vote, so the ten papers are now one too many.
    assert set(problems) <= {"ballot.issued"}


def test_unknown_rules_key_is_reported_once() -> None:
    doc = seed()
    put(doc, "rules.quorom", "2/3")
    _, problems = parse(doc)
    assert [format_path(p.path) for p in problems] == ["rules.quorom"]


# ---------------------------------------------------------------------------
# 5. Properties: random mutations of the seed


def _paths(value: Any, prefix: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    """Return the path of every value in ``value``, containers and leaves alike."""
    out = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, item in value.items():
            out += _paths(item, prefix + (key,))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            out += _paths(item, prefix + (i,))
    return out


def _leaves(value: Any) -> list[tuple[str | int, ...]]:
    return [p for p in _paths(value) if not isinstance(_at(value, p), (dict, list)) or not _at(value, p)]


def _at(doc: Any, path: tuple[str | int, ...]) -> Any:
    for step in path:
        doc = doc[step]
    return doc


SEED_LEAVES = _leaves(seed())
SEED_PATHS = _paths(seed())

# Values that reach the deeper checks (enums, ids, dates) beside random ones.
INTERESTING_TEXT = [
    "",
    " ",
    "m01",
    "m03",
    "m10",
    "m99",
    "cell",
    "present",
    "absent",
    "absent_excused",
    "official",
    "probationary",
    "secretary",
    "deputy_secretary",
    "committee",
    "member",
    "excellent",
    "good",
    "completed",
    "not_completed",
    "single",
    "two_phase",
    "hd21-2019",
    "hd25-2023",
    "hd43-2025",
    "party-review/1",
    "2/3",
    "1/2",
    "0/0",
    "1/4",
    "2020-02-30",
    "2020-06-01",
    "2020-11-28",
    "2008-05-19",
    "20/11/2020",
    "2020-11-27T18:00",
    "2020-11-27T13:00",
    "2021-01-10T08:00",
    "<b>Hân</b>",
    "<script>alert(1)</script>",
    "Nguyễn",
    "Nguye\u0302\u0303n",
    "a\u0301\u0323",
    "\u200fمرحبا\u200e",
    "\u202eevil",
    "x\x00y",
    "\x07",
    "\x1b[1m",
    "a\nb",
    "a\r\nb",
    "\u2028",
    "\ufeff",
    "Ạ" * 201,
    "ư" * 20_001,
]

texts = st.one_of(
    st.sampled_from(INTERESTING_TEXT),
    st.text(max_size=30),
    st.text(
        alphabet=st.sampled_from(
            list("aăâđêôơư Hân<b>/")
            + ["\u0301", "\u0323", "\u200f", "\u202e", "\x00", "\x1f", "\x85", "\n", "\r", "\t"]
        ),
        max_size=20,
    ),
)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-3, max_value=15),
    st.integers(min_value=-(10**100), max_value=10**100),  # huge, but under Python's 4300-digit limit
    st.floats(allow_nan=True, allow_infinity=True),
    texts,
)
json_values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=3),
        st.dictionaries(
            st.one_of(st.sampled_from(["by", "text", "name", "id", "good"]), st.text(max_size=6)), children, max_size=3
        ),
    ),
    max_leaves=6,
)


FREE_TEXT_LEAVES = [
    p
    for p in SEED_LEAVES
    if p[-1]
    in (
        "parent",
        "cell",
        "place",
        "location",
        "name",
        "summary",
        "response",
        "text",
        "conclusion",
        "report",
        "remedy_plan",
        "invalid_reasons",
    )
]
INT_LEAVES = [p for p in SEED_LEAVES if type(_at(seed(), p)) is int]
MEMBER_OPTIONS = st.one_of(
    st.tuples(st.sampled_from(["exempt", "suspended", "temporary_elsewhere", "disciplined_in_year"]), st.booleans()),
    st.tuples(st.just("sick_leave_months"), st.integers(min_value=-1, max_value=13)),
    st.tuples(st.just("previous_level"), st.sampled_from([None, "excellent", "good", "completed", "not_completed"])),
    st.tuples(st.just("absence_reason"), texts),
)


@st.composite
def mutated_seeds(draw: st.DrawFn) -> dict[str, Any]:
    """Return the seed with one to three random changes.

    Most changes keep the kind of the value (a text for a text, a small integer for a
    count, an optional member key), so that many mutated files are still valid and the
    round trip is exercised; the others put any JSON value at any path.
    """
    doc = seed()
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        kind = draw(st.sampled_from(["any", "leaf", "text", "text", "int", "option", "option"]))
        if kind == "text":
            path, value = draw(st.sampled_from(FREE_TEXT_LEAVES)), draw(texts)
        elif kind == "int":
            path, value = draw(st.sampled_from(INT_LEAVES)), draw(st.integers(min_value=-1, max_value=12))
        elif kind == "option":
            key, value = draw(MEMBER_OPTIONS)
            path = ("members", draw(st.integers(min_value=0, max_value=9)), key)
        else:
            path = draw(st.sampled_from(SEED_LEAVES if kind == "leaf" else SEED_PATHS))
            value = draw(json_values)
        # An earlier change may have replaced a parent: nothing there to change.
        with contextlib.suppress(KeyError, IndexError, TypeError):
            _at(doc, path[:-1])[path[-1]] = value
    return doc


def _resolves(doc: Any, path: tuple[str | int, ...]) -> bool:
    try:
        _at(doc, path)
    except (KeyError, IndexError, TypeError):
        return False
    return True


def check_outcome(doc: Any) -> None:
    """Parse never raises; problems are well formed; an accepted file dumps idempotently."""
    before = copy.deepcopy(doc)
    mf, problems = parse(doc)
    event("accepted" if mf is not None else "refused")
    assert doc == before or doc != doc, "parse changed its input"  # NaN is not equal to itself
    if mf is None:
        assert problems, "no file and no problem"
        for p in problems:
            assert isinstance(p, Problem)
            assert all(isinstance(step, (str, int)) and not isinstance(step, bool) for step in p.path)
            assert format_path(p.path), "empty path string"
            # The problem points into the document: its parent is there.
            assert _resolves(doc, p.path[:-1]), (p.path, p.message)
            assert isinstance(p.message, str) and p.message.strip()
            assert VIETNAMESE.search(p.message.lower()), p.message
        return
    assert problems == []
    out = dump(mf)
    dumps(out).encode("utf-8")
    again, problems_again = parse(strip_results(out))
    assert problems_again == [], [(format_path(p.path), p.message) for p in problems_again]
    assert again is not None
    assert dump(again) == out
    assert dumps(dump(again)) == dumps(out)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(mutated_seeds())
def test_random_mutations_never_crash_and_round_trip(doc: dict[str, Any]) -> None:
    check_outcome(doc)


@settings(max_examples=200, deadline=None)
@given(st.sampled_from([p for p in SEED_LEAVES if isinstance(_at(seed(), p), str)]), texts)
def test_random_text_in_any_text_field(path: tuple[str | int, ...], value: str) -> None:
    doc = seed()
    _at(doc, path[:-1])[path[-1]] = value
    check_outcome(doc)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cc", "Cs")), min_size=1, max_size=40))
def test_accepted_names_are_stored_in_nfc_and_trimmed(name: str) -> None:
    doc = seed()
    put(doc, "members[3].name", unicodedata.normalize("NFD", name))
    mf, _problems = parse(doc)
    if mf is None:
        assert set(problems_of(doc)) == {"members[3].name"}
        return
    assert mf.members[3].name == unicodedata.normalize("NFC", name).strip()


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=200) | st.text(max_size=200).map(lambda s: s.encode("utf-8")))
def test_loads_of_random_bytes_never_crashes(data: bytes) -> None:
    mf, problems = loads(data)
    if mf is None:
        assert problems and all(format_path(p.path) for p in problems)


# ---------------------------------------------------------------------------
# Speakers (SPEC 8): a member present or a guest of the meeting

WARD_GUEST = {"name": "Đồng Văn Khải", "title": "Phó Bí thư Đảng ủy phường"}


def with_guest_speakers(doc: dict[str, Any]) -> dict[str, Any]:
    """Give the seed a guest, who speaks in the cell's review and in m03's."""
    doc["meeting"]["guests"] = [WARD_GUEST, {"name": "Lê Văn Tư", "title": ""}]
    doc["collective_reviews"][0]["feedback"].append({"guest": 0, "text": "Chi bộ cần phát huy."})
    put(doc, "members[2].review.feedback[0]", {"guest": 1, "text": "Đồng chí cần cố gắng hơn."})
    return doc


def test_a_guest_speaks_by_position_and_comes_back_as_written() -> None:
    doc = with_guest_speakers(seed())
    mf, problems = parse(doc)
    assert problems == [] and mf is not None
    cell_feedback = mf.collective_reviews[0].feedback
    assert [(e.by, e.guest) for e in cell_feedback] == [("m05", None), (None, 0)]
    m03 = mf.members[2].review
    assert m03 is not None and (m03.feedback[0].by, m03.feedback[0].guest) == (None, 1)
    out = dump(mf, with_results=False)
    assert out["collective_reviews"][0]["feedback"][1] == {"guest": 0, "text": "Chi bộ cần phát huy."}
    assert list(out["members"][2]["review"]["feedback"][0]) == ["guest", "text"]  # no "by" beside it
    text = dumps(out)
    again, problems = loads(text)
    assert problems == [] and again is not None
    assert dumps(dump(again, with_results=False)) == text


def test_speaker_name_names_a_member_or_a_guest_with_the_title() -> None:
    mf, problems = parse(with_guest_speakers(seed()))
    assert problems == [] and mf is not None
    cell = mf.collective_reviews[0].feedback
    assert mf.speaker_name(cell[0]) == "Trần Thị Minh Nguyệt"
    assert mf.speaker_name(cell[1]) == "Đồng Văn Khải (Phó Bí thư Đảng ủy phường)"
    m03 = mf.members[2].review
    assert m03 is not None and mf.speaker_name(m03.feedback[0]) == "Lê Văn Tư"  # no title, no brackets


def test_a_guest_speaker_the_file_does_not_list_is_refused_with_its_path() -> None:
    doc = with_guest_speakers(seed())
    doc["meeting"]["guests"] = [WARD_GUEST]
    problems = problems_of(doc)
    assert set(problems) == {"members[2].review.feedback[0].guest"}
    assert "số 1" in problems["members[2].review.feedback[0].guest"]
    assert "0 đến 0" in problems["members[2].review.feedback[0].guest"]
    doc["meeting"]["guests"] = []
    assert set(problems_of(doc)) == {"members[2].review.feedback[0].guest", "collective_reviews[0].feedback[1].guest"}


@pytest.mark.parametrize(
    ("entry", "path", "fragment"),
    [
        ({"by": "m02", "guest": 0, "text": "Hai người?"}, "members[2].review.feedback[0].guest", "cả hai"),
        ({"text": "Ai nói?"}, "members[2].review.feedback[0].by", "guest"),
        ({"guest": "0", "text": "Chuỗi"}, "members[2].review.feedback[0].guest", "số nguyên"),
        ({"guest": -1, "text": "Âm"}, "members[2].review.feedback[0].guest", "-1"),
        ({"guest": True, "text": "Đúng"}, "members[2].review.feedback[0].guest", "số nguyên"),
    ],
)
def test_a_feedback_names_one_speaker_by_member_or_guest(entry: dict[str, Any], path: str, fragment: str) -> None:
    doc = with_guest_speakers(seed())
    put(doc, "members[2].review.feedback[0]", entry)
    problems = problems_of(doc)
    assert set(problems) == {path}, problems
    assert fragment in problems[path] and VIETNAMESE.search(problems[path])


@pytest.mark.parametrize("attendance", ["absent_excused", "absent"])
def test_feedback_attributed_to_an_absent_member_is_refused_with_its_path(attendance: str) -> None:
    doc = seed()
    # m05 spoke on the cell's review and on m04's: absent, even with a reason, they spoke not.
    put(doc, "members[4].attendance", attendance)
    if attendance == "absent_excused":
        put(doc, "members[4].absence_reason", "Đi công tác")
    put(doc, "meeting.minutes_approved_by", 9)
    problems = problems_of(doc)  # the ballot then has one voter too few as well
    speaker_paths = {p for p in problems if ".feedback[" in p}
    assert speaker_paths == {"members[3].review.feedback[0].by", "collective_reviews[0].feedback[0].by"}, problems
    for path in speaker_paths:
        assert "Trần Thị Minh Nguyệt" in problems[path] and "vắng mặt" in problems[path]
        assert "khách mời" in problems[path]


def test_the_party_keeps_its_capital_in_the_files_messages() -> None:
    # A new member (admitted under 6 months) has no ballot row: the message names why, "vào Đảng".
    doc = seed()
    put(doc, "members[9].admitted_on", "2020-08-01")
    message = next(m for p, m in problems_of(doc).items() if p.startswith("ballot.rows.m10"))
    assert "vào Đảng" in message and "đảng" not in message.replace("Đảng", "")
