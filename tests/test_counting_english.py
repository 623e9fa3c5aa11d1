"""The counting and results pages in English (issue 17): the same pages, the same checks, English words."""

from __future__ import annotations

import pytest

from test_counting_pages import post, seed_ballot, text, world  # noqa: F401 (the fixture)


def main_part(page: str) -> str:
    """Return the page's main content (the menu is another part's)."""
    return page[page.index('<main id="main"') : page.index("</main>")]


@pytest.fixture
def english(client):  # type: ignore[no-untyped-def]
    """The test client, its browser asking for English."""
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def test_the_tally_page_reads_in_english(app, english, login, world):
    login("kp1")
    whole = text(english.get(f"/meetings/{world['meeting']}/tally"))
    assert '<html lang="en"' in whole
    page = main_part(whole)
    for words in ("Enter the vote count", "Checks of the figures", "Save the entry", "Valid ballots"):
        assert words in page
    for words in ("Nhập kết quả kiểm phiếu", "Lưu bản nhập", "Kiểm tra số liệu"):
        assert words not in page


def test_the_live_check_answers_in_the_pages_language(app, english, login, world, seed_path):
    login("kp1")
    url = f"/meetings/{world['meeting']}/tally"
    check = f"{url}/check"
    headers = {"X-Autosave": "1"}
    response = post(english, check, seed_ballot(seed_path) | {"rows-m03-good": "3"}, form_url=url, headers=headers)
    [problem] = response.json["problems"]
    # The name is data, kept as written; the sentence around it is English.
    assert problem["message"].startswith("Row Phan Thị Hòa")
    assert problem["message"].endswith(": The boxes add up to 8 + 3 + 0 + 0 + 0 = 11, not the 10 valid ballots.")
    bad = post(english, check, seed_ballot(seed_path) | {"issued": "-3"}, form_url=url, headers=headers)
    assert bad.json["errors"] == {"issued": ["A whole number, not negative, is needed."]}


def test_the_results_page_reads_in_english(app, english, login, world):
    login("bithu")
    page = main_part(text(english.get(f"/meetings/{world['sealed']}/results")))
    for words in ("Rating vote results", "Rules applied", "Official results, computed from the sealed vote count."):
        assert words in page
    assert "Quy định đã áp dụng" not in page and "Kết quả bỏ phiếu xếp loại" not in page
    # The regulations the profile rests on: their kind in English, their numbers as the Party writes them.
    assert "Regulation 132-QĐ/TW (2018)" in page
