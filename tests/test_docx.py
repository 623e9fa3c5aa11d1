"""The Word writer (reports.docx_writer): hand-built Documents and the seed meeting's, read back with python-docx.

The seed's documents are rendered by both writers from one description; the DOCX (python-docx)
and the PDF (pypdf) must carry every paragraph of it and the phrases tests/test_reports.py checks.
"""

from __future__ import annotations

import io
import re
import unicodedata
from datetime import date

import docx
import pytest
from pypdf import PdfReader

from reports import docx_writer, pdf_writer
from reports.ballot import ballot_paper_document, tally_sheet_document
from reports.document import (
    BODY,
    CELL,
    CELL_HEAD,
    SECTION,
    Document,
    Heading,
    PartyHeader,
    Signatures,
    Signer,
    Stamp,
    Table,
    Together,
    bold,
    para,
    paragraphs,
)
from reports.minutes import SealInfo, count_minutes_document, minutes_document
from review.meetingfile import parse

from helpers import SEED_MINUTES_PHRASES
from test_reports import seed_document

HEADING = Heading(
    "Đảng bộ phường Thượng Thanh", "Chi bộ Trường Mầm non Thượng Thanh", "Thượng Thanh", date(2020, 11, 27)
)


def sample(stamp: Stamp | None = None, landscape: bool = False) -> Document:
    rows = [(para("STT", style=CELL_HEAD), para("Họ và tên", style=CELL_HEAD))]
    rows += [(para(str(i), style=CELL), para(f"Nguyễn Văn Ánh {i}", style=CELL)) for i in range(1, 61)]
    return Document(
        "Biên bản hội nghị",
        (
            PartyHeader(HEADING),
            para("I. KẾT QUẢ XẾP LOẠI", style=SECTION),
            para("Đồng chí ", bold("Trần Thị Ngọc"), " phát biểu.\nDòng thứ hai."),
            Table((15, 150), tuple(rows), full_rows=(5,)),
            Together((para("Ý kiến góp ý:", style=SECTION), para("Không có ý kiến.", style=BODY))),
            Signatures(
                (Signer("THƯ KÝ", name="Lê Văn Bình"), Signer("CHỦ TRÌ", name="Phạm Thị Hoa")),
                closing=(para("Hội nghị kết thúc lúc 11 giờ."),),
            ),
        ),
        stamp or Stamp(),
        landscape,
    )


def text_of(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]

    def cells(tables) -> None:  # type: ignore[no-untyped-def]
        for table in tables:
            for row in table.rows:
                for cell in row.cells:
                    parts.extend(p.text for p in cell.paragraphs)
                    cells(cell.tables)

    cells(document.tables)
    return " ".join(parts)


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def test_page_fonts_and_phrases() -> None:
    source = sample()
    data = docx_writer.render(source)
    document = docx.Document(io.BytesIO(data))
    section = document.sections[0]
    sizes = (section.page_width, section.page_height)
    margins = (section.top_margin, section.bottom_margin, section.left_margin, section.right_margin)
    assert [round(x.mm) for x in sizes if x is not None] == [210, 297]
    assert [round(x.mm) for x in margins if x is not None] == [20, 20, 30, 15]
    assert document.styles["Normal"].font.name == "Times New Roman"
    xml = document.styles.element.xml
    assert 'w:eastAsia="Times New Roman"' in xml and 'w:cs="Times New Roman"' in xml
    text = squash(text_of(data))
    for paragraph in paragraphs(source):
        assert squash(paragraph.plain) in text
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" in text and "CHI BỘ TRƯỜNG MẦM NON THƯỢNG THANH" in text
    assert "Thượng Thanh, ngày 27 tháng 11 năm 2020" in text
    body = document.element.body.xml
    assert "<w:tblHeader/>" in body and "<w:br/>" in body
    assert section.different_first_page_header_footer
    assert "PAGE" in section.header._element.xml
    assert "DỰ THẢO" in section.footer.paragraphs[0].text and "DỰ THẢO" in section.first_page_footer.paragraphs[0].text


