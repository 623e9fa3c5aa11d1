"""Example and boundary tests of the rating rules (review/rules.py, SPEC 3 to 6).

Only ``review.rules`` is imported: no Flask, no database. Every number in these
tests is worked out by hand from SPEC, not copied from the code under test.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from fractions import Fraction
from pathlib import Path

import pytest

from review.rules import (
    CELL_ROW,
    FLAG_DISCIPLINED,
    FLAG_MANY_NOT_COMPLETED,
    FLAG_MEMBER_NOT_COMPLETED,
    FLAG_NO_MAJORITY,
    FLAG_SCORE_CAP,
    FLAG_SICK_LEAVE_CAP,
    FLAG_TWO_YEARS,
    LEVELS,
    PROFILES,
    UNDECIDED,
    Attendance,
    BallotCount,
    BallotMode,
    CellResult,
    Level,
    MemberFacts,
    MemberResult,
    NotRatedReason,
    Position,
    Problem,
    QuotaPool,
    Rules,
    SecondVotes,
    Standing,
    Votes,
    add_months,
    can_seal,
    cell_result,
    check_ballot,
    combined_level,
    evaluate,
    in_base,
    is_new_member,
    is_reviewed,
    is_voter,
    lower,
    member_result,
    not_rated_reason,
    parse_ratio,
    passes_majority,
    passes_threshold,
    quorum_met,
    quorum_required,
    quota,
    quota_across,
    resolve_rules,
    review_order_key,
    rules_overrides,
    score_band,
    summarize,
    vote_base,
    vote_level,
    voters_present,
)

E, G, C, NC = Level.EXCELLENT, Level.GOOD, Level.COMPLETED, Level.NOT_COMPLETED
HD21, HD25, HD43 = PROFILES["hd21-2019"], PROFILES["hd25-2023"], PROFILES["hd43-2025"]
MEETING = date(2020, 11, 27)  # the seed meeting's day
LONG_AGO = date(2000, 1, 1)  # admitted long before any meeting in these tests


# ---------------------------------------------------------------------------
# Small builders


def official(key: str = "m", **facts) -> MemberFacts:
    """An official member admitted long ago, present unless told otherwise."""
    facts.setdefault("admitted_on", LONG_AGO)
    return MemberFacts(key=key, standing=Standing.OFFICIAL, **facts)


def probationary(key: str = "p", **facts) -> MemberFacts:
    """A probationary member admitted long enough ago to be rated."""
    facts.setdefault("admitted_on", LONG_AGO)
    return MemberFacts(key=key, standing=Standing.PROBATIONARY, **facts)


def officials(n: int, prefix: str = "o", **facts) -> list[MemberFacts]:
    """``n`` official members with keys o01, o02, ..."""
    return [official(f"{prefix}{i:02d}", **facts) for i in range(1, n + 1)]


def rules(profile: str = "hd21-2019", **overrides) -> Rules:
    """The profile with overrides applied; the overrides must be valid."""
    resolved, problems = resolve_rules(profile, overrides)
    assert problems == [], problems
    assert resolved is not None
    return resolved


def problems_of(profile: str, **overrides) -> list[Problem]:
    """The problems resolve_rules reports; it must then return no rules."""
    resolved, problems = resolve_rules(profile, overrides)
    assert resolved is None
    return problems


def rate(
    member: MemberFacts, votes: Votes | None, *, base: int = 10, profile: Rules = HD21, day: date = MEETING
) -> MemberResult:
    return member_result(member, votes, base, day, profile)


def result(level: Level | None, key: str = "r", *, vote: Level | str | None = None) -> MemberResult:
    """A rated member's result proposed at ``level`` (None: undecided)."""
    return MemberResult(key, True, None, vote or level or UNDECIDED, level)


def not_rated_result(key: str = "x") -> MemberResult:
    return MemberResult(key, False, NotRatedReason.EXEMPT, None, None)


def results(**counts: int) -> list[MemberResult]:
    """Rated member results, e.g. results(good=4, not_completed=1)."""
    out: list[MemberResult] = []
    for name, n in counts.items():
        out += [result(Level(name), f"{name}{i}") for i in range(n)]
    return out


def ballot(
    valid: int, rows: dict[str, Votes], *, issued: int | None = None, returned: int | None = None, invalid: int = 0
) -> BallotCount:
    returned = valid + invalid if returned is None else returned
    return BallotCount(issued=returned if issued is None else issued, returned=returned, invalid=invalid, rows=rows)


def paths(problems: list[Problem]) -> list[tuple]:
    return [p.path for p in problems]


# ---------------------------------------------------------------------------
# Levels (SPEC 2) and the small helpers


def test_levels_are_ordered_best_first():
    assert LEVELS == (E, G, C, NC)
    assert [level.rank for level in LEVELS] == [0, 1, 2, 3]


def test_level_labels_and_abbreviations_follow_spec_table():
    assert (E.label, E.short) == ("Hoàn thành xuất sắc nhiệm vụ", "HTXSNV")
    assert (G.label, G.short) == ("Hoàn thành tốt nhiệm vụ", "HTTNV")
    assert (C.label, C.short) == ("Hoàn thành nhiệm vụ", "HTNV")
    assert (NC.label, NC.short) == ("Không hoàn thành nhiệm vụ", "KHTNV")


@pytest.mark.parametrize(("a", "b", "expected"), [(E, G, G), (G, E, G), (C, NC, NC), (NC, E, NC), (G, G, G)])
def test_lower_returns_the_worse_of_two_levels(a, b, expected):
    assert lower(a, b) is expected


@pytest.mark.parametrize(
    ("score", "band"),
    [(100, E), (90, E), (89, G), (70, G), (69, C), (50, C), (49, NC), (0, NC)],
)
def test_score_band_edges(score, band):
    assert score_band(score) is band


def test_review_order_puts_the_head_first_then_roll_order():
    roll = [
        ("a", Position.MEMBER, 0),
        ("b", Position.COMMITTEE, 1),
        ("c", Position.SECRETARY, 2),
        ("d", Position.MEMBER, 3),
        ("e", Position.DEPUTY_SECRETARY, 4),
        ("f", Position.COMMITTEE, 5),
    ]
    ordered = sorted(roll, key=lambda r: review_order_key(r[1], r[2]))
    assert [r[0] for r in ordered] == ["c", "e", "b", "f", "a", "d"]


@pytest.mark.parametrize(
    ("profile", "year", "applies"),
    [
        (HD21, 2018, False),
        (HD21, 2019, True),
        (HD21, 2022, True),
        (HD21, 2023, False),
        (HD25, 2023, True),
        (HD25, 2024, True),
        (HD25, 2025, False),
        (HD43, 2024, False),
        (HD43, 2025, True),
        (HD43, 2040, True),
    ],
)
def test_profile_years_follow_spec_table(profile, year, applies):
    assert profile.applies_to(year) is applies


def test_profile_years_as_text():
    assert (HD21.years, HD25.years, HD43.years) == ("2019–2022", "2023–2024", "từ 2025")


def test_profile_parameters_follow_spec_section_6():
    for profile in (HD21, HD25, HD43):
        assert profile.quorum == Fraction(2, 3)
        assert profile.cumulative is True
        assert profile.ballot_mode is BallotMode.SINGLE
        assert profile.quota_ratio == Fraction(1, 5)
        assert profile.quota_pool is QuotaPool.GOOD_ONLY
    assert (HD21.sick_leave_cap_months, HD25.sick_leave_cap_months, HD43.sick_leave_cap_months) == (3, 3, None)
    assert (HD21.new_members_reviewed, HD25.new_members_reviewed, HD43.new_members_reviewed) == (True, False, False)
    assert (HD21.scored, HD25.scored, HD43.scored) == (False, False, True)


