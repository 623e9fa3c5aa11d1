"""The PDF documents, read back: layout facts, Vietnamese text, fonts, hostile text, marks."""

from __future__ import annotations

import copy
import io
import json
import re
import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest
from pypdf import PdfReader
from reportlab.lib.pagesizes import A4

from reports.ballot import ballot_paper, tally_sheet
from reports.minutes import SealInfo, count_minutes, meeting_minutes
from review.meetingfile import loads, parse

from helpers import SEED_MINUTES_PHRASES

SEED = Path(__file__).resolve().parent.parent / "review" / "data" / "thuong-thanh-2020.json"
SEALED = SealInfo(version=2, fingerprint="0123456789abcdef" * 4, sealed_at="27/11/2020 16:45")


def seed_document() -> dict:
    return json.loads(SEED.read_text(encoding="utf-8"))


def meeting(document: dict | None = None):  # type: ignore[no-untyped-def]
    mf, problems = parse(document or seed_document())
    assert mf is not None, problems
    return mf


def pdf_text(data: bytes) -> str:
    """Return the text of every page, NFC, whitespace runs folded."""
    reader = PdfReader(io.BytesIO(data))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return re.sub(r"[ \t]+", " ", unicodedata.normalize("NFC", text))


def documents(mf, seal=None) -> dict[str, bytes]:  # type: ignore[no-untyped-def]
    result = mf.evaluate()
    return {
        "minutes": meeting_minutes(mf, result, seal),
        "count-minutes": count_minutes(mf, result, seal),
        "ballot-paper": ballot_paper(mf),
        "tally-sheet": tally_sheet(mf),
    }


@pytest.fixture(scope="module")
def seed_pdfs() -> dict[str, bytes]:
    return documents(meeting(), SEALED)


@pytest.mark.parametrize("key", ["minutes", "count-minutes", "ballot-paper", "tally-sheet"])
def test_every_document_is_a4_with_the_party_header(seed_pdfs, key):
    reader = PdfReader(io.BytesIO(seed_pdfs[key]))
    for page in reader.pages:
        assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (round(A4[0]), round(A4[1]))
    text = pdf_text(seed_pdfs[key])
    folded = re.sub(r"\s+", " ", text)
    assert "ĐẢNG BỘ PHƯỜNG THƯỢNG THANH" in folded and "CHI BỘ TRƯỜNG MẦM NON" in folded
    assert "THƯỢNG\nTHANH" not in text  # the place name's last two words stay on one line
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" in text


@pytest.mark.parametrize("key", ["minutes", "count-minutes"])
def test_minutes_carry_the_place_and_date_line(seed_pdfs, key):
    assert "Thượng Thanh, ngày 27 tháng 11 năm 2020" in pdf_text(seed_pdfs[key])


def test_meeting_minutes_have_every_section_name_and_the_results_table(seed_pdfs):
    text = re.sub(r"\s+", " ", pdf_text(seed_pdfs["minutes"]))
    for expected in SEED_MINUTES_PHRASES:
        assert expected in text, expected
    for member in seed_document()["members"]:
        assert member["name"] in text, member["name"]
    # The results table: two excellent (m03, m04), eight good; the quota warning.
    assert text.count("HTXSNV") >= 2 and "Hoàn thành xuất sắc nhiệm vụ: 2" in text
    assert "Hoàn thành tốt nhiệm vụ: 8" in text
    assert "vượt tỉ lệ 1/5 (tối đa 1 trên 8)" in text


def test_count_minutes_have_the_numbers_shares_and_the_chiefs_signature(seed_pdfs):
    text = re.sub(r"\s+", " ", pdf_text(seed_pdfs["count-minutes"]))
    for expected in (
        "BIÊN BẢN KIỂM PHIẾU",
        "Đồng chí Đỗ Thị Thanh Thủy – Trưởng ban",
        "Số phiếu phát ra: 10; số phiếu thu vào: 10; số phiếu hợp lệ: 10; số phiếu không hợp lệ: 0",
        "8 (80%)",
        "T/M BAN KIỂM PHIẾU",
        "TRƯỞNG BAN",
        "Tập thể chi bộ",
    ):
        assert expected in text, expected


def test_ballot_paper_lists_the_rated_members_the_cell_and_the_instruction(seed_pdfs):
    text = pdf_text(seed_pdfs["ballot-paper"])
    assert "Đánh dấu X vào một ô duy nhất trên mỗi dòng" in text
    assert "Tập thể chi bộ" in text
    names = [m["name"] for m in seed_document()["members"]]
    positions = [text.index(name) for name in names]
    assert positions == sorted(positions)  # meeting order
    assert "Ký" not in text  # unsigned


