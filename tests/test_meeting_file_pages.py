"""Meeting files in the browser: the secretary's download, the ward's upload, preview, confirmation and history."""

from __future__ import annotations

import copy
import hashlib
import io
import json
import re
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from review import clock
from review.counting import reopen
from review.database import write_transaction
from review.extensions import db
from review.history.presenters import MEETING_PERSON
from review.history.routes import PAGE
from review.models import AuditEntry, Cell, CounterCode, Meeting, MeetingUpload, Organization, User

from helpers import csrf_token, signed_in

ORGANIZATION = "Đảng bộ phường Thượng Thanh"
CELL = "Chi bộ Trường Mầm non Thượng Thanh"
OTHER_CELL = "Chi bộ Khu dân cư số 4"
TOKEN = re.compile(r'name="token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="token"')
PROBLEM = re.compile(r'<tr data-problem-path="([^"]*)">')


# ---------------------------------------------------------------------------
# Helpers


def document(seed_path: Path) -> dict[str, Any]:
    return json.loads(seed_path.read_text(encoding="utf-8"))


def as_bytes(doc: dict[str, Any]) -> bytes:
    return json.dumps(doc, ensure_ascii=False, indent=2).encode("utf-8")


def year_2021(doc: dict[str, Any]) -> dict[str, Any]:
    """The seed a year later, without its ballot: a meeting still being recorded."""
    doc = copy.deepcopy(doc)
    del doc["ballot"]
    doc["year"] = 2021
    for key in ("starts_at", "ends_at"):
        doc["meeting"][key] = "2021" + doc["meeting"][key][4:]
    return doc


def import_cli(runner, tmp_path: Path, doc: dict[str, Any]) -> int:  # type: ignore[no-untyped-def]
    path = tmp_path / f"cli-{len(list(tmp_path.glob('cli-*')))}.json"
    path.write_bytes(as_bytes(doc))
    result = runner.invoke(args=["meeting", "import", str(path)])
    assert result.exit_code == 0, result.output
    return int(result.output.strip().splitlines()[-1])


def make_organization(app, name: str = ORGANIZATION, place: str = "Thượng Thanh", cells=(CELL, OTHER_CELL)) -> int:  # type: ignore[no-untyped-def]
    """Create an organisation with empty cells; return its id."""
    with app.app_context():
        organization = Organization(name=name, place=place)
        db.session.add(organization)
        for cell in cells:
            db.session.add(Cell(organization=organization, name=cell))
        db.session.commit()
        return organization.id


def upload(client, organization_id: int, data: bytes, filename: str = "hoi-nghi.json"):  # type: ignore[no-untyped-def]
    url = f"/organizations/{organization_id}/meeting-files"
    return client.post(
        url,
        data={"csrf_token": csrf_token(client, url), "file": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
    )


def token_of(page: str) -> str:
    match = TOKEN.search(page)
    assert match, "no stash token on the preview"
    return match.group(1) or match.group(2)


def confirm(client, organization_id: int, page: str, reason: str | None = None):  # type: ignore[no-untyped-def]
    data = {
        "csrf_token": csrf_token(client, f"/organizations/{organization_id}/meeting-files"),
        "token": token_of(page),
    }
    if reason is not None:
        data["reason"] = reason
    return client.post(f"/organizations/{organization_id}/meeting-files/confirm", data=data)


def meeting_count(app) -> int:  # type: ignore[no-untyped-def]
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Meeting)) or 0


def uploads(app) -> list[MeetingUpload]:  # type: ignore[no-untyped-def]
    with app.app_context():
        rows = list(db.session.scalars(select(MeetingUpload).order_by(MeetingUpload.id)))
        db.session.expunge_all()
        return rows


def audit_ok(runner) -> None:  # type: ignore[no-untyped-def]
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output


@pytest.fixture
def ward(app, make_user, tmp_path):  # type: ignore[no-untyped-def]
    """An organisation with two empty cells and its ward account; uploads wait in the test's folder."""
    app.config["UPLOAD_DIR"] = str(tmp_path / "uploads")
    organization_id = make_organization(app)
    make_user("danguy", "ward", organization_id=organization_id)
    return {"organization": organization_id, "client": signed_in(app, "danguy")}


