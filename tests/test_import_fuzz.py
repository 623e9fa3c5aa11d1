"""The meeting file import through the command line, fed random and mutated files.

``tests/test_meetingfile.py`` fuzzes the pure reader; here the same hostile files go the whole
way, through ``flask --app review meeting import`` into SQLite and PostgreSQL: the command
exits 0 with the new meeting's id, or 1 with every problem and nothing stored; never a
traceback, never a half-stored meeting, never a text that is not NFC or holds a control
character (PostgreSQL refuses NUL outright).
"""

from __future__ import annotations

import itertools
import json
from typing import Any

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from test_bad_input import VIETNAMESE, assert_stored_text_is_clean, snapshot
from test_meetingfile import FREE_TEXT_LEAVES, _at, json_values, mutated_seeds, seed, texts

SETTINGS = settings(
    max_examples=30,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture],
)


def check_import(app, runner, path, content: bytes) -> str:  # type: ignore[no-untyped-def]
    """Import ``content``; check the exit, the output and the database. Return the outcome."""
    path.write_bytes(content)
    before = snapshot(app)
    result = runner.invoke(args=["meeting", "import", str(path)])
    after = snapshot(app)
    assert result.exit_code in (0, 1), (result.exit_code, result.output, result.exception)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    output = result.output.strip()
    if result.exit_code == 1:
        assert after == before, "a refused file stored something"
        assert output and VIETNAMESE.search(output), output
        return "refused"
    assert output.splitlines()[-1].isdigit(), output
    assert after != before
    assert_stored_text_is_clean(after)
    return "stored"


def unique_cell(doc: Any, number: int) -> Any:
    """Give the document's cell a name of its own (when it still has the seed's), so it can be stored."""
    organization = doc.get("organization") if isinstance(doc, dict) else None
    if isinstance(organization, dict) and organization.get("cell") == seed()["organization"]["cell"]:
        organization["cell"] = f"Chi bộ thử số {number}"
    return doc


def test_mutated_seeds_import_whole_or_not_at_all(app, runner, tmp_path) -> None:
    numbers = itertools.count()

    @SETTINGS
    @given(mutated_seeds())
    def run(doc: dict[str, Any]) -> None:
        n = next(numbers)
        content = json.dumps(unique_cell(doc, n), ensure_ascii=False).encode("utf-8", "surrogatepass")
        event(check_import(app, runner, tmp_path / f"mutated-{n}.json", content))

    run()


def test_hostile_text_in_any_text_of_the_file(app, runner, tmp_path) -> None:
    numbers = itertools.count()

    @SETTINGS
    @given(st.sampled_from(FREE_TEXT_LEAVES), texts)
    def run(path: tuple[str | int, ...], value: str) -> None:
        n = next(numbers)
        doc = unique_cell(seed(), n)
        _at(doc, path[:-1])[path[-1]] = value
        content = json.dumps(doc, ensure_ascii=False).encode("utf-8", "surrogatepass")
        event(check_import(app, runner, tmp_path / f"text-{n}.json", content))

    run()


def test_random_json_and_random_bytes_are_refused_cleanly(app, runner, tmp_path) -> None:
    numbers = itertools.count()
    documents = json_values.map(lambda v: json.dumps(v, ensure_ascii=False).encode("utf-8", "surrogatepass"))
    encodings = st.sampled_from(["utf-8", "utf-16", "latin-1", "utf-8-sig"])
    seed_text = json.dumps(seed(), ensure_ascii=False)
    reencoded = encodings.map(lambda e: seed_text.encode(e, "replace"))
    cut = st.integers(min_value=0, max_value=len(seed_text)).map(lambda i: seed_text[:i].encode("utf-8"))

    @SETTINGS
    @given(st.one_of(documents, st.binary(max_size=300), reencoded, cut))
    def run(content: bytes) -> None:
        n = next(numbers)
        event(check_import(app, runner, tmp_path / f"random-{n}.json", content))

    run()


def test_a_line_break_before_a_combining_mark_is_stored_and_logged_clean(app, runner, tmp_path) -> None:
    """NFC as typed: the audit log's JSON escapes the break, its recorded texts stay clean."""
    doc = unique_cell(seed(), 0)
    first = doc["members"][0]
    first["review"]["summary"] = "Dòng một\n\u0301 dòng hai\t\u0323"
    assert check_import(app, runner, tmp_path / "break.json", json.dumps(doc, ensure_ascii=False).encode()) == "stored"