# ---------------------------------------------------------------------------
# Worked examples (SPEC 5.3 and the seed meeting)


def test_spec_worked_example_base_12_votes_3_3_5_1_is_completed():
    votes = Votes(excellent=3, good=3, completed=5, not_completed=1)
    # 3 fails; 3 + 3 = 6 is not more than 6; 6 + 5 = 11 passes.
    assert vote_level(votes, 12, HD21) is C


def test_spec_worked_example_one_more_good_vote_would_reach_good():
    votes = Votes(excellent=3, good=4, completed=4, not_completed=1)
    assert vote_level(votes, 12, HD21) is G  # 3 + 4 = 7 > 6


def test_spec_worked_example_without_cumulative_counting_is_undecided():
    votes = Votes(excellent=3, good=3, completed=5, not_completed=1)
    assert vote_level(votes, 12, rules(cumulative=False)) == UNDECIDED  # 5 alone is not more than 6


PROJECT = Path(__file__).resolve().parent.parent


def _seed_facts(member: dict) -> MemberFacts:
    previous = member.get("previous_level")
    score = member.get("review", {}).get("self_score")
    return MemberFacts(
        key=member["id"],
        standing=Standing(member["standing"]),
        admitted_on=date.fromisoformat(member["admitted_on"]),
        attendance=Attendance(member["attendance"]),
        exempt=member.get("exempt", False),
        suspended=member.get("suspended", False),
        temporary_elsewhere=member.get("temporary_elsewhere", False),
        sick_leave_months=member.get("sick_leave_months", 0),
        disciplined_in_year=member.get("disciplined_in_year", False),
        previous_level=Level(previous) if previous else None,
        self_score=score,
    )


def _seed_ballot(data: dict) -> BallotCount:
    b = data["ballot"]
    return BallotCount(
        issued=b["issued"],
        returned=b["returned"],
        invalid=b["invalid"],
        invalid_reasons=b.get("invalid_reasons", ""),
        rows={key: Votes(**row) for key, row in b["rows"].items()},
    )


@pytest.fixture(scope="module")
def seed():
    data = json.loads((PROJECT / "review" / "data" / "thuong-thanh-2020.json").read_text(encoding="utf-8"))
    expected = json.loads((PROJECT / "tests" / "data" / "thuong-thanh-2020.results.json").read_text(encoding="utf-8"))
    return data, expected


def _evaluate_seed(data: dict, profile: Rules | None = None):
    members = [_seed_facts(m) for m in data["members"]]
    assert len(members) == 10
    return evaluate(profile or PROFILES[data["rules"]["profile"]], date(2020, 11, 27), members, _seed_ballot(data))


def test_seed_example_results_match_the_expected_file_exactly(seed):
    data, expected = seed
    outcome = _evaluate_seed(data, PROFILES["hd21-2019"])
    assert outcome.as_dict() == expected


def test_seed_example_ballot_is_consistent_and_can_be_sealed(seed):
    data, _ = seed
    outcome = _evaluate_seed(data)
    assert outcome.ballot_problems == ()
    assert can_seal(outcome) is True


def test_seed_example_carries_the_quota_warning_pool_8_limit_1_excellent_2(seed):
    data, _ = seed
    q = _evaluate_seed(data).quota
    assert (q.pool, q.limit, q.excellent, q.exceeded) == (8, 1, 2, True)


def test_seed_example_with_two_thirds_excellent_threshold_keeps_m03_and_m04_excellent(seed):
    data, _ = seed
    # m03 has 8 and m04 has 7 excellent votes of base 10: 3*7 = 21 >= 20.
    outcome = _evaluate_seed(data, rules(excellent_threshold="2/3"))
    assert outcome.member("m03").proposed_level is E
    assert outcome.member("m04").proposed_level is E


def test_seed_example_good_or_above_pool_lifts_the_quota_warning(seed):
    data, _ = seed
    q = _evaluate_seed(data, rules(quota_pool="good_or_above")).quota
    assert (q.pool, q.limit, q.excellent, q.exceeded) == (10, 2, 2, False)


# ---------------------------------------------------------------------------
# Who votes, and the base (SPEC 4)

CORE = officials(5)  # five official members present: base 5, five voters


@pytest.mark.parametrize(
    ("extra", "adds_to_base"),
    [
        pytest.param(official("x"), 1, id="official-present"),
        pytest.param(official("x", temporary_elsewhere=True), 0, id="temporary-elsewhere-present"),
        pytest.param(
            official("x", temporary_elsewhere=True, attendance=Attendance.ABSENT), 0, id="temporary-elsewhere-absent"
        ),
        pytest.param(official("x", exempt=True, attendance=Attendance.ABSENT), 0, id="exempt-absent"),
        pytest.param(official("x", exempt=True, attendance=Attendance.ABSENT_EXCUSED), 0, id="exempt-absent-excused"),
        pytest.param(official("x", exempt=True), 1, id="exempt-present"),
        pytest.param(official("x", suspended=True), 0, id="suspended-present"),
        pytest.param(official("x", suspended=True, attendance=Attendance.ABSENT), 0, id="suspended-absent"),
        pytest.param(official("x", attendance=Attendance.ABSENT_EXCUSED), 0, id="official-absent-with-excuse"),
        pytest.param(official("x", attendance=Attendance.ABSENT), 1, id="official-absent-without-reason-stays"),
        pytest.param(probationary("x"), 0, id="probationary-present"),
        pytest.param(probationary("x", attendance=Attendance.ABSENT), 0, id="probationary-absent"),
        pytest.param(probationary("x", attendance=Attendance.ABSENT_EXCUSED), 0, id="probationary-excused"),
    ],
)
def test_each_base_exclusion_separately(extra, adds_to_base):
    assert in_base(extra) is bool(adds_to_base)
    assert vote_base(CORE + [extra]) == 5 + adds_to_base


@pytest.mark.parametrize(
    ("extra", "votes"),
    [
        pytest.param(official("x"), True, id="official-present"),
        pytest.param(official("x", exempt=True), True, id="exempt-official-present-votes"),
        pytest.param(probationary("x"), False, id="probationary-present-does-not-vote"),
        pytest.param(official("x", suspended=True), False, id="suspended-present-does-not-vote"),
        pytest.param(official("x", attendance=Attendance.ABSENT), False, id="official-absent"),
        pytest.param(official("x", attendance=Attendance.ABSENT_EXCUSED), False, id="official-absent-excused"),
        pytest.param(official("x", exempt=True, attendance=Attendance.ABSENT), False, id="exempt-absent"),
    ],
)
def test_who_votes(extra, votes):
    assert is_voter(extra) is votes
    assert voters_present(CORE + [extra]) == 5 + votes


def test_base_is_not_members_present():
    cell = officials(6) + officials(3, "a", attendance=Attendance.ABSENT) + [probationary("p1"), probationary("p2")]
    assert voters_present(cell) == 6
    assert vote_base(cell) == 9  # the three absent without reason stay in the base


def test_base_of_a_mixed_cell_counts_each_rule_once():
    cell = officials(4) + [
        official("temp", temporary_elsewhere=True),
        official("exempt-away", exempt=True, attendance=Attendance.ABSENT),
        official("exempt-here", exempt=True),
        official("susp", suspended=True),
        official("excused", attendance=Attendance.ABSENT_EXCUSED),
        official("truant", attendance=Attendance.ABSENT),
        probationary("p"),
    ]
    assert vote_base(cell) == 4 + 1 + 1  # the four, exempt-here, truant
    assert voters_present(cell) == 4 + 1 + 1  # the four, exempt-here, temp (present, official)