def cell_id(app, name: str = CELL) -> int:  # type: ignore[no-untyped-def]
    with app.app_context():
        return db.session.scalar(select(Cell.id).where(Cell.name == name))


# ---------------------------------------------------------------------------
# Download


def test_the_download_is_the_command_line_export(app, runner, seed_path, tmp_path, make_user):
    sealed_id = import_cli(runner, tmp_path, document(seed_path))
    recording_id = import_cli(runner, tmp_path, year_2021(document(seed_path)))
    with app.app_context():
        meeting = db.session.get(Meeting, sealed_id)
        cell, organization = meeting.cell_id, meeting.cell.organization_id
    make_user("bithu", "secretary", cell_id=cell)
    make_user("danguy", "ward", organization_id=organization)
    make_user("kiemphieu", "counter", cell_id=cell)
    for meeting_id, year in ((sealed_id, 2020), (recording_id, 2021)):
        out = tmp_path / f"export-{meeting_id}.json"
        assert runner.invoke(args=["meeting", "export", str(meeting_id), "-o", str(out)]).exit_code == 0
        for username in ("bithu", "danguy"):
            response = signed_in(app, username).get(f"/meetings/{meeting_id}/meeting-file.json")
            assert response.status_code == 200
            assert response.data == out.read_bytes()
            assert response.mimetype == "application/json"
            disposition = response.headers["Content-Disposition"]
            assert f'filename="hoi-nghi-chi-bo-truong-mam-non-thuong-thanh-{year}.json"' in disposition
            assert "filename*=UTF-8''hoi-nghi-chi-bo-truong-mam-non-thuong-thanh" in disposition
    # The link is on the meeting's pages (the secretary) and the results page (the ward).
    secretary = signed_in(app, "bithu")
    assert f"/meetings/{recording_id}/meeting-file.json" in secretary.get(f"/meetings/{recording_id}/opening").text
    assert (
        f"/meetings/{sealed_id}/meeting-file.json"
        in signed_in(app, "danguy").get(f"/meetings/{sealed_id}/results").text
    )
    # A counter does not take the meeting file; another organisation's ward does not see it.
    assert signed_in(app, "kiemphieu").get(f"/meetings/{sealed_id}/meeting-file.json").status_code == 403
    other = make_organization(app, "Đảng bộ phường Đức Giang", "Đức Giang", cells=())
    make_user("danguy-khac", "ward", organization_id=other)
    assert signed_in(app, "danguy-khac").get(f"/meetings/{sealed_id}/meeting-file.json").status_code == 404


# ---------------------------------------------------------------------------
# Upload


def test_the_ward_uploads_a_new_meeting_for_an_empty_cell(app, runner, seed_path, ward):
    client, organization_id = ward["client"], ward["organization"]
    data = as_bytes(document(seed_path))
    page = upload(client, organization_id, data, "thượng thanh 2020.json")
    assert page.status_code == 200, page.text
    text = page.text
    assert "data-preview" in text and CELL in text
    assert "data-preview-members>10<" in text
    assert 'data-preview-sealed="yes"' in text
    assert "data-preview-levels" in text and "data-replaces" not in text
    assert meeting_count(app) == 0  # nothing stored before the confirmation
    done = confirm(client, organization_id, text)
    assert done.status_code == 303
    assert meeting_count(app) == 1
    (row,) = uploads(app)
    assert row.file_sha256 == hashlib.sha256(data).hexdigest()
    assert row.filename == "thượng thanh 2020.json"
    assert row.cell_id == cell_id(app) and row.year == 2020 and row.replaced_meeting_id is None
    with app.app_context():
        meeting = db.session.get(Meeting, row.meeting_id)
        assert meeting.sealed and len(meeting.participants) == 10
        assert db.session.get(User, row.uploaded_by_id).username == "danguy"
    history = client.get(f"/organizations/{organization_id}/meeting-files").text
    assert f'data-upload="{row.id}"' in history and "Nhập mới" in history
    assert "Đã nhập hội nghị năm 2020" in history
    # The same token does not store twice.
    again = confirm(client, organization_id, text)
    assert again.status_code == 303 and meeting_count(app) == 1
    assert "không còn" in client.get(f"/organizations/{organization_id}/meeting-files").text
    audit_ok(runner)