def test_ballot_paper_leaves_out_who_is_not_rated():
    document = seed_document()
    document["members"][9]["exempt"] = True
    del document["ballot"]
    text = pdf_text(ballot_paper(meeting(document)))
    assert "Phạm Thị Xuân Mai" not in text and "Ngô Thị Bích Ngọc" in text


def test_draft_pages_say_so_and_sealed_pages_carry_version_and_fingerprint():
    mf = meeting()
    draft = pdf_text(meeting_minutes(mf, mf.evaluate(), None))
    assert draft.count("DỰ THẢO") >= PdfReader(io.BytesIO(meeting_minutes(mf, mf.evaluate(), None))).get_num_pages()
    sealed_pdf = meeting_minutes(mf, mf.evaluate(), SEALED)
    sealed = pdf_text(sealed_pdf)
    assert "DỰ THẢO" not in sealed
    pages = PdfReader(io.BytesIO(sealed_pdf)).pages
    for page in pages:
        assert SEALED.fingerprint in page.extract_text() and "phiên bản 2" in page.extract_text()


def test_page_numbers_start_on_page_two():
    mf = meeting()
    reader = PdfReader(io.BytesIO(meeting_minutes(mf, mf.evaluate(), SEALED)))
    assert reader.get_num_pages() >= 3
    first_lines = [page.extract_text().strip().splitlines()[0].strip() for page in reader.pages]
    assert first_lines[0] != "1"
    assert first_lines[1:] == [str(n) for n in range(2, reader.get_num_pages() + 1)]


HOSTILE = ["<b>đậm", "S&P", "<font size=40>to</font>", '<img src="http://127.0.0.1:9/x.png"/>', "A <0.9 & B>"]


def hostile_meeting():  # type: ignore[no-untyped-def]
    document = seed_document()
    document["members"][0]["name"] = "Nguyễn <b>Thị</b> & Hân"
    document["members"][1]["review"]["summary"] = " ".join(HOSTILE)
    document["members"][1]["review"]["feedback"][0]["text"] = HOSTILE[2] + HOSTILE[3]
    document["collective_reviews"][0]["report"] = HOSTILE[4]
    document["meeting"]["location"] = "Phòng <i>họp</i>"
    document["ballot"]["invalid_reasons"] = "<b>x</b>"
    return meeting(document)


@pytest.mark.parametrize("key", ["minutes", "count-minutes", "ballot-paper"])
def test_hostile_text_is_printed_literally_and_fetches_nothing(key, monkeypatch):
    import urllib.request

    def refuse(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError("ReportLab tried to fetch a URL")

    monkeypatch.setattr(urllib.request, "urlopen", refuse)
    text = re.sub(r"\s+", " ", pdf_text(documents(hostile_meeting())[key]))
    assert "Nguyễn <b>Thị</b> & Hân" in text
    if key == "minutes":
        for piece in HOSTILE:
            assert piece in text, piece
        assert "Phòng <i>họp</i>" in text


def test_stacked_marks_and_decomposed_input_print_with_embedded_fonts(tmp_path):
    document = seed_document()
    document["members"][0]["name"] = unicodedata.normalize("NFD", "Đặng Thị Ỡ Ựa Ỵ")
    mf, problems = loads(json.dumps(document, ensure_ascii=False))
    assert mf is not None, problems
    data = meeting_minutes(mf, mf.evaluate(), None)
    assert "Đặng Thị Ỡ Ựa Ỵ" in pdf_text(data)
    if shutil.which("pdffonts"):
        path = tmp_path / "m.pdf"
        path.write_bytes(data)
        lines = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout.splitlines()[
            2:
        ]
        assert lines and all(line.split()[-5] == "yes" for line in lines), lines  # the "emb" column
        assert all("LiberationSerif" in line for line in lines)


def test_long_texts_break_across_pages():
    document = seed_document()
    paragraph = "Đồng chí tự kiểm điểm nghiêm túc, chỉ rõ ưu điểm, hạn chế và nguyên nhân. " * 40
    for member in document["members"]:
        member["review"]["summary"] = (paragraph + "\n") * 5
    mf = meeting(document)
    reader = PdfReader(io.BytesIO(meeting_minutes(mf, mf.evaluate(), None)))
    assert reader.get_num_pages() > 15
    assert "CHỦ TRÌ HỘI NGHỊ" in reader.pages[-1].extract_text()


def test_draft_without_a_ballot_still_builds():
    document = seed_document()
    del document["ballot"]
    mf = meeting(document)
    text = pdf_text(count_minutes(mf, mf.evaluate(), None))
    assert "Chưa có kết quả kiểm phiếu." in text
    assert "BIÊN BẢN" in pdf_text(meeting_minutes(mf, mf.evaluate(), None))


def test_documents_do_not_change_the_data():
    mf = meeting()
    before = copy.deepcopy(mf)
    documents(mf, SEALED)
    assert mf == before
