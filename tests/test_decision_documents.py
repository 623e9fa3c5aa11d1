"""The committee's documents (SPEC 9, 7): the two decisions with their lists, the summary as PDF and XLSX.

The seed's organisation with its second cell (tests/data/ward-thuong-thanh-2020): drafts before
issuing, the issued version after; the command line, the routes with their access, the ward's ZIP.
Then the reports alone, from a hand-made paper: forty members, long names, markup in the text,
a cell not reviewed, members not rated.
"""

from __future__ import annotations

import io
import json
import re
import subprocess
import unicodedata
import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import pytest
from pypdf import PdfReader
from sqlalchemy import select

from reports.decision import cells_decision, members_decision, summary_pdf, summary_table
from reports.document import paragraphs
from reports.summary_sheet import summary_xlsx as summary_workbook
from review.database import write_transaction
from review.decision_rules import (
    NOT_RATED,
    NOT_REVIEWED,
    DecisionPaper,
    Issue,
    PaperCell,
    PaperMember,
    SignerTitle,
    empty_counts,
)
from review.decisions import choose_cell_level, decision_of, decision_paper, issue
from review.extensions import db
from review.models import Cell, Organization
from review.rules import LEVELS, Level
from review.vocabulary import committee_name

from helpers import SECOND_CELL_FILE, csrf_token, signed_in

WARD, OTHER_WARD, SECRETARY = "danguy", "danguy-khac", "bithu"
ORGANIZATION = "Đảng bộ phường Thượng Thanh"
SEED_CELL = "Chi bộ Trường Mầm non Thượng Thanh"
SECOND_CELL = "Chi bộ Tổ dân phố số 3"
SECOND_FILE = SECOND_CELL_FILE
REASON = "Chi bộ còn hạn chế trong công tác phát triển đảng viên"
ISSUED_ON = date(2020, 12, 10)
KEYS = ("members", "cells", "summary")


def pdf_text(data: bytes) -> str:
    """Return the PDF's text, NFC, whitespace runs folded to one space (line breaks too)."""
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text))


def docx_text(data: bytes) -> str:
    """Return a Word file's text: its paragraphs and every table cell (nested tables too), NFC, whitespace folded."""
    import docx

    document = docx.Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]

    def cells(tables) -> None:  # type: ignore[no-untyped-def]
        for table in tables:
            for row in table.rows:
                for cell in row.cells:
                    parts.extend(p.text for p in cell.paragraphs)
                    cells(cell.tables)

    cells(document.tables)
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", " ".join(parts)))


def docx_footer(data: bytes) -> str:
    import docx

    return " ".join(p.text for p in docx.Document(io.BytesIO(data)).sections[0].footer.paragraphs)


def member_names(path: Path) -> list[str]:
    return [m["name"] for m in json.loads(path.read_text(encoding="utf-8"))["members"]]


@pytest.fixture
def ward(app, runner, seed_path, tmp_path, make_user):  # type: ignore[no-untyped-def]
    """The seed's organisation with its two sealed cells, another organisation, their accounts."""
    for path in (seed_path, SECOND_FILE):
        result = runner.invoke(args=["meeting", "import", str(path)])
        assert result.exit_code == 0, result.output
    other = json.loads(seed_path.read_text(encoding="utf-8"))
    other["organization"] = {"parent": "Đảng bộ phường Đức Giang", "cell": "Chi bộ Khu phố 1", "place": "Đức Giang"}
    other_path = tmp_path / "other.json"
    other_path.write_text(json.dumps(other, ensure_ascii=False), encoding="utf-8")
    assert runner.invoke(args=["meeting", "import", str(other_path)]).exit_code == 0
    with app.app_context():
        ids = {o.name: o.id for o in db.session.scalars(select(Organization))}
        cells = {c.name: c.id for c in db.session.scalars(select(Cell))}
    make_user(WARD, "ward", organization_id=ids[ORGANIZATION])
    make_user(OTHER_WARD, "ward", organization_id=ids["Đảng bộ phường Đức Giang"])
    make_user(SECRETARY, "secretary", cell_id=cells[SEED_CELL])
    return {"organization": ids[ORGANIZATION], "other": ids["Đảng bộ phường Đức Giang"], "cells": cells}