def test_a_double_confirmation_stores_one_meeting_and_tells_the_second(app, runner, seed_path, ward):
    client, organization_id = ward["client"], ward["organization"]
    page = upload(client, organization_id, as_bytes(document(seed_path))).text
    first = confirm(client, organization_id, page)
    second = confirm(client, organization_id, page)  # the second click of a double click
    assert first.status_code == 303 and second.status_code == 303
    assert meeting_count(app) == 1 and len(uploads(app)) == 1
    shown = client.get(f"/organizations/{organization_id}/meeting-files").text
    assert "không còn (quá một giờ, hoặc đã nhập)" in shown
    audit_ok(runner)


def test_two_confirmations_racing_claim_the_stash_once(app, seed_path, ward, monkeypatch):
    """Both read the stash and pass the check before either stores: only the first takes the file."""
    from review import upload_stash

    client, organization_id = ward["client"], ward["organization"]
    page = upload(client, organization_id, as_bytes(document(seed_path))).text
    token = token_of(page)
    real_take = upload_stash.take

    def first_takes_it_meanwhile(*args: Any, **kwargs: Any) -> Any:
        real_take(*args, **kwargs)  # the other confirmation, a moment earlier
        return real_take(*args, **kwargs)

    monkeypatch.setattr(upload_stash, "take", first_takes_it_meanwhile)
    response = confirm(client, organization_id, page)
    assert response.status_code == 303 and meeting_count(app) == 0
    assert "không còn" in client.get(f"/organizations/{organization_id}/meeting-files").text
    assert not list(Path(app.config["UPLOAD_DIR"]).glob(f"{token}*"))


def test_a_meeting_stored_meanwhile_is_a_message_not_a_500(app, seed_path, ward, monkeypatch):
    """A unique constraint or a row deleted under the import (a race on PostgreSQL) is answered in Vietnamese."""
    from sqlalchemy import inspect
    from sqlalchemy.exc import IntegrityError
    from sqlalchemy.orm.exc import ObjectDeletedError

    from review.ward import meeting_files

    client, organization_id = ward["client"], ward["organization"]
    errors = [
        IntegrityError("INSERT INTO meeting", {}, Exception("UNIQUE constraint failed")),
        ObjectDeletedError(inspect(Organization(name="x", place="y"))),
    ]
    for error in errors:
        page = upload(client, organization_id, as_bytes(document(seed_path))).text

        def raced(*args: Any, error: Exception = error, real: Any = meeting_files.upload_meeting, **kwargs: Any) -> Any:
            if kwargs.get("dry_run"):
                return real(*args, **kwargs)
            raise error

        monkeypatch.setattr(meeting_files, "upload_meeting", raced)
        response = confirm(client, organization_id, page)
        monkeypatch.undo()
        assert response.status_code == 303
        assert "một tệp khác đã được nhập" in client.get(f"/organizations/{organization_id}/meeting-files").text
    assert meeting_count(app) == 0


