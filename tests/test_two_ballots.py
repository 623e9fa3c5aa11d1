"""Tests of the two-ballot rules (SPEC 5.8): ballot 1's level, ballot 2's candidates, checks and
agree cap, the combined level and what follows it (caps, the cell's warnings, the quota).

Only ``review.rules`` and ``review.meetingfile`` are imported: no Flask, no database.

The thresholds are written out once, by hand, in :data:`MAJORITY` and :data:`EXCELLENT_AT`
(the smallest number of votes that passes at base 9, 10 and 12): every boundary test reads
them, so a wrong comparison in the rules (``>=`` for ``>``, the base for the valid votes) fails
here, rather than being restated by the test.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import replace
from datetime import date
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from review.meetingfile import loads
from review.rules import (
    CELL_ROW,
    FLAG_DISCIPLINED,
    FLAG_MANY_NOT_COMPLETED,
    FLAG_MEMBER_NOT_COMPLETED,
    FLAG_NO_MAJORITY,
    FLAG_SCORE_CAP,
    FLAG_SICK_LEAVE_CAP,
    UNDECIDED,
    Attendance,
    BallotCount,
    BallotMode,
    Level,
    MemberFacts,
    NotRatedReason,
    Problem,
    Rules,
    SecondBallotCount,
    SecondVotes,
    Standing,
    Votes,
    agree_cap,
    can_seal,
    candidates_of,
    check_ballot,
    check_second_ballot,
    combined_level,
    evaluate,
    resolve_rules,
)

DATA = Path(__file__).resolve().parent / "data"
EXAMPLE = DATA / "thuong-thanh-2020-two-ballots.json"
EXAMPLE_RESULTS = DATA / "thuong-thanh-2020-two-ballots.results.json"
MEETING = date(2020, 11, 27)
LONG_AGO = date(2000, 1, 1)
BASES = (9, 10, 12)

# The smallest number of votes that is more than half of the base (2 x votes > base).
MAJORITY = {9: 5, 10: 6, 12: 7}
# The smallest number of agree marks that makes a candidate excellent, by base and threshold:
# more than half, or the 2/3 option (3 x votes >= 2 x base, and more than half).
EXCELLENT_AT = {
    (9, "1/2"): 5,
    (10, "1/2"): 6,
    (12, "1/2"): 7,
    (9, "2/3"): 6,
    (10, "2/3"): 7,
    (12, "2/3"): 8,
}
THRESHOLDS = ("1/2", "2/3")


def two(threshold: str = "1/2", cumulative: bool = True, **overrides: object) -> Rules:
    """Return the 2020 profile under two ballots with the given options."""
    resolved, problems = resolve_rules(
        "hd21-2019",
        {"ballot_mode": "two_phase", "excellent_threshold": threshold, "cumulative": cumulative, **overrides},
    )
    assert problems == [] and resolved is not None
    return resolved


def single(threshold: str = "1/2", cumulative: bool = True) -> Rules:
    resolved, problems = resolve_rules("hd21-2019", {"excellent_threshold": threshold, "cumulative": cumulative})
    assert problems == [] and resolved is not None
    return resolved


def member(key: str, **facts: object) -> MemberFacts:
    """An official member admitted long ago and present, unless ``facts`` say otherwise."""
    return MemberFacts(key, facts.pop("standing", Standing.OFFICIAL), facts.pop("admitted_on", LONG_AGO), **facts)  # type: ignore[arg-type]


def roll(size: int) -> list[MemberFacts]:
    return [member(f"m{i:02d}") for i in range(1, size + 1)]


def first_ballot(rows: dict[str, Votes], valid: int, invalid: int = 0) -> BallotCount:
    return BallotCount(valid + invalid, valid + invalid, invalid, rows)


def second_ballot(rows: dict[str, SecondVotes], valid: int, invalid: int = 0) -> SecondBallotCount:
    return SecondBallotCount(valid + invalid, valid + invalid, invalid, rows)


def all_good(keys: list[str], valid: int) -> dict[str, Votes]:
    return {key: Votes(good=valid) for key in keys + [CELL_ROW]}


def splits(total: int, parts: int):
    """Every way of writing ``total`` as ``parts`` non-negative integers, in order."""
    for cuts in itertools.combinations_with_replacement(range(total + 1), parts - 1):
        bounds = (0, *cuts, total)
        yield tuple(bounds[i + 1] - bounds[i] for i in range(parts))


# ---------------------------------------------------------------------------
# Ballot 1: its level at every split of the valid votes


def expected_first_level(good: int, completed: int, not_completed: int, base: int, cumulative: bool) -> Level | str:
    """Ballot 1's level by SPEC 5.3 over good, completed, not completed, with MAJORITY's numbers."""
    running = 0
    for level, votes in ((Level.GOOD, good), (Level.COMPLETED, completed), (Level.NOT_COMPLETED, not_completed)):
        running = running + votes if cumulative else votes
        if running >= MAJORITY[base]:
            return level
    return UNDECIDED


@pytest.mark.parametrize("base", BASES)
@pytest.mark.parametrize("threshold", THRESHOLDS)
@pytest.mark.parametrize("cumulative", [True, False], ids=["cumulative", "own-votes"])
def test_ballot_1_level_for_every_split_of_the_valid_votes(base, threshold, cumulative):
    """Every split of ``base`` valid votes over good / completed / not completed / blank, for one member."""
    rules = two(threshold, cumulative)
    members = roll(base)
    seen = set()
    for good, completed, not_completed, blank in splits(base, 4):
        row = Votes(good=good, completed=completed, not_completed=not_completed, blank=blank)
        rows = all_good([m.key for m in members], base) | {"m01": row}
        result = evaluate(rules, MEETING, members, first_ballot(rows, base))
        assert result.ballot_problems == ()
        level = expected_first_level(good, completed, not_completed, base, cumulative)
        seen.add(level)
        assert result.member("m01").vote_level == level, row
        assert result.awaiting_second_ballot and result.candidates is not None
        assert ("m01" in result.candidates) is (level == Level.GOOD), row
        # The excellent threshold never plays on ballot 1: it has no excellent box.
        assert result.member("m01").vote_level != Level.EXCELLENT
    assert seen == {Level.GOOD, Level.COMPLETED, Level.NOT_COMPLETED, UNDECIDED}


@pytest.mark.parametrize("base", BASES)
@pytest.mark.parametrize("cumulative", [True, False], ids=["cumulative", "own-votes"])
def test_ballot_1_good_one_vote_either_side_of_the_majority(base, cumulative):
    rules = two("2/3", cumulative)
    t = MAJORITY[base]
    for good, expected in ((t - 1, None), (t, Level.GOOD), (t + 1, Level.GOOD)):
        row = Votes(good=good, completed=base - good)
        level = combined_level(row, None, base, rules)
        if expected is None:  # one short of good: the completed votes decide
            expected = Level.COMPLETED if cumulative or base - good >= t else UNDECIDED
        assert level == expected, (base, good)


@pytest.mark.parametrize("base", BASES)
def test_ballot_1_threshold_is_over_the_base_not_the_valid_votes(base):
    """Absent members without a reason stay in the base: fewer valid votes, the same threshold."""
    members = roll(base)
    members[-1] = replace(members[-1], attendance=Attendance.ABSENT)
    members[-2] = replace(members[-2], attendance=Attendance.ABSENT)
    valid = base - 2
    t = MAJORITY[base]
    rows = all_good([m.key for m in members], valid)
    rows["m01"] = Votes(good=t - 1, completed=valid - t + 1)
    rows["m02"] = Votes(good=t, blank=valid - t)
    result = evaluate(two(), MEETING, members, first_ballot(rows, valid))
    assert result.base == base and result.voters_present == valid and result.ballot_problems == ()
    assert result.member("m01").vote_level == Level.COMPLETED
    assert result.member("m02").vote_level == Level.GOOD
    assert result.candidates is not None and "m01" not in result.candidates and "m02" in result.candidates


# ---------------------------------------------------------------------------
# Ballot 2: agree one below, at, one above the excellent threshold


@pytest.mark.parametrize("base", BASES)
@pytest.mark.parametrize("threshold", THRESHOLDS)
@pytest.mark.parametrize("cumulative", [True, False], ids=["cumulative", "own-votes"])
def test_ballot_2_agree_around_the_excellent_threshold(base, threshold, cumulative):
    rules = two(threshold, cumulative)
    members = roll(base)
    keys = [m.key for m in members]
    t = EXCELLENT_AT[(base, threshold)]
    for agree, expected in ((t - 1, Level.GOOD), (t, Level.EXCELLENT), (t + 1, Level.EXCELLENT)):
        rows2 = {key: SecondVotes(disagree=base) for key in keys + [CELL_ROW]}
        rows2["m01"] = SecondVotes(agree=agree, disagree=base - agree)
        rows2[CELL_ROW] = SecondVotes(agree=agree, blank=base - agree)
        result = evaluate(rules, MEETING, members, first_ballot(all_good(keys, base), base), second_ballot(rows2, base))
        assert result.second_ballot_problems == () and not result.awaiting_second_ballot
        assert result.member("m01").vote_level == expected, (agree, expected)
        assert result.member("m01").proposed_level == expected
        assert result.cell.vote_level == expected
        assert result.member("m02").vote_level == Level.GOOD  # all disagree: ballot 1's level stands
        assert result.summary["excellent"] == (expected == Level.EXCELLENT)


@pytest.mark.parametrize("base", BASES)
def test_ballot_2_threshold_is_over_the_base_when_papers_are_missing(base):
    """Two papers of ballot 2 not returned: the threshold stays at the base's."""
    rules = two()
    members = roll(base)
    keys = [m.key for m in members]
    t = EXCELLENT_AT[(base, "1/2")]
    valid = base - 2
    rows2 = {key: SecondVotes(disagree=valid) for key in keys + [CELL_ROW]}
    rows2["m01"] = SecondVotes(agree=t - 1, disagree=valid - t + 1)  # a majority of the valid papers, not of the base
    second = SecondBallotCount(base, valid, 0, rows2)
    result = evaluate(rules, MEETING, members, first_ballot(all_good(keys, base), base), second)
    assert result.second_ballot_problems == ()
    assert 2 * (t - 1) > valid  # indeed more than half of the papers counted
    assert result.member("m01").vote_level == Level.GOOD