def test_evaluate_reports_base_and_voters_present():
    cell = (
        officials(7)
        + officials(2, "a", attendance=Attendance.ABSENT_EXCUSED)
        + [official("t", attendance=Attendance.ABSENT), probationary("p")]
    )
    outcome = evaluate(HD21, MEETING, cell, None)
    assert (outcome.base, outcome.voters_present) == (8, 7)


# ---------------------------------------------------------------------------
# Quorum (SPEC 5.1)

TWO_THIRDS = Fraction(2, 3)


@pytest.mark.parametrize(
    ("base", "required"),
    [(1, 1), (2, 2), (3, 2), (4, 3), (5, 4), (6, 4), (7, 5), (8, 6), (9, 6), (10, 7), (11, 8), (12, 8), (30, 20)],
)
def test_quorum_two_thirds_required_and_its_edge(base, required):
    assert quorum_required(base, TWO_THIRDS) == required
    assert quorum_met(required, base, TWO_THIRDS) is True
    assert quorum_met(required - 1, base, TWO_THIRDS) is False


def test_quorum_base_10_needs_7_base_9_needs_6():
    assert quorum_required(10, TWO_THIRDS) == 7
    assert quorum_required(9, TWO_THIRDS) == 6
    assert not quorum_met(6, 10, TWO_THIRDS) and quorum_met(7, 10, TWO_THIRDS)
    assert not quorum_met(5, 9, TWO_THIRDS) and quorum_met(6, 9, TWO_THIRDS)


@pytest.mark.parametrize("present", [0, 1, 5])
def test_quorum_is_never_met_with_base_zero(present):
    assert quorum_met(present, 0, TWO_THIRDS) is False


def test_quorum_with_base_zero_through_evaluate_is_not_met():
    cell = [official("a", attendance=Attendance.ABSENT_EXCUSED), probationary("p")]
    outcome = evaluate(HD21, MEETING, cell, None)
    assert outcome.base == 0 and outcome.quorum_met is False


@pytest.mark.parametrize(
    ("ratio", "base", "required"),
    [
        ("1/2", 10, 5),
        ("1/2", 9, 5),
        ("1/2", 1, 1),
        ("3/4", 10, 8),
        ("3/4", 8, 6),
        ("3/4", 9, 7),
        ("1/1", 7, 7),
        ("1", 7, 7),
    ],
)
def test_quorum_ratio_overrides(ratio, base, required):
    quorum = rules(quorum=ratio).quorum
    assert quorum_required(base, quorum) == required
    assert quorum_met(required, base, quorum)
    assert not quorum_met(required - 1, base, quorum)


@pytest.mark.parametrize(("base", "required"), [(3, 2), (9, 6), (10, 7), (12, 8)])
def test_evaluate_quorum_edge_with_real_members(base, required):
    present = officials(required)
    absent = officials(base - required, "a", attendance=Attendance.ABSENT)
    met = evaluate(HD21, MEETING, present + absent, None)
    assert (met.base, met.voters_present, met.quorum_required, met.quorum_met) == (base, required, required, True)
    # one present member fewer (now absent without reason, so still in the base)
    short = present[1:] + [replace(present[0], attendance=Attendance.ABSENT)] + absent
    not_met = evaluate(HD21, MEETING, short, None)
    assert (not_met.base, not_met.voters_present, not_met.quorum_met) == (base, required - 1, False)


def test_excused_absences_shrink_the_base_and_save_the_quorum():
    # 6 present of 10: with 4 absent without reason the quorum fails (needs 7) ...
    truant = officials(6) + officials(4, "a", attendance=Attendance.ABSENT)
    assert evaluate(HD21, MEETING, truant, None).quorum_met is False
    # ... with the same 4 absent with an approved reason, base 6 needs 4.
    excused = officials(6) + officials(4, "a", attendance=Attendance.ABSENT_EXCUSED)
    outcome = evaluate(HD21, MEETING, excused, None)
    assert (outcome.base, outcome.quorum_required, outcome.quorum_met) == (6, 4, True)


def test_probationary_members_present_do_not_help_the_quorum():
    cell = officials(6) + officials(4, "a", attendance=Attendance.ABSENT) + [probationary(f"p{i}") for i in range(5)]
    outcome = evaluate(HD21, MEETING, cell, None)
    assert (outcome.base, outcome.voters_present, outcome.quorum_met) == (10, 6, False)


# ---------------------------------------------------------------------------
# Thresholds (SPEC 5.2)


@pytest.mark.parametrize(
    ("base", "fails", "passes"),
    [(10, 5, 6), (9, 4, 5), (12, 6, 7), (1, 0, 1), (2, 1, 2), (3, 1, 2)],
)
def test_more_than_half_edge(base, fails, passes):
    assert passes_majority(fails, base) is False
    assert passes_majority(passes, base) is True
    # and through a ballot row, with the rest blank
    assert vote_level(Votes(good=fails, blank=base - fails), base, HD21) == UNDECIDED
    assert vote_level(Votes(good=passes, blank=base - passes), base, HD21) is G


def test_threshold_base_10_five_good_fails_six_passes():
    assert vote_level(Votes(good=5, completed=0, blank=5), 10, HD21) == UNDECIDED
    assert vote_level(Votes(good=6, blank=4), 10, HD21) is G


def test_threshold_base_9_four_fails_five_passes():
    assert vote_level(Votes(excellent=4, blank=5), 9, HD21) == UNDECIDED
    assert vote_level(Votes(excellent=5, blank=4), 9, HD21) is E


def test_default_excellent_threshold_is_more_than_half():
    assert vote_level(Votes(excellent=6, good=4), 10, HD21) is E
    assert vote_level(Votes(excellent=5, good=5), 10, HD21) is G


TWO_THIRDS_EXCELLENT = rules("hd21-2019", excellent_threshold="2/3")


@pytest.mark.parametrize(
    ("base", "excellent", "expected"),
    [(9, 5, G), (9, 6, E), (10, 6, G), (10, 7, E), (12, 7, G), (12, 8, E), (3, 2, E)],
)
def test_two_thirds_excellent_threshold_edges(base, excellent, expected):
    votes = Votes(excellent=excellent, good=base - excellent)
    assert vote_level(votes, base, TWO_THIRDS_EXCELLENT) is expected
    assert passes_threshold(E, excellent, base, TWO_THIRDS_EXCELLENT) is (expected is E)


def test_two_thirds_excellent_threshold_leaves_good_at_more_than_half():
    assert vote_level(Votes(good=6, blank=4), 10, TWO_THIRDS_EXCELLENT) is G
    assert vote_level(Votes(good=5, blank=5), 10, TWO_THIRDS_EXCELLENT) == UNDECIDED
    assert passes_threshold(G, 6, 10, TWO_THIRDS_EXCELLENT) is True


def test_two_thirds_excellent_with_cumulative_counting_falls_to_good():
    # 6 excellent of base 10 miss 2/3, but count for good: 6 > 5.
    assert vote_level(Votes(excellent=6, blank=4), 10, TWO_THIRDS_EXCELLENT) is G


def test_threshold_uses_base_not_valid_ballots():
    # 5 voters of base 10 all vote good: 5 is not more than half of 10.
    assert vote_level(Votes(good=5), 10, HD21) == UNDECIDED


# ---------------------------------------------------------------------------
# Cumulative counting (SPEC 5.3)

NON_CUMULATIVE = rules(cumulative=False)


def test_cumulative_votes_for_higher_levels_support_lower_ones():
    votes = Votes(excellent=3, good=3, completed=4)
    assert vote_level(votes, 10, HD21) is G  # 3 + 3 = 6 > 5
    assert vote_level(votes, 10, NON_CUMULATIVE) == UNDECIDED  # no level alone has 6


def test_cumulative_running_total_reaches_not_completed():
    votes = Votes(excellent=1, good=1, completed=1, not_completed=3, blank=4)
    assert vote_level(votes, 10, HD21) is NC  # 1, 2, 3, 6
    assert vote_level(votes, 10, NON_CUMULATIVE) == UNDECIDED


