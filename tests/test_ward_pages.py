"""The ward committee's pages: the organisation's cells, totals, quota, documents and the ZIP."""

from __future__ import annotations

import io
import json
import re
import threading
import time
import unicodedata
import zipfile
from pathlib import Path

import docx
import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from review.counting import eligible_counters, set_committee
from review.database import write_transaction
from review.extensions import db
from review.meeting_store import load_meeting
from review.models import Cell, ExportJob, Meeting, Organization, Seal

from helpers import csrf_token, signed_in

WARD = "danguy"
OTHER_WARD = "danguy-khac"
ORGANIZATION = "Đảng bộ phường Thượng Thanh"
SEED_CELL = "Chi bộ Trường Mầm non Thượng Thanh"
SEALED_COPY = "Chi bộ Khu dân cư số 1"
COUNTING_COPY = "Chi bộ Khu dân cư số 2"
RECORDING_COPY = "Chi bộ Khu dân cư số 3"
EMPTY_CELL = "Chi bộ Khu dân cư số 4"
OTHER_ORGANIZATION = "Đảng bộ phường Đức Giang"
ROW = re.compile(r'<tr data-cell="(\d+)" data-state="(\w+)">(.*?)</tr>', re.S)


# ---------------------------------------------------------------------------
# Helpers


def import_copy(
    runner, seed_path: Path, tmp_path: Path, cell: str, *, parent: str | None = None, ballot: bool = True
) -> None:  # type: ignore[no-untyped-def]
    """Import the seed under another cell name (and organisation), with or without its ballot."""
    document = json.loads(seed_path.read_text(encoding="utf-8"))
    document["organization"]["cell"] = cell
    if parent is not None:
        document["organization"]["parent"] = parent
    if not ballot:
        document.pop("ballot")
    path = tmp_path / f"copy-{len(list(tmp_path.glob('copy-*')))}.json"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    result = runner.invoke(args=["meeting", "import", str(path)])
    assert result.exit_code == 0, result.output


def ids_by_name(app) -> dict[str, tuple[int, int | None]]:  # type: ignore[no-untyped-def]
    """Return cell name -> (cell id, its 2020 meeting id or None)."""
    with app.app_context():
        cells = db.session.scalars(select(Cell)).all()
        return {c.name: (c.id, c.meetings[0].id if c.meetings else None) for c in cells}


def page(response) -> str:  # type: ignore[no-untyped-def]
    return unicodedata.normalize("NFC", response.get_data(as_text=True))


def pdf_text(data: bytes) -> str:
    """Return the PDF's text, NFC, whitespace runs folded."""
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    return re.sub(r"[ \t]+", " ", unicodedata.normalize("NFC", text))


def states(html: str) -> dict[int, str]:
    return {int(cell): state for cell, state, _ in ROW.findall(html)}


def row_html(html: str, cell_id: int) -> str:
    return next(body for cell, _, body in ROW.findall(html) if int(cell) == cell_id)


def start_export(client, organization_id: int = 1, year: str = "2020"):  # type: ignore[no-untyped-def]
    token = csrf_token(client, f"/organizations/{organization_id}")
    return client.post(f"/organizations/{organization_id}/exports", data={"csrf_token": token, "year": year})


def job_id_of(response) -> int:  # type: ignore[no-untyped-def]
    assert response.status_code == 303, response.get_data(as_text=True)
    match = re.fullmatch(r"/exports/(\d+)", response.headers["Location"])
    assert match, response.headers["Location"]
    return int(match.group(1))


@pytest.fixture
def ward(app, runner, seed_path, tmp_path, make_user):  # type: ignore[no-untyped-def]
    """One organisation with five cells in 2020, one of each state, and another organisation.

    The seed and a copy are sealed; a copy has its ballot committee (counting); a copy has
    neither committee nor tally (recording); a cell has no meeting. Returns name -> ids.
    """
    assert runner.invoke(args=["meeting", "import", str(seed_path)]).exit_code == 0
    import_copy(runner, seed_path, tmp_path, SEALED_COPY)
    import_copy(runner, seed_path, tmp_path, COUNTING_COPY, ballot=False)
    import_copy(runner, seed_path, tmp_path, RECORDING_COPY, ballot=False)
    import_copy(runner, seed_path, tmp_path, "Chi bộ Khu phố Đức Giang", parent=OTHER_ORGANIZATION)
    with app.app_context():
        organization = db.session.scalar(select(Organization).where(Organization.name == ORGANIZATION))
        other = db.session.scalar(select(Organization).where(Organization.name == OTHER_ORGANIZATION))
        assert (organization.id, other.id) == (1, 2)
        with write_transaction():
            db.session.add(Cell(organization_id=organization.id, name=EMPTY_CELL))
        meeting_id = db.session.scalar(select(Meeting.id).join(Meeting.cell).where(Cell.name == COUNTING_COPY))
        meeting = load_meeting(meeting_id)
        counters = [p.member_id for p in eligible_counters(meeting)[:2]]
        with write_transaction():
            set_committee(load_meeting(meeting_id), counters, counters[0])
    make_user(WARD, "ward", organization_id=1)
    make_user(OTHER_WARD, "ward", organization_id=2)
    app.config["EXPORT_DIR"] = str(tmp_path / "exports")
    return ids_by_name(app)


