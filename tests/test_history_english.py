"""The history page, the audit check and the backup report in English (issue 17); data stays as logged."""

from __future__ import annotations

import html
from pathlib import Path

from flask_babel import force_locale

from review.audit import SealAnchor, anchor_problem
from review.backup import Summary, report
from review.history.presenters import ENTRY_LABELS, ENTRY_WORDS, UNKNOWN, YES
from review.history.routes import history_value

from test_history_pages import CHIEF, SECRETARY, cards_of, sealed_history
from test_results_pages import agreed, people, seal_by_both, unsealed  # noqa: F401  (fixtures)

ENGLISH = {"Accept-Language": "en"}


def test_the_words_inside_a_line_are_the_entries_lowered():
    assert {key: w.lower() for key, w in ENTRY_LABELS.items()} == ENTRY_WORDS


def test_only_the_presenters_words_are_translated_not_the_data(app):  # type: ignore[no-untyped-def]
    with app.test_request_context(headers=ENGLISH):
        assert history_value(YES) == "yes" and history_value(UNKNOWN) == "(unknown)"
        assert history_value("có") == "có"  # a value someone typed is shown as it was logged
        assert history_value(3) == 3


def test_the_history_page_reads_in_english(app, unsealed):  # type: ignore[no-untyped-def]
    client, url = sealed_history(app, unsealed)
    page = html.unescape(client.get(url, headers=ENGLISH).text)
    assert "<h1>Change log</h1>" in page and "Filter the log" in page and "Everyone" in page
    cards = cards_of(page)
    assert '<h2 id="step-tally">Voting and vote count</h2>' in page
    assert "<h3>Votes for <bdi>Nguyễn Thị Ngọc Hân</bdi></h3>" in cards["tally"]  # the name as it is
    assert "<h3>The cell's row</h3>" in cards["tally"] and "Vote-count row (first entry): added" in cards["tally"]
    approved = f"Chief of the vote-counting committee <bdi>{CHIEF}</bdi>, Cell secretary <bdi>{SECRETARY}</bdi>"
    assert f"once {approved} had confirmed" in cards["seal"]
    assert f'history-who">Seal (confirmed by: {approved})</span>' in cards["seal"]
    for vietnamese in ("Nhật ký thay đổi", "Phiếu của đồng chí", "Dòng chi bộ", "xác nhận:", "Mọi người", "Mục "):
        assert vietnamese not in page.split("<main", 1)[1]
    # The same page in Vietnamese, as it always read.
    vietnamese = html.unescape(client.get(url).text)
    assert "<h3>Phiếu của đồng chí <bdi>Nguyễn Thị Ngọc Hân</bdi></h3>" in vietnamese and "Change log" not in vietnamese


def test_a_bad_day_is_answered_in_english(app, unsealed):  # type: ignore[no-untyped-def]
    client, url = sealed_history(app, unsealed)
    response = client.get(f"{url}?since=31/02/2026", headers=ENGLISH)
    assert response.status_code == 422
    assert "Invalid date: enter day/month/year, e.g. 02/12/2026." in html.unescape(response.text)


def test_the_audit_check_and_the_backup_report_in_english(app):  # type: ignore[no-untyped-def]
    seal = SealAnchor(3, 1, "Chi bộ 1", 2026, 2, "f" * 64, None, True)
    summary = Summary(Path("backup.db"), 12345, {"member": 1, "cell": 1233})
    with app.test_request_context(headers=ENGLISH):
        assert anchor_problem(seal) == (
            "Seal version 2 of meeting 1: the log has no entry recording the sealing "
            "(that entry was deleted or the chain was cut)."
        )
        assert report(summary)[0] == "backup.db: 12,345 bytes, 2 tables, 1,234 rows."
    with app.test_request_context():
        assert anchor_problem(seal).startswith("Niêm phong phiên bản 2 của hội nghị 1: nhật ký không có mục")
        assert report(summary) == ["backup.db: 12.345 byte, 2 bảng, 1.234 dòng.", "  cell: 1.233", "  member: 1"]


def test_audit_verify_in_english(app, runner):  # type: ignore[no-untyped-def]
    with app.app_context(), force_locale("en"):
        result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "OK: 0 log entries, the hash chain matches. Last hash: " in result.output
    assert "The anchors of 0 seals are in the chain" in result.output