def issue_decision(app, ward) -> None:  # type: ignore[no-untyped-def]
    """Lower the seed cell to good (the cells' quota: 1 excellent over a pool of 1, limit 0), then issue."""
    with app.app_context():
        organization = db.session.get(Organization, ward["organization"])
        with write_transaction():
            choose_cell_level(organization, 2020, ward["cells"][SEED_CELL], Level.GOOD, REASON, "0", None)
        version = str(decision_of(organization.id, 2020).version)
        header = Issue("15-QĐ/ĐU", ISSUED_ON, "Thượng Thanh", "Nguyễn Văn Bình", SignerTitle.SECRETARY)
        with write_transaction():
            issue(organization, 2020, header, None, version)


def documents(app, ward) -> dict[str, bytes]:  # type: ignore[no-untyped-def]
    from review.decision_documents import render

    with app.app_context():
        organization = db.session.get(Organization, ward["organization"])
        return {key: render(organization, 2020, key) for key in KEYS}


# ---------------------------------------------------------------------------
# Drafts, then the issued decision


def test_committee_name_from_the_organisation():
    assert committee_name("Đảng bộ phường Thượng Thanh") == "Đảng ủy phường Thượng Thanh"
    assert committee_name("ĐẢNG BỘ phường Đức Giang") == "Đảng ủy phường Đức Giang"
    assert committee_name("Phường Long Biên") == "Đảng ủy phường Long Biên"


def test_drafts_carry_the_header_the_articles_and_everyone(app, ward, seed_path):
    pdfs = documents(app, ward)
    members = member_names(seed_path) + member_names(SECOND_FILE)
    for key, data in pdfs.items():
        text = pdf_text(data)
        assert "DỰ THẢO" in text, key
        assert "quyết định của đảng ủy chưa ban hành" in text, key
        assert "chưa niêm phong kết quả kiểm phiếu" not in text, key
        assert "ĐẢNG CỘNG SẢN VIỆT NAM" in text and "ĐẢNG ỦY PHƯỜNG THƯỢNG THANH" in text, key
        assert "-QĐ/ĐU" in text and "15-QĐ/ĐU" not in text, key
        assert "SHA-256" not in text, key
        assert SEED_CELL in text and SECOND_CELL in text, key
    members_text = pdf_text(pdfs["members"])
    for needle in ("QUYẾT ĐỊNH", "Điều 1.", "Điều 2.", "Nơi nhận:", "T/M ĐẢNG ỦY", "BÍ THƯ", "DANH SÁCH"):
        assert needle in members_text, needle
    assert "công nhận kết quả xếp loại chất lượng đảng viên năm 2020" in members_text
    assert "Căn cứ Quy định 132-QĐ/TW (2018)" in members_text
    assert "đối với 18 đảng viên" in members_text
    assert "Hoàn thành xuất sắc nhiệm vụ: 2 đồng chí; Hoàn thành tốt nhiệm vụ: 15 đồng chí" in members_text
    for name in members:
        assert name in members_text, name
    cells_text = pdf_text(pdfs["cells"])
    assert "xếp loại chất lượng các chi bộ trực thuộc năm 2020" in cells_text
    assert "đối với 2 chi bộ" in cells_text and "T/M ĐẢNG ỦY" in cells_text
    assert "BIỂU TỔNG HỢP" in pdf_text(pdfs["summary"])


def test_issued_documents_print_number_date_version_and_fingerprint(app, ward):
    issue_decision(app, ward)
    with app.app_context():
        seal = decision_of(ward["organization"], 2020).current_seal
        fingerprint, version = seal.fingerprint, seal.version
    for key, data in documents(app, ward).items():
        text = pdf_text(data)
        assert "DỰ THẢO" not in text, key
        assert "Số 15-QĐ/ĐU" in text, key
        assert f"phiên bản {version}" in text and fingerprint in text, key
        if key != "summary":
            assert "Thượng Thanh, ngày 10 tháng 12 năm 2020" in text, key
            assert "Nguyễn Văn Bình" in text and "BÍ THƯ" in text, key
        assert "Kèm theo Quyết định số 15-QĐ/ĐU, ngày 10/12/2020 của Đảng ủy phường Thượng Thanh" in text, key
    cells_text = pdf_text(documents(app, ward)["cells"])
    assert REASON in cells_text  # the committee's reason where it changed the proposal
    assert "Hoàn thành tốt nhiệm vụ: 2 chi bộ" in cells_text


