"""The request log: one JSON line per request, with the route's pattern and no personal text."""

from __future__ import annotations

import json
import logging

import pytest

from review.app import create_app
from review.config import ConfigError, flag
from review.extensions import db

from helpers import sign_in


@pytest.fixture
def logged_app(database_url, tmp_path):  # type: ignore[no-untyped-def]
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url, "REQUEST_LOG": True})
    with app.app_context():
        if database_url.startswith("sqlite"):
            db.create_all()
    yield app
    with app.app_context():
        db.engine.dispose()


class Kept(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def test_each_request_is_one_json_line_without_the_address_or_the_form(logged_app):
    logger = logging.getLogger("review.requests")
    kept = Kept()
    logger.addHandler(kept)
    try:
        client = logged_app.test_client()
        client.get("/auth/set-password/a-secret-token-value")
        with logged_app.app_context():
            from review.models import User

            user = User(username="quantri", display_name="Nguyễn Văn A", role="admin")
            user.set_password("mật-khẩu-đủ-dài")
            db.session.add(user)
            db.session.commit()
            user_id = user.id
        sign_in(client, "quantri", "mật-khẩu-đủ-dài")
        client.get("/")
    finally:
        logger.removeHandler(kept)
    entries = [json.loads(message) for message in kept.messages]
    assert [e["endpoint"] for e in entries][-3:] == ["auth.login", "auth.login", "main.index"]
    token_page = entries[0]
    assert token_page["route"] == "/auth/set-password/<token>" and token_page["status"] == 410
    assert token_page["user_id"] is None
    home = entries[-1]
    assert home["status"] == 200 and home["user_id"] == user_id and home["method"] == "GET"
    assert isinstance(home["duration_ms"], float) and home["time"].endswith("Z")
    everything = "\n".join(kept.messages)
    assert "a-secret-token-value" not in everything and "quantri" not in everything
    assert "Nguy" not in everything and "mật" not in everything


def test_the_setting_reads_on_and_off():
    assert flag(None, default=True) is True and flag("", default=False) is False
    assert flag("ON", default=False) is True and flag("0", default=True) is False
    with pytest.raises(ConfigError):
        flag("maybe", default=True)
