"""Roster spreadsheet files (SPEC 10): XLSX and CSV quirks, read into the core's sheet; every refusal a message."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from review.roster_files import MAX_BYTES, FileRefused, read_file, write_csv, write_xlsx
from review.roster_sheet import Unreadable, plan_import, read_sheet

TODAY = date(2026, 12, 2)
HEADER = ["STT", "Họ và tên", "Ngày sinh", "Ngày vào Đảng", "Ngày chính thức", "Chức vụ", "Số thẻ đảng viên", "Ghi chú"]


def workbook(rows, setup=None) -> bytes:  # type: ignore[no-untyped-def]
    wb = Workbook()
    ws = wb.active
    for r in rows:
        ws.append(r)
    if setup is not None:
        setup(ws)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def problems(data: bytes) -> list[str]:
    plan = plan_import(read_sheet(read_file(data), TODAY), [])
    return [str(p) for p in plan.all_problems()]


def members(data: bytes):  # type: ignore[no-untyped-def]
    reading = read_sheet(read_file(data), TODAY)
    assert reading.ok, [str(p) for p in reading.all_problems()]
    return [r.member for r in reading.rows]


# ---------------------------------------------------------------------------
# XLSX


def test_xlsx_with_title_rows_date_cells_and_text_dates() -> None:
    data = workbook(
        [
            ["DANH SÁCH ĐẢNG VIÊN CHI BỘ KHU DÂN CƯ SỐ 5"],
            [],
            HEADER,
            [1, "Nguyễn Văn An", datetime(1970, 1, 2), datetime(2008, 5, 19), "19/05/2009", "Bí thư", "00079137", None],
            [2, "Lê Thị Bình", None, "2.9.2010", datetime(2011, 9, 2), None, "000001", "chuyển đến"],
        ],
        lambda ws: ws.merge_cells("A1:H1"),  # a merged title above the header is fine
    )
    got = members(data)
    assert [(m.name, m.born_on, m.admitted_on, m.official_on, m.card_number) for m in got] == [
        ("Nguyễn Văn An", date(1970, 1, 2), date(2008, 5, 19), date(2009, 5, 19), "00079137"),
        ("Lê Thị Bình", None, date(2010, 9, 2), date(2011, 9, 2), "000001"),
    ]


def test_a_card_number_cell_holding_a_number_is_refused() -> None:
    data = workbook([HEADER, [1, "Nguyễn Văn An", None, "19/05/2008", "", "", 79137]])
    (message,) = problems(data)
    assert message.startswith("dòng 2, cột Số thẻ đảng viên: Số thẻ được ghi dạng số (79137)")


def test_a_formula_reads_as_its_cached_value_and_without_one_is_refused() -> None:
    # openpyxl writes formulas without a cached value (as any script does).
    data = workbook([HEADER, [1, "Nguyễn Văn An", None, '=TEXT(DATE(2008,5,19),"dd/mm/yyyy")', "", "", "x1"]])
    (message,) = problems(data)
    assert message.startswith("dòng 2, cột Ngày vào Đảng: Ô D2 là công thức chưa có giá trị")
    # A cached value (as Excel saves it) is read: patch the sheet's XML with a <v> element.
    raw = io.BytesIO(data)
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as zin, zipfile.ZipFile(out, "w") as zout:
        for item in zin.infolist():
            body = zin.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                text = body.decode()
                start = text.index('<c r="D2"')
                end = text.index("</c>", start) + len("</c>")
                cell = (
                    text[start:end].replace('<c r="D2"', '<c r="D2" t="str"').replace("</f>", "</f><v>19/05/2008</v>")
                )
                body = (text[:start] + cell + text[end:]).encode()
            zout.writestr(item, body)
    (member,) = members(out.getvalue())
    assert member.admitted_on == date(2008, 5, 19)


def test_merged_cells_in_the_data_area_are_refused_naming_the_range() -> None:
    data = workbook(
        [HEADER, [1, "Nguyễn Văn An", None, "19/05/2008"], [2, "Lê Thị Bình", None, "19/05/2008"]],
        lambda ws: ws.merge_cells("D2:D3"),
    )
    assert problems(data) == [
        "dòng 2, cột Ngày vào Đảng: Ô nằm trong vùng ô gộp D2:D3: bỏ gộp ô và ghi giá trị vào từng ô.",
        "dòng 3, cột Ngày vào Đảng: Ô nằm trong vùng ô gộp D2:D3: bỏ gộp ô và ghi giá trị vào từng ô.",
    ]


def test_hidden_rows_are_read_and_named_in_a_notice() -> None:
    def hide(ws) -> None:  # type: ignore[no-untyped-def]
        ws.row_dimensions[3].hidden = True

    data = workbook([HEADER, [1, "Nguyễn Văn An", None, "19/05/2008"], [2, "Lê Thị Bình", None, "19/05/2008"]], hide)
    sheet = read_file(data)
    assert sheet.notices == ("Các dòng bị ẩn vẫn được đọc như các dòng khác: 3.",)
    assert len(members(data)) == 2


def test_only_the_first_sheet_is_read() -> None:
    def second(ws) -> None:  # type: ignore[no-untyped-def]
        other = ws.parent.create_sheet("Khác")
        other.append(HEADER)
        other.append([1, "Người khác", None, "01/01/2000"])

    assert [m.name for m in members(workbook([HEADER, [1, "Nguyễn Văn An", None, "19/05/2008"]], second))] == [
        "Nguyễn Văn An"
    ]


@pytest.mark.parametrize(
    ("data", "start"),
    [
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "Tệp có mật khẩu hoặc là tệp .xls cũ"),
        (b"PK\x03\x04" + b"\x00" * 100, "Tệp không phải là bảng tính Excel (.xlsx) hoặc đã bị hỏng"),
        (b"", "Tệp trống."),
    ],
)
def test_encrypted_old_or_corrupt_workbooks_are_refused_with_a_message(data: bytes, start: str) -> None:
    with pytest.raises(FileRefused) as refused:
        read_file(data)
    assert str(refused.value).startswith(start)


def test_a_zip_that_is_not_a_workbook_and_a_truncated_one_are_refused() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("hello.txt", "xin chào")
    good = workbook([HEADER])
    for data in (out.getvalue(), good[: len(good) // 2]):
        with pytest.raises(FileRefused, match="không phải là bảng tính Excel"):
            read_file(data)


def test_too_big_a_file_is_refused() -> None:
    with pytest.raises(FileRefused, match="tối đa 5 MiB"):
        read_file(b"a" * (MAX_BYTES + 1))


def test_too_many_rows_are_refused() -> None:
    rows = [HEADER] + [[i, f"Người {i}", None, "01/01/2000"] for i in range(2001)]
    assert problems(write_csv([[str(c or "") for c in r] for r in rows])) == [
        "Tệp có 2001 dòng đảng viên, tối đa 2000 dòng."
    ]
    many = [HEADER] + [[i, f"Người {i}", None, "01/01/2000"] for i in range(2300)]
    with pytest.raises(FileRefused, match="tối đa 2000 dòng"):
        read_file(workbook(many))


def with_sheet_xml(data: bytes, change) -> bytes:  # type: ignore[no-untyped-def]
    """Return the workbook ``data`` with its first sheet's XML changed by ``change``."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                content = change(content)
            target.writestr(info.filename, content)
    return out.getvalue()


