"""Every download names its file by RFC 5987 and is never cached: one helper (review/downloads.py)."""

from __future__ import annotations

import inspect

from review import downloads
from review.meeting import files
from review.roster import routes as roster_routes
from review.ward import meeting_files
from review.ward import routes as ward_routes


def test_a_vietnamese_name_is_sent_whole_with_an_ascii_fallback() -> None:
    header = downloads.content_disposition('hội nghị "2020".json')
    assert header.isascii()
    assert header.startswith('attachment; filename="h_i ngh_ _2020_.json"; ')
    assert header.endswith("filename*=UTF-8''h%E1%BB%99i%20ngh%E1%BB%8B%20%222020%22.json")
    assert downloads.content_disposition("a.pdf", inline=True).startswith('inline; filename="a.pdf"')


def test_a_download_is_never_cached(app) -> None:
    with app.test_request_context():
        response = downloads.download(b"x", "danh sách.csv", "text/csv")
    assert response.headers["Cache-Control"] == "private, no-store"
    assert "filename*=UTF-8''danh%20s%C3%A1ch.csv" in response.headers["Content-Disposition"]


def test_every_download_route_uses_the_one_helper() -> None:
    for module in (files, meeting_files, ward_routes, roster_routes):
        source = inspect.getsource(module)
        assert "Content-Disposition" not in source and 'Cache-Control"] = "no-store' not in source, module
    assert roster_routes.download is downloads.download
    assert files.json_download is downloads.json_download
