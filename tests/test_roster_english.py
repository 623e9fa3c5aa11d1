"""The roster pages in English (issue 17): the interface translated, the members' data and the file's headers not."""

from __future__ import annotations

import io
from html import unescape

import pytest
from sqlalchemy import select

from review.extensions import db
from review.models import Cell

from helpers import csrf_token

CELL = "Chi bộ Trường Mầm non Thượng Thanh"


@pytest.fixture
def english(app, client, runner, seed_path, make_user, login):  # type: ignore[no-untyped-def]
    """Import the seed meeting, sign in as the cell's secretary, ask for English; return the cell's id."""
    result = runner.invoke(args=["meeting", "import", str(seed_path)])
    assert result.exit_code == 0, result.output
    with app.app_context():
        cid = db.session.scalar(select(Cell.id).where(Cell.name == CELL))
    make_user("bithu", "secretary", cell_id=cid)
    login("bithu")
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return cid


def upload(client, cid: int, data: bytes, filename: str):  # type: ignore[no-untyped-def]
    url = f"/cells/{cid}/members/import"
    return client.post(
        url,
        data={"csrf_token": csrf_token(client, url), "file": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
    )


def test_the_members_page_reads_in_english(client, english):
    page = client.get(f"/cells/{english}/members").get_data(as_text=True)
    assert '<html lang="en">' in page
    assert "Current party members (10)" in page
    assert '<th scope="col">Party card number</th>' in page
    assert 'data-label="Date of admission to the Party"' in page
    assert "Download the template" in page and "Import from a spreadsheet" in page
    assert "Đảng viên đang sinh hoạt" not in page and "Tải tệp mẫu" not in page
    assert "Nguyễn Thị Ngọc Hân" in page  # a name is data


def test_a_refused_row_is_explained_in_english_naming_the_column_as_written(client, english):
    csv = "Họ và tên;Ngày vào Đảng\n;01/01/2020\nTrần Văn Tú;31/02/2020\n".encode()
    response = upload(client, english, csv, "danh-sach.csv")
    assert response.status_code == 422
    page = unescape(response.get_data(as_text=True))
    assert "The file has 2 errors, so it cannot be imported; nothing was saved." in page
    assert "row 2, column Họ và tên: The full name is missing." in page
    assert "row 3, column Ngày vào Đảng: The date “31/02/2020” does not exist on the calendar." in page
    assert "Thiếu họ và tên" not in page and "không có trên lịch" not in page


def test_a_file_refused_whole_and_a_form_error_are_in_english(client, english):
    response = upload(client, english, b"", "x.csv")
    assert response.status_code == 422
    assert "The file is empty." in response.get_data(as_text=True)
    url = f"/cells/{english}/members/new"
    response = client.post(
        url,
        data={
            "csrf_token": csrf_token(client, url),
            "name": "Đinh Thị Lan",
            "standing": "probationary",
            "position": "secretary",
            "admitted_on": "2019-09-02",
        },
    )
    assert response.status_code == 422
    page = unescape(response.get_data(as_text=True))
    assert "Not saved: check the fields marked below." in page
    assert "The cell already has a " in page  # the vocabulary word is the vocabulary's to translate
