"""User text reaches ReportLab only escaped."""

import unicodedata

import pytest
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.platypus import Paragraph

from reports.markup import para_text


@pytest.mark.parametrize(
    "text",
    ["S&P", "<b>đậm", "A <0.9", "<font size=40>to</font>", '<img src="http://127.0.0.1:9/x.png"/>', "a]]>b"],
)
def test_hostile_text_prints_literally(text):
    paragraph = Paragraph(para_text(text), getSampleStyleSheet()["Normal"])
    printed = "".join(word for frag in paragraph.frags for word in [frag.text])
    assert printed == text


def test_text_is_nfc_and_keeps_line_breaks():
    nfd = unicodedata.normalize("NFD", "Hòa\nỴ")
    assert para_text(nfd) == "Hòa<br/>Ỵ"
