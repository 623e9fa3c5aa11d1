"""The Word writer (reports.docx_writer): a hand-built Document read back with python-docx."""

from __future__ import annotations

import io
import re
from datetime import date

import docx
import pytest

from reports import docx_writer
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
