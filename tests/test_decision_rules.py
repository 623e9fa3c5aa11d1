"""The committee's decision rules (review/decision_rules.py): examples and properties (Hypothesis).

Only the rules core is imported: no Flask, no database.
"""

from __future__ import annotations

import json
import unicodedata
from dataclasses import replace
from datetime import date
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from review.decision_rules import (
    NUMBER_MESSAGE,
    Allowance,
    BlockerKind,
    CellCase,
    CellState,
    Choice,
    Issue,
    MemberCase,
    SignerTitle,
    SummaryCell,
    allowance_allowed,
    allowance_problems,
    assess,
    binding_ratio,
    choice_problem,
    date_problem,
    name_problem,
    normalize_number,
    organization_summary,
    paper,
    payload_document,
    quota_of,
)
from review.rules import LEVELS, PROFILES, UNDECIDED, Level, QuotaPool, Rules
from review.text import CONTROL_MESSAGE, LINE_BREAK_MESSAGE

E, G, C, N = Level.EXCELLENT, Level.GOOD, Level.COMPLETED, Level.NOT_COMPLETED
HD21 = PROFILES["hd21-2019"]
HD43 = PROFILES["hd43-2025"]
ALLOWANCE = Allowance("7-QĐ/ĐU", date(2025, 11, 20))


def member(key: str, proposed: Level | None, choice: Choice | None = None, *, rated: bool = True) -> MemberCase:
    return MemberCase(key=key, name=f"Đảng viên {key}", rated=rated, proposed_level=proposed, choice=choice)


def cell(
    key: str,
    members: list[MemberCase],
    proposed: Level | None = G,
    *,
    state: CellState = CellState.SEALED,
    choice: Choice | None = None,
    not_reviewed: str | None = None,
) -> CellCase:
    return CellCase(
        key=key,
        name=f"Chi bộ {key}",
        state=state,
        members=tuple(members),
        proposed_level=proposed,
        has_cell_vote=proposed is not None,
        choice=choice,
        not_reviewed_reason=not_reviewed,
        meeting_id=int(key) if key.isdigit() else None,
    )


def members_of(prefix: str, levels: list[Level | None]) -> list[MemberCase]:
    return [member(f"{prefix}{i}", level) for i, level in enumerate(levels)]


def kinds(cells: list[CellCase], rules: Rules = HD21, allowance: Allowance | None = None) -> list[BlockerKind]:
    return [b.kind for b in assess(cells, rules, allowance).blockers]


# ---------------------------------------------------------------------------
# The binding quota across cells


def test_quota_is_counted_across_cells_not_per_cell() -> None:
    # The seed's case: one cell is over its own quota (2 excellent, 8 good: limit 1), the
    # organisation is within it (2 excellent, 15 good: limit 3).
    first = cell("1", members_of("a", [E, E] + [G] * 8), E)
    second = cell("2", members_of("b", [G] * 7 + [C]), G)
    assessment = assess([first, second], HD21, None)
    assert assessment.member_quota.as_dict() == {"pool": 15, "limit": 3, "excellent": 2, "exceeded": False}
    assert BlockerKind.MEMBER_QUOTA not in [b.kind for b in assessment.blockers]
    assert assessment.members[str(E)] == 2 and assessment.members[str(G)] == 15 and assessment.members[str(C)] == 1


def test_member_quota_good_only_against_good_or_above() -> None:
    cells = [cell("1", members_of("a", [E, E, E] + [G] * 12), G)]
    only = assess(cells, HD21, None)
    assert (only.member_quota.pool, only.member_quota.limit, only.member_quota.excellent) == (12, 2, 3)
    assert only.member_quota.exceeded and BlockerKind.MEMBER_QUOTA in [b.kind for b in only.blockers]
    above = assess(cells, replace(HD21, quota_pool=QuotaPool.GOOD_OR_ABOVE), None)
    assert (above.member_quota.pool, above.member_quota.limit) == (15, 3)
    assert not above.member_quota.exceeded and above.can_issue