def test_undecided_when_even_all_votes_do_not_pass():
    votes = Votes(excellent=2, good=1, completed=1, not_completed=1, blank=5)
    assert vote_level(votes, 10, HD21) == UNDECIDED


def test_non_cumulative_counts_only_a_levels_own_votes():
    assert vote_level(Votes(excellent=4, good=6), 10, NON_CUMULATIVE) is G
    assert vote_level(Votes(excellent=6, good=4), 10, NON_CUMULATIVE) is E
    assert vote_level(Votes(good=4, completed=6), 10, NON_CUMULATIVE) is C
    assert vote_level(Votes(good=5, completed=5), 10, NON_CUMULATIVE) == UNDECIDED


def test_non_cumulative_reaches_not_completed_by_its_own_votes():
    assert vote_level(Votes(excellent=4, not_completed=6), 10, NON_CUMULATIVE) is NC
    assert vote_level(Votes(excellent=4, not_completed=6), 10, HD21) is NC  # 4, 4, 4, 10


def test_cumulative_never_reaches_a_level_with_more_than_half_of_the_opposite():
    # cumulative counting walks down: 6 excellent already decide excellent.
    assert vote_level(Votes(excellent=6, not_completed=4), 10, HD21) is E


# ---------------------------------------------------------------------------
# Caps and overrides (SPEC 5.4, 5.9)

EXCELLENT_VOTE = Votes(excellent=8, good=2)
GOOD_VOTE = Votes(good=10)
COMPLETED_VOTE = Votes(completed=10)
NOT_COMPLETED_VOTE = Votes(not_completed=10)
NO_MAJORITY_VOTE = Votes(excellent=2, good=1, completed=1, not_completed=1, blank=5)


def test_disciplined_member_is_not_completed_whatever_the_vote():
    r = rate(official(disciplined_in_year=True), EXCELLENT_VOTE)
    assert (r.vote_level, r.proposed_level, r.flags) == (E, NC, (FLAG_DISCIPLINED,))


def test_disciplined_member_is_not_completed_even_when_undecided():
    r = rate(official(disciplined_in_year=True), NO_MAJORITY_VOTE)
    assert r.vote_level == UNDECIDED
    assert r.proposed_level is NC
    assert r.flags == (FLAG_DISCIPLINED, FLAG_NO_MAJORITY)


@pytest.mark.parametrize("profile", [HD21, HD25, HD43], ids=lambda p: p.profile)
def test_disciplined_applies_under_every_profile(profile):
    assert rate(official(disciplined_in_year=True), GOOD_VOTE, profile=profile).proposed_level is NC


def test_undecided_member_has_no_proposed_level_and_a_no_majority_flag():
    r = rate(official(), NO_MAJORITY_VOTE)
    assert (r.rated, r.vote_level, r.proposed_level, r.flags) == (True, UNDECIDED, None, (FLAG_NO_MAJORITY,))


@pytest.mark.parametrize("profile", [HD21, HD25], ids=lambda p: p.profile)
@pytest.mark.parametrize(
    ("months", "votes", "proposed", "flags"),
    [
        (2, EXCELLENT_VOTE, E, ()),
        (3, EXCELLENT_VOTE, C, (FLAG_SICK_LEAVE_CAP,)),
        (3, GOOD_VOTE, C, (FLAG_SICK_LEAVE_CAP,)),
        (12, GOOD_VOTE, C, (FLAG_SICK_LEAVE_CAP,)),
        (3, COMPLETED_VOTE, C, ()),  # the cap did not lower the level: no flag
        (3, NOT_COMPLETED_VOTE, NC, ()),
        (2, GOOD_VOTE, G, ()),
    ],
)
def test_sick_leave_cap_before_2025(profile, months, votes, proposed, flags):
    r = rate(official(sick_leave_months=months), votes, profile=profile)
    assert (r.proposed_level, r.flags) == (proposed, flags)


@pytest.mark.parametrize("months", [3, 6, 12])
def test_no_sick_leave_cap_from_2025(months):
    r = rate(official(sick_leave_months=months), EXCELLENT_VOTE, profile=HD43)
    assert (r.proposed_level, r.flags) == (E, ())


def test_sick_leave_cap_keeps_the_vote_level_as_voted():
    r = rate(official(sick_leave_months=4), EXCELLENT_VOTE)
    assert r.vote_level is E and r.proposed_level is C


def test_sick_leave_cap_does_not_apply_to_an_undecided_member():
    r = rate(official(sick_leave_months=5), NO_MAJORITY_VOTE)
    assert (r.proposed_level, r.flags) == (None, (FLAG_NO_MAJORITY,))


@pytest.mark.parametrize(
    ("score", "votes", "proposed", "capped"),
    [
        (90, EXCELLENT_VOTE, E, False),
        (89, EXCELLENT_VOTE, G, True),
        (70, GOOD_VOTE, G, False),
        (69, GOOD_VOTE, C, True),
        (69, EXCELLENT_VOTE, C, True),
        (50, COMPLETED_VOTE, C, False),
        (49, COMPLETED_VOTE, NC, True),
        (49, EXCELLENT_VOTE, NC, True),
        (49, NOT_COMPLETED_VOTE, NC, False),
        (100, GOOD_VOTE, G, False),  # a high score never raises the vote
        (95, COMPLETED_VOTE, C, False),
    ],
)
def test_score_cap_from_2025(score, votes, proposed, capped):
    r = rate(official(self_score=score), votes, profile=HD43)
    assert r.proposed_level is proposed
    assert r.flags == ((FLAG_SCORE_CAP,) if capped else ())


def test_no_score_recorded_means_no_score_cap():
    r = rate(official(self_score=None), EXCELLENT_VOTE, profile=HD43)
    assert (r.proposed_level, r.flags) == (E, ())


@pytest.mark.parametrize("profile", [HD21, HD25], ids=lambda p: p.profile)
def test_self_score_is_ignored_when_the_profile_is_not_scored(profile):
    r = rate(official(self_score=10), EXCELLENT_VOTE, profile=profile)
    assert (r.proposed_level, r.flags) == (E, ())


def test_both_caps_flag_each_one_that_lowered_the_level():
    scored_with_sick_cap = replace(HD43, sick_leave_cap_months=3)
    low = rate(official(self_score=40, sick_leave_months=3), EXCELLENT_VOTE, profile=scored_with_sick_cap)
    assert (low.proposed_level, low.flags) == (NC, (FLAG_SCORE_CAP, FLAG_SICK_LEAVE_CAP))
    mid = rate(official(self_score=75, sick_leave_months=3), EXCELLENT_VOTE, profile=scored_with_sick_cap)
    assert (mid.proposed_level, mid.flags) == (C, (FLAG_SICK_LEAVE_CAP,))


def test_disciplined_overrides_the_caps_and_only_its_flag_is_set():
    r = rate(official(disciplined_in_year=True, sick_leave_months=4), EXCELLENT_VOTE)
    assert (r.proposed_level, r.flags) == (NC, (FLAG_DISCIPLINED,))


def test_two_years_not_completed_is_flagged():
    r = rate(official(previous_level=NC), NOT_COMPLETED_VOTE)
    assert (r.proposed_level, r.flags) == (NC, (FLAG_TWO_YEARS,))


def test_two_years_not_completed_after_discipline_is_flagged_too():
    r = rate(official(previous_level=NC, disciplined_in_year=True), GOOD_VOTE)
    assert r.flags == (FLAG_DISCIPLINED, FLAG_TWO_YEARS)