def test_pdfs_embed_every_font(app, ward, tmp_path):
    for key, data in documents(app, ward).items():
        path = tmp_path / f"{key}.pdf"
        path.write_bytes(data)
        fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
        rows = fonts.splitlines()[2:]
        assert rows, key
        assert all(row.split()[-5] == "yes" for row in rows), (key, fonts)


def read_sheet(data: bytes) -> list[tuple]:  # type: ignore[type-arg]
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    return list(workbook.active.iter_rows(values_only=True))


def sheet_table(rows: list[tuple]) -> tuple[tuple, list[tuple], tuple]:  # type: ignore[type-arg]
    """Return the header, the cells' rows and the totals row of the summary sheet."""
    start = next(i for i, row in enumerate(rows) if row[0] == "TT")
    end = next(i for i, row in enumerate(rows) if row[1] == "Tổng cộng")
    return rows[start], rows[start + 1 : end], rows[end]


def test_summary_sheet_one_row_per_cell_and_the_decided_totals(app, ward):
    from review.decision_documents import summary_xlsx

    with app.app_context():
        organization = db.session.get(Organization, ward["organization"])
        draft = read_sheet(summary_xlsx(organization, 2020))
    assert draft[0][0].startswith("DỰ THẢO")
    issue_decision(app, ward)
    with app.app_context():
        organization = db.session.get(Organization, ward["organization"])
        rows = read_sheet(summary_xlsx(organization, 2020))
        paper = decision_paper(organization, 2020)
        seal = decision_of(organization.id, 2020).current_seal
    assert not rows[0][0].startswith("DỰ THẢO")
    assert any(row[0] and seal.fingerprint in row[0] and f"phiên bản {seal.version}" in row[0] for row in rows)
    header, cells, totals = sheet_table(rows)
    assert [row[1] for row in cells] == [SEED_CELL, SECOND_CELL]
    columns = {name: i for i, name in enumerate(header)}
    from review.vocabulary import LEVEL_SHORT

    for level in LEVELS:
        index = columns[LEVEL_SHORT[level]]
        assert totals[index] == paper.members[str(level)] == sum(row[index] for row in cells)
    rated = columns["Số đảng viên được xếp loại"]
    assert totals[rated] == paper.rated_count == 18
    assert [row[-1] for row in cells] == ["Hoàn thành tốt nhiệm vụ", "Hoàn thành tốt nhiệm vụ"]


# ---------------------------------------------------------------------------
# The command line


def test_cli_writes_each_document(app, ward, runner, tmp_path):
    organization = str(ward["organization"])
    for command, suffix in (("pdf", "pdf"), ("cells-pdf", "pdf"), ("summary-pdf", "pdf"), ("summary-xlsx", "xlsx")):
        path = tmp_path / f"{command}.{suffix}"
        result = runner.invoke(args=["decision", command, organization, "2020", "-o", str(path)])
        assert result.exit_code == 0, result.output
        assert "DỰ THẢO" in result.output
        data = path.read_bytes()
        assert data.startswith(b"%PDF" if suffix == "pdf" else b"PK")
    text = pdf_text((tmp_path / "pdf.pdf").read_bytes())
    assert "Điều 1." in text and "Đặng Văn Lợi" in text
    issue_decision(app, ward)
    path = tmp_path / "issued.pdf"
    result = runner.invoke(args=["decision", "pdf", organization, "2020", "-o", str(path)])
    assert result.exit_code == 0 and "đã ban hành, phiên bản 1" in result.output
    assert "15-QĐ/ĐU" in pdf_text(path.read_bytes())


