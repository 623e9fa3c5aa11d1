"""Property tests of the rating rules (review/rules.py), with Hypothesis.

Only ``review.rules`` is imported: no Flask, no database.
"""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import date, timedelta
from fractions import Fraction

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from review.rules import (
    CELL_ROW,
    FLAG_DISCIPLINED,
    FLAG_MANY_NOT_COMPLETED,
    FLAG_MEMBER_NOT_COMPLETED,
    FLAG_NO_MAJORITY,
    LEVELS,
    PROFILES,
    UNDECIDED,
    VOTE_FIELDS,
    Attendance,
    BallotCount,
    Level,
    MemberFacts,
    MemberResult,
    Standing,
    Votes,
    cell_result,
    check_ballot,
    evaluate,
    is_new_member,
    member_result,
    quorum_met,
    quorum_required,
    quota,
    quota_across,
    resolve_rules,
    summarize,
    vote_base,
    vote_level,
    voters_present,
)

MEETING = date(2020, 11, 27)
LEVEL_FIELDS = ("excellent", "good", "completed", "not_completed")  # best first


def rank(level) -> int:
    """0 for excellent ... 3 for not_completed, 4 for undecided (below every level)."""
    return 4 if level == UNDECIDED else Level(level).rank


# ---------------------------------------------------------------------------
# Strategies

counts = st.integers(min_value=0, max_value=25)
votes_rows = st.builds(Votes, excellent=counts, good=counts, completed=counts, not_completed=counts, blank=counts)
ratios = st.fractions(min_value=Fraction(1, 20), max_value=1, max_denominator=20)
profiles = st.sampled_from(sorted(PROFILES))


@st.composite
def rule_sets(draw, cumulative=None):
    """A profile with a valid random excellent threshold and counting mode."""
    overrides = {"excellent_threshold": draw(st.sampled_from(["1/2", "3/5", "2/3", "3/4", "1/1"]))}
    overrides["cumulative"] = draw(st.booleans()) if cumulative is None else cumulative
    resolved, problems = resolve_rules(draw(profiles), overrides)
    assert problems == []
    return resolved


@st.composite
def row_and_base(draw):
    """A ballot row and a base around its size, so every outcome is reachable."""
    row = draw(votes_rows)
    base = draw(st.integers(min_value=0, max_value=max(1, 2 * row.total + 2)))
    return row, base


attendances = st.sampled_from(list(Attendance))
member_facts = st.builds(
    MemberFacts,
    key=st.just("m"),
    standing=st.sampled_from(list(Standing)),
    admitted_on=st.dates(min_value=date(1990, 1, 1), max_value=MEETING),
    attendance=attendances,
    exempt=st.booleans(),
    suspended=st.booleans(),
    temporary_elsewhere=st.booleans(),
    sick_leave_months=st.integers(0, 12),
    disciplined_in_year=st.booleans(),
    previous_level=st.none() | st.sampled_from(LEVELS),
    self_score=st.none() | st.integers(0, 100),
)


@st.composite
def cells(draw, min_size=0):
    members = draw(st.lists(member_facts, min_size=min_size, max_size=15))
    return [replace(m, key=f"m{i:02d}") for i, m in enumerate(members)]


# ---------------------------------------------------------------------------
# Vote levels (SPEC 5.2, 5.3)


@given(st.data(), row_and_base(), rule_sets(cumulative=True))
def test_moving_one_vote_up_never_lowers_the_vote_level(data, row_base, rules):
    row, base = row_base
    sources = [name for name in VOTE_FIELDS if getattr(row, name) > 0 and name != "excellent"]
    assume(sources)
    source = data.draw(st.sampled_from(sources), label="from")
    higher = LEVEL_FIELDS if source == "blank" else LEVEL_FIELDS[: LEVEL_FIELDS.index(source)]
    target = data.draw(st.sampled_from(higher), label="to")
    moved = replace(row, **{source: getattr(row, source) - 1, target: getattr(row, target) + 1})
    assert rank(vote_level(moved, base, rules)) <= rank(vote_level(row, base, rules))


@given(row_and_base(), rule_sets(cumulative=True), st.sampled_from(LEVEL_FIELDS))
def test_adding_a_vote_never_lowers_the_vote_level(row_base, rules, target):
    row, base = row_base
    more = replace(row, **{target: getattr(row, target) + 1})
    assert rank(vote_level(more, base, rules)) <= rank(vote_level(row, base, rules))