def test_two_years_not_completed_after_a_score_cap_is_flagged():
    r = rate(official(previous_level=NC, self_score=30), GOOD_VOTE, profile=HD43)
    assert (r.proposed_level, r.flags) == (NC, (FLAG_SCORE_CAP, FLAG_TWO_YEARS))


@pytest.mark.parametrize(
    ("previous", "votes"),
    [
        pytest.param(NC, COMPLETED_VOTE, id="previous-nc-now-completed"),
        pytest.param(C, NOT_COMPLETED_VOTE, id="previous-completed-now-nc"),
        pytest.param(None, NOT_COMPLETED_VOTE, id="no-previous-now-nc"),
        pytest.param(NC, NO_MAJORITY_VOTE, id="previous-nc-now-undecided"),
    ],
)
def test_two_years_not_completed_is_absent_otherwise(previous, votes):
    assert FLAG_TWO_YEARS not in rate(official(previous_level=previous), votes).flags


# ---------------------------------------------------------------------------
# Not rated, new members (SPEC 3, 6)


@pytest.mark.parametrize(
    ("admitted", "meeting", "new"),
    [
        pytest.param(date(2020, 5, 27), date(2020, 11, 27), False, id="exactly-six-months-is-rated"),
        pytest.param(date(2020, 5, 28), date(2020, 11, 27), True, id="one-day-later-is-new"),
        pytest.param(date(2020, 5, 31), date(2020, 11, 30), False, id="month-end-clamped-is-rated"),
        pytest.param(date(2020, 5, 31), date(2020, 11, 29), True, id="month-end-day-before-is-new"),
        pytest.param(date(2020, 5, 30), date(2020, 11, 30), False, id="day-30-to-day-30"),
        pytest.param(date(2019, 8, 31), date(2020, 2, 29), False, id="clamped-to-leap-february"),
        pytest.param(date(2019, 8, 31), date(2020, 2, 28), True, id="leap-february-day-before"),
        pytest.param(date(2020, 8, 31), date(2021, 2, 28), False, id="clamped-to-plain-february"),
        pytest.param(date(2019, 12, 15), date(2020, 6, 15), False, id="across-new-year-rated"),
        pytest.param(date(2019, 12, 15), date(2020, 6, 14), True, id="across-new-year-new"),
        pytest.param(date(2020, 11, 27), date(2020, 11, 27), True, id="admitted-on-the-day"),
    ],
)
def test_new_member_six_month_edge(admitted, meeting, new):
    assert is_new_member(admitted, meeting) is new
    expected = NotRatedReason.NEW_MEMBER if new else None
    assert not_rated_reason(official(admitted_on=admitted), meeting) is expected


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2020, 5, 31), 6, date(2020, 11, 30)),
        (date(2019, 8, 31), 6, date(2020, 2, 29)),
        (date(2020, 8, 31), 6, date(2021, 2, 28)),
        (date(2019, 12, 15), 6, date(2020, 6, 15)),
        (date(2020, 7, 1), 6, date(2021, 1, 1)),
        (date(2020, 6, 30), 6, date(2020, 12, 30)),
        (date(2020, 1, 31), 1, date(2020, 2, 29)),
        (date(2020, 3, 15), 0, date(2020, 3, 15)),
        (date(2020, 3, 15), 12, date(2021, 3, 15)),
    ],
)
def test_add_months_clamps_to_the_months_end(day, months, expected):
    assert add_months(day, months) == expected


def test_new_member_is_not_rated_even_with_a_ballot_row():
    r = rate(official(admitted_on=date(2020, 9, 1)), GOOD_VOTE)
    assert r == MemberResult("m", False, NotRatedReason.NEW_MEMBER, None, None, ())


@pytest.mark.parametrize(
    ("facts", "reason"),
    [
        pytest.param(
            dict(exempt=True, suspended=True, admitted_on=date(2020, 9, 1)),
            NotRatedReason.EXEMPT,
            id="exempt-before-suspended-and-new",
        ),
        pytest.param(dict(exempt=True, admitted_on=date(2020, 9, 1)), NotRatedReason.EXEMPT, id="exempt-before-new"),
        pytest.param(dict(exempt=True, suspended=True), NotRatedReason.EXEMPT, id="exempt-before-suspended"),
        pytest.param(
            dict(suspended=True, admitted_on=date(2020, 9, 1)), NotRatedReason.SUSPENDED, id="suspended-before-new"
        ),
        pytest.param(dict(admitted_on=date(2020, 9, 1)), NotRatedReason.NEW_MEMBER, id="new-only"),
        pytest.param(dict(), None, id="rated"),
    ],
)
def test_not_rated_reason_precedence(facts, reason):
    assert not_rated_reason(official(**facts), MEETING) is reason


def test_probationary_members_are_rated_like_everyone_else():
    r = rate(probationary(), GOOD_VOTE)
    assert (r.rated, r.not_rated_reason, r.proposed_level) == (True, None, G)


def test_exempt_member_who_attends_is_still_not_rated():
    r = rate(official(exempt=True), GOOD_VOTE)
    assert (r.rated, r.not_rated_reason, r.vote_level, r.proposed_level) == (False, NotRatedReason.EXEMPT, None, None)


@pytest.mark.parametrize(
    ("profile", "reviewed"), [(HD21, True), (HD25, False), (HD43, False)], ids=["hd21", "hd25", "hd43"]
)
def test_new_members_are_reviewed_only_before_2023(profile, reviewed):
    assert is_reviewed(official(admitted_on=date(2020, 9, 1)), MEETING, profile) is reviewed


@pytest.mark.parametrize("profile", [HD21, HD25, HD43], ids=lambda p: p.profile)
def test_reviewed_regardless_of_profile_for_rated_and_never_for_exempt_or_suspended(profile):
    assert is_reviewed(official(), MEETING, profile) is True
    assert is_reviewed(probationary(), MEETING, profile) is True
    assert is_reviewed(official(exempt=True), MEETING, profile) is False
    assert is_reviewed(official(suspended=True), MEETING, profile) is False


def test_new_official_member_still_votes_and_counts_in_the_base():
    new = official("new", admitted_on=date(2020, 10, 1))
    assert is_voter(new) and in_base(new)
    outcome = evaluate(HD21, MEETING, officials(3) + [new], None)
    assert (outcome.base, outcome.voters_present) == (4, 4)
    assert outcome.member("new").not_rated_reason is NotRatedReason.NEW_MEMBER


# ---------------------------------------------------------------------------
# The cell as an organisation (SPEC 5.5)

CELL_GOOD, CELL_EXCELLENT = Votes(good=10), Votes(excellent=10)
CELL_COMPLETED, CELL_NOT_COMPLETED = Votes(completed=10), Votes(not_completed=10)


def test_cell_level_follows_the_same_rules():
    assert cell_result(Votes(excellent=3, good=3, completed=5, not_completed=1), 12, [], HD21).vote_level is C
    assert cell_result(Votes(excellent=9, good=1), 10, [], HD21) == CellResult(E, E, ())


def test_cell_no_majority():
    cell = cell_result(Votes(good=5, blank=5), 10, results(good=5), HD21)
    assert cell == CellResult(UNDECIDED, None, (FLAG_NO_MAJORITY,))


def test_cell_undecided_carries_no_other_warning_even_with_many_not_completed():
    cell = cell_result(Votes(good=5, blank=5), 10, results(good=1, not_completed=4), HD21)
    assert cell.flags == (FLAG_NO_MAJORITY,)


@pytest.mark.parametrize(("votes", "level"), [(CELL_GOOD, G), (CELL_EXCELLENT, E)])
def test_member_not_completed_when_the_cell_is_good_or_above(votes, level):
    cell = cell_result(votes, 10, results(good=9, not_completed=1), HD21)
    assert cell.proposed_level is level
    assert cell.flags == (FLAG_MEMBER_NOT_COMPLETED,)  # 1 of 10 is not more than 20%