def test_cli_refuses_an_unknown_organisation(app, ward, runner, tmp_path):
    path = tmp_path / "x.pdf"
    result = runner.invoke(args=["decision", "pdf", "999", "2020", "-o", str(path)])
    assert result.exit_code == 1 and "Không có đảng bộ mã 999." in result.output
    assert not path.exists()


# ---------------------------------------------------------------------------
# The routes and their access


def test_routes_send_the_documents_to_the_ward(app, ward):
    client = signed_in(app, WARD)
    base = f"/organizations/{ward['organization']}/decision/2020"
    for key in KEYS:
        response = client.get(f"{base}/{key}.pdf")
        assert response.status_code == 200, key
        assert response.mimetype == "application/pdf"
        name = {"members": "quyet-dinh-xep-loai-dang-vien", "cells": "quyet-dinh-xep-loai-chi-bo"}.get(
            key, "bieu-tong-hop"
        )
        expected = f'attachment; filename="{name}-2020-dang-bo-{ward["organization"]}.pdf";'
        assert response.headers["Content-Disposition"].startswith(expected)
        assert response.headers["Cache-Control"] == "private, no-store"
        assert "DỰ THẢO" in pdf_text(response.data)
    response = client.get(f"{base}/summary.xlsx")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response.headers["Content-Disposition"].startswith(
        f'attachment; filename="bieu-tong-hop-2020-dang-bo-{ward["organization"]}.xlsx";'
    )
    assert [row[1] for row in sheet_table(read_sheet(response.data))[1]] == [SEED_CELL, SECOND_CELL]
    assert client.get(f"{base}/minutes.pdf").status_code == 404
    assert client.get(f"/organizations/{ward['organization']}/decision/1900/members.pdf").status_code == 404


def test_another_ward_gets_404_a_secretary_403_anonymous_signs_in(app, ward):
    base = f"/organizations/{ward['organization']}/decision/2020"
    other = signed_in(app, OTHER_WARD)
    secretary = signed_in(app, SECRETARY)
    for url in (f"{base}/members.pdf", f"{base}/summary.xlsx"):
        assert other.get(url).status_code == 404
        assert secretary.get(url).status_code == 403
        response = app.test_client().get(url)
        assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    # The other ward reaches its own organisation's decision.
    assert other.get(f"/organizations/{ward['other']}/decision/2020/members.pdf").status_code == 200


def test_routes_send_the_word_files_to_the_ward_and_refuse_them_where_the_pdf_is_refused(app, ward):
    from reports.docx_writer import MIMETYPE

    base = f"/organizations/{ward['organization']}/decision/2020"
    client = signed_in(app, WARD)
    for key in KEYS:
        response = client.get(f"{base}/{key}.docx")
        assert response.status_code == 200 and response.mimetype == MIMETYPE, key
        disposition = response.headers["Content-Disposition"]
        assert (
            disposition.startswith('attachment; filename="')
            and f"-2020-dang-bo-{ward['organization']}.docx" in disposition
        )
        text = docx_text(response.data)
        assert "DỰ THẢO" in docx_footer(response.data) and "ĐẢNG ỦY PHƯỜNG THƯỢNG THANH" in text, key
    assert "Điều 1." in docx_text(client.get(f"{base}/members.docx").data)
    assert client.get(f"{base}/minutes.docx").status_code == 404
    other, secretary = signed_in(app, OTHER_WARD), signed_in(app, SECRETARY)
    assert other.get(f"{base}/members.docx").status_code == 404
    assert secretary.get(f"{base}/members.docx").status_code == 403
    response = app.test_client().get(f"{base}/members.docx")
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    # The decision page links each Word file beside its PDF.
    page = client.get(f"/organizations/{ward['organization']}/decision/2020").get_data(as_text=True)
    for key in KEYS:
        assert f"{base}/{key}.docx" in page and f"{base}/{key}.pdf" in page