def test_seal_line_landscape_and_determinism() -> None:
    source = sample(Stamp(draft=False, footer="Niêm phong phiên bản 1 · SHA-256: abc"), landscape=True)
    data = docx_writer.render(source)
    assert data == docx_writer.render(source)
    section = docx.Document(io.BytesIO(data)).sections[0]
    assert section.page_width is not None and round(section.page_width.mm) == 297
    assert section.footer.paragraphs[0].text.startswith("Niêm phong phiên bản 1")
    assert "DỰ THẢO" not in section.footer.paragraphs[0].text


@pytest.mark.parametrize("recipients", [(), ("Như Điều 3", "Lưu VP")])
def test_signatures_kept_with_closing(recipients: tuple[str, ...]) -> None:
    source = Document(
        "Quyết định",
        (
            Signatures(
                (Signer("T/M ĐẢNG ỦY", "BÍ THƯ", "Vũ Văn Nam"),), closing=(para("Xong."),), recipients=recipients
            ),
        ),
    )
    document = docx.Document(io.BytesIO(docx_writer.render(source)))
    assert document.paragraphs[0].text == "Xong." and document.paragraphs[0].paragraph_format.keep_with_next
    text = text_of(docx_writer.render(source))
    assert "Vũ Văn Nam" in text
    if recipients:
        assert "Nơi nhận:" in text and "- Lưu VP" in text


# ---------------------------------------------------------------------------
# The real documents of the seed meeting: the same description, read back from both writers

SEALED = SealInfo(version=2, fingerprint="0123456789abcdef" * 4, sealed_at="27/11/2020 16:45")
KEYS = ("minutes", "count-minutes", "ballot-paper", "tally-sheet")
# The phrases tests/test_reports.py finds in each PDF (headings, numbers, signatures), and the header's.
PHRASES = {
    "minutes": (
        *SEED_MINUTES_PHRASES,
        "Hoàn thành xuất sắc nhiệm vụ: 2",
        "Hoàn thành tốt nhiệm vụ: 8",
        "vượt tỉ lệ 1/5 (tối đa 1 trên 8)",
        "Thượng Thanh, ngày 27 tháng 11 năm 2020",
    ),
    "count-minutes": (
        "BIÊN BẢN KIỂM PHIẾU",
        "Đồng chí Đỗ Thị Thanh Thủy – Trưởng ban",
        "Số phiếu phát ra: 10; số phiếu thu vào: 10; số phiếu hợp lệ: 10; số phiếu không hợp lệ: 0",
        "8 (80%)",
        "T/M BAN KIỂM PHIẾU",
        "TRƯỞNG BAN",
        "Tập thể chi bộ",
        "Thượng Thanh, ngày 27 tháng 11 năm 2020",
    ),
    "ballot-paper": ("Đánh dấu X vào một ô duy nhất trên mỗi dòng", "Tập thể chi bộ"),
    "tally-sheet": ("Tập thể chi bộ",),
}
HEADER = ("ĐẢNG CỘNG SẢN VIỆT NAM", "ĐẢNG BỘ PHƯỜNG THƯỢNG THANH", "CHI BỘ TRƯỜNG MẦM NON")


def seed_descriptions() -> dict[str, Document]:
    mf, problems = parse(seed_document())
    assert mf is not None, problems
    result = mf.evaluate()
    return {
        "minutes": minutes_document(mf, result, SEALED),
        "count-minutes": count_minutes_document(mf, result, SEALED),
        "ballot-paper": ballot_paper_document(mf),
        "tally-sheet": tally_sheet_document(mf),
    }


def pdf_text(data: bytes) -> str:
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return unicodedata.normalize("NFC", text)