@pytest.fixture
def ward_client(app, ward):  # type: ignore[no-untyped-def]
    return signed_in(app, WARD)


# ---------------------------------------------------------------------------
# The dashboard


def test_dashboard_shows_every_cell_with_its_state(app, ward, ward_client):
    response = ward_client.get("/organizations/1")
    assert response.status_code == 200
    html = page(response)
    assert "<h1><bdi>Đảng bộ phường Thượng Thanh</bdi></h1>" in html and "năm 2020" in html
    assert states(html) == {
        ward[SEED_CELL][0]: "sealed",
        ward[SEALED_COPY][0]: "sealed",
        ward[COUNTING_COPY][0]: "counting",
        ward[RECORDING_COPY][0]: "recording",
        ward[EMPTY_CELL][0]: "none",
    }
    assert "Chi bộ Khu phố Đức Giang" not in html  # another organisation's cell
    labels = {
        SEED_CELL: "Đã niêm phong",
        COUNTING_COPY: "Đang kiểm phiếu",
        RECORDING_COPY: "Đang ghi biên bản",
        EMPTY_CELL: "Chưa có hội nghị",
    }
    for name, label in labels.items():
        assert label in row_html(html, ward[name][0]), name
    seed = row_html(html, ward[SEED_CELL][0])
    assert "bản 1" in seed
    # Proposed levels of the seed (2 excellent, 8 good) and the cell's own level.
    assert re.findall(r'<td class="num" data-label="[^"]+">(\d+)</td>', seed) == ["2", "8", "0", "0"]
    assert '<abbr title="Hoàn thành xuất sắc nhiệm vụ">HTXSNV</abbr></td>' in seed
    assert "Vượt tỉ lệ trong chi bộ" in seed
    assert re.findall(r'<td class="num"[^>]*>(\d+)</td>', row_html(html, ward[COUNTING_COPY][0])) == []


def test_dashboard_links_each_meetings_documents_drafts_marked(app, ward, ward_client):
    html = page(ward_client.get("/organizations/1"))
    for name in (SEED_CELL, SEALED_COPY, COUNTING_COPY, RECORDING_COPY):
        meeting_id = ward[name][1]
        row = row_html(html, ward[name][0])
        assert f'href="/meetings/{meeting_id}/documents/minutes.pdf"' in row
        assert f'href="/meetings/{meeting_id}/documents/count-minutes.pdf"' in row
        assert ("Dự thảo" in row) is (name in (COUNTING_COPY, RECORDING_COPY))
    empty = row_html(html, ward[EMPTY_CELL][0])
    assert "documents" not in empty and "Chưa có" in empty


def test_dashboard_totals_count_sealed_cells_only(app, ward, ward_client):
    html = page(ward_client.get("/organizations/1"))
    totals = dict(re.findall(r'data-total="(\w+)">(\d+)<', html))
    assert totals == {"excellent": "4", "good": "16", "completed": "0", "not_completed": "0", "not_rated": "0"}
    cells = dict(re.findall(r'data-cells="(\w+)">(\d+)<', html))
    assert cells == {"excellent": "2", "good": "0", "completed": "0", "not_completed": "0"}
    assert "Chỉ tính 2 chi bộ đã niêm phong kết quả; 3 chi bộ chưa niêm phong chưa được tính." in html
    # The chart: server-drawn SVG, the longest bar full width, no inline style or script anywhere.
    bars = dict(re.findall(r'<g class="bar bar-(\w+)">.*?<rect x="80" y="\d+" width="([\d.]+)"', html, re.S))
    assert bars == {"excellent": "65.0", "good": "260.0", "completed": "0.0", "not_completed": "0.0"}
    assert 'role="img"' in html and "<desc" in html
    assert "style=" not in html
    assert not re.search(r"<script(?![^>]*\bsrc=)", html)


