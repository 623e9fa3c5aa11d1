"""One home per word: the vocabulary covers every value, one wording of the blank marks, one date filter."""

from __future__ import annotations

import io
import re
import unicodedata
from datetime import date, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pypdf import PdfReader
from sqlalchemy import select

from reports.ballot import tally_sheet
from reports.minutes import count_minutes
from review import rules, vocabulary
from review.extensions import db
from review.meetingfile import POSITION_LABELS, loads
from review.models import Meeting, Role
from review.text import (
    CLOCK_WORDS_BLANK,
    LONG_DAY_BLANK,
    WHEN_FORMS,
    clock_words,
    day_text,
    format_when,
    long_day_text,
    moment_text,
)
from review.vocabulary import BLANK_LABEL
from review.ward.overview import COUNTING, NO_MEETING, RECORDING, SEALED, STATE_LABELS

from helpers import signed_in

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "review" / "data" / "thuong-thanh-2020.json"
FLAGS = [getattr(rules, name) for name in dir(rules) if name.startswith("FLAG_") and name != "FLAG_LABELS"]


def pdf_text(data: bytes) -> str:
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text))


# ---------------------------------------------------------------------------
# Every value has its label


@pytest.mark.parametrize(
    ("values", "labels"),
    [
        (rules.Level, vocabulary.LEVEL_LABELS),
        (rules.Level, vocabulary.LEVEL_SHORT),
        (rules.NotRatedReason, rules.NOT_RATED_LABELS),
        (rules.Standing, vocabulary.STANDING_LABELS),
        (rules.Position, vocabulary.POSITION_LABELS),
        (rules.Attendance, vocabulary.ATTENDANCE_LABELS),
        (Role, vocabulary.ROLE_LABELS),
        ((NO_MEETING, RECORDING, COUNTING, SEALED), vocabulary.MEETING_STATE_LABELS),
        (rules.VOTE_FIELDS, vocabulary.VOTE_COLUMN_LABELS),
        (rules.VOTE_FIELDS, vocabulary.VOTE_COLUMN_SHORT),
        (FLAGS, rules.FLAG_LABELS),
    ],
)
def test_every_value_has_exactly_one_label(values, labels):
    assert {str(value) for value in values} == set(labels)
    assert all(
        label and label == label.strip() and unicodedata.is_normalized("NFC", label) for label in labels.values()
    )


def test_the_flags_are_the_rules_flags():
    assert len(FLAGS) == 7 and set(rules.FLAG_LABELS) == set(FLAGS)


def test_the_historical_names_are_views_of_the_vocabulary():
    # rules, the meeting file and the ward keep enum-keyed dictionaries: the same words, in the same order.
    for view, words in [
        (rules.LEVEL_LABELS, vocabulary.LEVEL_LABELS),
        (rules.LEVEL_SHORT, vocabulary.LEVEL_SHORT),
        (POSITION_LABELS, vocabulary.POSITION_LABELS),
        (STATE_LABELS, vocabulary.MEETING_STATE_LABELS),
    ]:
        assert list(view.items()) == list(words.items())
    # The wordings naming a rule parameter's value are the vocabulary's functions of the rules' value.
    assert {
        **vocabulary.FLAG_LABELS,
        rules.FLAG_SICK_LEAVE_CAP: vocabulary.sick_leave_cap_label(rules.SICK_LEAVE_CAP_MONTHS),
    } == rules.FLAG_LABELS
    assert {
        **vocabulary.NOT_RATED_LABELS,
        rules.NotRatedReason.NEW_MEMBER: vocabulary.new_member_label(rules.NEW_MEMBER_MONTHS),
    } == rules.NOT_RATED_LABELS
    assert all(isinstance(level, rules.Level) for level in rules.LEVEL_LABELS)
    assert rules.Level.GOOD.label == vocabulary.LEVEL_LABELS["good"] == "Hoàn thành tốt nhiệm vụ"
    assert vocabulary.LEVEL_LABELS[rules.Level.GOOD] == "Hoàn thành tốt nhiệm vụ"  # StrEnum keys read the words


def test_lower_first_keeps_the_party_capital():
    assert vocabulary.lower_first("Vào Đảng chưa đủ 6 tháng") == "vào Đảng chưa đủ 6 tháng"
    assert vocabulary.lower_first("") == ""


def test_the_vocabulary_loads_nothing_but_itself():
    import subprocess
    import sys

    code = "import sys, review.vocabulary; print(sorted(m for m in sys.modules if m.startswith(('review', 'flask'))))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT).stdout
    assert "flask" not in out and "review.rules" not in out


# ---------------------------------------------------------------------------
# One wording of the blank marks