def test_combined_level_agree_marks_never_lift_a_row_below_good():
    rules = two()
    for first in (Votes(good=4, completed=6), Votes(completed=10), Votes(not_completed=10), Votes(blank=10)):
        level = combined_level(first, SecondVotes(agree=10), 10, rules)
        assert level != Level.EXCELLENT and level != Level.GOOD


# ---------------------------------------------------------------------------
# The candidates


def test_candidates_are_the_rated_rows_and_the_cell_whose_ballot_1_level_is_good():
    rules = two()
    members = [
        member("m01"),
        member("m02"),
        member("m03", exempt=True),  # present, exempt: votes, not rated
        member("m04", suspended=True),
        member("m05", admitted_on=date(2020, 9, 1)),  # new member
        member("m06", standing=Standing.PROBATIONARY),
        member("m07", disciplined_in_year=True),
        member("m08"),
        member("m09"),
        member("m10"),
    ]
    result = evaluate(rules, MEETING, members, None)
    assert result.candidates is None and not result.awaiting_second_ballot
    rated = [m.key for m in result.members if m.rated]
    assert {m.key: m.not_rated_reason for m in result.members if not m.rated} == {
        "m03": NotRatedReason.EXEMPT,
        "m04": NotRatedReason.SUSPENDED,
        "m05": NotRatedReason.NEW_MEMBER,
    }
    base, valid = result.base, result.voters_present
    assert base == 8 and valid == 8  # m06 probationary and m04 suspended: neither in the base nor voting
    rows = {key: Votes(good=valid) for key in rated}
    rows["m08"] = Votes(good=4, completed=4)  # 4 of 8 is not more than half: completed
    rows["m09"] = Votes(good=5, not_completed=3)  # good, just
    rows["m10"] = Votes(blank=valid)  # undecided
    rows[CELL_ROW] = Votes(good=valid)
    result = evaluate(rules, MEETING, members, first_ballot(rows, valid))
    assert result.ballot_problems == ()
    assert result.candidates == ("cell", "m01", "m02", "m06", "m07", "m09")
    assert result.awaiting_second_ballot and can_seal(result)
    # Before ballot 2 the levels are ballot 1's, and nobody is excellent.
    assert result.summary["excellent"] == 0 and result.cell.vote_level == Level.GOOD
    # The disciplined member reached good: a candidate, proposed not completed.
    m07 = result.member("m07")
    assert m07.vote_level == Level.GOOD and m07.proposed_level == Level.NOT_COMPLETED
    assert m07.flags == (FLAG_DISCIPLINED,)
    assert result.member("m10").flags == (FLAG_NO_MAJORITY,)

    # The cell below good is no candidate.
    rows[CELL_ROW] = Votes(completed=valid)
    assert "cell" not in evaluate(rules, MEETING, members, first_ballot(rows, valid)).candidates


