"""The interface's languages: which one a request gets, the switch, and what never changes language.

Vietnamese is the default and the source of every text; English comes from the catalog
(review/translations/en). A request is shown in the account's choice, else the ``lang`` cookie,
else the browser's Accept-Language, else Vietnamese (review/i18n.py). The documents and the meeting
file are the same bytes (PDF: the same text) whatever the interface's language.
"""

from __future__ import annotations

import io
import re
from datetime import date, datetime

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from review.extensions import db
from review.i18n import LANGUAGE_COOKIE, script_texts, translate, when_text
from review.models import Meeting, User
from review.translatable import N_, Message, msg

from helpers import csrf_token, sign_in, signed_in

ENGLISH = {"Accept-Language": "en-GB,en;q=0.9"}


def html_lang(response) -> str:  # type: ignore[no-untyped-def]
    return re.search(r'<html lang="(\w+)">', response.get_data(as_text=True)).group(1)


def test_vietnamese_is_the_default_and_every_page_says_its_language(client):
    page = client.get("/auth/login")
    assert html_lang(page) == "vi"
    assert "Đăng nhập" in page.get_data(as_text=True)
    # A language the interface does not have falls back to Vietnamese too.
    assert html_lang(client.get("/auth/login", headers={"Accept-Language": "fr-FR,de;q=0.5"})) == "vi"


def test_the_browsers_language_chooses_english(client):
    page = client.get("/auth/login", headers=ENGLISH)
    assert html_lang(page) == "en"
    text = page.get_data(as_text=True)
    assert "Sign in" in text
    assert "Đăng nhập" not in text.split("</head>", 1)[1]


def test_the_cookie_beats_the_browser_and_the_account_beats_the_cookie(app, client, make_user):
    client.set_cookie(LANGUAGE_COOKIE, "vi")
    assert html_lang(client.get("/auth/login", headers=ENGLISH)) == "vi"
    client.set_cookie(LANGUAGE_COOKIE, "xx")  # not a language of ours: ignored
    assert html_lang(client.get("/auth/login", headers=ENGLISH)) == "en"

    account = make_user("quantri", "admin")
    with app.app_context():
        db.session.get(User, account).language = "vi"
        db.session.commit()
    client.set_cookie(LANGUAGE_COOKIE, "en")
    assert sign_in(client, "quantri").status_code == 302
    assert html_lang(client.get("/", headers=ENGLISH)) == "vi"


def test_the_switch_sets_the_cookie_and_the_account_and_returns_to_the_page(app, client, make_user):
    token = csrf_token(client, "/auth/login")
    answer = client.post("/language", data={"csrf_token": token, "language": "en", "next": "/auth/login?x=1"})
    assert answer.status_code == 302 and answer.headers["Location"] == "/auth/login?x=1"
    cookie = answer.headers["Set-Cookie"]
    assert cookie.startswith(f"{LANGUAGE_COOKIE}=en;") and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert html_lang(client.get("/auth/login")) == "en"

    account = make_user("quantri", "admin")
    assert sign_in(client, "quantri").status_code == 302
    with app.app_context():
        assert db.session.get(User, account).language is None  # the cookie alone chose so far
    answer = client.post("/language", data={"csrf_token": csrf_token(client, "/"), "language": "vi", "next": "/"})
    assert answer.status_code == 302
    with app.app_context():
        assert db.session.get(User, account).language == "vi"
    # Another browser of the same account, with no cookie and an English browser: the account's choice.
    other = signed_in(app, "quantri")
    assert html_lang(other.get("/", headers=ENGLISH)) == "vi"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/\\evil.example", ""])
def test_the_switch_goes_home_rather_than_off_the_site(client, target):
    answer = client.post(
        "/language", data={"csrf_token": csrf_token(client, "/auth/login"), "language": "en", "next": target}
    )
    assert answer.status_code == 302 and answer.headers["Location"] == "/auth/login"  # home, before signing in


def test_the_switch_needs_the_forms_token_and_ignores_an_unknown_language(client):
    assert client.post("/language", data={"language": "en", "next": "/auth/login"}).status_code == 400
    answer = client.post(
        "/language", data={"csrf_token": csrf_token(client, "/auth/login"), "language": "klingon", "next": "/"}
    )
    assert answer.status_code == 302 and f"{LANGUAGE_COOKIE}=" not in answer.headers.get("Set-Cookie", "")


def test_the_switch_offers_the_other_language_in_its_own_words(client):
    vietnamese = client.get("/auth/login").get_data(as_text=True)
    assert re.search(r'<button[^>]*value="en" lang="en">English</button>', vietnamese)
    english = client.get("/auth/login", headers=ENGLISH).get_data(as_text=True)
    assert re.search(r'<button[^>]*value="vi" lang="vi">Tiếng Việt</button>', english)


