"""The one way user text enters a ReportLab Paragraph."""

from __future__ import annotations

import unicodedata
from xml.sax.saxutils import escape


def para_text(text: str) -> str:
    """Return user text as Paragraph markup that prints literally: escaped, NFC, line breaks kept."""
    normalized = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    return escape(normalized).replace("\n", "<br/>")
