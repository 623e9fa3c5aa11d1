"""The catalogs stay in step with the code (review/catalogs.py, ``bin/catalogs check``).

A text of a page, a form, a flash, an error page or a command that is not marked for the catalogs,
a marked text missing from messages.pot or from a language's catalog, an English entry left
untranslated or fuzzy, a compiled catalog that is not its .po: each fails here, with the place.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from review import catalogs

ENGLISH = catalogs.catalog_path("en")


def test_every_text_of_the_interface_is_in_the_catalogs():
    found = catalogs.unmarked()
    assert not found, f"{len(found)} text(s) outside the catalogs (mark them; see README, Languages):\n" + "\n".join(
        found[:80]
    )


def test_the_catalogs_hold_exactly_the_marked_texts_and_english_translates_them_all():
    found = catalogs.problems()
    assert not found, "run bin/catalogs update and translate (README, Languages):\n" + "\n".join(found[:80])


def english_entries() -> list:  # type: ignore[type-arg]
    with ENGLISH.open("rb") as handle:
        return [message for message in read_po(handle, locale="en") if message.id]


FIELD = re.compile(r"%\((\w+)\)[sd]|\{(\w+)\}")


def test_english_keeps_every_placeholder_of_its_source():
    wrong = []
    for message in english_entries():
        sources = message.id if isinstance(message.id, tuple | list) else (message.id,)
        strings = message.string if isinstance(message.string, tuple | list) else (message.string,)
        wanted = {field for source in sources for field in FIELD.findall(source)}
        for string in strings:
            if string and {field for field in FIELD.findall(string)} - wanted:
                wrong.append(f"{message.id!r} -> {string!r}: a field its source does not have")
            if string and len(sources) == 1 and {field for field in FIELD.findall(string)} != wanted:
                wrong.append(f"{message.id!r} -> {string!r}: not the same fields")
    assert not wrong, "\n".join(wrong[:40])


def test_english_has_no_vietnamese_left():
    vietnamese = catalogs.VIETNAMESE_LETTER
    left = []
    for message in english_entries():
        strings = message.string if isinstance(message.string, tuple | list) else (message.string,)
        for string in strings:
            # Proper names of the Party's regulations (132-QĐ/TW) keep their letters, and so do the
            # examples of names and places and the file's own words (data, in <bdi> or <span lang="vi">).
            kept = re.sub(r"<(bdi|span)\b[^>]*>.*?</\1>", "", string or "")
            if vietnamese.search(re.sub(r"\d+-[A-ZĐ]+/[A-ZĐ]+", "", kept)):
                left.append(f"{message.id!r} -> {string!r}")
    assert not left, f"{len(left)} English entries still hold Vietnamese:\n" + "\n".join(left[:40])


@pytest.mark.parametrize(
    ("source", "found"),
    [
        ('x = "Lưu"\n', [(1, "Lưu")]),
        ('x = _("Lưu")\n', []),
        ('x = N_("Lưu")\n', []),
        ('x = msg("Số {n}", n=1)\n', []),
        ('x = "Lưu"  # i18n: vi-only\n', []),
        ('def f():\n    """Trả về."""\n', []),
        ('x = f"Số {1}"\n', [(1, "Số ")]),
        ('x = "Save"\n', []),  # an English identifier or key is no interface text
    ],
)
def test_the_python_check_finds_unmarked_vietnamese(tmp_path: Path, source: str, found):  # type: ignore[no-untyped-def]
    module = tmp_path / "m.py"
    module.write_text(source, encoding="utf-8")
    assert catalogs.unmarked_python(module) == found


@pytest.mark.parametrize(
    ("source", "found"),
    [
        ("<p>Lưu</p>", ["Lưu"]),
        ("<p>{{ _('Lưu') }}</p>", []),
        ("<p>{% trans %}Lưu {{ x }}{% endtrans %}</p>", []),
        ('<a aria-label="Đóng" href="{{ url }}">×</a>', ["Đóng"]),
        ("<p>{{ 'Lưu' if x }}</p>", ["Lưu"]),
        ("<p>PDF · {{ n }}</p>", []),
        ("<button>Save</button>", ["Save"]),  # English too: the page's words go through the catalog
        ("{# Lưu #}<!-- Lưu --><script>var a = 'Lưu';</script>", []),
    ],
)
def test_the_template_check_finds_words_outside_the_catalog(tmp_path: Path, source: str, found):  # type: ignore[no-untyped-def]
    template = tmp_path / "t.html"
    template.write_text(source, encoding="utf-8")
    assert [text for _line, text in catalogs.unmarked_template(template)] == found