def test_no_member_not_completed_warning_when_the_cell_is_completed():
    cell = cell_result(CELL_COMPLETED, 10, results(good=9, not_completed=1), HD21)
    assert cell.flags == ()


def test_no_member_not_completed_warning_without_a_not_completed_member():
    cell = cell_result(CELL_EXCELLENT, 10, results(excellent=2, good=6, completed=2), HD21)
    assert cell.flags == ()


def test_undecided_member_does_not_trigger_member_not_completed():
    cell = cell_result(CELL_GOOD, 10, results(good=9) + [result(None)], HD21)
    assert cell.flags == ()


@pytest.mark.parametrize(
    ("not_completed", "rated", "warned"),
    [(1, 5, False), (2, 9, True), (2, 10, False), (1, 4, True), (3, 15, False), (4, 15, True), (0, 3, False)],
)
def test_many_not_completed_at_the_twenty_percent_edge(not_completed, rated, warned):
    members = results(completed=rated - not_completed, not_completed=not_completed)
    cell = cell_result(CELL_COMPLETED, 10, members, HD21)  # completed: no member_not_completed
    assert cell.flags == ((FLAG_MANY_NOT_COMPLETED,) if warned else ())


def test_many_not_completed_with_a_good_cell_sets_both_warnings():
    cell = cell_result(CELL_GOOD, 10, results(good=7, not_completed=2), HD21)
    assert cell.flags == (FLAG_MANY_NOT_COMPLETED, FLAG_MEMBER_NOT_COMPLETED)


def test_many_not_completed_is_not_raised_when_the_cell_is_not_completed():
    cell = cell_result(CELL_NOT_COMPLETED, 10, results(not_completed=5), HD21)
    assert cell == CellResult(NC, NC, ())


def test_many_not_completed_counts_only_rated_members():
    # 1 of 4 rated is 25%; the three not rated must not dilute it.
    members = results(good=3, not_completed=1) + [not_rated_result(f"x{i}") for i in range(3)]
    cell = cell_result(CELL_COMPLETED, 10, members, HD21)
    assert cell.flags == (FLAG_MANY_NOT_COMPLETED,)


def test_cell_without_a_row_has_no_result():
    assert cell_result(None, 10, results(not_completed=3), HD21) == CellResult(None, None, ())


def test_cell_warning_through_evaluate_uses_proposed_levels_after_caps():
    # The disciplined member's votes say good, but the proposal is not_completed.
    cell = officials(10)
    cell[0] = replace(cell[0], disciplined_in_year=True)
    rows = {m.key: Votes(good=10) for m in cell} | {CELL_ROW: Votes(good=10)}
    outcome = evaluate(HD21, MEETING, cell, ballot(10, rows))
    assert outcome.cell.flags == (FLAG_MEMBER_NOT_COMPLETED,)
    assert outcome.summary["not_completed"] == 1


# ---------------------------------------------------------------------------
# Summary and quota (SPEC 5.6)


def test_summary_counts_proposed_levels_not_rated_and_undecided():
    members = results(excellent=1, good=3, completed=2, not_completed=1) + [
        result(None, "u1"),
        result(None, "u2"),
        not_rated_result("x1"),
    ]
    members.append(MemberResult("noballot", True, None, None, None))  # rated, no ballot yet: counted nowhere
    assert summarize(members) == {
        "excellent": 1,
        "good": 3,
        "completed": 2,
        "not_completed": 1,
        "not_rated": 1,
        "undecided": 2,
    }


@pytest.mark.parametrize(
    ("pool_rule", "pool", "limit", "exceeded"),
    [("good_only", 8, 1, True), ("good_or_above", 10, 2, False)],
)
def test_quota_pool_good_only_vs_good_or_above(pool_rule, pool, limit, exceeded):
    q = quota({"excellent": 2, "good": 8, "completed": 3, "not_completed": 1}, rules(quota_pool=pool_rule))
    assert (q.pool, q.limit, q.excellent, q.exceeded) == (pool, limit, 2, exceeded)


@pytest.mark.parametrize(("pool", "limit"), [(0, 0), (4, 0), (5, 1), (9, 1), (10, 2), (14, 2), (15, 3)])
def test_quota_limit_is_rounded_down(pool, limit):
    assert quota({"good": pool}, HD21).limit == limit


@pytest.mark.parametrize(("excellent", "exceeded"), [(0, False), (1, False), (2, True)])
def test_quota_exceeded_edge(excellent, exceeded):
    q = quota({"good": 5, "excellent": excellent}, HD21)
    assert q.limit == 1 and q.exceeded is exceeded
    assert q.as_dict() == {"pool": 5, "limit": 1, "excellent": excellent, "exceeded": exceeded}


def test_quota_with_no_good_member_and_one_excellent_is_exceeded():
    q = quota({"excellent": 1}, HD21)
    assert (q.pool, q.limit, q.exceeded) == (0, 0, True)


@pytest.mark.parametrize(("pool", "limit"), [(3, 0), (4, 1), (7, 1), (8, 2), (12, 3)])
def test_quota_ratio_one_quarter_is_allowed_from_2025(pool, limit):
    assert quota({"good": pool}, rules("hd43-2025", quota_ratio="1/4")).limit == limit


@pytest.mark.parametrize("profile", ["hd21-2019", "hd25-2023"])
def test_quota_ratio_one_quarter_is_refused_before_2025(profile):
    assert paths(problems_of(profile, quota_ratio="1/4")) == [("quota_ratio",)]


def test_quota_ratio_above_one_quarter_is_refused_even_from_2025():
    assert paths(problems_of("hd43-2025", quota_ratio="1/3")) == [("quota_ratio",)]


def test_quota_across_sums_several_cells():
    cells = [
        {"excellent": 1, "good": 3, "completed": 1, "not_completed": 0, "not_rated": 1, "undecided": 0},
        {"excellent": 1, "good": 7, "completed": 0, "not_completed": 1, "not_rated": 0, "undecided": 1},
        {"excellent": 0, "good": 5, "completed": 2, "not_completed": 0, "not_rated": 0, "undecided": 0},
    ]
    # alone, the first cell is over its quota (pool 3, limit 0, 1 excellent) ...
    assert quota(cells[0], HD21).exceeded is True
    # ... across the ward: pool 15, limit 3, 2 excellent.
    q = quota_across(cells, HD21)
    assert (q.pool, q.limit, q.excellent, q.exceeded) == (15, 3, 2, False)
    q = quota_across(cells, rules(quota_pool="good_or_above"))
    assert (q.pool, q.limit, q.excellent) == (17, 3, 2)


def test_quota_across_no_cells_is_empty():
    q = quota_across([], HD21)
    assert (q.pool, q.limit, q.excellent, q.exceeded) == (0, 0, 0, False)


# ---------------------------------------------------------------------------
# Ballot consistency (SPEC 5.7)

RATED = ["a", "b"]


def good_rows(valid: int = 5, keys=RATED) -> dict[str, Votes]:
    return {key: Votes(excellent=1, good=valid - 1) for key in [*keys, CELL_ROW]}


def test_consistent_ballot_has_no_problem():
    assert check_ballot(ballot(5, good_rows()), 5, RATED) == []


def test_consistent_ballot_with_invalid_papers_and_blanks():
    rows = {"a": Votes(good=3, blank=1), "b": Votes(completed=4), CELL_ROW: Votes(excellent=2, blank=2)}
    assert check_ballot(ballot(4, rows, issued=6, invalid=1), 6, RATED) == []


def test_returned_more_than_issued_names_returned():
    problems = check_ballot(ballot(5, good_rows(), issued=4), 5, RATED)
    assert paths(problems) == [("returned",)]
    assert "5" in problems[0].message and "4" in problems[0].message