def test_cell_quota_uses_the_same_pool_option() -> None:
    # Five cells: one excellent, four good. good_only: pool 4, limit 0 (exceeded); good_or_above:
    # pool 5, limit 1 (within).
    cells = [cell("1", members_of("a", [G]), E)] + [cell(str(i), members_of(f"c{i}", [G]), G) for i in range(2, 6)]
    only = assess(cells, HD21, None)
    assert only.cell_quota.as_dict() == {"pool": 4, "limit": 0, "excellent": 1, "exceeded": True}
    assert [b.kind for b in only.blockers] == [BlockerKind.CELL_QUOTA]
    above = assess(cells, replace(HD21, quota_pool=QuotaPool.GOOD_OR_ABOVE), None)
    assert above.cell_quota.as_dict() == {"pool": 5, "limit": 1, "excellent": 1, "exceeded": False}
    assert above.can_issue


def test_the_quota_counts_decided_levels_not_proposals() -> None:
    # The cell proposes three excellent of ten good; the committee lowers one: within.
    members = members_of("a", [E, E, E] + [G] * 10)
    over = assess([cell("1", members)], HD21, None)
    assert over.member_quota.exceeded
    members[0] = replace(members[0], choice=Choice(G, "Chưa có thành tích nổi bật"))
    within = assess([cell("1", members)], HD21, None)
    assert (within.member_quota.pool, within.member_quota.limit, within.member_quota.excellent) == (11, 2, 2)
    assert within.can_issue


def test_not_reviewed_and_unsealed_cells_are_not_counted() -> None:
    counted = cell("1", members_of("a", [G] * 5), G)
    set_aside = cell("2", members_of("b", [E, E]), E, not_reviewed="Sáp nhập giữa năm")
    new = cell("3", [], None, state=CellState.NO_MEETING, not_reviewed="Chi bộ mới thành lập")
    assessment = assess([counted, set_aside, new], HD21, None)
    assert assessment.member_quota.excellent == 0 and assessment.member_quota.pool == 5
    assert assessment.cells["not_reviewed"] == 2 and assessment.cells[str(G)] == 1
    assert assessment.cell_quota.excellent == 0
    assert assessment.can_issue


# ---------------------------------------------------------------------------
# The 1/4 allowance


def test_the_allowance_raises_the_ratio_only_for_hd43_2025() -> None:
    assert allowance_allowed(HD43) and not allowance_allowed(HD21)
    assert not allowance_allowed(PROFILES["hd25-2023"])
    assert binding_ratio(HD43, None) == Fraction(1, 5)
    assert binding_ratio(HD43, ALLOWANCE) == Fraction(1, 4)
    # An allowance recorded under a profile that has none changes nothing.
    assert binding_ratio(HD21, ALLOWANCE) == Fraction(1, 5)


def test_a_ward_override_of_one_quarter_alone_stays_at_one_fifth() -> None:
    overridden = replace(HD43, quota_ratio=Fraction(1, 4))
    assert binding_ratio(overridden, None) == Fraction(1, 5)
    assert binding_ratio(overridden, ALLOWANCE) == Fraction(1, 4)
    # A lower ward ratio is kept without an allowance.
    assert binding_ratio(replace(HD43, quota_ratio=Fraction(1, 10)), None) == Fraction(1, 10)


def test_the_allowance_lets_an_issuable_decision_through() -> None:
    cells = [cell("1", members_of("a", [E, E] + [G] * 8), G)]  # 2 excellent, pool 8
    assert kinds(cells, HD43) == [BlockerKind.MEMBER_QUOTA]  # 1/5 of 8: 1
    assert kinds(cells, HD43, ALLOWANCE) == []  # 1/4 of 8: 2
    assert assess(cells, HD43, ALLOWANCE).ratio == Fraction(1, 4)


def test_allowance_problems() -> None:
    today = date(2025, 12, 20)
    assert set(allowance_problems(HD21, ALLOWANCE.number, ALLOWANCE.day, today)) == {"allowance_number"}
    assert allowance_problems(HD43, "7-QĐ/ĐU", date(2025, 12, 1), today) == {}
    problems = allowance_problems(HD43, "7/QĐ", None, today)
    assert problems["allowance_number"] == NUMBER_MESSAGE and "allowance_date" in problems
    assert "tương lai" in allowance_problems(HD43, "7-QĐ/ĐU", date(2025, 12, 21), today)["allowance_date"]