def test_cli_writes_the_word_file_when_the_name_ends_in_docx(app, ward, runner, tmp_path):
    path = tmp_path / "quyet-dinh.docx"
    result = runner.invoke(args=["decision", "pdf", str(ward["organization"]), "2020", "-o", str(path)])
    assert result.exit_code == 0 and "DỰ THẢO" in result.output, result.output
    text = docx_text(path.read_bytes())  # python-docx opens it
    assert "Điều 1." in text and "Đặng Văn Lợi" in text and "QUYẾT ĐỊNH" in text


# ---------------------------------------------------------------------------
# The ward's ZIP


def test_zip_contains_the_decision_files(app, ward):
    app.config["EXPORT_RUN_INLINE"] = True
    organization = ward["organization"]
    client = signed_in(app, WARD)
    token = csrf_token(client, f"/organizations/{organization}")
    response = client.post(f"/organizations/{organization}/exports", data={"csrf_token": token, "year": "2020"})
    assert response.status_code == 303
    job_id = int(response.headers["Location"].rsplit("/", 1)[1])
    progress = client.get(f"/exports/{job_id}.json").get_json()
    assert (progress["status"], progress["done"], progress["total"]) == ("done", 15, 15)
    data = client.get(f"/exports/{job_id}/download").data
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = set(archive.namelist())
        decision = {
            f"{stem}-2020-dang-bo-{organization}.{extension}"
            for stem in ("quyet-dinh-xep-loai-dang-vien", "quyet-dinh-xep-loai-chi-bo", "bieu-tong-hop")
            for extension in ("pdf", "docx")
        } | {f"bieu-tong-hop-2020-dang-bo-{organization}.xlsx"}
        # Two sealed cells' two documents as PDF and Word, and the decision's seven files.
        assert decision <= names and len(names) == 15
        assert "Điều 1." in docx_text(archive.read(f"quyet-dinh-xep-loai-dang-vien-2020-dang-bo-{organization}.docx"))
        assert "Điều 1." in pdf_text(archive.read(f"quyet-dinh-xep-loai-dang-vien-2020-dang-bo-{organization}.pdf"))
        assert archive.read(f"bieu-tong-hop-2020-dang-bo-{organization}.xlsx").startswith(b"PK")


# ---------------------------------------------------------------------------
# The reports alone, from a hand-made paper


def hand_made_paper(*, draft: bool) -> DecisionPaper:
    """Forty rated members in two cells (long names, markup in names and reasons), members not rated, a cell not reviewed."""
    levels = [Level.EXCELLENT, Level.GOOD, Level.GOOD, Level.COMPLETED, Level.NOT_COMPLETED]

    def cell(name: str, count: int, start: int, level: str, reason: str = "") -> PaperCell:
        members = [
            PaperMember(
                f"Nguyễn Trần Hoàng Phương Thảo Nguyên số {start + i} <b>&",
                str(levels[i % len(levels)]),
                "Hạ một mức: <i>chưa hoàn thành chỉ tiêu</i> & vi phạm" if i == 0 else "",
            )
            for i in range(count)
        ]
        members.append(PaperMember(f"Lê Văn Miễn {start}", None, "", rated=False, not_rated_reason="exempt"))
        counts = empty_counts() | {NOT_RATED: 0}
        for m in members:
            counts[NOT_RATED if not m.rated else (m.level or "undecided")] += 1
        return PaperCell(name, level, reason, tuple(members), counts=counts)

    cells = (
        cell("Chi bộ Trường Trung học cơ sở Thượng Thanh và các khu dân cư lân cận <font>", 25, 1, "good"),
        cell("Chi bộ Tổ dân phố số 3 & 4", 15, 26, "excellent", "Đảng ủy nâng mức <br/> vì thành tích"),
        PaperCell("Chi bộ Khu đô thị mới", None, "", (), not_reviewed_reason="Mới thành lập tháng 10/2020 <x>"),
    )
    members = empty_counts() | {NOT_RATED: 0}
    for c in cells:
        for key, value in c.counts.items():
            members[key] += value
    cell_levels = empty_counts() | {NOT_REVIEWED: 1, "good": 1, "excellent": 1}
    return DecisionPaper(
        organization="Đảng bộ phường Thượng Thanh",
        superior="Đảng bộ quận Long Biên",
        year=2020,
        profile="hd21-2019",
        basis="Quy định 132-QĐ/TW (2018), Hướng dẫn 21-HD/BTCTW (2019)",
        number="" if draft else "15-QĐ/ĐU",
        day=None if draft else date(2020, 12, 10),
        place="Thượng Thanh",
        signer="" if draft else "Phạm Thị <b>Hoa</b> & Cộng sự",
        title=None if draft else SignerTitle.DEPUTY_SECRETARY,
        cells=cells,
        members=members,
        cell_levels=cell_levels,
        draft=draft,
        version=None if draft else 3,
        fingerprint=None if draft else "f" * 64,
    )


