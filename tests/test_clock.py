"""One clock, one convention: instants are read as aware UTC, stored as UTC, shown in local time.

These tests run in Asia/Ho_Chi_Minh (UTC+7, tests/conftest.py), as the suite does: a local time stored where UTC
belongs, or a UTC time shown where local belongs, is seven hours off here.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select, text

import review.clock
from review import clock
from review.documents import seal_info
from review.extensions import db
from review.history.routes import local_instant
from review.models import AuditEntry, Meeting, Seal
from review.text import format_when

from helpers import signed_in

# 09:45:07 UTC is 16:45:07 in Hà Nội (UTC+7, no daylight saving time).
FROZEN = datetime(2020, 11, 27, 9, 45, 7, tzinfo=UTC)
LOCAL = datetime(2020, 11, 27, 16, 45, 7)


@pytest.fixture(autouse=True)
def in_vietnam(vietnam_time):  # type: ignore[no-untyped-def]
    """Every test here reads the clock in Hà Nội, whatever zone the suite runs in (REVIEW_TEST_TZ)."""


@pytest.fixture
def frozen(monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(review.clock, "instant", lambda: FROZEN)


def test_these_tests_read_the_clock_in_vietnam():
    assert datetime(2020, 1, 1, tzinfo=UTC).astimezone().utcoffset() == timedelta(hours=7)


def test_now_is_the_aware_utc_instant_and_local_times_derive_from_it(frozen):
    assert clock.now() == FROZEN and clock.now().utcoffset() == timedelta(0)
    assert clock.civil_now() == LOCAL and clock.civil_now().tzinfo is None
    assert clock.today() == date(2020, 11, 27)
    assert clock.utc_naive(clock.now()) == datetime(2020, 11, 27, 9, 45, 7)
    with pytest.raises(ValueError):
        clock.utc_naive(LOCAL)  # a naive time is not an instant


def test_local_converts_instants_only():
    assert clock.local(FROZEN) == LOCAL
    assert clock.local(LOCAL) is LOCAL  # a civil time, as typed
    assert clock.local(date(2020, 11, 27)) == date(2020, 11, 27)
    assert clock.local(None) is None


def test_the_when_filter_shows_an_instant_in_local_time_and_a_civil_time_as_it_is(app):
    template = app.jinja_env.from_string("{{ i|when('second') }}|{{ c|when('minute') }}|{{ i|when('time') }}")
    assert template.render(i=FROZEN, c=LOCAL) == "16:45:07 ngày 27/11/2020|16:45 ngày 27/11/2020|16:45:07"
    with pytest.raises(TypeError):
        format_when(FROZEN, "minute")  # the pure function takes wall-clock times: the shell converts


def test_an_instant_column_stores_naive_utc_and_refuses_a_naive_time(app, runner, seed_path, frozen):
    result = runner.invoke(args=["meeting", "import", str(seed_path)])  # sealed now (frozen)
    assert result.exit_code == 0, result.output
    with app.app_context():
        seal = db.session.scalar(select(Seal))
        assert seal.sealed_at == FROZEN and seal.sealed_at.utcoffset() == timedelta(0)
        stored = db.session.execute(text("SELECT sealed_at FROM seal")).scalar_one()
        assert str(stored).startswith("2020-11-27 09:45:07")  # UTC in the column
        meeting = db.session.scalar(select(Meeting))
        assert seal_info(meeting).sealed_at == "16:45 ngày 27/11/2020"  # the PDF footer: local
        meeting.roll_called_at = LOCAL
        with pytest.raises(Exception, match="aware datetime"):
            db.session.flush()
        db.session.rollback()
        # The audit trail keeps its time naive UTC, and logs an instant with its offset.
        entry = db.session.scalar(select(AuditEntry).where(AuditEntry.table_name == "seal"))
        assert entry.at == datetime(2020, 11, 27, 9, 45, 7)
        assert json.loads(entry.after)["sealed_at"] == "2020-11-27T09:45:07+00:00"


def test_pages_show_the_seal_time_in_local_time(app, runner, seed_path, make_user, frozen):
    assert runner.invoke(args=["meeting", "import", str(seed_path)]).exit_code == 0
    make_user("bithu", "secretary", cell_id=1)
    client = signed_in(app, "bithu")
    results = client.get("/meetings/1/results").get_data(as_text=True)
    assert "<dd>16:45 ngày 27/11/2020</dd>" in results
    history = client.get("/meetings/1/history").get_data(as_text=True)
    assert "16:45:07 ngày 27/11/2020" in history  # the entry's time
    assert "2020-11-27T16:45:07" in history and "09:45:07" not in history  # the logged sealed_at, local


def test_the_history_shows_a_logged_instant_local_and_a_naive_one_as_logged():
    assert local_instant("2020-11-27T09:45:07+00:00") == "2020-11-27T16:45:07"
    assert local_instant("2020-11-27T16:45:07") == "2020-11-27T16:45:07"  # logged before migration 0013
    assert local_instant("Báo cáo 2020-11-27T09:45:07+00:00") == "Báo cáo 2020-11-27T09:45:07+00:00"
    assert local_instant(7) == 7