def test_candidates_of_reads_the_vote_levels_only():
    levels = {"m02": Level.GOOD, "m01": "good", "cell": Level.GOOD, "m03": Level.COMPLETED, "m04": UNDECIDED}
    assert candidates_of(levels | {"m05": None}) == ("cell", "m01", "m02")
    assert candidates_of({}) == ()


def test_a_row_on_ballot_2_for_a_non_candidate_never_makes_them_excellent():
    rules = two()
    members = roll(10)
    keys = [m.key for m in members]
    rows = all_good(keys, 10) | {"m01": Votes(completed=10), CELL_ROW: Votes(completed=10)}
    rows2 = {key: SecondVotes(agree=10) for key in keys + [CELL_ROW]}
    result = evaluate(rules, MEETING, members, first_ballot(rows, 10), second_ballot(rows2, 10))
    assert result.member("m01").vote_level == Level.COMPLETED and result.cell.vote_level == Level.COMPLETED
    assert {p.path for p in result.second_ballot_problems} >= {("rows", "m01"), ("rows", "cell")}
    assert not can_seal(result)


# ---------------------------------------------------------------------------
# Caps, the cell's warnings and the quota after the combined level


def test_caps_apply_after_ballot_2():
    rules = two()
    members = roll(10)
    members[0] = replace(members[0], disciplined_in_year=True)
    members[1] = replace(members[1], sick_leave_months=3)
    members[2] = replace(members[2], sick_leave_months=2)
    members[3] = replace(members[3], disciplined_in_year=True, previous_level=Level.NOT_COMPLETED)
    keys = [m.key for m in members]
    rows2 = {key: SecondVotes(agree=10) for key in keys[:4]} | {
        key: SecondVotes(disagree=10) for key in keys[4:] + [CELL_ROW]
    }
    result = evaluate(rules, MEETING, members, first_ballot(all_good(keys, 10), 10), second_ballot(rows2, 10))
    assert result.second_ballot_problems == ()
    m01, m02, m03, m04 = (result.member(k) for k in keys[:4])
    assert (m01.vote_level, m01.proposed_level, m01.flags) == (
        Level.EXCELLENT,
        Level.NOT_COMPLETED,
        (FLAG_DISCIPLINED,),
    )
    assert (m02.vote_level, m02.proposed_level, m02.flags) == (Level.EXCELLENT, Level.COMPLETED, (FLAG_SICK_LEAVE_CAP,))
    assert (m03.vote_level, m03.proposed_level, m03.flags) == (Level.EXCELLENT, Level.EXCELLENT, ())
    assert m04.proposed_level == Level.NOT_COMPLETED
    assert m04.flags == (FLAG_DISCIPLINED, "two_years_not_completed")
    assert result.summary["excellent"] == 1 and result.summary["not_completed"] == 2
    # Cell warnings: proposed good with members proposed not completed, and 2 of 10 is not more than 20%.
    assert result.cell.proposed_level == Level.GOOD
    assert result.cell.flags == (FLAG_MEMBER_NOT_COMPLETED,)