# ---------------------------------------------------------------------------
# Floors at the boundaries


@pytest.mark.parametrize(
    ("good", "fifth", "quarter"),
    [(4, 0, 1), (5, 1, 1), (9, 1, 2), (10, 2, 2)],
)
def test_floors_at_the_boundaries(good: int, fifth: int, quarter: int) -> None:
    counts = {str(G): good}
    assert quota_of(counts, QuotaPool.GOOD_ONLY, Fraction(1, 5)).limit == fifth
    assert quota_of(counts, QuotaPool.GOOD_ONLY, Fraction(1, 4)).limit == quarter
    # The same through the whole assessment: the limit admits exactly that many excellent.
    for rules, allowance, limit in ((HD21, None, fifth), (HD43, ALLOWANCE, quarter)):
        at_limit = [cell("1", members_of("a", [E] * limit + [G] * good), G)]
        assert assess(at_limit, rules, allowance).member_quota.limit == limit
        assert assess(at_limit, rules, allowance).can_issue
        over = [cell("1", members_of("a", [E] * (limit + 1) + [G] * good), G)]
        assert kinds(over, rules, allowance) == [BlockerKind.MEMBER_QUOTA]


def test_good_or_above_pool_counts_the_excellent_too() -> None:
    quota = quota_of({str(E): 1, str(G): 4}, QuotaPool.GOOD_OR_ABOVE, Fraction(1, 5))
    assert (quota.pool, quota.limit, quota.excellent, quota.exceeded) == (5, 1, 1, False)
    quota = quota_of({str(E): 1, str(G): 4}, QuotaPool.GOOD_ONLY, Fraction(1, 5))
    assert (quota.pool, quota.limit, quota.excellent, quota.exceeded) == (4, 0, 1, True)


# ---------------------------------------------------------------------------
# Choices


def test_the_proposal_needs_no_reason() -> None:
    assert choice_problem(G, G, "") is None
    assert choice_problem(G, None, "") is None  # back to the proposal


def test_a_different_level_needs_a_written_reason() -> None:
    message = choice_problem(G, E, "")
    assert message is not None and "lý do" in message and "Hoàn thành tốt nhiệm vụ" in message
    assert choice_problem(G, E, "     ") == message
    assert choice_problem(G, E, " \t \n ") == message
    assert choice_problem(G, E, "Có sáng kiến được thành phố khen thưởng") is None
    assert choice_problem(G, C, "Vi phạm quy định về sinh hoạt") is None


def test_an_undecided_member_needs_a_level() -> None:
    message = choice_problem(None, None, "")
    assert message is not None and "chọn mức" in message
    assert choice_problem(None, G, "") is not None  # and a reason
    assert choice_problem(None, G, "Đảng ủy xem xét hồ sơ") is None


def test_a_reason_with_control_characters_or_too_long_is_refused() -> None:
    assert choice_problem(G, E, "Lý do\x00 hợp lệ") == CONTROL_MESSAGE
    assert choice_problem(G, E, "a" * 2001) is not None
    assert choice_problem(G, E, "Dòng một\nDòng hai") is None  # a reason may take lines


# ---------------------------------------------------------------------------
# The number, the date, the names


@pytest.mark.parametrize(
    ("raw", "printed"),
    [
        ("15-QĐ/ĐU", "15-QĐ/ĐU"),
        (" 15 - qđ/đu ", "15-QĐ/ĐU"),
        ("015-QĐ/ĐU", "015-QĐ/ĐU"),
        ("15-QĐ/ĐU\u00a0", "15-QĐ/ĐU"),
    ],
)
def test_numbers_accepted(raw: str, printed: str) -> None:
    assert normalize_number(raw) == printed


@pytest.mark.parametrize("raw", ["15/QĐ", "QĐ-15", "", "   ", None, "15-QD/DU", "15-QĐ/ĐU/X", "１５-QĐ/ĐU", "-QĐ/ĐU"])
def test_numbers_refused(raw: str | None) -> None:
    assert normalize_number(raw) is None