@given(row_and_base(), rule_sets())
def test_a_level_is_reached_only_with_more_than_half_of_the_base(row_base, rules):
    row, base = row_base
    reached = vote_level(row, base, rules)
    if reached == UNDECIDED:
        return
    own = row.as_dict()
    index = LEVELS.index(reached)
    counted = sum(own[f] for f in LEVEL_FIELDS[: index + 1]) if rules.cumulative else own[LEVEL_FIELDS[index]]
    assert 2 * counted > base
    if reached is Level.EXCELLENT:
        share = rules.excellent_threshold
        assert counted * share.denominator >= share.numerator * base


@given(row_and_base(), rule_sets())
def test_undecided_whenever_the_non_blank_total_is_at_most_half_the_base(row_base, rules):
    row, base = row_base
    non_blank = row.total - row.blank
    if 2 * non_blank <= base:
        assert vote_level(row, base, rules) == UNDECIDED


@given(row_and_base(), profiles)
def test_cumulative_with_default_threshold_reaches_the_first_level_whose_running_total_passes(row_base, name):
    row, base = row_base
    running, expected = 0, UNDECIDED
    for level, name_ in zip(LEVELS, LEVEL_FIELDS, strict=True):
        running += getattr(row, name_)
        if 2 * running > base:
            expected = level
            break
    assert vote_level(row, base, PROFILES[name]) == expected


@given(row_and_base(), rule_sets())
def test_blank_marks_never_change_the_vote_level(row_base, rules):
    row, base = row_base
    assert vote_level(replace(row, blank=0), base, rules) == vote_level(row, base, rules)


# ---------------------------------------------------------------------------
# Quorum (SPEC 5.1)


@given(st.integers(1, 500), st.integers(0, 600), ratios)
def test_quorum_met_iff_present_reaches_quorum_required(base, present, ratio):
    assert quorum_met(present, base, ratio) is (present >= quorum_required(base, ratio))


@given(st.integers(1, 500), ratios)
def test_quorum_required_is_the_smallest_present_that_meets_it(base, ratio):
    required = quorum_required(base, ratio)
    assert 1 <= required <= base
    assert Fraction(required, base) >= ratio
    assert Fraction(required - 1, base) < ratio


@given(st.integers(0, 50), ratios)
def test_quorum_never_met_with_base_zero(present, ratio):
    assert quorum_met(present, 0, ratio) is False


# ---------------------------------------------------------------------------
# Ballot consistency (SPEC 5.7)


@st.composite
def split(draw, total):
    """Five non-negative numbers (a ballot row) adding up to ``total``."""
    cuts = sorted(draw(st.lists(st.integers(0, total), min_size=4, max_size=4)))
    edges = [0, *cuts, total]
    return Votes(**{name: edges[i + 1] - edges[i] for i, name in enumerate(VOTE_FIELDS)})


@st.composite
def consistent_ballots(draw):
    keys = draw(st.lists(st.sampled_from([f"m{i:02d}" for i in range(20)]), unique=True, max_size=10))
    valid, invalid = draw(st.integers(0, 30)), draw(st.integers(0, 5))
    returned = valid + invalid
    issued = returned + draw(st.integers(0, 3))
    voters = issued + draw(st.integers(0, 3))
    rows = {key: draw(split(valid)) for key in [*keys, CELL_ROW]}
    return BallotCount(issued=issued, returned=returned, invalid=invalid, rows=rows), voters, keys


@given(consistent_ballots())
def test_consistent_ballots_have_no_problem(case):
    ballot, voters, keys = case
    assert check_ballot(ballot, voters, keys) == []


@given(st.data(), consistent_ballots())
def test_every_row_whose_sum_differs_from_valid_is_named(data, case):
    ballot, voters, keys = case
    rows = dict(ballot.rows)
    changed = set()
    for key in rows:
        delta = data.draw(st.integers(-3, 3), label=f"delta {key}")
        field = data.draw(st.sampled_from(VOTE_FIELDS), label=f"field {key}")
        value = getattr(rows[key], field) + delta
        if delta and value >= 0:
            rows[key] = replace(rows[key], **{field: value})
            changed.add(key)
    problems = check_ballot(replace(ballot, rows=rows), voters, keys)
    assert {p.path for p in problems} == {("rows", key) for key in changed}
    for p in problems:
        key = p.path[1]
        assert str(rows[key].total) in p.message and str(ballot.valid) in p.message