def test_score_cap_applies_after_ballot_2():
    resolved, problems = resolve_rules("hd43-2025", {"ballot_mode": "two_phase"})
    assert problems == [] and resolved is not None
    members = [member(f"m{i:02d}", self_score=score) for i, score in enumerate((95, 89, 70, 69, 100), start=1)]
    keys = [m.key for m in members]
    rows2 = {key: SecondVotes(agree=5) for key in keys + [CELL_ROW]}
    result = evaluate(resolved, date(2025, 12, 1), members, first_ballot(all_good(keys, 5), 5), second_ballot(rows2, 5))
    assert result.ballot_problems == () and result.second_ballot_problems == ()
    proposed = {m.key: (m.vote_level, m.proposed_level, m.flags) for m in result.members}
    assert proposed == {
        "m01": (Level.EXCELLENT, Level.EXCELLENT, ()),
        "m02": (Level.EXCELLENT, Level.GOOD, (FLAG_SCORE_CAP,)),
        "m03": (Level.EXCELLENT, Level.GOOD, (FLAG_SCORE_CAP,)),
        "m04": (Level.EXCELLENT, Level.COMPLETED, (FLAG_SCORE_CAP,)),
        "m05": (Level.EXCELLENT, Level.EXCELLENT, ()),
    }


def test_cell_excellent_by_ballot_2_carries_its_warnings():
    rules = two()
    members = roll(10)
    members = [replace(m, disciplined_in_year=True) if m.key in ("m01", "m02", "m03") else m for m in members]
    keys = [m.key for m in members]
    rows2 = {key: SecondVotes(disagree=10) for key in keys} | {CELL_ROW: SecondVotes(agree=6, disagree=4)}
    result = evaluate(rules, MEETING, members, first_ballot(all_good(keys, 10), 10), second_ballot(rows2, 10))
    assert result.cell.vote_level == Level.EXCELLENT and result.cell.proposed_level == Level.EXCELLENT
    assert result.cell.flags == (FLAG_MANY_NOT_COMPLETED, FLAG_MEMBER_NOT_COMPLETED)  # 3 of 10 > 20%


@pytest.mark.parametrize(
    ("pool", "excellent", "limit", "exceeded"),
    [
        ("good_only", 2, 1, True),
        ("good_only", 1, 1, False),
        ("good_or_above", 2, 2, False),
        ("good_or_above", 3, 2, True),
    ],
)
def test_quota_counts_ballot_2_excellents(pool, excellent, limit, exceeded):
    rules = two(quota_pool=pool)
    members = roll(10)
    keys = [m.key for m in members]
    rows2 = {key: SecondVotes(agree=6, disagree=4) for key in keys[:excellent]} | {
        key: SecondVotes(disagree=10) for key in keys[excellent:] + [CELL_ROW]
    }
    result = evaluate(rules, MEETING, members, first_ballot(all_good(keys, 10), 10), second_ballot(rows2, 10))
    assert result.summary["excellent"] == excellent and result.summary["good"] == 10 - excellent
    assert (result.quota.limit, result.quota.excellent, result.quota.exceeded) == (limit, excellent, exceeded)