def test_a_number_typed_decomposed_is_stored_composed() -> None:
    # "qđ/đu" typed with a combining mark somewhere would not match; the letters themselves
    # compose: NFD of an accented "Ư" in a pasted text, say. The number is stored in NFC.
    decomposed = unicodedata.normalize("NFD", "15-QĐ/ĐU")
    assert normalize_number(decomposed) == "15-QĐ/ĐU"
    printed = normalize_number(unicodedata.normalize("NFD", " 15 - qđ/đu "))
    assert printed is not None and unicodedata.is_normalized("NFC", printed)
    # A letter with a combining stroke that NFC cannot compose is not the letter Đ.
    assert normalize_number("15-QD\u0335/D\u0335U") is None


def test_date_problem() -> None:
    today = date(2021, 1, 20)
    assert date_problem(None, None, today) is not None
    assert date_problem(date(2021, 1, 21), None, today) == "Ngày ban hành không thể ở tương lai."
    assert date_problem(today, None, today) is None
    message = date_problem(date(2020, 12, 14), date(2020, 12, 15), today)
    assert message is not None and "15/12/2020" in message
    assert date_problem(date(2020, 12, 15), date(2020, 12, 15), today) is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Nguyễn Văn An", None),
        ("  Nguyễn Văn An  ", None),
        ("Nguyễn\x07 Văn An", CONTROL_MESSAGE),
        ("Nguyễn\u2028Văn An", CONTROL_MESSAGE),
        ("Nguyễn\nVăn An", LINE_BREAK_MESSAGE),
        ("Nguyễn\r\nVăn An", LINE_BREAK_MESSAGE),
    ],
)
def test_name_problem(raw: str, expected: str | None) -> None:
    assert name_problem(raw) == expected


def test_empty_names_and_too_long_ones_are_refused() -> None:
    assert name_problem("") == "Nhập họ và tên người ký."
    assert name_problem("   ") == "Nhập họ và tên người ký."
    assert name_problem(None, "Địa danh") == "Nhập địa danh."
    message = name_problem("A" * 201)
    assert message is not None and "200" in message


# ---------------------------------------------------------------------------
# What blocks issuing


def test_an_unsealed_cell_blocks_and_a_not_reviewed_one_does_not() -> None:
    sealed = cell("1", members_of("a", [G] * 5), G)
    recording = cell("2", [], None, state=CellState.RECORDING)
    blockers = assess([sealed, recording], HD21, None).blockers
    assert [(b.kind, b.cell_key) for b in blockers] == [(BlockerKind.UNSEALED_CELL, "2")]
    assert "Chi bộ 2" in blockers[0].text
    accepted = replace(recording, not_reviewed_reason="Chi bộ mới thành lập tháng 11")
    assert assess([sealed, accepted], HD21, None).can_issue


def test_an_undecided_member_blocks_until_the_committee_gives_a_level() -> None:
    members = members_of("a", [G] * 5 + [None])
    blockers = assess([cell("1", members)], HD21, None).blockers
    assert [(b.kind, b.member_key) for b in blockers] == [(BlockerKind.UNDECIDED_MEMBER, "a5")]
    members[5] = replace(members[5], choice=Choice(G, "Đảng ủy xem xét"))
    assert assess([cell("1", members)], HD21, None).can_issue


def test_a_member_not_rated_is_listed_but_neither_counted_nor_blocking() -> None:
    members = [*members_of("a", [G] * 5), member("x", None, rated=False)]
    assessment = assess([cell("1", members)], HD21, None)
    assert assessment.can_issue and assessment.members["not_rated"] == 1 and assessment.members[UNDECIDED] == 0


def test_an_undecided_cell_blocks() -> None:
    undecided = cell("1", members_of("a", [G] * 5), None)
    assert kinds([undecided]) == [BlockerKind.UNDECIDED_CELL]
    assert kinds([replace(undecided, choice=Choice(G, "Đảng ủy xem xét"))]) == []


def test_every_blocker_is_named_at_once() -> None:
    cells = [
        cell("1", members_of("a", [E, E, None] + [G] * 4), None),
        cell("2", [], None, state=CellState.COUNTING),
    ]
    assert sorted(kinds(cells)) == sorted(
        [BlockerKind.UNSEALED_CELL, BlockerKind.UNDECIDED_MEMBER, BlockerKind.UNDECIDED_CELL, BlockerKind.MEMBER_QUOTA]
    )
    assert kinds([]) == [BlockerKind.NO_CELL]