def test_the_totals_come_from_the_seals_summary_rows(app, ward, ward_client):
    """The dashboard adds up the summary rows written with each seal; a seal without one is an error."""
    from review.models import SealSummary
    from review.ward import overview

    first = page(ward_client.get("/organizations/1"))
    with app.app_context():
        seals = [(row.id, row.fingerprint) for row in db.session.execute(select(Seal.id, Seal.fingerprint))]
        assert len(seals) >= 2
        assert set(overview.results_of_seals(seals)) == {seal_id for seal_id, _ in seals}
        db.session.delete(db.session.get(SealSummary, seals[0][0]))
        db.session.commit()
        with pytest.raises(LookupError, match="summaries rebuild"):
            overview.results_of_seals(seals)
    result = app.test_cli_runner().invoke(args=["summaries", "rebuild"])
    assert result.exit_code == 0 and f"seal {seals[0][0]}" in result.output, result.output
    again = page(ward_client.get("/organizations/1"))
    totals = re.compile(r'data-total="(\w+)">(\d+)<')
    assert totals.findall(again) == totals.findall(first)


def test_quota_across_the_organisation_names_the_cells(app, ward, ward_client):
    html = page(ward_client.get("/organizations/1"))
    quota = re.search(
        r'data-quota data-pool="(\d+)" data-limit="(\d+)" data-excellent="(\d+)" data-exceeded="(\w+)"', html
    )
    assert quota and quota.groups() == ("16", "3", "4", "true")
    assert "Vượt 1 đồng chí so với mức tối đa 3." in html
    excellent = re.search(r"<ul class=\"plain\" data-excellent-cells>(.*?)</ul>", html, re.S).group(1)
    assert f"<bdi>{SEED_CELL}</bdi>: 2 đồng chí" in excellent and f"<bdi>{SEALED_COPY}</bdi>: 2 đồng chí" in excellent
    assert COUNTING_COPY not in excellent
    over = re.search(r"<ul class=\"plain\" data-over-quota-cells>(.*?)</ul>", html, re.S).group(1)
    assert f"<bdi>{SEED_CELL}</bdi>: đề nghị 2, tối đa 1 (trên 8 đồng chí)" in over
    assert f"<bdi>{SEALED_COPY}</bdi>: đề nghị 2, tối đa 1 (trên 8 đồng chí)" in over
    assert "không vượt quá 20% số đảng viên được đề nghị Hoàn thành tốt nhiệm vụ" in html


def test_quota_across_one_sealed_cell_and_another_year(app, ward, ward_client):
    # Reopening the copy's seal leaves the seed alone in the check: pool 8, limit 1, 2 excellent.
    with app.app_context():
        meeting = db.session.get(Meeting, ward[SEALED_COPY][1])
        with write_transaction():
            seal = meeting.current_seal
            seal.reopened_at, seal.reopen_reason = seal.sealed_at, "Kiểm tra lại"
    html = page(ward_client.get("/organizations/1"))
    assert states(html)[ward[SEALED_COPY][0]] == "counting"
    assert re.search(r'data-pool="8" data-limit="1" data-excellent="2" data-exceeded="true"', html)
    # A year without meetings: every cell has none, nothing to total or export.
    html = page(ward_client.get("/organizations/1?year=2019"))
    assert set(states(html).values()) == {"none"}
    assert "Chưa có chi bộ nào niêm phong kết quả năm 2019" in html
    assert "/exports" not in html
    assert 'aria-current="page">Năm 2019' in html


def test_admin_sees_any_organisation(app, ward, make_user):
    make_user("quantri", "admin")
    client = signed_in(app, "quantri")
    assert client.get("/organizations/1").status_code == 200
    assert client.get("/organizations/2").status_code == 200
    assert client.get("/organizations/99").status_code == 404


# ---------------------------------------------------------------------------
# Documents


