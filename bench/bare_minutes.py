"""The floor for the minutes: bare ReportLab laying out the same texts, without our code.

Two uses:

    python bench/bare_minutes.py TEXTS.json OUT.pdf
        Lay out the paragraphs of TEXTS.json (plain text, font, size, leading, alignment,
        spacing and indent of each) as one-font paragraphs in a plain SimpleDocTemplate on A4
        with the Party margins, and write the PDF. Imports ReportLab and nothing of ours: this
        is the process the whole `flask meeting minutes` command is compared with
        (`bench/run --only process`).

    python bench/bare_minutes.py --extract TEXTS.json MEETING_ID
        Write TEXTS.json from a stored meeting's minutes as the application lays them out
        (the story ReportLab is handed, caught at ``BaseDocTemplate.build``): every
        paragraph, inside tables and kept-together groups too, in reading order. Needs the
        application (DATABASE_URL and the rest of its environment).

The bare document has no header table, no results table (its cells are laid out as
full-width paragraphs), no kept-together groups, no page decorations and no inline markup:
what is left is the cost of breaking and drawing the same words in the same faces.
"""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path
from typing import Any

FONT_DIR = Path(__file__).resolve().parent.parent / "reports" / "fonts"
FACES = {
    "LiberationSerif": "LiberationSerif-Regular.ttf",
    "LiberationSerif-Bold": "LiberationSerif-Bold.ttf",
    "LiberationSerif-Italic": "LiberationSerif-Italic.ttf",
    "LiberationSerif-BoldItalic": "LiberationSerif-BoldItalic.ttf",
}
MM = 72 / 25.4
MARGINS = {"top": 20 * MM, "bottom": 20 * MM, "left": 30 * MM, "right": 15 * MM}


# ---------------------------------------------------------------------------
# Extracting the texts (uses the application)


def story_paragraphs(flowables: list[Any]) -> list[dict[str, Any]]:
    """Return every Paragraph of a story as plain data, inside tables and kept-together groups too."""
    from reportlab.platypus import Paragraph, Table

    found: list[dict[str, Any]] = []
    for f in flowables:
        if isinstance(f, Paragraph):
            s = f.style
            pieces = ["\n" if getattr(frag, "lineBreak", False) else frag.text for frag in f.frags]
            text = "".join(pieces)
            indent = s.firstLineIndent
            label = getattr(f, "label", ())  # reports.pdf_writer.LabelledParagraph: the label drawn apart
            if label:
                text = "".join(piece for piece, _ in label) + " " + text
                indent = f.label_x
            if not text.strip():
                continue
            found.append(
                {
                    "text": text,
                    "font": s.fontName,
                    "size": s.fontSize,
                    "leading": s.leading,
                    "alignment": s.alignment,
                    "first_line_indent": indent,
                    "space_before": s.spaceBefore,
                    "space_after": s.spaceAfter,
                }
            )
        elif isinstance(f, Table):
            for row in f._cellvalues:
                for cell in row:
                    found.extend(story_paragraphs(list(cell) if isinstance(cell, list | tuple) else [cell]))
        elif hasattr(f, "_content"):
            found.extend(story_paragraphs(list(f._content)))
    return found


def extract(output: Path, meeting_id: int) -> int:
    """Write the paragraphs of a stored meeting's minutes to ``output``; return how many."""
    from reportlab.platypus.doctemplate import BaseDocTemplate

    from review import create_app
    from review.documents import render_document
    from review.meeting_store import load_meeting

    caught: list[Any] = []
    original = BaseDocTemplate.build

    def catch(self, flowables, *args, **kwargs):  # type: ignore[no-untyped-def]
        caught.extend(flowables)

    BaseDocTemplate.build = catch  # type: ignore[method-assign]
    try:
        app = create_app()
        with app.app_context():
            meeting = load_meeting(meeting_id)
            assert meeting is not None, f"no meeting {meeting_id}"
            render_document(meeting, "minutes")
    finally:
        BaseDocTemplate.build = original  # type: ignore[method-assign]
    paragraphs = story_paragraphs(caught)
    output.write_text(json.dumps(paragraphs, ensure_ascii=False), encoding="utf-8")
    return len(paragraphs)


# ---------------------------------------------------------------------------
# Laying them out (ReportLab only)


def bare_pdf(paragraphs: list[dict[str, Any]]) -> bytes:
    """Return the PDF of the paragraphs, each in one face, in a plain SimpleDocTemplate."""
    from xml.sax.saxutils import escape

    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate

    for name, filename in FACES.items():
        pdfmetrics.registerFont(TTFont(name, str(FONT_DIR / filename)))
    styles: dict[tuple[Any, ...], ParagraphStyle] = {}
    story = []
    for p in paragraphs:
        key = (
            p["font"],
            p["size"],
            p["leading"],
            p["alignment"],
            p["first_line_indent"],
            p["space_before"],
            p["space_after"],
        )
        style = styles.get(key)
        if style is None:
            style = styles[key] = ParagraphStyle(
                f"s{len(styles)}",
                fontName=p["font"],
                fontSize=p["size"],
                leading=p["leading"],
                alignment=p["alignment"],
                firstLineIndent=p["first_line_indent"],
                spaceBefore=p["space_before"],
                spaceAfter=p["space_after"],
            )
        story.append(Paragraph(escape(p["text"]).replace("\n", "<br/>"), style))
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGINS["left"],
        rightMargin=MARGINS["right"],
        topMargin=MARGINS["top"],
        bottomMargin=MARGINS["bottom"],
        initialFontName="LiberationSerif",
    )
    document.build(story)
    return buffer.getvalue()


def main(argv: list[str]) -> int:
    if len(argv) == 3 and argv[0] == "--extract":
        count = extract(Path(argv[1]), int(argv[2]))
        print(f"{count} đoạn ghi vào {argv[1]}")
        return 0
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    paragraphs = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    Path(argv[1]).write_bytes(bare_pdf(paragraphs))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