def test_issued_more_than_voters_present_names_issued():
    problems = check_ballot(ballot(5, good_rows(), issued=6), 5, RATED)
    assert paths(problems) == [("issued",)]
    assert "6" in problems[0].message and "5" in problems[0].message


def test_invalid_more_than_returned_names_invalid():
    problems = check_ballot(ballot(0, good_rows(0), returned=2, invalid=3), 5, RATED)
    assert ("invalid",) in paths(problems)
    message = next(p.message for p in problems if p.path == ("invalid",))
    assert "3" in message and "2" in message


@pytest.mark.parametrize("field", ["issued", "returned", "invalid"])
def test_negative_top_level_number_is_named(field):
    counts = {"issued": 5, "returned": 5, "invalid": 0} | {field: -1}
    b = BallotCount(rows=good_rows(), **counts)
    problems = check_ballot(b, 5, RATED)
    negative = [p for p in problems if p.path == (field,) and "-1" in p.message]
    assert negative, problems


@pytest.mark.parametrize("field", ["excellent", "good", "completed", "not_completed", "blank"])
def test_negative_number_in_a_row_names_the_row_and_field(field):
    rows = good_rows()
    row = Votes(**({"excellent": 0, "good": 0, "completed": 0, "not_completed": 0, "blank": 0} | {field: -1}))
    other = "blank" if field != "blank" else "good"
    rows["b"] = replace(row, **{other: 6})  # -1 + 6 = 5 = valid: only the sign is wrong
    problems = check_ballot(ballot(5, rows), 5, RATED)
    assert paths(problems) == [("rows", "b", field)]
    assert "-1" in problems[0].message


@pytest.mark.parametrize(("total", "key"), [(6, "a"), (4, "a"), (6, CELL_ROW), (4, CELL_ROW)])
def test_row_sum_off_by_one_names_the_row(total, key):
    rows = good_rows()
    rows[key] = Votes(good=total)
    problems = check_ballot(ballot(5, rows), 5, RATED)
    assert paths(problems) == [("rows", key)]
    assert str(total) in problems[0].message and "5" in problems[0].message


def test_blank_marks_count_in_a_rows_sum():
    rows = good_rows()
    rows["a"] = Votes(good=4)
    assert paths(check_ballot(ballot(5, rows), 5, RATED)) == [("rows", "a")]
    rows["a"] = Votes(good=4, blank=1)
    assert check_ballot(ballot(5, rows), 5, RATED) == []
    rows["a"] = Votes(good=5, blank=1)  # one blank too many
    assert paths(check_ballot(ballot(5, rows), 5, RATED)) == [("rows", "a")]


def test_missing_member_row_is_named():
    rows = good_rows()
    del rows["b"]
    assert paths(check_ballot(ballot(5, rows), 5, RATED)) == [("rows", "b")]


def test_missing_cell_row_is_named():
    rows = good_rows()
    del rows[CELL_ROW]
    assert paths(check_ballot(ballot(5, rows), 5, RATED)) == [("rows", CELL_ROW)]


def test_row_for_a_member_who_is_not_rated_is_named():
    rows = good_rows() | {"x": Votes(good=5)}
    assert paths(check_ballot(ballot(5, rows), 5, RATED)) == [("rows", "x")]


def test_every_problem_is_reported_at_once():
    rows = good_rows()
    rows["a"] = Votes(good=4)
    del rows["b"]
    rows["x"] = Votes(good=5)
    problems = check_ballot(ballot(5, rows, issued=4), 3, RATED)
    assert sorted(paths(problems)) == sorted([("returned",), ("issued",), ("rows", "a"), ("rows", "b"), ("rows", "x")])


def test_evaluate_checks_the_ballot_against_rated_members_and_voters_present():
    cell = officials(4) + [official("new", admitted_on=date(2020, 10, 1)), probationary("p")]
    keys = ["o01", "o02", "o03", "o04", "p"]
    rows = {k: Votes(good=5) for k in [*keys, CELL_ROW]}
    assert evaluate(HD21, MEETING, cell, ballot(5, rows)).ballot_problems == ()
    # a row for the new member (not rated) is an error
    rows_with_new = rows | {"new": Votes(good=5)}
    outcome = evaluate(HD21, MEETING, cell, ballot(5, rows_with_new))
    assert [p.path for p in outcome.ballot_problems] == [("rows", "new")]
    assert can_seal(outcome) is False
    # more papers than the five voters present
    outcome = evaluate(HD21, MEETING, cell, ballot(5, rows, issued=6, returned=5))
    assert [p.path for p in outcome.ballot_problems] == [("issued",)]


def test_evaluate_without_quorum_computes_everything_but_cannot_seal():
    cell = officials(6) + officials(4, "a", attendance=Attendance.ABSENT)
    rows = {m.key: Votes(good=6) for m in cell} | {CELL_ROW: Votes(good=6)}
    outcome = evaluate(HD21, MEETING, cell, ballot(6, rows))
    assert outcome.quorum_met is False and outcome.ballot_problems == ()
    assert outcome.summary["good"] == 10 and outcome.cell.proposed_level is G
    assert can_seal(outcome) is False


def test_evaluate_without_a_ballot_rates_nobody_yet():
    cell = officials(3) + [official("x", exempt=True)]
    outcome = evaluate(HD21, MEETING, cell, None)
    assert [m.as_dict() for m in outcome.members][:1] == [
        {"id": "o01", "rated": True, "not_rated_reason": None, "vote_level": None, "proposed_level": None, "flags": []}
    ]
    assert outcome.member("x").as_dict()["not_rated_reason"] == "exempt"
    assert outcome.cell == CellResult(None, None, ())
    assert outcome.summary == {
        "excellent": 0,
        "good": 0,
        "completed": 0,
        "not_completed": 0,
        "not_rated": 1,
        "undecided": 0,
    }


def test_results_as_dict_writes_plain_strings_and_sorted_flags():
    r = rate(official("k", previous_level=NC, disciplined_in_year=True), NO_MAJORITY_VOTE)
    assert r.as_dict() == {
        "id": "k",
        "rated": True,
        "not_rated_reason": None,
        "vote_level": "undecided",
        "proposed_level": "not_completed",
        "flags": ["disciplined", "no_majority", "two_years_not_completed"],
    }
    assert type(r.as_dict()["proposed_level"]) is str


# ---------------------------------------------------------------------------
# Rule profiles and overrides (SPEC 6, 8)


@pytest.mark.parametrize("name", ["hd21-2019", "hd25-2023", "hd43-2025"])
def test_resolve_without_overrides_is_the_profile(name):
    assert resolve_rules(name, {}) == (PROFILES[name], [])


def test_unknown_profile_is_a_problem_naming_it():
    resolved, problems = resolve_rules("hd99-2030", {})
    assert resolved is None
    assert paths(problems) == [("profile",)]
    assert "hd99-2030" in problems[0].message


def test_unknown_override_key_is_a_problem_at_its_key():
    problems = problems_of("hd21-2019", quorom="2/3")
    assert paths(problems) == [("quorom",)]


@pytest.mark.parametrize(
    "text", ["", " ", "abc", "2/", "/3", "2/0", "1/2/3", "-1/2", "1/-2", "0.5", "2:3", "2/3x", "2 3", "+2/3"]
)
@pytest.mark.parametrize("key", ["quorum", "excellent_threshold", "quota_ratio"])
def test_malformed_ratio_strings_are_refused(key, text):
    assert paths(problems_of("hd43-2025", **{key: text})) == [(key,)]


@pytest.mark.parametrize("value", [0.5, 2, Fraction(2, 3), None, True, ["2/3"]])
@pytest.mark.parametrize("key", ["quorum", "excellent_threshold", "quota_ratio"])
def test_ratio_must_be_a_string(key, value):
    assert paths(problems_of("hd43-2025", **{key: value})) == [(key,)]


