"""The ward's pages in English (issue 17): the same pages, read with ``Accept-Language: en``.

The data (the organisation's and cells' names) stays as typed; the documents in the ZIP stay
Vietnamese (test_ward_pages checks them): only the interface's words change.
"""

from __future__ import annotations

import io
import zipfile

from helpers import csrf_token
from test_ward_pages import (  # noqa: F401 (the fixtures, shared)
    ORGANIZATION,
    SEED_CELL,
    job_id_of,
    page,
    pdf_text,
    ward,
    ward_client,
)

ENGLISH = {"Accept-Language": "en"}


def content(html: str) -> str:
    """Return the page's own content (the menu's words are base.html's, not the ward's)."""
    return html[html.index("<main") : html.index("</main>")]


def test_dashboard_in_english(ward_client):  # type: ignore[no-untyped-def]
    html = page(ward_client.get("/organizations/1", headers=ENGLISH))
    assert '<html lang="en"' in html
    assert f"<h1><bdi>{ORGANIZATION}</bdi></h1>" in html  # the name is data: as typed
    assert "Review, assessment and quality rating for 2020." in html
    assert "Totals across the organisation" in html
    assert ">Meeting minutes</a>" in html and ">Vote-count minutes</a>" in html
    assert "Download all documents" in html and "Make the ZIP file" in html
    assert f"<bdi>{SEED_CELL}</bdi>" in html
    for vietnamese in ("Tổng hợp toàn đảng bộ", "Tải toàn bộ tài liệu", "Biên bản kiểm phiếu", "Tình trạng"):
        assert vietnamese not in content(html)


def test_export_progress_in_english_the_zip_in_vietnamese(app, ward, ward_client):  # type: ignore[no-untyped-def]
    app.config["EXPORT_RUN_INLINE"] = True
    token = csrf_token(ward_client, "/organizations/1")
    response = ward_client.post("/organizations/1/exports", data={"csrf_token": token, "year": "2020"}, headers=ENGLISH)
    job_id = job_id_of(response)
    data = ward_client.get(f"/exports/{job_id}.json", headers=ENGLISH).get_json()
    assert data["status_label"] == "Done"
    assert data["text"] == f"Finished: {data['done']}/{data['total']} documents made."
    html = page(ward_client.get(f"/exports/{job_id}", headers=ENGLISH))
    assert "Download the ZIP file" in html and "Tải tệp ZIP" not in content(html)
    # The same job read in Vietnamese says it in Vietnamese: nothing was translated for good.
    assert ward_client.get(f"/exports/{job_id}.json").get_json()["text"].startswith("Đã tạo xong")
    archive = zipfile.ZipFile(io.BytesIO(ward_client.get(f"/exports/{job_id}/download").data))
    minutes = next(name for name in archive.namelist() if "bien-ban-hoi-nghi" in name and name.endswith(".pdf"))
    assert "BIÊN BẢN" in pdf_text(archive.read(minutes)).upper()


def test_rules_pages_in_english(ward_client):  # type: ignore[no-untyped-def]
    html = page(ward_client.get("/organizations/1/rules", headers=ENGLISH))
    assert "Assessment and rating rules by year" in html and "Set the rules for a year" in html
    html = page(ward_client.get("/organizations/1/rules/2020", headers=ENGLISH))
    assert "Assessment and rating rules for 2020" in html
    assert "Save the 2020 rules" in html or "already has sealed vote counts" in html
    assert "Quy định đánh giá, xếp loại năm" not in content(html)