@given(consistent_ballots(), st.sampled_from(VOTE_FIELDS), st.integers(1, 5))
def test_a_negative_number_in_any_row_is_named_with_its_field(case, field, amount):
    ballot, voters, keys = case
    key = CELL_ROW
    rows = dict(ballot.rows)
    rows[key] = replace(rows[key], **{field: -amount})
    problems = check_ballot(replace(ballot, rows=rows), voters, keys)
    assert ("rows", key, field) in {p.path for p in problems}


@given(consistent_ballots(), st.sampled_from([f"x{i}" for i in range(5)]))
def test_a_row_for_a_key_not_rated_is_always_named(case, stray):
    ballot, voters, keys = case
    rows = dict(ballot.rows) | {stray: next(iter(ballot.rows.values()))}
    problems = check_ballot(replace(ballot, rows=rows), voters, keys)
    assert [p.path for p in problems] == [("rows", stray)]


# ---------------------------------------------------------------------------
# Caps (SPEC 5.4)


@given(member_facts, row_and_base(), rule_sets())
def test_proposed_level_is_never_above_the_vote_level(member, row_base, rules):
    row, base = row_base
    r = member_result(member, row, base, MEETING, rules)
    if not r.rated:
        assert r.vote_level is None and r.proposed_level is None
    elif r.vote_level == UNDECIDED:
        assert FLAG_NO_MAJORITY in r.flags
        assert r.proposed_level is (Level.NOT_COMPLETED if member.disciplined_in_year else None)
    else:
        assert r.proposed_level is not None
        assert r.proposed_level.rank >= Level(r.vote_level).rank


@given(member_facts, row_and_base(), rule_sets())
def test_disciplined_rated_members_are_always_not_completed(member, row_base, rules):
    row, base = row_base
    r = member_result(replace(member, disciplined_in_year=True), row, base, MEETING, rules)
    if r.rated:
        assert r.proposed_level is Level.NOT_COMPLETED and FLAG_DISCIPLINED in r.flags


@given(member_facts, row_and_base(), rule_sets())
def test_flags_are_sorted_and_unique(member, row_base, rules):
    row, base = row_base
    flags = member_result(member, row, base, MEETING, rules).flags
    assert list(flags) == sorted(set(flags))


@given(member_facts, row_and_base(), st.sampled_from(["hd21-2019", "hd25-2023"]))
def test_self_score_never_matters_without_a_scored_profile(member, row_base, name):
    row, base = row_base
    rules = PROFILES[name]
    a = member_result(replace(member, self_score=None), row, base, MEETING, rules)
    b = member_result(replace(member, self_score=0), row, base, MEETING, rules)
    assert a == b


@given(member_facts, row_and_base())
def test_sick_leave_never_matters_from_2025(member, row_base):
    row, base = row_base
    rules = PROFILES["hd43-2025"]
    a = member_result(replace(member, sick_leave_months=0), row, base, MEETING, rules)
    b = member_result(replace(member, sick_leave_months=12), row, base, MEETING, rules)
    assert a == b


# ---------------------------------------------------------------------------
# The base and the voters (SPEC 4)


@given(cells())
def test_base_never_exceeds_the_official_members(members):
    officials = sum(1 for m in members if m.standing is Standing.OFFICIAL)
    assert 0 <= vote_base(members) <= officials
    assert 0 <= voters_present(members) <= officials


@given(cells(), st.lists(member_facts, max_size=6))
def test_probationary_members_change_neither_the_base_nor_the_voters(members, extra):
    probationary = [replace(m, key=f"p{i}", standing=Standing.PROBATIONARY) for i, m in enumerate(extra)]
    assert vote_base(members + probationary) == vote_base(members)
    assert voters_present(members + probationary) == voters_present(members)


@given(cells())
def test_official_members_present_and_in_good_standing_are_both_voters_and_in_the_base(members):
    plain = [
        m
        for m in members
        if m.standing is Standing.OFFICIAL
        and m.attendance is Attendance.PRESENT
        and not (m.suspended or m.temporary_elsewhere)
    ]
    assert vote_base(plain) == voters_present(plain) == len(plain)


# ---------------------------------------------------------------------------
# New members (SPEC 3)


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 1, 1)), st.integers(0, 400))
def test_new_member_is_decided_by_about_six_months(admitted, days):
    meeting = admitted + timedelta(days=days)
    # six calendar months are 181 to 184 days
    if days < 181:
        assert is_new_member(admitted, meeting)
    if days >= 184:
        assert not is_new_member(admitted, meeting)


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 1, 1)), st.integers(0, 400), st.integers(0, 400))
def test_admitted_earlier_is_never_newer(meeting, a, b):
    later, earlier = sorted((a, b))  # days before the meeting
    assert is_new_member(meeting - timedelta(days=earlier), meeting) <= is_new_member(
        meeting - timedelta(days=later), meeting
    )


