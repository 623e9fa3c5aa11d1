"""Tests of the rules that have one home in the core (issue 12, "One home per rule").

Who may count the ballots, the smallest committee, the single positions, the overrides a review
year keeps, the review years, a flag's wording under the rules in force (review/rules.py), and
the sealed payload with its fingerprint (review/sealdata.py). Exhaustive where the domain is
small, properties (Hypothesis) where it is not. The last tests check that the shell's forms and
models use these very definitions.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from review import meetingfile, rules, sealdata
from review.meetingfile import cross_check, dump, loads, parse
from review.rules import (
    COUNTER_BAR_LABELS,
    FIRST_REVIEW_YEAR,
    FLAG_LABELS,
    FLAG_SICK_LEAVE_CAP,
    LAST_REVIEW_YEAR,
    MIN_COUNTERS,
    OVERRIDE_KEYS,
    PROFILES,
    RATIO_OVERRIDE_KEYS,
    SINGLE_POSITIONS,
    Attendance,
    CounterBar,
    MemberFacts,
    Position,
    Standing,
    counter_bar,
    counter_refusal,
    default_profile,
    flag_label,
    is_review_year,
    is_voter,
    profiled_years,
)

SEED_BYTES = (Path(meetingfile.__file__).resolve().parent / "data" / "thuong-thanh-2020.json").read_bytes()
# The SHA-256 of the seed meeting's sealed payload, as review/meeting_store.py computed it before the
# payload moved to review/sealdata.py: the payload is the same, byte for byte, so old seals verify.
SEED_FINGERPRINT = "4ac843bcbeface4e323fed7bc5798bce57d44d54b210a34a75a939aa161a8f15"


def seed() -> dict[str, Any]:
    return json.loads(SEED_BYTES)


# ---------------------------------------------------------------------------
# Who may count the ballots


EVERY_MEMBER = list(itertools.product(Standing, Attendance, (False, True)))


@pytest.mark.parametrize(("standing", "attendance", "suspended"), EVERY_MEMBER)
def test_a_member_may_count_exactly_when_they_vote(standing, attendance, suspended) -> None:
    facts = MemberFacts("m", standing, date(2000, 1, 1), attendance=attendance, suspended=suspended)
    bar = counter_bar(standing, attendance, suspended)
    assert (bar is None) == is_voter(facts)
    # Plain strings (as the database stores them) give the same answer.
    assert counter_bar(str(standing), str(attendance), suspended) is bar


@pytest.mark.parametrize(("standing", "attendance", "suspended"), EVERY_MEMBER)
def test_the_reason_is_the_first_that_applies(standing, attendance, suspended) -> None:
    expected = (
        CounterBar.PROBATIONARY
        if standing is Standing.PROBATIONARY
        else CounterBar.SUSPENDED
        if suspended
        else {
            Attendance.PRESENT: None,
            Attendance.ABSENT_EXCUSED: CounterBar.ABSENT_EXCUSED,
            Attendance.ABSENT: CounterBar.ABSENT,
        }[attendance]
    )
    assert counter_bar(standing, attendance, suspended) is expected


@given(
    st.builds(
        MemberFacts,
        key=st.just("m"),
        standing=st.sampled_from(Standing),
        admitted_on=st.dates(),
        attendance=st.sampled_from(Attendance),
        exempt=st.booleans(),
        suspended=st.booleans(),
        temporary_elsewhere=st.booleans(),
        sick_leave_months=st.integers(0, 12),
        disciplined_in_year=st.booleans(),
    )
)
def test_no_other_fact_changes_who_may_count(member: MemberFacts) -> None:
    assert (counter_bar(member.standing, member.attendance, member.suspended) is None) == is_voter(member)


def test_the_wordings_of_the_committee() -> None:
    # The committee page's, beside the name (as counting_pages.why_not_eligible wrote them).
    assert COUNTER_BAR_LABELS == {
        CounterBar.PROBATIONARY: "Đảng viên dự bị: không được tham gia ban kiểm phiếu.",
        CounterBar.SUSPENDED: "Bị đình chỉ sinh hoạt đảng: không có quyền biểu quyết.",
        CounterBar.ABSENT_EXCUSED: "Vắng có lý do: không tham gia ban kiểm phiếu.",
        CounterBar.ABSENT: "Vắng mặt: không tham gia ban kiểm phiếu.",
    }
    # The meeting file's and the committee form's, naming the member.
    assert counter_refusal("A", CounterBar.PROBATIONARY) == (
        "Đồng chí A là đảng viên dự bị, không được tham gia ban kiểm phiếu."
    )
    for bar in (CounterBar.SUSPENDED, CounterBar.ABSENT_EXCUSED, CounterBar.ABSENT):
        assert counter_refusal("A", bar) == "Đồng chí A không có mặt với quyền biểu quyết, không thể kiểm phiếu."


@pytest.mark.parametrize(("standing", "attendance", "suspended"), EVERY_MEMBER)
def test_the_meeting_file_refuses_a_counter_with_the_rules_wording(standing, attendance, suspended) -> None:
    doc = seed()
    counter = doc["ballot"]["counters"][0]
    member = next(m for m in doc["members"] if m["id"] == counter)
    member.update(standing=str(standing), attendance=str(attendance), suspended=suspended)
    member["absence_reason"] = "" if attendance is Attendance.PRESENT else "Đi công tác"
    mf, problems = parse(doc, cross_checked=False)
    assert mf is not None, problems
    found = [p.message for p in cross_check(mf) if p.path == ("ballot", "counters", 0)]
    bar = counter_bar(standing, attendance, suspended)
    assert found == ([] if bar is None else [counter_refusal(member["name"], bar)])


def test_the_smallest_committee_is_two_counters() -> None:
    assert MIN_COUNTERS == 2  # two independent entries of the ballots


# ---------------------------------------------------------------------------
# Positions and overrides


def test_a_cell_has_one_secretary_and_one_deputy() -> None:
    assert SINGLE_POSITIONS == (Position.SECRETARY, Position.DEPUTY_SECRETARY)


@pytest.mark.parametrize("position", list(Position))
def test_the_meeting_file_refuses_a_second_holder_only_of_a_single_position(position: Position) -> None:
    doc = seed()
    for member in doc["members"][:3]:
        member["position"] = str(position)
    mf, _ = parse(doc, cross_checked=False)
    assert mf is not None
    paths = [p.path for p in cross_check(mf) if p.path[-1:] == ("position",)]
    assert paths == ([("members", 1, "position"), ("members", 2, "position")] if position in SINGLE_POSITIONS else [])


def test_the_ratio_overrides_are_overrides() -> None:
    assert set(RATIO_OVERRIDE_KEYS) <= set(OVERRIDE_KEYS)
    assert len(set(OVERRIDE_KEYS)) == len(OVERRIDE_KEYS)


# ---------------------------------------------------------------------------
# The review years


def test_the_review_years_start_with_the_first_profile() -> None:
    assert FIRST_REVIEW_YEAR == min(p.first_year for p in PROFILES.values()) == 2019
    assert LAST_REVIEW_YEAR == 2100
    assert all(is_review_year(p.first_year) for p in PROFILES.values())


@given(st.integers(-(10**6), 10**6))
def test_a_review_year_is_one_of_the_range(year: int) -> None:
    assert is_review_year(year) == (FIRST_REVIEW_YEAR <= year <= LAST_REVIEW_YEAR)


def test_every_review_year_has_a_profile() -> None:
    assert all(default_profile(year) is not None for year in range(FIRST_REVIEW_YEAR, LAST_REVIEW_YEAR + 1))
    assert default_profile(FIRST_REVIEW_YEAR - 1) is None


@given(st.integers(1900, 3000))
def test_the_profiled_years_are_review_years(current_year: int) -> None:
    years = profiled_years(current_year)
    assert all(is_review_year(y) for y in years)
    assert years[0] == FIRST_REVIEW_YEAR


@pytest.mark.parametrize(
    ("year", "refused"),
    [
        (FIRST_REVIEW_YEAR - 1, True),
        (FIRST_REVIEW_YEAR, False),
        (LAST_REVIEW_YEAR, False),
        (LAST_REVIEW_YEAR + 1, True),
    ],
)
def test_the_meeting_file_reads_the_review_years(year: int, refused: bool) -> None:
    doc = seed()
    doc["year"] = year
    _, problems = parse(doc)
    year_problems = [p.message for p in problems if p.path == ("year",)]
    assert year_problems == (
        [f"Giá trị {year} nằm ngoài khoảng {FIRST_REVIEW_YEAR}–{LAST_REVIEW_YEAR}."] if refused else []
    )


# ---------------------------------------------------------------------------
# The meeting file's named checks come in their order


def test_the_cross_checks_come_in_their_order() -> None:
    doc = seed()
    doc["members"][3]["position"] = "secretary"  # single positions
    doc["meeting"]["chair"] = "nobody"  # the meeting's roles
    doc["members"][4]["absence_reason"] = "Ốm"  # a member's record (present, with a reason)
    doc["members"][5]["review"]["feedback"] = [{"by": "m06", "text": "Tự góp ý."}]  # a member's review
    doc["collective_reviews"][1]["subject"] = "cell"  # the collective reviews
    doc["ballot"]["counters"] = ["m06", "nobody"]  # the committee
    doc["ballot"]["issued"] += 1  # the ballot's counts
    mf, _ = parse(doc, cross_checked=False)
    assert mf is not None
    sections = [p.path[:3] if p.path[:2] == ("ballot", "counters") else p.path[:1] for p in cross_check(mf)]
    assert sections == [
        ("members",),
        ("meeting",),
        ("members",),
        ("members",),
        ("collective_reviews",),
        ("ballot", "counters", 1),
        ("ballot",),
    ]
    # An id twice comes first, and leaves the ballot unchecked (who is rated depends on the ids).
    doc["members"][1]["id"] = "m01"
    mf, _ = parse(doc, cross_checked=False)
    assert mf is not None
    problems = cross_check(mf)
    assert problems[0].path == ("members", 1, "id")
    assert not any(p.path[0] == "ballot" for p in problems)


# ---------------------------------------------------------------------------
# A flag's wording names the rules in force


@pytest.mark.parametrize("profile", list(PROFILES.values()), ids=list(PROFILES))
@pytest.mark.parametrize("flag", list(FLAG_LABELS))
def test_a_flag_reads_as_today_under_every_profile(profile: rules.Rules, flag: str) -> None:
    assert flag_label(flag, profile) == FLAG_LABELS[flag]


@given(st.integers(1, 12))
def test_the_sick_leave_flag_names_the_cap_in_force(months: int) -> None:
    capped = replace(PROFILES["hd21-2019"], sick_leave_cap_months=months)
    label = flag_label(FLAG_SICK_LEAVE_CAP, capped)
    assert label == f"Nghỉ ốm từ {months} tháng trở lên: xếp loại tối đa Hoàn thành nhiệm vụ"
    assert all(flag_label(f, capped) == FLAG_LABELS[f] for f in FLAG_LABELS if f != FLAG_SICK_LEAVE_CAP)


def test_the_default_wordings_are_unchanged() -> None:
    assert FLAG_LABELS[FLAG_SICK_LEAVE_CAP] == "Nghỉ ốm từ 3 tháng trở lên: xếp loại tối đa Hoàn thành nhiệm vụ"
    assert rules.NOT_RATED_LABELS[rules.NotRatedReason.NEW_MEMBER] == "Vào Đảng chưa đủ 6 tháng"
    assert rules.FIRST_SCORED_YEAR == 2025


# ---------------------------------------------------------------------------
# The sealed payload and its fingerprint (review/sealdata.py)


def test_the_seed_payload_is_the_one_sealed_before() -> None:
    mf, problems = loads(SEED_BYTES)
    assert mf is not None, problems
    payload = sealdata.sealed_payload(mf)
    assert sealdata.fingerprint(payload) == SEED_FINGERPRINT
    assert sealdata.read_payload(payload) == sealdata.covered_part(dump(mf))


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4),
    max_leaves=20,
)


@given(st.dictionaries(st.text(max_size=8), JSON, max_size=6))
def test_the_canonical_text_reads_back_and_ignores_key_order(document: dict[str, Any]) -> None:
    text = sealdata.canonical_payload(document)
    assert sealdata.read_payload(text) == document
    assert sealdata.canonical_payload(dict(reversed(list(document.items())))) == text


@given(st.text())
def test_the_fingerprint_is_the_sha256_of_the_utf8_text(payload: str) -> None:
    assert sealdata.fingerprint(payload) == hashlib.sha256(payload.encode("utf-8")).hexdigest()


@pytest.mark.parametrize("text", ["", "[]", "1", '"x"', "null", "{", "[" * 100_000, '{"a": NaN'])
def test_a_payload_that_is_not_an_object_is_not_read(text: str) -> None:
    assert sealdata.read_payload(text) is None


# ---------------------------------------------------------------------------
# The shell uses these definitions


def test_the_shell_uses_the_rules_definitions() -> None:
    from review.models import ReviewYear
    from review.roster import forms as roster_forms
    from review.ward.forms import ExportForm, YearForm

    assert ReviewYear.OVERRIDES is OVERRIDE_KEYS
    assert roster_forms.SINGLE_POSITIONS is SINGLE_POSITIONS
    for form in (YearForm, ExportForm):
        (number_range,) = [v for v in form.year.kwargs["validators"] if hasattr(v, "min")]
        assert (number_range.min, number_range.max) == (FIRST_REVIEW_YEAR, LAST_REVIEW_YEAR), form