def test_a_confirmation_without_its_csrf_token_checks_nothing(app, seed_path, ward, monkeypatch):
    from review import upload_stash
    from review.ward import meeting_files

    client, organization_id = ward["client"], ward["organization"]
    page = upload(client, organization_id, as_bytes(document(seed_path))).text
    token = token_of(page)

    def never(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the stash was read before the form was validated")

    monkeypatch.setattr(meeting_files, "check", never)
    monkeypatch.setattr(upload_stash, "fetch", never)
    response = client.post(f"/organizations/{organization_id}/meeting-files/confirm", data={"token": token})
    assert response.status_code == 400 and "Tải lại trang rồi thử lại" in response.text
    monkeypatch.undo()
    assert meeting_count(app) == 0
    assert confirm(client, organization_id, page).status_code == 303 and meeting_count(app) == 1  # still waiting


def test_a_broken_file_lists_every_problem_with_its_path(app, runner, seed_path, ward):
    client, organization_id = ward["client"], ward["organization"]
    doc = document(seed_path)
    doc["members"][3]["attendance"] = "maybe"
    doc["members"][2]["review"]["self_level"] = "superb"
    doc["ballot"]["rows"]["m05"]["good"] = -1
    page = upload(client, organization_id, as_bytes(doc))
    assert page.status_code == 422
    paths = set(PROBLEM.findall(page.text))
    assert {"members[3].attendance", "members[2].review.self_level", "ballot.rows.m05.good"} <= paths
    assert "chưa lưu gì" in page.text
    # The same problems as `meeting import` prints.
    path = Path(app.config["UPLOAD_DIR"]).parent / "broken.json"
    path.write_bytes(as_bytes(doc))
    printed = runner.invoke(args=["meeting", "import", str(path)])
    assert printed.exit_code == 1
    assert {line.split(": ", 1)[0] for line in printed.output.splitlines()[1:]} == paths
    assert meeting_count(app) == 0 and not uploads(app)
    assert not list(Path(app.config["UPLOAD_DIR"]).glob("*.bin"))  # nothing waits either


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"\xff\xfe not utf-8", "không phải văn bản UTF-8"),
        (b"{ not json", "JSON không hợp lệ"),
        (b"", "Chọn tệp hội nghị"),
    ],
)
def test_a_file_that_is_no_meeting_file_gets_a_message_next_to_the_field(app, ward, data, expected):
    page = upload(ward["client"], ward["organization"], data, "x.json" if data else "")
    assert page.status_code == 422
    error = re.search(r'<p class="error" id="file-error">(.*?)</p>', page.text, re.S)
    assert error and expected in error.group(1)
    assert meeting_count(app) == 0


def test_a_file_of_another_organisation_or_cell_is_refused(app, seed_path, ward):
    client, organization_id = ward["client"], ward["organization"]
    doc = document(seed_path)
    doc["organization"]["parent"] = "Đảng bộ phường Đức Giang"
    page = upload(client, organization_id, as_bytes(doc))
    assert page.status_code == 422 and PROBLEM.findall(page.text) == ["organization.parent"]
    doc = document(seed_path)
    doc["organization"]["cell"] = "Chi bộ không có"
    page = upload(client, organization_id, as_bytes(doc))
    assert page.status_code == 422 and PROBLEM.findall(page.text) == ["organization.cell"]
    assert OTHER_CELL in page.text  # the organisation's cells are listed
    with app.app_context():
        db.session.get(Cell, cell_id(app)).archived_at = clock.now()
        db.session.commit()
    page = upload(client, organization_id, as_bytes(document(seed_path)))
    assert page.status_code == 422 and "đã lưu trữ" in page.text
    assert meeting_count(app) == 0
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Cell)) == 2  # no cell made from a file


def test_a_file_replaces_a_meeting_not_sealed_only_with_a_reason(app, runner, seed_path, tmp_path, ward):
    client, organization_id = ward["client"], ward["organization"]
    old_id = import_cli(runner, tmp_path, year_2021(document(seed_path)))
    kept = tmp_path / "old.json"
    assert runner.invoke(args=["meeting", "export", str(old_id), "-o", str(kept)]).exit_code == 0
    new = year_2021(document(seed_path))
    new["meeting"]["location"] = "Hội trường mới"
    page = upload(client, organization_id, as_bytes(new), "sua.json")
    assert page.status_code == 200 and f'data-replaces="{old_id}"' in page.text
    refused = confirm(client, organization_id, page.text, reason="  ")
    assert refused.status_code == 422
    error = re.search(r'<p class="error" id="reason-error">(.*?)</p>', refused.text, re.S)
    assert error and "lý do" in error.group(1)
    assert meeting_count(app) == 1 and not uploads(app)
    done = confirm(client, organization_id, refused.text, reason="Chi bộ ghi lại địa điểm.")
    assert done.status_code == 303
    (row,) = uploads(app)
    assert row.replaced_meeting_id == old_id and row.reason == "Chi bộ ghi lại địa điểm."
    assert row.replaced_file == kept.read_text(encoding="utf-8")
    with app.app_context():
        assert db.session.get(Meeting, old_id) is None
        meeting = db.session.get(Meeting, row.meeting_id)
        assert meeting.location == "Hội trường mới" and meeting.year == 2021
    history = client.get(f"/organizations/{organization_id}/meeting-files").text
    assert f"Thay hội nghị mã {old_id}" in history and "Chi bộ ghi lại địa điểm." in history
    download = client.get(f"/meeting-uploads/{row.id}/replaced.json")
    assert download.status_code == 200 and download.data == kept.read_bytes()
    assert "attachment" in download.headers["Content-Disposition"]
    audit_ok(runner)