# ---------------------------------------------------------------------------
# The cell, the summary and the quota (SPEC 5.5, 5.6)

member_results = st.one_of(
    st.sampled_from(LEVELS).map(lambda level: MemberResult("r", True, None, level, level)),
    st.just(MemberResult("u", True, None, UNDECIDED, None)),
    st.just(MemberResult("x", False, None, None, None)),
)


@given(st.lists(member_results, max_size=30), row_and_base(), rule_sets())
def test_cell_warnings_follow_spec(members, row_base, rules):
    row, base = row_base
    cell = cell_result(row, base, members, rules)
    rated = [m for m in members if m.rated]
    nc = sum(1 for m in rated if m.proposed_level is Level.NOT_COMPLETED)
    proposed = cell.proposed_level
    assert (FLAG_NO_MAJORITY in cell.flags) is (proposed is None)
    assert (FLAG_MEMBER_NOT_COMPLETED in cell.flags) is (proposed in (Level.EXCELLENT, Level.GOOD) and nc > 0)
    assert (FLAG_MANY_NOT_COMPLETED in cell.flags) is (
        proposed in (Level.EXCELLENT, Level.GOOD, Level.COMPLETED) and 5 * nc > len(rated)
    )


@given(st.lists(member_results, max_size=30))
def test_summary_accounts_for_every_member_with_a_result(members):
    summary = summarize(members)
    assert sum(summary.values()) == len(members)
    assert summary["not_rated"] == sum(1 for m in members if not m.rated)


summaries = st.fixed_dictionaries({str(level): st.integers(0, 60) for level in LEVELS})


@given(
    summaries,
    st.sampled_from(["good_only", "good_or_above"]),
    st.sampled_from([("hd21-2019", "1/5"), ("hd21-2019", "1/10"), ("hd43-2025", "1/4"), ("hd43-2025", "1/5")]),
)
def test_quota_limit_is_the_floor_of_ratio_times_pool_and_never_exceeds_the_pool(counts_, pool_rule, profile_ratio):
    name, ratio = profile_ratio
    rules, problems = resolve_rules(name, {"quota_ratio": ratio, "quota_pool": pool_rule})
    assert problems == []
    q = quota(counts_, rules)
    pool = counts_["good"] + (counts_["excellent"] if pool_rule == "good_or_above" else 0)
    assert q.pool == pool
    assert q.limit == math.floor(Fraction(ratio) * pool)
    assert 0 <= q.limit <= q.pool
    assert q.excellent == counts_["excellent"]
    assert q.exceeded is (q.excellent > q.limit)


@given(st.lists(summaries, max_size=6))
def test_quota_across_cells_is_the_quota_of_the_totals(cell_summaries):
    rules = PROFILES["hd21-2019"]
    totals = {key: sum(s[key] for s in cell_summaries) for key in (str(level) for level in LEVELS)}
    assert quota_across(cell_summaries, rules) == quota(totals, rules)


# ---------------------------------------------------------------------------
# The whole meeting


@settings(max_examples=60)
@given(cells(min_size=1), st.data(), rule_sets())
def test_evaluate_is_consistent_with_its_parts(members, data, rules):
    base = vote_base(members)
    valid = data.draw(st.integers(0, max(0, voters_present(members))), label="valid")
    rows = {}
    for m in members:
        rows[m.key] = data.draw(split(valid), label=m.key)
    rows[CELL_ROW] = data.draw(split(valid), label="cell")
    ballot = BallotCount(issued=valid, returned=valid, invalid=0, rows=rows)
    outcome = evaluate(rules, MEETING, members, ballot)
    assert outcome.base == base
    assert outcome.quorum_met is (base > 0 and outcome.voters_present >= outcome.quorum_required)
    not_rated = {r.key for r in outcome.members if not r.rated}
    # the only ballot problems are the rows of members who are not rated
    assert {p.path for p in outcome.ballot_problems} == {("rows", key) for key in not_rated}
    assert sum(outcome.summary.values()) == len(members)
    for m, r in zip(members, outcome.members, strict=True):
        assert r == member_result(m, rows[m.key], base, MEETING, rules)