def test_awaiting_second_ballot_and_can_seal():
    members = roll(10)
    keys = [m.key for m in members]
    ballot = first_ballot(all_good(keys, 10), 10)
    # Single ballot: never awaiting, no candidates.
    one = evaluate(single(), MEETING, members, BallotCount(10, 10, 0, {k: Votes(good=10) for k in keys + [CELL_ROW]}))
    assert one.candidates is None and not one.awaiting_second_ballot and can_seal(one)
    # Nothing counted: not awaiting ballot 2 yet.
    nothing = evaluate(two(), MEETING, members, None)
    assert nothing.candidates is None and not nothing.awaiting_second_ballot
    # Ballot 1 counted: awaiting, sealable; ballot 1's levels.
    first = evaluate(two(), MEETING, members, ballot)
    assert first.awaiting_second_ballot and can_seal(first)
    assert all(m.vote_level == Level.GOOD for m in first.members)
    # Ballot 2 counted and sound: sealable; counted wrong: not.
    rows2 = {key: SecondVotes(disagree=10) for key in keys + [CELL_ROW]}
    both = evaluate(two(), MEETING, members, ballot, second_ballot(rows2, 10))
    assert not both.awaiting_second_ballot and can_seal(both)
    wrong = evaluate(two(), MEETING, members, ballot, second_ballot(rows2 | {"m01": SecondVotes(disagree=9)}, 10))
    assert wrong.second_ballot_problems and not can_seal(wrong)
    # Ballot 1 refused: not sealable either.
    bad_first = evaluate(two(), MEETING, members, replace(ballot, issued=11))
    assert bad_first.ballot_problems and not can_seal(bad_first)
    # No quorum: neither.
    absent = [replace(m, attendance=Attendance.ABSENT) if i < 4 else m for i, m in enumerate(members)]
    rows1 = {k: Votes(good=6) for k in keys + [CELL_ROW]}
    no_quorum = evaluate(two(), MEETING, absent, first_ballot(rows1, 6), second_ballot({}, 6))
    assert not no_quorum.quorum_met and no_quorum.member("m10").vote_level == Level.GOOD and not can_seal(no_quorum)


# ---------------------------------------------------------------------------
# Checks of ballot 2 (and of ballot 1 as the first of two)


CANDIDATES = ("cell", "m01", "m02", "m03")


def sound_second(valid: int = 10, **rows: SecondVotes) -> SecondBallotCount:
    base_rows = {key: SecondVotes(agree=1, disagree=valid - 1) for key in CANDIDATES}
    return second_ballot(base_rows | rows, valid)


def paths(problems: list[Problem]) -> set[tuple[str | int, ...]]:
    return {p.path for p in problems}


def test_check_second_ballot_accepts_a_sound_count():
    assert check_second_ballot(sound_second(), 10, CANDIDATES, two()) == []


def test_check_second_ballot_names_a_non_candidate_and_a_missing_candidate():
    ballot = sound_second()
    rows = dict(ballot.rows)
    del rows["m03"]
    rows["m99"] = SecondVotes(disagree=10)
    problems = check_second_ballot(replace(ballot, rows=rows), 10, CANDIDATES, two())
    by_path = {p.path: p.message for p in problems}
    assert set(by_path) == {("rows", "m03"), ("rows", "m99")}
    assert "Thiếu dòng" in by_path[("rows", "m03")]
    assert "không thuộc phiếu vòng 2" in by_path[("rows", "m99")]


def test_check_second_ballot_names_negatives_and_papers():
    ballot = sound_second(m01=SecondVotes(agree=-1, disagree=11), m02=SecondVotes(agree=5, disagree=5, blank=-2))
    problems = check_second_ballot(replace(ballot, invalid=-1), 10, CANDIDATES, two())
    assert paths(problems) >= {("rows", "m01", "agree"), ("rows", "m02", "blank"), ("invalid",)}
    assert any("-1" in p.message for p in problems if p.path == ("rows", "m01", "agree"))
    papers = check_second_ballot(SecondBallotCount(11, 12, 0, sound_second().rows), 10, CANDIDATES, two())
    assert paths(papers) >= {("returned",), ("issued",)}
    assert any("(12)" in p.message and "(11)" in p.message for p in papers if p.path == ("returned",))
    assert any("(11)" in p.message and "(10)" in p.message for p in papers if p.path == ("issued",))


def test_check_second_ballot_names_the_figures_of_a_row_that_does_not_add_up():
    problems = check_second_ballot(sound_second(m02=SecondVotes(agree=5, disagree=3, blank=1)), 10, CANDIDATES, two())
    assert [(p.path, p.message) for p in problems] == [
        (("rows", "m02"), "Tổng các ô 5 + 3 + 1 = 9, khác số phiếu hợp lệ 10.")
    ]


@pytest.mark.parametrize(
    ("members", "ratio", "cap"),
    [(10, "1/5", 2), (9, "1/5", 1), (4, "1/5", 0), (5, "1/5", 1), (12, "1/10", 1), (9, "1/10", 0)],
)
def test_agree_cap_is_the_floor_of_the_quota_over_the_member_candidates(members, ratio, cap):
    assert agree_cap(two(agree_cap="quota", quota_ratio=ratio), members) == cap
    assert agree_cap(two(quota_ratio=ratio), members) is None


