"""The history page's presenter on plain data: steps, people by name, fields in Vietnamese, the seal."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from review.audit import SEAL_CONTEXT as AUDIT_SEAL_CONTEXT
from review.history.forms import parse_day
from review.history.presenters import (
    SEAL_CONTEXT,
    STEPS,
    UNKNOWN,
    Entry,
    Name,
    approvers_of,
    cards,
    changes_of,
    directory_of,
    people_in_log,
    person_of,
    step_of,
    who_of,
)

AT = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)
_ids = iter(range(1, 10_000))


def entry(table: str, action: str = "insert", row_id: int | None = 1, after=None, before=None, **kw) -> Entry:  # type: ignore[no-untyped-def]
    return Entry(
        id=kw.pop("id", next(_ids)),
        at=AT,
        actor_id=kw.pop("actor_id", None),
        actor=kw.pop("actor", "cli"),
        table=table,
        action=action,
        row_id=row_id,
        before=before or {},
        after=after or {},
        hash="ab" * 32,
        **kw,
    )


# The meeting's naming trail: two participants (members 7 and 8), a guest, their reviews, a tally.
NAMING = [
    entry("participant", row_id=11, after={"id": 11, "member_id": 7, "name": "Nguyễn Văn An", "roll_order": 1}, id=1),
    entry("participant", row_id=12, after={"id": 12, "member_id": 8, "name": "Trần Thị Bình", "roll_order": 2}, id=2),
    entry("guest", row_id=3, after={"id": 3, "name": "Lê Văn Khách", "title": "Đại diện Đảng ủy"}, id=3),
    entry("individual_review", row_id=21, after={"id": 21, "participant_id": 11}, id=4),
    entry("collective_review", row_id=31, after={"id": 31, "subject": "cell"}, id=5),
    entry("feedback", row_id=41, after={"id": 41, "individual_review_id": 21, "speaker_id": 8, "text": "Tốt"}, id=6),
    entry("feedback", row_id=42, after={"id": 42, "collective_review_id": 31, "guest_id": 3, "text": "Cần"}, id=7),
    entry("tally", row_id=51, after={"id": 51, "entry": "first", "user_id": 100}, id=8),
    entry("tally_row", row_id=61, after={"id": 61, "tally_id": 51, "participant_id": 11, "good": 2}, id=9),
    entry("tally_row", row_id=62, after={"id": 62, "tally_id": 51, "participant_id": None, "good": 1}, id=10),
    entry("ballot_counter", row_id=71, after={"id": 71, "member_id": 8}, id=11),
    entry("seal_approval", row_id=81, after={"role": "chief", "user_id": 100}, id=12),
    entry("seal_approval", row_id=82, after={"role": "secretary", "user_id": 101}, id=13),
]
# Account 100 is linked to member 8 (named as the meeting names her); 101 is not linked to a member.
ACCOUNTS = {100: ("Tên tài khoản", 8), 101: ("Phạm Bí Thư", None)}


@pytest.fixture
def directory():  # type: ignore[no-untyped-def]
    return directory_of(NAMING, ACCOUNTS)


def test_the_directory_names_rows_and_accounts_from_the_trail(directory):  # type: ignore[no-untyped-def]
    assert directory.participants == {11: "Nguyễn Văn An", 12: "Trần Thị Bình"}
    assert directory.members == {7: "Nguyễn Văn An", 8: "Trần Thị Bình"}
    assert directory.guests == {3: "Lê Văn Khách"}
    assert directory.reviews == {21: 11} and directory.collective == {31: "cell"}
    assert directory.feedback == {41: ("individual", 21), 42: ("collective", 31)}
    assert directory.tallies == {51: "first"} and directory.tally_rows == {61: 11, 62: None}
    assert directory.row_tallies == {61: 51, 62: 51}
    # One person, one name: the linked account is named by the member as at the meeting.
    assert directory.accounts == {100: "Trần Thị Bình", 101: "Phạm Bí Thư"}


def test_a_renamed_participant_is_named_by_the_latest_name():
    renamed = [*NAMING, entry("participant", "update", row_id=11, after={"name": "Nguyễn Văn Ân"}, id=99)]
    found = directory_of(renamed, {})
    assert found.participants[11] == "Nguyễn Văn Ân" and found.participant_members[11] == 7


@pytest.mark.parametrize(
    ("table", "action", "row_id", "after", "context", "step"),
    [
        ("participant", "update", 11, {"attendance": "absent"}, None, "roll_call"),
        ("guest", "insert", 3, {"name": "X"}, None, "roll_call"),
        ("meeting", "update", 1, {"roll_called_at": "2026-12-02T08:00:00"}, None, "roll_call"),
        ("collective_review", "update", 31, {"report": "r"}, None, "collective"),
        ("feedback", "update", 42, {"text": "t"}, None, "collective"),
        ("individual_review", "update", 21, {"summary": "s"}, None, "individual"),
        ("feedback", "update", 41, {"text": "t"}, None, "individual"),
        ("tally_row", "update", 61, {"good": 3}, None, "tally"),
        ("tally", "insert", 51, {"entry": "first"}, None, "tally"),
        ("ballot_counter", "insert", 71, {"member_id": 8}, None, "tally"),
        ("counter_code", "insert", 5, {"member_id": 8}, None, "tally"),
        ("seal_approval", "insert", 81, {"role": "chief"}, None, "seal"),
        ("seal", "insert", 1, {"version": 1}, None, "seal"),
        ("tally_row", "insert", 63, {"good": 3}, SEAL_CONTEXT, "seal"),
        ("tally", "insert", 52, {"entry": "final"}, SEAL_CONTEXT, "seal"),
        ("meeting", "update", 1, {"minutes_approved_by": 9}, None, "closing"),
        ("meeting", "update", 1, {"ends_at": "2026-12-02T11:00:00"}, None, "closing"),
        ("meeting", "update", 1, {"location": "Hội trường"}, None, "other"),
        ("meeting", "insert", 1, {"ends_at": None, "location": "Hội trường"}, None, "other"),
        ("user_account", "insert", 100, {"username": "u"}, None, "other"),
    ],
)
def test_every_entry_has_its_step(directory, table, action, row_id, after, context, step):  # type: ignore[no-untyped-def]
    assert step_of(entry(table, action, row_id, after, context=context), directory) == step
    assert step in STEPS


def test_the_audit_and_the_presenter_share_the_seal_context():
    assert SEAL_CONTEXT == AUDIT_SEAL_CONTEXT


@pytest.mark.parametrize(
    ("table", "row_id", "after", "person"),
    [
        ("participant", 11, {"attendance": "absent"}, "Nguyễn Văn An"),
        ("guest", 3, {"title": "t"}, "Khách mời Lê Văn Khách"),
        ("individual_review", 21, {"summary": "s"}, "Nguyễn Văn An"),
        ("feedback", 41, {"text": "t"}, "Nguyễn Văn An"),  # a feedback on An's review, whoever spoke
        ("feedback", 42, {"text": "t"}, "Tập thể chi bộ"),
        ("collective_review", 31, {"report": "r"}, "Tập thể chi bộ"),
        ("tally_row", 61, {"good": 4}, "Phiếu của đồng chí Nguyễn Văn An"),
        ("tally_row", 62, {"good": 4}, "Dòng chi bộ"),
        ("tally", 51, {"issued": 9}, "Bản nhập thứ nhất"),
        ("ballot_counter", 71, {"position": 1}, "Trần Thị Bình"),
        ("seal_approval", 82, {"role": "secretary", "user_id": 101}, "Bí thư chi bộ Phạm Bí Thư"),
        ("meeting", 1, {"location": "x"}, "Hội nghị"),
        ("user_account", 101, {"active": False}, "Phạm Bí Thư"),
        ("participant", 999, {"attendance": "absent"}, UNKNOWN),
        ("tally_row", 999, {"good": 1}, UNKNOWN),
    ],
)
def test_every_entry_is_about_someone_by_name(directory, table, row_id, after, person):  # type: ignore[no-untyped-def]
    assert str(person_of(entry(table, "update", row_id, after), directory)) == person


def test_fields_are_named_in_vietnamese_and_ids_become_names(directory):  # type: ignore[no-untyped-def]
    feedback = entry("feedback", "insert", 43, {"id": 43, "individual_review_id": 21, "speaker_id": 8, "position": 2})
    assert [(c.column, c.after) for c in changes_of(feedback, directory)] == [
        ("Bản tự kiểm điểm của", "Nguyễn Văn An"),
        ("Người góp ý", "Trần Thị Bình"),
        ("Thứ tự", "2"),
    ]
    guest_speaks = entry("feedback", "insert", 44, {"collective_review_id": 31, "guest_id": 3})
    assert [(c.column, c.after) for c in changes_of(guest_speaks, directory)] == [
        ("Kiểm điểm tập thể", "Tập thể chi bộ"),
        ("Khách mời góp ý", "Lê Văn Khách"),
    ]
    roll = entry(
        "participant",
        "update",
        11,
        before={"attendance": "present", "position": "member", "exempt": False, "version": 1},
        after={"attendance": "absent_excused", "position": "committee", "exempt": True, "version": 2},
    )
    assert [(c.column, c.before, c.after) for c in changes_of(roll, directory)] == [
        ("Kiểm diện", "Có mặt", "Vắng có lý do"),
        ("Chức vụ", "Đảng viên", "Chi ủy viên"),
        ("Miễn sinh hoạt", "không", "có"),
    ]
    tally = entry("tally", "insert", 52, {"id": 52, "meeting_id": 1, "entry": "final", "user_id": 101, "issued": 9})
    assert [(c.column, c.after) for c in changes_of(tally, directory)] == [
        ("Bản nhập", "Bản kiểm phiếu cuối cùng"),
        ("Tài khoản", "Phạm Bí Thư"),
        ("Phát ra", "9"),
    ]
    # A tally row's own tally and participant are said by its group and its line, not again.
    row = entry("tally_row", "insert", 64, {"tally_id": 51, "participant_id": 12, "good": 2, "blank": 0})
    assert [(c.column, c.after) for c in changes_of(row, directory)] == [
        ("Hoàn thành tốt nhiệm vụ", "2"),
        ("Bỏ trống, hỏng", "0"),
    ]
    unknown = entry("feedback", "update", 41, before={"speaker_id": 555}, after={"speaker_id": None})
    assert [(c.before, c.after) for c in changes_of(unknown, directory)] == [(UNKNOWN, "—")]


def test_a_long_text_is_cut_on_the_page(directory):  # type: ignore[no-untyped-def]
    (change,) = changes_of(entry("individual_review", "update", 21, {"summary": "á" * 400}), directory)
    assert change.after == "á" * 300 + "…"


def test_the_writer_is_named_by_person_and_the_sealing_by_the_seal(directory):  # type: ignore[no-untyped-def]
    assert str(who_of(entry("tally_row", "update", 61, actor_id=100, actor="truongban"), directory)) == "Trần Thị Bình"
    assert str(who_of(entry("meeting", "update", 1, actor_id=None, actor="cli"), directory)) == "Dòng lệnh"
    assert str(who_of(entry("meeting", "update", 1, actor_id=555, actor="gone"), directory)) == "(tài khoản đã xóa)"
    # Written at sealing, after both approvals: the seal, with who approved, not the last clicker.
    sealed = entry("tally_row", "insert", 65, {"good": 1}, actor_id=101, actor="bithu", context=SEAL_CONTEXT, id=500)
    assert str(who_of(sealed, directory)) == "Niêm phong"
    assert [(a.words, a.name) for a in approvers_of(sealed, directory)] == [
        ("Trưởng ban kiểm phiếu", "Trần Thị Bình"),
        ("Bí thư chi bộ", "Phạm Bí Thư"),
    ]
    assert approvers_of(entry("tally_row", "update", 61, actor_id=100), directory) == []
    # Only the approvals before the entry count (a reopened and sealed again meeting).
    early = entry("tally_row", "insert", 66, {"good": 1}, actor_id=101, context=SEAL_CONTEXT, id=13)
    assert [str(a) for a in approvers_of(early, directory)] == ["Trưởng ban kiểm phiếu Trần Thị Bình"]


def test_cards_follow_the_meeting_order_and_group_by_person(directory):  # type: ignore[no-untyped-def]
    page = [
        entry("participant", "update", 11, {"attendance": "absent"}, id=200),
        entry("tally_row", "update", 61, {"good": 3}, actor_id=100, id=201),
        entry("tally_row", "update", 62, {"good": 2}, actor_id=100, id=202),
        entry("tally_row", "update", 61, {"good": 4}, actor_id=100, id=203),
        entry("individual_review", "update", 21, {"summary": "s"}, id=204),
        entry("tally", "insert", 52, {"entry": "final"}, actor_id=101, context=SEAL_CONTEXT, id=205),
        entry("seal", "insert", 9, {"version": 1}, actor_id=101, context=SEAL_CONTEXT, id=206),
        entry("meeting", "update", 1, {"minutes_approved_by": 9}, id=207),
    ]
    shown = cards(page, directory)
    assert [c.step for c in shown] == ["roll_call", "individual", "tally", "seal", "closing"]
    assert [c.title for c in shown] == [STEPS[c.step] for c in shown]
    tally = shown[2]
    # Groups by person in the order of their newest entry, lines newest first.
    assert [g.person for g in tally.groups] == [Name("Phiếu của đồng chí", "Nguyễn Văn An"), Name("Dòng chi bộ")]
    assert [line.id for line in tally.groups[0].lines] == [203, 201]
    assert tally.groups[0].lines[0].what == "Dòng kiểm phiếu (bản nhập thứ nhất): sửa"
    assert tally.groups[0].lines[0].who == Name(name="Trần Thị Bình")  # the name alone, for its <bdi>
    seal = shown[3]
    assert [g.person for g in seal.groups] == [Name("Niêm phong")] and all(line.sealed for line in seal.groups[0].lines)
    assert [str(a) for a in seal.approvers] == ["Trưởng ban kiểm phiếu Trần Thị Bình", "Bí thư chi bộ Phạm Bí Thư"]
    assert all(line.approvers == seal.approvers for line in seal.groups[0].lines)
    assert not any(line.sealed for c in shown if c.step != "seal" for g in c.groups for line in g.lines)
    # Nothing shown carries an internal id.
    words = [c.title for c in shown] + [str(g.person) for c in shown for g in c.groups]
    words += [line.what for c in shown for g in c.groups for line in g.lines]
    assert not any("#" in w or "(mã)" in w for w in words)


def test_no_entries_no_cards(directory):  # type: ignore[no-untyped-def]
    assert cards([], directory) == []


def test_the_who_choices_are_the_writers_of_the_log_by_name(directory):  # type: ignore[no-untyped-def]
    choices = people_in_log(
        [(101, "bithu"), (100, "truongban"), (None, "cli"), (100, "truongban"), (7, "x")], directory
    )
    assert choices == [
        ("7", "(tài khoản đã xóa)"),
        ("cli", "Dòng lệnh"),
        ("101", "Phạm Bí Thư"),
        ("100", "Trần Thị Bình"),
    ]


@pytest.mark.parametrize(
    ("typed", "day"),
    [("2026-12-02", (2026, 12, 2)), ("02/12/2026", (2026, 12, 2)), (" 2/1/2026 ", (2026, 1, 2))],
)
def test_a_day_is_read_as_typed(typed, day):  # type: ignore[no-untyped-def]
    found = parse_day(typed)
    assert found is not None and (found.year, found.month, found.day) == day


@pytest.mark.parametrize("typed", ["31/02/2026", "2026-13-01", "hôm qua", "12/2026", "2026-12-02T08:00", ""])
def test_a_bad_day_is_none(typed):  # type: ignore[no-untyped-def]
    assert parse_day(typed) is None
