"""A paragraph opening with a bold label: its text laid out as one fragment, the label drawn in
the first line's indent, the words read back in order, across a page break too."""

from __future__ import annotations

import io

from pypdf import PdfReader

from reports import pdf_writer
from reports.common import TEXT_WIDTH
from reports.document import BODY_PLAIN, Document, bold, para

TEXT = "Đồng chí tiếp thu các ý kiến góp ý và sẽ khắc phục trong năm tới, chủ động đóng góp ý kiến."


def text_of(document: Document) -> str:
    reader = PdfReader(io.BytesIO(pdf_writer.render(document)))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_bold_label_drawn_apart_keeps_the_words_in_order() -> None:
    labelled = para(bold("Ý kiến tiếp thu, giải trình:"), " ", TEXT, style=BODY_PLAIN)
    named = para("– Đồng chí ", bold("Lý Anh Lâm"), ": " + TEXT, style=BODY_PLAIN)
    for p in (labelled, named):
        flowable = pdf_writer.flowable_paragraph(p, TEXT_WIDTH)
        assert isinstance(flowable, pdf_writer.LabelledParagraph)
        assert len(flowable.frags) == 1  # ReportLab's one-fragment fast path
    text = " ".join(text_of(Document("t", (labelled, named))).split())
    assert "Ý kiến tiếp thu, giải trình: Đồng chí tiếp thu" in text
    assert "– Đồng chí Lý Anh Lâm: Đồng chí tiếp thu" in text


def test_long_label_or_line_break_keeps_the_markup_paragraph() -> None:
    long_label = para(bold("Nhãn " * 30), TEXT, style=BODY_PLAIN)
    broken = para(bold("Nhãn\nhai dòng:"), " ", TEXT, style=BODY_PLAIN)
    for p in (long_label, broken):
        assert not isinstance(pdf_writer.flowable_paragraph(p, TEXT_WIDTH), pdf_writer.LabelledParagraph)


def test_label_stays_with_the_first_part_when_split_over_a_page() -> None:
    filler = [para(f"Đoạn {i}. " + TEXT, style=BODY_PLAIN) for i in range(15)]
    long = para(bold("Tự kiểm điểm:"), " " + " ".join([TEXT] * 12) + " Hết đoạn.", style=BODY_PLAIN)
    reader = PdfReader(io.BytesIO(pdf_writer.render(Document("t", (*filler, long)))))
    pages = [" ".join(page.extract_text().split()) for page in reader.pages]
    assert len(pages) >= 2
    assert sum(page.count("Tự kiểm điểm:") for page in pages) == 1
    assert "Tự kiểm điểm: Đồng chí tiếp thu" in " ".join(pages)
    assert "Hết đoạn." in pages[-1] and "Tự kiểm điểm:" not in pages[-1]


def test_line_break_in_the_text_after_the_label() -> None:
    p = para(bold("Tự kiểm điểm:"), " Dòng một của bản tự kiểm điểm.\nDòng hai sau ngắt dòng.", style=BODY_PLAIN)
    assert isinstance(pdf_writer.flowable_paragraph(p, TEXT_WIDTH), pdf_writer.LabelledParagraph)
    lines = [line.strip() for line in text_of(Document("t", (p,))).splitlines()]
    assert "Tự kiểm điểm: Dòng một của bản tự kiểm điểm." in lines
    assert "Dòng hai sau ngắt dòng." in lines