def cap_meeting(total_agree: int, cell_agree: int) -> SecondBallotCount:
    """Ballot 2 of 10 valid papers over 10 member candidates (cap 2 a paper: 20 agree in all)."""
    agrees = [10, 10 if total_agree >= 20 else total_agree - 10] if total_agree >= 10 else [total_agree, 0]
    agrees += [total_agree - sum(agrees)] + [0] * 7
    rows = {f"m{i:02d}": SecondVotes(agree=a, disagree=10 - a) for i, a in enumerate(agrees, start=1)}
    rows[CELL_ROW] = SecondVotes(agree=cell_agree, disagree=10 - cell_agree)
    return second_ballot(rows, 10)


MEMBER_CANDIDATES = tuple(f"m{i:02d}" for i in range(1, 11))


def test_agree_cap_at_the_boundary_the_cell_excluded():
    capped = two(agree_cap="quota")
    candidates = (CELL_ROW, *MEMBER_CANDIDATES)
    at = cap_meeting(20, cell_agree=10)
    assert sum(r.agree for k, r in at.rows.items() if k != CELL_ROW) == 20
    assert check_second_ballot(at, 10, candidates, capped) == []
    over = cap_meeting(21, cell_agree=0)
    assert sum(r.agree for k, r in over.rows.items() if k != CELL_ROW) == 21
    problems = check_second_ballot(over, 10, candidates, capped)
    assert len(problems) == 1 and problems[0].path == ("rows",)
    for figure in ("(21)", "10 phiếu hợp lệ", "2 ô đồng ý", "= 20"):
        assert figure in problems[0].message
    # Without the option the same count passes.
    assert check_second_ballot(over, 10, candidates, two()) == []


def test_agree_cap_in_evaluate_refuses_the_seal():
    members = roll(10)
    keys = [m.key for m in members]
    over = cap_meeting(21, cell_agree=10)
    result = evaluate(two(agree_cap="quota"), MEETING, members, first_ballot(all_good(keys, 10), 10), over)
    assert [p.path for p in result.second_ballot_problems] == [("rows",)] and not can_seal(result)
    assert can_seal(evaluate(two(), MEETING, members, first_ballot(all_good(keys, 10), 10), over))


def test_check_ballot_first_of_two_refuses_excellent_marks():
    rows = {"m01": Votes(excellent=1, good=9), "m02": Votes(good=10), CELL_ROW: Votes(good=10)}
    ballot = first_ballot(rows, 10)
    problems = check_ballot(ballot, 10, ["m01", "m02"], first_of_two=True)
    assert [p.path for p in problems] == [("rows", "m01", "excellent")]
    assert "1 phiếu" in problems[0].message
    assert check_ballot(ballot, 10, ["m01", "m02"]) == []  # a single ballot has the box
    # Ballot 1's sum is over its four boxes, named so.
    short = check_ballot(
        first_ballot(rows | {"m01": Votes(good=8, blank=1)}, 10), 10, ["m01", "m02"], first_of_two=True
    )
    assert [(p.path, p.message) for p in short] == [
        (("rows", "m01"), "Tổng các ô 8 + 0 + 0 + 1 = 9, khác số phiếu hợp lệ 10.")
    ]


def test_resolve_rules_agree_cap():
    resolved, problems = resolve_rules("hd21-2019", {"ballot_mode": "two_phase", "agree_cap": "quota"})
    assert problems == [] and resolved is not None and resolved.agree_cap == "quota"
    assert resolved.ballot_mode is BallotMode.TWO_PHASE
    refused, problems = resolve_rules("hd21-2019", {"agree_cap": "quota"})
    assert refused is None and [p.path for p in problems] == [("agree_cap",)]
    assert "two_phase" in problems[0].message
    refused, problems = resolve_rules("hd21-2019", {"ballot_mode": "single", "agree_cap": "quota"})
    assert refused is None and [p.path for p in problems] == [("agree_cap",)]
    none_single, problems = resolve_rules("hd21-2019", {"agree_cap": "none"})
    assert problems == [] and none_single is not None
    bad, problems = resolve_rules("hd21-2019", {"ballot_mode": "two_phase", "agree_cap": "paper"})
    assert bad is None and [p.path for p in problems] == [("agree_cap",)] and "'paper'" in problems[0].message


# ---------------------------------------------------------------------------
# Properties: a single cumulative ballot and the two ballots made from it agree