def test_no_other_wording_of_the_blank_marks_is_left():
    others = ("gạch xóa", "Bỏ trống / hỏng", "phiếu để trống")
    for path in [*ROOT.glob("review/**/*.py"), *ROOT.glob("review/templates/**/*.html"), *ROOT.glob("reports/*.py")]:
        if path.name == "vocabulary.py":
            continue  # its comment names the wordings it replaced
        text = path.read_text(encoding="utf-8")
        assert not [o for o in others if o in text], path
        assert "Bỏ trống, hỏng" not in text, f"{path}: the wording is written only in review/vocabulary.py"


def test_the_blank_marks_read_the_same_in_the_documents():
    mf, problems = loads(SEED.read_text(encoding="utf-8"))
    assert mf is not None, problems
    assert BLANK_LABEL in pdf_text(count_minutes(mf, mf.evaluate(), None))
    assert BLANK_LABEL in pdf_text(tally_sheet(mf))


def test_the_blank_marks_read_the_same_on_the_results_page(app, runner, seed_path, make_user):
    result = runner.invoke(args=["meeting", "import", str(seed_path)])
    assert result.exit_code == 0, result.output
    with app.app_context():
        meeting = db.session.scalars(select(Meeting)).one()
        make_user("bithu", "secretary", cell_id=meeting.cell_id)
        meeting_id = meeting.id
    page = signed_in(app, "bithu").get(f"/meetings/{meeting_id}/results").get_data(as_text=True)
    assert f'<abbr title="{BLANK_LABEL}">Trống</abbr>' in page
    # The seal's moment (sealed by import) in the pages' one form of a moment to the minute.
    assert re.search(r"<dt>Lúc</dt><dd>\d\d:\d\d ngày \d\d/\d\d/\d{4}</dd>", page)


# ---------------------------------------------------------------------------
# One date filter


def test_the_date_forms():
    assert day_text(date(2020, 3, 5)) == "05/03/2020"
    assert day_text(datetime(2020, 11, 27, 14, 0)) == "27/11/2020"
    assert moment_text(datetime(2020, 1, 2, 0, 0)) == "00:00 ngày 02/01/2020"  # midnight
    assert moment_text(datetime(2020, 1, 2, 9, 5, 7), seconds=True) == "09:05:07 ngày 02/01/2020"
    assert long_day_text(date(2020, 11, 27)) == "ngày 27 tháng 11 năm 2020"
    assert long_day_text(date(2021, 3, 5)) == "ngày 05 tháng 03 năm 2021"  # as the documents always wrote it
    assert long_day_text(None) == LONG_DAY_BLANK == "ngày ... tháng ... năm ......"
    assert clock_words(datetime(2020, 11, 27, 14, 0)) == "14 giờ 00 phút"
    assert clock_words(datetime(2020, 11, 27, 9, 5)) == "9 giờ 05 phút"
    assert clock_words(datetime(2020, 11, 27, 0, 0)) == "0 giờ 00 phút"
    assert clock_words(None) == CLOCK_WORDS_BLANK


def test_format_when_dispatches_and_leaves_none_empty():
    moment = datetime(2020, 11, 27, 16, 45, 3)
    assert format_when(moment) == "27/11/2020"
    assert format_when(moment, "minute") == "16:45 ngày 27/11/2020"
    assert format_when(moment, "second") == "16:45:03 ngày 27/11/2020"
    assert format_when(moment, "long") == "ngày 27 tháng 11 năm 2020"
    assert [format_when(None, form) for form in WHEN_FORMS] == [""] * len(WHEN_FORMS)
    with pytest.raises(ValueError):
        format_when(moment, "iso")
    with pytest.raises(TypeError):
        format_when(date(2020, 11, 27), "minute")  # a date has no time of day


@given(st.datetimes(min_value=datetime(1930, 1, 1), max_value=datetime(2200, 12, 31)))
def test_the_forms_write_what_strftime_wrote(moment):
    # The formats the templates and routes used before: the output did not change where it was consistent.
    assert day_text(moment.date()) == moment.strftime("%d/%m/%Y")
    assert format_when(moment, "minute") == moment.strftime("%H:%M ngày %d/%m/%Y")
    assert format_when(moment, "second") == moment.strftime("%H:%M:%S ngày %d/%m/%Y")


def test_the_filter_is_registered_once_for_every_template(app):
    template = app.jinja_env.from_string(
        "{{ d|when }}|{{ m|when('minute') }}|{{ m|when('second') }}|{{ d|when('long') }}|{{ none|when }}|"
        "{{ BLANK_LABEL }}|{{ STANDING_LABELS['probationary'] }}"
    )
    out = template.render(d=date(2020, 3, 5), m=datetime(2020, 3, 5, 0, 0, 9), none=None)
    assert (
        out
        == "05/03/2020|00:00 ngày 05/03/2020|00:00:09 ngày 05/03/2020|ngày 05 tháng 03 năm 2020||Bỏ trống, hỏng|Dự bị"
    )


def test_no_template_formats_a_date_itself():
    for path in ROOT.glob("review/templates/**/*.html"):
        assert "strftime" not in path.read_text(encoding="utf-8"), path
