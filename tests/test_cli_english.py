"""The vocabulary's words and the command line's messages in English (issue 17); Vietnamese stays as it was."""

from __future__ import annotations

from flask_babel import force_locale

from review import rules, vocabulary
from review.i18n import translate


def vocabulary_words() -> list[str]:
    """Return every word of the vocabulary's dictionaries and constants (the interface shows them)."""
    words: list[str] = []
    for name in dir(vocabulary):
        value = getattr(vocabulary, name)
        if not name.isupper() or name in ("TEMPLATE_GLOBALS", "ORGANIZATION_WORD", "COMMITTEE_WORD"):
            continue
        if isinstance(value, dict):
            words += [word for word in value.values() if isinstance(word, str)]
        elif isinstance(value, str):
            words.append(value)
    return words


def test_every_word_of_the_vocabulary_reads_in_english(app):
    words = vocabulary_words()
    assert len(words) > 80
    with app.test_request_context(headers={"Accept-Language": "en"}):
        menu = set(vocabulary.TASK_LABELS.values())  # the menu's words, in their own context
        untranslated = [word for word in words if translate(word, "menu" if word in menu else None) == word]
        assert translate(vocabulary.TASK_LABELS["ward.cells"], "menu") == "Cells"
        assert translate(vocabulary.LEVEL_LABELS["good"]) == "Well completed duties"
        assert translate(rules.NOT_RATED_LABELS[rules.NotRatedReason.NEW_MEMBER]) == (
            f"Admitted to the Party less than {rules.NEW_MEMBER_MONTHS} months ago"
        )
        assert translate(vocabulary.quota_badge(2, 1)) == "Over the quota: 2 proposed as excellent, at most 1"
    assert untranslated == []


def test_the_vocabulary_stays_vietnamese_in_vietnamese(app):
    badge = vocabulary.quota_badge(2, 1)
    assert badge == "Vượt tỉ lệ: 2 đề nghị HTXSNV, tối đa 1"  # what the documents print, raw
    assert vocabulary.sick_leave_cap_label(6) == "Nghỉ ốm từ 6 tháng trở lên: xếp loại tối đa Hoàn thành nhiệm vụ"
    with app.test_request_context(headers={"Accept-Language": "vi"}):
        assert all(translate(word) == word for word in vocabulary_words())
        assert translate(badge) == badge


def test_the_command_line_speaks_english_when_asked(app, runner, seed_path):
    with app.app_context(), force_locale("en"):
        result = runner.invoke(args=["meeting", "import", str(seed_path)])
        missing = runner.invoke(args=["meeting", "export", "99"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Imported the 2020 meeting of Chi bộ Trường Mầm non Thượng Thanh: ")
    assert "party members." in result.output
    assert missing.exit_code == 1 and "No meeting with id 99." in missing.output


def test_the_command_line_is_vietnamese_by_default(runner, seed_path):
    result = runner.invoke(args=["meeting", "import", str(seed_path)])
    assert result.output.startswith("Đã nhập hội nghị năm 2020 của Chi bộ Trường Mầm non Thượng Thanh: ")
    assert "đảng viên." in result.output