@pytest.mark.parametrize(
    ("key", "text"),
    [
        ("quorum", "0/3"),
        ("quorum", "0"),
        ("quorum", "4/3"),
        ("excellent_threshold", "1/3"),
        ("excellent_threshold", "49/100"),
        ("excellent_threshold", "3/2"),
        ("quota_ratio", "0"),
        ("quota_ratio", "1/4"),
        ("quota_ratio", "1/2"),
    ],
)
def test_ratios_out_of_range_are_refused(key, text):
    assert paths(problems_of("hd21-2019", **{key: text})) == [(key,)]


@pytest.mark.parametrize(
    ("key", "text", "value"),
    [
        ("quorum", "1/2", Fraction(1, 2)),
        ("quorum", "1", Fraction(1)),
        ("quorum", " 3 / 4 ", Fraction(3, 4)),
        ("excellent_threshold", "1/2", Fraction(1, 2)),
        ("excellent_threshold", "2/3", Fraction(2, 3)),
        ("excellent_threshold", "1/1", Fraction(1)),
        ("quota_ratio", "1/5", Fraction(1, 5)),
        ("quota_ratio", "1/10", Fraction(1, 10)),
    ],
)
def test_ratios_in_range_are_applied(key, text, value):
    assert getattr(rules("hd21-2019", **{key: text}), key) == value


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("cumulative", "yes"),
        ("cumulative", 1),
        ("cumulative", 0),
        ("cumulative", None),
        ("ballot_mode", "double"),
        ("ballot_mode", None),
        ("ballot_mode", 1),
        ("quota_pool", "all"),
        ("quota_pool", None),
        ("quota_pool", "GOOD_ONLY"),
    ],
)
def test_bad_types_and_values_are_refused(key, value):
    assert paths(problems_of("hd21-2019", **{key: value})) == [(key,)]


def test_enum_and_boolean_overrides_are_applied():
    r = rules("hd25-2023", cumulative=False, ballot_mode="two_phase", quota_pool="good_or_above")
    assert (r.cumulative, r.ballot_mode, r.quota_pool) == (False, BallotMode.TWO_PHASE, QuotaPool.GOOD_OR_ABOVE)
    assert r.profile == "hd25-2023" and r.new_members_reviewed is False  # the rest stays the profile's


def test_every_problem_is_named_and_nothing_is_applied():
    resolved, problems = resolve_rules(
        "hd21-2019", {"quorum": "x", "cumulative": "no", "nope": 1, "quota_pool": "good_or_above"}
    )
    assert resolved is None
    assert sorted(paths(problems)) == [("cumulative",), ("nope",), ("quorum",)]


@pytest.mark.parametrize(
    ("profile", "overrides"),
    [
        ("hd21-2019", {}),
        ("hd21-2019", {"quorum": "3/4"}),
        ("hd21-2019", {"excellent_threshold": "2/3", "cumulative": False}),
        ("hd25-2023", {"ballot_mode": "two_phase", "quota_pool": "good_or_above", "quota_ratio": "1/10"}),
        ("hd43-2025", {"quota_ratio": "1/4"}),
        (
            "hd43-2025",
            {
                "quorum": "1/2",
                "excellent_threshold": "3/4",
                "cumulative": False,
                "ballot_mode": "two_phase",
                "quota_ratio": "1/4",
                "quota_pool": "good_or_above",
            },
        ),
    ],
)
def test_rules_overrides_round_trips(profile, overrides):
    r = rules(profile, **overrides)
    assert rules_overrides(r) == overrides
    assert resolve_rules(profile, rules_overrides(r)) == (r, [])


def test_rules_overrides_drops_defaults_and_normalises_ratios():
    r = rules("hd21-2019", quorum="4/6", excellent_threshold="4/6", cumulative=True, quota_pool="good_only")
    assert rules_overrides(r) == {"excellent_threshold": "2/3"}


@pytest.mark.parametrize(
    ("text", "value"),
    [("2/3", Fraction(2, 3)), ("4/6", Fraction(2, 3)), (" 1 / 4 ", Fraction(1, 4)), ("3", Fraction(3))],
)
def test_parse_ratio_reads_p_over_q(text, value):
    assert parse_ratio(text) == value


@pytest.mark.parametrize("text", ["", "a/b", "1/0", "1.5", "-1", "1//2", 2, None])
def test_parse_ratio_returns_none_for_what_is_not_a_ratio(text):
    assert parse_ratio(text) is None


def test_parse_ratio_returns_none_for_superscript_digits():
    assert parse_ratio("²/3") is None


@pytest.mark.parametrize(
    "text",
    ["²/3", "2/³", "1" * 5000 + "/3", "１/３"],
    ids=["superscript-numerator", "superscript-denominator", "5000-digits", "fullwidth"],
)
def test_resolve_rules_names_a_problem_for_ratios_int_cannot_read(text):
    assert paths(problems_of("hd21-2019", quorum=text)) == [("quorum",)]


# Two ballots (SPEC 5.8)


def test_two_phase_excellent_needs_good_first_then_the_excellent_threshold():
    hd21 = PROFILES["hd21-2019"]
    first = Votes(good=9, completed=1)
    assert combined_level(first, SecondVotes(agree=6, disagree=4), 10, hd21) is Level.EXCELLENT
    assert combined_level(first, SecondVotes(agree=5, disagree=5), 10, hd21) is Level.GOOD
    assert combined_level(first, None, 10, hd21) is Level.GOOD
    two_thirds, _ = resolve_rules("hd21-2019", {"excellent_threshold": "2/3", "ballot_mode": "two_phase"})
    assert two_thirds is not None
    assert combined_level(Votes(good=9), SecondVotes(agree=6, disagree=3), 9, two_thirds) is Level.EXCELLENT
    assert combined_level(Votes(good=9), SecondVotes(agree=5, disagree=4), 9, two_thirds) is Level.GOOD


def test_two_phase_agree_marks_do_not_lift_a_member_who_missed_good():
    hd21 = PROFILES["hd21-2019"]
    assert combined_level(Votes(good=5, completed=5), SecondVotes(agree=10), 10, hd21) is Level.COMPLETED
    assert combined_level(Votes(good=2, completed=2, not_completed=1, blank=5), None, 10, hd21) == "undecided"


def test_compare_ballots_names_every_number_that_differs():
    from review.rules import Difference, compare_ballots

    rows = {"m01": Votes(excellent=4, good=6), "cell": Votes(excellent=9, good=1)}
    first = BallotCount(10, 10, 0, rows)
    assert compare_ballots(first, BallotCount(10, 10, 0, dict(rows))) == []
    second = BallotCount(10, 9, 0, {"m01": Votes(excellent=6, good=4), "cell": Votes(excellent=9, good=1)})
    assert compare_ballots(first, second) == [
        Difference(("returned",), 10, 9),
        Difference(("rows", "m01", "excellent"), 4, 6),
        Difference(("rows", "m01", "good"), 6, 4),
    ]
    missing = BallotCount(10, 10, 0, {"cell": Votes(excellent=9, good=1)})
    assert Difference(("rows", "m01", "good"), 6, None) in compare_ballots(first, missing)


def test_a_cell_has_a_committee_when_its_ward_says_so_or_a_member_holds_a_seat() -> None:
    from review.rules import Position, has_committee

    only_members = [Position.SECRETARY, Position.MEMBER, Position.MEMBER]
    assert not has_committee(only_members)
    assert has_committee(only_members, declared=True)  # the ward's "Có chi ủy"
    assert has_committee([Position.SECRETARY, Position.DEPUTY_SECRETARY])
    assert has_committee([Position.SECRETARY, Position.COMMITTEE], declared=False)