# ---------------------------------------------------------------------------
# Properties

levels_or_none = st.one_of(st.none(), st.sampled_from(LEVELS))
rules_st = st.sampled_from(
    [
        HD21,
        replace(HD21, quota_pool=QuotaPool.GOOD_OR_ABOVE),
        PROFILES["hd25-2023"],
        HD43,
        replace(HD43, quota_ratio=Fraction(1, 4)),
        replace(HD43, quota_pool=QuotaPool.GOOD_OR_ABOVE),
    ]
)
allowance_st = st.one_of(st.none(), st.just(ALLOWANCE))
reasons = st.sampled_from(["", "   ", "Đảng ủy xem xét lại hồ sơ"])


@st.composite
def member_st(draw: st.DrawFn, key: str, with_choices: bool) -> MemberCase:
    rated = draw(st.booleans()) if draw(st.integers(0, 9)) == 0 else True
    proposed = draw(levels_or_none) if rated else None
    choice = None
    if with_choices and rated and draw(st.booleans()):
        choice = Choice(draw(levels_or_none), draw(reasons))
    return MemberCase(
        key=key,
        name=f"Đảng viên {key}",
        rated=rated,
        not_rated_reason=None if rated else "long_sick_leave",
        self_level=draw(levels_or_none),
        proposed_level=proposed,
        flags=("no_majority",) if rated and proposed is None else (),
        choice=choice,
    )


@st.composite
def cells_st(draw: st.DrawFn, with_choices: bool = True) -> list[CellCase]:
    count = draw(st.integers(1, 5))
    cells = []
    for index in range(count):
        state = draw(st.sampled_from([CellState.SEALED] * 4 + list(CellState)))
        sealed = state is CellState.SEALED
        members = [draw(member_st(f"{index}-{i}", with_choices)) for i in range(draw(st.integers(0, 12)))]
        proposed = draw(levels_or_none) if sealed else None
        choice = (
            Choice(draw(levels_or_none), draw(reasons)) if with_choices and sealed and draw(st.booleans()) else None
        )
        not_reviewed = "Chi bộ sáp nhập trong năm" if draw(st.integers(0, 5)) == 0 else None
        cells.append(
            CellCase(
                key=str(index + 1),
                name=f"Chi bộ số {index + 1}",
                state=state,
                members=tuple(members) if sealed else (),
                proposed_level=proposed,
                has_cell_vote=sealed,
                choice=choice,
                not_reviewed_reason=not_reviewed,
                meeting_id=index + 1 if state is not CellState.NO_MEETING else None,
            )
        )
    return cells


@settings(max_examples=200)
@given(cells_st(with_choices=False))
def test_decided_levels_equal_proposals_when_nothing_was_changed(cells: list[CellCase]) -> None:
    for c in cells:
        if c.in_decision:
            assert c.decided_level == c.proposed_level and not c.changed
            for m in c.members:
                assert m.decided_level == (m.proposed_level if m.rated else None) and not m.changed
        else:
            assert c.decided_level is None


@settings(max_examples=300)
@given(cells_st(), rules_st, allowance_st)
def test_an_issuable_decision_never_exceeds_the_quota(
    cells: list[CellCase], rules: Rules, allowance: Allowance | None
) -> None:
    assessment = assess(cells, rules, allowance)
    if assessment.can_issue:
        assert assessment.member_quota.excellent <= assessment.member_quota.limit
        assert assessment.cell_quota.excellent <= assessment.cell_quota.limit
        # And the counts are those of the decided levels.
        decided = [m.decided_level for c in cells if c.in_decision for m in c.members if m.rated]
        assert None not in decided
        assert assessment.member_quota.excellent == decided.count(E)
    # The binding ratio is never above 1/5 without an allowance of an hd43-2025 year.
    if allowance is None or not allowance_allowed(rules):
        assert assessment.ratio <= Fraction(1, 5)


