"""One home for the rules and limits the roster shares with the set-up and the meeting files (review findings 11-14).

The name key and the diacritics folding live in review/text.py; so do the longest name (NAME_MAX)
and the largest upload (UPLOAD_MAX_BYTES), which every text says through ``mib_text``.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from review import meetingfile, models, roster_files, roster_sheet, setup_rules, text
from review.roster import forms as roster_forms
from review.ward import forms as ward_forms

TEMPLATES = Path(text.__file__).parent / "templates"


def test_one_name_key_for_cells_organisations_and_members() -> None:
    assert setup_rules.name_key is text.name_key
    assert roster_sheet.name_key is text.name_key
    assert text.name_key("  CHI BỘ Khu dân cư\u00a0 SỐ 1 ") == text.name_key("chi bộ khu dân cư số 1")
    decomposed = "Nguye\u0302\u0303n Va\u0306n An"  # NFD, as some keyboards send it
    assert text.name_key(decomposed) == text.name_key("NGUYỄN VĂN AN")
    assert text.name_key("\u0390") == text.name_key("\u0390".upper())  # case folding decomposes it: NFC again


@given(st.text(max_size=40))
def test_the_name_key_is_idempotent(name: str) -> None:
    assert text.name_key(text.name_key(name)) == text.name_key(name)


def test_one_diacritics_folding_for_headers_and_file_names() -> None:
    assert text.fold_diacritics("Số thẻ Đảng viên") == "So the Dang vien"
    assert roster_sheet.header_key("  Số thẻ  Đảng viên: ") == "so the dang vien"
    assert text.slug("Chi bộ Đường số 7") == "chi-bo-duong-so-7"


def test_one_longest_name() -> None:
    assert models.NAME == setup_rules.NAME_MAX == meetingfile.NAME_MAX == text.NAME_MAX == 200
    assert not hasattr(roster_sheet, "NAME_LENGTH")
    reading = roster_sheet.read_sheet(
        roster_sheet.sheet_of([["Họ và tên", "Ngày vào Đảng"], ["a" * (text.NAME_MAX + 1), "19/05/2008"]]),
        date(2026, 12, 2),
    )
    assert [p.message for p in reading.all_problems()] == [
        f"Họ và tên dài {text.NAME_MAX + 1} ký tự, tối đa {text.NAME_MAX} ký tự."
    ]


def test_one_upload_limit_said_from_its_constant() -> None:
    assert roster_files.MAX_BYTES == ward_forms.MEETING_FILE_MAX_BYTES == text.UPLOAD_MAX_BYTES
    assert text.mib_text(text.UPLOAD_MAX_BYTES) == "5 MiB"
    assert text.mib_text(3 * 1024 * 1024 // 2) == "1,5 MiB"
    for path in TEMPLATES.rglob("*.html"):
        assert "5 MiB" not in path.read_text(encoding="utf-8"), path


def test_the_upload_limit_reaches_the_pages(app) -> None:  # type: ignore[no-untyped-def]
    assert app.jinja_env.globals["UPLOAD_MAX"] == "5 MiB"


def test_the_party_founding_rule_has_one_home() -> None:
    assert not hasattr(roster_forms, "PARTY_FOUNDED")
    problems = roster_sheet.member_problems(
        admitted_on=date(1930, 2, 2),
        official_on=None,
        born_on=None,
        standing=None,
        position="member",
        today=date(2026, 12, 2),
    )
    assert problems == [("admitted_on", "Ngày vào Đảng không thể trước ngày thành lập Đảng (03/02/1930).")]
