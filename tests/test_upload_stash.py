"""The uploads waiting for their confirmation: bound to kind, account and object; they expire."""

from __future__ import annotations

from datetime import timedelta

import pytest

from review import clock, upload_stash


@pytest.fixture
def stash_app(app, tmp_path):
    app.config["UPLOAD_DIR"] = str(tmp_path / "uploads")
    with app.app_context():
        yield app


def test_a_stashed_file_comes_back_only_for_its_kind_account_and_object(stash_app) -> None:
    token = upload_stash.stash(b"data", filename="danh sach.xlsx", kind="roster", owner_id=3, scope="cell:1")
    found = upload_stash.fetch(token, kind="roster", owner_id=3, scope="cell:1")
    assert found is not None and found.data == b"data" and found.filename == "danh sach.xlsx"
    assert upload_stash.fetch(token, kind="meeting-file", owner_id=3, scope="cell:1") is None
    assert upload_stash.fetch(token, kind="roster", owner_id=4, scope="cell:1") is None
    assert upload_stash.fetch(token, kind="roster", owner_id=3, scope="cell:2") is None
    upload_stash.discard(token)
    assert upload_stash.fetch(token, kind="roster", owner_id=3, scope="cell:1") is None


@pytest.mark.parametrize("token", ["", "../../etc/passwd", "x" * 31, "x" * 33, "a/" + "b" * 30, None])
def test_a_malformed_token_opens_nothing(stash_app, token) -> None:
    assert upload_stash.fetch(token, kind="roster", owner_id=1, scope="cell:1") is None  # type: ignore[arg-type]
    upload_stash.discard(token)  # type: ignore[arg-type]


def test_a_stashed_file_expires_and_expired_ones_are_removed(stash_app, monkeypatch) -> None:
    token = upload_stash.stash(b"old", filename="a.csv", kind="roster", owner_id=1, scope="cell:1")
    later = clock.now() + upload_stash.LIFETIME + timedelta(seconds=1)
    monkeypatch.setattr(clock, "now", lambda: later)
    assert upload_stash.fetch(token, kind="roster", owner_id=1, scope="cell:1") is None
    other = upload_stash.stash(b"new", filename="b.csv", kind="roster", owner_id=1, scope="cell:1")
    folder = upload_stash.upload_dir()
    assert sorted(p.stem for p in folder.iterdir()) == [other, other]


def test_a_stashed_file_is_taken_once(stash_app) -> None:
    token = upload_stash.stash(b"data", filename="hoi nghi.json", kind="meeting-file", owner_id=3, scope="o:1")
    assert upload_stash.take(token, kind="meeting-file", owner_id=4, scope="o:1") is None  # not this account's
    taken = upload_stash.take(token, kind="meeting-file", owner_id=3, scope="o:1")
    assert taken is not None and taken.data == b"data" and taken.filename == "hoi nghi.json"
    assert upload_stash.take(token, kind="meeting-file", owner_id=3, scope="o:1") is None  # the second finds nothing
    assert upload_stash.fetch(token, kind="meeting-file", owner_id=3, scope="o:1") is None
    assert not list(upload_stash.upload_dir().iterdir())  # nothing left behind


def test_of_two_takes_racing_one_gets_the_file(stash_app) -> None:
    """The second take reads the description before the first removes it, and still gets nothing."""
    token = upload_stash.stash(b"data", filename="a.json", kind="meeting-file", owner_id=3, scope="o:1")
    body = upload_stash.upload_dir() / f"{token}.bin"
    body.rename(body.with_name(f"{token}.other{upload_stash.CLAIMED}"))  # the first take's rename
    assert upload_stash.take(token, kind="meeting-file", owner_id=3, scope="o:1") is None