@settings(max_examples=300)
@given(cells_st(), rules_st, allowance_st, st.data())
def test_lowering_an_excellent_choice_never_exceeds_the_quota(
    cells: list[CellCase], rules: Rules, allowance: Allowance | None, data: st.DataObject
) -> None:
    before = assess(cells, rules, allowance)
    excellent = [
        (ci, mi)
        for ci, c in enumerate(cells)
        if c.in_decision
        for mi, m in enumerate(c.members)
        if m.decided_level is E
    ]
    excellent_cells = [ci for ci, c in enumerate(cells) if c.decided_level is E]
    lower = data.draw(st.sampled_from([G, C, N]))
    if excellent:
        ci, mi = data.draw(st.sampled_from(excellent))
        members = list(cells[ci].members)
        members[mi] = replace(members[mi], choice=Choice(lower, "Đảng ủy hạ mức"))
        changed = list(cells)
        changed[ci] = replace(cells[ci], members=tuple(members))
        after = assess(changed, rules, allowance)
        if not before.member_quota.exceeded:
            assert not after.member_quota.exceeded
        assert after.member_quota.excellent == before.member_quota.excellent - 1
    if excellent_cells:
        ci = data.draw(st.sampled_from(excellent_cells))
        changed = list(cells)
        changed[ci] = replace(cells[ci], choice=Choice(lower, "Đảng ủy hạ mức"))
        after = assess(changed, rules, allowance)
        if not before.cell_quota.exceeded:
            assert not after.cell_quota.exceeded


@settings(max_examples=150)
@given(cells_st(), rules_st, allowance_st, st.booleans())
def test_payload_document_and_paper_round_trip(
    cells: list[CellCase], rules: Rules, allowance: Allowance | None, issued: bool
) -> None:
    header = Issue("15-QĐ/ĐU", date(2021, 1, 10), "Long Biên", "Nguyễn Văn An", SignerTitle.SECRETARY)
    document = payload_document(
        organization="Đảng bộ phường Thượng Thanh",
        superior="Quận Long Biên",
        year=2020,
        rules=rules,
        allowance=allowance,
        issue=header if issued else None,
        cells=cells,
    )
    document = json.loads(json.dumps(document, ensure_ascii=False))  # as the seal stores it
    printed = paper(document, draft=not issued, version=1 if issued else None)
    assert [c.name for c in printed.cells] == [c.name for c in cells]
    for case, sheet in zip(cells, printed.cells, strict=True):
        expected = case.members if case.in_decision else ()
        assert [m.name for m in sheet.members] == [m.name for m in expected]
        assert [m.level for m in sheet.members] == [
            str(m.decided_level) if m.decided_level is not None else None for m in expected
        ]
        assert [m.rated for m in sheet.members] == [m.rated for m in expected]
        assert sheet.level == (str(case.decided_level) if case.decided_level is not None else None)
        assert (sheet.not_reviewed_reason is None) == (not case.not_reviewed)
        for m, sheet_member in zip(expected, sheet.members, strict=True):
            if m.changed:
                assert m.choice is not None and sheet_member.reason == m.choice.reason
            else:
                assert sheet_member.reason == ""
    assessment = assess(cells, rules, allowance)
    assert printed.members == assessment.members and printed.cell_levels == assessment.cells
    assert printed.rated_count == sum(1 for c in cells if c.in_decision for m in c.members if m.rated)
    if issued:
        assert (printed.number, printed.day, printed.signer, printed.title) == (
            header.number,
            header.day,
            header.signer_name,
            header.signer_title,
        )
    assert printed.allowance == allowance


# ---------------------------------------------------------------------------
# The summary (SPEC 11)