@pytest.mark.parametrize("draft", [True, False])
def test_reports_lay_out_forty_members_and_print_markup_literally(draft):
    paper = hand_made_paper(draft=draft)
    members_text = pdf_text(members_decision(paper))
    assert "đối với 40 đảng viên" in members_text
    for i in range(1, 41):
        assert f"Nguyễn Trần Hoàng Phương Thảo Nguyên số {i} <b>&" in members_text, i
    assert "chưa hoàn thành chỉ tiêu</i> & vi phạm" in members_text
    # Members not rated: listed with their reason, after the list, never counted.
    assert "Đảng viên không đánh giá, xếp loại năm 2020 (2 đồng chí, không tính vào số lượng trên)" in members_text
    assert "Lê Văn Miễn 1" in members_text and "Miễn công tác và sinh hoạt đảng" in members_text
    cells_text = pdf_text(cells_decision(paper))
    assert "Chi bộ Tổ dân phố số 3 & 4" in cells_text and "<font>" in cells_text
    assert "Đảng ủy nâng mức <br/> vì thành tích" in cells_text
    assert "Chi bộ Khu đô thị mới" in cells_text and "Mới thành lập tháng 10/2020 <x>" in cells_text
    assert "đối với 2 chi bộ" in cells_text
    summary_text = pdf_text(summary_pdf(paper))
    assert "Chi bộ Khu đô thị mới" in summary_text
    for text in (members_text, cells_text, summary_text):
        assert ("DỰ THẢO" in text) is draft
        assert ("f" * 64 in text) is not draft
    if not draft:
        assert "Phạm Thị <b>Hoa</b> & Cộng sự" in members_text and "PHÓ BÍ THƯ" in members_text


def test_summary_table_totals_and_formula_guard():
    paper = hand_made_paper(draft=False)
    table = summary_table(paper)
    assert [row.name for row in table.rows] == [c.name for c in paper.cells]
    assert table.rows[2].counts is None  # not reviewed: no counts
    assert table.totals.counts is not None and table.totals.counts["rated"] == 40
    dangerous = PaperCell('=HYPERLINK("http://x","y")', "good", "", (), counts=empty_counts() | {NOT_RATED: 0})
    data = summary_workbook(DecisionPaper(**{**paper.__dict__, "cells": (*paper.cells, dangerous)}))
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    cell = next(c for row in workbook.active.iter_rows() for c in row if c.value == dangerous.name)
    assert cell.data_type == "s"  # text, never a formula


@pytest.mark.parametrize("draft", [True, False])
@pytest.mark.parametrize("key", KEYS)
def test_pdf_and_word_carry_every_paragraph_of_the_one_description(key, draft):
    from reports import docx_writer, pdf_writer
    from review.decision_documents import BUILDERS

    description = BUILDERS[key](hand_made_paper(draft=draft))
    bare = lambda text: re.sub(r"\s+", "", unicodedata.normalize("NFC", text))  # noqa: E731
    pdf, word = bare(pdf_text(pdf_writer.render(description))), bare(docx_text(docx_writer.render(description)))
    checked = 0
    for paragraph in paragraphs(description):
        if paragraph.plain.strip():
            assert bare(paragraph.plain) in word, (key, "docx", paragraph.plain)
            assert bare(paragraph.plain) in pdf, (key, "pdf", paragraph.plain)
            checked += 1
    assert checked >= 10, key