def bare(text: str) -> str:
    """The text without any whitespace: the PDF breaks and justifies lines where the DOCX does not."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFC", text))


@pytest.fixture(scope="module")
def seed_files() -> dict[str, tuple[Document, str, str]]:
    """Each seed document: its description, its PDF's text and its DOCX's text."""
    files = {}
    for key, description in seed_descriptions().items():
        files[key] = (description, pdf_text(pdf_writer.render(description)), text_of(docx_writer.render(description)))
    return files


@pytest.mark.parametrize("key", KEYS)
def test_every_paragraph_of_the_description_is_in_the_pdf_and_the_docx(seed_files, key):
    description, pdf, word = seed_files[key]
    pdf_bare, word_bare = bare(pdf), bare(word)
    checked = 0
    for paragraph in paragraphs(description):
        if not paragraph.plain.strip():
            continue
        assert bare(paragraph.plain) in word_bare, (key, "docx", paragraph.plain)
        assert bare(paragraph.plain) in pdf_bare, (key, "pdf", paragraph.plain)
        checked += 1
    assert checked >= 5, key


@pytest.mark.parametrize("key", KEYS)
def test_the_pdf_and_the_docx_carry_the_same_phrases_and_names(seed_files, key):
    _description, pdf, word = seed_files[key]
    pdf_squashed, word_squashed = squash(pdf), squash(word)
    for phrase in PHRASES[key] + HEADER:
        assert phrase in pdf_squashed, (key, "pdf", phrase)
        assert phrase in word_squashed, (key, "docx", phrase)
    if key in ("minutes", "ballot-paper"):
        for member in seed_document()["members"]:
            assert member["name"] in pdf_squashed and member["name"] in word_squashed, (key, member["name"])
    # The seal line of the sealed minutes, in the footer of the Word file.
    if key in ("minutes", "count-minutes"):
        footer = docx.Document(io.BytesIO(docx_writer.render(_description))).sections[0].footer.paragraphs[0].text
        assert SEALED.fingerprint in footer and SEALED.fingerprint in bare(pdf)


# ---------------------------------------------------------------------------
# The command line and the pages: the Word file of a stored meeting


def stored_meeting_id(app, runner, seed_path) -> int:  # type: ignore[no-untyped-def]
    from review.extensions import db
    from review.models import Meeting

    result = runner.invoke(args=["meeting", "import", str(seed_path)])
    assert result.exit_code == 0, result.output
    with app.app_context():
        return db.session.query(Meeting.id).scalar()


def test_cli_writes_a_docx_when_the_name_ends_in_docx(app, runner, seed_path, tmp_path):
    meeting_id = str(stored_meeting_id(app, runner, seed_path))
    for key in ("minutes", "count-minutes"):
        word, pdf = tmp_path / f"{key}.docx", tmp_path / f"{key}.pdf"
        for path in (word, pdf):
            result = runner.invoke(args=["meeting", key, meeting_id, "-o", str(path)])
            assert result.exit_code == 0, result.output
        assert pdf.read_bytes().startswith(b"%PDF")
        text = squash(text_of(word.read_bytes()))  # python-docx opens it
        assert "ĐẢNG CỘNG SẢN VIỆT NAM" in text and "Thượng Thanh, ngày 27 tháng 11 năm 2020" in text
        for phrase in PHRASES[key]:
            assert phrase in text, (key, phrase)
            assert phrase in squash(pdf_text(pdf.read_bytes())), (key, phrase)


def test_the_secretary_downloads_the_word_file_named_like_the_pdf(app, runner, seed_path, make_user):
    from review.extensions import db
    from review.models import Meeting

    from helpers import signed_in

    meeting_id = stored_meeting_id(app, runner, seed_path)
    with app.app_context():
        cell_id = db.session.get(Meeting, meeting_id).cell_id
    make_user("bithu", "secretary", cell_id=cell_id)
    client = signed_in(app, "bithu")
    response = client.get(f"/meetings/{meeting_id}/documents/minutes.docx")
    assert response.status_code == 200 and response.mimetype == docx_writer.MIMETYPE
    expected = f'attachment; filename="bien-ban-hoi-nghi-2020-chi-bo-{cell_id}.docx";'
    assert response.headers["Content-Disposition"].startswith(expected)
    assert response.headers["Cache-Control"] == "private, no-store"
    assert "III- BẾ MẠC" in squash(text_of(response.data))
    assert client.get(f"/meetings/{meeting_id}/documents/nothing.docx").status_code == 404
    # The meeting's pages link the Word copy beside the PDF.
    page = client.get(f"/meetings/{meeting_id}/results").get_data(as_text=True)
    assert f"/meetings/{meeting_id}/documents/minutes.docx" in page


def test_starting_the_application_does_not_import_python_docx():
    import subprocess
    import sys
    from pathlib import Path

    code = (
        "import sys; from review.app import create_app; create_app({'TESTING': True}); "
        "import review.documents, review.decision_documents, review.ward.exports; "
        "print(sorted(m for m in sys.modules if m == 'docx' or m.startswith('docx.')))"
    )
    root = Path(__file__).resolve().parent.parent
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=root).stdout
    assert out.strip() == "[]"
