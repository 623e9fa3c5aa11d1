"""The documents' layout: headings kept with what follows, the signatures with the closing lines,
the committee's remedy plan printed, "Đảng" always capital, the header broken between words."""

from __future__ import annotations

import copy
import io
import json
import re
import unicodedata
from pathlib import Path

import pytest
from pypdf import PdfReader

from reports.common import DRAFT_NOTE_MINUTES, balanced_lines, header_lines
from reports.document import paragraphs
from reports.minutes import SealInfo, count_minutes, meeting_minutes, minutes_document
from review.meetingfile import parse

SEED = Path(__file__).resolve().parent.parent / "review" / "data" / "thuong-thanh-2020.json"
SEALED = SealInfo(version=2, fingerprint="0123456789abcdef" * 4, sealed_at="27/11/2020 16:45")
CLOSING = ("Biên bản được đọc lại", "Hội nghị kết thúc lúc")
WORDS = [
    "Chi",
    "bộ",
    "tiếp",
    "tục",
    "rà",
    "soát,",
    "bổ",
    "sung",
    "kế",
    "hoạch,",
    "phân",
    "công",
    "rõ",
    "người,",
    "rõ",
    "việc,",
    "rõ",
    "thời",
    "hạn",
    "hoàn",
    "thành",
]


def seed() -> dict:
    return json.loads(SEED.read_text(encoding="utf-8"))


def meeting(document: dict):  # type: ignore[no-untyped-def]
    mf, problems = parse(document)
    assert mf is not None, problems
    return mf


def fold(text: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()


def pages(data: bytes) -> list[list[str]]:
    """Return each page's text lines, without the page marks (number, draft mark, seal line)."""
    marks = {"DỰ THẢO", fold(DRAFT_NOTE_MINUTES)}
    result = []
    for page in PdfReader(io.BytesIO(data)).pages:
        lines = [fold(line) for line in page.extract_text().splitlines()]
        lines = [line for line in lines if line and line not in marks and not line.isdigit() and "SHA-256" not in line]
        result.append(lines)
    return result


def with_plan_words(count: int) -> dict:
    """Return the seed with the cell's remedy plan (the text right before the closing) ``count`` words long."""
    document = seed()
    cell = next(c for c in document["collective_reviews"] if c["subject"] == "cell")
    cell["remedy_plan"] = " ".join(WORDS[i % len(WORDS)] for i in range(count)) + "."
    return document


@pytest.fixture(scope="module")
def varied_minutes() -> list[tuple[object, bytes]]:
    """The minutes with the closing pushed down a line at a time across a page's foot."""
    built = []
    for count in range(150, 650, 10):  # about one line of the plan at a time
        mf = meeting(with_plan_words(count))
        built.append((mf, meeting_minutes(mf, mf.evaluate(), None)))
    return built


def test_the_signatures_never_stand_alone_on_a_page(varied_minutes):
    page_counts = set()
    for _, data in varied_minutes:
        text_pages = pages(data)
        page_counts.add(len(text_pages))
        signed = [i for i, lines in enumerate(text_pages) if any("CHỦ TRÌ HỘI NGHỊ" in line for line in lines)]
        assert len(signed) == 1
        page = " ".join(text_pages[signed[0]])
        for line in CLOSING:
            assert line in page, (line, text_pages[signed[0]])
        assert "THƯ KÝ HỘI NGHỊ" in page
    assert len(page_counts) >= 2  # the lengths did cross a page boundary


def test_headings_are_never_the_last_line_of_a_page(varied_minutes):
    checked = 0
    for mf, data in varied_minutes:
        document = minutes_document(mf, mf.evaluate(), None)
        headings = {fold(p.plain) for p in paragraphs(document) if p.style.keep_with_next}
        assert "Ý kiến góp ý:" in headings
        for lines in pages(data)[:-1]:
            last = lines[-1]
            assert not any(last == h or (h.endswith(last) and len(last) > 3) for h in headings), last
            checked += 1
    assert checked > 0


def test_the_vote_count_minutes_keep_their_last_line_with_the_signature():
    mf = meeting(seed())
    text_pages = pages(count_minutes(mf, mf.evaluate(), SEALED))
    signed = next(lines for lines in text_pages if any("T/M BAN KIỂM PHIẾU" in line for line in lines))
    assert "Ban kiểm phiếu lập biên bản này" in " ".join(signed)


def test_the_committees_remedy_plan_is_printed_as_the_cells():
    document = seed()
    for review in document["collective_reviews"]:
        review["remedy_plan"] = f"Kế hoạch riêng của {review['subject']}: họp rút kinh nghiệm hằng quý."
    mf = meeting(document)
    text = fold(" ".join(" ".join(lines) for lines in pages(meeting_minutes(mf, mf.evaluate(), SEALED))))
    assert "Kế hoạch riêng của committee: họp rút kinh nghiệm hằng quý." in text
    assert "Kế hoạch riêng của cell: họp rút kinh nghiệm hằng quý." in text
    assert "Kế hoạch khắc phục hạn chế, khuyết điểm của chi ủy:" in text


def test_the_party_keeps_its_capital():
    document = seed()
    newcomer = document["members"][-1]
    newcomer["admitted_on"] = "2020-09-01"
    newcomer["standing"] = "probationary"
    newcomer.pop("review", None)
    document.pop("ballot")  # the votes were counted with the newcomer; none is needed here
    mf = meeting(document)
    text = fold(" ".join(" ".join(lines) for lines in pages(meeting_minutes(mf, mf.evaluate(), None))))
    assert "vào Đảng chưa đủ" in text
    assert "vào đảng" not in text.replace("Đảng", "X").lower().replace("vào x", "")


def header_page_lines(cell: str) -> list[str]:
    document = seed()
    document["organization"]["cell"] = cell
    mf = meeting(document)
    return pages(count_minutes(mf, mf.evaluate(), None))[0]


@pytest.mark.parametrize(
    "cell",
    [
        "Chi bộ Trường Mầm non Thượng Thanh",
        "Chi bộ Trường Trung học cơ sở Thượng Thanh và Tổ dân phố 12",  # 60 characters
    ],
)
def test_the_headers_names_break_between_words_keeping_the_place_together(cell):
    assert len(cell) <= 60  # the longest a cell name may be
    lines = header_page_lines(cell)
    for name in ("Đảng bộ phường Thượng Thanh", cell):
        words = name.upper().split()
        shown = [line for line in lines if line and all(word in words for word in line.split())]
        joined = " ".join(shown)
        assert name.upper() in joined, (name, lines)
        tail = " ".join(words[-2:])
        assert any(tail in line for line in shown), (tail, shown)


def test_balanced_lines_prefer_even_lines_and_keep_the_last_two_words():
    words = ["ĐẢNG", "BỘ", "PHƯỜNG", "THƯỢNG", "THANH"]
    assert balanced_lines(words, 150, lambda text: 10 * len(text)) == ["ĐẢNG BỘ PHƯỜNG", "THƯỢNG THANH"]
    assert balanced_lines(words, 1000, lambda text: 10 * len(text)) == ["ĐẢNG BỘ PHƯỜNG THƯỢNG THANH"]
    assert balanced_lines(["QUÁ_DÀI"], 10, len) == ["QUÁ_DÀI"]
    assert "<br/>" in header_lines("Chi bộ Trường Mầm non Thượng Thanh", "LiberationSerif-Bold", 200)


def test_the_layout_test_inputs_do_not_change_the_seed():
    before = seed()
    with_plan_words(10)
    assert seed() == copy.deepcopy(before)