def test_a_workbook_of_100000_rows_is_refused_without_building_it_in_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    import openpyxl

    def repeat(content: bytes) -> bytes:  # row 2, written 100,000 times
        row = re.search(rb'<row r="2".*?</row>', content)
        assert row is not None
        rows = b"".join(
            re.sub(rb'(r="[A-Z]*)2"', rb"\g<1>" + str(n).encode() + b'"', row.group(0)) for n in range(2, 100_002)
        )
        return content[: row.start()] + rows + content[row.end() :]

    data = with_sheet_xml(workbook([HEADER, [None, "Nguyễn Văn An"]]), repeat)
    assert len(data) <= MAX_BYTES
    real = openpyxl.load_workbook
    calls: list[dict[str, object]] = []

    def spy(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(openpyxl, "load_workbook", spy)
    with pytest.raises(FileRefused, match="hơn 2000 dòng đảng viên, tối đa 2000 dòng"):
        read_file(data)
    assert calls and all(kwargs.get("read_only") is True for kwargs in calls)  # never the whole sheet in memory


def test_a_zip_declaring_a_huge_unpacked_size_is_refused_without_inflating(monkeypatch: pytest.MonkeyPatch) -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/workbook.xml", "<workbook/>")
        z.writestr("xl/worksheets/sheet1.xml", b"\x00" * (11 * 1024 * 1024))  # inflates to 11 MiB
    data = out.getvalue()
    assert len(data) < 100_000

    def no_inflating(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError("a member was inflated")

    monkeypatch.setattr(zipfile.ZipFile, "open", no_inflating)
    monkeypatch.setattr(zipfile.ZipFile, "testzip", no_inflating)
    with pytest.raises(FileRefused, match="Bảng tính quá lớn khi giải nén: tối đa 10 MiB"):
        read_file(data)


def test_a_sheet_declaring_a_huge_dimension_is_read_as_what_it_holds() -> None:
    def widen(content: bytes) -> bytes:
        changed = re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:XFD9000"', content)
        assert changed != content
        return changed

    data = with_sheet_xml(workbook([HEADER, [1, "Nguyễn Văn An", None, "19/05/2008"]]), widen)
    assert [m.name for m in members(data)] == ["Nguyễn Văn An"]


def test_an_export_workbook_keeps_text_that_looks_like_a_formula() -> None:
    data = write_xlsx([HEADER, ["1", "=HYPERLINK(1)", "", "19/05/2008", "", "", "0012", "=1+1"]])
    (member,) = members(data)
    assert member.name == "=HYPERLINK(1)" and member.note == "=1+1" and member.card_number == "0012"


# ---------------------------------------------------------------------------
# CSV


def csv_bytes(text: str, *, bom: bool = True, encoding: str = "utf-8") -> bytes:
    return (("\ufeff" if bom else "") + text).encode(encoding)


@pytest.mark.parametrize("separator", [";", ",", "\t"])
@pytest.mark.parametrize("bom", [True, False])
@pytest.mark.parametrize("newline", ["\r\n", "\n"])
def test_csv_separators_bom_and_line_ends(separator: str, bom: bool, newline: str) -> None:
    lines = [
        "DANH SÁCH ĐẢNG VIÊN",
        separator.join(HEADER),
        separator.join(["1", "Nguyễn Văn An", "", "19/05/2008", "19/05/2009", "Bí thư", "00079137", "ghi chú"]),
    ]
    got = members(csv_bytes(newline.join(lines) + newline, bom=bom))
    assert [(m.name, m.card_number, m.note) for m in got] == [("Nguyễn Văn An", "00079137", "ghi chú")]


def test_csv_quoted_fields_with_separators_and_line_breaks() -> None:
    text = 'Họ và tên,Ngày vào Đảng,Ghi chú\r\n"Nguyễn Văn An","19/05/2008","một, hai\r\nba"\r\n'
    (member,) = members(csv_bytes(text, bom=False))
    assert member.note == "một, hai\nba"


def test_a_csv_in_another_encoding_is_refused_asking_for_utf8() -> None:
    data = "Họ và tên;Ngày vào Đảng\nNguyễn Văn An;19/05/2008\n".encode("utf-16")
    with pytest.raises(FileRefused, match="UTF-8"):
        read_file(data)
    with pytest.raises(FileRefused, match="UTF-8"):
        read_file("Ho va ten;Ngay vao Dang\nL\u00ea;1/1/2000\n".encode("latin-1"))


def test_random_binary_is_refused_not_a_500() -> None:
    with pytest.raises(FileRefused):
        read_file(bytes(range(256)) * 10)


def test_csv_export_reads_back() -> None:
    rows = [HEADER, ["1", "Nguyễn Văn An", "02/01/1970", "19/05/2008", "", "Đảng viên", "007", 'có "ngoặc"; chấm phẩy']]
    data = write_csv(rows)
    assert data.startswith(b"\xef\xbb\xbf") and b"\r\n" in data
    (member,) = members(data)
    assert member.note == 'có "ngoặc"; chấm phẩy' and member.card_number == "007"


@pytest.mark.parametrize("name", ['=HYPERLINK("http://x")', "+1", "-a", "@SUM(A1)", "\tx", "\rx", "'=x", "''-x"])
def test_csv_export_never_writes_a_formula_and_reads_back(name: str) -> None:
    data = write_csv([HEADER, ["1", name, "", "19/05/2008", "", "", "", name]])
    record = data.decode("utf-8-sig").split("\r\n")[1]
    assert record.split(";")[1].strip('"').startswith("'")  # a spreadsheet shows it as text
    cells = dict(zip(HEADER, read_file(data).rows[1][1], strict=False))
    assert cells["Họ và tên"] == name and cells["Ghi chú"] == name


def test_csv_text_with_a_quote_before_an_ordinary_letter_is_kept() -> None:
    data = write_csv([HEADER, ["1", "'Ân", "", "19/05/2008"]])
    assert b";'\xc3\x82n;" in data
    assert read_file(data).rows[1][1][1] == "'Ân"


def test_a_csv_the_reader_cannot_take_is_refused_in_vietnamese() -> None:
    data = ("Họ và tên;Ngày vào Đảng\r\n" + "a" * 200_000 + ";19/05/2008\r\n").encode()
    with pytest.raises(FileRefused) as refused:
        read_file(data)
    assert str(refused.value).startswith("Không đọc được tệp CSV (có ô quá dài")
    assert "field" not in str(refused.value)


def test_an_unreadable_cell_keeps_its_shown_value() -> None:
    assert Unreadable("x", value="B").value == "B"


GOOD_XLSX = workbook([HEADER, [1, "Nguyễn Văn An", None, datetime(2008, 5, 19), "", "Bí thư", "0012"]])


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.one_of(
        st.binary(max_size=400),
        st.text(max_size=300).map(lambda t: t.encode("utf-8")),
        st.tuples(st.integers(0, len(GOOD_XLSX) - 1), st.binary(min_size=1, max_size=8)).map(
            lambda cut: GOOD_XLSX[: cut[0]] + cut[1] + GOOD_XLSX[cut[0] + len(cut[1]) :]
        ),
    )
)
def test_any_bytes_give_a_sheet_or_a_message(data: bytes) -> None:
    try:
        sheet = read_file(data)
    except FileRefused as refused:
        assert str(refused)
        return
    reading = read_sheet(sheet, TODAY)
    plan_import(reading, [])
    assert all(str(p) for p in reading.all_problems())


def test_a_header_of_two_rows_merged_down_is_read_as_the_header() -> None:
    def merge(ws) -> None:  # type: ignore[no-untyped-def]
        ws.merge_cells("A1:A2")
        ws.merge_cells("B1:B2")
        ws.merge_cells("C1:D1")

    data = workbook(
        [
            ["STT", "Họ và tên", "Ngày", None],
            [None, None, "Ngày vào Đảng", "Ngày chính thức"],
            [1, "Nguyễn Văn An", "19/05/2008", "19/05/2009"],
        ],
        merge,
    )
    # The first header row names no admission column: the message says so, no crash.
    assert problems(data) == ["dòng 1: Thiếu cột “Ngày vào Đảng”."]
    data = workbook(
        [
            ["STT", "Họ và tên", "Ngày vào Đảng", "Ghi chú"],
            [None, None, None, None],
            [1, "Nguyễn Văn An", "19/05/2008", "x"],
        ],
        lambda ws: [ws.merge_cells(f"{c}1:{c}2") for c in "ABCD"],
    )
    assert [m.name for m in members(data)] == ["Nguyễn Văn An"]
