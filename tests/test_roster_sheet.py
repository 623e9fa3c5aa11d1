"""The roster spreadsheet's core (SPEC 10): header, columns, rows, rules, the import plan, the export read back."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from review import roster_files
from review.roster_sheet import (
    Existing,
    MemberData,
    Problem,
    Unreadable,
    column_letter,
    export_rows,
    header_key,
    member_problems,
    parse_date,
    plan_import,
    read_sheet,
    sheet_of,
)
from review.rules import Position, Standing

TODAY = date(2026, 12, 2)
EXAMPLES = Path("/work/shared/examples")
SEED = Path(__file__).resolve().parents[1] / "review" / "data" / "thuong-thanh-2020.json"
HEADER = ["STT", "Họ và tên", "Ngày sinh", "Ngày vào Đảng", "Ngày chính thức", "Chức vụ", "Số thẻ đảng viên", "Ghi chú"]


def row(name="Nguyễn Văn An", born="", admitted="19/05/2008", official="19/05/2009", position="", card="", note=""):  # type: ignore[no-untyped-def]
    return ["1", name, born, admitted, official, position, card, note]


def read(*rows, header=HEADER, above=()):  # type: ignore[no-untyped-def]
    return read_sheet(sheet_of([*above, header, *rows]), TODAY)


def messages(reading) -> list[str]:  # type: ignore[no-untyped-def]
    return [str(p) for p in reading.all_problems()]


# ---------------------------------------------------------------------------
# Header and columns


@pytest.mark.parametrize(
    "text", ["Họ và tên", "HỌ VÀ TÊN", "Ho va ten", "Họ và tên:", "  họ   và  TÊN . ", "Họ và tên*"]
)
def test_the_header_matches_whatever_case_diacritics_spacing_or_trailing_punctuation(text: str) -> None:
    reading = read(["1", "Nguyễn Văn An", "19/05/2008", ""], header=["STT", text, "NGAY VAO DANG", "Ngày chính thức:"])
    assert reading.ok, messages(reading)
    assert reading.rows[0].member.name == "Nguyễn Văn An"
    assert reading.headers["name"] == text.strip() or reading.headers["name"] == " ".join(text.split())


def test_rows_above_the_header_and_empty_rows_are_skipped() -> None:
    above = (["ĐẢNG BỘ PHƯỜNG THƯỢNG THANH"], [], ["DANH SÁCH ĐẢNG VIÊN"], ["", None, " "])
    reading = read(row(), [None, "", " "], ["2", "", "", "", "", "", "", ""], row(name="Lê Thị Bình"), above=above)
    assert reading.ok, messages(reading)
    assert [r.row for r in reading.rows] == [6, 9]  # the STT-only row counts as empty


def test_columns_in_any_order_and_aliases() -> None:
    header = ["Số thẻ", "Chức vụ đảng", "Ngày vào Đảng", "Họ và tên", "Ghi chú", "Ngày sinh"]
    reading = read(["0012", "Cấp ủy viên", "2008-05-19", "Trần Văn Bình", "chuyển đến", "1/2/1980"], header=header)
    member = reading.rows[0].member
    assert member == MemberData(
        name="Trần Văn Bình",
        admitted_on=date(2008, 5, 19),
        official_on=None,
        position=Position.COMMITTEE,
        card_number="0012",
        born_on=date(1980, 2, 1),
        note="chuyển đến",
        standing=Standing.PROBATIONARY,
    )
    # ...and a probationary member holds no committee seat
    assert [str(p) for p in plan_import(reading, []).all_problems()] == [
        "dòng 2, cột Chức vụ đảng: Đảng viên dự bị không giữ chức vụ Chi ủy viên."
    ]


def test_other_columns_are_ignored_and_named_in_a_notice() -> None:
    reading = read(
        ["Nguyễn Văn An", "19/05/2008", "Tổ 3", "x"], header=["Họ và tên", "Ngày vào Đảng", "Tổ", "Quê quán"]
    )
    assert reading.ok
    assert reading.notices == ("Các cột không dùng đến, bỏ qua: “Tổ” (cột C), “Quê quán” (cột D).",)


def test_no_header_or_no_admission_column_or_a_column_twice_is_refused() -> None:
    assert messages(read_sheet(sheet_of([["Tên", "Ngày"], ["A", "1/1/2000"]]), TODAY)) == [
        "Không tìm thấy dòng tiêu đề: cần một dòng có ô “Họ và tên” (và ô “Ngày vào Đảng”) phía trên danh sách."
    ]
    assert messages(read(["A"], header=["Họ và tên"])) == ["dòng 1: Thiếu cột “Ngày vào Đảng”."]
    twice = read(["A", "1/1/2000", "B"], header=["Họ và tên", "Ngày vào Đảng", "HỌ VÀ TÊN"])
    assert messages(twice) == ["dòng 1: Có hai cột “Họ và tên” (cột A và cột C): giữ một cột."]


def test_column_letters() -> None:
    assert [column_letter(i) for i in (0, 1, 25, 26, 27, 51, 52, 701, 702)] == [
        "A",
        "B",
        "Z",
        "AA",
        "AB",
        "AZ",
        "BA",
        "ZZ",
        "AAA",
    ]


def test_header_key() -> None:
    assert header_key("  Số thẻ  Đảng viên: ") == "so the dang vien"


# ---------------------------------------------------------------------------
# Values


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("19/05/2008", date(2008, 5, 19)),
        ("9/5/2008", date(2008, 5, 9)),
        ("19-05-2008", date(2008, 5, 19)),
        ("19.05.2008", date(2008, 5, 19)),
        ("2008-05-19", date(2008, 5, 19)),
        (" 2008-5-9 ", date(2008, 5, 9)),
        (datetime(2008, 5, 19), date(2008, 5, 19)),
        (date(2008, 5, 19), date(2008, 5, 19)),
    ],
)
def test_dates_of_each_form(value, expected) -> None:  # type: ignore[no-untyped-def]
    assert parse_date(value) == expected


@pytest.mark.parametrize("value", ["19/05/08", "19/5-2008", "31/02/2008", "2008/05/19", "tháng 5", 39587, 1.5])
def test_unreadable_dates(value) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError):
        parse_date(value)


def test_card_numbers_are_kept_as_text_with_their_leading_zeros() -> None:
    reading = read(row(card="00079137"), row(name="B", card=" 000001 "))
    assert [r.member.card_number for r in reading.rows] == ["00079137", "000001"]


def test_a_card_number_typed_as_a_number_is_refused_not_guessed() -> None:
    reading = read(row(card=79137))  # type: ignore[arg-type]
    (message,) = messages(reading)
    assert message.startswith("dòng 2, cột Số thẻ đảng viên: Số thẻ được ghi dạng số (79137)")


def test_text_is_stored_in_nfc() -> None:
    reading = read(row(name="Nguye\u0302\u0303n Văn An", note="ghi chu\u0301"))
    assert reading.rows[0].member.name == "Nguyễn Văn An" and reading.rows[0].member.note == "ghi chú"


def test_positions() -> None:
    names = ["Bí thư", "PHÓ BÍ THƯ", "chi uy vien", "Đảng viên", ""]
    rows = [row(name=f"N{i}", position=p, card=str(i)) for i, p in enumerate(names)]
    reading = read(*rows)
    assert [r.member.position for r in reading.rows] == [
        Position.SECRETARY,
        Position.DEPUTY_SECRETARY,
        Position.COMMITTEE,
        Position.MEMBER,
        Position.MEMBER,
    ]


def test_standing_follows_the_official_date() -> None:
    reading = read(row(official=""), row(name="B"))
    assert [r.member.standing for r in reading.rows] == [Standing.PROBATIONARY, Standing.OFFICIAL]


# ---------------------------------------------------------------------------
# Every refusal, with the row and the column as written


def test_every_refusal_names_the_row_and_the_column_as_written() -> None:
    header = ["STT", "HỌ VÀ TÊN", "Ngày sinh", "Ngày vào Đảng:", "Ngày chính thức", "Chức vụ", "Số thẻ", "Ghi chú"]
    reading = read(
        row(name="", card="1"),  # 2: no name
        row(name="B", admitted="", card="2"),  # 3: no admission date
        row(name="C", admitted="32/01/2008", card="3"),  # 4: unreadable
        row(name="D", admitted="01/01/2027", official="", card="4"),  # 5: in the future
        row(name="E", admitted="01/01/2010", official="01/01/2009", card="5"),  # 6: official before admission
        row(name="F", position="Trưởng ban", card="6"),  # 7: unknown position
        row(name="G", position="Bí thư", card="7"),  # 8
        row(name="H", position="Bí thư", card="8"),  # 9: a second secretary
        row(name="I", position="Chi ủy viên", official="", card="9"),  # 10: probationary in the committee
        row(name="J", card="7"),  # 11: the same card twice
        header=header,
    )
    plan = plan_import(reading, [])
    assert not plan.ok
    assert [str(p) for p in plan.all_problems()] == [
        "dòng 2, cột HỌ VÀ TÊN: Thiếu họ và tên.",
        "dòng 3, cột Ngày vào Đảng:: Thiếu ngày vào Đảng.",
        "dòng 4, cột Ngày vào Đảng:: Ngày “32/01/2008” không có trên lịch.",
        "dòng 5, cột Ngày vào Đảng:: Ngày vào Đảng (01/01/2027) là một ngày trong tương lai.",
        "dòng 6, cột Ngày chính thức: Ngày chính thức (01/01/2009) trước ngày vào Đảng (01/01/2010).",
        "dòng 7, cột Chức vụ: Chức vụ “Trưởng ban” không rõ: ghi Bí thư, Phó Bí thư, Chi ủy viên (hoặc Cấp ủy viên), "
        "Đảng viên hoặc để trống.",
        "dòng 9, cột Chức vụ: Chi bộ chỉ có một Bí thư: dòng 8 đã là Bí thư (đồng chí G).",
        "dòng 10, cột Chức vụ: Đảng viên dự bị không giữ chức vụ Chi ủy viên.",
        "dòng 11, cột Số thẻ: Số thẻ 7 đã có ở dòng 8.",
    ]
    assert plan.problems_of(9) and not plan.problems_of(8)


def test_a_formula_without_a_value_or_a_merged_cell_is_refused_at_its_row_and_column() -> None:
    reading = read(
        ["1", "A", "", Unreadable("Ô D2 là công thức chưa có giá trị."), "", "", "", ""],
        ["2", Unreadable("Ô nằm trong vùng ô gộp B3:C3.", value="B"), Unreadable("gộp"), "01/01/2000", "", "", "", ""],
    )
    assert messages(reading) == [
        "dòng 2, cột Ngày vào Đảng: Ô D2 là công thức chưa có giá trị.",
        "dòng 3, cột Họ và tên: Ô nằm trong vùng ô gộp B3:C3.",
        "dòng 3, cột Ngày sinh: gộp",
    ]


def test_control_characters_and_line_breaks_are_refused() -> None:
    reading = read(row(name="A\x00B"), row(name="A\nB"), row(name="C", note="một\ndòng nữa"))
    assert [p.row for p in reading.all_problems()] == [2, 3]
    assert reading.rows[2].member.note == "một\ndòng nữa"


def test_more_than_2000_rows_are_refused() -> None:
    reading = read(*[row(name=f"N{i}") for i in range(2001)])
    assert messages(reading) == ["Tệp có 2001 dòng đảng viên, tối đa 2000 dòng."]
    assert read(*[row(name=f"N{i}") for i in range(2000)]).ok


def test_member_rules_the_form_shares() -> None:
    found = member_problems(
        admitted_on=date(2010, 1, 1),
        official_on=date(2011, 1, 1),
        born_on=date(2027, 1, 1),
        standing="probationary",
        position="secretary",
        today=TODAY,
    )
    assert [key for key, _ in found] == ["born_on", "born_on", "official_on", "position"]


def test_problem_text() -> None:
    assert str(Problem("x", 7, "Ngày vào Đảng")) == "dòng 7, cột Ngày vào Đảng: x"
    assert str(Problem("x", 7)) == "dòng 7: x"
    assert str(Problem("x")) == "x"


# ---------------------------------------------------------------------------
# The plan against the roster


def existing(i: int, name: str, **values) -> Existing:  # type: ignore[no-untyped-def]
    data = {"admitted_on": date(2008, 5, 19), "official_on": date(2009, 5, 19), "standing": Standing.OFFICIAL}
    data.update(values)
    return Existing(id=i, data=MemberData(name=name, **data))


def test_rows_match_by_card_number_else_by_name_and_admission_date() -> None:
    roster = [
        existing(1, "Nguyễn Văn An", card_number="001"),
        existing(2, "Lê Thị Bình"),
        existing(3, "Trần Văn Cường", card_number="003"),
        existing(4, "Phạm Thị Dung"),
    ]
    reading = read(
        row(name="Nguyễn Văn Ân", card="001"),  # the card decides: renamed
        row(name="lê thị  bình", card="002"),  # name and date: the card added
        row(name="Trần Văn Cường", card="999"),  # both have a card and they differ: a new member
        row(name="Hoàng Văn Em"),
    )
    plan = plan_import(reading, roster)
    assert plan.ok, plan.all_problems()
    assert [(p.existing_id, p.status) for p in plan.planned] == [
        (1, "changed"),
        (2, "changed"),
        (None, "new"),
        (None, "new"),
    ]
    assert plan.planned[0].changes == (("Họ và tên", "Nguyễn Văn An", "Nguyễn Văn Ân"),)
    assert plan.planned[1].changes == (("Họ và tên", "Lê Thị Bình", "lê thị  bình"), ("Số thẻ đảng viên", "—", "002"))
    assert [e.id for e in plan.missing] == [3, 4]  # listed and kept


def test_an_official_member_without_a_date_stays_official() -> None:
    roster = [existing(1, "Nguyễn Văn An", official_on=None)]
    plan = plan_import(read(row(official="")), roster)
    assert plan.planned[0].status == "unchanged" and plan.planned[0].member.standing == Standing.OFFICIAL


def test_a_second_secretary_counts_the_members_kept_outside_the_file() -> None:
    roster = [existing(1, "Nguyễn Văn An", position=Position.SECRETARY)]
    plan = plan_import(read(row(name="Lê Thị Bình", position="Bí thư")), roster)
    (problem,) = plan.all_problems()
    assert problem.row == 2 and "đồng chí Nguyễn Văn An đang là Bí thư và không có trong tệp" in problem.message
    # The secretary named in the file too: a hand-over, accepted
    handover = read(row(name="Lê Thị Bình", position="Bí thư"), row(name="Nguyễn Văn An", position="Đảng viên"))
    assert plan_import(handover, roster).ok


def test_two_rows_for_one_member_and_a_retired_members_card_are_refused() -> None:
    gone = Existing(
        id=2,
        data=MemberData(name="Lê Thị Bình", admitted_on=date(2000, 1, 1), card_number="2"),
        retired_on=date(2020, 1, 1),
    )
    roster = [existing(1, "Nguyễn Văn An"), gone]
    plan = plan_import(read(row(), row(card="", note="lặp"), row(name="X", card="2")), roster)
    assert [str(p) for p in plan.all_problems()] == [
        "dòng 3, cột Họ và tên: Dòng 2 và dòng này cùng là đồng chí Nguyễn Văn An.",
        "dòng 4, cột Số thẻ đảng viên: Số thẻ 2 là của đồng chí Lê Thị Bình, đã ra khỏi chi bộ ngày 01/01/2020.",
    ]


# ---------------------------------------------------------------------------
# The example files hold the seed's members


@pytest.mark.parametrize("suffix", ["xlsx", "csv"])
def test_the_example_files_give_the_seed_cells_members(suffix: str) -> None:
    path = EXAMPLES / f"roster-thuong-thanh.{suffix}"
    if not path.exists():
        pytest.skip("the shared examples are not here")
    reading = read_sheet(roster_files.read_file(path.read_bytes()), TODAY)
    assert reading.ok, messages(reading)
    seed = json.loads(SEED.read_text(encoding="utf-8"))["members"]
    got = [(m.name, m.standing, m.position, m.admitted_on.isoformat()) for m in (r.member for r in reading.rows)]
    assert got == [(m["name"], m["standing"], m["position"], m["admitted_on"]) for m in seed]
    assert all(r.member.card_number and r.member.card_number.startswith("000") for r in reading.rows)


# ---------------------------------------------------------------------------
# An export read back changes nothing

plain_names = (
    st.text(
        alphabet=st.sampled_from("AĂÂBCDĐEÊGHIKLMNOÔƠPQRSTUƯVXYaăâbcdđeêghiklmnoôơpqrstuưvxyàáảãạềếệ "),
        min_size=1,
        max_size=30,
    )
    .map(str.strip)
    .filter(bool)
)
days = st.dates(min_value=date(1930, 2, 3), max_value=TODAY)
# Names a spreadsheet would run as formulas (the CSV export protects them with a leading ').
names = st.one_of(
    plain_names,
    st.tuples(st.sampled_from(["=", "+", "-", "@", "'=", "''+", "'", "'a"]), plain_names).map("".join),
)
notes = st.text(alphabet=st.sampled_from("abc xyz,;\"'=+-\nđ0"), max_size=20).map(str.strip)


@st.composite
def members(draw) -> MemberData:  # type: ignore[no-untyped-def]
    admitted = draw(days)
    official = draw(st.one_of(st.none(), st.dates(min_value=admitted, max_value=TODAY)))
    born = draw(
        st.one_of(st.none(), st.dates(min_value=date(1900, 1, 1), max_value=admitted).filter(lambda d: d < admitted))
    )
    standing = Standing.OFFICIAL if official else draw(st.sampled_from([Standing.OFFICIAL, Standing.PROBATIONARY]))
    position = Position.MEMBER
    if standing == Standing.OFFICIAL:
        position = draw(st.sampled_from([Position.COMMITTEE, Position.MEMBER]))
    return MemberData(
        name=draw(names),
        admitted_on=admitted,
        official_on=official,
        position=position,
        card_number=draw(st.one_of(st.none(), st.from_regex(r"[0-9]{1,10}", fullmatch=True))),
        born_on=born,
        note=draw(notes),
        standing=standing,
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(members(), max_size=12), st.sampled_from(["rows", "csv", "xlsx"]))
def test_an_export_read_back_changes_nothing(roster_data: list[MemberData], form: str) -> None:
    # A roster the rules allow: distinct card numbers and names + dates (one member each).
    seen_cards, seen_keys, kept = set(), set(), []
    for m in roster_data:
        key = (m.name.casefold(), m.admitted_on)
        if (m.card_number and m.card_number in seen_cards) or key in seen_keys:
            continue
        seen_cards.add(m.card_number)
        seen_keys.add(key)
        kept.append(m)
    roster = [Existing(id=i + 1, data=m) for i, m in enumerate(kept)]
    rows = export_rows(kept)
    if form == "csv":
        sheet = roster_files.read_file(roster_files.write_csv(rows))
    elif form == "xlsx":
        sheet = roster_files.read_file(roster_files.write_xlsx(rows, title="DANH SÁCH"))
    else:
        sheet = sheet_of(rows)
    if not kept:
        return
    plan = plan_import(read_sheet(sheet, TODAY), roster)
    assert plan.ok, plan.all_problems()
    assert [(p.existing_id, p.status) for p in plan.planned] == [(e.id, "unchanged") for e in roster]
    assert not plan.missing