@st.composite
def single_meetings(draw):
    """A roll with some not-rated and capped members, its rules, and a sound single ballot (cumulative)."""
    size = draw(st.integers(min_value=3, max_value=12))
    members = []
    for i in range(1, size + 1):
        members.append(
            member(
                f"m{i:02d}",
                exempt=draw(st.sampled_from([False] * 6 + [True])),
                disciplined_in_year=draw(st.sampled_from([False] * 5 + [True])),
                sick_leave_months=draw(st.sampled_from([0, 0, 0, 4])),
                previous_level=draw(st.sampled_from([None, Level.NOT_COMPLETED])),
                attendance=draw(st.sampled_from([Attendance.PRESENT] * 5 + [Attendance.ABSENT])),
                admitted_on=draw(st.sampled_from([LONG_AGO] * 6 + [date(2020, 10, 1)])),
            )
        )
    threshold = draw(st.sampled_from(["1/2", "2/3", "3/5"]))
    pool = draw(st.sampled_from(["good_only", "good_or_above"]))
    rated = [m.key for m in members if not m.exempt and m.admitted_on == LONG_AGO]
    valid = sum(1 for m in members if m.attendance is Attendance.PRESENT)
    rows = {}
    for key in rated + [CELL_ROW]:
        excellent, good, completed, not_completed, blank = _split_draw(draw, valid)
        rows[key] = Votes(excellent, good, completed, not_completed, blank)
    return members, threshold, pool, BallotCount(valid, valid, 0, rows)


def _split_draw(draw, total: int) -> tuple[int, ...]:
    cuts = sorted(draw(st.lists(st.integers(min_value=0, max_value=total), min_size=4, max_size=4)))
    bounds = (0, *cuts, total)
    return tuple(bounds[i + 1] - bounds[i] for i in range(5))


def as_two_ballots(ballot: BallotCount, candidates: tuple[str, ...]) -> tuple[BallotCount, SecondBallotCount]:
    first = {
        key: Votes(good=v.excellent + v.good, completed=v.completed, not_completed=v.not_completed, blank=v.blank)
        for key, v in ballot.rows.items()
    }
    second = {
        key: SecondVotes(agree=ballot.rows[key].excellent, disagree=ballot.valid - ballot.rows[key].excellent)
        for key in candidates
    }
    return (
        BallotCount(ballot.issued, ballot.returned, ballot.invalid, first),
        SecondBallotCount(ballot.issued, ballot.returned, ballot.invalid, second),
    )


@settings(max_examples=300, deadline=None)
@given(single_meetings())
def test_a_single_cumulative_ballot_and_its_two_ballots_give_the_same_results(meeting):
    members, threshold, pool, ballot = meeting
    one = evaluate(_with_pool(single(threshold), pool), MEETING, members, ballot)
    rules2 = _with_pool(two(threshold), pool)
    first, _ = as_two_ballots(ballot, ())
    after_first = evaluate(rules2, MEETING, members, first)
    assert after_first.candidates is not None
    first, second = as_two_ballots(ballot, after_first.candidates)
    both = evaluate(rules2, MEETING, members, first, second)
    assert one.ballot_problems == () and both.ballot_problems == () and both.second_ballot_problems == ()
    assert both.members == one.members
    assert both.cell == one.cell
    assert both.summary == one.summary and both.quota == one.quota
    assert both.candidates == after_first.candidates and not both.awaiting_second_ballot
    # The candidates are exactly the rows whose ballot-1 level is good ...
    for m in after_first.members:
        assert (m.key in after_first.candidates) is (m.rated and m.vote_level == Level.GOOD)
    assert (CELL_ROW in after_first.candidates) is (after_first.cell.vote_level == Level.GOOD)
    # ... and a non-candidate is never excellent.
    for m in both.members:
        if m.key not in both.candidates:
            assert m.vote_level != Level.EXCELLENT and m.proposed_level != Level.EXCELLENT
    if CELL_ROW not in both.candidates:
        assert both.cell.vote_level != Level.EXCELLENT


def _with_pool(rules: Rules, pool: str) -> Rules:
    return replace(rules, quota_pool=pool)  # type: ignore[arg-type]


first_rows = st.builds(
    Votes,
    excellent=st.sampled_from([0, 0, 0, 1, 6]),  # refused on ballot 1, yet never an excellent by itself
    good=st.integers(0, 12),
    completed=st.integers(0, 12),
    not_completed=st.integers(0, 12),
    blank=st.integers(0, 12),
)


@settings(max_examples=300, deadline=None)
@given(
    rows=st.lists(first_rows, min_size=1, max_size=6),
    agrees=st.lists(st.integers(0, 12), min_size=7, max_size=7),
    base=st.integers(1, 12),
    threshold=st.sampled_from(THRESHOLDS),
    cumulative=st.booleans(),
)
def test_no_candidate_below_good_and_no_excellent_outside_ballot_2(rows, agrees, base, threshold, cumulative):
    """Whatever the counts (sound or not), ballot 2 reaches only ballot 1's good rows."""
    rules = two(threshold, cumulative)
    members = roll(len(rows))
    keys = [m.key for m in members]
    first = BallotCount(0, 0, 0, dict(zip(keys + [CELL_ROW], rows + [rows[0]], strict=True)))
    second = SecondBallotCount(
        0, 0, 0, {key: SecondVotes(agree=a) for key, a in zip(keys + [CELL_ROW], agrees, strict=False)}
    )
    result = evaluate(rules, MEETING, members, first, second)
    assert result.candidates is not None
    for m in result.members:
        if m.key in result.candidates:
            assert m.vote_level in (Level.GOOD, Level.EXCELLENT)
        else:
            assert m.vote_level != Level.EXCELLENT
    if CELL_ROW not in result.candidates:
        assert result.cell.vote_level != Level.EXCELLENT


