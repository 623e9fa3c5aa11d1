"""The threshold comparisons the pages state, as pure functions of the rules core (issue 12).

Only ``review.rules`` is imported: no Flask, no database.
"""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

import pytest

from review.rules import PROFILES, Level, excellent_is_majority_only, passes_threshold, quota_ratio_may_rise


@pytest.mark.parametrize("profile", sorted(PROFILES))
def test_every_profile_as_it_stands_asks_only_the_majority_for_excellent(profile):
    assert excellent_is_majority_only(PROFILES[profile])


@pytest.mark.parametrize(
    ("threshold", "only_majority"),
    [(Fraction(1, 2), True), (Fraction(1, 3), True), (Fraction(51, 100), False), (Fraction(2, 3), False), (1, False)],
)
def test_an_override_above_the_profiles_share_asks_its_own_share(threshold, only_majority):
    rules = replace(PROFILES["hd21-2019"], excellent_threshold=Fraction(threshold))
    assert excellent_is_majority_only(rules) is only_majority


def test_the_statement_agrees_with_the_count_when_it_says_majority_only():
    """Wherever the pages say "a majority, as every level", a majority reaches excellent."""
    for numerator, denominator in [(1, 3), (1, 2), (3, 5), (2, 3), (1, 1)]:
        rules = replace(PROFILES["hd25-2023"], excellent_threshold=Fraction(numerator, denominator))
        if excellent_is_majority_only(rules):
            for base in range(1, 30):
                majority = base // 2 + 1
                assert passes_threshold(Level.EXCELLENT, majority, base, rules)


def test_the_quota_may_rise_only_where_the_profile_allows_more_than_applied():
    assert not quota_ratio_may_rise(PROFILES["hd21-2019"])  # 1/5, at most 1/5
    assert quota_ratio_may_rise(PROFILES["hd43-2025"])  # 1/5, the committee may allow 1/4
    assert not quota_ratio_may_rise(replace(PROFILES["hd43-2025"], quota_ratio=Fraction(1, 4)))