def test_dates_follow_the_language(app):
    moment = datetime(2020, 11, 27, 14, 5, 9)
    with app.test_request_context("/"):
        assert when_text(date(2020, 11, 27)) == "27/11/2020"
        assert when_text(moment, "minute") == "14:05 ngày 27/11/2020"
        assert when_text(moment, "second") == "14:05:09 ngày 27/11/2020"
        assert when_text(date(2020, 11, 27), "long") == "ngày 27 tháng 11 năm 2020"
        assert when_text(None) == ""
    with app.test_request_context("/", headers=ENGLISH):
        assert when_text(date(2020, 11, 27)) == "27 Nov 2020"
        assert when_text(moment, "minute") == "14:05, 27 Nov 2020"
        assert when_text(date(2020, 11, 27), "long") == "27 November 2020"
        assert when_text(moment, "time") == "14:05:09"


def test_core_messages_are_their_vietnamese_text_and_translate_with_their_values(app):
    message = msg("Số phiếu thu vào ({returned}) lớn hơn số phiếu phát ra ({issued}).", returned=11, issued=10)
    assert message == "Số phiếu thu vào (11) lớn hơn số phiếu phát ra (10)."
    assert isinstance(message, str) and message.template.startswith("Số phiếu thu vào")
    assert N_("Hoàn thành nhiệm vụ") == "Hoàn thành nhiệm vụ"
    import pickle

    assert pickle.loads(pickle.dumps(message)).params == {"returned": 11, "issued": 10}
    with app.test_request_context("/", headers=ENGLISH):
        english = translate(message)
        assert "11" in english and "10" in english and english != message
        # A value that is itself a word of the vocabulary is translated too.
        nested = Message("{level}", {"level": "Hoàn thành nhiệm vụ"})
        assert translate(nested) == translate("Hoàn thành nhiệm vụ") != "Hoàn thành nhiệm vụ"
        assert translate(None) is None and translate("") == ""
        assert translate("Nguyễn Văn A") == "Nguyễn Văn A"  # a name is not in the catalog
    with app.test_request_context("/"):
        assert translate(message) == message


def test_the_scripts_get_their_words_in_the_pages_language(app, client):
    with app.test_request_context("/", headers=ENGLISH):
        english = script_texts()
    with app.test_request_context("/"):
        vietnamese = script_texts()
    assert vietnamese["saving"] == "Đang lưu…" and english["saving"] != vietnamese["saving"]
    assert "{count}" in english["tally_problems"]
    page = client.get("/auth/login", headers=ENGLISH).get_data(as_text=True)
    assert "data-ui-texts='{" in page and "\\u0027" not in page.split("data-ui-texts='", 1)[1].split("'", 1)[0]


@pytest.fixture
def sealed(app, runner, seed_path, make_user):  # type: ignore[no-untyped-def]
    """The seed meeting (sealed) and its secretary's account; return its id."""
    assert runner.invoke(args=["meeting", "import", str(seed_path)]).exit_code == 0
    with app.app_context():
        meeting = db.session.scalar(select(Meeting))
        meeting_id, cell_id = meeting.id, meeting.cell_id
    make_user("bithu", "secretary", cell_id=cell_id)
    return meeting_id


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


@pytest.mark.parametrize("key", ["minutes", "count-minutes", "ballot-paper", "tally-sheet"])
def test_documents_are_vietnamese_whatever_the_interfaces_language(app, sealed, key):
    vietnamese, english = signed_in(app, "bithu"), signed_in(app, "bithu")
    english.set_cookie(LANGUAGE_COOKIE, "en")
    assert html_lang(english.get("/")) == "en"
    for extension in ("pdf", "docx"):
        url = f"/meetings/{sealed}/documents/{key}.{extension}"
        in_vietnamese, in_english = vietnamese.get(url), english.get(url)
        assert in_vietnamese.status_code == in_english.status_code == 200, url
        if extension == "pdf":
            assert pdf_text(in_english.data) == pdf_text(in_vietnamese.data)
            assert "Đảng" in pdf_text(in_english.data) or "ĐẢNG" in pdf_text(in_english.data)
        else:
            from docx import Document

            def words(data: bytes) -> list[str]:
                return [p.text for p in Document(io.BytesIO(data)).paragraphs]

            assert words(in_english.data) == words(in_vietnamese.data)


def test_the_meeting_file_is_the_same_bytes_in_either_language(app, sealed):
    vietnamese, english = signed_in(app, "bithu"), signed_in(app, "bithu")
    english.set_cookie(LANGUAGE_COOKIE, "en")
    url = f"/meetings/{sealed}/meeting-file.json"
    assert english.get(url).data == vietnamese.get(url).data


def test_the_command_line_speaks_vietnamese_unless_told(app, runner, monkeypatch, tmp_path):
    from review.config import load_config

    monkeypatch.setenv("REVIEW_LANGUAGE", "en")
    assert load_config(str(tmp_path), {"TESTING": True})["CLI_LANGUAGE"] == "en"
    vietnamese = runner.invoke(args=["user", "create", "x", "--role", "ward"])
    assert vietnamese.exit_code != 0
    app.config["CLI_LANGUAGE"] = "en"  # what REVIEW_LANGUAGE=en sets (review/config.py)
    english = runner.invoke(args=["user", "create", "x", "--role", "ward"])
    assert english.exit_code != 0
    assert english.output != vietnamese.output
    assert not re.search("[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", english.output, re.IGNORECASE)