def test_a_sealed_meeting_on_the_server_is_not_replaced(app, runner, seed_path, tmp_path, ward):
    client, organization_id = ward["client"], ward["organization"]
    sealed_id = import_cli(runner, tmp_path, document(seed_path))
    page = upload(client, organization_id, as_bytes(document(seed_path)))
    assert page.status_code == 422
    assert PROBLEM.findall(page.text) == ["year"] and "mở niêm phong" in page.text
    assert f'href="/meetings/{sealed_id}/results" data-sealed-link' in page.text
    assert meeting_count(app) == 1 and not uploads(app)


def test_a_reopened_meeting_is_replaced_with_its_seals_codes_and_code_accounts(app, runner, seed_path, tmp_path, ward):
    client, organization_id = ward["client"], ward["organization"]
    old_id = import_cli(runner, tmp_path, document(seed_path))
    with app.app_context(), write_transaction():
        meeting = db.session.get(Meeting, old_id)
        admin = User(username="quantri", password_hash="x", role="admin")
        db.session.add(admin)
        db.session.flush()
        reopen(meeting, admin, "Sửa lại số phiếu đã nhập nhầm.")
    with app.app_context():
        member = db.session.get(Meeting, old_id).participants[5].member
        account = User(username="ma-1", password_hash="x", role="counter", cell_id=member.cell_id, meeting_id=old_id)
        db.session.add(account)
        db.session.commit()
    page = upload(client, organization_id, as_bytes(document(seed_path)))
    assert page.status_code == 200 and f'data-replaces="{old_id}"' in page.text
    assert confirm(client, organization_id, page.text, reason="Tệp đúng từ máy của chi bộ.").status_code == 303
    with app.app_context():
        assert db.session.get(Meeting, old_id) is None
        assert db.session.scalar(select(User).where(User.username == "ma-1")) is None
        assert db.session.scalar(select(func.count()).select_from(CounterCode)) == 0
        (meeting,) = db.session.scalars(select(Meeting))
        assert meeting.sealed
    audit_ok(runner)


def test_another_ward_and_other_roles_reach_nothing(app, runner, seed_path, tmp_path, ward, make_user):
    client, organization_id = ward["client"], ward["organization"]
    import_cli(runner, tmp_path, year_2021(document(seed_path)))
    new = year_2021(document(seed_path))
    page = upload(client, organization_id, as_bytes(new))
    assert confirm(client, organization_id, page.text, reason="Thay thử.").status_code == 303
    (row,) = uploads(app)
    other = make_organization(app, "Đảng bộ phường Đức Giang", "Đức Giang", cells=("Chi bộ 1",))
    make_user("danguy-khac", "ward", organization_id=other)
    make_user("bithu", "secretary", cell_id=cell_id(app))
    intruder = signed_in(app, "danguy-khac")
    assert intruder.get(f"/organizations/{organization_id}/meeting-files").status_code == 404
    assert intruder.get(f"/meeting-uploads/{row.id}/replaced.json").status_code == 404
    token_page = upload(intruder, other, as_bytes(document(seed_path)))  # refused: another organisation's file
    assert token_page.status_code == 422
    # Someone else's token opens nothing, even on the right organisation.
    page = upload(client, organization_id, as_bytes(document(seed_path)))
    stolen = intruder.post(
        f"/organizations/{organization_id}/meeting-files/confirm",
        data={
            "csrf_token": csrf_token(intruder, f"/organizations/{other}/meeting-files"),
            "token": token_of(page.text),
        },
    )
    assert stolen.status_code == 404
    secretary = signed_in(app, "bithu")
    assert secretary.get(f"/organizations/{organization_id}/meeting-files").status_code == 403
    assert secretary.get(f"/meeting-uploads/{row.id}/replaced.json").status_code == 403
    # The ward's menu and dashboard lead to the page.
    home = client.get(f"/organizations/{organization_id}").text
    assert f'href="/organizations/{organization_id}/meeting-files"' in home


