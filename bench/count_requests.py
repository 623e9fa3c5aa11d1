"""A pytest plugin that counts the requests each test sends to the application (for docs/scale.md).

    PYTHONPATH=. REVIEW_TEST_BACKENDS=sqlite .venv/bin/pytest -p bench.count_requests -s \
        tests/test_browser_recording.py::test_secretary_records_the_seed_meeting_from_an_empty_year \
        tests/test_browser_counting.py

Prints, after each test, its page loads (GET), form posts (POST) and static files. Not part of
the suite: it patches Flask's dispatch for the whole process.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

import flask
import pytest

COUNTS: Counter[str] = Counter()
_dispatch = flask.Flask.full_dispatch_request


def _counted(self: flask.Flask) -> Any:
    endpoint = flask.request.endpoint or "?"
    COUNTS["static" if endpoint == "static" else flask.request.method] += 1
    return _dispatch(self)


flask.Flask.full_dispatch_request = _counted  # type: ignore[method-assign]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    COUNTS.clear()
    yield
    print(f"\nREQUESTS {item.nodeid}: {dict(COUNTS)}")