def test_organization_summary_sorts_by_code_point_and_counts_sealed_cells_only() -> None:
    proposed = {"excellent": 2, "good": 8, "completed": 0, "not_completed": 0, "not_rated": 1, "undecided": 0}
    cells = [
        SummaryCell("Chi bộ Tổ dân phố số 3", CellState.SEALED, dict(proposed, excellent=0, good=7), "good"),
        SummaryCell("Chi bộ Khu dân cư", CellState.RECORDING),
        SummaryCell("Chi bộ Trường Mầm non", CellState.SEALED, proposed, "excellent"),
        SummaryCell("Chi bộ Ấp Mới", CellState.NO_MEETING),
    ]
    document = organization_summary("Đảng bộ phường Thượng Thanh", 2020, cells, HD21)
    assert [row["cell"] for row in document["cells"]] == sorted(c.name for c in cells)
    assert document["cells"][-1]["cell"] == "Chi bộ Ấp Mới"  # "Ấ" after "T" in code point order
    assert document["cells"][0] == {"cell": "Chi bộ Khu dân cư", "state": "recording"}
    assert document["totals"] == {
        "excellent": 2,
        "good": 15,
        "completed": 0,
        "not_completed": 0,
        "not_rated": 2,
        "undecided": 0,
    }
    assert document["quota"] == {"pool": 15, "limit": 3, "excellent": 2, "exceeded": False}
    assert "decided" not in document and "decision" not in document
    decided = organization_summary(
        "Đảng bộ", 2020, cells, HD21, decided={"excellent": 1, "good": 16}, decision={"number": "15-QĐ/ĐU"}
    )
    assert decided["decided"]["good"] == 16 and decided["decided"]["undecided"] == 0
    assert decided["decision"] == {"number": "15-QĐ/ĐU"}


# ---------------------------------------------------------------------------
# A choice against an older proposal, a missing reason, what the decision rests on


def test_a_stale_choice_blocks_the_issue_until_saved_again():
    stale = member("1", G, Choice(C, "Đảng ủy xét lại cả năm", stale=True))
    blockers = assess([cell("1", [stale])], HD21, None).blockers
    assert [b.kind for b in blockers] == [BlockerKind.STALE_CHOICE] and blockers[0].member_key == "1"
    fresh = member("1", G, Choice(C, "Đảng ủy xét lại cả năm"))
    assert assess([cell("1", [fresh])], HD21, None).can_issue
    stale_cell = cell("1", members_of("m", [G]), G, choice=Choice(C, "Chi bộ còn hạn chế", stale=True))
    assert [b.kind for b in assess([stale_cell], HD21, None).blockers] == [BlockerKind.STALE_CHOICE]


def test_a_changed_level_without_a_reason_blocks_the_issue():
    # The page never stores one; a row written otherwise (or an old one) is caught before issuing.
    unreasoned = member("1", G, Choice(C, "  "))
    assert [b.kind for b in assess([cell("1", [unreasoned])], HD21, None).blockers] == [BlockerKind.MISSING_REASON]


def test_zero_is_no_decision_number():
    assert normalize_number("0-QĐ/ĐU") is None and normalize_number("000-QĐ/ĐU") is None
    assert normalize_number("05-QĐ/ĐU") == "05-QĐ/ĐU"


def test_the_payload_names_only_the_seals_the_decision_rests_on():
    decided = cell("1", members_of("a", [G, G]))
    set_aside = cell("2", [], None, state=CellState.RECORDING, not_reviewed="Chi bộ mới thành lập")
    document = payload_document(
        organization="Đảng bộ phường Thượng Thanh",
        superior="",
        year=2020,
        rules=HD21,
        allowance=None,
        issue=None,
        cells=[decided, set_aside],
    )
    by_id = {c["id"]: c for c in document["cells"]}
    assert by_id["1"]["meeting_id"] == 1 and by_id["2"]["meeting_id"] is None and by_id["2"]["level"] is None


def test_the_basis_changes_with_any_cells_seal_or_record():
    from review.decision_rules import basis_token

    cells = [cell("1", members_of("a", [G])), cell("2", [], None, state=CellState.COUNTING)]
    token = basis_token(cells)
    assert basis_token(list(reversed(cells))) == token  # the order of the page does not matter
    resealed = [replace(cells[0], seal_version=2), cells[1]]
    sealed = [cells[0], replace(cells[1], state=CellState.SEALED, seal_version=1)]
    recorded = [cells[0], replace(cells[1], not_reviewed_reason="Giải thể")]
    added = [*cells, cell("3", [], None, state=CellState.NO_MEETING)]
    assert len({token, *(basis_token(c) for c in (resealed, sealed, recorded, added))}) == 5