# ---------------------------------------------------------------------------
# Upload fuzz: a meeting file changed at random never gets a 500, never stores before the confirmation

HOSTILE = [None, -1, 0, "", " ", "x" * 300, "\u202e", "<b>đậm</b>", "\x00", [], {}, 10**20, True, 1.5, "2021-02-30"]


def paths_of(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, value in node.items():
            found += paths_of(value, prefix + (key,))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found += paths_of(value, prefix + (i,))
    return found


def changed(doc: dict[str, Any], path: tuple[Any, ...], value: Any, drop: bool) -> dict[str, Any]:
    doc = copy.deepcopy(doc)
    parent = doc
    for key in path[:-1]:
        parent = parent[key]
    if drop:
        del parent[path[-1]]
    else:
        parent[path[-1]] = value
    return doc


def test_upload_fuzz(app, seed_path, ward):
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    client, organization_id = ward["client"], ward["organization"]
    seed = document(seed_path)
    paths = paths_of(seed)

    @settings(
        max_examples=int(__import__("os").environ.get("BAD_INPUT_EXAMPLES", "25")),
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    @given(
        path=st.sampled_from(paths),
        value=st.one_of(st.sampled_from(HOSTILE), st.text(max_size=20), st.integers()),
        drop=st.booleans(),
        cut=st.one_of(st.none(), st.integers(0, 20_000)),
    )
    def run(path: tuple[Any, ...], value: Any, drop: bool, cut: int | None) -> None:
        data = as_bytes(changed(seed, path, value, drop))
        if cut is not None:
            data = data[:cut]
        response = upload(client, organization_id, data)
        assert response.status_code in (200, 422), response.text[:2000]
        assert "<b>đậm</b>" not in response.text
        assert meeting_count(app) == 0  # a preview stores nothing; a refusal neither
        if response.status_code == 422:
            assert 'class="error"' in response.text

    run()


# ---------------------------------------------------------------------------
# The pure parts


def test_placement_names_the_organisation_and_its_cells(seed_path):
    from review.meetingfile import loads, placement_problems
    from review.text import slug

    mf, problems = loads(seed_path.read_bytes())
    assert mf is not None and not problems
    assert placement_problems(mf, ORGANIZATION, {CELL: False}) == []
    (other,) = placement_problems(mf, "Đảng bộ phường Đức Giang", {CELL: False})
    assert other.path == ("organization", "parent")
    (unknown,) = placement_problems(mf, ORGANIZATION, {OTHER_CELL: False, "Chi bộ 2": True})
    assert unknown.path == ("organization", "cell") and f'"{OTHER_CELL}"' in unknown.message
    (archived,) = placement_problems(mf, ORGANIZATION, {CELL: True})
    assert "lưu trữ" in archived.message
    assert slug("Chi bộ Trường Mầm non Thượng Thanh") == "chi-bo-truong-mam-non-thuong-thanh"
    assert slug("Đường số 7 / Khu A") == "duong-so-7-khu-a"
    assert slug("שלום") == ""


def test_only_a_reopened_seal_of_the_meeting_being_replaced_may_go(app, runner, seed_path, tmp_path):
    from review.seal_guard import SealedError, allow_replacing

    meeting_id = import_cli(runner, tmp_path, document(seed_path))
    with app.app_context():
        with pytest.raises(SealedError), write_transaction():  # a seal in force: never
            allow_replacing(db.session(), meeting_id)
            db.session.delete(db.session.get(Meeting, meeting_id))
        with write_transaction():
            admin = User(username="quantri", password_hash="x", role="admin")
            db.session.add(admin)
            db.session.flush()
            reopen(db.session.get(Meeting, meeting_id), admin, "Sửa lại số phiếu đã nhập nhầm.")
        with pytest.raises(SealedError), write_transaction():  # reopened, but no replacement asked
            db.session.delete(db.session.get(Meeting, meeting_id))
        with pytest.raises(SealedError), write_transaction():  # another meeting's replacement
            allow_replacing(db.session(), meeting_id + 1)
            db.session.delete(db.session.get(Meeting, meeting_id))
        with write_transaction():
            allow_replacing(db.session(), meeting_id)
            db.session.delete(db.session.get(Meeting, meeting_id))
        assert db.session.get(Meeting, meeting_id) is None
    audit_ok(runner)


def test_a_meeting_not_opened_has_no_meeting_file_yet(app, runner, seed_path, tmp_path, make_user):
    from review.meeting_edits import start_meeting

    import_cli(runner, tmp_path, document(seed_path))
    with app.app_context():
        cell = db.session.scalar(select(Cell))
        with write_transaction():
            meeting = start_meeting(cell, 2022)
        meeting_id, cell_id_ = meeting.id, cell.id
    make_user("bithu", "secretary", cell_id=cell_id_)
    client = signed_in(app, "bithu")
    assert "meeting-file.json" not in client.get(f"/meetings/{meeting_id}/opening").text
    response = client.get(f"/meetings/{meeting_id}/meeting-file.json")
    assert response.status_code == 409 and "chưa ghi thời gian khai mạc" in response.text
    assert runner.invoke(args=["meeting", "export", str(meeting_id)]).exit_code == 1  # as the command line


def test_the_replaced_file_is_named_by_the_local_day_of_its_upload(
    app, runner, seed_path, tmp_path, ward, vietnam_time
):
    from datetime import UTC, datetime

    from review.text import file_stamp

    client, organization_id = ward["client"], ward["organization"]
    import_cli(runner, tmp_path, year_2021(document(seed_path)))
    page = upload(client, organization_id, as_bytes(year_2021(document(seed_path))))
    assert confirm(client, organization_id, page.text, reason="Thay thử.").status_code == 303
    (row,) = uploads(app)
    with app.app_context():
        db.session.get(MeetingUpload, row.id).uploaded_at = datetime(2021, 3, 1, 20, 0, tzinfo=UTC)  # 03:00, 2 March
        db.session.commit()
    download = client.get(f"/meeting-uploads/{row.id}/replaced.json")
    assert download.status_code == 200
    assert "-bi-thay-20210302.json" in download.headers["Content-Disposition"]
    assert file_stamp(datetime(2020, 11, 27, 14, 5).date()) == "20201127"
    with pytest.raises(TypeError):
        file_stamp(datetime(2021, 3, 1, 20, 0, tzinfo=UTC))


def test_a_file_written_before_a_rename_is_refused_with_a_hint(app, seed_path, ward):
    """After the organisation, a cell or the place is renamed on the server, the refusal says why."""
    client, organization_id = ward["client"], ward["organization"]
    data = as_bytes(document(seed_path))
    with app.app_context():
        db.session.get(Cell, cell_id(app)).name = "Chi bộ Trường Mầm non Thượng Thanh A"
        db.session.commit()
    page = upload(client, organization_id, data)
    assert page.status_code == 422 and PROBLEM.findall(page.text) == ["organization.cell"]
    assert f"{CELL}&#34; (tên trong tệp)" in page.text or f"{CELL}&quot; (tên trong tệp)" in page.text
    assert "Chi bộ Trường Mầm non Thượng Thanh A" in page.text and "đã đổi tên trên máy chủ" in page.text
    with app.app_context():
        db.session.get(Cell, cell_id(app, "Chi bộ Trường Mầm non Thượng Thanh A")).name = CELL
        db.session.get(Organization, organization_id).name = "Đảng bộ phường Thượng Thanh mới"
        db.session.commit()
    page = upload(client, organization_id, data)
    assert page.status_code == 422 and PROBLEM.findall(page.text) == ["organization.parent"]
    assert "Tên trong tệp" in page.text and "Đảng bộ phường Thượng Thanh mới" in page.text
    assert "đã đổi tên trên máy chủ" in page.text
    with app.app_context():
        organization = db.session.get(Organization, organization_id)
        organization.name, organization.place = ORGANIZATION, "Phường Thượng Thanh"
        db.session.commit()
    page = upload(client, organization_id, data)
    assert page.status_code == 422 and PROBLEM.findall(page.text) == ["organization.place"]
    assert "Phường Thượng Thanh" in page.text and "địa danh đã sửa trên máy chủ" in page.text
    assert meeting_count(app) == 0


def test_the_replaced_meeting_stays_readable_in_its_history(app, runner, seed_path, tmp_path, ward, make_user):
    """The upload's row leads to the replaced meeting: its kept file's summary and its audit trail, read only."""
    client, organization_id = ward["client"], ward["organization"]
    old_id = import_cli(runner, tmp_path, year_2021(document(seed_path)))
    new = year_2021(document(seed_path))
    new["meeting"]["location"] = "Hội trường mới"
    page = upload(client, organization_id, as_bytes(new))
    assert confirm(client, organization_id, page.text, reason="Chi bộ ghi lại địa điểm.").status_code == 303
    (row,) = uploads(app)
    listing = client.get(f"/organizations/{organization_id}/meeting-files").text
    assert f'href="/meeting-uploads/{row.id}/history" data-replaced-history-link' in listing
    shown = client.get(f"/meeting-uploads/{row.id}/history")
    assert shown.status_code == 200
    text = shown.text
    assert f"Hội nghị bị thay (mã {old_id})" in text and "Chi bộ ghi lại địa điểm." in text
    assert "data-preview-members>10<" in text and 'data-preview-sealed="no"' in text  # from the kept file
    with app.app_context():
        old_location = json.loads(row.replaced_file)["meeting"]["location"]
        entries = db.session.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.meeting_id == old_id))
    assert entries and old_location in text and "Hội trường mới" not in text  # the old meeting's trail only
    assert text.count('<li id="e') == min(entries, PAGE)  # one page of the trail, by step and person
    assert f"<h3>{MEETING_PERSON}</h3>" in text and "Hội nghị: xóa" in text  # its removal is the trail's last word
    assert f"Hội nghị #{old_id}" not in text  # named, not numbered
    if entries > PAGE:
        older = client.get(f"/meeting-uploads/{row.id}/history?page=2").text
        assert older.count('<li id="e') == min(entries - PAGE, PAGE) and "Trang 2/" in older
    assert client.get(f"/meeting-uploads/{row.id}/history?before=x").status_code == 404
    # Others reach nothing; an upload that replaced nothing has no such page.
    other = make_organization(app, "Đảng bộ phường Đức Giang", "Đức Giang", cells=("Chi bộ 1",))
    make_user("danguy-khac", "ward", organization_id=other)
    make_user("bithu", "secretary", cell_id=cell_id(app))
    assert signed_in(app, "danguy-khac").get(f"/meeting-uploads/{row.id}/history").status_code == 404
    assert signed_in(app, "bithu").get(f"/meeting-uploads/{row.id}/history").status_code == 403
    page = upload(client, organization_id, as_bytes(document(seed_path)))
    assert confirm(client, organization_id, page.text).status_code == 303
    fresh = uploads(app)[-1]
    assert fresh.replaced_meeting_id is None
    assert client.get(f"/meeting-uploads/{fresh.id}/history").status_code == 404


def test_a_meeting_replaced_while_the_upload_waited_for_its_lock_is_refused(app, seed_path, ward, monkeypatch):
    """On PostgreSQL the replaced meeting is read before its lock: gone once locked, the upload stores nothing."""
    from review import meeting_store
    from review.meetingfile import loads

    mf, _ = loads(as_bytes(document(seed_path)))
    assert mf is not None
    gone = Meeting(id=10**6)  # what the read found; another upload removed it before the lock was granted
    monkeypatch.setattr(meeting_store, "server_meeting", lambda cell_id, year: gone)
    with app.app_context():
        with pytest.raises(meeting_store.ImportRefused) as refused:
            meeting_store.upload_meeting(
                mf, cell_id(app), filename="a.json", sha256="0" * 64, user_id=None, reason="Thay."
            )
        assert "vừa được thay hoặc xóa trong lúc nhập" in str(refused.value)
    assert meeting_count(app) == 0 and not uploads(app)