# ---------------------------------------------------------------------------
# The seed example


def test_the_two_ballot_example_gives_exactly_its_expected_results():
    mf, problems = loads(EXAMPLE.read_bytes())
    assert problems == [] and mf is not None and mf.two_ballots
    expected = json.loads(EXAMPLE_RESULTS.read_text(encoding="utf-8"))
    results = mf.evaluate().as_dict()
    assert results == expected
    assert json.dumps(results, ensure_ascii=False, indent=2) == json.dumps(expected, ensure_ascii=False, indent=2)
    assert next(iter(results)) == "candidates"


def test_the_example_ballots_evaluated_straight_from_the_rules_core():
    """The example's counts through rules.evaluate, without the meeting file's reading."""
    mf, _ = loads(EXAMPLE.read_bytes())
    assert mf is not None and mf.ballot is not None and mf.ballot.second is not None
    result = evaluate(
        mf.rules, mf.meeting_day, [m.facts() for m in mf.members], mf.ballot.count(), mf.ballot.second.count()
    )
    assert result.ballot_problems == () and result.second_ballot_problems == () and can_seal(result)
    # Spot checks against the file's own counts: agree over half of the base 10 makes excellent.
    agree = {key: row.agree for key, row in mf.ballot.second.rows.items()}
    for m in result.members:
        assert (m.vote_level == Level.EXCELLENT) is (2 * agree[m.key] > result.base)
    assert result.quota.exceeded is (result.quota.excellent > result.quota.limit)
    assert result.quota.limit == int(Fraction(1, 5) * result.quota.pool)


def test_a_ballot_1_row_refused_leaves_its_candidacy_open_on_ballot_2():
    """m01's ballot-1 row is missing and m02's does not add up below good: ballot 1 names them;
    ballot 2 neither asks for their rows nor refuses them as non-candidates, but checks their sums.
    A not-rated member's row stays refused on both ballots."""
    rules = two()
    members = roll(10)
    members[9] = replace(members[9], exempt=True)
    keys = [m.key for m in members]
    rows = all_good(keys[:9], 10)
    del rows["m01"]
    rows["m02"] = Votes(good=2, completed=2)
    rows["m10"] = Votes(good=10)
    rows2 = {key: SecondVotes(disagree=10) for key in [*keys, CELL_ROW]} | {"m02": SecondVotes(agree=9)}
    result = evaluate(rules, MEETING, members, first_ballot(rows, 10), second_ballot(rows2, 10))
    assert [p.path for p in result.ballot_problems] == [("rows", "m01"), ("rows", "m02"), ("rows", "m10")]
    assert [p.path for p in result.second_ballot_problems] == [("rows", "m02"), ("rows", "m10")]
    assert "khác số phiếu hợp lệ" in result.second_ballot_problems[0].message
    assert "không thuộc phiếu vòng 2" in result.second_ballot_problems[1].message
    assert result.candidates is not None and "m01" not in result.candidates and "m02" not in result.candidates


def test_no_candidate_no_ballot_2_to_await():
    members = roll(10)
    keys = [m.key for m in members]
    rows = {key: Votes(good=4, completed=6) for key in [*keys, CELL_ROW]}
    result = evaluate(two(), MEETING, members, first_ballot(rows, 10))
    assert result.candidates == () and not result.awaiting_second_ballot and can_seal(result)
    assert result.as_dict()["candidates"] == []
    assert all(m.vote_level == Level.COMPLETED for m in result.members)


def test_excellent_marks_on_ballot_1_are_refused_and_make_no_one_excellent():
    members = roll(10)
    keys = [m.key for m in members]
    rows = all_good(keys, 10) | {"m01": Votes(excellent=10), CELL_ROW: Votes(excellent=6, good=4)}
    result = evaluate(two(), MEETING, members, first_ballot(rows, 10))
    assert [p.path for p in result.ballot_problems] == [("rows", "m01", "excellent"), ("rows", "cell", "excellent")]
    assert not can_seal(result)
    assert result.member("m01").vote_level == Level.GOOD and result.cell.vote_level == Level.GOOD
    assert result.candidates is not None and {"m01", "cell"} <= set(result.candidates)
    # The same row under a single ballot is excellent: the box is on its paper.
    one = evaluate(single(), MEETING, members, BallotCount(10, 10, 0, rows))
    assert one.member("m01").vote_level == Level.EXCELLENT and one.ballot_problems == ()