def test_document_is_the_meetings_pdf(app, ward, ward_client):
    meeting_id = ward[SEED_CELL][1]
    response = ward_client.get(f"/meetings/{meeting_id}/documents/minutes.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    name = f"bien-ban-hoi-nghi-2020-chi-bo-{ward[SEED_CELL][0]}.pdf"
    assert response.headers["Content-Disposition"] == f"attachment; filename=\"{name}\"; filename*=UTF-8''{name}"
    assert response.headers["Cache-Control"] == "private, no-store"
    text = pdf_text(response.data)
    assert "BIÊN BẢN" in text and "Thượng Thanh, ngày 27 tháng 11 năm 2020" in text
    assert "DỰ THẢO" not in text

    count = ward_client.get(f"/meetings/{meeting_id}/documents/count-minutes.pdf")
    assert count.status_code == 200 and count.data.startswith(b"%PDF")
    assert "BAN KIỂM PHIẾU" in pdf_text(count.data)

    draft = ward_client.get(f"/meetings/{ward[RECORDING_COPY][1]}/documents/minutes.pdf")
    assert draft.status_code == 200 and "DỰ THẢO" in pdf_text(draft.data)

    assert ward_client.get(f"/meetings/{meeting_id}/documents/unknown.pdf").status_code == 404
    assert ward_client.get("/meetings/999/documents/minutes.pdf").status_code == 404


def test_document_for_the_cells_secretary_only(app, ward, make_user):
    seed_cell, seed_meeting = ward[SEED_CELL]
    make_user("bithu", "secretary", cell_id=seed_cell)
    make_user("bithu-khac", "secretary", cell_id=ward[SEALED_COPY][0])
    make_user("kiemphieu", "counter", cell_id=seed_cell)
    url = f"/meetings/{seed_meeting}/documents/ballot-paper.pdf"
    response = signed_in(app, "bithu").get(url)
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    assert signed_in(app, "bithu-khac").get(url).status_code == 404
    assert signed_in(app, "kiemphieu").get(url).status_code == 404  # a counter not on this meeting's committee
    assert signed_in(app, OTHER_WARD).get(url).status_code == 404
    anonymous = app.test_client().get(url)
    assert anonymous.status_code == 302 and anonymous.headers["Location"].startswith("/auth/login")


# ---------------------------------------------------------------------------
# The ZIP of a year's sealed documents


# The committee's decision (drafts here: nothing is issued) rides in every ZIP of the year.
# Each document as PDF and as its Word copy; the summary also as a workbook.
DECISION_FILES = {
    f"{stem}-2020-dang-bo-1.{extension}"
    for stem in ("quyet-dinh-xep-loai-dang-vien", "quyet-dinh-xep-loai-chi-bo", "bieu-tong-hop")
    for extension in ("pdf", "docx")
} | {"bieu-tong-hop-2020-dang-bo-1.xlsx"}
FILES = 15  # two sealed cells' two documents in two formats, the decision's seven files


def expected_names(ward) -> set[str]:  # type: ignore[no-untyped-def]
    return {
        f"{stem}-2020-chi-bo-{ward[name][0]}.{extension}"
        for name in (SEED_CELL, SEALED_COPY)
        for stem in ("bien-ban-hoi-nghi", "bien-ban-kiem-phieu")
        for extension in ("pdf", "docx")
    } | DECISION_FILES


def check_zip(client, job_id: int, ward) -> None:  # type: ignore[no-untyped-def]
    response = client.get(f"/exports/{job_id}/download")
    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="tai-lieu-2020-dang-bo-1.zip";')
    assert response.headers["Cache-Control"] == "private, no-store"
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        assert set(archive.namelist()) == expected_names(ward)
        for name in archive.namelist():
            data = archive.read(name)
            assert data.startswith(b"%PDF" if name.endswith(".pdf") else b"PK")
            if name.startswith("bien-ban-hoi-nghi") and name.endswith(".pdf"):
                assert "Thượng Thanh, ngày 27 tháng 11 năm 2020" in pdf_text(data)
            if name.endswith(".docx"):  # the Word copy opens, with the Party header of its PDF
                document = docx.Document(io.BytesIO(data))
                cells = [p.text for table in document.tables for cell in table._cells for p in cell.paragraphs]
                assert "ĐẢNG CỘNG SẢN VIỆT NAM" in cells, name
                if name.startswith("bien-ban-hoi-nghi"):
                    assert "Thượng Thanh, ngày 27 tháng 11 năm 2020" in " ".join(cells), name


def test_export_builds_the_zip_and_reports_progress(app, ward, ward_client, tmp_path):
    app.config["EXPORT_RUN_INLINE"] = True
    job_id = job_id_of(start_export(ward_client))
    progress = ward_client.get(f"/exports/{job_id}.json")
    assert progress.status_code == 200
    data = progress.get_json()
    assert (data["status"], data["done"], data["total"], data["finished"]) == ("done", FILES, FILES, True)
    assert data["download_url"] == f"/exports/{job_id}/download"
    html = page(ward_client.get(f"/exports/{job_id}"))
    assert f'<progress id="export-progress" data-export-bar max="{FILES}" value="{FILES}">' in html
    assert f"Đã tạo xong {FILES}/{FILES} tài liệu." in html
    assert f'href="/exports/{job_id}/download"' in html
    assert 'http-equiv="refresh"' not in html
    check_zip(ward_client, job_id, ward)
    with app.app_context():
        job = db.session.get(ExportJob, job_id)
        assert (job.organization_id, job.year, job.status, job.error) == (1, 2020, "done", "")
        assert job.user_id is not None and job.finished_at is not None
        assert Path(job.file_path) == tmp_path / "exports" / f"{job_id}.zip"
    assert sorted(p.name for p in (tmp_path / "exports").iterdir()) == [f"{job_id}.zip"]


def test_export_in_a_background_thread(app, ward, ward_client):
    job_id = job_id_of(start_export(ward_client))
    seen = []
    deadline = time.monotonic() + 60
    while True:
        data = ward_client.get(f"/exports/{job_id}.json").get_json()
        seen.append(data["done"])
        if data["finished"] or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert data["status"] == "done", data
    assert (data["done"], data["total"]) == (FILES, FILES)
    assert seen == sorted(seen)  # progress never goes back
    check_zip(ward_client, job_id, ward)


def test_export_page_refreshes_until_done(app, ward, ward_client):
    app.config["EXPORT_STARTER"] = lambda app, job_id: None  # never starts: stays queued
    job_id = job_id_of(start_export(ward_client))
    html = page(ward_client.get(f"/exports/{job_id}"))
    assert '<noscript><meta http-equiv="refresh" content="2"></noscript>' in html
    assert f'<progress id="export-progress" data-export-bar max="{FILES}" value="0">' in html
    assert f'data-export-poll="/exports/{job_id}.json"' in html and 'data-finished="false"' in html
    assert "/static/js/ward.js" in html
    assert "style=" not in html and not re.search(r"<script(?![^>]*\bsrc=)", html)
    data = ward_client.get(f"/exports/{job_id}.json").get_json()
    assert (data["status"], data["done"], data["total"], data["finished"]) == ("queued", 0, FILES, False)
    assert data["download_url"] is None
    assert ward_client.get(f"/exports/{job_id}/download").status_code == 404


def test_export_failure_is_shown_and_leaves_no_file(app, ward, ward_client, tmp_path, monkeypatch):
    from review.ward import exports

    calls = []

    def broken(meeting, key):  # type: ignore[no-untyped-def]
        calls.append(key)
        if len(calls) == 2:
            raise RuntimeError("font missing")
        return b"%PDF-1.4 stub"

    monkeypatch.setattr(exports, "render_document", broken)
    monkeypatch.setattr(exports, "render_docx", broken)  # the Word copy after the PDF: the second file
    app.config["EXPORT_RUN_INLINE"] = True
    job_id = job_id_of(start_export(ward_client))
    data = ward_client.get(f"/exports/{job_id}.json").get_json()
    assert (data["status"], data["done"], data["finished"]) == ("failed", 1, True)
    html = page(ward_client.get(f"/exports/{job_id}"))
    assert "Không tạo được" in html and "Thử lại" in html
    assert ward_client.get(f"/exports/{job_id}/download").status_code == 404
    with app.app_context():
        assert "RuntimeError: font missing" in db.session.get(ExportJob, job_id).error
    assert list((tmp_path / "exports").iterdir()) == []


def test_export_without_a_sealed_cell_says_so(app, ward, ward_client):
    response = start_export(ward_client, year="2019")
    assert response.status_code == 302
    html = page(ward_client.get(response.headers["Location"]))
    assert "Năm 2019 chưa có chi bộ nào niêm phong kết quả: không có tài liệu để tải." in html
    with app.app_context():
        assert db.session.scalar(select(func.count(ExportJob.id))) == 0


def test_export_needs_the_csrf_token(app, ward, ward_client):
    response = ward_client.post("/organizations/1/exports", data={"year": "2020"})
    assert response.status_code == 400
    with app.app_context():
        assert db.session.scalar(select(func.count(ExportJob.id))) == 0


# ---------------------------------------------------------------------------
# Who may see what


def test_another_organisations_ward_gets_404_everywhere(app, ward, ward_client):
    app.config["EXPORT_RUN_INLINE"] = True
    job_id = job_id_of(start_export(ward_client))
    other = signed_in(app, OTHER_WARD)
    assert other.get("/organizations/2").status_code == 200
    meeting_id = ward[SEED_CELL][1]
    for url in (
        "/organizations/1",
        "/organizations/1?year=2020",
        f"/meetings/{meeting_id}/documents/minutes.pdf",
        f"/meetings/{meeting_id}/documents/count-minutes.pdf",
        f"/exports/{job_id}",
        f"/exports/{job_id}.json",
        f"/exports/{job_id}/download",
    ):
        assert other.get(url).status_code == 404, url
    token = csrf_token(other, "/organizations/2")
    response = other.post("/organizations/1/exports", data={"csrf_token": token, "year": "2020"})
    assert response.status_code == 404
    with app.app_context():
        assert db.session.scalar(select(func.count(ExportJob.id))) == 1


def test_cell_accounts_get_403_and_no_job(app, ward, ward_client, make_user):
    app.config["EXPORT_RUN_INLINE"] = True
    job_id = job_id_of(start_export(ward_client))
    make_user("bithu", "secretary", cell_id=ward[SEED_CELL][0])
    make_user("kiemphieu", "counter", cell_id=ward[SEED_CELL][0])
    for username in ("bithu", "kiemphieu"):
        client = signed_in(app, username)
        assert client.get("/organizations/1").status_code == 403
        token = csrf_token(client, "/")
        assert client.post("/organizations/1/exports", data={"csrf_token": token, "year": "2020"}).status_code == 403
        for url in (f"/exports/{job_id}", f"/exports/{job_id}.json", f"/exports/{job_id}/download"):
            assert client.get(url).status_code == 404, (username, url)


def test_anonymous_is_sent_to_sign_in(app, ward, ward_client):
    app.config["EXPORT_RUN_INLINE"] = True
    job_id = job_id_of(start_export(ward_client))
    anonymous = app.test_client()
    for url in (
        "/organizations/1",
        f"/meetings/{ward[SEED_CELL][1]}/documents/minutes.pdf",
        f"/exports/{job_id}",
        f"/exports/{job_id}.json",
        f"/exports/{job_id}/download",
    ):
        response = anonymous.get(url)
        assert response.status_code == 302, url
        assert response.headers["Location"].startswith("/auth/login"), url


# ---------------------------------------------------------------------------
# In a real browser: the script follows the progress, then shows the download link


@pytest.mark.browser
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_browser_follows_the_export_without_reloading_until_done(app, ward, monkeypatch):
    from review.ward import exports

    from browser import chromium, live_server, screenshot, sign_in

    real = exports.render_document
    # The export stops after its first document until the page has shown that progress:
    # the test sees the bar between its ends however fast or slow the machine is.
    shown, rendered = threading.Event(), []

    def held(meeting, key):  # type: ignore[no-untyped-def]
        if rendered:
            shown.wait(timeout=60)
        rendered.append(key)
        return real(meeting, key)

    monkeypatch.setattr(exports, "render_document", held)
    with live_server(app) as base, chromium() as browser:
        page = browser.new_page(viewport={"width": 390, "height": 800}, locale="vi-VN")
        sign_in(page, base, WARD)
        page.goto(f"{base}/organizations/1")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390  # the wide table scrolls in its box
        screenshot(page, "ward-dashboard-390")
        loads = []
        page.on("load", lambda: loads.append(page.url))
        page.get_by_role("button", name="Tạo tệp ZIP").click()
        page.wait_for_url(re.compile(r"/exports/\d+$"))
        # The bar moves while the page stays (no meta refresh with scripting on).
        page.wait_for_function(
            "() => { const b = document.querySelector('[data-export-bar]');"
            f" return b && b.value > 0 && b.value < {FILES} && b.max == {FILES}; }}",
            timeout=15000,
        )
        assert re.search(rf"Đã tạo ([1-9]|1[0-4])/{FILES} tài liệu", page.locator("[data-export-text]").inner_text())
        loads_while_running = len(loads)
        shown.set()
        page.locator("[data-export-download]").wait_for(timeout=20000)
        assert len(loads) == loads_while_running + 1  # one reload, when finished
        assert f"Đã tạo xong {FILES}/{FILES} tài liệu." in page.locator("[data-export-text]").inner_text()
        screenshot(page, "ward-export-done-390")
        with page.expect_download() as download:
            page.locator("[data-export-download]").click()
        assert download.value.suggested_filename == "tai-lieu-2020-dang-bo-1.zip"
